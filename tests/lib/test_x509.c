/* src/lib/x509.c: the self-signed server certificate, read back with OpenSSL's own parsers
 * and checked field by field; the fingerprint recomputed here from i2d_X509. Python's
 * `cryptography` checks the same from outside (x509_check.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/crypto.h"
#include "lib/x509.h"

struct made {
        char *cert, *key;
        uint8_t pin[X509_CERT_PIN_LEN];
        X509 *x;
};

static void make(struct made *m, const char *cn, const char *ip, unsigned days)
{
        char why[X509_CERT_WHY_LEN] = "";
        if (!x509_self_signed(cn, ip, days, &m->cert, &m->key, m->pin, why))
                fail_msg("x509_self_signed: %s", why);
        BIO *bio = BIO_new_mem_buf(m->cert, -1);
        assert_non_null(bio);
        m->x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        assert_non_null(m->x);
        BIO_free(bio);
}

static void unmake(struct made *m)
{
        X509_free(m->x);
        free(m->cert);
        secure_zero(m->key, strlen(m->key));
        free(m->key);
}

/* The extension nid's critical flag; -1 if absent. */
static int critical(X509 *x, int nid)
{
        int at = X509_get_ext_by_NID(x, nid, -1);
        return at < 0 ? -1 : X509_EXTENSION_get_critical(X509_get_ext(x, at));
}

static void x509_self_signed_has_the_subject_validity_and_signature_asked_for(void **state)
{
        struct made m;
        (void)state;
        make(&m, "ccada kbs", "10.0.2.2", 30);
        assert_int_equal(X509_get_version(m.x), X509_VERSION_3);
        char cn[80];
        assert_int_equal(
                X509_NAME_get_text_by_NID(X509_get_subject_name(m.x), NID_commonName, cn, sizeof(cn)), 9);
        assert_string_equal(cn, "ccada kbs");
        assert_int_equal(X509_NAME_entry_count(X509_get_subject_name(m.x)), 1);
        assert_int_equal(X509_NAME_cmp(X509_get_subject_name(m.x), X509_get_issuer_name(m.x)), 0);
        assert_int_equal(X509_get_signature_nid(m.x), NID_ecdsa_with_SHA256);
        EVP_PKEY *pub = X509_get0_pubkey(m.x);
        assert_true(EVP_PKEY_is_a(pub, "EC"));
        char group[32];
        assert_true(EVP_PKEY_get_group_name(pub, group, sizeof(group), NULL));
        assert_string_equal(group, "prime256v1");
        assert_int_equal(X509_verify(m.x, pub), 1);
        int days = -1, secs = -1;
        assert_int_equal(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(m.x), X509_get0_notAfter(m.x)), 1);
        assert_int_equal(days, 30);
        assert_int_equal(secs, 0);
        time_t now = time(NULL);
        assert_true(X509_cmp_time(X509_get0_notBefore(m.x), &now) <= 0);
        now -= 300;
        assert_true(X509_cmp_time(X509_get0_notBefore(m.x), &now) > 0);
        unmake(&m);
}

static void x509_self_signed_serial_is_positive_16_octets_and_fresh(void **state)
{
        struct made a, b;
        (void)state;
        make(&a, "a", NULL, 1);
        make(&b, "a", NULL, 1);
        const ASN1_INTEGER *sa = X509_get0_serialNumber(a.x), *sb = X509_get0_serialNumber(b.x);
        assert_int_equal(ASN1_STRING_type(sa), V_ASN1_INTEGER); /* V_ASN1_NEG_INTEGER if negative */
        assert_int_equal(ASN1_STRING_length(sa), 16);
        assert_true(ASN1_STRING_get0_data(sa)[0] >= 0x40 && ASN1_STRING_get0_data(sa)[0] <= 0x7f);
        assert_int_not_equal(ASN1_INTEGER_cmp(sa, sb), 0);
        assert_memory_not_equal(a.pin, b.pin, X509_CERT_PIN_LEN);
        unmake(&a);
        unmake(&b);
}

static void x509_self_signed_extensions_make_a_server_certificate_that_is_no_ca(void **state)
{
        struct made m;
        int crit = -1;
        (void)state;
        make(&m, "ccada kbs", "10.0.2.2", 1);
        BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(m.x, NID_basic_constraints, &crit, NULL);
        assert_non_null(bc);
        assert_int_equal(bc->ca, 0);
        assert_null(bc->pathlen);
        assert_int_equal(crit, 1);
        BASIC_CONSTRAINTS_free(bc);
        assert_int_equal(X509_get_key_usage(m.x), KU_DIGITAL_SIGNATURE);
        assert_int_equal(critical(m.x, NID_key_usage), 1);
        EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(m.x, NID_ext_key_usage, &crit, NULL);
        assert_non_null(eku);
        assert_int_equal(sk_ASN1_OBJECT_num(eku), 1);
        assert_int_equal(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)), NID_server_auth);
        assert_int_equal(crit, 0);
        EXTENDED_KEY_USAGE_free(eku);
        assert_int_equal(X509_check_ca(m.x), 0);
        assert_int_equal(X509_get_ext_count(m.x), 4);
        unmake(&m);
}

