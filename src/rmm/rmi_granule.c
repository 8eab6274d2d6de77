/* RMI_GRANULE_DELEGATE / RMI_GRANULE_UNDELEGATE. DEN0137 1.0 B4.3.5, B4.3.6.
 * The PAS change is the EL3 GTSI service (hw_gpt_transition as Root). */
#include "rmm/rmm_internal.h"

void rmi_granule_delegate(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t addr = a->x[1];
        enum hw_pas pas;

        /* gran_align, gran_bound, gran_state */
        struct granule *g = granule_find(rmm, addr, GRANULE_UNDELEGATED);
        /* gran_pas (Secure or Root memory is UNDELEGATED too, but not NS) */
        if (!g || !hw_gpt_get(rmm->mem, addr, &pas) || pas != HW_PAS_NS || !granule_delegate(rmm, g)) {
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        r->x[0] = RMI_SUCCESS;
}

void rmi_granule_undelegate(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        /* gran_align, gran_bound, gran_state */
        struct granule *g = granule_find(rmm, a->x[1], GRANULE_DELEGATED);
        r->x[0] = g && granule_undelegate(rmm, g) ? RMI_SUCCESS : RMI_ERROR_INPUT;
}
