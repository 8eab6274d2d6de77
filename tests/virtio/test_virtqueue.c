/* End-to-end tests of the split virtqueue: the Realm driver (src/realm/virtqueue.c) and the
 * host device side (src/host/virtqueue_dev.c) talking through one fake memory.
 * virtio 1.2 §2.7 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "virtio_fakes.h"
#include "lib/bytes.h"

/* The device: pops one request, fills all its device-writable bytes with fill, completes
 * it with the full writable length. Returns the popped element's head. */
static uint16_t device_serve_one(struct fake_vq *p, uint8_t fill)
{
        struct vdq_elem *e = malloc(sizeof(*e));
        assert_non_null(e);
        assert_int_equal(vdq_pop(&p->dq, e), CCADA_OK);
        uint8_t data[1024];
        assert_true(e->in_len <= sizeof(data));
        memset(data, fill, sizeof(data));
        assert_int_equal(vdq_write_in(&p->dq, e, 0, data, (size_t)e->in_len), CCADA_OK);
        uint16_t head = e->head;
        assert_int_equal(vdq_push(&p->dq, head, (uint32_t)e->in_len), CCADA_OK);
        free(e);
        return head;
}

static uint16_t rd_le16(struct fake_vq *p, uint64_t addr) { return ld_le16(fake_ptr(p->m, addr, 2)); }

static void vq_init_rejects_bad_queue_size(void **state)
{
        (void)state;
        struct fake_vq p;
        fake_vq_setup(&p, 8, false, false);
        struct virtqueue vq;
        struct vq_config c = p.cfg;
        const uint16_t bad[] = { 0, 3, 6, 100 };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                c.qsz = bad[i];
                assert_int_equal(vq_init(&vq, &p.m->k, &c), CCADA_E_INVAL);
        }
        c = p.cfg;
        c.desc.dma += 8; /* descriptor table must be 16-aligned  virtio 1.2 §2.7 */
        assert_int_equal(vq_init(&vq, &p.m->k, &c), CCADA_E_INVAL);
        fake_vq_teardown(&p);
}

static void vq_add_mixed_out_in_chain_device_sees_buffers_in_order(void **state)
{
        (void)state;
        struct fake_vq p;
        fake_vq_setup(&p, 8, false, false);
        uint64_t hdr = fake_alloc(p.m, 16, 8, 0x11);
        uint64_t out = fake_alloc(p.m, 512, 8, 0x22);
        uint64_t in = fake_alloc(p.m, 512, 8, 0x00);
        uint64_t status = fake_alloc(p.m, 1, 1, 0xFF);
        struct vq_buf bufs[] = { { hdr, 16 }, { out, 512 }, { in, 512 }, { status, 1 } };
        assert_int_equal(vq_add(&p.vq, bufs, 2, 2, 0xABCD), CCADA_OK);
        assert_int_equal(vq_num_free(&p.vq), 4);

        struct vdq_elem *e = malloc(sizeof(*e));
        assert_non_null(e);
        assert_int_equal(vdq_pop(&p.dq, e), CCADA_OK);
        assert_int_equal(e->n_out, 2);
        assert_int_equal(e->n_in, 2);
        assert_int_equal(e->out_len, 528);
        assert_int_equal(e->in_len, 513);
        for (unsigned i = 0; i < 4; i++) {
                assert_int_equal(e->segs[i].gpa, bufs[i].addr);
                assert_int_equal(e->segs[i].len, bufs[i].len);
        }
        uint8_t got[528];
        assert_int_equal(vdq_read_out(&p.dq, e, 0, got, sizeof(got)), CCADA_OK);
        assert_int_equal(got[0], 0x11);
        assert_int_equal(got[15], 0x11);
        assert_int_equal(got[16], 0x22);
        assert_int_equal(got[527], 0x22);
        uint8_t data[513];
        memset(data, 0x77, sizeof(data));
        data[512] = 0; /* VIRTIO_BLK_S_OK */
        assert_int_equal(vdq_write_in(&p.dq, e, 0, data, sizeof(data)), CCADA_OK);
        assert_int_equal(vdq_push(&p.dq, e->head, 513), CCADA_OK);
        free(e);

        uint64_t token = 0;
        uint32_t len = 0;
        assert_int_equal(vq_get_used(&p.vq, &token, &len), CCADA_OK);
        assert_int_equal(token, 0xABCD);
        assert_int_equal(len, 513);
        assert_int_equal(vq_num_free(&p.vq), 8);
        assert_int_equal(fake_ptr(p.m, in, 512)[511], 0x77);
        assert_int_equal(fake_ptr(p.m, status, 1)[0], 0);
        assert_true(fake_canaries_intact(p.m));
        assert_true(fake_trace_contains(p.m, "virtio_complete: dev=virtio0 vq=0 id=0 len=513"));
        fake_vq_teardown(&p);
}

