/* The virtio-blk device model driven through the PCI bus and the virtio-pci transport
 * by a small test driver that writes real descriptor chains into fake guest memory.
 * virtio 1.2 §5.2 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "host/virtio_blk_dev.h"
#include "host_fakes.h"
#include "lib/bytes.h"

#define DEV 2
#define QSZ 16
#define DISK_BYTES (1u << 20)
#define DISK_SECTORS (DISK_BYTES / 512u)
#define BUF_BYTES (64u << 10)

static const uint64_t base_features = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |
                                      VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
                                      VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX);

struct rig {
        struct host_vm *vm;
        struct host_pci_bus bus;
        struct virtio_blk_dev *blk;
        struct tdrv drv;
        uint64_t hdr, status, wbuf, rbuf;
        char dir[64];                   /* scratch directory for file backends, "" if none */
};

/* Puts blk on the bus and brings it up with features. */
static void attach(struct rig *r, uint64_t features)
{
        assert_int_equal(host_pci_bus_add(&r->bus, virtio_blk_dev_func(r->blk), DEV), CCADA_OK);
        tdrv_attach(&r->drv, r->vm, &r->bus, DEV);
        tdrv_bringup(&r->drv, features, QSZ);
}

static struct virtio_blk_dev_config dev_config(struct rig *r)
{
        return (struct virtio_blk_dev_config){ .vm = r->vm, .trace = &r->vm->trace };
}

static int setup_bare(void **state)
{
        struct rig *r = calloc(1, sizeof(*r));
        if (!r)
                return -1;
        r->vm = fake_vm_create();
        if (host_pci_bus_init(&r->bus, HOST_PCI_ECAM_BASE, HOST_PCI_WIN_BASE, HOST_PCI_WIN_SIZE) != CCADA_OK)
                return -1;
        r->hdr = fake_alloc(r->vm, 64, 16);
        r->status = fake_alloc(r->vm, 16, 16);
        r->wbuf = fake_alloc(r->vm, BUF_BYTES, 4096);
        r->rbuf = fake_alloc(r->vm, BUF_BYTES, 4096);
        *state = r;
        return 0;
}

static int setup_ram(void **state)
{
        if (setup_bare(state) != 0)
                return -1;
        struct rig *r = *state;
        struct virtio_blk_dev_config c = dev_config(r);
        if (virtio_blk_dev_open_ram(&r->blk, &c, DISK_BYTES, NULL) != CCADA_OK)
                return -1;
        attach(r, base_features);
        return 0;
}

static int teardown(void **state)
{
        struct rig *r = *state;
        if (r->blk)
                host_pci_bus_remove(virtio_blk_dev_func(r->blk));
        virtio_blk_dev_close(r->blk);
        fake_vm_destroy(r->vm);
        if (r->dir[0])
                (void)rmdir(r->dir);
        free(r);
        return 0;
}

static void make_dir(struct rig *r)
{
        snprintf(r->dir, sizeof(r->dir), "/tmp/ccada-test-XXXXXX");
        assert_non_null(mkdtemp(r->dir));
}

/* ---- the test driver's requests ---- */

static void put_hdr(struct rig *r, uint32_t type, uint64_t sector)
{
        struct virtio_blk_req_hdr h = { .type = type, .reserved = 0, .sector = sector };
        assert_true(virtio_blk_req_hdr_encode(fake_ptr(r->vm, r->hdr, 16), 16, &h));
        *fake_ptr(r->vm, r->status, 1) = 0xEE;
}

/* header (readable), data (writable for IN/GET_ID, readable otherwise; none when len 0),
 * status (writable). Kicks the device. */
static void submit(struct rig *r, uint32_t type, uint64_t sector, uint64_t data, uint32_t len)
{
        bool dev_writes = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
        struct tbuf b[3] = { { r->hdr, 16, false } };
        unsigned n = 1;
        put_hdr(r, type, sector);
        if (len)
                b[n++] = (struct tbuf){ data, len, dev_writes };
        b[n++] = (struct tbuf){ r->status, 1, true };
        tdrv_add(&r->drv, b, n);
        tdrv_kick(&r->drv);
}

/* The next completion: its status byte; *len gets used.len. */
static uint8_t complete(struct rig *r, uint32_t *len)
{
        uint32_t id, l;
        assert_true(tdrv_get_used(&r->drv, &id, &l));
        if (len)
                *len = l;
        return *fake_ptr(r->vm, r->status, 1);
}

static uint8_t do_req(struct rig *r, uint32_t type, uint64_t sector, uint64_t data, uint32_t len, uint32_t *used)
{
        submit(r, type, sector, data, len);
        return complete(r, used);
}

static void fill_pattern(struct rig *r, uint64_t gpa, size_t len, uint8_t seed)
{
        uint8_t *p = fake_ptr(r->vm, gpa, len);
        for (size_t i = 0; i < len; i++)
                p[i] = (uint8_t)(seed + i * 7 + (i >> 9));
}

static uint8_t status_now(struct rig *r) { return tdrv_status(&r->drv); }

/* ---- configuration and features ---- */

