/* ccada-dev: the physical PCIe endpoint that proves what it is. A function on the
 * platform's PCIe (hw/pcie.h) with its own configuration space:
 *
 *     0x000  type 0 header: vendor 0x1CCA (a model's ID, not an assigned one), device 0xDA01,
 *            class 0x018000 (mass storage, other), revision 1, capabilities list at 0x40
 *     0x010  BAR0: 64-bit non-prefetchable memory BAR of PDEV_BAR0_SIZE (16 KiB), low DW at
 *            0x10 (type bits 0x4), high DW at 0x14; sized the standard way (write all ones,
 *            read back the size mask). BARs 1-5 and the expansion ROM BAR read zero.
 *     0x040  PCI Express capability (ID 0x10, version 2, endpoint), the rest zero
 *     0x100  DOE extended capability (ID 0x2E), next 0x180: the mailbox (device/doe_mailbox.h)
 *            answering DOE discovery and handing SPDM (type 1) and secured SPDM (type 2)
 *            objects to the SPDM responder (device/spdm_responder.h)
 *     0x180  IDE extended capability (ID 0x30, version 1), next 0: from 0x184 the register
 *            image of device/ide_km_responder.h (IDE Capability: Selective IDE, IDE_KM, one
 *            Selective stream; IDE Control; the stream's Capability, Control, Status (2 =
 *            Secure once all six keys are set going), RID Association 1 and 2)
 *
 * VENDOR_DEFINED requests of PCI-SIG protocol 0x00 go to the IDE_KM responder, 0x01 to the
 * TDISP responder (device/tdisp_responder.h: one TDI, this function, FUNCTION_ID = its BDF);
 * both answer only inside the SPDM session. When that session ends the IDE keys it
 * programmed are dropped and a TDI locked over it goes to ERROR; so does a locked TDI whose
 * IDE stream goes Insecure (pdev_ide_failed, K_SET_STOP).
 *
 * Writes change the COMMAND register's memory-space and bus-master bits, BAR0, the IDE
 * stream's Control and RID Association registers and the DOE registers; everything else is
 * read-only. While the TDI is locked (CONFIG_LOCKED or RUN), writes that TDISP §11.2's
 * example policy lists move it to ERROR (the write still completes): any BAR or expansion
 * ROM BAR write, BIST, clearing Memory Space or Bus Master Enable, setting Device Control's
 * Extended Tag, Phantom Functions, No Snoop or Initiate FLR, and the IDE stream's Control and
 * RID Association registers. COMMAND's other bits, STATUS and DOE stay allowed.
 *
 * Its function is a block device (device/blk_engine.h) whose registers are BAR0. MMIO reaches
 * them through pdev_mmio_read/pdev_mmio_write, which apply TDISP §11.2.1's completer rules
 * (facts §5 end, §6.6) to BAR0, the TDI's one MMIO range, reported as TEE memory
 * (IS_NON_TEE_MEM clear):
 *     TDI state          T=0 access         T=1 access
 *     CONFIG_UNLOCKED    served             rejected
 *     CONFIG_LOCKED      rejected           rejected (not RUN)
 *     RUN                rejected           served
 *     ERROR              rejected           rejected
 * A rejected read returns all ones, a rejected write is dropped; both are counted. (Ours:
 * T=0 is rejected in ERROR too, since the TVM's data is scrubbed only by STOP.) Whenever the
 * TDI changes state (LOCK, START, STOP, ERROR) the block engine is reset before the next
 * access, so what the host programmed never serves the TVM and the TVM's ring never
 * outlives its TDI; the storage is kept.
 *
 * DMA: the device reaches memory only over its link (pdev_attach_link; the board makes the
 * Root Port's engine, the link hw_link_new(&l, rp_engine, pdev_ide_engine(d)) and the root
 * port, hw/root_port.h). pdev_dma splits a transfer into memory TLPs that never cross 4 KiB:
 * writes (MWr) of at most PDEV_MPS payload bytes, reads (MRd) of at most PDEV_MRRS, sent one
 * at a time from HW_LINK_EP with Requester ID = its BDF and T=1 exactly while the TDI is in
 * RUN (TDISP §11.2.1: a TDI's memory requests only in RUN, with T=1; an unlocked TDI's with
 * T=0; none in CONFIG_LOCKED or ERROR). A read takes the next tag (mod 256) and waits for its
 * completions (PCIe 6.2 §2.3.1.1): CplDs in address order, each one's Byte Count the bytes
 * still missing and its Lower Address theirs, reassembled into the buffer; a Cpl UR/CA is a
 * failure, a completion that does not fit (Byte Count, Lower Address, Length, status) is
 * BAD_COMPLETION. The model has no time, so Completion Timeout (PCIe 6.2 §2.8) is: the link
 * call that sent the MRd returned and the read is not complete; then, and after any other
 * failure of a read that went, the device retires the tag in its engine
 * (hw_ide_retire_tag), so it may be used again and a late completion for it is dropped.
 *
 * The device's identity (chain, key, measurements) is device/identity.h; its randomness a
 * DRBG seeded from the machine's seed (so a run is reproducible) or the system's; it serves
 * SPDM and the START_INTERFACE nonce.
 */
