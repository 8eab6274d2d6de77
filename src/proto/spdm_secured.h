/* DSP0277 secured SPDM messages as the PCIe DOE binding carries them (PCIe Base §6.31.4,
 * "Secured CMA/SPDM"; facts/spdm-tdisp-ide.md §2):
 *
 *     SessionID(4, LE) | Length(2, LE) | AEAD( ApplicationDataLength(2, LE) | ApplicationData |
 *                                              RandomData ) | MAC(16)
 *
 * with no sequence number on the wire (the DOE binding's is 0 bytes), AAD = SessionID ||
 * Length, Length counting everything after it (the encrypted part and the MAC), and the
 * nonce = IV XOR the 64-bit sequence number written little-endian into bytes 0..7. Each
 * direction of each key phase has its own counter from 0; a record is accepted only under
 * the next number, so a replayed, dropped or reordered record fails to authenticate.
 *
 * Sessions that encrypt are supported (ENCRYPT_CAP and MAC_CAP, as TDISP requires);
 * MAC-only sessions are not. Senders add no RandomData (TDISP and IDE_KM require none);
 * receivers tolerate any amount, as DSP0277 allows.
 */
#ifndef CCADA_PROTO_SPDM_SECURED_H
#define CCADA_PROTO_SPDM_SECURED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/aead.h"

#define SPDM_SECURED_HDR_LEN 6u       /* SessionID + Length */
#define SPDM_SECURED_OVERHEAD (SPDM_SECURED_HDR_LEN + 2u + AEAD_TAG_LEN)
#define SPDM_SECURED_WHY_LEN 96

/* One direction of one key phase: the AEAD keyed with its key, its IV and the number the
 * next record takes. */
struct spdm_secured_dir {
        struct aead *aead;
        uint8_t iv[AEAD_NONCE_LEN];
        uint64_t seq;
};

/* Keys dir for alg (key: aead_key_len bytes) with seq 0. */
bool spdm_secured_dir_init(struct spdm_secured_dir *dir, enum aead_alg alg, const uint8_t *key,
                           const uint8_t iv[AEAD_NONCE_LEN]);
/* Frees the AEAD and wipes the IV. */
void spdm_secured_dir_clear(struct spdm_secured_dir *dir);

/* The nonce of record number seq: iv with seq XORed little-endian into bytes 0..7. */
void spdm_secured_nonce(const uint8_t iv[AEAD_NONCE_LEN], uint64_t seq, uint8_t nonce[AEAD_NONCE_LEN]);

/* Seals app (app_len bytes, one SPDM message) and random_len bytes of random (NULL when 0)
 * into a record for session_id in out; *out_len = its size (app_len + random_len +
 * SPDM_SECURED_OVERHEAD). The direction's number advances. False if cap is short, the
 * record would not fit its 16-bit Length, the counter is exhausted, or OpenSSL fails. */
bool spdm_secured_seal(struct spdm_secured_dir *dir, uint32_t session_id, const uint8_t *app, size_t app_len,
                       const uint8_t *random, size_t random_len, uint8_t *out, size_t cap, size_t *out_len);

/* The session ID of a record (its first 4 bytes), before any key is chosen. */
bool spdm_secured_session_id(const uint8_t *rec, size_t len, uint32_t *session_id);

/* Opens a record (rec, len bytes; bytes past the record's own Length are the caller's:
 * *used receives the record's size) under dir, for session session_id: on success app
 * (cap bytes) receives the ApplicationData, *app_len its length, and the direction's number
 * advances. Refused, with why (SPDM_SECURED_WHY_LEN) and dir unchanged: a record shorter
 * than its header or its Length, another session ID, a Length too small for the length
 * field and MAC, a MAC that does not verify (tampering, another key, a replayed or
 * out-of-order record), an ApplicationDataLength beyond the decrypted bytes, or an app
 * larger than cap. Nothing of a record that failed reaches app. */
bool spdm_secured_open(struct spdm_secured_dir *dir, uint32_t session_id, const uint8_t *rec, size_t len,
                       uint8_t *app, size_t cap, size_t *app_len, size_t *used, char *why);

#endif
