/* src/proto/spdm_session_msg.c: KEY_EXCHANGE, FINISH, END_SESSION, HEARTBEAT, KEY_UPDATE,
 * VENDOR_DEFINED and the secured-message version opaque data (DSP0274 1.2.1 §10.13-§10.20,
 * DSP0277 1.0 §8). Known answers: the recorded DMTF spdm-emu session (doe_objects.json with
 * the decrypted messages of its secured records, kat.json sessions[]). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/prng.h"
#include "proto/spdm.h"
#include "spdm_kat.h"

#define SEED 0x5350444d31320020ull

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

static size_t msg(size_t idx, uint8_t *out)
{
        size_t n = spdm_kat_msg(&kat, idx, out, SPDM_KAT_MSG_MAX);
        assert_true(n >= 4);
        return n;
}

static size_t kat_int(const char *path)
{
        json_t *j = spdm_kat_get(kat.kat, path);
        assert_non_null(j);
        if (json_is_integer(j))
                return (size_t)json_integer_value(j);
        assert_true(json_is_string(j));
        return (size_t)strtoul(json_string_value(j), NULL, 0);
}

/* ---- known answers ---- */

static void spdm_session_messages_of_the_recording_decode_exactly_and_reencode_identically(void **state)
{
        static const uint8_t codes[] = { SPDM_KEY_EXCHANGE, SPDM_KEY_EXCHANGE_RSP, SPDM_FINISH,
                                         SPDM_FINISH_RSP,   SPDM_END_SESSION,      SPDM_END_SESSION_ACK,
                                         SPDM_HEARTBEAT,    SPDM_HEARTBEAT_ACK,    SPDM_KEY_UPDATE,
                                         SPDM_KEY_UPDATE_ACK, SPDM_VENDOR_DEFINED_REQUEST,
                                         SPDM_VENDOR_DEFINED_RESPONSE };
        (void)state;
        /* 2 KEY_EXCHANGE + 2 FINISH pairs, 3 END_SESSION pairs, 94 VENDOR_DEFINED pairs (secured) */
        assert_int_equal(spdm_kat_walk(&kat, codes, sizeof(codes)), 8 + 6 + 188);
}

