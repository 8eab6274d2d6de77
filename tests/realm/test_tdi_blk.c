/* The Realm's driver for an accepted ccada-dev block function (realm/tdi_blk.h), over the fake
 * kernel: its protected MMIO reaches the real block engine (device/blk_engine.h), whose DMA
 * reaches the Realm's private pages as an accepted TDI's does (fake_tdi_dma). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "device/blk_engine.h"
#include "fake_pci_kernel.h"
#include "realm/dma.h"
#include "realm/tdi_blk.h"

#define BAR 0x10000000ull

struct rig {
        struct realm_kernel *k;
        struct blk_engine *e;
        struct dma_dev dev;
        bool lie_completion;    /* COMPLETION reads one less than the truth */
        uint32_t id;            /* what ID reads (0: the engine's) */
        unsigned protected_calls;
};

static bool dma_fn(void *ctx, uint64_t iova, void *buf, size_t len, bool to_memory)
{
        struct rig *r = ctx;
        return fake_tdi_dma(r->k, iova, buf, len, to_memory) == CCADA_OK;
}

static ccada_status mmio_read(void *ctx, uint64_t ipa, unsigned size, uint64_t *val)
{
        struct rig *r = ctx;
        r->protected_calls++;
        if (ipa < BAR || ipa >= BAR + 0x4000)
                return CCADA_E_SEA;
        if (!blk_engine_mmio_read(r->e, ipa - BAR, size, val))
                return CCADA_E_SEA;
        if (ipa - BAR == BLK_REG_ID && r->id)
                *val = r->id;
        if (ipa - BAR == BLK_REG_COMPLETION && r->lie_completion)
                *val = (uint32_t)(*val - 1);
        return CCADA_OK;
}

static ccada_status mmio_write(void *ctx, uint64_t ipa, unsigned size, uint64_t val)
{
        struct rig *r = ctx;
        r->protected_calls++;
        if (ipa < BAR || ipa >= BAR + 0x4000 || !blk_engine_mmio_write(r->e, ipa - BAR, size, val))
                return CCADA_E_SEA;
        return CCADA_OK;
}

static int setup(void **state)
{
        struct rig *r = calloc(1, sizeof(*r));
        assert_non_null(r);
        r->k = fake_kernel_new(true);
        struct blk_engine_config c = { .capacity_bytes = 8u << 20, .dma = dma_fn, .dma_ctx = r };
        assert_true(blk_engine_new(&r->e, &c));
        struct fake_mmio m = { .read = mmio_read, .write = mmio_write, .ctx = r };
        fake_kernel_set_mmio_protected(r->k, &m);
        dma_dev_init(&r->dev, r->k, "0000:00:03.0", "tdi-blk", NULL);
        r->dev.force_bounce = false; /* accepted: its DMA reaches private pages */
        *state = r;
        return 0;
}

static int teardown(void **state)
{
        struct rig *r = *state;
        blk_engine_free(r->e);
        fake_kernel_free(r->k);
        free(r);
        return 0;
}

static uint64_t pages(struct rig *r, size_t n)
{
        uint64_t ipa;
        assert_int_equal(rk_alloc_pages(r->k, n, &ipa), CCADA_OK);
        return ipa;
}

static void tdi_blk_probe_enables_the_engine_with_its_ring_in_private_memory(void **state)
{
        struct rig *r = *state;
        struct tdi_blk *b;
        size_t before = fake_kernel_free_pages(r->k);
        assert_int_equal(tdi_blk_probe(r->k, BAR, 0x4000, &r->dev, &b), CCADA_OK);
        assert_int_equal(tdi_blk_capacity(b), (8u << 20) / 512);
        uint64_t status;
        assert_true(blk_engine_mmio_read(r->e, BLK_REG_STATUS, 4, &status));
        assert_int_equal(status, BLK_STATUS_ENABLED);
        assert_int_equal(fake_kernel_decrypted_pages(r->k), 0);
        assert_int_equal(fake_kernel_free_pages(r->k), before - 1);
        assert_int_equal(fake_kernel_mmio_alias_calls(r->k), 0);
        tdi_blk_remove(b);
        assert_int_equal(fake_kernel_free_pages(r->k), before);
        assert_true(blk_engine_mmio_read(r->e, BLK_REG_STATUS, 4, &status));
        assert_int_equal(status, 0); /* reset on remove: the device no longer uses the ring */
}

