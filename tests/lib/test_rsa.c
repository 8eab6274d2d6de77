/* src/lib/rsa.c: RSA key wrapping. Interoperability with an independent implementation
 * (Python's cryptography unwrapping what the Key Broker wraps) is tests/kat/kbs_check.py;
 * here: round trips with both paddings, and every refusal of a bad public key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/rsa.h"

static const uint8_t secret[] = "May the force be with you.";

static void rsa_wrap_then_unwrap_round_trips_with_both_paddings(void **state)
{
        struct rsa_key *k;
        uint8_t ct[RSA_MAX_BYTES], pt[RSA_MAX_BYTES];
        size_t n = 0, m = 0;
        (void)state;
        assert_true(rsa_key_generate(&k, 1024));
        assert_int_equal(rsa_key_bytes(k), 128);
        for (int w = RSA_WRAP_PKCS1_V15; w <= RSA_WRAP_OAEP_SHA256; w++) {
                assert_true(rsa_wrap(k, (enum rsa_wrap)w, secret, sizeof(secret), ct, sizeof(ct), &n));
                assert_int_equal(n, 128);
                assert_true(rsa_unwrap(k, (enum rsa_wrap)w, ct, n, pt, sizeof(pt), &m));
                assert_int_equal(m, sizeof(secret));
                assert_memory_equal(pt, secret, m);
                /* the other padding does not unwrap it */
                assert_false(rsa_unwrap(k, (enum rsa_wrap)(1 - w), ct, n, pt, sizeof(pt), &m) && m == sizeof(secret) &&
                             !memcmp(pt, secret, m));
        }
        rsa_key_free(k);
}

static void rsa_key_from_ne_rebuilds_the_public_half(void **state)
{
        struct rsa_key *k, *pub;
        uint8_t n[RSA_MAX_BYTES], e[8], ct[RSA_MAX_BYTES], pt[RSA_MAX_BYTES];
        size_t nl, el, cl, pl;
        (void)state;
        assert_true(rsa_key_generate(&k, 2048));
        assert_true(rsa_key_ne(k, n, &nl, e, &el));
        assert_int_equal(nl, 256);
        assert_int_equal(el, 3); /* 65537 */
        assert_true(rsa_key_from_ne(&pub, n, nl, e, el));
        assert_true(rsa_wrap(pub, RSA_WRAP_OAEP_SHA256, secret, 10, ct, sizeof(ct), &cl));
        assert_false(rsa_unwrap(pub, RSA_WRAP_OAEP_SHA256, ct, cl, pt, sizeof(pt), &pl)); /* no private half */
        assert_true(rsa_unwrap(k, RSA_WRAP_OAEP_SHA256, ct, cl, pt, sizeof(pt), &pl));
        assert_memory_equal(pt, secret, 10);
        rsa_key_free(pub);
        rsa_key_free(k);
}

static void rsa_key_from_ne_rejects_short_even_or_oversized_moduli_and_bad_exponents(void **state)
{
        uint8_t n[RSA_MAX_BYTES + 1], e3[] = { 3 }, e1[] = { 1 }, e2[] = { 2 }, e5[] = { 1, 0, 0, 0, 1 };
        struct rsa_key *k = (struct rsa_key *)1;
        (void)state;
        memset(n, 0xC5, sizeof(n)); /* odd, top bit set */
        assert_false(rsa_key_from_ne(&k, n, 127, e3, 1)); /* 1016 bits */
        assert_null(k);
        assert_false(rsa_key_from_ne(&k, n, RSA_MAX_BYTES + 1, e3, 1));
        assert_false(rsa_key_from_ne(&k, n, 128, e1, 1));
        assert_false(rsa_key_from_ne(&k, n, 128, e2, 1));
        assert_false(rsa_key_from_ne(&k, n, 128, e5, 5)); /* over 32 bits */
        n[127] = 0xC4; /* even modulus */
        assert_false(rsa_key_from_ne(&k, n, 128, e3, 1));
}

static void rsa_wrap_refuses_a_message_too_long_for_the_padding_or_a_short_buffer(void **state)
{
        struct rsa_key *k;
        uint8_t msg[128] = { 0 }, ct[RSA_MAX_BYTES];
        size_t n;
        (void)state;
        assert_true(rsa_key_generate(&k, 1024));
        assert_false(rsa_wrap(k, RSA_WRAP_PKCS1_V15, msg, 118, ct, sizeof(ct), &n)); /* at most 117 */
        assert_true(rsa_wrap(k, RSA_WRAP_PKCS1_V15, msg, 117, ct, sizeof(ct), &n));
        assert_false(rsa_wrap(k, RSA_WRAP_OAEP_SHA256, msg, 63, ct, sizeof(ct), &n)); /* at most 62 */
        assert_false(rsa_wrap(k, RSA_WRAP_OAEP_SHA256, msg, 10, ct, 127, &n));
        rsa_key_free(k);
        assert_false(rsa_key_generate(&k, 512));
        assert_null(k);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(rsa_wrap_then_unwrap_round_trips_with_both_paddings),
                cmocka_unit_test(rsa_key_from_ne_rebuilds_the_public_half),
                cmocka_unit_test(rsa_key_from_ne_rejects_short_even_or_oversized_moduli_and_bad_exponents),
                cmocka_unit_test(rsa_wrap_refuses_a_message_too_long_for_the_padding_or_a_short_buffer),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
