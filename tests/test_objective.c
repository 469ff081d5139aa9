/* The double-precision objective and its gradient; the GD update; determinism. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include "dncert/train.h"
#include "train/thin.h"
#include "testutil.h"

/* ---- gradient against central finite differences ---- */

struct fd_case {
    char act[32], bias[8], n[32], width[32];
    char L[4];
};

ParameterizedTestParameters(objective, finite_differences)
{
    static struct fd_case cases[] = {
        { "relu", "none", "3", "4", "3" },
        { "relu", "free", "3", "4", "3" },
        { "linear", "none", "3", "4", "3" },
        { "linear", "free", "2,4,3", "4", "3" },
        { "relu,linear", "none", "2,4,3", "5,4,3", "3" },
        { "linear,relu", "free", "1,2,5", "3,4,6", "3" },
        { "relu", "free", "2,4,3", "4", "4" },
        { "relu", "none", "1,1,1", "2", "2" },
        { "relu", "free", "3", "5", "1" },
    };
    return cr_make_param_array(struct fd_case, cases, sizeof(cases) / sizeof(cases[0]));
}

/* Compares every gradient entry with (f(x + h e_i) - f(x - h e_i)) / 2h. With h = 1e-5
 * the truncation error is O(h^2 f''') ~ 1e-10 and rounding O(eps f / h) ~ 1e-11; random
 * points put ReLU pre-activations far from 0 compared with h. */
ParameterizedTest(struct fd_case *c, objective, finite_differences)
{
    dnc_problem_t p;
    dnc_dobj_t o;
    double *x, *g, *gs, h = 1e-5, worst = 0.0;
    slong i;
    tu_problem(p, "3", c->n, c->L, c->width, c->act, c->bias, "0.03");
    cr_assert_eq(dnc_dobj_init(o, p), 0);
    x = malloc(o->nparams * sizeof(double));
    g = malloc(o->nparams * sizeof(double));
    gs = malloc(o->nparams * sizeof(double));
    dnc_randn(x, o->nparams, 0.7, 42);
    dnc_dobj_eval(o, x, g);
    dnc_dobj_set_layout(1);   /* the gradient with H_2..H_{L-1} stored sample-major, too */
    dnc_dobj_eval(o, x, gs);
    dnc_dobj_set_layout(-1);
    for (i = 0; i < o->nparams; i++) {
        double xi = x[i], fp, fm, fd;
        x[i] = xi + h;
        fp = dnc_dobj_eval(o, x, NULL);
        x[i] = xi - h;
        fm = dnc_dobj_eval(o, x, NULL);
        x[i] = xi;
        fd = (fp - fm) / (2 * h);
        worst = fmax(worst, fabs(fd - g[i]) / (1.0 + fabs(g[i])));
        worst = fmax(worst, fabs(fd - gs[i]) / (1.0 + fabs(gs[i])));
    }
    cr_assert_lt(worst, 1e-7, "%s bias=%s n=%s: worst relative gradient error %g", c->act, c->bias, c->n, worst);
    free(x);
    free(g);
    free(gs);
    dnc_dobj_clear(o);
    dnc_problem_clear(p);
}

/* ---- hand-computed tiny cases ---- */

/* K = 2, n = 1, L = 1, d = 1, lambda = 1/2. H1 = [1 2], W1 = [1; -1]:
 * Z = W1 H1 = [1 2; -1 -2], R = Z - I = [0 2; -1 -3], ||R||^2 = 14, fit = 14/(2*2) = 3.5,
 * reg = 1/4 (1 + 4) + 1/4 (1 + 1) = 1.75, f = 5.25.
 * G = R/N = [0 1; -1/2 -3/2]; dW1 = G H1^T + W1/2 = [2; -7/2] + [1/2; -1/2] = [5/2; -4];
 * dH1 = W1^T G + H1/2 = [1/2 5/2] + [1/2 1] = [1 7/2]. */
Test(objective, hand_computed_linear)
{
    dnc_problem_t p;
    dnc_dobj_t o;
    double x[4] = { 1, 2, 1, -1 }, g[4], f;
    tu_problem(p, "2", "1", "1", "1", "relu", "none", "1/2");
    cr_assert_eq(dnc_dobj_init(o, p), 0);
    f = dnc_dobj_eval(o, x, g);
    cr_assert_eq(f, 5.25);
    cr_assert_eq(o->term[DNC_TERM_FIT], 3.5);
    cr_assert_eq(o->term[DNC_TERM_REG], 1.75);
    cr_assert_eq(g[0], 1.0);
    cr_assert_eq(g[1], 3.5);
    cr_assert_eq(g[2], 2.5);
    cr_assert_eq(g[3], -4.0);
    dnc_dobj_clear(o);
    dnc_problem_clear(p);
}

