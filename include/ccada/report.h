/* A run's report: named sections of typed values (bool, u64, a measured figure, hex bytes,
 * text) and named
 * checks, filled by the parties that know them and printed by the CLI as text or JSON. A
 * new feature adds a section; nothing else has to change for it to be shown.
 *
 * Layout of the JSON form (ccada_report_print_json, src/machine/report_print.c): one
 * object; "passed" first (every check true); then the values of the top section (the one
 * named "") and, in the order they were first made, every other section as an object
 * under its name; the checks as booleans under "checks".
 *
 * Keys and section names are copied. Setting a key again replaces its value where it
 * stands. Out of memory is remembered: the report then does not pass, and a call on the
 * NULL section ccada_report_section returned is a no-op. */
#ifndef CCADA_REPORT_H
#define CCADA_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ccada/status.h"

struct ccada_report;
struct ccada_report_section;

CCADA_MUST_CHECK ccada_status ccada_report_create(struct ccada_report **out);
void ccada_report_destroy(struct ccada_report *r); /* NULL: no-op */

/* The section called name ("" is the top level), made empty at the end the first time.
 * "checks" is reserved for ccada_report_check (NULL). */
struct ccada_report_section *ccada_report_section(struct ccada_report *r, const char *name);
void ccada_report_bool(struct ccada_report_section *s, const char *key, bool v);
void ccada_report_u64(struct ccada_report_section *s, const char *key, uint64_t v);
/* A measured figure (a benchmark's ns, MB/s, IOPS), shown with `decimals` digits after the
 * point (at most 17); not a finite number is shown as null in JSON and "-" as text. */
void ccada_report_double(struct ccada_report_section *s, const char *key, double v, unsigned decimals);
void ccada_report_hex(struct ccada_report_section *s, const char *key, const uint8_t *bytes, size_t n);
void ccada_report_text(struct ccada_report_section *s, const char *key, const char *text);

/* A named check: the run passed when every check is true (and there is one at least). */
void ccada_report_check(struct ccada_report *r, const char *name, bool ok);
bool ccada_report_passed(const struct ccada_report *r);

/* Copies every section, value and check of src into dst (values replace dst's values of
 * the same key; sections new to dst go at its end). */
void ccada_report_merge(struct ccada_report *dst, const struct ccada_report *src);

/* Reading back, for printers and tests. */
enum ccada_report_type {
        CCADA_REPORT_BOOL, CCADA_REPORT_U64, CCADA_REPORT_DOUBLE, CCADA_REPORT_HEX, CCADA_REPORT_TEXT
};
struct ccada_report_value {
        enum ccada_report_type type;
        bool b;              /* BOOL */
        uint64_t u;          /* U64 */
        double d;            /* DOUBLE */
        unsigned decimals;   /* DOUBLE: digits after the point when shown */
        const char *text;    /* HEX (lower-case digits) and TEXT; valid while the report lives */
};
size_t ccada_report_nsections(const struct ccada_report *r); /* "checks" included, when made */
const char *ccada_report_section_name(const struct ccada_report *r, size_t i);
size_t ccada_report_nitems(const struct ccada_report *r, size_t section);
/* The i-th item of a section: its key and value. False when out of range. */
bool ccada_report_item(const struct ccada_report *r, size_t section, size_t i, const char **key,
                       struct ccada_report_value *v);
/* The value of key in the named section. False when there is none. */
bool ccada_report_get(const struct ccada_report *r, const char *section, const char *key,
                      struct ccada_report_value *v);

/* The JSON form (see above), pretty-printed. False if the stream fails. */
bool ccada_report_print_json(const struct ccada_report *r, FILE *f);
/* The same as text for a person: the top section's values, then each section under its
 * name, the checks ("ok" / "FAILED"), and a last line "passed" or "FAILED". */
bool ccada_report_print_text(const struct ccada_report *r, FILE *f);

#endif
