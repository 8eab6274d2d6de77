/* Realm virtio-blk driver and the blk-test app, end to end against a test-only device
 * served by src/host/virtqueue_dev.c over the fake guest memory: probe-time config
 * validation, argument checks, bounce buffering, hostile completions.  virtio 1.2 §5.2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_pci_dev.h"
#include "fake_pci_kernel.h"
#include "proto/virtio.h"
#include "proto/virtio_blk.h"
#include "realm/apps/blk_test.h"
#include "realm/pci.h"
#include "realm/swiotlb.h"
#include "realm/virtio_blk.h"

struct ctx {
        struct realm_kernel *k;
        struct fdev *d;
        struct swiotlb *tlb;
        struct pci_root root;
        struct virtio_blk *b;
        FILE *trace_pipe;
        char *trace_text;
        size_t trace_len;
        uint64_t buf;           /* 2 MiB private buffer */
};

#define BUF_PAGES 512u

/* pool_bytes: the Realm's bounce pool (0: the default) */
static int setup_kernel(void **state, bool realm, size_t pool_bytes)
{
        struct ctx *c = calloc(1, sizeof(*c));
        struct swiotlb_config cfg = { .size = pool_bytes };
        c->k = fake_kernel_new(realm);
        c->d = fdev_new(c->k);
        if (realm) {
                assert_int_equal(swiotlb_init(c->k, &cfg, &c->tlb), CCADA_OK);
                fake_kernel_set_swiotlb(c->k, c->tlb);
        }
        assert_true(trace_set_events(rk_trace(c->k), "all"));
        c->trace_pipe = open_memstream(&c->trace_text, &c->trace_len);
        trace_set_pipe(rk_trace(c->k), c->trace_pipe);
        assert_int_equal(rk_alloc_pages(c->k, BUF_PAGES, &c->buf), CCADA_OK);
        *state = c;
        return 0;
}

static int setup(void **state) { return setup_kernel(state, true, 0); }
/* A Realm whose bounce pool is 256 KiB (128 slots): four 64 KiB writes in flight do not fit. */
static int setup_small_pool(void **state) { return setup_kernel(state, true, 256u << 10); }
static int setup_normal_vm(void **state) { return setup_kernel(state, false, 0); }

static int teardown(void **state)
{
        struct ctx *c = *state;
        virtio_blk_destroy(c->b);
        if (c->tlb) {
                struct swiotlb_stats st;
                swiotlb_get_stats(c->tlb, &st);
                assert_int_equal(st.used, 0); /* no mapping leaked, on any path */
        }
        swiotlb_destroy(c->tlb);
        assert_int_equal(fake_kernel_bad_frees(c->k), 0);
        trace_set_pipe(rk_trace(c->k), NULL);
        fclose(c->trace_pipe);
        free(c->trace_text);
        fdev_free(c->d);
        fake_kernel_free(c->k);
        free(c);
        return 0;
}

static bool logged(const struct ctx *c, const char *s)
{
        return fake_kernel_log_count(c->k, s) > 0;
}

static bool traced(struct ctx *c, const char *s)
{
        fflush(c->trace_pipe);
        return c->trace_text && strstr(c->trace_text, s);
}

static ccada_status probe(struct ctx *c)
{
        return virtio_blk_probe_first(c->k, &c->root, &c->b);
}

static void probe_ok(struct ctx *c)
{
        assert_int_equal(probe(c), CCADA_OK);
        assert_non_null(c->b);
}

/* Fills n bytes of the private buffer at off with a byte pattern from seed. */
static void fill(struct ctx *c, uint64_t off, size_t n, uint8_t seed)
{
        uint8_t *tmp = malloc(n);
        for (size_t i = 0; i < n; i++)
                tmp[i] = (uint8_t)(seed + i * 7 + (i >> 9));
        assert_int_equal(rk_write(c->k, c->buf + off, tmp, n), CCADA_OK);
        free(tmp);
}

static bool same(struct ctx *c, uint64_t off_a, uint64_t off_b, size_t n)
{
        uint8_t *a = malloc(n), *b = malloc(n);
        assert_int_equal(rk_read(c->k, c->buf + off_a, a, n), CCADA_OK);
        assert_int_equal(rk_read(c->k, c->buf + off_b, b, n), CCADA_OK);
        bool eq = memcmp(a, b, n) == 0;
        free(a);
        free(b);
        return eq;
}

