/* The Realm guest's virtio-blk driver (see virtio_blk.h for the contract, requests in
 * flight and the device state machine).  virtio 1.2 §5.2 */
#include "realm/virtio_blk.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/virtio.h"
#include "proto/virtio_blk.h"
#include "realm/boot.h"
#include "realm/cmdline.h"
#include "realm/dma.h"
#include "realm/kernel.h"
#include "realm/virtio_pci.h"
#include "realm/virtqueue.h"
#include "lib/container.h"
#include "lib/size_str.h"

/* Features the driver can use.  virtio 1.2 §5.2.3 */
#define BLK_WANTED_FEATURES                                                                              \
        (VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |                          \
         VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_BLK_F_RO) | \
         VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX))

/* The private request page: the GET_ID answer, never shared. */
#define REQ_OFF_ID 0u
/* Written into the status byte before each request: not a status the device may send. */
#define STATUS_UNSET 0xFFu

struct virtio_blk {
        struct pci_driver drv;          /* bound to pdev while b lives */
        struct realm_kernel *k;
        struct pci_device *pdev;
        struct virtio_pci_dev vp;
        struct virtqueue *vq;
        uint64_t features;
        uint64_t capacity;              /* sectors */
        uint32_t blk_size, seg_max, size_max; /* 0 when not offered */
        uint32_t piece_max;             /* bytes in one data descriptor, multiple of 512 */
        unsigned req_segs;              /* data descriptors in one request */
        bool ro, broken;
        struct rk_lock lock;            /* the queue's lock (vblk->vqs[0].lock) */
        char disk_name[16];             /* "vda", "vdb", ... in probe order */
        bool has_disk_index;
        unsigned disk_index;
        uint64_t req_page;              /* private (protected) page, 0: none */
        struct virtio_blk_stats stats;
        /* requests in flight: one slot (tag) each, queue depth of them */
        unsigned depth, nbusy;
        struct blk_slot *slots;         /* [depth] */
        uint64_t slot_area;             /* private pages: each slot's header and status */
        size_t slot_pages;
};

/* One device request: at most req_segs data pieces. */
struct blk_req {
        uint32_t type;
        uint64_t sector;
        struct blk_seg pieces[VIRTIO_BLK_MAX_REQ_SEGS];
        unsigned npieces;
        bool data_in;                   /* the device writes the data (IN, GET_ID) */
        uint64_t data_len;
        /* results */
        uint32_t used_len;
        uint8_t status;
};

/* The DMA handles of one request. */
struct blk_maps {
        uint64_t hdr, status;
        bool data;
};

/* A request slot (a blk-mq tag): the request, its DMA handles and scratch lists, its
 * header and status byte in the driver's private memory (the status right after the
 * 16-byte header, as in struct virtblk_req). */
struct blk_slot {
        bool busy;
        unsigned op;                    /* the operation it carries (run_ops) */
        uint64_t hdr_ipa;
        struct blk_req r;
        struct blk_maps m;
        struct dma_sg sg[VIRTIO_BLK_MAX_REQ_SEGS];
        struct vq_buf bufs[VIRTIO_BLK_MAX_REQ_SEGS + 2];
};
#define SLOT_BYTES 32u                  /* header 16, status 1, padding */
#define SLOT_OFF_STATUS 16u

static void best_effort(ccada_status st) { (void)st; }

/* ---- mapping ---- */

static enum dma_data_direction data_dir(const struct blk_req *r)
{
        return r->data_in ? DMA_FROM_DEVICE : DMA_TO_DEVICE;
}

static void unmap_request(struct virtio_blk *b, struct blk_slot *s, bool sync)
{
        unsigned long attrs = sync ? 0 : DMA_ATTR_SKIP_CPU_SYNC;
        struct dma_dev *dev = &b->vp.dma;
        struct blk_maps *m = &s->m;

        /* detach_buf_split unmaps in chain order: header, data, status */
        if (m->hdr != DMA_MAPPING_ERROR &&
            dma_unmap_single(dev, m->hdr, VIRTIO_BLK_REQ_HDR_SIZE, DMA_TO_DEVICE, 0) != CCADA_OK)
                rk_printk(b->k, "virtio_blk %s: header unmap failed", b->vp.name);
        if (m->data && dma_unmap_sg(dev, s->sg, (int)s->r.npieces, data_dir(&s->r), attrs) != CCADA_OK)
                rk_printk(b->k, "virtio_blk %s: data unmap failed", b->vp.name);
        if (m->status != DMA_MAPPING_ERROR &&
            dma_unmap_single(dev, m->status, 1, DMA_FROM_DEVICE, attrs) != CCADA_OK)
                rk_printk(b->k, "virtio_blk %s: status unmap failed", b->vp.name);
        m->data = false;
        m->status = m->hdr = DMA_MAPPING_ERROR;
}

