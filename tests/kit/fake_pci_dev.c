/* Test-only PCI bus and virtio-blk / virtio-net device: see fake_pci_dev.h. */
#include "fake_pci_dev.h"

#include <stdlib.h>
#include <string.h>

#include "fake_pci_kernel.h"
#include "host/guest_mem.h"
#include "proto/pci.h"
#include "proto/virtio.h"
#include "proto/virtio_blk.h"
#include "proto/virtio_net.h"

/* ---- host view of guest memory for virtqueue_dev.c ---- */

ccada_status host_gpa_read(struct host_vm *vm, uint64_t gpa, void *dst, size_t len)
{
        return fake_host_read(vm->k, gpa, dst, len);
}

ccada_status host_gpa_write(struct host_vm *vm, uint64_t gpa, const void *src, size_t len)
{
        return fake_host_write(vm->k, gpa, src, len);
}

void fdev_cfg_put(uint8_t *img, unsigned off, unsigned size, uint64_t v)
{
        for (unsigned i = 0; i < size; i++)
                img[off + i] = (uint8_t)(v >> (8 * i));
}

uint64_t fdev_cfg_get(const uint8_t *img, unsigned off, unsigned size)
{
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
                v |= (uint64_t)img[off + i] << (8 * i);
        return v;
}

/* ---- configuration space ---- */

static struct fdev_fn *fn_at(struct fdev *d, uint64_t off)
{
        unsigned dev = (unsigned)(off >> 15) & 31, fn = (unsigned)(off >> 12) & 7;
        for (unsigned i = 0; i < FDEV_MAX_FNS; i++)
                if (d->fns[i].present && d->fns[i].dev == dev && d->fns[i].fn == fn)
                        return &d->fns[i];
        return NULL;
}

static bool bar_reg(unsigned reg, unsigned *i)
{
        if (reg < PCI_BASE_ADDRESS_0 || reg >= PCI_BASE_ADDRESS_0 + 24 || reg % 4)
                return false;
        *i = (reg - PCI_BASE_ADDRESS_0) / 4;
        return true;
}

static uint64_t cfg_read(struct fdev_fn *f, unsigned reg, unsigned size)
{
        unsigned i;
        if (!f)
                return ((uint64_t)1 << (8 * size)) - 1; /* no function: all ones */
        if (reg >= 256)
                return 0;
        if (size == 4 && bar_reg(reg, &i))
                return f->probing[i] ? f->sizing[i] : f->bar[i];
        return fdev_cfg_get(f->cfg, reg, size);
}

static void cfg_write(struct fdev_fn *f, unsigned reg, unsigned size, uint64_t v)
{
        unsigned i;
        if (!f || reg >= 256)
                return;
        if (size == 4 && bar_reg(reg, &i)) {
                f->probing[i] = (uint32_t)v == 0xFFFFFFFFu;
                if (!f->probing[i]) {
                        /* the type bits of a BAR's low register are read-only */
                        uint32_t ro = f->upper[i] ? 0 : f->bar[i] & 0xFu;
                        f->bar[i] = ((uint32_t)v & (f->upper[i] ? ~0u : ~0xFu)) | ro;
                        f->bar_writes++;
                }
                return;
        }
        if (reg == PCI_COMMAND && size == 2)
                fdev_cfg_put(f->cfg, reg, 2, v);
}

/* ---- virtio common configuration.  virtio 1.2 §4.1.4.3 ---- */

static uint16_t queue_size_of(const struct fdev *d, unsigned i)
{
        return d->queue_size_of[i] ? d->queue_size_of[i] : d->queue_size;
}

/* The queue queue_select names, NULL beyond the ones modelled. */
static struct fdev_queue *selected(struct fdev *d)
{
        return d->qsel < FDEV_MAX_QUEUES ? &d->q[d->qsel] : NULL;
}

static void device_reset(struct fdev *d)
{
        d->status = 0;
        d->driver_features = 0;
        d->dfsel = d->gfsel = 0;
        d->qsel = 0;
        for (unsigned i = 0; i < FDEV_MAX_QUEUES; i++)
                d->q[i] = (struct fdev_queue){ .qsize = queue_size_of(d, i) };
        if (d->rx_held) /* the rings are gone, and the buffers with them */
                memset(d->rx_held, 0, FDEV_NET_MAX_QSZ * sizeof(*d->rx_held));
}

static unsigned common_width(unsigned off)
{
        if (off < 0x10 || (off >= 0x20 && off < 0x38))
                return 4;
        if (off == VIRTIO_PCI_COMMON_STATUS || off == VIRTIO_PCI_COMMON_CFGGENERATION)
                return 1;
        return 2;
}

