/* RMI_DATA_CREATE / RMI_DATA_CREATE_UNKNOWN / RMI_DATA_DESTROY. DEN0137 1.0 B4.3.1-B4.3.3.
 * A refused DATA_CREATE leaves the data granule DELEGATED and zero. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rmm_harness.h"

#define T(fn) cmocka_unit_test_setup_teardown(fn, host_setup, host_teardown)
#define ERR_RTT(level) RMI_RETURN(RMI_ERROR_RTT, (level))

struct data_fx {
        struct hrealm r;
        uint64_t data, src;
};

/* NEW Realm with tables over [0, 2 MiB), RIPAS RAM over [0, 64 KiB); a delegated data
 * granule and an NS source filled with 0x6B. */
static void data_fx_init(struct host *h, struct data_fx *f)
{
        host_realm_new(h, &f->r);
        host_rtts_l3(h, &f->r, 0);
        host_init_ripas(h, &f->r, 0, H_RAM_TOP);
        f->data = host_delegated(h);
        f->src = host_alloc(h);
        host_fill_ns(h, f->src, 0x6B);
}

static uint64_t data_create(struct host *h, struct data_fx *f, uint64_t ipa, uint64_t flags)
{
        return rmi(h, RMI_DATA_CREATE, f->r.rd, f->data, ipa, f->src, flags, NULL);
}

static void assert_data_untouched(struct host *h, struct data_fx *f)
{
        assert_true(root_granule_is(h, f->data, 0));
        assert_true(root_granule_is(h, f->src, 0x6B));
        assert_undelegate_ok(h, f->data);
}

static struct smc_regs read_entry(struct host *h, const struct hrealm *r, uint64_t ipa)
{
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_RTT_READ_ENTRY, r->rd, ipa, 3, 0, 0, &out), RMI_SUCCESS);
        return out;
}

/* ---- DATA_CREATE ---- */

static void rmi_data_create_copies_source_and_assigns_entry(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        data_fx_init(h, &f);
        assert_int_equal(data_create(h, &f, 0x2000, RMI_MEASURE_CONTENT), RMI_SUCCESS);
        assert_true(root_granule_is(h, f.data, 0x6B));
        struct smc_regs e = read_entry(h, &f.r, 0x2000);
        assert_int_equal(e.x[2], RMI_ASSIGNED);
        assert_int_equal(e.x[3], f.data);
        assert_int_equal(e.x[4], RMI_RAM);
        assert_undelegate_fails(h, f.data);
}

