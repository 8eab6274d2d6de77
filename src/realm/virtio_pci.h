/* The Realm guest's virtio-pci modern transport driver.  virtio 1.2 §4.1.4-§4.1.5
 *
 * The device is emulated by the UNTRUSTED host: its capabilities, registers and device
 * configuration are hostile input. The transport therefore
 *   - takes the first COMMON/NOTIFY/ISR/DEVICE vendor capability of each type, copies
 *     each once and validates it (BAR index < 6 naming an assigned memory BAR, region
 *     non-empty and inside the BAR, COMMON >= 0x38 bytes and 4-byte aligned, NOTIFY
 *     2-byte aligned with a multiplier of 0 or a power of two >= 2, DEVICE 4-byte
 *     aligned); a bad capability refuses the device with a message;
 *   - keeps a private shadow of the status it wrote (never read-modify-writes the
 *     device's copy) and of the negotiated features;
 *   - bounds every wait (reset, config generation) and fails instead of hanging;
 *   - in a Realm REQUIRES VIRTIO_F_ACCESS_PLATFORM, so that every buffer goes through the
 *     DMA API and SWIOTLB (as Linux virtio_features_ok with restricted memory access);
 *   - places rings in dma_alloc_coherent memory (shared, never bounced) and programs
 *     their DMA addresses.
 * No interrupts: the driver polls the used ring (see virtio_blk.c).
 *
 * Device state (driver's view): RESET --virtio_pci_negotiate--> FEATURES_OK
 *   --virtio_pci_setup_queue (per queue)--> ... --virtio_pci_driver_ok--> DRIVER_OK
 *   --virtio_pci_destroy--> RESET (queues freed). Any refused step writes FAILED.
 *
 * Context: single-threaded; one driver owns the device.
 */
#ifndef CCADA_REALM_VIRTIO_PCI_H
#define CCADA_REALM_VIRTIO_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/status.h"
#include "realm/dma.h"
#include "realm/pci.h"
#include "realm/virtqueue.h"

struct realm_kernel;

/* Largest queue we set up (a device offering more is asked for this many). */
#define VIRTIO_PCI_MAX_QUEUE_SIZE 256u
/* Queues one device may have set up through this transport. */
#define VIRTIO_PCI_MAX_QUEUES 4u
/* Polls (each followed by rk_wait) for a reset to read back as 0. */
#define VIRTIO_PCI_RESET_POLLS 1000u
/* Attempts at a config read with a stable config_generation.  virtio 1.2 §4.1.4.3.1 */
#define VIRTIO_PCI_CFG_RETRIES 16u

/* One validated capability region: where it is and how long. */
struct virtio_pci_region {
        bool present;
        uint8_t bar;
        uint32_t offset, length;        /* within the BAR */
        uint64_t addr;                  /* canonical IPA of its first byte */
};

/* One queue the transport set up: the ring memory it owns and the driver queue. */
struct virtio_pci_queue {
        bool active;
        uint16_t size;
        uint64_t notify_addr;           /* canonical IPA of its notify register */
        uint64_t ring_cpu, ring_dma;    /* desc | avail | used in one coherent block */
        size_t ring_bytes;
        uint64_t ind_cpu;               /* indirect tables, private (0 bytes without INDIRECT_DESC) */
        size_t ind_bytes;
        struct virtqueue vq;
};

struct virtio_pci_dev {
        struct realm_kernel *k;
        struct pci_device *pdev;
        char name[16];                  /* the virtio device: "virtio<n>" in probe order */
        bool numbered;                  /* index taken (rk_ida_alloc), given back on destroy */
        unsigned index;
        const char *driver;             /* its driver's name ("virtio_blk"), for logs */
        struct dma_dev dma;             /* name = BDF, driver "virtio-pci" */
        struct virtio_pci_region common, notify, isr, device;
        uint32_t notify_mult;
        uint8_t status;                 /* shadow of what we last wrote */
        uint64_t device_features;       /* as offered (copied once) */
        uint64_t features;              /* negotiated */
        uint16_t num_queues;            /* as read at negotiation */
        struct virtio_pci_queue queues[VIRTIO_PCI_MAX_QUEUES];
};

/* One device configuration field for virtio_pci_config_read. size is 1, 2, 4 or 8 and off
 * a multiple of min(size, 4); 8-byte fields are read as two 32-bit halves (virtio 1.2
 * §4.1.3.1). val receives the little-endian value. */
struct virtio_cfg_field {
        uint16_t off;
        uint8_t size;
        uint64_t val;
};

/* Finds and validates the vendor capabilities of pdev (which must be enumerated: BARs
 * assigned, caps walked) and prepares vp: zeroes it, dma_dev_init(name = pdev->name,
 * driver "virtio-pci", tlb). COMMON, NOTIFY and ISR are required; DEVICE is optional
 * (vp->device.present). On success the device is numbered as Linux's virtio core numbers
 * it (vp->name "virtio<n>", rk_ida_alloc) and bound to driver (its log lines read
 * "<driver> virtio<n>: ..."). Touches no device register besides configuration space.
 * Returns CCADA_OK; CCADA_E_INVAL (NULL); CCADA_E_PEER (a missing or hostile capability:
 * logged "virtio-pci <bdf>: ..."); the ECAM access error. */
