/* src/proto/spdm_auth.c: DIGESTS, CERTIFICATE and the certificate chain, CHALLENGE, and
 * MEASUREMENTS with its blocks (DSP0274 1.2.1 §10.6, §10.7, §10.9, §10.11). Known answers: the
 * recorded DMTF spdm-emu session (doe_objects.json, kat.json) and the libspdm sample
 * certificates it used (certs/). */
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

#define SEED 0x5350444d31320010ull

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

static size_t read_cert(const char *name, uint8_t *out, size_t cap)
{
        char path[512];
        snprintf(path, sizeof(path), "%s/certs/%s", SPDM_KAT_DIR, name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t n = fread(out, 1, cap, f);
        fclose(f);
        assert_true(n > 0 && n < cap);
        return n;
}

/* ---- known answers ---- */

static void spdm_auth_messages_of_the_recording_decode_exactly_and_reencode_identically(void **state)
{
        static const uint8_t codes[] = { SPDM_GET_DIGESTS,     SPDM_DIGESTS,    SPDM_GET_CERTIFICATE,
                                         SPDM_CERTIFICATE,     SPDM_CHALLENGE,  SPDM_CHALLENGE_AUTH,
                                         SPDM_GET_MEASUREMENTS, SPDM_MEASUREMENTS };
        (void)state;
        /* 3 x GET_DIGESTS/DIGESTS, 3 x GET_CERTIFICATE/CERTIFICATE, CHALLENGE(_AUTH), GET_MEASUREMENTS/MEASUREMENTS */
        assert_int_equal(spdm_kat_walk(&kat, codes, sizeof(codes)), 16);
}

static void spdm_digests_decode_gives_each_slots_chain_digest(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX], want[48];
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_digests d;
        size_t used;
        char why[SPDM_WHY_LEN];
        (void)state;
        size_t n = msg(13, m);
        assert_true(spdm_digests_decode(m, n, &sz, &d, &used, why));
        assert_int_equal(d.slot_mask, 0x03); /* slots 0 and 1 provisioned */
        assert_int_equal(d.digest_count, 2);
        spdm_kat_hex(kat.kat, "certificates.slot_0.spdm_cert_chain_sha384", want, sizeof(want));
        assert_memory_equal(spdm_digests_slot(&d, &sz, 0), want, 48);
        spdm_kat_hex(kat.kat, "certificates.slot_1.spdm_cert_chain_sha384", want, sizeof(want));
        assert_memory_equal(spdm_digests_slot(&d, &sz, 1), want, 48);
        assert_null(spdm_digests_slot(&d, &sz, 2));
        assert_null(spdm_digests_slot(&d, &sz, 8));
}

static void spdm_certificate_chains_decode_to_the_recorded_root_hash_and_certificate_files(void **state)
{
        static const struct {
                size_t obj;
                uint8_t slot;
                const char *kat, *files[3];
        } c[] = {
                { 15, 0, "certificates.slot_0", { "ca.cert.der", "inter.cert.der", "end_responder.cert.der" } },
                { 17, 1, "certificates.slot_1", { "ca1.cert.der", "inter1.cert.der", "end_responder1.cert.der" } },
        };
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        (void)state;
        for (size_t i = 0; i < 2; i++) {
                uint8_t m[SPDM_KAT_MSG_MAX], req[64], want[2048];
                char path[128];
                struct spdm_get_certificate g;
                struct spdm_certificate cert;
                struct spdm_cert_chain chain;
                size_t used;
                char why[SPDM_WHY_LEN];
                size_t n = msg(c[i].obj - 1, req);
                assert_true(spdm_get_certificate_decode(req, n, &sz, &g, &used, why));
                assert_int_equal(g.slot_id, c[i].slot);
                assert_int_equal(g.offset, 0);
                n = msg(c[i].obj, m);
                assert_true(spdm_certificate_decode(m, n, &sz, &cert, &used, why));
                assert_int_equal(cert.slot_id, c[i].slot);
                assert_int_equal(cert.remainder_length, 0); /* one portion: DataTransferSize 4608 */
                snprintf(path, sizeof(path), "%s.spdm_cert_chain_length", c[i].kat);
                assert_int_equal(cert.portion_length, kat_int(path));
                assert_true(spdm_cert_chain_decode(cert.portion, cert.portion_length, &sz, &chain, &used, why));
                assert_int_equal(chain.length, 1591);
                assert_int_equal(used, 1591);
                snprintf(path, sizeof(path), "%s.root_hash", c[i].kat);
                spdm_kat_hex(kat.kat, path, want, sizeof(want));
                assert_memory_equal(chain.root_hash, want, 48);
                size_t off = 0, clen;
                const uint8_t *der;
                for (size_t k = 0; k < 3; k++) {
                        assert_int_equal(spdm_cert_chain_next(&chain, &off, &der, &clen, why), SPDM_ITER_ITEM);
                        size_t flen = read_cert(c[i].files[k], want, sizeof(want));
                        assert_int_equal(clen, flen);
                        assert_memory_equal(der, want, flen);
                }
                assert_int_equal(spdm_cert_chain_next(&chain, &off, &der, &clen, why), SPDM_ITER_END);
        }
}

