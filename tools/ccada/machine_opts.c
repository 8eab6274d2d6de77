/* The shared machine options (see machine_opts.h). */
#include "machine_opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ccada/report.h"
#include "cli.h"

enum mopt {
        M_TRACE = MOPT_FIRST, M_JSONTRACE, M_EVENTS, M_SEED, M_HASH, M_IPA, M_RAM, M_VM, M_DISK, M_DISKRAM,
        M_SWIOTLB, M_GROW, M_BP, M_CHECK, M_DEVICE,
};

/* One row per option: how getopt sees it and what --help says. */
static const struct mopt_row {
        struct option opt;
        const char *arg;        /* the argument's name in --help ("" for a flag) */
        const char *help;       /* may hold newlines: continuation lines are indented */
} rows[] = {
        { { "trace", required_argument, NULL, M_TRACE }, "FILE", "write an ftrace-format trace (# tracer: nop) to FILE" },
        { { "trace-json", required_argument, NULL, M_JSONTRACE }, "FILE", "write a Chrome/Perfetto JSON trace to FILE" },
        { { "events", required_argument, NULL, M_EVENTS }, "LIST",
          "trace only these events or subsystems, comma-separated\n(default: all into a trace file; without one, the\n"
          "swiotlb_bounced lines stream to stdout); 'list' shows them" },
        { { "seed", required_argument, NULL, M_SEED }, "N", "seed for everything random (default 1); same seed, same output" },
        { { "hash", required_argument, NULL, M_HASH }, "ALG", "Realm hash algorithm: sha256 (default) or sha512" },
        { { "ipa-bits", required_argument, NULL, M_IPA }, "N", "Realm IPA width, 33..48 (default 40)" },
        { { "ram", required_argument, NULL, M_RAM }, "SIZE", "Realm RAM, multiple of 2M (default 32M)" },
        { { "vm", required_argument, NULL, M_VM }, "KIND", "realm (default) or normal: the same guest in a non-Realm VM" },
        { { "disk", required_argument, NULL, M_DISK }, "PATH",
          "back the virtio-blk disk with PATH (created, 64M, if missing);\ndefault: a temporary image, deleted at exit" },
        { { "disk-ram", no_argument, NULL, M_DISKRAM }, "", "back the disk with host RAM instead" },
        { { "swiotlb", required_argument, NULL, M_SWIOTLB }, "SIZE", "Realm bounce pool size, 256K..1G (default 4M; Linux: 64M)" },
        { { "swiotlb-grow", no_argument, NULL, M_GROW }, "", "add shared pools when the pool is full instead of failing" },
        { { "swiotlb-backpressure", no_argument, NULL, M_BP }, "", "make a mapping wait for free slots instead of failing" },
        { { "device", required_argument, NULL, M_DEVICE }, "TYPE[,OPT...]",
          "put a device on the Realm's PCI bus (repeatable; the first replaces\nthe default virtio-blk); --help of run lists the types" },
        { { "check-invariants", no_argument, NULL, M_CHECK }, "",
          "check the RMM's invariants after every RMI and RSI call, and\nthat every Realm access touches only its own granules and\n"
          "reads what it stored (slower; a violation fails the run)" },
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

void machine_opts_init(struct machine_opts *o, const char *cmd)
{
        memset(o, 0, sizeof(*o));
        o->cmd = cmd;
        ccada_machine_config_default(&o->cfg);
}

void machine_opts_help(FILE *f)
{
        for (size_t i = 0; i < NROWS; i++) {
                char left[40];
                snprintf(left, sizeof(left), "--%s%s%s", rows[i].opt.name, rows[i].arg[0] ? " " : "", rows[i].arg);
                fprintf(f, "  %-18s ", left);
                for (const char *p = rows[i].help; *p; p++) {
                        fputc(*p, f);
                        if (*p == '\n')
                                fprintf(f, "  %-18s ", "");
                }
                fputc('\n', f);
        }
}

bool machine_opts_longopts(const struct option *own, struct option *out, size_t cap)
{
        size_t n = 0;
        while (own[n].name) {
                if (n >= cap)
                        return false;
                out[n] = own[n];
                n++;
        }
        if (n + NROWS + 1 > cap)
                return false;
        for (size_t i = 0; i < NROWS; i++)
                out[n++] = rows[i].opt;
        out[n] = (struct option){ NULL, 0, NULL, 0 };
        return true;
}

static int set_hash(struct machine_opts *o, const char *arg)
{
        if (!strcmp(arg, "sha256") || !strcmp(arg, "sha-256"))
                o->cfg.hash_algo = 0;
        else if (!strcmp(arg, "sha512") || !strcmp(arg, "sha-512"))
                o->cfg.hash_algo = 1;
        else
                return cli_bad_value(o->cmd, "--hash", arg, "must be sha256 or sha512");
        return CLI_OK;
}

static int set_vm(struct machine_opts *o, const char *arg)
{
        if (strcmp(arg, "realm") && strcmp(arg, "normal"))
                return cli_bad_value(o->cmd, "--vm", arg, "must be realm or normal");
        o->cfg.normal_vm = !strcmp(arg, "normal");
        return CLI_OK;
}

/* Applies one numeric option, with its bounds. */
static int set_number(struct machine_opts *o, int c, const char *arg)
{
        const struct cli_number_opt seed = { o->cmd, "--seed", false, 0, UINT64_MAX, 0, "" };
        const struct cli_number_opt ipa = { o->cmd, "--ipa-bits", false, 33, 48, 0, "must be 33..48" };
        const struct cli_number_opt ram = { o->cmd, "--ram", true, 2u << 20, 1u << 30, 2u << 20,
                                            "must be a multiple of 2M from 2M to 1G" };
        const struct cli_number_opt swiotlb = { o->cmd, "--swiotlb", true, 256u << 10, 1u << 30, 2048,
                                                "must be 256K..1G in whole 2K slots" };
        uint64_t v;
        int rc;

        switch (c) {
        case M_SEED: return cli_number(&seed, arg, &o->cfg.seed);
        case M_RAM:
                o->ram_given = true;
                return cli_number(&ram, arg, &o->cfg.realm_ram);
        case M_IPA:
                if ((rc = cli_number(&ipa, arg, &v)) == CLI_OK)
                        o->cfg.ipa_bits = (unsigned)v;
                return rc;
        default: /* M_SWIOTLB */
                if ((rc = cli_number(&swiotlb, arg, &v)) != CLI_OK)
                        return rc;
                o->cfg.swiotlb_slabs = v / 2048;
                o->swiotlb_given = true;
                return CLI_OK;
        }
}

/* --device TYPE[,OPTS]: checked now, so a typo is refused before anything is built. */
static int add_device(struct machine_opts *o, const char *arg)
{
        char err[256];
        const char *comma = strchr(arg, ',');
        size_t n = comma ? (size_t)(comma - arg) : strlen(arg);
        if (!o->devices_given)
                o->cfg.ndevices = 0, o->devices_given = true;
        if (o->cfg.ndevices >= CCADA_MAX_DEVICES) {
                snprintf(err, sizeof(err), "at most %d devices", CCADA_MAX_DEVICES);
                return cli_bad_value(o->cmd, "--device", arg, err);
        }
        if (n >= sizeof(o->device_type[0]))
                return cli_bad_value(o->cmd, "--device", arg, "no device type is that long");
        char *type = o->device_type[o->cfg.ndevices];
        memcpy(type, arg, n);
        type[n] = '\0';
        struct ccada_device_cfg d = { .type = type, .opts = comma ? comma + 1 : NULL };
        if (!ccada_device_check(&d, err, sizeof(err)))
                return cli_bad_value(o->cmd, "--device", arg, err);
        o->cfg.devices[o->cfg.ndevices++] = d;
        return CLI_OK;
}

int machine_opts_apply(struct machine_opts *o, int c, const char *arg)
{
        switch (c) {
        case M_DEVICE: return add_device(o, arg);
        case M_TRACE: o->trace = arg; return CLI_OK;
        case M_JSONTRACE: o->trace_json = arg; return CLI_OK;
        case M_EVENTS: o->events = arg; return CLI_OK;
        case M_DISK: o->cfg.disk_path = arg; return CLI_OK;
        case M_DISKRAM: o->cfg.disk_ram = true; return CLI_OK;
        case M_GROW: o->cfg.swiotlb_grow = true; return CLI_OK;
        case M_BP: o->cfg.swiotlb_backpressure = true; return CLI_OK;
        case M_CHECK: o->cfg.check_invariants = true; return CLI_OK;
        case M_HASH: return set_hash(o, arg);
        case M_VM: return set_vm(o, arg);
        default: return set_number(o, c, arg);
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
static int check_swiotlb_fits(const struct machine_opts *o)
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
                "ccada %s: %s--swiotlb %s does not fit in --ram %s: the Realm takes its bounce pool, rounded up "
                "to a power of two (%s), from its RAM; use --swiotlb %s or less, or --ram %s or more\n",
                o->cmd, o->swiotlb_given ? "" : "the default ", a, r, p, fit, p);
        return CLI_USAGE;
}

/* The demo's blk-test writes and reads back this many bytes from the start of the disk
 * (BLK_TEST_DEFAULT_BYTES in src/realm/apps/blk_test.h): a smaller image fails it. */
#define DEMO_DISK_MIN_BYTES (256u << 10)

/* Checks that dir exists, for the machine to create the disk image in it (what). */
static int check_dir(const char *cmd, const char *dir, const char *what, const char *hint)
{
        struct stat st;
        const char *why = "not a directory";

        if (stat(dir, &st) != 0)
                why = strerror(errno);
        else if (S_ISDIR(st.st_mode))
                return CLI_OK;
        fprintf(stderr, "ccada %s: cannot create %s: '%s': %s%s\n", cmd, what, dir, why, hint);
        return CLI_FAIL;
}

/* The machine backs the disk with --disk PATH (created when missing) or, without --disk
 * and --disk-ram, with a temporary image in $TMPDIR or /tmp (src/host/virtio_blk_dev.c).
 * Refuses an image that can never hold the demo's blk-test; says why one cannot be made. */
static int check_disk(const char *cmd, const struct ccada_machine_config *cfg)
{
        struct stat st;
        char why[256], created[24], dir[4096];

        if (cfg->disk_ram)
                return CLI_OK;
        if (!cfg->disk_path) {
                const char *tmp = getenv("TMPDIR");
                return check_dir(cmd, tmp && *tmp ? tmp : "/tmp", "the temporary disk image",
                                 " (set TMPDIR to a directory, or use --disk or --disk-ram)");
        }
        if (stat(cfg->disk_path, &st) != 0) {
                const char *slash = strrchr(cfg->disk_path, '/');
                snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - cfg->disk_path) : 1,
                         slash ? cfg->disk_path : ".");
                return check_dir(cmd, dir[0] ? dir : "/", "the disk image", "");
        }
        cli_format_size(cfg->disk_size, created, sizeof(created));
        if (!S_ISREG(st.st_mode)) {
                snprintf(why, sizeof(why), "not a regular file: give a disk image, or a new path (created, %s)",
                         created);
                return cli_bad_value(cmd, "--disk", cfg->disk_path, why);
        }
        if ((uint64_t)st.st_size >= DEMO_DISK_MIN_BYTES)
                return CLI_OK;
        snprintf(why, sizeof(why),
                 "the image holds %lld bytes, but the demo's blk-test writes 256K from its start: give a larger "
                 "image, or a new path (created, %s)", (long long)st.st_size, created);
        return cli_bad_value(cmd, "--disk", cfg->disk_path, why);
}

