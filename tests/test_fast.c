/* The fast tier (src/fast/, dncert/fast.h) against Arb. Every reference value is computed
 * by the ball evaluator at 256 bits (src/exact/ball_eval.c) or by Arb directly, never by the
 * code under test. The fast enclosures must contain the Arb balls: of the loss, fit and
 * regulariser, of every forward quantity, and of every gradient entry -- where Arb finds a
 * ReLU kink (a pre-activation ball containing 0), of both one-sided gradients (ReLU'(0) = 0
 * and = 1, Arb's frozen evaluations), which lie in the Clarke set the fast tier encloses.
 * Adversarial points either enclose correctly or report that they cannot; and a worst case
 * whose rounding error nearly reaches the proven bound fails when the bound is scaled down. */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif
#include "dncert/fast.h"
#include "testutil.h"

/* OpenBLAS (its header is not on the tests' include path) */
void openblas_set_num_threads(int n);

#define PREC 256

typedef struct {
    const char *K, *n, *L, *width, *act, *bias, *lambda_h, *lambda_w;
} config;

static const config configs[] = {
    { "2", "3", "1", "3", "relu", "none", "1/250", "1/250" },
    { "3", "2,1,4", "2", "4,3", "relu", "none", "1/100", "1/50,1/7" },
    { "3", "2,1,4", "2", "4,3", "relu", "free", "1/100", "1/50,1/7" },
    { "4", "2", "3", "5,3,4", "relu,linear", "free", "0.004", "0.004" },
    { "4", "1,3,2,2", "4", "3,5,2,4", "linear,relu,relu", "none", "1/3", "1/5,2,1/9,1" },
    { "5", "1", "3", "6", "linear,linear", "free", "1/1000", "1/1000" },
    { "2", "5,2", "5", "3,4,3,2,3", "relu,relu,relu,relu", "none", "1/20", "1/20" },
    { "10", "3", "4", "20", "relu", "none", "0.004", "0.004" },
    { "7", "4,1,6,2,3,5,2", "4", "16,9,12,8", "relu,relu,relu", "free", "5e-4", "1e-3,2e-3,3e-3,1/3" },
};

/* Random doubles of full 53-bit mantissa in [-scale, scale]; exactly 0 with probability
 * zero_in_8/8 (zeros make pre-activations vanish: kinks). */
static double draw(flint_rand_t st, double scale, int zero_in_8)
{
    double m;
    if ((int) n_randint(st, 8) < zero_in_8)
        return 0.0;
    m = (double) (n_randlimb(st) >> 11) * 0x1p-53;   /* [0, 1) with 53 random bits */
    return (n_randint(st, 2) ? -m : m) * scale;
}

static void ball_of(arb_t b, double mid, double rad)
{
    arb_set_d(b, mid);
    mag_set_d(arb_radref(b), rad);
}

static int fast_contains(double mid, double rad, const arb_t x)
{
    arb_t b;
    int ok;
    arb_init(b);
    ball_of(b, mid, rad);
    ok = arb_contains(b, x);
    arb_clear(b);
    return ok;
}

static int interval_contains(const double *iv, const arb_t x)
{
    arb_t b;
    int ok;
    arb_init(b);
    dnc_fast_interval_arb(b, iv[0], iv[1]);
    ok = arb_contains(b, x);
    arb_clear(b);
    return ok;
}

/* Number of gradient entries of e (a ball evaluation) not contained in f's enclosure. */
static slong grad_misses(const dnc_fast_t f, const dnc_beval_t e, const dnc_problem_t p)
{
    slong b, i, j, miss = 0;
    for (b = 0; b < p->L + 2; b++) {
        const arb_mat_struct *g = dnc_bpoint_block(e->grad, b);
        slong off;
        if (arb_mat_nrows(g) * arb_mat_ncols(g) == 0)
            continue;
        off = dnc_param_offset(p, p->N, dnc_param_block_kind(p->L, b), b);
        for (j = 0; j < arb_mat_ncols(g); j++)
            for (i = 0; i < arb_mat_nrows(g); i++) {
                slong o = off + i + arb_mat_nrows(g) * j;
                miss += !fast_contains(f->gmid[o], f->grad[o], arb_mat_entry(g, i, j));
            }
    }
    return miss;
}

/* Arb's gradient with the ReLU pattern frozen at its pre-activations, the entries whose ball
 * contains 0 taken as active (one = 1, ReLU'(0) = 1) or inactive (one = 0). */
static void frozen_eval(dnc_beval_t e, const dnc_bpoint_t x, int one)
{
    const dnc_problem_struct *p = x->p;
    slong L = p->L, l, i, j;
    arb_mat_struct *pre = flint_calloc(L + 1, sizeof(arb_mat_struct));
    signed char **fz = flint_calloc(L + 1, sizeof(signed char *));
    dnc_beval_t tmp;
    for (l = 2; l <= L; l++)
        arb_mat_init(pre + l, p->width[l - 1], x->ncols);
    dnc_beval_init(tmp);
    dnc_ball_eval_frozen(tmp, x, NULL, pre, 0, PREC);
    for (l = 2; l <= L; l++) {
        fz[l] = flint_malloc(p->width[l - 1] * x->ncols);
        for (j = 0; j < x->ncols; j++)
            for (i = 0; i < p->width[l - 1]; i++) {
                arb_srcptr v = arb_mat_entry(pre + l, i, j);
                fz[l][i + p->width[l - 1] * j] = arb_is_positive(v) || (one && arb_contains_zero(v));
            }
    }
    dnc_ball_eval_frozen(e, x, fz, NULL, 1, PREC);
    for (l = 2; l <= L; l++) {
        arb_mat_clear(pre + l);
        flint_free(fz[l]);
    }
    flint_free(pre);
    flint_free(fz);
    dnc_beval_clear(tmp);
}

/* Forward quantities: H_l of the fast tier contain Arb's forward pass of the same point. */
static slong forward_misses(const dnc_fast_t f, const dnc_bpoint_t x)
{
    const dnc_problem_struct *p = x->p;
    arb_mat_t H, pre;
    slong l, i, miss = 0;
    arb_mat_init(H, arb_mat_nrows(x->H1), x->ncols);
    arb_mat_set(H, x->H1);
    for (l = 1; l <= p->L; l++) {
        const double *mid, *rad;
        slong n = arb_mat_nrows(H) * x->ncols;
        cr_assert_eq(dnc_fast_buf(&mid, &rad, f, DNC_H, l), 0);
        for (i = 0; i < n; i++)
            miss += !fast_contains(mid[i], rad != NULL ? rad[i] : 0.0,
                                   arb_mat_entry(H, i % arb_mat_nrows(H), i / arb_mat_nrows(H)));
        arb_mat_init(pre, dnc_problem_out_rows(p, l), x->ncols);
        arb_mat_mul(pre, x->W + l - 1, H, PREC);
        arb_mat_clear(H);
        arb_mat_init(H, arb_mat_nrows(pre), x->ncols);
        for (i = 0; i < arb_mat_nrows(pre) * x->ncols; i++) {
            arb_srcptr v = arb_mat_entry(pre, i % arb_mat_nrows(pre), i / arb_mat_nrows(pre));
            arb_ptr h = arb_mat_entry(H, i % arb_mat_nrows(pre), i / arb_mat_nrows(pre));
            if (l < p->L && p->act[l - 1] == DNC_ACT_RELU)
                dnc_ball_relu(h, v);
            else
                arb_set(h, v);
        }
        arb_mat_clear(pre);
    }
    {   /* H now holds Z = W_L H_L */
        const double *mid, *rad;
        cr_assert_eq(dnc_fast_buf(&mid, &rad, f, DNC_Z, 0), 0);
        for (i = 0; i < p->K * x->ncols; i++)
            miss += !fast_contains(mid[i], rad[i], arb_mat_entry(H, i % p->K, i / p->K));
    }
    arb_mat_clear(H);
    return miss;
}

