/* JSON output (see json.h). RFC 8259 §7 (strings), RFC 3629 (UTF-8). */
#include "lib/json.h"

#include <math.h>

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if p does not start one. */
static unsigned utf8_len(const unsigned char *p)
{
        unsigned n;
        uint32_t cp;
        if (p[0] < 0x80)
                return 1;
        if (p[0] >= 0xC2 && p[0] <= 0xDF)
                n = 2, cp = p[0] & 0x1Fu;
        else if (p[0] >= 0xE0 && p[0] <= 0xEF)
                n = 3, cp = p[0] & 0x0Fu;
        else if (p[0] >= 0xF0 && p[0] <= 0xF4)
                n = 4, cp = p[0] & 0x07u;
        else
                return 0;
        for (unsigned i = 1; i < n; i++) {
                if ((p[i] & 0xC0) != 0x80) /* also stops at the terminating NUL */
                        return 0;
                cp = cp << 6 | (p[i] & 0x3Fu);
        }
        /* no overlong forms, no surrogates, nothing past U+10FFFF */
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
                return 0;
        return n;
}

void json_escape(FILE *f, const char *s)
{
        const unsigned char *p = (const unsigned char *)s;
        while (*p) {
                unsigned n = utf8_len(p);
                if (*p == '"' || *p == '\\') {
                        (void)fputc('\\', f);
                        (void)fputc(*p, f);
                } else if (*p < 0x20) {
                        (void)fprintf(f, "\\u%04x", *p);
                } else if (n == 0) {
                        (void)fputs("\\ufffd", f);
                        n = 1;
                } else {
                        (void)fwrite(p, 1, n, f);
                }
                p += n;
        }
}

void json_init(struct json_writer *w, FILE *f, bool pretty)
{
        *w = (struct json_writer){ .f = f, .pretty = pretty, .ok = true };
}

static void indent(struct json_writer *w)
{
        if (!w->pretty)
                return;
        (void)fputc('\n', w->f);
        for (unsigned i = 0; i < w->depth; i++)
                (void)fputs("  ", w->f);
}

/* Before any value: the comma, the indent and the key, checking the key fits the place. */
static void item(struct json_writer *w, const char *key)
{
        bool in_object = w->depth > 0 && !w->in_array[w->depth - 1];
        if ((key != NULL) != in_object || (w->depth == 0 && w->has_items[0]))
                w->ok = false; /* a key where none belongs, a missing one, or a second top value */
        if (w->depth > 0) {
                if (w->has_items[w->depth - 1])
                        (void)fputc(',', w->f);
                indent(w);
                w->has_items[w->depth - 1] = true;
        } else {
                w->has_items[0] = true;
        }
        if (key) {
                (void)fputc('"', w->f);
                json_escape(w->f, key);
                (void)fputs(w->pretty ? "\": " : "\":", w->f);
        }
}

static void open_level(struct json_writer *w, const char *key, bool array)
{
        item(w, key);
        if (w->depth + 1 >= JSON_MAX_DEPTH) {
                w->ok = false;
                return;
        }
        (void)fputc(array ? '[' : '{', w->f);
        w->depth++;
        w->in_array[w->depth - 1] = array;
        w->has_items[w->depth - 1] = false;
}

static void close_level(struct json_writer *w, bool array)
{
        if (w->depth == 0 || w->in_array[w->depth - 1] != array) {
                w->ok = false;
                return;
        }
        bool had = w->has_items[w->depth - 1];
        w->depth--;
        if (had)
                indent(w);
        (void)fputc(array ? ']' : '}', w->f);
}

void json_begin_object(struct json_writer *w, const char *key) { open_level(w, key, false); }
void json_end_object(struct json_writer *w) { close_level(w, false); }
void json_begin_array(struct json_writer *w, const char *key) { open_level(w, key, true); }
void json_end_array(struct json_writer *w) { close_level(w, true); }

void json_string(struct json_writer *w, const char *key, const char *s)
{
        item(w, key);
        (void)fputc('"', w->f);
        json_escape(w->f, s ? s : "");
        (void)fputc('"', w->f);
}

void json_u64(struct json_writer *w, const char *key, uint64_t v)
{
        item(w, key);
        (void)fprintf(w->f, "%llu", (unsigned long long)v);
}

void json_bool(struct json_writer *w, const char *key, bool v)
{
        item(w, key);
        (void)fputs(v ? "true" : "false", w->f);
}

void json_double(struct json_writer *w, const char *key, double v, unsigned decimals)
{
        item(w, key);
        if (isfinite(v))
                (void)fprintf(w->f, "%.*f", (int)(decimals > 17 ? 17 : decimals), v);
        else
                (void)fputs("null", w->f);
}

bool json_finish(struct json_writer *w)
{
        if (w->depth != 0 || !w->has_items[0])
                w->ok = false;
        (void)fputc('\n', w->f);
        return w->ok && !ferror(w->f) && fflush(w->f) == 0;
}
