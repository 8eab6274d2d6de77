/* REC commands. DEN0137 1.0 B4.3.11 (REC_AUX_COUNT), B4.3.12 (REC_CREATE), B4.3.13
 * (REC_DESTROY), B4.3.7 (PSCI_COMPLETE); REC_ENTER (B4.3.14) is in rec_run.c.
 * RmiRecParams and RmiRecRun are copied in from NS memory once and decoded. */
#include <stdlib.h>
#include <string.h>

#include "rmm/rmm_internal.h"

/* MPIDR affinity fields to a REC index: Aff0[3:0] | Aff1 << 4 | Aff2 << 12 | Aff3 << 20.
 * Other MPIDR bits must be zero. Returns UINT64_MAX if invalid. */
static uint64_t mpidr_to_index(uint64_t mpidr)
{
        const uint64_t valid = 0xFF00FFFF0FULL;
        if (mpidr & ~valid)
                return UINT64_MAX;
        return (mpidr & 0xF) | ((mpidr >> 8) & 0xFF) << 4 | ((mpidr >> 16) & 0xFF) << 12 |
               ((mpidr >> 32) & 0xFF) << 20;
}

void rmi_rec_aux_count(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        if (!rd_lookup(rmm, a->x[1])) {
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        r->x[0] = RMI_SUCCESS;
        r->x[1] = 0; /* REC state fits the REC granule in this model: no auxiliary granules */
}

void rmi_rec_create(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rd = a->x[1], rec_pa = a->x[2], params_ptr = a->x[3];
        uint8_t page[RMI_REC_PARAMS_SIZE];
        struct rmi_rec_params p;

        r->x[0] = RMI_ERROR_INPUT;
        if (!rmm_copy_in_ns(rmm, params_ptr, page, sizeof(page)))
                return;
        rmi_rec_params_decode(page, &p);
        struct realm *realm = rd_lookup(rmm, rd);
        struct granule *g = granule_find(rmm, rec_pa, GRANULE_DELEGATED);
        if (!realm || !g)
                return;
        /* realm_state, num_recs: at most 2^MAX_RECS_ORDER - 1 RECs (RMI_FEATURES) */
        if (realm->state != REALM_NEW || realm->num_recs == RMM_MAX_RECS) {
                r->x[0] = RMI_ERROR_REALM;
                return;
        }
        /* mpidr_index: RECs are created in MPIDR order; num_aux == RMI_REC_AUX_COUNT; flags */
        if (mpidr_to_index(p.mpidr) != realm->rec_index || p.num_aux != 0 || p.flags & ~RMI_REC_FLAG_RUNNABLE)
                return;
        struct rec *rec = calloc(1, sizeof(*rec));
        if (!rec)
                return;
        rec->cpu.ops = &rec_cpu_ops;
        rec->rmm = rmm;
        rec->realm = realm;
        rec->pa = rec_pa;
        rec->rd = rd;
        rec->runnable = p.flags & RMI_REC_FLAG_RUNNABLE;
        rec->mpidr = p.mpidr;
        rec->pc = p.pc;
        memcpy(rec->gprs, p.gprs, sizeof(rec->gprs));
        snprintf(rec->who.comm, sizeof(rec->who.comm), "swapper/%u", realm->rec_index);
        memcpy(rec->who.flags, ".....", 6);
        if (rec->runnable && !measure_rec(realm, &p)) {
                free(rec);
                return;
        }
        realm->num_recs++;
        realm->rec_index++; /* DEN0137 1.0 B4.3.12: REC_DESTROY does not give the index back */
        granule_take(rmm, g, GRANULE_REC, realm, rec);
        r->x[0] = RMI_SUCCESS;
}

void rmi_rec_destroy(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        struct granule *g = granule_find(rmm, a->x[1], GRANULE_REC);
        if (!g) {
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        struct rec *rec = g->u.rec;
        rec->realm->num_recs--;
        rec_attest_reset(rec);
        coro_destroy(rec->coro);
        free(rec);
        granule_give_back(rmm, g, GRANULE_REC);
        r->x[0] = RMI_SUCCESS;
}

void rmi_psci_complete(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        struct granule *gc = granule_at(rmm, a->x[1]);
        struct granule *gt = granule_at(rmm, a->x[2]);
        uint64_t status = a->x[3];

        r->x[0] = RMI_ERROR_INPUT;
        if (!gc || gc->state != GRANULE_REC || !gt || gt->state != GRANULE_REC)
                return;
        struct rec *caller = gc->u.rec, *target = gt->u.rec;
        if (!caller->psci_pending || target->realm != caller->realm ||
            target->mpidr != caller->psci_target_mpidr)
                return;
        if (caller->psci_fid == PSCI_AFFINITY_INFO_64) {
                caller->psci_result = target->runnable ? 0 : 1; /* ON : OFF */
        } else if (target->runnable) {
                caller->psci_result = (uint64_t)-4; /* PSCI ALREADY_ON */
        } else {
                caller->psci_result = status;
                if (status == PSCI_RET_SUCCESS) {
                        target->runnable = true;
                        target->pc = caller->psci_entry;
                        target->gprs[0] = caller->psci_context;
                }
        }
        caller->psci_pending = false;
        r->x[0] = RMI_SUCCESS;
}