/* K = 2, n = 1, L = 2, widths (1, 1), ReLU, free bias, lambda = 1/2.
 * H1 = [1 -1], W1 = [2], W2 = [1; 1], b = [1/2; 0]: Htilde2 = [2 -2], H2 = [2 0],
 * Z + b 1^T = [5/2 1/2; 2 0], R = [3/2 1/2; 2 -1], ||R||^2 = 15/2, fit = 15/8;
 * reg = 1/4 (1 + 1) + 1/4 * 4 + 1/4 (1 + 1) = 2 (the bias is not regularised); f = 31/8. */
Test(objective, hand_computed_relu_bias)
{
    dnc_problem_t p;
    dnc_dobj_t o;
    double x[7] = { 1, -1, 2, 1, 1, 0.5, 0 };   /* H1 | W1 | W2 | b */
    tu_problem(p, "2", "1", "2", "1", "relu", "free", "0.5");
    cr_assert_eq(dnc_dobj_init(o, p), 0);
    cr_assert_eq(o->nparams, 7);
    cr_assert_eq(dnc_dobj_eval(o, x, NULL), 31.0 / 8.0);
    cr_assert_eq(o->term[DNC_TERM_FIT], 15.0 / 8.0);
    dnc_dobj_clear(o);
    dnc_problem_clear(p);
}

/* The zero point has f = 1/2 whatever the counts (||Y||^2 = N). */
Test(objective, zero_point_is_one_half)
{
    dnc_problem_t p;
    dnc_dobj_t o;
    double *x;
    tu_problem(p, "3", "1,4,2", "3", "4", "relu", "none", "0.01");
    cr_assert_eq(dnc_dobj_init(o, p), 0);
    x = calloc(o->nparams, sizeof(double));
    cr_assert_eq(dnc_dobj_eval(o, x, NULL), 0.5);
    free(x);
    dnc_dobj_clear(o);
    dnc_problem_clear(p);
}

/* ---- collapsed (weighted) form equals the expanded point ---- */

Test(objective, collapsed_equals_expanded)
{
    dnc_problem_t p;
    dnc_dobj_t full, col;
    slong label[3] = { 0, 1, 2 }, j, k, i, d = 4, off = 0;
    double w[3] = { 2, 5, 3 }, *xf, *xc, *gf, *gc;
    tu_problem(p, "3", "2,5,3", "3", "4", "relu", "free", "0.02");
    cr_assert_eq(dnc_dobj_init(full, p), 0);
    cr_assert_eq(dnc_dobj_init_weighted(col, p, 3, label, w), 0);
    xc = malloc(col->nparams * sizeof(double));
    gc = malloc(col->nparams * sizeof(double));
    xf = malloc(full->nparams * sizeof(double));
    gf = malloc(full->nparams * sizeof(double));
    dnc_randn(xc, col->nparams, 0.6, 7);
    /* expanded: column k repeated n_k times, then the same weights and bias */
    for (k = 0; k < 3; k++)
        for (j = 0; j < p->n[k]; j++, off++)
            memcpy(xf + d * off, xc + d * k, d * sizeof(double));
    memcpy(xf + d * p->N, xc + d * 3, (col->nparams - d * 3) * sizeof(double));
    cr_assert_float_eq(dnc_dobj_eval(full, xf, gf), dnc_dobj_eval(col, xc, gc), 1e-14);
    for (i = 0; i < col->nparams - d * 3; i++)
        cr_assert_float_eq(gf[d * p->N + i], gc[d * 3 + i], 1e-13, "weight gradient %ld", (long) i);
    /* per-sample H1 gradient: every copy of column k has the collapsed column's gradient */
    for (i = 0; i < d; i++)
        cr_assert_float_eq(gf[d * 2 + i], gc[d * 1 + i], 1e-13);
    free(xc); free(gc); free(xf); free(gf);
    dnc_dobj_clear(full);
    dnc_dobj_clear(col);
    dnc_problem_clear(p);
}

/* Evaluates with products cut into small-path blocks (blocking 1) or not (0) on threads
 * threads; returns the largest relative gradient difference from the plain single-thread
 * evaluation g0 (f0) and checks the loss. Sets *same when the gradient is bit-identical. */
