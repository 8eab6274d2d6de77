/* Option values shared by the sub-commands: every number a user types goes through the one
 * strict parser (include/ccada/parse.h), and every refusal names the option and the value. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ccada/parse.h"
#include "cli.h"

bool cli_read_file(const char *path, char *buf, size_t cap, size_t *len, char *why, size_t why_len)
{
        FILE *f = fopen(path, "r");
        if (!f) {
                snprintf(why, why_len, "cannot read it: %s", strerror(errno));
                return false;
        }
        size_t n = fread(buf, 1, cap, f);
        bool err = ferror(f) != 0;
        fclose(f);
        if (err || n == cap) {
                snprintf(why, why_len, err ? "cannot read it" : "larger than %zu bytes", cap - 1);
                return false;
        }
        buf[n] = '\0';
        *len = n;
        return true;
}

int cli_bad_value(const char *cmd, const char *opt, const char *arg, const char *why)
{
        fprintf(stderr, "ccada %s: %s '%s': %s\n", cmd, opt, arg, why);
        return CLI_USAGE;
}

int cli_number(const struct cli_number_opt *o, const char *arg, uint64_t *out)
{
        uint64_t v;
        size_t len = strlen(arg);
        enum ccada_number_error e = o->size ? ccada_parse_size(arg, len, &v) : ccada_parse_u64(arg, len, &v);

        if (e != CCADA_NUMBER_OK) {
                fprintf(stderr, "ccada %s: %s '%s' is not a number: %s; write digits, or 0x and hex digits%s\n",
                        o->cmd, o->name, arg, ccada_number_error_text(e),
                        o->size ? ", optionally followed by K, M or G" : "");
                return CLI_USAGE;
        }
        if (v < o->min || v > o->max || (o->align > 1 && v % o->align))
                return cli_bad_value(o->cmd, o->name, arg, o->rule);
        *out = v;
        return CLI_OK;
}

void cli_format_size(uint64_t bytes, char *buf, size_t len)
{
        static const char units[] = "GMK";
        for (unsigned i = 0; i < 3; i++) {
                unsigned shift = 30 - 10 * i;
                if (bytes && bytes % (1ULL << shift) == 0) {
                        snprintf(buf, len, "%llu%c", (unsigned long long)(bytes >> shift), units[i]);
                        return;
                }
        }
        snprintf(buf, len, "%llu", (unsigned long long)bytes);
}
