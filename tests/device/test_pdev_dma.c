/* src/device/pdev.c, its DMA path and MMIO rules: ccada-dev's memory TLPs over the link,
 * through the Root Port into the SMMU (pdev_rig.h), split at PDEV_MPS and 4 KiB, T=1 only in
 * RUN, reads completed by tag; BAR0 MMIO under TDISP §11.2.1's completer rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "pdev_rig.h"

static void fill(uint8_t *b, size_t n, uint8_t seed)
{
        for (size_t i = 0; i < n; i++)
                b[i] = (uint8_t)(seed + i * 13);
}

static void pdev_dma_without_a_link_is_no_link(void **state)
{
        struct rig g;
        uint8_t b[16] = { 0 };
        (void)state;
        rig_up(&g, false);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, sizeof(b), true), PDEV_DMA_NO_LINK);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, sizeof(b), false), PDEV_DMA_NO_LINK);
        pdev_attach_link(g.dev, g.l);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, sizeof(b), true), PDEV_DMA_OK);
        pdev_attach_link(g.dev, NULL);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, sizeof(b), true), PDEV_DMA_NO_LINK);
        assert_int_equal(pdev_dma_stats(g.dev)->failures, 3);
        rig_down(&g);
}

static void pdev_dma_refuses_without_bus_master_and_unaligned_or_wrapping_requests(void **state)
{
        struct rig g;
        uint8_t b[16] = { 0 };
        (void)state;
        rig_up(&g, true);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE + 2, b, 8, true), PDEV_DMA_BAD_REQUEST);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, 6, true), PDEV_DMA_BAD_REQUEST);
        assert_int_equal(pdev_dma(g.dev, UINT64_MAX - 7, b, 16, false), PDEV_DMA_BAD_REQUEST);
        hw_pcie_cfg_write(&g.pcie, RIG_BDF, 0x04, 2, 0x0002); /* memory space only */
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, 8, true), PDEV_DMA_NO_BUS_MASTER);
        assert_int_equal(g.tap.seen, 0);
        assert_int_equal(hw_root_port_stats(g.rp)->tlps_in, 0);
        rig_down(&g);
}

static void pdev_dma_splits_at_the_mps_and_never_crosses_4k(void **state)
{
        struct rig g;
        uint8_t out[1000], back[1000];
        (void)state;
        rig_up(&g, true);
        fill(out, sizeof(out), 1);
        /* 0x1F00..0x22E8: 256 up to the page end, then 256, 256, 232 */
        assert_int_equal(pdev_dma(g.dev, RIG_BASE + 0x1F00, out, sizeof(out), true), PDEV_DMA_OK);
        assert_int_equal(hw_root_port_stats(g.rp)->mwr, 4);
        assert_int_equal(g.tap.max_payload, PDEV_MPS);
        rig_mem_read(&g, RIG_BASE + 0x1F00, back, sizeof(back));
        assert_memory_equal(back, out, sizeof(out));
        /* 0x2FF0: 16 bytes to the page end, then 256 ... */
        memset(back, 0, sizeof(back));
        assert_int_equal(pdev_dma(g.dev, RIG_BASE + 0x2FF0, back, 600, false), PDEV_DMA_OK);
        assert_int_equal(hw_root_port_stats(g.rp)->mrd, 4); /* 16, 256, 256, 72 */
        assert_int_equal(pdev_dma_stats(g.dev)->bytes_from_memory, 600);
        assert_int_equal(pdev_dma_stats(g.dev)->bytes_to_memory, 1000);
        rig_down(&g);
}

static void pdev_dma_read_returns_the_completions_data(void **state)
{
        struct rig g;
        uint8_t in[512], back[512] = { 0 };
        (void)state;
        rig_up(&g, true);
        fill(in, sizeof(in), 7);
        rig_mem_write(&g, RIG_BASE + 0x5000, in, sizeof(in));
        assert_int_equal(pdev_dma(g.dev, RIG_BASE + 0x5000, back, sizeof(back), false), PDEV_DMA_OK);
        assert_memory_equal(back, in, sizeof(in));
        assert_int_equal(pdev_dma_stats(g.dev)->mrd, 2);
        assert_int_equal(hw_root_port_stats(g.rp)->tlps_out, 2);
        rig_down(&g);
}

static void pdev_dma_read_the_smmu_refuses_is_ur_or_ca(void **state)
{
        struct rig g;
        uint8_t b[64] = { 0 };
        (void)state;
        rig_up(&g, true);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE + RIG_SIZE, b, sizeof(b), false), PDEV_DMA_UR);
        rig_realm_page(&g, 3);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE + 3 * GRANULE_SIZE, b, sizeof(b), false), PDEV_DMA_CA);
        assert_int_equal(pdev_dma_stats(g.dev)->ur, 1);
        assert_int_equal(pdev_dma_stats(g.dev)->ca, 1);
        assert_int_equal(hw_root_port_stats(g.rp)->smmu_faults, 2);
        /* a posted write the SMMU refuses is invisible to the device */
        assert_int_equal(pdev_dma(g.dev, RIG_BASE + 3 * GRANULE_SIZE, b, sizeof(b), true), PDEV_DMA_OK);
        assert_int_equal(hw_root_port_stats(g.rp)->smmu_faults, 3);
        rig_down(&g);
}

