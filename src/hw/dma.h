/* Device DMA: the one path by which a device model reaches physical memory.
 *
 * A PCIe device does not access memory as a world. Its transactions carry a StreamID (its
 * requester ID) and an I/O virtual address, and the SMMU decides: it translates the IOVA
 * through the stage-2 tables set up for that stream and tells the granule protection check
 * which PAS the access is made in (Non-secure for an ordinary stream; Realm only for the stream
 * of a TDI the Realm accepted). A device model calls hw_dma() for every transaction and never
 * hw_read/hw_write.
 *
 * Today there is no SMMU model: no stream has a translation, so every transaction is refused,
 * as an SMMU refuses a transaction on a stream whose stream table entry does not let it
 * through. Nothing in memory changes, nothing is read, and the call says why. When the SMMU
 * arrives (hw/smmu.c), hw_dma() gains the stream table and the translation; its contract does
 * not change.
 *
 * Context: single-threaded, like the rest of hw/.
 */
#ifndef CCADA_HW_DMA_H
#define CCADA_HW_DMA_H

#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"

/* Why hw_dma() refused a transaction. */
enum hw_dma_reason {
        HW_DMA_OK = 0,
        HW_DMA_NO_TRANSLATION, /* the stream has no translation (no SMMU stream table entry) */
};

/* What a refused transaction was (valid when hw_dma returns HW_DMA_FAULT). */
struct hw_dma_fault {
        enum hw_dma_reason reason;
        uint32_t stream_id;
        uint64_t iova;         /* first refused address */
        enum hw_access access; /* HW_ACCESS_READ: the device reads memory; WRITE: it writes */
};

const char *hw_dma_reason_name(enum hw_dma_reason r);

/* One DMA transaction of len bytes by stream stream_id at iova: a read of memory into buf
 * (HW_ACCESS_READ) or a write of buf to memory (HW_ACCESS_WRITE). Either all of it happens or
 * none of it does.
 * Returns HW_OK, or HW_DMA_FAULT (the SMMU refused it; *fault says why), and in the future
 * HW_GPF (the translation led to a granule the stream's PAS may not touch) or HW_ADDR_FAULT
 * (no memory there). fault may be NULL. Today every call returns HW_DMA_FAULT with
 * HW_DMA_NO_TRANSLATION and moves no byte. */
enum hw_result hw_dma(struct hw_mem *m, uint32_t stream_id, uint64_t iova, void *buf, size_t len,
                      enum hw_access access, struct hw_dma_fault *fault);

#endif
