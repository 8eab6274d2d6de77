/* src/lib/trace.c: ftrace text format, file/pipe/JSON sinks, the subsystem registry and
 * event lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/trace.h"

/* Subsystems of the tests' own (the parties' tables are tested with the parties). */
enum { T_RMI_CALL };
enum { T_REC_ENTER, T_REC_EXIT };
enum { T_GPF };
enum { T_MMIO, T_HOST_CALL };
enum { T_PRINTK };
enum { T_BOUNCED };
static const char *const rmi_events[] = { [T_RMI_CALL] = "rmi_call" };
static const char *const rmm_events[] = { [T_REC_ENTER] = "rec_enter", [T_REC_EXIT] = "rec_exit" };
static const char *const hw_events[] = { [T_GPF] = "gpf" };
static const char *const host_events[] = { [T_MMIO] = "mmio", [T_HOST_CALL] = "host_call" };
static const char *const realm_events[] = { [T_PRINTK] = "realm_printk" };
static const char *const swiotlb_events[] = { [T_BOUNCED] = "swiotlb_bounced" };
static const struct trace_subsys rmi_sub = TRACE_SUBSYS("rmi", rmi_events);
static const struct trace_subsys rmm_sub = TRACE_SUBSYS("rmm", rmm_events);
static const struct trace_subsys hw_sub = TRACE_SUBSYS("hw", hw_events);
static const struct trace_subsys host_sub = TRACE_SUBSYS("host", host_events);
static const struct trace_subsys realm_sub = TRACE_SUBSYS("realm", realm_events);
static const struct trace_subsys swiotlb_sub = TRACE_SUBSYS("swiotlb", swiotlb_events);
static const struct trace_subsys *const all_subs[] = {
        &rmi_sub, &rmm_sub, &hw_sub, &host_sub, &realm_sub, &swiotlb_sub,
};
#define NSUBS (sizeof(all_subs) / sizeof(all_subs[0]))

/* s's group in t (registering it the first time). */
static struct trace_group *grp(struct trace *t, const struct trace_subsys *s)
{
        struct trace_group *g = trace_register(t, s);
        assert_non_null(g);
        return g;
}

/* A FILE that collects into memory (POSIX.1-2008 open_memstream). */
struct capture {
        FILE *f;
        char *data;
        size_t len;
};

static void capture_open(struct capture *c)
{
        c->data = NULL;
        c->len = 0;
        c->f = open_memstream(&c->data, &c->len);
        assert_non_null(c->f);
}

/* Flushes and returns the text so far (owned by c). */
static const char *capture_text(struct capture *c)
{
        assert_int_equal(fflush(c->f), 0);
        return c->data ? c->data : "";
}

static void capture_close(struct capture *c)
{
        assert_int_equal(fclose(c->f), 0);
        free(c->data);
}

static void emit_swiotlb_example(struct trace *t)
{
        trace_set_who(t, "keybroker-app", 143, 0, "b..2.");
        t->now_ns = 1772607321000ull;
        trace_emit(grp(t, &swiotlb_sub), T_BOUNCED, "dev_name: %s dma_mask=%llx dev_addr=%llx size=%zu %s",
                   "0000:00:00.0", 0xffffffffffffffffull, 0x80b6717eull, (size_t)66, "FORCE");
}

static const char swiotlb_line[] =
        "   keybroker-app-143     [000] b..2.  1772.607321: swiotlb_bounced: dev_name: "
        "0000:00:00.0 dma_mask=ffffffffffffffff dev_addr=80b6717e size=66 FORCE\n";

static void trace_pipe_line_matches_linux_swiotlb_example(void **state)
{
        struct trace t;
        struct capture pipe;

        (void)state;
        capture_open(&pipe);
        trace_init(&t);
        trace_set_pipe(&t, pipe.f);
        assert_true(trace_set_events(&t, "swiotlb_bounced"));
        emit_swiotlb_example(&t);
        assert_string_equal(capture_text(&pipe), swiotlb_line);
        assert_true(trace_close(&t));
        assert_string_equal(capture_text(&pipe), swiotlb_line);    /* pipe: no header */
        capture_close(&pipe);
}

