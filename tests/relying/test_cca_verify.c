/* src/relying/cca_verify.c against tests/kat/cca-tokens (its README and manifest.json give
 * each vector's origin and expected outcome; the policy choices D1-D4 are its "which way to
 * go"): every valid token passes with its IAK, challenge and RIM; every edge, invalid and
 * key/input negative fails at the check the README names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relying/cca_verify.h"

struct vector {
        const char *id, *file, *iak, *challenge, *rim;
        enum cca_check expect;
};

#define AB64 "abababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababab"
#define KBN "6e86d6d97cc713bc6dd43dbce491a6b40311c027a8bf85a39da63e9ce44c132a8a119d296fae6a6999e9bf3e4471b0ce01245d889424c31e89793b3b1d6b1504"
#define KR "311314ab73620350cf758834ae5c65d9e8c2dc7febe6e7d9654bbe864e300d49"
#define Z32 "0000000000000000000000000000000000000000000000000000000000000000"
#define CPAK "keys/cpak-p384.pub.pem"
#define TESTIAK "keys/ccatoken-testIAK-p256.pub.pem"

static const struct vector vectors[] = {
        { "v01", "tokens/valid/v01-tfrmm-rmm10-399.cbor", CPAK, AB64, Z32, CCA_CHECK_PASSED },
        { "v02", "tokens/valid/v02-tfrmm-rmm10-907.cbor", CPAK, AB64, Z32, CCA_CHECK_PASSED },
        { "v03", "tokens/valid/v03-keybroker-example-399.cbor", CPAK, KBN, KR, CCA_CHECK_PASSED },
        { "v04", "tokens/valid/v04-draft-ffm-example-399.cbor", CPAK, KBN, KR, CCA_CHECK_PASSED },
        { "v05", "tokens/valid/v05-tfm-realm10-mec-907.cbor", CPAK, KBN, KR, CCA_CHECK_PASSED },
        /* D1: 64-byte measurements labelled sha-256 are refused before any signature. */
        { "e01", "tokens/edge/e01-ccatoken-good-907.cbor", TESTIAK, NULL, NULL, CCA_CHECK_DECODE },
        { "e02", "tokens/edge/e02-ccatoken-good-399.cbor", TESTIAK, NULL, NULL, CCA_CHECK_DECODE },
        { "e03", "tokens/edge/e03-rust-token02-399.cbor", TESTIAK, NULL, NULL, CCA_CHECK_DECODE },
        { "e04", "tokens/edge/e04-tfm-realm20-907.cbor", CPAK, NULL, NULL, CCA_CHECK_DECODE },  /* D2 */
        { "e05", "tokens/edge/e05-tfm-rak-private-d-399.cbor", CPAK, NULL, NULL, CCA_CHECK_DECODE }, /* D3 */
        { "e06", "tokens/edge/e06-draft-da-branch-399-cmw.cbor", CPAK, NULL, NULL, CCA_CHECK_DECODE }, /* D4 */
        { "i01", "tokens/invalid/i01-rust-bug33-binding-399.cbor", CPAK, NULL, NULL, CCA_CHECK_BINDING },
        { "i02", "tokens/invalid/i02-ccatoken-unwrapped-sign1-907.cbor", CPAK, NULL, NULL, CCA_CHECK_DECODE },
        { "i03", "tokens/invalid/i03-ccatoken-top-tag18.cbor", CPAK, NULL, NULL, CCA_CHECK_DECODE },
        { "i04", "tokens/invalid/i04-ccatoken-907-empty-map.cbor", CPAK, NULL, NULL, CCA_CHECK_DECODE },
        { "i05", "tokens/invalid/i05-ccatoken-907-no-realm.cbor", CPAK, NULL, NULL, CCA_CHECK_DECODE },
        { "i06", "tokens/invalid/i06-ccatoken-907-not-cose.cbor", CPAK, NULL, NULL, CCA_CHECK_DECODE },
        { "i07", "tokens/invalid/i07-ccatoken-907-empty-sign1.cbor", CPAK, NULL, NULL, CCA_CHECK_DECODE },
        { "k01", "tokens/valid/v03-keybroker-example-399.cbor", "keys/rust-pkey-p256.pub.pem", NULL, NULL,
          CCA_CHECK_PLATFORM_SIGNATURE },
        { "k02", "tokens/valid/v01-tfrmm-rmm10-399.cbor", TESTIAK, NULL, NULL, CCA_CHECK_PLATFORM_SIGNATURE },
        { "k03", "tokens/valid/v04-draft-ffm-example-399.cbor", "keys/tfm-rak-p384.pub.pem", NULL, NULL,
          CCA_CHECK_PLATFORM_SIGNATURE },
        /* k04's token is e01: refused at D1 before its platform signature is looked at. */
        { "k04", "tokens/edge/e01-ccatoken-good-907.cbor", "keys/ccatoken-testAltIAK-p256.pub.pem", NULL, NULL,
          CCA_CHECK_DECODE },
        { "k05", "tokens/valid/v03-keybroker-example-399.cbor", CPAK, AB64, NULL, CCA_CHECK_CHALLENGE },
        { "k06", "tokens/valid/v03-keybroker-example-399.cbor", CPAK, KBN,
          "5d1314ab73620350cf758834ae5c65d9e8c2dc7febe6e7d9654bbe864e300d49", CCA_CHECK_REFERENCE_VALUE },
};

