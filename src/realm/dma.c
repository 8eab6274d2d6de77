/* The Realm guest's DMA API: the dma-direct path of Linux kernel/dma/direct.c and
 * kernel/dma/mapping.c over SWIOTLB. Contract: dma.h; the device, directions and
 * dma_capable: dma_dev.c. */
#include "realm/dma.h"

#include "realm/kernel.h"
#include "realm/swiotlb.h"

size_t dma_max_mapping_size(const struct dma_dev *dev)
{
        if (dev->force_bounce || dev->tlb)
                return swiotlb_max_mapping_size(dev);
        return SIZE_MAX;
}

static bool dir_ok(enum dma_data_direction dir)
{
        /* Linux include/linux/dma-mapping.h: valid_dma_direction (BUG_ON in the core). */
        return dir == DMA_BIDIRECTIONAL || dir == DMA_TO_DEVICE || dir == DMA_FROM_DEVICE;
}

/* dma_addr_canonical (arch/arm64/include/asm/mem_encrypt.h): strips the shared bit. */
static uint64_t canonical(const struct dma_dev *dev, uint64_t dma_addr)
{
        return dma_addr & ~rk_shared_bit(dev->k);
}

static const char *drv(const struct dma_dev *dev)
{
        return dev->driver[0] ? dev->driver : "dma";
}

ccada_status dma_map_single(struct dma_dev *dev, uint64_t ipa, size_t size,
                            enum dma_data_direction dir, unsigned long attrs, uint64_t *dma_addr)
{
        *dma_addr = DMA_MAPPING_ERROR;
        if (!dir_ok(dir) || !size)
                return CCADA_E_INVAL;
        /* Linux kernel/dma/direct.h: dma_direct_map_page. */
        if (dev->force_bounce)
                return swiotlb_map(dev, ipa, size, dir, attrs, dma_addr);
        if (!dma_capable(dev, ipa, size)) {
                if (dev->tlb)
                        return swiotlb_map(dev, ipa, size, dir, attrs, dma_addr);
                rk_printk(dev->k, "%s %s: DMA addr 0x%llx+%zu overflow (mask %llx, bus limit %llx).",
                          drv(dev), dev->name, (unsigned long long)ipa, size,
                          (unsigned long long)dev->dma_mask, 0ull);
                return CCADA_E_RANGE;
        }
        *dma_addr = ipa; /* phys_to_dma: identity outside a Realm */
        return CCADA_OK;
}

/* The pool of a bounce address of dev (NULL: a direct mapping), or (force_bounce) an error
 * for anything else. One pool lookup per unmap or sync, as Linux since v6.12 (its
 * swiotlb_find_pool replaced is_swiotlb_buffer followed by a second lookup). */
static ccada_status classify(struct dma_dev *dev, uint64_t dma_addr, const char *op,
                             struct io_tlb_pool **pool)
{
        *pool = swiotlb_find_pool(dev->tlb, canonical(dev, dma_addr));
        if (*pool || !dev->force_bounce)
                return CCADA_OK;
        rk_printk(dev->k, "%s %s: %s of 0x%llx: not a bounce buffer address", drv(dev),
                  dev->name, op, (unsigned long long)dma_addr);
        return CCADA_E_INVAL;
}

ccada_status dma_unmap_single(struct dma_dev *dev, uint64_t dma_addr, size_t size,
                              enum dma_data_direction dir, unsigned long attrs)
{
        struct io_tlb_pool *pool;

        if (!dir_ok(dir))
                return CCADA_E_INVAL;
        ccada_status st = classify(dev, dma_addr, "dma_unmap", &pool);

        if (st != CCADA_OK || !pool)
                return st;
        return swiotlb_tbl_unmap_pool(dev, pool, dma_addr, size, dir, attrs);
}

/* Hands a streaming mapping to the CPU or to the device; a direct mapping needs nothing. */
static ccada_status dma_sync(struct dma_dev *dev, uint64_t dma_addr, size_t size, enum dma_data_direction dir,
                             bool for_cpu)
{
        struct io_tlb_pool *pool;

        if (!dir_ok(dir))
                return CCADA_E_INVAL;
        ccada_status st = classify(dev, dma_addr, "dma_sync", &pool);

        if (st != CCADA_OK || !pool)
                return st;
        return swiotlb_sync_pool(dev, pool, dma_addr, size, dir, for_cpu);
}

ccada_status dma_sync_single_for_cpu(struct dma_dev *dev, uint64_t dma_addr, size_t size,
                                     enum dma_data_direction dir)
{
        return dma_sync(dev, dma_addr, size, dir, true);
}

ccada_status dma_sync_single_for_device(struct dma_dev *dev, uint64_t dma_addr, size_t size,
                                        enum dma_data_direction dir)
{
        return dma_sync(dev, dma_addr, size, dir, false);
}