static void virtio_blk_dev_config_reports_capacity_and_limits(void **state)
{
        struct rig *r = *state;
        uint64_t v, cfg = r->drv.bar0 + VIRTIO_PCI_DEVICE_OFF;
        assert_true(mem_rd(&r->bus, cfg + VIRTIO_BLK_CFG_CAPACITY, 8, &v));
        assert_int_equal(v, DISK_SECTORS);
        assert_true(mem_rd(&r->bus, cfg + VIRTIO_BLK_CFG_CAPACITY + 4, 4, &v));
        assert_int_equal(v, 0);
        assert_true(mem_rd(&r->bus, cfg + VIRTIO_BLK_CFG_SIZE_MAX, 4, &v));
        assert_int_equal(v, VIRTIO_BLK_DEV_SIZE_MAX);
        assert_true(mem_rd(&r->bus, cfg + VIRTIO_BLK_CFG_SEG_MAX, 4, &v));
        assert_int_equal(v, VIRTIO_BLK_DEV_SEG_MAX);
        assert_true(mem_rd(&r->bus, cfg + VIRTIO_BLK_CFG_BLK_SIZE, 4, &v));
        assert_int_equal(v, 512);
        /* Read-only: writes are ignored. */
        assert_true(mem_wr(&r->bus, cfg + VIRTIO_BLK_CFG_CAPACITY, 8, 1));
        assert_true(mem_rd(&r->bus, cfg + VIRTIO_BLK_CFG_CAPACITY, 8, &v));
        assert_int_equal(v, DISK_SECTORS);
        assert_int_equal(virtio_blk_dev_capacity(r->blk), DISK_SECTORS);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_DEVICE_ID, 2), 0x1042);
}

static void virtio_blk_dev_offers_blk_and_transport_features(void **state)
{
        struct rig *r = *state;
        uint64_t f = 0;
        for (uint32_t sel = 0; sel < 2; sel++) {
                tdrv_common_wr(&r->drv, VIRTIO_PCI_COMMON_DFSELECT, 4, sel);
                f |= tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_DF, 4) << (32 * sel);
        }
        assert_int_equal(f, VIRTIO_PCI_TRANSPORT_FEATURES | VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) |
                                    VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
                                    VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
        assert_false(tdrv_negotiate(&r->drv, base_features | VIRTIO_BIT(VIRTIO_BLK_F_RO)) &
                     VIRTIO_STATUS_FEATURES_OK);
}

/* ---- requests ---- */

static void write_then_read_back(struct rig *r, uint64_t sector, uint32_t len)
{
        uint32_t used;
        fill_pattern(r, r->wbuf, len, (uint8_t)sector);
        memset(fake_ptr(r->vm, r->rbuf, len), 0, len);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_OUT, sector, r->wbuf, len, &used), VIRTIO_BLK_S_OK);
        assert_int_equal(used, 1); /* only the status byte was written */
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, sector, r->rbuf, len, &used), VIRTIO_BLK_S_OK);
        assert_int_equal(used, len + 1);
        assert_memory_equal(fake_ptr(r->vm, r->rbuf, len), fake_ptr(r->vm, r->wbuf, len), len);
}

static void virtio_blk_dev_write_then_read_returns_same_data(void **state)
{
        struct rig *r = *state;
        struct virtio_blk_dev_stats st;
        write_then_read_back(r, 0, 512);
        write_then_read_back(r, 7, BUF_BYTES);
        write_then_read_back(r, DISK_SECTORS - 1, 512);
        virtio_blk_dev_get_stats(r->blk, &st);
        assert_int_equal(st.requests, 6);
        assert_int_equal(st.writes, 3);
        assert_int_equal(st.reads, 3);
        assert_int_equal(st.bytes_written, 1024 + BUF_BYTES);
        assert_int_equal(st.bytes_read, 1024 + BUF_BYTES);
        assert_int_equal(st.errors, 0);
}

static void virtio_blk_dev_flush_completes_ok(void **state)
{
        struct rig *r = *state;
        struct virtio_blk_dev_stats st;
        uint32_t used;
        assert_int_equal(do_req(r, VIRTIO_BLK_T_FLUSH, 0, 0, 0, &used), VIRTIO_BLK_S_OK);
        assert_int_equal(used, 1);
        virtio_blk_dev_get_stats(r->blk, &st);
        assert_int_equal(st.flushes, 1);
}

static void virtio_blk_dev_get_id_returns_nul_padded_serial(void **state)
{
        struct rig *r = *state;
        uint32_t used;
        uint8_t want[VIRTIO_BLK_ID_BYTES] = "ccada-blk0";
        memset(fake_ptr(r->vm, r->rbuf, 32), 0xAB, 32);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_GET_ID, 0, r->rbuf, VIRTIO_BLK_ID_BYTES, &used), VIRTIO_BLK_S_OK);
        assert_int_equal(used, VIRTIO_BLK_ID_BYTES + 1);
        assert_memory_equal(fake_ptr(r->vm, r->rbuf, VIRTIO_BLK_ID_BYTES), want, VIRTIO_BLK_ID_BYTES);
        assert_int_equal(*fake_ptr(r->vm, r->rbuf + VIRTIO_BLK_ID_BYTES, 1), 0xAB);
}

