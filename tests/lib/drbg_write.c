/* Prints what drbg_new_seeded(SEED, LABEL) returns for a sequence of requests, one line of
 * lower-case hex per request, for drbg_check.py.
 * Usage: drbg_write SEED_HEX LABEL SIZE... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"
#include "lib/drbg.h"

#define SIZE_MAX_ARG (1u << 20)

static bool parse_size(const char *s, size_t *out)
{
        char *end = NULL;
        unsigned long v = strtoul(s, &end, 10);
        if (!*s || *end || v > SIZE_MAX_ARG)
                return false;
        *out = (size_t)v;
        return true;
}

int main(int argc, char **argv)
{
        uint8_t seed[256];
        size_t seed_len = 0;
        struct drbg *d = NULL;
        if (argc < 4 || !hex_decode(argv[1], seed, sizeof(seed), &seed_len) ||
            !drbg_new_seeded(&d, seed, seed_len, argv[2])) {
                fprintf(stderr, "usage: drbg_write SEED_HEX LABEL SIZE... (seed 1..256 bytes)\n");
                return 2;
        }
        int rc = 0;
        for (int i = 3; i < argc && rc == 0; i++) {
                size_t n = 0;
                uint8_t *buf = NULL;
                char *hex = NULL;
                if (!parse_size(argv[i], &n) || !(buf = malloc(n + 1)) || !(hex = malloc(2 * n + 1)) ||
                    !drbg_bytes(d, buf, n)) {
                        fprintf(stderr, "drbg_write: request %d (%s) failed\n", i - 2, argv[i]);
                        rc = 1;
                } else {
                        hex_encode(hex, buf, n);
                        printf("%s\n", hex);
                }
                free(hex);
                free(buf);
        }
        drbg_free(d);
        return rc;
}
