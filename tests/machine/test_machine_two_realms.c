/* A board with two Realms (ccada_machine_config.realms = 2): both run the real guest kernel
 * and the demo next to each other, interleaved one REC entry each, on one host, one RMM
 * and one physical memory; each Realm measures as it would alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ccada/machine.h"
#include "host/host.h"
#include "machine/board.h"
#include "realm/realm.h"

/* A small board, as a fuzzer would make it: the check scans every granule per call. */
static void small_config(struct ccada_machine_config *cfg, unsigned realms, uint64_t seed)
{
        ccada_machine_config_default(cfg);
        cfg->realms = realms;
        cfg->seed = seed;
        cfg->mem_size = 40ULL << 20;
        cfg->realm_ram = 8ULL << 20;
        cfg->swiotlb_slabs = 1024;
        cfg->disk_ram = true;
        cfg->disk_size = 2ULL << 20;
        cfg->check_invariants = true;
}

/* Runs a board whole; its console goes to *console (malloc'd, NUL-terminated). */
static struct ccada_machine *run_board(const struct ccada_machine_config *base, char **console)
{
        struct ccada_machine_config cfg = *base;
        struct ccada_machine *m;
        size_t len;
        FILE *f = open_memstream(console, &len);
        assert_non_null(f);
        cfg.console = f;
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_OK);
        assert_int_equal(ccada_machine_run(m), CCADA_OK);
        assert_int_equal(fclose(f), 0);
        return m;
}

/* The lines of text that start with prefix, in order (malloc'd). */
static char *lines_with(const char *text, const char *prefix)
{
        char *out = calloc(strlen(text) + 1, 1);
        size_t n = 0;
        assert_non_null(out);
        for (const char *p = text; *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
                if (!strncmp(p, prefix, strlen(prefix))) {
                        memcpy(out + n, p, len);
                        n += len;
                }
                p += len;
        }
        return out;
}

static void two_realm_machine_runs_both_demos_to_a_pass(void **state)
{
        struct ccada_machine_config cfg;
        struct ccada_demo_summary s;
        char *console;
        (void)state;
        small_config(&cfg, 2, 1);
        struct ccada_machine *m = run_board(&cfg, &console);
        ccada_machine_summary(m, &s);
        if (s.violations)
                fail_msg("%llu violations, first: %s", (unsigned long long)s.violations, s.first_violation);
        assert_int_equal(s.realms, 2);
        assert_true(machine_realm_passed(m, 0));
        assert_true(machine_realm_passed(m, 1));
        assert_true(s.realm_b_passed);
        assert_true(ccada_demo_passed(&s));
        assert_non_null(strstr(console, "[realm-b] blk-test: PASS"));
        assert_non_null(strstr(console, "[realm] blk-test: PASS"));
        free(console);
        ccada_machine_destroy(m);
}

/* Realm A's summary and console with B next to it are those of A alone; B measures (RIM,
 * REM[1]) exactly as A does, since both load the same image. */
static void two_realm_machine_gives_each_realm_the_measurements_and_a_the_summary_of_one_realm(void **state)
{
        struct ccada_machine_config cfg;
        struct ccada_demo_summary one, two;
        char *console1, *console2;
        (void)state;
        small_config(&cfg, 1, 5);
        struct ccada_machine *m1 = run_board(&cfg, &console1);
        ccada_machine_summary(m1, &one);
        small_config(&cfg, 2, 5);
        struct ccada_machine *m2 = run_board(&cfg, &console2);
        ccada_machine_summary(m2, &two);

        assert_true(ccada_demo_passed(&one));
        assert_int_equal(two.realms, 2);
        assert_true(two.realm_b_passed);
        two.realms = one.realms;
        two.realm_b_passed = one.realm_b_passed;
        assert_memory_equal(&one, &two, sizeof(one));
        char *a_lines = lines_with(console2, "[realm] ");
        assert_string_equal(a_lines, console1);
        const struct realm_report *a = machine_realm_report(m2, 0), *b = machine_realm_report(m2, 1);
        assert_memory_equal(a->rim, machine_realm_report(m1, 0)->rim, sizeof(a->rim));
        assert_memory_equal(b->rim, a->rim, sizeof(a->rim));
        assert_memory_equal(b->rem1, a->rem1, sizeof(a->rem1));
        assert_null(machine_realm_report(m1, 1));
        free(a_lines);
        free(console1);
        free(console2);
        ccada_machine_destroy(m1);
        ccada_machine_destroy(m2);
}

/* The host's shared allocator: no granule backs pages of both Realms. */
static void two_realm_machine_never_gives_both_realms_the_same_granule(void **state)
{
        struct ccada_machine_config cfg;
        struct ccada_machine *m;
        uint64_t base, size;
        (void)state;
        small_config(&cfg, 2, 1);
        cfg.check_invariants = false;
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_OK);
        assert_int_equal(machine_boot(m), CCADA_OK);
        struct host_vm *a = machine_vm(m, 0), *b = machine_vm(m, 1);
        host_vm_ram(a, &base, &size);
        uint64_t pages = size >> 12, *pa = calloc(2 * pages, sizeof(*pa));
        assert_non_null(pa);
        for (uint64_t i = 0; i < pages; i++) {
                pa[i] = host_vm_private_pa(a, base + (i << 12));
                pa[pages + i] = host_vm_private_pa(b, base + (i << 12));
                assert_true(pa[i] && pa[pages + i]);
        }
        for (uint64_t i = 0; i < pages; i++)
                for (uint64_t j = 0; j < pages; j++)
                        assert_true(pa[i] != pa[pages + j]);
        assert_true(host_vm_rd(a) != host_vm_rd(b) && host_vm_rec(a) != host_vm_rec(b));
        assert_true(host_vm_run_pa(a) != host_vm_run_pa(b));
        free(pa);
        ccada_machine_destroy(m);
}

static void machine_with_other_than_one_or_two_realms_is_refused(void **state)
{
        struct ccada_machine_config cfg;
        struct ccada_machine *m = NULL;
        (void)state;
        small_config(&cfg, 3, 1);
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_E_INVAL);
        cfg.realms = 0;
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_E_INVAL);
        cfg.realms = 2;
        cfg.normal_vm = true;
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_E_INVAL);
        assert_null(m);
}

static void machine_default_config_has_one_realm_and_no_second_vm(void **state)
{
        struct ccada_machine_config cfg;
        struct ccada_machine *m;
        (void)state;
        small_config(&cfg, 1, 1);
        ccada_machine_config_default(&cfg);
        assert_int_equal(cfg.realms, 1);
        small_config(&cfg, 1, 1);
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_OK);
        assert_non_null(machine_vm(m, 0));
        assert_null(machine_vm(m, 1));
        assert_false(machine_realm_passed(m, 1));
        assert_int_equal(machine_boot(m), CCADA_OK);
        assert_int_equal(machine_boot(m), CCADA_E_STATE);
        ccada_machine_destroy(m);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(two_realm_machine_runs_both_demos_to_a_pass),
                cmocka_unit_test(two_realm_machine_gives_each_realm_the_measurements_and_a_the_summary_of_one_realm),
                cmocka_unit_test(two_realm_machine_never_gives_both_realms_the_same_granule),
                cmocka_unit_test(machine_with_other_than_one_or_two_realms_is_refused),
                cmocka_unit_test(machine_default_config_has_one_realm_and_no_second_vm),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