typedef struct {
    slong kinks_arb, kinks_fast, evals, fallbacks;
} tally;

/* Evaluates both tiers at theta (the fast one in chunks of chunk columns; 0: automatic)
 * and checks every containment (the forward quantities when it ran in one chunk). Returns 1
 * if the fast tier enclosed, 0 if it reported that it cannot. */
static int check_point_chunked(const dnc_problem_t p, double *theta, tally *t, const char *what, slong chunk)
{
    dnc_bpoint_t x;
    dnc_beval_t e;
    dnc_fast_t f;
    int ok;
    slong k, q;
    dnc_bpoint_init(x, (dnc_problem_struct *) p);
    dnc_bpoint_set_theta(x, theta);
    dnc_beval_init(e);
    dnc_ball_eval(e, x, 1, PREC);
    cr_assert_eq(dnc_fast_init(f, (dnc_problem_struct *) p), 0);
    cr_assert_eq(dnc_fast_set_chunk(f, chunk), 0);
    ok = dnc_fast_eval_point(f, theta, 0);   /* forward only: Z and H_l kept as they are */
    if (ok && dnc_fast_chunk(f) == p->N)
        cr_expect_eq(forward_misses(f, x), 0, "%s: a forward quantity is not enclosed", what);
    ok = dnc_fast_eval_point(f, theta, DNC_FAST_GRAD);
    t->evals++;
    if (!ok) {
        t->fallbacks++;
        cr_expect(f->status != DNC_FAST_OK);
    } else {
        cr_expect(interval_contains(f->loss, e->loss), "%s: loss [%a, %a] misses Arb's", what, f->loss[0], f->loss[1]);
        cr_expect(interval_contains(f->fit, e->fit), "%s: fit not enclosed", what);
        cr_expect(interval_contains(f->reg, e->reg), "%s: reg not enclosed", what);
        if (e->nkinks == 0)
            cr_expect_eq(grad_misses(f, e, p), 0, "%s: gradient entries not enclosed", what);
        else {
            for (q = 0; q < 2; q++) {   /* both one-sided gradients lie in the Clarke enclosure */
                dnc_beval_t fe;
                dnc_beval_init(fe);
                frozen_eval(fe, x, (int) q);
                cr_expect_eq(grad_misses(f, fe, p), 0, "%s: ReLU'(0) = %ld gradient not enclosed", what, (long) q);
                dnc_beval_clear(fe);
            }
        }
        for (k = 0; k < e->nkinks; k++) {   /* every Arb kink is a fast kink */
            slong m, found = 0;
            for (m = 0; m < f->nkinks && !found; m++)
                found = f->kinks[m].layer == e->kinks[k].layer && f->kinks[m].row == e->kinks[k].row
                        && f->kinks[m].col == e->kinks[k].col;
            cr_expect(found, "%s: Arb kink at layer %ld not reported", what, (long) e->kinks[k].layer);
        }
        t->kinks_arb += e->nkinks;
        t->kinks_fast += f->nkinks;
    }
    dnc_fast_clear(f);
    dnc_beval_clear(e);
    dnc_bpoint_clear(x);
    return ok;
}

static int check_point(const dnc_problem_t p, double *theta, tally *t, const char *what)
{
    return check_point_chunked(p, theta, t, what, 0);
}

static double *random_theta(const dnc_problem_t p, flint_rand_t st, double scale, int zeros)
{
    slong n = dnc_param_offset(p, p->N, DNC_NKINDS, 0), i;
    double *theta = malloc(n * sizeof(double));
    for (i = 0; i < n; i++)
        theta[i] = draw(st, scale, zeros);
    return theta;
}

/* Every column of H1 of a class set to the class's first (columns are grouped by class). */
static void collapse_columns(double *theta, const dnc_problem_t p)
{
    slong d1 = p->width[0], j = 0, k, i;
    for (k = 0; k < p->K; j += p->n[k], k++)
        for (i = 1; i < p->n[k]; i++)
            memcpy(theta + d1 * (j + i), theta + d1 * j, d1 * sizeof(double));
}

/* fn(p, theta, what, arg) on the random points of every kind: seeds 1 to seeds of each
 * configuration, entries of scale 1 + seed, a quarter of them 0 when seed is a multiple of 3;
 * collapsed when seed is 2 mod 3 (every column of a class equal to its first: the expanded
 * form of a collapsed point). */
static void each_random_point(ulong seeds, void (*fn)(const dnc_problem_t, double *, const char *, void *), void *arg)
{
    size_t c;
    ulong seed;
    flint_rand_t st;
    flint_randinit(st);
    for (c = 0; c < sizeof(configs) / sizeof(configs[0]); c++) {
        const config *cf = configs + c;
        dnc_problem_t p;
        tu_problem_lambdas(p, cf->K, cf->n, cf->L, cf->width, cf->act, cf->bias, NULL, cf->lambda_h, cf->lambda_w);
        for (seed = 1; seed <= seeds; seed++) {
            double *theta = random_theta(p, st, 1.0 + (double) seed, seed % 3 == 0 ? 2 : 0);
            char what[96];
            if (seed % 3 == 2)
                collapse_columns(theta, p);
            snprintf(what, sizeof(what), "config %zu seed %lu%s", c, (unsigned long) seed,
                     seed % 3 == 2 ? " (collapsed)" : "");
            fn(p, theta, what, arg);
            free(theta);
        }
        dnc_problem_clear(p);
    }
    flint_randclear(st);
}

static void encloses_one(const dnc_problem_t p, double *theta, const char *what, void *t)
{
    cr_expect(check_point(p, theta, t, what), "%s: fell back (%s)", what, "unexpected");
}

Test(fast, encloses_arb_on_random_points_of_every_kind)
{
    tally t = { 0, 0, 0, 0 };
    each_random_point(6, encloses_one, &t);
    cr_expect_gt(t.kinks_arb, 0, "the points should include exact kinks");
    cr_expect_geq(t.kinks_fast, t.kinks_arb);
}

