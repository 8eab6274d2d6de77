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
              "Realm talks to the host's UART over MMIO, extends a REM and powers off. The same\n"
              "as `ccada run --workload demo`, told as a story.\n"
              "\n"
              "options:\n"
              "  --json             print the report as JSON on stdout (console to stderr;\n"
              "                     docs/report.md)\n",
              f);
        machine_opts_help(f);
        fputs("  -h, --help         show this help\n"
              "\n"
              "N and SIZE are digits, or 0x and hex digits (no sign, no white space); a SIZE may\n"
              "end in K, M or G. Combinations that cannot boot are refused before the run: a\n"
              "--swiotlb pool (rounded up to a power of two) larger than --ram, a --disk image\n"
              "smaller than blk-test's 256K, --disk with --disk-ram.\n"
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

/* ---- the report, as a person reads it (the values come from the generic report) ---- */

static uint64_t u64_of(const struct ccada_report *r, const char *sec, const char *key)
{
        struct ccada_report_value v;
        return ccada_report_get(r, sec, key, &v) && v.type == CCADA_REPORT_U64 ? v.u : 0;
}

static bool bool_of(const struct ccada_report *r, const char *sec, const char *key)
{
        struct ccada_report_value v;
        return ccada_report_get(r, sec, key, &v) && v.type == CCADA_REPORT_BOOL && v.b;
}

static const char *text_of(const struct ccada_report *r, const char *sec, const char *key)
{
        struct ccada_report_value v;
        return ccada_report_get(r, sec, key, &v) && v.type != CCADA_REPORT_BOOL && v.type != CCADA_REPORT_U64
                       ? v.text : "";
}

static bool check_of(const struct ccada_report *r, const char *name) { return bool_of(r, "checks", name); }

static void print_isolation(const struct ccada_report *r)
{
        unsigned ipa_bits = (unsigned)u64_of(r, "", "ipa_bits");
        printf("\nRealm Initial Measurement (%s): %s\n", text_of(r, "", "hash_algo"), text_of(r, "", "rim"));
        printf("REM[1] after extend:               %s\n\n", text_of(r, "", "rem1"));
        printf("  boot              %s (IPA width %u, shared bit %u)\n", check_of(r, "booted") ? "ok" : "FAILED",
               ipa_bits, ipa_bits ? ipa_bits - 1 : 0);
        printf("  shared pages      %llu (RIPAS changes: %llu)\n", (unsigned long long)u64_of(r, "", "shared_pages"),
               (unsigned long long)u64_of(r, "", "ripas_changes"));
        printf("  host reads shared page         %s\n", check_of(r, "host_read_shared") ? "yes" : "NO");
        printf("  host reads private page        %s\n",
               check_of(r, "host_read_private_faulted") ? "granule protection fault" : "NOT BLOCKED");
        printf("  host writes private page       %s\n",
               check_of(r, "host_write_private_faulted") ? "granule protection fault" : "NOT BLOCKED");
        printf("  Realm data unchanged           %s\n", check_of(r, "private_intact") ? "yes" : "NO");
        printf("  REM extend                     %s\n", check_of(r, "rem_extended") ? "ok" : "FAILED");
        printf("  host reads a bounce slot       %s (shared: what was bounced is not confidential)\n",
               bool_of(r, "", "host_read_bounce_slot") ? "yes" : "no");
}

static void print_swiotlb(const struct ccada_report *r)
{
        uint64_t nslabs = u64_of(r, "swiotlb", "nslabs");
        printf("  SWIOTLB           nslabs %llu (%llu KiB), used %llu, used_hiwater %llu, bounces %llu, bounced %llu "
               "bytes\n", (unsigned long long)nslabs, (unsigned long long)nslabs * 2,
               (unsigned long long)u64_of(r, "swiotlb", "used"), (unsigned long long)u64_of(r, "swiotlb", "used_hiwater"),
               (unsigned long long)u64_of(r, "swiotlb", "bounces"),
               (unsigned long long)u64_of(r, "swiotlb", "bounced_bytes"));
        printf("  virtio-blk        %s: wrote %llu bytes, read %llu bytes back, %s\n",
               bool_of(r, "blk", "present") ? "0000:00:00.0" : "absent",
               (unsigned long long)u64_of(r, "blk", "bytes_written"), (unsigned long long)u64_of(r, "blk", "bytes_read"),
               bool_of(r, "blk", "verified") ? "verified" : "NOT VERIFIED");
}

static void print_exits(const struct ccada_report *r, bool normal)
{
        printf("  %s exits         ", normal ? "VM " : "REC");
        for (size_t sec = 0; sec < ccada_report_nsections(r); sec++) {
                const char *key;
                struct ccada_report_value v;
                if (strcmp(ccada_report_section_name(r, sec), "exits"))
                        continue;
                for (size_t i = 0; ccada_report_item(r, sec, i, &key, &v); i++)
                        if (v.u)
                                printf(" %s=%llu", key, (unsigned long long)v.u);
        }
        printf("\n");
}

/* Sections the story above does not tell (a feature's new section) are shown as they are,
 * so that adding one needs no change here. */
static void print_other_sections(const struct ccada_report *r)
{
        static const char *const told[] = { "", "exits", "mmio", "swiotlb", "blk", "checks" };
        for (size_t sec = 0; sec < ccada_report_nsections(r); sec++) {
                const char *name = ccada_report_section_name(r, sec), *key;
                struct ccada_report_value v;
                bool known = false;
                for (size_t i = 0; i < sizeof(told) / sizeof(told[0]); i++)
                        known |= !strcmp(name, told[i]);
                if (known)
                        continue;
                printf("  %-17s", name);
                for (size_t i = 0; ccada_report_item(r, sec, i, &key, &v); i++) {
                        if (v.type == CCADA_REPORT_BOOL)
                                printf(" %s=%s", key, v.b ? "yes" : "no");
                        else if (v.type == CCADA_REPORT_U64)
                                printf(" %s=%llu", key, (unsigned long long)v.u);
                        else
                                printf(" %s=%s", key, v.text);
                }
                printf("\n");
        }
}

static void print_human(const struct ccada_report *r)
{
        bool normal = !strcmp(text_of(r, "", "vm"), "normal");
        if (normal)
                printf("\nnormal VM (no RMM, no isolation): boot %s\n", check_of(r, "booted") ? "ok" : "FAILED");
        else
                print_isolation(r);
        print_swiotlb(r);
        printf("  MMIO              %s (%llu reads, %llu writes)\n", check_of(r, "mmio") ? "PL011 identified" : "FAILED",
               (unsigned long long)u64_of(r, "mmio", "reads"), (unsigned long long)u64_of(r, "mmio", "writes"));
        print_exits(r, normal);
        print_other_sections(r);
        printf("  GPFs              %llu\n  RMI/RSI calls     %llu/%llu\n", (unsigned long long)u64_of(r, "", "gpf"),
               (unsigned long long)u64_of(r, "", "rmi_calls"), (unsigned long long)u64_of(r, "", "rsi_calls"));
        if (text_of(r, "", "error")[0])
                printf("  error             %s\n", text_of(r, "", "error"));
        if (u64_of(r, "", "violations"))
                printf("  RMM violations    %llu, the first: %s\n", (unsigned long long)u64_of(r, "", "violations"),
                       text_of(r, "", "first_violation"));
        printf("\n%s\n", ccada_report_passed(r) ? "demo: all checks passed" : "demo: FAILED");
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
                print_human(rep);
        ccada_report_destroy(rep);
        if (!out_ok)
                fprintf(stderr, "ccada demo: writing the report failed\n");
        return passed && trace_ok && out_ok ? CLI_OK : CLI_FAIL;
}

int cli_demo(int argc, char **argv)
{
        struct demo_opts o = { 0 };
        machine_opts_init(&o.m, "demo");
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
