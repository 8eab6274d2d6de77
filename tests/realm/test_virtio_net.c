/* Realm virtio-net driver (src/realm/virtio_net.c) against a test-only virtio-net device
 * (tests/kit/fake_pci_dev.c, fdev_make_net) served by src/host/virtqueue_dev.c over the
 * fake guest memory, playing a hostile host: probe-time configuration, the transmit and
 * receive paths with their bounces, and every header, length and id a device can forge.
 * virtio 1.2 §5.1 */
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
#include "proto/pci.h"
#include "proto/virtio.h"
#include "proto/virtio_net.h"
#include "realm/pci.h"
#include "realm/swiotlb.h"
#include "realm/virtio_net.h"

struct ctx {
        struct realm_kernel *k;
        struct fdev *d;
        struct swiotlb *tlb;
        struct pci_root root;
        struct virtio_net *n;
        FILE *trace_pipe;
        char *trace_text;
        size_t trace_len;
        size_t free_pages;      /* before the driver ran */
};

#define QSZ 128u                /* the fake device's default queue size */
#define SENTINEL 0x5Au          /* what the caller's buffer holds before a receive */
static const uint8_t device_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static int setup_kernel(void **state, bool realm)
{
        struct ctx *c = calloc(1, sizeof(*c));
        c->k = fake_kernel_new(realm);
        c->d = fdev_new(c->k);
        fdev_make_net(c->d);
        if (realm) {
                assert_int_equal(swiotlb_init(c->k, NULL, &c->tlb), CCADA_OK);
                fake_kernel_set_swiotlb(c->k, c->tlb);
        }
        assert_true(trace_set_events(rk_trace(c->k), "all"));
        c->trace_pipe = open_memstream(&c->trace_text, &c->trace_len);
        trace_set_pipe(rk_trace(c->k), c->trace_pipe);
        c->free_pages = fake_kernel_free_pages(c->k);
        *state = c;
        return 0;
}

static int setup(void **state) { return setup_kernel(state, true); }
static int setup_normal_vm(void **state) { return setup_kernel(state, false); }

static unsigned long pool_used(const struct ctx *c)
{
        struct swiotlb_stats st;
        swiotlb_get_stats(c->tlb, &st);
        return st.used;
}

static int teardown(void **state)
{
        struct ctx *c = *state;
        virtio_net_destroy(c->n);
        if (c->tlb)
                assert_int_equal(pool_used(c), 0); /* no mapping leaked, on any path */
        assert_int_equal(fake_kernel_free_pages(c->k), c->free_pages); /* no page either */
        assert_int_equal(fake_kernel_bad_frees(c->k), 0);
        swiotlb_destroy(c->tlb);
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

static ccada_status probe(struct ctx *c)
{
        return virtio_net_probe_first(c->k, &c->root, &c->n);
}

static void probe_ok(struct ctx *c)
{
        assert_int_equal(probe(c), CCADA_OK);
        assert_non_null(c->n);
}

static struct virtio_net_stats stats(const struct ctx *c)
{
        struct virtio_net_stats st;
        virtio_net_get_stats(c->n, &st);
        return st;
}

/* A frame of len bytes: broadcast destination, the device's MAC as source, a pattern. */
static void make_frame(uint8_t *f, size_t len, uint8_t seed)
{
        for (size_t i = 0; i < len; i++)
                f[i] = (uint8_t)(seed + i * 13 + (i >> 8));
        memset(f, 0xFF, 6);
        memcpy(f + 6, device_mac, 6);
}

static void inject(struct ctx *c, size_t len, uint8_t seed)
{
        uint8_t f[VIRTIO_NET_MAX_FRAME];
        make_frame(f, len, seed);
        fdev_net_inject(c->d, f, len);
}

/* A plain receive header (num_buffers 1) with one field changed by the caller. */
static void plain_rx_hdr(uint8_t h[VIRTIO_NET_HDR_SIZE])
{
        memset(h, 0, VIRTIO_NET_HDR_SIZE);
        h[VIRTIO_NET_HDR_OFF_NUM_BUFFERS] = 1;
}

/* Receives into a buffer of cap bytes (pre-filled with SENTINEL) and checks the frame is
 * make_frame(len, seed) with every byte after it untouched. */
static void receive_expect(struct ctx *c, size_t cap, size_t len, uint8_t seed)
{
        uint8_t got[2 * VIRTIO_NET_MAX_FRAME], want[VIRTIO_NET_MAX_FRAME];
        size_t n = 12345;
        memset(got, SENTINEL, sizeof(got));
        make_frame(want, len, seed);
        assert_int_equal(virtio_net_receive(c->n, got, cap, &n), CCADA_OK);
        assert_int_equal(n, len);
        assert_memory_equal(got, want, len);
        for (size_t i = len; i < sizeof(got); i++)
                assert_int_equal(got[i], SENTINEL);
}

static void receive_expect_busy(struct ctx *c)
{
        uint8_t got[VIRTIO_NET_MAX_FRAME];
        size_t n = 12345;
        assert_int_equal(virtio_net_receive(c->n, got, sizeof(got), &n), CCADA_E_BUSY);
        assert_int_equal(n, 0);
}

/* The text of the trace written since offset from. */
static const char *trace_since(struct ctx *c, size_t from)
{
        fflush(c->trace_pipe);
        return c->trace_text && c->trace_len >= from ? c->trace_text + from : "";
}

static size_t trace_mark(struct ctx *c)
{
        fflush(c->trace_pipe);
        return c->trace_len;
}

static unsigned count(const char *hay, const char *needle)
{
        unsigned n = 0;
        for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
                n++;
        return n;
}

/* ---- probe ---- */

static void virtio_net_probe_first_binds_device_fills_receive_ring_and_reads_mac(void **state)
{
        struct ctx *c = *state;
        uint8_t mac[6];
        probe_ok(c);
        assert_string_equal(virtio_net_name(c->n), "0000:00:00.0");
        assert_non_null(c->root.devs[0].driver);
        assert_true(c->d->status & VIRTIO_STATUS_DRIVER_OK);
        assert_int_equal(stats(c).rx_posted, QSZ);              /* min(queue size, VIRTIO_NET_RX_BUFS) */
        assert_int_equal(fdev_net_rx_take(c->d), QSZ);          /* the device has them all */
        assert_int_equal(c->d->private_segs, 0);                /* each through its bounce slot */
        assert_int_equal(pool_used(c), QSZ);                    /* one slot per receive buffer */
        virtio_net_mac(c->n, mac);
        assert_memory_equal(mac, device_mac, 6);
        assert_true(virtio_net_link_up(c->n));
        assert_false(virtio_net_is_broken(c->n));
        assert_true(logged(c, "eth0: MAC 52:54:00:12:34:56, link up"));
        assert_true(virtio_net_features(c->n) & VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM));
        assert_int_equal(c->d->bad_access, 0);
}

