/* The RMM's SPDM 1.2 requester: the TSM side of device attestation (DSP0274 1.2.1; secured
 * messages DSP0277 1.1 on PCIe DOE; facts/spdm-tdisp-ide.md §1-2).
 *
 * No I/O inside: bytes in, bytes out. The RMM drives it one message at a time and the host
 * relays each one to the device's DOE mailbox and brings back the answer (the next issue
 * carries them through RMI_PDEV_COMMUNICATE). Every response is hostile: the relay may have
 * flipped, truncated, replayed, reordered or invented it. Any failure breaks the requester
 * for good, with a named error and a reason; nothing it learnt before is reported as
 * verified.
 *
 * The flow (what a TSM needs before it trusts a device, TF-RMM's order):
 *   GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS        (1.2; TF-RMM's offer)
 *   GET_DIGESTS, GET_CERTIFICATE in portions                   slot 0; the chain checked
 *                                                              against the trust anchor
 *   CHALLENGE (summary of all measurements)                    CHALLENGE_AUTH signature
 *   GET_MEASUREMENTS (all, signed, fresh nonce)                signature, summary hash
 *   KEY_EXCHANGE, FINISH                                       a secured session
 * then, on request, inside the session: VENDOR_DEFINED, HEARTBEAT, KEY_UPDATE, END_SESSION.
 *
 * Offered: requester capabilities CERT, ENCRYPT, MAC, KEY_EX, HBEAT, KEY_UPD and
 * HANDSHAKE_IN_THE_CLEAR (unless turned off); ECDSA P-256/P-384; SHA-256/384; DHE
 * secp256r1/secp384r1; AES-128-GCM/AES-256-GCM; DMTF measurements; opaque data format 1;
 * secured-message versions 1.0, 1.1, 1.2. Required of the responder (as TF-RMM requires):
 * CERT, CHAL, signed MEAS, ENCRYPT, MAC, KEY_EX.
 */
#ifndef CCADA_RMM_SPDM_REQUESTER_H
#define CCADA_RMM_SPDM_REQUESTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/drbg.h"
#include "proto/spdm.h"

#define SPDM_REQ_WHY_LEN 192
#define SPDM_REQ_MAX_MEAS 32
#define SPDM_REQ_SUBJECT_LEN 128

/* What went wrong, by kind (the reason text says exactly what). */
enum spdm_req_error {
        SPDM_REQ_OK,
        SPDM_REQ_E_MALFORMED,   /* a response that does not decode, or has bytes after it */
        SPDM_REQ_E_UNEXPECTED,  /* a response other than the one the request calls for */
        SPDM_REQ_E_PEER_ERROR,  /* the responder answered ERROR */
        SPDM_REQ_E_NEGOTIATION, /* no common version, capabilities or algorithms */
        SPDM_REQ_E_CERT_CHAIN,  /* digest, RootHash or X.509 chain check failed */
        SPDM_REQ_E_SIGNATURE,   /* a CHALLENGE_AUTH, MEASUREMENTS or KEY_EXCHANGE_RSP signature */
        SPDM_REQ_E_MISMATCH,    /* a field that must equal what was sent or seen: slot, nonce,
                                   chain hash, summary hash, session ID, opaque data */
        SPDM_REQ_E_VERIFY_DATA, /* ResponderVerifyData */
        SPDM_REQ_E_SECURED,     /* a secured record that does not open */
        SPDM_REQ_E_STATE,       /* the caller asked for something out of order */
        SPDM_REQ_E_INTERNAL,    /* out of memory, crypto failure */
};
const char *spdm_req_error_name(enum spdm_req_error e); /* "signature", "cert-chain", ... */

/* One message exchanged, for traces and the CLI: the plain SPDM message (decrypted for
 * secured ones). */
typedef void (*spdm_req_observe_fn)(void *ctx, bool request, bool secured, const uint8_t *msg, size_t len);

struct spdm_requester_cfg {
        const uint8_t *trust_anchor;    /* DER of the root certificate the chain must lead to; NULL
                                           (only with wait_for_pubkey): no X.509 check, as TF-RMM's
                                           RMM leaves the chain to the Realm */
        size_t trust_anchor_len;
        time_t now;                     /* validity time for the chain (the RMM has no clock) */
        struct drbg *drbg;              /* nonces, random data, ephemeral keys (not owned) */
        bool no_handshake_in_the_clear; /* don't offer HANDSHAKE_IN_THE_CLEAR_CAP */
        bool wait_for_pubkey;           /* RMI_PDEV (TF-RMM's split): stop with DONE once the chain
                                           is in; go on at spdm_requester_set_pubkey */
        uint32_t data_transfer_size;    /* ours; 0: 4096 */
        spdm_req_observe_fn observe;    /* NULL: none */
        void *observe_ctx;
};

struct spdm_req_meas {
        uint8_t index, value_type;
        bool raw;
        uint16_t len;
        uint8_t value[64];      /* digests whole; raw values cut to 64 bytes (len is the real size) */
};

/* What the requester verified (valid once spdm_requester_step returned SPDM_REQ_DONE for
 * the attestation; fields fill in as the flow goes). */
