/* src/device/blk_engine.c: ccada-dev's block engine through BAR0 MMIO (T=0, the TDI
 * unlocked) with its DMA over the link, the Root Port and a BYPASS stream into Non-secure
 * memory (pdev_rig.h): every register, every descriptor refusal, round trips, faults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "device/blk_engine.h"
#include "lib/bytes.h"
#include "pdev_rig.h"

#define RING    (RIG_BASE + 0x1000)              /* page 1 */
#define BUF(i)  (RIG_BASE + (uint64_t)(4 + (i)) * GRANULE_SIZE)
#define SECTORS (1024u * 1024u / BLK_SECTOR)     /* the rig's 1 MiB */

static void put_desc(struct rig *g, unsigned i, uint8_t op, uint32_t len, uint64_t sector, uint64_t buf)
{
        uint8_t d[BLK_DESC_SIZE] = { 0 };
        d[0] = op;
        st_le32(d + 4, len);
        st_le64(d + 8, sector);
        st_le64(d + 16, buf);
        st_le32(d + 24, 0xC00C1E00u + i);
        rig_mem_write(g, RING + (uint64_t)i * BLK_DESC_SIZE, d, sizeof(d));
}

static uint32_t desc_status(struct rig *g, unsigned i)
{
        uint8_t d[BLK_DESC_SIZE];
        rig_mem_read(g, RING + (uint64_t)i * BLK_DESC_SIZE, d, sizeof(d));
        assert_int_equal(ld_le32(d + 24), 0xC00C1E00u + i); /* the cookie is untouched */
        return ld_le32(d + 28);
}

static void enable(struct rig *g, uint64_t base, uint32_t entries)
{
        rig_wr(g, BLK_REG_RING_BASE_LO, 8, false, base, PDEV_MMIO_OK);
        rig_wr(g, BLK_REG_RING_ENTRIES, 4, false, entries, PDEV_MMIO_OK);
        rig_wr(g, BLK_REG_CONTROL, 4, false, BLK_CONTROL_ENABLE, PDEV_MMIO_OK);
}

static void doorbell(struct rig *g, uint32_t tail)
{
        rig_wr(g, BLK_REG_DOORBELL, 4, false, tail, PDEV_MMIO_OK);
}

static uint32_t reg(struct rig *g, uint64_t off)
{
        return (uint32_t)rig_rd(g, off, 4, false, PDEV_MMIO_OK);
}

static void fill(uint8_t *b, size_t n, uint8_t seed)
{
        for (size_t i = 0; i < n; i++)
                b[i] = (uint8_t)(seed + i * 31 + (i >> 9));
}

static const struct blk_engine_stats *stats(struct rig *g)
{
        return blk_engine_stats(pdev_blk(g->dev));
}

/* ---- the engine alone ---- */

static bool no_dma(void *ctx, uint64_t iova, void *buf, size_t len, bool to_memory)
{
        (void)ctx, (void)iova, (void)buf, (void)len, (void)to_memory;
        return false;
}

static void blk_engine_new_takes_a_512_multiple_up_to_1_gib_and_defaults_to_64_mib(void **state)
{
        struct blk_engine *e;
        (void)state;
        struct blk_engine_config c = { .dma = no_dma };
        assert_true(blk_engine_new(&e, &c));
        assert_int_equal(blk_engine_capacity_sectors(e), BLK_DEFAULT_BYTES / BLK_SECTOR);
        blk_engine_free(e);
        c.capacity_bytes = BLK_MAX_BYTES;
        assert_true(blk_engine_new(&e, &c));
        blk_engine_free(e);
        c.capacity_bytes = BLK_MAX_BYTES + BLK_SECTOR;
        assert_false(blk_engine_new(&e, &c));
        assert_null(e);
        c.capacity_bytes = 1000;
        assert_false(blk_engine_new(&e, &c));
        c = (struct blk_engine_config){ .capacity_bytes = 4096 };
        assert_false(blk_engine_new(&e, &c)); /* no DMA path */
}

/* ---- registers ---- */

