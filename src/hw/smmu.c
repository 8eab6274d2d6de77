/* The SMMU (see smmu.h) and the device DMA path through it (hw_dma, see dma.h). */
#include "hw/smmu.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define L2_SHIFT 8u                             /* 2-level stream table, split 8 */
#define L2_STES  (1u << L2_SHIFT)
#define L1_STES  (HW_SMMU_STREAMS >> L2_SHIFT)

struct hw_smmu {
        struct hw_mem *mem;
        struct trace_group *tr;                 /* "smmu" events (NULL: none) */
        struct hw_ste *l1[L1_STES];             /* NULL: all 256 streams ABORT */
        struct hw_dma_fault evtq[HW_SMMU_EVTQ_LEN];
        unsigned evtq_head;                     /* oldest record */
        unsigned evtq_count;
        struct hw_smmu_stats stats;
};

static const char *const smmu_events[] = { [HW_SMMU_TRACE_FAULT] = "smmu_fault", [HW_SMMU_TRACE_STE] = "smmu_ste" };
const struct trace_subsys hw_smmu_trace = TRACE_SUBSYS("smmu", smmu_events);

const char *hw_smmu_status_name(enum hw_smmu_status s)
{
        switch (s) {
        case HW_SMMU_OK: return "ok";
        case HW_SMMU_DENIED: return "denied";
        case HW_SMMU_BAD_STE: return "bad_ste";
        case HW_SMMU_NO_MEMORY: return "no_memory";
        }
        return "unknown";
}

const char *hw_ste_mode_name(enum hw_ste_mode m)
{
        switch (m) {
        case HW_STE_ABORT: return "abort";
        case HW_STE_BYPASS: return "bypass";
        case HW_STE_REALM: return "realm";
        }
        return "unknown";
}

static const char *access_name(enum hw_access a)
{
        return a == HW_ACCESS_WRITE ? "write" : "read";
}

/* ---- lifetime ---- */

bool hw_smmu_create(struct hw_smmu **out, struct hw_mem *m, struct trace *trace)
{
        struct hw_smmu *s = calloc(1, sizeof(*s));

        *out = NULL;
        if (!s)
                return false;
        s->mem = m;
        s->tr = trace_register(trace, &hw_smmu_trace);
        *out = s;
        return true;
}

void hw_smmu_destroy(struct hw_smmu *s)
{
        if (!s)
                return;
        for (unsigned i = 0; i < L1_STES; i++)
                free(s->l1[i]);
        free(s);
}

/* ---- the stream table ---- */

static const struct hw_ste abort_ste = { .mode = HW_STE_ABORT };

static const struct hw_ste *ste_lookup(const struct hw_smmu *s, uint16_t sid)
{
        const struct hw_ste *l2 = s->l1[sid >> L2_SHIFT];

        return l2 ? &l2[sid & (L2_STES - 1)] : &abort_ste;
}

/* The STE's slot, allocating its second-level table (all ABORT) on first use. */
static struct hw_ste *ste_slot(struct hw_smmu *s, uint16_t sid)
{
        struct hw_ste **l2 = &s->l1[sid >> L2_SHIFT];

        if (!*l2) {
                *l2 = calloc(L2_STES, sizeof(**l2));
                if (!*l2)
                        return NULL;
        }
        return &(*l2)[sid & (L2_STES - 1)];
}

static bool world_is_realm_side(enum hw_world w)
{
        return w == HW_WORLD_ROOT || w == HW_WORLD_REALM;
}

/* The checks of hw_smmu_ste_set, in its documented order. */
static enum hw_smmu_status ste_set_check(const struct hw_smmu *s, enum hw_world caller,
                                         uint16_t sid, const struct hw_ste *ste)
{
        if ((unsigned)caller > HW_WORLD_REALM)
                return HW_SMMU_DENIED;
        if ((unsigned)ste->mode > HW_STE_REALM)
                return HW_SMMU_BAD_STE;
        /* RME-DA: the Non-secure programming interface cannot name a Realm stream. */
        if (!world_is_realm_side(caller) &&
            (ste->mode == HW_STE_REALM || ste_lookup(s, sid)->mode == HW_STE_REALM))
                return HW_SMMU_DENIED;
        if (ste->mode == HW_STE_REALM && (!ste->s2 || !ste->owner))
                return HW_SMMU_BAD_STE;
        return HW_SMMU_OK;
}

/* An STE change made (smmu_ste): the stream's entry as it now stands, and who wrote it. */
static void trace_ste(struct hw_smmu *s, enum hw_world caller, uint16_t stream_id)
{
        if (!trace_on(s->tr, HW_SMMU_TRACE_STE))
                return;
        const struct hw_ste *e = ste_lookup(s, stream_id);
        trace_emit(s->tr, HW_SMMU_TRACE_STE, "sid=0x%04x mode=%s dma=%s by=%s", stream_id, hw_ste_mode_name(e->mode),
                   e->mode != HW_STE_REALM ? "-" : e->dma_enabled ? "on" : "off",
                   hw_world_name(caller));
}

