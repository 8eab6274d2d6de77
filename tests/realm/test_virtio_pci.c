/* Realm virtio-pci modern transport against a hostile device: capability validation,
 * feature negotiation (ACCESS_PLATFORM in a Realm), queue set-up, bounded waits.
 * virtio 1.2 §4.1.4-§4.1.5, §3.1.1 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_pci_dev.h"
#include "fake_pci_kernel.h"
#include "proto/virtio.h"
#include "proto/virtio_blk.h"
#include "realm/pci.h"
#include "realm/virtio_pci.h"

struct ctx {
        struct realm_kernel *k;
        struct fdev *d;
        struct pci_root root;
        struct virtio_pci_dev vp;
};

static int setup_kernel(void **state, bool realm)
{
        struct ctx *c = calloc(1, sizeof(*c));
        c->k = fake_kernel_new(realm);
        c->d = fdev_new(c->k);
        *state = c;
        return 0;
}

static int setup(void **state) { return setup_kernel(state, true); }
static int setup_normal_vm(void **state) { return setup_kernel(state, false); }

static int teardown(void **state)
{
        struct ctx *c = *state;
        virtio_pci_destroy(&c->vp);
        assert_int_equal(fake_kernel_bad_frees(c->k), 0);
        fdev_free(c->d);
        fake_kernel_free(c->k);
        free(c);
        return 0;
}

static bool logged(const struct ctx *c, const char *s)
{
        return fake_kernel_log_count(c->k, s) > 0;
}

/* Enumerates and runs virtio_pci_probe on 00:00.0. */
static ccada_status probe(struct ctx *c)
{
        assert_int_equal(pci_root_init(&c->root, c->k), CCADA_OK);
        assert_int_equal(pci_enumerate(&c->root), CCADA_OK);
        assert_int_equal(c->root.ndevs, 1);
        return virtio_pci_probe(&c->vp, c->k, &c->root.devs[0], "virtio_test", NULL);
}

static ccada_status negotiate(struct ctx *c, uint64_t wanted, uint64_t *got)
{
        assert_int_equal(probe(c), CCADA_OK);
        return virtio_pci_negotiate(&c->vp, wanted, got);
}

/* ---- capabilities ---- */

static void virtio_pci_probe_finds_all_capabilities(void **state)
{
        struct ctx *c = *state;
        assert_int_equal(probe(c), CCADA_OK);
        assert_true(c->vp.common.present && c->vp.notify.present && c->vp.isr.present && c->vp.device.present);
        assert_int_equal(c->vp.common.addr, FDEV_WINDOW + FDEV_COMMON_OFF);
        assert_int_equal(c->vp.notify.addr, FDEV_WINDOW + FDEV_NOTIFY_OFF);
        assert_int_equal(c->vp.device.length, 0x100);
        assert_int_equal(c->vp.notify_mult, 4);
        assert_string_equal(c->vp.dma.name, "0000:00:00.0");
        assert_string_equal(c->vp.dma.driver, "virtio-pci");
        assert_true(c->vp.dma.force_bounce);
}

static void virtio_pci_probe_refuses_cap_beyond_bar(void **state)
{
        struct ctx *c = *state;
        fdev_put_vcap(c->d, FDEV_CAP_DEVICE, 0, VIRTIO_PCI_CAP_DEVICE_CFG, 0, FDEV_BAR0_SIZE - 0x80, 0x100, 0);
        assert_int_equal(probe(c), CCADA_E_PEER);
        assert_true(logged(c, "virtio-pci 0000:00:00.0: DEVICE_CFG capability: [0x3f80, +0x100) is outside BAR 0"));
}

static void virtio_pci_probe_refuses_cap_whose_offset_wraps(void **state)
{
        struct ctx *c = *state;
        fdev_put_vcap(c->d, FDEV_CAP_ISR, FDEV_CAP_DEVICE, VIRTIO_PCI_CAP_ISR_CFG, 0, 0xFFFFFFF0u, 0x20, 0);
        assert_int_equal(probe(c), CCADA_E_PEER);
        assert_true(logged(c, "is outside BAR 0"));
}

