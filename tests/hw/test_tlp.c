/* src/hw/tlp.c: the TLP codec. Byte layouts written out here from PCIe 6.2 §2.2 (DW0 Fmt/Type
 * and Length, request DW1 IDs/tag/byte enables, 32- and 64-bit address DWs, completion DW1
 * and DW2) and the IDE prefix of tlp.h; round trips; every truncation; every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "hw/tlp.h"

static const uint8_t payload[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

static bool all_zero(const void *p, size_t n)
{
        const uint8_t *b = p;
        for (size_t i = 0; i < n; i++)
                if (b[i])
                        return false;
        return true;
}

static void tlp_encode_writes_a_3dw_memory_write_in_the_pcie_layout(void **state)
{
        /* Fmt 010b Type 00000b, Length 4 DW | RID 0x0108 | tag 0x2c | BE ff | addr 0x80001000 */
        static const uint8_t want[12 + 16] = { 0x40, 0x00, 0x00, 0x04, 0x01, 0x08, 0x2c, 0xff, 0x80, 0x00, 0x10, 0x00,
                                               0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
        struct hw_tlp t = { .kind = HW_TLP_MWR, .requester_id = 0x0108, .tag = 0x2c, .addr = 0x80001000, .len = 16,
                            .data = payload },
                      back;
        uint8_t out[64];
        size_t n;
        char why[HW_TLP_WHY_LEN];
        (void)state;
        assert_true(hw_tlp_encode(&t, out, sizeof(out), &n, why));
        assert_int_equal(n, sizeof(want));
        assert_memory_equal(out, want, n);
        assert_true(hw_tlp_decode(want, sizeof(want), &back, why));
        assert_int_equal(back.kind, HW_TLP_MWR);
        assert_int_equal(back.requester_id, 0x0108);
        assert_int_equal(back.tag, 0x2c);
        assert_int_equal(back.addr, 0x80001000);
        assert_int_equal(back.len, 16);
        assert_ptr_equal(back.data, want + 12);
        assert_false(back.ide.present);
        assert_null(back.mac);
}

static void tlp_encode_uses_a_4dw_header_only_above_4gib(void **state)
{
        /* Fmt 001b (MRd, 4 DW, no data), Length 1024 DW written as 0, BE ff, addr 0x12_3456_7000 */
        static const uint8_t want[16] = { 0x20, 0x00, 0x00, 0x00, 0x00, 0x10, 0x09, 0xff,
                                          0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x70, 0x00 };
        struct hw_tlp t = { .kind = HW_TLP_MRD, .requester_id = 0x0010, .tag = 9, .addr = 0x1234567000ull,
                            .len = 4096 },
                      back;
        uint8_t out[64], bad[16];
        size_t n;
        char why[HW_TLP_WHY_LEN];
        (void)state;
        assert_true(hw_tlp_encode(&t, out, sizeof(out), &n, why));
        assert_int_equal(n, 16);
        assert_memory_equal(out, want, 16);
        assert_true(hw_tlp_decode(want, 16, &back, why));
        assert_int_equal(back.len, 4096);
        assert_int_equal(back.addr, 0x1234567000ull);
        /* the same read below 4 GiB in a 4-DW header is not canonical: refused */
        memcpy(bad, want, 16);
        memset(bad + 8, 0, 4);
        assert_false(hw_tlp_decode(bad, 16, &back, why));
        assert_non_null(strstr(why, "below 4 GiB"));
}

static void tlp_encode_writes_a_1dw_read_with_last_byte_enables_zero(void **state)
{
        static const uint8_t want[12] = { 0x00, 0x00, 0x00, 0x01, 0xab, 0xcd, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x40 };
        struct hw_tlp t = { .kind = HW_TLP_MRD, .requester_id = 0xabcd, .tag = 0, .addr = 0x40, .len = 4 };
        uint8_t out[16];
        size_t n;
        (void)state;
        assert_true(hw_tlp_encode(&t, out, sizeof(out), &n, NULL));
        assert_memory_equal(out, want, 12);
}

