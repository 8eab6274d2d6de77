/* include/ccada/spdm.h: the requester's client (the TSM side against a device on the DMTF
 * emulator protocol) and its verdict, as text and JSON. */
#include "ccada/spdm.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "lib/crypto.h"
#include "lib/drbg.h"
#include "lib/json.h"
#include "machine/spdm_net.h"
#include "proto/doe.h"
#include "proto/spdm.h"
#include "rmm/spdm_requester.h"

#define ANCHOR_MAX (64u * 1024u)
#define OUT_CAP (8192u)
#define DISCOVERY_MAX 8u

struct client {
        const struct ccada_spdm_requester_opts *o;
        struct ccada_spdm_verdict *v;
        struct spdm_net_pcap pcap;
        int fd, ms;
        uint8_t frame[SPDM_EMU_FRAME_MAX], obj[SPDM_EMU_PAYLOAD_MAX];
};

__attribute__((format(printf, 3, 4))) static ccada_status fail(struct client *c, const char *error, const char *fmt,
                                                               ...)
{
        va_list ap;
        if (c->v->error[0]) /* the first failure is the one reported */
                return CCADA_E_VERIFY;
        snprintf(c->v->error, sizeof(c->v->error), "%s", error);
        va_start(ap, fmt);
        vsnprintf(c->v->why, sizeof(c->v->why), fmt, ap);
        va_end(ap);
        return !strcmp(error, "timeout")                                   ? CCADA_E_TIMEOUT
               : !strcmp(error, "transport") || !strcmp(error, "doe-discovery") ? CCADA_E_PEER
               : !strcmp(error, "connect") || !strcmp(error, "pcap") || !strcmp(error, "trust-anchor")
                       ? CCADA_E_IO
                       : CCADA_E_VERIFY;
}

/* Notes one message in the verdict and the log. */
static void note(struct client *c, bool request, bool secured, bool discovery, const char *name, size_t len)
{
        struct ccada_spdm_verdict *v = c->v;
        if (v->nmessages < CCADA_SPDM_MAX_MESSAGES)
                v->messages[v->nmessages++] = (struct ccada_spdm_message){
                        .request = request, .secured = secured, .discovery = discovery, .name = name, .len = len };
        if (c->o->log) {
                fprintf(c->o->log, "%s %-26s %5zu bytes%s\n", request ? "->" : "<-", name, len,
                        secured ? "  (secured)" : "");
                fflush(c->o->log);
        }
}

static void observe(void *ctx, bool request, bool secured, const uint8_t *msg, size_t len)
{
        note(ctx, request, secured, false, len >= 2 ? spdm_code_name(msg[1]) : "(short)", len);
}

/* ---- the connection ---- */

static ccada_status connect_to(struct client *c)
{
        const struct ccada_spdm_endpoint *ep = &c->o->connect;
        struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV },
                        *res = NULL;
        char port[8];
        int err = ECONNREFUSED;
        snprintf(port, sizeof(port), "%u", (unsigned)ep->port);
        int rc = getaddrinfo(ep->host, port, &hints, &res);
        if (rc != 0)
                return fail(c, "connect", "cannot connect to %s: %s", c->v->peer, gai_strerror(rc));
        for (struct addrinfo *a = res; a && c->fd < 0; a = a->ai_next) {
                int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
                if (fd < 0) {
                        err = errno;
                        continue;
                }
                if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno == EINPROGRESS) {
                        struct pollfd p = { .fd = fd, .events = POLLOUT };
                        socklen_t sl = sizeof(err);
                        int n = poll(&p, 1, c->ms);
                        err = n == 0 ? ETIMEDOUT : n < 0 ? errno : 0;
                        if (!err && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) != 0)
                                err = errno;
                } else {
                        err = errno == EINPROGRESS ? 0 : errno;
                }
                if (err || fcntl(fd, F_SETFL, 0) != 0 || !spdm_net_nodelay(fd)) {
                        err = err ? err : errno;
                        close(fd);
                        continue;
                }
                c->fd = fd;
        }
        freeaddrinfo(res);
        if (c->fd < 0)
                return fail(c, "connect",
                            "cannot connect to %s: %s - is spdm_responder_emu (or ccada spdm responder) running?",
                            c->v->peer, strerror(err));
        return CCADA_OK;
}

