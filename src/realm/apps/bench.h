/* Guest-side benchmarks, run as the kernel's init. They time native code with the
 * simulator's monotonic clock: figures are of this software, not of silicon. Each takes its
 * repetitions from the command line ("ccada.bench_reps=N", 1..31, default 7; the median is
 * reported) and puts its figures into the kernel's report (rk_report_*):
 *
 *   bench-swiotlb  one section per size, "bench_swiotlb/<size>", in ascending size:
 *                  size, reps (u64), map_unmap_ns, guest_copy_ns, memcpy_ns (figures); the check
 *                  "bench_swiotlb_completed"
 *   bench-blk      the section "bench_blk": reps (u64), seq_write_mbps, seq_read_mbps, rand_read_iops,
 *                  rand_write_iops, memcpy_mbps (figures), region_bytes (u64); the check
 *                  "bench_blk_completed"
 *
 * A failure is the report's "error" (rk_report_error) and its check false.
 */
#ifndef CCADA_REALM_APPS_BENCH_H
#define CCADA_REALM_APPS_BENCH_H

#include "realm/kernel.h"

#define BENCH_SWIOTLB_SECTION "bench_swiotlb/" /* + the size in bytes */
#define BENCH_BLK_SECTION "bench_blk"

/* Kernel init that runs the virtio-blk benchmark. */
void realm_bench_blk(struct realm_kernel *k);

/* Kernel init that runs the SWIOTLB benchmark. */
void realm_bench_swiotlb(struct realm_kernel *k);

#endif
