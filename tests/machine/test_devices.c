/* src/machine/devices.c: the board's device table and a device's options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ccada/machine.h"
#include "ccada/report.h"

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
        assert_true(check("virtio-blk", "file=/tmp/x.img,writable", err, sizeof(err)));
        assert_non_null(strstr(ccada_device_type_summary(0), "writable"));
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
                { "virtio-blk", "ram,writable", "writable is for an image file" },
                { "virtio-blk", "writable=1", "unknown option 'writable=1'" },
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


/* ---- a disk image the user gave: never modified without consent (issue 8, point 7) ---- */

#define IMG_BYTES (512u << 10) /* more than blk-test's 256 KiB */

struct image {
        char dir[64], path[96];
        uint8_t *bytes; /* what the file held before the run */
        struct stat before;
};

/* A scratch image of IMG_BYTES of non-zero bytes, with an mtime in the past (a write would
 * move it to now), or an empty file when empty. */
static void image_make(struct image *img, bool empty)
{
        snprintf(img->dir, sizeof(img->dir), "/tmp/ccada-devices-XXXXXX");
        assert_non_null(mkdtemp(img->dir));
        snprintf(img->path, sizeof(img->path), "%s/disk.img", img->dir);
        img->bytes = malloc(IMG_BYTES);
        assert_non_null(img->bytes);
        for (size_t i = 0; i < IMG_BYTES; i++)
                img->bytes[i] = (uint8_t)(0x80 | (i * 31 >> 3));
        int fd = open(img->path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        assert_true(fd >= 0);
        if (!empty)
                assert_int_equal(write(fd, img->bytes, IMG_BYTES), (ssize_t)IMG_BYTES);
        close(fd);
        struct timespec past[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };
        assert_int_equal(utimensat(AT_FDCWD, img->path, past, 0), 0);
        assert_int_equal(stat(img->path, &img->before), 0);
}

static void image_drop(struct image *img)
{
        unlink(img->path);
        rmdir(img->dir);
        free(img->bytes);
}

/* Runs the demo with its disk on path (writable as given); the report passed. */
static void run_demo_on(const char *path, bool writable)
{
        struct ccada_machine_config cfg;
        struct ccada_machine *m;
        struct ccada_report *r;
        ccada_machine_config_default(&cfg);
        cfg.realm_ram = 8ULL << 20;
        cfg.swiotlb_slabs = 512;
        cfg.disk_path = path;
        cfg.disk_writable = writable;
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_OK);
        assert_int_equal(ccada_machine_run(m), CCADA_OK);
        assert_int_equal(ccada_report_create(&r), CCADA_OK);
        ccada_machine_report(m, true, r);
        ccada_machine_destroy(m);
        struct ccada_report_value v;
        assert_true(ccada_report_get(r, "blk", "verified", &v) && v.b);
        assert_true(ccada_report_passed(r));
        ccada_report_destroy(r);
}

/* The file's bytes, its length and its modification time are as they were: the demo's
 * blk-test wrote to a copy-on-write overlay, and still passed. */
static void demo_disk_existing_image_is_not_modified_without_consent(void **state)
{
        struct image img;
        struct stat after;
        (void)state;
        image_make(&img, false);
        run_demo_on(img.path, false);
        assert_int_equal(stat(img.path, &after), 0);
        assert_int_equal(after.st_size, IMG_BYTES);
        assert_int_equal(after.st_mtim.tv_sec, img.before.st_mtim.tv_sec);
        assert_int_equal(after.st_mtim.tv_nsec, img.before.st_mtim.tv_nsec);
        uint8_t *now = malloc(IMG_BYTES);
        assert_non_null(now);
        int fd = open(img.path, O_RDONLY);
        assert_true(fd >= 0);
        assert_int_equal(read(fd, now, IMG_BYTES), (ssize_t)IMG_BYTES);
        close(fd);
        assert_memory_equal(now, img.bytes, IMG_BYTES);
        free(now);
        image_drop(&img);
}

