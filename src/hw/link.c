/* The link between two IDE ports: encode and seal, tap, open, deliver. Contract in link.h. */
#include "hw/link.h"

#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"

struct hw_link {
        struct hw_ide *port[2];
        hw_link_rx_fn rx[2];
        void *rx_ctx[2];
        hw_link_tap_fn tap;
        void *tap_ctx;
};

/* Per-call buffers: a handler may send (a completion) while a TLP is being delivered. */
struct frame {
        uint8_t wire[HW_TLP_MAX_WIRE];
        uint8_t plain[HW_TLP_MAX_DATA];
};

bool hw_link_new(struct hw_link **out, struct hw_ide *rp, struct hw_ide *ep)
{
        struct hw_link *l = calloc(1, sizeof(*l));

        *out = l;
        if (!l)
                return false;
        l->port[HW_LINK_RP] = rp;
        l->port[HW_LINK_EP] = ep;
        return true;
}

void hw_link_free(struct hw_link *l)
{
        free(l);
}

void hw_link_set_handler(struct hw_link *l, enum hw_link_end at, hw_link_rx_fn fn, void *ctx)
{
        l->rx[at & 1] = fn;
        l->rx_ctx[at & 1] = ctx;
}

void hw_link_set_tap(struct hw_link *l, hw_link_tap_fn fn, void *ctx)
{
        l->tap = fn;
        l->tap_ctx = ctx;
}

const char *hw_link_end_name(enum hw_link_end e)
{
        return e == HW_LINK_RP ? "RP" : e == HW_LINK_EP ? "EP" : "?";
}

const char *hw_link_result_name(enum hw_link_result r)
{
        switch (r) {
        case HW_LINK_DELIVERED: return "delivered";
        case HW_LINK_TX_REFUSED: return "refused by the sender";
        case HW_LINK_DROPPED: return "dropped on the wire";
        case HW_LINK_RX_REFUSED: return "refused by the receiver";
        }
        return "?";
}

static enum hw_link_result done(struct hw_link_report *rep, enum hw_link_result r)
{
        rep->result = r;
        return r;
}

/* Steps 3 and 4: open at `to`, tell the partner of an IDE check failure, deliver. */
static enum hw_link_result receive(struct hw_link *l, enum hw_link_end to, struct frame *f, size_t len,
                                   struct hw_link_report *rep)
{
        struct hw_tlp tlp;
        unsigned at = (unsigned)to & 1;

        rep->rx = hw_ide_rx(l->port[at], f->wire, len, &tlp, f->plain, sizeof(f->plain), rep->why);
        if (rep->rx == HW_IDE_CHECK_FAILED)
                hw_ide_fail_message(l->port[!at]);
        /* The plaintext is the only secret in the frame (the wire holds what a tap sees), and
         * at most as long as the wire: that much is wiped, not the whole frame, per TLP. */
        size_t plain_len = len < sizeof(f->plain) ? len : sizeof(f->plain);
        if (rep->rx != HW_IDE_OK) {
                secure_zero(f->plain, plain_len);
                return done(rep, HW_LINK_RX_REFUSED);
        }
        if (l->rx[at])
                l->rx[at](l->rx_ctx[at], (enum hw_link_end)at, &tlp);
        secure_zero(f->plain, plain_len);
        return done(rep, HW_LINK_DELIVERED);
}

static enum hw_link_result link_send(struct hw_link *l, enum hw_link_end from, const struct hw_tlp *tlp,
                                struct hw_link_report *rep, struct frame *f)
{
        unsigned src = (unsigned)from & 1;
        size_t len;

        memset(rep, 0, sizeof(*rep));
        rep->tx = hw_ide_tx(l->port[src], tlp, f->wire, sizeof(f->wire), &len, rep->why);
        if (rep->tx != HW_IDE_OK)
                return done(rep, HW_LINK_TX_REFUSED);
        if (l->tap) {
                enum hw_tap_verdict v = l->tap(l->tap_ctx, (enum hw_link_end)src, f->wire, &len, sizeof(f->wire));
                if (v == HW_TAP_DROP)
                        return done(rep, HW_LINK_DROPPED);
                if (len > sizeof(f->wire))
                        len = sizeof(f->wire); /* a tap that lies about its length cannot overrun */
        }
        return receive(l, (enum hw_link_end)!src, f, len, rep);
}

enum hw_link_result hw_link_send(struct hw_link *l, enum hw_link_end from, const struct hw_tlp *tlp,
                                 struct hw_link_report *rep)
{
        struct hw_link_report own;
        struct frame *f = malloc(sizeof(*f));

        if (!rep)
                rep = &own;
        if (!f) {
                memset(rep, 0, sizeof(*rep));
                rep->tx = HW_IDE_NO_ROOM;
                return done(rep, HW_LINK_TX_REFUSED);
        }
        enum hw_link_result r = link_send(l, from, tlp, rep, f); /* wipes the plaintext it made */
        free(f);
        return r;
}

enum hw_link_result hw_link_inject(struct hw_link *l, enum hw_link_end to, const uint8_t *wire, size_t len,
                                   struct hw_link_report *rep)
{
        struct hw_link_report own;
        struct frame *f;

        if (!rep)
                rep = &own;
        memset(rep, 0, sizeof(*rep));
        if (len > HW_TLP_MAX_WIRE || !(f = malloc(sizeof(*f)))) {
                rep->rx = HW_IDE_NO_ROOM;
                return done(rep, HW_LINK_RX_REFUSED);
        }
        if (len)
                memcpy(f->wire, wire, len);
        enum hw_link_result r = receive(l, to, f, len, rep);
        free(f);
        return r;
}
