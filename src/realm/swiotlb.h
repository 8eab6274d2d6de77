/* SWIOTLB: the shared bounce pool of the Realm guest, with Linux semantics
 * (kernel/dma/swiotlb.c, recent kernels; facts/rme-swiotlb-virtio.md §1).
 *
 * The pool is Realm RAM made shared with rk_set_memory_decrypted; the code reaches it only
 * through the unprotected alias (ipa | rk_shared_bit), which is also the DMA address the
 * device gets. Bookkeeping (slots, areas) is private (C heap).
 *
 * Layout: slots of IO_TLB_SIZE (2 KiB) bytes, grouped in segments of IO_TLB_SEGSIZE (128)
 * slots; one mapping is at most one segment (256 KiB). The pool is split in nareas areas (a
 * power of two, each >= 128 slots, each with its own mutex, used count and next-fit cursor).
 *
 * Slot state machine (struct io_tlb_slot):
 *   FREE:   orig_addr == INVALID, list = number of free slots from here to the end of the
 *           free run, never crossing the end of the 128-slot segment (>= 1).
 *   PAD:    list == 0, orig_addr == INVALID: padding before the data of a mapping whose
 *           alloc_align_mask needs more than one slot of pre-padding.
 *   MAPPED: list == 0, orig_addr = original address of the byte the slot shadows; the
 *           first data slot (head) records pad_slots and the mapping size.
 *   FREE -> (PAD*) MAPPED+ on map; back to FREE on unmap, with the free runs before the
 *   mapping renumbered (Linux swiotlb_release_slots).
 * Invariant: in every segment, list[i] == (list[i+1] + 1) for free i followed by a free
 *   i+1 in the same segment, 1 for a free slot followed by a used one or the segment end.
 * Contents are not scrubbed on unmap (Linux): every byte in the pool is already visible
 * to the host; what matters is that a map copies the caller's buffer over the slot, so a
 * device reading or partially writing a slot sees or returns only the caller's data
 * (CVE-2022-0854).
 *
 * Copies per direction (facts §1.6, Linux mainline since v5.18):
 *   | operation        | TO_DEVICE     | FROM_DEVICE   | BIDIRECTIONAL |
 *   | map              | orig->bounce  | orig->bounce  | orig->bounce  |
 *   | sync_for_device  | orig->bounce  | nothing       | orig->bounce  |
 *   | sync_for_cpu     | nothing       | bounce->orig  | bounce->orig  |
 *   | unmap            | nothing       | bounce->orig* | bounce->orig* |
 *   (* unless DMA_ATTR_SKIP_CPU_SYNC; the map copy ignores that attribute.)
 *
 * Beyond Linux, both OFF by default:
 *  (a) growth (config.grow): when every area of every pool fails, a new shared pool is
 *      added (size of the initial pool, halved down to 128 slots while rk_alloc_pages
 *      fails, at most config.max_pools pools) and the search is retried. Linux
 *      (CONFIG_SWIOTLB_DYNAMIC, v6.6) schedules a worker to add the pool and serves the
 *      current request from a transient one-mapping pool. We grow synchronously instead:
 *      the guest is single-threaded and deterministic, a worker would only run at the next
 *      WFI, and a transient pool per request would decrypt and re-encrypt pages (two RSI
 *      round trips) on every overflowing map.
 *  (b) back-pressure (config.backpressure): a mapping that finds no slots waits instead of
 *      failing (in the spirit of Michael Kelley's 2024 "swiotlb throttling" RFC, which was
 *      not merged). It calls the pool's reclaim hook (swiotlb_set_reclaim), where a
 *      single-threaded driver reaps its completions and so unmaps, and retries; without
 *      success it gives the host a chance with rk_wait (WFI) and retries: up to
 *      SWIOTLB_BP_WFI_ROUNDS reclaim+WFI rounds when single-threaded. If config.threaded
 *      (other threads may unmap), after one round it waits on a condition variable
 *      signalled by every unmap, for at most config.wait_ms in total. When the wait ends
 *      without slots it fails exactly as exhaustion does (message, trace, NOSPC).
 *  (c) the bitmap allocator (config.alloc = SWIOTLB_ALLOC_BITMAP): a bit per slot instead
 *      of the list; the search visits the same candidates in the same order and takes the
 *      same slot, with no renumbering walk on map or unmap. The state machine below is the
 *      same with "list" read as "bit set = free".
 *
 * A request larger than one segment (swiotlb_max_mapping_size) can never be served: it
 * prints the "buffer is full" message as Linux does, but returns CCADA_E_RANGE and neither
 * grows, waits, nor counts as exhaustion. Messages are not rate-limited (Linux uses
 * dev_warn_ratelimited).
 *
 * Concurrency: map, unmap, sync, stats and reset_hiwater may be called from any thread.
 * init/destroy/set_reclaim only while no other call runs. Growth may run concurrently with
 * lookups (pools are published with release ordering and never removed before destroy).
 */
