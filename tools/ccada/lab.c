/* ccada lab: the learning path's lab in one command (learning-path/4.lab-observe-bounce-
 * buffers.md): a Key Broker on this host's loopback, a Realm with virtio-net on libslirp,
 * and in it keybroker-app asking the broker for the key skywalker. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/machine.h"
#include "ccada/report.h"
#include "cli.h"
#include "lib/base64.h"
#include "lib/crypto.h"
#include "lib/ec.h"
#include "lib/x509.h"
#include "machine_opts.h"
#include "relying/kbs_http.h"

#define LAB_KEY "skywalker"
#define LAB_SECRET "May the force be with you."
#define LAB_APP_TAG "keybroker-app-" /* the lab's grep */
#define NET_VIEW_SHOWN 400            /* characters of the host's HTTP lines shown */

void cli_lab_help(FILE *f)
{
        fputs("usage: ccada lab [--tls] [--refused] [--endpoint URL [--pin SHA256]] [--all] [--json] [options]\n"
              "\n"
              "The learning path's lab in one command. A Key Broker (ccada kbs) listens on a\n"
              "free port of this host's 127.0.0.1 and holds the key 'skywalker'; a Realm boots\n"
              "with virtio-net at 0000:00:00.0 on libslirp's user-mode network (the host is\n"
              "10.0.2.2 there) and runs, as a user types it in the Realm's shell:\n"
              "    keybroker-app -v --endpoint http://10.0.2.2:PORT skywalker\n"
              "The app makes an RSA key, gets a challenge, asks the RMM for an attestation\n"
              "token over it, sends the token and gets the key wrapped to its RSA key. Shown:\n"
              "the app's lines, the broker's (\"[kbs]\") and the swiotlb_bounced lines of\n"
              "keybroker-app- tasks, as the lab's `grep keybroker-app- trace_pipe` shows them,\n"
              "then the key. The broker trusts this machine's platform key and this Realm's\n"
              "RIM (what `ccada measure` prints).\n"
              "\n"
              "options:\n"
              "  --tls              the broker serves HTTPS (TLS 1.3, a certificate made for the\n"
              "                     run) and the app checks it against its SHA-256 (--pin=...):\n"
              "                     the host then sees only TLS records in the bounce buffers\n"
              "  --refused          the broker knows no reference value (the lab's first try):\n"
              "                     it refuses the token (403), prints the RIM to trust, and\n"
              "                     the app exits 1\n"
              "  --endpoint URL     use a broker that already listens instead (the real\n"
              "                     keybroker-demo server, or ccada kbs): URL as the Realm\n"
              "                     reaches it, http://10.0.2.2:PORT for this host's\n"
              "                     127.0.0.1:PORT; its Locations must name that address too\n"
              "  --pin SHA256       with an https:// --endpoint: the SHA-256 of the broker's\n"
              "                     certificate (64 hex digits), which the app checks\n"
              "  --all              show every swiotlb_bounced line and console line, not\n"
              "                     only the app's\n"
              "  --json             print the outcome as JSON on stdout (the story on stderr)\n",
              f);
        machine_opts_help(f);
        fputs("  -h, --help         show this help\n"
              "\n"
              "exit status: keybroker-app's: 0 the key was released, 1 attestation failure,\n"
              "2 any other error (also for usage errors)\n",
              f);
}

enum { L_REFUSED = 256, L_ENDPOINT, L_ALL, L_JSON, L_TLS, L_PIN };

struct lab_opts {
        struct machine_opts m;
        bool refused, all, json, tls;
        const char *endpoint;
        const char *pin;                /* 64 hex digits, for an https --endpoint */
};

static int lab_opt(void *ctx, int c, const char *arg)
{
        struct lab_opts *o = ctx;
        switch (c) {
        case L_REFUSED: o->refused = true; return CLI_OK;
        case L_ALL: o->all = true; return CLI_OK;
        case L_JSON: o->json = true; return CLI_OK;
        case L_TLS: o->tls = true; return CLI_OK;
        case L_PIN:
                if (strlen(arg) != 64 || strspn(arg, "0123456789abcdefABCDEF") != 64)
                        return cli_bad_value("lab", "--pin", arg, "the SHA-256 of the broker's certificate, 64 hex digits");
                o->pin = arg;
                return CLI_OK;
        case L_ENDPOINT:
                if ((strncmp(arg, "http://", 7) && strncmp(arg, "https://", 8)) || strlen(arg) > 160 ||
                    strpbrk(arg, " \r\n\"?#"))
                        return cli_bad_value("lab", "--endpoint", arg, "an http:// or https:// URL of at most 160 characters");
                o->endpoint = arg;
                return CLI_OK;
        default: return cli_lab_help(stderr), CLI_USAGE;
        }
}

