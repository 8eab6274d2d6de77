/* Hashes over the OpenSSL 3 EVP digest interface (SHA-2, FIPS 180-4). */
#include "lib/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

struct hash_ctx {
        EVP_MD_CTX *md;
        enum hash_alg alg;
};

/* NULL for a value outside enum hash_alg. */
static const EVP_MD *alg_md(enum hash_alg alg)
{
        switch (alg) {
        case HASH_SHA256:
                return EVP_sha256();
        case HASH_SHA384:
                return EVP_sha384();
        case HASH_SHA512:
                return EVP_sha512();
        }
        return NULL;
}

size_t hash_len(enum hash_alg alg)
{
        switch (alg) {
        case HASH_SHA256:
                return 32;
        case HASH_SHA384:
                return 48;
        case HASH_SHA512:
                return 64;
        }
        return 0;
}

const char *hash_alg_name(enum hash_alg alg)
{
        switch (alg) {
        case HASH_SHA256:
                return "sha-256";
        case HASH_SHA384:
                return "sha-384";
        case HASH_SHA512:
                return "sha-512";
        }
        return "unknown";
}

static void hash_free(struct hash_ctx *h)
{
        EVP_MD_CTX_free(h->md);
        free(h);
}

bool hash_once(enum hash_alg alg, const void *data, size_t len, uint8_t *out)
{
        struct hash_ctx *h;

        if (!hash_begin(&h, alg))
                return false;
        if (!hash_update(h, data, len)) {
                hash_free(h);
                return false;
        }
        return hash_end(h, out);
}

bool hash_begin(struct hash_ctx **out, enum hash_alg alg)
{
        const EVP_MD *md = alg_md(alg);
        struct hash_ctx *h;

        *out = NULL;
        if (!md)
                return false;
        h = calloc(1, sizeof(*h));
        if (!h)
                return false;
        h->alg = alg;
        h->md = EVP_MD_CTX_new();
        if (!h->md || EVP_DigestInit_ex(h->md, md, NULL) != 1) {
                hash_free(h);
                return false;
        }
        *out = h;
        return true;
}

bool hash_update(struct hash_ctx *h, const void *data, size_t len)
{
        if (len == 0)
                return true;    /* data may be NULL then */
        return EVP_DigestUpdate(h->md, data, len) == 1;
}

bool hash_end(struct hash_ctx *h, uint8_t *out)
{
        unsigned int n = 0;
        bool ok = EVP_DigestFinal_ex(h->md, out, &n) == 1 && n == hash_len(h->alg);

        hash_free(h);
        return ok;
}

struct hasher {
        EVP_MD *md; /* fetched: EVP_DigestInit_ex2 then does no look-up */
        EVP_MD_CTX *ctx;
        enum hash_alg alg;
};

bool hasher_new(struct hasher **out, enum hash_alg alg)
{
        const EVP_MD *named = alg_md(alg);
        struct hasher *h;

        *out = NULL;
        if (!named || !(h = calloc(1, sizeof(*h))))
                return false;
        h->alg = alg;
        h->md = EVP_MD_fetch(NULL, EVP_MD_get0_name(named), NULL);
        h->ctx = EVP_MD_CTX_new();
        if (!h->md || !h->ctx) {
                hasher_free(h);
                return false;
        }
        *out = h;
        return true;
}

enum hash_alg hasher_alg(const struct hasher *h)
{
        return h->alg;
}

bool hasher_digest(struct hasher *h, const void *data, size_t len, uint8_t *out)
{
        unsigned int n = 0;
        return EVP_DigestInit_ex2(h->ctx, h->md, NULL) == 1 &&
               (len == 0 || EVP_DigestUpdate(h->ctx, data, len) == 1) &&
               EVP_DigestFinal_ex(h->ctx, out, &n) == 1 && n == hash_len(h->alg);
}

void hasher_free(struct hasher *h)
{
        if (!h)
                return;
        EVP_MD_CTX_free(h->ctx);
        EVP_MD_free(h->md);
        free(h);
}

void secure_zero(void *p, size_t n)
{
        if (p && n)
                OPENSSL_cleanse(p, n);
}

const char *hash_openssl_name(enum hash_alg alg)
{
        switch (alg) {
        case HASH_SHA256:
                return "SHA256";
        case HASH_SHA384:
                return "SHA384";
        case HASH_SHA512:
                return "SHA512";
        }
        return NULL;
}

void hex_encode(char *dst, const uint8_t *src, size_t n)
{
        static const char digits[] = "0123456789abcdef";

        for (size_t i = 0; i < n; i++) {
                dst[2 * i] = digits[src[i] >> 4];
                dst[2 * i + 1] = digits[src[i] & 0x0f];
        }
        dst[2 * n] = '\0';
}

static int hex_digit(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

bool hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
        size_t n = strlen(hex);
        if (n % 2 || n / 2 > cap)
                return false;
        for (size_t i = 0; i < n / 2; i++) {
                int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return false;
                out[i] = (uint8_t)(hi << 4 | lo);
        }
        *len = n / 2;
        return true;
}
