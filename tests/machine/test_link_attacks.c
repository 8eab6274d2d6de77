/* The interposer on the Root Port <-> ccada-dev link (src/machine/link_attacks.c), TLP by TLP:
 * what each attack's tap changes on the wire, and the snooper's search for plaintext. The
 * TLPs are built with the TLP codec (hw/tlp.h); sealing is not the tap's business, so a
 * "sealed" TLP here is one with the IDE prefix whose payload is not the plaintext. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hw/tlp.h"
#include "machine/link_attacks.h"
#include "pdev_rig.h"

static uint8_t payload[256];

/* A MWr of len bytes of data, T=1 with the IDE prefix when ide, into wire. */
static size_t mwr(uint8_t *wire, bool ide, const uint8_t *data, uint32_t len, uint64_t addr)
{
        static const uint8_t mac[HW_TLP_MAC_LEN];
        struct hw_tlp t = { .kind = HW_TLP_MWR, .requester_id = 0x18, .addr = addr, .len = len, .data = data };
        if (ide)
                t.ide = (struct hw_tlp_ide){ .present = true, .t = true, .m = true, .sub_stream = HW_IDE_PR };
        t.mac = ide ? mac : NULL;
        size_t n;
        assert_true(hw_tlp_encode(&t, wire, HW_TLP_MAX_WIRE, &n, NULL));
        return n;
}

static struct link_tap tap_for(const char *name)
{
        struct link_tap t = { .attack = link_attack_find(name) };
        assert_non_null(t.attack);
        return t;
}

static void link_flip_changes_one_bit_of_the_first_tdi_payload_the_device_sends_and_nothing_else(void **state)
{
        (void)state;
        struct link_tap t = tap_for("flip-tlp");
        uint8_t wire[HW_TLP_MAX_WIRE], before[HW_TLP_MAX_WIRE];
        size_t n = mwr(wire, true, payload, 64, 0x80001000);
        memcpy(before, wire, n);
        assert_int_equal(link_tap(&t, HW_LINK_RP, wire, &n, sizeof(wire)), HW_TAP_PASS); /* the Root Port's: no */
        assert_memory_equal(wire, before, n);
        n = mwr(wire, false, payload, 64, 0x80001000);                                    /* in clear: no */
        memcpy(before, wire, n);
        assert_int_equal(link_tap(&t, HW_LINK_EP, wire, &n, sizeof(wire)), HW_TAP_PASS);
        assert_memory_equal(wire, before, n);
        n = mwr(wire, true, payload, 64, 0x80001000);
        memcpy(before, wire, n);
        assert_int_equal(link_tap(&t, HW_LINK_EP, wire, &n, sizeof(wire)), HW_TAP_PASS);
        unsigned differ = 0;
        for (size_t i = 0; i < n; i++)
                differ += __builtin_popcount((unsigned)(wire[i] ^ before[i]));
        assert_int_equal(differ, 1);
        assert_int_equal(wire[n - HW_TLP_MAC_LEN - 64] ^ before[n - HW_TLP_MAC_LEN - 64], 0x01); /* the payload's first byte */
        assert_int_equal(t.hits, 1);
        memcpy(before, wire, n);
        assert_int_equal(link_tap(&t, HW_LINK_EP, wire, &n, sizeof(wire)), HW_TAP_PASS);  /* only once */
        assert_memory_equal(wire, before, n);
        assert_int_equal(t.tlps, 4);
        assert_int_equal(t.tdi_data, 3);
        assert_int_equal(t.clear_data, 1);
}

static void link_replay_puts_the_first_tdi_write_in_place_of_the_second(void **state)
{
        (void)state;
        struct link_tap t = tap_for("replay-tlp");
        uint8_t first[HW_TLP_MAX_WIRE], wire[HW_TLP_MAX_WIRE];
        size_t n1 = mwr(first, true, payload, 32, 0x80002000), n = n1;
        memcpy(wire, first, n1);
        assert_int_equal(link_tap(&t, HW_LINK_EP, wire, &n, sizeof(wire)), HW_TAP_PASS);
        assert_memory_equal(wire, first, n1); /* the first goes by unchanged */
        n = mwr(wire, true, payload + 100, 128, 0x80003000);
        assert_int_equal(link_tap(&t, HW_LINK_EP, wire, &n, sizeof(wire)), HW_TAP_PASS);
        assert_int_equal(n, n1);
        assert_memory_equal(wire, first, n1);
        assert_int_equal(t.hits, 1);
}

