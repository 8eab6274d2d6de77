/* Tracing: events in the Linux ftrace text format and as Chrome/Perfetto JSON.
 *
 * Every event belongs to a subsystem (Linux's trace "system"), and each party declares its
 * own subsystems as it does in include/trace/events/<subsys>.h: a const table of event
 * names, next to the enum that indexes it. The tracer keeps no list of its own. A party
 * registers its tables with the trace it was given and keeps the returned group:
 *
 *     enum { SWIOTLB_TRACE_BOUNCED };
 *     static const char *const swiotlb_events[] = { [SWIOTLB_TRACE_BOUNCED] = "swiotlb_bounced" };
 *     const struct trace_subsys swiotlb_trace = TRACE_SUBSYS("swiotlb", swiotlb_events);
 *     ...
 *     tlb->tr = trace_register(trace, &swiotlb_trace);       (NULL trace: NULL group)
 *     ...
 *     if (trace_on(tlb->tr, SWIOTLB_TRACE_BOUNCED))
 *             trace_emit(tlb->tr, SWIOTLB_TRACE_BOUNCED, "dev_name: %s ...", ...);
 *
 * A disabled event costs one bit test (trace_on), so hot paths check it before formatting.
 * Which events are on is a list of event and subsystem names (trace_set_events), kept by
 * the trace and applied to every group, whether registered before or after; each group
 * holds its own mask, so there is no cap on the number of events.
 *
 * Text lines are formatted exactly as the kernel's trace file prints them
 * (kernel/trace/trace_output.c): "%16s-%-7d [%03d] %.5s %5lu.%06lu: <event>: <fields>".
 * Fields longer than TRACE_FIELDS_MAX - 1 bytes are truncated.
 * Time is the machine's virtual clock (trace_advance), so output is deterministic.
 *
 * Sinks: a trace file (header "# tracer: nop" ... written at trace_close, with counts),
 * a pipe (lines as they happen, like trace_pipe, no header) and a JSON file.
 */
#ifndef CCADA_LIB_TRACE_H
#define CCADA_LIB_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TRACE_SUBSYS_MAX_EVENTS 64      /* events in one subsystem (one mask word) */
#define TRACE_MAX_GROUPS 32             /* subsystems registered with one trace */
#define TRACE_EVENTS_LIST_MAX 512       /* the enabled list, NUL included */

/* A subsystem's events: names indexed by the subsystem's own enum. Static, const. */
struct trace_subsys {
        const char *name;
        const char *const *events;
        unsigned nevents;               /* 1..TRACE_SUBSYS_MAX_EVENTS */
};

#define TRACE_SUBSYS(sname, names) \
        { .name = (sname), .events = (names), .nevents = sizeof(names) / sizeof((names)[0]) }

struct trace;

/* A subsystem registered with a trace: what a party holds to emit its events. */
struct trace_group {
        struct trace *trace;
        const struct trace_subsys *subsys;
        uint64_t enabled;                               /* bit per event */
        uint64_t written[TRACE_SUBSYS_MAX_EVENTS];      /* events emitted, per event */
};

/* Who an event is attributed to: the comm-pid, CPU and latency flags of the line. */
struct trace_who {
        char comm[16];  /* NUL-terminated, at most 15 characters as in the kernel */
        int pid;
        int cpu;
        char flags[6];  /* 5 characters, e.g. "....." or "b..2." */
};

#define TRACE_FIELDS_MAX 512    /* formatted fields of one event, NUL included */
#define TRACE_JSON_MAX_PIDS 256 /* pids given a thread_name record; later ones get none */

struct trace {
        uint64_t now_ns;        /* virtual clock */
        struct trace_who who;   /* current context */
        char events[TRACE_EVENTS_LIST_MAX]; /* the enabled list (trace_set_events) */
        struct trace_group groups[TRACE_MAX_GROUPS];
        unsigned ngroups;
        bool any_enabled;       /* some group has an event enabled */
        bool groups_full;       /* a registration was refused for lack of room */
        /* sinks (any may be NULL) */
        FILE *file;             /* trace file: header + buffered lines at trace_close */
        FILE *pipe;             /* lines as they happen */
        FILE *json;             /* Chrome/Perfetto JSON */
        char *buf;              /* buffered lines for the file sink */
        size_t buf_len, buf_cap;
        uint64_t nlines;
        bool json_first;        /* nothing written to the JSON sink yet */
        bool oom;               /* a buffered line was dropped for lack of memory */
        bool closed;            /* trace_close ran: later events are ignored */
        int json_pids[TRACE_JSON_MAX_PIDS]; /* pids already named in the JSON sink */
        unsigned json_npids;
};

