/* The SMMU: what stands between a device's DMA engine and physical memory (issue 12).
 *
 * Modelled on an Arm SMMUv3 (IHI0070) in a system with RME device assignment (RME-DA).
 * Every transaction of a device (hw_dma, hw/dma.h) names a StreamID, the PCIe
 * requester ID (bus:device.function, 16 bits), and the SMMU looks up that stream's entry in
 * its stream table (STE). An STE is one of:
 *
 *   ABORT   every transaction faults. The reset state of every stream.
 *   BYPASS  an ordinary Non-secure stream: IOVA = PA, the access is made as the Non-secure
 *           world, so the GPC lets it reach Non-secure PAS only (a delegated or Realm granule
 *           is a GPF). Only T=0 transactions: a T=1 one is a TEE request of a TDI that is not
 *           bound to a Realm, and faults.
 *   REALM   the stream of a TDI that a Realm accepted (TDISP RUN). The IOVA is an IPA of that
 *           Realm, translated through the Realm's stage 2, and the access is made as the Realm
 *           world: it reaches the Realm's granules (and the Non-secure granules its stage 2
 *           maps as unprotected IPA, as the Realm's CPUs can). Only T=1 transactions, and only
 *           once the Realm enabled DMA (RSI_VDEV_DMA_ENABLE sets dma_enabled).
 *
 * The Realm's stage-2 tables are the RMM's own structures (not simulated memory), so a REALM
 * STE carries the RMM's translation callback s2 and the Realm's owner tag (VMID + 1, the tag of
 * hw.h's ownership aid): every output granule in Realm PAS must carry that tag, so a stage 2
 * that points at another Realm's granule, or at a delegated granule of the RMM's own, faults
 * (OWNER_MISMATCH) even though the GPC would let a Realm-world access through.
 *
 * Who programs what. In RME-DA the SMMU's Realm programming interface is reachable only from
 * Realm PAS (the RMM) and Root (the monitor); the Non-secure interface cannot name Realm
 * streams. So the host cannot point a TDI's stream elsewhere, turn an accepted stream into a
 * BYPASS one, or enable its DMA. hw_smmu_ste_set() takes the caller's world:
 *   HW_WORLD_ROOT, HW_WORLD_REALM      may write any STE;
 *   HW_WORLD_NS, HW_WORLD_SECURE       may write only ABORT or BYPASS, and only over an STE
 *                                      that is not REALM (the model gives Secure no streams
 *                                      of its own).
 * The RMM installs a REALM STE when the TDI is accepted (DMA disabled), enables DMA when the
 * Realm asks, and writes ABORT when the TDI leaves RUN or the VDEV is destroyed.
 *
 * Fault records: a bounded event queue, like SMMUv3's EVTQ (IHI0070): one record per
 * refused transaction (struct hw_dma_fault: stream, T bit, IOVA, access, reason, output
 * address), read oldest first. When it is full a new record is lost and the overflow counter
 * grows (SMMUv3 toggles an overflow flag instead). Each fault is also a `smmu_fault` trace
 * event of the "smmu" subsystem and is counted by reason.
 * Not modelled: the binary STE/CD/event layouts, stage 1 and substreams (PASID), the command
 * queue and its STE/TLB invalidations (an STE write takes effect at once; there is no IOTLB:
 * every transaction walks the stage 2 afresh), ATS/PRI, stalls, MSIs and interrupts.
 *
 * The stream table is two-level (SMMUv3's 2-level format, split 8): the 256 second-level
 * tables of 256 STEs are allocated on the first write of something other than ABORT.
 *
 * Single-threaded, like the rest of hw/; no globals.
 */
#ifndef CCADA_HW_SMMU_H
#define CCADA_HW_SMMU_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/dma.h"
#include "hw/hw.h"
#include "lib/trace.h"

#define HW_SMMU_MUST_CHECK __attribute__((warn_unused_result))

/* The "smmu" trace subsystem: smmu_fault, a transaction the SMMU refused; smmu_ste, a stream
 * table entry changed (its mode, whether its DMA is enabled, the world that wrote it). */
enum { HW_SMMU_TRACE_FAULT, HW_SMMU_TRACE_STE };
extern const struct trace_subsys hw_smmu_trace;

#define HW_SMMU_STREAMS  65536u /* StreamID = the 16-bit requester ID */
#define HW_SMMU_EVTQ_LEN 64u    /* fault records held before overflow */

enum hw_ste_mode {
        HW_STE_ABORT = 0,
        HW_STE_BYPASS,
        HW_STE_REALM,
};

