/* virtio-net device model (see virtio_net_dev.h).  virtio 1.2 §5.1 */
#include "host/virtio_net_dev.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"

_Static_assert(VIRTIO_NET_DEV_CFG_SIZE == 10, "virtio 1.2 §5.1.4: mac[6], status, max_virtqueue_pairs");
_Static_assert(VIRTIO_NET_DEV_CFG_SIZE <= VIRTIO_PCI_REGION_SIZE, "config fits the transport's region");
_Static_assert(VIRTIO_NET_DEV_NUM_QUEUES <= VIRTIO_PCI_MAX_QUEUES, "queues fit the transport");

/* iovecs the header may need: at most one segment a byte, each split at most once. */
#define NET_HDR_MAX_IOV (2u * VIRTIO_NET_HDR_SIZE)

/* State of the two chains the device may hold between calls:
 *   receive:  NONE --pop of a usable chain--> HELD --frame delivered (pushed)--> NONE
 *   transmit: NONE --pop, checks pass, backend BUSY--> PENDING --taken or dropped (pushed)--> NONE
 * Both go back to NONE, unpushed, at reset. Invariant: a held chain passed its checks (it
 * is re-mapped at each use, never re-decoded). */
struct virtio_net_dev {
        struct virtio_pci_dev vp;    /* first: the transport hands this back */
        struct net_backend *backend; /* owned */
        uint8_t mac[6];
        struct virtio_net_dev_stats stats;
        bool rx_held;    /* rx_elem is a popped, checked receive chain */
        bool tx_pending; /* tx_elem is a popped, checked frame the backend refused */
        uint32_t tx_len; /* tx_elem's frame bytes (after the header) */
        struct vdq_elem rx_elem, tx_elem;
        struct iovec iov[VIRTIO_NET_DEV_MAX_IOV]; /* one frame, valid within one call */
};

#define NET_OF(vpd) ((struct virtio_net_dev *)(void *)(vpd))

/* ---- device configuration  virtio 1.2 §5.1.4 ---- */

static void config_image(const struct virtio_net_dev *d, uint8_t img[VIRTIO_NET_DEV_CFG_SIZE])
{
        memset(img, 0, VIRTIO_NET_DEV_CFG_SIZE);
        memcpy(img + VIRTIO_NET_CFG_MAC, d->mac, sizeof(d->mac));
        st_le16(img + VIRTIO_NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP);
        st_le16(img + VIRTIO_NET_CFG_MAX_VQ_PAIRS, 1);
}

/* The transport guarantees off + size <= VIRTIO_NET_DEV_CFG_SIZE. */
static bool net_cfg_read(struct virtio_pci_dev *vpd, uint32_t off, unsigned size, uint64_t *val)
{
        uint8_t img[VIRTIO_NET_DEV_CFG_SIZE];
        config_image(NET_OF(vpd), img);
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
                v |= (uint64_t)img[off + i] << (8 * i);
        *val = v;
        return true;
}

/* Every field is read-only: mac is writable only by legacy drivers (or with CTRL_MAC_ADDR,
 * not offered), status and max_virtqueue_pairs never. */
static bool net_cfg_write(struct virtio_pci_dev *vpd, uint32_t off, unsigned size, uint64_t val)
{
        (void)vpd, (void)off, (void)size, (void)val;
        return true;
}

/* ---- tracing: one line per chain given back ---- */

/* len is the frame's length without the header (0 for a drop). */
static void trace_frame(struct virtio_net_dev *d, unsigned q, uint16_t head, uint32_t len, const char *drop)
{
        if (!trace_on(d->vp.tr, VIRTIO_TRACE_COMPLETE))
                return;
        if (drop)
                trace_emit(d->vp.tr, VIRTIO_TRACE_COMPLETE, "dev=%s q=%u head=%u len=0 drop=%s",
                           virtio_pci_dev_name(&d->vp), q, head, drop);
        else
                trace_emit(d->vp.tr, VIRTIO_TRACE_COMPLETE, "dev=%s q=%u head=%u len=%u",
                           virtio_pci_dev_name(&d->vp), q, head, len);
}