static void spdm_challenge_auth_decode_gives_the_recorded_fields_and_signature_offset(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX], want[96];
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_challenge ch;
        struct spdm_challenge_auth a;
        size_t used;
        char why[SPDM_WHY_LEN];
        (void)state;
        size_t n = msg(18, m);
        assert_true(spdm_challenge_decode(m, n, &sz, &ch, &used, why));
        assert_int_equal(ch.slot_id, 0);
        assert_int_equal(ch.summary_type, SPDM_SUMMARY_HASH_ALL);
        assert_ptr_equal(ch.nonce, m + 4);
        n = msg(19, m);
        assert_true(spdm_challenge_auth_decode(m, n, &sz, ch.summary_type, &a, &used, why));
        assert_int_equal(a.slot_id, 0);
        assert_false(a.basic_mut_auth_req); /* --basic_mut_auth NO */
        assert_int_equal(a.slot_mask, 0x03);
        spdm_kat_hex(kat.kat, "challenge.nonce", want, sizeof(want)); /* the responder's nonce */
        assert_memory_equal(a.nonce, want, 32);
        spdm_kat_hex(kat.kat, "challenge.cert_chain_hash_field", want, sizeof(want));
        assert_memory_equal(a.cert_chain_hash, want, 48);
        spdm_kat_hex(kat.kat, "challenge.measurement_summary_hash", want, sizeof(want));
        assert_memory_equal(a.meas_summary_hash, want, 48);
        /* message_c takes CHALLENGE_AUTH "without Signature": that many bytes */
        assert_int_equal(a.sig_off, kat_int("challenge.message_c.components.1.length"));
        spdm_kat_hex(kat.kat, "challenge.m1.signature_r", want, sizeof(want));
        spdm_kat_hex(kat.kat, "challenge.m1.signature_s", want + 48, 48);
        assert_memory_equal(a.signature, want, 96);
        assert_ptr_equal(a.signature, m + a.sig_off);
}

