/* ccada spdm responder|requester: ccada's device and ccada's TSM as peers on DMTF's emulator
 * socket protocol (include/ccada/spdm.h), against each other, against DMTF's
 * spdm_requester_emu / spdm_responder_emu, or against a device's own firmware. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/spdm.h"
#include "cli.h"

void cli_spdm_help(FILE *f)
{
        fputs("usage: ccada spdm responder [--listen ADDR:PORT] [--cert-dir DIR | --seed N] [--root-out FILE]\n"
              "                            [--fw-version V] [--debug] [--no-handshake-in-the-clear] [--once] [--pcap FILE] [-v]\n"
              "       ccada spdm requester --connect ADDR:PORT [--trust-anchor CA.der | --cert-dir DIR]\n"
              "                            [--no-hello] [--timeout S] [--keep-open] [--json] [--pcap FILE]\n"
              "                            [--no-handshake-in-the-clear]\n"
              "\n"
              "SPDM 1.2 device attestation over PCIe DOE, carried on the socket protocol of DMTF's\n"
              "spdm-emu (TEST, NORMAL, SHUTDOWN, CONTINUE frames; transport PCI_DOE).\n"
              "\n"
              "responder: ccada's device (its SPDM responder) serves one connection at a time until\n"
              "a SHUTDOWN frame. It prints \"listening on ADDR:PORT\" first, then a line per connection.\n"
              "  --listen ADDR:PORT  where to listen (default 127.0.0.1:2323; port 0: any free one)\n"
              "  --cert-dir DIR      the device's identity from DIR (files of `ccada pki --out DIR`)\n"
              "  --seed N            otherwise a test PKI made from seed N (default 1)\n"
              "  --root-out FILE     write the root CA certificate it presents (DER): the trust\n"
              "                      anchor to give a requester (replaces FILE). A seed gives the\n"
              "                      same keys on every run but not the same certificates (ECDSA\n"
              "                      signatures are randomised): use this, or --cert-dir on both sides\n"
              "  --fw-version V      the firmware version the device measures (default 1.0.0)\n"
              "  --debug             the device runs in invasive debug mode (measured)\n"
              "  --no-handshake-in-the-clear\n"
              "                      do not offer HANDSHAKE_IN_THE_CLEAR: FINISH is encrypted\n"
              "  --once              serve one connection, then exit\n"
              "  --pcap FILE         capture every DOE object (pcap, linktype 292; replaces FILE)\n"
              "  -v, --verbose       a line per DOE object too\n"
              "\n"
              "requester: ccada's TSM (the RMM's SPDM requester) attests the device at ADDR:PORT:\n"
              "TEST hello, DOE discovery, VERSION, CAPABILITIES, ALGORITHMS, DIGESTS, CERTIFICATE,\n"
              "CHALLENGE, signed MEASUREMENTS, KEY_EXCHANGE, FINISH, then HEARTBEAT, KEY_UPDATE and\n"
              "END_SESSION in the session, then SHUTDOWN. Prints each message and the verdict;\n"
              "exits 0 when the device is attested, 1 otherwise.\n"
              "  --connect ADDR:PORT the responder (spdm_responder_emu listens on 127.0.0.1:2323)\n"
              "  --trust-anchor CA   the root CA certificate the device's chain must lead to (DER or\n"
              "                      PEM; for spdm_responder_emu its ecp384/ca.cert.der)\n"
              "  --cert-dir DIR      or DIR/root_ca.der\n"
              "  --no-hello          skip the TEST hello (as TF-RMM's host harness does)\n"
              "  --timeout S         seconds to wait to connect and for each answer (default 10)\n"
              "  --keep-open         end with CONTINUE (the responder waits for the next connection)\n"
              "                      instead of SHUTDOWN (it exits)\n"
              "  --json              the verdict and every message as one JSON object\n"
              "  --pcap FILE         capture every DOE object (pcap, linktype 292; replaces FILE)\n"
              "  --no-handshake-in-the-clear\n"
              "                      do not offer HANDSHAKE_IN_THE_CLEAR: FINISH is encrypted\n"
              "  -h, --help          show this help\n",
              f);
}

enum { O_LISTEN = 256, O_CONNECT, O_CERT_DIR, O_SEED, O_FW, O_DEBUG, O_NO_CLEAR, O_ONCE, O_PCAP, O_ANCHOR,
       O_NO_HELLO, O_TIMEOUT, O_KEEP_OPEN, O_JSON, O_ROOT_OUT };

static int endpoint(const char *opt, const char *arg, struct ccada_spdm_endpoint *ep)
{
        char why[CCADA_SPDM_WHY_LEN];
        return ccada_spdm_endpoint_parse(arg, ep, why) ? CLI_OK : cli_bad_value("spdm", opt, arg, why);
}

static int responder_opt(struct ccada_spdm_responder_opts *o, int c, const char *arg)
{
        const struct cli_number_opt seed = { "spdm", "--seed", false, 0, UINT64_MAX, 0, "" };
        switch (c) {
        case O_LISTEN: return endpoint("--listen", arg, &o->listen);
        case O_CERT_DIR: o->cert_dir = arg; return CLI_OK;
        case O_SEED: return cli_number(&seed, arg, &o->seed);
        case O_FW:
                if (!arg[0] || strlen(arg) > 63 || strpbrk(arg, "\r\n"))
                        return cli_bad_value("spdm", "--fw-version", arg, "must be 1 to 63 characters on one line");
                o->fw_version = arg;
                return CLI_OK;
        case O_DEBUG: o->debug = true; return CLI_OK;
        case O_NO_CLEAR: o->no_handshake_in_the_clear = true; return CLI_OK;
        case O_ONCE: o->once = true; return CLI_OK;
        case O_PCAP: o->pcap = arg; return CLI_OK;
        case O_ROOT_OUT: o->root_out = arg; return CLI_OK;
        case 'v': o->verbose = true; return CLI_OK;
        default: return cli_spdm_help(c == 'h' ? stdout : stderr), c == 'h' ? -1 : CLI_USAGE;
        }
}

static int responder(int argc, char **argv)
{
        static const struct option opts[] = {
                { "listen", required_argument, NULL, O_LISTEN }, { "cert-dir", required_argument, NULL, O_CERT_DIR },
                { "seed", required_argument, NULL, O_SEED },     { "fw-version", required_argument, NULL, O_FW },
                { "debug", no_argument, NULL, O_DEBUG },         { "no-handshake-in-the-clear", no_argument, NULL, O_NO_CLEAR },
                { "once", no_argument, NULL, O_ONCE },           { "pcap", required_argument, NULL, O_PCAP },
                { "root-out", required_argument, NULL, O_ROOT_OUT },
                { "verbose", no_argument, NULL, 'v' },           { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        struct ccada_spdm_responder_opts o = { .seed = 1, .log = stdout };
        struct ccada_spdm_server *s = NULL;
        char why[CCADA_SPDM_WHY_LEN] = "";
        bool seed_given = false;
        int c, rc;
        snprintf(o.listen.host, sizeof(o.listen.host), "127.0.0.1");
        o.listen.port = CCADA_SPDM_DEFAULT_PORT;
        optind = 1;
        while ((c = getopt_long(argc, argv, "hv", opts, NULL)) != -1) {
                seed_given |= c == O_SEED;
                if ((rc = responder_opt(&o, c, optarg)) != CLI_OK)
                        return rc < 0 ? CLI_OK : rc;
        }
        if (optind != argc) {
                fprintf(stderr, "ccada spdm responder: unexpected '%s'\n", argv[optind]);
                return CLI_USAGE;
        }
        if (seed_given && o.cert_dir) {
                fprintf(stderr, "ccada spdm responder: --seed and --cert-dir exclude each other: the identity is "
                                "made from the seed or read from the directory\n");
                return CLI_USAGE;
        }
        if (ccada_spdm_server_open(&s, &o, why) != CCADA_OK) {
                fprintf(stderr, "ccada spdm responder: %s\n", why);
                return CLI_FAIL;
        }
        const char *addr = ccada_spdm_server_address(s);
        printf(strchr(addr, ':') ? "listening on [%s]:%u\n" : "listening on %s:%u\n", addr,
               (unsigned)ccada_spdm_server_port(s));
        fflush(stdout);
        ccada_status st = ccada_spdm_server_run(s, why);
        ccada_spdm_server_close(s);
        if (st != CCADA_OK) {
                fprintf(stderr, "ccada spdm responder: %s\n", why);
                return CLI_FAIL;
        }
        return CLI_OK;
}

struct req_cli {
        struct ccada_spdm_requester_opts o;
        bool json, connect_given;
};

static int requester_opt(struct req_cli *r, int c, const char *arg)
{
        const struct cli_number_opt timeout = { "spdm", "--timeout", false, 1, 3600, 0, "must be 1..3600 seconds" };
        uint64_t s;
        switch (c) {
        case O_CONNECT: r->connect_given = true; return endpoint("--connect", arg, &r->o.connect);
        case O_ANCHOR: r->o.trust_anchor = arg; return CLI_OK;
        case O_CERT_DIR: r->o.cert_dir = arg; return CLI_OK;
        case O_NO_HELLO: r->o.no_hello = true; return CLI_OK;
        case O_TIMEOUT:
                if (cli_number(&timeout, arg, &s) != CLI_OK)
                        return CLI_USAGE;
                r->o.timeout_ms = (unsigned)s * 1000u;
                return CLI_OK;
        case O_KEEP_OPEN: r->o.keep_open = true; return CLI_OK;
        case O_JSON: r->json = true; return CLI_OK;
        case O_PCAP: r->o.pcap = arg; return CLI_OK;
        case O_NO_CLEAR: r->o.no_handshake_in_the_clear = true; return CLI_OK;
        default: return cli_spdm_help(c == 'h' ? stdout : stderr), c == 'h' ? -1 : CLI_USAGE;
        }
}

static int requester(int argc, char **argv)
{
        static const struct option opts[] = {
                { "connect", required_argument, NULL, O_CONNECT }, { "trust-anchor", required_argument, NULL, O_ANCHOR },
                { "cert-dir", required_argument, NULL, O_CERT_DIR }, { "no-hello", no_argument, NULL, O_NO_HELLO },
                { "timeout", required_argument, NULL, O_TIMEOUT }, { "keep-open", no_argument, NULL, O_KEEP_OPEN },
                { "json", no_argument, NULL, O_JSON },             { "pcap", required_argument, NULL, O_PCAP },
                { "no-handshake-in-the-clear", no_argument, NULL, O_NO_CLEAR },
                { "help", no_argument, NULL, 'h' },                { 0 },
        };
        struct req_cli r = { 0 };
        int c, rc;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
                if ((rc = requester_opt(&r, c, optarg)) != CLI_OK)
                        return rc < 0 ? CLI_OK : rc;
        if (optind != argc) {
                fprintf(stderr, "ccada spdm requester: unexpected '%s'\n", argv[optind]);
                return CLI_USAGE;
        }
        if (!r.connect_given) {
                fprintf(stderr, "ccada spdm requester: give --connect ADDR:PORT, where the responder listens "
                                "(spdm_responder_emu and ccada spdm responder: 127.0.0.1:2323)\n");
                return CLI_USAGE;
        }
        if (!r.o.trust_anchor == !r.o.cert_dir) {
                fprintf(stderr, "ccada spdm requester: give one of --trust-anchor CA.der (the root CA the device's "
                                "certificates lead to) or --cert-dir DIR (its root_ca.der, as `ccada pki --out DIR` "
                                "writes it)\n");
                return CLI_USAGE;
        }
        struct ccada_spdm_verdict *v = calloc(1, sizeof(*v));
        if (!v) {
                fprintf(stderr, "ccada spdm requester: out of memory\n");
                return CLI_FAIL;
        }
        r.o.log = r.json ? NULL : stdout;
        ccada_status st = ccada_spdm_requester_run(&r.o, v);
        bool printed = true;
        if (r.json)
                printed = ccada_spdm_verdict_json(stdout, v);
        else
                ccada_spdm_verdict_print(stdout, v);
        if (st != CCADA_OK)
                fprintf(stderr, "ccada spdm requester: %s: %s\n", v->error, v->why);
        else if (!v->goodbye_echoed)
                fprintf(stderr, "ccada spdm requester: note: the responder did not echo %s\n",
                        r.o.keep_open ? "CONTINUE" : "SHUTDOWN");
        free(v);
        return st == CCADA_OK && printed ? CLI_OK : CLI_FAIL;
}

int cli_spdm(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "ccada spdm: name the side: responder or requester\n");
                cli_spdm_help(stderr);
                return CLI_USAGE;
        }
        if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
                return cli_spdm_help(stdout), CLI_OK;
        if (!strcmp(argv[1], "responder"))
                return responder(argc - 1, argv + 1);
        if (!strcmp(argv[1], "requester"))
                return requester(argc - 1, argv + 1);
        fprintf(stderr, "ccada spdm: unknown side '%s' (responder or requester)\n", argv[1]);
        return CLI_USAGE;
}