/* Gives head back with used_len. False when the ring failed (DEVICE_NEEDS_RESET set). */
static bool give_back(struct virtio_net_dev *d, unsigned q, struct vdev_queue *vq, uint16_t head,
                      uint32_t used_len)
{
        if (vdq_push(vq, head, used_len) != CCADA_OK) {
                virtio_pci_dev_needs_reset(&d->vp, q, vdq_error_name(vq->error));
                return false;
        }
        return true;
}

/* ---- transmit  virtio 1.2 §5.1.6.2 ---- */

enum tx_outcome {
        TX_DONE, /* the chain was given back; go on */
        TX_BUSY, /* the backend refused it for now: held in tx_elem, stop reading the queue */
        TX_STOP, /* the device needs a reset */
};

/* The chain in tx_elem as a frame to send: its shape, then its header, read once. NULL when
 * it may be sent (tx_len set), else why it is dropped. */
static const char *tx_check(struct virtio_net_dev *d, struct vdev_queue *vq)
{
        const struct vdq_elem *e = &d->tx_elem;
        uint8_t b[VIRTIO_NET_HDR_SIZE];
        struct virtio_net_hdr h;
        if (e->in_len != 0)
                return "net_tx_writable_part";
        if (e->out_len < VIRTIO_NET_HDR_SIZE + VIRTIO_NET_ETH_HLEN)
                return "net_tx_short";
        if (e->out_len > VIRTIO_NET_HDR_SIZE + VIRTIO_NET_MAX_FRAME)
                return "net_tx_oversize";
        if (vdq_read_out(vq, e, 0, b, sizeof(b)) != CCADA_OK || !virtio_net_hdr_decode(b, sizeof(b), &h))
                return "net_tx_unreachable";
        /* No CSUM, HOST_TSO4/6, HOST_UFO offered: "the driver MUST set flags to zero" and
         * gso_type to NONE.  virtio 1.2 §5.1.6.2.1 */
        if (h.flags != 0)
                return "net_tx_csum_offload";
        if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE)
                return "net_tx_gso";
        d->tx_len = (uint32_t)(e->out_len - VIRTIO_NET_HDR_SIZE);
        return NULL;
}

/* Gives tx_elem back (used len 0: the device writes nothing) after a send or a drop. */
static enum tx_outcome tx_finish(struct virtio_net_dev *d, struct vdev_queue *vq, const char *drop)
{
        d->tx_pending = false;
        if (!give_back(d, VIRTIO_NET_DEV_TXQ, vq, d->tx_elem.head, 0))
                return TX_STOP;
        trace_frame(d, VIRTIO_NET_DEV_TXQ, d->tx_elem.head, d->tx_len, drop);
        return TX_DONE;
}

/* Offers the checked frame in tx_elem to the backend (mapped afresh: a held frame is
 * offered again after the guest ran). */
static enum tx_outcome tx_send(struct virtio_net_dev *d, struct vdev_queue *vq)
{
        unsigned n;
        if (vdq_map_out(vq, &d->tx_elem, VIRTIO_NET_HDR_SIZE, d->tx_len, d->iov, VIRTIO_NET_DEV_MAX_IOV,
                        &n) != CCADA_OK) {
                d->stats.tx_dropped_bad++;
                return tx_finish(d, vq, "net_tx_unreachable");
        }
        ccada_status s = d->backend->ops->tx(d->backend, d->iov, n);
        if (s == CCADA_E_BUSY) {
                d->stats.tx_busy_retries++;
                d->tx_pending = true;
                return TX_BUSY;
        }
        if (s != CCADA_OK) {
                d->stats.backend_errors++; /* lost, as on a wire */
                return tx_finish(d, vq, "net_tx_backend_error");
        }
        d->stats.tx_frames++;
        d->stats.tx_bytes += d->tx_len;
        return tx_finish(d, vq, NULL);
}

/* Serves the transmit queue: the held frame first, then at most one ring's worth of new
 * chains (so a call always ends), in order, until the backend is busy. */
