/* Cross-entropy through the one objective definition: the double backend (gradient against
 * finite differences, stability, determinism), the ball backend (rigorous enclosure of an
 * independent reference, agreement with double on random points), and training: a trained
 * plain CE UFM equals the certified closed form. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include "dncert/closed.h"
#include "dncert/exact.h"
#include "dncert/train.h"
#include "testutil.h"

#define PREC 256

static void ce_problem(dnc_problem_t p, const char *K, const char *n, const char *L, const char *width,
                       const char *act, const char *bias, const char *lambda)
{
    tu_problem(p, K, n, L, width, act, bias, lambda);
    p->loss = DNC_LOSS_CE;
}

/* Largest relative difference between the gradient at x and central differences of f. */
static double fd_error(dnc_dobj_t o, double *x)
{
    double *g = malloc(o->nparams * sizeof(double)), h = 1e-5, worst = 0.0;
    slong i;
    dnc_dobj_eval(o, x, g);
    for (i = 0; i < o->nparams; i++) {
        double xi = x[i], fp, fm;
        x[i] = xi + h;
        fp = dnc_dobj_eval(o, x, NULL);
        x[i] = xi - h;
        fm = dnc_dobj_eval(o, x, NULL);
        x[i] = xi;
        worst = fmax(worst, fabs((fp - fm) / (2 * h) - g[i]) / (1.0 + fabs(g[i])));
    }
    free(g);
    return worst;
}

/* ---- double backend ---- */

struct fd_case {
    char K[4], n[32], L[4], width[32], act[32], bias[8];
};

ParameterizedTestParameters(ce, finite_differences)
{
    static struct fd_case cases[] = {
        { "3", "3", "3", "4", "relu", "none" },
        { "3", "3", "3", "4", "relu", "free" },
        { "3", "3", "3", "4", "linear", "none" },
        { "4", "2,4,3,1", "3", "4", "linear", "free" },
        { "3", "2,4,3", "3", "5,4,3", "relu,linear", "none" },
        { "3", "1,2,5", "3", "3,4,6", "linear,relu", "free" },
        { "5", "1,1,3,1,2", "1", "5", "relu", "free" },
        { "2", "3,1", "2", "2,3", "relu", "none" },
        { "10", "2,1,3,2,2,1,2,3,1,2", "2", "6,5", "relu", "free" },   /* the large configuration's K */
    };
    return cr_make_param_array(struct fd_case, cases, sizeof(cases) / sizeof(cases[0]));
}

/* h = 1e-5: truncation O(h^2 f''') ~ 1e-10, rounding O(eps f / h) ~ 1e-11; random points put
 * ReLU pre-activations far from 0 compared with h. Imbalanced counts and a bias included. */
ParameterizedTest(struct fd_case *c, ce, finite_differences)
{
    dnc_problem_t p;
    dnc_dobj_t o;
    double *x, worst;
    ce_problem(p, c->K, c->n, c->L, c->width, c->act, c->bias, "0.03");
    cr_assert_eq(dnc_dobj_init(o, p), 0);
    x = malloc(o->nparams * sizeof(double));
    dnc_randn(x, o->nparams, 0.7, 42);
    worst = fd_error(o, x);
    cr_assert_lt(worst, 1e-7, "K=%s n=%s %s bias=%s: worst relative gradient error %g", c->K, c->n, c->act, c->bias, worst);
    free(x);
    dnc_dobj_clear(o);
    dnc_problem_clear(p);
}

/* The collapsed layout (one column per class, weight n_k) has the loss and gradient of its
 * expansion -- per sample for H1 -- under CE as under MSE. */
