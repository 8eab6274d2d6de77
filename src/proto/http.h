/* HTTP/1.1 client messages (RFC 9110, RFC 9112): the URL of an endpoint, a request's head,
 * and a response's head parsed from bytes a server (hostile until checked) sent.
 *
 * Scope: what a client of the Key Broker needs (realm/apps/keybroker_app.c), strictly.
 *   - URLs: "http://" or "https://" IPv4-literal host [":" port] [path]; no userinfo, no
 *     query rewriting (https: the caller runs TLS itself, see realm/tls.h).
 *   - Requests: one per connection ("Connection: close"), a body of Content-Length bytes.
 *   - Responses: status line "HTTP/1.x NNN reason", header fields "name: value", each line
 *     ending in CRLF, the head at most HTTP_MAX_HEAD bytes; the body is Content-Length
 *     bytes, or runs to the end of the connection when there is none. Refused, with a
 *     reason: a malformed status line or field, obsolete line folding (RFC 9112 §5.2), a
 *     control character in a value, Content-Length that is not digits or disagrees with an
 *     earlier one (RFC 9112 §6.3), any Transfer-Encoding (chunked is not supported), a
 *     Location or Content-Type longer than the room below.
 */
#ifndef CCADA_PROTO_HTTP_H
#define CCADA_PROTO_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEAD 8192u
#define HTTP_MAX_BODY (1u << 20)        /* bodies a client accepts */
#define HTTP_URL_MAX 256u
#define HTTP_WHY_LEN 96u

struct http_url {
        bool tls;                       /* https */
        uint8_t ip[4];
        uint16_t port;                  /* 80 (https: 443) when not given */
        char host[24];                  /* "a.b.c.d[:port]", as the Host field says it */
        char path[HTTP_URL_MAX];        /* "/" when not given */
};

/* Parses url. False, with the reason in why (HTTP_WHY_LEN), when it is not as above. */
bool http_url_parse(const char *url, struct http_url *u, char *why);

/* Writes a request head for method and path (origin form) on u's host, with the fields
 * Host, Accept, Content-Type (when content_type), Content-Length and Connection: close.
 * Returns its length, or 0 when it does not fit in cap or an argument holds CR or LF. */
size_t http_request_head(char *out, size_t cap, const char *method, const struct http_url *u, const char *path,
                         const char *content_type, size_t body_len);

struct http_response {
        unsigned status;                /* 100..999 */
        char location[HTTP_URL_MAX];    /* "" when absent */
        char content_type[128];         /* "" when absent */
        bool has_length;
        uint64_t content_length;
        size_t head_len;                /* bytes of the head, the blank line included */
};

enum http_parse {
        HTTP_PARSE_MORE,                /* the head is not complete yet */
        HTTP_PARSE_OK,
        HTTP_PARSE_ERROR,               /* refused: why says what */
};

/* Parses the response head at the start of buf[0, len). */
enum http_parse http_response_head(const uint8_t *buf, size_t len, struct http_response *r, char *why);

#endif
