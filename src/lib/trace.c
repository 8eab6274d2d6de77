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

/* ---- event lists ---- */

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

static uint64_t all_events(const struct trace_subsys *s)
{
        return s->nevents >= 64 ? UINT64_MAX : ((uint64_t)1 << s->nevents) - 1;
}

/* The events of s that one item names: all of them for "all" or s's own name, one for an
 * event name, none otherwise ("none" included). */
static uint64_t item_mask(const struct trace_subsys *s, const char *item, size_t n)
{
        if (word_is(item, n, "all") || word_is(item, n, s->name))
                return all_events(s);
        uint64_t m = 0;
        for (unsigned e = 0; e < s->nevents; e++)
                if (word_is(item, n, s->events[e]))
                        m |= (uint64_t)1 << e;
        return m;
}

/* Splits list at commas, trims whitespace, skips empty items; calls fn for each item until
 * it returns false. Returns false when fn did. */
static bool for_each_item(const char *list, bool (*fn)(const char *item, size_t n, void *arg),
                          void *arg)
{
        const char *p = list ? list : "";

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
                if (n && !fn(s, n, arg))
                        return false;
                if (!end)
                        return true;
                p = end + 1;
        }
}

struct mask_arg {
        const struct trace_subsys *s;
        uint64_t mask;
};

static bool add_item_mask(const char *item, size_t n, void *arg)
{
        struct mask_arg *a = arg;
        a->mask |= item_mask(a->s, item, n);
        return true;
}

uint64_t trace_subsys_mask(const struct trace_subsys *s, const char *list)
{
        struct mask_arg a = { s, 0 };
        (void)for_each_item(list, add_item_mask, &a);
        return a.mask;
}

struct check_arg {
        const struct trace_subsys *const *subs;
        size_t n;
        const char *bad;        /* the first unknown item */
        size_t bad_len;
};

static bool item_known(const char *item, size_t n, void *arg)
{
        struct check_arg *a = arg;
        if (word_is(item, n, "all") || word_is(item, n, "none"))
                return true;
        for (size_t i = 0; i < a->n; i++)
                if (item_mask(a->subs[i], item, n))
                        return true;
        a->bad = item;
        a->bad_len = n;
        return false;
}

static void unknown_item_message(const struct check_arg *a, char *err, size_t errlen)
{
        struct strbuf b = { err, errlen, 0 };
        const char *sep = "";

        if (!err || errlen == 0)
                return;
        sb_printf(&b, "unknown trace event or subsystem '%.*s' (events:", (int)a->bad_len, a->bad);
        for (size_t i = 0; i < a->n; i++)
                for (unsigned e = 0; e < a->subs[i]->nevents; e++) {
                        sb_printf(&b, "%s %s", sep, a->subs[i]->events[e]);
                        sep = ",";
                }
        sb_printf(&b, "; subsystems:");
        for (size_t i = 0; i < a->n; i++)
                sb_printf(&b, "%s %s", i ? "," : "", a->subs[i]->name);
        sb_printf(&b, ")");
}

bool trace_check_events(const char *list, const struct trace_subsys *const *subs, size_t n,
                        char *err, size_t errlen)
{
        struct check_arg a = { subs, n, NULL, 0 };

        if (err && errlen)
                err[0] = '\0';
        if (list && strlen(list) >= TRACE_EVENTS_LIST_MAX) {
                struct strbuf b = { err, errlen, 0 };
                if (err && errlen)
                        sb_printf(&b, "the trace event list is longer than %d characters",
                                  TRACE_EVENTS_LIST_MAX - 1);
                return false;
        }
        if (for_each_item(list, item_known, &a))
                return true;
        unknown_item_message(&a, err, errlen);
        return false;
}

void trace_print_subsystems(FILE *out, const struct trace_subsys *const *subs, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                (void)fprintf(out, "%-14s", subs[i]->name);
                for (unsigned e = 0; e < subs[i]->nevents; e++)
                        (void)fprintf(out, " %s", subs[i]->events[e]);
                (void)fputc('\n', out);
        }
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

static bool subsys_ok(const struct trace_subsys *s)
{
        if (!s || !s->name || !s->events || s->nevents == 0 || s->nevents > TRACE_SUBSYS_MAX_EVENTS)
                return false;
        for (unsigned e = 0; e < s->nevents; e++)
                if (!s->events[e])
                        return false;
        return true;
}

