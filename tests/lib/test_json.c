/* src/lib/json.c: what RFC 8259 asks of a JSON text, checked on exact output written out by
 * hand (and, for the UTF-8 rules, RFC 3629's table of well-formed sequences). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"

/* Runs fn on a writer over a memory stream; returns what it wrote (caller frees). */
static char *capture(void (*fn)(FILE *f, void *arg), void *arg)
{
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        assert_non_null(f);
        fn(f, arg);
        assert_int_equal(fclose(f), 0);
        return text;
}

static void escape_fn(FILE *f, void *arg) { json_escape(f, arg); }

static void assert_escapes(const char *in, const char *want)
{
        char *got = capture(escape_fn, (void *)in);
        assert_string_equal(got, want);
        free(got);
}

static void json_escape_escapes_quotes_backslashes_and_control_characters(void **state)
{
        (void)state;
        assert_escapes("plain text", "plain text");
        assert_escapes("say \"hi\"", "say \\\"hi\\\"");
        assert_escapes("C:\\dir", "C:\\\\dir");
        assert_escapes("a\nb\tc\x01\x1f", "a\\u000ab\\u0009c\\u0001\\u001f");
        assert_escapes("/ and \x7f stay", "/ and \x7f stay"); /* neither needs escaping */
}

static void json_escape_keeps_valid_utf8_and_replaces_every_invalid_byte(void **state)
{
        (void)state;
        assert_escapes("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
        assert_escapes("\xff", "\\ufffd");                 /* never a UTF-8 byte */
        assert_escapes("\xc3", "\\ufffd");                 /* truncated by the end */
        assert_escapes("\xc3(", "\\ufffd(");               /* continuation missing */
        assert_escapes("\xc0\xaf", "\\ufffd\\ufffd");      /* overlong '/' */
        assert_escapes("\xe0\x80\xaf", "\\ufffd\\ufffd\\ufffd"); /* overlong, 3 bytes */
        assert_escapes("\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd"); /* a UTF-16 surrogate */
        assert_escapes("\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"); /* past U+10FFFF */
        assert_escapes("\x80x", "\\ufffdx");               /* a lone continuation byte */
}

static void document_fn(FILE *f, void *arg)
{
        struct json_writer w;
        json_init(&w, f, *(bool *)arg);
        json_begin_object(&w, NULL);
        json_bool(&w, "passed", true);
        json_string(&w, "error", "bad \"disk\"");
        json_begin_object(&w, "exits");
        json_u64(&w, "SYNC", 1353);
        json_u64(&w, "IRQ", 0);
        json_end_object(&w);
        json_begin_array(&w, "rows");
        json_double(&w, NULL, 1.25, 1);
        json_double(&w, NULL, NAN, 1);
        json_end_array(&w);
        json_begin_object(&w, "empty");
        json_end_object(&w);
        json_end_object(&w);
        assert_true(json_finish(&w));
}

static void json_writer_writes_nested_values_with_commas_compact_and_pretty(void **state)
{
        (void)state;
        bool pretty = false;
        char *got = capture(document_fn, &pretty);
        assert_string_equal(got, "{\"passed\":true,\"error\":\"bad \\\"disk\\\"\",\"exits\":{\"SYNC\":1353,\"IRQ\":0},"
                                 "\"rows\":[1.2,null],\"empty\":{}}\n");
        free(got);
        pretty = true;
        got = capture(document_fn, &pretty);
        assert_string_equal(got, "{\n"
                                 "  \"passed\": true,\n"
                                 "  \"error\": \"bad \\\"disk\\\"\",\n"
                                 "  \"exits\": {\n"
                                 "    \"SYNC\": 1353,\n"
                                 "    \"IRQ\": 0\n"
                                 "  },\n"
                                 "  \"rows\": [\n"
                                 "    1.2,\n"
                                 "    null\n"
                                 "  ],\n"
                                 "  \"empty\": {}\n"
                                 "}\n");
        free(got);
}

struct misuse {
        int kind;
        bool ok;
};

static void misuse_fn(FILE *f, void *arg)
{
        struct misuse *m = arg;
        struct json_writer w;
        json_init(&w, f, false);
        switch (m->kind) {
        case 0: json_begin_object(&w, NULL); json_u64(&w, NULL, 1); json_end_object(&w); break; /* no key */
        case 1: json_begin_array(&w, NULL); json_u64(&w, "k", 1); json_end_array(&w); break;    /* key in array */
        case 2: json_begin_object(&w, NULL); json_end_array(&w); break;                         /* wrong close */
        case 3: json_begin_object(&w, NULL); break;                                             /* left open */
        case 4: json_end_object(&w); break;                                                     /* nothing open */
        case 5: json_u64(&w, NULL, 1); json_u64(&w, NULL, 2); break;                            /* two tops */
        case 6: break;                                                                          /* nothing */
        default:
                for (int i = 0; i < JSON_MAX_DEPTH + 1; i++)
                        json_begin_array(&w, NULL);                                             /* too deep */
                break;
        }
        m->ok = json_finish(&w);
}

static void json_finish_reports_every_misuse(void **state)
{
        (void)state;
        for (int kind = 0; kind <= 7; kind++) {
                struct misuse m = { kind, true };
                free(capture(misuse_fn, &m));
                if (m.ok)
                        fail_msg("misuse %d was not reported", kind);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(json_escape_escapes_quotes_backslashes_and_control_characters),
                cmocka_unit_test(json_escape_keeps_valid_utf8_and_replaces_every_invalid_byte),
                cmocka_unit_test(json_writer_writes_nested_values_with_commas_compact_and_pretty),
                cmocka_unit_test(json_finish_reports_every_misuse),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
