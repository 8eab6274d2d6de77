/* src/lib/trace.c: ftrace text format, file/pipe/JSON sinks, event-list parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/trace.h"

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
        trace_emit(t, TRACE_SWIOTLB_BOUNCED, "dev_name: %s dma_mask=%llx dev_addr=%llx size=%zu %s",
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
        trace_enable(&t, 1ull << TRACE_SWIOTLB_BOUNCED);
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
        trace_enable(&t, 1ull << TRACE_RMI_CALL);
        trace_set_who(&t, "a-very-long-command-name", 7, 12, NULL);
        t.now_ns = 5000999999ull;       /* 5.000999999 s: microseconds are truncated */
        trace_emit(&t, TRACE_RMI_CALL, "fid=0x%x", 0xc4000150u);
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
        assert_int_equal(t.enabled, 0);
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
        trace_enable(&t, 1ull << TRACE_SWIOTLB_BOUNCED);
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
        trace_enable(&t, 1ull << TRACE_RMI_CALL);
        assert_false(trace_on(&t, TRACE_GPF));
        trace_emit(&t, TRACE_GPF, "pa=0x%x", 0x1000);
        for (int e = 0; e < TRACE_EVENT_COUNT; e++)
                assert_int_equal(t.written[e], 0);
        assert_int_equal(t.nlines, 0);
        assert_string_equal(capture_text(&pipe), "");
        assert_string_equal(capture_text(&json), "");
        assert_false(trace_on(NULL, TRACE_GPF));
        trace_emit(NULL, TRACE_GPF, "x");       /* a NULL trace is allowed and does nothing */
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
        trace_enable(&t, UINT64_MAX);
        trace_emit(&t, TRACE_REC_ENTER, "x");
        trace_emit(&t, TRACE_REC_ENTER, "y");
        trace_emit(&t, TRACE_REC_EXIT, "z");
        assert_int_equal(t.written[TRACE_REC_ENTER], 2);
        assert_int_equal(t.written[TRACE_REC_EXIT], 1);
        assert_int_equal(t.written[TRACE_RMI_CALL], 0);
        assert_true(trace_close(&t));
        trace_emit(&t, TRACE_REC_ENTER, "after close");
        assert_int_equal(t.written[TRACE_REC_ENTER], 2);
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
        trace_enable(&t, 1ull << TRACE_REALM_LOG);
        trace_emit(&t, TRACE_REALM_LOG, "%s", big);
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
        trace_enable(&t, 1ull << TRACE_SWIOTLB_BOUNCED);
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
        trace_enable(&t, 1ull << TRACE_MMIO);
        trace_emit(&t, TRACE_MMIO, "addr=0x%x", 0x10);
        assert_false(trace_close(&t));
        assert_false(trace_close(&t));
        assert_int_equal(fclose(ro), 0);
}

/* ---- event names and parsing ---- */

static void trace_event_name_and_subsystem_come_from_table(void **state)
{
        (void)state;
        assert_string_equal(trace_event_name(TRACE_GPF), "gpf");
        assert_string_equal(trace_event_subsystem(TRACE_GPF), "hw");
        assert_string_equal(trace_event_name(TRACE_REALM_LOG), "realm_printk");
        assert_string_equal(trace_event_subsystem(TRACE_REALM_LOG), "realm");
        assert_string_equal(trace_event_name(TRACE_VIRTIO_BROKEN), "virtio_broken");
        assert_string_equal(trace_event_name(TRACE_EVENT_COUNT), "unknown");
}

static uint64_t bit(enum trace_event e) { return 1ull << e; }

static void trace_parse_events_accepts_event_names(void **state)
{
        uint64_t m = 0;
        char err[256];

        (void)state;
        assert_true(trace_parse_events("rmi_call,gpf", &m, err, sizeof(err)));
        assert_int_equal(m, bit(TRACE_RMI_CALL) | bit(TRACE_GPF));
        assert_true(trace_parse_events("  swiotlb_bounced ,\trec_exit  ", &m, err, sizeof(err)));
        assert_int_equal(m, bit(TRACE_SWIOTLB_BOUNCED) | bit(TRACE_REC_EXIT));
}

