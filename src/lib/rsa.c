/* RSA key wrapping over the OpenSSL 3 EVP interface (see rsa.h). */
#include "lib/rsa.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

struct rsa_key {
        EVP_PKEY *pkey;
};

static bool wrap_pkey(struct rsa_key **out, EVP_PKEY *pkey)
{
        *out = pkey ? calloc(1, sizeof(**out)) : NULL;
        if (!*out) {
                EVP_PKEY_free(pkey);
                return false;
        }
        (*out)->pkey = pkey;
        return true;
}

bool rsa_key_from_ne(struct rsa_key **out, const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len)
{
        *out = NULL;
        while (n_len && !n[0])
                n++, n_len--;
        while (e_len && !e[0])
                e++, e_len--;
        if (n_len < RSA_MIN_BITS / 8 || n_len > RSA_MAX_BYTES || !(n[n_len - 1] & 1) || e_len == 0 || e_len > 4 ||
            !(e[e_len - 1] & 1) || (e_len == 1 && e[0] < 3))
                return false;
        BIGNUM *bn = BN_bin2bn(n, (int)n_len, NULL), *be = BN_bin2bn(e, (int)e_len, NULL);
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        OSSL_PARAM *params = NULL;
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
        EVP_PKEY *pkey = NULL;
        bool ok = bn && be && bld && ctx && BN_num_bits(bn) >= RSA_MIN_BITS &&
                  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
                  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) &&
                  (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
                  EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
        OSSL_PARAM_free(params);
        OSSL_PARAM_BLD_free(bld);
        EVP_PKEY_CTX_free(ctx);
        BN_free(bn);
        BN_free(be);
        if (!ok) {
                EVP_PKEY_free(pkey);
                return false;
        }
        return wrap_pkey(out, pkey);
}

bool rsa_key_generate(struct rsa_key **out, unsigned bits)
{
        *out = NULL;
        if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS)
                return false;
        return wrap_pkey(out, EVP_RSA_gen(bits));
}

void rsa_key_free(struct rsa_key *k)
{
        if (!k)
                return;
        EVP_PKEY_free(k->pkey);
        free(k);
}

size_t rsa_key_bytes(const struct rsa_key *k)
{
        int n = EVP_PKEY_get_size(k->pkey);
        return n > 0 ? (size_t)n : 0;
}

static bool bn_param(const struct rsa_key *k, const char *name, uint8_t *out, size_t cap, size_t *len)
{
        BIGNUM *bn = NULL;
        bool ok = EVP_PKEY_get_bn_param(k->pkey, name, &bn) == 1 && (size_t)BN_num_bytes(bn) <= cap;
        if (ok)
                *len = (size_t)BN_bn2bin(bn, out);
        BN_free(bn);
        return ok;
}

bool rsa_key_ne(const struct rsa_key *k, uint8_t *n, size_t *n_len, uint8_t *e, size_t *e_len)
{
        return bn_param(k, OSSL_PKEY_PARAM_RSA_N, n, RSA_MAX_BYTES, n_len) &&
               bn_param(k, OSSL_PKEY_PARAM_RSA_E, e, 8, e_len);
}

/* The padding parameters of w on ctx, after its encrypt or decrypt init. */
static bool set_padding(EVP_PKEY_CTX *ctx, enum rsa_wrap w)
{
        if (w == RSA_WRAP_PKCS1_V15)
                return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
        return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
               EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) == 1 &&
               EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1;
}

static bool crypt(const struct rsa_key *k, bool enc, enum rsa_wrap w, const uint8_t *in, size_t len, uint8_t *out,
                  size_t cap, size_t *out_len)
{
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
        size_t n = cap;
        bool ok = ctx && (enc ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) == 1 && set_padding(ctx, w) &&
                  (enc ? EVP_PKEY_encrypt(ctx, out, &n, in, len) : EVP_PKEY_decrypt(ctx, out, &n, in, len)) == 1;
        EVP_PKEY_CTX_free(ctx);
        if (ok)
                *out_len = n;
        return ok;
}

bool rsa_wrap(const struct rsa_key *k, enum rsa_wrap w, const uint8_t *msg, size_t len, uint8_t *out, size_t cap,
              size_t *out_len)
{
        return cap >= rsa_key_bytes(k) && crypt(k, true, w, msg, len, out, cap, out_len);
}

bool rsa_unwrap(const struct rsa_key *k, enum rsa_wrap w, const uint8_t *ct, size_t len, uint8_t *out, size_t cap,
                size_t *out_len)
{
        return crypt(k, false, w, ct, len, out, cap, out_len);
}
