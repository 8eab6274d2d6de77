/* The Root Port <-> Endpoint link: two ports, each with its IDE engine (hw/ide.h), TLPs as
 * bytes between them, and an optional tap that sees (and may tamper with) every byte on the
 * wire, as an interposer or a malicious switch could.
 *
 * hw_link_send(link, from, tlp):
 *   1. the sender's engine puts the TLP on the wire (hw_ide_tx: sealed on the stream while
 *      it is Secure, in clear with T=0 otherwise, refused if T=1 and not Secure);
 *   2. the tap, if any, sees the bytes and returns PASS (perhaps after changing them in
 *      place: flip a bit, swap in an earlier TLP it kept (replay), or its own bytes, up to
 *      HW_TLP_MAX_WIRE) or DROP;
 *   3. the receiver's engine opens them (hw_ide_rx); on an IDE check failure the link
 *      delivers the IDE Fail Message to the sender's engine (hw_ide_fail_message), so both
 *      ends go Insecure;
 *   4. the receiver's handler gets the TLP in clear, and nothing of a refused one.
 * hw_link_inject() puts bytes on the wire towards a port with no sender at all (a tap that
 * injects, or replays later). The link keeps no pointer to a delivered TLP after the
 * handler returns: the handler copies what it keeps.
 *
 * Simplified: the IDE Fail Message travels out of band (a tap cannot drop it); no link
 * training, flow control, replay buffer or link-down. The handler may call hw_link_send
 * (a completer answering a read): the link's buffers are per call, not shared.
 *
 * Single-threaded; no globals. The engines belong to the ports' owners and outlive the link.
 */
#ifndef CCADA_HW_LINK_H
#define CCADA_HW_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/ide.h"
#include "hw/tlp.h"

enum hw_link_end { HW_LINK_RP = 0, HW_LINK_EP = 1 };

enum hw_tap_verdict { HW_TAP_PASS, HW_TAP_DROP };

/* Sees a TLP going from `from` as wire bytes: *len bytes in wire, which has cap
 * (HW_TLP_MAX_WIRE) bytes of room. May change the bytes and *len (<= cap). */
typedef enum hw_tap_verdict (*hw_link_tap_fn)(void *ctx, enum hw_link_end from, uint8_t *wire, size_t *len,
                                              size_t cap);
/* Receives a TLP in clear at port `at`; tlp and its data are valid only during the call. */
typedef void (*hw_link_rx_fn)(void *ctx, enum hw_link_end at, const struct hw_tlp *tlp);

enum hw_link_result {
        HW_LINK_DELIVERED,   /* the receiver's handler got it (or there is no handler) */
        HW_LINK_TX_REFUSED,  /* the sender's engine refused it (report.tx says why) */
        HW_LINK_DROPPED,     /* the tap dropped it */
        HW_LINK_RX_REFUSED,  /* the receiver's engine refused it (report.rx says why) */
};

/* What happened to one TLP. */
struct hw_link_report {
        enum hw_link_result result;
        enum hw_ide_status tx, rx;
        char why[HW_IDE_WHY_LEN];
};

struct hw_link;

/* A link between the Root Port's engine rp and the Endpoint's engine ep. False when out of
 * memory. */
bool hw_link_new(struct hw_link **out, struct hw_ide *rp, struct hw_ide *ep) HW_IDE_MUST_CHECK;
void hw_link_free(struct hw_link *l); /* NULL: no-op; the engines are not freed */

/* The handler of the port at `at` (fn NULL: TLPs delivered there are discarded). */
void hw_link_set_handler(struct hw_link *l, enum hw_link_end at, hw_link_rx_fn fn, void *ctx);
/* The tap on the wire (fn NULL: none). */
void hw_link_set_tap(struct hw_link *l, hw_link_tap_fn fn, void *ctx);
const char *hw_link_end_name(enum hw_link_end e); /* "RP", "EP" */
const char *hw_link_result_name(enum hw_link_result r);

/* Sends tlp from port `from` to the other (steps above). rep may be NULL. */
enum hw_link_result hw_link_send(struct hw_link *l, enum hw_link_end from, const struct hw_tlp *tlp,
                                 struct hw_link_report *rep);
/* Wire bytes arriving at port `to` with no sender (not seen by the tap): steps 3 and 4. */
enum hw_link_result hw_link_inject(struct hw_link *l, enum hw_link_end to, const uint8_t *wire, size_t len,
                                   struct hw_link_report *rep);

#endif