struct spdm_req_result {
        uint8_t version;
        uint32_t rsp_caps;
        struct spdm_algorithms algs;    /* the selection (pointers cleared) */
        char algorithms[128];           /* as text */
        char leaf_subject[SPDM_REQ_SUBJECT_LEN], root_subject[SPDM_REQ_SUBJECT_LEN];
        size_t chain_len;
        unsigned cert_count;
        uint8_t chain_digest[SPDM_HASH_MAX];
        size_t hash_len;
        struct spdm_req_meas meas[SPDM_REQ_MAX_MEAS];
        unsigned nmeas;
        uint8_t meas_summary[SPDM_HASH_MAX];
        uint16_t sm_version;            /* secured-message version selected */
        uint32_t session_id;
        bool session;                   /* established */
        unsigned messages;              /* requests sent */
};

enum spdm_req_status {
        SPDM_REQ_SEND,          /* out holds a request: relay it and call step with the answer */
        SPDM_REQ_DONE,          /* the current flow finished; nothing to send */
        SPDM_REQ_FAILED,        /* broken for good: see spdm_requester_error */
};

struct spdm_requester;

bool spdm_requester_new(struct spdm_requester **out, const struct spdm_requester_cfg *cfg);
void spdm_requester_free(struct spdm_requester *r); /* NULL: no-op; wipes every key */

/* A request is written to out (cap bytes, at least 4096 + 64): *out_len its size, *secured
 * whether it is a secured record (DOE type 2) or a plain message (type 1). */
struct spdm_req_out {
        uint8_t *buf;
        size_t cap, len;
        bool secured;
};

/* Starts the attestation flow: the first request (GET_VERSION). */
enum spdm_req_status spdm_requester_start(struct spdm_requester *r, struct spdm_req_out *out);
/* The answer to the last request (plain or secured): the next request, or DONE, or FAILED. */
enum spdm_req_status spdm_requester_step(struct spdm_requester *r, const uint8_t *rsp, size_t len, bool secured,
                                         struct spdm_req_out *out);

/* With wait_for_pubkey: whether the requester stopped after the certificate chain, waiting
 * for the device's public key (RMI_PDEV NEEDS_KEY). The key is an uncompressed EC point of
 * the negotiated curve; when a trust anchor checked the chain it must be the leaf's key
 * (else MISMATCH). Signatures are then verified with it. Returns the CHALLENGE to send. */
bool spdm_requester_needs_key(const struct spdm_requester *r);
/* The length of the last response the requester accepted into its transcript, without DOE
 * padding (for the RMM's cached objects: VERSION, CAPABILITIES, ALGORITHMS, CERTIFICATE). */
size_t spdm_requester_last_response_len(const struct spdm_requester *r);
enum spdm_req_status spdm_requester_set_pubkey(struct spdm_requester *r, const uint8_t *point, size_t len,
                                               struct spdm_req_out *out);

/* Inside the established session (after DONE): one request each; step takes its answer and
 * returns DONE when it was what the request called for. */
enum spdm_req_status spdm_requester_heartbeat(struct spdm_requester *r, struct spdm_req_out *out);
/* KEY_UPDATE UpdateKey (all false) or UpdateAllKeys, then VerifyNewKey: step returns SEND
 * for the VerifyNewKey and DONE after its ACK. */
enum spdm_req_status spdm_requester_key_update(struct spdm_requester *r, bool all, struct spdm_req_out *out);
enum spdm_req_status spdm_requester_end_session(struct spdm_requester *r, struct spdm_req_out *out);
/* A VENDOR_DEFINED_REQUEST in the session; after DONE, spdm_requester_vdm_response gives
 * the response's payload. */
enum spdm_req_status spdm_requester_vendor_defined(struct spdm_requester *r, uint16_t standard_id,
                                                   const uint8_t *vendor_id, uint8_t vendor_id_len,
                                                   const uint8_t *payload, size_t len, struct spdm_req_out *out);
bool spdm_requester_vdm_response(const struct spdm_requester *r, const uint8_t **payload, size_t *len);

/* A whole SPDM request of the caller's in the session, sent as given (today only
 * GET_MEASUREMENTS, in the negotiated version; anything else fails with STATE). The answer is
 * the caller's to decode: step returns DONE for the expected response or an ERROR (the
 * session stays up), and spdm_requester_session_response gives it whole. A MEASUREMENTS must
 * decode, and when a signature was requested it must verify with the device's key over VCA,
 * this request and the response (else FAILED: the session is of no use any more). */
enum spdm_req_status spdm_requester_session_message(struct spdm_requester *r, const uint8_t *msg, size_t len,
                                                    struct spdm_req_out *out);
bool spdm_requester_session_response(const struct spdm_requester *r, const uint8_t **msg, size_t *len);
/* The sizes the negotiation fixed (for the caller's encoders and decoders). */
const struct spdm_sizes *spdm_requester_sizes(const struct spdm_requester *r);

const struct spdm_req_result *spdm_requester_result(const struct spdm_requester *r);
/* The responder's SPDM certificate chain of slot 0 as fetched (valid once its hash matched
 * DIGESTS and its header and RootHash decoded; X.509-checked only with a trust anchor). */
bool spdm_requester_chain(const struct spdm_requester *r, const uint8_t **chain, size_t *len);
enum spdm_req_error spdm_requester_error(const struct spdm_requester *r, const char **why);

#endif
