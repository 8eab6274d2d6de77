/* RMI_REALM_CREATE / RMI_REALM_ACTIVATE / RMI_REALM_DESTROY. DEN0137 1.0 B4.3.9, B4.3.8,
 * B4.3.10; what REALM_CREATE accepts is what RMI_FEATURES offers (A3.1, B4.4.6).
 * A refused REALM_CREATE changes no granule: the RD and RTT candidates stay DELEGATED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rmm_harness.h"

#define T(fn) cmocka_unit_test_setup_teardown(fn, host_setup, host_teardown)

struct create_try {
        uint64_t rd;
        uint64_t rtt;
        struct rmi_realm_params p;
};

/* Delegated RD + two contiguous delegated RTTs, default params pointing at them. */
static void try_prepare(struct host *h, struct create_try *t)
{
        t->rd = host_delegated(h);
        t->rtt = host_delegated_n(h, 2);
        hrealm_params_default(h, &t->p);
        t->p.rtt_base = t->rtt;
}

static uint64_t try_create(struct host *h, struct create_try *t)
{
        uint64_t params = host_write_realm_params(h, &t->p);
        return rmi(h, RMI_REALM_CREATE, t->rd, params, 0, 0, 0, NULL);
}

/* The refused create left every granule DELEGATED. */
static void assert_nothing_changed(struct host *h, const struct create_try *t)
{
        assert_undelegate_ok(h, t->rd);
        assert_undelegate_ok(h, t->rtt);
        assert_undelegate_ok(h, t->rtt + GRANULE_SIZE);
}

static void assert_create_rejected(struct host *h, struct create_try *t)
{
        assert_int_equal(try_create(h, t), RMI_ERROR_INPUT);
        assert_nothing_changed(h, t);
}

/* ---- params_align, params_bound, params_pas ---- */

