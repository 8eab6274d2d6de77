/* src/proto/spdm.c: the header, VERSION, CAPABILITIES, ALGORITHMS, ERROR and RESPOND_IF_READY
 * (DSP0274 1.2.1 §10.3-§10.5, §10.8, §10.10), sizes and names. Known answers: the recorded
 * DMTF spdm-emu session of tests/kat/spdm12-emu-session (doe_objects.json, kat.json). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/prng.h"
#include "proto/spdm.h"
#include "spdm_kat.h"

#define SEED 0x5350444d31320001ull

static struct spdm_kat kat;

static int setup(void **state)
{
        (void)state;
        return spdm_kat_open(&kat);
}

static int teardown(void **state)
{
        (void)state;
        spdm_kat_close(&kat);
        return 0;
}

static uint32_t kat_u32(const char *path)
{
        json_t *j = spdm_kat_get(kat.kat, path);
        assert_non_null(j);
        if (json_is_integer(j))
                return (uint32_t)json_integer_value(j);
        assert_true(json_is_string(j));
        return (uint32_t)strtoul(json_string_value(j), NULL, 0);
}

static size_t msg(size_t idx, uint8_t *out)
{
        size_t n = spdm_kat_msg(&kat, idx, out, SPDM_KAT_MSG_MAX);
        assert_true(n >= 4);
        return n;
}

/* ---- known answers ---- */

static void spdm_vca_messages_of_the_recording_decode_exactly_and_reencode_identically(void **state)
{
        static const uint8_t codes[] = { SPDM_GET_VERSION,          SPDM_VERSION,    SPDM_GET_CAPABILITIES,
                                         SPDM_CAPABILITIES,         SPDM_NEGOTIATE_ALGORITHMS, SPDM_ALGORITHMS,
                                         SPDM_ERROR,                SPDM_RESPOND_IF_READY };
        (void)state;
        assert_int_equal(spdm_kat_walk(&kat, codes, sizeof(codes)), 6); /* objects 6-11 */
}

static void spdm_version_decode_gives_the_recorded_single_entry_1_2(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        struct spdm_version v;
        struct spdm_get_version gv;
        const struct spdm_sizes none = { 0 };
        size_t used;
        char why[SPDM_WHY_LEN];
        (void)state;
        size_t n = msg(6, m);
        assert_true(spdm_get_version_decode(m, n, &none, &gv, &used, why));
        n = msg(7, m);
        assert_true(spdm_version_decode(m, n, &none, &v, &used, why)); /* before negotiation: 0x10 */
        assert_int_equal(v.entry_count, 1);
        assert_int_equal(v.entries[0], 0x1200); /* kat.json connection.spdm_version_entries ["1.2"] */
        assert_int_equal(SPDM_VERSION_ENTRY_BYTE(v.entries[0]), SPDM_VERSION_12);
}

static void spdm_capabilities_decode_gives_the_recorded_flags_and_sizes(void **state)
{
        static const struct {
                size_t obj;
                const char *who;
        } c[] = { { 8, "connection.requester_capabilities" }, { 9, "connection.responder_capabilities" } };
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        (void)state;
        for (size_t i = 0; i < 2; i++) {
                uint8_t m[SPDM_KAT_MSG_MAX];
                char path[128], why[SPDM_WHY_LEN];
                struct spdm_capabilities caps;
                size_t used, n = msg(c[i].obj, m);
                if (i == 0)
                        assert_true(spdm_get_capabilities_decode(m, n, &sz, &caps, &used, why));
                else
                        assert_true(spdm_capabilities_decode(m, n, &sz, &caps, &used, why));
                assert_int_equal(used, 20);
                snprintf(path, sizeof(path), "%s.flags", c[i].who);
                assert_int_equal(caps.flags, kat_u32(path));
                snprintf(path, sizeof(path), "%s.ct_exponent", c[i].who);
                assert_int_equal(caps.ct_exponent, kat_u32(path));
                snprintf(path, sizeof(path), "%s.data_transfer_size", c[i].who);
                assert_int_equal(caps.data_transfer_size, kat_u32(path));
                snprintf(path, sizeof(path), "%s.max_spdm_msg_size", c[i].who);
                assert_int_equal(caps.max_spdm_msg_size, kat_u32(path));
                assert_true(caps.flags & SPDM_CAP_HANDSHAKE_IN_THE_CLEAR); /* kat: handshake_in_the_clear */
        }
}