/* The n-th swiotlb_bounced line's size in the trace (from 0); -1 when there are fewer. */
static long bounced_size(struct ctx *c, unsigned n)
{
        fflush(c->trace_pipe);
        const char *p = c->trace_text;
        for (unsigned i = 0; p && (p = strstr(p, ": swiotlb_bounced: ")) != NULL; i++, p++) {
                if (i == n) {
                        const char *s = strstr(p, " size=");
                        return s ? strtol(s + 6, NULL, 10) : -1;
                }
        }
        return -1;
}

/* Linux's virtqueue_add_split with the DMA API: the request's buffers are mapped (header,
 * data, status), then the indirect table, kmalloc'd in private memory, is mapped
 * DMA_TO_DEVICE: one more bounce of 16 bytes per descriptor; unmapped on completion. */
static void virtio_blk_indirect_table_is_bounced_after_request_buffers(void **state)
{
        struct ctx *c = *state;
        struct swiotlb_stats st;
        probe_ok(c);
        assert_true(virtio_blk_features(c->b) & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
        fill(c, 0, 4096, 7);
        assert_int_equal(virtio_blk_write(c->b, 8, c->buf, 4096), CCADA_OK);
        assert_int_equal(bounced_size(c, 0), 16);       /* virtio_blk_outhdr */
        assert_int_equal(bounced_size(c, 1), 4096);     /* the data */
        assert_int_equal(bounced_size(c, 2), 1);        /* the status byte */
        assert_int_equal(bounced_size(c, 3), 3 * 16);   /* the table of three descriptors */
        assert_int_equal(bounced_size(c, 4), -1);
        swiotlb_get_stats(c->tlb, &st);
        assert_int_equal(st.used, 0);                   /* every mapping undone, the table's too */
        assert_int_equal(st.bounces, 4);
        /* the status byte (FROM_DEVICE) is copied at map and back at unmap (CVE-2022-0854) */
        assert_int_equal(st.bounced_bytes, 16 + 4096 + 2 * 1 + 48);
}

/* virtio_queue_rq maps and adds under spin_lock_irqsave: the bounces are traced with
 * interrupts masked and one preemption level. */
static void virtio_blk_maps_under_the_queue_lock_with_irqs_off(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        fill(c, 0, 4096, 3);
        assert_int_equal(virtio_blk_write(c->b, 0, c->buf, 4096), CCADA_OK);
        assert_true(traced(c, "] d..1. "));
        fflush(c->trace_pipe);
        for (const char *p = c->trace_text; (p = strstr(p, ": swiotlb_bounced: ")) != NULL; p++) {
                const char *line = p;
                while (line > c->trace_text && line[-1] != '\n')
                        line--;
                assert_non_null(strstr(line, "] d..1. "));
                assert_true(strstr(line, "] d..1. ") < p); /* in this line's prefix */
        }
        /* and the lock is given back: later events read "....." again */
        assert_string_equal(trace_get_who(rk_trace(c->k)).flags, ".....");
}

/* Four 64 KiB writes of one batch, sectors 0, 128, 256, 384 of the buffer's first 256 KiB. */
static ccada_status write_four(struct ctx *c, struct virtio_blk_io ios[4], struct blk_seg segs[4])
{
        for (unsigned i = 0; i < 4; i++) {
                segs[i] = (struct blk_seg){ c->buf + (uint64_t)i * (64 << 10), 64 << 10 };
                ios[i] = (struct virtio_blk_io){ .write = true, .sector = (uint64_t)i * 128, .segs = &segs[i], .nseg = 1 };
        }
        return virtio_blk_submit(c->b, ios, 4);
}

/* blk-mq feeds virtio_queue_rq while tags are free: a batch goes in flight at once. */
static void virtio_blk_submit_keeps_requests_in_flight_up_to_the_queue_depth(void **state)
{
        struct ctx *c = *state;
        struct virtio_blk_io ios[4];
        struct blk_seg segs[4];
        struct virtio_blk_stats st;
        probe_ok(c);
        fill(c, 0, 256 << 10, 9);
        assert_int_equal(write_four(c, ios, segs), CCADA_OK);
        for (unsigned i = 0; i < 4; i++)
                assert_int_equal(ios[i].result, CCADA_OK);
        virtio_blk_get_stats(c->b, &st);
        assert_int_equal(st.max_in_flight, 4);
        assert_int_equal(st.requests, 4);
        assert_int_equal(st.queue_depth, 128); /* Linux's default: the queue's descriptors (indirect) */
        assert_int_equal(c->d->notifies, 1);  /* one notify for the batch */
        assert_int_equal(virtio_blk_read(c->b, 0, c->buf + (1 << 20), 256 << 10), CCADA_OK);
        assert_true(same(c, 0, 1 << 20, 256 << 10));
}

/* Linux's virtio_blk.queue_depth module parameter, on the kernel command line. */
static void virtio_blk_queue_depth_comes_from_the_command_line(void **state)
{
        struct ctx *c = *state;
        struct virtio_blk_io ios[4];
        struct blk_seg segs[4];
        struct virtio_blk_stats st;
        fake_kernel_set_cmdline(c->k, "console=x virtio_blk.queue_depth=2");
        probe_ok(c);
        fill(c, 0, 256 << 10, 5);
        assert_int_equal(write_four(c, ios, segs), CCADA_OK);
        virtio_blk_get_stats(c->b, &st);
        assert_int_equal(st.queue_depth, 2);
        assert_int_equal(st.max_in_flight, 2);
        assert_int_equal(st.requests, 4);
}

/* A request that finds no bounce slots is requeued and issued after a completion
 * (BLK_STS_DEV_RESOURCE), never failed while others are in flight. */
static void virtio_blk_request_without_bounce_slots_is_requeued_not_failed(void **state)
{
        struct ctx *c = *state;
        struct virtio_blk_io ios[4];
        struct blk_seg segs[4];
        struct virtio_blk_stats st;
        struct swiotlb_stats ts;
        probe_ok(c);
        fill(c, 0, 256 << 10, 7);
        assert_int_equal(write_four(c, ios, segs), CCADA_OK);
        for (unsigned i = 0; i < 4; i++)
                assert_int_equal(ios[i].result, CCADA_OK);
        virtio_blk_get_stats(c->b, &st);
        swiotlb_get_stats(c->tlb, &ts);
        assert_true(st.requeues >= 1);
        assert_true(ts.full >= 1);
        assert_true(st.max_in_flight >= 2 && st.max_in_flight < 4);
        assert_int_equal(st.requests, 4);
        assert_int_equal(ts.used, 0);
        /* what reached the disk is what was written, every piece in its place */
        assert_int_equal(virtio_blk_read(c->b, 0, c->buf + (1 << 20), 64 << 10), CCADA_OK);
        assert_int_equal(virtio_blk_read(c->b, 384, c->buf + (1 << 20) + (192 << 10), 64 << 10), CCADA_OK);
        assert_true(same(c, 0, 1 << 20, 64 << 10));
        assert_true(same(c, 192 << 10, (1 << 20) + (192 << 10), 64 << 10));
}

/* A malformed io in a batch: nothing is issued, and its result says why. */
static void virtio_blk_submit_checks_every_io_before_issuing_any(void **state)
{
        struct ctx *c = *state;
        struct blk_seg good = { c->buf, 4096 }, bad = { c->buf, 100 };
        struct virtio_blk_io ios[2] = {
                { .write = true, .sector = 0, .segs = &good, .nseg = 1 },
                { .write = true, .sector = 8, .segs = &bad, .nseg = 1 },
        };
        struct virtio_blk_stats st;
        probe_ok(c);
        assert_int_equal(virtio_blk_submit(c->b, ios, 2), CCADA_E_INVAL);
        assert_int_equal(ios[0].result, CCADA_OK);
        assert_int_equal(ios[1].result, CCADA_E_INVAL);
        virtio_blk_get_stats(c->b, &st);
        assert_int_equal(st.requests, 0);
        assert_int_equal(virtio_blk_submit(c->b, NULL, 1), CCADA_E_INVAL);
        assert_int_equal(virtio_blk_submit(c->b, ios, 0), CCADA_E_INVAL);
}

/* ---- probe ---- */

static void virtio_blk_probe_first_binds_device_and_announces_it(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        assert_string_equal(virtio_blk_name(c->b), "0000:00:00.0");
        assert_int_equal(virtio_blk_capacity(c->b), FDEV_DISK_SECTORS);
        assert_non_null(c->root.devs[0].driver);
        /* as Linux prints them: the virtio device's name, sizes to three figures */
        assert_true(logged(c, "virtio_blk virtio0: 1/0/0 default/read/poll queues\n"
                              "virtio_blk virtio0: [vda] 8192 512-byte logical blocks (4.19 MB/4.00 MiB)\n"));
        assert_true(c->d->status & VIRTIO_STATUS_DRIVER_OK);
        assert_true(virtio_blk_features(c->b) & VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM));
        assert_int_equal(c->d->bad_access, 0);
        assert_int_equal(fake_kernel_mmio_alias_calls(c->k), 0);
}

