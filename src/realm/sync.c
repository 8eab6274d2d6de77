/* The Realm's locks and events (see sync.h) over POSIX threads: the one file of src/realm
 * that uses them. */
#include "realm/sync.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

_Static_assert(sizeof(pthread_mutex_t) <= RK_LOCK_BYTES, "a mutex fits struct rk_lock");
_Static_assert(sizeof(pthread_cond_t) <= RK_EVENT_BYTES, "a condition variable fits struct rk_event");

static pthread_mutex_t *mutex(struct rk_lock *l) { return (pthread_mutex_t *)(void *)l->opaque; }
static pthread_cond_t *cond(struct rk_event *e) { return (pthread_cond_t *)(void *)e->opaque; }

void rk_lock_init(struct rk_lock *l) { (void)pthread_mutex_init(mutex(l), NULL); }
void rk_lock_destroy(struct rk_lock *l) { (void)pthread_mutex_destroy(mutex(l)); }
void rk_lock_acquire(struct rk_lock *l) { (void)pthread_mutex_lock(mutex(l)); }
void rk_lock_release(struct rk_lock *l) { (void)pthread_mutex_unlock(mutex(l)); }

void rk_spinlock_init(struct rk_spinlock *l) { atomic_flag_clear_explicit(&l->held, memory_order_release); }

void rk_spin_acquire(struct rk_spinlock *l)
{
        for (unsigned spins = 0; atomic_flag_test_and_set_explicit(&l->held, memory_order_acquire); spins++)
                if (spins % 64 == 63)
                        (void)sched_yield(); /* the holder may be a preempted thread */
}

void rk_spin_release(struct rk_spinlock *l) { atomic_flag_clear_explicit(&l->held, memory_order_release); }

void rk_event_init(struct rk_event *e)
{
        pthread_condattr_t ca;
        (void)pthread_condattr_init(&ca);
        (void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* timeouts ignore wall-clock steps */
        (void)pthread_cond_init(cond(e), &ca);
        (void)pthread_condattr_destroy(&ca);
}

void rk_event_destroy(struct rk_event *e) { (void)pthread_cond_destroy(cond(e)); }

struct rk_deadline rk_deadline_after(unsigned ms)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        struct rk_deadline d = { (long long)now.tv_sec + ms / 1000, (long long)now.tv_nsec + (long long)(ms % 1000) * 1000000 };
        if (d.nsec >= 1000000000LL) {
                d.sec++;
                d.nsec -= 1000000000LL;
        }
        return d;
}

bool rk_event_wait(struct rk_event *e, struct rk_lock *l, const struct rk_deadline *until)
{
        struct timespec dl = { .tv_sec = (time_t)until->sec, .tv_nsec = (long)until->nsec };
        return pthread_cond_timedwait(cond(e), mutex(l), &dl) != ETIMEDOUT;
}

void rk_event_signal_all(struct rk_event *e) { (void)pthread_cond_broadcast(cond(e)); }

void rk_cpu_ctx_flags(const struct rk_cpu_ctx *c, char out[6])
{
        static const char hex[] = "0123456789abcdef";

        out[0] = c->irqs_off ? (c->bh_off ? 'D' : 'd') : (c->bh_off ? 'b' : '.');
        out[1] = '.';
        out[2] = c->softirq ? 's' : '.';
        out[3] = c->preempt & 0xF ? hex[c->preempt & 0xF] : '.';
        out[4] = '.';
        out[5] = '\0';
}

bool rk_cpu_ctx_irqsave(struct rk_cpu_ctx *c)
{
        bool was = c->irqs_off;
        c->irqs_off = true;
        c->preempt++;
        return was;
}

void rk_cpu_ctx_irqrestore(struct rk_cpu_ctx *c, bool irqs_were_off)
{
        if (c->preempt)
                c->preempt--;
        c->irqs_off = irqs_were_off;
}
