/* ccada bench: performance figures, each next to its physical limit measured in the same
 * run. Medians over repetitions; these machines are shared and noisy. */
#include <getopt.h>
#include <string.h>

#include "ccada/machine.h"
#include "cli.h"

void cli_bench_help(FILE *f)
{
        fputs("usage: ccada bench [swiotlb|blk|all] [options]\n"
              "\n"
              "  swiotlb   SWIOTLB map+unmap cost per size (64 B .. 256 KiB) in a Realm, next to\n"
              "            the same copy inside the guest and a native memcpy (the limit)\n"
              "  blk       virtio-blk sequential MB/s and 4 KiB random IOPS, Realm vs normal VM\n"
              "  all       both (default)\n"
              "\n"
              "options:\n"
              "  --reps N   repetitions per figure, median reported (default 7)\n"
              "  --json     machine-readable output\n"
              "  -h, --help show this help\n",
              f);
}

static int bench_swiotlb(unsigned reps, bool json)
{
        struct ccada_machine_config cfg;
        struct ccada_machine *m;
        struct ccada_bench_swiotlb_row rows[16];
        char err[160];

        ccada_machine_config_default(&cfg);
        cfg.workload = "bench-swiotlb";
        cfg.bench_reps = reps;
        ccada_status st = ccada_machine_create(&m, &cfg);
        if (st != CCADA_OK)
                return fprintf(stderr, "ccada bench swiotlb: cannot build the machine: %s\n", ccada_status_text(st)),
                       CLI_FAIL;
        st = ccada_machine_run(m);
        unsigned n = ccada_machine_bench_swiotlb(m, rows, 16, err, sizeof(err));
        ccada_machine_destroy(m);
        if (st != CCADA_OK || !n || err[0]) {
                fprintf(stderr, "ccada bench swiotlb: failed: %s\n", err[0] ? err : ccada_status_text(st));
                return CLI_FAIL;
        }
        if (json) {
                printf("{\"swiotlb\": [");
                for (unsigned i = 0; i < n; i++)
                        printf("%s{\"size\": %llu, \"map_unmap_ns\": %.1f, \"guest_copy_ns\": %.1f, \"memcpy_ns\": %.1f}",
                               i ? ", " : "", (unsigned long long)rows[i].size, rows[i].map_unmap_ns,
                               rows[i].guest_copy_ns, rows[i].memcpy_ns);
                printf("]}\n");
                return CLI_OK;
        }
        printf("SWIOTLB bounce cost in a Realm (median of %u, ns per operation)\n\n", reps);
        printf("%8s %14s %14s %12s %12s %12s\n", "size", "map+unmap", "guest copy", "memcpy", "x memcpy",
               "x guest cp");
        for (unsigned i = 0; i < n; i++)
                printf("%8llu %14.1f %14.1f %12.1f %12.1f %12.2f\n", (unsigned long long)rows[i].size,
                       rows[i].map_unmap_ns, rows[i].guest_copy_ns, rows[i].memcpy_ns,
                       rows[i].map_unmap_ns / rows[i].memcpy_ns, rows[i].map_unmap_ns / rows[i].guest_copy_ns);
        printf("\nmap+unmap: bounced dma_map_single(TO_DEVICE) + dma_unmap_single (one copy into the\n"
               "shared pool through stage 2 and the GPC, slot search and release). guest copy: the same\n"
               "bytes copied private-to-private by the guest. memcpy: native, same run.\n");
        return CLI_OK;
}

int cli_bench(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "reps", required_argument, NULL, 'r' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        static const struct cli_number_opt opt_reps = { "bench", "--reps", false, 1, 31, 0, "must be 1..31" };
        uint64_t reps = 7;
        bool json = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                if (c == 'r' && cli_number(&opt_reps, optarg, &reps) != CLI_OK)
                        return CLI_USAGE;
                else if (c == 'j')
                        json = true;
                else if (c == 'h')
                        return cli_bench_help(stdout), CLI_OK;
                else if (c != 'r')
                        return cli_bench_help(stderr), CLI_USAGE;
        }
        const char *what = optind < argc ? argv[optind] : "all";
        if (optind + 1 < argc)
                return fprintf(stderr, "ccada bench: unexpected argument '%s'\n", argv[optind + 1]), CLI_USAGE;
        if (!strcmp(what, "swiotlb"))
                return bench_swiotlb((unsigned)reps, json);
        if (!strcmp(what, "blk"))
                return cli_bench_blk((unsigned)reps, json);
        if (!strcmp(what, "all")) {
                int rc = bench_swiotlb((unsigned)reps, json);
                return rc ? rc : cli_bench_blk((unsigned)reps, json);
        }
        fprintf(stderr, "ccada bench: unknown benchmark '%s'\n", what);
        return CLI_USAGE;
}
