/* ccada bench: performance figures, each next to its physical limit measured in the same
 * run. Medians over repetitions; these machines are shared and noisy. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/machine.h"
#include "ccada/report.h"
#include "cli.h"
#include "lib/json.h"
#include "machine_opts.h"

void cli_bench_help(FILE *f)
{
        fputs("usage: ccada bench [swiotlb|blk|net|spdm|ide|tdisp|all] [options]\n"
              "\n"
              "  swiotlb   SWIOTLB map+unmap cost per size (64 B .. 256 KiB) in a Realm, next to\n"
              "            the same copy inside the guest and a native memcpy (the limit)\n"
              "  blk       virtio-blk MB/s and IOPS at queue depth 1 and 32, reads and writes of\n"
              "            4K..1M: a Realm and a normal VM alternating cell by cell, their ratio\n"
              "            per pair, and the best ratio Linux's semantics allow (the limit)\n"
              "  net       the lab's figures: key release end to end (keybroker-app in a Realm\n"
              "            against the lab's broker) by step, next to the steps' crypto natively;\n"
              "            a TCP echo stream over virtio-net, a Realm and a normal VM alternating,\n"
              "            next to the same stream on loopback without a VM (the limit)\n"
              "  spdm      SPDM 1.2 device attestation (P-384, SHA-384, AES-256-GCM) in ms, in\n"
              "            process and over loopback TCP with spdm-emu's framing, next to the same\n"
              "            signatures, verifications and ECDH with OpenSSL alone (the floor); and\n"
              "            HEARTBEAT round trips per second in a session, next to AES-GCM alone\n"
              "  ide       PCIe IDE sealing per TLP (64 B .. 4 KiB) in ns, next to OpenSSL EVP\n"
              "            AES-256-GCM over the same payload alone (the floor)\n"
              "  tdisp     block I/O bounced (virtio-blk through SWIOTLB) against direct (the\n"
              "            accepted TDI's DMA over IDE into private memory), 4K..1M, in one Realm,\n"
              "            MB/s and their ratio next to memcpy; the attach step by step\n"
              "  all       all six (default)\n"
              "\n"
              "options:\n"
              "  --reps N           repetitions (blk: pairs) per figure, median reported (default 7)\n"
              "  --ops N            a fixed amount of one benchmark's work instead, untimed: count\n"
              "                     its instructions with valgrind's callgrind and subtract a run\n"
              "                     with --ops 0 (docs/performance.md). swiotlb: N map+unmap per\n"
              "                     size; blk: N requests, --queue-depth per batch (default 1)\n"
              "  --size BYTES       with --ops: swiotlb that size only (1..256K; default every\n"
              "                     size); blk the request size (512-byte sectors, up to 1M;\n"
              "                     default 4K)\n"
              "  --dir DIR          with --ops: swiotlb to|from|bidi (default to: TO_DEVICE);\n"
              "                     blk read|write (default read)\n"
              "  --vm realm|normal  blk: that VM only, no ratio (with --ops: default realm)\n"
              "  --json             machine-readable output\n",
              f);
        machine_opts_help(f);
        fputs("  -h, --help         show this help\n"
              "\n"
              "The machine options set up both machines of a benchmark; blk always backs its disk\n"
              "with host RAM (the data path, not the host's file system) and, without --ram,\n"
              "gives each VM 192M (32 buffers of 1M beside Linux's 64M bounce pool). spdm and ide\n"
              "build no machine: the machine options do not apply to them.\n",
              f);
}

bool cli_bench_build(const struct ccada_machine_config *cfg, const char *what, struct ccada_machine **m)
{
        ccada_status st = ccada_machine_create(m, cfg);
        if (st != CCADA_OK)
                fprintf(stderr, "ccada bench %s: cannot build the machine: %s\n", what, ccada_status_text(st));
        return st == CCADA_OK;
}

bool cli_bench_run(const struct ccada_machine_config *cfg, const char *what, struct ccada_report **out)
{
        struct ccada_machine *m;
        *out = NULL;
        if (!cli_bench_build(cfg, what, &m))
                return false;
        return cli_bench_finish(m, ccada_machine_run(m), cfg, what, out);
}

bool cli_bench_finish(struct ccada_machine *m, ccada_status st, const struct ccada_machine_config *cfg,
                      const char *what, struct ccada_report **out)
{
        struct ccada_report_value v;
        *out = NULL;
        if (ccada_report_create(out) != CCADA_OK) {
                ccada_machine_destroy(m);
                fprintf(stderr, "ccada bench %s: out of memory for the report\n", what);
                return false;
        }
        ccada_machine_report(m, st == CCADA_OK, *out);
        ccada_machine_destroy(m);
        /* The repetitions the Realm ran are those asked for (through its command line). */
        for (size_t s = 0; ccada_report_passed(*out) && s < ccada_report_nsections(*out); s++) {
                const char *name = ccada_report_section_name(*out, s);
                if (!strncmp(name, "bench_", 6) && ccada_report_get(*out, name, "reps", &v) &&
                    cfg->bench_reps && v.u != cfg->bench_reps) {
                        fprintf(stderr, "ccada bench %s: the Realm ran %llu repetitions, not %u\n", what,
                                (unsigned long long)v.u, cfg->bench_reps);
                        ccada_report_destroy(*out);
                        *out = NULL;
                        return false;
                }
        }
        if (ccada_report_passed(*out))
                return true;
        bool said = ccada_report_get(*out, "", "error", &v) && v.text[0];
        fprintf(stderr, "ccada bench %s: failed: %s\n", what,
                said ? v.text : st != CCADA_OK ? ccada_status_text(st) : "a check failed");
        ccada_report_destroy(*out);
        *out = NULL;
        return false;
}

