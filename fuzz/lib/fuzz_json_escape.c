/* The JSON string escaper under arbitrary bytes (trace fields carry text a Realm printed,
 * error texts carry file names): whatever the input, the output is the inside of a valid
 * JSON string: valid UTF-8, no raw control character, every '"' and '\\' escaped, only the
 * escapes RFC 8259 allows. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t utf8_seq(const unsigned char *p, size_t left)
{
        if (p[0] < 0x80)
                return 1;
        size_t n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
        if (!n || n > left || p[0] > 0xF4)
                return 0;
        for (size_t i = 1; i < n; i++)
                if ((p[i] & 0xC0) != 0x80)
                        return 0;
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *in = malloc(size + 1), *out = NULL;
        size_t len = 0;
        if (!in)
                abort();
        memcpy(in, data, size);
        in[size] = '\0';
        FILE *f = open_memstream(&out, &len);
        if (!f)
                abort();
        json_escape(f, in);
        if (fclose(f) != 0)
                abort();
        const unsigned char *p = (const unsigned char *)out;
        for (size_t i = 0; i < len;) {
                if (p[i] < 0x20 || p[i] == '"')
                        abort();
                if (p[i] == '\\') {
                        if (i + 1 >= len || !strchr("\"\\u", p[i + 1]))
                                abort(); /* the escaper writes only \", \\ and \uXXXX */
                        i += p[i + 1] == 'u' ? 6 : 2;
                        if (i > len)
                                abort();
                        continue;
                }
                size_t n = utf8_seq(p + i, len - i);
                if (!n)
                        abort();
                i += n;
        }
        free(out);
        free(in);
        return 0;
}
