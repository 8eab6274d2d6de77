/* Device DMA (see dma.h). No SMMU yet: every stream is without a translation. */
#include "hw/dma.h"

const char *hw_dma_reason_name(enum hw_dma_reason r)
{
        switch (r) {
        case HW_DMA_OK: return "ok";
        case HW_DMA_NO_TRANSLATION: return "no translation";
        }
        return "unknown";
}

enum hw_result hw_dma(struct hw_mem *m, uint32_t stream_id, uint64_t iova, void *buf, size_t len,
                      enum hw_access access, struct hw_dma_fault *fault)
{
        (void)m;
        (void)buf;
        (void)len;
        if (fault)
                *fault = (struct hw_dma_fault){
                        .reason = HW_DMA_NO_TRANSLATION,
                        .stream_id = stream_id,
                        .iova = iova,
                        .access = access,
                };
        return HW_DMA_FAULT;
}