double cli_bench_figure(const struct ccada_report *r, const char *section, const char *key)
{
        struct ccada_report_value v;
        if (!ccada_report_get(r, section, key, &v))
                return 0;
        return v.type == CCADA_REPORT_DOUBLE ? v.d : v.type == CCADA_REPORT_U64 ? (double)v.u : 0;
}

/* The SWIOTLB benchmark's rows: its "bench_swiotlb/<size>" sections, in report order. */
static bool is_swiotlb_row(const struct ccada_report *r, size_t s)
{
        static const char prefix[] = "bench_swiotlb/";
        return !strncmp(ccada_report_section_name(r, s), prefix, sizeof(prefix) - 1);
}

/* The SWIOTLB benchmark: its table on stdout, or with w its "swiotlb" member into the JSON
 * object w has open. */
static int bench_swiotlb(const struct ccada_machine_config *base, unsigned reps, struct json_writer *w)
{
        struct ccada_machine_config cfg = *base;
        struct ccada_report *r;

        cfg.workload = "bench-swiotlb";
        cfg.bench_reps = cfg.bench_fixed ? 0 : reps;
        if (!cli_bench_run(&cfg, "swiotlb", &r))
                return CLI_FAIL;
        size_t n = ccada_report_nsections(r);
        if (cfg.bench_fixed) { /* fixed work: what ran, no figures */
                struct ccada_report_value dir;
                if (w)
                        json_begin_array(w, "swiotlb");
                for (size_t i = 0; i < n; i++) {
                        if (!is_swiotlb_row(r, i))
                                continue;
                        const char *s = ccada_report_section_name(r, i);
                        bool named = ccada_report_get(r, s, "dir", &dir);
                        if (w) {
                                json_begin_object(w, NULL);
                                json_double(w, "size", cli_bench_figure(r, s, "size"), 0);
                                json_double(w, "ops", cli_bench_figure(r, s, "ops"), 0);
                                json_string(w, "dir", named ? dir.text : "");
                                json_end_object(w);
                        } else {
                                printf("%s: %.0f map+unmap of %.0f bytes, %s (fixed work, untimed)\n",
                                       cfg.normal_vm ? "DMA API (normal VM)" : "SWIOTLB", cli_bench_figure(r, s, "ops"),
                                       cli_bench_figure(r, s, "size"), named ? dir.text : "?");
                        }
                }
                if (w)
                        json_end_array(w);
                ccada_report_destroy(r);
                return CLI_OK;
        }
        struct ccada_report_value dir, pool;
        if (w) {
                json_begin_array(w, "swiotlb");
                for (size_t i = 0; i < n; i++) {
                        if (!is_swiotlb_row(r, i))
                                continue;
                        const char *s = ccada_report_section_name(r, i);
                        bool named = ccada_report_get(r, s, "dir", &dir) && ccada_report_get(r, s, "pool", &pool);
                        json_begin_object(w, NULL);
                        json_string(w, "dir", named ? dir.text : "");
                        json_string(w, "pool", named ? pool.text : "");
                        json_double(w, "size", cli_bench_figure(r, s, "size"), 0);
                        json_double(w, "copies", cli_bench_figure(r, s, "copies"), 0);
                        json_double(w, "map_unmap_ns", cli_bench_figure(r, s, "map_unmap_ns"), 1);
                        json_double(w, "memcpy_ns", cli_bench_figure(r, s, "memcpy_ns"), 1);
                        json_double(w, "memcpy_cold_ns", cli_bench_figure(r, s, "memcpy_cold_ns"), 1);
                        json_double(w, "extra_ns", cli_bench_figure(r, s, "extra_ns"), 1);
                        json_double(w, "guest_copy_ns", cli_bench_figure(r, s, "guest_copy_ns"), 1);
                        json_end_object(w);
                }
                json_end_array(w);
                ccada_report_destroy(r);
                return CLI_OK;
        }
        if (cfg.normal_vm)
                printf("DMA map+unmap in a normal VM: no bounce, the DMA API alone (median of %u, ns per operation)\n",
                       reps);
        else
                printf("SWIOTLB bounce cost in a Realm (median of %u, ns per operation)\n", reps);
        const char *last_dir = "";
        for (size_t i = 0; i < n; i++) {
                if (!is_swiotlb_row(r, i))
                        continue;
                const char *s = ccada_report_section_name(r, i);
                if (!ccada_report_get(r, s, "dir", &dir) || !ccada_report_get(r, s, "pool", &pool))
                        continue;
                if (strcmp(dir.text, last_dir)) {
                        printf("\n%s\n%5s %7s %11s %7s %9s %9s %9s %11s\n", dir.text, "pool", "size", "map+unmap",
                               "copies", "memcpy", "cold", "extra", "guest copy");
                        last_dir = dir.text;
                }
                printf("%5s %7.0f %11.1f %7.0f %9.1f %9.1f %9.1f %11.1f\n", pool.text, cli_bench_figure(r, s, "size"),
                       cli_bench_figure(r, s, "map_unmap_ns"), cli_bench_figure(r, s, "copies"),
                       cli_bench_figure(r, s, "memcpy_ns"), cli_bench_figure(r, s, "memcpy_cold_ns"),
                       cli_bench_figure(r, s, "extra_ns"), cli_bench_figure(r, s, "guest_copy_ns"));
        }
        printf("\nmap+unmap: dma_map_single + dma_unmap_single in that direction (bounced in a Realm: the\n"
               "copies into the shared pool and back through stage 2 and the GPC, slot search and\n"
               "release). busy: %s other mappings of the same size live meanwhile (fewer in a\n"
               "pool too small for them: half of it). copies: those a bounce must make. memcpy:\n"
               "native, same run, between cached buffers; cold: into memory not in the cache, as the\n"
               "map's copy into a slot is (Linux's next-fit cursor walks the whole pool). extra =\n"
               "map+unmap - (cold + (copies - 1) x memcpy): what SWIOTLB and the DMA layer add to the\n"
               "unavoidable copies. guest copy: the same bytes copied private-to-private by the guest.\n",
               "32");
        ccada_report_destroy(r);
        return CLI_OK;
}