static uint64_t common_read(struct fdev *d, unsigned off)
{
        switch (off) {
        case VIRTIO_PCI_COMMON_DFSELECT: return d->dfsel;
        case VIRTIO_PCI_COMMON_DF: return d->dfsel < 2 ? (uint32_t)(d->features >> (32 * d->dfsel)) : 0;
        case VIRTIO_PCI_COMMON_GFSELECT: return d->gfsel;
        case VIRTIO_PCI_COMMON_GF: return d->gfsel < 2 ? (uint32_t)(d->driver_features >> (32 * d->gfsel)) : 0;
        case VIRTIO_PCI_COMMON_MSIX: return VIRTIO_MSI_NO_VECTOR;
        case VIRTIO_PCI_COMMON_NUMQ: return d->num_queues;
        case VIRTIO_PCI_COMMON_STATUS: return d->status;
        case VIRTIO_PCI_COMMON_CFGGENERATION: return d->unstable_generation ? d->generation++ : d->generation;
        case VIRTIO_PCI_COMMON_Q_SELECT: return d->qsel;
        case VIRTIO_PCI_COMMON_Q_SIZE: /* 0: no such queue */
                return d->qsel < d->num_queues && selected(d) ? selected(d)->qsize : 0;
        case VIRTIO_PCI_COMMON_Q_MSIX: return VIRTIO_MSI_NO_VECTOR;
        case VIRTIO_PCI_COMMON_Q_ENABLE: return selected(d) ? selected(d)->qenable : 0;
        case VIRTIO_PCI_COMMON_Q_NOFF: return d->notify_off;
        default: return 0;
        }
}

static void enable_queue(struct fdev *d, struct fdev_queue *q)
{
        bool ind = (d->driver_features >> VIRTIO_F_INDIRECT_DESC) & 1, ev = (d->driver_features >> VIRTIO_F_EVENT_IDX) & 1;
        if (vdq_init(&q->dq, &d->vm, q->qsize, q->qdesc, q->qavail, q->qused, ind, ev) != CCADA_OK) {
                d->bad_access++;
                return;
        }
        q->qenable = 1;
        q->dq_ready = true;
}

static void set_u64_half(uint64_t *r, unsigned off, unsigned base, uint64_t v)
{
        if (off == base)
                *r = (*r & ~0xFFFFFFFFull) | (uint32_t)v;
        else
                *r = (*r & 0xFFFFFFFFull) | (uint64_t)(uint32_t)v << 32;
}

/* The per-queue registers of the selected queue.  virtio 1.2 §4.1.4.3 */
static void queue_write(struct fdev *d, unsigned off, uint64_t v)
{
        struct fdev_queue *q = selected(d);
        if (!q) {
                d->bad_access++;
                return;
        }
        switch (off) {
        case VIRTIO_PCI_COMMON_Q_SIZE: q->qsize = (uint16_t)v; break;
        case VIRTIO_PCI_COMMON_Q_ENABLE: if (v == 1) enable_queue(d, q); break;
        case VIRTIO_PCI_COMMON_Q_DESCLO: case VIRTIO_PCI_COMMON_Q_DESCHI:
                set_u64_half(&q->qdesc, off, VIRTIO_PCI_COMMON_Q_DESCLO, v); break;
        case VIRTIO_PCI_COMMON_Q_AVAILLO: case VIRTIO_PCI_COMMON_Q_AVAILHI:
                set_u64_half(&q->qavail, off, VIRTIO_PCI_COMMON_Q_AVAILLO, v); break;
        case VIRTIO_PCI_COMMON_Q_USEDLO: case VIRTIO_PCI_COMMON_Q_USEDHI:
                set_u64_half(&q->qused, off, VIRTIO_PCI_COMMON_Q_USEDLO, v); break;
        default: d->bad_access++; break;
        }
}

