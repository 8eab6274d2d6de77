/* The VMM: its VMs (one host may run several, sharing one NS granule allocator), RMI calls,
 * delegation, and the RTTs it creates, the way KVM and kvmtool do. DEN0137 1.0 A2. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/vm_internal.h"

void host_vm_config_default(struct host_vm_config *cfg)
{
        memset(cfg, 0, sizeof(*cfg));
        cfg->ipa_bits = 40;
        cfg->hash_algo = RMI_HASH_SHA_256;
        cfg->ram_base = 0x80000000ULL;
        cfg->ram_size = 32ULL << 20;
        cfg->vmid = 1;
}

void host_log(struct host_vm *vm, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        if (vm->index)
                fprintf(stderr, "host[vm %u]: ", vm->index); /* a peer VM (the first is "host:") */
        else
                fputs("host: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
}

struct trace_who host_trace_enter(struct host_vm *vm)
{
        struct trace_who saved = vm->trace ? trace_get_who(vm->trace) : (struct trace_who){ 0 };
        if (vm->trace)
                trace_restore_who(vm->trace, vm->who);
        return saved;
}

void host_trace_leave(struct host_vm *vm, struct trace_who saved)
{
        if (vm->trace)
                trace_restore_who(vm->trace, saved);
}

/* A VM on the host whose allocator is ns (the new VM takes a reference). */
static const char *const host_events[] = {
        [HOST_TRACE_MMIO] = "mmio",
        [HOST_TRACE_HOST_CALL] = "host_call",
};
const struct trace_subsys host_trace = TRACE_SUBSYS("host", host_events);

static ccada_status vm_new(struct host_vm **out, struct hw_mem *mem, struct ccada_rmm *rmm, struct trace *trace,
                           struct host_granules *ns)
{
        struct host_vm *vm = calloc(1, sizeof(*vm));
        if (!vm)
                return CCADA_E_NOMEM;
        vm->mem = mem;
        vm->rmm = rmm;
        vm->trace = trace;
        vm->tr = trace_register(trace, &host_trace);
        vm->ns = ns;
        ns->refs++;
        vm->next.flags = RMI_REC_ENTRY_FLAG_TRAP_WFI;
        snprintf(vm->who.comm, sizeof(vm->who.comm), "lkvm-vcpu-0");
        vm->index = ns->vms++;
        vm->who.pid = 1000 + (int)vm->index;
        memcpy(vm->who.flags, ".....", 6);
        *out = vm;
        return CCADA_OK;
}

ccada_status host_vm_create(struct host_vm **out, struct hw_mem *mem, struct ccada_rmm *rmm,
                            struct trace *trace)
{
        struct host_granules *ns;
        ccada_status st = host_granules_create(&ns, mem);
        if (st != CCADA_OK)
                return st;
        st = vm_new(out, mem, rmm, trace, ns);
        host_granules_put(ns); /* the VM holds its own reference */
        return st;
}

ccada_status host_vm_create_peer(struct host_vm **out, struct host_vm *peer)
{
        if (!peer)
                return CCADA_E_INVAL;
        return vm_new(out, peer->mem, peer->rmm, peer->trace, peer->ns);
}

void host_vm_destroy(struct host_vm *vm)
{
        if (!vm)
                return;
        host_granules_put(vm->ns);
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

void host_vm_add_idle(struct host_vm *vm, struct host_idle_dev *dev)
{
        dev->next = vm->idle;
        vm->idle = dev;
}

void host_vm_remove_idle(struct host_vm *vm, struct host_idle_dev *dev)
{
        for (struct host_idle_dev **p = &vm->idle; *p; p = &(*p)->next) {
                if (*p == dev) {
                        *p = dev->next;
                        dev->next = NULL;
                        return;
                }
        }
}

bool host_vm_idle(struct host_vm *vm)
{
        bool any = false;
        for (struct host_idle_dev *d = vm->idle; d; d = d->next)
                any |= d->poll(d, 0);
        for (struct host_idle_dev *d = vm->idle; d && !any; d = d->next)
                any = d->poll(d, HOST_IDLE_BLOCK_MS);
        return any;
}

ccada_status host_rmi_failed(struct host_vm *vm, const char *what, uint64_t ipa, uint64_t x0)
{
        host_log(vm, "%s at IPA 0x%llx failed: %s (index %u)", what, (unsigned long long)ipa,
                 rmi_status_name(RMI_STATUS(x0)), RMI_INDEX(x0));
        return CCADA_E_RMM;
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

uint64_t host_rmi_regs(struct host_vm *vm, struct smc_regs *r)
{
        rmi_smc(vm->rmm, r);
        return r->x[0];
}

/* Allocates an NS granule and delegates it. 0 on failure. */
uint64_t host_delegated_granule(struct host_vm *vm)
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

/* Undelegates pa and frees it; one that cannot be undelegated (it is not an idle delegated
 * granule any more) stays marked used: leaked, with a message. */
void host_release_delegated(struct host_vm *vm, uint64_t pa)
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
                if (x0 != RMI_SUCCESS)
                        return host_rmi_failed(vm, "RMI_RTT_READ_ENTRY", parent, x0);
                if (r.x[1] != (uint64_t)(l - 1)) {
                        host_log(vm, "the RTT walk of IPA 0x%llx stops at level %llu, not %d",
                                 (unsigned long long)parent, (unsigned long long)r.x[1], l - 1);
                        return CCADA_E_RMM;
                }
                if (r.x[2] == RMI_TABLE)
                        continue;
                uint64_t rtt = host_delegated_granule(vm);
                if (!rtt)
                        return CCADA_E_NOMEM;
                x0 = host_rmi(vm, RMI_RTT_CREATE, vm->rd, rtt, parent, (uint64_t)l, 0, NULL);
                if (x0 != RMI_SUCCESS) {
                        host_release_delegated(vm, rtt);
                        return host_rmi_failed(vm, "RMI_RTT_CREATE", parent, x0);
                }
        }
        return CCADA_OK;
}
