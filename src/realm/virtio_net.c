/* The Realm guest's virtio-net driver (see virtio_net.h for the data path and the device
 * state machine).  virtio 1.2 §5.1 */
#include "realm/virtio_net.h"

#include <stdio.h>
#include <string.h>

#include "proto/virtio.h"
#include "proto/virtio_net.h"
#include "realm/boot.h"
#include "realm/dma.h"
#include "realm/kernel.h"
#include "realm/sync.h"
#include "realm/virtio_pci.h"
#include "realm/virtqueue.h"
#include "lib/container.h"

_Static_assert(VIRTIO_NET_RX_BUF <= VIRTIO_NET_BUF_BYTES, "a buffer holds the header and the largest frame");
_Static_assert(RK_PAGE_SIZE % VIRTIO_NET_BUF_BYTES == 0, "buffers never straddle a page");

/* Features the driver can use (VERSION_1 and ACCESS_PLATFORM come with the transport). */
#define NET_WANTED_FEATURES \
        (VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX))

#define RXQ 0u
#define TXQ 1u
/* No MAC offered: a fixed locally administered one (Linux: eth_hw_addr_random). */
static const uint8_t fallback_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

struct net_buf {
        uint64_t ipa;                   /* VIRTIO_NET_BUF_BYTES in Realm RAM */
        uint64_t dma;                   /* its mapping while posted */
        uint32_t mapped;                /* the mapping's length (what unmap must name) */
        bool posted;
};

struct virtio_net {
        struct pci_driver drv;          /* bound to pdev while n lives */
        struct realm_kernel *k;
        struct pci_device *pdev;
        struct virtio_pci_dev vp;
        struct virtqueue *rxq, *txq;
        uint64_t features;
        uint8_t mac[6];
        bool link_up, broken;
        unsigned nrx, ntx;
        struct net_buf rx[VIRTIO_NET_RX_BUFS];
        struct net_buf tx[VIRTIO_NET_TX_BUFS];
        uint64_t rx_area, tx_area;      /* private pages holding the buffers */
        size_t rx_pages, tx_pages;
        struct virtio_net_stats stats;
};

static void best_effort(ccada_status st) { (void)st; }

/* ---- breaking the device ---- */

static void unmap_buf(struct virtio_net *n, struct net_buf *b, enum dma_data_direction dir, bool sync)
{
        if (!b->posted)
                return;
        if (dma_unmap_single(&n->vp.dma, b->dma, b->mapped, dir, sync ? 0 : DMA_ATTR_SKIP_CPU_SYNC) != CCADA_OK)
                rk_printk(n->k, "virtio_net %s: unmap failed", n->vp.name);
        b->posted = false;
}

/* Resets the device so it stops using our buffers, takes every buffer back and unmaps it
 * without copy-back. */
static void take_all_back(struct virtio_net *n)
{
        uint64_t token;

        best_effort(virtio_pci_reset(&n->vp));
        while (n->rxq && vq_detach_unused(n->rxq, &token))
                ;
        while (n->txq && vq_detach_unused(n->txq, &token))
                ;
        for (unsigned i = 0; i < n->nrx; i++)
                unmap_buf(n, &n->rx[i], DMA_FROM_DEVICE, false);
        for (unsigned i = 0; i < n->ntx; i++)
                unmap_buf(n, &n->tx[i], DMA_TO_DEVICE, false);
        n->stats.rx_posted = 0;
}

/* Enters BROKEN (sticky). */
static ccada_status net_break(struct virtio_net *n, const char *why)
{
        if (!n->broken)
                rk_printk(n->k, "virtio_net %s: %s; device marked broken", n->vp.name, why);
        n->broken = true;
        take_all_back(n);
        return CCADA_E_BROKEN;
}

static ccada_status kick(struct virtio_net *n, struct virtqueue *vq, unsigned index)
{
        bool notify = false;
        if (vq_kick_prepare(vq, &notify) != CCADA_OK)
                return net_break(n, "queue broken");
        if (!notify)
                return CCADA_OK;
        n->stats.notifies++;
        if (virtio_pci_notify(&n->vp, index) != CCADA_OK)
                return net_break(n, "notify register faulted");
        return CCADA_OK;
}

/* ---- receive ---- */

