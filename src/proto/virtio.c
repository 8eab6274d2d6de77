/* VirtIO 1.2 constant names, for logs and tests. */
#include "proto/virtio.h"

#include <stddef.h>

static const char *const virtio_events[] = {
        [VIRTIO_TRACE_NOTIFY] = "virtio_notify",
        [VIRTIO_TRACE_COMPLETE] = "virtio_complete",
        [VIRTIO_TRACE_BROKEN] = "virtio_broken",
};
const struct trace_subsys virtio_trace = TRACE_SUBSYS("virtio", virtio_events);

const char *virtio_status_bit_name(uint8_t bit)
{
        switch (bit) {
        case VIRTIO_STATUS_ACKNOWLEDGE: return "ACKNOWLEDGE";
        case VIRTIO_STATUS_DRIVER: return "DRIVER";
        case VIRTIO_STATUS_DRIVER_OK: return "DRIVER_OK";
        case VIRTIO_STATUS_FEATURES_OK: return "FEATURES_OK";
        case VIRTIO_STATUS_DEVICE_NEEDS_RESET: return "DEVICE_NEEDS_RESET";
        case VIRTIO_STATUS_FAILED: return "FAILED";
        default: return "?";
        }
}

const char *virtio_feature_name(unsigned bit)
{
        switch (bit) {
        case VIRTIO_F_NOTIFY_ON_EMPTY: return "NOTIFY_ON_EMPTY";
        case VIRTIO_F_ANY_LAYOUT: return "ANY_LAYOUT";
        case VIRTIO_F_INDIRECT_DESC: return "INDIRECT_DESC";
        case VIRTIO_F_EVENT_IDX: return "EVENT_IDX";
        case VIRTIO_F_VERSION_1: return "VERSION_1";
        case VIRTIO_F_ACCESS_PLATFORM: return "ACCESS_PLATFORM";
        case VIRTIO_F_RING_PACKED: return "RING_PACKED";
        case VIRTIO_F_IN_ORDER: return "IN_ORDER";
        case VIRTIO_F_ORDER_PLATFORM: return "ORDER_PLATFORM";
        case VIRTIO_F_SR_IOV: return "SR_IOV";
        case VIRTIO_F_NOTIFICATION_DATA: return "NOTIFICATION_DATA";
        case VIRTIO_F_NOTIF_CONFIG_DATA: return "NOTIF_CONFIG_DATA";
        case VIRTIO_F_RING_RESET: return "RING_RESET";
        case VIRTIO_F_ADMIN_VQ: return "ADMIN_VQ";
        default: return NULL;
        }
}

const char *virtio_device_id_name(unsigned id)
{
        switch (id) {
        case VIRTIO_ID_NET: return "net";
        case VIRTIO_ID_BLOCK: return "block";
        case VIRTIO_ID_CONSOLE: return "console";
        case VIRTIO_ID_RNG: return "entropy";
        case VIRTIO_ID_BALLOON: return "balloon";
        case VIRTIO_ID_SCSI: return "scsi";
        case VIRTIO_ID_9P: return "9p";
        case VIRTIO_ID_GPU: return "gpu";
        case VIRTIO_ID_INPUT: return "input";
        case VIRTIO_ID_VSOCK: return "vsock";
        case VIRTIO_ID_CRYPTO: return "crypto";
        default: return "?";
        }
}

const char *virtio_pci_cap_name(unsigned cfg_type)
{
        switch (cfg_type) {
        case VIRTIO_PCI_CAP_COMMON_CFG: return "COMMON_CFG";
        case VIRTIO_PCI_CAP_NOTIFY_CFG: return "NOTIFY_CFG";
        case VIRTIO_PCI_CAP_ISR_CFG: return "ISR_CFG";
        case VIRTIO_PCI_CAP_DEVICE_CFG: return "DEVICE_CFG";
        case VIRTIO_PCI_CAP_PCI_CFG: return "PCI_CFG";
        case VIRTIO_PCI_CAP_SHARED_MEMORY_CFG: return "SHARED_MEMORY_CFG";
        case VIRTIO_PCI_CAP_VENDOR_CFG: return "VENDOR_CFG";
        default: return "?";
        }
}
