/* SWIOTLB bounce pool with Linux semantics, its core (slot search, map, bounce, unmap,
 * sync). Contract and state machine: swiotlb.h; pools: swiotlb_pool.c; back-pressure:
 * swiotlb_bp.c. Algorithms follow the prose of facts/rme-swiotlb-virtio.md §1; the code is
 * our own. */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "realm/swiotlb_internal.h"

/* ---- slot search (facts §1.4) ---- */

static void used_add(struct swiotlb *tlb, unsigned long n)
{
        unsigned long now = atomic_fetch_add(&tlb->used, n) + n;
        unsigned long hi = atomic_load(&tlb->hiwater);

        while (now > hi && !atomic_compare_exchange_weak(&tlb->hiwater, &hi, now))
                ;
}

/* Linux kernel/dma/swiotlb.c: wrap_area_index — a reset to 0, not a modulo. */
static unsigned long wrap_index(const struct io_tlb_pool *pool, unsigned long index)
{
        return index >= pool->area_nslabs ? 0 : index;
}

/* True when [addr, addr + nslots slots) crosses a (boundary_mask + 1) boundary (Linux
 * include/linux/iommu-helper.h: iommu_is_span_boundary). */
static bool crosses_boundary(uint64_t addr, unsigned long nslots, uint64_t boundary_mask)
{
        uint64_t last = addr + ((uint64_t)nslots << IO_TLB_SHIFT) - 1;

        return (addr & ~boundary_mask) != (last & ~boundary_mask);
}

/* ---- free-slot bookkeeping: Linux's free-run list (the default), or a bitmap ---- */

/* Eight list entries at once (GCC/Clang vector extensions: SSE2 on x86-64, NEON on arm64,
 * plain code elsewhere). Elements are in memory order on every target. */
typedef uint16_t list8 __attribute__((vector_size(16)));

/* Whether a lane of z (a comparison's result: all ones where true) is set. */
static inline bool any_lane(list8 z)
{
        uint64_t w[2];
        memcpy(w, &z, sizeof(w));
        return w[0] | w[1];
}

/* Linux's walk: slots seg_start..i-1 that are free, from i-1 backwards until a used slot or
 * the segment start, are renumbered count+1, count+2, ... (swiotlb_search_pool_area
 * "found", swiotlb_release_slots). Sixteen, then eight slots per step while all are free,
 * then slot by slot: the same slots get the same numbers in the same order as Linux's
 * one-at-a-time loop; only the number of instructions differs. */
static void renumber_before(uint16_t *list, unsigned long i, unsigned long seg_start, unsigned count)
{
        const list8 zero = { 0 }, eight = { 8, 8, 8, 8, 8, 8, 8, 8 };
        /* the eight entries below i, in memory order: list[i-8] .. list[i-1] = count+8 .. count+1 */
        list8 fill = { 8, 7, 6, 5, 4, 3, 2, 1 };
        unsigned long i0 = i;
        list8 hi, lo;

        fill += (uint16_t)count;
        for (; i >= seg_start + 16; i -= 16) {
                memcpy(&hi, &list[i - 8], sizeof(hi));
                memcpy(&lo, &list[i - 16], sizeof(lo));
                if (any_lane((hi == zero) | (lo == zero)))
                        break; /* a used slot (list 0) among the sixteen */
                memcpy(&list[i - 8], &fill, sizeof(fill));
                fill += eight;
                memcpy(&list[i - 16], &fill, sizeof(fill));
                fill += eight;
        }
        if (i >= seg_start + 8) {
                memcpy(&hi, &list[i - 8], sizeof(hi));
                if (!any_lane(hi == zero)) {
                        memcpy(&list[i - 8], &fill, sizeof(fill));
                        i -= 8;
                }
        }
        count += (unsigned)(i0 - i);
        for (; i > seg_start && list[i - 1]; i--)
                list[i - 1] = (uint16_t)++count;
}

/* The bitmap allocator's words: bit i of the map is slot i, set when free. A run of n
 * bits from first, n >= 1, within one word when it does not cross a 64-slot boundary
 * (every mapping of up to 64 slots, 128 KiB, placed without crossing one), else over two
 * or three words (a mapping never crosses its 128-slot segment). */
static uint64_t bits_mask(unsigned long first, unsigned long n)
{
        return (n >= 64 ? ~0ull : (1ull << n) - 1) << (first % 64);
}

