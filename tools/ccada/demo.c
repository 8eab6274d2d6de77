/* ccada demo: boot the default machine and show a Realm's memory isolation. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/machine.h"
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
              "  -h, --help         show this help\n"
              "\n"
              "exit status: 0 all checks passed, 1 a check or the run failed, 2 usage error\n",
              f);
}

bool cli_parse_u64(const char *s, bool allow_suffix, uint64_t *out)
{
        char *end;
        if (!s || !*s || *s == '-')
                return false;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 0);
        if (errno || end == s)
                return false;
        unsigned shift = 0;
        if (allow_suffix && *end) {
                shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20 : *end == 'G' || *end == 'g' ? 30 : 64;
                if (shift == 64)
                        return false;
                end++;
        }
        if (*end || (shift && v > (~0ULL >> shift)))
                return false;
        *out = (uint64_t)v << shift;
        return true;
}

struct demo_opts {
        const char *trace, *trace_json, *events;
        bool json;
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

static int parse_opts(int argc, char **argv, struct demo_opts *o)
{
        enum { O_TRACE = 256, O_JSONTRACE, O_EVENTS, O_SEED, O_JSON, O_HASH, O_IPA, O_RAM, O_VM, O_DISK, O_DISKRAM, O_SWIOTLB, O_GROW, O_BP };
        static const struct option longopts[] = {
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
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        uint64_t v;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case O_TRACE: o->trace = optarg; break;
                case O_JSONTRACE: o->trace_json = optarg; break;
                case O_EVENTS: o->events = optarg; break;
                case O_JSON: o->json = true; break;
                case O_SEED:
                        if (!cli_parse_u64(optarg, false, &o->cfg.seed))
                                return fprintf(stderr, "ccada demo: --seed takes a number, not '%s'\n", optarg), CLI_USAGE;
                        break;
                case O_HASH:
                        if (!strcmp(optarg, "sha256") || !strcmp(optarg, "sha-256"))
                                o->cfg.hash_algo = 0;
                        else if (!strcmp(optarg, "sha512") || !strcmp(optarg, "sha-512"))
                                o->cfg.hash_algo = 1;
                        else
                                return fprintf(stderr, "ccada demo: --hash is sha256 or sha512, not '%s'\n", optarg), CLI_USAGE;
                        break;
                case O_IPA:
                        if (!cli_parse_u64(optarg, false, &v) || v < 33 || v > 48)
                                return fprintf(stderr, "ccada demo: --ipa-bits must be 33..48, not '%s'\n", optarg), CLI_USAGE;
                        o->cfg.ipa_bits = (unsigned)v;
                        break;
                case O_RAM:
                        if (!cli_parse_u64(optarg, true, &v) || !v || v % (2u << 20) || v > (1ULL << 30))
                                return fprintf(stderr, "ccada demo: --ram must be a multiple of 2M up to 1G, not '%s'\n", optarg), CLI_USAGE;
                        o->cfg.realm_ram = v;
                        break;
                case O_VM:
                        if (strcmp(optarg, "realm") && strcmp(optarg, "normal"))
                                return fprintf(stderr, "ccada demo: --vm is realm or normal, not '%s'\n", optarg), CLI_USAGE;
                        o->cfg.normal_vm = !strcmp(optarg, "normal");
                        break;
                case O_DISK: o->cfg.disk_path = optarg; break;
                case O_DISKRAM: o->cfg.disk_ram = true; break;
                case O_GROW: o->cfg.swiotlb_grow = true; break;
                case O_BP: o->cfg.swiotlb_backpressure = true; break;
                case O_SWIOTLB:
                        if (!cli_parse_u64(optarg, true, &v) || v < (256u << 10) || v > (1u << 30) || v % 2048)
                                return fprintf(stderr, "ccada demo: --swiotlb must be 256K..1G in 2K slots, not '%s'\n", optarg), CLI_USAGE;
                        o->cfg.swiotlb_slabs = v / 2048;
                        break;
                case 'h': cli_demo_help(stdout); return -1;
                default: cli_demo_help(stderr); return CLI_USAGE;
                }
        }
        if (optind < argc)
                return fprintf(stderr, "ccada demo: unexpected argument '%s'\n", argv[optind]), CLI_USAGE;
        if (o->cfg.realm_ram + (16u << 20) > o->cfg.mem_size)
                o->cfg.mem_size = o->cfg.realm_ram * 2 + (32u << 20);
        return CLI_OK;
}

static FILE *open_out(const char *path)
{
        FILE *f = fopen(path, "w");
        if (!f)
                fprintf(stderr, "ccada demo: cannot write '%s': %s\n", path, strerror(errno));
        return f;
}

static const char *yes(bool b) { return b ? "true" : "false"; }

static void print_json(const struct ccada_demo_summary *s, bool passed)
{
        printf("{\n  \"passed\": %s,\n  \"rim\": \"%s\",\n  \"hash_algo\": \"%s\",\n  \"rem1\": \"%s\",\n",
               yes(passed), s->rim_hex, s->hash_algo, s->rem1_hex);
        printf("  \"vm\": \"%s\",\n  \"rpv\": \"%s\",\n  \"ipa_bits\": %u,\n  \"exits\": {",
               s->normal_vm ? "normal" : "realm", s->rpv_hex, s->ipa_bits);
        for (unsigned i = 0; i < CCADA_EXIT_REASONS; i++)
                printf("%s\"%s\": %llu", i ? ", " : "", s->exit_names[i] + 9 /* "RMI_EXIT_" */,
                       (unsigned long long)s->exits[i]);
        printf("},\n  \"gpf\": %llu,\n  \"shared_pages\": %llu,\n  \"ripas_changes\": %llu,\n",
               (unsigned long long)s->gpf, (unsigned long long)s->shared_pages,
               (unsigned long long)s->ripas_changes);
        printf("  \"mmio\": {\"reads\": %llu, \"writes\": %llu},\n  \"rmi_calls\": %llu,\n  \"rsi_calls\": %llu,\n",
               (unsigned long long)s->mmio_reads, (unsigned long long)s->mmio_writes,
               (unsigned long long)s->rmi_calls, (unsigned long long)s->rsi_calls);
        printf("  \"checks\": {\"booted\": %s, \"host_read_shared\": %s, \"host_read_private_faulted\": %s, "
               "\"host_write_private_faulted\": %s, \"private_intact\": %s, \"mmio\": %s, \"rem_extended\": %s, "
               "\"unshared\": %s, \"powered_off\": %s},\n",
               yes(s->booted), yes(s->host_read_shared), yes(s->host_read_private_faulted),
               yes(s->host_write_private_faulted), yes(s->private_intact), yes(s->mmio_ok),
               yes(s->rem_extended), yes(s->unshare_ok), yes(s->powered_off));
        printf("  \"swiotlb\": {\"nslabs\": %lu, \"used\": %lu, \"used_hiwater\": %lu, \"bounces\": %lu, \"bounced_bytes\": %llu},\n",
               s->swiotlb_nslabs, s->swiotlb_used, s->swiotlb_hiwater, s->swiotlb_bounces, s->swiotlb_bounced_bytes);
        printf("  \"blk\": {\"present\": %s, \"bytes_written\": %llu, \"bytes_read\": %llu, \"verified\": %s},\n",
               yes(s->blk_present), (unsigned long long)s->blk_bytes_written, (unsigned long long)s->blk_bytes_read,
               yes(s->blk_verified));
        printf("  \"host_read_bounce_slot\": %s,\n", yes(s->host_read_bounce));
        printf("  \"error\": \"%s\"\n}\n", s->error); /* error text never contains quotes */
}

