/* The CPU a REC gives Realm code (include/ccada/cpu.h): an ops table over the REC's memory
 * accesses (rec_mem.c) and its traps: an SMC goes to RSI (rsi.c), a WFI to the host when it
 * asked for it. */
#include <string.h>

#include "rmm/rmm_internal.h"

static struct rec *to_rec(struct ccada_cpu *cpu)
{
        return container_of(cpu, struct rec, cpu);
}

static enum cpu_result rec_load(struct ccada_cpu *cpu, uint64_t ipa, void *dst, size_t len)
{
        return rec_mem_read(to_rec(cpu), ipa, dst, len);
}

static enum cpu_result rec_store(struct ccada_cpu *cpu, uint64_t ipa, const void *src, size_t len)
{
        return rec_mem_write(to_rec(cpu), ipa, src, len);
}

static enum cpu_result rec_fill(struct ccada_cpu *cpu, uint64_t ipa, uint8_t byte, size_t len)
{
        return rec_access(to_rec(cpu), OP_FILL, ipa, NULL, byte, len);
}

static enum cpu_result rec_cpu_copy(struct ccada_cpu *cpu, uint64_t dst, uint64_t src, size_t len)
{
        return rec_copy(to_rec(cpu), dst, src, len);
}

static enum cpu_result rec_mmio_read(struct ccada_cpu *cpu, uint64_t ipa, unsigned size, uint64_t *val)
{
        return rec_mmio(to_rec(cpu), ipa, size, false, val);
}

static enum cpu_result rec_mmio_write(struct ccada_cpu *cpu, uint64_t ipa, unsigned size, uint64_t val)
{
        return rec_mmio(to_rec(cpu), ipa, size, true, &val);
}

/* WFI traps to the host only when it asked (TRAP_WFI); otherwise there is nothing to wait
 * for in this model (no interrupt sources) and it completes at once. The exit's ESR holds
 * the exception class and ISS.TI only (DEN0137 1.0 A4.3.4.1): 0x04000000 for a WFI. */
static void rec_wfi(struct ccada_cpu *cpu)
{
        struct rec *rec = to_rec(cpu);
        if (!(rec->entry.flags & RMI_REC_ENTRY_FLAG_TRAP_WFI))
                return;
        struct rmi_rec_exit x = { .reason = RMI_EXIT_SYNC,
                                  .esr = ESR_EC_WFX << ESR_EC_SHIFT | ESR_WFX_TI_WFI };
        rec_exit_and_wait(rec, REC_PENDING_WFI, &x);
}

static void rec_smc(struct ccada_cpu *cpu, struct smc_regs *regs)
{
        rsi_handle(to_rec(cpu), regs);
}

const struct ccada_cpu_ops rec_cpu_ops = {
        .smc = rec_smc,
        .load = rec_load,
        .store = rec_store,
        .copy = rec_cpu_copy,
        .fill = rec_fill,
        .mmio_read = rec_mmio_read,
        .mmio_write = rec_mmio_write,
        .wfi = rec_wfi,
};
