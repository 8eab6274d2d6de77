/* The block backend contract, run against every backend (see blk_contract.h). */
#include "blk_contract.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

int blk_contract_setup(void **state)
{
        struct blk_contract *c = calloc(1, sizeof(*c));
        if (!c)
                return -1;
        c->kit = *state;
        if (c->kit->open(&c->b, BLK_CONTRACT_SIZE) != CCADA_OK) {
                free(c);
                return -1;
        }
        *state = c;
        return 0;
}

int blk_contract_teardown(void **state)
{
        struct blk_contract *c = *state;
        blk_backend_close(c->b);
        free(c);
        return 0;
}

static struct blk_backend *backend(void **state) { return ((struct blk_contract *)*state)->b; }

static void pattern(uint8_t *p, size_t len, uint8_t seed)
{
        for (size_t i = 0; i < len; i++)
                p[i] = (uint8_t)(seed + i * 7 + (i >> 9));
}

ccada_status blk_read1(struct blk_backend *b, uint64_t off, void *buf, size_t len)
{
        struct iovec iov = { .iov_base = buf, .iov_len = len };
        return blk_backend_read(b, off, &iov, 1);
}

ccada_status blk_write1(struct blk_backend *b, uint64_t off, const void *buf, size_t len)
{
        struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
        return blk_backend_write(b, off, &iov, 1);
}

void blk_backend_new_medium_reads_zero(void **state)
{
        uint8_t buf[4096];
        memset(buf, 0xA5, sizeof(buf));
        assert_int_equal(blk_read1(backend(state), BLK_CONTRACT_SIZE - sizeof(buf), buf, sizeof(buf)), CCADA_OK);
        for (size_t i = 0; i < sizeof(buf); i++)
                assert_int_equal(buf[i], 0);
}

void blk_backend_write_then_read_returns_same_bytes(void **state)
{
        struct blk_backend *b = backend(state);
        static uint8_t out[64 << 10], in[64 << 10];
        pattern(out, sizeof(out), 3);
        memset(in, 0, sizeof(in));
        assert_int_equal(blk_write1(b, 12345, out, sizeof(out)), CCADA_OK);
        assert_int_equal(blk_read1(b, 12345, in, sizeof(in)), CCADA_OK);
        assert_memory_equal(in, out, sizeof(in));
        assert_int_equal(blk_backend_error(b)->reason, BLK_ERR_NONE);
}

/* Scattered iovecs of odd sizes (one empty) are one contiguous range of the medium. */
void blk_backend_iovecs_are_one_range_in_order(void **state)
{
        struct blk_backend *b = backend(state);
        uint8_t whole[1000], a[1], c[511], d[488], back[1000];
        pattern(whole, sizeof(whole), 9);
        memcpy(a, whole, 1);
        memcpy(c, whole + 1, 511);
        memcpy(d, whole + 512, 488);
        struct iovec w[4] = { { a, 1 }, { NULL, 0 }, { c, 511 }, { d, 488 } };
        assert_int_equal(blk_backend_write(b, 4096, w, 4), CCADA_OK);
        assert_int_equal(blk_read1(b, 4096, back, sizeof(back)), CCADA_OK);
        assert_memory_equal(back, whole, sizeof(whole));
        memset(a, 0, 1), memset(c, 0, 511), memset(d, 0, 488);
        assert_int_equal(blk_backend_read(b, 4096, w, 4), CCADA_OK);
        assert_memory_equal(a, whole, 1);
        assert_memory_equal(c, whole + 1, 511);
        assert_memory_equal(d, whole + 512, 488);
}

/* 2000 iovecs: more than Linux takes in one preadv/pwritev (1024). */
void blk_backend_more_iovecs_than_one_system_call_takes_move_all(void **state)
{
        enum { N = 2000, SEG = 100 };
        struct blk_backend *b = backend(state);
        uint8_t *out = malloc(N * SEG), *in = calloc(N, SEG);
        struct iovec *iov = calloc(N, sizeof(*iov));
        assert_non_null(out);
        assert_non_null(in);
        assert_non_null(iov);
        pattern(out, N * SEG, 5);
        for (unsigned i = 0; i < N; i++)
                iov[i] = (struct iovec){ .iov_base = out + (size_t)i * SEG, .iov_len = SEG };
        assert_int_equal(blk_backend_write(b, 7, iov, N), CCADA_OK);
        for (unsigned i = 0; i < N; i++)
                iov[i].iov_base = in + (size_t)i * SEG;
        assert_int_equal(blk_backend_read(b, 7, iov, N), CCADA_OK);
        assert_memory_equal(in, out, N * SEG);
        free(iov);
        free(in);
        free(out);
}

void blk_backend_size_is_the_size_it_was_opened_with(void **state)
{
        uint64_t size = 0;
        assert_int_equal(blk_backend_size(backend(state), &size), CCADA_OK);
        assert_int_equal(size, BLK_CONTRACT_SIZE);
}

void blk_backend_flush_after_writes_succeeds(void **state)
{
        struct blk_backend *b = backend(state);
        uint8_t buf[512] = { 1, 2, 3 };
        assert_int_equal(blk_write1(b, 0, buf, sizeof(buf)), CCADA_OK);
        assert_int_equal(blk_backend_flush(b), CCADA_OK);
        assert_int_equal(blk_backend_error(b)->reason, BLK_ERR_NONE);
}

