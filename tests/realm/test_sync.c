/* src/realm/sync.c: the Realm's locks and events, on real threads as the unit tests and a
 * threaded network stack use them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "realm/sync.h"

struct shared {
        struct rk_lock lock;
        struct rk_event event;
        unsigned long counter;
        bool ready;
};

static void *bump(void *arg)
{
        struct shared *s = arg;
        for (int i = 0; i < 100000; i++) {
                rk_lock_acquire(&s->lock);
                s->counter++;
                rk_lock_release(&s->lock);
        }
        return NULL;
}

static void rk_lock_makes_increments_from_two_threads_exact(void **state)
{
        struct shared s = { 0 };
        pthread_t a, b;
        (void)state;
        rk_lock_init(&s.lock);
        assert_int_equal(pthread_create(&a, NULL, bump, &s), 0);
        assert_int_equal(pthread_create(&b, NULL, bump, &s), 0);
        pthread_join(a, NULL);
        pthread_join(b, NULL);
        assert_int_equal(s.counter, 200000);
        rk_lock_destroy(&s.lock);
}

static double now_s(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void rk_event_wait_returns_false_once_the_deadline_passed(void **state)
{
        struct shared s = { 0 };
        (void)state;
        rk_lock_init(&s.lock);
        rk_event_init(&s.event);
        struct rk_deadline until = rk_deadline_after(50);
        double t0 = now_s();
        bool woke = true;
        rk_lock_acquire(&s.lock);
        while (woke) /* spurious wake-ups return true early: wait again until the deadline */
                woke = rk_event_wait(&s.event, &s.lock, &until);
        rk_lock_release(&s.lock); /* the lock is held again on return */
        assert_true(now_s() - t0 >= 0.045);
        rk_event_destroy(&s.event);
        rk_lock_destroy(&s.lock);
}

static void *announce(void *arg)
{
        struct shared *s = arg;
        rk_lock_acquire(&s->lock);
        s->ready = true;
        rk_event_signal_all(&s->event);
        rk_lock_release(&s->lock);
        return NULL;
}

static void rk_event_signal_all_wakes_a_waiter_before_its_deadline(void **state)
{
        struct shared s = { 0 };
        pthread_t t;
        (void)state;
        rk_lock_init(&s.lock);
        rk_event_init(&s.event);
        struct rk_deadline until = rk_deadline_after(10000);
        rk_lock_acquire(&s.lock);
        assert_int_equal(pthread_create(&t, NULL, announce, &s), 0);
        bool in_time = true;
        while (!s.ready && in_time)
                in_time = rk_event_wait(&s.event, &s.lock, &until);
        rk_lock_release(&s.lock);
        pthread_join(t, NULL);
        assert_true(s.ready);
        assert_true(in_time);
        rk_event_destroy(&s.event);
        rk_lock_destroy(&s.lock);
}

/* The latency flags as kernel/trace/trace_output.c prints them. */
static void rk_cpu_ctx_flags_read_as_ftrace_prints_them(void **state)
{
        char f[6];
        (void)state;
        rk_cpu_ctx_flags(&(struct rk_cpu_ctx){ 0 }, f);
        assert_string_equal(f, ".....");
        rk_cpu_ctx_flags(&(struct rk_cpu_ctx){ .irqs_off = true, .preempt = 1 }, f);
        assert_string_equal(f, "d..1."); /* spin_lock_irqsave */
        rk_cpu_ctx_flags(&(struct rk_cpu_ctx){ .bh_off = true, .preempt = 2 }, f);
        assert_string_equal(f, "b..2."); /* the learning path's virtio-net transmit line */
        rk_cpu_ctx_flags(&(struct rk_cpu_ctx){ .irqs_off = true, .bh_off = true }, f);
        assert_string_equal(f, "D....");
        rk_cpu_ctx_flags(&(struct rk_cpu_ctx){ .preempt = 0x1b }, f);
        assert_string_equal(f, "...b."); /* the low four bits, in hex */
        rk_cpu_ctx_flags(&(struct rk_cpu_ctx){ .softirq = true, .bh_off = true, .preempt = 1 }, f);
        assert_string_equal(f, "b.s1."); /* NAPI polling the network */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(rk_lock_makes_increments_from_two_threads_exact),
                cmocka_unit_test(rk_cpu_ctx_flags_read_as_ftrace_prints_them),
                cmocka_unit_test(rk_event_wait_returns_false_once_the_deadline_passed),
                cmocka_unit_test(rk_event_signal_all_wakes_a_waiter_before_its_deadline),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