ccada_status dma_sync_single_range_for_cpu(struct dma_dev *dev, uint64_t dma_addr,
                                           size_t offset, size_t size,
                                           enum dma_data_direction dir)
{
        return dma_sync_single_for_cpu(dev, dma_addr + offset, size, dir);
}

ccada_status dma_sync_single_range_for_device(struct dma_dev *dev, uint64_t dma_addr,
                                              size_t offset, size_t size,
                                              enum dma_data_direction dir)
{
        return dma_sync_single_for_device(dev, dma_addr + offset, size, dir);
}

ccada_status dma_map_sg(struct dma_dev *dev, struct dma_sg *sg, int nents,
                        enum dma_data_direction dir, unsigned long attrs, int *mapped)
{
        *mapped = 0;
        if (nents <= 0 || !sg)
                return CCADA_E_INVAL;
        for (int i = 0; i < nents; i++) {
                ccada_status st = dma_map_single(dev, sg[i].ipa, sg[i].length, dir, attrs,
                                                 &sg[i].dma_address);

                if (st != CCADA_OK) {
                        /* Linux dma_direct_map_sg: undo without copying back. */
                        for (int j = 0; j < i; j++)
                                if (dma_unmap_single(dev, sg[j].dma_address, sg[j].dma_length, dir,
                                                     attrs | DMA_ATTR_SKIP_CPU_SYNC) != CCADA_OK)
                                        rk_printk(dev->k, "%s %s: dma_map_sg: undo failed",
                                                  drv(dev), dev->name);
                        return st;
                }
                sg[i].dma_length = sg[i].length;
        }
        *mapped = nents;
        return CCADA_OK;
}

ccada_status dma_unmap_sg(struct dma_dev *dev, struct dma_sg *sg, int nents,
                          enum dma_data_direction dir, unsigned long attrs)
{
        ccada_status first = CCADA_OK;

        if (nents <= 0 || !sg)
                return CCADA_E_INVAL;
        for (int i = 0; i < nents; i++) {
                ccada_status st = dma_unmap_single(dev, sg[i].dma_address, sg[i].dma_length,
                                                   dir, attrs);

                if (first == CCADA_OK)
                        first = st;
        }
        return first;
}

static size_t coherent_pages(size_t size)
{
        return (size + RK_PAGE_SIZE - 1) / RK_PAGE_SIZE;
}

ccada_status dma_alloc_coherent(struct dma_dev *dev, size_t size, uint64_t *cpu_addr,
                                uint64_t *dma_addr)
{
        uint64_t ipa;

        *cpu_addr = *dma_addr = DMA_MAPPING_ERROR;
        if (!size || size > SIZE_MAX - RK_PAGE_SIZE)
                return CCADA_E_INVAL;
        size_t npages = coherent_pages(size);
        ccada_status st = rk_alloc_pages(dev->k, npages, &ipa);

        if (st != CCADA_OK)
                return st;
        /* Linux kernel/dma/direct.c: dma_direct_alloc — force_dma_unencrypted() is
         * is_realm_world() on arm64, so the pages are shared and reached via the alias. */
        if (rk_is_realm(dev->k)) {
                st = rk_set_memory_decrypted(dev->k, ipa, npages);
                if (st != CCADA_OK) {
                        /* Linux: the pages' state is unknown; leak them. */
                        rk_printk(dev->k, "%s %s: dma_alloc_coherent: failed to decrypt, %zu pages leaked",
                                  drv(dev), dev->name, npages);
                        return st;
                }
        }
        uint64_t alias = ipa | rk_shared_bit(dev->k);

        /* The host may have left anything in newly shared pages (Linux memsets too). */
        st = rk_shared_fill(dev->k, alias, 0, npages * RK_PAGE_SIZE);
        if (st != CCADA_OK)
                return st; /* leaked: a page we cannot write is in an unknown state */
        *cpu_addr = *dma_addr = alias;
        return CCADA_OK;
}

ccada_status dma_free_coherent(struct dma_dev *dev, size_t size, uint64_t cpu_addr,
                               uint64_t dma_addr)
{
        if (!size || cpu_addr != dma_addr || cpu_addr == DMA_MAPPING_ERROR)
                return CCADA_E_INVAL;
        size_t npages = coherent_pages(size);
        uint64_t ipa = canonical(dev, cpu_addr);

        if (rk_is_realm(dev->k)) {
                ccada_status st = rk_set_memory_encrypted(dev->k, ipa, npages);

                if (st != CCADA_OK) {
                        /* Linux dma_direct_free: intentional leak if pages cannot be
                         * encrypted again. */
                        rk_printk(dev->k, "%s %s: dma_free_coherent: failed to encrypt, %zu pages leaked",
                                  drv(dev), dev->name, npages);
                        return st;
                }
        }
        rk_free_pages(dev->k, ipa, npages);
        return CCADA_OK;
}
