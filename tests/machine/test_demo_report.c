/* src/machine/demo_report.c: the demo's report passes exactly when the demo's criteria do
 * (ccada_demo_passed), each criterion being one named check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ccada/machine.h"
#include "ccada/report.h"

static struct ccada_demo_summary good_realm(void)
{
        struct ccada_demo_summary s;
        memset(&s, 0, sizeof(s));
        s.booted = s.is_realm = s.powered_off = true;
        s.host_read_shared = s.host_read_private_faulted = s.host_write_private_faulted = true;
        s.private_intact = s.mmio_ok = s.rem_extended = s.unshare_ok = true;
        s.blk_present = s.blk_verified = s.host_read_bounce = true;
        s.swiotlb_bounces = 33;
        s.realms = 1;
        static const char *const names[CCADA_EXIT_REASONS] = { "RMI_EXIT_SYNC", "RMI_EXIT_IRQ", "RMI_EXIT_FIQ",
                                                               "RMI_EXIT_PSCI", "RMI_EXIT_RIPAS_CHANGE",
                                                               "RMI_EXIT_HOST_CALL", "RMI_EXIT_SERROR" };
        memcpy(s.exit_names, names, sizeof(names));
        return s;
}

static bool report_passes(const struct ccada_demo_summary *s, bool run_ok)
{
        struct ccada_report *r;
        assert_int_equal(ccada_report_create(&r), CCADA_OK);
        ccada_demo_report(s, run_ok, r);
        bool passed = ccada_report_passed(r);
        ccada_report_destroy(r);
        return passed;
}

/* Each criterion broken alone fails both ways of judging. */
static void demo_report_fails_exactly_when_one_criterion_fails(void **state)
{
        (void)state;
        struct ccada_demo_summary s = good_realm();
        assert_true(ccada_demo_passed(&s));
        assert_true(report_passes(&s, true));
        assert_false(report_passes(&s, false)); /* the run itself failed */
        bool *flags[] = { &s.booted, &s.powered_off, &s.host_read_shared, &s.host_read_private_faulted,
                          &s.host_write_private_faulted, &s.private_intact, &s.mmio_ok, &s.rem_extended,
                          &s.unshare_ok, &s.blk_verified, &s.host_read_bounce };
        for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
                s = good_realm();
                *flags[i] = false;
                assert_false(ccada_demo_passed(&s));
                assert_false(report_passes(&s, true));
        }
        s = good_realm();
        s.swiotlb_bounces = 0;
        assert_false(report_passes(&s, true));
        s = good_realm();
        s.violations = 1;
        assert_false(report_passes(&s, true));
        s = good_realm();
        snprintf(s.error, sizeof(s.error), "%s", "boot: x");
        assert_false(report_passes(&s, true));
        s = good_realm();
        s.realms = 2;
        assert_false(report_passes(&s, true)); /* Realm B did not pass */
        s.realm_b_passed = true;
        assert_true(report_passes(&s, true));
}

/* A normal VM is judged by what a VM without an RMM can show. */
static void demo_report_of_a_normal_vm_checks_what_applies(void **state)
{
        (void)state;
        struct ccada_demo_summary s = good_realm();
        s.normal_vm = true;
        s.is_realm = false;
        s.host_read_shared = s.host_read_private_faulted = s.host_write_private_faulted = false;
        s.private_intact = s.rem_extended = s.unshare_ok = s.host_read_bounce = false;
        s.swiotlb_bounces = 0;
        assert_true(ccada_demo_passed(&s));
        assert_true(report_passes(&s, true));
        s.swiotlb_bounces = 1; /* a normal VM never bounces */
        assert_false(ccada_demo_passed(&s));
        assert_false(report_passes(&s, true));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(demo_report_fails_exactly_when_one_criterion_fails),
                cmocka_unit_test(demo_report_of_a_normal_vm_checks_what_applies),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
