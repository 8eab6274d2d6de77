/* AEAD over OpenSSL 3: one EVP_CIPHER_CTX per key, re-initialised with each nonce (the key
 * schedule is computed once, at aead_new). */
#include "lib/aead.h"

#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"

struct aead {
        EVP_CIPHER_CTX *enc, *dec;
        enum aead_alg alg;
};

static const EVP_CIPHER *alg_cipher(enum aead_alg alg)
{
        switch (alg) {
        case AEAD_AES_128_GCM:
                return EVP_aes_128_gcm();
        case AEAD_AES_256_GCM:
                return EVP_aes_256_gcm();
        case AEAD_CHACHA20_POLY1305:
                return EVP_chacha20_poly1305();
        }
        return NULL;
}

size_t aead_key_len(enum aead_alg alg)
{
        switch (alg) {
        case AEAD_AES_128_GCM:
                return 16;
        case AEAD_AES_256_GCM:
        case AEAD_CHACHA20_POLY1305:
                return 32;
        }
        return 0;
}

const char *aead_alg_name(enum aead_alg alg)
{
        switch (alg) {
        case AEAD_AES_128_GCM:
                return "AES-128-GCM";
        case AEAD_AES_256_GCM:
                return "AES-256-GCM";
        case AEAD_CHACHA20_POLY1305:
                return "CHACHA20-POLY1305";
        }
        return "unknown";
}

void aead_free(struct aead *a)
{
        if (!a)
                return;
        EVP_CIPHER_CTX_free(a->enc);    /* cleanses the key schedule */
        EVP_CIPHER_CTX_free(a->dec);
        free(a);
}

/* One context: cipher and key set, nonce length 12; the nonce comes with each call. */
static EVP_CIPHER_CTX *keyed_ctx(const EVP_CIPHER *c, const uint8_t *key, int enc)
{
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

        if (!ctx)
                return NULL;
        if (EVP_CipherInit_ex(ctx, c, NULL, NULL, NULL, enc) != 1 ||
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, AEAD_NONCE_LEN, NULL) != 1 ||
            EVP_CipherInit_ex(ctx, NULL, NULL, key, NULL, enc) != 1) {
                EVP_CIPHER_CTX_free(ctx);
                return NULL;
        }
        return ctx;
}

bool aead_new(struct aead **out, enum aead_alg alg, const uint8_t *key, size_t key_len)
{
        const EVP_CIPHER *c = alg_cipher(alg);
        struct aead *a;

        *out = NULL;
        if (!c || !key || key_len != aead_key_len(alg) || !(a = calloc(1, sizeof(*a))))
                return false;
        a->alg = alg;
        a->enc = keyed_ctx(c, key, 1);
        a->dec = keyed_ctx(c, key, 0);
        if (!a->enc || !a->dec) {
                aead_free(a);
                return false;
        }
        *out = a;
        return true;
}

enum aead_alg aead_get_alg(const struct aead *a)
{
        return a->alg;
}

/* EVP lengths are int: feed len in pieces no larger than INT_MAX. */
static bool update(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in, size_t len)
{
        while (len) {
                int n = len > INT_MAX ? INT_MAX : (int)len, got = 0;
                if (EVP_CipherUpdate(ctx, out, &got, in, n) != 1 || got != n)
                        return false;
                in += n;
                if (out)
                        out += n;
                len -= (size_t)n;
        }
        return true;
}

bool aead_seal(struct aead *a, const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *aad, size_t aad_len,
               const uint8_t *pt, size_t len, uint8_t *ct, uint8_t tag[AEAD_TAG_LEN])
{
        uint8_t fin[16];        /* GCM and ChaCha20-Poly1305 finish with no bytes */
        int n = 0;

        return EVP_CipherInit_ex(a->enc, NULL, NULL, NULL, nonce, 1) == 1 && update(a->enc, NULL, aad, aad_len) &&
               update(a->enc, ct, pt, len) && EVP_CipherFinal_ex(a->enc, fin, &n) == 1 && n == 0 &&
               EVP_CIPHER_CTX_ctrl(a->enc, EVP_CTRL_AEAD_GET_TAG, AEAD_TAG_LEN, tag) == 1;
}

/* Opens with a tag of tag_len bytes (the caller has checked the length for the algorithm). */
static bool open_tag(struct aead *a, const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *aad, size_t aad_len,
                     const uint8_t *ct, size_t len, const uint8_t *tag, size_t tag_len, uint8_t *pt)
{
        uint8_t t[AEAD_TAG_LEN], fin[16];
        int n = 0;

        memcpy(t, tag, tag_len);        /* the ctrl takes a non-const pointer */
        bool ok = EVP_CipherInit_ex(a->dec, NULL, NULL, NULL, nonce, 0) == 1 &&
                  EVP_CIPHER_CTX_ctrl(a->dec, EVP_CTRL_AEAD_SET_TAG, (int)tag_len, t) == 1 &&
                  update(a->dec, NULL, aad, aad_len) && update(a->dec, pt, ct, len) &&
                  EVP_CipherFinal_ex(a->dec, fin, &n) == 1 && n == 0;
        if (!ok)
                secure_zero(pt, len);
        return ok;
}

bool aead_open(struct aead *a, const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *aad, size_t aad_len,
               const uint8_t *ct, size_t len, const uint8_t tag[AEAD_TAG_LEN], uint8_t *pt)
{
        return open_tag(a, nonce, aad, aad_len, ct, len, tag, AEAD_TAG_LEN, pt);
}

bool aead_open_short(struct aead *a, const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *aad, size_t aad_len,
                     const uint8_t *ct, size_t len, const uint8_t *tag, size_t tag_len, uint8_t *pt)
{
        if ((a->alg != AEAD_AES_128_GCM && a->alg != AEAD_AES_256_GCM) || tag_len < AEAD_SHORT_TAG_MIN ||
            tag_len > AEAD_TAG_LEN) {
                secure_zero(pt, len);
                return false;
        }
        return open_tag(a, nonce, aad, aad_len, ct, len, tag, tag_len, pt);
}
