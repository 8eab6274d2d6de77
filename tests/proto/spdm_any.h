/* Test and fuzz helper: every SPDM codec of proto/spdm.h behind one switch on the code, so a
 * known-answer walk, a truncation sweep or a fuzzer can treat all messages alike. The facts
 * a response decoder takes from its request (MeasurementSummaryHashType, signature requested)
 * come in struct spdm_any_ctx. */
#ifndef CCADA_TESTS_PROTO_SPDM_ANY_H
#define CCADA_TESTS_PROTO_SPDM_ANY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/spdm.h"

struct spdm_any_ctx {
        uint8_t summary_type; /* CHALLENGE_AUTH, KEY_EXCHANGE_RSP */
        bool sig_requested;   /* MEASUREMENTS */
};

union spdm_any {
        struct spdm_get_version get_version;
        struct spdm_version version;
        struct spdm_capabilities caps;
        struct spdm_algorithms algs;
        struct spdm_get_digests get_digests;
        struct spdm_digests digests;
        struct spdm_get_certificate get_cert;
        struct spdm_certificate cert;
        struct spdm_challenge challenge;
        struct spdm_challenge_auth challenge_auth;
        struct spdm_get_measurements get_meas;
        struct spdm_measurements meas;
        struct spdm_key_exchange kex;
        struct spdm_key_exchange_rsp kex_rsp;
        struct spdm_finish finish;
        struct spdm_finish_rsp finish_rsp;
        struct spdm_end_session end;
        struct spdm_heartbeat hb;
        struct spdm_key_update ku;
        struct spdm_vendor_defined vdm;
        struct spdm_error err;
        struct spdm_respond_if_ready rir;
};

/* The codes with a codec here. */
static const uint8_t spdm_any_codes[] = {
        SPDM_GET_VERSION,       SPDM_VERSION,          SPDM_GET_CAPABILITIES,       SPDM_CAPABILITIES,
        SPDM_NEGOTIATE_ALGORITHMS, SPDM_ALGORITHMS,    SPDM_GET_DIGESTS,            SPDM_DIGESTS,
        SPDM_GET_CERTIFICATE,   SPDM_CERTIFICATE,      SPDM_CHALLENGE,              SPDM_CHALLENGE_AUTH,
        SPDM_GET_MEASUREMENTS,  SPDM_MEASUREMENTS,     SPDM_KEY_EXCHANGE,           SPDM_KEY_EXCHANGE_RSP,
        SPDM_FINISH,            SPDM_FINISH_RSP,       SPDM_END_SESSION,            SPDM_END_SESSION_ACK,
        SPDM_HEARTBEAT,         SPDM_HEARTBEAT_ACK,    SPDM_KEY_UPDATE,             SPDM_KEY_UPDATE_ACK,
        SPDM_VENDOR_DEFINED_REQUEST, SPDM_VENDOR_DEFINED_RESPONSE, SPDM_ERROR,      SPDM_RESPOND_IF_READY,
};

/* Size of the struct the code decodes into (0: no codec). */
static inline size_t spdm_any_size(uint8_t code)
{
        switch (code) {
        case SPDM_GET_VERSION: return sizeof(struct spdm_get_version);
        case SPDM_VERSION: return sizeof(struct spdm_version);
        case SPDM_GET_CAPABILITIES: case SPDM_CAPABILITIES: return sizeof(struct spdm_capabilities);
        case SPDM_NEGOTIATE_ALGORITHMS: case SPDM_ALGORITHMS: return sizeof(struct spdm_algorithms);
        case SPDM_GET_DIGESTS: return sizeof(struct spdm_get_digests);
        case SPDM_DIGESTS: return sizeof(struct spdm_digests);
        case SPDM_GET_CERTIFICATE: return sizeof(struct spdm_get_certificate);
        case SPDM_CERTIFICATE: return sizeof(struct spdm_certificate);
        case SPDM_CHALLENGE: return sizeof(struct spdm_challenge);
        case SPDM_CHALLENGE_AUTH: return sizeof(struct spdm_challenge_auth);
        case SPDM_GET_MEASUREMENTS: return sizeof(struct spdm_get_measurements);
        case SPDM_MEASUREMENTS: return sizeof(struct spdm_measurements);
        case SPDM_KEY_EXCHANGE: return sizeof(struct spdm_key_exchange);
        case SPDM_KEY_EXCHANGE_RSP: return sizeof(struct spdm_key_exchange_rsp);
        case SPDM_FINISH: return sizeof(struct spdm_finish);
        case SPDM_FINISH_RSP: return sizeof(struct spdm_finish_rsp);
        case SPDM_END_SESSION: case SPDM_END_SESSION_ACK: return sizeof(struct spdm_end_session);
        case SPDM_HEARTBEAT: case SPDM_HEARTBEAT_ACK: return sizeof(struct spdm_heartbeat);
        case SPDM_KEY_UPDATE: case SPDM_KEY_UPDATE_ACK: return sizeof(struct spdm_key_update);
        case SPDM_VENDOR_DEFINED_REQUEST: case SPDM_VENDOR_DEFINED_RESPONSE: return sizeof(struct spdm_vendor_defined);
        case SPDM_ERROR: return sizeof(struct spdm_error);
        case SPDM_RESPOND_IF_READY: return sizeof(struct spdm_respond_if_ready);
        default: return 0;
        }
}

