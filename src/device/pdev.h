/* ccada-dev: the physical PCIe endpoint that proves what it is. A function on the
 * platform's PCIe (hw/pcie.h) with its own configuration space:
 *
 *     0x000  type 0 header: vendor 0x1CCA (a model's ID, not an assigned one), device 0xDA01,
 *            class 0x018000 (mass storage, other), revision 1, capabilities list at 0x40
 *     0x040  PCI Express capability (ID 0x10, version 2, endpoint), the rest zero
 *     0x100  DOE extended capability (ID 0x2E), next 0x180: the mailbox (device/doe_mailbox.h)
 *            answering DOE discovery and handing SPDM (type 1) and secured SPDM (type 2)
 *            objects to the SPDM responder (device/spdm_responder.h)
 *     0x180  IDE extended capability (ID 0x30), next 0: the header and a zero IDE
 *            Capability register; the next issue fills in its streams
 *
 * Writes change only the COMMAND register's memory-space and bus-master bits and the DOE
 * registers; everything else is read-only. The device's identity (chain, key, measurements)
 * is device/identity.h; its randomness a DRBG seeded from the machine's seed (so a run is
 * reproducible) or the system's.
 */
#ifndef CCADA_DEVICE_PDEV_H
#define CCADA_DEVICE_PDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/identity.h"
#include "device/spdm_responder.h"
#include "hw/pcie.h"

#define PDEV_VENDOR_ID 0x1CCAu
#define PDEV_DEVICE_ID 0xDA01u
#define PDEV_DOE_OFFSET 0x100u
#define PDEV_IDE_OFFSET 0x180u
#define PDEV_IDE_EXT_CAP_ID 0x0030u
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
 * first byte its protocol ID: 0x00 IDE_KM, 0x01 TDISP; the next issue plugs them in). The
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

#endif
