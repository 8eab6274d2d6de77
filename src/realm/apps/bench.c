/* bench-swiotlb: SWIOTLB map+unmap cost per direction, pool state and size, next to a plain
 * memcpy measured in the same run. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/container.h"
#include "ccada/report.h"
#include "realm/apps/bench.h"
#include "realm/boot.h"
#include "realm/cmdline.h"
#include "realm/dma.h"
#include "realm/swiotlb.h"

#define BUSY_MAPS 32u /* the mappings a busy pool holds: a queue-depth-32 workload's, */
                      /* or as many as fill half of a smaller pool */

/* Enough iterations for about 4 MiB of copying per repetition, at least 64. */
static unsigned iterations(uint64_t size)
{
        uint64_t n = (4u << 20) / size;
        return (unsigned)(n < 64 ? 64 : n > 200000 ? 200000 : n);
}

/* n map+unmap of [buf, buf + size) in direction dir. */
static ccada_status map_unmap(struct dma_dev *dev, uint64_t buf, uint64_t size, enum dma_data_direction dir,
                              uint64_t n)
{
        for (uint64_t i = 0; i < n; i++) {
                uint64_t da;
                ccada_status st = dma_map_single(dev, buf, size, dir, 0, &da);
                if (st == CCADA_OK)
                        st = dma_unmap_single(dev, da, size, dir, 0);
                if (st != CCADA_OK)
                        return st;
        }
        return CCADA_OK;
}

static ccada_status time_map_unmap(struct dma_dev *dev, uint64_t buf, uint64_t size, enum dma_data_direction dir,
                                   unsigned n, double *ns)
{
        double t0 = bench_now_ns();
        ccada_status st = map_unmap(dev, buf, size, dir, n);
        *ns = (bench_now_ns() - t0) / n;
        return st;
}

static ccada_status time_guest_copy(struct realm_kernel *k, uint64_t dst, uint64_t src, uint64_t size,
                                    unsigned n, double *ns)
{
        double t0 = bench_now_ns();
        for (unsigned i = 0; i < n; i++) {
                ccada_status st = rk_copy(k, dst, src, size);
                if (st != CCADA_OK)
                        return st;
        }
        *ns = (bench_now_ns() - t0) / n;
        return CCADA_OK;
}

/* Copies a bounced map+unmap makes (swiotlb.h): every map copies in; the unmap copies back
 * for FROM_DEVICE and BIDIRECTIONAL. None without bouncing (a normal VM). */
static unsigned bounce_copies(const struct dma_dev *dev, enum dma_data_direction dir)
{
        if (!dev->force_bounce)
                return 0;
        return dir == DMA_TO_DEVICE ? 1 : 2;
}

struct sw_cell {
        enum dma_data_direction dir;
        bool busy;
        uint64_t size;
};

/* The buffers of one run: a and b (256 KiB each, private), na and nb (native), and the
 * cold area of a memcpy into memory not in the cache. */
struct sw_bufs {
        uint64_t a, b;
        uint8_t *na, *nb;
        struct bench_cold cold;
};

/* The mappings of size bytes a busy pool holds: BUSY_MAPS, or half the pool's room. */
static unsigned busy_maps(const struct dma_dev *dev, uint64_t size)
{
        struct swiotlb_stats st;
        if (!dev->tlb)
                return BUSY_MAPS;
        swiotlb_get_stats(dev->tlb, &st);
        uint64_t room = st.nslabs / 2 / ((size + IO_TLB_SIZE - 1) / IO_TLB_SIZE + 1); /* + 1: alignment */
        return room < BUSY_MAPS ? (unsigned)room : BUSY_MAPS;
}

/* Maps (on) or unmaps the busy pool's mappings of size bytes, each of b (TO_DEVICE mappings
 * of one buffer may overlap: the device only reads them). */
static ccada_status busy_pool(struct dma_dev *dev, const struct sw_bufs *bf, uint64_t size, bool on,
                              uint64_t da[BUSY_MAPS])
{
        for (unsigned i = 0; i < busy_maps(dev, size); i++) {
                ccada_status st = on ? dma_map_single(dev, bf->b, size, DMA_TO_DEVICE, 0, &da[i])
                                     : dma_unmap_single(dev, da[i], size, DMA_TO_DEVICE, 0);
                if (st != CCADA_OK)
                        return st;
        }
        return CCADA_OK;
}

static const char *dir_key(enum dma_data_direction dir)
{
        return dir == DMA_TO_DEVICE ? "to" : dir == DMA_FROM_DEVICE ? "from" : "bidi";
}

