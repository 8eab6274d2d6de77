/* The Realm kernel's command line (see cmdline.h). */
#include "realm/cmdline.h"

#include <string.h>

/* The first word at or after p, with its length in *len; NULL at the end. */
static const char *next_word(const char *p, size_t *len)
{
        while (*p == ' ')
                p++;
        *len = strcspn(p, " ");
        return *p ? p : NULL;
}

bool cmdline_flag(const char *cmdline, const char *word)
{
        size_t n = strlen(word), len;

        for (const char *w = next_word(cmdline, &len); w; w = next_word(w + len, &len))
                if (len == n && !memcmp(w, word, n))
                        return true;
        return false;
}

bool cmdline_param(const char *cmdline, const char *name, const char **val, size_t *len)
{
        size_t n = strlen(name), wlen;
        bool found = false;

        for (const char *w = next_word(cmdline, &wlen); w; w = next_word(w + wlen, &wlen)) {
                if (wlen <= n || memcmp(w, name, n) || w[n] != '=')
                        continue;
                *val = w + n + 1;
                *len = wlen - n - 1;
                found = true;
        }
        return found;
}

bool cmdline_u64(const char *cmdline, const char *name, uint64_t *out, enum ccada_number_error *why)
{
        const char *val;
        size_t len;

        if (!cmdline_param(cmdline, name, &val, &len))
                return false;
        *why = ccada_parse_u64(val, len, out);
        return true;
}
