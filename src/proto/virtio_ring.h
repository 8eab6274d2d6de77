/* VirtIO 1.2 split virtqueue: the wire layout shared by driver and device.
 *
 * The three areas of a split virtqueue live in memory both sides can reach (in a Realm:
 * shared, decrypted granules reached through the unprotected alias). Their layout is the
 * contract between driver and device, so it is declared here once, with every offset
 * checked against the spec table, and every access goes through the encode/decode helpers
 * below (src/lib/bytes.h), never through a struct cast.
 *
 *   Descriptor table   align 16, 16 * qsz bytes, written by the driver only
 *     +0  le64 addr    device (DMA) address of the buffer
 *     +8  le32 len     bytes
 *     +12 le16 flags   VRING_DESC_F_*
 *     +14 le16 next    next descriptor index when flags has NEXT
 *
 *   Available ring     align 2, 6 + 2 * qsz bytes, written by the driver
 *     +0        le16 flags       VRING_AVAIL_F_NO_INTERRUPT
 *     +2        le16 idx         free-running, never decremented
 *     +4 + 2*i  le16 ring[i]     head descriptor index
 *     +4 + 2*q  le16 used_event  only meaningful with VIRTIO_F_EVENT_IDX
 *
 *   Used ring          align 4, 6 + 8 * qsz bytes, written by the device
 *     +0        le16 flags       VRING_USED_F_NO_NOTIFY
 *     +2        le16 idx         free-running
 *     +4 + 8*i  ring[i]          { le32 id (head index), le32 len (bytes written) }
 *     +4 + 8*q  le16 avail_event only meaningful with VIRTIO_F_EVENT_IDX
 *
 * Indices (avail.idx, used.idx) are free-running 16-bit counters; the ring slot of index
 * i is i & (qsz - 1), which is why qsz must be a power of two (virtio 1.2 §2.7).
 */
#ifndef CCADA_PROTO_VIRTIO_RING_H
#define CCADA_PROTO_VIRTIO_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Queue size: a power of two, at most 32768.  virtio 1.2 §2.7 */
#define VRING_MAX_SIZE 32768u

/* Alignment of each area.  virtio 1.2 §2.7 (table "Virtqueue Part Alignment") */
#define VRING_DESC_ALIGN  16u
#define VRING_AVAIL_ALIGN 2u
#define VRING_USED_ALIGN  4u

/* Descriptor.  virtio 1.2 §2.7.5 */
#define VRING_DESC_SIZE      16u
#define VRING_DESC_OFF_ADDR  0u
#define VRING_DESC_OFF_LEN   8u
#define VRING_DESC_OFF_FLAGS 12u
#define VRING_DESC_OFF_NEXT  14u

#define VRING_DESC_F_NEXT     1u /* buffer continues via the next field */
#define VRING_DESC_F_WRITE    2u /* device-writable (otherwise device-readable) */
#define VRING_DESC_F_INDIRECT 4u /* buffer is a table of descriptors  virtio 1.2 §2.7.5.3 */

/* Available ring.  virtio 1.2 §2.7.6 */
#define VRING_AVAIL_OFF_FLAGS 0u
#define VRING_AVAIL_OFF_IDX   2u
#define VRING_AVAIL_OFF_RING  4u
#define VRING_AVAIL_ELEM_SIZE 2u
#define VRING_AVAIL_F_NO_INTERRUPT 1u

/* Used ring.  virtio 1.2 §2.7.8 */
#define VRING_USED_OFF_FLAGS 0u
#define VRING_USED_OFF_IDX   2u
#define VRING_USED_OFF_RING  4u
#define VRING_USED_ELEM_SIZE 8u
#define VRING_USED_ELEM_OFF_ID  0u
#define VRING_USED_ELEM_OFF_LEN 4u
#define VRING_USED_F_NO_NOTIFY 1u

/* The layout is the contract: check it against the spec tables once, at compile time. */
_Static_assert(VRING_DESC_OFF_ADDR == 0 && VRING_DESC_OFF_LEN == VRING_DESC_OFF_ADDR + 8,
               "virtio 1.2 §2.7.5: addr le64 @0, len le32 @8");
_Static_assert(VRING_DESC_OFF_FLAGS == VRING_DESC_OFF_LEN + 4 && VRING_DESC_OFF_NEXT == VRING_DESC_OFF_FLAGS + 2,
               "virtio 1.2 §2.7.5: flags le16 @12, next le16 @14");
