/* What SPDM 1.2+ signs (DSP0274 1.2 §15 "Signature generation"; facts/spdm-tdisp-ide.md
 * §1.7): M = "dmtf-spdm-v1.x.*" four times (64 bytes) || zero padding || context string
 * (together 36 bytes) || Hash(transcript). ECDSA then signs M with the negotiated hash, as
 * ec_sign/ec_verify (lib/ec.h) do: ECDSA-Sign(Hash(M)).
 *
 * SPDM 1.0 and 1.1 sign the transcript without a prefix; ccada speaks 1.2 only.
 */
#ifndef CCADA_PROTO_SPDM_SIGN_H
#define CCADA_PROTO_SPDM_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPDM_SIGN_PREFIX_LEN 100u
#define SPDM_SIGNED_MESSAGE_MAX (SPDM_SIGN_PREFIX_LEN + 64u)

#define SPDM_CTX_CHALLENGE_AUTH   "responder-challenge_auth signing"
#define SPDM_CTX_MEASUREMENTS     "responder-measurements signing"
#define SPDM_CTX_KEY_EXCHANGE_RSP "responder-key_exchange_rsp signing"
#define SPDM_CTX_FINISH           "requester-finish signing"

/* M for SPDM version (0x12..0x14), context (at most 36 bytes) and th_hash (hash_len bytes,
 * at most 64) into out; *out_len = 100 + hash_len. False for another version, a longer
 * context or hash, or cap short. */
bool spdm_signed_message(uint8_t version, const char *context, const uint8_t *th_hash, size_t hash_len,
                         uint8_t *out, size_t cap, size_t *out_len);

#endif
