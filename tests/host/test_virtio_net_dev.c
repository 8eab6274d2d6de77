/* The virtio-net device model driven through the PCI bus and the virtio-pci transport by
 * a small test driver that writes real descriptor chains into fake guest memory, over an
 * in-test network backend (a FIFO of frames to deliver, a log of frames sent, knobs to make
 * it busy or fail).  virtio 1.2 §5.1 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>

#include <cmocka.h>

#include "host/virtio_net_dev.h"
#include "host_fakes.h"
#include "lib/bytes.h"

#define DEV        3
#define QSZ        16
#define RXQ        VIRTIO_NET_DEV_RXQ
#define TXQ        VIRTIO_NET_DEV_TXQ
#define HDR        VIRTIO_NET_HDR_SIZE
#define RX_BUF     VIRTIO_NET_RX_BUF
#define FIFO_MAX   8u
#define FRAME_ROOM 2048u

static const uint64_t base_features = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |
                                      VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS);

/* ---- the in-test backend ---- */

struct frame {
        size_t len;
        uint8_t b[FRAME_ROOM];
};

struct fifo {
        struct frame f[FIFO_MAX];
        unsigned head, count;
};

struct tnet {
        struct net_backend b;                     /* first */
        struct fifo rx;                           /* frames rx_poll hands over, in order */
        struct fifo late;                         /* frames that arrive during wait */
        struct fifo sent;                         /* frames tx took, in order */
        unsigned busy;                            /* tx answers BUSY this many more times */
        ccada_status tx_fail, rx_fail, wait_fail; /* CCADA_OK: succeed */
        size_t rx_claim;                          /* != 0: rx_poll reports this length (a broken backend) */
        unsigned tx_calls, rx_calls, rx_too_long;
        unsigned probes, blocking_waits; /* wait calls with timeout 0, and > 0 */
        int last_timeout;                /* of the last blocking wait */
        unsigned *closes;                /* counts closes after the backend is freed */
};

#define TNET(nb) ((struct tnet *)(void *)(nb))

static void fifo_put(struct fifo *q, const void *bytes, size_t len)
{
        assert_true(q->count < FIFO_MAX && len <= FRAME_ROOM);
        struct frame *f = &q->f[(q->head + q->count++) % FIFO_MAX];
        f->len = len;
        memcpy(f->b, bytes, len);
}

static const struct frame *fifo_at(const struct fifo *q, unsigned i)
{
        assert_true(i < q->count);
        return &q->f[(q->head + i) % FIFO_MAX];
}

static struct frame *fifo_take(struct fifo *q)
{
        if (q->count == 0)
                return NULL;
        struct frame *f = &q->f[q->head];
        q->head = (q->head + 1) % FIFO_MAX;
        q->count--;
        return f;
}

static size_t iov_total(const struct iovec *iov, unsigned n)
{
        size_t t = 0;
        for (unsigned i = 0; i < n; i++)
                t += iov[i].iov_len;
        return t;
}

static ccada_status tnet_tx(struct net_backend *b, const struct iovec *iov, unsigned n)
{
        struct tnet *t = TNET(b);
        t->tx_calls++;
        if (t->busy) {
                t->busy--;
                return CCADA_E_BUSY;
        }
        if (t->tx_fail != CCADA_OK)
                return t->tx_fail;
        uint8_t frame[FRAME_ROOM];
        size_t len = 0;
        assert_true(iov_total(iov, n) <= sizeof(frame));
        for (unsigned i = 0; i < n; i++) {
                memcpy(frame + len, iov[i].iov_base, iov[i].iov_len);
                len += iov[i].iov_len;
        }
        fifo_put(&t->sent, frame, len);
        return CCADA_OK;
}

/* One frame, whole, or none; a frame longer than the iovecs is dropped (the contract). */
static ccada_status tnet_rx_poll(struct net_backend *b, const struct iovec *iov, unsigned n, size_t *len)
{
        struct tnet *t = TNET(b);
        const struct frame *f;
        t->rx_calls++;
        *len = 0;
        if (t->rx_fail != CCADA_OK)
                return t->rx_fail;
        while ((f = fifo_take(&t->rx)) != NULL && f->len > iov_total(iov, n))
                t->rx_too_long++;
        if (!f)
                return CCADA_OK;
        size_t off = 0;
        for (unsigned i = 0; i < n && off < f->len; i++) {
                size_t k = f->len - off < iov[i].iov_len ? f->len - off : iov[i].iov_len;
                memcpy(iov[i].iov_base, f->b + off, k);
                off += k;
        }
        *len = t->rx_claim ? t->rx_claim : f->len;
        return CCADA_OK;
}

/* Frames "arrive" while the guest waits: the late FIFO moves to the rx FIFO. */
static ccada_status tnet_wait(struct net_backend *b, int timeout_ms, bool *ready)
{
        struct tnet *t = TNET(b);
        const struct frame *f;
        if (timeout_ms > 0) {
                t->blocking_waits++;
                t->last_timeout = timeout_ms;
        } else {
                t->probes++;
        }
        if (t->wait_fail != CCADA_OK)
                return t->wait_fail;
        while ((f = fifo_take(&t->late)) != NULL)
                fifo_put(&t->rx, f->b, f->len);
        *ready = t->rx.count > 0;
        return CCADA_OK;
}

static void tnet_close(struct net_backend *b)
{
        struct tnet *t = TNET(b);
        (*t->closes)++;
        free(t);
}

static const struct net_backend_ops tnet_ops = {
        .kind = "test",
        .tx = tnet_tx,
        .rx_poll = tnet_rx_poll,
        .wait = tnet_wait,
        .close = tnet_close,
};
static const struct net_backend_ops tnet_ops_no_wait = {
        .kind = "test",
        .tx = tnet_tx,
        .rx_poll = tnet_rx_poll,
        .wait = NULL,
        .close = tnet_close,
};
static const struct net_backend_ops tnet_ops_no_tx = {
        .kind = "test",
        .tx = NULL,
        .rx_poll = tnet_rx_poll,
        .wait = NULL,
        .close = tnet_close,
};

static struct tnet *tnet_new(const struct net_backend_ops *ops, unsigned *closes)
{
        struct tnet *t = calloc(1, sizeof(*t));
        assert_non_null(t);
        t->b.ops = ops;
        t->closes = closes;
        return t;
}

/* ---- the rig ---- */

struct rig {
        struct host_vm *vm;
        struct host_pci_bus bus;
        struct virtio_net_dev *net;
        struct tnet *be; /* owned by net */
        struct tdrv drv;
        unsigned closes; /* backend closes */
};

static struct virtio_net_dev_config dev_config(struct rig *r)
{
        return (struct virtio_net_dev_config){ .vm = r->vm, .trace = &r->vm->trace };
}

