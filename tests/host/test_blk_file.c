/* src/host/blk_file.c: the file block backend, against the backend contract and on its own
 * (creation, existing images, a file that shrinks, system errors). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "blk_contract.h"
#include "host/blk_file.h"
#include "host/blk_ram.h"

/* The contract runs on temporary files. */
static ccada_status open_temp(struct blk_backend **out, uint64_t size)
{
        return blk_file_open_temp(out, size, NULL);
}

static const struct blk_contract_kit file_kit = { .name = "file", .open = open_temp };

/* A scratch directory per test. */
struct scratch {
        char dir[64];
        char path[128];
};

static int scratch_setup(void **state)
{
        struct scratch *s = calloc(1, sizeof(*s));
        if (!s)
                return -1;
        snprintf(s->dir, sizeof(s->dir), "/tmp/ccada-blk-file-XXXXXX");
        if (!mkdtemp(s->dir))
                return -1;
        snprintf(s->path, sizeof(s->path), "%s/disk.img", s->dir);
        *state = s;
        return 0;
}

static int scratch_teardown(void **state)
{
        struct scratch *s = *state;
        unlink(s->path);
        rmdir(s->dir);
        free(s);
        return 0;
}

static void write_file(const char *path, const void *data, size_t len)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, len), (ssize_t)len);
        close(fd);
}

static void blk_file_open_creates_a_missing_file_of_exactly_the_size(void **state)
{
        struct scratch *s = *state;
        struct blk_backend *b;
        struct stat st;
        uint64_t size;
        assert_int_equal(blk_file_open(&b, s->path, 65636, NULL), CCADA_OK);
        assert_string_equal(blk_backend_kind(b), "file");
        assert_int_equal(blk_backend_size(b, &size), CCADA_OK);
        assert_int_equal(size, 65636);
        assert_int_equal(stat(s->path, &st), 0);
        assert_int_equal(st.st_size, 65636);
        assert_int_equal(st.st_mode & 0777, 0600);
        blk_backend_close(b);
}

static void blk_file_open_of_a_missing_file_without_create_size_says_enoent(void **state)
{
        struct scratch *s = *state;
        struct blk_backend *b = (struct blk_backend *)&b;
        struct blk_error why;
        assert_int_equal(blk_file_open(&b, s->path, 0, &why), CCADA_E_IO);
        assert_null(b);
        assert_int_equal(why.reason, BLK_ERR_SYSTEM);
        assert_int_equal(why.op, BLK_OP_OPEN);
        assert_int_equal(why.sys_errno, ENOENT);
        assert_int_equal(access(s->path, F_OK), -1);
}

static void blk_file_open_of_an_existing_image_keeps_its_bytes_and_length(void **state)
{
        struct scratch *s = *state;
        struct blk_backend *b;
        uint8_t img[3 * 512 + 100], got[sizeof(img)];
        uint64_t size;
        for (size_t i = 0; i < sizeof(img); i++)
                img[i] = (uint8_t)(i * 13);
        write_file(s->path, img, sizeof(img));
        assert_int_equal(blk_file_open(&b, s->path, 1u << 20, NULL), CCADA_OK); /* exists: not resized */
        assert_int_equal(blk_backend_size(b, &size), CCADA_OK);
        assert_int_equal(size, sizeof(img));
        assert_int_equal(blk_read1(b, 0, got, sizeof(got)), CCADA_OK);
        assert_memory_equal(got, img, sizeof(img));
        blk_backend_close(b);
}

static void blk_file_writes_reach_the_file(void **state)
{
        struct scratch *s = *state;
        struct blk_backend *b;
        uint8_t data[4096], got[4096];
        memset(data, 0x3C, sizeof(data));
        assert_int_equal(blk_file_open(&b, s->path, 1u << 16, NULL), CCADA_OK);
        assert_int_equal(blk_write1(b, 8192, data, sizeof(data)), CCADA_OK);
        assert_int_equal(blk_backend_flush(b), CCADA_OK);
        blk_backend_close(b);
        int fd = open(s->path, O_RDONLY);
        assert_true(fd >= 0);
        assert_int_equal(pread(fd, got, sizeof(got), 8192), (ssize_t)sizeof(got));
        close(fd);
        assert_memory_equal(got, data, sizeof(data));
}

