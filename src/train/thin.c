/* Products with one dimension of at most DNC_THIN_MAX (thin.h), in AVX2+FMA loops.
 *
 * They are the last layer's products, with the K rows of W_L: Z = W_L H_L (K x N, inner
 * dimension d_L), the weight gradient G H_L^T (K x d_L, summed over N samples) and the
 * back-propagation W_L^T G (d_L x N, inner dimension K). OpenBLAS 0.3.21 runs these shapes
 * at 14-19 GFLOP/s (K = 10, d_L = 512, N = 5000, one core of the AMD EPYC of
 * docs/benchmarks.md, Zen and Cooperlake kernels alike) against about 50 for the square
 * products of the same step: its kernels are built for blocks of many rows and columns.
 * Here the thin side stays in registers while the wide side streams past: for Z, one column
 * of K entries (up to three AVX2 registers) for four columns of H_L, every broadcast entry
 * feeding up to 12 multiply-adds; for the two others, vectors along the wide side's
 * contiguous columns with the thin side's entries broadcast. Measured inside a training step
 * at that size (bench/bench_step.c, quiet machine): 1.6, 1.7 and 2.0 ms against 2.7, 3.4 and
 * 3.4 with OpenBLAS, the last with the ReLU mask of the layer applied on the way out (which
 * also saves act_grad's separate pass over the 20 MB result: 0.8 ms more).
 *
 * Each entry of a result is one sum taken in a fixed order (over the inner index, from the
 * first to the last), whatever the block it falls in: results do not depend on how the
 * caller splits columns between threads. */
#include <math.h>
#include <string.h>
#include "train/thin.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include <immintrin.h>

#define THIN_TARGET __attribute__((target("avx2,fma")))
#define THIN_INLINE static inline __attribute__((always_inline)) THIN_TARGET

/* Samples per pass of the weight gradient: the tile of B (256 columns of d_L doubles, 1 MB
 * at d_L = 512) stays in the L2 cache while every block of the result passes over it
 * (1.2 ms for K = 10, d_L = 512, N = 5000 on one core, 1.4 with 64, 2.0 with 16). */
#define THIN_TILE 256

static long thin_calls;   /* products done here (dnc_thin_calls: tests) */

long dnc_thin_calls(void)
{
    return __atomic_load_n(&thin_calls, __ATOMIC_RELAXED);
}

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

/* ---- C = A B, A thin (m <= 12 rows, in R vectors) ---- */

/* CB columns of C: C[:, c] = sum_i A[:, i] B[i, c]. */
THIN_INLINE void nn_cols(const int R, const int CB, double *C, slong ldc, const double *A, slong lda,
                         const double *B, slong ldb, slong k, __m256i tail)
{
    __m256d acc[4][3], a[3], b;
    slong i;
    int c, r;
    for (c = 0; c < CB; c++)
        for (r = 0; r < R; r++)
            acc[c][r] = _mm256_setzero_pd();
    for (i = 0; i < k; i++) {
        for (r = 0; r < R; r++)
            a[r] = load_part(A + lda * i, r, R, tail);
        for (c = 0; c < CB; c++) {
            b = _mm256_broadcast_sd(B + ldb * c + i);
            for (r = 0; r < R; r++)
                acc[c][r] = _mm256_fmadd_pd(a[r], b, acc[c][r]);
        }
    }
    for (c = 0; c < CB; c++)
        for (r = 0; r < R; r++)
            store_part(C + ldc * c, r, R, tail, acc[c][r]);
}

THIN_INLINE void nn_all(const int R, double *C, slong ldc, const double *A, slong lda, const double *B, slong ldb,
                        slong n, slong k, __m256i tail)
{
    slong j = 0;
    for (; j + 4 <= n; j += 4)
        nn_cols(R, 4, C + ldc * j, ldc, A, lda, B + ldb * j, ldb, k, tail);
    for (; j < n; j++)
        nn_cols(R, 1, C + ldc * j, ldc, A, lda, B + ldb * j, ldb, k, tail);
}

THIN_TARGET void dnc_thin_nn(double *C, slong ldc, const double *A, slong lda, const double *B, slong ldb,
                             slong m, slong n, slong k)
{
    __atomic_fetch_add(&thin_calls, 1, __ATOMIC_RELAXED);
    __m256i tail = lanes(m - 4 * ((m - 1) / 4));
    switch ((m + 3) / 4) {
    case 1: nn_all(1, C, ldc, A, lda, B, ldb, n, k, tail); break;
    case 2: nn_all(2, C, ldc, A, lda, B, ldb, n, k, tail); break;
    default: nn_all(3, C, ldc, A, lda, B, ldb, n, k, tail); break;
    }
}