/* add_recvbuf_small: maps receive buffer i FROM_DEVICE and posts it (no kick). */
static ccada_status post_rx(struct virtio_net *n, unsigned i)
{
        struct net_buf *b = &n->rx[i];
        ccada_status st = dma_map_single(&n->vp.dma, b->ipa, VIRTIO_NET_RX_BUF, DMA_FROM_DEVICE, 0, &b->dma);
        if (st != CCADA_OK)
                return st;
        b->posted = true;
        b->mapped = VIRTIO_NET_RX_BUF;
        struct vq_buf vb = { b->dma, VIRTIO_NET_RX_BUF };
        st = vq_add(n->rxq, &vb, 0, 1, (uint64_t)i + 1);
        if (st != CCADA_OK) {
                unmap_buf(n, b, DMA_FROM_DEVICE, false);
                return st;
        }
        n->stats.rx_posted++;
        return CCADA_OK;
}

/* try_fill_recv: posts every receive buffer that is not with the device, then kicks. A
 * buffer that cannot be mapped now (no bounce slot) is tried again at the next refill. */
static ccada_status refill(struct virtio_net *n)
{
        ccada_status st = CCADA_OK;
        for (unsigned i = 0; i < n->nrx && st == CCADA_OK; i++)
                if (!n->rx[i].posted)
                        st = post_rx(n, i);
        bool ring_broken = vq_is_broken(n->rxq);
        if (!ring_broken)
                st = kick(n, n->rxq, RXQ);
        if (ring_broken)
                return net_break(n, "queue broken");
        return st;
}

/* Takes the next completed receive buffer back (unmapped: its bytes are in private memory
 * now). CCADA_E_BUSY: none. */
static ccada_status take_rx(struct virtio_net *n, unsigned *index, uint32_t *len)
{
        uint64_t token;
        ccada_status st = vq_get_used(n->rxq, &token, len);
        if (st == CCADA_OK && (token == 0 || token > n->nrx || !n->rx[token - 1].posted))
                st = CCADA_E_PEER; /* the queue checks ids; this is our own bookkeeping */
        if (st == CCADA_OK) {
                *index = (unsigned)(token - 1);
                unmap_buf(n, &n->rx[*index], DMA_FROM_DEVICE, true);
                n->stats.rx_posted--;
        }
        if (st == CCADA_E_BUSY)
                return st;
        if (st != CCADA_OK)
                return net_break(n, "queue broken");
        return CCADA_OK;
}

/* Checks buffer i's packet of len bytes (header included) from its private copy and copies
 * the frame out. False: dropped and counted. */
static bool pass_up(struct virtio_net *n, unsigned i, uint32_t len, void *dst, size_t cap, size_t *out)
{
        uint8_t raw[VIRTIO_NET_HDR_SIZE];
        struct virtio_net_hdr h;
        char why[96];

        if (len < VIRTIO_NET_HDR_SIZE + VIRTIO_NET_ETH_HLEN || len > VIRTIO_NET_RX_BUF) {
                n->stats.rx_length_errors++;
                return false;
        }
        if (rk_read(n->k, n->rx[i].ipa, raw, sizeof(raw)) != CCADA_OK || !virtio_net_hdr_decode(raw, sizeof(raw), &h) ||
            !virtio_net_rx_hdr_ok(&h, n->features, len, why)) {
                n->stats.rx_dropped++;
                return false;
        }
        size_t flen = len - VIRTIO_NET_HDR_SIZE;
        if (flen > cap || rk_read(n->k, n->rx[i].ipa + VIRTIO_NET_HDR_SIZE, dst, flen) != CCADA_OK) {
                n->stats.rx_dropped++;
                return false;
        }
        n->stats.rx_copy_bytes += flen;
        n->stats.rx_packets++;
        n->stats.rx_bytes += flen;
        *out = flen;
        return true;
}

/* ---- transmit ---- */

/* free_old_xmit: takes back every buffer the device has sent. */
static ccada_status reclaim_tx(struct virtio_net *n)
{
        for (;;) {
                uint64_t token;
                uint32_t len;
                ccada_status st = vq_get_used(n->txq, &token, &len);
                if (st == CCADA_OK && (token == 0 || token > n->ntx || !n->tx[token - 1].posted))
                        st = CCADA_E_PEER;
                if (st == CCADA_OK) /* the used length of a transmit buffer means nothing */
                        unmap_buf(n, &n->tx[token - 1], DMA_TO_DEVICE, false);
                if (st == CCADA_E_BUSY)
                        return CCADA_OK;
                if (st != CCADA_OK)
                        return net_break(n, "queue broken");
        }
}

