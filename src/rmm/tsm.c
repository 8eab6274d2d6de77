/* The RMM's TSM: its DRBG, the provisioned vendor root, the requester configuration for PDEVs, the traces. */
#include "rmm/tsm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/crypto.h"
#include "lib/drbg.h"
#include "proto/spdm.h"
#include "rmm/rmm.h"
#include "rmm/rmm_internal.h"

static const char *const spdm_events[] = { "spdm_request", "spdm_response" };
const struct trace_subsys spdm_trace = TRACE_SUBSYS("spdm", spdm_events);
static const char *const da_events[] = { "pdev_state", "vdev_state", "ide_stream", "tdisp_request",
                                         "tdisp_response" };
const struct trace_subsys da_trace = TRACE_SUBSYS("da", da_events);

struct rmm_tsm {
        struct drbg *drbg;
        uint8_t *da_anchor;             /* rmm_tsm_provision's copy */
        size_t da_anchor_len;
        time_t da_now;
        bool da_no_hs_in_clear;
        struct trace_group *tr;
};

/* Every message the requester sends or receives, as spdm_request / spdm_response. */
static void observe(void *ctx, bool request, bool secured, const uint8_t *msg, size_t len)
{
        struct rmm_tsm *t = ctx;
        unsigned ev = request ? SPDM_TRACE_REQUEST : SPDM_TRACE_RESPONSE;
        if (!trace_on(t->tr, ev) || len < 4)
                return;
        char extra[48] = "";
        if (msg[1] == SPDM_ERROR)
                snprintf(extra, sizeof(extra), " %s", spdm_error_name(msg[2]));
        trace_emit(t->tr, ev, "version=%u.%u code=0x%02x %s%s len=%zu%s", msg[0] >> 4, msg[0] & 0xF, msg[1],
                   spdm_code_name(msg[1]), extra, len, secured ? " secured" : "");
}

void rmm_tsm_free(struct ccada_rmm *rmm)
{
        struct rmm_tsm *t = rmm->tsm;
        if (!t)
                return;
        drbg_free(t->drbg);
        free(t->da_anchor);
        free(t);
        rmm->tsm = NULL;
}

/* The TSM's state, made at the first connection. Its DRBG lives as long as the RMM: a
 * second conversation continues the stream, so its nonces differ from the first's (a
 * response recorded from the first cannot answer the second). */
static struct rmm_tsm *tsm_get(struct ccada_rmm *rmm)
{
        uint8_t seed[8];
        if (rmm->tsm)
                return rmm->tsm;
        struct rmm_tsm *t = calloc(1, sizeof(*t));
        if (!t)
                return NULL;
        st_le64(seed, rmm->cfg.seed);
        if (!drbg_new_seeded(&t->drbg, seed, sizeof(seed), "ccada rmm tsm")) {
                free(t);
                return NULL;
        }
        t->tr = trace_register(rmm->trace, &spdm_trace);
        rmm->tsm = t;
        return t;
}

bool rmm_tsm_provision(struct ccada_rmm *rmm, const uint8_t *anchor, size_t len, time_t now,
                       bool no_handshake_in_the_clear)
{
        struct rmm_tsm *t = tsm_get(rmm);
        uint8_t *copy = NULL;
        if (!t || t->da_anchor || (anchor && (!len || !(copy = malloc(len)))))
                return false;
        if (copy)
                memcpy(copy, anchor, len);
        free(t->da_anchor);
        t->da_anchor = copy;
        t->da_anchor_len = copy ? len : 0;
        t->da_now = now;
        t->da_no_hs_in_clear = no_handshake_in_the_clear;
        return true;
}

bool rmm_tsm_requester_cfg(struct ccada_rmm *rmm, struct spdm_requester_cfg *rc)
{
        struct rmm_tsm *t = tsm_get(rmm);
        if (!t)
                return false;
        *rc = (struct spdm_requester_cfg){ .trust_anchor = t->da_anchor, .trust_anchor_len = t->da_anchor_len,
                                           .now = t->da_now, .no_handshake_in_the_clear = t->da_no_hs_in_clear,
                                           .drbg = t->drbg, .observe = observe, .observe_ctx = t };
        return true;
}

struct drbg *rmm_tsm_drbg(struct ccada_rmm *rmm)
{
        struct rmm_tsm *t = tsm_get(rmm);
        return t ? t->drbg : NULL;
}