static void pdev_dma_lost_completion_times_out_and_the_next_read_takes_another_tag(void **state)
{
        struct rig g;
        uint8_t b[8];
        (void)state;
        rig_up(&g, true);
        g.tap.drop_rp = 1;
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, sizeof(b), false), PDEV_DMA_TIMEOUT);
        assert_int_equal(pdev_dma_stats(g.dev)->timeouts, 1);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, sizeof(b), false), PDEV_DMA_OK);
        /* 255 more reads: the tag of the lost one is skipped when its turn comes again */
        for (unsigned i = 0; i < 255; i++)
                assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, sizeof(b), false), PDEV_DMA_OK);
        assert_int_equal(pdev_dma_stats(g.dev)->mrd, 257);
        rig_down(&g);
}

static void pdev_dma_runs_with_t0_unlocked_is_refused_locked_and_t1_in_run(void **state)
{
        struct rig g;
        uint8_t out[64], back[64];
        (void)state;
        rig_up(&g, true);
        fill(out, sizeof(out), 0x40);
        rig_session_and_keys(&g);
        /* unlocked on a Secure stream: T=0, sealed, through the BYPASS stream */
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, out, sizeof(out), true), PDEV_DMA_OK);
        assert_int_equal(g.tap.last[0], HW_TLP_IDE_PREFIX_BYTE0);
        assert_int_equal(g.tap.last[1] & 0x20, 0); /* T=0 */
        rig_lock(&g);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, out, sizeof(out), true), PDEV_DMA_NOT_PERMITTED);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, back, sizeof(back), false), PDEV_DMA_NOT_PERMITTED);
        unsigned seen = g.tap.seen;
        rig_start(&g);
        assert_int_equal(g.tap.seen, seen);
        /* RUN: T=1, which the BYPASS stream refuses ... */
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, back, sizeof(back), false), PDEV_DMA_UR);
        assert_int_equal(g.tap.last[1] & 0x20, 0x20);
        /* ... and the REALM stream takes, into the Realm's granule */
        rig_realm_stream(&g);
        rig_realm_page(&g, 8);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE + 8 * GRANULE_SIZE, out, sizeof(out), true), PDEV_DMA_OK);
        assert_memory_not_equal(g.tap.last + 16, out, sizeof(out)); /* ciphertext on the wire */
        rig_mem_read(&g, RIG_BASE + 8 * GRANULE_SIZE, back, sizeof(back));
        assert_memory_equal(back, out, sizeof(out));
        memset(back, 0, sizeof(back));
        assert_int_equal(pdev_dma(g.dev, RIG_BASE + 8 * GRANULE_SIZE, back, sizeof(back), false), PDEV_DMA_OK);
        assert_memory_equal(back, out, sizeof(out));
        /* after STOP the device is back to T=0, which the REALM stream refuses */
        rig_stop(&g);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE + 8 * GRANULE_SIZE, back, sizeof(back), false), PDEV_DMA_UR);
        rig_down(&g);
}

static void pdev_flipped_tlp_makes_the_stream_insecure_and_the_running_tdi_error(void **state)
{
        struct rig g;
        uint8_t out[64];
        (void)state;
        rig_up(&g, true);
        fill(out, sizeof(out), 0x11);
        rig_session_and_keys(&g);
        rig_lock(&g);
        rig_start(&g);
        rig_realm_stream(&g);
        rig_realm_page(&g, 9);
        g.tap.flip_ep = true;
        assert_int_equal(pdev_dma(g.dev, RIG_BASE + 9 * GRANULE_SIZE, out, sizeof(out), true),
                         PDEV_DMA_LINK_REFUSED);
        assert_int_equal(hw_ide_stats(g.rp_e)->mac_failures, 1);
        assert_int_equal(hw_ide_state(g.rp_e), HW_IDE_INSECURE);
        assert_int_equal(hw_ide_state(pdev_ide_engine(g.dev)), HW_IDE_INSECURE);
        assert_int_equal(pdev_tdi_state(g.dev), TDISP_STATE_ERROR);
        assert_int_equal(hw_root_port_stats(g.rp)->tlps_in, 0);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE + 9 * GRANULE_SIZE, out, sizeof(out), true),
                         PDEV_DMA_NOT_PERMITTED);
        rig_down(&g);
}

