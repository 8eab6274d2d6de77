/* Guest-side benchmarks, run as the kernel's init. They time native code with the
 * simulator's monotonic clock: figures are of this software, not of silicon. Each takes its
 * repetitions from the command line ("ccada.bench_reps=N", 1..31, default 7; the median is
 * reported) and puts its figures into the kernel's report (rk_report_*):
 *
 *   bench-swiotlb  one section per size, "bench_swiotlb/<size>", in ascending size:
 *                  size, reps (u64), map_unmap_ns, guest_copy_ns, memcpy_ns (figures); the check
 *                  "bench_swiotlb_completed"
 *   bench-blk      one section per cell (queue depth x direction x size), "bench_blk/<n>"
 *                  for cell n from 0: qd, size, ops, reps (u64), dir ("read", "write"),
 *                  ns_per_op, mbps, iops, memcpy_ns (medians); the check
 *                  "bench_blk_completed". Each repetition of each cell is also given to the
 *                  host as it is measured (HOSTCALL_BENCH_SAMPLE), so that ccada bench can
 *                  alternate a Realm and a normal VM cell by cell.
 *
 *   bench-tdisp    the board's device accepted and started first ("bench_tdisp/attach":
 *                  realm_verify_ms, realm_start_ms); then one section per cell (direction x
 *                  size, 4 KiB .. 1 MiB, queue depth 1), "bench_tdisp/<n>": dir, size, ops,
 *                  reps, bounced_mbps (virtio-blk), direct_mbps (the TDI), direct_over_bounced,
 *                  memcpy_mbps (medians; the two paths back to back in each repetition, which
 *                  one first alternating); the check "bench_tdisp_completed"
 *
 * Fixed work instead ("ccada.bench_ops=N", with ccada.bench_size, ccada.bench_dir and for
 * bench-blk ccada.bench_qd): N operations, untimed, for an instruction counter; reported in
 * "bench_swiotlb/<size>" or "bench_blk/fixed" as what ran.
 *
 * A failure is the report's "error" (rk_report_error) and its check false.
 */
#ifndef CCADA_REALM_APPS_BENCH_H
#define CCADA_REALM_APPS_BENCH_H

#include "realm/kernel.h"

#define BENCH_SWIOTLB_SECTION "bench_swiotlb/" /* + the size in bytes */
#define BENCH_BLK_SECTION "bench_blk/" /* + the cell number, or "fixed" */
#define BENCH_TDISP_SECTION "bench_tdisp/" /* + the cell number, or "attach" */
#define BENCH_MAX_REPS 31u

/* Kernel init that runs the virtio-blk benchmark. */
void realm_bench_blk(struct realm_kernel *k);

/* Kernel init that runs the direct (TDISP, IDE) against bounced (virtio-blk) benchmark. */
void realm_bench_tdisp(struct realm_kernel *k);

/* Kernel init that runs the SWIOTLB benchmark. */
void realm_bench_swiotlb(struct realm_kernel *k);

/* Shared by the apps (bench_util.c). */
double bench_now_ns(void);
double bench_median(double *v, unsigned n); /* sorts v */
/* Nanoseconds per native memcpy of size bytes, over n copies. */
double bench_time_memcpy(uint8_t *dst, const uint8_t *src, uint64_t size, unsigned n);

/* A memcpy into memory that is not in the cache: the destination walks an area as large as
 * Linux's default bounce pool, as its next-fit cursor walks the pool, so a slot is seldom
 * cached when a map copies into it. */
#define BENCH_COLD_AREA (64u << 20)
struct bench_cold {
        uint8_t *area;          /* BENCH_COLD_AREA bytes, touched once at creation */
        uint64_t at;            /* where the next copy goes */
        uint8_t *gap;           /* BENCH_COLD_GAP bytes walked between isolated copies */
};
/* What an isolated copy has between it and the next: a walk of this many bytes, one store
 * per cache line, as a request's other work stands between two maps. */
#define BENCH_COLD_GAP (32u << 10)
/* False when out of memory. */
bool bench_cold_init(struct realm_kernel *k, struct bench_cold *c);
void bench_cold_fini(struct realm_kernel *k, struct bench_cold *c);
/* Nanoseconds per memcpy of size bytes from src (cached) into the next place of the area,
 * back to back: the copies overlap and the hardware prefetcher follows the stream, as in a
 * loop of maps (bench-swiotlb). */
double bench_time_memcpy_cold(struct bench_cold *c, const uint8_t *src, uint64_t size, unsigned n);
/* The same copy isolated, as a request makes it (bench-blk): each copy is followed by a walk
 * of the gap area, and the walk's own time, measured alone in the same call, is subtracted.
 * Nothing overlaps the copy and no stream is followed, so each line of the destination
 * misses on its own. Never below the back-to-back figure, measured in the same call. */
double bench_time_memcpy_cold_isolated(struct bench_cold *c, const uint8_t *src, uint64_t size, unsigned n);
/* "ccada.bench_reps=N" (1..BENCH_MAX_REPS; default 7, with a message when malformed). */
unsigned bench_reps(struct realm_kernel *k);

#endif