static void tlp_encode_writes_completions_with_byte_count_and_lower_address(void **state)
{
        /* CplD: Fmt 010b Type 01010b, Length 2 | CID 0x0000 | status SC, BC 8 | RID 0x0100 | tag 7 | LA 0x24 */
        static const uint8_t cpld[12 + 8] = { 0x4a, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x08, 0x01, 0x00,
                                              0x07, 0x24, 0, 1, 2, 3, 4, 5, 6, 7 };
        /* Cpl UR: Fmt 000b, Length 0 | CID 0x0200 | status 001b, BC 4096 as 0 | RID 0x0100 | tag 8 | LA 0 */
        static const uint8_t cpl[12] = { 0x0a, 0x00, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x01, 0x00, 0x08, 0x00 };
        struct hw_tlp d = { .kind = HW_TLP_CPLD, .completer_id = 0, .requester_id = 0x0100, .tag = 7, .addr = 0x24,
                            .len = 8, .data = payload },
                      u = { .kind = HW_TLP_CPL, .completer_id = 0x0200, .requester_id = 0x0100, .tag = 8,
                            .status = HW_TLP_UR, .len = 4096 },
                      back;
        uint8_t out[64];
        size_t n;
        char why[HW_TLP_WHY_LEN];
        (void)state;
        assert_true(hw_tlp_encode(&d, out, sizeof(out), &n, why));
        assert_int_equal(n, sizeof(cpld));
        assert_memory_equal(out, cpld, n);
        assert_true(hw_tlp_encode(&u, out, sizeof(out), &n, why));
        assert_int_equal(n, sizeof(cpl));
        assert_memory_equal(out, cpl, n);
        assert_true(hw_tlp_decode(cpl, sizeof(cpl), &back, why));
        assert_int_equal(back.kind, HW_TLP_CPL);
        assert_int_equal(back.status, HW_TLP_UR);
        assert_int_equal(back.len, 4096);
        assert_int_equal(back.completer_id, 0x0200);
        assert_null(back.data);
}

/* PCIe 6.2 §2.3.1.1: the first of three completions of a 160-byte read at ...0x1044: Byte Count 160
 * (all of it still to come), Length 15 DW (up to the 64-byte boundary at 0x1080), Lower
 * Address 0x44; the last one has Byte Count = its Length. */
static void tlp_split_completion_has_byte_count_above_its_length(void **state)
{
        /* CplD, Length 15 | CID 0x0008 | SC, BC 0x0A0 | RID 0x0018 | tag 0x31 | LA 0x44 */
        static const uint8_t hdr[12] = { 0x4a, 0x00, 0x00, 0x0f, 0x00, 0x08, 0x00, 0xa0, 0x00, 0x18, 0x31, 0x44 };
        /* the last: Length 25 DW, BC 100, LA 0x00 (at 0x1100) */
        static const uint8_t last_hdr[12] = { 0x4a, 0x00, 0x00, 0x19, 0x00, 0x08, 0x00, 0x64, 0x00, 0x18, 0x31, 0x00 };
        static uint8_t data[100];
        struct hw_tlp first = { .kind = HW_TLP_CPLD, .completer_id = 0x0008, .requester_id = 0x0018, .tag = 0x31,
                                .addr = 0x44, .len = 60, .byte_count = 160, .data = data },
                      last = { .kind = HW_TLP_CPLD, .completer_id = 0x0008, .requester_id = 0x0018, .tag = 0x31,
                               .addr = 0x00, .len = 100, .byte_count = 100, .data = data },
                      back;
        uint8_t out[256];
        size_t n;
        char why[HW_TLP_WHY_LEN];
        (void)state;
        assert_true(hw_tlp_encode(&first, out, sizeof(out), &n, why));
        assert_int_equal(n, 12 + 60);
        assert_memory_equal(out, hdr, sizeof(hdr));
        assert_true(hw_tlp_decode(out, n, &back, why));
        assert_int_equal(back.len, 60);
        assert_int_equal(back.byte_count, 160);
        assert_int_equal(back.addr, 0x44);
        assert_true(hw_tlp_encode(&last, out, sizeof(out), &n, why));
        assert_memory_equal(out, last_hdr, sizeof(last_hdr));
        /* byte_count 0 is the same last completion */
        last.byte_count = 0;
        assert_true(hw_tlp_encode(&last, out, sizeof(out), &n, why));
        assert_memory_equal(out, last_hdr, sizeof(last_hdr));
        assert_true(hw_tlp_decode(out, n, &back, why));
        assert_int_equal(back.byte_count, 100);
}

