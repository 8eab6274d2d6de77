/* The host's device side against a hostile DRIVER: descriptor tables written by hand.
 * Each broken rule must be reported (CCADA_E_PEER + the rule), quickly, without reading
 * more than a bounded number of descriptors, and the queue must stay broken.
 * virtio 1.2 §2.7.5, §2.7.5.3.1 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "virtio_fakes.h"
#include "lib/bytes.h"

#define QSZ 8

struct rig {
        struct fake_machine *m;
        uint64_t desc, avail, used, table, data;
        struct vdev_queue q;
        struct vdq_elem elem;
};

static int setup_with(void **state, bool indirect)
{
        struct rig *r = calloc(1, sizeof(*r));
        if (!r)
                return -1;
        r->m = fake_create();
        r->desc = fake_alloc(r->m, vring_desc_table_size(QSZ), VRING_DESC_ALIGN, 0);
        r->avail = fake_alloc(r->m, vring_avail_size(QSZ), VRING_AVAIL_ALIGN, 0);
        r->used = fake_alloc(r->m, vring_used_size(QSZ), VRING_USED_ALIGN, 0);
        r->table = fake_alloc(r->m, 512 * VRING_DESC_SIZE, VRING_DESC_ALIGN, 0);
        r->data = fake_alloc(r->m, 4096, 16, 0x61);
        if (vdq_init(&r->q, &r->m->vm, QSZ, r->desc, r->avail, r->used, indirect, false) != CCADA_OK)
                return -1;
        *state = r;
        return 0;
}

static int setup(void **state) { return setup_with(state, true); }
static int setup_no_indirect(void **state) { return setup_with(state, false); }

static int teardown(void **state)
{
        struct rig *r = *state;
        fake_destroy(r->m);
        free(r);
        return 0;
}

/* The hostile driver's pen. */
static void put_desc(struct rig *r, uint64_t table, uint32_t i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
        struct vring_desc d = { .addr = addr, .len = len, .flags = flags, .next = next };
        assert_true(vring_desc_encode(fake_ptr(r->m, table + vring_desc_off(i), 16), 16, &d));
}

static void make_available(struct rig *r, uint16_t slot, uint16_t head, uint16_t idx)
{
        st_le16(fake_ptr(r->m, r->avail + vring_avail_ring_off(slot), 2), head);
        st_le16(fake_ptr(r->m, r->avail + VRING_AVAIL_OFF_IDX, 2), idx);
}

/* vdq_pop reports `why`, then the queue refuses everything. */
static void expect_driver_fault(struct rig *r, enum vdq_error why)
{
        assert_int_equal(vdq_pop(&r->q, &r->elem), CCADA_E_PEER);
        assert_int_equal(r->q.error, why);
        assert_true(r->q.broken);
        assert_int_equal(vdq_pop(&r->q, &r->elem), CCADA_E_BROKEN);
        assert_int_equal(vdq_push(&r->q, 0, 0), CCADA_E_BROKEN);
        assert_int_equal(r->q.last_avail_idx, 0);
        assert_true(fake_canaries_intact(r->m));
}

static void vdq_pop_well_formed_chain_collects_segments(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->desc, 3, r->data, 16, VRING_DESC_F_NEXT, 5);
        put_desc(r, r->desc, 5, r->data + 16, 100, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 0);
        put_desc(r, r->desc, 0, r->data + 200, 1, VRING_DESC_F_WRITE, 0);
        make_available(r, 0, 3, 1);
        assert_int_equal(vdq_pop(&r->q, &r->elem), CCADA_OK);
        assert_int_equal(r->elem.head, 3);
        assert_int_equal(r->elem.n_out, 1);
        assert_int_equal(r->elem.n_in, 2);
        assert_int_equal(r->elem.out_len, 16);
        assert_int_equal(r->elem.in_len, 101);
        assert_int_equal(r->elem.segs[2].gpa, r->data + 200);
        assert_int_equal(vdq_pop(&r->q, &r->elem), CCADA_E_BUSY);
}

static void vdq_write_in_spans_segments_and_stops_at_in_len(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->desc, 0, r->data, 4, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
        put_desc(r, r->desc, 1, r->data + 100, 4, VRING_DESC_F_WRITE, 0);
        make_available(r, 0, 0, 1);
        assert_int_equal(vdq_pop(&r->q, &r->elem), CCADA_OK);
        const uint8_t src[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        assert_int_equal(vdq_write_in(&r->q, &r->elem, 2, src, 9), CCADA_E_RANGE);
        assert_int_equal(fake_ptr(r->m, r->data, 1)[0], 0x61); /* nothing copied */
        assert_int_equal(vdq_write_in(&r->q, &r->elem, 2, src, 6), CCADA_OK);
        const uint8_t *p = fake_ptr(r->m, r->data, 104);
        assert_int_equal(p[1], 0x61);
        assert_int_equal(p[2], 1);
        assert_int_equal(p[3], 2);
        assert_int_equal(p[4], 0x61);
        assert_int_equal(p[100], 3);
        assert_int_equal(p[103], 6);
        uint8_t dst[1];
        assert_int_equal(vdq_read_out(&r->q, &r->elem, 0, dst, 1), CCADA_E_RANGE); /* no out part */
}

static void vdq_pop_self_loop_reports_chain_too_long(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->desc, 2, r->data, 8, VRING_DESC_F_NEXT, 2);
        make_available(r, 0, 2, 1);
        expect_driver_fault(r, VDQ_CHAIN_TOO_LONG);
}