static struct net_buf *free_tx(struct virtio_net *n, unsigned *index)
{
        for (unsigned i = 0; i < n->ntx; i++) {
                if (!n->tx[i].posted) {
                        *index = i;
                        return &n->tx[i];
                }
        }
        return NULL;
}

/* Maps header + frame (one mapping, the header pushed into the headroom) and posts it, in
 * the context Linux's transmit path has: BH off, the qdisc's and the queue's locks. */
static ccada_status post_tx(struct virtio_net *n, struct net_buf *b, unsigned i, size_t len)
{
        struct rk_cpu_ctx saved, tx;
        rk_cpu_ctx_get(n->k, &saved);
        tx = saved;
        tx.bh_off = true;
        tx.preempt += 2;
        rk_cpu_ctx_set(n->k, &tx);
        size_t total = VIRTIO_NET_HDR_SIZE + len;
        ccada_status st = dma_map_single(&n->vp.dma, b->ipa, total, DMA_TO_DEVICE, 0, &b->dma);
        if (st == CCADA_OK) {
                b->posted = true;
                b->mapped = (uint32_t)total;
                struct vq_buf vb = { b->dma, (uint32_t)total };
                st = vq_add(n->txq, &vb, 1, 0, (uint64_t)i + 1);
                if (st != CCADA_OK)
                        unmap_buf(n, b, DMA_TO_DEVICE, false);
        }
        if (st == CCADA_OK)
                st = kick(n, n->txq, TXQ);
        rk_cpu_ctx_set(n->k, &saved);
        return st;
}

ccada_status virtio_net_xmit(struct virtio_net *n, const void *frame, size_t len)
{
        uint8_t raw[VIRTIO_NET_HDR_SIZE];
        struct virtio_net_hdr h;
        unsigned i = 0;

        if (!n || !frame || len < VIRTIO_NET_ETH_HLEN || len > VIRTIO_NET_MAX_FRAME)
                return CCADA_E_INVAL;
        if (n->broken)
                return CCADA_E_BROKEN;
        ccada_status st = reclaim_tx(n);
        if (st != CCADA_OK)
                return st;
        struct net_buf *b = free_tx(n, &i);
        if (!b) {
                n->stats.tx_dropped++;
                return CCADA_E_NOSPC;
        }
        virtio_net_tx_hdr_plain(&h);
        if (!virtio_net_hdr_encode(raw, sizeof(raw), &h))
                return CCADA_E_INVAL;
        st = rk_write(n->k, b->ipa + VIRTIO_NET_HDR_SIZE, frame, len);
        if (st == CCADA_OK)
                st = rk_write(n->k, b->ipa, raw, sizeof(raw));
        if (st != CCADA_OK)
                return st;
        n->stats.tx_copy_bytes += len;
        st = post_tx(n, b, i, len);
        if (st != CCADA_OK && !n->broken && vq_is_broken(n->txq))
                return net_break(n, "queue broken"); /* a ring fault while adding */
        if (st == CCADA_E_BROKEN || n->broken)
                return CCADA_E_BROKEN;
        if (st != CCADA_OK) {
                n->stats.tx_dropped++;
                return CCADA_E_NOSPC;
        }
        n->stats.tx_packets++;
        n->stats.tx_bytes += len;
        return CCADA_OK;
}

ccada_status virtio_net_receive(struct virtio_net *n, void *dst, size_t cap, size_t *len)
{
        if (!n || !dst || !len)
                return CCADA_E_INVAL;
        *len = 0;
        if (n->broken)
                return CCADA_E_BROKEN;
        ccada_status st = reclaim_tx(n);
        bool got = false;
        while (st == CCADA_OK && !got) {
                unsigned i;
                uint32_t ulen;
                if ((st = take_rx(n, &i, &ulen)) != CCADA_OK)
                        break;
                got = pass_up(n, i, ulen, dst, cap, len);
                st = refill(n);
        }
        if (st == CCADA_E_BUSY && !got && n->stats.rx_posted < n->nrx)
                best_effort(refill(n)); /* buffers a full bounce pool kept back */
        if (got && st == CCADA_OK)
                return CCADA_OK;
        return n->broken ? CCADA_E_BROKEN : st;
}

