/* The host's emulated PCI bus: one ECAM region for bus 0 and one memory window for BARs.
 *
 * The machine registers both regions of a struct host_pci_bus with host_vm_add_mmio();
 * the bus then routes configuration accesses (ECAM) to the function at that device
 * number and memory accesses in the window to the function whose BAR claims them.
 *
 * Model and limits (say so where it matters):
 *   - bus 0 only, single-function devices (function 0); every other function reads as
 *     absent (vendor ID 0xFFFF, all bytes 0xFF, writes ignored).  PCIe 6.2 §7.5.1.1.1
 *   - type 0 headers; only 32-bit non-I/O memory BARs (prefetchable or not). 64-bit BARs
 *     are not needed: the whole window sits below 4 GiB.
 *   - configuration space is an image plus a per-byte write mask: fields the owner did not
 *     make writable (IDs, class, header type, capability pointers and bodies, STATUS)
 *     ignore writes. Accesses of any size (1/2/4/8), aligned or not, are done byte by
 *     byte, so an access that straddles registers behaves like the separate byte accesses.
 *   - BAR n: a write stores only its address bits (~(size - 1) & ~0xF); the flag bits are
 *     read-only. Writing 0xFFFFFFFF and reading back gives ~(size - 1) | flags: that is
 *     BAR sizing.  PCIe 6.2 §7.5.1.2.1
 *   - a function decodes its BARs only while COMMAND.MEMORY is set
 *     (PCIe 6.2 §7.5.1.1.3). A window access that no decoding BAR claims wholly, or that
 *     the function's callback refuses, returns false: the guest gets an SEA (like an
 *     Unsupported Request completing with an error on real hardware).
 *   - no INTx/MSI delivery; no PCIe extended capabilities.
 *
 * Context: single-threaded, like the rest of the host. The bus does not own functions.
 */
#ifndef CCADA_HOST_PCI_H
#define CCADA_HOST_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/status.h"
#include "host/host.h"
#include "proto/pci.h"

struct host_pci_bus;
struct host_pci_func;

/* A function's BAR callbacks: offset is relative to the BAR's base, the access
 * [offset, offset + size) lies wholly within the BAR, size is 1, 2, 4 or 8. Return false
 * to make the access fault (SEA). For reads, *val is 0 on entry. */
typedef bool (*host_pci_bar_read_fn)(struct host_pci_func *func, unsigned bar, uint64_t offset, unsigned size,
                                     uint64_t *val);
typedef bool (*host_pci_bar_write_fn)(struct host_pci_func *func, unsigned bar, uint64_t offset, unsigned size,
                                      uint64_t val);

/* Identity of a function, written into its header at host_pci_func_init(). */
struct host_pci_ids {
        uint16_t vendor, device;
        uint16_t subsys_vendor, subsys;
        uint32_t class_code;    /* 24 bits: base class << 16 | subclass << 8 | prog-if */
        uint8_t revision;
};

/* One PCI function. Caller-provided storage (usually embedded in a device); initialise
 * with host_pci_func_init(), then describe BARs and capabilities, then host_pci_bus_add().
 * The fields are the bus's and the owner's; the guest changes them only through
 * configuration writes. */
struct host_pci_func {
        uint8_t cfg[PCI_CFG_SPACE_SIZE];        /* configuration space image, little-endian */
        uint8_t wmask[PCI_CFG_SPACE_SIZE];      /* per byte: bits the guest may change */
        uint32_t bar_size[PCI_NUM_BARS];        /* 0: BAR not implemented */
        uint8_t last_cap;                       /* offset of the last capability, 0 if none */
        uint8_t cap_end;                        /* first free byte for the next capability */
        host_pci_bar_read_fn bar_read;
        host_pci_bar_write_fn bar_write;
        struct host_pci_bus *bus;               /* set by host_pci_bus_add() */
        uint8_t devnum;
        char name[PCI_BDF_NAME_LEN];            /* "0000:00:DD.F", "" until added to a bus */
};

/* Bus counters (for reports and tests). */
struct host_pci_stats {
        uint64_t cfg_reads, cfg_writes;
        uint64_t bar_reads, bar_writes;
        uint64_t unclaimed;     /* window accesses no decoding BAR claimed (SEA) */
        uint64_t refused;       /* accesses a function's callback refused (SEA) */
};

/* The bus. Caller-provided storage; both host_mmio_dev members are registered with the
 * VM (host_vm_add_mmio) after host_pci_bus_init(). */
