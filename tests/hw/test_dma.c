/* src/hw/dma.c: device DMA. A fresh SMMU has every stream ABORT, so every transaction is
 * refused: nothing is read, nothing is written, the fault says why. The SMMU itself is
 * tested in test_smmu.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "hw/dma.h"
#include "hw/smmu.h"

#define BASE 0x80000000ull
#define SIZE (4 * GRANULE_SIZE)

static void hw_dma_refuses_every_stream_of_a_fresh_smmu(void **state)
{
        struct hw_mem *m;
        struct hw_smmu *s;
        uint8_t buf[64], mem[64];
        struct hw_dma_fault fault;
        const uint16_t streams[] = { 0, 1, 0x100, UINT16_MAX };
        (void)state;
        assert_true(hw_mem_create(&m, BASE, SIZE, NULL));
        assert_true(hw_smmu_create(&s, m, NULL));
        memset(buf, 0xAB, sizeof(buf));
        for (size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
                for (unsigned t = 0; t < 2; t++) {
                        /* a device write of NS memory: refused, memory unchanged */
                        assert_int_equal(hw_dma(s, streams[i], t, BASE, buf, sizeof(buf),
                                                HW_ACCESS_WRITE, &fault),
                                         HW_DMA_FAULT);
                        assert_int_equal(fault.reason, HW_DMA_STREAM_ABORT);
                        assert_int_equal(fault.stream_id, streams[i]);
                        assert_int_equal(fault.t, t);
                        assert_int_equal(fault.iova, BASE);
                        assert_int_equal(fault.access, HW_ACCESS_WRITE);
                        assert_false(fault.translated);
                        /* a device read: refused, its buffer unchanged */
                        assert_int_equal(hw_dma(s, streams[i], t, BASE + 8, buf, sizeof(buf),
                                                HW_ACCESS_READ, &fault),
                                         HW_DMA_FAULT);
                        assert_int_equal(fault.access, HW_ACCESS_READ);
                        assert_int_equal(fault.iova, BASE + 8);
                }
        }
        for (size_t i = 0; i < sizeof(buf); i++)
                assert_int_equal(buf[i], 0xAB);
        assert_int_equal(hw_read(m, HW_WORLD_ROOT, BASE, mem, sizeof(mem), NULL), HW_OK);
        for (size_t i = 0; i < sizeof(mem); i++)
                assert_int_equal(mem[i], 0);
        /* no fault record wanted; a refusal by the SMMU is not a GPF */
        assert_int_equal(hw_dma(s, 1, false, BASE, buf, 0, HW_ACCESS_READ, NULL), HW_DMA_FAULT);
        assert_int_equal(hw_gpf_count(m), 0);
        hw_smmu_destroy(s);
        hw_mem_destroy(m);
}

static void hw_dma_reasons_have_names(void **state)
{
        (void)state;
        assert_string_equal(hw_dma_reason_name(HW_DMA_OK), "ok");
        assert_string_equal(hw_dma_reason_name(HW_DMA_BAD_REQUEST), "bad_request");
        assert_string_equal(hw_dma_reason_name(HW_DMA_STREAM_ABORT), "stream_abort");
        assert_string_equal(hw_dma_reason_name(HW_DMA_T_MISMATCH), "t_mismatch");
        assert_string_equal(hw_dma_reason_name(HW_DMA_NOT_ENABLED), "dma_disabled");
        assert_string_equal(hw_dma_reason_name(HW_DMA_S2_FAULT), "s2_fault");
        assert_string_equal(hw_dma_reason_name(HW_DMA_ADDR_FAULT), "addr_fault");
        assert_string_equal(hw_dma_reason_name(HW_DMA_GPF), "gpf");
        assert_string_equal(hw_dma_reason_name(HW_DMA_OWNER_MISMATCH), "owner_mismatch");
        assert_string_equal(hw_dma_reason_name((enum hw_dma_reason)42), "unknown");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(hw_dma_refuses_every_stream_of_a_fresh_smmu),
                cmocka_unit_test(hw_dma_reasons_have_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
