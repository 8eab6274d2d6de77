/* src/proto/spdm_emu.c: the socket framing of DMTF spdm-emu (facts §8.2: three big-endian
 * u32 — Command, TransportType, Size — then the payload; TEST carries "Client Hello!\0"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "proto/spdm_emu.h"

/* Object 0 of the recorded session: DOE discovery, index 0. */
static const uint8_t discovery0[12] = { 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0, 0, 0, 0 };

static void spdm_emu_frame_encode_writes_command_transport_and_size_big_endian(void **state)
{
        static const uint8_t want[24] = {
                0x00, 0x00, 0x00, 0x01, /* NORMAL */
                0x00, 0x00, 0x00, 0x02, /* PCI_DOE */
                0x00, 0x00, 0x00, 0x0c, /* 12 bytes */
                0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0, 0, 0, 0,
        };
        uint8_t out[32];
        size_t len = 0;
        struct spdm_emu_frame f;
        (void)state;
        assert_true(spdm_emu_frame_encode(SPDM_EMU_CMD_NORMAL, SPDM_EMU_TRANSPORT_PCI_DOE, discovery0, 12, out,
                                          sizeof(out), &len));
        assert_int_equal(len, 24);
        assert_memory_equal(out, want, 24);
        assert_true(spdm_emu_frame_decode(want, sizeof(want), &f, NULL));
        assert_int_equal(f.hdr.command, SPDM_EMU_CMD_NORMAL);
        assert_int_equal(f.hdr.transport, SPDM_EMU_TRANSPORT_PCI_DOE);
        assert_int_equal(f.hdr.size, 12);
        assert_ptr_equal(f.payload, want + 12);
}

static void spdm_emu_test_frame_carries_client_hello_with_its_nul(void **state)
{
        static const uint8_t want[26] = {
                0x00, 0x00, 0xde, 0xad, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x0e,
                'C',  'l',  'i',  'e',  'n',  't',  ' ',  'H',  'e',  'l',  'l',  'o',  '!', 0,
        };
        uint8_t out[32];
        size_t len;
        (void)state;
        assert_true(spdm_emu_frame_encode(SPDM_EMU_CMD_TEST, SPDM_EMU_TRANSPORT_PCI_DOE,
                                          (const uint8_t *)SPDM_EMU_CLIENT_HELLO, SPDM_EMU_HELLO_SIZE, out,
                                          sizeof(out), &len));
        assert_int_equal(len, 26);
        assert_memory_equal(out, want, 26);
}

static void spdm_emu_is_server_hello_wants_the_exact_fourteen_bytes(void **state)
{
        (void)state;
        assert_true(spdm_emu_is_server_hello((const uint8_t *)"Server Hello!", 14));
        assert_false(spdm_emu_is_server_hello((const uint8_t *)"Server Hello!", 13)); /* no NUL */
        assert_false(spdm_emu_is_server_hello((const uint8_t *)"Client Hello!", 14));
        assert_false(spdm_emu_is_server_hello((const uint8_t *)"Server Hello!\0x", 15));
}

static void spdm_emu_shutdown_frame_is_a_bare_header(void **state)
{
        static const uint8_t want[12] = { 0, 0, 0xff, 0xfe, 0, 0, 0, 2, 0, 0, 0, 0 };
        uint8_t out[12];
        size_t len;
        struct spdm_emu_frame f;
        (void)state;
        assert_true(spdm_emu_frame_encode(SPDM_EMU_CMD_SHUTDOWN, SPDM_EMU_TRANSPORT_PCI_DOE, NULL, 0, out,
                                          sizeof(out), &len));
        assert_int_equal(len, 12);
        assert_memory_equal(out, want, 12);
        assert_true(spdm_emu_frame_decode(want, 12, &f, NULL));
        assert_int_equal(f.hdr.size, 0);
}

static void spdm_emu_header_decode_rejects_fewer_than_twelve_bytes(void **state)
{
        static const uint8_t in[12] = { 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0 };
        struct spdm_emu_header h;
        char why[SPDM_EMU_WHY_LEN] = "";
        (void)state;
        assert_false(spdm_emu_header_decode(in, 11, &h, why));
        assert_non_null(strstr(why, "11 bytes"));
        assert_int_equal(h.command, 0);
        assert_true(spdm_emu_header_decode(in, 12, &h, NULL));
}

static void spdm_emu_header_decode_rejects_an_unknown_command_or_transport(void **state)
{
        static const uint8_t bad_cmd[12] = { 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 0 };
        static const uint8_t bad_transport[12] = { 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 0 };
        static const uint8_t little_endian[12] = { 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0 };
        struct spdm_emu_header h;
        char why[SPDM_EMU_WHY_LEN] = "";
        (void)state;
        assert_false(spdm_emu_header_decode(bad_cmd, 12, &h, why));
        assert_non_null(strstr(why, "command 0x3"));
        assert_false(spdm_emu_header_decode(bad_transport, 12, &h, why));
        assert_non_null(strstr(why, "transport type 0x4"));
        assert_false(spdm_emu_header_decode(little_endian, 12, &h, why));
        assert_int_equal(h.command | h.transport | h.size, 0);
}