static void virtio_net_probe_posts_one_receive_buffer_per_descriptor_of_a_small_queue(void **state)
{
        struct ctx *c = *state;
        c->d->queue_size = 64;
        probe_ok(c);
        assert_int_equal(stats(c).rx_posted, 64);
        assert_int_equal(fdev_net_rx_take(c->d), 64);
}

static void virtio_net_probe_posts_at_most_rx_bufs_receive_buffers(void **state)
{
        struct ctx *c = *state;
        c->d->queue_size = 1024; /* lowered to the transport's 256 */
        probe_ok(c);
        assert_int_equal(c->d->q[0].qsize, 256);
        assert_int_equal(stats(c).rx_posted, VIRTIO_NET_RX_BUFS);
        assert_int_equal(fdev_net_rx_take(c->d), VIRTIO_NET_RX_BUFS);
}

static void virtio_net_probe_without_mac_feature_uses_the_fallback_local_mac(void **state)
{
        struct ctx *c = *state;
        static const uint8_t fallback[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
        uint8_t mac[6];
        c->d->features &= ~VIRTIO_BIT(VIRTIO_NET_F_MAC);
        probe_ok(c);
        virtio_net_mac(c->n, mac);
        assert_memory_equal(mac, fallback, 6);
        assert_true(mac[0] & 0x02);     /* locally administered */
        assert_false(mac[0] & 0x01);    /* unicast */
        assert_false(virtio_net_features(c->n) & VIRTIO_BIT(VIRTIO_NET_F_MAC));
}

/* A refused device: the error, nothing bound, no page or bounce slot kept, device reset. */
static void expect_refused(struct ctx *c, ccada_status want)
{
        assert_int_equal(probe(c), want);
        assert_null(c->n);
        assert_null(c->root.devs[0].driver);
        assert_int_equal(pool_used(c), 0);
        assert_int_equal(fake_kernel_free_pages(c->k), c->free_pages);
}

static void virtio_net_probe_refuses_multicast_mac(void **state)
{
        struct ctx *c = *state;
        c->d->blkcfg[VIRTIO_NET_CFG_MAC] = 0x01; /* the group bit */
        size_t before = fake_kernel_free_pages(c->k);
        expect_refused(c, CCADA_E_PEER);
        assert_true(logged(c, "invalid MAC 01:54:00:12:34:56"));
        assert_int_equal(fake_kernel_free_pages(c->k), before);
        assert_false(c->d->status & VIRTIO_STATUS_DRIVER_OK);
}

static void virtio_net_probe_refuses_zero_mac(void **state)
{
        struct ctx *c = *state;
        memset(c->d->blkcfg + VIRTIO_NET_CFG_MAC, 0, 6);
        expect_refused(c, CCADA_E_PEER);
        assert_true(logged(c, "invalid MAC 00:00:00:00:00:00"));
        assert_false(c->d->status & VIRTIO_STATUS_DRIVER_OK);
}

static void virtio_net_probe_first_without_net_function_is_unsupported(void **state)
{
        struct ctx *c = *state;
        fdev_cfg_put(c->d->fns[0].cfg, PCI_DEVICE_ID, 2, 0x1042); /* virtio-blk */
        expect_refused(c, CCADA_E_UNSUPPORTED);
        assert_true(logged(c, "virtio_net: no usable virtio-net device"));
        assert_int_equal(c->d->nstatus_writes, 0); /* never touched */
}

/* As virtio-blk: without ACCESS_PLATFORM the device would be handed private addresses. */
static void virtio_net_probe_in_realm_refuses_device_without_access_platform(void **state)
{
        struct ctx *c = *state;
        c->d->features &= ~VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM);
        expect_refused(c, CCADA_E_UNSUPPORTED);
        assert_true(logged(c, "device must provide VIRTIO_F_ACCESS_PLATFORM"));
        assert_false(c->d->status & VIRTIO_STATUS_DRIVER_OK);
}

