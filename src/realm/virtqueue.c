/* The Realm's hardened VirtIO 1.2 split virtqueue driver (see virtqueue.h for the
 * contract, the state machine and the used-length policy).  virtio 1.2 §2.7 */
#include "realm/virtqueue.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/trace.h"
#include "realm/kernel.h"

const char *vq_violation_name(enum vq_violation v)
{
        switch (v) {
        case VQ_OK: return "ok";
        case VQ_USED_IDX_JUMP: return "used_idx_jump";
        case VQ_USED_IDX_OVERRUN: return "used_idx_overrun";
        case VQ_ID_OUT_OF_RANGE: return "id_out_of_range";
        case VQ_ID_NOT_IN_FLIGHT: return "id_not_in_flight";
        case VQ_LEN_TOO_LARGE: return "len_too_large";
        case VQ_RING_FAULT: return "ring_fault";
        }
        return "?";
}

/* ---- breaking the queue ---- */

/* What went wrong, with up to three numbers whose meaning depends on v. */
struct vq_fault {
        enum vq_violation v;
        uint32_t a, b, c;
};

static void describe_fault(const struct virtqueue *vq, const struct vq_fault *f, char *txt, size_t txt_len,
                           char *fields, size_t fields_len)
{
        switch (f->v) {
        case VQ_USED_IDX_JUMP:
                snprintf(txt, txt_len, "used idx %u jumped %u entries past %u (queue size %u)", f->a,
                         (unsigned)(uint16_t)(f->a - f->b), f->b, vq->qsz);
                snprintf(fields, fields_len, "used_idx=%u last_used=%u qsz=%u", f->a, f->b, vq->qsz);
                break;
        case VQ_USED_IDX_OVERRUN:
                snprintf(txt, txt_len, "used idx %u reports %u completions, only %u in flight", f->a, f->b, f->c);
                snprintf(fields, fields_len, "used_idx=%u pending=%u in_flight=%u", f->a, f->b, f->c);
                break;
        case VQ_ID_OUT_OF_RANGE:
                snprintf(txt, txt_len, "id %u out of range", f->a);
                snprintf(fields, fields_len, "id=%u qsz=%u", f->a, vq->qsz);
                break;
        case VQ_ID_NOT_IN_FLIGHT:
                snprintf(txt, txt_len, "id %u is not a head!", f->a); /* Linux's text */
                snprintf(fields, fields_len, "id=%u", f->a);
                break;
        case VQ_LEN_TOO_LARGE:
                /* the text of the check Linux had (939779f5152d) and reverted */
                snprintf(txt, txt_len, "used len %u is larger than in buflen %u", f->b, f->c);
                snprintf(fields, fields_len, "id=%u len=%u in_len=%u", f->a, f->b, f->c);
                break;
        case VQ_RING_FAULT:
                snprintf(txt, txt_len, "ring access failed: %s", ccada_status_name((ccada_status)f->a));
                snprintf(fields, fields_len, "status=%s", ccada_status_name((ccada_status)f->a));
                break;
        case VQ_OK:
        default:
                snprintf(txt, txt_len, "?");
                snprintf(fields, fields_len, "?");
                break;
        }
}

/* Marks the queue BROKEN (sticky), logs and traces why. Returns CCADA_E_BROKEN. */
static ccada_status vq_break(struct virtqueue *vq, struct vq_fault f)
{
        char txt[128], fields[128];

        vq->broken = true;
        vq->violation = f.v;
        describe_fault(vq, &f, txt, sizeof(txt), fields, sizeof(fields));
        /* BAD_RING: dev_err(&vdev->dev, "%s:" fmt, vq->name, ...) */
        rk_printk(vq->k, "%s %s: %s:%s", vq->drv_name, vq->dev_name, vq->name, txt);
        if (trace_on(vq->tr, VIRTIO_TRACE_BROKEN))
                trace_emit(vq->tr, VIRTIO_TRACE_BROKEN, "dev=%s vq=%u reason=%s %s", vq->dev_name, vq->index,
                           vq_violation_name(f.v), fields);
        return CCADA_E_BROKEN;
}