struct bench_opts {
        struct machine_opts m;
        uint64_t reps;
        bool json;
        bool size_given, dir_given;
};

static int bench_opt(void *ctx, int c, const char *arg)
{
        static const struct cli_number_opt opt_reps = { "bench", "--reps", false, 1, 31, 0, "must be 1..31" };
        static const struct cli_number_opt opt_ops = { "bench", "--ops", false, 0, 100000000, 0,
                                                       "must be 0..100000000" };
        static const struct cli_number_opt opt_size = { "bench", "--size", true, 1, 1u << 20, 0,
                                                        "must be 1..1M (swiotlb: ..256K; blk: whole 512-byte sectors)" };
        struct bench_opts *o = ctx;
        if (c == 'r')
                return cli_number(&opt_reps, arg, &o->reps);
        if (c == 'o') {
                o->m.cfg.bench_fixed = true;
                return cli_number(&opt_ops, arg, &o->m.cfg.bench_ops);
        }
        if (c == 's') {
                o->size_given = true;
                return cli_number(&opt_size, arg, &o->m.cfg.bench_size);
        }
        if (c == 'd') {
                if (strcmp(arg, "to") && strcmp(arg, "from") && strcmp(arg, "bidi") && strcmp(arg, "read") &&
                    strcmp(arg, "write")) {
                        fprintf(stderr, "ccada bench: --dir '%s': must be to, from or bidi (swiotlb), read or write (blk)\n",
                                arg);
                        return CLI_USAGE;
                }
                o->dir_given = true;
                o->m.cfg.bench_dir = arg;
                return CLI_OK;
        }
        if (c != 'j')
                return cli_bench_help(stderr), CLI_USAGE;
        o->json = true;
        return CLI_OK;
}