static void spdm_measurements_decode_gives_the_eight_recorded_blocks(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX], want[256];
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_get_measurements g;
        struct spdm_measurements r;
        size_t used;
        char why[SPDM_WHY_LEN], path[128];
        (void)state;
        size_t n = msg(26, m);
        assert_true(spdm_get_measurements_decode(m, n, &sz, &g, &used, why));
        assert_int_equal(g.attributes & SPDM_MEAS_ATTR_SIG_REQUESTED, 1);
        assert_int_equal(g.operation, SPDM_MEAS_OP_ALL);
        assert_int_equal(g.slot_id, 0);
        assert_ptr_equal(g.nonce, m + 4);
        n = msg(27, m);
        assert_true(spdm_measurements_decode(m, n, &sz, true, &r, &used, why));
        assert_int_equal(r.num_blocks, kat_int("measurements.number_of_blocks"));
        assert_int_equal(r.record_len, kat_int("measurements.measurement_record_length"));
        assert_int_equal(r.sig_off, kat_int("measurements.message_m.components.1.length"));
        spdm_kat_hex(kat.kat, "measurements.nonce", want, sizeof(want)); /* the responder's nonce */
        assert_memory_equal(r.nonce, want, 32);
        spdm_kat_hex(kat.kat, "measurements.l1.signature_r", want, sizeof(want));
        spdm_kat_hex(kat.kat, "measurements.l1.signature_s", want + 48, 48);
        assert_memory_equal(r.signature, want, 96);
        struct spdm_meas_iter it;
        struct spdm_meas_block b;
        spdm_meas_iter_init(&it, r.record, r.record_len, r.num_blocks);
        for (unsigned i = 0; i < 8; i++) {
                assert_int_equal(spdm_meas_next(&it, &b, why), SPDM_ITER_ITEM);
                snprintf(path, sizeof(path), "measurements.blocks.%u.index", i);
                assert_int_equal(b.index, kat_int(path));
                snprintf(path, sizeof(path), "measurements.blocks.%u.measurement_size", i);
                assert_int_equal(b.size, kat_int(path));
                snprintf(path, sizeof(path), "measurements.blocks.%u.dmtf_value_type", i);
                assert_int_equal(b.value_type | (b.raw ? 0x80 : 0), kat_int(path));
                snprintf(path, sizeof(path), "measurements.blocks.%u.value", i);
                size_t vlen = spdm_kat_hex(kat.kat, path, want, sizeof(want));
                assert_int_equal(b.value_size, vlen);
                assert_memory_equal(b.value, want, vlen);
                assert_int_equal(b.spec, SPDM_MEAS_SPEC_DMTF);
        }
        assert_int_equal(spdm_meas_next(&it, &b, why), SPDM_ITER_END);
}

/* ---- error paths ---- */

static void spdm_get_certificate_and_certificate_reject_slot_ids_above_7(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_get_certificate g = { .slot_id = 8 };
        struct spdm_certificate c;
        size_t used, len;
        char why[SPDM_WHY_LEN];
        (void)state;
        size_t n = msg(14, m);
        m[2] = 8;
        assert_false(spdm_get_certificate_decode(m, n, &sz, &g, &used, why));
        assert_non_null(strstr(why, "SlotID 8 is above 7"));
        n = msg(15, m);
        m[2] = 0x0f;
        assert_false(spdm_certificate_decode(m, n, &sz, &c, &used, why));
        assert_non_null(strstr(why, "SlotID 15"));
        g.slot_id = 8;
        assert_false(spdm_get_certificate_encode(m, sizeof(m), &g, &sz, &len));
}

static void spdm_certificate_decode_rejects_a_portion_length_beyond_the_input(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_certificate c;
        size_t used;
        char why[SPDM_WHY_LEN];
        (void)state;
        size_t n = msg(15, m);
        st_le16(m + 4, 1592); /* one byte more than the 1591 present; the DOE pad byte does not count */
        m[n] = 0;
        assert_false(spdm_certificate_decode(m, n, &sz, &c, &used, why));
        assert_non_null(strstr(why, "PortionLength"));
        assert_true(spdm_certificate_decode(m, n + 1, &sz, &c, &used, why)); /* had the pad been real */
        assert_int_equal(used, n + 1);
}

static void spdm_cert_chain_decode_rejects_bad_lengths_and_walk_rejects_overruns(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_certificate c;
        struct spdm_cert_chain chain;
        size_t used, off = 0, clen;
        const uint8_t *der;
        char why[SPDM_WHY_LEN];
        (void)state;
        size_t n = msg(15, m);
        assert_true(spdm_certificate_decode(m, n, &sz, &c, &used, why));
        uint8_t *ch = m + 8;
        assert_false(spdm_cert_chain_decode(ch, 1590, &sz, &chain, &used, why));
        assert_non_null(strstr(why, "chain Length 1591, but only 1590"));
        st_le16(ch, 4 + 48);
        assert_false(spdm_cert_chain_decode(ch, 1591, &sz, &chain, &used, why));
        assert_non_null(strstr(why, "no room"));
        assert_false(spdm_cert_chain_decode(ch, 3, &sz, &chain, &used, why));
        /* a chain whose Length cuts the leaf certificate short */
        st_le16(ch, 1590);
        assert_true(spdm_cert_chain_decode(ch, 1591, &sz, &chain, &used, why));
        assert_int_equal(spdm_cert_chain_next(&chain, &off, &der, &clen, why), SPDM_ITER_ITEM);
        assert_int_equal(spdm_cert_chain_next(&chain, &off, &der, &clen, why), SPDM_ITER_ITEM);
        assert_int_equal(spdm_cert_chain_next(&chain, &off, &der, &clen, why), SPDM_ITER_ERROR);
        assert_non_null(strstr(why, "overruns the chain"));
        /* garbage where a certificate should start */
        st_le16(ch, 1591);
        ch[4 + 48] = 0x31;
        off = 0;
        assert_true(spdm_cert_chain_decode(ch, 1591, &sz, &chain, &used, why));
        assert_int_equal(spdm_cert_chain_next(&chain, &off, &der, &clen, why), SPDM_ITER_ERROR);
        assert_non_null(strstr(why, "no DER SEQUENCE"));
}

