/* The guest kernel's heap (kzalloc/kfree). The model keeps the guest's own bookkeeping
 * (pools, queues, drivers) in process memory, but it belongs to the guest: when the host
 * tears a Realm down mid-run its REC never comes back, and whatever the guest had allocated
 * would be lost. So the heap lists every allocation and the kernel frees what is left when
 * it is destroyed, as a VM's memory goes with the VM. Not thread-safe: one per kernel. */
#ifndef CCADA_REALM_KHEAP_H
#define CCADA_REALM_KHEAP_H

#include <stddef.h>

struct kheap_chunk;

struct kheap {
        struct kheap_chunk *head;
        size_t live; /* allocations not yet freed */
};

/* count * size zeroed bytes; NULL when out of memory, when the product overflows, or for
 * zero bytes. */
void *kheap_zalloc(struct kheap *h, size_t count, size_t size);
/* p from kheap_zalloc on h, or NULL (no-op). */
void kheap_free(struct kheap *h, void *p);
/* Frees every allocation still on h. */
void kheap_release(struct kheap *h);

#endif
