/* SWIOTLB pools (see swiotlb_internal.h): creation and destruction, the initial size,
 * growth (beyond Linux; swiotlb.h (a)) and the counters. Linux kernel/dma/swiotlb.c
 * swiotlb_init_remap / swiotlb_alloc_pool, by the prose of facts §1; the code is our own. */
#include <stdlib.h>
#include <string.h>

#include "realm/swiotlb_internal.h"

/* ---- pool creation and destruction ---- */

/* Linux kernel/dma/swiotlb.c: limit_nareas — fewer areas than segments: one per segment
 * (which need not be a power of two, as in Linux). */
static unsigned limit_nareas(unsigned nareas, unsigned long nslabs)
{
        if (nslabs < (unsigned long)nareas * IO_TLB_SEGSIZE)
                return (unsigned)(nslabs / IO_TLB_SEGSIZE);
        return nareas;
}

static void pool_free_meta(struct realm_kernel *k, struct io_tlb_pool *pool)
{
        if (!pool)
                return;
        rk_kfree(k, pool->areas); /* spin locks need no teardown */
        rk_kfree(k, pool->slots);
        rk_kfree(k, pool->list);
        rk_kfree(k, pool->free);
        rk_kfree(k, pool);
}

static ccada_status pool_init_meta(struct realm_kernel *k, struct io_tlb_pool *pool, uint64_t start,
                                   uint64_t shared, unsigned long nslabs, unsigned nareas,
                                   enum swiotlb_alloc alloc)
{
        bool bitmap = alloc == SWIOTLB_ALLOC_BITMAP;

        pool->start = start;
        pool->end = start + ((uint64_t)nslabs << IO_TLB_SHIFT);
        pool->vaddr = start | shared;
        pool->nslabs = nslabs;
        pool->nareas = nareas;
        pool->area_nslabs = nslabs / nareas;
        pool->slots = rk_zalloc(k, nslabs, sizeof(*pool->slots));
        pool->areas = rk_zalloc(k, nareas, sizeof(*pool->areas));
        /* nslabs is a multiple of 128 (a segment): whole words of the bitmap */
        if (bitmap)
                pool->free = rk_zalloc(k, nslabs / 64, sizeof(*pool->free));
        else
                pool->list = rk_zalloc(k, nslabs, sizeof(*pool->list));
        if (!pool->slots || !pool->areas || (!pool->free && !pool->list)) {
                rk_kfree(k, pool->slots);
                rk_kfree(k, pool->areas);
                rk_kfree(k, pool->list);
                rk_kfree(k, pool->free);
                pool->slots = NULL;
                pool->areas = NULL;
                pool->list = NULL;
                pool->free = NULL;
                return CCADA_E_NOMEM;
        }
        for (unsigned a = 0; a < nareas; a++)
                rk_spinlock_init(&pool->areas[a].lock);
        for (unsigned long i = 0; i < nslabs; i++)
                pool->slots[i].orig_addr = INVALID_ADDR;
        /* Linux swiotlb_init_io_tlb_pool: list counts down to each segment end. */
        for (unsigned long i = 0; pool->list && i < nslabs; i++)
                pool->list[i] = (uint16_t)(IO_TLB_SEGSIZE - (i % IO_TLB_SEGSIZE));
        for (unsigned long w = 0; pool->free && w < nslabs / 64; w++)
                pool->free[w] = ~0ull;
        return CCADA_OK;
}

/* Allocates and shares the pool memory. While rk_alloc_pages fails for lack of memory it
 * halves the pool as swiotlb_init_remap does: ALIGN(nslabs / 2, IO_TLB_SEGSIZE), giving up
 * once a pool of min_slabs or fewer has failed; the caller says what was adjusted. */
