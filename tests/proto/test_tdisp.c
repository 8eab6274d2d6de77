/* src/proto/tdisp.c: the TDISP 1.0 messages, the TDI report and its reassembly.
 * Known answers: every TDISP message of the recorded DMTF emulator session
 * (tests/kat/spdm12-emu-session, objects 58-79 of session 1 and 178-199 of session 3, the
 * decrypted `spdm` fields), checked against facts/spdm-tdisp-ide.md §6 and §8.3. Layouts of
 * messages the emulator does not send are checked against the facts' tables byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/parse.h"
#include "lib/bytes.h"
#include "lib/prng.h"
#include "proto/spdm.h"
#include "proto/tdisp.h"
#include "spdm_kat.h"

/* ---- every codec behind one signature ---- */

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
        size_t size; /* of the member */
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
#define NCODECS (sizeof(codecs) / sizeof(codecs[0]))

static const struct codec *codec_of(uint8_t type)
{
        for (size_t i = 0; i < NCODECS; i++)
                if (codecs[i].type == type)
                        return &codecs[i];
        fail_msg("no codec for type 0x%02x", type);
        return NULL;
}

static bool all_zero(const void *p, size_t n)
{
        const uint8_t *b = p;
        for (size_t i = 0; i < n; i++)
                if (b[i])
                        return false;
        return true;
}

/* A decode that must fail: a reason, an all-zero struct. */
static void assert_refused(const struct codec *c, const uint8_t *in, size_t len, const char *what)
{
        union tdisp_any u;
        char why[TDISP_WHY_LEN] = "";
        memset(&u, 0xA5, sizeof(u));
        if (c->dec(in, len, &u, why))
                fail_msg("%s: %s of %zu bytes decoded", what, tdisp_code_name(c->type), len);
        assert_true(why[0] != '\0');
        assert_true(all_zero(&u, c->size));
}

/* decode -> encode gives the input back; encode with one byte less fails with *len 0. */
static void assert_round_trip(const struct codec *c, const uint8_t *in, size_t len)
{
        union tdisp_any u;
        uint8_t enc[512];
        size_t elen = 99;
        char why[TDISP_WHY_LEN] = "";
        if (!c->dec(in, len, &u, why))
                fail_msg("%s: %s", tdisp_code_name(c->type), why);
        assert_true(c->enc(enc, sizeof(enc), &u, &elen));
        assert_int_equal(elen, len);
        assert_memory_equal(enc, in, len);
        elen = 99;
        assert_false(c->enc(enc, len - 1, &u, &elen));
        assert_int_equal(elen, 0);
}

static const uint8_t kat_caps[45] = { /* object 61 */
        0x01, 0x10, 0x02, 0x00, 0x00, 0xef, 0xbe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00,
};

/* ---- the recorded session ---- */

struct tdisp_kat {
        struct spdm_kat k;
        uint8_t msg[SPDM_KAT_MSG_MAX];
};

static int kat_setup(void **state)
{
        struct tdisp_kat *t = calloc(1, sizeof(*t));
        if (!t || spdm_kat_open(&t->k) != 0) {
                free(t);
                return -1;
        }
        *state = t;
        return 0;
}

static int kat_teardown(void **state)
{
        struct tdisp_kat *t = *state;
        spdm_kat_close(&t->k);
        free(t);
        return 0;
}

/* Object idx's VENDOR_DEFINED payload (the TDISP message, protocol ID included). */
static const uint8_t *kat_tdisp(struct tdisp_kat *t, size_t idx, size_t *len)
{
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_vendor_defined v;
        size_t n = spdm_kat_msg(&t->k, idx, t->msg, sizeof(t->msg)), used = 0;
        uint8_t proto = 0xFF;
        char why[SPDM_WHY_LEN] = "";
        assert_true(n >= 4);
        bool ok = t->msg[1] == SPDM_VENDOR_DEFINED_REQUEST
                          ? spdm_vendor_defined_request_decode(t->msg, n, &sz, &v, &used, why)
                          : spdm_vendor_defined_response_decode(t->msg, n, &sz, &v, &used, why);
        if (!ok)
                fail_msg("object %zu: %s", idx, why);
        assert_int_equal(used, n);
        assert_true(spdm_vdm_pcisig_protocol(&v, &proto));
        assert_int_equal(proto, TDISP_PROTOCOL_ID);
        *len = v.payload_len;
        return v.payload;
}

static const char *kat_message_name(struct tdisp_kat *t, size_t idx)
{
        json_t *o = json_array_get(t->k.objects, idx);
        json_t *m = json_object_get(json_object_get(o, "vendor_defined"), "message");
        assert_true(json_is_string(m));
        return json_string_value(m);
}

static void walk(struct tdisp_kat *t, size_t first, size_t last)
{
        for (size_t idx = first; idx <= last; idx++) {
                size_t len;
                const uint8_t *p = kat_tdisp(t, idx, &len);
                uint8_t longer[512];
                assert_true(len >= TDISP_MSG_HEADER_SIZE && len < sizeof(longer));
                const struct codec *c = codec_of(p[2]);
                assert_string_equal(tdisp_code_name(p[2]), kat_message_name(t, idx));
                /* requests go requester -> responder: even objects */
                assert_int_equal((p[2] & 0x80u) != 0, idx % 2 == 0);
                assert_round_trip(c, p, len);
                for (size_t cut = 0; cut < len; cut++)
                        assert_refused(c, p, cut, "truncated");
                memcpy(longer, p, len);
                longer[len] = 0;
                assert_refused(c, longer, len + 1, "one byte longer");
        }
}

static void tdisp_every_recorded_message_decodes_reencodes_and_refuses_every_truncation(void **state)
{
        struct tdisp_kat *t = *state;
        walk(t, 58, 79);
        walk(t, 178, 199);
}

static void tdisp_recorded_header_is_version_10_with_function_id_beef(void **state)
{
        struct tdisp_kat *t = *state;
        for (size_t idx = 58; idx <= 79; idx++) {
                size_t len;
                const uint8_t *p = kat_tdisp(t, idx, &len);
                struct tdisp_header h;
                char why[TDISP_WHY_LEN];
                assert_true(tdisp_header_decode(p, len, &h, why));
                assert_int_equal(h.version, TDISP_VERSION_10);
                assert_int_equal(h.function_id, 0xBEEF); /* facts §8.3 */
        }
}

