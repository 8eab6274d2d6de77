/* SWIOTLB map+unmap cost per size next to a plain memcpy measured in the same run. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/container.h"
#include "realm/bench.h"
#include "realm/boot.h"
#include "realm/dma.h"

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

static ccada_status bench_size(struct realm_kernel *k, struct dma_dev *dev, uint64_t a, uint64_t b,
                               uint8_t *na, uint8_t *nb, struct realm_bench_swiotlb_row *row, unsigned reps)
{
        double m[32], g[32], c[32];
        unsigned n = iterations(row->size);
        for (unsigned r = 0; r < reps; r++) {
                ccada_status st = time_map_unmap(dev, a, row->size, n, &m[r]);
                if (st == CCADA_OK)
                        st = time_guest_copy(k, b, a, row->size, n, &g[r]);
                if (st != CCADA_OK)
                        return st;
                c[r] = time_memcpy(nb, na, row->size, n);
        }
        row->map_unmap_ns = median(m, reps);
        row->guest_copy_ns = median(g, reps);
        row->memcpy_ns = median(c, reps);
        return CCADA_OK;
}

void realm_bench_swiotlb(struct realm_kernel *k)
{
        static const uint64_t sizes[] = { 64, 256, 1024, 4096, 16384, 65536, 262144 };
        struct realm_bench *b = rk_bench(k);
        const size_t max = 262144, pages = max / RK_PAGE_SIZE;
        uint64_t a, c;
        struct dma_dev dev;
        uint8_t *na = rk_zalloc(k, 1, max), *nb = rk_zalloc(k, 1, max);
        unsigned reps = b->reps ? (b->reps > 31 ? 31 : b->reps) : 7;

        rk_set_current(k, "swiotlb-bench", 150);
        dma_dev_init(&dev, k, "bench", "ccada-bench", rk_default_swiotlb(k));
        if (!na || !nb || rk_alloc_pages(k, pages, &a) != CCADA_OK || rk_alloc_pages(k, pages, &c) != CCADA_OK) {
                snprintf(b->error, sizeof(b->error), "out of memory");
                goto out;
        }
        b->nrows = 0;
        for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
                struct realm_bench_swiotlb_row *row = &b->rows[b->nrows];
                row->size = sizes[i];
                ccada_status st = bench_size(k, &dev, a, c, na, nb, row, reps);
                if (st != CCADA_OK) {
                        snprintf(b->error, sizeof(b->error), "size %llu: %s", (unsigned long long)sizes[i],
                                 ccada_status_text(st));
                        break;
                }
                b->nrows++;
        }
out:
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

static ccada_status blk_rounds(struct realm_kernel *k, struct virtio_blk *b, uint64_t buf, unsigned reps,
                               struct realm_bench_blk *out)
{
        double sw[32], sr[32], rr[32], rw[32], mc[32];
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
        out->seq_write_mbps = median(sw, reps);
        out->seq_read_mbps = median(sr, reps);
        out->rand_read_iops = median(rr, reps);
        out->rand_write_iops = median(rw, reps);
        out->memcpy_mbps = median(mc, reps);
        out->region_bytes = BLK_BENCH_REGION;
        return CCADA_OK;
}

void realm_bench_blk(struct realm_kernel *k)
{
        struct realm_bench *bench = rk_bench(k);
        struct pci_root *root = rk_zalloc(k, 1, sizeof(*root));
        struct virtio_blk *b = NULL;
        uint64_t buf;
        unsigned reps = bench->reps ? (bench->reps > 31 ? 31 : bench->reps) : 7;
        ccada_status st = root ? virtio_blk_probe_first(k, root, &b) : CCADA_E_NOMEM;

        rk_set_current(k, "blk-bench", 151);
        if (st == CCADA_OK)
                st = rk_alloc_pages(k, BLK_BENCH_SEQ_REQ / RK_PAGE_SIZE, &buf);
        if (st == CCADA_OK)
                st = blk_rounds(k, b, buf, reps, &bench->blk);
        if (st != CCADA_OK)
                snprintf(bench->error, sizeof(bench->error), "virtio-blk: %s", ccada_status_text(st));
        virtio_blk_destroy(b);
        rk_kfree(k, root);
}