Test(ce, collapsed_equals_expanded)
{
    dnc_problem_t p;
    dnc_dobj_t c, e;
    slong label[3] = { 0, 1, 2 }, k, i, r, j, col = 0, d = 4;
    double w[3] = { 2, 4, 3 }, *xc, *xe, *gc, *ge, fc, fe;
    ce_problem(p, "3", "2,4,3", "2", "4", "relu", "free", "1/50");
    cr_assert_eq(dnc_dobj_init_weighted(c, p, 3, label, w), 0);
    cr_assert_eq(dnc_dobj_init(e, p), 0);
    xc = malloc(c->nparams * sizeof(double));
    gc = malloc(c->nparams * sizeof(double));
    xe = malloc(e->nparams * sizeof(double));
    ge = malloc(e->nparams * sizeof(double));
    dnc_randn(xc, c->nparams, 0.8, 7);
    for (k = 0; k < 3; k++)   /* expand H1: class k's column n_k times */
        for (j = 0; j < p->n[k]; j++, col++)
            for (r = 0; r < d; r++)
                xe[r + d * col] = xc[r + d * k];
    memcpy(xe + d * p->N, xc + d * 3, (c->nparams - d * 3) * sizeof(double));
    fc = dnc_dobj_eval(c, xc, gc);
    fe = dnc_dobj_eval(e, xe, ge);
    cr_assert_float_eq(fc, fe, 1e-14 * fe);
    for (i = 0; i < c->nparams - d * 3; i++)
        cr_assert_float_eq(gc[d * 3 + i], ge[d * p->N + i], 1e-13 * (1 + fabs(ge[d * p->N + i])));
    for (r = 0; r < d; r++)
        cr_assert_float_eq(gc[r + d * 1], ge[r + d * 2], 1e-13 * (1 + fabs(ge[r + d * 2])));
    free(xc); free(gc); free(xe); free(ge);
    dnc_dobj_clear(c);
    dnc_dobj_clear(e);
    dnc_problem_clear(p);
}

/* The zero point has f = log K (every logit 0), whatever the counts. */
Test(ce, zero_point_is_log_k)
{
    dnc_problem_t p;
    dnc_dobj_t o;
    double *x;
    ce_problem(p, "5", "1,4,2,1,1", "3", "4", "relu", "free", "0.01");
    cr_assert_eq(dnc_dobj_init(o, p), 0);
    x = calloc(o->nparams, sizeof(double));
    cr_assert_float_eq(dnc_dobj_eval(o, x, NULL), log(5.0), 1e-15);
    free(x);
    dnc_dobj_clear(o);
    dnc_problem_clear(p);
}

/* Logits of size 1000: exp would overflow without the max shift, and the misclassified
 * columns cost exactly their margin 1000 (up to e^-1000). And a tiny fit: two columns
 * classified with margin 40 have CE log(1 + e^-40) = 4.2e-18 each, which log(sum exp)
 * computed as log(1 + t) rounds to 0; log1p keeps it to full relative accuracy. */
Test(ce, stable_for_large_logits)
{
    dnc_problem_t p;
    dnc_dobj_t o;
    /* K = 3, n = 1, L = 1, d = 1: H1 = [1 1 1], W1 = [1000; 0; 0]: every column has logits
     * (1000, 0, 0); class 0 is right, classes 1 and 2 are wrong by 1000. lambda = 1e-12. */
    double x[6] = { 1, 1, 1, 1000, 0, 0 }, g[6], y[4] = { 1, -1, 20, -20 };
    ce_problem(p, "3", "1", "1", "1", "relu", "none", "1/1000000000000");
    cr_assert_eq(dnc_dobj_init(o, p), 0);
    cr_assert(isfinite(dnc_dobj_eval(o, x, g)));
    cr_assert_float_eq(o->term[DNC_TERM_FIT], 2000.0 / 3.0, 1e-10);
    /* df/dW1[0] = (1/3) sum_j (softmax(z_j)_0 - [y_j = 0]) H1_j + lambda W1[0] = 2/3 + 1e-9 */
    cr_assert_float_eq(g[3], 2.0 / 3.0 + 1e-9, 1e-13);
    cr_assert(isfinite(g[4]) && isfinite(g[5]));
    dnc_dobj_clear(o);
    dnc_problem_clear(p);
    /* K = 2: H1 = [1 -1], W1 = [20; -20]: logits (20, -20) and (-20, 20), both right. */
    ce_problem(p, "2", "1", "1", "1", "relu", "none", "1/1000000000000");
    cr_assert_eq(dnc_dobj_init(o, p), 0);
    dnc_dobj_eval(o, y, NULL);
    cr_assert_float_eq(o->term[DNC_TERM_FIT], log1p(exp(-40.0)), 1e-12 * exp(-40.0));
    dnc_dobj_clear(o);
    dnc_problem_clear(p);
}