static void virtio_net_probe_reads_link_down_from_status(void **state)
{
        struct ctx *c = *state;
        fdev_cfg_put(c->d->blkcfg, VIRTIO_NET_CFG_STATUS, 2, 0);
        probe_ok(c);
        assert_false(virtio_net_link_up(c->n));
        assert_true(logged(c, "link down"));
}

static void virtio_net_destroy_unbinds_and_resets_so_device_can_be_probed_again(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        virtio_net_destroy(c->n);
        c->n = NULL;
        assert_null(c->root.devs[0].driver);
        assert_int_equal(c->d->status, 0);
        assert_int_equal(pool_used(c), 0);
        assert_int_equal(fake_kernel_free_pages(c->k), c->free_pages);
        probe_ok(c);
        assert_int_equal(stats(c).rx_posted, QSZ);
}

/* ---- transmit ---- */

static void virtio_net_xmit_sends_frame_after_zero_header_in_one_descriptor(void **state)
{
        struct ctx *c = *state;
        uint8_t f[60];
        make_frame(f, sizeof(f), 1);
        probe_ok(c);
        assert_int_equal(virtio_net_xmit(c->n, f, sizeof(f)), CCADA_OK);
        assert_int_equal(c->d->tx_frames, 1);
        const struct fdev_frame *sent = fdev_net_tx_frame(c->d, 0);
        assert_non_null(sent);
        assert_int_equal(sent->len, sizeof(f));
        assert_memory_equal(sent->data, f, sizeof(f));
        assert_int_equal(c->d->tx_bad_hdr, 0);  /* 12 zero bytes first */
        assert_int_equal(c->d->tx_bad, 0);
        assert_int_equal(c->d->tx_max_segs, 1); /* header and frame in one descriptor */
        assert_int_equal(c->d->private_segs, 0);
        struct virtio_net_stats st = stats(c);
        assert_int_equal(st.tx_packets, 1);
        assert_int_equal(st.tx_bytes, sizeof(f));
        assert_int_equal(st.tx_copy_bytes, sizeof(f));
        assert_int_equal(st.tx_dropped, 0);
}

static void virtio_net_xmit_accepts_the_smallest_and_largest_frames(void **state)
{
        struct ctx *c = *state;
        uint8_t f[VIRTIO_NET_MAX_FRAME];
        make_frame(f, sizeof(f), 2);
        probe_ok(c);
        assert_int_equal(virtio_net_xmit(c->n, f, VIRTIO_NET_ETH_HLEN), CCADA_OK);
        assert_int_equal(virtio_net_xmit(c->n, f, VIRTIO_NET_MAX_FRAME), CCADA_OK);
        assert_int_equal(fdev_net_tx_frame(c->d, 0)->len, 14);
        assert_int_equal(fdev_net_tx_frame(c->d, 1)->len, 1514);
        assert_memory_equal(fdev_net_tx_frame(c->d, 1)->data, f, sizeof(f));
}

/* Linux's start_xmit in a Realm: header and frame bounced as one mapping, with BH off
 * and the qdisc's and queue's locks held ("b..2."), forced (every Realm mapping is). */
static void virtio_net_xmit_in_realm_bounces_header_and_frame_once(void **state)
{
        struct ctx *c = *state;
        uint8_t f[54]; /* a bare TCP ACK */
        make_frame(f, sizeof(f), 3);
        probe_ok(c);
        size_t mark = trace_mark(c);
        assert_int_equal(virtio_net_xmit(c->n, f, sizeof(f)), CCADA_OK);
        const char *t = trace_since(c, mark);
        assert_int_equal(count(t, ": swiotlb_bounced: "), 1);
        const char *ev = strstr(t, ": swiotlb_bounced: ");
        const char *line = ev;
        while (line > t && line[-1] != '\n')
                line--;
        const char *eol = strchr(ev, '\n');
        assert_non_null(eol);
        char buf[512];
        size_t n = (size_t)(eol - line) < sizeof(buf) - 1 ? (size_t)(eol - line) : sizeof(buf) - 1;
        memcpy(buf, line, n);
        buf[n] = '\0';
        assert_non_null(strstr(buf, "dev_name: 0000:00:00.0"));
        assert_non_null(strstr(buf, " size=66 FORCE"));
        assert_non_null(strstr(buf, "] b..2. "));
        /* and the context is given back */
        assert_string_equal(trace_get_who(rk_trace(c->k)).flags, ".....");
}

