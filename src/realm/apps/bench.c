/* SWIOTLB map+unmap cost per size next to a plain memcpy measured in the same run. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/container.h"
#include "ccada/report.h"
#include "realm/apps/bench.h"
#include "realm/boot.h"
#include "realm/cmdline.h"
#include "realm/dma.h"

#define BENCH_MAX_REPS 31u

static double now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
        qsort(v, n, sizeof(*v), cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Enough iterations for about 8 MiB of copying per repetition, at least 64. */
static unsigned iterations(uint64_t size)
{
        uint64_t n = (8u << 20) / size;
        return (unsigned)(n < 64 ? 64 : n > 200000 ? 200000 : n);
}

static void *(*volatile memcpy_fn)(void *, const void *, size_t) = memcpy;

static double time_memcpy(uint8_t *dst, const uint8_t *src, uint64_t size, unsigned n)
{
        double t0 = now_ns();
        for (unsigned i = 0; i < n; i++) {
                memcpy_fn(dst, src, size);
                __asm__ volatile("" ::: "memory");
        }
        return (now_ns() - t0) / n;
}

static ccada_status time_map_unmap(struct dma_dev *dev, uint64_t buf, uint64_t size, unsigned n, double *ns)
{
        double t0 = now_ns();
        for (unsigned i = 0; i < n; i++) {
                uint64_t da;
                ccada_status st = dma_map_single(dev, buf, size, DMA_TO_DEVICE, 0, &da);
                if (st == CCADA_OK)
                        st = dma_unmap_single(dev, da, size, DMA_TO_DEVICE, 0);
                if (st != CCADA_OK)
                        return st;
        }
        *ns = (now_ns() - t0) / n;
        return CCADA_OK;
}

static ccada_status time_guest_copy(struct realm_kernel *k, uint64_t dst, uint64_t src, uint64_t size,
                                    unsigned n, double *ns)
{
        double t0 = now_ns();
        for (unsigned i = 0; i < n; i++) {
                ccada_status st = rk_copy(k, dst, src, size);
                if (st != CCADA_OK)
                        return st;
        }
        *ns = (now_ns() - t0) / n;
        return CCADA_OK;
}

/* The repetitions the command line asks for ("ccada.bench_reps=N", 1..31; default 7). */
static unsigned bench_reps(struct realm_kernel *k)
{
        uint64_t reps = 7;
        enum ccada_number_error why = CCADA_NUMBER_OK;
        if (cmdline_u64(rk_cmdline(k), "ccada.bench_reps", &reps, &why) &&
            (why != CCADA_NUMBER_OK || reps < 1 || reps > BENCH_MAX_REPS)) {
                rk_printk(k, "bench: ccada.bench_reps must be 1..%u; using 7", BENCH_MAX_REPS);
                reps = 7;
        }
        return (unsigned)reps;
}

/* One size: medians of reps repetitions, into the section "bench_swiotlb/<size>". */
static ccada_status bench_size(struct realm_kernel *k, struct dma_dev *dev, uint64_t a, uint64_t b,
                               uint8_t *na, uint8_t *nb, uint64_t size, unsigned reps)
{
        double m[BENCH_MAX_REPS], g[BENCH_MAX_REPS], c[BENCH_MAX_REPS];
        unsigned n = iterations(size);
        for (unsigned r = 0; r < reps; r++) {
                ccada_status st = time_map_unmap(dev, a, size, n, &m[r]);
                if (st == CCADA_OK)
                        st = time_guest_copy(k, b, a, size, n, &g[r]);
                if (st != CCADA_OK)
                        return st;
                c[r] = time_memcpy(nb, na, size, n);
        }
        char name[48];
        snprintf(name, sizeof(name), BENCH_SWIOTLB_SECTION "%llu", (unsigned long long)size);
        struct ccada_report_section *s = rk_report_section(k, name);
        ccada_report_u64(s, "size", size);
        ccada_report_u64(s, "reps", reps);
        ccada_report_double(s, "map_unmap_ns", median(m, reps), 1);
        ccada_report_double(s, "guest_copy_ns", median(g, reps), 1);
        ccada_report_double(s, "memcpy_ns", median(c, reps), 1);
        return CCADA_OK;
}

/* Fixed work (ccada.bench_ops=N): N map+unmap of one size in one direction, untimed, for an
 * instruction counter. Reported as size, ops and dir. */