static bool bits_all_free(const uint64_t *map, unsigned long first, unsigned long n)
{
        for (;;) {
                unsigned long k = 64 - first % 64;

                if (n <= k) {
                        uint64_t m = bits_mask(first, n);
                        return (map[first / 64] & m) == m;
                }
                if (map[first / 64] >> (first % 64) != ~0ull >> (first % 64))
                        return false;
                first += k;
                n -= k;
        }
}

static void bits_assign(uint64_t *map, unsigned long first, unsigned long n, bool free)
{
        if (first % 64 + n <= 64) { /* one word: every mapping of a few slots */
                uint64_t m = bits_mask(first, n);
                map[first / 64] = free ? map[first / 64] | m : map[first / 64] & ~m;
                return;
        }
        for (;;) {
                unsigned long k = 64 - first % 64 < n ? 64 - first % 64 : n;
                uint64_t m = bits_mask(first, k);

                map[first / 64] = free ? map[first / 64] | m : map[first / 64] & ~m;
                if (n == k)
                        return;
                first += k;
                n -= k;
        }
}

/* Whether nslots free slots start at slot without crossing its segment's end: Linux's
 * list >= nslots, or the same question asked of the bitmap. */
static bool slots_fit(const struct io_tlb_pool *pool, unsigned long slot, unsigned long nslots)
{
        if (pool->list)
                return pool->list[slot] >= nslots;
        return slot % IO_TLB_SEGSIZE + nslots <= IO_TLB_SEGSIZE && bits_all_free(pool->free, slot, nslots);
}

/* Marks [slot, slot+nslots) used, renumbers the free run before it (Linux
 * swiotlb_search_pool_area "found"; the bitmap has nothing to renumber) and records the
 * mapping in its data slots (Linux swiotlb_tbl_map_single: pad_slots, per-slot orig_addr
 * and alloc_size). Area lock held. */
static void commit_slots(struct io_tlb_pool *pool, unsigned long slot, const struct slot_req *rq)
{
        unsigned long pad = (unsigned long)(rq->offset >> IO_TLB_SHIFT);
        int32_t total = (int32_t)(rq->size - rq->offset);

        if (pool->list) {
                for (unsigned long i = slot; i < slot + rq->nslots; i++)
                        pool->list[i] = 0;
                (void)renumber_before(pool->list, slot, slot - slot % IO_TLB_SEGSIZE, 0);
        } else {
                bits_assign(pool->free, slot, rq->nslots, false);
        }
        for (unsigned long j = 0; j < rq->nslots - pad; j++) {
                struct io_tlb_slot *s = &pool->slots[slot + pad + j];
                int32_t done = (int32_t)(j << IO_TLB_SHIFT);

                s->orig_addr = rq->orig + (uint64_t)done;
                s->alloc_size = total - done;
                s->map_left = (int32_t)rq->mapping_size - done;
                s->head = j == 0;
        }
        pool->slots[slot + pad].pad_slots = (uint16_t)pad;
}

/* Linux kernel/dma/swiotlb.c: swiotlb_search_pool_area. Returns the pool slot index of
 * the first allocated slot, or -1. */
static long search_area(struct swiotlb *tlb, struct io_tlb_pool *pool, unsigned aidx,
                        const struct slot_req *rq)
{
        struct io_tlb_area *area = &pool->areas[aidx];
        unsigned long base = aidx * pool->area_nslabs;
        uint64_t dma_base = pool->vaddr; /* phys_to_dma_unencrypted(pool->start) */
        long found = -1;

        rk_spin_acquire(&area->lock);
        if (rq->nslots > pool->area_nslabs - area->used)
                goto out;
        unsigned long index = wrap_index(pool, area->index);

        for (unsigned long checked = 0; checked < pool->area_nslabs;) {
                unsigned long slot = base + index;
                uint64_t dma = dma_base + ((uint64_t)slot << IO_TLB_SHIFT);

                if ((dma & rq->alloc_align_mask) ||
                    (rq->orig && ((dma ^ rq->orig) & rq->iotlb_align_mask))) {
                        index = wrap_index(pool, index + 1);
                        checked++;
                        continue;
                }
                if (!crosses_boundary(dma, rq->nslots, rq->boundary_mask) &&
                    slots_fit(pool, slot, rq->nslots)) {
                        commit_slots(pool, slot, rq);
                        area->index = wrap_index(pool, index + rq->nslots);
                        area->used += rq->nslots;
                        used_add(tlb, rq->nslots);
                        found = (long)slot;
                        break;
                }
                index = wrap_index(pool, index + rq->stride);
                checked += rq->stride;
        }
out:
        rk_spin_release(&area->lock);
        return found;
}