static void spdm_algorithms_decode_gives_the_recorded_selection_and_sizes(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        struct spdm_algorithms a, req;
        struct spdm_sizes got, sz = spdm_any_kat_sizes();
        uint16_t bits;
        size_t used;
        char why[SPDM_WHY_LEN], text[128];
        (void)state;
        size_t n = msg(11, m);
        assert_true(spdm_algorithms_decode(m, n, &sz, &a, &used, why));
        assert_int_equal(a.meas_spec, kat_u32("connection.algorithms.measurement_specification"));
        assert_int_equal(a.other_params, kat_u32("connection.algorithms.other_params_selection"));
        assert_int_equal(a.meas_hash, kat_u32("connection.algorithms.measurement_hash_algo"));
        assert_int_equal(a.base_asym, kat_u32("connection.algorithms.base_asym_sel"));
        assert_int_equal(a.base_hash, kat_u32("connection.algorithms.base_hash_sel"));
        assert_int_equal(a.alg_count, 4);
        assert_true(spdm_algorithms_find(&a, SPDM_ALG_TYPE_DHE, &bits));
        assert_int_equal(bits, kat_u32("connection.algorithms.dhe"));
        assert_true(spdm_algorithms_find(&a, SPDM_ALG_TYPE_AEAD, &bits));
        assert_int_equal(bits, kat_u32("connection.algorithms.aead"));
        assert_true(spdm_algorithms_find(&a, SPDM_ALG_TYPE_REQ_BASE_ASYM, &bits));
        assert_int_equal(bits, kat_u32("connection.algorithms.req_base_asym"));
        assert_true(spdm_algorithms_find(&a, SPDM_ALG_TYPE_KEY_SCHEDULE, &bits));
        assert_int_equal(bits, kat_u32("connection.algorithms.key_schedule"));
        /* the sizes the rest of the session was decoded with follow from this selection */
        assert_true(spdm_sizes_from_algorithms(&a, SPDM_VERSION_12, true, &got));
        assert_int_equal(got.hash_len, sz.hash_len);
        assert_int_equal(got.sig_len, sz.sig_len);
        assert_int_equal(got.dhe_len, sz.dhe_len);
        assert_int_equal(got.meas_hash_len, sz.meas_hash_len);
        assert_int_equal(got.req_sig_len, sz.req_sig_len);
        spdm_algorithms_text(&a, text, sizeof(text));
        assert_string_equal(text, "ECDSA-P384 SHA-384 secp384r1 AES-256-GCM meas:SHA-384");
        /* the request offered what was selected */
        n = msg(10, m);
        assert_true(spdm_negotiate_algorithms_decode(m, n, &sz, &req, &used, why));
        assert_int_equal(used, 48);
        assert_true(req.base_asym & a.base_asym);
        assert_true(req.base_hash & a.base_hash);
        assert_true(spdm_algorithms_find(&req, SPDM_ALG_TYPE_AEAD, &bits));
        assert_true(bits & SPDM_AEAD_AES_256_GCM);
}

/* ---- error paths ---- */

static void spdm_version_decode_rejects_a_version_byte_other_than_1_0(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        struct spdm_version v;
        size_t used;
        char why[SPDM_WHY_LEN];
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        (void)state;
        size_t n = msg(7, m);
        m[0] = 0x12; /* VERSION is always 0x10, even after negotiation */
        assert_false(spdm_version_decode(m, n, &sz, &v, &used, why));
        assert_non_null(strstr(why, "version byte 0x12"));
}

static void spdm_version_decode_rejects_zero_too_many_and_missing_entries(void **state)
{
        uint8_t m[64] = { 0x10, 0x04, 0, 0, 0, 0 };
        struct spdm_version v;
        size_t used;
        char why[SPDM_WHY_LEN];
        (void)state;
        assert_false(spdm_version_decode(m, 6, NULL, &v, &used, why));
        assert_non_null(strstr(why, "no version entries"));
        m[5] = 17;
        assert_false(spdm_version_decode(m, sizeof(m), NULL, &v, &used, why));
        assert_non_null(strstr(why, "at most 16"));
        m[5] = 3;
        assert_false(spdm_version_decode(m, 6 + 5, NULL, &v, &used, why));
        assert_non_null(strstr(why, "truncated"));
        assert_true(spdm_version_decode(m, 6 + 6, NULL, &v, &used, why));
        assert_int_equal(used, 12);
}