static void tdisp_recorded_version_and_capabilities_are_the_sample_dsm(void **state)
{
        struct tdisp_kat *t = *state;
        struct tdisp_version v;
        struct tdisp_capabilities c;
        struct tdisp_get_capabilities g;
        size_t len;
        const uint8_t *p = kat_tdisp(t, 59, &len);
        assert_true(tdisp_version_decode(p, len, &v, NULL));
        assert_int_equal(v.version_count, 1);
        assert_int_equal(v.versions[0], 0x10);
        p = kat_tdisp(t, 60, &len);
        assert_int_equal(len, 21); /* facts §6.3 wire sizes */
        assert_true(tdisp_get_capabilities_decode(p, len, &g, NULL));
        assert_int_equal(g.tsm_caps, 0);
        p = kat_tdisp(t, 61, &len);
        assert_int_equal(len, 45);
        assert_memory_equal(p, kat_caps, 45); /* the copy the header tests use */
        assert_true(tdisp_capabilities_decode(p, len, &c, NULL));
        assert_int_equal(c.dsm_caps, 0);
        assert_int_equal(c.req_msgs_supported[0], 0xFE);
        assert_true(all_zero(c.req_msgs_supported + 1, 15));
        for (unsigned req = 0x80; req <= 0xFF; req++)
                assert_int_equal(tdisp_caps_supports(&c, (uint8_t)req), req >= 0x81 && req <= 0x87);
        assert_false(tdisp_caps_supports(&c, TDISP_TDISP_VERSION)); /* a response code */
        assert_int_equal(c.lock_flags_supported,
                         TDISP_LOCK_NO_FW_UPDATE | TDISP_LOCK_SYSTEM_CACHE_LINE_SIZE | TDISP_LOCK_LOCK_MSIX);
        assert_int_equal(c.dev_addr_width, 48);
        assert_int_equal(c.num_req_this, 0);
        assert_int_equal(c.num_req_all, 0);
}

static void tdisp_recorded_lock_start_and_states_follow_the_flow(void **state)
{
        struct tdisp_kat *t = *state;
        static const struct {
                size_t idx;
                uint8_t state;
        } states[] = { { 63, 0 }, { 67, 1 }, { 75, 2 }, { 79, 0 }, { 183, 0 }, { 187, 1 }, { 195, 2 }, { 199, 0 } };
        struct tdisp_lock_interface_request lk;
        struct tdisp_nonce_msg lr, st;
        struct tdisp_interface_state s;
        size_t len;
        const uint8_t *p;
        for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
                p = kat_tdisp(t, states[i].idx, &len);
                assert_int_equal(len, 18);
                assert_true(tdisp_device_interface_state_decode(p, len, &s, NULL));
                assert_int_equal(s.tdi_state, states[i].state);
        }
        for (size_t base = 0; base <= 120; base += 120) {
                p = kat_tdisp(t, 64 + base, &len);
                assert_int_equal(len, 37);
                assert_true(tdisp_lock_interface_request_decode(p, len, &lk, NULL));
                assert_int_equal(lk.flags, 0x0007); /* all supported.  facts §8.3 */
                assert_int_equal(lk.default_stream_id, 0);
                assert_int_equal(lk.mmio_reporting_offset, 0xD0000000u);
                assert_int_equal(lk.bind_p2p_address_mask, 0);
                p = kat_tdisp(t, 65 + base, &len);
                assert_int_equal(len, 49);
                assert_true(tdisp_lock_interface_response_decode(p, len, &lr, NULL));
                p = kat_tdisp(t, 72 + base, &len);
                assert_int_equal(len, 49);
                assert_true(tdisp_start_interface_request_decode(p, len, &st, NULL));
                assert_memory_equal(st.nonce, lr.nonce, TDISP_NONCE_SIZE); /* START echoes LOCK's nonce */
        }
        assert_false(all_zero(lr.nonce, TDISP_NONCE_SIZE));
}

/* The 100-byte report of facts §8.3, from the two portions of objects first..first+3. */
static size_t reassemble(struct tdisp_kat *t, size_t first, uint8_t *buf, size_t cap)
{
        struct tdi_report_asm a;
        static const uint16_t want_off[2] = { 0, 0x40 }, want_len[2] = { 0x40, 0x24 }, want_rem[2] = { 0x24, 0 };
        tdi_report_asm_init(&a, buf, cap);
        for (size_t i = 0; i < 2; i++) {
                struct tdisp_get_report q;
                struct tdisp_report_portion r;
                char why[TDISP_WHY_LEN];
                size_t len;
                const uint8_t *p = kat_tdisp(t, first + 2 * i, &len);
                assert_true(tdisp_get_device_interface_report_decode(p, len, &q, why));
                assert_int_equal(q.offset, tdi_report_asm_next(&a));
                assert_int_equal(q.offset, want_off[i]);
                assert_int_equal(q.length, want_len[i]);
                p = kat_tdisp(t, first + 2 * i + 1, &len);
                assert_true(tdisp_device_interface_report_decode(p, len, &r, why));
                assert_int_equal(r.portion_length, want_len[i]);
                assert_int_equal(r.remainder_length, want_rem[i]);
                assert_false(tdi_report_asm_done(&a));
                if (!tdi_report_asm_add(&a, &q, &r, why))
                        fail_msg("portion %zu: %s", i, why);
        }
        assert_true(tdi_report_asm_done(&a));
        return a.have;
}

