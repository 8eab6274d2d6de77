/* Physical memory and the Granule Protection Table, with the granule protection check.
 *
 * Memory is a few regions (hw.h). The host holds the whole span as one zeroed allocation,
 * aligned to a granule: every address has one host address, pa - base from its start, whatever
 * region it is in, so an access that crosses from a region into an adjacent one is one memcpy,
 * and a guest page and a host buffer that are both page-aligned copy at equal page offsets
 * (the fast case for memcpy). Which addresses are memory is decided by the region table before
 * any byte moves; the bytes of a gap are never touched, so they cost address space only.
 * calloc is deliberate: a process that builds machine after machine (a fuzzer) gets the same
 * already-faulted heap back each time instead of faulting every page in again.
 * A region backed by a memfd of its own (for a vhost-user daemon) will need its own mapping:
 * the span then becomes a reservation of address space (PROT_NONE) with each region's backing
 * mapped into it at its offset (MAP_FIXED), and the accessors below do not change.
 *
 * The GPT is one byte (an enum hw_pas) per 4 KiB granule of the span, the flat equivalent of
 * a GPT whose level-0 entries all point to granule descriptors (Arm ARM D9.1). Every access
 * checks its whole range first, then moves bytes.
 */
#include "hw/hw.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct hw_region {
        uint64_t base;
        uint64_t size;          /* base + size may be 2^64 (0): compare offsets, not ends */
        enum hw_backing backing;
};

struct hw_mem {
        uint64_t base;          /* span: lowest region base ... */
        uint64_t size;          /* ... and bytes to the highest region's end */
        uint8_t *alloc;         /* the span's allocation: size + one granule, zeroed */
        uint8_t *bytes;         /* alloc rounded up to a granule: pa is at bytes + (pa - base) */
        unsigned nregions;
        struct hw_region region[HW_MEM_MAX_REGIONS];    /* ascending, disjoint */
        uint8_t *gpt;           /* one enum hw_pas per granule of the span */
        uint64_t gpt_gen;       /* advanced by every change of a gpt entry (hw_gpt_gen) */
        uint32_t *owner;        /* one owner tag per granule of the span (model aid, see hw.h) */
        struct trace_group *tr; /* "hw" events (NULL: none) */
        uint64_t gpf_count;
};

#define PAS_BIT(p) (1u << (p))

static const char *const hw_events[] = { [HW_TRACE_GPF] = "gpf" };
const struct trace_subsys hw_trace = TRACE_SUBSYS("hw", hw_events);

/* Which PAS each world may access (Arm ARM D9.1, "GPC"; same table as hw.h). Reads and
 * writes are checked alike. Indexed by enum hw_world. */
static const uint8_t world_may_access[4] = {
        [HW_WORLD_SECURE] = PAS_BIT(HW_PAS_SECURE) | PAS_BIT(HW_PAS_NS),
        [HW_WORLD_NS] = PAS_BIT(HW_PAS_NS),
        [HW_WORLD_ROOT] = PAS_BIT(HW_PAS_SECURE) | PAS_BIT(HW_PAS_NS) | PAS_BIT(HW_PAS_ROOT) |
                          PAS_BIT(HW_PAS_REALM),
        [HW_WORLD_REALM] = PAS_BIT(HW_PAS_NS) | PAS_BIT(HW_PAS_REALM),
};

static const char *const space_names[4] = { "Secure", "Non-secure", "Root", "Realm" };

const char *hw_pas_name(enum hw_pas pas)
{
        return (unsigned)pas < 4 ? space_names[pas] : "unknown";
}

const char *hw_world_name(enum hw_world w)
{
        return (unsigned)w < 4 ? space_names[w] : "unknown";
}

const char *hw_result_name(enum hw_result r)
{
        switch (r) {
        case HW_OK:
                return "ok";
        case HW_GPF:
                return "granule protection fault";
        case HW_ADDR_FAULT:
                return "address fault";
        case HW_DMA_FAULT:
                return "DMA fault";
        }
        return "unknown";
}

static const char *access_name(enum hw_access a)
{
        return a == HW_ACCESS_WRITE ? "write" : "read";
}

/* ---- lifetime ---- */

static bool region_config_ok(const struct hw_region_config *r)
{
        return r->size != 0 && !(r->base & GRANULE_MASK) && !(r->size & GRANULE_MASK) &&
               r->size - 1 <= UINT64_MAX - r->base && r->backing == HW_BACKING_ANON;
}