/* Writes the header and a status sentinel into the slot's private bytes and maps
 * everything; on failure nothing stays mapped. */
static ccada_status map_request(struct virtio_blk *b, struct blk_slot *s)
{
        const struct blk_req *r = &s->r;
        struct virtio_blk_req_hdr h = { .type = r->type, .reserved = 0, .sector = r->sector };
        uint8_t raw[VIRTIO_BLK_REQ_HDR_SIZE], unset = STATUS_UNSET;
        struct dma_dev *dev = &b->vp.dma;
        int mapped;

        s->m.hdr = s->m.status = DMA_MAPPING_ERROR;
        s->m.data = false;
        if (!virtio_blk_req_hdr_encode(raw, sizeof(raw), &h))
                return CCADA_E_INVAL;
        ccada_status st = rk_write(b->k, s->hdr_ipa, raw, sizeof(raw));
        if (st == CCADA_OK)
                st = rk_write(b->k, s->hdr_ipa + SLOT_OFF_STATUS, &unset, 1);
        if (st == CCADA_OK)
                st = dma_map_single(dev, s->hdr_ipa, sizeof(raw), DMA_TO_DEVICE, 0, &s->m.hdr);
        for (unsigned i = 0; st == CCADA_OK && i < r->npieces; i++)
                s->sg[i] = (struct dma_sg){ .ipa = r->pieces[i].ipa, .length = r->pieces[i].len };
        if (st == CCADA_OK && r->npieces) {
                st = dma_map_sg(dev, s->sg, (int)r->npieces, data_dir(r), 0, &mapped);
                s->m.data = st == CCADA_OK;
        }
        if (st == CCADA_OK)
                st = dma_map_single(dev, s->hdr_ipa + SLOT_OFF_STATUS, 1, DMA_FROM_DEVICE, 0, &s->m.status);
        if (st != CCADA_OK)
                unmap_request(b, s, false);
        return st;
}

/* ---- breaking the device ---- */

/* Enters BROKEN (sticky): resets the device so it stops using our buffers, takes every
 * request back from the queue and unmaps it without copy-back. */
static ccada_status blk_break(struct virtio_blk *b, const char *why)
{
        uint64_t token;

        if (!b->broken)
                rk_printk(b->k, "virtio_blk %s: %s; device marked broken", b->vp.name, why);
        b->broken = true;
        best_effort(virtio_pci_reset(&b->vp));
        bool irqs = rk_spin_lock_irqsave(b->k, &b->lock);
        while (vq_detach_unused(b->vq, &token))
                ;
        for (unsigned t = 0; t < b->depth; t++) {
                if (!b->slots[t].busy)
                        continue;
                unmap_request(b, &b->slots[t], false);
                b->slots[t].busy = false;
        }
        b->nbusy = 0;
        rk_spin_unlock_irqrestore(b->k, &b->lock, irqs);
        return CCADA_E_BROKEN;
}

/* ---- operations, requests and completions ---- */

/* One operation as run_ops issues it: split into requests of at most req_segs pieces of at
 * most piece_max bytes, in sector order. */
struct blk_op {
        uint32_t type;
        uint64_t sector;                /* of the next request */
        const struct blk_seg *segs;
        unsigned nseg, si;              /* segments; cursor: segment, */
        uint32_t off;                   /* and offset in it */
        bool data_in;
        bool started;                   /* its one request without data was issued */
        ccada_status result;            /* the first failure of its requests */
        uint32_t used_len;              /* of its last completion */
};

static bool op_issued(const struct blk_op *op)
{
        return op->nseg ? op->si == op->nseg : op->started;
}

/* Cuts op's next request into r (the cursor moves only when the request is issued). */
static void next_request(const struct virtio_blk *b, const struct blk_op *op, struct blk_req *r, unsigned *si,
                         uint32_t *off)
{
        *si = op->si;
        *off = op->off;
        *r = (struct blk_req){ .type = op->type, .sector = op->sector, .data_in = op->data_in };
        while (*si < op->nseg && r->npieces < b->req_segs) {
                uint32_t left = op->segs[*si].len - *off;
                uint32_t len = left < b->piece_max ? left : b->piece_max;
                r->pieces[r->npieces++] = (struct blk_seg){ op->segs[*si].ipa + *off, len };
                r->data_len += len;
                *off += len;
                if (*off == op->segs[*si].len) {
                        (*si)++;
                        *off = 0;
                }
        }
}