_Static_assert(VRING_DESC_SIZE == VRING_DESC_OFF_NEXT + 2 && VRING_DESC_SIZE == 16,
               "virtio 1.2 §2.7.5: a descriptor is 16 bytes");
_Static_assert(VRING_DESC_SIZE % VRING_DESC_ALIGN == 0, "descriptor table entries stay aligned");
_Static_assert(VRING_AVAIL_OFF_IDX == VRING_AVAIL_OFF_FLAGS + 2 && VRING_AVAIL_OFF_RING == VRING_AVAIL_OFF_IDX + 2,
               "virtio 1.2 §2.7.6: avail flags @0, idx @2, ring @4");
_Static_assert(VRING_USED_OFF_IDX == VRING_USED_OFF_FLAGS + 2 && VRING_USED_OFF_RING == VRING_USED_OFF_IDX + 2,
               "virtio 1.2 §2.7.8: used flags @0, idx @2, ring @4");
_Static_assert(VRING_USED_ELEM_OFF_LEN == VRING_USED_ELEM_OFF_ID + 4 && VRING_USED_ELEM_SIZE == VRING_USED_ELEM_OFF_LEN + 4,
               "virtio 1.2 §2.7.8: used elem {le32 id @0, le32 len @4}, 8 bytes");
_Static_assert(VRING_USED_OFF_RING % 4 == 0 && VRING_USED_ELEM_SIZE % 4 == 0,
               "used ring elements are naturally aligned given a 4-aligned used ring");

/* A descriptor in host byte order (decoded; never overlaid on shared memory). */
struct vring_desc {
        uint64_t addr;
        uint32_t len;
        uint16_t flags;
        uint16_t next;
};

/* A used ring element in host byte order. */
struct vring_used_elem {
        uint32_t id;
        uint32_t len;
};

/* True when qsz is a valid split queue size: a power of two in [1, 32768]. */
static inline bool vring_size_valid(uint32_t qsz)
{
        return qsz != 0 && qsz <= VRING_MAX_SIZE && (qsz & (qsz - 1)) == 0;
}

/* Bytes of each area for a queue of qsz entries (event fields included).  virtio 1.2 §2.7 */
static inline size_t vring_desc_table_size(uint32_t qsz) { return (size_t)VRING_DESC_SIZE * qsz; }
static inline size_t vring_avail_size(uint32_t qsz) { return 6u + (size_t)VRING_AVAIL_ELEM_SIZE * qsz; }
static inline size_t vring_used_size(uint32_t qsz) { return 6u + (size_t)VRING_USED_ELEM_SIZE * qsz; }

/* Byte offsets of variable-position fields. slot must be < qsz. */
static inline uint64_t vring_desc_off(uint32_t i) { return (uint64_t)VRING_DESC_SIZE * i; }
static inline uint64_t vring_avail_ring_off(uint32_t slot)
{
        return VRING_AVAIL_OFF_RING + (uint64_t)VRING_AVAIL_ELEM_SIZE * slot;
}
static inline uint64_t vring_used_event_off(uint32_t qsz) { return vring_avail_ring_off(qsz); }
static inline uint64_t vring_used_ring_off(uint32_t slot)
{
        return VRING_USED_OFF_RING + (uint64_t)VRING_USED_ELEM_SIZE * slot;
}
static inline uint64_t vring_avail_event_off(uint32_t qsz) { return vring_used_ring_off(qsz); }

/* Should the side that moved its index from old_idx to new_idx notify the other side,
 * which asked (used_event / avail_event) to be told when the index passes event_idx?
 * True iff event_idx is in [old_idx, new_idx) in free-running 16-bit arithmetic, i.e. the
 * index "reached event_idx + 1" during this batch.  virtio 1.2 §2.7.10 (and §2.7.7.2) */
static inline bool vring_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx)
{
        return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old_idx);
}

/* Encodes d into the 16 bytes at out (little-endian, spec layout). out_len must be >= 16;
 * returns false (and writes nothing) otherwise. */
bool vring_desc_encode(uint8_t *out, size_t out_len, const struct vring_desc *d);
/* Decodes the 16 bytes at in. Returns false when in_len < 16 (d is then zeroed). */
bool vring_desc_decode(const uint8_t *in, size_t in_len, struct vring_desc *d);

/* Same for a used ring element (8 bytes). */
bool vring_used_elem_encode(uint8_t *out, size_t out_len, const struct vring_used_elem *e);
bool vring_used_elem_decode(const uint8_t *in, size_t in_len, struct vring_used_elem *e);

#endif