static void virtio_blk_dev_read_past_end_ioerr(void **state)
{
        struct rig *r = *state;
        uint32_t used;
        struct virtio_blk_dev_stats st;
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, DISK_SECTORS, r->rbuf, 512, &used), VIRTIO_BLK_S_IOERR);
        assert_int_equal(used, 1);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, r->rbuf, 1024, &used), VIRTIO_BLK_S_IOERR);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_OUT, DISK_SECTORS - 1, r->wbuf, 1024, &used), VIRTIO_BLK_S_IOERR);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, UINT64_MAX, r->rbuf, 512, &used), VIRTIO_BLK_S_IOERR);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_OUT, UINT64_MAX >> 9, r->wbuf, 512, &used), VIRTIO_BLK_S_IOERR);
        virtio_blk_dev_get_stats(r->blk, &st);
        assert_int_equal(st.errors, 5);
        assert_int_equal(st.bytes_read + st.bytes_written, 0);
        /* The device keeps going. */
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, r->rbuf, 512, &used), VIRTIO_BLK_S_OK);
        assert_false(status_now(r) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

static void virtio_blk_dev_data_not_sector_multiple_ioerr(void **state)
{
        struct rig *r = *state;
        uint32_t used;
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, 0, r->rbuf, 500, &used), VIRTIO_BLK_S_IOERR);
        assert_int_equal(used, 1);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_OUT, 0, r->wbuf, 513, &used), VIRTIO_BLK_S_IOERR);
}

static void virtio_blk_dev_request_above_max_data_ioerr(void **state)
{
        struct rig *r = *state;
        uint32_t used;
        struct virtio_blk_dev *big;
        struct virtio_blk_dev_config c = dev_config(r);
        /* An 8 MiB disk, so only the per-request limit can refuse it. */
        host_pci_bus_remove(virtio_blk_dev_func(r->blk));
        virtio_blk_dev_close(r->blk);
        assert_int_equal(virtio_blk_dev_open_ram(&big, &c, 8u << 20, NULL), CCADA_OK);
        r->blk = big;
        attach(r, base_features);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, 0, r->rbuf, VIRTIO_BLK_DEV_MAX_DATA + 512, &used),
                         VIRTIO_BLK_S_IOERR);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, 0, r->rbuf, BUF_BYTES, &used), VIRTIO_BLK_S_OK);
}

static void virtio_blk_dev_unknown_type_unsupp(void **state)
{
        struct rig *r = *state;
        uint32_t used;
        struct virtio_blk_dev_stats st;
        assert_int_equal(do_req(r, 0x99, 0, 0, 0, &used), VIRTIO_BLK_S_UNSUPP);
        assert_int_equal(used, 1);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_DISCARD, 0, r->wbuf, 16, &used), VIRTIO_BLK_S_UNSUPP);
        virtio_blk_dev_get_stats(r->blk, &st);
        assert_int_equal(st.unsupported, 2);
        assert_int_equal(st.errors, 0);
}

static void virtio_blk_dev_in_with_extra_readable_bytes_ioerr(void **state)
{
        struct rig *r = *state;
        uint32_t used;
        put_hdr(r, VIRTIO_BLK_T_IN, 0);
        struct tbuf b[] = { { r->hdr, 16, false }, { r->wbuf, 4, false }, { r->rbuf, 512, true },
                            { r->status, 1, true } };
        tdrv_add(&r->drv, b, 4);
        tdrv_kick(&r->drv);
        assert_int_equal(complete(r, &used), VIRTIO_BLK_S_IOERR);
        assert_int_equal(used, 1);
}

static void virtio_blk_dev_status_is_last_writable_byte(void **state)
{
        struct rig *r = *state;
        uint32_t used;
        /* OUT with two writable bytes: refused, and the status lands in the last one. */
        put_hdr(r, VIRTIO_BLK_T_OUT, 0);
        memset(fake_ptr(r->vm, r->status, 2), 0xEE, 2);
        struct tbuf b[] = { { r->hdr, 16, false }, { r->wbuf, 512, false }, { r->status, 2, true } };
        tdrv_add(&r->drv, b, 3);
        tdrv_kick(&r->drv);
        assert_true(tdrv_get_used(&r->drv, &(uint32_t){ 0 }, &used));
        assert_int_equal(*fake_ptr(r->vm, r->status, 1), 0xEE);
        assert_int_equal(*fake_ptr(r->vm, r->status + 1, 1), VIRTIO_BLK_S_IOERR);
}

