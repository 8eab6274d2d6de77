/* Tracing: ftrace-format text (buffered file, pipe) and Chrome/Perfetto JSON sinks. */
#include "lib/trace.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"

#define TRACE_LINE_MAX (TRACE_FIELDS_MAX + 160) /* prefix + event name + fields + "\n" */
#define TRACE_BUF_MIN  (64 * 1024)

#define TRACE_ALL_EVENTS ((TRACE_EVENT_COUNT >= 64) ? UINT64_MAX \
                                                    : (((uint64_t)1 << TRACE_EVENT_COUNT) - 1))
_Static_assert(TRACE_EVENT_COUNT <= 64, "enabled is a 64-bit mask");

static const char *const event_names[TRACE_EVENT_COUNT] = {
#define TRACE_NAME_(id, sub, name) [TRACE_##id] = name,
        TRACE_EVENTS(TRACE_NAME_)
#undef TRACE_NAME_
};

static const char *const event_subsystems[TRACE_EVENT_COUNT] = {
#define TRACE_SUB_(id, sub, name) [TRACE_##id] = sub,
        TRACE_EVENTS(TRACE_SUB_)
#undef TRACE_SUB_
};

const char *trace_event_name(enum trace_event e)
{
        return (unsigned)e < TRACE_EVENT_COUNT ? event_names[e] : "unknown";
}

const char *trace_event_subsystem(enum trace_event e)
{
        return (unsigned)e < TRACE_EVENT_COUNT ? event_subsystems[e] : "unknown";
}

/* ---- parsing ---- */

/* Bounded string builder: len counts what would have been written, p never overflows. */
struct strbuf {
        char *p;
        size_t cap;
        size_t len;
};

static void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct strbuf *b, const char *fmt, ...)
{
        va_list ap;
        char *dst = NULL;
        size_t room = 0;

        if (b->len < b->cap) {
                dst = b->p + b->len;
                room = b->cap - b->len;
        }
        va_start(ap, fmt);
        int n = vsnprintf(dst, room, fmt, ap);
        va_end(ap);
        if (n > 0)
                b->len += (size_t)n;
}

