/* chunk_next: pieces of a memmove never cross a page of either range and cover it once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/chunk.h"

#define PAGE_MASK 0xFFFULL

/* Copies through chunk_next over a byte array and compares with memmove. */
static void check_move(uint64_t dst, uint64_t src, size_t len)
{
        static uint8_t want[5 * 4096], got[5 * 4096];
        for (size_t i = 0; i < sizeof(got); i++)
                want[i] = got[i] = (uint8_t)(i * 7 + 3);
        memmove(want + dst, want + src, len);
        bool back = chunk_backwards(dst, src, len);
        uint64_t d = dst, s = src;
        size_t left = len;
        while (left) {
                uint64_t d0, s0;
                size_t n = chunk_next(d, s, left, PAGE_MASK, back, &d0, &s0);
                assert_true(n > 0 && n <= left);
                assert_int_equal(s0 >> 12, (s0 + n - 1) >> 12); /* within one source page */
                assert_int_equal(d0 >> 12, (d0 + n - 1) >> 12); /* within one destination page */
                memmove(got + d0, got + s0, n);
                if (!back)
                        d += n, s += n;
                left -= n;
        }
        assert_memory_equal(got, want, sizeof(got));
}

static void chunk_forward_copy_splits_at_both_page_boundaries(void **state)
{
        check_move(100, 5000, 9000);
        check_move(4095, 1, 4097);
}

static void chunk_overlapping_copy_to_higher_address_goes_backwards_and_matches_memmove(void **state)
{
        assert_true(chunk_backwards(200, 100, 9000));
        check_move(200, 100, 9000);
        check_move(4100, 4000, 12000);
}

static void chunk_overlapping_copy_to_lower_address_goes_forwards_and_matches_memmove(void **state)
{
        assert_false(chunk_backwards(100, 200, 9000));
        check_move(100, 200, 9000);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(chunk_forward_copy_splits_at_both_page_boundaries),
                cmocka_unit_test(chunk_overlapping_copy_to_higher_address_goes_backwards_and_matches_memmove),
                cmocka_unit_test(chunk_overlapping_copy_to_lower_address_goes_forwards_and_matches_memmove),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
