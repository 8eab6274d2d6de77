/* RTT commands. DEN0137 1.0 B4.3.15 (RTT_CREATE), B4.3.16 (RTT_DESTROY), B4.3.18
 * (RTT_INIT_RIPAS), B4.3.19 (RTT_MAP_UNPROTECTED), B4.3.20 (RTT_READ_ENTRY), B4.3.22
 * (RTT_UNMAP_UNPROTECTED). RTT_SET_RIPAS (B4.3.21) is in test_rsi_memory.c.
 * The test Realm: s2sz 40, two level-1 starting tables; protected IPAs below 2^39. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rmm_harness.h"

#define T(fn) cmocka_unit_test_setup_teardown(fn, host_setup, host_teardown)
#define ERR_RTT(level) RMI_RETURN(RMI_ERROR_RTT, (level))

#define UNPROT_ATTRS 0xC4ULL /* MemAttr 1, S2AP RW, SH 0 */

struct entry {
        uint64_t level, state, desc, ripas;
};

static struct entry read_entry(struct host *h, const struct hrealm *r, uint64_t ipa, int level)
{
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_RTT_READ_ENTRY, r->rd, ipa, (uint64_t)level, 0, 0, &out), RMI_SUCCESS);
        return (struct entry){ out.x[1], out.x[2], out.x[3], out.x[4] };
}

static void assert_entry(struct host *h, const struct hrealm *r, uint64_t ipa, int level,
                         uint64_t want_level, uint64_t state, uint64_t ripas)
{
        struct entry e = read_entry(h, r, ipa, level);
        assert_int_equal(e.level, want_level);
        assert_int_equal(e.state, state);
        assert_int_equal(e.ripas, ripas);
}

static uint64_t rtt_create(struct host *h, const struct hrealm *r, uint64_t rtt, uint64_t ipa, uint64_t level)
{
        return rmi(h, RMI_RTT_CREATE, r->rd, rtt, ipa, level, 0, NULL);
}

/* ---- RTT_CREATE ---- */

static void rmi_rtt_create_links_table_into_parent(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t l2 = host_rtt_create(h, &r, 0, 2);
        uint64_t l3 = host_rtt_create(h, &r, 0, 3);
        struct entry e = read_entry(h, &r, 0, 1);
        assert_int_equal(e.level, 1);
        assert_int_equal(e.state, RMI_TABLE);
        assert_int_equal(e.desc, l2);
        e = read_entry(h, &r, 0, 2);
        assert_int_equal(e.level, 2);
        assert_int_equal(e.state, RMI_TABLE);
        assert_int_equal(e.desc, l3);
        assert_entry(h, &r, 0x1000, 3, 3, RMI_UNASSIGNED, RMI_EMPTY);
        assert_undelegate_fails(h, l2);
        assert_undelegate_fails(h, l3);
}

static void rmi_rtt_create_rejects_rd_that_is_not_rd(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t rtt = host_delegated(h);
        struct hrealm bad = r;
        bad.rd = r.rtt_base;
        assert_int_equal(rtt_create(h, &bad, rtt, 0, 2), RMI_ERROR_INPUT);
        assert_undelegate_ok(h, rtt);
}

/* level_bound: starting level < level <= 3 */
static void rmi_rtt_create_rejects_level_out_of_bounds(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t rtt = host_delegated(h);
        assert_int_equal(rtt_create(h, &r, rtt, 0, 0), RMI_ERROR_INPUT);
        assert_int_equal(rtt_create(h, &r, rtt, 0, 1), RMI_ERROR_INPUT); /* the starting level */
        assert_int_equal(rtt_create(h, &r, rtt, 0, 4), RMI_ERROR_INPUT);
        assert_int_equal(rtt_create(h, &r, rtt, 0, UINT64_MAX), RMI_ERROR_INPUT);
        /* (int)level - 1 would overflow: refused before the level is used (UBSan build) */
        assert_int_equal(rtt_create(h, &r, rtt, 0, 0x80000000ULL), RMI_ERROR_INPUT);
        assert_undelegate_ok(h, rtt);
}

/* ipa_align: aligned to the parent entry (level - 1) */
static void rmi_rtt_create_rejects_ipa_unaligned_for_level(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t rtt = host_delegated(h);
        assert_int_equal(rtt_create(h, &r, rtt, H_L2_SIZE, 2), RMI_ERROR_INPUT);
        (void)host_rtt_create(h, &r, 0, 2);
        assert_int_equal(rtt_create(h, &r, rtt, GRANULE_SIZE, 3), RMI_ERROR_INPUT);
        assert_int_equal(rtt_create(h, &r, rtt, H_L2_SIZE + GRANULE_SIZE, 3), RMI_ERROR_INPUT);
        assert_undelegate_ok(h, rtt);
}