/* The broker this lab starts: trusts the machine's platform key and, unless refused, the
 * Realm's RIM. */
struct lab_broker {
        struct kbs *kbs;
        struct kbs_server *srv;
        struct ec_key *iak;
        struct kbs_config cfg;
        char endpoint[64];
        uint16_t port;
        char rim_b64[96];
        bool tls;
        char pin_hex[2 * X509_CERT_PIN_LEN + 1]; /* with tls: SHA-256 of its certificate */
};

static bool rim_and_iak(const struct ccada_machine_config *cfg, struct lab_broker *k, uint8_t rim[64], size_t *rim_len)
{
        struct ccada_machine *m = NULL;
        char *pem = NULL, why[EC_WHY_LEN + 64] = "";
        ccada_status st = ccada_machine_create(&m, cfg);
        if (st == CCADA_OK && (st = ccada_machine_measure(m, rim, rim_len)) == CCADA_OK)
                st = ccada_machine_iak_public_pem(m, &pem, why, sizeof(why));
        ccada_machine_destroy(m);
        bool ok = st == CCADA_OK && pem && ec_key_from_pem(&k->iak, pem, strlen(pem), why);
        if (!ok)
                fprintf(stderr, "ccada lab: cannot measure the Realm or read the platform key: %s\n",
                        st != CCADA_OK ? ccada_status_text(st) : why);
        free(pem);
        return ok;
}

/* Starts the broker on a free loopback port; its Locations name http://10.0.2.2:PORT. */
/* The broker's own certificate for 10.0.2.2 (as the Realm reaches it), a day long. */
static bool serve_tls(struct lab_broker *k, FILE *log, char *why)
{
        char *cert = NULL, *key = NULL, xwhy[X509_CERT_WHY_LEN];
        uint8_t pin[X509_CERT_PIN_LEN];
        if (!x509_self_signed("ccada kbs", "10.0.2.2", 1, &cert, &key, pin, xwhy)) {
                snprintf(why, KBS_HTTP_WHY_LEN, "no certificate: %s", xwhy);
                return false;
        }
        for (unsigned i = 0; i < X509_CERT_PIN_LEN; i++)
                snprintf(k->pin_hex + 2 * i, 3, "%02x", pin[i]);
        bool ok = kbs_server_start_tls(&k->srv, k->kbs, "127.0.0.1", k->port, log, cert, key, why);
        secure_zero(key, strlen(key));
        free(key);
        free(cert);
        return ok;
}

static bool kbs_up(const struct ccada_machine_config *mc, bool refused, struct lab_broker *k, FILE *log)
{
        uint8_t rim[64];
        size_t rim_len = 0;
        char why[KBS_HTTP_WHY_LEN];
        if (!rim_and_iak(mc, k, rim, &rim_len))
                return false;
        if (!kbs_key_parse(LAB_KEY "=" LAB_SECRET, &k->cfg, why)) {
                fprintf(stderr, "ccada lab: %s\n", why);
                return false;
        }
        b64_encode(rim, rim_len, k->rim_b64, sizeof(k->rim_b64));
        k->cfg.iak = k->iak;
        if (!refused) {
                memcpy(k->cfg.rims[0].value, rim, rim_len);
                k->cfg.rims[0].len = rim_len;
                k->cfg.nrims = 1;
        }
        /* The port is known once listening; a first server finds a free one. */
        struct kbs_config probe = { .endpoint = "http://x" };
        struct kbs *pk = NULL;
        struct kbs_server *ps = NULL;
        if (!kbs_create(&pk, &probe) || !kbs_server_start(&ps, pk, "127.0.0.1", 0, NULL, why)) {
                fprintf(stderr, "ccada lab: cannot start the Key Broker: %s\n", pk ? why : "out of memory");
                kbs_destroy(pk);
                return false;
        }
        k->port = kbs_server_port(ps);
        kbs_server_stop(ps);
        kbs_destroy(pk);
        snprintf(k->endpoint, sizeof(k->endpoint), "%s://10.0.2.2:%u", k->tls ? "https" : "http", k->port);
        k->cfg.endpoint = k->endpoint;
        if (!kbs_create(&k->kbs, &k->cfg) ||
            !(k->tls ? serve_tls(k, log, why) : kbs_server_start(&k->srv, k->kbs, "127.0.0.1", k->port, log, why))) {
                fprintf(stderr, "ccada lab: cannot start the Key Broker: %s\n", k->kbs ? why : "out of memory");
                return false;
        }
        return true;
}

