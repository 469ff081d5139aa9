/* The fast rigorous tier: a backend of the objective driver on midpoint-radius intervals of
 * doubles (dncert/fast.h). Every step is one of the rules of docs/fast-tier.md: (P) for
 * products (P32 and N for their radii), (R1)-(R3) for entrywise work, (S) for sums.
 * Compiled with -ffp-contract=off so that every operation written here is exactly one
 * rounding. */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif
#include "dncert/fast.h"
#include "fast/fround.h"

typedef struct {
    double *mid, *rad;   /* rad NULL: exact (radius 0) */
    slong rows, cols;
} ibuf;

/* An operand |W_l| as rule P32 converts it, formed once per evaluation instead of once per
 * chunk and product: (C) depends only on the operand and on its own scale, which depends only
 * on its largest entry (docs/fast-tier.md §3.1). ok is cleared when an evaluation starts. */
typedef struct {
    float *f;
    double max;   /* bop_max of the operand */
    int ok;
} wcache;

/* A scratch area that only grows (sbuf_get). */
typedef struct {
    void *p;
    size_t len;
} sbuf;

typedef struct {
    const dnc_problem_struct *p;
    slong N;
    slong cap, col0, ncols;     /* columns per chunk; the current chunk's first column and width */
    int first, last;            /* the current chunk is the first / the last */
    const double *theta;        /* the point being evaluated */
    slong *label;               /* class of each column */
    ibuf *buf;                  /* DNC_NBUFS(L) */
    double *own;                /* owned storage of every temporary buffer */
    unsigned char **pattern;    /* per layer l (ReLU): 0 inactive, 1 active, 2 kink */
    double clo[DNC_NCONSTS(DNC_MAX_L)], chi[DNC_NCONSTS(DNC_MAX_L)];
    double term_lo[2], term_hi[2];
    sbuf scratch;               /* the bound products' results, the row sums of a chunk */
    sbuf dops;                  /* the bound products' operands in double (rule P); rule N's norms */
    sbuf fops;                  /* the bound products' operands and sums in binary32 (rule P32) */
    wcache wc[DNC_MAX_L + 1];   /* wc[l]: |W_l| in binary32 for this evaluation (rule P32) */
    slong kink_cap;
    int bad, nomem;
    int no_h1;                  /* DNC_FAST_NO_H1_GRAD: the H1 gradient of one chunk in own */
    dnc_fast_struct *f;
} fast_ws;

/* The products' entrywise loops are compiled for AVX-512 and AVX2 as well, picked at load
 * time (as the trainer's, src/train/dobj.c): the same operations, so the same bits, 4-8
 * entries at a time where the portable build does 1-2. GCC only: with clang they are the
 * portable loops. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define FAST_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define FAST_CLONES
#endif

static double bound_scale = 1.0, f32_scale = 1.0;
static int f32_on = 1, f32_sequential = 0, norm_on = 1;

void dnc_fast_set_f32_sequential(int on)
{
    f32_sequential = on;
}

void dnc_fast_set_bound_scale(double s)
{
    bound_scale = s;
}

void dnc_fast_set_f32_bound_scale(double s)
{
    f32_scale = s;
}

void dnc_fast_set_f32(int on)
{
    f32_on = on;
}

void dnc_fast_set_norm_rule(int on)
{
    norm_on = on;
}

#define BUF(w, h) ((w)->buf + (h).id)
#define BUF_AT(w, id) ((w)->buf + (id))

static int kind_of(const fast_ws *w, dnc_buf b)
{
    return b.id / (int) (w->p->L + 1);
}

/* b's area, grown to at least bytes (NULL and nomem when that fails). */
static void *sbuf_get(fast_ws *w, sbuf *b, size_t bytes)
{
    if (bytes > b->len) {
        void *q = realloc(b->p, bytes);
        if (q == NULL) {
            w->nomem = 1;
            return NULL;
        }
        b->p = q;
        b->len = bytes;
    }
    return b->p;
}

static void sbuf_clear(sbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
}

/* The scratch area, at least need doubles. */
static double *scratch(fast_ws *w, slong need)
{
    return sbuf_get(w, &w->scratch, (size_t) need * sizeof(double));
}

/* The shape of C = op(A) op(B): column-major, each leading dimension its array's stored rows. */
typedef struct {
    int ta, tb;
    slong m, n, k, lda, ldb, ldc;
} pshape;

static void gemm(const pshape *s, const double *A, const double *B, double *C)
{
    cblas_dgemm(CblasColMajor, s->ta ? CblasTrans : CblasNoTrans, s->tb ? CblasTrans : CblasNoTrans, (int) s->m,
                (int) s->n, (int) s->k, 1.0, A, (int) s->lda, B, (int) s->ldb, 0.0, C, (int) s->ldc);
}

/* For tests: the binary32 products summed term by term in k's order, one rounding per
 * addition -- a valid sgemm whose order reaches rule P32's bound on the constructions of
 * tests/test_fast.c whatever OpenBLAS's kernel does (some kernels keep several partial sums,
 * which halves the worst case there). */
static void gemm32_sequential(const pshape *s, const float *A, const float *B, float *C)
{
    slong i, j, t;
    for (j = 0; j < s->n; j++)
        for (i = 0; i < s->m; i++) {
            float c = 0.0f;
            for (t = 0; t < s->k; t++) {
                volatile float ab = (s->ta ? A[t + s->lda * i] : A[i + s->lda * t])
                                    * (s->tb ? B[j + s->ldb * t] : B[t + s->ldb * j]);
                c = c + ab;
            }
            C[i + s->ldc * j] = c;
        }
}

static void gemm32(const pshape *s, const float *A, const float *B, float *C)
{
    if (f32_sequential) {
        gemm32_sequential(s, A, B, C);
        return;
    }
    cblas_sgemm(CblasColMajor, s->ta ? CblasTrans : CblasNoTrans, s->tb ? CblasTrans : CblasNoTrans, (int) s->m,
                (int) s->n, (int) s->k, 1.0f, A, (int) s->lda, B, (int) s->ldb, 0.0f, C, (int) s->ldc);
}

/* ---- bound products (docs/fast-tier.md §3, rule P; §3.1, rule P32) ---- */

/* One operand of a bound product: n entries, each >= 0, entry i being up(g |m_i|) (g = 1:
 * |m_i| itself, which needs no rounding) plus r_i, rounded up, when r is given; r_i alone
 * when m is NULL. */
typedef struct {
    const double *m, *r;
    double g;
    slong n;
} bop;

static inline double bop_entry(const bop *o, slong i)
{
    double t;
    if (o->m == NULL)
        return o->r[i];
    t = o->g == 1.0 ? fabs(o->m[i]) : fr_mul_up(o->g, fabs(o->m[i]));
    return o->r != NULL ? fr_add_up(t, o->r[i]) : t;
}

/* The operand as doubles: written to out, or r itself when the operand is r alone. */
static const double *bop_doubles(double *out, const bop *o)
{
    slong i;
    if (o->m == NULL)
        return o->r;
    for (i = 0; i < o->n; i++)
        out[i] = bop_entry(o, i);
    return out;
}

#define F32_U    0x1p-24          /* unit roundoff of binary32 */
#define F32_ETA  0x1p-149         /* its smallest positive (subnormal) number */
#define F32_KMAX ((slong) 1 << 20)
#define F32_TOP  50               /* the scaled operands' largest entries lie in [2^49, 2^50) */

