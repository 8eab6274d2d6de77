/* The `keybroker-app` app (see keybroker_app.h). */
#include "realm/apps/keybroker_app.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/report.h"
#include "lib/base64.h"
#include "lib/bytes.h"
#include "lib/crypto.h"
#include "lib/rsa.h"
#include "proto/hostcall.h"
#include "realm/apps/app_args.h"
#include "proto/http.h"
#include "realm/apps/bench.h"
#include "realm/net.h"
#include "realm/boot.h"
#include "realm/pci.h"
#include "realm/swiotlb.h"
#include "realm/tls.h"
#include "realm/virtio_net.h"

#define CONNECT_MS 5000u
#define IO_MS 10000u
#define CHALLENGE_BYTES 64u
#define SECRET_MAX 512u

enum { EXIT_RELEASED = 0, EXIT_ATTESTATION = 1, EXIT_ERROR = 2 };

/* ---- arguments ---- */

static bool key_name_ok(const char *s, size_t n)
{
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.'))
                        return false;
        }
        return true;
}

bool keybroker_parse_args(const char *args, struct keybroker_args *a, char *why, size_t whylen)
{
        bool want_endpoint = false;
        memset(a, 0, sizeof(*a));
        snprintf(a->endpoint, sizeof(a->endpoint), "%s", KEYBROKER_DEFAULT_ENDPOINT);
        for (const char *p = args ? args : ""; *p;) {
                while (*p == ' ')
                        p++;
                size_t n = strcspn(p, " ");
                if (n == 0)
                        break;
                if (want_endpoint) {
                        if (n >= sizeof(a->endpoint)) {
                                snprintf(why, whylen, "--endpoint: the URL is longer than %zu bytes",
                                         sizeof(a->endpoint) - 1);
                                return false;
                        }
                        memcpy(a->endpoint, p, n);
                        a->endpoint[n] = '\0';
                        want_endpoint = false;
                } else if ((n == 2 && !strncmp(p, "-v", 2)) || (n == 9 && !strncmp(p, "--verbose", 9))) {
                        a->verbose = true;
                } else if (n == 10 && !strncmp(p, "--endpoint", 10)) {
                        want_endpoint = true;
                } else if (n > 6 && !strncmp(p, "--pin=", 6)) {
                        char hex[65];
                        size_t got = 0;
                        if (n - 6 == 64)
                                memcpy(hex, p + 6, 64);
                        hex[n - 6 == 64 ? 64 : 0] = '\0';
                        if (!hex[0] || !hex_decode(hex, a->pin, sizeof(a->pin), &got) || got != sizeof(a->pin)) {
                                snprintf(why, whylen, "--pin: the SHA-256 of the broker's certificate, 64 hex digits");
                                return false;
                        }
                        a->has_pin = true;
                } else if (p[0] == '-') {
                        snprintf(why, whylen,
                                 "unknown option '%.*s' (usage: keybroker-app [-v] [--endpoint URL] [--pin=SHA256] KEY_NAME)",
                                 (int)n, p);
                        return false;
                } else if (a->key[0]) {
                        snprintf(why, whylen, "one key name only ('%s', then '%.*s')", a->key, (int)n, p);
                        return false;
                } else if (n >= sizeof(a->key) || !key_name_ok(p, n)) {
                        snprintf(why, whylen, "key name '%.*s': letters, digits, '-', '_' and '.', at most %zu",
                                 (int)(n < 64 ? n : 64), p, sizeof(a->key) - 1);
                        return false;
                } else {
                        memcpy(a->key, p, n);
                        a->key[n] = '\0';
                }
                p += n;
        }
        if (want_endpoint) {
                snprintf(why, whylen, "--endpoint needs a URL");
                return false;
        }
        if (!a->key[0]) {
                snprintf(why, whylen, "no key name (usage: keybroker-app [-v] [--endpoint URL] KEY_NAME)");
                return false;
        }
        return true;
}

