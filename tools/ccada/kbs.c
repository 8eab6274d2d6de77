/* ccada kbs: the Key Broker (src/relying/kbs.c) on a loopback port, until SIGINT/SIGTERM. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/machine.h"
#include "cli.h"
#include "lib/crypto.h"
#include "relying/kbs_http.h"

void cli_kbs_help(FILE *f)
{
        fputs("usage: ccada kbs [--addr 127.0.0.1] [--port 8088] [--endpoint URL] [--key NAME=SECRET]...\n"
              "                 [--reference-values FILE] [--iak PUB.pem | --seed N]\n"
              "\n"
              "A Key Broker with the REST API of veraison/keybroker-demo: POST /keys/v1/key/NAME\n"
              "with an RSA JWK gives a challenge; POST of a CCA token over it (base64url) gives\n"
              "the key wrapped to that RSA key, when the token verifies and its RIM is a\n"
              "reference value. It verifies tokens itself, as ccada token verify does. Serves\n"
              "until interrupted (Ctrl-C); one line per request on stdout.\n"
              "\n"
              "options:\n"
              "  --addr ADDR        IPv4 address to listen on (default 127.0.0.1)\n"
              "  --port N           TCP port (default 8088; 0: any free one, printed)\n"
              "  --endpoint URL     the URL clients reach the broker at, which starts every\n"
              "                     challenge's Location (default http://ADDR:PORT). A Realm on\n"
              "                     ccada's virtio-net reaches this host's 127.0.0.1:PORT as\n"
              "                     http://10.0.2.2:PORT: give that\n"
              "  --key NAME=SECRET  a key to hold (repeatable; default skywalker=May the force\n"
              "                     be with you.)\n"
              "  --reference-values FILE\n"
              "                     {\"reference-values\": [\"<std base64 RIM>\", ...]}: the RIMs a\n"
              "                     key is released to (without it, none: a refused token's RIM\n"
              "                     is printed ready to paste into such a file)\n"
              "  --iak PUB.pem      the platform key tokens must be signed with (default: the\n"
              "                     one ccada derives from --seed, as token make uses it)\n"
              "  --seed N           that seed (default 1)\n"
              "  -h, --help         show this help\n",
              f);
}

struct kbs_opts {
        const char *addr;
        uint64_t port, seed;
        const char *iak, *rv, *endpoint;
        bool keys_given;
        struct kbs_config cfg;
};

/* path's text, malloc'd (the caller frees); NULL, said on stderr, when it cannot be read. */
static char *slurp(const char *opt, const char *path, size_t *len)
{
        char why[128], *buf = malloc(65537);
        if (buf && !cli_read_file(path, buf, 65537, len, why, sizeof(why))) {
                fprintf(stderr, "ccada kbs: %s '%s': %s\n", opt, path, why);
                free(buf);
                return NULL;
        }
        return buf;
}

static int kbs_opt(struct kbs_opts *o, int c, const char *arg)
{
        const struct cli_number_opt port = { "kbs", "--port", false, 0, 65535, 0, "must be 0..65535" };
        const struct cli_number_opt seed = { "kbs", "--seed", false, 0, UINT64_MAX, 0, "" };
        char why[128];
        switch (c) {
        case 'a': o->addr = arg; return CLI_OK;
        case 'p': return cli_number(&port, arg, &o->port);
        case 's': return cli_number(&seed, arg, &o->seed);
        case 'i': o->iak = arg; return CLI_OK;
        case 'e':
                if (strncmp(arg, "http://", 7) || strlen(arg) > 160 || strpbrk(arg, " \r\n\"?#"))
                        return cli_bad_value("kbs", "--endpoint", arg, "an http:// URL of at most 160 characters");
                o->endpoint = arg;
                return CLI_OK;
        case 'r': o->rv = arg; return CLI_OK;
        case 'k':
                if (!o->keys_given)
                        o->cfg.nkeys = 0, o->keys_given = true;
                return kbs_key_parse(arg, &o->cfg, why) ? CLI_OK : cli_bad_value("kbs", "--key", arg, why);
        default: return cli_kbs_help(c == 'h' ? stdout : stderr), c == 'h' ? -1 : CLI_USAGE;
        }
}

/* The trust anchor: --iak's file, or the IAK of a machine with --seed. */
static struct ec_key *trust_anchor(const struct kbs_opts *o)
{
        char why[EC_WHY_LEN + 64], *pem = NULL;
        size_t len = 0;
        struct ec_key *k = NULL;
        if (o->iak) {
                pem = slurp("--iak", o->iak, &len);
        } else {
                struct ccada_machine_config cfg;
                struct ccada_machine *m;
                ccada_machine_config_default(&cfg);
                cfg.seed = o->seed;
                cfg.disk_ram = true;
                if (ccada_machine_create(&m, &cfg) == CCADA_OK) {
                        if (ccada_machine_iak_public_pem(m, &pem, why, sizeof(why)) != CCADA_OK)
                                fprintf(stderr, "ccada kbs: %s\n", why);
                        ccada_machine_destroy(m);
                }
                len = pem ? strlen(pem) : 0;
        }
        if (pem && !ec_key_from_pem(&k, pem, len, why))
                fprintf(stderr, "ccada kbs: --iak '%s': %s\n", o->iak ? o->iak : "(derived)", why);
        free(pem);
        return k;
}