static double split_difference(dnc_dobj_t o, const double *x, double f0, const double *g0,
                               int blocking, int threads, int *same)
{
    double *g = malloc(o->nparams * sizeof(double)), f, worst = 0.0;
    slong i;
    cr_assert_eq(dnc_dobj_set_threads(o, threads), 0);
    dnc_dobj_set_blocking(blocking);
    f = dnc_dobj_eval(o, x, g);
    dnc_dobj_set_blocking(-1);
    dnc_dobj_set_threads(o, 1);
    cr_assert_float_eq(f, f0, 1e-13 * fabs(f0), "blocking %d, %d threads: f %.17g vs %.17g",
                       blocking, threads, f, f0);
    for (i = 0; i < o->nparams; i++)
        worst = fmax(worst, fabs(g[i] - g0[i]) / (1e-3 + fabs(g0[i])));
    *same = memcmp(g, g0, o->nparams * sizeof(double)) == 0;
    free(g);
    return worst;
}

/* Products cut into blocks (to fit OpenBLAS's small-matrix path) and split between
 * threads (columns; the weight gradient's sum over samples in per-thread parts) give the
 * loss and gradient of the plain evaluation up to the order of summation. Width 64 and
 * N = 500 make every product large enough to be cut, including the transposed one; the
 * second problem has widths and counts that are not multiples of the cache line or of
 * the thread count. */
static void check_splits(const char *K, const char *n, const char *L, const char *width,
                         const char *act)
{
    dnc_problem_t p;
    dnc_dobj_t o;
    double *x, *g0, f0;
    int blocking, threads, same, exercised = 0;
    tu_problem(p, K, n, L, width, act, "free", "0.004");
    cr_assert_eq(dnc_dobj_init(o, p), 0);
    x = malloc(o->nparams * sizeof(double));
    g0 = malloc(o->nparams * sizeof(double));
    dnc_randn(x, o->nparams, 0.3, 8);
    dnc_dobj_set_blocking(0);
    f0 = dnc_dobj_eval(o, x, g0);
    for (blocking = 0; blocking <= 1; blocking++)
        for (threads = 1; threads <= 3; threads++) {
            double worst = split_difference(o, x, f0, g0, blocking, threads, &same);
            cr_assert_lt(worst, 1e-11, "blocking %d, %d threads: gradient differs by %g (relative)",
                         blocking, threads, worst);
            exercised += !same;
        }
    cr_assert_geq(exercised, 4, "only %d of the 5 split evaluations changed any rounding: not exercised",
                  exercised);
    free(x); free(g0);
    dnc_dobj_clear(o);
    dnc_problem_clear(p);
}

Test(objective, blocked_and_threaded_products_agree)
{
    check_splits("10", "50", "3", "64", "relu,linear");
    check_splits("3", "67,41,55", "3", "37,64,29", "relu,relu");
}

/* ---- the sample-major layout of the hidden temporaries (dnc_dobj_set_layout) ---- */

/* One evaluation of x in layout mode `layout` on `threads` threads: f, the gradient into g,
 * and whether H_2 was stored sample-major. */
static double layout_eval(dnc_dobj_t o, const double *x, double *g, int layout, int threads, int *transposed)
{
    double f;
    cr_assert_eq(dnc_dobj_set_threads(o, threads), 0);
    dnc_dobj_set_layout(layout);
    f = dnc_dobj_eval(o, x, g);
    dnc_dobj_set_layout(-1);
    *transposed = o->tr[DNC_BUF_ID(DNC_H, 2, o->p->L)];
    return f;
}

/* With H_l and DH_l (2 <= l <= L-1) stored sample-major, every product is a different
 * OpenBLAS call (other transposes, other shapes, split by rows), so loss and gradient equal
 * those of the layout of points up to the order of summation. The problems: bias and
 * none, ReLU and linear layers, MSE and CE, widths that are not multiples of the cache line
 * or of the thread count, a thin hidden layer (width 7: the thin loops must not take a
 * sample-major operand, nor the fused mask), weighted columns (the collapsed point, whose
 * column scaling touches DH_1 and the fit), L = 3 (one sample-major layer, next to both H_1
 * and H_L) and L = 5. dnc_dobj_buf gives the buffers back with features in rows. Blocking
 * is off so that the same paths run on every CPU. */