static void vq_add_full_ring_returns_nospc_then_succeeds_after_completion(void **state)
{
        (void)state;
        struct fake_vq p;
        fake_vq_setup(&p, 4, false, false);
        uint64_t a = fake_alloc(p.m, 64, 8, 0);
        struct vq_buf two[] = { { a, 16 }, { a + 16, 16 } };
        assert_int_equal(vq_add(&p.vq, two, 1, 1, 1), CCADA_OK);
        assert_int_equal(vq_add(&p.vq, two, 1, 1, 2), CCADA_OK);
        assert_int_equal(vq_num_free(&p.vq), 0);
        assert_int_equal(vq_add(&p.vq, two, 1, 1, 3), CCADA_E_NOSPC);
        assert_int_equal(vq_add(&p.vq, two, 1, 0, 3), CCADA_E_NOSPC);
        /* A failed add publishes nothing. */
        assert_int_equal(rd_le16(&p, p.cfg.avail.cpu + VRING_AVAIL_OFF_IDX), 2);

        (void)device_serve_one(&p, 0x33);
        uint64_t token;
        uint32_t len;
        assert_int_equal(vq_get_used(&p.vq, &token, &len), CCADA_OK);
        assert_int_equal(token, 1);
        assert_int_equal(vq_add(&p.vq, two, 1, 1, 3), CCADA_OK);
        assert_int_equal(vq_num_in_flight(&p.vq), 2);
        assert_true(fake_canaries_intact(p.m));
        fake_vq_teardown(&p);
}

static void vq_add_chain_longer_than_queue_returns_inval(void **state)
{
        (void)state;
        struct fake_vq p;
        fake_vq_setup(&p, 4, false, false);
        uint64_t a = fake_alloc(p.m, 64, 8, 0);
        struct vq_buf five[5];
        for (unsigned i = 0; i < 5; i++)
                five[i] = (struct vq_buf){ a + 8 * i, 8 };
        assert_int_equal(vq_add(&p.vq, five, 5, 0, 1), CCADA_E_INVAL);
        assert_int_equal(vq_add(&p.vq, five, 0, 0, 1), CCADA_E_INVAL);
        struct vq_buf huge[] = { { a, UINT32_MAX }, { a, 1 } };
        assert_int_equal(vq_add(&p.vq, huge, 1, 1, 1), CCADA_E_INVAL); /* > 2^32 - 1 bytes */
        assert_int_equal(vq_num_free(&p.vq), 4);
        fake_vq_teardown(&p);
}

/* Runs total requests in batches of 1..qsz/2 two-descriptor requests; every completion
 * must come back with its own token and length. */