static ccada_status net_fail(struct client *c, enum spdm_net_io io, const char *what, const char *why)
{
        if (io == SPDM_NET_TIMEOUT)
                return fail(c, "timeout", "%s: the responder did not answer within %d ms (%s)", what, c->ms, why);
        return fail(c, "transport", "%s: %s", what, why);
}

/* Sends one frame and receives its answer, which must carry the same command (NORMAL for
 * NORMAL) in PCI_DOE. */
static ccada_status exchange_frame(struct client *c, uint32_t cmd, const uint8_t *payload, size_t len,
                                   struct spdm_emu_frame *f, const char *what)
{
        char why[SPDM_NET_WHY_LEN] = "";
        enum spdm_net_io io = spdm_net_send_frame(c->fd, cmd, payload, len, c->ms, why);
        if (io == SPDM_NET_OK)
                io = spdm_net_recv_frame(c->fd, c->frame, f, c->ms, c->ms, why);
        if (io != SPDM_NET_OK)
                return net_fail(c, io, what, why);
        if (f->hdr.transport != SPDM_EMU_TRANSPORT_PCI_DOE || f->hdr.command != cmd)
                return fail(c, "transport", "%s: answered with a %s frame in transport %s", what,
                            spdm_emu_command_name(f->hdr.command), spdm_emu_transport_name(f->hdr.transport));
        return CCADA_OK;
}

/* One DOE object of type out_type there, its answer's object back (*ans). */
static ccada_status exchange_doe(struct client *c, uint8_t out_type, const uint8_t *payload, size_t len,
                                 struct doe_object *ans, const char *what)
{
        struct spdm_emu_frame f;
        char why[SPDM_NET_WHY_LEN] = "", dwhy[DOE_WHY_LEN] = "";
        size_t olen = 0;
        ccada_status st;
        if (!doe_object_encode(DOE_VENDOR_PCI_SIG, out_type, payload, len, c->obj, sizeof(c->obj), &olen))
                return fail(c, "transport", "%s: %zu bytes do not fit a DOE object of this framing", what, len);
        if (!spdm_net_pcap_record(&c->pcap, c->obj, olen, why))
                return fail(c, "pcap", "%s", why);
        if ((st = exchange_frame(c, SPDM_EMU_CMD_NORMAL, c->obj, olen, &f, what)) != CCADA_OK)
                return st;
        if (!spdm_net_pcap_record(&c->pcap, f.payload, f.hdr.size, why))
                return fail(c, "pcap", "%s", why);
        if (!doe_object_decode(f.payload, f.hdr.size, ans, dwhy))
                return fail(c, "transport", "%s: the answer is not a DOE object: %s", what, dwhy);
        if (ans->vendor != DOE_VENDOR_PCI_SIG)
                return fail(c, "transport", "%s: the answer is a DOE object of vendor 0x%04x", what,
                            (unsigned)ans->vendor);
        return CCADA_OK;
}

static ccada_status hello(struct client *c)
{
        static const uint8_t client_hello[] = SPDM_EMU_CLIENT_HELLO;
        struct spdm_emu_frame f;
        ccada_status st = exchange_frame(c, SPDM_EMU_CMD_TEST, client_hello, sizeof(client_hello), &f, "TEST hello");
        if (st != CCADA_OK)
                return st;
        if (!spdm_emu_is_server_hello(f.payload, f.hdr.size))
                return fail(c, "transport", "TEST hello: the answer is not \"%s\" (%u bytes)", SPDM_EMU_SERVER_HELLO,
                            (unsigned)f.hdr.size);
        c->v->hello = true;
        return CCADA_OK;
}

/* DOE discovery from index 0, following Next Index; CMA/SPDM and its secured form must be
 * listed. */
