/* HMAC and HKDF over OpenSSL 3 (EVP_MAC "HMAC", EVP_KDF "HKDF" in its extract-only and
 * expand-only modes, RFC 5869). */
#include "lib/kdf.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

bool hmac_once(enum hash_alg alg, const uint8_t *key, size_t key_len, const void *data, size_t len,
               uint8_t *out)
{
        static const uint8_t empty[1];
        const char *md = hash_openssl_name(alg);
        size_t n = 0;
        bool ok = false;

        if (!md || (!key && key_len) || (!data && len))
                return false;
        EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
        OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)md, 0),
                OSSL_PARAM_construct_end(),
        };
        if (ctx && EVP_MAC_init(ctx, key_len ? key : empty, key_len, params) == 1 &&
            (len == 0 || EVP_MAC_update(ctx, data, len) == 1) &&
            EVP_MAC_final(ctx, out, &n, HASH_MAX_LEN) == 1)
                ok = n == hash_len(alg);
        EVP_MAC_CTX_free(ctx);
        EVP_MAC_free(mac);
        return ok;
}

/* One HKDF step in mode (EVP_KDF_HKDF_MODE_EXTRACT_ONLY or _EXPAND_ONLY): key is the IKM
 * or the PRK, salt_or_info the salt or the info. */
static bool hkdf_step(enum hash_alg alg, int mode, const uint8_t *key, size_t key_len, const uint8_t *extra,
                      size_t extra_len, uint8_t *out, size_t out_len)
{
        static const uint8_t empty[1];
        const char *md = hash_openssl_name(alg);
        OSSL_PARAM params[5];
        size_t n = 0;
        bool ok = false;

        if (!md)
                return false;
        EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
        EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
        params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
        params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
        params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)(key_len ? key : empty), key_len);
        if (mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY)
                params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                                (void *)(extra_len ? extra : empty), extra_len);
        else
                params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                                (void *)(extra_len ? extra : empty), extra_len);
        params[n] = OSSL_PARAM_construct_end();
        if (ctx)
                ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
        EVP_KDF_CTX_free(ctx);
        EVP_KDF_free(kdf);
        return ok;
}

bool hkdf_extract(enum hash_alg alg, const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
                  uint8_t *out)
{
        uint8_t zeros[HASH_MAX_LEN] = { 0 };
        size_t h = hash_len(alg);

        if (!h || (!salt && salt_len) || (!ikm && ikm_len))
                return false;
        if (salt_len == 0) {    /* RFC 5869 §2.2: "if not provided, it is set to a string of HashLen zeros" */
                salt = zeros;
                salt_len = h;
        }
        return hkdf_step(alg, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, ikm_len, salt, salt_len, out, h);
}

bool hkdf_expand(enum hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info, size_t info_len,
                 uint8_t *out, size_t out_len)
{
        size_t h = hash_len(alg);

        if (!h || !prk || prk_len < h || (!info && info_len) || out_len == 0 || out_len > 255 * h)
                return false;
        return hkdf_step(alg, EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, prk_len, info, info_len, out, out_len);
}