static void spdm_challenge_decode_rejects_a_bad_slot_and_summary_type(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_challenge c;
        size_t used;
        char why[SPDM_WHY_LEN];
        (void)state;
        size_t n = msg(18, m);
        m[2] = 8;
        assert_false(spdm_challenge_decode(m, n, &sz, &c, &used, why));
        assert_non_null(strstr(why, "SlotID 8"));
        m[2] = 0xff; /* the pre-provisioned public key */
        assert_true(spdm_challenge_decode(m, n, &sz, &c, &used, why));
        m[3] = 2;
        assert_false(spdm_challenge_decode(m, n, &sz, &c, &used, why));
        assert_non_null(strstr(why, "MeasurementSummaryHashType 0x02"));
}

static void spdm_challenge_auth_decode_rejects_a_bad_slot_and_oversized_opaque_data(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_challenge_auth a;
        size_t used;
        char why[SPDM_WHY_LEN];
        (void)state;
        size_t n = msg(19, m);
        m[2] = 0x08;
        assert_false(spdm_challenge_auth_decode(m, n, &sz, 0xff, &a, &used, why));
        assert_non_null(strstr(why, "SlotID 8"));
        n = msg(19, m);
        st_le16(m + 4 + 48 + 32 + 48, 1025);
        assert_false(spdm_challenge_auth_decode(m, n, &sz, 0xff, &a, &used, why));
        assert_non_null(strstr(why, "OpaqueDataLength 1025"));
        assert_true(spdm_kat_all_zero(&a, sizeof(a)));
}

/* Patches byte off of the recorded MEASUREMENTS (object 27) and expects why. */
static void meas_patched_rejected(size_t off, uint8_t val, const char *want)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_measurements r;
        size_t used = 1;
        char why[SPDM_WHY_LEN] = "";
        size_t n = msg(27, m);
        m[off] = val;
        bool ok = spdm_measurements_decode(m, n, &sz, true, &r, &used, why);
        if (ok || !strstr(why, want))
                fail_msg("byte %zu = 0x%02x: want \"%s\", got %s \"%s\"", off, val, want, ok ? "success" : "failure",
                         why);
        assert_int_equal(used, 0);
        assert_true(spdm_kat_all_zero(&r, sizeof(r)));
}

static void spdm_measurements_decode_rejects_blocks_that_do_not_fill_the_record(void **state)
{
        /* record at 8: blocks 1-4 and 17 (4+51 each), 16 (4+11), 0xFD (4+131), 0xFE (4+19, at 8+448-23) */
        const size_t last = 8 + 448 - 23;
        (void)state;
        meas_patched_rejected(last + 2, 20, "overruns the record");
        meas_patched_rejected(4, 9, "block header overruns");
        meas_patched_rejected(4, 7, "23 bytes after the last measurement block");
        meas_patched_rejected(last + 1, 2, "is not DMTF");
        meas_patched_rejected(last + 5, 17, "disagrees with MeasurementSize 19");
        meas_patched_rejected(5, 0xbf, "overruns the record");     /* MeasurementRecordLength 447 */
        meas_patched_rejected(7, 1, "truncated: MeasurementRecord"); /* 64 KiB more than present */
}

static void spdm_measurements_without_a_requested_signature_end_before_it(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_measurements r;
        size_t used;
        char why[SPDM_WHY_LEN];
        (void)state;
        /* The Signature's presence is the request's: decoded as an answer to an unsigned
         * request, the recorded response ends at its opaque data, and what follows is not pad. */
        size_t n = msg(27, m);
        assert_true(spdm_measurements_decode(m, n, &sz, false, &r, &used, why));
        assert_int_equal(used, 490);
        assert_null(r.signature);
        assert_int_equal(r.sig_off, 490);
        assert_false(spdm_trailing_pad_ok(m, n, used));
}

