/* The host's NS granule allocator. One host may run several VMs (host_vm_create_peer):
 * they share one allocator, so no granule is ever handed to two of them. */
#include <stdlib.h>

#include "host/vm_internal.h"

ccada_status host_granules_create(struct host_granules **out, struct hw_mem *mem)
{
        struct host_granules *g = calloc(1, sizeof(*g));
        if (!g)
                return CCADA_E_NOMEM;
        g->mem = mem;
        g->refs = 1;
        g->mem_base = hw_mem_base(mem);
        g->ngranules = hw_mem_size(mem) >> GRANULE_SHIFT;
        g->used = calloc((size_t)(g->ngranules + 7) / 8, 1);
        if (!g->used) {
                free(g);
                return CCADA_E_NOMEM;
        }
        *out = g;
        return CCADA_OK;
}

void host_granules_put(struct host_granules *g)
{
        if (!g || --g->refs)
                return;
        free(g->used);
        free(g);
}

uint64_t host_alloc_granule(struct host_vm *vm)
{
        struct host_granules *g = vm->ns;
        uint64_t start = g->next_hint;
        for (uint64_t n = 0; n < g->ngranules; n++) {
                uint64_t i = (start + n) % g->ngranules;
                if (g->used[i / 8] >> (i % 8) & 1)
                        continue;
                g->used[i / 8] |= (uint8_t)(1u << (i % 8));
                g->next_hint = i + 1;
                uint64_t pa = g->mem_base + (i << GRANULE_SHIFT);
                /* The host's own page: clear it as the NS world would. One that is not
                 * Non-secure (a hostile caller of host_rmi delegated it) stays marked. */
                if (hw_fill(g->mem, HW_WORLD_NS, pa, 0, GRANULE_SIZE, NULL) == HW_OK)
                        return pa;
        }
        return 0;
}

void host_free_granule(struct host_vm *vm, uint64_t pa)
{
        struct host_granules *g = vm->ns;
        uint64_t i = (pa - g->mem_base) >> GRANULE_SHIFT;
        if (pa >= g->mem_base && i < g->ngranules)
                g->used[i / 8] &= (uint8_t)~(1u << (i % 8));
}