/* The largest ratio of a chunked enclosure's radius to the one-chunk radius, over the loss
 * and every gradient entry (a zero one-chunk radius must stay zero). 0 if either could not
 * enclose. */
static double chunk_looseness(const dnc_problem_t p, const double *theta, slong chunk)
{
    dnc_fast_t one, many;
    double worst = 0.0;
    slong i;
    cr_assert_eq(dnc_fast_init(one, (dnc_problem_struct *) p), 0);
    cr_assert_eq(dnc_fast_init(many, (dnc_problem_struct *) p), 0);
    cr_assert_eq(dnc_fast_set_chunk(one, p->N), 0);
    cr_assert_eq(dnc_fast_set_chunk(many, chunk), 0);
    cr_assert_eq(dnc_fast_chunk(many), chunk);
    if (dnc_fast_eval_point(one, theta, DNC_FAST_GRAD) && dnc_fast_eval_point(many, theta, DNC_FAST_GRAD)) {
        worst = (many->loss[1] - many->loss[0]) / (one->loss[1] - one->loss[0]);
        for (i = 0; i < one->nparams; i++)
            worst = fmax(worst, one->grad[i] > 0.0 ? many->grad[i] / one->grad[i] : many->grad[i] > 0.0 ? 1e300 : 0.0);
    }
    dnc_fast_clear(one);
    dnc_fast_clear(many);
    return worst;
}

typedef struct {
    tally t;
    double worst;
} chunk_tally;

static void chunks_one(const dnc_problem_t p, double *theta, const char *what, void *arg)
{
    chunk_tally *x = arg;
    slong chunk;
    for (chunk = 1; chunk <= 3 && chunk < p->N; chunk++) {
        char w[128];
        snprintf(w, sizeof(w), "%s chunk %ld", what, (long) chunk);
        cr_expect(check_point_chunked(p, theta, &x->t, w, chunk), "%s: fell back", w);
        x->worst = fmax(x->worst, chunk_looseness(p, theta, chunk));
    }
}

/* Chunks of 1, 2 and 3 columns (the weight gradients and bias gradient summed over chunks,
 * docs/fast-tier.md §3 "Chunks") enclose Arb on the random points of every kind, and are
 * not looser than 3 times the one-chunk enclosure (with a few columns per chunk, the sum over
 * chunks adds about one rounding per chunk to a bound of about N roundings). */
Test(fast, chunked_enclosures_contain_arb_and_stay_tight)
{
    chunk_tally x = { { 0, 0, 0, 0 }, 0.0 };
    each_random_point(3, chunks_one, &x);
    cr_expect_gt(x.t.evals, 40);
    cr_expect_gt(x.worst, 0.0);
    cr_expect_leq(x.worst, 3.0, "a chunked radius is %g times the one-chunk radius", x.worst);
}

/* A problem with a random point and a fast workspace for it. */
typedef struct {
    dnc_problem_t p;
    dnc_fast_t f;
    flint_rand_t st;
    double *theta;
} fixture;

static void fixture_init(fixture *x, const char *K, const char *n, const char *L, const char *width, double scale)
{
    flint_randinit(x->st);
    tu_problem(x->p, K, n, L, width, "relu", "none", "0.004");
    x->theta = random_theta(x->p, x->st, scale, 0);
    cr_assert_eq(dnc_fast_init(x->f, x->p), 0);
}

static void fixture_clear(fixture *x)
{
    dnc_fast_clear(x->f);
    free(x->theta);
    dnc_problem_clear(x->p);
    flint_randclear(x->st);
}

/* Gradient and loss radii are small on an ordinary point: the tier is useful, not only sound. */
Test(fast, enclosures_are_tight_on_an_ordinary_point)
{
    fixture x;
    dnc_fast_struct *f = x.f;
    fixture_init(&x, "10", "20", "4", "32", 0.5);
    cr_assert(dnc_fast_eval_point(f, x.theta, DNC_FAST_GRAD));
    cr_expect_lt((f->loss[1] - f->loss[0]) / f->loss[1], 1e-11, "loss [%g, %g]", f->loss[0], f->loss[1]);
    cr_expect_lt(dnc_fast_grad_max_radius(f) / dnc_fast_grad_max_abs(f), 1e-11, "gradient radius %g of %g",
                 dnc_fast_grad_max_radius(f), dnc_fast_grad_max_abs(f));
    fixture_clear(&x);
}

/* Huge, tiny and subnormal magnitudes, and cancellation: enclose correctly or fall back. */
Test(fast, adversarial_magnitudes_enclose_or_fall_back)
{
    static const double scales[] = { 1e150, 1e100, 1e-100, 1e-160, 1e-300, 0x1p-1060, 1e200 };
    tally t = { 0, 0, 0, 0 };
    dnc_problem_t p;
    flint_rand_t st;
    size_t s;
    flint_randinit(st);
    tu_problem(p, "3", "2,1,3", "3", "4,3,3", "relu", "free", "1/250");
    for (s = 0; s < sizeof(scales) / sizeof(scales[0]); s++) {
        double *theta = random_theta(p, st, scales[s], 1);
        char what[64];
        snprintf(what, sizeof(what), "scale %g", scales[s]);
        check_point(p, theta, &t, what);
        free(theta);
    }
    cr_expect_gt(t.fallbacks, 0, "1e150 and 1e200 overflow: they must fall back");
    cr_expect_lt(t.fallbacks, t.evals, "the small scales enclose");
    dnc_problem_clear(p);
    flint_randclear(st);
}

/* Mixed magnitudes in one point: H1 huge and W tiny (products in range), and columns of H1
 * that cancel exactly or nearly in W_1 H1. */
Test(fast, mixed_magnitudes_and_cancellation)
{
    tally t = { 0, 0, 0, 0 };
    dnc_problem_t p;
    flint_rand_t st;
    double *theta;
    slong i, nh, L = 2;
    flint_randinit(st);
    tu_problem(p, "2", "3", "2", "4,3", "relu", "none", "1/250");
    nh = dnc_param_offset(p, p->N, DNC_W, 1);
    theta = random_theta(p, st, 1.0, 0);
    for (i = 0; i < nh; i++)
        theta[i] *= 1e120;
    for (i = nh; i < dnc_param_offset(p, p->N, DNC_W, L); i++)
        theta[i] *= 1e-120;
    check_point(p, theta, &t, "H1 1e120, W1 1e-120");
    free(theta);
    theta = random_theta(p, st, 1.0, 0);
    for (i = 0; i < p->N; i++) {   /* h_j = (a, a(1 + 2^-52), b, -b) and W_1 rows (1, -1, 1, 1) */
        theta[4 * i + 1] = theta[4 * i] * (1.0 + 0x1p-52);
        theta[4 * i + 3] = -theta[4 * i + 2];
    }
    for (i = 0; i < 3; i++) {
        theta[nh + i] = 1.0;
        theta[nh + 3 + i] = -1.0;
        theta[nh + 6 + i] = 1.0;
        theta[nh + 9 + i] = 1.0;
    }
    check_point(p, theta, &t, "cancellation");
    cr_expect_eq(t.fallbacks, 0);
    free(theta);
    dnc_problem_clear(p);
    flint_randclear(st);
}

