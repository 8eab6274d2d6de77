/* src/lib/ec.c: EC keys and ECDSA over OpenSSL.
 * Known answers come from Python's `cryptography` (38.0, /usr/bin/python3), not from this
 * code: the derived public points were computed by the rule in ec.h with hashlib.sha512 and
 * ec.derive_private_key; the ECDSA signature was made by cryptography's ECDSA(SHA384) with
 * the private scalar 0x1234567890abcdef repeated (P-384) and converted to r || s with
 * utils.decode_dss_signature. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/ec.h"

static void unhex(const char *hex, uint8_t *out, size_t n)
{
        size_t len = 0;
        assert_true(hex_decode(hex, out, n, &len));
        assert_int_equal(len, n);
}

static const char kat_p384_point[] =
        "04bfb4d4ea06d1ae17b914c86c677f3e59ef304070d5b537a051e47603d90da1715b94feda256d48a08091e720c03b97d5"
        "625cc4724d254809d52d99f8497951bfbf796aa5626021d3cf9326cb0da8cbc8b4c89e689ac0ef65809b090013a05833";
static const char kat_p256_point[] =
        "042f3b62959a3683f1d2b16400077e265b1dd1620b2bbf9f2860ff797b30a0fc393b683593b0f64d5f30bb8d836de51a1e"
        "b67bc9eea1a554ff5cff8e38ad4f2d32";

/* The signer's public key and its signature over "ccada ECDSA KAT" (SHA-384). */
static const char kat_sig_point[] =
        "04d14d023e2d61d6f45b8112d8e12583523cb28a45a6ce3dc2002a70613c5bf368be183574cf8e0ed669674a414a4695"
        "9361f70c34a0e9fafc29df08b675f60251210867433a516a51cb5a59098973d0a62059f458659eee384552af972ab5b7aa";
static const char kat_sig[] =
        "977f7e1d23adefcd42d79f61a92a7e63b7d11b124c4f5c2e0d25a71b0125de07396dc13fcf260b539d4cc1387f682604"
        "7ba98df3c67e5ff28f2c9acfb7b5df2f67639f4715d6fb8e9e9e57c788e96e8483d1aa76a9cc4d0d6956671733038740";
static const char kat_sig_pem[] = "-----BEGIN PUBLIC KEY-----\n"
                                  "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE0U0CPi1h1vRbgRLY4SWDUjyyikWmzj3C\n"
                                  "ACpwYTxb82i+GDV0z44O1mlnSkFKRpWTYfcMNKDp+vwp3wi2dfYCUSEIZ0M6UWpR\n"
                                  "y1pZCYlz0KYgWfRYZZ7uOEVSr5cqtbeq\n"
                                  "-----END PUBLIC KEY-----\n";
static const uint8_t kat_msg[] = "ccada ECDSA KAT";

static void expect_point(const struct ec_key *k, const char *hex)
{
        uint8_t want[EC_POINT_MAX], got[EC_POINT_MAX];
        size_t n = strlen(hex) / 2, len = 0;
        unhex(hex, want, n);
        assert_true(ec_key_point(k, got, sizeof(got), &len));
        assert_int_equal(len, n);
        assert_memory_equal(got, want, n);
}

static void ec_key_derive_matches_an_independent_computation(void **state)
{
        struct ec_key *k;
        (void)state;
        assert_true(ec_key_derive(&k, EC_P384, (const uint8_t *)"ccada-kat-seed", 14, "ccada IAK"));
        assert_true(ec_key_has_private(k));
        expect_point(k, kat_p384_point);
        ec_key_free(k);
        assert_true(ec_key_derive(&k, EC_P256, (const uint8_t *)"\x00\x01\x02\x03", 4, "ccada test"));
        expect_point(k, kat_p256_point);
        ec_key_free(k);
}

static void ec_key_derive_gives_another_key_for_another_label_or_seed(void **state)
{
        struct ec_key *a, *b, *c;
        uint8_t pa[EC_POINT_MAX], pb[EC_POINT_MAX], pc[EC_POINT_MAX];
        size_t n;
        (void)state;
        assert_true(ec_key_derive(&a, EC_P384, (const uint8_t *)"seed", 4, "ccada IAK"));
        assert_true(ec_key_derive(&b, EC_P384, (const uint8_t *)"seed", 4, "ccada RAK"));
        assert_true(ec_key_derive(&c, EC_P384, (const uint8_t *)"seee", 4, "ccada IAK"));
        assert_true(ec_key_point(a, pa, sizeof(pa), &n) && ec_key_point(b, pb, sizeof(pb), &n) &&
                    ec_key_point(c, pc, sizeof(pc), &n));
        assert_memory_not_equal(pa, pb, 97);
        assert_memory_not_equal(pa, pc, 97);
        ec_key_free(a);
        ec_key_free(b);
        ec_key_free(c);
}