/* One cell: medians of reps repetitions, into "bench_swiotlb/<dir>/<idle|busy>/<size>". */
static ccada_status bench_cell(struct realm_kernel *k, struct dma_dev *dev, struct sw_bufs *bf,
                               const struct sw_cell *c, unsigned reps)
{
        double m[BENCH_MAX_REPS], g[BENCH_MAX_REPS], mc[BENCH_MAX_REPS], cold[BENCH_MAX_REPS];
        uint64_t held[BUSY_MAPS];
        unsigned n = iterations(c->size);
        ccada_status st = c->busy ? busy_pool(dev, bf, c->size, true, held) : CCADA_OK;
        for (unsigned r = 0; r < reps && st == CCADA_OK; r++) {
                st = time_map_unmap(dev, bf->a, c->size, c->dir, n, &m[r]);
                if (st == CCADA_OK)
                        st = time_guest_copy(k, bf->b, bf->a, c->size, n, &g[r]);
                mc[r] = bench_time_memcpy(bf->nb, bf->na, c->size, n);
                cold[r] = bench_time_memcpy_cold(&bf->cold, bf->na, c->size, n);
        }
        if (c->busy && st == CCADA_OK)
                st = busy_pool(dev, bf, c->size, false, held);
        if (st != CCADA_OK)
                return st;
        char name[64];
        snprintf(name, sizeof(name), BENCH_SWIOTLB_SECTION "%s/%s/%llu", dir_key(c->dir), c->busy ? "busy" : "idle",
                 (unsigned long long)c->size);
        struct ccada_report_section *s = rk_report_section(k, name);
        double mu = bench_median(m, reps), memcpy_ns = bench_median(mc, reps), cold_ns = bench_median(cold, reps);
        unsigned copies = bounce_copies(dev, c->dir);
        ccada_report_u64(s, "size", c->size);
        ccada_report_text(s, "dir", dma_data_direction_name(c->dir));
        ccada_report_text(s, "pool", c->busy ? "busy" : "idle");
        ccada_report_u64(s, "held", c->busy ? busy_maps(dev, c->size) : 0);
        ccada_report_u64(s, "reps", reps);
        ccada_report_u64(s, "copies", copies);
        ccada_report_double(s, "map_unmap_ns", mu, 1);
        ccada_report_double(s, "guest_copy_ns", bench_median(g, reps), 1);
        ccada_report_double(s, "memcpy_ns", memcpy_ns, 1);
        ccada_report_double(s, "memcpy_cold_ns", cold_ns, 1);
        /* The map's copy lands in a slot Linux's next-fit cursor reaches once per pool: cold.
         * The unmap's copy back reads the slot the map (or the device) just wrote: cached. */
        ccada_report_double(s, "extra_ns", mu - (copies ? cold_ns + (copies - 1) * memcpy_ns : 0), 1);
        return CCADA_OK;
}

/* Fixed work (ccada.bench_ops=N): N map+unmap of one size in one direction, untimed, for an
 * instruction counter. Reported as size, ops and dir. */
static ccada_status fixed_size(struct realm_kernel *k, struct dma_dev *dev, uint64_t buf, uint64_t size,
                               uint64_t ops, enum dma_data_direction dir)
{
        ccada_status st = map_unmap(dev, buf, size, dir, ops);
        if (st != CCADA_OK)
                return st;
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

/* Every cell: directions outermost, then idle before busy, then the sizes ascending. */
static ccada_status bench_cells(struct realm_kernel *k, struct dma_dev *dev, struct sw_bufs *bf, unsigned reps)
{
        static const uint64_t sizes[] = { 64, 256, 1024, 4096, 16384, 65536, 262144 };
        static const enum dma_data_direction dirs[] = { DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_BIDIRECTIONAL };
        for (size_t d = 0; d < ARRAY_SIZE(dirs); d++) {
                for (unsigned busy = 0; busy < 2; busy++) {
                        for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
                                struct sw_cell c = { .dir = dirs[d], .busy = busy, .size = sizes[i] };
                                ccada_status st = bench_cell(k, dev, bf, &c, reps);
                                if (st != CCADA_OK) {
                                        rk_report_error(k, "bench-swiotlb: %s, %s pool, size %llu: %s",
                                                        dma_data_direction_name(c.dir), busy ? "busy" : "idle",
                                                        (unsigned long long)c.size, ccada_status_text(st));
                                        return st;
                                }
                        }
                }
        }
        return CCADA_OK;
}

void realm_bench_swiotlb(struct realm_kernel *k)
{
        const size_t max = 262144, pages = max / RK_PAGE_SIZE;
        struct sw_bufs bf = { .na = rk_zalloc(k, 1, max), .nb = rk_zalloc(k, 1, max) };
        struct dma_dev dev;
        unsigned reps = bench_reps(k);
        bool done = false;
        uint64_t ops = 0, only = 0;
        enum dma_data_direction dir = DMA_TO_DEVICE;

        rk_set_current(k, "swiotlb-bench", 150);
        dma_dev_init(&dev, k, "bench", "ccada-bench", rk_default_swiotlb(k));
        rk_report_check(k, "bench_swiotlb_completed", false); /* until shown */
        bool fixed = fixed_work(k, &ops, &only, &dir);
        if (!bf.na || !bf.nb || rk_alloc_pages(k, pages, &bf.a) != CCADA_OK ||
            rk_alloc_pages(k, pages, &bf.b) != CCADA_OK || (!fixed && !bench_cold_init(k, &bf.cold))) {
                rk_report_error(k, "bench-swiotlb: out of memory");
                goto out;
        }
        if (!fixed) {
                done = bench_cells(k, &dev, &bf, reps) == CCADA_OK;
                goto out;
        }
        static const uint64_t sizes[] = { 64, 256, 1024, 4096, 16384, 65536, 262144 };
        const uint64_t *list = only ? &only : sizes; /* one size, any from 1 byte to 256 KiB */
        size_t nsizes = only ? 1 : ARRAY_SIZE(sizes);
        for (size_t i = 0; i < nsizes; i++) {
                ccada_status st = fixed_size(k, &dev, bf.a, list[i], ops, dir);
                if (st != CCADA_OK) {
                        rk_report_error(k, "bench-swiotlb: size %llu: %s", (unsigned long long)list[i],
                                        ccada_status_text(st));
                        goto out;
                }
        }
        done = true;
out:
        rk_report_check(k, "bench_swiotlb_completed", done);
        rk_kfree(k, bf.na);
        rk_kfree(k, bf.nb);
        bench_cold_fini(k, &bf.cold);
}
