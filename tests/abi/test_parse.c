/* src/abi/parse.c: the one strict parser for numbers people type (include/ccada/parse.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ccada/parse.h"

#define SENTINEL 0x5A5A5A5A5A5A5A5Aull

/* Parses the C string s; checks the result and that *out is written exactly on success. */
static void expect_u64(const char *s, enum ccada_number_error want, uint64_t value)
{
        uint64_t v = SENTINEL;
        enum ccada_number_error e = ccada_parse_u64(s, strlen(s), &v);
        if (e != want)
                fail_msg("'%s': %s, expected %s", s, ccada_number_error_name(e), ccada_number_error_name(want));
        assert_int_equal(v, want == CCADA_NUMBER_OK ? value : SENTINEL);
}

static void expect_size(const char *s, enum ccada_number_error want, uint64_t value)
{
        uint64_t v = SENTINEL;
        enum ccada_number_error e = ccada_parse_size(s, strlen(s), &v);
        if (e != want)
                fail_msg("'%s': %s, expected %s", s, ccada_number_error_name(e), ccada_number_error_name(want));
        assert_int_equal(v, want == CCADA_NUMBER_OK ? value : SENTINEL);
}

static void parse_u64_accepts_decimal_and_hex(void **state)
{
        (void)state;
        expect_u64("0", CCADA_NUMBER_OK, 0);
        expect_u64("7", CCADA_NUMBER_OK, 7);
        expect_u64("4096", CCADA_NUMBER_OK, 4096);
        expect_u64("0x1000", CCADA_NUMBER_OK, 0x1000);
        expect_u64("0XfF", CCADA_NUMBER_OK, 0xff);
        expect_u64("0x0010", CCADA_NUMBER_OK, 0x10); /* zeros after 0x are not ambiguous */
        expect_u64("18446744073709551615", CCADA_NUMBER_OK, UINT64_MAX);
        expect_u64("0xffffffffffffffff", CCADA_NUMBER_OK, UINT64_MAX);
}

static void parse_u64_refuses_a_sign(void **state)
{
        (void)state;
        expect_u64("-1", CCADA_NUMBER_SIGN, 0); /* strtoull: 2^64 - 1 */
        expect_u64("+1", CCADA_NUMBER_SIGN, 0);
        expect_u64("-0", CCADA_NUMBER_SIGN, 0);
        expect_u64("0x-1", CCADA_NUMBER_SIGN, 0);
        expect_u64("1-", CCADA_NUMBER_SIGN, 0);
}

static void parse_u64_refuses_white_space_anywhere(void **state)
{
        (void)state;
        expect_u64(" -1", CCADA_NUMBER_SPACE, 0); /* strtoull skips it, then takes the sign */
        expect_u64(" 1", CCADA_NUMBER_SPACE, 0);
        expect_u64("1 ", CCADA_NUMBER_SPACE, 0);
        expect_u64("1 2", CCADA_NUMBER_SPACE, 0);
        expect_u64("\t1", CCADA_NUMBER_SPACE, 0);
        expect_u64("1\n", CCADA_NUMBER_SPACE, 0);
        expect_u64("0x 1", CCADA_NUMBER_SPACE, 0);
}

static void parse_u64_refuses_empty_and_prefix_without_digits(void **state)
{
        (void)state;
        expect_u64("", CCADA_NUMBER_EMPTY, 0);
        expect_u64("0x", CCADA_NUMBER_NO_DIGITS, 0);
        expect_u64("0X", CCADA_NUMBER_NO_DIGITS, 0);
        uint64_t v = SENTINEL;
        assert_int_equal(ccada_parse_u64(NULL, 0, &v), CCADA_NUMBER_EMPTY);
        assert_int_equal(v, SENTINEL);
}

static void parse_u64_refuses_leading_zero_octal_lookalike(void **state)
{
        (void)state;
        expect_u64("010", CCADA_NUMBER_LEADING_ZERO, 0); /* strtoull base 0: eight */
        expect_u64("00", CCADA_NUMBER_LEADING_ZERO, 0);
        expect_u64("09", CCADA_NUMBER_LEADING_ZERO, 0);
}

static void parse_u64_refuses_other_characters(void **state)
{
        (void)state;
        expect_u64("12abc", CCADA_NUMBER_NOT_A_DIGIT, 0);
        expect_u64("0x12g", CCADA_NUMBER_NOT_A_DIGIT, 0);
        expect_u64("1.5", CCADA_NUMBER_NOT_A_DIGIT, 0);
        expect_u64("x10", CCADA_NUMBER_NOT_A_DIGIT, 0);
        expect_u64("1e3", CCADA_NUMBER_NOT_A_DIGIT, 0);
        expect_u64("4K", CCADA_NUMBER_NOT_A_DIGIT, 0); /* suffixes are for sizes only */
        uint64_t v = SENTINEL;
        assert_int_equal(ccada_parse_u64("1\0" "2", 3, &v), CCADA_NUMBER_NOT_A_DIGIT);
        assert_int_equal(v, SENTINEL);
}