static void tdi_report_recorded_is_the_sample_devices_100_bytes(void **state)
{
        struct tdisp_kat *t = *state;
        static const struct tdi_mmio_range want[4] = {
                { 0x0, 1, TDI_RANGE_NON_TEE_MEM, 1 },
                { 0x8000, 4, TDI_RANGE_MEM_ATTR_UPDATABLE, 2 },
                /* facts §8.3 names no attribute for these two; the recording has ATTR_UPDATABLE */
                { 0x10000, 8, TDI_RANGE_MEM_ATTR_UPDATABLE, 3 },
                { 0x20000, 8, TDI_RANGE_MEM_ATTR_UPDATABLE, 4 },
        };
        uint8_t buf[256], again[256], enc[256];
        struct tdi_mmio_range ranges[8];
        struct tdi_report r;
        char why[TDISP_WHY_LEN];
        size_t n = reassemble(t, 68, buf, sizeof(buf)), elen = 0;
        assert_int_equal(n, 100);
        assert_int_equal(reassemble(t, 188, again, sizeof(again)), 100);
        assert_memory_equal(again, buf, 100); /* session 3 reports the same bytes */
        if (!tdi_report_decode(buf, n, &r, ranges, 8, why))
                fail_msg("%s", why);
        assert_int_equal(r.interface_info, TDI_INFO_NO_FW_UPDATE | TDI_INFO_DMA_NO_PASID);
        assert_int_equal(r.msi_x_message_control, 0);
        assert_int_equal(r.lnr_control, 0);
        assert_int_equal(r.tph_control, 0);
        assert_int_equal(r.range_count, 4);
        assert_ptr_equal(r.ranges, ranges);
        for (size_t i = 0; i < 4; i++) {
                assert_int_equal(ranges[i].first_page, want[i].first_page);
                assert_int_equal(ranges[i].num_pages, want[i].num_pages);
                assert_int_equal(ranges[i].attributes, want[i].attributes);
                assert_int_equal(ranges[i].range_id, want[i].range_id);
        }
        assert_int_equal(r.device_info_len, 16);
        assert_memory_equal(r.device_info, "tdisp_dev_emu\0\0\0", 16);
        assert_int_equal(tdi_report_size(&r), 100);
        assert_true(tdi_report_encode(enc, sizeof(enc), &r, &elen));
        assert_int_equal(elen, 100);
        assert_memory_equal(enc, buf, 100);
        assert_false(tdi_report_encode(enc, 99, &r, &elen));
        assert_int_equal(elen, 0);
        /* It passes a Realm's checks with what the TSM sent (the emulator ignores the offset). */
        struct tdi_report_policy pol = { .lock_flags = 0x0007, .mmio_reporting_offset = 0xD0000000u };
        if (!tdi_report_check(&r, &pol, why))
                fail_msg("%s", why);
        for (size_t cut = 0; cut < n; cut++) {
                memset(ranges, 0xA5, sizeof(ranges));
                memset(&r, 0xA5, sizeof(r));
                why[0] = '\0';
                if (tdi_report_decode(buf, cut, &r, ranges, 8, why))
                        fail_msg("the report cut to %zu bytes decoded", cut);
                assert_true(why[0] != '\0');
                assert_true(all_zero(&r, sizeof(r)));
                assert_int_equal(ranges[0].num_pages, 0xA5A5A5A5u); /* the caller's storage untouched */
        }
        buf[100] = 0;
        assert_false(tdi_report_decode(buf, 101, &r, ranges, 8, why));
}

/* ---- headers and reserved fields ---- */

static void tdisp_header_decode_rejects_a_message_shorter_than_17_bytes(void **state)
{
        struct tdisp_header h;
        char why[TDISP_WHY_LEN] = "";
        (void)state;
        for (size_t n = 0; n < 17; n++)
                assert_false(tdisp_header_decode(kat_caps, n, &h, why));
        assert_non_null(strstr(why, "truncated"));
        assert_true(tdisp_header_decode(kat_caps, 17, &h, why));
}

static void tdisp_header_decode_rejects_another_pci_protocol_but_passes_any_version(void **state)
{
        uint8_t m[45];
        struct tdisp_header h;
        char why[TDISP_WHY_LEN] = "";
        struct tdisp_capabilities c;
        (void)state;
        memcpy(m, kat_caps, sizeof(m));
        m[0] = 0x00; /* IDE_KM */
        assert_false(tdisp_header_decode(m, sizeof(m), &h, why));
        assert_non_null(strstr(why, "protocol ID"));
        assert_false(tdisp_capabilities_decode(m, sizeof(m), &c, why));
        m[0] = 0x01;
        m[1] = 0x20; /* TDISP 2.0: the header passes (for VERSION_MISMATCH), the message does not */
        assert_true(tdisp_header_decode(m, sizeof(m), &h, why));
        assert_int_equal(h.version, 0x20);
        assert_int_equal(h.type, TDISP_TDISP_CAPABILITIES);
        assert_false(tdisp_capabilities_decode(m, sizeof(m), &c, why));
        assert_non_null(strstr(why, "TDISPVersion"));
}

static void tdisp_decoders_reject_another_message_type(void **state)
{
        uint8_t m[512] = { 0x01, 0x10 };
        (void)state;
        for (size_t i = 0; i < NCODECS; i++)
                for (size_t j = 0; j < NCODECS; j++) {
                        if (i == j)
                                continue;
                        m[2] = codecs[j].type;
                        for (size_t len = 17; len < 60; len++)
                                assert_refused(&codecs[i], m, len, "another type");
                }
}

static void tdisp_decoders_ignore_reserved_fields_and_encoders_write_them_zero(void **state)
{
        uint8_t m[45], enc[64];
        struct tdisp_capabilities c;
        size_t elen;
        (void)state;
        memcpy(m, kat_caps, sizeof(m));
        m[3] = m[4] = 0xFF;                   /* header Reserved */
        memset(m + 9, 0xFF, 8);               /* INTERFACE_ID.Reserved */
        memset(m + 17 + 4 + 16 + 2, 0xFF, 3); /* CAPABILITIES Reserved */
        assert_true(tdisp_capabilities_decode(m, sizeof(m), &c, NULL));
        assert_int_equal(c.function_id, 0xBEEF);
        assert_int_equal(c.dev_addr_width, 48);
        assert_true(tdisp_capabilities_encode(enc, sizeof(enc), &c, &elen));
        assert_int_equal(elen, 45);
        assert_memory_equal(enc, kat_caps, 45);
        /* LOCK Reserved (payload byte 3) */
        struct tdisp_lock_interface_request lk = { .function_id = 1, .flags = 5, .default_stream_id = 9 }, back;
        assert_true(tdisp_lock_interface_request_encode(enc, sizeof(enc), &lk, &elen));
        assert_int_equal(enc[17 + 3], 0);
        enc[17 + 3] = 0xFF;
        assert_true(tdisp_lock_interface_request_decode(enc, elen, &back, NULL));
        assert_int_equal(back.default_stream_id, 9);
        assert_int_equal(back.flags, 5);
}

static void tdisp_defined_fields_keep_their_reserved_bits(void **state)
{
        uint8_t enc[64];
        size_t elen;
        struct tdisp_bare b = { .function_id = 0xFE00BEEFu | TDISP_FUNCTION_ID_SEGMENT_VALID }, back;
        struct tdisp_lock_interface_request lk = { .flags = 0xFFFF }, lback;
        (void)state;
        assert_true(tdisp_stop_interface_request_encode(enc, sizeof(enc), &b, &elen));
        assert_true(tdisp_stop_interface_request_decode(enc, elen, &back, NULL));
        assert_int_equal(back.function_id, b.function_id); /* logged as sent */
        assert_true(tdisp_lock_interface_request_encode(enc, sizeof(enc), &lk, &elen));
        assert_true(tdisp_lock_interface_request_decode(enc, elen, &lback, NULL));
        assert_int_equal(lback.flags, 0xFFFF);
}

/* ---- layouts the emulator does not send, byte by byte from facts §6.3 ---- */