static int configure(struct kbs_opts *o)
{
        char why[128];
        if (o->rv) {
                size_t len;
                char *text = slurp("--reference-values", o->rv, &len);
                if (!text)
                        return CLI_FAIL;
                bool ok = kbs_reference_values_parse(text, len, &o->cfg, why);
                free(text);
                if (!ok) {
                        fprintf(stderr, "ccada kbs: --reference-values '%s': %s\n", o->rv, why);
                        return CLI_FAIL;
                }
        }
        return CLI_OK;
}

/* Serves until SIGINT or SIGTERM (blocked in every thread, taken here by sigwait). */
static int serve(struct kbs_opts *o, struct ec_key *iak)
{
        char endpoint[192], why[KBS_HTTP_WHY_LEN];
        struct kbs *k = NULL;
        struct kbs_server *srv = NULL;
        sigset_t set;
        int sig = 0;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
        o->cfg.iak = iak;
        char listen[64];
        snprintf(listen, sizeof(listen), "http://%s:%u", o->addr, (unsigned)o->port);
        snprintf(endpoint, sizeof(endpoint), "%s", o->endpoint ? o->endpoint : listen);
        size_t elen = strlen(endpoint);
        if (elen && endpoint[elen - 1] == '/')
                endpoint[elen - 1] = '\0'; /* Locations add "/keys/v1/..." */
        o->cfg.endpoint = endpoint;
        if (!kbs_create(&k, &o->cfg) || !kbs_server_start(&srv, k, o->addr, (uint16_t)o->port, stdout, why)) {
                fprintf(stderr, "ccada kbs: %s\n", k ? why : "out of memory");
                kbs_destroy(k);
                return CLI_FAIL;
        }
        printf("ccada kbs: listening on %s/keys/v1 (%zu key%s, %zu reference value%s)\n", listen, o->cfg.nkeys,
               o->cfg.nkeys == 1 ? "" : "s", o->cfg.nrims, o->cfg.nrims == 1 ? "" : "s");
        fflush(stdout);
        sigwait(&set, &sig);
        printf("ccada kbs: stopped\n");
        kbs_server_stop(srv);
        kbs_destroy(k);
        return CLI_OK;
}

/* --port 0: find a free port first, so that the endpoint (Locations) names it. */
static int pick_port(struct kbs_opts *o)
{
        struct kbs_config cfg = { .endpoint = "http://x" };
        struct kbs *k = NULL;
        struct kbs_server *srv = NULL;
        char why[KBS_HTTP_WHY_LEN];
        if (!kbs_create(&k, &cfg) || !kbs_server_start(&srv, k, o->addr, 0, NULL, why)) {
                fprintf(stderr, "ccada kbs: %s\n", k ? why : "out of memory");
                kbs_destroy(k);
                return CLI_FAIL;
        }
        o->port = kbs_server_port(srv);
        kbs_server_stop(srv);
        kbs_destroy(k);
        return CLI_OK;
}

int cli_kbs(int argc, char **argv)
{
        static const struct option opts[] = {
                { "addr", required_argument, NULL, 'a' }, { "port", required_argument, NULL, 'p' },
                { "key", required_argument, NULL, 'k' }, { "reference-values", required_argument, NULL, 'r' },
                { "iak", required_argument, NULL, 'i' }, { "seed", required_argument, NULL, 's' },
                { "endpoint", required_argument, NULL, 'e' },
                { "help", no_argument, NULL, 'h' },      { 0 },
        };
        struct kbs_opts *o = calloc(1, sizeof(*o));
        char why[128];
        int c, rc = CLI_FAIL;
        if (!o)
                return CLI_FAIL;
        o->addr = "127.0.0.1", o->port = 8088, o->seed = 1;
        if (!kbs_key_parse("skywalker=May the force be with you.", &o->cfg, why))
                goto out;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
                if ((rc = kbs_opt(o, c, optarg)) != CLI_OK) {
                        rc = rc < 0 ? CLI_OK : rc;
                        goto out;
                }
        rc = CLI_USAGE;
        if (optind != argc) {
                fprintf(stderr, "ccada kbs: unexpected '%s'\n", argv[optind]);
                goto out;
        }
        struct ec_key *iak = NULL;
        rc = CLI_FAIL;
        if (configure(o) != CLI_OK || !(iak = trust_anchor(o)) || (o->port == 0 && pick_port(o) != CLI_OK)) {
                ec_key_free(iak);
                goto out;
        }
        rc = serve(o, iak);
        ec_key_free(iak);
out:
        secure_zero(o, sizeof(*o));
        free(o);
        return rc;
}
