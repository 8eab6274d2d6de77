/* src/proto/doe.c: DOE data objects and DOE Discovery (PCIe 6.0 §6.30.1). Known answers:
 * the 234 objects DMTF's emulators exchanged (tests/kat/spdm12-emu-session), and the
 * layout table of facts §3.1 for the hand-written cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "doe_kat.h"
#include "proto/doe.h"

/* README worked example: object 32, the first secured record (39 bytes + 1 pad byte). */
static const uint8_t obj32[48] = {
        0x01, 0x00, 0x02, 0x00, 0x0c, 0x00, 0x00, 0x00, /* vendor 1, type 2, 12 DW */
        0xff, 0xff, 0xff, 0xff, 0x21, 0x00, 0xeb, 0xbc, 0x04, 0x6b, 0xc1, 0xe7, 0xf2, 0x9c, 0x5b, 0x43,
        0x51, 0x61, 0x7c, 0x6d, 0x0d, 0xda, 0x9f, 0x08, 0xb7, 0xba, 0xec, 0x9e, 0xe9, 0x13, 0x9d, 0x7c,
        0x51, 0xde, 0x7a, 0xcb, 0xd7, 0xa2, 0x3e, 0x00, /* last record byte, then the pad */
};

static void doe_header_encode_writes_vendor_type_and_length_in_dwords_little_endian(void **state)
{
        struct doe_header h = { DOE_VENDOR_PCI_SIG, DOE_TYPE_SECURED_CMA_SPDM, 12 };
        uint8_t out[8];
        (void)state;
        assert_true(doe_header_encode(out, sizeof(out), &h));
        assert_memory_equal(out, obj32, 8);
        assert_false(doe_header_encode(out, 7, &h));
}

static void doe_header_encode_writes_2_pow_18_dwords_as_zero(void **state)
{
        static const uint8_t want[8] = { 0x01, 0x00, 0x01, 0x00, 0, 0, 0, 0 };
        struct doe_header h = { DOE_VENDOR_PCI_SIG, DOE_TYPE_CMA_SPDM, DOE_MAX_DW };
        uint8_t out[8];
        (void)state;
        assert_true(doe_header_encode(out, sizeof(out), &h));
        assert_memory_equal(out, want, 8);
}

static void doe_header_encode_refuses_a_length_outside_2_to_2_pow_18(void **state)
{
        uint8_t out[8];
        (void)state;
        for (uint32_t len = 0; len < 2; len++) {
                struct doe_header h = { 1, 1, len };
                assert_false(doe_header_encode(out, sizeof(out), &h));
        }
        struct doe_header big = { 1, 1, DOE_MAX_DW + 1 };
        assert_false(doe_header_encode(out, sizeof(out), &big));
}

static void doe_header_decode_reads_length_zero_as_2_pow_18_dwords(void **state)
{
        static const uint8_t in[8] = { 0x01, 0x00, 0x01, 0x00, 0, 0, 0, 0 };
        struct doe_header h;
        (void)state;
        assert_true(doe_header_decode(in, sizeof(in), &h, NULL));
        assert_int_equal(h.length_dw, 1u << 18);
        assert_int_equal(h.vendor, 1);
        assert_int_equal(h.type, 1);
}

static void doe_header_decode_rejects_length_below_two_dwords(void **state)
{
        static const uint8_t in[8] = { 0x01, 0x00, 0x01, 0x00, 1, 0, 0, 0 };
        struct doe_header h;
        char why[DOE_WHY_LEN] = "";
        (void)state;
        assert_false(doe_header_decode(in, sizeof(in), &h, why));
        assert_non_null(strstr(why, "below the 2-DW header"));
        assert_int_equal(h.length_dw, 0);
        assert_int_equal(h.vendor, 0);
}

static void doe_header_decode_rejects_fewer_than_eight_bytes(void **state)
{
        struct doe_header h;
        char why[DOE_WHY_LEN] = "";
        (void)state;
        assert_false(doe_header_decode(obj32, 7, &h, why));
        assert_non_null(strstr(why, "7 bytes"));
        assert_false(doe_header_decode(obj32, 0, &h, NULL));
}

