/* What a Realm's SMC reaches: the RSI dispatcher, RSI_VERSION and RSI_FEATURES; each area's
 * commands are in their own file (rsi_measurement.c, rsi_config.c, rsi_memory.c,
 * rsi_host_call.c, rsi_attest.c, rsi_vdev.c, psci.c). DEN0137 1.0 B5.3 (RSI commands). */
#include "rmm/rmm_internal.h"

static void rsi_version(struct rec *rec, struct smc_regs *r)
{
        /* B5.3.10: SUCCESS iff the requested revision is implemented. */
        r->x[0] = r->x[1] == RSI_ABI_VERSION_1_0 ? RSI_SUCCESS : RSI_ERROR_INPUT;
        r->x[1] = RSI_ABI_VERSION_1_0;
        r->x[2] = RSI_ABI_VERSION_1_0;
}

static void rsi_dispatch(struct rec *rec, struct smc_regs *r)
{
        switch (r->x[0]) {
        case RSI_VERSION: rsi_version(rec, r); return;
        case RSI_FEATURES: /* register 0 only; the others read as zero */
                r->x[0] = RSI_SUCCESS;
                r->x[1] = r->x[1] == 0 ? rsi_feature_register_0(rec->rmm) : 0;
                return;
        case RSI_MEASUREMENT_READ: rsi_measurement_read(rec, r); return;
        case RSI_MEASUREMENT_EXTEND: rsi_measurement_extend(rec, r); return;
        case RSI_REALM_CONFIG: rsi_realm_config(rec, r); return;
        case RSI_IPA_STATE_SET: rsi_ipa_state_set(rec, r); return;
        case RSI_IPA_STATE_GET: rsi_ipa_state_get(rec, r); return;
        case RSI_HOST_CALL: rsi_host_call(rec, r); return;
        case RSI_ATTESTATION_TOKEN_INIT: rsi_attest_token_init(rec, r); return;
        case RSI_ATTESTATION_TOKEN_CONTINUE: rsi_attest_token_continue(rec, r); return;
        case RSI_VDEV_GET_INFO: rsi_vdev_get_info(rec, r); return;
        case RSI_VDEV_DMA_ENABLE: rsi_vdev_dma_enable(rec, r); return;
        case RSI_VDEV_DMA_DISABLE: rsi_vdev_dma_disable(rec, r); return;
        case RSI_VDEV_VALIDATE_MAPPING: rsi_vdev_validate_mapping(rec, r); return;
        default:
                if (psci_is_fid(r->x[0]))
                        psci_handle(rec, r);
                else
                        r->x[0] = SMCCC_RET_NOT_SUPPORTED;
                return;
        }
}

static const char *const rsi_events[] = { [RSI_TRACE_CALL] = "rsi_call" };
const struct trace_subsys rsi_trace = TRACE_SUBSYS("rsi", rsi_events);

void rsi_handle(struct rec *rec, struct smc_regs *r)
{
        struct ccada_rmm *rmm = rec->rmm;
        uint64_t fid = r->x[0], a1 = r->x[1], a2 = r->x[2], a3 = r->x[3];
        rmm->stats.rsi_calls++;
        trace_advance(rmm->trace, 500); /* virtual time per RSI call */
        rsi_dispatch(rec, r);
        if (rmm->cfg.check_invariants)
                (void)rmm_check_invariants(rmm);
        if (trace_on(rmm->tr_rsi, RSI_TRACE_CALL) && !psci_is_fid(fid))
                trace_emit(rmm->tr_rsi, RSI_TRACE_CALL, "cmd=%s x1=0x%llx x2=0x%llx x3=0x%llx status=%s",
                           rsi_command_name(fid), (unsigned long long)a1, (unsigned long long)a2,
                           (unsigned long long)a3,
                           r->x[0] == SMCCC_RET_NOT_SUPPORTED ? "NOT_SUPPORTED" : rsi_status_name((unsigned)r->x[0]));
}
