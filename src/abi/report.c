/* The generic report (include/ccada/report.h): ordered sections of ordered items. */
#include "ccada/report.h"

#include <stdlib.h>
#include <string.h>

#define CHECKS "checks"

struct item {
        char *key;
        struct ccada_report_value v;
        char *text; /* owns v.text for HEX and TEXT */
};

struct ccada_report_section {
        struct ccada_report *r;
        char *name;
        struct item *items;
        size_t n, cap;
};

struct ccada_report {
        struct ccada_report_section **sec;
        size_t n, cap;
        bool oom;
};

static char *dup_str(const char *s)
{
        size_t n = strlen(s) + 1;
        char *d = malloc(n);
        if (d)
                memcpy(d, s, n);
        return d;
}

/* Grows *p (of *cap elements of size sz) to hold one more. */
static bool grow(void **p, size_t *cap, size_t n, size_t sz)
{
        if (n < *cap)
                return true;
        size_t c = *cap ? *cap * 2 : 8;
        void *q = realloc(*p, c * sz);
        if (!q)
                return false;
        *p = q;
        *cap = c;
        return true;
}

ccada_status ccada_report_create(struct ccada_report **out)
{
        *out = calloc(1, sizeof(**out));
        if (!*out)
                return CCADA_E_NOMEM;
        if (!ccada_report_section(*out, "")) {
                ccada_report_destroy(*out);
                *out = NULL;
                return CCADA_E_NOMEM;
        }
        return CCADA_OK;
}

void ccada_report_destroy(struct ccada_report *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n; i++) {
                struct ccada_report_section *s = r->sec[i];
                for (size_t j = 0; j < s->n; j++) {
                        free(s->items[j].key);
                        free(s->items[j].text);
                }
                free(s->items);
                free(s->name);
                free(s);
        }
        free(r->sec);
        free(r);
}

static struct ccada_report_section *find(const struct ccada_report *r, const char *name)
{
        for (size_t i = 0; i < r->n; i++)
                if (!strcmp(r->sec[i]->name, name))
                        return r->sec[i];
        return NULL;
}

static struct ccada_report_section *section(struct ccada_report *r, const char *name)
{
        struct ccada_report_section *s = find(r, name);
        if (s)
                return s;
        s = calloc(1, sizeof(*s));
        if (!s || !(s->name = dup_str(name)) || !grow((void **)&r->sec, &r->cap, r->n, sizeof(*r->sec))) {
                if (s)
                        free(s->name);
                free(s);
                r->oom = true;
                return NULL;
        }
        s->r = r;
        r->sec[r->n++] = s;
        return s;
}

struct ccada_report_section *ccada_report_section(struct ccada_report *r, const char *name)
{
        return r && name && strcmp(name, CHECKS) ? section(r, name) : NULL;
}

/* The item for key, made at the end the first time; its old text freed. */
static struct item *slot(struct ccada_report_section *s, const char *key)
{
        if (!s || !key)
                return NULL;
        for (size_t i = 0; i < s->n; i++) {
                if (!strcmp(s->items[i].key, key)) {
                        free(s->items[i].text);
                        s->items[i].text = NULL;
                        return &s->items[i];
                }
        }
        char *k = dup_str(key);
        if (!k || !grow((void **)&s->items, &s->cap, s->n, sizeof(*s->items))) {
                free(k);
                s->r->oom = true;
                return NULL;
        }
        s->items[s->n] = (struct item){ .key = k };
        return &s->items[s->n++];
}

void ccada_report_bool(struct ccada_report_section *s, const char *key, bool v)
{
        struct item *it = slot(s, key);
        if (it)
                it->v = (struct ccada_report_value){ .type = CCADA_REPORT_BOOL, .b = v };
}

void ccada_report_u64(struct ccada_report_section *s, const char *key, uint64_t v)
{
        struct item *it = slot(s, key);
        if (it)
                it->v = (struct ccada_report_value){ .type = CCADA_REPORT_U64, .u = v };
}

void ccada_report_double(struct ccada_report_section *s, const char *key, double v, unsigned decimals)
{
        struct item *it = slot(s, key);
        if (it)
                it->v = (struct ccada_report_value){ .type = CCADA_REPORT_DOUBLE, .d = v,
                                                     .decimals = decimals > 17 ? 17 : decimals };
}

