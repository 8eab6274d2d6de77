/* EC keys and ECDSA over the OpenSSL 3 EVP interface (FIPS 186-5 §6, SEC 1 v2 §2.3.3). */
#include "lib/ec.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ec_key {
        EVP_PKEY *pkey;
        enum ec_curve curve;
        bool priv;
};

size_t ec_coord_len(enum ec_curve c) { return c == EC_P256 ? 32 : 48; }
size_t ec_point_len(enum ec_curve c) { return 1 + 2 * ec_coord_len(c); }
size_t ec_sig_len(enum ec_curve c) { return 2 * ec_coord_len(c); }
const char *ec_curve_name(enum ec_curve c) { return c == EC_P256 ? "P-256" : "P-384"; }

static int curve_nid(enum ec_curve c) { return c == EC_P256 ? NID_X9_62_prime256v1 : NID_secp384r1; }
static const char *curve_group(enum ec_curve c) { return c == EC_P256 ? "prime256v1" : "secp384r1"; }

static bool wrap(struct ec_key **out, EVP_PKEY *pkey, enum ec_curve c, bool priv)
{
        struct ec_key *k = calloc(1, sizeof(*k));
        if (!k) {
                EVP_PKEY_free(pkey);
                return false;
        }
        k->pkey = pkey, k->curve = c, k->priv = priv;
        *out = k;
        return true;
}

/* A key from its group and point, with the private scalar if priv is not NULL. */
static bool from_parts(struct ec_key **out, enum ec_curve c, const BIGNUM *priv, const uint8_t *point, size_t len)
{
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        OSSL_PARAM *params = NULL;
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        EVP_PKEY *pkey = NULL;
        bool ok = bld && ctx &&
                  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve_group(c), 0) &&
                  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, len) &&
                  (!priv || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)) &&
                  (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
                  EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) == 1;
        OSSL_PARAM_free(params); /* OSSL_PARAM_clear_free is 3.1+: the BN copy is wiped below */
        OSSL_PARAM_BLD_free(bld);
        EVP_PKEY_CTX_free(ctx);
        if (!ok) {
                EVP_PKEY_free(pkey);
                return false;
        }
        return wrap(out, pkey, c, priv != NULL);
}