static struct blk_slot *free_slot(struct virtio_blk *b)
{
        for (unsigned t = 0; t < b->depth; t++)
                if (!b->slots[t].busy)
                        return &b->slots[t];
        return NULL;
}

/* Builds the descriptor list (header, data, status) and adds it with the slot's tag;
 * *notify tells whether the device must be told (after the lock). */
static ccada_status add_request(struct virtio_blk *b, struct blk_slot *s, bool *notify)
{
        const struct blk_req *r = &s->r;
        unsigned n = 0;

        s->bufs[n++] = (struct vq_buf){ s->m.hdr, VIRTIO_BLK_REQ_HDR_SIZE };
        for (unsigned i = 0; i < r->npieces; i++)
                s->bufs[n++] = (struct vq_buf){ s->sg[i].dma_address, s->sg[i].dma_length };
        s->bufs[n++] = (struct vq_buf){ s->m.status, 1 };
        unsigned n_out = r->data_in ? 1 : 1 + r->npieces;
        ccada_status st = vq_add(b->vq, s->bufs, n_out, n - n_out, (uint64_t)(s - b->slots) + 1);
        if (st != CCADA_OK)
                return st; /* nothing was posted; a ring fault broke the queue */
        bool kick = false;
        if (vq_kick_prepare(b->vq, &kick) != CCADA_OK)
                return CCADA_E_BROKEN; /* posted: the caller breaks the device */
        *notify |= kick;
        return CCADA_OK;
}

/* virtio_queue_rq: maps and adds op's next request in a free slot, under the queue's lock
 * with interrupts masked (so its swiotlb_bounced lines read "d..1."). CCADA_E_NOSPC: no
 * bounce slots or descriptors now (BLK_STS_DEV_RESOURCE: retry after a completion). */
static ccada_status issue(struct virtio_blk *b, struct blk_op *ops, unsigned opi, bool *notify)
{
        struct blk_op *op = &ops[opi];
        struct blk_slot *s = free_slot(b);
        unsigned si;
        uint32_t off;

        next_request(b, op, &s->r, &si, &off);
        bool irqs = rk_spin_lock_irqsave(b->k, &b->lock);
        ccada_status st = map_request(b, s);
        bool mapped = st == CCADA_OK;
        if (mapped)
                st = add_request(b, s, notify);
        if (mapped && st != CCADA_OK && st != CCADA_E_BROKEN)
                unmap_request(b, s, false); /* not posted */
        if (st == CCADA_OK || st == CCADA_E_BROKEN) { /* posted: completion or break takes it back */
                s->busy = true;
                s->op = opi;
                b->nbusy++;
                if (b->nbusy > b->stats.max_in_flight)
                        b->stats.max_in_flight = b->nbusy;
        }
        rk_spin_unlock_irqrestore(b->k, &b->lock, irqs);
        if (st == CCADA_E_BROKEN)
                return blk_break(b, "queue broken");
        if (st != CCADA_OK)
                return st;
        op->si = si;
        op->off = off;
        op->started = true;
        op->sector += s->r.data_len / VIRTIO_BLK_SECTOR_SIZE;
        return CCADA_OK;
}

static ccada_status status_result(struct virtio_blk *b, const struct blk_req *r)
{
        b->stats.requests++;
        switch (r->status) {
        case VIRTIO_BLK_S_OK:
                if (r->type == VIRTIO_BLK_T_IN || r->type == VIRTIO_BLK_T_OUT)
                        b->stats.bytes += r->data_len;
                return CCADA_OK;
        case VIRTIO_BLK_S_IOERR:
                b->stats.errors++;
                return CCADA_E_IO;
        case VIRTIO_BLK_S_UNSUPP:
                b->stats.errors++;
                return CCADA_E_UNSUPPORTED;
        default: {
                char why[64];
                snprintf(why, sizeof(why), "invalid status byte 0x%02x", r->status);
                return blk_break(b, why);
        }
        }
}

/* virtblk_done for one used element: the request is detached and unmapped under the
 * queue's lock, its status read from private memory once the unmap copied it back. */
