/* The SPDM key schedule (DSP0274 1.2 §12 "Key schedule"; facts/spdm-tdisp-ide.md §1.8) for
 * a session opened with KEY_EXCHANGE: from the DHE secret and the transcript hashes TH1 and
 * TH2 to the handshake and data secrets, the finished keys, the AEAD key and IV of each
 * direction, the export master secret, and KEY_UPDATE's next secrets.
 *
 * Every derivation is HKDF-Expand(secret, bin_str(L, label, context), L) with the
 * negotiated hash, where bin_str = u16 little-endian L || "spdm1.x " || label || context
 * (the version in the prefix is the negotiated SPDM version). Both roles use the same
 * schedule: the requester in the RMM and the responder in the device.
 *
 * Pre-shared keys (PSK_EXCHANGE) are not supported: ccada's requester and responder do
 * not offer PSK_CAP.
 */
#ifndef CCADA_PROTO_SPDM_KEYS_H
#define CCADA_PROTO_SPDM_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/aead.h"
#include "lib/crypto.h"

/* u16 length, the 8-byte version prefix, the longest label ("req app data", 12 bytes)
 * and a hash as context. */
#define SPDM_BIN_STR_MAX (2 + 8 + 12 + HASH_MAX_LEN)

/* bin_str(length, label, context) for SPDM version (0x11..0x14) into out; *out_len receives
 * its size. False for a version below 1.1, a label over 12 bytes, a context over
 * HASH_MAX_LEN bytes or cap too small. */
bool spdm_bin_str(uint8_t version, uint16_t length, const char *label, const uint8_t *context, size_t context_len,
                  uint8_t *out, size_t cap, size_t *out_len);

/* One direction's traffic protection: the secret it is derived from, its AEAD key and IV. */
struct spdm_traffic_keys {
        uint8_t secret[HASH_MAX_LEN];
        uint8_t key[AEAD_KEY_MAX_LEN];
        uint8_t iv[AEAD_NONCE_LEN];
};

struct spdm_key_schedule {
        uint8_t version;                /* SPDM version byte, 0x11..0x14 */
        enum hash_alg hash;
        enum aead_alg aead;
        uint8_t handshake_secret[HASH_MAX_LEN];
        uint8_t req_finished_key[HASH_MAX_LEN];
        uint8_t rsp_finished_key[HASH_MAX_LEN];
        struct spdm_traffic_keys req_hs, rsp_hs;
        uint8_t master_secret[HASH_MAX_LEN];
        uint8_t export_master_secret[HASH_MAX_LEN];
        struct spdm_traffic_keys req_data, rsp_data;
        bool have_handshake, have_data;
};

/* The handshake phase, once TH1 is known: handshake_secret = HKDF-Extract(0^H, dhe), the
 * request and response handshake secrets from TH1's hash (th1, H bytes), their finished keys
 * and AEAD keys and IVs. dhe is the DHE shared secret (for ECDHE the X coordinate). */
bool spdm_ks_handshake(struct spdm_key_schedule *ks, uint8_t version, enum hash_alg hash, enum aead_alg aead,
                       const uint8_t *dhe, size_t dhe_len, const uint8_t *th1);

/* The data phase, once TH2 is known (th2, H bytes): master secret from salt_1 =
 * HKDF-Expand(handshake_secret, bin_str("derived")), the data secrets, keys and IVs and the
 * export master secret. Requires spdm_ks_handshake first. */
bool spdm_ks_data(struct spdm_key_schedule *ks, const uint8_t *th2);

/* KEY_UPDATE for one direction's data keys: secret' = HKDF-Expand(secret, bin_str("traffic
 * upd"), H), then key and IV from secret'. The old values are overwritten. */
bool spdm_ks_update(struct spdm_key_schedule *ks, struct spdm_traffic_keys *dir);

/* VerifyData = HMAC(finished_key, th) where th is a transcript hash (H bytes) and the
 * finished key the requester's (requester true) or the responder's; out receives H bytes. */
bool spdm_ks_verify_data(const struct spdm_key_schedule *ks, bool requester, const uint8_t *th, uint8_t *out);

/* Wipes every secret and key of ks. */
void spdm_ks_wipe(struct spdm_key_schedule *ks);

#endif
