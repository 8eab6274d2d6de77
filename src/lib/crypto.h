/* Hashes over OpenSSL. Digests are written to caller storage of HASH_MAX_LEN bytes. */
#ifndef CCADA_LIB_CRYPTO_H
#define CCADA_LIB_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HASH_MAX_LEN 64

enum hash_alg {
        HASH_SHA256,
        HASH_SHA384,
        HASH_SHA512,
};

/* Digest length in bytes (32, 48, 64). */
size_t hash_len(enum hash_alg alg);
const char *hash_alg_name(enum hash_alg alg); /* "sha-256", "sha-384", "sha-512" */

/* out receives hash_len(alg) bytes. Returns false only if OpenSSL fails. */
bool hash_once(enum hash_alg alg, const void *data, size_t len, uint8_t *out);

/* Incremental hashing. */
struct hash_ctx;
bool hash_begin(struct hash_ctx **out, enum hash_alg alg);
bool hash_update(struct hash_ctx *h, const void *data, size_t len);
/* Writes the digest and frees h (also on failure). */
bool hash_end(struct hash_ctx *h, uint8_t *out);

/* A hasher for many one-shot digests of one algorithm. It fetches the algorithm from
 * OpenSSL once; hash_once fetches it on every call, which costs more than hashing a
 * 256-byte measurement descriptor. */
struct hasher;
bool hasher_new(struct hasher **out, enum hash_alg alg);
enum hash_alg hasher_alg(const struct hasher *h);
/* out receives hash_len bytes. Returns false only if OpenSSL fails. */
bool hasher_digest(struct hasher *h, const void *data, size_t len, uint8_t *out);
void hasher_free(struct hasher *h); /* NULL: no-op */

/* Zeroes n bytes at p in a way the compiler may not drop: for every key, secret and
 * session value before its memory is freed or reused (OPENSSL_cleanse). */
void secure_zero(void *p, size_t n);

/* OpenSSL's name of the digest ("SHA256", "SHA384", "SHA512"), for EVP calls that take one. */
const char *hash_openssl_name(enum hash_alg alg);

/* Lower-case hex of n bytes into dst (2n+1 bytes, NUL-terminated). */
void hex_encode(char *dst, const uint8_t *src, size_t n);
/* The bytes a hex string spells (either case, no separators, an even number of digits)
 * into out (cap bytes); *len receives their number. False, with out unspecified, for any
 * other character, an odd count or more than cap bytes. */
bool hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *len);

#endif
