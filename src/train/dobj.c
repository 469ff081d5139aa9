/* Double-precision backend of the objective driver: OpenBLAS for products, plain loops
 * for entrywise work. Deterministic for a fixed OpenBLAS thread count. */
#define _DEFAULT_SOURCE   /* madvise, MADV_HUGEPAGE */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cblas.h>
#include "dncert/dobj.h"
#include "train/thin.h"

#define B(o, h) ((o)->buf[(h).id])
#define ROWS(o, h) ((o)->rows[(h).id])
#define COLS(o, h) ((o)->cols[(h).id])
#define SIZE(o, h) (ROWS(o, h) * COLS(o, h))
#define CONST(o, c) ((o)->c[(c).id])
/* stored sample-major (transposed) in this evaluation, and the leading dimension of the storage */
#define TR(o, h) ((o)->tr[(h).id])
#define LD(o, h) (TR(o, h) ? COLS(o, h) : ROWS(o, h))

/* Below this many multiply-adds a product runs on one thread (d_mul). */
#define DNC_SPLIT_PRODUCT 2e5

/* OpenBLAS 0.3.21's AVX-512 kernels have a small-matrix path -- no packing of the operands,
 * no zeroing of C -- which it takes for products of at most 100^3 multiply-adds. At the
 * widths typical of the DUFM (d <= 100) it is 20-60% faster than the general path, so
 * products along the sample dimension are cut into blocks that take it. Measured on the
 * development machine (docs/benchmarks.md), single thread, N = 500:
 *   W H (d x d times d x N), blocks of 1e6/d^2 columns: d=64 60 -> 76 GFLOP/s, d=96 60 -> 72,
 *     but d=128 60 -> 52 (the d x d operand no longer stays in cache), hence DNC_MIN_BLOCK;
 *   D H^T (the weight gradient, blocks accumulate), best with both operand panels about
 *     48 KiB, DNC_PANEL doubles in all: d=64 47 -> 75, d=128 58 -> 71.
 * Where the path does not exist, one call. */
#define DNC_SMALL_PATH 1e6
#define DNC_MIN_BLOCK 100
#define DNC_PANEL 6144
#define DNC_MIN_PANEL_BLOCK 32

/* The elementwise passes (ReLU, its derivative) are compiled for AVX-512 and AVX2 as
 * well, picked at load time: the portable SSE2 build spends 8% of a step in them. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define DNC_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define DNC_VECTOR_CLONES
#endif

/* Threads for an entrywise pass over n entries: below DNC_ENTRYWISE_SPLIT waking a
 * second thread costs more than the pass. */
#define DNC_ENTRYWISE_SPLIT 16384

/* Most threads a parallel sum splits into (the trainer allows up to 256). */
#define DNC_PAR_MAX 256

/* Below this many entries a sum (a squared norm, the weight gradient's partials) stays on
 * one thread: at width 64, N = 500 the H1 norm, the gradient norm and the partials' sum on
 * two threads made a step of L = 2 slower on two threads than on one (0.39 ms against 0.30). */
#define DNC_SUM_SPLIT 262144

static int entrywise_threads(slong n, int threads)
{
    return n < DNC_ENTRYWISE_SPLIT ? 1 : threads;
}

static int blocking_mode = -1;   /* dnc_dobj_set_blocking: -1 auto, 0 never, 1 always */
static int thin_mode = -1;       /* dnc_dobj_set_thin: -1 auto, 0 never */
static int layout_mode = -1;     /* dnc_dobj_set_layout: -1 auto, 0 never, 1 always */

void dnc_dobj_set_blocking(int mode)
{
    blocking_mode = mode;
}

void dnc_dobj_set_thin(int mode)
{
    thin_mode = mode;
}

void dnc_dobj_set_layout(int mode)
{
    layout_mode = mode;
}

static int small_path_kernel(void);

/* Whether a product whose thin dimension (rows of the result, or the inner dimension when
 * inner) is `thin` goes to the AVX2 loops of thin.c rather than to OpenBLAS. With thin rows
 * (W_L H_L, G H_L^T) OpenBLAS's AVX-512 small-matrix path, where it exists, is as fast or
 * faster on the narrow problems it serves (d = 64, N = 500, one core: 51 against 42 GFLOP/s
 * for W_L H_L, 53 either way for G H_L^T); W_L^T G, with the ReLU mask fused, is faster in
 * the loops everywhere (45 against 33 plus the mask's pass). */
static int use_thin(slong thin, int inner)
{
    static int known = -1;
    if (thin_mode == 0 || thin > DNC_THIN_MAX || (!inner && small_path_kernel()))
        return 0;
    if (known < 0)
        known = dnc_thin_available();
    return known;
}

static int small_path_kernel(void)
{
    static int known = -1;
    if (blocking_mode >= 0)
        return blocking_mode;
    if (known < 0) {
        const char *k = openblas_get_corename();
        known = k != NULL && (strcmp(k, "SkylakeX") == 0 || strcmp(k, "Cooperlake") == 0
                              || strcmp(k, "SapphireRapids") == 0);
    }
    return known;
}

int dnc_dobj_small_products(const dnc_problem_t p)
{
    double small = 0.0, all = 0.0;
    slong l;
    for (l = 1; l <= p->L; l++) {
        double size = (double) dnc_problem_out_rows(p, l) * (double) p->width[l - 1];
        all += size;
        if (size <= DNC_SMALL_PATH / DNC_MIN_BLOCK)
            small += size;
    }
    return 2.0 * small >= all;
}

/* Entries rounded up to whole cache lines (8 doubles), so that every buffer starts on one. */
static slong line_round(slong n)
{
    return (n + 7) / 8 * 8;
}

static void gemm(int ta, int tb, slong m, slong n, slong k, const double *A, slong lda,
                 const double *Bp, slong ldb, double beta, double *C, slong ldc)
{
    cblas_dgemm(CblasColMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int) m, (int) n, (int) k, 1.0, A, (int) lda, Bp, (int) ldb, beta, C, (int) ldc);
}

/* Number of equal chunks of len with at most blk each (blk 0: no limit), rounded up to a
 * multiple of nt so that every thread gets the same work. */
