/* The Realm's boot image: what the machine writes (realm_image_build) and the kernel reads
 * at entry (realm_image_parse), a wire format between the two parties, so it lives in proto.
 * The host loads it unread; the RIM measures it.
 *
 * Boot image (one or more 4 KiB pages at the start of guest RAM, loaded by the host with
 * DATA_CREATE and so measured into the RIM), little-endian:
 *   0x000  magic "CCADAKRN" (8 bytes)
 *   0x008  version (le32) = 1
 *   0x00C  image size in bytes (le32)
 *   0x010  RAM base IPA (le64)
 *   0x018  RAM size in bytes (le64)
 *   0x020  console (PL011) base IPA, with the shared bit clear (le64)
 *   0x028  PCI ECAM base (bus 0 only, 1 MiB) (le64), 0 = no PCI
 *   0x030  PCI memory window base (le64)
 *   0x038  PCI memory window size (le64)
 *   0x040  command line, NUL-terminated, at most 1024 bytes
 * The page after the image is reserved for RsiRealmConfig.
 */
#ifndef CCADA_PROTO_REALM_IMAGE_H
#define CCADA_PROTO_REALM_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REALM_IMAGE_MAGIC "CCADAKRN"
#define REALM_IMAGE_VERSION 1
#define REALM_IMAGE_SIZE 4096
#define REALM_IMAGE_CMDLINE 0x40
#define REALM_IMAGE_CMDLINE_MAX 1024
/* RAM base and size are multiples of the guest's page (RK_PAGE_SIZE, checked in kernel.c). */
#define REALM_IMAGE_PAGE_SIZE 4096u

struct realm_image_info {
        uint64_t ram_base, ram_size;
        uint64_t console_base;
        uint64_t pci_ecam, pci_mmio_base, pci_mmio_size;
        char cmdline[REALM_IMAGE_CMDLINE_MAX];
};

/* Encodes the boot image into buf (REALM_IMAGE_SIZE bytes). False if cmdline is too long. */
bool realm_image_build(const struct realm_image_info *info, uint8_t *buf, size_t len);
/* Decodes and validates a boot image. False on bad magic/version/sizes. */
bool realm_image_parse(const uint8_t *buf, size_t len, struct realm_image_info *info);

#endif