static void tx_process(struct virtio_net_dev *d)
{
        struct vdev_queue *vq = virtio_pci_queue(&d->vp, VIRTIO_NET_DEV_TXQ);
        if (!vq)
                return;
        enum tx_outcome o = d->tx_pending ? tx_send(d, vq) : TX_DONE;
        for (uint32_t i = 0; o == TX_DONE && i < vq->qsz; i++) {
                ccada_status s = vdq_pop(vq, &d->tx_elem);
                if (s == CCADA_E_BUSY)
                        break;
                if (s != CCADA_OK) {
                        virtio_pci_dev_needs_reset(&d->vp, VIRTIO_NET_DEV_TXQ, vdq_error_name(vq->error));
                        return;
                }
                d->tx_len = 0;
                const char *drop = tx_check(d, vq);
                if (drop)
                        d->stats.tx_dropped_bad++;
                o = drop ? tx_finish(d, vq, drop) : tx_send(d, vq);
        }
        if (o != TX_STOP)
                virtio_pci_queue_done(&d->vp, VIRTIO_NET_DEV_TXQ);
}

/* ---- receive  virtio 1.2 §5.1.6.3, §5.1.6.4 ---- */

enum rx_outcome {
        RX_DELIVERED, /* a frame went into the held chain, which was given back */
        RX_NEXT,      /* the held chain was refused and given back: try the next one */
        RX_IDLE,      /* nothing more to deliver now (no frame, or a backend error) */
        RX_STOP,      /* the device needs a reset */
};

/* Why the chain in rx_elem cannot take a packet, or NULL. */
static const char *rx_check(const struct vdq_elem *e)
{
        if (e->out_len != 0)
                return "net_rx_readable_part";
        if (e->in_len < VIRTIO_NET_RX_BUF) /* no MRG_RXBUF: one chain per packet  §5.1.6.3.1 */
                return "net_rx_buffer_too_small";
        return NULL;
}

/* Gives the held chain back unused (len 0). */
static enum rx_outcome rx_refuse(struct virtio_net_dev *d, struct vdev_queue *vq, const char *why)
{
        d->rx_held = false;
        d->stats.rx_bad_buffers++;
        if (!give_back(d, VIRTIO_NET_DEV_RXQ, vq, d->rx_elem.head, 0))
                return RX_STOP;
        trace_frame(d, VIRTIO_NET_DEV_RXQ, d->rx_elem.head, 0, why);
        return RX_NEXT;
}

/* Makes sure a receive chain is held: the one already held, else the next one the driver
 * made available (refused ones are given back on the way). False when there is none (or
 * the device needs a reset). Ends: vdq_pop yields at most qsz chains before BUSY. */
static bool rx_hold(struct virtio_net_dev *d, struct vdev_queue *vq)
{
        while (!d->rx_held) {
                ccada_status s = vdq_pop(vq, &d->rx_elem);
                if (s == CCADA_E_BUSY)
                        return false;
                if (s != CCADA_OK) {
                        virtio_pci_dev_needs_reset(&d->vp, VIRTIO_NET_DEV_RXQ, vdq_error_name(vq->error));
                        return false;
                }
                d->rx_held = true;
                const char *why = rx_check(&d->rx_elem);
                if (why && rx_refuse(d, vq, why) == RX_STOP)
                        return false;
        }
        return true;
}

/* Completes the held chain with a frame of len bytes rx_poll wrote after the header. */
static enum rx_outcome rx_complete(struct virtio_net_dev *d, struct vdev_queue *vq, uint32_t len)
{
        struct virtio_net_hdr h = { .num_buffers = 1 }; /* no offloads; §5.1.6.4.1 */
        uint8_t b[VIRTIO_NET_HDR_SIZE];
        if (!virtio_net_hdr_encode(b, sizeof(b), &h) ||
            vdq_write_in(vq, &d->rx_elem, 0, b, sizeof(b)) != CCADA_OK)
                return rx_refuse(d, vq, "net_rx_header_unwritable"); /* the frame is lost */
        d->rx_held = false;
        if (!give_back(d, VIRTIO_NET_DEV_RXQ, vq, d->rx_elem.head, VIRTIO_NET_HDR_SIZE + len))
                return RX_STOP;
        d->stats.rx_frames++;
        d->stats.rx_bytes += len;
        trace_frame(d, VIRTIO_NET_DEV_RXQ, d->rx_elem.head, len, NULL);
        return RX_DELIVERED;
}

/* Asks the backend for one frame into the held chain (mapped afresh). *err is the backend's
 * failure, if any. */