/* Copies the n regions into m in ascending order; false if any is malformed or two overlap. */
static bool take_regions(struct hw_mem *m, const struct hw_region_config *cfg, unsigned n)
{
        for (unsigned i = 0; i < n; i++) {
                if (!region_config_ok(&cfg[i]))
                        return false;
                struct hw_region r = { cfg[i].base, cfg[i].size, cfg[i].backing };
                unsigned j = i;
                for (; j > 0 && m->region[j - 1].base > r.base; j--)    /* insertion sort */
                        m->region[j] = m->region[j - 1];
                m->region[j] = r;
        }
        m->nregions = n;
        for (unsigned i = 1; i < n; i++)
                if (m->region[i].base - m->region[i - 1].base < m->region[i - 1].size)
                        return false;   /* starts inside the one below it */
        return true;
}

/* Allocates the span's bytes, zeroed, starting on a granule boundary. */
static bool alloc_span(struct hw_mem *m)
{
        if (m->size > SIZE_MAX - GRANULE_SIZE)
                return false;
        m->alloc = calloc((size_t)(m->size + GRANULE_SIZE), 1);
        if (!m->alloc)
                return false;
        m->bytes = m->alloc + (-(uintptr_t)m->alloc & (uintptr_t)GRANULE_MASK);
        return true;
}

bool hw_mem_create_regions(struct hw_mem **out, const struct hw_region_config *regions, unsigned n,
                           struct trace *trace)
{
        struct hw_mem *m;

        *out = NULL;
        if (!regions || n == 0 || n > HW_MEM_MAX_REGIONS)
                return false;
        m = calloc(1, sizeof(*m));
        if (!m)
                return false;
        if (!take_regions(m, regions, n)) {
                free(m);
                return false;
        }
        m->base = m->region[0].base;
        const struct hw_region *top = &m->region[n - 1];
        uint64_t span_last = top->base - m->base + (top->size - 1); /* size - 1: 2^64 does not fit */
        if (span_last >= SIZE_MAX) {
                free(m);
                return false;
        }
        m->size = span_last + 1;
        m->tr = trace_register(trace, &hw_trace);
        size_t granules = (size_t)(m->size >> GRANULE_SHIFT);
        m->gpt = malloc(granules);
        m->owner = calloc(granules, sizeof(*m->owner));
        if (!m->gpt || !m->owner || !alloc_span(m)) {
                hw_mem_destroy(m);
                return false;
        }
        memset(m->gpt, HW_PAS_NS, granules); /* reset: all NS (gap granules too: see hw.h) */
        *out = m;
        return true;
}

bool hw_mem_create(struct hw_mem **out, uint64_t base, uint64_t size, struct trace *trace)
{
        struct hw_region_config r = { .base = base, .size = size, .backing = HW_BACKING_ANON };
        return hw_mem_create_regions(out, &r, 1, trace);
}

void hw_mem_destroy(struct hw_mem *m)
{
        if (!m)
                return;
        free(m->alloc);
        free(m->gpt);
        free(m->owner);
        free(m);
}

uint64_t hw_mem_base(const struct hw_mem *m) { return m->base; }
uint64_t hw_mem_size(const struct hw_mem *m) { return m->size; }
unsigned hw_mem_regions(const struct hw_mem *m) { return m->nregions; }

bool hw_mem_region(const struct hw_mem *m, unsigned i, struct hw_region_info *info)
{
        if (i >= m->nregions)
                return false;
        const struct hw_region *r = &m->region[i];
        *info = (struct hw_region_info){ .base = r->base, .size = r->size, .backing = r->backing, .fd = -1 };
        return true;
}

/* The end of region i and of the regions adjacent above it: the first address after it that
 * is not memory (0 when memory runs to 2^64). */
static inline uint64_t memory_end(const struct hw_mem *m, unsigned i)
{
        for (; i + 1 < m->nregions && m->region[i + 1].base == m->region[i].base + m->region[i].size; i++)
                ;
        return m->region[i].base + m->region[i].size; /* wraps to 0 for a region ending at 2^64 */
}

/* contains() past its first region: which region holds pa, and how far memory runs from it. */
static inline __attribute__((always_inline)) bool contains_slow(const struct hw_mem *m, uint64_t pa, uint64_t len, uint64_t *bad)
{
        for (unsigned i = 0; i < m->nregions && pa >= m->region[i].base; i++) {
                if (pa - m->region[i].base >= m->region[i].size)
                        continue;
                uint64_t end = memory_end(m, i);        /* 0: memory runs to 2^64 */
                uint64_t room = end - pa;               /* bytes of memory from pa; 0: 2^64 */
                if (room == 0 || len <= room)
                        return true;
                if (bad)
                        *bad = end;
                return false;
        }
        if (bad)
                *bad = pa;      /* in a gap, below memory or above it */
        return false;
}