static void virtio_blk_destroy_unbinds_so_device_can_be_probed_again(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        virtio_blk_destroy(c->b);
        c->b = NULL;
        assert_null(c->root.devs[0].driver);
        assert_int_equal(c->d->status, 0);
        probe_ok(c);
        /* the device's and the disk's numbers came back with it, as Linux's IDAs do */
        assert_int_equal(fake_kernel_log_count(c->k, "virtio_blk virtio0: [vda] "), 2);
        assert_int_equal(fake_kernel_log_count(c->k, "virtio1"), 0);
}

static void virtio_blk_probe_first_without_device_is_unsupported(void **state)
{
        struct ctx *c = *state;
        fdev_cfg_put(c->d->fns[0].cfg, PCI_DEVICE_ID, 2, 0x1041); /* virtio-net */
        assert_int_equal(probe(c), CCADA_E_UNSUPPORTED);
        assert_true(logged(c, "virtio_blk: no usable virtio-blk device"));
}

static void virtio_blk_probe_refuses_zero_capacity(void **state)
{
        struct ctx *c = *state;
        size_t free_before = fake_kernel_free_pages(c->k);
        fdev_cfg_put(c->d->blkcfg, VIRTIO_BLK_CFG_CAPACITY, 8, 0);
        assert_int_equal(probe(c), CCADA_E_PEER);
        assert_true(logged(c, "virtio_blk virtio0: invalid configuration: capacity 0 sectors"));
        assert_null(c->root.devs[0].driver);
        assert_int_equal(c->d->status, 0); /* reset on the way out */
        assert_int_equal(fake_kernel_free_pages(c->k), free_before);
}

