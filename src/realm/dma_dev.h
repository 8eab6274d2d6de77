/* The vocabulary of the Realm guest's DMA API: a device as the DMA API sees it, the
 * directions, the attribute bits and the mapping error value. Linux keeps these apart from
 * the mapping functions (include/linux/dma-direction.h, the DMA fields of struct device in
 * include/linux/device.h, dma_capable in include/linux/dma-direct.h); so does ccada, so
 * that SWIOTLB (realm/swiotlb.h) and the DMA API over it (realm/dma.h) both build on it
 * and neither on the other's header.
 *
 * Concurrency: a struct dma_dev is read-only after dma_dev_init (see dma.h).
 */
#ifndef CCADA_REALM_DMA_DEV_H
#define CCADA_REALM_DMA_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct realm_kernel;
struct swiotlb;

/* Linux include/linux/dma-direction.h: same values. */
enum dma_data_direction {
        DMA_BIDIRECTIONAL = 0,
        DMA_TO_DEVICE = 1,
        DMA_FROM_DEVICE = 2,
        DMA_NONE = 3,
};

/* "TO_DEVICE", "FROM_DEVICE", "BIDIRECTIONAL", "NONE" ("?" for an invalid value). */
const char *dma_data_direction_name(enum dma_data_direction dir);

/* Linux include/linux/dma-mapping.h: DMA_MAPPING_ERROR */
#define DMA_MAPPING_ERROR (~(uint64_t)0)

/* Linux include/linux/dma-mapping.h: attribute bits (same values). */
#define DMA_ATTR_SKIP_CPU_SYNC (1ul << 5)
#define DMA_ATTR_NO_WARN (1ul << 8)

/* Linux include/linux/dma-mapping.h: dma_get_seg_boundary() default when unset. */
#define DMA_SEG_BOUNDARY_DEFAULT 0xffffffffull

/* A device as the DMA API sees it (Linux struct device's DMA fields). */
struct dma_dev {
        char name[32];          /* dev_name(), e.g. a BDF "0000:00:01.0" */
        char driver[24];        /* dev_driver_string(), e.g. "virtio-pci" */
        uint64_t dma_mask;      /* highest DMA address the device can reach */
        uint64_t min_align_mask; /* low address bits a bounce must preserve (NVMe: 4095) */
        uint64_t seg_boundary_mask; /* a mapping never crosses a (mask+1) boundary */
        struct realm_kernel *k;
        struct swiotlb *tlb;    /* bounce pool (NULL: no pool) */
        bool force_bounce;      /* bounce every streaming mapping (true in a Realm) */
        unsigned cpu;           /* CPU the caller runs on: picks the first SWIOTLB area */
};

/* Initialises dev: copies name and driver (truncated), dma_mask = all ones (64-bit),
 * min_align_mask = 0, seg_boundary_mask = DMA_SEG_BOUNDARY_DEFAULT, cpu 0, tlb as given,
 * force_bounce = rk_is_realm(k) (Linux arch/arm64/mm/init.c: arch_mm_preinit sets
 * SWIOTLB_FORCE in a Realm). Callers may adjust the fields afterwards, before first use. */
void dma_dev_init(struct dma_dev *dev, struct realm_kernel *k, const char *name,
                  const char *driver, struct swiotlb *tlb);

/* dma_capable (Linux include/linux/dma-direct.h): [addr, addr+size) lies within
 * dev->dma_mask. */
bool dma_capable(const struct dma_dev *dev, uint64_t addr, size_t size);

#endif
