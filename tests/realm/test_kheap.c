/* src/realm/kheap.c: the guest kernel's heap, whose leftovers go with the kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "realm/kheap.h"

static void kheap_zalloc_returns_zeroed_aligned_memory(void **state)
{
        struct kheap h = { 0 };
        (void)state;
        for (size_t n = 1; n < 300; n += 37) {
                unsigned char *p = kheap_zalloc(&h, n, 3);
                assert_non_null(p);
                assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
                for (size_t i = 0; i < n * 3; i++)
                        assert_int_equal(p[i], 0);
                memset(p, 0xff, n * 3); /* all of it is ours */
        }
        assert_int_equal(h.live, 9);
        kheap_release(&h);
        assert_int_equal(h.live, 0);
        assert_null(h.head);
}

static void kheap_zalloc_refuses_zero_bytes_and_overflowing_products(void **state)
{
        struct kheap h = { 0 };
        (void)state;
        assert_null(kheap_zalloc(&h, 0, 8));
        assert_null(kheap_zalloc(&h, 8, 0));
        assert_null(kheap_zalloc(&h, SIZE_MAX / 2 + 1, 2));
        assert_null(kheap_zalloc(&h, SIZE_MAX, SIZE_MAX));
        assert_null(kheap_zalloc(&h, 1, SIZE_MAX)); /* the chunk header would overflow */
        assert_int_equal(h.live, 0);
}

static void kheap_free_in_any_order_keeps_the_rest(void **state)
{
        struct kheap h = { 0 };
        int *p[5];
        (void)state;
        for (int i = 0; i < 5; i++) {
                p[i] = kheap_zalloc(&h, 1, sizeof(int));
                assert_non_null(p[i]);
                *p[i] = i;
        }
        kheap_free(&h, p[2]); /* middle */
        kheap_free(&h, p[4]); /* newest: the list head */
        kheap_free(&h, p[0]); /* oldest: the list tail */
        kheap_free(&h, NULL);
        assert_int_equal(h.live, 2);
        assert_int_equal(*p[1], 1);
        assert_int_equal(*p[3], 3);
        kheap_release(&h); /* what the kernel does when it is destroyed */
        assert_int_equal(h.live, 0);
        assert_null(h.head);
        assert_non_null(kheap_zalloc(&h, 1, 1)); /* usable again */
        kheap_release(&h);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(kheap_zalloc_returns_zeroed_aligned_memory),
                cmocka_unit_test(kheap_zalloc_refuses_zero_bytes_and_overflowing_products),
                cmocka_unit_test(kheap_free_in_any_order_keeps_the_rest),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