/* Someone truncates the image under the backend: a read beyond the new end is short, an I/O
 * error that says how much was read. */
static void blk_file_read_of_a_file_shrunk_under_it_is_short(void **state)
{
        struct scratch *s = *state;
        struct blk_backend *b;
        uint8_t buf[8192];
        assert_int_equal(blk_file_open(&b, s->path, 16384, NULL), CCADA_OK);
        assert_int_equal(truncate(s->path, 4096 + 1000), 0);
        assert_int_equal(blk_read1(b, 4096, buf, sizeof(buf)), CCADA_E_IO);
        const struct blk_error *e = blk_backend_error(b);
        assert_int_equal(e->reason, BLK_ERR_SHORT);
        assert_int_equal(e->op, BLK_OP_READ);
        assert_int_equal(e->done, 1000);
        assert_int_equal(e->off, 4096);
        assert_int_equal(e->len, sizeof(buf));
        blk_backend_close(b);
}

/* A read-only descriptor: reads work, a write is a system error (EBADF) that wrote nothing. */
static void blk_file_write_through_a_read_only_fd_is_ebadf_and_writes_nothing(void **state)
{
        struct scratch *s = *state;
        struct blk_backend *b;
        uint8_t img[1024] = { 1 }, data[512], back[512];
        write_file(s->path, img, sizeof(img));
        int fd = open(s->path, O_RDONLY);
        assert_true(fd >= 0);
        assert_int_equal(blk_file_open_fd(&b, fd, NULL), CCADA_OK);
        assert_int_equal(blk_file_fd(b), fd);
        memset(data, 0xAB, sizeof(data));
        assert_int_equal(blk_write1(b, 0, data, sizeof(data)), CCADA_E_IO);
        const struct blk_error *e = blk_backend_error(b);
        assert_int_equal(e->reason, BLK_ERR_SYSTEM);
        assert_int_equal(e->sys_errno, EBADF);
        assert_int_equal(e->op, BLK_OP_WRITE);
        assert_int_equal(e->done, 0);
        assert_int_equal(blk_read1(b, 0, back, sizeof(back)), CCADA_OK);
        assert_memory_equal(back, img, sizeof(back));
        blk_backend_close(b);
}

static void blk_file_read_through_a_write_only_fd_is_ebadf(void **state)
{
        struct scratch *s = *state;
        struct blk_backend *b;
        uint8_t img[512] = { 0 }, buf[512];
        write_file(s->path, img, sizeof(img));
        int fd = open(s->path, O_WRONLY);
        assert_true(fd >= 0);
        assert_int_equal(blk_file_open_fd(&b, fd, NULL), CCADA_OK);
        assert_int_equal(blk_read1(b, 0, buf, sizeof(buf)), CCADA_E_IO);
        assert_int_equal(blk_backend_error(b)->reason, BLK_ERR_SYSTEM);
        assert_int_equal(blk_backend_error(b)->sys_errno, EBADF);
        blk_backend_close(b);
}

/* fdatasync refuses a character device: the flush error says so. */
static void blk_file_flush_that_the_system_refuses_is_an_io_error(void **state)
{
        struct blk_backend *b;
        (void)state;
        int fd = open("/dev/null", O_RDWR);
        assert_true(fd >= 0);
        assert_int_equal(blk_file_open_fd(&b, fd, NULL), CCADA_OK);
        assert_int_equal(blk_backend_flush(b), CCADA_E_IO);
        assert_int_equal(blk_backend_error(b)->reason, BLK_ERR_SYSTEM);
        assert_int_equal(blk_backend_error(b)->op, BLK_OP_FLUSH);
        assert_int_equal(blk_backend_error(b)->sys_errno, EINVAL);
        blk_backend_close(b);
}

