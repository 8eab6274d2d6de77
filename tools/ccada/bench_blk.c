/* ccada bench blk: virtio-blk throughput and IOPS, Realm vs normal VM, same run. */
#include "ccada/machine.h"
#include "cli.h"

static bool run_one(const struct ccada_machine_config *base, bool ram_given, bool normal, unsigned reps,
                    struct ccada_bench_blk *out)
{
        struct ccada_machine_config cfg = *base;
        struct ccada_machine *m;
        char err[160];
        cfg.workload = "bench-blk";
        cfg.bench_reps = reps;
        cfg.normal_vm = normal;
        cfg.disk_ram = true; /* measure the data path, not the host's file system */
        cfg.disk_path = NULL;
        if (!ram_given) {
                cfg.realm_ram = 64ULL << 20;
                cfg.mem_size = 256ULL << 20;
        }
        ccada_status st = ccada_machine_create(&m, &cfg);
        if (st != CCADA_OK)
                return fprintf(stderr, "ccada bench blk: cannot build the machine: %s\n", ccada_status_text(st)), false;
        st = ccada_machine_run(m);
        bool ok = ccada_machine_bench_blk(m, out, err, sizeof(err)) && st == CCADA_OK;
        ccada_machine_destroy(m);
        if (!ok)
                fprintf(stderr, "ccada bench blk (%s VM): failed: %s\n", normal ? "normal" : "Realm",
                        err[0] ? err : ccada_status_text(st));
        return ok;
}

int cli_bench_blk(const struct ccada_machine_config *base, bool ram_given, unsigned reps, bool json)
{
        struct ccada_bench_blk r, n;
        if (!run_one(base, ram_given, false, reps, &r) || !run_one(base, ram_given, true, reps, &n))
                return CLI_FAIL;
        if (json) {
                printf("{\"blk\": {\"realm\": {\"seq_write_mbps\": %.1f, \"seq_read_mbps\": %.1f, \"rand_read_iops\": %.0f, "
                       "\"rand_write_iops\": %.0f, \"bounces\": %lu}, \"normal\": {\"seq_write_mbps\": %.1f, "
                       "\"seq_read_mbps\": %.1f, \"rand_read_iops\": %.0f, \"rand_write_iops\": %.0f, \"bounces\": %lu}, "
                       "\"memcpy_mbps\": %.1f}}\n",
                       r.seq_write_mbps, r.seq_read_mbps, r.rand_read_iops, r.rand_write_iops, r.bounces,
                       n.seq_write_mbps, n.seq_read_mbps, n.rand_read_iops, n.rand_write_iops, n.bounces,
                       (r.memcpy_mbps + n.memcpy_mbps) / 2);
                return CLI_OK;
        }
        printf("\nvirtio-blk, RAM backend, queue depth 1, %llu MiB region (median of %u)\n\n",
               (unsigned long long)(r.region_bytes >> 20), reps);
        printf("%-26s %12s %12s %12s\n", "", "Realm", "normal VM", "Realm/normal");
        printf("%-26s %12.1f %12.1f %12.2f\n", "sequential write (MB/s)", r.seq_write_mbps, n.seq_write_mbps,
               r.seq_write_mbps / n.seq_write_mbps);
        printf("%-26s %12.1f %12.1f %12.2f\n", "sequential read (MB/s)", r.seq_read_mbps, n.seq_read_mbps,
               r.seq_read_mbps / n.seq_read_mbps);
        printf("%-26s %12.0f %12.0f %12.2f\n", "4 KiB random read (IOPS)", r.rand_read_iops, n.rand_read_iops,
               r.rand_read_iops / n.rand_read_iops);
        printf("%-26s %12.0f %12.0f %12.2f\n", "4 KiB random write (IOPS)", r.rand_write_iops, n.rand_write_iops,
               r.rand_write_iops / n.rand_write_iops);
        printf("%-26s %12lu %12lu\n", "SWIOTLB bounces", r.bounces, n.bounces);
        printf("%-26s %12.1f %12.1f\n", "memcpy 1 MiB (MB/s)", r.memcpy_mbps, n.memcpy_mbps);
        return CLI_OK;
}
