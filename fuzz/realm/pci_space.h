/* PCI configuration space served from fuzz input, for the harnesses of the Realm's PCI
 * enumeration (fuzz_pci_enum.c) and virtio-pci transport (fuzz_virtio_pci_caps.c).
 *
 * The host answers the Realm's ECAM accesses (through the fake kernel's MMIO hook,
 * tests/kit/fake_pci_kernel.h) from a few functions whose 256-byte configuration images,
 * BAR sizing answers and misbehaviour knobs come from the input:
 *   - a BAR written with all ones reads back its sizing value: with the type bits of the
 *     BAR (an honest device) or as given (PSPACE_RAW_SIZING: type bits may change);
 *   - PSPACE_VOLATILE: every read is XORed with the next byte of a noise stream (a device
 *     that answers each read differently);
 *   - the n-th access of all (pspace.fault_at) fails with CCADA_E_SEA.
 * Writes change BAR registers (type bits read-only) and COMMAND; writes anywhere else are
 * counted. Absent functions read as all ones and count every write. Accesses outside ECAM
 * go to an optional handler (a function's BAR space), else fail with CCADA_E_SEA. */
#ifndef CCADA_FUZZ_REALM_PCI_SPACE_H
#define CCADA_FUZZ_REALM_PCI_SPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/status.h"
#include "proto/pci.h"

struct realm_kernel;

#define PSPACE_ECAM 0x40000000ULL
#define PSPACE_WINDOW 0x50000000ULL
#define PSPACE_MAX_FNS 4u
/* Input bytes of one function: dev, fn, knobs, six 32-bit sizing answers, the image. */
#define PSPACE_FN_BYTES (3u + 4u * PCI_NUM_BARS + 256u)

#define PSPACE_RAW_SIZING 0x01u
#define PSPACE_VOLATILE   0x02u

struct pspace_fn {
        bool present;
        uint8_t dev, fn, knobs;
        uint8_t cfg[256];               /* as the input gave it; COMMAND follows writes */
        uint32_t sizing[PCI_NUM_BARS];
        uint32_t bar[PCI_NUM_BARS];     /* the BAR registers now */
        bool upper[PCI_NUM_BARS];       /* the register is the upper half of a 64-bit BAR */
        bool probing[PCI_NUM_BARS];
        uint32_t bar_writes;            /* BAR writes other than all ones */
        uint32_t other_writes;          /* writes to anything but COMMAND and the BARs */
};

struct pspace {
        struct pspace_fn fns[PSPACE_MAX_FNS];
        const uint8_t *noise;
        size_t noise_n;
        unsigned long accesses, fault_at; /* fault_at 0: never */
        bool faulted;
        uint32_t absent_writes;
        /* accesses outside ECAM (NULL: CCADA_E_SEA) */
        ccada_status (*other_read)(void *ctx, uint64_t ipa, unsigned size, uint64_t *val);
        ccada_status (*other_write)(void *ctx, uint64_t ipa, unsigned size, uint64_t val);
        void *other_ctx;
};

/* Reads up to PSPACE_MAX_FNS functions (n of them) from in (missing bytes are zero) into
 * ps, which it zeroes first; the first of two functions at one address wins. Returns the
 * bytes used. */
size_t pspace_parse(struct pspace *ps, unsigned n, const uint8_t *in, size_t len);

/* Installs ps as the MMIO device of k with an ECAM at PSPACE_ECAM and a BAR window at
 * PSPACE_WINDOW of window_size bytes. */
void pspace_install(struct pspace *ps, struct realm_kernel *k, uint64_t window_size);

/* The function at (dev, fn), or NULL. */
struct pspace_fn *pspace_find(struct pspace *ps, unsigned dev, unsigned fn);

/* The image's 16/32-bit little-endian value at off. */
uint32_t pspace_cfg16(const struct pspace_fn *f, unsigned off);
uint32_t pspace_cfg32(const struct pspace_fn *f, unsigned off);

#endif