struct host_pci_bus {
        struct host_mmio_dev ecam;              /* configuration space, bus 0 */
        struct host_mmio_dev window;            /* memory window for BARs */
        struct host_pci_func *slots[PCI_MAX_DEVICES];
        struct host_pci_stats stats;
};

/* Default machine address map (guest-physical; in a Realm reached through the
 * unprotected alias, seen here with the shared bit cleared). */
#define HOST_PCI_ECAM_BASE 0x40000000ULL
#define HOST_PCI_WIN_BASE  0x50000000ULL
#define HOST_PCI_WIN_SIZE  0x10000000ULL

/* Initialises bus with ECAM for bus 0 at ecam_base (PCI_ECAM_BUS0_SIZE bytes) and the BAR
 * window [win_base, win_base + win_size). No functions.
 * Errors: CCADA_E_INVAL (NULL bus, ecam_base not 1 MiB aligned, win_size 0, the window
 * not below 4 GiB (32-bit BARs) or overlapping the ECAM region). */
ccada_status host_pci_bus_init(struct host_pci_bus *bus, uint64_t ecam_base, uint64_t win_base,
                               uint64_t win_size) CCADA_MUST_CHECK;

/* Puts func at device number devnum, function 0, of bus 0 and names it
 * "0000:00:DD.0". The bus keeps the pointer: func must outlive the bus or be removed.
 * Errors: CCADA_E_INVAL (NULL, devnum >= 32, func already on a bus), CCADA_E_BUSY (the
 * slot is taken). */
ccada_status host_pci_bus_add(struct host_pci_bus *bus, struct host_pci_func *func, unsigned devnum) CCADA_MUST_CHECK;

/* Takes func off its bus (no-op when it is on none). */
void host_pci_bus_remove(struct host_pci_func *func);

/* Writes "0000:00:DD.F" into out (PCI_BDF_NAME_LEN bytes). */
void host_pci_bdf_name(char out[PCI_BDF_NAME_LEN], unsigned bus, unsigned dev, unsigned fn);

/* Initialises func: header type 0, the given IDs, everything else zero. Writable fields:
 * COMMAND.MEMORY, COMMAND.MASTER and COMMAND.INTX_DISABLE, cache line size, latency
 * timer, interrupt line. bar_read/bar_write may be NULL (every BAR access faults). */
void host_pci_func_init(struct host_pci_func *func, const struct host_pci_ids *ids, host_pci_bar_read_fn bar_read,
                        host_pci_bar_write_fn bar_write);

/* Declares BAR bar as a 32-bit memory BAR of size bytes (a power of two, >= 16,
 * <= 2 GiB); prefetchable when prefetch. The BAR's address starts at 0 (unassigned).
 * Errors: CCADA_E_INVAL (bar >= 6, bad size), CCADA_E_STATE (func already on a bus). */
ccada_status host_pci_func_set_bar(struct host_pci_func *func, unsigned bar, uint32_t size,
                                   bool prefetch) CCADA_MUST_CHECK;

/* Appends a capability to func's list in the standard header area (0x40..0xFF), 4-byte
 * aligned: cap[0] is the capability ID, cap[1] (next pointer) is filled in by the list,
 * cap[2..len) is copied as is and is read-only. Sets STATUS.CAP_LIST and the capability
 * pointer. *off (may be NULL) receives the capability's offset.  PCI 3.0 §6.7
 * Errors: CCADA_E_INVAL (NULL cap, len < 2), CCADA_E_NOSPC (does not fit below 0x100),
 * CCADA_E_STATE (func already on a bus). */
ccada_status host_pci_func_add_cap(struct host_pci_func *func, const uint8_t *cap, size_t len,
                                   unsigned *off) CCADA_MUST_CHECK;

/* The address the guest assigned to BAR bar (address bits of the register), 0 for an
 * unimplemented BAR. */
uint64_t host_pci_func_bar_addr(const struct host_pci_func *func, unsigned bar);

/* True while func decodes memory accesses (COMMAND.MEMORY set). */
bool host_pci_func_mem_enabled(const struct host_pci_func *func);

/* Configuration access to func as the guest makes it (size 1..8 bytes, any alignment,
 * within the 4 KiB space), without ECAM decoding; used by the bus and by tests.
 * Returns false for size 0 or > 8 or an access beyond the space. */
bool host_pci_func_cfg_read(const struct host_pci_func *func, uint32_t off, unsigned size, uint64_t *val);
bool host_pci_func_cfg_write(struct host_pci_func *func, uint32_t off, unsigned size, uint64_t val);

#endif
