/* What the board adds to a run's report (src/machine/machine.c, slot_report_board): the
 * MMIO exits by device region and the Realm's measured command line (issue 8, point 9). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ccada/machine.h"
#include "ccada/report.h"

static void small_config(struct ccada_machine_config *cfg)
{
        ccada_machine_config_default(cfg);
        cfg->mem_size = 16ULL << 20;
        cfg->realm_ram = 4ULL << 20;
        cfg->swiotlb_slabs = 512;
        cfg->disk_ram = true;
        cfg->disk_size = 1ULL << 20;
}

/* Runs a machine of cfg; the caller destroys the report. */
static struct ccada_report *run_report(const struct ccada_machine_config *cfg)
{
        struct ccada_machine *m;
        struct ccada_report *r;
        assert_int_equal(ccada_machine_create(&m, cfg), CCADA_OK);
        ccada_status st = ccada_machine_run(m);
        assert_int_equal(ccada_report_create(&r), CCADA_OK);
        ccada_machine_report(m, st == CCADA_OK, r);
        ccada_machine_destroy(m);
        assert_int_equal(st, CCADA_OK);
        return r;
}

static uint64_t u64_at(const struct ccada_report *r, const char *sec, const char *key)
{
        struct ccada_report_value v;
        assert_true(ccada_report_get(r, sec, key, &v));
        assert_int_equal(v.type, CCADA_REPORT_U64);
        return v.u;
}

static const char *text_at(const struct ccada_report *r, const char *sec, const char *key)
{
        struct ccada_report_value v;
        assert_true(ccada_report_get(r, sec, key, &v));
        return v.text;
}

/* The console, PCI config space and the PCI BARs (virtio registers) are the board's MMIO
 * regions: their counts add up to the totals, and each had its share of the run. */
static void machine_report_splits_mmio_exits_by_device_region(void **state)
{
        static const char *const regions[] = { "mmio/pl011", "mmio/pci-ecam", "mmio/pci-mmio" };
        struct ccada_machine_config cfg;
        uint64_t reads = 0, writes = 0;
        (void)state;
        small_config(&cfg);
        struct ccada_report *r = run_report(&cfg);
        for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++) {
                assert_true(u64_at(r, regions[i], "reads") + u64_at(r, regions[i], "writes") > 0);
                reads += u64_at(r, regions[i], "reads");
                writes += u64_at(r, regions[i], "writes");
        }
        assert_int_equal(reads, u64_at(r, "mmio", "reads"));
        assert_int_equal(writes, u64_at(r, "mmio", "writes"));
        /* Every character the Realm prints is a write to the PL011's data register. */
        assert_true(u64_at(r, "mmio/pl011", "writes") > u64_at(r, "mmio/pci-mmio", "writes"));
        ccada_report_destroy(r);
}

/* The command line the board measured into the boot image is in the report, with the
 * options that are part of it. */
static void machine_report_has_the_measured_command_line(void **state)
{
        struct ccada_machine_config cfg;
        (void)state;
        small_config(&cfg);
        cfg.seed = 7;
        cfg.swiotlb_grow = true;
        struct ccada_report *r = run_report(&cfg);
        assert_string_equal(text_at(r, "", "cmdline"),
                            "console=pl011,mmio,0x9000000 swiotlb=512 swiotlb.grow init=ccada-demo ccada.seed=7");
        ccada_report_destroy(r);
}

/* The workload is the Realm's program: init= names it, so another workload has another
 * RIM (it used to run under the demo's). */
static void machine_rim_differs_by_workload(void **state)
{
        struct ccada_machine_config cfg;
        (void)state;
        small_config(&cfg);
        struct ccada_report *demo = run_report(&cfg);
        cfg.workload = "bench-swiotlb";
        struct ccada_report *bench = run_report(&cfg);
        assert_non_null(strstr(text_at(bench, "", "cmdline"), " init=ccada-bench-swiotlb "));
        assert_non_null(strstr(text_at(demo, "", "cmdline"), " init=ccada-demo "));
        assert_string_not_equal(text_at(demo, "", "rim"), text_at(bench, "", "rim"));
        ccada_report_destroy(demo);
        ccada_report_destroy(bench);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(machine_report_splits_mmio_exits_by_device_region),
                cmocka_unit_test(machine_report_has_the_measured_command_line),
                cmocka_unit_test(machine_rim_differs_by_workload),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