/* The Realm's stage 2 as the RMM walks it: the output address *pa (granule-aligned) of the
 * granule-aligned ipa for an access, or false when the stage 2 does not map it for that
 * access. Must not change the GPT or call into the SMMU: the SMMU calls it for each page
 * before it checks them, and keeps no answer beyond the transaction. */
typedef bool (*hw_smmu_s2_fn)(void *ctx, uint64_t ipa, enum hw_access access, uint64_t *pa);

/* Told, after a REALM stream's write landed, which bytes of the Realm's IPA space changed (a
 * page-bounded piece each call): the RMM's test builds keep an oracle of what each Realm's
 * memory holds, and an accepted TDI's DMA writes for the Realm. May be NULL. Must not call
 * into the SMMU or change the GPT. */
typedef void (*hw_smmu_written_fn)(void *ctx, uint64_t ipa, const void *bytes, size_t len);

/* A stream table entry as programmed. Fields after mode are for REALM only; the SMMU stores
 * them as zero for ABORT and BYPASS. */
struct hw_ste {
        enum hw_ste_mode mode;
        bool dma_enabled;       /* RSI_VDEV_DMA_ENABLE: the Realm lets the TDI DMA */
        uint32_t owner;         /* the Realm's owner tag (VMID + 1), nonzero */
        hw_smmu_s2_fn s2;       /* non-NULL */
        void *s2_ctx;           /* the RMM's Realm, passed to s2 and written */
        hw_smmu_written_fn written; /* NULL: none */
};

enum hw_smmu_status {
        HW_SMMU_OK = 0,
        HW_SMMU_DENIED,         /* the caller's world may not make this change */
        HW_SMMU_BAD_STE,        /* not an STE mode; REALM without s2 or owner; dma enable of a
                                 * stream that is not REALM */
        HW_SMMU_NO_MEMORY,      /* a second-level table could not be allocated */
};

struct hw_smmu_stats {
        uint64_t transactions;                  /* hw_dma calls */
        uint64_t bytes;                         /* bytes moved by the ones that succeeded */
        uint64_t faults[HW_DMA_REASONS];        /* refused, by reason ([HW_DMA_OK] is 0) */
        uint64_t evtq_overflows;                /* records lost to a full queue */
        uint64_t ste_writes;                    /* STE changes made */
        uint64_t ste_refused;                   /* STE changes refused (DENIED, BAD_STE) */
};

struct hw_smmu;

const char *hw_smmu_status_name(enum hw_smmu_status s); /* "ok", "denied", ... */
const char *hw_ste_mode_name(enum hw_ste_mode m);       /* "abort", "bypass", "realm" */

/* Creates an SMMU over memory m (which must outlive it), every stream ABORT, the event queue
 * empty. trace may be NULL (no events). Returns false when out of memory (*out is NULL). */
bool hw_smmu_create(struct hw_smmu **out, struct hw_mem *m, struct trace *trace);
void hw_smmu_destroy(struct hw_smmu *s);

/* Writes stream_id's STE as caller (see "Who programs what"). Checked in this order:
 * caller not a world -> DENIED; mode not an STE mode -> BAD_STE; caller Non-secure or Secure
 * writing REALM, or over a REALM STE -> DENIED; REALM without s2 or with owner 0 -> BAD_STE;
 * no memory -> NO_MEMORY. On any refusal the STE is unchanged. */
enum hw_smmu_status hw_smmu_ste_set(struct hw_smmu *s, enum hw_world caller, uint16_t stream_id,
                                    const struct hw_ste *ste) HW_SMMU_MUST_CHECK;

/* Sets or clears dma_enabled of stream_id's REALM STE (RSI_VDEV_DMA_ENABLE / _DISABLE, done
 * by the RMM). DENIED unless caller is Root or Realm; BAD_STE when the STE is not REALM. */
enum hw_smmu_status hw_smmu_ste_dma_enable(struct hw_smmu *s, enum hw_world caller,
                                           uint16_t stream_id, bool enable) HW_SMMU_MUST_CHECK;

/* The STE of stream_id as it stands (ABORT, zeroed, for one never written). */
void hw_smmu_ste_get(const struct hw_smmu *s, uint16_t stream_id, struct hw_ste *ste);

/* The event queue: records waiting, and the oldest taken off into *ev (false when empty,
 * *ev untouched). */
unsigned hw_smmu_evtq_count(const struct hw_smmu *s);
bool hw_smmu_evtq_pop(struct hw_smmu *s, struct hw_dma_fault *ev);

void hw_smmu_stats(const struct hw_smmu *s, struct hw_smmu_stats *out);

#endif
