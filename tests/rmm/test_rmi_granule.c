/* RMI_GRANULE_DELEGATE / RMI_GRANULE_UNDELEGATE. DEN0137 1.0 B4.3.5, B4.3.6, A2.2.3.
 * Every failure leaves the granule's PAS, RMM state and contents as they were. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rmm_harness.h"

#define T(fn) cmocka_unit_test_setup_teardown(fn, host_setup, host_teardown)

static void assert_delegate(struct host *h, uint64_t pa, uint64_t status)
{
        assert_int_equal(rmi(h, RMI_GRANULE_DELEGATE, pa, 0, 0, 0, 0, NULL), status);
}

/* ---- DELEGATE, failure conditions in the spec's order ---- */

/* gran_align */
static void rmi_granule_delegate_rejects_unaligned_address(void **state)
{
        struct host *h = *state;
        uint64_t pa = host_alloc(h);
        host_fill_ns(h, pa, 0x5A);
        assert_delegate(h, pa + 8, RMI_ERROR_INPUT);
        assert_delegate(h, pa + GRANULE_SIZE - 1, RMI_ERROR_INPUT);
        assert_int_equal(host_pas(h, pa), HW_PAS_NS);
        assert_true(root_granule_is(h, pa, 0x5A));
        assert_delegate(h, pa, RMI_SUCCESS); /* still UNDELEGATED */
}

/* gran_bound */
static void rmi_granule_delegate_rejects_address_outside_memory(void **state)
{
        struct host *h = *state;
        assert_delegate(h, H_MEM_BASE - GRANULE_SIZE, RMI_ERROR_INPUT);
        assert_delegate(h, H_MEM_END, RMI_ERROR_INPUT);
        assert_delegate(h, 0, RMI_ERROR_INPUT);
        assert_delegate(h, UINT64_MAX & ~GRANULE_MASK, RMI_ERROR_INPUT);
}

/* gran_state */
static void rmi_granule_delegate_rejects_already_delegated_granule(void **state)
{
        struct host *h = *state;
        uint64_t pa = host_delegated(h);
        assert_delegate(h, pa, RMI_ERROR_INPUT);
        assert_int_equal(host_pas(h, pa), HW_PAS_REALM);
        assert_undelegate_ok(h, pa); /* still DELEGATED */
}

static void rmi_granule_delegate_rejects_granule_in_use_as_rd(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        assert_delegate(h, r.rd, RMI_ERROR_INPUT);
        assert_delegate(h, r.rtt_base, RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_REALM_ACTIVATE, r.rd, 0, 0, 0, 0, NULL), RMI_SUCCESS); /* still an RD */
}