/* Tries area (cpu + i) of every pool for i = 0, 1, ... (Linux swiotlb_find_slots, the
 * SWIOTLB_DYNAMIC order; with one pool: start at the cpu's area, then each in turn). */
long swiotlb_find_slots(struct swiotlb *tlb, const struct slot_req *rq, unsigned cpu,
                       struct io_tlb_pool **pool_out, unsigned *npools_seen)
{
        unsigned n = atomic_load_explicit(&tlb->npools, memory_order_acquire);

        *npools_seen = n;
        for (unsigned i = 0; i < tlb->nareas; i++) {
                for (unsigned p = 0; p < n; p++) {
                        struct io_tlb_pool *pool = tlb->pools[p];

                        if (i >= pool->nareas)
                                continue;
                        long slot = search_area(tlb, pool, (cpu + i) & (pool->nareas - 1), rq);

                        if (slot >= 0) {
                                *pool_out = pool;
                                return slot;
                        }
                }
        }
        return -1;
}

/* Linux swiotlb_tbl_map_single + swiotlb_search_pool_area steps 1-3: padding, size and
 * the alignment masks. */
static ccada_status req_init(const struct dma_dev *dev, uint64_t orig, size_t mapping_size,
                             uint64_t alloc_align_mask, struct slot_req *rq)
{
        const uint64_t max = (uint64_t)IO_TLB_SEGSIZE << IO_TLB_SHIFT;

        rq->offset = 0; /* every other field is set below before it is read */
        if (alloc_align_mask >= max || (alloc_align_mask & (alloc_align_mask + 1)))
                return CCADA_E_INVAL; /* not 2^n - 1 below one segment */
        rq->orig = orig;
        rq->mapping_size = mapping_size;
        rq->offset = orig & dev->min_align_mask & (alloc_align_mask | (IO_TLB_SIZE - 1));
        if (mapping_size > max)
                return CCADA_E_RANGE;
        rq->size = (size_t)((mapping_size + rq->offset + alloc_align_mask) & ~alloc_align_mask);
        if (rq->size > max) /* Linux swiotlb_find_slots: never more than one segment */
                return CCADA_E_RANGE;
        rq->iotlb_align_mask = dev->min_align_mask;
        /* Linux 14cebf689a78 (v6.9): mappings >= PAGE_SIZE are page-aligned when the
         * device states no alignment of its own. */
        if (!alloc_align_mask && !rq->iotlb_align_mask && rq->size >= RK_PAGE_SIZE)
                alloc_align_mask = RK_PAGE_SIZE - 1;
        alloc_align_mask |= IO_TLB_SIZE - 1;
        rq->iotlb_align_mask &= ~alloc_align_mask;
        rq->alloc_align_mask = alloc_align_mask;
        uint64_t m = alloc_align_mask > rq->iotlb_align_mask ? alloc_align_mask
                                                              : rq->iotlb_align_mask;

        rq->stride = (unsigned long)(m >> IO_TLB_SHIFT) + 1;
        rq->nslots = nr_slots(rq->size);
        rq->boundary_mask = dev->seg_boundary_mask ? dev->seg_boundary_mask
                                                   : DMA_SEG_BOUNDARY_DEFAULT;
        return CCADA_OK;
}

static const char *const swiotlb_events[] = { [SWIOTLB_TRACE_BOUNCED] = "swiotlb_bounced" };
const struct trace_subsys swiotlb_trace = TRACE_SUBSYS("swiotlb", swiotlb_events);

static const char *const ccada_swiotlb_events[] = {
        [CCADA_SWIOTLB_TRACE_MAP] = "swiotlb_map",
        [CCADA_SWIOTLB_TRACE_UNMAP] = "swiotlb_unmap",
        [CCADA_SWIOTLB_TRACE_SYNC] = "swiotlb_sync",
        [CCADA_SWIOTLB_TRACE_FULL] = "swiotlb_full",
};
const struct trace_subsys ccada_swiotlb_trace = TRACE_SUBSYS("ccada_swiotlb", ccada_swiotlb_events);

/* ---- map ---- */

