/* The Realm guest's DMA API (Linux include/linux/dma-mapping.h semantics, dma-direct path).
 *
 * Streaming mappings (dma_map_single, dma_map_sg) hand a device the address of a private
 * buffer. In a Realm the device cannot reach private memory, so every streaming mapping is
 * bounced through the shared SWIOTLB pool (src/realm/swiotlb.h) and the device address is
 * the bounce slot's unprotected alias (dma_addr_unencrypted). In a normal VM a buffer is
 * mapped directly (DMA address = IPA) unless it lies beyond the device's dma_mask, in which
 * case it is bounced ("NORMAL" in the swiotlb_bounced trace event).
 *
 * Coherent allocations (dma_alloc_coherent) are never bounced: in a Realm the pages are
 * decrypted (shared) and both the CPU and the device use the alias. Virtqueue rings live
 * there.
 *
 * The device, the directions and the attribute bits are the DMA API's vocabulary, in
 * realm/dma_dev.h, which SWIOTLB shares without depending on this API.
 *
 * Concurrency: a struct dma_dev is read-only after dma_dev_init; every function here may be
 * called from any thread provided the caller does not map/unmap/sync the SAME mapping from
 * two threads at once (as in Linux).
 */
#ifndef CCADA_REALM_DMA_H
#define CCADA_REALM_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/status.h"
#include "realm/dma_dev.h"

/* dma_map_single: makes [ipa, ipa+size) available to the device for dir.
 * On success *dma_addr is the address to give the device; on failure it is
 * DMA_MAPPING_ERROR.
 * Returns CCADA_OK; CCADA_E_INVAL (size 0, dir DMA_NONE or invalid); CCADA_E_NOSPC (bounce
 * pool exhausted; "swiotlb buffer is full" printed unless DMA_ATTR_NO_WARN); CCADA_E_RANGE
 * (the request can never fit one bounce mapping, see swiotlb_max_mapping_size, or a direct
 * mapping is beyond dma_mask and there is no pool); CCADA_E_STATE (bouncing needed, no pool);
 * CCADA_E_SEA/E_GPF (the buffer is not readable private memory; nothing stays mapped). */
ccada_status dma_map_single(struct dma_dev *dev, uint64_t ipa, size_t size,
                            enum dma_data_direction dir, unsigned long attrs,
                            uint64_t *dma_addr) CCADA_MUST_CHECK;

/* dma_unmap_single: ends a mapping made by dma_map_single with the same size and dir.
 * Bounced FROM_DEVICE/BIDIRECTIONAL mappings are copied back (unless
 * DMA_ATTR_SKIP_CPU_SYNC). Returns CCADA_OK; CCADA_E_INVAL (bad, double or wrong-size
 * unmap of a bounce address, or in force_bounce mode an address outside the pool: reported
 * with rk_printk, the pool is left untouched); CCADA_E_SEA/E_GPF (copy-back failed; the
 * slots are released anyway). */
ccada_status dma_unmap_single(struct dma_dev *dev, uint64_t dma_addr, size_t size,
                              enum dma_data_direction dir, unsigned long attrs) CCADA_MUST_CHECK;

/* dma_sync_single_for_cpu / _for_device: hands the buffer to the CPU (bounce -> original
 * for FROM_DEVICE and BIDIRECTIONAL) or to the device (original -> bounce for TO_DEVICE and
 * BIDIRECTIONAL). See swiotlb.h for the full table. Returns CCADA_OK; CCADA_E_INVAL (dir
 * invalid, or not a live bounce address in force_bounce mode); CCADA_E_SEA/E_GPF. */
ccada_status dma_sync_single_for_cpu(struct dma_dev *dev, uint64_t dma_addr, size_t size,
                                     enum dma_data_direction dir) CCADA_MUST_CHECK;
ccada_status dma_sync_single_for_device(struct dma_dev *dev, uint64_t dma_addr, size_t size,
                                        enum dma_data_direction dir) CCADA_MUST_CHECK;
/* Partial syncs: sync [dma_addr+offset, dma_addr+offset+size) only. Same returns. */
ccada_status dma_sync_single_range_for_cpu(struct dma_dev *dev, uint64_t dma_addr,
                                           size_t offset, size_t size,
                                           enum dma_data_direction dir) CCADA_MUST_CHECK;
ccada_status dma_sync_single_range_for_device(struct dma_dev *dev, uint64_t dma_addr,
                                              size_t offset, size_t size,
                                              enum dma_data_direction dir) CCADA_MUST_CHECK;

/* One scatter-gather entry (Linux struct scatterlist, reduced). The caller fills ipa and
 * length; dma_map_sg fills dma_address and dma_length. */
struct dma_sg {
        uint64_t ipa;
        uint32_t length;
        uint64_t dma_address;
        uint32_t dma_length;
};

/* dma_map_sg: maps each of the nents entries (no merging). On success *mapped = nents.
 * On failure every entry mapped so far is unmapped again (without copy-back, Linux
 * dma_direct_map_sg), *mapped = 0 and the first error is returned (as dma_map_single). */
ccada_status dma_map_sg(struct dma_dev *dev, struct dma_sg *sg, int nents,
                        enum dma_data_direction dir, unsigned long attrs,
                        int *mapped) CCADA_MUST_CHECK;
/* dma_unmap_sg: unmaps the nents entries mapped by dma_map_sg; every entry is attempted,
 * the first error is returned (as dma_unmap_single). */
ccada_status dma_unmap_sg(struct dma_dev *dev, struct dma_sg *sg, int nents,
                          enum dma_data_direction dir, unsigned long attrs) CCADA_MUST_CHECK;

/* dma_alloc_coherent: allocates zeroed pages that the CPU and the device share. In a Realm
 * the pages are decrypted (Linux force_dma_unencrypted) and *cpu_addr = *dma_addr = the
 * alias; in a normal VM both are the IPA. Returns CCADA_OK; CCADA_E_INVAL (size 0);
 * CCADA_E_NOMEM; the status of rk_set_memory_decrypted (the pages are then leaked, Linux
 * dma_direct_alloc). On failure both outputs are DMA_MAPPING_ERROR. */
ccada_status dma_alloc_coherent(struct dma_dev *dev, size_t size, uint64_t *cpu_addr,
                                uint64_t *dma_addr) CCADA_MUST_CHECK;
/* dma_free_coherent: re-encrypts (in a Realm) and frees an allocation of the same size.
 * If re-encryption fails the pages are leaked with a warning (Linux: "Intentional leak if
 * pages cannot be encrypted again") and that status is returned; CCADA_E_INVAL when
 * cpu_addr and dma_addr disagree. */
ccada_status dma_free_coherent(struct dma_dev *dev, size_t size, uint64_t cpu_addr,
                               uint64_t dma_addr) CCADA_MUST_CHECK;

/* The largest size one bounced mapping can hold for dev (Linux dma_max_mapping_size). */
size_t dma_max_mapping_size(const struct dma_dev *dev);

#endif
