/* src/relying/kbs.c: the Key Broker's answers to every malformed or refused request, and
 * its configuration parsers. The released-key path needs a Realm's token and an RSA client:
 * tests/kat/kbs_check.py drives it end to end over HTTP from Python. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base64.h"
#include "lib/rsa.h"
#include "relying/kbs.h"

#define EV_TYPE KBS_EVIDENCE_TYPE

struct fx {
        struct kbs *k;
        struct ec_key *iak;
        struct kbs_response r;
};

static int setup(void **state)
{
        struct fx *f = calloc(1, sizeof(*f));
        struct kbs_config *cfg = calloc(1, sizeof(*cfg));
        char why[128];
        if (!f || !cfg || !ec_key_derive(&f->iak, EC_P384, (const uint8_t *)"t", 1, "ccada IAK"))
                return -1;
        cfg->endpoint = "http://127.0.0.1:8088";
        cfg->iak = f->iak;
        if (!kbs_key_parse("skywalker=May the force be with you.", cfg, why) || !kbs_create(&f->k, cfg))
                return -1;
        free(cfg);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fx *f = *state;
        kbs_response_free(&f->r);
        kbs_destroy(f->k);
        ec_key_free(f->iak);
        free(f);
        return 0;
}

/* A request; the answer's status must be status and its body hold text (an ErrorInformation
 * with a "type" and a "detail" for an error). */
static void expect(struct fx *f, const char *method, const char *path, const char *ct, const char *body, int status,
                   const char *text)
{
        kbs_response_free(&f->r);
        kbs_handle(f->k, method, path, ct, (const uint8_t *)body, strlen(body), &f->r);
        if (f->r.status != status || !f->r.body || !strstr(f->r.body, text))
                fail_msg("%s %s: %d %s", method, path, f->r.status, f->r.body ? f->r.body : "(no body)");
        if (status >= 400)
                assert_true(strstr(f->r.body, "\"type\":") && strstr(f->r.body, "\"detail\":"));
}

/* A JWK of a fresh RSA-1024 key with alg. */
static void jwk(char *out, size_t cap, const char *alg)
{
        struct rsa_key *k;
        uint8_t n[RSA_MAX_BYTES], e[8];
        size_t nl, el;
        char bn[B64URL_LEN(128)], be[16]; /* 1024 bits */
        assert_true(rsa_key_generate(&k, 1024) && rsa_key_ne(k, n, &nl, e, &el));
        assert_true(nl == 128 && b64url_encode(n, nl, bn, sizeof(bn)) && b64url_encode(e, el, be, sizeof(be)));
        snprintf(out, cap, "{\"pubkey\":{\"kty\":\"RSA\",\"alg\":\"%s\",\"n\":\"%s\",\"e\":\"%s\"}}", alg, bn, be);
        rsa_key_free(k);
}

static void kbs_key_request_issues_a_challenge_with_its_location(void **state)
{
        struct fx *f = *state;
        char body[1024];
        jwk(body, sizeof(body), "RSA1_5");
        expect(f, "POST", "/keys/v1/key/skywalker", "application/json", body, 201, "\"challenge\":\"");
        assert_non_null(strstr(f->r.body, "\"accept\":[\"" KBS_ACCEPT "\"]"));
        assert_int_equal(strncmp(f->r.location, "http://127.0.0.1:8088/keys/v1/evidence/", 39), 0);
        assert_true(f->r.location[39] >= '1' && f->r.location[39] <= '9');
        const char *c = strstr(f->r.body, "\"challenge\":\"") + 13;
        assert_int_equal(strchr(c, '"') - c, 86); /* 64 bytes of unpadded base64url */
        jwk(body, sizeof(body), "RSA-OAEP");
        expect(f, "POST", "/keys/v1/key/skywalker",
               "application/vnd.veraison.keybroker.background-check-key-request+json; charset=utf-8", body, 201,
               "challenge");
}