static void vdq_pop_descriptor_loop_reports_chain_too_long(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->desc, 0, r->data, 8, VRING_DESC_F_NEXT, 1);
        put_desc(r, r->desc, 1, r->data, 8, VRING_DESC_F_NEXT, 2);
        put_desc(r, r->desc, 2, r->data, 8, VRING_DESC_F_NEXT, 0); /* back to the head */
        make_available(r, 0, 0, 1);
        expect_driver_fault(r, VDQ_CHAIN_TOO_LONG);
}

static void vdq_pop_chain_longer_than_queue_size_reports_chain_too_long(void **state)
{
        struct rig *r = *state;
        for (uint32_t i = 0; i < QSZ; i++) /* 0 -> 1 -> ... -> 7 -> 0: QSZ + 1 descriptors */
                put_desc(r, r->desc, i, r->data + i, 1, VRING_DESC_F_NEXT, (uint16_t)((i + 1) % QSZ));
        make_available(r, 0, 0, 1);
        expect_driver_fault(r, VDQ_CHAIN_TOO_LONG);
}

static void vdq_pop_next_out_of_range_reports_error(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->desc, 0, r->data, 8, VRING_DESC_F_NEXT, QSZ);
        make_available(r, 0, 0, 1);
        expect_driver_fault(r, VDQ_NEXT_OUT_OF_RANGE);
}

static void vdq_pop_head_out_of_range_reports_error(void **state)
{
        struct rig *r = *state;
        make_available(r, 0, 0xFFFF, 1);
        expect_driver_fault(r, VDQ_HEAD_OUT_OF_RANGE);
}

static void vdq_pop_avail_idx_jump_reports_error(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->desc, 0, r->data, 8, 0, 0);
        make_available(r, 0, 0, QSZ + 1);
        expect_driver_fault(r, VDQ_AVAIL_IDX_JUMP);
}

static void vdq_pop_nested_indirect_reports_error(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->table, 0, r->data, 8, VRING_DESC_F_NEXT, 1);
        put_desc(r, r->table, 1, r->table, 2 * VRING_DESC_SIZE, VRING_DESC_F_INDIRECT, 0);
        put_desc(r, r->desc, 0, r->table, 2 * VRING_DESC_SIZE, VRING_DESC_F_INDIRECT, 0);
        make_available(r, 0, 0, 1);
        expect_driver_fault(r, VDQ_INDIRECT_NESTED);
}

static void vdq_pop_indirect_with_next_reports_error(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->table, 0, r->data, 8, 0, 0);
        put_desc(r, r->desc, 0, r->table, VRING_DESC_SIZE, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
        put_desc(r, r->desc, 1, r->data, 8, 0, 0);
        make_available(r, 0, 0, 1);
        expect_driver_fault(r, VDQ_INDIRECT_WITH_NEXT);
}

static void vdq_pop_indirect_not_negotiated_reports_error(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->table, 0, r->data, 8, 0, 0);
        put_desc(r, r->desc, 0, r->table, VRING_DESC_SIZE, VRING_DESC_F_INDIRECT, 0);
        make_available(r, 0, 0, 1);
        expect_driver_fault(r, VDQ_INDIRECT_NOT_NEGOTIATED);
}

static void vdq_pop_indirect_len_not_multiple_of_16_reports_error(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->desc, 0, r->table, 24, VRING_DESC_F_INDIRECT, 0);
        make_available(r, 0, 0, 1);
        expect_driver_fault(r, VDQ_INDIRECT_BAD_LEN);
}

static void vdq_pop_indirect_table_loop_reports_chain_too_long(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->table, 0, r->data, 8, VRING_DESC_F_NEXT, 1);
        put_desc(r, r->table, 1, r->data, 8, VRING_DESC_F_NEXT, 0);
        put_desc(r, r->desc, 0, r->table, 2 * VRING_DESC_SIZE, VRING_DESC_F_INDIRECT, 0);
        make_available(r, 0, 0, 1);
        expect_driver_fault(r, VDQ_CHAIN_TOO_LONG);
}

