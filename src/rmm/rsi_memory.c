/* RSI_IPA_STATE_SET and RSI_IPA_STATE_GET. DEN0137 1.0 B5.3.6, B5.3.5, A5.4 (RIPAS change). */
#include "rmm/rmm_internal.h"

/* Whether an entry of [base, top) maps device memory (ASSIGNED_DEV, whatever its RIPAS).
 * Only RMI_RTT_DEV_MAP / RMI_RTT_DEV_VALIDATE / RMI_RTT_DEV_UNMAP make or unmake device memory;
 * DEN0137 2.0 was not to hand, so RSI_IPA_STATE_SET refuses such a range (RSI_ERROR_INPUT)
 * rather than letting the host's RMI_RTT_SET_RIPAS stop at it (ccada's choice,
 * docs/specs.md). Blocks are stepped over whole: ASSIGNED_DEV entries are at level 3 only. */
static bool range_has_dev(const struct realm *realm, uint64_t base, uint64_t top)
{
        struct rtt_walk w;
        uint64_t addr = base;
        while (addr < top) {
                rtt_walk(realm, addr, RTT_PAGE_LEVEL, &w);
                uint64_t size = rtt_entry_size(w.level);
                if (w.level == RTT_PAGE_LEVEL) {
                        for (unsigned i = w.index; i < RTT_ENTRIES && addr < top; i++, addr += size)
                                if (w.table->e[i].state == RMI_ASSIGNED_DEV)
                                        return true;
                } else {
                        addr = (addr & ~(size - 1)) + size;
                }
        }
        return false;
}

/* B5.3.6 RSI_IPA_STATE_SET: validate, exit to the host with RIPAS_CHANGE, and on re-entry
 * report how far it got and whether the host rejected it (A5.4). The failure conditions
 * are base_align, top_align, size_valid, rgn_bound and ripas_valid, nothing else: ripas is
 * X3[7:0] (X3[63:8] SBZ, not checked) and only flags bit 0 (change_destroyed) means
 * anything (its other bits SBZ, not checked), as in TF-RMM 1.0. */
void rsi_ipa_state_set(struct rec *rec, struct smc_regs *r)
{
        uint64_t base = r->x[1], top = r->x[2], ripas = r->x[3] & 0xFF, flags = r->x[4];
        const struct realm *realm = rec->realm;

        if (base & GRANULE_MASK || top & GRANULE_MASK || top <= base ||
            top > ((uint64_t)1 << (realm->s2sz - 1)) ||
            (ripas != RSI_RIPAS_EMPTY && ripas != RSI_RIPAS_RAM)) {
                r->x[0] = RSI_ERROR_INPUT;
                return;
        }
        if (range_has_dev(realm, base, top)) {
                r->x[0] = RSI_ERROR_INPUT;
                return;
        }
        rec->ripas_addr = base;
        rec->ripas_top = top;
        rec->ripas_value = (uint8_t)ripas;
        rec->ripas_change_destroyed = flags & RSI_CHANGE_DESTROYED;
        struct rmi_rec_exit x = { .reason = RMI_EXIT_RIPAS_CHANGE, .ripas_base = base, .ripas_top = top,
                                  .ripas_value = (uint8_t)ripas };
        rec_exit_and_wait(rec, REC_PENDING_RIPAS, &x);
        r->x[0] = RSI_SUCCESS;
        r->x[1] = rec->ripas_addr;
        /* Only a change to RAM can be rejected (A5.4.3). */
        r->x[2] = ripas == RSI_RIPAS_RAM && rec->ripas_addr != top && rec->ripas_reject ? RSI_REJECT
                                                                                        : RSI_ACCEPT;
        rec->ripas_top = rec->ripas_addr; /* nothing further may be set by the host */
}

/* B5.3.5 RSI_IPA_STATE_GET(base, end): RIPAS at base and how far it extends. */
void rsi_ipa_state_get(struct rec *rec, struct smc_regs *r)
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
