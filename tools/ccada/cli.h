#ifndef CCADA_TOOLS_CLI_H
#define CCADA_TOOLS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ccada/status.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

int cli_demo(int argc, char **argv);
int cli_run(int argc, char **argv);
void cli_run_help(FILE *f);
int cli_bench(int argc, char **argv);
int cli_token(int argc, char **argv);
void cli_token_help(FILE *f);
int cli_measure(int argc, char **argv);
int cli_kbs(int argc, char **argv);
void cli_kbs_help(FILE *f);
int cli_lab(int argc, char **argv);
int cli_pki(int argc, char **argv);
void cli_pki_help(FILE *f);
int cli_spdm(int argc, char **argv);
void cli_spdm_help(FILE *f);
/* The lab's Key Broker on a free port of 127.0.0.1: the key skywalker, the platform key of a
 * machine of cfg, and (trust_rim) that machine's RIM as its one reference value; Locations
 * name http://10.0.2.2:PORT, or with tls https://10.0.2.2:PORT (HTTPS with a fresh
 * self-signed certificate for 10.0.2.2, whose SHA-256 lab_broker_pin gives in hex, NULL
 * without tls). NULL, said on stderr, when it cannot start. */
struct lab_broker;
struct ccada_machine_config;
struct lab_broker *lab_broker_start(const struct ccada_machine_config *cfg, bool trust_rim, bool tls, FILE *log);
const char *lab_broker_endpoint(const struct lab_broker *k);
const char *lab_broker_pin(const struct lab_broker *k);
void lab_broker_stop(struct lab_broker *k); /* NULL: no-op */
void cli_lab_help(FILE *f);
void cli_measure_help(FILE *f);
/* --workload NAME for m (run, measure): CLI_OK, or CLI_USAGE after listing the names. */
struct machine_opts;
int cli_set_workload(struct machine_opts *m, const char *arg);
void cli_bench_help(FILE *f);
struct ccada_machine;
struct ccada_machine_config;
struct json_writer;
struct machine_opts;
/* The virtio-blk benchmark (tools/ccada/bench_blk.c): a Realm and a normal VM alternating
 * cell by cell, or the one VM --vm names, or with base->bench_fixed a fixed amount of work.
 * Its table on stdout, or with w its "blk" member into the JSON object w has open. */
int cli_bench_blk(const struct machine_opts *m, unsigned reps, struct json_writer *w);
/* ccada bench net (bench_net.c): the lab's key release and TCP over virtio-net. */
int cli_bench_net(const struct machine_opts *m, unsigned reps, struct json_writer *w);
/* ccada bench spdm (bench_spdm.c): device attestation in process and over loopback TCP,
 * and messages per second in a session, each next to its OpenSSL floor. */
int cli_bench_spdm(unsigned reps, struct json_writer *w);
int cli_bench_ide(unsigned reps, struct json_writer *w);
/* ccada bench tdisp (bench_tdisp.c): bounced against direct block I/O in one Realm, and the
 * attach step by step. */
int cli_bench_tdisp(const struct machine_opts *m, unsigned reps, struct json_writer *w);
struct ccada_report;
/* Runs one benchmark machine (cfg names the workload) and returns its report in *out (the
 * caller destroys it). False, said on stderr with what (e.g. "blk (Realm)"), when the
 * machine cannot be built or the run or the benchmark failed. */
bool cli_bench_run(const struct ccada_machine_config *cfg, const char *what, struct ccada_report **out);
/* cli_bench_run in its steps, for a caller that runs the machine itself: builds it (false,
 * said on stderr, when it cannot), then with st the run's status destroys it and returns
 * its report as cli_bench_run does. */
bool cli_bench_build(const struct ccada_machine_config *cfg, const char *what, struct ccada_machine **m);
bool cli_bench_finish(struct ccada_machine *m, ccada_status st, const struct ccada_machine_config *cfg,
                      const char *what, struct ccada_report **out);
/* A figure of a benchmark's report section (0 when there is none: the run said why). */
double cli_bench_figure(const struct ccada_report *r, const char *section, const char *key);
void cli_demo_help(FILE *f);
/* Writes ccada demo's story of report r to f: the RIM, each isolation check, the pool, the
 * disk, the exits and the verdict. After a failed boot the checks read "not run (boot
 * failed)" (tools/ccada/demo_story.c). */
void demo_print_story(FILE *f, const struct ccada_report *r);

/* A numeric option of a sub-command, for cli_number(). */
struct cli_number_opt {
        const char *cmd;        /* "demo" */
        const char *name;       /* "--ram" */
        bool size;              /* a K, M or G suffix is accepted */
        uint64_t min, max;      /* inclusive bounds */
        uint64_t align;         /* the value must be a multiple of it (0 or 1: any) */
        const char *rule;       /* what a value out of bounds is told: "must be 1..31" */
};

/* Parses arg, the value given to option o, with the strict parser of ccada/parse.h and
 * checks it against o's bounds. Returns CLI_OK and *out, or prints why on stderr
 * ("ccada demo: --seed ' -1' is not a number: white space is not allowed ...") and
 * returns CLI_USAGE leaving *out unchanged. */
int cli_number(const struct cli_number_opt *o, const char *arg, uint64_t *out);

/* Reads the text file path whole into buf (cap bytes, NUL-terminated: at most cap - 1 of
 * them); *len is its length. False, with why ("cannot read it: ...", "larger than N
 * bytes"), when it cannot. */
bool cli_read_file(const char *path, char *buf, size_t cap, size_t *len, char *why, size_t why_len);

/* Prints "ccada <cmd>: <opt> '<arg>': <why>" on stderr; returns CLI_USAGE. */
int cli_bad_value(const char *cmd, const char *opt, const char *arg, const char *why);

/* Writes bytes as the shortest exact size a user could type: "4M", "256K", "1G", "3000". */
void cli_format_size(uint64_t bytes, char *buf, size_t len);

#endif
