/* Guest-side benchmarks, run as the kernel's init. They time native code with the
 * simulator's monotonic clock: figures are of this software, not of silicon. Parameters
 * and results are struct realm_bench (realm/report.h), reached with rk_bench(k).
 */
#ifndef CCADA_REALM_BENCH_H
#define CCADA_REALM_BENCH_H

#include "realm/kernel.h"
#include "realm/report.h"

/* Kernel init that runs the virtio-blk benchmark into rk_bench(k)->blk. */
void realm_bench_blk(struct realm_kernel *k);

/* Kernel init that runs the SWIOTLB benchmark into rk_bench(k). */
void realm_bench_swiotlb(struct realm_kernel *k);

#endif