static void report_full(struct swiotlb *tlb, const struct dma_dev *dev, size_t size,
                        unsigned long attrs)
{
        unsigned long total = atomic_load(&tlb->nslabs);
        unsigned long used = atomic_load(&tlb->used);
        if (trace_on(tlb->tr_ccada, CCADA_SWIOTLB_TRACE_FULL))
                trace_emit(tlb->tr_ccada, CCADA_SWIOTLB_TRACE_FULL, "dev=%s size=%zu total=%lu used=%lu",
                           dev->name, size, total, used);
        /* Linux swiotlb_tbl_map_single: dev_warn_ratelimited (not rate-limited here). */
        if (!(attrs & DMA_ATTR_NO_WARN))
                rk_printk(tlb->k, "%s %s: swiotlb buffer is full (sz: %zd bytes), total %lu (slots), used %lu (slots)",
                          dev_drv(dev), dev->name, (ssize_t)size, total, used);
}

static long alloc_slots(struct swiotlb *tlb, struct dma_dev *dev, const struct slot_req *rq,
                        unsigned cpu, unsigned long attrs, struct io_tlb_pool **pool)
{
        unsigned seen;
        long slot = swiotlb_find_slots(tlb, rq, cpu, pool, &seen);

        while (slot < 0 && tlb->cfg.grow && swiotlb_grow(tlb, seen))
                slot = swiotlb_find_slots(tlb, rq, cpu, pool, &seen);
        if (slot < 0 && tlb->cfg.backpressure)
                slot = swiotlb_bp_wait(tlb, dev, rq, cpu, pool);
        if (slot < 0) {
                atomic_fetch_add(&tlb->full, 1);
                report_full(tlb, dev, rq->size, attrs);
        }
        return slot;
}

static bool dir_valid(enum dma_data_direction dir)
{
        return dir == DMA_BIDIRECTIONAL || dir == DMA_TO_DEVICE || dir == DMA_FROM_DEVICE;
}

static struct io_tlb_pool *find_pool(const struct swiotlb *tlb, uint64_t addr)
{
        unsigned n = atomic_load_explicit(&tlb->npools, memory_order_acquire);

        addr &= ~tlb->shared;
        for (unsigned i = 0; i < n; i++)
                if (addr >= tlb->pools[i]->start && addr < tlb->pools[i]->end)
                        return tlb->pools[i];
        return NULL;
}

bool swiotlb_is_buffer(const struct swiotlb *tlb, uint64_t addr)
{
        return tlb && find_pool(tlb, addr) != NULL;
}

static ccada_status bad_request(struct swiotlb *tlb, const struct dma_dev *dev,
                                ccada_status st, size_t size, unsigned long attrs)
{
        /* A request no pool can ever hold: Linux reports it as "buffer is full" too, but
         * we neither grow nor wait for it and say CCADA_E_RANGE. */
        if (st == CCADA_E_RANGE && !(attrs & DMA_ATTR_NO_WARN))
                rk_printk(tlb->k, "%s %s: swiotlb buffer is full (sz: %zd bytes), total %lu (slots), used %lu (slots)",
                          dev_drv(dev), dev->name, (ssize_t)size,
                          atomic_load(&tlb->nslabs), atomic_load(&tlb->used));
        return st;
}

/* ---- bounce (facts §1.5 swiotlb_bounce) ---- */

static void warn_overflow(struct swiotlb *tlb, const struct dma_dev *dev, int64_t left,
                          size_t size)
{
        /* Linux swiotlb_bounce: dev_WARN_ONCE, then clamp. */
        if (!atomic_exchange(&tlb->overflow_warned, true))
                rk_printk(tlb->k, "%s %s: Buffer overflow detected. Allocation size: %zu. Mapping size: %zu.",
                          dev_drv(dev), dev->name, (size_t)left, size);
}

/* Copies between the bounce buffer at tlb_addr (canonical) and the original, using a
 * snapshot s of the slot holding tlb_addr. tlb_addr may be anywhere inside the mapping:
 * tlb_offset re-bases orig_addr and the sizes (partial syncs). The copy never goes past
 * the caller's mapping (Linux clamps to the allocation, which may include alignment
 * round-up beyond the caller's buffer). */
