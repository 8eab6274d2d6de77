/* src/host/blk_ram.c: the RAM block backend, against the backend contract and on its own. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "blk_contract.h"
#include "host/blk_file.h"
#include "host/blk_ram.h"

static ccada_status open_ram(struct blk_backend **out, uint64_t size)
{
        return blk_ram_open(out, size, NULL);
}

static const struct blk_contract_kit ram_kit = { .name = "ram", .open = open_ram };

static void blk_ram_bytes_are_the_medium(void **state)
{
        struct blk_backend *b;
        uint8_t data[3] = { 7, 8, 9 };
        struct iovec iov = { data, sizeof(data) };
        (void)state;
        assert_int_equal(blk_ram_open(&b, 8192, NULL), CCADA_OK);
        assert_string_equal(blk_backend_kind(b), "ram");
        assert_int_equal(blk_backend_write(b, 4095, &iov, 1), CCADA_OK);
        assert_memory_equal(blk_ram_bytes(b) + 4095, data, sizeof(data));
        assert_int_equal(blk_file_fd(b), -1);
        blk_backend_close(b);
}

/* Page-aligned, like the guest pages it exchanges sectors with (see blk_ram.c). */
static void blk_ram_medium_starts_on_a_page(void **state)
{
        struct blk_backend *b;
        (void)state;
        assert_int_equal(blk_ram_open(&b, 512, NULL), CCADA_OK);
        assert_int_equal((uintptr_t)blk_ram_bytes(b) % 4096, 0);
        blk_backend_close(b);
}

static void blk_ram_empty_medium_takes_only_empty_requests(void **state)
{
        struct blk_backend *b;
        uint8_t x = 0;
        struct iovec iov = { &x, 1 };
        uint64_t size = 1;
        (void)state;
        assert_int_equal(blk_ram_open(&b, 0, NULL), CCADA_OK);
        assert_int_equal(blk_backend_size(b, &size), CCADA_OK);
        assert_int_equal(size, 0);
        assert_int_equal(blk_backend_read(b, 0, &iov, 1), CCADA_E_RANGE);
        assert_int_equal(blk_backend_read(b, 0, NULL, 0), CCADA_OK);
        assert_int_equal(blk_backend_flush(b), CCADA_OK);
        blk_backend_close(b);
}

static void blk_ram_open_rejects_bad_arguments(void **state)
{
        struct blk_backend *b = (struct blk_backend *)&b;
        (void)state;
        assert_int_equal(blk_ram_open(NULL, 512, NULL), CCADA_E_INVAL);
        assert_int_equal(blk_ram_open(&b, UINT64_MAX, NULL), CCADA_E_INVAL);
        assert_int_equal(blk_ram_bytes(NULL), NULL);
        blk_backend_close(NULL); /* a no-op */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                BLK_CONTRACT_TESTS(&ram_kit),
                cmocka_unit_test(blk_ram_bytes_are_the_medium),
                cmocka_unit_test(blk_ram_medium_starts_on_a_page),
                cmocka_unit_test(blk_ram_empty_medium_takes_only_empty_requests),
                cmocka_unit_test(blk_ram_open_rejects_bad_arguments),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