static ccada_status ring_fault(struct virtqueue *vq, ccada_status s)
{
        return vq_break(vq, (struct vq_fault){ .v = VQ_RING_FAULT, .a = (uint32_t)s });
}

/* ---- shared-memory accessors: every failure breaks the queue ---- */

static ccada_status ring_write_le16(struct virtqueue *vq, uint64_t ipa, uint16_t v)
{
        uint8_t b[2];
        st_le16(b, v);
        ccada_status s = rk_shared_write(vq->k, ipa, b, sizeof(b));
        return s == CCADA_OK ? CCADA_OK : ring_fault(vq, s);
}

static ccada_status ring_read_le16(struct virtqueue *vq, uint64_t ipa, uint16_t *v)
{
        uint8_t b[2];
        ccada_status s = rk_shared_read(vq->k, ipa, b, sizeof(b));
        if (s != CCADA_OK)
                return ring_fault(vq, s);
        *v = ld_le16(b);
        return CCADA_OK;
}

static ccada_status ring_write(struct virtqueue *vq, uint64_t ipa, const uint8_t *buf, size_t len)
{
        ccada_status s = rk_shared_write(vq->k, ipa, buf, len);
        return s == CCADA_OK ? CCADA_OK : ring_fault(vq, s);
}

/* ---- init / destroy ---- */

static bool aligned(uint64_t a, uint64_t al) { return (a & (al - 1)) == 0; }

static bool config_valid(const struct vq_config *cfg)
{
        if (!vring_size_valid(cfg->qsz))
                return false;
        if (!aligned(cfg->desc.cpu, VRING_DESC_ALIGN) || !aligned(cfg->desc.dma, VRING_DESC_ALIGN) ||
            !aligned(cfg->avail.cpu, VRING_AVAIL_ALIGN) || !aligned(cfg->avail.dma, VRING_AVAIL_ALIGN) ||
            !aligned(cfg->used.cpu, VRING_USED_ALIGN) || !aligned(cfg->used.dma, VRING_USED_ALIGN))
                return false;
        if (cfg->indirect && (!aligned(cfg->indirect_area.cpu, VRING_DESC_ALIGN) ||
                              !aligned(cfg->indirect_area.dma, VRING_DESC_ALIGN)))
                return false;
        return true;
}

static ccada_status zero_areas(struct virtqueue *vq)
{
        ccada_status s = rk_shared_fill(vq->k, vq->desc.cpu, 0, vring_desc_table_size(vq->qsz));
        if (s == CCADA_OK)
                s = rk_shared_fill(vq->k, vq->avail.cpu, 0, vring_avail_size(vq->qsz));
        if (s == CCADA_OK)
                s = rk_shared_fill(vq->k, vq->used.cpu, 0, vring_used_size(vq->qsz));
        if (s == CCADA_OK && vq->indirect && !vq->dma) /* with the DMA API: private memory */
                s = rk_shared_fill(vq->k, vq->indirect_area.cpu, 0, (size_t)vq->qsz * VQ_INDIRECT_TABLE_BYTES);
        return s;
}