static void spdm_measurement_decoders_implement_only_the_1_2_layout(void **state)
{
        uint8_t m[SPDM_KAT_MSG_MAX];
        struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_get_measurements g;
        size_t used;
        char why[SPDM_WHY_LEN];
        (void)state;
        size_t n = msg(26, m);
        m[0] = 0x11;
        sz.version = 0x11;
        assert_false(spdm_get_measurements_decode(m, n, &sz, &g, &used, why));
        assert_non_null(strstr(why, "only 0x12..0x12"));
        m[0] = 0x12;
        sz.version = 0x12;
        m[36] = 0x08;
        assert_false(spdm_get_measurements_decode(m, n, &sz, &g, &used, why));
        assert_non_null(strstr(why, "SlotIDParam 8"));
        m[2] = 0; /* no signature: the header alone */
        assert_true(spdm_get_measurements_decode(m, n, &sz, &g, &used, why));
        assert_int_equal(used, 4);
        assert_null(g.nonce);
}

static void spdm_meas_iter_is_sticky_after_an_error(void **state)
{
        static const uint8_t rec[] = { 1, 1, 4, 0, 0, 2, 0, 0xaa }; /* value size 2, MeasurementSize 4 */
        struct spdm_meas_iter it;
        struct spdm_meas_block b;
        char why[SPDM_WHY_LEN];
        (void)state;
        spdm_meas_iter_init(&it, rec, sizeof(rec), 0);
        assert_int_equal(spdm_meas_next(&it, &b, why), SPDM_ITER_ERROR); /* 8 bytes, 0 blocks */
        assert_int_equal(spdm_meas_next(&it, &b, why), SPDM_ITER_ERROR);
        spdm_meas_iter_init(&it, rec, sizeof(rec), 1);
        assert_int_equal(spdm_meas_next(&it, &b, why), SPDM_ITER_ERROR); /* value size 2 != 4 - 3 */
        spdm_meas_iter_init(&it, NULL, 0, 0);
        assert_int_equal(spdm_meas_next(&it, &b, why), SPDM_ITER_END);
}

/* ---- round-trip properties ---- */

