/* src/lib/ec.c: EC keys and ECDSA over OpenSSL.
 * Known answers come from Python's `cryptography` (38.0, /usr/bin/python3), not from this
 * code: the derived public points were computed by the rule in ec.h with hashlib.sha512 and
 * ec.derive_private_key; the ECDSA signature was made by cryptography's ECDSA(SHA384) with
 * the private scalar 0x1234567890abcdef repeated (P-384) and converted to r || s with
 * utils.decode_dss_signature.
 * The ECDH known answers are RFC 5903 §8.1 (256-bit random ECP group) and §8.2 (384-bit):
 * the initiator's i and g^i, the responder's r and g^r, and g^ir's x coordinate, as the RFC
 * prints them (copied from its text; cross-checked once with cryptography's
 * ec.derive_private_key and ECDH exchange, which agree on every value). */
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

/* RFC 5903 §8.1 and §8.2. */
struct ecdh_vector {
        enum ec_curve curve;
        const char *i, *gi, *r, *gr, *girx;
};

static const struct ecdh_vector rfc5903[] = {
        { EC_P256, "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
          "04DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
          "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
          "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
          "04D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
          "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
          "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE" },
        { EC_P384,
          "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655E35B538041E649EE3FAEF896783AB194",
          "04667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6DE3AC808ACB4BDB4C88732AEE95F41AA"
          "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38EEB9FCFF3C2C947DAE69B4C634573A81C",
          "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942E0308312916B8ED2960E4BD55A7448FC",
          "04E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D0D1AC43A0336DEF96FDA41D0774A3571"
          "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FFF83FA40142209DFF5EAAD96DB9E6386C",
          "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4D603135569B9E9D09CF5D4A270F59746" },
};

static struct ec_key *scalar_key(enum ec_curve c, const char *hex)
{
        uint8_t d[EC_COORD_MAX];
        struct ec_key *k = NULL;
        unhex(hex, d, ec_coord_len(c));
        assert_true(ec_key_from_scalar(&k, c, d, ec_coord_len(c)));
        assert_true(ec_key_has_private(k));
        return k;
}

static void ec_key_from_scalar_gives_the_rfc5903_public_points(void **state)
{
        (void)state;
        for (size_t v = 0; v < sizeof(rfc5903) / sizeof(rfc5903[0]); v++) {
                struct ec_key *i = scalar_key(rfc5903[v].curve, rfc5903[v].i);
                struct ec_key *r = scalar_key(rfc5903[v].curve, rfc5903[v].r);
                expect_point(i, rfc5903[v].gi);
                expect_point(r, rfc5903[v].gr);
                ec_key_free(i);
                ec_key_free(r);
        }
}

static void ec_key_from_scalar_rejects_zero_the_order_and_wrong_lengths(void **state)
{
        /* n of P-256 (FIPS 186-5 / SP 800-186 §3.2.1.3) and n-1 */
        static const char n256[] = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
        static const char n256m1[] = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632550";
        uint8_t d[EC_COORD_MAX] = { 0 };
        struct ec_key *k = (struct ec_key *)d; /* must come back NULL */
        (void)state;
        assert_false(ec_key_from_scalar(&k, EC_P256, d, 32)); /* zero */
        assert_null(k);
        unhex(n256, d, 32);
        assert_false(ec_key_from_scalar(&k, EC_P256, d, 32));
        assert_null(k);
        memset(d, 0xff, sizeof(d));
        assert_false(ec_key_from_scalar(&k, EC_P256, d, 32)); /* above n */
        assert_false(ec_key_from_scalar(&k, EC_P384, d, 48)); /* above n of P-384 too */
        d[0] = 1;
        assert_false(ec_key_from_scalar(&k, EC_P256, d, 31)); /* short */
        assert_false(ec_key_from_scalar(&k, EC_P256, d, 48)); /* a P-384 length */
        assert_false(ec_key_from_scalar(&k, EC_P384, d, 32));
        memset(d, 0, sizeof(d));
        d[31] = 1; /* 1, the smallest scalar: G itself */
        assert_true(ec_key_from_scalar(&k, EC_P256, d, 32));
        expect_point(k, "046B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
                        "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5");
        ec_key_free(k);
        unhex(n256m1, d, 32);
        assert_true(ec_key_from_scalar(&k, EC_P256, d, 32));
        ec_key_free(k);
}