static void spdm_decoders_reject_a_wrong_code_and_a_wrong_negotiated_version(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        struct spdm_capabilities caps;
        struct spdm_sizes sz = spdm_any_kat_sizes();
        size_t used = 7;
        char why[SPDM_WHY_LEN];
        (void)state;
        size_t n = msg(9, m);
        assert_false(spdm_get_capabilities_decode(m, n, &sz, &caps, &used, why)); /* a response as a request */
        assert_non_null(strstr(why, "code 0x61 (CAPABILITIES)"));
        assert_int_equal(used, 0);
        m[0] = 0x11;
        assert_false(spdm_capabilities_decode(m, n, &sz, &caps, &used, why));
        assert_non_null(strstr(why, "version byte 0x11 where 0x12"));
        m[0] = 0x12;
        sz.version = 0;
        assert_false(spdm_capabilities_decode(m, n, &sz, &caps, &used, why));
        assert_non_null(strstr(why, "before a version"));
        sz.version = SPDM_VERSION_13; /* the 1.3 layout (supported-algorithms block) is not implemented */
        m[0] = 0x13;
        assert_false(spdm_capabilities_decode(m, n, &sz, &caps, &used, why));
        assert_non_null(strstr(why, "only 0x10..0x12"));
}

static void spdm_capabilities_have_the_length_of_their_version(void **state)
{
        static const struct {
                uint8_t version;
                size_t req, rsp;
        } v[] = { { 0x10, 4, 12 }, { 0x11, 12, 12 }, { 0x12, 20, 20 } };
        struct spdm_capabilities c = { .ct_exponent = 20, .flags = SPDM_CAP_CERT | SPDM_CAP_MEAS_SIG,
                                       .data_transfer_size = 4096, .max_spdm_msg_size = 8192 },
                                 back;
        uint8_t out[32];
        size_t len, used;
        char why[SPDM_WHY_LEN];
        (void)state;
        for (size_t i = 0; i < 3; i++) {
                struct spdm_sizes sz = { .version = v[i].version };
                assert_true(spdm_get_capabilities_encode(out, sizeof(out), &c, &sz, &len));
                assert_int_equal(len, v[i].req);
                assert_true(spdm_get_capabilities_decode(out, len, &sz, &back, &used, why));
                assert_int_equal(used, v[i].req);
                assert_int_equal(back.flags, v[i].version == 0x10 ? 0 : c.flags);
                assert_true(spdm_capabilities_encode(out, sizeof(out), &c, &sz, &len));
                assert_int_equal(len, v[i].rsp);
                assert_true(spdm_capabilities_decode(out, len, &sz, &back, &used, why));
                assert_int_equal(back.flags, c.flags);
                assert_int_equal(back.ct_exponent, 20);
                assert_int_equal(back.data_transfer_size, v[i].version == 0x12 ? 4096u : 0u);
                assert_false(spdm_capabilities_decode(out, len - 1, &sz, &back, &used, why));
        }
}

static void spdm_capabilities_decode_rejects_reserved_fields_and_impossible_sizes(void **state)
{
        static const struct {
                uint32_t flags, dts, max;
                const char *why;
        } bad[] = {
                { SPDM_CAP_MEAS_MASK, 4096, 4096, "MEAS_CAP 11b" },
                { SPDM_CAP_PSK_MASK, 4096, 4096, "PSK_CAP 11b" },
                { SPDM_CAP_CERT, 41, 4096, "DataTransferSize 41 is below 42" },
                { SPDM_CAP_CERT, 4096, 4095, "MaxSPDMmsgSize 4095 is below" },
        };
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        uint8_t out[32];
        size_t len, used;
        char why[SPDM_WHY_LEN];
        struct spdm_capabilities back;
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct spdm_capabilities c = { .flags = bad[i].flags, .data_transfer_size = bad[i].dts,
                                               .max_spdm_msg_size = bad[i].max };
                assert_true(spdm_capabilities_encode(out, sizeof(out), &c, &sz, &len));
                assert_false(spdm_capabilities_decode(out, len, &sz, &back, &used, why));
                assert_non_null(strstr(why, bad[i].why));
        }
}