ccada_status vq_init(struct virtqueue *vq, struct realm_kernel *k, const struct vq_config *cfg)
{
        if (!vq || !k || !cfg || !config_valid(cfg))
                return CCADA_E_INVAL;
        memset(vq, 0, sizeof(*vq));
        vq->k = k;
        vq->tr = trace_register(rk_trace(k), &virtio_trace);
        snprintf(vq->dev_name, sizeof(vq->dev_name), "%s", cfg->dev_name ? cfg->dev_name : "?");
        snprintf(vq->drv_name, sizeof(vq->drv_name), "%s", cfg->drv_name ? cfg->drv_name : "virtio");
        if (cfg->name)
                snprintf(vq->name, sizeof(vq->name), "%s", cfg->name);
        else
                snprintf(vq->name, sizeof(vq->name), "vq%u", cfg->index);
        vq->index = cfg->index;
        vq->qsz = cfg->qsz;
        vq->indirect = cfg->indirect;
        vq->event_idx = cfg->event_idx;
        vq->desc = cfg->desc;
        vq->avail = cfg->avail;
        vq->used = cfg->used;
        vq->indirect_area = cfg->indirect_area;
        vq->dma = cfg->dma;
        vq->dma_ctx = cfg->dma_ctx;

        vq->extra = rk_zalloc(k, cfg->qsz, sizeof(*vq->extra));
        vq->heads = rk_zalloc(k, cfg->qsz, sizeof(*vq->heads));
        if (!vq->extra || !vq->heads) {
                vq_destroy(vq);
                return CCADA_E_NOMEM;
        }
        ccada_status s = zero_areas(vq);
        if (s != CCADA_OK) {
                vq_destroy(vq);
                return s;
        }
        for (uint32_t i = 0; i < cfg->qsz; i++)
                vq->extra[i].next = (uint16_t)(i + 1); /* last link unused: num_free bounds the list */
        vq->free_head = 0;
        vq->num_free = cfg->qsz;
        return CCADA_OK;
}

void vq_destroy(struct virtqueue *vq)
{
        if (!vq)
                return;
        rk_kfree(vq->k, vq->extra);
        rk_kfree(vq->k, vq->heads);
        vq->extra = NULL;
        vq->heads = NULL;
        vq->num_free = 0;
}

/* ---- adding buffers ----
 *
 * vq_add() is a transaction. It plans the request (struct vq_post) without side effects,
 * writes shared memory (descriptors or the indirect table and its ring descriptor, the avail
 * ring entry, then avail.idx) reading but never changing the private shadow, and commits the
 * shadow only once the last write succeeded. A failed write therefore leaves the shadow
 * exactly as it was: what did reach shared memory sits in free descriptors and in the avail
 * slot at avail.idx, which avail.idx does not cover yet, and the next add overwrites it. */

/* One request as it will be posted. */
struct vq_post {
        const struct vq_buf *bufs;
        unsigned n_out, n;      /* device-readable buffers, all buffers */
        uint16_t head;          /* first free descriptor */
        uint16_t ndescs;        /* ring descriptors taken: 1 when indirect, else n */
        bool indirect;
        uint32_t in_len;        /* device-writable bytes */
        uint64_t token;
        uint64_t table_dma;     /* indirect: where the device reads the table */
        uint32_t table_len;     /* indirect with the DMA API: the mapping to undo; else 0 */
};

static ccada_status write_desc(struct virtqueue *vq, uint64_t ipa, const struct vring_desc *d)
{
        uint8_t b[VRING_DESC_SIZE];
        bool ok = vring_desc_encode(b, sizeof(b), d);
        assert(ok);
        (void)ok;
        return ring_write(vq, ipa, b, sizeof(b));
}

static uint16_t buf_flags(unsigned i, unsigned n_out, unsigned n)
{
        uint16_t f = 0;
        if (i >= n_out)
                f |= VRING_DESC_F_WRITE;
        if (i + 1 < n)
                f |= VRING_DESC_F_NEXT;
        return f;
}

/* Buffer i of a chain, held in ring descriptor d. A free descriptor's shadow link is the
 * next free one: a chain takes descriptors in free-list order, so the link doubles as the
 * chain's next. */
static struct vring_desc chain_desc(const struct virtqueue *vq, const struct vq_post *p, unsigned i, uint16_t d)
{
        return (struct vring_desc){
                .addr = p->bufs[i].addr,
                .len = p->bufs[i].len,
                .flags = buf_flags(i, p->n_out, p->n),
                .next = i + 1 < p->n ? vq->extra[d].next : 0,
        };
}

/* Writes the chain into the descriptors the free list names; changes no shadow. */
static ccada_status write_chain(struct virtqueue *vq, const struct vq_post *p)
{
        uint16_t d = p->head;

        for (unsigned i = 0; i < p->n; i++) {
                struct vring_desc desc = chain_desc(vq, p, i, d);
                ccada_status s = write_desc(vq, vq->desc.cpu + vring_desc_off(d), &desc);
                if (s != CCADA_OK)
                        return s;
                d = vq->extra[d].next;
        }
        return CCADA_OK;
}

