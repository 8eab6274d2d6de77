/* Realm boot (see boot.h): the order of arm64 Linux's start_kernel in a Realm, over the
 * kernel layer's own bring-up steps (kernel_internal.h), then the default SWIOTLB pool
 * (arch_mm_preinit, swiotlb_init), init, and power-off. Modelled on that behaviour (no
 * code taken). */
#include "realm/boot.h"

#include <stdio.h>
#include <string.h>

#include "ccada/report.h"
#include "ccada/rsi.h"
#include "realm/cmdline.h"
#include "proto/realm_image.h"
#include "realm/kernel.h"
#include "realm/kernel_internal.h"
#include "realm/swiotlb.h"

static void boot_fail(struct realm_kernel *k, const char *what)
{
        rk_report_error(k, "boot: %s", what);
        rk_printk(k, "Kernel panic - not syncing: %s", what);
        rk_poweroff(k);
}

#define RSI_MAJOR(rev) (((rev) >> 16) & 0x7FFFu)
#define RSI_MINOR(rev) ((rev) & 0xFFFFu)

/* What arm64_rsi_init logged (printed once the console is up, as the kernel's log buffer
 * is), then ccada's own information lines: Linux prints neither, so they say "ccada:". */
static void boot_banner(struct realm_kernel *k)
{
        const struct realm_image_info *img = rk_image(k);
        const struct rk_rsi_probe *p = rk_rsi_probe(k);

        switch (p->state) {
        case RK_RSI_OK:
                rk_printk(k, "RME: Using RSI version %u.%u", RSI_MAJOR(p->lower), RSI_MINOR(p->lower));
                rk_printk(k, "ccada: Realm IPA width %u bits, shared (unprotected) bit 0x%llx", rk_ipa_bits(k),
                          (unsigned long long)rk_shared_bit(k));
                break;
        case RK_RSI_REFUSED:
                rk_printk(k, "RME: RMM doesn't support RSI version 1.0. Supported range: %u.%u-%u.%u",
                          RSI_MAJOR(p->lower), RSI_MINOR(p->lower), RSI_MAJOR(p->higher),
                          RSI_MINOR(p->higher));
                break;
        case RK_RSI_NO_CONFIG: /* Linux: WARN_ON(rsi_get_realm_config()) */
                rk_printk(k, "ccada: RSI_REALM_CONFIG failed or gave no usable IPA width: not a Realm");
                break;
        case RK_RSI_ABSENT:
                rk_printk(k, "ccada: no RMM (RSI not supported): a normal VM");
                break;
        }
        rk_printk(k, "ccada: %lluK RAM at 0x%llx", (unsigned long long)(img->ram_size >> 10),
                  (unsigned long long)img->ram_base);
}

/* "swiotlb=<nslabs>" on the command line, as Linux's boot parameter; without it Linux's
 * default, IO_TLB_DEFAULT_SIZE (64 MiB), halved at allocation if RAM is short. A malformed
 * value is ignored with Linux's warning (init/main.c, do_early_param). */
static uint64_t cmdline_swiotlb_bytes(struct realm_kernel *k)
{
        enum ccada_number_error why;
        uint64_t nslabs;

        if (!cmdline_u64(rk_cmdline(k), "swiotlb", &nslabs, &why))
                return IO_TLB_DEFAULT_SIZE;
        if (why == CCADA_NUMBER_OK && nslabs > UINT64_MAX >> IO_TLB_SHIFT)
                why = CCADA_NUMBER_OVERFLOW;
        if (why != CCADA_NUMBER_OK) {
                rk_printk(k, "Malformed early option 'swiotlb': %s", ccada_number_error_text(why));
                return IO_TLB_DEFAULT_SIZE;
        }
        return nslabs ? nslabs << IO_TLB_SHIFT : IO_TLB_DEFAULT_SIZE;
}

/* arch_mm_preinit in a Realm: SWIOTLB forced, its pool shared (set_memory_decrypted).
 * ccada extensions, off unless on the command line: swiotlb.grow, swiotlb.backpressure,
 * swiotlb.alloc=bitmap (any other value: Linux's list, with a message). */