/* The independent signer's public key, and its signature over kat_msg into sig. */
static struct ec_key *kat_signer(uint8_t sig[96])
{
        uint8_t point[97];
        struct ec_key *k;
        unhex(kat_sig_point, point, sizeof(point));
        unhex(kat_sig, sig, 96);
        assert_true(ec_key_from_point(&k, EC_P384, point, sizeof(point)));
        return k;
}

static void ec_verify_accepts_an_independent_signature(void **state)
{
        uint8_t sig[96];
        struct ec_key *k = kat_signer(sig);
        (void)state;
        assert_false(ec_key_has_private(k));
        assert_true(ec_verify(k, HASH_SHA384, kat_msg, sizeof(kat_msg) - 1, sig, sizeof(sig)));
        ec_key_free(k);
}

static void ec_verify_rejects_a_changed_message_signature_or_length(void **state)
{
        uint8_t sig[96];
        struct ec_key *k = kat_signer(sig);
        (void)state;
        assert_false(ec_verify(k, HASH_SHA384, kat_msg, sizeof(kat_msg) - 2, sig, sizeof(sig)));
        assert_false(ec_verify(k, HASH_SHA512, kat_msg, sizeof(kat_msg) - 1, sig, sizeof(sig)));
        assert_false(ec_verify(k, HASH_SHA384, kat_msg, sizeof(kat_msg) - 1, sig, sizeof(sig) - 1));
        for (size_t i = 0; i < sizeof(sig); i += 7) {
                sig[i] ^= 0x40;
                assert_false(ec_verify(k, HASH_SHA384, kat_msg, sizeof(kat_msg) - 1, sig, sizeof(sig)));
                sig[i] ^= 0x40;
        }
        memset(sig, 0, sizeof(sig)); /* r = s = 0 is never a signature */
        assert_false(ec_verify(k, HASH_SHA384, kat_msg, sizeof(kat_msg) - 1, sig, sizeof(sig)));
        ec_key_free(k);
}

static void ec_sign_then_verify_round_trips_on_both_curves(void **state)
{
        static const enum ec_curve curves[] = { EC_P256, EC_P384 };
        (void)state;
        for (size_t i = 0; i < 2; i++) {
                struct ec_key *k, *other;
                uint8_t sig[EC_SIG_MAX];
                size_t n = 0;
                assert_true(ec_key_generate(&k, curves[i]));
                assert_true(ec_key_derive(&other, curves[i], (const uint8_t *)"x", 1, "other"));
                assert_true(ec_sign(k, HASH_SHA384, kat_msg, 5, sig, sizeof(sig), &n));
                assert_int_equal(n, ec_sig_len(curves[i]));
                assert_true(ec_verify(k, HASH_SHA384, kat_msg, 5, sig, n));
                assert_false(ec_verify(other, HASH_SHA384, kat_msg, 5, sig, n));
                assert_false(ec_sign(k, HASH_SHA384, kat_msg, 5, sig, n - 1, &n)); /* short buffer */
                ec_key_free(k);
                ec_key_free(other);
        }
}

static void ec_sign_refuses_a_public_key(void **state)
{
        uint8_t point[97], sig[96];
        size_t n;
        struct ec_key *k;
        (void)state;
        unhex(kat_sig_point, point, sizeof(point));
        assert_true(ec_key_from_point(&k, EC_P384, point, sizeof(point)));
        assert_false(ec_sign(k, HASH_SHA384, kat_msg, 5, sig, sizeof(sig), &n));
        ec_key_free(k);
}

static void ec_key_from_point_rejects_points_off_the_curve_or_misencoded(void **state)
{
        uint8_t point[97];
        struct ec_key *k = (struct ec_key *)1;
        (void)state;
        unhex(kat_sig_point, point, sizeof(point));
        assert_false(ec_key_from_point(&k, EC_P384, point, 96));
        assert_null(k);
        assert_false(ec_key_from_point(&k, EC_P256, point, 97));
        point[0] = 0x02;
        assert_false(ec_key_from_point(&k, EC_P384, point, 97));
        point[0] = 0x04;
        point[96] ^= 1; /* y no longer on the curve */
        assert_false(ec_key_from_point(&k, EC_P384, point, 97));
        assert_null(k);
}