static void virtio_net_xmit_in_normal_vm_maps_directly(void **state)
{
        struct ctx *c = *state;
        uint8_t f[100];
        make_frame(f, sizeof(f), 4);
        probe_ok(c);
        assert_int_equal(virtio_net_xmit(c->n, f, sizeof(f)), CCADA_OK);
        assert_memory_equal(fdev_net_tx_frame(c->d, 0)->data, f, sizeof(f));
        assert_int_equal(count(trace_since(c, 0), "swiotlb_bounced"), 0);
}

static void virtio_net_xmit_rejects_runt_and_oversized_frames(void **state)
{
        struct ctx *c = *state;
        uint8_t f[VIRTIO_NET_MAX_FRAME + 1];
        make_frame(f, sizeof(f), 5);
        probe_ok(c);
        unsigned long used = pool_used(c);
        assert_int_equal(virtio_net_xmit(c->n, f, VIRTIO_NET_ETH_HLEN - 1), CCADA_E_INVAL);
        assert_int_equal(virtio_net_xmit(c->n, f, VIRTIO_NET_MAX_FRAME + 1), CCADA_E_INVAL);
        assert_int_equal(virtio_net_xmit(c->n, NULL, 60), CCADA_E_INVAL);
        assert_int_equal(virtio_net_xmit(NULL, f, 60), CCADA_E_INVAL);
        assert_int_equal(c->d->tx_frames, 0);
        assert_int_equal(pool_used(c), used); /* nothing mapped */
        struct virtio_net_stats st = stats(c);
        assert_int_equal(st.tx_packets, 0);
        assert_int_equal(st.tx_copy_bytes, 0);
}

static void virtio_net_xmit_without_completions_is_nospc_after_tx_bufs_frames(void **state)
{
        struct ctx *c = *state;
        uint8_t f[60];
        make_frame(f, sizeof(f), 6);
        c->d->tx_hold = true;
        probe_ok(c);
        for (unsigned i = 0; i < VIRTIO_NET_TX_BUFS; i++)
                assert_int_equal(virtio_net_xmit(c->n, f, sizeof(f)), CCADA_OK);
        assert_int_equal(virtio_net_xmit(c->n, f, sizeof(f)), CCADA_E_NOSPC);
        struct virtio_net_stats st = stats(c);
        assert_int_equal(st.tx_packets, VIRTIO_NET_TX_BUFS);
        assert_int_equal(st.tx_dropped, 1);
        assert_int_equal(pool_used(c), QSZ + VIRTIO_NET_TX_BUFS); /* the dropped one mapped nothing */
        assert_false(virtio_net_is_broken(c->n));
        /* the device catches up: every buffer comes back and sending works again */
        c->d->tx_hold = false;
        fdev_serve(c->d);
        assert_int_equal(c->d->tx_frames, VIRTIO_NET_TX_BUFS);
        assert_int_equal(virtio_net_xmit(c->n, f, sizeof(f)), CCADA_OK);
}

/* A transmit queue smaller than VIRTIO_NET_TX_BUFS: one frame in flight per descriptor. */
static void virtio_net_xmit_keeps_at_most_one_frame_per_transmit_descriptor(void **state)
{
        struct ctx *c = *state;
        uint8_t f[60];
        make_frame(f, sizeof(f), 28);
        c->d->queue_size_of[1] = 16;
        c->d->tx_hold = true;
        probe_ok(c);
        assert_int_equal(stats(c).rx_posted, QSZ); /* the receive queue keeps its size */
        for (unsigned i = 0; i < 16; i++)
                assert_int_equal(virtio_net_xmit(c->n, f, sizeof(f)), CCADA_OK);
        assert_int_equal(virtio_net_xmit(c->n, f, sizeof(f)), CCADA_E_NOSPC);
        assert_int_equal(stats(c).tx_dropped, 1);
}

/* free_old_xmit: a buffer the device has sent is unmapped before the next transmit or at
 * the next poll, so the bounce pool holds only the receive ring's slots. */
static void virtio_net_completed_tx_buffers_are_unmapped_at_next_poll(void **state)
{
        struct ctx *c = *state;
        uint8_t f[1000];
        make_frame(f, sizeof(f), 7);
        probe_ok(c);
        unsigned long baseline = pool_used(c);
        for (unsigned i = 0; i < 3 * VIRTIO_NET_TX_BUFS; i++) /* every buffer used three times */
                assert_int_equal(virtio_net_xmit(c->n, f, sizeof(f)), CCADA_OK);
        assert_int_equal(pool_used(c), baseline + 1); /* only the last still mapped */
        receive_expect_busy(c);
        assert_int_equal(pool_used(c), baseline);
        assert_int_equal(c->d->tx_frames, 3 * VIRTIO_NET_TX_BUFS);
        assert_false(logged(c, "unmap failed"));
        assert_false(logged(c, "size differs"));
}