static void virtio_pci_probe_refuses_cap_naming_unassigned_bar(void **state)
{
        struct ctx *c = *state;
        fdev_put_vcap(c->d, FDEV_CAP_COMMON, FDEV_CAP_NOTIFY, VIRTIO_PCI_CAP_COMMON_CFG, 2, 0, 0x38, 0);
        assert_int_equal(probe(c), CCADA_E_PEER);
        assert_true(logged(c, "COMMON_CFG capability: BAR 2 is not an assigned memory BAR"));
}

static void virtio_pci_probe_refuses_bar_index_out_of_range(void **state)
{
        struct ctx *c = *state;
        fdev_put_vcap(c->d, FDEV_CAP_NOTIFY, FDEV_CAP_ISR, VIRTIO_PCI_CAP_NOTIFY_CFG, 6, FDEV_NOTIFY_OFF, 0x1000, 4);
        assert_int_equal(probe(c), CCADA_E_PEER);
        assert_true(logged(c, "BAR 6 is not an assigned memory BAR"));
}

static void virtio_pci_probe_refuses_short_common_cfg(void **state)
{
        struct ctx *c = *state;
        fdev_put_vcap(c->d, FDEV_CAP_COMMON, FDEV_CAP_NOTIFY, VIRTIO_PCI_CAP_COMMON_CFG, 0, 0, 0x20, 0);
        assert_int_equal(probe(c), CCADA_E_PEER);
        assert_true(logged(c, "COMMON_CFG capability: length 0x20 is too short"));
}

static void virtio_pci_probe_refuses_bad_notify_multiplier(void **state)
{
        struct ctx *c = *state;
        fdev_put_vcap(c->d, FDEV_CAP_NOTIFY, FDEV_CAP_ISR, VIRTIO_PCI_CAP_NOTIFY_CFG, 0, FDEV_NOTIFY_OFF, 0x1000, 3);
        assert_int_equal(probe(c), CCADA_E_PEER);
        assert_true(logged(c, "notify_off_multiplier 3 is not 0 or a power of two"));
}

static void virtio_pci_probe_refuses_short_cap_length_field(void **state)
{
        struct ctx *c = *state;
        c->d->fns[0].cfg[FDEV_CAP_NOTIFY + VIRTIO_PCI_CAP_OFF_LEN] = VIRTIO_PCI_CAP_SIZE; /* no multiplier */
        assert_int_equal(probe(c), CCADA_E_PEER);
        assert_true(logged(c, "NOTIFY_CFG capability at 0x50: length 16 is too short"));
}

static void virtio_pci_probe_refuses_missing_notify_cap(void **state)
{
        struct ctx *c = *state;
        c->d->fns[0].cfg[FDEV_CAP_COMMON + 1] = FDEV_CAP_ISR; /* skip the notify cap */
        assert_int_equal(probe(c), CCADA_E_PEER);
        assert_true(logged(c, "missing capabilities (common 1 notify 0 isr 1)"));
}

static void virtio_pci_probe_uses_first_cap_of_each_type(void **state)
{
        struct ctx *c = *state;
        /* a second, different DEVICE cap after the first one is ignored */
        c->d->fns[0].cfg[FDEV_CAP_DEVICE + 1] = 0x84;
        fdev_put_vcap(c->d, 0x84, 0, VIRTIO_PCI_CAP_DEVICE_CFG, 0, 0x2800, 0x40, 0);
        assert_int_equal(probe(c), CCADA_OK);
        assert_int_equal(c->vp.device.offset, FDEV_DEVICE_OFF);
}

/* ---- negotiation ---- */

static void virtio_pci_negotiate_in_realm_refuses_device_without_access_platform(void **state)
{
        struct ctx *c = *state;
        c->d->features &= ~VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM);
        assert_int_equal(negotiate(c, 0, NULL), CCADA_E_UNSUPPORTED);
        assert_true(logged(c, "virtio-pci 0000:00:00.0: device must provide VIRTIO_F_ACCESS_PLATFORM"));
        assert_true(c->d->status & VIRTIO_STATUS_FAILED);
}