/* The largest bit pattern of |x_i| (0 when x is NULL): IEEE 754 orders non-negative doubles
 * as their bit patterns, so it is that of the largest |x_i|, or at least that of +Inf when an
 * entry is Inf or NaN. On integers (signed: the sign bit is cleared), so that no NaN is
 * lost by a comparison and the loop vectorises. */
FAST_CLONES
static int64_t max_abs_bits(const double *x, slong n)
{
    int64_t m = 0, b;
    slong i;
    if (x == NULL)
        return 0;
    for (i = 0; i < n; i++) {
        memcpy(&b, x + i, sizeof(b));
        b &= INT64_MAX;
        m = b > m ? b : m;
    }
    return m;
}

/* Entry i of o as rule P32 converts it: up(up(g |m_i|) + r_i), r_i alone when m is NULL, the
 * addition only when r is given -- at least entry i (bop_entry; with g = 1 it may be one
 * step above). */
static inline double bop_entry_up(const double *m, const double *r, double g, slong i)
{
    return m == NULL ? r[i] : r == NULL ? fr_mul_up(g, fabs(m[i])) : fr_add_up(fr_mul_up(g, fabs(m[i])), r[i]);
}

/* An upper bound of every bop_entry_up of o: its formula on the largest |m_i| and r_i (each
 * step is monotone); +Inf when an input is Inf or NaN. */
static double bop_max(const bop *o)
{
    const int64_t inf = 0x7ff0000000000000LL;
    int64_t bm = max_abs_bits(o->m, o->n), br = max_abs_bits(o->r, o->n);
    double mm, mr;
    if (bm >= inf || br >= inf)
        return INFINITY;
    memcpy(&mm, &bm, sizeof(mm));
    memcpy(&mr, &br, sizeof(mr));
    return bop_entry_up(o->m != NULL ? &mm : NULL, o->r != NULL ? &mr : NULL, o->g, 0);
}

/* Rule P32 applies (docs/fast-tier.md §3.1, "When") when k < 2^20 and the operands' bounds
 * MX = fx 2^bx, MY = fy 2^by (f in [1/2, 1)) are positive and finite with bx, by >= -960 and
 * -900 <= bx + by <= 1000. Then the scales sx = 2^(50 - bx), sy = 2^(50 - by) and 1/(sx sy)
 * are normal doubles, the scaled entries are at most 2^50, every binary32 partial sum is
 * below 2^121, and the bound, scaled back, below 2^1022. */
static int f32_scales(double *sx, double *sy, double mx, double my, slong k)
{
    int bx, by;
    if (!f32_on || k >= F32_KMAX)
        return 0;
    if (!(mx > 0.0 && mx <= DBL_MAX && my > 0.0 && my <= DBL_MAX))
        return 0;
    frexp(mx, &bx);
    frexp(my, &by);
    if (bx < -960 || by < -960 || bx + by < -900 || bx + by > 1000)
        return 0;
    *sx = ldexp(1.0, F32_TOP - bx);
    *sy = ldexp(1.0, F32_TOP - by);
    return 1;
}

/* An upper bound of x s in binary32 (x >= 0, s a power of two, x s < 2^50), rule P32 (C):
 * the float nearest to d = fl(x s), stepped up when it is below d. d is x s exactly unless it
 * is below 2^-1022 (scaling by a power of two rounds only in the subnormal range); then any
 * positive float exceeds x s, and only d = 0 < x s needs the step from 0 to 2^-149. */
static inline float f32_up(double x, double s)
{
    double d = x * s;
    float f = (float) d;
    uint32_t b;
    memcpy(&b, &f, sizeof(b));
    b += ((double) f < d) | ((b == 0) & (x > 0.0));   /* the next float up (f >= 0); no branch */
    memcpy(&f, &b, sizeof(b));
    return f;
}

/* out_i >= bop_entry_up(o, i) s in binary32; one loop per form of the entry, so that each
 * is branch-free and vectorises. */
FAST_CLONES
static void bop_floats(float *out, const bop *o, double s)
{
    const double *m = o->m, *r = o->r;
    double g = o->g;
    slong i, n = o->n;
    if (m == NULL)
        for (i = 0; i < n; i++)
            out[i] = f32_up(bop_entry_up(NULL, r, g, i), s);
    else if (r == NULL)
        for (i = 0; i < n; i++)
            out[i] = f32_up(bop_entry_up(m, NULL, g, i), s);
    else
        for (i = 0; i < n; i++)
            out[i] = f32_up(bop_entry_up(m, r, g, i), s);
}

/* P_i = up(up(S_i + h) c): the binary32 sums back in double, bounded (§3.1, step 5); with
 * add, P_i <- up(P_i + that). */
FAST_CLONES
static void f32_back(double *P, const float *S, slong n, double h, double c, int add)
{
    slong i;
    if (add)
        for (i = 0; i < n; i++)
            P[i] = fr_add_up(P[i], fr_mul_up(fr_add_up((double) S[i], h), c));
    else
        for (i = 0; i < n; i++)
            P[i] = fr_mul_up(fr_add_up((double) S[i], h), c);
}

/* P >= op(X) op(Y) entrywise, exactly, by sgemm on the scaled operands rounded up (rule
 * P32): P = up(up(S + k eta32/2) c), c >= 1/((1 - k u32) sx sy), S the binary32 sums (with
 * add, P <- up(P + that)). cx, when not NULL, holds X in binary32 for this evaluation (or is
 * filled). Returns 0, having written nothing to P, when the rule does not apply. */
static int bound_product_f32(fast_ws *w, double *P, const bop *x, const bop *y, const pshape *s, int add, wcache *cx)
{
    slong nc = s->m * s->n;
    double sx, sy, h = f32_scale * (double) s->k * (0.5 * F32_ETA), c, mx = cx != NULL && cx->ok ? cx->max : bop_max(x);
    float *X, *Y, *S;
    if (!f32_scales(&sx, &sy, mx, bop_max(y), s->k)
        || (Y = sbuf_get(w, &w->fops, (size_t) ((cx != NULL ? 0 : x->n) + y->n + nc) * sizeof(float))) == NULL)
        return 0;
    S = Y + y->n;
    if (cx == NULL) {
        X = S + nc;
        bop_floats(X, x, sx);
    } else {
        if (!cx->ok) {
            if (cx->f == NULL && (cx->f = malloc((size_t) x->n * sizeof(float))) == NULL) {
                w->nomem = 1;
                return 0;
            }
            cx->max = mx;
            bop_floats(cx->f, x, sx);
            cx->ok = 1;
        }
        X = cx->f;
    }
    bop_floats(Y, y, sy);
    gemm32(s, X, Y, S);
    c = fr_mul_up(fr_up(1.0 / (1.0 - f32_scale * (double) s->k * F32_U)), 1.0 / (sx * sy));   /* 1 - k u32 exact */
    f32_back(P, S, nc, h, c, add);
    return 1;
}

/* P (the shape of C) bounds op(X) op(Y): by rule P32 when it applies, an upper bound
 * already; else P = fl(X Y) by dgemm, as rule P states it, bounded by its inflation (P2).
 * With add, P <- up(P + that bound) instead (the sum of rule P's two bound products, formed
 * in place: one C-sized scratch array for both). */