static void run_requests(struct fake_vq *p, unsigned total, uint16_t qsz)
{
        uint64_t bufs = fake_alloc(p->m, (size_t)qsz * 32, 16, 0);
        uint64_t next_token = 0, done = 0;
        unsigned batch = 1;

        while (done < total) {
                unsigned n = 0;
                for (; n < batch && next_token < total; n++, next_token++) {
                        uint64_t b = bufs + (next_token % qsz) * 32;
                        struct vq_buf req[] = { { b, 16 }, { b + 16, 1 + (uint32_t)(next_token % 16) } };
                        assert_int_equal(vq_add(&p->vq, req, 1, 1, next_token), CCADA_OK);
                }
                bool notify;
                assert_int_equal(vq_kick_prepare(&p->vq, &notify), CCADA_OK);
                for (unsigned i = 0; i < n; i++)
                        (void)device_serve_one(p, (uint8_t)i);
                for (unsigned i = 0; i < n; i++, done++) {
                        uint64_t token;
                        uint32_t len;
                        assert_int_equal(vq_get_used(&p->vq, &token, &len), CCADA_OK);
                        assert_int_equal(token, done);
                        assert_int_equal(len, 1 + done % 16);
                }
                batch = batch % (qsz / 2) + 1;
        }
}

static void vq_indices_wrap_after_70000_requests_on_small_queue(void **state)
{
        (void)state;
        const unsigned total = 70000; /* > 65536: both 16-bit indices wrap */
        struct fake_vq p;
        fake_vq_setup(&p, 4, false, false);
        run_requests(&p, total, 4);
        assert_int_equal(rd_le16(&p, p.cfg.avail.cpu + VRING_AVAIL_OFF_IDX), (uint16_t)total);
        assert_int_equal(rd_le16(&p, p.cfg.used.cpu + VRING_USED_OFF_IDX), (uint16_t)total);
        assert_int_equal(vq_num_free(&p.vq), 4);
        assert_false(vq_is_broken(&p.vq));
        assert_true(fake_canaries_intact(p.m));
        fake_vq_teardown(&p);
}

static void vq_indices_wrap_with_indirect_and_event_idx(void **state)
{
        (void)state;
        struct fake_vq p;
        fake_vq_setup(&p, 8, true, true);
        run_requests(&p, 66000, 8);
        assert_int_equal(vq_num_free(&p.vq), 8);
        assert_true(fake_canaries_intact(p.m));
        fake_vq_teardown(&p);
}

static void vq_add_indirect_uses_one_ring_descriptor_per_request(void **state)
{
        (void)state;
        struct fake_vq p;
        fake_vq_setup(&p, 4, true, false);
        uint64_t a = fake_alloc(p.m, 256, 16, 0);
        struct vq_buf three[] = { { a, 16 }, { a + 16, 64 }, { a + 80, 1 } };
        for (uint64_t t = 0; t < 4; t++)
                assert_int_equal(vq_add(&p.vq, three, 1, 2, t), CCADA_OK);
        assert_int_equal(vq_num_free(&p.vq), 0);
        assert_int_equal(vq_add(&p.vq, three, 1, 2, 9), CCADA_E_NOSPC);

        /* The ring descriptor of each head is INDIRECT and points into the table area. */
        struct vring_desc d;
        assert_true(vring_desc_decode(fake_ptr(p.m, p.cfg.desc.cpu, 16), 16, &d));
        assert_int_equal(d.flags, VRING_DESC_F_INDIRECT);
        assert_int_equal(d.len, 3 * VRING_DESC_SIZE);
        assert_int_equal(d.addr, p.cfg.indirect_area.dma);

        struct vdq_elem *e = malloc(sizeof(*e));
        assert_non_null(e);
        for (uint64_t t = 0; t < 4; t++) {
                assert_int_equal(vdq_pop(&p.dq, e), CCADA_OK);
                assert_int_equal(e->n_out, 1);
                assert_int_equal(e->n_in, 2);
                assert_int_equal(e->in_len, 65);
                assert_int_equal(e->segs[1].gpa, a + 16);
                assert_int_equal(vdq_push(&p.dq, e->head, 65), CCADA_OK);
        }
        free(e);
        for (uint64_t t = 0; t < 4; t++) {
                uint64_t token;
                uint32_t len;
                assert_int_equal(vq_get_used(&p.vq, &token, &len), CCADA_OK);
                assert_int_equal(token, t);
                assert_int_equal(len, 65);
        }
        /* A single buffer never goes indirect. */
        assert_int_equal(vq_add(&p.vq, three, 1, 0, 5), CCADA_OK);
        uint16_t head = rd_le16(&p, p.cfg.avail.cpu + vring_avail_ring_off(0));
        assert_true(vring_desc_decode(fake_ptr(p.m, p.cfg.desc.cpu + vring_desc_off(head), 16), 16, &d));
        assert_int_equal(d.flags, 0);
        assert_int_equal(d.addr, a);
        assert_true(fake_canaries_intact(p.m));
        fake_vq_teardown(&p);
}

