/* The Realm's driver for ccada-dev's block function (proto/cblk.h) once the Realm has accepted
 * the device's TDI: what a Linux Realm's driver does after the PCI/TSM core accepted its
 * device. Its registers are BAR0, which the RMM maps protected (RIPAS DEV, validated by
 * RSI_VDEV_VALIDATE_MAPPING) and which the driver reaches with private MMIO
 * (rk_mmio_read_protected: no shared bit, so the request carries T=1 to the TDI). Its DMA
 * goes straight to private pages: the DMA API is given the device with force_bounce clear
 * (Linux: an accepted TDI's device is not forced through SWIOTLB), so a mapping is the IPA
 * itself, which the SMMU translates through the Realm's stage 2 once RSI_VDEV_DMA_ENABLE
 * gave the TDI's stream to the Realm. No byte is bounced.
 *
 * The ring: one private page of TDI_BLK_RING_ENTRIES descriptors. A request is split into
 * descriptors of at most BLK_MAX_XFER bytes; a batch of them is written, then one doorbell.
 * The device answers synchronously (it runs the ring inside the doorbell write); the driver
 * then reads COMPLETION and each descriptor's status back (one copy in each, the device is
 * hostile until the Realm trusts it, and even then a broken one must not crash us).
 *
 * Errors: CCADA_E_INVAL (length not a multiple of 512, zero, or the range past the capacity),
 * CCADA_E_IO (a descriptor ended with another status than OK: the device refused it or its
 * DMA faulted), CCADA_E_PEER (the device is not ccada-dev's block function, is BROKEN, or its
 * COMPLETION or a status does not add up), CCADA_E_SEA (the MMIO itself faulted: the mapping
 * is gone or the TDI refused the access), CCADA_E_NOMEM. */
#ifndef CCADA_REALM_TDI_BLK_H
#define CCADA_REALM_TDI_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "ccada/status.h"
#include "realm/dma_dev.h"

struct realm_kernel;

#define TDI_BLK_RING_ENTRIES 64u

struct tdi_blk_stats {
        uint64_t requests;      /* tdi_blk_rw calls that ended OK */
        uint64_t descriptors;   /* descriptors the device completed */
        uint64_t doorbells;
        uint64_t bytes_read, bytes_written;     /* moved by the device's DMA, OK only */
        uint64_t flushes;       /* tdi_blk_flush calls that ended OK */
        uint64_t errors;        /* calls that failed */
};

struct tdi_blk;

/* Probes BAR0 at bar_ipa (its size bar_size, at least the register block), allocates and
 * maps the ring, resets and enables the engine. dev is the DMA API's view of the device
 * (the caller sets it up; it must outlive the driver). */
ccada_status tdi_blk_probe(struct realm_kernel *k, uint64_t bar_ipa, uint64_t bar_size, struct dma_dev *dev,
                           struct tdi_blk **out) CCADA_MUST_CHECK;
/* Resets the engine (best effort), unmaps and frees the ring. NULL: no-op. */
void tdi_blk_remove(struct tdi_blk *b);

uint64_t tdi_blk_capacity(const struct tdi_blk *b); /* in 512-byte sectors */
const struct tdi_blk_stats *tdi_blk_stats(const struct tdi_blk *b);

/* len bytes at sector from (write) or into private memory at ipa. */
ccada_status tdi_blk_rw(struct tdi_blk *b, bool write, uint64_t sector, uint64_t ipa, uint64_t len) CCADA_MUST_CHECK;
/* One FLUSH descriptor: what was written is on the device's storage. */
ccada_status tdi_blk_flush(struct tdi_blk *b) CCADA_MUST_CHECK;

#endif