static slong chunk_count(slong blk, slong len, int nt)
{
    slong c = blk > 0 ? (len + blk - 1) / blk : 1;
    c = (c + nt - 1) / nt * nt;
    return c < len ? c : len;
}

/* Columns per block of an a x b x len product split along len (one of the two rules
 * above), or 0 when one call is better. */
static slong block_of(slong a, slong b, slong len, int accumulate)
{
    slong limit = (slong) (DNC_SMALL_PATH / ((double) a * (double) b)), blk;
    if (!small_path_kernel())
        return 0;
    if (accumulate) {
        blk = DNC_PANEL / (a + b);
        blk = blk < DNC_MIN_PANEL_BLOCK ? DNC_MIN_PANEL_BLOCK : blk;
        return blk > limit || blk >= len ? 0 : blk;
    }
    return limit < DNC_MIN_BLOCK || limit >= len ? 0 : limit;
}

/* What mul_cols does besides the product: the ReLU mask (thin loops only: entries whose sign
 * byte is 0 become 0), or a start c X that the product is added to (OpenBLAS only). */
typedef struct {
    const unsigned char *mask;
    const double *X;
    double c;
} mul_extra;

/* T (rows x cols, leading dimension ldt) = the transpose of X (cols x rows, leading dimension
 * ldx), in tiles so that both sides stay in cache. */
static void transpose_into(double *T, slong ldt, const double *X, slong ldx, slong rows, slong cols)
{
    slong i, j, i0, j0, b = 32;
    for (j0 = 0; j0 < cols; j0 += b)
        for (i0 = 0; i0 < rows; i0 += b)
            for (j = j0; j < cols && j < j0 + b; j++)
                for (i = i0; i < rows && i < i0 + b; i++)
                    T[i + ldt * j] = X[j + ldx * i];
}

/* One column chunk of mul_cols: OpenBLAS, or the loops of thin.c (then a transposed A has
 * been copied). The extras' matrices are offset to the chunk. */
static void mul_chunk(int thin, double *C, slong ldc, const double *A, slong lda, int ta, const double *Bp,
                      slong ldb, int tb, slong m, slong n, slong k, const mul_extra *e)
{
    const unsigned char *mask = e != NULL ? e->mask : NULL;
    if (!thin && e != NULL && e->X != NULL) {   /* C = c X, then C += op(A) op(B) */
        slong i, j;
        for (j = 0; j < n; j++)
            for (i = 0; i < m; i++)
                C[i + ldc * j] = e->c * e->X[i + ldc * j];
        gemm(ta, tb, m, n, k, A, lda, Bp, ldb, 1.0, C, ldc);
    } else if (!thin)
        gemm(ta, tb, m, n, k, A, lda, Bp, ldb, 0.0, C, ldc);
    else if (ta)
        dnc_thin_tn(C, ldc, A, lda, Bp, ldb, m, n, k, mask);
    else
        dnc_thin_nn(C, ldc, A, lda, Bp, ldb, m, n, k);
}

/* C (m x n) = op(A) op(B), the columns of op(B) and C cut into chunks, one thread per run of
 * chunks. The extras (NULL: none; see mul_extra, callers check use_thin) share C's leading
 * dimension. The thin loops take B as it is (tb = 0). */
static void mul_cols(dnc_dobj_struct *o, double *C, slong ldc, const double *A, slong lda, int ta,
                     const double *Bp, slong ldb, int tb, slong m, slong n, slong k, int nt, const mul_extra *extra)
{
    int thin = tb ? 0 : ta ? use_thin(k, 1) : use_thin(m, 0);
    slong chunks = thin ? chunk_count(0, n, nt) : chunk_count(block_of(m, k, n, 0), n, nt);
    slong size = (n + chunks - 1) / chunks, c;
    if (ta && (chunks > 1 || thin)) {   /* transpose the small A once: the transposed small path is slow */
        transpose_into(o->scratch, m, A, lda, m, k);
        A = o->scratch;
        lda = m;
        ta = thin;   /* the thin loops take the transposed copy as their AT */
    }
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
    for (c = 0; c < chunks; c++) {
        slong j = c * size;
        mul_extra e;
        if (j >= n)
            continue;
        if (extra != NULL) {
            e = *extra;
            e.mask = e.mask != NULL ? e.mask + ldc * j : NULL;
            e.X = e.X != NULL ? e.X + ldc * j : NULL;
        }
        mul_chunk(thin, C + ldc * j, ldc, A, lda, ta, tb ? Bp + j : Bp + ldb * j, ldb, tb, m,
                  n - j < size ? n - j : size, k, extra != NULL ? &e : NULL);
    }
}

/* C (m x n) = op(A) op(B), the rows of op(A) and C cut into one run per thread: the product
 * into a sample-major C, whose rows are the samples. */
static void mul_rows(double *C, slong ldc, const double *A, slong lda, int ta, const double *Bp, slong ldb,
                     int tb, slong m, slong n, slong k, int nt)
{
    slong per = (m + nt - 1) / nt, t;
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
    for (t = 0; t < nt; t++) {
        slong i = t * per;
        if (i < m)
            gemm(ta, tb, m - i < per ? m - i : per, n, k, ta ? A + lda * i : A + i, lda, Bp, ldb, 0.0, C + i,
                 ldc);
    }
}

/* The first of the k samples of op(A) (its columns) and of op(B) (its rows), j on. */
static const double *sample_at(const double *X, slong ld, int t, int a_side, slong j)
{
    return (a_side ? t : !t) ? X + j : X + ld * j;
}

/* C (m x n) = op(A) op(B) summed over k samples in blocks of the small-path size (or by the
 * thin loops, in order); the blocks and the thin loops only for A B^T, the layout of points. */
static void mul_acc(double *C, slong ldc, const double *A, slong lda, int ta, const double *Bp, slong ldb,
                    int tb, slong m, slong n, slong k, double *thin_work)
{
    slong blk = ta || !tb ? 0 : block_of(m, n, k, 1), j;
    if (!ta && tb && use_thin(m, 0)) {
        dnc_thin_nt(C, ldc, A, lda, Bp, ldb, m, n, k, thin_work);
        return;
    }
    blk = blk > 0 ? blk : k;
    for (j = 0; j < k; j += blk)
        gemm(ta, tb, m, n, k - j < blk ? k - j : blk, sample_at(A, lda, ta, 1, j), lda,
             sample_at(Bp, ldb, tb, 0, j), ldb, j ? 1.0 : 0.0, C, ldc);
}

