/* Realm PCI bus 0: enumeration, BAR sizing and assignment against a hostile host,
 * capability walk bounds, driver binding.  PCI Local Bus 3.0 §6, PCIe 6.2 §7.2.2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_pci_dev.h"
#include "fake_pci_kernel.h"
#include "realm/pci.h"

struct ctx {
        struct realm_kernel *k;
        struct fdev *d;
        struct pci_root root;
};

static int setup(void **state)
{
        struct ctx *c = calloc(1, sizeof(*c));
        c->k = fake_kernel_new(true);
        c->d = fdev_new(c->k);
        *state = c;
        return 0;
}

static int teardown(void **state)
{
        struct ctx *c = *state;
        fdev_free(c->d);
        fake_kernel_free(c->k);
        free(c);
        return 0;
}

static void enumerate(struct ctx *c)
{
        assert_int_equal(pci_root_init(&c->root, c->k), CCADA_OK);
        assert_int_equal(pci_enumerate(&c->root), CCADA_OK);
}

static bool logged(const struct ctx *c, const char *s)
{
        return fake_kernel_log_count(c->k, s) > 0;
}

/* ---- enumeration ---- */

static void pci_enumerate_finds_device_and_names_it_by_bdf(void **state)
{
        struct ctx *c = *state;
        fdev_add_fn(c->d, 3, 0, 0x1234, 0x5678, 0);
        enumerate(c);
        assert_int_equal(c->root.ndevs, 2);
        assert_string_equal(c->root.devs[0].name, "0000:00:00.0");
        assert_int_equal(c->root.devs[0].vendor, 0x1AF4);
        assert_int_equal(c->root.devs[0].device, 0x1042);
        assert_int_equal(c->root.devs[0].class, 0x010000);
        assert_string_equal(c->root.devs[1].name, "0000:00:03.0");
        assert_true(logged(c, "pci 0000:00:00.0: [1af4:1042] type 00 class 0x010000"));
        assert_true(logged(c, "pci 0000:00:03.0: [1234:5678] type 00 class 0x020000"));
        assert_int_equal(fake_kernel_mmio_alias_calls(c->k), 0);
}

/* Linux 6.8+ ends the line with pci_type_str: the header layout, or the PCIe port type. */
static void pci_enumerate_header_line_names_the_function_type_as_linux(void **state)
{
        struct ctx *c = *state;
        uint8_t *f3 = fdev_add_fn(c->d, 3, 0, 0x1234, 0x5678, 0)->cfg;
        uint8_t *f4 = fdev_add_fn(c->d, 4, 0, 0x1234, 0x5679, 0)->cfg;
        /* a PCI Express capability at 0x40: device/port type 0 (Endpoint), 9 (RCiEP) */
        for (unsigned i = 0; i < 2; i++) {
                uint8_t *cfg = i ? f4 : f3;
                cfg[0x06] |= 0x10;                      /* status: capability list */
                cfg[0x34] = 0x40;
                cfg[0x40] = 0x10;                       /* PCI_CAP_ID_EXP, next 0 */
                cfg[0x41] = 0x00;
                cfg[0x42] = (uint8_t)((i ? 0x9 : 0x0) << 4 | 0x2);
        }
        enumerate(c);
        assert_true(logged(c, "pci 0000:00:00.0: [1af4:1042] type 00 class 0x010000 conventional PCI endpoint"));
        assert_true(logged(c, "pci 0000:00:03.0: [1234:5678] type 00 class 0x020000 PCIe Endpoint"));
        assert_true(logged(c, "pci 0000:00:04.0: [1234:5679] type 00 class 0x020000 PCIe Root Complex Integrated Endpoint"));
}

static void pci_enumerate_scans_functions_only_of_multifunction_devices(void **state)
{
        struct ctx *c = *state;
        struct fdev_fn *f0 = fdev_add_fn(c->d, 2, 0, 0x1234, 0x0001, 0);
        fdev_add_fn(c->d, 2, 5, 0x1234, 0x0002, 0);
        fdev_add_fn(c->d, 4, 1, 0x1234, 0x0003, 0); /* 04.0 absent: never scanned */
        f0->cfg[PCI_HEADER_TYPE] = 0x80;
        enumerate(c);
        assert_int_equal(c->root.ndevs, 3);
        assert_string_equal(c->root.devs[1].name, "0000:00:02.0");
        assert_string_equal(c->root.devs[2].name, "0000:00:02.5");
}

