/* src/lib/bytes.h: bounds-checked reader and writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/bytes.h"

static const uint8_t seq[16] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10 };

static void br_le_accessors_decode_little_endian(void **state)
{
        struct byte_reader r;

        (void)state;
        br_init(&r, seq, sizeof(seq));
        assert_int_equal(br_u8(&r), 0x01);
        assert_int_equal(br_le16(&r), 0x0302);
        assert_int_equal(br_le32(&r), 0x07060504u);
        assert_int_equal(br_le64(&r), 0x0f0e0d0c0b0a0908ull);
        assert_true(br_ok(&r));
        assert_int_equal(br_remaining(&r), 1);
}

static void br_be_accessors_decode_big_endian(void **state)
{
        struct byte_reader r;

        (void)state;
        br_init(&r, seq, sizeof(seq));
        assert_int_equal(br_u8(&r), 0x01);
        assert_int_equal(br_be16(&r), 0x0203);
        assert_int_equal(br_be32(&r), 0x04050607u);
        assert_int_equal(br_be64(&r), 0x08090a0b0c0d0e0full);
        assert_true(br_ok(&r));
        assert_int_equal(br_remaining(&r), 1);
}

static void br_bytes_and_skip_advance(void **state)
{
        struct byte_reader r;
        uint8_t out[3];

        (void)state;
        br_init(&r, seq, sizeof(seq));
        br_skip(&r, 2);
        br_bytes(&r, out, sizeof(out));
        assert_memory_equal(out, seq + 2, 3);
        assert_int_equal(r.off, 5);
        assert_true(br_ok(&r));
}

static void br_read_past_end_is_sticky_and_returns_zero(void **state)
{
        struct byte_reader r;
        uint8_t out[4] = { 0xaa, 0xaa, 0xaa, 0xaa };

        (void)state;
        br_init(&r, seq, 3);
        assert_int_equal(br_le16(&r), 0x0201);
        assert_int_equal(br_le16(&r), 0);       /* needs 2, 1 left */
        assert_false(br_ok(&r));
        assert_int_equal(r.off, 2);             /* did not advance */
        assert_int_equal(br_u8(&r), 0);         /* would fit, but the error is sticky */
        assert_int_equal(br_be16(&r), 0);
        assert_int_equal(br_le32(&r), 0);
        assert_int_equal(br_be32(&r), 0);
        assert_int_equal(br_le64(&r), 0);
        assert_int_equal(br_be64(&r), 0);
        br_bytes(&r, out, sizeof(out));
        assert_int_equal(out[0] | out[1] | out[2] | out[3], 0);  /* zero-filled */
        assert_int_equal(r.off, 2);
        assert_int_equal(br_remaining(&r), 0);
}

static void br_take_huge_length_fails_without_overflow(void **state)
{
        struct byte_reader r;

        (void)state;
        br_init(&r, seq, sizeof(seq));
        br_skip(&r, 1);
        assert_null(br_take(&r, SIZE_MAX));
        assert_false(br_ok(&r));
}

static void br_seek_within_bounds_moves(void **state)
{
        struct byte_reader r;

        (void)state;
        br_init(&r, seq, sizeof(seq));
        br_seek(&r, 8);
        assert_int_equal(br_u8(&r), 0x09);
        br_seek(&r, sizeof(seq));               /* end is a valid position */
        assert_true(br_ok(&r));
        assert_int_equal(br_remaining(&r), 0);
        br_seek(&r, 0);
        assert_int_equal(br_u8(&r), 0x01);
}

static void br_seek_past_end_sets_error(void **state)
{
        struct byte_reader r;

        (void)state;
        br_init(&r, seq, sizeof(seq));
        br_seek(&r, sizeof(seq) + 1);
        assert_false(br_ok(&r));
        br_seek(&r, 0);                         /* sticky: no recovery */
        assert_false(br_ok(&r));
        assert_int_equal(br_u8(&r), 0);
}

static void bw_le_accessors_encode_little_endian(void **state)
{
        uint8_t buf[15];
        struct byte_writer w;

        (void)state;
        bw_init(&w, buf, sizeof(buf));
        bw_u8(&w, 0x01);
        bw_le16(&w, 0x0302);
        bw_le32(&w, 0x07060504u);
        bw_le64(&w, 0x0f0e0d0c0b0a0908ull);
        assert_true(bw_ok(&w));
        assert_int_equal(bw_len(&w), 15);
        assert_memory_equal(buf, seq, 15);
}

