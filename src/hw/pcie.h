/* The platform's physical PCIe: the configuration space of physical functions behind the
 * host bridge, as a host kernel reaches it through ECAM (PCIe 6.2 §7.2.2: 4 KiB per
 * function, addressed by bus/device/function). ccada's host VMM emulates a separate PCI bus
 * for its guests (host/pci.h); this one is hardware: the functions on it are devices
 * (src/device) that own their configuration space.
 *
 * Accesses are configuration TLPs: a DW-aligned offset and byte enables (PCIe 6.2 §2.2.5),
 * so a 1- or 2-byte access is the DW with the other bytes disabled. A read of an absent
 * function returns all ones, as an Unsupported Request completion gives a host (§2.3.2);
 * a write to it is dropped.
 *
 * Single-threaded like the rest of the machine; no globals.
 */
#ifndef CCADA_HW_PCIE_H
#define CCADA_HW_PCIE_H

#include <stdbool.h>
#include <stdint.h>

#define HW_PCIE_CFG_SIZE 4096u
#define HW_PCIE_MAX_FUNCS 8u

/* BDF as the 16-bit Requester ID: bus << 8 | device << 3 | function. */
#define HW_PCIE_BDF(bus, dev, fn) ((uint16_t)((bus) << 8 | (dev) << 3 | (fn)))

/* A function's configuration space: dw_off is the byte offset of the DW (a multiple of 4,
 * below HW_PCIE_CFG_SIZE); be the byte enables (bit i: byte i of the DW, 1..0xF). */
struct hw_pcie_func_ops {
        uint32_t (*cfg_read)(void *ctx, uint16_t dw_off);
        void (*cfg_write)(void *ctx, uint16_t dw_off, uint32_t val, uint8_t be);
};

struct hw_pcie {
        struct {
                uint16_t bdf;
                const struct hw_pcie_func_ops *ops;
                void *ctx;
        } func[HW_PCIE_MAX_FUNCS];
        unsigned nfuncs;
        uint64_t cfg_reads, cfg_writes;
};

void hw_pcie_init(struct hw_pcie *p);
/* Puts a function at bdf. False if bdf is taken or the bus is full. */
bool hw_pcie_attach(struct hw_pcie *p, uint16_t bdf, const struct hw_pcie_func_ops *ops, void *ctx);
/* Removes the function at bdf (its device is going away). */
void hw_pcie_detach(struct hw_pcie *p, uint16_t bdf);

/* A configuration read of size bytes (1, 2 or 4, naturally aligned) at offset; all ones for
 * an absent function, an offset past the space, or a bad size or alignment. */
uint32_t hw_pcie_cfg_read(struct hw_pcie *p, uint16_t bdf, uint16_t offset, unsigned size);
/* A configuration write; dropped like the read above when it cannot be delivered. */
void hw_pcie_cfg_write(struct hw_pcie *p, uint16_t bdf, uint16_t offset, unsigned size, uint32_t val);

#endif