static void trace_long_comm_is_truncated_to_15_and_pid_left_aligned(void **state)
{
        struct trace t;
        struct capture pipe;

        (void)state;
        capture_open(&pipe);
        trace_init(&t);
        trace_set_pipe(&t, pipe.f);
        assert_true(trace_set_events(&t, "rmi_call"));
        trace_set_who(&t, "a-very-long-command-name", 7, 12, NULL);
        t.now_ns = 5000999999ull;       /* 5.000999999 s: microseconds are truncated */
        trace_emit(grp(&t, &rmi_sub), T_RMI_CALL, "fid=0x%x", 0xc4000150u);
        assert_string_equal(capture_text(&pipe),
                            " a-very-long-com-7       [012] .....     5.000999: rmi_call: "
                            "fid=0xc4000150\n");
        assert_true(trace_close(&t));
        capture_close(&pipe);
}

static void trace_set_who_truncates_flags_to_five(void **state)
{
        struct trace t;

        (void)state;
        trace_init(&t);
        trace_set_who(&t, NULL, 1, 0, "dNhs.X");
        assert_string_equal(t.who.comm, "");
        assert_string_equal(t.who.flags, "dNhs.");
}

static void trace_init_attributes_events_to_idle_task(void **state)
{
        struct trace t;

        (void)state;
        trace_init(&t);
        assert_string_equal(t.who.comm, "<idle>");
        assert_int_equal(t.who.pid, 0);
        assert_int_equal(t.who.cpu, 0);
        assert_string_equal(t.who.flags, ".....");
        assert_int_equal(t.ngroups, 0);
        assert_string_equal(t.events, "");
}

static const char file_header_2[] =
        "# tracer: nop\n"
        "#\n"
        "# entries-in-buffer/entries-written: 2/2   #P:1\n"
        "#\n"
        "#                                _-----=> irqs-off/BH-disabled\n"
        "#                               / _----=> need-resched\n"
        "#                              | / _---=> hardirq/softirq\n"
        "#                              || / _--=> preempt-depth\n"
        "#                              ||| / _-=> migrate-disable\n"
        "#                              |||| /     delay\n"
        "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
        "#              | |         |   |||||     |         |\n";

static void trace_file_sink_writes_header_with_counts_then_lines_at_close(void **state)
{
        struct trace t;
        struct capture file;
        char want[2048];

        (void)state;
        capture_open(&file);
        trace_init(&t);
        trace_set_file(&t, file.f);
        assert_true(trace_set_events(&t, "swiotlb_bounced"));
        emit_swiotlb_example(&t);
        emit_swiotlb_example(&t);
        assert_string_equal(capture_text(&file), "");   /* buffered until close */
        assert_int_equal(t.nlines, 2);
        assert_true(trace_close(&t));
        int n = snprintf(want, sizeof(want), "%s%s%s", file_header_2, swiotlb_line, swiotlb_line);
        assert_true(n > 0 && (size_t)n < sizeof(want));
        assert_string_equal(capture_text(&file), want);
        capture_close(&file);
}

static void trace_file_sink_without_events_has_zero_entries(void **state)
{
        struct trace t;
        struct capture file;

        (void)state;
        capture_open(&file);
        trace_init(&t);
        trace_set_file(&t, file.f);
        assert_true(trace_close(&t));
        const char *text = capture_text(&file);
        assert_non_null(strstr(text, "# entries-in-buffer/entries-written: 0/0   #P:1\n"));
        assert_int_equal(strlen(text), strlen(file_header_2));
        capture_close(&file);
}

