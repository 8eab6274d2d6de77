/* Sizes for people, as the Linux kernel prints them (lib/string_helpers.c,
 * string_get_size): three significant figures, a space, then the unit ("67.1 MB",
 * "64.0 MiB", "512 B"). The digits after the point are the rounded thousandths of the last
 * division, cut to the figures kept, exactly as Linux does, so a boot line reads the same. */
#ifndef CCADA_LIB_SIZE_STR_H
#define CCADA_LIB_SIZE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* size blocks of blk_size bytes, in powers of 1000 (kB, MB, ...) or of 1024 (KiB, MiB,
 * ...) when base2. Writes at most len bytes into buf (always terminated when len > 0);
 * returns buf. 0 blocks or a 0 block size give "0 B". */
const char *size_str(uint64_t size, uint64_t blk_size, bool base2, char *buf, size_t len);

#endif
