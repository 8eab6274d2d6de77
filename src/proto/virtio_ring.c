/* VirtIO 1.2 split virtqueue: descriptor and used element codecs.  virtio 1.2 §2.7 */
#include "proto/virtio_ring.h"

#include "lib/bytes.h"

bool vring_desc_encode(uint8_t *out, size_t out_len, const struct vring_desc *d)
{
        if (out_len < VRING_DESC_SIZE)
                return false;
        struct byte_writer w;
        bw_init(&w, out, VRING_DESC_SIZE);
        bw_le64(&w, d->addr);   /* VRING_DESC_OFF_ADDR */
        bw_le32(&w, d->len);    /* VRING_DESC_OFF_LEN */
        bw_le16(&w, d->flags);  /* VRING_DESC_OFF_FLAGS */
        bw_le16(&w, d->next);   /* VRING_DESC_OFF_NEXT */
        return bw_ok(&w);
}

bool vring_desc_decode(const uint8_t *in, size_t in_len, struct vring_desc *d)
{
        struct byte_reader r;
        br_init(&r, in, in_len < VRING_DESC_SIZE ? 0 : VRING_DESC_SIZE);
        d->addr = br_le64(&r);
        d->len = br_le32(&r);
        d->flags = br_le16(&r);
        d->next = br_le16(&r);
        return br_ok(&r);
}

bool vring_used_elem_encode(uint8_t *out, size_t out_len, const struct vring_used_elem *e)
{
        if (out_len < VRING_USED_ELEM_SIZE)
                return false;
        struct byte_writer w;
        bw_init(&w, out, VRING_USED_ELEM_SIZE);
        bw_le32(&w, e->id);     /* VRING_USED_ELEM_OFF_ID */
        bw_le32(&w, e->len);    /* VRING_USED_ELEM_OFF_LEN */
        return bw_ok(&w);
}

bool vring_used_elem_decode(const uint8_t *in, size_t in_len, struct vring_used_elem *e)
{
        struct byte_reader r;
        br_init(&r, in, in_len < VRING_USED_ELEM_SIZE ? 0 : VRING_USED_ELEM_SIZE);
        e->id = br_le32(&r);
        e->len = br_le32(&r);
        return br_ok(&r);
}
