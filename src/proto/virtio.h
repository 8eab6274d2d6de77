/* VirtIO 1.2 device-independent constants: feature bits, device status, device IDs and the
 * virtio-pci modern transport (capabilities and common configuration layout).
 *
 * Constants only, plus name functions for logs and tests. Registers are accessed through
 * the transport (MMIO exits), never by overlaying a struct.
 */
#ifndef CCADA_PROTO_VIRTIO_H
#define CCADA_PROTO_VIRTIO_H

#include <stdint.h>

#include "lib/trace.h"

/* The "virtio" trace subsystem, shared by the Realm's driver and the host's device (each
 * line says which side: the driver's name a queue "vq=", the device's "q="). */
enum { VIRTIO_TRACE_NOTIFY, VIRTIO_TRACE_COMPLETE, VIRTIO_TRACE_BROKEN };
extern const struct trace_subsys virtio_trace;

/* ---- Reserved (device-independent) feature bits.  virtio 1.2 §6 ---- */
#define VIRTIO_F_NOTIFY_ON_EMPTY    24 /* legacy */
#define VIRTIO_F_ANY_LAYOUT         27 /* legacy */
#define VIRTIO_F_INDIRECT_DESC      28 /* virtio 1.2 §2.7.5.3 */
#define VIRTIO_F_EVENT_IDX          29 /* virtio 1.2 §2.7.7, §2.7.10 */
#define VIRTIO_F_VERSION_1          32
#define VIRTIO_F_ACCESS_PLATFORM    33 /* device access is limited/translated by the platform */
#define VIRTIO_F_RING_PACKED        34
#define VIRTIO_F_IN_ORDER           35
#define VIRTIO_F_ORDER_PLATFORM     36
#define VIRTIO_F_SR_IOV             37
#define VIRTIO_F_NOTIFICATION_DATA  38
#define VIRTIO_F_NOTIF_CONFIG_DATA  39 /* virtio 1.2 */
#define VIRTIO_F_RING_RESET         40 /* virtio 1.2 */
#define VIRTIO_F_ADMIN_VQ           41 /* virtio 1.3 */

/* Device-independent features are bits 24..41 (and above 49: reserved). */
#define VIRTIO_TRANSPORT_F_START 24
#define VIRTIO_TRANSPORT_F_END   42

#define VIRTIO_BIT(b) ((uint64_t)1 << (b))

/* ---- Device status field.  virtio 1.2 §2.1 ---- */
#define VIRTIO_STATUS_ACKNOWLEDGE        1u
#define VIRTIO_STATUS_DRIVER             2u
#define VIRTIO_STATUS_DRIVER_OK          4u
#define VIRTIO_STATUS_FEATURES_OK        8u
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED             128u

/* ---- Device IDs.  virtio 1.2 §5 ---- */
#define VIRTIO_ID_NET     1
#define VIRTIO_ID_BLOCK   2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG     4
#define VIRTIO_ID_BALLOON 5
#define VIRTIO_ID_SCSI    8
#define VIRTIO_ID_9P      9
#define VIRTIO_ID_GPU     16
#define VIRTIO_ID_INPUT   18
#define VIRTIO_ID_VSOCK   19
#define VIRTIO_ID_CRYPTO  20

/* ---- virtio over PCI.  virtio 1.2 §4.1.2 ---- */
#define VIRTIO_PCI_VENDOR_ID        0x1AF4u
#define VIRTIO_PCI_MODERN_DEVICE_ID_BASE 0x1040u /* + virtio device ID */
#define VIRTIO_PCI_SUBSYS_VENDOR_ID 0x1AF4u

static inline uint16_t virtio_pci_modern_device_id(unsigned virtio_id)
{
        return (uint16_t)(VIRTIO_PCI_MODERN_DEVICE_ID_BASE + virtio_id);
}

/* Vendor-specific capability cfg_type values.  virtio 1.2 §4.1.4 */
#define VIRTIO_PCI_CAP_COMMON_CFG        1
#define VIRTIO_PCI_CAP_NOTIFY_CFG        2
#define VIRTIO_PCI_CAP_ISR_CFG           3
#define VIRTIO_PCI_CAP_DEVICE_CFG        4
#define VIRTIO_PCI_CAP_PCI_CFG           5
#define VIRTIO_PCI_CAP_SHARED_MEMORY_CFG 8
#define VIRTIO_PCI_CAP_VENDOR_CFG        9

/* struct virtio_pci_cap (in PCI configuration space, a vendor-specific capability 0x09).
 * virtio 1.2 §4.1.4 */
#define PCI_CAP_ID_VNDR 0x09
#define VIRTIO_PCI_CAP_OFF_VNDR     0  /* u8  cap_vndr = 0x09 */
#define VIRTIO_PCI_CAP_OFF_NEXT     1  /* u8  cap_next */
#define VIRTIO_PCI_CAP_OFF_LEN      2  /* u8  cap_len */
#define VIRTIO_PCI_CAP_OFF_CFG_TYPE 3  /* u8  cfg_type */
#define VIRTIO_PCI_CAP_OFF_BAR      4  /* u8  bar (0..5) */
#define VIRTIO_PCI_CAP_OFF_ID       5  /* u8  id (multiple caps of one type) */
#define VIRTIO_PCI_CAP_OFF_PADDING  6  /* u8  padding[2] */
#define VIRTIO_PCI_CAP_OFF_OFFSET   8  /* le32 offset within bar */
#define VIRTIO_PCI_CAP_OFF_LENGTH   12 /* le32 length */
#define VIRTIO_PCI_CAP_SIZE         16
/* struct virtio_pci_notify_cap: cap + le32 notify_off_multiplier.  virtio 1.2 §4.1.4.4 */
#define VIRTIO_PCI_NOTIFY_CAP_OFF_MULTIPLIER 16
#define VIRTIO_PCI_NOTIFY_CAP_SIZE           20
/* struct virtio_pci_cfg_cap: cap + u8 pci_cfg_data[4].  virtio 1.2 §4.1.4.9 */
#define VIRTIO_PCI_CFG_CAP_OFF_DATA 16
#define VIRTIO_PCI_CFG_CAP_SIZE     20

