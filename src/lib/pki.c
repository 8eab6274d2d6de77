/* The test PKI over OpenSSL 3's X509 interface (see pki.h). */
#include "lib/pki.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"

#define SERIAL_LEN 16
#define MAX_RDNS 8

/* What one certificate of the three is. */
struct role {
        const char *subject;
        const char *label; /* ec_key_derive label */
        const char *basic_constraints, *key_usage;
};

static const struct role roles[3] = {
        { PKI_DEFAULT_ROOT, "ccada pki root", "critical,CA:TRUE", "critical,keyCertSign,cRLSign" },
        { PKI_DEFAULT_INTERMEDIATE, "ccada pki intermediate", "critical,CA:TRUE,pathlen:0",
          "critical,keyCertSign,cRLSign" },
        { PKI_DEFAULT_LEAF, "ccada pki leaf", "critical,CA:FALSE", "critical,digitalSignature" },
};

/* subject ("CN=a,O=b", RFC 2253 order) as an X509_NAME (DER order: the last pair first). */
static bool parse_subject(const char *subject, X509_NAME *name)
{
        char buf[PKI_SUBJECT_MAX + 1], *pair[MAX_RDNS];
        size_t len = strnlen(subject, PKI_SUBJECT_MAX + 1), n = 0;
        if (len == 0 || len > PKI_SUBJECT_MAX || strchr(subject, '\\'))
                return false;
        memcpy(buf, subject, len + 1);
        for (char *p = buf; p; n++) {
                if (n == MAX_RDNS)
                        return false;
                pair[n] = p;
                p = strchr(p, ',');
                if (p)
                        *p++ = '\0';
        }
        while (n-- > 0) {
                char *eq = strchr(pair[n], '=');
                if (!eq || eq == pair[n] || eq[1] == '\0' || strchr(eq + 1, '='))
                        return false;
                *eq = '\0';
                if (X509_NAME_add_entry_by_txt(name, pair[n], MBSTRING_UTF8, (const unsigned char *)eq + 1, -1, -1, 0) != 1)
                        return false;
        }
        return true;
}

/* Serial: 16 bytes of SHA-256 of the public point, first byte 0x40..0x7f. */
/* ECDSA as DER: SEQUENCE(2) { INTEGER(2 + 49), INTEGER(2 + 49) } for P-384, 33-byte
 * integers for P-256 */
#define DER_SIG_MAX_P384 104
#define DER_SIG_MAX_P256 72

static bool set_serial(X509 *x, const struct ec_key *k)
{
        uint8_t point[EC_POINT_MAX], digest[HASH_MAX_LEN];
        size_t n = 0;
        BIGNUM *bn = NULL;
        ASN1_INTEGER *serial = NULL;
        bool ok = ec_key_point(k, point, sizeof(point), &n) && hash_once(HASH_SHA256, point, n, digest);
        digest[0] = (uint8_t)((digest[0] & 0x7f) | 0x40);
        ok = ok && (bn = BN_bin2bn(digest, SERIAL_LEN, NULL)) != NULL &&
             (serial = BN_to_ASN1_INTEGER(bn, NULL)) != NULL && X509_set_serialNumber(x, serial) == 1;
        ASN1_INTEGER_free(serial);
        BN_free(bn);
        return ok;
}

static bool add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
        X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, v3, nid, value);
        bool ok = ext && X509_add_ext(x, ext, -1) == 1;
        X509_EXTENSION_free(ext);
        return ok;
}

/* The certificate of role r for key k, issued by issuer (NULL: itself) with issuer_key. */
static X509 *make_cert(const struct role *r, const char *subject, const struct pki_params *p, const struct ec_key *k,
                       X509 *issuer, const struct ec_key *issuer_key)
{
        X509 *x = X509_new();
        X509V3_CTX v3;
        bool ok = x && X509_set_version(x, X509_VERSION_3) == 1 && set_serial(x, k) &&
                  parse_subject(subject, X509_get_subject_name(x)) &&
                  X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x)) == 1 &&
                  ASN1_TIME_set(X509_getm_notBefore(x), p->not_before) != NULL &&
                  ASN1_TIME_set(X509_getm_notAfter(x), p->not_after) != NULL && X509_set_pubkey(x, ec_key_evp(k)) == 1;
        if (ok) {
                /* the subject key identifier first: a self-signed root's AKI is taken from it */
                X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
                ok = add_ext(x, &v3, NID_basic_constraints, r->basic_constraints) &&
                     add_ext(x, &v3, NID_key_usage, r->key_usage) && add_ext(x, &v3, NID_subject_key_identifier, "hash") &&
                     add_ext(x, &v3, NID_authority_key_identifier, "keyid:always");
                /* Signed again until the DER signature has its longest form (r and s each
                 * 49 bytes with a leading zero: 104 bytes for P-384): ECDSA's nonce is random
                 * (OpenSSL 3.0 has no RFC 6979), so otherwise a certificate's size would
                 * vary from run to run and, with it, every length a seeded machine reports.
                 * Each try has about a quarter's chance; 64 tries fail once in 10^8. */
                int len = 0;
                int max = p->p256 ? DER_SIG_MAX_P256 : DER_SIG_MAX_P384;
                for (unsigned t = 0; ok && t < 64 && len != max; t++)
                        ok = (len = X509_sign(x, ec_key_evp(issuer_key), p->p256 ? EVP_sha256() : EVP_sha384())) > 0;
        }
        if (!ok) {
                X509_free(x);
                x = NULL;
        }
        return x;
}