static void virtio_pci_negotiate_outside_realm_accepts_device_without_access_platform(void **state)
{
        struct ctx *c = *state;
        uint64_t got;
        c->d->features &= ~VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM);
        assert_int_equal(negotiate(c, 0, &got), CCADA_OK);
        assert_int_equal(got, VIRTIO_BIT(VIRTIO_F_VERSION_1));
}

static void virtio_pci_negotiate_refuses_legacy_device(void **state)
{
        struct ctx *c = *state;
        c->d->features &= ~VIRTIO_BIT(VIRTIO_F_VERSION_1);
        assert_int_equal(negotiate(c, 0, NULL), CCADA_E_UNSUPPORTED);
        assert_true(logged(c, "device must provide VIRTIO_F_VERSION_1"));
}

static void virtio_pci_negotiate_features_ok_cleared_fails(void **state)
{
        struct ctx *c = *state;
        c->d->clear_features_ok = true;
        assert_int_equal(negotiate(c, 0, NULL), CCADA_E_REJECTED);
        assert_true(logged(c, "did not accept features"));
        assert_int_equal(c->vp.features, 0);
        assert_true(c->d->status & VIRTIO_STATUS_FAILED);
        struct virtqueue *vq;
        assert_int_equal(virtio_pci_setup_queue(&c->vp, 0, 16, "req.0", &vq), CCADA_E_STATE);
}

