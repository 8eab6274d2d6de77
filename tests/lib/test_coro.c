/* src/lib/coro.c: ucontext coroutines. Run under ASan too (CCADA_SANITIZE): the fiber
 * annotations are what keep these tests free of false stack reports there, and LeakSanitizer
 * is what proves destroyed coroutines free their stacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/coro.h"

struct pingpong {
        int in;                 /* written by the resumer before each resume */
        int out;                /* written by the coroutine before each yield */
        char log[32];           /* who ran, in order */
        size_t n;
};

static void log_step(struct pingpong *p, char who)
{
        if (p->n < sizeof(p->log) - 1)
                p->log[p->n++] = who;
}

static void doubler(struct coro *self, void *arg)
{
        struct pingpong *p = arg;

        for (int i = 0; i < 3; i++) {
                log_step(p, 'c');
                p->out = p->in * 2;
                coro_yield(self);
        }
        log_step(p, 'e');
}

static void coro_resume_yield_ping_pong_passes_values_in_order(void **state)
{
        struct pingpong p = { 0 };
        struct coro *c;

        (void)state;
        assert_true(coro_create(&c, 0, doubler, &p));
        assert_false(coro_started(c));
        for (int i = 1; i <= 3; i++) {
                log_step(&p, 'm');
                p.in = i * 10;
                coro_resume(c);
                assert_int_equal(p.out, i * 20);
                assert_true(coro_started(c));
                assert_false(coro_finished(c));
        }
        log_step(&p, 'm');
        coro_resume(c);
        assert_true(coro_finished(c));
        assert_string_equal(p.log, "mcmcmcme");
        coro_destroy(c);
}

static void count_once(struct coro *self, void *arg)
{
        (void)self;
        (*(int *)arg)++;
}

static void coro_resume_of_finished_coroutine_is_noop(void **state)
{
        struct coro *c;
        int runs = 0;

        (void)state;
        assert_true(coro_create(&c, 0, count_once, &runs));
        coro_resume(c);
        assert_true(coro_finished(c));
        coro_resume(c);
        coro_resume(c);
        assert_int_equal(runs, 1);
        coro_destroy(c);
}

static void yield_forever(struct coro *self, void *arg)
{
        unsigned *count = arg;

        for (;;) {
                (*count)++;
                coro_yield(self);
        }
}

static void coro_destroy_of_suspended_coroutine_frees_it(void **state)
{
        struct coro *c;
        unsigned counter = 0;

        (void)state;
        assert_true(coro_create(&c, 0, yield_forever, &counter));
        coro_resume(c);
        coro_resume(c);
        assert_int_equal(counter, 2);
        assert_false(coro_finished(c));
        coro_destroy(c);        /* under ASan, LeakSanitizer fails the test if the stack leaks */
}

static void coro_destroy_of_never_started_coroutine_and_null_are_fine(void **state)
{
        struct coro *c;
        int runs = 0;

        (void)state;
        assert_true(coro_create(&c, 0, count_once, &runs));
        coro_destroy(c);
        coro_destroy(NULL);
        assert_int_equal(runs, 0);
}

/* About 100 KiB of frames on the default 256 KiB stack. */
static unsigned recurse(unsigned depth)
{
        volatile unsigned char frame[128];

        for (size_t i = 0; i < sizeof(frame); i++)
                frame[i] = (unsigned char)(depth + i);
        if (depth == 0)
                return frame[0];
        return recurse(depth - 1) + frame[depth % sizeof(frame)];
}

struct deep {
        unsigned depth;
        unsigned result;
};

static void deep_worker(struct coro *self, void *arg)
{
        struct deep *d = arg;

        d->result = recurse(d->depth);
        coro_yield(self);       /* switch away with a deep stack history, then come back */
        d->result += recurse(d->depth);
}

static void coro_deep_recursion_within_stack_works(void **state)
{
        struct deep d = { .depth = 600, .result = 0 };
        unsigned want = recurse(d.depth);
        struct coro *c;

        (void)state;
        assert_true(coro_create(&c, 0, deep_worker, &d));
        coro_resume(c);
        assert_int_equal(d.result, want);
        coro_resume(c);
        assert_true(coro_finished(c));
        assert_int_equal(d.result, 2 * want);
        coro_destroy(c);
}

struct nest {
        struct coro *inner;
        char log[16];
        size_t n;
};

static void inner_fn(struct coro *self, void *arg)
{
        struct nest *n = arg;

        n->log[n->n++] = 'i';
        coro_yield(self);
        n->log[n->n++] = 'j';
}

static void outer_fn(struct coro *self, void *arg)
{
        struct nest *n = arg;

        n->log[n->n++] = 'o';
        coro_resume(n->inner);  /* a coroutine resuming another one */
        n->log[n->n++] = 'p';
        coro_yield(self);
        coro_resume(n->inner);
        n->log[n->n++] = 'q';
}

static void coro_resumed_from_another_coroutine_returns_to_it(void **state)
{
        struct nest n = { 0 };
        struct coro *outer;

        (void)state;
        assert_true(coro_create(&n.inner, 0, inner_fn, &n));
        assert_true(coro_create(&outer, 64 * 1024, outer_fn, &n));
        coro_resume(outer);
        n.log[n.n++] = 'm';
        coro_resume(outer);
        assert_true(coro_finished(outer));
        assert_true(coro_finished(n.inner));
        assert_string_equal(n.log, "oipmjq");
        coro_destroy(outer);
        coro_destroy(n.inner);
}

static void coro_small_stack_request_still_runs(void **state)
{
        struct coro *c;
        int runs = 0;

        (void)state;
        assert_true(coro_create(&c, 1, count_once, &runs));     /* rounded up internally */
        coro_resume(c);
        assert_int_equal(runs, 1);
        coro_destroy(c);
}

static void coro_many_create_resume_destroy_cycles_do_not_leak(void **state)
{
        int runs = 0;
        unsigned counter = 0;

        (void)state;
        for (int i = 0; i < 1000; i++) {
                struct coro *c;
                assert_true(coro_create(&c, 0, i % 2 ? count_once : yield_forever,
                                        i % 2 ? (void *)&runs : (void *)&counter));
                coro_resume(c);
                coro_destroy(c);
        }
        assert_int_equal(runs, 500);
        assert_int_equal(counter, 500);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(coro_resume_yield_ping_pong_passes_values_in_order),
                cmocka_unit_test(coro_resume_of_finished_coroutine_is_noop),
                cmocka_unit_test(coro_destroy_of_suspended_coroutine_frees_it),
                cmocka_unit_test(coro_destroy_of_never_started_coroutine_and_null_are_fine),
                cmocka_unit_test(coro_deep_recursion_within_stack_works),
                cmocka_unit_test(coro_resumed_from_another_coroutine_returns_to_it),
                cmocka_unit_test(coro_small_stack_request_still_runs),
                cmocka_unit_test(coro_many_create_resume_destroy_cycles_do_not_leak),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
