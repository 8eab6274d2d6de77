/* include/ccada/spdm.h: the endpoint parser, the test PKI, and the responder's server (the
 * device on the DMTF emulator protocol). The requester's client is spdm_client.c; sockets,
 * framing and captures are spdm_net.c. */
#include "ccada/spdm.h"

#include <errno.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ccada/parse.h"
#include "device/identity.h"
#include "device/spdm_responder.h"
#include "lib/bytes.h"
#include "lib/crypto.h"
#include "lib/drbg.h"
#include "machine/spdm_net.h"
#include "machine/spdm_peers.h"
#include "proto/doe.h"
#include "proto/spdm.h"

__attribute__((format(printf, 2, 3))) static void say(char *why, const char *fmt, ...)
{
        va_list ap;
        if (!why)
                return;
        va_start(ap, fmt);
        vsnprintf(why, CCADA_SPDM_WHY_LEN, fmt, ap);
        va_end(ap);
}

bool ccada_spdm_endpoint_parse(const char *text, struct ccada_spdm_endpoint *ep, char *why)
{
        const char *colon = strrchr(text, ':');
        uint64_t port;
        memset(ep, 0, sizeof(*ep));
        if (!colon || colon == text) {
                say(why, "must be HOST:PORT, e.g. 127.0.0.1:%u", CCADA_SPDM_DEFAULT_PORT);
                return false;
        }
        const char *host = text;
        size_t hlen = (size_t)(colon - text);
        if (host[0] == '[') { /* [IPv6]:PORT */
                if (hlen < 3 || host[hlen - 1] != ']') {
                        say(why, "an IPv6 address goes in brackets: [::1]:%u", CCADA_SPDM_DEFAULT_PORT);
                        return false;
                }
                host++;
                hlen -= 2;
        } else if (memchr(host, ':', hlen)) {
                say(why, "an IPv6 address goes in brackets: [::1]:%u", CCADA_SPDM_DEFAULT_PORT);
                return false;
        }
        enum ccada_number_error e = ccada_parse_u64(colon + 1, strlen(colon + 1), &port);
        if (e != CCADA_NUMBER_OK || port > 65535) {
                say(why, "the port must be a number 0..65535");
                return false;
        }
        if (hlen >= sizeof(ep->host)) {
                say(why, "the host name is longer than %u characters", CCADA_SPDM_HOST_LEN - 1);
                return false;
        }
        memcpy(ep->host, host, hlen);
        ep->host[hlen] = '\0';
        ep->port = (uint16_t)port;
        return true;
}

/* ---- the test PKI ---- */

static const char *const pki_files[][2] = {
        { "root_ca.der", "the root CA certificate: the trust anchor a requester is given" },
        { "intermediate_ca.der", "the intermediate CA certificate" },
        { "device_leaf.der", "the device's certificate (its key signs CHALLENGE_AUTH, MEASUREMENTS, KEY_EXCHANGE_RSP)" },
        { "device_chain.der", "root || intermediate || leaf, the SPDM certificate chain of slot 0" },
        { "device_leaf_key.pem", "the device's private key (PKCS#8, mode 0600: keep it private)" },
};

unsigned ccada_spdm_pki_file_count(void)
{
        return (unsigned)(sizeof(pki_files) / sizeof(pki_files[0]));
}

const char *ccada_spdm_pki_file_name(unsigned i)
{
        return i < ccada_spdm_pki_file_count() ? pki_files[i][0] : "";
}

const char *ccada_spdm_pki_file_what(unsigned i)
{
        return i < ccada_spdm_pki_file_count() ? pki_files[i][1] : "";
}

ccada_status ccada_spdm_write_pki(const char *dir, uint64_t seed, bool force, char *why)
{
        uint8_t s[8];
        char dwhy[DEV_IDENTITY_WHY_LEN] = "";
        st_le64(s, seed);
        bool ok = dev_identity_write_pki(dir, s, sizeof(s), force, dwhy);
        secure_zero(s, sizeof(s));
        if (!ok)
                say(why, "%s", dwhy);
        return ok ? CCADA_OK : CCADA_E_IO;
}

/* ---- the server ---- */

#define RSP_CAP 8192u
#define DEFAULT_FRAME_MS 10000