enum hw_smmu_status hw_smmu_ste_set(struct hw_smmu *s, enum hw_world caller, uint16_t stream_id,
                                    const struct hw_ste *ste)
{
        enum hw_smmu_status st = ste_set_check(s, caller, stream_id, ste);
        struct hw_ste *slot;

        if (st != HW_SMMU_OK) {
                s->stats.ste_refused++;
                return st;
        }
        if (ste->mode == HW_STE_ABORT && !s->l1[stream_id >> L2_SHIFT]) {
                s->stats.ste_writes++;  /* already ABORT: nothing to allocate */
                trace_ste(s, caller, stream_id);
                return HW_SMMU_OK;
        }
        slot = ste_slot(s, stream_id);
        if (!slot)
                return HW_SMMU_NO_MEMORY;
        if (ste->mode == HW_STE_REALM)
                *slot = *ste;
        else
                *slot = (struct hw_ste){ .mode = ste->mode };
        s->stats.ste_writes++;
        trace_ste(s, caller, stream_id);
        return HW_SMMU_OK;
}

enum hw_smmu_status hw_smmu_ste_dma_enable(struct hw_smmu *s, enum hw_world caller,
                                           uint16_t stream_id, bool enable)
{
        if (!world_is_realm_side(caller)) {
                s->stats.ste_refused++;
                return HW_SMMU_DENIED;
        }
        if (ste_lookup(s, stream_id)->mode != HW_STE_REALM) {
                s->stats.ste_refused++;
                return HW_SMMU_BAD_STE;
        }
        /* A REALM STE lives in an allocated second-level table. */
        s->l1[stream_id >> L2_SHIFT][stream_id & (L2_STES - 1)].dma_enabled = enable;
        s->stats.ste_writes++;
        trace_ste(s, caller, stream_id);
        return HW_SMMU_OK;
}

void hw_smmu_ste_get(const struct hw_smmu *s, uint16_t stream_id, struct hw_ste *ste)
{
        *ste = *ste_lookup(s, stream_id);
}

/* ---- the event queue ---- */

unsigned hw_smmu_evtq_count(const struct hw_smmu *s) { return s->evtq_count; }

bool hw_smmu_evtq_pop(struct hw_smmu *s, struct hw_dma_fault *ev)
{
        if (!s->evtq_count)
                return false;
        *ev = s->evtq[s->evtq_head];
        s->evtq_head = (s->evtq_head + 1) % HW_SMMU_EVTQ_LEN;
        s->evtq_count--;
        return true;
}

void hw_smmu_stats(const struct hw_smmu *s, struct hw_smmu_stats *out) { *out = s->stats; }

/* Records a refused transaction (queue, trace, count) and hands the record to the caller. */
static enum hw_result refuse(struct hw_smmu *s, const struct hw_dma_fault *f,
                             struct hw_dma_fault *out)
{
        s->stats.faults[f->reason]++;
        if (s->evtq_count < HW_SMMU_EVTQ_LEN) {
                s->evtq[(s->evtq_head + s->evtq_count) % HW_SMMU_EVTQ_LEN] = *f;
                s->evtq_count++;
        } else {
                s->stats.evtq_overflows++;
        }
        if (trace_on(s->tr, HW_SMMU_TRACE_FAULT)) {
                char pa[24] = "-";
                if (f->translated)
                        (void)snprintf(pa, sizeof(pa), "0x%" PRIx64, f->pa);
                trace_emit(s->tr, HW_SMMU_TRACE_FAULT,
                           "sid=0x%04x t=%u access=%s iova=0x%" PRIx64 " pa=%s reason=%s",
                           (unsigned)f->stream_id, f->t ? 1u : 0u, access_name(f->access),
                           f->iova, pa, hw_dma_reason_name(f->reason));
        }
        if (out)
                *out = *f;
        switch (f->reason) {
        case HW_DMA_GPF: return HW_GPF;
        case HW_DMA_ADDR_FAULT: return HW_ADDR_FAULT;
        default: return HW_DMA_FAULT;
        }
}

/* ---- a transaction ---- */

/* One page's share of a transaction, checked: len bytes at host. */
struct dma_seg {
        uint8_t *host;
        size_t len;
};