static void print_isolation(const struct ccada_demo_summary *s)
{
        printf("\nRealm Initial Measurement (%s): %s\n", s->hash_algo, s->rim_hex);
        printf("REM[1] after extend:               %s\n\n", s->rem1_hex);
        printf("  boot              %s (IPA width %u, shared bit %u)\n", s->booted ? "ok" : "FAILED", s->ipa_bits,
               s->ipa_bits ? s->ipa_bits - 1 : 0);
        printf("  shared pages      %llu (RIPAS changes: %llu)\n", (unsigned long long)s->shared_pages,
               (unsigned long long)s->ripas_changes);
        printf("  host reads shared page         %s\n", s->host_read_shared ? "yes" : "NO");
        printf("  host reads private page        %s\n", s->host_read_private_faulted ? "granule protection fault" : "NOT BLOCKED");
        printf("  host writes private page       %s\n", s->host_write_private_faulted ? "granule protection fault" : "NOT BLOCKED");
        printf("  Realm data unchanged           %s\n", s->private_intact ? "yes" : "NO");
        printf("  REM extend                     %s\n", s->rem_extended ? "ok" : "FAILED");
        printf("  host reads a bounce slot       %s (shared: what was bounced is not confidential)\n",
               s->host_read_bounce ? "yes" : "no");
}