static enum swiotlb_alloc cmdline_swiotlb_alloc(struct realm_kernel *k)
{
        const char *val;
        size_t len;

        if (!cmdline_param(rk_cmdline(k), "swiotlb.alloc", &val, &len))
                return SWIOTLB_ALLOC_LIST;
        if (len == 6 && !memcmp(val, "bitmap", 6))
                return SWIOTLB_ALLOC_BITMAP;
        if (!(len == 4 && !memcmp(val, "list", 4)))
                rk_printk(k, "ccada: swiotlb.alloc=%.*s: unknown, using list", (int)len, val);
        return SWIOTLB_ALLOC_LIST;
}

static bool boot_swiotlb(struct realm_kernel *k)
{
        struct swiotlb_config cfg = {
                .size = (size_t)cmdline_swiotlb_bytes(k),
                .grow = cmdline_flag(rk_cmdline(k), "swiotlb.grow"),
                .backpressure = cmdline_flag(rk_cmdline(k), "swiotlb.backpressure"),
                .alloc = cmdline_swiotlb_alloc(k),
        };
        return swiotlb_init(k, &cfg, rk_default_swiotlb_slot(k)) == CCADA_OK; /* prints the boot lines */
}

struct swiotlb *rk_default_swiotlb(struct realm_kernel *k)
{
        return *rk_default_swiotlb_slot(k);
}

/* The pool's counters (Linux's debugfs names), for the report, once init is done; all zero
 * without a pool (a normal VM). */
static void report_swiotlb(struct realm_kernel *k)
{
        struct ccada_report_section *s = rk_report_section(k, "swiotlb");
        struct swiotlb_stats st = { 0 };

        if (rk_default_swiotlb(k))
                swiotlb_get_stats(rk_default_swiotlb(k), &st);
        ccada_report_u64(s, "nslabs", st.nslabs);
        ccada_report_u64(s, "used", st.used);
        ccada_report_u64(s, "used_hiwater", st.used_hiwater);
        ccada_report_u64(s, "bounces", st.bounces);
        ccada_report_u64(s, "bounced_bytes", st.bounced_bytes);
        ccada_report_u64(s, "full", st.full);           /* "swiotlb buffer is full" events */
        ccada_report_u64(s, "pools", st.pools);
        ccada_report_u64(s, "bp_waits", st.bp_waits);
}

/* The RIM as the Realm reads it (RSI_MEASUREMENT_READ of index 0), into the report as soon
 * as RSI is up, so a boot that fails later still reports it. Zero in a normal VM. */
static void report_rim(struct realm_kernel *k)
{
        uint8_t rim[RSI_MEASUREMENT_MAX] = { 0 };

        if (rk_is_realm(k) && rk_measurement_read(k, 0, rim) != CCADA_OK)
                memset(rim, 0, sizeof(rim));
        ccada_report_hex(rk_report_section(k, ""), "rim", rim, rk_hash_len(k));
}

void realm_kernel_entry(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t x[8])
{
        struct ccada_report_section *top = rk_report_section(k, "");

        rk_set_current(k, "swapper/0", 0);
        rk_report_check(k, "booted", false); /* until it has */
        if (!rk_boot_image(k, cpu, x[0]))
                return; /* no image: nothing to boot; the REC turns off */
        rk_boot_rsi(k, rk_image(k)->ram_base + REALM_IMAGE_SIZE);
        rk_boot_console(k);
        report_rim(k);
        if (!rk_boot_memory(k, (REALM_IMAGE_SIZE >> RK_PAGE_SHIFT) + 1))
                return boot_fail(k, "Failed to set memory range to protected");
        ccada_report_bool(top, "is_realm", rk_is_realm(k));
        ccada_report_u64(top, "ipa_bits", rk_ipa_bits(k));
        boot_banner(k);
        if (rk_is_realm(k) && !boot_swiotlb(k))
                return boot_fail(k, "Can not allocate SWIOTLB buffer");
        rk_report_check(k, "booted", true);
        rk_run_init(k);
        rk_set_current(k, "swapper/0", 0);
        report_swiotlb(k);
        rk_printk(k, "reboot: Power down");
        rk_poweroff(k);
}
