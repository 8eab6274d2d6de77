/* The Realm driver when the host pulls ring memory away in the middle of vq_add(): the
 * shared-memory access fails (the CPU reports an abort). The add must be all or nothing:
 * the queue breaks (a ring fault is a broken peer, see virtqueue.h), but its private state
 * is exactly what it was before the add, the device sees nothing new, and the caller can
 * take back every request that was really in flight, and never the one that failed.
 * Each loop faults every Realm access of one add in turn, so no step is left out. */
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
#define TOKEN_DONE 100   /* posted and completed by the fixture */
#define TOKEN_FLIGHT 101 /* posted by the fixture, popped by the device, not completed */
#define TOKEN_NEW 200    /* the add under test */
#define MAX_ACCESSES 64  /* far more than one add makes */

/* A queue with history: one request completed (the free list no longer runs in index
 * order, last_used_idx is 1) and one in flight; plus the buffers of the add under test. */
struct fixture {
        struct fake_vq p;
        uint64_t hdr, in, status;
        struct vq_buf req[3]; /* header out, data in, status in */
};

static void post_one(struct fixture *f, uint64_t token)
{
        struct vq_buf b[] = { { f->hdr, 16 }, { f->in, IN_LEN } };
        assert_int_equal(vq_add(&f->p.vq, b, 1, 1, token), CCADA_OK);
}

static void fixture_setup(struct fixture *f, bool indirect)
{
        struct vdq_elem *e = malloc(sizeof(*e));
        uint64_t token;
        uint32_t len;

        assert_non_null(e);
        fake_vq_setup(&f->p, QSZ, indirect, false);
        f->hdr = fake_alloc(f->p.m, 16, 8, 0x10);
        f->in = fake_alloc(f->p.m, IN_LEN, 8, 0x3C);
        f->status = fake_alloc(f->p.m, 1, 1, 0xFF);
        post_one(f, TOKEN_DONE);
        post_one(f, TOKEN_FLIGHT);
        assert_int_equal(vdq_pop(&f->p.dq, e), CCADA_OK);
        uint16_t done = e->head;
        assert_int_equal(vdq_pop(&f->p.dq, e), CCADA_OK);
        assert_int_equal(vdq_push(&f->p.dq, done, 0), CCADA_OK);
        assert_int_equal(vq_get_used(&f->p.vq, &token, &len), CCADA_OK);
        assert_int_equal(token, TOKEN_DONE);
        free(e);
        f->req[0] = (struct vq_buf){ f->hdr, 16 };
        f->req[1] = (struct vq_buf){ f->in, IN_LEN };
        f->req[2] = (struct vq_buf){ f->status, 1 };
}

/* Everything the queue keeps privately, and the avail.idx the device reads. */
struct vq_image {
        uint16_t free_head, num_free, num_in_flight;
        uint16_t avail_idx_shadow, avail_flags_shadow, kicked_avail_idx, last_used_idx;
        uint64_t added, completed, notifies;
        struct vq_desc_extra extra[QSZ];
        struct vq_head_state heads[QSZ];
        uint16_t shared_avail_idx;
};

static void take_image(struct fixture *f, struct vq_image *im)
{
        const struct virtqueue *vq = &f->p.vq;

        *im = (struct vq_image){
                .free_head = vq->free_head, .num_free = vq->num_free, .num_in_flight = vq->num_in_flight,
                .avail_idx_shadow = vq->avail_idx_shadow, .avail_flags_shadow = vq->avail_flags_shadow,
                .kicked_avail_idx = vq->kicked_avail_idx, .last_used_idx = vq->last_used_idx,
                .added = vq->added, .completed = vq->completed, .notifies = vq->notifies,
        };
        memcpy(im->extra, vq->extra, sizeof(im->extra));
        memcpy(im->heads, vq->heads, sizeof(im->heads));
        im->shared_avail_idx = ld_le16(fake_ptr(f->p.m, f->p.cfg.avail.cpu + VRING_AVAIL_OFF_IDX, 2));
}