/* One benchmark or both; with json, one JSON document holding each one's member (nothing
 * on stdout when one fails: the reason is on stderr). */
static int run_benches(const char *what, const struct machine_opts *m, unsigned reps, bool json)
{
        bool all = !strcmp(what, "all");
        bool sw = all || !strcmp(what, "swiotlb"), blk = all || !strcmp(what, "blk"), net = all || !strcmp(what, "net");
        bool spdm = all || !strcmp(what, "spdm"), ide = all || !strcmp(what, "ide");
        bool tdisp = all || !strcmp(what, "tdisp");
        char *doc = NULL;
        size_t len = 0;
        FILE *f = json ? open_memstream(&doc, &len) : NULL;
        struct json_writer w;
        int rc = CLI_OK;

        if (json && !f)
                return fprintf(stderr, "ccada bench: out of memory\n"), CLI_FAIL;
        if (json) {
                json_init(&w, f, false);
                json_begin_object(&w, NULL);
        }
        if (sw)
                rc = bench_swiotlb(&m->cfg, reps, json ? &w : NULL);
        if (blk && rc == CLI_OK)
                rc = cli_bench_blk(m, reps, json ? &w : NULL);
        if (net && rc == CLI_OK) {
                if (!json && (sw || blk))
                        printf("\n");
                rc = cli_bench_net(m, reps, json ? &w : NULL);
        }
        if (spdm && rc == CLI_OK) {
                if (!json && (sw || blk || net))
                        printf("\n");
                rc = cli_bench_spdm(reps, json ? &w : NULL);
        }
        if (ide && rc == CLI_OK) {
                if (!json && (sw || blk || net || spdm))
                        printf("\n");
                rc = cli_bench_ide(reps, json ? &w : NULL);
        }
        if (tdisp && rc == CLI_OK) {
                if (!json && (sw || blk || net || spdm || ide))
                        printf("\n");
                rc = cli_bench_tdisp(m, reps, json ? &w : NULL);
        }
        if (json) {
                json_end_object(&w);
                bool ok = json_finish(&w);
                if (fclose(f) != 0 || !ok)
                        rc = rc ? rc : CLI_FAIL;
                if (rc == CLI_OK && fwrite(doc, 1, len, stdout) != len)
                        rc = CLI_FAIL;
                free(doc);
        }
        return rc;
}

