/* virtio-blk request header codec and names.  virtio 1.2 §5.2.6 */
#include "proto/virtio_blk.h"

#include "lib/bytes.h"

bool virtio_blk_req_hdr_encode(uint8_t *out, size_t out_len, const struct virtio_blk_req_hdr *h)
{
        if (out_len < VIRTIO_BLK_REQ_HDR_SIZE)
                return false;
        struct byte_writer w;
        bw_init(&w, out, VIRTIO_BLK_REQ_HDR_SIZE);
        bw_le32(&w, h->type);
        bw_le32(&w, h->reserved);
        bw_le64(&w, h->sector);
        return bw_ok(&w);
}

bool virtio_blk_req_hdr_decode(const uint8_t *in, size_t in_len, struct virtio_blk_req_hdr *h)
{
        struct byte_reader r;
        br_init(&r, in, in_len < VIRTIO_BLK_REQ_HDR_SIZE ? 0 : VIRTIO_BLK_REQ_HDR_SIZE);
        h->type = br_le32(&r);
        h->reserved = br_le32(&r);
        h->sector = br_le64(&r);
        return br_ok(&r);
}

const char *virtio_blk_type_name(uint32_t type)
{
        switch (type) {
        case VIRTIO_BLK_T_IN: return "IN";
        case VIRTIO_BLK_T_OUT: return "OUT";
        case VIRTIO_BLK_T_FLUSH: return "FLUSH";
        case VIRTIO_BLK_T_GET_ID: return "GET_ID";
        case VIRTIO_BLK_T_GET_LIFETIME: return "GET_LIFETIME";
        case VIRTIO_BLK_T_DISCARD: return "DISCARD";
        case VIRTIO_BLK_T_WRITE_ZEROES: return "WRITE_ZEROES";
        case VIRTIO_BLK_T_SECURE_ERASE: return "SECURE_ERASE";
        default: return "?";
        }
}

const char *virtio_blk_status_name(uint8_t status)
{
        switch (status) {
        case VIRTIO_BLK_S_OK: return "OK";
        case VIRTIO_BLK_S_IOERR: return "IOERR";
        case VIRTIO_BLK_S_UNSUPP: return "UNSUPP";
        default: return "?";
        }
}