/* The weight gradient C = A B^T sums over the samples. Each thread sums over its own run
 * of samples -- the columns it produced in the forward pass and still holds in its cache
 * -- into its own partial matrix; the partials are then added in thread order. */
static void mul_samples(dnc_dobj_struct *o, double *C, slong ldc, const double *A, slong lda, int ta,
                        const double *Bp, slong ldb, int tb, slong m, slong n, slong k, int nt)
{
    slong per = (k + nt - 1) / nt, size = line_round(m * n), t, i, j;
    if (nt == 1) {
        mul_acc(C, ldc, A, lda, ta, Bp, ldb, tb, m, n, k, o->thin_work);
        return;
    }
#pragma omp parallel for num_threads(nt) schedule(static)
    for (t = 0; t < nt; t++) {
        slong j0 = t * per, kk = k - j0 < per ? k - j0 : per;
        double *part = o->partial + size * t;
        if (kk > 0)
            mul_acc(part, m, sample_at(A, lda, ta, 1, j0), lda, ta, sample_at(Bp, ldb, tb, 0, j0), ldb, tb, m, n,
                    kk, o->thin_work + o->thin_size * t);
        else
            memset(part, 0, m * n * sizeof(double));
    }
    /* each entry the sum of its partials in thread order; the columns split between threads */
#pragma omp parallel for num_threads(nt) schedule(static) private(i, t) if (m * n >= DNC_SUM_SPLIT)
    for (j = 0; j < n; j++)
        for (i = 0; i < m; i++) {
            double sum = o->partial[i + m * j];
            for (t = 1; t < nt; t++)
                sum += o->partial[size * t + i + m * j];
            C[i + ldc * j] = sum;
        }
}

typedef struct {   /* one product as the call on the stored matrices: C (m x n) = op(A) op(B) */
    double *C;
    const double *A, *B;
    slong ldc, lda, ldb, m, n, k;
    int ta, tb;
} mul_call;

/* The call d_mul makes (and the profile records) for C = op(A) op(B). */
static mul_call mul_stored(const dnc_dobj_struct *o, dnc_buf C, dnc_buf A, int ta, dnc_buf Bm, int tb)
{
    int sa = ta ^ TR(o, A), sb = tb ^ TR(o, Bm);
    mul_call c = { B(o, C), B(o, A), B(o, Bm), LD(o, C), LD(o, A), LD(o, Bm), ta ? COLS(o, A) : ROWS(o, A),
                   tb ? ROWS(o, Bm) : COLS(o, Bm), ta ? ROWS(o, A) : COLS(o, A), sa, sb };
    if (TR(o, C)) {   /* C^T = op(B)^T op(A)^T: the operands swap places, transposed */
        mul_call t = { c.C, c.B, c.A, c.ldc, c.ldb, c.lda, c.n, c.m, c.k, !sb, !sa };
        return t;
    }
    return c;
}

/* dncert does its own threading: every product is split between o->threads threads,
 * by samples (columns of the product, or for the weight gradient the sum), each part one single-threaded
 * OpenBLAS call. OpenBLAS's own threading loses on the small products of the DUFM
 * (64x500x64: 63 GFLOP/s on one thread, 67 on two) and its spinning workers would compete
 * with ours for the cores. The split depends only on the shape and the thread count, so
 * runs stay bit-for-bit reproducible.
 * An operand stored sample-major is its transpose in storage: op(A) = A^T of what is stored
 * when exactly one of ta and TR(A) holds. A sample-major C stores C^T = op(B)^T op(A)^T, whose
 * rows are the samples (mul_rows). The objective's products are op(A) B (the samples in
 * C's columns) and A B^T (the weight gradients, summed over the samples). */
static void d_mul(void *ctx, dnc_buf C, dnc_buf A, int ta, dnc_buf Bm, int tb)
{
    dnc_dobj_struct *o = ctx;
    mul_call c = mul_stored(o, C, A, ta, Bm, tb);
    int nt = (double) c.m * c.n * c.k < DNC_SPLIT_PRODUCT ? 1 : o->threads;
    if (TR(o, C))
        mul_rows(c.C, c.ldc, c.A, c.lda, c.ta, c.B, c.ldb, c.tb, c.m, c.n, c.k, nt);
    else if (tb && !ta)
        mul_samples(o, c.C, c.ldc, c.A, c.lda, c.ta, c.B, c.ldb, c.tb, c.m, c.n, c.k, nt);
    else if (!tb)
        mul_cols(o, c.C, c.ldc, c.A, c.lda, c.ta, c.B, c.ldb, c.tb, c.m, c.n, c.k, nt, NULL);
    else
        gemm(c.ta, c.tb, c.m, c.n, c.k, c.A, c.lda, c.B, c.ldb, 0.0, c.C, c.ldc);
}

DNC_VECTOR_CLONES
static void d_act(void *ctx, dnc_buf H, dnc_buf PRE, dnc_act_t a)
{
    dnc_dobj_struct *o = ctx;
    double *h = B(o, H);   /* the same storage as PRE: in place */
    slong i, n = SIZE(o, PRE);
    int nt = entrywise_threads(n, o->threads);
    (void) PRE;
    if (o->slope != NULL && o->slope[H.id] != NULL) {   /* H = DNC_BUF(DNC_H, l, L) has id l */
        const double *s = o->slope[H.id];
        for (i = 0; i < n; i++)
            h[i] *= s[i];
    } else if (a == DNC_ACT_RELU && o->want_signs) {   /* and the signs, for the backward pass */
        unsigned char *m = o->sign[H.id];
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
        for (i = 0; i < n; i++) {
            int pos = h[i] > 0.0;
            h[i] = pos ? h[i] : 0.0;
            m[i] = (unsigned char) pos;
        }
        o->sign_ok[H.id] = 1;
    } else if (a == DNC_ACT_RELU) {
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
        for (i = 0; i < n; i++)
            h[i] = h[i] > 0.0 ? h[i] : 0.0;
    }
}