static void common_write(struct fdev *d, unsigned off, uint64_t v)
{
        switch (off) {
        case VIRTIO_PCI_COMMON_DFSELECT: d->dfsel = (uint32_t)v; break;
        case VIRTIO_PCI_COMMON_GFSELECT: d->gfsel = (uint32_t)v; break;
        case VIRTIO_PCI_COMMON_GF:
                if (d->gfsel < 2)
                        set_u64_half(&d->driver_features, d->gfsel ? 4 : 0, 0, v);
                break;
        case VIRTIO_PCI_COMMON_STATUS:
                if (d->nstatus_writes < sizeof(d->status_writes))
                        d->status_writes[d->nstatus_writes++] = (uint8_t)v;
                if (v == 0 && !d->never_reset)
                        device_reset(d);
                else if (v != 0)
                        d->status = (uint8_t)(d->clear_features_ok ? v & ~VIRTIO_STATUS_FEATURES_OK : v);
                break;
        case VIRTIO_PCI_COMMON_Q_SELECT: d->qsel = (uint16_t)v; break;
        case VIRTIO_PCI_COMMON_Q_SIZE: case VIRTIO_PCI_COMMON_Q_ENABLE:
        case VIRTIO_PCI_COMMON_Q_DESCLO: case VIRTIO_PCI_COMMON_Q_DESCHI:
        case VIRTIO_PCI_COMMON_Q_AVAILLO: case VIRTIO_PCI_COMMON_Q_AVAILHI:
        case VIRTIO_PCI_COMMON_Q_USEDLO: case VIRTIO_PCI_COMMON_Q_USEDHI:
                queue_write(d, off, v); break;
        case VIRTIO_PCI_COMMON_MSIX: case VIRTIO_PCI_COMMON_Q_MSIX: break;
        default: d->bad_access++; break;
        }
}

/* ---- BAR 0 ---- */

