/* Products with one dimension of at most DNC_THIN_MAX (thin.h), in AVX2+FMA loops.
 *
 * They are the last layer's products, with the K rows of W_L: Z = W_L H_L (K x N, inner
 * dimension d_L), the weight gradient G H_L^T (K x d_L, summed over N samples) and the
 * back-propagation W_L^T G (d_L x N, inner dimension K). OpenBLAS 0.3.21 runs these shapes
 * at 14-19 GFLOP/s (K = 10, d_L = 512, N = 5000, one core of the AMD EPYC of
 * docs/benchmarks.md, Zen and Cooperlake kernels alike) against about 50 for the square
 * products of the same step: its kernels are built for blocks of many rows and columns.
 * Here one column of the thin side (up to 12 doubles, three AVX2 registers) stays in
 * registers for a block of four columns of the wide side, so every broadcast entry feeds
 * up to 12 multiply-adds: 1.5, 1.4 and 2.2 ms for the three products above against 2.8,
 * 3.1 and 3.7 (the last with the ReLU mask of the layer applied on the way out, which
 * saves a separate pass over the 20 MB result).
 *
 * Each entry of a result is one sum taken in a fixed order (over the inner index, from the
 * first to the last), whatever the block it falls in: results do not depend on how the
 * caller splits columns between threads. */
#include <string.h>
#include "train/thin.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include <immintrin.h>

#define THIN_TARGET __attribute__((target("avx2,fma")))
#define THIN_INLINE static inline __attribute__((always_inline)) THIN_TARGET

/* Samples per pass of the weight gradient: the tile of B (64 columns of d_L doubles) and of
 * A (64 columns of K) stays in the L1/L2 caches while every column of the result passes. */
#define THIN_TILE 16