/* ipa_bound */
static void rmi_rtt_create_rejects_ipa_outside_ipa_space(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t rtt = host_delegated(h);
        assert_int_equal(rtt_create(h, &r, rtt, 1ULL << H_S2SZ, 2), RMI_ERROR_INPUT);
        assert_int_equal(rtt_create(h, &r, rtt, 1ULL << 47, 2), RMI_ERROR_INPUT);
        assert_undelegate_ok(h, rtt);
}

/* rtt_align, rtt_bound, rtt_state */
static void rmi_rtt_create_rejects_rtt_not_delegated(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t ns = host_alloc(h);
        assert_int_equal(rtt_create(h, &r, ns, 0, 2), RMI_ERROR_INPUT);
        assert_int_equal(host_pas(h, ns), HW_PAS_NS);
        assert_int_equal(rtt_create(h, &r, r.rd, 0, 2), RMI_ERROR_INPUT);
        assert_int_equal(rtt_create(h, &r, r.rtt_base, 0, 2), RMI_ERROR_INPUT);
        assert_int_equal(rtt_create(h, &r, host_delegated(h) + 8, 0, 2), RMI_ERROR_INPUT);
        assert_int_equal(rtt_create(h, &r, H_MEM_END, 0, 2), RMI_ERROR_INPUT);
        assert_entry(h, &r, 0, 1, 1, RMI_UNASSIGNED, RMI_EMPTY);
}

/* rtt_walk: the walk to level - 1 stops early; index = the level it reached */
static void rmi_rtt_create_when_walk_stops_early_fails_error_rtt_at_walk_level(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t rtt = host_delegated(h);
        assert_int_equal(rtt_create(h, &r, rtt, 0, 3), ERR_RTT(1));
        assert_undelegate_ok(h, rtt);
}

/* rtte_state: the parent entry is already a table; index = level - 1. A TABLE entry is the
 * only one RTT_CREATE refuses (B4.3.15); any other is unfolded into the new table. */
static void rmi_rtt_create_when_table_exists_fails_error_rtt_at_parent_level(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t l2 = host_rtt_create(h, &r, 0, 2);
        uint64_t rtt = host_delegated(h);
        assert_int_equal(rtt_create(h, &r, rtt, 0, 2), ERR_RTT(1));
        uint64_t l3 = host_rtt_create(h, &r, 0, 3);
        assert_int_equal(rtt_create(h, &r, rtt, 0, 3), ERR_RTT(2));
        assert_int_equal(read_entry(h, &r, 0, 1).desc, l2);
        assert_int_equal(read_entry(h, &r, 0, 2).desc, l3);
        assert_undelegate_ok(h, rtt);
}

/* A table created under an UNASSIGNED block inherits its RIPAS. */
static void rmi_rtt_create_level_3_inherits_block_ripas(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        (void)host_rtt_create(h, &r, 0, 2);
        host_init_ripas(h, &r, 0, H_L2_SIZE);
        (void)host_rtt_create(h, &r, 0, 3);
        assert_entry(h, &r, 0, 3, 3, RMI_UNASSIGNED, RMI_RAM);
        assert_entry(h, &r, H_L2_SIZE - GRANULE_SIZE, 3, 3, RMI_UNASSIGNED, RMI_RAM);
}

static void rmi_rtt_create_in_unprotected_space_succeeds(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, H_UNPROT_BASE);
        assert_entry(h, &r, H_UNPROT_BASE, 3, 3, RMI_UNASSIGNED, RMI_EMPTY);
}

/* ---- RTT_DESTROY ---- */

static void rmi_rtt_destroy_returns_rtt_and_top_and_destroys_ripas(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct smc_regs out;
        host_realm_new(h, &r);
        uint64_t l2 = host_rtt_create(h, &r, 0, 2);
        uint64_t l3 = host_rtt_create(h, &r, 0, 3);
        host_init_ripas(h, &r, 0, 0x3000);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, 0, 3, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], l3);
        assert_int_equal(out.x[2], H_L1_SIZE); /* top: nothing live after it in the level-2 table */
        /* The host can take a Realm's memory away, never silently: the block is DESTROYED. */
        assert_entry(h, &r, 0, 3, 2, RMI_UNASSIGNED, RMI_DESTROYED);
        assert_true(root_granule_is(h, l3, 0));
        assert_undelegate_ok(h, l3);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, 0, 2, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], l2);
        assert_int_equal(out.x[2], H_UNPROT_BASE); /* the end of the first starting table */
        assert_entry(h, &r, 0, 1, 1, RMI_UNASSIGNED, RMI_DESTROYED);
        assert_undelegate_ok(h, l2);
}

