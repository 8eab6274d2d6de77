/* RMI_VERSION, RMI_FEATURES and the dispatcher. DEN0137 1.0 B4.3.23, B4.3.4, SMCCC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rmm_harness.h"

#define T(fn) cmocka_unit_test_setup_teardown(fn, host_setup, host_teardown)

/* DEN0137 1.0 B4.3.23 */
static void rmi_version_1_0_succeeds_reporting_1_0(void **state)
{
        struct host *h = *state;
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_VERSION, RMI_ABI_VERSION_1_0, 0, 0, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], RMI_ABI_VERSION(1, 0));
        assert_int_equal(out.x[2], RMI_ABI_VERSION(1, 0));
}

static void rmi_version_higher_request_fails_error_input_reporting_1_0(void **state)
{
        struct host *h = *state;
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_VERSION, RMI_ABI_VERSION(2, 0), 0, 0, 0, 0, &out), RMI_ERROR_INPUT);
        assert_int_equal(out.x[1], RMI_ABI_VERSION_1_0);
        assert_int_equal(out.x[2], RMI_ABI_VERSION_1_0);
        assert_int_equal(rmi(h, RMI_VERSION, RMI_ABI_VERSION(1, 1), 0, 0, 0, 0, &out), RMI_ERROR_INPUT);
        assert_int_equal(out.x[1], RMI_ABI_VERSION_1_0);
        assert_int_equal(out.x[2], RMI_ABI_VERSION_1_0);
}

static void rmi_version_lower_request_fails_error_input_reporting_1_0(void **state)
{
        struct host *h = *state;
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_VERSION, RMI_ABI_VERSION(0, 9), 0, 0, 0, 0, &out), RMI_ERROR_INPUT);
        assert_int_equal(out.x[1], RMI_ABI_VERSION_1_0);
        assert_int_equal(out.x[2], RMI_ABI_VERSION_1_0);
}

/* DEN0137 1.0 B4.3.4, B4.4.6: feature register 0 carries the fields TF-RMM 1.0 fills, with
 * the values docs/specs.md documents. */
static uint64_t feature_register_0(struct host *h)
{
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_FEATURES, 0, 0, 0, 0, 0, &out), RMI_SUCCESS);
        return out.x[1];
}

static void rmi_features_register_0_reports_s2sz_and_both_hash_algorithms(void **state)
{
        uint64_t v = feature_register_0(*state);
        assert_int_equal(RMI_FEATURE_FIELD(v, S2SZ), 48);
        assert_true(v & RMI_FEATURE_REGISTER_0_HASH_SHA_256);
        assert_true(v & RMI_FEATURE_REGISTER_0_HASH_SHA_512);
}

/* The modelled PE has neither FEAT_LPA2 nor SVE: TF-RMM 1.0 reports both as absent there. */
static void rmi_features_register_0_reports_no_lpa2_and_no_sve(void **state)
{
        uint64_t v = feature_register_0(*state);
        assert_false(v & RMI_FEATURE_REGISTER_0_LPA2);
        assert_false(v & RMI_FEATURE_REGISTER_0_SVE_EN);
        assert_int_equal(RMI_FEATURE_FIELD(v, SVE_VL), 0);
}

/* NUM_BPS, NUM_WPS: counts minus one, 0 reserved; two of each, the least a PE has. */
static void rmi_features_register_0_reports_two_breakpoints_and_watchpoints_minus_one(void **state)
{
        uint64_t v = feature_register_0(*state);
        assert_int_equal(RMI_FEATURE_FIELD(v, NUM_BPS), 1);
        assert_int_equal(RMI_FEATURE_FIELD(v, NUM_WPS), 1);
}

/* PMU_EN always (as TF-RMM 1.0), PMU_NUM_CTRS the count itself. */
static void rmi_features_register_0_reports_pmu_with_one_counter(void **state)
{
        uint64_t v = feature_register_0(*state);
        assert_true(v & RMI_FEATURE_REGISTER_0_PMU_EN);
        assert_int_equal(RMI_FEATURE_FIELD(v, PMU_NUM_CTRS), 1);
}

/* GICV3_NUM_LRS: minus one; REC_ENTER takes all 16 list registers of RmiRecEntry. */
static void rmi_features_register_0_reports_sixteen_gicv3_list_registers_minus_one(void **state)
{
        uint64_t v = feature_register_0(*state);
        assert_int_equal(RMI_FEATURE_FIELD(v, GICV3_NUM_LRS), RMI_GICV3_NUM_LRS - 1);
}

/* MAX_RECS_ORDER: up to 2^order - 1 RECs per Realm (REC_CREATE num_recs); 10 as TF-RMM. */
static void rmi_features_register_0_reports_max_recs_order_10(void **state)
{
        uint64_t v = feature_register_0(*state);
        assert_int_equal(RMI_FEATURE_FIELD(v, MAX_RECS_ORDER), 10);
        assert_int_equal(v >> 42, 0); /* bits 63:42 are not defined in 1.0 */
}

static void rmi_features_register_0_follows_config(void **state)
{
        struct host h;
        struct rmm_config cfg;
        struct smc_regs out;
        rmm_config_default(&cfg);
        cfg.max_s2sz = 44;
        cfg.sha512 = false;
        host_init_cfg(&h, &cfg);
        assert_int_equal(rmi(&h, RMI_FEATURES, 0, 0, 0, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1] & 0xFF, 44);
        assert_true(out.x[1] & RMI_FEATURE_REGISTER_0_HASH_SHA_256);
        assert_false(out.x[1] & RMI_FEATURE_REGISTER_0_HASH_SHA_512);
        host_fini(&h);
}

