/* src/hw/dma.c: device DMA. There is no SMMU yet, so no stream has a translation and every
 * transaction is refused: nothing is read, nothing is written, the fault says why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "hw/dma.h"

#define BASE 0x80000000ull
#define SIZE (4 * GRANULE_SIZE)

static void hw_dma_refuses_every_transaction_today(void **state)
{
        struct hw_mem *m;
        uint8_t buf[64], mem[64];
        struct hw_dma_fault fault;
        const uint32_t streams[] = { 0, 1, 0x100, UINT32_MAX };
        (void)state;
        assert_true(hw_mem_create(&m, BASE, SIZE, NULL));
        memset(buf, 0xAB, sizeof(buf));
        for (size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
                /* a device write of NS memory: refused, memory unchanged */
                assert_int_equal(hw_dma(m, streams[i], BASE, buf, sizeof(buf), HW_ACCESS_WRITE, &fault),
                                 HW_DMA_FAULT);
                assert_int_equal(fault.reason, HW_DMA_NO_TRANSLATION);
                assert_int_equal(fault.stream_id, streams[i]);
                assert_int_equal(fault.iova, BASE);
                assert_int_equal(fault.access, HW_ACCESS_WRITE);
                /* a device read: refused, its buffer unchanged */
                assert_int_equal(hw_dma(m, streams[i], BASE + 8, buf, sizeof(buf), HW_ACCESS_READ, &fault),
                                 HW_DMA_FAULT);
                assert_int_equal(fault.access, HW_ACCESS_READ);
                assert_int_equal(fault.iova, BASE + 8);
        }
        for (size_t i = 0; i < sizeof(buf); i++)
                assert_int_equal(buf[i], 0xAB);
        assert_int_equal(hw_read(m, HW_WORLD_ROOT, BASE, mem, sizeof(mem), NULL), HW_OK);
        for (size_t i = 0; i < sizeof(mem); i++)
                assert_int_equal(mem[i], 0);
        /* no fault record wanted; a refusal is not a GPF */
        assert_int_equal(hw_dma(m, 1, BASE, buf, 0, HW_ACCESS_READ, NULL), HW_DMA_FAULT);
        assert_int_equal(hw_gpf_count(m), 0);
        hw_mem_destroy(m);
}

static void hw_dma_reasons_have_names(void **state)
{
        (void)state;
        assert_string_equal(hw_dma_reason_name(HW_DMA_OK), "ok");
        assert_string_equal(hw_dma_reason_name(HW_DMA_NO_TRANSLATION), "no translation");
        assert_string_equal(hw_dma_reason_name((enum hw_dma_reason)42), "unknown");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(hw_dma_refuses_every_transaction_today),
                cmocka_unit_test(hw_dma_reasons_have_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