/* Patches the recorded ALGORITHMS (object 11) or NEGOTIATE_ALGORITHMS (10) and expects why. */
static void algs_patched_rejected(size_t obj, size_t off, uint8_t val, const char *want)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        struct spdm_algorithms a;
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        size_t used = 1;
        char why[SPDM_WHY_LEN] = "";
        size_t n = msg(obj, m);
        m[off] = val;
        bool ok = obj == 11 ? spdm_algorithms_decode(m, n, &sz, &a, &used, why)
                            : spdm_negotiate_algorithms_decode(m, n, &sz, &a, &used, why);
        if (ok || !strstr(why, want))
                fail_msg("object %zu byte %zu = 0x%02x: want \"%s\", got %s \"%s\"", obj, off, val, want,
                         ok ? "success" : "failure", why);
        assert_int_equal(used, 0);
        assert_true(spdm_kat_all_zero(&a, sizeof(a)));
}

static void spdm_algorithms_decode_rejects_each_malformed_field(void **state)
{
        (void)state;
        /* ALGORITHMS (52 bytes): AlgStructs at 36, 40, 44, 48 */
        algs_patched_rejected(11, 4, 53, "Length field 53");
        algs_patched_rejected(11, 2, 5, "5 AlgStructs");
        algs_patched_rejected(11, 2, 3, "Length field 52, but the fields make 48");
        algs_patched_rejected(11, 37, 0x30, "FixedAlgByteCount 3");
        algs_patched_rejected(11, 38, 0x12, "more than one bit");
        algs_patched_rejected(11, 40, 2, "repeated or out of order");
        algs_patched_rejected(11, 48, 6, "not one of 2..5");
        algs_patched_rejected(11, 12, 0x90, "more than one bit");
        algs_patched_rejected(11, 32, 2, "ExtAsymSelCount 2");
        algs_patched_rejected(11, 37, 0x22, "selects 2 extended");
        /* NEGOTIATE_ALGORITHMS (48 bytes) */
        algs_patched_rejected(10, 4, 47, "Length field 47");
        algs_patched_rejected(10, 4, 129, "at most 128");
        algs_patched_rejected(10, 28, 1, "truncated");
        algs_patched_rejected(10, 2, 7, "7 AlgStructs");
}

