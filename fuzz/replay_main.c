/* An engine-neutral driver for the fuzz harnesses: runs LLVMFuzzerTestOneInput once per file
 * given (a directory: each regular file in it, in name order), so a corpus replays with any
 * compiler and under any sanitizer. Prints how many inputs ran and how fast.
 *   usage: <harness>_replay FILE|DIR...
 * Exit status 0 when every input ran (a finding aborts the process), 2 on a usage or I/O
 * error. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_INPUT (1u << 20)

static int run_file(const char *path, unsigned long *count)
{
        FILE *f = fopen(path, "rb");
        if (!f) {
                fprintf(stderr, "replay: cannot open %s\n", path);
                return 2;
        }
        uint8_t *buf = malloc(REPLAY_MAX_INPUT);
        size_t n = buf ? fread(buf, 1, REPLAY_MAX_INPUT, f) : 0;
        int bad = !buf || ferror(f);
        fclose(f);
        if (bad) {
                fprintf(stderr, "replay: cannot read %s\n", path);
                free(buf);
                return 2;
        }
        (void)LLVMFuzzerTestOneInput(buf, n);
        free(buf);
        ++*count;
        return 0;
}

static int by_name(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, unsigned long *count)
{
        struct dirent **names = NULL;
        int n = scandir(dir, &names, NULL, NULL);
        if (n < 0) {
                fprintf(stderr, "replay: cannot list %s\n", dir);
                return 2;
        }
        char **paths = calloc((size_t)n + 1, sizeof(*paths));
        int k = 0, rc = paths ? 0 : 2;
        for (int i = 0; i < n; i++) {
                if (paths && names[i]->d_name[0] != '.') {
                        size_t len = strlen(dir) + strlen(names[i]->d_name) + 2;
                        if ((paths[k] = malloc(len)))
                                snprintf(paths[k++], len, "%s/%s", dir, names[i]->d_name);
                }
                free(names[i]);
        }
        free(names);
        if (paths)
                qsort(paths, (size_t)k, sizeof(*paths), by_name);
        for (int i = 0; i < k; i++) {
                struct stat st;
                if (!rc && stat(paths[i], &st) == 0 && S_ISREG(st.st_mode))
                        rc = run_file(paths[i], count);
                free(paths[i]);
        }
        free(paths);
        return rc;
}

int main(int argc, char **argv)
{
        unsigned long count = 0;
        struct timespec t0, t1;
        if (argc < 2 || !strcmp(argv[1], "--help")) {
                fprintf(argc < 2 ? stderr : stdout, "usage: %s FILE|DIR...\n", argv[0]);
                return argc < 2 ? 2 : 0;
        }
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 1; i < argc; i++) {
                struct stat st;
                if (stat(argv[i], &st) != 0) {
                        fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
                        return 2;
                }
                int rc = S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) : run_file(argv[i], &count);
                if (rc)
                        return rc;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        printf("replay: %lu inputs in %.2f s (%.0f/s), no finding\n", count, s, s > 0 ? (double)count / s : 0.0);
        return 0;
}
