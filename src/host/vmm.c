/* The VMM: creates a Realm through RMI only, the way KVM and kvmtool do, and keeps track
 * of the granules it handed over. DEN0137 1.0 A2 (realm creation flow), A5.4 (RIPAS). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/vm_internal.h"
#include "lib/bytes.h"

#define S2_ATTR_NORMAL_RW 0x3FCULL /* MemAttr=0xF (normal WB), S2AP=RW, SH=inner */

void host_vm_config_default(struct host_vm_config *cfg)
{
        memset(cfg, 0, sizeof(*cfg));
        cfg->ipa_bits = 40;
        cfg->hash_algo = RMI_HASH_SHA_256;
        cfg->ram_base = 0x80000000ULL;
        cfg->ram_size = 32ULL << 20;
}

void host_log(struct host_vm *vm, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fputs("host: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        (void)vm;
}

ccada_status host_vm_create(struct host_vm **out, struct hw_mem *mem, struct ccada_rmm *rmm,
                            struct trace *trace)
{
        struct host_vm *vm = calloc(1, sizeof(*vm));
        if (!vm)
                return CCADA_E_NOMEM;
        vm->mem = mem;
        vm->rmm = rmm;
        vm->trace = trace;
        vm->mem_base = hw_mem_base(mem);
        vm->ngranules = hw_mem_size(mem) >> GRANULE_SHIFT;
        vm->used = calloc((size_t)(vm->ngranules + 7) / 8, 1);
        if (!vm->used) {
                free(vm);
                return CCADA_E_NOMEM;
        }
        snprintf(vm->who.comm, sizeof(vm->who.comm), "lkvm-vcpu-0");
        vm->who.pid = 1000;
        memcpy(vm->who.flags, ".....", 6);
        *out = vm;
        return CCADA_OK;
}

void host_vm_destroy(struct host_vm *vm)
{
        if (!vm)
                return;
        free(vm->used);
        free(vm->prot_pa);
        free(vm->shared_pa);
        free(vm->ram_pa);
        free(vm);
}

void host_vm_add_mmio(struct host_vm *vm, struct host_mmio_dev *dev)
{
        dev->next = vm->devs;
        vm->devs = dev;
}

uint64_t host_alloc_granule(struct host_vm *vm)
{
        for (uint64_t n = 0; n < vm->ngranules; n++) {
                uint64_t i = (vm->next_hint + n) % vm->ngranules;
                if (!(vm->used[i / 8] >> (i % 8) & 1)) {
                        vm->used[i / 8] |= (uint8_t)(1u << (i % 8));
                        vm->next_hint = i + 1;
                        uint64_t pa = vm->mem_base + (i << GRANULE_SHIFT);
                        /* The host's own page: clear it as the NS world would. */
                        if (hw_fill(vm->mem, HW_WORLD_NS, pa, 0, GRANULE_SIZE, NULL) != HW_OK)
                                return 0;
                        return pa;
                }
        }
        return 0;
}

void host_free_granule(struct host_vm *vm, uint64_t pa)
{
        uint64_t i = (pa - vm->mem_base) >> GRANULE_SHIFT;
        if (pa >= vm->mem_base && i < vm->ngranules)
                vm->used[i / 8] &= (uint8_t)~(1u << (i % 8));
}

uint64_t host_rmi(struct host_vm *vm, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
                  uint64_t a4, uint64_t a5, struct smc_regs *out)
{
        struct smc_regs r = { .x = { fid, a1, a2, a3, a4, a5 } };
        rmi_smc(vm->rmm, &r);
        if (out)
                *out = r;
        return r.x[0];
}

/* Allocates an NS granule and delegates it. 0 on failure. */
static uint64_t host_delegated_granule(struct host_vm *vm)
{
        uint64_t pa = host_alloc_granule(vm);
        if (!pa)
                return 0;
        if (host_rmi(vm, RMI_GRANULE_DELEGATE, pa, 0, 0, 0, 0, NULL) != RMI_SUCCESS) {
                host_free_granule(vm, pa);
                return 0;
        }
        return pa;
}

static void host_release_delegated(struct host_vm *vm, uint64_t pa)
{
        if (host_rmi(vm, RMI_GRANULE_UNDELEGATE, pa, 0, 0, 0, 0, NULL) == RMI_SUCCESS)
                host_free_granule(vm, pa);
        else
                host_log(vm, "cannot undelegate 0x%llx: leaked", (unsigned long long)pa);
}

static uint64_t level_size(int level)
{
        return 1ULL << (GRANULE_SHIFT + 9 * (3 - level));
}

/* Creates the RTTs that ipa needs down to `level`, top-down, asking the RMM where the
 * walk stops (RTT_READ_ENTRY) rather than trusting our own bookkeeping. */
ccada_status host_ensure_rtt(struct host_vm *vm, uint64_t ipa, int level)
{
        struct smc_regs r;
        for (int l = vm->level_start + 1; l <= level; l++) {
                uint64_t parent = ipa & ~(level_size(l - 1) - 1);
                uint64_t x0 = host_rmi(vm, RMI_RTT_READ_ENTRY, vm->rd, parent, (uint64_t)(l - 1), 0, 0, &r);
                if (x0 != RMI_SUCCESS || r.x[1] != (uint64_t)(l - 1))
                        return CCADA_E_RMM;
                if (r.x[2] == RMI_TABLE)
                        continue;
                uint64_t rtt = host_delegated_granule(vm);
                if (!rtt)
                        return CCADA_E_NOMEM;
                if (host_rmi(vm, RMI_RTT_CREATE, vm->rd, rtt, parent, (uint64_t)l, 0, NULL) != RMI_SUCCESS) {
                        host_release_delegated(vm, rtt);
                        return CCADA_E_RMM;
                }
        }
        return CCADA_OK;
}

bool host_ram_index(const struct host_vm *vm, uint64_t ipa, uint64_t *index)
{
        uint64_t canon = ipa & ~vm->shared_bit;
        if (canon < vm->cfg.ram_base || canon >= vm->cfg.ram_base + vm->cfg.ram_size)
                return false;
        *index = (canon - vm->cfg.ram_base) >> GRANULE_SHIFT;
        return true;
}

/* Backs a protected RAM page with a fresh DATA granule (contents unknown: zero). */
ccada_status host_populate_page(struct host_vm *vm, uint64_t ipa)
{
        uint64_t i;
        if (!host_ram_index(vm, ipa, &i) || vm->prot_pa[i])
                return CCADA_E_INVAL;
        uint64_t pa = host_delegated_granule(vm);
        if (!pa)
                return CCADA_E_NOMEM;
        uint64_t x0 = host_rmi(vm, RMI_DATA_CREATE_UNKNOWN, vm->rd, pa, ipa, 0, 0, NULL);
        if (x0 != RMI_SUCCESS) {
                host_release_delegated(vm, pa);
                return CCADA_E_RMM;
        }
        vm->prot_pa[i] = pa;
        return CCADA_OK;
}

/* The Realm made ipa EMPTY: reclaim its DATA granule, map an NS page at the alias. */
ccada_status host_share_page(struct host_vm *vm, uint64_t ipa)
{
        uint64_t i;
        struct smc_regs r;
        if (!host_ram_index(vm, ipa, &i))
                return CCADA_E_INVAL;
        if (vm->prot_pa[i]) {
                if (host_rmi(vm, RMI_DATA_DESTROY, vm->rd, ipa, 0, 0, 0, &r) != RMI_SUCCESS)
                        return CCADA_E_RMM;
                host_release_delegated(vm, vm->prot_pa[i]);
                vm->prot_pa[i] = 0;
        }
        if (vm->shared_pa[i])
                return CCADA_OK;
        uint64_t alias = ipa | vm->shared_bit;
        ccada_status st = host_ensure_rtt(vm, alias, 3);
        if (st != CCADA_OK)
                return st;
        uint64_t pa = host_alloc_granule(vm);
        if (!pa)
                return CCADA_E_NOMEM;
        if (host_rmi(vm, RMI_RTT_MAP_UNPROTECTED, vm->rd, alias, 3, pa | S2_ATTR_NORMAL_RW, 0, NULL) != RMI_SUCCESS) {
                host_free_granule(vm, pa);
                return CCADA_E_RMM;
        }
        vm->shared_pa[i] = pa;
        if (++vm->stats.shared_pages > vm->stats.shared_pages_peak)
                vm->stats.shared_pages_peak = vm->stats.shared_pages;
        return CCADA_OK;
}

/* The Realm made ipa RAM again: unmap the alias, back it with a fresh DATA granule. */
ccada_status host_unshare_page(struct host_vm *vm, uint64_t ipa)
{
        uint64_t i;
        if (!host_ram_index(vm, ipa, &i))
                return CCADA_E_INVAL;
        if (vm->shared_pa[i]) {
                if (host_rmi(vm, RMI_RTT_UNMAP_UNPROTECTED, vm->rd, ipa | vm->shared_bit, 3, 0, 0, NULL) != RMI_SUCCESS)
                        return CCADA_E_RMM;
                host_free_granule(vm, vm->shared_pa[i]);
                vm->shared_pa[i] = 0;
                vm->stats.shared_pages--;
        }
        return vm->prot_pa[i] ? CCADA_OK : host_populate_page(vm, ipa);
}
