/* The Realm driver against a hostile device: every used-ring field the host controls is
 * forged in turn. The queue must break (sticky), say why in the log and the trace, never
 * hand out a token or a length, and never touch memory outside what it posted.
 * facts §5.8; virtio 1.2 §2.7.8 */
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
#define IN_LEN 64
#define IN_FILL 0x3C

/* Two requests in flight, each { 16-byte header out, 64-byte buffer in }: heads 0 and 2
 * (descriptors 1 and 3 are chain members, not heads). */
struct hostile {
        struct fake_vq p;
        uint64_t hdr[2], in[2];
};

static int setup(void **state)
{
        struct hostile *h = calloc(1, sizeof(*h));
        if (!h)
                return -1;
        fake_vq_setup(&h->p, QSZ, false, false);
        for (int i = 0; i < 2; i++) {
                h->hdr[i] = fake_alloc(h->p.m, 16, 8, 0x10);
                h->in[i] = fake_alloc(h->p.m, IN_LEN, 8, IN_FILL);
                struct vq_buf b[] = { { h->hdr[i], 16 }, { h->in[i], IN_LEN } };
                assert_int_equal(vq_add(&h->p.vq, b, 1, 1, 100 + (uint64_t)i), CCADA_OK);
        }
        *state = h;
        return 0;
}

static int teardown(void **state)
{
        struct hostile *h = *state;
        fake_vq_teardown(&h->p);
        free(h);
        return 0;
}

/* The hostile device writes used ring slot `slot` and then used.idx directly. */
static void forge_used(struct hostile *h, uint16_t slot, uint32_t id, uint32_t len)
{
        uint8_t *e = fake_ptr(h->p.m, h->p.cfg.used.cpu + vring_used_ring_off(slot), VRING_USED_ELEM_SIZE);
        st_le32(e + VRING_USED_ELEM_OFF_ID, id);
        st_le32(e + VRING_USED_ELEM_OFF_LEN, len);
}

static void forge_used_idx(struct hostile *h, uint16_t idx)
{
        st_le16(fake_ptr(h->p.m, h->p.cfg.used.cpu + VRING_USED_OFF_IDX, 2), idx);
}

static bool buffer_untouched(struct hostile *h, int i)
{
        const uint8_t *p = fake_ptr(h->p.m, h->in[i], IN_LEN);
        for (size_t j = 0; j < IN_LEN; j++)
                if (p[j] != IN_FILL)
                        return false;
        return true;
}

/* get_used fails with BROKEN for `why`, outputs untouched; then the queue stays broken
 * for every operation and no byte outside the posted areas (nor inside the buffers) moved. */
static void expect_broken(struct hostile *h, enum vq_violation why, const char *printk, const char *trace)
{
        uint64_t token = 0xDEAD;
        uint32_t len = 0xBEEF;
        assert_int_equal(vq_get_used(&h->p.vq, &token, &len), CCADA_E_BROKEN);
        assert_int_equal(token, 0xDEAD);
        assert_int_equal(len, 0xBEEF);
        assert_true(vq_is_broken(&h->p.vq));
        assert_int_equal(vq_broken_reason(&h->p.vq), why);
        assert_true(fake_log_contains(h->p.m, printk));
        assert_true(fake_trace_contains(h->p.m, trace));

        /* Sticky: every later call refuses, even if the device "fixes" the ring. */
        forge_used(h, 0, 0, 0);
        forge_used_idx(h, 1);
        assert_int_equal(vq_get_used(&h->p.vq, &token, &len), CCADA_E_BROKEN);
        struct vq_buf b[] = { { h->hdr[0], 16 } };
        assert_int_equal(vq_add(&h->p.vq, b, 1, 0, 7), CCADA_E_BROKEN);
        bool flag = true;
        assert_int_equal(vq_kick_prepare(&h->p.vq, &flag), CCADA_E_BROKEN);
        assert_false(flag);
        assert_int_equal(vq_enable_cb(&h->p.vq, &flag), CCADA_E_BROKEN);
        assert_int_equal(vq_disable_cb(&h->p.vq), CCADA_E_BROKEN);
        assert_int_equal(token, 0xDEAD);

        assert_true(fake_canaries_intact(h->p.m));
        assert_true(buffer_untouched(h, 0));
        assert_true(buffer_untouched(h, 1));

        /* The caller can still take back every request left in flight, exactly once. */
        unsigned n = vq_num_in_flight(&h->p.vq);
        unsigned seen = 0; /* bit per token 100, 101 and 200 (the read-only request) */
        for (unsigned i = 0; i < n; i++) {
                assert_true(vq_detach_unused(&h->p.vq, &token));
                assert_true(token == 100 || token == 101 || token == 200);
                unsigned bit = token == 200 ? 4u : 1u << (token - 100);
                assert_false(seen & bit);
                seen |= bit;
        }
        assert_false(vq_detach_unused(&h->p.vq, &token));
        assert_int_equal(vq_num_free(&h->p.vq), QSZ);
}