/* The bound does not depend on how OpenBLAS splits a product between threads (docs/fast-tier.md
 * §4): the same checks with two OpenBLAS threads on products large enough to be split. */
Test(fast, encloses_with_threaded_blas)
{
    tally t = { 0, 0, 0, 0 };
    dnc_problem_t p;
    flint_rand_t st;
    double *theta;
    flint_randinit(st);
    tu_problem(p, "4", "60", "3", "96", "relu", "free", "1/250");
    theta = random_theta(p, st, 1.0, 1);
    openblas_set_num_threads(2);
    cr_expect(check_point(p, theta, &t, "two BLAS threads"));
    openblas_set_num_threads(1);
    free(theta);
    dnc_problem_clear(p);
    flint_randclear(st);
}

Test(fast, non_finite_inputs_and_rounding_modes_fall_back)
{
    fixture x;
    dnc_fast_struct *f = x.f;
    fixture_init(&x, "2", "2", "2", "3", 1.0);
    cr_expect(dnc_fast_eval_point(f, x.theta, DNC_FAST_GRAD));
    x.theta[3] = NAN;
    cr_expect_not(dnc_fast_eval_point(f, x.theta, DNC_FAST_GRAD));
    cr_expect_eq(f->status, DNC_FAST_NONFINITE);
    x.theta[3] = INFINITY;
    cr_expect_not(dnc_fast_eval_point(f, x.theta, DNC_FAST_GRAD));
    x.theta[3] = 0.5;
    fesetround(FE_UPWARD);
    cr_expect_not(dnc_fast_eval_point(f, x.theta, DNC_FAST_GRAD));
    cr_expect_eq(f->status, DNC_FAST_ROUNDING);
    fesetround(FE_TONEAREST);
    cr_expect(dnc_fast_eval_point(f, x.theta, DNC_FAST_GRAD));
    fixture_clear(&x);
}

/* A rounding mode set in the SSE unit's own control register (MXCSR), which does the double
 * and the binary32 arithmetic, but not in the x87 one, which fegetround reads: found and
 * refused all the same. */
Test(fast, an_sse_rounding_mode_falls_back)
{
#if defined(__x86_64__) || defined(__i386__)
    fixture x;
    dnc_fast_struct *f = x.f;
    unsigned csr = _mm_getcsr();
    fixture_init(&x, "2", "2", "2", "3", 1.0);
    _mm_setcsr(csr | 0x4000u);   /* round up (RC = 10) */
    cr_expect_not(dnc_fast_eval_point(f, x.theta, DNC_FAST_GRAD));
    _mm_setcsr(csr);
    cr_expect_eq(f->status, DNC_FAST_ROUNDING);
    cr_expect(dnc_fast_eval_point(f, x.theta, DNC_FAST_GRAD));
    fixture_clear(&x);
#endif
}

/* The worst case of rule P with k = 1: z = (1 + 2^-52)(1 - 2^-53) = 1 + 2^-53 - 2^-105 rounds
 * to 1, an error of (1 - 2^-52) u |z|, within a factor 1 + 3u of the proven bound gamma_1 |z|.
 * The residual z - 1 is exactly that error, so the W_1 and H1 gradients consist of it. With
 * the bound scaled by 1/2 or 1/4 the enclosures must miss the exact values. */
static slong worst_case_misses(double scale)
{
    dnc_problem_t p;
    dnc_fast_t f;
    dnc_bpoint_t x;
    dnc_beval_t e;
    const double *mid, *rad;
    double theta[4];
    arb_t z;
    slong miss;
    tu_problem_lambdas(p, "2", "1", "1", "1", "relu", "none", NULL, "0x1p-200", "0x1p-200");
    theta[0] = 1.0 - 0x1p-53;   /* H1 = (h0, h1) */
    theta[1] = 0.0;
    theta[2] = 1.0 + 0x1p-52;   /* W_1 = (w0, w1)^T */
    theta[3] = 0.0;
    dnc_bpoint_init(x, p);
    dnc_bpoint_set_theta(x, theta);
    dnc_beval_init(e);
    dnc_ball_eval(e, x, 1, PREC);
    cr_assert_eq(dnc_fast_init(f, p), 0);
    dnc_fast_set_bound_scale(scale);
    cr_assert(dnc_fast_eval_point(f, theta, 0));
    cr_assert_eq(dnc_fast_buf(&mid, &rad, f, DNC_Z, 0), 0);
    arb_init(z);
    arb_set_d(z, theta[0]);
    arb_mul_arf(z, z, arb_midref(arb_mat_entry(x->W, 0, 0)), PREC);
    miss = !fast_contains(mid[0], rad[0], z);
    cr_assert(dnc_fast_eval_point(f, theta, DNC_FAST_GRAD));
    dnc_fast_set_bound_scale(1.0);
    miss += grad_misses(f, e, p);
    miss += !interval_contains(f->loss, e->loss);
    arb_clear(z);
    dnc_fast_clear(f);
    dnc_beval_clear(e);
    dnc_bpoint_clear(x);
    dnc_problem_clear(p);
    return miss;
}

Test(fast, a_bound_smaller_than_proven_fails)
{
    cr_expect_eq(worst_case_misses(1.0), 0, "the proven bound encloses the worst case");
    cr_expect_geq(worst_case_misses(0.5), 1, "gamma/2 must miss the worst case");
    cr_expect_geq(worst_case_misses(0.25), 1, "gamma/4 must miss the worst case");
    cr_expect_geq(worst_case_misses(0.99), 1, "the proof's slack here is below 1%%");
}

/* ---- rule P32: the bound products in binary32 (docs/fast-tier.md §3.1) ---- */

/* The loss width and every gradient radius of theta with the bound products in binary32
 * (on = 1) or in double only (on = 0): f->nparams + 1 doubles, or NULL if it could not enclose. */
static double *radii_with_f32(const dnc_problem_t p, const double *theta, int on)
{
    dnc_fast_t f;
    double *r = NULL;
    cr_assert_eq(dnc_fast_init(f, (dnc_problem_struct *) p), 0);
    dnc_fast_set_f32(on);
    if (dnc_fast_eval_point(f, theta, DNC_FAST_GRAD)) {
        r = malloc((f->nparams + 1) * sizeof(double));
        memcpy(r, f->grad, f->nparams * sizeof(double));
        r[f->nparams] = f->loss[1] - f->loss[0];
    }
    dnc_fast_set_f32(1);
    dnc_fast_clear(f);
    return r;
}

/* The first entry of parameter block b (0 = H1, ..., L + 1 = b) of the layout; for b = L + 2,
 * the number of entries (where compare_f32_radii keeps the loss width). */