static void spdm_key_exchange_pairs_decode_to_the_recorded_session_values(void **state)
{
        static const struct {
                const char *s;
                size_t kex, slot;
        } s[] = { { "sessions.0", 28, 0 }, { "sessions.2", 148, 1 } };
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        (void)state;
        for (size_t i = 0; i < 2; i++) {
                uint8_t m[SPDM_KAT_MSG_MAX], want[256];
                struct spdm_key_exchange k;
                struct spdm_key_exchange_rsp r;
                struct spdm_opaque_sm sm;
                size_t used;
                char why[SPDM_WHY_LEN], path[128];
                size_t n = msg(s[i].kex, m);
                assert_true(spdm_key_exchange_decode(m, n, &sz, &k, &used, why));
                size_t kex_len = used;
                assert_int_equal(k.slot_id, s[i].slot);
                assert_int_equal(k.summary_type, SPDM_SUMMARY_HASH_ALL);
                snprintf(path, sizeof(path), "%s.req_session_id", s[i].s);
                assert_int_equal(k.req_session_id, kat_int(path));
                snprintf(path, sizeof(path), "%s.requester_exchange_data", s[i].s);
                assert_int_equal(spdm_kat_hex(kat.kat, path, want, sizeof(want)), 96);
                assert_memory_equal(k.exchange, want, 96);
                snprintf(path, sizeof(path), "%s.opaque_data_request", s[i].s);
                size_t olen = spdm_kat_hex(kat.kat, path, want, sizeof(want));
                assert_int_equal(k.opaque_len, olen);
                assert_memory_equal(k.opaque, want, olen);
                assert_true(spdm_opaque_sm_decode(k.opaque, k.opaque_len, SPDM_OPAQUE_FMT_1, &sm, why));
                assert_false(sm.is_selection);
                assert_int_equal(sm.version_count, 3); /* the requester offered 1.0, 1.1 and 1.2 */
                assert_int_equal(sm.versions[0], SPDM_SM_VERSION_10);
                assert_int_equal(sm.versions[1], SPDM_SM_VERSION_11);
                assert_int_equal(sm.versions[2], SPDM_SM_VERSION_12);

                n = msg(s[i].kex + 1, m);
                assert_true(spdm_key_exchange_rsp_decode(m, n, &sz, k.summary_type, &r, &used, why));
                snprintf(path, sizeof(path), "%s.rsp_session_id", s[i].s);
                assert_int_equal(r.rsp_session_id, kat_int(path));
                snprintf(path, sizeof(path), "%s.mut_auth_requested", s[i].s);
                assert_int_equal(r.mut_auth_requested, kat_int(path));
                snprintf(path, sizeof(path), "%s.responder_exchange_data", s[i].s);
                spdm_kat_hex(kat.kat, path, want, sizeof(want));
                assert_memory_equal(r.exchange, want, 96);
                snprintf(path, sizeof(path), "%s.measurement_summary_hash", s[i].s);
                spdm_kat_hex(kat.kat, path, want, sizeof(want));
                assert_memory_equal(r.meas_summary_hash, want, 48);
                snprintf(path, sizeof(path), "%s.opaque_data_response", s[i].s);
                olen = spdm_kat_hex(kat.kat, path, want, sizeof(want));
                assert_int_equal(r.opaque_len, olen);
                assert_memory_equal(r.opaque, want, olen);
                assert_true(spdm_opaque_sm_decode(r.opaque, r.opaque_len, SPDM_OPAQUE_FMT_1, &sm, why));
                assert_true(sm.is_selection);
                assert_int_equal(sm.selected, SPDM_SM_VERSION_12); /* secured_message_version_selected 1.2 */
                /* signature transcript = A (152) || Hash(Ct) (48) || KEY_EXCHANGE || KEY_EXCHANGE_RSP[0, sig_off) */
                snprintf(path, sizeof(path), "%s.key_exchange_rsp_signature.transcript_length", s[i].s);
                assert_int_equal(r.sig_off, kat_int(path) - 152 - 48 - kex_len);
                /* TH1 takes the whole response: no ResponderVerifyData in the clear */
                snprintf(path, sizeof(path), "%s.th1.length", s[i].s);
                assert_int_equal(r.verify_off, kat_int(path) - 152 - 48 - kex_len);
                assert_int_equal(r.verify_off, used);
                assert_null(r.verify_data);
                snprintf(path, sizeof(path), "%s.key_exchange_rsp_signature.signature_r", s[i].s);
                spdm_kat_hex(kat.kat, path, want, sizeof(want));
                snprintf(path, sizeof(path), "%s.key_exchange_rsp_signature.signature_s", s[i].s);
                spdm_kat_hex(kat.kat, path, want + 48, 48);
                assert_memory_equal(r.signature, want, 96);
        }
}

static void spdm_finish_pairs_carry_the_recorded_verify_data(void **state)
{
        static const char *s[] = { "sessions.0", "sessions.2" };
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        (void)state;
        for (size_t i = 0; i < 2; i++) {
                uint8_t m[SPDM_KAT_MSG_MAX], want[64];
                char path[128], why[SPDM_WHY_LEN];
                struct spdm_finish f;
                struct spdm_finish_rsp fr;
                size_t used;
                snprintf(path, sizeof(path), "%s.finish.object", s[i]);
                size_t n = msg(kat_int(path), m);
                assert_true(spdm_finish_decode(m, n, &sz, &f, &used, why));
                assert_false(f.sig_included); /* no mutual authentication */
                assert_null(f.signature);
                assert_int_equal(f.verify_off, 4);
                snprintf(path, sizeof(path), "%s.finish.requester_verify_data", s[i]);
                spdm_kat_hex(kat.kat, path, want, sizeof(want));
                assert_memory_equal(f.verify_data, want, 48);
                snprintf(path, sizeof(path), "%s.finish_rsp.object", s[i]);
                n = msg(kat_int(path), m);
                assert_true(spdm_finish_rsp_decode(m, n, &sz, &fr, &used, why));
                snprintf(path, sizeof(path), "%s.finish_rsp.responder_verify_data", s[i]);
                spdm_kat_hex(kat.kat, path, want, sizeof(want));
                assert_memory_equal(fr.verify_data, want, 48);
        }
}

static void spdm_verify_data_presence_follows_handshake_in_the_clear(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_key_exchange_rsp r;
        struct spdm_finish_rsp fr;
        size_t used;
        char why[SPDM_WHY_LEN];
        (void)state;
        sz.handshake_in_the_clear = false;
        size_t n = msg(29, m);
        assert_false(spdm_key_exchange_rsp_decode(m, n + 2, &sz, 0xff, &r, &used, why)); /* with its DOE pad */
        assert_non_null(strstr(why, "ResponderVerifyData"));
        n = msg(31, m);
        assert_true(spdm_finish_rsp_decode(m, n, &sz, &fr, &used, why));
        assert_int_equal(used, 4);
        assert_null(fr.verify_data);
        assert_false(spdm_trailing_pad_ok(m, n, used));
}

