/* The block backend contract (src/host/blk_backend.h) as cmocka tests that every backend
 * must pass. A backend's test file gives a factory and runs BLK_CONTRACT_TESTS among its own:
 *
 *     static const struct blk_contract_kit kit = { .open = open_mine };
 *     ... cmocka_run_group_tests(tests, blk_contract_setup, blk_contract_teardown) with
 *         group state &kit (blk_contract_setup takes it through cmocka's initial state).
 */
#ifndef CCADA_TESTS_HOST_BLK_CONTRACT_H
#define CCADA_TESTS_HOST_BLK_CONTRACT_H

#include <stdint.h>

#include "host/blk_backend.h"

/* One read or write of len bytes at off through a single iovec. */
ccada_status blk_read1(struct blk_backend *b, uint64_t off, void *buf, size_t len);
ccada_status blk_write1(struct blk_backend *b, uint64_t off, const void *buf, size_t len);

/* Bytes of the medium each contract test opens. */
#define BLK_CONTRACT_SIZE (1u << 20)

struct blk_contract_kit {
        const char *name;
        /* Opens a fresh, zeroed backend of size bytes; CCADA_OK or the test fails. */
        ccada_status (*open)(struct blk_backend **out, uint64_t size);
};

/* Per-test state: the kit and the backend opened for the test. */
struct blk_contract {
        const struct blk_contract_kit *kit;
        struct blk_backend *b;
};

/* For cmocka_unit_test_prestate_setup_teardown(test, blk_contract_setup,
 * blk_contract_teardown, (void *)&kit). */
int blk_contract_setup(void **state);
int blk_contract_teardown(void **state);

void blk_backend_new_medium_reads_zero(void **state);
void blk_backend_write_then_read_returns_same_bytes(void **state);
void blk_backend_iovecs_are_one_range_in_order(void **state);
void blk_backend_more_iovecs_than_one_system_call_takes_move_all(void **state);
void blk_backend_size_is_the_size_it_was_opened_with(void **state);
void blk_backend_flush_after_writes_succeeds(void **state);
void blk_backend_read_past_end_is_out_of_range_and_moves_nothing(void **state);
void blk_backend_write_past_end_is_out_of_range_and_writes_nothing(void **state);
void blk_backend_offset_near_2_to_64_is_out_of_range(void **state);
void blk_backend_malformed_iovecs_are_invalid(void **state);
void blk_backend_no_iovecs_checks_the_offset_only(void **state);
void blk_backend_error_record_clears_on_the_next_good_call(void **state);

#define BLK_CONTRACT_TEST(fn, kit) \
        cmocka_unit_test_prestate_setup_teardown(fn, blk_contract_setup, blk_contract_teardown, (void *)(kit))
/* clang-format off */
#define BLK_CONTRACT_TESTS(kit)                                                                \
        BLK_CONTRACT_TEST(blk_backend_new_medium_reads_zero, kit),                             \
        BLK_CONTRACT_TEST(blk_backend_write_then_read_returns_same_bytes, kit),                \
        BLK_CONTRACT_TEST(blk_backend_iovecs_are_one_range_in_order, kit),                     \
        BLK_CONTRACT_TEST(blk_backend_more_iovecs_than_one_system_call_takes_move_all, kit),   \
        BLK_CONTRACT_TEST(blk_backend_size_is_the_size_it_was_opened_with, kit),               \
        BLK_CONTRACT_TEST(blk_backend_flush_after_writes_succeeds, kit),                       \
        BLK_CONTRACT_TEST(blk_backend_read_past_end_is_out_of_range_and_moves_nothing, kit),   \
        BLK_CONTRACT_TEST(blk_backend_write_past_end_is_out_of_range_and_writes_nothing, kit), \
        BLK_CONTRACT_TEST(blk_backend_offset_near_2_to_64_is_out_of_range, kit),               \
        BLK_CONTRACT_TEST(blk_backend_malformed_iovecs_are_invalid, kit),                      \
        BLK_CONTRACT_TEST(blk_backend_no_iovecs_checks_the_offset_only, kit),                  \
        BLK_CONTRACT_TEST(blk_backend_error_record_clears_on_the_next_good_call, kit)
/* clang-format on */

#endif
