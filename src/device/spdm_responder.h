/* The device's SPDM 1.2 responder (DSP0274 1.2.1; secured messages DSP0277 1.1 on the PCIe
 * DOE binding): what a physical device's security module (DSM) answers to the TSM.
 *
 * Bytes in, bytes out: the DOE mailbox (device/doe_mailbox.h) hands it each data object's
 * payload, plain (DOE type 1) or secured (type 2), and sends back what it writes. No I/O,
 * no threads, no globals; randomness from the caller's DRBG (deterministic runs pass a
 * seeded one).
 *
 * What it supports (and advertises in CAPABILITIES):
 *   versions      1.2 only (VERSION lists 1.2; any other request version: VersionMismatch)
 *   capabilities  CERT, CHAL, MEAS (signed), MEAS_FRESH, ENCRYPT, MAC, KEY_EX, HBEAT,
 *                 KEY_UPD, and HANDSHAKE_IN_THE_CLEAR unless the configuration turns it off
 *   algorithms    the leaf key's ECDSA curve (P-256 or P-384); SHA-256/384/512 (the
 *                 requester's strongest of ours); measurement hash SHA-256/384/512; DHE
 *                 secp256r1/secp384r1; AEAD AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305;
 *                 the SPDM key schedule; DMTF measurements; opaque data formats 0 and 1
 *   slots         slot 0: the configured certificate chain (root first, leaf last)
 *   sessions      one at a time, opened with KEY_EXCHANGE (no PSK, no mutual
 *                 authentication); secured-message versions 1.0, 1.1, 1.2
 * Every other request gets ERROR UnsupportedRequest with the request code as ErrorData;
 * a request out of order gets UnexpectedRequest; a malformed one InvalidRequest; a
 * session-only request outside a session SessionRequired; a record that does not
 * authenticate DecryptError in the clear, and the session ends (DSP0277 §6: a session
 * that saw a forged or replayed record is never trusted again; the requester must open a
 * new one). GET_VERSION resets the connection and ends any session (DSP0274 §10.3).
 *
 * Transcripts follow DSP0274 1.2.1 as facts/spdm-tdisp-ide.md §1.6 states them: message_a
 * (VCA), message_b (digests and certificates outside a session, reset by CHALLENGE_AUTH),
 * message_c, message_m (reset after each signed MEASUREMENTS and by any other request),
 * and the session transcript for TH1, TH2 and the verify data.
 */
#ifndef CCADA_DEVICE_SPDM_RESPONDER_H
#define CCADA_DEVICE_SPDM_RESPONDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/drbg.h"
#include "lib/ec.h"
#include "proto/spdm.h"

/* One measurement the device reports (DSP0274 1.2.1 §10.11.1, DMTF form). A digest block
 * carries the negotiated measurement hash of `value`; a raw one carries `value` itself. */
struct spdm_meas_source {
        uint8_t index;          /* 1..0xFE */
        uint8_t value_type;     /* SPDM_MEAS_TYPE_* (bits 6:0) */
        bool raw;               /* report value as a raw bit stream */
        const uint8_t *value;
        size_t len;             /* raw: at most 0xFFFF - 3 */
};

#define SPDM_RSP_MAX_MEAS 16

/* A VENDOR_DEFINED_REQUEST handler (pdev routes IDE_KM and TDISP through it): the decoded
 * request, whether it came in a session (session_id valid then), and room for the
 * response's payload (its StandardID and VendorID echo the request's). False: the
 * responder answers ERROR UnsupportedRequest. */
typedef bool (*spdm_vdm_fn)(void *ctx, bool secured, uint32_t session_id, const struct spdm_vendor_defined *req,
                            uint8_t *payload, size_t cap, size_t *payload_len);

/* A session ended or broke (END_SESSION acknowledged, a record that does not authenticate, a
 * failed FINISH, GET_VERSION, a sealing failure): called once with its ID after its keys are
 * wiped, so that what was bound to it (IDE keys, a locked TDI) can go. Not called by
 * spdm_responder_free. */
typedef void (*spdm_session_ended_fn)(void *ctx, uint32_t session_id);

struct spdm_responder_cfg {
        const uint8_t *chain_der;       /* slot 0: DER certificates, root first, leaf last */
        size_t chain_der_len;
        const struct ec_key *leaf_key;  /* the leaf certificate's private key, P-256 or P-384 */
        struct spdm_meas_source meas[SPDM_RSP_MAX_MEAS];
        unsigned nmeas;
        bool no_handshake_in_the_clear; /* don't offer HANDSHAKE_IN_THE_CLEAR_CAP */
        /* Narrow what the device accepts (SPDM_HASH_*, SPDM_DHE_*, SPDM_AEAD_* bits; 0: all
         * it supports), to make one combination the selection. */
        uint32_t hash_mask, dhe_mask, aead_mask;
        uint8_t ct_exponent;            /* CT = 2^ct_exponent us; 0: 12 (4 ms) */
        uint32_t data_transfer_size;    /* 0: 4096 */
        struct drbg *drbg;              /* nonces, random data, ephemeral keys (not owned) */
        spdm_vdm_fn vdm;                /* NULL: every VENDOR_DEFINED_REQUEST is unsupported */
        void *vdm_ctx;
        spdm_session_ended_fn session_ended; /* NULL: none */
        void *session_ended_ctx;
};

/* Counters, for reports and tests. */
struct spdm_responder_stats {
        uint64_t requests, errors, secured_in, decrypt_failures, sessions_opened, sessions_ended;
        uint8_t last_error;     /* the ErrorCode of the last ERROR sent (0: none yet) */
        uint64_t meas_requests; /* GET_MEASUREMENTS decoded */
        uint8_t last_meas_nonce[32]; /* the Nonce of the last signed one (what a test checks) */
};

struct spdm_responder;

/* A responder for cfg (copied; the chain, key, measurement values and DRBG must outlive
 * it). Errors: a chain without certificates or whose DER does not parse, a key that is not
 * P-256/P-384 with its private part, a measurement index 0 or 0xFF or repeated, no DRBG. */
bool spdm_responder_new(struct spdm_responder **out, const struct spdm_responder_cfg *cfg, char *why);
void spdm_responder_free(struct spdm_responder *r); /* NULL: no-op; wipes every key */

/* Handles one DOE object's payload: secured says whether it came as Secured CMA/SPDM
 * (type 2). The response goes to rsp (cap bytes, at least 64): *rsp_len its size and
 * *rsp_secured whether it is a secured record (type 2) or a plain message (type 1).
 * Always answers (an ERROR when nothing else fits) unless cap is too small, which returns
 * false. */
bool spdm_responder_handle(struct spdm_responder *r, bool secured, const uint8_t *req, size_t len, uint8_t *rsp,
                           size_t cap, size_t *rsp_len, bool *rsp_secured);

const struct spdm_responder_stats *spdm_responder_stats(const struct spdm_responder *r);
/* A device whose measurement service is broken (tests, attacks): from now on every
 * GET_MEASUREMENTS is answered ERROR Unspecified, or a MEASUREMENTS whose record length runs
 * past the message (garbage, sealed as usual inside a session). */
enum spdm_rsp_meas_fault { SPDM_RSP_MEAS_OK, SPDM_RSP_MEAS_ERROR, SPDM_RSP_MEAS_GARBAGE };
void spdm_responder_meas_fault(struct spdm_responder *r, enum spdm_rsp_meas_fault f);
/* Whether a session is established (FINISH done) and its ID. */
bool spdm_responder_session(const struct spdm_responder *r, uint32_t *session_id);

#endif
