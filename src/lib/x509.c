/* A self-signed server certificate over OpenSSL 3's X509 interface (see x509.h). */
#include "lib/x509.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/crypto.h"

#define SERIAL_LEN 16

/* The address ip_san spells, as the octets of an iPAddress GeneralName (RFC 5280
 * §4.2.1.6: four for IPv4, sixteen for IPv6). inet_pton is stricter than OpenSSL's
 * a2i_IPADDRESS, which would take " 10.0.2.2" or "010.0.2.2". */
static bool ip_octets(const char *ip_san, uint8_t out[16], size_t *len)
{
        if (inet_pton(AF_INET, ip_san, out) == 1) {
                *len = 4;
                return true;
        }
        if (inet_pton(AF_INET6, ip_san, out) == 1) {
                *len = 16;
                return true;
        }
        return false;
}

static bool check_args(const char *common_name, const char *ip_san, unsigned days, char *why)
{
        uint8_t ip[16];
        size_t n = common_name ? strnlen(common_name, X509_CERT_CN_MAX + 1) : 0;
        if (n == 0 || n > X509_CERT_CN_MAX) {
                snprintf(why, X509_CERT_WHY_LEN, "the common name must be 1 to %d bytes", X509_CERT_CN_MAX);
                return false;
        }
        if (ip_san && !ip_octets(ip_san, ip, &n)) {
                snprintf(why, X509_CERT_WHY_LEN, "'%.40s' is not an IPv4 or IPv6 address", ip_san);
                return false;
        }
        if (days == 0 || days > X509_CERT_DAYS_MAX) {
                snprintf(why, X509_CERT_WHY_LEN, "the validity must be 1 to %u days", X509_CERT_DAYS_MAX);
                return false;
        }
        return true;
}

/* RFC 5280 §4.1.2.2: positive, at most 20 octets. The leading octet is 0x40..0x7f, so the
 * DER is always 16 octets and never negative. */
static bool set_serial(X509 *x)
{
        uint8_t b[SERIAL_LEN];
        BIGNUM *bn = NULL;
        ASN1_INTEGER *serial = NULL;
        bool ok = RAND_bytes(b, sizeof(b)) == 1;
        b[0] = (uint8_t)((b[0] & 0x7f) | 0x40);
        ok = ok && (bn = BN_bin2bn(b, sizeof(b), NULL)) != NULL &&
             (serial = BN_to_ASN1_INTEGER(bn, NULL)) != NULL && X509_set_serialNumber(x, serial) == 1;
        ASN1_INTEGER_free(serial);
        BN_free(bn);
        return ok;
}

/* Version, serial, names and validity: everything before the extensions. */
static bool set_body(X509 *x, EVP_PKEY *pkey, const char *common_name, unsigned days)
{
        X509_NAME *name = X509_get_subject_name(x);
        time_t now = time(NULL); /* one reading: the validity is exactly days days */
        return X509_set_version(x, X509_VERSION_3) == 1 && set_serial(x) && name &&
               X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)common_name, -1,
                                          -1, 0) == 1 &&
               X509_set_issuer_name(x, name) == 1 &&
               X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &now) != NULL &&
               X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, &now) != NULL &&
               X509_set_pubkey(x, pkey) == 1;
}

/* basicConstraints CA:FALSE and keyUsage digitalSignature, both critical (RFC 5280
 * §4.2.1.9, §4.2.1.3); extendedKeyUsage serverAuth (§4.2.1.12). */
static bool add_usage(X509 *x)
{
        BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
        ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
        EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();
        ASN1_OBJECT *server_auth = OBJ_nid2obj(NID_server_auth);
        bool ok = bc && ku && eku && server_auth;
        if (ok)
                bc->ca = 0;
        ok = ok && ASN1_BIT_STRING_set_bit(ku, 0, 1) == 1 && sk_ASN1_OBJECT_push(eku, server_auth) > 0;
        if (ok)
                server_auth = NULL; /* owned by eku now (a static object: freeing it is a no-op) */
        ok = ok && X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, X509V3_ADD_DEFAULT) == 1 &&
             X509_add1_ext_i2d(x, NID_key_usage, ku, 1, X509V3_ADD_DEFAULT) == 1 &&
             X509_add1_ext_i2d(x, NID_ext_key_usage, eku, 0, X509V3_ADD_DEFAULT) == 1;
        ASN1_OBJECT_free(server_auth);
        EXTENDED_KEY_USAGE_free(eku);
        ASN1_BIT_STRING_free(ku);
        BASIC_CONSTRAINTS_free(bc);
        return ok;
}

/* subjectAltName with one iPAddress (RFC 5280 §4.2.1.6). */
static bool add_ip_san(X509 *x, const char *ip_san)
{
        uint8_t ip[16];
        size_t n = 0;
        GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
        GENERAL_NAME *gn = GENERAL_NAME_new();
        ASN1_OCTET_STRING *oct = ASN1_OCTET_STRING_new();
        bool ok = names && gn && oct && ip_octets(ip_san, ip, &n) &&
                  ASN1_OCTET_STRING_set(oct, ip, (int)n) == 1;
        if (ok) {
                GENERAL_NAME_set0_value(gn, GEN_IPADD, oct);
                oct = NULL; /* owned by gn */
                ok = sk_GENERAL_NAME_push(names, gn) > 0;
        }
        if (ok)
                gn = NULL; /* owned by names */
        ok = ok && X509_add1_ext_i2d(x, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) == 1;
        ASN1_OCTET_STRING_free(oct);
        GENERAL_NAME_free(gn);
        GENERAL_NAMES_free(names);
        return ok;
}

