/* Guest RAM as the host backs it: per page, the DATA granule it gave (prot_pa) or the NS
 * granule it maps at the unprotected alias (shared_pa), moved as the Realm changes RIPAS.
 * DEN0137 1.0 A5.4 (RIPAS change; a DATA_DESTROY leaves RIPAS DESTROYED).
 *
 * The RMM has the last word. Between two REC entries anyone holding the RMI may destroy or
 * unmap a page behind this bookkeeping (a hostile host in a test or a fuzzer). When the
 * RMM says a page is not where the host left it, the host forgets its record (with a
 * message on stderr) instead of acting on it: a granule it can take back it undelegates
 * and frees, one it cannot (someone else's now) stays allocated, leaked. */
#include "host/vm_internal.h"

#define S2_ATTR_NORMAL_RW 0x3FCULL /* MemAttr=0xF (normal WB), S2AP=RW, SH=inner */

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
                return host_rmi_failed(vm, "RMI_DATA_CREATE_UNKNOWN", ipa, x0);
        }
        vm->prot_pa[i] = pa;
        return CCADA_OK;
}

/* Takes back the DATA granule of protected page i at ipa. RMI_ERROR_RTT means nothing is
 * assigned there any more: the record is stale. A granule other than the host's is left
 * to whoever put it there. */
static ccada_status reclaim_data(struct host_vm *vm, uint64_t ipa, uint64_t i)
{
        struct smc_regs r;
        uint64_t pa = vm->prot_pa[i];
        uint64_t x0 = host_rmi(vm, RMI_DATA_DESTROY, vm->rd, ipa, 0, 0, 0, &r);
        if (RMI_STATUS(x0) == RMI_ERROR_RTT)
                host_log(vm, "IPA 0x%llx lost DATA granule 0x%llx behind the host's back: forgetting it",
                         (unsigned long long)ipa, (unsigned long long)pa);
        else if (x0 != RMI_SUCCESS)
                return host_rmi_failed(vm, "RMI_DATA_DESTROY", ipa, x0);
        else if (r.x[1] != pa)
                host_log(vm, "IPA 0x%llx held granule 0x%llx, not the host's 0x%llx: leaving it",
                         (unsigned long long)ipa, (unsigned long long)r.x[1], (unsigned long long)pa);
        vm->prot_pa[i] = 0;
        host_release_delegated(vm, pa);
        return CCADA_OK;
}

/* Maps a fresh NS page at the unprotected alias of page i. */
static ccada_status map_shared(struct host_vm *vm, uint64_t ipa, uint64_t i)
{
        uint64_t alias = ipa | vm->shared_bit;
        ccada_status st = host_ensure_rtt(vm, alias, 3);
        if (st != CCADA_OK)
                return st;
        uint64_t pa = host_alloc_granule(vm);
        if (!pa)
                return CCADA_E_NOMEM;
        uint64_t x0 = host_rmi(vm, RMI_RTT_MAP_UNPROTECTED, vm->rd, alias, 3, pa | S2_ATTR_NORMAL_RW, 0, NULL);
        if (x0 != RMI_SUCCESS) {
                host_free_granule(vm, pa);
                return host_rmi_failed(vm, "RMI_RTT_MAP_UNPROTECTED", alias, x0);
        }
        vm->shared_pa[i] = pa;
        if (++vm->stats.shared_pages > vm->stats.shared_pages_peak)
                vm->stats.shared_pages_peak = vm->stats.shared_pages;
        return CCADA_OK;
}

/* Unmaps the NS page at the alias of page i and frees it. RMI_ERROR_RTT means nothing is
 * mapped there any more: the page may be mapped elsewhere now, so it is not freed. */
static ccada_status unmap_shared(struct host_vm *vm, uint64_t ipa, uint64_t i)
{
        uint64_t alias = ipa | vm->shared_bit;
        uint64_t x0 = host_rmi(vm, RMI_RTT_UNMAP_UNPROTECTED, vm->rd, alias, 3, 0, 0, NULL);
        if (RMI_STATUS(x0) == RMI_ERROR_RTT)
                host_log(vm, "IPA 0x%llx lost NS page 0x%llx behind the host's back: forgetting it (leaked)",
                         (unsigned long long)alias, (unsigned long long)vm->shared_pa[i]);
        else if (x0 != RMI_SUCCESS)
                return host_rmi_failed(vm, "RMI_RTT_UNMAP_UNPROTECTED", alias, x0);
        else
                host_free_granule(vm, vm->shared_pa[i]);
        vm->shared_pa[i] = 0;
        vm->stats.shared_pages--;
        return CCADA_OK;
}

/* The Realm made ipa EMPTY: reclaim its DATA granule, map an NS page at the alias. */
ccada_status host_share_page(struct host_vm *vm, uint64_t ipa)
{
        uint64_t i;
        ccada_status st;
        if (!host_ram_index(vm, ipa, &i))
                return CCADA_E_INVAL;
        if (vm->prot_pa[i] && (st = reclaim_data(vm, ipa, i)) != CCADA_OK)
                return st;
        return vm->shared_pa[i] ? CCADA_OK : map_shared(vm, ipa, i);
}

/* The Realm made ipa RAM again: unmap the alias, back it with a fresh DATA granule. */
ccada_status host_unshare_page(struct host_vm *vm, uint64_t ipa)
{
        uint64_t i;
        ccada_status st;
        if (!host_ram_index(vm, ipa, &i))
                return CCADA_E_INVAL;
        if (vm->shared_pa[i] && (st = unmap_shared(vm, ipa, i)) != CCADA_OK)
                return st;
        return vm->prot_pa[i] ? CCADA_OK : host_populate_page(vm, ipa);
}