static void rmi_rtt_destroy_unprotected_table_leaves_ripas_empty(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct smc_regs out;
        host_realm_new(h, &r);
        uint64_t l2 = host_rtt_create(h, &r, H_UNPROT_BASE, 2);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, H_UNPROT_BASE, 2, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], l2);
        assert_int_equal(out.x[2], 1ULL << H_S2SZ); /* the end of the second starting table */
        assert_entry(h, &r, H_UNPROT_BASE, 1, 1, RMI_UNASSIGNED, RMI_EMPTY);
        /* a new table there can be created again */
        (void)host_rtt_create(h, &r, H_UNPROT_BASE, 2);
}

/* top = walk_top = RttSkipNonLiveEntries (DEN0137 1.0 B4.3.16, B3.76): after the table
 * destroyed, the next live entry of the parent table, or the parent table's end. */
static void rmi_rtt_destroy_top_is_next_live_entry(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct smc_regs out;
        host_realm_new(h, &r);
        (void)host_rtt_create(h, &r, 0, 2);
        (void)host_rtt_create(h, &r, 0, 3);
        (void)host_rtt_create(h, &r, 3 * H_L2_SIZE, 3);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, 0, 3, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[2], 3 * H_L2_SIZE);
}

/* rtt_walk, rtte_state: no table at ipa. The failure's top is walk_top from the entry the
 * walk reached: past the entries that map nothing, to the next live one (> ipa). */
static void rmi_rtt_destroy_rtte_state_fails_with_top_past_non_live_entries(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct smc_regs out;
        host_realm_new(h, &r);
        (void)host_rtt_create(h, &r, 0, 2);
        (void)host_rtt_create(h, &r, 3 * H_L1_SIZE, 2);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, H_L1_SIZE, 2, 0, 0, &out), ERR_RTT(1));
        assert_int_equal(out.x[2], 3 * H_L1_SIZE);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, 4 * H_L1_SIZE, 2, 0, 0, &out), ERR_RTT(1));
        assert_int_equal(out.x[2], H_UNPROT_BASE);
        /* rtt_walk: the walk to level 2 stops at level 1 */
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, H_L1_SIZE + H_L2_SIZE, 3, 0, 0, &out), ERR_RTT(1));
        assert_int_equal(out.x[2], 3 * H_L1_SIZE);
        /* rtt_live: top == ipa */
        (void)host_rtt_create(h, &r, 3 * H_L1_SIZE + H_L2_SIZE, 3);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, 3 * H_L1_SIZE, 2, 0, 0, &out), ERR_RTT(2));
        assert_int_equal(out.x[2], 3 * H_L1_SIZE);
}

static void rmi_rtt_destroy_rejects_level_out_of_bounds_and_unaligned_ipa(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t l2 = host_rtt_create(h, &r, 0, 2);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, 0, 1, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, 0, 4, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, 0, 0x80000000ULL, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, GRANULE_SIZE, 2, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, 1ULL << H_S2SZ, 2, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rtt_base, 0, 2, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(read_entry(h, &r, 0, 1).desc, l2);
}

static void rmi_rtt_destroy_when_walk_stops_early_fails_error_rtt_at_walk_level(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, 0, 3, 0, 0, NULL), ERR_RTT(1));
}

static void rmi_rtt_destroy_without_table_fails_error_rtt_at_parent_level(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, 0, 2, 0, 0, NULL), ERR_RTT(1));
        (void)host_rtt_create(h, &r, 0, 2);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, 0, 3, 0, 0, NULL), ERR_RTT(2));
}

/* rtt_live: the child still has a TABLE or ASSIGNED entry; index = level */
static void rmi_rtt_destroy_with_live_child_fails_error_rtt_at_level(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t l2 = host_rtt_create(h, &r, 0, 2);
        uint64_t l3 = host_rtt_create(h, &r, 0, 3);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, 0, 2, 0, 0, NULL), ERR_RTT(2));
        uint64_t data = host_data_create(h, &r, 0x5000, 0x99, RMI_NO_MEASURE_CONTENT);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, 0, 3, 0, 0, NULL), ERR_RTT(3));
        assert_int_equal(read_entry(h, &r, 0, 1).desc, l2);
        assert_int_equal(read_entry(h, &r, 0, 2).desc, l3);
        assert_int_equal(read_entry(h, &r, 0x5000, 3).desc, data);
        assert_true(root_granule_is(h, data, 0x99));
        assert_undelegate_fails(h, l3);
}