static slong block_start(const dnc_problem_t p, slong b)
{
    return b > p->L + 1 ? dnc_param_offset(p, p->N, DNC_NKINDS, 0)
                        : dnc_param_offset(p, p->N, dnc_param_block_kind(p->L, b), b);
}

/* The radii of rule P32 against those of rule P alone, entry by entry: worst[0] <- the largest
 * r32 / r64, worst[1] <- the smallest, over the entries above 2^-120 of their block's largest
 * (below that P32's underflow terms, about 2^-200 of the largest entries of a product's
 * operands, may exceed dgemm's k eta). Returns 1 if any entry differs (the binary32 path
 * ran), 0 if every bit is the same. */
static int compare_f32_radii(double worst[2], const dnc_problem_t p, const double *theta)
{
    double *r32 = radii_with_f32(p, theta, 1), *r64 = radii_with_f32(p, theta, 0);
    slong b, i;
    int differ = 0;
    cr_assert((r32 == NULL) == (r64 == NULL), "one path enclosed, the other did not");
    for (b = 0; r64 != NULL && b <= p->L + 2; b++) {
        slong end = b <= p->L + 1 ? block_start(p, b + 1) : block_start(p, b) + 1;
        double top = 0.0;
        for (i = block_start(p, b); i < end; i++)
            top = fmax(top, r64[i]);
        for (i = block_start(p, b); i < end; i++) {
            differ |= r32[i] != r64[i];
            if (r64[i] > 0x1p-120 * top) {
                worst[0] = fmax(worst[0], r32[i] / r64[i]);
                worst[1] = fmin(worst[1], r32[i] / r64[i]);
            }
        }
    }
    free(r32);
    free(r64);
    return differ;
}

typedef struct {
    tally t;
    double worst[2];
    int differ;
} f32_tally;

static void f32_one(const dnc_problem_t p, double *theta, const char *what, void *arg)
{
    f32_tally *x = arg;
    dnc_fast_set_f32(0);
    cr_expect(check_point(p, theta, &x->t, what), "%s: fell back with the double bound products", what);
    dnc_fast_set_f32(1);
    x->differ += compare_f32_radii(x->worst, p, theta);
}

/* On the random points of every kind the binary32 bound products (on by default: the tests
 * above) and the double ones (rule P alone) both enclose Arb, and their radii agree: each
 * binary32 bound product is at most about (1 + k u32 + 2^-22) times the exact one (k <= 40
 * here), the double one at least (1 - 2k u) times it, and a radius goes through at most
 * about ten of them, so r32 / r64 lies in [1 - 2^-40, 1 + 2^-14] (1 + 1.0e-5 at most here). */
Test(fast, f32_radii_match_the_double_ones)
{
    f32_tally x = { { 0, 0, 0, 0 }, { 0.0, 1e300 }, 0 };
    each_random_point(3, f32_one, &x);
    cr_expect_gt(x.differ, 0, "the binary32 path never ran");
    cr_expect_leq(x.worst[0], 1.0 + 0x1p-14, "a binary32 radius is %.17g times the double one", x.worst[0]);
    cr_expect_geq(x.worst[1], 1.0 - 0x1p-40, "a binary32 radius is %.17g times the double one", x.worst[1]);
}

/* Magnitudes at and beyond the range of binary32 in the bound products' operands: H1 times
 * h and W_1 times min(1/h, 1e100) (so that W_1 H1, the loss and ||W_1||^2 stay in double's
 * range) with h near binary32's largest number (3.4e38) and beyond, near its smallest normal
 * and subnormal numbers, far below (1e-300, and subnormal doubles 2^-1060); entries
 * of mixed magnitudes in one point (each times 10^e, e uniform in [-30, 30]); and the whole
 * point at 2^-1060. Every point encloses Arb, and the operands' scaling keeps the products
 * in binary32 (the bits differ from the double path's) -- except on the whole point at
 * 2^-1060, where every bound product is out of rule P32's range (its operands' largest
 * entries are below 2^-960): there the bits are the double path's, exactly. */
Test(fast, f32_extreme_magnitudes_enclose_or_fall_back)
{
    static const double hs[] = { 1e38, 3.4e38, 1e39, 1e60, 1e-38, 1e-45, 1e-300, 0x1p-1060, 0.0, -1.0 };
    tally t = { 0, 0, 0, 0 };
    double worst[2] = { 0.0, 1e300 };
    dnc_problem_t p;
    flint_rand_t st;
    size_t c;
    slong i, n, w1, w2;
    flint_randinit(st);
    tu_problem(p, "3", "2,1,3", "3", "4,3,3", "relu", "free", "1/250");
    n = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    w1 = dnc_param_offset(p, p->N, DNC_W, 1);
    w2 = dnc_param_offset(p, p->N, DNC_W, 2);
    for (c = 0; c < sizeof(hs) / sizeof(hs[0]); c++) {
        double h = hs[c], *theta = random_theta(p, st, 1.0, 1);
        char what[64];
        int differ;
        for (i = 0; i < n; i++)
            theta[i] *= h == 0.0 ? pow(10.0, (double) n_randint(st, 61) - 30.0)   /* mixed */
                        : h < 0.0 ? 0x1p-1060                                      /* all subnormal */
                        : i < w1 ? h : i < w2 ? fmin(1.0 / h, 1e100) : 1.0;
        snprintf(what, sizeof(what), h == 0.0 ? "mixed magnitudes" : h < 0.0 ? "the point at 2^-1060" : "H1 times %g", h);
        cr_expect(check_point(p, theta, &t, what), "%s fell back", what);
        differ = compare_f32_radii(worst, p, theta);
        if (h < 0.0)
            cr_expect_not(differ, "%s: a bound product ran in binary32", what);
        else
            cr_expect(differ, "%s: the binary32 path never ran", what);
        free(theta);
    }
    cr_expect_eq(t.fallbacks, 0);
    dnc_problem_clear(p);
    flint_randclear(st);
}

/* The entries of Z = W_1 H1 (L = 1: K classes of n samples, width d; theta holds H1 then W_1)
 * whose radius is below gamma_d (|W_1| |H1|)_ij, the part of rule P's bound that the bound
 * product carries, computed exactly -- with rule P32's inflation scaled by s. */