static inline bool spdm_any_decode(uint8_t code, const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                   const struct spdm_any_ctx *c, union spdm_any *u, size_t *used, char *why)
{
        switch (code) {
        case SPDM_GET_VERSION: return spdm_get_version_decode(in, len, sz, &u->get_version, used, why);
        case SPDM_VERSION: return spdm_version_decode(in, len, sz, &u->version, used, why);
        case SPDM_GET_CAPABILITIES: return spdm_get_capabilities_decode(in, len, sz, &u->caps, used, why);
        case SPDM_CAPABILITIES: return spdm_capabilities_decode(in, len, sz, &u->caps, used, why);
        case SPDM_NEGOTIATE_ALGORITHMS: return spdm_negotiate_algorithms_decode(in, len, sz, &u->algs, used, why);
        case SPDM_ALGORITHMS: return spdm_algorithms_decode(in, len, sz, &u->algs, used, why);
        case SPDM_GET_DIGESTS: return spdm_get_digests_decode(in, len, sz, &u->get_digests, used, why);
        case SPDM_DIGESTS: return spdm_digests_decode(in, len, sz, &u->digests, used, why);
        case SPDM_GET_CERTIFICATE: return spdm_get_certificate_decode(in, len, sz, &u->get_cert, used, why);
        case SPDM_CERTIFICATE: return spdm_certificate_decode(in, len, sz, &u->cert, used, why);
        case SPDM_CHALLENGE: return spdm_challenge_decode(in, len, sz, &u->challenge, used, why);
        case SPDM_CHALLENGE_AUTH:
                return spdm_challenge_auth_decode(in, len, sz, c->summary_type, &u->challenge_auth, used, why);
        case SPDM_GET_MEASUREMENTS: return spdm_get_measurements_decode(in, len, sz, &u->get_meas, used, why);
        case SPDM_MEASUREMENTS: return spdm_measurements_decode(in, len, sz, c->sig_requested, &u->meas, used, why);
        case SPDM_KEY_EXCHANGE: return spdm_key_exchange_decode(in, len, sz, &u->kex, used, why);
        case SPDM_KEY_EXCHANGE_RSP:
                return spdm_key_exchange_rsp_decode(in, len, sz, c->summary_type, &u->kex_rsp, used, why);
        case SPDM_FINISH: return spdm_finish_decode(in, len, sz, &u->finish, used, why);
        case SPDM_FINISH_RSP: return spdm_finish_rsp_decode(in, len, sz, &u->finish_rsp, used, why);
        case SPDM_END_SESSION: return spdm_end_session_decode(in, len, sz, &u->end, used, why);
        case SPDM_END_SESSION_ACK: return spdm_end_session_ack_decode(in, len, sz, &u->end, used, why);
        case SPDM_HEARTBEAT: return spdm_heartbeat_decode(in, len, sz, &u->hb, used, why);
        case SPDM_HEARTBEAT_ACK: return spdm_heartbeat_ack_decode(in, len, sz, &u->hb, used, why);
        case SPDM_KEY_UPDATE: return spdm_key_update_decode(in, len, sz, &u->ku, used, why);
        case SPDM_KEY_UPDATE_ACK: return spdm_key_update_ack_decode(in, len, sz, &u->ku, used, why);
        case SPDM_VENDOR_DEFINED_REQUEST: return spdm_vendor_defined_request_decode(in, len, sz, &u->vdm, used, why);
        case SPDM_VENDOR_DEFINED_RESPONSE:
                return spdm_vendor_defined_response_decode(in, len, sz, &u->vdm, used, why);
        case SPDM_ERROR: return spdm_error_decode(in, len, sz, &u->err, used, why);
        case SPDM_RESPOND_IF_READY: return spdm_respond_if_ready_decode(in, len, sz, &u->rir, used, why);
        default: *used = 0; return false;
        }
}

