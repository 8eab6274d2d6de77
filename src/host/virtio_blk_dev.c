/* virtio-blk device backend (see virtio_blk_dev.h).  virtio 1.2 §5.2 */
#include "host/virtio_blk_dev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/bytes.h"

#define BLK_CHUNK (64u << 10) /* bytes moved between backend and guest per step */

_Static_assert(VIRTIO_BLK_DEV_MAX_DATA % VIRTIO_BLK_SECTOR_SIZE == 0, "whole sectors");
_Static_assert(VIRTIO_BLK_DEV_SEG_MAX + 2 <= VDQ_MAX_SEGS, "header and status fit beside the data segments");

struct virtio_blk_dev {
        struct virtio_pci_dev vp;       /* first: the transport hands this back */
        int fd;                         /* file backend, or -1 */
        uint8_t *ram;                   /* RAM backend, or NULL */
        uint64_t capacity;              /* 512-byte sectors */
        char serial[VIRTIO_BLK_ID_BYTES];
        struct virtio_blk_dev_stats stats;
        struct vdq_elem elem;           /* the request being served */
        uint8_t buf[BLK_CHUNK];
};

/* One request as decoded from its chain. */
struct blk_req {
        struct virtio_blk_req_hdr hdr;
        uint64_t data_len;              /* IN/GET_ID: writable bytes before status; OUT: readable after header */
        uint32_t used_len;              /* bytes written to the writable part */
};

#define BLK_OF(vpd) ((struct virtio_blk_dev *)(void *)(vpd))

/* ---- backend ---- */

static bool file_io(int fd, bool write, uint8_t *buf, size_t len, uint64_t off)
{
        while (len > 0) {
                ssize_t n = write ? pwrite(fd, buf, len, (off_t)off) : pread(fd, buf, len, (off_t)off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) /* error, or the file shrank under us */
                        return false;
                buf += n;
                len -= (size_t)n;
                off += (uint64_t)n;
        }
        return true;
}

static bool backend_read(struct virtio_blk_dev *d, uint64_t off, uint8_t *buf, size_t len)
{
        if (d->ram) {
                memcpy(buf, d->ram + off, len);
                return true;
        }
        return file_io(d->fd, false, buf, len, off);
}

static bool backend_write(struct virtio_blk_dev *d, uint64_t off, uint8_t *buf, size_t len)
{
        if (d->ram) {
                memcpy(d->ram + off, buf, len);
                return true;
        }
        return file_io(d->fd, true, buf, len, off);
}

static bool backend_flush(struct virtio_blk_dev *d)
{
        return d->ram || fdatasync(d->fd) == 0;
}

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

static uint8_t do_in(struct virtio_blk_dev *d, struct vdev_queue *vq, struct blk_req *r)
{
        const struct vdq_elem *e = &d->elem;
        r->data_len = e->in_len - 1;
        if (e->out_len != VIRTIO_BLK_REQ_HDR_SIZE || !rw_ok(d, r))
                return VIRTIO_BLK_S_IOERR;
        uint64_t base = r->hdr.sector << VIRTIO_BLK_SECTOR_SHIFT;
        for (uint64_t off = 0; off < r->data_len; off += BLK_CHUNK) {
                size_t n = r->data_len - off < BLK_CHUNK ? (size_t)(r->data_len - off) : BLK_CHUNK;
                if (!backend_read(d, base + off, d->buf, n) || vdq_write_in(vq, e, off, d->buf, n) != CCADA_OK)
                        return VIRTIO_BLK_S_IOERR;
        }
        d->stats.reads++;
        d->stats.bytes_read += r->data_len;
        r->used_len = (uint32_t)r->data_len;
        return VIRTIO_BLK_S_OK;
}

static uint8_t do_out(struct virtio_blk_dev *d, struct vdev_queue *vq, struct blk_req *r)
{
        const struct vdq_elem *e = &d->elem;
        r->data_len = e->out_len - VIRTIO_BLK_REQ_HDR_SIZE;
        if (e->in_len != 1 || !rw_ok(d, r))
                return VIRTIO_BLK_S_IOERR;
        uint64_t base = r->hdr.sector << VIRTIO_BLK_SECTOR_SHIFT;
        for (uint64_t off = 0; off < r->data_len; off += BLK_CHUNK) {
                size_t n = r->data_len - off < BLK_CHUNK ? (size_t)(r->data_len - off) : BLK_CHUNK;
                if (vdq_read_out(vq, e, VIRTIO_BLK_REQ_HDR_SIZE + off, d->buf, n) != CCADA_OK ||
                    !backend_write(d, base + off, d->buf, n))
                        return VIRTIO_BLK_S_IOERR;
        }
        d->stats.writes++;
        d->stats.bytes_written += r->data_len;
        return VIRTIO_BLK_S_OK;
}

