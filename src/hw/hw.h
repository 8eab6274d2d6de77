/* The hardware: physical memory in 4 KiB granules and the Granule Protection Table.
 *
 * Every access by any world goes through hw_read/hw_write/hw_copy/hw_fill, which apply
 * the RME granule protection check (Arm ARM D9, "GPC"):
 *
 *     world \ PAS   Secure  Non-secure  Root  Realm
 *     Non-secure      -        yes       -      -
 *     Secure         yes       yes       -      -
 *     Realm           -        yes       -     yes
 *     Root           yes       yes      yes    yes
 *
 * A denied access is a Granule Protection Fault: the call returns HW_GPF, fills the
 * fault record (first faulting granule), emits a `gpf` trace event, counts it, and
 * moves no data at all (the check covers the whole range before any byte moves).
 * An address outside memory is HW_ADDR_FAULT (an external abort), also with no data moved.
 *
 * Only the Root world (EL3) changes the GPT: hw_gpt_transition() is the model of the
 * GTSI service TF-A offers the RMM (SMC_RMM_GTSI_DELEGATE/UNDELEGATE).
 * At reset every granule is Non-secure.
 *
 * The one exception to "every access is checked" is hw_ptr(), for a party that caches GPC
 * verdicts as a TLB does (the RMM's model of a REC's TLB, rec_mem.c): it checks once with
 * hw_check, keys what it cached on hw_gpt_gen(), and moves bytes through hw_ptr() only while
 * the generation it checked at is still current.
 *
 * Memory is a set of regions (DRAM banks, say): disjoint, granule-aligned ranges of physical
 * addresses, each with a backing of its own (today anonymous zeroed host memory; later a
 * sealed memfd, so that an external backend such as a vhost-user daemon can map exactly that
 * region and nothing else). Between regions there is no memory: an access that touches a gap
 * is an HW_ADDR_FAULT, as is one outside every region. An access may cross from one region
 * into the next when they are adjacent. The *span* of memory runs from the lowest region's
 * base to the highest region's end; hw_mem_base/hw_mem_size describe the span, and the
 * granule-indexed views (GPT, owner tags) cover the whole span, gaps included (a gap granule
 * reads as Non-secure, owner 0, and no call can change it). With one region, the span is that
 * region.
 *
 * Device DMA does not use these accessors: it goes through hw_dma() (hw/dma.h).
 */
#ifndef CCADA_HW_HW_H
#define CCADA_HW_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/trace.h"

/* The "hw" trace subsystem: gpf, a granule protection fault. */
enum { HW_TRACE_GPF };
extern const struct trace_subsys hw_trace;

#define GRANULE_SHIFT 12
#define GRANULE_SIZE  ((uint64_t)1 << GRANULE_SHIFT)
#define GRANULE_MASK  (GRANULE_SIZE - 1)

/* Physical address spaces, encoded as {NSE,NS} (Arm ARM D1.4.5.3). Worlds use the same
 * encoding for their security state. */
enum hw_pas {
        HW_PAS_SECURE = 0,
        HW_PAS_NS = 1,
        HW_PAS_ROOT = 2,
        HW_PAS_REALM = 3,
};

enum hw_world {
        HW_WORLD_SECURE = 0,
        HW_WORLD_NS = 1,
        HW_WORLD_ROOT = 2,
        HW_WORLD_REALM = 3,
};

enum hw_access {
        HW_ACCESS_READ = 0,
        HW_ACCESS_WRITE = 1,
};

enum hw_result {
        HW_OK = 0,
        HW_GPF,         /* granule protection fault */
        HW_ADDR_FAULT,  /* no memory at that physical address (or range wraps) */
        HW_DMA_FAULT,   /* the SMMU refused a device's transaction (hw_dma only) */
};

/* What faulted (valid when a call returns HW_GPF or HW_ADDR_FAULT). */
struct hw_fault {
        enum hw_world world;
        enum hw_pas pas;        /* PAS of the faulting granule (HW_GPF only) */
        enum hw_access access;
        uint64_t pa;            /* first faulting address */
};

struct hw_mem;

