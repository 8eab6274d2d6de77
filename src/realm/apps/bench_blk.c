/* bench-blk: virtio-blk requests per second, cell by cell (queue depth x direction x size),
 * through the whole data path (DMA API, SWIOTLB in a Realm, the queue, one notify per
 * batch). See bench.h for what it reports. */
#include <string.h>

#include "ccada/report.h"
#include "lib/container.h"
#include "proto/hostcall.h"
#include "realm/apps/bench.h"
#include "realm/cmdline.h"
#include "realm/pci.h"
#include "realm/virtio_blk.h"

#define BLK_REGION (32u << 20)          /* requests go to consecutive offsets, wrapping here */
#define BLK_MAX_QD 32u
#define BLK_BYTES_PER_CELL (8u << 20)   /* per repetition; at least BLK_MIN_OPS requests */
#define BLK_MIN_OPS 32u
#define BLK_MAX_FIXED_QD 256u

static const uint32_t blk_sizes[] = { 4096, 16384, 65536, 262144, 1048576 };
static const unsigned blk_qds[] = { 1, BLK_MAX_QD };

#define BLK_NCELLS (ARRAY_SIZE(blk_qds) * 2 * ARRAY_SIZE(blk_sizes))

struct blk_cell {
        unsigned qd;
        bool write;
        uint32_t size;
        unsigned ops;
};

/* Cell n: queue depths outermost, then read before write, then the sizes ascending. */
static struct blk_cell cell_of(unsigned n)
{
        unsigned nsizes = ARRAY_SIZE(blk_sizes);
        struct blk_cell c = { .qd = blk_qds[n / (2 * nsizes)], .write = (n / nsizes) % 2,
                              .size = blk_sizes[n % nsizes] };
        unsigned ops = BLK_BYTES_PER_CELL / c.size;
        c.ops = ops < BLK_MIN_OPS ? BLK_MIN_OPS : ops; /* a multiple of every depth */
        return c;
}

/* ops requests of size bytes, qd per batch (one notify each), at consecutive offsets of
 * the region from buffers buf + i * size. */
static ccada_status blk_requests(struct virtio_blk *b, uint64_t buf, bool write, uint32_t size, unsigned qd,
                                 uint64_t ops)
{
        struct virtio_blk_io ios[BLK_MAX_FIXED_QD];
        struct blk_seg segs[BLK_MAX_FIXED_QD];
        uint64_t next = 0;

        for (uint64_t done = 0; done < ops;) {
                unsigned n = ops - done < qd ? (unsigned)(ops - done) : qd;
                for (unsigned i = 0; i < n; i++) {
                        segs[i] = (struct blk_seg){ .ipa = buf + (uint64_t)(i % BLK_MAX_QD) * size, .len = size };
                        ios[i] = (struct virtio_blk_io){ .write = write, .sector = next / 512, .segs = &segs[i],
                                                         .nseg = 1 };
                        next = (next + size) % BLK_REGION;
                }
                ccada_status st = virtio_blk_submit(b, ios, n);
                if (st != CCADA_OK)
                        return st;
                done += n;
        }
        return CCADA_OK;
}

/* Hands one figure to the host (ccada bench pairs it with the other VM's). */
static ccada_status give_sample(struct realm_kernel *k, unsigned cell, unsigned rep, double ns,
                                const struct blk_cell *c, double memcpy_ns, double cold_ns)
{
        uint64_t g[31] = { cell, rep, (uint64_t)ns, c->ops, (uint64_t)c->ops * c->size, (uint64_t)(memcpy_ns * 1000),
                           (uint64_t)(cold_ns * 1000) };
        return rk_host_call(k, HOSTCALL_BENCH_SAMPLE, g);
}

struct blk_run {
        struct realm_kernel *k;
        struct virtio_blk *b;
        uint64_t buf;                   /* BLK_MAX_QD * 1 MiB of private memory */
        uint8_t *na, *nb;               /* 1 MiB each: the native memcpy */
        struct bench_cold cold;         /* a memcpy into memory not in the cache */
        double ns[BLK_NCELLS][BENCH_MAX_REPS], mc[BLK_NCELLS][BENCH_MAX_REPS], mc_cold[BLK_NCELLS][BENCH_MAX_REPS];
};

static void report_cell(struct blk_run *r, unsigned n, unsigned reps)
{
        struct blk_cell c = cell_of(n);
        char name[48];
        snprintf(name, sizeof(name), BENCH_BLK_SECTION "%u", n);
        struct ccada_report_section *s = rk_report_section(r->k, name);
        double ns = bench_median(r->ns[n], reps) / c.ops;
        ccada_report_u64(s, "qd", c.qd);
        ccada_report_text(s, "dir", c.write ? "write" : "read");
        ccada_report_u64(s, "size", c.size);
        ccada_report_u64(s, "ops", c.ops);
        ccada_report_u64(s, "reps", reps);
        ccada_report_double(s, "ns_per_op", ns, 1);
        ccada_report_double(s, "mbps", c.size / ns * 1e3, 1);
        ccada_report_double(s, "iops", 1e9 / ns, 0);
        ccada_report_double(s, "memcpy_ns", bench_median(r->mc[n], reps), 1);
        ccada_report_double(s, "memcpy_cold_ns", bench_median(r->mc_cold[n], reps), 1);
}

/* Every cell, repetition by repetition (so that two VMs alternating through the host see
 * the same conditions for the same cell), then the medians. */
