/* src/realm/cmdline.c: the Realm kernel's command line. Its numbers go through the one
 * strict parser (include/ccada/parse.h), so a value the host edits into the boot image is
 * refused rather than read in part. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "realm/cmdline.h"

#define CMDLINE "console=pl011,mmio,0x1c090000 swiotlb=2048 swiotlb.grow init=ccada-demo ccada.seed=7"

static void cmdline_flag_matches_whole_words_only(void **state)
{
        (void)state;
        assert_true(cmdline_flag(CMDLINE, "swiotlb.grow"));
        assert_false(cmdline_flag(CMDLINE, "swiotlb.backpressure"));
        assert_false(cmdline_flag(CMDLINE, "swiotlb")); /* a prefix of swiotlb=2048 and swiotlb.grow */
        assert_false(cmdline_flag(CMDLINE, "grow"));
        assert_true(cmdline_flag("  swiotlb.grow  ", "swiotlb.grow"));
        assert_false(cmdline_flag("", "swiotlb.grow"));
}

static void cmdline_param_returns_value_up_to_next_space(void **state)
{
        (void)state;
        const char *val;
        size_t len;
        assert_true(cmdline_param(CMDLINE, "swiotlb", &val, &len));
        assert_int_equal(len, 4);
        assert_memory_equal(val, "2048", 4);
        assert_true(cmdline_param(CMDLINE, "ccada.seed", &val, &len));
        assert_int_equal(len, 1);
        assert_memory_equal(val, "7", 1);
}

static void cmdline_param_ignores_names_that_merely_end_or_start_alike(void **state)
{
        (void)state;
        const char *val;
        size_t len;
        assert_false(cmdline_param("xccada.seed=5 ccada.seedling=6", "ccada.seed", &val, &len));
        assert_false(cmdline_param("swiotlb.grow", "swiotlb", &val, &len));
}

static void cmdline_param_last_occurrence_counts(void **state)
{
        (void)state;
        const char *val;
        size_t len;
        assert_true(cmdline_param("swiotlb=1 swiotlb=4096", "swiotlb", &val, &len));
        assert_int_equal(len, 4);
        assert_memory_equal(val, "4096", 4);
}

static void cmdline_u64_parses_value_strictly(void **state)
{
        (void)state;
        enum ccada_number_error why;
        uint64_t v = 99;
        assert_true(cmdline_u64(CMDLINE, "swiotlb", &v, &why));
        assert_int_equal(why, CCADA_NUMBER_OK);
        assert_int_equal(v, 2048);
        assert_true(cmdline_u64("ccada.seed=0x10", "ccada.seed", &v, &why));
        assert_int_equal(why, CCADA_NUMBER_OK);
        assert_int_equal(v, 16);
}

static void cmdline_u64_refuses_malformed_values_and_leaves_output(void **state)
{
        (void)state;
        static const struct {
                const char *cmdline;
                enum ccada_number_error why;
        } bad[] = {
                { "swiotlb=-1", CCADA_NUMBER_SIGN },
                { "swiotlb=+2048", CCADA_NUMBER_SIGN },
                { "swiotlb=", CCADA_NUMBER_EMPTY },
                { "swiotlb=0x", CCADA_NUMBER_NO_DIGITS },
                { "swiotlb=2048,force", CCADA_NUMBER_NOT_A_DIGIT }, /* was read as 2048 */
                { "swiotlb=4M", CCADA_NUMBER_NOT_A_DIGIT },         /* slots, not bytes */
                { "swiotlb=010", CCADA_NUMBER_LEADING_ZERO },
                { "swiotlb=99999999999999999999", CCADA_NUMBER_OVERFLOW }, /* was cut at 2^40 */
                { "ccada.seed=18446744073709551616", CCADA_NUMBER_OVERFLOW }, /* was wrapped */
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                const char *name = strncmp(bad[i].cmdline, "swiotlb", 7) ? "ccada.seed" : "swiotlb";
                enum ccada_number_error why = CCADA_NUMBER_OK;
                uint64_t v = 99;
                assert_true(cmdline_u64(bad[i].cmdline, name, &v, &why));
                if (why != bad[i].why)
                        fail_msg("'%s': %s, expected %s", bad[i].cmdline, ccada_number_error_name(why),
                                 ccada_number_error_name(bad[i].why));
                assert_int_equal(v, 99);
        }
}

static void cmdline_u64_absent_parameter_returns_false(void **state)
{
        (void)state;
        enum ccada_number_error why = CCADA_NUMBER_OVERFLOW;
        uint64_t v = 99;
        assert_false(cmdline_u64("console=pl011 swiotlb.grow", "swiotlb", &v, &why));
        assert_int_equal(v, 99);
        assert_int_equal(why, CCADA_NUMBER_OVERFLOW);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(cmdline_flag_matches_whole_words_only),
                cmocka_unit_test(cmdline_param_returns_value_up_to_next_space),
                cmocka_unit_test(cmdline_param_ignores_names_that_merely_end_or_start_alike),
                cmocka_unit_test(cmdline_param_last_occurrence_counts),
                cmocka_unit_test(cmdline_u64_parses_value_strictly),
                cmocka_unit_test(cmdline_u64_refuses_malformed_values_and_leaves_output),
                cmocka_unit_test(cmdline_u64_absent_parameter_returns_false),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