/* ---- probe ---- */

static ccada_status read_config(struct virtio_net *n)
{
        struct virtio_cfg_field f[7];
        unsigned nf = 0;
        bool has_mac = (n->features & VIRTIO_BIT(VIRTIO_NET_F_MAC)) != 0;
        bool has_status = (n->features & VIRTIO_BIT(VIRTIO_NET_F_STATUS)) != 0;

        for (unsigned i = 0; has_mac && i < 6; i++)
                f[nf++] = (struct virtio_cfg_field){ (uint16_t)(VIRTIO_NET_CFG_MAC + i), 1, 0 };
        if (has_status)
                f[nf++] = (struct virtio_cfg_field){ VIRTIO_NET_CFG_STATUS, 2, 0 };
        memcpy(n->mac, fallback_mac, sizeof(n->mac));
        n->link_up = true; /* without STATUS the link is assumed up.  virtio 1.2 §5.1.4.2 */
        if (nf == 0)
                return CCADA_OK;
        ccada_status st = virtio_pci_config_read(&n->vp, f, nf);
        if (st == CCADA_E_UNSUPPORTED || st == CCADA_E_RANGE) {
                rk_printk(n->k, "virtio_net %s: device configuration is missing or too short", n->vp.name);
                return CCADA_E_PEER;
        }
        if (st != CCADA_OK)
                return st;
        if (has_mac) {
                uint8_t mac[6], or_all = 0;
                for (unsigned i = 0; i < 6; i++)
                        or_all |= mac[i] = (uint8_t)f[i].val;
                if ((mac[0] & 1u) || or_all == 0) { /* is_valid_ether_addr */
                        rk_printk(n->k, "virtio_net %s: invalid MAC %02x:%02x:%02x:%02x:%02x:%02x", n->vp.name,
                                  mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
                        return CCADA_E_PEER;
                }
                memcpy(n->mac, mac, sizeof(mac));
        }
        if (has_status)
                n->link_up = (f[nf - 1].val & VIRTIO_NET_S_LINK_UP) != 0;
        return CCADA_OK;
}

static void net_release(struct virtio_net *n)
{
        virtio_pci_destroy(&n->vp);
        if (n->rx_pages)
                rk_free_pages(n->k, n->rx_area, n->rx_pages);
        if (n->tx_pages)
                rk_free_pages(n->k, n->tx_area, n->tx_pages);
        n->rx_pages = n->tx_pages = 0;
        n->nrx = n->ntx = 0;
        n->rxq = n->txq = NULL;
}

static ccada_status alloc_bufs(struct virtio_net *n)
{
        unsigned per_page = RK_PAGE_SIZE / VIRTIO_NET_BUF_BYTES;
        unsigned nrx = n->rxq->qsz < VIRTIO_NET_RX_BUFS ? n->rxq->qsz : VIRTIO_NET_RX_BUFS;
        unsigned ntx = n->txq->qsz < VIRTIO_NET_TX_BUFS ? n->txq->qsz : VIRTIO_NET_TX_BUFS;
        size_t rxp = (nrx + per_page - 1) / per_page, txp = (ntx + per_page - 1) / per_page;
        ccada_status st = rk_alloc_pages(n->k, rxp, &n->rx_area);
        if (st != CCADA_OK)
                return st;
        n->rx_pages = rxp;
        if ((st = rk_alloc_pages(n->k, txp, &n->tx_area)) != CCADA_OK)
                return st;
        n->tx_pages = txp;
        n->nrx = nrx;
        n->ntx = ntx;
        for (unsigned i = 0; i < nrx; i++)
                n->rx[i] = (struct net_buf){ .ipa = n->rx_area + (uint64_t)i * VIRTIO_NET_BUF_BYTES };
        for (unsigned i = 0; i < ntx; i++)
                n->tx[i] = (struct net_buf){ .ipa = n->tx_area + (uint64_t)i * VIRTIO_NET_BUF_BYTES };
        return CCADA_OK;
}

static ccada_status net_setup(struct virtio_net *n, struct pci_device *pdev)
{
        n->pdev = pdev;
        ccada_status st = virtio_pci_probe(&n->vp, n->k, pdev, "virtio_net", rk_default_swiotlb(n->k));
        if (st == CCADA_OK)
                st = virtio_pci_negotiate(&n->vp, NET_WANTED_FEATURES, &n->features);
        if (st == CCADA_OK)
                st = read_config(n);
        if (st == CCADA_OK)
                st = virtio_pci_setup_queue(&n->vp, RXQ, VIRTIO_NET_QUEUE_SIZE, "input.0", &n->rxq);
        if (st == CCADA_OK)
                st = virtio_pci_setup_queue(&n->vp, TXQ, VIRTIO_NET_QUEUE_SIZE, "output.0", &n->txq);
        if (st == CCADA_OK)
                st = alloc_bufs(n);
        if (st == CCADA_OK)
                st = virtio_pci_driver_ok(&n->vp);
        if (st == CCADA_OK) /* virtnet_open: the receive ring filled */
                st = refill(n);
        if (st != CCADA_OK)
                return st;
        rk_printk(n->k, "virtio_net %s: eth0: MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s", n->vp.name, n->mac[0],
                  n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5], n->link_up ? "up" : "down");
        return CCADA_OK;
}

