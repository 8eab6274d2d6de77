/* JSON output (RFC 8259): one string escaper and a small streaming writer, shared by every
 * part of ccada that prints JSON (the CLI's --json, the trace's JSON sink), so that no
 * printer escapes on its own or forgets to.
 *
 * Strings: '"', '\\' and control characters are escaped; valid UTF-8 passes through; a
 * byte that does not start or continue a valid UTF-8 sequence becomes U+FFFD, so the output
 * always parses whatever bytes a string held.
 *
 * The writer tracks nesting and commas: a caller says what comes (object, array, a value
 * with or without a key) and gets well-formed output, pretty-printed with two-space
 * indents or compact. Misuse (a key inside an array, closing what is not open, too deep)
 * makes json_finish return false rather than writing broken JSON silently. */
#ifndef CCADA_LIB_JSON_H
#define CCADA_LIB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes s as the inside of a JSON string (no quotes). */
void json_escape(FILE *f, const char *s);

#define JSON_MAX_DEPTH 16

struct json_writer {
        FILE *f;
        bool pretty;
        bool ok;                        /* no misuse so far */
        unsigned depth;
        bool in_array[JSON_MAX_DEPTH];  /* per level: array (true) or object */
        bool has_items[JSON_MAX_DEPTH]; /* per level: a comma goes before the next item */
};

void json_init(struct json_writer *w, FILE *f, bool pretty);
/* key: the member name inside an object; NULL inside an array or for the top value. */
void json_begin_object(struct json_writer *w, const char *key);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w, const char *key);
void json_end_array(struct json_writer *w);
void json_string(struct json_writer *w, const char *key, const char *s);
void json_u64(struct json_writer *w, const char *key, uint64_t v);
void json_bool(struct json_writer *w, const char *key, bool v);
/* A number with `decimals` digits after the point; NaN and infinities become null. */
void json_double(struct json_writer *w, const char *key, double v, unsigned decimals);
/* Ends the document (a newline after the top value). False if the writer was misused,
 * something is still open, or the stream reports an error. */
bool json_finish(struct json_writer *w);

#endif