#ifndef CCADA_REALM_SWIOTLB_H
#define CCADA_REALM_SWIOTLB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/status.h"
#include "lib/trace.h"
#include "realm/dma_dev.h"

/* Trace subsystems. "swiotlb" is Linux's own group (include/trace/events/swiotlb.h) and has
 * its one event, swiotlb_bounced, fired by swiotlb_map as Linux does. ccada's extra events
 * (a map, an unmap, a sync, a full pool, with the bounce address) are in "ccada_swiotlb", a
 * name Linux does not use: "dma" is Linux's own group for dma_map_* events (since 6.10), so
 * "--events swiotlb" prints exactly what a Linux Realm prints. */
enum { SWIOTLB_TRACE_BOUNCED };
enum { CCADA_SWIOTLB_TRACE_MAP, CCADA_SWIOTLB_TRACE_UNMAP, CCADA_SWIOTLB_TRACE_SYNC,
       CCADA_SWIOTLB_TRACE_FULL };
extern const struct trace_subsys swiotlb_trace, ccada_swiotlb_trace;

struct realm_kernel;
struct swiotlb;
struct io_tlb_pool;

/* (c) How free slots are found: Linux's free-run list (each slot counts the free slots
 * after it, renumbered by a walk on every map and unmap), or a bitmap of free slots (the
 * 2022 TDX SWIOTLB RFC's idea, never merged). Both find the same slot for the same request
 * in the same state: only the bookkeeping differs. */
enum swiotlb_alloc { SWIOTLB_ALLOC_LIST, SWIOTLB_ALLOC_BITMAP };

/* include/linux/swiotlb.h */
#define IO_TLB_SHIFT 11
#define IO_TLB_SIZE (1u << IO_TLB_SHIFT)
#define IO_TLB_SEGSIZE 128u
/* kernel/dma/swiotlb.c: IO_TLB_MIN_SLABS (1 MiB) — smallest initial pool. */
#define IO_TLB_MIN_SLABS ((1u << 20) >> IO_TLB_SHIFT)
/* include/linux/swiotlb.h: the boot pool when the command line gives no "swiotlb=". */
#define IO_TLB_DEFAULT_SIZE (64u << 20)
/* The size of a pool made with no size in its configuration (tests, small machines); a
 * Realm's boot asks for IO_TLB_DEFAULT_SIZE. */
#define SWIOTLB_DEFAULT_SIZE (4u << 20)
/* Largest initial pool accepted (x86 CoCo guests cap theirs at 1 GiB). */
#define SWIOTLB_MAX_SIZE (1ull << 30)
#define SWIOTLB_DEFAULT_MAX_POOLS 8u
#define SWIOTLB_MAX_POOLS_LIMIT 64u
#define SWIOTLB_DEFAULT_WAIT_MS 1000u
/* Back-pressure: reclaim + WFI rounds before a single-threaded map gives up. */
#define SWIOTLB_BP_WFI_ROUNDS 16u