static void virtio_blk_dev_header_split_across_descriptors_accepted(void **state)
{
        struct rig *r = *state;
        uint32_t used;
        fill_pattern(r, r->wbuf, 512, 3);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_OUT, 5, r->wbuf, 512, &used), VIRTIO_BLK_S_OK);
        /* IN with the header as 3 + 13 bytes and data as 100 + 412 bytes: framing is free.
         * virtio 1.2 §2.7.4 */
        put_hdr(r, VIRTIO_BLK_T_IN, 5);
        struct tbuf b[] = { { r->hdr, 3, false }, { r->hdr + 3, 13, false }, { r->rbuf, 100, true },
                            { r->rbuf + 100, 412, true }, { r->status, 1, true } };
        tdrv_add(&r->drv, b, 5);
        tdrv_kick(&r->drv);
        assert_int_equal(complete(r, &used), VIRTIO_BLK_S_OK);
        assert_int_equal(used, 513);
        assert_memory_equal(fake_ptr(r->vm, r->rbuf, 512), fake_ptr(r->vm, r->wbuf, 512), 512);
}

static void virtio_blk_dev_indirect_request_served(void **state)
{
        struct rig *r = *state;
        uint32_t used;
        tdrv_bringup(&r->drv, base_features | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC), QSZ);
        fill_pattern(r, r->wbuf, 1024, 9);
        put_hdr(r, VIRTIO_BLK_T_OUT, 2);
        struct tbuf b[] = { { r->hdr, 16, false }, { r->wbuf, 1024, false }, { r->status, 1, true } };
        tdrv_add_indirect(&r->drv, b, 3);
        tdrv_kick(&r->drv);
        assert_int_equal(complete(r, &used), VIRTIO_BLK_S_OK);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, 2, r->rbuf, 1024, &used), VIRTIO_BLK_S_OK);
        assert_memory_equal(fake_ptr(r->vm, r->rbuf, 1024), fake_ptr(r->vm, r->wbuf, 1024), 1024);
}

/* With EVENT_IDX the device asks for the next notification through avail_event, and
 * interrupts only when used.idx passes used_event.  virtio 1.2 §2.7.7, §2.7.10 */
static void virtio_blk_dev_event_idx_publishes_avail_event(void **state)
{
        struct rig *r = *state;
        struct virtio_pci_dev *vp = virtio_blk_dev_pci(r->blk);
        tdrv_bringup(&r->drv, base_features | VIRTIO_BIT(VIRTIO_F_EVENT_IDX), QSZ);
        uint64_t avail_event = r->drv.q.used + vring_avail_event_off(QSZ);
        uint64_t used_event = r->drv.q.avail + vring_used_event_off(QSZ);
        st_le16(fake_ptr(r->vm, used_event, 2), 0); /* interrupt after the first completion */
        uint64_t irqs = vp->stats.interrupts;
        assert_int_equal(do_req(r, VIRTIO_BLK_T_FLUSH, 0, 0, 0, NULL), VIRTIO_BLK_S_OK);
        assert_int_equal(ld_le16(fake_ptr(r->vm, avail_event, 2)), 1);
        assert_int_equal(vp->stats.interrupts, irqs + 1);
        st_le16(fake_ptr(r->vm, used_event, 2), 5); /* not before the sixth */
        assert_int_equal(do_req(r, VIRTIO_BLK_T_FLUSH, 0, 0, 0, NULL), VIRTIO_BLK_S_OK);
        assert_int_equal(ld_le16(fake_ptr(r->vm, avail_event, 2)), 2);
        assert_int_equal(vp->stats.interrupts, irqs + 1);
}

static void virtio_blk_dev_batch_served_in_one_notify(void **state)
{
        struct rig *r = *state;
        uint64_t st[3];
        for (unsigned i = 0; i < 3; i++) {
                st[i] = fake_alloc(r->vm, 1, 1);
                *fake_ptr(r->vm, st[i], 1) = 0xEE;
                put_hdr(r, VIRTIO_BLK_T_FLUSH, 0); /* the same header for all three */
                struct tbuf b[] = { { r->hdr, 16, false }, { st[i], 1, true } };
                tdrv_add(&r->drv, b, 2);
        }
        tdrv_kick(&r->drv);
        uint32_t id, len;
        for (unsigned i = 0; i < 3; i++) {
                assert_true(tdrv_get_used(&r->drv, &id, &len));
                assert_int_equal(id, 2 * i);
                assert_int_equal(*fake_ptr(r->vm, st[i], 1), VIRTIO_BLK_S_OK);
        }
        assert_false(tdrv_get_used(&r->drv, &id, &len));
}

static void virtio_blk_dev_data_in_unreachable_memory_ioerr(void **state)
{
        struct rig *r = *state;
        uint32_t used;
        fake_revoke(r->vm, r->rbuf, BUF_BYTES); /* as if the Realm named private memory */
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, 0, r->rbuf, 4096, &used), VIRTIO_BLK_S_IOERR);
        assert_int_equal(used, 1);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_OUT, 0, r->rbuf, 4096, &used), VIRTIO_BLK_S_IOERR);
        assert_false(status_now(r) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

static void virtio_blk_dev_complete_trace_names_request(void **state)
{
        struct rig *r = *state;
        assert_int_equal(do_req(r, VIRTIO_BLK_T_OUT, 3, r->wbuf, 1024, NULL), VIRTIO_BLK_S_OK);
        assert_true(fake_trace_contains(r->vm, "virtio_complete: dev=0000:00:02.0 q=0 head=0 type=OUT sector=3 "
                                               "len=1 status=OK"));
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, DISK_SECTORS, r->rbuf, 512, NULL), VIRTIO_BLK_S_IOERR);
        assert_true(fake_trace_contains(r->vm, "type=IN sector=2048 len=1 status=IOERR"));
        assert_true(fake_trace_contains(r->vm, "virtio_notify: dev=0000:00:02.0 q=0"));
}