static void tdisp_optional_requests_follow_the_facts_layout(void **state)
{
        uint8_t enc[64];
        size_t elen;
        struct tdisp_p2p_stream p2p = { .function_id = 0x01000102u, .p2p_stream_id = 7 };
        struct tdisp_set_mmio_attribute sm = {
                .function_id = 0x10, .range = { 0x1122334455667788ull, 0x99AABBCCu, TDI_RANGE_NON_TEE_MEM, 0x0102 } };
        static const uint8_t want_p2p[18] = { 0x01, 0x10, 0x88, 0, 0, 0x02, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 7 };
        static const uint8_t want_mmio_payload[16] = { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
                                                       0xCC, 0xBB, 0xAA, 0x99, 0x04, 0x00, 0x02, 0x01 };
        (void)state;
        assert_true(tdisp_bind_p2p_stream_request_encode(enc, sizeof(enc), &p2p, &elen));
        assert_int_equal(elen, 18);
        assert_memory_equal(enc, want_p2p, 18);
        assert_round_trip(codec_of(TDISP_BIND_P2P_STREAM_REQUEST), enc, elen);
        assert_true(tdisp_unbind_p2p_stream_request_encode(enc, sizeof(enc), &p2p, &elen));
        assert_int_equal(enc[2], 0x89);
        assert_true(tdisp_set_mmio_attribute_request_encode(enc, sizeof(enc), &sm, &elen));
        assert_int_equal(elen, 33);
        assert_int_equal(enc[2], 0x8A);
        assert_memory_equal(enc + 17, want_mmio_payload, 16); /* RangeAttributes low half, then Range ID */
        assert_round_trip(codec_of(TDISP_SET_MMIO_ATTRIBUTE_REQUEST), enc, elen);
}

/* ---- per-message error paths ---- */

static void tdisp_version_decode_rejects_count_zero_and_a_count_that_disagrees_with_length(void **state)
{
        uint8_t m[20] = { 0x01, 0x10, 0x01, 0, 0, 0xEF, 0xBE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0x10, 0x11 };
        struct tdisp_version v;
        char why[TDISP_WHY_LEN];
        uint8_t enc[32];
        size_t elen;
        (void)state;
        assert_true(tdisp_version_decode(m, 20, &v, why));
        assert_int_equal(v.version_count, 2);
        assert_int_equal(v.versions[1], 0x11);
        assert_false(tdisp_version_decode(m, 19, &v, why));
        assert_non_null(strstr(why, "2 versions"));
        m[17] = 0;
        assert_false(tdisp_version_decode(m, 17 + 1, &v, why));
        assert_non_null(strstr(why, "VERSION_NUM_COUNT 0"));
        v = (struct tdisp_version){ .version_count = 0, .versions = m };
        assert_false(tdisp_version_encode(enc, sizeof(enc), &v, &elen));
        v = (struct tdisp_version){ .version_count = 1, .versions = NULL };
        assert_false(tdisp_version_encode(enc, sizeof(enc), &v, &elen));
        assert_int_equal(elen, 0);
}

static void tdisp_device_interface_state_rejects_a_state_above_error(void **state)
{
        uint8_t m[18] = { 0x01, 0x10, 0x05, 0, 0, 0xEF, 0xBE };
        struct tdisp_interface_state s = { .tdi_state = 4 };
        char why[TDISP_WHY_LEN];
        uint8_t enc[32];
        size_t elen;
        (void)state;
        for (uint8_t st = 0; st <= TDISP_STATE_ERROR; st++) {
                m[17] = st;
                assert_true(tdisp_device_interface_state_decode(m, 18, &s, why));
                assert_int_equal(s.tdi_state, st);
        }
        m[17] = 4;
        assert_false(tdisp_device_interface_state_decode(m, 18, &s, why));
        assert_non_null(strstr(why, "TDI_STATE 4"));
        s.tdi_state = 4;
        assert_false(tdisp_device_interface_state_encode(enc, sizeof(enc), &s, &elen));
        assert_int_equal(elen, 0);
}

static void tdisp_device_interface_report_rejects_portion_length_that_disagrees_with_the_bytes(void **state)
{
        uint8_t m[64] = { 0x01, 0x10, 0x04, 0, 0, 0xEF, 0xBE };
        struct tdisp_report_portion r;
        char why[TDISP_WHY_LEN];
        (void)state;
        st_le16(m + 17, 8);
        assert_true(tdisp_device_interface_report_decode(m, 21 + 8, &r, why));
        assert_int_equal(r.portion_length, 8);
        assert_ptr_equal(r.portion, m + 21);
        assert_false(tdisp_device_interface_report_decode(m, 21 + 7, &r, why));
        assert_non_null(strstr(why, "PORTION_LENGTH 8"));
        assert_false(tdisp_device_interface_report_decode(m, 21 + 9, &r, why));
        st_le16(m + 17, 0);
        assert_true(tdisp_device_interface_report_decode(m, 21, &r, why)); /* empty: layout ok */
        assert_null(r.portion);
        r = (struct tdisp_report_portion){ .portion_length = 4, .portion = NULL };
        uint8_t enc[64];
        size_t elen;
        assert_false(tdisp_device_interface_report_encode(enc, sizeof(enc), &r, &elen));
}

static void tdisp_error_round_trips_every_error_code_with_its_name(void **state)
{
        static const struct {
                uint32_t code;
                const char *name;
        } codes[] = {
                { 0x0001, "INVALID_REQUEST" },         { 0x0003, "BUSY" },
                { 0x0004, "INVALID_INTERFACE_STATE" }, { 0x0005, "UNSPECIFIED" },
                { 0x0007, "UNSUPPORTED_REQUEST" },     { 0x0041, "VERSION_MISMATCH" },
                { 0x0101, "INVALID_INTERFACE" },       { 0x0102, "INVALID_NONCE" },
                { 0x0103, "INSUFFICIENT_ENTROPY" },    { 0x0104, "INVALID_DEVICE_CONFIGURATION" },
                { 0x0002, "UNKNOWN" },                 { 0xDEAD, "UNKNOWN" },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
                struct tdisp_error e = { .function_id = 0xBEEF, .error_code = codes[i].code, .error_data = 0x85 }, d;
                uint8_t enc[64];
                size_t elen;
                assert_string_equal(tdisp_error_name(codes[i].code), codes[i].name);
                assert_true(tdisp_error_encode(enc, sizeof(enc), &e, &elen));
                assert_int_equal(elen, 25);
                assert_int_equal(enc[2], 0x7F);
                assert_int_equal(ld_le32(enc + 17), codes[i].code);
                assert_int_equal(ld_le32(enc + 21), 0x85);
                assert_true(tdisp_error_decode(enc, elen, &d, NULL));
                assert_int_equal(d.error_code, codes[i].code);
                assert_int_equal(d.error_data, 0x85); /* UNSUPPORTED_REQUEST: the request code */
                assert_int_equal(d.ext_len, 0);
                assert_round_trip(codec_of(TDISP_ERROR), enc, elen);
                enc[elen] = 0;
                assert_refused(codec_of(TDISP_ERROR), enc, elen + 1, "extended data on a non-vendor error");
        }
        struct tdisp_error e = { .error_code = TDISP_ERR_BUSY, .ext_len = 1 };
        uint8_t enc[64];
        size_t elen;
        assert_false(tdisp_error_encode(enc, sizeof(enc), &e, &elen));
}

