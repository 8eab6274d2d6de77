/* Sizes for people (see size_str.h): the algorithm of Linux's string_get_size, in our
 * own words. Both factors are first reduced below 2^32 (each reduction is one more unit
 * step), their product is then divided down below the divisor; the remainder of the last
 * division, in thousandths, gives the decimals, rounded at the last digit kept. */
#include "lib/size_str.h"

#include <stdio.h>

const char *size_str(uint64_t size, uint64_t blk_size, bool base2, char *buf, size_t len)
{
        static const char *const units10[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
        static const char *const units2[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB" };
        static const unsigned round_at[] = { 500, 50, 5 }; /* half of the first digit dropped */
        const uint64_t div = base2 ? 1024 : 1000;
        unsigned step = 0, decimals = 0;
        uint64_t rem = 0;
        char frac[8] = "";

        if (!len)
                return buf;
        if (blk_size == 0)
                size = 0;
        if (size != 0) {
                for (; blk_size >> 32; step++)
                        blk_size /= div;
                for (; size >> 32; step++)
                        size /= div;
                size *= blk_size;
                for (; size >= div; step++) {
                        rem = size % div;
                        size /= div;
                }
                for (uint64_t cap = size; cap * 10 < 1000; cap *= 10)
                        decimals++; /* 1 digit left of the point: 2 decimals, 2 digits: 1 */
                if (base2)
                        rem = (rem * 1000) >> 10; /* 1024ths to thousandths */
                rem += round_at[decimals];
                if (rem >= 1000) {
                        rem -= 1000;
                        size++;
                }
                if (decimals) {
                        snprintf(frac, sizeof(frac), ".%03u", (unsigned)rem);
                        frac[decimals + 1] = '\0';
                }
        }
        const char *unit = step < sizeof(units10) / sizeof(units10[0]) ? (base2 ? units2 : units10)[step] : "UNK";
        snprintf(buf, len, "%u%s %s", (unsigned)size, frac, unit);
        return buf;
}