static void blk_identity_registers_read_as_documented_and_ignore_writes(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g, true);
        assert_int_equal(reg(&g, BLK_REG_ID), BLK_ID);
        assert_int_equal(reg(&g, BLK_REG_VERSION), BLK_VERSION);
        assert_int_equal(reg(&g, BLK_REG_CAPACITY_LO), SECTORS);
        assert_int_equal(reg(&g, BLK_REG_CAPACITY_HI), 0);
        assert_int_equal(rig_rd(&g, BLK_REG_CAPACITY_LO, 8, false, PDEV_MMIO_OK), SECTORS);
        for (uint64_t off = BLK_REG_ID; off <= BLK_REG_CAPACITY_HI; off += 4)
                rig_wr(&g, off, 4, false, 0x12345678u, PDEV_MMIO_OK);
        rig_wr(&g, BLK_REG_COMPLETION, 4, false, 7, PDEV_MMIO_OK);
        rig_wr(&g, BLK_REG_STATUS, 4, false, 3, PDEV_MMIO_OK);
        rig_wr(&g, BLK_REG_ERROR, 4, false, 3, PDEV_MMIO_OK);
        assert_int_equal(reg(&g, BLK_REG_ID), BLK_ID);
        assert_int_equal(reg(&g, BLK_REG_CAPACITY_LO), SECTORS);
        assert_int_equal(reg(&g, BLK_REG_COMPLETION), 0);
        assert_int_equal(reg(&g, BLK_REG_STATUS), 0);
        assert_int_equal(reg(&g, BLK_REG_ERROR), 0);
        assert_int_equal(reg(&g, BLK_REG_DOORBELL), 0);
        rig_down(&g);
}

static void blk_other_offsets_and_sizes_are_bad_accesses(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g, true);
        assert_int_equal(rig_rd(&g, BLK_REGS_END, 4, false, PDEV_MMIO_BAD_ACCESS), 0xFFFFFFFFu);
        rig_rd(&g, 0x02, 4, false, PDEV_MMIO_BAD_ACCESS);
        rig_rd(&g, BLK_REG_ID, 2, false, PDEV_MMIO_BAD_ACCESS);
        rig_rd(&g, BLK_REG_ID, 1, false, PDEV_MMIO_BAD_ACCESS);
        rig_rd(&g, BLK_REG_RING_ENTRIES, 8, false, PDEV_MMIO_BAD_ACCESS);
        rig_wr(&g, BLK_REG_RING_ENTRIES, 8, false, 0x0000000100000004ull, PDEV_MMIO_BAD_ACCESS);
        rig_wr(&g, BLK_REG_RING_ENTRIES + 1, 4, false, 4, PDEV_MMIO_BAD_ACCESS);
        rig_wr(&g, 0x3FFC, 4, false, 4, PDEV_MMIO_BAD_ACCESS);
        assert_int_equal(reg(&g, BLK_REG_RING_ENTRIES), 0);
        rig_down(&g);
}

static void blk_ring_registers_read_back_and_latch_while_enabled(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g, true);
        rig_wr(&g, BLK_REG_RING_BASE_LO, 4, false, 0x00001040u, PDEV_MMIO_OK);
        rig_wr(&g, BLK_REG_RING_BASE_HI, 4, false, 0x00000002u, PDEV_MMIO_OK);
        assert_int_equal(rig_rd(&g, BLK_REG_RING_BASE_LO, 8, false, PDEV_MMIO_OK), 0x200001040ull);
        enable(&g, RING, 4);
        assert_int_equal(reg(&g, BLK_REG_STATUS), BLK_STATUS_ENABLED);
        assert_int_equal(reg(&g, BLK_REG_CONTROL), BLK_CONTROL_ENABLE);
        rig_wr(&g, BLK_REG_RING_BASE_LO, 8, false, RING + 0x100, PDEV_MMIO_OK);
        rig_wr(&g, BLK_REG_RING_ENTRIES, 4, false, 8, PDEV_MMIO_OK);
        assert_int_equal(rig_rd(&g, BLK_REG_RING_BASE_LO, 8, false, PDEV_MMIO_OK), RING);
        assert_int_equal(reg(&g, BLK_REG_RING_ENTRIES), 4);
        /* disable, then the registers take writes again */
        rig_wr(&g, BLK_REG_CONTROL, 4, false, 0, PDEV_MMIO_OK);
        assert_int_equal(reg(&g, BLK_REG_STATUS), 0);
        rig_wr(&g, BLK_REG_RING_ENTRIES, 4, false, 8, PDEV_MMIO_OK);
        assert_int_equal(reg(&g, BLK_REG_RING_ENTRIES), 8);
        rig_down(&g);
}