static void bound_product(fast_ws *w, double *P, const bop *x, const bop *y, const pshape *s, int add, wcache *cx)
{
    slong i, nc = s->m * s->n;
    double *X, *Q;
    if (bound_product_f32(w, P, x, y, s, add, cx)
        || (X = sbuf_get(w, &w->dops, (size_t) (x->n + y->n + (add ? nc : 0)) * sizeof(double))) == NULL)
        return;
    Q = add ? X + x->n + y->n : P;
    gemm(s, bop_doubles(X, x), bop_doubles(X + x->n, y), Q);
    if (add)
        for (i = 0; i < nc; i++)
            P[i] = fr_add_up(P[i], Q[i]);
}

/* ---- rule N: a product of two intervals bounded by Cauchy-Schwarz (docs/fast-tier.md §3.2) ---- */

/* q_i <- an upper bound of the 2-norm of row i < n of the entries (i, p), p < k, of o (entry
 * (i, p) at index i si + p sp): each square, each sum and the square root rounded up (R1;
 * sqrt is correctly rounded). One loop per form of the entry, as in bop_floats, so that each
 * vectorises across the rows when they are the contiguous index (si = 1). */
#define SUMSQ_LOOPS(E)                                                                                                 \
    if (si == 1)                                                                                                       \
        for (p = 0; p < k; p++)                                                                                        \
            for (i = 0; i < n; i++) {                                                                                  \
                double e = E(i + p * sp);                                                                              \
                q[i] = fr_add_up(q[i], fr_mul_up(e, e));                                                               \
            }                                                                                                          \
    else                                                                                                               \
        for (i = 0; i < n; i++)                                                                                        \
            for (p = 0; p < k; p++) {                                                                                  \
                double e = E(i * si + p);                                                                              \
                q[i] = fr_add_up(q[i], fr_mul_up(e, e));                                                               \
            }
#define SUMSQ_R(j)  bop_entry_up(NULL, r, g, j)
#define SUMSQ_M(j)  bop_entry_up(m, NULL, g, j)
#define SUMSQ_MR(j) bop_entry_up(m, r, g, j)
FAST_CLONES
static void bop_norms(double *q, const bop *o, slong n, slong k, slong si, slong sp)
{
    const double *m = o->m, *r = o->r;
    double g = o->g;
    slong i, p;
    for (i = 0; i < n; i++)
        q[i] = 0.0;
    if (m == NULL) {
        SUMSQ_LOOPS(SUMSQ_R)
    } else if (r == NULL) {
        SUMSQ_LOOPS(SUMSQ_M)
    } else {
        SUMSQ_LOOPS(SUMSQ_MR)
    }
    for (i = 0; i < n; i++)
        q[i] = fr_up(sqrt(q[i]));
}
#undef SUMSQ_LOOPS
#undef SUMSQ_R
#undef SUMSQ_M
#undef SUMSQ_MR

/* P_ij <- up(up(a_i b_j) + up(c_i d_j)), or up(a_i b_j) when c is NULL; P m x n column-major. */
FAST_CLONES
static void outer_up(double *P, const double *a, const double *b, const double *c, const double *d, slong m, slong n)
{
    slong i, j;
    for (j = 0; j < n; j++)
        if (c == NULL)
            for (i = 0; i < m; i++)
                P[i + m * j] = fr_mul_up(a[i], b[j]);
        else
            for (i = 0; i < m; i++)
                P[i + m * j] = fr_add_up(fr_mul_up(a[i], b[j]), fr_mul_up(c[i], d[j]));
}

/* c_p <- about the sum over i < n of the entries (i, p) of o, p < k (laid out as for
 * bop_norms): g sum |m| + sum r, in plain double and BLAS's order where the rows are the
 * contiguous index. Only an estimate (rule N's test of tightness), not a bound. */
static void bop_sums(double *c, const bop *o, slong n, slong k, slong si, slong sp)
{
    slong i, p;
    if (si == 1) {
        for (p = 0; p < k; p++)
            c[p] = (o->m != NULL ? o->g * cblas_dasum((int) n, o->m + p * sp, 1) : 0.0)
                   + (o->r != NULL ? cblas_dasum((int) n, o->r + p * sp, 1) : 0.0);
        return;
    }
    for (p = 0; p < k; p++)
        c[p] = 0.0;
    for (i = 0; i < n; i++)
        for (p = 0; p < k; p++)
            c[p] += bop_entry_up(o->m, o->r, o->g, i * si + p);
}

static double dsum(const double *x, slong n)
{
    double t = 0.0;
    slong i;
    for (i = 0; i < n; i++)
        t += x[i];
    return t;
}

/* Rule N is used for products whose inner dimension is at least NORM_MIN_K (below that rule
 * P's products cost little) and where its bound, summed over the entries, is at most
 * NORM_SLACK times the sum of the entries of the products it bounds (estimated): dense
 * products, as the weight gradients of a trained network are (docs/fast-tier.md §3.2). */
#define NORM_MIN_K DNC_FAST_MIN_CHUNK
#define NORM_SLACK 4.0

/* P >= op(X1) op(Y1) + op(X2) op(Y2) entrywise, exactly (rule N; without x2, y2: the first
 * product alone): each entry of a product of non-negative matrices is at most the 2-norm of
 * its row of op(X) times that of its column of op(Y). O((m + n) k + m n) work and no product;
 * looser by the Cauchy-Schwarz gap, which is small on dense operands and unbounded on sparse
 * ones. So the sum of the bound's entries is compared with an estimate of the sum of the
 * products' entries, sum_p (column sum of op(X))_p (row sum of op(Y))_p; returns -1, having
 * written nothing to P, when it exceeds NORM_SLACK times that or k < NORM_MIN_K (rule P
 * then; without check, neither test is made), 0 (nomem) when the scratch area cannot be had,
 * 1 when P is written. */
static int bound_product_norms(fast_ws *w, double *P, const bop *x1, const bop *y1, const bop *x2, const bop *y2,
                               const pshape *s, int check)
{
    slong m = s->m, n = s->n, k = s->k, t, np = x2 != NULL ? 2 : 1;
    slong xi = s->ta ? s->lda : 1, xp = s->ta ? 1 : s->lda, yj = s->tb ? 1 : s->ldb, yp = s->tb ? s->ldb : 1;
    const bop *x[2] = { x1, x2 }, *y[2] = { y1, y2 };
    double *q, *c, bound = 0.0, sum = 0.0;
    if (check && k < NORM_MIN_K)
        return -1;
    if ((q = sbuf_get(w, &w->dops, (size_t) (2 * (m + n + 2 * k)) * sizeof(double))) == NULL)
        return 0;
    c = q + 2 * (m + n);
    /* rows of op(X): entry (i, p) at i + lda p, or p + lda i when transposed; columns of op(Y):
     * entry (p, j) at p + ldb j, or j + ldb p when transposed. q: the norms of X1's rows, X2's
     * rows, Y1's columns, Y2's columns; c: column sums of op(X), row sums of op(Y) */
    for (t = 0; t < np; t++) {
        slong i;
        bop_norms(q + t * m, x[t], m, k, xi, xp);
        bop_norms(q + 2 * m + t * n, y[t], n, k, yj, yp);
        bop_sums(c, x[t], m, k, xi, xp);
        bop_sums(c + k, y[t], n, k, yj, yp);
        bound += dsum(q + t * m, m) * dsum(q + 2 * m + t * n, n);
        for (i = 0; i < k; i++)
            sum += c[i] * c[k + i];
    }
    if (check && !(bound <= NORM_SLACK * sum && bound <= DBL_MAX))   /* a NaN or Inf: rule P, which may stay finite */
        return -1;
    outer_up(P, q, q + 2 * m, x2 != NULL ? q + m : NULL, q + 2 * m + n, m, n);
    return 1;
}