static ccada_status complete(struct virtio_blk *b, struct blk_op *ops, uint64_t token, uint32_t len)
{
        if (token == 0 || token > b->depth || !b->slots[token - 1].busy)
                return blk_break(b, "completion for a request not in flight");
        if (len < 1)
                return blk_break(b, "completion without a status byte (used len 0)");
        struct blk_slot *s = &b->slots[token - 1];
        struct blk_op *op = &ops[s->op];
        bool irqs = rk_spin_lock_irqsave(b->k, &b->lock);
        unmap_request(b, s, true);
        s->busy = false;
        b->nbusy--;
        rk_spin_unlock_irqrestore(b->k, &b->lock, irqs);
        s->r.used_len = len;
        op->used_len = len;
        ccada_status st = rk_read(b->k, s->hdr_ipa + SLOT_OFF_STATUS, &s->r.status, 1);
        if (st == CCADA_OK)
                st = status_result(b, &s->r);
        if (st != CCADA_OK && op->result == CCADA_OK)
                op->result = st;
        return b->broken ? CCADA_E_BROKEN : CCADA_OK;
}

/* Waits (rk_wait between polls) for at least one completion, then takes every completion
 * the used ring holds. */
static ccada_status reap(struct virtio_blk *b, struct blk_op *ops)
{
        unsigned got = 0;

        for (unsigned polls = 0; polls < VIRTIO_BLK_POLL_MAX;) {
                uint64_t token;
                uint32_t len;
                bool irqs = rk_spin_lock_irqsave(b->k, &b->lock);
                ccada_status st = vq_get_used(b->vq, &token, &len);
                rk_spin_unlock_irqrestore(b->k, &b->lock, irqs);
                if (st == CCADA_E_BUSY) {
                        if (got)
                                return CCADA_OK;
                        rk_wait(b->k);
                        polls++;
                        continue;
                }
                if (st != CCADA_OK)
                        return blk_break(b, "queue broken");
                if ((st = complete(b, ops, token, len)) != CCADA_OK)
                        return st;
                got++;
        }
        best_effort(blk_break(b, "request timed out"));
        return CCADA_E_IO;
}

/* Runs ops to the end with up to the queue depth of requests in flight, as blk-mq feeds
 * virtio_queue_rq: requests are issued in order while tags are free, the device is
 * notified once per batch, completions are taken as they come. A request that finds no
 * bounce slots or descriptors is requeued and issued again after a completion (Linux:
 * BLK_STS_DEV_RESOURCE), never failed while others are in flight. After any failure
 * nothing more is issued and what is in flight is completed. Returns the first failure
 * (each op's own is in its result). */
static ccada_status run_ops(struct virtio_blk *b, struct blk_op *ops, unsigned nops)
{
        ccada_status first = CCADA_OK;
        unsigned cur = 0;

        if (b->broken)
                return CCADA_E_BROKEN;
        for (;;) {
                bool notify = false;
                while (first == CCADA_OK && cur < nops && b->nbusy < b->depth) {
                        if (op_issued(&ops[cur]) || ops[cur].result != CCADA_OK) {
                                cur++;
                                continue;
                        }
                        ccada_status st = issue(b, ops, cur, &notify);
                        if (st == CCADA_E_NOSPC && b->nbusy > 0) {
                                b->stats.requeues++;
                                break; /* again after a completion */
                        }
                        if (st != CCADA_OK) {
                                ops[cur].result = st;
                                first = st;
                        }
                }
                if (notify && !b->broken && virtio_pci_notify(&b->vp, 0) != CCADA_OK && first == CCADA_OK)
                        first = blk_break(b, "notify register faulted");
                if (b->nbusy == 0)
                        break;
                ccada_status st = reap(b, ops);
                if (st != CCADA_OK && first == CCADA_OK)
                        first = st;
                if (b->broken)
                        break;
        }
        for (unsigned i = 0; first == CCADA_OK && i < nops; i++)
                first = ops[i].result;
        return first;
}

/* ---- read / write ---- */