static void vdq_pop_indirect_next_beyond_table_reports_error(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->table, 0, r->data, 8, VRING_DESC_F_NEXT, 2); /* table has 2 entries */
        put_desc(r, r->desc, 0, r->table, 2 * VRING_DESC_SIZE, VRING_DESC_F_INDIRECT, 0);
        make_available(r, 0, 0, 1);
        expect_driver_fault(r, VDQ_NEXT_OUT_OF_RANGE);
}

static void vdq_pop_more_than_max_segments_reports_error(void **state)
{
        struct rig *r = *state;
        const uint32_t n = 300; /* > VDQ_MAX_SEGS in one indirect table */
        for (uint32_t i = 0; i < n; i++)
                put_desc(r, r->table, i, r->data, 1, i + 1 < n ? VRING_DESC_F_NEXT : 0, (uint16_t)(i + 1));
        put_desc(r, r->desc, 0, r->table, n * VRING_DESC_SIZE, VRING_DESC_F_INDIRECT, 0);
        make_available(r, 0, 0, 1);
        expect_driver_fault(r, VDQ_TOO_MANY_SEGS);
}

static void vdq_pop_total_length_over_4g_reports_error(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->desc, 0, r->data, UINT32_MAX, VRING_DESC_F_NEXT, 1);
        put_desc(r, r->desc, 1, r->data, 2, 0, 0); /* 2^32 + 1 bytes in all */
        make_available(r, 0, 0, 1);
        expect_driver_fault(r, VDQ_TOTAL_LEN);
}

static void vdq_pop_address_wrap_reports_error(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->desc, 0, UINT64_MAX - 7, 16, 0, 0);
        make_available(r, 0, 0, 1);
        expect_driver_fault(r, VDQ_ADDR_WRAP);
}

static void vdq_pop_readable_after_writable_reports_error(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->desc, 0, r->data, 8, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
        put_desc(r, r->desc, 1, r->data + 8, 8, 0, 0);
        make_available(r, 0, 0, 1);
        expect_driver_fault(r, VDQ_READ_AFTER_WRITE);
}

static void vdq_pop_indirect_table_unmapped_reports_mem_fault(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->desc, 0, 0x1000, 2 * VRING_DESC_SIZE, VRING_DESC_F_INDIRECT, 0); /* nothing there */
        make_available(r, 0, 0, 1);
        assert_int_equal(vdq_pop(&r->q, &r->elem), CCADA_E_RANGE);
        assert_int_equal(r->q.error, VDQ_MEM_FAULT);
        assert_int_equal(r->q.fault, CCADA_E_RANGE);
        assert_int_equal(vdq_pop(&r->q, &r->elem), CCADA_E_BROKEN);
}

static void vdq_read_out_unmapped_buffer_returns_range(void **state)
{
        struct rig *r = *state;
        put_desc(r, r->desc, 0, 0x2000, 8, 0, 0); /* a buffer the host cannot reach */
        make_available(r, 0, 0, 1);
        assert_int_equal(vdq_pop(&r->q, &r->elem), CCADA_OK);
        uint8_t dst[8];
        assert_int_equal(vdq_read_out(&r->q, &r->elem, 0, dst, sizeof(dst)), CCADA_E_RANGE);
}

#define DEV_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                DEV_TEST(vdq_pop_well_formed_chain_collects_segments),
                DEV_TEST(vdq_write_in_spans_segments_and_stops_at_in_len),
                DEV_TEST(vdq_pop_self_loop_reports_chain_too_long),
                DEV_TEST(vdq_pop_descriptor_loop_reports_chain_too_long),
                DEV_TEST(vdq_pop_chain_longer_than_queue_size_reports_chain_too_long),
                DEV_TEST(vdq_pop_next_out_of_range_reports_error),
                DEV_TEST(vdq_pop_head_out_of_range_reports_error),
                DEV_TEST(vdq_pop_avail_idx_jump_reports_error),
                DEV_TEST(vdq_pop_nested_indirect_reports_error),
                DEV_TEST(vdq_pop_indirect_with_next_reports_error),
                cmocka_unit_test_setup_teardown(vdq_pop_indirect_not_negotiated_reports_error, setup_no_indirect,
                                                teardown),
                DEV_TEST(vdq_pop_indirect_len_not_multiple_of_16_reports_error),
                DEV_TEST(vdq_pop_indirect_table_loop_reports_chain_too_long),
                DEV_TEST(vdq_pop_indirect_next_beyond_table_reports_error),
                DEV_TEST(vdq_pop_more_than_max_segments_reports_error),
                DEV_TEST(vdq_pop_total_length_over_4g_reports_error),
                DEV_TEST(vdq_pop_address_wrap_reports_error),
                DEV_TEST(vdq_pop_readable_after_writable_reports_error),
                DEV_TEST(vdq_pop_indirect_table_unmapped_reports_mem_fault),
                DEV_TEST(vdq_read_out_unmapped_buffer_returns_range),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
