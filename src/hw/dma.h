/* Device DMA: the one path by which a device model reaches physical memory.
 *
 * A PCIe device does not access memory as a world. Its transactions carry a StreamID (its
 * requester ID), the TDISP T bit (PCIe 6.2 §6.33: T=1 marks a TEE transaction of a TDI) and an
 * I/O virtual address, and the SMMU (hw/smmu.h) decides: it looks up the stream's stream
 * table entry, translates the IOVA (IOVA = PA for a Non-secure BYPASS stream, the Realm's
 * stage 2 for the stream of a TDI the Realm accepted) and makes the access as the world the
 * entry names, so the granule protection check (hw/hw.h) decides which PAS it may reach.
 * A device model calls hw_dma() for every transaction and never hw_read/hw_write.
 *
 * One call is one transaction, all or nothing: every 4 KiB page of the IOVA range is
 * translated and GPC-checked first, then the bytes move. When anything refuses, nothing in
 * memory changes, nothing is read into buf, and the SMMU records the fault (its event queue,
 * its `smmu_fault` trace event and statistics; a GPC denial is also the GPC's own `gpf`
 * event and count). The first refused page is the one reported.
 *
 * Context: single-threaded, like the rest of hw/.
 */
#ifndef CCADA_HW_DMA_H
#define CCADA_HW_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"

struct hw_smmu;

/* The longest transaction: a burst of the model's DMA engine, not a PCIe TLP (whose payload
 * is at most 4096 bytes, PCIe 6.2 §2.2.2). Bounds the pages one call translates. */
#define HW_DMA_MAX_LEN   (16 * GRANULE_SIZE)
#define HW_DMA_MAX_PAGES (HW_DMA_MAX_LEN / GRANULE_SIZE + 1)   /* an unaligned burst */

/* Why the SMMU refused a transaction. Checked in this order: the request, the stream (STE,
 * T bit, DMA enable), the IOVA range as a whole (wrap), then page by page in address order
 * the translation, the output address, the GPC and the owner. */
enum hw_dma_reason {
        HW_DMA_OK = 0,
        HW_DMA_BAD_REQUEST,     /* len above HW_DMA_MAX_LEN, or access neither read nor write */
        HW_DMA_STREAM_ABORT,    /* no stream table entry for the stream, or it is ABORT */
        HW_DMA_T_MISMATCH,      /* T=1 on a BYPASS stream, T=0 on a REALM stream */
        HW_DMA_NOT_ENABLED,     /* a REALM stream whose DMA the Realm has not enabled */
        HW_DMA_S2_FAULT,        /* the Realm's stage 2 does not map the IOVA (IPA) */
        HW_DMA_ADDR_FAULT,      /* the IOVA range wraps, or its output is not memory */
        HW_DMA_GPF,             /* granule protection fault: the PAS is not the stream's */
        HW_DMA_OWNER_MISMATCH,  /* a Realm granule that is not the stream's Realm's */
};
#define HW_DMA_REASONS (HW_DMA_OWNER_MISMATCH + 1)

/* What a refused transaction was: the record hw_dma returns and the SMMU queues. */
struct hw_dma_fault {
        enum hw_dma_reason reason;
        uint16_t stream_id;
        bool t;                /* the transaction's T bit */
        enum hw_access access; /* HW_ACCESS_READ: the device reads memory; WRITE: it writes */
        uint64_t iova;         /* first refused address (the transaction's own for a stream
                                * fault, that of the refused page otherwise) */
        bool translated;       /* pa is valid: the refused page had an output address */
        uint64_t pa;           /* output address of iova (ADDR_FAULT, GPF, OWNER_MISMATCH) */
};

/* "ok", "bad_request", "stream_abort", "t_mismatch", "dma_disabled", "s2_fault",
 * "addr_fault", "gpf", "owner_mismatch"; "unknown" otherwise. */
const char *hw_dma_reason_name(enum hw_dma_reason r);

/* One DMA transaction of len bytes (0..HW_DMA_MAX_LEN) by stream stream_id with TDISP bit t
 * at iova: a read of memory into buf (HW_ACCESS_READ) or a write of buf to memory
 * (HW_ACCESS_WRITE), through the SMMU s. Either all of it happens or none of it does. len 0
 * moves nothing but is checked as a transaction of iova's page.
 * Returns HW_OK, or
 *   HW_GPF         the translation led to a granule the stream's world may not touch;
 *   HW_ADDR_FAULT  no memory there, or the range wraps;
 *   HW_DMA_FAULT   any other refusal of the SMMU.
 * On a refusal *fault (fault may be NULL) holds the record, which also goes to the SMMU's
 * event queue; buf is untouched on a refused read. buf holds len bytes; it is the device's
 * own storage and must not lie in simulated memory. */
enum hw_result hw_dma(struct hw_smmu *s, uint16_t stream_id, bool t, uint64_t iova, void *buf,
                      size_t len, enum hw_access access, struct hw_dma_fault *fault)
        __attribute__((warn_unused_result));

#endif