static uint64_t indirect_off(uint16_t head) { return (uint64_t)head * VQ_INDIRECT_TABLE_BYTES; }

/* The one ring descriptor of an indirect request: it points at head's table.
 * "The driver MUST NOT set the VIRTQ_DESC_F_INDIRECT flag ... with NEXT"; the WRITE flag
 * of this descriptor is ignored by the device.  virtio 1.2 §2.7.5.3.1 */
static struct vring_desc indirect_desc(const struct vq_post *p)
{
        return (struct vring_desc){
                .addr = p->table_dma,
                .len = (uint32_t)(p->n * VRING_DESC_SIZE),
                .flags = VRING_DESC_F_INDIRECT,
        };
}

static void unmap_table(struct virtqueue *vq, uint64_t dma, uint32_t len)
{
        if (len && vq->dma)
                vq->dma->unmap_to_device(vq->dma_ctx, dma, len);
}

/* Writes the buffers into head's indirect table, then its ring descriptor; changes no
 * shadow. With the DMA API the table is written in private memory and mapped
 * DMA_TO_DEVICE after the request's own buffers, as virtqueue_add_split does (the mapping
 * is in p, undone by the caller if a later step fails); else it is written where the
 * device reads it.  virtio 1.2 §2.7.5.3 */
static ccada_status write_indirect(struct virtqueue *vq, struct vq_post *p)
{
        uint8_t table[VQ_INDIRECT_TABLE_BYTES];
        uint64_t at = vq->indirect_area.cpu + indirect_off(p->head);
        size_t len = (size_t)p->n * VRING_DESC_SIZE;
        ccada_status s;

        for (unsigned i = 0; i < p->n; i++) {
                struct vring_desc desc = {
                        .addr = p->bufs[i].addr,
                        .len = p->bufs[i].len,
                        .flags = buf_flags(i, p->n_out, p->n),
                        .next = (uint16_t)(i + 1 < p->n ? i + 1 : 0),
                };
                bool ok = vring_desc_encode(table + (size_t)i * VRING_DESC_SIZE, VRING_DESC_SIZE, &desc);
                assert(ok);
                (void)ok;
        }
        if (vq->dma) {
                /* kmalloc'd, private: a failure here is the guest's own, not the ring's */
                if ((s = rk_write(vq->k, at, table, len)) != CCADA_OK ||
                    (s = vq->dma->map_to_device(vq->dma_ctx, at, len, &p->table_dma)) != CCADA_OK)
                        return s;
                p->table_len = (uint32_t)len;
        } else {
                if ((s = ring_write(vq, at, table, len)) != CCADA_OK)
                        return s;
                p->table_dma = vq->indirect_area.dma + indirect_off(p->head);
        }
        struct vring_desc desc = indirect_desc(p);
        return write_desc(vq, vq->desc.cpu + vring_desc_off(p->head), &desc);
}

/* Makes head available: ring entry first, then avail.idx; changes no shadow.
 * virtio 1.2 §2.7.13 */
static ccada_status publish(struct virtqueue *vq, uint16_t head)
{
        uint16_t idx = vq->avail_idx_shadow;
        uint16_t slot = (uint16_t)(idx & (vq->qsz - 1));
        ccada_status s = ring_write_le16(vq, vq->avail.cpu + vring_avail_ring_off(slot), head);
        if (s != CCADA_OK)
                return s;
        /* Release: "The driver MUST perform a suitable memory barrier before the idx update,
         * to ensure the device sees the most up-to-date copy."  virtio 1.2 §2.7.13.3.1.
         * Single-threaded model: program order is the barrier. */
        return ring_write_le16(vq, vq->avail.cpu + VRING_AVAIL_OFF_IDX, (uint16_t)(idx + 1));
}