/* Reserved fields: transmitters write 0, receivers ignore (see doe.h). */
static void doe_header_decode_ignores_reserved_bits(void **state)
{
        static const uint8_t in[8] = { 0x01, 0x00, 0x02, 0xff, 0x0c, 0x00, 0xfc, 0xff };
        struct doe_header h;
        (void)state;
        assert_true(doe_header_decode(in, sizeof(in), &h, NULL));
        assert_int_equal(h.vendor, 1);
        assert_int_equal(h.type, 2);
        assert_int_equal(h.length_dw, 12);
}

static void doe_object_encode_pads_the_payload_with_zeros_to_a_dword(void **state)
{
        uint8_t out[64];
        size_t len = 99;
        (void)state;
        memset(out, 0xee, sizeof(out));
        assert_true(doe_object_encode(1, 2, obj32 + 8, 39, out, sizeof(out), &len));
        assert_int_equal(len, 48);
        assert_memory_equal(out, obj32, 48);
        assert_int_equal(out[48], 0xee); /* nothing past the object */
}

static void doe_object_encode_writes_an_empty_payload_as_a_bare_header(void **state)
{
        static const uint8_t want[8] = { 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00 };
        uint8_t out[8];
        size_t len;
        (void)state;
        assert_true(doe_object_encode(1, 0, NULL, 0, out, sizeof(out), &len));
        assert_int_equal(len, 8);
        assert_memory_equal(out, want, 8);
}

static void doe_object_encode_refuses_a_buffer_too_small_for_header_payload_and_pad(void **state)
{
        uint8_t out[48];
        size_t len = 99;
        (void)state;
        assert_false(doe_object_encode(1, 2, obj32 + 8, 39, out, 47, &len));
        assert_int_equal(len, 0);
        assert_false(doe_object_encode(1, 2, NULL, 4, out, sizeof(out), &len));
}

static void doe_object_encode_takes_2_pow_18_dwords_and_refuses_one_byte_more(void **state)
{
        uint8_t *payload = calloc(1, DOE_MAX_OBJECT_SIZE), *out = malloc(DOE_MAX_OBJECT_SIZE + 8);
        size_t len, size;
        (void)state;
        assert_non_null(payload);
        assert_non_null(out);
        assert_true(doe_object_encode(1, 1, payload, DOE_MAX_PAYLOAD_SIZE, out, DOE_MAX_OBJECT_SIZE + 8, &len));
        assert_int_equal(len, 1u << 20);
        assert_int_equal(out[4] | out[5] | out[6] | out[7], 0); /* 2^18 DW encoded as 0 */
        assert_false(doe_object_encode(1, 1, payload, DOE_MAX_PAYLOAD_SIZE + 1, out, DOE_MAX_OBJECT_SIZE + 8, &len));
        assert_int_equal(len, 0);
        assert_false(doe_object_size(DOE_MAX_PAYLOAD_SIZE + 1, &size));
        assert_true(doe_object_size(DOE_MAX_PAYLOAD_SIZE - 3, &size));
        assert_int_equal(size, DOE_MAX_OBJECT_SIZE);
        free(payload);
        free(out);
}

static void doe_object_decode_returns_the_payload_with_its_pad(void **state)
{
        struct doe_object obj;
        (void)state;
        assert_true(doe_object_decode(obj32, sizeof(obj32), &obj, NULL));
        assert_int_equal(obj.vendor, DOE_VENDOR_PCI_SIG);
        assert_int_equal(obj.type, DOE_TYPE_SECURED_CMA_SPDM);
        assert_ptr_equal(obj.payload, obj32 + 8);
        assert_int_equal(obj.payload_len, 40);
}