static void tlp_encode_puts_the_ide_prefix_first_and_the_mac_last(void **state)
{
        static const uint8_t mac[12] = { 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb };
        /* 0x92 | M K T P 0 sub=NPR -> 0xe1 | stream 0x2a | PR_Sent_Counter 5 ; MRd 3-DW ; MAC */
        static const uint8_t want[4 + 12 + 12] = { 0x92, 0xe1, 0x2a, 0x05, 0x00, 0x00, 0x00, 0x02, 0x01, 0x00, 0x03,
                                                   0xff, 0x00, 0x00, 0x20, 0x00, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5,
                                                   0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb };
        struct hw_tlp t = { .kind = HW_TLP_MRD,
                            .ide = { .present = true, .t = true, .k = true, .m = true, .sub_stream = HW_IDE_NPR,
                                     .stream_id = 0x2a, .pr_sent_counter = 5 },
                            .requester_id = 0x0100, .tag = 3, .addr = 0x2000, .len = 8, .mac = mac },
                      back;
        uint8_t out[64];
        size_t n;
        char why[HW_TLP_WHY_LEN];
        (void)state;
        assert_true(hw_tlp_encode(&t, out, sizeof(out), &n, why));
        assert_int_equal(n, sizeof(want));
        assert_memory_equal(out, want, n);
        assert_int_equal(hw_tlp_hdr_len(&t), 16);
        assert_true(hw_tlp_decode(want, sizeof(want), &back, why));
        assert_memory_equal(&back.ide, &t.ide, sizeof(t.ide));
        assert_ptr_equal(back.mac, want + 16);
}

