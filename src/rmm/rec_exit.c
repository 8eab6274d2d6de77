/* How a REC leaves for the host and comes back: the one place the exit protocol is written.
 * DEN0137 1.0 A4.3 (REC exit), A4.4 (REC entry). */
#include "rmm/rmm_internal.h"

void rec_exit_to_host(struct rec *rec)
{
        rec->exits++; /* every PA translated so far is stale from here on */
        coro_yield(rec->coro);
}

void rec_exit_and_wait(struct rec *rec, enum rec_pending pending, const struct rmi_rec_exit *x)
{
        rec->exit = *x;
        rec->pending = pending;
        rec_exit_to_host(rec);
        rec->pending = REC_PENDING_NONE;
}
