/* SWIOTLB's private state, shared by its three files (the public contract: swiotlb.h):
 *   swiotlb_map.c   the Linux-faithful core: slot search, map, bounce, unmap, sync;
 *   swiotlb_pool.c  pools: create, destroy, the initial size, growth, counters;
 *   swiotlb_bp.c    back-pressure: waiting for slots instead of failing (beyond Linux).
 * Only those three files include it. */
#ifndef CCADA_REALM_SWIOTLB_INTERNAL_H
#define CCADA_REALM_SWIOTLB_INTERNAL_H

#include <stdatomic.h>

#include "realm/kernel.h"
#include "realm/swiotlb.h"
#include "realm/sync.h"

#define INVALID_ADDR (~(uint64_t)0)
#define SWIOTLB_PFX "software IO TLB: "

/* One 2 KiB slot, 24 bytes as Linux's (kernel/dma/swiotlb.c: struct io_tlb_slot, whose
 * orig_addr, alloc_size and pad_slots are here; its list is the pool's list array, so that
 * the free-run walk touches two bytes per slot). map_left and head let unmap reject double,
 * misplaced and wrong-size unmaps; the head's map_left is the mapping size. Sizes fit 32
 * bits: a mapping is at most one 256 KiB segment. Protected by the lock of the area the
 * slot belongs to. */
struct io_tlb_slot {
        uint64_t orig_addr;     /* original address shadowed by this slot, INVALID if none */
        int32_t alloc_size;     /* bytes of the allocation from orig_addr to its end; may be
                                 * negative (by less than a slot) on a later slot when the
                                 * mapping keeps low address bits (min_align_mask) */
        int32_t map_left;       /* same, bounded by the caller's mapping size */
        uint16_t pad_slots;     /* head only: whole padding slots before it */
        bool head;              /* first data slot of a mapping */
};
_Static_assert(sizeof(struct io_tlb_slot) <= 24, "a slot record no larger than Linux's");

/* Linux: struct io_tlb_area. lock (a spin lock, as Linux's) protects used, index and the
 * area's slots. */
struct io_tlb_area {
        struct rk_spinlock lock;
        unsigned long used;
        unsigned long index;    /* next-fit cursor, relative to the area */
};

/* Linux: struct io_tlb_pool. Immutable after creation except through the area locks. */
struct io_tlb_pool {
        uint64_t start;         /* canonical IPA of slot 0 */
        uint64_t end;
        uint64_t vaddr;         /* the CPU's (and device's) address: start | shared bit */
        unsigned long nslabs;
        unsigned nareas;
        unsigned long area_nslabs;
        struct io_tlb_slot *slots;
        uint16_t *list;         /* Linux io_tlb_slot.list (SWIOTLB_ALLOC_LIST): free run
                                 * length from here to the segment end; 0 = used */
        uint64_t *free;         /* SWIOTLB_ALLOC_BITMAP: bit i set = slot i free */
        struct io_tlb_area *areas;
};

/* Linux: struct io_tlb_mem. */
struct swiotlb {
        struct realm_kernel *k;
        struct trace_group *tr;         /* "swiotlb" events (NULL: none) */
        struct trace_group *tr_ccada;   /* "ccada_swiotlb" events (NULL: none) */
        uint64_t shared;        /* rk_shared_bit */
        struct swiotlb_config cfg; /* defaults filled in */
        unsigned nareas;        /* areas of the initial pool (default_nareas) */
        unsigned long init_nslabs;
        struct io_tlb_pool **pools; /* cfg.max_pools entries; first npools published */
        atomic_uint npools;
        struct rk_lock grow_lock;
        atomic_ulong nslabs, used, hiwater, bounces, full, bp_waits;
        atomic_ullong bounced_bytes;
        atomic_bool overflow_warned;
        atomic_bool encryption_warned;  /* the pr_warn_once of swiotlb_tbl_map_single */
        struct rk_lock bp_lock; /* protects bp_seq */
        struct rk_event bp_event;
        unsigned long bp_seq;   /* bumped by every unmap (back-pressure only) */
        void (*reclaim)(struct dma_dev *dev);
};

/* A search request, computed once per map (facts §1.4 steps 1-3). */
struct slot_req {
        uint64_t orig;
        size_t mapping_size;
        size_t size;            /* padded: mapping_size + offset, aligned */
        uint64_t offset;        /* pre-padding bytes: pad_slots * 2048 + low offset */
        uint64_t alloc_align_mask;
        uint64_t iotlb_align_mask;
        uint64_t boundary_mask;
        unsigned long stride;
        unsigned long nslots;
};


static inline unsigned long nr_slots(uint64_t bytes)
{
        return (unsigned long)((bytes + IO_TLB_SIZE - 1) >> IO_TLB_SHIFT);
}

static inline bool is_pow2(unsigned long x)
{
        return x && !(x & (x - 1));
}

static inline unsigned long roundup_pow2(unsigned long x)
{
        unsigned long r = 1;

        while (r < x)
                r <<= 1;
        return r;
}

static inline const char *dev_drv(const struct dma_dev *dev)
{
        return dev->driver[0] ? dev->driver : "dma";
}


/* swiotlb_pool.c */
/* Adds one pool unless another thread already did since seen_npools. True when there is a
 * pool the caller has not searched yet. */
bool swiotlb_grow(struct swiotlb *tlb, unsigned seen_npools);

/* swiotlb_map.c: the slot search over every published pool; *seen: the pools it searched. */
long swiotlb_find_slots(struct swiotlb *tlb, const struct slot_req *rq, unsigned cpu, struct io_tlb_pool **pool,
                        unsigned *seen);

/* swiotlb_bp.c */
/* Waits for slots to be freed (reclaim hook, WFI rounds, a condition wait when threaded);
 * the slot found, or -1. */
long swiotlb_bp_wait(struct swiotlb *tlb, struct dma_dev *dev, const struct slot_req *rq, unsigned cpu,
                     struct io_tlb_pool **pool);
/* An unmap freed slots: wakes the waiters (no-op without back-pressure). */
void swiotlb_bp_signal(struct swiotlb *tlb);

#endif