/* Refuses option combinations that can never boot or pass, saying what to change. */
static int check_combinations(const struct machine_opts *o)
{
        if (o->cfg.disk_path && o->cfg.disk_ram)
                return fprintf(stderr, "ccada %s: --disk and --disk-ram exclude each other: give one of them\n", o->cmd),
                       CLI_USAGE;
        int rc = check_swiotlb_fits(o);
        return rc == CLI_OK ? check_disk(o->cmd, &o->cfg) : rc;
}

int machine_opts_parse(struct machine_opts *o, int argc, char **argv, const struct option *own,
                       int (*own_opt)(void *ctx, int c, const char *arg), void *ctx, void (*help)(FILE *f),
                       int max_operands)
{
        struct option longopts[40];
        int c, rc;
        if (!machine_opts_longopts(own, longopts, sizeof(longopts) / sizeof(longopts[0])))
                return CLI_FAIL;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                if (c == 'h')
                        return help(stdout), -1;
                if (c == '?')
                        return help(stderr), CLI_USAGE;
                rc = c >= MOPT_FIRST ? machine_opts_apply(o, c, optarg) : own_opt(ctx, c, optarg);
                if (rc != CLI_OK)
                        return rc;
        }
        if (argc - optind > max_operands)
                return fprintf(stderr, "ccada %s: unexpected argument '%s'\n", o->cmd, argv[optind + max_operands]),
                       CLI_USAGE;
        return machine_opts_check(o);
}