static ccada_status pool_alloc_mem(struct swiotlb *tlb, unsigned long *nslabs,
                                   unsigned long min_slabs, uint64_t *start)
{
        ccada_status st;

        for (;;) {
                size_t npages = (size_t)(*nslabs << IO_TLB_SHIFT) / RK_PAGE_SIZE;

                st = rk_alloc_pages(tlb->k, npages, start);
                if (st == CCADA_OK)
                        break;
                if (st != CCADA_E_NOMEM || *nslabs <= min_slabs)
                        return st;
                *nslabs = (*nslabs / 2 + IO_TLB_SEGSIZE - 1) / IO_TLB_SEGSIZE * IO_TLB_SEGSIZE;
        }
        size_t npages = (size_t)(*nslabs << IO_TLB_SHIFT) / RK_PAGE_SIZE;

        st = rk_set_memory_decrypted(tlb->k, *start, npages);
        if (st != CCADA_OK) {
                /* Linux arch/arm64/mm/pageattr.c: the pages' state is unknown: leak. */
                rk_printk(tlb->k, SWIOTLB_PFX "Failed to decrypt memory, %zu pages will be leaked",
                          npages);
                return st;
        }
        /* The host may have left anything in the newly shared pages. */
        return rk_shared_fill(tlb->k, *start | tlb->shared, 0, npages * RK_PAGE_SIZE);
}

static ccada_status pool_create(struct swiotlb *tlb, unsigned long nslabs, unsigned nareas,
                                unsigned long min_slabs, bool boot, struct io_tlb_pool **out)
{
        uint64_t start = 0;
        unsigned long wanted = nslabs;
        ccada_status st = pool_alloc_mem(tlb, &nslabs, min_slabs, &start);

        if (st != CCADA_OK)
                return st;
        if (boot && nslabs != wanted) /* swiotlb_init_remap */
                rk_printk(tlb->k, SWIOTLB_PFX "SWIOTLB bounce buffer size adjusted %lu -> %lu slabs", wanted,
                          nslabs);
        struct io_tlb_pool *pool = rk_zalloc(tlb->k, 1, sizeof(*pool));

        if (!pool)
                return CCADA_E_NOMEM; /* pages stay shared: leaked, never handed out */
        st = pool_init_meta(tlb->k, pool, start, tlb->shared, nslabs, limit_nareas(nareas, nslabs),
                            tlb->cfg.alloc);
        if (st != CCADA_OK) {
                rk_kfree(tlb->k, pool); /* pool_init_meta freed what it allocated */
                return st;
        }
        *out = pool;
        return CCADA_OK;
}

static void pool_destroy(struct swiotlb *tlb, struct io_tlb_pool *pool)
{
        size_t npages = (size_t)(pool->nslabs << IO_TLB_SHIFT) / RK_PAGE_SIZE;

        if (rk_set_memory_encrypted(tlb->k, pool->start, npages) == CCADA_OK)
                rk_free_pages(tlb->k, pool->start, npages);
        else /* Linux swiotlb_free_tlb: intentional leak if pages cannot be encrypted again */
                rk_printk(tlb->k, SWIOTLB_PFX "Failed to encrypt memory, %zu pages will be leaked",
                          npages);
        pool_free_meta(tlb->k, pool);
}

/* Linux swiotlb_adjust_nareas / round_up_default_nslabs: nslabs is a multiple of 128,
 * then raised so that every area has 128 slots, else rounded up to a power of two. */
static void size_initial(struct swiotlb *tlb, unsigned long *nslabs)
{
        unsigned long n = nr_slots(tlb->cfg.size);
        bool rounded = true;

        n = (n + IO_TLB_SEGSIZE - 1) / IO_TLB_SEGSIZE * IO_TLB_SEGSIZE;
        rk_printk(tlb->k, SWIOTLB_PFX "area num %u.", tlb->nareas);
        if (n < (unsigned long)IO_TLB_SEGSIZE * tlb->nareas)
                n = roundup_pow2((unsigned long)IO_TLB_SEGSIZE * tlb->nareas);
        else if (!is_pow2(n))
                n = roundup_pow2(n);
        else
                rounded = false;
        if (rounded)
                rk_printk(tlb->k, SWIOTLB_PFX "SWIOTLB bounce buffer size roundup to %luMB",
                          (n << IO_TLB_SHIFT) >> 20);
        *nslabs = n;
}

