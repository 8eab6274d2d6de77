/* The SMMU (src/hw/smmu.c) under a hostile device and a hostile host: the input is a
 * sequence of operations on 8 granules of memory (BASE..), one Realm stage 2 of 8 IPA pages
 * (the harness's own table, as the RMM's would be) and a few streams:
 *
 *   op 0  STE write: caller world (5 values, one not a world), stream, mode (4 values, one
 *         not a mode), owner tag 0..2, with or without the stage-2 callback, DMA bit
 *   op 1  DMA enable/disable by a caller world
 *   op 2  Root moves a granule to a PAS and tags its owner 0..2 (a Realm's or the RMM's own)
 *   op 3  the stage 2 maps or unmaps an IPA page to any address (granule of memory or not,
 *         unaligned, far away)
 *   op 4  a DMA transaction: stream, T bit, IOVA near memory, near the IPA space or raw,
 *         length 0..HW_DMA_MAX_LEN + 1, access (4 values, two not an access)
 *   op 5  drain part of the event queue
 *
 * What must hold after each operation:
 *   - an STE write or DMA enable from Non-secure or Secure never changes a REALM STE, never
 *     installs one, and any refused write changes nothing; a write that succeeds is read back;
 *   - a transaction the SMMU reports OK matched its stream (BYPASS with T=0, REALM with T=1 and
 *     DMA enabled), and every granule it touched is one its STE allows: Non-secure PAS for
 *     BYPASS (at IOVA = PA), Non-secure or a Realm granule of the STE's owner for REALM (at
 *     the address the stage 2 gives); a write put exactly buf there and nothing elsewhere,
 *     a read changed no memory and returned exactly those bytes;
 *   - a refused transaction changed no memory and no byte of the device's buffer, returned the
 *     status its reason implies, and was queued or counted as an overflow.
 * Seeds (fuzz/corpus/smmu/, made by fuzz/corpus/make_smmu_seeds.py): honest runs of a BYPASS
 * stream and an accepted Realm stream, a host trying to repoint a Realm stream, and a
 * malformed STE write by Non-secure over a Realm stream (found by libFuzzer: refused as
 * BAD_STE, which is checked before DENIED). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hw/dma.h"
#include "hw/smmu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE     0x80000000ull
#define NPAGES   8u
#define SIZE     (NPAGES * GRANULE_SIZE)
#define IPA_BASE 0x40000000ull
#define MAX_OPS  64u

struct input {
        const uint8_t *p;
        size_t left;
};

static uint8_t in_u8(struct input *in)
{
        if (!in->left)
                return 0;
        in->left--;
        return *in->p++;
}

static uint16_t in_u16(struct input *in)
{
        uint16_t lo = in_u8(in);
        return (uint16_t)(lo | (uint16_t)(in_u8(in) << 8));
}

static uint64_t in_u64(struct input *in)
{
        uint64_t v = 0;
        for (unsigned i = 0; i < 8; i++)
                v |= (uint64_t)in_u8(in) << (8 * i);
        return v;
}

struct s2_table {
        uint64_t pa[NPAGES];
        bool mapped[NPAGES];
};

static bool s2_walk(void *ctx, uint64_t ipa, enum hw_access access, uint64_t *pa)
{
        const struct s2_table *s2 = ctx;
        uint64_t i = (ipa - IPA_BASE) >> GRANULE_SHIFT;

        (void)access;
        if (ipa < IPA_BASE || i >= NPAGES || !s2->mapped[i])
                return false;
        *pa = s2->pa[i];
        return true;
}

struct harness {
        struct hw_mem *m;
        struct hw_smmu *s;
        struct s2_table s2;
        uint8_t before[SIZE], after[SIZE];
        uint8_t buf[HW_DMA_MAX_LEN + 2], buf0[HW_DMA_MAX_LEN + 2];
};

static const uint16_t sids[4] = { 0x0100, 0x0208, 0xffff, 0x0000 };

static uint16_t pick_sid(struct input *in)
{
        uint8_t b = in_u8(in);
        return b < 0xf0 ? sids[b & 3u] : in_u16(in);
}

static void snap(struct harness *h, uint8_t *out)
{
        if (hw_read(h->m, HW_WORLD_ROOT, BASE, out, SIZE, NULL) != HW_OK)
                abort();
}

static bool realm_side(enum hw_world w) { return w == HW_WORLD_ROOT || w == HW_WORLD_REALM; }

static void op_ste_set(struct harness *h, struct input *in)
{
        enum hw_world caller = (enum hw_world)(in_u8(in) % 5u);
        uint16_t sid = pick_sid(in);
        uint8_t b = in_u8(in);
        struct hw_ste ste = {
                .mode = (enum hw_ste_mode)(b & 3u),
                .dma_enabled = (b >> 2) & 1u,
                .owner = (uint32_t)((b >> 3) % 3u),
                .s2 = (b & 0x80u) ? NULL : s2_walk,
                .s2_ctx = &h->s2,
        };
        struct hw_ste old, now;
        enum hw_smmu_status st;

        hw_smmu_ste_get(h->s, sid, &old);
        st = hw_smmu_ste_set(h->s, caller, sid, &ste);
        hw_smmu_ste_get(h->s, sid, &now);
        /* refused (DENIED, or BAD_STE for a malformed entry, checked first) */
        if (!realm_side(caller) && (old.mode == HW_STE_REALM || ste.mode == HW_STE_REALM) &&
            st == HW_SMMU_OK)
                abort();
        if (st != HW_SMMU_OK) {
                if (memcmp(&old, &now, sizeof(old)))
                        abort();
                return;
        }
        if (now.mode != ste.mode)
                abort();
        if (now.mode == HW_STE_REALM &&
            (now.owner != ste.owner || now.s2 != ste.s2 || now.dma_enabled != ste.dma_enabled))
                abort();
}

