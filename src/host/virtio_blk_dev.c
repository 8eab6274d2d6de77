/* virtio-blk device model (see virtio_blk_dev.h).  virtio 1.2 §5.2 */
#include "host/virtio_blk_dev.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/blk_cow.h"
#include "host/blk_file.h"
#include "host/blk_ram.h"
#include "lib/bytes.h"

_Static_assert(VIRTIO_BLK_DEV_MAX_DATA % VIRTIO_BLK_SECTOR_SIZE == 0, "whole sectors");
_Static_assert(VIRTIO_BLK_DEV_SEG_MAX + 2 <= VDQ_MAX_SEGS, "header and status fit beside the data segments");
_Static_assert(VIRTIO_BLK_DEV_MAX_IOV <= BLK_BACKEND_MAX_IOV, "a request's payload fits one backend call");

struct virtio_blk_dev {
        struct virtio_pci_dev vp;       /* first: the transport hands this back */
        struct blk_backend *backend;    /* owned */
        uint64_t capacity;              /* 512-byte sectors */
        char serial[VIRTIO_BLK_ID_BYTES];
        struct virtio_blk_dev_stats stats;
        struct vdq_elem elem;           /* the request being served */
        struct iovec iov[VIRTIO_BLK_DEV_MAX_IOV]; /* its payload, over the guest's pages */
};

/* One request as decoded from its chain. */
struct blk_req {
        struct virtio_blk_req_hdr hdr;
        uint64_t data_len;              /* IN/GET_ID: writable bytes before status; OUT: readable after header */
        uint32_t used_len;              /* bytes written to the writable part */
};

#define BLK_OF(vpd) ((struct virtio_blk_dev *)(void *)(vpd))

/* ---- device configuration  virtio 1.2 §5.2.4 ---- */

static void config_image(const struct virtio_blk_dev *d, uint8_t img[VIRTIO_BLK_CFG_SIZE])
{
        memset(img, 0, VIRTIO_BLK_CFG_SIZE);
        st_le64(img + VIRTIO_BLK_CFG_CAPACITY, d->capacity);
        st_le32(img + VIRTIO_BLK_CFG_SIZE_MAX, VIRTIO_BLK_DEV_SIZE_MAX);
        st_le32(img + VIRTIO_BLK_CFG_SEG_MAX, VIRTIO_BLK_DEV_SEG_MAX);
        st_le32(img + VIRTIO_BLK_CFG_BLK_SIZE, VIRTIO_BLK_SECTOR_SIZE);
        st_le16(img + VIRTIO_BLK_CFG_NUM_QUEUES, 1);
}

static bool blk_cfg_read(struct virtio_pci_dev *vpd, uint32_t off, unsigned size, uint64_t *val)
{
        uint8_t img[VIRTIO_BLK_CFG_SIZE];
        config_image(BLK_OF(vpd), img);
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
                v |= (uint64_t)img[off + i] << (8 * i);
        *val = v;
        return true;
}

/* Every field we offer is read-only (writeback needs CONFIG_WCE). */
static bool blk_cfg_write(struct virtio_pci_dev *vpd, uint32_t off, unsigned size, uint64_t val) { return true; }

/* ---- requests  virtio 1.2 §5.2.6 ---- */

/* IN/OUT range: whole sectors, bounded size, inside the disk. */
static bool rw_ok(const struct virtio_blk_dev *d, const struct blk_req *r)
{
        uint64_t n = r->data_len >> VIRTIO_BLK_SECTOR_SHIFT;
        return r->data_len % VIRTIO_BLK_SECTOR_SIZE == 0 && r->data_len <= VIRTIO_BLK_DEV_MAX_DATA &&
               r->hdr.sector <= d->capacity && n <= d->capacity - r->hdr.sector;
}

/* IN: the backend reads straight into the data part of the writable segments. */
static uint8_t do_in(struct virtio_blk_dev *d, struct vdev_queue *vq, struct blk_req *r)
{
        const struct vdq_elem *e = &d->elem;
        unsigned n;
        r->data_len = e->in_len - 1;
        if (e->out_len != VIRTIO_BLK_REQ_HDR_SIZE || !rw_ok(d, r))
                return VIRTIO_BLK_S_IOERR;
        if (vdq_map_in(vq, e, 0, r->data_len, d->iov, VIRTIO_BLK_DEV_MAX_IOV, &n) != CCADA_OK ||
            blk_backend_read(d->backend, r->hdr.sector << VIRTIO_BLK_SECTOR_SHIFT, d->iov, n) != CCADA_OK)
                return VIRTIO_BLK_S_IOERR;
        d->stats.reads++;
        d->stats.bytes_read += r->data_len;
        r->used_len = (uint32_t)r->data_len;
        return VIRTIO_BLK_S_OK;
}