/* gamma_k = k u / (1 - k u) rounded up, times the test-only scale. 1 - k u is exact. */
static double gamma_up(slong k)
{
    double ku = (double) k * DNC_U;
    return fr_up(bound_scale * fr_up(ku / (1.0 - ku)));
}

/* FOR TESTS (dncert/fast.h): rule N's P for C = op(A) op(B), both factors intervals (k the
 * inner dimension, g = gamma_k as in f_mul), without its test of tightness. */
int dnc_fast_test_norm_bound(double *P, const double *Am, const double *Ar, const double *Bm, const double *Br,
                             slong m, slong k, slong n, int ta, int tb)
{
    fast_ws w;
    pshape sh = { ta, tb, m, n, k, ta ? k : m, tb ? n : k, m };
    bop x = { Am, Ar, gamma_up(k), m * k }, y = { Bm, NULL, 1.0, k * n };
    bop x2 = { Am, Ar, 1.0, m * k }, y2 = { NULL, Br, 1.0, k * n };
    int ok;
    memset(&w, 0, sizeof(w));
    ok = bound_product_norms(&w, P, &x, &y, &x2, &y2, &sh, 0);
    sbuf_clear(&w.dops);
    return ok == 1;
}

/* The radius of C = A B from P, the bound product P1 (or up(P1 + P2)), rule P: t = 3k eta
 * (one interval factor) or 5k eta (two). The factor and 2k eta of t bound dgemm's rounding of
 * a bound product (P2); where rule P32 formed it, they only widen an upper bound. */
FAST_CLONES
static void finish_product(fast_ws *w, ibuf *C, const double *P, slong k, int two)
{
    slong i, n = C->rows * C->cols;
    double f = 1.0 + 2.0 * (double) k * DNC_U, t = (two ? 5.0 : 3.0) * (double) k * DNC_ETA;
    int bad = 0;
    for (i = 0; i < n; i++) {
        double r = fr_add_up(fr_mul_up(f, P[i]), t);
        C->rad[i] = r;
        bad |= fr_bad(r) | fr_bad(C->mid[i]);
    }
    w->bad |= bad;
}

/* A weight gradient's chunk part added to its sum S in two halves (f_mul: the part's radii
 * are formed before its midpoints, in one scratch array): finish_product's radii r_i from P,
 * each added at once, S->rad <- up(S->rad + r_i); then accumulate_mid: S->mid <- fl(S->mid +
 * xm), S->rad <- up(S->rad + err). Entry by entry the operations of finish_product and
 * accumulate (below), in the same order, so the same bits. A non-finite midpoint gives a
 * non-finite sum, which the second half catches. */
FAST_CLONES
static void finish_product_add(fast_ws *w, ibuf *S, const double *P, slong n, slong k, int two)
{
    slong i;
    double f = 1.0 + 2.0 * (double) k * DNC_U, t = (two ? 5.0 : 3.0) * (double) k * DNC_ETA;
    int bad = 0;
    for (i = 0; i < n; i++) {
        double r = fr_add_up(fr_mul_up(f, P[i]), t), s = fr_add_up(S->rad[i], r);
        S->rad[i] = s;
        bad |= fr_bad(r) | fr_bad(s);
    }
    w->bad |= bad;
}

FAST_CLONES
static void accumulate_mid(fast_ws *w, ibuf *S, const double *xm, slong n)
{
    slong i;
    int bad = 0;
    for (i = 0; i < n; i++) {
        double m = S->mid[i] + xm[i];
        double r = fr_add_up(S->rad[i], fr_err(m));
        S->mid[i] = m;
        S->rad[i] = r;
        bad |= fr_bad(m) | fr_bad(r);
    }
    w->bad |= bad;
}

/* S <- S + X over chunks (docs/fast-tier.md §3, "Chunks"): one rounding of the midpoint
 * sum, bounded by R2, and the radii added upward (R1). */
FAST_CLONES
static void accumulate(fast_ws *w, ibuf *S, const double *xm, const double *xr, slong n)
{
    slong i;
    int bad = 0;
    for (i = 0; i < n; i++) {
        double m = S->mid[i] + xm[i];
        double r = fr_add_up(fr_add_up(S->rad[i], xr[i]), fr_err(m));
        S->mid[i] = m;
        S->rad[i] = r;
        bad |= fr_bad(m) | fr_bad(r);
    }
    w->bad |= bad;
}

/* C <- op(A) op(B) with midpoint fl(Am Bm) and the radius of rule P:
 *   one side exact:  rad >= (g|Am| + Ar)|Bm| (or |Am|(g|Bm| + Br)), inflated by (P2);
 *   both intervals:  rad >= (g|Am| + Ar)|Bm| + (|Am| + Ar) Br. */
static void f_mul(void *vw, dnc_buf Ci, dnc_buf Ai, int ta, dnc_buf Bi, int tb)
{
    fast_ws *w = vw;
    ibuf *A = BUF(w, Ai), *B = BUF(w, Bi), *C = BUF(w, Ci);
    slong na = A->rows * A->cols, nb = B->rows * B->cols, nc = C->rows * C->cols;
    pshape sh = { ta, tb, ta ? A->cols : A->rows, tb ? B->rows : B->cols, ta ? A->rows : A->cols,
                  A->rows, B->rows, C->rows };
    double g = gamma_up(sh.k), *P;
    int two = A->rad != NULL && B->rad != NULL, gw = kind_of(w, Ci) == DNC_GW, acc = gw && !w->first;
    bop x = { A->mid, A->rad, g, na }, y = { B->mid, NULL, 1.0, nb };   /* (g|Am| + Ar) |Bm| */
    P = scratch(w, nc);   /* the bound products, then (acc) the chunk's part: radii, then midpoints */
    if (P == NULL)
        return;
    if (!two && (B->rad != NULL || A->rad == NULL)) {   /* |Am| (g|Bm| + Br): always when A is exact */
        x.g = 1.0;
        y.r = B->rad;
        y.g = g;
    }
    bop x2 = { A->mid, A->rad, 1.0, na }, y2 = { NULL, B->rad, 1.0, nb };   /* + (|Am| + Ar) Br */
    int norms = gw && norm_on ? bound_product_norms(w, P, &x, &y, two ? &x2 : NULL, two ? &y2 : NULL, &sh, 1) : -1;
    if (norms == 0)
        return;
    if (norms < 0 && two) {
        bound_product(w, P, &x, &y, &sh, 0, NULL);
        bound_product(w, P, &x2, &y2, &sh, 1, NULL);
    } else if (norms < 0)   /* an exact A is a weight matrix |W_l|: its binary32 form is kept for the evaluation */
        bound_product(w, P, &x, &y, &sh, 0, kind_of(w, Ai) == DNC_W ? &w->wc[Ai.id - DNC_W * (w->p->L + 1)] : NULL);
    if (!acc) {
        gemm(&sh, A->mid, B->mid, C->mid);
        finish_product(w, C, P, sh.k, two);
        return;
    }
    /* a weight gradient summed over chunks: this chunk's part, added to the sum in two halves */
    finish_product_add(w, C, P, nc, sh.k, two);
    gemm(&sh, A->mid, B->mid, P);
    accumulate_mid(w, C, P, nc);
}