static void print_swiotlb(const struct ccada_demo_summary *s)
{
        printf("  SWIOTLB           nslabs %lu (%lu KiB), used %lu, used_hiwater %lu, bounces %lu, bounced %llu bytes\n",
               s->swiotlb_nslabs, s->swiotlb_nslabs * 2, s->swiotlb_used, s->swiotlb_hiwater, s->swiotlb_bounces,
               s->swiotlb_bounced_bytes);
        printf("  virtio-blk        %s: wrote %llu bytes, read %llu bytes back, %s\n",
               s->blk_present ? "0000:00:00.0" : "absent", (unsigned long long)s->blk_bytes_written,
               (unsigned long long)s->blk_bytes_read, s->blk_verified ? "verified" : "NOT VERIFIED");
}

static void print_human(const struct ccada_demo_summary *s, bool passed)
{
        if (s->normal_vm)
                printf("\nnormal VM (no RMM, no isolation): boot %s\n", s->booted ? "ok" : "FAILED");
        else
                print_isolation(s);
        print_swiotlb(s);
        printf("  MMIO              %s (%llu reads, %llu writes)\n", s->mmio_ok ? "PL011 identified" : "FAILED",
               (unsigned long long)s->mmio_reads, (unsigned long long)s->mmio_writes);
        printf("  %s exits         ", s->normal_vm ? "VM " : "REC");
        for (unsigned i = 0; i < CCADA_EXIT_REASONS; i++)
                if (s->exits[i])
                        printf(" %s=%llu", s->exit_names[i] + 9, (unsigned long long)s->exits[i]);
        printf("\n  GPFs              %llu\n  RMI/RSI calls     %llu/%llu\n", (unsigned long long)s->gpf,
               (unsigned long long)s->rmi_calls, (unsigned long long)s->rsi_calls);
        if (s->error[0])
                printf("  error             %s\n", s->error);
        printf("\n%s\n", passed ? "demo: all checks passed" : "demo: FAILED");
}

static int run(struct demo_opts *o)
{
        struct ccada_machine *m;
        struct ccada_demo_summary s;
        ccada_status st = ccada_machine_create(&m, &o->cfg);
        if (st != CCADA_OK) {
                fprintf(stderr, "ccada demo: cannot build the machine: %s\n", ccada_status_text(st));
                return CLI_FAIL;
        }
        st = ccada_machine_run(m);
        bool trace_ok = ccada_machine_finish_trace(m);
        ccada_machine_summary(m, &s);
        ccada_machine_destroy(m);
        bool passed = st == CCADA_OK && ccada_demo_passed(&s);
        if (st != CCADA_OK)
                fprintf(stderr, "ccada demo: the run failed: %s\n", ccada_status_text(st));
        if (!trace_ok)
                fprintf(stderr, "ccada demo: writing the trace failed\n");
        if (o->json)
                print_json(&s, passed);
        else
                print_human(&s, passed);
        return passed && trace_ok ? CLI_OK : CLI_FAIL;
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
