/* The host's page bookkeeping (src/host/pages.c) against a hostile host acting between two
 * REC entries: when the RMM says a page is not where the honest host left it, the host
 * forgets its record and goes on, or fails with CCADA_E_RMM; it never acts on the record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "machine/board.h"
#include "rmm/rmm.h"
#include "vm_kit.h"

static bool is_ripas_change_to(struct host_vm *vm, const struct rmi_rec_exit *x, void *arg)
{
        (void)vm;
        return x->reason == RMI_EXIT_RIPAS_CHANGE && x->ripas_value == *(const uint8_t *)arg;
}

/* A change back to RAM of a page the host maps at the unprotected alias. */
static bool is_unshare(struct host_vm *vm, const struct rmi_rec_exit *x, void *arg)
{
        (void)arg;
        return x->reason == RMI_EXIT_RIPAS_CHANGE && x->ripas_value == RMI_RAM &&
               host_vm_shared_pa(vm, x->ripas_base) != 0;
}

static void assert_passes_without_violations(struct ccada_machine *m)
{
        const char *first;
        uint64_t violations = rmm_violations(machine_rmm(m), &first);
        if (violations)
                fail_msg("%llu violations, first: %s", (unsigned long long)violations, first);
        assert_true(machine_realm_passed(m, 0));
}

static void host_vm_handle_exit_copes_when_a_hostile_host_destroyed_a_page_it_populated(void **state)
{
        struct ccada_machine *m = kit_board(1, true, NULL);
        struct host_vm *vm = machine_vm(m, 0);
        struct rmi_rec_exit x;
        uint8_t empty = RMI_EMPTY;
        bool stop;
        (void)state;
        assert_true(kit_run_until(vm, is_ripas_change_to, &empty, &x));
        uint64_t ipa = x.ripas_base;
        assert_true(host_vm_private_pa(vm, ipa) != 0);
        assert_int_equal(host_rmi(vm, RMI_DATA_DESTROY, host_vm_rd(vm), ipa, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_OK);
        assert_int_equal(host_vm_private_pa(vm, ipa), 0);
        assert_true(host_vm_shared_pa(vm, ipa) != 0);
        assert_int_equal(host_vm_run(vm), CCADA_OK);
        assert_passes_without_violations(m);
        ccada_machine_destroy(m);
}

static void host_vm_handle_exit_copes_when_a_hostile_host_unmapped_a_page_it_shared(void **state)
{
        struct ccada_machine *m = kit_board(1, true, NULL);
        struct host_vm *vm = machine_vm(m, 0);
        struct rmi_rec_exit x;
        bool stop;
        (void)state;
        assert_true(kit_run_until(vm, is_unshare, NULL, &x));
        uint64_t alias = x.ripas_base | host_vm_shared_bit(vm);
        assert_int_equal(host_rmi(vm, RMI_RTT_UNMAP_UNPROTECTED, host_vm_rd(vm), alias, 3, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_OK);
        assert_int_equal(host_vm_shared_pa(vm, x.ripas_base), 0);
        assert_true(host_vm_private_pa(vm, x.ripas_base) != 0);
        assert_int_equal(host_vm_run(vm), CCADA_OK);
        assert_passes_without_violations(m);
        ccada_machine_destroy(m);
}

/* The hostile host backs the page itself before the honest host can: DATA_CREATE_UNKNOWN
 * fails and so does the exit's handling, with a status, not a stale record. */
static void host_vm_handle_exit_fails_with_an_rmm_error_when_a_hostile_host_backed_the_page_first(void **state)
{
        struct ccada_machine *m = kit_board(1, false, NULL);
        struct host_vm *vm = machine_vm(m, 0);
        struct rmi_rec_exit x;
        bool stop;
        (void)state;
        assert_true(kit_run_until(vm, is_unshare, NULL, &x));
        uint64_t pa = host_alloc_granule(vm);
        assert_true(pa != 0);
        assert_int_equal(host_rmi(vm, RMI_GRANULE_DELEGATE, pa, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(host_rmi(vm, RMI_DATA_CREATE_UNKNOWN, host_vm_rd(vm), pa, x.ripas_base, 0, 0, NULL),
                         RMI_SUCCESS);
        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_E_RMM);
        assert_int_equal(host_vm_private_pa(vm, x.ripas_base), 0); /* not the hostile host's granule */
        /* The failed step leaves the VM steppable: the Realm goes on with the hostile page. */
        assert_int_equal(host_vm_run(vm), CCADA_OK);
        ccada_machine_destroy(m);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(host_vm_handle_exit_copes_when_a_hostile_host_destroyed_a_page_it_populated),
                cmocka_unit_test(host_vm_handle_exit_copes_when_a_hostile_host_unmapped_a_page_it_shared),
                cmocka_unit_test(host_vm_handle_exit_fails_with_an_rmm_error_when_a_hostile_host_backed_the_page_first),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
