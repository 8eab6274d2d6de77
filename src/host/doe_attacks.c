/* The hostile host's DOE tampering. Objects are whole DOE data objects: byte 2 is the DOE
 * type, and for type 1 (plain SPDM) byte 9 the SPDM request/response code. */
#include "host/doe_attacks.h"

#include <string.h>

#include "proto/doe.h"
#include "proto/spdm.h"

static bool plain(const uint8_t *obj, size_t len, uint8_t code)
{
        return len >= 12 && obj[2] == DOE_TYPE_CMA_SPDM && obj[9] == code;
}

/* A byte in the middle of the first CERTIFICATE's chain portion. */
static void flip_cert(void *ctx, unsigned n, bool to_device, uint8_t *obj, size_t *len, size_t cap)
{
        struct doe_attack_state *s = ctx;
        (void)n;
        (void)cap;
        if (to_device || s->hits || !plain(obj, *len, SPDM_CERTIFICATE) || *len < 200)
                return;
        obj[*len / 2] ^= 0x01;
        s->hits++;
}

/* The MEASUREMENTS of an earlier attestation instead of this one's. */
static void replay_measurements(void *ctx, unsigned n, bool to_device, uint8_t *obj, size_t *len, size_t cap)
{
        struct doe_attack_state *s = ctx;
        (void)n;
        if (to_device || !plain(obj, *len, SPDM_MEASUREMENTS))
                return;
        if (s->recording) {
                if (*len <= sizeof(s->saved)) {
                        memcpy(s->saved, obj, *len);
                        s->saved_len = *len;
                }
                return;
        }
        if (s->saved_len && s->saved_len <= cap) {
                memcpy(obj, s->saved, s->saved_len);
                *len = s->saved_len;
                s->hits++;
        }
}

/* CHALLENGE_AUTH cut after 40 bytes, in a DOE object whose Length says so. */
static void truncate_challenge_auth(void *ctx, unsigned n, bool to_device, uint8_t *obj, size_t *len, size_t cap)
{
        struct doe_attack_state *s = ctx;
        (void)n;
        (void)cap;
        if (to_device || s->hits || !plain(obj, *len, SPDM_CHALLENGE_AUTH) || *len <= 48)
                return;
        *len = 48;
        obj[4] = 48 / 4;
        obj[5] = obj[6] = obj[7] = 0;
        s->hits++;
}

/* The answer to GET_DIGESTS held back and given for the next request (GET_CERTIFICATE). */
static void reorder(void *ctx, unsigned n, bool to_device, uint8_t *obj, size_t *len, size_t cap)
{
        struct doe_attack_state *s = ctx;
        (void)n;
        if (to_device)
                return;
        if (!s->holding && !s->hits && plain(obj, *len, SPDM_DIGESTS) && *len <= sizeof(s->saved)) {
                memcpy(s->saved, obj, *len);
                s->saved_len = *len;
                s->holding = true;
                return;
        }
        if (s->holding && s->saved_len <= cap) {
                memcpy(obj, s->saved, s->saved_len);
                *len = s->saved_len;
                s->holding = false;
                s->hits++;
        }
}

/* A bit of the first secured record the device sends (the session's first answer). */
static void flip_secured(void *ctx, unsigned n, bool to_device, uint8_t *obj, size_t *len, size_t cap)
{
        struct doe_attack_state *s = ctx;
        (void)n;
        (void)cap;
        if (to_device || s->hits || *len < 32 || obj[2] != DOE_TYPE_SECURED_CMA_SPDM)
                return;
        obj[20] ^= 0x80;
        s->hits++;
}

static const struct doe_attack attacks[] = {
        { "flip-cert", "flips a byte of the device's certificate chain on its way to the RMM", "cert-chain",
          DOE_ATTACK_INLINE, flip_cert },
        { "replay-measurements", "answers GET_MEASUREMENTS with the device's signed answer from an earlier attestation",
          "signature", DOE_ATTACK_REHEARSE, replay_measurements },
        { "truncate", "cuts CHALLENGE_AUTH short (and fixes up the DOE Length)", "malformed", DOE_ATTACK_INLINE,
          truncate_challenge_auth },
        { "reorder", "holds back the answer to GET_DIGESTS and gives it for GET_CERTIFICATE", "unexpected-response",
          DOE_ATTACK_INLINE, reorder },
        { "impostor", "relays to another device that presents this one's certificates but has its own key",
          "signature", DOE_ATTACK_IMPOSTOR, NULL },
        { "flip-secured", "flips a bit of the first secured record the device sends in the session",
          "secured-record", DOE_ATTACK_INLINE, flip_secured },
        { "swap-report", "changes a byte of the interface report it cached before the Realm fetches it",
          "REPORT_DIGEST", DOE_ATTACK_HOST_CACHE, NULL },
};

const struct doe_attack *doe_attacks(size_t *n)
{
        *n = sizeof(attacks) / sizeof(attacks[0]);
        return attacks;
}

const struct doe_attack *doe_attack_find(const char *name)
{
        for (size_t i = 0; name && i < sizeof(attacks) / sizeof(attacks[0]); i++)
                if (!strcmp(attacks[i].name, name))
                        return &attacks[i];
        return NULL;
}