/* ---- receive ---- */

static void virtio_net_receive_returns_injected_frame_byte_exact(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        inject(c, 100, 8);
        receive_expect(c, VIRTIO_NET_MAX_FRAME, 100, 8);
        struct virtio_net_stats st = stats(c);
        assert_int_equal(st.rx_packets, 1);
        assert_int_equal(st.rx_bytes, 100);
        assert_int_equal(st.rx_copy_bytes, 100);
        assert_int_equal(st.rx_posted, QSZ); /* the buffer is back with the device */
        assert_int_equal(fdev_net_rx_take(c->d), QSZ);
        assert_int_equal(pool_used(c), QSZ);
}

static void virtio_net_receive_returns_frames_in_arrival_order(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        inject(c, 60, 1);
        inject(c, 1514, 2);
        inject(c, 14, 3);
        receive_expect(c, VIRTIO_NET_MAX_FRAME, 60, 1);
        receive_expect(c, VIRTIO_NET_MAX_FRAME, 1514, 2);
        receive_expect(c, VIRTIO_NET_MAX_FRAME, 14, 3);
        receive_expect_busy(c);
}

static void virtio_net_receive_without_frame_is_busy(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        receive_expect_busy(c);
        assert_int_equal(stats(c).rx_packets, 0);
        assert_int_equal(stats(c).rx_posted, QSZ);
}

/* Every buffer is posted again after its frame is taken: the ring never drains. */
static void virtio_net_receive_reposts_every_buffer(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        for (unsigned i = 0; i < 3 * QSZ; i++) {
                inject(c, 64 + i, (uint8_t)i);
                receive_expect(c, VIRTIO_NET_MAX_FRAME, 64 + i, (uint8_t)i);
                assert_int_equal(stats(c).rx_posted, QSZ);
        }
        assert_int_equal(fdev_net_rx_pending(c->d), 0);
        assert_int_equal(pool_used(c), QSZ);
        assert_int_equal(c->d->private_segs, 0);
}

static void virtio_net_receive_in_normal_vm_returns_frame(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        inject(c, 200, 9);
        receive_expect(c, VIRTIO_NET_MAX_FRAME, 200, 9);
        assert_int_equal(count(trace_since(c, 0), "swiotlb_bounced"), 0);
}

static void virtio_net_receive_rejects_null_arguments(void **state)
{
        struct ctx *c = *state;
        uint8_t buf[64];
        size_t n;
        probe_ok(c);
        assert_int_equal(virtio_net_receive(c->n, NULL, sizeof(buf), &n), CCADA_E_INVAL);
        assert_int_equal(virtio_net_receive(c->n, buf, sizeof(buf), NULL), CCADA_E_INVAL);
        assert_int_equal(virtio_net_receive(NULL, buf, sizeof(buf), &n), CCADA_E_INVAL);
}

/* The caller's buffer too small: the frame is dropped and counted, never cut short. */
static void virtio_net_receive_drops_frame_larger_than_callers_buffer(void **state)
{
        struct ctx *c = *state;
        uint8_t got[100];
        size_t n = 1;
        probe_ok(c);
        inject(c, 100, 10);
        memset(got, SENTINEL, sizeof(got));
        assert_int_equal(virtio_net_receive(c->n, got, 99, &n), CCADA_E_BUSY);
        assert_int_equal(n, 0);
        for (size_t i = 0; i < sizeof(got); i++)
                assert_int_equal(got[i], SENTINEL);
        assert_int_equal(stats(c).rx_dropped, 1);
        assert_int_equal(stats(c).rx_packets, 0);
        assert_int_equal(stats(c).rx_posted, QSZ);
        inject(c, 99, 11);
        receive_expect(c, 99, 99, 11); /* exactly fitting */
}

/* ---- hostile receive completions: dropped, counted, the device still usable ---- */

/* A packet behind header h is dropped and counted in rx_dropped; the good frame after it
 * is still delivered, by the same receive call; the device is not broken. */
static void expect_hdr_dropped(struct ctx *c, const uint8_t h[VIRTIO_NET_HDR_SIZE])
{
        uint8_t f[100];
        probe_ok(c);
        make_frame(f, sizeof(f), 12);
        fdev_net_inject_hdr(c->d, h, f, sizeof(f));
        inject(c, 80, 13);
        receive_expect(c, VIRTIO_NET_MAX_FRAME, 80, 13);
        struct virtio_net_stats st = stats(c);
        assert_int_equal(st.rx_dropped, 1);
        assert_int_equal(st.rx_length_errors, 0);
        assert_int_equal(st.rx_packets, 1);
        assert_int_equal(st.rx_bytes, 80);
        assert_int_equal(st.rx_posted, QSZ);
        assert_false(virtio_net_is_broken(c->n));
        assert_int_equal(pool_used(c), QSZ);
}

static void virtio_net_receive_drops_packet_with_num_buffers_zero(void **state)
{
        uint8_t h[VIRTIO_NET_HDR_SIZE];
        plain_rx_hdr(h);
        h[VIRTIO_NET_HDR_OFF_NUM_BUFFERS] = 0;
        expect_hdr_dropped(*state, h);
}

