/* The Realm's judgement of an assigned device (contract: tdi_judge.h). */
#include "realm/apps/tdi_judge.h"

#include <string.h>

#include "realm/kernel.h"

ccada_status tdi_judge(struct realm_kernel *k, uint64_t vdev_id, struct tdi_judgement *j)
{
        memset(j, 0, sizeof(*j));
        j->verdict = TDISP_VERDICT_INFO;
        ccada_status st = rk_vdev_evidence_get(k, vdev_id, &j->ev);
        if (st != CCADA_OK && st != CCADA_E_VERIFY)
                return st;
        const uint8_t *anchor;
        const char *text;
        size_t anchor_len, text_len;
        int64_t now;
        if (!rk_device_trust(k, &anchor, &anchor_len, &text, &text_len, &now))
                return st; /* no owner's trust: evidence only, no verdict */
        j->judged = true;
        struct tdisp_policy pol;
        const struct rk_vdev_evidence *ev = &j->ev;
        struct tdisp_evidence e = { .vca = ev->obj[RK_DEV_VCA], .certs = ev->obj[RK_DEV_CERT],
                                    .meas = ev->obj[RK_DEV_MEAS], .report = ev->obj[RK_DEV_REPORT],
                                    .vca_len = ev->len[RK_DEV_VCA], .certs_len = ev->len[RK_DEV_CERT],
                                    .meas_len = ev->len[RK_DEV_MEAS], .report_len = ev->len[RK_DEV_REPORT] };
        if ((j->policy_ok = tdisp_policy_parse(text, text_len, &pol, j->why)))
                j->verdict = tdisp_accept_check(&ev->info, &e, anchor, anchor_len, (time_t)now, &pol, &j->res, j->why);
        return st;
}

void tdi_judge_free(struct realm_kernel *k, struct tdi_judgement *j)
{
        rk_vdev_evidence_free(k, &j->ev);
}
