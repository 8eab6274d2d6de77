/* The `blk-test` app (see blk_test.h). */
#include "realm/apps/blk_test.h"

#include "ccada/report.h"

#include <string.h>

#include "lib/prng.h"
#include "proto/virtio_blk.h"
#include "realm/kernel.h"
#include "realm/tdi_blk.h"

/* What one run works on. */
struct blk_run {
        struct realm_kernel *k;
        struct virtio_blk *b;   /* the disk: a virtio-blk device, */
        struct tdi_blk *t;      /* or an accepted TDI's block function */
        uint64_t bytes;
        uint32_t req;
        uint64_t sector;
        uint64_t seed;
        uint64_t wbuf, rbuf;    /* private buffers */
        size_t npages;          /* pages of each buffer */
};

static ccada_status resolve(struct blk_run *r, const struct blk_test_config *cfg)
{
        r->bytes = cfg && cfg->bytes ? cfg->bytes : BLK_TEST_DEFAULT_BYTES;
        r->req = cfg && cfg->request_size ? cfg->request_size : BLK_TEST_DEFAULT_REQUEST;
        r->sector = cfg ? cfg->start_sector : 0;
        r->seed = cfg ? cfg->seed : 0;
        if (r->bytes % VIRTIO_BLK_SECTOR_SIZE || r->bytes > BLK_TEST_MAX_BYTES ||
            r->req % VIRTIO_BLK_SECTOR_SIZE || r->req > VIRTIO_BLK_MAX_IO)
                return CCADA_E_INVAL;
        uint64_t cap = r->t ? tdi_blk_capacity(r->t) : virtio_blk_capacity(r->b);
        if (r->sector > cap || r->bytes / VIRTIO_BLK_SECTOR_SIZE > cap - r->sector)
                return CCADA_E_RANGE;
        r->npages = (size_t)((r->bytes + RK_PAGE_SIZE - 1) / RK_PAGE_SIZE);
        return CCADA_OK;
}

static ccada_status fill_pattern(const struct blk_run *r)
{
        uint8_t chunk[RK_PAGE_SIZE];
        struct prng p;

        prng_seed(&p, r->seed);
        for (uint64_t off = 0; off < r->bytes; off += sizeof(chunk)) {
                size_t n = r->bytes - off < sizeof(chunk) ? (size_t)(r->bytes - off) : sizeof(chunk);
                prng_fill(&p, chunk, n);
                ccada_status st = rk_write(r->k, r->wbuf + off, chunk, n);
                if (st != CCADA_OK)
                        return st;
        }
        return CCADA_OK;
}

/* The TDI's way: request by request, each DMA'd straight between the device and the private
 * buffer (tdi_blk.h), in requests of r->req bytes. */
static ccada_status transfer_tdi(const struct blk_run *r, bool write, uint64_t buf, uint64_t *done)
{
        ccada_status st = CCADA_OK;
        *done = 0;
        while (st == CCADA_OK && *done < r->bytes) {
                uint64_t len = r->bytes - *done < r->req ? r->bytes - *done : r->req;
                st = tdi_blk_rw(r->t, write, r->sector + *done / VIRTIO_BLK_SECTOR_SIZE, buf + *done, len);
                if (st != CCADA_OK)
                        rk_printk(r->k, "blk-test: %s at sector %llu failed: %s", write ? "write" : "read",
                                  (unsigned long long)(r->sector + *done / VIRTIO_BLK_SECTOR_SIZE), ccada_status_text(st));
                else
                        *done += len;
        }
        return st;
}

/* The whole region as one batch, as an app with many requests queued gives it to the block
 * layer: the first request as 3 segments (writev/readv) when it holds at least 3 sectors,
 * the rest in requests of r->req bytes; virtio-blk keeps up to its queue depth in flight. */