/* Reset, negotiate, both queues of QSZ, DRIVER_OK: what a driver does at probe. */
static void bringup(struct rig *r, uint64_t features)
{
        assert_true(tdrv_negotiate(&r->drv, features) & VIRTIO_STATUS_FEATURES_OK);
        tdrv_setup_queue_n(&r->drv, RXQ, QSZ);
        tdrv_setup_queue_n(&r->drv, TXQ, QSZ);
        tdrv_driver_ok(&r->drv);
        assert_int_equal(tdrv_status(&r->drv) & VIRTIO_STATUS_DRIVER_OK, VIRTIO_STATUS_DRIVER_OK);
}

/* Opens the device over a test backend with ops and puts it on the bus (not brought up). */
static void open_dev(struct rig *r, const struct net_backend_ops *ops)
{
        struct virtio_net_dev_config c = dev_config(r);
        r->be = tnet_new(ops, &r->closes);
        assert_int_equal(virtio_net_dev_open(&r->net, &c, &r->be->b), CCADA_OK);
        assert_ptr_equal(virtio_net_dev_backend(r->net), &r->be->b);
        assert_int_equal(host_pci_bus_add(&r->bus, virtio_net_dev_func(r->net), DEV), CCADA_OK);
        tdrv_attach(&r->drv, r->vm, &r->bus, DEV);
}

static int setup_bare(void **state)
{
        struct rig *r = calloc(1, sizeof(*r));
        if (!r)
                return -1;
        r->vm = fake_vm_create();
        if (host_pci_bus_init(&r->bus, HOST_PCI_ECAM_BASE, HOST_PCI_WIN_BASE, HOST_PCI_WIN_SIZE) != CCADA_OK)
                return -1;
        *state = r;
        return 0;
}

static int setup_live(void **state)
{
        if (setup_bare(state) != 0)
                return -1;
        struct rig *r = *state;
        open_dev(r, &tnet_ops);
        bringup(r, base_features);
        return 0;
}

static int teardown(void **state)
{
        struct rig *r = *state;
        if (r->net)
                host_pci_bus_remove(virtio_net_dev_func(r->net));
        virtio_net_dev_close(r->net);
        fake_vm_destroy(r->vm);
        free(r);
        return 0;
}

/* ---- the test driver's frames ---- */

static void fill_frame(uint8_t *f, size_t len, uint8_t seed)
{
        for (size_t i = 0; i < len; i++)
                f[i] = (uint8_t)(seed + i * 13 + (i >> 8));
}

/* A buffer of len bytes in guest memory. */
static uint64_t gbuf(struct rig *r, size_t len) { return fake_alloc(r->vm, len, 16); }

static void put_hdr(struct rig *r, uint64_t gpa, const struct virtio_net_hdr *h)
{
        assert_true(virtio_net_hdr_encode(fake_ptr(r->vm, gpa, HDR), HDR, h));
}

/* A transmit chain: a plain header then the frame, in one descriptor each. Returns the head;
 * the frame is copied to f (FRAME_ROOM). */
static uint16_t add_tx(struct rig *r, size_t len, uint8_t seed, uint8_t *f)
{
        struct virtio_net_hdr h;
        virtio_net_tx_hdr_plain(&h);
        uint64_t hdr = gbuf(r, HDR), data = gbuf(r, len);
        put_hdr(r, hdr, &h);
        fill_frame(fake_ptr(r->vm, data, len), len, seed);
        if (f)
                memcpy(f, fake_ptr(r->vm, data, len), len);
        struct tbuf b[2] = { { hdr, HDR, false }, { data, (uint32_t)len, false } };
        return tdrv_add_n(&r->drv, TXQ, b, 2);
}

/* A transmit chain of one readable buffer: header h and len - HDR frame bytes. */
static uint16_t add_tx_raw(struct rig *r, const struct virtio_net_hdr *h, size_t len)
{
        uint64_t buf = gbuf(r, len < HDR ? HDR : len);
        put_hdr(r, buf, h);
        struct tbuf b[1] = { { buf, (uint32_t)len, false } };
        return tdrv_add_n(&r->drv, TXQ, b, 1);
}

/* A receive chain of one writable buffer of len bytes; returns its address. */
static uint64_t add_rx(struct rig *r, uint32_t len, uint16_t *head)
{
        uint64_t buf = gbuf(r, len);
        memset(fake_ptr(r->vm, buf, len), 0xEE, len);
        struct tbuf b[1] = { { buf, len, true } };
        uint16_t h = tdrv_add_n(&r->drv, RXQ, b, 1);
        if (head)
                *head = h;
        return buf;
}

static void expect_used(struct rig *r, uint16_t q, uint16_t head, uint32_t len)
{
        uint32_t id, l;
        assert_true(tdrv_get_used_n(&r->drv, q, &id, &l));
        assert_int_equal(id, head);
        assert_int_equal(l, len);
}

static void expect_no_used(struct rig *r, uint16_t q)
{
        uint32_t id, l;
        assert_false(tdrv_get_used_n(&r->drv, q, &id, &l));
}

static struct virtio_net_dev_stats stats(struct rig *r)
{
        struct virtio_net_dev_stats st;
        virtio_net_dev_get_stats(r->net, &st);
        return st;
}

static uint8_t status_now(struct rig *r) { return tdrv_status(&r->drv); }

/* The device delivers nothing more and sets no error. */
static unsigned poll_now(struct rig *r)
{
        unsigned n = 99;
        assert_int_equal(virtio_net_dev_poll(r->net, 0, &n), CCADA_OK);
        return n;
}

/* A received packet at gpa: the 12-byte header the device wrote (all zero but
 * num_buffers = 1), then the frame f of len bytes. */
static void expect_packet(struct rig *r, uint64_t gpa, const uint8_t *f, size_t len)
{
        static const uint8_t want_hdr[HDR] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
        assert_memory_equal(fake_ptr(r->vm, gpa, HDR), want_hdr, HDR);
        assert_memory_equal(fake_ptr(r->vm, gpa + HDR, len), f, len);
}

/* ---- configuration and features ---- */

static void virtio_net_dev_offers_mac_status_and_transport_features(void **state)
{
        struct rig *r = *state;
        uint64_t f = 0;
        for (uint32_t sel = 0; sel < 2; sel++) {
                tdrv_common_wr(&r->drv, VIRTIO_PCI_COMMON_DFSELECT, 4, sel);
                f |= tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_DF, 4) << (32 * sel);
        }
        assert_int_equal(f, VIRTIO_PCI_TRANSPORT_FEATURES | VIRTIO_BIT(VIRTIO_NET_F_MAC) |
                                    VIRTIO_BIT(VIRTIO_NET_F_STATUS));
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_DEVICE_ID, 2), 0x1041);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_CLASS_DEVICE, 2), 0x0200);
        assert_int_equal(tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_NUMQ, 2), 2);
        /* Features not offered are refused: FEATURES_OK stays clear. */
        assert_false(tdrv_negotiate(&r->drv, base_features | VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF)) &
                     VIRTIO_STATUS_FEATURES_OK);
        assert_false(tdrv_negotiate(&r->drv, base_features | VIRTIO_BIT(VIRTIO_NET_F_CSUM)) &
                     VIRTIO_STATUS_FEATURES_OK);
}

