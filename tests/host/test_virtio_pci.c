/* The virtio-pci modern transport, device side, as a driver sees it through the PCI bus:
 * capability layout, feature negotiation, status and reset, queue setup, notifications,
 * ISR, configuration generation.  virtio 1.2 §4.1 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "host/virtio_pci.h"
#include "host_fakes.h"
#include "lib/bytes.h"

#define DEV 1
#define NQ 2
#define QMAX 64
#define DEV_FEATURE_BIT 5 /* the test device type's own feature */

/* A device type that records what the transport asks of it. */
struct tdev {
        struct virtio_pci_dev vp;
        uint8_t cfg[8];
        unsigned notified[NQ];
        unsigned resets;
        unsigned interrupts;
        uint8_t last_isr;
};

static bool tdev_cfg_read(struct virtio_pci_dev *d, uint32_t off, unsigned size, uint64_t *val)
{
        struct tdev *t = (struct tdev *)d;
        for (unsigned i = 0; i < size; i++)
                *val |= (uint64_t)t->cfg[off + i] << (8 * i);
        return true;
}

static bool tdev_cfg_write(struct virtio_pci_dev *d, uint32_t off, unsigned size, uint64_t val)
{
        struct tdev *t = (struct tdev *)d;
        for (unsigned i = 0; i < size; i++)
                t->cfg[off + i] = (uint8_t)(val >> (8 * i));
        virtio_pci_dev_config_changed(d);
        return true;
}

static void tdev_notify(struct virtio_pci_dev *d, unsigned q) { ((struct tdev *)d)->notified[q]++; }

static void tdev_reset(struct virtio_pci_dev *d) { ((struct tdev *)d)->resets++; }

static void tdev_interrupt(struct virtio_pci_dev *d, uint8_t isr)
{
        struct tdev *t = (struct tdev *)d;
        t->interrupts++;
        t->last_isr = isr;
}

static const struct virtio_pci_ops tdev_ops = {
        .cfg_read = tdev_cfg_read,
        .cfg_write = tdev_cfg_write,
        .queue_notify = tdev_notify,
        .reset = tdev_reset,
};

struct rig {
        struct host_vm *vm;
        struct host_pci_bus bus;
        struct tdev dev;
        struct tdrv drv;
};

static int setup(void **state)
{
        struct rig *r = calloc(1, sizeof(*r));
        if (!r)
                return -1;
        r->vm = fake_vm_create();
        struct virtio_pci_config c = {
                .device_id = VIRTIO_ID_VSOCK, .class_code = 0x088000, .features = VIRTIO_BIT(DEV_FEATURE_BIT),
                .num_queues = NQ, .queue_size_max = QMAX, .cfg_size = sizeof(r->dev.cfg), .ops = &tdev_ops,
                .vm = r->vm, .trace = &r->vm->trace, .interrupt = tdev_interrupt,
        };
        if (virtio_pci_dev_init(&r->dev.vp, &c) != CCADA_OK ||
            host_pci_bus_init(&r->bus, HOST_PCI_ECAM_BASE, HOST_PCI_WIN_BASE, HOST_PCI_WIN_SIZE) != CCADA_OK ||
            host_pci_bus_add(&r->bus, virtio_pci_dev_func(&r->dev.vp), DEV) != CCADA_OK)
                return -1;
        tdrv_attach(&r->drv, r->vm, &r->bus, DEV);
        *state = r;
        return 0;
}

static int teardown(void **state)
{
        struct rig *r = *state;
        fake_vm_destroy(r->vm);
        free(r);
        return 0;
}

static const uint64_t good_features = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |
                                      VIRTIO_BIT(DEV_FEATURE_BIT);

static uint64_t device_features(struct tdrv *t)
{
        uint64_t f = 0;
        for (uint32_t sel = 0; sel < 2; sel++) {
                tdrv_common_wr(t, VIRTIO_PCI_COMMON_DFSELECT, 4, sel);
                f |= tdrv_common_rd(t, VIRTIO_PCI_COMMON_DF, 4) << (32 * sel);
        }
        return f;
}

/* ---- configuration space ---- */