static ccada_status net_pci_probe(struct pci_device *dev)
{
        const char *drv = (const char *)dev->driver;
        struct virtio_net *n = container_of(drv, struct virtio_net, drv);
        ccada_status st = net_setup(n, dev);

        if (st != CCADA_OK)
                net_release(n);
        return st;
}

static ccada_status net_probe(struct realm_kernel *k, struct pci_device *pdev, struct virtio_net **out)
{
        struct virtio_net *n = rk_zalloc(k, 1, sizeof(*n));
        if (!n)
                return CCADA_E_NOMEM;
        n->k = k;
        n->drv = (struct pci_driver){ .name = "virtio_net", .vendor = VIRTIO_PCI_VENDOR_ID,
                                      .device = virtio_pci_modern_device_id(VIRTIO_ID_NET),
                                      .probe = net_pci_probe };
        ccada_status st = pci_bind_driver(pdev, &n->drv);
        if (st != CCADA_OK) {
                rk_kfree(k, n);
                return st;
        }
        *out = n;
        return CCADA_OK;
}

ccada_status virtio_net_probe_first(struct realm_kernel *k, struct pci_root *root, struct virtio_net **out)
{
        uint16_t device = virtio_pci_modern_device_id(VIRTIO_ID_NET);
        ccada_status st = CCADA_OK, last = CCADA_E_UNSUPPORTED;

        if (!k || !root || !out)
                return CCADA_E_INVAL;
        if (!root->k)
                st = pci_root_init(root, k);
        if (st == CCADA_OK && !root->enumerated)
                st = pci_enumerate(root);
        if (st != CCADA_OK)
                return st;
        for (unsigned i = 0; i < root->ndevs && i < PCI_ROOT_MAX_DEVICES; i++) {
                struct pci_device *d = &root->devs[i];
                if (d->driver || d->vendor != VIRTIO_PCI_VENDOR_ID || d->device != device)
                        continue;
                if ((last = net_probe(k, d, out)) == CCADA_OK)
                        return CCADA_OK;
        }
        if (last == CCADA_E_UNSUPPORTED)
                rk_printk(k, "virtio_net: no usable virtio-net device");
        return last;
}

void virtio_net_destroy(struct virtio_net *n)
{
        if (!n)
                return;
        take_all_back(n);
        pci_unbind_driver(n->pdev);
        net_release(n);
        rk_kfree(n->k, n);
}

/* ---- accessors ---- */

void virtio_net_mac(const struct virtio_net *n, uint8_t mac[6])
{
        memcpy(mac, n ? n->mac : fallback_mac, 6);
}

bool virtio_net_link_up(const struct virtio_net *n) { return n && n->link_up && !n->broken; }
bool virtio_net_is_broken(const struct virtio_net *n) { return n && n->broken; }
const char *virtio_net_name(const struct virtio_net *n) { return n && n->pdev ? n->pdev->name : "?"; }
uint64_t virtio_net_features(const struct virtio_net *n) { return n ? n->features : 0; }

void virtio_net_get_stats(const struct virtio_net *n, struct virtio_net_stats *st)
{
        if (st)
                *st = n ? n->stats : (struct virtio_net_stats){ 0 };
}
