/* The shared machine options (see machine_opts.h). */
#include "machine_opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ccada/report.h"
#include "cli.h"
#include "lib/ec.h"
#include "proto/hostcall.h"

enum mopt {
        M_TRACE = MOPT_FIRST, M_JSONTRACE, M_EVENTS, M_SEED, M_HASH, M_IPA, M_RAM, M_VM, M_DISK, M_DISKRAM, M_DISKW,
        M_SWIOTLB, M_GROW, M_BP, M_ALLOC, M_CHECK, M_DEVICE, M_QDEPTH, M_IAK, M_TPROFILE, M_TCMW, M_ARGS,
        M_PDEV, M_ATTACK, M_PCAP, M_DEVPOLICY,
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
        { { "ram", required_argument, NULL, M_RAM }, "SIZE", "Realm RAM, 2M..1G in whole 2M (default 128M)" },
        { { "vm", required_argument, NULL, M_VM }, "KIND", "realm (default) or normal: the same guest in a non-Realm VM,\nwhere the host reads its private memory (not for bench)" },
        { { "disk", required_argument, NULL, M_DISK }, "PATH",
          "back the virtio-blk disk with the image file PATH (default: a\ntemporary image, deleted at exit). A missing or empty file\n"
          "becomes a new 64M image that the run writes; an image that\nholds data is never modified: it is opened read-only and the\n"
          "Realm's writes go to a copy-on-write overlay in memory,\ndropped at exit (said on stderr). The demo's blk-test writes\n"
          "the first 256K of the disk (sectors 0-511) and reads them back" },
        { { "disk-writable", no_argument, NULL, M_DISKW }, "",
          "let the workload write to the --disk image even when it holds\ndata (the demo overwrites its first 256K)" },
        { { "disk-ram", no_argument, NULL, M_DISKRAM }, "", "back the disk with host RAM instead" },
        { { "swiotlb", required_argument, NULL, M_SWIOTLB }, "SIZE", "Realm bounce pool size, 256K..1G (default: Linux's 64M,\nhalved as Linux halves it when --ram is short)" },
        { { "swiotlb-grow", no_argument, NULL, M_GROW }, "", "add shared pools when the pool is full instead of failing" },
        { { "swiotlb-backpressure", no_argument, NULL, M_BP }, "", "make a mapping wait for free slots instead of failing" },
        { { "swiotlb-alloc", required_argument, NULL, M_ALLOC }, "KIND",
          "how the bounce pool finds free slots: list (default, Linux's\nfree-run list) or bitmap (a free-slot bitmap, beyond Linux;\nthe same slots, less bookkeeping)" },
        { { "queue-depth", required_argument, NULL, M_QDEPTH }, "N",
          "virtio-blk requests in flight, 1..1024 (default: Linux's, the\nqueue size; given to the Realm as virtio_blk.queue_depth=N)" },
        { { "device", required_argument, NULL, M_DEVICE }, "TYPE[,OPT...]",
          "put a device on the Realm's PCI bus (repeatable; the first replaces\nthe default virtio-blk); --help of run lists the types" },
        { { "iak", required_argument, NULL, M_IAK }, "KEY.pem",
          "the platform's attestation key, a private P-256 or P-384 key\nin PEM, instead of one derived from the seed" },
        { { "token-profile", no_argument, NULL, M_TPROFILE }, "",
          "attestation tokens with the realm profile claim (the RAK as a\nCOSE_Key) and the 2023 platform profile (default: as\n"
          "TF-RMM v1.0, a raw RAK and the legacy platform profile)" },
        { { "token-cmw", no_argument, NULL, M_TCMW }, "", "the token collection as tag 907 (CMW) instead of tag 399" },
        { { "args", required_argument, NULL, M_ARGS }, "TEXT",
          "the Realm app's arguments, as typed in the Realm's shell (not\nmeasured; at most 240 bytes). net-test: 'port=P [bytes=N]'" },
        { { "pdev", required_argument, NULL, M_PDEV }, "OPTS",
          "the physical device ccada-dev at 00:03.0, attested by the RMM\nover SPDM before the Realm boots (demo: on). OPTS, comma-\n"
          "separated: on, off, certs=DIR (its PKI from ccada pki),\nfw=VERSION, debug, secured-handshake" },
        { { "attack", required_argument, NULL, M_ATTACK }, "NAME",
          "a hostile host on the device's DOE relay, an interposer on\nits link, a host writing its locked TDI or a rogue device; 'list'\nlists them.\nThe run passes when the attack is caught and contained" },
        { { "device-policy", required_argument, NULL, M_DEVPOLICY }, "FILE",
          "the Realm owner's reference values for the assigned device\n(firmware_digest, firmware_index, debug, min/max_mmio_ranges;\n"
          "'show' prints the board's default to start from). The Realm\njudges the device by it; the run checks that what it accepts\n"
          "is started and what it refuses stays locked" },
        { { "pcap", required_argument, NULL, M_PCAP }, "FILE",
          "write the DOE objects the host relays to FILE (pcap,\nlinktype 292, as DMTF's spdm-dump reads it)" },
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

static int set_alloc(struct machine_opts *o, const char *arg)
{
        if (strcmp(arg, "list") && strcmp(arg, "bitmap"))
                return cli_bad_value(o->cmd, "--swiotlb-alloc", arg, "must be list or bitmap");
        o->cfg.swiotlb_bitmap = !strcmp(arg, "bitmap");
        return CLI_OK;
}

static int set_vm(struct machine_opts *o, const char *arg)
{
        if (strcmp(arg, "realm") && strcmp(arg, "normal"))
                return cli_bad_value(o->cmd, "--vm", arg, "must be realm or normal");
        o->cfg.normal_vm = !strcmp(arg, "normal");
        o->vm_given = true;
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
        case M_QDEPTH: {
                const struct cli_number_opt qd = { o->cmd, "--queue-depth", false, 1, 1024, 0, "must be 1..1024" };
                if ((rc = cli_number(&qd, arg, &v)) != CLI_OK)
                        return rc;
                o->cfg.queue_depth = (unsigned)v;
                return CLI_OK;
        }
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

static int set_pdev(struct machine_opts *o, const char *arg);

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
        if (!strcmp(type, "tdisp")) {
                /* the board's physical device, assigned over TDISP: --pdev on[,its options] */
                int rc = comma ? set_pdev(o, comma + 1) : CLI_OK;
                if (rc != CLI_OK)
                        return rc;
                o->cfg.pdev.present = true;
                o->tdisp_given = true;
        }
        if (!ccada_device_check(&d, err, sizeof(err)))
                return cli_bad_value(o->cmd, "--device", arg, err);
        o->cfg.devices[o->cfg.ndevices++] = d;
        return CLI_OK;
}

/* --iak KEY.pem: read and checked now (a private EC key), kept in o for the machine. */
static int set_iak(struct machine_opts *o, const char *arg)
{
        char why[EC_WHY_LEN + 64];
        size_t n = 0;
        if (!cli_read_file(arg, o->iak_pem, sizeof(o->iak_pem), &n, why, sizeof(why)))
                return cli_bad_value(o->cmd, "--iak", arg, why);
        struct ec_key *k;
        if (!ec_key_from_pem(&k, o->iak_pem, n, why))
                return cli_bad_value(o->cmd, "--iak", arg, why);
        bool priv = ec_key_has_private(k);
        ec_key_free(k);
        if (!priv)
                return cli_bad_value(o->cmd, "--iak", arg, "a public key: the platform signs with it, give the private key");
        o->cfg.iak_pem = o->iak_pem;
        return CLI_OK;
}

/* --device-policy FILE: read and parsed now as the Realm will parse it; 'show' is kept for
 * machine_opts_open_traces to print the default. */
static int set_device_policy(struct machine_opts *o, const char *arg)
{
        char why[512];
        size_t n = 0;
        o->device_policy_arg = arg;
        if (!strcmp(arg, "show"))
                return CLI_OK;
        if (!cli_read_file(arg, o->device_policy, sizeof(o->device_policy), &n, why, sizeof(why)))
                return cli_bad_value(o->cmd, "--device-policy", arg, why);
        if (!ccada_device_policy_check(o->device_policy, n, why, sizeof(why)))
                return cli_bad_value(o->cmd, "--device-policy", arg, why);
        o->cfg.pdev.policy = o->device_policy;
        o->cfg.pdev.policy_len = n;
        return CLI_OK;
}

/* --pdev OPTS: on, off, certs=DIR, fw=VERSION, debug, secured-handshake. */
static int set_pdev(struct machine_opts *o, const char *arg)
{
        struct ccada_pdev_cfg *p = &o->cfg.pdev;
        /* each --pdev keeps its own copy: cfg.pdev's strings of an earlier one stay valid */
        size_t n = strlen(arg) + 1;
        if (n > sizeof(o->pdev_opts) - o->pdev_used)
                return cli_bad_value(o->cmd, "--pdev", "...", "too long");
        char *copy = o->pdev_opts + o->pdev_used;
        memcpy(copy, arg, n);
        o->pdev_used += n;
        bool on = true;
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (!strcmp(t, "on"))
                        on = true;
                else if (!strcmp(t, "off"))
                        on = false;
                else if (!strcmp(t, "debug"))
                        p->debug = true;
                else if (!strcmp(t, "secured-handshake"))
                        p->secured_handshake = true;
                else if (!strncmp(t, "certs=", 6) && t[6])
                        p->cert_dir = t + 6;
                else if (!strncmp(t, "fw=", 3) && t[3] && strlen(t + 3) < 64)
                        p->fw_version = t + 3;
                else
                        return cli_bad_value(o->cmd, "--pdev", t,
                                             "expected on, off, certs=DIR, fw=VERSION (under 64 characters), debug "
                                             "or secured-handshake");
        }
        p->present = on;
        return CLI_OK;
}