static void virtio_pci_header_identifies_modern_device(void **state)
{
        struct rig *r = *state;
        /* virtio 1.2 §4.1.2.1 */
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_VENDOR_ID, 2), 0x1AF4);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_DEVICE_ID, 2), 0x1040 + VIRTIO_ID_VSOCK);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_REVISION_ID, 1), 1);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_CLASS_DEVICE, 2), 0x0880);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1AF4);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_SUBSYSTEM_ID, 2), VIRTIO_ID_VSOCK);
        assert_true(cfg_rd(&r->bus, DEV, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
        assert_string_equal(virtio_pci_dev_name(&r->dev.vp), "0000:00:01.0");
}

static void virtio_pci_bar0_sizes_as_16k_memory_bar(void **state)
{
        struct rig *r = *state;
        cfg_wr(&r->bus, DEV, PCI_BASE_ADDRESS_0, 4, 0xFFFFFFFFu);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_BASE_ADDRESS_0, 4), ~(VIRTIO_PCI_BAR0_SIZE - 1) & 0xFFFFFFF0u);
        for (unsigned b = 1; b < PCI_NUM_BARS; b++) {
                cfg_wr(&r->bus, DEV, PCI_BASE_ADDRESS_0 + 4 * b, 4, 0xFFFFFFFFu);
                assert_int_equal(cfg_rd(&r->bus, DEV, PCI_BASE_ADDRESS_0 + 4 * b, 4), 0);
        }
}

/* Walks the list as a driver does and checks every vendor capability against the spec
 * layout.  virtio 1.2 §4.1.4 */
static void virtio_pci_capability_walk_finds_each_structure_in_bar0(void **state)
{
        struct rig *r = *state;
        struct { uint32_t off, len; unsigned seen; } found[VIRTIO_PCI_CAP_PCI_CFG + 1] = { { 0, 0, 0 } };
        unsigned steps = 0;
        for (unsigned at = (unsigned)cfg_rd(&r->bus, DEV, PCI_CAPABILITY_LIST, 1); at; steps++) {
                assert_true(steps < 48 && at >= PCI_STD_HEADER_SIZE && at % 4 == 0);
                assert_int_equal(cfg_rd(&r->bus, DEV, at + VIRTIO_PCI_CAP_OFF_VNDR, 1), PCI_CAP_ID_VNDR);
                unsigned type = (unsigned)cfg_rd(&r->bus, DEV, at + VIRTIO_PCI_CAP_OFF_CFG_TYPE, 1);
                unsigned len = (unsigned)cfg_rd(&r->bus, DEV, at + VIRTIO_PCI_CAP_OFF_LEN, 1);
                assert_true(type >= VIRTIO_PCI_CAP_COMMON_CFG && type <= VIRTIO_PCI_CAP_DEVICE_CFG);
                assert_int_equal(len, type == VIRTIO_PCI_CAP_NOTIFY_CFG ? VIRTIO_PCI_NOTIFY_CAP_SIZE
                                                                       : VIRTIO_PCI_CAP_SIZE);
                assert_int_equal(cfg_rd(&r->bus, DEV, at + VIRTIO_PCI_CAP_OFF_BAR, 1), 0);
                found[type].off = (uint32_t)cfg_rd(&r->bus, DEV, at + VIRTIO_PCI_CAP_OFF_OFFSET, 4);
                found[type].len = (uint32_t)cfg_rd(&r->bus, DEV, at + VIRTIO_PCI_CAP_OFF_LENGTH, 4);
                found[type].seen++;
                if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
                        assert_int_equal(cfg_rd(&r->bus, DEV, at + VIRTIO_PCI_NOTIFY_CAP_OFF_MULTIPLIER, 4),
                                         VIRTIO_PCI_NOTIFY_MULT);
                at = (unsigned)cfg_rd(&r->bus, DEV, at + VIRTIO_PCI_CAP_OFF_NEXT, 1);
        }
        for (unsigned t = VIRTIO_PCI_CAP_COMMON_CFG; t <= VIRTIO_PCI_CAP_DEVICE_CFG; t++) {
                assert_int_equal(found[t].seen, 1);
                assert_true(found[t].off % 4 == 0 && found[t].off + found[t].len <= VIRTIO_PCI_BAR0_SIZE);
        }
        assert_int_equal(found[VIRTIO_PCI_CAP_COMMON_CFG].off, 0);
        assert_true(found[VIRTIO_PCI_CAP_COMMON_CFG].len >= VIRTIO_PCI_COMMON_CFG_SIZE_1_0);
        assert_int_equal(found[VIRTIO_PCI_CAP_ISR_CFG].len, 1);
        assert_int_equal(found[VIRTIO_PCI_CAP_DEVICE_CFG].len, sizeof(r->dev.cfg));
        assert_int_equal(found[VIRTIO_PCI_CAP_NOTIFY_CFG].len, NQ * VIRTIO_PCI_NOTIFY_MULT);
}

