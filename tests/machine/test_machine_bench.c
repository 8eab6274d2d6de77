/* A bench app's figures reach the machine's owner as they are measured (proto/hostcall.h
 * HOSTCALL_BENCH_SAMPLE -> ccada_machine_config.bench_hook): what ccada bench's ABAB
 * alternation stands on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ccada/machine.h"
#include "ccada/report.h"

#define CELLS 20u

struct seen {
        struct ccada_bench_sample s[3 * CELLS];
        unsigned n;
};

static void record(void *ctx, const struct ccada_bench_sample *s)
{
        struct seen *v = ctx;
        if (v->n < sizeof(v->s) / sizeof(v->s[0]))
                v->s[v->n] = *s;
        v->n++;
}

static void bench_config(struct ccada_machine_config *cfg, bool normal, struct seen *v)
{
        ccada_machine_config_default(cfg);
        cfg->workload = "bench-blk";
        cfg->bench_reps = 2;
        cfg->normal_vm = normal;
        cfg->disk_ram = true;
        cfg->realm_ram = 192ULL << 20;
        cfg->mem_size = 512ULL << 20;
        cfg->bench_hook = v ? record : NULL;
        cfg->bench_hook_ctx = v;
}

static bool run_passes(const struct ccada_machine_config *cfg)
{
        struct ccada_machine *m;
        struct ccada_report *r;
        assert_int_equal(ccada_machine_create(&m, cfg), CCADA_OK);
        ccada_status st = ccada_machine_run(m);
        assert_int_equal(ccada_report_create(&r), CCADA_OK);
        ccada_machine_report(m, st == CCADA_OK, r);
        bool passed = st == CCADA_OK && ccada_report_passed(r);
        ccada_report_destroy(r);
        ccada_machine_destroy(m);
        return passed;
}

/* Every cell of every repetition, once, in the order measured (repetition by repetition,
 * cell by cell), with the work it did: in a Realm (through RSI_HOST_CALL) and in a normal
 * VM (through the hypercall) alike. */
static void bench_hook_gets_each_figure_in_order_from_both_vm_kinds(void **state)
{
        (void)state;
        for (int normal = 0; normal < 2; normal++) {
                struct ccada_machine_config cfg;
                struct seen v;
                memset(&v, 0, sizeof(v));
                bench_config(&cfg, normal, &v);
                assert_true(run_passes(&cfg));
                assert_int_equal(v.n, 2 * CELLS);
                for (unsigned i = 0; i < v.n; i++) {
                        const struct ccada_bench_sample *s = &v.s[i];
                        assert_int_equal(s->rep, i / CELLS);
                        assert_int_equal(s->cell, i % CELLS);
                        assert_true(s->ns > 0 && s->ops >= 32 && s->memcpy_ps > 0 && s->memcpy_cold_ps > 0);
                        assert_int_equal(s->bytes % s->ops, 0);
                        assert_true(s->bytes / s->ops >= 4096 && s->bytes / s->ops <= (1u << 20));
                }
        }
}

/* Without a hook the figures stay in the report: the run passes all the same. */
static void bench_without_a_hook_still_passes(void **state)
{
        struct ccada_machine_config cfg;
        (void)state;
        bench_config(&cfg, false, NULL);
        cfg.bench_reps = 1;
        assert_true(run_passes(&cfg));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(bench_hook_gets_each_figure_in_order_from_both_vm_kinds),
                cmocka_unit_test(bench_without_a_hook_still_passes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