static void check_layout(const char *K, const char *n, const char *L, const char *width, const char *act,
                         const char *bias, int ce, int weighted)
{
    dnc_problem_t p;
    dnc_dobj_t o, ref;
    double *x, *g0, *g, f0, f;
    slong i, l, cols;
    int threads, tr;
    tu_problem(p, K, n, L, width, act, bias, "0.004");
    p->loss = ce ? DNC_LOSS_CE : DNC_LOSS_MSE;
    cols = weighted ? p->K : p->N;
    tu_dobj_init_columns(o, p, weighted);
    tu_dobj_init_columns(ref, p, weighted);
    x = malloc(o->nparams * sizeof(double));
    g0 = malloc(o->nparams * sizeof(double));
    g = malloc(o->nparams * sizeof(double));
    dnc_randn(x, o->nparams, 0.3, 21);
    dnc_dobj_set_blocking(0);
    f0 = layout_eval(ref, x, g0, 0, 1, &tr);
    cr_assert_eq(tr, 0);
    for (threads = 1; threads <= 3; threads++) {
        double worst = 0.0;
        f = layout_eval(o, x, g, 1, threads, &tr);
        cr_assert_eq(tr, 1, "L=%s width %s: H_2 not stored sample-major", L, width);
        cr_assert_float_eq(f, f0, 1e-13 * fabs(f0), "width %s, %d threads: f %.17g vs %.17g", width, threads, f, f0);
        for (i = 0; i < o->nparams; i++)
            worst = fmax(worst, fabs(g[i] - g0[i]) / (1e-3 + fabs(g0[i])));
        cr_assert_lt(worst, 1e-12, "width %s, %d threads: gradient differs by %g (relative)", width, threads, worst);
    }
    for (l = 2; l <= p->L; l++) {   /* back to features in rows, H_l and PRE_l alike */
        slong size = p->width[l - 1] * cols;
        const double *h = dnc_dobj_buf(o, DNC_H, l), *h0 = dnc_dobj_buf(ref, DNC_H, l);
        const double *d = dnc_dobj_buf(o, DNC_DH, l), *d0 = dnc_dobj_buf(ref, DNC_DH, l);
        cr_assert(h != NULL && d != NULL);
        cr_assert_eq(dnc_dobj_buf(o, DNC_PRE, l), h);
        for (i = 0; i < size; i++) {
            cr_assert_float_eq(h[i], h0[i], 1e-12 * (1.0 + fabs(h0[i])), "H_%ld[%ld]", (long) l, (long) i);
            cr_assert_float_eq(d[i], d0[i], 1e-12 * (1e-3 + fabs(d0[i])), "DH_%ld[%ld]", (long) l, (long) i);
        }
        cr_assert_eq(o->tr[DNC_BUF_ID(DNC_PRE, l, p->L)], 0);
    }
    dnc_dobj_set_blocking(-1);
    free(x); free(g0); free(g);
    dnc_dobj_clear(o);
    dnc_dobj_clear(ref);
    dnc_problem_clear(p);
}

Test(objective, sample_major_layout_agrees)
{
    check_layout("10", "50", "4", "64", "relu,relu,relu", "free", 0, 0);
    check_layout("3", "67,41,55", "3", "37,29,23", "relu,linear", "none", 0, 0);
    check_layout("3", "67,41,55", "5", "37,7,29,13,23", "relu,relu,linear,relu", "free", 1, 0);
    check_layout("4", "9,3,5,2", "4", "11,9,10,6", "relu,relu,relu", "free", 0, 1);
    check_layout("4", "9,3,5,2", "4", "11,9,10,6", "relu,relu,relu", "none", 1, 1);
}

/* The default chooses the layout by the widths (measured: only products of width 512 gain,
 * docs/benchmarks.md), stores features in rows for a loss-only evaluation, for L = 2 (no
 * hidden temporary between H_1 and H_L), and under a pattern (its slopes are stored that way). */
Test(objective, sample_major_layout_default)
{
    static const struct { const char *L, *width; int grad, pattern, expect; } cases[] = {
        { "4", "512", 1, 0, 1 },
        { "3", "384,400,512", 1, 0, 1 },
        { "4", "512,256,512,512", 1, 0, 0 },
        { "4", "512", 0, 0, 0 },
        { "4", "512", 1, 1, 0 },
    };
    size_t c;
    dnc_dobj_set_blocking(0);   /* as with the AVX2 kernels, which have no small-matrix path */
    for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        dnc_problem_t p;
        dnc_dobj_t o;
        double *x, *g, *slope[DNC_MAX_L + 1] = { NULL };
        slong l;
        tu_problem(p, "2", "1", cases[c].L, cases[c].width, "relu", "none", "0.004");
        cr_assert_eq(dnc_dobj_init(o, p), 0);
        x = calloc(o->nparams, sizeof(double));
        g = malloc(o->nparams * sizeof(double));
        if (cases[c].pattern) {
            for (l = 2; l <= p->L; l++) {
                slong i, size = p->width[l - 1] * p->N;
                slope[l] = malloc(size * sizeof(double));
                for (i = 0; i < size; i++)
                    slope[l][i] = 1.0;
            }
            dnc_dobj_set_pattern(o, (const double *const *) slope, NULL);
        }
        dnc_dobj_eval(o, x, cases[c].grad ? g : NULL);
        cr_assert_eq(o->tr[DNC_BUF_ID(DNC_H, 2, p->L)], cases[c].expect, "case %zu (L=%s, widths %s)", c,
                     cases[c].L, cases[c].width);
        for (l = 2; l <= p->L; l++)
            free(slope[l]);
        free(x); free(g);
        dnc_dobj_clear(o);
        dnc_problem_clear(p);
    }
    dnc_dobj_set_blocking(-1);
}