/* ---- features  virtio 1.2 §2.2, §3.1.1 ---- */

static void virtio_pci_device_features_include_transport_bits(void **state)
{
        struct rig *r = *state;
        uint64_t f = device_features(&r->drv);
        assert_int_equal(f, VIRTIO_PCI_TRANSPORT_FEATURES | VIRTIO_BIT(DEV_FEATURE_BIT));
        tdrv_common_wr(&r->drv, VIRTIO_PCI_COMMON_DFSELECT, 4, 2);
        assert_int_equal(tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_DF, 4), 0);
        assert_int_equal(tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_DFSELECT, 4), 2);
}

static void virtio_pci_features_ok_accepted_for_offered_subset(void **state)
{
        struct rig *r = *state;
        uint8_t st = tdrv_negotiate(&r->drv, good_features);
        assert_true(st & VIRTIO_STATUS_FEATURES_OK);
        assert_int_equal(virtio_pci_dev_features(&r->dev.vp), good_features);
        tdrv_common_wr(&r->drv, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
        assert_int_equal(tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_GF, 4), good_features >> 32);
}

static void virtio_pci_features_ok_refused_for_unoffered_feature(void **state)
{
        struct rig *r = *state;
        uint8_t st = tdrv_negotiate(&r->drv, good_features | VIRTIO_BIT(VIRTIO_F_RING_PACKED));
        assert_false(st & VIRTIO_STATUS_FEATURES_OK);
        assert_int_equal(st, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
        assert_int_equal(r->dev.vp.stats.features_refused, 1);
        st = tdrv_negotiate(&r->drv, good_features | VIRTIO_BIT(DEV_FEATURE_BIT + 1));
        assert_false(st & VIRTIO_STATUS_FEATURES_OK);
}

static void virtio_pci_features_ok_refused_without_version_1(void **state)
{
        struct rig *r = *state;
        uint8_t st = tdrv_negotiate(&r->drv, good_features & ~VIRTIO_BIT(VIRTIO_F_VERSION_1));
        assert_false(st & VIRTIO_STATUS_FEATURES_OK);
}

static void virtio_pci_driver_features_frozen_after_features_ok(void **state)
{
        struct rig *r = *state;
        assert_true(tdrv_negotiate(&r->drv, good_features) & VIRTIO_STATUS_FEATURES_OK);
        tdrv_common_wr(&r->drv, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
        tdrv_common_wr(&r->drv, VIRTIO_PCI_COMMON_GF, 4, 0xFFFFFFFFu);
        assert_int_equal(virtio_pci_dev_features(&r->dev.vp), good_features);
        /* Beyond the two windows writes go nowhere. */
        tdrv_common_wr(&r->drv, VIRTIO_PCI_COMMON_GFSELECT, 4, 7);
        tdrv_common_wr(&r->drv, VIRTIO_PCI_COMMON_GF, 4, 0xFFFFFFFFu);
        assert_int_equal(tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_GF, 4), 0);
}

/* ---- status and reset ---- */

static void virtio_pci_reset_clears_status_features_and_queues(void **state)
{
        struct rig *r = *state;
        tdrv_bringup(&r->drv, good_features, 16);
        r->dev.vp.isr = VIRTIO_PCI_ISR_QUEUE;
        unsigned resets = r->dev.resets;
        tdrv_common_wr(&r->drv, VIRTIO_PCI_COMMON_STATUS, 1, 0);
        assert_int_equal(tdrv_status(&r->drv), 0); /* reset completes at once  virtio 1.2 §4.1.4.3.2 */
        assert_int_equal(r->dev.resets, resets + 1);
        assert_int_equal(virtio_pci_dev_features(&r->dev.vp), 0);
        tdrv_common_wr(&r->drv, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
        assert_int_equal(tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
        assert_int_equal(tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_Q_SIZE, 2), QMAX);
        assert_int_equal(tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_Q_DESCLO, 8), 0);
        assert_null(virtio_pci_queue(&r->dev.vp, 0));
        uint64_t isr;
        assert_true(mem_rd(&r->bus, r->drv.bar0 + VIRTIO_PCI_ISR_OFF, 1, &isr));
        assert_int_equal(isr, 0);
}

static void virtio_pci_needs_reset_is_sticky_until_reset(void **state)
{
        struct rig *r = *state;
        tdrv_bringup(&r->drv, good_features, 16);
        virtio_pci_dev_needs_reset(&r->dev.vp, 0, "test");
        assert_true(tdrv_status(&r->drv) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
        assert_int_equal(r->dev.last_isr, VIRTIO_PCI_ISR_CONFIG);
        assert_true(fake_trace_contains(r->vm, "virtio_broken: dev=0000:00:01.0 q=0 reason=test"));
        /* The driver cannot clear it by writing status, and notifications are dropped. */
        tdrv_common_wr(&r->drv, VIRTIO_PCI_COMMON_STATUS, 1, tdrv_status(&r->drv) & 0x0F);
        assert_true(tdrv_status(&r->drv) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
        tdrv_kick(&r->drv);
        assert_int_equal(r->dev.notified[0], 1); /* only the DRIVER_OK kick */
        assert_null(virtio_pci_queue(&r->dev.vp, 0));
        /* A reset brings the device back. */
        tdrv_bringup(&r->drv, good_features, 16);
        assert_false(tdrv_status(&r->drv) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
        assert_non_null(virtio_pci_queue(&r->dev.vp, 0));
}

/* ---- queues  virtio 1.2 §4.1.4.3, §4.1.5.1.3 ---- */

static void virtio_pci_queue_size_starts_at_max_and_accepts_smaller_power_of_two(void **state)
{
        struct rig *r = *state;
        struct tdrv *t = &r->drv;
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_SIZE, 2), QMAX);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_SIZE, 2, 8);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_SIZE, 2), 8);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_SIZE, 2, 24);     /* not a power of two */
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_SIZE, 2), 8);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_SIZE, 2, QMAX * 2); /* above the maximum */
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_SIZE, 2), 8);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_SIZE, 2, 0);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_SIZE, 2), 8);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_NOFF, 2), 1);
}