/* ---- entrywise operations (rules R1-R3) ---- */

static void record_kink(fast_ws *w, slong layer, slong row, slong col, double adj)
{
    dnc_fast_struct *f = w->f;
    if (f->nkinks == w->kink_cap) {
        dnc_kink *k = realloc(f->kinks, (2 * w->kink_cap + 16) * sizeof(dnc_kink));
        double *a = k == NULL ? NULL : realloc(f->kink_adj, (2 * w->kink_cap + 16) * sizeof(double));
        if (k != NULL)
            f->kinks = k;
        if (a == NULL) {
            w->nomem = 1;
            return;
        }
        f->kink_adj = a;
        w->kink_cap = 2 * w->kink_cap + 16;
    }
    f->kinks[f->nkinks].layer = layer;
    f->kinks[f->nkinks].row = row;
    f->kinks[f->nkinks].col = col;
    f->kink_adj[f->nkinks] = adj;
    f->nkinks++;
}

static slong layer_of(const fast_ws *w, dnc_buf PRE)
{
    return PRE.id - DNC_BUF_ID(DNC_PRE, 0, w->p->L);
}

/* ReLU in place on n entries, and their pattern. The sign tests m > r and m < -r are exact
 * comparisons; where |m| <= r the interval contains 0 and relu is [0, up(m + r)]: midpoint
 * h = up(m + r)/2, radius max(h, up(up(m + r) - h)). All three forms computed and one kept,
 * so that the loop has no branch and vectorises (the others' values are discarded). */
FAST_CLONES
static void relu_entries(double *mid, double *rad, unsigned char *pat, slong n)
{
    slong i;
    for (i = 0; i < n; i++) {
        double m = mid[i], r = rad[i], hi = fr_add_up(m, r), h = 0.5 * hi, t = fr_up(hi - h), km, kr;
        int on = m > r, off = m < -r;   /* never both: r >= 0 */
        t = t > h ? t : h;              /* max: [h - t, h + t] contains [0, hi]; h where t is NaN, as fmax */
        km = off ? 0.0 : h;
        kr = off ? 0.0 : t;
        pat[i] = (unsigned char) (2 - on - 2 * off);
        mid[i] = on ? m : km;
        rad[i] = on ? r : kr;
    }
}

/* ReLU in place (H and PRE share storage). */
static void f_act(void *vw, dnc_buf H, dnc_buf PRE, dnc_act_t a)
{
    fast_ws *w = vw;
    ibuf *x = BUF(w, PRE);
    (void) H;
    if (a != DNC_ACT_LINEAR)
        relu_entries(x->mid, x->rad, w->pattern[layer_of(w, PRE)], x->rows * x->cols);
}

/* The active and inactive entries of D .* relu'(PRE): kept, or 0; returns whether a kink
 * (pattern 2) is among them. Branch-free, so that it vectorises. */
FAST_CLONES
static int relu_grad_entries(double *mid, double *rad, const unsigned char *pat, slong n)
{
    slong i;
    int kinks = 0;
    for (i = 0; i < n; i++) {
        int off = pat[i] == 0;
        kinks |= pat[i] == 2;
        mid[i] = off ? 0.0 : mid[i];
        rad[i] = off ? 0.0 : rad[i];
    }
    return kinks;
}

/* D <- D .* relu'(PRE): kept where active, 0 where inactive, and D [0, 1] = hull(D, 0) at a
 * kink: midpoint m/2, radius |m|/2 + r, both rounded outward. */
static void f_act_grad(void *vw, dnc_buf Di, dnc_buf PRE, dnc_act_t a, slong layer)
{
    fast_ws *w = vw;
    ibuf *d = BUF(w, Di);
    const unsigned char *pat = w->pattern[layer_of(w, PRE)];
    slong i, n = d->rows * d->cols;
    if (a == DNC_ACT_LINEAR || !relu_grad_entries(d->mid, d->rad, pat, n))
        return;
    for (i = 0; i < n; i++)   /* the kinks, in order */
        if (pat[i] == 2) {
            double m = d->mid[i];
            record_kink(w, layer, i % d->rows, w->col0 + i / d->rows, fr_add_up(fabs(m), d->rad[i]));
            d->mid[i] = 0.5 * m;                      /* error <= eta/2 (subnormal m) */
            d->rad[i] = fr_add_up(fr_up(0.5 * fabs(m)), d->rad[i]);
        }
}

/* R <- Z + b 1^T - Y: at most two roundings per entry, each bounded by R2. */
static void f_residual(fast_ws *w, dnc_buf Ri, dnc_buf Zi, dnc_buf bi)
{
    ibuf *R = BUF(w, Ri), *Z = BUF(w, Zi);
    const double *b = bi.id >= 0 ? BUF(w, bi)->mid : NULL;
    slong k, j, K = Z->rows;
    int bad = 0;
    for (j = 0; j < Z->cols; j++)
        for (k = 0; k < K; k++) {
            slong i = k + K * j;
            double s = Z->mid[i], r = Z->rad[i];
            if (b != NULL) {
                s = s + b[k];
                r = fr_add_up(r, fr_err(s));
            }
            if (w->label[w->col0 + j] == k) {
                s = s - 1.0;
                r = fr_add_up(r, fr_err(s));
            }
            R->mid[i] = s;
            R->rad[i] = r;
            bad |= fr_bad(s) | fr_bad(r);
        }
    w->bad |= bad;
}

/* term += (c/2) ||X||_F^2 (every column weight is 1 in the expanded layout), as an interval:
 * entrywise bounds of x^2 (R1), then rule S for the two sums. */
static void f_add_sqnorm(void *vw, int term, dnc_buf Xi, int weighted, dnc_const c)
{
    fast_ws *w = vw;
    ibuf *X = BUF(w, Xi);
    slong i, n = X->rows * X->cols;
    double lo = 0.0, hi = 0.0, nu = (double) (n > 0 ? n - 1 : 0) * DNC_U;
    (void) weighted;
    if (kind_of(w, Xi) == DNC_W && !w->first)   /* a weight matrix: counted in the first chunk only */
        return;
    for (i = 0; i < n; i++) {
        double a = fabs(X->mid[i]), r = X->rad != NULL ? X->rad[i] : 0.0;
        double top = r > 0.0 ? fr_add_up(a, r) : a, bot = r > 0.0 ? (a > r ? fr_dn(a - r) : 0.0) : a;
        hi += fr_mul_up(top, top);
        lo += fr_mul_dn(bot, bot);
    }
    hi = fr_mul_up(hi, 1.0 + 2.0 * nu);   /* S <= (1 + 2(n-1)u) fl(S) */
    lo = fr_mul_dn(lo, 1.0 - nu);         /* S >= (1 - (n-1)u) fl(S) */
    hi = fr_mul_up(0.5, fr_mul_up(w->chi[c.id], hi));
    lo = fr_mul_dn(0.5, fr_mul_dn(w->clo[c.id], lo));
    w->term_hi[term] = fr_add_up(w->term_hi[term], hi);
    w->term_lo[term] = fr_add_dn(w->term_lo[term], lo);
    w->bad |= fr_bad(hi);
}