/* ---- the client ---- */

struct kb {
        struct realm_kernel *k;
        struct keybroker_args a;
        struct rk_net *net;
        struct rsa_key *rsa;
        char error[160];                /* the first error, "" if none */
        unsigned http_status;           /* of the last response */
        uint64_t requests;
        size_t token_len;               /* the evidence: the CCA token's bytes */
        /* Host time (CLOCK_MONOTONIC, ns) of each step, for ccada bench net; not
         * deterministic: the key pair, the key request, the token, the evidence, the unwrap. */
        double ns_keygen, ns_request, ns_token, ns_evidence, ns_unwrap;
        uint64_t bounces, bounced_bytes; /* SWIOTLB, from the first request to the last close */
};

static int kb_error(struct kb *kb, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int kb_error(struct kb *kb, int code, const char *fmt, ...)
{
        va_list ap;
        if (kb->error[0])
                return code;
        va_start(ap, fmt);
        vsnprintf(kb->error, sizeof(kb->error), fmt, ap);
        va_end(ap);
        return code;
}

static void info(const struct kb *kb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void info(const struct kb *kb, const char *fmt, ...)
{
        char line[512];
        va_list ap;
        if (!kb->a.verbose)
                return;
        va_start(ap, fmt);
        vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        rk_printk(kb->k, "INFO %s", line);
}

/* One connection to the broker: TCP, and TLS over it for https. */
struct conn {
        struct rk_tcp *tcp;
        struct rk_tls *tls;
};

static ccada_status tcp_send_op(void *ctx, const void *data, size_t len, unsigned timeout_ms)
{
        return rk_tcp_send(ctx, data, len, timeout_ms);
}

static ccada_status tcp_recv_op(void *ctx, void *buf, size_t cap, size_t *got, unsigned timeout_ms)
{
        return rk_tcp_recv(ctx, buf, cap, got, timeout_ms);
}

static ccada_status conn_send(struct conn *c, const void *data, size_t len)
{
        return c->tls ? rk_tls_send(c->tls, data, len, IO_MS) : rk_tcp_send(c->tcp, data, len, IO_MS);
}

static ccada_status conn_recv(struct conn *c, void *buf, size_t cap, size_t *got)
{
        return c->tls ? rk_tls_recv(c->tls, buf, cap, got, IO_MS) : rk_tcp_recv(c->tcp, buf, cap, got, IO_MS);
}

static void conn_close(struct conn *c)
{
        rk_tls_close(c->tls, IO_MS);
        rk_tcp_close(c->tcp);
        c->tls = NULL;
        c->tcp = NULL;
}

/* Reads a whole response (head, then Content-Length bytes or to the end of the stream). */
static ccada_status read_response(struct kb *kb, struct conn *c, struct http_response *r, uint8_t **body,
                                  size_t *blen)
{
        size_t cap = HTTP_MAX_HEAD + HTTP_MAX_BODY, have = 0;
        uint8_t *buf = malloc(cap);
        char why[HTTP_WHY_LEN];
        enum http_parse p = HTTP_PARSE_MORE;
        bool eof = false;

        if (!buf)
                return CCADA_E_NOMEM;
        for (;;) {
                if (p == HTTP_PARSE_MORE && have) {
                        p = http_response_head(buf, have, r, why);
                        if (p == HTTP_PARSE_ERROR) {
                                free(buf);
                                kb_error(kb, EXIT_ERROR, "the broker's response is not HTTP I can read: %s", why);
                                return CCADA_E_PEER;
                        }
                }
                if (p == HTTP_PARSE_OK && r->has_length && r->content_length > HTTP_MAX_BODY) {
                        free(buf);
                        kb_error(kb, EXIT_ERROR, "the broker's response body is larger than 1 MiB");
                        return CCADA_E_PEER;
                }
                if (p == HTTP_PARSE_OK && r->has_length && have - r->head_len >= r->content_length)
                        break;
                if (eof)
                        break;
                size_t got = 0;
                if (have == cap) {
                        free(buf);
                        kb_error(kb, EXIT_ERROR, "the broker's response is larger than 1 MiB");
                        return CCADA_E_PEER;
                }
                ccada_status st = conn_recv(c, buf + have, cap - have, &got);
                if (st != CCADA_OK) {
                        free(buf);
                        kb_error(kb, EXIT_ERROR, "no response from the broker: %s", ccada_status_text(st));
                        return st;
                }
                eof = got == 0;
                have += got;
        }
        if (p != HTTP_PARSE_OK || (r->has_length && have - r->head_len < r->content_length)) {
                free(buf);
                kb_error(kb, EXIT_ERROR, "the broker closed the connection before its response was complete");
                return CCADA_E_PEER;
        }
        *blen = r->has_length ? (size_t)r->content_length : have - r->head_len;
        memmove(buf, buf + r->head_len, *blen);
        buf[*blen < cap ? *blen : cap - 1] = 0;
        *body = buf;
        return CCADA_OK;
}

/* One request on its own connection (Connection: close). *body: the response body
 * (free it), NUL-terminated. */
static ccada_status post(struct kb *kb, const char *url, const char *content_type, const void *data, size_t len,
                         struct http_response *r, uint8_t **body, size_t *blen)
{
        struct http_url u;
        char why[HTTP_WHY_LEN], head[1024], twhy[RK_TLS_WHY_LEN] = "";
        const char *cwhy = NULL;
        struct conn c = { 0 };

        if (!http_url_parse(url, &u, why)) {
                kb_error(kb, EXIT_ERROR, "URL %s: %s", url, why);
                return CCADA_E_INVAL;
        }
        size_t hlen = http_request_head(head, sizeof(head), "POST", &u, u.path, content_type, len);
        if (!hlen) {
                kb_error(kb, EXIT_ERROR, "URL %s: the request does not fit", url);
                return CCADA_E_INVAL;
        }
        if (u.tls && !kb->a.has_pin) {
                kb_error(kb, EXIT_ERROR, "URL %s: https needs --pin=SHA256 of the broker's certificate (the Realm has "
                         "no CA store)", url);
                return CCADA_E_INVAL;
        }
        ccada_status st = rk_tcp_connect(kb->net, u.ip, u.port, CONNECT_MS, &c.tcp, &cwhy);
        if (st != CCADA_OK) {
                kb_error(kb, EXIT_ERROR, "cannot connect to %s: %s", u.host, cwhy ? cwhy : ccada_status_text(st));
                return st;
        }
        if (u.tls) {
                struct rk_tls_transport t = { tcp_send_op, tcp_recv_op, c.tcp };
                st = rk_tls_connect(&t, kb->a.pin, IO_MS, &c.tls, twhy, sizeof(twhy));
                if (st != CCADA_OK) {
                        kb_error(kb, EXIT_ERROR, "TLS with %s failed: %s", u.host, twhy[0] ? twhy : ccada_status_text(st));
                        conn_close(&c);
                        return st;
                }
        }
        kb->requests++;
        st = conn_send(&c, head, hlen);
        if (st == CCADA_OK && len)
                st = conn_send(&c, data, len);
        if (st != CCADA_OK)
                kb_error(kb, EXIT_ERROR, "cannot send to %s: %s", u.host, ccada_status_text(st));
        if (st == CCADA_OK)
                st = read_response(kb, &c, r, body, blen);
        conn_close(&c);
        if (st == CCADA_OK)
                kb->http_status = r->status;
        return st;
}

/* The JWK of our public key: {"pubkey":{"kty":"RSA","alg":"RSA1_5","n":..,"e":..}}. */
static bool jwk_body(const struct kb *kb, char *out, size_t cap)
{
        uint8_t n[RSA_MAX_BYTES], e[8];
        size_t nl = 0, el = 0;
        char n64[B64URL_LEN(RSA_MAX_BYTES)], e64[B64URL_LEN(8)];
        if (!rsa_key_ne(kb->rsa, n, &nl, e, &el) || !b64url_encode(n, nl, n64, sizeof(n64)) ||
            !b64url_encode(e, el, e64, sizeof(e64)))
                return false;
        int w = snprintf(out, cap, "{\"pubkey\":{\"kty\":\"RSA\",\"alg\":\"RSA1_5\",\"n\":\"%s\",\"e\":\"%s\"}}", n64,
                         e64);
        return w > 0 && (size_t)w < cap;
}

/* A string member of a JSON object body; NULL (with the error) when missing. */
static const char *json_text(struct kb *kb, json_t *doc, const char *member, const char *what)
{
        json_t *v = json_is_object(doc) ? json_object_get(doc, member) : NULL;
        if (!json_is_string(v)) {
                kb_error(kb, EXIT_ERROR, "the broker's %s has no \"%s\" string", what, member);
                return NULL;
        }
        return json_string_value(v);
}

static void challenge_line(const struct kb *kb, const uint8_t *ch)
{
        char list[CHALLENGE_BYTES * 4 + 2];
        size_t at = 0;
        for (unsigned i = 0; i < CHALLENGE_BYTES; i++)
                at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%02x", i ? ", " : "", ch[i]);
        info(kb, "Challenge (64 bytes) = [%s]", list);
}

/* Steps 2-5; returns the exit code. */
static int run(struct kb *kb, uint8_t challenge[CHALLENGE_BYTES], char *evidence_url, size_t urlcap, char *secret,
               size_t *secret_len)
{
        char url[HTTP_URL_MAX + 80], body[1024];
        struct http_response r;
        uint8_t *resp = NULL, *token = NULL;
        size_t rlen = 0, clen = 0, tlen = 0;
        json_error_t jerr;

        snprintf(url, sizeof(url), "%s/keys/v1/key/%s", kb->a.endpoint, kb->a.key);
        info(kb, "Requesting key named '%s' from the keybroker server with URL %s", kb->a.key, url);
        double t = bench_now_ns();
        if (!rsa_key_generate(&kb->rsa, RSA_MIN_BITS))
                return kb_error(kb, EXIT_ERROR, "cannot make an RSA key pair");
        kb->ns_keygen = bench_now_ns() - t;
        if (!jwk_body(kb, body, sizeof(body)))
                return kb_error(kb, EXIT_ERROR, "cannot encode the public key");
        t = bench_now_ns();
        if (post(kb, url, "application/json", body, strlen(body), &r, &resp, &rlen) != CCADA_OK)
                return EXIT_ERROR;
        kb->ns_request = bench_now_ns() - t;
        if (r.status != 201) {
                free(resp);
                return kb_error(kb, EXIT_ERROR, "the broker answered the key request with %u, not 201", r.status);
        }
        json_t *doc = json_loadb((const char *)resp, rlen, 0, &jerr);
        free(resp);
        const char *ch64 = doc ? json_text(kb, doc, "challenge", "challenge") : NULL;
        if (!doc)
                kb_error(kb, EXIT_ERROR, "the broker's challenge is not JSON: %s", jerr.text);
        bool ok = ch64 && b64url_decode(ch64, strlen(ch64), challenge, CHALLENGE_BYTES, &clen) && clen == CHALLENGE_BYTES;
        json_decref(doc);
        if (!ok)
                return kb_error(kb, EXIT_ERROR, "the broker's challenge is not 64 bytes of base64url");
        if (!r.location[0])
                return kb_error(kb, EXIT_ERROR, "the broker's 201 has no Location");
        challenge_line(kb, challenge);
        snprintf(evidence_url, urlcap, "%s", r.location);
        t = bench_now_ns();
        ccada_status st = rk_attestation_token(kb->k, challenge, CHALLENGE_BYTES, &token, &tlen);
        kb->ns_token = bench_now_ns() - t;
        if (st != CCADA_OK)
                return kb_error(kb, EXIT_ERROR, "no attestation token: %s", ccada_status_text(st));
        kb->token_len = tlen;
        size_t b64cap = B64URL_LEN(tlen);
        char *evidence = malloc(b64cap);
        bool enc = evidence && b64url_encode(token, tlen, evidence, b64cap);
        rk_kfree(kb->k, token);
        if (!enc) {
                free(evidence);
                return kb_error(kb, EXIT_ERROR, "cannot encode the token");
        }
        info(kb, "Submitting evidence to URL %s", evidence_url);
        t = bench_now_ns();
        st = post(kb, evidence_url, KEYBROKER_EAT_MEDIA_TYPE, evidence, strlen(evidence), &r, &resp, &rlen);
        kb->ns_evidence = bench_now_ns() - t;
        free(evidence);
        if (st != CCADA_OK)
                return EXIT_ERROR;
        doc = json_loadb((const char *)resp, rlen, 0, &jerr);
        free(resp);
        if (r.status == 403) {
                const char *type = doc ? json_text(kb, doc, "type", "refusal") : NULL;
                const char *detail = doc ? json_text(kb, doc, "detail", "refusal") : NULL;
                info(kb, "Attestation failure :-( ! %s: %s", type ? type : "?", detail ? detail : "?");
                kb_error(kb, EXIT_ATTESTATION, "attestation failure: %s", detail ? detail : "(no detail)");
                json_decref(doc);
                return EXIT_ATTESTATION;
        }
        if (r.status != 200 || !doc) {
                json_decref(doc);
                return kb_error(kb, EXIT_ERROR, "the broker answered the evidence with %u, not 200", r.status);
        }
        const char *data = json_text(kb, doc, "data", "answer");
        uint8_t ct[RSA_MAX_BYTES];
        size_t ctlen = 0, slen = 0;
        t = bench_now_ns();
        ok = data && b64url_decode(data, strlen(data), ct, sizeof(ct), &ctlen) &&
             rsa_unwrap(kb->rsa, RSA_WRAP_PKCS1_V15, ct, ctlen, (uint8_t *)secret, SECRET_MAX - 1, &slen);
        kb->ns_unwrap = bench_now_ns() - t;
        json_decref(doc);
        if (!ok)
                return kb_error(kb, EXIT_ERROR, "the wrapped key cannot be unwrapped with our key");
        secret[slen] = '\0';
        *secret_len = slen;
        for (size_t i = 0; i < slen; i++) /* shown on a console: printable only */
                if ((unsigned char)secret[i] < 0x20 || (unsigned char)secret[i] > 0x7E)
                        secret[i] = '?';
        info(kb, "Attestation success :-) ! The key returned from the keybroker is '%s'", secret);
        return EXIT_RELEASED;
}


static void report(struct kb *kb, int code, const uint8_t *challenge, const char *evidence_url, const char *secret,
                   struct virtio_net *dev)
{
        struct ccada_report_section *s = rk_report_section(kb->k, KEYBROKER_SECTION);
        struct virtio_net_stats ds;
        virtio_net_get_stats(dev, &ds);
        ccada_report_text(s, "key_name", kb->a.key);
        ccada_report_text(s, "endpoint", kb->a.endpoint);
        ccada_report_hex(s, "challenge", challenge, CHALLENGE_BYTES);
        ccada_report_text(s, "evidence_url", evidence_url);
        ccada_report_u64(s, "http_status", kb->http_status);
        ccada_report_text(s, "key", secret);
        ccada_report_u64(s, "exit_code", (uint64_t)code);
        ccada_report_u64(s, "requests", kb->requests);
        ccada_report_u64(s, "token_len", kb->token_len);
        ccada_report_u64(s, "bounces", kb->bounces);
        ccada_report_u64(s, "bounced_bytes", kb->bounced_bytes);
        ccada_report_u64(s, "ns_keygen", (uint64_t)kb->ns_keygen);
        ccada_report_u64(s, "ns_request", (uint64_t)kb->ns_request);
        ccada_report_u64(s, "ns_token", (uint64_t)kb->ns_token);
        ccada_report_u64(s, "ns_evidence", (uint64_t)kb->ns_evidence);
        ccada_report_u64(s, "ns_unwrap", (uint64_t)kb->ns_unwrap);
        ccada_report_u64(s, "frames_out", ds.tx_packets);
        ccada_report_u64(s, "frames_in", ds.rx_packets);
        ccada_report_u64(s, "bytes_out", ds.tx_bytes);
        ccada_report_u64(s, "bytes_in", ds.rx_bytes);
        ccada_report_u64(s, "tx_copy_bytes", ds.tx_copy_bytes);
        ccada_report_u64(s, "rx_copy_bytes", ds.rx_copy_bytes);
}

void realm_keybroker_app_init(struct realm_kernel *k)
{
        char args[APP_ARGS_MAX + 1], why[160], evidence_url[HTTP_URL_MAX] = "", secret[SECRET_MAX] = "";
        uint8_t challenge[CHALLENGE_BYTES] = { 0 };
        struct kb kb = { .k = k };
        struct virtio_net *dev = NULL;
        size_t secret_len = 0;
        int code = EXIT_ERROR;

        rk_report_check(k, "key_released", false);
        ccada_status ast = app_args_get(k, args);
        if (ast != CCADA_OK) {
                rk_report_error(k, "keybroker-app: no arguments from the host: %s", ccada_status_text(ast));
                return;
        }
        if (!keybroker_parse_args(args, &kb.a, why, sizeof(why))) {
                rk_report_error(k, "keybroker-app: %s", why);
                return;
        }
        struct realm_task prev = *rk_current(k); /* the device comes up in the kernel's context */
        struct pci_root *root = rk_zalloc(k, 1, sizeof(*root));
        ccada_status st = root ? virtio_net_probe_first(k, root, &dev) : CCADA_E_NOMEM;
        if (st == CCADA_E_UNSUPPORTED)
                kb_error(&kb, EXIT_ERROR, "no virtio-net device (give the machine --device virtio-net)");
        else if (st != CCADA_OK)
                kb_error(&kb, EXIT_ERROR, "the virtio-net device cannot be used: %s", ccada_status_text(st));
        if (st == CCADA_OK && (st = rk_net_up(k, dev, NULL, &kb.net)) != CCADA_OK)
                kb_error(&kb, EXIT_ERROR, "the network cannot come up: %s", ccada_status_text(st));
        struct swiotlb_stats before = { 0 }, after = { 0 };
        if (rk_default_swiotlb(k))
                swiotlb_get_stats(rk_default_swiotlb(k), &before);
        if (st == CCADA_OK) {
                rk_set_current(k, KEYBROKER_COMM, KEYBROKER_PID);
                code = run(&kb, challenge, evidence_url, sizeof(evidence_url), secret, &secret_len);
                rk_set_current(k, prev.comm, prev.pid); /* exited; the kernel finishes the closes */
        }
        rk_net_down(kb.net);
        if (rk_default_swiotlb(k))
                swiotlb_get_stats(rk_default_swiotlb(k), &after);
        kb.bounces = after.bounces - before.bounces;
        kb.bounced_bytes = after.bounced_bytes - before.bounced_bytes;
        if (dev)
                report(&kb, code, challenge, evidence_url, secret, dev);
        if (kb.error[0])
                rk_report_error(k, "keybroker-app: %s", kb.error);
        rk_report_check(k, "key_released", code == EXIT_RELEASED);
        secure_zero(secret, sizeof(secret));
        rsa_key_free(kb.rsa);
        virtio_net_destroy(dev);
        rk_kfree(k, root);
}
