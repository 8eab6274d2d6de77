/* src/realm/boot.c and the kernel's bring-up, booted on a fake CPU (tests/kit/fake_cpu.h):
 * the lines a Linux Realm prints as it prints them (arch/arm64/kernel/rsi.c,
 * kernel/dma/swiotlb.c), ccada's own lines marked "ccada:", and Linux's way with an RMM that
 * refuses RSI 1.0 (it says so and goes on as a non-Realm guest; no panic). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/report.h"
#include "ccada/rsi.h"
#include "fake_cpu.h"
#include "realm/boot.h"
#include "realm/kernel.h"
#include "realm/swiotlb.h"

#define RAM (16ull << 20)

/* Boots a kernel without init on c; returns the console. */
static const char *boot(struct fake_cpu *c, struct realm_kernel **out)
{
        uint64_t x[8] = { c->ram_base };
        assert_true(realm_kernel_create(out, NULL, NULL));
        realm_kernel_entry(*out, &c->cpu, 0, x);
        assert_true(c->off); /* powered off at the end */
        return fake_cpu_console(c);
}

static bool report_bool(struct realm_kernel *k, const char *section, const char *key)
{
        struct ccada_report_value v;
        assert_true(ccada_report_get(realm_kernel_report(k), section, key, &v));
        return v.b;
}

static void boot_prints_the_lower_rsi_revision_as_linux(void **state)
{
        struct fake_cpu c;
        struct realm_kernel *k;
        (void)state;
        fake_cpu_init(&c, RAM, "");
        c.version_higher = RSI_ABI_VERSION(1, 1); /* the RMM could do 1.1; it gives 1.0 */
        const char *out = boot(&c, &k);
        assert_non_null(strstr(out, "RME: Using RSI version 1.0\n"));
        assert_true(report_bool(k, "", "is_realm"));
        realm_kernel_destroy(k);
        fake_cpu_fini(&c);
}

static void boot_with_rsi_version_refused_says_so_as_linux_and_goes_on_as_a_non_realm(void **state)
{
        struct fake_cpu c;
        struct realm_kernel *k;
        (void)state;
        fake_cpu_init(&c, RAM, "");
        c.version_status = RSI_ERROR_INPUT;
        c.version_lower = RSI_ABI_VERSION(2, 0);
        c.version_higher = RSI_ABI_VERSION(3, 1);
        const char *out = boot(&c, &k);
        assert_non_null(strstr(out, "RME: RMM doesn't support RSI version 1.0. Supported range: 2.0-3.1\n"));
        assert_null(strstr(out, "panic"));
        assert_null(strstr(out, "software IO TLB")); /* no bounce pool: not a Realm */
        assert_false(report_bool(k, "", "is_realm"));
        assert_true(report_bool(k, "checks", "booted"));
        realm_kernel_destroy(k);
        fake_cpu_fini(&c);
}

static void boot_with_realm_config_failing_goes_on_as_a_non_realm(void **state)
{
        struct fake_cpu c;
        struct realm_kernel *k;
        (void)state;
        fake_cpu_init(&c, RAM, "");
        c.config_status = RSI_ERROR_INPUT;
        const char *out = boot(&c, &k);
        assert_non_null(strstr(out, "ccada: RSI_REALM_CONFIG failed or gave no usable IPA width: not a Realm\n"));
        assert_null(strstr(out, "RME: Using"));
        assert_false(report_bool(k, "", "is_realm"));
        realm_kernel_destroy(k);
        fake_cpu_fini(&c);
}

static void boot_without_rsi_is_a_normal_vm_and_says_so_as_ccada(void **state)
{
        struct fake_cpu c;
        struct realm_kernel *k;
        (void)state;
        fake_cpu_init(&c, RAM, "");
        c.rsi_absent = true;
        const char *out = boot(&c, &k);
        assert_non_null(strstr(out, "ccada: no RMM (RSI not supported): a normal VM\n"));
        assert_null(strstr(out, "RME:"));
        assert_false(report_bool(k, "", "is_realm"));
        assert_true(report_bool(k, "checks", "booted"));
        realm_kernel_destroy(k);
        fake_cpu_fini(&c);
}

