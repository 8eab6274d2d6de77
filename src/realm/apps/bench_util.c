/* What the bench apps share: the clock, medians, the repetitions asked for, a native
 * memcpy timed the same way in every app. */
#include <stdlib.h>
#include <string.h>

#include "realm/apps/bench.h"
#include "lib/clock.h"
#include "realm/cmdline.h"

double bench_now_ns(void)
{
        return clock_mono_ns();
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

double bench_median(double *v, unsigned n)
{
        qsort(v, n, sizeof(*v), cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void *(*volatile memcpy_fn)(void *, const void *, size_t) = memcpy;

double bench_time_memcpy(uint8_t *dst, const uint8_t *src, uint64_t size, unsigned n)
{
        double t0 = bench_now_ns();
        for (unsigned i = 0; i < n; i++) {
                memcpy_fn(dst, src, size);
                __asm__ volatile("" ::: "memory");
        }
        return (bench_now_ns() - t0) / n;
}

bool bench_cold_init(struct realm_kernel *k, struct bench_cold *c)
{
        c->at = 0;
        c->area = rk_zalloc(k, 1, BENCH_COLD_AREA);
        c->gap = rk_zalloc(k, 1, BENCH_COLD_GAP);
        if (!c->area || !c->gap) {
                bench_cold_fini(k, c);
                return false;
        }
        memset(c->area, 1, BENCH_COLD_AREA); /* mapped now, not while timed */
        return true;
}

void bench_cold_fini(struct realm_kernel *k, struct bench_cold *c)
{
        rk_kfree(k, c->area);
        rk_kfree(k, c->gap);
        c->area = NULL;
        c->gap = NULL;
}

static void gap_walk(uint8_t *gap)
{
        for (size_t i = 0; i < BENCH_COLD_GAP; i += 64)
                gap[i]++;
        __asm__ volatile("" ::: "memory");
}

/* n copies of size bytes from src into the area, each followed by a walk of the gap area
 * when gap is set; nanoseconds for all of them. */
static double cold_copies(struct bench_cold *c, const uint8_t *src, uint64_t size, unsigned n, bool gap)
{
        double t0 = bench_now_ns();
        for (unsigned i = 0; i < n; i++) {
                if (c->at + size > BENCH_COLD_AREA)
                        c->at = 0;
                memcpy_fn(c->area + c->at, src, size);
                __asm__ volatile("" ::: "memory");
                c->at += size;
                if (gap)
                        gap_walk(c->gap);
        }
        return bench_now_ns() - t0;
}

double bench_time_memcpy_cold(struct bench_cold *c, const uint8_t *src, uint64_t size, unsigned n)
{
        return cold_copies(c, src, size, n, false) / n;
}

double bench_time_memcpy_cold_isolated(struct bench_cold *c, const uint8_t *src, uint64_t size, unsigned n)
{
        double with = cold_copies(c, src, size, n, true);
        double t1 = bench_now_ns();
        for (unsigned i = 0; i < n; i++)
                gap_walk(c->gap);
        double t = (with - (bench_now_ns() - t1)) / n;
        /* Noise (a shared machine, a sanitizer build) can make the difference small or
         * negative; an isolated copy never costs less than back-to-back ones, whose
         * overlap only helps them, so that is its floor. */
        double floor = cold_copies(c, src, size, n, false) / n;
        return t > floor ? t : floor;
}

/* The repetitions the command line asks for ("ccada.bench_reps=N", 1..31; default 7). */
unsigned bench_reps(struct realm_kernel *k)
{
        uint64_t reps = 7;
        enum ccada_number_error why = CCADA_NUMBER_OK;
        if (cmdline_u64(rk_cmdline(k), "ccada.bench_reps", &reps, &why) &&
            (why != CCADA_NUMBER_OK || reps < 1 || reps > BENCH_MAX_REPS)) {
                rk_printk(k, "bench: ccada.bench_reps must be 1..%u; using 7", BENCH_MAX_REPS);
                reps = 7;
        }
        return (unsigned)reps;
}

