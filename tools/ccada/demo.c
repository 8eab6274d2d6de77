/* ccada demo: boot the default machine and show a Realm's memory isolation. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ccada/machine.h"
#include "ccada/report.h"
#include "cli.h"

void cli_demo_help(FILE *f)
{
        fputs("usage: ccada demo [options]\n"
              "\n"
              "Boots a Realm under the RMM on the default machine (no config file needed): the\n"
              "host builds it through RMI, the Realm shares a page, the host reads the shared\n"
              "page and tries to read and write a private one (granule protection faults), the\n"
              "Realm talks to the host's UART over MMIO, extends a REM and powers off.\n"
              "\n"
              "options:\n"
              "  --trace FILE       write an ftrace-format trace (# tracer: nop) to FILE\n"
              "  --trace-json FILE  write a Chrome/Perfetto JSON trace to FILE\n"
              "  --events LIST      trace only these events or subsystems, comma-separated\n"
              "                     (default: all into a trace file; without one, the\n"
              "                     swiotlb_bounced lines stream to stdout); 'list' shows them\n"
              "  --seed N           seed for everything random (default 1); same seed, same output\n"
              "  --hash ALG         Realm hash algorithm: sha256 (default) or sha512\n"
              "  --ipa-bits N       Realm IPA width, 33..48 (default 40)\n"
              "  --ram SIZE         Realm RAM, multiple of 2M (default 32M)\n"
              "  --vm KIND          realm (default) or normal: the same guest in a non-Realm VM\n"
              "  --disk PATH        back the virtio-blk disk with PATH (created, 64M, if missing);\n"
              "                     default: a temporary image, deleted at exit\n"
              "  --disk-ram         back the disk with host RAM instead\n"
              "  --swiotlb SIZE     Realm bounce pool size, 256K..1G (default 4M; Linux: 64M)\n"
              "  --swiotlb-grow     add shared pools when the pool is full instead of failing\n"
              "  --swiotlb-backpressure  make a mapping wait for free slots instead of failing\n"
              "  --json             print a machine-readable summary on stdout (console to stderr)\n"
              "  --check-invariants check the RMM's invariants after every RMI and RSI call, and\n"
              "                     that every Realm access touches only its own granules and\n"
              "                     reads what it stored (slower; a violation fails the demo)\n"
              "  -h, --help         show this help\n"
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
        const char *trace, *trace_json, *events;
        bool json;
        bool swiotlb_given;     /* --swiotlb was on the command line (else the default) */
        struct ccada_machine_config cfg;
};

static void list_events(void)
{
        char err[2048];
        uint64_t mask;
        /* An unknown name makes the parser list every valid name. */
        (void)ccada_parse_events("?", &mask, err, sizeof(err));
        const char *p = strstr(err, "(");
        printf("%s\n", p ? p : err);
}

enum demo_opt {
        O_TRACE = 256, O_JSONTRACE, O_EVENTS, O_SEED, O_JSON, O_HASH, O_IPA, O_RAM, O_VM, O_DISK, O_DISKRAM,
        O_SWIOTLB, O_GROW, O_BP, O_CHECK,
};

/* The numeric options and their bounds. */
static const struct cli_number_opt OPT_SEED = { "demo", "--seed", false, 0, UINT64_MAX, 0, "" };
static const struct cli_number_opt OPT_IPA_BITS = { "demo", "--ipa-bits", false, 33, 48, 0, "must be 33..48" };
static const struct cli_number_opt OPT_RAM = {
        "demo", "--ram", true, 2u << 20, 1u << 30, 2u << 20, "must be a multiple of 2M from 2M to 1G",
};
static const struct cli_number_opt OPT_SWIOTLB = {
        "demo", "--swiotlb", true, 256u << 10, 1u << 30, 2048, "must be 256K..1G in whole 2K slots",
};

static int set_hash(struct ccada_machine_config *cfg, const char *arg)
{
        if (!strcmp(arg, "sha256") || !strcmp(arg, "sha-256"))
                cfg->hash_algo = 0;
        else if (!strcmp(arg, "sha512") || !strcmp(arg, "sha-512"))
                cfg->hash_algo = 1;
        else
                return cli_bad_value("demo", "--hash", arg, "must be sha256 or sha512");
        return CLI_OK;
}

static int set_vm(struct ccada_machine_config *cfg, const char *arg)
{
        if (strcmp(arg, "realm") && strcmp(arg, "normal"))
                return cli_bad_value("demo", "--vm", arg, "must be realm or normal");
        cfg->normal_vm = !strcmp(arg, "normal");
        return CLI_OK;
}

/* Applies one numeric option. */
static int set_number(struct demo_opts *o, int c, const char *arg)
{
        uint64_t v;
        int rc;

        switch (c) {
        case O_SEED: return cli_number(&OPT_SEED, arg, &o->cfg.seed);
        case O_RAM: return cli_number(&OPT_RAM, arg, &o->cfg.realm_ram);
        case O_IPA:
                if ((rc = cli_number(&OPT_IPA_BITS, arg, &v)) == CLI_OK)
                        o->cfg.ipa_bits = (unsigned)v;
                return rc;
        default: /* O_SWIOTLB */
                if ((rc = cli_number(&OPT_SWIOTLB, arg, &v)) != CLI_OK)
                        return rc;
                o->cfg.swiotlb_slabs = v / 2048;
                o->swiotlb_given = true;
                return CLI_OK;
        }
}