static void link_snoop_finds_plaintext_only_where_the_payload_crossed_in_clear(void **state)
{
        (void)state;
        struct link_tap t = tap_for("snoop-link");
        uint8_t wire[HW_TLP_MAX_WIRE], cipher[256];
        for (size_t i = 0; i < sizeof(cipher); i++)
                cipher[i] = (uint8_t)(payload[i] ^ 0xA5); /* what sealing made of it */
        size_t n = mwr(wire, true, cipher, 256, 0x80004000);
        assert_int_equal(link_tap(&t, HW_LINK_EP, wire, &n, sizeof(wire)), HW_TAP_PASS);
        assert_int_equal(link_tap_plaintext_blocks(&t, payload, sizeof(payload)), 0);
        n = mwr(wire, false, payload + 64, 64, 0x80005000); /* four of its blocks in clear */
        assert_int_equal(link_tap(&t, HW_LINK_EP, wire, &n, sizeof(wire)), HW_TAP_PASS);
        assert_int_equal(link_tap_plaintext_blocks(&t, payload, sizeof(payload)), 4);
        assert_int_equal(t.hits, 0); /* it changes nothing */
        link_tap_free(&t);
}

static void link_tap_lets_bytes_it_cannot_read_by(void **state)
{
        (void)state;
        struct link_tap t = tap_for("flip-tlp");
        uint8_t wire[8] = { 0xFF, 1, 2, 3, 4, 5, 6, 7 };
        size_t n = sizeof(wire);
        assert_int_equal(link_tap(&t, HW_LINK_EP, wire, &n, HW_TLP_MAX_WIRE), HW_TAP_PASS);
        assert_int_equal(t.tlps, 0);
        assert_int_equal(t.hits, 0);
}

/* The device's own writes (dma-before-run, dma-unvalidated) on the device rig: its stream
 * BYPASS, so a write to Non-secure memory lands, and the helper must say so; ABORT, and it is
 * refused with a record and nothing changes. */
static void rogue_dma_says_when_a_write_landed_and_when_the_smmu_refused_it(void **state)
{
        (void)state;
        struct rig g;
        rig_up(&g, true);
        struct rogue_dma landed = { .target = "ns", .iova = RIG_BASE, .pa = RIG_BASE };
        link_attack_rogue_dma(g.dev, g.rp, g.m, &landed);
        assert_true(landed.sent);
        assert_false(landed.refused);
        assert_false(landed.unchanged);
        assert_string_equal(landed.reason, "");
        assert_false(link_attack_rogue_contained(&landed, 1));

        struct hw_ste abort = { .mode = HW_STE_ABORT };
        assert_int_equal(hw_smmu_ste_set(g.s, HW_WORLD_NS, RIG_BDF, &abort), HW_SMMU_OK);
        struct rogue_dma refused[2] = { { .target = "a", .iova = RIG_BASE + 0x1000, .pa = RIG_BASE + 0x1000 },
                                        { .target = "b", .iova = RIG_BASE + RIG_SIZE } };
        for (unsigned i = 0; i < 2; i++) {
                link_attack_rogue_dma(g.dev, g.rp, g.m, &refused[i]);
                assert_true(refused[i].sent); /* a refused posted write is invisible to the device */
                assert_true(refused[i].refused);
                assert_true(refused[i].unchanged);
                assert_string_equal(refused[i].reason, "stream_abort");
        }
        assert_true(link_attack_rogue_contained(refused, 2));
        assert_false(link_attack_rogue_contained(refused, 0)); /* nothing tried: nothing shown */
        refused[1].unchanged = false;
        assert_false(link_attack_rogue_contained(refused, 2));
        refused[1].unchanged = true;
        refused[1].sent = false;
        assert_false(link_attack_rogue_contained(refused, 2));
        rig_down(&g);
}

static void link_attacks_have_names_and_unknown_ones_are_not_found(void **state)
{
        (void)state;
        size_t n;
        const struct link_attack *a = link_attacks(&n);
        assert_int_equal(n, 8);
        for (size_t i = 0; i < n; i++)
                assert_ptr_equal(link_attack_find(a[i].name), &a[i]);
        assert_null(link_attack_find("flip-secured")); /* the DOE relay's, not the link's */
        assert_null(link_attack_find(NULL));
}

int main(void)
{
        for (size_t i = 0; i < sizeof(payload); i++)
                payload[i] = (uint8_t)(i * 13 + 7);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(link_flip_changes_one_bit_of_the_first_tdi_payload_the_device_sends_and_nothing_else),
                cmocka_unit_test(link_replay_puts_the_first_tdi_write_in_place_of_the_second),
                cmocka_unit_test(link_snoop_finds_plaintext_only_where_the_payload_crossed_in_clear),
                cmocka_unit_test(link_tap_lets_bytes_it_cannot_read_by),
                cmocka_unit_test(link_attacks_have_names_and_unknown_ones_are_not_found),
                cmocka_unit_test(rogue_dma_says_when_a_write_landed_and_when_the_smmu_refused_it),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
