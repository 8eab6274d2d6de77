/* rmm_check_invariants(): each invariant it promises is checked, and a machine that breaks
 * one is reported with a description. The RMM itself never breaks them (every other RMM test
 * runs the check after every RMI and RSI call); these tests break the machine on purpose,
 * through the hardware (Root world) or, for state only the RMM holds, through its private
 * structures, as a bug in the RMM would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rmm/rmm_internal.h"
#include "rmm_harness.h"

#define T(fn) cmocka_unit_test_setup_teardown(fn, host_setup, host_teardown)

/* The standard Realm (NEW, with DATA and a REC), violations expected from here on. */
static void setup_realm(struct host *h, struct hrealm *r, uint64_t *rec)
{
        host_realm_setup(h, r, rec);
        assert_true(rmm_check_invariants(h->rmm));
        h->expect_violations = true;
}

static struct realm *realm_of(struct host *h, const struct hrealm *r)
{
        return granule_at(h->rmm, r->rd)->u.realm;
}

static uint64_t data_pa(struct host *h, const struct hrealm *r, uint64_t ipa)
{
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_RTT_READ_ENTRY, r->rd, ipa, 3, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[2], RMI_ASSIGNED);
        return out.x[3] & 0x0000FFFFFFFFF000ULL;
}

static void expect_reported(struct host *h, const char *needle)
{
        const char *first;
        assert_false(rmm_check_invariants(h->rmm));
        assert_true(rmm_violations(h->rmm, &first) >= 1);
        if (!strstr(first, needle))
                fail_msg("expected a violation mentioning \"%s\", got \"%s\"", needle, first);
}

static void rmm_invariants_hold_for_new_machine_and_built_realm(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t rec;
        const char *first;
        assert_true(rmm_check_invariants(h->rmm));
        host_realm_setup(h, &r, &rec);
        (void)host_delegated(h);
        assert_true(rmm_check_invariants(h->rmm));
        assert_int_equal(rmm_violations(h->rmm, &first), 0);
        assert_string_equal(first, "");
}

static void rmm_invariants_report_delegated_granule_that_is_not_zero(void **state)
{
        struct host *h = *state;
        uint64_t pa = host_delegated(h);
        uint8_t b = 1;
        h->expect_violations = true;
        assert_int_equal(hw_write(h->mem, HW_WORLD_ROOT, pa + 100, &b, 1, NULL), HW_OK);
        expect_reported(h, "is not all zeroes");
}

static void rmm_invariants_report_data_granule_whose_pas_is_not_realm(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t rec;
        setup_realm(h, &r, &rec);
        uint64_t pa = data_pa(h, &r, 0x1000);
        assert_int_equal(hw_gpt_transition(h->mem, HW_WORLD_ROOT, pa, HW_PAS_REALM, HW_PAS_NS), HW_OK);
        expect_reported(h, "is DATA but its PAS is Non-secure");
}

static void rmm_invariants_report_realm_pas_granule_the_rmm_does_not_track(void **state)
{
        struct host *h = *state;
        uint64_t pa = host_alloc(h);
        h->expect_violations = true;
        assert_int_equal(hw_gpt_transition(h->mem, HW_WORLD_ROOT, pa, HW_PAS_NS, HW_PAS_REALM), HW_OK);
        expect_reported(h, "is UNDELEGATED but its PAS is Realm");
}

static void rmm_invariants_allow_undelegated_secure_and_root_granules(void **state)
{
        struct host *h = *state;
        uint64_t s = host_alloc(h), r = host_alloc(h);
        assert_int_equal(hw_gpt_transition(h->mem, HW_WORLD_ROOT, s, HW_PAS_NS, HW_PAS_SECURE), HW_OK);
        assert_int_equal(hw_gpt_transition(h->mem, HW_WORLD_ROOT, r, HW_PAS_NS, HW_PAS_ROOT), HW_OK);
        assert_true(rmm_check_invariants(h->rmm));
}

static void rmm_invariants_report_ownership_tag_that_disagrees_with_rmm(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t rec;
        setup_realm(h, &r, &rec);
        hw_owner_set(h->mem, data_pa(h, &r, 0), 77);
        expect_reported(h, "hardware ownership tag 77");
}