static void tdisp_error_vendor_specific_carries_its_extended_data_and_length(void **state)
{
        static const uint8_t vid[2] = { 0x01, 0x00 }, data[3] = { 0xAA, 0xBB, 0xCC };
        struct tdisp_error e = { .function_id = 0xBEEF, .error_code = TDISP_ERR_VENDOR_SPECIFIC_ERROR,
                                 .vendor = { TDISP_REGISTRY_PCISIG, 2, vid, 3, data } }, d;
        static const uint8_t want_tail[15] = { 0xFF, 0, 0, 0, 7, 0, 0, 0, 0, 2, 0x01, 0x00, 0xAA, 0xBB, 0xCC };
        uint8_t enc[64];
        size_t elen;
        char why[TDISP_WHY_LEN];
        (void)state;
        assert_true(tdisp_error_encode(enc, sizeof(enc), &e, &elen));
        assert_int_equal(elen, 32);
        assert_memory_equal(enc + 17, want_tail, 15);
        assert_true(tdisp_error_decode(enc, elen, &d, why));
        assert_int_equal(d.ext_len, 7);
        assert_int_equal(d.vendor.registry_id, 0);
        assert_int_equal(d.vendor.vendor_id_len, 2);
        assert_memory_equal(d.vendor.vendor_id, vid, 2);
        assert_int_equal(d.vendor.data_len, 3);
        assert_memory_equal(d.vendor.data, data, 3);
        assert_round_trip(codec_of(TDISP_ERROR), enc, elen);
        enc[21] = 6; /* ERROR_DATA no longer the extended length */
        assert_false(tdisp_error_decode(enc, elen, &d, why));
        assert_non_null(strstr(why, "ERROR_DATA 6"));
        enc[21] = 7;
        enc[25] = 2; /* RegistryID */
        assert_false(tdisp_error_decode(enc, elen, &d, why));
        assert_non_null(strstr(why, "RegistryID 2"));
        enc[25] = 1;
        enc[26] = 6; /* VendorIDLen past the end */
        assert_false(tdisp_error_decode(enc, elen, &d, why));
        assert_non_null(strstr(why, "VendorIDLen 6"));
        enc[21] = 1; /* too short for RegistryID and VendorIDLen */
        assert_false(tdisp_error_decode(enc, 26, &d, why));
        e.vendor.registry_id = 2;
        assert_false(tdisp_error_encode(enc, sizeof(enc), &e, &elen));
}

static void tdisp_vdm_keeps_vendor_bytes_raw_and_rejects_unknown_registries(void **state)
{
        static const uint8_t vid[2] = { 0x98, 0x1E }, data[5] = { 1, 2, 3, 4, 5 };
        struct tdisp_vdm v = { .function_id = 0xBEEF, .vendor = { TDISP_REGISTRY_CXL, 2, vid, 5, data } }, d;
        uint8_t enc[64];
        size_t elen;
        char why[TDISP_WHY_LEN];
        (void)state;
        assert_true(tdisp_vdm_request_encode(enc, sizeof(enc), &v, &elen));
        assert_int_equal(elen, 17 + 2 + 2 + 5);
        assert_int_equal(enc[2], 0x8B);
        assert_int_equal(enc[17], 1);
        assert_int_equal(enc[18], 2);
        assert_true(tdisp_vdm_request_decode(enc, elen, &d, why));
        assert_memory_equal(d.vendor.data, data, 5);
        assert_round_trip(codec_of(TDISP_VDM_REQUEST), enc, elen);
        assert_false(tdisp_vdm_response_decode(enc, elen, &d, why)); /* 0x8B is not 0x0B */
        assert_false(tdisp_vdm_request_decode(enc, 19, &d, why)); /* VendorIDLen 2, no bytes left */
        assert_non_null(strstr(why, "VendorIDLen 2"));
        enc[18] = 0;
        assert_true(tdisp_vdm_request_decode(enc, 19, &d, why)); /* no VendorID, no data */
        assert_null(d.vendor.vendor_id);
        assert_null(d.vendor.data);
        enc[17] = 7;
        assert_false(tdisp_vdm_request_decode(enc, elen, &d, why));
        assert_non_null(strstr(why, "RegistryID 7"));
        v.vendor.data = NULL;
        assert_false(tdisp_vdm_response_encode(enc, sizeof(enc), &v, &elen));
}

/* ---- the report: structure and a Realm's checks ---- */

static size_t make_report(uint8_t *out, size_t cap, const struct tdi_mmio_range *rg, uint32_t n,
                          uint16_t info)
{
        struct tdi_report r = { .interface_info = info, .range_count = n, .ranges = rg,
                                .device_info_len = 3, .device_info = (const uint8_t *)"abc" };
        size_t len = 0;
        assert_true(tdi_report_encode(out, cap, &r, &len));
        return len;
}