/* The request and the stream, before any address is looked at. */
static enum hw_dma_reason check_stream(const struct hw_ste *ste, bool t, size_t len,
                                       enum hw_access access)
{
        if (len > HW_DMA_MAX_LEN || (access != HW_ACCESS_READ && access != HW_ACCESS_WRITE))
                return HW_DMA_BAD_REQUEST;
        switch (ste->mode) {
        case HW_STE_BYPASS:
                return t ? HW_DMA_T_MISMATCH : HW_DMA_OK;
        case HW_STE_REALM:
                if (!t)
                        return HW_DMA_T_MISMATCH;
                return ste->dma_enabled ? HW_DMA_OK : HW_DMA_NOT_ENABLED;
        case HW_STE_ABORT:
                break;
        }
        return HW_DMA_STREAM_ABORT;
}

/* Translates and checks the page of f->iova holding seg_len bytes from there: the output
 * address, the GPC as the stream's world, the Realm's ownership. Fills f->pa on the way. */
static enum hw_dma_reason check_page(struct hw_smmu *s, const struct hw_ste *ste,
                                     struct hw_dma_fault *f, size_t seg_len, struct dma_seg *seg)
{
        uint64_t off = f->iova & GRANULE_MASK, page_pa = f->iova - off, bad;
        enum hw_world w = HW_WORLD_NS;
        void *host = NULL;

        if (ste->mode == HW_STE_REALM) {
                w = HW_WORLD_REALM;
                if (!ste->s2(ste->s2_ctx, f->iova - off, f->access, &page_pa) ||
                    (page_pa & GRANULE_MASK))
                        return HW_DMA_S2_FAULT;
        }
        f->translated = true;
        f->pa = page_pa + off;
        switch (hw_map(s->mem, w, f->pa, seg_len, f->access, &host, NULL)) {
        case HW_OK: break;
        case HW_GPF: return HW_DMA_GPF;
        default: return HW_DMA_ADDR_FAULT;
        }
        if (ste->mode == HW_STE_REALM && !hw_owner_check(s->mem, ste->owner, f->pa, seg_len, &bad))
                return HW_DMA_OWNER_MISMATCH;
        *seg = (struct dma_seg){ .host = host, .len = seg_len };
        return HW_DMA_OK;
}

/* Every page of [iova, iova + len), in order; stops at the first refused one, whose IOVA
 * is then in f->iova. */
static enum hw_dma_reason check_pages(struct hw_smmu *s, const struct hw_ste *ste,
                                      struct hw_dma_fault *f, size_t len, struct dma_seg *segs,
                                      size_t *nsegs)
{
        uint64_t gen = hw_gpt_gen(s->mem);
        size_t done = 0, n = 0;

        if (len && f->iova > UINT64_MAX - (len - 1))
                return HW_DMA_ADDR_FAULT;       /* the range wraps */
        do {
                size_t room = (size_t)(GRANULE_SIZE - (f->iova & GRANULE_MASK));
                size_t seg_len = len - done < room ? len - done : room;
                enum hw_dma_reason r = check_page(s, ste, f, seg_len, &segs[n]);

                if (r != HW_DMA_OK)
                        return r;
                n++;
                done += seg_len;
                if (done < len) {
                        f->iova += seg_len;
                        f->translated = false;
                }
        } while (done < len);
        /* The stage-2 callback must not change the GPT (smmu.h): the verdicts still hold. */
        assert(hw_gpt_gen(s->mem) == gen);
        (void)gen;
        *nsegs = n;
        return HW_DMA_OK;
}

enum hw_result hw_dma(struct hw_smmu *s, uint16_t stream_id, bool t, uint64_t iova, void *buf,
                      size_t len, enum hw_access access, struct hw_dma_fault *fault)
{
        struct hw_dma_fault f = {
                .stream_id = stream_id, .t = t, .access = access, .iova = iova,
        };
        const struct hw_ste ste = *ste_lookup(s, stream_id);     /* one snapshot decides */
        struct dma_seg segs[HW_DMA_MAX_PAGES];
        size_t nsegs = 0, off = 0;
        uint8_t *p = buf;

        s->stats.transactions++;
        f.reason = check_stream(&ste, t, len, access);
        if (f.reason == HW_DMA_OK)
                f.reason = check_pages(s, &ste, &f, len, segs, &nsegs);
        if (f.reason != HW_DMA_OK)
                return refuse(s, &f, fault);
        for (size_t i = 0; i < nsegs && len; i++) {
                if (access == HW_ACCESS_READ) {
                        memcpy(p + off, segs[i].host, segs[i].len);
                } else {
                        memcpy(segs[i].host, p + off, segs[i].len);
                        if (ste.mode == HW_STE_REALM && ste.written)
                                ste.written(ste.s2_ctx, iova + off, p + off, segs[i].len);
                }
                off += segs[i].len;
        }
        s->stats.bytes += len;
        return HW_OK;
}