/* ReLU'(0) is taken as 0 in double precision; the ball evaluator handles kinks exactly.
 * PRE holds relu(pre-activation) by now, which is > 0 exactly where the pre-activation is;
 * d_act recorded that sign as one byte an entry, an eighth of the doubles' traffic. */
DNC_VECTOR_CLONES
static void d_act_grad(void *ctx, dnc_buf D, dnc_buf PRE, dnc_act_t a, slong layer)
{
    dnc_dobj_struct *o = ctx;
    double *d = B(o, D);
    const double *x = B(o, PRE);
    slong i, n = SIZE(o, PRE);
    int nt = entrywise_threads(n, o->threads);
    if (o->slope != NULL && o->slope[layer] != NULL) {
        const double *s = o->slope[layer], *m = o->seed != NULL ? o->seed[layer] : NULL;
        for (i = 0; i < n; i++)
            d[i] = d[i] * s[i] + (m != NULL ? m[i] : 0.0);
    } else if (a == DNC_ACT_RELU && o->sign_ok[layer]) {
        const unsigned char *m = o->sign[layer];
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
        for (i = 0; i < n; i++)
            d[i] = m[i] ? d[i] : 0.0;
    } else if (a == DNC_ACT_RELU) {
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
        for (i = 0; i < n; i++)
            d[i] = x[i] > 0.0 ? d[i] : 0.0;
    }
}

/* D = (A^T G) .* relu'(PRE) in one pass when the inner dimension is thin (the last layer's
 * K): the mask is applied to each block of the product while it is in registers, which
 * saves act_grad's pass over D (20 MB at d = 512, N = 5000). Otherwise mul, then act_grad. */
static int mask_fuses(const dnc_dobj_struct *o, dnc_buf D, dnc_buf A, dnc_buf G, dnc_act_t a, slong layer)
{
    return !TR(o, D) && !TR(o, G) && use_thin(ROWS(o, A), 1) && (o->slope == NULL || o->slope[layer] == NULL)
           && (a == DNC_ACT_LINEAR || (a == DNC_ACT_RELU && o->sign_ok[layer]));
}

static void d_mul_act_grad(void *ctx, dnc_buf D, dnc_buf A, dnc_buf G, dnc_buf PRE, dnc_act_t a, slong layer)
{
    dnc_dobj_struct *o = ctx;
    slong m = COLS(o, A), k = ROWS(o, A), n = COLS(o, G);
    if (!mask_fuses(o, D, A, G, a, layer)) {
        d_mul(ctx, D, A, 1, G, 0);
        d_act_grad(ctx, D, PRE, a, layer);
        return;
    }
    {
        mul_extra e = { a == DNC_ACT_RELU ? o->sign[layer] : NULL, NULL, 0.0 };
        mul_cols(o, B(o, D), ROWS(o, D), B(o, A), ROWS(o, A), 1, B(o, G), ROWS(o, G), 0, m, n, k,
                 (double) m * n * k < DNC_SPLIT_PRODUCT ? 1 : o->threads, &e);
    }
}

static void d_residual(dnc_dobj_struct *o, dnc_buf R, dnc_buf Z, dnc_buf b)
{
    slong K = ROWS(o, Z), j, k;
    double *r = B(o, R);
    const double *z = B(o, Z), *bias = b.id >= 0 ? B(o, b) : NULL;
    for (j = 0; j < o->ncols; j++) {
        for (k = 0; k < K; k++)
            r[k + K * j] = z[k + K * j] + (bias ? bias[k] : 0.0);
        r[o->label[j] + K * j] -= 1.0;
    }
}

static double col_sqnorm(const double *x, slong rows)
{
    return cblas_ddot((int) rows, x, 1, x, 1);
}

/* x.x over n entries on nt threads: one OpenBLAS ddot per equal range, the partial sums added
 * in thread order (so the result depends on nt, like the weight gradients). */
static double par_sqnorm(const double *x, slong n, int nt)
{
    double part[DNC_PAR_MAX], s = 0.0;
    slong per;
    int t;
    nt = n < DNC_SUM_SPLIT ? 1 : nt > DNC_PAR_MAX ? DNC_PAR_MAX : nt;
    if (nt == 1)
        return col_sqnorm(x, n);
    per = (n + nt - 1) / nt;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (t = 0; t < nt; t++) {
        slong lo = t * per, hi = n < lo + per ? n : lo + per;
        part[t] = hi > lo ? col_sqnorm(x + lo, hi - lo) : 0.0;
    }
    for (t = 0; t < nt; t++)
        s += part[t];
    return s;
}

static void d_add_sqnorm(void *ctx, int term, dnc_buf X, int weighted, dnc_const c)
{
    dnc_dobj_struct *o = ctx;
    double s = 0.0;
    slong j, rows = ROWS(o, X);
    if (weighted && o->w != NULL)
        for (j = 0; j < COLS(o, X); j++)
            s += o->w[j] * col_sqnorm(B(o, X) + rows * j, rows);
    else
        s = par_sqnorm(B(o, X), SIZE(o, X), o->threads);
    o->term[term] += 0.5 * CONST(o, c) * s;
}

static void d_scale_cols(void *ctx, dnc_buf X, dnc_const c, int mode)
{
    dnc_dobj_struct *o = ctx;
    slong j, rows = ROWS(o, X);
    if (o->w == NULL) {
        if (CONST(o, c) != 1.0)
            cblas_dscal((int) SIZE(o, X), CONST(o, c), B(o, X), 1);
        return;
    }
    for (j = 0; j < COLS(o, X); j++) {
        double s = mode == DNC_COLS_WEIGHT ? CONST(o, c) * o->w[j] : CONST(o, c) / o->w[j];
        cblas_dscal((int) rows, s, B(o, X) + rows * j, 1);
    }
}

/* Cross-entropy of the logits x (K entries) against class y, stably: with m the first
 * largest logit and t = sum over the other entries of exp(x_i - m) (each <= 1),
 * log sum exp(x) - x_y = log1p(t) + (m - x_y), accurate also when the fit is tiny (log1p;
 * m - x_y = 0 exactly when y is the argmax). Overwrites x, with s (softmax(x) - e_y) when
 * want_grad. */