static ccada_status bounce_copy(struct swiotlb *tlb, const struct dma_dev *dev,
                                const struct io_tlb_slot *s, uint64_t tlb_addr, size_t size,
                                bool to_device)
{
        int64_t low = (int64_t)(s->orig_addr & dev->min_align_mask & (IO_TLB_SIZE - 1));
        int64_t tlb_offset = (int64_t)(tlb_addr & (IO_TLB_SIZE - 1)) - low;
        ccada_status st;

        if (s->head && tlb_offset < 0) {
                rk_printk(tlb->k, "%s %s: Access before mapping start detected. orig offset %lld, requested offset %lld.",
                          dev_drv(dev), dev->name, (long long)low, (long long)(low + tlb_offset));
                return CCADA_E_INVAL;
        }
        int64_t left = (s->alloc_size < s->map_left ? s->alloc_size : s->map_left) - tlb_offset;

        if (left < 0)
                left = 0;
        if ((uint64_t)size > (uint64_t)left) {
                warn_overflow(tlb, dev, left, size);
                size = (size_t)left;
        }
        if (!size)
                return CCADA_OK;
        uint64_t orig = s->orig_addr + (uint64_t)tlb_offset;
        uint64_t bounce = tlb_addr | tlb->shared;

        st = to_device ? rk_shared_copy(tlb->k, bounce, orig, size) : rk_shared_copy(tlb->k, orig, bounce, size);
        if (st == CCADA_OK)
                atomic_fetch_add(&tlb->bounced_bytes, size);
        return st;
}

static struct io_tlb_area *slot_area(struct io_tlb_pool *pool, unsigned long index)
{
        return &pool->areas[index / pool->area_nslabs];
}

/* Snapshots the slot under its area lock, then copies (or, when !copy, only checks that
 * tlb_addr is in a live mapping). Syncs only: map and unmap hold the slots already. */
static ccada_status bounce_at(struct swiotlb *tlb, const struct dma_dev *dev,
                              struct io_tlb_pool *pool, uint64_t tlb_addr, size_t size,
                              bool to_device, bool copy)
{
        unsigned long index = (unsigned long)((tlb_addr - pool->start) >> IO_TLB_SHIFT);
        struct io_tlb_area *area = slot_area(pool, index);
        struct io_tlb_slot s;

        rk_spin_acquire(&area->lock);
        s = pool->slots[index];
        rk_spin_release(&area->lock);
        if (s.orig_addr == INVALID_ADDR) {
                rk_printk(tlb->k, "%s %s: swiotlb: 0x%llx is not mapped", dev_drv(dev),
                          dev->name, (unsigned long long)tlb_addr);
                return CCADA_E_INVAL;
        }
        return copy ? bounce_copy(tlb, dev, &s, tlb_addr, size, to_device) : CCADA_OK;
}

/* Linux swiotlb_release_slots: frees the mapping whose head is data slot `head`, and
 * renumbers the free runs so that they end at the next used slot or segment end (the
 * bitmap sets the bits). Area lock held. Returns the number of slots freed. */
static unsigned long release_locked(struct io_tlb_pool *pool, unsigned long head, int64_t low)
{
        const struct io_tlb_slot *h = &pool->slots[head];
        unsigned long first = head - h->pad_slots;
        unsigned long n = h->pad_slots + nr_slots((uint64_t)(h->alloc_size + low));
        unsigned long end = first + n;

        for (unsigned long i = first; i < end; i++)
                pool->slots[i] = (struct io_tlb_slot){ .orig_addr = INVALID_ADDR };
        if (pool->list) {
                unsigned count = end % IO_TLB_SEGSIZE ? pool->list[end] : 0;

                for (unsigned long i = end; i > first; i--)
                        pool->list[i - 1] = (uint16_t)++count;
                (void)renumber_before(pool->list, first, first - first % IO_TLB_SEGSIZE, count);
        } else {
                bits_assign(pool->free, first, n, true);
        }
        slot_area(pool, first)->used -= n;
        return n;
}

/* ---- public map/unmap/sync ---- */

static void trace_op_emit(struct swiotlb *tlb, unsigned ev, const struct dma_dev *dev,
                          uint64_t orig, uint64_t tlb_addr, size_t size, enum dma_data_direction dir)
{
        trace_emit(tlb->tr_ccada, ev, "dev=%s orig=0x%llx tlb=0x%llx size=%zu dir=%s", dev->name,
                   (unsigned long long)orig, (unsigned long long)(tlb_addr | tlb->shared), size,
                   dma_data_direction_name(dir));
}