/* ---- the thin products (src/train/thin.c) ---- */

/* C = op(A) op(B) by the textbook triple loop, accumulated in long double: the reference
 * the AVX2 loops are compared with (a different order of summation, so not bit for bit). */
static void naive_product(long double *C, const double *A, slong lda, int ta, const double *B, slong ldb, int tb,
                          slong m, slong n, slong k)
{
    slong i, j, l;
    for (j = 0; j < n; j++)
        for (i = 0; i < m; i++) {
            long double s = 0.0L;
            for (l = 0; l < k; l++)
                s += (long double) (ta ? A[l + lda * i] : A[i + lda * l]) * (tb ? B[j + ldb * l] : B[l + ldb * j]);
            C[i + m * j] = s;
        }
}

/* Entries of the m x n result C (leading dimension ldc) against the reference: within
 * 1e-14 of the sum of absolute terms, bounded by k |max a| |max b| (entries in [-1, 1]). */
static void check_thin(const char *what, const double *C, slong ldc, const long double *ref, slong m, slong n, slong k)
{
    slong i, j;
    for (j = 0; j < n; j++)
        for (i = 0; i < m; i++)
            cr_assert(fabsl(C[i + ldc * j] - ref[i + m * j]) <= 1e-14L * (long double) (k + 1),
                      "%s m=%ld n=%ld k=%ld: entry (%ld, %ld) %.17g, reference %.17Lg", what, (long) m, (long) n,
                      (long) k, (long) i, (long) j, C[i + ldc * j], ref[i + m * j]);
}

static void fill_uniform(double *x, slong n, ulong seed)
{
    slong i;
    dnc_randn(x, n, 0.4, seed);
    for (i = 0; i < n; i++)
        x[i] = fmax(-1.0, fmin(1.0, x[i]));
}

/* Every thin row count 1..12 (one, two and three vectors, full and partial; blocks of 5 rows
 * and what is left), wide sides with remainders after the blocks of 4 columns and 8 rows,
 * sums of 0, 1 and 37 terms (300 and more for C = A B^T: two passes of its tile). */
Test(thin, products_against_the_triple_loop)
{
    static const slong wide[] = { 1, 3, 4, 7, 13, 41 }, inner[] = { 0, 1, 37 };
    /* largest index read: A 12 + 13 * 336, B 40 + 45 * 336 (nt), C 17 * 41 and 50 * 37 */
    const slong size = 16384;
    double *A = malloc(size * sizeof(double)), *B = malloc(size * sizeof(double));
    double *C = malloc(size * sizeof(double)), *AT = malloc(size * sizeof(double));
    long double *ref = malloc(size * sizeof(long double));
    slong m, a, b, i, r;
    if (!dnc_thin_available())
        cr_skip_test("no AVX2 and FMA on this CPU: the thin loops are not used");
    fill_uniform(A, size, 3);
    fill_uniform(B, size, 4);
    for (m = 1; m <= DNC_THIN_MAX; m++)
        for (a = 0; a < 6; a++)
            for (b = 0; b < 3; b++) {
                slong n = wide[a], k = inner[b];
                /* C = A B: A m x k (lda 13), B k x n (ldb 40), C with ldc 17 */
                naive_product(ref, A, 13, 0, B, 40, 0, m, n, k);
                dnc_thin_nn(C, 17, A, 13, B, 40, m, n, k);
                check_thin("nn", C, 17, ref, m, n, k);
                /* C = A B^T: B n x k (ldb 45), the sum over k in passes of the tile (256): 300 or
                 * more terms take two; AT is the work space (n m doubles) */
                naive_product(ref, A, 13, 0, B, 45, 1, m, n, k + 300);
                dnc_thin_nt(C, 17, A, 13, B, 45, m, n, k + 300, AT);
                check_thin("nt", C, 17, ref, m, n, k + 300);
                /* C = A^T B with the thin inner dimension m: A m x n (the rows of C are n) */
                if (k == 0)
                    continue;
                for (i = 0; i < n; i++)
                    for (r = 0; r < m; r++)
                        AT[i + 50 * r] = A[r + 13 * i];
                naive_product(ref, A, 13, 1, B, 40, 0, n, k, m);
                dnc_thin_tn(C, 50, AT, 50, B, 40, n, k, m, NULL);
                check_thin("tn", C, 50, ref, n, k, m);
            }
    free(A); free(B); free(C); free(AT); free(ref);
}

