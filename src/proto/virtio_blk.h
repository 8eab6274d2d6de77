/* virtio-blk (device ID 2): request header, status, configuration layout, feature bits.
 *
 * A request is one descriptor chain:
 *     { le32 type; le32 reserved; le64 sector; }  device-readable, 16 bytes
 *     u8 data[];                                  readable (OUT) or writable (IN, GET_ID)
 *     u8 status;                                  device-writable, the last byte
 * Sectors are always 512-byte units, whatever blk_size says.  virtio 1.2 §5.2.6
 */
#ifndef CCADA_PROTO_VIRTIO_BLK_H
#define CCADA_PROTO_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_BLK_SECTOR_SIZE  512u
#define VIRTIO_BLK_SECTOR_SHIFT 9
#define VIRTIO_BLK_ID_BYTES     20u /* GET_ID answer, NUL-padded */

/* Request header.  virtio 1.2 §5.2.6 */
#define VIRTIO_BLK_REQ_HDR_SIZE       16u
#define VIRTIO_BLK_REQ_OFF_TYPE       0u
#define VIRTIO_BLK_REQ_OFF_RESERVED   4u
#define VIRTIO_BLK_REQ_OFF_SECTOR     8u
_Static_assert(VIRTIO_BLK_REQ_OFF_SECTOR + 8 == VIRTIO_BLK_REQ_HDR_SIZE, "virtio 1.2 §5.2.6: header is 16 bytes");

/* Request types.  virtio 1.2 §5.2.6 */
#define VIRTIO_BLK_T_IN           0u
#define VIRTIO_BLK_T_OUT          1u
#define VIRTIO_BLK_T_FLUSH        4u
#define VIRTIO_BLK_T_GET_ID       8u
#define VIRTIO_BLK_T_GET_LIFETIME 10u
#define VIRTIO_BLK_T_DISCARD      11u
#define VIRTIO_BLK_T_WRITE_ZEROES 13u
#define VIRTIO_BLK_T_SECURE_ERASE 14u

/* Status byte.  virtio 1.2 §5.2.6 */
#define VIRTIO_BLK_S_OK     0u
#define VIRTIO_BLK_S_IOERR  1u
#define VIRTIO_BLK_S_UNSUPP 2u

/* Feature bits.  virtio 1.2 §5.2.3 */
#define VIRTIO_BLK_F_SIZE_MAX     1
#define VIRTIO_BLK_F_SEG_MAX      2
#define VIRTIO_BLK_F_GEOMETRY     4
#define VIRTIO_BLK_F_RO           5
#define VIRTIO_BLK_F_BLK_SIZE     6
#define VIRTIO_BLK_F_FLUSH        9
#define VIRTIO_BLK_F_TOPOLOGY     10
#define VIRTIO_BLK_F_CONFIG_WCE   11
#define VIRTIO_BLK_F_MQ           12
#define VIRTIO_BLK_F_DISCARD      13
#define VIRTIO_BLK_F_WRITE_ZEROES 14
#define VIRTIO_BLK_F_LIFETIME     15
#define VIRTIO_BLK_F_SECURE_ERASE 16

/* struct virtio_blk_config offsets.  virtio 1.2 §5.2.4 */
#define VIRTIO_BLK_CFG_CAPACITY          0x00 /* le64, 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX          0x08 /* le32 */
#define VIRTIO_BLK_CFG_SEG_MAX           0x0C /* le32 */
#define VIRTIO_BLK_CFG_GEO_CYLINDERS     0x10 /* le16 */
#define VIRTIO_BLK_CFG_GEO_HEADS         0x12 /* u8 */
#define VIRTIO_BLK_CFG_GEO_SECTORS       0x13 /* u8 */
#define VIRTIO_BLK_CFG_BLK_SIZE          0x14 /* le32 */
#define VIRTIO_BLK_CFG_PHYS_BLOCK_EXP    0x18 /* u8 */
#define VIRTIO_BLK_CFG_ALIGNMENT_OFFSET  0x19 /* u8 */
#define VIRTIO_BLK_CFG_MIN_IO_SIZE       0x1A /* le16 */
#define VIRTIO_BLK_CFG_OPT_IO_SIZE       0x1C /* le32 */
#define VIRTIO_BLK_CFG_WRITEBACK         0x20 /* u8 */
#define VIRTIO_BLK_CFG_NUM_QUEUES        0x22 /* le16 */
#define VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS 0x24 /* le32 */
#define VIRTIO_BLK_CFG_MAX_DISCARD_SEG   0x28 /* le32 */
#define VIRTIO_BLK_CFG_DISCARD_ALIGNMENT 0x2C /* le32 */
#define VIRTIO_BLK_CFG_MAX_WZ_SECTORS    0x30 /* le32 */
#define VIRTIO_BLK_CFG_MAX_WZ_SEG        0x34 /* le32 */
#define VIRTIO_BLK_CFG_WZ_MAY_UNMAP      0x38 /* u8 */
#define VIRTIO_BLK_CFG_MAX_SE_SECTORS    0x3C /* le32 */
#define VIRTIO_BLK_CFG_MAX_SE_SEG        0x40 /* le32 */
#define VIRTIO_BLK_CFG_SE_ALIGNMENT      0x44 /* le32 */
#define VIRTIO_BLK_CFG_SIZE              0x48 /* up to (not including) the zoned block */

_Static_assert(VIRTIO_BLK_CFG_BLK_SIZE == VIRTIO_BLK_CFG_GEO_SECTORS + 1, "virtio 1.2 §5.2.4: geometry is 4 bytes");
_Static_assert(VIRTIO_BLK_CFG_NUM_QUEUES % 2 == 0 && VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS % 4 == 0,
               "virtio 1.2 §5.2.4: fields are naturally aligned");

/* Request header in host byte order. */
struct virtio_blk_req_hdr {
        uint32_t type;
        uint32_t reserved;
        uint64_t sector;
};

/* Encodes h into 16 bytes at out. Returns false (nothing written) when out_len < 16. */
bool virtio_blk_req_hdr_encode(uint8_t *out, size_t out_len, const struct virtio_blk_req_hdr *h);
/* Decodes 16 bytes at in. Returns false (h zeroed) when in_len < 16. Does not judge the
 * values: type, reserved and sector are checked by the device's request handler. */
bool virtio_blk_req_hdr_decode(const uint8_t *in, size_t in_len, struct virtio_blk_req_hdr *h);

/* "IN", "OUT", "FLUSH", "GET_ID", ... or "?". */
const char *virtio_blk_type_name(uint32_t type);
/* "OK", "IOERR", "UNSUPP" or "?". */
const char *virtio_blk_status_name(uint8_t status);

#endif
