/* Stackful coroutines (ucontext), with AddressSanitizer fiber annotations.
 *
 * A REC runs Realm code on its own coroutine: REC_ENTER resumes it, a REC exit yields
 * back. Single-threaded; a coroutine is resumed only by the thread that created it.
 *
 * States: CREATED -> (resume) RUNNING -> (yield) SUSPENDED -> (resume) RUNNING ...
 *         RUNNING -> (fn returns) FINISHED. Resuming a FINISHED coroutine is a no-op.
 */
#ifndef CCADA_LIB_CORO_H
#define CCADA_LIB_CORO_H

#include <stdbool.h>
#include <stddef.h>

struct coro;

typedef void (*coro_fn)(struct coro *self, void *arg);

/* Creates a coroutine that will run fn(self, arg) on a stack of stack_size bytes
 * (0 = 256 KiB). Returns false when out of memory. Does not start it. */
bool coro_create(struct coro **out, size_t stack_size, coro_fn fn, void *arg);

/* Switches into c until it yields or finishes. Must not be called from inside c. */
void coro_resume(struct coro *c);

/* From inside c only: switches back to whoever resumed it. */
void coro_yield(struct coro *c);

bool coro_finished(const struct coro *c);
bool coro_started(const struct coro *c);

/* Frees c. A suspended coroutine is abandoned without unwinding its stack: whatever it
 * allocated must be owned elsewhere. NULL is allowed. */
void coro_destroy(struct coro *c);

#endif
