/* Authenticated encryption with associated data over OpenSSL 3's EVP cipher interface:
 * AES-GCM (NIST SP 800-38D) with 128- or 256-bit keys and ChaCha20-Poly1305 (RFC 8439),
 * all with 96-bit nonces and 128-bit tags, as SPDM secured messages (DSP0277) and PCIe IDE
 * use them.
 *
 * A context holds one key, set once; each seal or open takes its own nonce. The key is
 * wiped when the context is freed. Open checks the tag before it releases a byte: on
 * failure the output buffer is zeroed, so a caller that ignores the status still sees no
 * forged plaintext.
 */
#ifndef CCADA_LIB_AEAD_H
#define CCADA_LIB_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AEAD_NONCE_LEN   12
#define AEAD_TAG_LEN     16
#define AEAD_KEY_MAX_LEN 32

enum aead_alg {
        AEAD_AES_128_GCM,
        AEAD_AES_256_GCM,
        AEAD_CHACHA20_POLY1305,
};

size_t aead_key_len(enum aead_alg alg);         /* 16, 32, 32; 0 for a value outside the enum */
const char *aead_alg_name(enum aead_alg alg);   /* "AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305" */

struct aead;

/* A context for alg keyed with key (aead_key_len(alg) bytes; any other length is refused). */
bool aead_new(struct aead **out, enum aead_alg alg, const uint8_t *key, size_t key_len);
void aead_free(struct aead *a); /* NULL: no-op; wipes the key */
enum aead_alg aead_get_alg(const struct aead *a);

/* Encrypts len bytes of pt into ct (len bytes; ct may equal pt) and writes the tag, over
 * aad (aad_len bytes, NULL when 0). False only if OpenSSL fails. */
bool aead_seal(struct aead *a, const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *aad, size_t aad_len,
               const uint8_t *pt, size_t len, uint8_t *ct, uint8_t tag[AEAD_TAG_LEN]);

/* Decrypts len bytes of ct into pt (may equal ct) if tag authenticates ct and aad; else
 * false with pt zeroed. */
bool aead_open(struct aead *a, const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *aad, size_t aad_len,
               const uint8_t *ct, size_t len, const uint8_t tag[AEAD_TAG_LEN], uint8_t *pt);

/* Shortest tag aead_open_short accepts: PCIe IDE's 96-bit MAC (facts §5). */
#define AEAD_SHORT_TAG_MIN 12

/* As aead_open, for a tag truncated to its leading tag_len bytes (AEAD_SHORT_TAG_MIN..
 * AEAD_TAG_LEN), as NIST SP 800-38D §5.2.1.2 allows for GCM: a sender keeps the first
 * tag_len bytes of aead_seal's tag. AES-GCM contexts only; false (pt zeroed) for another
 * algorithm, a tag_len outside the range, or a tag that does not authenticate. */
bool aead_open_short(struct aead *a, const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *aad, size_t aad_len,
                     const uint8_t *ct, size_t len, const uint8_t *tag, size_t tag_len, uint8_t *pt);

#endif