static const struct option demo_longopts[] = {
        { "trace", required_argument, NULL, O_TRACE },
        { "trace-json", required_argument, NULL, O_JSONTRACE },
        { "events", required_argument, NULL, O_EVENTS },
        { "seed", required_argument, NULL, O_SEED },
        { "json", no_argument, NULL, O_JSON },
        { "hash", required_argument, NULL, O_HASH },
        { "ipa-bits", required_argument, NULL, O_IPA },
        { "ram", required_argument, NULL, O_RAM },
        { "vm", required_argument, NULL, O_VM },
        { "disk", required_argument, NULL, O_DISK },
        { "disk-ram", no_argument, NULL, O_DISKRAM },
        { "swiotlb", required_argument, NULL, O_SWIOTLB },
        { "swiotlb-grow", no_argument, NULL, O_GROW },
        { "swiotlb-backpressure", no_argument, NULL, O_BP },
        { "check-invariants", no_argument, NULL, O_CHECK },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
};

/* Applies one option. Returns CLI_OK, CLI_USAGE (after saying why) or -1 (help shown). */
static int set_opt(struct demo_opts *o, int c, const char *arg)
{
        switch (c) {
        case O_TRACE: o->trace = arg; return CLI_OK;
        case O_JSONTRACE: o->trace_json = arg; return CLI_OK;
        case O_EVENTS: o->events = arg; return CLI_OK;
        case O_JSON: o->json = true; return CLI_OK;
        case O_DISK: o->cfg.disk_path = arg; return CLI_OK;
        case O_DISKRAM: o->cfg.disk_ram = true; return CLI_OK;
        case O_GROW: o->cfg.swiotlb_grow = true; return CLI_OK;
        case O_BP: o->cfg.swiotlb_backpressure = true; return CLI_OK;
        case O_CHECK: o->cfg.check_invariants = true; return CLI_OK;
        case O_HASH: return set_hash(&o->cfg, arg);
        case O_VM: return set_vm(&o->cfg, arg);
        case O_SEED: case O_RAM: case O_IPA: case O_SWIOTLB: return set_number(o, c, arg);
        case 'h': cli_demo_help(stdout); return -1;
        default: cli_demo_help(stderr); return CLI_USAGE;
        }
}

static uint64_t roundup_pow2(uint64_t v)
{
        uint64_t p = 1;
        while (p < v)
                p <<= 1;
        return p;
}

/* A Realm takes its SWIOTLB pool from its own RAM after rounding it up to a power of two,
 * as Linux does (src/realm/swiotlb.c, size_initial); a pool larger than the whole RAM
 * fails the boot ("Can not allocate SWIOTLB buffer"). One that fits but finds no free run
 * is halved until it does, so it boots. A normal VM has no pool. */
static int check_swiotlb_fits(const struct demo_opts *o)
{
        uint64_t asked = o->cfg.swiotlb_slabs * 2048, pool = roundup_pow2(asked), ram = o->cfg.realm_ram;
        char a[24], p[24], r[24], fit[24];

        if (o->cfg.normal_vm || pool <= ram)
                return CLI_OK;
        cli_format_size(asked, a, sizeof(a));
        cli_format_size(pool, p, sizeof(p));
        cli_format_size(ram, r, sizeof(r));
        cli_format_size(roundup_pow2(ram + 1) >> 1, fit, sizeof(fit)); /* largest power of two <= ram */
        fprintf(stderr,
                "ccada demo: %s--swiotlb %s does not fit in --ram %s: the Realm takes its bounce pool, rounded up "
                "to a power of two (%s), from its RAM; use --swiotlb %s or less, or --ram %s or more\n",
                o->swiotlb_given ? "" : "the default ", a, r, p, fit, p);
        return CLI_USAGE;
}

/* The demo's blk-test writes and reads back this many bytes from the start of the disk
 * (BLK_TEST_DEFAULT_BYTES in src/realm/blk_test.h): a smaller image fails it. */
#define DEMO_DISK_MIN_BYTES (256u << 10)

/* Checks that dir exists, for the machine to create the disk image in it (what). */
static int check_dir(const char *dir, const char *what, const char *hint)
{
        struct stat st;
        const char *why = "not a directory";

        if (stat(dir, &st) != 0)
                why = strerror(errno);
        else if (S_ISDIR(st.st_mode))
                return CLI_OK;
        fprintf(stderr, "ccada demo: cannot create %s: '%s': %s%s\n", what, dir, why, hint);
        return CLI_FAIL;
}

/* The machine backs the disk with --disk PATH (created when missing) or, without --disk
 * and --disk-ram, with a temporary image in $TMPDIR or /tmp (src/host/virtio_blk_dev.c).
 * Refuses an image that can never hold the demo's blk-test; says why one cannot be made. */