static ccada_status discover(struct client *c)
{
        struct ccada_spdm_verdict *v = c->v;
        bool plain = false, secured = false;
        uint8_t index = 0, q[DOE_DW];
        char dwhy[DOE_WHY_LEN] = "";
        do {
                struct doe_discovery_req req = { .index = index };
                struct doe_discovery_rsp rsp;
                struct doe_object ans;
                ccada_status st;
                if (v->discovery >= DISCOVERY_MAX)
                        return fail(c, "doe-discovery", "more than %u entries: the list does not end", DISCOVERY_MAX);
                (void)doe_discovery_req_encode(q, sizeof(q), &req);
                v->discovery++;
                note(c, true, false, true, "DOE DISCOVERY", sizeof(q));
                if ((st = exchange_doe(c, DOE_TYPE_DISCOVERY, q, sizeof(q), &ans, "DOE discovery")) != CCADA_OK)
                        return st;
                note(c, false, false, true, "DOE DISCOVERY", ans.payload_len);
                if (ans.type != DOE_TYPE_DISCOVERY || !doe_discovery_rsp_decode(ans.payload, ans.payload_len, &rsp, dwhy))
                        return fail(c, "doe-discovery", "index %u answered with %s", (unsigned)index,
                                    dwhy[0] ? dwhy : doe_type_name(ans.vendor, ans.type));
                if (v->ndoe_types < sizeof(v->doe_types))
                        v->doe_types[v->ndoe_types++] = rsp.type;
                plain |= rsp.vendor == DOE_VENDOR_PCI_SIG && rsp.type == DOE_TYPE_CMA_SPDM;
                secured |= rsp.vendor == DOE_VENDOR_PCI_SIG && rsp.type == DOE_TYPE_SECURED_CMA_SPDM;
                index = rsp.next_index;
        } while (index != 0);
        if (!plain || !secured)
                return fail(c, "doe-discovery", "the device does not list %s", plain ? "Secured CMA/SPDM (type 2)"
                                                                                    : "CMA/SPDM (type 1)");
        return CCADA_OK;
}

/* ---- SPDM ---- */

/* Relays the requester's requests while it has some; CCADA_OK when it is DONE. */
static ccada_status relay(struct client *c, struct spdm_requester *r, enum spdm_req_status st, struct spdm_req_out *out)
{
        while (st == SPDM_REQ_SEND) {
                struct doe_object ans;
                ccada_status cs;
                c->v->requests++;
                if ((cs = exchange_doe(c, out->secured ? DOE_TYPE_SECURED_CMA_SPDM : DOE_TYPE_CMA_SPDM, out->buf,
                                       out->len, &ans, "SPDM")) != CCADA_OK)
                        return cs;
                if (ans.type != DOE_TYPE_CMA_SPDM && ans.type != DOE_TYPE_SECURED_CMA_SPDM)
                        return fail(c, "transport", "an SPDM request answered with a DOE object of type %u",
                                    (unsigned)ans.type);
                st = spdm_requester_step(r, ans.payload, ans.payload_len, ans.type == DOE_TYPE_SECURED_CMA_SPDM, out);
        }
        if (st == SPDM_REQ_FAILED) {
                const char *why = "";
                enum spdm_req_error e = spdm_requester_error(r, &why);
                return fail(c, spdm_req_error_name(e), "%s", why);
        }
        return CCADA_OK;
}

static const char *meas_type_name(uint8_t t)
{
        static const char *const names[] = { "immutable ROM",   "mutable firmware", "hardware config",
                                             "firmware config", "manifest",         "device mode",
                                             "version",         "SVN",              "hash-extended" };
        return t < sizeof(names) / sizeof(names[0]) ? names[t] : "other";
}

static void hex(char *out, size_t cap, const uint8_t *p, size_t n)
{
        static const char digits[] = "0123456789abcdef";
        size_t i = 0;
        for (; i < n && 2 * i + 2 < cap; i++) {
                out[2 * i] = digits[p[i] >> 4];
                out[2 * i + 1] = digits[p[i] & 15];
        }
        out[2 * i] = '\0';
}