static enum rx_outcome rx_one(struct virtio_net_dev *d, struct vdev_queue *vq, ccada_status *err)
{
        struct iovec hdr_iov[NET_HDR_MAX_IOV];
        unsigned nh, n;
        size_t len = 0;
        /* Both parts must be reachable before the backend gives up a frame for them. */
        if (vdq_map_in(vq, &d->rx_elem, 0, VIRTIO_NET_HDR_SIZE, hdr_iov, NET_HDR_MAX_IOV, &nh) != CCADA_OK ||
            vdq_map_in(vq, &d->rx_elem, VIRTIO_NET_HDR_SIZE, VIRTIO_NET_MAX_FRAME, d->iov,
                       VIRTIO_NET_DEV_MAX_IOV, &n) != CCADA_OK)
                return rx_refuse(d, vq, "net_rx_unreachable");
        ccada_status s = d->backend->ops->rx_poll(d->backend, d->iov, n, &len);
        if (s == CCADA_OK && len != 0 && (len < VIRTIO_NET_ETH_HLEN || len > VIRTIO_NET_MAX_FRAME))
                s = CCADA_E_IO; /* the backend broke its contract; the chain stays held */
        if (s != CCADA_OK) {
                d->stats.backend_errors++;
                *err = s;
                return RX_IDLE;
        }
        return len == 0 ? RX_IDLE : rx_complete(d, vq, (uint32_t)len);
}

/* Delivers every frame the backend has while receive chains last, without blocking, and
 * tells the driver. *delivered grows by the frames delivered. Returns the backend's error. */
static ccada_status rx_deliver(struct virtio_net_dev *d, unsigned *delivered)
{
        struct vdev_queue *vq = virtio_pci_queue(&d->vp, VIRTIO_NET_DEV_RXQ);
        ccada_status err = CCADA_OK;
        enum rx_outcome o = RX_NEXT;
        if (!vq)
                return CCADA_OK;
        /* Ends: each turn gives a chain back (at most qsz of them) or stops. */
        while ((o == RX_NEXT || o == RX_DELIVERED) && rx_hold(d, vq)) {
                o = rx_one(d, vq, &err);
                if (o == RX_DELIVERED)
                        (*delivered)++;
        }
        if (o != RX_STOP)
                virtio_pci_queue_done(&d->vp, VIRTIO_NET_DEV_RXQ);
        return err;
}

/* ---- the transport's callbacks ---- */

/* The driver notified q: queue 1 has frames to send, queue 0 has new receive chains. */
static void net_queue_notify(struct virtio_pci_dev *vpd, unsigned q)
{
        struct virtio_net_dev *d = NET_OF(vpd);
        unsigned delivered = 0;
        if (q == VIRTIO_NET_DEV_TXQ) {
                tx_process(d);
        } else if (q == VIRTIO_NET_DEV_RXQ) {
                /* A backend failure is counted; the next poll or notification tries again. */
                (void)rx_deliver(d, &delivered);
        }
}

/* The rings are gone: forget the chains taken from them, unused. */
static void net_reset(struct virtio_pci_dev *vpd)
{
        struct virtio_net_dev *d = NET_OF(vpd);
        d->rx_held = false;
        d->tx_pending = false;
        d->tx_len = 0;
}

static const struct virtio_pci_ops net_ops = {
        .cfg_read = net_cfg_read,
        .cfg_write = net_cfg_write,
        .queue_notify = net_queue_notify,
        .reset = net_reset,
};

/* ---- the machine's entry point ---- */

/* The backend's wait op for timeout_ms; *ready false when it has none or it failed. */
static ccada_status backend_wait(struct virtio_net_dev *d, int timeout_ms, bool *ready)
{
        *ready = false;
        if (!d->backend->ops->wait)
                return CCADA_OK;
        ccada_status s = d->backend->ops->wait(d->backend, timeout_ms, ready);
        if (s != CCADA_OK) {
                d->stats.backend_errors++;
                *ready = false;
        }
        return s;
}

/* Whether the receive queue is live and the device holds no chain: the driver has posted
 * none that a frame could go into. */