static double ce_column(double *x, slong K, slong y, double s, int want_grad)
{
    slong i, top = 0;
    double m, t = 0.0, xy = x[y], scale;
    for (i = 1; i < K; i++)
        if (x[i] > x[top])
            top = i;
    m = x[top];
    for (i = 0; i < K; i++) {
        x[i] = exp(x[i] - m);
        if (i != top)
            t += x[i];
    }
    if (want_grad) {
        scale = s / (1.0 + t);
        for (i = 0; i < K; i++)
            x[i] *= scale;
        x[y] -= s;
    }
    return log1p(t) + (m - xy);
}

/* CE: the logits Z + b 1^T in G, then column by column in place, four columns at a time by
 * dnc_thin_ce4 (thin.c) where it can: ce_column alone, K calls of libm's exp and one of log1p
 * in a chain of dependent steps per column, took 0.4-0.5 ms a step at K = 10, N = 5000, the
 * four-column path 0.2 (MSE's residual: 0.04; docs/benchmarks.md). */
static void d_fit_ce(dnc_dobj_struct *o, dnc_buf G, dnc_buf Z, dnc_buf b, double c, int want_grad)
{
    slong K = ROWS(o, Z), n = o->ncols, j, k, l;
    const double *z = B(o, Z), *bias = b.id >= 0 ? B(o, b) : NULL;
    double *g = B(o, G), sum = 0.0, s[4], f[4];
    int vec = use_thin(K, 1);
    for (j = 0; j < n; j++)
        for (k = 0; k < K; k++)
            g[k + K * j] = z[k + K * j] + (bias ? bias[k] : 0.0);
    for (j = 0; j < n; j += 4) {
        slong cols = n - j < 4 ? n - j : 4;
        int redo = 15;
        for (l = 0; l < 4; l++)
            s[l] = c * (o->w != NULL && l < cols ? o->w[j + l] : 1.0);
        if (vec && cols == 4)
            redo = dnc_thin_ce4(g + K * j, K, o->label + j, s, want_grad, f);
        for (l = 0; l < cols; l++) {
            if (redo >> l & 1)
                f[l] = ce_column(g + K * (j + l), K, o->label[j + l], s[l], want_grad);
            sum += (o->w != NULL ? o->w[j + l] : 1.0) * f[l];
        }
    }
    o->term[DNC_TERM_FIT] += c * sum;
}

/* MSE: the residual R = Z + b 1^T - Y in G, its weighted squared norm, then G <- c R diag(w). */
static void d_fit(void *ctx, dnc_loss_t loss, dnc_buf G, dnc_buf Z, dnc_buf b, dnc_const c, int want_grad)
{
    dnc_dobj_struct *o = ctx;
    if (loss == DNC_LOSS_CE) {
        d_fit_ce(o, G, Z, b, CONST(o, c), want_grad);
        return;
    }
    d_residual(o, G, Z, b);
    d_add_sqnorm(o, DNC_TERM_FIT, G, 1, c);
    if (want_grad)
        d_scale_cols(o, G, c, DNC_COLS_WEIGHT);
}

/* One OpenBLAS daxpy per thread on its range of entries: the same result on any number. */
static void d_add_scaled(void *ctx, dnc_buf D, dnc_buf X, dnc_const c)
{
    dnc_dobj_struct *o = ctx;
    slong n = SIZE(o, X), per, t;
    int nt = entrywise_threads(n, o->threads);
    per = (n + nt - 1) / nt;
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
    for (t = 0; t < nt; t++) {
        slong lo = t * per, hi = n < lo + per ? n : lo + per;
        if (hi > lo)
            cblas_daxpy((int) (hi - lo), CONST(o, c), B(o, X) + lo, 1, B(o, D) + lo, 1);
    }
}

static void d_row_sums(void *ctx, dnc_buf d, dnc_buf X)
{
    dnc_dobj_struct *o = ctx;
    slong i, j, rows = ROWS(o, X);
    double *out = B(o, d);
    const double *x = B(o, X);
    for (i = 0; i < rows; i++)
        out[i] = 0.0;
    for (j = 0; j < COLS(o, X); j++)
        for (i = 0; i < rows; i++)
            out[i] += x[i + rows * j];
}

static int decay_fuses(const dnc_dobj_struct *o, dnc_buf A)
{
    return o->w == NULL && !use_thin(ROWS(o, A), 1);
}

/* The H1 gradient D = A^T G + c X (all weights 1) as OpenBLAS's D = A^T G + D after D = c X,
 * chunk by chunk: saves OpenBLAS's zeroing of D and add_scaled's pass (60 MB of the 100 of
 * the three passes at d = 512, N = 5000). Otherwise mul, scale_cols, add_scaled. */
static void d_mul_decay(void *ctx, dnc_buf D, dnc_buf A, dnc_buf G, dnc_buf X, dnc_const c)
{
    dnc_dobj_struct *o = ctx;
    slong m = COLS(o, A), k = ROWS(o, A), n = COLS(o, G);
    if (!decay_fuses(o, A)) {
        d_mul(ctx, D, A, 1, G, 0);
        d_scale_cols(ctx, D, DNC_CONST(DNC_C_ONE), DNC_COLS_UNWEIGHT);
        d_add_scaled(ctx, D, X, c);
        return;
    }
    {   /* D = DH_1 and X = H_1 (parameters) are never sample-major, G may be */
        mul_extra e = { NULL, B(o, X), CONST(o, c) };
        mul_cols(o, B(o, D), ROWS(o, D), B(o, A), ROWS(o, A), 1, B(o, G), LD(o, G), TR(o, G), m, n, k,
                 (double) m * n * k < DNC_SPLIT_PRODUCT ? 1 : o->threads, &e);
    }
}

static const dnc_objective_ops dobj_ops = {
    d_mul, d_act, d_act_grad, d_fit, d_add_sqnorm, d_scale_cols, d_add_scaled, d_row_sums, d_mul_act_grad,
    d_mul_decay
};

/* ---- timing (dnc_dobj_set_profile): the same operations, each timed into its entry ---- */

static double prof_start(dnc_dobj_struct *o, const char *op, int ta, int tb, slong m, slong n, slong k)
{
    dnc_dobj_prof *pr = o->prof;
    if (pr->cursor < DNC_DOBJ_PROF_MAX) {
        dnc_dobj_prof_entry *e = pr->e + pr->cursor;
        e->op = op;
        e->ta = ta;
        e->tb = tb;
        e->m = m;
        e->n = n;
        e->k = k;
    }
    return pr->clock != NULL ? pr->clock() : dnc_seconds_now();
}

