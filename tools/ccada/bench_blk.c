/* ccada bench blk: virtio-blk requests per second, a Realm against a normal VM, both
 * machines alive and alternating cell by cell (ABAB...), with the limit Linux's semantics
 * put on their ratio computed from the same run's memcpy (docs/performance.md).
 *
 * How the alternation works: each machine runs on its own coroutine. The bench app in the
 * guest hands every figure to the host as it measures it (HOSTCALL_BENCH_SAMPLE); the
 * machine gives it to bench_hook here, which records it and yields, so that the other
 * machine measures the same cell and repetition before this one goes on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/machine.h"
#include "ccada/report.h"
#include "cli.h"
#include "lib/coro.h"
#include "lib/json.h"
#include "machine_opts.h"

#define MAX_CELLS 64u
#define MAX_REPS 31u
#define VM_STACK (8u << 20) /* a normal VM's guest runs on its machine's stack */

enum { REALM, NORMAL, NVMS };
static const char *const vm_title[NVMS] = { "Realm", "normal VM" };
static const char *const vm_key[NVMS] = { "realm", "normal" };

struct pair_run;

struct vm_run {
        struct pair_run *p;
        bool on;                        /* part of this benchmark */
        struct ccada_machine_config cfg;
        struct ccada_machine *m;
        struct coro *co;
        ccada_status st;
        struct ccada_report *report;
        struct ccada_bench_sample s[MAX_CELLS][MAX_REPS];
        bool have[MAX_CELLS][MAX_REPS];
        char bad[160];                  /* a figure the guest should not have given */
};

struct pair_run {
        struct vm_run vm[NVMS];
        unsigned reps;
        bool alternate;                 /* both VMs: yield after each figure */
};

static void bench_hook(void *ctx, const struct ccada_bench_sample *s)
{
        struct vm_run *v = ctx;
        if (s->cell >= MAX_CELLS || s->rep >= v->p->reps || v->have[s->cell][s->rep]) {
                if (!v->bad[0])
                        snprintf(v->bad, sizeof(v->bad), "a figure for cell %llu, repetition %llu, that it should not give",
                                 (unsigned long long)s->cell, (unsigned long long)s->rep);
        } else {
                v->s[s->cell][s->rep] = *s;
                v->have[s->cell][s->rep] = true;
        }
        if (v->p->alternate)
                coro_yield(v->co);
}

static void vm_main(struct coro *self, void *arg)
{
        struct vm_run *v = arg;
        (void)self;
        v->st = ccada_machine_run(v->m);
}

/* Builds the machines, runs them (alternating when both are on) and takes their reports.
 * False, said on stderr, when one could not be built or failed. */
static bool pair_run(struct pair_run *p)
{
        bool ok = true;
        for (unsigned i = 0; i < NVMS && ok; i++) {
                struct vm_run *v = &p->vm[i];
                if (!v->on)
                        continue;
                v->cfg.bench_hook = bench_hook;
                v->cfg.bench_hook_ctx = v;
                ok = cli_bench_build(&v->cfg, i == REALM ? "blk (Realm)" : "blk (normal VM)", &v->m);
                if (ok && !coro_create(&v->co, VM_STACK, vm_main, v)) {
                        fprintf(stderr, "ccada bench blk: out of memory for a machine's stack\n");
                        ok = false;
                }
        }
        for (bool busy = ok; busy;) { /* A, B, A, B, ... each to its next figure or its end */
                busy = false;
                for (unsigned i = 0; i < NVMS; i++) {
                        if (p->vm[i].co && !coro_finished(p->vm[i].co)) {
                                coro_resume(p->vm[i].co);
                                busy = true;
                        }
                }
        }
        for (unsigned i = 0; i < NVMS; i++) {
                struct vm_run *v = &p->vm[i];
                coro_destroy(v->co);
                v->co = NULL;
                if (!v->m)
                        continue;
                if (!cli_bench_finish(v->m, v->st, &v->cfg, i == REALM ? "blk (Realm)" : "blk (normal VM)",
                                      &v->report))
                        ok = false;
                v->m = NULL;
                if (ok && v->bad[0]) {
                        fprintf(stderr, "ccada bench blk: the %s gave %s\n", vm_title[i], v->bad);
                        ok = false;
                }
        }
        return ok;
}

