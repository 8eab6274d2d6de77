/* HTTP/1.1 client messages (see http.h).  RFC 9110, RFC 9112 */
#include "proto/http.h"

#include <stdio.h>
#include <string.h>

static bool fail(char *why, const char *text)
{
        snprintf(why, HTTP_WHY_LEN, "%s", text);
        return false;
}

/* Reads a decimal number of at most max from [p, end); false when empty or too large. */
static bool decimal(const char *p, const char *end, uint64_t max, uint64_t *out)
{
        uint64_t v = 0;
        if (p == end)
                return false;
        for (; p < end; p++) {
                if (*p < '0' || *p > '9')
                        return false;
                v = v * 10u + (uint64_t)(*p - '0');
                if (v > max)
                        return false;
        }
        *out = v;
        return true;
}

bool http_url_parse(const char *url, struct http_url *u, char *why)
{
        static const char http[] = "http://", https[] = "https://";
        memset(u, 0, sizeof(*u));
        const char *h;
        if (url && !strncmp(url, http, sizeof(http) - 1))
                h = url + sizeof(http) - 1;
        else if (url && !strncmp(url, https, sizeof(https) - 1))
                h = url + sizeof(https) - 1, u->tls = true;
        else
                return fail(why, "not an http:// or https:// URL");
        const char *hend = h + strcspn(h, ":/?#");
        for (unsigned i = 0; i < 4; i++) {
                const char *dot = i < 3 ? memchr(h, '.', (size_t)(hend - h)) : hend;
                uint64_t v;
                if (!dot || !decimal(h, dot, 255, &v) || dot - h > 3)
                        return fail(why, "the host must be an IPv4 address (a.b.c.d)");
                u->ip[i] = (uint8_t)v;
                h = dot + (i < 3);
        }
        u->port = u->tls ? 443 : 80;
        const char *rest = hend;
        if (*rest == ':') {
                const char *pend = rest + 1 + strcspn(rest + 1, "/?#");
                uint64_t v;
                if (!decimal(rest + 1, pend, 65535, &v) || v == 0)
                        return fail(why, "the port must be a number from 1 to 65535");
                u->port = (uint16_t)v;
                rest = pend;
        }
        if (*rest == '?' || *rest == '#')
                return fail(why, "a query or fragment needs a path first");
        snprintf(u->host, sizeof(u->host), "%u.%u.%u.%u", u->ip[0], u->ip[1], u->ip[2], u->ip[3]);
        if (u->port != (u->tls ? 443 : 80)) {
                size_t n = strlen(u->host);
                snprintf(u->host + n, sizeof(u->host) - n, ":%u", u->port);
        }
        if (!*rest)
                rest = "/";
        for (const char *p = rest; *p; p++)
                if ((unsigned char)*p <= 0x20 || *p == 0x7F)
                        return fail(why, "the path holds a space or a control character");
        if (strlen(rest) >= sizeof(u->path))
                return fail(why, "the path is too long");
        memcpy(u->path, rest, strlen(rest) + 1);
        return true;
}

static bool has_crlf(const char *s)
{
        return s && strpbrk(s, "\r\n") != NULL;
}