static void op_dma_enable(struct harness *h, struct input *in)
{
        enum hw_world caller = (enum hw_world)(in_u8(in) % 5u);
        uint16_t sid = pick_sid(in);
        bool enable = in_u8(in) & 1u;
        struct hw_ste old, now;
        enum hw_smmu_status st;

        hw_smmu_ste_get(h->s, sid, &old);
        st = hw_smmu_ste_dma_enable(h->s, caller, sid, enable);
        hw_smmu_ste_get(h->s, sid, &now);
        if (st == HW_SMMU_OK ? (!realm_side(caller) || now.dma_enabled != enable)
                             : memcmp(&old, &now, sizeof(old)) != 0)
                abort();
}

static void op_granule(struct harness *h, struct input *in)
{
        uint64_t pa = BASE + (uint64_t)(in_u8(in) % NPAGES) * GRANULE_SIZE;
        enum hw_pas to = (enum hw_pas)(in_u8(in) & 3u), cur;
        uint32_t owner = (uint32_t)(in_u8(in) % 3u);

        if (!hw_gpt_get(h->m, pa, &cur))
                abort();
        if (hw_gpt_transition(h->m, HW_WORLD_ROOT, pa, cur, to) != HW_OK)
                abort();
        hw_owner_set(h->m, pa, to == HW_PAS_REALM ? owner : 0);
}

static void op_s2_map(struct harness *h, struct input *in)
{
        unsigned i = in_u8(in) % NPAGES;
        uint8_t how = in_u8(in);

        h->s2.mapped[i] = how != 0;
        if (how < 0xf0)
                h->s2.pa[i] = BASE + (uint64_t)(how % (NPAGES + 2)) * GRANULE_SIZE;
        else
                h->s2.pa[i] = in_u64(in);       /* unaligned, outside, wrapping */
}

/* The output address of iova under ste as the harness's own tables give it, and whether the
 * granule there is one the STE allows. */
static bool allowed_pa(struct harness *h, const struct hw_ste *ste, uint64_t iova, uint64_t *pa)
{
        uint64_t off = iova & GRANULE_MASK;
        enum hw_pas pas;

        if (ste->mode == HW_STE_BYPASS) {
                *pa = iova;
        } else {
                uint64_t page;
                if (!s2_walk(&h->s2, iova - off, HW_ACCESS_READ, &page))
                        return false;
                *pa = page + off;
        }
        if (!hw_mem_contains(h->m, *pa, 1) || !hw_gpt_get(h->m, *pa, &pas))
                return false;
        if (pas == HW_PAS_NS)
                return true;
        return ste->mode == HW_STE_REALM && pas == HW_PAS_REALM &&
               hw_owner_get(h->m, *pa) == ste->owner;
}

/* A transaction reported OK: check each page against the STE and replay the copy on
 * h->before, which must then equal memory (write) or the device's buffer (read). */