static void parse_u64_refuses_overflow(void **state)
{
        (void)state;
        expect_u64("18446744073709551616", CCADA_NUMBER_OVERFLOW, 0);
        expect_u64("99999999999999999999999", CCADA_NUMBER_OVERFLOW, 0);
        expect_u64("0x10000000000000000", CCADA_NUMBER_OVERFLOW, 0);
}

static void parse_u64_reads_only_len_bytes(void **state)
{
        (void)state;
        uint64_t v = SENTINEL;
        assert_int_equal(ccada_parse_u64("2048 swiotlb.grow", 4, &v), CCADA_NUMBER_OK);
        assert_int_equal(v, 2048);
}

static void parse_size_applies_binary_suffix(void **state)
{
        (void)state;
        expect_size("256K", CCADA_NUMBER_OK, 256u << 10);
        expect_size("4m", CCADA_NUMBER_OK, 4u << 20);
        expect_size("1G", CCADA_NUMBER_OK, 1u << 30);
        expect_size("0x10k", CCADA_NUMBER_OK, 16u << 10);
        expect_size("1048576", CCADA_NUMBER_OK, 1u << 20);
        expect_size("17179869183G", CCADA_NUMBER_OK, 17179869183ull << 30); /* 2^64 - 2^30 */
}

static void parse_size_refuses_what_parse_u64_refuses(void **state)
{
        (void)state;
        expect_size(" -1", CCADA_NUMBER_SPACE, 0);
        expect_size("-1", CCADA_NUMBER_SIGN, 0);
        expect_size("+1M", CCADA_NUMBER_SIGN, 0);
        expect_size(" 1", CCADA_NUMBER_SPACE, 0);
        expect_size("1 ", CCADA_NUMBER_SPACE, 0);
        expect_size("1 M", CCADA_NUMBER_SPACE, 0);
        expect_size("", CCADA_NUMBER_EMPTY, 0);
        expect_size("0x", CCADA_NUMBER_NO_DIGITS, 0);
        expect_size("018M", CCADA_NUMBER_LEADING_ZERO, 0);
        expect_size("18446744073709551616", CCADA_NUMBER_OVERFLOW, 0);
}

static void parse_size_refuses_bad_suffixes(void **state)
{
        (void)state;
        expect_size("M", CCADA_NUMBER_NO_DIGITS, 0);
        expect_size("0xM", CCADA_NUMBER_NO_DIGITS, 0);
        expect_size("4KK", CCADA_NUMBER_NOT_A_DIGIT, 0);
        expect_size("4T", CCADA_NUMBER_NOT_A_DIGIT, 0);
        expect_size("4MB", CCADA_NUMBER_NOT_A_DIGIT, 0);
        expect_size("4M ", CCADA_NUMBER_SPACE, 0);
        expect_size("17179869184G", CCADA_NUMBER_OVERFLOW, 0); /* 2^64 */
        expect_size("16777216T", CCADA_NUMBER_NOT_A_DIGIT, 0);
}

static void number_error_every_value_has_a_name_and_text(void **state)
{
        (void)state;
        for (int e = CCADA_NUMBER_OK; e <= CCADA_NUMBER_OVERFLOW; e++) {
                assert_string_not_equal(ccada_number_error_name((enum ccada_number_error)e), "CCADA_NUMBER_?");
                assert_string_not_equal(ccada_number_error_text((enum ccada_number_error)e), "?");
        }
        assert_string_equal(ccada_number_error_name(CCADA_NUMBER_SIGN), "CCADA_NUMBER_SIGN");
        assert_string_equal(ccada_number_error_text(CCADA_NUMBER_SPACE), "white space is not allowed");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(parse_u64_accepts_decimal_and_hex),
                cmocka_unit_test(parse_u64_refuses_a_sign),
                cmocka_unit_test(parse_u64_refuses_white_space_anywhere),
                cmocka_unit_test(parse_u64_refuses_empty_and_prefix_without_digits),
                cmocka_unit_test(parse_u64_refuses_leading_zero_octal_lookalike),
                cmocka_unit_test(parse_u64_refuses_other_characters),
                cmocka_unit_test(parse_u64_refuses_overflow),
                cmocka_unit_test(parse_u64_reads_only_len_bytes),
                cmocka_unit_test(parse_size_applies_binary_suffix),
                cmocka_unit_test(parse_size_refuses_what_parse_u64_refuses),
                cmocka_unit_test(parse_size_refuses_bad_suffixes),
                cmocka_unit_test(number_error_every_value_has_a_name_and_text),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