static void spdm_vendor_defined_messages_give_their_recorded_ids_and_pci_protocol(void **state)
{
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        unsigned pcie = 0, cxl = 0;
        (void)state;
        for (size_t idx = 0; idx < json_array_size(kat.objects); idx++) {
                json_t *vd = json_object_get(json_array_get(kat.objects, idx), "vendor_defined");
                if (!vd)
                        continue;
                uint8_t m[SPDM_KAT_MSG_MAX], proto;
                struct spdm_vendor_defined v;
                size_t used, n = msg(idx, m);
                char why[SPDM_WHY_LEN];
                assert_true(m[1] == SPDM_VENDOR_DEFINED_REQUEST
                                    ? spdm_vendor_defined_request_decode(m, n, &sz, &v, &used, why)
                                    : spdm_vendor_defined_response_decode(m, n, &sz, &v, &used, why));
                assert_int_equal(v.standard_id, json_integer_value(json_object_get(vd, "standard_id")));
                assert_int_equal(v.vendor_id_len, 2);
                assert_int_equal(ld_le16(v.vendor_id),
                                 strtoul(json_string_value(json_object_get(vd, "vendor_id")), NULL, 0));
                assert_int_equal(v.payload_len, json_integer_value(json_object_get(vd, "payload_length")));
                const char *p = json_string_value(json_object_get(vd, "protocol"));
                bool pci = spdm_vdm_pcisig_protocol(&v, &proto);
                if (!strcmp(p, "PCIe IDE_KM")) {
                        assert_true(pci);
                        assert_int_equal(proto, SPDM_PCI_PROTOCOL_IDE_KM);
                        pcie++;
                } else if (!strcmp(p, "PCIe TDISP")) {
                        assert_true(pci);
                        assert_int_equal(proto, SPDM_PCI_PROTOCOL_TDISP);
                        pcie++;
                } else {
                        assert_false(pci); /* CXL: StandardID 3 but VendorID 0x1E98 */
                        cxl++;
                }
        }
        assert_true(pcie > 0 && cxl > 0);
        assert_int_equal(pcie + cxl, 188);
}

/* ---- error paths ---- */

static void spdm_key_exchange_decode_rejects_bad_slot_type_and_opaque_length(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_key_exchange k;
        size_t used;
        char why[SPDM_WHY_LEN];
        (void)state;
        size_t n = msg(28, m);
        m[3] = 8;
        assert_false(spdm_key_exchange_decode(m, n, &sz, &k, &used, why));
        assert_non_null(strstr(why, "SlotID 8"));
        m[3] = 0xff;
        assert_true(spdm_key_exchange_decode(m, n, &sz, &k, &used, why));
        m[2] = 0x02;
        assert_false(spdm_key_exchange_decode(m, n, &sz, &k, &used, why));
        assert_non_null(strstr(why, "MeasurementSummaryHashType 0x02"));
        n = msg(28, m);
        st_le16(m + 40 + 96, 1025);
        assert_false(spdm_key_exchange_decode(m, n, &sz, &k, &used, why));
        assert_non_null(strstr(why, "OpaqueDataLength 1025"));
        st_le16(m + 40 + 96, 21);
        assert_false(spdm_key_exchange_decode(m, n, &sz, &k, &used, why));
        assert_non_null(strstr(why, "truncated: OpaqueData"));
        assert_true(spdm_kat_all_zero(&k, sizeof(k)));
}

static void spdm_session_decoders_reject_version_1_0_and_missing_sizes(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_end_session e;
        struct spdm_key_exchange k;
        struct spdm_finish f;
        size_t used;
        char why[SPDM_WHY_LEN];
        (void)state;
        size_t n = msg(146, m);
        sz.version = 0x10;
        m[0] = 0x10;
        assert_false(spdm_end_session_decode(m, n, &sz, &e, &used, why)); /* END_SESSION exists since 1.1 */
        assert_non_null(strstr(why, "only 0x11..0x12"));
        sz = spdm_any_kat_sizes();
        sz.dhe_len = 0;
        n = msg(28, m);
        assert_false(spdm_key_exchange_decode(m, n, &sz, &k, &used, why));
        assert_non_null(strstr(why, "no negotiated DHE size"));
        sz = spdm_any_kat_sizes();
        sz.req_sig_len = 0;
        n = msg(30, m);
        m[2] = SPDM_FINISH_SIG_INCLUDED;
        assert_false(spdm_finish_decode(m, n, &sz, &f, &used, why));
        assert_non_null(strstr(why, "no requester signature size"));
}