static ccada_status config_apply(struct swiotlb *tlb, const struct swiotlb_config *cfg)
{
        if (cfg)
                tlb->cfg = *cfg;
        if (!tlb->cfg.size)
                tlb->cfg.size = SWIOTLB_DEFAULT_SIZE;
        if (!tlb->cfg.ncpus)
                tlb->cfg.ncpus = 1;
        if (!tlb->cfg.max_pools)
                tlb->cfg.max_pools = SWIOTLB_DEFAULT_MAX_POOLS;
        if (!tlb->cfg.wait_ms)
                tlb->cfg.wait_ms = SWIOTLB_DEFAULT_WAIT_MS;
        if (tlb->cfg.max_pools > SWIOTLB_MAX_POOLS_LIMIT || tlb->cfg.size > SWIOTLB_MAX_SIZE)
                return CCADA_E_INVAL;
        if (tlb->cfg.nareas && !is_pow2(tlb->cfg.nareas))
                return CCADA_E_INVAL;
        if (tlb->cfg.alloc != SWIOTLB_ALLOC_LIST && tlb->cfg.alloc != SWIOTLB_ALLOC_BITMAP)
                return CCADA_E_INVAL;
        tlb->nareas = tlb->cfg.nareas ? tlb->cfg.nareas : (unsigned)roundup_pow2(tlb->cfg.ncpus);
        return CCADA_OK;
}

static void tlb_free(struct swiotlb *tlb)
{
        rk_lock_destroy(&tlb->grow_lock);
        rk_lock_destroy(&tlb->bp_lock);
        rk_event_destroy(&tlb->bp_event);
        struct realm_kernel *k = tlb->k;
        rk_kfree(k, tlb->pools);
        rk_kfree(k, tlb);
}

static ccada_status tlb_alloc(struct realm_kernel *k, struct swiotlb **out)
{
        struct swiotlb *tlb = rk_zalloc(k, 1, sizeof(*tlb));

        if (!tlb)
                return CCADA_E_NOMEM;
        tlb->k = k;
        tlb->tr = trace_register(rk_trace(k), &swiotlb_trace);
        tlb->tr_ccada = trace_register(rk_trace(k), &ccada_swiotlb_trace);
        tlb->shared = rk_shared_bit(k);
        rk_lock_init(&tlb->grow_lock);
        rk_lock_init(&tlb->bp_lock);
        rk_event_init(&tlb->bp_event);
        *out = tlb;
        return CCADA_OK;
}

ccada_status swiotlb_init(struct realm_kernel *k, const struct swiotlb_config *cfg,
                          struct swiotlb **out)
{
        struct swiotlb *tlb;
        struct io_tlb_pool *pool = NULL;
        unsigned long nslabs;
        ccada_status st = tlb_alloc(k, &tlb);

        if (st != CCADA_OK)
                return st;
        st = config_apply(tlb, cfg);
        if (st == CCADA_OK) {
                tlb->pools = rk_zalloc(k, tlb->cfg.max_pools, sizeof(*tlb->pools));
                if (!tlb->pools)
                        st = CCADA_E_NOMEM;
        }
        if (st == CCADA_OK) {
                size_initial(tlb, &nslabs);
                st = pool_create(tlb, nslabs, tlb->nareas,
                                 nslabs < IO_TLB_MIN_SLABS ? nslabs : IO_TLB_MIN_SLABS, true, &pool);
        }
        if (st != CCADA_OK) {
                tlb_free(tlb);
                return st;
        }
        tlb->pools[0] = pool;
        tlb->nareas = pool->nareas;
        tlb->init_nslabs = pool->nslabs;
        atomic_store(&tlb->nslabs, pool->nslabs);
        atomic_store_explicit(&tlb->npools, 1, memory_order_release);
        /* swiotlb_print_info: %pa of mem->start and mem->end, the end exclusive */
        rk_printk(k, SWIOTLB_PFX "mapped [mem 0x%016llx-0x%016llx] (%luMB)",
                  (unsigned long long)pool->start, (unsigned long long)pool->end,
                  (pool->nslabs << IO_TLB_SHIFT) >> 20);
        *out = tlb;
        return CCADA_OK;
}

void swiotlb_destroy(struct swiotlb *tlb)
{
        if (!tlb)
                return;
        unsigned n = atomic_load(&tlb->npools);

        for (unsigned i = 0; i < n; i++)
                pool_destroy(tlb, tlb->pools[i]);
        tlb_free(tlb);
}

void swiotlb_set_reclaim(struct swiotlb *tlb, void (*reclaim)(struct dma_dev *dev))
{
        tlb->reclaim = reclaim;
}

/* ---- growth (beyond Linux; see swiotlb.h (a)) ---- */