#ifndef CCADA_DEVICE_PDEV_H
#define CCADA_DEVICE_PDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/blk_engine.h"
#include "device/identity.h"
#include "device/ide_km_responder.h"
#include "device/spdm_responder.h"
#include "device/tdisp_responder.h"
#include "hw/pcie.h"
#include "lib/trace.h"

#define PDEV_VENDOR_ID 0x1CCAu
#define PDEV_DEVICE_ID 0xDA01u
#define PDEV_DOE_OFFSET 0x100u
#define PDEV_IDE_OFFSET 0x180u
#define PDEV_IDE_EXT_CAP_ID 0x0030u
#define PDEV_IDE_REGS_OFFSET (PDEV_IDE_OFFSET + 4u)
#define PDEV_BAR0_OFFSET 0x10u
#define PDEV_BAR0_SIZE 0x4000u
#define PDEV_BAR0_TYPE 0x4u /* memory, 64-bit, not prefetchable */
#define PDEV_WHY_LEN 256
#define PDEV_MPS 256u   /* Max_Payload_Size: the longest write (MWr) the device sends */
#define PDEV_MRRS 4096u /* Max_Read_Request_Size: the longest read (MRd) it asks for */
#define PDEV_MUST_CHECK __attribute__((warn_unused_result))

struct pdev_config {
        uint16_t bdf;
        const uint8_t *seed;            /* identity and DRBG (NULL: fresh keys, system DRBG) */
        size_t seed_len;
        const char *cert_dir;           /* NULL: a PKI made from the seed */
        struct dev_firmware fw;
        bool no_handshake_in_the_clear;
        /* An impostor: present this device's certificate chain (public) but sign with the
         * key of the identity made or loaded above, as a counterfeit that copied a genuine
         * device's certificates would (an attack; NULL for an honest device). */
        const struct pdev *impersonate;
        uint64_t blk_capacity_bytes;    /* the block engine's storage (0: 64 MiB) */
        struct trace *trace;            /* its IDE engine's "ide" events, end "ep" (NULL: none) */
};

/* A PCI-SIG protocol behind VENDOR_DEFINED (StandardID 3, VendorID 0x0001, the payload's
 * first byte its protocol ID: 0x00 IDE_KM and 0x01 TDISP are taken by pdev_new). The
 * handler gets the payload (protocol ID included) and writes the response payload; false
 * makes the device answer ERROR UnsupportedRequest. Secured: whether the request came in a
 * session (IDE_KM and TDISP must ignore anything else). */
typedef bool (*pdev_protocol_fn)(void *ctx, bool secured, uint32_t session_id, const uint8_t *payload, size_t len,
                                 uint8_t *rsp, size_t cap, size_t *rsp_len);
#define PDEV_MAX_PROTOCOLS 4

struct pdev;

/* Builds the device and attaches it to pcie at cfg->bdf. */
bool pdev_new(struct pdev **out, struct hw_pcie *pcie, const struct pdev_config *cfg, char *why);
void pdev_free(struct pdev *d); /* detaches; NULL: no-op */

/* The trust anchor a TSM should be given for this device (its root certificate, DER). */
void pdev_root(const struct pdev *d, const uint8_t **der, size_t *len);
/* Routes VENDOR_DEFINED requests of PCI-SIG protocol id to fn. False if id is taken or
 * the table is full. Requests of any other standard, vendor or protocol are unsupported. */
bool pdev_register_protocol(struct pdev *d, uint8_t id, pdev_protocol_fn fn, void *ctx);
const struct spdm_responder_stats *pdev_spdm_stats(const struct pdev *d);
struct spdm_responder *pdev_responder(struct pdev *d);

/* The TDI's state (TDISP_STATE_*) and why it last went to ERROR ("" if never). */
uint8_t pdev_tdi_state(const struct pdev *d);
const char *pdev_tdi_error_reason(const struct pdev *d);
/* The IDE engine's key port (hw/ide; copied; NULL: the IDE_KM responder keeps the keys). */
void pdev_set_ide_key_ops(struct pdev *d, const struct ide_km_port_ops *ops);
/* The IDE glue reports IDE Check Failed or link down: the stream's keys are dropped, it is
 * Insecure, and a locked TDI goes to ERROR. */
