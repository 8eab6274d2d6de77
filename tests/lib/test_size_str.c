/* src/lib/size_str.c against sizes as real Linux kernels printed them (recorded boot logs of
 * virtio_blk and sd: "[vda] 2097152 512-byte logical blocks (1.07 GB/1.00 GiB)") and the
 * rules of string_get_size worked by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/size_str.h"

static void expect(uint64_t blocks, uint64_t blk, const char *dec, const char *bin)
{
        char a[32], b[32];
        assert_string_equal(size_str(blocks, blk, false, a, sizeof(a)), dec);
        assert_string_equal(size_str(blocks, blk, true, b, sizeof(b)), bin);
}

static void size_str_matches_recorded_virtio_blk_capacity_lines(void **state)
{
        (void)state;
        expect(2097152, 512, "1.07 GB", "1.00 GiB");    /* a 1 GiB virtio disk */
        expect(131072, 512, "67.1 MB", "64.0 MiB");     /* the demo's 64 MiB disk */
}

static void size_str_keeps_three_significant_figures(void **state)
{
        (void)state;
        expect(1, 512, "512 B", "512 B");               /* no division: no decimals */
        expect(3, 512, "1.54 kB", "1.50 KiB");          /* 1536: 1 r 536 / 1 r 512 */
        expect(1, 12345678, "12.3 MB", "11.8 MiB");     /* 12345678: 12 r 345 / 11 r 793 */
        expect(1, 999999, "1000 kB", "977 KiB");        /* 999 r 999 + 0.5 rounds into the units */
        expect(1, 1000, "1.00 kB", "1000 B");
}

static void size_str_reduces_factors_above_32_bits_first(void **state)
{
        (void)state;
        /* 2^40 blocks of 2^12: each factor reduced below 2^32 first, as Linux does */
        expect(1ull << 40, 4096, "4.50 PB", "4.00 PiB");
}

static void size_str_zero_and_short_buffers_are_safe(void **state)
{
        char buf[8];
        (void)state;
        expect(0, 512, "0 B", "0 B");
        expect(7, 0, "0 B", "0 B");
        memset(buf, 'Z', sizeof(buf));
        assert_string_equal(size_str(131072, 512, false, buf, 4), "67."); /* cut, terminated */
        assert_int_equal(buf[4], 'Z');
        assert_ptr_equal(size_str(1, 1, false, buf, 0), buf);                /* len 0: untouched */
        assert_int_equal(buf[4], 'Z');
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(size_str_matches_recorded_virtio_blk_capacity_lines),
                cmocka_unit_test(size_str_keeps_three_significant_figures),
                cmocka_unit_test(size_str_reduces_factors_above_32_bits_first),
                cmocka_unit_test(size_str_zero_and_short_buffers_are_safe),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