/* A host that destroys and re-creates a table cannot place data where RIPAS is DESTROYED. */
static void rmi_rtt_destroy_then_recreate_keeps_ripas_destroyed(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, 0);
        host_init_ripas(h, &r, 0, H_L2_SIZE);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, 0, 3, 0, 0, NULL), RMI_SUCCESS);
        (void)host_rtt_create(h, &r, 0, 3);
        assert_entry(h, &r, 0x1000, 3, 3, RMI_UNASSIGNED, RMI_DESTROYED);
        uint64_t data = host_delegated(h);
        uint64_t src = host_alloc(h);
        assert_int_equal(rmi(h, RMI_DATA_CREATE, r.rd, data, 0x1000, src, 0, NULL), ERR_RTT(3));
        assert_int_equal(rmi(h, RMI_RTT_INIT_RIPAS, r.rd, 0x1000, 0x2000, 0, 0, NULL), ERR_RTT(3));
        assert_undelegate_ok(h, data);
}

/* ---- RTT_READ_ENTRY ---- */

static void rmi_rtt_read_entry_reports_unassigned_ram_and_empty(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, 0);
        host_init_ripas(h, &r, 0x1000, 0x2000);
        struct entry e = read_entry(h, &r, 0x1000, 3);
        assert_int_equal(e.level, 3);
        assert_int_equal(e.state, RMI_UNASSIGNED);
        assert_int_equal(e.desc, 0);
        assert_int_equal(e.ripas, RMI_RAM);
        assert_entry(h, &r, 0x2000, 3, 3, RMI_UNASSIGNED, RMI_EMPTY);
}

static void rmi_rtt_read_entry_reports_assigned_data(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, 0);
        host_init_ripas(h, &r, 0, 0x1000);
        uint64_t data = host_data_create(h, &r, 0, 0x12, RMI_MEASURE_CONTENT);
        struct entry e = read_entry(h, &r, 0, 3);
        assert_int_equal(e.level, 3);
        assert_int_equal(e.state, RMI_ASSIGNED);
        assert_int_equal(e.desc, data);
        assert_int_equal(e.ripas, RMI_RAM);
}

static void rmi_rtt_read_entry_reports_assigned_unprotected_descriptor(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, H_UNPROT_BASE);
        uint64_t ns = host_alloc(h);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, r.rd, H_UNPROT_BASE, 3, ns | UNPROT_ATTRS, 0, NULL),
                         RMI_SUCCESS);
        struct entry e = read_entry(h, &r, H_UNPROT_BASE, 3);
        assert_int_equal(e.level, 3);
        assert_int_equal(e.state, RMI_ASSIGNED);
        assert_int_equal(e.desc, ns | UNPROT_ATTRS);
        assert_int_equal(e.ripas, RMI_EMPTY);
}

static void rmi_rtt_read_entry_reports_level_where_walk_stopped(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        assert_entry(h, &r, 0x1000, 3, 1, RMI_UNASSIGNED, RMI_EMPTY);
        (void)host_rtt_create(h, &r, 0, 2);
        assert_entry(h, &r, 0x1000, 3, 2, RMI_UNASSIGNED, RMI_EMPTY);
}

static void rmi_rtt_read_entry_rejects_bad_level_and_ipa(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        assert_int_equal(rmi(h, RMI_RTT_READ_ENTRY, r.rd, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_RTT_READ_ENTRY, r.rd, 0, 4, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_RTT_READ_ENTRY, r.rd, 0x1000, 2, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_RTT_READ_ENTRY, r.rd, 0x800, 3, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_RTT_READ_ENTRY, r.rd, 1ULL << H_S2SZ, 3, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_RTT_READ_ENTRY, r.rtt_base, 0, 1, 0, 0, NULL), RMI_ERROR_INPUT);
}

/* ---- RTT_INIT_RIPAS ---- */

static uint64_t init_ripas(struct host *h, const struct hrealm *r, uint64_t base, uint64_t top, uint64_t *out_top)
{
        struct smc_regs out;
        uint64_t st = rmi(h, RMI_RTT_INIT_RIPAS, r->rd, base, top, 0, 0, &out);
        if (out_top)
                *out_top = out.x[1];
        return st;
}

static void rmi_rtt_init_ripas_sets_ram_and_reports_progress(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t top;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, 0);
        assert_int_equal(init_ripas(h, &r, 0x1000, 0x4000, &top), RMI_SUCCESS);
        assert_int_equal(top, 0x4000);
        assert_entry(h, &r, 0x0000, 3, 3, RMI_UNASSIGNED, RMI_EMPTY);
        assert_entry(h, &r, 0x1000, 3, 3, RMI_UNASSIGNED, RMI_RAM);
        assert_entry(h, &r, 0x3000, 3, 3, RMI_UNASSIGNED, RMI_RAM);
        assert_entry(h, &r, 0x4000, 3, 3, RMI_UNASSIGNED, RMI_EMPTY);
}