/* The candidate scalar for counter i: SHA-512(label || 0x00 || seed || be32(i)), truncated. */
static bool candidate(BIGNUM *bn, enum ec_curve c, const uint8_t *seed, size_t seed_len, const char *label,
                      uint32_t i)
{
        uint8_t digest[HASH_MAX_LEN], ctr[4] = { (uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
        struct hash_ctx *h;
        bool ok = hash_begin(&h, HASH_SHA512) && hash_update(h, label, strlen(label) + 1) &&
                  hash_update(h, seed, seed_len) && hash_update(h, ctr, sizeof(ctr)) && hash_end(h, digest);
        ok = ok && BN_bin2bn(digest, (int)ec_coord_len(c), bn) != NULL;
        secure_zero(digest, sizeof(digest));
        return ok;
}

/* The key pair of the private scalar d (1 <= d <= n-1, checked by the caller). */
static bool from_scalar(struct ec_key **out, enum ec_curve c, const EC_GROUP *group, const BIGNUM *d)
{
        EC_POINT *pub = EC_POINT_new(group);
        BN_CTX *bctx = BN_CTX_new();
        uint8_t point[EC_POINT_MAX];
        bool ok = pub && bctx && EC_POINT_mul(group, pub, d, NULL, NULL, bctx) == 1 &&
                  EC_POINT_point2oct(group, pub, POINT_CONVERSION_UNCOMPRESSED, point, sizeof(point), bctx) ==
                          ec_point_len(c) &&
                  from_parts(out, c, d, point, ec_point_len(c));
        EC_POINT_free(pub);
        BN_CTX_free(bctx);
        return ok;
}

static bool in_range(const BIGNUM *d, const EC_GROUP *group)
{
        return !BN_is_zero(d) && !BN_is_negative(d) && BN_cmp(d, EC_GROUP_get0_order(group)) < 0;
}

bool ec_key_derive(struct ec_key **out, enum ec_curve c, const uint8_t *seed, size_t seed_len, const char *label)
{
        EC_GROUP *group = EC_GROUP_new_by_curve_name(curve_nid(c));
        BIGNUM *d = BN_secure_new();
        bool ok = group && d;

        *out = NULL;
        for (uint32_t i = 0; ok; i++) {
                ok = candidate(d, c, seed, seed_len, label, i);
                if (ok && in_range(d, group))
                        break;
        }
        ok = ok && from_scalar(out, c, group, d);
        BN_clear_free(d);
        EC_GROUP_free(group);
        return ok;
}

bool ec_key_from_scalar(struct ec_key **out, enum ec_curve c, const uint8_t *d, size_t len)
{
        EC_GROUP *group = EC_GROUP_new_by_curve_name(curve_nid(c));
        BIGNUM *bn = BN_secure_new();
        bool ok = group && bn && len == ec_coord_len(c) && BN_bin2bn(d, (int)len, bn) != NULL &&
                  in_range(bn, group) && from_scalar(out, c, group, bn);

        if (!ok)
                *out = NULL;
        BN_clear_free(bn);
        EC_GROUP_free(group);
        return ok;
}

bool ec_key_generate(struct ec_key **out, enum ec_curve c)
{
        EVP_PKEY *pkey = EVP_EC_gen(curve_group(c));
        *out = NULL;
        return pkey && wrap(out, pkey, c, true);
}

bool ec_key_from_point(struct ec_key **out, enum ec_curve c, const uint8_t *point, size_t len)
{
        *out = NULL;
        if (len != ec_point_len(c) || point[0] != 0x04)
                return false;
        if (!from_parts(out, c, NULL, point, len))
                return false;
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, (*out)->pkey, NULL);
        bool on_curve = ctx && EVP_PKEY_public_check(ctx) == 1;
        EVP_PKEY_CTX_free(ctx);
        if (!on_curve) {
                ec_key_free(*out);
                *out = NULL;
        }
        return on_curve;
}

/* The curve of an EC EVP_PKEY, if it is one of ours. */
static bool pkey_curve(EVP_PKEY *pkey, enum ec_curve *c)
{
        char group[64];
        if (!EVP_PKEY_is_a(pkey, "EC") ||
            !EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL))
                return false;
        if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
                *c = EC_P256;
        else if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
                *c = EC_P384;
        else
                return false;
        return true;
}

/* Whether the first len bytes of s hold needle (s need not be NUL-terminated). */
static bool contains(const char *s, size_t len, const char *needle)
{
        size_t n = strlen(needle);
        for (size_t i = 0; i + n <= len; i++)
                if (memcmp(s + i, needle, n) == 0)
                        return true;
        return false;
}

bool ec_key_from_pem(struct ec_key **out, const char *pem, size_t len, char *why)
{
        BIO *bio = len <= INT32_MAX ? BIO_new_mem_buf(pem, (int)len) : NULL;
        EVP_PKEY *pkey = NULL;
        enum ec_curve c = EC_P384;
        bool priv = contains(pem, len, "PRIVATE KEY-----");

        *out = NULL;
        if (bio)
                pkey = priv ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
        BIO_free(bio);
        if (!pkey) {
                snprintf(why, EC_WHY_LEN, "not a PEM %s key OpenSSL can read", priv ? "private" : "public");
                return false;
        }
        if (!pkey_curve(pkey, &c)) {
                snprintf(why, EC_WHY_LEN, "not an EC key on P-256 or P-384");
                EVP_PKEY_free(pkey);
                return false;
        }
        return wrap(out, pkey, c, priv);
}

void ec_key_free(struct ec_key *k)
{
        if (!k)
                return;
        EVP_PKEY_free(k->pkey); /* OpenSSL wipes the private scalar (BN_clear_free) */
        free(k);
}

enum ec_curve ec_key_curve(const struct ec_key *k) { return k->curve; }
EVP_PKEY *ec_key_evp(const struct ec_key *k) { return k->pkey; }
bool ec_key_has_private(const struct ec_key *k) { return k->priv; }

bool ec_key_point(const struct ec_key *k, uint8_t *out, size_t cap, size_t *len)
{
        size_t n = 0;
        if (!EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, cap, &n) ||
            n != ec_point_len(k->curve) || out[0] != 0x04)
                return false;
        *len = n;
        return true;
}

