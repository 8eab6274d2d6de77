/* What the Realm's apps leave for the board to read once the Realm is off: the demo's
 * findings (struct realm_report) and the benchmarks' figures (struct realm_bench). The
 * kernel keeps one of each, so the types live here, below the kernel, and an app's header
 * (realm/bench.h) is never included by the kernel. Plain data: nothing here depends on
 * the rest of the Realm.
 */
#ifndef CCADA_REALM_REPORT_H
#define CCADA_REALM_REPORT_H

#include <stdbool.h>
#include <stdint.h>

struct realm_kernel;

/* What the demo workload found, as the Realm saw it. */
struct realm_report {
        bool booted;
        bool is_realm;
        unsigned ipa_bits;
        unsigned rsi_major, rsi_minor;
        uint64_t shared_pages_now;      /* pages currently decrypted */
        bool shared_write_ok;
        bool host_read_shared;          /* the host said it could read the shared page */
        bool host_read_private_faulted;
        bool host_write_private_faulted;
        bool private_intact;            /* the private page still holds what the Realm wrote */
        bool mmio_ok;                   /* PL011 identified through MMIO */
        bool rem_extended;
        bool unshare_ok;
        bool blk_present, blk_verified;
        uint64_t blk_bytes_written, blk_bytes_read;
        bool host_read_bounce;          /* the host could read a bounce slot (shared) */
        uint64_t host_bounce_bytes;     /* the first 8 bytes it saw there */
        unsigned long swiotlb_nslabs, swiotlb_used, swiotlb_hiwater, swiotlb_bounces;
        unsigned long long swiotlb_bounced_bytes;
        uint8_t rim[64];
        uint8_t rem1[64];
        char error[160];                /* first failure, if any */
};

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

/* The kernel's copies (zeroed when the kernel is created; never NULL). */
const struct realm_report *realm_kernel_report(const struct realm_kernel *k);
struct realm_report *rk_report(struct realm_kernel *k);
struct realm_bench *rk_bench(struct realm_kernel *k);

#endif