static bool bar0(struct fdev *d, uint64_t ipa, uint64_t *off)
{
        struct fdev_fn *f = &d->fns[0];
        uint64_t base = f->bar[0] & ~0xFull;
        if (!(fdev_cfg_get(f->cfg, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY) || ipa < base || ipa >= base + FDEV_BAR0_SIZE)
                return false;
        *off = ipa - base;
        return true;
}

static ccada_status bar0_read(struct fdev *d, uint64_t off, unsigned size, uint64_t *val)
{
        if (off < FDEV_COMMON_OFF + 0x40) {
                if (size != common_width((unsigned)off))
                        d->bad_access++;
                *val = common_read(d, (unsigned)off);
        } else if (off >= FDEV_DEVICE_OFF && off + size <= FDEV_DEVICE_OFF + sizeof(d->blkcfg)) {
                if (size > 4)
                        d->bad_access++;
                *val = fdev_cfg_get(d->blkcfg, (unsigned)(off - FDEV_DEVICE_OFF), size);
        } else {
                *val = 0; /* ISR and the rest */
        }
        return CCADA_OK;
}

static void net_serve(struct fdev *d);

static ccada_status bar0_write(struct fdev *d, uint64_t off, unsigned size, uint64_t v)
{
        if (off < FDEV_COMMON_OFF + 0x40) {
                if (size != common_width((unsigned)off))
                        d->bad_access++;
                common_write(d, (unsigned)off, v);
        } else if (off >= FDEV_NOTIFY_OFF && off < FDEV_NOTIFY_OFF + 0x1000) {
                /* the value names the queue (every queue shares one notify address here) */
                if (size != 2 || v >= d->num_queues || v >= FDEV_MAX_QUEUES)
                        d->bad_access++;
                d->notifies++;
                d->q[v < FDEV_MAX_QUEUES ? v : 0].kicked = true;
                if (d->net)
                        net_serve(d);
        } else {
                d->bad_access++;
        }
        return CCADA_OK;
}

static ccada_status mmio_read(void *ctx, uint64_t ipa, unsigned size, uint64_t *val)
{
        struct fdev *d = ctx;
        uint64_t off;
        if (ipa >= FDEV_ECAM && ipa < FDEV_ECAM + PCI_ECAM_BUS0_SIZE) {
                *val = cfg_read(fn_at(d, ipa - FDEV_ECAM), (unsigned)(ipa & 0xFFF), size);
                return CCADA_OK;
        }
        if (bar0(d, ipa, &off))
                return bar0_read(d, off, size, val);
        return CCADA_E_SEA;
}

static ccada_status mmio_write(void *ctx, uint64_t ipa, unsigned size, uint64_t val)
{
        struct fdev *d = ctx;
        uint64_t off;
        if (ipa >= FDEV_ECAM && ipa < FDEV_ECAM + PCI_ECAM_BUS0_SIZE) {
                cfg_write(fn_at(d, ipa - FDEV_ECAM), (unsigned)(ipa & 0xFFF), size, val);
                return CCADA_OK;
        }
        if (bar0(d, ipa, &off))
                return bar0_write(d, off, size, val);
        return CCADA_E_SEA;
}

/* ---- requests.  virtio 1.2 §5.2.6 ---- */

static bool in_disk(uint64_t sector, uint64_t len)
{
        return sector <= FDEV_DISK_SECTORS && len / 512 <= FDEV_DISK_SECTORS - sector && len % 512 == 0;
}

static uint8_t serve(struct fdev *d, const struct vdq_elem *e, uint32_t type, uint64_t sector, uint32_t *used)
{
        uint64_t in_data = e->in_len - 1, out_data = e->out_len - VIRTIO_BLK_REQ_HDR_SIZE;
        *used = (uint32_t)e->in_len;
        switch (type) {
        case VIRTIO_BLK_T_IN:
                if (!in_disk(sector, in_data))
                        return VIRTIO_BLK_S_IOERR;
                return vdq_write_in(&d->dq, e, 0, d->disk + sector * 512, in_data) == CCADA_OK ? VIRTIO_BLK_S_OK
                                                                                              : VIRTIO_BLK_S_IOERR;
        case VIRTIO_BLK_T_OUT:
                if (!in_disk(sector, out_data))
                        return VIRTIO_BLK_S_IOERR;
                return vdq_read_out(&d->dq, e, VIRTIO_BLK_REQ_HDR_SIZE, d->disk + sector * 512, out_data) == CCADA_OK
                               ? VIRTIO_BLK_S_OK
                               : VIRTIO_BLK_S_IOERR;
        case VIRTIO_BLK_T_FLUSH:
                d->flushes++;
                return VIRTIO_BLK_S_OK;
        case VIRTIO_BLK_T_GET_ID:
                return vdq_write_in(&d->dq, e, 0, d->id, in_data < 20 ? in_data : 20) == CCADA_OK ? VIRTIO_BLK_S_OK
                                                                                                  : VIRTIO_BLK_S_IOERR;
        default:
                return VIRTIO_BLK_S_UNSUPP;
        }
}

static void handle(struct fdev *d, const struct vdq_elem *e)
{
        uint8_t raw[VIRTIO_BLK_REQ_HDR_SIZE];
        struct virtio_blk_req_hdr h;
        uint32_t used = 0;
        uint8_t status = VIRTIO_BLK_S_IOERR;

        d->requests++;
        for (unsigned i = 0; i < e->n_out + e->n_in; i++)
                if (rk_is_realm(d->k) && !(e->segs[i].gpa & FAKE_SHARED_BIT))
                        d->private_segs++;
        unsigned data_segs = e->n_out + e->n_in - 2;
        if (data_segs > d->max_data_segs)
                d->max_data_segs = data_segs;
        if (e->in_len >= 1 && e->out_len >= sizeof(raw) && vdq_read_out(&d->dq, e, 0, raw, sizeof(raw)) == CCADA_OK &&
            virtio_blk_req_hdr_decode(raw, sizeof(raw), &h)) {
                d->last_type = h.type;
                status = serve(d, e, h.type, h.sector, &used);
        }
        if (d->force_status >= 0)
                status = (uint8_t)d->force_status;
        if (e->in_len >= 1 && vdq_write_in(&d->q[0].dq, e, e->in_len - 1, &status, 1) != CCADA_OK)
                d->bad_access++;
        if (d->force_used_len >= 0)
                used = (uint32_t)d->force_used_len;
        if (vdq_push(&d->q[0].dq, e->head, used) != CCADA_OK)
                d->bad_access++;
}

static void on_wait(struct realm_kernel *k, void *arg)
{
        struct fdev *d = arg;
        struct fdev_queue *q = &d->q[0];
        (void)k;
        if (d->net) {
                net_serve(d);
                return;
        }
        if (!q->kicked || !q->dq_ready || d->never_complete || !(d->status & VIRTIO_STATUS_DRIVER_OK))
                return;
        q->kicked = false;
        while (vdq_pop(&q->dq, &d->elem) == CCADA_OK)
                handle(d, &d->elem);
}

/* ---- virtio-net.  virtio 1.2 §5.1 ---- */

/* Pushes a used element with any id: vdq_push for a head of the queue, else written as
 * vdq_push writes it (element, then used.idx), for a device that forges ids out of range. */
static ccada_status push_any(struct fdev *d, struct fdev_queue *q, uint32_t id, uint32_t len)
{
        uint8_t b[VRING_USED_ELEM_SIZE], idx[2];
        if (id < q->dq.qsz || q->dq.broken)
                return vdq_push(&q->dq, (uint16_t)id, len);
        struct vring_used_elem ue = { .id = id, .len = len };
        if (!vring_used_elem_encode(b, sizeof(b), &ue))
                return CCADA_E_INVAL;
        uint16_t slot = (uint16_t)(q->dq.used_idx & (q->dq.qsz - 1));
        ccada_status st = host_gpa_write(&d->vm, q->dq.used + vring_used_ring_off(slot), b, sizeof(b));
        q->dq.used_idx++;
        q->dq.pushed++;
        fdev_cfg_put(idx, 0, 2, q->dq.used_idx);
        if (st == CCADA_OK)
                st = host_gpa_write(&d->vm, q->dq.used + VRING_USED_OFF_IDX, idx, sizeof(idx));
        return st;
}

/* Pushes a completion of head with len, as the knobs have it: another id, twice. */
static ccada_status net_push(struct fdev *d, struct fdev_queue *q, uint16_t head, uint32_t len)
{
        uint32_t id = d->forge_id >= 0 ? (uint32_t)d->forge_id : head;
        ccada_status st = push_any(d, q, id, len);
        if (st == CCADA_OK && d->dup_complete)
                st = push_any(d, q, id, len);
        return st;
}

static bool rx_ready(const struct fdev *d)
{
        return d->net && d->q[0].dq_ready && (d->status & VIRTIO_STATUS_DRIVER_OK);
}

unsigned fdev_net_rx_take(struct fdev *d)
{
        unsigned held = 0;
        while (rx_ready(d) && vdq_pop(&d->q[0].dq, &d->elem) == CCADA_OK) {
                const struct vdq_elem *e = &d->elem;
                if (e->head >= FDEV_NET_MAX_QSZ || e->n_out || !e->n_in) { /* not a receive buffer */
                        d->bad_access++;
                        if (vdq_push(&d->q[0].dq, e->head, 0) != CCADA_OK)
                                d->bad_access++;
                        continue;
                }
                struct fdev_rxbuf *b = &d->rx_held[e->head];
                *b = (struct fdev_rxbuf){ .held = true, .seq = d->rx_seq++ };
                for (unsigned i = 0; i < e->n_in && b->nseg < FDEV_NET_RX_SEGS; i++) {
                        b->seg[b->nseg++] = e->segs[i];
                        b->in_len += e->segs[i].len;
                        if (rk_is_realm(d->k) && !(e->segs[i].gpa & FAKE_SHARED_BIT))
                                d->private_segs++;
                }
        }
        for (unsigned i = 0; d->rx_held && i < FDEV_NET_MAX_QSZ; i++)
                held += d->rx_held[i].held;
        return held;
}

bool fdev_net_rx_held(const struct fdev *d, uint16_t head, uint32_t *in_len)
{
        if (!d->rx_held || head >= FDEV_NET_MAX_QSZ || !d->rx_held[head].held)
                return false;
        if (in_len)
                *in_len = d->rx_held[head].in_len;
        return true;
}

/* Writes n bytes of src into b's segments from byte off on (cut to its length). */
static void rx_write(struct fdev *d, const struct fdev_rxbuf *b, uint32_t off, const void *src, size_t n)
{
        const uint8_t *p = src;
        for (unsigned i = 0; i < b->nseg && n; i++) {
                if (off >= b->seg[i].len) {
                        off -= b->seg[i].len;
                        continue;
                }
                size_t chunk = b->seg[i].len - off < n ? b->seg[i].len - off : n;
                if (fake_host_write(d->k, b->seg[i].gpa + off, p, chunk) != CCADA_OK)
                        d->bad_access++;
                p += chunk;
                n -= chunk;
                off = 0;
        }
}

ccada_status fdev_net_rx_complete(struct fdev *d, uint32_t id, const void *src, size_t n, uint32_t used_len)
{
        if (!rx_ready(d))
                return CCADA_E_STATE;
        if (id < FDEV_NET_MAX_QSZ && fdev_net_rx_held(d, (uint16_t)id, NULL)) {
                rx_write(d, &d->rx_held[id], 0, src, n);
                d->rx_held[id].held = false;
        }
        d->rx_frames++;
        return push_any(d, &d->q[0], id, used_len);
}

/* The held buffer popped first, or NULL. */
static struct fdev_rxbuf *oldest_held(struct fdev *d, uint16_t *head)
{
        struct fdev_rxbuf *best = NULL;
        for (unsigned i = 0; i < FDEV_NET_MAX_QSZ; i++) {
                struct fdev_rxbuf *b = &d->rx_held[i];
                if (b->held && (!best || b->seq < best->seq)) {
                        best = b;
                        *head = (uint16_t)i;
                }
        }
        return best;
}

/* Delivers injected frames while there are buffers: header, frame, the knobs. */
static void net_serve_rx(struct fdev *d)
{
        uint8_t garbage[VIRTIO_NET_HDR_SIZE + FDEV_NET_MAX_FRAME];
        uint16_t head = 0;
        struct fdev_rxbuf *b;
        fdev_net_rx_take(d);
        while (d->rx_fifo_n && (b = oldest_held(d, &head)) != NULL) {
                const struct fdev_frame *f = &d->rx_fifo[d->rx_fifo_head];
                uint32_t len = VIRTIO_NET_HDR_SIZE + f->len;
                if (len > b->in_len)
                        len = b->in_len; /* a device that cuts what does not fit */
                rx_write(d, b, 0, f->hdr, VIRTIO_NET_HDR_SIZE);
                rx_write(d, b, VIRTIO_NET_HDR_SIZE, f->data, f->len);
                if (d->force_used_len >= 0)
                        len = (uint32_t)d->force_used_len;
                if (d->rx_garbage && len < b->in_len && b->in_len - len <= sizeof(garbage)) {
                        memset(garbage, FDEV_NET_GARBAGE, b->in_len - len);
                        rx_write(d, b, len, garbage, b->in_len - len);
                }
                b->held = false;
                d->rx_fifo_head = (d->rx_fifo_head + 1) % FDEV_NET_FIFO;
                d->rx_fifo_n--;
                d->rx_frames++;
                if (net_push(d, &d->q[0], head, len) != CCADA_OK)
                        d->bad_access++;
        }
}

/* Takes one transmit buffer: checks it, logs the frame, completes it (unless tx_hold). */
static bool net_tx_one(struct fdev *d)
{
        struct fdev_queue *q = &d->q[1];
        uint8_t buf[VIRTIO_NET_HDR_SIZE + FDEV_NET_MAX_FRAME];
        static const uint8_t zero[VIRTIO_NET_HDR_SIZE];
        const struct vdq_elem *e = &d->elem;

        if (!d->net || !q->dq_ready || !(d->status & VIRTIO_STATUS_DRIVER_OK) ||
            vdq_pop(&q->dq, &d->elem) != CCADA_OK)
                return false;
        if (e->n_out > d->tx_max_segs)
                d->tx_max_segs = e->n_out;
        for (unsigned i = 0; i < e->n_out + e->n_in; i++)
                if (rk_is_realm(d->k) && !(e->segs[i].gpa & FAKE_SHARED_BIT))
                        d->private_segs++;
        if (e->n_in || e->out_len < VIRTIO_NET_HDR_SIZE || e->out_len > sizeof(buf) ||
            vdq_read_out(&q->dq, e, 0, buf, e->out_len) != CCADA_OK) {
                d->tx_bad++;
        } else {
                struct fdev_frame *f = &d->tx_log[d->tx_frames % FDEV_NET_TX_LOG];
                if (memcmp(buf, zero, sizeof(zero)) != 0)
                        d->tx_bad_hdr++;
                memcpy(f->hdr, buf, VIRTIO_NET_HDR_SIZE);
                f->len = (uint16_t)(e->out_len - VIRTIO_NET_HDR_SIZE);
                memcpy(f->data, buf + VIRTIO_NET_HDR_SIZE, f->len);
                d->tx_frames++;
        }
        if (net_push(d, q, e->head, 0) != CCADA_OK) /* QEMU: a transmit buffer's used length is 0 */
                d->bad_access++;
        return true;
}

unsigned fdev_net_tx_complete(struct fdev *d, unsigned max)
{
        unsigned n = 0;
        while (n < max && net_tx_one(d))
                n++;
        return n;
}

static void net_serve(struct fdev *d)
{
        if (d->manual || d->never_complete)
                return;
        d->q[0].kicked = d->q[1].kicked = false;
        net_serve_rx(d);
        if (!d->tx_hold)
                fdev_net_tx_complete(d, UINT32_MAX);
}

void fdev_serve(struct fdev *d)
{
        if (d->net)
                net_serve(d);
        else
                on_wait(d->k, d);
}

void fdev_net_inject_hdr(struct fdev *d, const uint8_t hdr[VIRTIO_NET_HDR_SIZE], const void *frame,
                         size_t len)
{
        if (!d->net || d->rx_fifo_n == FDEV_NET_FIFO || len > FDEV_NET_MAX_FRAME)
                abort();
        struct fdev_frame *f = &d->rx_fifo[(d->rx_fifo_head + d->rx_fifo_n) % FDEV_NET_FIFO];
        memcpy(f->hdr, hdr, VIRTIO_NET_HDR_SIZE);
        memcpy(f->data, frame, len);
        f->len = (uint16_t)len;
        d->rx_fifo_n++;
        net_serve(d);
}

void fdev_net_inject(struct fdev *d, const void *frame, size_t len)
{
        uint8_t hdr[VIRTIO_NET_HDR_SIZE] = { 0 };
        hdr[VIRTIO_NET_HDR_OFF_NUM_BUFFERS] = 1; /* le16 1: one buffer  virtio 1.2 §5.1.6.4 */
        fdev_net_inject_hdr(d, hdr, frame, len);
}

unsigned fdev_net_rx_pending(const struct fdev *d)
{
        return d->rx_fifo_n;
}

const struct fdev_frame *fdev_net_tx_frame(const struct fdev *d, unsigned i)
{
        if (!d->tx_log || i >= d->tx_frames || d->tx_frames - i > FDEV_NET_TX_LOG)
                return NULL;
        return &d->tx_log[i % FDEV_NET_TX_LOG];
}

/* ---- set-up ---- */

void fdev_set_bar(struct fdev_fn *f, unsigned i, uint64_t size, bool is64)
{
        uint64_t mask = ~(size - 1);
        f->sizing[i] = ((uint32_t)mask & ~0xFu) | (is64 ? PCI_BASE_ADDRESS_MEM_TYPE_64 : 0);
        f->bar[i] = is64 ? PCI_BASE_ADDRESS_MEM_TYPE_64 : 0;
        if (is64) {
                f->sizing[i + 1] = (uint32_t)(mask >> 32);
                f->upper[i + 1] = true;
                f->bar[i + 1] = 0;
        }
}

struct fdev_fn *fdev_add_fn(struct fdev *d, uint8_t dev, uint8_t fn, uint16_t vendor, uint16_t device,
                            uint32_t bar0_size)
{
        for (unsigned i = 0; i < FDEV_MAX_FNS; i++) {
                struct fdev_fn *f = &d->fns[i];
                if (f->present)
                        continue;
                memset(f, 0, sizeof(*f));
                f->present = true;
                f->dev = dev;
                f->fn = fn;
                fdev_cfg_put(f->cfg, PCI_VENDOR_ID, 2, vendor);
                fdev_cfg_put(f->cfg, PCI_DEVICE_ID, 2, device);
                fdev_cfg_put(f->cfg, PCI_REVISION_ID, 4, 0x02000001u); /* class 0x020000, rev 1 */
                if (bar0_size)
                        fdev_set_bar(f, 0, bar0_size, false);
                return f;
        }
        abort();
}

void fdev_put_vcap(struct fdev *d, uint8_t off, uint8_t next, uint8_t type, uint8_t bar, uint32_t offset,
                   uint32_t length, uint32_t mult)
{
        uint8_t *c = d->fns[0].cfg + off;
        c[VIRTIO_PCI_CAP_OFF_VNDR] = PCI_CAP_ID_VNDR;
        c[VIRTIO_PCI_CAP_OFF_NEXT] = next;
        c[VIRTIO_PCI_CAP_OFF_LEN] = type == VIRTIO_PCI_CAP_NOTIFY_CFG ? VIRTIO_PCI_NOTIFY_CAP_SIZE : VIRTIO_PCI_CAP_SIZE;
        c[VIRTIO_PCI_CAP_OFF_CFG_TYPE] = type;
        c[VIRTIO_PCI_CAP_OFF_BAR] = bar;
        fdev_cfg_put(c, VIRTIO_PCI_CAP_OFF_OFFSET, 4, offset);
        fdev_cfg_put(c, VIRTIO_PCI_CAP_OFF_LENGTH, 4, length);
        if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
                fdev_cfg_put(c, VIRTIO_PCI_NOTIFY_CAP_OFF_MULTIPLIER, 4, mult);
}

static void setup_virtio_fn(struct fdev *d)
{
        struct fdev_fn *f = fdev_add_fn(d, 0, 0, VIRTIO_PCI_VENDOR_ID, 0x1042, FDEV_BAR0_SIZE);
        fdev_cfg_put(f->cfg, PCI_REVISION_ID, 4, 0x01000001u); /* class 0x010000, rev 1 */
        fdev_cfg_put(f->cfg, PCI_SUBSYSTEM_ID, 2, VIRTIO_ID_BLOCK);
        fdev_cfg_put(f->cfg, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
        f->cfg[PCI_CAPABILITY_LIST] = FDEV_CAP_COMMON;
        fdev_put_vcap(d, FDEV_CAP_COMMON, FDEV_CAP_NOTIFY, VIRTIO_PCI_CAP_COMMON_CFG, 0, FDEV_COMMON_OFF, 0x38, 0);
        fdev_put_vcap(d, FDEV_CAP_NOTIFY, FDEV_CAP_ISR, VIRTIO_PCI_CAP_NOTIFY_CFG, 0, FDEV_NOTIFY_OFF, 0x1000, 4);
        fdev_put_vcap(d, FDEV_CAP_ISR, FDEV_CAP_DEVICE, VIRTIO_PCI_CAP_ISR_CFG, 0, FDEV_ISR_OFF, 4, 0);
        fdev_put_vcap(d, FDEV_CAP_DEVICE, 0, VIRTIO_PCI_CAP_DEVICE_CFG, 0, FDEV_DEVICE_OFF, 0x100, 0);
}

struct fdev *fdev_new(struct realm_kernel *k)
{
        struct fdev *d = calloc(1, sizeof(*d));
        if (!d)
                abort();
        d->disk = calloc(FDEV_DISK_SECTORS, 512);
        if (!d->disk)
                abort();
        d->k = k;
        d->vm.k = k;
        d->features = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |
                      VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
                      VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
                      VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX);
        d->num_queues = 1;
        d->queue_size = 128;
        for (unsigned i = 0; i < FDEV_MAX_QUEUES; i++)
                d->q[i].qsize = d->queue_size;
        d->force_status = -1;
        d->force_used_len = -1;
        d->forge_id = -1;
        fdev_cfg_put(d->blkcfg, VIRTIO_BLK_CFG_CAPACITY, 8, FDEV_DISK_SECTORS);
        fdev_cfg_put(d->blkcfg, VIRTIO_BLK_CFG_SIZE_MAX, 4, 1u << 20);
        fdev_cfg_put(d->blkcfg, VIRTIO_BLK_CFG_SEG_MAX, 4, 126);
        fdev_cfg_put(d->blkcfg, VIRTIO_BLK_CFG_BLK_SIZE, 4, 512);
        memcpy(d->id, "ccada-fake-disk-0001", 20);
        setup_virtio_fn(d);
        fake_kernel_set_mmio(k, &(struct fake_mmio){ mmio_read, mmio_write, d });
        fake_kernel_set_pci_window(k, FDEV_ECAM, FDEV_WINDOW, FDEV_WINDOW_SIZE);
        fake_kernel_set_wait_hook(k, on_wait, d);
        return d;
}

void fdev_make_net(struct fdev *d)
{
        static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
        struct fdev_fn *f = &d->fns[0];

        d->rx_fifo = calloc(FDEV_NET_FIFO, sizeof(*d->rx_fifo));
        d->rx_held = calloc(FDEV_NET_MAX_QSZ, sizeof(*d->rx_held));
        d->tx_log = calloc(FDEV_NET_TX_LOG, sizeof(*d->tx_log));
        if (!d->rx_fifo || !d->rx_held || !d->tx_log)
                abort();
        d->net = true;
        fdev_cfg_put(f->cfg, PCI_DEVICE_ID, 2, FDEV_NET_DEVICE_ID);
        fdev_cfg_put(f->cfg, PCI_REVISION_ID, 4, 0x02000001u); /* class 0x020000 (Ethernet), rev 1 */
        fdev_cfg_put(f->cfg, PCI_SUBSYSTEM_ID, 2, VIRTIO_ID_NET);
        d->features = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |
                      VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_NET_F_MAC) |
                      VIRTIO_BIT(VIRTIO_NET_F_STATUS);
        d->num_queues = 2; /* receiveq1, transmitq1  virtio 1.2 §5.1.2 */
        memset(d->blkcfg, 0, sizeof(d->blkcfg));
        memcpy(d->blkcfg + VIRTIO_NET_CFG_MAC, mac, sizeof(mac));
        fdev_cfg_put(d->blkcfg, VIRTIO_NET_CFG_STATUS, 2, VIRTIO_NET_S_LINK_UP);
}

void fdev_free(struct fdev *d)
{
        if (!d)
                return;
        fake_kernel_set_mmio(d->k, NULL);
        fake_kernel_set_wait_hook(d->k, NULL, NULL);
        free(d->rx_fifo);
        free(d->rx_held);
        free(d->tx_log);
        free(d->disk);
        free(d);
}