static void virtio_pci_queue_select_beyond_num_queues_reads_size_zero(void **state)
{
        struct rig *r = *state;
        struct tdrv *t = &r->drv;
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_NUMQ, 2), NQ);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_SELECT, 2, NQ);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_DESCLO, 8, 0x1000);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_DESCLO, 8), 0);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
}

static void virtio_pci_queue_enable_initialises_device_queue(void **state)
{
        struct rig *r = *state;
        assert_true(tdrv_negotiate(&r->drv, good_features | VIRTIO_BIT(VIRTIO_F_EVENT_IDX)) &
                    VIRTIO_STATUS_FEATURES_OK);
        tdrv_setup_queue(&r->drv, 16);
        assert_int_equal(tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
        assert_null(virtio_pci_queue(&r->dev.vp, 0)); /* not LIVE before DRIVER_OK */
        tdrv_driver_ok(&r->drv);
        struct vdev_queue *vq = virtio_pci_queue(&r->dev.vp, 0);
        assert_non_null(vq);
        assert_int_equal(vq->qsz, 16);
        assert_int_equal(vq->desc, r->drv.q.desc);
        assert_int_equal(vq->avail, r->drv.q.avail);
        assert_int_equal(vq->used, r->drv.q.used);
        assert_true(vq->event_idx);
        assert_false(vq->indirect);
        assert_null(virtio_pci_queue(&r->dev.vp, 1)); /* queue 1 never enabled */
}

static void virtio_pci_queue_enable_misaligned_ring_sets_needs_reset(void **state)
{
        struct rig *r = *state;
        struct tdrv *t = &r->drv;
        assert_true(tdrv_negotiate(t, good_features) & VIRTIO_STATUS_FEATURES_OK);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_DESCLO, 8, FAKE_RAM_BASE + 8); /* needs 16 */
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_AVAILLO, 8, FAKE_RAM_BASE + 0x1000);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_USEDLO, 8, FAKE_RAM_BASE + 0x2000);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
        assert_true(tdrv_status(t) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
        assert_true(fake_trace_contains(r->vm, "reason=queue_config_invalid"));
}