static void vq_add_more_than_indirect_max_falls_back_to_chain(void **state)
{
        (void)state;
        struct fake_vq p;
        fake_vq_setup(&p, 64, true, false);
        uint64_t a = fake_alloc(p.m, 64 * 8, 16, 0);
        struct vq_buf many[VQ_INDIRECT_MAX + 1];
        for (unsigned i = 0; i < VQ_INDIRECT_MAX + 1; i++)
                many[i] = (struct vq_buf){ a + 8 * i, 8 };
        assert_int_equal(vq_add(&p.vq, many, 10, VQ_INDIRECT_MAX + 1 - 10, 7), CCADA_OK);
        assert_int_equal(vq_num_free(&p.vq), 64 - (VQ_INDIRECT_MAX + 1));
        (void)device_serve_one(&p, 1);
        uint64_t token;
        uint32_t len;
        assert_int_equal(vq_get_used(&p.vq, &token, &len), CCADA_OK);
        assert_int_equal(len, (VQ_INDIRECT_MAX + 1 - 10) * 8);
        assert_int_equal(vq_num_free(&p.vq), 64);
        fake_vq_teardown(&p);
}

static void vq_kick_prepare_event_idx_suppresses_until_avail_event(void **state)
{
        (void)state;
        struct fake_vq p;
        fake_vq_setup(&p, 8, false, true);
        uint64_t a = fake_alloc(p.m, 64, 8, 0);
        struct vq_buf b[] = { { a, 8 } };
        bool notify;

        assert_int_equal(vq_kick_prepare(&p.vq, &notify), CCADA_OK);
        assert_false(notify); /* nothing added */
        assert_int_equal(vq_add(&p.vq, b, 1, 0, 0), CCADA_OK);
        assert_int_equal(vq_kick_prepare(&p.vq, &notify), CCADA_OK);
        assert_true(notify); /* avail_event 0: notify when idx passes 0 */
        assert_true(fake_trace_contains(p.m, "virtio_notify: dev=virtio0 vq=0 avail_idx=1"));

        (void)device_serve_one(&p, 0); /* pops, avail_event := 1 */
        assert_int_equal(vq_add(&p.vq, b, 1, 0, 1), CCADA_OK);
        assert_int_equal(vq_kick_prepare(&p.vq, &notify), CCADA_OK);
        assert_true(notify);

        /* The device stops moving avail_event (it is busy and will poll). */
        assert_int_equal(vdq_set_notification(&p.dq, false), CCADA_OK);
        (void)device_serve_one(&p, 0);
        assert_int_equal(vq_add(&p.vq, b, 1, 0, 2), CCADA_OK);
        assert_int_equal(vq_kick_prepare(&p.vq, &notify), CCADA_OK);
        assert_false(notify); /* avail_event still 1, idx went 2 -> 3 */

        assert_int_equal(vdq_set_notification(&p.dq, true), CCADA_OK);
        (void)device_serve_one(&p, 0); /* catches up, avail_event := 3 */
        assert_int_equal(vq_add(&p.vq, b, 1, 0, 3), CCADA_OK);
        assert_int_equal(vq_kick_prepare(&p.vq, &notify), CCADA_OK);
        assert_true(notify);
        assert_int_equal(p.vq.notifies, 3);
        fake_vq_teardown(&p);
}