/* ---- malformed chains: DEVICE_NEEDS_RESET, no crash, no more processing ---- */

static void expect_needs_reset(struct rig *r, const char *reason)
{
        uint32_t id, len;
        assert_true(status_now(r) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
        assert_false(tdrv_get_used(&r->drv, &id, &len));
        assert_true(fake_trace_contains(r->vm, reason));
        /* Later notifications are ignored. */
        uint64_t ignored = virtio_blk_dev_pci(r->blk)->stats.notifies_ignored;
        submit(r, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
        assert_int_equal(virtio_blk_dev_pci(r->blk)->stats.notifies_ignored, ignored + 1);
        assert_false(tdrv_get_used(&r->drv, &id, &len));
}

static void virtio_blk_dev_descriptor_loop_sets_needs_reset(void **state)
{
        struct rig *r = *state;
        tdrv_put_desc(&r->drv, 0, r->hdr, 16, VRING_DESC_F_NEXT, 1);
        tdrv_put_desc(&r->drv, 1, r->status, 1, VRING_DESC_F_NEXT, 0);
        tdrv_publish(&r->drv, 0);
        tdrv_kick(&r->drv);
        expect_needs_reset(r, "reason=chain_too_long");
}

static void virtio_blk_dev_missing_status_sets_needs_reset(void **state)
{
        struct rig *r = *state;
        put_hdr(r, VIRTIO_BLK_T_OUT, 0);
        struct tbuf b[] = { { r->hdr, 16, false }, { r->wbuf, 512, false } };
        tdrv_add(&r->drv, b, 2);
        tdrv_kick(&r->drv);
        expect_needs_reset(r, "reason=blk_no_status");
}

static void virtio_blk_dev_short_header_sets_needs_reset(void **state)
{
        struct rig *r = *state;
        put_hdr(r, VIRTIO_BLK_T_IN, 0);
        struct tbuf b[] = { { r->hdr, 8, false }, { r->status, 1, true } };
        tdrv_add(&r->drv, b, 2);
        tdrv_kick(&r->drv);
        expect_needs_reset(r, "reason=blk_short_header");
}

static void virtio_blk_dev_unwritable_status_sets_needs_reset(void **state)
{
        struct rig *r = *state;
        fake_revoke(r->vm, r->status, 1);
        submit(r, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
        expect_needs_reset(r, "reason=blk_status_unwritable");
}

static void virtio_blk_dev_indirect_without_negotiation_sets_needs_reset(void **state)
{
        struct rig *r = *state;
        put_hdr(r, VIRTIO_BLK_T_FLUSH, 0);
        struct tbuf b[] = { { r->hdr, 16, false }, { r->status, 1, true } };
        tdrv_add_indirect(&r->drv, b, 2);
        tdrv_kick(&r->drv);
        expect_needs_reset(r, "reason=indirect_not_negotiated");
}

static void virtio_blk_dev_reset_after_needs_reset_recovers(void **state)
{
        struct rig *r = *state;
        put_hdr(r, VIRTIO_BLK_T_IN, 0);
        struct tbuf b[] = { { r->hdr, 8, false }, { r->status, 1, true } };
        tdrv_add(&r->drv, b, 2);
        tdrv_kick(&r->drv);
        assert_true(status_now(r) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
        tdrv_bringup(&r->drv, base_features, QSZ); /* reset, renegotiate, fresh rings */
        assert_false(status_now(r) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
        write_then_read_back(r, 1, 4096);
}

/* ---- backends ---- */

static void virtio_blk_dev_file_backend_persists_writes(void **state)
{
        struct rig *r = *state;
        char path[128];
        struct virtio_blk_dev_config c = dev_config(r);
        make_dir(r);
        snprintf(path, sizeof(path), "%s/disk.img", r->dir);
        assert_int_equal(virtio_blk_dev_open_file(&r->blk, &c, path, 64 * 1024 + 100, NULL), CCADA_OK);
        assert_int_equal(virtio_blk_dev_capacity(r->blk), 128);
        attach(r, base_features);
        write_then_read_back(r, 4, 8192);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_FLUSH, 0, 0, 0, NULL), VIRTIO_BLK_S_OK);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, 128, r->rbuf, 512, NULL), VIRTIO_BLK_S_IOERR);
        /* The bytes are in the file, at sector 4. */
        uint8_t got[8192];
        int fd = open(path, O_RDONLY);
        assert_true(fd >= 0);
        assert_int_equal(pread(fd, got, sizeof(got), 4 * 512), (ssize_t)sizeof(got));
        close(fd);
        assert_memory_equal(got, fake_ptr(r->vm, r->wbuf, sizeof(got)), sizeof(got));
        unlink(path);
}

static void virtio_blk_dev_file_existing_image_sized_and_read(void **state)
{
        struct rig *r = *state;
        char path[128];
        uint8_t img[3 * 512 + 100];
        struct virtio_blk_dev_config c = dev_config(r);
        make_dir(r);
        snprintf(path, sizeof(path), "%s/existing.img", r->dir);
        for (size_t i = 0; i < sizeof(img); i++)
                img[i] = (uint8_t)(i * 13);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, img, sizeof(img)), (ssize_t)sizeof(img));
        close(fd);
        assert_int_equal(virtio_blk_dev_open_file(&r->blk, &c, path, 0, NULL), CCADA_OK);
        assert_int_equal(virtio_blk_dev_capacity(r->blk), 3); /* trailing partial sector unused */
        attach(r, base_features);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, 1, r->rbuf, 1024, NULL), VIRTIO_BLK_S_OK);
        assert_memory_equal(fake_ptr(r->vm, r->rbuf, 1024), img + 512, 1024);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, 2, r->rbuf, 1024, NULL), VIRTIO_BLK_S_IOERR);
        unlink(path);
}

