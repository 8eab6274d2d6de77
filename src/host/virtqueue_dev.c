/* Device side of a VirtIO 1.2 split virtqueue (see virtqueue_dev.h).  virtio 1.2 §2.7 */
#include "host/virtqueue_dev.h"

#include <string.h>

#include "host/guest_mem.h"
#include "lib/bytes.h"

const char *vdq_error_name(enum vdq_error e)
{
        switch (e) {
        case VDQ_OK: return "ok";
        case VDQ_AVAIL_IDX_JUMP: return "avail_idx_jump";
        case VDQ_HEAD_OUT_OF_RANGE: return "head_out_of_range";
        case VDQ_NEXT_OUT_OF_RANGE: return "next_out_of_range";
        case VDQ_CHAIN_TOO_LONG: return "chain_too_long";
        case VDQ_INDIRECT_NOT_NEGOTIATED: return "indirect_not_negotiated";
        case VDQ_INDIRECT_NESTED: return "indirect_nested";
        case VDQ_INDIRECT_WITH_NEXT: return "indirect_with_next";
        case VDQ_INDIRECT_BAD_LEN: return "indirect_bad_len";
        case VDQ_TOO_MANY_SEGS: return "too_many_segs";
        case VDQ_TOTAL_LEN: return "total_len";
        case VDQ_ADDR_WRAP: return "addr_wrap";
        case VDQ_READ_AFTER_WRITE: return "read_after_write";
        case VDQ_MEM_FAULT: return "mem_fault";
        }
        return "?";
}

/* Records the driver's fault; the queue stays broken. */
static ccada_status fail(struct vdev_queue *q, enum vdq_error e)
{
        q->broken = true;
        q->error = e;
        return CCADA_E_PEER;
}

/* A ring access failed: the queue cannot go on. Returns the access's own status. */
static ccada_status mem_fault(struct vdev_queue *q, ccada_status s)
{
        q->broken = true;
        q->error = VDQ_MEM_FAULT;
        q->fault = s;
        return s;
}

static ccada_status rd16(struct vdev_queue *q, uint64_t gpa, uint16_t *v)
{
        uint8_t b[2];
        ccada_status s = host_gpa_read(q->vm, gpa, b, sizeof(b));
        if (s != CCADA_OK)
                return mem_fault(q, s);
        *v = ld_le16(b);
        return CCADA_OK;
}

static ccada_status wr16(struct vdev_queue *q, uint64_t gpa, uint16_t v)
{
        uint8_t b[2];
        st_le16(b, v);
        ccada_status s = host_gpa_write(q->vm, gpa, b, sizeof(b));
        return s == CCADA_OK ? CCADA_OK : mem_fault(q, s);
}

ccada_status vdq_init(struct vdev_queue *q, struct host_vm *vm, uint16_t qsz, uint64_t desc_gpa, uint64_t avail_gpa,
                      uint64_t used_gpa, bool indirect, bool event_idx)
{
        if (!q || !vm || !vring_size_valid(qsz))
                return CCADA_E_INVAL;
        if ((desc_gpa & (VRING_DESC_ALIGN - 1)) || (avail_gpa & (VRING_AVAIL_ALIGN - 1)) ||
            (used_gpa & (VRING_USED_ALIGN - 1)))
                return CCADA_E_INVAL;
        memset(q, 0, sizeof(*q));
        q->vm = vm;
        q->qsz = qsz;
        q->desc = desc_gpa;
        q->avail = avail_gpa;
        q->used = used_gpa;
        q->indirect = indirect;
        q->event_idx = event_idx;
        q->notify_enabled = true;
        return CCADA_OK;
}

/* ---- walking a chain ---- */

/* Appends one direct descriptor's buffer to elem, enforcing the per-request limits. */
static ccada_status add_seg(struct vdev_queue *q, struct vdq_elem *e, const struct vring_desc *d)
{
        bool write = d->flags & VRING_DESC_F_WRITE;

        /* "The driver MUST place any device-writable descriptor elements after any
         * device-readable descriptor elements."  virtio 1.2 §2.7.4.2 */
        if (!write && e->n_in > 0)
                return fail(q, VDQ_READ_AFTER_WRITE);
        if (e->n_out + e->n_in >= VDQ_MAX_SEGS)
                return fail(q, VDQ_TOO_MANY_SEGS);
        if (d->len != 0 && d->addr > UINT64_MAX - (d->len - 1))
                return fail(q, VDQ_ADDR_WRAP);
        if (e->out_len + e->in_len + d->len > VDQ_MAX_CHAIN_BYTES)
                return fail(q, VDQ_TOTAL_LEN);
        e->segs[e->n_out + e->n_in] = (struct vdq_seg){ .gpa = d->addr, .len = d->len };
        if (write) {
                e->n_in++;
                e->in_len += d->len;
        } else {
                e->n_out++;
                e->out_len += d->len;
        }
        return CCADA_OK;
}