/* ---- vectors along the wide side's contiguous columns, the thin side broadcast ---- */

/* The mask of 4 entries (of the `tail` lanes only when partial) from their bytes: all ones
 * where the byte is not 0. */
THIN_INLINE __m256d mask_bytes(const unsigned char *m, int partial, __m256i tail)
{
    int word = 0, l;
    if (partial) {
        unsigned char b[4] = { 0, 0, 0, 0 };
        int live = _mm256_movemask_pd(_mm256_castsi256_pd(tail));
        for (l = 0; l < 4; l++)
            b[l] = live >> l & 1 ? m[l] : 0;
        memcpy(&word, b, 4);
    } else
        memcpy(&word, m, 4);
    return _mm256_castsi256_pd(_mm256_cmpgt_epi64(_mm256_cvtepu8_epi64(_mm_cvtsi32_si128(word)), _mm256_setzero_si256()));
}

/* 4V rows (with P the last vector only its `tail` lanes) of NB columns of O:
 * O[:, c] (+)= sum_{i0 <= i < i1} X[:, i] y(c, i), the entry y(c, i) at Y[sc c + si i] and
 * broadcast, from 0 when first, else from O; then zeroed where the mask's bytes (when not
 * NULL; leading dimension ldo) are 0. Up to 5 columns and 2 vectors: 10 multiply-adds to
 * 7 loads. */
THIN_INLINE void vec_block(const int NB, const int V, const int P, double *O, slong ldo, const double *X, slong ldx,
                           const double *Y, slong sc, slong si, slong i0, slong i1, int first,
                           const unsigned char *mask, __m256i tail)
{
    __m256d acc[5][2], x[2], y;
    slong i;
    int c, v;
    for (c = 0; c < NB; c++)
        for (v = 0; v < V; v++)
            acc[c][v] = first ? _mm256_setzero_pd()
                              : P ? load_part(O + ldo * c, v, V, tail) : _mm256_loadu_pd(O + ldo * c + 4 * v);
    for (i = i0; i < i1; i++) {
        for (v = 0; v < V; v++)
            x[v] = P ? load_part(X + ldx * i, v, V, tail) : _mm256_loadu_pd(X + ldx * i + 4 * v);
        for (c = 0; c < NB; c++) {
            y = _mm256_broadcast_sd(Y + sc * c + si * i);
            for (v = 0; v < V; v++)
                acc[c][v] = _mm256_fmadd_pd(x[v], y, acc[c][v]);
        }
    }
    for (c = 0; c < NB; c++)
        for (v = 0; v < V; v++) {
            if (mask != NULL)
                acc[c][v] = _mm256_and_pd(acc[c][v], mask_bytes(mask + ldo * c + 4 * v, P && v == V - 1, tail));
            if (P)
                store_part(O + ldo * c, v, V, tail, acc[c][v]);
            else
                _mm256_storeu_pd(O + ldo * c + 4 * v, acc[c][v]);
        }
}

/* ---- C = A B^T, A thin (m <= 12 rows), the sum over the k columns of A and B ---- */

/* Rows i..i+4V-1 of CT = C^T (n x m, leading dimension ldt), all m columns in blocks of 5:
 * CT[:, r] (+)= sum_j B[i.., j] A[r, j], samples j0..j1-1. */
THIN_INLINE void nt_rows(const int V, const int P, double *CT, slong ldt, const double *A, slong lda, const double *B,
                         slong ldb, slong m, slong j0, slong j1, __m256i tail)
{
    slong r = 0;
    int first = j0 == 0;
    for (; r + 5 <= m; r += 5)
        vec_block(5, V, P, CT + ldt * r, ldt, B, ldb, A + r, 1, lda, j0, j1, first, NULL, tail);
    switch (m - r) {
    case 1: vec_block(1, V, P, CT + ldt * r, ldt, B, ldb, A + r, 1, lda, j0, j1, first, NULL, tail); break;
    case 2: vec_block(2, V, P, CT + ldt * r, ldt, B, ldb, A + r, 1, lda, j0, j1, first, NULL, tail); break;
    case 3: vec_block(3, V, P, CT + ldt * r, ldt, B, ldb, A + r, 1, lda, j0, j1, first, NULL, tail); break;
    case 4: vec_block(4, V, P, CT + ldt * r, ldt, B, ldb, A + r, 1, lda, j0, j1, first, NULL, tail); break;
    default: break;
    }
}