/* The check inline at the call site, the formatting out of line: a map or unmap with the
 * event off pays one test. */
static inline void trace_op(struct swiotlb *tlb, unsigned ev, const struct dma_dev *dev,
                            uint64_t orig, uint64_t tlb_addr, size_t size, enum dma_data_direction dir)
{
        if (trace_on(tlb->tr_ccada, ev))
                trace_op_emit(tlb, ev, dev, orig, tlb_addr, size, dir);
}

ccada_status swiotlb_tbl_map_single(struct dma_dev *dev, uint64_t orig, size_t mapping_size,
                                    uint64_t alloc_align_mask, enum dma_data_direction dir,
                                    unsigned long attrs, unsigned cpu, uint64_t *tlb_addr)
{
        struct swiotlb *tlb = dev->tlb;
        struct io_tlb_pool *pool = NULL;
        struct slot_req rq;
        ccada_status st;

        *tlb_addr = DMA_MAPPING_ERROR;
        if (!tlb) {
                rk_printk(dev->k, "%s %s: Can not allocate SWIOTLB buffer earlier and can't now provide you with the DMA bounce buffer",
                          dev_drv(dev), dev->name);
                return CCADA_E_STATE;
        }
        /* Linux: pr_warn_once when cc_platform_has(CC_ATTR_MEM_ENCRYPT), at the first
         * bounce, not at boot. */
        if (!atomic_load_explicit(&tlb->encryption_warned, memory_order_relaxed) && rk_is_realm(tlb->k) &&
            !atomic_exchange(&tlb->encryption_warned, true))
                rk_printk(tlb->k, SWIOTLB_PFX "Memory encryption is active and system is using DMA bounce buffers");
        if (!dir_valid(dir) || !mapping_size)
                return CCADA_E_INVAL;
        st = req_init(dev, orig, mapping_size, alloc_align_mask, &rq);
        if (st != CCADA_OK)
                return bad_request(tlb, dev, st, mapping_size + (size_t)rq.offset, attrs);
        long slot = alloc_slots(tlb, dev, &rq, cpu, attrs, &pool);

        if (slot < 0)
                return CCADA_E_NOSPC;
        unsigned long head = (unsigned long)slot + (unsigned long)(rq.offset >> IO_TLB_SHIFT);
        uint64_t addr = pool->start + ((uint64_t)head << IO_TLB_SHIFT) + (rq.offset & (IO_TLB_SIZE - 1));

        /* CVE-2022-0854: copy the original into the bounce buffer for EVERY direction and
         * regardless of DMA_ATTR_SKIP_CPU_SYNC. The bounce must be invisible: bytes the
         * device does not write must come back as the caller's own, never as whatever an
         * earlier user left in the slot (Linux swiotlb_tbl_map_single, since v5.18).
         * The slots are this call's until it returns the address, so it neither locks nor
         * snapshots them again: addr is at the mapping's start (the low bits kept are the
         * original's) and the allocation holds all mapping_size bytes. */
        st = rk_shared_copy(tlb->k, addr | tlb->shared, orig, mapping_size);
        if (st != CCADA_OK) {
                struct io_tlb_area *area = slot_area(pool, head);

                rk_spin_acquire(&area->lock);
                unsigned long n = release_locked(pool, head, (int64_t)(rq.offset & (IO_TLB_SIZE - 1)));

                rk_spin_release(&area->lock);
                atomic_fetch_sub(&tlb->used, n);
                swiotlb_bp_signal(tlb);
                return st;
        }
        atomic_fetch_add(&tlb->bounced_bytes, mapping_size);
        atomic_fetch_add(&tlb->bounces, 1);
        trace_op(tlb, CCADA_SWIOTLB_TRACE_MAP, dev, orig, addr, mapping_size, dir);
        *tlb_addr = addr;
        return CCADA_OK;
}

/* Checks that addr is the start of a live mapping of mapping_size bytes (Linux
 * kernel/dma/debug.c check_unmap does the same for every DMA mapping). Area lock held. */