static void blk_file_temp_image_is_unlinked_and_sized(void **state)
{
        struct scratch *s = *state;
        struct blk_backend *b;
        struct stat st;
        assert_int_equal(setenv("TMPDIR", s->dir, 1), 0);
        ccada_status st_open = blk_file_open_temp(&b, 256 * 1024 + 7, NULL);
        unsetenv("TMPDIR");
        assert_int_equal(st_open, CCADA_OK);
        assert_int_equal(fstat(blk_file_fd(b), &st), 0);
        assert_int_equal(st.st_nlink, 0);
        assert_int_equal(st.st_size, 256 * 1024 + 7);
        assert_int_equal(rmdir(s->dir), 0); /* nothing was left in it */
        assert_int_equal(mkdir(s->dir, 0700), 0);
        blk_backend_close(b);
}

static void blk_file_temp_in_a_missing_directory_says_why(void **state)
{
        struct scratch *s = *state;
        struct blk_backend *b;
        struct blk_error why;
        char missing[96];
        snprintf(missing, sizeof(missing), "%s/none", s->dir);
        assert_int_equal(setenv("TMPDIR", missing, 1), 0);
        ccada_status st = blk_file_open_temp(&b, 4096, &why);
        unsetenv("TMPDIR");
        assert_int_equal(st, CCADA_E_IO);
        assert_int_equal(why.reason, BLK_ERR_SYSTEM);
        assert_int_equal(why.sys_errno, ENOENT);
}

static void blk_file_open_rejects_bad_arguments(void **state)
{
        struct scratch *s = *state;
        struct blk_backend *b;
        (void)state;
        assert_int_equal(blk_file_open(NULL, s->path, 0, NULL), CCADA_E_INVAL);
        assert_int_equal(blk_file_open(&b, NULL, 0, NULL), CCADA_E_INVAL);
        assert_int_equal(blk_file_open(&b, s->path, UINT64_MAX, NULL), CCADA_E_INVAL);
        assert_int_equal(blk_file_open_fd(&b, -1, NULL), CCADA_E_INVAL);
        assert_int_equal(blk_file_open_temp(&b, UINT64_MAX, NULL), CCADA_E_INVAL);
        assert_int_equal(access(s->path, F_OK), -1);
}

static void blk_file_fd_of_another_kind_is_minus_one(void **state)
{
        struct blk_backend *b;
        (void)state;
        assert_int_equal(blk_ram_open(&b, 512, NULL), CCADA_OK);
        assert_int_equal(blk_file_fd(b), -1);
        assert_int_equal(blk_file_fd(NULL), -1);
        blk_backend_close(b);
}


/* An empty file is a new image, as a missing one is: it grows to the size asked for. */
static void blk_file_open_grows_an_empty_file_to_the_size(void **state)
{
        struct scratch *s = *state;
        struct blk_backend *b;
        struct stat st;
        uint64_t size;
        write_file(s->path, "", 0);
        assert_int_equal(blk_file_open(&b, s->path, 8192, NULL), CCADA_OK);
        assert_int_equal(blk_backend_size(b, &size), CCADA_OK);
        assert_int_equal(size, 8192);
        assert_int_equal(stat(s->path, &st), 0);
        assert_int_equal(st.st_size, 8192);
        blk_backend_close(b);
}

/* blk_file_open_new takes a missing or empty file, never one that holds data. */
static void blk_file_open_new_refuses_a_file_that_holds_data_and_leaves_it_alone(void **state)
{
        struct scratch *s = *state;
        struct blk_backend *b = (struct blk_backend *)&b;
        struct blk_error why;
        uint8_t img[700], got[sizeof(img) + 1];
        for (size_t i = 0; i < sizeof(img); i++)
                img[i] = (uint8_t)(i ^ 0x5A);
        write_file(s->path, img, sizeof(img));
        assert_int_equal(blk_file_open_new(&b, s->path, 4096, &why), CCADA_E_IO);
        assert_null(b);
        assert_int_equal(why.reason, BLK_ERR_SYSTEM);
        assert_int_equal(why.sys_errno, EEXIST);
        int fd = open(s->path, O_RDONLY);
        assert_true(fd >= 0);
        assert_int_equal(read(fd, got, sizeof(got)), (ssize_t)sizeof(img)); /* same length */
        close(fd);
        assert_memory_equal(got, img, sizeof(img));
        assert_int_equal(blk_file_open_new(&b, s->path, 0, NULL), CCADA_E_INVAL);
        unlink(s->path);
        assert_int_equal(blk_file_open_new(&b, s->path, 4096, NULL), CCADA_OK); /* missing: created */
        blk_backend_close(b);
        write_file(s->path, "", 0);
        assert_int_equal(blk_file_open_new(&b, s->path, 4096, NULL), CCADA_OK); /* empty: grown */
        blk_backend_close(b);
}

