/* Splitting a memmove between two address ranges into pieces that never cross a page
 * boundary of either range, so each piece can be translated once per side. */
#ifndef CCADA_LIB_CHUNK_H
#define CCADA_LIB_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when a forward copy would overwrite source bytes before reading them. */
static inline bool chunk_backwards(uint64_t dst, uint64_t src, size_t len)
{
        return dst > src && dst - src < len;
}

/* The next piece of copying len bytes from src to dst with pages of page_mask + 1 bytes:
 * from the front, or from the back when backwards. Sets *d0 and *s0 to the piece's start
 * and returns its length (> 0 when len > 0). The caller then advances src and dst by the
 * length (forwards only) and subtracts it from len. */
static inline size_t chunk_next(uint64_t dst, uint64_t src, size_t len, uint64_t page_mask, bool backwards,
                                uint64_t *d0, uint64_t *s0)
{
        size_t n, nd;
        if (backwards) {
                n = (size_t)((src + len - 1) & page_mask) + 1;
                nd = (size_t)((dst + len - 1) & page_mask) + 1;
        } else {
                n = (size_t)(page_mask + 1 - (src & page_mask));
                nd = (size_t)(page_mask + 1 - (dst & page_mask));
        }
        n = n < nd ? n : nd;
        n = n < len ? n : len;
        *s0 = backwards ? src + len - n : src;
        *d0 = backwards ? dst + len - n : dst;
        return n;
}

#endif
