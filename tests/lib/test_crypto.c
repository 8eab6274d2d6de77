/* src/lib/crypto.c: SHA-2 over OpenSSL, hex encoding.
 * Known answers: FIPS 180-2 Appendix B (SHA-256 "abc"), C (SHA-512 "abc"), D (SHA-384
 * "abc"); empty-message digests from NIST's SHA-2 example values (csrc.nist.gov, "Examples
 * with intermediate values"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/crypto.h"

struct kat {
        enum hash_alg alg;
        const char *msg;
        const char *hex;
};

static const struct kat kats[] = {
        { HASH_SHA256, "abc",
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { HASH_SHA384, "abc",
          "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
          "8086072ba1e7cc2358baeca134c825a7" },
        { HASH_SHA512, "abc",
          "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
          "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
        { HASH_SHA256, "",
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { HASH_SHA384, "",
          "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da"
          "274edebfe76f65fbd51ad2f14898b95b" },
        { HASH_SHA512, "",
          "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
          "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
};

static void hash_once_matches_fips_180_2_known_answers(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
                uint8_t md[HASH_MAX_LEN];
                char hex[2 * HASH_MAX_LEN + 1];
                const struct kat *k = &kats[i];

                assert_true(hash_once(k->alg, k->msg, strlen(k->msg), md));
                hex_encode(hex, md, hash_len(k->alg));
                assert_string_equal(hex, k->hex);
        }
}

static void hash_once_of_null_empty_input_is_empty_digest(void **state)
{
        uint8_t md[HASH_MAX_LEN];
        char hex[2 * HASH_MAX_LEN + 1];

        (void)state;
        assert_true(hash_once(HASH_SHA256, NULL, 0, md));
        hex_encode(hex, md, 32);
        assert_string_equal(hex, kats[3].hex);
}

static void hash_incremental_equals_one_shot(void **state)
{
        uint8_t msg[1000];
        uint8_t one[HASH_MAX_LEN];
        uint8_t inc[HASH_MAX_LEN];
        static const enum hash_alg algs[] = { HASH_SHA256, HASH_SHA384, HASH_SHA512 };

        (void)state;
        for (size_t i = 0; i < sizeof(msg); i++)
                msg[i] = (uint8_t)(i * 7 + 3);
        for (size_t a = 0; a < 3; a++) {
                struct hash_ctx *h;
                assert_true(hash_once(algs[a], msg, sizeof(msg), one));
                assert_true(hash_begin(&h, algs[a]));
                /* uneven pieces crossing block boundaries, and an empty one */
                assert_true(hash_update(h, msg, 1));
                assert_true(hash_update(h, msg + 1, 0));
                assert_true(hash_update(h, msg + 1, 200));
                assert_true(hash_update(h, msg + 201, sizeof(msg) - 201));
                assert_true(hash_end(h, inc));
                assert_memory_equal(one, inc, hash_len(algs[a]));
        }
}

/* One hasher, many digests: each matches the known answer, whatever came before it. */
static void hasher_reused_matches_known_answers_every_time(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
                const struct kat *k = &kats[i];
                struct hasher *h;
                assert_true(hasher_new(&h, k->alg));
                assert_int_equal(hasher_alg(h), k->alg);
                for (int round = 0; round < 3; round++) {
                        uint8_t md[HASH_MAX_LEN];
                        char hex[2 * HASH_MAX_LEN + 1];
                        uint8_t other[300] = { 1 };
                        assert_true(hasher_digest(h, other, sizeof(other), md)); /* in between */
                        assert_true(hasher_digest(h, k->msg, strlen(k->msg), md));
                        hex_encode(hex, md, hash_len(k->alg));
                        assert_string_equal(hex, k->hex);
                }
                hasher_free(h);
        }
}

static void hasher_with_unknown_algorithm_fails_and_free_of_null_is_a_no_op(void **state)
{
        struct hasher *h = (struct hasher *)&h;
        (void)state;
        assert_false(hasher_new(&h, (enum hash_alg)99));
        assert_null(h);
        hasher_free(NULL);
}

static void hash_len_and_name_per_algorithm(void **state)
{
        (void)state;
        assert_int_equal(hash_len(HASH_SHA256), 32);
        assert_int_equal(hash_len(HASH_SHA384), 48);
        assert_int_equal(hash_len(HASH_SHA512), 64);
        assert_string_equal(hash_alg_name(HASH_SHA256), "sha-256");
        assert_string_equal(hash_alg_name(HASH_SHA384), "sha-384");
        assert_string_equal(hash_alg_name(HASH_SHA512), "sha-512");
}

static void hash_begin_with_unknown_algorithm_fails(void **state)
{
        struct hash_ctx *h = (struct hash_ctx *)&h;

        (void)state;
        assert_false(hash_begin(&h, (enum hash_alg)99));
        assert_null(h);
        assert_int_equal(hash_len((enum hash_alg)99), 0);
}

static void hex_encode_writes_lower_case_and_terminates(void **state)
{
        static const uint8_t in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
        char out[2 * sizeof(in) + 2];

        (void)state;
        memset(out, 'X', sizeof(out));
        hex_encode(out, in, sizeof(in));
        assert_string_equal(out, "00017f80abff");
        assert_int_equal(out[2 * sizeof(in) + 1], 'X');  /* nothing past the NUL */
        hex_encode(out, in, 0);
        assert_string_equal(out, "");
}

static void hex_decode_reads_either_case_and_inverts_hex_encode(void **state)
{
        uint8_t out[4], back[4] = { 0x00, 0xab, 0xCD, 0x7f };
        char hex[9];
        size_t n = 99;
        (void)state;
        assert_true(hex_decode("00aBCd7F", out, sizeof(out), &n));
        assert_int_equal(n, 4);
        assert_memory_equal(out, back, 4);
        hex_encode(hex, out, 4);
        assert_string_equal(hex, "00abcd7f");
        assert_true(hex_decode("", out, sizeof(out), &n));
        assert_int_equal(n, 0);
}

static void hex_decode_rejects_odd_length_bad_digits_and_overflow(void **state)
{
        uint8_t out[2];
        size_t n = 7;
        (void)state;
        assert_false(hex_decode("abc", out, sizeof(out), &n));
        assert_false(hex_decode("0g", out, sizeof(out), &n));
        assert_false(hex_decode("0x12", out, sizeof(out), &n));
        assert_false(hex_decode("a b ", out, sizeof(out), &n));
        assert_false(hex_decode("010203", out, sizeof(out), &n)); /* 3 bytes into 2 */
        assert_int_equal(n, 7); /* untouched on failure */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(hex_decode_reads_either_case_and_inverts_hex_encode),
                cmocka_unit_test(hex_decode_rejects_odd_length_bad_digits_and_overflow),
                cmocka_unit_test(hash_once_matches_fips_180_2_known_answers),
                cmocka_unit_test(hash_once_of_null_empty_input_is_empty_digest),
                cmocka_unit_test(hash_incremental_equals_one_shot),
                cmocka_unit_test(hasher_reused_matches_known_answers_every_time),
                cmocka_unit_test(hasher_with_unknown_algorithm_fails_and_free_of_null_is_a_no_op),
                cmocka_unit_test(hash_len_and_name_per_algorithm),
                cmocka_unit_test(hash_begin_with_unknown_algorithm_fails),
                cmocka_unit_test(hex_encode_writes_lower_case_and_terminates),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