int dnc_thin_available(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* Lanes 0..rem-1 (rem in 1..4) of a masked load or store. */
THIN_INLINE __m256i lanes(slong rem)
{
    return _mm256_setr_epi64x(rem > 0 ? -1 : 0, rem > 1 ? -1 : 0, rem > 2 ? -1 : 0, rem > 3 ? -1 : 0);
}

/* Loads rows 4r..4r+3 of a column of height 4R (the last of the R vectors only the lanes
 * in `tail`). */
THIN_INLINE __m256d load_part(const double *x, int r, const int R, __m256i tail)
{
    return r < R - 1 ? _mm256_loadu_pd(x + 4 * r) : _mm256_maskload_pd(x + 4 * r, tail);
}

THIN_INLINE void store_part(double *x, int r, const int R, __m256i tail, __m256d v)
{
    if (r < R - 1)
        _mm256_storeu_pd(x + 4 * r, v);
    else
        _mm256_maskstore_pd(x + 4 * r, tail, v);
}

/* ---- C = A B and C = A B^T, A thin (m <= 12 rows, in R vectors) ---- */

/* CB columns of C: C[:, c] (+)= sum_{i0 <= i < i1} A[:, i] b(i, c), the entry b(i, c) at
 * B[si i + sc c]: B's column c (sc = ldb, si = 1) for C = A B, its row c (sc = 1, si = ldb)
 * for C = A B^T. Starts from 0 when first, else from C. */
THIN_INLINE void thin_cols(const int R, const int CB, double *C, slong ldc, const double *A, slong lda,
                           const double *B, slong sc, slong si, slong i0, slong i1, int first, __m256i tail)
{
    __m256d acc[4][3], a[3], b;
    slong i;
    int c, r;
    for (c = 0; c < CB; c++)
        for (r = 0; r < R; r++)
            acc[c][r] = first ? _mm256_setzero_pd() : load_part(C + ldc * c, r, R, tail);
    for (i = i0; i < i1; i++) {
        for (r = 0; r < R; r++)
            a[r] = load_part(A + lda * i, r, R, tail);
        for (c = 0; c < CB; c++) {
            b = _mm256_broadcast_sd(B + si * i + sc * c);
            for (r = 0; r < R; r++)
                acc[c][r] = _mm256_fmadd_pd(a[r], b, acc[c][r]);
        }
    }
    for (c = 0; c < CB; c++)
        for (r = 0; r < R; r++)
            store_part(C + ldc * c, r, R, tail, acc[c][r]);
}

/* All n columns of C, in blocks of 4; the sum over i in passes of `tile`. */
THIN_INLINE void thin_all(const int R, double *C, slong ldc, const double *A, slong lda, const double *B, slong sc,
                          slong si, slong n, slong k, slong tile, __m256i tail)
{
    slong i0, j;
    for (i0 = 0; i0 < k; i0 += tile) {
        slong i1 = k - i0 < tile ? k : i0 + tile;
        for (j = 0; j + 4 <= n; j += 4)
            thin_cols(R, 4, C + ldc * j, ldc, A, lda, B + sc * j, sc, si, i0, i1, i0 == 0, tail);
        for (; j < n; j++)
            thin_cols(R, 1, C + ldc * j, ldc, A, lda, B + sc * j, sc, si, i0, i1, i0 == 0, tail);
    }
}

static THIN_TARGET void thin_any(double *C, slong ldc, const double *A, slong lda, const double *B, slong sc,
                                 slong si, slong m, slong n, slong k, slong tile)
{
    __m256i tail = lanes(m - 4 * ((m - 1) / 4));
    slong j;
    if (k == 0) {
        for (j = 0; j < n; j++)
            memset(C + ldc * j, 0, m * sizeof(double));
        return;
    }
    switch ((m + 3) / 4) {
    case 1: thin_all(1, C, ldc, A, lda, B, sc, si, n, k, tile, tail); break;
    case 2: thin_all(2, C, ldc, A, lda, B, sc, si, n, k, tile, tail); break;
    default: thin_all(3, C, ldc, A, lda, B, sc, si, n, k, tile, tail); break;
    }
}

THIN_TARGET void dnc_thin_nn(double *C, slong ldc, const double *A, slong lda, const double *B, slong ldb,
                             slong m, slong n, slong k)
{
    thin_any(C, ldc, A, lda, B, ldb, 1, m, n, k, k);   /* one pass: a column of B is read once */
}

THIN_TARGET void dnc_thin_nt(double *C, slong ldc, const double *A, slong lda, const double *B, slong ldb,
                             slong m, slong n, slong k)
{
    thin_any(C, ldc, A, lda, B, 1, ldb, m, n, k, THIN_TILE);
}

/* ---- C = AT B, the inner dimension thin (k <= 12), optionally masked ---- */

/* Rows of C in V vectors (the last one only its `tail` lanes when P), CB columns. */
THIN_INLINE void tn_block(const int V, const int P, const int CB, double *C, slong ldc, const double *AT,
                          slong ldat, const double *B, slong ldb, slong k, const double *mask, __m256i tail)
{
    __m256d acc[4][2], a[2], b;
    slong kk;
    int c, v;
    for (c = 0; c < CB; c++)
        for (v = 0; v < V; v++)
            acc[c][v] = _mm256_setzero_pd();
    for (kk = 0; kk < k; kk++) {
        for (v = 0; v < V; v++)
            a[v] = P ? load_part(AT + ldat * kk, v, V, tail) : _mm256_loadu_pd(AT + ldat * kk + 4 * v);
        for (c = 0; c < CB; c++) {
            b = _mm256_broadcast_sd(B + ldb * c + kk);
            for (v = 0; v < V; v++)
                acc[c][v] = _mm256_fmadd_pd(a[v], b, acc[c][v]);
        }
    }
    for (c = 0; c < CB; c++)
        for (v = 0; v < V; v++) {
            if (mask != NULL) {
                __m256d h = P ? load_part(mask + ldc * c, v, V, tail) : _mm256_loadu_pd(mask + ldc * c + 4 * v);
                acc[c][v] = _mm256_and_pd(acc[c][v], _mm256_cmp_pd(h, _mm256_setzero_pd(), _CMP_GT_OQ));
            }
            if (P)
                store_part(C + ldc * c, v, V, tail, acc[c][v]);
            else
                _mm256_storeu_pd(C + ldc * c + 4 * v, acc[c][v]);
        }
}

/* CB columns of C, all m rows: blocks of 8, then 4, then the 1-3 left (masked). */
THIN_INLINE void tn_cols(const int CB, double *C, slong ldc, const double *AT, slong ldat, const double *B, slong ldb,
                         slong m, slong k, const double *mask)
{
    __m256i all = lanes(4);
    slong i = 0;
    for (; i + 8 <= m; i += 8)
        tn_block(2, 0, CB, C + i, ldc, AT + i, ldat, B, ldb, k, mask ? mask + i : NULL, all);
    if (i + 4 <= m) {
        tn_block(1, 0, CB, C + i, ldc, AT + i, ldat, B, ldb, k, mask ? mask + i : NULL, all);
        i += 4;
    }
    if (i < m)
        tn_block(1, 1, CB, C + i, ldc, AT + i, ldat, B, ldb, k, mask ? mask + i : NULL, lanes(m - i));
}

THIN_TARGET void dnc_thin_tn(double *C, slong ldc, const double *AT, slong ldat, const double *B, slong ldb,
                             slong m, slong n, slong k, const double *mask)
{
    slong j = 0;
    for (; j + 4 <= n; j += 4)
        tn_cols(4, C + ldc * j, ldc, AT, ldat, B + ldb * j, ldb, m, k, mask ? mask + ldc * j : NULL);
    for (; j < n; j++)
        tn_cols(1, C + ldc * j, ldc, AT, ldat, B + ldb * j, ldb, m, k, mask ? mask + ldc * j : NULL);
}

#else   /* no AVX2 loops on this compiler or architecture: callers use OpenBLAS */

int dnc_thin_available(void)
{
    return 0;
}

void dnc_thin_nn(double *C, slong ldc, const double *A, slong lda, const double *B, slong ldb,
                 slong m, slong n, slong k)
{
    (void) C; (void) ldc; (void) A; (void) lda; (void) B; (void) ldb; (void) m; (void) n; (void) k;
}

void dnc_thin_nt(double *C, slong ldc, const double *A, slong lda, const double *B, slong ldb,
                 slong m, slong n, slong k)
{
    (void) C; (void) ldc; (void) A; (void) lda; (void) B; (void) ldb; (void) m; (void) n; (void) k;
}

void dnc_thin_tn(double *C, slong ldc, const double *AT, slong ldat, const double *B, slong ldb,
                 slong m, slong n, slong k, const double *mask)
{
    (void) C; (void) ldc; (void) AT; (void) ldat; (void) B; (void) ldb; (void) m; (void) n; (void) k; (void) mask;
}

#endif