static void spdm_emu_header_decode_refuses_a_size_above_the_maximum_before_any_allocation(void **state)
{
        uint8_t in[12] = { 0, 0, 0, 1, 0, 0, 0, 2 };
        struct spdm_emu_header h;
        char why[SPDM_EMU_WHY_LEN] = "";
        (void)state;
        in[8] = 0, in[9] = 0, in[10] = (uint8_t)(SPDM_EMU_PAYLOAD_MAX >> 8), in[11] = (uint8_t)SPDM_EMU_PAYLOAD_MAX;
        assert_true(spdm_emu_header_decode(in, 12, &h, NULL));
        assert_int_equal(h.size, SPDM_EMU_PAYLOAD_MAX);
        in[11]++;
        assert_false(spdm_emu_header_decode(in, 12, &h, why));
        assert_non_null(strstr(why, "exceeds"));
        in[8] = 0xff, in[11] = 0; /* 0xff00xx00: a hostile 4 GiB */
        assert_false(spdm_emu_header_decode(in, 12, &h, NULL));
}

static void spdm_emu_frame_decode_rejects_a_size_that_disagrees_with_the_bytes_given(void **state)
{
        uint8_t frame[25] = { 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 12 };
        struct spdm_emu_frame f;
        char why[SPDM_EMU_WHY_LEN] = "";
        (void)state;
        assert_false(spdm_emu_frame_decode(frame, 23, &f, why));
        assert_non_null(strstr(why, "Size 12 but 11"));
        assert_null(f.payload);
        assert_false(spdm_emu_frame_decode(frame, 25, &f, NULL));
        assert_true(spdm_emu_frame_decode(frame, 24, &f, NULL));
}

static void spdm_emu_frame_encode_refuses_oversize_payloads_unknown_values_and_short_buffers(void **state)
{
        static uint8_t big[SPDM_EMU_PAYLOAD_MAX + 1], out[SPDM_EMU_FRAME_MAX + 1];
        struct spdm_emu_header h = { SPDM_EMU_CMD_NORMAL, 7, 0 };
        size_t len = 99;
        (void)state;
        assert_true(spdm_emu_frame_encode(1, 2, big, SPDM_EMU_PAYLOAD_MAX, out, sizeof(out), &len));
        assert_int_equal(len, SPDM_EMU_FRAME_MAX);
        assert_false(spdm_emu_frame_encode(1, 2, big, SPDM_EMU_PAYLOAD_MAX + 1, out, sizeof(out), &len));
        assert_int_equal(len, 0);
        assert_false(spdm_emu_frame_encode(0x1234, 2, big, 4, out, sizeof(out), &len));
        assert_false(spdm_emu_frame_encode(1, 2, discovery0, 12, out, 23, &len));
        assert_false(spdm_emu_frame_encode(1, 2, NULL, 4, out, sizeof(out), &len));
        assert_false(spdm_emu_header_encode(out, sizeof(out), &h));
}

static void spdm_emu_names_every_command_and_transport(void **state)
{
        (void)state;
        assert_string_equal(spdm_emu_command_name(0x0001), "NORMAL");
        assert_string_equal(spdm_emu_command_name(0x8001), "OOB_ENCAP_KEY_UPDATE");
        assert_string_equal(spdm_emu_command_name(0x8002), "OOB_ENCAP_ENDPOINT_INFO");
        assert_string_equal(spdm_emu_command_name(0xFFFD), "CONTINUE");
        assert_string_equal(spdm_emu_command_name(0xFFFE), "SHUTDOWN");
        assert_string_equal(spdm_emu_command_name(0xFFFF), "UNKNOWN");
        assert_string_equal(spdm_emu_command_name(0xDEAD), "TEST");
        assert_string_equal(spdm_emu_command_name(0x0002), "?");
        assert_string_equal(spdm_emu_transport_name(0), "NONE");
        assert_string_equal(spdm_emu_transport_name(1), "MCTP");
        assert_string_equal(spdm_emu_transport_name(2), "PCI_DOE");
        assert_string_equal(spdm_emu_transport_name(3), "TCP");
        assert_string_equal(spdm_emu_transport_name(4), "?");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(spdm_emu_frame_encode_writes_command_transport_and_size_big_endian),
                cmocka_unit_test(spdm_emu_test_frame_carries_client_hello_with_its_nul),
                cmocka_unit_test(spdm_emu_is_server_hello_wants_the_exact_fourteen_bytes),
                cmocka_unit_test(spdm_emu_shutdown_frame_is_a_bare_header),
                cmocka_unit_test(spdm_emu_header_decode_rejects_fewer_than_twelve_bytes),
                cmocka_unit_test(spdm_emu_header_decode_rejects_an_unknown_command_or_transport),
                cmocka_unit_test(spdm_emu_header_decode_refuses_a_size_above_the_maximum_before_any_allocation),
                cmocka_unit_test(spdm_emu_frame_decode_rejects_a_size_that_disagrees_with_the_bytes_given),
                cmocka_unit_test(spdm_emu_frame_encode_refuses_oversize_payloads_unknown_values_and_short_buffers),
                cmocka_unit_test(spdm_emu_names_every_command_and_transport),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
