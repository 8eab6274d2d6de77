/* Every TDISP decoder of proto/tdisp.h under any bytes (the device decodes what the TSM sends,
 * the TSM what the device answers: both hostile). What must hold: a decoder never reads past
 * its input (ASan); a refusal gives a reason and an all-zero struct; an accepted message
 * re-encodes to exactly as many bytes, with the same header, and that encoding decodes and
 * re-encodes to itself (reserved fields become zero); a decoder accepts only its own
 * MessageType. An accepted DEVICE_INTERFACE_REPORT portion is also tried as a whole report.
 * Input: the VENDOR_DEFINED payload (protocol ID, 16-byte header, message). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/tdisp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

union tdisp_any {
        struct tdisp_bare bare;
        struct tdisp_version ver;
        struct tdisp_get_capabilities gcaps;
        struct tdisp_capabilities caps;
        struct tdisp_lock_interface_request lock;
        struct tdisp_nonce_msg nonce;
        struct tdisp_get_report grep;
        struct tdisp_report_portion rep;
        struct tdisp_interface_state state;
        struct tdisp_p2p_stream p2p;
        struct tdisp_set_mmio_attribute mmio;
        struct tdisp_vdm vdm;
        struct tdisp_error err;
};

struct codec {
        uint8_t type;
        bool (*dec)(const uint8_t *in, size_t len, union tdisp_any *u, char *why);
        bool (*enc)(uint8_t *out, size_t cap, const union tdisp_any *u, size_t *len);
        size_t size;
};

#define CODEC(fn, member)                                                                                              \
        static bool dec_##fn(const uint8_t *in, size_t len, union tdisp_any *u, char *why)                            \
        {                                                                                                              \
                return tdisp_##fn##_decode(in, len, &u->member, why);                                                  \
        }                                                                                                              \
        static bool enc_##fn(uint8_t *out, size_t cap, const union tdisp_any *u, size_t *len)                         \
        {                                                                                                              \
                return tdisp_##fn##_encode(out, cap, &u->member, len);                                                 \
        }
CODEC(get_version, bare)
CODEC(version, ver)
CODEC(get_capabilities, gcaps)
CODEC(capabilities, caps)
CODEC(lock_interface_request, lock)
CODEC(lock_interface_response, nonce)
CODEC(get_device_interface_report, grep)
CODEC(device_interface_report, rep)
CODEC(get_device_interface_state, bare)
CODEC(device_interface_state, state)
CODEC(start_interface_request, nonce)
CODEC(start_interface_response, bare)
CODEC(stop_interface_request, bare)
CODEC(stop_interface_response, bare)
CODEC(bind_p2p_stream_request, p2p)
CODEC(bind_p2p_stream_response, bare)
CODEC(unbind_p2p_stream_request, p2p)
CODEC(unbind_p2p_stream_response, bare)
CODEC(set_mmio_attribute_request, mmio)
CODEC(set_mmio_attribute_response, bare)
CODEC(vdm_request, vdm)
CODEC(vdm_response, vdm)
CODEC(error, err)

#define ROW(t, fn, member) { t, dec_##fn, enc_##fn, sizeof(((union tdisp_any *)0)->member) }
static const struct codec codecs[] = {
        ROW(TDISP_GET_TDISP_VERSION, get_version, bare),
        ROW(TDISP_TDISP_VERSION, version, ver),
        ROW(TDISP_GET_TDISP_CAPABILITIES, get_capabilities, gcaps),
        ROW(TDISP_TDISP_CAPABILITIES, capabilities, caps),
        ROW(TDISP_LOCK_INTERFACE_REQUEST, lock_interface_request, lock),
        ROW(TDISP_LOCK_INTERFACE_RESPONSE, lock_interface_response, nonce),
        ROW(TDISP_GET_DEVICE_INTERFACE_REPORT, get_device_interface_report, grep),
        ROW(TDISP_DEVICE_INTERFACE_REPORT, device_interface_report, rep),
        ROW(TDISP_GET_DEVICE_INTERFACE_STATE, get_device_interface_state, bare),
        ROW(TDISP_DEVICE_INTERFACE_STATE, device_interface_state, state),
        ROW(TDISP_START_INTERFACE_REQUEST, start_interface_request, nonce),
        ROW(TDISP_START_INTERFACE_RESPONSE, start_interface_response, bare),
        ROW(TDISP_STOP_INTERFACE_REQUEST, stop_interface_request, bare),
        ROW(TDISP_STOP_INTERFACE_RESPONSE, stop_interface_response, bare),
        ROW(TDISP_BIND_P2P_STREAM_REQUEST, bind_p2p_stream_request, p2p),
        ROW(TDISP_BIND_P2P_STREAM_RESPONSE, bind_p2p_stream_response, bare),
        ROW(TDISP_UNBIND_P2P_STREAM_REQUEST, unbind_p2p_stream_request, p2p),
        ROW(TDISP_UNBIND_P2P_STREAM_RESPONSE, unbind_p2p_stream_response, bare),
        ROW(TDISP_SET_MMIO_ATTRIBUTE_REQUEST, set_mmio_attribute_request, mmio),
        ROW(TDISP_SET_MMIO_ATTRIBUTE_RESPONSE, set_mmio_attribute_response, bare),
        ROW(TDISP_VDM_REQUEST, vdm_request, vdm),
        ROW(TDISP_VDM_RESPONSE, vdm_response, vdm),
        ROW(TDISP_ERROR, error, err),
};

static bool all_zero(const void *p, size_t n)
{
        const uint8_t *b = p;
        for (size_t i = 0; i < n; i++)
                if (b[i])
                        return false;
        return true;
}

static void try_codec(const struct codec *c, const uint8_t *data, size_t size)
{
        static uint8_t e1[1u << 21], e2[1u << 21]; /* the replay takes inputs up to 1 MiB */
        union tdisp_any u, v;
        size_t l1 = 0, l2 = 0;
        char why[TDISP_WHY_LEN] = "";
        memset(&u, 0xA5, sizeof(u));
        if (!c->dec(data, size, &u, why)) {
                if (!why[0] || !all_zero(&u, c->size))
                        abort();
                return;
        }
        if (size < TDISP_MSG_HEADER_SIZE || data[0] != TDISP_PROTOCOL_ID || data[1] != TDISP_VERSION_10 ||
            data[2] != c->type)
                abort();
        if (!c->enc(e1, sizeof(e1), &u, &l1) || l1 != size || memcmp(e1, data, 3) ||
            memcmp(e1 + 5, data + 5, 4)) /* protocol, version, type, FUNCTION_ID */
                abort();
        if (!c->dec(e1, l1, &v, why) || !c->enc(e2, sizeof(e2), &v, &l2) || l2 != l1 || memcmp(e1, e2, l1))
                abort();
        if (c->type == TDISP_DEVICE_INTERFACE_REPORT && u.rep.portion) {
                struct tdi_mmio_range ranges[32];
                struct tdi_report r;
                if (tdi_report_decode(u.rep.portion, u.rep.portion_length, &r, ranges, 32, why) &&
                    tdi_report_size(&r) != u.rep.portion_length)
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct tdisp_header h;
        char why[TDISP_WHY_LEN] = "";
        if (!tdisp_header_decode(data, size, &h, why) && !why[0])
                abort();
        for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
                try_codec(&codecs[i], data, size);
        return 0;
}