/* ---- figures ---- */

struct cell {
        char section[32];
        unsigned qd;
        bool write;
        double size;
        double ns_per_op[NVMS], mbps[NVMS], iops[NVMS];
        double ratio[MAX_REPS], limit[MAX_REPS];  /* per pair */
        double memcpy_ns, memcpy_cold_ns;
};

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

static double median_of(double *v, unsigned n)
{
        qsort(v, n, sizeof(*v), cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* What a Realm's request costs beyond the normal VM's with Linux's semantics, in copies of
 * its data, given one copy into cached memory (t_hot) and one into memory that is not
 * (t_cold, isolated: the guest measures it with other work between copies, as in a
 * request): the map copies the buffer into a bounce slot, for reads too (CVE-2022-0854),
 * and the slot is cold: Linux's next-fit cursor walks the whole pool (64 MiB) before it
 * comes back to it. A read's unmap then copies the data back out of the slot, which the
 * device has just written: hot. The device's own copy, into or out of the slot instead of
 * the guest's buffer, is one the normal VM makes too, and the slot is hot by then. */
static double extra_copy_ns(bool write, double t_hot, double t_cold)
{
        return write ? t_cold : t_cold + t_hot;
}

/* Cell n of the reports (the VMs that ran agree on what each cell is), with, when both ran,
 * each pair's ratio and limit: the ratio is the Realm's requests per second over the normal
 * VM's in the same repetition; the limit is the best ratio the Realm can have if it does all
 * the normal VM does plus the copies Linux's semantics add (extra_copy_ns, from that
 * repetition's memcpy): t_normal / (t_normal + extra). CELL_NONE past the last cell; CELL_UNPAIRED
 * when a repetition lacks a VM's figure. */
enum cell_found { CELL_NONE, CELL_OK, CELL_UNPAIRED };

static enum cell_found cell_figures(const struct pair_run *p, unsigned n, struct cell *c)
{
        struct ccada_report_value dir;
        const struct ccada_report *any = p->vm[REALM].on ? p->vm[REALM].report : p->vm[NORMAL].report;
        memset(c, 0, sizeof(*c));
        snprintf(c->section, sizeof(c->section), "bench_blk/%u", n);
        if (n >= MAX_CELLS || !ccada_report_get(any, c->section, "dir", &dir))
                return CELL_NONE;
        c->write = !strcmp(dir.text, "write");
        c->qd = (unsigned)cli_bench_figure(any, c->section, "qd");
        c->size = cli_bench_figure(any, c->section, "size");
        double mc[NVMS * MAX_REPS], cold[NVMS * MAX_REPS];
        unsigned nmc = 0;
        for (unsigned i = 0; i < NVMS; i++) {
                const struct vm_run *v = &p->vm[i];
                if (!v->on)
                        continue;
                c->ns_per_op[i] = cli_bench_figure(v->report, c->section, "ns_per_op");
                c->mbps[i] = cli_bench_figure(v->report, c->section, "mbps");
                c->iops[i] = cli_bench_figure(v->report, c->section, "iops");
                for (unsigned r = 0; r < p->reps; r++)
                        if (v->have[n][r]) {
                                cold[nmc] = v->s[n][r].memcpy_cold_ps / 1e3;
                                mc[nmc++] = v->s[n][r].memcpy_ps / 1e3;
                        }
        }
        c->memcpy_ns = nmc ? median_of(mc, nmc) : 0;
        c->memcpy_cold_ns = nmc ? median_of(cold, nmc) : 0;
        if (!p->alternate)
                return CELL_OK;
        for (unsigned r = 0; r < p->reps; r++) {
                const struct ccada_bench_sample *a = &p->vm[REALM].s[n][r], *b = &p->vm[NORMAL].s[n][r];
                if (!p->vm[REALM].have[n][r] || !p->vm[NORMAL].have[n][r] || !a->ns || !a->ops || !b->ops)
                        return CELL_UNPAIRED;
                double tn = (double)b->ns / b->ops, t_hot = (a->memcpy_ps + b->memcpy_ps) / 2e3,
                       t_cold = (a->memcpy_cold_ps + b->memcpy_cold_ps) / 2e3;
                c->ratio[r] = (double)b->ns / b->ops / ((double)a->ns / a->ops);
                c->limit[r] = tn / (tn + extra_copy_ns(c->write, t_hot, t_cold));
        }
        return CELL_OK;
}

static const char *size_text(double size, char *buf, size_t len)
{
        if (size >= 1 << 20)
                snprintf(buf, len, "%.0fM", size / (1 << 20));
        else
                snprintf(buf, len, "%.0fK", size / 1024);
        return buf;
}

static void cell_json(struct json_writer *w, const struct pair_run *p, struct cell *c)
{
        json_begin_object(w, NULL);
        json_double(w, "qd", c->qd, 0);
        json_string(w, "dir", c->write ? "write" : "read");
        json_double(w, "size", c->size, 0);
        for (unsigned i = 0; i < NVMS; i++) {
                if (!p->vm[i].on)
                        continue;
                json_begin_object(w, vm_key[i]);
                json_double(w, "ns_per_op", c->ns_per_op[i], 1);
                json_double(w, "mbps", c->mbps[i], 1);
                json_double(w, "iops", c->iops[i], 0);
                json_end_object(w);
        }
        json_double(w, "memcpy_ns", c->memcpy_ns, 1);
        json_double(w, "memcpy_cold_ns", c->memcpy_cold_ns, 1);
        if (p->alternate) {
                json_begin_array(w, "ratios");
                for (unsigned r = 0; r < p->reps; r++)
                        json_double(w, NULL, c->ratio[r], 3);
                json_end_array(w);
                json_double(w, "ratio_median", median_of(c->ratio, p->reps), 3); /* sorts them: */
                json_double(w, "ratio_min", c->ratio[0], 3);
                json_double(w, "ratio_max", c->ratio[p->reps - 1], 3);
                json_double(w, "limit", median_of(c->limit, p->reps), 3);
        }
        json_end_object(w);
}

static void cell_row(const struct pair_run *p, struct cell *c)
{
        char sz[16];
        printf("%3u %-5s %5s", c->qd, c->write ? "write" : "read", size_text(c->size, sz, sizeof(sz)));
        for (unsigned i = 0; i < NVMS; i++)
                if (p->vm[i].on)
                        printf(" %10.1f %9.0f", c->mbps[i], c->iops[i]);
        if (p->alternate) {
                double lim = median_of(c->limit, p->reps);
                double med = median_of(c->ratio, p->reps); /* sorts them: [0] is the least */
                printf("  %5.2f %5.2f..%-5.2f %6.2f %5.0f%%", med, c->ratio[0], c->ratio[p->reps - 1], lim,
                       100 * med / lim);
        }
        printf(" %9.1f %9.1f\n", c->memcpy_ns, c->memcpy_cold_ns);
}

static void table_head(const struct pair_run *p)
{
        if (p->alternate)
                printf("\nvirtio-blk, RAM backend: a Realm and a normal VM alternating cell by cell (ABAB),\n"
                       "%u pairs per cell; ratio = Realm/normal requests per second, per pair: median and\n"
                       "range; limit = the best ratio with Linux's semantics, from this run's memcpy\n"
                       "(docs/performance.md)\n\n",
                       p->reps);
        else
                printf("\nvirtio-blk, RAM backend, %s only (median of %u)\n\n",
                       vm_title[p->vm[REALM].on ? REALM : NORMAL], p->reps);
        printf("%3s %-5s %5s", "qd", "dir", "size");
        for (unsigned i = 0; i < NVMS; i++)
                if (p->vm[i].on)
                        printf(" %10s %9s", i == REALM ? "Realm MB/s" : "normal MB/s", "IOPS");
        if (p->alternate)
                printf("  %5s %-11s %6s %6s", "ratio", "range", "limit", "of lim");
        printf(" %9s %9s\n", "memcpy ns", "cold ns");
}

static int fixed_output(const struct pair_run *p, struct json_writer *w)
{
        unsigned i = p->vm[REALM].on ? REALM : NORMAL;
        const struct ccada_report *r = p->vm[i].report;
        struct ccada_report_value dir;
        const char *s = "bench_blk/fixed";
        bool named = ccada_report_get(r, s, "dir", &dir);
        if (w) {
                json_begin_object(w, "blk");
                json_string(w, "vm", vm_key[i]);
                json_begin_object(w, "fixed");
                json_double(w, "ops", cli_bench_figure(r, s, "ops"), 0);
                json_double(w, "size", cli_bench_figure(r, s, "size"), 0);
                json_double(w, "qd", cli_bench_figure(r, s, "qd"), 0);
                json_string(w, "dir", named ? dir.text : "");
                json_end_object(w);
                json_end_object(w);
        } else {
                printf("virtio-blk (%s): %.0f %s requests of %.0f bytes, %.0f per batch (fixed work, untimed)\n",
                       vm_title[i], cli_bench_figure(r, s, "ops"), named ? dir.text : "?", cli_bench_figure(r, s, "size"),
                       cli_bench_figure(r, s, "qd"));
        }
        return CLI_OK;
}

int cli_bench_blk(const struct machine_opts *m, unsigned reps, struct json_writer *w)
{
        struct pair_run *p = calloc(1, sizeof(*p));
        int rc = CLI_OK;
        if (!p)
                return fprintf(stderr, "ccada bench blk: out of memory\n"), CLI_FAIL;
        p->reps = m->cfg.bench_fixed ? 1 : reps;
        for (unsigned i = 0; i < NVMS; i++) {
                struct vm_run *v = &p->vm[i];
                v->p = p;
                v->on = m->vm_given || m->cfg.bench_fixed ? m->cfg.normal_vm == (i == NORMAL) : true;
                v->cfg = m->cfg;
                v->cfg.workload = "bench-blk";
                v->cfg.bench_reps = m->cfg.bench_fixed ? 0 : reps;
                v->cfg.normal_vm = i == NORMAL;
                v->cfg.disk_ram = true; /* measure the data path, not the host's file system */
                v->cfg.disk_path = NULL;
                if (!m->ram_given) { /* 32 buffers of 1 MiB beside Linux's 64 MiB pool */
                        v->cfg.realm_ram = 192ULL << 20;
                        v->cfg.mem_size = 512ULL << 20;
                }
        }
        p->alternate = p->vm[REALM].on && p->vm[NORMAL].on;
        if (!pair_run(p)) {
                rc = CLI_FAIL;
        } else if (m->cfg.bench_fixed) {
                rc = fixed_output(p, w);
        } else {
                struct cell c;
                enum cell_found f = CELL_OK;
                if (w) {
                        json_begin_object(w, "blk");
                        json_double(w, "reps", p->reps, 0);
                        for (unsigned i = 0; i < NVMS; i++) {
                                if (!p->vm[i].on)
                                        continue;
                                json_begin_object(w, vm_key[i]);
                                json_double(w, "bounces", cli_bench_figure(p->vm[i].report, "swiotlb", "bounces"), 0);
                                json_end_object(w);
                        }
                        json_begin_array(w, "cells");
                } else {
                        table_head(p);
                }
                for (unsigned n = 0; (f = cell_figures(p, n, &c)) == CELL_OK; n++) {
                        if (w)
                                cell_json(w, p, &c);
                        else
                                cell_row(p, &c);
                }
                if (w) {
                        json_end_array(w);
                        json_end_object(w);
                }
                if (f == CELL_UNPAIRED) {
                        fprintf(stderr, "ccada bench blk: a repetition lacks the Realm's or the normal VM's figure\n");
                        rc = CLI_FAIL;
                }
        }
        for (unsigned i = 0; i < NVMS; i++)
                ccada_report_destroy(p->vm[i].report);
        free(p);
        return rc;
}