static void rmi_rtt_init_ripas_in_active_realm_fails_error_realm(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, 0);
        host_activate(h, &r);
        assert_int_equal(init_ripas(h, &r, 0, 0x1000, NULL), RMI_ERROR_REALM);
        assert_entry(h, &r, 0, 3, 3, RMI_UNASSIGNED, RMI_EMPTY);
}

static void rmi_rtt_init_ripas_rejects_unaligned_or_empty_range(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, 0);
        assert_int_equal(init_ripas(h, &r, 0x800, 0x2000, NULL), RMI_ERROR_INPUT);
        assert_int_equal(init_ripas(h, &r, 0x1000, 0x2800, NULL), RMI_ERROR_INPUT);
        assert_int_equal(init_ripas(h, &r, 0x2000, 0x2000, NULL), RMI_ERROR_INPUT);
        assert_int_equal(init_ripas(h, &r, 0x3000, 0x2000, NULL), RMI_ERROR_INPUT);
        assert_entry(h, &r, 0x1000, 3, 3, RMI_UNASSIGNED, RMI_EMPTY);
        assert_entry(h, &r, 0x2000, 3, 3, RMI_UNASSIGNED, RMI_EMPTY);
}

static void rmi_rtt_init_ripas_rejects_unprotected_range(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, H_UNPROT_BASE);
        assert_int_equal(init_ripas(h, &r, H_UNPROT_BASE, H_UNPROT_BASE + 0x1000, NULL), RMI_ERROR_INPUT);
        assert_int_equal(init_ripas(h, &r, H_UNPROT_BASE - 0x1000, H_UNPROT_BASE + 0x1000, NULL),
                         RMI_ERROR_INPUT);
        assert_int_equal(init_ripas(h, &r, 0, 1ULL << H_S2SZ, NULL), RMI_ERROR_INPUT);
}

static void rmi_rtt_init_ripas_rejects_rd_that_is_not_rd(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        struct hrealm bad = r;
        bad.rd = host_delegated(h);
        assert_int_equal(init_ripas(h, &bad, 0, H_L1_SIZE, NULL), RMI_ERROR_INPUT);
}

/* Without a level-3 table the walk stops at level 2: one entry per 2 MiB block. */
static void rmi_rtt_init_ripas_without_level3_progresses_over_level2_blocks(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t top;
        host_realm_new(h, &r);
        (void)host_rtt_create(h, &r, 0, 2);
        assert_int_equal(init_ripas(h, &r, 0, 3 * H_L2_SIZE / 2 + H_L2_SIZE, &top), RMI_SUCCESS);
        assert_int_equal(top, 2 * H_L2_SIZE); /* the partial third block is not touched */
        assert_entry(h, &r, 0, 2, 2, RMI_UNASSIGNED, RMI_RAM);
        assert_entry(h, &r, H_L2_SIZE, 2, 2, RMI_UNASSIGNED, RMI_RAM);
        assert_entry(h, &r, 2 * H_L2_SIZE, 2, 2, RMI_UNASSIGNED, RMI_EMPTY);
}

static void rmi_rtt_init_ripas_base_not_aligned_to_block_fails_error_rtt(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        (void)host_rtt_create(h, &r, 0, 2);
        assert_int_equal(init_ripas(h, &r, 0x1000, H_L2_SIZE, NULL), ERR_RTT(2));
        /* top inside the first block: no entry fits, no progress */
        assert_int_equal(init_ripas(h, &r, 0, H_L2_SIZE / 2, NULL), ERR_RTT(2));
        assert_entry(h, &r, 0, 2, 2, RMI_UNASSIGNED, RMI_EMPTY);
        /* without any table: level-1 blocks of 1 GiB */
        assert_int_equal(init_ripas(h, &r, H_L1_SIZE + 0x1000, 2 * H_L1_SIZE, NULL), ERR_RTT(1));
}

static void rmi_rtt_init_ripas_stops_at_end_of_table(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t top;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, 0);
        assert_int_equal(init_ripas(h, &r, H_L2_SIZE - 0x2000, H_L2_SIZE + 0x2000, &top), RMI_SUCCESS);
        assert_int_equal(top, H_L2_SIZE);
        assert_entry(h, &r, H_L2_SIZE, 2, 2, RMI_UNASSIGNED, RMI_EMPTY);
}

