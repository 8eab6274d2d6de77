/* src/device/pdev.c, its DMA path and MMIO rules: ccada-dev's memory TLPs over the link,
 * through the Root Port into the SMMU (pdev_rig.h), writes split at PDEV_MPS, reads at
 * PDEV_MRRS, both at 4 KiB, T=1 only in RUN; reads completed by tag in one or more CplDs
 * checked and reassembled in order, a read that does not complete retired (Completion
 * Timeout); BAR0 MMIO under TDISP §11.2.1's completer rules. */
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

static void assert_no_tag_in_flight(const struct hw_ide *e)
{
        for (unsigned tag = 0; tag < 256; tag++)
                if (hw_ide_tag_in_flight(e, (uint8_t)tag))
                        fail_msg("tag %u still in flight", tag);
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

static void pdev_dma_writes_split_at_the_mps_reads_at_the_mrrs_and_neither_crosses_4k(void **state)
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
        /* 0x2FF0: a read of 16 bytes to the page end (one CplD), then one of 584 (256, 256, 72) */
        memset(back, 0, sizeof(back));
        assert_int_equal(pdev_dma(g.dev, RIG_BASE + 0x2FF0, back, 600, false), PDEV_DMA_OK);
        assert_int_equal(hw_root_port_stats(g.rp)->mrd, 2);
        assert_int_equal(hw_root_port_stats(g.rp)->cpld, 4);
        assert_int_equal(pdev_dma_stats(g.dev)->mrd, 2);
        assert_int_equal(pdev_dma_stats(g.dev)->cpld, 4);
        assert_int_equal(pdev_dma_stats(g.dev)->bytes_from_memory, 600);
        assert_int_equal(pdev_dma_stats(g.dev)->bytes_to_memory, 1000);
        rig_mem_read(&g, RIG_BASE + 0x2FF0, out, 600);
        assert_memory_equal(back, out, 600);
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
        assert_int_equal(pdev_dma_stats(g.dev)->mrd, 1);
        assert_int_equal(hw_root_port_stats(g.rp)->tlps_out, 2); /* two CplDs of 256 */
        rig_down(&g);
}

static void pdev_dma_4k_read_on_the_stream_is_one_mrd_and_16_cplds_reassembled(void **state)
{
        struct rig g;
        static uint8_t in[4096], back[4096];
        (void)state;
        rig_up(&g, true);
        rig_session_and_keys(&g);
        fill(in, sizeof(in), 0x21);
        rig_mem_write(&g, RIG_BASE + 0x6000, in, sizeof(in));
        const struct hw_ide_stats *ep = hw_ide_stats(pdev_ide_engine(g.dev));
        uint64_t opened = ep->opened, from_rp = g.tap.from_rp, from_ep = g.tap.from_ep;
        assert_int_equal(pdev_dma(g.dev, RIG_BASE + 0x6000, back, sizeof(back), false), PDEV_DMA_OK);
        assert_memory_equal(back, in, sizeof(in));
        assert_int_equal(g.tap.from_ep - from_ep, 1);
        assert_int_equal(g.tap.from_rp - from_rp, 16);
        assert_int_equal(ep->opened - opened, 16);
        assert_int_equal(ep->split_cpl, 15);
        assert_int_equal(hw_root_port_stats(g.rp)->mrd, 1);
        assert_int_equal(hw_root_port_stats(g.rp)->cpld, 16);
        assert_int_equal(pdev_dma_stats(g.dev)->cpld, 16);
        assert_no_tag_in_flight(pdev_ide_engine(g.dev));
        rig_down(&g);
}