static void virtio_net_dev_config_reads_default_mac_link_up_and_one_queue_pair(void **state)
{
        struct rig *r = *state;
        static const uint8_t want_mac[6] = { VIRTIO_NET_DEV_DEFAULT_MAC };
        uint64_t v, cfg = r->drv.bar0 + VIRTIO_PCI_DEVICE_OFF;
        for (unsigned i = 0; i < 6; i++) {
                assert_true(mem_rd(&r->bus, cfg + VIRTIO_NET_CFG_MAC + i, 1, &v));
                assert_int_equal(v, want_mac[i]);
        }
        assert_true(mem_rd(&r->bus, cfg + VIRTIO_NET_CFG_STATUS, 2, &v));
        assert_int_equal(v, VIRTIO_NET_S_LINK_UP);
        assert_true(mem_rd(&r->bus, cfg + VIRTIO_NET_CFG_MAX_VQ_PAIRS, 2, &v));
        assert_int_equal(v, 1);
        /* Read-only: writes are ignored. */
        assert_true(mem_wr(&r->bus, cfg + VIRTIO_NET_CFG_STATUS, 2, 0));
        assert_true(mem_wr(&r->bus, cfg + VIRTIO_NET_CFG_MAC, 1, 0xAA));
        assert_true(mem_rd(&r->bus, cfg + VIRTIO_NET_CFG_STATUS, 2, &v));
        assert_int_equal(v, VIRTIO_NET_S_LINK_UP);
        assert_true(mem_rd(&r->bus, cfg + VIRTIO_NET_CFG_MAC, 4, &v));
        assert_int_equal(v, 0x12005452u); /* 52:54:00:12, little-endian */
}

static void virtio_net_dev_config_reads_the_mac_it_was_given(void **state)
{
        struct rig *r = *state;
        struct virtio_net_dev_config c = dev_config(r);
        static const uint8_t mac[6] = { 0x02, 0xCC, 0xAD, 0xA0, 0x00, 0x07 };
        memcpy(c.mac, mac, 6);
        r->be = tnet_new(&tnet_ops, &r->closes);
        assert_int_equal(virtio_net_dev_open(&r->net, &c, &r->be->b), CCADA_OK);
        assert_int_equal(host_pci_bus_add(&r->bus, virtio_net_dev_func(r->net), DEV), CCADA_OK);
        tdrv_attach(&r->drv, r->vm, &r->bus, DEV);
        uint64_t v, cfg = r->drv.bar0 + VIRTIO_PCI_DEVICE_OFF;
        for (unsigned i = 0; i < 6; i++) {
                assert_true(mem_rd(&r->bus, cfg + VIRTIO_NET_CFG_MAC + i, 1, &v));
                assert_int_equal(v, mac[i]);
        }
        /* Nothing past max_virtqueue_pairs (mtu exists only with VIRTIO_NET_F_MTU): BAR0
         * space the config does not cover reads as zero. */
        assert_true(mem_rd(&r->bus, cfg + VIRTIO_NET_CFG_MTU, 2, &v));
        assert_int_equal(v, 0);
}

/* ---- transmit ---- */

static void virtio_net_dev_tx_hands_backend_frame_without_header_and_returns_len_0(void **state)
{
        struct rig *r = *state;
        uint8_t f[FRAME_ROOM];
        uint16_t head = add_tx(r, 60, 1, f);
        tdrv_kick_n(&r->drv, TXQ);
        expect_used(r, TXQ, head, 0);
        assert_int_equal(r->be->sent.count, 1);
        assert_int_equal(fifo_at(&r->be->sent, 0)->len, 60);
        assert_memory_equal(fifo_at(&r->be->sent, 0)->b, f, 60);
        struct virtio_net_dev_stats st = stats(r);
        assert_int_equal(st.tx_frames, 1);
        assert_int_equal(st.tx_bytes, 60);
        assert_int_equal(st.tx_dropped_bad, 0);
        assert_true(fake_trace_contains(r->vm, "virtio_complete: dev=0000:00:03.0 q=1 head=0 len=60\n"));
}

static void virtio_net_dev_tx_accepts_frames_of_14_and_1514_bytes(void **state)
{
        struct rig *r = *state;
        uint8_t f[FRAME_ROOM];
        uint16_t a = add_tx(r, VIRTIO_NET_ETH_HLEN, 2, NULL);
        uint16_t b = add_tx(r, VIRTIO_NET_MAX_FRAME, 3, f);
        tdrv_kick_n(&r->drv, TXQ);
        expect_used(r, TXQ, a, 0);
        expect_used(r, TXQ, b, 0);
        assert_int_equal(r->be->sent.count, 2);
        assert_int_equal(fifo_at(&r->be->sent, 0)->len, 14);
        assert_int_equal(fifo_at(&r->be->sent, 1)->len, 1514);
        assert_memory_equal(fifo_at(&r->be->sent, 1)->b, f, 1514);
        assert_int_equal(stats(r).tx_bytes, 14 + 1514);
}

/* Header in one descriptor, the frame in two apart in memory; then the header split over two
 * descriptors, the second also holding the frame's first bytes. */
static void virtio_net_dev_tx_frame_spanning_descriptors_reaches_backend_whole(void **state)
{
        struct rig *r = *state;
        struct virtio_net_hdr h;
        uint8_t f[300];
        fill_frame(f, sizeof(f), 9);
        virtio_net_tx_hdr_plain(&h);
        uint64_t hdr = gbuf(r, HDR), p2 = gbuf(r, 200), p1 = gbuf(r, 100);
        put_hdr(r, hdr, &h);
        memcpy(fake_ptr(r->vm, p1, 100), f, 100);
        memcpy(fake_ptr(r->vm, p2, 200), f + 100, 200);
        struct tbuf b[3] = { { hdr, HDR, false }, { p1, 100, false }, { p2, 200, false } };
        uint16_t head = tdrv_add_n(&r->drv, TXQ, b, 3);

        uint64_t x = gbuf(r, 5), y = gbuf(r, HDR - 5 + 300);
        uint8_t whole[HDR];
        assert_true(virtio_net_hdr_encode(whole, HDR, &h));
        memcpy(fake_ptr(r->vm, x, 5), whole, 5);
        memcpy(fake_ptr(r->vm, y, HDR - 5), whole + 5, HDR - 5);
        memcpy(fake_ptr(r->vm, y + HDR - 5, 300), f, 300);
        struct tbuf c[2] = { { x, 5, false }, { y, HDR - 5 + 300, false } };
        uint16_t head2 = tdrv_add_n(&r->drv, TXQ, c, 2);

        tdrv_kick_n(&r->drv, TXQ);
        expect_used(r, TXQ, head, 0);
        expect_used(r, TXQ, head2, 0);
        assert_int_equal(r->be->sent.count, 2);
        for (unsigned i = 0; i < 2; i++) {
                assert_int_equal(fifo_at(&r->be->sent, i)->len, 300);
                assert_memory_equal(fifo_at(&r->be->sent, i)->b, f, 300);
        }
}

