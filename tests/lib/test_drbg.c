/* src/lib/drbg.c: HMAC_DRBG (SP 800-90A Rev.1) and the system generator.
 * The known answer is NIST's CAVP HMAC_DRBG.rsp, [SHA-256], [PredictionResistance = False],
 * no reseed, [PersonalizationStringLen = 0], [AdditionalInputLen = 0], COUNT = 0: instantiate
 * with EntropyInput || Nonce, Generate 1024 bits twice, the second is ReturnedBits. The
 * seeded stream for other seeds, labels and request sizes is checked against a Python
 * HMAC_DRBG by drbg_check.py (ctest lib_drbg_checks_with_python). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"
#include "lib/drbg.h"

static const char cavp_entropy_nonce[] = "ca851911349384bffe89de1cbdc46e6831e44d34a4fb935ee285dd14b71a7488"
                                         "659ba96c601dc69fc902940805ec0ca8";
static const char cavp_returned_bits[] = "e528e9abf2dece54d47c7e75e5fe302149f817ea9fb4bee6f4199697d04d5b89"
                                         "d54fbb978a15b5c443c9ec21036d2460b6f73ebad0dc2aba6e624abf07745bc1"
                                         "07694bb7547bb0995f70de25d6b29e2d3011bb19d27676c07162c8b5ccde0668"
                                         "961df86803482cb37ed6d5c0bb8d50cf1f50d476aa0458bdaba806f48be9dcb8";

static struct drbg *seeded(const char *seed, const char *label)
{
        struct drbg *d = NULL;
        assert_true(drbg_new_seeded(&d, (const uint8_t *)seed, strlen(seed), label));
        assert_true(drbg_is_deterministic(d));
        return d;
}

static void drbg_seeded_matches_the_nist_cavp_hmac_drbg_sha256_vector(void **state)
{
        uint8_t seed[48], want[128], out[128];
        size_t n = 0;
        struct drbg *d = NULL;
        (void)state;
        assert_true(hex_decode(cavp_entropy_nonce, seed, sizeof(seed), &n) && n == 48);
        assert_true(hex_decode(cavp_returned_bits, want, sizeof(want), &n) && n == 128);
        assert_true(drbg_new_seeded(&d, seed, sizeof(seed), ""));
        assert_true(drbg_bytes(d, out, sizeof(out)));
        assert_memory_not_equal(out, want, sizeof(out)); /* the first Generate is not the answer */
        assert_true(drbg_bytes(d, out, sizeof(out)));
        assert_memory_equal(out, want, sizeof(out));
        drbg_free(d);
}

static void drbg_seeded_gives_the_same_stream_for_the_same_seed_and_label(void **state)
{
        struct drbg *a = seeded("seed", "ccada nonces"), *b = seeded("seed", "ccada nonces");
        uint8_t x[100], y[100];
        (void)state;
        assert_true(drbg_bytes(a, x, sizeof(x)) && drbg_bytes(b, y, sizeof(y)));
        assert_memory_equal(x, y, sizeof(x));
        assert_true(drbg_bytes(a, x, sizeof(x)) && drbg_bytes(b, y, sizeof(y)));
        assert_memory_equal(x, y, sizeof(x));
        drbg_free(a), drbg_free(b);
}

static void drbg_seeded_gives_another_stream_for_another_seed_or_label(void **state)
{
        struct drbg *a = seeded("seed", "ccada nonces"), *b = seeded("seed", "ccada keys"),
                    *c = seeded("seee", "ccada nonces"), *e = seeded("seedccada", " nonces");
        uint8_t x[32], y[32], z[32], w[32];
        (void)state;
        assert_true(drbg_bytes(a, x, 32) && drbg_bytes(b, y, 32) && drbg_bytes(c, z, 32) && drbg_bytes(e, w, 32));
        assert_memory_not_equal(x, y, 32);
        assert_memory_not_equal(x, z, 32);
        assert_memory_not_equal(y, z, 32);
        /* seed || label is the seed material (drbg.h): moving bytes across the boundary
         * gives the same stream, as SP 800-90A's unframed concatenation does. */
        assert_memory_equal(x, w, 32);
        drbg_free(a), drbg_free(b), drbg_free(c), drbg_free(e);
}