static ccada_status check_io(const struct virtio_blk *b, uint64_t sector, const struct blk_seg *segs,
                             unsigned nseg, bool write)
{
        uint64_t sum = 0;

        if (!b || !segs || nseg == 0 || nseg > VIRTIO_BLK_MAX_SEGS)
                return CCADA_E_INVAL;
        if (b->broken)
                return CCADA_E_BROKEN;
        for (unsigned i = 0; i < nseg; i++) {
                if (segs[i].len == 0 || segs[i].len % VIRTIO_BLK_IO_ALIGN)
                        return CCADA_E_INVAL;
                sum += segs[i].len;
        }
        if (sum > VIRTIO_BLK_MAX_IO)
                return CCADA_E_INVAL;
        if (sector > b->capacity || sum / VIRTIO_BLK_SECTOR_SIZE > b->capacity - sector)
                return CCADA_E_RANGE;
        if (write && b->ro)
                return CCADA_E_UNSUPPORTED;
        return CCADA_OK;
}

static struct blk_op rw_op(const struct virtio_blk_io *io)
{
        return (struct blk_op){ .type = io->write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, .sector = io->sector,
                                .segs = io->segs, .nseg = io->nseg, .data_in = !io->write };
}

ccada_status virtio_blk_submit(struct virtio_blk *b, struct virtio_blk_io *ios, unsigned n)
{
        struct blk_op *ops;
        ccada_status st = CCADA_OK;

        if (!b || !ios || n == 0)
                return CCADA_E_INVAL;
        for (unsigned i = 0; i < n; i++) {
                ios[i].result = check_io(b, ios[i].sector, ios[i].segs, ios[i].nseg, ios[i].write);
                if (ios[i].result != CCADA_OK && st == CCADA_OK)
                        st = ios[i].result;
        }
        if (st != CCADA_OK)
                return st; /* nothing issued */
        if (!(ops = rk_zalloc(b->k, n, sizeof(*ops))))
                return CCADA_E_NOMEM;
        for (unsigned i = 0; i < n; i++)
                ops[i] = rw_op(&ios[i]);
        st = run_ops(b, ops, n);
        for (unsigned i = 0; i < n; i++) /* one never issued carries the batch's first failure */
                ios[i].result = ops[i].result != CCADA_OK || op_issued(&ops[i]) ? ops[i].result : st;
        rk_kfree(b->k, ops);
        return st;
}

static ccada_status blk_rw(struct virtio_blk *b, uint64_t sector, const struct blk_seg *segs, unsigned nseg,
                           bool write)
{
        struct virtio_blk_io io = { .write = write, .sector = sector, .segs = segs, .nseg = nseg };
        return virtio_blk_submit(b, &io, 1);
}

ccada_status virtio_blk_read(struct virtio_blk *b, uint64_t sector, uint64_t buf_ipa, uint32_t len)
{
        struct blk_seg s = { buf_ipa, len };
        return blk_rw(b, sector, &s, 1, false);
}

ccada_status virtio_blk_write(struct virtio_blk *b, uint64_t sector, uint64_t buf_ipa, uint32_t len)
{
        struct blk_seg s = { buf_ipa, len };
        return blk_rw(b, sector, &s, 1, true);
}

ccada_status virtio_blk_readv(struct virtio_blk *b, uint64_t sector, const struct blk_seg *segs, unsigned nseg)
{
        return blk_rw(b, sector, segs, nseg, false);
}

ccada_status virtio_blk_writev(struct virtio_blk *b, uint64_t sector, const struct blk_seg *segs, unsigned nseg)
{
        return blk_rw(b, sector, segs, nseg, true);
}

ccada_status virtio_blk_flush(struct virtio_blk *b)
{
        if (!b)
                return CCADA_E_INVAL;
        if (b->broken)
                return CCADA_E_BROKEN;
        if (!(b->features & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)))
                return CCADA_OK; /* no volatile cache.  virtio 1.2 §5.2.6.2 */
        struct blk_op op = { .type = VIRTIO_BLK_T_FLUSH };
        return run_ops(b, &op, 1);
}

ccada_status virtio_blk_get_id(struct virtio_blk *b, char id[VIRTIO_BLK_ID_LEN])
{
        uint8_t raw[VIRTIO_BLK_ID_BYTES];

        if (!b || !id)
                return CCADA_E_INVAL;
        id[0] = '\0';
        if (b->broken)
                return CCADA_E_BROKEN;
        struct blk_seg piece = { b->req_page + REQ_OFF_ID, VIRTIO_BLK_ID_BYTES };
        struct blk_op op = { .type = VIRTIO_BLK_T_GET_ID, .segs = &piece, .nseg = 1, .data_in = true };
        ccada_status st = rk_fill(b->k, piece.ipa, 0, piece.len);
        if (st == CCADA_OK)
                st = run_ops(b, &op, 1);
        if (st == CCADA_OK)
                st = rk_read(b->k, piece.ipa, raw, sizeof(raw));
        if (st != CCADA_OK)
                return st;
        /* Trust only the bytes the device says it wrote (used len counts the status). */
        size_t n = op.used_len - 1u < sizeof(raw) ? op.used_len - 1u : sizeof(raw);
        size_t i = 0;
        for (; i < n && raw[i]; i++)
                id[i] = raw[i] >= 0x20 && raw[i] < 0x7F ? (char)raw[i] : '?';
        id[i] = '\0';
        return CCADA_OK;
}