static void blk_enable_with_a_bad_ring_breaks_until_reset(void **state)
{
        struct { uint64_t base; uint32_t entries; } bad[] = {
                { RING + 16, 4 }, { RING, 0 }, { RING, 3 }, { RING, 2048 }, { UINT64_MAX - 31, 2 },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct rig g;
                rig_up(&g, true);
                enable(&g, bad[i].base, bad[i].entries);
                if (reg(&g, BLK_REG_STATUS) != BLK_STATUS_BROKEN)
                        fail_msg("ring %zu was taken", i);
                assert_int_equal(reg(&g, BLK_REG_ERROR), BLK_ERR_BAD_RING);
                /* sticky: a good ring does not enable a broken engine */
                enable(&g, RING, 4);
                assert_int_equal(reg(&g, BLK_REG_STATUS), BLK_STATUS_BROKEN);
                rig_wr(&g, BLK_REG_CONTROL, 4, false, BLK_CONTROL_RESET, PDEV_MMIO_OK);
                assert_int_equal(reg(&g, BLK_REG_STATUS), 0);
                assert_int_equal(reg(&g, BLK_REG_ERROR), 0);
                assert_int_equal(rig_rd(&g, BLK_REG_RING_BASE_LO, 8, false, PDEV_MMIO_OK), 0);
                enable(&g, RING, 4);
                assert_int_equal(reg(&g, BLK_REG_STATUS), BLK_STATUS_ENABLED);
                rig_down(&g);
        }
}

/* ---- the ring ---- */

static void blk_write_then_read_round_trips_through_the_bypass_stream(void **state)
{
        struct rig g;
        static uint8_t out[4608], back[4608];
        (void)state;
        rig_up(&g, true);
        fill(out, sizeof(out), 3);
        rig_mem_write(&g, BUF(0) + 0x100, out, sizeof(out)); /* crosses a page */
        enable(&g, RING, 4);
        put_desc(&g, 0, BLK_OP_WRITE, sizeof(out), 10, BUF(0) + 0x100);
        put_desc(&g, 1, BLK_OP_FLUSH, 0, 0, 0);
        put_desc(&g, 2, BLK_OP_READ, sizeof(out), 10, BUF(4) + 0x20);
        doorbell(&g, 3);
        assert_int_equal(reg(&g, BLK_REG_COMPLETION), 3);
        for (unsigned i = 0; i < 3; i++)
                assert_int_equal(desc_status(&g, i), BLK_DESC_OK);
        rig_mem_read(&g, BUF(4) + 0x20, back, sizeof(back));
        assert_memory_equal(back, out, sizeof(out));
        assert_int_equal(stats(&g)->descriptors, 3);
        assert_int_equal(stats(&g)->ok, 3);
        assert_int_equal(stats(&g)->bytes_written, sizeof(out));
        assert_int_equal(stats(&g)->bytes_read, sizeof(out));
        assert_int_equal(stats(&g)->flushes, 1);
        assert_int_equal(stats(&g)->dma_faults, 0);
        assert_int_equal(stats(&g)->chunks, 1);
        /* the device's own view of its storage: what was written, zeros around it, nothing
         * past the capacity */
        memset(back, 0xEE, sizeof(back));
        assert_true(blk_engine_storage_read(pdev_blk(g.dev), 10 * 512, back, sizeof(back)));
        assert_memory_equal(back, out, sizeof(out));
        assert_true(blk_engine_storage_read(pdev_blk(g.dev), 0, back, 16));
        assert_int_equal(back[0] | back[15], 0);
        uint64_t end = blk_engine_capacity_sectors(pdev_blk(g.dev)) * 512;
        assert_true(blk_engine_storage_read(pdev_blk(g.dev), end - 16, back, 16));
        assert_false(blk_engine_storage_read(pdev_blk(g.dev), end - 15, back, 16));
        assert_false(blk_engine_storage_read(pdev_blk(g.dev), UINT64_MAX, back, 1));
        /* every byte crossed the root port */
        assert_true(hw_root_port_stats(g.rp)->bytes_written >= sizeof(out));
        assert_true(hw_root_port_stats(g.rp)->bytes_read >= sizeof(out));
        rig_down(&g);
}