/* --ops names one benchmark, and --size and --dir must suit it. */
static int fixed_work_check(struct bench_opts *o, const char *what)
{
        struct ccada_machine_config *c = &o->m.cfg;
        bool blk = !strcmp(what, "blk");
        if (c->bench_fixed && strcmp(what, "swiotlb") && !blk) {
                fprintf(stderr, "ccada bench: --ops is a fixed amount of one benchmark's work: name it (swiotlb or blk)\n");
                return CLI_USAGE;
        }
        if (o->m.vm_given && (!strcmp(what, "all") || !strcmp(what, "spdm") || !strcmp(what, "ide") ||
                              !strcmp(what, "tdisp"))) {
                fprintf(stderr, "ccada bench: --vm picks the VM of one benchmark: name it (swiotlb or blk)\n");
                return CLI_USAGE;
        }
        if (!c->bench_fixed)
                return CLI_OK;
        bool blk_dir = !c->bench_dir || !strcmp(c->bench_dir, "read") || !strcmp(c->bench_dir, "write");
        if (blk && (!blk_dir || (o->size_given && c->bench_size % 512))) {
                fprintf(stderr, "ccada bench blk: --dir must be read or write and --size whole 512-byte sectors\n");
                return CLI_USAGE;
        }
        if (!blk && ((c->bench_dir && (!strcmp(c->bench_dir, "read") || !strcmp(c->bench_dir, "write"))) ||
                     c->bench_size > (256u << 10))) {
                fprintf(stderr, "ccada bench swiotlb: --dir must be to, from or bidi and --size at most 256K\n");
                return CLI_USAGE;
        }
        if (blk) {
                if (!o->size_given)
                        c->bench_size = 4096;
                if (!c->bench_dir)
                        c->bench_dir = "read";
                c->bench_qd = c->queue_depth ? c->queue_depth : 1;
                if (c->bench_qd > 256) {
                        fprintf(stderr, "ccada bench blk: with --ops, --queue-depth must be 1..256 (requests per batch)\n");
                        return CLI_USAGE;
                }
        }
        return CLI_OK;
}

int cli_bench(int argc, char **argv)
{
        static const struct option own[] = {
                { "reps", required_argument, NULL, 'r' },
                { "ops", required_argument, NULL, 'o' },
                { "size", required_argument, NULL, 's' },
                { "dir", required_argument, NULL, 'd' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct bench_opts o = { .reps = 7 };
        machine_opts_init(&o.m, "bench");
        int rc = machine_opts_parse(&o.m, argc, argv, own, bench_opt, &o, cli_bench_help, 1);
        if (rc)
                return rc < 0 ? CLI_OK : rc;
        const char *what = optind < argc ? argv[optind] : "all";
        if (strcmp(what, "swiotlb") && strcmp(what, "blk") && strcmp(what, "net") && strcmp(what, "spdm") &&
            strcmp(what, "ide") && strcmp(what, "tdisp") && strcmp(what, "all")) {
                fprintf(stderr, "ccada bench: unknown benchmark '%s'\n", what);
                return CLI_USAGE;
        }
        if ((o.size_given || o.dir_given) && !o.m.cfg.bench_fixed) {
                fprintf(stderr, "ccada bench: --size and --dir go with --ops (fixed work)\n");
                return CLI_USAGE;
        }
        if ((rc = fixed_work_check(&o, what)) != CLI_OK)
                return rc;
        if ((rc = machine_opts_open_traces(&o.m, o.json)) != CLI_OK)
                return rc < 0 ? CLI_OK : rc;
        /* The figures are the output: no console, and no events unless asked for. */
        o.m.cfg.console = NULL;
        if (!o.m.events && !o.m.trace && !o.m.trace_json) {
                o.m.cfg.trace_events = NULL;
                o.m.cfg.trace_pipe = NULL;
        }
        rc = run_benches(what, &o.m, (unsigned)o.reps, o.json);
        if (machine_opts_close_traces(&o.m) != CLI_OK)
                rc = CLI_FAIL;
        return rc;
}