static void virtio_pci_negotiate_accepts_only_wanted_and_implemented_features(void **state)
{
        struct ctx *c = *state;
        uint64_t got;
        c->d->features |= VIRTIO_BIT(VIRTIO_F_RING_PACKED) | VIRTIO_BIT(VIRTIO_F_IN_ORDER) | VIRTIO_BIT(VIRTIO_BLK_F_RO);
        uint64_t wanted = VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
                          VIRTIO_BIT(VIRTIO_F_RING_PACKED) | VIRTIO_BIT(VIRTIO_BLK_F_DISCARD);
        assert_int_equal(negotiate(c, wanted, &got), CCADA_OK);
        uint64_t want = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |
                        VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
        assert_int_equal(got, want);
        assert_int_equal(c->d->driver_features, want);
        assert_int_equal(c->d->status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
        assert_int_equal(c->d->status_writes[0], 0); /* reset first */
        assert_int_equal(c->d->bad_access, 0);
}

static void virtio_pci_reset_times_out_on_device_that_never_resets(void **state)
{
        struct ctx *c = *state;
        assert_int_equal(probe(c), CCADA_OK);
        c->d->status = VIRTIO_STATUS_DRIVER_OK;
        c->d->never_reset = true;
        assert_int_equal(virtio_pci_reset(&c->vp), CCADA_E_IO);
        assert_int_equal(fake_kernel_wait_calls(c->k), VIRTIO_PCI_RESET_POLLS);
        assert_true(logged(c, "device did not reset"));
}

/* ---- queues ---- */

static void virtio_pci_setup_queue_refuses_size_zero(void **state)
{
        struct ctx *c = *state;
        struct virtqueue *vq;
        size_t free_before = fake_kernel_free_pages(c->k);
        c->d->queue_size = 0;
        assert_int_equal(negotiate(c, 0, NULL), CCADA_OK);
        assert_int_equal(virtio_pci_setup_queue(&c->vp, 0, 256, "req.0", &vq), CCADA_E_PEER);
        assert_true(logged(c, "queue 0: size 0 is not a power of two"));
        assert_int_equal(fake_kernel_free_pages(c->k), free_before);
}

static void virtio_pci_setup_queue_refuses_non_power_of_two_size(void **state)
{
        struct ctx *c = *state;
        struct virtqueue *vq;
        c->d->queue_size = 100;
        assert_int_equal(negotiate(c, 0, NULL), CCADA_OK);
        assert_int_equal(virtio_pci_setup_queue(&c->vp, 0, 256, "req.0", &vq), CCADA_E_PEER);
        assert_true(logged(c, "queue 0: size 100 is not a power of two"));
}

static void virtio_pci_setup_queue_lowers_large_size_to_max(void **state)
{
        struct ctx *c = *state;
        struct virtqueue *vq;
        c->d->queue_size = 1024;
        assert_int_equal(negotiate(c, 0, NULL), CCADA_OK);
        assert_int_equal(virtio_pci_setup_queue(&c->vp, 0, 256, "req.0", &vq), CCADA_OK);
        assert_int_equal(vq->qsz, 256);
        assert_int_equal(c->d->qsize, 256);
}

static void virtio_pci_setup_queue_refuses_missing_queue(void **state)
{
        struct ctx *c = *state;
        struct virtqueue *vq;
        assert_int_equal(negotiate(c, 0, NULL), CCADA_OK);
        assert_int_equal(virtio_pci_setup_queue(&c->vp, 1, 256, "req.0", &vq), CCADA_E_PEER);
        assert_true(logged(c, "queue 1 does not exist (num_queues 1)"));
}

static void virtio_pci_setup_queue_refuses_notify_offset_outside_region(void **state)
{
        struct ctx *c = *state;
        struct virtqueue *vq;
        c->d->notify_off = 0x400; /* x 4 = 0x1000: the region's end */
        assert_int_equal(negotiate(c, 0, NULL), CCADA_OK);
        assert_int_equal(virtio_pci_setup_queue(&c->vp, 0, 256, "req.0", &vq), CCADA_E_PEER);
        assert_true(logged(c, "notify offset 1024 x 4 is outside the notify region"));
}

static void virtio_pci_setup_queue_places_rings_in_shared_coherent_memory(void **state)
{
        struct ctx *c = *state;
        struct virtqueue *vq;
        size_t dec_before = fake_kernel_decrypted_pages(c->k);
        assert_int_equal(negotiate(c, VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC), NULL), CCADA_OK);
        assert_int_equal(virtio_pci_setup_queue(&c->vp, 0, 64, "req.0", &vq), CCADA_OK);
        assert_true(vq->indirect);
        assert_true(c->d->dq_ready);
        assert_true(c->d->qdesc & FAKE_SHARED_BIT);
        assert_true(c->d->qavail & FAKE_SHARED_BIT);
        assert_true(c->d->qused & FAKE_SHARED_BIT);
        assert_int_equal(c->d->qavail - c->d->qdesc, 64 * 16);
        assert_int_equal(c->d->qused % 4, 0);
        assert_true(fake_kernel_decrypted_pages(c->k) > dec_before);
        assert_int_equal(c->vp.queues[0].notify_addr, FDEV_WINDOW + FDEV_NOTIFY_OFF);
        assert_int_equal(virtio_pci_driver_ok(&c->vp), CCADA_OK);
        assert_int_equal(virtio_pci_notify(&c->vp, 0), CCADA_OK);
        assert_int_equal(c->d->notifies, 1);
        assert_int_equal(c->d->bad_access, 0);
        assert_int_equal(virtio_pci_setup_queue(&c->vp, 1, 64, "req.0", &vq), CCADA_E_STATE); /* after DRIVER_OK */
}

static void virtio_pci_destroy_resets_and_frees_all_coherent_memory(void **state)
{
        struct ctx *c = *state;
        struct virtqueue *vq;
        size_t free_before = fake_kernel_free_pages(c->k), dec_before = fake_kernel_decrypted_pages(c->k);
        assert_int_equal(negotiate(c, VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC), NULL), CCADA_OK);
        assert_int_equal(virtio_pci_setup_queue(&c->vp, 0, 256, "req.0", &vq), CCADA_OK);
        assert_int_equal(virtio_pci_driver_ok(&c->vp), CCADA_OK);
        virtio_pci_destroy(&c->vp);
        assert_int_equal(c->d->status, 0);
        assert_int_equal(fake_kernel_free_pages(c->k), free_before);
        assert_int_equal(fake_kernel_decrypted_pages(c->k), dec_before);
}

