/* HMAC (RFC 2104, FIPS 198-1) and HKDF (RFC 5869) over OpenSSL 3's EVP_MAC and EVP_KDF,
 * with the SHA-2 hashes of lib/crypto.h: what SPDM's key schedule (DSP0274 §12) and its
 * verify data need. Outputs go to caller storage; nothing is kept between calls. Callers
 * wipe keys and secrets with secure_zero when done with them.
 */
#ifndef CCADA_LIB_KDF_H
#define CCADA_LIB_KDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/crypto.h"

/* out receives hash_len(alg) bytes: HMAC-alg(key, data). An empty key is allowed (key may
 * be NULL when key_len is 0, data NULL when len is 0). False only if OpenSSL fails. */
bool hmac_once(enum hash_alg alg, const uint8_t *key, size_t key_len, const void *data, size_t len,
               uint8_t *out);

/* HKDF-Extract(salt, IKM) = HMAC-alg(salt, IKM): out receives hash_len(alg) bytes. An empty
 * salt means hash_len zero bytes (RFC 5869 §2.2). */
bool hkdf_extract(enum hash_alg alg, const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
                  uint8_t *out);

/* HKDF-Expand(PRK, info, L): out receives out_len bytes. False if prk_len < hash_len(alg)
 * (RFC 5869 §2.3), out_len is 0 or more than 255 * hash_len(alg), or OpenSSL fails. */
bool hkdf_expand(enum hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info, size_t info_len,
                 uint8_t *out, size_t out_len);

#endif