static void ec_ecdh_gives_the_rfc5903_shared_x_from_both_sides(void **state)
{
        (void)state;
        for (size_t v = 0; v < sizeof(rfc5903) / sizeof(rfc5903[0]); v++) {
                enum ec_curve c = rfc5903[v].curve;
                size_t coord = ec_coord_len(c), n1 = 0, n2 = 0;
                uint8_t want[EC_COORD_MAX], s1[EC_COORD_MAX], s2[EC_COORD_MAX], gr[EC_POINT_MAX], gi[EC_POINT_MAX];
                struct ec_key *i = scalar_key(c, rfc5903[v].i), *r = scalar_key(c, rfc5903[v].r), *pi, *pr;
                unhex(rfc5903[v].girx, want, coord);
                unhex(rfc5903[v].gi, gi, ec_point_len(c));
                unhex(rfc5903[v].gr, gr, ec_point_len(c));
                /* each side holds only the other's public value, as on the wire */
                assert_true(ec_key_from_point(&pi, c, gi, ec_point_len(c)));
                assert_true(ec_key_from_point(&pr, c, gr, ec_point_len(c)));
                assert_true(ec_ecdh(i, pr, s1, sizeof(s1), &n1));
                assert_true(ec_ecdh(r, pi, s2, coord, &n2)); /* cap exactly the coordinate */
                assert_int_equal(n1, coord);
                assert_int_equal(n2, coord);
                assert_memory_equal(s1, want, coord);
                assert_memory_equal(s2, want, coord);
                ec_key_free(i), ec_key_free(r), ec_key_free(pi), ec_key_free(pr);
        }
}

static void ec_ecdh_pads_a_short_x_coordinate_with_leading_zeroes(void **state)
{
        /* d * (1 * G) = d * G: with the scalar 1 on one side the shared x is the other side's
         * public x. 379 * G is the first multiple of G on P-256 whose x has a zero first byte
         * (found with cryptography's ec.derive_private_key; x printed by it). */
        static const char x379[] = "005543894af3d00ed7d740abdbd75c96b06877b787db5f70eea78b90a8d7c00a";
        uint8_t one[32] = { 0 }, d[32] = { 0 }, want[32], s1[32], s2[32];
        struct ec_key *a, *b;
        size_t n1 = 0, n2 = 0;
        (void)state;
        one[31] = 1;
        d[30] = 379 >> 8, d[31] = 379 & 0xff;
        unhex(x379, want, sizeof(want));
        assert_true(ec_key_from_scalar(&a, EC_P256, one, 32) && ec_key_from_scalar(&b, EC_P256, d, 32));
        assert_true(ec_ecdh(a, b, s1, sizeof(s1), &n1) && ec_ecdh(b, a, s2, sizeof(s2), &n2));
        assert_int_equal(n1, 32);
        assert_int_equal(n2, 32);
        assert_memory_equal(s1, want, 32);
        assert_memory_equal(s2, want, 32);
        ec_key_free(a), ec_key_free(b);
}

static void ec_ecdh_refuses_mismatched_curves_public_keys_and_short_buffers(void **state)
{
        struct ec_key *a256 = scalar_key(EC_P256, rfc5903[0].i), *b384 = scalar_key(EC_P384, rfc5903[1].r), *pub;
        uint8_t point[EC_POINT_MAX], s[EC_COORD_MAX], untouched[EC_COORD_MAX];
        size_t n = 7, len = 0;
        (void)state;
        memset(s, 0xa5, sizeof(s));
        memcpy(untouched, s, sizeof(s));
        assert_false(ec_ecdh(a256, b384, s, sizeof(s), &n)); /* P-256 with P-384 */
        assert_false(ec_ecdh(b384, a256, s, sizeof(s), &n));
        assert_true(ec_key_point(a256, point, sizeof(point), &len));
        assert_true(ec_key_from_point(&pub, EC_P256, point, len));
        assert_false(ec_ecdh(pub, a256, s, sizeof(s), &n)); /* no private key */
        assert_false(ec_ecdh(a256, pub, s, 31, &n));         /* one byte short */
        assert_int_equal(n, 7);
        assert_memory_equal(s, untouched, sizeof(s));
        assert_true(ec_ecdh(a256, pub, s, 32, &n)); /* with itself: legal, and the control */
        ec_key_free(a256), ec_key_free(b384), ec_key_free(pub);
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
                cmocka_unit_test(ec_key_from_scalar_gives_the_rfc5903_public_points),
                cmocka_unit_test(ec_key_from_scalar_rejects_zero_the_order_and_wrong_lengths),
                cmocka_unit_test(ec_ecdh_gives_the_rfc5903_shared_x_from_both_sides),
                cmocka_unit_test(ec_ecdh_pads_a_short_x_coordinate_with_leading_zeroes),
                cmocka_unit_test(ec_ecdh_refuses_mismatched_curves_public_keys_and_short_buffers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