ccada_status virtio_pci_probe(struct virtio_pci_dev *vp, struct realm_kernel *k, struct pci_device *pdev,
                              const char *driver, struct swiotlb *tlb) CCADA_MUST_CHECK;

/* Resets the device (status 0) and waits, bounded, until it reads 0.  virtio 1.2 §4.1.4.3.2
 * Returns CCADA_OK; CCADA_E_IO (still not 0 after VIRTIO_PCI_RESET_POLLS polls); the MMIO
 * error. */
ccada_status virtio_pci_reset(struct virtio_pci_dev *vp) CCADA_MUST_CHECK;

/* Device initialisation up to FEATURES_OK.  virtio 1.2 §3.1.1
 * reset, ACKNOWLEDGE, DRIVER, read the 64-bit device features, accept
 *   VERSION_1 (required), ACCESS_PLATFORM (required in a Realm, accepted otherwise),
 *   wanted & device features for device-specific bits (0..23) and INDIRECT_DESC and
 *   EVENT_IDX (other transport features are never accepted),
 * write them, set FEATURES_OK and read it back.
 * On success *negotiated (may be NULL) = vp->features. On refusal FAILED is written.
 * Returns CCADA_OK; CCADA_E_UNSUPPORTED (no VERSION_1; in a Realm no ACCESS_PLATFORM:
 * "device must provide VIRTIO_F_ACCESS_PLATFORM"); CCADA_E_REJECTED (the device cleared
 * FEATURES_OK); CCADA_E_IO (reset timed out); the MMIO error. */
ccada_status virtio_pci_negotiate(struct virtio_pci_dev *vp, uint64_t wanted, uint64_t *negotiated) CCADA_MUST_CHECK;

/* Sets up queue index (after negotiate, before driver_ok): reads queue_size (0 or not a
 * power of two: refused; more than max_size (<= VIRTIO_PCI_MAX_QUEUE_SIZE, a power of
 * two) is lowered to max_size), allocates desc/avail/used (and with INDIRECT_DESC the
 * indirect tables) with dma_alloc_coherent, vq_init, programs the DMA addresses, computes
 * the notify address from queue_notify_off (must stay inside the NOTIFY region) and
 * enables the queue. name is the queue's name in logs (Linux's find_vqs names, e.g.
 * "req.0"). *out points into vp and lives until virtio_pci_destroy.
 * Returns CCADA_OK; CCADA_E_INVAL (bad index or max_size, queue already set up);
 * CCADA_E_STATE (not negotiated, or already DRIVER_OK); CCADA_E_PEER (index >= num_queues,
 * hostile size or notify offset, logged); CCADA_E_NOMEM / dma_alloc_coherent's error;
 * the MMIO error. Nothing stays allocated on failure. */
ccada_status virtio_pci_setup_queue(struct virtio_pci_dev *vp, unsigned index, uint16_t max_size,
                                    const char *name, struct virtqueue **out) CCADA_MUST_CHECK;

/* Sets DRIVER_OK: the device may now use the queues.  virtio 1.2 §3.1.1 step 8
 * Returns CCADA_OK; CCADA_E_STATE (not negotiated); CCADA_E_IO (the device reports
 * DEVICE_NEEDS_RESET or FAILED right away); the MMIO error. */
ccada_status virtio_pci_driver_ok(struct virtio_pci_dev *vp) CCADA_MUST_CHECK;

/* Notifies the device of new buffers in queue index: a 16-bit MMIO write of the index
 * to its notify address.  virtio 1.2 §4.1.5.2
 * Returns CCADA_OK; CCADA_E_INVAL (queue not set up); the MMIO error. */
ccada_status virtio_pci_notify(struct virtio_pci_dev *vp, unsigned index) CCADA_MUST_CHECK;

/* Reads n device configuration fields consistently: config_generation before and after
 * must match (retried up to VIRTIO_PCI_CFG_RETRIES times).  virtio 1.2 §4.1.4.3.1, §2.5.1
 * Returns CCADA_OK; CCADA_E_INVAL (bad field size/alignment, n 0); CCADA_E_UNSUPPORTED (no
 * DEVICE capability); CCADA_E_RANGE (a field beyond the DEVICE region); CCADA_E_PEER (the
 * generation never settled, logged); the MMIO error. */
ccada_status virtio_pci_config_read(struct virtio_pci_dev *vp, struct virtio_cfg_field *fields,
                                    unsigned n) CCADA_MUST_CHECK;

/* Whether feature bit was negotiated. */
static inline bool virtio_pci_has_feature(const struct virtio_pci_dev *vp, unsigned bit)
{
        return bit < 64 && (vp->features >> bit) & 1u;
}

/* Resets the device (best effort: a device that does not reset is reported, and its
 * rings are still freed: they are shared memory already), destroys every queue and frees
 * its coherent memory. Before calling it, the driver resets the device itself
 * (virtio_pci_reset), takes its in-flight buffers back with vq_detach_unused and unmaps
 * them: after this call the queues are gone. Safe on a zeroed or half-initialised vp. */
void virtio_pci_destroy(struct virtio_pci_dev *vp);

#endif
