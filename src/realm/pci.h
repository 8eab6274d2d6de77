/* The Realm guest's PCI bus 0: enumeration over ECAM, BAR sizing and assignment, the
 * capability list, and driver binding.  PCI Local Bus 3.0 §6, PCIe 6.2 §7.2.2, §7.5.1
 *
 * Configuration space (ECAM) and the BARs are emulated by the UNTRUSTED host: every value
 * read through them is hostile input. Enumeration therefore
 *   - reads each register once into private memory and decides on that copy;
 *   - sizes BARs defensively (the read-back must have a contiguous mask: a power of two
 *     >= 16 bytes that fits the window, unchanged type bits, a 64-bit BAR not in slot 5)
 *     and skips, with a message, a function whose BARs make no sense;
 *   - walks the capability list with a bound (PCI_MAX_CAPS entries, offsets >= 0x40 and
 *     4-byte aligned inside the 256-byte header, no offset visited twice) and skips a
 *     function whose list breaks these rules.
 * The ECAM base and the BAR window come from the measured boot image (rk_pci_window) and
 * are trusted.
 *
 * Function state: (absent) --pci_enumerate: IDs read, BARs sized, assigned, programmed,
 * MEMORY|MASTER enabled, caps walked--> ENUMERATED --pci_bind_driver: probe OK--> BOUND
 * --pci_unbind_driver--> ENUMERATED. Functions that fail a check never enter root->devs.
 *
 * Context: single-threaded (boot and the driver that owns a device).
 */
#ifndef CCADA_REALM_PCI_H
#define CCADA_REALM_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/status.h"
#include "proto/pci.h"

struct realm_kernel;
struct pci_driver;

/* Bound of the capability walk (Linux drivers/pci/pci.c PCI_FIND_CAP_TTL is 48). */
#define PCI_MAX_CAPS 48u
/* Functions a struct pci_root can hold (bus 0: 32 devices x 8 functions possible). */
#define PCI_ROOT_MAX_DEVICES 32u
/* Smallest memory BAR: bits [3:0] are the type bits.  PCI Local Bus 3.0 §6.2.5.1 */
#define PCI_BAR_MIN_SIZE 16u

/* One memory BAR as assigned (size 0: not implemented, or an I/O BAR, which we do not
 * assign). For a 64-bit BAR the following slot stays size 0 (it holds the upper half). */
struct pci_bar {
        uint64_t addr;          /* canonical IPA inside the window */
        uint64_t size;          /* power of two >= PCI_BAR_MIN_SIZE, or 0 */
        bool is64;
        bool prefetch;
};

/* One capability: its ID and where it sits in configuration space. */
struct pci_cap {
        uint8_t id;
        uint8_t off;
};

struct pci_device {
        char name[PCI_BDF_NAME_LEN];    /* "0000:00:DD.F" */
        uint8_t bus, dev, fn;
        uint16_t vendor, device;
        uint32_t class;                 /* 24-bit class code: base << 16 | sub << 8 | prog-if */
        uint8_t revision;
        uint8_t header_type;            /* raw byte (bit 7: multi-function) */
        struct pci_bar bars[PCI_NUM_BARS];
        struct pci_cap caps[PCI_MAX_CAPS]; /* in list order */
        unsigned ncaps;
        struct realm_kernel *k;
        uint64_t cfg_base;              /* ECAM address of this function's 4 KiB */
        const struct pci_driver *driver; /* bound driver (set while its probe runs) */
};

/* A driver: binds to functions with exactly this vendor and device ID. probe runs with
 * dev->driver already pointing at the driver (a driver embedding struct pci_driver finds
 * its own context with container_of). probe returns CCADA_OK to bind; anything else
 * leaves the function unbound. */
struct pci_driver {
        const char *name;
        uint16_t vendor, device;
        ccada_status (*probe)(struct pci_device *dev);
};

/* The enumeration state of bus 0 (caller-provided storage; no globals). Devices are
 * stored inline: pointers to root->devs[i] stay valid as long as root. */
struct pci_root {
        struct realm_kernel *k;
        uint64_t ecam;                  /* bus 0 ECAM base (1 MiB) */
        uint64_t mmio_base, mmio_size;  /* BAR window */
        uint64_t mmio_next;             /* first unassigned address of the window */
        bool enumerated;
        unsigned ndevs;
        unsigned skipped;               /* functions refused (hostile or unsupported) */
        struct pci_device devs[PCI_ROOT_MAX_DEVICES];
};