/* src_align, src_bound, src_pas */
static void rmi_data_create_rejects_source_not_ns(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        data_fx_init(h, &f);
        uint64_t realm_src = host_delegated(h);
        assert_int_equal(rmi(h, RMI_DATA_CREATE, f.r.rd, f.data, 0, realm_src, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_DATA_CREATE, f.r.rd, f.data, 0, f.r.rd, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_DATA_CREATE, f.r.rd, f.data, 0, f.src + 8, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_DATA_CREATE, f.r.rd, f.data, 0, H_MEM_END, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(read_entry(h, &f.r, 0).x[2], RMI_UNASSIGNED);
        assert_data_untouched(h, &f);
}

static void rmi_data_create_rejects_rd_that_is_not_rd(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        data_fx_init(h, &f);
        assert_int_equal(rmi(h, RMI_DATA_CREATE, f.r.rtt_base, f.data, 0, f.src, 0, NULL), RMI_ERROR_INPUT);
        assert_data_untouched(h, &f);
}

/* data_align, data_bound, data_state */
static void rmi_data_create_rejects_data_not_delegated(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        data_fx_init(h, &f);
        uint64_t ns = host_alloc(h);
        assert_int_equal(rmi(h, RMI_DATA_CREATE, f.r.rd, ns, 0, f.src, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(host_pas(h, ns), HW_PAS_NS);
        assert_int_equal(rmi(h, RMI_DATA_CREATE, f.r.rd, f.r.rtt_base, 0, f.src, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_DATA_CREATE, f.r.rd, f.data + 0x100, 0, f.src, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(read_entry(h, &f.r, 0).x[2], RMI_UNASSIGNED);
        assert_data_untouched(h, &f);
}

/* ipa_align, ipa_bound: protected IPAs only */
static void rmi_data_create_rejects_unprotected_or_unaligned_ipa(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        data_fx_init(h, &f);
        host_rtts_l3(h, &f.r, H_UNPROT_BASE);
        assert_int_equal(data_create(h, &f, H_UNPROT_BASE, 0), RMI_ERROR_INPUT);
        assert_int_equal(data_create(h, &f, 0x1008, 0), RMI_ERROR_INPUT);
        assert_int_equal(data_create(h, &f, 1ULL << H_S2SZ, 0), RMI_ERROR_INPUT);
        assert_data_untouched(h, &f);
}

static void rmi_data_create_rejects_unknown_flags(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        data_fx_init(h, &f);
        assert_int_equal(data_create(h, &f, 0, 2), RMI_ERROR_INPUT);
        assert_int_equal(data_create(h, &f, 0, 1ULL << 63), RMI_ERROR_INPUT);
        assert_data_untouched(h, &f);
}

/* realm_state */
static void rmi_data_create_in_active_realm_fails_error_realm(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        data_fx_init(h, &f);
        host_activate(h, &f.r);
        assert_int_equal(data_create(h, &f, 0, RMI_MEASURE_CONTENT), RMI_ERROR_REALM);
        assert_int_equal(read_entry(h, &f.r, 0).x[2], RMI_UNASSIGNED);
        assert_data_untouched(h, &f);
}

/* rtt_walk: no level-3 table */
static void rmi_data_create_without_level3_table_fails_error_rtt_2(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        data_fx_init(h, &f);
        assert_int_equal(data_create(h, &f, H_L2_SIZE, 0), ERR_RTT(2));
        assert_int_equal(data_create(h, &f, H_L1_SIZE, 0), ERR_RTT(1));
        assert_data_untouched(h, &f);
}

/* rtte_state */
static void rmi_data_create_on_assigned_entry_fails_error_rtt_3(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        data_fx_init(h, &f);
        uint64_t first = host_data_create(h, &f.r, 0x1000, 0x44, RMI_NO_MEASURE_CONTENT);
        assert_int_equal(data_create(h, &f, 0x1000, 0), ERR_RTT(3));
        assert_int_equal(read_entry(h, &f.r, 0x1000).x[3], first);
        assert_true(root_granule_is(h, first, 0x44));
        assert_data_untouched(h, &f);
}

/* Data may be placed where RIPAS is EMPTY; the entry keeps RIPAS EMPTY. */
static void rmi_data_create_on_empty_ripas_keeps_ripas_empty(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        data_fx_init(h, &f);
        assert_int_equal(data_create(h, &f, H_RAM_TOP, 0), RMI_SUCCESS);
        struct smc_regs e = read_entry(h, &f.r, H_RAM_TOP);
        assert_int_equal(e.x[2], RMI_ASSIGNED);
        assert_int_equal(e.x[4], RMI_EMPTY);
}

/* ---- DATA_CREATE_UNKNOWN ---- */

static void rmi_data_create_unknown_in_active_realm_assigns_zeroed_granule(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        data_fx_init(h, &f);
        host_activate(h, &f.r);
        assert_int_equal(rmi(h, RMI_DATA_CREATE_UNKNOWN, f.r.rd, f.data, 0x3000, 0, 0, NULL), RMI_SUCCESS);
        struct smc_regs e = read_entry(h, &f.r, 0x3000);
        assert_int_equal(e.x[2], RMI_ASSIGNED);
        assert_int_equal(e.x[3], f.data);
        assert_int_equal(e.x[4], RMI_RAM);
        assert_true(root_granule_is(h, f.data, 0));
        assert_undelegate_fails(h, f.data);
}

static void rmi_data_create_unknown_rejects_same_conditions_as_data_create(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        data_fx_init(h, &f);
        uint64_t ns = host_alloc(h);
        assert_int_equal(rmi(h, RMI_DATA_CREATE_UNKNOWN, f.r.rd, ns, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_DATA_CREATE_UNKNOWN, f.r.rd, f.data, H_UNPROT_BASE, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_DATA_CREATE_UNKNOWN, f.r.rd, f.data, 0x10, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_DATA_CREATE_UNKNOWN, f.r.rd, f.data, H_L2_SIZE, 0, 0, NULL), ERR_RTT(2));
        (void)host_data_create(h, &f.r, 0, 0, 0);
        assert_int_equal(rmi(h, RMI_DATA_CREATE_UNKNOWN, f.r.rd, f.data, 0, 0, 0, NULL), ERR_RTT(3));
        assert_data_untouched(h, &f);
}

/* ---- DATA_DESTROY ---- */

static void rmi_data_destroy_returns_data_scrubbed_and_destroys_ripas(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        struct smc_regs out;
        data_fx_init(h, &f);
        assert_int_equal(data_create(h, &f, 0x2000, RMI_MEASURE_CONTENT), RMI_SUCCESS);
        host_activate(h, &f.r);
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.r.rd, 0x2000, 0, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], f.data);
        assert_int_equal(out.x[2], H_L2_SIZE); /* top: nothing live after it in its table */
        struct smc_regs e = read_entry(h, &f.r, 0x2000);
        assert_int_equal(e.x[2], RMI_UNASSIGNED);
        assert_int_equal(e.x[4], RMI_DESTROYED);
        assert_true(root_granule_is(h, f.data, 0)); /* Realm data never reaches the host */
        assert_undelegate_ok(h, f.data);
}

/* top = walk_top = RttSkipNonLiveEntries (DEN0137 1.0 B4.3.3, B3.76): the next live entry
 * of the level-3 table after the one destroyed, or the end of the table. */
static void rmi_data_destroy_top_is_next_live_entry_or_end_of_table(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        struct smc_regs out;
        data_fx_init(h, &f);
        (void)host_data_create(h, &f.r, 0x1000, 0, 0);
        (void)host_data_create(h, &f.r, 0x5000, 0, 0);
        uint64_t unprot_ns = host_alloc(h);
        host_rtts_l3(h, &f.r, H_UNPROT_BASE);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, f.r.rd, H_UNPROT_BASE, 3, unprot_ns, 0, NULL),
                         RMI_SUCCESS);
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.r.rd, 0x1000, 0, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[2], 0x5000);
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.r.rd, 0x5000, 0, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[2], H_L2_SIZE); /* the end of the table, not 0x6000 */
}

