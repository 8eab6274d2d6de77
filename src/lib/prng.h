/* Deterministic pseudo-random numbers (xoshiro256**, seeded through splitmix64).
 * Same seed, same sequence, on every platform. Not for cryptography. */
#ifndef CCADA_LIB_PRNG_H
#define CCADA_LIB_PRNG_H

#include <stddef.h>
#include <stdint.h>

struct prng {
        uint64_t s[4];
};

void prng_seed(struct prng *p, uint64_t seed);
uint64_t prng_next(struct prng *p);
/* Uniform in [0, bound); bound 0 gives 0. */
uint64_t prng_below(struct prng *p, uint64_t bound);
void prng_fill(struct prng *p, void *dst, size_t len);

#endif
