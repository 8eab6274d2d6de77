/* How a Realm task waits, and what may run at once: the one concurrency story of src/realm.
 *
 * In the machine a Realm runs on its REC: one task at a time, as native code on the REC's
 * coroutine. It leaves the CPU only at an exit to the host (an MMIO access, an RSI call, a
 * WFI through rk_wait), and nothing else of the Realm runs while it is out. So in the
 * machine a lock is never contended, and no other Realm task can signal an event: code that
 * waits for the host's progress (a used ring, a reset, freed bounce slots) polls, with
 * rk_wait between polls, and gives up after a bound.
 *
 * The unit tests run Realm code (SWIOTLB, the DMA API) on several host threads at once,
 * and a threaded network stack (lwIP's sys_arch: sys_mutex, sys_sem) will map onto these
 * same calls. There they are real locks and condition waits. Code written against
 * rk_lock/rk_event is correct in both; no other file of src/realm uses pthreads or C11
 * threads. Both objects are embeddable (no allocation) and are initialised before use and
 * destroyed after. */
#ifndef CCADA_REALM_SYNC_H
#define CCADA_REALM_SYNC_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#define RK_LOCK_BYTES  64
#define RK_EVENT_BYTES 64

struct rk_lock {
        alignas(max_align_t) unsigned char opaque[RK_LOCK_BYTES];
};

/* The CPU context a kernel's trace lines show (kernel/trace/trace_output.c,
 * trace_print_lat_fmt): interrupts masked, softirqs (BH) disabled, the preemption depth.
 * spin_lock_irqsave masks interrupts and takes one preemption level. */
struct rk_cpu_ctx {
        bool irqs_off;
        bool bh_off;
        bool softirq;           /* serving a softirq (NAPI polling the network) */
        unsigned preempt;       /* spin locks held (and other preempt_disable) */
};

/* The five latency flags as ftrace prints them: irqs-off ('d', with BH off 'D'; BH off
 * alone 'b'), need-resched ('.'), hardirq/softirq ('s' in a softirq, else '.'), preempt depth (hex digit or
 * '.'), migrate-disable ('.'). out: 6 bytes. */
void rk_cpu_ctx_flags(const struct rk_cpu_ctx *c, char out[6]);
/* What spin_lock_irqsave / spin_unlock_irqrestore do to the context: mask interrupts and
 * take a preemption level (returning whether interrupts were masked), then undo both. */
bool rk_cpu_ctx_irqsave(struct rk_cpu_ctx *c);
void rk_cpu_ctx_irqrestore(struct rk_cpu_ctx *c, bool irqs_were_off);

/* A spin lock (Linux spinlock_t): for short critical sections that never wait, such as a
 * SWIOTLB area's slot search. Uncontended it costs an atomic exchange and a store, not a
 * mutex's call into the C library; contended (the unit tests' threads) it spins, yielding
 * the CPU now and then so that a preempted holder runs. Zero-initialised is unlocked. */
struct rk_spinlock {
        atomic_flag held;
};

void rk_spinlock_init(struct rk_spinlock *l);
void rk_spin_acquire(struct rk_spinlock *l);
void rk_spin_release(struct rk_spinlock *l);

/* Something tasks wait for while holding a lock (a condition variable). */
struct rk_event {
        alignas(max_align_t) unsigned char opaque[RK_EVENT_BYTES];
};

void rk_lock_init(struct rk_lock *l);
void rk_lock_destroy(struct rk_lock *l);
void rk_lock_acquire(struct rk_lock *l);
void rk_lock_release(struct rk_lock *l);

void rk_event_init(struct rk_event *e);
void rk_event_destroy(struct rk_event *e);
/* A point in time on the monotonic clock, for waits that span several wake-ups. */
struct rk_deadline {
        long long sec, nsec;
};
struct rk_deadline rk_deadline_after(unsigned ms);
/* With l held: releases it, waits until rk_event_signal_all or the deadline (a spurious
 * wake-up may return early: callers re-check their condition), takes l again. False when
 * the deadline has passed. */
bool rk_event_wait(struct rk_event *e, struct rk_lock *l, const struct rk_deadline *until);
/* Wakes every task waiting on e. */
void rk_event_signal_all(struct rk_event *e);

#endif