/* The fused ReLU derivative zeroes exactly the entries whose mask byte is 0 and keeps the
 * others bit for bit as without the mask (rows of 13: blocks of 8 and 4 and one partial). */
Test(thin, mask_of_the_relu_derivative)
{
    const slong m = 13, n = 6, k = 10;
    double A[130], B[60], AT[130], C0[78], C[78], r[78];
    unsigned char mask[78];
    slong i, q;
    if (!dnc_thin_available())
        cr_skip_test("no AVX2 and FMA on this CPU: the thin loops are not used");
    fill_uniform(A, 130, 5);
    fill_uniform(B, 60, 6);
    fill_uniform(r, 78, 7);
    for (i = 0; i < m * n; i++)
        mask[i] = r[i] > 0.0;
    mask[12] = 0;   /* the last row of the first column: the partial vector */
    mask[25] = 1;
    for (i = 0; i < m; i++)
        for (q = 0; q < k; q++)
            AT[i + m * q] = A[q + k * i];
    dnc_thin_tn(C0, m, AT, m, B, k, m, n, k, NULL);
    dnc_thin_tn(C, m, AT, m, B, k, m, n, k, mask);
    for (i = 0; i < m * n; i++) {
        if (mask[i])
            cr_assert(memcmp(C + i, C0 + i, sizeof(double)) == 0, "entry %ld changed by the mask", (long) i);
        else
            cr_assert(C[i] == 0.0 && !signbit(C[i]), "entry %ld: %g where the mask is 0", (long) i, C[i]);
    }
}

/* The whole evaluation with the last layer's products in the thin loops against OpenBLAS
 * only (dnc_dobj_set_thin(0)): the same loss and gradient up to the order of summation, on
 * 1 and 2 threads; K = 3, 10 and 12 (one, three and three full vectors), widths and counts
 * that leave remainders. Blocking is off so that the thin loops take all three products on
 * any kernel; that they ran is counted (dnc_thin_calls), not inferred from a rounding
 * difference (OpenBLAS's Zen kernel sums some of these products in the loops' order). */
Test(thin, evaluation_agrees_with_openblas)
{
    static const char *Ks[] = { "3", "10", "12" };
    int kk, threads, exercised = 0;
    long calls;
    if (!dnc_thin_available())
        cr_skip_test("no AVX2 and FMA on this CPU: the thin loops are not used");
    dnc_dobj_set_blocking(0);
    for (kk = 0; kk < 3; kk++)
        for (threads = 1; threads <= 2; threads++) {
            dnc_problem_t p;
            dnc_dobj_t o;
            double *x, *g0, *g, f0, f, worst = 0.0;
            slong i;
            tu_problem(p, Ks[kk], "37", "3", "29,21,19", "relu,relu", "free", "0.004");
            cr_assert_eq(dnc_dobj_init(o, p), 0);
            cr_assert_eq(dnc_dobj_set_threads(o, threads), 0);
            x = malloc(o->nparams * sizeof(double));
            g0 = malloc(o->nparams * sizeof(double));
            g = malloc(o->nparams * sizeof(double));
            dnc_randn(x, o->nparams, 0.3, 9);
            dnc_dobj_set_thin(0);
            f0 = dnc_dobj_eval(o, x, g0);
            dnc_dobj_set_thin(-1);
            calls = dnc_thin_calls();
            f = dnc_dobj_eval(o, x, g);
            exercised += dnc_thin_calls() > calls;
            cr_assert_float_eq(f, f0, 1e-13 * fabs(f0), "K=%s: f %.17g vs %.17g", Ks[kk], f, f0);
            for (i = 0; i < o->nparams; i++)
                worst = fmax(worst, fabs(g[i] - g0[i]) / (1e-3 + fabs(g0[i])));
            cr_assert_lt(worst, 1e-12, "K=%s, %d threads: gradient differs by %g (relative)", Ks[kk], threads, worst);
            free(x); free(g0); free(g);
            dnc_dobj_clear(o);
            dnc_problem_clear(p);
        }
    dnc_dobj_set_blocking(-1);
    cr_assert_eq(exercised, 6, "the thin loops ran in only %d of 6 evaluations", exercised);
}

/* The products of widths up to 100 fit the small-matrix path; by hand: out_l d_l against
 * 10^4, each layer weighted by out_l d_l. */
