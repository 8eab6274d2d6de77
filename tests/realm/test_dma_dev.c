/* The DMA API's vocabulary (src/realm/dma_dev.c): a device's defaults, the reach of its
 * dma_mask, and the direction names the swiotlb trace lines print. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "fake_kernel.h"
#include "realm/dma_dev.h"

static void dma_dev_init_realm_sets_linux_defaults_and_forces_bounce(void **state)
{
        struct realm_kernel *k = fake_kernel_new(true);
        struct dma_dev dev;

        memset(&dev, 0xA5, sizeof(dev)); /* whatever was there goes */
        dma_dev_init(&dev, k, "0000:00:00.0", "virtio-pci", NULL);
        assert_string_equal(dev.name, "0000:00:00.0");
        assert_string_equal(dev.driver, "virtio-pci");
        assert_true(dev.dma_mask == ~(uint64_t)0);
        assert_true(dev.min_align_mask == 0);
        assert_true(dev.seg_boundary_mask == DMA_SEG_BOUNDARY_DEFAULT);
        assert_ptr_equal(dev.k, k);
        assert_null(dev.tlb);
        assert_int_equal(dev.cpu, 0);
        assert_true(dev.force_bounce);
        fake_kernel_free(k);
}

static void dma_dev_init_normal_vm_does_not_force_bounce(void **state)
{
        struct realm_kernel *k = fake_kernel_new(false);
        struct dma_dev dev;

        dma_dev_init(&dev, k, "0000:00:00.0", "virtio-pci", NULL);
        assert_false(dev.force_bounce);
        fake_kernel_free(k);
}

static void dma_dev_init_truncates_long_names_and_accepts_null(void **state)
{
        struct realm_kernel *k = fake_kernel_new(true);
        char longname[64];
        struct dma_dev dev;

        memset(longname, 'n', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = '\0';
        dma_dev_init(&dev, k, longname, NULL, NULL);
        assert_int_equal(strlen(dev.name), sizeof(dev.name) - 1);
        assert_memory_equal(dev.name, longname, sizeof(dev.name) - 1);
        assert_string_equal(dev.driver, "");
        fake_kernel_free(k);
}

static void dma_capable_accepts_a_range_ending_at_the_mask(void **state)
{
        struct dma_dev dev = { .dma_mask = 0xffffffffull };

        assert_true(dma_capable(&dev, 0xfffff000ull, 0x1000));
        assert_false(dma_capable(&dev, 0xfffff000ull, 0x1001));
        assert_false(dma_capable(&dev, 0x100000000ull, 1));
}

static void dma_capable_rejects_a_range_that_wraps(void **state)
{
        struct dma_dev dev = { .dma_mask = ~(uint64_t)0 };

        assert_true(dma_capable(&dev, ~(uint64_t)0, 1));
        assert_false(dma_capable(&dev, ~(uint64_t)0, 2));
}

static void dma_capable_zero_size_is_capable_anywhere(void **state)
{
        struct dma_dev dev = { .dma_mask = 0xffffull };

        assert_true(dma_capable(&dev, 0x100000000ull, 0));
}

static void dma_data_direction_name_names_each_direction_and_flags_invalid(void **state)
{
        assert_string_equal(dma_data_direction_name(DMA_BIDIRECTIONAL), "BIDIRECTIONAL");
        assert_string_equal(dma_data_direction_name(DMA_TO_DEVICE), "TO_DEVICE");
        assert_string_equal(dma_data_direction_name(DMA_FROM_DEVICE), "FROM_DEVICE");
        assert_string_equal(dma_data_direction_name(DMA_NONE), "NONE");
        assert_string_equal(dma_data_direction_name((enum dma_data_direction)7), "?");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(dma_dev_init_realm_sets_linux_defaults_and_forces_bounce),
                cmocka_unit_test(dma_dev_init_normal_vm_does_not_force_bounce),
                cmocka_unit_test(dma_dev_init_truncates_long_names_and_accepts_null),
                cmocka_unit_test(dma_capable_accepts_a_range_ending_at_the_mask),
                cmocka_unit_test(dma_capable_rejects_a_range_that_wraps),
                cmocka_unit_test(dma_capable_zero_size_is_capable_anywhere),
                cmocka_unit_test(dma_data_direction_name_names_each_direction_and_flags_invalid),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