_Static_assert(VIRTIO_PCI_CAP_OFF_LENGTH + 4 == VIRTIO_PCI_CAP_SIZE, "virtio 1.2 §4.1.4: virtio_pci_cap is 16 bytes");
_Static_assert(VIRTIO_PCI_NOTIFY_CAP_OFF_MULTIPLIER == VIRTIO_PCI_CAP_SIZE, "notify cap extends virtio_pci_cap");

/* struct virtio_pci_common_cfg register offsets (BAR-relative to the COMMON_CFG region).
 * virtio 1.2 §4.1.4.3 */
#define VIRTIO_PCI_COMMON_DFSELECT      0x00 /* le32 device_feature_select (RW) */
#define VIRTIO_PCI_COMMON_DF            0x04 /* le32 device_feature (RO) */
#define VIRTIO_PCI_COMMON_GFSELECT      0x08 /* le32 driver_feature_select (RW) */
#define VIRTIO_PCI_COMMON_GF            0x0C /* le32 driver_feature (RW) */
#define VIRTIO_PCI_COMMON_MSIX          0x10 /* le16 config_msix_vector (RW) */
#define VIRTIO_PCI_COMMON_NUMQ          0x12 /* le16 num_queues (RO) */
#define VIRTIO_PCI_COMMON_STATUS        0x14 /* u8   device_status (RW) */
#define VIRTIO_PCI_COMMON_CFGGENERATION 0x15 /* u8   config_generation (RO) */
#define VIRTIO_PCI_COMMON_Q_SELECT      0x16 /* le16 queue_select (RW) */
#define VIRTIO_PCI_COMMON_Q_SIZE        0x18 /* le16 queue_size (RW) */
#define VIRTIO_PCI_COMMON_Q_MSIX        0x1A /* le16 queue_msix_vector (RW) */
#define VIRTIO_PCI_COMMON_Q_ENABLE      0x1C /* le16 queue_enable (RW) */
#define VIRTIO_PCI_COMMON_Q_NOFF        0x1E /* le16 queue_notify_off (RO) */
#define VIRTIO_PCI_COMMON_Q_DESCLO      0x20 /* le64 queue_desc (RW) */
#define VIRTIO_PCI_COMMON_Q_DESCHI      0x24
#define VIRTIO_PCI_COMMON_Q_AVAILLO     0x28 /* le64 queue_driver (RW) */
#define VIRTIO_PCI_COMMON_Q_AVAILHI     0x2C
#define VIRTIO_PCI_COMMON_Q_USEDLO      0x30 /* le64 queue_device (RW) */
#define VIRTIO_PCI_COMMON_Q_USEDHI      0x34
#define VIRTIO_PCI_COMMON_Q_NDATA       0x38 /* le16 queue_notif_config_data (RO), 1.2 */
#define VIRTIO_PCI_COMMON_Q_RESET       0x3A /* le16 queue_reset (RW), 1.2 RING_RESET */
#define VIRTIO_PCI_COMMON_CFG_SIZE_1_0  0x38 /* size without the 1.2 additions */
#define VIRTIO_PCI_COMMON_CFG_SIZE      0x3C

_Static_assert(VIRTIO_PCI_COMMON_Q_DESCLO % 8 == 0 && VIRTIO_PCI_COMMON_Q_AVAILLO % 8 == 0 &&
               VIRTIO_PCI_COMMON_Q_USEDLO % 8 == 0, "virtio 1.2 §4.1.4.3: 64-bit queue addresses are aligned");
_Static_assert(VIRTIO_PCI_COMMON_Q_USEDLO + 8 == VIRTIO_PCI_COMMON_CFG_SIZE_1_0,
               "virtio 1.2 §4.1.4.3: queue_device is the last 1.0 field");

/* ISR status bits (read clears).  virtio 1.2 §4.1.4.5 */
#define VIRTIO_PCI_ISR_QUEUE  1u
#define VIRTIO_PCI_ISR_CONFIG 2u

/* No MSI-X vector.  virtio 1.2 §4.1.5.1.2 */
#define VIRTIO_MSI_NO_VECTOR 0xFFFFu

/* Name of one status bit ("DRIVER_OK"), or "?" when bit is not exactly one known bit. */
const char *virtio_status_bit_name(uint8_t bit);
/* Name of a device-independent feature bit ("EVENT_IDX"), or NULL for device-specific or
 * unknown bits. */
const char *virtio_feature_name(unsigned bit);
/* Name of a device ID ("block"), or "?". */
const char *virtio_device_id_name(unsigned id);
/* Name of a PCI capability cfg_type ("COMMON_CFG"), or "?". */
const char *virtio_pci_cap_name(unsigned cfg_type);

#endif