static void pdev_dma_read_across_an_rcb_and_a_4k_edge_is_reassembled(void **state)
{
        struct rig g;
        uint8_t in[700], back[700] = { 0 };
        (void)state;
        rig_up(&g, true);
        fill(in, sizeof(in), 0x33);
        rig_mem_write(&g, RIG_BASE + 0x5E44, in, sizeof(in));
        /* 0x5E44..0x6000 (444: CplDs 252 to the RCB at 0x5F40, then 192), 0x6000.. (256) */
        assert_int_equal(pdev_dma(g.dev, RIG_BASE + 0x5E44, back, sizeof(back), false), PDEV_DMA_OK);
        assert_memory_equal(back, in, sizeof(in));
        assert_int_equal(hw_root_port_stats(g.rp)->mrd, 2);
        assert_int_equal(hw_root_port_stats(g.rp)->cpld, 3);
        assert_int_equal(pdev_dma_stats(g.dev)->cpld, 3);
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

static void pdev_dma_lost_completion_times_out_and_its_tag_is_retired_for_reuse(void **state)
{
        struct rig g;
        uint8_t b[512];
        (void)state;
        rig_up(&g, true);
        const struct hw_ide_stats *ep = hw_ide_stats(pdev_ide_engine(g.dev));
        g.tap.drop_rp = 1; /* the only completion of an 8-byte read */
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, 8, false), PDEV_DMA_TIMEOUT);
        g.tap.skip_rp = 1; /* the second (last) of a 512-byte read's two */
        g.tap.drop_rp = 1;
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, sizeof(b), false), PDEV_DMA_TIMEOUT);
        assert_int_equal(pdev_dma_stats(g.dev)->timeouts, 2);
        assert_int_equal(ep->cpl_timeouts, 2);
        assert_no_tag_in_flight(pdev_ide_engine(g.dev));
        /* 256 more reads: every tag again, those of the lost reads included */
        for (unsigned i = 0; i < 256; i++)
                assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, 8, false), PDEV_DMA_OK);
        assert_int_equal(pdev_dma_stats(g.dev)->mrd, 258);
        assert_int_equal(ep->cpl_timeouts, 2);
        rig_down(&g);
}

static void pdev_dma_read_whose_tag_the_engine_holds_for_another_is_no_tag(void **state)
{
        struct rig g;
        uint8_t b[8], wire[64];
        size_t n;
        struct hw_tlp other = { .kind = HW_TLP_MRD, .requester_id = RIG_BDF, .tag = 0, .addr = RIG_BASE, .len = 4 };
        (void)state;
        rig_up(&g, true);
        /* a read with tag 0 (the device's next) put on the wire by someone else, never answered */
        assert_int_equal(hw_ide_tx(pdev_ide_engine(g.dev), &other, wire, sizeof(wire), &n, NULL), HW_IDE_OK);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, sizeof(b), false), PDEV_DMA_NO_TAG);
        assert_true(hw_ide_tag_in_flight(pdev_ide_engine(g.dev), 0)); /* not the device's to retire */
        assert_int_equal(hw_root_port_stats(g.rp)->mrd, 0);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, sizeof(b), false), PDEV_DMA_OK); /* tag 1 */
        rig_down(&g);
}

static void pdev_dma_dropped_middle_completion_in_clear_is_a_bad_completion(void **state)
{
        struct rig g;
        uint8_t b[768];
        (void)state;
        rig_up(&g, true);
        g.tap.skip_rp = 1;
        g.tap.drop_rp = 1;
        /* three CplDs; the third's Byte Count (256) is not the 512 still missing */
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, sizeof(b), false), PDEV_DMA_BAD_COMPLETION);
        assert_int_equal(pdev_dma_stats(g.dev)->cpld, 1);
        assert_int_equal(pdev_dma_stats(g.dev)->timeouts, 0);
        assert_int_equal(hw_ide_stats(pdev_ide_engine(g.dev))->cpl_timeouts, 0); /* the last one freed it */
        assert_no_tag_in_flight(pdev_ide_engine(g.dev));
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, sizeof(b), false), PDEV_DMA_OK);
        rig_down(&g);
}

static void pdev_dma_dropped_middle_completion_on_the_stream_breaks_it_and_the_tdi(void **state)
{
        struct rig g;
        uint8_t b[768];
        (void)state;
        rig_up(&g, true);
        rig_session_and_keys(&g);
        rig_lock(&g);
        rig_start(&g);
        rig_realm_stream(&g);
        rig_realm_page(&g, 9);
        g.tap.skip_rp = 1;
        g.tap.drop_rp = 1;
        /* the third CplD is sealed with the counter after the dropped one's: its MAC fails */
        assert_int_equal(pdev_dma(g.dev, RIG_BASE + 9 * GRANULE_SIZE, b, sizeof(b), false), PDEV_DMA_LINK_REFUSED);
        const struct hw_ide_stats *ep = hw_ide_stats(pdev_ide_engine(g.dev));
        assert_int_equal(ep->mac_failures, 1);
        assert_int_equal(hw_ide_state(pdev_ide_engine(g.dev)), HW_IDE_INSECURE);
        assert_int_equal(hw_ide_state(g.rp_e), HW_IDE_INSECURE);
        assert_int_equal(pdev_tdi_state(g.dev), TDISP_STATE_ERROR);
        assert_int_equal(pdev_dma_stats(g.dev)->cpld, 1);
        assert_int_equal(ep->cpl_timeouts, 1); /* the read never completed: its tag retired */
        assert_no_tag_in_flight(pdev_ide_engine(g.dev));
        rig_down(&g);
}