const char *hw_pas_name(enum hw_pas pas);       /* "Secure", "Non-secure", "Root", "Realm" */
const char *hw_world_name(enum hw_world w);
const char *hw_result_name(enum hw_result r);

#define HW_MEM_MAX_REGIONS 8u     /* as many as a vhost-user memory table carries */

/* How a region's bytes are held. */
enum hw_backing {
        HW_BACKING_ANON = 0,    /* anonymous host memory of this process, zeroed */
};

/* One region asked of hw_mem_create_regions(). */
struct hw_region_config {
        uint64_t base;          /* granule-aligned */
        uint64_t size;          /* granule-aligned, > 0; base + size may reach 2^64, not wrap */
        enum hw_backing backing;
};

/* One region as created (hw_mem_region). */
struct hw_region_info {
        uint64_t base, size;
        enum hw_backing backing;
        int fd;                 /* the backing's file descriptor, or -1 (HW_BACKING_ANON) */
};

/* Creates memory of n regions (1 <= n <= HW_MEM_MAX_REGIONS, in any order). Each region must
 * be granule-aligned, non-empty, not wrap past 2^64 and not overlap another; returns false
 * otherwise or when out of memory (*out is then NULL). trace may be NULL. All bytes zero, all
 * granules Non-secure, every owner tag 0. The span (lowest base to highest end) must fit the
 * host's address space: the GPT and the owner tags take 5 bytes per granule of it. */
bool hw_mem_create_regions(struct hw_mem **out, const struct hw_region_config *regions, unsigned n,
                           struct trace *trace);
/* Creates memory of one region [base, base+size), anonymous. As hw_mem_create_regions. */
bool hw_mem_create(struct hw_mem **out, uint64_t base, uint64_t size, struct trace *trace);
void hw_mem_destroy(struct hw_mem *m);

/* The span: lowest region base, and bytes from there to the highest region's end. */
uint64_t hw_mem_base(const struct hw_mem *m);
uint64_t hw_mem_size(const struct hw_mem *m);

/* Regions in ascending address order: how many, and region i (false if i is out of range). */
unsigned hw_mem_regions(const struct hw_mem *m);
bool hw_mem_region(const struct hw_mem *m, unsigned i, struct hw_region_info *info);

/* True if all of [pa, pa+len) is memory: inside regions, no gap (len 0 is allowed and checks
 * pa only). */
bool hw_mem_contains(const struct hw_mem *m, uint64_t pa, uint64_t len);

/* Checked accesses. len may be 0 (a no-op that still checks pa). fault may be NULL. */
enum hw_result hw_read(struct hw_mem *m, enum hw_world w, uint64_t pa, void *dst, size_t len,
                       struct hw_fault *fault);
enum hw_result hw_write(struct hw_mem *m, enum hw_world w, uint64_t pa, const void *src,
                        size_t len, struct hw_fault *fault);
/* Copies within memory; src read-checked, dst write-checked, ranges may overlap. */
enum hw_result hw_copy(struct hw_mem *m, enum hw_world w, uint64_t dst_pa, uint64_t src_pa,
                       size_t len, struct hw_fault *fault);
enum hw_result hw_fill(struct hw_mem *m, enum hw_world w, uint64_t pa, uint8_t byte, size_t len,
                       struct hw_fault *fault);

/* The protection check alone (no data moves, but a denial is a GPF like any other). */
enum hw_result hw_check(struct hw_mem *m, enum hw_world w, uint64_t pa, uint64_t len,
                        enum hw_access access, struct hw_fault *fault);

/* Checks [pa, pa+len) exactly as hw_check does (same faults, counters and trace events) and,
 * when the access is allowed, sets *ptr to the host address of pa: the range is len
 * contiguous bytes there (len 0: *ptr is still pa's address). This is how a party that holds
 * memory mapped in its own address space (the host's device models, handing guest buffers to
 * a backend as iovecs) reaches it without copying.
 * The check holds at the time of the call only: the caller must use the bytes before anything
 * can change the GPT (a granule transition) and must not keep the pointer beyond that. The
 * model is single-threaded, so "before the caller returns to whoever may call the RMM" is
 * enough. The pointer itself stays dereferenceable until hw_mem_destroy.
 * On a fault *ptr is left unchanged. */