int machine_opts_run(struct machine_opts *o, struct ccada_report **out, bool *trace_ok)
{
        struct ccada_machine *m;
        ccada_status st = ccada_machine_create(&m, &o->cfg);
        if (st != CCADA_OK) {
                fprintf(stderr, "ccada %s: cannot build the machine: %s\n", o->cmd, ccada_status_text(st));
                return CLI_FAIL;
        }
        st = ccada_machine_run(m);
        *trace_ok = ccada_machine_finish_trace(m);
        if (ccada_report_create(out) != CCADA_OK) {
                ccada_machine_destroy(m);
                fprintf(stderr, "ccada %s: out of memory for the report\n", o->cmd);
                return CLI_FAIL;
        }
        ccada_machine_report(m, st == CCADA_OK, *out);
        ccada_machine_destroy(m);
        if (st != CCADA_OK)
                fprintf(stderr, "ccada %s: the run failed: %s\n", o->cmd, ccada_status_text(st));
        return CLI_OK;
}

int machine_opts_check(struct machine_opts *o)
{
        if (o->cfg.realm_ram + (16u << 20) > o->cfg.mem_size)
                o->cfg.mem_size = o->cfg.realm_ram * 2 + (32u << 20);
        return check_combinations(o);
}

static FILE *open_out(const char *cmd, const char *path)
{
        FILE *f = fopen(path, "w");
        if (!f)
                fprintf(stderr, "ccada %s: cannot write '%s': %s\n", cmd, path, strerror(errno));
        return f;
}

