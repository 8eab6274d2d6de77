/* Guest-side benchmarks, run as the kernel's init. They time native code with the
 * simulator's monotonic clock: figures are of this software, not of silicon. */
#ifndef CCADA_REALM_BENCH_H
#define CCADA_REALM_BENCH_H

#include <stdint.h>

#include "realm/kernel.h"

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

struct realm_bench {
        unsigned reps;          /* repetitions per size (median taken); default 7 */
        struct realm_bench_blk blk;
        unsigned nrows;
        struct realm_bench_swiotlb_row rows[REALM_BENCH_MAX_ROWS];
        char error[128];
};

/* Kernel init that runs the virtio-blk benchmark into rk_bench(k)->blk. */
void realm_bench_blk(struct realm_kernel *k);

/* Kernel init that runs the SWIOTLB benchmark into rk_bench(k). */
void realm_bench_swiotlb(struct realm_kernel *k);

/* The kernel's benchmark parameters and results. */
struct realm_bench *rk_bench(struct realm_kernel *k);

#endif
