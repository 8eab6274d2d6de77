/* The Key Broker over HTTP/1.1 with libmicrohttpd (see kbs_http.h): one internal polling
 * thread, so the broker (kbs.c, not thread-safe) is only ever called from that thread. */
#include "relying/kbs_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kbs_server {
        struct MHD_Daemon *d;
        struct kbs *kbs;
        FILE *log;
        uint16_t port;
};

/* One request's body, gathered over the calls MHD makes for it. */
struct upload {
        uint8_t *buf;
        size_t len;
        bool too_big;
};

static enum MHD_Result reply(struct kbs_server *s, struct MHD_Connection *c, const char *method, const char *url,
                             struct upload *u)
{
        struct kbs_response r;
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        kbs_handle(s->kbs, method, url, ct, u->buf ? u->buf : (const uint8_t *)"", u->too_big ? KBS_BODY_MAX + 1 : u->len,
                   &r);
        struct MHD_Response *resp =
                MHD_create_response_from_buffer(r.body_len, r.body ? r.body : (char *)"", MHD_RESPMEM_MUST_COPY);
        enum MHD_Result ok = MHD_NO;
        if (resp && MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json") == MHD_YES &&
            (!r.location[0] || MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r.location) == MHD_YES))
                ok = MHD_queue_response(c, (unsigned)r.status, resp);
        if (s->log) {
                char shown[128]; /* the path as printable ASCII: MHD has decoded any %XX in it */
                size_t i = 0;
                for (; url[i] && i + 1 < sizeof(shown); i++)
                        shown[i] = (unsigned char)url[i] < 0x20 || (unsigned char)url[i] > 0x7e ? '?' : url[i];
                shown[i] = '\0';
                fprintf(s->log, "ccada kbs: %s %s -> %d%s%s\n", method, shown, r.status, r.log[0] ? ": " : "", r.log);
                fflush(s->log);
        }
        MHD_destroy_response(resp);
        kbs_response_free(&r);
        return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *data, size_t *data_size, void **con_cls)
{
        struct kbs_server *s = cls;
        struct upload *u = *con_cls;
        (void)version;
        if (!u) { /* the first call: headers only */
                if (!(u = calloc(1, sizeof(*u))))
                        return MHD_NO;
                *con_cls = u;
                return MHD_YES;
        }
        if (*data_size) { /* a piece of the body */
                if (!u->too_big && u->len + *data_size <= KBS_BODY_MAX) {
                        uint8_t *b = realloc(u->buf, u->len + *data_size);
                        if (!b)
                                return MHD_NO;
                        memcpy(b + u->len, data, *data_size);
                        u->buf = b;
                        u->len += *data_size;
                } else {
                        u->too_big = true; /* read and dropped: answered 413 at the end */
                }
                *data_size = 0;
                return MHD_YES;
        }
        return reply(s, c, method, url, u);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode why)
{
        struct upload *u = *con_cls;
        (void)cls, (void)c, (void)why;
        if (u)
                free(u->buf);
        free(u);
        *con_cls = NULL;
}

bool kbs_server_start(struct kbs_server **out, struct kbs *kbs, const char *addr, uint16_t port, FILE *log, char *why)
{
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
        *out = NULL;
        if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
                snprintf(why, KBS_HTTP_WHY_LEN, "'%s' is not an IPv4 address", addr);
                return false;
        }
        struct kbs_server *s = calloc(1, sizeof(*s));
        if (!s) {
                snprintf(why, KBS_HTTP_WHY_LEN, "out of memory");
                return false;
        }
        s->kbs = kbs, s->log = log;
        s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, port, NULL, NULL, on_request, s,
                                MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED,
                                on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
        const union MHD_DaemonInfo *info = s->d ? MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
        if (!s->d || !info) {
                snprintf(why, KBS_HTTP_WHY_LEN, "cannot listen on %s:%u (in use, or not an address of this host)",
                         addr, (unsigned)port);
                kbs_server_stop(s);
                return false;
        }
        s->port = info->port;
        *out = s;
        return true;
}

uint16_t kbs_server_port(const struct kbs_server *s) { return s->port; }

void kbs_server_stop(struct kbs_server *s)
{
        if (!s)
                return;
        if (s->d)
                MHD_stop_daemon(s->d);
        free(s);
}