/* X <- c X (every column weight is 1; unweighting by 1 is the identity): midpoint
 * fl(chi m), radius |m| (chi - clo) + chi r + err. */
static void f_scale_cols(void *vw, dnc_buf Xi, dnc_const c, int mode)
{
    fast_ws *w = vw;
    ibuf *X = BUF(w, Xi);
    slong i, n = X->rows * X->cols;
    double hi = w->chi[c.id], dc = hi == w->clo[c.id] ? 0.0 : fr_up(hi - w->clo[c.id]);
    int bad = 0;
    (void) mode;
    if (hi == 1.0 && dc == 0.0)
        return;
    for (i = 0; i < n; i++) {
        double m = X->mid[i] * hi;
        double r = fr_add_up(fr_add_up(fr_mul_up(fabs(X->mid[i]), dc), fr_mul_up(X->rad[i], hi)), fr_err(m));
        X->mid[i] = m;
        X->rad[i] = r;
        bad |= fr_bad(m) | fr_bad(r);
    }
    w->bad |= bad;
}

/* D <- D + c X, X exact (a parameter block): two roundings, |x| (chi - clo) for c. */
FAST_CLONES
static void f_add_scaled(void *vw, dnc_buf Di, dnc_buf Xi, dnc_const c)
{
    fast_ws *w = vw;
    ibuf *D = BUF(w, Di), *X = BUF(w, Xi);
    slong i, n = D->rows * D->cols;
    double hi = w->chi[c.id], dc = hi == w->clo[c.id] ? 0.0 : fr_up(hi - w->clo[c.id]);
    int bad = 0;
    if (kind_of(w, Di) == DNC_GW && !w->last)   /* once, to the sum over every chunk */
        return;
    for (i = 0; i < n; i++) {
        double p = hi * X->mid[i], m = D->mid[i] + p;
        double r = fr_add_up(fr_add_up(D->rad[i], fr_mul_up(fabs(X->mid[i]), dc)), fr_add_up(fr_err(p), fr_err(m)));
        D->mid[i] = m;
        D->rad[i] = r;
        bad |= fr_bad(m) | fr_bad(r);
    }
    w->bad |= bad;
}

/* d <- X 1: rule S for the midpoint sum (error <= (n-1)u (1 + 2^-7) fl(sum |m|)) and the
 * radius sum (<= (1 + 2(n-1)u) fl(sum r)). */
static void f_row_sums(void *vw, dnc_buf di, dnc_buf Xi)
{
    fast_ws *w = vw;
    ibuf *X = BUF(w, Xi), *d = BUF(w, di), part = *d;
    slong i, j;
    double nu = (double) (X->cols - 1) * DNC_U, *tmp = w->first ? NULL : scratch(w, 2 * X->rows);
    if (!w->first) {   /* summed over chunks: this chunk's sums, then added */
        if (tmp == NULL)
            return;
        part.mid = tmp;
        part.rad = tmp + X->rows;
        d = &part;
    }
    for (i = 0; i < X->rows; i++) {
        double s = 0.0, a = 0.0, r = 0.0;
        for (j = 0; j < X->cols; j++) {
            s += X->mid[i + X->rows * j];
            a += fabs(X->mid[i + X->rows * j]);
            r += X->rad[i + X->rows * j];
        }
        d->mid[i] = s;
        d->rad[i] = fr_add_up(fr_mul_up(r, 1.0 + 2.0 * nu), fr_mul_up(a, nu * (1.0 + 0x1p-7)));
        w->bad |= fr_bad(s) | fr_bad(d->rad[i]);
    }
    if (!w->first)
        accumulate(w, BUF(w, di), part.mid, part.rad, X->rows);
}

/* The loss: MSE only (dnc_fast_init refuses any other): the residual in G, its squared
 * norm, then G <- c R (every column weight is 1). */
static void f_fit(void *vw, dnc_loss_t loss, dnc_buf G, dnc_buf Z, dnc_buf b, dnc_const c, int want_grad)
{
    fast_ws *w = vw;
    (void) loss;
    f_residual(w, G, Z, b);
    f_add_sqnorm(w, DNC_TERM_FIT, G, 1, c);
    if (want_grad)
        f_scale_cols(w, G, c, DNC_COLS_WEIGHT);
}

static const dnc_objective_ops fast_ops = {
    f_mul, f_act, f_act_grad, f_fit, f_add_sqnorm, f_scale_cols, f_add_scaled, f_row_sums, NULL, NULL
};

/* ---- workspace ---- */

/* The exact rational q enclosed by [lo, hi] in doubles (hi = Inf when beyond the range). */
static void const_enclose(double *lo, double *hi, const fmpq_t q)
{
    arb_t x;
    arf_t e;
    arb_init(x);
    arf_init(e);
    arb_set_fmpq(x, q, 128);
    arb_get_lbound_arf(e, x, 128);
    *lo = arf_get_d(e, ARF_RND_FLOOR);
    arb_get_ubound_arf(e, x, 128);
    *hi = arf_get_d(e, ARF_RND_CEIL);
    arf_clear(e);
    arb_clear(x);
}

static void ws_set_constants(fast_ws *w)
{
    const dnc_problem_struct *p = w->p;
    fmpq_t q;
    slong l;
    fmpq_init(q);
    fmpq_one(q);
    const_enclose(w->clo + DNC_C_ONE, w->chi + DNC_C_ONE, q);
    fmpq_set_si(q, 1, p->N);
    const_enclose(w->clo + DNC_C_INV_N, w->chi + DNC_C_INV_N, q);
    const_enclose(w->clo + DNC_C_LAMBDA_H, w->chi + DNC_C_LAMBDA_H, p->lambda_h);
    for (l = 1; l <= p->L; l++)
        const_enclose(w->clo + DNC_C_LAMBDA_W(l), w->chi + DNC_C_LAMBDA_W(l), p->lambda_w + l - 1);
    fmpq_clear(q);
}

/* Temporaries held in w->own, for w->cap columns: H_l for l >= 2 (PRE_l shares it: the
 * activation works in place), Z and R, and two storages for DH_l, used by parity (DH_{l+1}
 * is read only to form DH_l and the weight gradient before it, so DH_l may overwrite
 * DH_{l+2}): l >= 2, and l = 1 when the H1 gradient is not kept (DNC_FAST_NO_H1_GRAD: the
 * chunk's, reduced after the chunk by h1_reduce, in the odd storage). Returns the number of
 * doubles. */
static slong ws_owned_layout(fast_ws *w, int bind)
{
    const dnc_problem_struct *p = w->p;
    slong L = p->L, l, off = 0, dmax = 0, dodd, dh[2], c = w->cap;
    for (l = 2; l <= L; l++)
        dmax = p->width[l - 1] > dmax ? p->width[l - 1] : dmax;
    dodd = w->no_h1 && p->width[0] > dmax ? p->width[0] : dmax;
    for (l = 2; l <= L; l++) {
        ibuf *h = BUF_AT(w, DNC_BUF_ID(DNC_H, l, L));
        if (bind) {
            h->mid = w->own + off;
            h->rad = w->own + off + p->width[l - 1] * c;
            *BUF_AT(w, DNC_BUF_ID(DNC_PRE, l, L)) = *h;
        }
        off += 2 * p->width[l - 1] * c;
    }
    for (l = 0; l < 2; l++) {
        ibuf *b = BUF_AT(w, DNC_BUF_ID(l == 0 ? DNC_Z : DNC_R, 0, L));
        if (bind) {
            b->mid = w->own + off;
            b->rad = w->own + off + p->K * c;
        }
        off += 2 * p->K * c;
    }
    dh[0] = off;
    dh[1] = off + 2 * dmax * c;
    off += 2 * (dmax + dodd) * c;
    for (l = w->no_h1 ? 1 : 2; l <= L && bind; l++) {
        ibuf *b = BUF_AT(w, DNC_BUF_ID(DNC_DH, l, L));
        b->mid = w->own + dh[l % 2];
        b->rad = w->own + dh[l % 2] + p->width[l - 1] * c;
    }
    return off;
}

