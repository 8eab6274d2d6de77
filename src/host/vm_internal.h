/* Host VMM private state. */
#ifndef CCADA_HOST_VM_INTERNAL_H
#define CCADA_HOST_VM_INTERNAL_H

#include "host/host.h"

/* The host's NS granule allocator: one bit per granule of memory (set: handed out).
 * Shared by every VM of one host; each VM holds a reference, the last one frees it. */
struct host_granules {
        struct hw_mem *mem;
        unsigned refs;
        unsigned vms;           /* VMs created on this host so far: the next one's trace pid */
        uint64_t mem_base, ngranules, next_hint;
        uint8_t *used;
};

struct host_vm {
        struct hw_mem *mem;
        struct ccada_rmm *rmm;
        struct trace *trace;            /* the clock and the "who" of events (may be NULL) */
        struct trace_group *tr;         /* "host" events (NULL: none) */
        struct host_vm_config cfg;
        struct host_vm_stats stats;
        struct host_mmio_dev *devs;
        struct host_idle_dev *idle;     /* served on WFI exits */
        struct host_granules *ns;       /* shared with the host's other VMs */
        unsigned index;                 /* 0 for the host's first VM, then 1, 2... (logs, trace pid) */
        /* the Realm */
        uint64_t rd, rec, run, params;
        uint64_t shared_bit;
        int level_start;
        unsigned num_start;
        uint64_t ram_pages;
        uint64_t *prot_pa;      /* per RAM page: DATA granule PA, or 0 */
        uint64_t *shared_pa;    /* per RAM page: NS granule mapped at its alias, or 0 */
        struct rmi_rec_entry next;     /* pending entry (host_vm_enter_once) */
        unsigned next_gprs;            /* how many of next.gprs it answers with (0, 1, 31) */
        bool created;
        bool normal;            /* a normal VM: no RMM, RAM is the host's NS memory */
        uint64_t *ram_pa;       /* normal VM: PA of each RAM page */
        struct ccada_realm_program prog; /* normal VM: the guest code the host runs */
        struct trace_who who;
};

/* granules.c */
ccada_status host_granules_create(struct host_granules **out, struct hw_mem *mem);
void host_granules_put(struct host_granules *g);
/* vmm.c */
/* Logs "<what> at IPA <ipa> failed: <status>" on stderr; returns CCADA_E_RMM. */
ccada_status host_rmi_failed(struct host_vm *vm, const char *what, uint64_t ipa, uint64_t x0);
uint64_t host_delegated_granule(struct host_vm *vm);
void host_release_delegated(struct host_vm *vm, uint64_t pa);
ccada_status host_ensure_rtt(struct host_vm *vm, uint64_t ipa, int level);
/* pages.c */
ccada_status host_populate_page(struct host_vm *vm, uint64_t ipa);
ccada_status host_share_page(struct host_vm *vm, uint64_t ipa);
ccada_status host_unshare_page(struct host_vm *vm, uint64_t ipa);
bool host_ram_index(const struct host_vm *vm, uint64_t ipa, uint64_t *index);
/* mmio.c: one emulated access (gpa without the shared bit). False: the guest gets an SEA. */
bool host_mmio_access(struct host_vm *vm, uint64_t gpa, unsigned size, bool write, uint64_t *val);
ccada_status host_vm_run_normal(struct host_vm *vm);
/* run.c: serves host call imm (proto/hostcall.h) with the guest's GPRs in; its answer in out
 * (in, unchanged, for a call the host does not know). In a Realm from RSI_HOST_CALL, in a
 * normal VM from the vendor hypercall. */
void host_serve_call(struct host_vm *vm, uint16_t imm, const uint64_t in[31], uint64_t out[31]);
void host_log(struct host_vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Attributes trace events to this VM's vCPU thread until host_trace_leave(vm, saved). */
struct trace_who host_trace_enter(struct host_vm *vm);
void host_trace_leave(struct host_vm *vm, struct trace_who saved);

#endif