static void virtio_blk_dev_open_file_missing_without_create_fails(void **state)
{
        struct rig *r = *state;
        char path[128];
        struct virtio_blk_dev *d = NULL;
        struct virtio_blk_dev_config c = dev_config(r);
        make_dir(r);
        snprintf(path, sizeof(path), "%s/none.img", r->dir);
        assert_int_equal(virtio_blk_dev_open_file(&d, &c, path, 0, NULL), CCADA_E_IO);
        assert_null(d);
        assert_int_equal(access(path, F_OK), -1);
        /* An existing file smaller than a sector is refused too. */
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "x", 1), 1);
        close(fd);
        assert_int_equal(virtio_blk_dev_open_file(&d, &c, path, 4096, NULL), CCADA_E_IO);
        unlink(path);
}

static void virtio_blk_dev_temp_image_is_unlinked(void **state)
{
        struct rig *r = *state;
        struct stat st;
        struct virtio_blk_dev_config c = dev_config(r);
        make_dir(r);
        assert_int_equal(setenv("TMPDIR", r->dir, 1), 0);
        ccada_status s = virtio_blk_dev_open_temp(&r->blk, &c, 256 * 1024, NULL);
        unsetenv("TMPDIR");
        assert_int_equal(s, CCADA_OK);
        int fd = virtio_blk_dev_fd(r->blk);
        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        assert_int_equal(st.st_nlink, 0);
        assert_int_equal(st.st_size, 256 * 1024);
        assert_int_equal(rmdir(r->dir), 0); /* the directory is empty */
        r->dir[0] = '\0';
        attach(r, base_features);
        write_then_read_back(r, 511, 512);
}

static void virtio_blk_dev_ram_backend_starts_zeroed(void **state)
{
        struct rig *r = *state;
        memset(fake_ptr(r->vm, r->rbuf, 4096), 0xFF, 4096);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, 100, r->rbuf, 4096, NULL), VIRTIO_BLK_S_OK);
        for (unsigned i = 0; i < 4096; i++)
                assert_int_equal(*fake_ptr(r->vm, r->rbuf + i, 1), 0);
        assert_int_equal(virtio_blk_dev_fd(r->blk), -1);
}

static void virtio_blk_dev_open_rejects_bad_arguments(void **state)
{
        struct rig *r = *state;
        struct virtio_blk_dev *d = NULL;
        struct virtio_blk_dev_config c = dev_config(r);
        assert_int_equal(virtio_blk_dev_open_ram(&d, &c, 100, NULL), CCADA_E_INVAL);
        c.queue_size = 24;
        assert_int_equal(virtio_blk_dev_open_ram(&d, &c, 4096, NULL), CCADA_E_INVAL);
        c.queue_size = 0, c.vm = NULL;
        assert_int_equal(virtio_blk_dev_open_ram(&d, &c, 4096, NULL), CCADA_E_INVAL);
        assert_int_equal(virtio_blk_dev_open_temp(&d, &c, 4096, NULL), CCADA_E_INVAL);
        assert_null(d);
}

/* ---- the device reaches its medium only through the backend's ops ---- */

/* A backend that records what the device asks of it and fails on demand. */
struct spy {
        struct blk_backend b;   /* first */
        uint64_t size;
        ccada_status fail_with; /* CCADA_OK: succeed */
        unsigned reads, writes, flushes, closes;
        uint64_t off;
        struct iovec iov[8];    /* the last request's first iovecs */
        unsigned n;
        unsigned *closed;       /* counts closes after the spy is freed */
};

static ccada_status spy_io(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n, unsigned *count)
{
        struct spy *s = (struct spy *)(void *)b;
        (*count)++;
        s->off = off;
        s->n = n;
        memcpy(s->iov, iov, (n < 8 ? n : 8) * sizeof(*iov));
        return s->fail_with == CCADA_OK ? CCADA_OK : blk_fail(&b->error, BLK_OP_READ, BLK_ERR_SYSTEM, 5, 0);
}

static ccada_status spy_read(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n)
{
        return spy_io(b, off, iov, n, &((struct spy *)(void *)b)->reads);
}