/* ---- probe ---- */

/* Reads capacity and the optional limits in one generation-consistent snapshot. */
static ccada_status read_config(struct virtio_blk *b)
{
        struct virtio_cfg_field f[4] = { { VIRTIO_BLK_CFG_CAPACITY, 8, 0 } };
        unsigned n = 1, i_size = 0, i_seg = 0, i_blk = 0;

        if (b->features & VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX))
                f[i_size = n++] = (struct virtio_cfg_field){ VIRTIO_BLK_CFG_SIZE_MAX, 4, 0 };
        if (b->features & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX))
                f[i_seg = n++] = (struct virtio_cfg_field){ VIRTIO_BLK_CFG_SEG_MAX, 4, 0 };
        if (b->features & VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE))
                f[i_blk = n++] = (struct virtio_cfg_field){ VIRTIO_BLK_CFG_BLK_SIZE, 4, 0 };
        ccada_status st = virtio_pci_config_read(&b->vp, f, n);
        if (st == CCADA_E_UNSUPPORTED || st == CCADA_E_RANGE) {
                rk_printk(b->k, "virtio_blk %s: device configuration is missing or too short", b->vp.name);
                return CCADA_E_PEER;
        }
        if (st != CCADA_OK)
                return st;
        b->capacity = f[0].val;
        b->size_max = i_size ? (uint32_t)f[i_size].val : 0;
        b->seg_max = i_seg ? (uint32_t)f[i_seg].val : 0;
        b->blk_size = i_blk ? (uint32_t)f[i_blk].val : 0;
        return CCADA_OK;
}

static ccada_status bad_config(const struct virtio_blk *b, const char *what, unsigned long long v, const char *unit)
{
        rk_printk(b->k, "virtio_blk %s: invalid configuration: %s %llu%s", b->vp.name, what, v, unit);
        return CCADA_E_PEER;
}

/* The host chose every value: refuse what no sane disk reports.  virtio 1.2 §5.2.4 */
static ccada_status validate_config(const struct virtio_blk *b)
{
        bool has_blk_size = (b->features & VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE)) != 0;

        if (b->capacity == 0 || b->capacity > VIRTIO_BLK_MAX_CAPACITY)
                return bad_config(b, "capacity", b->capacity, " sectors");
        if (has_blk_size && (b->blk_size < VIRTIO_BLK_SECTOR_SIZE || b->blk_size > VIRTIO_BLK_MAX_BLK_SIZE ||
                             (b->blk_size & (b->blk_size - 1))))
                return bad_config(b, "blk_size", b->blk_size, "");
        if ((b->features & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX)) && b->seg_max == 0)
                return bad_config(b, "seg_max", 0, "");
        if ((b->features & VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX)) && b->size_max < VIRTIO_BLK_SECTOR_SIZE)
                return bad_config(b, "size_max", b->size_max, "");
        return CCADA_OK;
}

/* Derives the per-request limits from the DMA layer, the config and the queue. */
static ccada_status compute_limits(struct virtio_blk *b)
{
        size_t piece = dma_max_mapping_size(&b->vp.dma);
        unsigned chain = b->vq->qsz;

        if (piece > VIRTIO_BLK_MAX_IO)
                piece = VIRTIO_BLK_MAX_IO;
        if (b->size_max && piece > b->size_max)
                piece = b->size_max;
        b->piece_max = (uint32_t)(piece & ~(size_t)(VIRTIO_BLK_IO_ALIGN - 1));
        if (b->vq->indirect && chain < VQ_INDIRECT_MAX)
                chain = VQ_INDIRECT_MAX;
        b->req_segs = chain > 2 ? chain - 2 : 0;
        if (b->req_segs > VIRTIO_BLK_MAX_REQ_SEGS)
                b->req_segs = VIRTIO_BLK_MAX_REQ_SEGS;
        if (b->seg_max && b->req_segs > b->seg_max)
                b->req_segs = b->seg_max;
        if (b->piece_max == 0 || b->req_segs == 0) {
                rk_printk(b->k, "virtio_blk %s: queue of %u entries or mapping size %zu is too small", b->vp.name,
                          b->vq->qsz, piece);
                return CCADA_E_PEER;
        }
        return CCADA_OK;
}