static void virtio_blk_probe_refuses_absurd_capacity(void **state)
{
        struct ctx *c = *state;
        fdev_cfg_put(c->d->blkcfg, VIRTIO_BLK_CFG_CAPACITY, 8, UINT64_MAX);
        assert_int_equal(probe(c), CCADA_E_PEER);
        assert_true(logged(c, "capacity 18446744073709551615 sectors"));
}

static void virtio_blk_probe_refuses_blk_size_not_power_of_two(void **state)
{
        struct ctx *c = *state;
        fdev_cfg_put(c->d->blkcfg, VIRTIO_BLK_CFG_BLK_SIZE, 4, 1000);
        assert_int_equal(probe(c), CCADA_E_PEER);
        assert_true(logged(c, "invalid configuration: blk_size 1000"));
}

static void virtio_blk_probe_refuses_blk_size_below_sector(void **state)
{
        struct ctx *c = *state;
        fdev_cfg_put(c->d->blkcfg, VIRTIO_BLK_CFG_BLK_SIZE, 4, 256);
        assert_int_equal(probe(c), CCADA_E_PEER);
        assert_true(logged(c, "blk_size 256"));
}

static void virtio_blk_probe_ignores_blk_size_when_not_offered(void **state)
{
        struct ctx *c = *state;
        c->d->features &= ~VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE);
        fdev_cfg_put(c->d->blkcfg, VIRTIO_BLK_CFG_BLK_SIZE, 4, 1000);
        probe_ok(c);
}

static void virtio_blk_probe_refuses_seg_max_zero(void **state)
{
        struct ctx *c = *state;
        fdev_cfg_put(c->d->blkcfg, VIRTIO_BLK_CFG_SEG_MAX, 4, 0);
        assert_int_equal(probe(c), CCADA_E_PEER);
        assert_true(logged(c, "seg_max 0"));
}

static void virtio_blk_probe_refuses_size_max_below_sector(void **state)
{
        struct ctx *c = *state;
        fdev_cfg_put(c->d->blkcfg, VIRTIO_BLK_CFG_SIZE_MAX, 4, 100);
        assert_int_equal(probe(c), CCADA_E_PEER);
        assert_true(logged(c, "size_max 100"));
}

static void virtio_blk_probe_refuses_device_config_too_short(void **state)
{
        struct ctx *c = *state;
        fdev_put_vcap(c->d, FDEV_CAP_DEVICE, 0, 4 /* DEVICE_CFG */, 0, FDEV_DEVICE_OFF, 0x10, 0);
        assert_int_equal(probe(c), CCADA_E_PEER);
        assert_true(logged(c, "device configuration is missing or too short"));
}

static void virtio_blk_probe_in_realm_refuses_device_without_access_platform(void **state)
{
        struct ctx *c = *state;
        c->d->features &= ~VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM);
        assert_int_equal(probe(c), CCADA_E_UNSUPPORTED);
        assert_true(logged(c, "device must provide VIRTIO_F_ACCESS_PLATFORM"));
        assert_true(logged(c, "virtio_blk: probe of 0000:00:00.0 failed with CCADA_E_UNSUPPORTED"));
}

/* ---- argument validation ---- */