/* OUT: the backend writes straight from the readable segments after the header. */
static uint8_t do_out(struct virtio_blk_dev *d, struct vdev_queue *vq, struct blk_req *r)
{
        const struct vdq_elem *e = &d->elem;
        unsigned n;
        r->data_len = e->out_len - VIRTIO_BLK_REQ_HDR_SIZE;
        if (e->in_len != 1 || !rw_ok(d, r))
                return VIRTIO_BLK_S_IOERR;
        if (vdq_map_out(vq, e, VIRTIO_BLK_REQ_HDR_SIZE, r->data_len, d->iov, VIRTIO_BLK_DEV_MAX_IOV, &n) != CCADA_OK ||
            blk_backend_write(d->backend, r->hdr.sector << VIRTIO_BLK_SECTOR_SHIFT, d->iov, n) != CCADA_OK)
                return VIRTIO_BLK_S_IOERR;
        d->stats.writes++;
        d->stats.bytes_written += r->data_len;
        return VIRTIO_BLK_S_OK;
}

static uint8_t do_flush(struct virtio_blk_dev *d, struct blk_req *r)
{
        const struct vdq_elem *e = &d->elem;
        if (e->out_len != VIRTIO_BLK_REQ_HDR_SIZE || e->in_len != 1 || blk_backend_flush(d->backend) != CCADA_OK)
                return VIRTIO_BLK_S_IOERR;
        d->stats.flushes++;
        return VIRTIO_BLK_S_OK;
}

/* "The device MUST write ... up to VIRTIO_BLK_ID_BYTES" of a NUL-padded string.
 * virtio 1.2 §5.2.6.1 */
static uint8_t do_get_id(struct virtio_blk_dev *d, struct vdev_queue *vq, struct blk_req *r)
{
        const struct vdq_elem *e = &d->elem;
        r->data_len = e->in_len - 1;
        size_t n = r->data_len < VIRTIO_BLK_ID_BYTES ? (size_t)r->data_len : VIRTIO_BLK_ID_BYTES;
        if (e->out_len != VIRTIO_BLK_REQ_HDR_SIZE || vdq_write_in(vq, e, 0, d->serial, n) != CCADA_OK)
                return VIRTIO_BLK_S_IOERR;
        d->stats.get_ids++;
        r->used_len = (uint32_t)n;
        return VIRTIO_BLK_S_OK;
}

static uint8_t dispatch(struct virtio_blk_dev *d, struct vdev_queue *vq, struct blk_req *r)
{
        uint8_t b[VIRTIO_BLK_REQ_HDR_SIZE];
        if (vdq_read_out(vq, &d->elem, 0, b, sizeof(b)) != CCADA_OK ||
            !virtio_blk_req_hdr_decode(b, sizeof(b), &r->hdr))
                return VIRTIO_BLK_S_IOERR; /* header in memory the host cannot read */
        switch (r->hdr.type) {
        case VIRTIO_BLK_T_IN: return do_in(d, vq, r);
        case VIRTIO_BLK_T_OUT: return do_out(d, vq, r);
        case VIRTIO_BLK_T_FLUSH: return do_flush(d, r);
        case VIRTIO_BLK_T_GET_ID: return do_get_id(d, vq, r);
        default:
                d->stats.unsupported++;
                return VIRTIO_BLK_S_UNSUPP;
        }
}

static void trace_complete(struct virtio_blk_dev *d, unsigned q, const struct blk_req *r, uint8_t status)
{
        if (trace_on(d->vp.tr, VIRTIO_TRACE_COMPLETE))
                trace_emit(d->vp.tr, VIRTIO_TRACE_COMPLETE, "dev=%s q=%u head=%u type=%s sector=%llu len=%u status=%s",
                           virtio_pci_dev_name(&d->vp), q, d->elem.head, virtio_blk_type_name(r->hdr.type),
                           (unsigned long long)r->hdr.sector, r->used_len, virtio_blk_status_name(status));
}