static void check_ok(struct harness *h, const struct hw_ste *ste, bool t, uint64_t iova,
                     size_t len, enum hw_access acc)
{
        size_t done = 0;

        if (ste->mode == HW_STE_BYPASS ? t : !(ste->mode == HW_STE_REALM && t && ste->dma_enabled))
                abort();
        if (acc != HW_ACCESS_READ && acc != HW_ACCESS_WRITE)
                abort();
        do {
                uint64_t pa, at = iova + done;
                size_t room = (size_t)(GRANULE_SIZE - (at & GRANULE_MASK));
                size_t seg = len - done < room ? len - done : room;

                if (!allowed_pa(h, ste, at, &pa))
                        abort();
                if (seg && !hw_mem_contains(h->m, pa, seg))
                        abort();
                if (acc == HW_ACCESS_WRITE)
                        memcpy(h->before + (pa - BASE), h->buf0 + done, seg);
                else if (memcmp(h->buf + done, h->before + (pa - BASE), seg))
                        abort();
                done += seg;
        } while (done < len);
        if (memcmp(h->before, h->after, SIZE))
                abort();
}

static void check_refused(struct harness *h, enum hw_result r, const struct hw_dma_fault *f,
                          size_t len, uint64_t queued, const struct hw_smmu_stats *st0)
{
        struct hw_smmu_stats st;
        enum hw_result want = f->reason == HW_DMA_GPF          ? HW_GPF
                              : f->reason == HW_DMA_ADDR_FAULT ? HW_ADDR_FAULT
                                                               : HW_DMA_FAULT;

        hw_smmu_stats(h->s, &st);
        if (f->reason == HW_DMA_OK || f->reason >= HW_DMA_REASONS || r != want)
                abort();
        if (memcmp(h->before, h->after, SIZE) || memcmp(h->buf, h->buf0, len))
                abort();
        if (hw_smmu_evtq_count(h->s) + st.evtq_overflows != queued + st0->evtq_overflows + 1)
                abort();
        if (st.faults[f->reason] != st0->faults[f->reason] + 1)
                abort();
}

static void op_dma(struct harness *h, struct input *in)
{
        uint16_t sid = pick_sid(in);
        uint8_t b = in_u8(in);
        bool t = b & 1u;
        enum hw_access acc = (enum hw_access)((b >> 1) & 3u);   /* 2, 3: not an access */
        uint64_t iova = (b >> 3) & 3u ? ((b >> 3) & 1u ? IPA_BASE : BASE) - GRANULE_SIZE + in_u16(in)
                                      : in_u64(in);
        size_t len = in_u16(in) % (3 * GRANULE_SIZE);
        struct hw_dma_fault f = { .reason = HW_DMA_OK };
        struct hw_smmu_stats st0;
        struct hw_ste ste;
        uint64_t queued = hw_smmu_evtq_count(h->s);
        enum hw_result r;

        if (b >= 0xe0)
                len = HW_DMA_MAX_LEN + (b & 3u) - 1u;   /* at and around the limit */
        for (size_t i = 0; i < len; i++)
                h->buf[i] = h->buf0[i] = (uint8_t)(i * 31u + b);
        hw_smmu_ste_get(h->s, sid, &ste);
        hw_smmu_stats(h->s, &st0);
        snap(h, h->before);
        r = hw_dma(h->s, sid, t, iova, h->buf, len, acc, &f);
        snap(h, h->after);
        if (r == HW_OK)
                check_ok(h, &ste, t, iova, len, acc);
        else
                check_refused(h, r, &f, len, queued, &st0);
}

static void op_drain(struct harness *h, struct input *in)
{
        unsigned n = in_u8(in) % 8u;
        struct hw_dma_fault ev;

        while (n-- && hw_smmu_evtq_pop(h->s, &ev))
                if (ev.reason == HW_DMA_OK || ev.reason >= HW_DMA_REASONS)
                        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct harness h;
        struct input in = { data, size };

        memset(&h.s2, 0, sizeof(h.s2));
        if (!hw_mem_create(&h.m, BASE, SIZE, NULL) || !hw_smmu_create(&h.s, h.m, NULL))
                abort();
        for (unsigned n = 0; n < MAX_OPS && in.left; n++) {
                switch (in_u8(&in) % 6u) {
                case 0: op_ste_set(&h, &in); break;
                case 1: op_dma_enable(&h, &in); break;
                case 2: op_granule(&h, &in); break;
                case 3: op_s2_map(&h, &in); break;
                case 4: op_dma(&h, &in); break;
                default: op_drain(&h, &in); break;
                }
        }
        hw_smmu_destroy(h.s);
        hw_mem_destroy(h.m);
        return 0;
}