static void tdi_report_decode_rejects_range_count_and_info_length_that_disagree_with_length(void **state)
{
        static const struct tdi_mmio_range rg[2] = { { 0x100, 1, 0, 0 }, { 0x200, 2, 0, 1 } };
        uint8_t buf[128];
        struct tdi_mmio_range out[2];
        struct tdi_report r;
        char why[TDISP_WHY_LEN];
        (void)state;
        size_t n = make_report(buf, sizeof(buf), rg, 2, 0);
        assert_int_equal(n, 20 + 32 + 3);
        assert_true(tdi_report_decode(buf, n, &r, out, 2, why));
        assert_false(tdi_report_decode(buf, n, &r, out, 1, why));
        assert_non_null(strstr(why, "caller"));
        st_le32(buf + 12, 3); /* one range more than the bytes hold */
        assert_false(tdi_report_decode(buf, n, &r, out, 2, why));
        assert_non_null(strstr(why, "MMIO_RANGE_COUNT 3"));
        st_le32(buf + 12, 0xFFFFFFFFu);
        assert_false(tdi_report_decode(buf, n, &r, out, 2, why));
        st_le32(buf + 12, 1); /* one range fewer: the info length then sits inside range 2 */
        assert_false(tdi_report_decode(buf, n, &r, out, 2, why));
        assert_non_null(strstr(why, "DEVICE_SPECIFIC_INFO_LEN"));
        st_le32(buf + 12, 2);
        assert_int_equal(ld_le32(buf + 48), 3);
        st_le32(buf + 48, 4);
        assert_false(tdi_report_decode(buf, n, &r, out, 2, why));
        st_le32(buf + 48, 2);
        assert_false(tdi_report_decode(buf, n, &r, out, 2, why));
        st_le32(buf + 48, 0xFFFFFFFFu);
        assert_false(tdi_report_decode(buf, n, &r, out, 2, why));
        assert_false(tdi_report_decode(buf, 19, &r, out, 2, why));
        /* an empty report: no ranges, no info */
        static const uint8_t empty[20] = { 0 };
        assert_true(tdi_report_decode(empty, 20, &r, NULL, 0, why));
        assert_null(r.ranges);
        assert_null(r.device_info);
}

static void tdi_report_encode_refuses_missing_storage(void **state)
{
        struct tdi_report r = { .range_count = 1 };
        uint8_t buf[64];
        size_t len = 7;
        (void)state;
        assert_false(tdi_report_encode(buf, sizeof(buf), &r, &len));
        assert_int_equal(len, 0);
        r = (struct tdi_report){ .device_info_len = 1 };
        assert_false(tdi_report_encode(buf, sizeof(buf), &r, &len));
}

static void check_refused(const struct tdi_mmio_range *rg, uint32_t n, uint16_t info,
                          const struct tdi_report_policy *p, const char *reason)
{
        struct tdi_report r = { .interface_info = info, .range_count = n, .ranges = rg };
        char why[TDISP_WHY_LEN] = "";
        if (tdi_report_check(&r, p, why))
                fail_msg("accepted; expected: %s", reason);
        if (!strstr(why, reason))
                fail_msg("'%s' does not say '%s'", why, reason);
}

static void tdi_report_check_refuses_what_a_realm_must_not_accept(void **state)
{
        const struct tdi_report_policy lock = { .lock_flags = 0x0003 }, msix = { .lock_flags = TDISP_LOCK_LOCK_MSIX };
        const struct tdi_report_policy odd = { .mmio_reporting_offset = 0x800 };
        struct tdi_mmio_range rg[2] = { { 0x100, 4, 0, 0 }, { 0x104, 4, 0, 1 } }; /* adjacent */
        struct tdi_report r = { .range_count = 2, .ranges = rg };
        char why[TDISP_WHY_LEN];
        (void)state;
        assert_true(tdi_report_check(&r, &lock, why));
        check_refused(rg, 2, 0, &odd, "not page-aligned");
        check_refused(rg, 2, 0x0020, &lock, "INTERFACE_INFO reserved");
        rg[1].attributes = 0x0010;
        check_refused(rg, 2, 0, &lock, "reserved attribute");
        rg[1].attributes = TDI_RANGE_MSIX_TABLE;
        check_refused(rg, 2, 0, &lock, "LOCK_MSIX");
        assert_true(tdi_report_check(&r, &msix, why));
        rg[1].attributes = TDI_RANGE_MSIX_PBA;
        check_refused(rg, 2, 0, &lock, "LOCK_MSIX");
        rg[1].attributes = 0;
        rg[1].num_pages = 0;
        check_refused(rg, 2, 0, &lock, "no pages");
        rg[1].num_pages = 4;
        rg[1].first_page = 0x103; /* one page shared with range 0 */
        check_refused(rg, 2, 0, &lock, "overlap");
        rg[1].first_page = 0xFD; /* ends in range 0 */
        check_refused(rg, 2, 0, &lock, "overlap");
        rg[1].first_page = 0x80;
        rg[1].num_pages = 0x1000; /* swallows range 0 */
        check_refused(rg, 2, 0, &lock, "overlap");
        rg[1].first_page = 1ull << 52; /* FirstPage << 12 leaves 64 bits */
        rg[1].num_pages = 1;
        check_refused(rg, 2, 0, &lock, "address space");
        rg[1].first_page = (1ull << 52) - 1; /* the last page: fits */
        assert_true(tdi_report_check(&r, &lock, why));
        rg[1].num_pages = 2; /* one page past the end */
        check_refused(rg, 2, 0, &lock, "address space");
}

static void tdi_mmio_range_addr_subtracts_the_reporting_offset(void **state)
{
        const struct tdi_mmio_range rg = { 0xD0010, 2, 0, 0 };
        uint64_t base, size;
        (void)state;
        assert_true(tdi_mmio_range_addr(&rg, 0xD0000000u, &base, &size));
        assert_int_equal(base, 0x10000);
        assert_int_equal(size, 0x2000);
        assert_true(tdi_mmio_range_addr(&rg, 0, &base, &size));
        assert_int_equal(base, 0xD0010000u);
        /* a negative offset (two's complement) moves the other way */
        assert_true(tdi_mmio_range_addr(&rg, (uint64_t)-0x1000, &base, &size));
        assert_int_equal(base, 0xD0011000u);
        /* real range wraps: base near 2^64 */
        assert_false(tdi_mmio_range_addr(&rg, 0xD0010000u + 0x1000u, &base, &size));
        assert_int_equal(base, 0);
        assert_int_equal(size, 0);
}

/* ---- reassembly ---- */

struct asm_case {
        struct tdi_report_asm a;
        uint8_t buf[64], src[64];
        char why[TDISP_WHY_LEN];
};

static bool add(struct asm_case *c, uint16_t off, uint16_t len, uint16_t plen, uint16_t rem)
{
        struct tdisp_get_report q = { 0xBEEF, off, len };
        struct tdisp_report_portion r = { 0xBEEF, plen, rem, c->src + off };
        c->why[0] = '\0';
        return tdi_report_asm_add(&c->a, &q, &r, c->why);
}