size_t http_request_head(char *out, size_t cap, const char *method, const struct http_url *u, const char *path,
                         const char *content_type, size_t body_len)
{
        if (!out || !method || !u || !path || has_crlf(method) || has_crlf(path) || has_crlf(content_type))
                return 0;
        int n = snprintf(out, cap,
                         "%s %s HTTP/1.1\r\nHost: %s\r\nAccept: */*\r\n%s%s%sContent-Length: %zu\r\n"
                         "Connection: close\r\n\r\n",
                         method, path, u->host, content_type ? "Content-Type: " : "", content_type ? content_type : "",
                         content_type ? "\r\n" : "", body_len);
        return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* Case-insensitive comparison of a field name [p, p + n) with name. */
static bool name_is(const char *p, size_t n, const char *name)
{
        if (strlen(name) != n)
                return false;
        for (size_t i = 0; i < n; i++) {
                char a = p[i], b = name[i];
                if (a >= 'A' && a <= 'Z')
                        a = (char)(a - 'A' + 'a');
                if (a != b)
                        return false;
        }
        return true;
}

/* RFC 9110 §5.6.2: a token character. */
static bool tchar(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool copy_value(char *dst, size_t cap, const char *v, size_t n)
{
        if (n >= cap)
                return false;
        memcpy(dst, v, n);
        dst[n] = '\0';
        return true;
}

/* One field line [p, end) (no CRLF). */
static bool field(struct http_response *r, const char *p, const char *end, char *why)
{
        const char *colon = memchr(p, ':', (size_t)(end - p));
        if (p < end && (*p == ' ' || *p == '\t'))
                return fail(why, "obsolete line folding in the response head");
        if (!colon || colon == p)
                return fail(why, "a header field without a name");
        for (const char *c = p; c < colon; c++)
                if (!tchar(*c))
                        return fail(why, "a header field name with a character not allowed there");
        const char *v = colon + 1, *vend = end;
        while (v < vend && (*v == ' ' || *v == '\t'))
                v++;
        while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
                vend--;
        for (const char *c = v; c < vend; c++)
                if ((unsigned char)*c < 0x20 && *c != '\t')
                        return fail(why, "a control character in a header field value");
        size_t nlen = (size_t)(colon - p), vlen = (size_t)(vend - v);
        if (name_is(p, nlen, "content-length")) {
                uint64_t len;
                if (!decimal(v, vend, UINT64_MAX / 10u, &len))
                        return fail(why, "Content-Length is not a number");
                if (r->has_length && len != r->content_length)
                        return fail(why, "two different Content-Length fields");
                r->has_length = true;
                r->content_length = len;
        } else if (name_is(p, nlen, "transfer-encoding")) {
                return fail(why, "a Transfer-Encoding (chunked bodies are not supported)");
        } else if (name_is(p, nlen, "location")) {
                if (!copy_value(r->location, sizeof(r->location), v, vlen))
                        return fail(why, "the Location field is too long");
        } else if (name_is(p, nlen, "content-type")) {
                if (!copy_value(r->content_type, sizeof(r->content_type), v, vlen))
                        return fail(why, "the Content-Type field is too long");
        }
        return true;
}

static enum http_parse refuse(char *why, const char *text)
{
        (void)fail(why, text);
        return HTTP_PARSE_ERROR;
}

/* The first CRLF in [p, end), or NULL. */
static const char *find_crlf(const char *p, const char *end)
{
        for (; p + 1 < end; p++)
                if (p[0] == '\r' && p[1] == '\n')
                        return p;
        return NULL;
}

enum http_parse http_response_head(const uint8_t *buf, size_t len, struct http_response *r, char *why)
{
        memset(r, 0, sizeof(*r));
        why[0] = '\0';
        size_t scan = len < HTTP_MAX_HEAD ? len : HTTP_MAX_HEAD;
        const char *s = (const char *)buf;
        size_t end = 0;
        for (size_t i = 0; i + 3 < scan; i++) {
                if (s[i] == '\r' && s[i + 1] == '\n' && s[i + 2] == '\r' && s[i + 3] == '\n') {
                        end = i + 4;
                        break;
                }
        }
        if (!end) {
                if (len >= HTTP_MAX_HEAD)
                        return refuse(why, "the response head is longer than 8192 bytes");
                return HTTP_PARSE_MORE;
        }
        for (size_t i = 0; i < end; i++)
                if (s[i] == '\0' || (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) ||
                    (s[i] == '\r' && s[i + 1] != '\n'))
                        return refuse(why, "a bare CR, LF or NUL in the response head");
        /* status-line = HTTP-version SP status-code SP [ reason-phrase ]  RFC 9112 §4 */
        const char *hend = s + end, *line = s, *lend = find_crlf(s, hend);
        uint64_t code;
        if (!lend || lend - line < 12 || strncmp(line, "HTTP/1.", 7) || (line[7] != '0' && line[7] != '1') || line[8] != ' ' ||
            !decimal(line + 9, line + 12, 999, &code) || code < 100 || (lend - line > 12 && line[12] != ' '))
                return refuse(why, "not an HTTP/1.x status line");
        r->status = (unsigned)code;
        for (line = lend + 2; line < hend - 2; line = lend + 2) {
                lend = find_crlf(line, hend);
                if (!field(r, line, lend, why))
                        return HTTP_PARSE_ERROR;
        }
        r->head_len = end;
        return HTTP_PARSE_OK;
}