struct swiotlb_config {
        size_t size;            /* bytes of the initial pool; 0: SWIOTLB_DEFAULT_SIZE.
                                 * Rounded up to 128 slots, then as Linux (see swiotlb_init) */
        unsigned nareas;        /* 0: ncpus rounded up to a power of two */
        unsigned ncpus;         /* possible CPUs; 0: 1 */
        bool grow;              /* (a) add pools on exhaustion */
        unsigned max_pools;     /* (a) including the initial one; 0: 8 (limit 64) */
        bool backpressure;      /* (b) wait on exhaustion */
        bool threaded;          /* (b) other threads may unmap: wait on the condvar */
        unsigned wait_ms;       /* (b) bound of the condvar wait; 0: 1000 */
        enum swiotlb_alloc alloc; /* (c) the free-slot bookkeeping */
};

/* Counters (Linux debugfs io_tlb_nslabs, io_tlb_used, io_tlb_used_hiwater, plus ours). */
struct swiotlb_stats {
        unsigned long nslabs;   /* slots in all pools */
        unsigned long used;     /* slots in use */
        unsigned long used_hiwater; /* peak of used since init or the last reset */
        unsigned long bounces;  /* bounced mappings made */
        unsigned long long bounced_bytes; /* bytes copied either way */
        unsigned long full;     /* mappings that failed for lack of slots */
        unsigned long pools;    /* pools (1 + grown) */
        unsigned long bp_waits; /* mappings that waited for slots (back-pressure) */
};

/* Creates the bounce pool: rk_alloc_pages (halving down to IO_TLB_MIN_SLABS while that
 * fails, as Linux swiotlb_init_remap), rk_set_memory_decrypted, boot log lines
 * "software IO TLB: area num %u.", the roundup message when the size was raised and
 * "software IO TLB: mapped [mem 0x%016llx-0x%016llx] (%luMB)".
 * cfg may be NULL (all defaults). Returns CCADA_OK and *out; CCADA_E_INVAL (nareas not
 * 0 and not a power of two, max_pools over the limit); CCADA_E_NOMEM; the status of
 * rk_set_memory_decrypted (pages leaked). CCADA_E_INVAL also for size > SWIOTLB_MAX_SIZE.
 * Call once at boot. */
ccada_status swiotlb_init(struct realm_kernel *k, const struct swiotlb_config *cfg,
                          struct swiotlb **out) CCADA_MUST_CHECK;

/* Re-encrypts and frees every pool (leaking, with a warning, a pool that cannot be
 * re-encrypted) and frees tlb. NULL is a no-op. No mapping may be used afterwards. */
void swiotlb_destroy(struct swiotlb *tlb);

/* Sets the back-pressure reclaim hook (NULL: none). It is called without locks held, with
 * the device whose mapping is waiting; a driver reaps its completions there (and so
 * unmaps). A driver that embeds struct dma_dev finds itself with container_of. */
void swiotlb_set_reclaim(struct swiotlb *tlb, void (*reclaim)(struct dma_dev *dev));

/* swiotlb_map (Linux kernel/dma/swiotlb.c): bounces [ipa, ipa+size) for dev through
 * dev->tlb from area dev->cpu. Emits swiotlb_bounced first (with the original address),
 * then allocates, copies the buffer into the slot (every direction, CVE-2022-0854), and
 * returns the bounce slot's DMA address (its alias). Returns as dma_map_single;
 * *dma_addr = DMA_MAPPING_ERROR on failure. */
ccada_status swiotlb_map(struct dma_dev *dev, uint64_t ipa, size_t size,
                         enum dma_data_direction dir, unsigned long attrs,
                         uint64_t *dma_addr) CCADA_MUST_CHECK;

/* swiotlb_tbl_map_single: as swiotlb_map without the trace event and address
 * translation, with an explicit alloc_align_mask (bounce address aligned to
 * alloc_align_mask+1, e.g. an IOMMU granule) and cpu. *tlb_addr is the bounce address
 * (canonical IPA of the slot; DMA address = it | rk_shared_bit). */
ccada_status swiotlb_tbl_map_single(struct dma_dev *dev, uint64_t orig, size_t mapping_size,
                                    uint64_t alloc_align_mask, enum dma_data_direction dir,
                                    unsigned long attrs, unsigned cpu,
                                    uint64_t *tlb_addr) CCADA_MUST_CHECK;