/* Every TLP kind, with and without prefix, 3- and 4-DW: encode, decode, encode again. */
static void tlp_decode_then_encode_gives_back_the_same_bytes(void **state)
{
        static uint8_t big[HW_TLP_MAX_DATA];
        const struct hw_tlp cases[] = {
                { .kind = HW_TLP_MWR, .requester_id = 1, .tag = 2, .addr = 0xffc, .len = 4, .data = payload },
                { .kind = HW_TLP_MWR, .requester_id = 1, .tag = 2, .addr = 0xffffffff000ull, .len = 4096, .data = big },
                { .kind = HW_TLP_MRD, .requester_id = 0xffff, .tag = 0xff, .addr = 0xfffffffc, .len = 4 },
                { .kind = HW_TLP_CPL, .completer_id = 3, .requester_id = 4, .tag = 5, .status = HW_TLP_CA, .len = 12 },
                { .kind = HW_TLP_CPLD, .completer_id = 3, .requester_id = 4, .tag = 5, .addr = 0x7c, .len = 4096,
                  .data = big },
                { .kind = HW_TLP_CPLD, .completer_id = 3, .requester_id = 4, .tag = 5, .addr = 0x40, .len = 256,
                  .byte_count = 4096, .data = big },
                { .kind = HW_TLP_CPLD, .completer_id = 3, .requester_id = 4, .tag = 5, .addr = 0x04, .len = 60,
                  .byte_count = 1020, .data = big },
                { .kind = HW_TLP_MWR, .ide = { .present = true, .m = true, .sub_stream = HW_IDE_PR, .stream_id = 9 },
                  .requester_id = 1, .addr = 0x10, .len = 16, .data = payload },
                { .kind = HW_TLP_CPLD, .ide = { .present = true, .t = true, .sub_stream = HW_IDE_CPL,
                                                .pr_sent_counter = 0xff },
                  .len = 16, .data = payload },
        };
        static uint8_t a[HW_TLP_MAX_WIRE], b[HW_TLP_MAX_WIRE];
        char why[HW_TLP_WHY_LEN];
        (void)state;
        for (size_t i = 0; i < sizeof(big); i++)
                big[i] = (uint8_t)(i * 7);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct hw_tlp back;
                size_t n, m;
                assert_true(hw_tlp_encode(&cases[i], a, sizeof(a), &n, why));
                assert_int_equal(n, hw_tlp_wire_len(&cases[i]));
                assert_true(hw_tlp_decode(a, n, &back, why));
                assert_int_equal(back.kind, cases[i].kind);
                assert_int_equal(back.len, cases[i].len);
                assert_int_equal(back.addr, cases[i].addr);
                if (cases[i].kind == HW_TLP_CPLD) /* filled in even where the case left it 0 */
                        assert_int_equal(back.byte_count, cases[i].byte_count ? cases[i].byte_count : cases[i].len);
                else
                        assert_int_equal(back.byte_count, 0);
                assert_true(hw_tlp_encode(&back, b, sizeof(b), &m, why));
                assert_int_equal(m, n);
                assert_memory_equal(a, b, n);
                /* every truncation and one trailing byte are refused, leaving *out zero */
                for (size_t cut = 0; cut < n; cut++) {
                        memset(&back, 0xa5, sizeof(back));
                        assert_false(hw_tlp_decode(a, cut, &back, why));
                        assert_true(all_zero(&back, sizeof(back)));
                }
                a[n] = 0;
                assert_false(hw_tlp_decode(a, n + 1, &back, why));
                assert_non_null(strstr(why, "trailing"));
                /* and the encoder needs room for all of it */
                assert_false(hw_tlp_encode(&cases[i], b, n - 1, &m, why));
                assert_int_equal(m, 0);
        }
}