static ccada_status transfer(const struct blk_run *r, bool write, uint64_t buf, uint64_t *done)
{
        if (r->t)
                return transfer_tdi(r, write, buf, done);
        unsigned n = (unsigned)((r->bytes + r->req - 1) / r->req);
        struct virtio_blk_io *ios = rk_zalloc(r->k, n, sizeof(*ios));
        struct blk_seg *segs = rk_zalloc(r->k, (size_t)n + 2, sizeof(*segs));
        ccada_status st = ios && segs ? CCADA_OK : CCADA_E_NOMEM;
        uint64_t off = 0;

        *done = 0;
        for (unsigned i = 0; st == CCADA_OK && i < n; i++) {
                uint32_t len = r->bytes - off < r->req ? (uint32_t)(r->bytes - off) : r->req;
                ios[i] = (struct virtio_blk_io){ .write = write, .sector = r->sector + off / VIRTIO_BLK_SECTOR_SIZE,
                                                 .segs = &segs[i + 2], .nseg = 1 };
                segs[i + 2] = (struct blk_seg){ buf + off, len };
                if (i == 0 && len >= 3 * VIRTIO_BLK_SECTOR_SIZE) {
                        uint32_t a = len / VIRTIO_BLK_SECTOR_SIZE / 3 * VIRTIO_BLK_SECTOR_SIZE;
                        segs[0] = (struct blk_seg){ buf, a };
                        segs[1] = (struct blk_seg){ buf + a, a };
                        segs[2] = (struct blk_seg){ buf + 2 * (uint64_t)a, len - 2 * a };
                        ios[0].segs = segs;
                        ios[0].nseg = 3;
                }
                off += len;
        }
        if (st == CCADA_OK)
                st = virtio_blk_submit(r->b, ios, n);
        for (unsigned i = 0; ios && segs && i < n; i++) {
                if (ios[i].result != CCADA_OK) {
                        rk_printk(r->k, "blk-test: %s at sector %llu failed: %s", write ? "write" : "read",
                                  (unsigned long long)ios[i].sector, ccada_status_text(ios[i].result));
                        break;
                }
                for (unsigned s = 0; s < ios[i].nseg; s++)
                        *done += ios[i].segs[s].len;
        }
        rk_kfree(r->k, segs);
        rk_kfree(r->k, ios);
        return st;
}

static ccada_status compare(const struct blk_run *r, bool *same)
{
        uint8_t w[RK_PAGE_SIZE], d[RK_PAGE_SIZE];

        *same = false;
        for (uint64_t off = 0; off < r->bytes; off += sizeof(w)) {
                size_t n = r->bytes - off < sizeof(w) ? (size_t)(r->bytes - off) : sizeof(w);
                ccada_status st = rk_read(r->k, r->wbuf + off, w, n);
                if (st == CCADA_OK)
                        st = rk_read(r->k, r->rbuf + off, d, n);
                if (st != CCADA_OK)
                        return st;
                for (size_t i = 0; i < n; i++) {
                        if (w[i] != d[i]) {
                                rk_printk(r->k, "blk-test: data differ at offset %llu (wrote 0x%02x, read 0x%02x)",
                                          (unsigned long long)(off + i), w[i], d[i]);
                                return CCADA_E_VERIFY;
                        }
                }
        }
        *same = true;
        return CCADA_OK;
}

static ccada_status run_steps(struct blk_run *r, struct blk_test_result *res)
{
        ccada_status st = fill_pattern(r);

        if (st == CCADA_OK)
                st = transfer(r, true, r->wbuf, &res->bytes_written);
        if (st != CCADA_OK)
                return st;
        rk_printk(r->k, "blk-test: wrote %llu bytes at sector %llu in requests of %u bytes",
                  (unsigned long long)res->bytes_written, (unsigned long long)r->sector, r->req);
        if ((st = r->t ? tdi_blk_flush(r->t) : virtio_blk_flush(r->b)) != CCADA_OK) {
                rk_printk(r->k, "blk-test: flush failed: %s", ccada_status_text(st));
                return st;
        }
        rk_printk(r->k, "blk-test: flushed");
        if ((st = transfer(r, false, r->rbuf, &res->bytes_read)) != CCADA_OK ||
            (st = compare(r, &res->verified)) != CCADA_OK)
                return st;
        rk_printk(r->k, "blk-test: read back %llu bytes: verified", (unsigned long long)res->bytes_read);
        st = r->t ? CCADA_E_UNSUPPORTED : virtio_blk_get_id(r->b, res->id);
        if (st == CCADA_E_UNSUPPORTED) {
                rk_printk(r->k, "blk-test: device does not report an ID");
                return CCADA_OK;
        }
        if (st == CCADA_OK)
                rk_printk(r->k, "blk-test: device ID \"%s\"", res->id);
        return st;
}