static void vq_get_used_id_out_of_range_breaks_queue(void **state)
{
        struct hostile *h = *state;
        forge_used(h, 0, 9, 0);
        forge_used_idx(h, 1);
        expect_broken(h, VQ_ID_OUT_OF_RANGE, "virtio_blk virtio0: req.0:id 9 out of range",
                      "virtio_broken: dev=virtio0 vq=0 reason=id_out_of_range id=9 qsz=8");
}

static void vq_get_used_huge_id_breaks_queue(void **state)
{
        struct hostile *h = *state;
        forge_used(h, 0, 0x10000, 0); /* would alias head 0 if truncated to 16 bits */
        forge_used_idx(h, 1);
        expect_broken(h, VQ_ID_OUT_OF_RANGE, "id 65536 out of range", "reason=id_out_of_range");
}

static void vq_get_used_forged_id_of_chain_member_breaks_queue(void **state)
{
        struct hostile *h = *state;
        forge_used(h, 0, 1, 0); /* descriptor 1 is in flight, but not a head */
        forge_used_idx(h, 1);
        expect_broken(h, VQ_ID_NOT_IN_FLIGHT, "virtio_blk virtio0: req.0:id 1 is not a head!",
                      "reason=id_not_in_flight id=1");
}

static void vq_get_used_forged_id_of_free_descriptor_breaks_queue(void **state)
{
        struct hostile *h = *state;
        forge_used(h, 0, 6, 0);
        forge_used_idx(h, 1);
        expect_broken(h, VQ_ID_NOT_IN_FLIGHT, "id 6 is not a head!", "reason=id_not_in_flight id=6");
}

static void vq_get_used_duplicate_completion_breaks_queue(void **state)
{
        struct hostile *h = *state;
        uint64_t token;
        uint32_t len;
        forge_used(h, 0, 0, IN_LEN);
        forge_used_idx(h, 1);
        assert_int_equal(vq_get_used(&h->p.vq, &token, &len), CCADA_OK);
        assert_int_equal(token, 100);
        /* The same head again. */
        forge_used(h, 1, 0, IN_LEN);
        forge_used_idx(h, 2);
        expect_broken(h, VQ_ID_NOT_IN_FLIGHT, "id 0 is not a head!", "reason=id_not_in_flight id=0");
}

static void vq_get_used_len_larger_than_posted_breaks_queue(void **state)
{
        struct hostile *h = *state;
        forge_used(h, 0, 2, IN_LEN + 1);
        forge_used_idx(h, 1);
        expect_broken(h, VQ_LEN_TOO_LARGE, "virtio_blk virtio0: req.0:used len 65 is larger than in buflen 64",
                      "reason=len_too_large id=2 len=65 in_len=64");
}

static void vq_get_used_len_on_read_only_request_breaks_queue(void **state)
{
        /* The vhost-vsock TX pattern that got Linux's check reverted (facts §5.8). */
        struct hostile *h = *state;
        uint64_t token;
        uint32_t len;
        forge_used(h, 0, 0, IN_LEN);
        forge_used(h, 1, 2, IN_LEN);
        forge_used_idx(h, 2);
        assert_int_equal(vq_get_used(&h->p.vq, &token, &len), CCADA_OK);
        assert_int_equal(vq_get_used(&h->p.vq, &token, &len), CCADA_OK);
        uint64_t tx = fake_alloc(h->p.m, 44, 8, 0x44);
        struct vq_buf b[] = { { tx, 44 } };
        assert_int_equal(vq_add(&h->p.vq, b, 1, 0, 200), CCADA_OK);
        uint16_t head = ld_le16(fake_ptr(h->p.m, h->p.cfg.avail.cpu + vring_avail_ring_off(2), 2));
        forge_used(h, 2, head, 44);
        forge_used_idx(h, 3);
        memset(fake_ptr(h->p.m, h->in[0], IN_LEN), IN_FILL, IN_LEN); /* completed buffers: reset */
        memset(fake_ptr(h->p.m, h->in[1], IN_LEN), IN_FILL, IN_LEN);
        expect_broken(h, VQ_LEN_TOO_LARGE, "used len 44 is larger than in buflen 0", "reason=len_too_large");
}