static void doe_object_decode_rejects_a_length_that_disagrees_with_the_bytes_given(void **state)
{
        uint8_t longer[52];
        struct doe_object obj;
        char why[DOE_WHY_LEN] = "";
        (void)state;
        memcpy(longer, obj32, sizeof(obj32));
        memset(longer + 48, 0, 4);
        assert_false(doe_object_decode(obj32, 44, &obj, why)); /* one DW short */
        assert_non_null(strstr(why, "12 DW (48 bytes) but 44 bytes"));
        assert_null(obj.payload);
        assert_int_equal(obj.payload_len, 0);
        assert_false(doe_object_decode(longer, sizeof(longer), &obj, NULL)); /* one DW extra */
        assert_false(doe_object_decode(obj32, 47, &obj, NULL));              /* not a DW multiple */
}

static void doe_object_decode_rejects_length_below_two_dwords(void **state)
{
        static const uint8_t one[4 * 2] = { 1, 0, 1, 0, 1, 0, 0, 0 };
        struct doe_object obj;
        (void)state;
        assert_false(doe_object_decode(one, sizeof(one), &obj, NULL));
        assert_false(doe_object_decode(one, 4, &obj, NULL));
}

static void doe_object_decode_takes_every_object_of_the_recorded_emulator_session(void **state)
{
        struct doe_kat k;
        size_t types[3] = { 0 };
        (void)state;
        assert_int_equal(doe_kat_load(&k), 0);
        for (size_t i = 0; i < k.count; i++) {
                struct doe_object obj;
                char why[DOE_WHY_LEN] = "";
                const struct doe_kat_object *o = &k.obj[i];
                if (!doe_object_decode(o->bytes, o->len, &obj, why))
                        fail_msg("object %zu: %s", i, why);
                assert_int_equal(obj.vendor, DOE_VENDOR_PCI_SIG);
                assert_int_equal(obj.type, o->type);
                assert_int_equal(obj.payload_len + 8, (size_t)o->length_dw * 4);
                assert_int_equal(obj.payload_len, o->body + o->pad);
                assert_true(o->pad < 4);
                assert_in_range(obj.type, 0, 2);
                types[obj.type]++;
                /* re-encoding the unpadded body gives the recorded object back */
                uint8_t *again = malloc(o->len);
                size_t len;
                assert_non_null(again);
                assert_true(doe_object_encode(obj.vendor, obj.type, obj.payload, o->body, again, o->len, &len));
                assert_int_equal(len, o->len);
                assert_memory_equal(again, o->bytes, len);
                free(again);
        }
        assert_int_equal(types[0], 6); /* README: 6 discovery, 32 plain, 196 secured */
        assert_int_equal(types[1], 32);
        assert_int_equal(types[2], 196);
        doe_kat_free(&k);
}

/* Objects 0..5 of the recording: index 0, 1, 2 → types 0, 1, 2 with next 1, 2, 0. */
static void doe_discovery_codecs_match_the_recorded_exchange(void **state)
{
        static const uint8_t req_dw[3][4] = { { 0, 0, 0, 0 }, { 1, 0, 0, 0 }, { 2, 0, 0, 0 } };
        static const uint8_t rsp_dw[3][4] = { { 1, 0, 0, 1 }, { 1, 0, 1, 2 }, { 1, 0, 2, 0 } };
        (void)state;
        for (uint8_t i = 0; i < 3; i++) {
                struct doe_discovery_req req = { i, 0 }, rq;
                struct doe_discovery_rsp rs;
                uint8_t out[4];
                assert_true(doe_discovery_req_encode(out, sizeof(out), &req));
                assert_memory_equal(out, req_dw[i], 4);
                assert_true(doe_discovery_req_decode(req_dw[i], 4, &rq, NULL));
                assert_int_equal(rq.index, i);
                assert_true(doe_discovery_rsp_decode(rsp_dw[i], 4, &rs, NULL));
                assert_int_equal(rs.vendor, 1);
                assert_int_equal(rs.type, i);
                assert_int_equal(rs.next_index, i == 2 ? 0 : i + 1);
                assert_true(doe_discovery_rsp_encode(out, sizeof(out), &rs));
                assert_memory_equal(out, rsp_dw[i], 4);
        }
}