static void blk_indices_wrap_the_ring_across_doorbells(void **state)
{
        struct rig g;
        uint8_t out[512], back[512];
        (void)state;
        rig_up(&g, true);
        enable(&g, RING, 2);
        for (uint32_t n = 0; n < 5; n++) {
                fill(out, sizeof(out), (uint8_t)n);
                rig_mem_write(&g, BUF(0), out, sizeof(out));
                put_desc(&g, n % 2, BLK_OP_WRITE, sizeof(out), n, BUF(0));
                doorbell(&g, n + 1);
                assert_int_equal(desc_status(&g, n % 2), BLK_DESC_OK);
                assert_int_equal(reg(&g, BLK_REG_COMPLETION), n + 1);
        }
        for (uint32_t n = 0; n < 5; n++) {
                put_desc(&g, (5 + n) % 2, BLK_OP_READ, sizeof(back), n, BUF(1));
                doorbell(&g, 6 + n);
                fill(out, sizeof(out), (uint8_t)n);
                rig_mem_read(&g, BUF(1), back, sizeof(back));
                assert_memory_equal(back, out, sizeof(out));
        }
        /* a doorbell that repeats the index does nothing */
        doorbell(&g, 10);
        assert_int_equal(stats(&g)->descriptors, 10);
        rig_down(&g);
}

static void blk_hostile_descriptors_end_with_their_status_and_change_nothing(void **state)
{
        struct { uint8_t op, r8; uint16_t r16; uint32_t len; uint64_t sector, buf; uint32_t want; } bad[] = {
                { 0, 0, 0, 512, 0, BUF(0), BLK_DESC_BAD_OPCODE },
                { 4, 0, 0, 512, 0, BUF(0), BLK_DESC_BAD_OPCODE },
                { BLK_OP_WRITE, 1, 0, 512, 0, BUF(0), BLK_DESC_BAD_RESERVED },
                { BLK_OP_WRITE, 0, 0x100, 512, 0, BUF(0), BLK_DESC_BAD_RESERVED },
                { BLK_OP_FLUSH, 0, 0, 512, 0, 0, BLK_DESC_BAD_RESERVED },
                { BLK_OP_FLUSH, 0, 0, 0, 1, 0, BLK_DESC_BAD_RESERVED },
                { BLK_OP_FLUSH, 0, 0, 0, 0, BUF(0), BLK_DESC_BAD_RESERVED },
                { BLK_OP_WRITE, 0, 0, 0, 0, BUF(0), BLK_DESC_BAD_LENGTH },
                { BLK_OP_WRITE, 0, 0, 100, 0, BUF(0), BLK_DESC_BAD_LENGTH },
                { BLK_OP_READ, 0, 0, BLK_MAX_XFER + 512, 0, BUF(0), BLK_DESC_BAD_LENGTH },
                { BLK_OP_WRITE, 0, 0, 512, SECTORS, BUF(0), BLK_DESC_BAD_RANGE },
                { BLK_OP_WRITE, 0, 0, 1024, SECTORS - 1, BUF(0), BLK_DESC_BAD_RANGE },
                { BLK_OP_READ, 0, 0, 512, UINT64_MAX / 512 + 1, BUF(0), BLK_DESC_BAD_RANGE },
                { BLK_OP_READ, 0, 0, 512, UINT64_MAX, BUF(0), BLK_DESC_BAD_RANGE },
                { BLK_OP_WRITE, 0, 0, 512, 0, BUF(0) + 2, BLK_DESC_BAD_BUFFER },
                { BLK_OP_READ, 0, 0, 512, 0, UINT64_MAX - 255, BLK_DESC_BAD_BUFFER },
        };
        struct rig g;
        uint8_t pattern[512], back[512], zero[512] = { 0 };
        (void)state;
        rig_up(&g, true);
        fill(pattern, sizeof(pattern), 0x5A);
        rig_mem_write(&g, BUF(0), pattern, sizeof(pattern));
        enable(&g, RING, 16);
        for (unsigned i = 0; i < 16; i++) {
                uint8_t d[BLK_DESC_SIZE] = { 0 };
                d[0] = bad[i].op;
                d[1] = bad[i].r8;
                st_le16(d + 2, bad[i].r16);
                st_le32(d + 4, bad[i].len);
                st_le64(d + 8, bad[i].sector);
                st_le64(d + 16, bad[i].buf);
                st_le32(d + 24, 0xC00C1E00u + i);
                rig_mem_write(&g, RING + (uint64_t)i * BLK_DESC_SIZE, d, sizeof(d));
        }
        uint64_t rp_bytes = hw_root_port_stats(g.rp)->bytes_written;
        doorbell(&g, 16);
        assert_int_equal(reg(&g, BLK_REG_COMPLETION), 16);
        for (unsigned i = 0; i < 16; i++)
                if (desc_status(&g, i) != bad[i].want)
                        fail_msg("descriptor %u: %s, wanted %s", i,
                                 blk_desc_status_name((enum blk_desc_status)desc_status(&g, i)),
                                 blk_desc_status_name((enum blk_desc_status)bad[i].want));
        assert_int_equal(stats(&g)->refused, 16);
        assert_int_equal(stats(&g)->ok, 0);
        assert_int_equal(stats(&g)->chunks, 0);
        assert_int_equal(stats(&g)->bytes_read + stats(&g)->bytes_written, 0);
        /* only the 16 status DWs were written to memory; the buffer is as it was */
        assert_int_equal(hw_root_port_stats(g.rp)->bytes_written - rp_bytes, 16 * 4);
        rig_mem_read(&g, BUF(0), back, sizeof(back));
        assert_memory_equal(back, pattern, sizeof(back));
        /* and storage is still all zeros */
        put_desc(&g, 0, BLK_OP_READ, 512, 0, BUF(1));
        doorbell(&g, 17);
        rig_mem_read(&g, BUF(1), back, sizeof(back));
        assert_memory_equal(back, zero, sizeof(back));
        rig_down(&g);
}

