/* src/hw/pcie.c: configuration accesses routed to physical functions as DW-aligned TLPs with
 * byte enables; absent functions and bad accesses read as all ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "hw/pcie.h"

struct fake {
        uint32_t dw[1024];
        uint16_t last_off;
        uint32_t last_val;
        uint8_t last_be;
        unsigned writes;
};

static uint32_t rd(void *ctx, uint16_t off)
{
        struct fake *f = ctx;
        return f->dw[off / 4];
}

static void wr(void *ctx, uint16_t off, uint32_t val, uint8_t be)
{
        struct fake *f = ctx;
        f->last_off = off;
        f->last_val = val;
        f->last_be = be;
        f->writes++;
}

static const struct hw_pcie_func_ops ops = { rd, wr };

static void reads_of_one_two_and_four_bytes_take_their_part_of_the_dw(void **state)
{
        struct hw_pcie p;
        static struct fake f;
        (void)state;
        hw_pcie_init(&p);
        f.dw[1] = 0xA1B2C3D4;
        assert_true(hw_pcie_attach(&p, HW_PCIE_BDF(0, 2, 0), &ops, &f));
        assert_int_equal(hw_pcie_cfg_read(&p, HW_PCIE_BDF(0, 2, 0), 4, 4), 0xA1B2C3D4);
        assert_int_equal(hw_pcie_cfg_read(&p, HW_PCIE_BDF(0, 2, 0), 6, 2), 0xA1B2);
        assert_int_equal(hw_pcie_cfg_read(&p, HW_PCIE_BDF(0, 2, 0), 5, 1), 0xC3);
}

static void writes_carry_byte_enables_for_their_bytes(void **state)
{
        struct hw_pcie p;
        static struct fake f;
        (void)state;
        hw_pcie_init(&p);
        assert_true(hw_pcie_attach(&p, HW_PCIE_BDF(0, 2, 0), &ops, &f));
        hw_pcie_cfg_write(&p, HW_PCIE_BDF(0, 2, 0), 0x106, 2, 0xBEEF);
        assert_int_equal(f.last_off, 0x104);
        assert_int_equal(f.last_val, 0xBEEF0000u);
        assert_int_equal(f.last_be, 0xC);
        hw_pcie_cfg_write(&p, HW_PCIE_BDF(0, 2, 0), 0x10, 4, 0x12345678);
        assert_int_equal(f.last_be, 0xF);
        assert_int_equal(f.last_val, 0x12345678);
}

static void absent_functions_and_bad_accesses_read_all_ones_and_drop_writes(void **state)
{
        struct hw_pcie p;
        static struct fake f;
        (void)state;
        hw_pcie_init(&p);
        assert_true(hw_pcie_attach(&p, HW_PCIE_BDF(0, 2, 0), &ops, &f));
        assert_int_equal(hw_pcie_cfg_read(&p, HW_PCIE_BDF(0, 3, 0), 0, 4), 0xFFFFFFFFu);
        assert_int_equal(hw_pcie_cfg_read(&p, HW_PCIE_BDF(0, 3, 0), 0, 2), 0xFFFF);
        assert_int_equal(hw_pcie_cfg_read(&p, HW_PCIE_BDF(0, 2, 0), 2, 4), 0xFFFFFFFFu);  /* misaligned */
        assert_int_equal(hw_pcie_cfg_read(&p, HW_PCIE_BDF(0, 2, 0), 0, 3), 0xFFFFFF);      /* bad size */
        assert_int_equal(hw_pcie_cfg_read(&p, HW_PCIE_BDF(0, 2, 0), 4096, 4), 0xFFFFFFFFu);
        hw_pcie_cfg_write(&p, HW_PCIE_BDF(0, 3, 0), 0, 4, 1);
        hw_pcie_cfg_write(&p, HW_PCIE_BDF(0, 2, 0), 1, 2, 1);
        assert_int_equal(f.writes, 0);
}

static void a_taken_bdf_is_refused_and_detach_frees_it(void **state)
{
        struct hw_pcie p;
        static struct fake f, g;
        (void)state;
        hw_pcie_init(&p);
        assert_true(hw_pcie_attach(&p, HW_PCIE_BDF(0, 2, 0), &ops, &f));
        assert_false(hw_pcie_attach(&p, HW_PCIE_BDF(0, 2, 0), &ops, &g));
        hw_pcie_detach(&p, HW_PCIE_BDF(0, 2, 0));
        assert_int_equal(hw_pcie_cfg_read(&p, HW_PCIE_BDF(0, 2, 0), 0, 4), 0xFFFFFFFFu);
        assert_true(hw_pcie_attach(&p, HW_PCIE_BDF(0, 2, 0), &ops, &g));
        for (unsigned i = 1; i < HW_PCIE_MAX_FUNCS; i++)
                assert_true(hw_pcie_attach(&p, HW_PCIE_BDF(0, 2 + i, 0), &ops, &g));
        assert_false(hw_pcie_attach(&p, HW_PCIE_BDF(1, 0, 0), &ops, &g));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(reads_of_one_two_and_four_bytes_take_their_part_of_the_dw),
                cmocka_unit_test(writes_carry_byte_enables_for_their_bytes),
                cmocka_unit_test(absent_functions_and_bad_accesses_read_all_ones_and_drop_writes),
                cmocka_unit_test(a_taken_bdf_is_refused_and_detach_frees_it),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
