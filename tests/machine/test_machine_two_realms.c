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
#include "ccada/report.h"
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

static struct ccada_report *report_of(const struct ccada_machine *m)
{
        struct ccada_report *r;
        assert_int_equal(ccada_report_create(&r), CCADA_OK);
        ccada_machine_report(m, true, r);
        struct ccada_report_value v, first;
        assert_true(ccada_report_get(r, "", "violations", &v));
        assert_true(ccada_report_get(r, "", "first_violation", &first));
        if (v.u)
                fail_msg("%llu violations, first: %s", (unsigned long long)v.u, first.text);
        return r;
}

static bool same_value(const struct ccada_report_value *a, const struct ccada_report_value *b)
{
        if (a->type != b->type)
                return false;
        switch (a->type) {
        case CCADA_REPORT_BOOL: return a->b == b->b;
        case CCADA_REPORT_U64: return a->u == b->u;
        default: return !strcmp(a->text, b->text);
        }
}

/* Every value of a is in b, the same; b has only the extra check `extra` besides. */
static void assert_report_is_with(const struct ccada_report *a, const struct ccada_report *b, const char *extra)
{
        size_t na = 0, nb = 0;
        for (size_t s = 0; s < ccada_report_nsections(a); s++) {
                const char *sec = ccada_report_section_name(a, s), *key;
                struct ccada_report_value va, vb;
                for (size_t i = 0; ccada_report_item(a, s, i, &key, &va); i++, na++)
                        if (!ccada_report_get(b, sec, key, &vb) || !same_value(&va, &vb))
                                fail_msg("%s.%s differs with a second Realm", sec, key);
        }
        for (size_t s = 0; s < ccada_report_nsections(b); s++)
                nb += ccada_report_nitems(b, s);
        struct ccada_report_value v;
        assert_true(ccada_report_get(b, "checks", extra, &v));
        assert_int_equal(nb, na + 1);
}

static void two_realm_machine_runs_both_demos_to_a_pass(void **state)
{
        struct ccada_machine_config cfg;
        struct ccada_report_value v;
        char *console;
        (void)state;
        small_config(&cfg, 2, 1);
        struct ccada_machine *m = run_board(&cfg, &console);
        struct ccada_report *r = report_of(m);
        assert_true(machine_realm_passed(m, 0));
        assert_true(machine_realm_passed(m, 1));
        assert_true(ccada_report_get(r, "checks", "realm_b", &v) && v.b);
        assert_true(ccada_report_passed(r));
        assert_non_null(strstr(console, "[realm-b] blk-test: PASS"));
        assert_non_null(strstr(console, "[realm] blk-test: PASS"));
        free(console);
        ccada_report_destroy(r);
        ccada_machine_destroy(m);
}

/* Realm A's report and console with B next to it are those of A alone; B measures (RIM,
 * REM[1]) exactly as A does, since both load the same image. */
static void two_realm_machine_gives_each_realm_the_measurements_and_a_the_report_of_one_realm(void **state)
{
        struct ccada_machine_config cfg;
        char *console1, *console2;
        (void)state;
        small_config(&cfg, 1, 5);
        struct ccada_machine *m1 = run_board(&cfg, &console1);
        struct ccada_report *one = report_of(m1);
        small_config(&cfg, 2, 5);
        struct ccada_machine *m2 = run_board(&cfg, &console2);
        struct ccada_report *two = report_of(m2);

        assert_true(ccada_report_passed(one));
        assert_true(ccada_report_passed(two));
        assert_report_is_with(one, two, "realm_b");
        char *a_lines = lines_with(console2, "[realm] ");
        assert_string_equal(a_lines, console1);
        struct ccada_report_value a_rim, a_rem, b_rim, b_rem, one_rim;
        assert_true(ccada_report_get(machine_realm_report(m2, 0), "", "rim", &a_rim));
        assert_true(ccada_report_get(machine_realm_report(m2, 0), "", "rem1", &a_rem));
        assert_true(ccada_report_get(machine_realm_report(m2, 1), "", "rim", &b_rim));
        assert_true(ccada_report_get(machine_realm_report(m2, 1), "", "rem1", &b_rem));
        assert_true(ccada_report_get(machine_realm_report(m1, 0), "", "rim", &one_rim));
        assert_string_equal(a_rim.text, one_rim.text);
        assert_string_equal(b_rim.text, a_rim.text);
        assert_string_equal(b_rem.text, a_rem.text);
        assert_int_equal(strlen(a_rim.text), 64); /* SHA-256 */
        assert_null(machine_realm_report(m1, 1));
        free(a_lines);
        free(console1);
        free(console2);
        ccada_report_destroy(one);
        ccada_report_destroy(two);
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
                cmocka_unit_test(two_realm_machine_gives_each_realm_the_measurements_and_a_the_report_of_one_realm),
                cmocka_unit_test(two_realm_machine_never_gives_both_realms_the_same_granule),
                cmocka_unit_test(machine_with_other_than_one_or_two_realms_is_refused),
                cmocka_unit_test(machine_default_config_has_one_realm_and_no_second_vm),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