/* rtte_state, rtt_walk: the failure's top is walk_top too, from the entry the walk reached. */
static void rmi_data_destroy_rtte_state_and_rtt_walk_fail_with_walk_top(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        struct smc_regs out;
        data_fx_init(h, &f);
        (void)host_data_create(h, &f.r, 0x7000, 0, 0);
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.r.rd, 0x3000, 0, 0, 0, &out), ERR_RTT(3));
        assert_int_equal(out.x[2], 0x7000);
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.r.rd, 0x8000, 0, 0, 0, &out), ERR_RTT(3));
        assert_int_equal(out.x[2], H_L2_SIZE);
        /* no level-3 table at 4 MiB: the walk stops at the level-2 entry; past it, the next
         * live level-2 entry is the table at 8 MiB */
        (void)host_rtt_create(h, &f.r, 4 * H_L2_SIZE, 3);
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.r.rd, 2 * H_L2_SIZE + 0x1000, 0, 0, 0, &out), ERR_RTT(2));
        assert_int_equal(out.x[2], 4 * H_L2_SIZE);
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.r.rd, 5 * H_L2_SIZE, 0, 0, 0, &out), ERR_RTT(2));
        assert_int_equal(out.x[2], H_L1_SIZE);
}

static void rmi_data_destroy_of_empty_ripas_data_leaves_ripas_empty(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        data_fx_init(h, &f);
        assert_int_equal(data_create(h, &f, H_RAM_TOP, 0), RMI_SUCCESS);
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.r.rd, H_RAM_TOP, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(read_entry(h, &f.r, H_RAM_TOP).x[4], RMI_EMPTY);
}