/* Prepares root for kernel k from the boot image's host bridge (rk_pci_window). Zeroes
 * root first. Returns CCADA_OK; CCADA_E_UNSUPPORTED (no PCI: ECAM base 0);
 * CCADA_E_INVAL (k or root NULL, window empty, not 16-byte aligned, wrapping, or
 * overlapping the ECAM). */
ccada_status pci_root_init(struct pci_root *root, struct realm_kernel *k) CCADA_MUST_CHECK;

/* Enumerates bus 0: devices 0..31, function 0, and functions 1..7 of multi-function
 * devices (header type bit 7); vendor 0xFFFF means empty. For each function it logs
 * "pci 0000:00:DD.F: [vvvv:dddd] type 00 class 0xcccccc", sizes, assigns and programs
 * every memory BAR (naturally aligned, no overlap, logging "BAR n [mem 0x...-0x...]"),
 * walks the capability list and enables MEMORY|MASTER. A function with hostile or
 * unsupported registers (bad BAR read-back, window exhausted, header type other than 0,
 * malformed capability list) is skipped with a message and counted in root->skipped;
 * its BARs keep their original values and it takes no window space. Functions beyond
 * PCI_ROOT_MAX_DEVICES are skipped likewise. Call once after pci_root_init.
 * Returns CCADA_OK (even when functions were skipped); CCADA_E_STATE (not initialised or
 * already enumerated); the rk_mmio_* error of an ECAM access that faulted (enumeration
 * stops; functions found so far stay). */
ccada_status pci_enumerate(struct pci_root *root) CCADA_MUST_CHECK;

/* Binds drv to dev if the IDs match and dev is unbound: sets dev->driver, runs probe,
 * clears dev->driver again when probe fails (logged as "<drv>: probe of <bdf> failed
 * with <status>"). Returns probe's status; CCADA_E_INVAL (NULL, no probe, IDs differ);
 * CCADA_E_BUSY (already bound). */
ccada_status pci_bind_driver(struct pci_device *dev, const struct pci_driver *drv) CCADA_MUST_CHECK;

/* Marks dev unbound (the driver has released it). */
void pci_unbind_driver(struct pci_device *dev);

/* Offers every unbound enumerated function to each driver in turn (first match wins).
 * *bound (may be NULL) receives the number of functions bound by this call.
 * Returns CCADA_OK; CCADA_E_STATE when root was not enumerated; CCADA_E_INVAL (NULL). */
ccada_status pci_probe_drivers(struct pci_root *root, const struct pci_driver *drivers, size_t ndrivers,
                               unsigned *bound) CCADA_MUST_CHECK;

/* The index-th capability with this ID in dev's list, as an offset in configuration space.
 * Returns true and *off, or false when there is no such capability. */
bool pci_find_capability(const struct pci_device *dev, uint8_t id, unsigned index, uint8_t *off);

/* Configuration space accessors over ECAM (one MMIO access of the register's width).
 * off must be naturally aligned and inside the 4 KiB space. Read values are the host's
 * and must be validated by the caller. Return CCADA_OK; CCADA_E_INVAL (bad offset or
 * alignment, dev NULL); the rk_mmio_* error (a read then stores 0 in *val). */
ccada_status pci_cfg_read8(const struct pci_device *dev, uint16_t off, uint8_t *val) CCADA_MUST_CHECK;
ccada_status pci_cfg_read16(const struct pci_device *dev, uint16_t off, uint16_t *val) CCADA_MUST_CHECK;
ccada_status pci_cfg_read32(const struct pci_device *dev, uint16_t off, uint32_t *val) CCADA_MUST_CHECK;
ccada_status pci_cfg_write8(const struct pci_device *dev, uint16_t off, uint8_t val) CCADA_MUST_CHECK;
ccada_status pci_cfg_write16(const struct pci_device *dev, uint16_t off, uint16_t val) CCADA_MUST_CHECK;
ccada_status pci_cfg_write32(const struct pci_device *dev, uint16_t off, uint32_t val) CCADA_MUST_CHECK;

#endif