/* What a memory BIO holds as a malloc'd NUL-terminated string; the BIO's copy is wiped
 * (it may hold a private key). */
static bool bio_string(BIO *bio, char **out)
{
        char *data = NULL;
        long n = BIO_get_mem_data(bio, &data);
        *out = NULL;
        if (n > 0 && data && (*out = malloc((size_t)n + 1)) != NULL) {
                memcpy(*out, data, (size_t)n);
                (*out)[n] = '\0';
        }
        if (n > 0 && data)
                secure_zero(data, (size_t)n);
        return *out != NULL;
}

static bool cert_pem_of(X509 *x, char **out)
{
        BIO *bio = BIO_new(BIO_s_mem());
        bool ok = bio && PEM_write_bio_X509(bio, x) == 1 && bio_string(bio, out);
        BIO_free(bio);
        return ok;
}

static bool key_pem_of(EVP_PKEY *pkey, char **out)
{
        BIO *bio = BIO_new(BIO_s_mem());
        bool ok = bio && PEM_write_bio_PKCS8PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) == 1 &&
                  bio_string(bio, out);
        BIO_free(bio);
        return ok;
}

static bool der_sha256(X509 *x, uint8_t fingerprint[X509_CERT_PIN_LEN])
{
        unsigned char *der = NULL;
        int n = i2d_X509(x, &der);
        bool ok = n > 0 && hash_once(HASH_SHA256, der, (size_t)n, fingerprint);
        OPENSSL_free(der);
        return ok;
}

/* The certificate, signed; why names the step that failed. */
static X509 *build(EVP_PKEY *pkey, const char *common_name, const char *ip_san, unsigned days, char *why)
{
        X509 *x = X509_new();
        const char *step = NULL;
        if (!x)
                step = "allocate the certificate";
        else if (!set_body(x, pkey, common_name, days))
                step = "set the serial, names, validity or key";
        else if (!add_usage(x))
                step = "add basicConstraints, keyUsage or extendedKeyUsage";
        else if (ip_san && !add_ip_san(x, ip_san))
                step = "add the subjectAltName";
        else if (X509_sign(x, pkey, EVP_sha256()) <= 0)
                step = "sign the certificate";
        if (!step)
                return x;
        snprintf(why, X509_CERT_WHY_LEN, "OpenSSL could not %s", step);
        ERR_clear_error();
        X509_free(x);
        return NULL;
}

bool x509_self_signed(const char *common_name, const char *ip_san, unsigned days, char **cert_pem,
                      char **key_pem, uint8_t fingerprint[X509_CERT_PIN_LEN], char *why)
{
        *cert_pem = *key_pem = NULL;
        if (!check_args(common_name, ip_san, days, why))
                return false;
        EVP_PKEY *pkey = EVP_EC_gen("P-256");
        if (!pkey) {
                snprintf(why, X509_CERT_WHY_LEN, "OpenSSL could not generate a P-256 key");
                ERR_clear_error();
                return false;
        }
        X509 *x = build(pkey, common_name, ip_san, days, why);
        bool ok = x != NULL;
        if (ok && !(ok = der_sha256(x, fingerprint) && cert_pem_of(x, cert_pem) && key_pem_of(pkey, key_pem)))
                snprintf(why, X509_CERT_WHY_LEN, "OpenSSL could not encode the certificate or the key");
        if (!ok) {
                ERR_clear_error();
                free(*cert_pem);
                if (*key_pem)
                        secure_zero(*key_pem, strlen(*key_pem));
                free(*key_pem);
                *cert_pem = *key_pem = NULL;
        }
        X509_free(x);
        EVP_PKEY_free(pkey); /* OpenSSL wipes the private scalar */
        return ok;
}

/* The password callback of an encrypted key: none (OpenSSL's default would prompt on the
 * terminal). */
static int no_password(char *buf, int size, int rwflag, void *u)
{
        (void)buf, (void)size, (void)rwflag, (void)u;
        return -1;
}

bool x509_pair_check(const char *cert_pem, const char *key_pem, uint8_t fingerprint[X509_CERT_PIN_LEN],
                     char *why)
{
        BIO *cb = BIO_new_mem_buf(cert_pem, -1), *kb = BIO_new_mem_buf(key_pem, -1);
        X509 *x = cb ? PEM_read_bio_X509(cb, NULL, no_password, NULL) : NULL;
        EVP_PKEY *k = kb ? PEM_read_bio_PrivateKey(kb, NULL, no_password, NULL) : NULL;
        uint8_t pin[X509_CERT_PIN_LEN];
        const char *wrong = NULL;
        if (!x)
                wrong = "the certificate is not PEM OpenSSL can read";
        else if (!k)
                wrong = "the private key is not PEM OpenSSL can read (or is encrypted)";
        else if (X509_check_private_key(x, k) != 1)
                wrong = "the private key is not the certificate's";
        else if (!der_sha256(x, fingerprint ? fingerprint : pin))
                wrong = "OpenSSL could not encode the certificate";
        if (wrong) {
                snprintf(why, X509_CERT_WHY_LEN, "%s", wrong);
                ERR_clear_error(); /* the queue is the thread's: leave no stale error for its next SSL call */
        }
        EVP_PKEY_free(k);
        X509_free(x);
        BIO_free(kb);
        BIO_free(cb);
        return wrong == NULL;
}
