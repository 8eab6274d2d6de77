/* virtio-blk request header codec and constants.  virtio 1.2 §5.2 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "proto/virtio_blk.h"

static void virtio_blk_req_hdr_encode_matches_spec_layout(void **state)
{
        (void)state;
        struct virtio_blk_req_hdr h = { .type = VIRTIO_BLK_T_OUT, .reserved = 0, .sector = 0x0102030405060708ull };
        uint8_t b[16];
        assert_true(virtio_blk_req_hdr_encode(b, sizeof(b), &h));
        const uint8_t want[16] = { 1, 0, 0, 0, 0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1 };
        assert_memory_equal(b, want, 16);
}

static void virtio_blk_req_hdr_round_trips(void **state)
{
        (void)state;
        const uint32_t types[] = { VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_FLUSH, VIRTIO_BLK_T_GET_ID, 0xFFFFFFFFu };
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
                struct virtio_blk_req_hdr h = { types[i], (uint32_t)i * 77, UINT64_MAX - i }, back;
                uint8_t b[16];
                assert_true(virtio_blk_req_hdr_encode(b, sizeof(b), &h));
                assert_true(virtio_blk_req_hdr_decode(b, sizeof(b), &back));
                assert_int_equal(back.type, h.type);
                assert_int_equal(back.reserved, h.reserved);
                assert_int_equal(back.sector, h.sector);
        }
}

static void virtio_blk_req_hdr_decode_rejects_short_buffer(void **state)
{
        (void)state;
        uint8_t b[16] = { 1 };
        struct virtio_blk_req_hdr h = { 9, 9, 9 };
        assert_false(virtio_blk_req_hdr_decode(b, 15, &h));
        assert_int_equal(h.type, 0);
        assert_int_equal(h.sector, 0);
        assert_false(virtio_blk_req_hdr_encode(b, 15, &h));
}

static void virtio_blk_constants_match_spec(void **state)
{
        (void)state;
        assert_int_equal(VIRTIO_BLK_SECTOR_SIZE, 512);
        assert_int_equal(VIRTIO_BLK_CFG_CAPACITY, 0x00);
        assert_int_equal(VIRTIO_BLK_CFG_SEG_MAX, 0x0C);
        assert_int_equal(VIRTIO_BLK_CFG_BLK_SIZE, 0x14);
        assert_int_equal(VIRTIO_BLK_CFG_NUM_QUEUES, 0x22);
        assert_string_equal(virtio_blk_type_name(VIRTIO_BLK_T_GET_ID), "GET_ID");
        assert_string_equal(virtio_blk_type_name(3), "?");
        assert_string_equal(virtio_blk_status_name(VIRTIO_BLK_S_UNSUPP), "UNSUPP");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(virtio_blk_req_hdr_encode_matches_spec_layout),
                cmocka_unit_test(virtio_blk_req_hdr_round_trips),
                cmocka_unit_test(virtio_blk_req_hdr_decode_rejects_short_buffer),
                cmocka_unit_test(virtio_blk_constants_match_spec),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