struct ccada_spdm_server {
        struct ccada_spdm_responder_opts o;
        struct dev_identity id;
        struct drbg *drbg;
        struct spdm_net_pcap pcap;
        int lfd;
        uint16_t port;
        char addr[64];
        uint8_t in[SPDM_EMU_FRAME_MAX], rsp[RSP_CAP], obj[SPDM_EMU_PAYLOAD_MAX];
};

/* How a connection ended. */
enum conn_end { END_CLOSED, END_CONTINUE, END_SHUTDOWN, END_DROPPED, END_FATAL };

__attribute__((format(printf, 2, 3))) static void logf_(const struct ccada_spdm_server *s, const char *fmt, ...)
{
        va_list ap;
        if (!s->o.log)
                return;
        va_start(ap, fmt);
        vfprintf(s->o.log, fmt, ap);
        va_end(ap);
        fputc('\n', s->o.log);
        fflush(s->o.log);
}

static ccada_status make_identity(struct ccada_spdm_server *s, char *why)
{
        struct dev_firmware fw = { .debug = s->o.debug };
        char dwhy[DEV_IDENTITY_WHY_LEN] = "";
        uint8_t seed[8];
        const char *v = s->o.fw_version ? s->o.fw_version : "";
        if (strlen(v) >= sizeof(fw.version)) {
                say(why, "the firmware version is longer than %zu characters", sizeof(fw.version) - 1);
                return CCADA_E_INVAL;
        }
        memcpy(fw.version, v, strlen(v) + 1);
        st_le64(seed, s->o.seed);
        bool ok = s->o.cert_dir ? dev_identity_load(&s->id, s->o.cert_dir, &fw, dwhy)
                                : dev_identity_make(&s->id, seed, sizeof(seed), &fw, dwhy);
        secure_zero(seed, sizeof(seed));
        if (!ok) {
                say(why, "%s", dwhy);
                return CCADA_E_INVAL;
        }
        return CCADA_OK;
}

/* The root certificate the device presents, to hand a requester as its trust anchor. */
static bool write_root(const char *path, const struct dev_identity *id, char *why)
{
        FILE *f = fopen(path, "wb");
        bool ok = f && fwrite(id->root, 1, id->root_len, f) == id->root_len;
        int err = errno;
        if (f && fclose(f) != 0)
                ok = false, err = errno;
        if (!ok)
                say(why, "--root-out: cannot write '%s': %s", path, strerror(err));
        return ok;
}

/* Binds and listens on the first address of s->o.listen that takes it. */
static ccada_status listen_on(struct ccada_spdm_server *s, char *why)
{
        struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                                  .ai_flags = AI_PASSIVE | AI_NUMERICSERV }, *res = NULL;
        char port[8], host[64] = "", serv[8] = "";
        snprintf(port, sizeof(port), "%u", (unsigned)s->o.listen.port);
        int rc = getaddrinfo(s->o.listen.host, port, &hints, &res);
        if (rc != 0) {
                say(why, "cannot listen on %s:%s: %s", s->o.listen.host, port, gai_strerror(rc));
                return CCADA_E_IO;
        }
        int err = 0, one = 1;
        for (struct addrinfo *a = res; a && s->lfd < 0; a = a->ai_next) {
                int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
                if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
                    bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, 4) != 0) {
                        err = errno;
                        if (fd >= 0)
                                close(fd);
                        continue;
                }
                s->lfd = fd;
        }
        freeaddrinfo(res);
        if (s->lfd < 0) {
                say(why, "cannot listen on %s:%s: %s", s->o.listen.host, port, strerror(err));
                return CCADA_E_IO;
        }
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        if (getsockname(s->lfd, (struct sockaddr *)&ss, &sl) != 0 ||
            getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), serv, sizeof(serv),
                        NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
                say(why, "cannot read the listening address: %s", strerror(errno));
                return CCADA_E_IO;
        }
        s->port = ntohs(ss.ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((const struct sockaddr_in *)&ss)->sin_port);
        snprintf(s->addr, sizeof(s->addr), "%s", host);
        return CCADA_OK;
}