/* Every line is one Linux prints (by its prefix) or says "ccada:". */
static void boot_prints_linux_lines_and_marks_its_own(void **state)
{
        static const char *const linux_prefixes[] = { "RME: ", "software IO TLB: ", "reboot: " };
        struct fake_cpu c;
        struct realm_kernel *k;
        (void)state;
        fake_cpu_init(&c, RAM, "");
        char *out = strdup(boot(&c, &k));
        assert_non_null(out);
        unsigned lines = 0;
        for (char *save = NULL, *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                bool ok = strncmp(l, "ccada: ", 7) == 0;
                for (size_t i = 0; i < sizeof(linux_prefixes) / sizeof(linux_prefixes[0]); i++)
                        ok |= strncmp(l, linux_prefixes[i], strlen(linux_prefixes[i])) == 0;
                if (!ok)
                        fail_msg("line neither Linux's nor marked ccada: '%s'", l);
                lines++;
        }
        assert_true(lines >= 5);
        free(out);
        realm_kernel_destroy(k);
        fake_cpu_fini(&c);
}

/* swiotlb_print_info prints mem->start and mem->end, the end exclusive; and the
 * "Memory encryption is active" warning waits for the first bounce. */
static void boot_swiotlb_lines_print_the_exclusive_end_and_no_encryption_warning(void **state)
{
        struct fake_cpu c;
        struct realm_kernel *k;
        unsigned long long start, end;
        unsigned mb;
        (void)state;
        fake_cpu_init(&c, RAM, "swiotlb=2048");
        const char *out = boot(&c, &k);
        const char *m = strstr(out, "software IO TLB: mapped [mem ");
        assert_non_null(m);
        assert_int_equal(sscanf(m, "software IO TLB: mapped [mem 0x%llx-0x%llx] (%uMB)", &start, &end, &mb), 3);
        assert_int_equal(end - start, 4ull << 20);
        assert_int_equal(mb, 4);
        assert_null(strstr(out, "Memory encryption is active"));
        realm_kernel_destroy(k);
        fake_cpu_fini(&c);
}

/* Without "swiotlb=" the pool is Linux's IO_TLB_DEFAULT_SIZE, 64 MiB, printed as Linux
 * prints it; no "adjusted" line when it fits. */
static void swiotlb_default_pool_is_linux_64m_when_ram_allows(void **state)
{
        struct fake_cpu c;
        struct realm_kernel *k;
        (void)state;
        fake_cpu_init(&c, 128ull << 20, "");
        const char *out = boot(&c, &k);
        assert_non_null(strstr(out, "software IO TLB: area num 1.\n"));
        assert_non_null(strstr(out, "] (64MB)\n"));
        assert_null(strstr(out, "adjusted"));
        realm_kernel_destroy(k);
        fake_cpu_fini(&c);
}

/* swiotlb_init_remap: when the allocation fails, halve (aligned to a segment) and retry,
 * then say so: 32768 slabs do not fit in 16 MiB of RAM, nor 16384 nor 8192; 4096 do. */
static void swiotlb_default_pool_halves_like_linux_when_ram_is_short(void **state)
{
        struct fake_cpu c;
        struct realm_kernel *k;
        (void)state;
        fake_cpu_init(&c, 16ull << 20, "");
        const char *out = boot(&c, &k);
        const char *adj = strstr(out, "software IO TLB: SWIOTLB bounce buffer size adjusted 32768 -> 4096 slabs\n");
        const char *mapped = strstr(out, "] (8MB)\n");
        assert_non_null(adj);
        assert_non_null(mapped);
        assert_true(adj < mapped); /* as Linux orders them: adjusted, then mapped */
        realm_kernel_destroy(k);
        fake_cpu_fini(&c);
}

