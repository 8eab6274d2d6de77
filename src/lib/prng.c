/* xoshiro256** 1.0 seeded through splitmix64 (Blackman and Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 47(4), 2021; prng.di.unimi.it). Written from
 * the published algorithm description. */
#include "lib/prng.h"

#include "lib/bytes.h"

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* splitmix64: one step of a Weyl sequence, then a 64-bit finaliser. */
static uint64_t splitmix64(uint64_t *state)
{
        uint64_t z = (*state += 0x9e3779b97f4a7c15u);

        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        return z ^ (z >> 31);
}

void prng_seed(struct prng *p, uint64_t seed)
{
        uint64_t sm = seed;

        /* splitmix64 never yields four zero words in a row, so the state is never all 0. */
        for (int i = 0; i < 4; i++)
                p->s[i] = splitmix64(&sm);
}

uint64_t prng_next(struct prng *p)
{
        uint64_t *s = p->s;
        uint64_t result = rotl(s[1] * 5, 7) * 9;
        uint64_t t = s[1] << 17;

        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        return result;
}

/* Rejection sampling: draws below 2^64 mod bound are discarded, so the remaining range
 * is a whole number of copies of [0, bound) and r % bound is exactly uniform. */
uint64_t prng_below(struct prng *p, uint64_t bound)
{
        if (bound == 0)
                return 0;
        uint64_t threshold = (0 - bound) % bound;       /* 2^64 mod bound */
        for (;;) {
                uint64_t r = prng_next(p);
                if (r >= threshold)
                        return r % bound;
        }
}

/* Little-endian bytes of successive outputs, so the stream is the same on every host. */
void prng_fill(struct prng *p, void *dst, size_t len)
{
        uint8_t *d = dst;

        while (len >= 8) {
                st_le64(d, prng_next(p));
                d += 8;
                len -= 8;
        }
        if (len) {
                uint8_t tail[8];
                st_le64(tail, prng_next(p));
                memcpy(d, tail, len);
        }
}