/* ---- device configuration ---- */

static void virtio_pci_config_read_returns_consistent_fields(void **state)
{
        struct ctx *c = *state;
        struct virtio_cfg_field f[2] = { { VIRTIO_BLK_CFG_CAPACITY, 8, 0 }, { VIRTIO_BLK_CFG_BLK_SIZE, 4, 0 } };
        fdev_cfg_put(c->d->blkcfg, VIRTIO_BLK_CFG_CAPACITY, 8, 0x123456789ull);
        assert_int_equal(negotiate(c, 0, NULL), CCADA_OK);
        assert_int_equal(virtio_pci_config_read(&c->vp, f, 2), CCADA_OK);
        assert_int_equal(f[0].val, 0x123456789ull);
        assert_int_equal(f[1].val, 512);
        assert_int_equal(c->d->bad_access, 0); /* 64-bit read as two 32-bit halves */
}

static void virtio_pci_config_read_unstable_generation_fails_bounded(void **state)
{
        struct ctx *c = *state;
        struct virtio_cfg_field f = { VIRTIO_BLK_CFG_CAPACITY, 8, 0 };
        assert_int_equal(negotiate(c, 0, NULL), CCADA_OK);
        c->d->unstable_generation = true;
        assert_int_equal(virtio_pci_config_read(&c->vp, &f, 1), CCADA_E_PEER);
        assert_true(logged(c, "config_generation did not settle after 16 reads"));
}

static void virtio_pci_config_read_refuses_field_beyond_region(void **state)
{
        struct ctx *c = *state;
        struct virtio_cfg_field f = { 0xFC, 8, 0 };
        assert_int_equal(negotiate(c, 0, NULL), CCADA_OK);
        assert_int_equal(virtio_pci_config_read(&c->vp, &f, 1), CCADA_E_RANGE);
        f = (struct virtio_cfg_field){ 0x2, 4, 0 };
        assert_int_equal(virtio_pci_config_read(&c->vp, &f, 1), CCADA_E_INVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define TN(f) cmocka_unit_test_setup_teardown(f, setup_normal_vm, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(virtio_pci_probe_finds_all_capabilities),
                T(virtio_pci_probe_refuses_cap_beyond_bar),
                T(virtio_pci_probe_refuses_cap_whose_offset_wraps),
                T(virtio_pci_probe_refuses_cap_naming_unassigned_bar),
                T(virtio_pci_probe_refuses_bar_index_out_of_range),
                T(virtio_pci_probe_refuses_short_common_cfg),
                T(virtio_pci_probe_refuses_bad_notify_multiplier),
                T(virtio_pci_probe_refuses_short_cap_length_field),
                T(virtio_pci_probe_refuses_missing_notify_cap),
                T(virtio_pci_probe_uses_first_cap_of_each_type),
                T(virtio_pci_negotiate_in_realm_refuses_device_without_access_platform),
                TN(virtio_pci_negotiate_outside_realm_accepts_device_without_access_platform),
                T(virtio_pci_negotiate_refuses_legacy_device),
                T(virtio_pci_negotiate_features_ok_cleared_fails),
                T(virtio_pci_negotiate_accepts_only_wanted_and_implemented_features),
                T(virtio_pci_reset_times_out_on_device_that_never_resets),
                T(virtio_pci_setup_queue_refuses_size_zero),
                T(virtio_pci_setup_queue_refuses_non_power_of_two_size),
                T(virtio_pci_setup_queue_lowers_large_size_to_max),
                T(virtio_pci_setup_queue_refuses_missing_queue),
                T(virtio_pci_setup_queue_refuses_notify_offset_outside_region),
                T(virtio_pci_setup_queue_places_rings_in_shared_coherent_memory),
                T(virtio_pci_destroy_resets_and_frees_all_coherent_memory),
                T(virtio_pci_config_read_returns_consistent_fields),
                T(virtio_pci_config_read_unstable_generation_fails_bounded),
                T(virtio_pci_config_read_refuses_field_beyond_region),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