void blk_backend_read_past_end_is_out_of_range_and_moves_nothing(void **state)
{
        struct blk_backend *b = backend(state);
        uint8_t buf[1024];
        memset(buf, 0xEE, sizeof(buf));
        assert_int_equal(blk_read1(b, BLK_CONTRACT_SIZE - 512, buf, sizeof(buf)), CCADA_E_RANGE);
        const struct blk_error *e = blk_backend_error(b);
        assert_int_equal(e->reason, BLK_ERR_OUT_OF_RANGE);
        assert_int_equal(e->status, CCADA_E_RANGE);
        assert_int_equal(e->op, BLK_OP_READ);
        assert_int_equal(e->off, BLK_CONTRACT_SIZE - 512);
        assert_int_equal(e->len, sizeof(buf));
        assert_int_equal(e->done, 0);
        for (size_t i = 0; i < sizeof(buf); i++)
                assert_int_equal(buf[i], 0xEE);
        assert_int_equal(blk_read1(b, BLK_CONTRACT_SIZE, buf, 1), CCADA_E_RANGE);
}

void blk_backend_write_past_end_is_out_of_range_and_writes_nothing(void **state)
{
        struct blk_backend *b = backend(state);
        uint8_t buf[1024], back[512];
        memset(buf, 0x77, sizeof(buf));
        assert_int_equal(blk_write1(b, BLK_CONTRACT_SIZE - 512, buf, sizeof(buf)), CCADA_E_RANGE);
        assert_int_equal(blk_backend_error(b)->reason, BLK_ERR_OUT_OF_RANGE);
        assert_int_equal(blk_backend_error(b)->op, BLK_OP_WRITE);
        assert_int_equal(blk_backend_error(b)->done, 0);
        assert_int_equal(blk_read1(b, BLK_CONTRACT_SIZE - 512, back, sizeof(back)), CCADA_OK);
        for (size_t i = 0; i < sizeof(back); i++)
                assert_int_equal(back[i], 0); /* no partial write */
        uint64_t size;
        assert_int_equal(blk_backend_size(b, &size), CCADA_OK);
        assert_int_equal(size, BLK_CONTRACT_SIZE); /* the medium did not grow */
}

void blk_backend_offset_near_2_to_64_is_out_of_range(void **state)
{
        struct blk_backend *b = backend(state);
        uint8_t buf[16] = { 0 };
        assert_int_equal(blk_read1(b, UINT64_MAX, buf, 1), CCADA_E_RANGE);
        assert_int_equal(blk_write1(b, UINT64_MAX - 7, buf, sizeof(buf)), CCADA_E_RANGE);
        assert_int_equal(blk_backend_error(b)->reason, BLK_ERR_OUT_OF_RANGE);
}

void blk_backend_malformed_iovecs_are_invalid(void **state)
{
        struct blk_backend *b = backend(state);
        uint8_t buf[16];
        struct iovec no_buffer = { .iov_base = NULL, .iov_len = 16 };
        assert_int_equal(blk_backend_read(b, 0, &no_buffer, 1), CCADA_E_INVAL);
        assert_int_equal(blk_backend_error(b)->reason, BLK_ERR_BAD_IOV);
        struct iovec huge[2] = { { buf, SIZE_MAX }, { buf, 2 } }; /* total overflows */
        assert_int_equal(blk_backend_write(b, 0, huge, 2), CCADA_E_INVAL);
        assert_int_equal(blk_backend_error(b)->reason, BLK_ERR_BAD_IOV);
        struct iovec one = { buf, sizeof(buf) };
        assert_int_equal(blk_backend_read(b, 0, &one, BLK_BACKEND_MAX_IOV + 1), CCADA_E_INVAL);
        assert_int_equal(blk_backend_read(b, 0, NULL, 1), CCADA_E_INVAL);
}

void blk_backend_no_iovecs_checks_the_offset_only(void **state)
{
        struct blk_backend *b = backend(state);
        assert_int_equal(blk_backend_read(b, BLK_CONTRACT_SIZE, NULL, 0), CCADA_OK);
        assert_int_equal(blk_backend_write(b, BLK_CONTRACT_SIZE + 1, NULL, 0), CCADA_E_RANGE);
}

void blk_backend_error_record_clears_on_the_next_good_call(void **state)
{
        struct blk_backend *b = backend(state);
        uint8_t buf[8];
        assert_int_equal(blk_read1(b, BLK_CONTRACT_SIZE, buf, sizeof(buf)), CCADA_E_RANGE);
        assert_int_equal(blk_backend_error(b)->reason, BLK_ERR_OUT_OF_RANGE);
        assert_string_equal(blk_error_reason_name(blk_backend_error(b)->reason), "out_of_range");
        assert_int_equal(blk_read1(b, 0, buf, sizeof(buf)), CCADA_OK);
        assert_int_equal(blk_backend_error(b)->reason, BLK_ERR_NONE);
        assert_int_equal(blk_backend_error(b)->status, CCADA_OK);
}