static void prof_stop(dnc_dobj_struct *o, double t0)
{
    dnc_dobj_prof *pr = o->prof;
    if (pr->cursor < DNC_DOBJ_PROF_MAX) {
        dnc_dobj_prof_entry *e = pr->e + pr->cursor;
        double t = (pr->clock != NULL ? pr->clock() : dnc_seconds_now()) - t0;
        e->best = pr->evals == 0 || t < e->best ? t : e->best;
        e->seconds += t;
    }
    pr->cursor++;
}

#define PROF_BUF(o, op, h) prof_start(o, op, 0, 0, ROWS(o, h), COLS(o, h), 0)

/* Products are recorded as the OpenBLAS calls d_mul makes of them (in storage). */
static void p_mul(void *ctx, dnc_buf C, dnc_buf A, int ta, dnc_buf Bm, int tb)
{
    dnc_dobj_struct *o = ctx;
    mul_call c = mul_stored(o, C, A, ta, Bm, tb);
    double t = prof_start(o, "mul", c.ta, c.tb, c.m, c.n, c.k);
    d_mul(ctx, C, A, ta, Bm, tb);
    prof_stop(o, t);
}

static void p_act(void *ctx, dnc_buf H, dnc_buf PRE, dnc_act_t a)
{
    double t = PROF_BUF((dnc_dobj_struct *) ctx, "act", H);
    d_act(ctx, H, PRE, a);
    prof_stop(ctx, t);
}

static void p_act_grad(void *ctx, dnc_buf D, dnc_buf PRE, dnc_act_t a, slong layer)
{
    double t = PROF_BUF((dnc_dobj_struct *) ctx, "act_grad", D);
    d_act_grad(ctx, D, PRE, a, layer);
    prof_stop(ctx, t);
}

static void p_fit(void *ctx, dnc_loss_t loss, dnc_buf G, dnc_buf Z, dnc_buf b, dnc_const c, int want_grad)
{
    double t = PROF_BUF((dnc_dobj_struct *) ctx, "fit", G);
    d_fit(ctx, loss, G, Z, b, c, want_grad);
    prof_stop(ctx, t);
}

static void p_add_sqnorm(void *ctx, int term, dnc_buf X, int weighted, dnc_const c)
{
    double t = PROF_BUF((dnc_dobj_struct *) ctx, "add_sqnorm", X);
    d_add_sqnorm(ctx, term, X, weighted, c);
    prof_stop(ctx, t);
}

static void p_scale_cols(void *ctx, dnc_buf X, dnc_const c, int mode)
{
    double t = PROF_BUF((dnc_dobj_struct *) ctx, "scale_cols", X);
    d_scale_cols(ctx, X, c, mode);
    prof_stop(ctx, t);
}

static void p_add_scaled(void *ctx, dnc_buf D, dnc_buf X, dnc_const c)
{
    double t = PROF_BUF((dnc_dobj_struct *) ctx, "add_scaled", D);
    d_add_scaled(ctx, D, X, c);
    prof_stop(ctx, t);
}

static void p_row_sums(void *ctx, dnc_buf d, dnc_buf X)
{
    double t = PROF_BUF((dnc_dobj_struct *) ctx, "row_sums", X);
    d_row_sums(ctx, d, X);
    prof_stop(ctx, t);
}

static void p_mul_act_grad(void *ctx, dnc_buf D, dnc_buf A, dnc_buf G, dnc_buf PRE, dnc_act_t a, slong layer)
{
    dnc_dobj_struct *o = ctx;
    double t;
    if (!mask_fuses(o, D, A, G, a, layer)) {   /* two operations: timed as two */
        p_mul(ctx, D, A, 1, G, 0);
        p_act_grad(ctx, D, PRE, a, layer);
        return;
    }
    t = prof_start(o, "mul_act_grad", 1, 0, COLS(o, A), COLS(o, G), ROWS(o, A));
    d_mul_act_grad(ctx, D, A, G, PRE, a, layer);
    prof_stop(o, t);
}

static void p_mul_decay(void *ctx, dnc_buf D, dnc_buf A, dnc_buf G, dnc_buf X, dnc_const c)
{
    dnc_dobj_struct *o = ctx;
    double t;
    if (!decay_fuses(o, A)) {   /* three operations: timed as three */
        p_mul(ctx, D, A, 1, G, 0);
        p_scale_cols(ctx, D, DNC_CONST(DNC_C_ONE), DNC_COLS_UNWEIGHT);
        p_add_scaled(ctx, D, X, c);
        return;
    }
    t = prof_start(o, "mul_decay", 1, TR(o, G), COLS(o, A), COLS(o, G), ROWS(o, A));
    d_mul_decay(ctx, D, A, G, X, c);
    prof_stop(o, t);
}

static const dnc_objective_ops prof_ops = {
    p_mul, p_act, p_act_grad, p_fit, p_add_sqnorm, p_scale_cols, p_add_scaled, p_row_sums, p_mul_act_grad,
    p_mul_decay
};

void dnc_dobj_set_profile(dnc_dobj_t o, dnc_dobj_prof *prof)
{
    o->prof = prof;
}

/* ---- workspace ---- */

/* Buffers that exist for layer l (the others stay NULL). */
static int buf_exists(const dnc_problem_t p, dnc_buf_kind k, slong l)
{
    switch (k) {
    case DNC_H: case DNC_DH: case DNC_W: case DNC_GW: return l >= 1 && l <= p->L;
    case DNC_PRE: return l >= 2 && l <= p->L;
    case DNC_B: case DNC_GB: return l == 0 && p->bias == DNC_BIAS_FREE;
    default: return l == 0;
    }
}

/* Temporaries: PRE_l and DH_l (l >= 2), Z, R. H_l (l >= 2) shares PRE_l's storage: the
 * activation is applied in place, and the ReLU mask needs only the sign of the output
 * (relu(x) > 0 exactly when x > 0), so the pre-activation need not be kept. */