THIN_TARGET void dnc_thin_nt(double *C, slong ldc, const double *A, slong lda, const double *B, slong ldb,
                             slong m, slong n, slong k, double *work)
{
    __atomic_fetch_add(&thin_calls, 1, __ATOMIC_RELAXED);
    __m256i all = lanes(4);
    slong j0, i, r;
    if (k == 0) {
        for (i = 0; i < n; i++)
            memset(C + ldc * i, 0, m * sizeof(double));
        return;
    }
    for (j0 = 0; j0 < k; j0 += THIN_TILE) {
        slong j1 = k - j0 < THIN_TILE ? k : j0 + THIN_TILE;
        for (i = 0; i + 8 <= n; i += 8)
            nt_rows(2, 0, work + i, n, A, lda, B + i, ldb, m, j0, j1, all);
        if (i + 4 <= n) {
            nt_rows(1, 0, work + i, n, A, lda, B + i, ldb, m, j0, j1, all);
            i += 4;
        }
        if (i < n)
            nt_rows(1, 1, work + i, n, A, lda, B + i, ldb, m, j0, j1, lanes(n - i));
    }
    for (i = 0; i < n; i++)
        for (r = 0; r < m; r++)
            C[r + ldc * i] = work[i + n * r];
}

/* ---- C = AT B, the inner dimension thin (k <= 12), optionally masked ---- */

/* CB columns of C, all m rows: blocks of 8, then 4, then the 1-3 left (masked):
 * C[i.., c] = sum_kk AT[i.., kk] B[kk, c]. */
THIN_INLINE void tn_cols(const int CB, double *C, slong ldc, const double *AT, slong ldat, const double *B, slong ldb,
                         slong m, slong k, const unsigned char *mask)
{
    __m256i all = lanes(4);
    slong i = 0;
    for (; i + 8 <= m; i += 8)
        vec_block(CB, 2, 0, C + i, ldc, AT + i, ldat, B, ldb, 1, 0, k, 1, mask ? mask + i : NULL, all);
    if (i + 4 <= m) {
        vec_block(CB, 1, 0, C + i, ldc, AT + i, ldat, B, ldb, 1, 0, k, 1, mask ? mask + i : NULL, all);
        i += 4;
    }
    if (i < m)
        vec_block(CB, 1, 1, C + i, ldc, AT + i, ldat, B, ldb, 1, 0, k, 1, mask ? mask + i : NULL, lanes(m - i));
}

THIN_TARGET void dnc_thin_tn(double *C, slong ldc, const double *AT, slong ldat, const double *B, slong ldb,
                             slong m, slong n, slong k, const unsigned char *mask)
{
    __atomic_fetch_add(&thin_calls, 1, __ATOMIC_RELAXED);
    slong j = 0;
    for (; j + 4 <= n; j += 4)
        tn_cols(4, C + ldc * j, ldc, AT, ldat, B + ldb * j, ldb, m, k, mask ? mask + ldc * j : NULL);
    for (; j < n; j++)
        tn_cols(1, C + ldc * j, ldc, AT, ldat, B + ldb * j, ldb, m, k, mask ? mask + ldc * j : NULL);
}

/* ---- the cross-entropy of the last layer's output Z, four columns at a time ---- */

/* exp(x) for -708 <= x <= 0 (callers check; NaN in, NaN out), within one ulp of the correctly
 * rounded value (against glibc's exp on 8e7 points: 6% differ, by one ulp): x = n ln2 + r with
 * |r| <= ln2/2 (n = x log2(e) rounded to an integer by adding 1.5 2^52, whose low mantissa bits
 * then hold n; r in two FMAs with ln2 split in two doubles), exp(r) by its Taylor series to
 * r^13/13! in Horner form (the remainder is below 1e-17 relative; Estrin's shallower scheme
 * was no faster here and doubled the error), times 2^n built in the exponent field (n >= -1021:
 * a normal number). */
THIN_INLINE __m256d exp_nonpos(__m256d x)
{
    static const double inv_fact[14] = { 1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040,
                                         1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800,
                                         1.0 / 479001600, 1.0 / 6227020800.0 };
    const __m256d shift = _mm256_set1_pd(0x1.8p52);
    __m256d kd = _mm256_fmadd_pd(x, _mm256_set1_pd(0x1.71547652b82fep0), shift), n = _mm256_sub_pd(kd, shift);
    __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(0x1.62e42fefa39efp-1), x), p = _mm256_set1_pd(inv_fact[13]);
    __m256i two_n = _mm256_add_epi64(_mm256_slli_epi64(_mm256_castpd_si256(kd), 52), _mm256_set1_epi64x(1023LL << 52));
    int i;
    r = _mm256_fnmadd_pd(n, _mm256_set1_pd(0x1.abc9e3b39803fp-56), r);
    for (i = 12; i >= 0; i--)
        p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(inv_fact[i]));
    return _mm256_mul_pd(p, _mm256_castsi256_pd(two_n));
}