static void virtio_net_receive_drops_packet_with_num_buffers_two(void **state)
{
        uint8_t h[VIRTIO_NET_HDR_SIZE];
        plain_rx_hdr(h);
        h[VIRTIO_NET_HDR_OFF_NUM_BUFFERS] = 2; /* MRG_RXBUF was not negotiated */
        expect_hdr_dropped(*state, h);
}

static void virtio_net_receive_drops_packet_with_gso_tcpv4(void **state)
{
        uint8_t h[VIRTIO_NET_HDR_SIZE];
        plain_rx_hdr(h);
        h[VIRTIO_NET_HDR_OFF_GSO_TYPE] = VIRTIO_NET_HDR_GSO_TCPV4; /* no GUEST_TSO4 */
        h[VIRTIO_NET_HDR_OFF_GSO_SIZE] = 100;
        expect_hdr_dropped(*state, h);
}

static void virtio_net_receive_drops_packet_with_gso_ecn_bit(void **state)
{
        uint8_t h[VIRTIO_NET_HDR_SIZE];
        plain_rx_hdr(h);
        h[VIRTIO_NET_HDR_OFF_GSO_TYPE] = VIRTIO_NET_HDR_GSO_ECN;
        expect_hdr_dropped(*state, h);
}

static void virtio_net_receive_drops_packet_with_needs_csum(void **state)
{
        uint8_t h[VIRTIO_NET_HDR_SIZE];
        plain_rx_hdr(h);
        h[VIRTIO_NET_HDR_OFF_FLAGS] = VIRTIO_NET_HDR_F_NEEDS_CSUM; /* no GUEST_CSUM */
        h[VIRTIO_NET_HDR_OFF_CSUM_START] = 34;
        h[VIRTIO_NET_HDR_OFF_CSUM_OFFSET] = 16;
        expect_hdr_dropped(*state, h);
}

static void virtio_net_receive_drops_packet_with_data_valid(void **state)
{
        uint8_t h[VIRTIO_NET_HDR_SIZE];
        plain_rx_hdr(h);
        h[VIRTIO_NET_HDR_OFF_FLAGS] = VIRTIO_NET_HDR_F_DATA_VALID;
        expect_hdr_dropped(*state, h);
}

static void virtio_net_receive_drops_packet_with_rsc_info(void **state)
{
        uint8_t h[VIRTIO_NET_HDR_SIZE];
        plain_rx_hdr(h);
        h[VIRTIO_NET_HDR_OFF_FLAGS] = VIRTIO_NET_HDR_F_RSC_INFO;
        expect_hdr_dropped(*state, h);
}

static void virtio_net_receive_drops_packet_with_unknown_flag_bits(void **state)
{
        uint8_t h[VIRTIO_NET_HDR_SIZE];
        plain_rx_hdr(h);
        h[VIRTIO_NET_HDR_OFF_FLAGS] = 0x80;
        expect_hdr_dropped(*state, h);
}

static void virtio_net_receive_drops_packet_shorter_than_header_and_ethernet_header(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        c->d->force_used_len = VIRTIO_NET_HDR_SIZE + VIRTIO_NET_ETH_HLEN - 1;
        inject(c, 100, 14);
        c->d->force_used_len = 0;
        inject(c, 100, 15);
        c->d->force_used_len = -1;
        inject(c, 90, 16);
        receive_expect(c, VIRTIO_NET_MAX_FRAME, 90, 16);
        struct virtio_net_stats st = stats(c);
        assert_int_equal(st.rx_length_errors, 2);
        assert_int_equal(st.rx_dropped, 0);
        assert_int_equal(st.rx_packets, 1);
        assert_false(virtio_net_is_broken(c->n));
        assert_int_equal(st.rx_posted, QSZ);
}

/* The device says fewer bytes than it wrote: only those are trusted. */
static void virtio_net_receive_trusts_only_the_used_length(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        c->d->force_used_len = VIRTIO_NET_HDR_SIZE + VIRTIO_NET_ETH_HLEN; /* of a 100-byte frame */
        inject(c, 100, 17);
        receive_expect(c, VIRTIO_NET_MAX_FRAME, VIRTIO_NET_ETH_HLEN, 17);
}

/* Bytes the device wrote beyond the used length stay in the driver's buffer. */
static void virtio_net_receive_never_passes_bytes_beyond_the_used_length(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        c->d->rx_garbage = true;
        inject(c, 60, 18);
        receive_expect(c, VIRTIO_NET_MAX_FRAME, 60, 18); /* checks every byte after the frame */
        inject(c, 1000, 19);
        receive_expect(c, 1000, 1000, 19);
}

/* ---- hostile completions that break a queue rule: BROKEN, sticky, everything released ---- */