static ccada_status fixed_size(struct realm_kernel *k, struct dma_dev *dev, uint64_t buf, uint64_t size,
                               uint64_t ops, enum dma_data_direction dir)
{
        for (uint64_t i = 0; i < ops; i++) {
                uint64_t da;
                ccada_status st = dma_map_single(dev, buf, size, dir, 0, &da);
                if (st == CCADA_OK)
                        st = dma_unmap_single(dev, da, size, dir, 0);
                if (st != CCADA_OK)
                        return st;
        }
        char name[48];
        snprintf(name, sizeof(name), BENCH_SWIOTLB_SECTION "%llu", (unsigned long long)size);
        struct ccada_report_section *s = rk_report_section(k, name);
        ccada_report_u64(s, "size", size);
        ccada_report_u64(s, "ops", ops);
        ccada_report_text(s, "dir", dma_data_direction_name(dir));
        return CCADA_OK;
}

/* The fixed-work request on the command line: false when there is none. */
static bool fixed_work(struct realm_kernel *k, uint64_t *ops, uint64_t *size, enum dma_data_direction *dir)
{
        enum ccada_number_error why = CCADA_NUMBER_OK;
        const char *d;
        size_t len;

        if (!cmdline_u64(rk_cmdline(k), "ccada.bench_ops", ops, &why) || why != CCADA_NUMBER_OK)
                return false;
        if (!cmdline_u64(rk_cmdline(k), "ccada.bench_size", size, &why) || why != CCADA_NUMBER_OK)
                *size = 0;
        *dir = DMA_TO_DEVICE;
        if (cmdline_param(rk_cmdline(k), "ccada.bench_dir", &d, &len)) {
                if (len == 4 && !memcmp(d, "from", 4))
                        *dir = DMA_FROM_DEVICE;
                else if (len == 4 && !memcmp(d, "bidi", 4))
                        *dir = DMA_BIDIRECTIONAL;
        }
        return true;
}

void realm_bench_swiotlb(struct realm_kernel *k)
{
        static const uint64_t sizes[] = { 64, 256, 1024, 4096, 16384, 65536, 262144 };
        const size_t max = 262144, pages = max / RK_PAGE_SIZE;
        uint64_t a, c;
        struct dma_dev dev;
        uint8_t *na = rk_zalloc(k, 1, max), *nb = rk_zalloc(k, 1, max);
        unsigned reps = bench_reps(k);
        bool done = false;

        rk_set_current(k, "swiotlb-bench", 150);
        dma_dev_init(&dev, k, "bench", "ccada-bench", rk_default_swiotlb(k));
        rk_report_check(k, "bench_swiotlb_completed", false); /* until shown */
        if (!na || !nb || rk_alloc_pages(k, pages, &a) != CCADA_OK || rk_alloc_pages(k, pages, &c) != CCADA_OK) {
                rk_report_error(k, "bench-swiotlb: out of memory");
                goto out;
        }
        uint64_t ops, only;
        enum dma_data_direction dir;
        bool fixed = fixed_work(k, &ops, &only, &dir);
        const uint64_t *list = sizes;
        size_t nsizes = ARRAY_SIZE(sizes);
        if (fixed && only) { /* one size, any from 1 byte to 256 KiB */
                list = &only;
                nsizes = 1;
        }
        for (size_t i = 0; i < nsizes; i++) {
                ccada_status st = fixed ? fixed_size(k, &dev, a, list[i], ops, dir)
                                        : bench_size(k, &dev, a, c, na, nb, list[i], reps);
                if (st != CCADA_OK) {
                        rk_report_error(k, "bench-swiotlb: size %llu: %s", (unsigned long long)list[i],
                                        ccada_status_text(st));
                        goto out;
                }
        }
        done = true;
out:
        rk_report_check(k, "bench_swiotlb_completed", done);
        rk_kfree(k, na);
        rk_kfree(k, nb);
}

/* ---- virtio-blk: sequential MB/s and 4 KiB random IOPS at queue depth 1 ---- */

#include "lib/prng.h"
#include "realm/pci.h"
#include "realm/virtio_blk.h"

#define BLK_BENCH_REGION (16u << 20)
#define BLK_BENCH_SEQ_REQ (1u << 20)
#define BLK_BENCH_RAND_OPS 2000u