static slong z_radius_misses(const char *K, const char *n, const char *d, const double *theta, double s)
{
    dnc_problem_t p;
    dnc_fast_t f;
    const double *mid, *rad;
    arb_mat_t W, H, B;
    arb_t g, x;
    slong i, j, w1, k, miss = 0;
    int ok;
    tu_problem_lambdas(p, K, n, "1", d, "relu", "none", NULL, "1/250", "1/250");
    k = p->width[0];
    w1 = dnc_param_offset(p, p->N, DNC_W, 1);
    arb_mat_init(W, p->K, k);
    arb_mat_init(H, k, p->N);
    arb_mat_init(B, p->K, p->N);
    arb_init(g);
    arb_init(x);
    for (j = 0; j < p->N; j++)
        for (i = 0; i < k; i++)
            arb_set_d(arb_mat_entry(H, i, j), fabs(theta[i + k * j]));
    for (j = 0; j < k; j++)
        for (i = 0; i < p->K; i++)
            arb_set_d(arb_mat_entry(W, i, j), fabs(theta[w1 + i + p->K * j]));
    arb_mat_mul(B, W, H, 2 * PREC);                      /* exact: sums of products of doubles */
    arb_set_si(g, k);
    arb_mul_2exp_si(g, g, -53);                           /* k u */
    arb_sub_ui(x, g, 1, PREC);
    arb_neg(x, x);
    arb_div(g, g, x, PREC);                               /* gamma_k = k u / (1 - k u) */
    cr_assert_eq(dnc_fast_init(f, p), 0);
    dnc_fast_set_f32_bound_scale(s);
    ok = dnc_fast_eval_point(f, theta, 0);
    dnc_fast_set_f32_bound_scale(1.0);
    cr_assert(ok);
    cr_assert_eq(dnc_fast_buf(&mid, &rad, f, DNC_Z, 0), 0);
    for (j = 0; j < p->N; j++)
        for (i = 0; i < p->K; i++) {
            arb_mul(x, g, arb_mat_entry(B, i, j), PREC);
            miss += arf_cmp_d(arb_midref(x), rad[i + p->K * j]) > 0;
        }
    arb_mat_clear(W);
    arb_mat_clear(H);
    arb_mat_clear(B);
    arb_clear(g);
    arb_clear(x);
    dnc_fast_clear(f);
    dnc_problem_clear(p);
    return miss;
}

/* Rule P32's inflation 1/(1 - k u32) is needed and nearly reached (docs/fast-tier.md §5).
 * W_1 all ones (16 x 256), every column of H1 (1, y, ..., y), y = 0x1.fcp-25: the fast tier
 * forms the bound product X |H1| (X = up(gamma_k |W_1|), all entries x, k = 256) in binary32,
 * here with the test hook that adds each column's terms in order (a valid sgemm; OpenBLAS's
 * kernels differ: Zen's keeps two partial sums and loses only about half of the y's, so the
 * construction would show nothing there): x + x y stays x (x y is
 * below half a unit of x), so the computed sum is x alone, (k - 1) y = 253 u32 below the
 * exact one, against the inflation k u32 = 256 u32. With the proven inflation the radius
 * exceeds gamma_k |W_1||H1| by 7 u32 (the rest is the operands' rounding up); with the
 * inflation scaled by 0, 1/2 or 0.9 it is below it by 249, 121 and 19 u32, in every entry. */
Test(fast, an_f32_inflation_smaller_than_proven_fails)
{
    slong k = 256, N = 32, i, j, all = 16 * N;
    double *theta = calloc(k * N + 16 * k, sizeof(double));
    for (j = 0; j < N; j++)
        for (i = 0; i < k; i++)
            theta[i + k * j] = i == 0 ? 1.0 : 0x1.fcp-25;
    for (i = 0; i < 16 * k; i++)
        theta[k * N + i] = 1.0;
    dnc_fast_set_f32_sequential(1);   /* the order the construction needs, whatever the sgemm kernel */
    cr_expect_eq(z_radius_misses("16", "2", "256", theta, 1.0), 0, "the proven inflation covers the undercount");
    cr_expect_eq(z_radius_misses("16", "2", "256", theta, 0.0), all, "without the inflation every entry must miss");
    cr_expect_eq(z_radius_misses("16", "2", "256", theta, 0.5), all, "half the inflation must miss");
    cr_expect_eq(z_radius_misses("16", "2", "256", theta, 0.9), all, "the proof's slack here is about 3%%");
    dnc_fast_set_f32_sequential(0);   /* OpenBLAS's sgemm: the proven inflation covers whatever its order */
    cr_expect_eq(z_radius_misses("16", "2", "256", theta, 1.0), 0, "the proven inflation covers OpenBLAS's sum");
    free(theta);
}

/* Rule P32's underflow term k eta32/2 is needed and nearly reached. W_1 = (1 1; w w) and
 * H1 = (1 h; 1 h), k = 2, w = 2^-124, h = 2^-124 (1 - 2^-9): scaled to binary32 (the largest
 * entries to [2^49, 2^50)), the two products of Z_22's bound are each just below 2^-150,
 * half the smallest subnormal, and round to 0: the computed sum is 0, the exact one
 * 2^-149 (1 - 2^-9) in the scaled units, against the underflow term 2 eta32/2 = 2^-149. */
Test(fast, an_f32_underflow_term_smaller_than_proven_fails)
{
    double w = 0x1p-124, h = 0x1p-124 * (1.0 - 0x1p-9);
    double theta[8] = { 1.0, 1.0, h, h, 1.0, w, 1.0, w };   /* H1 (2 x 2), then W_1 (2 x 2) */
    cr_expect_eq(z_radius_misses("2", "1", "2", theta, 1.0), 0, "the proven underflow term covers Z_22");
    cr_expect_eq(z_radius_misses("2", "1", "2", theta, 0.0), 1, "without it Z_22 must miss");
    cr_expect_eq(z_radius_misses("2", "1", "2", theta, 0.99), 1, "the proof's slack here is 2^-9");
}

/* Rule P32 rounds the operands up to binary32: with k = 1 and both operands just below the
 * midpoint between two floats (1 + 0x1.fcp-25 times powers of two), rounding to nearest would
 * lose nearly u32 on each, twice the product's own rounding that the inflation covers. */
Test(fast, f32_operands_round_up)
{
    double w = 0x1p53 * (1.0 + 0x1.fcp-25), h = 1.0 + 0x1.fcp-25;
    double theta[4] = { h, h, w, w };   /* H1 (1 x 2), then W_1 (2 x 1) */
    cr_expect_eq(z_radius_misses("2", "1", "1", theta, 1.0), 0, "rounded up, the operands cover the bound");
}

/* DNC_FAST_NO_H1_GRAD (what certify-point runs): with the same chunks, the same enclosures of
 * the loss, fit and regulariser and the same gradients of W and b, bit for bit, as the full
 * evaluation (itself checked against Arb above), and the same largest gradient bound and
 * radius although the H1 gradient is not kept; the default chunk is wider. */