static void expect_broken(struct ctx *c)
{
        uint8_t buf[VIRTIO_NET_MAX_FRAME];
        size_t n = 1;
        assert_true(virtio_net_is_broken(c->n));
        assert_false(virtio_net_link_up(c->n));
        assert_int_equal(stats(c).rx_posted, 0);
        assert_int_equal(pool_used(c), 0);      /* every bounce slot released */
        assert_int_equal(c->d->status, 0);      /* the device was reset */
        assert_true(logged(c, "device marked broken"));
        /* sticky: a good device behaviour and good frames change nothing */
        c->d->force_used_len = -1;
        c->d->forge_id = -1;
        c->d->dup_complete = false;
        inject(c, 60, 20);
        assert_int_equal(virtio_net_receive(c->n, buf, sizeof(buf), &n), CCADA_E_BROKEN);
        assert_int_equal(n, 0);
        assert_int_equal(virtio_net_xmit(c->n, buf, 60), CCADA_E_BROKEN);
        assert_int_equal(virtio_net_receive(c->n, buf, sizeof(buf), &n), CCADA_E_BROKEN);
        assert_int_equal(pool_used(c), 0);
        assert_int_equal(fake_kernel_log_count(c->k, "device marked broken"), 1);
}

static void virtio_net_used_len_beyond_posted_buffer_breaks_device(void **state)
{
        struct ctx *c = *state;
        uint8_t buf[VIRTIO_NET_MAX_FRAME];
        size_t n;
        probe_ok(c);
        c->d->force_used_len = VIRTIO_NET_RX_BUF + 1;
        inject(c, 100, 21);
        assert_int_equal(virtio_net_receive(c->n, buf, sizeof(buf), &n), CCADA_E_BROKEN);
        assert_true(logged(c, "is larger than in buflen"));
        expect_broken(c);
        assert_int_equal(stats(c).rx_packets, 0);
}

static void virtio_net_forged_rx_id_out_of_range_breaks_device(void **state)
{
        struct ctx *c = *state;
        uint8_t buf[VIRTIO_NET_MAX_FRAME];
        size_t n;
        probe_ok(c);
        c->d->forge_id = QSZ;
        inject(c, 100, 22);
        assert_int_equal(virtio_net_receive(c->n, buf, sizeof(buf), &n), CCADA_E_BROKEN);
        expect_broken(c);
}

/* A transmit completion of a head that was never posted. */
static void virtio_net_forged_tx_id_breaks_device(void **state)
{
        struct ctx *c = *state;
        uint8_t f[60];
        size_t n;
        make_frame(f, sizeof(f), 23);
        probe_ok(c);
        c->d->forge_id = 5; /* the frame went out in head 0 */
        assert_int_equal(virtio_net_xmit(c->n, f, sizeof(f)), CCADA_OK);
        assert_int_equal(virtio_net_receive(c->n, f, sizeof(f), &n), CCADA_E_BROKEN);
        expect_broken(c);
}

/* free_old_xmit drains every completion at once: the second of a pair finds its head free. */
static void virtio_net_duplicate_tx_completion_breaks_device(void **state)
{
        struct ctx *c = *state;
        uint8_t f[60];
        make_frame(f, sizeof(f), 24);
        probe_ok(c);
        c->d->dup_complete = true;
        assert_int_equal(virtio_net_xmit(c->n, f, sizeof(f)), CCADA_OK);
        assert_int_equal(virtio_net_xmit(c->n, f, sizeof(f)), CCADA_E_BROKEN);
        expect_broken(c);
        assert_int_equal(stats(c).tx_packets, 1);
}

/* A receive completion repeated after the driver reposted its buffer names a head that is
 * in flight again (the buffer reposted takes the descriptor just freed): no split ring can
 * tell it from a completion of the new buffer (Linux cannot either). What that costs: the
 * frame is passed up twice; only bytes the device itself wrote reach the caller, and no
 * mapping is lost. */
static void virtio_net_duplicate_rx_completion_replays_only_device_bytes(void **state)
{
        struct ctx *c = *state;
        probe_ok(c);
        c->d->dup_complete = true;
        inject(c, 100, 25);
        c->d->dup_complete = false;
        receive_expect(c, VIRTIO_NET_MAX_FRAME, 100, 25);
        receive_expect(c, VIRTIO_NET_MAX_FRAME, 100, 25);
        assert_false(virtio_net_is_broken(c->n));
        assert_int_equal(stats(c).rx_posted, QSZ);
        assert_int_equal(pool_used(c), QSZ);
        inject(c, 70, 26);
        receive_expect(c, VIRTIO_NET_MAX_FRAME, 70, 26);
}

/* used.idx running away: more completions than buffers in flight (virtqueue.h
 * VQ_USED_IDX_OVERRUN), from a device that picks its own ids and lengths. */
static void virtio_net_used_idx_beyond_buffers_in_flight_breaks_device(void **state)
{
        struct ctx *c = *state;
        uint8_t buf[VIRTIO_NET_MAX_FRAME];
        size_t n;
        c->d->manual = true;
        c->d->queue_size = 8;
        probe_ok(c);
        assert_int_equal(fdev_net_rx_take(c->d), 8);
        /* nine completions for eight buffers */
        for (uint32_t id = 0; id < 9; id++)
                assert_int_equal(fdev_net_rx_complete(c->d, id % 8, NULL, 0, 40), CCADA_OK);
        assert_int_equal(virtio_net_receive(c->n, buf, sizeof(buf), &n), CCADA_E_BROKEN);
        expect_broken(c);
}