/* The one iPAddress GeneralName of x's subjectAltName into ip; its length. */
static size_t san_ip(X509 *x, uint8_t ip[16])
{
        int crit = -1;
        GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
        assert_non_null(names);
        assert_int_equal(crit, 0);
        assert_int_equal(sk_GENERAL_NAME_num(names), 1);
        int type = -1;
        ASN1_OCTET_STRING *oct = GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(names, 0), &type);
        assert_int_equal(type, GEN_IPADD);
        size_t n = (size_t)ASN1_STRING_length(oct);
        assert_true(n == 4 || n == 16);
        memcpy(ip, ASN1_STRING_get0_data(oct), n);
        GENERAL_NAMES_free(names);
        return n;
}

static void x509_self_signed_names_the_ip_in_subject_alt_name_only_when_given(void **state)
{
        struct made m;
        uint8_t ip[16];
        static const uint8_t v6[16] = { 0xfd, 0x00, [15] = 0x02 };
        (void)state;
        make(&m, "kbs", "10.0.2.2", 1);
        assert_int_equal(san_ip(m.x, ip), 4);
        assert_memory_equal(ip, "\x0a\x00\x02\x02", 4);
        assert_int_equal(X509_check_ip_asc(m.x, "10.0.2.2", 0), 1);
        assert_int_equal(X509_check_ip_asc(m.x, "10.0.2.3", 0), 0);
        unmake(&m);
        make(&m, "kbs", "fd00::2", 1);
        assert_int_equal(san_ip(m.x, ip), 16);
        assert_memory_equal(ip, v6, 16);
        unmake(&m);
        make(&m, "kbs", NULL, 1);
        assert_int_equal(X509_get_ext_by_NID(m.x, NID_subject_alt_name, -1), -1);
        assert_int_equal(X509_get_ext_count(m.x), 3);
        unmake(&m);
}

