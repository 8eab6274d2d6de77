/* bench-tdisp: the same block requests through the paravirtualized path (virtio-blk, every
 * byte bounced through SWIOTLB) and the secure direct path (the accepted TDI, every byte
 * DMA'd over the IDE stream straight into private memory), cell by cell and interleaved, so
 * that both see the same machine; and what the Realm's side of the attach costs (its
 * verification of the evidence; validating the BAR, START and DMA_ENABLE). See bench.h. */
#include <string.h>

#include "ccada/report.h"
#include "lib/container.h"
#include "proto/cblk.h"
#include "realm/apps/bench.h"
#include "realm/apps/tdi_judge.h"
#include "realm/dma.h"
#include "realm/pci.h"
#include "realm/tdi_blk.h"
#include "realm/virtio_blk.h"

#define TDISP_VDEV_ID 1
#define TDISP_REGION (32u << 20)        /* requests go to consecutive offsets, wrapping here */
#define TDISP_BYTES_PER_CELL (4u << 20) /* per repetition and path */
#define TDISP_MIN_OPS 8u

static const uint32_t sizes[] = { 4096, 16384, 65536, 262144, 1048576 };
#define NCELLS (2 * ARRAY_SIZE(sizes))

struct cell {
        bool write;
        uint32_t size;
        unsigned ops;
};

/* Cell n: reads before writes, the sizes ascending. */
static struct cell cell_of(unsigned n)
{
        struct cell c = { .write = n / ARRAY_SIZE(sizes), .size = sizes[n % ARRAY_SIZE(sizes)] };
        unsigned ops = TDISP_BYTES_PER_CELL / c.size;
        c.ops = ops < TDISP_MIN_OPS ? TDISP_MIN_OPS : ops;
        return c;
}

struct run {
        struct realm_kernel *k;
        struct virtio_blk *vb;
        struct tdi_blk *tb;
        uint64_t buf;                   /* 1 MiB of private memory */
        uint8_t *na, *nb;               /* 1 MiB each: the native memcpy */
        double bounced[NCELLS][BENCH_MAX_REPS], direct[NCELLS][BENCH_MAX_REPS], mc[NCELLS][BENCH_MAX_REPS];
};

/* c.ops requests of c.size bytes, one at a time (queue depth 1: the TDI's driver keeps one
 * request in flight), at consecutive offsets; the virtio-blk path when tdi is false. */
static ccada_status requests(struct run *r, const struct cell *c, bool tdi)
{
        uint64_t off = 0;
        for (unsigned i = 0; i < c->ops; i++) {
                ccada_status st;
                if (tdi) {
                        st = tdi_blk_rw(r->tb, c->write, off / 512, r->buf, c->size);
                } else {
                        struct blk_seg seg = { .ipa = r->buf, .len = c->size };
                        struct virtio_blk_io io = { .write = c->write, .sector = off / 512, .segs = &seg, .nseg = 1 };
                        st = virtio_blk_submit(r->vb, &io, 1);
                        if (st == CCADA_OK)
                                st = io.result;
                }
                if (st != CCADA_OK)
                        return st;
                off = (off + c->size) % TDISP_REGION;
        }
        return CCADA_OK;
}

static ccada_status cells(struct run *r, unsigned reps)
{
        for (unsigned rep = 0; rep < reps; rep++) {
                for (unsigned n = 0; n < NCELLS; n++) {
                        struct cell c = cell_of(n);
                        /* the two paths back to back, alternating which goes first */
                        for (unsigned i = 0; i < 2; i++) {
                                bool tdi = (i + rep) % 2 == 1;
                                double t0 = bench_now_ns();
                                ccada_status st = requests(r, &c, tdi);
                                if (st != CCADA_OK)
                                        return st;
                                (tdi ? r->direct : r->bounced)[n][rep] = bench_now_ns() - t0;
                        }
                        r->mc[n][rep] = bench_time_memcpy(r->nb, r->na, c.size, c.ops < 16 ? 16 : c.ops);
                }
        }
        for (unsigned n = 0; n < NCELLS; n++) {
                struct cell c = cell_of(n);
                char name[48];
                snprintf(name, sizeof(name), BENCH_TDISP_SECTION "%u", n);
                struct ccada_report_section *s = rk_report_section(r->k, name);
                double b = bench_median(r->bounced[n], reps) / c.ops, d = bench_median(r->direct[n], reps) / c.ops;
                double m = bench_median(r->mc[n], reps);
                ccada_report_text(s, "dir", c.write ? "write" : "read");
                ccada_report_u64(s, "size", c.size);
                ccada_report_u64(s, "ops", c.ops);
                ccada_report_u64(s, "reps", reps);
                ccada_report_double(s, "bounced_mbps", c.size / b * 1e3, 1);
                ccada_report_double(s, "direct_mbps", c.size / d * 1e3, 1);
                ccada_report_double(s, "direct_over_bounced", b / d, 2);
                ccada_report_double(s, "memcpy_mbps", c.size / m * 1e3, 1);
        }
        return CCADA_OK;
}