static void blk_dma_fault_mid_ring_ends_that_descriptor_only(void **state)
{
        struct rig g;
        uint8_t out[1024], back[1024], zero[1024] = { 0 };
        (void)state;
        rig_up(&g, true);
        fill(out, sizeof(out), 0x21);
        rig_mem_write(&g, BUF(0), out, sizeof(out));
        rig_realm_page(&g, 20); /* delegated: the BYPASS stream may not touch it */
        enable(&g, RING, 8);
        put_desc(&g, 0, BLK_OP_WRITE, 1024, 0, BUF(0));
        put_desc(&g, 1, BLK_OP_WRITE, 1024, 8, RIG_BASE + RIG_SIZE);   /* no memory there: UR */
        put_desc(&g, 2, BLK_OP_WRITE, 1024, 16, BUF(16) - 512);         /* second half Realm: CA */
        put_desc(&g, 3, BLK_OP_READ, 1024, 0, BUF(16) - 512);           /* posted writes refused */
        put_desc(&g, 4, BLK_OP_READ, 1024, 0, BUF(2));
        doorbell(&g, 5);
        assert_int_equal(reg(&g, BLK_REG_COMPLETION), 5);
        assert_int_equal(reg(&g, BLK_REG_STATUS), BLK_STATUS_ENABLED);
        assert_int_equal(desc_status(&g, 0), BLK_DESC_OK);
        assert_int_equal(desc_status(&g, 1), BLK_DESC_DMA_FAULT);
        assert_int_equal(desc_status(&g, 2), BLK_DESC_DMA_FAULT);
        assert_int_equal(desc_status(&g, 3), BLK_DESC_DMA_FAULT);
        assert_int_equal(desc_status(&g, 4), BLK_DESC_OK);
        rig_mem_read(&g, BUF(2), back, sizeof(back));
        assert_memory_equal(back, out, sizeof(out));
        assert_int_equal(stats(&g)->dma_faults, 3);
        assert_int_equal(stats(&g)->ok, 2);
        assert_int_equal(stats(&g)->bytes_written, 1024);
        assert_int_equal(stats(&g)->bytes_read, 1024);
        /* the refused WRITEs changed no sector: their sectors still read zero */
        put_desc(&g, 5, BLK_OP_READ, 1024, 8, BUF(3));
        put_desc(&g, 6, BLK_OP_READ, 1024, 16, BUF(5));
        doorbell(&g, 7);
        rig_mem_read(&g, BUF(3), back, sizeof(back));
        assert_memory_equal(back, zero, sizeof(back));
        rig_mem_read(&g, BUF(5), back, sizeof(back));
        assert_memory_equal(back, zero, sizeof(back));
        assert_true(hw_root_port_stats(g.rp)->smmu_faults >= 3);
        rig_down(&g);
}