/* PEM from a writer into a malloc'd NUL-terminated string. */
static bool pem_string(const struct ec_key *k, bool priv, char **out)
{
        BIO *bio = BIO_new(BIO_s_mem());
        char *data = NULL;
        bool ok = bio && (priv ? PEM_write_bio_PKCS8PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL)
                               : PEM_write_bio_PUBKEY(bio, k->pkey)) == 1;
        long n = ok ? BIO_get_mem_data(bio, &data) : 0;

        *out = NULL;
        if (ok && n > 0 && (*out = malloc((size_t)n + 1)) != NULL) {
                memcpy(*out, data, (size_t)n);
                (*out)[n] = '\0';
        }
        if (data && n > 0)
                secure_zero(data, (size_t)n);
        BIO_free(bio);
        return *out != NULL;
}

bool ec_key_public_pem(const struct ec_key *k, char **out) { return pem_string(k, false, out); }
bool ec_key_private_pem(const struct ec_key *k, char **out) { return k->priv && pem_string(k, true, out); }

bool ec_sign(const struct ec_key *k, enum hash_alg h, const uint8_t *msg, size_t len, uint8_t *sig, size_t cap,
             size_t *sig_len)
{
        size_t coord = ec_coord_len(k->curve), der_len = 0;
        uint8_t der[EC_SIG_MAX + 16];
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        ECDSA_SIG *s = NULL;
        const uint8_t *p = der;
        bool ok = k->priv && cap >= 2 * coord && md &&
                  EVP_DigestSignInit_ex(md, NULL, hash_openssl_name(h), NULL, NULL, k->pkey, NULL) == 1 &&
                  EVP_DigestSign(md, NULL, &der_len, msg, len) == 1 && der_len <= sizeof(der) &&
                  EVP_DigestSign(md, der, &der_len, msg, len) == 1 &&
                  (s = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) != NULL &&
                  BN_bn2binpad(ECDSA_SIG_get0_r(s), sig, (int)coord) == (int)coord &&
                  BN_bn2binpad(ECDSA_SIG_get0_s(s), sig + coord, (int)coord) == (int)coord;
        if (ok)
                *sig_len = 2 * coord;
        ECDSA_SIG_free(s);
        EVP_MD_CTX_free(md);
        return ok;
}

bool ec_verify(const struct ec_key *k, enum hash_alg h, const uint8_t *msg, size_t len, const uint8_t *sig,
               size_t sig_len)
{
        size_t coord = ec_coord_len(k->curve);
        if (sig_len != 2 * coord)
                return false;
        ECDSA_SIG *s = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(sig, (int)coord, NULL), *sv = BN_bin2bn(sig + coord, (int)coord, NULL);
        uint8_t *der = NULL;
        int der_len = -1;
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        bool ok = false;

        if (s && r && sv && ECDSA_SIG_set0(s, r, sv) == 1) {
                r = sv = NULL; /* owned by s now */
                der_len = i2d_ECDSA_SIG(s, &der);
        }
        ok = der_len > 0 && md &&
             EVP_DigestVerifyInit_ex(md, NULL, hash_openssl_name(h), NULL, NULL, k->pkey, NULL) == 1 &&
             EVP_DigestVerify(md, der, (size_t)der_len, msg, len) == 1;
        OPENSSL_free(der);
        BN_free(r);
        BN_free(sv);
        ECDSA_SIG_free(s);
        EVP_MD_CTX_free(md);
        return ok;
}

bool ec_ecdh(const struct ec_key *mine, const struct ec_key *peer, uint8_t *secret, size_t cap, size_t *len)
{
        size_t coord = ec_coord_len(mine->curve), n = 0;
        uint8_t x[EC_COORD_MAX + 16];
        EVP_PKEY_CTX *ctx = NULL;
        bool ok = mine->priv && peer->curve == mine->curve && cap >= coord &&
                  (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, mine->pkey, NULL)) != NULL &&
                  EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer_ex(ctx, peer->pkey, 1) == 1 &&
                  EVP_PKEY_derive(ctx, NULL, &n) == 1 && n == coord && EVP_PKEY_derive(ctx, x, &n) == 1 &&
                  n == coord; /* OpenSSL pads the X coordinate to the field size */
        if (ok) {
                memcpy(secret, x, coord);
                *len = coord;
        }
        secure_zero(x, sizeof(x));
        EVP_PKEY_CTX_free(ctx);
        return ok;
}