static ccada_status read_desc(struct vdev_queue *q, uint64_t gpa, struct vring_desc *d)
{
        uint8_t b[VRING_DESC_SIZE];
        ccada_status s = host_gpa_read(q->vm, gpa, b, sizeof(b));
        if (s != CCADA_OK)
                return mem_fault(q, s);
        return vring_desc_decode(b, sizeof(b), d) ? CCADA_OK : fail(q, VDQ_MEM_FAULT);
}

/* Checks an INDIRECT descriptor met in the ring table; on success *n is its entry count.
 * virtio 1.2 §2.7.5.3.1 */
static ccada_status check_indirect(struct vdev_queue *q, bool nested, const struct vring_desc *d, uint32_t *n)
{
        if (nested)
                return fail(q, VDQ_INDIRECT_NESTED);
        if (!q->indirect)
                return fail(q, VDQ_INDIRECT_NOT_NEGOTIATED);
        if (d->flags & VRING_DESC_F_NEXT)
                return fail(q, VDQ_INDIRECT_WITH_NEXT);
        if (d->len == 0 || d->len % VRING_DESC_SIZE != 0)
                return fail(q, VDQ_INDIRECT_BAD_LEN);
        if (d->addr > UINT64_MAX - (d->len - 1))
                return fail(q, VDQ_ADDR_WRAP);
        *n = d->len / VRING_DESC_SIZE;
        return CCADA_OK;
}

/* Walks the chain starting at index start of a table of n descriptors at table_gpa.
 * Visits at most n descriptors (more means a loop) and recurses at most once (into an
 * indirect table, where INDIRECT is refused). */
static ccada_status walk(struct vdev_queue *q, uint64_t table_gpa, uint32_t n, uint32_t start, bool nested,
                         struct vdq_elem *e)
{
        uint32_t i = start;

        for (uint32_t count = 1;; count++) {
                struct vring_desc d;
                if (i >= n)
                        return fail(q, VDQ_NEXT_OUT_OF_RANGE);
                if (count > n)
                        return fail(q, VDQ_CHAIN_TOO_LONG);
                ccada_status s = read_desc(q, table_gpa + vring_desc_off(i), &d);
                if (s != CCADA_OK)
                        return s;
                if (d.flags & VRING_DESC_F_INDIRECT) {
                        uint32_t tn;
                        s = check_indirect(q, nested, &d, &tn);
                        if (s != CCADA_OK)
                                return s;
                        return walk(q, d.addr, tn, 0, true, e);
                }
                s = add_seg(q, e, &d);
                if (s != CCADA_OK || !(d.flags & VRING_DESC_F_NEXT))
                        return s;
                i = d.next;
        }
}

ccada_status vdq_pop(struct vdev_queue *q, struct vdq_elem *elem)
{
        if (q->broken)
                return CCADA_E_BROKEN;
        uint16_t avail_idx, head;
        ccada_status s = rd16(q, q->avail + VRING_AVAIL_OFF_IDX, &avail_idx);
        if (s != CCADA_OK)
                return s;
        uint16_t n = (uint16_t)(avail_idx - q->last_avail_idx);
        if (n == 0)
                return CCADA_E_BUSY;
        if (n > q->qsz)
                return fail(q, VDQ_AVAIL_IDX_JUMP);
        /* Read the ring entry only after seeing avail.idx cover it.  virtio 1.2 §2.7.13.3 */
        uint16_t slot = (uint16_t)(q->last_avail_idx & (q->qsz - 1));
        s = rd16(q, q->avail + vring_avail_ring_off(slot), &head);
        if (s != CCADA_OK)
                return s;
        if (head >= q->qsz)
                return fail(q, VDQ_HEAD_OUT_OF_RANGE);

        elem->head = head;
        elem->n_out = elem->n_in = 0;
        elem->out_len = elem->in_len = 0;
        s = walk(q, q->desc, q->qsz, head, false, elem);
        if (s != CCADA_OK)
                return s;
        q->last_avail_idx++;
        q->popped++;
        if (q->event_idx && q->notify_enabled)
                return wr16(q, q->used + vring_avail_event_off(q->qsz), q->last_avail_idx);
        return CCADA_OK;
}

