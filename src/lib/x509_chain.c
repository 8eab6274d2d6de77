/* Chain verification over OpenSSL's X509_STORE / X509_verify_cert (see x509_chain.h). */
#include "lib/x509_chain.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"

#define SUBJ_IN_WHY 48 /* characters of a subject quoted in a why text */

/* The certificates of one chain, parsed, and the anchor. */
struct parsed {
        X509 *cert[X509_CHAIN_MAX_CERTS];
        size_t n;
        X509 *anchor;
        bool first_is_anchor;
};

static void say(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(char *why, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, X509_CHAIN_WHY_LEN, fmt, ap);
        va_end(ap);
}

/* The subject of x as one line of RFC 2253 text (control characters and non-ASCII bytes
 * escaped), cut to cap - 1 characters with "..." if longer. */
static void subject_of(const X509 *x, char *out, size_t cap)
{
        BIO *bio = BIO_new(BIO_s_mem());
        char *data = NULL;
        long n = 0;
        out[0] = '\0';
        if (bio && X509_NAME_print_ex(bio, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0)
                n = BIO_get_mem_data(bio, &data);
        if (n > 0 && data) {
                size_t len = (size_t)n < cap - 1 ? (size_t)n : cap - 1;
                memcpy(out, data, len);
                out[len] = '\0';
                if ((size_t)n > cap - 1 && cap > 4)
                        memcpy(out + cap - 4, "...", 4);
        }
        BIO_free(bio);
}

/* The length of the DER SEQUENCE at the reader (header and contents), if its header is a
 * definite, minimal length of at most 4 octets. *total may exceed what is left. */
static bool der_sequence_len(const uint8_t *p, size_t left, size_t *total)
{
        struct byte_reader r;
        br_init(&r, p, left);
        uint8_t tag = br_u8(&r), first = br_u8(&r);
        size_t len = first, octets = first & 0x7f;
        if (!br_ok(&r) || tag != 0x30 || first == 0x80 || (first > 0x80 && octets > 4))
                return false;
        if (first > 0x80) {
                len = 0;
                for (size_t i = 0; i < octets; i++)
                        len = len << 8 | br_u8(&r);
                if (!br_ok(&r) || len < 0x80 || len >> (8 * (octets - 1)) == 0)
                        return false; /* long form where the short would do, or a leading zero */
        }
        *total = (left - br_remaining(&r)) + len;
        return true;
}

/* One certificate of exactly der_len bytes, or NULL. */
static X509 *parse_one(const uint8_t *der, size_t der_len)
{
        const uint8_t *p = der;
        X509 *x = der_len <= INT32_MAX ? d2i_X509(NULL, &p, (long)der_len) : NULL;
        if (x && p != der + der_len) {
                X509_free(x);
                x = NULL;
        }
        return x;
}

/* Splits the chain into certificates. */
static bool split(struct parsed *c, const uint8_t *chain, size_t len, char *why)
{
        size_t off = 0, total = 0;
        if (len == 0) {
                say(why, "the chain is empty");
                return false;
        }
        for (; off < len; off += total, c->n++) {
                if (c->n == X509_CHAIN_MAX_CERTS) {
                        say(why, "more than %d certificates", X509_CHAIN_MAX_CERTS);
                        return false;
                }
                if (!der_sequence_len(chain + off, len - off, &total)) {
                        if (c->n == 0)
                                say(why, "certificate 1 does not start with a DER SEQUENCE header");
                        else
                                say(why, "trailing bytes after certificate %zu", c->n);
                        return false;
                }
                if (total > len - off) {
                        say(why, "certificate %zu is truncated: %zu bytes, %zu left", c->n + 1, total, len - off);
                        return false;
                }
                if (!(c->cert[c->n] = parse_one(chain + off, total))) {
                        say(why, "certificate %zu is not an X.509 certificate OpenSSL can parse", c->n + 1);
                        return false;
                }
        }
        return true;
}

static bool same_der(X509 *a, X509 *b)
{
        uint8_t *da = NULL, *db = NULL;
        int la = i2d_X509(a, &da), lb = i2d_X509(b, &db);
        bool same = la > 0 && la == lb && memcmp(da, db, (size_t)la) == 0;
        OPENSSL_free(da);
        OPENSSL_free(db);
        return same;
}

/* The chain is in order: its first certificate is the anchor or issued by it, each next one
 * issued by the one before. */
static bool check_order(struct parsed *c, char *why)
{
        char s[SUBJ_IN_WHY], t[SUBJ_IN_WHY];
        c->first_is_anchor = same_der(c->cert[0], c->anchor);
        if (!c->first_is_anchor && X509_check_issued(c->anchor, c->cert[0]) != X509_V_OK) {
                subject_of(c->cert[0], s, sizeof(s));
                subject_of(c->anchor, t, sizeof(t));
                say(why, "certificate 1 of %zu (%s): not issued by the trust anchor (%s)", c->n, s, t);
                return false;
        }
        for (size_t i = 1; i < c->n; i++) {
                int err = X509_check_issued(c->cert[i - 1], c->cert[i]);
                if (err != X509_V_OK) {
                        subject_of(c->cert[i], s, sizeof(s));
                        say(why, "certificate %zu of %zu (%s): not issued by certificate %zu: %s", i + 1, c->n, s, i,
                            X509_verify_cert_error_string(err));
                        return false;
                }
        }
        return true;
}

static void time_text(const ASN1_TIME *t, char *out, size_t cap)
{
        struct tm tm;
        if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
                snprintf(out, cap, "(unreadable time)");
        else
                snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                         tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* What an X509_verify_cert error means for certificate x, in our words. */
static void reason(int err, const X509 *x, char *out, size_t cap)
{
        char when[40];
        switch (err) {
        case X509_V_ERR_CERT_SIGNATURE_FAILURE:
                snprintf(out, cap, "signature does not verify with its issuer's key");
                break;
        case X509_V_ERR_CERT_NOT_YET_VALID:
                time_text(X509_get0_notBefore(x), when, sizeof(when));
                snprintf(out, cap, "not valid until %s", when);
                break;
        case X509_V_ERR_CERT_HAS_EXPIRED:
                time_text(X509_get0_notAfter(x), when, sizeof(when));
                snprintf(out, cap, "expired at %s", when);
                break;
        case X509_V_ERR_INVALID_CA:
                snprintf(out, cap, "not a CA, yet it issues the next certificate");
                break;
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
                snprintf(out, cap, "not issued by the trust anchor");
                break;
        default:
                snprintf(out, cap, "%s", X509_verify_cert_error_string(err));
        }
}

/* Names the certificate X509_verify_cert failed on and why. */
static void explain(const struct parsed *c, X509_STORE_CTX *ctx, char *why)
{
        X509 *x = X509_STORE_CTX_get_current_cert(ctx);
        char r[80], s[SUBJ_IN_WHY];
        reason(X509_STORE_CTX_get_error(ctx), x, r, sizeof(r));
        if (!x) {
                say(why, "the chain does not verify: %s", r);
                return;
        }
        subject_of(x, s, sizeof(s));
        for (size_t i = 0; i < c->n; i++)
                if (X509_cmp(x, c->cert[i]) == 0) {
                        say(why, "certificate %zu of %zu (%s): %s", i + 1, c->n, s, r);
                        return;
                }
        say(why, "the trust anchor (%s): %s", s, r);
}

/* X509_verify_cert built exactly leaf, ..., cert[0] (then the anchor if cert[0] is not it). */
static bool path_is_chain(const struct parsed *c, X509_STORE_CTX *ctx)
{
        STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(ctx);
        int want = (int)c->n + (c->first_is_anchor ? 0 : 1);
        if (!path || sk_X509_num(path) != want)
                return false;
        for (size_t d = 0; d < c->n; d++)
                if (X509_cmp(sk_X509_value(path, (int)d), c->cert[c->n - 1 - d]) != 0)
                        return false;
        return true;
}

/* RFC 5280 §6 path validation by OpenSSL, with the anchor as the only trusted certificate. */
static bool validate(const struct parsed *c, time_t at, char *why)
{
        X509_STORE *store = X509_STORE_new();
        X509_STORE_CTX *ctx = X509_STORE_CTX_new();
        STACK_OF(X509) *untrusted = sk_X509_new_null();
        X509_VERIFY_PARAM *param = NULL;
        bool ok = store && ctx && untrusted && X509_STORE_add_cert(store, c->anchor) == 1;
        for (size_t i = 0; ok && i + 1 < c->n; i++)
                ok = sk_X509_push(untrusted, c->cert[i]) > 0; /* borrowed: sk_X509_free below */
        ok = ok && X509_STORE_CTX_init(ctx, store, c->cert[c->n - 1], untrusted) == 1 &&
             (param = X509_STORE_CTX_get0_param(ctx)) != NULL;
        if (!ok) {
                say(why, "OpenSSL could not set up the verification");
        } else {
                X509_VERIFY_PARAM_set_time(param, at);
                X509_VERIFY_PARAM_set_depth(param, X509_CHAIN_MAX_CERTS);
                X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CHECK_SS_SIGNATURE);
                if (X509_verify_cert(ctx) != 1) {
                        explain(c, ctx, why);
                        ok = false;
                } else if (!path_is_chain(c, ctx)) {
                        say(why, "the chain holds a certificate its path does not use (repeated or extra)");
                        ok = false;
                }
        }
        sk_X509_free(untrusted);
        X509_STORE_CTX_free(ctx);
        X509_STORE_free(store);
        return ok;
}

/* DSP0274 1.2 leaf certificate requirements (libspdm checks the same): the leaf is an end
 * entity, not a CA. Also what makes a chain cut after its root or intermediate fail. */
static bool leaf_is_end_entity(const struct parsed *c, char *why)
{
        char s[SUBJ_IN_WHY];
        if (X509_check_ca(c->cert[c->n - 1]) == 0)
                return true;
        subject_of(c->cert[c->n - 1], s, sizeof(s));
        say(why, "certificate %zu of %zu (%s): the leaf is a CA; an SPDM leaf must not be", c->n, c->n, s);
        return false;
}

/* The anchor is a root: it issued itself (names and key identifiers; its signature is checked
 * in validate). */
static bool anchor_is_root(X509 *anchor, char *why)
{
        char s[SUBJ_IN_WHY];
        if (X509_check_issued(anchor, anchor) == X509_V_OK)
                return true;
        subject_of(anchor, s, sizeof(s));
        say(why, "the trust anchor (%s) is not a self-issued root certificate", s);
        return false;
}

/* The leaf's key as an ec_key, if it is ECDSA P-256 or P-384. */
static bool leaf_key(X509 *leaf, struct ec_key **out, char *why)
{
        EVP_PKEY *pkey = X509_get0_pubkey(leaf);
        char group[32] = "";
        enum ec_curve c = EC_P256;
        BIGNUM *x = NULL, *y = NULL;
        uint8_t point[EC_POINT_MAX];
        bool ec = pkey && EVP_PKEY_is_a(pkey, "EC") &&
                  EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) == 1;
        if (ec && strcmp(group, "prime256v1") != 0 && strcmp(group, "secp384r1") != 0)
                ec = false;
        if (!ec) {
                if (!pkey)
                        say(why, "leaf key is not one OpenSSL can read; only ECDSA P-256/P-384 are accepted");
                else if (group[0])
                        say(why, "leaf key is EC %s; only ECDSA P-256/P-384 are accepted", group);
                else
                        say(why, "leaf key is %s-%d; only ECDSA P-256/P-384 are accepted", EVP_PKEY_get0_type_name(pkey),
                            EVP_PKEY_get_bits(pkey));
                return false;
        }
        c = strcmp(group, "secp384r1") == 0 ? EC_P384 : EC_P256;
        size_t coord = ec_coord_len(c);
        point[0] = 0x04; /* the certificate may hold a compressed point: rebuild it uncompressed */
        bool ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
                  EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
                  BN_bn2binpad(x, point + 1, (int)coord) == (int)coord &&
                  BN_bn2binpad(y, point + 1 + coord, (int)coord) == (int)coord &&
                  ec_key_from_point(out, c, point, ec_point_len(c));
        BN_free(x);
        BN_free(y);
        if (!ok)
                say(why, "leaf key is not a valid %s point", ec_curve_name(c));
        return ok;
}