static void virtio_net_dev_tx_indirect_chain_is_sent(void **state)
{
        struct rig *r = *state;
        bringup(r, base_features | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
        struct virtio_net_hdr h;
        uint8_t f[64];
        fill_frame(f, sizeof(f), 4);
        virtio_net_tx_hdr_plain(&h);
        uint64_t hdr = gbuf(r, HDR), data = gbuf(r, sizeof(f));
        put_hdr(r, hdr, &h);
        memcpy(fake_ptr(r->vm, data, sizeof(f)), f, sizeof(f));
        struct tbuf b[2] = { { hdr, HDR, false }, { data, sizeof(f), false } };
        uint16_t head = tdrv_add_indirect_n(&r->drv, TXQ, b, 2);
        tdrv_kick_n(&r->drv, TXQ);
        expect_used(r, TXQ, head, 0);
        assert_int_equal(r->be->sent.count, 1);
        assert_memory_equal(fifo_at(&r->be->sent, 0)->b, f, sizeof(f));
}

/* A dropped chain: given back with len 0, counted, traced, and the backend saw nothing. */
static void expect_tx_dropped(struct rig *r, uint16_t head, uint64_t dropped, const char *reason)
{
        char line[96];
        expect_used(r, TXQ, head, 0);
        assert_int_equal(r->be->tx_calls, 0);
        assert_int_equal(stats(r).tx_dropped_bad, dropped);
        snprintf(line, sizeof(line), "q=1 head=%u len=0 drop=%s\n", head, reason);
        assert_true(fake_trace_contains(r->vm, line));
        assert_false(status_now(r) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

static void virtio_net_dev_tx_drops_frame_with_offload_header_and_returns_buffer(void **state)
{
        struct rig *r = *state;
        struct virtio_net_hdr h;
        virtio_net_tx_hdr_plain(&h);
        h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
        h.csum_start = 34, h.csum_offset = 16;
        uint16_t head = add_tx_raw(r, &h, HDR + 60);
        tdrv_kick_n(&r->drv, TXQ);
        expect_tx_dropped(r, head, 1, "net_tx_csum_offload");

        virtio_net_tx_hdr_plain(&h);
        h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
        h.gso_size = 1448, h.hdr_len = 54;
        head = add_tx_raw(r, &h, HDR + 60);
        tdrv_kick_n(&r->drv, TXQ);
        expect_tx_dropped(r, head, 2, "net_tx_gso");

        virtio_net_tx_hdr_plain(&h);
        h.gso_type = VIRTIO_NET_HDR_GSO_ECN; /* NONE with the ECN bit is not NONE */
        head = add_tx_raw(r, &h, HDR + 60);
        tdrv_kick_n(&r->drv, TXQ);
        expect_tx_dropped(r, head, 3, "net_tx_gso");

        virtio_net_tx_hdr_plain(&h);
        h.flags = VIRTIO_NET_HDR_F_DATA_VALID; /* a receive-side flag: flags must be 0 */
        head = add_tx_raw(r, &h, HDR + 60);
        tdrv_kick_n(&r->drv, TXQ);
        expect_tx_dropped(r, head, 4, "net_tx_csum_offload");

        /* The queue goes on. */
        head = add_tx(r, 60, 5, NULL);
        tdrv_kick_n(&r->drv, TXQ);
        expect_used(r, TXQ, head, 0);
        assert_int_equal(r->be->sent.count, 1);
}

static void virtio_net_dev_tx_drops_chain_shorter_than_header_plus_ethernet_header(void **state)
{
        struct rig *r = *state;
        struct virtio_net_hdr h;
        virtio_net_tx_hdr_plain(&h);
        uint16_t head = add_tx_raw(r, &h, HDR + VIRTIO_NET_ETH_HLEN - 1);
        tdrv_kick_n(&r->drv, TXQ);
        expect_tx_dropped(r, head, 1, "net_tx_short");
        head = add_tx_raw(r, &h, HDR - 4); /* not even a header */
        tdrv_kick_n(&r->drv, TXQ);
        expect_tx_dropped(r, head, 2, "net_tx_short");
}

static void virtio_net_dev_tx_drops_frame_longer_than_1514_bytes(void **state)
{
        struct rig *r = *state;
        struct virtio_net_hdr h;
        virtio_net_tx_hdr_plain(&h);
        uint16_t head = add_tx_raw(r, &h, HDR + VIRTIO_NET_MAX_FRAME + 1);
        tdrv_kick_n(&r->drv, TXQ);
        expect_tx_dropped(r, head, 1, "net_tx_oversize");
}

static void virtio_net_dev_tx_drops_chain_with_writable_part(void **state)
{
        struct rig *r = *state;
        struct virtio_net_hdr h;
        virtio_net_tx_hdr_plain(&h);
        uint64_t buf = gbuf(r, HDR + 60), w = gbuf(r, 16);
        put_hdr(r, buf, &h);
        *fake_ptr(r->vm, w, 1) = 0x5A;
        struct tbuf b[2] = { { buf, HDR + 60, false }, { w, 16, true } };
        uint16_t head = tdrv_add_n(&r->drv, TXQ, b, 2);
        tdrv_kick_n(&r->drv, TXQ);
        expect_tx_dropped(r, head, 1, "net_tx_writable_part");
        assert_int_equal(*fake_ptr(r->vm, w, 1), 0x5A); /* the device wrote nothing */
}

/* A header or frame the host cannot reach (private Realm memory): dropped, not reset. */
static void virtio_net_dev_tx_drops_frame_in_unreachable_memory(void **state)
{
        struct rig *r = *state;
        struct virtio_net_hdr h;
        virtio_net_tx_hdr_plain(&h);
        uint64_t hdr = gbuf(r, HDR), data = gbuf(r, 4096);
        put_hdr(r, hdr, &h);
        fake_revoke(r->vm, data, 4096);
        struct tbuf b[2] = { { hdr, HDR, false }, { data, 100, false } };
        uint16_t head = tdrv_add_n(&r->drv, TXQ, b, 2);
        tdrv_kick_n(&r->drv, TXQ);
        expect_tx_dropped(r, head, 1, "net_tx_unreachable");
        fake_revoke(r->vm, hdr, HDR); /* now the header (the frame is reachable again) */
        head = tdrv_add_n(&r->drv, TXQ, b, 2);
        tdrv_kick_n(&r->drv, TXQ);
        expect_tx_dropped(r, head, 2, "net_tx_unreachable");
}

/* BUSY: the frame stays popped, nothing newer is read, and the next poll sends it first. */
static void virtio_net_dev_tx_busy_keeps_frame_and_retries_at_poll_in_order(void **state)
{
        struct rig *r = *state;
        uint8_t fa[FRAME_ROOM], fb[FRAME_ROOM];
        r->be->busy = 1;
        uint16_t a = add_tx(r, 70, 10, fa);
        uint16_t b = add_tx(r, 80, 20, fb);
        tdrv_kick_n(&r->drv, TXQ);
        expect_no_used(r, TXQ);
        assert_int_equal(r->be->tx_calls, 1);
        assert_int_equal(stats(r).tx_busy_retries, 1);
        assert_int_equal(virtio_pci_queue(virtio_net_dev_pci(r->net), TXQ)->popped, 1); /* b not read */

        assert_int_equal(poll_now(r), 0);
        expect_used(r, TXQ, a, 0);
        expect_used(r, TXQ, b, 0);
        assert_int_equal(r->be->sent.count, 2);
        assert_memory_equal(fifo_at(&r->be->sent, 0)->b, fa, 70);
        assert_memory_equal(fifo_at(&r->be->sent, 1)->b, fb, 80);
        assert_int_equal(stats(r).tx_frames, 2);
        assert_int_equal(stats(r).tx_busy_retries, 1);
}

/* A notification while a frame is held offers the held one first. */
static void virtio_net_dev_tx_notify_while_busy_retries_held_frame_first(void **state)
{
        struct rig *r = *state;
        uint8_t fa[FRAME_ROOM], fb[FRAME_ROOM];
        r->be->busy = 2;
        uint16_t a = add_tx(r, 70, 10, fa);
        tdrv_kick_n(&r->drv, TXQ);
        uint16_t b = add_tx(r, 80, 20, fb);
        tdrv_kick_n(&r->drv, TXQ); /* still busy: a offered again, b not read */
        expect_no_used(r, TXQ);
        assert_int_equal(r->be->tx_calls, 2);
        assert_int_equal(stats(r).tx_busy_retries, 2);
        tdrv_kick_n(&r->drv, TXQ);
        expect_used(r, TXQ, a, 0);
        expect_used(r, TXQ, b, 0);
        assert_memory_equal(fifo_at(&r->be->sent, 0)->b, fa, 70);
        assert_memory_equal(fifo_at(&r->be->sent, 1)->b, fb, 80);
}

static void virtio_net_dev_tx_backend_failure_loses_frame_and_returns_buffer(void **state)
{
        struct rig *r = *state;
        r->be->tx_fail = CCADA_E_IO;
        uint16_t a = add_tx(r, 60, 1, NULL);
        tdrv_kick_n(&r->drv, TXQ);
        expect_used(r, TXQ, a, 0);
        assert_int_equal(stats(r).backend_errors, 1);
        assert_int_equal(stats(r).tx_frames, 0);
        assert_true(fake_trace_contains(r->vm, "drop=net_tx_backend_error"));
        r->be->tx_fail = CCADA_OK;
        a = add_tx(r, 60, 1, NULL);
        tdrv_kick_n(&r->drv, TXQ);
        expect_used(r, TXQ, a, 0);
        assert_int_equal(r->be->sent.count, 1);
        assert_false(status_now(r) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

/* ---- receive ---- */

static void virtio_net_dev_rx_frame_lands_after_header_with_num_buffers_1(void **state)
{
        struct rig *r = *state;
        uint8_t f[200];
        uint16_t head;
        fill_frame(f, sizeof(f), 7);
        fifo_put(&r->be->rx, f, sizeof(f));
        uint64_t buf = add_rx(r, RX_BUF, &head);
        uint64_t irqs = virtio_net_dev_pci(r->net)->stats.interrupts;
        tdrv_kick_n(&r->drv, RXQ);
        expect_used(r, RXQ, head, HDR + sizeof(f));
        expect_packet(r, buf, f, sizeof(f));
        assert_int_equal(*fake_ptr(r->vm, buf + HDR + sizeof(f), 1), 0xEE); /* nothing beyond */
        assert_int_equal(virtio_net_dev_pci(r->net)->stats.interrupts, irqs + 1);
        assert_int_equal(r->be->probes + r->be->blocking_waits, 0); /* a notification never waits */
        struct virtio_net_dev_stats st = stats(r);
        assert_int_equal(st.rx_frames, 1);
        assert_int_equal(st.rx_bytes, sizeof(f));
        assert_true(fake_trace_contains(r->vm, "virtio_complete: dev=0000:00:03.0 q=0 head=0 len=200\n"));
}

/* A buffer posted before any frame is held; the frame that comes later lands at the next poll. */
static void virtio_net_dev_rx_buffer_held_until_frame_arrives_at_poll(void **state)
{
        struct rig *r = *state;
        uint8_t f[1514];
        uint16_t head;
        fill_frame(f, sizeof(f), 8);
        uint64_t buf = add_rx(r, RX_BUF, &head);
        tdrv_kick_n(&r->drv, RXQ);
        expect_no_used(r, RXQ);
        assert_int_equal(poll_now(r), 0);
        fifo_put(&r->be->rx, f, sizeof(f));
        assert_int_equal(poll_now(r), 1);
        expect_used(r, RXQ, head, HDR + sizeof(f));
        expect_packet(r, buf, f, sizeof(f));
        assert_int_equal(virtio_pci_queue(virtio_net_dev_pci(r->net), RXQ)->popped, 1);
}

static void virtio_net_dev_rx_frame_waiting_without_buffer_delivered_once_driver_posts(void **state)
{
        struct rig *r = *state;
        uint8_t f[100];
        uint16_t head;
        fill_frame(f, sizeof(f), 6);
        fifo_put(&r->be->rx, f, sizeof(f));
        assert_int_equal(poll_now(r), 0);
        assert_int_equal(stats(r).rx_no_buffer, 1);
        assert_int_equal(r->be->rx.count, 1); /* still the backend's */
        uint64_t buf = add_rx(r, RX_BUF, &head);
        tdrv_kick_n(&r->drv, RXQ);
        expect_used(r, RXQ, head, HDR + sizeof(f));
        expect_packet(r, buf, f, sizeof(f));
        assert_int_equal(stats(r).rx_no_buffer, 1);
}

static void virtio_net_dev_rx_delivers_every_waiting_frame_while_buffers_last(void **state)
{
        struct rig *r = *state;
        uint8_t f[3][64];
        uint16_t h[3];
        uint64_t buf[3];
        for (unsigned i = 0; i < 3; i++) {
                fill_frame(f[i], sizeof(f[i]), (uint8_t)(30 + i));
                fifo_put(&r->be->rx, f[i], sizeof(f[i]));
        }
        buf[0] = add_rx(r, RX_BUF, &h[0]);
        buf[1] = add_rx(r, RX_BUF, &h[1]);
        tdrv_kick_n(&r->drv, RXQ);
        expect_used(r, RXQ, h[0], HDR + 64);
        expect_used(r, RXQ, h[1], HDR + 64);
        expect_no_used(r, RXQ);
        assert_int_equal(r->be->rx.count, 1);
        buf[2] = add_rx(r, RX_BUF, &h[2]);
        assert_int_equal(poll_now(r), 1); /* no notification needed: poll takes the new buffer */
        expect_used(r, RXQ, h[2], HDR + 64);
        for (unsigned i = 0; i < 3; i++)
                expect_packet(r, buf[i], f[i], 64);
}

/* A receive buffer below 1526 bytes (no MRG_RXBUF) is given back unused, len 0: no reset,
 * and the waiting frame goes into the next buffer that fits. */
static void virtio_net_dev_rx_refuses_buffer_smaller_than_1526_and_keeps_frame(void **state)
{
        struct rig *r = *state;
        uint8_t f[60];
        uint16_t small, big;
        fill_frame(f, sizeof(f), 5);
        fifo_put(&r->be->rx, f, sizeof(f));
        uint64_t sbuf = add_rx(r, RX_BUF - 1, &small);
        tdrv_kick_n(&r->drv, RXQ);
        expect_used(r, RXQ, small, 0);
        assert_int_equal(*fake_ptr(r->vm, sbuf, 1), 0xEE);
        assert_int_equal(stats(r).rx_bad_buffers, 1);
        assert_int_equal(r->be->rx_calls, 0);
        assert_true(fake_trace_contains(r->vm, "q=0 head=0 len=0 drop=net_rx_buffer_too_small"));
        assert_false(status_now(r) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
        uint64_t buf = add_rx(r, RX_BUF, &big);
        tdrv_kick_n(&r->drv, RXQ);
        expect_used(r, RXQ, big, HDR + sizeof(f));
        expect_packet(r, buf, f, sizeof(f));
}

static void virtio_net_dev_rx_refuses_chain_with_readable_part(void **state)
{
        struct rig *r = *state;
        uint8_t f[60];
        fill_frame(f, sizeof(f), 5);
        fifo_put(&r->be->rx, f, sizeof(f));
        uint64_t rd = gbuf(r, 16), wr = gbuf(r, RX_BUF);
        struct tbuf b[2] = { { rd, 16, false }, { wr, RX_BUF, true } };
        uint16_t head = tdrv_add_n(&r->drv, RXQ, b, 2);
        tdrv_kick_n(&r->drv, RXQ);
        expect_used(r, RXQ, head, 0);
        assert_int_equal(stats(r).rx_bad_buffers, 1);
        assert_int_equal(r->be->rx.count, 1);
        assert_true(fake_trace_contains(r->vm, "drop=net_rx_readable_part"));
}

static void virtio_net_dev_rx_refuses_unreachable_buffer_and_keeps_frame(void **state)
{
        struct rig *r = *state;
        uint8_t f[60];
        uint16_t head;
        fill_frame(f, sizeof(f), 5);
        fifo_put(&r->be->rx, f, sizeof(f));
        uint64_t bad = add_rx(r, RX_BUF, &head);
        fake_revoke(r->vm, bad + 1000, 1);
        tdrv_kick_n(&r->drv, RXQ);
        expect_used(r, RXQ, head, 0);
        assert_int_equal(stats(r).rx_bad_buffers, 1);
        assert_int_equal(r->be->rx_calls, 0);
        uint64_t buf = add_rx(r, RX_BUF, &head);
        tdrv_kick_n(&r->drv, RXQ);
        expect_used(r, RXQ, head, HDR + sizeof(f));
        expect_packet(r, buf, f, sizeof(f));
}

/* Header in one descriptor, the frame across two; then the header split 5 + 7 with the frame
 * starting in the second descriptor. */
static void virtio_net_dev_rx_frame_spanning_descriptors_is_laid_out_in_order(void **state)
{
        struct rig *r = *state;
        uint8_t f[1000], got[1000];
        fill_frame(f, sizeof(f), 11);
        fifo_put(&r->be->rx, f, sizeof(f));
        fifo_put(&r->be->rx, f, sizeof(f));
        uint64_t hdr = gbuf(r, HDR), p2 = gbuf(r, 826), p1 = gbuf(r, 700);
        struct tbuf b[3] = { { hdr, HDR, true }, { p1, 700, true }, { p2, 826, true } };
        uint16_t head = tdrv_add_n(&r->drv, RXQ, b, 3);
        uint64_t x = gbuf(r, 5), y = gbuf(r, RX_BUF - 5);
        struct tbuf c[2] = { { x, 5, true }, { y, RX_BUF - 5, true } };
        uint16_t head2 = tdrv_add_n(&r->drv, RXQ, c, 2);
        tdrv_kick_n(&r->drv, RXQ);
        expect_used(r, RXQ, head, HDR + 1000);
        expect_used(r, RXQ, head2, HDR + 1000);

        static const uint8_t want_hdr[HDR] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
        assert_memory_equal(fake_ptr(r->vm, hdr, HDR), want_hdr, HDR);
        memcpy(got, fake_ptr(r->vm, p1, 700), 700);
        memcpy(got + 700, fake_ptr(r->vm, p2, 300), 300);
        assert_memory_equal(got, f, sizeof(f));
        assert_memory_equal(fake_ptr(r->vm, x, 5), want_hdr, 5);
        assert_memory_equal(fake_ptr(r->vm, y, HDR - 5), want_hdr + 5, HDR - 5);
        assert_memory_equal(fake_ptr(r->vm, y + HDR - 5, sizeof(f)), f, sizeof(f));
}

static void virtio_net_dev_rx_indirect_chain_receives(void **state)
{
        struct rig *r = *state;
        bringup(r, base_features | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
        uint8_t f[90];
        fill_frame(f, sizeof(f), 12);
        fifo_put(&r->be->rx, f, sizeof(f));
        uint64_t buf = gbuf(r, RX_BUF);
        struct tbuf b[1] = { { buf, RX_BUF, true } };
        uint16_t head = tdrv_add_indirect_n(&r->drv, RXQ, b, 1);
        tdrv_kick_n(&r->drv, RXQ);
        expect_used(r, RXQ, head, HDR + sizeof(f));
        expect_packet(r, buf, f, sizeof(f));
}

/* A backend that reports a frame outside 14..1514 broke its contract: counted, the buffer
 * stays held (nothing given back), poll says so. */
static void virtio_net_dev_rx_backend_reporting_runt_frame_is_a_backend_error(void **state)
{
        struct rig *r = *state;
        uint8_t f[60];
        unsigned n;
        fill_frame(f, sizeof(f), 5);
        fifo_put(&r->be->rx, f, sizeof(f));
        r->be->rx_claim = VIRTIO_NET_ETH_HLEN - 1;
        add_rx(r, RX_BUF, NULL);
        assert_int_equal(virtio_net_dev_poll(r->net, 0, &n), CCADA_E_IO);
        assert_int_equal(n, 0);
        expect_no_used(r, RXQ);
        assert_int_equal(stats(r).backend_errors, 1);
        r->be->rx_fail = CCADA_E_IO;
        assert_int_equal(virtio_net_dev_poll(r->net, 0, &n), CCADA_E_IO);
        assert_int_equal(stats(r).backend_errors, 2);
        assert_false(status_now(r) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

/* ---- poll and wait ---- */

/* Nothing delivered, a buffer posted: wait(timeout) once, then what arrived is delivered. */
static void virtio_net_dev_poll_waits_once_for_frame_when_buffer_posted(void **state)
{
        struct rig *r = *state;
        uint8_t f[80];
        unsigned n;
        uint16_t head;
        fill_frame(f, sizeof(f), 3);
        uint64_t buf = add_rx(r, RX_BUF, &head);
        fifo_put(&r->be->late, f, sizeof(f));
        assert_int_equal(virtio_net_dev_poll(r->net, 50, &n), CCADA_OK);
        assert_int_equal(n, 1);
        assert_int_equal(r->be->blocking_waits, 1);
        assert_int_equal(r->be->last_timeout, 50);
        expect_used(r, RXQ, head, HDR + sizeof(f));
        expect_packet(r, buf, f, sizeof(f));
        assert_int_equal(stats(r).rx_no_buffer, 0); /* out of chains, but nothing waits */
        /* Nothing arrives: one wait, nothing delivered. */
        add_rx(r, RX_BUF, NULL);
        assert_int_equal(virtio_net_dev_poll(r->net, 20, &n), CCADA_OK);
        assert_int_equal(n, 0);
        assert_int_equal(r->be->blocking_waits, 2);
        assert_int_equal(r->be->last_timeout, 20);
}

/* No blocking wait: with timeout 0, without a posted chain (only the probe, timeout 0), when
 * a frame was delivered; and a failing wait is reported. */
static void virtio_net_dev_poll_blocks_only_with_a_chain_posted_and_nothing_delivered(void **state)
{
        struct rig *r = *state;
        uint8_t f[80];
        unsigned n;
        fill_frame(f, sizeof(f), 3);
        add_rx(r, RX_BUF, NULL);
        assert_int_equal(virtio_net_dev_poll(r->net, 0, &n), CCADA_OK); /* takes the chain */
        assert_int_equal(r->be->blocking_waits + r->be->probes, 0);
        bringup(r, base_features); /* no chain posted now */
        assert_int_equal(virtio_net_dev_poll(r->net, 100, &n), CCADA_OK);
        assert_int_equal(r->be->blocking_waits, 0);
        assert_int_equal(r->be->probes, 1); /* no chain: is a frame waiting? */
        add_rx(r, RX_BUF, NULL);
        add_rx(r, RX_BUF, NULL);
        fifo_put(&r->be->rx, f, sizeof(f));
        assert_int_equal(virtio_net_dev_poll(r->net, 100, &n), CCADA_OK);
        assert_int_equal(n, 1);
        assert_int_equal(r->be->blocking_waits, 0); /* delivered something */
        assert_int_equal(r->be->probes, 1);         /* a chain is still held */
        r->be->wait_fail = CCADA_E_IO;
        assert_int_equal(virtio_net_dev_poll(r->net, 100, &n), CCADA_E_IO);
        assert_int_equal(n, 0);
        assert_int_equal(r->be->blocking_waits, 1);
        assert_int_equal(stats(r).backend_errors, 1);
        assert_false(status_now(r) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

static void virtio_net_dev_poll_without_wait_op_delivers_without_blocking(void **state)
{
        struct rig *r = *state;
        uint8_t f[80];
        unsigned n;
        uint16_t head;
        open_dev(r, &tnet_ops_no_wait);
        bringup(r, base_features);
        fill_frame(f, sizeof(f), 3);
        assert_int_equal(virtio_net_dev_poll(r->net, 100, &n), CCADA_OK);
        assert_int_equal(stats(r).rx_no_buffer, 0); /* it cannot know */
        uint64_t buf = add_rx(r, RX_BUF, &head);
        assert_int_equal(virtio_net_dev_poll(r->net, 100, &n), CCADA_OK);
        assert_int_equal(n, 0);
        fifo_put(&r->be->rx, f, sizeof(f));
        assert_int_equal(virtio_net_dev_poll(r->net, 100, NULL), CCADA_OK);
        expect_used(r, RXQ, head, HDR + sizeof(f));
        expect_packet(r, buf, f, sizeof(f));
}

static void virtio_net_dev_poll_on_device_not_live_delivers_nothing(void **state)
{
        struct rig *r = *state;
        uint8_t f[80];
        unsigned n;
        fill_frame(f, sizeof(f), 3);
        open_dev(r, &tnet_ops);
        fifo_put(&r->be->rx, f, sizeof(f));
        assert_int_equal(virtio_net_dev_poll(r->net, 100, &n), CCADA_OK); /* reset state */
        assert_int_equal(n, 0);
        assert_true(tdrv_negotiate(&r->drv, base_features) & VIRTIO_STATUS_FEATURES_OK);
        tdrv_setup_queue_n(&r->drv, RXQ, QSZ);
        tdrv_setup_queue_n(&r->drv, TXQ, QSZ);
        add_rx(r, RX_BUF, NULL);
        assert_int_equal(virtio_net_dev_poll(r->net, 100, &n), CCADA_OK); /* queues set, no DRIVER_OK */
        assert_int_equal(n, 0);
        assert_int_equal(r->be->rx_calls + r->be->probes + r->be->blocking_waits, 0);
        assert_int_equal(r->be->rx.count, 1);
        assert_int_equal(virtio_net_dev_poll(NULL, 0, &n), CCADA_E_INVAL);
        /* DRIVER_OK serves what was posted before it. */
        tdrv_driver_ok(&r->drv);
        expect_used(r, RXQ, 0, HDR + sizeof(f));
}

/* ---- ring violations and reset ---- */

static void virtio_net_dev_tx_descriptor_loop_sets_needs_reset(void **state)
{
        struct rig *r = *state;
        uint64_t buf = gbuf(r, 64);
        tdrv_put_desc_n(&r->drv, TXQ, 0, buf, 32, VRING_DESC_F_NEXT, 1);
        tdrv_put_desc_n(&r->drv, TXQ, 1, buf + 32, 32, VRING_DESC_F_NEXT, 0);
        tdrv_publish_n(&r->drv, TXQ, 0);
        tdrv_kick_n(&r->drv, TXQ);
        assert_true(status_now(r) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
        assert_true(fake_trace_contains(r->vm, "q=1 reason=chain_too_long"));
        expect_no_used(r, TXQ);
        assert_int_equal(r->be->tx_calls, 0);
        /* Nothing more is served, in either direction, until reset. */
        uint8_t f[60];
        fill_frame(f, sizeof(f), 1);
        fifo_put(&r->be->rx, f, sizeof(f));
        add_rx(r, RX_BUF, NULL);
        tdrv_kick_n(&r->drv, RXQ);
        assert_int_equal(poll_now(r), 0);
        expect_no_used(r, RXQ);
}

static void virtio_net_dev_rx_head_out_of_range_sets_needs_reset(void **state)
{
        struct rig *r = *state;
        tdrv_publish_n(&r->drv, RXQ, QSZ + 3);
        tdrv_kick_n(&r->drv, RXQ);
        assert_true(status_now(r) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
        assert_true(fake_trace_contains(r->vm, "q=0 reason=head_out_of_range"));
        expect_no_used(r, RXQ);
}

/* Reset forgets the held receive chain: it is never written nor given back, and frames go to
 * buffers of the new rings. */
static void virtio_net_dev_reset_drops_held_receive_buffer(void **state)
{
        struct rig *r = *state;
        uint8_t f[60];
        fill_frame(f, sizeof(f), 2);
        uint64_t old = add_rx(r, RX_BUF, NULL);
        tdrv_kick_n(&r->drv, RXQ); /* held: nothing to deliver yet */
        uint64_t old_used = r->drv.q.used;
        unsigned rx_calls = r->be->rx_calls;
        bringup(r, base_features); /* reset, fresh rings */
        fifo_put(&r->be->rx, f, sizeof(f));
        assert_int_equal(poll_now(r), 0);
        assert_int_equal(r->be->rx_calls, rx_calls); /* no chain to receive into */
        assert_int_equal(stats(r).rx_no_buffer, 1);
        assert_int_equal(*fake_ptr(r->vm, old, 1), 0xEE);
        assert_int_equal(ld_le16(fake_ptr(r->vm, old_used + VRING_USED_OFF_IDX, 2)), 0);
        uint16_t head;
        uint64_t buf = add_rx(r, RX_BUF, &head);
        tdrv_kick_n(&r->drv, RXQ);
        expect_used(r, RXQ, head, HDR + sizeof(f));
        expect_packet(r, buf, f, sizeof(f));
}

static void virtio_net_dev_reset_forgets_frame_backend_refused(void **state)
{
        struct rig *r = *state;
        uint8_t fb[FRAME_ROOM];
        r->be->busy = 1;
        add_tx(r, 70, 10, NULL);
        tdrv_kick_n(&r->drv, TXQ);
        bringup(r, base_features);
        assert_int_equal(poll_now(r), 0);
        assert_int_equal(r->be->tx_calls, 1); /* not offered again */
        uint16_t b = add_tx(r, 80, 20, fb);
        tdrv_kick_n(&r->drv, TXQ);
        expect_used(r, TXQ, b, 0);
        assert_int_equal(r->be->sent.count, 1);
        assert_memory_equal(fifo_at(&r->be->sent, 0)->b, fb, 80);
}

static void virtio_net_dev_reset_after_needs_reset_recovers(void **state)
{
        struct rig *r = *state;
        tdrv_publish_n(&r->drv, TXQ, QSZ);
        tdrv_kick_n(&r->drv, TXQ);
        assert_true(status_now(r) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
        bringup(r, base_features);
        assert_false(status_now(r) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
        uint16_t a = add_tx(r, 60, 1, NULL);
        tdrv_kick_n(&r->drv, TXQ);
        expect_used(r, TXQ, a, 0);
}

/* ---- life cycle ---- */

static void virtio_net_dev_open_takes_backend_and_closes_it_on_failure(void **state)
{
        struct rig *r = *state;
        struct virtio_net_dev_config c = dev_config(r);
        struct virtio_net_dev *d = NULL;
        assert_int_equal(virtio_net_dev_open(&d, &c, &tnet_new(&tnet_ops, &r->closes)->b), CCADA_OK);
        virtio_net_dev_close(d);
        assert_int_equal(r->closes, 1);
        d = NULL;
        c.queue_size = 24; /* not a power of two */
        assert_int_equal(virtio_net_dev_open(&d, &c, &tnet_new(&tnet_ops, &r->closes)->b), CCADA_E_INVAL);
        c.queue_size = 0;
        assert_int_equal(virtio_net_dev_open(NULL, &c, &tnet_new(&tnet_ops, &r->closes)->b), CCADA_E_INVAL);
        assert_int_equal(virtio_net_dev_open(&d, NULL, &tnet_new(&tnet_ops, &r->closes)->b), CCADA_E_INVAL);
        assert_int_equal(virtio_net_dev_open(&d, &c, &tnet_new(&tnet_ops_no_tx, &r->closes)->b),
                         CCADA_E_INVAL);
        c.vm = NULL;
        assert_int_equal(virtio_net_dev_open(&d, &c, &tnet_new(&tnet_ops, &r->closes)->b), CCADA_E_INVAL);
        assert_int_equal(r->closes, 6);
        assert_null(d);
        assert_int_equal(virtio_net_dev_open(&d, &c, NULL), CCADA_E_INVAL);
        virtio_net_dev_close(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_live, teardown)
#define B(f) cmocka_unit_test_setup_teardown(f, setup_bare, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(virtio_net_dev_offers_mac_status_and_transport_features),
                T(virtio_net_dev_config_reads_default_mac_link_up_and_one_queue_pair),
                B(virtio_net_dev_config_reads_the_mac_it_was_given),
                T(virtio_net_dev_tx_hands_backend_frame_without_header_and_returns_len_0),
                T(virtio_net_dev_tx_accepts_frames_of_14_and_1514_bytes),
                T(virtio_net_dev_tx_frame_spanning_descriptors_reaches_backend_whole),
                T(virtio_net_dev_tx_indirect_chain_is_sent),
                T(virtio_net_dev_tx_drops_frame_with_offload_header_and_returns_buffer),
                T(virtio_net_dev_tx_drops_chain_shorter_than_header_plus_ethernet_header),
                T(virtio_net_dev_tx_drops_frame_longer_than_1514_bytes),
                T(virtio_net_dev_tx_drops_chain_with_writable_part),
                T(virtio_net_dev_tx_drops_frame_in_unreachable_memory),
                T(virtio_net_dev_tx_busy_keeps_frame_and_retries_at_poll_in_order),
                T(virtio_net_dev_tx_notify_while_busy_retries_held_frame_first),
                T(virtio_net_dev_tx_backend_failure_loses_frame_and_returns_buffer),
                T(virtio_net_dev_rx_frame_lands_after_header_with_num_buffers_1),
                T(virtio_net_dev_rx_buffer_held_until_frame_arrives_at_poll),
                T(virtio_net_dev_rx_frame_waiting_without_buffer_delivered_once_driver_posts),
                T(virtio_net_dev_rx_delivers_every_waiting_frame_while_buffers_last),
                T(virtio_net_dev_rx_refuses_buffer_smaller_than_1526_and_keeps_frame),
                T(virtio_net_dev_rx_refuses_chain_with_readable_part),
                T(virtio_net_dev_rx_refuses_unreachable_buffer_and_keeps_frame),
                T(virtio_net_dev_rx_frame_spanning_descriptors_is_laid_out_in_order),
                T(virtio_net_dev_rx_indirect_chain_receives),
                T(virtio_net_dev_rx_backend_reporting_runt_frame_is_a_backend_error),
                T(virtio_net_dev_poll_waits_once_for_frame_when_buffer_posted),
                T(virtio_net_dev_poll_blocks_only_with_a_chain_posted_and_nothing_delivered),
                B(virtio_net_dev_poll_without_wait_op_delivers_without_blocking),
                B(virtio_net_dev_poll_on_device_not_live_delivers_nothing),
                T(virtio_net_dev_tx_descriptor_loop_sets_needs_reset),
                T(virtio_net_dev_rx_head_out_of_range_sets_needs_reset),
                T(virtio_net_dev_reset_drops_held_receive_buffer),
                T(virtio_net_dev_reset_forgets_frame_backend_refused),
                T(virtio_net_dev_reset_after_needs_reset_recovers),
                B(virtio_net_dev_open_takes_backend_and_closes_it_on_failure),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