struct trace_group *trace_register(struct trace *t, const struct trace_subsys *s)
{
        if (!t || !subsys_ok(s))
                return NULL;
        for (unsigned i = 0; i < t->ngroups; i++) {
                if (t->groups[i].subsys == s)
                        return &t->groups[i];
                if (strcmp(t->groups[i].subsys->name, s->name) == 0)
                        return NULL;    /* two different tables may not share a name */
        }
        if (t->ngroups == TRACE_MAX_GROUPS) {
                t->groups_full = true;
                return NULL;
        }
        struct trace_group *g = &t->groups[t->ngroups++];
        memset(g, 0, sizeof(*g));
        g->trace = t;
        g->subsys = s;
        g->enabled = trace_subsys_mask(s, t->events);
        t->any_enabled |= g->enabled != 0;
        return g;
}

bool trace_set_events(struct trace *t, const char *list)
{
        const char *l = list ? list : "";
        size_t n = strlen(l);

        if (n >= sizeof(t->events))
                return false;
        memcpy(t->events, l, n + 1);
        t->any_enabled = false;
        for (unsigned i = 0; i < t->ngroups; i++) {
                t->groups[i].enabled = trace_subsys_mask(t->groups[i].subsys, t->events);
                t->any_enabled |= t->groups[i].enabled != 0;
        }
        return true;
}

uint64_t trace_count(const struct trace *t, const char *name)
{
        uint64_t n = 0;

        for (unsigned i = 0; i < t->ngroups; i++)
                for (unsigned e = 0; e < t->groups[i].subsys->nevents; e++)
                        if (strcmp(t->groups[i].subsys->events[e], name) == 0)
                                n += t->groups[i].written[e];
        return n;
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
static size_t format_line(const struct trace *t, const char *event, const char *fields,
                          char *line, size_t cap)
{
        unsigned long long sec = t->now_ns / 1000000000u;
        unsigned long long usec = (t->now_ns % 1000000000u) / 1000u;
        int n = snprintf(line, cap, "%16s-%-7d [%03d] %.5s %5llu.%06llu: %s: %s\n",
                         t->who.comm, t->who.pid, t->who.cpu, t->who.flags, sec, usec,
                         event, fields);

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

static void json_event(struct trace *t, const struct trace_subsys *s, unsigned ev,
                       const char *fields)
{
        json_name_thread(t);
        json_separator(t);
        /* Names come from the parties' tables: escaped like any other text. */
        (void)fputs("{\"name\":\"", t->json);
        json_escape(t->json, s->events[ev]);
        (void)fputs("\",\"cat\":\"", t->json);
        json_escape(t->json, s->name);
        (void)fprintf(t->json, "\",\"ph\":\"i\",\"s\":\"t\",\"ts\":%" PRIu64 ".%03" PRIu64
                      ",\"pid\":1,\"tid\":%d,\"args\":{\"comm\":\"",
                      t->now_ns / 1000u, t->now_ns % 1000u, t->who.pid);
        json_escape(t->json, t->who.comm);
        (void)fputs("\",\"fields\":\"", t->json);
        json_escape(t->json, fields);
        (void)fputs("\"}}", t->json);
}

/* ---- emit and close ---- */

void trace_emit(struct trace_group *g, unsigned ev, const char *fmt, ...)
{
        char fields[TRACE_FIELDS_MAX];
        va_list ap;

        if (!trace_on(g, ev) || ev >= g->subsys->nevents || g->trace->closed)
                return;
        struct trace *t = g->trace;
        va_start(ap, fmt);
        if (vsnprintf(fields, sizeof(fields), fmt, ap) < 0)
                fields[0] = '\0';
        va_end(ap);
        g->written[ev]++;
        if (t->file || t->pipe) {
                char line[TRACE_LINE_MAX];
                size_t n = format_line(t, g->subsys->events[ev], fields, line, sizeof(line));
                if (t->file)
                        buffer_line(t, line, n);
                if (t->pipe)
                        (void)fputs(line, t->pipe);
        }
        if (t->json)
                json_event(t, g->subsys, ev, fields);
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
        bool ok = !t->groups_full && sink_ok(t->file);
        ok = sink_ok(t->pipe) && ok;
        ok = sink_ok(t->json) && ok;
        return ok;
}
