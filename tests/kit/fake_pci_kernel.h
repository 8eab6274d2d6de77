/* The fake Realm kernel's MMIO side, for the PCI / virtio-pci / virtio-blk driver tests.
 *
 * Everything of fake_kernel.h (same kernel, same guest memory model), plus the controls of:
 *   - rk_mmio_read/rk_mmio_write, which dispatch to the test's device model (struct
 *     fake_mmio) with the canonical address (the real kernel adds the shared bit itself);
 *     a size other than 1, 2, 4 or 8 gives CCADA_E_INVAL and, without a model, every
 *     access gives CCADA_E_SEA;
 *   - rk_pci_window (realm/kernel.h) and rk_default_swiotlb (realm/boot.h: the fake
 *     kernel stands in for boot too), set by the test.
 * All of it is implemented in fake_kernel.c (there is one fake kernel).
 */
#ifndef CCADA_TESTS_REALM_FAKE_PCI_KERNEL_H
#define CCADA_TESTS_REALM_FAKE_PCI_KERNEL_H

#include "fake_kernel.h"
#include "realm/boot.h"

struct swiotlb;

/* The device side of MMIO: addresses are canonical IPAs; size is 1, 2, 4 or 8. */
struct fake_mmio {
        ccada_status (*read)(void *ctx, uint64_t ipa, unsigned size, uint64_t *val);
        ccada_status (*write)(void *ctx, uint64_t ipa, unsigned size, uint64_t val);
        void *ctx;
};

/* Installs (NULL: removes) the MMIO model. */
void fake_kernel_set_mmio(struct realm_kernel *k, const struct fake_mmio *mmio);
/* The device side of rk_mmio_read_protected/rk_mmio_write_protected (an accepted TDI's BAR,
 * mapped at protected IPAs): a separate model, so a test sees which view a driver used. An
 * address with the shared bit, or no model, gives CCADA_E_SEA. */
void fake_kernel_set_mmio_protected(struct realm_kernel *k, const struct fake_mmio *mmio);
/* MMIO calls that passed an address with the shared bit set (should be 0). */
unsigned long fake_kernel_mmio_alias_calls(const struct realm_kernel *k);
/* What rk_pci_window reports (all 0 by default: no PCI). */
void fake_kernel_set_pci_window(struct realm_kernel *k, uint64_t ecam, uint64_t mmio_base, uint64_t mmio_size);
/* What rk_default_swiotlb returns (NULL by default). Not owned. */
void fake_kernel_set_swiotlb(struct realm_kernel *k, struct swiotlb *tlb);

#endif