ccada_status ccada_spdm_server_open(struct ccada_spdm_server **out, const struct ccada_spdm_responder_opts *o,
                                    char *why)
{
        struct ccada_spdm_server *s = calloc(1, sizeof(*s));
        char nwhy[SPDM_NET_WHY_LEN] = "";
        ccada_status st;
        *out = NULL;
        if (!s) {
                say(why, "out of memory");
                return CCADA_E_NOMEM;
        }
        s->o = *o;
        s->lfd = -1;
        if ((st = make_identity(s, why)) != CCADA_OK)
                goto fail;
        st = CCADA_E_NOMEM;
        if (!drbg_new_system(&s->drbg)) {
                say(why, "out of memory");
                goto fail;
        }
        st = CCADA_E_IO;
        if (o->root_out && !write_root(o->root_out, &s->id, why))
                goto fail;
        if (!spdm_net_pcap_open(&s->pcap, o->pcap, nwhy)) {
                say(why, "--pcap: %s", nwhy);
                goto fail;
        }
        if ((st = listen_on(s, why)) != CCADA_OK)
                goto fail;
        *out = s;
        return CCADA_OK;
fail:
        ccada_spdm_server_close(s);
        return st;
}

uint16_t ccada_spdm_server_port(const struct ccada_spdm_server *s)
{
        return s->port;
}

const char *ccada_spdm_server_address(const struct ccada_spdm_server *s)
{
        return s->addr;
}

void ccada_spdm_server_close(struct ccada_spdm_server *s)
{
        if (!s)
                return;
        if (s->lfd >= 0)
                close(s->lfd);
        (void)spdm_net_pcap_close(&s->pcap);
        dev_identity_free(&s->id);
        drbg_free(s->drbg);
        secure_zero(s, sizeof(*s)); /* the buffers held session records */
        free(s);
}

/* A plain SPDM ERROR InvalidRequest (DSP0274 1.2.1 §10.8; SPDMVersion 1.2, the only one
 * this device speaks), the answer to a DOE object nothing else can answer. */
static size_t invalid_request(uint8_t *out, size_t cap)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        bw_u8(&w, SPDM_VERSION_12);
        bw_u8(&w, SPDM_ERROR);
        bw_u8(&w, SPDM_ERR_INVALID_REQUEST);
        bw_u8(&w, 0);
        return bw_ok(&w) ? bw_len(&w) : 0;
}

/* The discovery table (facts §3.1, as spdm-emu's responder answers). */
static bool discovery(const uint8_t *payload, size_t len, uint8_t *out, size_t cap, size_t *out_len, char *why)
{
        static const uint8_t types[] = { DOE_TYPE_DISCOVERY, DOE_TYPE_CMA_SPDM, DOE_TYPE_SECURED_CMA_SPDM };
        struct doe_discovery_req q;
        char dwhy[DOE_WHY_LEN] = "";
        if (!doe_discovery_req_decode(payload, len, &q, dwhy)) {
                snprintf(why, SPDM_NET_WHY_LEN, "DOE discovery request refused: %s", dwhy);
                return false;
        }
        if (q.index >= sizeof(types)) {
                snprintf(why, SPDM_NET_WHY_LEN, "DOE discovery index %u: this device lists 3 protocols (0..2)",
                         (unsigned)q.index);
                return false;
        }
        struct doe_discovery_rsp r = { .vendor = DOE_VENDOR_PCI_SIG, .type = types[q.index],
                                       .next_index = (uint8_t)((q.index + 1u) % sizeof(types)) };
        *out_len = DOE_DW;
        return cap >= DOE_DW && doe_discovery_rsp_encode(out, cap, &r);
}

/* The DOE object of one NORMAL frame: its answer into s->obj (*len). Anything that cannot
 * be answered otherwise gets ERROR InvalidRequest in a type-1 object. */