/* The queue depth: "virtio_blk.queue_depth=N" when given (Linux's module parameter),
 * else the queue's free descriptors, halved without INDIRECT_DESC (virtblk_probe); at most
 * the queue size. Then a slot per tag, its header and status in private pages. */
static ccada_status alloc_slots(struct virtio_blk *b)
{
        uint64_t want = 0;
        enum ccada_number_error why = CCADA_NUMBER_OK;
        unsigned qsz = b->vq->qsz;

        if (cmdline_u64(rk_cmdline(b->k), "virtio_blk.queue_depth", &want, &why) &&
            (why != CCADA_NUMBER_OK || want == 0)) {
                rk_printk(b->k, "virtio_blk: queue_depth: must be a number from 1; using the default");
                want = 0;
        }
        unsigned depth = want ? (want < qsz ? (unsigned)want : qsz) : (b->vq->indirect ? qsz : qsz / 2);
        if (depth == 0)
                depth = 1;
        size_t bytes = (size_t)depth * SLOT_BYTES;
        size_t pages = (bytes + RK_PAGE_SIZE - 1) / RK_PAGE_SIZE;
        b->slots = rk_zalloc(b->k, depth, sizeof(*b->slots));
        if (!b->slots)
                return CCADA_E_NOMEM;
        ccada_status st = rk_alloc_pages(b->k, pages, &b->slot_area);
        if (st != CCADA_OK) {
                rk_kfree(b->k, b->slots);
                b->slots = NULL;
                return st;
        }
        b->slot_pages = pages;
        b->depth = depth;
        b->stats.queue_depth = depth;
        for (unsigned t = 0; t < depth; t++)
                b->slots[t].hdr_ipa = b->slot_area + (uint64_t)t * SLOT_BYTES;
        return CCADA_OK;
}

/* virtblk_name_format: "vd" then the index in letters, a..z, aa..az, ba.. (as sd names). */
static void disk_name(unsigned index, char *buf, size_t len)
{
        char rev[8];
        size_t n = 0;
        long i = (long)index;

        do {
                rev[n++] = (char)('a' + i % 26);
                i = i / 26 - 1;
        } while (i >= 0 && n < sizeof(rev));
        size_t at = (size_t)snprintf(buf, len, "vd");
        while (n && at + 1 < len)
                buf[at++] = rev[--n];
        if (at < len)
                buf[at] = '\0';
}

/* virtblk_update_capacity: the capacity notice, sizes as string_get_size prints them (the
 * line has no read-only mark; Linux's has none either). */
static void announce(const struct virtio_blk *b)
{
        char dec[16], bin[16];

        rk_printk(b->k, "virtio_blk %s: [%s] %llu 512-byte logical blocks (%s/%s)", b->vp.name, b->disk_name,
                  (unsigned long long)b->capacity,
                  size_str(b->capacity, VIRTIO_BLK_SECTOR_SIZE, false, dec, sizeof(dec)),
                  size_str(b->capacity, VIRTIO_BLK_SECTOR_SIZE, true, bin, sizeof(bin)));
}

/* Undoes blk_setup (device reset, queue and pages freed); b itself stays. */
static void blk_release(struct virtio_blk *b)
{
        virtio_pci_destroy(&b->vp);
        if (b->slot_pages)
                rk_free_pages(b->k, b->slot_area, b->slot_pages);
        rk_kfree(b->k, b->slots);
        b->slots = NULL;
        b->slot_pages = 0;
        b->depth = 0;
        if (b->has_disk_index)
                rk_ida_free(b->k, RK_IDA_VIRTBLK, b->disk_index);
        b->has_disk_index = false;
        if (b->req_page)
                rk_free_pages(b->k, b->req_page, 1);
        b->req_page = 0;
        b->vq = NULL;
}

