/* src/lib/base64.c. Known answers: RFC 4648 §10's test vectors ("", "f", "fo", "foo",
 * "foob", "fooba", "foobar"), and bytes that use the two alphabets' differing characters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/base64.h"

static const struct {
        const char *plain, *std, *url;
} rfc4648[] = {
        { "", "", "" },
        { "f", "Zg==", "Zg" },
        { "fo", "Zm8=", "Zm8" },
        { "foo", "Zm9v", "Zm9v" },
        { "foob", "Zm9vYg==", "Zm9vYg" },
        { "fooba", "Zm9vYmE=", "Zm9vYmE" },
        { "foobar", "Zm9vYmFy", "Zm9vYmFy" },
};

static void b64url_encode_matches_rfc4648_vectors_without_padding(void **state)
{
        char out[16];
        (void)state;
        for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
                size_t n = strlen(rfc4648[i].plain);
                assert_int_equal(b64url_len(n), strlen(rfc4648[i].url) + 1);
                assert_true(b64url_encode((const uint8_t *)rfc4648[i].plain, n, out, sizeof(out)));
                assert_string_equal(out, rfc4648[i].url);
        }
}

static void b64_encode_matches_rfc4648_vectors_with_padding(void **state)
{
        char out[16];
        (void)state;
        for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
                assert_true(b64_encode((const uint8_t *)rfc4648[i].plain, strlen(rfc4648[i].plain), out, sizeof(out)));
                assert_string_equal(out, rfc4648[i].std);
        }
        assert_false(b64_encode((const uint8_t *)"foo", 3, out, 4)); /* needs 5 */
}

static void b64_and_b64url_decode_match_rfc4648_vectors(void **state)
{
        uint8_t out[16];
        size_t n;
        (void)state;
        for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
                const char *p = rfc4648[i].plain;
                assert_true(b64_decode(rfc4648[i].std, strlen(rfc4648[i].std), out, sizeof(out), &n));
                assert_int_equal(n, strlen(p));
                assert_memory_equal(out, p, n);
                assert_true(b64url_decode(rfc4648[i].url, strlen(rfc4648[i].url), out, sizeof(out), &n));
                assert_int_equal(n, strlen(p));
                assert_memory_equal(out, p, n);
                assert_true(b64url_decode(rfc4648[i].std, strlen(rfc4648[i].std), out, sizeof(out), &n)); /* padded */
                assert_int_equal(n, strlen(p));
        }
}

static void b64url_uses_minus_and_underscore_where_b64_has_plus_and_slash(void **state)
{
        static const uint8_t bytes[] = { 0xfb, 0xff, 0xbf };
        char out[8];
        uint8_t back[3];
        size_t n;
        (void)state;
        assert_true(b64url_encode(bytes, 3, out, sizeof(out)));
        assert_string_equal(out, "-_-_");
        assert_true(b64url_decode("-_-_", 4, back, sizeof(back), &n));
        assert_memory_equal(back, bytes, 3);
        assert_true(b64_decode("+/+/", 4, back, sizeof(back), &n));
        assert_memory_equal(back, bytes, 3);
        assert_false(b64url_decode("+/+/", 4, back, sizeof(back), &n)); /* the other alphabet */
        assert_false(b64_decode("-_-_", 4, back, sizeof(back), &n));
}

static void base64_decoders_reject_malformed_text(void **state)
{
        uint8_t out[16];
        size_t n = 42;
        (void)state;
        assert_false(b64url_decode("Z", 1, out, sizeof(out), &n));          /* no encoding is 1 mod 4 */
        assert_false(b64url_decode("Zm 9v", 5, out, sizeof(out), &n));      /* white space */
        assert_false(b64url_decode("Zm=9v", 5, out, sizeof(out), &n));      /* padding inside */
        assert_false(b64url_decode("Zh", 2, out, sizeof(out), &n));         /* unused bits set ("Zg" is "f") */
        assert_false(b64_decode("Zm9", 3, out, sizeof(out), &n));           /* unpadded standard */
        assert_false(b64_decode("Z===", 4, out, sizeof(out), &n));
        assert_false(b64_decode("Zm9vYmFy", 8, out, 5, &n));                /* 6 bytes into 5 */
        assert_int_equal(n, 42);
}

static void b64url_encode_refuses_a_short_buffer(void **state)
{
        char out[4];
        (void)state;
        assert_false(b64url_encode((const uint8_t *)"foo", 3, out, sizeof(out))); /* needs 5 */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(b64url_encode_matches_rfc4648_vectors_without_padding),
                cmocka_unit_test(b64_encode_matches_rfc4648_vectors_with_padding),
                cmocka_unit_test(b64_and_b64url_decode_match_rfc4648_vectors),
                cmocka_unit_test(b64url_uses_minus_and_underscore_where_b64_has_plus_and_slash),
                cmocka_unit_test(base64_decoders_reject_malformed_text),
                cmocka_unit_test(b64url_encode_refuses_a_short_buffer),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
