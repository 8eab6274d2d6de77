/* PCI configuration space (type 0 header) and ECAM addressing, shared by the host's
 * emulated bus (src/host/pci.c) and the Realm's enumeration (src/realm/pci.c).
 * PCI Local Bus 3.0 §6.1, PCIe 6.2 §7.2.2 (ECAM), §7.5.1 (type 0 header). */
#ifndef CCADA_PROTO_PCI_H
#define CCADA_PROTO_PCI_H

#include <stdint.h>

/* ECAM: one 4 KiB configuration space per function. PCIe 6.2 §7.2.2 */
#define PCI_ECAM_OFFSET(bus, dev, fn, reg) \
        (((uint64_t)(bus) << 20) | ((uint64_t)(dev) << 15) | ((uint64_t)(fn) << 12) | (reg))
#define PCI_ECAM_BUS0_SIZE (1u << 20)   /* 32 devices x 8 functions x 4 KiB */
#define PCI_CFG_SPACE_SIZE 4096u
#define PCI_MAX_DEVICES 32u
#define PCI_MAX_FUNCTIONS 8u

/* Type 0 header register offsets */
#define PCI_VENDOR_ID           0x00 /* u16; 0xFFFF reads mean "no function" */
#define PCI_DEVICE_ID           0x02 /* u16 */
#define PCI_COMMAND             0x04 /* u16 */
#define PCI_STATUS              0x06 /* u16 */
#define PCI_REVISION_ID         0x08 /* u8 */
#define PCI_CLASS_PROG          0x09 /* u8 */
#define PCI_CLASS_DEVICE        0x0A /* u16: base class << 8 | subclass */
#define PCI_HEADER_TYPE         0x0E /* u8: bit 7 multi-function, [6:0] layout (0) */
#define PCI_BASE_ADDRESS_0      0x10 /* BARs 0..5 at 0x10 + 4 * n */
#define PCI_SUBSYSTEM_VENDOR_ID 0x2C /* u16 */
#define PCI_SUBSYSTEM_ID        0x2E /* u16 */
#define PCI_CAPABILITY_LIST     0x34 /* u8: first capability offset */
#define PCI_INTERRUPT_LINE      0x3C
#define PCI_INTERRUPT_PIN       0x3D
#define PCI_STD_HEADER_SIZE     0x40
#define PCI_NUM_BARS            6

#define PCI_COMMAND_MEMORY      0x0002 /* memory space decoding enable */
#define PCI_COMMAND_MASTER      0x0004 /* bus master (DMA) enable */
#define PCI_STATUS_CAP_LIST     0x0010 /* capability list present */

/* BAR low bits (memory BARs) */
#define PCI_BASE_ADDRESS_SPACE_IO      0x1
#define PCI_BASE_ADDRESS_MEM_TYPE_MASK 0x6
#define PCI_BASE_ADDRESS_MEM_TYPE_32   0x0
#define PCI_BASE_ADDRESS_MEM_TYPE_64   0x4
#define PCI_BASE_ADDRESS_MEM_PREFETCH  0x8
#define PCI_BASE_ADDRESS_MEM_MASK      (~0xFULL)

/* Capability IDs */
#define PCI_CAP_ID_VNDR 0x09 /* vendor specific (virtio uses it) */
#define PCI_CAP_ID_EXP  0x10 /* PCI Express */
#define PCI_EXP_FLAGS   0x02 /* u16 in the PCI Express capability; [7:4] device/port type */

#define PCI_VENDOR_ID_REDHAT_QUMRANET 0x1AF4 /* virtio */

/* "0000:00:01.0" */
#define PCI_BDF_NAME_LEN 13

#endif
