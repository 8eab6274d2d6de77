/* The host's side of DOE (PCIe 6.2 §6.30): it finds the DOE mailbox of a physical function
 * on the platform's PCIe (hw/pcie.h) and carries data objects through it, as Linux's
 * drivers/pci/doe.c does: write the request DW by DW into the Write Data Mailbox, set Go,
 * wait for Data Object Ready, read the response DW by DW from the Read Data Mailbox.
 *
 * This is the relay between the TSM (the RMM's SPDM requester) and the device: the host sees
 * every byte and may change any of them (a tamper hook, for the attacks), but the secured
 * messages are sealed with keys only the two ends hold. Each object is traced (`doe`
 * subsystem: doe_request, doe_response) as the host sees it and may be written to a pcap
 * (linktype 292, as DMTF's spdm-dump reads it).
 */
#ifndef CCADA_HOST_DOE_RELAY_H
#define CCADA_HOST_DOE_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hw/pcie.h"
#include "lib/trace.h"
#include "proto/pcap.h"

enum { DOE_TRACE_REQUEST, DOE_TRACE_RESPONSE };
extern const struct trace_subsys doe_trace;

#define DOE_RELAY_WHY_LEN 160
#define DOE_RELAY_MAX_OBJECT (16u * 1024u)

/* What the host does to an object in flight: may change obj (len bytes, cap room) and its
 * length; to_device says which way it goes. n counts objects relayed so far. */
typedef void (*doe_relay_tamper_fn)(void *ctx, unsigned n, bool to_device, uint8_t *obj, size_t *len, size_t cap);

struct doe_relay {
        struct hw_pcie *pcie;
        uint16_t bdf, cap;              /* the function and its DOE capability's offset */
        struct trace_group *tr;
        struct pcap_writer *pcap;       /* NULL: none */
        uint32_t pcap_seconds;          /* virtual time stamp of records */
        doe_relay_tamper_fn tamper;
        void *tamper_ctx;
        unsigned objects;               /* relayed, both ways */
        uint64_t bytes_to_device, bytes_from_device;
        unsigned max_polls;             /* Status reads before giving up on a response */
};

/* Looks for the first function on bus 0 (devices 0..31, function 0) that has a DOE
 * extended capability and binds r to it. False, with why, when none has. */
bool doe_relay_find(struct doe_relay *r, struct hw_pcie *pcie, struct trace *trace, char *why);

/* DOE discovery (index 0, 1, ...) until the device says the last: true when it lists
 * CMA/SPDM (type 1) and Secured CMA/SPDM (type 2) of PCI-SIG. */
bool doe_relay_discover(struct doe_relay *r, char *why);

/* One exchange: payload (an SPDM message or a secured record, len bytes) sent as a DOE
 * object of type 1 (secured false) or 2, the answer's payload (DW padding included) into rsp
 * (cap bytes), *rsp_len its length and *rsp_secured its type. False, with why, when the
 * mailbox reports Error, never becomes ready, or answers with something that is not a DOE
 * object of type 1 or 2; the mailbox is then aborted. */
bool doe_relay_exchange(struct doe_relay *r, bool secured, const uint8_t *payload, size_t len, uint8_t *rsp,
                        size_t cap, size_t *rsp_len, bool *rsp_secured, char *why);

#endif
