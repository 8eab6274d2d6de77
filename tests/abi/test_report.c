/* src/abi/report.c and its JSON form (src/machine/report_print.c): the generic report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/report.h"

static struct ccada_report *new_report(void)
{
        struct ccada_report *r;
        assert_int_equal(ccada_report_create(&r), CCADA_OK);
        return r;
}

static void report_keeps_sections_and_items_in_the_order_they_were_made(void **state)
{
        struct ccada_report *r = new_report();
        (void)state;
        ccada_report_u64(ccada_report_section(r, "swiotlb"), "nslabs", 2048);
        ccada_report_text(ccada_report_section(r, ""), "vm", "realm");
        ccada_report_u64(ccada_report_section(r, "swiotlb"), "bounces", 33);
        assert_int_equal(ccada_report_nsections(r), 2);
        assert_string_equal(ccada_report_section_name(r, 0), ""); /* the top level comes first */
        assert_string_equal(ccada_report_section_name(r, 1), "swiotlb");
        const char *key;
        struct ccada_report_value v;
        assert_true(ccada_report_item(r, 1, 1, &key, &v));
        assert_string_equal(key, "bounces");
        assert_int_equal(v.type, CCADA_REPORT_U64);
        assert_int_equal(v.u, 33);
        assert_false(ccada_report_item(r, 1, 2, &key, &v));
        assert_false(ccada_report_item(r, 2, 0, &key, &v));
        ccada_report_destroy(r);
}

static void report_setting_a_key_again_replaces_it_where_it_stands(void **state)
{
        struct ccada_report *r = new_report();
        struct ccada_report_section *s = ccada_report_section(r, "blk");
        struct ccada_report_value v;
        const char *key;
        (void)state;
        ccada_report_text(s, "state", "probing");
        ccada_report_bool(s, "present", true);
        ccada_report_u64(s, "state", 7); /* another type, same place */
        assert_int_equal(ccada_report_nitems(r, 1), 2);
        assert_true(ccada_report_item(r, 1, 0, &key, &v));
        assert_string_equal(key, "state");
        assert_int_equal(v.type, CCADA_REPORT_U64);
        assert_int_equal(v.u, 7);
        ccada_report_destroy(r);
}

static void report_hex_is_lower_case_two_digits_per_byte(void **state)
{
        struct ccada_report *r = new_report();
        struct ccada_report_value v;
        static const uint8_t rim[] = { 0x00, 0x0f, 0xa0, 0xff };
        (void)state;
        ccada_report_hex(ccada_report_section(r, ""), "rim", rim, sizeof(rim));
        ccada_report_hex(ccada_report_section(r, ""), "none", rim, 0);
        assert_true(ccada_report_get(r, "", "rim", &v));
        assert_int_equal(v.type, CCADA_REPORT_HEX);
        assert_string_equal(v.text, "000fa0ff");
        assert_true(ccada_report_get(r, "", "none", &v));
        assert_string_equal(v.text, "");
        assert_false(ccada_report_get(r, "", "missing", &v));
        assert_false(ccada_report_get(r, "nosuch", "rim", &v));
        ccada_report_destroy(r);
}

static void report_passes_only_with_checks_all_true(void **state)
{
        struct ccada_report *r = new_report();
        (void)state;
        assert_false(ccada_report_passed(r)); /* nothing checked is not a pass */
        ccada_report_check(r, "booted", true);
        assert_true(ccada_report_passed(r));
        ccada_report_check(r, "blk_verified", false);
        assert_false(ccada_report_passed(r));
        ccada_report_check(r, "blk_verified", true); /* re-checked */
        assert_true(ccada_report_passed(r));
        ccada_report_destroy(r);
}

static void report_reserves_the_checks_section_and_ignores_a_null_section(void **state)
{
        struct ccada_report *r = new_report();
        (void)state;
        assert_null(ccada_report_section(r, "checks"));
        assert_null(ccada_report_section(r, NULL));
        assert_null(ccada_report_section(NULL, "x"));
        ccada_report_bool(NULL, "k", true); /* no-ops, no crash */
        ccada_report_u64(NULL, "k", 1);
        ccada_report_text(NULL, "k", "v");
        ccada_report_hex(NULL, "k", (const uint8_t *)"", 0);
        ccada_report_check(NULL, "k", true);
        assert_false(ccada_report_passed(NULL));
        assert_int_equal(ccada_report_nsections(r), 1);
        ccada_report_destroy(r);
        ccada_report_destroy(NULL);
}