static void virtio_blk_read_rejects_zero_length(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        assert_int_equal(virtio_blk_read(c->b, 0, c->buf, 0), CCADA_E_INVAL);
        assert_int_equal(virtio_blk_write(c->b, 0, c->buf, 0), CCADA_E_INVAL);
        assert_int_equal(c->d->requests, 0);
}

static void virtio_blk_read_rejects_length_not_multiple_of_512(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        assert_int_equal(virtio_blk_read(c->b, 0, c->buf, 513), CCADA_E_INVAL);
        assert_int_equal(virtio_blk_write(c->b, 0, c->buf, 511), CCADA_E_INVAL);
        assert_int_equal(c->d->requests, 0);
}

static void virtio_blk_read_rejects_length_over_1mib(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        assert_int_equal(virtio_blk_read(c->b, 0, c->buf, VIRTIO_BLK_MAX_IO + 512), CCADA_E_INVAL);
        assert_int_equal(virtio_blk_write(c->b, 0, c->buf, VIRTIO_BLK_MAX_IO + 512), CCADA_E_INVAL);
        assert_int_equal(c->d->requests, 0);
}

static void virtio_blk_read_rejects_range_beyond_capacity(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        assert_int_equal(virtio_blk_read(c->b, FDEV_DISK_SECTORS - 1, c->buf, 1024), CCADA_E_RANGE);
        assert_int_equal(virtio_blk_write(c->b, FDEV_DISK_SECTORS, c->buf, 512), CCADA_E_RANGE);
        assert_int_equal(virtio_blk_read(c->b, UINT64_MAX, c->buf, 512), CCADA_E_RANGE);
        assert_int_equal(c->d->requests, 0);
        assert_int_equal(virtio_blk_read(c->b, FDEV_DISK_SECTORS - 1, c->buf, 512), CCADA_OK); /* last sector */
}

static void virtio_blk_readv_rejects_bad_segment_lists(void **state)
{
        struct ctx *c = *state;
        struct blk_seg segs[VIRTIO_BLK_MAX_SEGS + 1];
        for (unsigned i = 0; i <= VIRTIO_BLK_MAX_SEGS; i++)
                segs[i] = (struct blk_seg){ c->buf + i * 512ull, 512 };
        probe_ok(c);
        assert_int_equal(virtio_blk_readv(c->b, 0, segs, 0), CCADA_E_INVAL);
        assert_int_equal(virtio_blk_readv(c->b, 0, NULL, 1), CCADA_E_INVAL);
        assert_int_equal(virtio_blk_readv(c->b, 0, segs, VIRTIO_BLK_MAX_SEGS + 1), CCADA_E_INVAL);
        segs[1].len = 700;
        assert_int_equal(virtio_blk_writev(c->b, 0, segs, 2), CCADA_E_INVAL);
        assert_int_equal(c->d->requests, 0);
}

/* ---- data path ---- */

static void virtio_blk_write_then_read_in_realm_bounces_every_buffer(void **state)
{
        struct ctx *c = *state;
        struct virtio_blk_stats st;
        probe_ok(c);
        fill(c, 0, 64 << 10, 3);
        assert_int_equal(virtio_blk_write(c->b, 100, c->buf, 64 << 10), CCADA_OK);
        assert_int_equal(virtio_blk_read(c->b, 100, c->buf + (1 << 20), 64 << 10), CCADA_OK);
        assert_true(same(c, 0, 1 << 20, 64 << 10));
        assert_int_equal(c->d->private_segs, 0); /* the device only ever saw shared addresses */
        assert_true(c->d->notifies >= 1);
        assert_true(traced(c, "swiotlb_bounced"));
        assert_true(traced(c, "dev_name: 0000:00:00.0"));
        virtio_blk_get_stats(c->b, &st);
        assert_int_equal(st.requests, 2);
        assert_int_equal(st.bytes, 128 << 10);
        /* the data really went to the disk image */
        uint8_t first[4];
        assert_int_equal(rk_read(c->k, c->buf, first, 4), CCADA_OK);
        assert_memory_equal(c->d->disk + 100 * 512, first, 4);
}

static void virtio_blk_write_then_read_in_normal_vm_maps_directly(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        fill(c, 0, 8192, 9);
        assert_int_equal(virtio_blk_write(c->b, 7, c->buf, 8192), CCADA_OK);
        assert_int_equal(virtio_blk_read(c->b, 7, c->buf + 65536, 8192), CCADA_OK);
        assert_true(same(c, 0, 65536, 8192));
        assert_false(traced(c, "swiotlb_bounced"));
}