static void doe_discovery_req_carries_the_version_byte_and_ignores_reserved_bytes(void **state)
{
        static const uint8_t in[4] = { 3, 1, 0xaa, 0x55 };
        struct doe_discovery_req req = { 7, 1 };
        uint8_t out[4];
        (void)state;
        assert_true(doe_discovery_req_decode(in, 4, &req, NULL));
        assert_int_equal(req.index, 3);
        assert_int_equal(req.version, 1);
        req.index = 7;
        assert_true(doe_discovery_req_encode(out, sizeof(out), &req));
        assert_int_equal(out[0], 7);
        assert_int_equal(out[1], 1);
        assert_int_equal(out[2] | out[3], 0);
        assert_false(doe_discovery_req_encode(out, 3, &req));
}

static void doe_discovery_decoders_reject_a_payload_other_than_one_dword(void **state)
{
        static const uint8_t in[8] = { 0 };
        struct doe_discovery_req req;
        struct doe_discovery_rsp rsp;
        char why[DOE_WHY_LEN] = "";
        (void)state;
        assert_false(doe_discovery_req_decode(in, 8, &req, why));
        assert_non_null(strstr(why, "not 8"));
        assert_false(doe_discovery_req_decode(in, 3, &req, NULL));
        assert_false(doe_discovery_rsp_decode(in, 0, &rsp, NULL));
        assert_false(doe_discovery_rsp_decode(in, 8, &rsp, NULL));
}

static void doe_type_name_names_the_pci_sig_types_only(void **state)
{
        (void)state;
        assert_string_equal(doe_type_name(1, 0), "DISCOVERY");
        assert_string_equal(doe_type_name(1, 1), "CMA_SPDM");
        assert_string_equal(doe_type_name(1, 2), "SECURED_CMA_SPDM");
        assert_string_equal(doe_type_name(1, 3), "?");
        assert_string_equal(doe_type_name(0x1e98, 1), "?");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(doe_header_encode_writes_vendor_type_and_length_in_dwords_little_endian),
                cmocka_unit_test(doe_header_encode_writes_2_pow_18_dwords_as_zero),
                cmocka_unit_test(doe_header_encode_refuses_a_length_outside_2_to_2_pow_18),
                cmocka_unit_test(doe_header_decode_reads_length_zero_as_2_pow_18_dwords),
                cmocka_unit_test(doe_header_decode_rejects_length_below_two_dwords),
                cmocka_unit_test(doe_header_decode_rejects_fewer_than_eight_bytes),
                cmocka_unit_test(doe_header_decode_ignores_reserved_bits),
                cmocka_unit_test(doe_object_encode_pads_the_payload_with_zeros_to_a_dword),
                cmocka_unit_test(doe_object_encode_writes_an_empty_payload_as_a_bare_header),
                cmocka_unit_test(doe_object_encode_refuses_a_buffer_too_small_for_header_payload_and_pad),
                cmocka_unit_test(doe_object_encode_takes_2_pow_18_dwords_and_refuses_one_byte_more),
                cmocka_unit_test(doe_object_decode_returns_the_payload_with_its_pad),
                cmocka_unit_test(doe_object_decode_rejects_a_length_that_disagrees_with_the_bytes_given),
                cmocka_unit_test(doe_object_decode_rejects_length_below_two_dwords),
                cmocka_unit_test(doe_object_decode_takes_every_object_of_the_recorded_emulator_session),
                cmocka_unit_test(doe_discovery_codecs_match_the_recorded_exchange),
                cmocka_unit_test(doe_discovery_req_carries_the_version_byte_and_ignores_reserved_bytes),
                cmocka_unit_test(doe_discovery_decoders_reject_a_payload_other_than_one_dword),
                cmocka_unit_test(doe_type_name_names_the_pci_sig_types_only),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