/* The fit column by column against long double: the loss and every entry of G = df/dZ
 * (w_j/N (softmax(z_j) - e_y)) at K from 2 to 13, so through the four-column AVX2 path of
 * thin.c (K <= 12, whole blocks of four columns), the columns it leaves to ce_column (an
 * entry more than 708 below the column's largest: column 1, scaled by 1000, in a block whose
 * other three take the vector path), the last N mod 4 columns, and K = 13 (scalar only); with
 * and without the collapsed layout's weights. L = 1, so Z = W1 H1 + b and nothing else rounds. */
static void fit_against_long_double(const char *K, const char *n, int weighted)
{
    dnc_problem_t p;
    dnc_dobj_t o;
    slong N, k, j, i, d = 3, cols;
    double *x, *g, scale = 1e-14;
    const double *G;
    long double fit = 0.0L;
    ce_problem(p, K, n, "1", "3", "relu", "free", "1/1000");
    N = p->N;
    cols = weighted ? p->K : N;
    tu_dobj_init_columns(o, p, weighted);
    x = malloc(o->nparams * sizeof(double));
    g = malloc(o->nparams * sizeof(double));
    dnc_randn(x, o->nparams, 2.0, 11);
    for (i = 0; i < d && cols > 1; i++)
        x[i + d * 1] *= 1000.0;   /* column 1: logits of order 1000 */
    dnc_dobj_eval(o, x, g);
    G = dnc_dobj_buf(o, DNC_R, 0);
    for (j = 0; j < cols; j++) {
        long double z[16] = { 0 }, m, t = 0.0L, s = (long double) (o->w ? o->w[j] : 1.0) / N;
        slong top = 0;
        for (k = 0; k < p->K; k++) {
            z[k] = x[o->nparams - p->K + k];   /* the bias */
            for (i = 0; i < d; i++)
                z[k] += (long double) x[dnc_param_offset(p, cols, DNC_W, 1) + k + p->K * i] * x[i + d * j];
            top = z[k] > z[top] ? k : top;
        }
        m = z[top];
        for (k = 0; k < p->K; k++)
            t += k == top ? 0.0L : expl(z[k] - m);
        fit += s * (log1pl(t) + (m - z[o->label[j]]));
        for (k = 0; k < p->K; k++) {
            long double ref = s * (expl(z[k] - m) / (1.0L + t) - (k == o->label[j]));
            cr_assert_lt(fabsl(G[k + p->K * j] - ref), scale * (fabsl(ref) + s) + 1e-300,
                         "K=%s, column %ld, class %ld: %.17g vs %.17Lg", K, (long) j, (long) k, G[k + p->K * j], ref);
        }
    }
    cr_assert_lt(fabsl(o->term[DNC_TERM_FIT] - fit), scale * fit, "K=%s: fit %.17g vs %.17Lg", K,
                 o->term[DNC_TERM_FIT], fit);
    free(x); free(g);
    dnc_dobj_clear(o);
    dnc_problem_clear(p);
}

Test(ce, fit_against_long_double)
{
    fit_against_long_double("2", "5,4", 0);
    fit_against_long_double("3", "3,1,2", 0);
    fit_against_long_double("5", "2,3,1,2,3", 1);
    fit_against_long_double("10", "2", 0);
    fit_against_long_double("10", "3,1,2,4,1,1,2,3,1,1", 0);
    fit_against_long_double("12", "1", 1);
    fit_against_long_double("12", "3", 0);
    fit_against_long_double("13", "2", 0);
}

/* Two runs of one seed give the same bits, on one and on two threads (a problem large enough
 * for the products to be split). */
Test(ce, same_seed_bit_identical)
{
    int threads;
    for (threads = 1; threads <= 2; threads++) {
        dnc_problem_t p;
        dnc_trainer_t a, b;
        dnc_train_opts o;
        int s;
        double f0;
        ce_problem(p, "4", threads == 1 ? "5" : "100", "3", threads == 1 ? "8" : "96", "relu", "free", "0.004");
        dnc_train_opts_default(&o);
        o.threads = threads;
        o.lr = 0.2;
        o.steps = 30;
        cr_assert_eq(dnc_trainer_init(a, p, &o), 0);
        cr_assert_eq(dnc_trainer_init(b, p, &o), 0);
        f0 = a->loss;
        for (s = 0; s < 30; s++) {
            dnc_trainer_step(a);
            dnc_trainer_step(b);
        }
        cr_assert_lt(a->loss, f0);
        cr_assert_eq(memcmp(a->theta, b->theta, a->n * sizeof(double)), 0, "%d threads", threads);
        cr_assert_eq(a->loss, b->loss);
        dnc_trainer_clear(a);
        dnc_trainer_clear(b);
        dnc_problem_clear(p);
    }
}