static inline bool spdm_any_encode(uint8_t code, uint8_t *out, size_t cap, const union spdm_any *u,
                                   const struct spdm_sizes *sz, size_t *len)
{
        switch (code) {
        case SPDM_GET_VERSION: return spdm_get_version_encode(out, cap, &u->get_version, sz, len);
        case SPDM_VERSION: return spdm_version_encode(out, cap, &u->version, sz, len);
        case SPDM_GET_CAPABILITIES: return spdm_get_capabilities_encode(out, cap, &u->caps, sz, len);
        case SPDM_CAPABILITIES: return spdm_capabilities_encode(out, cap, &u->caps, sz, len);
        case SPDM_NEGOTIATE_ALGORITHMS: return spdm_negotiate_algorithms_encode(out, cap, &u->algs, sz, len);
        case SPDM_ALGORITHMS: return spdm_algorithms_encode(out, cap, &u->algs, sz, len);
        case SPDM_GET_DIGESTS: return spdm_get_digests_encode(out, cap, &u->get_digests, sz, len);
        case SPDM_DIGESTS: return spdm_digests_encode(out, cap, &u->digests, sz, len);
        case SPDM_GET_CERTIFICATE: return spdm_get_certificate_encode(out, cap, &u->get_cert, sz, len);
        case SPDM_CERTIFICATE: return spdm_certificate_encode(out, cap, &u->cert, sz, len);
        case SPDM_CHALLENGE: return spdm_challenge_encode(out, cap, &u->challenge, sz, len);
        case SPDM_CHALLENGE_AUTH: return spdm_challenge_auth_encode(out, cap, &u->challenge_auth, sz, len);
        case SPDM_GET_MEASUREMENTS: return spdm_get_measurements_encode(out, cap, &u->get_meas, sz, len);
        case SPDM_MEASUREMENTS: return spdm_measurements_encode(out, cap, &u->meas, sz, len);
        case SPDM_KEY_EXCHANGE: return spdm_key_exchange_encode(out, cap, &u->kex, sz, len);
        case SPDM_KEY_EXCHANGE_RSP: return spdm_key_exchange_rsp_encode(out, cap, &u->kex_rsp, sz, len);
        case SPDM_FINISH: return spdm_finish_encode(out, cap, &u->finish, sz, len);
        case SPDM_FINISH_RSP: return spdm_finish_rsp_encode(out, cap, &u->finish_rsp, sz, len);
        case SPDM_END_SESSION: return spdm_end_session_encode(out, cap, &u->end, sz, len);
        case SPDM_END_SESSION_ACK: return spdm_end_session_ack_encode(out, cap, &u->end, sz, len);
        case SPDM_HEARTBEAT: return spdm_heartbeat_encode(out, cap, &u->hb, sz, len);
        case SPDM_HEARTBEAT_ACK: return spdm_heartbeat_ack_encode(out, cap, &u->hb, sz, len);
        case SPDM_KEY_UPDATE: return spdm_key_update_encode(out, cap, &u->ku, sz, len);
        case SPDM_KEY_UPDATE_ACK: return spdm_key_update_ack_encode(out, cap, &u->ku, sz, len);
        case SPDM_VENDOR_DEFINED_REQUEST: return spdm_vendor_defined_request_encode(out, cap, &u->vdm, sz, len);
        case SPDM_VENDOR_DEFINED_RESPONSE: return spdm_vendor_defined_response_encode(out, cap, &u->vdm, sz, len);
        case SPDM_ERROR: return spdm_error_encode(out, cap, &u->err, sz, len);
        case SPDM_RESPOND_IF_READY: return spdm_respond_if_ready_encode(out, cap, &u->rir, sz, len);
        default: *len = 0; return false;
        }
}

/* The recorded session's negotiated sizes: SPDM 1.2, SHA-384, ECDSA P-384, secp384r1, SHA-384
 * measurements, requester RSAPSS-3072, handshake in the clear (kat.json "connection"). */
static inline struct spdm_sizes spdm_any_kat_sizes(void)
{
        struct spdm_sizes sz = { .version = SPDM_VERSION_12, .hash_len = 48, .sig_len = 96, .req_sig_len = 384,
                                 .dhe_len = 96, .meas_hash_len = 48, .handshake_in_the_clear = true };
        return sz;
}

#endif
