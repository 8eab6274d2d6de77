/* ccada-dev's block descriptor codec and names (contract: cblk.h). */
#include "proto/cblk.h"

#include "lib/bytes.h"

void blk_desc_encode(const struct blk_desc *d, uint8_t raw[BLK_DESC_SIZE])
{
        raw[0] = d->opcode;
        raw[1] = d->rsvd8;
        st_le16(raw + 2, d->rsvd16);
        st_le32(raw + 4, d->length);
        st_le64(raw + 8, d->sector);
        st_le64(raw + 16, d->buffer);
        st_le32(raw + 24, d->cookie);
        st_le32(raw + BLK_DESC_STATUS_OFFSET, d->status);
}

void blk_desc_decode(const uint8_t raw[BLK_DESC_SIZE], struct blk_desc *d)
{
        d->opcode = raw[0];
        d->rsvd8 = raw[1];
        d->rsvd16 = ld_le16(raw + 2);
        d->length = ld_le32(raw + 4);
        d->sector = ld_le64(raw + 8);
        d->buffer = ld_le64(raw + 16);
        d->cookie = ld_le32(raw + 24);
        d->status = ld_le32(raw + BLK_DESC_STATUS_OFFSET);
}

const char *blk_desc_status_name(enum blk_desc_status s)
{
        switch (s) {
        case BLK_DESC_PENDING: return "pending";
        case BLK_DESC_OK: return "ok";
        case BLK_DESC_BAD_OPCODE: return "bad_opcode";
        case BLK_DESC_BAD_RESERVED: return "bad_reserved";
        case BLK_DESC_BAD_LENGTH: return "bad_length";
        case BLK_DESC_BAD_RANGE: return "bad_range";
        case BLK_DESC_BAD_BUFFER: return "bad_buffer";
        case BLK_DESC_DMA_FAULT: return "dma_fault";
        }
        return "unknown";
}

const char *blk_engine_error_name(enum blk_engine_error e)
{
        switch (e) {
        case BLK_ERR_NONE: return "none";
        case BLK_ERR_BAD_RING: return "bad_ring";
        case BLK_ERR_BAD_DOORBELL: return "bad_doorbell";
        case BLK_ERR_RING_FAULT: return "ring_fault";
        }
        return "unknown";
}