static int temp_needed(const dnc_problem_t p, dnc_buf_kind k, slong l)
{
    if (!buf_exists(p, k, l))
        return 0;
    if (k == DNC_DH)
        return l >= 2;
    return k == DNC_PRE || k == DNC_Z || k == DNC_R;
}

static void dobj_set_constants(dnc_dobj_t o)
{
    slong l;
    o->c[DNC_C_ONE] = 1.0;
    o->c[DNC_C_INV_N] = 1.0 / (double) o->p->N;
    o->c[DNC_C_LAMBDA_H] = fmpq_get_d(o->p->lambda_h);
    for (l = 1; l <= o->p->L; l++)
        o->c[DNC_C_LAMBDA_W(l)] = fmpq_get_d(o->p->lambda_w + l - 1);
}

/* sqrt(g.g) rather than dnrm2, which is 2-3 times slower for its overflow guard: a
 * gradient norm beyond 1e154 overflows to inf here, and is reported as divergence. */
double dnc_dobj_grad_norm(const dnc_dobj_t o, const double *grad)
{
    return sqrt(par_sqnorm(grad, o->nparams, o->threads));
}

/* Blocks of 4 MB and more are aligned to 2 MB and asked for transparent huge pages (where
 * the kernel gives them on request, as Debian's "madvise" default does): with 4 KB pages a
 * pass over a 20 MB matrix misses the TLB every 4 KB, and at d = 512, N = 5000 the
 * entrywise passes of a step ran at 30 GB/s instead of 46, the products 1-3% slower. */
double *dnc_dobj_alloc(slong n)
{
    size_t bytes = (size_t) line_round(n > 0 ? n : 1) * sizeof(double), huge = (size_t) 2 << 20;
    double *p;
    if (bytes < 2 * huge)
        return aligned_alloc(64, bytes);
    bytes = (bytes + huge - 1) / huge * huge;
    p = aligned_alloc(huge, bytes);
#ifdef MADV_HUGEPAGE
    if (p != NULL)
        madvise(p, bytes, MADV_HUGEPAGE);   /* a request: refused, the pages stay small */
#endif
    return p;
}

int dnc_dobj_init_weighted(dnc_dobj_t o, dnc_problem_t p, slong ncols,
                           const slong *label, const double *w)
{
    slong L = p->L, l, total = 0;
    int k, nb = DNC_NBUFS(L);
    memset(o, 0, sizeof(*o));
    o->p = p;
    o->threads = 1;
    o->ncols = ncols;
    o->nparams = dnc_param_offset(p, ncols, DNC_NKINDS, 0);
    if (o->nparams < 0)
        return -1;
    o->buf = calloc(nb, sizeof(double *));
    o->tr = calloc(nb, 1);
    o->rows = calloc(nb, sizeof(slong));
    o->cols = calloc(nb, sizeof(slong));
    o->label = malloc(ncols * sizeof(slong));
    if (w != NULL)
        o->w = malloc(ncols * sizeof(double));
    for (k = 0; k < DNC_NKINDS; k++)
        for (l = 0; l <= L; l++) {
            int id = DNC_BUF_ID(k, l, L);
            if (!buf_exists(p, (dnc_buf_kind) k, l))
                continue;
            dnc_objective_buf_shape(o->rows + id, o->cols + id, p, ncols, (dnc_buf_kind) k, l);
            if (temp_needed(p, (dnc_buf_kind) k, l))
                total += line_round(o->rows[id] * o->cols[id]);
        }
    o->wmax = 1;   /* scratch for a transposed weight matrix (mul_cols) */
    for (l = 1; l <= L; l++)
        if (dnc_problem_out_rows(p, l) * p->width[l - 1] > o->wmax)
            o->wmax = dnc_problem_out_rows(p, l) * p->width[l - 1];
    o->thin_size = 1;   /* per thread: the transposed weight gradient of the thin loops */
    for (l = 1; l <= L; l++)
        if (dnc_problem_out_rows(p, l) <= DNC_THIN_MAX && dnc_problem_out_rows(p, l) * p->width[l - 1] > o->thin_size)
            o->thin_size = dnc_problem_out_rows(p, l) * p->width[l - 1];
    o->thin_size = line_round(o->thin_size);
    o->scratch = dnc_dobj_alloc(o->wmax);
    o->thin_work = dnc_dobj_alloc(o->thin_size);
    o->sign = calloc(L + 1, sizeof(unsigned char *));
    o->sign_ok = calloc(L + 1, sizeof(int));
    {   /* the ReLU's signs of H_l, l >= 2: one byte an entry, each layer on a cache line */
        slong bytes = 0;
        for (l = 2; l <= L; l++)
            bytes += (p->width[l - 1] * ncols + 63) / 64 * 64;
        o->signs = (unsigned char *) dnc_dobj_alloc((bytes + 7) / 8);
        for (l = 2, bytes = 0; o->signs != NULL && o->sign != NULL && l <= L; l++) {
            o->sign[l] = o->signs + bytes;
            bytes += (p->width[l - 1] * ncols + 63) / 64 * 64;
        }
    }
    o->work = dnc_dobj_alloc(total > 0 ? total : 1);
    if (o->buf == NULL || o->tr == NULL || o->rows == NULL || o->cols == NULL || o->label == NULL
        || (w != NULL && o->w == NULL) || o->work == NULL || o->scratch == NULL || o->thin_work == NULL
        || o->sign == NULL || o->sign_ok == NULL || o->signs == NULL) {
        dnc_dobj_clear(o);
        return -1;
    }
    memcpy(o->label, label, ncols * sizeof(slong));
    if (w != NULL)
        memcpy(o->w, w, ncols * sizeof(double));
    total = 0;
    for (k = 0; k < DNC_NKINDS; k++)
        for (l = 0; l <= L; l++)
            if (temp_needed(p, (dnc_buf_kind) k, l)) {
                int id = DNC_BUF_ID(k, l, L);
                o->buf[id] = o->work + total;
                total += line_round(o->rows[id] * o->cols[id]);
            }
    for (l = 2; l <= L; l++)
        o->buf[DNC_BUF_ID(DNC_H, l, L)] = o->buf[DNC_BUF_ID(DNC_PRE, l, L)];
    dobj_set_constants(o);
    return 0;
}