void pdev_ide_failed(struct pdev *d, const char *why);
/* The device's IDE engine (hw/ide.h; Stream ID 0, the default stream): IDE_KM programs its
 * keys; the board connects it to the Root Port's over a link (hw/link.h). Its failures
 * reach pdev_ide_failed. pdev_set_ide_key_ops replaces it as the key port (tests). */
struct hw_ide;
struct hw_ide *pdev_ide_engine(struct pdev *d);
/* BAR0's address as the host programmed it. */
uint64_t pdev_bar0(const struct pdev *d);
const struct tdisp_responder_stats *pdev_tdisp_stats(const struct pdev *d);
const struct ide_km_responder_stats *pdev_ide_km_stats(const struct pdev *d);
struct tdisp_responder *pdev_tdisp(struct pdev *d);
struct ide_km_responder *pdev_ide_km(struct pdev *d);

/* ---- MMIO (BAR0) and DMA ---- */

enum pdev_mmio_status {
        PDEV_MMIO_OK = 0,
        PDEV_MMIO_UNCLAIMED,    /* not inside BAR0, or Memory Space Enable clear */
        PDEV_MMIO_REJECTED,     /* TDISP's completer rule above: read all ones, write dropped */
        PDEV_MMIO_BAD_ACCESS,   /* inside BAR0 but no register of that offset and size */
};

enum pdev_dma_status {
        PDEV_DMA_OK = 0,
        PDEV_DMA_NO_LINK,        /* no link attached */
        PDEV_DMA_NO_BUS_MASTER,  /* COMMAND's Bus Master Enable is clear (PCIe 6.2 §7.5.1.1.3) */
        PDEV_DMA_BAD_REQUEST,    /* address or length not a DW multiple, or the range wraps */
        PDEV_DMA_NOT_PERMITTED,  /* the TDI is CONFIG_LOCKED or ERROR: no memory requests */
        PDEV_DMA_LINK_REFUSED,   /* the device's engine refused a TLP, or the stream broke */
        PDEV_DMA_UR,             /* a read completed Unsupported Request */
        PDEV_DMA_CA,             /* a read completed Completer Abort */
        PDEV_DMA_BAD_COMPLETION, /* a completion of the wrong Byte Count, Lower Address, length or status */
        PDEV_DMA_TIMEOUT,        /* a completion did not come back (Completion Timeout) */
        PDEV_DMA_NO_TAG,         /* the engine holds the tag for a read the device did not send */
};

struct pdev_dma_stats {
        uint64_t requests;              /* pdev_dma calls */
        uint64_t mwr, mrd;              /* TLPs the link took */
        uint64_t cpld;                  /* completions with data that fit their read */
        uint64_t bytes_to_memory, bytes_from_memory;
        uint64_t failures;              /* calls that ended other than OK */
        uint64_t ur, ca, timeouts;      /* read completions by kind of failure */
        uint64_t unexpected;            /* TLPs at the device's port that answer nothing */
        uint64_t mmio_rejected;         /* TDISP completer rule */
        uint64_t mmio_bad;              /* UNCLAIMED or BAD_ACCESS */
};

const char *pdev_mmio_status_name(enum pdev_mmio_status s);
const char *pdev_dma_status_name(enum pdev_dma_status s);

/* An MMIO read or write of size bytes at physical address addr, with the request's T bit
 * (t: the TVM's access through its stage 2, as the RMM maps a locked TDI's MMIO). A read's
 * *value is all ones unless OK. A write to the DOORBELL runs the block engine's ring, and its
 * DMA, before it returns. */
enum pdev_mmio_status pdev_mmio_read(struct pdev *d, uint64_t addr, unsigned size, bool t, uint64_t *value)
        PDEV_MUST_CHECK;
enum pdev_mmio_status pdev_mmio_write(struct pdev *d, uint64_t addr, unsigned size, bool t, uint64_t value)
        PDEV_MUST_CHECK;

/* Attaches the device's port to link l (its HW_LINK_EP end, whose engine must be
 * pdev_ide_engine(d)); NULL detaches. The link must outlive the attachment. */
struct hw_link;
void pdev_attach_link(struct pdev *d, struct hw_link *l);
/* A DMA of len bytes at iova: to memory from buf (to_memory) or from memory into buf, by the
 * rules above. Not atomic across TLPs: on a failure, the writes before it may have landed
 * and buf may hold part of a read; OK only if every TLP went and every read completed SC.
 * A refused posted write (MWr) is invisible to the device, as on PCIe. */
enum pdev_dma_status pdev_dma(struct pdev *d, uint64_t iova, void *buf, size_t len, bool to_memory) PDEV_MUST_CHECK;
const struct pdev_dma_stats *pdev_dma_stats(const struct pdev *d);
struct blk_engine *pdev_blk(struct pdev *d);

#endif
