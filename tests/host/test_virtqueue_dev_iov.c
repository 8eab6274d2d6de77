/* src/host/virtqueue_dev_iov.c: a popped request's payload as iovecs over guest memory, the
 * view a backend gets. Built against host_fakes.c's guest memory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "host/virtqueue_dev.h"
#include "host_fakes.h"

struct rig {
        struct host_vm *vm;
        struct vdev_queue q;
        struct vdq_elem e;
        uint64_t a, b, c; /* three guest buffers, apart */
};

static int setup(void **state)
{
        struct rig *r = calloc(1, sizeof(*r));
        if (!r)
                return -1;
        r->vm = fake_vm_create();
        r->q.vm = r->vm;
        r->a = fake_alloc(r->vm, 4096, 4096);
        (void)fake_alloc(r->vm, 4096, 4096); /* a hole: a and b are not contiguous */
        r->b = fake_alloc(r->vm, 4096, 4096);
        r->c = r->b + 4096; /* c continues b */
        (void)fake_alloc(r->vm, 4096, 4096);
        /* readable: a[0, 100) then b[0, 200); writable: c[0, 300) */
        r->e.segs[0] = (struct vdq_seg){ r->a, 100 };
        r->e.segs[1] = (struct vdq_seg){ r->b, 200 };
        r->e.segs[2] = (struct vdq_seg){ r->c, 300 };
        r->e.n_out = 2, r->e.out_len = 300;
        r->e.n_in = 1, r->e.in_len = 300;
        *state = r;
        return 0;
}

static int teardown(void **state)
{
        struct rig *r = *state;
        fake_vm_destroy(r->vm);
        free(r);
        return 0;
}

static void vdq_map_out_spans_segments_in_order(void **state)
{
        struct rig *r = *state;
        struct iovec iov[4];
        unsigned n = 99;
        assert_int_equal(vdq_map_out(&r->q, &r->e, 50, 120, iov, 4, &n), CCADA_OK);
        assert_int_equal(n, 2);
        assert_ptr_equal(iov[0].iov_base, fake_ptr(r->vm, r->a + 50, 50));
        assert_int_equal(iov[0].iov_len, 50);
        assert_ptr_equal(iov[1].iov_base, fake_ptr(r->vm, r->b, 70));
        assert_int_equal(iov[1].iov_len, 70);
}

/* The iovecs are the guest's bytes themselves: what a backend writes there, the guest sees. */
static void vdq_map_in_gives_the_guest_buffer_itself(void **state)
{
        struct rig *r = *state;
        struct iovec iov[2];
        unsigned n;
        assert_int_equal(vdq_map_in(&r->q, &r->e, 0, 300, iov, 2, &n), CCADA_OK);
        assert_int_equal(n, 1);
        memset(iov[0].iov_base, 0x5A, iov[0].iov_len);
        assert_int_equal(fake_ptr(r->vm, r->c, 300)[299], 0x5A);
        assert_int_equal(r->vm->writes, 0); /* no copy went through host_gpa_write */
}

static void vdq_map_merges_segments_contiguous_in_the_host(void **state)
{
        struct rig *r = *state;
        struct iovec iov[2];
        unsigned n;
        r->e.segs[1] = (struct vdq_seg){ r->a + 100, 200 }; /* continues segs[0] */
        assert_int_equal(vdq_map_out(&r->q, &r->e, 0, 300, iov, 2, &n), CCADA_OK);
        assert_int_equal(n, 1);
        assert_int_equal(iov[0].iov_len, 300);
}

static void vdq_map_beyond_the_part_is_out_of_range(void **state)
{
        struct rig *r = *state;
        struct iovec iov[4];
        unsigned n = 99;
        assert_int_equal(vdq_map_out(&r->q, &r->e, 1, 300, iov, 4, &n), CCADA_E_RANGE);
        assert_int_equal(n, 0);
        assert_int_equal(vdq_map_in(&r->q, &r->e, 301, 0, iov, 4, &n), CCADA_E_RANGE);
        assert_int_equal(vdq_map_in(&r->q, &r->e, 300, 0, iov, 4, &n), CCADA_OK);
        assert_int_equal(n, 0);
        assert_int_equal(r->vm->maps, 0);
}

static void vdq_map_of_memory_the_host_cannot_reach_is_gpf(void **state)
{
        struct rig *r = *state;
        struct iovec iov[4];
        unsigned n = 99;
        fake_revoke(r->vm, r->b, 4096);
        assert_int_equal(vdq_map_out(&r->q, &r->e, 0, 300, iov, 4, &n), CCADA_E_GPF);
        assert_int_equal(n, 0);
}

static void vdq_map_needing_more_iovecs_than_given_is_nospc(void **state)
{
        struct rig *r = *state;
        struct iovec iov[1];
        unsigned n = 99;
        assert_int_equal(vdq_map_out(&r->q, &r->e, 0, 300, iov, 1, &n), CCADA_E_NOSPC);
        assert_int_equal(n, 0);
        assert_int_equal(vdq_map_out(&r->q, &r->e, 0, 100, iov, 1, &n), CCADA_OK);
        assert_int_equal(n, 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(vdq_map_out_spans_segments_in_order),
                T(vdq_map_in_gives_the_guest_buffer_itself),
                T(vdq_map_merges_segments_contiguous_in_the_host),
                T(vdq_map_beyond_the_part_is_out_of_range),
                T(vdq_map_of_memory_the_host_cannot_reach_is_gpf),
                T(vdq_map_needing_more_iovecs_than_given_is_nospc),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