static bool der_of(X509 *x, uint8_t **out, size_t *len)
{
        unsigned char *der = NULL;
        int n = i2d_X509(x, &der);
        *out = NULL;
        if (n > 0 && (*out = malloc((size_t)n)) != NULL) {
                memcpy(*out, der, (size_t)n);
                *len = (size_t)n;
        }
        OPENSSL_free(der);
        return *out != NULL;
}

static bool make_key(const struct pki_params *p, const struct role *r, struct ec_key **k)
{
        enum ec_curve c = p->p256 ? EC_P256 : EC_P384;
        return p->seed && p->seed_len ? ec_key_derive(k, c, p->seed, p->seed_len, r->label)
                                      : ec_key_generate(k, c);
}

static bool check_params(const struct pki_params *p, const char *subject[3], char *why)
{
        const char *given[3] = { p->root_subject, p->intermediate_subject, p->leaf_subject };
        if (p->not_before >= p->not_after) {
                snprintf(why, PKI_WHY_LEN, "not_before must be before not_after");
                return false;
        }
        for (size_t i = 0; i < 3; i++) {
                X509_NAME *name = X509_NAME_new();
                subject[i] = given[i] ? given[i] : roles[i].subject;
                bool ok = name && parse_subject(subject[i], name);
                X509_NAME_free(name);
                if (!ok) {
                        snprintf(why, PKI_WHY_LEN, "subject '%.40s' is not ATTR=value[,ATTR=value...]", subject[i]);
                        return false;
                }
        }
        return true;
}

bool pki_make(const struct pki_params *p, struct pki *out, char *why)
{
        const char *subject[3];
        struct ec_key **key[3] = { &out->root_key, &out->intermediate_key, &out->leaf_key };
        uint8_t **der[3] = { &out->root, &out->intermediate, &out->leaf };
        size_t *len[3] = { &out->root_len, &out->intermediate_len, &out->leaf_len };
        X509 *cert[3] = { NULL, NULL, NULL };
        bool ok;

        memset(out, 0, sizeof(*out));
        if (!check_params(p, subject, why))
                return false;
        ok = true;
        for (size_t i = 0; ok && i < 3; i++)
                ok = make_key(p, &roles[i], key[i]) &&
                     (cert[i] = make_cert(&roles[i], subject[i], p, *key[i], i ? cert[i - 1] : NULL,
                                          i ? *key[i - 1] : *key[i])) != NULL &&
                     der_of(cert[i], der[i], len[i]);
        out->chain_len = out->root_len + out->intermediate_len + out->leaf_len;
        if (ok && (out->chain = malloc(out->chain_len)) != NULL) {
                memcpy(out->chain, out->root, out->root_len);
                memcpy(out->chain + out->root_len, out->intermediate, out->intermediate_len);
                memcpy(out->chain + out->root_len + out->intermediate_len, out->leaf, out->leaf_len);
        }
        ok = ok && out->chain;
        for (size_t i = 0; i < 3; i++)
                X509_free(cert[i]);
        if (!ok) {
                snprintf(why, PKI_WHY_LEN, "OpenSSL could not make a key or a certificate");
                pki_free(out);
                ERR_clear_error();
        }
        return ok;
}

void pki_free(struct pki *p)
{
        if (!p)
                return;
        free(p->root), free(p->intermediate), free(p->leaf), free(p->chain);
        ec_key_free(p->root_key); /* ec_key_free wipes the private scalar */
        ec_key_free(p->intermediate_key);
        ec_key_free(p->leaf_key);
        memset(p, 0, sizeof(*p));
}
