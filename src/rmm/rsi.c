/* RSI and PSCI handlers: what a Realm's SMC reaches. DEN0137 1.0 B5.3 (RSI commands),
 * A5.4 (RIPAS change), B5.3.x (PSCI, handled or forwarded to the host as a PSCI exit). */
#include <string.h>

#include "lib/bytes.h"
#include "rmm/rmm_internal.h"

static void rsi_version(struct rec *rec, struct smc_regs *r)
{
        /* B5.3.10: SUCCESS iff the requested revision is implemented. */
        r->x[0] = r->x[1] == RSI_ABI_VERSION_1_0 ? RSI_SUCCESS : RSI_ERROR_INPUT;
        r->x[1] = RSI_ABI_VERSION_1_0;
        r->x[2] = RSI_ABI_VERSION_1_0;
}

static void rsi_measurement_read(struct rec *rec, struct smc_regs *r)
{
        uint64_t index = r->x[1];
        if (index >= RSI_MEASUREMENT_SLOTS) {
                r->x[0] = RSI_ERROR_INPUT;
                return;
        }
        const uint8_t *m = index == 0 ? rec->realm->rim : rec->realm->rem[index - 1];
        for (unsigned i = 0; i < 8; i++)
                r->x[1 + i] = ld_le64(m + 8 * i);
        r->x[0] = RSI_SUCCESS;
}

static void rsi_measurement_extend(struct rec *rec, struct smc_regs *r)
{
        uint64_t index = r->x[1], size = r->x[2];
        uint8_t val[RSI_MEASUREMENT_MAX];
        if (index < 1 || index > 4 || size > RSI_MEASUREMENT_MAX) {
                r->x[0] = RSI_ERROR_INPUT;
                return;
        }
        for (unsigned i = 0; i < 8; i++)
                st_le64(val + 8 * i, r->x[3 + i]);
        r->x[0] = measure_extend_rem(rec->realm, (unsigned)index, val, (size_t)size) ? RSI_SUCCESS
                                                                                    : RSI_ERROR_UNKNOWN;
}

/* The RMM writes Realm memory only at protected IPAs with RIPAS RAM. */
static bool rsi_addr_ok(const struct rec *rec, uint64_t ipa, uint64_t align)
{
        return !(ipa & (align - 1)) && rtt_ipa_protected(rec->realm, ipa);
}

static void rsi_realm_config(struct rec *rec, struct smc_regs *r)
{
        uint64_t ipa = r->x[1];
        uint8_t cfg[RSI_REALM_CONFIG_SIZE];
        if (!rsi_addr_ok(rec, ipa, GRANULE_SIZE)) {
                r->x[0] = RSI_ERROR_INPUT;
                return;
        }
        memset(cfg, 0, sizeof(cfg));
        st_le64(cfg + RSI_REALM_CONFIG_IPA_WIDTH, rec->realm->s2sz);
        cfg[RSI_REALM_CONFIG_HASH_ALGO] = (uint8_t)rec->realm->hash_algo_rmi;
        memcpy(cfg + RSI_REALM_CONFIG_RPV, rec->realm->rpv, 64);
        r->x[0] = rec_mem_write(rec, ipa, cfg, sizeof(cfg)) == CPU_OK ? RSI_SUCCESS : RSI_ERROR_INPUT;
}

/* B5.3.9 RSI_IPA_STATE_SET: validate, exit to the host with RIPAS_CHANGE, and on re-entry
 * report how far it got and whether the host rejected it (A5.4). */
static void rsi_ipa_state_set(struct rec *rec, struct smc_regs *r)
{
        uint64_t base = r->x[1], top = r->x[2], ripas = r->x[3], flags = r->x[4];
        const struct realm *realm = rec->realm;

        if (base & GRANULE_MASK || top & GRANULE_MASK || top <= base ||
            top > ((uint64_t)1 << (realm->s2sz - 1)) ||
            (ripas != RSI_RIPAS_EMPTY && ripas != RSI_RIPAS_RAM) || flags & ~1ULL) {
                r->x[0] = RSI_ERROR_INPUT;
                return;
        }
        rec->ripas_addr = base;
        rec->ripas_top = top;
        rec->ripas_value = (uint8_t)ripas;
        rec->ripas_change_destroyed = flags & RSI_CHANGE_DESTROYED;
        memset(&rec->exit, 0, sizeof(rec->exit));
        rec->exit.reason = RMI_EXIT_RIPAS_CHANGE;
        rec->exit.ripas_base = base;
        rec->exit.ripas_top = top;
        rec->exit.ripas_value = (uint8_t)ripas;
        rec->pending = REC_PENDING_RIPAS;
        rec_exit_to_host(rec);
        rec->pending = REC_PENDING_NONE;
        r->x[0] = RSI_SUCCESS;
        r->x[1] = rec->ripas_addr;
        /* Only a change to RAM can be rejected (A5.4.3). */
        r->x[2] = ripas == RSI_RIPAS_RAM && rec->ripas_addr != top && rec->ripas_reject ? RSI_REJECT
                                                                                        : RSI_ACCEPT;
        rec->ripas_top = rec->ripas_addr; /* nothing further may be set by the host */
}

