/* src/host/blk_cow.c: the copy-on-write overlay, against the backend contract and on its
 * own: the base is never written, reads see the base until a range is written, chunks are
 * copied whole on their first write, and the base's failures come through with its reason. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "blk_contract.h"
#include "host/blk_cow.h"
#include "host/blk_file.h"
#include "host/blk_ram.h"

/* The contract runs on an overlay over a zeroed RAM base. */
static ccada_status open_cow(struct blk_backend **out, uint64_t size)
{
        struct blk_backend *base;
        ccada_status s = blk_ram_open(&base, size, NULL);
        return s == CCADA_OK ? blk_cow_open(out, base, NULL) : s;
}

static const struct blk_contract_kit cow_kit = { .name = "cow", .open = open_cow };

/* A base of size bytes whose byte i is pattern(i), and an overlay over it. */
static uint8_t pattern(uint64_t i) { return (uint8_t)(i * 7 + (i >> 9)); }

static struct blk_backend *open_over_pattern(uint64_t size, uint8_t **base_bytes)
{
        struct blk_backend *base, *b;
        assert_int_equal(blk_ram_open(&base, size, NULL), CCADA_OK);
        for (uint64_t i = 0; i < size; i++)
                blk_ram_bytes(base)[i] = pattern(i);
        *base_bytes = blk_ram_bytes(base);
        assert_int_equal(blk_cow_open(&b, base, NULL), CCADA_OK);
        assert_ptr_equal(blk_cow_base(b), base);
        return b;
}

static void assert_is_pattern(const uint8_t *p, uint64_t off, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if (p[i] != pattern(off + i))
                        fail_msg("byte %llu is 0x%02x, the base's is 0x%02x", (unsigned long long)(off + i), p[i],
                                 pattern(off + i));
}

static void blk_cow_reads_the_base_until_a_range_is_written(void **state)
{
        uint8_t *base, got[3 * BLK_COW_CHUNK];
        (void)state;
        struct blk_backend *b = open_over_pattern(4 * BLK_COW_CHUNK, &base);
        assert_string_equal(blk_backend_kind(b), "cow");
        assert_int_equal(blk_read1(b, 100, got, sizeof(got)), CCADA_OK);
        assert_is_pattern(got, 100, sizeof(got));
        assert_int_equal(blk_cow_ram_bytes(b), 0); /* reading costs no RAM */
        blk_backend_close(b);
}

static void blk_cow_writes_never_reach_the_base(void **state)
{
        uint8_t *base, data[BLK_COW_CHUNK + 1024], got[sizeof(data)];
        (void)state;
        struct blk_backend *b = open_over_pattern(4 * BLK_COW_CHUNK, &base);
        memset(data, 0xEE, sizeof(data));
        assert_int_equal(blk_write1(b, BLK_COW_CHUNK - 512, data, sizeof(data)), CCADA_OK);
        assert_int_equal(blk_backend_flush(b), CCADA_OK);
        assert_is_pattern(base, 0, 4 * BLK_COW_CHUNK); /* the whole base, as it was */
        assert_int_equal(blk_read1(b, BLK_COW_CHUNK - 512, got, sizeof(got)), CCADA_OK);
        assert_memory_equal(got, data, sizeof(data));
        blk_backend_close(b);
}

/* A write into the middle of a chunk copies the chunk: its other bytes still read as the base's. */
static void blk_cow_partial_chunk_write_keeps_the_rest_of_the_chunk(void **state)
{
        uint8_t *base, got[BLK_COW_CHUNK];
        const uint8_t x[3] = { 1, 2, 3 };
        (void)state;
        struct blk_backend *b = open_over_pattern(2 * BLK_COW_CHUNK, &base);
        assert_int_equal(blk_write1(b, BLK_COW_CHUNK + 1000, x, sizeof(x)), CCADA_OK);
        assert_int_equal(blk_cow_ram_bytes(b), BLK_COW_CHUNK);
        assert_int_equal(blk_read1(b, BLK_COW_CHUNK, got, sizeof(got)), CCADA_OK);
        assert_is_pattern(got, BLK_COW_CHUNK, 1000);
        assert_memory_equal(got + 1000, x, sizeof(x));
        assert_is_pattern(got + 1003, BLK_COW_CHUNK + 1003, sizeof(got) - 1003);
        blk_backend_close(b);
}

/* One read over clean, written, clean chunks, through iovecs that cut across them. */
static void blk_cow_read_across_written_and_clean_chunks_is_one_range(void **state)
{
        uint8_t *base, a[BLK_COW_CHUNK / 2 + 3], c[2 * BLK_COW_CHUNK], d[BLK_COW_CHUNK / 2 - 3 + 100];
        uint8_t data[BLK_COW_CHUNK];
        (void)state;
        struct blk_backend *b = open_over_pattern(4 * BLK_COW_CHUNK, &base);
        memset(data, 0x5A, sizeof(data));
        assert_int_equal(blk_write1(b, BLK_COW_CHUNK, data, sizeof(data)), CCADA_OK); /* chunk 1, whole */
        struct iovec iov[3] = { { a, sizeof(a) }, { c, sizeof(c) }, { d, sizeof(d) } };
        assert_int_equal(blk_backend_read(b, BLK_COW_CHUNK / 2, iov, 3), CCADA_OK);
        uint8_t want[sizeof(a) + sizeof(c) + sizeof(d)], got[sizeof(want)];
        for (size_t i = 0; i < sizeof(want); i++) {
                uint64_t at = BLK_COW_CHUNK / 2 + i;
                want[i] = at / BLK_COW_CHUNK == 1 ? 0x5A : pattern(at);
        }
        memcpy(got, a, sizeof(a));
        memcpy(got + sizeof(a), c, sizeof(c));
        memcpy(got + sizeof(a) + sizeof(c), d, sizeof(d));
        assert_memory_equal(got, want, sizeof(want));
        blk_backend_close(b);
}

