/* What the benchmark apps leave for the board to read once the Realm is off (struct
 * realm_bench; everything else a run finds goes into the generic report, rk_report_*). The
 * kernel keeps one, so the type lives here, below the kernel, and an app's header
 * (realm/bench.h) is never included by the kernel. Plain data.
 */
#ifndef CCADA_REALM_REPORT_H
#define CCADA_REALM_REPORT_H

#include <stdbool.h>
#include <stdint.h>

struct realm_kernel;

#define REALM_BENCH_MAX_ROWS 16

/* One size of the SWIOTLB benchmark: medians over reps, nanoseconds per operation. */
struct realm_bench_swiotlb_row {
        uint64_t size;
        double map_unmap_ns;    /* dma_map_single(TO_DEVICE) + dma_unmap_single, bounced */
        double guest_copy_ns;   /* a private-to-private copy of size inside the guest */
        double memcpy_ns;       /* a native memcpy of size: the physical limit */
};

/* virtio-blk figures (medians): QD1, one request in flight. */
struct realm_bench_blk {
        double seq_write_mbps, seq_read_mbps;   /* 1 MiB requests over the test region */
        double rand_read_iops, rand_write_iops; /* 4 KiB at random sectors */
        double memcpy_mbps;                     /* native memcpy of 1 MiB: the limit */
        uint64_t region_bytes;
};

/* The benchmarks' parameters (set by the board before the run) and results (realm/bench.h). */
struct realm_bench {
        unsigned reps;          /* repetitions per size (median taken); default 7 */
        struct realm_bench_blk blk;
        unsigned nrows;
        struct realm_bench_swiotlb_row rows[REALM_BENCH_MAX_ROWS];
        char error[128];
};

/* The kernel's copy (zeroed when the kernel is created; never NULL). */
struct realm_bench *rk_bench(struct realm_kernel *k);

#endif