Test(thin, small_products_by_width)
{
    static const struct { const char *L, *width; int small; } cases[] = {
        { "4", "64", 1 },          /* 4096, 4096, 4096, 640: all small */
        { "4", "96", 1 },          /* 9216 <= 10^4 */
        { "4", "128", 0 },         /* 16384 > 10^4; K d_L = 1280 is 2.5% of the weight */
        { "4", "512", 0 },
        { "3", "100,100,200", 0 },     /* small 10^4 + 2000 of 10^4 + 2 10^4 + 2000 < 1/2 */
        { "4", "100,100,100,120", 1 }, /* small 2 10^4 + 1200 of 33200 >= 1/2 */
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dnc_problem_t p;
        tu_problem(p, "10", "5", cases[i].L, cases[i].width, "relu", "none", "0.004");
        cr_assert_eq(dnc_dobj_small_products(p), cases[i].small, "widths %s", cases[i].width);
        dnc_problem_clear(p);
    }
}

/* ---- the optimiser updates ---- */

/* Plain GD is exactly theta - lr * grad f(theta), entry by entry, bit for bit. */
Test(train, gd_is_the_papers_update)
{
    dnc_problem_t p;
    dnc_trainer_t t;
    dnc_train_opts o;
    double *x0, *g0;
    slong i;
    tu_problem(p, "3", "4", "3", "6", "relu", "none", "0.004");
    dnc_train_opts_default(&o);
    o.lr = 0.37;
    cr_assert_eq(dnc_trainer_init(t, p, &o), 0);
    x0 = malloc(t->n * sizeof(double));
    g0 = malloc(t->n * sizeof(double));
    memcpy(x0, t->theta, t->n * sizeof(double));
    memcpy(g0, t->grad, t->n * sizeof(double));
    dnc_trainer_step(t);
    for (i = 0; i < t->n; i++) {
        volatile double step = 0.37 * g0[i];   /* volatile: no fused multiply-add here */
        cr_assert_eq(t->theta[i], x0[i] - step, "entry %ld", (long) i);
    }
    free(x0);
    free(g0);
    dnc_trainer_clear(t);
    dnc_problem_clear(p);
}

/* Momentum: v <- mu v + g, theta <- theta - lr v; two steps checked by hand. */
Test(train, momentum_update)
{
    dnc_problem_t p;
    dnc_trainer_t t;
    dnc_train_opts o;
    double *x0, *g0, *g1;
    slong i;
    tu_problem(p, "2", "3", "2", "4", "relu", "none", "0.01");
    dnc_train_opts_default(&o);
    o.optimizer = DNC_OPT_MOMENTUM;
    o.lr = 0.1;
    o.momentum = 0.5;
    cr_assert_eq(dnc_trainer_init(t, p, &o), 0);
    x0 = malloc(t->n * sizeof(double));
    g0 = malloc(t->n * sizeof(double));
    g1 = malloc(t->n * sizeof(double));
    memcpy(x0, t->theta, t->n * sizeof(double));
    memcpy(g0, t->grad, t->n * sizeof(double));
    dnc_trainer_step(t);
    memcpy(g1, t->grad, t->n * sizeof(double));
    dnc_trainer_step(t);
    for (i = 0; i < t->n; i++) {
        double v1 = g0[i], x1 = x0[i] - 0.1 * v1, v2 = 0.5 * v1 + g1[i];
        cr_assert_float_eq(t->theta[i], x1 - 0.1 * v2, 1e-15);
    }
    free(x0); free(g0); free(g1);
    dnc_trainer_clear(t);
    dnc_problem_clear(p);
}

/* With threads > 1 the problem is large enough (width 96, N = 400, 4 layers) for every
 * split to happen: products by samples, ReLU passes and the parameter update. */
static void run_twice_identical(dnc_optimizer_t opt, int threads)
{
    dnc_problem_t p;
    dnc_trainer_t a, b;
    dnc_train_opts o;
    slong s;
    if (threads == 1)
        tu_problem(p, "4", "3,5,2,4", "3", "9", "relu", "free", "0.004");
    else
        tu_problem(p, "4", "100", "4", "96", "relu", "free", "0.004");
    dnc_train_opts_default(&o);
    o.optimizer = opt;
    o.seed = 99;
    o.threads = threads;
    o.lr = opt == DNC_OPT_LBFGS ? 1.0 : threads == 1 ? 0.2 : 0.05;
    cr_assert_eq(dnc_trainer_init(a, p, &o), 0);
    cr_assert_eq(dnc_trainer_init(b, p, &o), 0);
    cr_assert_eq(a->obj->threads, threads);
    for (s = 0; s < 60; s++) {
        dnc_trainer_step(a);
        dnc_trainer_step(b);
    }
    cr_assert(isfinite(a->loss));
    cr_assert_eq(memcmp(a->theta, b->theta, a->n * sizeof(double)), 0, "%s on %d threads not bit-identical",
                 dnc_optimizer_name(opt), threads);
    cr_assert_eq(a->loss, b->loss);
    dnc_trainer_clear(a);
    dnc_trainer_clear(b);
    dnc_problem_clear(p);
}

