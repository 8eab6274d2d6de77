/* ccada pki: writes a device's test PKI (the one ccada spdm responder --seed N presents)
 * into a directory, for ccada spdm --cert-dir and for other tools. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ccada/spdm.h"
#include "cli.h"

void cli_pki_help(FILE *f)
{
        fputs("usage: ccada pki --out DIR [--seed N] [--force]\n"
              "\n"
              "Writes a device's test PKI into DIR (made if missing, mode 0700): a P-384 root CA,\n"
              "an intermediate CA and the device's leaf certificate with its private key, valid\n"
              "2026-01-01 .. 2036-01-01. The same seed gives the same keys (the certificates'\n"
              "ECDSA signatures differ on every run). Give DIR to `ccada spdm responder` and\n"
              "`ccada spdm requester` as --cert-dir: the device presents this chain and the\n"
              "requester trusts its root_ca.der.\n"
              "Test keys only: never use them for anything but testing.\n"
              "\n"
              "options:\n"
              "  --out DIR   the directory to write into\n"
              "  --seed N    the seed of the keys (default 1)\n"
              "  --force     replace files that exist (without it nothing is written then)\n"
              "  -h, --help  show this help\n",
              f);
}

int cli_pki(int argc, char **argv)
{
        static const struct option opts[] = {
                { "out", required_argument, NULL, 'o' }, { "seed", required_argument, NULL, 's' },
                { "force", no_argument, NULL, 'f' },     { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        const struct cli_number_opt seed_opt = { "pki", "--seed", false, 0, UINT64_MAX, 0, "" };
        const char *out = NULL;
        uint64_t seed = 1;
        bool force = false;
        char why[CCADA_SPDM_WHY_LEN];
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case 'o': out = optarg; break;
                case 's':
                        if (cli_number(&seed_opt, optarg, &seed) != CLI_OK)
                                return CLI_USAGE;
                        break;
                case 'f': force = true; break;
                case 'h': cli_pki_help(stdout); return CLI_OK;
                default: cli_pki_help(stderr); return CLI_USAGE;
                }
        }
        if (optind != argc) {
                fprintf(stderr, "ccada pki: unexpected '%s'\n", argv[optind]);
                return CLI_USAGE;
        }
        if (!out || !out[0]) {
                fprintf(stderr, "ccada pki: give --out DIR, the directory to write the PKI into\n");
                return CLI_USAGE;
        }
        if (ccada_spdm_write_pki(out, seed, force, why) != CCADA_OK) {
                fprintf(stderr, "ccada pki: %s\n", why);
                return CLI_FAIL;
        }
        printf("ccada pki: the test PKI of seed %llu in %s:\n", (unsigned long long)seed, out);
        for (unsigned i = 0; i < ccada_spdm_pki_file_count(); i++)
                printf("  %s/%-20s %s\n", out, ccada_spdm_pki_file_name(i), ccada_spdm_pki_file_what(i));
        return CLI_OK;
}