static void x509_self_signed_fingerprint_is_the_sha256_of_the_der(void **state)
{
        struct made m;
        uint8_t want[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        (void)state;
        make(&m, "ccada kbs", "127.0.0.1", 7);
        unsigned char *der = NULL;
        int len = i2d_X509(m.x, &der);
        assert_true(len > 0);
        assert_int_equal(EVP_Digest(der, (size_t)len, want, &n, EVP_sha256(), NULL), 1);
        assert_int_equal(n, 32);
        assert_memory_equal(m.pin, want, 32);
        OPENSSL_free(der);
        assert_int_equal(X509_digest(m.x, EVP_sha256(), want, &n), 1);
        assert_memory_equal(m.pin, want, 32);
        unmake(&m);
}

static void x509_self_signed_key_is_the_certificates_pkcs8_p256_key(void **state)
{
        struct made m;
        (void)state;
        make(&m, "ccada kbs", NULL, 1);
        assert_int_equal(strncmp(m.key, "-----BEGIN PRIVATE KEY-----\n", 28), 0);
        assert_int_equal(strncmp(m.cert, "-----BEGIN CERTIFICATE-----\n", 28), 0);
        BIO *bio = BIO_new_mem_buf(m.key, -1);
        EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        assert_non_null(k);
        assert_int_equal(EVP_PKEY_get_bits(k), 256);
        assert_int_equal(X509_check_private_key(m.x, k), 1);
        EVP_PKEY_free(k);
        BIO_free(bio);
        unmake(&m);
}

/* A verifier that trusts the certificate itself accepts it for TLS server use at its IP:
 * the extensions fit together as RFC 5280 wants them. */
static void x509_self_signed_verifies_as_a_trusted_server_certificate_for_its_ip(void **state)
{
        struct made m;
        (void)state;
        make(&m, "ccada kbs", "10.0.2.2", 1);
        X509_STORE *store = X509_STORE_new();
        X509_STORE_CTX *ctx = X509_STORE_CTX_new();
        assert_true(store && ctx && X509_STORE_add_cert(store, m.x) == 1);
        assert_int_equal(X509_STORE_CTX_init(ctx, store, m.x, NULL), 1);
        X509_VERIFY_PARAM *p = X509_STORE_CTX_get0_param(ctx);
        assert_int_equal(X509_VERIFY_PARAM_set_purpose(p, X509_PURPOSE_SSL_SERVER), 1);
        assert_int_equal(X509_VERIFY_PARAM_set1_ip_asc(p, "10.0.2.2"), 1);
        assert_int_equal(X509_verify_cert(ctx), 1);
        X509_STORE_CTX_cleanup(ctx);
        assert_int_equal(X509_STORE_CTX_init(ctx, store, m.x, NULL), 1);
        assert_int_equal(X509_VERIFY_PARAM_set1_ip_asc(X509_STORE_CTX_get0_param(ctx), "10.0.2.15"), 1);
        assert_int_equal(X509_verify_cert(ctx), 0);
        assert_int_equal(X509_STORE_CTX_get_error(ctx), X509_V_ERR_IP_ADDRESS_MISMATCH);
        X509_STORE_CTX_free(ctx);
        X509_STORE_free(store);
        unmake(&m);
}

static void x509_self_signed_refuses_bad_names_addresses_and_validities(void **state)
{
        static const struct {
                const char *cn, *ip;
                unsigned days;
                const char *why;
        } bad[] = {
                { "", NULL, 1, "common name" },
                { "0123456789012345678901234567890123456789012345678901234567890123x", NULL, 1,
                  "common name" },
                { NULL, NULL, 1, "common name" },
                { "kbs", "10.0.2", 1, "'10.0.2' is not an IPv4 or IPv6 address" },
                { "kbs", " 10.0.2.2", 1, "not an IPv4" },
                { "kbs", "010.0.2.2", 1, "not an IPv4" },
                { "kbs", "kbs.example", 1, "not an IPv4" },
                { "kbs", NULL, 0, "1 to 3650 days" },
                { "kbs", NULL, X509_CERT_DAYS_MAX + 1, "1 to 3650 days" },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char *cert = (char *)"x", *key = (char *)"x", why[X509_CERT_WHY_LEN] = "";
                uint8_t pin[X509_CERT_PIN_LEN];
                assert_false(x509_self_signed(bad[i].cn, bad[i].ip, bad[i].days, &cert, &key, pin, why));
                assert_null(cert);
                assert_null(key);
                if (!strstr(why, bad[i].why))
                        fail_msg("case %zu: why '%s' lacks '%s'", i, why, bad[i].why);
        }
        struct made m; /* the longest name RFC 5280 allows */
        make(&m, "0123456789012345678901234567890123456789012345678901234567890123", NULL,
             X509_CERT_DAYS_MAX);
        unmake(&m);
}

/* A P-256 key encrypted with the password "x" (openssl genpkey -aes256). */
static const char encrypted_key[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                                    "MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAiSQ7Z6i9YhBAICCAAw\n"
                                    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEMIvVKtB8ibgdtzwtXuHtx4EgZCe\n"
                                    "wzv2FzmQ9Y7KyWbu/2jCP5AXTE0PSfqSIVceyf6ggWMoDf1Hs29AFa2ltzuHPp2o\n"
                                    "dKFV7VeC1NiE+qFUybFSWbbd739orcy5q6aNPRXy3pHl5W7ttyClbkAw5GLAtEgQ\n"
                                    "JSY6LwQcM2xd8ZS/lYfJ03hkWExKNoaKqN9PYEFRQCPie7AEGpyrRpAHPPBrUp0=\n"
                                    "-----END ENCRYPTED PRIVATE KEY-----\n";

static void x509_pair_check_accepts_a_matching_pair_and_names_what_is_wrong_otherwise(void **state)
{
        struct made a, b;
        uint8_t pin[X509_CERT_PIN_LEN];
        char why[X509_CERT_WHY_LEN] = "";
        (void)state;
        make(&a, "a", NULL, 1);
        make(&b, "b", NULL, 1);
        assert_true(x509_pair_check(a.cert, a.key, pin, why));
        assert_memory_equal(pin, a.pin, X509_CERT_PIN_LEN);
        assert_true(x509_pair_check(b.cert, b.key, NULL, why));
        assert_false(x509_pair_check(a.cert, b.key, pin, why));
        assert_string_equal(why, "the private key is not the certificate's");
        assert_false(x509_pair_check(a.key, a.key, pin, why));
        assert_string_equal(why, "the certificate is not PEM OpenSSL can read");
        assert_false(x509_pair_check(a.cert, a.cert, pin, why));
        assert_non_null(strstr(why, "the private key is not PEM"));
        assert_false(x509_pair_check(a.cert, encrypted_key, pin, why)); /* and no prompt on the terminal */
        assert_non_null(strstr(why, "encrypted"));
        assert_false(x509_pair_check("", "", pin, why));
        assert_int_equal(ERR_peek_error(), 0); /* no stale error left for the thread's next call */
        unmake(&a);
        unmake(&b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(x509_self_signed_has_the_subject_validity_and_signature_asked_for),
                cmocka_unit_test(x509_self_signed_serial_is_positive_16_octets_and_fresh),
                cmocka_unit_test(x509_self_signed_extensions_make_a_server_certificate_that_is_no_ca),
                cmocka_unit_test(x509_self_signed_names_the_ip_in_subject_alt_name_only_when_given),
                cmocka_unit_test(x509_self_signed_fingerprint_is_the_sha256_of_the_der),
                cmocka_unit_test(x509_self_signed_key_is_the_certificates_pkcs8_p256_key),
                cmocka_unit_test(x509_self_signed_verifies_as_a_trusted_server_certificate_for_its_ip),
                cmocka_unit_test(x509_self_signed_refuses_bad_names_addresses_and_validities),
                cmocka_unit_test(x509_pair_check_accepts_a_matching_pair_and_names_what_is_wrong_otherwise),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