static void virtio_blk_writev_and_readv_three_segments_round_trip(void **state)
{
        struct ctx *c = *state;
        struct blk_seg w[3] = { { c->buf + 0x10000, 1024 }, { c->buf + 0x30000, 4096 }, { c->buf + 0x20000, 512 } };
        struct blk_seg r[3] = { { c->buf + 0x80000, 2048 }, { c->buf + 0x90000, 2560 }, { c->buf + 0xA0000, 1024 } };
        probe_ok(c);
        fill(c, 0x10000, 1024, 1);
        fill(c, 0x30000, 4096, 2);
        fill(c, 0x20000, 512, 3);
        assert_int_equal(virtio_blk_writev(c->b, 40, w, 3), CCADA_OK);
        assert_int_equal(c->d->requests, 1);
        assert_int_equal(c->d->max_data_segs, 3);
        assert_int_equal(virtio_blk_readv(c->b, 40, r, 3), CCADA_OK);
        assert_true(same(c, 0x10000, 0x80000, 1024));
        assert_true(same(c, 0x30000, 0x80000 + 1024, 1024));
        assert_true(same(c, 0x30000 + 1024, 0x90000, 2560));
        assert_true(same(c, 0x30000 + 3584, 0xA0000, 512));
        assert_true(same(c, 0x20000, 0xA0000 + 512, 512));
}

static void virtio_blk_one_mib_request_is_split_at_max_mapping_size(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        fill(c, 0, 1 << 20, 5);
        assert_int_equal(virtio_blk_write(c->b, 0, c->buf, 1 << 20), CCADA_OK);
        assert_int_equal(c->d->requests, 1);
        assert_int_equal(c->d->max_data_segs, 4); /* 4 x 256 KiB: one SWIOTLB segment each */
        assert_int_equal(virtio_blk_read(c->b, 0, c->buf + (1 << 20), 1 << 20), CCADA_OK);
        assert_true(same(c, 0, 1 << 20, 1 << 20));
}

static void virtio_blk_seg_max_one_splits_into_several_requests(void **state)
{
        struct ctx *c = *state;
        fdev_cfg_put(c->d->blkcfg, VIRTIO_BLK_CFG_SEG_MAX, 4, 1);
        fdev_cfg_put(c->d->blkcfg, VIRTIO_BLK_CFG_SIZE_MAX, 4, 4096);
        probe_ok(c);
        fill(c, 0, 16384, 8);
        assert_int_equal(virtio_blk_write(c->b, 10, c->buf, 16384), CCADA_OK);
        assert_int_equal(c->d->requests, 4);
        assert_int_equal(c->d->max_data_segs, 1);
        assert_int_equal(virtio_blk_read(c->b, 10, c->buf + 65536, 16384), CCADA_OK);
        assert_true(same(c, 0, 65536, 16384));
}

static void virtio_blk_flush_sends_flush_request(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        assert_int_equal(virtio_blk_flush(c->b), CCADA_OK);
        assert_int_equal(c->d->flushes, 1);
        assert_int_equal(c->d->last_type, VIRTIO_BLK_T_FLUSH);
}

static void virtio_blk_flush_without_feature_sends_nothing(void **state)
{
        struct ctx *c = *state;
        c->d->features &= ~VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
        probe_ok(c);
        assert_int_equal(virtio_blk_flush(c->b), CCADA_OK);
        assert_int_equal(c->d->requests, 0);
}

static void virtio_blk_get_id_returns_device_id(void **state)
{
        struct ctx *c = *state;
        char id[VIRTIO_BLK_ID_LEN];
        probe_ok(c);
        assert_int_equal(virtio_blk_get_id(c->b, id), CCADA_OK);
        assert_string_equal(id, "ccada-fake-disk-0001");
}

static void virtio_blk_get_id_trusts_only_reported_bytes(void **state)
{
        struct ctx *c = *state;
        char id[VIRTIO_BLK_ID_LEN];
        probe_ok(c);
        c->d->force_used_len = 6; /* 5 ID bytes + status */
        c->d->id[2] = 0x07;
        assert_int_equal(virtio_blk_get_id(c->b, id), CCADA_OK);
        assert_string_equal(id, "cc?da");
}

static void virtio_blk_write_on_read_only_device_is_unsupported(void **state)
{
        struct ctx *c = *state;
        c->d->features |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
        probe_ok(c);
        assert_true(virtio_blk_read_only(c->b));
        assert_int_equal(virtio_blk_write(c->b, 0, c->buf, 512), CCADA_E_UNSUPPORTED);
        assert_int_equal(c->d->requests, 0);
        assert_int_equal(virtio_blk_read(c->b, 0, c->buf, 512), CCADA_OK);
}

/* ---- device errors and hostile completions ---- */

