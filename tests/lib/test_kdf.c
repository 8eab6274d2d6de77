/* src/lib/kdf.c: HMAC and HKDF over OpenSSL.
 * Known answers: RFC 4231 §4.2 (HMAC-SHA-384/512 test case 1), RFC 5869 Appendix A.1 and
 * A.3 (HKDF-SHA-256 test cases 1 and 3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/kdf.h"

static void assert_hex(const uint8_t *got, size_t n, const char *want)
{
        char hex[1025];
        hex_encode(hex, got, n);
        assert_string_equal(hex, want);
}

static void hmac_matches_rfc4231_test_case_1(void **state)
{
        uint8_t key[20], out[HASH_MAX_LEN];
        (void)state;
        memset(key, 0x0b, sizeof(key));
        assert_true(hmac_once(HASH_SHA384, key, sizeof(key), "Hi There", 8, out));
        assert_hex(out, 48, "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
                            "faea9ea9076ede7f4af152e8b2fa9cb6");
        assert_true(hmac_once(HASH_SHA512, key, sizeof(key), "Hi There", 8, out));
        assert_hex(out, 64, "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                            "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
}

static void hmac_of_a_different_key_differs(void **state)
{
        uint8_t key[20], a[HASH_MAX_LEN], b[HASH_MAX_LEN];
        (void)state;
        memset(key, 0x0b, sizeof(key));
        assert_true(hmac_once(HASH_SHA256, key, sizeof(key), "m", 1, a));
        key[19] ^= 1;
        assert_true(hmac_once(HASH_SHA256, key, sizeof(key), "m", 1, b));
        assert_memory_not_equal(a, b, 32);
}

static void hmac_accepts_an_empty_key_and_message(void **state)
{
        uint8_t out[HASH_MAX_LEN];
        (void)state;
        /* HMAC-SHA-256("", ""), computed with Python's hmac module */
        assert_true(hmac_once(HASH_SHA256, NULL, 0, NULL, 0, out));
        assert_hex(out, 32, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

static void hkdf_matches_rfc5869_test_case_1(void **state)
{
        uint8_t ikm[22], salt[13], info[10], prk[HASH_MAX_LEN], okm[42];
        (void)state;
        memset(ikm, 0x0b, sizeof(ikm));
        for (unsigned i = 0; i < sizeof(salt); i++)
                salt[i] = (uint8_t)i;
        for (unsigned i = 0; i < sizeof(info); i++)
                info[i] = (uint8_t)(0xf0 + i);
        assert_true(hkdf_extract(HASH_SHA256, salt, sizeof(salt), ikm, sizeof(ikm), prk));
        assert_hex(prk, 32, "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
        assert_true(hkdf_expand(HASH_SHA256, prk, 32, info, sizeof(info), okm, sizeof(okm)));
        assert_hex(okm, 42, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                            "34007208d5b887185865");
}

static void hkdf_with_empty_salt_and_info_matches_rfc5869_test_case_3(void **state)
{
        uint8_t ikm[22], prk[HASH_MAX_LEN], okm[42];
        (void)state;
        memset(ikm, 0x0b, sizeof(ikm));
        assert_true(hkdf_extract(HASH_SHA256, NULL, 0, ikm, sizeof(ikm), prk));
        assert_hex(prk, 32, "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
        assert_true(hkdf_expand(HASH_SHA256, prk, 32, NULL, 0, okm, sizeof(okm)));
        assert_hex(okm, 42, "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
                            "9d201395faa4b61a96c8");
}

static void hkdf_expand_refuses_short_prk_zero_and_oversized_lengths(void **state)
{
        uint8_t prk[HASH_MAX_LEN] = { 1 }, out[64];
        static uint8_t big[255 * 32 + 1];
        (void)state;
        assert_false(hkdf_expand(HASH_SHA256, prk, 31, NULL, 0, out, 32));
        assert_false(hkdf_expand(HASH_SHA256, prk, 32, NULL, 0, out, 0));
        assert_false(hkdf_expand(HASH_SHA256, prk, 32, NULL, 0, big, sizeof(big)));
        assert_true(hkdf_expand(HASH_SHA256, prk, 32, NULL, 0, big, sizeof(big) - 1));
        assert_false(hkdf_expand(HASH_SHA256, NULL, 32, NULL, 0, out, 32));
}

static void hkdf_extract_refuses_null_with_length(void **state)
{
        uint8_t out[HASH_MAX_LEN];
        (void)state;
        assert_false(hkdf_extract(HASH_SHA384, NULL, 4, (const uint8_t *)"x", 1, out));
        assert_false(hkdf_extract(HASH_SHA384, NULL, 0, NULL, 1, out));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(hmac_matches_rfc4231_test_case_1),
                cmocka_unit_test(hmac_of_a_different_key_differs),
                cmocka_unit_test(hmac_accepts_an_empty_key_and_message),
                cmocka_unit_test(hkdf_matches_rfc5869_test_case_1),
                cmocka_unit_test(hkdf_with_empty_salt_and_info_matches_rfc5869_test_case_3),
                cmocka_unit_test(hkdf_expand_refuses_short_prk_zero_and_oversized_lengths),
                cmocka_unit_test(hkdf_extract_refuses_null_with_length),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