static void spdm_key_update_rejects_operations_outside_1_to_3(void **state)
{
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_key_update k;
        uint8_t m[4] = { 0x12, SPDM_KEY_UPDATE, 0, 9 };
        size_t used, len;
        char why[SPDM_WHY_LEN];
        (void)state;
        assert_false(spdm_key_update_decode(m, 4, &sz, &k, &used, why));
        assert_non_null(strstr(why, "KeyOperation 0"));
        assert_int_equal(used, 0);
        m[2] = 4;
        assert_false(spdm_key_update_decode(m, 4, &sz, &k, &used, why));
        for (uint8_t op = 1; op <= 3; op++) {
                m[2] = op;
                assert_true(spdm_key_update_decode(m, 4, &sz, &k, &used, why));
                assert_int_equal(k.operation, op);
                assert_int_equal(k.tag, 9);
                m[1] = SPDM_KEY_UPDATE_ACK;
                assert_true(spdm_key_update_ack_decode(m, 4, &sz, &k, &used, why));
                m[1] = SPDM_KEY_UPDATE;
        }
        k.operation = 0;
        assert_false(spdm_key_update_encode(m, 4, &k, &sz, &len));
}

static void spdm_vendor_defined_decode_rejects_ids_and_payloads_beyond_the_input(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_vendor_defined v;
        size_t used;
        char why[SPDM_WHY_LEN];
        (void)state;
        size_t n = msg(32, m); /* IDE_KM QUERY: 15 bytes */
        m[6] = 12;
        assert_false(spdm_vendor_defined_request_decode(m, n, &sz, &v, &used, why));
        assert_non_null(strstr(why, "VendorID"));
        n = msg(32, m);
        m[9] = 5;
        assert_false(spdm_vendor_defined_request_decode(m, n, &sz, &v, &used, why));
        assert_non_null(strstr(why, "payload needs 5 bytes, 4 left"));
        assert_false(spdm_vendor_defined_response_decode(m, n, &sz, &v, &used, why)); /* a request */
}

static void spdm_opaque_sm_decode_rejects_malformed_element_tables(void **state)
{
        static const struct {
                uint8_t fmt;
                uint8_t b[40];
                size_t len;
                const char *why;
        } bad[] = {
                { 2, { 2, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0x12, 0, 0, 4, 0, 1, 0, 0, 0x12 }, 20, "two secured" },
                { 2, { 1, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0x12, 0 }, 13, "1 bytes after 1 opaque" },
                { 2, { 1, 0, 0, 0, 0, 0, 4, 0, 2, 0, 0, 0x12 }, 12, "SMDataVersion 2" },
                { 2, { 1, 0, 0, 0, 0, 0, 5, 0, 1, 0, 0, 0x12, 0, 0, 0, 0 }, 16, "VersionSelection element of 5" },
                { 2, { 1, 0, 0, 0, 0, 0, 5, 0, 1, 1, 2, 0, 0x11, 0, 0, 0 }, 16, "2 versions in 5 bytes" },
                { 2, { 1, 0, 0, 0, 0, 0, 3, 0, 1, 1, 0, 0 }, 12, "with 0 versions" },
                { 2, { 1, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0 }, 11, "truncated" },
                { 2, { 0, 0, 0, 0 }, 4, "no secured-message version element" },
                { 1, { 1, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0x12 }, 12, "SpecID" },
                { 3, { 1, 0, 0, 0 }, 4, "neither Fmt0 nor Fmt1" },
        };
        struct spdm_opaque_sm sm;
        char why[SPDM_WHY_LEN];
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                why[0] = '\0';
                bool ok = spdm_opaque_sm_decode(bad[i].b, bad[i].len, bad[i].fmt, &sm, why);
                if (ok || !strstr(why, bad[i].why))
                        fail_msg("case %zu: want \"%s\", got %s \"%s\"", i, bad[i].why, ok ? "success" : "failure", why);
                assert_true(spdm_kat_all_zero(&sm, sizeof(sm)));
        }
}

