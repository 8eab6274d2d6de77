/* The machine options every machine-building command shares (demo, run, bench): one table
 * of long options, one parser (numbers through include/ccada/parse.h), one place that
 * refuses combinations that can never boot, and one trace set-up. A command adds its own
 * options next to these (their codes stay below MOPT_FIRST). */
#ifndef CCADA_TOOLS_MACHINE_OPTS_H
#define CCADA_TOOLS_MACHINE_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "ccada/machine.h"

#define MOPT_FIRST 1000 /* getopt codes of the shared options start here */

struct machine_opts {
        const char *cmd;                /* "demo": messages say "ccada demo: ..." */
        struct ccada_machine_config cfg;
        const char *trace, *trace_json, *events;
        bool swiotlb_given;             /* --swiotlb was on the command line (else the default) */
        bool devices_given;             /* a --device replaced the default device list */
        bool ram_given;                 /* --ram was on the command line */
        bool vm_given;                  /* --vm was on the command line */
        char device_type[CCADA_MAX_DEVICES][32];
        char iak_pem[16384];            /* --iak's file (cfg.iak_pem points here) */
        FILE *trace_file, *trace_json_file;
        char pdev_opts[1024];           /* the --pdev copies (cfg.pdev's strings point here) */
        size_t pdev_used;               /* bytes of pdev_opts taken */
        bool tdisp_given;               /* --device tdisp: the physical device, assigned */
        const char *attack, *pcap;      /* --attack, --pcap */
        const char *device_policy_arg;  /* --device-policy as given ('show' or a file) */
        char device_policy[8192];       /* its file (cfg.pdev.policy points here) */
        FILE *pcap_file;
};

void machine_opts_init(struct machine_opts *o, const char *cmd);
/* The shared options' help lines ("  --seed N   ..."), for a command's --help. */
void machine_opts_help(FILE *f);
/* longopts: the command's own options (ended by a zero entry) followed by the shared ones,
 * into out (room for cap entries). False if they do not fit. */
bool machine_opts_longopts(const struct option *own, struct option *out, size_t cap);
/* Parses argv: the command's own options (own; each handled by own_opt, which returns CLI_OK
 * or CLI_USAGE after saying why), -h/--help (help(stdout), then -1), the shared ones, and at
 * most max_operands operands (left at argv[optind]). An unknown option prints help(stderr).
 * Then checks the shared options (machine_opts_check). CLI_OK, CLI_USAGE, CLI_FAIL or -1. */
int machine_opts_parse(struct machine_opts *o, int argc, char **argv, const struct option *own,
                       int (*own_opt)(void *ctx, int c, const char *arg), void *ctx, void (*help)(FILE *f),
                       int max_operands);
/* Builds the machine of o and runs it; *out is its report (the caller destroys it) and
 * *trace_ok whether the trace sinks were written. A run that failed is said on stderr and
 * still gives a report. CLI_OK, or CLI_FAIL after saying why nothing could be run. */
struct ccada_report;
int machine_opts_run(struct machine_opts *o, struct ccada_report **out, bool *trace_ok);
/* Applies option code c (a shared one, >= MOPT_FIRST). CLI_OK, or CLI_USAGE after saying why. */
int machine_opts_apply(struct machine_opts *o, int c, const char *arg);
/* After parsing: sizes the board's memory for the Realm's RAM and refuses combinations that
 * can never boot or pass, saying what to change. */
int machine_opts_check(struct machine_opts *o);
/* Resolves --events (its default: every event into a trace file, else the swiotlb_bounced
 * lines) and opens the trace files. With `quiet_stdout`, the console and streamed events
 * go to stderr (stdout is for a machine-readable report). "--events list" prints the
 * events and returns -1. */
int machine_opts_open_traces(struct machine_opts *o, bool quiet_stdout);
/* Closes what machine_opts_open_traces opened; CLI_FAIL if a file could not be written. */
int machine_opts_close_traces(struct machine_opts *o);

#endif