/* Everything probe does once the function is bound to b->drv. */
static ccada_status blk_setup(struct virtio_blk *b, struct pci_device *pdev)
{
        b->pdev = pdev;
        ccada_status st = virtio_pci_probe(&b->vp, b->k, pdev, "virtio_blk", rk_default_swiotlb(b->k));
        if (st == CCADA_OK) { /* virtblk_probe: the disk's index first */
                b->disk_index = rk_ida_alloc(b->k, RK_IDA_VIRTBLK);
                b->has_disk_index = true;
                disk_name(b->disk_index, b->disk_name, sizeof(b->disk_name));
        }
        if (st == CCADA_OK)
                st = virtio_pci_negotiate(&b->vp, BLK_WANTED_FEATURES, &b->features);
        if (st == CCADA_OK && (st = read_config(b)) == CCADA_OK)
                st = validate_config(b);
        if (st == CCADA_OK)
                st = virtio_pci_setup_queue(&b->vp, 0, VIRTIO_BLK_QUEUE_SIZE, "req.0", &b->vq);
        if (st == CCADA_OK) /* init_vq: one request queue, no read or poll queues */
                rk_printk(b->k, "virtio_blk %s: 1/0/0 default/read/poll queues", b->vp.name);
        if (st == CCADA_OK)
                st = compute_limits(b);
        if (st == CCADA_OK)
                st = alloc_slots(b);
        if (st == CCADA_OK)
                st = rk_alloc_pages(b->k, 1, &b->req_page);
        if (st == CCADA_OK)
                st = virtio_pci_driver_ok(&b->vp);
        if (st != CCADA_OK)
                return st;
        b->ro = (b->features & VIRTIO_BIT(VIRTIO_BLK_F_RO)) != 0;
        announce(b);
        return CCADA_OK;
}

/* pci_driver.probe: b embeds the driver that pci_bind_driver put in dev->driver. */
static ccada_status blk_pci_probe(struct pci_device *dev)
{
        const char *drv = (const char *)dev->driver;
        struct virtio_blk *b = container_of(drv, struct virtio_blk, drv);
        ccada_status st = blk_setup(b, dev);

        if (st != CCADA_OK)
                blk_release(b);
        return st;
}

ccada_status virtio_blk_probe(struct realm_kernel *k, struct pci_device *pdev, struct virtio_blk **out)
{
        if (!k || !pdev || !out)
                return CCADA_E_INVAL;
        struct virtio_blk *b = rk_zalloc(k, 1, sizeof(*b));
        if (!b)
                return CCADA_E_NOMEM;
        b->k = k;
        rk_lock_init(&b->lock);
        b->drv = (struct pci_driver){ .name = "virtio_blk", .vendor = VIRTIO_PCI_VENDOR_ID,
                                      .device = virtio_pci_modern_device_id(VIRTIO_ID_BLOCK),
                                      .probe = blk_pci_probe };
        ccada_status st = pci_bind_driver(pdev, &b->drv);
        if (st != CCADA_OK) {
                rk_lock_destroy(&b->lock);
                rk_kfree(k, b);
                return st;
        }
        *out = b;
        return CCADA_OK;
}

ccada_status virtio_blk_probe_first(struct realm_kernel *k, struct pci_root *root, struct virtio_blk **out)
{
        uint16_t device = virtio_pci_modern_device_id(VIRTIO_ID_BLOCK);
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
                if ((last = virtio_blk_probe(k, d, out)) == CCADA_OK)
                        return CCADA_OK;
        }
        if (last == CCADA_E_UNSUPPORTED)
                rk_printk(k, "virtio_blk: no usable virtio-blk device");
        return last;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
        uint64_t token;

        if (!b)
                return;
        best_effort(virtio_pci_reset(&b->vp));
        while (b->vq && vq_detach_unused(b->vq, &token))
                ; /* operations run to their end: nothing is in flight between them */
        pci_unbind_driver(b->pdev);
        blk_release(b);
        rk_lock_destroy(&b->lock);
        rk_kfree(b->k, b);
}

/* ---- accessors ---- */

uint64_t virtio_blk_capacity(const struct virtio_blk *b) { return b ? b->capacity : 0; }
const char *virtio_blk_name(const struct virtio_blk *b) { return b ? b->pdev->name : "?"; }
bool virtio_blk_is_broken(const struct virtio_blk *b) { return b && b->broken; }
bool virtio_blk_read_only(const struct virtio_blk *b) { return b && b->ro; }
uint64_t virtio_blk_features(const struct virtio_blk *b) { return b ? b->features : 0; }

void virtio_blk_get_stats(const struct virtio_blk *b, struct virtio_blk_stats *stats)
{
        if (stats)
                *stats = b ? b->stats : (struct virtio_blk_stats){ 0 };
}