static void blk_doorbell_beyond_the_ring_breaks_and_one_while_disabled_does_nothing(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g, true);
        put_desc(&g, 0, BLK_OP_FLUSH, 0, 0, 0);
        doorbell(&g, 1); /* not enabled */
        assert_int_equal(reg(&g, BLK_REG_COMPLETION), 0);
        assert_int_equal(desc_status(&g, 0), BLK_DESC_PENDING);
        enable(&g, RING, 4);
        doorbell(&g, 5);
        assert_int_equal(reg(&g, BLK_REG_STATUS), BLK_STATUS_ENABLED | BLK_STATUS_BROKEN);
        assert_int_equal(reg(&g, BLK_REG_ERROR), BLK_ERR_BAD_DOORBELL);
        assert_int_equal(reg(&g, BLK_REG_COMPLETION), 0);
        doorbell(&g, 1); /* broken stays broken */
        assert_int_equal(reg(&g, BLK_REG_COMPLETION), 0);
        assert_int_equal(stats(&g)->descriptors, 0);
        rig_down(&g);
}

static void blk_descriptor_fetch_fault_breaks_the_ring(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g, true);
        enable(&g, RIG_BASE + RIG_SIZE - BLK_DESC_SIZE, 2); /* the second entry is past memory */
        put_desc(&g, (unsigned)((RIG_SIZE - 0x1000 - BLK_DESC_SIZE) / BLK_DESC_SIZE), BLK_OP_FLUSH, 0, 0, 0);
        doorbell(&g, 2);
        assert_int_equal(reg(&g, BLK_REG_COMPLETION), 1);
        assert_int_equal(reg(&g, BLK_REG_ERROR), BLK_ERR_RING_FAULT);
        assert_int_equal(stats(&g)->dma_faults, 1);
        assert_int_equal(stats(&g)->descriptors, 1);
        rig_down(&g);
}

static void blk_without_a_link_cannot_fetch_a_descriptor(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g, false);
        enable(&g, RING, 4);
        doorbell(&g, 1);
        assert_int_equal(reg(&g, BLK_REG_ERROR), BLK_ERR_RING_FAULT);
        assert_int_equal(pdev_dma_stats(g.dev)->failures, 1);
        rig_down(&g);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(blk_engine_new_takes_a_512_multiple_up_to_1_gib_and_defaults_to_64_mib),
                cmocka_unit_test(blk_identity_registers_read_as_documented_and_ignore_writes),
                cmocka_unit_test(blk_other_offsets_and_sizes_are_bad_accesses),
                cmocka_unit_test(blk_ring_registers_read_back_and_latch_while_enabled),
                cmocka_unit_test(blk_enable_with_a_bad_ring_breaks_until_reset),
                cmocka_unit_test(blk_write_then_read_round_trips_through_the_bypass_stream),
                cmocka_unit_test(blk_indices_wrap_the_ring_across_doorbells),
                cmocka_unit_test(blk_hostile_descriptors_end_with_their_status_and_change_nothing),
                cmocka_unit_test(blk_dma_fault_mid_ring_ends_that_descriptor_only),
                cmocka_unit_test(blk_doorbell_beyond_the_ring_breaks_and_one_while_disabled_does_nothing),
                cmocka_unit_test(blk_descriptor_fetch_fault_breaks_the_ring),
                cmocka_unit_test(blk_without_a_link_cannot_fetch_a_descriptor),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