static uint8_t *slurp(const char *rel, size_t *len)
{
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", CCA_KAT_DIR, rel);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        uint8_t *buf = malloc(65536);
        assert_non_null(buf);
        *len = fread(buf, 1, 65535, f);
        fclose(f);
        buf[*len] = 0;
        return buf;
}

static struct ec_key *load_key(const char *rel)
{
        size_t n;
        char why[EC_WHY_LEN];
        struct ec_key *k = NULL;
        uint8_t *pem = slurp(rel, &n);
        assert_true(ec_key_from_pem(&k, (const char *)pem, n, why));
        free(pem);
        return k;
}

static void run_vector(const struct vector *v)
{
        size_t len, n;
        uint8_t *tok = slurp(v->file, &len);
        uint8_t challenge[64];
        struct cca_rim rim = { .len = 0 };
        struct cca_verify_opts o = { .iak = load_key(v->iak) };
        struct cca_verify_result *r = malloc(sizeof(*r));
        assert_non_null(r);
        if (v->challenge) {
                assert_true(hex_decode(v->challenge, challenge, sizeof(challenge), &n) && n == 64);
                o.challenge = challenge, o.challenge_len = 64;
        }
        if (v->rim) {
                assert_true(hex_decode(v->rim, rim.value, sizeof(rim.value), &rim.len));
                o.rims = &rim, o.nrims = 1;
        }
        bool ok = cca_verify(tok, len, &o, r);
        if (r->failed != v->expect)
                fail_msg("%s: expected %s, got %s (%s)", v->id, cca_check_name(v->expect), cca_check_name(r->failed), r->why);
        assert_int_equal(ok, v->expect == CCA_CHECK_PASSED);
        assert_true(ok ? r->why[0] == '\0' : r->why[0] != '\0');
        ec_key_free((struct ec_key *)o.iak);
        free(r);
        free(tok);
}

static void cca_verify_gives_every_public_vector_its_expected_outcome(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
                run_vector(&vectors[i]);
}

static void cca_verify_names_the_measurement_rule_for_d1(void **state)
{
        size_t len;
        uint8_t *tok = slurp("tokens/edge/e01-ccatoken-good-907.cbor", &len);
        struct cca_verify_opts o = { .iak = load_key(TESTIAK) };
        struct cca_verify_result *r = malloc(sizeof(*r));
        (void)state;
        assert_false(cca_verify(tok, len, &o, r));
        assert_non_null(strstr(r->why, "sha-256"));
        assert_non_null(strstr(r->why, "realm claims"));
        ec_key_free((struct ec_key *)o.iak);
        free(r);
        free(tok);
}

static void cca_verify_fails_every_truncation_of_a_valid_token_at_decode(void **state)
{
        size_t len;
        uint8_t *tok = slurp("tokens/valid/v03-keybroker-example-399.cbor", &len);
        struct cca_verify_opts o = { .iak = load_key(CPAK) };
        struct cca_verify_result *r = malloc(sizeof(*r));
        (void)state;
        for (size_t n = 0; n < len; n += 7) {
                assert_false(cca_verify(tok, n, &o, r));
                assert_int_equal(r->failed, CCA_CHECK_DECODE);
        }
        ec_key_free((struct ec_key *)o.iak);
        free(r);
        free(tok);
}

static void cca_check_names_are_distinct_and_known(void **state)
{
        (void)state;
        for (int a = CCA_CHECK_DECODE; a <= CCA_CHECK_PASSED; a++) {
                assert_string_not_equal(cca_check_name((enum cca_check)a), "unknown");
                for (int b = a + 1; b <= CCA_CHECK_PASSED; b++)
                        assert_string_not_equal(cca_check_name((enum cca_check)a), cca_check_name((enum cca_check)b));
        }
        assert_string_equal(cca_check_name((enum cca_check)99), "unknown");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(cca_verify_gives_every_public_vector_its_expected_outcome),
                cmocka_unit_test(cca_verify_names_the_measurement_rule_for_d1),
                cmocka_unit_test(cca_verify_fails_every_truncation_of_a_valid_token_at_decode),
                cmocka_unit_test(cca_check_names_are_distinct_and_known),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
