/* Deterministic Gaussian initialisation: the same seed gives the same point everywhere. */
#include <math.h>
#include <stdint.h>
#include "dncert/train.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t xoshiro256ss(uint64_t s[4])
{
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in (0, 1]: never 0, so log() below is finite. */
static double uniform_open0(uint64_t s[4])
{
    return ((double) (xoshiro256ss(s) >> 11) + 1.0) * 0x1.0p-53;
}

void dnc_randn(double *x, slong n, double std, ulong seed)
{
    uint64_t sm = seed, s[4];
    slong i;
    const double two_pi = 6.283185307179586476925286766559;
    for (i = 0; i < 4; i++)
        s[i] = splitmix64(&sm);
    for (i = 0; i < n; i += 2) {
        double r = sqrt(-2.0 * log(uniform_open0(s))), th = two_pi * uniform_open0(s);
        x[i] = std * r * cos(th);
        if (i + 1 < n)
            x[i + 1] = std * r * sin(th);
    }
}
