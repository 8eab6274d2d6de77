/* src/lib/x509_chain.c: SPDM certificate chains verified against a trust anchor.
 * Known answers: libspdm's public ECP384 test certificates as the DMTF emulator sent them
 * (tests/kat/spdm12-emu-session/certs, README.md there), verified at 2026-12-02; the leaf's
 * point is kat.json certificates.slot_0.leaf_public_key_uncompressed, which the recording's
 * generator took from the chain with Python's cryptography. Chains with other keys (RSA,
 * P-521, a non-CA issuer) are made here with OpenSSL's X509 API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/x509_chain.h"

#define KAT_CERTS CCADA_KAT_DIR "/spdm12-emu-session/certs/"

static const time_t at_2026_12_02 = 1796169600; /* 2026-12-02 00:00:00 UTC */
static const time_t at_2023_01_01 = 1672531200; /* before the root's notBefore (2023-04-20) */
static const time_t at_2023_06_01 = 1685577600; /* root and intermediate valid, leaf not yet */
static const time_t at_2034_01_01 = 2019686400; /* after every notAfter (2033) */

/* kat.json certificates.slot_0 (and slot_1: the same key) leaf_public_key_uncompressed */
static const char kat_leaf_point[] =
        "040d1cb9201cdcedc864e970a36212dad4fe5994cebdaed7d294e4e3118878b988c0ed5be1414adf28db490f38815268b5"
        "4c6a110b58b19cc14d4741141f6dd657aca39fd1b964de0711e83178de753ab72c1556eaf52063930f33a971a37e7819";

struct blob {
        uint8_t *p;
        size_t n;
};

