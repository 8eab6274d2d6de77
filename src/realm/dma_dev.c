/* The DMA API's vocabulary: device setup, direction names, dma_capable. Contract:
 * dma_dev.h. */
#include "realm/dma_dev.h"

#include <string.h>

#include "realm/kernel.h"

const char *dma_data_direction_name(enum dma_data_direction dir)
{
        switch (dir) {
        case DMA_BIDIRECTIONAL:
                return "BIDIRECTIONAL";
        case DMA_TO_DEVICE:
                return "TO_DEVICE";
        case DMA_FROM_DEVICE:
                return "FROM_DEVICE";
        case DMA_NONE:
                return "NONE";
        }
        return "?";
}

static void copy_name(char *dst, size_t cap, const char *src)
{
        size_t n = src ? strnlen(src, cap - 1) : 0;

        if (n)
                memcpy(dst, src, n);
        dst[n] = '\0';
}

void dma_dev_init(struct dma_dev *dev, struct realm_kernel *k, const char *name,
                  const char *driver, struct swiotlb *tlb)
{
        memset(dev, 0, sizeof(*dev));
        copy_name(dev->name, sizeof(dev->name), name);
        copy_name(dev->driver, sizeof(dev->driver), driver);
        dev->dma_mask = ~(uint64_t)0;
        dev->seg_boundary_mask = DMA_SEG_BOUNDARY_DEFAULT;
        dev->k = k;
        dev->tlb = tlb;
        /* Linux arch/arm64/mm/init.c: arch_mm_preinit sets SWIOTLB_FORCE in a Realm. */
        dev->force_bounce = rk_is_realm(k);
}

bool dma_capable(const struct dma_dev *dev, uint64_t addr, size_t size)
{
        if (!size)
                return true;
        uint64_t last = addr + size - 1;

        return last >= addr && last <= dev->dma_mask;
}
