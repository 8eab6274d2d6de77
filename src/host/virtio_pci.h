/* The device side of the virtio-pci modern transport (virtio 1.2 §4.1), for the host's
 * VirtIO backends.
 *
 * A struct virtio_pci_dev is a PCI function (vendor 0x1AF4, device 0x1040 + virtio ID,
 * revision 1) with one 32-bit memory BAR holding every structure the capabilities name:
 *
 *   BAR0 (VIRTIO_PCI_BAR0_SIZE)     capability (vendor-specific, ID 0x09)
 *     0x0000  common configuration  COMMON_CFG, VIRTIO_PCI_COMMON_CFG_SIZE bytes
 *     0x1000  ISR status            ISR_CFG, 1 byte, read clears
 *     0x2000  device configuration  DEVICE_CFG, the device type's size
 *     0x3000  notifications         NOTIFY_CFG, num_queues * VIRTIO_PCI_NOTIFY_MULT bytes
 *
 * Device features are the device type's plus VERSION_1, ACCESS_PLATFORM (descriptor
 * addresses are DMA addresses the host translates: in a Realm, unprotected IPAs),
 * INDIRECT_DESC and EVENT_IDX.
 *
 * Device status (virtio 1.2 §2.1, §3.1.1), as the driver moves it:
 *   RESET (0) --ACKNOWLEDGE, DRIVER--> --FEATURES_OK (accepted iff the driver's features
 *   are a subset of the device's and include VERSION_1; otherwise the bit stays clear)-->
 *   queues set up and enabled --DRIVER_OK--> LIVE (notifications are served)
 *   any state --device finds a driver error--> DEVICE_NEEDS_RESET set (sticky; nothing
 *   more is processed) --driver writes 0--> RESET.
 * Invariants: a queue is enabled only after FEATURES_OK with a configuration vdq_init()
 * accepted; queue_notify is called only for enabled, unbroken queues of a LIVE device.
 *
 * Not modelled: MSI-X and INTx (no vector: config_msix_vector and queue_msix_vector read
 * VIRTIO_MSI_NO_VECTOR; an optional callback tells the machine an interrupt is due),
 * the VIRTIO_PCI_CAP_PCI_CFG window (virtio 1.2 §4.1.4.9 says a device MUST offer it;
 * neither Linux nor the ccada Realm driver uses it), packed rings, NOTIFICATION_DATA,
 * RING_RESET, legacy and transitional interfaces.
 *
 * Register access rules: common configuration fields must be accessed with their natural
 * width at their offset (64-bit queue addresses also as two 32-bit halves); anything else
 * faults (SEA). Unused BAR space reads as zero and ignores writes.
 *
 * Context: single-threaded; queue_notify runs synchronously inside the guest's MMIO write.
 */
#ifndef CCADA_HOST_VIRTIO_PCI_H
#define CCADA_HOST_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "ccada/status.h"
#include "host/pci.h"
#include "host/virtqueue_dev.h"
#include "lib/trace.h"
#include "proto/virtio.h"

#define VIRTIO_PCI_MAX_QUEUES 8u

/* BAR0 layout. */
#define VIRTIO_PCI_BAR            0u
#define VIRTIO_PCI_BAR0_SIZE      0x4000u
#define VIRTIO_PCI_COMMON_OFF     0x0000u
#define VIRTIO_PCI_ISR_OFF        0x1000u
#define VIRTIO_PCI_DEVICE_OFF     0x2000u
#define VIRTIO_PCI_NOTIFY_OFF     0x3000u
#define VIRTIO_PCI_REGION_SIZE    0x1000u /* each region's room in BAR0 */
#define VIRTIO_PCI_NOTIFY_MULT    4u      /* notify_off_multiplier  virtio 1.2 §4.1.4.4 */
#define VIRTIO_PCI_ISR_LEN        1u

/* Features the transport always offers.  virtio 1.2 §6 */
#define VIRTIO_PCI_TRANSPORT_FEATURES                                                  \
        (VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |       \
         VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX))

struct virtio_pci_dev;

/* What a device type (blk, net, ...) supplies. cfg_read/cfg_write serve the device
 * configuration region: off + size <= the type's cfg_size is guaranteed, size 1/2/4/8;
 * return false to fault. queue_notify (required) is called when the driver notifies
 * queue q of a LIVE device; it pops, serves and pushes with the vdq_* functions on
 * virtio_pci_queue(), then calls virtio_pci_queue_done(). reset (optional) drops the
 * type's per-queue state when the driver resets the device. */
struct virtio_pci_ops {
        bool (*cfg_read)(struct virtio_pci_dev *d, uint32_t off, unsigned size, uint64_t *val);
        bool (*cfg_write)(struct virtio_pci_dev *d, uint32_t off, unsigned size, uint64_t val);
        void (*queue_notify)(struct virtio_pci_dev *d, unsigned q);
        void (*reset)(struct virtio_pci_dev *d);
};

