/* ccada bench ide: PCIe IDE sealing per TLP size (hw/ide.h: encode, seal, MAC of a T=1
 * memory write on a Secure stream) next to the floor it cannot beat, OpenSSL's EVP
 * AES-256-GCM over the same payload with a header-sized AAD, timed right after it in the
 * same repetition. Medians of the repetitions; the target is a ratio (floor time over
 * IDE time) of at least 0.8. The measuring is src/machine/ide_bench.c; this file prints. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "lib/json.h"
#include "machine/ide_bench.h"

#define IDE_ITERS 20000u
static const uint32_t ide_sizes[] = { 64, 256, 1024, 4096 };
#define NSIZES (sizeof(ide_sizes) / sizeof(ide_sizes[0]))

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
        qsort(v, n, sizeof(*v), cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int cli_bench_ide(unsigned reps, struct json_writer *w)
{
        struct ide_bench_row rows[NSIZES];
        double *ide = calloc((size_t)reps * NSIZES, sizeof(double)), *evp = calloc((size_t)reps * NSIZES, sizeof(double)),
               *ratio = calloc((size_t)reps * NSIZES, sizeof(double));
        int rc = CLI_OK;
        if (!ide || !evp || !ratio || !reps) {
                fprintf(stderr, "ccada bench ide: out of memory\n");
                rc = CLI_FAIL;
                goto out;
        }
        for (unsigned r = 0; r < reps; r++) {
                if (!ide_bench_run(ide_sizes, NSIZES, IDE_ITERS, rows)) {
                        fprintf(stderr, "ccada bench ide: an IDE or OpenSSL call failed\n");
                        rc = CLI_FAIL;
                        goto out;
                }
                for (size_t i = 0; i < NSIZES; i++) {   /* stored by size, then repetition */
                        ide[i * reps + r] = rows[i].ide_ns_per_tlp;
                        evp[i * reps + r] = rows[i].evp_ns_per_op;
                        ratio[i * reps + r] = rows[i].ratio;
                }
        }
        if (!w)
                printf("PCIe IDE: sealing a T=1 memory write on a Secure stream (TLP encode, AES-256-GCM, 96-bit\n"
                       "MAC), next to OpenSSL EVP AES-256-GCM over the same payload alone (the floor), timed\n"
                       "right after it; median of %u repetitions of %u TLPs (ratio = floor / IDE, target >= 0.8)\n"
                       "  %8s %12s %12s %8s %10s\n",
                       reps, IDE_ITERS, "payload", "IDE ns/TLP", "EVP ns", "ratio", "IDE MB/s");
        else
                json_begin_object(w, "ide");
        if (w) {
                json_u64(w, "reps", reps);
                json_u64(w, "tlps_per_rep", IDE_ITERS);
                json_begin_array(w, "sizes");
        }
        for (size_t i = 0; i < NSIZES; i++) {
                double mi = median(ide + i * reps, reps), me = median(evp + i * reps, reps),
                       mr = median(ratio + i * reps, reps);
                double mbs = (double)ide_sizes[i] / mi * 1e3;
                if (!w) {
                        printf("  %8u %12.1f %12.1f %8.2f %10.0f\n", ide_sizes[i], mi, me, mr, mbs);
                        continue;
                }
                json_begin_object(w, NULL);
                json_u64(w, "payload", ide_sizes[i]);
                json_double(w, "ide_ns_per_tlp", mi, 1);
                json_double(w, "evp_ns", me, 1);
                json_double(w, "ratio", mr, 3);
                json_double(w, "ide_mb_per_s", mbs, 0);
                json_end_object(w);
        }
        if (w) {
                json_end_array(w);
                json_end_object(w);
        }
out:
        free(ide);
        free(evp);
        free(ratio);
        return rc;
}