static void tdi_blk_write_then_read_moves_the_data_by_dma_into_private_pages(void **state)
{
        struct rig *r = *state;
        struct tdi_blk *b;
        const size_t len = 3u << 20; /* four descriptors, the last short */
        uint64_t wbuf = pages(r, len / 4096), rbuf = pages(r, len / 4096);
        uint8_t *pat = malloc(len), *got = malloc(len);
        assert_non_null(pat);
        assert_non_null(got);
        for (size_t i = 0; i < len; i++)
                pat[i] = (uint8_t)(i * 7 + 3);
        assert_int_equal(rk_write(r->k, wbuf, pat, len), CCADA_OK);
        assert_int_equal(tdi_blk_probe(r->k, BAR, 0x4000, &r->dev, &b), CCADA_OK);
        assert_int_equal(tdi_blk_rw(b, true, 8, wbuf, len), CCADA_OK);
        assert_int_equal(tdi_blk_flush(b), CCADA_OK);
        assert_int_equal(blk_engine_stats(r->e)->flushes, 1);
        assert_int_equal(tdi_blk_rw(b, false, 8, rbuf, len), CCADA_OK);
        assert_int_equal(rk_read(r->k, rbuf, got, len), CCADA_OK);
        assert_memory_equal(got, pat, len);
        const struct tdi_blk_stats *s = tdi_blk_stats(b);
        assert_int_equal(s->requests, 2);
        assert_int_equal(s->doorbells, 3);
        assert_int_equal(s->descriptors, 7);
        assert_int_equal(s->flushes, 1);
        assert_int_equal(s->bytes_written, len);
        assert_int_equal(s->bytes_read, len);
        assert_int_equal(blk_engine_stats(r->e)->bytes_written, len);
        assert_int_equal(fake_kernel_decrypted_pages(r->k), 0); /* nothing was shared, nothing bounced */
        tdi_blk_remove(b);
        free(pat);
        free(got);
}

static void tdi_blk_probe_refuses_a_device_that_is_not_the_block_function(void **state)
{
        struct rig *r = *state;
        struct tdi_blk *b = (struct tdi_blk *)1;
        size_t before = fake_kernel_free_pages(r->k);
        r->id = 0x12345678;
        assert_int_equal(tdi_blk_probe(r->k, BAR, 0x4000, &r->dev, &b), CCADA_E_PEER);
        assert_null(b);
        assert_int_equal(fake_kernel_free_pages(r->k), before);
}

static void tdi_blk_probe_faults_when_the_bar_is_not_mapped_protected(void **state)
{
        struct rig *r = *state;
        struct tdi_blk *b;
        fake_kernel_set_mmio_protected(r->k, NULL); /* no RIPAS DEV mapping: every access aborts */
        assert_int_equal(tdi_blk_probe(r->k, BAR, 0x4000, &r->dev, &b), CCADA_E_SEA);
        assert_int_equal(tdi_blk_probe(r->k, BAR + 1, 0x4000, &r->dev, &b), CCADA_E_INVAL);
        assert_int_equal(tdi_blk_probe(r->k, BAR, 16, &r->dev, &b), CCADA_E_INVAL);
}

