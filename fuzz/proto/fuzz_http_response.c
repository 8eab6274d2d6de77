/* A response head from a hostile server (the Key Broker as the Realm's client sees it).
 * What must hold: no read outside the input; an accepted head ends in a blank line inside
 * the input and within HTTP_MAX_HEAD; its status is 100..999; Location and Content-Type
 * are NUL-terminated within their room and hold no CR or LF; every refusal says why. The
 * URL parser runs on the Location of an accepted head. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct http_response r;
        struct http_url u;
        char why[HTTP_WHY_LEN] = "";
        uint8_t *copy = malloc(size ? size : 1); /* exactly size bytes: ASan sees any overread */
        if (!copy)
                return 0;
        memcpy(copy, data, size);
        enum http_parse p = http_response_head(copy, size, &r, why);
        if (p == HTTP_PARSE_ERROR && !why[0])
                abort();
        if (p == HTTP_PARSE_OK) {
                if (r.head_len < 4 || r.head_len > size || r.head_len > HTTP_MAX_HEAD ||
                    memcmp(copy + r.head_len - 4, "\r\n\r\n", 4) || r.status < 100 || r.status > 999 ||
                    !memchr(r.location, 0, sizeof(r.location)) || !memchr(r.content_type, 0, sizeof(r.content_type)) ||
                    strpbrk(r.location, "\r\n") || strpbrk(r.content_type, "\r\n"))
                        abort();
                if (!http_url_parse(r.location, &u, why) && !why[0])
                        abort();
        }
        free(copy);
        return 0;
}