static bool unmap_ok(struct swiotlb *tlb, const struct dma_dev *dev, const struct io_tlb_slot *s,
                     uint64_t addr, size_t mapping_size)
{
        const char *why = NULL;

        if (s->orig_addr == INVALID_ADDR)
                why = "not mapped (double unmap?)";
        else if (!s->head || (addr & (IO_TLB_SIZE - 1)) !=
                                     (s->orig_addr & dev->min_align_mask & (IO_TLB_SIZE - 1)))
                why = "not the start of a mapping";
        else if ((size_t)s->map_left != mapping_size) /* the head's map_left: the mapped size */
                why = "size differs from the mapped size";
        if (why)
                rk_printk(tlb->k, "%s %s: swiotlb: bad unmap of 0x%llx size %zu (mapped %zu): %s",
                          dev_drv(dev), dev->name, (unsigned long long)(addr | tlb->shared),
                          mapping_size, s->orig_addr == INVALID_ADDR ? 0 : (size_t)s->map_left, why);
        return why == NULL;
}

struct io_tlb_pool *swiotlb_find_pool(const struct swiotlb *tlb, uint64_t addr)
{
        return tlb ? find_pool(tlb, addr) : NULL;
}

/* The pool holding the bounce address of an unmap or sync request, or NULL (reported)
 * when the request names no pool. */
static struct io_tlb_pool *request_pool(struct dma_dev *dev, uint64_t tlb_addr, const char *what)
{
        struct swiotlb *tlb = dev->tlb;
        struct io_tlb_pool *pool = tlb ? find_pool(tlb, tlb_addr) : NULL;

        if (tlb && !pool)
                rk_printk(tlb->k, "%s %s: swiotlb: %s of 0x%llx: outside every pool", dev_drv(dev), dev->name,
                          what, (unsigned long long)tlb_addr);
        return pool;
}

/* The canonical address of a request in pool, or INVALID_ADDR when it is not in pool (a
 * caller that looked the pool up for another address) or dir is invalid. */
static uint64_t pool_addr(const struct dma_dev *dev, const struct io_tlb_pool *pool, uint64_t tlb_addr,
                          enum dma_data_direction dir)
{
        uint64_t addr = tlb_addr & ~dev->tlb->shared;

        if (!dir_valid(dir) || addr - pool->start >= pool->end - pool->start)
                return INVALID_ADDR;
        return addr;
}