static void tdi_blk_rw_refuses_bad_lengths_and_ranges_without_ringing(void **state)
{
        struct rig *r = *state;
        struct tdi_blk *b;
        uint64_t buf = pages(r, 1);
        assert_int_equal(tdi_blk_probe(r->k, BAR, 0x4000, &r->dev, &b), CCADA_OK);
        uint64_t cap = tdi_blk_capacity(b);
        assert_int_equal(tdi_blk_rw(b, true, 0, buf, 0), CCADA_E_INVAL);
        assert_int_equal(tdi_blk_rw(b, true, 0, buf, 100), CCADA_E_INVAL);
        assert_int_equal(tdi_blk_rw(b, false, cap, buf, 512), CCADA_E_INVAL);
        assert_int_equal(tdi_blk_rw(b, false, cap + 5, buf, 512), CCADA_E_INVAL);
        assert_int_equal(tdi_blk_rw(b, false, cap - 1, buf, 512), CCADA_OK); /* the last sector */
        assert_int_equal(tdi_blk_stats(b)->doorbells, 1);
        assert_int_equal(tdi_blk_stats(b)->errors, 4);
        tdi_blk_remove(b);
}

static void tdi_blk_rw_reports_an_io_error_when_the_device_cannot_reach_the_buffer(void **state)
{
        struct rig *r = *state;
        struct tdi_blk *b;
        uint64_t buf = pages(r, 1);
        assert_int_equal(rk_set_memory_decrypted(r->k, buf, 1), CCADA_OK); /* shared: not for the TDI */
        assert_int_equal(tdi_blk_probe(r->k, BAR, 0x4000, &r->dev, &b), CCADA_OK);
        assert_int_equal(tdi_blk_rw(b, false, 0, buf, 4096), CCADA_E_IO);
        assert_int_equal(blk_engine_stats(r->e)->dma_faults, 1);
        assert_int_equal(tdi_blk_stats(b)->bytes_read, 0);
        /* the engine is still fine: a private buffer works */
        assert_int_equal(tdi_blk_rw(b, false, 0, pages(r, 1), 4096), CCADA_OK);
        tdi_blk_remove(b);
        assert_int_equal(rk_set_memory_encrypted(r->k, buf, 1), CCADA_OK);
}

static void tdi_blk_rw_treats_a_completion_that_does_not_add_up_as_a_hostile_device(void **state)
{
        struct rig *r = *state;
        struct tdi_blk *b;
        assert_int_equal(tdi_blk_probe(r->k, BAR, 0x4000, &r->dev, &b), CCADA_OK);
        r->lie_completion = true;
        assert_int_equal(tdi_blk_rw(b, true, 0, pages(r, 1), 4096), CCADA_E_PEER);
        r->lie_completion = false;
        tdi_blk_remove(b);
}

static void tdi_blk_rw_reports_a_broken_engine_as_a_hostile_device(void **state)
{
        struct rig *r = *state;
        struct tdi_blk *b;
        uint64_t buf = pages(r, 1);
        assert_int_equal(tdi_blk_probe(r->k, BAR, 0x4000, &r->dev, &b), CCADA_OK);
        /* the device breaks (a doorbell far beyond its ring): BROKEN is sticky until RESET */
        assert_true(blk_engine_mmio_write(r->e, BLK_REG_DOORBELL, 4, 100000));
        assert_int_equal(tdi_blk_rw(b, true, 0, buf, 4096), CCADA_E_PEER);
        assert_int_equal(blk_engine_stats(r->e)->bytes_written, 0);
        assert_int_equal(tdi_blk_stats(b)->errors, 1);
        tdi_blk_remove(b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(tdi_blk_probe_enables_the_engine_with_its_ring_in_private_memory, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(tdi_blk_write_then_read_moves_the_data_by_dma_into_private_pages, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(tdi_blk_probe_refuses_a_device_that_is_not_the_block_function, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(tdi_blk_probe_faults_when_the_bar_is_not_mapped_protected, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(tdi_blk_rw_refuses_bad_lengths_and_ranges_without_ringing, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(tdi_blk_rw_reports_an_io_error_when_the_device_cannot_reach_the_buffer,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(tdi_blk_rw_treats_a_completion_that_does_not_add_up_as_a_hostile_device,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(tdi_blk_rw_reports_a_broken_engine_as_a_hostile_device,
                                                setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