static void vq_get_used_idx_jump_beyond_queue_size_breaks_queue(void **state)
{
        struct hostile *h = *state;
        forge_used(h, 0, 0, 0);
        forge_used_idx(h, QSZ + 1);
        expect_broken(h, VQ_USED_IDX_JUMP, "virtio_blk virtio0: req.0:used idx 9 jumped 9 entries past 0",
                      "reason=used_idx_jump used_idx=9 last_used=0 qsz=8");
}

static void vq_get_used_idx_going_backwards_breaks_queue(void **state)
{
        struct hostile *h = *state;
        uint64_t token;
        uint32_t len;
        forge_used(h, 0, 0, 1);
        forge_used_idx(h, 1);
        assert_int_equal(vq_get_used(&h->p.vq, &token, &len), CCADA_OK);
        forge_used_idx(h, 0); /* backwards by one: a jump of 65535 */
        expect_broken(h, VQ_USED_IDX_JUMP, "used idx 0 jumped 65535 entries past 1",
                      "reason=used_idx_jump used_idx=0 last_used=1");
}

static void vq_get_used_idx_beyond_in_flight_breaks_queue(void **state)
{
        struct hostile *h = *state;
        forge_used(h, 0, 0, 0);
        forge_used(h, 1, 2, 0);
        forge_used(h, 2, 0, 0);
        forge_used_idx(h, 3); /* three completions, two requests */
        expect_broken(h, VQ_USED_IDX_OVERRUN, "used idx 3 reports 3 completions, only 2 in flight",
                      "reason=used_idx_overrun used_idx=3 pending=3 in_flight=2");
}

static void vq_get_used_ring_revoked_breaks_queue(void **state)
{
        struct hostile *h = *state;
        fake_revoke(h->p.m, h->p.cfg.used.cpu, vring_used_size(QSZ));
        expect_broken(h, VQ_RING_FAULT, "ring access failed: CCADA_E_GPF", "reason=ring_fault status=CCADA_E_GPF");
}

static void vq_get_used_out_of_order_valid_completions_are_accepted(void **state)
{
        /* Control: a well-formed completion of both requests, in any order, is accepted. */
        struct hostile *h = *state;
        uint64_t token;
        uint32_t len;
        forge_used(h, 0, 2, IN_LEN);
        forge_used(h, 1, 0, 0);
        forge_used_idx(h, 2);
        assert_int_equal(vq_get_used(&h->p.vq, &token, &len), CCADA_OK);
        assert_int_equal(token, 101);
        assert_int_equal(len, IN_LEN);
        assert_int_equal(vq_get_used(&h->p.vq, &token, &len), CCADA_OK);
        assert_int_equal(token, 100);
        assert_int_equal(len, 0);
        assert_int_equal(vq_get_used(&h->p.vq, &token, &len), CCADA_E_BUSY);
        assert_int_equal(vq_num_free(&h->p.vq), QSZ);
        assert_false(vq_is_broken(&h->p.vq));
}

#define HOSTILE_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                HOSTILE_TEST(vq_get_used_id_out_of_range_breaks_queue),
                HOSTILE_TEST(vq_get_used_huge_id_breaks_queue),
                HOSTILE_TEST(vq_get_used_forged_id_of_chain_member_breaks_queue),
                HOSTILE_TEST(vq_get_used_forged_id_of_free_descriptor_breaks_queue),
                HOSTILE_TEST(vq_get_used_duplicate_completion_breaks_queue),
                HOSTILE_TEST(vq_get_used_len_larger_than_posted_breaks_queue),
                HOSTILE_TEST(vq_get_used_len_on_read_only_request_breaks_queue),
                HOSTILE_TEST(vq_get_used_idx_jump_beyond_queue_size_breaks_queue),
                HOSTILE_TEST(vq_get_used_idx_going_backwards_breaks_queue),
                HOSTILE_TEST(vq_get_used_idx_beyond_in_flight_breaks_queue),
                HOSTILE_TEST(vq_get_used_ring_revoked_breaks_queue),
                HOSTILE_TEST(vq_get_used_out_of_order_valid_completions_are_accepted),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