enum hw_result hw_map(struct hw_mem *m, enum hw_world w, uint64_t pa, uint64_t len,
                      enum hw_access access, void **ptr, struct hw_fault *fault);

/* The host address of pa, with no check at all. Only for a caller that holds a current
 * verdict for the bytes it will touch: hw_check (or hw_map) returned HW_OK for the same world
 * and a range covering them, or hw_granule_worlds() named the world for their granule, and
 * hw_gpt_gen() has not changed since. pa must be in memory
 * (asserted). The pointer stays dereferenceable until hw_mem_destroy; the verdict does not. */
uint8_t *hw_ptr(struct hw_mem *m, uint64_t pa);

/* The GPT's generation: changes whenever any granule's PAS does (hw_gpt_transition), never
 * otherwise. A GPC verdict depends only on the granule's GPT entry, the world and whether the
 * address is memory (the regions, fixed at creation), so a verdict obtained at generation g
 * still holds while hw_gpt_gen() == g. Starts at 0. */
uint64_t hw_gpt_gen(const struct hw_mem *m);
/* The worlds the granule protection check lets reach the whole granule at pa (bit w set:
 * hw_check(m, w, granule, GRANULE_SIZE, ...) would succeed), 0 when the granule is not all
 * memory. A query: no fault is counted or traced. Like any verdict it holds while
 * hw_gpt_gen() is unchanged. */
unsigned hw_granule_worlds(const struct hw_mem *m, uint64_t pa);
/* The counter hw_gpt_gen reads, as a read-only view (like hw_gpt_view) for a lookup too hot
 * for a call: a REC's TLB compares against it on every access. Valid while m lives. */
const uint64_t *hw_gpt_gen_view(const struct hw_mem *m);

/* PAS of the granule holding pa; false if pa is outside memory. */
bool hw_gpt_get(const struct hw_mem *m, uint64_t pa, enum hw_pas *pas);

/* Root world only: changes one granule's PAS from `from` to `to`. Returns HW_OK, or
 * HW_ADDR_FAULT (pa unaligned/outside), or HW_GPF when the caller is not Root, the
 * granule is not currently in `from`, or `to` is not a PAS (nothing changes then).
 * Checked in that order. A refused transition is a refused call, not an access: it is
 * not counted by hw_gpf_count and emits no `gpf` event. Memory contents are untouched
 * (scrubbing is the caller's job). A transition that succeeds advances hw_gpt_gen(). */
enum hw_result hw_gpt_transition(struct hw_mem *m, enum hw_world caller, uint64_t pa,
                                 enum hw_pas from, enum hw_pas to);

/* Number of GPFs raised so far. */
uint64_t hw_gpf_count(const struct hw_mem *m);

/* ---- ownership: a debugging aid of the model, not an architectural feature ----
 * Real hardware knows only a granule's PAS. The model also records which Realm owns each
 * Realm-PAS granule (a nonzero tag the RMM chooses; 0 = no Realm), so that test builds can
 * assert that a REC touches only its own Realm's granules. Reset: every tag 0. */

/* Tags the granule holding pa (any alignment). No-op outside memory. */
void hw_owner_set(struct hw_mem *m, uint64_t pa, uint32_t owner);
/* The tag of the granule holding pa; 0 outside memory. */
uint32_t hw_owner_get(const struct hw_mem *m, uint64_t pa);
/* Read-only views for whole-memory checkers (one entry per granule, index (pa - base) >> 12):
 * the GPT as enum hw_pas bytes, and the ownership tags. Valid while m lives. */
const uint8_t *hw_gpt_view(const struct hw_mem *m);
const uint32_t *hw_owner_view(const struct hw_mem *m);
/* True if every Realm-PAS granule in [pa, pa+len) carries `owner` (NS granules pass: they
 * belong to no Realm). On false, *bad_pa is the first granule that does not. */
bool hw_owner_check(const struct hw_mem *m, uint32_t owner, uint64_t pa, uint64_t len,
                    uint64_t *bad_pa);

#endif
