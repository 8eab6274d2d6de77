/* ccada: the command-line tool. One file per sub-command. Exit codes: 0 success,
 * 1 failure, 2 usage. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
        fputs("usage: ccada <command> [options]\n"
              "\n"
              "A software model of Arm CCA device attach: granule protection, an RMM (RMI/RSI),\n"
              "an untrusted host VMM and a Realm guest, all in one deterministic process.\n"
              "\n"
              "commands:\n"
              "  demo     boot a Realm on the default machine and show its memory isolation\n"
              "  run      build a machine from options, run a workload, print its report\n"
              "  bench    performance figures next to their physical limits\n"
              "  token    make, dump or verify a CCA attestation token\n"
              "  measure  print the RIM a Realm of these options gets, without running it\n"
              "  kbs      a Key Broker that releases a secret only to an attested Realm\n"
              "  lab      the learning path's lab: a Realm attests to a Key Broker over virtio-net\n"
              "  pki      write a device's test PKI (certificates and key) into a directory\n"
              "  spdm     a device's SPDM responder or a TSM's requester on DMTF's emulator protocol\n"
              "  help     show this help, or `ccada help <command>`\n"
              "\n"
              "Run `ccada <command> --help` for the options of a command.\n",
              f);
}

int main(int argc, char **argv)
{
        /* A peer that closes a socket must not kill the process: libslirp (the lab's network)
         * and GnuTLS under libmicrohttpd (the broker's HTTPS) write without MSG_NOSIGNAL, as
         * QEMU does, which ignores SIGPIPE too. Writes then fail with EPIPE and are handled. */
        signal(SIGPIPE, SIG_IGN);
        if (argc < 2) {
                usage(stderr);
                return CLI_USAGE;
        }
        const char *cmd = argv[1];
        if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
                if (argc > 2 && !strcmp(cmd, "help") && !strcmp(argv[2], "demo"))
                        return cli_demo_help(stdout), CLI_OK;
                if (argc > 2 && !strcmp(cmd, "help") && !strcmp(argv[2], "run"))
                        return cli_run_help(stdout), CLI_OK;
                if (argc > 2 && !strcmp(cmd, "help") && !strcmp(argv[2], "bench"))
                        return cli_bench_help(stdout), CLI_OK;
                if (argc > 2 && !strcmp(cmd, "help") && !strcmp(argv[2], "token"))
                        return cli_token_help(stdout), CLI_OK;
                if (argc > 2 && !strcmp(cmd, "help") && !strcmp(argv[2], "measure"))
                        return cli_measure_help(stdout), CLI_OK;
                if (argc > 2 && !strcmp(cmd, "help") && !strcmp(argv[2], "kbs"))
                        return cli_kbs_help(stdout), CLI_OK;
                if (argc > 2 && !strcmp(cmd, "help") && !strcmp(argv[2], "lab"))
                        return cli_lab_help(stdout), CLI_OK;
                if (argc > 2 && !strcmp(cmd, "help") && !strcmp(argv[2], "pki"))
                        return cli_pki_help(stdout), CLI_OK;
                if (argc > 2 && !strcmp(cmd, "help") && !strcmp(argv[2], "spdm"))
                        return cli_spdm_help(stdout), CLI_OK;
                usage(stdout);
                return CLI_OK;
        }
        if (!strcmp(cmd, "--version")) {
                puts("ccada 0.1.0 (RMM 1.0 / RMI 1.0 / RSI 1.0)");
                return CLI_OK;
        }
        if (!strcmp(cmd, "demo"))
                return cli_demo(argc - 1, argv + 1);
        if (!strcmp(cmd, "run"))
                return cli_run(argc - 1, argv + 1);
        if (!strcmp(cmd, "bench"))
                return cli_bench(argc - 1, argv + 1);
        if (!strcmp(cmd, "token"))
                return cli_token(argc - 1, argv + 1);
        if (!strcmp(cmd, "measure"))
                return cli_measure(argc - 1, argv + 1);
        if (!strcmp(cmd, "kbs"))
                return cli_kbs(argc - 1, argv + 1);
        if (!strcmp(cmd, "lab"))
                return cli_lab(argc - 1, argv + 1);
        if (!strcmp(cmd, "pki"))
                return cli_pki(argc - 1, argv + 1);
        if (!strcmp(cmd, "spdm"))
                return cli_spdm(argc - 1, argv + 1);
        fprintf(stderr, "ccada: unknown command '%s'\n", cmd);
        usage(stderr);
        return CLI_USAGE;
}