ccada_status swiotlb_tbl_unmap_pool(struct dma_dev *dev, struct io_tlb_pool *pool, uint64_t tlb_addr,
                                    size_t mapping_size, enum dma_data_direction dir, unsigned long attrs)
{
        struct swiotlb *tlb = dev->tlb;
        ccada_status st = CCADA_OK;
        uint64_t addr = pool_addr(dev, pool, tlb_addr, dir);

        if (addr == INVALID_ADDR)
                return CCADA_E_INVAL;
        unsigned long index = (unsigned long)((addr - pool->start) >> IO_TLB_SHIFT);
        struct io_tlb_area *area = slot_area(pool, index);
        struct io_tlb_slot *s = &pool->slots[index];

        rk_spin_acquire(&area->lock);
        if (!unmap_ok(tlb, dev, s, addr, mapping_size)) {
                rk_spin_release(&area->lock);
                return CCADA_E_INVAL;
        }
        uint64_t orig = s->orig_addr;

        /* Copied back under the area lock: the slots cannot change owner meanwhile. */
        if ((dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
                st = bounce_copy(tlb, dev, s, addr, mapping_size, false);
        unsigned long n = release_locked(pool, index, (int64_t)(orig & dev->min_align_mask & (IO_TLB_SIZE - 1)));

        rk_spin_release(&area->lock);
        atomic_fetch_sub(&tlb->used, n);
        swiotlb_bp_signal(tlb);
        trace_op(tlb, CCADA_SWIOTLB_TRACE_UNMAP, dev, orig, addr, mapping_size, dir);
        return st;
}

ccada_status swiotlb_tbl_unmap_single(struct dma_dev *dev, uint64_t tlb_addr, size_t mapping_size,
                                      enum dma_data_direction dir, unsigned long attrs)
{
        struct io_tlb_pool *pool = dir_valid(dir) ? request_pool(dev, tlb_addr, "bad unmap") : NULL;

        return pool ? swiotlb_tbl_unmap_pool(dev, pool, tlb_addr, mapping_size, dir, attrs) : CCADA_E_INVAL;
}

ccada_status swiotlb_sync_pool(struct dma_dev *dev, struct io_tlb_pool *pool, uint64_t tlb_addr, size_t size,
                               enum dma_data_direction dir, bool for_cpu)
{
        struct swiotlb *tlb = dev->tlb;
        uint64_t addr = pool_addr(dev, pool, tlb_addr, dir);

        if (addr == INVALID_ADDR)
                return CCADA_E_INVAL;
        if (trace_on(tlb->tr_ccada, CCADA_SWIOTLB_TRACE_SYNC))
                trace_emit(tlb->tr_ccada, CCADA_SWIOTLB_TRACE_SYNC, "dev=%s tlb=0x%llx size=%zu dir=%s for=%s",
                           dev->name, (unsigned long long)(addr | tlb->shared), size,
                           dma_data_direction_name(dir), for_cpu ? "cpu" : "device");
        /* facts §1.6: for_cpu copies back for FROM_DEVICE/BIDIRECTIONAL, for_device copies
         * out for TO_DEVICE/BIDIRECTIONAL (Linux 901c7280ca0d kept sync_for_device as is). */
        bool copy = for_cpu ? dir != DMA_TO_DEVICE : dir != DMA_FROM_DEVICE;

        return bounce_at(tlb, dev, pool, addr, size, !for_cpu, copy);
}

static ccada_status sync_single(struct dma_dev *dev, uint64_t tlb_addr, size_t size,
                                enum dma_data_direction dir, bool for_cpu)
{
        struct io_tlb_pool *pool = dir_valid(dir) ? request_pool(dev, tlb_addr, "sync") : NULL;

        return pool ? swiotlb_sync_pool(dev, pool, tlb_addr, size, dir, for_cpu) : CCADA_E_INVAL;
}

ccada_status swiotlb_sync_single_for_cpu(struct dma_dev *dev, uint64_t tlb_addr, size_t size,
                                         enum dma_data_direction dir)
{
        return sync_single(dev, tlb_addr, size, dir, true);
}

ccada_status swiotlb_sync_single_for_device(struct dma_dev *dev, uint64_t tlb_addr, size_t size,
                                            enum dma_data_direction dir)
{
        return sync_single(dev, tlb_addr, size, dir, false);
}

ccada_status swiotlb_map(struct dma_dev *dev, uint64_t ipa, size_t size,
                         enum dma_data_direction dir, unsigned long attrs, uint64_t *dma_addr)
{
        struct trace_group *tr = dev->tlb ? dev->tlb->tr : NULL;
        uint64_t tlb_addr;
        ccada_status st;

        *dma_addr = DMA_MAPPING_ERROR;
        /* Linux kernel/dma/swiotlb.c: swiotlb_map — the event comes before the
         * allocation, with the original buffer's DMA address (phys_to_dma). */
        if (trace_on(tr, SWIOTLB_TRACE_BOUNCED))
                trace_emit(tr, SWIOTLB_TRACE_BOUNCED,
                           "dev_name: %s dma_mask=%llx dev_addr=%llx size=%zu %s", dev->name,
                           (unsigned long long)dev->dma_mask, (unsigned long long)ipa, size,
                           dev->force_bounce ? "FORCE" : "NORMAL");
        st = swiotlb_tbl_map_single(dev, ipa, size, 0, dir, attrs, dev->cpu, &tlb_addr);
        if (st != CCADA_OK)
                return st;
        uint64_t dma = tlb_addr | dev->tlb->shared; /* phys_to_dma_unencrypted */

        if (!dma_capable(dev, dma, size)) {
                rk_printk(dev->k, "%s %s: swiotlb addr 0x%llx+%zu overflow (mask %llx, bus limit %llx).",
                          dev_drv(dev), dev->name, (unsigned long long)dma, size,
                          (unsigned long long)dev->dma_mask, 0ull);
                if (swiotlb_tbl_unmap_single(dev, tlb_addr, size, dir, attrs | DMA_ATTR_SKIP_CPU_SYNC) != CCADA_OK)
                        rk_printk(dev->k, SWIOTLB_PFX "unmap after overflow failed");
                return CCADA_E_RANGE;
        }
        *dma_addr = dma;
        return CCADA_OK;
}

/* ---- sizes, counters, geometry ---- */

size_t swiotlb_max_mapping_size(const struct dma_dev *dev)
{
        uint64_t min_align = (dev->min_align_mask + IO_TLB_SIZE - 1) & ~(uint64_t)(IO_TLB_SIZE - 1);

        return (size_t)(((uint64_t)IO_TLB_SEGSIZE << IO_TLB_SHIFT) - min_align);
}