static void virtio_pci_queue_enable_before_features_ok_sets_needs_reset(void **state)
{
        struct rig *r = *state;
        struct tdrv *t = &r->drv;
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
        tdrv_setup_queue(t, 16);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
        assert_true(tdrv_status(t) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

static void virtio_pci_queue_fields_ignore_writes_while_enabled(void **state)
{
        struct rig *r = *state;
        struct tdrv *t = &r->drv;
        tdrv_bringup(t, good_features, 16);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_SIZE, 2, 8);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_DESCLO, 4, 0);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 0);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_SIZE, 2), 16);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_DESCLO, 8), t->q.desc);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
        assert_int_equal(virtio_pci_queue(&r->dev.vp, 0)->qsz, 16);
}

static void virtio_pci_queue_address_written_as_halves_or_whole(void **state)
{
        struct rig *r = *state;
        struct tdrv *t = &r->drv;
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_DESCLO, 4, 0x89ABCDE0u);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_DESCHI, 4, 0x01234567u);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_DESCLO, 8), 0x0123456789ABCDE0ull);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_DESCHI, 4), 0x01234567u);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_DESCLO, 4), 0x89ABCDE0u);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_USEDLO, 8, 0xFEDCBA9876543210ull);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_USEDHI, 4), 0xFEDCBA98u);
        /* Queue 0 kept its own. */
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_DESCLO, 8), 0);
}

static void virtio_pci_common_cfg_wrong_width_faults(void **state)
{
        struct rig *r = *state;
        uint64_t v, b = r->drv.bar0;
        assert_false(mem_rd(&r->bus, b + VIRTIO_PCI_COMMON_STATUS, 2, &v));
        assert_false(mem_rd(&r->bus, b + VIRTIO_PCI_COMMON_NUMQ, 4, &v));
        assert_false(mem_wr(&r->bus, b + VIRTIO_PCI_COMMON_Q_SELECT + 1, 1, 0));
        assert_false(mem_rd(&r->bus, b + VIRTIO_PCI_COMMON_Q_DESCHI, 8, &v));
        assert_false(mem_rd(&r->bus, b + VIRTIO_PCI_COMMON_DF, 8, &v));
        /* Unused BAR space reads as zero. */
        assert_true(mem_rd(&r->bus, b + 0x800, 4, &v));
        assert_int_equal(v, 0);
        assert_true(mem_wr(&r->bus, b + 0x800, 4, 1));
}