static ccada_status blk_cells(struct blk_run *r, unsigned reps)
{
        for (unsigned rep = 0; rep < reps; rep++) {
                for (unsigned n = 0; n < BLK_NCELLS; n++) {
                        struct blk_cell c = cell_of(n);
                        double t0 = bench_now_ns();
                        ccada_status st = blk_requests(r->b, r->buf, c.write, c.size, c.qd, c.ops);
                        if (st != CCADA_OK)
                                return st;
                        r->ns[n][rep] = bench_now_ns() - t0;
                        unsigned copies = BLK_BYTES_PER_CELL / c.size;
                        r->mc[n][rep] = bench_time_memcpy(r->nb, r->na, c.size, copies < 16 ? 16 : copies);
                        r->mc_cold[n][rep] = bench_time_memcpy_cold_isolated(&r->cold, r->na, c.size, copies < 16 ? 16 : copies);
                        if ((st = give_sample(r->k, n, rep, r->ns[n][rep], &c, r->mc[n][rep], r->mc_cold[n][rep])) !=
                            CCADA_OK)
                                return st;
                }
        }
        for (unsigned n = 0; n < BLK_NCELLS; n++)
                report_cell(r, n, reps);
        return CCADA_OK;
}

/* Fixed work (ccada.bench_ops=N): N requests of ccada.bench_size bytes (default 4096; a
 * multiple of 512 up to 1 MiB), ccada.bench_dir read (default) or write, ccada.bench_qd per
 * batch (default 1, at most 256), untimed, for an instruction counter. False when the
 * command line asks for none; *why says what is malformed. */
static bool fixed_work(struct realm_kernel *k, uint64_t *ops, struct blk_cell *c, const char **why)
{
        enum ccada_number_error e = CCADA_NUMBER_OK;
        uint64_t v;
        const char *d;
        size_t len;

        *why = NULL;
        if (!cmdline_u64(rk_cmdline(k), "ccada.bench_ops", ops, &e) || e != CCADA_NUMBER_OK)
                return false;
        *c = (struct blk_cell){ .qd = 1, .size = 4096 };
        if (cmdline_u64(rk_cmdline(k), "ccada.bench_size", &v, &e) && e == CCADA_NUMBER_OK && v)
                c->size = (uint32_t)(v <= VIRTIO_BLK_MAX_IO ? v : 0);
        if (cmdline_u64(rk_cmdline(k), "ccada.bench_qd", &v, &e) && e == CCADA_NUMBER_OK)
                c->qd = (unsigned)(v <= BLK_MAX_FIXED_QD ? v : 0);
        if (cmdline_param(rk_cmdline(k), "ccada.bench_dir", &d, &len))
                c->write = len == 5 && !memcmp(d, "write", 5);
        if (!c->size || c->size % 512)
                *why = "ccada.bench_size must be a multiple of 512 up to 1 MiB";
        else if (!c->qd)
                *why = "ccada.bench_qd must be 1..256";
        return true;
}

static ccada_status blk_fixed(struct blk_run *r, uint64_t ops, const struct blk_cell *c)
{
        ccada_status st = blk_requests(r->b, r->buf, c->write, c->size, c->qd, ops);
        if (st != CCADA_OK)
                return st;
        struct ccada_report_section *s = rk_report_section(r->k, BENCH_BLK_SECTION "fixed");
        ccada_report_u64(s, "ops", ops);
        ccada_report_u64(s, "size", c->size);
        ccada_report_u64(s, "qd", c->qd);
        ccada_report_text(s, "dir", c->write ? "write" : "read");
        return CCADA_OK;
}

void realm_bench_blk(struct realm_kernel *k)
{
        struct pci_root *root = rk_zalloc(k, 1, sizeof(*root));
        struct blk_run *r = rk_zalloc(k, 1, sizeof(*r));
        struct blk_cell fixed = { 0 };
        uint64_t ops = 0;
        const char *why = NULL;
        unsigned reps = bench_reps(k);
        bool is_fixed = fixed_work(k, &ops, &fixed, &why);
        rk_report_check(k, "bench_blk_completed", false); /* until shown */
        rk_set_current(k, "blk-bench", 151);
        ccada_status st = root && r ? CCADA_OK : CCADA_E_NOMEM;
        if (st == CCADA_OK) {
                r->k = k;
                r->na = rk_zalloc(k, 1, VIRTIO_BLK_MAX_IO);
                r->nb = rk_zalloc(k, 1, VIRTIO_BLK_MAX_IO);
                bool cold = is_fixed || bench_cold_init(k, &r->cold);
                st = r->na && r->nb && cold ? virtio_blk_probe_first(k, root, &r->b) : CCADA_E_NOMEM;
        }
        if (st == CCADA_OK)
                st = rk_alloc_pages(k, (size_t)BLK_MAX_QD * VIRTIO_BLK_MAX_IO / RK_PAGE_SIZE, &r->buf);
        bool refused = false; /* a malformed fixed-work request */
        if (st == CCADA_OK && is_fixed) {
                if ((refused = why != NULL))
                        rk_report_error(k, "bench-blk: %s", why);
                else
                        st = blk_fixed(r, ops, &fixed);
        } else if (st == CCADA_OK) {
                st = blk_cells(r, reps);
        }
        if (st != CCADA_OK)
                rk_report_error(k, "bench-blk: virtio-blk: %s", ccada_status_text(st));
        rk_report_check(k, "bench_blk_completed", st == CCADA_OK && !refused);
        if (r) {
                virtio_blk_destroy(r->b);
                rk_kfree(k, r->na);
                rk_kfree(k, r->nb);
                bench_cold_fini(k, &r->cold);
        }
        rk_kfree(k, r);
        rk_kfree(k, root);
}