static void kbs_down(struct lab_broker *k)
{
        kbs_server_stop(k->srv);
        kbs_destroy(k->kbs);
        ec_key_free(k->iak);
}

struct lab_broker *lab_broker_start(const struct ccada_machine_config *cfg, bool trust_rim, bool tls, FILE *log)
{
        struct lab_broker *k = calloc(1, sizeof(*k));
        if (!k) {
                fprintf(stderr, "ccada: out of memory for the Key Broker\n");
                return NULL;
        }
        k->tls = tls;
        if (!kbs_up(cfg, !trust_rim, k, log)) {
                lab_broker_stop(k);
                return NULL;
        }
        return k;
}

const char *lab_broker_endpoint(const struct lab_broker *k) { return k->endpoint; }
const char *lab_broker_pin(const struct lab_broker *k) { return k->tls ? k->pin_hex : NULL; }

void lab_broker_stop(struct lab_broker *k)
{
        if (!k)
                return;
        kbs_down(k);
        free(k);
}

/* What the run printed, in order (console, trace, broker), shown as the lab shows it. */
struct story {
        unsigned app_bounces, bounces;
        uint64_t bounced_bytes;
};

static void tell(const char *text, bool all, FILE *out, struct story *s)
{
        for (const char *l = text; l && *l;) {
                const char *end = strchr(l, '\n');
                size_t n = end ? (size_t)(end - l) : strlen(l);
                char line[1200];
                snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) - 1 ? n : sizeof(line) - 1), l);
                l = end ? end + 1 : NULL;
                if (strstr(line, "swiotlb_bounced:") && strstr(line, "dev_name: 0000:00:00.0")) {
                        const char *size = strstr(line, " size=");
                        s->bounces++;
                        s->bounced_bytes += size ? strtoull(size + 6, NULL, 10) : 0;
                        bool app = strstr(line, LAB_APP_TAG) != NULL;
                        s->app_bounces += app;
                        if (app || all)
                                fprintf(out, "%s\n", line);
                } else if (!strncmp(line, "ccada kbs: ", 11)) {
                        fprintf(out, "[kbs] %s\n", line + 11);
                } else if (!strncmp(line, "[realm] INFO ", 13)) {
                        fprintf(out, "%s\n", line + 8);
                } else if (all) {
                        fprintf(out, "%s\n", line);
                }
        }
}

static const char *text_of(const struct ccada_report *r, const char *sec, const char *key)
{
        struct ccada_report_value v;
        return ccada_report_get(r, sec, key, &v) && v.text ? v.text : "";
}

static uint64_t u64_of(const struct ccada_report *r, const char *sec, const char *key, uint64_t dflt)
{
        struct ccada_report_value v;
        return ccada_report_get(r, sec, key, &v) ? v.u : dflt;
}

static bool bool_of(const struct ccada_report *r, const char *sec, const char *key)
{
        struct ccada_report_value v;
        return ccada_report_get(r, sec, key, &v) && v.b;
}

/* The learning path's closing point, shown: what left the Realm's protection. */
static void host_view(const struct ccada_report *r, FILE *out)
{
        const char *sec = "net_host_view";
        fprintf(out, "ccada lab: what the host read in the Realm's bounce buffers (TCP payload, both ways):\n");
        fprintf(out, "  %llu frames out, %llu in; %llu TCP bytes out, %llu in; %llu TLS records\n",
                (unsigned long long)u64_of(r, sec, "frames_out", 0), (unsigned long long)u64_of(r, sec, "frames_in", 0),
                (unsigned long long)u64_of(r, sec, "tcp_bytes_out", 0),
                (unsigned long long)u64_of(r, sec, "tcp_bytes_in", 0),
                (unsigned long long)(u64_of(r, sec, "tls_records_out", 0) + u64_of(r, sec, "tls_records_in", 0)));
        const char *lines[] = { text_of(r, sec, "http_out"), text_of(r, sec, "http_in") };
        const char *what[] = { "requests", "answers" };
        for (unsigned i = 0; i < 2; i++) {
                char buf[NET_VIEW_SHOWN];
                snprintf(buf, sizeof(buf), "%s", lines[i]);
                if (strlen(lines[i]) >= sizeof(buf))
                        memcpy(buf + sizeof(buf) - 4, "...", 4);
                fprintf(out, "  %s in clear: %s\n", what[i], buf[0] ? buf : "none");
        }
        bool token = bool_of(r, sec, "cca_token_in_clear"), jwk = bool_of(r, sec, "rsa_jwk_in_clear"),
             wrapped = bool_of(r, sec, "wrapped_key_in_clear");
        fprintf(out, "  the attestation token: %s; the Realm's RSA public key: %s; the wrapped key: %s\n",
                token ? "readable" : "not seen", jwk ? "readable" : "not seen",
                wrapped ? "readable, but useless without the Realm's private key, which never left it" : "not seen");
}