ccada_status vdq_push(struct vdev_queue *q, uint16_t head, uint32_t len)
{
        if (q->broken)
                return CCADA_E_BROKEN;
        if (head >= q->qsz)
                return CCADA_E_INVAL;
        uint8_t b[VRING_USED_ELEM_SIZE];
        struct vring_used_elem ue = { .id = head, .len = len };
        if (!vring_used_elem_encode(b, sizeof(b), &ue))
                return CCADA_E_INVAL;
        uint16_t slot = (uint16_t)(q->used_idx & (q->qsz - 1));
        ccada_status s = host_gpa_write(q->vm, q->used + vring_used_ring_off(slot), b, sizeof(b));
        if (s != CCADA_OK)
                return mem_fault(q, s);
        /* "The device MUST set len prior to updating the used idx."  virtio 1.2 §2.7.8.2 */
        q->used_idx++;
        q->pushed++;
        return wr16(q, q->used + VRING_USED_OFF_IDX, q->used_idx);
}

ccada_status vdq_should_notify(struct vdev_queue *q, bool *notify)
{
        *notify = false;
        if (q->broken)
                return CCADA_E_BROKEN;
        uint16_t old = q->signalled_used, now = q->used_idx, v;
        q->signalled_used = now;
        if (old == now)
                return CCADA_OK;
        ccada_status s;
        if (q->event_idx) {
                s = rd16(q, q->avail + vring_used_event_off(q->qsz), &v);
                if (s == CCADA_OK)
                        *notify = vring_need_event(v, now, old);
        } else {
                s = rd16(q, q->avail + VRING_AVAIL_OFF_FLAGS, &v);
                if (s == CCADA_OK)
                        *notify = !(v & VRING_AVAIL_F_NO_INTERRUPT);
        }
        return s;
}

ccada_status vdq_set_notification(struct vdev_queue *q, bool enable)
{
        if (q->broken)
                return CCADA_E_BROKEN;
        q->notify_enabled = enable;
        if (q->event_idx)
                return enable ? wr16(q, q->used + vring_avail_event_off(q->qsz), q->last_avail_idx) : CCADA_OK;
        return wr16(q, q->used + VRING_USED_OFF_FLAGS, (uint16_t)(enable ? 0 : VRING_USED_F_NO_NOTIFY));
}

/* ---- payload access ---- */

/* Copies len bytes at byte offset off of segs[0, count) (total bytes long) into dst
 * (from the guest) or from src (to the guest); exactly one of dst and src is non-NULL. */
static ccada_status seg_copy(struct vdev_queue *q, const struct vdq_seg *segs, unsigned count, uint64_t total,
                             uint64_t off, uint8_t *dst, const uint8_t *src, size_t len)
{
        if (off > total || len > total - off)
                return CCADA_E_RANGE;
        for (unsigned i = 0; i < count && len > 0; i++) {
                if (off >= segs[i].len) {
                        off -= segs[i].len;
                        continue;
                }
                size_t chunk = segs[i].len - (size_t)off;
                if (chunk > len)
                        chunk = len;
                ccada_status s = src ? host_gpa_write(q->vm, segs[i].gpa + off, src, chunk)
                                     : host_gpa_read(q->vm, segs[i].gpa + off, dst, chunk);
                if (s != CCADA_OK)
                        return s;
                if (src)
                        src += chunk;
                else
                        dst += chunk;
                len -= chunk;
                off = 0;
        }
        return CCADA_OK;
}

ccada_status vdq_read_out(struct vdev_queue *q, const struct vdq_elem *elem, uint64_t off, void *dst, size_t len)
{
        return seg_copy(q, elem->segs, elem->n_out, elem->out_len, off, dst, NULL, len);
}

ccada_status vdq_write_in(struct vdev_queue *q, const struct vdq_elem *elem, uint64_t off, const void *src,
                          size_t len)
{
        return seg_copy(q, elem->segs + elem->n_out, elem->n_in, elem->in_len, off, NULL, src, len);
}