static void trace_disabled_event_is_neither_counted_nor_written(void **state)
{
        struct trace t;
        struct capture pipe, file, json;

        (void)state;
        capture_open(&pipe);
        capture_open(&file);
        capture_open(&json);
        trace_init(&t);
        trace_set_pipe(&t, pipe.f);
        trace_set_file(&t, file.f);
        trace_set_json(&t, json.f);
        assert_true(trace_set_events(&t, "rmi_call"));
        assert_false(trace_on(grp(&t, &hw_sub), T_GPF));
        trace_emit(grp(&t, &hw_sub), T_GPF, "pa=0x%x", 0x1000);
        assert_int_equal(trace_count(&t, "gpf"), 0);
        assert_int_equal(trace_count(&t, "rmi_call"), 0);
        assert_int_equal(t.nlines, 0);
        assert_string_equal(capture_text(&pipe), "");
        assert_string_equal(capture_text(&json), "");
        assert_false(trace_on(NULL, 0));
        trace_emit(NULL, 0, "x");       /* a NULL trace is allowed and does nothing */
        assert_true(trace_close(&t));
        assert_string_equal(capture_text(&json), "{\"traceEvents\":[]}\n");
        capture_close(&pipe);
        capture_close(&file);
        capture_close(&json);
}

static void trace_emit_counts_per_event_without_sinks(void **state)
{
        struct trace t;

        (void)state;
        trace_init(&t);
        assert_true(trace_set_events(&t, "all"));
        trace_emit(grp(&t, &rmm_sub), T_REC_ENTER, "x");
        trace_emit(grp(&t, &rmm_sub), T_REC_ENTER, "y");
        trace_emit(grp(&t, &rmm_sub), T_REC_EXIT, "z");
        assert_int_equal(trace_count(&t, "rec_enter"), 2);
        assert_int_equal(trace_count(&t, "rec_exit"), 1);
        assert_int_equal(trace_count(&t, "rmi_call"), 0);
        assert_true(trace_close(&t));
        trace_emit(grp(&t, &rmm_sub), T_REC_ENTER, "after close");
        assert_int_equal(trace_count(&t, "rec_enter"), 2);
}

static void trace_long_fields_are_truncated_to_one_line(void **state)
{
        struct trace t;
        struct capture pipe;
        char big[2000];

        (void)state;
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        capture_open(&pipe);
        trace_init(&t);
        trace_set_pipe(&t, pipe.f);
        assert_true(trace_set_events(&t, "realm_printk"));
        trace_emit(grp(&t, &realm_sub), T_PRINTK, "%s", big);
        const char *text = capture_text(&pipe);
        const char *fields = strstr(text, "realm_printk: ");
        assert_non_null(fields);
        /* TRACE_FIELDS_MAX - 1 characters of fields, then the newline */
        assert_int_equal(strlen(fields + strlen("realm_printk: ")), TRACE_FIELDS_MAX);
        assert_int_equal(text[strlen(text) - 1], '\n');
        assert_true(trace_close(&t));
        capture_close(&pipe);
}

static void trace_close_twice_writes_once(void **state)
{
        struct trace t;
        struct capture file, json;

        (void)state;
        capture_open(&file);
        capture_open(&json);
        trace_init(&t);
        trace_set_file(&t, file.f);
        trace_set_json(&t, json.f);
        assert_true(trace_set_events(&t, "swiotlb_bounced"));
        emit_swiotlb_example(&t);
        assert_true(trace_close(&t));
        size_t flen = strlen(capture_text(&file));
        size_t jlen = strlen(capture_text(&json));
        assert_true(trace_close(&t));
        assert_int_equal(strlen(capture_text(&file)), flen);
        assert_int_equal(strlen(capture_text(&json)), jlen);
        capture_close(&file);
        capture_close(&json);
}

static void trace_close_reports_sink_write_error(void **state)
{
        struct trace t;
        FILE *ro = fopen("/dev/null", "r");     /* writes to a read-only stream fail */

        (void)state;
        assert_non_null(ro);
        trace_init(&t);
        trace_set_pipe(&t, ro);
        assert_true(trace_set_events(&t, "mmio"));
        trace_emit(grp(&t, &host_sub), T_MMIO, "addr=0x%x", 0x10);
        assert_false(trace_close(&t));
        assert_false(trace_close(&t));
        assert_int_equal(fclose(ro), 0);
}

/* ---- the registry: groups, event lists ---- */