/* gran_pas: an UNDELEGATED granule that is not in the Non-secure PAS */
static void rmi_granule_delegate_rejects_realm_pas_granule(void **state)
{
        struct host *h = *state;
        uint64_t pa = host_alloc(h);
        host_fill_ns(h, pa, 0x77);
        /* A Realm-PAS granule the RMM does not track breaks its invariants: expected here. */
        h->expect_violations = true;
        assert_int_equal(hw_gpt_transition(h->mem, HW_WORLD_ROOT, pa, HW_PAS_NS, HW_PAS_REALM), HW_OK);
        assert_delegate(h, pa, RMI_ERROR_INPUT);
        assert_int_equal(host_pas(h, pa), HW_PAS_REALM);
        assert_true(root_granule_is(h, pa, 0x77)); /* not scrubbed: the RMM does not own it */
        assert_int_equal(rmi(h, RMI_GRANULE_UNDELEGATE, pa, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
}

static void rmi_granule_delegate_rejects_secure_pas_granule(void **state)
{
        struct host *h = *state;
        uint64_t pa = host_alloc(h);
        host_fill_ns(h, pa, 0x33);
        assert_int_equal(hw_gpt_transition(h->mem, HW_WORLD_ROOT, pa, HW_PAS_NS, HW_PAS_SECURE), HW_OK);
        assert_delegate(h, pa, RMI_ERROR_INPUT);
        assert_int_equal(host_pas(h, pa), HW_PAS_SECURE);
        assert_true(root_granule_is(h, pa, 0x33));
}

/* Success: PAS Realm, contents zero, and the host can no longer touch it. */
static void rmi_granule_delegate_moves_granule_to_realm_pas_and_zeroes_it(void **state)
{
        struct host *h = *state;
        uint64_t pa = host_alloc(h);
        uint8_t b = 0;
        host_fill_ns(h, pa, 0xA5);
        assert_delegate(h, pa, RMI_SUCCESS);
        assert_int_equal(host_pas(h, pa), HW_PAS_REALM);
        assert_true(root_granule_is(h, pa, 0));
        assert_int_equal(hw_read(h->mem, HW_WORLD_NS, pa, &b, 1, NULL), HW_GPF);
        assert_int_equal(hw_write(h->mem, HW_WORLD_NS, pa, &b, 1, NULL), HW_GPF);
}

static void rmi_granule_delegate_leaves_neighbours_untouched(void **state)
{
        struct host *h = *state;
        uint64_t pa = host_alloc_n(h, 3);
        host_fill_ns(h, pa, 0x11);
        host_fill_ns(h, pa + GRANULE_SIZE, 0x22);
        host_fill_ns(h, pa + 2 * GRANULE_SIZE, 0x33);
        assert_delegate(h, pa + GRANULE_SIZE, RMI_SUCCESS);
        assert_true(root_granule_is(h, pa, 0x11));
        assert_true(root_granule_is(h, pa + 2 * GRANULE_SIZE, 0x33));
        assert_int_equal(host_pas(h, pa), HW_PAS_NS);
        assert_int_equal(host_pas(h, pa + 2 * GRANULE_SIZE), HW_PAS_NS);
}

/* ---- UNDELEGATE ---- */

static void rmi_granule_undelegate_rejects_unaligned_address(void **state)
{
        struct host *h = *state;
        uint64_t pa = host_delegated(h);
        assert_int_equal(rmi(h, RMI_GRANULE_UNDELEGATE, pa + 0x800, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(host_pas(h, pa), HW_PAS_REALM);
        assert_undelegate_ok(h, pa);
}

static void rmi_granule_undelegate_rejects_address_outside_memory(void **state)
{
        struct host *h = *state;
        assert_int_equal(rmi(h, RMI_GRANULE_UNDELEGATE, H_MEM_END, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_GRANULE_UNDELEGATE, 0, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
}

static void rmi_granule_undelegate_rejects_undelegated_granule(void **state)
{
        struct host *h = *state;
        uint64_t pa = host_alloc(h);
        host_fill_ns(h, pa, 0x42);
        assert_int_equal(rmi(h, RMI_GRANULE_UNDELEGATE, pa, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(host_pas(h, pa), HW_PAS_NS);
        assert_true(root_granule_is(h, pa, 0x42));
}

static void rmi_granule_undelegate_rejects_rd_and_starting_rtts(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        assert_undelegate_fails(h, r.rd);
        assert_undelegate_fails(h, r.rtt_base);
        assert_undelegate_fails(h, r.rtt_base + GRANULE_SIZE);
}

static void rmi_granule_undelegate_rejects_rtt_granule(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t rtt = host_rtt_create(h, &r, 0, 2);
        assert_undelegate_fails(h, rtt);
}

static void rmi_granule_undelegate_rejects_rec_granule(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t rec = host_rec_create(h, &r, 0);
        assert_undelegate_fails(h, rec);
}

static void rmi_granule_undelegate_rejects_data_granule(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, 0);
        uint64_t data = host_data_create(h, &r, 0, 0xC3, RMI_MEASURE_CONTENT);
        assert_undelegate_fails(h, data);
        assert_true(root_granule_is(h, data, 0xC3)); /* the Realm's data survives */
}

static void rmi_granule_undelegate_returns_granule_to_ns_pas_zeroed(void **state)
{
        struct host *h = *state;
        uint64_t pa = host_alloc(h);
        host_fill_ns(h, pa, 0xEE);
        assert_delegate(h, pa, RMI_SUCCESS);
        assert_undelegate_ok(h, pa);
        assert_true(root_granule_is(h, pa, 0));
        uint8_t b = 1;
        assert_int_equal(hw_read(h->mem, HW_WORLD_NS, pa, &b, 1, NULL), HW_OK);
        assert_int_equal(b, 0);
        assert_delegate(h, pa, RMI_SUCCESS); /* UNDELEGATED again */
}

/* Hostile: undelegating twice. */
static void rmi_granule_undelegate_twice_fails_second_time(void **state)
{
        struct host *h = *state;
        uint64_t pa = host_delegated(h);
        assert_undelegate_ok(h, pa);
        assert_int_equal(rmi(h, RMI_GRANULE_UNDELEGATE, pa, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(host_pas(h, pa), HW_PAS_NS);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(rmi_granule_delegate_rejects_unaligned_address),
                T(rmi_granule_delegate_rejects_address_outside_memory),
                T(rmi_granule_delegate_rejects_already_delegated_granule),
                T(rmi_granule_delegate_rejects_granule_in_use_as_rd),
                T(rmi_granule_delegate_rejects_realm_pas_granule),
                T(rmi_granule_delegate_rejects_secure_pas_granule),
                T(rmi_granule_delegate_moves_granule_to_realm_pas_and_zeroes_it),
                T(rmi_granule_delegate_leaves_neighbours_untouched),
                T(rmi_granule_undelegate_rejects_unaligned_address),
                T(rmi_granule_undelegate_rejects_address_outside_memory),
                T(rmi_granule_undelegate_rejects_undelegated_granule),
                T(rmi_granule_undelegate_rejects_rd_and_starting_rtts),
                T(rmi_granule_undelegate_rejects_rtt_granule),
                T(rmi_granule_undelegate_rejects_rec_granule),
                T(rmi_granule_undelegate_rejects_data_granule),
                T(rmi_granule_undelegate_returns_granule_to_ns_pas_zeroed),
                T(rmi_granule_undelegate_twice_fails_second_time),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