Test(train, same_seed_bit_identical) { run_twice_identical(DNC_OPT_GD, 1); }
Test(train, same_seed_bit_identical_momentum) { run_twice_identical(DNC_OPT_MOMENTUM, 1); }
Test(train, same_seed_bit_identical_lbfgs) { run_twice_identical(DNC_OPT_LBFGS, 1); }
Test(train, same_seed_bit_identical_2_threads) { run_twice_identical(DNC_OPT_GD, 2); }
Test(train, same_seed_bit_identical_momentum_3_threads) { run_twice_identical(DNC_OPT_MOMENTUM, 3); }
Test(train, same_seed_bit_identical_lbfgs_2_threads) { run_twice_identical(DNC_OPT_LBFGS, 2); }

/* The same with the hidden layers stored sample-major (split between threads by rows). */
Test(train, same_seed_bit_identical_sample_major)
{
    dnc_dobj_set_layout(1);
    run_twice_identical(DNC_OPT_GD, 1);
    run_twice_identical(DNC_OPT_GD, 2);
    run_twice_identical(DNC_OPT_MOMENTUM, 3);
    dnc_dobj_set_layout(-1);
}

/* When L-BFGS stalls, its last line search has often evaluated rejected trial points; the
 * objective's buffers that the metrics and the solution class read (here the output Z)
 * must still be those of the point it stopped at. Reference: a fresh evaluation at theta.
 * Seeds 14, 15, 18 and 19 of this problem stalled after such trials when the bug was
 * found (found by a search over seeds; without the fix Z differed for each). */
Test(train, lbfgs_stall_leaves_the_buffers_at_theta)
{
    static const ulong seeds[] = { 14, 15, 18, 19 };
    dnc_problem_t p;
    size_t k;
    tu_problem(p, "3", "2", "2", "4", "relu", "none", "0.004");
    for (k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
        dnc_trainer_t t;
        dnc_train_opts o;
        dnc_dobj_t ref;
        slong i;
        dnc_train_opts_default(&o);
        o.optimizer = DNC_OPT_LBFGS;
        o.lr = 1.0;
        o.steps = 20000;
        o.init_std = 0.5;
        o.seed = seeds[k];
        cr_assert_eq(dnc_trainer_init(t, p, &o), 0);
        while (dnc_trainer_step(t) == DNC_STOP_NONE)
            ;
        cr_assert_eq(t->stop, DNC_STOP_STALLED, "seed %lu did not stall (stop %d)", seeds[k], (int) t->stop);
        cr_assert_eq(dnc_dobj_init(ref, p), 0);
        dnc_dobj_eval(ref, t->theta, NULL);
        for (i = 0; i < p->K * p->N; i++)
            cr_assert_eq(dnc_dobj_buf(t->obj, DNC_Z, 0)[i], dnc_dobj_buf(ref, DNC_Z, 0)[i],
                         "seed %lu: Z[%ld] is not the output at theta", seeds[k], (long) i);
        dnc_dobj_clear(ref);
        dnc_trainer_clear(t);
    }
    dnc_problem_clear(p);
}

Test(train, different_seeds_differ)
{
    double a[10], b[10];
    dnc_randn(a, 10, 1.0, 1);
    dnc_randn(b, 10, 1.0, 2);
    cr_assert_neq(memcmp(a, b, sizeof(a)), 0);
}

/* The initial draw has the requested standard deviation (10^5 draws: the sample standard
 * deviation of N(0, s^2) is within 1% of s with overwhelming probability). */
Test(train, init_std)
{
    slong n = 100000, i;
    double *x = malloc(n * sizeof(double)), m = 0, v = 0;
    dnc_randn(x, n, 0.25, 5);
    for (i = 0; i < n; i++)
        m += x[i] / n;
    for (i = 0; i < n; i++)
        v += (x[i] - m) * (x[i] - m) / n;
    cr_assert_lt(fabs(m), 0.01 * 0.25 * 5);
    cr_assert_lt(fabs(sqrt(v) / 0.25 - 1.0), 0.01);
    free(x);
}