static void trace_register_returns_one_group_per_table(void **state)
{
        struct trace t;

        (void)state;
        trace_init(&t);
        struct trace_group *a = trace_register(&t, &host_sub);
        assert_non_null(a);
        assert_ptr_equal(a->subsys, &host_sub);
        assert_ptr_equal(a->trace, &t);
        assert_ptr_equal(trace_register(&t, &host_sub), a);   /* shared by several parties */
        assert_ptr_not_equal(trace_register(&t, &hw_sub), a);
        assert_int_equal(t.ngroups, 2);
        assert_null(trace_register(NULL, &host_sub));          /* no trace: a NULL group */
        assert_true(trace_close(&t));
}

static void trace_register_refuses_malformed_tables_and_name_clashes(void **state)
{
        static const char *const none[1] = { NULL };
        static const char *names65[65];
        static const char *const other_gpf[] = { "gpf", "gpf2" };
        const struct trace_subsys empty = { "e", none, 0 };
        const struct trace_subsys null_name = { "n", none, 1 };
        const struct trace_subsys no_table = { "x", NULL, 1 };
        const struct trace_subsys unnamed = { NULL, hw_events, 1 };
        const struct trace_subsys clash = TRACE_SUBSYS("hw", other_gpf);
        struct trace t;

        (void)state;
        for (unsigned i = 0; i < 65; i++)
                names65[i] = "ev";
        const struct trace_subsys too_many = { "big", names65, 65 };
        trace_init(&t);
        assert_non_null(trace_register(&t, &hw_sub));
        assert_null(trace_register(&t, NULL));
        assert_null(trace_register(&t, &empty));
        assert_null(trace_register(&t, &null_name));
        assert_null(trace_register(&t, &no_table));
        assert_null(trace_register(&t, &unnamed));
        assert_null(trace_register(&t, &too_many));
        assert_null(trace_register(&t, &clash));               /* another "hw" */
        assert_int_equal(t.ngroups, 1);
        assert_false(t.groups_full);
        assert_true(trace_close(&t));
}

static void trace_register_past_max_groups_fails_and_close_reports_it(void **state)
{
        static char names[TRACE_MAX_GROUPS + 1][8];
        static const char *const ev[] = { "e" };
        static struct trace_subsys subs[TRACE_MAX_GROUPS + 1];
        struct trace t;

        (void)state;
        trace_init(&t);
        for (unsigned i = 0; i <= TRACE_MAX_GROUPS; i++) {
                (void)snprintf(names[i], sizeof(names[i]), "s%u", i);
                subs[i] = (struct trace_subsys){ names[i], ev, 1 };
        }
        for (unsigned i = 0; i < TRACE_MAX_GROUPS; i++)
                assert_non_null(trace_register(&t, &subs[i]));
        assert_false(t.groups_full);
        assert_null(trace_register(&t, &subs[TRACE_MAX_GROUPS]));
        assert_true(t.groups_full);
        assert_false(trace_close(&t));
}

static void trace_set_events_applies_to_groups_registered_before_and_after(void **state)
{
        struct trace t;

        (void)state;
        trace_init(&t);
        struct trace_group *host = grp(&t, &host_sub);
        assert_false(trace_on(host, T_HOST_CALL));
        assert_true(trace_set_events(&t, "host_call, gpf"));
        assert_true(trace_on(host, T_HOST_CALL));
        assert_false(trace_on(host, T_MMIO));
        struct trace_group *hw = grp(&t, &hw_sub);             /* registered after the list */
        assert_true(trace_on(hw, T_GPF));
        assert_false(trace_on(grp(&t, &rmm_sub), T_REC_ENTER));
        assert_true(trace_set_events(&t, NULL));               /* NULL: none */
        assert_false(trace_on(host, T_HOST_CALL));
        assert_false(trace_on(hw, T_GPF));
        assert_true(trace_close(&t));
}

static void trace_set_events_subsystem_name_enables_all_its_events(void **state)
{
        struct trace t;

        (void)state;
        trace_init(&t);
        assert_true(trace_set_events(&t, "\trmm ,hw"));
        struct trace_group *rmm = grp(&t, &rmm_sub);
        assert_int_equal(rmm->enabled, 0x3);
        assert_int_equal(grp(&t, &hw_sub)->enabled, 0x1);
        assert_int_equal(grp(&t, &host_sub)->enabled, 0);
        assert_true(trace_close(&t));
}

