/* Host VMM private state. */
#ifndef CCADA_HOST_VM_INTERNAL_H
#define CCADA_HOST_VM_INTERNAL_H

#include "host/guest_mem.h"
#include "host/host.h"

struct host_vm {
        struct hw_mem *mem;
        struct ccada_rmm *rmm;
        struct trace *trace;
        struct host_vm_config cfg;
        struct host_vm_stats stats;
        struct host_mmio_dev *devs;
        /* NS granule allocator: one bit per granule of memory */
        uint64_t mem_base, ngranules, next_hint;
        uint8_t *used;
        /* the Realm */
        uint64_t rd, rec, run, params;
        uint64_t shared_bit;
        int level_start;
        unsigned num_start;
        uint64_t ram_pages;
        uint64_t *prot_pa;      /* per RAM page: DATA granule PA, or 0 */
        uint64_t *shared_pa;    /* per RAM page: NS granule mapped at its alias, or 0 */
        bool created;
        bool normal;            /* a normal VM: no RMM, RAM is the host's NS memory */
        uint64_t *ram_pa;       /* normal VM: PA of each RAM page */
        struct ccada_realm_program prog; /* normal VM: the guest code the host runs */
        struct trace_who who;
};

/* vmm.c */
ccada_status host_ensure_rtt(struct host_vm *vm, uint64_t ipa, int level);
ccada_status host_populate_page(struct host_vm *vm, uint64_t ipa);
ccada_status host_share_page(struct host_vm *vm, uint64_t ipa);
ccada_status host_unshare_page(struct host_vm *vm, uint64_t ipa);
bool host_ram_index(const struct host_vm *vm, uint64_t ipa, uint64_t *index);
/* mmio.c: one emulated access (gpa without the shared bit). False: the guest gets an SEA. */
bool host_mmio_access(struct host_vm *vm, uint64_t gpa, unsigned size, bool write, uint64_t *val);
ccada_status host_vm_run_normal(struct host_vm *vm);
void host_log(struct host_vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