static void virtio_blk_ioerr_status_returns_io_error(void **state)
{
        struct ctx *c = *state;
        struct virtio_blk_stats st;
        probe_ok(c);
        c->d->force_status = VIRTIO_BLK_S_IOERR;
        assert_int_equal(virtio_blk_read(c->b, 0, c->buf, 4096), CCADA_E_IO);
        assert_false(virtio_blk_is_broken(c->b));
        c->d->force_status = -1;
        assert_int_equal(virtio_blk_read(c->b, 0, c->buf, 4096), CCADA_OK);
        virtio_blk_get_stats(c->b, &st);
        assert_int_equal(st.errors, 1);
}

static void virtio_blk_unsupp_status_returns_unsupported(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        c->d->force_status = VIRTIO_BLK_S_UNSUPP;
        assert_int_equal(virtio_blk_flush(c->b), CCADA_E_UNSUPPORTED);
        assert_false(virtio_blk_is_broken(c->b));
}

static void virtio_blk_invalid_status_breaks_device(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        c->d->force_status = 0x7F;
        assert_int_equal(virtio_blk_write(c->b, 0, c->buf, 512), CCADA_E_BROKEN);
        assert_true(virtio_blk_is_broken(c->b));
        assert_true(logged(c, "virtio_blk virtio0: invalid status byte 0x7f; device marked broken"));
        c->d->force_status = -1;
        assert_int_equal(virtio_blk_read(c->b, 0, c->buf, 512), CCADA_E_BROKEN); /* sticky */
        assert_int_equal(virtio_blk_flush(c->b), CCADA_E_BROKEN);
}

static void virtio_blk_used_len_zero_breaks_device(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        c->d->force_used_len = 0;
        assert_int_equal(virtio_blk_read(c->b, 0, c->buf, 512), CCADA_E_BROKEN);
        assert_true(logged(c, "used len 0"));
}

static void virtio_blk_used_len_too_large_breaks_queue_and_device(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        c->d->force_used_len = 4096 + 2; /* more than the 4096 + 1 writable bytes posted */
        assert_int_equal(virtio_blk_read(c->b, 0, c->buf, 4096), CCADA_E_BROKEN);
        assert_true(logged(c, "is larger than in buflen"));
        assert_true(virtio_blk_is_broken(c->b));
}

static void virtio_blk_timeout_returns_io_error_and_releases_mappings(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        c->d->never_complete = true;
        assert_int_equal(virtio_blk_read(c->b, 0, c->buf, 8192), CCADA_E_IO);
        assert_true(logged(c, "request timed out; device marked broken"));
        assert_true(fake_kernel_wait_calls(c->k) >= VIRTIO_BLK_POLL_MAX);
        assert_int_equal(c->d->status, 0); /* reset */
        assert_int_equal(virtio_blk_read(c->b, 0, c->buf, 8192), CCADA_E_BROKEN);
        /* teardown checks that no SWIOTLB slot stayed mapped */
}

/* ---- blk-test ---- */

static void blk_test_run_writes_flushes_reads_back_and_verifies(void **state)
{
        struct ctx *c = *state;
        struct blk_test_result res;
        struct blk_test_config cfg = { .seed = 42 };
        probe_ok(c);
        rk_set_current(c->k, "init", 1);
        assert_int_equal(blk_test_run(c->k, c->b, &cfg, &res), CCADA_OK);
        assert_true(res.verified);
        assert_int_equal(res.bytes_written, BLK_TEST_DEFAULT_BYTES);
        assert_int_equal(res.bytes_read, BLK_TEST_DEFAULT_BYTES);
        /* 4 writes (the first a 3-segment writev) + flush + 4 reads + GET_ID */
        assert_int_equal(res.requests, 10);
        assert_int_equal(c->d->max_data_segs, 3);
        assert_int_equal(c->d->flushes, 1);
        assert_string_equal(res.id, "ccada-fake-disk-0001");
        assert_true(traced(c, "blk-test-142"));
        assert_true(traced(c, "swiotlb_bounced"));
        assert_string_equal(rk_current(c->k)->comm, "init");
        assert_int_equal(rk_current(c->k)->pid, 1);
        assert_true(logged(c, "blk-test: read back 262144 bytes: verified"));
}

static void blk_test_run_is_deterministic_per_seed(void **state)
{
        struct ctx *c = *state;
        struct blk_test_result res;
        struct blk_test_config cfg = { .seed = 7, .bytes = 8192, .request_size = 4096 };
        uint8_t first[16];
        probe_ok(c);
        assert_int_equal(blk_test_run(c->k, c->b, &cfg, &res), CCADA_OK);
        memcpy(first, c->d->disk, sizeof(first));
        memset(c->d->disk, 0, 8192);
        assert_int_equal(blk_test_run(c->k, c->b, &cfg, &res), CCADA_OK);
        assert_memory_equal(first, c->d->disk, sizeof(first));
}