static void print_json(const struct lab_opts *o, const char *endpoint, const struct ccada_report *r,
                       const struct story *s, int code)
{
        struct ccada_report *j;
        if (ccada_report_create(&j) != CCADA_OK)
                return;
        struct ccada_report_section *a = ccada_report_section(j, "attestation");
        ccada_report_text(a, "challenge", text_of(r, "keybroker", "challenge"));
        ccada_report_u64(a, "token_len", u64_of(r, "keybroker", "token_len", 0));
        ccada_report_text(a, "rim", text_of(r, "", "rim"));
        ccada_report_bool(a, "verified", code == 0);
        ccada_report_text(a, "verifier", o->endpoint ? "the broker at --endpoint" : "ccada kbs (as ccada token verify)");
        struct ccada_report_section *b = ccada_report_section(j, "kbs");
        ccada_report_text(b, "result", code == 0 ? "released" : code == 1 ? "refused" : "error");
        ccada_report_text(b, "key_name", LAB_KEY);
        ccada_report_text(b, "key", text_of(r, "keybroker", "key"));
        ccada_report_text(b, "endpoint", endpoint);
        ccada_report_u64(b, "http_status", u64_of(r, "keybroker", "http_status", 0));
        ccada_report_u64(b, "exit_code", (uint64_t)code);
        ccada_report_text(b, "error", text_of(r, "", "error"));
        ccada_report_u64(b, "requests", u64_of(r, "keybroker", "requests", 0));
        ccada_report_u64(b, "frames_out", u64_of(r, "keybroker", "frames_out", 0));
        ccada_report_u64(b, "frames_in", u64_of(r, "keybroker", "frames_in", 0));
        ccada_report_u64(b, "bytes_out", u64_of(r, "keybroker", "bytes_out", 0));
        ccada_report_u64(b, "bytes_in", u64_of(r, "keybroker", "bytes_in", 0));
        ccada_report_u64(b, "bounces", s->bounces);
        ccada_report_u64(b, "bounced_bytes", s->bounced_bytes);
        ccada_report_u64(b, "app_bounces", s->app_bounces);
        struct ccada_report_section *h = ccada_report_section(j, "host_view");
        static const char *const keys[] = { "frames_out", "frames_in", "tcp_bytes_out", "tcp_bytes_in",
                                            "tls_records_out", "tls_records_in" };
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
                ccada_report_u64(h, keys[i], u64_of(r, "net_host_view", keys[i], 0));
        ccada_report_text(h, "http_out", text_of(r, "net_host_view", "http_out"));
        ccada_report_text(h, "http_in", text_of(r, "net_host_view", "http_in"));
        ccada_report_bool(h, "cca_token_in_clear", bool_of(r, "net_host_view", "cca_token_in_clear"));
        ccada_report_bool(h, "rsa_jwk_in_clear", bool_of(r, "net_host_view", "rsa_jwk_in_clear"));
        ccada_report_bool(h, "wrapped_key_in_clear", bool_of(r, "net_host_view", "wrapped_key_in_clear"));
        ccada_report_check(j, "key_released", code == 0);
        if (!ccada_report_print_json(j, stdout))
                fprintf(stderr, "ccada lab: writing the JSON failed\n");
        ccada_report_destroy(j);
}