static void kbs_evidence_is_refused_for_an_unknown_challenge_and_a_challenge_is_single_use(void **state)
{
        struct fx *f = *state;
        char body[1024], path[64];
        expect(f, "POST", "/keys/v1/evidence/12345", EV_TYPE, "AAAA", 403, "did not match any issued challenge");
        jwk(body, sizeof(body), "RSA1_5");
        expect(f, "POST", "/keys/v1/key/skywalker", "application/json", body, 201, "challenge");
        snprintf(path, sizeof(path), "%s", strstr(f->r.location, "/keys/v1/evidence/"));
        expect(f, "POST", path, EV_TYPE, "2QGPoA", 403, "No attestation result was obtained");
        expect(f, "POST", path, EV_TYPE, "2QGPoA", 403, "did not match any issued challenge");
}

static void kbs_evidence_with_the_wrong_media_type_or_not_base64url_is_refused(void **state)
{
        struct fx *f = *state;
        char body[1024], path[64];
        static const char *const bad_types[] = { "application/eat-collection; profile=http://arm.com/CCA-SSD/1.0.0",
                                                 "text/plain", NULL };
        for (size_t i = 0; i < 3; i++) {
                jwk(body, sizeof(body), "RSA1_5");
                expect(f, "POST", "/keys/v1/key/skywalker", "application/json", body, 201, "challenge");
                snprintf(path, sizeof(path), "%s", strstr(f->r.location, "/keys/v1/evidence/"));
                if (i < 2)
                        expect(f, "POST", path, bad_types[i], "2QGPoA", 403, "media type");
                else
                        expect(f, "POST", path, EV_TYPE, "not+base64/", 403, "unpadded base64url");
        }
}

