/* Device DMA (see dma.h): the reasons a transaction is refused. hw_dma itself is the SMMU's
 * translation path and lives with the stream table in smmu.c. */
#include "hw/dma.h"

const char *hw_dma_reason_name(enum hw_dma_reason r)
{
        switch (r) {
        case HW_DMA_OK: return "ok";
        case HW_DMA_BAD_REQUEST: return "bad_request";
        case HW_DMA_STREAM_ABORT: return "stream_abort";
        case HW_DMA_T_MISMATCH: return "t_mismatch";
        case HW_DMA_NOT_ENABLED: return "dma_disabled";
        case HW_DMA_S2_FAULT: return "s2_fault";
        case HW_DMA_ADDR_FAULT: return "addr_fault";
        case HW_DMA_GPF: return "gpf";
        case HW_DMA_OWNER_MISMATCH: return "owner_mismatch";
        }
        return "unknown";
}