static void spdm_opaque_sm_decode_skips_other_registries_and_reads_fmt0(void **state)
{
        /* an element with a 2-byte vendor ID (ID 3, PCI-SIG) and 1 data byte, then the selection */
        static const uint8_t fmt1[] = { 2, 0, 0, 0, 3, 2, 0x01, 0x00, 1, 0, 0xee, 0, 0, 0, 4, 0, 1, 0, 0, 0x11 };
        struct spdm_opaque_sm sm = { .version_count = 2, .versions = { 0x1100, 0x1200 } }, back;
        uint8_t out[64];
        size_t len;
        char why[SPDM_WHY_LEN];
        (void)state;
        assert_true(spdm_opaque_sm_decode(fmt1, sizeof(fmt1), SPDM_OPAQUE_FMT_1, &back, why));
        assert_true(back.is_selection);
        assert_int_equal(back.selected, SPDM_SM_VERSION_11);
        assert_true(spdm_opaque_sm_encode(out, sizeof(out), SPDM_OPAQUE_FMT_0, &sm, &len));
        assert_int_equal(len, 8 + 4 + 7 + 1);
        assert_memory_equal(out, "FTMD", 4); /* SpecID 0x444D5446 little-endian */
        assert_true(spdm_opaque_sm_decode(out, len, SPDM_OPAQUE_FMT_0, &back, why));
        assert_false(back.is_selection);
        assert_int_equal(back.version_count, 2);
        assert_int_equal(back.versions[1], 0x1200);
        assert_false(spdm_opaque_sm_decode(out, len, SPDM_OPAQUE_FMT_1, &back, why));
}

static void spdm_opaque_sm_encode_reproduces_the_recorded_opaque_data(void **state)
{
        struct spdm_opaque_sm req = { .version_count = 3, .versions = { 0x1000, 0x1100, 0x1200 } };
        struct spdm_opaque_sm rsp = { .is_selection = true, .selected = 0x1200 };
        uint8_t out[64], want[64];
        size_t len;
        (void)state;
        assert_true(spdm_opaque_sm_encode(out, sizeof(out), SPDM_OPAQUE_FMT_1, &req, &len));
        size_t wl = spdm_kat_hex(kat.kat, "sessions.0.opaque_data_request", want, sizeof(want));
        assert_int_equal(len, wl);
        assert_memory_equal(out, want, wl);
        assert_true(spdm_opaque_sm_encode(out, sizeof(out), SPDM_OPAQUE_FMT_1, &rsp, &len));
        wl = spdm_kat_hex(kat.kat, "sessions.0.opaque_data_response", want, sizeof(want));
        assert_int_equal(len, wl);
        assert_memory_equal(out, want, wl);
        assert_false(spdm_opaque_sm_encode(out, wl - 1, SPDM_OPAQUE_FMT_1, &rsp, &len));
}

/* ---- round-trip properties ---- */