static struct blob load(const char *name)
{
        char path[512];
        struct blob b = { NULL, 0 };
        snprintf(path, sizeof(path), "%s%s", KAT_CERTS, name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        b.p = malloc(4096);
        assert_non_null(b.p);
        b.n = fread(b.p, 1, 4096, f);
        assert_true(b.n > 0 && b.n < 4096);
        fclose(f);
        return b;
}

static struct blob cat(struct blob a, struct blob b)
{
        struct blob c = { malloc(a.n + b.n + 1), a.n + b.n };
        assert_non_null(c.p);
        memcpy(c.p, a.p, a.n);
        memcpy(c.p + a.n, b.p, b.n);
        return c;
}

static bool verify(struct blob chain, struct blob anchor, time_t at, char *why)
{
        struct x509_chain_result r;
        bool ok = x509_chain_verify(chain.p, chain.n, anchor.p, anchor.n, at, &r, why);
        if (!ok)
                assert_null(r.leaf_key); /* nothing half-filled */
        x509_chain_result_clear(&r);
        return ok;
}

static void expect_refusal(struct blob chain, struct blob anchor, time_t at, const char *why_part)
{
        char why[X509_CHAIN_WHY_LEN] = "";
        assert_false(verify(chain, anchor, at, why));
        if (!strstr(why, why_part))
                fail_msg("why = \"%s\", expected it to contain \"%s\"", why, why_part);
}

static void x509_chain_verify_accepts_the_libspdm_slot0_chain_and_gives_its_leaf_key(void **state)
{
        struct blob chain = load("bundle_responder.certchain.der"), ca = load("ca.cert.der");
        struct x509_chain_result r;
        char why[X509_CHAIN_WHY_LEN] = "";
        uint8_t want[EC_POINT_MAX], got[EC_POINT_MAX];
        size_t n = 0;
        (void)state;
        assert_int_equal(chain.n, 1539);
        if (!x509_chain_verify(chain.p, chain.n, ca.p, ca.n, at_2026_12_02, &r, why))
                fail_msg("%s", why);
        assert_int_equal(r.count, 3);
        assert_string_equal(r.leaf_subject, "CN=DMTF libspdm ECP384 responder cert");
        assert_string_equal(r.root_subject, "CN=DMTF libspdm ECP384 CA");
        assert_int_equal(ec_key_curve(r.leaf_key), EC_P384);
        assert_false(ec_key_has_private(r.leaf_key));
        assert_true(hex_decode(kat_leaf_point, want, sizeof(want), &n) && n == 97);
        assert_true(ec_key_point(r.leaf_key, got, sizeof(got), &n) && n == 97);
        assert_memory_equal(got, want, 97);
        x509_chain_result_clear(&r);
        assert_null(r.leaf_key);
        x509_chain_result_clear(NULL);
        free(chain.p), free(ca.p);
}

static void x509_chain_verify_accepts_slot1_only_against_its_own_root(void **state)
{
        struct blob c0 = load("bundle_responder.certchain.der"), c1 = load("bundle_responder.certchain1.der");
        struct blob ca = load("ca.cert.der"), ca1 = load("ca1.cert.der");
        char why[X509_CHAIN_WHY_LEN] = "";
        (void)state;
        assert_true(verify(c1, ca1, at_2026_12_02, why));
        /* Same subject, another key: the key identifiers tell them apart. */
        expect_refusal(c1, ca, at_2026_12_02,
                       "certificate 1 of 3 (CN=DMTF libspdm ECP384 CA): not issued by the trust anchor");
        expect_refusal(c0, ca1, at_2026_12_02, "not issued by the trust anchor");
        free(c0.p), free(c1.p), free(ca.p), free(ca1.p);
}

static void x509_chain_verify_rejects_every_single_byte_change_of_the_leaf_signature(void **state)
{
        struct blob chain = load("bundle_responder.certchain.der"), ca = load("ca.cert.der"),
                    leaf = load("end_responder.cert.der");
        const uint8_t *p = leaf.p;
        X509 *x = d2i_X509(NULL, &p, (long)leaf.n);
        const ASN1_BIT_STRING *sig = NULL;
        (void)state;
        assert_non_null(x);
        X509_get0_signature(&sig, NULL, x);
        size_t sig_len = (size_t)ASN1_STRING_length(sig);
        /* signatureValue is the certificate's last field: its bytes end the chain */
        assert_memory_equal(chain.p + chain.n - sig_len, ASN1_STRING_get0_data(sig), sig_len);
        for (size_t i = chain.n - sig_len; i < chain.n; i++) {
                for (unsigned flip = 0x01; flip <= 0x80; flip <<= 7) {
                        chain.p[i] ^= (uint8_t)flip;
                        expect_refusal(chain, ca, at_2026_12_02, "certificate 3 of 3 (CN=DMTF libspdm ECP384 responder cert)");
                        chain.p[i] ^= (uint8_t)flip;
                }
        }
        char why[X509_CHAIN_WHY_LEN] = "";
        assert_true(verify(chain, ca, at_2026_12_02, why)); /* restored: the control */
        X509_free(x);
        free(chain.p), free(ca.p), free(leaf.p);
}

static void x509_chain_verify_names_a_bad_signature_of_the_intermediate(void **state)
{
        struct blob chain = load("bundle_responder.certchain.der"), ca = load("ca.cert.der");
        (void)state;
        chain.p[472 + 480 - 10] ^= 0x01; /* inside the intermediate's signature */
        expect_refusal(chain, ca, at_2026_12_02,
                       "certificate 2 of 3 (CN=DMTF libspdm ECP384 intermediate cert): signature does not verify "
                       "with its issuer's key");
        free(chain.p), free(ca.p);
}

static void x509_chain_verify_rejects_every_truncation(void **state)
{
        struct blob chain = load("bundle_responder.certchain.der"), ca = load("ca.cert.der");
        size_t full = chain.n;
        (void)state;
        for (size_t n = 0; n < full; n++) {
                chain.n = n;
                char why[X509_CHAIN_WHY_LEN] = "";
                if (verify(chain, ca, at_2026_12_02, why))
                        fail_msg("a chain cut to %zu of %zu bytes verified", n, full);
        }
        chain.n = 472; /* the root alone */
        expect_refusal(chain, ca, at_2026_12_02, "certificate 1 of 1 (CN=DMTF libspdm ECP384 CA): the leaf is a CA");
        chain.n = 952; /* root and intermediate */
        expect_refusal(chain, ca, at_2026_12_02, "certificate 2 of 2 (CN=DMTF libspdm ECP384 intermediate cert): the leaf is a CA");
        chain.n = 1000;
        expect_refusal(chain, ca, at_2026_12_02, "certificate 3 is truncated: 587 bytes, 48 left");
        chain.n = 0;
        expect_refusal(chain, ca, at_2026_12_02, "the chain is empty");
        free(chain.p), free(ca.p);
}

static void x509_chain_verify_checks_every_validity_period_at_the_given_time(void **state)
{
        struct blob chain = load("bundle_responder.certchain.der"), ca = load("ca.cert.der");
        (void)state;
        expect_refusal(chain, ca, at_2023_01_01,
                       "certificate 1 of 3 (CN=DMTF libspdm ECP384 CA): not valid until 2023-04-20 01:13:54 UTC");
        expect_refusal(chain, ca, at_2023_06_01,
                       "certificate 3 of 3 (CN=DMTF libspdm ECP384 responder cert): not valid until 2023-09-12 07:11:33 UTC");
        expect_refusal(chain, ca, at_2034_01_01, "expired at 2033-04-17 01:13:54 UTC");
        free(chain.p), free(ca.p);
}

static void x509_chain_verify_accepts_a_chain_without_its_root_but_not_a_lone_leaf(void **state)
{
        struct blob ca = load("ca.cert.der"), inter = load("inter.cert.der"), leaf = load("end_responder.cert.der");
        struct blob two = cat(inter, leaf);
        struct x509_chain_result r;
        char why[X509_CHAIN_WHY_LEN] = "";
        (void)state;
        if (!x509_chain_verify(two.p, two.n, ca.p, ca.n, at_2026_12_02, &r, why))
                fail_msg("%s", why);
        assert_int_equal(r.count, 2);
        assert_string_equal(r.root_subject, "CN=DMTF libspdm ECP384 CA");
        x509_chain_result_clear(&r);
        /* the leaf alone is issued by the intermediate, not by the anchor */
        expect_refusal(leaf, ca, at_2026_12_02,
                       "certificate 1 of 1 (CN=DMTF libspdm ECP384 responder cert): not issued by the trust anchor");
        /* an intermediate is no trust anchor here */
        expect_refusal(leaf, inter, at_2026_12_02, "the trust anchor (CN=DMTF libspdm ECP384 intermediate cert) is not a self-issued root");
        free(ca.p), free(inter.p), free(leaf.p), free(two.p);
}

static void x509_chain_verify_rejects_certificates_out_of_order_or_missing(void **state)
{
        struct blob ca = load("ca.cert.der"), inter = load("inter.cert.der"), leaf = load("end_responder.cert.der");
        struct blob rl = cat(ca, leaf), li = cat(leaf, inter), lir = cat(li, ca);
        (void)state;
        expect_refusal(rl, ca, at_2026_12_02,
                       "certificate 2 of 2 (CN=DMTF libspdm ECP384 responder cert): not issued by certificate 1");
        expect_refusal(lir, ca, at_2026_12_02, "certificate 1 of 3 (CN=DMTF libspdm ECP384 responder cert): not issued by the trust anchor");
        free(ca.p), free(inter.p), free(leaf.p), free(rl.p), free(li.p), free(lir.p);
}

static void x509_chain_verify_rejects_garbage_trailing_bytes_and_too_many_certificates(void **state)
{
        struct blob chain = load("bundle_responder.certchain.der"), ca = load("ca.cert.der");
        uint8_t junk[] = { 0x00, 0x01 }, indefinite[] = { 0x30, 0x80, 0x00, 0x00 }, long_one[] = { 0x30, 0x81, 0x05 };
        struct blob j = { junk, sizeof(junk) }, ind = { indefinite, sizeof(indefinite) }, lo = { long_one, 3 };
        struct blob trailing = cat(chain, j), nine = { malloc(9 * ca.n), 9 * ca.n };
        (void)state;
        expect_refusal(trailing, ca, at_2026_12_02, "trailing bytes after certificate 3");
        expect_refusal(j, ca, at_2026_12_02, "certificate 1 does not start with a DER SEQUENCE header");
        expect_refusal(ind, ca, at_2026_12_02, "certificate 1 does not start with a DER SEQUENCE header");
        expect_refusal(lo, ca, at_2026_12_02, "certificate 1 does not start with a DER SEQUENCE header"); /* not minimal */
        assert_non_null(nine.p);
        for (size_t i = 0; i < 9; i++)
                memcpy(nine.p + i * ca.n, ca.p, ca.n);
        expect_refusal(nine, ca, at_2026_12_02, "more than 8 certificates");
        nine.n = 8 * ca.n; /* eight copies of the root: each issues the next, but OpenSSL's path is one */
        expect_refusal(nine, ca, at_2026_12_02, "the chain holds a certificate its path does not use");
        /* a well-framed SEQUENCE that is no certificate */
        uint8_t seq[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
        struct blob s = { seq, sizeof(seq) };
        expect_refusal(s, ca, at_2026_12_02, "certificate 1 is not an X.509 certificate OpenSSL can parse");
        expect_refusal(chain, s, at_2026_12_02, "the trust anchor is not one DER X.509 certificate");
        struct blob empty = { NULL, 0 };
        expect_refusal(chain, empty, at_2026_12_02, "the trust anchor is not one DER X.509 certificate");
        free(chain.p), free(ca.p), free(trailing.p), free(nine.p);
}

/* A certificate for key, named CN=cn, issued by issuer (NULL: by itself) with issuer_key;
 * ca: 1 basicConstraints CA:TRUE, 0 CA:FALSE. Valid 2020..2040, ecdsa/rsa with SHA-384. */
static struct blob make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, int ca, X509 **keep)
{
        X509 *x = X509_new();
        X509V3_CTX v3;
        struct blob b = { NULL, 0 };
        assert_non_null(x);
        assert_true(X509_set_version(x, X509_VERSION_3) == 1);
        assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 7) == 1);
        X509_NAME *name = X509_get_subject_name(x);
        assert_true(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) == 1);
        assert_true(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) == 1);
        assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), 1577836800)); /* 2020-01-01 */
        assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), 2208988800));  /* 2040-01-01 */
        assert_true(X509_set_pubkey(x, key) == 1);
        X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
        X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
        assert_non_null(bc);
        assert_true(X509_add_ext(x, bc, -1) == 1);
        X509_EXTENSION_free(bc);
        assert_true(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha384()) > 0);
        unsigned char *der = NULL;
        int n = i2d_X509(x, &der);
        assert_true(n > 0);
        b.p = malloc((size_t)n);
        assert_non_null(b.p);
        memcpy(b.p, der, (size_t)n);
        b.n = (size_t)n;
        OPENSSL_free(der);
        if (keep)
                *keep = x;
        else
                X509_free(x);
        return b;
}