static void bw_be_accessors_encode_big_endian(void **state)
{
        uint8_t buf[15];
        struct byte_writer w;

        (void)state;
        bw_init(&w, buf, sizeof(buf));
        bw_u8(&w, 0x01);
        bw_be16(&w, 0x0203);
        bw_be32(&w, 0x04050607u);
        bw_be64(&w, 0x08090a0b0c0d0e0full);
        assert_true(bw_ok(&w));
        assert_memory_equal(buf, seq, 15);
}

static void bw_bytes_and_zero_write_in_order(void **state)
{
        uint8_t buf[6];
        static const uint8_t want[6] = { 0xde, 0xad, 0, 0, 0, 0xbe };
        struct byte_writer w;

        (void)state;
        memset(buf, 0x55, sizeof(buf));
        bw_init(&w, buf, sizeof(buf));
        bw_bytes(&w, want, 2);
        bw_zero(&w, 3);
        bw_u8(&w, 0xbe);
        assert_true(bw_ok(&w));
        assert_memory_equal(buf, want, sizeof(want));
}

static void bw_overflow_is_sticky_and_writes_nothing(void **state)
{
        uint8_t buf[8];
        uint8_t want[8];
        struct byte_writer w;

        (void)state;
        memset(buf, 0x55, sizeof(buf));
        bw_init(&w, buf, sizeof(buf));
        bw_le32(&w, 0x11223344u);
        bw_le64(&w, 0x0102030405060708ull);     /* needs 8, 4 left: nothing written */
        assert_false(bw_ok(&w));
        assert_int_equal(bw_len(&w), 4);
        bw_u8(&w, 0x99);                        /* would fit, but the error is sticky */
        bw_le16(&w, 0x9999);
        bw_be16(&w, 0x9999);
        bw_be32(&w, 0x99999999u);
        bw_be64(&w, 0x9999999999999999ull);
        bw_le32(&w, 0x99999999u);
        bw_bytes(&w, "xx", 2);
        bw_zero(&w, 1);
        assert_int_equal(bw_len(&w), 4);
        memset(want, 0x55, sizeof(want));
        st_le32(want, 0x11223344u);
        assert_memory_equal(buf, want, sizeof(want));
}

static void bw_seek_bounds_checked(void **state)
{
        uint8_t buf[4] = { 0 };
        struct byte_writer w;

        (void)state;
        bw_init(&w, buf, sizeof(buf));
        bw_seek(&w, 2);
        bw_be16(&w, 0xabcd);
        assert_true(bw_ok(&w));
        assert_int_equal(buf[2], 0xab);
        assert_int_equal(buf[3], 0xcd);
        bw_seek(&w, 5);
        assert_false(bw_ok(&w));
}

static void raw_loads_and_stores_round_trip(void **state)
{
        uint8_t b[8];

        (void)state;
        st_le16(b, 0xbeef);
        assert_int_equal(ld_le16(b), 0xbeef);
        assert_int_equal(b[0], 0xef);
        st_be16(b, 0xbeef);
        assert_int_equal(ld_be16(b), 0xbeef);
        assert_int_equal(b[0], 0xbe);
        st_le32(b, 0xdeadbeefu);
        assert_int_equal(ld_le32(b), 0xdeadbeefu);
        st_be32(b, 0xdeadbeefu);
        assert_int_equal(ld_be32(b), 0xdeadbeefu);
        assert_int_equal(b[0], 0xde);
        st_le64(b, 0x8000000000000001ull);
        assert_int_equal(ld_le64(b), 0x8000000000000001ull);
        assert_int_equal(b[7], 0x80);
        st_be64(b, 0x8000000000000001ull);
        assert_int_equal(ld_be64(b), 0x8000000000000001ull);
        assert_int_equal(b[0], 0x80);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(br_le_accessors_decode_little_endian),
                cmocka_unit_test(br_be_accessors_decode_big_endian),
                cmocka_unit_test(br_bytes_and_skip_advance),
                cmocka_unit_test(br_read_past_end_is_sticky_and_returns_zero),
                cmocka_unit_test(br_take_huge_length_fails_without_overflow),
                cmocka_unit_test(br_seek_within_bounds_moves),
                cmocka_unit_test(br_seek_past_end_sets_error),
                cmocka_unit_test(bw_le_accessors_encode_little_endian),
                cmocka_unit_test(bw_be_accessors_encode_big_endian),
                cmocka_unit_test(bw_bytes_and_zero_write_in_order),
                cmocka_unit_test(bw_overflow_is_sticky_and_writes_nothing),
                cmocka_unit_test(bw_seek_bounds_checked),
                cmocka_unit_test(raw_loads_and_stores_round_trip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