static void spdm_session_messages_round_trip_over_random_structs(void **state)
{
        struct prng p;
        static uint8_t pool[8192], out[8192], again[8192];
        (void)state;
        prng_seed(&p, SEED);
        printf("seed 0x%016" PRIx64 "\n", (uint64_t)SEED);
        prng_fill(&p, pool, sizeof(pool));
#define PTR() (pool + prng_below(&p, 4096))
        for (int i = 0; i < 2000; i++) {
                struct spdm_sizes sz = spdm_any_kat_sizes();
                union spdm_any u, back;
                struct spdm_any_ctx c = { 0 };
                uint8_t code;
                memset(&u, 0, sizeof(u));
                sz.handshake_in_the_clear = prng_below(&p, 2);
                switch (prng_below(&p, 6)) {
                case 0:
                        code = SPDM_KEY_EXCHANGE;
                        u.kex.summary_type = prng_below(&p, 2) ? SPDM_SUMMARY_HASH_TCB : SPDM_SUMMARY_HASH_NONE;
                        u.kex.slot_id = (uint8_t)prng_below(&p, 8);
                        u.kex.req_session_id = (uint16_t)prng_next(&p);
                        u.kex.session_policy = (uint8_t)prng_next(&p);
                        u.kex.random = PTR();
                        u.kex.exchange = PTR();
                        u.kex.opaque_len = (uint16_t)prng_below(&p, SPDM_OPAQUE_MAX + 1);
                        u.kex.opaque = u.kex.opaque_len ? PTR() : NULL;
                        break;
                case 1:
                        code = SPDM_KEY_EXCHANGE_RSP;
                        c.summary_type = prng_below(&p, 2) ? SPDM_SUMMARY_HASH_ALL : SPDM_SUMMARY_HASH_NONE;
                        u.kex_rsp.heartbeat_period = (uint8_t)prng_next(&p);
                        u.kex_rsp.rsp_session_id = (uint16_t)prng_next(&p);
                        u.kex_rsp.mut_auth_requested = (uint8_t)prng_next(&p);
                        u.kex_rsp.req_slot_id_param = (uint8_t)prng_next(&p);
                        u.kex_rsp.random = PTR();
                        u.kex_rsp.exchange = PTR();
                        u.kex_rsp.meas_summary_hash = c.summary_type ? PTR() : NULL;
                        u.kex_rsp.opaque_len = (uint16_t)prng_below(&p, 40);
                        u.kex_rsp.opaque = u.kex_rsp.opaque_len ? PTR() : NULL;
                        u.kex_rsp.signature = PTR();
                        u.kex_rsp.verify_data = sz.handshake_in_the_clear ? NULL : PTR();
                        break;
                case 2:
                        code = SPDM_FINISH;
                        u.finish.sig_included = prng_below(&p, 2);
                        u.finish.req_slot_id = (uint8_t)prng_next(&p);
                        u.finish.signature = u.finish.sig_included ? PTR() : NULL;
                        u.finish.verify_data = PTR();
                        break;
                case 3:
                        code = SPDM_FINISH_RSP;
                        u.finish_rsp.verify_data = sz.handshake_in_the_clear ? PTR() : NULL;
                        break;
                case 4:
                        code = prng_below(&p, 2) ? SPDM_VENDOR_DEFINED_REQUEST : SPDM_VENDOR_DEFINED_RESPONSE;
                        u.vdm.standard_id = (uint16_t)prng_next(&p);
                        u.vdm.vendor_id_len = (uint8_t)prng_below(&p, 8);
                        u.vdm.vendor_id = u.vdm.vendor_id_len ? PTR() : NULL;
                        u.vdm.payload_len = (uint16_t)prng_below(&p, 3000);
                        u.vdm.payload = u.vdm.payload_len ? PTR() : NULL;
                        break;
                default:
                        code = prng_below(&p, 2) ? SPDM_KEY_UPDATE : SPDM_KEY_UPDATE_ACK;
                        u.ku.operation = (uint8_t)(1 + prng_below(&p, 3));
                        u.ku.tag = (uint8_t)prng_next(&p);
                        break;
                }
                size_t len, len2, used;
                char why[SPDM_WHY_LEN];
                assert_true(spdm_any_encode(code, out, sizeof(out), &u, &sz, &len));
                if (!spdm_any_decode(code, out, len, &sz, &c, &back, &used, why))
                        fail_msg("iteration %d (%s): %s", i, spdm_code_name(code), why);
                assert_int_equal(used, len);
                assert_true(spdm_any_encode(code, again, sizeof(again), &back, &sz, &len2));
                assert_int_equal(len2, len);
                assert_memory_equal(again, out, len);
        }
#undef PTR
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(spdm_session_messages_of_the_recording_decode_exactly_and_reencode_identically),
                cmocka_unit_test(spdm_key_exchange_pairs_decode_to_the_recorded_session_values),
                cmocka_unit_test(spdm_finish_pairs_carry_the_recorded_verify_data),
                cmocka_unit_test(spdm_verify_data_presence_follows_handshake_in_the_clear),
                cmocka_unit_test(spdm_vendor_defined_messages_give_their_recorded_ids_and_pci_protocol),
                cmocka_unit_test(spdm_key_exchange_decode_rejects_bad_slot_type_and_opaque_length),
                cmocka_unit_test(spdm_session_decoders_reject_version_1_0_and_missing_sizes),
                cmocka_unit_test(spdm_key_update_rejects_operations_outside_1_to_3),
                cmocka_unit_test(spdm_vendor_defined_decode_rejects_ids_and_payloads_beyond_the_input),
                cmocka_unit_test(spdm_opaque_sm_decode_rejects_malformed_element_tables),
                cmocka_unit_test(spdm_opaque_sm_decode_skips_other_registries_and_reads_fmt0),
                cmocka_unit_test(spdm_opaque_sm_encode_reproduces_the_recorded_opaque_data),
                cmocka_unit_test(spdm_session_messages_round_trip_over_random_structs),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
