/* How the fuzz harnesses that drive a sequence of calls read their input: one byte at a
 * time (0 past the end), and an "argument" as one byte that below 0xF0 picks one of the
 * harness's interesting values (ids, IPAs, PAs, nonces) and from 0xF0 up is followed by 8
 * bytes of a raw value, big-endian. For fuzz/rmm/fuzz_rsi_vdev.c and fuzz_rmi_dev_mem.c. */
#ifndef CCADA_TESTS_FUZZ_READER_H
#define CCADA_TESTS_FUZZ_READER_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_reader {
        const uint8_t *in;
        size_t size, i;
};

static inline uint8_t fuzz_byte(struct fuzz_reader *r)
{
        return r->i < r->size ? r->in[r->i++] : 0;
}

static inline uint64_t fuzz_arg(struct fuzz_reader *r, const uint64_t *args, size_t nargs)
{
        uint8_t b = fuzz_byte(r);
        if (b < 0xF0)
                return args[b % nargs];
        uint64_t v = 0;
        for (unsigned k = 0; k < 8; k++)
                v = v << 8 | fuzz_byte(r);
        return v;
}

#endif