static void tlp_decode_refuses_what_the_model_does_not_produce(void **state)
{
        static const struct {
                uint8_t b[20];
                size_t len;
                const char *why;
        } bad[] = {
                { { 0x40, 0, 0, 1, 0, 0, 0, 0x0f, 0, 0, 0, 0, 1, 2, 3, 4 }, 16, NULL },      /* sanity: accepted */
                { { 0x44, 0, 0, 1 }, 16, "Fmt/Type 0x44" },                                    /* IO write */
                { { 0x04, 0, 0, 1 }, 12, "Fmt/Type 0x04" },                                    /* config read */
                { { 0x40, 0x10, 0, 1 }, 16, "T9/TC" },                                         /* TC1 */
                { { 0x40, 0, 0x80, 1 }, 16, "TD/EP" },                                         /* ECRC */
                { { 0x40, 0, 0x40, 1 }, 16, "TD/EP" },                                         /* poisoned */
                { { 0x40, 0, 0, 1, 0, 0, 0, 0x07, 0, 0, 0, 0 }, 16, "byte enables 0x07" },
                { { 0x40, 0, 0, 2, 0, 0, 0, 0x0f, 0, 0, 0, 0 }, 20, "byte enables 0x0f for 2 DW" },
                { { 0x40, 0, 0, 1, 0, 0, 0, 0x0f, 0, 0, 0, 1 }, 16, "PH bits" },
                { { 0x40, 0, 0, 2, 0, 0, 0, 0xff, 0, 0, 0x0f, 0xfc }, 20, "crosses a 4 KiB" },
                { { 0x0a, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 0 }, 12, "a Cpl with Length 1" },
                { { 0x0a, 0, 0, 0, 0, 0, 0x60, 4, 0, 0, 0, 0 }, 12, "status 3 is reserved" },
                { { 0x0a, 0, 0, 0, 0, 0, 0x10, 4, 0, 0, 0, 0 }, 12, "BCM" },
                { { 0x0a, 0, 0, 0, 0, 0, 0x00, 5, 0, 0, 0, 0 }, 12, "length 5" },
                { { 0x4a, 0, 0, 1, 0, 0, 0x20, 4, 0, 0, 0, 0 }, 16, "CplD with status 1" },
                { { 0x4a, 0, 0, 1, 0, 0, 0x00, 8, 0, 0, 0, 0 }, 16, NULL },                   /* split: accepted */
                { { 0x4a, 0, 0, 2, 0, 0, 0x00, 4, 0, 0, 0, 0 }, 20, "Byte Count 4 below the 8" },
                { { 0x4a, 0, 0, 1, 0, 0, 0x00, 6, 0, 0, 0, 0 }, 16, "Byte Count 6 is not a DW" },
                { { 0x4a, 0, 0, 1, 0, 0, 0x00, 4, 0, 0, 0, 0x80 }, 16, "reserved bit" },
                { { 0x4a, 0, 0, 1, 0, 0, 0x00, 4, 0, 0, 0, 0x02 }, 16, "lower address 0x2" },
                { { 0x90, 0, 0, 0, 0x00, 0, 0, 1 }, 16, "not the IDE prefix" },
                { { 0x92, 0x08, 0, 0, 0x00, 0, 0, 1 }, 16, "reserved bit" },
                { { 0x92, 0x03, 0, 0, 0x00, 0, 0, 1 }, 16, "sub-stream 3 is reserved" },
                { { 0x92, 0x10, 0, 0, 0x40, 0, 0, 1, 0, 0, 0, 0x0f, 0, 0, 0, 0 }, 20, "PCRC" },
                { { 0x92, 0x01, 0, 0, 0x40, 0, 0, 1, 0, 0, 0, 0x0f, 0, 0, 0, 0 }, 20, "sub-stream 1 on a MWr" },
                { { 0x92, 0x00, 0, 1, 0x40, 0, 0, 1, 0, 0, 0, 0x0f, 0, 0, 0, 0 }, 20, "PR_Sent_Counter 1 on a posted" },
                { { 0x92, 0x00, 0, 0, 0x92, 0, 0, 0 }, 20, "a second TLP prefix" },
        };
        char why[HW_TLP_WHY_LEN];
        struct hw_tlp out;
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                why[0] = '\0';
                bool ok = hw_tlp_decode(bad[i].b, bad[i].len, &out, why);
                if (!bad[i].why) {
                        assert_true(ok);
                        continue;
                }
                if (ok || !strstr(why, bad[i].why))
                        fail_msg("case %zu: want a refusal with \"%s\", got %s \"%s\"", i, bad[i].why,
                                 ok ? "acceptance" : "refusal", why);
                assert_true(all_zero(&out, sizeof(out)));
        }
        assert_false(hw_tlp_decode(NULL, 0, &out, why));
        assert_false(hw_tlp_decode(NULL, 5, &out, why));
}