static bool answer_doe(struct ccada_spdm_server *s, struct spdm_responder *rsp, const uint8_t *in, size_t in_len,
                       size_t *len)
{
        struct doe_object obj;
        char why[SPDM_NET_WHY_LEN] = "", dwhy[DOE_WHY_LEN] = "";
        size_t rlen = 0;
        bool rsec = false, ok = false;
        uint8_t type = DOE_TYPE_CMA_SPDM;

        if (!doe_object_decode(in, in_len, &obj, dwhy))
                snprintf(why, sizeof(why), "DOE object refused: %s", dwhy);
        else if (obj.vendor != DOE_VENDOR_PCI_SIG || obj.type > DOE_TYPE_SECURED_CMA_SPDM)
                snprintf(why, sizeof(why), "DOE object of vendor 0x%04x type %u: not a protocol this device lists",
                         (unsigned)obj.vendor, (unsigned)obj.type);
        else if (obj.type == DOE_TYPE_DISCOVERY)
                ok = discovery(obj.payload, obj.payload_len, s->rsp, sizeof(s->rsp), &rlen, why), type = obj.type;
        else
                ok = spdm_responder_handle(rsp, obj.type == DOE_TYPE_SECURED_CMA_SPDM, obj.payload, obj.payload_len,
                                           s->rsp, sizeof(s->rsp), &rlen, &rsec);
        if (ok && obj.type != DOE_TYPE_DISCOVERY) {
                type = rsec ? DOE_TYPE_SECURED_CMA_SPDM : DOE_TYPE_CMA_SPDM;
                if (s->o.verbose)
                        logf_(s, "  %s %s (%zu bytes) -> %s", doe_type_name(obj.vendor, obj.type),
                              obj.type == DOE_TYPE_SECURED_CMA_SPDM || obj.payload_len < 2
                                      ? "record" : spdm_code_name(obj.payload[1]),
                              obj.payload_len,
                              rsec || rlen < 2 ? "record" : spdm_code_name(s->rsp[1]));
        } else if (ok && s->o.verbose) {
                logf_(s, "  DOE discovery index %u", (unsigned)obj.payload[0]);
        }
        if (!ok) {
                if (!why[0])
                        snprintf(why, sizeof(why), "the SPDM responder could not answer");
                logf_(s, "  %s: answered ERROR InvalidRequest", why);
                rlen = invalid_request(s->rsp, sizeof(s->rsp));
                type = DOE_TYPE_CMA_SPDM;
        }
        return doe_object_encode(DOE_VENDOR_PCI_SIG, type, s->rsp, rlen, s->obj, sizeof(s->obj), len);
}

/* Records a DOE object in the capture; false (said in the log) when the capture failed. */
static bool capture(struct ccada_spdm_server *s, const uint8_t *obj, size_t len)
{
        char why[SPDM_NET_WHY_LEN] = "";
        if (spdm_net_pcap_record(&s->pcap, obj, len, why))
                return true;
        logf_(s, "--pcap: %s", why);
        return false;
}

/* One NORMAL frame: its answer sent back. */
static enum conn_end on_normal(struct ccada_spdm_server *s, int fd, struct spdm_responder *rsp,
                               const struct spdm_emu_frame *f, int ms)
{
        char why[SPDM_NET_WHY_LEN] = "";
        size_t len = 0;
        if (!capture(s, f->payload, f->hdr.size))
                return END_FATAL;
        if (!answer_doe(s, rsp, f->payload, f->hdr.size, &len)) {
                logf_(s, "  the answer does not fit a DOE object: closing the connection");
                return END_DROPPED;
        }
        if (!capture(s, s->obj, len))
                return END_FATAL;
        if (spdm_net_send_frame(fd, SPDM_EMU_CMD_NORMAL, s->obj, len, ms, why) != SPDM_NET_OK) {
                logf_(s, "  %s: closing the connection", why);
                return END_DROPPED;
        }
        return END_CLOSED; /* i.e. go on */
}

/* One frame other than NORMAL: TEST, SHUTDOWN, CONTINUE and the ones not implemented. */
static enum conn_end on_control(struct ccada_spdm_server *s, int fd, const struct spdm_emu_frame *f, int ms,
                                bool *go_on)
{
        static const uint8_t hello[] = SPDM_EMU_SERVER_HELLO;
        char why[SPDM_NET_WHY_LEN] = "";
        uint32_t cmd = f->hdr.command;
        enum conn_end end = END_CLOSED;
        *go_on = true;
        if (cmd == SPDM_EMU_CMD_SHUTDOWN || cmd == SPDM_EMU_CMD_CONTINUE) {
                end = cmd == SPDM_EMU_CMD_SHUTDOWN ? END_SHUTDOWN : END_CONTINUE;
                *go_on = false;
        } else if (cmd != SPDM_EMU_CMD_TEST) {
                logf_(s, "  %s frame: not implemented, answered UNKNOWN", spdm_emu_command_name(cmd));
                cmd = SPDM_EMU_CMD_UNKNOWN;
        } else if (s->o.verbose) {
                logf_(s, "  TEST hello");
        }
        bool test = cmd == SPDM_EMU_CMD_TEST;
        if (spdm_net_send_frame(fd, cmd, test ? hello : NULL, test ? sizeof(hello) : 0, ms, why) != SPDM_NET_OK) {
                logf_(s, "  %s", why);
                *go_on = false;
                return END_DROPPED;
        }
        return end;
}

