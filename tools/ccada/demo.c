/* ccada demo: boot the default machine and show a Realm's memory isolation. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/machine.h"
#include "ccada/report.h"
#include "cli.h"
#include "machine_opts.h"

void cli_demo_help(FILE *f)
{
        fputs("usage: ccada demo [options]\n"
              "\n"
              "Boots a Realm under the RMM on the default machine (no config file needed): the\n"
              "host builds it through RMI, the Realm shares a page, the host reads the shared\n"
              "page and tries to read and write a private one (granule protection faults), the\n"
              "Realm talks to the host's UART over MMIO, extends a REM, runs blk-test on a\n"
              "virtio-blk disk through its SWIOTLB bounce pool, maps a private buffer for a\n"
              "device and lets the host read that bounce slot (it sees the Realm's payload),\n"
              "then powers off. With --vm normal the host reads and writes the guest's private\n"
              "page instead. The same as `ccada run --workload demo`, told as a story; the\n"
              "measured command line is printed with the RIM. A walk-through of every line:\n"
              "docs/learning-path.md.\n"
              "\n"
              "options:\n"
              "  --json             print the report as JSON on stdout (console to stderr;\n"
              "                     docs/report.md)\n",
              f);
        machine_opts_help(f);
        fputs("  -h, --help         show this help\n"
              "\n"
              "N and SIZE are digits, or 0x and hex digits (no sign, no white space); a SIZE may\n"
              "end in K, M or G. Combinations that cannot boot are refused before the run (exit\n"
              "2), saying what to change: a --swiotlb pool (rounded up to a power of two) larger\n"
              "than --ram, a --disk image smaller than blk-test's 256K, a --disk that is a\n"
              "directory or not a regular file, --disk with --disk-ram, --disk-writable without\n"
              "--disk. A disk image that cannot be read or created (permissions, a missing\n"
              "directory, a TMPDIR that is not a writable directory) is exit 1.\n"
              "\n"
              "Your data on --disk: the demo writes the disk's first 256K (sectors 0-511) and\n"
              "reads it back. An image that already holds data keeps every byte and its\n"
              "modification time unless you add --disk-writable.\n"
              "\n"
              "exit status: 0 all checks passed, 1 a check or the run failed (the reason is on\n"
              "stderr), 2 usage error\n",
              f);
}

struct demo_opts {
        bool json;
        struct machine_opts m;
};

enum { O_JSON = 256 };

static int demo_opt(void *ctx, int c, const char *arg)
{
        struct demo_opts *o = ctx;
        (void)arg;
        if (c != O_JSON)
                return cli_demo_help(stderr), CLI_USAGE;
        o->json = true;
        return CLI_OK;
}

static int parse_opts(int argc, char **argv, struct demo_opts *o)
{
        static const struct option own[] = {
                { "json", no_argument, NULL, O_JSON },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        return machine_opts_parse(&o->m, argc, argv, own, demo_opt, o, cli_demo_help, 0);
}

static uint64_t u64_of(const struct ccada_report *r, const char *sec, const char *key)
{
        struct ccada_report_value v;
        return ccada_report_get(r, sec, key, &v) && v.type == CCADA_REPORT_U64 ? v.u : 0;
}

static const char *text_of(const struct ccada_report *r, const char *sec, const char *key)
{
        struct ccada_report_value v;
        return ccada_report_get(r, sec, key, &v) && v.type != CCADA_REPORT_BOOL && v.type != CCADA_REPORT_U64
                       ? v.text : "";
}

/* Says on stderr why the demo failed: the RMM's violations, else the guest's error, else
 * the checks of the report that failed (the report on stdout has the details). */
static void print_failure(const struct ccada_report *r)
{
        char failed[512] = "";
        size_t used = 0;

        if (u64_of(r, "", "violations")) {
                fprintf(stderr, "ccada demo: FAILED: %llu RMM violations, the first: %s\n",
                        (unsigned long long)u64_of(r, "", "violations"), text_of(r, "", "first_violation"));
                return;
        }
        if (text_of(r, "", "error")[0]) {
                fprintf(stderr, "ccada demo: FAILED: %s\n", text_of(r, "", "error"));
                return;
        }
        for (size_t sec = 0; sec < ccada_report_nsections(r); sec++) {
                const char *key;
                struct ccada_report_value v;
                if (strcmp(ccada_report_section_name(r, sec), "checks"))
                        continue;
                for (size_t i = 0; ccada_report_item(r, sec, i, &key, &v) && used < sizeof(failed); i++)
                        if (!v.b)
                                used += (size_t)snprintf(failed + used, sizeof(failed) - used, "%s%s",
                                                         used ? ", " : "", key);
        }
        fprintf(stderr, "ccada demo: FAILED: %s\n", used ? failed : "a check failed (see the report)");
}

static int run(struct demo_opts *o)
{
        struct ccada_report *rep;
        bool trace_ok, out_ok = true;
        if (machine_opts_run(&o->m, &rep, &trace_ok) != CLI_OK)
                return CLI_FAIL;
        bool passed = ccada_report_passed(rep);
        if (!passed)
                print_failure(rep);
        if (!trace_ok)
                fprintf(stderr, "ccada demo: writing the trace failed\n");
        if (o->json)
                out_ok = ccada_report_print_json(rep, stdout);
        else
                demo_print_story(stdout, rep);
        ccada_report_destroy(rep);
        if (!out_ok)
                fprintf(stderr, "ccada demo: writing the report failed\n");
        return passed && trace_ok && out_ok ? CLI_OK : CLI_FAIL;
}

int cli_demo(int argc, char **argv)
{
        struct demo_opts o = { 0 };
        machine_opts_init(&o.m, "demo");
        o.m.cfg.pdev.present = true;    /* the demo attests its physical device (--pdev off) */
        int rc = parse_opts(argc, argv, &o);
        if (rc)
                return rc < 0 ? CLI_OK : rc;
        if ((rc = machine_opts_open_traces(&o.m, o.json)) != CLI_OK)
                return rc < 0 ? CLI_OK : rc;
        rc = run(&o);
        if (machine_opts_close_traces(&o.m) != CLI_OK)
                rc = CLI_FAIL;
        return rc;
}