static void trace_set_events_all_none_and_empty_items(void **state)
{
        struct trace t;

        (void)state;
        trace_init(&t);
        assert_true(trace_set_events(&t, "all"));
        assert_int_equal(grp(&t, &host_sub)->enabled, 0x3);
        assert_int_equal(grp(&t, &rmi_sub)->enabled, 0x1);
        assert_true(trace_set_events(&t, "none"));
        assert_int_equal(grp(&t, &host_sub)->enabled, 0);
        assert_true(trace_set_events(&t, " , ,"));
        assert_int_equal(grp(&t, &host_sub)->enabled, 0);
        assert_true(trace_set_events(&t, "none,mmio"));        /* items are or-ed */
        assert_int_equal(grp(&t, &host_sub)->enabled, 0x1);
        assert_true(trace_close(&t));
}

static void trace_set_events_refuses_overlong_list_and_keeps_the_old(void **state)
{
        char big[TRACE_EVENTS_LIST_MAX + 1];
        struct trace t;

        (void)state;
        memset(big, ' ', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        memcpy(big, "gpf", 3);
        trace_init(&t);
        assert_true(trace_set_events(&t, "mmio"));
        assert_false(trace_set_events(&t, big));
        assert_string_equal(t.events, "mmio");
        assert_true(trace_on(grp(&t, &host_sub), T_MMIO));
        assert_false(trace_on(grp(&t, &hw_sub), T_GPF));
        big[TRACE_EVENTS_LIST_MAX - 1] = '\0';                  /* the longest accepted */
        assert_true(trace_set_events(&t, big));
        assert_true(trace_on(grp(&t, &hw_sub), T_GPF));
        assert_true(trace_close(&t));
}

/* No cap on events: each group has its own mask (the old tracer had one 64-bit mask). */
static void trace_has_no_cap_across_subsystems(void **state)
{
        static const char *names[3][64];
        static char buf[3][64][8];
        static struct trace_subsys subs[3];
        static const char *const sub_names[3] = { "a", "b", "c" };
        struct trace t;
        struct capture pipe;

        (void)state;
        for (unsigned s = 0; s < 3; s++) {
                for (unsigned e = 0; e < 64; e++) {
                        (void)snprintf(buf[s][e], sizeof(buf[s][e]), "%s%u", sub_names[s], e);
                        names[s][e] = buf[s][e];
                }
                subs[s] = (struct trace_subsys){ sub_names[s], names[s], 64 };
        }
        capture_open(&pipe);
        trace_init(&t);
        trace_set_pipe(&t, pipe.f);
        assert_true(trace_set_events(&t, "all"));
        for (unsigned s = 0; s < 3; s++) {
                struct trace_group *g = grp(&t, &subs[s]);
                assert_int_equal(g->enabled, UINT64_MAX);
                trace_emit(g, 63, "last of %s", sub_names[s]);
                trace_emit(g, 64, "out of range");              /* ignored */
        }
        assert_non_null(strstr(capture_text(&pipe), ": c63: last of c\n"));
        assert_null(strstr(capture_text(&pipe), "out of range"));
        assert_int_equal(trace_count(&t, "a63") + trace_count(&t, "b63") + trace_count(&t, "c63"), 3);
        assert_true(trace_close(&t));
        capture_close(&pipe);
}

static void trace_check_events_accepts_names_subsystems_all_and_none(void **state)
{
        char err[64] = "stale";

        (void)state;
        assert_true(trace_check_events("rmi_call, gpf", all_subs, NSUBS, err, sizeof(err)));
        assert_string_equal(err, "");
        assert_true(trace_check_events("  swiotlb ,\trmm  ", all_subs, NSUBS, err, sizeof(err)));
        assert_true(trace_check_events("all,none,,", all_subs, NSUBS, NULL, 0));
        assert_true(trace_check_events("", all_subs, NSUBS, NULL, 0));
        assert_true(trace_check_events(NULL, all_subs, NSUBS, NULL, 0));
}

static void trace_check_events_unknown_name_fails_and_lists_the_valid_ones(void **state)
{
        char err[512];

        (void)state;
        assert_false(trace_check_events("gpf, foo ,rmi", all_subs, NSUBS, err, sizeof(err)));
        assert_string_equal(err, "unknown trace event or subsystem 'foo' (events: rmi_call, "
                                 "rec_enter, rec_exit, gpf, mmio, host_call, realm_printk, "
                                 "swiotlb_bounced; subsystems: rmi, rmm, hw, host, realm, swiotlb)");
        /* A name of a subsystem not in the list is unknown too. */
        assert_false(trace_check_events("gpf", all_subs, 1, err, sizeof(err)));
        assert_non_null(strstr(err, "'gpf'"));
}

static void trace_check_events_error_message_truncates_safely(void **state)
{
        char err[24];

        (void)state;
        memset(err, 'Z', sizeof(err));
        assert_false(trace_check_events("nope", all_subs, NSUBS, err, 20));
        assert_int_equal(strlen(err), 19);
        assert_int_equal(err[20], 'Z');         /* nothing written past errlen */
        assert_false(trace_check_events("nope", all_subs, NSUBS, NULL, 0));
}

static void trace_check_events_refuses_what_set_events_cannot_hold(void **state)
{
        char big[TRACE_EVENTS_LIST_MAX + 1];
        char err[128];

        (void)state;
        memset(big, ' ', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        assert_false(trace_check_events(big, all_subs, NSUBS, err, sizeof(err)));
        assert_string_equal(err, "the trace event list is longer than 511 characters");
        big[TRACE_EVENTS_LIST_MAX - 1] = '\0';
        assert_true(trace_check_events(big, all_subs, NSUBS, err, sizeof(err)));
}

static void trace_print_subsystems_writes_one_line_each(void **state)
{
        struct capture out;

        (void)state;
        capture_open(&out);
        trace_print_subsystems(out.f, all_subs, 3);
        assert_string_equal(capture_text(&out), "rmi            rmi_call\n"
                                                "rmm            rec_enter rec_exit\n"
                                                "hw             gpf\n");
        capture_close(&out);
}

static void trace_emit_names_event_and_subsystem_from_its_table(void **state)
{
        struct trace t;
        struct capture pipe, json;

        (void)state;
        capture_open(&pipe);
        capture_open(&json);
        trace_init(&t);
        trace_set_pipe(&t, pipe.f);
        trace_set_json(&t, json.f);
        assert_true(trace_set_events(&t, "host"));
        trace_emit(grp(&t, &host_sub), T_HOST_CALL, "imm=0x%x", 1);
        assert_non_null(strstr(capture_text(&pipe), ": host_call: imm=0x1\n"));
        assert_true(trace_close(&t));
        assert_non_null(strstr(capture_text(&json), "\"name\":\"host_call\",\"cat\":\"host\""));
        capture_close(&pipe);
        capture_close(&json);
}

/* ---- JSON ---- */

static void trace_json_output_is_chrome_trace_with_escaping(void **state)
{
        struct trace t;
        struct capture json;

        (void)state;
        capture_open(&json);
        trace_init(&t);
        trace_set_json(&t, json.f);
        assert_true(trace_set_events(&t, "realm_printk"));
        trace_set_who(&t, "kbc", 42, 0, NULL);
        t.now_ns = 1234567;
        trace_emit(grp(&t, &realm_sub), T_PRINTK, "say \"hi\"\n\\%c", 1);
        trace_emit(grp(&t, &realm_sub), T_PRINTK, "again");
        assert_true(trace_close(&t));
        const char *text = capture_text(&json);
        static const char want[] =
                "{\"traceEvents\":[\n"
                "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":42,"
                "\"args\":{\"name\":\"kbc\"}},\n"
                "{\"name\":\"realm_printk\",\"cat\":\"realm\",\"ph\":\"i\",\"s\":\"t\","
                "\"ts\":1234.567,\"pid\":1,\"tid\":42,\"args\":{\"comm\":\"kbc\","
                "\"fields\":\"say \\\"hi\\\"\\u000a\\\\\\u0001\"}},\n"
                "{\"name\":\"realm_printk\",\"cat\":\"realm\",\"ph\":\"i\",\"s\":\"t\","
                "\"ts\":1234.567,\"pid\":1,\"tid\":42,\"args\":{\"comm\":\"kbc\","
                "\"fields\":\"again\"}}\n"
                "]}\n";
        assert_string_equal(text, want);
        capture_close(&json);
}

static size_t count(const char *hay, const char *needle)
{
        size_t n = 0;

        for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
                n++;
        return n;
}

static void trace_json_names_each_pid_once_up_to_cap(void **state)
{
        struct trace t;
        struct capture json;

        (void)state;
        capture_open(&json);
        trace_init(&t);
        trace_set_json(&t, json.f);
        assert_true(trace_set_events(&t, "host_call"));
        for (int pid = 0; pid < TRACE_JSON_MAX_PIDS + 10; pid++) {
                trace_set_who(&t, "w", pid, 0, NULL);
                trace_emit(grp(&t, &host_sub), T_HOST_CALL, "a");
                trace_emit(grp(&t, &host_sub), T_HOST_CALL, "b");
        }
        assert_true(trace_close(&t));
        const char *text = capture_text(&json);
        assert_int_equal(count(text, "\"thread_name\""), TRACE_JSON_MAX_PIDS);
        assert_int_equal(count(text, "\"host_call\""), 2 * (TRACE_JSON_MAX_PIDS + 10));
        assert_int_equal(strncmp(text, "{\"traceEvents\":[", 16), 0);
        assert_string_equal(text + strlen(text) - 4, "\n]}\n");
        capture_close(&json);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(trace_pipe_line_matches_linux_swiotlb_example),
                cmocka_unit_test(trace_long_comm_is_truncated_to_15_and_pid_left_aligned),
                cmocka_unit_test(trace_set_who_truncates_flags_to_five),
                cmocka_unit_test(trace_init_attributes_events_to_idle_task),
                cmocka_unit_test(trace_file_sink_writes_header_with_counts_then_lines_at_close),
                cmocka_unit_test(trace_file_sink_without_events_has_zero_entries),
                cmocka_unit_test(trace_disabled_event_is_neither_counted_nor_written),
                cmocka_unit_test(trace_emit_counts_per_event_without_sinks),
                cmocka_unit_test(trace_long_fields_are_truncated_to_one_line),
                cmocka_unit_test(trace_close_twice_writes_once),
                cmocka_unit_test(trace_close_reports_sink_write_error),
                cmocka_unit_test(trace_register_returns_one_group_per_table),
                cmocka_unit_test(trace_register_refuses_malformed_tables_and_name_clashes),
                cmocka_unit_test(trace_register_past_max_groups_fails_and_close_reports_it),
                cmocka_unit_test(trace_set_events_applies_to_groups_registered_before_and_after),
                cmocka_unit_test(trace_set_events_subsystem_name_enables_all_its_events),
                cmocka_unit_test(trace_set_events_all_none_and_empty_items),
                cmocka_unit_test(trace_set_events_refuses_overlong_list_and_keeps_the_old),
                cmocka_unit_test(trace_has_no_cap_across_subsystems),
                cmocka_unit_test(trace_check_events_accepts_names_subsystems_all_and_none),
                cmocka_unit_test(trace_check_events_unknown_name_fails_and_lists_the_valid_ones),
                cmocka_unit_test(trace_check_events_error_message_truncates_safely),
                cmocka_unit_test(trace_check_events_refuses_what_set_events_cannot_hold),
                cmocka_unit_test(trace_print_subsystems_writes_one_line_each),
                cmocka_unit_test(trace_emit_names_event_and_subsystem_from_its_table),
                cmocka_unit_test(trace_json_output_is_chrome_trace_with_escaping),
                cmocka_unit_test(trace_json_names_each_pid_once_up_to_cap),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
