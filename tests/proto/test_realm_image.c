/* The Realm boot image codec (src/proto/realm_image.c): the layout the header documents,
 * written out here byte by byte, and every reason a parse refuses an image. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "proto/realm_image.h"

static uint64_t le_at(const uint8_t *b, size_t off, unsigned n)
{
        uint64_t v = 0;
        for (unsigned i = n; i-- > 0;)
                v = v << 8 | b[off + i];
        return v;
}

static void put_le(uint8_t *b, size_t off, unsigned n, uint64_t v)
{
        for (unsigned i = 0; i < n; i++)
                b[off + i] = (uint8_t)(v >> (8 * i));
}

static struct realm_image_info sample(void)
{
        struct realm_image_info i = { .ram_base = 0x80000000, .ram_size = 32 << 20, .console_base = 0x1000000,
                                      .pci_ecam = 0x40000000, .pci_mmio_base = 0x50000000,
                                      .pci_mmio_size = 0x10000000 };
        snprintf(i.cmdline, sizeof(i.cmdline), "%s", "console=ttyAMA0 ccada.seed=1");
        return i;
}

static void realm_image_build_writes_the_documented_layout(void **state)
{
        struct realm_image_info info = sample();
        uint8_t b[REALM_IMAGE_SIZE];
        (void)state;
        memset(b, 0xAA, sizeof(b));
        assert_true(realm_image_build(&info, b, sizeof(b)));
        assert_memory_equal(b, "CCADAKRN", 8);
        assert_int_equal(le_at(b, 0x08, 4), 1);
        assert_int_equal(le_at(b, 0x0C, 4), 4096);
        assert_int_equal(le_at(b, 0x10, 8), 0x80000000);
        assert_int_equal(le_at(b, 0x18, 8), 32 << 20);
        assert_int_equal(le_at(b, 0x20, 8), 0x1000000);
        assert_int_equal(le_at(b, 0x28, 8), 0x40000000);
        assert_int_equal(le_at(b, 0x30, 8), 0x50000000);
        assert_int_equal(le_at(b, 0x38, 8), 0x10000000);
        assert_string_equal((const char *)b + 0x40, "console=ttyAMA0 ccada.seed=1");
        for (size_t i = 0x40 + strlen(info.cmdline); i < sizeof(b); i++)
                assert_int_equal(b[i], 0);
}

static void realm_image_round_trips(void **state)
{
        struct realm_image_info info = sample(), back;
        uint8_t b[REALM_IMAGE_SIZE];
        (void)state;
        assert_true(realm_image_build(&info, b, sizeof(b)));
        memset(&back, 0x55, sizeof(back));
        assert_true(realm_image_parse(b, sizeof(b), &back));
        assert_int_equal(back.ram_base, info.ram_base);
        assert_int_equal(back.ram_size, info.ram_size);
        assert_int_equal(back.console_base, info.console_base);
        assert_int_equal(back.pci_ecam, info.pci_ecam);
        assert_int_equal(back.pci_mmio_base, info.pci_mmio_base);
        assert_int_equal(back.pci_mmio_size, info.pci_mmio_size);
        assert_string_equal(back.cmdline, info.cmdline);
}

static void realm_image_build_refuses_a_short_buffer_and_a_command_line_without_room_for_its_nul(void **state)
{
        struct realm_image_info info = sample();
        uint8_t b[REALM_IMAGE_SIZE];
        (void)state;
        assert_false(realm_image_build(&info, b, sizeof(b) - 1));
        memset(info.cmdline, 'x', sizeof(info.cmdline)); /* 1024 characters, no NUL */
        assert_false(realm_image_build(&info, b, sizeof(b)));
        info.cmdline[REALM_IMAGE_CMDLINE_MAX - 1] = '\0'; /* 1023: the longest that fits */
        assert_true(realm_image_build(&info, b, sizeof(b)));
}

/* One corruption per refusal reason; each must fail on an otherwise good image. */
static void realm_image_parse_refuses_each_malformed_field(void **state)
{
        struct realm_image_info info = sample(), out;
        uint8_t good[REALM_IMAGE_SIZE], b[REALM_IMAGE_SIZE];
        (void)state;
        assert_true(realm_image_build(&info, good, sizeof(good)));
        struct { size_t off; unsigned n; uint64_t v; const char *why; } bad[] = {
                { 0x00, 1, 'X', "magic" },
                { 0x08, 4, 2, "version" },
                { 0x0C, 4, 8192, "image size" },
                { 0x18, 8, 0, "zero RAM" },
                { 0x18, 8, (32 << 20) + 1, "RAM size not in pages" },
                { 0x10, 8, 0x80000800, "RAM base not page-aligned" },
                { 0x10, 8, UINT64_MAX - 4095, "RAM wraps around" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                memcpy(b, good, sizeof(b));
                put_le(b, bad[i].off, bad[i].n, bad[i].v);
                if (realm_image_parse(b, sizeof(b), &out))
                        fail_msg("parsed an image with a bad %s", bad[i].why);
        }
        memcpy(b, good, sizeof(b));
        memset(b + 0x40, 'x', REALM_IMAGE_CMDLINE_MAX); /* command line not terminated */
        assert_false(realm_image_parse(b, sizeof(b), &out));
        assert_false(realm_image_parse(good, 0x40 + REALM_IMAGE_CMDLINE_MAX - 1, &out)); /* truncated */
        assert_true(realm_image_parse(good, sizeof(good), &out));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(realm_image_build_writes_the_documented_layout),
                cmocka_unit_test(realm_image_round_trips),
                cmocka_unit_test(realm_image_build_refuses_a_short_buffer_and_a_command_line_without_room_for_its_nul),
                cmocka_unit_test(realm_image_parse_refuses_each_malformed_field),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
