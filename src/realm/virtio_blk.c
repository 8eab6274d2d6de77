/* The Realm guest's virtio-blk driver (see virtio_blk.h for the contract, QD1 and the
 * device state machine).  virtio 1.2 §5.2 */
#include "realm/virtio_blk.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/virtio.h"
#include "proto/virtio_blk.h"
#include "realm/boot.h"
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

/* The private request page: header, status byte and GET_ID answer, never shared. */
#define REQ_OFF_HDR 0u
#define REQ_OFF_STATUS 64u
#define REQ_OFF_ID 128u
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
        uint64_t token;                 /* token of the last request posted */
        struct virtio_blk_stats stats;
        /* per-request scratch (QD1) */
        struct dma_sg sg[VIRTIO_BLK_MAX_REQ_SEGS];
        struct vq_buf bufs[VIRTIO_BLK_MAX_REQ_SEGS + 2];
};

/* One device request: at most req_segs data pieces. */
struct blk_req {
        uint32_t type;
        uint64_t sector;
        const struct blk_seg *pieces;
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

static void best_effort(ccada_status st) { (void)st; }

/* ---- breaking the device ---- */

/* Enters BROKEN (sticky): resets the device so it stops using our buffers, and takes the
 * request back from the queue. The caller then unmaps without copy-back. */
static ccada_status blk_break(struct virtio_blk *b, const char *why)
{
        uint64_t token;

        if (!b->broken)
                rk_printk(b->k, "virtio_blk %s: %s; device marked broken", b->vp.name, why);
        b->broken = true;
        best_effort(virtio_pci_reset(&b->vp));
        while (vq_detach_unused(b->vq, &token))
                ;
        return CCADA_E_BROKEN;
}

/* ---- mapping ---- */

static enum dma_data_direction data_dir(const struct blk_req *r)
{
        return r->data_in ? DMA_FROM_DEVICE : DMA_TO_DEVICE;
}

static void unmap_request(struct virtio_blk *b, const struct blk_req *r, struct blk_maps *m, bool sync)
{
        unsigned long attrs = sync ? 0 : DMA_ATTR_SKIP_CPU_SYNC;
        struct dma_dev *dev = &b->vp.dma;

        /* detach_buf_split unmaps in chain order: header, data, status */
        if (m->hdr != DMA_MAPPING_ERROR &&
            dma_unmap_single(dev, m->hdr, VIRTIO_BLK_REQ_HDR_SIZE, DMA_TO_DEVICE, 0) != CCADA_OK)
                rk_printk(b->k, "virtio_blk %s: header unmap failed", b->vp.name);
        if (m->data && dma_unmap_sg(dev, b->sg, (int)r->npieces, data_dir(r), attrs) != CCADA_OK)
                rk_printk(b->k, "virtio_blk %s: data unmap failed", b->vp.name);
        if (m->status != DMA_MAPPING_ERROR &&
            dma_unmap_single(dev, m->status, 1, DMA_FROM_DEVICE, attrs) != CCADA_OK)
                rk_printk(b->k, "virtio_blk %s: status unmap failed", b->vp.name);
        m->data = false;
        m->status = m->hdr = DMA_MAPPING_ERROR;
}

/* Writes the header and a status sentinel into the private page and maps everything. */
static ccada_status map_request(struct virtio_blk *b, const struct blk_req *r, struct blk_maps *m)
{
        struct virtio_blk_req_hdr h = { .type = r->type, .reserved = 0, .sector = r->sector };
        uint8_t raw[VIRTIO_BLK_REQ_HDR_SIZE], unset = STATUS_UNSET;
        struct dma_dev *dev = &b->vp.dma;
        int mapped;

        m->hdr = m->status = DMA_MAPPING_ERROR;
        m->data = false;
        if (!virtio_blk_req_hdr_encode(raw, sizeof(raw), &h))
                return CCADA_E_INVAL;
        ccada_status st = rk_write(b->k, b->req_page + REQ_OFF_HDR, raw, sizeof(raw));
        if (st == CCADA_OK)
                st = rk_write(b->k, b->req_page + REQ_OFF_STATUS, &unset, 1);
        if (st == CCADA_OK)
                st = dma_map_single(dev, b->req_page + REQ_OFF_HDR, sizeof(raw), DMA_TO_DEVICE, 0, &m->hdr);
        for (unsigned i = 0; st == CCADA_OK && i < r->npieces; i++)
                b->sg[i] = (struct dma_sg){ .ipa = r->pieces[i].ipa, .length = r->pieces[i].len };
        if (st == CCADA_OK && r->npieces) {
                st = dma_map_sg(dev, b->sg, (int)r->npieces, data_dir(r), 0, &mapped);
                m->data = st == CCADA_OK;
        }
        if (st == CCADA_OK)
                st = dma_map_single(dev, b->req_page + REQ_OFF_STATUS, 1, DMA_FROM_DEVICE, 0, &m->status);
        if (st != CCADA_OK)
                unmap_request(b, r, m, false);
        return st;
}

/* ---- posting and completion ---- */

/* Builds the descriptor list (header, data, status) and adds it; *notify tells whether
 * the device must be told (virtio_pci_notify, after the lock). */
static ccada_status add_request(struct virtio_blk *b, const struct blk_req *r, const struct blk_maps *m,
                                bool *notify)
{
        unsigned n = 0;

        b->bufs[n++] = (struct vq_buf){ m->hdr, VIRTIO_BLK_REQ_HDR_SIZE };
        for (unsigned i = 0; i < r->npieces; i++)
                b->bufs[n++] = (struct vq_buf){ b->sg[i].dma_address, b->sg[i].dma_length };
        b->bufs[n++] = (struct vq_buf){ m->status, 1 };
        unsigned n_out = r->data_in ? 1 : 1 + r->npieces;
        ccada_status st = vq_add(b->vq, b->bufs, n_out, n - n_out, ++b->token);
        if (st == CCADA_E_BROKEN)
                return blk_break(b, "queue broken");
        if (st != CCADA_OK)
                return st; /* nothing was posted */
        if ((st = vq_kick_prepare(b->vq, notify)) != CCADA_OK)
                return blk_break(b, "queue broken at notify");
        return CCADA_OK;
}

/* Polls the used ring (rk_wait between polls) for our request. */
static ccada_status wait_completion(struct virtio_blk *b, struct blk_req *r)
{
        uint64_t token;
        uint32_t len;

        for (unsigned i = 0; i < VIRTIO_BLK_POLL_MAX; i++) {
                /* virtblk_done: the used ring is read under the queue's lock */
                bool irqs = rk_spin_lock_irqsave(b->k, &b->lock);
                ccada_status st = vq_get_used(b->vq, &token, &len);
                rk_spin_unlock_irqrestore(b->k, &b->lock, irqs);
                if (st == CCADA_E_BUSY) {
                        rk_wait(b->k);
                        continue;
                }
                if (st != CCADA_OK)
                        return blk_break(b, "queue broken");
                if (token != b->token)
                        return blk_break(b, "completion for a request not in flight");
                if (len < 1)
                        return blk_break(b, "completion without a status byte (used len 0)");
                r->used_len = len;
                return CCADA_OK;
        }
        best_effort(blk_break(b, "request timed out"));
        return CCADA_E_IO;
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

/* One request, start to end: map, post, wait, unmap, read the status. As virtio_queue_rq
 * does, the buffers are mapped and added under the queue's lock with interrupts masked
 * (so their swiotlb_bounced lines read "d..1."), the device is notified after it; the
 * completion side (virtblk_done, detach) unmaps under the lock too. */
static ccada_status submit(struct virtio_blk *b, struct blk_req *r)
{
        struct blk_maps m;
        bool notify = false;
        bool irqs = rk_spin_lock_irqsave(b->k, &b->lock);
        ccada_status st = map_request(b, r, &m);
        bool mapped = st == CCADA_OK;

        if (mapped)
                st = add_request(b, r, &m, &notify);
        rk_spin_unlock_irqrestore(b->k, &b->lock, irqs);
        if (!mapped)
                return st; /* map_request undid what it mapped */
        if (st == CCADA_OK && notify && virtio_pci_notify(&b->vp, 0) != CCADA_OK)
                st = blk_break(b, "notify register faulted");
        if (st == CCADA_OK)
                st = wait_completion(b, r);
        irqs = rk_spin_lock_irqsave(b->k, &b->lock);
        unmap_request(b, r, &m, st == CCADA_OK); /* after a break: no copy-back */
        rk_spin_unlock_irqrestore(b->k, &b->lock, irqs);
        if (st != CCADA_OK)
                return st;
        if ((st = rk_read(b->k, b->req_page + REQ_OFF_STATUS, &r->status, 1)) != CCADA_OK)
                return st;
        return status_result(b, r);
}

/* ---- read / write ---- */

static ccada_status check_io(const struct virtio_blk *b, uint64_t sector, const struct blk_seg *segs,
                             unsigned nseg, bool write, uint64_t *total)
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
        *total = sum;
        return CCADA_OK;
}

/* Cuts the next request's pieces from segs at cursor (*si, *off). */
static unsigned next_pieces(const struct virtio_blk *b, const struct blk_seg *segs, unsigned nseg, unsigned *si,
                            uint32_t *off, struct blk_seg *pieces, uint64_t *bytes)
{
        unsigned n = 0;

        *bytes = 0;
        while (*si < nseg && n < b->req_segs) {
                uint32_t left = segs[*si].len - *off;
                uint32_t len = left < b->piece_max ? left : b->piece_max;
                pieces[n++] = (struct blk_seg){ segs[*si].ipa + *off, len };
                *bytes += len;
                *off += len;
                if (*off == segs[*si].len) {
                        (*si)++;
                        *off = 0;
                }
        }
        return n;
}

static ccada_status blk_rw(struct virtio_blk *b, uint64_t sector, const struct blk_seg *segs, unsigned nseg,
                           bool write)
{
        struct blk_seg pieces[VIRTIO_BLK_MAX_REQ_SEGS];
        unsigned si = 0;
        uint32_t off = 0;
        uint64_t total;
        ccada_status st = check_io(b, sector, segs, nseg, write, &total);

        while (st == CCADA_OK && si < nseg) {
                struct blk_req r = { .type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN,
                                     .sector = sector, .pieces = pieces, .data_in = !write };
                r.npieces = next_pieces(b, segs, nseg, &si, &off, pieces, &r.data_len);
                st = submit(b, &r);
                sector += r.data_len / VIRTIO_BLK_SECTOR_SIZE;
        }
        return st;
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
        struct blk_req r = { .type = VIRTIO_BLK_T_FLUSH, .sector = 0 };
        return submit(b, &r);
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
        struct blk_req r = { .type = VIRTIO_BLK_T_GET_ID, .pieces = &piece, .npieces = 1, .data_in = true };
        ccada_status st = rk_fill(b->k, piece.ipa, 0, piece.len);
        if (st == CCADA_OK)
                st = submit(b, &r);
        if (st == CCADA_OK)
                st = rk_read(b->k, piece.ipa, raw, sizeof(raw));
        if (st != CCADA_OK)
                return st;
        /* Trust only the bytes the device says it wrote (used len counts the status). */
        size_t n = r.used_len - 1u < sizeof(raw) ? r.used_len - 1u : sizeof(raw);
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
                ; /* QD1: nothing is in flight between operations */
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
