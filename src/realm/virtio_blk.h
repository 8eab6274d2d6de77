/* The Realm guest's virtio-blk driver over the virtio-pci modern transport.
 * virtio 1.2 §5.2
 *
 * Requests in flight: up to the queue depth, as blk-mq gives virtio_queue_rq tags (one
 * request queue, polled; no interrupts). The depth is Linux's default, the queue's free
 * descriptors (half of them without INDIRECT_DESC), or "virtio_blk.queue_depth=N" on the
 * kernel command line (Linux's module parameter), at most the queue size. Operations are
 * synchronous for their caller: virtio_blk_submit runs a batch to its end with up to the
 * depth of requests in flight, the other calls are a batch of one. An operation larger
 * than what one request can carry (seg_max, size_max, the descriptors of the queue) is
 * issued as several requests in sector order. A request that finds no bounce slots or
 * descriptors is requeued and issued again once a completion frees some (Linux:
 * BLK_STS_DEV_RESOURCE), counted in requeues; it fails only when nothing is in flight to
 * free any. After a failure nothing more is issued, what is in flight completes, and the
 * requests done stay done (as a block layer that splits a bio).
 *
 * Data path per request: a 16-byte header and a 1-byte status in a private page of the
 * driver, every buffer mapped with the DMA API (header TO_DEVICE, data TO_DEVICE for
 * writes / FROM_DEVICE for reads, status FROM_DEVICE). In a Realm every mapping is thus
 * bounced through SWIOTLB (swiotlb_bounced trace events); a data segment larger than
 * dma_max_mapping_size (or size_max) is split into several descriptors. The status byte
 * is read only after the unmap copied it back into private memory, and bytes beyond the
 * used length are never trusted. Every mapping is unmapped on every path.
 *
 * Device state: OK --queue violation (virtqueue.h), status byte not OK/IOERR/UNSUPP,
 * completion timeout, notify fault--> BROKEN (terminal: every later operation returns
 * CCADA_E_BROKEN; on entering BROKEN the device is reset and the request's buffers are
 * taken back with vq_detach_unused and unmapped without copy-back).
 *
 * Context: single-threaded; the caller owns b.
 */
#ifndef CCADA_REALM_VIRTIO_BLK_H
#define CCADA_REALM_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/status.h"
#include "realm/pci.h"

struct realm_kernel;
struct virtio_blk;

/* Bounds of one operation's data (virtio-blk sectors are always 512 bytes). */
#define VIRTIO_BLK_IO_ALIGN 512u
#define VIRTIO_BLK_MIN_IO VIRTIO_BLK_IO_ALIGN
#define VIRTIO_BLK_MAX_IO (1u << 20)
/* Segments one readv/writev may name. */
#define VIRTIO_BLK_MAX_SEGS 16u
/* Data descriptors in one request (each also takes a bounce mapping in a Realm). */
#define VIRTIO_BLK_MAX_REQ_SEGS 64u
/* Largest capacity accepted, in sectors (2^41 sectors = 1 PiB): larger is hostile. */
#define VIRTIO_BLK_MAX_CAPACITY (1ull << 41)
/* Largest blk_size accepted (Linux BLK_MAX_BLOCK_SIZE). */
#define VIRTIO_BLK_MAX_BLK_SIZE (64u << 10)
/* Queue size asked for. */
#define VIRTIO_BLK_QUEUE_SIZE 256u
/* Polls of the used ring (each followed by rk_wait) before a request times out. */
#define VIRTIO_BLK_POLL_MAX 1000000u
/* Length of a GET_ID answer plus the terminating NUL. */
#define VIRTIO_BLK_ID_LEN 21u

/* One data segment of a scatter-gather operation: a private buffer (protected IPA). */
struct blk_seg {
        uint64_t ipa;
        uint32_t len;
};

struct virtio_blk_stats {
        uint64_t requests;      /* device requests completed (any status) */
        uint64_t bytes;         /* data bytes moved by successful reads and writes */
        uint64_t errors;        /* requests answered IOERR or UNSUPP */
        uint64_t requeues;      /* requests put back for lack of bounce slots or descriptors */
        unsigned max_in_flight; /* most requests in flight at once */
        unsigned queue_depth;   /* the depth in use */
};

/* One read or write of a batch (virtio_blk_submit): segments as for readv/writev. */
struct virtio_blk_io {
        bool write;
        uint64_t sector;
        const struct blk_seg *segs;
        unsigned nseg;
        ccada_status result;    /* out: as virtio_blk_read returns for this one */
};

/* Binds the virtio-blk function pdev (enumerated, unbound) to a new driver instance and
 * probes it: transport (virtio_pci_probe with a dma_dev named by the BDF, driver
 * "virtio-pci", dma_mask all ones, tlb = rk_default_swiotlb(k), force_bounce as
 * dma_dev_init decides), negotiation (SIZE_MAX, SEG_MAX, BLK_SIZE, FLUSH, RO,
 * INDIRECT_DESC, EVENT_IDX when offered), configuration validation (capacity in
 * [1, VIRTIO_BLK_MAX_CAPACITY]; blk_size if offered a power of two in [512, 64 KiB];
 * seg_max if offered >= 1; size_max if offered >= 512; the DEVICE region long enough),
 * queue 0, DRIVER_OK. Logs "virtio_blk <bdf>: [vda] N 512-byte logical blocks (...)".
 * pdev->driver points into *out while it lives; pdev must outlive it.
 * Returns CCADA_OK and *out (owned by the caller: virtio_blk_destroy); CCADA_E_INVAL
 * (NULL, or pdev is not 1af4:1042); CCADA_E_BUSY (pdev already bound); CCADA_E_PEER
 * (hostile capability or configuration, logged); the statuses of virtio_pci_negotiate /
 * virtio_pci_setup_queue; CCADA_E_NOMEM. On failure the device is reset (FAILED written
 * where negotiation refused it), pdev is unbound and nothing stays allocated. */