static void rmi_rtt_init_ripas_stops_at_assigned_entry(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t top;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, 0);
        (void)host_data_create(h, &r, 0x2000, 0, RMI_NO_MEASURE_CONTENT);
        assert_int_equal(init_ripas(h, &r, 0, 0x4000, &top), RMI_SUCCESS);
        assert_int_equal(top, 0x2000);
        assert_int_equal(init_ripas(h, &r, 0x2000, 0x4000, NULL), ERR_RTT(3));
        assert_entry(h, &r, 0x2000, 3, 3, RMI_ASSIGNED, RMI_EMPTY);
}

/* ---- RTT_MAP_UNPROTECTED / RTT_UNMAP_UNPROTECTED ---- */

static uint64_t map_unprot(struct host *h, const struct hrealm *r, uint64_t ipa, uint64_t level, uint64_t desc)
{
        return rmi(h, RMI_RTT_MAP_UNPROTECTED, r->rd, ipa, level, desc, 0, NULL);
}

static void rmi_rtt_map_unprotected_rejects_protected_ipa(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, 0);
        uint64_t ns = host_alloc(h);
        assert_int_equal(map_unprot(h, &r, 0, 3, ns), RMI_ERROR_INPUT);
        assert_int_equal(map_unprot(h, &r, H_UNPROT_BASE - GRANULE_SIZE, 3, ns), RMI_ERROR_INPUT);
        assert_entry(h, &r, 0, 3, 3, RMI_UNASSIGNED, RMI_EMPTY);
}

static void rmi_rtt_map_unprotected_rejects_level_other_than_3(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, H_UNPROT_BASE);
        uint64_t ns = host_alloc(h);
        assert_int_equal(map_unprot(h, &r, H_UNPROT_BASE, 2, ns), RMI_ERROR_INPUT);
        assert_int_equal(map_unprot(h, &r, H_UNPROT_BASE, 4, ns), RMI_ERROR_INPUT);
        assert_entry(h, &r, H_UNPROT_BASE, 3, 3, RMI_UNASSIGNED, RMI_EMPTY);
}

static void rmi_rtt_map_unprotected_rejects_bad_ipa(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, H_UNPROT_BASE);
        uint64_t ns = host_alloc(h);
        assert_int_equal(map_unprot(h, &r, H_UNPROT_BASE + 0x10, 3, ns), RMI_ERROR_INPUT);
        assert_int_equal(map_unprot(h, &r, 1ULL << H_S2SZ, 3, ns), RMI_ERROR_INPUT);
}

/* desc_valid: only the output address and MemAttr/S2AP/SH may be set; the PA must exist */
static void rmi_rtt_map_unprotected_rejects_bad_descriptor_bits(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, H_UNPROT_BASE);
        uint64_t ns = host_alloc(h);
        static const uint64_t bad[] = { 1ULL << 0, 1ULL << 1, 1ULL << 10, 1ULL << 11, 1ULL << 48, 1ULL << 63 };
        for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(map_unprot(h, &r, H_UNPROT_BASE, 3, ns | bad[i]), RMI_ERROR_INPUT);
        assert_int_equal(map_unprot(h, &r, H_UNPROT_BASE, 3, 0x1000), RMI_ERROR_INPUT); /* no memory there */
        assert_int_equal(map_unprot(h, &r, H_UNPROT_BASE, 3, H_MEM_END), RMI_ERROR_INPUT);
        assert_entry(h, &r, H_UNPROT_BASE, 3, 3, RMI_UNASSIGNED, RMI_EMPTY);
}

static void rmi_rtt_map_unprotected_without_table_fails_error_rtt_at_walk_level(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t ns = host_alloc(h);
        assert_int_equal(map_unprot(h, &r, H_UNPROT_BASE, 3, ns), ERR_RTT(1));
        (void)host_rtt_create(h, &r, H_UNPROT_BASE, 2);
        assert_int_equal(map_unprot(h, &r, H_UNPROT_BASE, 3, ns), ERR_RTT(2));
}

static void rmi_rtt_map_unprotected_twice_fails_error_rtt_3(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, H_UNPROT_BASE);
        uint64_t a = host_alloc(h), b = host_alloc(h);
        assert_int_equal(map_unprot(h, &r, H_UNPROT_BASE, 3, a | UNPROT_ATTRS), RMI_SUCCESS);
        assert_int_equal(map_unprot(h, &r, H_UNPROT_BASE, 3, b), ERR_RTT(3));
        assert_int_equal(read_entry(h, &r, H_UNPROT_BASE, 3).desc, a | UNPROT_ATTRS);
}