static uint8_t do_flush(struct virtio_blk_dev *d, struct blk_req *r)
{
        const struct vdq_elem *e = &d->elem;
        if (e->out_len != VIRTIO_BLK_REQ_HDR_SIZE || e->in_len != 1 || !backend_flush(d))
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
        struct trace *t = d->vp.cfg.trace;
        if (trace_on(t, TRACE_VIRTIO_COMPLETE))
                trace_emit(t, TRACE_VIRTIO_COMPLETE, "dev=%s q=%u head=%u type=%s sector=%llu len=%u status=%s",
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

/* Allocates d with its transport; the caller attaches a backend. */
static ccada_status blk_create(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg)
{
        if (!out || !cfg || !cfg->vm)
                return CCADA_E_INVAL;
        struct virtio_blk_dev *d = calloc(1, sizeof(*d));
        if (!d)
                return CCADA_E_NOMEM;
        d->fd = -1;
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

ccada_status virtio_blk_dev_open_ram(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg,
                                     uint64_t size)
{
        if (size < VIRTIO_BLK_SECTOR_SIZE || size > SIZE_MAX)
                return CCADA_E_INVAL;
        struct virtio_blk_dev *d;
        ccada_status s = blk_create(&d, cfg);
        if (s != CCADA_OK)
                return s;
        d->capacity = size >> VIRTIO_BLK_SECTOR_SHIFT;
        d->ram = calloc(1, (size_t)(d->capacity << VIRTIO_BLK_SECTOR_SHIFT));
        if (!d->ram) {
                free(d);
                return CCADA_E_NOMEM;
        }
        *out = d;
        return CCADA_OK;
}

/* Takes ownership of fd (closed on failure); sizes the device from it. */
static ccada_status open_fd(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg, int fd)
{
        struct stat st;
        struct virtio_blk_dev *d;
        if (fstat(fd, &st) != 0 || st.st_size < (off_t)VIRTIO_BLK_SECTOR_SIZE) {
                close(fd);
                return CCADA_E_IO;
        }
        ccada_status s = blk_create(&d, cfg);
        if (s != CCADA_OK) {
                close(fd);
                return s;
        }
        d->fd = fd;
        d->capacity = (uint64_t)st.st_size >> VIRTIO_BLK_SECTOR_SHIFT;
        *out = d;
        return CCADA_OK;
}

ccada_status virtio_blk_dev_open_file(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg,
                                      const char *path, uint64_t create_size_if_missing)
{
        if (!out || !cfg || !cfg->vm || !path)
                return CCADA_E_INVAL;
        uint64_t create = create_size_if_missing & ~(uint64_t)(VIRTIO_BLK_SECTOR_SIZE - 1);
        int fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && create > 0 && create <= INT64_MAX) {
                fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                if (fd >= 0 && ftruncate(fd, (off_t)create) != 0) {
                        close(fd);
                        unlink(path);
                        return CCADA_E_IO;
                }
        }
        if (fd < 0)
                return CCADA_E_IO;
        return open_fd(out, cfg, fd);
}

ccada_status virtio_blk_dev_open_temp(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg,
                                      uint64_t size)
{
        if (!out || !cfg || !cfg->vm || size < VIRTIO_BLK_SECTOR_SIZE || size > INT64_MAX)
                return CCADA_E_INVAL;
        const char *dir = getenv("TMPDIR");
        char path[4096];
        if (!dir || !*dir)
                dir = "/tmp";
        int n = snprintf(path, sizeof(path), "%s/ccada-blk-XXXXXX", dir);
        if (n < 0 || (size_t)n >= sizeof(path))
                return CCADA_E_INVAL;
        int fd = mkstemp(path);
        if (fd < 0)
                return CCADA_E_IO;
        unlink(path); /* the image lives only as long as the descriptor */
        if (ftruncate(fd, (off_t)(size & ~(uint64_t)(VIRTIO_BLK_SECTOR_SIZE - 1))) != 0) {
                close(fd);
                return CCADA_E_IO;
        }
        return open_fd(out, cfg, fd);
}

void virtio_blk_dev_close(struct virtio_blk_dev *d)
{
        if (!d)
                return;
        if (d->fd >= 0)
                close(d->fd);
        free(d->ram);
        free(d);
}

struct virtio_pci_dev *virtio_blk_dev_pci(struct virtio_blk_dev *d) { return &d->vp; }

struct host_pci_func *virtio_blk_dev_func(struct virtio_blk_dev *d) { return virtio_pci_dev_func(&d->vp); }

uint64_t virtio_blk_dev_capacity(const struct virtio_blk_dev *d) { return d->capacity; }

void virtio_blk_dev_get_stats(const struct virtio_blk_dev *d, struct virtio_blk_dev_stats *st) { *st = d->stats; }

int virtio_blk_dev_fd(const struct virtio_blk_dev *d) { return d->fd; }