static void spdm_auth_messages_round_trip_over_random_structs(void **state)
{
        struct prng p;
        static uint8_t pool[8192], out[8192], again[8192], rec[4096];
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        (void)state;
        prng_seed(&p, SEED);
        printf("seed 0x%016" PRIx64 "\n", (uint64_t)SEED);
        prng_fill(&p, pool, sizeof(pool));
        for (int i = 0; i < 1000; i++) {
                union spdm_any u, back;
                struct spdm_any_ctx c = { 0 };
                uint8_t code;
                memset(&u, 0, sizeof(u));
                switch (prng_below(&p, 5)) {
                case 0:
                        code = SPDM_DIGESTS;
                        u.digests.slot_mask = (uint8_t)prng_next(&p);
                        u.digests.digest_count = (size_t)__builtin_popcount(u.digests.slot_mask);
                        u.digests.digests = u.digests.digest_count ? pool + prng_below(&p, 4096) : NULL;
                        break;
                case 1:
                        code = SPDM_CERTIFICATE;
                        u.cert.slot_id = (uint8_t)prng_below(&p, 8);
                        u.cert.portion_length = (uint16_t)prng_below(&p, 4000);
                        u.cert.remainder_length = (uint16_t)prng_next(&p);
                        u.cert.portion = u.cert.portion_length ? pool + prng_below(&p, 4096) : NULL;
                        break;
                case 2:
                        code = SPDM_CHALLENGE_AUTH;
                        c.summary_type = prng_below(&p, 2) ? SPDM_SUMMARY_HASH_ALL : SPDM_SUMMARY_HASH_NONE;
                        u.challenge_auth.slot_id = (uint8_t)prng_below(&p, 8);
                        u.challenge_auth.slot_mask = (uint8_t)prng_next(&p);
                        u.challenge_auth.cert_chain_hash = pool + prng_below(&p, 4096);
                        u.challenge_auth.nonce = pool + prng_below(&p, 4096);
                        u.challenge_auth.meas_summary_hash = c.summary_type ? pool + prng_below(&p, 4096) : NULL;
                        u.challenge_auth.opaque_len = (uint16_t)prng_below(&p, SPDM_OPAQUE_MAX + 1);
                        u.challenge_auth.opaque = u.challenge_auth.opaque_len ? pool + prng_below(&p, 4096) : NULL;
                        u.challenge_auth.signature = pool + prng_below(&p, 4096);
                        break;
                case 3:
                        code = SPDM_GET_MEASUREMENTS;
                        u.get_meas.attributes = (uint8_t)prng_next(&p);
                        u.get_meas.operation = (uint8_t)prng_next(&p);
                        if (u.get_meas.attributes & 1) {
                                u.get_meas.nonce = pool + prng_below(&p, 4096);
                                u.get_meas.slot_id = (uint8_t)prng_below(&p, 8);
                        }
                        break;
                default: {
                        code = SPDM_MEASUREMENTS;
                        c.sig_requested = prng_below(&p, 2);
                        size_t rl = 0;
                        unsigned nb = (unsigned)prng_below(&p, 12);
                        for (unsigned k = 0; k < nb; k++) {
                                struct spdm_meas_block b = { .index = (uint8_t)(k + 1), .spec = 1,
                                                             .value_type = (uint8_t)prng_below(&p, 128),
                                                             .raw = prng_below(&p, 2),
                                                             .value_size = (uint16_t)prng_below(&p, 200) };
                                b.value = pool + prng_below(&p, 4096);
                                size_t bl;
                                assert_true(spdm_meas_block_encode(rec + rl, sizeof(rec) - rl, &b, &bl));
                                rl += bl;
                        }
                        u.meas.num_indices = (uint8_t)prng_next(&p);
                        u.meas.slot_id = (uint8_t)prng_below(&p, 8);
                        u.meas.content_changed = (uint8_t)prng_below(&p, 4);
                        u.meas.num_blocks = (uint8_t)nb;
                        u.meas.record_len = (uint32_t)rl;
                        u.meas.record = rl ? rec : NULL;
                        u.meas.nonce = pool + prng_below(&p, 4096);
                        u.meas.opaque_len = (uint16_t)prng_below(&p, 64);
                        u.meas.opaque = u.meas.opaque_len ? pool + prng_below(&p, 4096) : NULL;
                        u.meas.signature = c.sig_requested ? pool + prng_below(&p, 4096) : NULL;
                        break;
                }
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
                if (code == SPDM_MEASUREMENTS)
                        assert_memory_equal(back.meas.record, rec, u.meas.record_len);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(spdm_auth_messages_of_the_recording_decode_exactly_and_reencode_identically),
                cmocka_unit_test(spdm_digests_decode_gives_each_slots_chain_digest),
                cmocka_unit_test(spdm_certificate_chains_decode_to_the_recorded_root_hash_and_certificate_files),
                cmocka_unit_test(spdm_challenge_auth_decode_gives_the_recorded_fields_and_signature_offset),
                cmocka_unit_test(spdm_measurements_decode_gives_the_eight_recorded_blocks),
                cmocka_unit_test(spdm_get_certificate_and_certificate_reject_slot_ids_above_7),
                cmocka_unit_test(spdm_certificate_decode_rejects_a_portion_length_beyond_the_input),
                cmocka_unit_test(spdm_cert_chain_decode_rejects_bad_lengths_and_walk_rejects_overruns),
                cmocka_unit_test(spdm_challenge_decode_rejects_a_bad_slot_and_summary_type),
                cmocka_unit_test(spdm_challenge_auth_decode_rejects_a_bad_slot_and_oversized_opaque_data),
                cmocka_unit_test(spdm_measurements_decode_rejects_blocks_that_do_not_fill_the_record),
                cmocka_unit_test(spdm_measurements_without_a_requested_signature_end_before_it),
                cmocka_unit_test(spdm_measurement_decoders_implement_only_the_1_2_layout),
                cmocka_unit_test(spdm_meas_iter_is_sticky_after_an_error),
                cmocka_unit_test(spdm_auth_messages_round_trip_over_random_structs),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