/* B5.3.8 RSI_IPA_STATE_GET(base, end): RIPAS at base and how far it extends. */
static void rsi_ipa_state_get(struct rec *rec, struct smc_regs *r)
{
        uint64_t base = r->x[1], end = r->x[2];
        const struct realm *realm = rec->realm;
        struct rtt_walk w;

        if (base & GRANULE_MASK || end & GRANULE_MASK || end <= base ||
            end > ((uint64_t)1 << (realm->s2sz - 1))) {
                r->x[0] = RSI_ERROR_INPUT;
                return;
        }
        rtt_walk(realm, base, RTT_PAGE_LEVEL, &w);
        uint8_t ripas = rtt_walk_entry(&w)->ripas;
        uint64_t addr = base;
        while (addr < end) {
                rtt_walk(realm, addr, RTT_PAGE_LEVEL, &w);
                if (rtt_walk_entry(&w)->ripas != ripas)
                        break;
                uint64_t size = rtt_entry_size(w.level);
                addr = (addr & ~(size - 1)) + size;
        }
        r->x[0] = RSI_SUCCESS;
        r->x[1] = addr < end ? addr : end;
        r->x[2] = ripas;
}

/* B5.3.7 RSI_HOST_CALL: RsiHostCall at a protected, 256-byte aligned IPA. */
static void rsi_host_call(struct rec *rec, struct smc_regs *r)
{
        uint64_t ipa = r->x[1];
        uint8_t hc[RSI_HOST_CALL_SIZE];
        if (!rsi_addr_ok(rec, ipa, RSI_HOST_CALL_SIZE) || rec_mem_read(rec, ipa, hc, sizeof(hc)) != CPU_OK) {
                r->x[0] = RSI_ERROR_INPUT;
                return;
        }
        memset(&rec->exit, 0, sizeof(rec->exit));
        rec->exit.reason = RMI_EXIT_HOST_CALL;
        rec->exit.imm = ld_le16(hc + RSI_HOST_CALL_IMM);
        for (unsigned i = 0; i < RSI_HOST_CALL_NUM_GPRS; i++)
                rec->exit.gprs[i] = ld_le64(hc + RSI_HOST_CALL_GPRS + 8 * i);
        rec->pending = REC_PENDING_HOST_CALL;
        rec_exit_to_host(rec);
        rec->pending = REC_PENDING_NONE;
        for (unsigned i = 0; i < RSI_HOST_CALL_NUM_GPRS; i++)
                st_le64(hc + RSI_HOST_CALL_GPRS + 8 * i, rec->entry.gprs[i]);
        r->x[0] = rec_mem_write(rec, ipa, hc, sizeof(hc)) == CPU_OK ? RSI_SUCCESS : RSI_ERROR_INPUT;
}

static void psci_exit(struct rec *rec, const struct smc_regs *r)
{
        memset(&rec->exit, 0, sizeof(rec->exit));
        rec->exit.reason = RMI_EXIT_PSCI;
        for (unsigned i = 0; i < 4; i++)
                rec->exit.gprs[i] = r->x[i];
        rec->pending = REC_PENDING_PSCI;
        rec_exit_to_host(rec);
        rec->pending = REC_PENDING_NONE;
}

static void psci_handle(struct rec *rec, struct smc_regs *r)
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

static bool is_psci(uint64_t fid)
{
        return fid == PSCI_VERSION || fid == PSCI_FEATURES || fid == PSCI_SYSTEM_OFF ||
               fid == PSCI_SYSTEM_RESET || fid == PSCI_CPU_OFF || fid == PSCI_CPU_ON_64 ||
               fid == PSCI_AFFINITY_INFO_64;
}

static void rsi_dispatch(struct rec *rec, struct smc_regs *r)
{
        switch (r->x[0]) {
        case RSI_VERSION: rsi_version(rec, r); return;
        case RSI_FEATURES: r->x[0] = RSI_SUCCESS; r->x[1] = 0; return;
        case RSI_MEASUREMENT_READ: rsi_measurement_read(rec, r); return;
        case RSI_MEASUREMENT_EXTEND: rsi_measurement_extend(rec, r); return;
        case RSI_REALM_CONFIG: rsi_realm_config(rec, r); return;
        case RSI_IPA_STATE_SET: rsi_ipa_state_set(rec, r); return;
        case RSI_IPA_STATE_GET: rsi_ipa_state_get(rec, r); return;
        case RSI_HOST_CALL: rsi_host_call(rec, r); return;
        default:
                if (is_psci(r->x[0]))
                        psci_handle(rec, r);
                else /* includes the attestation token calls, not modelled yet */
                        r->x[0] = SMCCC_RET_NOT_SUPPORTED;
                return;
        }
}

void rsi_handle(struct rec *rec, struct smc_regs *r)
{
        struct ccada_rmm *rmm = rec->rmm;
        uint64_t fid = r->x[0], a1 = r->x[1], a2 = r->x[2], a3 = r->x[3];
        rmm->stats.rsi_calls++;
        trace_advance(rmm->trace, 500); /* virtual time per RSI call */
        rsi_dispatch(rec, r);
        if (rmm->cfg.check_invariants)
                (void)rmm_check_invariants(rmm);
        if (trace_on(rmm->trace, TRACE_RSI_CALL) && !is_psci(fid))
                trace_emit(rmm->trace, TRACE_RSI_CALL, "cmd=%s x1=0x%llx x2=0x%llx x3=0x%llx status=%s",
                           rsi_command_name(fid), (unsigned long long)a1, (unsigned long long)a2,
                           (unsigned long long)a3,
                           r->x[0] == SMCCC_RET_NOT_SUPPORTED ? "NOT_SUPPORTED" : rsi_status_name((unsigned)r->x[0]));
}
