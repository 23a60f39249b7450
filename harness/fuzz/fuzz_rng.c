/* fuzz_rng.c: the fuzzer's seeded random numbers (splitmix64), so every scenario replays from its seed. */
#include "harness/fuzz/fuzz_int.h"

uint64_t fuzz_rng_next(struct fuzz_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

long long fuzz_rng_range(struct fuzz_rng *r, long long lo, long long hi)
{
    if (hi <= lo)
        return lo;
    return lo + (long long)(fuzz_rng_next(r) % (uint64_t)(hi - lo + 1));
}

int fuzz_rng_chance(struct fuzz_rng *r, int pct)
{
    return (int)(fuzz_rng_next(r) % 100) < pct;
}

uint64_t fuzz_rng_log(struct fuzz_rng *r, uint64_t lo, uint64_t hi)
{
    int bits = 0, b;
    uint64_t base;

    if (hi <= lo)
        return lo;
    while ((lo << bits) < hi && bits < 40)
        bits++;
    b = (int)fuzz_rng_range(r, 0, bits - 1);
    base = lo << b;
    /* Anywhere inside that power of two, odd sizes included: chunk edges matter. */
    base += fuzz_rng_next(r) % base;
    return base > hi ? hi : base;
}