struct virtio_pci_config {
        unsigned device_id;             /* virtio device ID (VIRTIO_ID_*) */
        uint32_t class_code;            /* 24-bit PCI class code */
        uint64_t features;              /* device-type features; transport bits are added */
        unsigned num_queues;            /* 1..VIRTIO_PCI_MAX_QUEUES */
        uint16_t queue_size_max;        /* per queue: a power of two, <= 32768 */
        uint32_t cfg_size;              /* device configuration bytes, <= VIRTIO_PCI_REGION_SIZE */
        const struct virtio_pci_ops *ops;
        struct host_vm *vm;             /* whose memory the queues live in */
        struct trace *trace;            /* may be NULL */
        /* Optional: an interrupt is due (ISR bits just set). The driver may also poll. */
        void (*interrupt)(struct virtio_pci_dev *d, uint8_t isr);
};

struct virtio_pci_queue {
        uint16_t size;                  /* current size; starts at the maximum */
        bool enabled;
        uint64_t desc, driver, device;  /* as the driver wrote them */
        struct vdev_queue vq;           /* valid while enabled */
};

struct virtio_pci_stats {
        uint64_t notifies;              /* notify writes */
        uint64_t notifies_ignored;      /* not LIVE, queue not enabled/broken, bad index */
        uint64_t interrupts;            /* times ISR bits were raised */
        uint64_t resets;                /* driver wrote 0 to device_status */
        uint64_t features_refused;      /* FEATURES_OK left clear */
        uint64_t driver_errors;         /* events that set DEVICE_NEEDS_RESET */
};

/* Caller-provided storage, usually embedded first in a device type. Fields are the
 * transport's; device types use the functions below. */
struct virtio_pci_dev {
        struct host_pci_func func;
        struct virtio_pci_config cfg;
        struct trace_group *tr;         /* "virtio" events of cfg.trace (NULL: none) */
        uint64_t device_features;
        uint64_t driver_features;
        uint32_t dfselect, gfselect;
        uint8_t status;
        uint8_t generation;             /* config_generation */
        uint8_t isr;
        uint16_t queue_select;
        struct virtio_pci_queue queues[VIRTIO_PCI_MAX_QUEUES];
        struct virtio_pci_stats stats;
};

/* Builds d's PCI function (header, BAR0, the four capabilities) in the reset state
 * (the type's reset callback is not called).
 * Errors: CCADA_E_INVAL (NULL d/ops/queue_notify/vm, num_queues 0 or too many,
 * queue_size_max not a power of two <= 32768, cfg_size too large). */
ccada_status virtio_pci_dev_init(struct virtio_pci_dev *d, const struct virtio_pci_config *cfg) CCADA_MUST_CHECK;

/* d's PCI function, for host_pci_bus_add(). */
struct host_pci_func *virtio_pci_dev_func(struct virtio_pci_dev *d);
/* "0000:00:DD.0" once on a bus, "" before. */
const char *virtio_pci_dev_name(const struct virtio_pci_dev *d);

/* Device reset: status, features, ISR and every queue back to their initial values; the
 * type's reset callback runs. What the driver's write of 0 to device_status does.
 * virtio 1.2 §4.1.4.3.1 */
void virtio_pci_dev_reset(struct virtio_pci_dev *d);

/* The device-side queue q, or NULL unless the device is LIVE (DRIVER_OK without
 * DEVICE_NEEDS_RESET) and q is enabled and not broken. */
struct vdev_queue *virtio_pci_queue(struct virtio_pci_dev *d, unsigned q);

/* Features the driver accepted (meaningful once FEATURES_OK is set). */
uint64_t virtio_pci_dev_features(const struct virtio_pci_dev *d);
uint8_t virtio_pci_dev_status(const struct virtio_pci_dev *d);

/* The type found a driver error on queue q (q may be >= num_queues for a device-wide
 * error): sets DEVICE_NEEDS_RESET, raises a configuration change (ISR bit 1), emits
 * virtio_broken once. Nothing more is processed until the driver resets the device.
 * virtio 1.2 §2.1.2 */
void virtio_pci_dev_needs_reset(struct virtio_pci_dev *d, unsigned q, const char *reason);

/* After pushing used buffers on q: asks vdq_should_notify() whether the driver wants an
 * interrupt and, if so, sets ISR bit 0 and calls the interrupt callback.
 * A ring access fault there sets DEVICE_NEEDS_RESET.  virtio 1.2 §2.7.10, §4.1.4.5 */
void virtio_pci_queue_done(struct virtio_pci_dev *d, unsigned q);

/* The type changed its device configuration: bumps config_generation and raises a
 * configuration change interrupt.  virtio 1.2 §2.5.1, §4.1.4.3 */
void virtio_pci_dev_config_changed(struct virtio_pci_dev *d);

#endif
