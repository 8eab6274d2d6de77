/* The Key Broker over HTTP/1.1 with libmicrohttpd (see kbs_http.h): one internal polling
 * thread, so the broker (kbs.c, not thread-safe) is only ever called from that thread.
 * HTTPS is libmicrohttpd's own TLS (GnuTLS in Debian's build): the same handlers see the
 * requests after it has decrypted them. */
#include "relying/kbs_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"
#include "lib/x509.h"

struct kbs_server {
        struct MHD_Daemon *d;
        struct kbs *kbs;
        FILE *log;
        uint16_t port;
        char *cert, *key;       /* HTTPS only: the server's copies, the key wiped when it stops */
        const char *tls;        /* HTTPS only: the versions it speaks (kbs_server_tls_versions) */
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

/* What both starts share: the address checked, the server object. NULL with why. */
static struct kbs_server *server_new(struct sockaddr_in *sa, struct kbs *kbs, const char *addr, uint16_t port,
                                     FILE *log, char *why)
{
        *sa = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port) };
        if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1) {
                snprintf(why, KBS_HTTP_WHY_LEN, "'%s' is not an IPv4 address", addr);
                return NULL;
        }
        struct kbs_server *s = calloc(1, sizeof(*s));
        if (!s) {
                snprintf(why, KBS_HTTP_WHY_LEN, "out of memory");
                return NULL;
        }
        s->kbs = kbs, s->log = log;
        return s;
}

/* After MHD_start_daemon: s published with its port, or stopped with why. */
static bool listening(struct kbs_server **out, struct kbs_server *s, const char *addr, uint16_t port,
                      char *why)
{
        const union MHD_DaemonInfo *info = s->d ? MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
        if (!s->d || !info) {
                snprintf(why, KBS_HTTP_WHY_LEN,
                         "cannot listen on %s:%u (in use, or not an address of this host)", addr,
                         (unsigned)port);
                kbs_server_stop(s);
                return false;
        }
        s->port = info->port;
        *out = s;
        return true;
}

bool kbs_server_start(struct kbs_server **out, struct kbs *kbs, const char *addr, uint16_t port, FILE *log, char *why)
{
        struct sockaddr_in sa;
        *out = NULL;
        struct kbs_server *s = server_new(&sa, kbs, addr, port, log, why);
        if (!s)
                return false;
        s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, port, NULL, NULL, on_request, s,
                                MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED,
                                on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
        return listening(out, s, addr, port, why);
}

/* What can make a TLS start fail before it listens: no TLS in this libmicrohttpd, or a
 * certificate and key that do not belong together. */
static bool tls_usable(const char *cert_pem, const char *key_pem, char *why)
{
        char xwhy[X509_CERT_WHY_LEN];
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
                snprintf(why, KBS_HTTP_WHY_LEN,
                         "this libmicrohttpd was built without TLS (MHD_FEATURE_TLS): HTTPS needs one built "
                         "with GnuTLS, as Debian's libmicrohttpd12 is");
                return false;
        }
        if (!cert_pem || !key_pem || !x509_pair_check(cert_pem, key_pem, NULL, xwhy)) {
                snprintf(why, KBS_HTTP_WHY_LEN, "the TLS certificate and key: %s",
                         cert_pem && key_pem ? xwhy : "none given");
                return false;
        }
        return true;
}

bool kbs_server_start_tls(struct kbs_server **out, struct kbs *kbs, const char *addr, uint16_t port,
                          FILE *log, const char *cert_pem, const char *key_pem, char *why)
{
        static const struct {
                const char *priorities, *versions;
        } tries[] = { { KBS_TLS_PRIORITIES_13, "TLS 1.3" }, { KBS_TLS_PRIORITIES_12, "TLS 1.2 or later" } };
        struct sockaddr_in sa;
        *out = NULL;
        if (!tls_usable(cert_pem, key_pem, why))
                return false;
        struct kbs_server *s = server_new(&sa, kbs, addr, port, log, why);
        if (!s)
                return false;
        if (!(s->cert = strdup(cert_pem)) || !(s->key = strdup(key_pem))) {
                snprintf(why, KBS_HTTP_WHY_LEN, "out of memory");
                kbs_server_stop(s);
                return false;
        }
        /* GnuTLS refuses a priority string that names a version it lacks: then the next. */
        for (size_t i = 0; !s->d && i < sizeof(tries) / sizeof(tries[0]); i++) {
                s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, port, NULL, NULL,
                                        on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_HTTPS_MEM_CERT,
                                        s->cert, MHD_OPTION_HTTPS_MEM_KEY, s->key,
                                        MHD_OPTION_HTTPS_PRIORITIES, tries[i].priorities, MHD_OPTION_END);
                s->tls = tries[i].versions;
        }
        return listening(out, s, addr, port, why);
}

uint16_t kbs_server_port(const struct kbs_server *s) { return s->port; }
const char *kbs_server_tls_versions(const struct kbs_server *s) { return s->d ? s->tls : NULL; }

void kbs_server_stop(struct kbs_server *s)
{
        if (!s)
                return;
        if (s->d)
                MHD_stop_daemon(s->d);
        free(s->cert);
        if (s->key)
                secure_zero(s->key, strlen(s->key));
        free(s->key);
        free(s);
}
