/* A popped request's payload as iovecs over the guest's shared pages (see virtqueue_dev.h).
 * Apart from virtqueue_dev.c, whose ring walk needs only host_gpa_read/host_gpa_write. */
#include "host/guest_mem.h"
#include "host/virtqueue_dev.h"

/* Resolves bytes [off, off + len) of segs[0, count) (total bytes long) into iov. */
static ccada_status seg_map(struct vdev_queue *q, const struct vdq_seg *segs, unsigned count, uint64_t total,
                            uint64_t off, uint64_t len, bool write, struct iovec *iov, unsigned max,
                            unsigned *n)
{
        *n = 0;
        if (off > total || len > total - off)
                return CCADA_E_RANGE;
        unsigned got = 0;
        for (unsigned i = 0; i < count && len > 0; i++) {
                if (off >= segs[i].len) {
                        off -= segs[i].len;
                        continue;
                }
                uint64_t chunk = segs[i].len - off;
                if (chunk > len)
                        chunk = len;
                ccada_status s = host_gpa_map(q->vm, segs[i].gpa + off, (size_t)chunk, write, iov, max, &got);
                if (s != CCADA_OK)
                        return s;
                len -= chunk;
                off = 0;
        }
        *n = got;
        return CCADA_OK;
}

ccada_status vdq_map_out(struct vdev_queue *q, const struct vdq_elem *elem, uint64_t off, uint64_t len,
                         struct iovec *iov, unsigned max, unsigned *n)
{
        return seg_map(q, elem->segs, elem->n_out, elem->out_len, off, len, false, iov, max, n);
}

ccada_status vdq_map_in(struct vdev_queue *q, const struct vdq_elem *elem, uint64_t off, uint64_t len,
                        struct iovec *iov, unsigned max, unsigned *n)
{
        return seg_map(q, elem->segs + elem->n_out, elem->n_in, elem->in_len, off, len, true, iov, max, n);
}
