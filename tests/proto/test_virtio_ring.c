/* Split ring layout, descriptor/used element codecs, vring_need_event, virtio constants.
 * virtio 1.2 §2.7, §4.1.4 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "proto/virtio.h"
#include "proto/virtio_ring.h"

static void vring_sizes_match_spec_table(void **state)
{
        (void)state;
        /* virtio 1.2 §2.7: 16*q, 6+2*q, 6+8*q */
        assert_int_equal(vring_desc_table_size(256), 4096);
        assert_int_equal(vring_avail_size(256), 518);
        assert_int_equal(vring_used_size(256), 2054);
        assert_int_equal(vring_used_event_off(256), 516);
        assert_int_equal(vring_avail_event_off(256), 2052);
        assert_int_equal(vring_avail_ring_off(3), 10);
        assert_int_equal(vring_used_ring_off(3), 28);
        assert_int_equal(vring_desc_off(5), 80);
        assert_int_equal(vring_used_size(VRING_MAX_SIZE), 6 + 8 * 32768);
}

static void vring_size_valid_accepts_powers_of_two_up_to_32768(void **state)
{
        (void)state;
        for (uint32_t q = 1; q <= VRING_MAX_SIZE; q <<= 1)
                assert_true(vring_size_valid(q));
        assert_false(vring_size_valid(0));
        assert_false(vring_size_valid(3));
        assert_false(vring_size_valid(65536));
        assert_false(vring_size_valid(32767));
}

static void vring_desc_encode_writes_little_endian_fields_at_spec_offsets(void **state)
{
        (void)state;
        struct vring_desc d = { .addr = 0x1122334455667788ull, .len = 0xA1B2C3D4u, .flags = 0x0107, .next = 0xBEEF };
        uint8_t b[16];
        assert_true(vring_desc_encode(b, sizeof(b), &d));
        const uint8_t want[16] = { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
                                   0xD4, 0xC3, 0xB2, 0xA1, 0x07, 0x01, 0xEF, 0xBE };
        assert_memory_equal(b, want, 16);
        struct vring_desc back;
        assert_true(vring_desc_decode(b, sizeof(b), &back));
        assert_int_equal(back.addr, d.addr);
        assert_int_equal(back.len, d.len);
        assert_int_equal(back.flags, d.flags);
        assert_int_equal(back.next, d.next);
}

static void vring_desc_codec_rejects_short_buffers(void **state)
{
        (void)state;
        uint8_t b[16];
        memset(b, 0xAB, sizeof(b));
        struct vring_desc d = { 1, 2, 3, 4 };
        assert_false(vring_desc_encode(b, 15, &d));
        assert_int_equal(b[0], 0xAB); /* nothing written */
        assert_false(vring_desc_decode(b, 15, &d));
        assert_int_equal(d.addr, 0);
        assert_int_equal(d.next, 0);
}

static void vring_used_elem_round_trips(void **state)
{
        (void)state;
        struct vring_used_elem e = { .id = 0x01020304u, .len = 0xFFFFFFFFu }, back;
        uint8_t b[8];
        assert_true(vring_used_elem_encode(b, sizeof(b), &e));
        const uint8_t want[8] = { 0x04, 0x03, 0x02, 0x01, 0xFF, 0xFF, 0xFF, 0xFF };
        assert_memory_equal(b, want, 8);
        assert_true(vring_used_elem_decode(b, sizeof(b), &back));
        assert_int_equal(back.id, e.id);
        assert_int_equal(back.len, e.len);
        assert_false(vring_used_elem_decode(b, 7, &back));
        assert_false(vring_used_elem_encode(b, 7, &e));
}

static void vring_need_event_true_iff_event_in_old_new_interval(void **state)
{
        (void)state;
        /* virtio 1.2 §2.7.10: notify when the index moves past event (reaches event + 1). */
        assert_true(vring_need_event(0, 1, 0));
        assert_false(vring_need_event(1, 1, 0));
        assert_true(vring_need_event(5, 10, 3));
        assert_true(vring_need_event(3, 10, 3));
        assert_false(vring_need_event(10, 10, 3));
        assert_false(vring_need_event(2, 10, 3));
        assert_false(vring_need_event(7, 7, 7)); /* nothing moved */
        /* across the 16-bit wrap */
        assert_true(vring_need_event(0xFFFF, 2, 0xFFFE));
        assert_true(vring_need_event(0, 2, 0xFFFE));
        assert_false(vring_need_event(2, 2, 0xFFFE));
        assert_false(vring_need_event(0xFFFD, 2, 0xFFFE));
        /* exhaustive against the interval definition on a small window */
        for (unsigned old = 0xFFF0; old < 0x10010; old++)
                for (unsigned n = 0; n < 20; n++)
                        for (unsigned ev = old - 4; ev < old + 24; ev++) {
                                bool in = (uint16_t)(ev - old) < n;
                                assert_int_equal(vring_need_event((uint16_t)ev, (uint16_t)(old + n), (uint16_t)old),
                                                 in);
                        }
}

static void virtio_pci_constants_match_spec(void **state)
{
        (void)state;
        /* virtio 1.2 §4.1.2, §4.1.4.3 */
        assert_int_equal(virtio_pci_modern_device_id(VIRTIO_ID_BLOCK), 0x1042);
        assert_int_equal(virtio_pci_modern_device_id(VIRTIO_ID_VSOCK), 0x1053);
        assert_int_equal(VIRTIO_PCI_COMMON_STATUS, 0x14);
        assert_int_equal(VIRTIO_PCI_COMMON_Q_DESCLO, 0x20);
        assert_int_equal(VIRTIO_PCI_COMMON_Q_AVAILLO, 0x28);
        assert_int_equal(VIRTIO_PCI_COMMON_Q_USEDLO, 0x30);
        assert_int_equal(VIRTIO_BIT(VIRTIO_F_VERSION_1), 1ull << 32);
}

static void virtio_name_functions_name_known_values(void **state)
{
        (void)state;
        assert_string_equal(virtio_feature_name(VIRTIO_F_ACCESS_PLATFORM), "ACCESS_PLATFORM");
        assert_string_equal(virtio_feature_name(VIRTIO_F_EVENT_IDX), "EVENT_IDX");
        assert_null(virtio_feature_name(5));
        assert_string_equal(virtio_status_bit_name(VIRTIO_STATUS_FEATURES_OK), "FEATURES_OK");
        assert_string_equal(virtio_status_bit_name(3), "?");
        assert_string_equal(virtio_device_id_name(VIRTIO_ID_BLOCK), "block");
        assert_string_equal(virtio_pci_cap_name(VIRTIO_PCI_CAP_NOTIFY_CFG), "NOTIFY_CFG");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(vring_sizes_match_spec_table),
                cmocka_unit_test(vring_size_valid_accepts_powers_of_two_up_to_32768),
                cmocka_unit_test(vring_desc_encode_writes_little_endian_fields_at_spec_offsets),
                cmocka_unit_test(vring_desc_codec_rejects_short_buffers),
                cmocka_unit_test(vring_used_elem_round_trips),
                cmocka_unit_test(vring_need_event_true_iff_event_in_old_new_interval),
                cmocka_unit_test(virtio_pci_constants_match_spec),
                cmocka_unit_test(virtio_name_functions_name_known_values),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