static ccada_status blk_seq(struct virtio_blk *b, uint64_t buf, bool write, double *mbps)
{
        double t0 = now_ns();
        for (uint64_t off = 0; off < BLK_BENCH_REGION; off += BLK_BENCH_SEQ_REQ) {
                ccada_status st = write ? virtio_blk_write(b, off / 512, buf, BLK_BENCH_SEQ_REQ)
                                        : virtio_blk_read(b, off / 512, buf, BLK_BENCH_SEQ_REQ);
                if (st != CCADA_OK)
                        return st;
        }
        *mbps = BLK_BENCH_REGION / ((now_ns() - t0) / 1e9) / 1e6;
        return CCADA_OK;
}

static ccada_status blk_rand(struct virtio_blk *b, uint64_t buf, bool write, uint64_t seed, double *iops)
{
        struct prng rng;
        prng_seed(&rng, seed);
        double t0 = now_ns();
        for (unsigned i = 0; i < BLK_BENCH_RAND_OPS; i++) {
                uint64_t sector = prng_below(&rng, BLK_BENCH_REGION / 4096) * 8;
                ccada_status st = write ? virtio_blk_write(b, sector, buf, 4096) : virtio_blk_read(b, sector, buf, 4096);
                if (st != CCADA_OK)
                        return st;
        }
        *iops = BLK_BENCH_RAND_OPS / ((now_ns() - t0) / 1e9);
        return CCADA_OK;
}

static ccada_status blk_rounds(struct realm_kernel *k, struct virtio_blk *b, uint64_t buf, unsigned reps)
{
        double sw[BENCH_MAX_REPS], sr[BENCH_MAX_REPS], rr[BENCH_MAX_REPS], rw[BENCH_MAX_REPS],
               mc[BENCH_MAX_REPS];
        uint8_t *na = rk_zalloc(k, 1, BLK_BENCH_SEQ_REQ), *nb = rk_zalloc(k, 1, BLK_BENCH_SEQ_REQ);
        ccada_status st = na && nb ? CCADA_OK : CCADA_E_NOMEM;
        if (na && nb)
                memset(na, 0x5a, BLK_BENCH_SEQ_REQ);
        for (unsigned r = 0; r < reps && st == CCADA_OK; r++) {
                if ((st = blk_seq(b, buf, true, &sw[r])) == CCADA_OK && (st = blk_seq(b, buf, false, &sr[r])) == CCADA_OK &&
                    (st = blk_rand(b, buf, false, r + 1, &rr[r])) == CCADA_OK)
                        st = blk_rand(b, buf, true, r + 101, &rw[r]);
                mc[r] = BLK_BENCH_SEQ_REQ / (time_memcpy(nb, na, BLK_BENCH_SEQ_REQ, 16) / 1e9) / 1e6;
        }
        rk_kfree(k, na);
        rk_kfree(k, nb);
        if (st != CCADA_OK)
                return st;
        struct ccada_report_section *s = rk_report_section(k, BENCH_BLK_SECTION);
        ccada_report_u64(s, "reps", reps);
        ccada_report_double(s, "seq_write_mbps", median(sw, reps), 1);
        ccada_report_double(s, "seq_read_mbps", median(sr, reps), 1);
        ccada_report_double(s, "rand_read_iops", median(rr, reps), 0);
        ccada_report_double(s, "rand_write_iops", median(rw, reps), 0);
        ccada_report_double(s, "memcpy_mbps", median(mc, reps), 1);
        ccada_report_u64(s, "region_bytes", BLK_BENCH_REGION);
        return CCADA_OK;
}

void realm_bench_blk(struct realm_kernel *k)
{
        struct pci_root *root = rk_zalloc(k, 1, sizeof(*root));
        struct virtio_blk *b = NULL;
        uint64_t buf;
        unsigned reps = bench_reps(k);
        rk_report_check(k, "bench_blk_completed", false); /* until shown */
        ccada_status st = root ? virtio_blk_probe_first(k, root, &b) : CCADA_E_NOMEM;

        rk_set_current(k, "blk-bench", 151);
        if (st == CCADA_OK)
                st = rk_alloc_pages(k, BLK_BENCH_SEQ_REQ / RK_PAGE_SIZE, &buf);
        if (st == CCADA_OK)
                st = blk_rounds(k, b, buf, reps);
        if (st != CCADA_OK)
                rk_report_error(k, "bench-blk: virtio-blk: %s", ccada_status_text(st));
        rk_report_check(k, "bench_blk_completed", st == CCADA_OK);
        virtio_blk_destroy(b);
        rk_kfree(k, root);
}