static void vq_kick_prepare_no_notify_flag_suppresses_without_event_idx(void **state)
{
        (void)state;
        struct fake_vq p;
        fake_vq_setup(&p, 8, false, false);
        uint64_t a = fake_alloc(p.m, 64, 8, 0);
        struct vq_buf b[] = { { a, 8 } };
        bool notify;

        assert_int_equal(vdq_set_notification(&p.dq, false), CCADA_OK);
        assert_int_equal(vq_add(&p.vq, b, 1, 0, 0), CCADA_OK);
        assert_int_equal(vq_kick_prepare(&p.vq, &notify), CCADA_OK);
        assert_false(notify);
        assert_int_equal(vdq_set_notification(&p.dq, true), CCADA_OK);
        assert_int_equal(vq_add(&p.vq, b, 1, 0, 1), CCADA_OK);
        assert_int_equal(vq_kick_prepare(&p.vq, &notify), CCADA_OK);
        assert_true(notify);
        fake_vq_teardown(&p);
}

static void vdq_should_notify_event_idx_honours_used_event(void **state)
{
        (void)state;
        struct fake_vq p;
        fake_vq_setup(&p, 8, false, true);
        uint64_t a = fake_alloc(p.m, 64, 8, 0);
        struct vq_buf b[] = { { a, 8 } };
        bool notify, pending;
        uint64_t token;
        uint32_t len;

        assert_int_equal(vq_enable_cb(&p.vq, &pending), CCADA_OK); /* used_event := 0 */
        assert_false(pending);
        for (uint64_t t = 0; t < 5; t++)
                assert_int_equal(vq_add(&p.vq, b, 1, 0, t), CCADA_OK);
        assert_int_equal(vdq_should_notify(&p.dq, &notify), CCADA_OK);
        assert_false(notify); /* nothing pushed */
        (void)device_serve_one(&p, 0);
        assert_int_equal(vdq_should_notify(&p.dq, &notify), CCADA_OK);
        assert_true(notify); /* used idx passed used_event 0 */
        (void)device_serve_one(&p, 0);
        assert_int_equal(vdq_should_notify(&p.dq, &notify), CCADA_OK);
        assert_false(notify); /* the driver has not consumed: suppressed */

        assert_int_equal(vq_get_used(&p.vq, &token, &len), CCADA_OK);
        assert_int_equal(vq_get_used(&p.vq, &token, &len), CCADA_OK); /* used_event := 2 */
        (void)device_serve_one(&p, 0);
        assert_int_equal(vdq_should_notify(&p.dq, &notify), CCADA_OK);
        assert_true(notify);

        /* Callbacks off: used_event stays behind, the device stays quiet. */
        assert_int_equal(vq_disable_cb(&p.vq), CCADA_OK);
        assert_int_equal(vq_get_used(&p.vq, &token, &len), CCADA_OK);
        (void)device_serve_one(&p, 0);
        assert_int_equal(vdq_should_notify(&p.dq, &notify), CCADA_OK);
        assert_false(notify);
        /* With EVENT_IDX the driver never sets avail.flags.  virtio 1.2 §2.7.10 */
        assert_int_equal(rd_le16(&p, p.cfg.avail.cpu + VRING_AVAIL_OFF_FLAGS), 0);

        assert_int_equal(vq_enable_cb(&p.vq, &pending), CCADA_OK);
        assert_true(pending); /* completion 4 already there: poll instead of waiting */
        fake_vq_teardown(&p);
}

static void vdq_should_notify_no_interrupt_flag_suppresses_without_event_idx(void **state)
{
        (void)state;
        struct fake_vq p;
        fake_vq_setup(&p, 8, false, false);
        uint64_t a = fake_alloc(p.m, 64, 8, 0);
        struct vq_buf b[] = { { a, 8 } };
        bool notify, pending;

        assert_int_equal(vq_disable_cb(&p.vq), CCADA_OK);
        assert_int_equal(rd_le16(&p, p.cfg.avail.cpu + VRING_AVAIL_OFF_FLAGS), VRING_AVAIL_F_NO_INTERRUPT);
        assert_int_equal(vq_add(&p.vq, b, 1, 0, 0), CCADA_OK);
        assert_int_equal(vq_add(&p.vq, b, 1, 0, 1), CCADA_OK);
        (void)device_serve_one(&p, 0);
        assert_int_equal(vdq_should_notify(&p.dq, &notify), CCADA_OK);
        assert_false(notify);
        assert_int_equal(vq_enable_cb(&p.vq, &pending), CCADA_OK);
        assert_true(pending);
        (void)device_serve_one(&p, 0);
        assert_int_equal(vdq_should_notify(&p.dq, &notify), CCADA_OK);
        assert_true(notify);
        fake_vq_teardown(&p);
}

