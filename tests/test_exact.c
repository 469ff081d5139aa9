/* The ball-arithmetic evaluator: enclosures, agreement with the trainer, collapsed form,
 * ReLU kinks, and the exact import of a trained point. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "dncert/exact.h"
#include "dncert/io.h"
#include "dncert/train.h"
#include "testutil.h"

#define PREC 256

static void set_entries(arb_mat_t m, const double *v)   /* column-major */
{
    slong i, j;
    for (j = 0; j < arb_mat_ncols(m); j++)
        for (i = 0; i < arb_mat_nrows(m); i++)
            arb_set_d(arb_mat_entry(m, i, j), v[i + arb_mat_nrows(m) * j]);
}

/* The linear tiny case of test_objective.c, derived by hand there: f = 21/4, fit = 7/2,
 * gradient dH1 = [1 7/2], dW1 = [5/2; -4]. All quantities are dyadic, so the enclosure is
 * exact. */
Test(ball, hand_computed_exact)
{
    dnc_problem_t p;
    dnc_bpoint_t x;
    dnc_beval_t e;
    double h[2] = { 1, 2 }, w[2] = { 1, -1 };
    arb_t v;
    tu_problem(p, "2", "1", "1", "1", "relu", "none", "1/2");
    dnc_bpoint_init(x, p);
    set_entries(x->H1, h);
    set_entries(x->W, w);
    dnc_beval_init(e);
    dnc_ball_eval(e, x, 1, PREC);
    arb_init(v);
    arb_set_d(v, 5.25);
    cr_assert(arb_equal(e->loss, v), "loss is not exactly 21/4");
    arb_set_d(v, 3.5);
    cr_assert(arb_equal(e->fit, v));
    arb_set_d(v, 3.5);
    cr_assert(arb_equal(arb_mat_entry(e->grad->H1, 0, 1), v));
    arb_set_d(v, -4.0);
    cr_assert(arb_equal(arb_mat_entry(e->grad->W, 1, 0), v));
    cr_assert_eq(e->nkinks, 0);
    arb_clear(v);
    dnc_beval_clear(e);
    dnc_bpoint_clear(x);
    dnc_problem_clear(p);
}

/* A constant that is not dyadic: lambda = 1/3 makes the enclosure a true ball, which
 * must contain the exact value. K = 2, n = 1, L = 1, d = 1, H1 = [1 2], W1 = [1; -1]:
 * fit = 7/2 as above, reg = (1/6)(5) + (1/6)(2) = 7/6, f = 14/3. */
Test(ball, non_dyadic_constant_enclosed)
{
    dnc_problem_t p;
    dnc_bpoint_t x;
    dnc_beval_t e;
    double h[2] = { 1, 2 }, w[2] = { 1, -1 };
    fmpq_t q;
    tu_problem(p, "2", "1", "1", "1", "relu", "none", "1/3");
    dnc_bpoint_init(x, p);
    set_entries(x->H1, h);
    set_entries(x->W, w);
    dnc_beval_init(e);
    dnc_ball_eval(e, x, 0, PREC);
    fmpq_init(q);
    fmpq_set_si(q, 14, 3);
    cr_assert(arb_contains_fmpq(e->loss, q));
    cr_assert_gt(arb_rel_accuracy_bits(e->loss), PREC - 10);
    fmpq_clear(q);
    dnc_beval_clear(e);
    dnc_bpoint_clear(x);
    dnc_problem_clear(p);
}

/* On a random point of the problem, the ball midpoints agree with the double trainer to
 * double accuracy. */