static void x509_chain_verify_refuses_leaf_keys_other_than_p256_and_p384(void **state)
{
        EVP_PKEY *root_key = EVP_EC_gen("P-384"), *rsa = EVP_RSA_gen(2048), *p521 = EVP_EC_gen("P-521"),
                 *p256 = EVP_EC_gen("P-256");
        X509 *root = NULL;
        (void)state;
        assert_non_null(root_key), assert_non_null(rsa), assert_non_null(p521), assert_non_null(p256);
        struct blob r = make_cert(root_key, "test root", NULL, NULL, 1, &root);
        struct blob lr = make_cert(rsa, "rsa leaf", root, root_key, 0, NULL);
        struct blob l5 = make_cert(p521, "p521 leaf", root, root_key, 0, NULL);
        struct blob l2 = make_cert(p256, "p256 leaf", root, root_key, 0, NULL);
        struct blob c_rsa = cat(r, lr), c_521 = cat(r, l5), c_256 = cat(r, l2);
        char why[X509_CHAIN_WHY_LEN] = "";
        expect_refusal(c_rsa, r, at_2026_12_02, "leaf key is RSA-2048; only ECDSA P-256/P-384 are accepted");
        expect_refusal(c_521, r, at_2026_12_02, "leaf key is EC secp521r1; only ECDSA P-256/P-384 are accepted");
        assert_true(verify(c_256, r, at_2026_12_02, why));
        X509_free(root);
        EVP_PKEY_free(root_key), EVP_PKEY_free(rsa), EVP_PKEY_free(p521), EVP_PKEY_free(p256);
        free(r.p), free(lr.p), free(l5.p), free(l2.p), free(c_rsa.p), free(c_521.p), free(c_256.p);
}

