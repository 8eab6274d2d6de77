#ifndef CCADA_TOOLS_CLI_H
#define CCADA_TOOLS_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

int cli_demo(int argc, char **argv);
int cli_bench(int argc, char **argv);
void cli_bench_help(FILE *f);
int cli_bench_blk(unsigned reps, bool json);
void cli_demo_help(FILE *f);

/* Parses an unsigned decimal or 0x-hex number with an optional K/M/G suffix (when
 * allow_suffix). False on anything else (trailing junk, overflow, empty). */
bool cli_parse_u64(const char *s, bool allow_suffix, uint64_t *out);

#endif