static void spdm_negotiate_algorithms_skips_and_keeps_extended_algorithms(void **state)
{
        static const uint8_t ext[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
        struct spdm_algorithms a = { .meas_spec = 1, .base_asym = 0x90, .base_hash = 3, .ext_asym_count = 2,
                                     .ext_hash_count = 1, .ext_asym = ext, .ext_hash = ext + 8, .alg_count = 2 },
                               back;
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        uint8_t out[128];
        size_t len, used;
        char why[SPDM_WHY_LEN];
        uint16_t bits;
        (void)state;
        a.alg[0] = (struct spdm_alg_struct){ .type = 2, .ext_count = 1, .supported = 0x18, .ext = ext + 12 };
        a.alg[1] = (struct spdm_alg_struct){ .type = 5, .supported = 1 };
        assert_true(spdm_negotiate_algorithms_encode(out, sizeof(out), &a, &sz, &len));
        assert_int_equal(len, 32 + 12 + (4 + 4) + 4); /* fixed, ExtAsym+ExtHash, DHE with one ExtAlg, KeySchedule */
        assert_int_equal(out[4], len); /* Length */
        assert_true(spdm_negotiate_algorithms_decode(out, len, &sz, &back, &used, why));
        assert_int_equal(used, len);
        assert_memory_equal(back.ext_asym, ext, 8);
        assert_memory_equal(back.ext_hash, ext + 8, 4);
        assert_memory_equal(back.alg[0].ext, ext + 12, 4);
        assert_true(spdm_algorithms_find(&back, SPDM_ALG_TYPE_KEY_SCHEDULE, &bits));
        assert_int_equal(bits, 1);
        assert_false(spdm_algorithms_find(&back, SPDM_ALG_TYPE_AEAD, &bits));
        /* ALGORITHMS refuses what a request may carry: two bits in DHE */
        assert_true(spdm_algorithms_encode(out, sizeof(out), &a, &sz, &len));
        assert_false(spdm_algorithms_decode(out, len, &sz, &back, &used, why));
}

static void spdm_error_decode_reads_the_extended_data_of_its_code(void **state)
{
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_error e;
        size_t used;
        char why[SPDM_WHY_LEN];
        uint8_t rnr[] = { 0x12, 0x7f, 0x42, 0x00, 20, 0xe0, 7, 2, 0, 0 }; /* + 2 pad */
        uint8_t large[] = { 0x12, 0x7f, 0x0f, 0x00, 9 };
        uint8_t plain[] = { 0x12, 0x7f, 0x07, 0xe9, 0, 0, 0, 0 };
        uint8_t vendor[4 + 33] = { 0x12, 0x7f, 0xff, 0x00, 2, 0x34, 0x12 };
        (void)state;
        assert_true(spdm_error_decode(rnr, sizeof(rnr), &sz, &e, &used, why));
        assert_int_equal(used, 8);
        assert_true(spdm_trailing_pad_ok(rnr, sizeof(rnr), used));
        assert_int_equal(e.code, SPDM_ERR_RESPONSE_NOT_READY);
        assert_int_equal(e.rdt_exponent, 20);
        assert_int_equal(e.request_code, SPDM_GET_MEASUREMENTS);
        assert_int_equal(e.token, 7);
        assert_int_equal(e.rdtm, 2);
        assert_false(spdm_error_decode(rnr, 7, &sz, &e, &used, why));
        assert_non_null(strstr(why, "ExtendedErrorData needs 4"));
        assert_true(spdm_error_decode(large, sizeof(large), &sz, &e, &used, why));
        assert_int_equal(e.handle, 9);
        assert_true(spdm_error_decode(plain, sizeof(plain), &sz, &e, &used, why));
        assert_int_equal(used, 4); /* UnsupportedRequest: no extended data; the rest is pad */
        assert_int_equal(e.data, SPDM_KEY_UPDATE);
        assert_string_equal(spdm_error_name(e.code), "UnsupportedRequest");
        assert_true(spdm_error_decode(vendor, 4 + 32, &sz, &e, &used, why));
        assert_int_equal(e.ext_len, 32);
        assert_false(spdm_error_decode(vendor, 4 + 33, &sz, &e, &used, why));
        assert_non_null(strstr(why, "extended data of 33 bytes"));
        assert_true(spdm_kat_all_zero(&e, sizeof(e)));
}

static void spdm_error_to_get_version_is_version_1_0_and_others_the_negotiated_one(void **state)
{
        struct spdm_sizes none = { 0 }, sz = spdm_any_kat_sizes();
        struct spdm_error e = { .code = SPDM_ERR_BUSY }, back;
        uint8_t out[40];
        size_t len, used;
        char why[SPDM_WHY_LEN];
        (void)state;
        assert_true(spdm_error_encode(out, sizeof(out), &e, &none, &len));
        assert_int_equal(out[0], 0x10);
        assert_true(spdm_error_decode(out, len, &none, &back, &used, why));
        assert_false(spdm_error_decode(out, len, &sz, &back, &used, why));
        assert_non_null(strstr(why, "version byte 0x10"));
        e.ext_len = 33;
        e.ext = out;
        assert_false(spdm_error_encode(out, sizeof(out), &e, &sz, &len));
}

static void spdm_respond_if_ready_carries_the_request_code_and_token(void **state)
{
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_respond_if_ready r = { SPDM_GET_MEASUREMENTS, 7 }, back;
        uint8_t out[8];
        size_t len, used;
        char why[SPDM_WHY_LEN];
        (void)state;
        assert_true(spdm_respond_if_ready_encode(out, sizeof(out), &r, &sz, &len));
        assert_int_equal(len, 4);
        assert_int_equal(out[1], 0xff);
        assert_true(spdm_respond_if_ready_decode(out, len, &sz, &back, &used, why));
        assert_int_equal(back.request_code, SPDM_GET_MEASUREMENTS);
        assert_int_equal(back.token, 7);
}

static void spdm_trailing_pad_ok_takes_up_to_three_zero_bytes_only(void **state)
{
        uint8_t b[12] = { 0 };
        (void)state;
        for (size_t pad = 0; pad <= 3; pad++)
                assert_true(spdm_trailing_pad_ok(b, 4 + pad, 4));
        assert_false(spdm_trailing_pad_ok(b, 8, 4));
        b[5] = 1;
        assert_false(spdm_trailing_pad_ok(b, 6, 4));
        assert_false(spdm_trailing_pad_ok(b, 4, 5)); /* used beyond the input */
}

static void spdm_header_decode_needs_four_bytes(void **state)
{
        static const uint8_t m[] = { 0x12, 0xe1, 0xaa, 0xbb };
        struct spdm_header h;
        (void)state;
        assert_false(spdm_header_decode(m, 3, &h));
        assert_true(spdm_header_decode(m, 4, &h));
        assert_int_equal(h.version, 0x12);
        assert_int_equal(h.code, SPDM_GET_CAPABILITIES);
        assert_int_equal(h.param1, 0xaa);
        assert_int_equal(h.param2, 0xbb);
}

static void spdm_names_cover_every_code_and_error_code_of_the_facts_table(void **state)
{
        /* DSP0274 1.2.1-1.4 codes (facts §1.1) and ErrorCodes (§1.2) */
        static const uint8_t codes[] = { 0x81, 0x01, 0x82, 0x02, 0x83, 0x03, 0x84, 0x04, 0xe0, 0x60, 0xe1, 0x61,
                                         0xe3, 0x63, 0xfe, 0x7e, 0xff, 0x7f, 0xe4, 0x64, 0xe5, 0x65, 0xe6, 0x66,
                                         0xe7, 0x67, 0xe8, 0x68, 0xe9, 0x69, 0xea, 0x6a, 0xeb, 0x6b, 0xec, 0x6c,
                                         0xed, 0x6d, 0xee, 0x6e, 0x85, 0x05, 0x86, 0x06, 0x87, 0x07, 0xef, 0x6f,
                                         0xe2, 0x62, 0xf0, 0x70, 0xf1, 0x71, 0xfc, 0x7c, 0xfd, 0x7d };
        static const uint8_t errors[] = { 0x01, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
                                          0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x41, 0x42, 0x43, 0x44, 0x45,
                                          0x46, 0x47, 0xff };
        (void)state;
        for (size_t i = 0; i < sizeof(codes); i++)
                if (!strcmp(spdm_code_name(codes[i]), "UNKNOWN"))
                        fail_msg("code 0x%02x has no name", codes[i]);
        for (size_t i = 0; i < sizeof(errors); i++)
                if (!strcmp(spdm_error_name(errors[i]), "Unknown"))
                        fail_msg("ErrorCode 0x%02x has no name", errors[i]);
        assert_string_equal(spdm_code_name(SPDM_GET_VERSION), "GET_VERSION");
        assert_string_equal(spdm_code_name(SPDM_ERROR), "ERROR");
        assert_string_equal(spdm_code_name(SPDM_KEY_EXCHANGE_RSP), "KEY_EXCHANGE_RSP");
        assert_string_equal(spdm_code_name(0x00), "UNKNOWN");
        assert_string_equal(spdm_error_name(SPDM_ERR_INVALID_REQUEST), "InvalidRequest");
        assert_string_equal(spdm_error_name(SPDM_ERR_RESPONSE_NOT_READY), "ResponseNotReady");
        assert_string_equal(spdm_error_name(0x02), "Unknown");
        assert_string_equal(spdm_dhe_name(SPDM_DHE_SECP384R1), "secp384r1");
        assert_string_equal(spdm_aead_name(SPDM_AEAD_CHACHA20_POLY1305), "ChaCha20-Poly1305");
}

static void spdm_size_helpers_give_the_facts_sizes_and_zero_for_two_bits(void **state)
{
        (void)state;
        assert_int_equal(spdm_hash_size(SPDM_HASH_SHA_256), 32);
        assert_int_equal(spdm_hash_size(SPDM_HASH_SHA_384), 48);
        assert_int_equal(spdm_hash_size(SPDM_HASH_SHA_256 | SPDM_HASH_SHA_384), 0);
        assert_int_equal(spdm_sig_size(SPDM_ASYM_ECDSA_P256), 64);
        assert_int_equal(spdm_sig_size(SPDM_ASYM_ECDSA_P384), 96);
        assert_int_equal(spdm_sig_size(SPDM_ASYM_RSAPSS_3072), 384);
        assert_int_equal(spdm_dhe_size(SPDM_DHE_SECP256R1), 64);
        assert_int_equal(spdm_dhe_size(SPDM_DHE_SECP384R1), 96);
        assert_int_equal(spdm_meas_hash_size(SPDM_MEAS_HASH_RAW), 0);
        assert_int_equal(spdm_meas_hash_size(SPDM_MEAS_HASH_SHA_384), 48);
        assert_int_equal(spdm_aead_key_size(SPDM_AEAD_AES_256_GCM), 32);
        assert_int_equal(spdm_aead_key_size(SPDM_AEAD_AES_128_GCM), 16);
}

/* ---- round-trip properties ---- */

static uint32_t one_bit_or_zero(struct prng *p, unsigned bits)
{
        uint64_t b = prng_below(p, bits + 1);
        return b == bits ? 0 : (uint32_t)1 << b;
}

static void spdm_capabilities_round_trip_over_random_structs(void **state)
{
        struct prng p;
        (void)state;
        prng_seed(&p, SEED);
        printf("seed 0x%016" PRIx64 "\n", (uint64_t)SEED);
        for (int i = 0; i < 2000; i++) {
                struct spdm_sizes sz = { .version = (uint8_t)(0x10 + prng_below(&p, 3)) };
                struct spdm_capabilities c = { 0 }, back;
                c.ct_exponent = (uint8_t)prng_next(&p);
                c.flags = (uint32_t)prng_next(&p) & ~(1u << 4) & ~(1u << 11); /* no 11b fields */
                if (sz.version == 0x12) {
                        c.data_transfer_size = 42 + (uint32_t)prng_below(&p, 100000);
                        c.max_spdm_msg_size = c.data_transfer_size + (uint32_t)prng_below(&p, 100000);
                }
                uint8_t out[32], again[32];
                size_t len, len2, used;
                char why[SPDM_WHY_LEN];
                bool req = prng_below(&p, 2);
                if (req) {
                        assert_true(spdm_get_capabilities_encode(out, sizeof(out), &c, &sz, &len));
                        assert_true(spdm_get_capabilities_decode(out, len, &sz, &back, &used, why));
                        if (sz.version == 0x10)
                                c = (struct spdm_capabilities){ 0 };
                } else {
                        assert_true(spdm_capabilities_encode(out, sizeof(out), &c, &sz, &len));
                        assert_true(spdm_capabilities_decode(out, len, &sz, &back, &used, why));
                }
                assert_int_equal(used, len);
                assert_memory_equal(&back, &c, sizeof(c));
                assert_true(req ? spdm_get_capabilities_encode(again, sizeof(again), &back, &sz, &len2)
                                : spdm_capabilities_encode(again, sizeof(again), &back, &sz, &len2));
                assert_memory_equal(again, out, len);
        }
}

static void spdm_algorithms_round_trip_over_random_structs(void **state)
{
        struct prng p;
        uint8_t pool[256];
        (void)state;
        prng_seed(&p, SEED + 1);
        printf("seed 0x%016" PRIx64 "\n", (uint64_t)SEED + 1);
        prng_fill(&p, pool, sizeof(pool));
        for (int i = 0; i < 2000; i++) {
                const struct spdm_sizes sz = spdm_any_kat_sizes();
                bool rsp = prng_below(&p, 2);
                struct spdm_algorithms a = { 0 }, back;
                a.meas_spec = (uint8_t)prng_next(&p);
                a.other_params = (uint8_t)prng_next(&p);
                a.meas_hash = rsp ? one_bit_or_zero(&p, 8) : 0;
                a.base_asym = rsp ? one_bit_or_zero(&p, 12) : (uint32_t)prng_next(&p);
                a.base_hash = rsp ? one_bit_or_zero(&p, 7) : (uint32_t)prng_next(&p);
                a.ext_asym_count = (uint8_t)prng_below(&p, rsp ? 2 : 3);
                a.ext_hash_count = (uint8_t)prng_below(&p, rsp ? 2 : 3);
                a.ext_asym = a.ext_asym_count ? pool + prng_below(&p, 128) : NULL;
                a.ext_hash = a.ext_hash_count ? pool + prng_below(&p, 128) : NULL;
                for (uint8_t t = 2; t <= 5; t++) {
                        if (!prng_below(&p, 2))
                                continue;
                        struct spdm_alg_struct *s = &a.alg[a.alg_count++];
                        s->type = t;
                        s->ext_count = (uint8_t)prng_below(&p, rsp ? 2 : 3);
                        s->supported = rsp ? (uint16_t)one_bit_or_zero(&p, 16) : (uint16_t)prng_next(&p);
                        s->ext = s->ext_count ? pool + prng_below(&p, 128) : NULL;
                }
                uint8_t out[256], again[256];
                size_t len, len2, used;
                char why[SPDM_WHY_LEN];
                assert_true(rsp ? spdm_algorithms_encode(out, sizeof(out), &a, &sz, &len)
                                : spdm_negotiate_algorithms_encode(out, sizeof(out), &a, &sz, &len));
                bool ok = rsp ? spdm_algorithms_decode(out, len, &sz, &back, &used, why)
                              : spdm_negotiate_algorithms_decode(out, len, &sz, &back, &used, why);
                if (!ok)
                        fail_msg("iteration %d: %s", i, why);
                assert_int_equal(used, len);
                assert_int_equal(back.base_asym, a.base_asym);
                assert_int_equal(back.base_hash, a.base_hash);
                assert_int_equal(back.meas_hash, a.meas_hash);
                assert_int_equal(back.alg_count, a.alg_count);
                for (unsigned k = 0; k < a.alg_count; k++) {
                        assert_int_equal(back.alg[k].type, a.alg[k].type);
                        assert_int_equal(back.alg[k].supported, a.alg[k].supported);
                        assert_int_equal(back.alg[k].ext_count, a.alg[k].ext_count);
                        if (a.alg[k].ext_count)
                                assert_memory_equal(back.alg[k].ext, a.alg[k].ext, 4u * a.alg[k].ext_count);
                }
                if (a.ext_asym_count)
                        assert_memory_equal(back.ext_asym, a.ext_asym, 4u * a.ext_asym_count);
                assert_true(rsp ? spdm_algorithms_encode(again, sizeof(again), &back, &sz, &len2)
                                : spdm_negotiate_algorithms_encode(again, sizeof(again), &back, &sz, &len2));
                assert_int_equal(len2, len);
                assert_memory_equal(again, out, len);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(spdm_vca_messages_of_the_recording_decode_exactly_and_reencode_identically),
                cmocka_unit_test(spdm_version_decode_gives_the_recorded_single_entry_1_2),
                cmocka_unit_test(spdm_capabilities_decode_gives_the_recorded_flags_and_sizes),
                cmocka_unit_test(spdm_algorithms_decode_gives_the_recorded_selection_and_sizes),
                cmocka_unit_test(spdm_version_decode_rejects_a_version_byte_other_than_1_0),
                cmocka_unit_test(spdm_version_decode_rejects_zero_too_many_and_missing_entries),
                cmocka_unit_test(spdm_decoders_reject_a_wrong_code_and_a_wrong_negotiated_version),
                cmocka_unit_test(spdm_capabilities_have_the_length_of_their_version),
                cmocka_unit_test(spdm_capabilities_decode_rejects_reserved_fields_and_impossible_sizes),
                cmocka_unit_test(spdm_algorithms_decode_rejects_each_malformed_field),
                cmocka_unit_test(spdm_negotiate_algorithms_skips_and_keeps_extended_algorithms),
                cmocka_unit_test(spdm_error_decode_reads_the_extended_data_of_its_code),
                cmocka_unit_test(spdm_error_to_get_version_is_version_1_0_and_others_the_negotiated_one),
                cmocka_unit_test(spdm_respond_if_ready_carries_the_request_code_and_token),
                cmocka_unit_test(spdm_trailing_pad_ok_takes_up_to_three_zero_bytes_only),
                cmocka_unit_test(spdm_header_decode_needs_four_bytes),
                cmocka_unit_test(spdm_names_cover_every_code_and_error_code_of_the_facts_table),
                cmocka_unit_test(spdm_size_helpers_give_the_facts_sizes_and_zero_for_two_bits),
                cmocka_unit_test(spdm_capabilities_round_trip_over_random_structs),
                cmocka_unit_test(spdm_algorithms_round_trip_over_random_structs),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