static void drbg_bytes_accepts_zero_length_and_leaves_the_stream_alone(void **state)
{
        struct drbg *a = seeded("seed", "l"), *b = seeded("seed", "l"), *s = NULL;
        uint8_t x[16], y[16], untouched[4] = { 1, 2, 3, 4 };
        (void)state;
        assert_true(drbg_bytes(a, untouched, 0));
        assert_true(drbg_bytes(a, NULL, 0));
        assert_int_equal(untouched[0], 1);
        assert_true(drbg_bytes(a, x, 16) && drbg_bytes(b, y, 16));
        assert_memory_equal(x, y, 16); /* no Generate was spent on the empty requests */
        assert_true(drbg_new_system(&s));
        assert_true(drbg_bytes(s, NULL, 0));
        drbg_free(a), drbg_free(b), drbg_free(s);
}

static void drbg_bytes_splits_a_huge_request_into_sp800_90a_generates(void **state)
{
        /* 200000 bytes = Generates of 65536, 65536, 65536 and 3392, in order. */
        enum { N = 200000 };
        struct drbg *a = seeded("split", "l"), *b = seeded("split", "l"), *c = seeded("split", "l");
        uint8_t *whole = malloc(N), *parts = malloc(N), *one = malloc(N);
        (void)state;
        assert_non_null(whole), assert_non_null(parts), assert_non_null(one);
        assert_true(drbg_bytes(a, whole, N));
        for (size_t off = 0; off < N; off += DRBG_MAX_REQUEST)
                assert_true(drbg_bytes(b, parts + off, N - off < DRBG_MAX_REQUEST ? N - off : DRBG_MAX_REQUEST));
        assert_memory_equal(whole, parts, N);
        /* The caller's cuts are Generate boundaries too: 65536 then 1 byte is the same as
         * one request of 65537, but 1 then 65536 is another stream. */
        assert_true(drbg_bytes(c, one, 65536) && drbg_bytes(c, one + 65536, 1));
        assert_memory_equal(one, whole, 65537);
        struct drbg *e = seeded("split", "l");
        assert_true(drbg_bytes(e, one, 1) && drbg_bytes(e, one + 1, 65536));
        assert_int_equal(one[0], whole[0]);
        assert_memory_not_equal(one + 1, whole + 1, 65536);
        drbg_free(e);
        free(whole), free(parts), free(one);
        drbg_free(a), drbg_free(b), drbg_free(c);
}

static void drbg_system_gives_different_bytes_each_time_and_is_not_deterministic(void **state)
{
        struct drbg *s = NULL, *t = NULL;
        uint8_t x[32], y[32], z[32];
        uint8_t *big = malloc(((size_t)1 << 21) + 5);
        (void)state;
        assert_non_null(big);
        assert_true(drbg_new_system(&s) && drbg_new_system(&t));
        assert_false(drbg_is_deterministic(s));
        assert_true(drbg_bytes(s, x, 32) && drbg_bytes(s, y, 32) && drbg_bytes(t, z, 32));
        assert_memory_not_equal(x, y, 32);
        assert_memory_not_equal(x, z, 32);
        assert_true(drbg_bytes(s, big, ((size_t)1 << 21) + 5)); /* more than one RAND_bytes chunk */
        free(big);
        drbg_free(s), drbg_free(t);
}

static void drbg_new_seeded_refuses_an_empty_seed_or_no_label(void **state)
{
        struct drbg *d = (struct drbg *)&d; /* must come back NULL */
        (void)state;
        assert_false(drbg_new_seeded(&d, (const uint8_t *)"x", 0, "l"));
        assert_null(d);
        assert_false(drbg_new_seeded(&d, NULL, 4, "l"));
        assert_false(drbg_new_seeded(&d, (const uint8_t *)"x", 1, NULL));
        assert_null(d);
        drbg_free(NULL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(drbg_seeded_matches_the_nist_cavp_hmac_drbg_sha256_vector),
                cmocka_unit_test(drbg_seeded_gives_the_same_stream_for_the_same_seed_and_label),
                cmocka_unit_test(drbg_seeded_gives_another_stream_for_another_seed_or_label),
                cmocka_unit_test(drbg_bytes_accepts_zero_length_and_leaves_the_stream_alone),
                cmocka_unit_test(drbg_bytes_splits_a_huge_request_into_sp800_90a_generates),
                cmocka_unit_test(drbg_system_gives_different_bytes_each_time_and_is_not_deterministic),
                cmocka_unit_test(drbg_new_seeded_refuses_an_empty_seed_or_no_label),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