static void report_merge_copies_sections_values_and_checks_replacing_same_keys(void **state)
{
        struct ccada_report *realm = new_report(), *board = new_report();
        struct ccada_report_value v;
        static const uint8_t rim[] = { 0xab, 0xcd };
        (void)state;
        ccada_report_hex(ccada_report_section(realm, ""), "rim", rim, sizeof(rim));
        ccada_report_text(ccada_report_section(realm, ""), "error", "from the realm");
        ccada_report_u64(ccada_report_section(realm, "blk"), "bytes_read", 4096);
        ccada_report_check(realm, "booted", true);
        ccada_report_check(board, "run_completed", true);
        ccada_report_text(ccada_report_section(board, ""), "error", "old");
        ccada_report_merge(board, realm);
        assert_true(ccada_report_get(board, "", "rim", &v));
        assert_int_equal(v.type, CCADA_REPORT_HEX);
        assert_string_equal(v.text, "abcd");
        assert_true(ccada_report_get(board, "", "error", &v));
        assert_string_equal(v.text, "from the realm");
        assert_true(ccada_report_get(board, "blk", "bytes_read", &v));
        assert_int_equal(v.u, 4096);
        assert_true(ccada_report_get(board, "checks", "booted", &v) && v.b);
        assert_true(ccada_report_passed(board));
        ccada_report_check(realm, "booted", false);
        ccada_report_merge(board, realm); /* a failed check carries over */
        assert_false(ccada_report_passed(board));
        ccada_report_destroy(realm);
        ccada_report_destroy(board);
}

static void report_json_puts_passed_first_then_the_top_then_sections(void **state)
{
        struct ccada_report *r = new_report();
        char *text = NULL;
        size_t len = 0;
        (void)state;
        ccada_report_u64(ccada_report_section(r, "exits"), "SYNC", 3);
        ccada_report_text(ccada_report_section(r, ""), "error", "disk \"a\"\n");
        ccada_report_check(r, "booted", true);
        ccada_report_bool(ccada_report_section(r, ""), "flag", false);
        FILE *f = open_memstream(&text, &len);
        assert_non_null(f);
        assert_true(ccada_report_print_json(r, f));
        assert_int_equal(fclose(f), 0);
        assert_string_equal(text, "{\n"
                                  "  \"passed\": true,\n"
                                  "  \"error\": \"disk \\\"a\\\"\\u000a\",\n"
                                  "  \"flag\": false,\n"
                                  "  \"exits\": {\n"
                                  "    \"SYNC\": 3\n"
                                  "  },\n"
                                  "  \"checks\": {\n"
                                  "    \"booted\": true\n"
                                  "  }\n"
                                  "}\n");
        free(text);
        ccada_report_destroy(r);
}

static void report_double_keeps_value_and_decimals_and_prints_them(void **state)
{
        struct ccada_report *r = new_report(), *copy = new_report();
        struct ccada_report_section *s = ccada_report_section(r, "bench");
        struct ccada_report_value v;
        char *text = NULL;
        size_t len = 0;
        (void)state;
        ccada_report_double(s, "ns", 2712.34, 1);
        ccada_report_double(s, "iops", 181234.6, 0);
        ccada_report_double(s, "ratio", NAN, 2);
        ccada_report_double(s, "wide", 0.5, 40); /* decimals capped at 17 */
        assert_true(ccada_report_get(r, "bench", "ns", &v));
        assert_int_equal(v.type, CCADA_REPORT_DOUBLE);
        assert_true(v.d == 2712.34);
        assert_int_equal(v.decimals, 1);
        assert_true(ccada_report_get(r, "bench", "wide", &v));
        assert_int_equal(v.decimals, 17);
        ccada_report_merge(copy, r);
        assert_true(ccada_report_get(copy, "bench", "iops", &v));
        assert_true(v.type == CCADA_REPORT_DOUBLE && v.d == 181234.6 && v.decimals == 0);
        FILE *f = open_memstream(&text, &len);
        assert_non_null(f);
        assert_true(ccada_report_print_json(copy, f));
        assert_int_equal(fclose(f), 0);
        assert_non_null(strstr(text, "\"ns\": 2712.3,\n"));
        assert_non_null(strstr(text, "\"iops\": 181235,\n"));
        assert_non_null(strstr(text, "\"ratio\": null,\n"));
        free(text);
        f = open_memstream(&text, &len);
        assert_non_null(f);
        assert_true(ccada_report_print_text(copy, f));
        assert_int_equal(fclose(f), 0);
        assert_non_null(strstr(text, "  ns                           2712.3\n"));
        assert_non_null(strstr(text, "  ratio                        -\n"));
        free(text);
        ccada_report_double(NULL, "k", 1.0, 1); /* a NULL section: no-op */
        ccada_report_destroy(copy);
        ccada_report_destroy(r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(report_keeps_sections_and_items_in_the_order_they_were_made),
                cmocka_unit_test(report_setting_a_key_again_replaces_it_where_it_stands),
                cmocka_unit_test(report_hex_is_lower_case_two_digits_per_byte),
                cmocka_unit_test(report_passes_only_with_checks_all_true),
                cmocka_unit_test(report_reserves_the_checks_section_and_ignores_a_null_section),
                cmocka_unit_test(report_merge_copies_sections_values_and_checks_replacing_same_keys),
                cmocka_unit_test(report_json_puts_passed_first_then_the_top_then_sections),
                cmocka_unit_test(report_double_keeps_value_and_decimals_and_prints_them),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