/* Whether [pa, pa+len) is memory; if not, *bad (may be NULL) is the first address that is not.
 * Inside the first region (every access of a one-region machine) it costs what the range
 * check of one allocation does: the fuzzers make millions of these. */
static inline bool contains(const struct hw_mem *m, uint64_t pa, uint64_t len, uint64_t *bad)
{
        uint64_t off = pa - m->region[0].base;
        if (off < m->region[0].size && len <= m->region[0].size - off)
                return true;
        return contains_slow(m, pa, len, bad);
}

bool hw_mem_contains(const struct hw_mem *m, uint64_t pa, uint64_t len)
{
        return contains(m, pa, len, NULL);
}

/* ---- checks ---- */

static void set_fault(struct hw_fault *fault, enum hw_world w, enum hw_pas pas,
                      enum hw_access access, uint64_t pa)
{
        if (!fault)
                return;
        fault->world = w;
        fault->pas = pas;
        fault->access = access;
        fault->pa = pa;
}

/* External abort when [pa, pa+len) is not all memory. The fault address is pa if pa is
 * outside memory, else the first address of the range that is not memory (past the end of
 * pa's region and of any region adjacent to it). */
static enum hw_result check_range(const struct hw_mem *m, enum hw_world w, uint64_t pa,
                                  uint64_t len, enum hw_access access, struct hw_fault *fault)
{
        uint64_t bad;

        if (contains(m, pa, len, &bad))
                return HW_OK;
        set_fault(fault, w, HW_PAS_NS, access, bad);
        return HW_ADDR_FAULT;
}

static enum hw_result raise_gpf(struct hw_mem *m, enum hw_world w, uint64_t pa,
                                enum hw_pas pas, enum hw_access access, struct hw_fault *fault)
{
        m->gpf_count++;
        set_fault(fault, w, pas, access, pa);
        if (trace_on(m->tr, HW_TRACE_GPF))
                trace_emit(m->tr, HW_TRACE_GPF, "world=%s pa=0x%" PRIx64 " pas=%s access=%s",
                           hw_world_name(w), pa, hw_pas_name(pas), access_name(access));
        return HW_GPF;
}

/* The granule protection check over a range already known to be in memory. */
static enum hw_result check_gpc(struct hw_mem *m, enum hw_world w, uint64_t pa, uint64_t len,
                                enum hw_access access, struct hw_fault *fault)
{
        unsigned allowed = (unsigned)w < 4 ? world_may_access[w] : 0;
        uint64_t off = pa - m->base;
        uint64_t first = off >> GRANULE_SHIFT;
        uint64_t last = (len ? off + len - 1 : off) >> GRANULE_SHIFT;
        const uint8_t *gpt = m->gpt;

        for (uint64_t g = first; g <= last; g++) {
                if (allowed & PAS_BIT(gpt[g]))
                        continue;
                uint64_t at = g == first ? pa : m->base + (g << GRANULE_SHIFT);
                return raise_gpf(m, w, at, (enum hw_pas)gpt[g], access, fault);
        }
        return HW_OK;
}

enum hw_result hw_check(struct hw_mem *m, enum hw_world w, uint64_t pa, uint64_t len,
                        enum hw_access access, struct hw_fault *fault)
{
        enum hw_result r = check_range(m, w, pa, len, access, fault);

        if (r != HW_OK)
                return r;
        return check_gpc(m, w, pa, len, access, fault);
}

enum hw_result hw_map(struct hw_mem *m, enum hw_world w, uint64_t pa, uint64_t len,
                      enum hw_access access, void **ptr, struct hw_fault *fault)
{
        enum hw_result r = hw_check(m, w, pa, len, access, fault);

        if (r == HW_OK)
                *ptr = m->bytes + (pa - m->base);
        return r;
}

/* Unchecked: the caller holds a current verdict (hw.h). */
uint8_t *hw_ptr(struct hw_mem *m, uint64_t pa)
{
        assert(contains(m, pa, 0, NULL));
        return m->bytes + (pa - m->base);
}

/* ---- accesses ---- */

enum hw_result hw_read(struct hw_mem *m, enum hw_world w, uint64_t pa, void *dst, size_t len,
                       struct hw_fault *fault)
{
        enum hw_result r = hw_check(m, w, pa, len, HW_ACCESS_READ, fault);

        if (r == HW_OK && len)
                memcpy(dst, m->bytes + (pa - m->base), len);
        return r;
}

enum hw_result hw_write(struct hw_mem *m, enum hw_world w, uint64_t pa, const void *src,
                        size_t len, struct hw_fault *fault)
{
        enum hw_result r = hw_check(m, w, pa, len, HW_ACCESS_WRITE, fault);

        if (r == HW_OK && len)
                memcpy(m->bytes + (pa - m->base), src, len);
        return r;
}