static void kbs_key_requests_that_are_malformed_are_400_and_name_the_problem(void **state)
{
        struct fx *f = *state;
        static const struct {
                const char *body, *why;
        } bad[] = {
                { "{", "not JSON" },
                { "[]", "no \\\"pubkey\\\" object" },
                { "{\"pubkey\":{\"kty\":\"EC\"}}", "kty must be" },
                { "{\"pubkey\":{\"kty\":\"RSA\",\"alg\":\"RS256\"}}", "alg must be" },
                { "{\"pubkey\":{\"kty\":\"RSA\",\"alg\":\"RSA1_5\",\"n\":\"***\",\"e\":\"AQAB\"}}", "base64url" },
                { "{\"pubkey\":{\"kty\":\"RSA\",\"alg\":\"RSA1_5\",\"n\":\"AQAB\",\"e\":\"AQAB\"}}", "1024 to 4096" },
                { "{\"pubkey\":{\"kty\":\"RSA\",\"kty\":\"RSA\"}}", "not JSON" }, /* duplicate member */
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                expect(f, "POST", "/keys/v1/key/skywalker", "application/json", bad[i].body, 400, bad[i].why);
}

static void kbs_answers_unknown_keys_types_paths_methods_and_big_bodies(void **state)
{
        struct fx *f = *state;
        char body[1024];
        jwk(body, sizeof(body), "RSA1_5");
        expect(f, "POST", "/keys/v1/key/vader", "application/json", body, 404, "KeyNotFound");
        expect(f, "POST", "/keys/v1/key/skywalker", "text/plain", body, 415, "UnsupportedMediaType");
        expect(f, "POST", "/keys/v1/key/skywalker", NULL, body, 415, "(none)");
        /* a media type that is not UTF-8 is echoed as printable ASCII (the fuzzer found a
         * 500 with no body here: JSON strings must be UTF-8) */
        expect(f, "POST", "/keys/v1/key/skywalker", "app\xcb\x1b[2Jlication", body, 415, "app??[2Jlication");
        expect(f, "GET", "/keys/v1/key/skywalker", NULL, "", 405, "MethodNotAllowed");
        expect(f, "POST", "/keys/v1/keys", NULL, "", 404, "NotFound");
        expect(f, "POST", "/keys/v1/key/", NULL, "", 404, "NotFound");
        expect(f, "POST", "/keys/v1/key/a/b", NULL, "", 404, "NotFound");
        expect(f, "POST", "/keys/v1/evidence/0", EV_TYPE, "", 404, "NotFound");
        expect(f, "POST", "/keys/v1/evidence/007", EV_TYPE, "", 404, "NotFound");
        expect(f, "POST", "/keys/v1/evidence/4294967296", EV_TYPE, "", 404, "NotFound");
        expect(f, "POST", "/keys/v1/evidence/1?x=1", EV_TYPE, "", 404, "NotFound");
        char *big = malloc(KBS_BODY_MAX + 2);
        memset(big, 'A', KBS_BODY_MAX + 1);
        big[KBS_BODY_MAX + 1] = '\0';
        expect(f, "POST", "/keys/v1/key/skywalker", "application/json", big, 413, "PayloadTooLarge");
        free(big);
}

static void kbs_drops_the_oldest_challenge_when_full(void **state)
{
        struct fx *f = *state;
        char body[1024], first[64];
        jwk(body, sizeof(body), "RSA1_5");
        for (int i = 0; i <= KBS_MAX_CHALLENGES; i++) {
                expect(f, "POST", "/keys/v1/key/skywalker", "application/json", body, 201, "challenge");
                if (i == 0)
                        snprintf(first, sizeof(first), "%s", strstr(f->r.location, "/keys/v1/evidence/"));
        }
        expect(f, "POST", first, EV_TYPE, "2QGPoA", 403, "did not match any issued challenge");
}

static void kbs_reference_values_parse_reads_the_keybroker_format(void **state)
{
        struct kbs_config *cfg = calloc(1, sizeof(*cfg));
        char why[128];
        static const char ok[] = "{\"reference-values\": [\"MRMUq3NiA1DPdYg0rlxl2ejC3H/r5ufZZUu+hk4wDUk=\", "
                                 "\"q3N/r5ufZZUu+iAg0rlxl2ejC3HMRMUhk4wDUk1DPdY=\"]}"; /* keybroker-demo testdata */
        (void)state;
        assert_true(kbs_reference_values_parse(ok, strlen(ok), cfg, why));
        assert_int_equal(cfg->nrims, 2);
        assert_int_equal(cfg->rims[0].len, 32);
        assert_int_equal(cfg->rims[0].value[0], 0x31);
        assert_int_equal(cfg->rims[0].value[31], 0x49);
        static const char *const bad[] = { "[]", "{\"reference-values\": \"x\"}", "{\"reference-values\": [\"AAAA\"]}",
                                           "{\"reference-values\": [7]}", "{" };
        for (size_t i = 0; i < 5; i++)
                assert_false(kbs_reference_values_parse(bad[i], strlen(bad[i]), cfg, why));
        free(cfg);
}

static void kbs_key_parse_takes_name_equals_secret_and_replaces_a_name(void **state)
{
        struct kbs_config *cfg = calloc(1, sizeof(*cfg));
        char why[128], many[32];
        (void)state;
        assert_true(kbs_key_parse("a=one=two", cfg, why));
        assert_int_equal(cfg->keys[0].len, 7);
        assert_true(kbs_key_parse("a=x", cfg, why));
        assert_int_equal(cfg->nkeys, 1);
        assert_int_equal(cfg->keys[0].len, 1);
        assert_false(kbs_key_parse("noequals", cfg, why));
        assert_false(kbs_key_parse("=secret", cfg, why));
        assert_false(kbs_key_parse("a/b=secret", cfg, why));
        assert_false(kbs_key_parse("a=", cfg, why));
        for (int i = 1; i < KBS_MAX_KEYS; i++) {
                snprintf(many, sizeof(many), "k%d=v", i);
                assert_true(kbs_key_parse(many, cfg, why));
        }
        assert_false(kbs_key_parse("last=v", cfg, why));
        assert_non_null(strstr(why, "at most"));
        free(cfg);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(kbs_key_request_issues_a_challenge_with_its_location, setup, teardown),
                cmocka_unit_test_setup_teardown(kbs_evidence_is_refused_for_an_unknown_challenge_and_a_challenge_is_single_use,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(kbs_evidence_with_the_wrong_media_type_or_not_base64url_is_refused, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(kbs_key_requests_that_are_malformed_are_400_and_name_the_problem, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(kbs_answers_unknown_keys_types_paths_methods_and_big_bodies, setup, teardown),
                cmocka_unit_test_setup_teardown(kbs_drops_the_oldest_challenge_when_full, setup, teardown),
                cmocka_unit_test(kbs_reference_values_parse_reads_the_keybroker_format),
                cmocka_unit_test(kbs_key_parse_takes_name_equals_secret_and_replaces_a_name),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