/* With consent (disk_writable) the demo's writes reach the file: its first 256 KiB change,
 * the rest does not. */
static void demo_disk_existing_image_is_written_with_consent(void **state)
{
        struct image img;
        (void)state;
        image_make(&img, false);
        run_demo_on(img.path, true);
        uint8_t *now = malloc(IMG_BYTES);
        assert_non_null(now);
        int fd = open(img.path, O_RDONLY);
        assert_true(fd >= 0);
        assert_int_equal(read(fd, now, IMG_BYTES), (ssize_t)IMG_BYTES);
        close(fd);
        assert_memory_not_equal(now, img.bytes, 256u << 10);
        assert_memory_equal(now + (256u << 10), img.bytes + (256u << 10), IMG_BYTES - (256u << 10));
        free(now);
        image_drop(&img);
}

/* An empty file is a new image (as a missing one is): it becomes disk_size bytes and the
 * run writes it. */
static void demo_disk_empty_file_becomes_a_new_image_that_the_run_writes(void **state)
{
        struct image img;
        struct stat after;
        uint8_t head[512], zero[512] = { 0 };
        (void)state;
        image_make(&img, true);
        run_demo_on(img.path, false);
        assert_int_equal(stat(img.path, &after), 0);
        assert_int_equal(after.st_size, 64u << 20);
        int fd = open(img.path, O_RDONLY);
        assert_true(fd >= 0);
        assert_int_equal(read(fd, head, sizeof(head)), (ssize_t)sizeof(head));
        close(fd);
        assert_memory_not_equal(head, zero, sizeof(head));
        image_drop(&img);
}

/* The disks as a tool checks them before the machine is built. */
static void device_image_says_where_each_disk_keeps_its_data(void **state)
{
        struct ccada_machine_config cfg;
        struct ccada_disk_image img;
        (void)state;
        ccada_machine_config_default(&cfg);
        assert_true(ccada_device_image(&cfg, 0, &img));
        assert_false(img.ram);
        assert_string_equal(img.path, ""); /* a temporary image */
        assert_int_equal(img.size, 64u << 20);
        cfg.disk_path = "a.img";
        cfg.disk_writable = true;
        assert_true(ccada_device_image(&cfg, 0, &img));
        assert_string_equal(img.path, "a.img");
        assert_true(img.writable);
        assert_false(img.own_file);
        cfg.devices[0].opts = "file=b.img,size=1M"; /* the device's own file: the machine's consent is not its */
        assert_true(ccada_device_image(&cfg, 0, &img));
        assert_string_equal(img.path, "b.img");
        assert_true(img.own_file);
        assert_false(img.writable);
        assert_int_equal(img.size, 1u << 20);
        cfg.devices[0].opts = "file=b.img,writable";
        assert_true(ccada_device_image(&cfg, 0, &img) && img.writable);
        cfg.devices[0].opts = "ram";
        assert_true(ccada_device_image(&cfg, 0, &img) && img.ram);
        assert_false(ccada_device_image(&cfg, 1, &img)); /* no device 1 */
        cfg.devices[0].opts = "bogus";
        assert_false(ccada_device_image(&cfg, 0, &img));
}

/* A disk the machine cannot open fails the build (the message is on stderr). */
static void machine_with_a_directory_as_disk_image_is_refused(void **state)
{
        struct ccada_machine_config cfg;
        struct ccada_machine *m = NULL;
        (void)state;
        ccada_machine_config_default(&cfg);
        cfg.disk_path = "/";
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_E_IO);
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
                cmocka_unit_test(demo_disk_existing_image_is_not_modified_without_consent),
                cmocka_unit_test(demo_disk_existing_image_is_written_with_consent),
                cmocka_unit_test(demo_disk_empty_file_becomes_a_new_image_that_the_run_writes),
                cmocka_unit_test(device_image_says_where_each_disk_keeps_its_data),
                cmocka_unit_test(machine_with_a_directory_as_disk_image_is_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