/* Serves the popped request in d->elem. False when the device must stop (NEEDS_RESET). */
static bool serve(struct virtio_blk_dev *d, unsigned q, struct vdev_queue *vq)
{
        const struct vdq_elem *e = &d->elem;
        struct blk_req r = { .used_len = 0 };

        /* Without a header and a status byte there is nothing to answer with. */
        if (e->out_len < VIRTIO_BLK_REQ_HDR_SIZE || e->in_len < 1) {
                virtio_pci_dev_needs_reset(&d->vp, q, e->in_len < 1 ? "blk_no_status" : "blk_short_header");
                return false;
        }
        uint8_t status = dispatch(d, vq, &r);
        if (status != VIRTIO_BLK_S_OK)
                r.used_len = 0; /* only the status byte is meaningful; len may underestimate */
        if (status == VIRTIO_BLK_S_IOERR)
                d->stats.errors++;
        if (vdq_write_in(vq, e, e->in_len - 1, &status, 1) != CCADA_OK) {
                virtio_pci_dev_needs_reset(&d->vp, q, "blk_status_unwritable");
                return false;
        }
        r.used_len += 1;
        if (vdq_push(vq, e->head, r.used_len) != CCADA_OK) {
                virtio_pci_dev_needs_reset(&d->vp, q, vdq_error_name(vq->error));
                return false;
        }
        d->stats.requests++;
        trace_complete(d, q, &r, status);
        return true;
}

/* The driver notified queue q: serve everything available (at most one ring's worth, so
 * a notification always ends), then tell the driver. */
static void blk_queue_notify(struct virtio_pci_dev *vpd, unsigned q)
{
        struct virtio_blk_dev *d = BLK_OF(vpd);
        struct vdev_queue *vq = virtio_pci_queue(vpd, q);
        if (!vq)
                return;
        for (uint32_t i = 0; i < vq->qsz; i++) {
                ccada_status s = vdq_pop(vq, &d->elem);
                if (s == CCADA_E_BUSY)
                        break;
                if (s != CCADA_OK) {
                        virtio_pci_dev_needs_reset(vpd, q, vdq_error_name(vq->error));
                        return;
                }
                if (!serve(d, q, vq))
                        return;
        }
        virtio_pci_queue_done(vpd, q);
}

static const struct virtio_pci_ops blk_ops = {
        .cfg_read = blk_cfg_read,
        .cfg_write = blk_cfg_write,
        .queue_notify = blk_queue_notify,
        .reset = NULL, /* requests complete synchronously: nothing in flight */
};

/* ---- life cycle ---- */

