/* ccada bench blk: virtio-blk throughput and IOPS, Realm vs normal VM, same run. */
#include "ccada/machine.h"
#include "ccada/report.h"
#include "cli.h"
#include "lib/json.h"

/* The figures of one VM, from its report's "bench_blk" and "swiotlb" sections. */
struct blk_figures {
        double seq_write_mbps, seq_read_mbps, rand_read_iops, rand_write_iops, memcpy_mbps;
        double region_bytes, bounces;
};

static bool run_one(const struct ccada_machine_config *base, bool ram_given, bool normal, unsigned reps,
                    struct blk_figures *out)
{
        struct ccada_machine_config cfg = *base;
        struct ccada_report *r;
        cfg.workload = "bench-blk";
        cfg.bench_reps = reps;
        cfg.normal_vm = normal;
        cfg.disk_ram = true; /* measure the data path, not the host's file system */
        cfg.disk_path = NULL;
        if (!ram_given) {
                cfg.realm_ram = 64ULL << 20;
                cfg.mem_size = 256ULL << 20;
        }
        if (!cli_bench_run(&cfg, normal ? "blk (normal VM)" : "blk (Realm)", &r))
                return false;
        *out = (struct blk_figures){
                .seq_write_mbps = cli_bench_figure(r, "bench_blk", "seq_write_mbps"),
                .seq_read_mbps = cli_bench_figure(r, "bench_blk", "seq_read_mbps"),
                .rand_read_iops = cli_bench_figure(r, "bench_blk", "rand_read_iops"),
                .rand_write_iops = cli_bench_figure(r, "bench_blk", "rand_write_iops"),
                .memcpy_mbps = cli_bench_figure(r, "bench_blk", "memcpy_mbps"),
                .region_bytes = cli_bench_figure(r, "bench_blk", "region_bytes"),
                .bounces = cli_bench_figure(r, "swiotlb", "bounces"),
        };
        ccada_report_destroy(r);
        return true;
}

static void vm_json(struct json_writer *w, const char *key, const struct blk_figures *f)
{
        json_begin_object(w, key);
        json_double(w, "seq_write_mbps", f->seq_write_mbps, 1);
        json_double(w, "seq_read_mbps", f->seq_read_mbps, 1);
        json_double(w, "rand_read_iops", f->rand_read_iops, 0);
        json_double(w, "rand_write_iops", f->rand_write_iops, 0);
        json_double(w, "bounces", f->bounces, 0);
        json_end_object(w);
}

int cli_bench_blk(const struct ccada_machine_config *base, bool ram_given, unsigned reps, struct json_writer *w)
{
        struct blk_figures r, n;
        if (!run_one(base, ram_given, false, reps, &r) || !run_one(base, ram_given, true, reps, &n))
                return CLI_FAIL;
        if (w) {
                json_begin_object(w, "blk");
                vm_json(w, "realm", &r);
                vm_json(w, "normal", &n);
                json_double(w, "memcpy_mbps", (r.memcpy_mbps + n.memcpy_mbps) / 2, 1);
                json_end_object(w);
                return CLI_OK;
        }
        printf("\nvirtio-blk, RAM backend, queue depth 1, %.0f MiB region (median of %u)\n\n",
               r.region_bytes / (1 << 20), reps);
        printf("%-26s %12s %12s %12s\n", "", "Realm", "normal VM", "Realm/normal");
        printf("%-26s %12.1f %12.1f %12.2f\n", "sequential write (MB/s)", r.seq_write_mbps, n.seq_write_mbps,
               r.seq_write_mbps / n.seq_write_mbps);
        printf("%-26s %12.1f %12.1f %12.2f\n", "sequential read (MB/s)", r.seq_read_mbps, n.seq_read_mbps,
               r.seq_read_mbps / n.seq_read_mbps);
        printf("%-26s %12.0f %12.0f %12.2f\n", "4 KiB random read (IOPS)", r.rand_read_iops, n.rand_read_iops,
               r.rand_read_iops / n.rand_read_iops);
        printf("%-26s %12.0f %12.0f %12.2f\n", "4 KiB random write (IOPS)", r.rand_write_iops, n.rand_write_iops,
               r.rand_write_iops / n.rand_write_iops);
        printf("%-26s %12.0f %12.0f\n", "SWIOTLB bounces", r.bounces, n.bounces);
        printf("%-26s %12.1f %12.1f\n", "memcpy 1 MiB (MB/s)", r.memcpy_mbps, n.memcpy_mbps);
        return CLI_OK;
}
