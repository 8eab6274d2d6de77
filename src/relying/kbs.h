/* The Key Broker: a relying party that releases a secret only to an attested Realm, with
 * the REST API of veraison/keybroker-demo (doc/api/keys/keys.yaml; facts
 * rme-swiotlb-virtio.md §4.5), verifying tokens itself (relying/cca_verify.h) where the
 * demo asks Veraison.
 *
 *   POST /keys/v1/key/{KeyId}   {"pubkey": {"kty": "RSA", "alg": "RSA1_5"|"RSA-OAEP",
 *                                "n": b64url, "e": b64url}}
 *     201  Location: {endpoint}/keys/v1/evidence/{ChallengeId}
 *          {"challenge": b64url(64 random bytes), "accept": [KBS_ACCEPT]}
 *   POST /keys/v1/evidence/{ChallengeId}   Content-Type: KBS_EVIDENCE_TYPE, body: the
 *                                          token in unpadded base64url
 *     200  {"data": b64url(the secret wrapped to pubkey)}
 *     403  {"type": "AttestationFailure", "detail": ...}: an unknown (or already used:
 *          single use) challenge id; a token that fails a check (decode, signatures,
 *          binding, challenge: "No attestation result was obtained. ..."); a RIM outside
 *          the reference values ("The attestation result is not in policy.")
 *
 * Where the demo's server crashes or takes anything, this one answers with an
 * ErrorInformation body: 404 KeyNotFound for a key it does not hold (the demo issues a
 * challenge and fails at wrap time), 400 BadRequest for a malformed request or key, 404
 * for any other path, 405 for any other method, 413 for a body over KBS_BODY_MAX.
 *
 * This file is the broker's logic only, bytes in and bytes out (no sockets: kbs_http.c
 * serves it over HTTP), so every path is tested and fuzzed directly. Not thread-safe: one
 * caller at a time (the HTTP server calls it from its one polling thread). */
#ifndef CCADA_RELYING_KBS_H
#define CCADA_RELYING_KBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/ec.h"
#include "proto/cca_token.h"
#include "relying/cca_verify.h"

#define KBS_ACCEPT "application/eat-collection; profile=http://arm.com/CCA-SSD/1.0.0"
#define KBS_EVIDENCE_TYPE "application/eat-collection; profile=\"http://arm.com/CCA-SSD/1.0.0\""
#define KBS_BODY_MAX 65536
#define KBS_MAX_CHALLENGES 256  /* outstanding; the oldest is dropped for a new one */
#define KBS_MAX_KEYS 16
#define KBS_KEY_NAME_MAX 64
#define KBS_SECRET_MAX 64       /* fits RSA-1024 with either padding */
#define KBS_LOG_MAX 512

struct kbs_key {
        char name[KBS_KEY_NAME_MAX];
        uint8_t secret[KBS_SECRET_MAX];
        size_t len;
};

struct kbs_config {
        const char *endpoint;           /* "http://127.0.0.1:8088": the Location's prefix;
                                         * kbs_create copies the pointer, not the text: it
                                         * must outlive the broker */
        struct kbs_key keys[KBS_MAX_KEYS];
        size_t nkeys;
        const struct ec_key *iak;       /* the platform key tokens must be signed with */
        struct cca_rim rims[64];        /* reference values: the RIMs released to */
        size_t nrims;
};

struct kbs_response {
        int status;
        char location[256];             /* "" unless 201 */
        char *body;                     /* JSON, malloc'd (kbs_response_free) */
        size_t body_len;
        char log[KBS_LOG_MAX];          /* one line for the operator ("" if nothing to say) */
};

struct kbs;
/* A broker over cfg (copied). False when out of memory or cfg->endpoint is too long. */
bool kbs_create(struct kbs **out, const struct kbs_config *cfg);
void kbs_destroy(struct kbs *k); /* NULL: no-op; wipes the secrets */

/* Answers one request. method, path (no query: a "?" and what follows are refused as part
 * of the path), content_type (NULL: none) and the body exactly as received. Never fails:
 * every outcome is a status and an ErrorInformation body. */
void kbs_handle(struct kbs *k, const char *method, const char *path, const char *content_type, const uint8_t *body,
                size_t len, struct kbs_response *r);
void kbs_response_free(struct kbs_response *r);

/* Reads a reference-values file's text ({"reference-values": ["<std base64 RIM>", ...]},
 * keybroker-demo's format) into cfg's RIMs. False with why (128 bytes) if it is not that. */
bool kbs_reference_values_parse(const char *json, size_t len, struct kbs_config *cfg, char *why);
/* "NAME=SECRET" into cfg's keys. False with why (128 bytes) when malformed or full. */
bool kbs_key_parse(const char *arg, struct kbs_config *cfg, char *why);

#endif