static enum conn_end serve_connection(struct ccada_spdm_server *s, int fd)
{
        struct spdm_responder_cfg cfg = { 0 };
        struct spdm_responder *rsp = NULL;
        char why[SPDM_NET_WHY_LEN] = "", rwhy[256] = "";
        int ms = (int)(s->o.frame_timeout_ms ? s->o.frame_timeout_ms : DEFAULT_FRAME_MS);
        enum conn_end end = END_CLOSED;
        bool go_on = true;

        dev_identity_responder_cfg(&s->id, &cfg);
        cfg.drbg = s->drbg;
        cfg.no_handshake_in_the_clear = s->o.no_handshake_in_the_clear;
        if (!spdm_responder_new(&rsp, &cfg, rwhy)) {
                logf_(s, "cannot make the SPDM responder: %s", rwhy);
                return END_FATAL;
        }
        while (go_on) {
                struct spdm_emu_frame f;
                enum spdm_net_io io = spdm_net_recv_frame(fd, s->in, &f, -1, ms, why);
                if (io == SPDM_NET_CLOSED) {
                        end = END_CLOSED;
                        break;
                }
                if (io != SPDM_NET_OK) {
                        logf_(s, "  %s: closing the connection", why);
                        end = END_DROPPED;
                        break;
                }
                if (f.hdr.transport != SPDM_EMU_TRANSPORT_PCI_DOE) {
                        logf_(s, "  a %s frame in transport %s: this responder speaks PCI_DOE only; closing the "
                                 "connection", spdm_emu_command_name(f.hdr.command),
                              spdm_emu_transport_name(f.hdr.transport));
                        end = END_DROPPED;
                        break;
                }
                if (f.hdr.command == SPDM_EMU_CMD_NORMAL) {
                        end = on_normal(s, fd, rsp, &f, ms);
                        go_on = end == END_CLOSED;
                } else {
                        end = on_control(s, fd, &f, ms, &go_on);
                }
        }
        const struct spdm_responder_stats *st = spdm_responder_stats(rsp);
        logf_(s, "connection ended (%s): %llu SPDM requests, %llu errors sent, %llu sessions",
              end == END_SHUTDOWN ? "SHUTDOWN" : end == END_CONTINUE ? "CONTINUE"
              : end == END_CLOSED ? "closed by the peer" : "dropped",
              (unsigned long long)st->requests, (unsigned long long)st->errors,
              (unsigned long long)st->sessions_opened);
        spdm_responder_free(rsp);
        return end;
}

bool spdm_peers_serve_fd(struct ccada_spdm_server *s, int fd)
{
        enum conn_end end = serve_connection(s, fd);
        return end != END_DROPPED && end != END_FATAL;
}

ccada_status ccada_spdm_server_run(struct ccada_spdm_server *s, char *why)
{
        for (;;) {
                struct sockaddr_storage ss;
                socklen_t sl = sizeof(ss);
                char host[64] = "?", serv[8] = "?";
                int fd = accept(s->lfd, (struct sockaddr *)&ss, &sl);
                if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
                        continue;
                if (fd < 0) {
                        say(why, "accept: %s", strerror(errno));
                        return CCADA_E_IO;
                }
                (void)getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), serv, sizeof(serv),
                                  NI_NUMERICHOST | NI_NUMERICSERV);
                logf_(s, "connection from %s:%s", host, serv);
                enum conn_end end = END_DROPPED;
                if (!spdm_net_nodelay(fd))
                        logf_(s, "  cannot set TCP_NODELAY: %s; closing the connection", strerror(errno));
                else
                        end = serve_connection(s, fd);
                close(fd);
                if (end == END_FATAL) {
                        say(why, "the capture or the responder failed (see the log)");
                        return CCADA_E_IO;
                }
                if (end == END_SHUTDOWN)
                        return CCADA_OK;
                if (s->o.once) {
                        if (end == END_DROPPED)
                                say(why, "the connection was dropped for a bad frame (see the log)");
                        return end == END_DROPPED ? CCADA_E_PEER : CCADA_OK;
                }
        }
}
