/* The Realm guest as the machine builds it: its boot image and its kernel object.
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
#ifndef CCADA_REALM_REALM_H
#define CCADA_REALM_REALM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/cpu.h"
#include "ccada/status.h"
#include "lib/trace.h"
#include "realm/kernel.h"

#define REALM_IMAGE_MAGIC "CCADAKRN"
#define REALM_IMAGE_VERSION 1
#define REALM_IMAGE_SIZE 4096
#define REALM_IMAGE_CMDLINE 0x40
#define REALM_IMAGE_CMDLINE_MAX 1024

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

/* What the demo workload found, as the Realm saw it. */
struct realm_report {
        bool booted;
        bool is_realm;
        unsigned ipa_bits;
        unsigned rsi_major, rsi_minor;
        uint64_t shared_pages_now;      /* pages currently decrypted */
        bool shared_write_ok;
        bool host_read_shared;          /* the host said it could read the shared page */
        bool host_read_private_faulted;
        bool host_write_private_faulted;
        bool private_intact;            /* the private page still holds what the Realm wrote */
        bool mmio_ok;                   /* PL011 identified through MMIO */
        bool rem_extended;
        bool unshare_ok;
        bool blk_present, blk_verified;
        uint64_t blk_bytes_written, blk_bytes_read;
        bool host_read_bounce;          /* the host could read a bounce slot (shared) */
        uint64_t host_bounce_bytes;     /* the first 8 bytes it saw there */
        unsigned long swiotlb_nslabs, swiotlb_used, swiotlb_hiwater, swiotlb_bounces;
        unsigned long long swiotlb_bounced_bytes;
        uint8_t rim[64];
        uint8_t rem1[64];
        char error[160];                /* first failure, if any */
};

/* The workload run after boot (the kernel's "init"). */
typedef void (*realm_init_fn)(struct realm_kernel *k);

bool realm_kernel_create(struct realm_kernel **out, struct trace *trace, realm_init_fn init);
void realm_kernel_destroy(struct realm_kernel *k);

/* The entry point the RMM runs on the REC (see struct ccada_realm_program). */
void realm_kernel_entry(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t x[8]);

const struct realm_report *realm_kernel_report(const struct realm_kernel *k);
struct realm_report *rk_report(struct realm_kernel *k);

/* The foundation demo: share a page, let the host peek, MMIO, REM extend, unshare. */
void realm_demo_init(struct realm_kernel *k);

/* RSI helpers used by the kernel and its apps. */
ccada_status rk_measurement_extend(struct realm_kernel *k, unsigned index, const void *data, size_t len) CCADA_MUST_CHECK;
ccada_status rk_measurement_read(struct realm_kernel *k, unsigned index, uint8_t out[64]) CCADA_MUST_CHECK;
ccada_status rk_host_call(struct realm_kernel *k, uint16_t imm, uint64_t gprs[31]) CCADA_MUST_CHECK;
void rk_poweroff(struct realm_kernel *k);
uint64_t rk_console_base(const struct realm_kernel *k);
/* The boot command line (from the measured image). */
const char *rk_cmdline(const struct realm_kernel *k);
/* The PCI host bridge the boot image describes (ECAM base 0: none). */
void rk_pci_window(const struct realm_kernel *k, uint64_t *ecam, uint64_t *mmio_base, uint64_t *mmio_size);
/* The kernel's default bounce pool (NULL in a normal VM). */
struct swiotlb *rk_default_swiotlb(struct realm_kernel *k);

#endif
