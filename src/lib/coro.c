/* Stackful coroutines: ucontext (getcontext/makecontext) builds the coroutine's first
 * frame on its own stack, and every switch after that is _setjmp/_longjmp, which unlike
 * swapcontext does not save and restore the signal mask with a system call on each switch
 * (a REC entry and exit is two switches, so this is on the hot path of every MMIO exit).
 *
 * Each coroutine owns a page-aligned heap stack whose lowest page is a guard, so an
 * overflow faults instead of corrupting the heap. Stacks grow down on every target we
 * build for (x86-64, AArch64), hence the guard at the low end. The guard is mprotect'ed
 * PROT_NONE, except under ASan where it is poisoned in shadow memory instead: LeakSanitizer
 * reads every live heap chunk at exit and dies on a PROT_NONE page inside one (seen with a
 * coroutine left undestroyed), while a poisoned page is still reported on first touch.
 * The stack stays a heap chunk (not an mmap) so LeakSanitizer scans it for pointers and
 * reports a coroutine that is never destroyed.
 *
 * With CCADA_ASAN, every switch is announced to AddressSanitizer (fiber annotations in
 * <sanitizer/common_interface_defs.h>): start_switch_fiber before swapcontext, with the
 * bounds of the stack being switched to, and finish_switch_fiber right after coming back,
 * on both sides. Without them ASan sees the stack pointer jump and reports false errors.
 */
#include "lib/coro.h"

#include <assert.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#ifdef CCADA_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#define CORO_DEFAULT_STACK (256u * 1024u)
#define CORO_MIN_STACK     (16u * 1024u)

struct coro {
        ucontext_t ctx;         /* the coroutine's first frame (makecontext) */
        jmp_buf self;           /* where the coroutine continues after a yield */
        jmp_buf caller;         /* where the resumer continues */
        coro_fn fn;
        void *arg;
        unsigned char *mem;     /* allocation: guard page, then the usable stack */
        size_t page;
        size_t stack_size;      /* usable bytes above the guard page */
        bool started;
        bool running;
        bool finished;
        const void *caller_bottom;      /* the resumer's stack (ASan builds only) */
        size_t caller_size;
};

static void *stack_base(const struct coro *c) { return c->mem + c->page; }

/* ---- AddressSanitizer fiber annotations (no-ops in other builds) ---- */

#ifdef CCADA_ASAN
static void asan_start(void **fake, const void *bottom, size_t size)
{
        __sanitizer_start_switch_fiber(fake, bottom, size);
}
static void asan_finish(void *fake, const void **bottom, size_t *size)
{
        __sanitizer_finish_switch_fiber(fake, bottom, size);
}
#else
static void asan_start(void **fake, const void *bottom, size_t size)
{
        (void)fake;
        (void)bottom;
        (void)size;
}
static void asan_finish(void *fake, const void **bottom, size_t *size)
{
        (void)fake;
        (void)bottom;
        (void)size;
}
#endif

/* ---- stack ---- */

#ifdef CCADA_ASAN
static bool guard_on(void *p, size_t n)
{
        __asan_poison_memory_region(p, n);
        return true;
}
static bool guard_off(void *p, size_t n)
{
        __asan_unpoison_memory_region(p, n);
        return true;
}
#else
static bool guard_on(void *p, size_t n) { return mprotect(p, n, PROT_NONE) == 0; }
static bool guard_off(void *p, size_t n) { return mprotect(p, n, PROT_READ | PROT_WRITE) == 0; }
#endif

static bool stack_alloc(struct coro *c, size_t stack_size)
{
        long pg = sysconf(_SC_PAGESIZE);
        size_t want = stack_size ? stack_size : CORO_DEFAULT_STACK;

        if (pg <= 0)
                return false;
        c->page = (size_t)pg;
        if (want < CORO_MIN_STACK)
                want = CORO_MIN_STACK;
        if (want > SIZE_MAX - 2 * c->page)
                return false;
        want = (want + c->page - 1) & ~(c->page - 1);
        void *mem = NULL;
        if (posix_memalign(&mem, c->page, want + c->page) != 0)
                return false;
        if (!guard_on(mem, c->page)) {
                free(mem);
                return false;
        }
        c->mem = mem;
        c->stack_size = want;
        return true;
}

/* The guard page must be accessible again before the allocator may touch it. */
static void stack_free(struct coro *c)
{
        if (!guard_off(c->mem, c->page))
                abort();        /* freeing it would hand an inaccessible page to malloc */
        free(c->mem);
}

/* ---- switching ---- */

/* First entry: makecontext passes only ints, so the struct pointer arrives in two halves. */
static void coro_entry(unsigned int lo, unsigned int hi)
{
        struct coro *c = (struct coro *)(uintptr_t)(((uint64_t)hi << 32) | lo);

        asan_finish(NULL, &c->caller_bottom, &c->caller_size);
        c->fn(c, c->arg);
        c->finished = true;
        c->running = false;
        /* Final switch out: this stack is dead, so no fake stack is kept (NULL). */
        asan_start(NULL, c->caller_bottom, c->caller_size);
        _longjmp(c->caller, 1);
}

bool coro_create(struct coro **out, size_t stack_size, coro_fn fn, void *arg)
{
        struct coro *c = calloc(1, sizeof(*c));

        *out = NULL;
        if (!c)
                return false;
        if (!stack_alloc(c, stack_size)) {
                free(c);
                return false;
        }
        if (getcontext(&c->ctx) != 0) {
                stack_free(c);
                free(c);
                return false;
        }
        c->fn = fn;
        c->arg = arg;
        c->ctx.uc_stack.ss_sp = stack_base(c);
        c->ctx.uc_stack.ss_size = c->stack_size;
        c->ctx.uc_link = NULL;
        uint64_t p = (uint64_t)(uintptr_t)c;
        makecontext(&c->ctx, (void (*)(void))coro_entry, 2, (unsigned int)p,
                    (unsigned int)(p >> 32));
        *out = c;
        return true;
}

void coro_resume(struct coro *c)
{
        void *fake = NULL;

        assert(!c->running && "coro_resume from inside the coroutine");
        if (c->finished || c->running)
                return;
        bool first = !c->started;
        c->started = true;
        c->running = true;
        asan_start(&fake, stack_base(c), c->stack_size);
        if (_setjmp(c->caller) == 0) {
                if (first)
                        setcontext(&c->ctx);    /* returns only on failure: our own bug */
                else
                        _longjmp(c->self, 1);
                abort();
        }
        asan_finish(fake, NULL, NULL);
}

void coro_yield(struct coro *c)
{
        void *fake = NULL;

        assert(c->running && "coro_yield outside the coroutine");
        c->running = false;
        asan_start(&fake, c->caller_bottom, c->caller_size);
        if (_setjmp(c->self) == 0)
                _longjmp(c->caller, 1);
        /* Resumed, possibly from another stack than last time: remember it. */
        asan_finish(fake, &c->caller_bottom, &c->caller_size);
}

bool coro_finished(const struct coro *c) { return c->finished; }
bool coro_started(const struct coro *c) { return c->started; }

void coro_destroy(struct coro *c)
{
        if (!c)
                return;
        assert(!c->running && "coro_destroy of a running coroutine");
        stack_free(c);
        free(c);
}