static void ec_key_from_pem_reads_an_independent_public_key(void **state)
{
        uint8_t sig[96];
        char why[EC_WHY_LEN];
        struct ec_key *k;
        (void)state;
        unhex(kat_sig, sig, sizeof(sig));
        assert_true(ec_key_from_pem(&k, kat_sig_pem, strlen(kat_sig_pem), why));
        assert_int_equal(ec_key_curve(k), EC_P384);
        expect_point(k, kat_sig_point);
        assert_true(ec_verify(k, HASH_SHA384, kat_msg, sizeof(kat_msg) - 1, sig, sizeof(sig)));
        ec_key_free(k);
}

static void ec_key_pem_export_round_trips_public_and_private(void **state)
{
        struct ec_key *k, *pub, *priv;
        char *pem_pub, *pem_priv, why[EC_WHY_LEN];
        uint8_t sig[96];
        size_t n;
        (void)state;
        assert_true(ec_key_derive(&k, EC_P384, (const uint8_t *)"ccada-kat-seed", 14, "ccada IAK"));
        assert_true(ec_key_public_pem(k, &pem_pub));
        assert_true(ec_key_private_pem(k, &pem_priv));
        assert_non_null(strstr(pem_pub, "BEGIN PUBLIC KEY"));
        assert_true(ec_key_from_pem(&pub, pem_pub, strlen(pem_pub), why));
        assert_true(ec_key_from_pem(&priv, pem_priv, strlen(pem_priv), why));
        assert_false(ec_key_has_private(pub));
        assert_true(ec_key_has_private(priv));
        expect_point(pub, kat_p384_point);
        assert_true(ec_sign(priv, HASH_SHA384, kat_msg, 5, sig, sizeof(sig), &n));
        assert_true(ec_verify(pub, HASH_SHA384, kat_msg, 5, sig, n));
        char *none = NULL;
        assert_false(ec_key_private_pem(pub, &none));
        assert_null(none);
        secure_zero(pem_priv, strlen(pem_priv));
        free(pem_priv);
        free(pem_pub);
        ec_key_free(k);
        ec_key_free(pub);
        ec_key_free(priv);
}

static void ec_key_from_pem_says_why_it_refuses(void **state)
{
        static const char garbage[] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        static const char rsa[] = "-----BEGIN PUBLIC KEY-----\n"
                                  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCl9W4sUqhhkzqUi5CPbaI7W7Kp\n"
                                  "oAQLEitEXetPN+wjFngogKisXjObNQiMm94o/IkrRcCqwakJ3iYr1dMExqszugSS\n"
                                  "HNnEOWQRGTbUsAokc036hKt31iwPOr/dq6QjkgYpB06FtqoMfVUTK2093cck3BhE\n"
                                  "KWMCHZFbwORK8JZitQIDAQAB\n"
                                  "-----END PUBLIC KEY-----\n";
        char why[EC_WHY_LEN];
        struct ec_key *k;
        (void)state;
        assert_false(ec_key_from_pem(&k, garbage, strlen(garbage), why));
        assert_non_null(strstr(why, "not a PEM public key"));
        assert_false(ec_key_from_pem(&k, "", 0, why));
        assert_false(ec_key_from_pem(&k, rsa, strlen(rsa), why)); /* Python's RSA-1024 */
        assert_non_null(strstr(why, "not an EC key"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(ec_key_derive_matches_an_independent_computation),
                cmocka_unit_test(ec_key_derive_gives_another_key_for_another_label_or_seed),
                cmocka_unit_test(ec_verify_accepts_an_independent_signature),
                cmocka_unit_test(ec_verify_rejects_a_changed_message_signature_or_length),
                cmocka_unit_test(ec_sign_then_verify_round_trips_on_both_curves),
                cmocka_unit_test(ec_sign_refuses_a_public_key),
                cmocka_unit_test(ec_key_from_point_rejects_points_off_the_curve_or_misencoded),
                cmocka_unit_test(ec_key_from_pem_reads_an_independent_public_key),
                cmocka_unit_test(ec_key_pem_export_round_trips_public_and_private),
                cmocka_unit_test(ec_key_from_pem_says_why_it_refuses),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