static void agree_on_random_point(const char *K, const char *n, const char *L, const char *width,
                                  const char *act, const char *bias, const char *lambda, ulong seed)
{
    dnc_problem_t p;
    dnc_dobj_t o;
    dnc_bpoint_t x;
    dnc_beval_t e;
    double *theta, *g, *gb, f;
    slong i;
    tu_problem(p, K, n, L, width, act, bias, lambda);
    cr_assert_eq(dnc_dobj_init(o, p), 0);
    theta = malloc(o->nparams * sizeof(double));
    g = malloc(o->nparams * sizeof(double));
    gb = malloc(o->nparams * sizeof(double));
    dnc_randn(theta, o->nparams, 0.8, seed);
    f = dnc_dobj_eval(o, theta, g);
    dnc_bpoint_init(x, p);
    dnc_bpoint_set_theta(x, theta);
    dnc_beval_init(e);
    dnc_ball_eval(e, x, 1, PREC);
    cr_assert_eq(e->nkinks, 0, "K=%s n=%s L=%s seed %lu: a kink (choose another seed)", K, n, L,
                 (unsigned long) seed);
    cr_assert_lt(fabs(arf_get_d(arb_midref(e->loss), ARF_RND_NEAR) - f), 1e-14 * (1 + fabs(f)),
                 "K=%s n=%s L=%s seed %lu", K, n, L, (unsigned long) seed);
    cr_assert_lt(mag_get_d(arb_radref(e->loss)), 1e-60);
    dnc_bpoint_get_theta(gb, e->grad);
    for (i = 0; i < o->nparams; i++)
        cr_assert_lt(fabs(gb[i] - g[i]), 1e-13 * (1 + fabs(g[i])), "K=%s n=%s L=%s seed %lu, gradient entry %ld: %g vs %g",
                     K, n, L, (unsigned long) seed, (long) i, gb[i], g[i]);
    cr_assert_lt(dnc_beval_grad_max_radius(e), 1e-60);
    free(theta); free(g); free(gb);
    dnc_beval_clear(e);
    dnc_bpoint_clear(x);
    dnc_dobj_clear(o);
    dnc_problem_clear(p);
}

/* Mixed activations, a bias, imbalanced counts, an all-linear model, L = 1, and a deep
 * all-ReLU case, each from a few seeds. */
Test(ball, agrees_with_double_backend)
{
    ulong seed;
    for (seed = 3; seed <= 5; seed++) {
        agree_on_random_point("3", "2,4,3", "3", "5,4,6", "relu,linear", "free", "0.004", seed);
        agree_on_random_point("2", "3,1", "1", "4", "relu", "none", "1/3", seed);
        agree_on_random_point("4", "2", "5", "16", "relu", "free", "0.01", seed);
        agree_on_random_point("5", "1,2,3,2,1", "2", "7,3", "linear", "none", "1/250", seed);
    }
}

/* A collapsed point and its expansion have the same enclosures of f and of the gradient
 * (per-sample for H1), while the collapsed evaluation never touches N columns. */
Test(ball, collapsed_equals_expanded)
{
    dnc_problem_t p;
    dnc_bpoint_t c, x;
    dnc_beval_t ec, ex;
    double *theta;
    slong l, i, j, k, col = 0, nparams;
    tu_problem(p, "3", "3,1,5", "3", "4", "relu", "free", "1/250");
    dnc_bpoint_init_collapsed(c, p);
    nparams = dnc_param_offset(p, 3, DNC_NKINDS, 0);
    theta = malloc(nparams * sizeof(double));
    dnc_randn(theta, nparams, 0.9, 11);
    dnc_bpoint_set_theta(c, theta);
    dnc_bpoint_init_expand(x, c);
    dnc_beval_init(ec);
    dnc_beval_init(ex);
    dnc_ball_eval(ec, c, 1, PREC);
    dnc_ball_eval(ex, x, 1, PREC);
    cr_assert(arb_overlaps(ec->loss, ex->loss));
    cr_assert_lt(mag_get_d(arb_radref(ec->loss)), 1e-60);
    cr_assert_lt(mag_get_d(arb_radref(ex->loss)), 1e-60);
    for (l = 0; l < p->L; l++)
        for (i = 0; i < arb_mat_nrows(c->W + l); i++)
            for (j = 0; j < arb_mat_ncols(c->W + l); j++)
                cr_assert(arb_overlaps(arb_mat_entry(ec->grad->W + l, i, j), arb_mat_entry(ex->grad->W + l, i, j)));
    for (k = 0; k < p->K; k++)
        for (j = 0; j < p->n[k]; j++, col++)
            for (i = 0; i < p->width[0]; i++)
                cr_assert(arb_overlaps(arb_mat_entry(ec->grad->H1, i, k), arb_mat_entry(ex->grad->H1, i, col)));
    cr_assert(arb_overlaps(arb_mat_entry(ec->grad->b, 2, 0), arb_mat_entry(ex->grad->b, 2, 0)));
    {   /* the expansion in doubles (closed-form --export) equals that of the ball expansion */
        slong n = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
        double *a = malloc(n * sizeof(double)), *e = malloc(n * sizeof(double));
        dnc_bpoint_get_theta(a, x);
        dnc_bpoint_get_theta_expanded(e, c);
        cr_assert_eq(memcmp(a, e, n * sizeof(double)), 0);
        free(a);
        free(e);
    }
    free(theta);
    dnc_beval_clear(ec);
    dnc_beval_clear(ex);
    dnc_bpoint_clear(c);
    dnc_bpoint_clear(x);
    dnc_problem_clear(p);
}

