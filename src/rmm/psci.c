/* PSCI from a Realm: handled by the RMM or forwarded to the host as a PSCI exit.
 * DEN0137 1.0 B6.3 (PSCI commands), A4.3.x (REC exit due to PSCI). */
#include "rmm/rmm_internal.h"

static void psci_exit(struct rec *rec, const struct smc_regs *r)
{
        struct rmi_rec_exit x = { .reason = RMI_EXIT_PSCI };
        for (unsigned i = 0; i < 4; i++)
                x.gprs[i] = r->x[i];
        rec_exit_and_wait(rec, REC_PENDING_PSCI, &x);
}

void psci_handle(struct rec *rec, struct smc_regs *r)
{
        uint64_t fid = r->x[0];
        switch (fid) {
        case PSCI_VERSION:
                r->x[0] = 0x10001; /* PSCI 1.1 */
                return;
        case PSCI_FEATURES:
                r->x[0] = r->x[1] == PSCI_VERSION || r->x[1] == PSCI_CPU_OFF || r->x[1] == PSCI_SYSTEM_OFF ||
                                  r->x[1] == PSCI_SYSTEM_RESET || r->x[1] == PSCI_CPU_ON_64 ||
                                  r->x[1] == PSCI_AFFINITY_INFO_64 || r->x[1] == PSCI_FEATURES
                          ? 0 : (uint64_t)(int64_t)PSCI_RET_NOT_SUPPORTED;
                return;
        case PSCI_SYSTEM_OFF:
        case PSCI_SYSTEM_RESET:
                rec->realm->state = REALM_SYSTEM_OFF;
                rec->halted = true;
                psci_exit(rec, r);
                return; /* not reached in practice: a SYSTEM_OFF Realm is never entered again */
        case PSCI_CPU_OFF:
                rec->runnable = false;
                psci_exit(rec, r);
                r->x[0] = PSCI_RET_SUCCESS;
                return;
        default: /* CPU_ON, AFFINITY_INFO: the host answers with RMI_PSCI_COMPLETE */
                rec->psci_pending = true;
                rec->psci_fid = fid;
                rec->psci_target_mpidr = r->x[1];
                rec->psci_entry = r->x[2];
                rec->psci_context = r->x[3];
                psci_exit(rec, r);
                r->x[0] = rec->psci_result;
                return;
        }
}

bool psci_is_fid(uint64_t fid)
{
        return fid == PSCI_VERSION || fid == PSCI_FEATURES || fid == PSCI_SYSTEM_OFF ||
               fid == PSCI_SYSTEM_RESET || fid == PSCI_CPU_OFF || fid == PSCI_CPU_ON_64 ||
               fid == PSCI_AFFINITY_INFO_64;
}