/* What the requester learnt, into the verdict. */
static void take_result(struct ccada_spdm_verdict *v, const struct spdm_req_result *res)
{
        if (res->version)
                snprintf(v->version, sizeof(v->version), "%u.%u", (unsigned)(res->version >> 4),
                         (unsigned)(res->version & 15u));
        snprintf(v->algorithms, sizeof(v->algorithms), "%s", res->algorithms);
        v->cert_count = res->cert_count;
        snprintf(v->root_subject, sizeof(v->root_subject), "%s", res->root_subject);
        snprintf(v->leaf_subject, sizeof(v->leaf_subject), "%s", res->leaf_subject);
        v->nmeas = 0;
        for (unsigned i = 0; i < res->nmeas && i < CCADA_SPDM_MAX_MEAS; i++) {
                const struct spdm_req_meas *m = &res->meas[i];
                struct ccada_spdm_measurement *d = &v->meas[v->nmeas++];
                size_t shown = m->len < sizeof(m->value) ? m->len : sizeof(m->value);
                *d = (struct ccada_spdm_measurement){ .index = m->index, .type = m->value_type, .raw = m->raw,
                                                      .len = m->len };
                snprintf(d->type_name, sizeof(d->type_name), "%s", meas_type_name(m->value_type));
                hex(d->hex, sizeof(d->hex), m->value, shown);
        }
        v->session_id = res->session_id;
        v->session = res->session;
}

/* The session's requests after the attestation: HEARTBEAT, KEY_UPDATE, END_SESSION. */
static ccada_status in_session(struct client *c, struct spdm_requester *r, struct spdm_req_out *out)
{
        ccada_status st;
        if ((st = relay(c, r, spdm_requester_heartbeat(r, out), out)) != CCADA_OK)
                return st;
        c->v->heartbeat = true;
        if ((st = relay(c, r, spdm_requester_key_update(r, true, out), out)) != CCADA_OK)
                return st;
        c->v->key_update = true;
        if ((st = relay(c, r, spdm_requester_end_session(r, out), out)) != CCADA_OK)
                return st;
        c->v->end_session = true;
        return CCADA_OK;
}

static ccada_status run_spdm(struct client *c, const uint8_t *anchor, size_t anchor_len)
{
        struct drbg *d = NULL;
        struct spdm_requester *r = NULL;
        uint8_t *buf = malloc(OUT_CAP);
        struct spdm_req_out out = { .buf = buf, .cap = OUT_CAP };
        ccada_status st;
        if (!buf || !drbg_new_system(&d)) {
                free(buf);
                return fail(c, "internal", "out of memory");
        }
        struct spdm_requester_cfg cfg = { .trust_anchor = anchor, .trust_anchor_len = anchor_len, .now = time(NULL),
                                          .drbg = d, .no_handshake_in_the_clear = c->o->no_handshake_in_the_clear,
                                          .observe = observe, .observe_ctx = c };
        if (!spdm_requester_new(&r, &cfg)) {
                st = fail(c, "internal", "cannot make the SPDM requester");
        } else {
                st = relay(c, r, spdm_requester_start(r, &out), &out);
                take_result(c->v, spdm_requester_result(r));
                if (st == CCADA_OK)
                        st = in_session(c, r, &out);
        }
        spdm_requester_free(r);
        drbg_free(d);
        secure_zero(buf, OUT_CAP);
        free(buf);
        return st;
}