static ccada_status run(struct blk_run *r, struct blk_test_result *res)
{
        struct virtio_blk_stats before = { 0 }, after = { 0 };
        uint64_t tdi_before = r->t ? tdi_blk_stats(r->t)->requests + tdi_blk_stats(r->t)->flushes : 0;
        ccada_status st;

        if (r->b)
                virtio_blk_get_stats(r->b, &before);
        rk_printk(r->k, "blk-test: %s: %llu sectors, testing %llu bytes, seed %llu",
                  r->t ? "tdi-blk (the accepted TDI, DMA to private memory)" : virtio_blk_name(r->b),
                  (unsigned long long)(r->t ? tdi_blk_capacity(r->t) : virtio_blk_capacity(r->b)),
                  (unsigned long long)r->bytes, (unsigned long long)r->seed);
        if ((st = rk_alloc_pages(r->k, r->npages, &r->wbuf)) != CCADA_OK)
                return st;
        if ((st = rk_alloc_pages(r->k, r->npages, &r->rbuf)) != CCADA_OK) {
                rk_free_pages(r->k, r->wbuf, r->npages);
                return st;
        }
        st = run_steps(r, res);
        rk_free_pages(r->k, r->rbuf, r->npages);
        rk_free_pages(r->k, r->wbuf, r->npages);
        if (r->t) {
                res->requests = tdi_blk_stats(r->t)->requests + tdi_blk_stats(r->t)->flushes - tdi_before;
                res->queue_depth = TDI_BLK_RING_ENTRIES;
                res->max_in_flight = 1;
        } else {
                virtio_blk_get_stats(r->b, &after);
                res->requests = after.requests - before.requests;
                res->requeues = after.requeues - before.requeues;
                res->max_in_flight = after.max_in_flight;
                res->queue_depth = after.queue_depth;
                /* the queue's numbers, next to what the demo reports of the run */
                struct ccada_report_section *sec = rk_report_section(r->k, "blk");
                ccada_report_u64(sec, "queue_depth", res->queue_depth);
                ccada_report_u64(sec, "max_in_flight", res->max_in_flight);
                ccada_report_u64(sec, "requeues", res->requeues);
        }
        rk_printk(r->k, "blk-test: %s (%llu requests)", st == CCADA_OK ? "PASS" : "FAIL",
                  (unsigned long long)res->requests);
        return st;
}

static ccada_status run_as_task(struct blk_run *r, const struct blk_test_config *cfg, struct blk_test_result *res)
{
        ccada_status st = resolve(r, cfg);
        if (st != CCADA_OK)
                return st;
        struct realm_task prev = *rk_current(r->k);
        rk_set_current(r->k, BLK_TEST_COMM, BLK_TEST_PID);
        st = run(r, res);
        rk_set_current(r->k, prev.comm, prev.pid);
        return st;
}

ccada_status blk_test_run(struct realm_kernel *k, struct virtio_blk *b, const struct blk_test_config *cfg,
                          struct blk_test_result *res)
{
        struct blk_run r = { .k = k, .b = b };

        if (!res)
                return CCADA_E_INVAL;
        memset(res, 0, sizeof(*res));
        if (!k || !b)
                return CCADA_E_INVAL;
        return run_as_task(&r, cfg, res);
}

ccada_status blk_test_run_tdi(struct realm_kernel *k, struct tdi_blk *t, const struct blk_test_config *cfg,
                              struct blk_test_result *res)
{
        struct blk_run r = { .k = k, .t = t };

        if (!res)
                return CCADA_E_INVAL;
        memset(res, 0, sizeof(*res));
        if (!k || !t)
                return CCADA_E_INVAL;
        return run_as_task(&r, cfg, res);
}
