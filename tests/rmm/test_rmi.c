/* RMI_VERSION, RMI_FEATURES and the dispatcher. DEN0137 1.0 B4.3.23, B4.3.9, SMCCC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rmm_harness.h"

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

/* DEN0137 1.0 B4.3.9: feature register 0 */
static void rmi_features_register_0_reports_s2sz_and_hash_algorithms(void **state)
{
        struct host *h = *state;
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_FEATURES, 0, 0, 0, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1] & 0xFF, 48);
        assert_true(out.x[1] & RMI_FEATURE_REGISTER_0_HASH_SHA_256);
        assert_true(out.x[1] & RMI_FEATURE_REGISTER_0_HASH_SHA_512);
        assert_false(out.x[1] & RMI_FEATURE_REGISTER_0_LPA2);
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
                cmocka_unit_test_setup_teardown(rmi_features_register_0_reports_s2sz_and_hash_algorithms, host_setup, host_teardown),
                cmocka_unit_test(rmi_features_register_0_follows_config),
                cmocka_unit_test_setup_teardown(rmi_features_other_index_reads_zero, host_setup, host_teardown),
                cmocka_unit_test_setup_teardown(rmi_unknown_fid_returns_smccc_not_supported, host_setup, host_teardown),
                cmocka_unit_test_setup_teardown(rmi_every_defined_command_but_rtt_fold_has_a_handler, host_setup,
                                                host_teardown),
                cmocka_unit_test_setup_teardown(rmi_results_do_not_echo_arguments, host_setup, host_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