static void blk_file_open_read_only_reads_and_cannot_write(void **state)
{
        struct scratch *s = *state;
        struct blk_backend *b;
        uint8_t img[1024], got[1024], x = 9;
        memset(img, 0x42, sizeof(img));
        write_file(s->path, img, sizeof(img));
        assert_int_equal(blk_file_open_read_only(&b, s->path, NULL), CCADA_OK);
        assert_int_equal(blk_read1(b, 0, got, sizeof(got)), CCADA_OK);
        assert_memory_equal(got, img, sizeof(img));
        assert_int_equal(blk_write1(b, 0, &x, 1), CCADA_E_IO);
        assert_int_equal(blk_backend_error(b)->sys_errno, EBADF);
        blk_backend_close(b);
}

/* A directory opens read-only on Linux: the backend refuses it at open, saying EISDIR, and a
 * path that is neither a file nor a directory is "not a regular file". */
static void blk_file_open_of_a_directory_or_device_says_what_it_is(void **state)
{
        struct scratch *s = *state;
        struct blk_backend *b = (struct blk_backend *)&b;
        struct blk_error why;
        assert_int_equal(blk_file_open_read_only(&b, s->dir, &why), CCADA_E_IO);
        assert_null(b);
        assert_int_equal(why.reason, BLK_ERR_SYSTEM);
        assert_int_equal(why.sys_errno, EISDIR);
        assert_string_equal(blk_error_text(&why), strerror(EISDIR));
        assert_int_equal(blk_file_open(&b, s->dir, 4096, &why), CCADA_E_IO);
        assert_int_equal(why.sys_errno, EISDIR);
        assert_int_equal(blk_file_open_read_only(&b, "/dev/null", &why), CCADA_E_IO);
        assert_int_equal(why.reason, BLK_ERR_NOT_REGULAR);
        assert_string_equal(blk_error_text(&why), "not a regular file");
}

#define S(fn) cmocka_unit_test_setup_teardown(fn, scratch_setup, scratch_teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                BLK_CONTRACT_TESTS(&file_kit),
                S(blk_file_open_creates_a_missing_file_of_exactly_the_size),
                S(blk_file_open_of_a_missing_file_without_create_size_says_enoent),
                S(blk_file_open_of_an_existing_image_keeps_its_bytes_and_length),
                S(blk_file_writes_reach_the_file),
                S(blk_file_open_grows_an_empty_file_to_the_size),
                S(blk_file_open_new_refuses_a_file_that_holds_data_and_leaves_it_alone),
                S(blk_file_open_read_only_reads_and_cannot_write),
                S(blk_file_open_of_a_directory_or_device_says_what_it_is),
                S(blk_file_read_of_a_file_shrunk_under_it_is_short),
                S(blk_file_write_through_a_read_only_fd_is_ebadf_and_writes_nothing),
                S(blk_file_read_through_a_write_only_fd_is_ebadf),
                cmocka_unit_test(blk_file_flush_that_the_system_refuses_is_an_io_error),
                S(blk_file_temp_image_is_unlinked_and_sized),
                S(blk_file_temp_in_a_missing_directory_says_why),
                S(blk_file_open_rejects_bad_arguments),
                cmocka_unit_test(blk_file_fd_of_another_kind_is_minus_one),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