static void tlp_encode_refuses_what_it_could_not_decode(void **state)
{
        static const struct {
                struct hw_tlp t;
                const char *why;
        } bad[] = {
                { { .kind = (enum hw_tlp_kind)9, .len = 4 }, "kind 9" },
                { { .kind = HW_TLP_MRD, .len = 0 }, "length 0" },
                { { .kind = HW_TLP_MRD, .len = 6 }, "length 6" },
                { { .kind = HW_TLP_MRD, .len = 4100 }, "length 4100" },
                { { .kind = HW_TLP_MWR, .len = 4 }, "without its payload" },
                { { .kind = HW_TLP_MRD, .len = 4, .data = payload }, "carries no payload" },
                { { .kind = HW_TLP_MRD, .len = 4, .addr = 2 }, "not DW aligned" },
                { { .kind = HW_TLP_MRD, .len = 8, .addr = 0xffc }, "crosses a 4 KiB" },
                { { .kind = HW_TLP_MRD, .len = 4, .status = 1 }, "status on a request" },
                { { .kind = HW_TLP_CPL, .len = 4, .status = 5 }, "status 5" },
                { { .kind = HW_TLP_CPLD, .len = 4, .status = 1, .data = payload }, "CplD with status 1" },
                { { .kind = HW_TLP_CPL, .len = 4, .addr = 0x80 }, "lower address" },
                { { .kind = HW_TLP_CPLD, .len = 8, .byte_count = 4, .data = payload }, "Byte Count 4 below" },
                { { .kind = HW_TLP_CPLD, .len = 8, .byte_count = 4100, .data = payload }, "Byte Count 4100" },
                { { .kind = HW_TLP_CPLD, .len = 8, .byte_count = 10, .data = payload }, "Byte Count 10" },
                { { .kind = HW_TLP_CPL, .len = 8, .byte_count = 8 }, "byte_count on a Cpl" },
                { { .kind = HW_TLP_MRD, .len = 8, .byte_count = 8 }, "byte_count on a MRd" },
                { { .kind = HW_TLP_MRD, .len = 4, .ide = { .t = true } }, "without the IDE prefix" },
                { { .kind = HW_TLP_MRD, .len = 4, .mac = payload }, "a MAC on a TLP without" },
                { { .kind = HW_TLP_MRD, .len = 4, .ide = { .present = true, .p = true, .sub_stream = 1 } }, "PCRC" },
                { { .kind = HW_TLP_MRD, .len = 4, .ide = { .present = true, .sub_stream = 2 } }, "sub-stream 2" },
        };
        uint8_t out[64];
        size_t n;
        char why[HW_TLP_WHY_LEN];
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                why[0] = '\0';
                bool ok = hw_tlp_encode(&bad[i].t, out, sizeof(out), &n, why);
                if (ok || !strstr(why, bad[i].why))
                        fail_msg("case %zu: want a refusal with \"%s\", got \"%s\"", i, bad[i].why, why);
                assert_int_equal(n, 0);
        }
}

static void tlp_names_cover_every_kind_and_sub_stream(void **state)
{
        (void)state;
        assert_string_equal(hw_tlp_kind_name(HW_TLP_CPLD), "CplD");
        assert_string_equal(hw_tlp_kind_name((enum hw_tlp_kind)7), "?");
        assert_string_equal(hw_ide_sub_stream_name(HW_IDE_NPR), "NPR");
        assert_int_equal(hw_tlp_sub_stream(HW_TLP_MWR), HW_IDE_PR);
        assert_int_equal(hw_tlp_sub_stream(HW_TLP_MRD), HW_IDE_NPR);
        assert_int_equal(hw_tlp_sub_stream(HW_TLP_CPL), HW_IDE_CPL);
        assert_int_equal(hw_tlp_sub_stream(HW_TLP_CPLD), HW_IDE_CPL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(tlp_encode_writes_a_3dw_memory_write_in_the_pcie_layout),
                cmocka_unit_test(tlp_encode_uses_a_4dw_header_only_above_4gib),
                cmocka_unit_test(tlp_encode_writes_a_1dw_read_with_last_byte_enables_zero),
                cmocka_unit_test(tlp_encode_writes_completions_with_byte_count_and_lower_address),
                cmocka_unit_test(tlp_split_completion_has_byte_count_above_its_length),
                cmocka_unit_test(tlp_encode_puts_the_ide_prefix_first_and_the_mac_last),
                cmocka_unit_test(tlp_decode_then_encode_gives_back_the_same_bytes),
                cmocka_unit_test(tlp_decode_refuses_what_the_model_does_not_produce),
                cmocka_unit_test(tlp_encode_refuses_what_it_could_not_decode),
                cmocka_unit_test(tlp_names_cover_every_kind_and_sub_stream),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
