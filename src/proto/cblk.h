/* ccada-dev's block function as a driver sees it: the register map of BAR0 and the
 * descriptor, the contract between the device (device/blk_engine.h, which says what the device
 * does with them) and a driver (the Realm's, realm/tdi_blk.h). One codec for the descriptor.
 *
 * Registers (BAR0 offsets; 32-bit, little-endian; 4-byte accesses at a multiple of 4, or
 * 8-byte ones at CAPACITY_LO and RING_BASE_LO):
 *   0x00 ID RO "CBLK" | 0x04 VERSION RO 1.0 | 0x08/0x0C CAPACITY RO (512-byte sectors) |
 *   0x10/0x14 RING_BASE RW (IOVA of descriptor 0, a multiple of 32) | 0x18 RING_ENTRIES RW (a
 *   power of two, 1..1024) | 0x1C DOORBELL WO (the driver's free-running producer index) |
 *   0x20 COMPLETION RO (the device's consumer index) | 0x24 STATUS RO (ENABLED, BROKEN) |
 *   0x28 ERROR RO (enum blk_engine_error) | 0x2C CONTROL RW (ENABLE, RESET)
 *
 * Descriptor (32 bytes, little-endian): 0x00 u8 opcode | 0x01 u8 reserved | 0x02 u16
 * reserved | 0x04 u32 length | 0x08 u64 sector | 0x10 u64 buffer (IOVA) | 0x18 u32 cookie
 * (the driver's) | 0x1C u32 status (written back by the device). */
#ifndef CCADA_PROTO_CBLK_H
#define CCADA_PROTO_CBLK_H

#include <stdint.h>

#define BLK_REG_ID           0x00u
#define BLK_REG_VERSION      0x04u
#define BLK_REG_CAPACITY_LO  0x08u
#define BLK_REG_CAPACITY_HI  0x0Cu
#define BLK_REG_RING_BASE_LO 0x10u
#define BLK_REG_RING_BASE_HI 0x14u
#define BLK_REG_RING_ENTRIES 0x18u
#define BLK_REG_DOORBELL     0x1Cu
#define BLK_REG_COMPLETION   0x20u
#define BLK_REG_STATUS       0x24u
#define BLK_REG_ERROR        0x28u
#define BLK_REG_CONTROL      0x2Cu
#define BLK_REGS_END         0x30u

#define BLK_ID          0x4B4C4243u
#define BLK_VERSION     0x00010000u
#define BLK_STATUS_ENABLED 0x1u
#define BLK_STATUS_BROKEN  0x2u
#define BLK_CONTROL_ENABLE 0x1u
#define BLK_CONTROL_RESET  0x2u

#define BLK_SECTOR       512u
#define BLK_DESC_SIZE    32u
#define BLK_MAX_ENTRIES  1024u
#define BLK_MAX_XFER     (1024u * 1024u)

enum blk_opcode { BLK_OP_READ = 1, BLK_OP_WRITE = 2, BLK_OP_FLUSH = 3 };

/* The status a descriptor ends with (0 is the driver's: not done). */
enum blk_desc_status {
        BLK_DESC_PENDING = 0,
        BLK_DESC_OK = 1,
        BLK_DESC_BAD_OPCODE = 2,
        BLK_DESC_BAD_RESERVED = 3,  /* a reserved field, or a FLUSH field, not zero */
        BLK_DESC_BAD_LENGTH = 4,    /* READ/WRITE: 0, not a multiple of 512, above 1 MiB */
        BLK_DESC_BAD_RANGE = 5,     /* sectors past the capacity */
        BLK_DESC_BAD_BUFFER = 6,    /* buffer not DW-aligned, or buffer + length wraps */
        BLK_DESC_DMA_FAULT = 7,     /* the DMA of the data was refused */
};

/* Why the engine is BROKEN (the ERROR register). */
enum blk_engine_error {
        BLK_ERR_NONE = 0,
        BLK_ERR_BAD_RING = 1,     /* enabled with a base not a multiple of 32, entries not a
                                   * power of two in 1..1024, or a ring that wraps */
        BLK_ERR_BAD_DOORBELL = 2, /* a producer index more than RING_ENTRIES ahead */
        BLK_ERR_RING_FAULT = 3,   /* a descriptor fetch the DMA refused */
};

#define BLK_DESC_STATUS_OFFSET 0x1Cu

/* A descriptor, field by field (reserved fields kept, so a decoder's caller can check them). */
struct blk_desc {
        uint8_t opcode, rsvd8;
        uint16_t rsvd16;
        uint32_t length;
        uint64_t sector, buffer;
        uint32_t cookie, status;
};

/* Exactly BLK_DESC_SIZE bytes each way; any bytes decode (a hostile writer's too), each field
 * read once. */
void blk_desc_encode(const struct blk_desc *d, uint8_t raw[BLK_DESC_SIZE]);
void blk_desc_decode(const uint8_t raw[BLK_DESC_SIZE], struct blk_desc *d);

const char *blk_desc_status_name(enum blk_desc_status s);  /* "ok", "bad_opcode", ... */
const char *blk_engine_error_name(enum blk_engine_error e); /* "none", "bad_ring", ... */

#endif