static void trace_parse_events_expands_subsystems(void **state)
{
        uint64_t m = 0;

        (void)state;
        assert_true(trace_parse_events("swiotlb", &m, NULL, 0));
        assert_int_equal(m, bit(TRACE_SWIOTLB_BOUNCED) | bit(TRACE_SWIOTLB_MAP) |
                                    bit(TRACE_SWIOTLB_UNMAP) | bit(TRACE_SWIOTLB_SYNC) |
                                    bit(TRACE_SWIOTLB_FULL));
        assert_true(trace_parse_events("rmm, gpf", &m, NULL, 0));
        assert_int_equal(m, bit(TRACE_REC_ENTER) | bit(TRACE_REC_EXIT) |
                                    bit(TRACE_RIPAS_CHANGE) | bit(TRACE_GPF));
}

static void trace_parse_events_all_and_none(void **state)
{
        uint64_t m = 0;

        (void)state;
        assert_true(trace_parse_events("all", &m, NULL, 0));
        assert_int_equal(m, (1ull << TRACE_EVENT_COUNT) - 1);
        assert_true(trace_parse_events("none", &m, NULL, 0));
        assert_int_equal(m, 0);
        m = 5;
        assert_true(trace_parse_events("", &m, NULL, 0));
        assert_int_equal(m, 0);
        m = 5;
        assert_true(trace_parse_events(" , ", &m, NULL, 0));
        assert_int_equal(m, 0);
}

static void trace_parse_events_unknown_name_fails_and_names_it(void **state)
{
        uint64_t m = 77;
        char err[512];

        (void)state;
        assert_false(trace_parse_events("gpf, foo ,rmi", &m, err, sizeof(err)));
        assert_int_equal(m, 77);        /* unchanged */
        assert_non_null(strstr(err, "unknown trace event or subsystem 'foo' (events: rmi_call, "
                                    "rsi_call, "));
        assert_non_null(strstr(err, "; subsystems: rmi, rsi, rmm, hw, host, realm, swiotlb, "
                                    "virtio)"));
        assert_int_equal(err[strlen(err) - 1], ')');
}

static void trace_parse_events_error_message_truncates_safely(void **state)
{
        uint64_t m = 0;
        char err[24];

        (void)state;
        memset(err, 'Z', sizeof(err));
        assert_false(trace_parse_events("nope", &m, err, 20));
        assert_int_equal(strlen(err), 19);
        assert_int_equal(err[20], 'Z');         /* nothing written past errlen */
        assert_false(trace_parse_events("nope", &m, NULL, 0));
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
        trace_enable(&t, 1ull << TRACE_REALM_LOG);
        trace_set_who(&t, "kbc", 42, 0, NULL);
        t.now_ns = 1234567;
        trace_emit(&t, TRACE_REALM_LOG, "say \"hi\"\n\\%c", 1);
        trace_emit(&t, TRACE_REALM_LOG, "again");
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
        trace_enable(&t, 1ull << TRACE_HOST_CALL);
        for (int pid = 0; pid < TRACE_JSON_MAX_PIDS + 10; pid++) {
                trace_set_who(&t, "w", pid, 0, NULL);
                trace_emit(&t, TRACE_HOST_CALL, "a");
                trace_emit(&t, TRACE_HOST_CALL, "b");
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
                cmocka_unit_test(trace_event_name_and_subsystem_come_from_table),
                cmocka_unit_test(trace_parse_events_accepts_event_names),
                cmocka_unit_test(trace_parse_events_expands_subsystems),
                cmocka_unit_test(trace_parse_events_all_and_none),
                cmocka_unit_test(trace_parse_events_unknown_name_fails_and_names_it),
                cmocka_unit_test(trace_parse_events_error_message_truncates_safely),
                cmocka_unit_test(trace_json_output_is_chrome_trace_with_escaping),
                cmocka_unit_test(trace_json_names_each_pid_once_up_to_cap),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