static void blk_test_run_rejects_region_beyond_capacity(void **state)
{
        struct ctx *c = *state;
        struct blk_test_result res;
        struct blk_test_config cfg = { .seed = 1, .start_sector = FDEV_DISK_SECTORS - 8 };
        probe_ok(c);
        assert_int_equal(blk_test_run(c->k, c->b, &cfg, &res), CCADA_E_RANGE);
        assert_int_equal(c->d->requests, 0);
        cfg = (struct blk_test_config){ .request_size = 1000 };
        assert_int_equal(blk_test_run(c->k, c->b, &cfg, &res), CCADA_E_INVAL);
}

static void blk_test_run_reports_device_error_and_restores_task(void **state)
{
        struct ctx *c = *state;
        struct blk_test_result res;
        probe_ok(c);
        rk_set_current(c->k, "init", 1);
        c->d->force_status = VIRTIO_BLK_S_IOERR;
        assert_int_equal(blk_test_run(c->k, c->b, NULL, &res), CCADA_E_IO);
        assert_false(res.verified);
        assert_true(logged(c, "blk-test: write at sector 0 failed"));
        assert_string_equal(rk_current(c->k)->comm, "init");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define TN(f) cmocka_unit_test_setup_teardown(f, setup_normal_vm, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(virtio_blk_probe_first_binds_device_and_announces_it),
                T(virtio_blk_destroy_unbinds_so_device_can_be_probed_again),
                T(virtio_blk_indirect_table_is_bounced_after_request_buffers),
                T(virtio_blk_maps_under_the_queue_lock_with_irqs_off),
                T(virtio_blk_probe_first_without_device_is_unsupported),
                T(virtio_blk_probe_refuses_zero_capacity),
                T(virtio_blk_probe_refuses_absurd_capacity),
                T(virtio_blk_probe_refuses_blk_size_not_power_of_two),
                T(virtio_blk_probe_refuses_blk_size_below_sector),
                T(virtio_blk_probe_ignores_blk_size_when_not_offered),
                T(virtio_blk_probe_refuses_seg_max_zero),
                T(virtio_blk_probe_refuses_size_max_below_sector),
                T(virtio_blk_probe_refuses_device_config_too_short),
                T(virtio_blk_probe_in_realm_refuses_device_without_access_platform),
                T(virtio_blk_read_rejects_zero_length),
                T(virtio_blk_read_rejects_length_not_multiple_of_512),
                T(virtio_blk_read_rejects_length_over_1mib),
                T(virtio_blk_read_rejects_range_beyond_capacity),
                T(virtio_blk_readv_rejects_bad_segment_lists),
                T(virtio_blk_write_then_read_in_realm_bounces_every_buffer),
                T(virtio_blk_submit_keeps_requests_in_flight_up_to_the_queue_depth),
                T(virtio_blk_queue_depth_comes_from_the_command_line),
                cmocka_unit_test_setup_teardown(virtio_blk_request_without_bounce_slots_is_requeued_not_failed,
                                                setup_small_pool, teardown),
                T(virtio_blk_submit_checks_every_io_before_issuing_any),
                TN(virtio_blk_write_then_read_in_normal_vm_maps_directly),
                T(virtio_blk_writev_and_readv_three_segments_round_trip),
                T(virtio_blk_one_mib_request_is_split_at_max_mapping_size),
                T(virtio_blk_seg_max_one_splits_into_several_requests),
                T(virtio_blk_flush_sends_flush_request),
                T(virtio_blk_flush_without_feature_sends_nothing),
                T(virtio_blk_get_id_returns_device_id),
                T(virtio_blk_get_id_trusts_only_reported_bytes),
                T(virtio_blk_write_on_read_only_device_is_unsupported),
                T(virtio_blk_ioerr_status_returns_io_error),
                T(virtio_blk_unsupp_status_returns_unsupported),
                T(virtio_blk_invalid_status_breaks_device),
                T(virtio_blk_used_len_zero_breaks_device),
                T(virtio_blk_used_len_too_large_breaks_queue_and_device),
                T(virtio_blk_timeout_returns_io_error_and_releases_mappings),
                T(blk_test_run_writes_flushes_reads_back_and_verifies),
                T(blk_test_run_is_deterministic_per_seed),
                T(blk_test_run_rejects_region_beyond_capacity),
                T(blk_test_run_reports_device_error_and_restores_task),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