/* sq[0] <= sum of x^2 <= sq[1] over every x in [m_i +- r_i], i < n: each square and each
 * addition bounded outward (R1). */
static void add_sq_bounds(double sq[2], const double *m, const double *r, slong n)
{
    slong i;
    double lo = sq[0], hi = sq[1];
    for (i = 0; i < n; i++) {
        double a = fabs(m[i]), up = fr_add_up(a, r[i]), dn = a > r[i] ? fr_dn(a - r[i]) : 0.0;
        hi = fr_add_up(hi, fr_mul_up(up, up));
        lo = fr_add_dn(lo, fr_mul_dn(dn, dn));
    }
    sq[0] = lo;
    sq[1] = hi;
}

/* The chunk's H1 gradient into f->h1_max_abs, f->h1_max_rad and f->h1_sq (bounds rounded
 * outward). */
static void h1_reduce(fast_ws *w)
{
    const ibuf *b = BUF_AT(w, DNC_BUF_ID(DNC_DH, 1, w->p->L));
    slong i, n = w->p->width[0] * w->ncols;
    double a = w->f->h1_max_abs, r = w->f->h1_max_rad;
    for (i = 0; i < n; i++) {
        a = fmax(a, fr_add_up(fabs(b->mid[i]), b->rad[i]));
        r = fmax(r, b->rad[i]);
    }
    w->f->h1_max_abs = a;
    w->f->h1_max_rad = r;
    add_sq_bounds(w->f->h1_sq, b->mid, b->rad, n);
}

/* Binds every buffer for the chunk of w->ncols columns from w->col0: shapes, parameters to
 * theta (exact; H1 from its column col0), gradients to f->gmid/f->grad, temporaries to the
 * owned storage. */
static void ws_bind(fast_ws *w)
{
    const dnc_problem_struct *p = w->p;
    slong L = p->L, l, r, c;
    int k;
    dnc_fast_struct *f = w->f;
    for (k = 0; k < DNC_NKINDS; k++)
        for (l = 0; l <= L; l++) {
            ibuf *b = BUF_AT(w, DNC_BUF_ID(k, l, L));
            dnc_objective_buf_shape(&r, &c, p, w->ncols, (dnc_buf_kind) k, l);
            b->rows = r;
            b->cols = c;
        }
    ws_owned_layout(w, 1);
    for (l = 0; l <= L + 1; l++) {
        dnc_buf_kind kind = dnc_param_block_kind(L, l);
        slong id = kind == DNC_H ? DNC_BUF_ID(DNC_H, 1, L) : kind == DNC_W ? DNC_BUF_ID(DNC_W, l, L) : DNC_BUF_ID(DNC_B, 0, L);
        slong gid = kind == DNC_H ? DNC_BUF_ID(DNC_DH, 1, L) : kind == DNC_W ? DNC_BUF_ID(DNC_GW, l, L) : DNC_BUF_ID(DNC_GB, 0, L);
        slong o = kind == DNC_H ? p->width[0] * w->col0 : dnc_param_offset(p, w->N, kind, l);
        if (kind == DNC_B && p->bias != DNC_BIAS_FREE)
            continue;
        BUF_AT(w, id)->mid = (double *) w->theta + o;
        BUF_AT(w, id)->rad = NULL;
        if (kind != DNC_H || !w->no_h1) {   /* else bound to the owned storage */
            BUF_AT(w, gid)->mid = f->gmid + o - f->goff;
            BUF_AT(w, gid)->rad = f->grad + o - f->goff;
        }
    }
}

/* The rules need k u <= 2^-10 for every product length and sum length k (docs/fast-tier.md
 * §2): at most 2^43 entries per buffer; and cblas takes int dimensions. */
static int sizes_ok(const dnc_problem_struct *p)
{
    slong l;
    double lim = 0x1p43;
    if (p->N >= ((slong) 1 << 31) || (double) p->K * (double) p->N > lim)
        return 0;
    for (l = 0; l < p->L; l++)
        if ((double) p->width[l] * (double) p->N > lim || (double) p->width[l] * (double) p->K > lim)
            return 0;
    return 1;
}

/* The chunk width when none is set: per-chunk temporaries (the owned buffers and the scratch
 * of the largest product, about 3 columns of the widest layer) within a quarter of the
 * point's size -- within its size when the H1 gradient is not kept, which frees twice
 * that -- and at least DNC_FAST_MIN_CHUNK columns, where dgemm stays efficient. */
static slong auto_chunk(fast_ws *w)
{
    slong l, dmax = w->p->K, per_col, c;
    for (l = 0; l < w->p->L; l++)
        dmax = w->p->width[l] > dmax ? w->p->width[l] : dmax;
    w->cap = 1;
    per_col = ws_owned_layout(w, 0) + 3 * dmax;
    c = w->f->nparams / ((w->no_h1 ? 1 : 4) * per_col);
    c = c < DNC_FAST_MIN_CHUNK ? DNC_FAST_MIN_CHUNK : c;
    return c < w->N ? c : w->N;
}

/* (Re)allocates the temporaries for chunks of cap columns. Returns 0 or -1. */
static int ws_alloc(fast_ws *w, slong cap)
{
    const dnc_problem_struct *p = w->p;
    slong l;
    free(w->own);
    sbuf_clear(&w->scratch);
    sbuf_clear(&w->dops);
    sbuf_clear(&w->fops);
    w->cap = cap;
    w->own = malloc(ws_owned_layout(w, 0) * sizeof(double));
    if (w->own == NULL)
        return -1;
    for (l = 2; l <= p->L; l++) {
        free(w->pattern[l]);
        w->pattern[l] = NULL;
        if (p->act[l - 2] == DNC_ACT_RELU && (w->pattern[l] = malloc((size_t) p->width[l - 1] * (size_t) cap)) == NULL)
            return -1;
    }
    return 0;
}

int dnc_fast_init(dnc_fast_t f, dnc_problem_t p)
{
    return dnc_fast_init_flags(f, p, 0);
}