Test(fast, without_the_h1_gradient_the_rest_is_the_same)
{
    size_t c;
    slong i, chunk;
    flint_rand_t st;
    flint_randinit(st);
    for (c = 0; c < sizeof(configs) / sizeof(configs[0]); c++) {
        const config *cf = configs + c;
        dnc_problem_t p;
        dnc_fast_t a, b;
        double *theta;
        tu_problem_lambdas(p, cf->K, cf->n, cf->L, cf->width, cf->act, cf->bias, NULL, cf->lambda_h, cf->lambda_w);
        theta = random_theta(p, st, 2.0, c % 3 == 0 ? 2 : 0);
        cr_assert_eq(dnc_fast_init(a, p), 0);
        cr_assert_eq(dnc_fast_init_flags(b, p, DNC_FAST_NO_H1_GRAD), 0);
        cr_expect_geq(dnc_fast_chunk(b), dnc_fast_chunk(a));
        cr_expect_eq(b->goff, p->width[0] * p->N);
        for (chunk = 1; chunk <= 3; chunk += 2) {
            cr_assert_eq(dnc_fast_set_chunk(a, chunk), 0);
            cr_assert_eq(dnc_fast_set_chunk(b, chunk), 0);
            cr_assert(dnc_fast_eval_point(a, theta, DNC_FAST_GRAD) && dnc_fast_eval_point(b, theta, DNC_FAST_GRAD),
                      "config %zu", c);
            cr_expect(a->loss[0] == b->loss[0] && a->loss[1] == b->loss[1] && a->fit[1] == b->fit[1]
                      && a->reg[0] == b->reg[0], "config %zu chunk %ld", c, (long) chunk);
            for (i = b->goff; i < a->nparams; i++)
                cr_expect(a->gmid[i] == b->gmid[i - b->goff] && a->grad[i] == b->grad[i - b->goff],
                          "config %zu chunk %ld entry %ld", c, (long) chunk, (long) i);
            cr_expect_eq(dnc_fast_grad_max_abs(a), dnc_fast_grad_max_abs(b), "config %zu", c);
            cr_expect_eq(dnc_fast_grad_max_radius(a), dnc_fast_grad_max_radius(b), "config %zu", c);
            cr_expect_eq(a->nkinks, b->nkinks);
        }
        dnc_fast_clear(a);
        dnc_fast_clear(b);
        free(theta);
        dnc_problem_clear(p);
    }
    flint_randclear(st);
}

/* Whether the loss, fit, regulariser and every gradient midpoint and radius of a and b (the
 * same problem, both evaluated) are the same bits. */
static int same_bits(const dnc_fast_struct *a, const dnc_fast_struct *b)
{
    slong i;
    int same = a->loss[0] == b->loss[0] && a->loss[1] == b->loss[1] && a->fit[0] == b->fit[0]
               && a->fit[1] == b->fit[1] && a->reg[0] == b->reg[0] && a->reg[1] == b->reg[1];
    for (i = 0; i < a->nparams - a->goff; i++)
        same &= a->gmid[i] == b->gmid[i] && a->grad[i] == b->grad[i];
    return same;
}

/* The binary32 form of each |W_l| (rule P32) is formed once per evaluation and kept for its
 * chunks (docs/fast-tier.md §3.1, "Once per evaluation"). A workspace that evaluated one
 * point and then another gives the second exactly the bits of a fresh workspace: nothing of
 * the first point's W_l is used (its W_l are scaled by 3, so a kept |W_l| would bound the
 * products by a third of what they are). Chunks of 1 and 3 columns and one chunk. */
static void reuse_one(const dnc_problem_t p, double *theta, const char *what, void *arg)
{
    slong i, chunk, n = dnc_param_offset(p, p->N, DNC_NKINDS, 0), w0 = dnc_param_offset(p, p->N, DNC_W, 1);
    double *t1 = malloc(n * sizeof(double));
    (void) arg;
    for (i = 0; i < n; i++)
        t1[i] = i >= w0 ? 3.0 * theta[i] : theta[i];
    for (chunk = 0; chunk <= 3; chunk += chunk == 1 ? 2 : 1) {
        dnc_fast_t used, fresh;
        cr_assert_eq(dnc_fast_init(used, (dnc_problem_struct *) p), 0);
        cr_assert_eq(dnc_fast_init(fresh, (dnc_problem_struct *) p), 0);
        cr_assert_eq(dnc_fast_set_chunk(used, chunk), 0);
        cr_assert_eq(dnc_fast_set_chunk(fresh, chunk), 0);
        cr_assert(dnc_fast_eval_point(used, t1, DNC_FAST_GRAD), "%s", what);
        cr_assert(dnc_fast_eval_point(used, theta, DNC_FAST_GRAD) && dnc_fast_eval_point(fresh, theta, DNC_FAST_GRAD),
                  "%s", what);
        cr_expect(same_bits(used, fresh), "%s chunk %ld: the reused workspace differs", what, (long) chunk);
        dnc_fast_clear(used);
        dnc_fast_clear(fresh);
    }
    free(t1);
}

Test(fast, a_reused_workspace_gives_the_bits_of_a_fresh_one)
{
    each_random_point(3, reuse_one, NULL);
}

/* The width of the gradient-norm interval of theta (dnc_fast_grad_norm) with rule N on or
 * off, after checking that the fast tier encloses Arb either way; -1 when it does not
 * enclose. differ += 1 when some weight gradient's radius differs between the two. */
static double norm_width(const dnc_problem_t p, double *theta, int on, tally *t, const char *what)
{
    dnc_fast_t f;
    double lo, hi = -1.0;
    dnc_fast_set_norm_rule(on);
    cr_expect(check_point(p, theta, t, what), "%s, rule N %s: fell back", what, on ? "on" : "off");
    if (on && p->N >= 128)   /* chunks of 64: rule N in the first chunk and in the sum over chunks */
        cr_expect(check_point_chunked(p, theta, t, what, 64), "%s, chunks of 64: fell back", what);
    cr_assert_eq(dnc_fast_init(f, (dnc_problem_struct *) p), 0);
    if (dnc_fast_eval_point(f, theta, DNC_FAST_GRAD)) {
        dnc_fast_grad_norm(&lo, &hi, f);
        hi -= lo;
    }
    dnc_fast_set_norm_rule(1);
    dnc_fast_clear(f);
    return hi;
}

/* Rule N (the weight gradients' radii from the norms of their factors, docs/fast-tier.md §3.2)
 * on products of 64 or more columns: problems of 70 to 140 columns in one chunk, dense
 * (width 12 and 20) and sparse (width 2 to 4 over five ReLU layers: many units dead on many
 * samples, which makes the factors' supports disjoint and Cauchy-Schwarz loose), seeds 1-3
 * with a quarter of the entries 0 at seed 3, and the 140 columns also in chunks of 64 (rule N
 * in the first chunk and in the chunks' sum, rule P in the last). With rule N on and off, the fast tier encloses
 * Arb at 256 bits (check_point: the loss, every H_l and Z, every gradient entry, both
 * one-sided gradients at kinks); the gradient-norm interval with rule N is at most 4 times as
 * wide as with rule P's products (the test of tightness refuses rule N where its bound's sum
 * exceeds 4 times the product's: without it one sparse point's is 2 10^11 times as wide; 1.6
 * at most with it), and rule
 * N ran on some of them (the widths differ). */