static void shadow_desc(struct virtqueue *vq, uint16_t d, const struct vring_desc *desc)
{
        vq->extra[d].addr = desc->addr;
        vq->extra[d].len = desc->len;
        vq->extra[d].flags = desc->flags;
}

/* Records a published request in the private shadow: its descriptors leave the free list,
 * its head goes in flight, avail idx and the counters advance. Committing after avail.idx
 * is safe: only vq_get_used() consumes completions, and never concurrently with vq_add(). */
static void commit_post(struct virtqueue *vq, const struct vq_post *p)
{
        uint16_t d = p->head, last = p->head;

        if (p->indirect) {
                struct vring_desc desc = indirect_desc(p);
                shadow_desc(vq, p->head, &desc);
        } else {
                for (unsigned i = 0; i < p->n; i++) {
                        struct vring_desc desc = chain_desc(vq, p, i, d);
                        shadow_desc(vq, d, &desc);
                        last = d;
                        d = vq->extra[d].next;
                }
        }
        vq->free_head = vq->extra[last].next;
        vq->num_free = (uint16_t)(vq->num_free - p->ndescs);
        vq->heads[p->head] = (struct vq_head_state){
                .in_flight = true, .indirect = p->indirect, .ndescs = p->ndescs, .in_len = p->in_len,
                .token = p->token, .table_dma = p->table_dma, .table_len = p->table_len,
        };
        vq->num_in_flight++;
        vq->added++;
        vq->avail_idx_shadow++;
        assert(vq->num_free + vq->num_in_flight <= vq->qsz);
}

/* Sums the posted lengths; false when the chain would exceed 2^32 - 1 bytes.
 * virtio 1.2 §2.7.5.2 (a chain is at most 2^32 bytes) */
static bool sum_lengths(const struct vq_buf *bufs, unsigned n_out, unsigned n, uint32_t *in_len)
{
        uint64_t total = 0, in = 0;
        for (unsigned i = 0; i < n; i++) {
                total += bufs[i].len;
                if (i >= n_out)
                        in += bufs[i].len;
        }
        if (total > UINT32_MAX)
                return false;
        *in_len = (uint32_t)in;
        return true;
}

/* Checks vq_add()'s arguments against the queue and plans the request; no side effects. */
static ccada_status plan_post(const struct virtqueue *vq, const struct vq_buf *bufs, unsigned n_out,
                              unsigned n_in, uint64_t token, struct vq_post *p)
{
        if (vq->broken)
                return CCADA_E_BROKEN;
        if (!bufs || n_out > VRING_MAX_SIZE || n_in > VRING_MAX_SIZE || n_out + n_in == 0)
                return CCADA_E_INVAL;
        unsigned n = n_out + n_in;
        uint32_t in_len;
        if (!sum_lengths(bufs, n_out, n, &in_len))
                return CCADA_E_INVAL;
        bool indirect = vq->indirect && n > 1 && n <= VQ_INDIRECT_MAX;
        if (!indirect && n > vq->qsz)
                return CCADA_E_INVAL;
        unsigned need = indirect ? 1 : n;
        if (vq->num_free < need)
                return CCADA_E_NOSPC;
        *p = (struct vq_post){
                .bufs = bufs, .n_out = n_out, .n = n, .head = vq->free_head, .ndescs = (uint16_t)need,
                .indirect = indirect, .in_len = in_len, .token = token,
        };
        return CCADA_OK;
}

ccada_status vq_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned n_out, unsigned n_in, uint64_t token)
{
        struct vq_post p;
        ccada_status s = plan_post(vq, bufs, n_out, n_in, token, &p);
        if (s != CCADA_OK)
                return s;
        s = p.indirect ? write_indirect(vq, &p) : write_chain(vq, &p);
        if (s == CCADA_OK)
                s = publish(vq, p.head);
        if (s != CCADA_OK) {
                unmap_table(vq, p.table_dma, p.table_len);
                return s; /* nothing posted; a ring fault broke the queue, a failed map did not */
        }
        commit_post(vq, &p);
        return CCADA_OK;
}