static void rmi_data_destroy_of_unassigned_entry_fails_error_rtt_3(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        struct smc_regs out;
        data_fx_init(h, &f);
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.r.rd, 0x1000, 0, 0, 0, &out), ERR_RTT(3));
        assert_int_equal(out.x[1], 0);
        assert_int_equal(read_entry(h, &f.r, 0x1000).x[4], RMI_RAM);
}

static void rmi_data_destroy_without_level3_table_fails_error_rtt_2(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        data_fx_init(h, &f);
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.r.rd, H_L2_SIZE, 0, 0, 0, NULL), ERR_RTT(2));
}

static void rmi_data_destroy_rejects_bad_ipa_and_rd(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        data_fx_init(h, &f);
        assert_int_equal(data_create(h, &f, 0, 0), RMI_SUCCESS);
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.r.rd, 0x10, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.r.rd, H_UNPROT_BASE, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.data, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(read_entry(h, &f.r, 0).x[3], f.data);
        assert_true(root_granule_is(h, f.data, 0x6B));
}

/* ---- hostile host ---- */

static void host_ns_access_to_data_granule_faults_gpf_and_leaves_contents(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        struct hw_fault fault;
        uint8_t buf[64] = { 0 };
        data_fx_init(h, &f);
        assert_int_equal(data_create(h, &f, 0, 0), RMI_SUCCESS);
        assert_int_equal(hw_read(h->mem, HW_WORLD_NS, f.data, buf, sizeof(buf), &fault), HW_GPF);
        assert_int_equal(fault.pas, HW_PAS_REALM);
        assert_int_equal(fault.pa, f.data);
        for (size_t i = 0; i < sizeof(buf); i++)
                assert_int_equal(buf[i], 0); /* nothing moved */
        memset(buf, 0xFF, sizeof(buf));
        assert_int_equal(hw_write(h->mem, HW_WORLD_NS, f.data + 0x100, buf, sizeof(buf), NULL), HW_GPF);
        assert_int_equal(hw_fill(h->mem, HW_WORLD_NS, f.data, 0, GRANULE_SIZE, NULL), HW_GPF);
        assert_true(root_granule_is(h, f.data, 0x6B));
}

/* The host may reuse an NS source page freely after DATA_CREATE: it was copied in once. */
static void rmi_data_create_copies_source_once(void **state)
{
        struct host *h = *state;
        struct data_fx f;
        data_fx_init(h, &f);
        assert_int_equal(data_create(h, &f, 0, RMI_MEASURE_CONTENT), RMI_SUCCESS);
        host_fill_ns(h, f.src, 0x00);
        assert_true(root_granule_is(h, f.data, 0x6B));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(rmi_data_create_copies_source_and_assigns_entry),
                T(rmi_data_create_rejects_source_not_ns),
                T(rmi_data_create_rejects_rd_that_is_not_rd),
                T(rmi_data_create_rejects_data_not_delegated),
                T(rmi_data_create_rejects_unprotected_or_unaligned_ipa),
                T(rmi_data_create_rejects_unknown_flags),
                T(rmi_data_create_in_active_realm_fails_error_realm),
                T(rmi_data_create_without_level3_table_fails_error_rtt_2),
                T(rmi_data_create_on_assigned_entry_fails_error_rtt_3),
                T(rmi_data_create_on_empty_ripas_keeps_ripas_empty),
                T(rmi_data_create_copies_source_once),
                T(rmi_data_create_unknown_in_active_realm_assigns_zeroed_granule),
                T(rmi_data_create_unknown_rejects_same_conditions_as_data_create),
                T(rmi_data_destroy_returns_data_scrubbed_and_destroys_ripas),
                T(rmi_data_destroy_top_is_next_live_entry_or_end_of_table),
                T(rmi_data_destroy_rtte_state_and_rtt_walk_fail_with_walk_top),
                T(rmi_data_destroy_of_empty_ripas_data_leaves_ripas_empty),
                T(rmi_data_destroy_of_unassigned_entry_fails_error_rtt_3),
                T(rmi_data_destroy_without_level3_table_fails_error_rtt_2),
                T(rmi_data_destroy_rejects_bad_ipa_and_rd),
                T(host_ns_access_to_data_granule_faults_gpf_and_leaves_contents),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