static void x509_chain_verify_refuses_an_issuer_that_is_not_a_ca(void **state)
{
        EVP_PKEY *k0 = EVP_EC_gen("P-384"), *k1 = EVP_EC_gen("P-384"), *k2 = EVP_EC_gen("P-384");
        X509 *root = NULL, *mid = NULL;
        (void)state;
        struct blob r = make_cert(k0, "root", NULL, NULL, 1, &root);
        struct blob m = make_cert(k1, "not a ca", root, k0, 0, &mid);
        struct blob l = make_cert(k2, "leaf", mid, k1, 0, NULL);
        struct blob rm = cat(r, m), rml = cat(rm, l);
        expect_refusal(rml, r, at_2026_12_02, "certificate 2 of 3 (CN=not a ca): not a CA, yet it issues the next certificate");
        X509_free(root), X509_free(mid);
        EVP_PKEY_free(k0), EVP_PKEY_free(k1), EVP_PKEY_free(k2);
        free(r.p), free(m.p), free(l.p), free(rm.p), free(rml.p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(x509_chain_verify_accepts_the_libspdm_slot0_chain_and_gives_its_leaf_key),
                cmocka_unit_test(x509_chain_verify_accepts_slot1_only_against_its_own_root),
                cmocka_unit_test(x509_chain_verify_rejects_every_single_byte_change_of_the_leaf_signature),
                cmocka_unit_test(x509_chain_verify_names_a_bad_signature_of_the_intermediate),
                cmocka_unit_test(x509_chain_verify_rejects_every_truncation),
                cmocka_unit_test(x509_chain_verify_checks_every_validity_period_at_the_given_time),
                cmocka_unit_test(x509_chain_verify_accepts_a_chain_without_its_root_but_not_a_lone_leaf),
                cmocka_unit_test(x509_chain_verify_rejects_certificates_out_of_order_or_missing),
                cmocka_unit_test(x509_chain_verify_rejects_garbage_trailing_bytes_and_too_many_certificates),
                cmocka_unit_test(x509_chain_verify_refuses_leaf_keys_other_than_p256_and_p384),
                cmocka_unit_test(x509_chain_verify_refuses_an_issuer_that_is_not_a_ca),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