/* A medium that is not a whole number of chunks: its last, short chunk is copied as far as
 * the medium goes, and nothing past the end can be reached. */
static void blk_cow_short_last_chunk_is_written_and_read_to_the_end(void **state)
{
        const uint64_t size = BLK_COW_CHUNK + 1536;
        uint8_t *base, got[1536], x = 0x77;
        uint64_t n;
        (void)state;
        struct blk_backend *b = open_over_pattern(size, &base);
        assert_int_equal(blk_backend_size(b, &n), CCADA_OK);
        assert_int_equal(n, size);
        assert_int_equal(blk_write1(b, size - 1, &x, 1), CCADA_OK);
        assert_int_equal(blk_read1(b, BLK_COW_CHUNK, got, sizeof(got)), CCADA_OK);
        assert_is_pattern(got, BLK_COW_CHUNK, sizeof(got) - 1);
        assert_int_equal(got[sizeof(got) - 1], 0x77);
        assert_int_equal(blk_write1(b, size, &x, 1), CCADA_E_RANGE);
        assert_is_pattern(base, 0, size);
        blk_backend_close(b);
}

/* The base fails a read (its file shrank): the overlay's error is the base's, with what had
 * moved, and a write that needs the chunk copied fails without writing. */
static void blk_cow_base_failure_comes_through_with_its_reason(void **state)
{
        char dir[] = "/tmp/ccada-blk-cow-XXXXXX", path[64];
        struct blk_backend *base, *b;
        uint8_t img[4 * BLK_COW_CHUNK], got[2 * BLK_COW_CHUNK], x = 1;
        (void)state;
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/base.img", dir);
        memset(img, 0x11, sizeof(img));
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, img, sizeof(img)), (ssize_t)sizeof(img));
        close(fd);
        assert_int_equal(blk_file_open_read_only(&base, path, NULL), CCADA_OK);
        assert_int_equal(blk_cow_open(&b, base, NULL), CCADA_OK);
        assert_int_equal(truncate(path, BLK_COW_CHUNK + 100), 0);
        assert_int_equal(blk_read1(b, BLK_COW_CHUNK, got, sizeof(got)), CCADA_E_IO);
        const struct blk_error *e = blk_backend_error(b);
        assert_int_equal(e->reason, BLK_ERR_SHORT);
        assert_int_equal(e->op, BLK_OP_READ);
        assert_int_equal(e->done, 100);
        assert_int_equal(blk_write1(b, 3 * BLK_COW_CHUNK + 5, &x, 1), CCADA_E_IO);
        assert_int_equal(blk_backend_error(b)->op, BLK_OP_WRITE);
        assert_int_equal(blk_backend_error(b)->done, 0);
        assert_int_equal(blk_cow_ram_bytes(b), 0);
        blk_backend_close(b);
        unlink(path);
        rmdir(dir);
}

static void blk_cow_open_rejects_bad_arguments(void **state)
{
        struct blk_backend *base, *b = (struct blk_backend *)&b;
        (void)state;
        assert_int_equal(blk_cow_open(&b, NULL, NULL), CCADA_E_INVAL);
        assert_int_equal(blk_ram_open(&base, 512, NULL), CCADA_OK);
        assert_int_equal(blk_cow_open(NULL, base, NULL), CCADA_E_INVAL); /* base closed: ASan sees a leak if not */
        assert_null(blk_cow_base(NULL));
        assert_int_equal(blk_ram_open(&base, 512, NULL), CCADA_OK);
        assert_null(blk_cow_base(base)); /* not an overlay */
        assert_int_equal(blk_cow_ram_bytes(base), 0);
        blk_backend_close(base);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                BLK_CONTRACT_TESTS(&cow_kit),
                cmocka_unit_test(blk_cow_reads_the_base_until_a_range_is_written),
                cmocka_unit_test(blk_cow_writes_never_reach_the_base),
                cmocka_unit_test(blk_cow_partial_chunk_write_keeps_the_rest_of_the_chunk),
                cmocka_unit_test(blk_cow_read_across_written_and_clean_chunks_is_one_range),
                cmocka_unit_test(blk_cow_short_last_chunk_is_written_and_read_to_the_end),
                cmocka_unit_test(blk_cow_base_failure_comes_through_with_its_reason),
                cmocka_unit_test(blk_cow_open_rejects_bad_arguments),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