static void rmi_features_other_index_reads_zero(void **state)
{
        struct host *h = *state;
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_FEATURES, 1, 0, 0, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], 0);
        assert_int_equal(rmi(h, RMI_FEATURES, UINT64_MAX, 0, 0, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], 0);
}

/* SMCCC: an unimplemented function ID returns NOT_SUPPORTED (-1). */
static void rmi_unknown_fid_returns_smccc_not_supported(void **state)
{
        struct host *h = *state;
        assert_int_equal(rmi(h, RMI_FID(0x160), 0, 0, 0, 0, 0, NULL), SMCCC_RET_NOT_SUPPORTED);
        assert_int_equal(rmi(h, RMI_FID(0x16A), 0, 0, 0, 0, 0, NULL), SMCCC_RET_NOT_SUPPORTED);
        assert_int_equal(rmi(h, RMI_RTT_FOLD, 0, 0, 0, 0, 0, NULL), SMCCC_RET_NOT_SUPPORTED);
        assert_int_equal(rmi(h, RSI_VERSION, RSI_ABI_VERSION_1_0, 0, 0, 0, 0, NULL), SMCCC_RET_NOT_SUPPORTED);
}

/* Results are written into cleared registers: arguments never echo back as results. */
/* Every command DEN0137 1.0 defines reaches a handler, except RTT_FOLD (not modelled): with
 * all-zero arguments each fails its own validation rather than being NOT_SUPPORTED. The
 * IDs between and around them are NOT_SUPPORTED. */
static void rmi_every_defined_command_but_rtt_fold_has_a_handler(void **state)
{
        struct host *h = *state;
        static const uint64_t defined[] = {
                RMI_VERSION, RMI_GRANULE_DELEGATE, RMI_GRANULE_UNDELEGATE, RMI_DATA_CREATE,
                RMI_DATA_CREATE_UNKNOWN, RMI_DATA_DESTROY, RMI_REALM_ACTIVATE, RMI_REALM_CREATE,
                RMI_REALM_DESTROY, RMI_REC_CREATE, RMI_REC_DESTROY, RMI_REC_ENTER, RMI_RTT_CREATE,
                RMI_RTT_DESTROY, RMI_RTT_MAP_UNPROTECTED, RMI_RTT_READ_ENTRY, RMI_RTT_UNMAP_UNPROTECTED,
                RMI_PSCI_COMPLETE, RMI_FEATURES, RMI_REC_AUX_COUNT, RMI_RTT_INIT_RIPAS, RMI_RTT_SET_RIPAS,
        };
        for (size_t i = 0; i < sizeof(defined) / sizeof(defined[0]); i++)
                assert_int_not_equal(rmi(h, defined[i], 0, 0, 0, 0, 0, NULL), SMCCC_RET_NOT_SUPPORTED);
        static const uint64_t undefined[] = { RMI_FID(0x14F), RMI_FID(0x156), RMI_FID(0x160), RMI_FID(0x163),
                                              RMI_RTT_FOLD, RMI_FID(0x16A), RMI_FID(0x1FF) };
        for (size_t i = 0; i < sizeof(undefined) / sizeof(undefined[0]); i++)
                assert_int_equal(rmi(h, undefined[i], 0, 0, 0, 0, 0, NULL), SMCCC_RET_NOT_SUPPORTED);
}

static void rmi_results_do_not_echo_arguments(void **state)
{
        struct host *h = *state;
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_GRANULE_DELEGATE, 1, 0x1111, 0x2222, 0x3333, 0x4444, &out),
                         RMI_ERROR_INPUT);
        for (unsigned i = 1; i < SMC_NREGS; i++)
                assert_int_equal(out.x[i], 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(rmi_version_1_0_succeeds_reporting_1_0, host_setup, host_teardown),
                cmocka_unit_test_setup_teardown(rmi_version_higher_request_fails_error_input_reporting_1_0, host_setup, host_teardown),
                cmocka_unit_test_setup_teardown(rmi_version_lower_request_fails_error_input_reporting_1_0, host_setup, host_teardown),
                T(rmi_features_register_0_reports_s2sz_and_both_hash_algorithms),
                T(rmi_features_register_0_reports_no_lpa2_and_no_sve),
                T(rmi_features_register_0_reports_two_breakpoints_and_watchpoints_minus_one),
                T(rmi_features_register_0_reports_pmu_with_one_counter),
                T(rmi_features_register_0_reports_sixteen_gicv3_list_registers_minus_one),
                T(rmi_features_register_0_reports_max_recs_order_10),
                cmocka_unit_test(rmi_features_register_0_follows_config),
                cmocka_unit_test_setup_teardown(rmi_features_other_index_reads_zero, host_setup, host_teardown),
                cmocka_unit_test_setup_teardown(rmi_unknown_fid_returns_smccc_not_supported, host_setup, host_teardown),
                cmocka_unit_test_setup_teardown(rmi_every_defined_command_but_rtt_fold_has_a_handler, host_setup,
                                                host_teardown),
                cmocka_unit_test_setup_teardown(rmi_results_do_not_echo_arguments, host_setup, host_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