bool swiotlb_grow(struct swiotlb *tlb, unsigned seen_npools)
{
        bool added = false;

        rk_lock_acquire(&tlb->grow_lock);
        unsigned n = atomic_load_explicit(&tlb->npools, memory_order_acquire);

        if (n != seen_npools) {
                added = true;
        } else if (n < tlb->cfg.max_pools) {
                struct io_tlb_pool *pool;

                if (pool_create(tlb, tlb->init_nslabs, tlb->nareas, IO_TLB_SEGSIZE, false,
                                &pool) == CCADA_OK) {
                        tlb->pools[n] = pool;
                        atomic_fetch_add(&tlb->nslabs, pool->nslabs);
                        /* Publishes the pool's metadata before its count (acquire in
                         * readers). */
                        atomic_store_explicit(&tlb->npools, n + 1, memory_order_release);
                        rk_printk(tlb->k, SWIOTLB_PFX "added pool %u [mem 0x%016llx-0x%016llx] (%lu slots)",
                                  n, (unsigned long long)pool->start,
                                  (unsigned long long)pool->end, pool->nslabs);
                        added = true;
                } else {
                        rk_printk(tlb->k, SWIOTLB_PFX "Failed to allocate new pool");
                }
        }
        rk_lock_release(&tlb->grow_lock);
        return added;
}

/* ---- counters and geometry ---- */

void swiotlb_get_stats(const struct swiotlb *tlb, struct swiotlb_stats *st)
{
        st->nslabs = atomic_load(&tlb->nslabs);
        st->used = atomic_load(&tlb->used);
        st->used_hiwater = atomic_load(&tlb->hiwater);
        st->bounces = atomic_load(&tlb->bounces);
        st->bounced_bytes = atomic_load(&tlb->bounced_bytes);
        st->full = atomic_load(&tlb->full);
        st->pools = atomic_load(&tlb->npools);
        st->bp_waits = atomic_load(&tlb->bp_waits);
}

static bool slot_free(const struct io_tlb_pool *pool, unsigned long i)
{
        return pool->list ? pool->list[i] != 0 : (pool->free[i / 64] >> (i % 64)) & 1;
}

/* One area's slots: *used_out the slots not free. NULL when they hold, else what failed. */
static const char *check_area(const struct io_tlb_pool *pool, unsigned a, unsigned long *used_out)
{
        unsigned long used = 0;

        for (unsigned long i = a * pool->area_nslabs; i < (a + 1) * pool->area_nslabs; i++) {
                const struct io_tlb_slot *s = &pool->slots[i];

                if (!slot_free(pool, i)) {
                        used++;
                        continue;
                }
                if (s->orig_addr != INVALID_ADDR || s->head || s->pad_slots)
                        return "a free slot records a mapping";
                if (!pool->list)
                        continue;
                bool next_free = (i + 1) % IO_TLB_SEGSIZE && pool->list[i + 1];
                if (pool->list[i] != (next_free ? pool->list[i + 1] + 1 : 1))
                        return "a free slot's list does not count its run down to the run's end";
        }
        *used_out = used;
        return used == pool->areas[a].used ? NULL : "an area's used count differs from its slots not free";
}

bool swiotlb_check_invariants(struct swiotlb *tlb, const char **why)
{
        unsigned n = atomic_load_explicit(&tlb->npools, memory_order_acquire);
        unsigned long used = 0;

        *why = NULL;
        for (unsigned p = 0; p < n && !*why; p++) {
                struct io_tlb_pool *pool = tlb->pools[p];

                for (unsigned a = 0; a < pool->nareas && !*why; a++) {
                        unsigned long area_used = 0;

                        rk_spin_acquire(&pool->areas[a].lock);
                        *why = check_area(pool, a, &area_used);
                        rk_spin_release(&pool->areas[a].lock);
                        used += area_used;
                }
        }
        if (!*why && used != atomic_load(&tlb->used))
                *why = "the pool-wide used count differs from the slots not free";
        return *why == NULL;
}

enum swiotlb_alloc swiotlb_allocator(const struct swiotlb *tlb)
{
        return tlb->cfg.alloc;
}

void swiotlb_reset_hiwater(struct swiotlb *tlb)
{
        atomic_store(&tlb->hiwater, 0);
}

bool swiotlb_pool_info(const struct swiotlb *tlb, unsigned i, uint64_t *start,
                       unsigned long *nslabs, unsigned *nareas)
{
        if (i >= atomic_load_explicit(&tlb->npools, memory_order_acquire))
                return false;
        *start = tlb->pools[i]->start;
        *nslabs = tlb->pools[i]->nslabs;
        *nareas = tlb->pools[i]->nareas;
        return true;
}

