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
 * The device's identity (chain, key, measurements) is device/identity.h; its randomness a
 * DRBG seeded from the machine's seed (so a run is reproducible) or the system's; it serves
 * SPDM and the START_INTERFACE nonce.
 */
#ifndef CCADA_DEVICE_PDEV_H
#define CCADA_DEVICE_PDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/identity.h"
#include "device/ide_km_responder.h"
#include "device/spdm_responder.h"
#include "device/tdisp_responder.h"
#include "hw/pcie.h"

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

#endif