static void set_text(struct ccada_report_section *s, struct item *it, enum ccada_report_type type, char *text)
{
        if (!text) {
                s->r->oom = true;
                text = dup_str(""); /* keep the item a valid string if at all possible */
        }
        it->text = text;
        it->v = (struct ccada_report_value){ .type = type, .text = text ? text : "" };
}

void ccada_report_hex(struct ccada_report_section *s, const char *key, const uint8_t *bytes, size_t n)
{
        static const char digits[] = "0123456789abcdef";
        struct item *it = slot(s, key);
        if (!it)
                return;
        char *h = n < (SIZE_MAX - 1) / 2 ? malloc(2 * n + 1) : NULL;
        for (size_t i = 0; h && i < n; i++) {
                h[2 * i] = digits[bytes[i] >> 4];
                h[2 * i + 1] = digits[bytes[i] & 0xF];
        }
        if (h)
                h[2 * n] = '\0';
        set_text(s, it, CCADA_REPORT_HEX, h);
}

void ccada_report_text(struct ccada_report_section *s, const char *key, const char *text)
{
        struct item *it = slot(s, key);
        if (it)
                set_text(s, it, CCADA_REPORT_TEXT, dup_str(text ? text : ""));
}

void ccada_report_check(struct ccada_report *r, const char *name, bool ok)
{
        if (r)
                ccada_report_bool(section(r, CHECKS), name, ok);
}

bool ccada_report_passed(const struct ccada_report *r)
{
        const struct ccada_report_section *c = r ? find(r, CHECKS) : NULL;
        if (!c || !c->n || r->oom)
                return false;
        for (size_t i = 0; i < c->n; i++)
                if (!c->items[i].v.b)
                        return false;
        return true;
}

size_t ccada_report_nsections(const struct ccada_report *r) { return r ? r->n : 0; }

const char *ccada_report_section_name(const struct ccada_report *r, size_t i)
{
        return r && i < r->n ? r->sec[i]->name : NULL;
}

size_t ccada_report_nitems(const struct ccada_report *r, size_t section_index)
{
        return r && section_index < r->n ? r->sec[section_index]->n : 0;
}

bool ccada_report_item(const struct ccada_report *r, size_t section_index, size_t i, const char **key,
                       struct ccada_report_value *v)
{
        if (!r || section_index >= r->n || i >= r->sec[section_index]->n)
                return false;
        *key = r->sec[section_index]->items[i].key;
        *v = r->sec[section_index]->items[i].v;
        return true;
}

bool ccada_report_get(const struct ccada_report *r, const char *section_name, const char *key,
                      struct ccada_report_value *v)
{
        const struct ccada_report_section *s = r && section_name ? find(r, section_name) : NULL;
        for (size_t i = 0; s && key && i < s->n; i++) {
                if (!strcmp(s->items[i].key, key)) {
                        *v = s->items[i].v;
                        return true;
                }
        }
        return false;
}

void ccada_report_merge(struct ccada_report *dst, const struct ccada_report *src)
{
        for (size_t i = 0; dst && src && i < src->n; i++) {
                const struct ccada_report_section *from = src->sec[i];
                bool checks = !strcmp(from->name, CHECKS);
                struct ccada_report_section *to = section(dst, from->name);
                for (size_t j = 0; to && j < from->n; j++) {
                        const struct item *it = &from->items[j];
                        switch (it->v.type) {
                        case CCADA_REPORT_BOOL:
                                if (checks)
                                        ccada_report_check(dst, it->key, it->v.b);
                                else
                                        ccada_report_bool(to, it->key, it->v.b);
                                break;
                        case CCADA_REPORT_U64: ccada_report_u64(to, it->key, it->v.u); break;
                        case CCADA_REPORT_DOUBLE:
                                ccada_report_double(to, it->key, it->v.d, it->v.decimals);
                                break;
                        case CCADA_REPORT_HEX: {
                                struct item *d = slot(to, it->key);
                                if (d)
                                        set_text(to, d, CCADA_REPORT_HEX, dup_str(it->v.text));
                                break;
                        }
                        default: ccada_report_text(to, it->key, it->v.text); break;
                        }
                }
        }
        if (dst && src && src->oom)
                dst->oom = true;
}
