/* src/machine/devices.c: the board's device table and a device's options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ccada/machine.h"

static bool check(const char *type, const char *opts, char *err, size_t n)
{
        struct ccada_device_cfg d = { .type = type, .opts = opts };
        return ccada_device_check(&d, err, n);
}

static void device_table_lists_virtio_blk_with_its_options(void **state)
{
        (void)state;
        assert_true(ccada_device_type_count() >= 1);
        assert_string_equal(ccada_device_type_name(0), "virtio-blk");
        assert_non_null(strstr(ccada_device_type_summary(0), "file=PATH"));
        assert_null(ccada_device_type_name(ccada_device_type_count()));
}

static void device_check_takes_every_documented_virtio_blk_option(void **state)
{
        char err[160];
        (void)state;
        assert_true(check("virtio-blk", NULL, err, sizeof(err)));
        assert_true(check("virtio-blk", "", err, sizeof(err)));
        assert_true(check("virtio-blk", "ram", err, sizeof(err)));
        assert_true(check("virtio-blk", "ram,size=1M", err, sizeof(err)));
        assert_true(check("virtio-blk", "file=/tmp/x.img,size=0x100000", err, sizeof(err)));
}

static void device_check_refuses_what_cannot_be_built_and_says_why(void **state)
{
        static const struct { const char *type, *opts, *why; } bad[] = {
                { "nope", NULL, "unknown device type 'nope'" },
                { NULL, NULL, "unknown device type" },
                { "virtio-blk", "size=-1", "size='-1'" },
                { "virtio-blk", "size=256", "less than a sector" },
                { "virtio-blk", "size=", "unknown option 'size='" },
                { "virtio-blk", "file=", "unknown option 'file='" },
                { "virtio-blk", "disk=x", "unknown option 'disk=x'" },
                { "virtio-blk", "ram,file=x.img", "exclude each other" },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char err[160] = "";
                assert_false(check(bad[i].type, bad[i].opts, err, sizeof(err)));
                if (!strstr(err, bad[i].why))
                        fail_msg("'%s' gave '%s', not '%s'", bad[i].opts ? bad[i].opts : "", err, bad[i].why);
                assert_false(check(bad[i].type, bad[i].opts, NULL, 0)); /* no room for a reason: still false */
        }
}

static void machine_with_an_unknown_device_is_refused(void **state)
{
        struct ccada_machine_config cfg;
        struct ccada_machine *m = NULL;
        (void)state;
        ccada_machine_config_default(&cfg);
        cfg.devices[0].type = "nope";
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_E_INVAL);
        assert_null(m);
        ccada_machine_config_default(&cfg);
        cfg.ndevices = CCADA_MAX_DEVICES + 1;
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_E_INVAL);
}

static void machine_with_more_bench_repetitions_than_an_app_keeps_is_refused(void **state)
{
        struct ccada_machine_config cfg;
        struct ccada_machine *m = NULL;
        (void)state;
        ccada_machine_config_default(&cfg);
        cfg.workload = "bench-swiotlb";
        cfg.bench_reps = 32; /* the apps keep 31 samples per figure */
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_E_INVAL);
        assert_null(m);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(device_table_lists_virtio_blk_with_its_options),
                cmocka_unit_test(device_check_takes_every_documented_virtio_blk_option),
                cmocka_unit_test(device_check_refuses_what_cannot_be_built_and_says_why),
                cmocka_unit_test(machine_with_an_unknown_device_is_refused),
                cmocka_unit_test(machine_with_more_bench_repetitions_than_an_app_keeps_is_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
