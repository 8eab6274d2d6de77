/* The trace event list (--events, the config's trace_events) under arbitrary bytes: the
 * check and the masks agree with an oracle written here (split at commas, trim white
 * space, or the names); a list the check accepts is one the trace can hold; an error
 * message is always a terminated string within its buffer; a mask never has a bit past
 * its subsystem's last event. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const a_events[] = { "one", "two", "three" };
static const char *const b_events[] = { "gpf" };
static const char *const c_events[] = { "one", "x" }; /* "one" also in a: both enable it */
static const struct trace_subsys subs_[] = {
        TRACE_SUBSYS("a", a_events), TRACE_SUBSYS("bb", b_events), TRACE_SUBSYS("c", c_events),
};
static const struct trace_subsys *const subs[] = { &subs_[0], &subs_[1], &subs_[2] };
#define NSUBS 3u

/* The oracle: the mask of subsystem s for list, and whether every item is known. */
static uint64_t oracle(const char *list, unsigned s, bool *known)
{
        uint64_t m = 0;
        const char *p = list;

        *known = true;
        while (p) {
                const char *comma = strchr(p, ',');
                const char *end = comma ? comma : p + strlen(p);
                while (p < end && isspace((unsigned char)*p))
                        p++;
                while (end > p && isspace((unsigned char)end[-1]))
                        end--;
                size_t n = (size_t)(end - p);
                bool item_known = n == 0;
                if ((n == 3 && !memcmp(p, "all", 3)) || (n == 4 && !memcmp(p, "none", 4)))
                        item_known = true;
                if (n == 3 && !memcmp(p, "all", 3))
                        m = ((uint64_t)1 << subs[s]->nevents) - 1;
                for (unsigned i = 0; i < NSUBS && n; i++) {
                        bool whole = strlen(subs[i]->name) == n && !memcmp(p, subs[i]->name, n);
                        item_known |= whole;
                        if (whole && i == s)
                                m = ((uint64_t)1 << subs[s]->nevents) - 1;
                        for (unsigned e = 0; e < subs[i]->nevents; e++) {
                                bool hit = strlen(subs[i]->events[e]) == n &&
                                           !memcmp(p, subs[i]->events[e], n);
                                item_known |= hit;
                                if (hit && i == s)
                                        m |= (uint64_t)1 << e;
                        }
                }
                *known &= item_known;
                p = comma ? comma + 1 : NULL;
        }
        return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *list = malloc(size + 1);
        char err[96];
        static struct trace t; /* large: not on the stack */

        if (!list)
                abort();
        memcpy(list, data, size);
        list[size] = '\0';
        size_t errlen = size ? data[0] % sizeof(err) : 0;
        memset(err, 'Z', sizeof(err));
        bool ok = trace_check_events(list, subs, NSUBS, errlen ? err : NULL, errlen);
        bool too_long = strlen(list) >= TRACE_EVENTS_LIST_MAX;
        bool known = true;
        uint64_t want[NSUBS];
        for (unsigned s = 0; s < NSUBS; s++) {
                bool k;
                want[s] = oracle(list, s, &k);
                known &= k;
        }
        if (ok != (!too_long && known))
                abort();
        /* errlen < sizeof(err): the byte at errlen shows whether anything was written past */
        if (errlen && (!memchr(err, '\0', errlen) || err[errlen] != 'Z'))
                abort();
        if (!ok && errlen > 1 && err[0] == '\0')
                abort(); /* a refusal says why */
        trace_init(&t);
        struct trace_group *before = trace_register(&t, subs[0]);
        if (trace_set_events(&t, list) != !too_long)
                abort();
        for (unsigned s = 0; s < NSUBS; s++) {
                struct trace_group *g = trace_register(&t, subs[s]);
                if (!g || (s == 0 && g != before))
                        abort();
                uint64_t expect = too_long ? 0 : want[s];
                if (g->enabled != expect || trace_subsys_mask(subs[s], list) != want[s])
                        abort();
        }
        if (!trace_close(&t))
                abort();
        free(list);
        return 0;
}
