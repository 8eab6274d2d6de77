/* The Root Port's side of the link (hw/link.h): where an endpoint's memory requests leave
 * PCIe and become SMMU transactions (hw/dma.h). Issue 12: "the device's DMA engine reaches
 * memory only through the SMMU + GPC".
 *
 * The root port is the handler of the link's HW_LINK_RP end. For each TLP the link delivers
 * there (in clear, after the RP's IDE engine opened it):
 *
 *   MWr   hw_dma(smmu, Requester ID, T, Address, payload, Length, WRITE). Posted: nothing
 *         goes back to the endpoint whatever the SMMU says (PCIe 6.2 §2.2.8: a posted
 *         request has no completion), so a refused write is visible only in the SMMU's
 *         event queue and in these statistics.
 *   MRd   hw_dma(..., READ) of all Length bytes (up to 4096, never across 4 KiB: the codec's
 *         rule), then its completions back over the link to the endpoint, each with the
 *         request's Requester ID, Tag and T (a completion's T equals its request's, facts §5
 *         end) and Completer ID the root port's ID:
 *           the SMMU moved it        CplDs, status SC, in address order, split as PCIe 6.2
 *                                    §2.3.1.1 allows with MPS = HW_ROOT_PORT_MPS and RCB =
 *                                    HW_ROOT_PORT_RCB: from address a with r bytes left, one
 *                                    of min(r, MPS - a % RCB) bytes, so every completion but
 *                                    the last ends on an RCB boundary and none is longer than
 *                                    MPS (a 4 KiB read at an aligned address: 16 CplDs of
 *                                    256). Each carries Byte Count = r (its own bytes and all
 *                                    after it) and Lower Address = a[6:0]; the last has Byte
 *                                    Count = its Length. A completion the link does not
 *                                    deliver (cpl_lost) does not stop the ones after it, as a
 *                                    completer does not know;
 *           the SMMU refused it      one Cpl, nothing moved (the SMMU checks the whole read
 *                                    before any completion goes), Lower Address Address[6:0],
 *                                    Byte Count = Length, status
 *                                    UR (Unsupported Request) when the address leads nowhere:
 *                                      stream ABORT, T mismatch, DMA not enabled, no stage-2
 *                                      mapping, no memory (HW_DMA_STREAM_ABORT ... ADDR_FAULT);
 *                                    CA (Completer Abort) when it leads to memory the stream
 *                                      may not touch: GPF, OWNER_MISMATCH.
 *   Cpl, CplD  the root port sends no reads of its own, so the RP engine refuses any
 *         completion before it gets here (HW_IDE_UNEXPECTED_CPL); one that arrives anyway is
 *         counted as unexpected and dropped.
 * hw_dma is all or nothing, so a TLP the SMMU refuses moves no byte. The Requester ID is the
 * StreamID, as the TLP carries it.
 *
 * The UR/CA split is ours: PCIe 6.2 §2.3.1 lets a completer answer UR or CA, and how an
 * SMMUv3 "terminate" reaches a PCIe requester is the root complex's choice (IHI0070 §3.12).
 * Not modelled: ACS Source Validation (that the Requester ID belongs below this port, PCIe 6.2
 * §6.12.1.1) and IDE RID association checks: the endpoint is the only device below the port
 * and the SMMU sees the Requester ID the TLP carries; AER logging; MMIO towards the endpoint
 * (the device model takes MMIO directly, device/pdev.h).
 *
 * Single-threaded, like the rest of hw/; no globals. The link, the engine and the SMMU belong
 * to the caller and must outlive the root port.
 */
#ifndef CCADA_HW_ROOT_PORT_H
#define CCADA_HW_ROOT_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/dma.h"
#include "hw/ide.h"
#include "hw/link.h"
#include "hw/smmu.h"

#define HW_ROOT_PORT_MUST_CHECK __attribute__((warn_unused_result))

#define HW_ROOT_PORT_MPS 256u /* Max_Payload_Size of its completions */
#define HW_ROOT_PORT_RCB 64u  /* Read Completion Boundary (Link Control bit 3 = 1: 128 allowed; 64 here) */

struct hw_root_port_stats {
        uint64_t tlps_in;         /* TLPs the link delivered to the root port */
        uint64_t tlps_out;        /* completions the link delivered to the endpoint */
        uint64_t cpld;            /* CplDs sent (several per read above MPS or across an RCB) */
        uint64_t mwr, mrd;        /* memory requests received, by kind */
        uint64_t bytes_written;   /* memory bytes the SMMU moved for MWr */
        uint64_t bytes_read;      /* memory bytes the SMMU moved for MRd */
        uint64_t smmu_faults;     /* requests the SMMU refused (nothing moved) */
        uint64_t cpl_ur, cpl_ca;  /* error completions sent */
        uint64_t cpl_lost;        /* completions the link did not deliver (refused, dropped) */
        uint64_t unexpected;      /* completions received (the root port asked for none) */
};

struct hw_root_port;

/* A root port at link l's RP end: sets the link's RP handler. engine is the RP's IDE engine
 * (the one l was made with), id the port's own Requester/Completer ID. False when out of
 * memory (*out NULL, the link untouched). */
bool hw_root_port_new(struct hw_root_port **out, struct hw_link *l, struct hw_ide *engine, struct hw_smmu *smmu,
                      uint16_t id) HW_ROOT_PORT_MUST_CHECK;
/* Clears the link's RP handler and frees. NULL: no-op. */
void hw_root_port_free(struct hw_root_port *rp);

const struct hw_root_port_stats *hw_root_port_stats(const struct hw_root_port *rp);
/* The last request the SMMU refused (false if none yet). */
bool hw_root_port_last_fault(const struct hw_root_port *rp, struct hw_dma_fault *out);
/* The RP's IDE engine (to key it, read its state and statistics). */
struct hw_ide *hw_root_port_engine(struct hw_root_port *rp);
/* The completion status the root port answers a refused read with (UR or CA, above). */
enum hw_tlp_cpl_status hw_root_port_cpl_status(enum hw_dma_reason r);

#endif