static void rmi_rtt_unmap_unprotected_clears_entry_and_returns_top(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct smc_regs out;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, H_UNPROT_BASE);
        uint64_t ipa = H_UNPROT_BASE + 0x3000;
        assert_int_equal(map_unprot(h, &r, ipa, 3, host_alloc(h)), RMI_SUCCESS);
        assert_int_equal(rmi(h, RMI_RTT_UNMAP_UNPROTECTED, r.rd, ipa, 3, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], H_UNPROT_BASE + H_L2_SIZE); /* top: nothing live after it */
        assert_entry(h, &r, ipa, 3, 3, RMI_UNASSIGNED, RMI_EMPTY);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, H_UNPROT_BASE, 3, 0, 0, NULL), RMI_SUCCESS);
}

/* top = walk_top = RttSkipNonLiveEntries (DEN0137 1.0 B4.3.22, B3.76), on success and on
 * rtte_state and rtt_walk failures: the next live entry, or the end of the table. */
static void rmi_rtt_unmap_unprotected_top_is_next_live_entry(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct smc_regs out;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, H_UNPROT_BASE);
        assert_int_equal(map_unprot(h, &r, H_UNPROT_BASE + 0x3000, 3, host_alloc(h)), RMI_SUCCESS);
        assert_int_equal(map_unprot(h, &r, H_UNPROT_BASE + 0x9000, 3, host_alloc(h)), RMI_SUCCESS);
        assert_int_equal(rmi(h, RMI_RTT_UNMAP_UNPROTECTED, r.rd, H_UNPROT_BASE + 0x3000, 3, 0, 0, &out),
                         RMI_SUCCESS);
        assert_int_equal(out.x[1], H_UNPROT_BASE + 0x9000);
        /* rtte_state: not mapped at ipa */
        assert_int_equal(rmi(h, RMI_RTT_UNMAP_UNPROTECTED, r.rd, H_UNPROT_BASE + 0x1000, 3, 0, 0, &out),
                         ERR_RTT(3));
        assert_int_equal(out.x[1], H_UNPROT_BASE + 0x9000);
        /* rtt_walk: no level-3 table at the next 2 MiB; the next live level-2 entry is none */
        assert_int_equal(rmi(h, RMI_RTT_UNMAP_UNPROTECTED, r.rd, H_UNPROT_BASE + H_L2_SIZE, 3, 0, 0, &out),
                         ERR_RTT(2));
        assert_int_equal(out.x[1], H_UNPROT_BASE + H_L1_SIZE);
}

/* rtt_live (A5.5.8): an unprotected mapping (ASSIGNED_NS) is a live entry, but does not make
 * its RTT live: RTT_DESTROY succeeds and the mapping goes with the table. */
static void rmi_rtt_destroy_of_unprotected_table_with_mapping_succeeds_rtt_not_live(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct smc_regs out;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, H_UNPROT_BASE);
        uint64_t l3 = read_entry(h, &r, H_UNPROT_BASE, 2).desc;
        uint64_t ns = host_alloc(h);
        assert_int_equal(map_unprot(h, &r, H_UNPROT_BASE + 0x3000, 3, ns | UNPROT_ATTRS), RMI_SUCCESS);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, H_UNPROT_BASE, 3, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], l3);
        assert_int_equal(out.x[2], H_UNPROT_BASE + H_L1_SIZE);
        assert_entry(h, &r, H_UNPROT_BASE + 0x3000, 3, 2, RMI_UNASSIGNED, RMI_EMPTY);
        assert_undelegate_ok(h, l3);
        assert_int_equal(host_pas(h, ns), HW_PAS_NS); /* the host's page, untouched */
        /* a table below it still makes it live */
        uint64_t l2 = read_entry(h, &r, H_UNPROT_BASE, 1).desc;
        (void)host_rtt_create(h, &r, H_UNPROT_BASE, 3);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, H_UNPROT_BASE, 2, 0, 0, &out), ERR_RTT(2));
        assert_int_equal(read_entry(h, &r, H_UNPROT_BASE, 1).desc, l2);
}

static void rmi_rtt_unmap_unprotected_not_mapped_fails_error_rtt_3(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, H_UNPROT_BASE);
        assert_int_equal(rmi(h, RMI_RTT_UNMAP_UNPROTECTED, r.rd, H_UNPROT_BASE, 3, 0, 0, NULL), ERR_RTT(3));
}

static void rmi_rtt_unmap_unprotected_without_table_fails_error_rtt_at_walk_level(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        assert_int_equal(rmi(h, RMI_RTT_UNMAP_UNPROTECTED, r.rd, H_UNPROT_BASE, 3, 0, 0, NULL), ERR_RTT(1));
        (void)host_rtt_create(h, &r, H_UNPROT_BASE, 2);
        assert_int_equal(rmi(h, RMI_RTT_UNMAP_UNPROTECTED, r.rd, H_UNPROT_BASE, 3, 0, 0, NULL), ERR_RTT(2));
}