static void pci_enumerate_without_multifunction_bit_ignores_other_functions(void **state)
{
        struct ctx *c = *state;
        fdev_add_fn(c->d, 2, 0, 0x1234, 0x0001, 0);
        fdev_add_fn(c->d, 2, 1, 0x1234, 0x0002, 0);
        enumerate(c);
        assert_int_equal(c->root.ndevs, 2);
        assert_string_equal(c->root.devs[1].name, "0000:00:02.0");
}

static void pci_enumerate_sizes_and_assigns_bars_naturally_aligned(void **state)
{
        struct ctx *c = *state;
        struct fdev_fn *f = fdev_add_fn(c->d, 1, 0, 0x1234, 0x0001, 0x1000);
        fdev_set_bar(f, 2, 1u << 20, true);
        enumerate(c);
        assert_int_equal(c->root.ndevs, 2);
        const struct pci_device *v = &c->root.devs[0], *p = &c->root.devs[1];
        assert_int_equal(v->bars[0].addr, FDEV_WINDOW);
        assert_int_equal(v->bars[0].size, FDEV_BAR0_SIZE);
        assert_true(logged(c, "pci 0000:00:00.0: BAR 0 [mem 0x50000000-0x50003fff]"));
        /* largest first, naturally aligned */
        assert_int_equal(p->bars[2].size, 1u << 20);
        assert_int_equal(p->bars[2].addr, FDEV_WINDOW + (1u << 20));
        assert_true(p->bars[2].is64);
        assert_int_equal(p->bars[0].addr, FDEV_WINDOW + (2u << 20));
        assert_int_equal(p->bars[3].size, 0);
        assert_true(logged(c, "pci 0000:00:01.0: BAR 2 [mem 0x50100000-0x501fffff 64bit]"));
        /* programmed into the device and decoding enabled */
        assert_int_equal(f->bar[2], (uint32_t)(FDEV_WINDOW + (1u << 20)) | PCI_BASE_ADDRESS_MEM_TYPE_64);
        assert_int_equal(f->bar[3], 0);
        assert_int_equal(fdev_cfg_get(f->cfg, PCI_COMMAND, 2) & 6, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static void pci_enumerate_rejects_non_power_of_two_bar(void **state)
{
        struct ctx *c = *state;
        c->d->fns[0].sizing[0] = 0xFFFF0F00u;
        enumerate(c);
        assert_int_equal(c->root.ndevs, 0);
        assert_int_equal(c->root.skipped, 1);
        assert_true(logged(c, "pci 0000:00:00.0: BAR 0: size mask 0xffffffffffff0f00 is not a power of two; device ignored"));
        assert_int_equal(c->d->fns[0].bar[0], 0); /* restored, never assigned */
}

static void pci_enumerate_rejects_bar_larger_than_window(void **state)
{
        struct ctx *c = *state;
        fdev_set_bar(&c->d->fns[0], 0, 1ull << 36, true);
        enumerate(c);
        assert_int_equal(c->root.ndevs, 0);
        assert_true(logged(c, "is larger than the window"));
}

static void pci_enumerate_rejects_bar_whose_type_bits_change(void **state)
{
        struct ctx *c = *state;
        c->d->fns[0].sizing[0] = 0xFFFFFFFFu; /* every bit "writable" */
        enumerate(c);
        assert_int_equal(c->root.ndevs, 0);
        assert_true(logged(c, "type bits changed while sizing"));
}

static void pci_enumerate_rejects_64bit_bar_in_last_slot(void **state)
{
        struct ctx *c = *state;
        struct fdev_fn *f = &c->d->fns[0];
        f->bar[5] = PCI_BASE_ADDRESS_MEM_TYPE_64;
        f->sizing[5] = 0xFFFFF000u | PCI_BASE_ADDRESS_MEM_TYPE_64;
        enumerate(c);
        assert_int_equal(c->root.ndevs, 0);
        assert_true(logged(c, "BAR 5: 64-bit BAR has no upper half"));
}

static void pci_enumerate_window_exhausted_skips_device_and_keeps_others(void **state)
{
        struct ctx *c = *state;
        struct fdev_fn *f = fdev_add_fn(c->d, 1, 0, 0x1234, 0x0001, 0);
        fdev_set_bar(f, 0, FDEV_WINDOW_SIZE, true); /* would need the whole window, aligned */
        enumerate(c);
        assert_int_equal(c->root.ndevs, 1);
        assert_string_equal(c->root.devs[0].name, "0000:00:00.0");
        assert_true(logged(c, "pci 0000:00:01.0: BAR 0: no space left in the window"));
        assert_int_equal(f->bar[0], PCI_BASE_ADDRESS_MEM_TYPE_64); /* restored, never assigned */
        assert_int_equal(f->bar[1], 0);
        assert_int_equal(c->root.mmio_next, FDEV_WINDOW + FDEV_BAR0_SIZE);
}

static void pci_enumerate_unimplemented_bar_has_size_zero(void **state)
{
        struct ctx *c = *state;
        fdev_add_fn(c->d, 1, 0, 0x1234, 0x0001, 0);
        enumerate(c);
        for (unsigned i = 0; i < PCI_NUM_BARS; i++)
                assert_int_equal(c->root.devs[1].bars[i].size, 0);
}

static void pci_enumerate_twice_is_refused(void **state)
{
        struct ctx *c = *state;
        enumerate(c);
        assert_int_equal(pci_enumerate(&c->root), CCADA_E_STATE);
}

static void pci_root_init_without_ecam_is_unsupported(void **state)
{
        struct ctx *c = *state;
        fake_kernel_set_pci_window(c->k, 0, 0, 0);
        assert_int_equal(pci_root_init(&c->root, c->k), CCADA_E_UNSUPPORTED);
}

/* ---- capabilities ---- */

static void pci_cap_walk_loop_is_bounded_and_refused(void **state)
{
        struct ctx *c = *state;
        c->d->fns[0].cfg[FDEV_CAP_DEVICE + 1] = FDEV_CAP_COMMON; /* last cap points back to the first */
        enumerate(c);
        assert_int_equal(c->root.ndevs, 0);
        assert_true(logged(c, "pci 0000:00:00.0: capability list loops back to 0x40; device ignored"));
}

static void pci_cap_walk_self_loop_is_refused(void **state)
{
        struct ctx *c = *state;
        c->d->fns[0].cfg[FDEV_CAP_COMMON + 1] = FDEV_CAP_COMMON;
        enumerate(c);
        assert_int_equal(c->root.ndevs, 0);
        assert_true(logged(c, "loops back to 0x40"));
}

static void pci_cap_walk_rejects_pointer_into_header(void **state)
{
        struct ctx *c = *state;
        c->d->fns[0].cfg[PCI_CAPABILITY_LIST] = 0x10;
        enumerate(c);
        assert_int_equal(c->root.ndevs, 0);
        assert_true(logged(c, "capability pointer 0x10 is out of bounds"));
}

static void pci_cap_walk_rejects_misaligned_pointer(void **state)
{
        struct ctx *c = *state;
        c->d->fns[0].cfg[FDEV_CAP_COMMON + 1] = 0x51;
        enumerate(c);
        assert_int_equal(c->root.ndevs, 0);
        assert_true(logged(c, "capability pointer 0x51 is out of bounds"));
}

static void pci_cap_walk_accepts_longest_possible_list(void **state)
{
        struct ctx *c = *state;
        struct fdev_fn *f = &c->d->fns[0];
        for (unsigned off = 0x40; off <= 0xFC; off += 4) {
                f->cfg[off] = 0x0A; /* some non-virtio capability */
                f->cfg[off + 1] = off == 0xFC ? 0 : (uint8_t)(off + 4);
        }
        enumerate(c);
        assert_int_equal(c->root.ndevs, 1);
        assert_int_equal(c->root.devs[0].ncaps, PCI_MAX_CAPS);
        uint8_t off;
        assert_true(pci_find_capability(&c->root.devs[0], 0x0A, 47, &off));
        assert_int_equal(off, 0xFC);
        assert_false(pci_find_capability(&c->root.devs[0], 0x0A, 48, &off));
}

static void pci_find_capability_returns_vendor_caps_in_order(void **state)
{
        struct ctx *c = *state;
        uint8_t off;
        enumerate(c);
        assert_int_equal(c->root.devs[0].ncaps, 4);
        assert_true(pci_find_capability(&c->root.devs[0], PCI_CAP_ID_VNDR, 1, &off));
        assert_int_equal(off, FDEV_CAP_NOTIFY);
        assert_false(pci_find_capability(&c->root.devs[0], 0x10, 0, &off));
}

/* ---- accessors ---- */

static void pci_cfg_read_rejects_misaligned_and_out_of_space_offsets(void **state)
{
        struct ctx *c = *state;
        uint16_t v16;
        uint32_t v32;
        enumerate(c);
        assert_int_equal(pci_cfg_read16(&c->root.devs[0], 1, &v16), CCADA_E_INVAL);
        assert_int_equal(pci_cfg_read32(&c->root.devs[0], 0x1002, &v32), CCADA_E_INVAL);
        assert_int_equal(pci_cfg_read32(&c->root.devs[0], 0xFFC, &v32), CCADA_OK);
        assert_int_equal(pci_cfg_read16(&c->root.devs[0], PCI_VENDOR_ID, &v16), CCADA_OK);
        assert_int_equal(v16, 0x1AF4);
}

/* ---- binding ---- */

struct test_drv {
        struct pci_driver drv;
        unsigned probes;
        ccada_status answer;
};

static ccada_status test_probe(struct pci_device *dev)
{
        struct test_drv *t = (struct test_drv *)(void *)((const char *)dev->driver - offsetof(struct test_drv, drv));
        t->probes++;
        return t->answer;
}

static void pci_probe_drivers_binds_by_vendor_and_device_id(void **state)
{
        struct ctx *c = *state;
        struct test_drv t = { { "test", 0x1234, 0x5678, test_probe }, 0, CCADA_OK };
        unsigned bound;
        fdev_add_fn(c->d, 1, 0, 0x1234, 0x5678, 0);
        fdev_add_fn(c->d, 2, 0, 0x1234, 0x9999, 0);
        enumerate(c);
        assert_int_equal(pci_probe_drivers(&c->root, &t.drv, 1, &bound), CCADA_OK);
        assert_int_equal(bound, 1);
        assert_int_equal(t.probes, 1);
        assert_ptr_equal(c->root.devs[1].driver, &t.drv);
        assert_null(c->root.devs[0].driver);
        assert_null(c->root.devs[2].driver);
        assert_int_equal(pci_bind_driver(&c->root.devs[1], &t.drv), CCADA_E_BUSY);
}

static void pci_bind_driver_failed_probe_leaves_device_unbound(void **state)
{
        struct ctx *c = *state;
        struct test_drv t = { { "test", 0x1AF4, 0x1042, test_probe }, 0, CCADA_E_PEER };
        enumerate(c);
        assert_int_equal(pci_bind_driver(&c->root.devs[0], &t.drv), CCADA_E_PEER);
        assert_null(c->root.devs[0].driver);
        assert_true(logged(c, "test: probe of 0000:00:00.0 failed with CCADA_E_PEER"));
}

static void pci_bind_driver_rejects_id_mismatch(void **state)
{
        struct ctx *c = *state;
        struct test_drv t = { { "test", 0x1AF4, 0x1041, test_probe }, 0, CCADA_OK };
        enumerate(c);
        assert_int_equal(pci_bind_driver(&c->root.devs[0], &t.drv), CCADA_E_INVAL);
        assert_int_equal(t.probes, 0);
}

static void pci_probe_drivers_before_enumeration_is_refused(void **state)
{
        struct ctx *c = *state;
        assert_int_equal(pci_root_init(&c->root, c->k), CCADA_OK);
        assert_int_equal(pci_probe_drivers(&c->root, NULL, 0, NULL), CCADA_E_STATE);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(pci_enumerate_finds_device_and_names_it_by_bdf),
                T(pci_enumerate_header_line_names_the_function_type_as_linux),
                T(pci_enumerate_scans_functions_only_of_multifunction_devices),
                T(pci_enumerate_without_multifunction_bit_ignores_other_functions),
                T(pci_enumerate_sizes_and_assigns_bars_naturally_aligned),
                T(pci_enumerate_rejects_non_power_of_two_bar),
                T(pci_enumerate_rejects_bar_larger_than_window),
                T(pci_enumerate_rejects_bar_whose_type_bits_change),
                T(pci_enumerate_rejects_64bit_bar_in_last_slot),
                T(pci_enumerate_window_exhausted_skips_device_and_keeps_others),
                T(pci_enumerate_unimplemented_bar_has_size_zero),
                T(pci_enumerate_twice_is_refused),
                T(pci_root_init_without_ecam_is_unsupported),
                T(pci_cap_walk_loop_is_bounded_and_refused),
                T(pci_cap_walk_self_loop_is_refused),
                T(pci_cap_walk_rejects_pointer_into_header),
                T(pci_cap_walk_rejects_misaligned_pointer),
                T(pci_cap_walk_accepts_longest_possible_list),
                T(pci_find_capability_returns_vendor_caps_in_order),
                T(pci_cfg_read_rejects_misaligned_and_out_of_space_offsets),
                T(pci_probe_drivers_binds_by_vendor_and_device_id),
                T(pci_bind_driver_failed_probe_leaves_device_unbound),
                T(pci_bind_driver_rejects_id_mismatch),
                T(pci_probe_drivers_before_enumeration_is_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