/* A completer (here: the tap rewriting a clear completion's header) that lies about what is
 * left of the read or where a completion's data belongs. */
static void pdev_dma_completion_with_a_wrong_byte_count_or_lower_address_is_bad(void **state)
{
        struct rig g;
        uint8_t b[512];
        (void)state;
        rig_up(&g, true);
        const struct hw_ide_stats *ep = hw_ide_stats(pdev_ide_engine(g.dev));
        /* the first of two: Byte Count 0x200 -> 0x204 */
        g.tap.edit_rp = true;
        g.tap.edit_at = 7;
        g.tap.edit_xor = 0x04;
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, sizeof(b), false), PDEV_DMA_BAD_COMPLETION);
        assert_int_equal(pdev_dma_stats(g.dev)->unexpected, 1); /* the second, after the read ended */
        /* the second of two: Lower Address 0x00 -> 0x04 */
        g.tap.edit_rp = true;
        g.tap.edit_skip = 1;
        g.tap.edit_at = 11;
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, sizeof(b), false), PDEV_DMA_BAD_COMPLETION);
        assert_int_equal(ep->cpl_timeouts, 0);
        /* the only completion of an 8-byte read claims 16 more bytes to come: the engine keeps
         * the tag for them, the device does not wait and retires it */
        g.tap.edit_rp = true;
        g.tap.edit_skip = 0;
        g.tap.edit_at = 7;
        g.tap.edit_xor = 0x10;
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, 8, false), PDEV_DMA_BAD_COMPLETION);
        assert_int_equal(ep->cpl_timeouts, 1);
        assert_no_tag_in_flight(pdev_ide_engine(g.dev));
        assert_int_equal(pdev_dma_stats(g.dev)->failures, 3);
        assert_int_equal(pdev_dma(g.dev, RIG_BASE, b, sizeof(b), false), PDEV_DMA_OK);
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
                cmocka_unit_test(pdev_dma_writes_split_at_the_mps_reads_at_the_mrrs_and_neither_crosses_4k),
                cmocka_unit_test(pdev_dma_read_returns_the_completions_data),
                cmocka_unit_test(pdev_dma_4k_read_on_the_stream_is_one_mrd_and_16_cplds_reassembled),
                cmocka_unit_test(pdev_dma_read_across_an_rcb_and_a_4k_edge_is_reassembled),
                cmocka_unit_test(pdev_dma_read_the_smmu_refuses_is_ur_or_ca),
                cmocka_unit_test(pdev_dma_lost_completion_times_out_and_its_tag_is_retired_for_reuse),
                cmocka_unit_test(pdev_dma_read_whose_tag_the_engine_holds_for_another_is_no_tag),
                cmocka_unit_test(pdev_dma_dropped_middle_completion_in_clear_is_a_bad_completion),
                cmocka_unit_test(pdev_dma_dropped_middle_completion_on_the_stream_breaks_it_and_the_tdi),
                cmocka_unit_test(pdev_dma_completion_with_a_wrong_byte_count_or_lower_address_is_bad),
                cmocka_unit_test(pdev_dma_runs_with_t0_unlocked_is_refused_locked_and_t1_in_run),
                cmocka_unit_test(pdev_flipped_tlp_makes_the_stream_insecure_and_the_running_tdi_error),
                cmocka_unit_test(pdev_mmio_outside_bar0_or_with_memory_space_off_is_unclaimed),
                cmocka_unit_test(pdev_mmio_follows_tdisp_completer_rules_in_every_state),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