static void virtio_pci_msix_vectors_read_no_vector(void **state)
{
        struct rig *r = *state;
        tdrv_common_wr(&r->drv, VIRTIO_PCI_COMMON_MSIX, 2, 0);
        assert_int_equal(tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
        tdrv_common_wr(&r->drv, VIRTIO_PCI_COMMON_Q_MSIX, 2, 0);
        assert_int_equal(tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
}

/* ---- notifications ---- */

static void virtio_pci_notify_calls_queue_notify_when_live(void **state)
{
        struct rig *r = *state;
        tdrv_bringup(&r->drv, good_features, 16);
        unsigned before = r->dev.notified[0];
        tdrv_kick(&r->drv);
        assert_int_equal(r->dev.notified[0], before + 1);
        assert_true(fake_trace_contains(r->vm, "virtio_notify: dev=0000:00:01.0 q=0 side=device served"));
}

static void virtio_pci_notify_before_driver_ok_is_ignored(void **state)
{
        struct rig *r = *state;
        assert_true(tdrv_negotiate(&r->drv, good_features) & VIRTIO_STATUS_FEATURES_OK);
        tdrv_setup_queue(&r->drv, 16);
        tdrv_kick(&r->drv);
        assert_int_equal(r->dev.notified[0], 0);
        assert_int_equal(r->dev.vp.stats.notifies_ignored, 1);
        assert_true(fake_trace_contains(r->vm, "q=0 side=device ignored=not_live"));
        /* DRIVER_OK serves what was made available before it. */
        tdrv_driver_ok(&r->drv);
        assert_int_equal(r->dev.notified[0], 1);
        assert_int_equal(r->dev.notified[1], 0); /* queue 1 not enabled */
}

static void virtio_pci_notify_bad_queue_index_is_ignored(void **state)
{
        struct rig *r = *state;
        tdrv_bringup(&r->drv, good_features, 16);
        assert_true(mem_wr(&r->bus, r->drv.bar0 + VIRTIO_PCI_NOTIFY_OFF, 2, 0x7FFF));
        assert_true(mem_wr(&r->bus, r->drv.bar0 + VIRTIO_PCI_NOTIFY_OFF + 4, 2, 1)); /* queue 1 not enabled */
        assert_int_equal(r->dev.vp.stats.notifies_ignored, 2);
        assert_false(mem_wr(&r->bus, r->drv.bar0 + VIRTIO_PCI_NOTIFY_OFF, 1, 0)); /* bad width */
}

static void virtio_pci_queue_done_raises_isr_when_driver_wants_interrupt(void **state)
{
        struct rig *r = *state;
        tdrv_bringup(&r->drv, good_features, 16);
        struct vdev_queue *vq = virtio_pci_queue(&r->dev.vp, 0);
        assert_int_equal(vdq_push(vq, 3, 0), CCADA_OK);
        virtio_pci_queue_done(&r->dev.vp, 0);
        assert_int_equal(r->dev.last_isr, VIRTIO_PCI_ISR_QUEUE);
        uint64_t isr;
        assert_true(mem_rd(&r->bus, r->drv.bar0 + VIRTIO_PCI_ISR_OFF, 1, &isr));
        assert_int_equal(isr, VIRTIO_PCI_ISR_QUEUE);
        /* Read clears.  virtio 1.2 §4.1.4.5 */
        assert_true(mem_rd(&r->bus, r->drv.bar0 + VIRTIO_PCI_ISR_OFF, 1, &isr));
        assert_int_equal(isr, 0);
        /* NO_INTERRUPT suppresses it. */
        st_le16(fake_ptr(r->vm, r->drv.q.avail + VRING_AVAIL_OFF_FLAGS, 2), VRING_AVAIL_F_NO_INTERRUPT);
        unsigned irqs = r->dev.interrupts;
        assert_int_equal(vdq_push(vq, 4, 0), CCADA_OK);
        virtio_pci_queue_done(&r->dev.vp, 0);
        assert_int_equal(r->dev.interrupts, irqs);
}

/* ---- device configuration ---- */

static void virtio_pci_device_cfg_routes_to_type_and_bumps_generation(void **state)
{
        struct rig *r = *state;
        uint64_t v, cfg = r->drv.bar0 + VIRTIO_PCI_DEVICE_OFF;
        uint8_t gen0 = (uint8_t)tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_CFGGENERATION, 1);
        r->dev.cfg[4] = 0x77;
        assert_true(mem_rd(&r->bus, cfg + 4, 1, &v));
        assert_int_equal(v, 0x77);
        assert_true(mem_wr(&r->bus, cfg, 4, 0x11223344u));
        assert_int_equal(ld_le32(r->dev.cfg), 0x11223344u);
        /* The type reported a change: config_generation moved, a config interrupt is due. */
        assert_int_equal((uint8_t)tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_CFGGENERATION, 1), (uint8_t)(gen0 + 1));
        assert_int_equal(r->dev.last_isr, VIRTIO_PCI_ISR_CONFIG);
        /* Beyond the type's configuration size: reads as zero (unused BAR space). */
        assert_true(mem_rd(&r->bus, cfg + sizeof(r->dev.cfg), 4, &v));
        assert_int_equal(v, 0);
        /* Straddling its end: the region does not contain the access. */
        assert_true(mem_rd(&r->bus, cfg + 6, 4, &v));
        assert_int_equal(v, 0);
}