/* ---- tear-down ---- */

static void virtio_net_destroy_after_traffic_releases_every_mapping_and_page(void **state)
{
        struct ctx *c = *state;
        uint8_t f[500];
        make_frame(f, sizeof(f), 27);
        probe_ok(c);
        for (unsigned i = 0; i < 10; i++) {
                inject(c, 300, (uint8_t)i);
                receive_expect(c, VIRTIO_NET_MAX_FRAME, 300, (uint8_t)i);
                assert_int_equal(virtio_net_xmit(c->n, f, sizeof(f)), CCADA_OK);
        }
        c->d->tx_hold = true; /* frames still in flight at destroy */
        for (unsigned i = 0; i < 5; i++)
                assert_int_equal(virtio_net_xmit(c->n, f, sizeof(f)), CCADA_OK);
        inject(c, 300, 40); /* and a completed receive nobody took */
        assert_true(pool_used(c) > QSZ);
        virtio_net_destroy(c->n);
        c->n = NULL;
        assert_int_equal(pool_used(c), 0);
        assert_int_equal(fake_kernel_free_pages(c->k), c->free_pages);
        assert_int_equal(fake_kernel_bad_frees(c->k), 0);
        assert_int_equal(c->d->status, 0);
        assert_null(c->root.devs[0].driver);
        assert_false(logged(c, "unmap failed"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define TN(f) cmocka_unit_test_setup_teardown(f, setup_normal_vm, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(virtio_net_probe_first_binds_device_fills_receive_ring_and_reads_mac),
                T(virtio_net_probe_posts_one_receive_buffer_per_descriptor_of_a_small_queue),
                T(virtio_net_probe_posts_at_most_rx_bufs_receive_buffers),
                T(virtio_net_probe_without_mac_feature_uses_the_fallback_local_mac),
                T(virtio_net_probe_refuses_multicast_mac),
                T(virtio_net_probe_refuses_zero_mac),
                T(virtio_net_probe_first_without_net_function_is_unsupported),
                T(virtio_net_probe_in_realm_refuses_device_without_access_platform),
                T(virtio_net_probe_reads_link_down_from_status),
                T(virtio_net_destroy_unbinds_and_resets_so_device_can_be_probed_again),
                T(virtio_net_xmit_sends_frame_after_zero_header_in_one_descriptor),
                T(virtio_net_xmit_accepts_the_smallest_and_largest_frames),
                T(virtio_net_xmit_in_realm_bounces_header_and_frame_once),
                TN(virtio_net_xmit_in_normal_vm_maps_directly),
                T(virtio_net_xmit_rejects_runt_and_oversized_frames),
                T(virtio_net_xmit_without_completions_is_nospc_after_tx_bufs_frames),
                T(virtio_net_xmit_keeps_at_most_one_frame_per_transmit_descriptor),
                T(virtio_net_completed_tx_buffers_are_unmapped_at_next_poll),
                T(virtio_net_receive_returns_injected_frame_byte_exact),
                T(virtio_net_receive_returns_frames_in_arrival_order),
                T(virtio_net_receive_without_frame_is_busy),
                T(virtio_net_receive_reposts_every_buffer),
                TN(virtio_net_receive_in_normal_vm_returns_frame),
                T(virtio_net_receive_rejects_null_arguments),
                T(virtio_net_receive_drops_frame_larger_than_callers_buffer),
                T(virtio_net_receive_drops_packet_with_num_buffers_zero),
                T(virtio_net_receive_drops_packet_with_num_buffers_two),
                T(virtio_net_receive_drops_packet_with_gso_tcpv4),
                T(virtio_net_receive_drops_packet_with_gso_ecn_bit),
                T(virtio_net_receive_drops_packet_with_needs_csum),
                T(virtio_net_receive_drops_packet_with_data_valid),
                T(virtio_net_receive_drops_packet_with_rsc_info),
                T(virtio_net_receive_drops_packet_with_unknown_flag_bits),
                T(virtio_net_receive_drops_packet_shorter_than_header_and_ethernet_header),
                T(virtio_net_receive_trusts_only_the_used_length),
                T(virtio_net_receive_never_passes_bytes_beyond_the_used_length),
                T(virtio_net_used_len_beyond_posted_buffer_breaks_device),
                T(virtio_net_forged_rx_id_out_of_range_breaks_device),
                T(virtio_net_forged_tx_id_breaks_device),
                T(virtio_net_duplicate_tx_completion_breaks_device),
                T(virtio_net_duplicate_rx_completion_replays_only_device_bytes),
                T(virtio_net_used_idx_beyond_buffers_in_flight_breaks_device),
                T(virtio_net_destroy_after_traffic_releases_every_mapping_and_page),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