/* ce_column of dobj.c (the definition: its comment) on four columns at once, one in each
 * lane: the same operations in the same order (t summed over i = 0..K-1 but the top), only
 * exp replaced by exp_nonpos. Vectors along a column would be short (K = 10: three, one
 * partial) and tied together by the maximum and the sum across their lanes; one column a lane
 * needs neither, and every lane of every operation is used. */
THIN_TARGET int dnc_thin_ce4(double *x, slong K, const slong *y, const double *s, int want_grad, double *loss)
{
    __m256d v[DNC_THIN_MAX], m, t = _mm256_setzero_pd(), xy = _mm256_setzero_pd(), below = _mm256_setzero_pd();
    __m256d top = _mm256_set1_pd(-1.0), yv = _mm256_setr_pd((double) y[0], (double) y[1], (double) y[2], (double) y[3]);
    __m256d sv = _mm256_loadu_pd(s), scale;
    double tl[4], ml[4], out[4];
    int k, l, redo;
    if (K < 1 || K > DNC_THIN_MAX)
        return 15;
    for (k = 0; k < K; k++)   /* row k of the four columns */
        v[k] = _mm256_setr_pd(x[k], x[k + K], x[k + 2 * K], x[k + 3 * K]);
    for (m = v[0], k = 1; k < K; k++)   /* a NaN makes its lane's loss NaN, as in ce_column */
        m = _mm256_max_pd(m, v[k]);
    for (k = K - 1; k >= 0; k--)   /* the first largest */
        top = _mm256_blendv_pd(top, _mm256_set1_pd((double) k), _mm256_cmp_pd(v[k], m, _CMP_EQ_OQ));
    for (k = 0; k < K; k++) {
        __m256d d = _mm256_sub_pd(v[k], m), kv = _mm256_set1_pd((double) k);
        below = _mm256_or_pd(below, _mm256_cmp_pd(d, _mm256_set1_pd(-708.0), _CMP_LT_OQ));
        xy = _mm256_blendv_pd(xy, v[k], _mm256_cmp_pd(kv, yv, _CMP_EQ_OQ));
        v[k] = exp_nonpos(d);
        t = _mm256_add_pd(t, _mm256_andnot_pd(_mm256_cmp_pd(kv, top, _CMP_EQ_OQ), v[k]));
    }
    redo = _mm256_movemask_pd(below);   /* exp_nonpos's range left: those lanes untouched */
    _mm256_storeu_pd(tl, t);
    _mm256_storeu_pd(ml, _mm256_sub_pd(m, xy));
    for (l = 0; l < 4; l++)
        loss[l] = log1p(tl[l]) + ml[l];
    if (!want_grad)
        return redo;
    scale = _mm256_div_pd(sv, _mm256_add_pd(_mm256_set1_pd(1.0), t));
    for (k = 0; k < K; k++) {   /* x[i] *= scale, then x[y] -= s */
        __m256d isy = _mm256_cmp_pd(_mm256_set1_pd((double) k), yv, _CMP_EQ_OQ);
        _mm256_storeu_pd(out, _mm256_sub_pd(_mm256_mul_pd(v[k], scale), _mm256_and_pd(isy, sv)));
        for (l = 0; l < 4; l++)
            if (!(redo >> l & 1))
                x[k + K * l] = out[l];
    }
    return redo;
}

#else   /* no AVX2 loops on this compiler or architecture: callers use OpenBLAS */

int dnc_thin_available(void)
{
    return 0;
}

long dnc_thin_calls(void)
{
    return 0;
}

void dnc_thin_nn(double *C, slong ldc, const double *A, slong lda, const double *B, slong ldb,
                 slong m, slong n, slong k)
{
    (void) C; (void) ldc; (void) A; (void) lda; (void) B; (void) ldb; (void) m; (void) n; (void) k;
}

void dnc_thin_nt(double *C, slong ldc, const double *A, slong lda, const double *B, slong ldb,
                 slong m, slong n, slong k, double *work)
{
    (void) C; (void) ldc; (void) A; (void) lda; (void) B; (void) ldb; (void) m; (void) n; (void) k; (void) work;
}

void dnc_thin_tn(double *C, slong ldc, const double *AT, slong ldat, const double *B, slong ldb,
                 slong m, slong n, slong k, const unsigned char *mask)
{
    (void) C; (void) ldc; (void) AT; (void) ldat; (void) B; (void) ldb; (void) m; (void) n; (void) k; (void) mask;
}

int dnc_thin_ce4(double *x, slong K, const slong *y, const double *s, int want_grad, double *loss)
{
    (void) x; (void) K; (void) y; (void) s; (void) want_grad; (void) loss;
    return 15;
}

#endif