/* ---- notification ---- */

ccada_status vq_kick_prepare(struct virtqueue *vq, bool *notify)
{
        *notify = false;
        if (vq->broken)
                return CCADA_E_BROKEN;
        uint16_t old = vq->kicked_avail_idx, now = vq->avail_idx_shadow;
        vq->kicked_avail_idx = now;
        if (old == now)
                return CCADA_OK;

        uint16_t v;
        ccada_status s;
        if (vq->event_idx) {
                /* Full barrier between publishing avail.idx and reading avail_event.
                 * virtio 1.2 §2.7.10 */
                s = ring_read_le16(vq, vq->used.cpu + vring_avail_event_off(vq->qsz), &v);
                if (s != CCADA_OK)
                        return s;
                *notify = vring_need_event(v, now, old);
        } else {
                s = ring_read_le16(vq, vq->used.cpu + VRING_USED_OFF_FLAGS, &v);
                if (s != CCADA_OK)
                        return s;
                *notify = !(v & VRING_USED_F_NO_NOTIFY);
        }
        if (*notify) {
                vq->notifies++;
                if (trace_on(vq->tr, VIRTIO_TRACE_NOTIFY))
                        trace_emit(vq->tr, VIRTIO_TRACE_NOTIFY, "dev=%s vq=%u avail_idx=%u", vq->dev_name, vq->index,
                                   now);
        }
        return CCADA_OK;
}

/* ---- completions ---- */

/* Returns head's descriptors to the free list, walking only the private shadow. */
/* detach_buf_split: the indirect table's mapping goes first, then the chain is freed. */
static void detach(struct virtqueue *vq, uint16_t head)
{
        struct vq_head_state *hs = &vq->heads[head];
        uint16_t last = head;

        unmap_table(vq, hs->table_dma, hs->table_len);
        for (uint16_t i = 1; i < hs->ndescs; i++)
                last = vq->extra[last].next;
        vq->extra[last].next = vq->free_head;
        vq->free_head = head;
        vq->num_free = (uint16_t)(vq->num_free + hs->ndescs);
        vq->num_in_flight--;
        *hs = (struct vq_head_state){ 0 };
        assert(vq->num_free + vq->num_in_flight <= vq->qsz);
}

/* Reads used.idx once and checks how many completions it claims. *pending == 0: none. */
static ccada_status read_used_idx(struct virtqueue *vq, uint16_t *pending)
{
        uint16_t used_idx;
        ccada_status s = ring_read_le16(vq, vq->used.cpu + VRING_USED_OFF_IDX, &used_idx);
        if (s != CCADA_OK)
                return s;
        uint16_t n = (uint16_t)(used_idx - vq->last_used_idx);
        /* Going backwards shows up as a jump of more than qsz. */
        if (n > vq->qsz)
                return vq_break(vq, (struct vq_fault){ VQ_USED_IDX_JUMP, used_idx, vq->last_used_idx, 0 });
        if (n > vq->num_in_flight)
                return vq_break(vq, (struct vq_fault){ VQ_USED_IDX_OVERRUN, used_idx, n, vq->num_in_flight });
        *pending = n;
        return CCADA_OK;
}

/* Copies the next used element in once and validates it.  virtio 1.2 §2.7.8 */
static ccada_status read_used_elem(struct virtqueue *vq, struct vring_used_elem *e)
{
        uint8_t b[VRING_USED_ELEM_SIZE];
        uint16_t slot = (uint16_t)(vq->last_used_idx & (vq->qsz - 1));
        /* Acquire: only read the element after seeing used.idx cover it. */
        ccada_status s = rk_shared_read(vq->k, vq->used.cpu + vring_used_ring_off(slot), b, sizeof(b));
        if (s != CCADA_OK)
                return ring_fault(vq, s);
        bool ok = vring_used_elem_decode(b, sizeof(b), e);
        assert(ok);
        (void)ok;
        if (e->id >= vq->qsz)
                return vq_break(vq, (struct vq_fault){ VQ_ID_OUT_OF_RANGE, e->id, 0, 0 });
        const struct vq_head_state *hs = &vq->heads[e->id];
        if (!hs->in_flight)
                return vq_break(vq, (struct vq_fault){ VQ_ID_NOT_IN_FLIGHT, e->id, 0, 0 });
        if (e->len > hs->in_len)
                return vq_break(vq, (struct vq_fault){ VQ_LEN_TOO_LARGE, e->id, e->len, hs->in_len });
        return CCADA_OK;
}

