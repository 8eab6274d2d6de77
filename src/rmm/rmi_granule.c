/* RMI_GRANULE_DELEGATE / RMI_GRANULE_UNDELEGATE. DEN0137 1.0 B4.3.1, B4.3.2.
 * The PAS change is the EL3 GTSI service (hw_gpt_transition as Root). */
#include "rmm/rmm_internal.h"

void rmi_granule_delegate(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t addr = a->x[1];
        struct granule *g = granule_at(rmm, addr);
        enum hw_pas pas;

        /* gran_align, gran_bound */
        if (!g) {
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        /* gran_state, gran_pas */
        if (g->state != GRANULE_UNDELEGATED || !hw_gpt_get(rmm->mem, addr, &pas) || pas != HW_PAS_NS) {
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        if (hw_gpt_transition(rmm->mem, HW_WORLD_ROOT, addr, HW_PAS_NS, HW_PAS_REALM) != HW_OK) {
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        /* A DELEGATED granule is all zeroes: nothing the host left there reaches a Realm. */
        (void)granule_scrub(rmm, addr);
        g->state = GRANULE_DELEGATED;
        r->x[0] = RMI_SUCCESS;
}

void rmi_granule_undelegate(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t addr = a->x[1];
        struct granule *g = granule_at(rmm, addr);

        /* gran_align, gran_bound, gran_state */
        if (!g || g->state != GRANULE_DELEGATED) {
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        /* Scrub before the host can see it again (already zero by invariant; belt and braces). */
        (void)granule_scrub(rmm, addr);
        if (hw_gpt_transition(rmm->mem, HW_WORLD_ROOT, addr, HW_PAS_REALM, HW_PAS_NS) != HW_OK) {
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        g->state = GRANULE_UNDELEGATED;
        r->x[0] = RMI_SUCCESS;
}