static void assert_same_image(const struct vq_image *a, const struct vq_image *b)
{
        assert_int_equal(a->free_head, b->free_head);
        assert_int_equal(a->num_free, b->num_free);
        assert_int_equal(a->num_in_flight, b->num_in_flight);
        assert_int_equal(a->avail_idx_shadow, b->avail_idx_shadow);
        assert_int_equal(a->avail_flags_shadow, b->avail_flags_shadow);
        assert_int_equal(a->kicked_avail_idx, b->kicked_avail_idx);
        assert_int_equal(a->last_used_idx, b->last_used_idx);
        assert_int_equal(a->added, b->added);
        assert_int_equal(a->completed, b->completed);
        assert_int_equal(a->notifies, b->notifies);
        for (unsigned d = 0; d < QSZ; d++) {
                assert_int_equal(a->extra[d].addr, b->extra[d].addr);
                assert_int_equal(a->extra[d].len, b->extra[d].len);
                assert_int_equal(a->extra[d].flags, b->extra[d].flags);
                assert_int_equal(a->extra[d].next, b->extra[d].next);
                assert_int_equal(a->heads[d].in_flight, b->heads[d].in_flight);
                assert_int_equal(a->heads[d].indirect, b->heads[d].indirect);
                assert_int_equal(a->heads[d].ndescs, b->heads[d].ndescs);
                assert_int_equal(a->heads[d].in_len, b->heads[d].in_len);
                assert_int_equal(a->heads[d].token, b->heads[d].token);
        }
        assert_int_equal(a->shared_avail_idx, b->shared_avail_idx);
}

static void expect_device_sees_nothing_new(struct fixture *f)
{
        struct vdq_elem *e = malloc(sizeof(*e));
        assert_non_null(e);
        assert_int_equal(vdq_pop(&f->p.dq, e), CCADA_E_BUSY);
        free(e);
}

/* After a failed add: the queue is broken for a ring fault, nothing else changed, a
 * following add is refused without effect, and only the request really in flight comes
 * back from vq_detach_unused(), exactly once. */
static void expect_failed_add_left_no_trace(struct fixture *f, ccada_status s, const struct vq_image *before,
                                            const char *printk)
{
        struct vq_image after;
        uint64_t token;

        assert_int_equal(s, CCADA_E_BROKEN);
        assert_true(vq_is_broken(&f->p.vq));
        assert_int_equal(vq_broken_reason(&f->p.vq), VQ_RING_FAULT);
        assert_true(fake_log_contains(f->p.m, printk));
        take_image(f, &after);
        assert_same_image(before, &after);
        expect_device_sees_nothing_new(f);

        assert_int_equal(vq_add(&f->p.vq, f->req, 1, 2, TOKEN_NEW + 1), CCADA_E_BROKEN);
        take_image(f, &after);
        assert_same_image(before, &after);

        assert_true(vq_detach_unused(&f->p.vq, &token));
        assert_int_equal(token, TOKEN_FLIGHT);
        assert_false(vq_detach_unused(&f->p.vq, &token));
        assert_int_equal(vq_num_in_flight(&f->p.vq), 0);
        assert_int_equal(vq_num_free(&f->p.vq), QSZ);
        assert_true(fake_canaries_intact(f->p.m));
}

/* After the add succeeded: the device sees it with the posted lengths, and both it and the
 * request in flight before it complete normally. */
static void expect_add_posted_and_completes(struct fixture *f)
{
        struct vdq_elem *e = malloc(sizeof(*e));
        uint64_t token;
        uint32_t len;

        assert_non_null(e);
        assert_int_equal(vq_num_in_flight(&f->p.vq), 2);
        assert_int_equal(vdq_pop(&f->p.dq, e), CCADA_OK);
        assert_int_equal(e->in_len, IN_LEN + 1);
        assert_int_equal(vdq_push(&f->p.dq, e->head, IN_LEN + 1), CCADA_OK);
        free(e);
        assert_int_equal(vq_get_used(&f->p.vq, &token, &len), CCADA_OK);
        assert_int_equal(token, TOKEN_NEW);
        assert_int_equal(len, IN_LEN + 1);
        assert_false(vq_is_broken(&f->p.vq));
        assert_int_equal(vq_num_in_flight(&f->p.vq), 1);
}

