/* The checker's own matrix product (src/verifier/vfast.c, through dncv_test_product): every
 * tile it can use on this machine against a triple loop, on shapes with every remainder of
 * the tiles (m, n, k not multiples of them, k = 1, one row or column, large), both forms of
 * the right factor: within the bound (P1) of docs/fast-tier.md §2 on random doubles of mixed
 * magnitudes (|C - AB| <= 2 k u |A||B|, with the exact product in long double), and exactly
 * equal where every sum is exact (small integers); C = A B and C += A B, either factor
 * given transposed. Every entry of C written, none beyond. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "dncert/verify.h"

static uint64_t seed = 0x9e3779b97f4a7c15u;

static double rnd(void)   /* in [-1, 1) */
{
    seed = seed * 6364136223846793005u + 1442695040888963407u;
    return (double) (seed >> 11) * 0x1p-52 - 1.0;
}

/* A (m x k, or k x m with how & 4), B (k x n, or n x k with how & 1) filled; checks tile
 * which on them (how & 2: C += A B, C integers, or zeros if not integers). 0 if absent. */
static int check(long m, long k, long n, int how, int which, int integers)
{
    long i, j, p, guard = 9;
    double *A = malloc((m * k + 1) * sizeof(double)), *B = malloc((k * n + 1) * sizeof(double));
    double *C = malloc((m * n + guard) * sizeof(double)), *C0 = malloc((m * n + 1) * sizeof(double));
    int ok, bt = how & 1, at = how & 4;
    for (i = 0; i < m * k; i++)
        A[i] = integers ? floor(9 * rnd()) : ldexp(rnd(), (int) (12 * rnd()));
    for (i = 0; i < k * n; i++)
        B[i] = integers ? floor(9 * rnd()) : ldexp(rnd(), (int) (12 * rnd()));
    for (i = 0; i < m * n + guard; i++)
        C[i] = i >= m * n || !(how & 2) ? NAN : integers ? floor(9 * rnd()) : 0.0;
    memcpy(C0, C, (size_t) (m * n) * sizeof(double));
    ok = dncv_test_product(C, A, B, m, k, n, how, which);
    for (j = 0; ok && j < n; j++)
        for (i = 0; i < m; i++) {
            long double s = how & 2 ? C0[i + m * j] : 0.0L, a = 0.0L;
            for (p = 0; p < k; p++) {
                double b = bt ? B[j + n * p] : B[p + k * j];
                double x = at ? A[p + k * i] : A[i + m * p];
                s += (long double) x * b;
                a += fabsl((long double) x * b);
            }
            if (integers)
                cr_assert(C[i + m * j] == (double) s, "tile %d how %d %ldx%ldx%ld: C[%ld,%ld] = %g, not %g", which,
                          how, m, k, n, i, j, C[i + m * j], (double) s);
            else
                cr_assert(fabsl(C[i + m * j] - s) <= 2.0L * k * 0x1p-53L * a * (1 + 0x1p-20L),
                          "tile %d how %d %ldx%ldx%ld: C[%ld,%ld] = %.17g, exact %.17Lg, |A||B| %Lg", which, how, m, k,
                          n, i, j, C[i + m * j], s, a);
        }
    for (i = m * n; ok && i < m * n + guard; i++)
        cr_assert(isnan(C[i]), "tile %d: wrote beyond C (%ldx%ldx%ld)", which, m, k, n);
    free(A), free(B), free(C), free(C0);
    return ok;
}

Test(vproduct, every_tile_every_remainder)
{
    /* tiles of 24 x 8 (portable, AVX-512) and 12 x 4 (AVX2): each side one short, full, one over */
    static const long ms[] = { 1, 2, 7, 10, 11, 12, 13, 23, 24, 25, 47, 49, 100 };
    static const long ks[] = { 1, 2, 3, 8, 13, 64, 65 };
    static const long ns[] = { 1, 3, 4, 5, 7, 8, 9, 16, 17, 64, 65 };
    int which, how, integers, any = 0;
    size_t a, b, c;
    for (which = 0; which <= 3; which++)
        for (how = 0; how <= 7; how++)
            for (integers = 0; integers <= 1; integers++)
                for (a = 0; a < sizeof(ms) / sizeof(*ms); a++)
                    for (b = 0; b < sizeof(ks) / sizeof(*ks); b++)
                        for (c = 0; c < sizeof(ns) / sizeof(*ns); c++)
                            any += check(ms[a], ks[b], ns[c], how, which, integers);
    cr_assert(any > 0);
    cr_assert(check(3, 4, 5, 0, 1, 0), "the portable tile is always there");
}

/* The shapes of certify-point at N = 2000 (widths 256, input 200, K = 10, chunks of 64). */
Test(vproduct, checker_shapes)
{
    int which, integers;
    for (which = 0; which <= 3; which++)
        for (integers = 0; integers <= 1; integers++) {
            check(256, 256, 64, 0, which, integers);
            check(256, 200, 64, 0, which, integers);
            check(10, 256, 64, 0, which, integers);
            check(256, 10, 64, 4, which, integers);
            check(256, 256, 64, 4, which, integers);
            check(200, 256, 64, 4, which, integers);
            check(256, 64, 256, 3, which, integers);
            check(10, 64, 256, 3, which, integers);
            check(77, 513, 131, 0, which, integers);
        }
}