ccada_status virtio_blk_probe(struct realm_kernel *k, struct pci_device *pdev,
                              struct virtio_blk **out) CCADA_MUST_CHECK;

/* Enumerates root if not yet (root zeroed: pci_root_init first) and binds the first
 * virtio-blk function (vendor 0x1AF4, device 0x1042) whose probe succeeds, through a
 * pci_driver named "virtio_blk". Returns CCADA_OK and *out; CCADA_E_UNSUPPORTED (no PCI,
 * or no virtio-blk function); the last probe error when every candidate was refused;
 * pci_root_init / pci_enumerate errors. */
ccada_status virtio_blk_probe_first(struct realm_kernel *k, struct pci_root *root,
                                    struct virtio_blk **out) CCADA_MUST_CHECK;

/* Resets the device, frees the queue, the private page and b, and unbinds the PCI
 * function. NULL is a no-op. */
void virtio_blk_destroy(struct virtio_blk *b);

/* Reads len bytes from sector into the private buffer at buf_ipa (writes: from it).
 * len in [512, 1 MiB], a multiple of 512; sector + len / 512 <= capacity.
 * Returns CCADA_OK; CCADA_E_INVAL (NULL, len out of bounds or not a multiple of 512);
 * CCADA_E_RANGE (beyond capacity); CCADA_E_UNSUPPORTED (device answered UNSUPP, or a
 * write to a read-only device); CCADA_E_IO (device answered IOERR, or timed out: the
 * device is then BROKEN); CCADA_E_BROKEN (the device is or just became BROKEN); the DMA
 * mapping error (CCADA_E_NOSPC, CCADA_E_SEA, ... nothing issued for that request).
 * On a failed read the buffer's contents are unspecified. */
ccada_status virtio_blk_read(struct virtio_blk *b, uint64_t sector, uint64_t buf_ipa, uint32_t len) CCADA_MUST_CHECK;
ccada_status virtio_blk_write(struct virtio_blk *b, uint64_t sector, uint64_t buf_ipa, uint32_t len) CCADA_MUST_CHECK;

/* Scatter-gather forms: nseg in [1, VIRTIO_BLK_MAX_SEGS] segments, each a non-zero
 * multiple of 512 bytes, together at most 1 MiB, transferred to/from consecutive sectors
 * from sector. Returns as virtio_blk_read (CCADA_E_INVAL also for a bad segment list). */
ccada_status virtio_blk_readv(struct virtio_blk *b, uint64_t sector, const struct blk_seg *segs,
                              unsigned nseg) CCADA_MUST_CHECK;
ccada_status virtio_blk_writev(struct virtio_blk *b, uint64_t sector, const struct blk_seg *segs,
                               unsigned nseg) CCADA_MUST_CHECK;

/* Runs n reads and writes with up to the queue depth of requests in flight, in order of
 * issue, and returns when all are done. Every io is checked first (nothing is issued when one
 * is malformed: its result says why). Returns CCADA_OK when all succeeded, else the first
 * failure; each io's result is its own (the first failure for one never issued after it). */
ccada_status virtio_blk_submit(struct virtio_blk *b, struct virtio_blk_io *ios, unsigned n) CCADA_MUST_CHECK;

/* Flushes the device's write cache (VIRTIO_BLK_T_FLUSH). Without VIRTIO_BLK_F_FLUSH the
 * device has no volatile cache and this returns CCADA_OK without a request.
 * Returns as virtio_blk_read. */
ccada_status virtio_blk_flush(struct virtio_blk *b) CCADA_MUST_CHECK;

/* Asks the device for its ID string (VIRTIO_BLK_T_GET_ID): at most 20 bytes, only the
 * bytes the device reports writing, non-printable bytes replaced by '?', NUL-terminated.
 * Returns as virtio_blk_read (CCADA_E_UNSUPPORTED when the device does not implement it;
 * id is then ""). */
ccada_status virtio_blk_get_id(struct virtio_blk *b, char id[VIRTIO_BLK_ID_LEN]) CCADA_MUST_CHECK;

/* Capacity in 512-byte sectors, as validated at probe. */
uint64_t virtio_blk_capacity(const struct virtio_blk *b);
/* The BDF the driver is bound to ("0000:00:00.0"). */
const char *virtio_blk_name(const struct virtio_blk *b);
bool virtio_blk_is_broken(const struct virtio_blk *b);
bool virtio_blk_read_only(const struct virtio_blk *b);
/* Negotiated feature bits (device-specific and transport). */
uint64_t virtio_blk_features(const struct virtio_blk *b);
void virtio_blk_get_stats(const struct virtio_blk *b, struct virtio_blk_stats *stats);

#endif
