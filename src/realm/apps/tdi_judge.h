/* The Realm's judgement of an assigned device, as its apps make it (demo, bench-tdisp): the
 * evidence (realm/tdisp.h: RSI_VDEV_GET_INFO and the host's copies checked against the RMM's
 * digests), then the verdict against the trust its owner provisioned (realm/kernel.h:
 * rk_device_trust: the vendor root and the reference policy; realm/tdisp_accept.h). */
#ifndef CCADA_REALM_APPS_TDI_JUDGE_H
#define CCADA_REALM_APPS_TDI_JUDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "ccada/status.h"
#include "realm/tdisp.h"
#include "realm/tdisp_accept.h"

struct realm_kernel;

struct tdi_judgement {
        struct rk_vdev_evidence ev;
        bool judged;                    /* the owner provisioned trust: there is a verdict */
        enum tdisp_verdict verdict;     /* TDISP_VERDICT_INFO when the policy does not parse */
        bool policy_ok;
        struct tdisp_accept_result res;
        char why[TDISP_ACCEPT_WHY_LEN];
};

/* Fetches and judges vdev_id's evidence. CCADA_OK or CCADA_E_VERIFY (a copy's digest differs:
 * the verdict names it) with j filled; CCADA_E_UNSUPPORTED (no such device); other errors of
 * rk_vdev_evidence_get (nothing to free). tdi_judge_free frees the evidence. */
ccada_status tdi_judge(struct realm_kernel *k, uint64_t vdev_id, struct tdi_judgement *j) CCADA_MUST_CHECK;
void tdi_judge_free(struct realm_kernel *k, struct tdi_judgement *j);

#endif