/* swiotlb.alloc=bitmap (ccada, beyond Linux) puts the pool on the bitmap allocator; an
 * unknown value keeps Linux's list and says so; without it, Linux's list. */
static void swiotlb_alloc_on_the_command_line_picks_the_allocator(void **state)
{
        static const struct {
                const char *cmdline;
                enum swiotlb_alloc alloc;
                const char *says;
        } cases[] = {
                { "swiotlb=2048", SWIOTLB_ALLOC_LIST, NULL },
                { "swiotlb=2048 swiotlb.alloc=bitmap", SWIOTLB_ALLOC_BITMAP, NULL },
                { "swiotlb=2048 swiotlb.alloc=list", SWIOTLB_ALLOC_LIST, NULL },
                { "swiotlb=2048 swiotlb.alloc=bitmapx", SWIOTLB_ALLOC_LIST, "ccada: swiotlb.alloc=bitmapx: unknown, using list\n" },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct fake_cpu c;
                struct realm_kernel *k;
                fake_cpu_init(&c, RAM, cases[i].cmdline);
                const char *out = boot(&c, &k);
                assert_non_null(strstr(out, "software IO TLB: mapped [mem "));
                assert_int_equal(swiotlb_allocator(rk_default_swiotlb(k)), cases[i].alloc);
                if (cases[i].says)
                        assert_non_null(strstr(out, cases[i].says));
                else
                        assert_null(strstr(out, "swiotlb.alloc"));
                realm_kernel_destroy(k);
                fake_cpu_fini(&c);
        }
}

/* Below IO_TLB_MIN_SLABS (1 MiB) Linux gives up: no pool, and a Realm cannot do I/O. */
static void swiotlb_boot_pool_gives_up_below_the_minimum(void **state)
{
        struct fake_cpu c;
        struct realm_kernel *k;
        (void)state;
        fake_cpu_init(&c, 1ull << 20, "");
        const char *out = boot(&c, &k);
        assert_null(strstr(out, "mapped [mem"));
        assert_non_null(strstr(out, "Kernel panic - not syncing: Can not allocate SWIOTLB buffer"));
        realm_kernel_destroy(k);
        fake_cpu_fini(&c);
}

/* The RIM is read as soon as RSI is up: a boot that fails afterwards still reports it. */
static void boot_reports_the_rim_even_when_it_fails_later(void **state)
{
        struct fake_cpu c;
        struct realm_kernel *k;
        struct ccada_report_value v;
        (void)state;
        fake_cpu_init(&c, 1ull << 20, ""); /* too small for any bounce pool: boot panics */
        const char *out = boot(&c, &k);
        assert_non_null(strstr(out, "Kernel panic"));
        assert_true(ccada_report_get(realm_kernel_report(k), "", "rim", &v));
        /* SHA-256: 32 bytes of index 0, 0x00 0x01 ... 0x1f */
        assert_string_equal(v.text, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        realm_kernel_destroy(k);
        fake_cpu_fini(&c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(boot_prints_the_lower_rsi_revision_as_linux),
                cmocka_unit_test(boot_with_rsi_version_refused_says_so_as_linux_and_goes_on_as_a_non_realm),
                cmocka_unit_test(boot_with_realm_config_failing_goes_on_as_a_non_realm),
                cmocka_unit_test(boot_without_rsi_is_a_normal_vm_and_says_so_as_ccada),
                cmocka_unit_test(boot_prints_linux_lines_and_marks_its_own),
                cmocka_unit_test(boot_swiotlb_lines_print_the_exclusive_end_and_no_encryption_warning),
                cmocka_unit_test(swiotlb_default_pool_is_linux_64m_when_ram_allows),
                cmocka_unit_test(swiotlb_default_pool_halves_like_linux_when_ram_is_short),
                cmocka_unit_test(swiotlb_boot_pool_gives_up_below_the_minimum),
                cmocka_unit_test(swiotlb_alloc_on_the_command_line_picks_the_allocator),
                cmocka_unit_test(boot_reports_the_rim_even_when_it_fails_later),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