static void pdev_mmio_outside_bar0_or_with_memory_space_off_is_unclaimed(void **state)
{
        struct rig g;
        uint64_t v = 0;
        (void)state;
        rig_up(&g, true);
        assert_int_equal(rig_rd(&g, 0, 4, false, PDEV_MMIO_OK), BLK_ID);
        assert_int_equal(pdev_mmio_read(g.dev, RIG_BAR0 - 4, 4, false, &v), PDEV_MMIO_UNCLAIMED);
        assert_int_equal(v, 0xFFFFFFFFu);
        assert_int_equal(pdev_mmio_read(g.dev, RIG_BAR0 + PDEV_BAR0_SIZE, 4, false, &v), PDEV_MMIO_UNCLAIMED);
        assert_int_equal(pdev_mmio_read(g.dev, RIG_BAR0 + PDEV_BAR0_SIZE - 4, 8, false, &v), PDEV_MMIO_UNCLAIMED);
        assert_int_equal(pdev_mmio_write(g.dev, RIG_BAR0 + PDEV_BAR0_SIZE, 4, false, 1), PDEV_MMIO_UNCLAIMED);
        rig_rd(&g, 0x1000, 4, false, PDEV_MMIO_BAD_ACCESS); /* in BAR0, no register */
        hw_pcie_cfg_write(&g.pcie, RIG_BDF, 0x04, 2, 0x0004);
        assert_int_equal(pdev_mmio_read(g.dev, RIG_BAR0, 4, false, &v), PDEV_MMIO_UNCLAIMED);
        assert_int_equal(pdev_dma_stats(g.dev)->mmio_bad, 6);
        rig_down(&g);
}

static void pdev_mmio_follows_tdisp_completer_rules_in_every_state(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g, true);
        rig_session_and_keys(&g);
        /* CONFIG_UNLOCKED: T=0 served, T=1 rejected */
        rig_wr(&g, BLK_REG_RING_ENTRIES, 4, false, 8, PDEV_MMIO_OK);
        assert_int_equal(rig_rd(&g, BLK_REG_RING_ENTRIES, 4, false, PDEV_MMIO_OK), 8);
        assert_int_equal(rig_rd(&g, BLK_REG_ID, 4, true, PDEV_MMIO_REJECTED), 0xFFFFFFFFu);
        rig_wr(&g, BLK_REG_RING_ENTRIES, 4, true, 16, PDEV_MMIO_REJECTED);
        assert_int_equal(rig_rd(&g, BLK_REG_RING_ENTRIES, 4, false, PDEV_MMIO_OK), 8);
        /* CONFIG_LOCKED: both rejected; the LOCK reset what the host programmed */
        rig_lock(&g);
        assert_int_equal(rig_rd(&g, BLK_REG_ID, 4, false, PDEV_MMIO_REJECTED), 0xFFFFFFFFu);
        assert_int_equal(rig_rd(&g, BLK_REG_CAPACITY_LO, 8, true, PDEV_MMIO_REJECTED), UINT64_MAX);
        rig_wr(&g, BLK_REG_RING_ENTRIES, 4, false, 4, PDEV_MMIO_REJECTED);
        /* RUN: T=1 served, T=0 rejected */
        rig_start(&g);
        assert_int_equal(rig_rd(&g, BLK_REG_RING_ENTRIES, 4, true, PDEV_MMIO_OK), 0);
        rig_wr(&g, BLK_REG_RING_ENTRIES, 4, true, 4, PDEV_MMIO_OK);
        rig_wr(&g, BLK_REG_RING_ENTRIES, 4, false, 2, PDEV_MMIO_REJECTED);
        assert_int_equal(rig_rd(&g, BLK_REG_RING_ENTRIES, 4, false, PDEV_MMIO_REJECTED), 0xFFFFFFFFu);
        assert_int_equal(rig_rd(&g, BLK_REG_RING_ENTRIES, 4, true, PDEV_MMIO_OK), 4);
        /* ERROR: both rejected */
        pdev_ide_failed(g.dev, "test");
        rig_rd(&g, BLK_REG_ID, 4, true, PDEV_MMIO_REJECTED);
        rig_rd(&g, BLK_REG_ID, 4, false, PDEV_MMIO_REJECTED);
        assert_int_equal(pdev_dma_stats(g.dev)->mmio_rejected, 9);
        /* STOP: unlocked again, and the TVM's ring programming is gone */
        rig_stop(&g);
        assert_int_equal(rig_rd(&g, BLK_REG_RING_ENTRIES, 4, false, PDEV_MMIO_OK), 0);
        rig_down(&g);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(pdev_dma_without_a_link_is_no_link),
                cmocka_unit_test(pdev_dma_refuses_without_bus_master_and_unaligned_or_wrapping_requests),
                cmocka_unit_test(pdev_dma_splits_at_the_mps_and_never_crosses_4k),
                cmocka_unit_test(pdev_dma_read_returns_the_completions_data),
                cmocka_unit_test(pdev_dma_read_the_smmu_refuses_is_ur_or_ca),
                cmocka_unit_test(pdev_dma_lost_completion_times_out_and_the_next_read_takes_another_tag),
                cmocka_unit_test(pdev_dma_runs_with_t0_unlocked_is_refused_locked_and_t1_in_run),
                cmocka_unit_test(pdev_flipped_tlp_makes_the_stream_insecure_and_the_running_tdi_error),
                cmocka_unit_test(pdev_mmio_outside_bar0_or_with_memory_space_off_is_unclaimed),
                cmocka_unit_test(pdev_mmio_follows_tdisp_completer_rules_in_every_state),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
