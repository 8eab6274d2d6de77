/* The IDE_KM decoders (src/proto/ide_km.c) under arbitrary bytes: the input is one
 * VENDOR_DEFINED payload (protocol ID byte first) as a hostile DSM or TSM could send it.
 * Every decoder sees every input. What must hold: no decoder reads outside the input (ASan);
 * at most one decoder accepts it, the one its object ID names; an accepted object re-encodes
 * to the input up to the reserved fields the decoders ignore (bytes 2-3, byte 5 where it is
 * Reserved, KeySubStream bits 3:2); a QUERY_RESP's register view lies inside the input and
 * its counts add up; a refusal gives a reason and leaves the output zeroed.
 * Seeds (fuzz/corpus/ide_km/): the IDE_KM payloads of objects 32-37 and 80 of the recorded
 * DMTF session (tests/kat/spdm12-emu-session/doe_objects.json, decrypted `spdm` field after
 * the VENDOR_DEFINED header), and a QUERY_RESP with Link and Selective stream blocks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"
#include "proto/ide_km.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool zeroed(const void *p, size_t n)
{
        const uint8_t *b = p;
        for (size_t i = 0; i < n; i++)
                if (b[i])
                        return false;
        return true;
}

/* The input as an encoder must give it back: reserved bytes and bits cleared. */
static void canonical(uint8_t object, const uint8_t *in, size_t size, uint8_t *want)
{
        memcpy(want, in, size);
        want[2] = 0;
        if (object == IDE_KM_QUERY || object == IDE_KM_QUERY_RESP)
                return;
        want[3] = 0;
        if (object != IDE_KM_KP_ACK)
                want[5] = 0;
        want[6] &= (uint8_t)~IDE_KM_KS_RESERVED;
}

static void check_reencode(uint8_t object, const uint8_t *data, size_t size, const uint8_t *out, size_t len,
                           bool ok)
{
        uint8_t *want = malloc(size);
        if (!want || !ok || len != size)
                abort();
        canonical(object, data, size, want);
        if (memcmp(out, want, size))
                abort();
        free(want);
}

static bool query_resp(const uint8_t *data, size_t size, uint8_t *out)
{
        struct ide_km_query_resp m;
        char why[IDE_KM_WHY_LEN] = "";
        size_t len = 0;
        if (!ide_km_query_resp_decode(data, size, &m, why)) {
                if (!why[0] || !zeroed(&m, sizeof(m)))
                        abort();
                return false;
        }
        if (m.regs != data + IDE_KM_QUERY_RESP_HDR_SIZE ||
            IDE_KM_QUERY_RESP_HDR_SIZE + 4 * m.reg_dw != size || m.image_dw + m.extra_dw != m.reg_dw ||
            m.image_dw < 2 || m.reg_dw > IDE_KM_REGS_MAX_DW || m.ide_cap != ide_km_query_resp_reg(&m, 0) ||
            m.link_streams > IDE_KM_LINK_STREAMS_MAX || m.sel_streams > IDE_KM_SEL_STREAMS_MAX)
                abort();
        for (unsigned i = 0; i < m.sel_streams; i++) {
                size_t first;
                unsigned blocks;
                if (!ide_km_query_resp_sel_stream(&m, i, &first, &blocks) ||
                    first + 5 + 3 * (size_t)blocks > m.image_dw)
                        abort();
        }
        bool ok = ide_km_query_resp_encode(out, size, &m, &len);
        check_reencode(IDE_KM_QUERY_RESP, data, size, out, len, ok);
        return true;
}

static bool key_prog(const uint8_t *data, size_t size, uint8_t *out)
{
        struct ide_km_key_prog m;
        uint8_t key[IDE_KM_KEY_SIZE];
        char why[IDE_KM_WHY_LEN] = "";
        size_t len = 0;
        if (!ide_km_key_prog_decode(data, size, &m, why)) {
                if (!why[0] || !zeroed(&m, sizeof(m)))
                        abort();
                return false;
        }
        if (m.key_wire != data + IDE_KM_KEY_PROG_OFF_KEY)
                abort();
        ide_km_key_prog_key(&m, key);
        bool ok = ide_km_key_prog_encode(out, size, &m, key, &len);
        secure_zero(key, sizeof(key));
        check_reencode(IDE_KM_KEY_PROG, data, size, out, len, ok);
        return true;
}

/* QUERY, KP_ACK and the K_SET family: fixed layouts. */
static bool fixed(uint8_t object, const uint8_t *data, size_t size, uint8_t *out)
{
        union {
                struct ide_km_query q;
                struct ide_km_kp_ack a;
                struct ide_km_k_set k;
        } u;
        char why[IDE_KM_WHY_LEN] = "";
        size_t len = 0, n;
        bool ok;
        memset(&u, 0x5A, sizeof(u));
        if (object == IDE_KM_QUERY) {
                ok = ide_km_query_decode(data, size, &u.q, why);
                n = sizeof(u.q);
        } else if (object == IDE_KM_KP_ACK) {
                ok = ide_km_kp_ack_decode(data, size, &u.a, why);
                n = sizeof(u.a);
        } else {
                ok = ide_km_k_set_decode(object, data, size, &u.k, why);
                n = sizeof(u.k);
        }
        if (!ok) {
                if (!why[0] || !zeroed(&u, n))
                        abort();
                return false;
        }
        if (object == IDE_KM_QUERY)
                ok = ide_km_query_encode(out, size, &u.q, &len);
        else if (object == IDE_KM_KP_ACK)
                ok = ide_km_kp_ack_encode(out, size, &u.a, &len);
        else
                ok = ide_km_k_set_encode(object, out, size, &u.k, &len);
        check_reencode(object, data, size, out, len, ok);
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t object = 0xFF;
        uint8_t *out = malloc(size ? size : 1);
        if (!out)
                abort();
        bool is_ide_km = ide_km_object_id(data, size, &object, NULL);
        if (!is_ide_km && object != 0)
                abort();
        /* every decoder sees every input; only the one the object ID names may accept it */
        unsigned accepted = 0;
        uint8_t which = 0xFF;
        for (uint8_t o = IDE_KM_QUERY; o <= IDE_KM_K_GOSTOP_ACK; o++) {
                bool ok = o == IDE_KM_QUERY_RESP ? query_resp(data, size, out)
                          : o == IDE_KM_KEY_PROG ? key_prog(data, size, out)
                                                 : fixed(o, data, size, out);
                if (ok)
                        accepted++, which = o;
        }
        if (accepted > 1 || (accepted && (!is_ide_km || which != object)))
                abort();
        secure_zero(out, size ? size : 1);
        free(out);
        return 0;
}