static void vq_get_used_nothing_completed_returns_busy(void **state)
{
        (void)state;
        struct fake_vq p;
        fake_vq_setup(&p, 8, false, false);
        uint64_t token = 99;
        uint32_t len = 99;
        assert_int_equal(vq_get_used(&p.vq, &token, &len), CCADA_E_BUSY);
        assert_int_equal(token, 99);
        assert_int_equal(len, 99);
        assert_false(vq_is_broken(&p.vq));
        fake_vq_teardown(&p);
}

static void vq_detach_ignores_descriptor_table_rewritten_by_device(void **state)
{
        (void)state;
        struct fake_vq p;
        fake_vq_setup(&p, 4, false, false);
        uint64_t a = fake_alloc(p.m, 64, 8, 0);
        struct vq_buf three[] = { { a, 8 }, { a + 8, 8 }, { a + 16, 8 } };
        assert_int_equal(vq_add(&p.vq, three, 1, 2, 5), CCADA_OK);
        struct vdq_elem *e = malloc(sizeof(*e));
        assert_non_null(e);
        assert_int_equal(vdq_pop(&p.dq, e), CCADA_OK);
        /* The host scribbles over the whole descriptor table (next pointers, flags...). */
        memset(fake_ptr(p.m, p.cfg.desc.cpu, vring_desc_table_size(4)), 0xFF, vring_desc_table_size(4));
        assert_int_equal(vdq_push(&p.dq, e->head, 16), CCADA_OK);
        uint64_t token;
        uint32_t len;
        assert_int_equal(vq_get_used(&p.vq, &token, &len), CCADA_OK);
        assert_int_equal(token, 5);
        assert_int_equal(vq_num_free(&p.vq), 4);
        /* The private free list is intact: the whole ring is usable again. */
        struct vq_buf four[] = { { a, 8 }, { a + 8, 8 }, { a + 16, 8 }, { a + 24, 8 } };
        assert_int_equal(vq_add(&p.vq, four, 2, 2, 6), CCADA_OK);
        assert_int_equal(vdq_pop(&p.dq, e), CCADA_OK);
        assert_int_equal(e->n_out + e->n_in, 4);
        free(e);
        assert_true(fake_canaries_intact(p.m));
        fake_vq_teardown(&p);
}

/* ---- indirect tables through the DMA API (virtqueue_add_split with use_dma_api) ---- */

struct table_log {
        unsigned maps, unmaps;
        bool fail;
        uint64_t dma;
        size_t len;
};

static ccada_status table_map(void *ctx, uint64_t ipa, size_t len, uint64_t *dma)
{
        struct table_log *l = ctx;
        l->maps++;
        if (l->fail)
                return CCADA_E_NOSPC; /* a full bounce pool */
        *dma = ipa; /* the fake's memory is the device's: an identity mapping */
        l->dma = ipa;
        l->len = len;
        return CCADA_OK;
}

static void table_unmap(void *ctx, uint64_t dma, size_t len)
{
        struct table_log *l = ctx;
        assert_int_equal(dma, l->dma);
        assert_int_equal(len, l->len);
        l->unmaps++;
}

static const struct vq_dma_ops table_ops = { table_map, table_unmap };

/* An indirect queue whose tables go through table_ops. */
static void setup_dma_api(struct fake_vq *p, struct table_log *l)
{
        fake_vq_setup(p, 8, true, false);
        struct vq_config c = p->cfg;
        c.dma = &table_ops;
        c.dma_ctx = l;
        vq_destroy(&p->vq);
        assert_int_equal(vq_init(&p->vq, &p->m->k, &c), CCADA_OK);
}