static void rmi_rtt_unmap_unprotected_rejects_protected_ipa_and_bad_level(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_rtts_l3(h, &r, 0);
        (void)host_data_create(h, &r, 0, 0x5C, RMI_NO_MEASURE_CONTENT);
        assert_int_equal(rmi(h, RMI_RTT_UNMAP_UNPROTECTED, r.rd, 0, 3, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_RTT_UNMAP_UNPROTECTED, r.rd, H_UNPROT_BASE, 2, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(read_entry(h, &r, 0, 3).state, RMI_ASSIGNED);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(rmi_rtt_create_links_table_into_parent),
                T(rmi_rtt_create_rejects_rd_that_is_not_rd),
                T(rmi_rtt_create_rejects_level_out_of_bounds),
                T(rmi_rtt_create_rejects_ipa_unaligned_for_level),
                T(rmi_rtt_create_rejects_ipa_outside_ipa_space),
                T(rmi_rtt_create_rejects_rtt_not_delegated),
                T(rmi_rtt_create_when_walk_stops_early_fails_error_rtt_at_walk_level),
                T(rmi_rtt_create_when_table_exists_fails_error_rtt_at_parent_level),
                T(rmi_rtt_create_level_3_inherits_block_ripas),
                T(rmi_rtt_create_in_unprotected_space_succeeds),
                T(rmi_rtt_destroy_returns_rtt_and_top_and_destroys_ripas),
                T(rmi_rtt_destroy_unprotected_table_leaves_ripas_empty),
                T(rmi_rtt_destroy_top_is_next_live_entry),
                T(rmi_rtt_destroy_rtte_state_fails_with_top_past_non_live_entries),
                T(rmi_rtt_destroy_of_unprotected_table_with_mapping_succeeds_rtt_not_live),
                T(rmi_rtt_destroy_rejects_level_out_of_bounds_and_unaligned_ipa),
                T(rmi_rtt_destroy_when_walk_stops_early_fails_error_rtt_at_walk_level),
                T(rmi_rtt_destroy_without_table_fails_error_rtt_at_parent_level),
                T(rmi_rtt_destroy_with_live_child_fails_error_rtt_at_level),
                T(rmi_rtt_destroy_then_recreate_keeps_ripas_destroyed),
                T(rmi_rtt_read_entry_reports_unassigned_ram_and_empty),
                T(rmi_rtt_read_entry_reports_assigned_data),
                T(rmi_rtt_read_entry_reports_assigned_unprotected_descriptor),
                T(rmi_rtt_read_entry_reports_level_where_walk_stopped),
                T(rmi_rtt_read_entry_rejects_bad_level_and_ipa),
                T(rmi_rtt_init_ripas_sets_ram_and_reports_progress),
                T(rmi_rtt_init_ripas_in_active_realm_fails_error_realm),
                T(rmi_rtt_init_ripas_rejects_unaligned_or_empty_range),
                T(rmi_rtt_init_ripas_rejects_unprotected_range),
                T(rmi_rtt_init_ripas_rejects_rd_that_is_not_rd),
                T(rmi_rtt_init_ripas_without_level3_progresses_over_level2_blocks),
                T(rmi_rtt_init_ripas_base_not_aligned_to_block_fails_error_rtt),
                T(rmi_rtt_init_ripas_stops_at_end_of_table),
                T(rmi_rtt_init_ripas_stops_at_assigned_entry),
                T(rmi_rtt_map_unprotected_rejects_protected_ipa),
                T(rmi_rtt_map_unprotected_rejects_level_other_than_3),
                T(rmi_rtt_map_unprotected_rejects_bad_ipa),
                T(rmi_rtt_map_unprotected_rejects_bad_descriptor_bits),
                T(rmi_rtt_map_unprotected_without_table_fails_error_rtt_at_walk_level),
                T(rmi_rtt_map_unprotected_twice_fails_error_rtt_3),
                T(rmi_rtt_unmap_unprotected_clears_entry_and_returns_top),
                T(rmi_rtt_unmap_unprotected_top_is_next_live_entry),
                T(rmi_rtt_unmap_unprotected_not_mapped_fails_error_rtt_3),
                T(rmi_rtt_unmap_unprotected_without_table_fails_error_rtt_at_walk_level),
                T(rmi_rtt_unmap_unprotected_rejects_protected_ipa_and_bad_level),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
