/* What code running in a Realm sees of its CPU: SMC (RSI, PSCI), loads and stores by IPA
 * through stage-2 translation, and WFI. Implemented by the RMM's REC (src/rmm), which
 * walks the Realm's RTT and then accesses physical memory as the Realm world, so every
 * access is subject to the GPC.
 *
 *  - Protected IPA, RIPAS RAM, mapped: the access happens.
 *  - Protected IPA, RIPAS EMPTY: synchronous external abort (CPU_SEA); nothing moves.
 *  - Protected IPA, RIPAS DESTROYED: a data abort REC exit that never makes progress
 *    (the host cannot map a DESTROYED IPA); it ends only if the host injects an SEA.
 *    (DEN0137 1.0 A5.2.2, A5.4)
 *  - Protected IPA, RIPAS RAM, not mapped: a stage-2 fault REC exit; the host maps
 *    memory and re-enters, and the access then completes.
 *  - Unprotected IPA (top bit set) mapped to an NS granule: the access happens (CPU_GPF
 *    if the host mapped a granule that is not Non-secure).
 *  - Unprotected IPA not mapped: a data abort REC exit. A single 1/2/4/8-byte access
 *    (cpu_mmio_read/write) is emulatable (SYNC, ISV=1): the host emulates it and
 *    re-enters. A bulk access exits without ISV: the host may map memory there and
 *    re-enter (the access then completes) or inject an SEA (CPU_SEA).
 *  - Every access that an exit interrupts is translated and checked again afterwards:
 *    a bulk access completes granule-bounded pieces one at a time, and a copy translates
 *    its source again if its destination exited to the host.
 */
#ifndef CCADA_CPU_H
#define CCADA_CPU_H

#include <stddef.h>
#include <stdint.h>

#include "ccada/smc.h"

/* A CPU as the guest sees it. Two implementations: the RMM's REC (src/rmm, a Realm) and
 * the host's plain vCPU (src/host, a normal VM, where every SMC to RSI answers
 * SMCCC_RET_NOT_SUPPORTED, as it does for a Linux guest that is not in a Realm). Each
 * embeds struct ccada_cpu and supplies the ops. */
struct ccada_cpu;

enum cpu_result {
        CPU_OK = 0,
        CPU_SEA,        /* synchronous external abort delivered to the guest */
        CPU_GPF,        /* granule protection fault on an unprotected IPA */
        CPU_HALTED,     /* the guest was shut down (SYSTEM_OFF) or destroyed meanwhile */
};

struct ccada_cpu_ops {
        void (*smc)(struct ccada_cpu *cpu, struct smc_regs *regs);
        enum cpu_result (*load)(struct ccada_cpu *cpu, uint64_t ipa, void *dst, size_t len);
        enum cpu_result (*store)(struct ccada_cpu *cpu, uint64_t ipa, const void *src, size_t len);
        enum cpu_result (*copy)(struct ccada_cpu *cpu, uint64_t dst_ipa, uint64_t src_ipa, size_t len);
        enum cpu_result (*fill)(struct ccada_cpu *cpu, uint64_t ipa, uint8_t byte, size_t len);
        enum cpu_result (*mmio_read)(struct ccada_cpu *cpu, uint64_t ipa, unsigned size, uint64_t *val);
        enum cpu_result (*mmio_write)(struct ccada_cpu *cpu, uint64_t ipa, unsigned size, uint64_t val);
        void (*wfi)(struct ccada_cpu *cpu);
};

struct ccada_cpu {
        const struct ccada_cpu_ops *ops;
};

const char *cpu_result_name(enum cpu_result r);

/* SMC from the guest: x[0] is the FID; results come back in x[0..]. May exit to the host
 * (RSI_IPA_STATE_SET, RSI_HOST_CALL, PSCI) before it returns. */
static inline void cpu_smc(struct ccada_cpu *cpu, struct smc_regs *regs) { cpu->ops->smc(cpu, regs); }

static inline enum cpu_result cpu_load(struct ccada_cpu *cpu, uint64_t ipa, void *dst, size_t len)
{
        return cpu->ops->load(cpu, ipa, dst, len);
}
static inline enum cpu_result cpu_store(struct ccada_cpu *cpu, uint64_t ipa, const void *src, size_t len)
{
        return cpu->ops->store(cpu, ipa, src, len);
}
/* memmove between two IPA ranges, each translated and checked. */
static inline enum cpu_result cpu_copy(struct ccada_cpu *cpu, uint64_t dst_ipa, uint64_t src_ipa, size_t len)
{
        return cpu->ops->copy(cpu, dst_ipa, src_ipa, len);
}
static inline enum cpu_result cpu_fill(struct ccada_cpu *cpu, uint64_t ipa, uint8_t byte, size_t len)
{
        return cpu->ops->fill(cpu, ipa, byte, len);
}
/* Single-register accesses (size 1, 2, 4 or 8) that the host may emulate (MMIO). */
static inline enum cpu_result cpu_mmio_read(struct ccada_cpu *cpu, uint64_t ipa, unsigned size, uint64_t *val)
{
        return cpu->ops->mmio_read(cpu, ipa, size, val);
}
static inline enum cpu_result cpu_mmio_write(struct ccada_cpu *cpu, uint64_t ipa, unsigned size, uint64_t val)
{
        return cpu->ops->mmio_write(cpu, ipa, size, val);
}
/* Wait for an interrupt: a REC exit (SYNC, EC=WFx) to the host, which may run backends. */
static inline void cpu_wfi(struct ccada_cpu *cpu) { cpu->ops->wfi(cpu); }

/* The Realm's code: native C standing in for its instructions. The RMM calls
 * entry(kernel, cpu, pc, x0..x7) on the REC's own stack at its first REC_ENTER, with PC
 * and GPRs from RmiRecParams. When entry returns, the REC behaves as if it called PSCI
 * CPU_OFF. */
struct realm_kernel;
struct ccada_realm_program {
        void (*entry)(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t x[8]);
        struct realm_kernel *kernel;
};

#endif