static ccada_status spy_write(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n)
{
        return spy_io(b, off, iov, n, &((struct spy *)(void *)b)->writes);
}

static ccada_status spy_flush(struct blk_backend *b)
{
        struct spy *s = (struct spy *)(void *)b;
        s->flushes++;
        return s->fail_with;
}

static ccada_status spy_size(struct blk_backend *b, uint64_t *bytes)
{
        *bytes = ((struct spy *)(void *)b)->size;
        return CCADA_OK;
}

static void spy_close(struct blk_backend *b)
{
        struct spy *s = (struct spy *)(void *)b;
        (*s->closed)++;
        free(s);
}

static const struct blk_backend_ops spy_ops = {
        .kind = "spy", .read = spy_read, .write = spy_write, .flush = spy_flush, .size = spy_size, .close = spy_close,
};

static unsigned spy_closes;

static struct spy *spy_new(uint64_t size)
{
        struct spy *s = calloc(1, sizeof(*s));
        assert_non_null(s);
        s->b.ops = &spy_ops;
        s->size = size;
        s->closed = &spy_closes;
        return s;
}

/* The rig with a spy of DISK_BYTES as the device's backend. */
static struct spy *attach_spy(struct rig *r)
{
        struct spy *s = spy_new(DISK_BYTES);
        struct virtio_blk_dev_config c = dev_config(r);
        assert_int_equal(virtio_blk_dev_open(&r->blk, &c, &s->b), CCADA_OK);
        assert_ptr_equal(virtio_blk_dev_backend(r->blk), &s->b);
        attach(r, base_features);
        return s;
}

/* No bounce buffer: the backend gets the guest's data buffer itself. */
static void virtio_blk_dev_in_hands_the_backend_the_guest_buffer(void **state)
{
        struct rig *r = *state;
        struct spy *s = attach_spy(r);
        uint32_t used;
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, 10, r->rbuf, 8192, &used), VIRTIO_BLK_S_OK);
        assert_int_equal(used, 8192 + 1);
        assert_int_equal(s->reads, 1);
        assert_int_equal(s->off, 10 * 512);
        assert_int_equal(s->n, 1);
        assert_ptr_equal(s->iov[0].iov_base, fake_ptr(r->vm, r->rbuf, 8192));
        assert_int_equal(s->iov[0].iov_len, 8192);
}

/* OUT whose data is split over two descriptors apart in memory: two iovecs, in order. */
static void virtio_blk_dev_out_hands_the_backend_each_segment_in_order(void **state)
{
        struct rig *r = *state;
        struct spy *s = attach_spy(r);
        uint32_t id, len;
        put_hdr(r, VIRTIO_BLK_T_OUT, 3);
        struct tbuf b[4] = {
                { r->hdr, 16, false }, { r->wbuf + 4096, 512, false }, { r->wbuf, 1024, false }, { r->status, 1, true },
        };
        tdrv_add(&r->drv, b, 4);
        tdrv_kick(&r->drv);
        assert_true(tdrv_get_used(&r->drv, &id, &len));
        assert_int_equal(*fake_ptr(r->vm, r->status, 1), VIRTIO_BLK_S_OK);
        assert_int_equal(s->writes, 1);
        assert_int_equal(s->off, 3 * 512);
        assert_int_equal(s->n, 2);
        assert_ptr_equal(s->iov[0].iov_base, fake_ptr(r->vm, r->wbuf + 4096, 512));
        assert_int_equal(s->iov[0].iov_len, 512);
        assert_ptr_equal(s->iov[1].iov_base, fake_ptr(r->vm, r->wbuf, 1024));
        assert_int_equal(s->iov[1].iov_len, 1024);
}

/* Data the host cannot reach: IOERR before the backend sees anything (no partial write). */
static void virtio_blk_dev_unreachable_payload_never_reaches_the_backend(void **state)
{
        struct rig *r = *state;
        struct spy *s = attach_spy(r);
        uint32_t id, len;
        fake_revoke(r->vm, r->wbuf + 4096, 4096);
        put_hdr(r, VIRTIO_BLK_T_OUT, 0);
        struct tbuf b[4] = {
                { r->hdr, 16, false }, { r->wbuf, 4096, false }, { r->wbuf + 4096, 4096, false }, { r->status, 1, true },
        };
        tdrv_add(&r->drv, b, 4);
        tdrv_kick(&r->drv);
        assert_true(tdrv_get_used(&r->drv, &id, &len));
        assert_int_equal(*fake_ptr(r->vm, r->status, 1), VIRTIO_BLK_S_IOERR);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, 0, r->wbuf + 4096, 512, NULL), VIRTIO_BLK_S_IOERR);
        assert_int_equal(s->writes, 0);
        assert_int_equal(s->reads, 0);
}