Test(fast, the_norm_rule_encloses_and_stays_tight)
{
    static const config big[] = {
        { "4", "20", "3", "12", "relu", "none", "1/250", "1/250" },
        { "2", "40,30", "5", "3,4,3,2,3", "relu,relu,relu,relu", "none", "1/20", "1/20" },
        { "10", "7,8,9,10,11,12,13,9,8,9", "4", "20", "relu,relu,linear", "free", "0.004", "1/100,1/50,1/10,1" },
        { "4", "35", "3", "12", "relu", "free", "1/250", "1/250" },
    };
    tally t = { 0, 0, 0, 0 };
    size_t c;
    ulong seed;
    int differ = 0;
    double worst = 0.0;
    flint_rand_t st;
    flint_randinit(st);
    for (c = 0; c < sizeof(big) / sizeof(big[0]); c++) {
        dnc_problem_t p;
        tu_problem_lambdas(p, big[c].K, big[c].n, big[c].L, big[c].width, big[c].act, big[c].bias, NULL,
                           big[c].lambda_h, big[c].lambda_w);
        cr_assert_geq(p->N, 64);
        for (seed = 1; seed <= 3; seed++) {
            double *theta = random_theta(p, st, 1.0 + (double) seed, seed % 3 == 0 ? 2 : 0), wn, wp;
            char what[64];
            snprintf(what, sizeof(what), "problem %zu seed %lu", c, (unsigned long) seed);
            wn = norm_width(p, theta, 1, &t, what);
            wp = norm_width(p, theta, 0, &t, what);
            cr_expect(wn >= 0.0 && wp > 0.0, "%s: no gradient norm", what);
            differ += wn != wp;
            worst = fmax(worst, wn / wp);
            free(theta);
        }
        dnc_problem_clear(p);
    }
    flint_randclear(st);
    cr_expect_gt(differ, 0, "rule N never ran");
    cr_expect_leq(worst, 4.0, "a gradient norm's interval is %g times as wide with rule N", worst);
}

/* Entry (i, p) of an m x k factor stored as op's argument: column-major m x k, or k x m when
 * transposed. */
static slong at(slong i, slong p, slong m, slong k, int t)
{
    return t ? p + k * i : i + m * p;
}

/* Rule N's bound (dnc_fast_test_norm_bound) against the exact sums it bounds, computed by Arb:
 * E_ij = sum_p (gamma_k |Am_ip| + Ar_ip) |Bm_pj| + (|Am_ip| + Ar_ip) Br_pj, gamma_k = k u / (1 - k u)
 * exactly (the bound uses it rounded up). The factors are built so that Cauchy-Schwarz is an
 * equality: every row of A and column of B is a multiple of one positive vector v (53-bit
 * random entries), Am and Ar of row i are alpha_i v and a_i v, Bm and Br of column j are
 * +-b_j v and c_j v. Then the bound may exceed E only by its roundings: E <= P <= E (1 + 2^-40)
 * for every entry, in each of the four layouts (A and B transposed or not). Dropping the
 * second term (c_i d_j) fails it, and reading a factor with the wrong stride crashes or fails
 * it (both checked by changing the code); a square root or a sum of squares rounded to
 * nearest instead of up does not: the entries' own upward steps leave about 2u of slack. */
Test(fast, the_norm_bound_is_tight_on_parallel_factors)
{
    const slong m = 3, k = 70, n = 4;
    double v[70], Am[3 * 70], Ar[3 * 70], Bm[70 * 4], Br[70 * 4], P[3 * 4], al[3], a[3], b[4], c[4];
    flint_rand_t st;
    arb_t E, g, t, s;
    slong i, j, p;
    int ta, tb;
    flint_randinit(st);
    arb_init(E), arb_init(g), arb_init(t), arb_init(s);
    arb_set_si(g, k);                                   /* gamma_k = k u / (1 - k u), u = 2^-53 */
    arb_mul_2exp_si(g, g, -53);
    arb_sub_ui(t, g, 1, PREC);
    arb_neg(t, t);
    arb_div(g, g, t, PREC);
    for (p = 0; p < k; p++)
        v[p] = 1.0 + draw(st, 1.0, 0) * draw(st, 1.0, 0);
    for (i = 0; i < m; i++)
        al[i] = 1.0 + fabs(draw(st, 1.0, 0)), a[i] = 0x1p-40 * (1.0 + fabs(draw(st, 1.0, 0)));
    for (j = 0; j < n; j++)
        b[j] = 1.0 + fabs(draw(st, 1.0, 0)), c[j] = 0x1p-44 * (1.0 + fabs(draw(st, 1.0, 0)));
    for (ta = 0; ta <= 1; ta++)
        for (tb = 0; tb <= 1; tb++) {
            for (i = 0; i < m; i++)
                for (p = 0; p < k; p++) {   /* rounded products: parallel to within u; E reads them */
                    Am[at(i, p, m, k, ta)] = (i % 2 ? -al[i] : al[i]) * v[p];
                    Ar[at(i, p, m, k, ta)] = a[i] * v[p];
                }
            for (j = 0; j < n; j++)
                for (p = 0; p < k; p++) {
                    Bm[at(j, p, n, k, !tb)] = (j % 2 ? -b[j] : b[j]) * v[p];   /* B is k x n: (p, j) */
                    Br[at(j, p, n, k, !tb)] = c[j] * v[p];
                }
            cr_assert(dnc_fast_test_norm_bound(P, Am, Ar, Bm, Br, m, k, n, ta, tb));
            for (i = 0; i < m; i++)
                for (j = 0; j < n; j++) {
                    arb_zero(E);
                    for (p = 0; p < k; p++) {
                        double am = fabs(Am[at(i, p, m, k, ta)]), ar = Ar[at(i, p, m, k, ta)];
                        double bm = fabs(Bm[at(j, p, n, k, !tb)]), br = Br[at(j, p, n, k, !tb)];
                        arb_set_d(t, am);            /* (g |am| + ar) |bm| + (|am| + ar) br */
                        arb_mul(t, t, g, PREC);
                        arb_set_d(s, ar);
                        arb_add(t, t, s, PREC);
                        arb_set_d(s, bm);
                        arb_mul(t, t, s, PREC);
                        arb_add(E, E, t, PREC);
                        arb_set_d(t, am);
                        arb_set_d(s, ar);
                        arb_add(t, t, s, PREC);
                        arb_set_d(s, br);
                        arb_mul(t, t, s, PREC);
                        arb_add(E, E, t, PREC);
                    }
                    arb_set_d(t, P[i + m * j]);
                    cr_expect(arb_ge(t, E), "ta %d tb %d entry (%ld, %ld): bound %.17g below the exact sum", ta, tb,
                              (long) i, (long) j, P[i + m * j]);
                    arb_mul_2exp_si(s, E, -40);
                    arb_add(s, s, E, PREC);
                    cr_expect(arb_le(t, s), "ta %d tb %d entry (%ld, %ld): bound %.17g more than 2^-40 above", ta, tb,
                              (long) i, (long) j, P[i + m * j]);
                }
        }
    arb_clear(E), arb_clear(g), arb_clear(t), arb_clear(s);
    flint_randclear(st);
}
