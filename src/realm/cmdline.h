/* The Realm kernel's command line ("console=pl011,mmio,0x1c090000 swiotlb=2048
 * swiotlb.grow ccada.seed=1"): words separated by spaces, each a bare flag or a
 * "name=value" parameter. The command line comes with the boot image, which the host
 * loads (and the RIM measures): its values are checked like any other input. */
#ifndef CCADA_REALM_CMDLINE_H
#define CCADA_REALM_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/parse.h"

/* True when word (a bare flag such as "swiotlb.grow") is one of cmdline's words. */
bool cmdline_flag(const char *cmdline, const char *word);

/* Finds the parameter "name=value" among cmdline's words; when it appears more than once
 * the last one counts. Returns false when it is absent, else true with *val and *len the
 * value (up to the next space or the end; may be empty). */
bool cmdline_param(const char *cmdline, const char *name, const char **val, size_t *len);

/* The value of "name=" as a number, strictly (ccada_parse_u64: decimal or 0x hex, nothing
 * else). Returns false when name= is absent. Else true with *why the parse result, and
 * *out the value when *why is CCADA_NUMBER_OK (left unchanged otherwise). */
bool cmdline_u64(const char *cmdline, const char *name, uint64_t *out, enum ccada_number_error *why);

#endif