int dnc_fast_init_flags(dnc_fast_t f, dnc_problem_t p, int flags)
{
    fast_ws *w = calloc(1, sizeof(fast_ws));
    slong L = p->L, j, k, i;
    memset(f, 0, sizeof(*f));
    if (w == NULL || !sizes_ok(p) || p->loss != DNC_LOSS_MSE) {   /* the bounds are for the MSE objective */
        free(w);
        return -1;
    }
    f->p = p;
    f->ws = w;
    f->nparams = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    w->p = p;
    w->f = f;
    w->N = p->N;
    w->no_h1 = (flags & DNC_FAST_NO_H1_GRAD) != 0;
    f->goff = w->no_h1 ? p->width[0] * p->N : 0;
    w->buf = calloc(DNC_NBUFS(L), sizeof(ibuf));
    w->pattern = calloc(L + 1, sizeof(unsigned char *));
    w->label = malloc(p->N * sizeof(slong));
    f->gmid = malloc((f->nparams - f->goff + 1) * sizeof(double));
    f->grad = malloc((f->nparams - f->goff + 1) * sizeof(double));
    if (f->nparams < 0 || w->buf == NULL || w->pattern == NULL || w->label == NULL || f->gmid == NULL
        || f->grad == NULL || ws_alloc(w, auto_chunk(w)) != 0) {
        dnc_fast_clear(f);
        return -1;
    }
    for (k = 0, j = 0; k < p->K; k++)
        for (i = 0; i < p->n[k]; i++)
            w->label[j++] = k;
    ws_set_constants(w);
    return 0;
}

int dnc_fast_set_chunk(dnc_fast_t f, slong cols)
{
    fast_ws *w = f->ws;
    if (cols <= 0)
        cols = auto_chunk(w);
    return ws_alloc(w, cols < w->N ? cols : w->N);
}

slong dnc_fast_chunk(const dnc_fast_t f)
{
    return ((const fast_ws *) f->ws)->cap;
}

void dnc_fast_clear(dnc_fast_t f)
{
    fast_ws *w = f->ws;
    slong l;
    if (w != NULL) {
        for (l = 0; w->pattern != NULL && l <= f->p->L; l++)
            free(w->pattern[l]);
        free(w->pattern);
        free(w->buf);
        free(w->label);
        free(w->own);
        sbuf_clear(&w->scratch);
        sbuf_clear(&w->dops);
        sbuf_clear(&w->fops);
        for (l = 0; l <= f->p->L; l++)
            free(w->wc[l].f);
        free(w);
    }
    free(f->gmid);
    free(f->grad);
    free(f->kinks);
    free(f->kink_adj);
    memset(f, 0, sizeof(*f));
}

/* The environment the proof assumes: round to nearest, subnormals neither flushed nor
 * treated as zero (x86 MXCSR FTZ bit 15, DAZ bit 6). The SSE/AVX unit does both the double
 * and the binary32 arithmetic (rule P32) under MXCSR, whose rounding control (bits 13-14)
 * is checked too: glibc's fegetround reads the x87 control word only. */
static int environment_ok(void)
{
    if (fegetround() != FE_TONEAREST)
        return 0;
#if defined(__x86_64__) || defined(__i386__)
    if (_mm_getcsr() & 0xe040u)
        return 0;
#endif
    return 1;
}

static int all_finite(const double *x, slong n)
{
    slong i;
    int bad = 0;
    for (i = 0; i < n; i++)
        bad |= fr_bad(x[i]);
    return !bad;
}

int dnc_fast_eval_point(dnc_fast_t f, const double *theta, int flags)
{
    fast_ws *w = f->ws;
    slong l;
    f->nkinks = 0;
    w->bad = w->nomem = 0;
    w->term_lo[0] = w->term_lo[1] = w->term_hi[0] = w->term_hi[1] = 0.0;
    f->status = DNC_FAST_OK;
    if (!environment_ok())
        f->status = DNC_FAST_ROUNDING;
    else if (!all_finite(theta, f->nparams) || !all_finite(w->chi, DNC_NCONSTS(f->p->L)))
        f->status = DNC_FAST_NONFINITE;
    if (f->status != DNC_FAST_OK)
        return 0;
    w->theta = theta;
    for (l = 0; l <= f->p->L; l++)
        w->wc[l].ok = 0;
    f->h1_max_abs = f->h1_max_rad = f->h1_sq[0] = f->h1_sq[1] = 0.0;
    for (w->col0 = 0; w->col0 < w->N && !w->bad && !w->nomem; w->col0 += w->ncols) {
        w->ncols = w->N - w->col0 < w->cap ? w->N - w->col0 : w->cap;
        w->first = w->col0 == 0;
        w->last = w->col0 + w->ncols == w->N;
        ws_bind(w);
        dnc_objective_eval(f->p, &fast_ops, w, (flags & DNC_FAST_GRAD) != 0);
        if (w->no_h1 && (flags & DNC_FAST_GRAD))
            h1_reduce(w);
        if (f->chunk_done != NULL && !w->bad && !w->nomem)
            f->chunk_done(f->chunk_arg, f, w->col0, w->ncols);
    }
    f->fit[0] = w->term_lo[DNC_TERM_FIT];
    f->fit[1] = w->term_hi[DNC_TERM_FIT];
    f->reg[0] = w->term_lo[DNC_TERM_REG];
    f->reg[1] = w->term_hi[DNC_TERM_REG];
    f->loss[0] = fr_add_dn(f->fit[0], f->reg[0]);
    f->loss[1] = fr_add_up(f->fit[1], f->reg[1]);
    if (w->nomem)
        f->status = DNC_FAST_NOMEM;
    else if (w->bad || fr_bad(f->loss[1]))
        f->status = DNC_FAST_NONFINITE;
    return f->status == DNC_FAST_OK;
}

int dnc_fast_buf(const double **mid, const double **rad, const dnc_fast_t f, dnc_buf_kind kind, slong l)
{
    const fast_ws *w = f->ws;
    const ibuf *b;
    if (!((kind == DNC_H && l >= 1 && l <= f->p->L) || ((kind == DNC_Z || kind == DNC_R) && l == 0)))
        return -1;
    b = w->buf + DNC_BUF_ID(kind, l, f->p->L);
    *mid = b->mid;
    *rad = b->rad;
    return 0;
}

void dnc_fast_interval_arb(arb_t out, double lo, double hi)
{
    arf_t a, b;
    arf_init_set_ui(a, 0);
    arf_init_set_ui(b, 0);
    arf_set_d(a, lo);
    arf_set_d(b, hi);
    arb_set_interval_arf(out, a, b, 2 * 1100);
    arf_clear(a);
    arf_clear(b);
}

double dnc_fast_grad_max_radius(const dnc_fast_t f)
{
    slong i;
    double m = f->h1_max_rad;
    for (i = 0; i < f->nparams - f->goff; i++)
        m = fmax(m, f->grad[i]);
    return m;
}

double dnc_fast_grad_max_abs(const dnc_fast_t f)
{
    slong i;
    double m = f->h1_max_abs;
    for (i = 0; i < f->nparams - f->goff; i++)
        m = fmax(m, fr_add_up(fabs(f->gmid[i]), f->grad[i]));
    return m;
}

void dnc_fast_grad_norm(double *lo, double *hi, const dnc_fast_t f)
{
    double sq[2];
    sq[0] = f->h1_sq[0];
    sq[1] = f->h1_sq[1];
    add_sq_bounds(sq, f->gmid, f->grad, f->nparams - f->goff);
    *lo = fr_dn(sqrt(sq[0]));   /* sqrt is correctly rounded: one rounding (R1) */
    *hi = fr_up(sqrt(sq[1]));
}

const char *dnc_fast_status_str(dnc_fast_status s)
{
    switch (s) {
    case DNC_FAST_OK:
        return "enclosed";
    case DNC_FAST_NONFINITE:
        return "overflow or a non-finite value: cannot enclose in double";
    case DNC_FAST_ROUNDING:
        return "the floating-point environment is not round-to-nearest with subnormals";
    default:
        return "out of memory";
    }
}