static bool word_is(const char *s, size_t n, const char *word)
{
        return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* True if e's subsystem already belongs to an earlier event (so it is listed once). */
static bool subsystem_seen_before(enum trace_event e)
{
        for (int i = 0; i < (int)e; i++)
                if (strcmp(event_subsystems[i], event_subsystems[e]) == 0)
                        return true;
        return false;
}

/* Mask for one item: an event name, a subsystem name, "all" or "none". */
static bool item_mask(const char *s, size_t n, uint64_t *mask)
{
        uint64_t m = 0;

        if (word_is(s, n, "all")) {
                *mask = TRACE_ALL_EVENTS;
                return true;
        }
        if (word_is(s, n, "none")) {
                *mask = 0;
                return true;
        }
        for (int e = 0; e < TRACE_EVENT_COUNT; e++)
                if (word_is(s, n, event_names[e]) || word_is(s, n, event_subsystems[e]))
                        m |= (uint64_t)1 << e;
        *mask = m;
        return m != 0;
}

static void unknown_item_message(const char *s, size_t n, char *err, size_t errlen)
{
        struct strbuf b = { err, errlen, 0 };

        if (!err || errlen == 0)
                return;
        sb_printf(&b, "unknown trace event or subsystem '%.*s' (events:", (int)n, s);
        for (int e = 0; e < TRACE_EVENT_COUNT; e++)
                sb_printf(&b, "%s %s", e ? "," : "", event_names[e]);
        sb_printf(&b, "; subsystems:");
        const char *sep = "";
        for (int e = 0; e < TRACE_EVENT_COUNT; e++) {
                if (subsystem_seen_before((enum trace_event)e))
                        continue;
                sb_printf(&b, "%s %s", sep, event_subsystems[e]);
                sep = ",";
        }
        sb_printf(&b, ")");
}

bool trace_parse_events(const char *list, uint64_t *mask, char *err, size_t errlen)
{
        uint64_t m = 0;
        const char *p = list ? list : "";

        if (err && errlen)
                err[0] = '\0';
        for (;;) {
                const char *end = strchr(p, ',');
                size_t n = end ? (size_t)(end - p) : strlen(p);
                const char *s = p;

                while (n && isspace((unsigned char)s[0])) {
                        s++;
                        n--;
                }
                while (n && isspace((unsigned char)s[n - 1]))
                        n--;
                uint64_t im = 0;
                if (n && !item_mask(s, n, &im)) {
                        unknown_item_message(s, n, err, errlen);
                        return false;
                }
                m |= im;
                if (!end)
                        break;
                p = end + 1;
        }
        *mask = m;
        return true;
}

/* ---- set-up ---- */

void trace_init(struct trace *t)
{
        memset(t, 0, sizeof(*t));
        t->json_first = true;
        trace_set_who(t, "<idle>", 0, 0, NULL);
}

void trace_set_file(struct trace *t, FILE *f) { t->file = f; }
void trace_set_pipe(struct trace *t, FILE *f) { t->pipe = f; }
void trace_set_json(struct trace *t, FILE *f) { t->json = f; }

void trace_enable(struct trace *t, uint64_t mask)
{
        t->enabled = mask & TRACE_ALL_EVENTS;
}

void trace_set_who(struct trace *t, const char *comm, int pid, int cpu, const char *flags)
{
        const char *c = comm ? comm : "";
        const char *f = flags ? flags : ".....";
        size_t cn = strnlen(c, sizeof(t->who.comm) - 1);
        size_t fn = strnlen(f, sizeof(t->who.flags) - 1);

        memcpy(t->who.comm, c, cn);
        t->who.comm[cn] = '\0';
        memcpy(t->who.flags, f, fn);
        t->who.flags[fn] = '\0';
        t->who.pid = pid;
        t->who.cpu = cpu;
}

/* ---- text sinks ---- */

/* One line in the kernel's trace format (kernel/trace/trace_output.c, trace_print_context
 * and the event's TP_printk). The timestamp is truncated to microseconds. Returns the
 * line length (the line always ends in '\n'). */
static size_t format_line(const struct trace *t, enum trace_event e, const char *fields,
                          char *line, size_t cap)
{
        unsigned long long sec = t->now_ns / 1000000000u;
        unsigned long long usec = (t->now_ns % 1000000000u) / 1000u;
        int n = snprintf(line, cap, "%16s-%-7d [%03d] %.5s %5llu.%06llu: %s: %s\n",
                         t->who.comm, t->who.pid, t->who.cpu, t->who.flags, sec, usec,
                         event_names[e], fields);

        if (n < 0) {
                line[0] = '\n';
                line[1] = '\0';
                return 1;
        }
        if ((size_t)n >= cap) {
                line[cap - 2] = '\n';
                return cap - 1;
        }
        return (size_t)n;
}

/* Appends a line to the file sink's buffer; on allocation failure drops it and sets oom. */
static void buffer_line(struct trace *t, const char *line, size_t n)
{
        if (t->buf_cap - t->buf_len < n) {
                size_t cap = t->buf_cap ? t->buf_cap : TRACE_BUF_MIN;
                while (cap - t->buf_len < n) {
                        if (cap > SIZE_MAX / 2) {
                                t->oom = true;
                                return;
                        }
                        cap *= 2;
                }
                char *nb = realloc(t->buf, cap);
                if (!nb) {
                        t->oom = true;
                        return;
                }
                t->buf = nb;
                t->buf_cap = cap;
        }
        memcpy(t->buf + t->buf_len, line, n);
        t->buf_len += n;
        t->nlines++;
}

/* The header of the kernel's trace file for the nop tracer (kernel/trace/trace.c,
 * print_trace_header / print_func_help_header_irq), single CPU. */
static const char trace_header_top[] =
        "# tracer: nop\n"
        "#\n";
static const char trace_header_columns[] =
        "#\n"
        "#                                _-----=> irqs-off/BH-disabled\n"
        "#                               / _----=> need-resched\n"
        "#                              | / _---=> hardirq/softirq\n"
        "#                              || / _--=> preempt-depth\n"
        "#                              ||| / _-=> migrate-disable\n"
        "#                              |||| /     delay\n"
        "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
        "#              | |         |   |||||     |         |\n";

/* Write errors are sticky in the FILE: trace_close reports them through ferror. */
static void write_file_sink(struct trace *t)
{
        (void)fputs(trace_header_top, t->file);
        (void)fprintf(t->file, "# entries-in-buffer/entries-written: %" PRIu64 "/%" PRIu64
                      "   #P:1\n", t->nlines, t->nlines);
        (void)fputs(trace_header_columns, t->file);
        if (t->buf_len)
                (void)fwrite(t->buf, 1, t->buf_len, t->file);
}

/* ---- JSON sink (Chrome trace event format, "Trace Event Format" document) ---- */

static void json_separator(struct trace *t)
{
        (void)fputs(t->json_first ? "{\"traceEvents\":[\n" : ",\n", t->json);
        t->json_first = false;
}

/* Emits a thread_name metadata record the first time a pid is seen (up to a cap). */
static void json_name_thread(struct trace *t)
{
        for (unsigned i = 0; i < t->json_npids; i++)
                if (t->json_pids[i] == t->who.pid)
                        return;
        if (t->json_npids >= TRACE_JSON_MAX_PIDS)
                return;
        t->json_pids[t->json_npids++] = t->who.pid;
        json_separator(t);
        (void)fprintf(t->json, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,"
                      "\"args\":{\"name\":\"", t->who.pid);
        json_escape(t->json, t->who.comm);
        (void)fputs("\"}}", t->json);
}

static void json_event(struct trace *t, enum trace_event e, const char *fields)
{
        json_name_thread(t);
        json_separator(t);
        (void)fprintf(t->json, "{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"i\",\"s\":\"t\","
                      "\"ts\":%" PRIu64 ".%03" PRIu64 ",\"pid\":1,\"tid\":%d,"
                      "\"args\":{\"comm\":\"",
                      event_names[e], event_subsystems[e], t->now_ns / 1000u,
                      t->now_ns % 1000u, t->who.pid);
        json_escape(t->json, t->who.comm);
        (void)fputs("\",\"fields\":\"", t->json);
        json_escape(t->json, fields);
        (void)fputs("\"}}", t->json);
}

/* ---- emit and close ---- */

void trace_emit(struct trace *t, enum trace_event e, const char *fmt, ...)
{
        char fields[TRACE_FIELDS_MAX];
        va_list ap;

        if ((unsigned)e >= TRACE_EVENT_COUNT || !trace_on(t, e) || t->closed)
                return;
        va_start(ap, fmt);
        if (vsnprintf(fields, sizeof(fields), fmt, ap) < 0)
                fields[0] = '\0';
        va_end(ap);
        t->written[e]++;
        if (t->file || t->pipe) {
                char line[TRACE_LINE_MAX];
                size_t n = format_line(t, e, fields, line, sizeof(line));
                if (t->file)
                        buffer_line(t, line, n);
                if (t->pipe)
                        (void)fputs(line, t->pipe);
        }
        if (t->json)
                json_event(t, e, fields);
}

static bool sink_ok(FILE *f)
{
        if (!f)
                return true;
        bool flushed = fflush(f) == 0;
        return flushed && !ferror(f);
}

bool trace_close(struct trace *t)
{
        if (!t->closed) {
                t->closed = true;
                if (t->file)
                        write_file_sink(t);
                if (t->json)
                        (void)fputs(t->json_first ? "{\"traceEvents\":[]}\n" : "\n]}\n",
                                    t->json);
                free(t->buf);
                t->buf = NULL;
                t->buf_len = 0;
                t->buf_cap = 0;
        }
        bool ok = sink_ok(t->file);
        ok = sink_ok(t->pipe) && ok;
        ok = sink_ok(t->json) && ok;
        return ok;
}