/* Kinks: K = 2, n = 1, L = 2, widths (1, 1), lambda = 1/2, H1 = [1 -1], W1 = [0], W2 = [1; 1].
 * Both pre-activations are exactly 0. G = (Z - Y)/N = -I/2 and dH2 = W2^T G = [-1/2 -1/2],
 * so dHtilde2 = dH2 * [0, 1] = [[-1/2, 0] [-1/2, 0]] and
 * dW1 = dHtilde2 H1^T + W1/2 = [-1/2, 0] * 1 + [-1/2, 0] * (-1) = [-1/2, 1/2]: the Clarke
 * generalized derivative in W1 at this point is exactly that interval (one-sided
 * derivatives -1/2 and 1/2), and the enclosure must contain all of it. */
Test(ball, relu_kinks_give_clarke_enclosure)
{
    dnc_problem_t p;
    dnc_bpoint_t x;
    dnc_beval_t e;
    double h[2] = { 1, -1 }, w1[1] = { 0 }, w2[2] = { 1, 1 };
    arb_t v;
    tu_problem(p, "2", "1", "2", "1", "relu", "none", "1/2");
    dnc_bpoint_init(x, p);
    set_entries(x->H1, h);
    set_entries(x->W, w1);
    set_entries(x->W + 1, w2);
    dnc_beval_init(e);
    dnc_ball_eval(e, x, 1, PREC);
    cr_assert_eq(e->nkinks, 2);
    cr_assert_eq(e->kinks[0].layer, 2);
    cr_assert_eq(e->kinks[1].col, 1);
    arb_init(v);
    arb_set_d(v, -0.5);
    cr_assert(arb_contains(arb_mat_entry(e->grad->W, 0, 0), v));
    arb_set_d(v, 0.5);
    cr_assert(arb_contains(arb_mat_entry(e->grad->W, 0, 0), v));
    cr_assert(arb_contains_zero(arb_mat_entry(e->grad->W, 0, 0)));
    /* f = 1/2 at this point (Z = 0) plus the regulariser 1/4 (2 + 0 + 2) = 1 */
    arb_set_d(v, 1.5);
    cr_assert(arb_equal(e->loss, v));
    arb_clear(v);
    dnc_beval_clear(e);
    dnc_bpoint_clear(x);
    dnc_problem_clear(p);
}

/* A trained point saved by `dncert train` is imported into balls without rounding: every
 * entry is the saved double exactly (radius 0). */
Test(ball, import_trained_point_exactly)
{
    char dir[256], run[300], err[1024], out[4096], errs[4096];
    const char *args[] = { "train", "--K", "3", "--n", "2", "--steps", "50", "--quiet", "--out", NULL, NULL };
    dnc_problem_t p;
    dnc_bpoint_t x;
    dnc_beval_t e;
    dnc_dobj_t o;
    double *theta, f;
    slong l, i, j;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/run", dir);
    args[9] = run;
    cr_assert_eq(tu_run(out, errs, sizeof(out), args), 0, "%s", errs);
    dnc_problem_init(p);
    cr_assert_eq(dnc_point_load(run, p, &theta, err, sizeof(err)), 0, "%s", err);
    dnc_bpoint_init(x, p);
    dnc_bpoint_set_theta(x, theta);
    for (l = 0; l < p->L; l++)
        for (i = 0; i < arb_mat_nrows(x->W + l); i++)
            for (j = 0; j < arb_mat_ncols(x->W + l); j++)
                cr_assert(arb_is_exact(arb_mat_entry(x->W + l, i, j)));
    cr_assert(arb_is_exact(arb_mat_entry(x->H1, 1, 4)));
    cr_assert_eq(arf_get_d(arb_midref(arb_mat_entry(x->H1, 1, 4)), ARF_RND_NEAR), theta[1 + p->width[0] * 4]);
    cr_assert_eq(dnc_dobj_init(o, p), 0);
    f = dnc_dobj_eval(o, theta, NULL);
    dnc_beval_init(e);
    dnc_ball_eval(e, x, 0, PREC);
    cr_assert_lt(fabs(arf_get_d(arb_midref(e->loss), ARF_RND_NEAR) - f), 1e-15);
    free(theta);
    dnc_beval_clear(e);
    dnc_dobj_clear(o);
    dnc_bpoint_clear(x);
    dnc_problem_clear(p);
}