/* The trust anchor: a DER certificate, or the first PEM CERTIFICATE of the file. */
static ccada_status read_anchor(struct client *c, uint8_t **der, size_t *len)
{
        const char *path = c->o->trust_anchor;
        char dirpath[4096];
        if (!path) {
                snprintf(dirpath, sizeof(dirpath), "%s/root_ca.der", c->o->cert_dir ? c->o->cert_dir : ".");
                path = dirpath;
        }
        FILE *f = fopen(path, "rb");
        uint8_t *b = malloc(ANCHOR_MAX + 1);
        size_t n = f && b ? fread(b, 1, ANCHOR_MAX + 1, f) : 0;
        int err = errno;
        if (f)
                fclose(f);
        if (!f || !b || n == 0 || n > ANCHOR_MAX) {
                free(b);
                return fail(c, "trust-anchor", "cannot read the trust anchor '%s': %s", path,
                            !f ? strerror(err) : !b ? "out of memory" : n ? "larger than 64 KiB" : "empty file");
        }
        *der = b, *len = n;
        if (n < 11 || memcmp(b, "-----BEGIN ", 11) != 0)
                return CCADA_OK;
        BIO *bio = BIO_new_mem_buf(b, (int)n);
        X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
        unsigned char *p = NULL;
        int dl = x ? i2d_X509(x, &p) : -1;
        BIO_free(bio);
        X509_free(x);
        free(b);
        *der = NULL;
        if (dl <= 0)
                return fail(c, "trust-anchor", "the trust anchor '%s' is PEM but holds no certificate OpenSSL reads",
                            path);
        *der = malloc((size_t)dl);
        if (*der)
                memcpy(*der, p, (size_t)dl);
        OPENSSL_free(p);
        *len = (size_t)dl;
        return *der ? CCADA_OK : fail(c, "internal", "out of memory");
}

/* SHUTDOWN (or CONTINUE) and its echo: a missing echo is noted in the verdict, not a
 * failure of the attestation that is already decided. */
static void goodbye(struct client *c)
{
        struct spdm_emu_frame f;
        uint32_t cmd = c->o->keep_open ? SPDM_EMU_CMD_CONTINUE : SPDM_EMU_CMD_SHUTDOWN;
        char why[SPDM_NET_WHY_LEN] = "";
        enum spdm_net_io io = spdm_net_send_frame(c->fd, cmd, NULL, 0, c->ms, why);
        if (io == SPDM_NET_OK)
                io = spdm_net_recv_frame(c->fd, c->frame, &f, c->ms, c->ms, why);
        c->v->goodbye_echoed = io == SPDM_NET_OK && f.hdr.command == cmd;
}

ccada_status ccada_spdm_requester_run(const struct ccada_spdm_requester_opts *o, struct ccada_spdm_verdict *v)
{
        struct client *c = calloc(1, sizeof(*c));
        uint8_t *anchor = NULL;
        size_t anchor_len = 0;
        char why[SPDM_NET_WHY_LEN] = "";
        ccada_status st;
        memset(v, 0, sizeof(*v));
        snprintf(v->peer, sizeof(v->peer), strchr(o->connect.host, ':') ? "[%s]:%u" : "%s:%u", o->connect.host,
                 (unsigned)o->connect.port);
        if (!c) {
                snprintf(v->error, sizeof(v->error), "internal");
                snprintf(v->why, sizeof(v->why), "out of memory");
                return CCADA_E_NOMEM;
        }
        c->o = o, c->v = v, c->fd = -1;
        c->ms = (int)(o->timeout_ms ? o->timeout_ms : CCADA_SPDM_DEFAULT_TIMEOUT_MS);
        if ((st = read_anchor(c, &anchor, &anchor_len)) != CCADA_OK)
                goto out;
        if (!spdm_net_pcap_open(&c->pcap, o->pcap, why)) {
                st = fail(c, "pcap", "--pcap: %s", why);
                goto out;
        }
        if ((st = connect_to(c)) != CCADA_OK || (!o->no_hello && (st = hello(c)) != CCADA_OK) ||
            (st = discover(c)) != CCADA_OK || (st = run_spdm(c, anchor, anchor_len)) != CCADA_OK)
                goto out;
        goodbye(c);
        v->attested = true;
out:
        if (!spdm_net_pcap_close(&c->pcap) && st == CCADA_OK) {
                v->attested = false;
                st = fail(c, "pcap", "writing the capture failed");
        }
        if (c->fd >= 0)
                close(c->fd);
        free(anchor);
        secure_zero(c, sizeof(*c));
        free(c);
        return st;
}

/* ---- the verdict ---- */