ccada_status vq_get_used(struct virtqueue *vq, uint64_t *token, uint32_t *len)
{
        if (vq->broken)
                return CCADA_E_BROKEN;
        uint16_t pending = 0;
        ccada_status s = read_used_idx(vq, &pending);
        if (s != CCADA_OK)
                return s;
        if (pending == 0)
                return CCADA_E_BUSY;
        struct vring_used_elem e;
        s = read_used_elem(vq, &e);
        if (s != CCADA_OK)
                return s;

        uint16_t id = (uint16_t)e.id;
        *token = vq->heads[id].token;
        *len = e.len;
        detach(vq, id);
        vq->last_used_idx++;
        vq->completed++;
        if (trace_on(vq->tr, VIRTIO_TRACE_COMPLETE))
                trace_emit(vq->tr, VIRTIO_TRACE_COMPLETE, "dev=%s vq=%u id=%u len=%u", vq->dev_name, vq->index, id,
                           e.len);
        /* With EVENT_IDX and callbacks on, ask for an interrupt at the next completion.
         * virtio 1.2 §2.7.10. If that write faults the queue is broken for later calls,
         * but this completion was valid and is already detached: hand it out. */
        if (vq->event_idx && !(vq->avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT))
                (void)ring_write_le16(vq, vq->avail.cpu + vring_used_event_off(vq->qsz), vq->last_used_idx);
        return CCADA_OK;
}

bool vq_detach_unused(struct virtqueue *vq, uint64_t *token)
{
        for (uint32_t h = 0; h < vq->qsz && vq->num_in_flight > 0; h++) {
                if (!vq->heads[h].in_flight)
                        continue;
                *token = vq->heads[h].token;
                detach(vq, (uint16_t)h);
                return true;
        }
        return false;
}

/* ---- callbacks (used buffer notifications) ---- */

ccada_status vq_disable_cb(struct virtqueue *vq)
{
        if (vq->broken)
                return CCADA_E_BROKEN;
        if (vq->avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT)
                return CCADA_OK;
        vq->avail_flags_shadow |= VRING_AVAIL_F_NO_INTERRUPT;
        /* With EVENT_IDX the driver "MUST set flags to 0" (virtio 1.2 §2.7.10): stop moving
         * used_event instead, so the device stops signalling once it passes the last value. */
        if (vq->event_idx)
                return CCADA_OK;
        return ring_write_le16(vq, vq->avail.cpu + VRING_AVAIL_OFF_FLAGS, vq->avail_flags_shadow);
}

ccada_status vq_enable_cb(struct virtqueue *vq, bool *pending)
{
        *pending = false;
        if (vq->broken)
                return CCADA_E_BROKEN;
        vq->avail_flags_shadow &= (uint16_t)~VRING_AVAIL_F_NO_INTERRUPT;
        ccada_status s;
        if (vq->event_idx)
                s = ring_write_le16(vq, vq->avail.cpu + vring_used_event_off(vq->qsz), vq->last_used_idx);
        else
                s = ring_write_le16(vq, vq->avail.cpu + VRING_AVAIL_OFF_FLAGS, vq->avail_flags_shadow);
        if (s != CCADA_OK)
                return s;
        /* Full barrier, then look again: a completion may have raced the re-enable. */
        uint16_t used_idx;
        s = ring_read_le16(vq, vq->used.cpu + VRING_USED_OFF_IDX, &used_idx);
        if (s != CCADA_OK)
                return s;
        *pending = used_idx != vq->last_used_idx;
        return CCADA_OK;
}