static void rmi_realm_create_rejects_unaligned_params(void **state)
{
        struct host *h = *state;
        struct create_try t;
        try_prepare(h, &t);
        uint64_t params = host_write_realm_params(h, &t.p);
        assert_int_equal(rmi(h, RMI_REALM_CREATE, t.rd, params + 8, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_nothing_changed(h, &t);
}

static void rmi_realm_create_rejects_params_outside_memory(void **state)
{
        struct host *h = *state;
        struct create_try t;
        try_prepare(h, &t);
        assert_int_equal(rmi(h, RMI_REALM_CREATE, t.rd, H_MEM_END, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_nothing_changed(h, &t);
}

static void rmi_realm_create_rejects_delegated_params_page(void **state)
{
        struct host *h = *state;
        struct create_try t;
        try_prepare(h, &t);
        uint64_t params = host_write_realm_params(h, &t.p);
        assert_int_equal(rmi(h, RMI_GRANULE_DELEGATE, params, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(rmi(h, RMI_REALM_CREATE, t.rd, params, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_nothing_changed(h, &t);
}

/* ---- params_valid / params_supp ---- */

static void rmi_realm_create_rejects_s2sz_above_features(void **state)
{
        struct host *h = *state;
        struct create_try t;
        try_prepare(h, &t);
        t.p.s2sz = 49;
        t.p.rtt_level_start = 0;
        t.p.rtt_num_start = 2;
        assert_create_rejected(h, &t);
}

static void rmi_realm_create_rejects_s2sz_too_small(void **state)
{
        struct host *h = *state;
        struct create_try t;
        try_prepare(h, &t);
        t.p.s2sz = 31;
        t.p.rtt_level_start = 2;
        t.p.rtt_num_start = 2;
        assert_create_rejected(h, &t);
}

static void rmi_realm_create_rejects_unknown_hash_algo(void **state)
{
        struct host *h = *state;
        struct create_try t;
        try_prepare(h, &t);
        t.p.hash_algo = 2;
        assert_create_rejected(h, &t);
}

static void rmi_realm_create_rejects_sha512_when_not_offered(void **state)
{
        struct host h;
        struct create_try t;
        struct rmm_config cfg;
        rmm_config_default(&cfg);
        cfg.sha512 = false;
        host_init_cfg(&h, &cfg);
        try_prepare(&h, &t);
        t.p.hash_algo = RMI_HASH_SHA_512;
        assert_create_rejected(&h, &t);
        host_fini(&h);
}

static void rmi_realm_create_rejects_rtt_num_start_wrong_for_level(void **state)
{
        struct host *h = *state;
        struct create_try t;
        try_prepare(h, &t);
        t.p.rtt_num_start = 1; /* s2sz 40 at level 1 needs two tables */
        assert_create_rejected(h, &t);
        try_prepare(h, &t);
        t.p.rtt_num_start = 4;
        assert_create_rejected(h, &t);
}

static void rmi_realm_create_rejects_rtt_level_start_out_of_range(void **state)
{
        struct host *h = *state;
        struct create_try t;
        try_prepare(h, &t);
        t.p.rtt_level_start = -1;
        assert_create_rejected(h, &t);
        try_prepare(h, &t);
        t.p.rtt_level_start = 4;
        assert_create_rejected(h, &t);
        try_prepare(h, &t);
        t.p.rtt_level_start = 3; /* would need more than 16 concatenated tables */
        assert_create_rejected(h, &t);
}

/* RmiRealmFlags (B4.4.11): LPA2 and SVE are not offered (RMI_FEATURES), bits 63:3 SBZ. */
static void rmi_realm_create_rejects_unsupported_flags(void **state)
{
        struct host *h = *state;
        static const uint64_t bad[] = { RMI_REALM_FLAGS_LPA2, RMI_REALM_FLAGS_SVE, 1ULL << 3, 1ULL << 63 };
        for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct create_try t;
                try_prepare(h, &t);
                t.p.flags = bad[i];
                assert_create_rejected(h, &t);
        }
}

static uint64_t features(struct host *h)
{
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_FEATURES, 0, 0, 0, 0, 0, &out), RMI_SUCCESS);
        return out.x[1];
}

/* params_valid: num_bps and num_wps are counts minus one, and 0 is reserved (B4.4.12). */
static void rmi_realm_create_params_valid_rejects_reserved_zero_num_bps_and_num_wps(void **state)
{
        struct host *h = *state;
        struct create_try t;
        try_prepare(h, &t);
        t.p.num_bps = 0;
        assert_create_rejected(h, &t);
        try_prepare(h, &t);
        t.p.num_wps = 0;
        assert_create_rejected(h, &t);
}

/* params_supp (A3.1.4): no more breakpoints or watchpoints than RMI_FEATURES offers, in the
 * same "minus one" encoding; exactly what it offers is accepted. */
static void rmi_realm_create_params_supp_accepts_debug_counts_up_to_features(void **state)
{
        struct host *h = *state;
        struct create_try t;
        uint64_t feat = features(h);
        try_prepare(h, &t);
        t.p.num_bps = (unsigned)RMI_FEATURE_FIELD(feat, NUM_BPS) + 1;
        assert_create_rejected(h, &t);
        try_prepare(h, &t);
        t.p.num_wps = (unsigned)RMI_FEATURE_FIELD(feat, NUM_WPS) + 1;
        assert_create_rejected(h, &t);
        try_prepare(h, &t);
        t.p.num_bps = (unsigned)RMI_FEATURE_FIELD(feat, NUM_BPS);
        t.p.num_wps = (unsigned)RMI_FEATURE_FIELD(feat, NUM_WPS);
        assert_int_equal(try_create(h, &t), RMI_SUCCESS);
}

/* params_supp (A3.1.5): the PMU is offered; a Realm may have 1..PMU_NUM_CTRS counters (none
 * would need FEAT_HPMN0). */
static void rmi_realm_create_params_supp_accepts_pmu_with_offered_counters(void **state)
{
        struct host *h = *state;
        struct create_try t;
        uint64_t feat = features(h);
        assert_true(feat & RMI_FEATURE_REGISTER_0_PMU_EN);
        try_prepare(h, &t);
        t.p.flags = RMI_REALM_FLAGS_PMU;
        t.p.pmu_num_ctrs = (unsigned)RMI_FEATURE_FIELD(feat, PMU_NUM_CTRS) + 1;
        assert_create_rejected(h, &t);
        try_prepare(h, &t);
        t.p.flags = RMI_REALM_FLAGS_PMU;
        t.p.pmu_num_ctrs = 0;
        assert_create_rejected(h, &t);
        try_prepare(h, &t);
        t.p.flags = RMI_REALM_FLAGS_PMU;
        t.p.pmu_num_ctrs = (unsigned)RMI_FEATURE_FIELD(feat, PMU_NUM_CTRS);
        assert_int_equal(try_create(h, &t), RMI_SUCCESS);
}

/* Without the PMU or SVE, pmu_num_ctrs and sve_vl are measured but not checked (TF-RMM 1.0
 * alike): a host setting them is not refused. */
static void rmi_realm_create_without_pmu_or_sve_does_not_check_their_parameters(void **state)
{
        struct host *h = *state;
        struct create_try t;
        try_prepare(h, &t);
        t.p.pmu_num_ctrs = 31;
        t.p.sve_vl = 15;
        assert_int_equal(try_create(h, &t), RMI_SUCCESS);
}

/* ---- rd_align, rd_bound, rd_state ---- */

static void rmi_realm_create_rejects_undelegated_rd(void **state)
{
        struct host *h = *state;
        struct create_try t;
        try_prepare(h, &t);
        uint64_t ns = host_alloc(h);
        uint64_t params = host_write_realm_params(h, &t.p);
        assert_int_equal(rmi(h, RMI_REALM_CREATE, ns, params, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(host_pas(h, ns), HW_PAS_NS);
        assert_nothing_changed(h, &t);
}

static void rmi_realm_create_rejects_unaligned_rd(void **state)
{
        struct host *h = *state;
        struct create_try t;
        try_prepare(h, &t);
        uint64_t params = host_write_realm_params(h, &t.p);
        assert_int_equal(rmi(h, RMI_REALM_CREATE, t.rd + 0x10, params, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_nothing_changed(h, &t);
}

static void rmi_realm_create_rejects_rd_already_an_rd(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct create_try t;
        host_realm_new(h, &r);
        try_prepare(h, &t);
        uint64_t params = host_write_realm_params(h, &t.p);
        assert_int_equal(rmi(h, RMI_REALM_CREATE, r.rd, params, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_nothing_changed(h, &t);
        assert_int_equal(rmi(h, RMI_REALM_ACTIVATE, r.rd, 0, 0, 0, 0, NULL), RMI_SUCCESS);
}

/* ---- rtt_align, rtt_state, alias ---- */

static void rmi_realm_create_rejects_unaligned_rtt_base(void **state)
{
        struct host *h = *state;
        struct create_try t;
        try_prepare(h, &t);
        t.p.rtt_base = t.rtt + 0x100;
        assert_create_rejected(h, &t);
}

static void rmi_realm_create_rejects_undelegated_rtt(void **state)
{
        struct host *h = *state;
        struct create_try t;
        t.rd = host_delegated(h);
        t.rtt = host_alloc_n(h, 2);
        hrealm_params_default(h, &t.p);
        t.p.rtt_base = t.rtt;
        assert_int_equal(try_create(h, &t), RMI_ERROR_INPUT);
        assert_undelegate_ok(h, t.rd);
        assert_int_equal(host_pas(h, t.rtt), HW_PAS_NS);
}

/* The second starting table is not delegated: the two are not contiguous delegated granules. */
static void rmi_realm_create_rejects_non_contiguous_rtts(void **state)
{
        struct host *h = *state;
        struct create_try t;
        t.rd = host_delegated(h);
        t.rtt = host_delegated(h);
        uint64_t gap = host_alloc(h);
        (void)host_delegated(h);
        hrealm_params_default(h, &t.p);
        t.p.rtt_base = t.rtt;
        assert_int_equal(try_create(h, &t), RMI_ERROR_INPUT);
        assert_undelegate_ok(h, t.rd);
        assert_undelegate_ok(h, t.rtt);
        assert_int_equal(host_pas(h, gap), HW_PAS_NS);
}

static void rmi_realm_create_rejects_rtt_in_use_by_another_realm(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct create_try t;
        host_realm_new(h, &r);
        try_prepare(h, &t);
        t.p.rtt_base = r.rtt_base;
        assert_int_equal(try_create(h, &t), RMI_ERROR_INPUT);
        assert_nothing_changed(h, &t);
        assert_undelegate_fails(h, r.rtt_base);
}

static void rmi_realm_create_rejects_rd_aliasing_an_rtt(void **state)
{
        struct host *h = *state;
        struct create_try t;
        try_prepare(h, &t);
        t.rd = t.rtt + GRANULE_SIZE; /* the second starting table */
        assert_int_equal(try_create(h, &t), RMI_ERROR_INPUT);
        assert_undelegate_ok(h, t.rtt);
        assert_undelegate_ok(h, t.rtt + GRANULE_SIZE);
}

/* ---- vmid_valid ---- */

static void rmi_realm_create_rejects_vmid_in_use(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct create_try t;
        host_realm_new(h, &r);
        try_prepare(h, &t);
        t.p.vmid = r.vmid;
        assert_create_rejected(h, &t);
}

/* ---- success ---- */

static void rmi_realm_create_makes_rd_and_rtt_granules_busy(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct smc_regs out;
        host_realm_new(h, &r);
        assert_undelegate_fails(h, r.rd);
        assert_undelegate_fails(h, r.rtt_base);
        assert_undelegate_fails(h, r.rtt_base + GRANULE_SIZE);
        /* Both starting tables serve the walk: IPA 0 and IPA 512 GiB (second table). */
        assert_int_equal(rmi(h, RMI_RTT_READ_ENTRY, r.rd, 0, 1, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], 1);
        assert_int_equal(out.x[2], RMI_UNASSIGNED);
        assert_int_equal(out.x[4], RMI_EMPTY);
        assert_int_equal(rmi(h, RMI_RTT_READ_ENTRY, r.rd, H_UNPROT_BASE, 1, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], 1);
        assert_int_equal(out.x[2], RMI_UNASSIGNED);
}

static void rmi_realm_create_accepts_single_table_at_level_0(void **state)
{
        struct host *h = *state;
        struct create_try t;
        try_prepare(h, &t);
        t.p.rtt_level_start = 0;
        t.p.rtt_num_start = 1;
        assert_int_equal(try_create(h, &t), RMI_SUCCESS);
        assert_undelegate_fails(h, t.rtt);
        assert_undelegate_ok(h, t.rtt + GRANULE_SIZE); /* not used */
}

/* ---- REALM_ACTIVATE ---- */

static void rmi_realm_activate_rejects_granule_that_is_not_rd(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        assert_int_equal(rmi(h, RMI_REALM_ACTIVATE, r.rtt_base, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_REALM_ACTIVATE, host_delegated(h), 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_REALM_ACTIVATE, r.rd + 8, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        /* still NEW: a REC can be created */
        (void)host_rec_create(h, &r, 0);
}

static void rmi_realm_activate_twice_fails_error_realm(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_activate(h, &r);
        assert_int_equal(rmi(h, RMI_REALM_ACTIVATE, r.rd, 0, 0, 0, 0, NULL), RMI_ERROR_REALM);
}

/* ---- REALM_DESTROY ---- */

static void rmi_realm_destroy_rejects_granule_that_is_not_rd(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        assert_int_equal(rmi(h, RMI_REALM_DESTROY, r.rtt_base, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_REALM_DESTROY, host_alloc(h), 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_undelegate_fails(h, r.rd);
}

static void rmi_realm_destroy_with_rec_fails_error_realm(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t rec = host_rec_create(h, &r, 0);
        assert_int_equal(rmi(h, RMI_REALM_DESTROY, r.rd, 0, 0, 0, 0, NULL), RMI_ERROR_REALM);
        assert_undelegate_fails(h, r.rd);
        assert_undelegate_fails(h, rec);
        assert_int_equal(rmi(h, RMI_REC_DESTROY, rec, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(rmi(h, RMI_REALM_DESTROY, r.rd, 0, 0, 0, 0, NULL), RMI_SUCCESS);
}

static void rmi_realm_destroy_with_rtt_fails_error_realm(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct smc_regs out;
        host_realm_new(h, &r);
        uint64_t rtt = host_rtt_create(h, &r, 0, 2);
        assert_int_equal(rmi(h, RMI_REALM_DESTROY, r.rd, 0, 0, 0, 0, NULL), RMI_ERROR_REALM);
        assert_undelegate_fails(h, r.rd);
        assert_undelegate_fails(h, rtt);
        assert_int_equal(rmi(h, RMI_RTT_DESTROY, r.rd, 0, 2, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], rtt);
        assert_int_equal(rmi(h, RMI_REALM_DESTROY, r.rd, 0, 0, 0, 0, NULL), RMI_SUCCESS);
}

static void rmi_realm_destroy_returns_granules_to_delegated(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        host_activate(h, &r);
        assert_int_equal(rmi(h, RMI_REALM_DESTROY, r.rd, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_true(root_granule_is(h, r.rd, 0));
        assert_undelegate_ok(h, r.rd);
        assert_undelegate_ok(h, r.rtt_base);
        assert_undelegate_ok(h, r.rtt_base + GRANULE_SIZE);
        assert_int_equal(rmi(h, RMI_REALM_DESTROY, r.rd, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
}

static void rmi_realm_destroy_frees_vmid_for_reuse(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct create_try t;
        host_realm_new(h, &r);
        assert_int_equal(rmi(h, RMI_REALM_DESTROY, r.rd, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        try_prepare(h, &t);
        t.p.vmid = r.vmid;
        assert_int_equal(try_create(h, &t), RMI_SUCCESS);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(rmi_realm_create_rejects_unaligned_params),
                T(rmi_realm_create_rejects_params_outside_memory),
                T(rmi_realm_create_rejects_delegated_params_page),
                T(rmi_realm_create_rejects_s2sz_above_features),
                T(rmi_realm_create_rejects_s2sz_too_small),
                T(rmi_realm_create_rejects_unknown_hash_algo),
                cmocka_unit_test(rmi_realm_create_rejects_sha512_when_not_offered),
                T(rmi_realm_create_rejects_rtt_num_start_wrong_for_level),
                T(rmi_realm_create_rejects_rtt_level_start_out_of_range),
                T(rmi_realm_create_rejects_unsupported_flags),
                T(rmi_realm_create_params_valid_rejects_reserved_zero_num_bps_and_num_wps),
                T(rmi_realm_create_params_supp_accepts_debug_counts_up_to_features),
                T(rmi_realm_create_params_supp_accepts_pmu_with_offered_counters),
                T(rmi_realm_create_without_pmu_or_sve_does_not_check_their_parameters),
                T(rmi_realm_create_rejects_undelegated_rd),
                T(rmi_realm_create_rejects_unaligned_rd),
                T(rmi_realm_create_rejects_rd_already_an_rd),
                T(rmi_realm_create_rejects_unaligned_rtt_base),
                T(rmi_realm_create_rejects_undelegated_rtt),
                T(rmi_realm_create_rejects_non_contiguous_rtts),
                T(rmi_realm_create_rejects_rtt_in_use_by_another_realm),
                T(rmi_realm_create_rejects_rd_aliasing_an_rtt),
                T(rmi_realm_create_rejects_vmid_in_use),
                T(rmi_realm_create_makes_rd_and_rtt_granules_busy),
                T(rmi_realm_create_accepts_single_table_at_level_0),
                T(rmi_realm_activate_rejects_granule_that_is_not_rd),
                T(rmi_realm_activate_twice_fails_error_realm),
                T(rmi_realm_destroy_rejects_granule_that_is_not_rd),
                T(rmi_realm_destroy_with_rec_fails_error_realm),
                T(rmi_realm_destroy_with_rtt_fails_error_realm),
                T(rmi_realm_destroy_returns_granules_to_delegated),
                T(rmi_realm_destroy_frees_vmid_for_reuse),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
