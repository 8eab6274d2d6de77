/* The report's JSON form (include/ccada/report.h), through the one JSON writer. */
#include "ccada/report.h"

#include <math.h>
#include <string.h>

#include "lib/json.h"

static void value(struct json_writer *w, const char *key, const struct ccada_report_value *v)
{
        switch (v->type) {
        case CCADA_REPORT_BOOL: json_bool(w, key, v->b); break;
        case CCADA_REPORT_U64: json_u64(w, key, v->u); break;
        case CCADA_REPORT_DOUBLE: json_double(w, key, v->d, v->decimals); break;
        default: json_string(w, key, v->text); break;
        }
}

static void items(struct json_writer *w, const struct ccada_report *r, size_t s)
{
        const char *key;
        struct ccada_report_value v;
        for (size_t i = 0; ccada_report_item(r, s, i, &key, &v); i++)
                value(w, key, &v);
}

bool ccada_report_print_json(const struct ccada_report *r, FILE *f)
{
        struct json_writer w;
        size_t n = ccada_report_nsections(r);
        json_init(&w, f, true);
        json_begin_object(&w, NULL);
        json_bool(&w, "passed", ccada_report_passed(r));
        for (size_t s = 0; s < n; s++)
                if (!ccada_report_section_name(r, s)[0])
                        items(&w, r, s);
        for (size_t s = 0; s < n; s++) {
                const char *name = ccada_report_section_name(r, s);
                if (!name[0])
                        continue;
                json_begin_object(&w, name);
                items(&w, r, s);
                json_end_object(&w);
        }
        json_end_object(&w);
        return json_finish(&w);
}

static void text_value(FILE *f, const char *key, const struct ccada_report_value *v)
{
        fprintf(f, "  %-28s ", key);
        switch (v->type) {
        case CCADA_REPORT_BOOL: fputs(v->b ? "yes" : "no", f); break;
        case CCADA_REPORT_U64: fprintf(f, "%llu", (unsigned long long)v->u); break;
        case CCADA_REPORT_DOUBLE:
                if (isfinite(v->d))
                        fprintf(f, "%.*f", (int)v->decimals, v->d);
                else
                        fputs("-", f);
                break;
        default: fputs(v->text[0] ? v->text : "-", f); break;
        }
        fputc('\n', f);
}

bool ccada_report_print_text(const struct ccada_report *r, FILE *f)
{
        size_t n = ccada_report_nsections(r);
        const char *key;
        struct ccada_report_value v;
        for (size_t s = 0; s < n; s++) /* the top level first, without a heading */
                if (!ccada_report_section_name(r, s)[0])
                        for (size_t i = 0; ccada_report_item(r, s, i, &key, &v); i++)
                                text_value(f, key, &v);
        for (size_t s = 0; s < n; s++) {
                const char *name = ccada_report_section_name(r, s);
                bool checks = !strcmp(name, "checks");
                if (!name[0])
                        continue;
                fprintf(f, "%s:\n", name);
                for (size_t i = 0; ccada_report_item(r, s, i, &key, &v); i++) {
                        if (checks)
                                fprintf(f, "  %-28s %s\n", key, v.b ? "ok" : "FAILED");
                        else
                                text_value(f, key, &v);
                }
        }
        fprintf(f, "%s\n", ccada_report_passed(r) ? "passed" : "FAILED");
        return !ferror(f) && fflush(f) == 0;
}
