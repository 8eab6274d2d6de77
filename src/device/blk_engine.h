/* ccada-dev's function: a block device with a descriptor ring, reached by MMIO in BAR0 and
 * moving every byte by DMA (issue 12: "a command ring in device MMIO, data DMA'd straight into
 * private pages"). The engine knows neither PCIe nor TDISP: device/pdev.c checks each MMIO
 * access (BAR, T bit, TDI state) before it gets here and gives the engine its DMA path.
 *
 * Register map (BAR0 offsets; 32-bit registers, little-endian; accesses of 4 bytes at a
 * multiple of 4, or of 8 bytes at CAPACITY_LO and RING_BASE_LO, the 64-bit pairs):
 *
 *   0x00  ID            RO  0x4B4C4243 ("CBLK")
 *   0x04  VERSION       RO  0x00010000 (1.0)
 *   0x08  CAPACITY_LO   RO  capacity in 512-byte sectors, bits 31:0
 *   0x0C  CAPACITY_HI   RO  bits 63:32
 *   0x10  RING_BASE_LO  RW  IOVA of descriptor 0, bits 31:0 (a multiple of 32)
 *   0x14  RING_BASE_HI  RW  bits 63:32
 *   0x18  RING_ENTRIES  RW  descriptors in the ring: a power of two, 1..1024
 *   0x1C  DOORBELL      WO  the driver's producer index (free-running u32): descriptors up
 *                           to it are new; reads 0
 *   0x20  COMPLETION    RO  the device's consumer index (free-running u32): descriptors
 *                           before it are done and their status written back
 *   0x24  STATUS        RO  bit 0 ENABLED, bit 1 BROKEN
 *   0x28  ERROR         RO  why BROKEN (enum blk_engine_error; 0 while not)
 *   0x2C  CONTROL       RW  bit 0 ENABLE, bit 1 RESET (write-only, self-clearing)
 * Writes to RO registers and reserved bits are ignored; any other offset or size is refused
 * (blk_engine_mmio_* return false and pdev reports a bad access).
 *
 * Engine state:  DISABLED --CONTROL.ENABLE=1, ring valid--> ENABLED
 *                DISABLED --CONTROL.ENABLE=1, ring invalid--> BROKEN (BAD_RING)
 *                ENABLED --doorbell beyond the ring, or a descriptor fetch the DMA
 *                          refuses--> BROKEN (BAD_DOORBELL, RING_FAULT)
 *                any --CONTROL.RESET (or blk_engine_reset)--> DISABLED, indices 0
 *                ENABLED --CONTROL.ENABLE=0--> DISABLED (indices kept)
 * RING_BASE and RING_ENTRIES are latched when enabled; writes to them while ENABLED are
 * ignored. A doorbell outside ENABLED does nothing. BROKEN is sticky until RESET (a broken
 * peer stays broken: STYLE §5). Invariant: COMPLETION <= DOORBELL, DOORBELL - COMPLETION <=
 * RING_ENTRIES, both counted by the device's private shadows, never read back from memory.
 *
 * Descriptor (32 bytes in memory reached only by DMA, little-endian):
 *
 *   0x00  u8  opcode     1 READ (storage -> memory), 2 WRITE (memory -> storage), 3 FLUSH
 *   0x01  u8  reserved, 0x02 u16 reserved: zero
 *   0x04  u32 length     bytes: a multiple of 512, 512..1 MiB (READ, WRITE); 0 (FLUSH)
 *   0x08  u64 sector     first 512-byte sector (FLUSH: 0)
 *   0x10  u64 buffer     IOVA of the data, DW-aligned (FLUSH: 0)
 *   0x18  u32 cookie     the driver's, untouched
 *   0x1C  u32 status     written back by the device: enum blk_desc_status
 *
 * A doorbell processes every new descriptor synchronously, in order: fetch it by one DMA
 * read (copied in once, then only the copy is used), validate (opcode, reserved fields,
 * length, sector range, buffer), move the data, write the status DW back by DMA, advance
 * COMPLETION. Every descriptor is hostile; a refused one gets its error status and changes
 * nothing else. A WRITE is staged whole before storage changes (all or nothing); a READ
 * whose data the DMA refuses ends with DMA_FAULT (the memory may hold part of the data,
 * the status never says OK). Device-to-memory DMA writes are posted: the engine learns of a
 * refused one from a read of the last DW it wrote in each 4 KiB page (PCIe's flushing read:
 * a read does not pass the writes before it, and the SMMU refuses a page for reads as for
 * writes; ours: a stage 2 that maps a page read-only is not caught).
 * Not modelled: interrupts (the driver reads COMPLETION), queue depth beyond one ring, FUA.
 *
 * Storage: RAM inside the device, capacity from the config (default 64 MiB), allocated in
 * 64 KiB chunks on first write (an unwritten sector reads as zeros).
 *
 * Single-threaded; no globals.
 */
