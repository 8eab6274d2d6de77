/* The RMM as TSM for one physical device: its SPDM requester (rmm/spdm_requester.h) with
 * the RMM's own DRBG and trust anchor, and the `spdm` trace subsystem (spdm_request,
 * spdm_response: every message the RMM sends and receives, in plain text, which only the
 * RMM and the device can see).
 *
 * Interface (the board's, not the host's): RMM 1.0 has no device assignment, so until the
 * next issue adds RMI_PDEV_CREATE/COMMUNICATE (RMM 2.0-beta DA) the board carries the
 * conversation: it asks the RMM for the next request, has the host relay it to the device's
 * DOE mailbox (host/doe_relay.h), and hands the RMM the answer, exactly the loop
 * RMI_PDEV_COMMUNICATE will make. The host never sees a key.
 */
#ifndef CCADA_RMM_TSM_H
#define CCADA_RMM_TSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/trace.h"
#include "rmm/spdm_requester.h"

enum { SPDM_TRACE_REQUEST, SPDM_TRACE_RESPONSE };
extern const struct trace_subsys spdm_trace;
/* Device assignment as the RMM sees it ("da"): pdev_state and vdev_state (every state
 * change, with the reason when it is ERROR), ide_stream (the stream's keys programmed,
 * Secure, or stopped), tdisp_request and tdisp_response (each TDISP message of a VDEV
 * operation, plain: only the RMM and the device see them). */
enum { DA_TRACE_PDEV_STATE, DA_TRACE_VDEV_STATE, DA_TRACE_IDE_STREAM, DA_TRACE_TDISP_REQUEST,
       DA_TRACE_TDISP_RESPONSE };
extern const struct trace_subsys da_trace;

struct ccada_rmm;

struct rmm_tsm_config {
        const uint8_t *trust_anchor;    /* DER root certificate (copied) */
        size_t trust_anchor_len;
        time_t now;                     /* certificate validity time */
        bool no_handshake_in_the_clear;
};

/* Starts attesting the device: req (cap bytes) receives the first request. False with the
 * requester not created (out of memory, no anchor). A previous conversation is dropped. */
bool rmm_tsm_connect(struct ccada_rmm *rmm, const struct rmm_tsm_config *cfg, struct spdm_req_out *req);
/* The device's answer to the last request (as the host relayed it): the next request, or
 * DONE, or FAILED (rmm_tsm_requester says why). */
enum spdm_req_status rmm_tsm_step(struct ccada_rmm *rmm, const uint8_t *rsp, size_t len, bool secured,
                                  struct spdm_req_out *req);
/* The requester (NULL before rmm_tsm_connect): its result, its error, the session's
 * requests (heartbeat, key update, end session). */
struct spdm_requester *rmm_tsm_requester(struct ccada_rmm *rmm);

/* Platform provisioning (a ccada extension; TF-RMM has none): the vendor root the RMM's
 * PDEVs check a device's chain against, and the time to check it at. NULL anchor: none, as
 * TF-RMM (the Realm checks the chain). Once per RMM, before the first RMI_PDEV_CREATE (the
 * PDEVs refer to it). False: provisioned already, or out of memory (nothing changed). */
bool rmm_tsm_provision(struct ccada_rmm *rmm, const uint8_t *anchor, size_t len, time_t now,
                       bool no_handshake_in_the_clear);
/* A requester configuration for a PDEV: the RMM's DRBG, the provisioned anchor (or none),
 * the spdm trace. False: out of memory. */
bool rmm_tsm_requester_cfg(struct ccada_rmm *rmm, struct spdm_requester_cfg *rc);
/* The RMM's DRBG (keys for IDE streams, nonces); NULL when out of memory. */
struct drbg *rmm_tsm_drbg(struct ccada_rmm *rmm);

/* What the RMM knows of a PDEV (rmi_pdev.c), for the board's report and tests: its state,
 * the digests of the objects the host cached (a Realm will get them through RSI), and its
 * requester (what it verified). False: no PDEV at pdev_pa. */
struct rmm_pdev_info {
        unsigned state;                         /* RMI_PDEV_STATE_* */
        size_t digest_len;
        bool have_vca, have_cert, have_meas;
        uint8_t vca_digest[64], cert_digest[64], meas_digest[64];
        const struct spdm_requester *requester; /* NULL for a Root Port */
};
bool rmm_pdev_info(struct ccada_rmm *rmm, uint64_t pdev_pa, struct rmm_pdev_info *out);

/* What the RMM knows of a VDEV (rmi_vdev.c), for the board's report and tests. */
struct rmm_vdev_info {
        unsigned state;                         /* RMI_VDEV_STATE_* */
        uint64_t lock_nonce, report_nonce;      /* LOCKs done, reports fetched */
        bool have_report;
        size_t report_len;
        unsigned nranges;                       /* MMIO ranges in the report */
        uint8_t report_digest[64];
        char why[160];                          /* the last operation's failure */
};
bool rmm_vdev_info(struct ccada_rmm *rmm, uint64_t vdev_pa, struct rmm_vdev_info *out);

/* For rmm_create / rmm_destroy. */
void rmm_tsm_free(struct ccada_rmm *rmm);

#endif