static int run_lab(struct lab_opts *o)
{
        struct lab_broker *kp = NULL;
        char args[240], *text = NULL;
        size_t text_len = 0;
        struct story s = { 0 };
        FILE *out = o->json ? stderr : stdout;
        FILE *mem = open_memstream(&text, &text_len);
        int code = 2;
        if (!mem)
                return CLI_FAIL;
        o->m.cfg.console = mem;
        o->m.cfg.trace_pipe = mem;
        o->m.cfg.trace_events = "swiotlb_bounced";
        if (!o->endpoint && !(kp = lab_broker_start(&o->m.cfg, !o->refused, o->tls, mem))) {
                fclose(mem);
                free(text);
                return 2;
        }
        const struct lab_broker *k = kp;
        char endpoint[192]; /* kept past the broker's end, for the JSON */
        snprintf(endpoint, sizeof(endpoint), "%s", o->endpoint ? o->endpoint : k->endpoint);
        if (k && k->tls) /* the lab's own endpoint is short: "https://10.0.2.2:PORT" */
                snprintf(args, sizeof(args), "-v --endpoint %.64s --pin=%s " LAB_KEY, endpoint, k->pin_hex);
        else if (o->pin)
                snprintf(args, sizeof(args), "-v --endpoint %.100s --pin=%.64s " LAB_KEY, endpoint, o->pin);
        else
                snprintf(args, sizeof(args), "-v --endpoint %.160s " LAB_KEY, endpoint);
        o->m.cfg.app_args = args;
        if (!o->endpoint)
                fprintf(out, "ccada lab: Key Broker on 127.0.0.1:%u (the Realm's %s), key '" LAB_KEY "', %s\n", k->port,
                        k->endpoint, o->refused ? "no reference values (--refused)" : "releasing to this Realm's RIM");
        fprintf(out, "ccada lab: a Realm with virtio-net at 0000:00:00.0; in it:\n# keybroker-app %s\n", args);
        fflush(out);
        struct ccada_report *r = NULL;
        bool trace_ok = true;
        int rc = machine_opts_run(&o->m, &r, &trace_ok);
        char rim_b64[96] = "";
        if (k)
                snprintf(rim_b64, sizeof(rim_b64), "%s", k->rim_b64);
        lab_broker_stop(kp); /* its thread's last line is in mem now */
        kp = NULL;
        k = NULL;
        fclose(mem);
        tell(text, o->all, out, &s);
        free(text);
        if (rc == CLI_OK && r) {
                code = (int)u64_of(r, "keybroker", "exit_code", 2);
                const char *key = text_of(r, "keybroker", "key");
                const char *err = text_of(r, "", "error");
                if (code == 0)
                        fprintf(out, "%s\n", key);
                else if (!strncmp(err, "keybroker-app: ", 15))
                        fprintf(out, "ccada lab: keybroker-app exited %d: %s\n", code, err + 15);
                else
                        fprintf(out, "ccada lab: keybroker-app exited %d: %s\n", code, err[0] && strcmp(err, "-") ? err : "no reason given");
                host_view(r, out);
                if (code == 1 && o->refused && !o->endpoint)
                        fprintf(out, "ccada lab: the broker had no reference value; this Realm's RIM is %s\n"
                                "ccada lab: trusted, it would release the key (ccada kbs --reference-values, or run\n"
                                "ccada lab without --refused)\n", rim_b64);
                if (o->json)
                        print_json(o, endpoint, r, &s, code);
        }
        ccada_report_destroy(r);
        return code;
}

int cli_lab(int argc, char **argv)
{
        static const struct option own[] = {
                { "refused", no_argument, NULL, L_REFUSED },
                { "endpoint", required_argument, NULL, L_ENDPOINT },
                { "all", no_argument, NULL, L_ALL },
                { "json", no_argument, NULL, L_JSON },
                { "tls", no_argument, NULL, L_TLS },
                { "pin", required_argument, NULL, L_PIN },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct lab_opts *o = calloc(1, sizeof(*o));
        if (!o)
                return CLI_FAIL;
        machine_opts_init(&o->m, "lab");
        o->m.cfg.workload = "keybroker-app";
        o->m.cfg.devices[0] = (struct ccada_device_cfg){ .type = "virtio-net" };
        o->m.cfg.ndevices = 1;
        int rc = machine_opts_parse(&o->m, argc, argv, own, lab_opt, o, cli_lab_help, 0);
        if (rc) {
                free(o);
                return rc < 0 ? CLI_OK : rc;
        }
        if (o->tls && o->endpoint) {
                fprintf(stderr, "ccada lab: --tls makes the lab's own broker serve HTTPS; with --endpoint, give an\n"
                        "https:// URL and --pin instead\n");
                free(o);
                return CLI_USAGE;
        }
        bool https = o->endpoint && !strncmp(o->endpoint, "https://", 8);
        if (https != (o->pin != NULL)) {
                fprintf(stderr, "ccada lab: %s\n", https ? "an https:// --endpoint needs --pin, the SHA-256 of the broker's "
                                                           "certificate (the Realm has no CA store)"
                                                         : "--pin goes with an https:// --endpoint");
                free(o);
                return CLI_USAGE;
        }
        if (o->m.cfg.normal_vm) {
                fprintf(stderr, "ccada lab: --vm normal has no attestation: the lab needs a Realm\n");
                free(o);
                return CLI_USAGE;
        }
        rc = run_lab(o);
        free(o);
        return rc;
}