#ifndef CCADA_DEVICE_BLK_ENGINE_H
#define CCADA_DEVICE_BLK_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/cblk.h"

#define BLK_ENGINE_MUST_CHECK __attribute__((warn_unused_result))

#define BLK_DEFAULT_BYTES (64ull * 1024 * 1024)
#define BLK_MAX_BYTES    (1024ull * 1024 * 1024)   /* the largest capacity a config may ask */


/* The engine's DMA path: len bytes (a DW multiple) at iova, to memory from buf (to_memory)
 * or from memory into buf. True only if every byte moved. */
typedef bool (*blk_engine_dma_fn)(void *ctx, uint64_t iova, void *buf, size_t len, bool to_memory);

struct blk_engine_config {
        uint64_t capacity_bytes;  /* a multiple of 512 up to BLK_MAX_BYTES; 0: BLK_DEFAULT_BYTES */
        blk_engine_dma_fn dma;    /* non-NULL */
        void *dma_ctx;
};

struct blk_engine_stats {
        uint64_t doorbells;
        uint64_t descriptors;         /* fetched and ended with a status */
        uint64_t ok, refused;         /* of those: OK, and a validation status */
        uint64_t bytes_read;          /* storage -> memory, READ that ended OK */
        uint64_t bytes_written;       /* memory -> storage, WRITE that ended OK */
        uint64_t flushes;
        uint64_t dma_faults;          /* DMA refusals: data (DMA_FAULT), fetch (RING_FAULT),
                                       * status write-back */
        uint64_t chunks;              /* storage chunks allocated */
};

struct blk_engine;

/* False (*out NULL) for a capacity that is not a multiple of 512 or above BLK_MAX_BYTES,
 * no dma function, or no memory. */
bool blk_engine_new(struct blk_engine **out, const struct blk_engine_config *cfg) BLK_ENGINE_MUST_CHECK;
void blk_engine_free(struct blk_engine *e); /* NULL: no-op */

/* A register access at BAR0 offset off, size 4 or 8 (above). False, with *val 0 on a read,
 * for an offset or size that is no register. A write to DOORBELL runs the ring before it
 * returns (the DMA callback is called from inside). */
bool blk_engine_mmio_read(struct blk_engine *e, uint64_t off, unsigned size, uint64_t *val) BLK_ENGINE_MUST_CHECK;
bool blk_engine_mmio_write(struct blk_engine *e, uint64_t off, unsigned size, uint64_t val) BLK_ENGINE_MUST_CHECK;

/* CONTROL.RESET from the device itself (pdev: the TDI changed state, so what one owner
 * programmed never serves the next): DISABLED, ring registers and indices 0, not BROKEN.
 * Storage is kept. */
void blk_engine_reset(struct blk_engine *e);

uint64_t blk_engine_capacity_sectors(const struct blk_engine *e);
/* The device's own view of its storage, [off, off + len): no DMA, no register (the board
 * compares it with what an interposer on the link saw). False past the capacity. */
bool blk_engine_storage_read(const struct blk_engine *e, uint64_t off, void *dst, size_t len) BLK_ENGINE_MUST_CHECK;
const struct blk_engine_stats *blk_engine_stats(const struct blk_engine *e);

#endif