static void rmm_invariants_report_rtt_live_count_that_is_not_exact(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t rec;
        setup_realm(h, &r, &rec);
        realm_of(h, &r)->root[0]->live++;
        expect_reported(h, "live entries");
}

static void rmm_invariants_report_data_granule_mapped_twice(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t rec;
        setup_realm(h, &r, &rec);
        uint64_t pa = data_pa(h, &r, 0x1000);
        struct rtt_walk w;
        rtt_walk(realm_of(h, &r), 0x5000, RTT_PAGE_LEVEL, &w);
        struct rtte *e = rtt_walk_entry(&w);
        e->state = RMI_ASSIGNED;
        e->addr = pa;
        w.table->live++;
        expect_reported(h, "is referenced 2 times");
}

static void rmm_invariants_report_entry_mapping_granule_of_another_realm(void **state)
{
        struct host *h = *state;
        struct hrealm a, b;
        uint64_t rec;
        setup_realm(h, &a, &rec);
        host_realm_new(h, &b);
        host_rtts_l3(h, &b, 0);
        host_init_ripas(h, &b, 0, H_RAM_TOP);
        uint64_t pb = host_data_create(h, &b, 0x2000, 0x11, RMI_NO_MEASURE_CONTENT);
        struct rtt_walk w;
        rtt_walk(realm_of(h, &a), 0x5000, RTT_PAGE_LEVEL, &w);
        rtt_walk_entry(&w)->state = RMI_ASSIGNED;
        rtt_walk_entry(&w)->addr = pb;
        w.table->live++;
        expect_reported(h, "of another Realm");
}

static void rmm_invariants_report_num_recs_that_is_not_exact(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t rec;
        setup_realm(h, &r, &rec);
        realm_of(h, &r)->num_recs++;
        expect_reported(h, "counts 2 RECs, has 1");
}

static void rmm_invariants_report_rec_exit_field_its_reason_does_not_define(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t rec;
        setup_realm(h, &r, &rec);
        struct rec *c = granule_at(h->rmm, rec)->u.rec;
        c->exit.reason = RMI_EXIT_SYNC;
        c->exit.gprs[3] = 0xDEAD; /* a data abort defines no GPR */
        expect_reported(h, "carries a field its exit reason does not define");
}

static void rmm_invariants_report_ripas_fields_on_host_call_exit(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t rec;
        setup_realm(h, &r, &rec);
        struct rec *c = granule_at(h->rmm, rec)->u.rec;
        c->exit.reason = RMI_EXIT_HOST_CALL;
        c->exit.gprs[30] = 1; /* defined for a host call */
        assert_true(rmm_check_invariants(h->rmm));
        c->exit.ripas_top = 0x1000; /* not defined for a host call */
        expect_reported(h, "HOST_CALL");
}

/* ---- device memory (rmi_dev_mem.c): entries and the window's record agree ---- */

#define DEV_WIN 0x40000000ULL

static bool no_device(void *ctx, uint64_t pa, unsigned size, bool write, uint64_t *val)
{
        (void)ctx, (void)pa, (void)size, (void)write, (void)val;
        return false;
}

/* The level-3 entry of r at ipa (tables exist over [0, 2 MiB)). */
static struct rtte *entry_at(struct host *h, const struct hrealm *r, uint64_t ipa, struct rtt_walk *w)
{
        rtt_walk(realm_of(h, r), ipa, RTT_PAGE_LEVEL, w);
        assert_int_equal(w->level, RTT_PAGE_LEVEL);
        return rtt_walk_entry(w);
}

/* An ASSIGNED_DEV entry at IPA 0x100000 of r mapping the window's first granule. */
static struct rtte *dev_entry(struct host *h, const struct hrealm *r, uint8_t ripas)
{
        struct rtt_walk w;
        struct rtte *e = entry_at(h, r, 0x100000, &w);
        e->state = RMI_ASSIGNED_DEV;
        e->ripas = ripas;
        e->addr = DEV_WIN;
        w.table->live++;
        return e;
}

static void rmm_invariants_report_device_entry_the_window_does_not_record(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t rec;
        assert_true(rmm_platform_dev_mem(h->rmm, DEV_WIN, 0x4000, no_device, NULL));
        setup_realm(h, &r, &rec);
        (void)dev_entry(h, &r, RMI_DEV);
        expect_reported(h, "recorded for no Realm");
}