static int check_disk(const struct ccada_machine_config *cfg)
{
        struct stat st;
        char why[256], created[24], dir[4096];

        if (cfg->disk_ram)
                return CLI_OK;
        if (!cfg->disk_path) {
                const char *tmp = getenv("TMPDIR");
                return check_dir(tmp && *tmp ? tmp : "/tmp", "the temporary disk image",
                                 " (set TMPDIR to a directory, or use --disk or --disk-ram)");
        }
        if (stat(cfg->disk_path, &st) != 0) {
                const char *slash = strrchr(cfg->disk_path, '/');
                snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - cfg->disk_path) : 1,
                         slash ? cfg->disk_path : ".");
                return check_dir(dir[0] ? dir : "/", "the disk image", "");
        }
        cli_format_size(cfg->disk_size, created, sizeof(created));
        if (!S_ISREG(st.st_mode)) {
                snprintf(why, sizeof(why), "not a regular file: give a disk image, or a new path (created, %s)",
                         created);
                return cli_bad_value("demo", "--disk", cfg->disk_path, why);
        }
        if ((uint64_t)st.st_size >= DEMO_DISK_MIN_BYTES)
                return CLI_OK;
        snprintf(why, sizeof(why),
                 "the image holds %lld bytes, but the demo's blk-test writes 256K from its start: give a larger "
                 "image, or a new path (created, %s)", (long long)st.st_size, created);
        return cli_bad_value("demo", "--disk", cfg->disk_path, why);
}

/* Refuses option combinations that can never boot or pass, saying what to change. */
static int check_combinations(const struct demo_opts *o)
{
        if (o->cfg.disk_path && o->cfg.disk_ram)
                return fputs("ccada demo: --disk and --disk-ram exclude each other: give one of them\n", stderr),
                       CLI_USAGE;
        int rc = check_swiotlb_fits(o);
        return rc == CLI_OK ? check_disk(&o->cfg) : rc;
}

static int parse_opts(int argc, char **argv, struct demo_opts *o)
{
        int c, rc;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", demo_longopts, NULL)) != -1)
                if ((rc = set_opt(o, c, optarg)) != CLI_OK)
                        return rc;
        if (optind < argc)
                return fprintf(stderr, "ccada demo: unexpected argument '%s'\n", argv[optind]), CLI_USAGE;
        if (o->cfg.realm_ram + (16u << 20) > o->cfg.mem_size)
                o->cfg.mem_size = o->cfg.realm_ram * 2 + (32u << 20);
        return check_combinations(o);
}

static FILE *open_out(const char *path)
{
        FILE *f = fopen(path, "w");
        if (!f)
                fprintf(stderr, "ccada demo: cannot write '%s': %s\n", path, strerror(errno));
        return f;
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
        struct ccada_machine *m;
        ccada_status st = ccada_machine_create(&m, &o->cfg);
        if (st != CCADA_OK) {
                fprintf(stderr, "ccada demo: cannot build the machine: %s\n", ccada_status_text(st));
                return CLI_FAIL;
        }
        st = ccada_machine_run(m);
        bool trace_ok = ccada_machine_finish_trace(m);
        struct ccada_report *rep;
        if (ccada_report_create(&rep) != CCADA_OK) {
                ccada_machine_destroy(m);
                fprintf(stderr, "ccada demo: out of memory for the report\n");
                return CLI_FAIL;
        }
        ccada_machine_report(m, st == CCADA_OK, rep);
        ccada_machine_destroy(m);
        bool passed = ccada_report_passed(rep), out_ok = true;
        if (st != CCADA_OK)
                fprintf(stderr, "ccada demo: the run failed: %s\n", ccada_status_text(st));
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
        FILE *tf = NULL, *jf = NULL;
        char err[1024];
        ccada_machine_config_default(&o.cfg);
        int rc = parse_opts(argc, argv, &o);
        if (rc)
                return rc < 0 ? CLI_OK : rc;
        if (o.events && !strcmp(o.events, "list"))
                return list_events(), CLI_OK;
        const char *events = o.events ? o.events : (o.trace || o.trace_json ? "all" : "swiotlb_bounced");
        if (!ccada_parse_events(events, &o.cfg.trace_events, err, sizeof(err))) {
                fprintf(stderr, "ccada demo: %s\n", err);
                return CLI_USAGE;
        }
        if ((o.trace && !(tf = open_out(o.trace))) || (o.trace_json && !(jf = open_out(o.trace_json)))) {
                if (tf)
                        fclose(tf);
                return CLI_FAIL;
        }
        o.cfg.trace_file = tf;
        o.cfg.trace_json = jf;
        /* Without a trace file the events stream as they happen, like reading trace_pipe. */
        o.cfg.trace_pipe = !o.trace && !o.trace_json ? (o.json ? stderr : stdout) : NULL;
        o.cfg.console = o.json ? stderr : stdout;
        rc = run(&o);
        if (tf && fclose(tf))
                rc = CLI_FAIL;
        if (jf && fclose(jf))
                rc = CLI_FAIL;
        return rc;
}