/* Fails access 1, 2, ... of one add (a fresh fixture each time) until an add makes fewer
 * accesses than that and succeeds. Returns how many accesses the successful add made. */
static unsigned long fault_each_access_of_one_add(bool indirect)
{
        for (unsigned long n = 1; n <= MAX_ACCESSES; n++) {
                struct fixture f;
                struct vq_image before;

                fixture_setup(&f, indirect);
                take_image(&f, &before);
                fake_fail_nth_access(f.p.m, n);
                ccada_status s = vq_add(&f.p.vq, f.req, 1, 2, TOKEN_NEW);
                bool fired = fake_failed_access_fired(f.p.m);
                fake_fail_nth_access(f.p.m, 0);
                if (fired)
                        expect_failed_add_left_no_trace(&f, s, &before, "ring access failed: CCADA_E_SEA");
                else {
                        assert_int_equal(s, CCADA_OK);
                        expect_add_posted_and_completes(&f);
                }
                fake_vq_teardown(&f.p);
                if (!fired)
                        return n - 1;
        }
        fail_msg("vq_add made more than %d ring accesses", MAX_ACCESSES);
        return 0;
}

static void vq_add_chain_fault_at_any_ring_write_leaves_nothing_in_flight(void **state)
{
        (void)state;
        /* Three descriptors, the avail ring entry, avail.idx: each was faulted once. */
        assert_int_equal(fault_each_access_of_one_add(false), 3 + 2);
}

static void vq_add_indirect_fault_at_any_ring_write_leaves_nothing_in_flight(void **state)
{
        (void)state;
        /* The indirect table, its ring descriptor, the avail ring entry, avail.idx. */
        assert_int_equal(fault_each_access_of_one_add(true), 1 + 1 + 2);
}

static void vq_add_fault_at_avail_idx_write_leaves_nothing_in_flight(void **state)
{
        (void)state;
        struct fixture f;
        struct vq_image before;

        fixture_setup(&f, false);
        take_image(&f, &before);
        fake_fail_nth_access(f.p.m, 3 + 2); /* the last write: avail.idx */
        ccada_status s = vq_add(&f.p.vq, f.req, 1, 2, TOKEN_NEW);
        assert_true(fake_failed_access_fired(f.p.m));
        fake_fail_nth_access(f.p.m, 0);
        expect_failed_add_left_no_trace(&f, s, &before, "virtio_blk virtio0: req.0:ring access failed: CCADA_E_SEA");
        assert_true(fake_trace_contains(f.p.m, "virtio_broken: dev=virtio0 vq=0 reason=ring_fault status=CCADA_E_SEA"));
        fake_vq_teardown(&f.p);
}

static void vq_add_avail_ring_revoked_leaves_nothing_in_flight(void **state)
{
        (void)state;
        struct fixture f;
        struct vq_image before;

        fixture_setup(&f, false);
        take_image(&f, &before);
        fake_revoke(f.p.m, f.p.cfg.avail.cpu, vring_avail_size(QSZ)); /* descriptors still writable */
        ccada_status s = vq_add(&f.p.vq, f.req, 1, 2, TOKEN_NEW);
        fake_revoke(f.p.m, 0, 0); /* the device may read the ring again */
        expect_failed_add_left_no_trace(&f, s, &before, "ring access failed: CCADA_E_GPF");
        fake_vq_teardown(&f.p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(vq_add_chain_fault_at_any_ring_write_leaves_nothing_in_flight),
                cmocka_unit_test(vq_add_indirect_fault_at_any_ring_write_leaves_nothing_in_flight),
                cmocka_unit_test(vq_add_fault_at_avail_idx_write_leaves_nothing_in_flight),
                cmocka_unit_test(vq_add_avail_ring_revoked_leaves_nothing_in_flight),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