static bool rx_starved(struct virtio_net_dev *d)
{
        return !d->rx_held && virtio_pci_queue(&d->vp, VIRTIO_NET_DEV_RXQ) != NULL;
}

ccada_status virtio_net_dev_poll(struct virtio_net_dev *d, int timeout_ms, unsigned *delivered)
{
        unsigned n = 0;
        bool ready;
        if (delivered)
                *delivered = 0;
        if (!d)
                return CCADA_E_INVAL;
        if (d->tx_pending)
                tx_process(d);
        ccada_status s = rx_deliver(d, &n);
        /* Block only when a frame could be delivered at once: a chain is held. */
        if (s == CCADA_OK && n == 0 && timeout_ms > 0 && d->rx_held &&
            virtio_pci_queue(&d->vp, VIRTIO_NET_DEV_RXQ) && d->backend->ops->wait) {
                s = backend_wait(d, timeout_ms, &ready);
                if (s == CCADA_OK)
                        s = rx_deliver(d, &n); /* whatever ready says: rx_poll is the authority */
        }
        /* Out of receive chains: does a frame wait for one? (Asked here only, where the
         * guest waits, so a notification never calls the backend's wait.) */
        if (s == CCADA_OK && rx_starved(d)) {
                s = backend_wait(d, 0, &ready);
                if (ready)
                        d->stats.rx_no_buffer++;
        }
        if (delivered)
                *delivered = n;
        return s;
}

/* ---- life cycle ---- */

static bool backend_ok(const struct net_backend *b)
{
        return b->ops && b->ops->tx && b->ops->rx_poll && b->ops->close;
}

static ccada_status net_create(struct virtio_net_dev **out, const struct virtio_net_dev_config *cfg)
{
        static const uint8_t zero[6], default_mac[6] = { VIRTIO_NET_DEV_DEFAULT_MAC };
        struct virtio_net_dev *d = calloc(1, sizeof(*d));
        if (!d)
                return CCADA_E_NOMEM;
        memcpy(d->mac, memcmp(cfg->mac, zero, sizeof(zero)) ? cfg->mac : default_mac, sizeof(d->mac));
        struct virtio_pci_config vc = {
                .device_id = VIRTIO_ID_NET,
                .class_code = VIRTIO_NET_DEV_CLASS,
                .features = VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS),
                .num_queues = VIRTIO_NET_DEV_NUM_QUEUES,
                .queue_size_max = cfg->queue_size ? cfg->queue_size : VIRTIO_NET_DEV_QUEUE_SIZE,
                .cfg_size = VIRTIO_NET_DEV_CFG_SIZE,
                .ops = &net_ops,
                .vm = cfg->vm,
                .trace = cfg->trace,
                .interrupt = cfg->interrupt,
        };
        ccada_status s = virtio_pci_dev_init(&d->vp, &vc);
        if (s != CCADA_OK) {
                free(d);
                return s;
        }
        *out = d;
        return CCADA_OK;
}

ccada_status virtio_net_dev_open(struct virtio_net_dev **out, const struct virtio_net_dev_config *cfg,
                                 struct net_backend *b)
{
        struct virtio_net_dev *d = NULL;
        ccada_status s = CCADA_E_INVAL;
        if (!b)
                return CCADA_E_INVAL;
        if (!b->ops || !b->ops->close)
                return CCADA_E_INVAL; /* nothing we could close it with */
        if (out && cfg && cfg->vm && backend_ok(b))
                s = net_create(&d, cfg);
        if (s != CCADA_OK) {
                b->ops->close(b);
                return s;
        }
        d->backend = b;
        *out = d;
        return CCADA_OK;
}

void virtio_net_dev_close(struct virtio_net_dev *d)
{
        if (!d)
                return;
        d->backend->ops->close(d->backend);
        free(d);
}

struct virtio_pci_dev *virtio_net_dev_pci(struct virtio_net_dev *d) { return &d->vp; }

struct host_pci_func *virtio_net_dev_func(struct virtio_net_dev *d) { return virtio_pci_dev_func(&d->vp); }

void virtio_net_dev_get_stats(const struct virtio_net_dev *d, struct virtio_net_dev_stats *st)
{
        *st = d->stats;
}

struct net_backend *virtio_net_dev_backend(struct virtio_net_dev *d) { return d->backend; }