int machine_opts_open_traces(struct machine_opts *o, bool quiet_stdout)
{
        char err[1024];
        if (o->events && !strcmp(o->events, "list"))
                return ccada_list_events(stdout), -1;
        o->cfg.trace_events = o->events ? o->events : (o->trace || o->trace_json ? "all" : "swiotlb_bounced");
        if (!ccada_check_events(o->cfg.trace_events, err, sizeof(err))) {
                fprintf(stderr, "ccada %s: %s\n", o->cmd, err);
                return CLI_USAGE;
        }
        if ((o->trace && !(o->trace_file = open_out(o->cmd, o->trace))) ||
            (o->trace_json && !(o->trace_json_file = open_out(o->cmd, o->trace_json)))) {
                (void)machine_opts_close_traces(o);
                return CLI_FAIL;
        }
        o->cfg.trace_file = o->trace_file;
        o->cfg.trace_json = o->trace_json_file;
        /* Without a trace file the events stream as they happen, like reading trace_pipe. */
        o->cfg.trace_pipe = !o->trace && !o->trace_json ? (quiet_stdout ? stderr : stdout) : NULL;
        o->cfg.console = quiet_stdout ? stderr : stdout;
        return CLI_OK;
}

int machine_opts_close_traces(struct machine_opts *o)
{
        int rc = CLI_OK;
        if (o->trace_file && fclose(o->trace_file))
                rc = CLI_FAIL;
        if (o->trace_json_file && fclose(o->trace_json_file))
                rc = CLI_FAIL;
        o->trace_file = o->trace_json_file = NULL;
        return rc;
}