/* Verify, accept and start the device, timing the Realm's two steps. */
static ccada_status attach(struct run *r, struct dma_dev *dev, uint64_t *bar, uint64_t *bar_size)
{
        struct tdi_judgement j;
        struct rk_tdi tdi;
        double t0 = bench_now_ns();
        ccada_status st = tdi_judge(r->k, TDISP_VDEV_ID, &j);
        double t1 = bench_now_ns();
        if (st != CCADA_OK && st != CCADA_E_VERIFY)
                return st; /* no evidence: nothing to free */
        if (st != CCADA_OK || !j.judged || j.verdict != TDISP_VERDICT_ACCEPT || !j.res.range_count) {
                rk_report_error(r->k, "bench-tdisp: the Realm does not accept the device: %s",
                                j.judged ? tdisp_verdict_name(j.verdict) : "no trust provisioned");
                tdi_judge_free(r->k, &j);
                return CCADA_E_VERIFY;
        }
        st = rk_tdi_start(r->k, TDISP_VDEV_ID, &j.ev.info, &j.res.ranges[0], &tdi);
        double t2 = bench_now_ns();
        tdi_judge_free(r->k, &j);
        if (st != CCADA_OK)
                return st;
        struct ccada_report_section *s = rk_report_section(r->k, BENCH_TDISP_SECTION "attach");
        ccada_report_double(s, "realm_verify_ms", (t1 - t0) / 1e6, 3);
        ccada_report_double(s, "realm_start_ms", (t2 - t1) / 1e6, 3);
        *bar = tdi.mmio_ipa;
        *bar_size = tdi.mmio_size;
        dma_dev_init(dev, r->k, "0000:00:03.0", "tdi-blk", NULL);
        dev->force_bounce = false; /* accepted: its mappings are the IPAs */
        return CCADA_OK;
}

void realm_bench_tdisp(struct realm_kernel *k)
{
        struct pci_root *root = rk_zalloc(k, 1, sizeof(*root));
        struct run *r = rk_zalloc(k, 1, sizeof(*r));
        struct dma_dev dev;
        uint64_t bar = 0, bar_size = 0;
        unsigned reps = bench_reps(k);
        rk_report_check(k, "bench_tdisp_completed", false); /* until shown */
        rk_set_current(k, "tdisp-bench", 152);
        ccada_status st = root && r ? CCADA_OK : CCADA_E_NOMEM;
        if (st == CCADA_OK) {
                r->k = k;
                r->na = rk_zalloc(k, 1, BLK_MAX_XFER);
                r->nb = rk_zalloc(k, 1, BLK_MAX_XFER);
                st = r->na && r->nb ? attach(r, &dev, &bar, &bar_size) : CCADA_E_NOMEM;
        }
        if (st == CCADA_OK)
                st = tdi_blk_probe(k, bar, bar_size, &dev, &r->tb);
        if (st == CCADA_OK)
                st = virtio_blk_probe_first(k, root, &r->vb);
        if (st == CCADA_OK)
                st = rk_alloc_pages(k, BLK_MAX_XFER / RK_PAGE_SIZE, &r->buf);
        if (st == CCADA_OK)
                st = cells(r, reps);
        if (st != CCADA_OK)
                rk_report_error(k, "bench-tdisp: %s", ccada_status_text(st));
        rk_report_check(k, "bench_tdisp_completed", st == CCADA_OK);
        if (r) {
                if (r->buf)
                        rk_free_pages(k, r->buf, BLK_MAX_XFER / RK_PAGE_SIZE);
                tdi_blk_remove(r->tb);
                virtio_blk_destroy(r->vb);
                rk_kfree(k, r->na);
                rk_kfree(k, r->nb);
        }
        rk_kfree(k, r);
        rk_kfree(k, root);
}