/* Checks a comma-separated list of event or subsystem names ("all" for every event, "none"
 * for none; whitespace around an item and empty items are ignored) against the n tables in
 * subs. On an unknown name, or a list of TRACE_EVENTS_LIST_MAX characters or more, returns
 * false and writes a message saying so (naming the item and listing the valid names) into
 * err (truncated to errlen; err may be NULL when errlen is 0). */
bool trace_check_events(const char *list, const struct trace_subsys *const *subs, size_t n,
                        char *err, size_t errlen);

/* Writes one line per table: the subsystem's name, then its events. */
void trace_print_subsystems(FILE *out, const struct trace_subsys *const *subs, size_t n);

/* The mask of s's events that list enables (names s does not have are ignored). */
uint64_t trace_subsys_mask(const struct trace_subsys *s, const char *list);

/* Initialises t with no sinks, no groups and no events enabled; "who" starts as the idle task as
 * the kernel prints it: comm "<idle>", pid 0, cpu 0, flags ".....". */
void trace_init(struct trace *t);

/* Attach sinks; the trace does not own the FILEs. */
void trace_set_file(struct trace *t, FILE *f);
void trace_set_pipe(struct trace *t, FILE *f);
void trace_set_json(struct trace *t, FILE *f);

/* Registers subsystem s with t and returns its group, with the events the current list
 * enables. Registering the same table again returns the same group (a subsystem shared by
 * several parties, such as virtio). NULL when t is NULL, when s is malformed (no events, more
 * than TRACE_SUBSYS_MAX_EVENTS, or a different table of the same name) or when t already
 * holds TRACE_MAX_GROUPS groups (then groups_full is set and trace_close reports it). A NULL
 * group is valid everywhere and traces nothing. */
struct trace_group *trace_register(struct trace *t, const struct trace_subsys *s);

/* Replaces the list of enabled events (see trace_check_events; unknown names are ignored
 * here) for every group, registered now or later. False, with nothing changed, when the list
 * is TRACE_EVENTS_LIST_MAX bytes or longer. NULL means none. */
bool trace_set_events(struct trace *t, const char *list);

static inline bool trace_on(const struct trace_group *g, unsigned ev)
{
        return g && ev < TRACE_SUBSYS_MAX_EVENTS && (g->enabled >> ev) & 1u;
}

/* Events named name emitted so far, over every group (for tests and reports). */
uint64_t trace_count(const struct trace *t, const char *name);

/* Sets the context later events are attributed to. comm is truncated to 15 chars (NULL
 * means ""), flags to 5 (NULL means "....."). */
void trace_set_who(struct trace *t, const char *comm, int pid, int cpu, const char *flags);
/* Saves/restores the current context (around world switches). */
/* Whether any event of t is enabled (t may be NULL): a context that only feeds the "who"
 * of future lines may skip formatting it while this is false. */
static inline bool trace_active(const struct trace *t) { return t && t->any_enabled; }

static inline struct trace_who trace_get_who(const struct trace *t) { return t->who; }
static inline void trace_restore_who(struct trace *t, struct trace_who w) { t->who = w; }

static inline void trace_advance(struct trace *t, uint64_t ns)
{
        if (t)
                t->now_ns += ns;
}

/* Emits event ev of group g if enabled (formats fields with printf semantics): counts it in
 * g->written and writes it to every sink of g's trace. No-op when g is NULL, the event is
 * disabled, or after trace_close. */
void trace_emit(struct trace_group *g, unsigned ev, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Writes the file sink's header and buffered lines, closes the JSON array, flushes every
 * sink. Frees the buffer. Safe to call twice (the second call writes nothing and checks
 * the sinks again). Returns false if a sink reported a write error (ferror) or a
 * registration was refused (groups_full). The FILEs
 * stay open: the caller closes them. */
bool trace_close(struct trace *t);

#endif