static void add_three(struct fake_vq *p, uint64_t token, ccada_status want)
{
        struct vq_buf bufs[3] = {
                { fake_alloc(p->m, 16, 8, 0x11), 16 },
                { fake_alloc(p->m, 64, 8, 0x22), 64 },
                { fake_alloc(p->m, 1, 8, 0x00), 1 },
        };
        assert_int_equal(vq_add(&p->vq, bufs, 2, 1, token), want);
}

static void vq_indirect_table_is_mapped_after_buffers_and_unmapped_on_completion(void **state)
{
        struct fake_vq p;
        struct table_log l = { 0 };
        uint64_t token;
        uint32_t len;
        (void)state;
        setup_dma_api(&p, &l);
        add_three(&p, 5, CCADA_OK);
        assert_int_equal(l.maps, 1);
        assert_int_equal(l.len, 3 * VRING_DESC_SIZE);
        assert_int_equal(l.unmaps, 0); /* the device still reads it */
        device_serve_one(&p, 0xAB);
        assert_int_equal(vq_get_used(&p.vq, &token, &len), CCADA_OK);
        assert_int_equal(token, 5);
        assert_int_equal(l.unmaps, 1);
        fake_vq_teardown(&p);
}

static void vq_indirect_table_map_failure_posts_nothing_and_leaves_the_queue_working(void **state)
{
        struct fake_vq p;
        struct table_log l = { .fail = true };
        (void)state;
        setup_dma_api(&p, &l);
        add_three(&p, 5, CCADA_E_NOSPC);
        assert_false(vq_is_broken(&p.vq));
        assert_int_equal(vq_num_free(&p.vq), 8);
        assert_int_equal(rd_le16(&p, p.cfg.avail.cpu + VRING_AVAIL_OFF_IDX), 0);
        assert_int_equal(l.unmaps, 0);
        l.fail = false; /* slots freed: the retry goes through */
        add_three(&p, 6, CCADA_OK);
        assert_int_equal(rd_le16(&p, p.cfg.avail.cpu + VRING_AVAIL_OFF_IDX), 1);
        fake_vq_teardown(&p);
}

static void vq_detach_unused_unmaps_the_indirect_table(void **state)
{
        struct fake_vq p;
        struct table_log l = { 0 };
        uint64_t token;
        (void)state;
        setup_dma_api(&p, &l);
        add_three(&p, 9, CCADA_OK);
        assert_true(vq_detach_unused(&p.vq, &token));
        assert_int_equal(token, 9);
        assert_int_equal(l.unmaps, 1);
        fake_vq_teardown(&p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(vq_init_rejects_bad_queue_size),
                cmocka_unit_test(vq_indirect_table_is_mapped_after_buffers_and_unmapped_on_completion),
                cmocka_unit_test(vq_indirect_table_map_failure_posts_nothing_and_leaves_the_queue_working),
                cmocka_unit_test(vq_detach_unused_unmaps_the_indirect_table),
                cmocka_unit_test(vq_add_mixed_out_in_chain_device_sees_buffers_in_order),
                cmocka_unit_test(vq_add_full_ring_returns_nospc_then_succeeds_after_completion),
                cmocka_unit_test(vq_add_chain_longer_than_queue_returns_inval),
                cmocka_unit_test(vq_indices_wrap_after_70000_requests_on_small_queue),
                cmocka_unit_test(vq_indices_wrap_with_indirect_and_event_idx),
                cmocka_unit_test(vq_add_indirect_uses_one_ring_descriptor_per_request),
                cmocka_unit_test(vq_add_more_than_indirect_max_falls_back_to_chain),
                cmocka_unit_test(vq_kick_prepare_event_idx_suppresses_until_avail_event),
                cmocka_unit_test(vq_kick_prepare_no_notify_flag_suppresses_without_event_idx),
                cmocka_unit_test(vdq_should_notify_event_idx_honours_used_event),
                cmocka_unit_test(vdq_should_notify_no_interrupt_flag_suppresses_without_event_idx),
                cmocka_unit_test(vq_get_used_nothing_completed_returns_busy),
                cmocka_unit_test(vq_detach_ignores_descriptor_table_rewritten_by_device),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