/* ---- ball backend ---- */

/* K = 3, n = 1, L = 1, d = 2, free bias, lambda = 1/10: H1 = [1 0 -1; 1/2 2 0],
 * W1 = [1 0; 0 1; 1 -1], b = (1/4, 0, -1/2). Reference by mpmath at 40 digits
 * (/usr/bin/python3, mpmath 1.x: fit = (1/3) sum_j (log sum_i e^{z_ij} - z_{y_j j}) with
 * Z = W1 H1 + b 1^T, reg = (1/20)(||H1||^2 + ||W1||^2), and the bias gradient
 * (1/3) sum_j (softmax(z_j) - e_{y_j})):
 *   fit = 0.9207640178168260747187505134570340561704, reg = 0.5125 exactly,
 *   df/db = (-0.002064576745393630662034035332191137, 0.2341084004020534976783478469028484,
 *            -0.2320438236566598670163138115706572). */
Test(ce, ball_encloses_reference)
{
    static const char *gb[3] = { "-0.002064576745393630662034035332191137", "0.2341084004020534976783478469028484",
                                 "-0.2320438236566598670163138115706572" };
    dnc_problem_t p;
    dnc_bpoint_t x;
    dnc_beval_t e;
    double theta[6 + 6 + 3] = { 1, 0.5, 0, 2, -1, 0, 1, 0, 1, 0, 1, -1, 0.25, 0, -0.5 };
    arb_t r;
    int i;
    ce_problem(p, "3", "1", "1", "2", "relu", "free", "1/10");
    dnc_bpoint_init(x, p);
    dnc_bpoint_set_theta(x, theta);
    dnc_beval_init(e);
    dnc_ball_eval(e, x, 1, PREC);
    arb_init(r);
    cr_assert_eq(tu_ref_ball(r, "0.9207640178168260747187505134570340561704", 38, PREC), 0);
    cr_assert(arb_overlaps(e->fit, r));
    cr_assert(tu_rad_below(e->fit, -200));
    cr_assert_eq(tu_ref_ball(r, "0.5125", 70, PREC), 0);   /* 41/80 */
    cr_assert(arb_overlaps(e->reg, r));
    for (i = 0; i < 3; i++) {
        cr_assert_eq(tu_ref_ball(r, gb[i], 34, PREC), 0);
        cr_assert(arb_overlaps(arb_mat_entry(e->grad->b, i, 0), r), "db[%d]", i);
    }
    arb_clear(r);
    dnc_beval_clear(e);
    dnc_bpoint_clear(x);
    dnc_problem_clear(p);
}

/* On random CE points the ball midpoints agree with the double backend to double accuracy,
 * the enclosures are tight, and the double loss lies within a few ulps of the ball. */