static void tdi_report_asm_refuses_portions_that_do_not_answer_the_request_and_stays_broken(void **state)
{
        struct asm_case c;
        (void)state;
        for (size_t i = 0; i < sizeof(c.src); i++)
                c.src[i] = (uint8_t)i;
        tdi_report_asm_init(&c.a, c.buf, 40);
        assert_true(add(&c, 0, 16, 16, 24));
        assert_int_equal(tdi_report_asm_next(&c.a), 16);
        assert_true(add(&c, 16, 16, 16, 8));
        assert_true(add(&c, 32, 16, 8, 0));
        assert_true(tdi_report_asm_done(&c.a));
        assert_memory_equal(c.buf, c.src, 40);
        assert_false(add(&c, 40, 16, 1, 0));
        assert_non_null(strstr(c.why, "complete"));

        static const struct {
                uint16_t off, len, plen, rem;
                const char *why;
        } bad[] = {
                { 8, 16, 16, 24, "OFFSET" },             /* not from the start */
                { 0, 16, 17, 23, "requested LENGTH" },   /* more than asked */
                { 0, 16, 0, 40, "PORTION_LENGTH is 0" }, /* no progress */
                { 0, 16, 16, 25, "exceeds the buffer" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                tdi_report_asm_init(&c.a, c.buf, 40);
                assert_false(add(&c, bad[i].off, bad[i].len, bad[i].plen, bad[i].rem));
                if (!strstr(c.why, bad[i].why))
                        fail_msg("case %zu: '%s'", i, c.why);
                assert_false(add(&c, 0, 16, 16, 24)); /* sticky */
                assert_non_null(strstr(c.why, "broken"));
                assert_false(tdi_report_asm_done(&c.a));
        }
        tdi_report_asm_init(&c.a, c.buf, 40);
        assert_true(add(&c, 0, 16, 16, 24));
        assert_false(add(&c, 16, 16, 16, 16)); /* the total shrinks */
        assert_non_null(strstr(c.why, "changed"));
        tdi_report_asm_init(&c.a, c.buf, 40);
        struct tdisp_get_report q = { 0xBEEF, 0, 16 };
        struct tdisp_report_portion r = { 0xBEEE, 16, 0, c.src };
        assert_false(tdi_report_asm_add(&c.a, &q, &r, c.why));
        assert_non_null(strstr(c.why, "INTERFACE_ID"));
}

/* ---- names ---- */

static void tdisp_names_cover_every_code_state_and_legal_state_set(void **state)
{
        static const struct {
                uint8_t type;
                const char *name;
                uint8_t legal;
        } t[] = {
                { 0x81, "GET_TDISP_VERSION", 0xF },          { 0x82, "GET_TDISP_CAPABILITIES", 0xF },
                { 0x83, "LOCK_INTERFACE_REQUEST", 0x1 },     { 0x84, "GET_DEVICE_INTERFACE_REPORT", 0x6 },
                { 0x85, "GET_DEVICE_INTERFACE_STATE", 0xF }, { 0x86, "START_INTERFACE_REQUEST", 0x2 },
                { 0x87, "STOP_INTERFACE_REQUEST", 0xF },     { 0x88, "BIND_P2P_STREAM_REQUEST", 0x4 },
                { 0x89, "UNBIND_P2P_STREAM_REQUEST", 0x4 },  { 0x8A, "SET_MMIO_ATTRIBUTE_REQUEST", 0x4 },
                { 0x8B, "VDM_REQUEST", 0xF },                { 0x01, "TDISP_VERSION", 0 },
                { 0x02, "TDISP_CAPABILITIES", 0 },           { 0x03, "LOCK_INTERFACE_RESPONSE", 0 },
                { 0x04, "DEVICE_INTERFACE_REPORT", 0 },      { 0x05, "DEVICE_INTERFACE_STATE", 0 },
                { 0x06, "START_INTERFACE_RESPONSE", 0 },     { 0x07, "STOP_INTERFACE_RESPONSE", 0 },
                { 0x08, "BIND_P2P_STREAM_RESPONSE", 0 },     { 0x09, "UNBIND_P2P_STREAM_RESPONSE", 0 },
                { 0x0A, "SET_MMIO_ATTRIBUTE_RESPONSE", 0 },  { 0x0B, "VDM_RESPONSE", 0 },
                { 0x7F, "TDISP_ERROR", 0 },                  { 0x00, "UNKNOWN", 0 },
                { 0x80, "UNKNOWN", 0 },                      { 0x0C, "UNKNOWN", 0 },
                { 0x8C, "UNKNOWN", 0 },                      { 0xFF, "UNKNOWN", 0 },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                assert_string_equal(tdisp_code_name(t[i].type), t[i].name);
                assert_int_equal(tdisp_request_legal_states(t[i].type), t[i].legal);
        }
        assert_string_equal(tdisp_state_name(0), "CONFIG_UNLOCKED");
        assert_string_equal(tdisp_state_name(1), "CONFIG_LOCKED");
        assert_string_equal(tdisp_state_name(2), "RUN");
        assert_string_equal(tdisp_state_name(3), "ERROR");
        assert_string_equal(tdisp_state_name(4), "UNKNOWN");
        assert_string_equal(tdisp_error_name(0xFF), "VENDOR_SPECIFIC_ERROR");
        assert_int_equal(TDISP_RESPONSE_OF(TDISP_LOCK_INTERFACE_REQUEST), TDISP_LOCK_INTERFACE_RESPONSE);
}

/* ---- round-trip properties ---- */

static uint64_t test_seed(void)
{
        const char *env = getenv("CCADA_TEST_SEED");
        uint64_t seed = 0x7d15c0deull;
        enum ccada_number_error e = env ? ccada_parse_u64(env, strlen(env), &seed) : CCADA_NUMBER_OK;
        if (e != CCADA_NUMBER_OK)
                fail_msg("CCADA_TEST_SEED '%s' is not a number: %s", env, ccada_number_error_text(e));
        printf("tdisp property seed: 0x%llx (set CCADA_TEST_SEED to replay)\n", (unsigned long long)seed);
        return seed;
}

/* A random valid message of codec c into u (variable parts in pool). */
static void random_msg(struct prng *p, const struct codec *c, union tdisp_any *u, uint8_t *pool, size_t pool_len)
{
        prng_fill(p, u, sizeof(*u)); /* scalars random; pointers fixed below */
        prng_fill(p, pool, pool_len);
        switch (c->type) {
        case TDISP_TDISP_VERSION:
                u->ver.version_count = (uint8_t)(1 + prng_below(p, 255));
                u->ver.versions = pool;
                break;
        case TDISP_DEVICE_INTERFACE_REPORT:
                u->rep.portion_length = (uint16_t)prng_below(p, pool_len);
                u->rep.portion = pool;
                break;
        case TDISP_DEVICE_INTERFACE_STATE:
                u->state.tdi_state = (uint8_t)prng_below(p, 4);
                break;
        case TDISP_VDM_REQUEST:
        case TDISP_VDM_RESPONSE:
        case TDISP_ERROR: {
                struct tdisp_vendor_data *v = c->type == TDISP_ERROR ? &u->err.vendor : &u->vdm.vendor;
                v->registry_id = (uint8_t)prng_below(p, 2);
                v->vendor_id_len = (uint8_t)prng_below(p, 4);
                v->vendor_id = pool;
                v->data_len = prng_below(p, 64);
                v->data = pool + 8;
                if (c->type == TDISP_ERROR) {
                        u->err.ext_len = 0;
                        u->err.ext = NULL;
                        if (prng_below(p, 2))
                                u->err.error_code = TDISP_ERR_VENDOR_SPECIFIC_ERROR;
                        else if (u->err.error_code == TDISP_ERR_VENDOR_SPECIFIC_ERROR)
                                u->err.error_code = TDISP_ERR_BUSY;
                }
                break;
        }
        default:
                break;
        }
}

static void tdisp_every_message_round_trips_random_fields(void **state)
{
        struct prng p;
        uint8_t pool[300], enc[600], enc2[600];
        (void)state;
        prng_seed(&p, test_seed());
        for (unsigned iter = 0; iter < 300; iter++)
                for (size_t i = 0; i < NCODECS; i++) {
                        const struct codec *c = &codecs[i];
                        union tdisp_any u, d;
                        size_t len = 0, len2 = 0;
                        char why[TDISP_WHY_LEN] = "";
                        random_msg(&p, c, &u, pool, sizeof(pool));
                        if (!c->enc(enc, sizeof(enc), &u, &len))
                                fail_msg("iteration %u: %s did not encode", iter, tdisp_code_name(c->type));
                        if (!c->dec(enc, len, &d, why))
                                fail_msg("iteration %u: %s: %s", iter, tdisp_code_name(c->type), why);
                        assert_true(c->enc(enc2, sizeof(enc2), &d, &len2));
                        assert_int_equal(len2, len);
                        assert_memory_equal(enc2, enc, len);
                        /* the fields every message has, and the byte after the header */
                        assert_int_equal(d.bare.function_id, u.bare.function_id);
                        assert_int_equal(enc[2], c->type);
                }
}

static void tdi_report_round_trips_random_reports(void **state)
{
        struct prng p;
        struct tdi_mmio_range rg[16], back[16];
        uint8_t info[64], enc[512], enc2[512];
        (void)state;
        prng_seed(&p, test_seed() ^ 0x5e5e);
        for (unsigned iter = 0; iter < 500; iter++) {
                struct tdi_report r, d;
                size_t len, len2;
                char why[TDISP_WHY_LEN];
                prng_fill(&p, &r, sizeof(r));
                prng_fill(&p, rg, sizeof(rg));
                prng_fill(&p, info, sizeof(info));
                r.range_count = (uint32_t)prng_below(&p, 17);
                r.ranges = rg;
                r.device_info_len = (uint32_t)prng_below(&p, 65);
                r.device_info = info;
                assert_true(tdi_report_encode(enc, sizeof(enc), &r, &len));
                assert_int_equal(len, tdi_report_size(&r));
                if (!tdi_report_decode(enc, len, &d, back, 16, why))
                        fail_msg("iteration %u: %s", iter, why);
                assert_int_equal(d.interface_info, r.interface_info);
                assert_int_equal(d.tph_control, r.tph_control);
                assert_int_equal(d.range_count, r.range_count);
                for (uint32_t i = 0; i < r.range_count; i++) {
                        assert_int_equal(back[i].first_page, rg[i].first_page);
                        assert_int_equal(back[i].num_pages, rg[i].num_pages);
                        assert_int_equal(back[i].attributes, rg[i].attributes);
                        assert_int_equal(back[i].range_id, rg[i].range_id);
                }
                assert_int_equal(d.device_info_len, r.device_info_len);
                assert_true(tdi_report_encode(enc2, sizeof(enc2), &d, &len2));
                assert_int_equal(len2, len);
                assert_memory_equal(enc2, enc, len);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(
                        tdisp_every_recorded_message_decodes_reencodes_and_refuses_every_truncation, kat_setup,
                        kat_teardown),
                cmocka_unit_test_setup_teardown(tdisp_recorded_header_is_version_10_with_function_id_beef, kat_setup,
                                                kat_teardown),
                cmocka_unit_test_setup_teardown(tdisp_recorded_version_and_capabilities_are_the_sample_dsm,
                                                kat_setup, kat_teardown),
                cmocka_unit_test_setup_teardown(tdisp_recorded_lock_start_and_states_follow_the_flow, kat_setup,
                                                kat_teardown),
                cmocka_unit_test_setup_teardown(tdi_report_recorded_is_the_sample_devices_100_bytes, kat_setup,
                                                kat_teardown),
                cmocka_unit_test(tdisp_header_decode_rejects_a_message_shorter_than_17_bytes),
                cmocka_unit_test(tdisp_header_decode_rejects_another_pci_protocol_but_passes_any_version),
                cmocka_unit_test(tdisp_decoders_reject_another_message_type),
                cmocka_unit_test(tdisp_decoders_ignore_reserved_fields_and_encoders_write_them_zero),
                cmocka_unit_test(tdisp_defined_fields_keep_their_reserved_bits),
                cmocka_unit_test(tdisp_optional_requests_follow_the_facts_layout),
                cmocka_unit_test(tdisp_version_decode_rejects_count_zero_and_a_count_that_disagrees_with_length),
                cmocka_unit_test(tdisp_device_interface_state_rejects_a_state_above_error),
                cmocka_unit_test(tdisp_device_interface_report_rejects_portion_length_that_disagrees_with_the_bytes),
                cmocka_unit_test(tdisp_error_round_trips_every_error_code_with_its_name),
                cmocka_unit_test(tdisp_error_vendor_specific_carries_its_extended_data_and_length),
                cmocka_unit_test(tdisp_vdm_keeps_vendor_bytes_raw_and_rejects_unknown_registries),
                cmocka_unit_test(tdi_report_decode_rejects_range_count_and_info_length_that_disagree_with_length),
                cmocka_unit_test(tdi_report_encode_refuses_missing_storage),
                cmocka_unit_test(tdi_report_check_refuses_what_a_realm_must_not_accept),
                cmocka_unit_test(tdi_mmio_range_addr_subtracts_the_reporting_offset),
                cmocka_unit_test(tdi_report_asm_refuses_portions_that_do_not_answer_the_request_and_stays_broken),
                cmocka_unit_test(tdisp_names_cover_every_code_state_and_legal_state_set),
                cmocka_unit_test(tdisp_every_message_round_trips_random_fields),
                cmocka_unit_test(tdi_report_round_trips_random_reports),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