static void virtio_pci_config_generation_survives_reset_unchanged(void **state)
{
        struct rig *r = *state;
        virtio_pci_dev_config_changed(&r->dev.vp);
        virtio_pci_dev_config_changed(&r->dev.vp);
        uint8_t gen = (uint8_t)tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_CFGGENERATION, 1);
        assert_int_equal(gen, 2);
        tdrv_common_wr(&r->drv, VIRTIO_PCI_COMMON_CFGGENERATION, 1, 0); /* read-only */
        tdrv_common_wr(&r->drv, VIRTIO_PCI_COMMON_STATUS, 1, 0);
        assert_int_equal(tdrv_common_rd(&r->drv, VIRTIO_PCI_COMMON_CFGGENERATION, 1), 2);
}

static void virtio_pci_dev_init_rejects_bad_config(void **state)
{
        struct rig *r = *state;
        struct virtio_pci_dev d;
        struct virtio_pci_config c = {
                .device_id = VIRTIO_ID_BLOCK, .num_queues = 1, .queue_size_max = 16, .ops = &tdev_ops, .vm = r->vm,
        };
        assert_int_equal(virtio_pci_dev_init(&d, &c), CCADA_OK);
        c.queue_size_max = 24;
        assert_int_equal(virtio_pci_dev_init(&d, &c), CCADA_E_INVAL);
        c.queue_size_max = 16, c.num_queues = 0;
        assert_int_equal(virtio_pci_dev_init(&d, &c), CCADA_E_INVAL);
        c.num_queues = VIRTIO_PCI_MAX_QUEUES + 1;
        assert_int_equal(virtio_pci_dev_init(&d, &c), CCADA_E_INVAL);
        c.num_queues = 1, c.cfg_size = VIRTIO_PCI_REGION_SIZE + 1;
        assert_int_equal(virtio_pci_dev_init(&d, &c), CCADA_E_INVAL);
        c.cfg_size = 0, c.vm = NULL;
        assert_int_equal(virtio_pci_dev_init(&d, &c), CCADA_E_INVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(virtio_pci_header_identifies_modern_device),
                T(virtio_pci_bar0_sizes_as_16k_memory_bar),
                T(virtio_pci_capability_walk_finds_each_structure_in_bar0),
                T(virtio_pci_device_features_include_transport_bits),
                T(virtio_pci_features_ok_accepted_for_offered_subset),
                T(virtio_pci_features_ok_refused_for_unoffered_feature),
                T(virtio_pci_features_ok_refused_without_version_1),
                T(virtio_pci_driver_features_frozen_after_features_ok),
                T(virtio_pci_reset_clears_status_features_and_queues),
                T(virtio_pci_needs_reset_is_sticky_until_reset),
                T(virtio_pci_queue_size_starts_at_max_and_accepts_smaller_power_of_two),
                T(virtio_pci_queue_select_beyond_num_queues_reads_size_zero),
                T(virtio_pci_queue_enable_initialises_device_queue),
                T(virtio_pci_queue_enable_misaligned_ring_sets_needs_reset),
                T(virtio_pci_queue_enable_before_features_ok_sets_needs_reset),
                T(virtio_pci_queue_fields_ignore_writes_while_enabled),
                T(virtio_pci_queue_address_written_as_halves_or_whole),
                T(virtio_pci_common_cfg_wrong_width_faults),
                T(virtio_pci_msix_vectors_read_no_vector),
                T(virtio_pci_notify_calls_queue_notify_when_live),
                T(virtio_pci_notify_before_driver_ok_is_ignored),
                T(virtio_pci_notify_bad_queue_index_is_ignored),
                T(virtio_pci_queue_done_raises_isr_when_driver_wants_interrupt),
                T(virtio_pci_device_cfg_routes_to_type_and_bumps_generation),
                T(virtio_pci_config_generation_survives_reset_unchanged),
                T(virtio_pci_dev_init_rejects_bad_config),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
