/* A normal (non-Realm) VM, for comparison with a Realm: guest RAM is Non-secure memory
 * the host owns and maps itself; the RMM takes no part. The vCPU is the host's own
 * implementation of the guest CPU (include/ccada/cpu.h): loads and stores go straight to
 * NS memory, MMIO is emulated inline, and every SMC to an RSI function answers
 * SMCCC_RET_NOT_SUPPORTED, so the guest kernel learns it is not in a Realm exactly as
 * arm64 Linux does (arm64_rsi_init). */
#include <stdlib.h>
#include <string.h>

#include "ccada/rsi.h"
#include "host/vm_internal.h"
#include "lib/bytes.h"
#include "lib/chunk.h"
#include "proto/hostcall.h"

struct host_vcpu {
        struct ccada_cpu cpu;   /* first: container */
        struct host_vm *vm;
        bool off;
};

static struct host_vcpu *to_vcpu(struct ccada_cpu *cpu)
{
        return (struct host_vcpu *)cpu;
}

/* guest-physical RAM address to PA, within one granule; false outside RAM. */
static bool gpa_to_pa(const struct host_vm *vm, uint64_t gpa, uint64_t *pa)
{
        uint64_t i;
        if (!host_ram_index(vm, gpa, &i) || !vm->ram_pa[i])
                return false;
        *pa = vm->ram_pa[i] + (gpa & GRANULE_MASK);
        return true;
}

static size_t piece(uint64_t a, size_t len)
{
        size_t room = (size_t)(GRANULE_SIZE - (a & GRANULE_MASK));
        return len < room ? len : room;
}

enum vop { V_LOAD, V_STORE, V_FILL };

static enum cpu_result vcpu_access(struct ccada_cpu *cpu, enum vop op, uint64_t gpa, uint8_t *buf,
                                   uint8_t byte, size_t len)
{
        struct host_vcpu *v = to_vcpu(cpu);
        if (v->off)
                return CPU_HALTED;
        while (len) {
                uint64_t pa;
                size_t n = piece(gpa, len);
                if (!gpa_to_pa(v->vm, gpa, &pa))
                        return CPU_SEA;
                enum hw_result h = op == V_LOAD    ? hw_read(v->vm->mem, HW_WORLD_NS, pa, buf, n, NULL)
                                   : op == V_STORE ? hw_write(v->vm->mem, HW_WORLD_NS, pa, buf, n, NULL)
                                                   : hw_fill(v->vm->mem, HW_WORLD_NS, pa, byte, n, NULL);
                if (h != HW_OK)
                        return h == HW_GPF ? CPU_GPF : CPU_SEA;
                gpa += n, len -= n;
                if (buf)
                        buf += n;
        }
        return CPU_OK;
}

static enum cpu_result vcpu_load(struct ccada_cpu *cpu, uint64_t gpa, void *dst, size_t len)
{
        return vcpu_access(cpu, V_LOAD, gpa, dst, 0, len);
}

static enum cpu_result vcpu_store(struct ccada_cpu *cpu, uint64_t gpa, const void *src, size_t len)
{
        return vcpu_access(cpu, V_STORE, gpa, (uint8_t *)(uintptr_t)src, 0, len);
}

static enum cpu_result vcpu_fill(struct ccada_cpu *cpu, uint64_t gpa, uint8_t byte, size_t len)
{
        return vcpu_access(cpu, V_FILL, gpa, NULL, byte, len);
}

static enum cpu_result vcpu_copy(struct ccada_cpu *cpu, uint64_t dst, uint64_t src, size_t len)
{
        struct host_vcpu *v = to_vcpu(cpu);
        bool backwards = chunk_backwards(dst, src, len);
        if (v->off)
                return CPU_HALTED;
        while (len) {
                uint64_t s0, d0, spa, dpa;
                size_t n = chunk_next(dst, src, len, GRANULE_MASK, backwards, &d0, &s0);
                if (!gpa_to_pa(v->vm, s0, &spa) || !gpa_to_pa(v->vm, d0, &dpa))
                        return CPU_SEA;
                if (hw_copy(v->vm->mem, HW_WORLD_NS, dpa, spa, n, NULL) != HW_OK)
                        return CPU_SEA;
                if (!backwards)
                        src += n, dst += n;
                len -= n;
        }
        return CPU_OK;
}

static enum cpu_result vcpu_mmio(struct ccada_cpu *cpu, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
        struct host_vcpu *v = to_vcpu(cpu);
        uint64_t pa;
        if (v->off)
                return CPU_HALTED;
        if ((size != 1 && size != 2 && size != 4 && size != 8) || gpa & (size - 1))
                return CPU_SEA;
        if (gpa_to_pa(v->vm, gpa, &pa))
                return write ? vcpu_store(cpu, gpa, val, size) : (*val = 0, vcpu_load(cpu, gpa, val, size));
        v->vm->stats.exits[RMI_EXIT_SYNC]++; /* an MMIO exit in a normal VM too */
        return host_mmio_access(v->vm, gpa, size, write, val) ? CPU_OK : CPU_SEA;
}

static enum cpu_result vcpu_mmio_read(struct ccada_cpu *cpu, uint64_t gpa, unsigned size, uint64_t *val)
{
        return vcpu_mmio(cpu, gpa, size, false, val);
}