int dnc_dobj_init(dnc_dobj_t o, dnc_problem_t p)
{
    slong j = 0, k, i;
    slong *label = malloc(p->N * sizeof(slong));
    int r;
    if (label == NULL)
        return -1;
    for (k = 0; k < p->K; k++)
        for (i = 0; i < p->n[k]; i++)
            label[j++] = k;
    r = dnc_dobj_init_weighted(o, p, p->N, label, NULL);
    free(label);
    return r;
}

int dnc_dobj_set_threads(dnc_dobj_t o, int threads)
{
    double *partial = NULL, *thin_work;
    threads = threads < 1 ? 1 : threads;
    if (threads > 1 && (partial = dnc_dobj_alloc(threads * line_round(o->wmax))) == NULL)
        return -1;
    if ((thin_work = dnc_dobj_alloc(threads * o->thin_size)) == NULL) {
        free(partial);
        return -1;
    }
    free(o->partial);
    free(o->thin_work);
    o->partial = partial;
    o->thin_work = thin_work;
    o->threads = threads;
    return 0;
}

void dnc_dobj_set_pattern(dnc_dobj_t o, const double *const *slope, const double *const *seed)
{
    o->slope = slope;
    o->seed = seed;
}

void dnc_dobj_clear(dnc_dobj_t o)
{
    free(o->buf);
    free(o->tr);
    free(o->rows);
    free(o->cols);
    free(o->label);
    free(o->w);
    free(o->work);
    free(o->scratch);
    free(o->partial);
    free(o->thin_work);
    free(o->signs);
    free(o->sign);
    free(o->sign_ok);
    memset(o, 0, sizeof(*o));
}

/* Points the parameter buffers into theta and the gradient buffers into grad. */
static void dobj_bind(dnc_dobj_t o, const double *theta, double *grad)
{
    slong L = o->p->L, l, off;
    double *t = (double *) theta;   /* parameter buffers are only read */
    o->buf[DNC_BUF_ID(DNC_H, 1, L)] = t;
    o->buf[DNC_BUF_ID(DNC_DH, 1, L)] = grad;
    for (l = 1; l <= L; l++) {
        off = dnc_param_offset(o->p, o->ncols, DNC_W, l);
        o->buf[DNC_BUF_ID(DNC_W, l, L)] = t + off;
        o->buf[DNC_BUF_ID(DNC_GW, l, L)] = grad ? grad + off : NULL;
    }
    if (o->p->bias == DNC_BIAS_FREE) {
        off = dnc_param_offset(o->p, o->ncols, DNC_B, 0);
        o->buf[DNC_BUF_ID(DNC_B, 0, L)] = t + off;
        o->buf[DNC_BUF_ID(DNC_GB, 0, L)] = grad ? grad + off : NULL;
    }
}

/* Whether the hidden temporaries go sample-major (dnc_dobj_set_layout): only products of
 * wide layers gain (N x d x d against d x N x d: +4% at d = 512, 0 at 256, -2% at 128 with
 * OpenBLAS 0.3.21's Zen kernel, docs/benchmarks.md), the thin loops and the small-matrix path
 * take features in rows, and the pattern's slopes are stored that way too. */
static int sample_major(const dnc_dobj_struct *o, int grad)
{
    slong l;
    if (!grad || o->slope != NULL || layout_mode == 0 || o->p->L < 3)
        return 0;
    if (layout_mode > 0)
        return 1;
    if (small_path_kernel())
        return 0;
    for (l = 0; l < o->p->L; l++)
        if (o->p->width[l] < DNC_SAMPLE_MAJOR_WIDTH)
            return 0;
    return 1;
}

static void layout_set(dnc_dobj_t o, int grad)
{
    slong L = o->p->L, l;
    int on = sample_major(o, grad);
    for (l = 2; l < L; l++)
        o->tr[DNC_BUF_ID(DNC_PRE, l, L)] = o->tr[DNC_BUF_ID(DNC_H, l, L)] = o->tr[DNC_BUF_ID(DNC_DH, l, L)]
            = (unsigned char) on;
}

double dnc_dobj_eval(dnc_dobj_t o, const double *theta, double *grad)
{
    dobj_bind(o, theta, grad);
    layout_set(o, grad != NULL);
    memset(o->sign_ok, 0, (o->p->L + 1) * sizeof(int));   /* no signs of this point yet */
    o->want_signs = grad != NULL;
    o->term[DNC_TERM_FIT] = o->term[DNC_TERM_REG] = 0.0;
    if (o->prof == NULL) {
        dnc_objective_eval(o->p, &dobj_ops, o, grad != NULL);
        return o->term[DNC_TERM_FIT] + o->term[DNC_TERM_REG];
    }
    o->prof->cursor = 0;
    dnc_objective_eval(o->p, &prof_ops, o, grad != NULL);
    o->prof->nentries = o->prof->cursor < DNC_DOBJ_PROF_MAX ? o->prof->cursor : DNC_DOBJ_PROF_MAX;
    o->prof->evals++;
    return o->term[DNC_TERM_FIT] + o->term[DNC_TERM_REG];
}

/* Buffer id stored sample-major (rows x cols logically, cols x rows in storage) back to
 * features in rows, in place through a copy, with every id sharing its storage (H_l and
 * PRE_l). The ReLU's signs were recorded in the old order: they no longer apply. */
static int buf_to_features(const dnc_dobj_struct *o, int id)
{
    slong rows = o->rows[id], cols = o->cols[id];
    double *x = o->buf[id], *t = malloc((size_t) (rows * cols > 0 ? rows * cols : 1) * sizeof(double));
    int other;
    if (t == NULL)
        return -1;
    transpose_into(t, rows, x, cols, rows, cols);
    memcpy(x, t, (size_t) (rows * cols) * sizeof(double));
    free(t);
    for (other = 0; other < DNC_NBUFS(o->p->L); other++)
        if (o->buf[other] == x)
            o->tr[other] = 0;
    memset(o->sign_ok, 0, (o->p->L + 1) * sizeof(int));
    return 0;
}

const double *dnc_dobj_buf(const dnc_dobj_t o, dnc_buf_kind kind, slong l)
{
    int id = DNC_BUF_ID(kind, l, o->p->L);
    if (o->tr[id] && buf_to_features(o, id) != 0)
        return NULL;
    return o->buf[id];
}
