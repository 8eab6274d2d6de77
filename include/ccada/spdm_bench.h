/* The SPDM figures of `ccada bench spdm` (src/machine/spdm_bench.c): device attestation as
 * the RMM's requester (src/rmm/spdm_requester.h) runs it against the device's responder
 * (src/device/spdm_responder.h), each figure next to its floor measured in the same run.
 *
 * The selection is fixed: SPDM 1.2, ECDSA P-384, SHA-384, secp384r1, AES-256-GCM (what
 * spdm-emu negotiates by default, facts/spdm-tdisp-ide.md §8.4). The device's identity (a
 * P-384 test PKI from a fixed seed) is made once, outside every timing: making a PKI is
 * not part of attestation. Each repetition, interleaved in this order:
 *
 *   1. attestation in process, handshake in the clear: a fresh responder and requester,
 *      VERSION .. FINISH_RSP (9 request/response pairs), bytes handed over in memory;
 *   2. the floor: the OpenSSL operations one attestation does (ccada_spdm_bench_ops), on
 *      P-384, alone (ec_sign, ec_verify, ec_ecdh, ec_key_derive of src/lib/ec.h);
 *   3. the same attestation with the handshake secured (FINISH in the handshake keys);
 *   4. the attestation of 1 over loopback TCP (TCP_NODELAY): each message a DOE data object
 *      in a spdm-emu NORMAL frame (proto/doe.h, proto/spdm_emu.h), served by a responder on
 *      the other end of the connection in this thread (poll, no threads); connect and
 *      accept included;
 *   5. in the session of 1: HEARTBEAT round trips (each a sealed request and a sealed
 *      answer, opened by the other side), then the floor: AES-256-GCM seal and open of the
 *      same record sizes with lib/aead.h, twice per round trip.
 * Every figure is the median over the repetitions; the ratios are taken per repetition and
 * their median reported.
 */
#ifndef CCADA_SPDM_BENCH_H
#define CCADA_SPDM_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "ccada/status.h"

#define CCADA_SPDM_BENCH_MAX_REPS       31u
#define CCADA_SPDM_BENCH_HEARTBEATS     2000u /* round trips per repetition by default */
#define CCADA_SPDM_BENCH_MAX_HEARTBEATS 1000000u

struct ccada_spdm_bench_cfg {
        unsigned reps;       /* 1..CCADA_SPDM_BENCH_MAX_REPS */
        unsigned heartbeats; /* 0: CCADA_SPDM_BENCH_HEARTBEATS; at most ..._MAX_HEARTBEATS */
};

/* The public-key operations of one attestation, counted from the code: the responder signs
 * CHALLENGE_AUTH, MEASUREMENTS and KEY_EXCHANGE_RSP and makes one ephemeral key and one
 * ECDH; the requester checks the chain (3 certificate signatures: the root's own, which
 * x509_chain checks too, the intermediate's and the leaf's), the 3 signatures, and makes
 * one ephemeral key and one ECDH. */
struct ccada_spdm_bench_ops {
        unsigned sign, verify, ecdh, keygen; /* 3, 6, 2, 2 */
};

struct ccada_spdm_bench_result {
        unsigned reps, heartbeats;
        char algorithms[128]; /* the selection as the requester saw it */
        unsigned messages;    /* requests per attestation */
        struct ccada_spdm_bench_ops ops;
        /* attestation, ms */
        double attest_ms;         /* in process, handshake in the clear */
        double attest_secured_ms; /* in process, handshake secured */
        double floor_ms;          /* the four below, summed per repetition */
        double floor_sign_ms, floor_verify_ms, floor_ecdh_ms, floor_keygen_ms;
        double ratio, ratio_min, ratio_max; /* attest_ms / floor_ms */
        double ratio_secured;               /* attest_secured_ms / floor_ms */
        /* over loopback TCP */
        double socket_ms;
        double socket_connect_ms; /* of which connect and accept */
        double socket_ratio;      /* socket_ms / attest_ms */
        /* per message (requests and answers), the time of the exchanges but the responder's:
         * DOE and spdm-emu framing both ways, the system calls, any wait */
        double socket_io_us_per_message;
        uint64_t socket_bytes; /* bytes on the connection per attestation, both ways */
        /* the established session */
        double round_trips_per_s;               /* HEARTBEAT request and answer */
        double messages_per_s;                  /* 2 per round trip */
        double aead_round_trips_per_s;          /* the floor: 2 x (seal + open) of the same sizes */
        double session_ratio;                   /* aead_round_trips_per_s / round_trips_per_s */
        size_t request_record, response_record; /* bytes of each secured record */
};

/* Runs the benchmark (seconds of wall time: about 50 ms per repetition plus the heartbeat
 * loop). Returns CCADA_OK and fills *out; or, with why (why_len bytes, may be NULL/0) saying
 * what failed and *out zeroed:
 *   CCADA_E_INVAL   reps or heartbeats out of range, cfg or out NULL
 *   CCADA_E_NOMEM   out of memory
 *   CCADA_E_VERIFY  an attestation did not complete (the requester's error and reason),
 *                   or the selection was not the one above
 *   CCADA_E_IO      the loopback connection failed (a socket call, a short frame, a frame
 *                   that does not decode, no answer within a second)
 *   CCADA_E_UNSUPPORTED  an OpenSSL operation of the floor failed. */
CCADA_MUST_CHECK ccada_status ccada_spdm_bench_run(const struct ccada_spdm_bench_cfg *cfg,
                                                   struct ccada_spdm_bench_result *out, char *why,
                                                   size_t why_len);

#endif