static void rmm_invariants_report_device_entry_outside_the_window(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t rec;
        setup_realm(h, &r, &rec); /* no window at all */
        (void)dev_entry(h, &r, RMI_EMPTY);
        expect_reported(h, "outside the device window");
}

static void rmm_invariants_report_device_entry_with_ripas_ram(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t rec;
        assert_true(rmm_platform_dev_mem(h->rmm, DEV_WIN, 0x4000, no_device, NULL));
        setup_realm(h, &r, &rec);
        (void)dev_entry(h, &r, RMI_RAM);
        expect_reported(h, "ASSIGNED_DEV entry at IPA 0x100000 level 3 RIPAS RAM");
}

static void rmm_invariants_report_device_record_no_entry_maps(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t rec;
        assert_true(rmm_platform_dev_mem(h->rmm, DEV_WIN, 0x4000, no_device, NULL));
        setup_realm(h, &r, &rec);
        *dev_mem_gran(h->rmm, DEV_WIN + 0x1000) =
                (struct dev_gran){ .realm = realm_of(h, &r), .rd = r.rd, .ipa = 0x100000 };
        expect_reported(h, "which does not map it");
}

static void rmm_invariants_report_ripas_dev_on_ram(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t rec;
        struct rtt_walk w;
        setup_realm(h, &r, &rec);
        entry_at(h, &r, 0x1000, &w)->ripas = RMI_DEV; /* a DATA page */
        expect_reported(h, "maps RAM with RIPAS DEV");
}

static void rmm_invariants_report_ripas_dev_on_unassigned_entry(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t rec;
        struct rtt_walk w;
        setup_realm(h, &r, &rec);
        entry_at(h, &r, 0x8000, &w)->ripas = RMI_DEV;
        expect_reported(h, "has RIPAS DEV");
}

static void rmm_invariants_report_dev_mem_fields_on_another_exit(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        uint64_t rec;
        setup_realm(h, &r, &rec);
        struct rec *c = granule_at(h->rmm, rec)->u.rec;
        c->exit.reason = RMI_EXIT_VDEV_VALIDATE_MAPPING;
        c->exit.vdev_id = 7;
        c->exit.dev_mem_base = 0x100000;
        c->exit.dev_mem_top = 0x104000;
        c->exit.dev_mem_pa = DEV_WIN;
        assert_true(rmm_check_invariants(h->rmm)); /* all defined for a validation */
        c->exit.reason = RMI_EXIT_VDEV_REQUEST;
        c->exit.dev_mem_base = c->exit.dev_mem_top = 0;
        expect_reported(h, "VDEV_REQUEST");    /* dev_mem_pa is not defined for a VDEV request */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(rmm_invariants_hold_for_new_machine_and_built_realm),
                T(rmm_invariants_report_device_entry_the_window_does_not_record),
                T(rmm_invariants_report_device_entry_outside_the_window),
                T(rmm_invariants_report_device_entry_with_ripas_ram),
                T(rmm_invariants_report_device_record_no_entry_maps),
                T(rmm_invariants_report_ripas_dev_on_ram),
                T(rmm_invariants_report_ripas_dev_on_unassigned_entry),
                T(rmm_invariants_report_dev_mem_fields_on_another_exit),
                T(rmm_invariants_report_delegated_granule_that_is_not_zero),
                T(rmm_invariants_report_data_granule_whose_pas_is_not_realm),
                T(rmm_invariants_report_realm_pas_granule_the_rmm_does_not_track),
                T(rmm_invariants_allow_undelegated_secure_and_root_granules),
                T(rmm_invariants_report_ownership_tag_that_disagrees_with_rmm),
                T(rmm_invariants_report_rtt_live_count_that_is_not_exact),
                T(rmm_invariants_report_data_granule_mapped_twice),
                T(rmm_invariants_report_entry_mapping_granule_of_another_realm),
                T(rmm_invariants_report_num_recs_that_is_not_exact),
                T(rmm_invariants_report_rec_exit_field_its_reason_does_not_define),
                T(rmm_invariants_report_ripas_fields_on_host_call_exit),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