static enum cpu_result vcpu_mmio_write(struct ccada_cpu *cpu, uint64_t gpa, unsigned size, uint64_t val)
{
        return vcpu_mmio(cpu, gpa, size, true, &val);
}

static void vcpu_wfi(struct ccada_cpu *cpu)
{
        struct host_vm *vm = to_vcpu(cpu)->vm;
        vm->stats.exits[RMI_EXIT_SYNC]++; /* block backends complete synchronously */
        (void)host_vm_idle(vm);           /* network input comes while the guest waits */
}

/* HOSTCALL_VENDOR_HYP_FID: the guest's host call, in a block of its RAM laid out as
 * RsiHostCall (proto/hostcall.h). Decoded from a copy, answered, written back. */
static uint64_t vcpu_host_call(struct host_vcpu *v, uint64_t block_gpa)
{
        uint8_t hc[RSI_HOST_CALL_SIZE];
        uint64_t in[RSI_HOST_CALL_NUM_GPRS], out[RSI_HOST_CALL_NUM_GPRS];
        v->vm->stats.exits[RMI_EXIT_HOST_CALL]++; /* what a Realm's host call costs: an exit */
        if (block_gpa & 7 || vcpu_load(&v->cpu, block_gpa, hc, sizeof(hc)) != CPU_OK)
                return HOSTCALL_RET_INVALID_PARAMETER;
        for (unsigned i = 0; i < RSI_HOST_CALL_NUM_GPRS; i++)
                in[i] = ld_le64(hc + RSI_HOST_CALL_GPRS + 8 * i);
        host_serve_call(v->vm, ld_le16(hc + RSI_HOST_CALL_IMM), in, out);
        for (unsigned i = 0; i < RSI_HOST_CALL_NUM_GPRS; i++)
                st_le64(hc + RSI_HOST_CALL_GPRS + 8 * i, out[i]);
        return vcpu_store(&v->cpu, block_gpa, hc, sizeof(hc)) == CPU_OK ? SMCCC_RET_SUCCESS
                                                                         : HOSTCALL_RET_INVALID_PARAMETER;
}

static void vcpu_smc(struct ccada_cpu *cpu, struct smc_regs *r)
{
        struct host_vcpu *v = to_vcpu(cpu);
        uint64_t fid = r->x[0];
        if (fid == HOSTCALL_VENDOR_HYP_FID) {
                r->x[0] = vcpu_host_call(v, r->x[1]);
                return;
        }
        if (fid == PSCI_SYSTEM_OFF || fid == PSCI_SYSTEM_RESET || fid == PSCI_CPU_OFF) {
                v->off = true;
                v->vm->stats.exits[RMI_EXIT_PSCI]++;
                v->vm->stats.powered_off = true;
                r->x[0] = PSCI_RET_SUCCESS;
                return;
        }
        if (fid == PSCI_VERSION) {
                r->x[0] = 0x10001;
                return;
        }
        r->x[0] = SMCCC_RET_NOT_SUPPORTED; /* no RMM: RSI_VERSION and friends are unknown */
}

static const struct ccada_cpu_ops vcpu_ops = {
        .smc = vcpu_smc,
        .load = vcpu_load,
        .store = vcpu_store,
        .copy = vcpu_copy,
        .fill = vcpu_fill,
        .mmio_read = vcpu_mmio_read,
        .mmio_write = vcpu_mmio_write,
        .wfi = vcpu_wfi,
};

ccada_status host_vm_create_normal(struct host_vm *vm, const struct host_vm_config *cfg,
                                   const struct ccada_realm_program *prog)
{
        if (vm->created)
                return CCADA_E_STATE;
        if (!cfg->ram_size || (cfg->ram_base | cfg->ram_size) & GRANULE_MASK || cfg->image_len > cfg->ram_size)
                return CCADA_E_INVAL;
        vm->cfg = *cfg;
        vm->cfg.image = NULL;
        vm->normal = true;
        vm->prog = *prog;
        vm->shared_bit = 0;
        vm->ram_pages = cfg->ram_size >> GRANULE_SHIFT;
        vm->ram_pa = calloc(vm->ram_pages, sizeof(uint64_t));
        if (!vm->ram_pa)
                return CCADA_E_NOMEM;
        vm->created = true;
        for (uint64_t i = 0; i < vm->ram_pages; i++)
                if (!(vm->ram_pa[i] = host_alloc_granule(vm)))
                        return CCADA_E_NOMEM;
        for (size_t off = 0; off < cfg->image_len; off += GRANULE_SIZE) {
                size_t n = cfg->image_len - off < GRANULE_SIZE ? cfg->image_len - off : GRANULE_SIZE;
                if (hw_write(vm->mem, HW_WORLD_NS, vm->ram_pa[off >> GRANULE_SHIFT], cfg->image + off, n, NULL) != HW_OK)
                        return CCADA_E_GPF;
        }
        return CCADA_OK;
}

ccada_status host_vm_run_normal(struct host_vm *vm)
{
        struct host_vcpu v = { .cpu = { .ops = &vcpu_ops }, .vm = vm };
        uint64_t x[8] = { vm->cfg.ram_base };
        if (!vm->prog.entry)
                return CCADA_E_STATE;
        vm->prog.entry(vm->prog.kernel, &v.cpu, vm->cfg.ram_base, x);
        return vm->stats.powered_off ? CCADA_OK : CCADA_E_STATE;
}