enum hw_result hw_copy(struct hw_mem *m, enum hw_world w, uint64_t dst_pa, uint64_t src_pa,
                       size_t len, struct hw_fault *fault)
{
        enum hw_result r = hw_check(m, w, src_pa, len, HW_ACCESS_READ, fault);

        if (r == HW_OK)
                r = hw_check(m, w, dst_pa, len, HW_ACCESS_WRITE, fault);
        if (r == HW_OK && len)
                memmove(m->bytes + (dst_pa - m->base), m->bytes + (src_pa - m->base), len);
        return r;
}

enum hw_result hw_fill(struct hw_mem *m, enum hw_world w, uint64_t pa, uint8_t byte, size_t len,
                       struct hw_fault *fault)
{
        enum hw_result r = hw_check(m, w, pa, len, HW_ACCESS_WRITE, fault);

        if (r == HW_OK && len)
                memset(m->bytes + (pa - m->base), byte, len);
        return r;
}

unsigned hw_granule_worlds(const struct hw_mem *m, uint64_t pa)
{
        pa &= ~(uint64_t)GRANULE_MASK;
        if (!contains(m, pa, GRANULE_SIZE, NULL))
                return 0;
        unsigned pas = PAS_BIT(m->gpt[(pa - m->base) >> GRANULE_SHIFT]), worlds = 0;
        for (unsigned w = 0; w < 4; w++)
                if (world_may_access[w] & pas)
                        worlds |= 1u << w;
        return worlds;
}

/* ---- GPT ---- */

bool hw_gpt_get(const struct hw_mem *m, uint64_t pa, enum hw_pas *pas)
{
        if (!contains(m, pa, 0, NULL))
                return false;
        *pas = (enum hw_pas)m->gpt[(pa - m->base) >> GRANULE_SHIFT];
        return true;
}

/* A refused transition is a refused service call, not a memory access: it is neither
 * counted as a GPF nor traced. */
enum hw_result hw_gpt_transition(struct hw_mem *m, enum hw_world caller, uint64_t pa,
                                 enum hw_pas from, enum hw_pas to)
{
        if (caller != HW_WORLD_ROOT)
                return HW_GPF;
        if ((pa & GRANULE_MASK) || !contains(m, pa, GRANULE_SIZE, NULL))
                return HW_ADDR_FAULT;
        uint8_t *entry = &m->gpt[(pa - m->base) >> GRANULE_SHIFT];
        if ((unsigned)to >= 4 || *entry != (uint8_t)from)
                return HW_GPF;
        *entry = (uint8_t)to;
        m->gpt_gen++; /* every verdict cached against the GPT is now stale (hw_gpt_gen) */
        return HW_OK;
}

/* The only writes to gpt[] are the reset memset (before any verdict exists) and
 * hw_gpt_transition, which advances this. */
uint64_t hw_gpt_gen(const struct hw_mem *m) { return m->gpt_gen; }
const uint64_t *hw_gpt_gen_view(const struct hw_mem *m) { return &m->gpt_gen; }

uint64_t hw_gpf_count(const struct hw_mem *m) { return m->gpf_count; }

/* ---- ownership (model aid) ---- */

void hw_owner_set(struct hw_mem *m, uint64_t pa, uint32_t owner)
{
        if (contains(m, pa, 0, NULL))
                m->owner[(pa - m->base) >> GRANULE_SHIFT] = owner;
}

uint32_t hw_owner_get(const struct hw_mem *m, uint64_t pa)
{
        return contains(m, pa, 0, NULL) ? m->owner[(pa - m->base) >> GRANULE_SHIFT] : 0;
}

const uint8_t *hw_gpt_view(const struct hw_mem *m) { return m->gpt; }
const uint32_t *hw_owner_view(const struct hw_mem *m) { return m->owner; }

bool hw_owner_check(const struct hw_mem *m, uint32_t owner, uint64_t pa, uint64_t len,
                    uint64_t *bad_pa)
{
        if (!contains(m, pa, len, NULL)) {
                *bad_pa = pa;
                return false;
        }
        uint64_t off = pa - m->base;
        uint64_t last = (len ? off + len - 1 : off) >> GRANULE_SHIFT;
        for (uint64_t g = off >> GRANULE_SHIFT; g <= last; g++) {
                if (m->gpt[g] == HW_PAS_REALM && m->owner[g] != owner) {
                        *bad_pa = m->base + (g << GRANULE_SHIFT);
                        return false;
                }
        }
        return true;
}
