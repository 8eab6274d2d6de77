/* src/host/guest_mem.c: the host's view of guest memory on a real board: what the Realm
 * shared is reachable, as copies or as iovecs over the NS pages themselves; anything else
 * is not, and a page delegated behind the host's back faults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "host/guest_mem.h"
#include "machine/board.h"
#include "vm_kit.h"

static bool is_share(struct host_vm *vm, const struct rmi_rec_exit *x, void *arg)
{
        (void)vm;
        (void)arg;
        return x->reason == RMI_EXIT_RIPAS_CHANGE && x->ripas_value == RMI_EMPTY &&
               x->ripas_top - x->ripas_base >= 2 * GRANULE_SIZE;
}

/* Boots a board and lets the honest host share the Realm's first range of two pages or more;
 * *alias is the unprotected IPA of its first page. */
static struct ccada_machine *board_with_shared_pages(uint64_t *alias, uint64_t *prot)
{
        struct ccada_machine *m = kit_board(1, false, NULL);
        struct host_vm *vm = machine_vm(m, 0);
        struct rmi_rec_exit x;
        bool stop;
        assert_true(kit_run_until(vm, is_share, NULL, &x));
        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_OK);
        assert_true(host_vm_shared_pa(vm, x.ripas_base) != 0);
        assert_true(host_vm_shared_pa(vm, x.ripas_base + GRANULE_SIZE) != 0);
        *alias = x.ripas_base | host_vm_shared_bit(vm);
        uint64_t base, size;
        host_vm_ram(vm, &base, &size);
        *prot = base; /* the image: protected RAM */
        return m;
}

static void host_gpa_map_of_shared_pages_is_the_bytes_host_gpa_read_sees(void **state)
{
        uint64_t alias, prot;
        struct ccada_machine *m = board_with_shared_pages(&alias, &prot);
        struct host_vm *vm = machine_vm(m, 0);
        struct iovec iov[4];
        unsigned n = 0;
        uint8_t back[300];
        (void)state;
        /* 300 bytes across the boundary of the two pages */
        assert_int_equal(host_gpa_map(vm, alias + GRANULE_SIZE - 100, 300, true, iov, 4, &n), CCADA_OK);
        assert_true(n >= 1 && n <= 2);
        size_t total = 0;
        for (unsigned i = 0; i < n; i++) {
                memset(iov[i].iov_base, 0xC0 + (int)i, iov[i].iov_len);
                total += iov[i].iov_len;
        }
        assert_int_equal(total, 300);
        assert_int_equal(host_gpa_read(vm, alias + GRANULE_SIZE - 100, back, sizeof(back)), CCADA_OK);
        assert_int_equal(back[0], 0xC0);
        assert_int_equal(back[299], 0xC0 + (int)(n - 1));
        /* one iovec when the host's two NS pages happen to be adjacent, two otherwise */
        uint64_t pa0 = host_vm_shared_pa(vm, alias), pa1 = host_vm_shared_pa(vm, alias + GRANULE_SIZE);
        assert_int_equal(n, pa1 == pa0 + GRANULE_SIZE ? 1 : 2);
        ccada_machine_destroy(m);
}

static void host_gpa_map_of_a_protected_ipa_or_with_no_room_fails(void **state)
{
        uint64_t alias, prot;
        struct ccada_machine *m = board_with_shared_pages(&alias, &prot);
        struct host_vm *vm = machine_vm(m, 0);
        struct iovec iov[4];
        unsigned n = 0;
        (void)state;
        assert_int_equal(host_gpa_map(vm, prot, 16, false, iov, 4, &n), CCADA_E_RANGE);
        assert_int_equal(host_gpa_map(vm, prot | host_vm_shared_bit(vm), 16, false, iov, 4, &n),
                         CCADA_E_RANGE);
        assert_int_equal(host_gpa_map(vm, alias, 1, false, iov, 0, &n), CCADA_E_NOSPC);
        assert_int_equal(n, 0);
        assert_int_equal(host_gpa_map(vm, alias, 0, false, iov, 0, &n), CCADA_OK);
        assert_int_equal(n, 0);
        ccada_machine_destroy(m);
}

/* A range that continues iov[0] (and so merges into it) and then fails: the caller's
 * iovecs are as they were. */
static void host_gpa_map_failing_midway_leaves_earlier_iovecs_as_they_were(void **state)
{
        uint64_t alias, prot;
        struct ccada_machine *m = board_with_shared_pages(&alias, &prot);
        struct host_vm *vm = machine_vm(m, 0);
        struct iovec iov[4];
        unsigned n = 0;
        (void)state;
        uint64_t second = host_vm_shared_pa(vm, alias + GRANULE_SIZE);
        assert_int_equal(host_gpa_map(vm, alias, 100, false, iov, 4, &n), CCADA_OK);
        assert_int_equal(n, 1);
        assert_int_equal(host_rmi(vm, RMI_GRANULE_DELEGATE, second, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(host_gpa_map(vm, alias + 100, GRANULE_SIZE, false, iov, 4, &n), CCADA_E_GPF);
        assert_int_equal(n, 1);
        assert_int_equal(iov[0].iov_len, 100);
        assert_int_equal(host_rmi(vm, RMI_GRANULE_UNDELEGATE, second, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        ccada_machine_destroy(m);
}

/* A hostile host delegates the NS page behind the alias: the host's own view faults (GPF,
 * counted and traced by hw) instead of reaching Realm memory. */
static void host_gpa_map_of_a_page_delegated_behind_the_host_is_gpf(void **state)
{
        uint64_t alias, prot;
        struct ccada_machine *m = board_with_shared_pages(&alias, &prot);
        struct host_vm *vm = machine_vm(m, 0);
        struct iovec iov[2];
        unsigned n = 0;
        uint8_t b;
        (void)state;
        uint64_t pa = host_vm_shared_pa(vm, alias);
        uint64_t gpfs = hw_gpf_count(machine_mem(m));
        assert_int_equal(host_rmi(vm, RMI_GRANULE_DELEGATE, pa, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(host_gpa_map(vm, alias, 1, true, iov, 2, &n), CCADA_E_GPF);
        assert_int_equal(n, 0);
        assert_int_equal(hw_gpf_count(machine_mem(m)), gpfs + 1);
        assert_int_equal(host_gpa_read(vm, alias, &b, 1), CCADA_E_GPF);
        assert_int_equal(host_rmi(vm, RMI_GRANULE_UNDELEGATE, pa, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        ccada_machine_destroy(m);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(host_gpa_map_of_shared_pages_is_the_bytes_host_gpa_read_sees),
                cmocka_unit_test(host_gpa_map_of_a_protected_ipa_or_with_no_room_fails),
                cmocka_unit_test(host_gpa_map_failing_midway_leaves_earlier_iovecs_as_they_were),
                cmocka_unit_test(host_gpa_map_of_a_page_delegated_behind_the_host_is_gpf),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
