/* The RMM as TSM: what its device-assignment objects (rmi_pdev.c, rmi_vdev.c,
 * rmi_pdev_stream.c) share: the RMM's DRBG (one stream for the RMM's life), the platform's
 * provisioned vendor root, the requester configuration for a PDEV's SPDM requester
 * (rmm/spdm_requester.h), and the trace subsystems `spdm` (spdm_request, spdm_response: every
 * message the RMM sends and receives, in plain text, which only the RMM and the device see)
 * and `da`. The host reaches all of it only through RMI; it never sees a key.
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
        uint64_t meas_nonce;                    /* RMI_VDEV_GET_MEASUREMENTS done */
        bool have_report, have_meas;
        uint8_t meas_digest[64];                /* of the last measurement record (have_meas) */
        size_t report_len;
        unsigned nranges;                       /* MMIO ranges in the report */
        uint8_t report_digest[64];
        char why[160];                          /* the last operation's failure */
};
bool rmm_vdev_info(struct ccada_rmm *rmm, uint64_t vdev_pa, struct rmm_vdev_info *out);

/* For rmm_create / rmm_destroy. */
void rmm_tsm_free(struct ccada_rmm *rmm);

#endif
