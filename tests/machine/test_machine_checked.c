/* The whole machine (real Realm guest kernel, SWIOTLB, virtio-blk, honest host) with the
 * RMM's invariants checked after every RMI and RSI call and the isolation check on every
 * access a REC makes: the demo passes with no violation, in a Realm and in a normal VM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ccada/machine.h"
#include "ccada/report.h"

static void run_checked(bool normal_vm, uint64_t seed)
{
        struct ccada_machine_config cfg;
        struct ccada_machine *m;
        struct ccada_report *r;
        struct ccada_report_value v, first;
        ccada_machine_config_default(&cfg);
        cfg.check_invariants = true;
        cfg.normal_vm = normal_vm;
        cfg.disk_ram = true;
        cfg.seed = seed;
        /* A smaller board than the default: the check scans every granule after every call,
         * and building the Realm is one RMI call per granule of its RAM. */
        cfg.mem_size = 32ULL << 20;
        cfg.realm_ram = 8ULL << 20;
        cfg.swiotlb_slabs = 1024;
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_OK);
        assert_int_equal(ccada_machine_run(m), CCADA_OK);
        assert_int_equal(ccada_report_create(&r), CCADA_OK);
        ccada_machine_report(m, true, r);
        ccada_machine_destroy(m);
        assert_true(ccada_report_get(r, "", "violations", &v));
        assert_true(ccada_report_get(r, "", "first_violation", &first));
        if (v.u)
                fail_msg("%llu violations, first: %s", (unsigned long long)v.u, first.text);
        assert_true(ccada_report_passed(r));
        ccada_report_destroy(r);
}

static void machine_demo_in_realm_keeps_rmm_invariants_and_isolation(void **state)
{
        (void)state;
        run_checked(false, 1);
        run_checked(false, 99);
}

static void machine_demo_in_normal_vm_passes_with_checks_on(void **state)
{
        (void)state;
        run_checked(true, 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(machine_demo_in_realm_keeps_rmm_invariants_and_isolation),
                cmocka_unit_test(machine_demo_in_normal_vm_passes_with_checks_on),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