void ccada_spdm_verdict_print(FILE *f, const struct ccada_spdm_verdict *v)
{
        fprintf(f, "responder         %s%s\n", v->peer, v->hello ? " (TEST hello answered)" : "");
        if (v->ndoe_types) {
                fprintf(f, "DOE protocols    ");
                for (unsigned i = 0; i < v->ndoe_types; i++)
                        fprintf(f, " %s", doe_type_name(DOE_VENDOR_PCI_SIG, v->doe_types[i]));
                fputc('\n', f);
        }
        if (v->version[0])
                fprintf(f, "SPDM version      %s\nalgorithms        %s\n", v->version, v->algorithms);
        if (v->cert_count)
                fprintf(f, "certificates      %u, root \"%s\"\n                  leaf \"%s\"\n", v->cert_count,
                        v->root_subject, v->leaf_subject);
        for (unsigned i = 0; i < v->nmeas; i++)
                fprintf(f, "measurement %-5u %-17s %s %s%s\n", (unsigned)v->meas[i].index, v->meas[i].type_name,
                        v->meas[i].raw ? "raw" : "digest", v->meas[i].hex,
                        v->meas[i].raw && v->meas[i].len > 64 ? "..." : "");
        if (v->session)
                fprintf(f, "session           0x%08x: session established\n", (unsigned)v->session_id);
        if (v->heartbeat || v->key_update || v->end_session)
                fprintf(f, "in the session    HEARTBEAT %s, KEY_UPDATE %s, END_SESSION %s\n",
                        v->heartbeat ? "ok" : "-", v->key_update ? "ok" : "-", v->end_session ? "ok" : "-");
        fprintf(f, "messages          %u SPDM requests, %u DOE discovery requests\n", v->requests, v->discovery);
        if (v->attested)
                fprintf(f, "verdict: attested\n");
        else
                fprintf(f, "verdict: FAILED: %s: %s\n", v->error, v->why);
}

bool ccada_spdm_verdict_json(FILE *f, const struct ccada_spdm_verdict *v)
{
        struct json_writer w;
        json_init(&w, f, true);
        json_begin_object(&w, NULL);
        json_bool(&w, "attested", v->attested);
        json_string(&w, "verdict", v->attested ? "attested" : "FAILED");
        json_string(&w, "error", v->error);
        json_string(&w, "reason", v->why);
        json_string(&w, "responder", v->peer);
        json_bool(&w, "hello", v->hello);
        json_begin_array(&w, "doe_protocols");
        for (unsigned i = 0; i < v->ndoe_types; i++)
                json_string(&w, NULL, doe_type_name(DOE_VENDOR_PCI_SIG, v->doe_types[i]));
        json_end_array(&w);
        json_string(&w, "version", v->version);
        json_string(&w, "algorithms", v->algorithms);
        json_begin_object(&w, "certificates");
        json_u64(&w, "count", v->cert_count);
        json_string(&w, "root", v->root_subject);
        json_string(&w, "leaf", v->leaf_subject);
        json_end_object(&w);
        json_begin_array(&w, "measurements");
        for (unsigned i = 0; i < v->nmeas; i++) {
                json_begin_object(&w, NULL);
                json_u64(&w, "index", v->meas[i].index);
                json_string(&w, "type", v->meas[i].type_name);
                json_bool(&w, "raw", v->meas[i].raw);
                json_string(&w, v->meas[i].raw ? "value" : "digest", v->meas[i].hex);
                json_end_object(&w);
        }
        json_end_array(&w);
        json_u64(&w, "session_id", v->session_id);
        json_bool(&w, "session", v->session);
        json_bool(&w, "heartbeat", v->heartbeat);
        json_bool(&w, "key_update", v->key_update);
        json_bool(&w, "end_session", v->end_session);
        json_bool(&w, "goodbye_echoed", v->goodbye_echoed);
        json_u64(&w, "requests", v->requests);
        json_u64(&w, "discovery", v->discovery);
        json_begin_array(&w, "messages");
        for (unsigned i = 0; i < v->nmessages; i++) {
                const struct ccada_spdm_message *m = &v->messages[i];
                json_begin_object(&w, NULL);
                json_string(&w, "dir", m->request ? "request" : "response");
                json_string(&w, "name", m->name);
                json_bool(&w, "secured", m->secured);
                json_u64(&w, "len", m->len);
                json_end_object(&w);
        }
        json_end_array(&w);
        json_end_object(&w);
        return json_finish(&w);
}