/* Unmaps the bounce mapping at tlb_addr (canonical or alias) of mapping_size bytes: copies
 * back per the table above, then releases the slots. Returns CCADA_OK; CCADA_E_INVAL when
 * tlb_addr is not in a pool, is not the start of a live mapping (free or padding slot:
 * double unmap), or mapping_size differs from the mapped size (Linux kernel/dma/debug.c:
 * check_unmap) — reported with rk_printk, nothing changed; CCADA_E_SEA/E_GPF when the
 * copy-back failed (slots released anyway). */
ccada_status swiotlb_tbl_unmap_single(struct dma_dev *dev, uint64_t tlb_addr, size_t mapping_size,
                                      enum dma_data_direction dir,
                                      unsigned long attrs) CCADA_MUST_CHECK;

/* Syncs [tlb_addr, tlb_addr+size), which may be any sub-range of a live mapping (partial
 * sync; Linux swiotlb_bounce tlb_offset). Overflow past the mapping is clamped with a
 * warning. Returns CCADA_OK; CCADA_E_INVAL (not a live mapping, access before its start,
 * dir invalid for the operation); CCADA_E_SEA/E_GPF. */
ccada_status swiotlb_sync_single_for_cpu(struct dma_dev *dev, uint64_t tlb_addr, size_t size,
                                         enum dma_data_direction dir) CCADA_MUST_CHECK;
ccada_status swiotlb_sync_single_for_device(struct dma_dev *dev, uint64_t tlb_addr, size_t size,
                                            enum dma_data_direction dir) CCADA_MUST_CHECK;

/* Linux swiotlb_find_pool (v6.12): the pool holding addr (canonical or alias), or NULL
 * (also when tlb is NULL). The DMA layer looks the pool up once per unmap or sync and
 * passes it on: */
struct io_tlb_pool *swiotlb_find_pool(const struct swiotlb *tlb, uint64_t addr);
/* As swiotlb_tbl_unmap_single and swiotlb_sync_single_for_cpu/_for_device, with pool =
 * swiotlb_find_pool(dev->tlb, tlb_addr) (Linux __swiotlb_tbl_unmap_single,
 * __swiotlb_sync_single_for_*). CCADA_E_INVAL when tlb_addr is not in pool. */
ccada_status swiotlb_tbl_unmap_pool(struct dma_dev *dev, struct io_tlb_pool *pool, uint64_t tlb_addr,
                                    size_t mapping_size, enum dma_data_direction dir,
                                    unsigned long attrs) CCADA_MUST_CHECK;
ccada_status swiotlb_sync_pool(struct dma_dev *dev, struct io_tlb_pool *pool, uint64_t tlb_addr, size_t size,
                               enum dma_data_direction dir, bool for_cpu) CCADA_MUST_CHECK;

/* True when addr (canonical or alias) lies in one of tlb's pools (is_swiotlb_buffer). */
bool swiotlb_is_buffer(const struct swiotlb *tlb, uint64_t addr);

/* swiotlb_max_mapping_size: 128 slots minus min_align_mask rounded up to a slot. */
size_t swiotlb_max_mapping_size(const struct dma_dev *dev);

void swiotlb_get_stats(const struct swiotlb *tlb, struct swiotlb_stats *st);
/* Linux debugfs: writing 0 to io_tlb_used_hiwater. Sets the high-water mark to 0. */
void swiotlb_reset_hiwater(struct swiotlb *tlb);

/* The slot state machine's invariants (above) over every pool, under each area's lock:
 * a slot is free exactly when its list entry is not 0 (bitmap: its bit is set), a free
 * slot records no mapping, the list counts each free run down to its end (list mode), and
 * each area's used count and the pool-wide one are the slots not free. True when they
 * hold; else false with *why saying which failed (static text). For tests and fuzzers. */
bool swiotlb_check_invariants(struct swiotlb *tlb, const char **why);

/* The allocator the pools use (config.alloc). */
enum swiotlb_alloc swiotlb_allocator(const struct swiotlb *tlb);

/* Pool geometry, for tests and the CLI: canonical start IPA and slot count of pool i,
 * number of areas. Returns false when i is out of range. */
bool swiotlb_pool_info(const struct swiotlb *tlb, unsigned i, uint64_t *start,
                       unsigned long *nslabs, unsigned *nareas);

#endif