static void virtio_blk_dev_backend_failure_completes_ioerr(void **state)
{
        struct rig *r = *state;
        struct spy *s = attach_spy(r);
        struct virtio_blk_dev_stats st;
        s->fail_with = CCADA_E_IO;
        assert_int_equal(do_req(r, VIRTIO_BLK_T_IN, 0, r->rbuf, 512, NULL), VIRTIO_BLK_S_IOERR);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_OUT, 0, r->wbuf, 512, NULL), VIRTIO_BLK_S_IOERR);
        assert_int_equal(do_req(r, VIRTIO_BLK_T_FLUSH, 0, 0, 0, NULL), VIRTIO_BLK_S_IOERR);
        assert_int_equal(s->reads + s->writes + s->flushes, 3);
        virtio_blk_dev_get_stats(r->blk, &st);
        assert_int_equal(st.errors, 3);
        assert_false(status_now(r) & VIRTIO_STATUS_DEVICE_NEEDS_RESET); /* the device goes on */
        s->fail_with = CCADA_OK;
        assert_int_equal(do_req(r, VIRTIO_BLK_T_FLUSH, 0, 0, 0, NULL), VIRTIO_BLK_S_OK);
}

/* Capacity: whole sectors of the backend's size; the device owns the backend from open on. */
static void virtio_blk_dev_open_takes_the_backend_and_sizes_from_it(void **state)
{
        struct rig *r = *state;
        struct virtio_blk_dev_config c = dev_config(r);
        struct virtio_blk_dev *d;
        unsigned before = spy_closes;
        assert_int_equal(virtio_blk_dev_open(&d, &c, &spy_new(3 * 512 + 511)->b), CCADA_OK);
        assert_int_equal(virtio_blk_dev_capacity(d), 3);
        assert_int_equal(virtio_blk_dev_fd(d), -1);
        virtio_blk_dev_close(d);
        assert_int_equal(spy_closes, before + 1);
}

/* A failed open still closes the backend it was handed. */
static void virtio_blk_dev_open_failing_closes_the_backend(void **state)
{
        struct rig *r = *state;
        struct virtio_blk_dev_config c = dev_config(r);
        struct virtio_blk_dev *d = NULL;
        unsigned before = spy_closes;
        assert_int_equal(virtio_blk_dev_open(&d, &c, &spy_new(511)->b), CCADA_E_INVAL); /* < a sector */
        c.queue_size = 24;
        assert_int_equal(virtio_blk_dev_open(&d, &c, &spy_new(4096)->b), CCADA_E_INVAL);
        assert_int_equal(virtio_blk_dev_open(NULL, &c, &spy_new(4096)->b), CCADA_E_INVAL);
        assert_int_equal(spy_closes, before + 3);
        assert_null(d);
        assert_int_equal(virtio_blk_dev_open(&d, &c, NULL), CCADA_E_INVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_ram, teardown)
#define B(f) cmocka_unit_test_setup_teardown(f, setup_bare, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(virtio_blk_dev_config_reports_capacity_and_limits),
                T(virtio_blk_dev_offers_blk_and_transport_features),
                T(virtio_blk_dev_write_then_read_returns_same_data),
                T(virtio_blk_dev_flush_completes_ok),
                T(virtio_blk_dev_get_id_returns_nul_padded_serial),
                T(virtio_blk_dev_read_past_end_ioerr),
                T(virtio_blk_dev_data_not_sector_multiple_ioerr),
                T(virtio_blk_dev_request_above_max_data_ioerr),
                T(virtio_blk_dev_unknown_type_unsupp),
                T(virtio_blk_dev_in_with_extra_readable_bytes_ioerr),
                T(virtio_blk_dev_status_is_last_writable_byte),
                T(virtio_blk_dev_header_split_across_descriptors_accepted),
                T(virtio_blk_dev_indirect_request_served),
                T(virtio_blk_dev_event_idx_publishes_avail_event),
                T(virtio_blk_dev_batch_served_in_one_notify),
                T(virtio_blk_dev_data_in_unreachable_memory_ioerr),
                T(virtio_blk_dev_complete_trace_names_request),
                T(virtio_blk_dev_descriptor_loop_sets_needs_reset),
                T(virtio_blk_dev_missing_status_sets_needs_reset),
                T(virtio_blk_dev_short_header_sets_needs_reset),
                T(virtio_blk_dev_unwritable_status_sets_needs_reset),
                T(virtio_blk_dev_indirect_without_negotiation_sets_needs_reset),
                T(virtio_blk_dev_reset_after_needs_reset_recovers),
                T(virtio_blk_dev_ram_backend_starts_zeroed),
                B(virtio_blk_dev_file_backend_persists_writes),
                B(virtio_blk_dev_file_existing_image_sized_and_read),
                B(virtio_blk_dev_open_file_missing_without_create_fails),
                B(virtio_blk_dev_temp_image_is_unlinked),
                B(virtio_blk_dev_open_rejects_bad_arguments),
                B(virtio_blk_dev_in_hands_the_backend_the_guest_buffer),
                B(virtio_blk_dev_out_hands_the_backend_each_segment_in_order),
                B(virtio_blk_dev_unreachable_payload_never_reaches_the_backend),
                B(virtio_blk_dev_backend_failure_completes_ioerr),
                B(virtio_blk_dev_open_takes_the_backend_and_sizes_from_it),
                B(virtio_blk_dev_open_failing_closes_the_backend),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
