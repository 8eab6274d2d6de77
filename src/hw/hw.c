/* Physical memory and the Granule Protection Table, with the granule protection check.
 *
 * Memory is one zeroed allocation; the GPT is one byte (an enum hw_pas) per 4 KiB granule,
 * the flat equivalent of a GPT whose level-0 entries all point to granule descriptors
 * (Arm ARM D9.1). Every access checks its whole range first, then moves bytes.
 */
#include "hw/hw.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct hw_mem {
        uint64_t base;
        uint64_t size;
        uint8_t *bytes;         /* size bytes */
        uint8_t *gpt;           /* one enum hw_pas per granule */
        uint32_t *owner;        /* one owner tag per granule (model aid, see hw.h) */
        struct trace *trace;    /* may be NULL */
        uint64_t gpf_count;
};

#define PAS_BIT(p) (1u << (p))

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
        }
        return "unknown";
}

static const char *access_name(enum hw_access a)
{
        return a == HW_ACCESS_WRITE ? "write" : "read";
}

/* ---- lifetime ---- */

bool hw_mem_create(struct hw_mem **out, uint64_t base, uint64_t size, struct trace *trace)
{
        struct hw_mem *m;

        *out = NULL;
        if (size == 0 || (base & GRANULE_MASK) || (size & GRANULE_MASK))
                return false;
        if (size - 1 > UINT64_MAX - base || size > SIZE_MAX)
                return false;   /* [base, base+size) must not wrap, and must fit in memory */
        m = calloc(1, sizeof(*m));
        if (!m)
                return false;
        m->base = base;
        m->size = size;
        m->trace = trace;
        m->bytes = calloc((size_t)size, 1);
        m->gpt = malloc((size_t)(size >> GRANULE_SHIFT));
        m->owner = calloc((size_t)(size >> GRANULE_SHIFT), sizeof(*m->owner));
        if (!m->bytes || !m->gpt || !m->owner) {
                hw_mem_destroy(m);
                return false;
        }
        memset(m->gpt, HW_PAS_NS, (size_t)(size >> GRANULE_SHIFT)); /* reset: all NS */
        *out = m;
        return true;
}

void hw_mem_destroy(struct hw_mem *m)
{
        if (!m)
                return;
        free(m->bytes);
        free(m->gpt);
        free(m->owner);
        free(m);
}

uint64_t hw_mem_base(const struct hw_mem *m) { return m->base; }
uint64_t hw_mem_size(const struct hw_mem *m) { return m->size; }

bool hw_mem_contains(const struct hw_mem *m, uint64_t pa, uint64_t len)
{
        if (pa < m->base || pa - m->base >= m->size)
                return false;
        return len <= m->size - (pa - m->base);  /* never wraps: the subtraction cannot */
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
 * outside, else the first address past the end of memory. */
static enum hw_result check_range(const struct hw_mem *m, enum hw_world w, uint64_t pa,
                                  uint64_t len, enum hw_access access, struct hw_fault *fault)
{
        if (hw_mem_contains(m, pa, len))
                return HW_OK;
        bool pa_inside = hw_mem_contains(m, pa, 0);
        set_fault(fault, w, HW_PAS_NS, access, pa_inside ? m->base + m->size : pa);
        return HW_ADDR_FAULT;
}

static enum hw_result raise_gpf(struct hw_mem *m, enum hw_world w, uint64_t pa,
                                enum hw_pas pas, enum hw_access access, struct hw_fault *fault)
{
        m->gpf_count++;
        set_fault(fault, w, pas, access, pa);
        if (trace_on(m->trace, TRACE_GPF))
                trace_emit(m->trace, TRACE_GPF, "world=%s pa=0x%" PRIx64 " pas=%s access=%s",
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

/* ---- GPT ---- */

bool hw_gpt_get(const struct hw_mem *m, uint64_t pa, enum hw_pas *pas)
{
        if (!hw_mem_contains(m, pa, 0))
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
        if ((pa & GRANULE_MASK) || !hw_mem_contains(m, pa, GRANULE_SIZE))
                return HW_ADDR_FAULT;
        uint8_t *entry = &m->gpt[(pa - m->base) >> GRANULE_SHIFT];
        if ((unsigned)to >= 4 || *entry != (uint8_t)from)
                return HW_GPF;
        *entry = (uint8_t)to;
        return HW_OK;
}

uint64_t hw_gpf_count(const struct hw_mem *m) { return m->gpf_count; }

/* ---- ownership (model aid) ---- */

void hw_owner_set(struct hw_mem *m, uint64_t pa, uint32_t owner)
{
        if (hw_mem_contains(m, pa, 0))
                m->owner[(pa - m->base) >> GRANULE_SHIFT] = owner;
}

uint32_t hw_owner_get(const struct hw_mem *m, uint64_t pa)
{
        return hw_mem_contains(m, pa, 0) ? m->owner[(pa - m->base) >> GRANULE_SHIFT] : 0;
}

const uint8_t *hw_gpt_view(const struct hw_mem *m) { return m->gpt; }
const uint32_t *hw_owner_view(const struct hw_mem *m) { return m->owner; }

bool hw_owner_check(const struct hw_mem *m, uint32_t owner, uint64_t pa, uint64_t len,
                    uint64_t *bad_pa)
{
        if (!hw_mem_contains(m, pa, len)) {
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
