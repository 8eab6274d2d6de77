/* src/proto/virtio_net.c: the 12-byte header (virtio 1.2 §5.1.6) and the receive checks a
 * driver makes of a header the device wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "proto/virtio_net.h"

#define F(bit) ((uint64_t)1 << (bit))

static void virtio_net_hdr_encodes_the_spec_layout_little_endian(void **state)
{
        /* flags 1, gso 4 (TCPV6), hdr_len 0x0102, gso_size 0x0304, csum_start 0x0506,
         * csum_offset 0x0708, num_buffers 0x090a, laid out as §5.1.6's table says */
        static const uint8_t want[12] = { 0x01, 0x04, 0x02, 0x01, 0x04, 0x03, 0x06, 0x05, 0x08, 0x07, 0x0a, 0x09 };
        struct virtio_net_hdr h = { 1, 4, 0x0102, 0x0304, 0x0506, 0x0708, 0x090a }, back;
        uint8_t out[12];
        (void)state;
        assert_true(virtio_net_hdr_encode(out, sizeof(out), &h));
        assert_memory_equal(out, want, 12);
        assert_true(virtio_net_hdr_decode(want, sizeof(want), &back));
        assert_memory_equal(&back, &h, sizeof(h));
        assert_false(virtio_net_hdr_encode(out, 11, &h));
        assert_false(virtio_net_hdr_decode(want, 11, &back));
}

static void virtio_net_tx_hdr_plain_is_all_zero(void **state)
{
        struct virtio_net_hdr h;
        uint8_t out[12], zero[12] = { 0 };
        (void)state;
        memset(&h, 0xff, sizeof(h));
        virtio_net_tx_hdr_plain(&h);
        assert_true(virtio_net_hdr_encode(out, sizeof(out), &h));
        assert_memory_equal(out, zero, 12); /* num_buffers 0 on TX: §5.1.6.2 */
}

static void virtio_net_rx_hdr_ok_takes_a_plain_packet_of_one_buffer(void **state)
{
        struct virtio_net_hdr h = { .num_buffers = 1 };
        char why[96];
        (void)state;
        assert_true(virtio_net_rx_hdr_ok(&h, 0, 12 + 60, why));
        assert_true(virtio_net_rx_hdr_ok(&h, 0, VIRTIO_NET_RX_BUF, why));
        h.num_buffers = 3;
        assert_true(virtio_net_rx_hdr_ok(&h, F(VIRTIO_NET_F_MRG_RXBUF), 100, why));
}

static void virtio_net_rx_hdr_ok_refuses_what_the_device_must_not_write(void **state)
{
        static const struct {
                struct virtio_net_hdr h;
                uint64_t features;
                size_t len;
                const char *why;
        } bad[] = {
                { { .num_buffers = 1 }, 0, 12 + 13, "outside" },
                { { .num_buffers = 1 }, 0, VIRTIO_NET_RX_BUF + 1, "outside" },
                { { .num_buffers = 0 }, 0, 100, "num_buffers 0" },
                { { .num_buffers = 2 }, 0, 100, "num_buffers 2" },
                { { .flags = 8, .num_buffers = 1 }, 0, 100, "unknown flag bits 0x8" },
                { { .flags = VIRTIO_NET_HDR_F_RSC_INFO, .num_buffers = 1 }, 0, 100, "RSC_INFO" },
                { { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .num_buffers = 1 }, 0, 100, "without GUEST_CSUM" },
                { { .flags = VIRTIO_NET_HDR_F_DATA_VALID, .num_buffers = 1 }, 0, 100, "without GUEST_CSUM" },
                { { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 80, .csum_offset = 7, .num_buffers = 1 },
                  F(VIRTIO_NET_F_GUEST_CSUM), 100, "beyond the 88-byte frame" },
                { { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .num_buffers = 1 }, 0, 100, "gso_type 1 (TCPV4)" },
                { { .gso_type = VIRTIO_NET_HDR_GSO_UDP_L4, .num_buffers = 1 }, ~(uint64_t)0 & ~F(VIRTIO_NET_F_MRG_RXBUF),
                  100, "UDP_L4" },
                { { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, .num_buffers = 1 },
                  F(VIRTIO_NET_F_GUEST_TSO4), 100, "ECN" },
        };
        char why[96];
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                why[0] = '\0';
                if (virtio_net_rx_hdr_ok(&bad[i].h, bad[i].features, bad[i].len, why) || !strstr(why, bad[i].why))
                        fail_msg("case %zu: expected a refusal naming '%s', got '%s'", i, bad[i].why, why);
        }
}

static void virtio_net_rx_hdr_ok_takes_offloads_that_were_negotiated(void **state)
{
        struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
                                    .csum_start = 34, .csum_offset = 16, .num_buffers = 1 };
        char why[96];
        (void)state;
        assert_true(virtio_net_rx_hdr_ok(&h, F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_TSO4), 12 + 52, why));
        h.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
        assert_true(virtio_net_rx_hdr_ok(
                &h, F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_TSO4) | F(VIRTIO_NET_F_GUEST_ECN), 12 + 52, why));
        assert_string_equal(virtio_net_gso_name(VIRTIO_NET_HDR_GSO_TCPV6), "TCPV6");
        assert_string_equal(virtio_net_gso_name(99), "?");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(virtio_net_hdr_encodes_the_spec_layout_little_endian),
                cmocka_unit_test(virtio_net_tx_hdr_plain_is_all_zero),
                cmocka_unit_test(virtio_net_rx_hdr_ok_takes_a_plain_packet_of_one_buffer),
                cmocka_unit_test(virtio_net_rx_hdr_ok_refuses_what_the_device_must_not_write),
                cmocka_unit_test(virtio_net_rx_hdr_ok_takes_offloads_that_were_negotiated),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