static void parsed_free(struct parsed *c)
{
        for (size_t i = 0; i < c->n && i < X509_CHAIN_MAX_CERTS; i++)
                X509_free(c->cert[i]);
        X509_free(c->anchor);
}

bool x509_chain_verify(const uint8_t *chain, size_t chain_len, const uint8_t *anchor, size_t anchor_len, time_t at,
                       struct x509_chain_result *out, char *why)
{
        struct parsed c = { .n = 0 };
        size_t total = 0;
        bool ok = false;

        memset(out, 0, sizeof(*out));
        if (!anchor || !der_sequence_len(anchor, anchor_len, &total) || total != anchor_len ||
            !(c.anchor = parse_one(anchor, anchor_len)))
                say(why, "the trust anchor is not one DER X.509 certificate");
        else if (!chain && chain_len > 0)
                say(why, "no chain bytes");
        else
                ok = anchor_is_root(c.anchor, why) && split(&c, chain, chain_len, why) && check_order(&c, why) &&
                     validate(&c, at, why) && leaf_is_end_entity(&c, why) &&
                     leaf_key(c.cert[c.n - 1], &out->leaf_key, why);
        if (ok) {
                subject_of(c.cert[c.n - 1], out->leaf_subject, sizeof(out->leaf_subject));
                subject_of(c.anchor, out->root_subject, sizeof(out->root_subject));
                out->count = c.n;
        }
        parsed_free(&c);
        ERR_clear_error(); /* the queue is the thread's: leave no stale error behind */
        return ok;
}

void x509_chain_result_clear(struct x509_chain_result *r)
{
        if (!r)
                return;
        ec_key_free(r->leaf_key);
        memset(r, 0, sizeof(*r));
}

bool x509_chain_leaf_key(const uint8_t *chain, size_t chain_len, struct ec_key **key, char *subject, size_t cap,
                         char *why)
{
        struct parsed c = { .n = 0 };
        *key = NULL;
        bool ok = chain && split(&c, chain, chain_len, why) && leaf_key(c.cert[c.n - 1], key, why);
        if (!chain)
                say(why, "no chain bytes");
        if (ok && subject)
                subject_of(c.cert[c.n - 1], subject, cap);
        parsed_free(&c);
        ERR_clear_error();
        return ok;
}