/* Allocates d with its transport. */
static ccada_status blk_create(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg)
{
        struct virtio_blk_dev *d = calloc(1, sizeof(*d));
        if (!d)
                return CCADA_E_NOMEM;
        const char *id = cfg->serial ? cfg->serial : VIRTIO_BLK_DEV_DEFAULT_ID;
        /* NUL-padded; a 20-byte serial has no terminator.  virtio 1.2 §5.2.6 */
        memcpy(d->serial, id, strnlen(id, sizeof(d->serial)));
        struct virtio_pci_config vc = {
                .device_id = VIRTIO_ID_BLOCK,
                .class_code = VIRTIO_BLK_DEV_CLASS,
                .features = VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
                            VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH),
                .num_queues = 1,
                .queue_size_max = cfg->queue_size ? cfg->queue_size : VIRTIO_BLK_DEV_QUEUE_SIZE,
                .cfg_size = VIRTIO_BLK_CFG_SIZE,
                .ops = &blk_ops,
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

ccada_status virtio_blk_dev_open(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg,
                                 struct blk_backend *b)
{
        uint64_t size;
        struct virtio_blk_dev *d;
        ccada_status s = CCADA_E_INVAL;

        if (out && cfg && cfg->vm && b && (s = blk_backend_size(b, &size)) == CCADA_OK)
                s = size < VIRTIO_BLK_SECTOR_SIZE ? CCADA_E_INVAL : blk_create(&d, cfg);
        if (s != CCADA_OK) {
                blk_backend_close(b);
                return s;
        }
        d->backend = b;
        d->capacity = size >> VIRTIO_BLK_SECTOR_SHIFT;
        *out = d;
        return CCADA_OK;
}

static bool config_ok(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg)
{
        return out && cfg && cfg->vm;
}

/* Rounds size down to whole sectors. */
static uint64_t whole_sectors(uint64_t size)
{
        return size & ~(uint64_t)(VIRTIO_BLK_SECTOR_SIZE - 1);
}

ccada_status virtio_blk_dev_open_ram(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg,
                                     uint64_t size, struct blk_error *why)
{
        struct blk_backend *b;
        if (!config_ok(out, cfg) || size < VIRTIO_BLK_SECTOR_SIZE || size > SIZE_MAX)
                return CCADA_E_INVAL;
        ccada_status s = blk_ram_open(&b, whole_sectors(size), why);
        return s == CCADA_OK ? virtio_blk_dev_open(out, cfg, b) : s;
}

/* The file wrappers' rule: a file smaller than a sector is an I/O error (BLK_ERR_TOO_SMALL). */
static ccada_status open_file_backend(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg,
                                      struct blk_backend *b, struct blk_error *why)
{
        uint64_t size;
        if (blk_backend_size(b, &size) != CCADA_OK || size < VIRTIO_BLK_SECTOR_SIZE) {
                blk_backend_close(b);
                return blk_fail(why, BLK_OP_OPEN, BLK_ERR_TOO_SMALL, 0, 0);
        }
        return virtio_blk_dev_open(out, cfg, b);
}

/* An image that holds data, read-only under a copy-on-write overlay; else a new image of
 * create bytes (a missing file created, an empty one grown), read and written. */
static ccada_status open_protected(struct blk_backend **out, const char *path, uint64_t create,
                                   struct blk_error *why)
{
        struct blk_backend *ro = NULL;
        uint64_t size = 0;
        for (unsigned attempt = 0; attempt < 2; attempt++) {
                ccada_status s = blk_file_open_read_only(&ro, path, why);
                if (s == CCADA_OK && blk_backend_size(ro, &size) == CCADA_OK && size > 0)
                        return blk_cow_open(out, ro, why);
                blk_backend_close(ro);
                ro = NULL;
                bool missing = s != CCADA_OK && why && why->reason == BLK_ERR_SYSTEM && why->sys_errno == ENOENT;
                if ((s != CCADA_OK && !missing) || create == 0)
                        return s != CCADA_OK ? s : blk_file_open_read_only(out, path, why); /* empty: too small */
                s = blk_file_open_new(out, path, create, why);
                if (s == CCADA_OK || !why || why->reason != BLK_ERR_SYSTEM || why->sys_errno != EEXIST)
                        return s;
                /* It holds data now (written since we looked): protect it after all. */
        }
        return blk_fail(why, BLK_OP_OPEN, BLK_ERR_SYSTEM, EAGAIN, 0);
}

ccada_status virtio_blk_dev_open_file(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg,
                                      const char *path, uint64_t create_size_if_missing, struct blk_error *why)
{
        struct blk_backend *b;
        struct blk_error e = { .op = BLK_OP_OPEN };
        if (!config_ok(out, cfg) || !path)
                return CCADA_E_INVAL;
        uint64_t create = whole_sectors(create_size_if_missing);
        ccada_status s = open_protected(&b, path, create <= INT64_MAX ? create : 0, &e);
        if (s == CCADA_OK)
                s = open_file_backend(out, cfg, b, &e);
        if (why)
                *why = e;
        return s;
}

ccada_status virtio_blk_dev_open_file_writable(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg,
                                               const char *path, uint64_t create_size_if_missing,
                                               struct blk_error *why)
{
        struct blk_backend *b;
        if (!config_ok(out, cfg) || !path)
                return CCADA_E_INVAL;
        uint64_t create = whole_sectors(create_size_if_missing);
        ccada_status s = blk_file_open(&b, path, create <= INT64_MAX ? create : 0, why);
        return s == CCADA_OK ? open_file_backend(out, cfg, b, why) : s;
}

ccada_status virtio_blk_dev_open_temp(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg,
                                      uint64_t size, struct blk_error *why)
{
        struct blk_backend *b;
        if (!config_ok(out, cfg) || size < VIRTIO_BLK_SECTOR_SIZE || size > INT64_MAX)
                return CCADA_E_INVAL;
        ccada_status s = blk_file_open_temp(&b, whole_sectors(size), why);
        return s == CCADA_OK ? open_file_backend(out, cfg, b, why) : s;
}

void virtio_blk_dev_close(struct virtio_blk_dev *d)
{
        if (!d)
                return;
        blk_backend_close(d->backend);
        free(d);
}

struct virtio_pci_dev *virtio_blk_dev_pci(struct virtio_blk_dev *d) { return &d->vp; }

struct host_pci_func *virtio_blk_dev_func(struct virtio_blk_dev *d) { return virtio_pci_dev_func(&d->vp); }

uint64_t virtio_blk_dev_capacity(const struct virtio_blk_dev *d) { return d->capacity; }

void virtio_blk_dev_get_stats(const struct virtio_blk_dev *d, struct virtio_blk_dev_stats *st) { *st = d->stats; }

struct blk_backend *virtio_blk_dev_backend(struct virtio_blk_dev *d) { return d->backend; }

int virtio_blk_dev_fd(const struct virtio_blk_dev *d) { return blk_file_fd(d->backend); }