int machine_opts_apply(struct machine_opts *o, int c, const char *arg)
{
        switch (c) {
        case M_IAK: return set_iak(o, arg);
        case M_TPROFILE: o->cfg.token_profile = true; return CLI_OK;
        case M_TCMW: o->cfg.token_cmw = true; return CLI_OK;
        case M_ARGS:
                if (strlen(arg) > HOSTCALL_ARGS_MAX)
                        return cli_bad_value(o->cmd, "--args", "...", "at most 240 bytes");
                o->cfg.app_args = arg;
                return CLI_OK;
        case M_DEVICE: return add_device(o, arg);
        case M_PDEV: return set_pdev(o, arg);
        case M_ATTACK: o->attack = arg; o->cfg.pdev.attack = strcmp(arg, "list") ? arg : NULL; return CLI_OK;
        case M_PCAP: o->pcap = arg; return CLI_OK;
        case M_DEVPOLICY: return set_device_policy(o, arg);
        case M_TRACE: o->trace = arg; return CLI_OK;
        case M_JSONTRACE: o->trace_json = arg; return CLI_OK;
        case M_EVENTS: o->events = arg; return CLI_OK;
        case M_DISK: o->cfg.disk_path = arg; return CLI_OK;
        case M_DISKRAM: o->cfg.disk_ram = true; return CLI_OK;
        case M_DISKW: o->cfg.disk_writable = true; return CLI_OK;
        case M_GROW: o->cfg.swiotlb_grow = true; return CLI_OK;
        case M_BP: o->cfg.swiotlb_backpressure = true; return CLI_OK;
        case M_CHECK: o->cfg.check_invariants = true; return CLI_OK;
        case M_HASH: return set_hash(o, arg);
        case M_ALLOC: return set_alloc(o, arg);
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

        if (o->cfg.normal_vm || !o->cfg.swiotlb_slabs || pool <= ram)
                return CLI_OK; /* the kernel's default pool halves to fit, as Linux's does */
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
 * (BLK_TEST_DEFAULT_BYTES in src/realm/apps/blk_test.h): a smaller image fails it. Other
 * workloads need a sector, what a virtio-blk disk needs. */
#define DEMO_DISK_MIN_BYTES (256u << 10)
#define DISK_MIN_BYTES      512u

/* "1 byte", "1000 bytes". */
static const char *bytes_text(uint64_t n, char *buf, size_t len)
{
        snprintf(buf, len, "%llu byte%s", (unsigned long long)n, n == 1 ? "" : "s");
        return buf;
}

/* Checks that dir exists and takes new files, for the disk image (what) to be made in it. */
static int check_dir(const char *cmd, const char *dir, const char *what, const char *hint)
{
        struct stat st;
        const char *why = "not a directory";

        if (stat(dir, &st) != 0)
                why = strerror(errno);
        else if (S_ISDIR(st.st_mode) && access(dir, W_OK | X_OK) != 0)
                why = strerror(errno);
        else if (S_ISDIR(st.st_mode))
                return CLI_OK;
        fprintf(stderr, "ccada %s: cannot create %s in '%s': %s: %s\n", cmd, what, dir, why, hint);
        return CLI_FAIL;
}

/* The directory of path, in dir. */
static void dir_of(const char *path, char *dir, size_t len)
{
        const char *slash = strrchr(path, '/');
        if (!slash)
                snprintf(dir, len, ".");
        else if (slash == path)
                snprintf(dir, len, "/");
        else
                snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* Checks the image file of one disk: a missing or empty file must be creatable, at a size
 * the workload can use (exit 1 when the system refuses, 2 for the size); an existing one a
 * readable regular file (a directory or a device: exit 2; unreadable: 1) large enough for
 * the workload (exit 2). Says once when an image that holds data will not be modified, and
 * which consent (the option named by consent) would let the workload write to it. */
static int check_image(const struct machine_opts *o, const struct ccada_disk_image *img, const char *consent)
{
        const bool demo = !o->cfg.workload || !strcmp(o->cfg.workload, "demo");
        const uint64_t need = demo ? DEMO_DISK_MIN_BYTES : DISK_MIN_BYTES;
        char size[24], have[32], dir[4096];
        struct stat st;

        cli_format_size(img->size, size, sizeof(size));
        bool found = stat(img->path, &st) == 0;
        if (img->size < need && ((!found && errno == ENOENT) || (found && S_ISREG(st.st_mode) && st.st_size == 0))) {
                fprintf(stderr, "ccada %s: disk image '%s' would be created with %s; %s needs at least %s: give a "
                        "larger size=\n", o->cmd, img->path, bytes_text(img->size, have, sizeof(have)),
                        demo ? "blk-test" : "a virtio-blk disk", demo ? "256 KiB" : "512 bytes");
                return CLI_USAGE;
        }
        if (stat(img->path, &st) != 0 && errno == ENOENT) {
                char what[4200];
                dir_of(img->path, dir, sizeof(dir));
                snprintf(what, sizeof(what), "disk image '%s'", img->path);
                return check_dir(o->cmd, dir, what, "give a path in an existing directory you can write to");
        }
        if (stat(img->path, &st) != 0 || access(img->path, R_OK) != 0) {
                fprintf(stderr, "ccada %s: cannot open disk image '%s': %s: check its permissions, or give another "
                        "path (a new one is created, %s)\n", o->cmd, img->path, strerror(errno), size);
                return CLI_FAIL;
        }
        if (!S_ISREG(st.st_mode)) {
                fprintf(stderr, "ccada %s: cannot open disk image '%s': %s: give an image file, or a new path (one is "
                        "created, %s)\n", o->cmd, img->path, S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file",
                        size);
                return CLI_USAGE;
        }
        if (st.st_size == 0) /* a new image: grown to img->size and written */
                return CLI_OK;
        if ((uint64_t)st.st_size < need) {
                fprintf(stderr, "ccada %s: disk image '%s' is %s; %s needs at least %s%s: give a larger image, or a new "
                        "path (one is created, %s)\n", o->cmd, img->path, bytes_text((uint64_t)st.st_size, have, sizeof(have)),
                        demo ? "blk-test" : "a virtio-blk disk", demo ? "256 KiB" : "512 bytes",
                        demo ? " (it writes and reads back the disk's first 256 KiB)" : "", size);
                return CLI_USAGE;
        }
        if (!img->writable)
                fprintf(stderr, "ccada %s: disk image '%s' holds data, so it is not modified: the Realm's writes go to "
                        "a copy-on-write overlay in memory, dropped at exit (%s lets them reach the file)\n", o->cmd,
                        img->path, consent);
        return CLI_OK;
}

/* Checks every disk of Realm A before the machine is built (the machine opens them with the
 * same rules; src/machine/devices.c): an image file (check_image), or the directory of a
 * temporary image. */
static int check_disks(const struct machine_opts *o)
{
        for (unsigned d = 0; d < o->cfg.ndevices; d++) {
                struct ccada_disk_image img;
                int rc = CLI_OK;
                if (!ccada_device_image(&o->cfg, d, &img) || img.ram)
                        continue;
                if (!img.path[0]) {
                        const char *tmp = getenv("TMPDIR");
                        rc = check_dir(o->cmd, tmp && *tmp ? tmp : "/tmp", "the temporary disk image",
                                       "set TMPDIR to a directory you can write to, or use --disk PATH or --disk-ram");
                } else {
                        rc = check_image(o, &img, img.own_file ? "the device option writable" : "--disk-writable");
                }
                if (rc != CLI_OK)
                        return rc;
        }
        return CLI_OK;
}

/* Refuses option combinations that can never boot or pass, saying what to change. */
static int check_combinations(const struct machine_opts *o)
{
        if (o->cfg.disk_path && o->cfg.disk_ram)
                return fprintf(stderr, "ccada %s: --disk and --disk-ram exclude each other: give one of them\n", o->cmd),
                       CLI_USAGE;
        if (o->cfg.disk_writable && !o->cfg.disk_path)
                return fprintf(stderr, "ccada %s: --disk-writable lets the workload write to the image of --disk PATH: "
                               "give --disk PATH too (a --device file= takes the option writable)\n", o->cmd),
                       CLI_USAGE;
        int rc = check_swiotlb_fits(o);
        return rc == CLI_OK ? check_disks(o) : rc;
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
        if (o->tdisp_given && !o->cfg.pdev.present) {
                fprintf(stderr, "ccada %s: --device tdisp is the physical device, which --pdev off removes\n", o->cmd);
                return CLI_USAGE;
        }
        if ((o->cfg.pdev.attack || o->pcap || o->cfg.pdev.policy) && !o->cfg.pdev.present) {
                fprintf(stderr, "ccada %s: %s needs the physical device: add --pdev on\n", o->cmd,
                        o->pcap ? "--pcap" : o->cfg.pdev.attack ? "--attack" : "--device-policy");
                return CLI_USAGE;
        }
        if (o->cfg.pdev.attack && !ccada_attack_known(o->cfg.pdev.attack)) {
                fprintf(stderr, "ccada %s: no attack named '%s' (ccada %s --attack list)\n", o->cmd,
                        o->cfg.pdev.attack, o->cmd);
                return CLI_USAGE;
        }
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
        if (o->device_policy_arg && !strcmp(o->device_policy_arg, "show")) {
                char text[1024];
                size_t n = ccada_device_policy_default(text, sizeof(text));
                if (!n)
                        return CLI_FAIL;
                fputs(text, stdout);
                return -1;
        }
        if (o->attack && !strcmp(o->attack, "list")) {
                for (size_t i = 0; ccada_attack_name(i); i++)
                        printf("%-20s %s\n%-20s caught as: %s\n", ccada_attack_name(i), ccada_attack_summary(i), "",
                               ccada_attack_expect(i));
                return -1;
        }
        o->cfg.trace_events = o->events ? o->events : (o->trace || o->trace_json ? "all" : "swiotlb_bounced");
        if (!ccada_check_events(o->cfg.trace_events, err, sizeof(err))) {
                fprintf(stderr, "ccada %s: %s\n", o->cmd, err);
                return CLI_USAGE;
        }
        if ((o->trace && !(o->trace_file = open_out(o->cmd, o->trace))) ||
            (o->trace_json && !(o->trace_json_file = open_out(o->cmd, o->trace_json))) ||
            (o->pcap && !(o->pcap_file = open_out(o->cmd, o->pcap)))) {
                (void)machine_opts_close_traces(o);
                return CLI_FAIL;
        }
        o->cfg.trace_file = o->trace_file;
        o->cfg.trace_json = o->trace_json_file;
        o->cfg.pdev.pcap = o->pcap_file;
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
        if (o->pcap_file && fclose(o->pcap_file))
                rc = CLI_FAIL;
        o->trace_file = o->trace_json_file = o->pcap_file = NULL;
        return rc;
}
