/* Tracing: events in the Linux ftrace text format and as Chrome/Perfetto JSON.
 *
 * Every event belongs to a subsystem; both can be enabled by name. A disabled event costs
 * one bit test (trace_on), so hot paths check it before formatting anything:
 *
 *     if (trace_on(t, TRACE_SWIOTLB_BOUNCED))
 *             trace_emit(t, TRACE_SWIOTLB_BOUNCED, "dev_name: %s ...", ...);
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
#include <stdint.h>
#include <stdio.h>

/* X(ID, subsystem, name) */
#define TRACE_EVENTS(X)                                         \
        X(RMI_CALL, "rmi", "rmi_call")                          \
        X(RSI_CALL, "rsi", "rsi_call")                          \
        X(REC_ENTER, "rmm", "rec_enter")                        \
        X(REC_EXIT, "rmm", "rec_exit")                          \
        X(RIPAS_CHANGE, "rmm", "ripas_change")                  \
        X(GPF, "hw", "gpf")                                     \
        X(MMIO, "host", "mmio")                                 \
        X(HOST_CALL, "host", "host_call")                       \
        X(REALM_LOG, "realm", "realm_printk")                   \
        X(SWIOTLB_BOUNCED, "swiotlb", "swiotlb_bounced")        \
        X(SWIOTLB_MAP, "swiotlb", "swiotlb_map")                \
        X(SWIOTLB_UNMAP, "swiotlb", "swiotlb_unmap")            \
        X(SWIOTLB_SYNC, "swiotlb", "swiotlb_sync")              \
        X(SWIOTLB_FULL, "swiotlb", "swiotlb_full")              \
        X(VIRTIO_NOTIFY, "virtio", "virtio_notify")             \
        X(VIRTIO_COMPLETE, "virtio", "virtio_complete")         \
        X(VIRTIO_BROKEN, "virtio", "virtio_broken")

enum trace_event {
#define TRACE_ENUM_(id, sub, name) TRACE_##id,
        TRACE_EVENTS(TRACE_ENUM_)
#undef TRACE_ENUM_
        TRACE_EVENT_COUNT
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
        uint64_t enabled;       /* bit per enum trace_event */
        uint64_t now_ns;        /* virtual clock */
        struct trace_who who;   /* current context */
        uint64_t written[TRACE_EVENT_COUNT]; /* events emitted, per event */
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

const char *trace_event_name(enum trace_event e);
const char *trace_event_subsystem(enum trace_event e);

/* Parses a comma-separated list of event or subsystem names ("all" for every event,
 * "none" for none) into a mask; the items are or-ed together, whitespace around an item
 * and empty items are ignored, so "" gives 0. On an unknown name returns false, leaves
 * *mask unchanged and writes a message naming it and listing valid names into err
 * (truncated to errlen; err may be NULL when errlen is 0). */
bool trace_parse_events(const char *list, uint64_t *mask, char *err, size_t errlen);

/* Initialises t with no sinks and no events enabled; "who" starts as the idle task as
 * the kernel prints it: comm "<idle>", pid 0, cpu 0, flags ".....". */
void trace_init(struct trace *t);

/* Attach sinks; the trace does not own the FILEs. */
void trace_set_file(struct trace *t, FILE *f);
void trace_set_pipe(struct trace *t, FILE *f);
void trace_set_json(struct trace *t, FILE *f);

static inline bool trace_on(const struct trace *t, enum trace_event e)
{
        return t && (t->enabled >> e) & 1u;
}

/* Replaces the set of enabled events with mask (bits beyond the last event are ignored). */
void trace_enable(struct trace *t, uint64_t mask);

/* Sets the context later events are attributed to. comm is truncated to 15 chars (NULL
 * means ""), flags to 5 (NULL means "....."). */
void trace_set_who(struct trace *t, const char *comm, int pid, int cpu, const char *flags);
/* Saves/restores the current context (around world switches). */
static inline struct trace_who trace_get_who(const struct trace *t) { return t->who; }
static inline void trace_restore_who(struct trace *t, struct trace_who w) { t->who = w; }

static inline void trace_advance(struct trace *t, uint64_t ns)
{
        if (t)
                t->now_ns += ns;
}

/* Emits one event if enabled (formats fields with printf semantics): counts it in
 * written[] and writes it to every sink. No-op when disabled or after trace_close. */
void trace_emit(struct trace *t, enum trace_event e, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Writes the file sink's header and buffered lines, closes the JSON array, flushes every
 * sink. Frees the buffer. Safe to call twice (the second call writes nothing and checks
 * the sinks again). Returns false if a sink reported a write error (ferror). The FILEs
 * stay open: the caller closes them. */
bool trace_close(struct trace *t);

#endif