static void agree_on_random_point(const char *K, const char *n, const char *L, const char *width, const char *act,
                                  const char *bias, double std, ulong seed)
{
    dnc_problem_t p;
    dnc_dobj_t o;
    dnc_bpoint_t x;
    dnc_beval_t e;
    double *theta, *g, *gb, f;
    slong i;
    ce_problem(p, K, n, L, width, act, bias, "1/250");
    cr_assert_eq(dnc_dobj_init(o, p), 0);
    theta = malloc(o->nparams * sizeof(double));
    g = malloc(o->nparams * sizeof(double));
    gb = malloc(o->nparams * sizeof(double));
    dnc_randn(theta, o->nparams, std, seed);
    f = dnc_dobj_eval(o, theta, g);
    dnc_bpoint_init(x, p);
    dnc_bpoint_set_theta(x, theta);
    dnc_beval_init(e);
    dnc_ball_eval(e, x, 1, PREC);
    cr_assert_eq(e->nkinks, 0, "seed %lu: a kink (choose another seed)", (unsigned long) seed);
    cr_assert_lt(fabs(arf_get_d(arb_midref(e->loss), ARF_RND_NEAR) - f), 1e-14 * (1 + fabs(f)),
                 "K=%s n=%s L=%s seed %lu", K, n, L, (unsigned long) seed);
    cr_assert(tu_rad_below(e->loss, -(PREC - 60)));
    dnc_bpoint_get_theta(gb, e->grad);
    for (i = 0; i < o->nparams; i++)
        cr_assert_lt(fabs(gb[i] - g[i]), 1e-13 * (1 + fabs(g[i])), "K=%s L=%s seed %lu, gradient entry %ld: %g vs %g",
                     K, L, (unsigned long) seed, (long) i, gb[i], g[i]);
    cr_assert_lt(dnc_beval_grad_max_radius(e), 1e-60);
    free(theta); free(g); free(gb);
    dnc_beval_clear(e);
    dnc_bpoint_clear(x);
    dnc_dobj_clear(o);
    dnc_problem_clear(p);
}

/* Mixed activations, a bias, imbalanced counts, L = 1, and large logits (std 3, L = 3:
 * logits of order 100, where an unshifted exp would lose everything in double). */
Test(ce, ball_agrees_with_double)
{
    ulong seed;
    for (seed = 3; seed <= 5; seed++) {
        agree_on_random_point("3", "2,4,3", "3", "5,4,6", "relu,linear", "free", 0.8, seed);
        agree_on_random_point("2", "3,1", "1", "4", "relu", "none", 0.8, seed);
        agree_on_random_point("5", "1,2,3,2,1", "2", "7,3", "linear", "none", 0.8, seed);
        agree_on_random_point("4", "2", "3", "6", "linear", "free", 3.0, seed);
        agree_on_random_point("10", "1,2,1,1,3,1,1,2,1,1", "2", "6,5", "relu", "free", 0.8, seed);
    }
}

/* ---- training against the closed form ---- */

/* A plain CE UFM (M = L = 1) trained by L-BFGS until it stalls equals the certified
 * closed-form value to 1e-9, on both sides of the boundary P K^2 = 1 (alive: sigma* > 0;
 * dead: the zero point, log K) and at several (K, n). The CE UFM's landscape is benign (every
 * critical point other than the global minimiser is a strict saddle), so one seed suffices. */
Test(ce, trained_ufm_equals_closed_form, .timeout = 60)
{
    static const struct { const char *K, *n, *lambda; } cases[] = {
        { "4", "3", "1/20" }, { "3", "2", "1/100" }, { "10", "5", "1/1000" }, { "2", "1", "1/8" },
        { "3", "4", "1/10" },   /* P K^2 = 4 * 9/100 = 0.36 < 1: alive */
        { "4", "2", "1/4" },    /* P K^2 = 2/16 * 16 = 2 >= 1: dead, log 4 */
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dnc_problem_t p;
        dnc_closed_t c;
        dnc_trainer_t t;
        dnc_train_opts o;
        char err[512];
        double fc;
        ce_problem(p, cases[i].K, cases[i].n, "1", cases[i].K, "linear", "none", cases[i].lambda);
        cr_assert_eq(dnc_closed_ufm_ce(c, p, PREC, err, sizeof(err)), 0, "%s", err);
        fc = arf_get_d(arb_midref(c->loss), ARF_RND_NEAR);
        dnc_train_opts_default(&o);
        o.optimizer = DNC_OPT_LBFGS;
        o.lr = 1.0;
        o.steps = 20000;
        o.init_std = 0.5;
        cr_assert_eq(dnc_trainer_init(t, p, &o), 0);
        while (dnc_trainer_step(t) == DNC_STOP_NONE)
            ;
        cr_assert_neq(t->stop, DNC_STOP_DIVERGED);
        cr_assert_lt(fabs(t->loss - fc), 1e-9 * fc, "K=%s n=%s lambda=%s: trained %.17g, closed form %.17g (%s)",
                     cases[i].K, cases[i].n, cases[i].lambda, t->loss, fc, c->alive == DNC_ALIVE ? "alive" : "dead");
        dnc_trainer_clear(t);
        dnc_closed_clear(c);
        dnc_problem_clear(p);
    }
}
