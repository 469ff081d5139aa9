/* Deep linear UFM, plain UFM and Tirer-Bruna closed forms (docs/math/deep-linear.md):
 * spec reference values, the M = 1 formula, an independent computation of every
 * imbalanced case, exact per-direction decisions, the explicit points, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "dncert/closed.h"
#include "closed/dnc_priv.h"
#include "testutil.h"

#define PREC 256

static void dl_ok(dnc_closed_t c, dnc_problem_t p)
{
    char err[512] = "";
    cr_assert_eq(dnc_closed_deep_linear(c, p, PREC, err, sizeof(err)), 0, "%s", err);
}

/* ---- an independent computation of the optimum, not using Q_t, S or the point ----
 *
 * Per direction of weight t the problem is min over sigma >= 0 of
 *   (1/(2N))(sigma - sqrt t)^2 + ((M+1)/2) kappa sigma^{2/(M+1)},  kappa = (lambda_H Lambda)^{1/(M+1)}
 * (the product of M+1 factors with singular value sigma costs at least that, by AM-GM).
 * With sigma = c sqrt t: phi(c) = (t/(2N))(1-c)^2 + ((M+1)/2) kappa t^{1/(M+1)} c^{2/(M+1)}.
 * As for DNC, the non-zero local minimum beats c = 0 iff phi'((M-1)/M) < 0, and then lies
 * in [(M-1)/M, 1]: bisection on the sign of phi'. The weights t are found by bisection on
 * the secular function sum_k n_k/(n_k - mu), increasing between consecutive counts. */

static void pow_frac(arb_t y, const arb_t x, ulong num, ulong den, slong prec)
{
    arb_pow_ui(y, x, num, prec);
    arb_root_ui(y, y, den, prec);
}

/* phi'(c) * N / t = -(1 - c) + (N/t) kappa t^{1/(M+1)} c^{-(M-1)/(M+1)};  g = (N/t) kappa t^{1/(M+1)}. */
static void phi_prime(arb_t d, const arb_t c, const arb_t g, slong M, slong prec)
{
    arb_t u;
    arb_init(u);
    pow_frac(u, c, (ulong) (M - 1), (ulong) (M + 1), prec);
    arb_div(d, g, u, prec);
    arb_add(d, d, c, prec);
    arb_sub_si(d, d, 1, prec);
    arb_clear(u);
}

/* min over c of phi(c), or t/(2N) when c = 0 wins. */
static void direction_min(arb_t out, const arb_t t, slong M, slong N, const arb_t kappa, slong prec)
{
    arb_t g, lo, hi, mid, d, u;
    slong it;
    arb_init(g); arb_init(lo); arb_init(hi); arb_init(mid); arb_init(d); arb_init(u);
    pow_frac(g, t, 1, (ulong) (M + 1), prec);
    arb_mul(g, g, kappa, prec);
    arb_mul_si(g, g, N, prec);
    arb_div(g, g, t, prec);
    arb_set_si(lo, M - 1);
    arb_div_si(lo, lo, M, prec);
    arb_set_arf(lo, arb_midref(lo));
    arb_one(hi);
    arb_div_si(out, t, 2 * N, prec);
    phi_prime(d, lo, g, M, prec);
    if (arb_is_negative(d)) {
        for (it = 0; it < 230; it++) {
            arb_add(mid, lo, hi, prec);
            arb_mul_2exp_si(mid, mid, -1);
            phi_prime(d, mid, g, M, prec);
            if (arb_is_negative(d))
                arb_set(lo, mid);
            else if (arb_is_positive(d))
                arb_set(hi, mid);
            else
                break;
        }
        arb_union(mid, lo, hi, prec);           /* c* */
        pow_frac(u, mid, 2, (ulong) (M + 1), prec);
        arb_mul(u, u, g, prec);
        arb_mul_si(u, u, M + 1, prec);          /* (M+1) g c^{2/(M+1)} */
        arb_sub_si(d, mid, 1, prec);
        arb_sqr(d, d, prec);
        arb_add(d, d, u, prec);                 /* phi(c) * 2N / t */
        arb_mul(out, out, d, prec);
    }
    arb_clear(g); arb_clear(lo); arb_clear(hi); arb_clear(mid); arb_clear(d); arb_clear(u);
}

/* The secular root strictly between counts a < b. */
static void secular_root(arb_t mu, const dnc_problem_t p, slong a, slong b, slong prec)
{
    arb_t lo, hi, mid, s, u;
    slong it, k;
    arb_init(lo); arb_init(hi); arb_init(mid); arb_init(s); arb_init(u);
    arb_set_si(lo, a);
    arb_set_si(hi, b);
    for (it = 0; it < 230; it++) {
        arb_add(mid, lo, hi, prec);
        arb_mul_2exp_si(mid, mid, -1);
        arb_zero(s);
        for (k = 0; k < p->K; k++) {
            arb_sub_si(u, mid, p->n[k], prec);
            arb_neg(u, u);
            arb_inv(u, u, prec);
            arb_mul_si(u, u, p->n[k], prec);
            arb_add(s, s, u, prec);
        }
        if (arb_is_negative(s))
            arb_set(lo, mid);
        else if (arb_is_positive(s))
            arb_set(hi, mid);
        else
            break;
    }
    arb_union(mu, lo, hi, prec);
    arb_clear(lo); arb_clear(hi); arb_clear(mid); arb_clear(s); arb_clear(u);
}

static int cmp_slong(const void *x, const void *y)
{
    slong a = *(const slong *) x, b = *(const slong *) y;
    return (a > b) - (a < b);
}

static void independent_value(arb_t total, const dnc_problem_t p, slong prec)
{
    slong K = p->K, M = p->L, k, *s = malloc(K * sizeof(slong));
    arb_t kappa, t, f;
    fmpq_t q;
    arb_init(kappa); arb_init(t); arb_init(f);
    fmpq_init(q);
    fmpq_set(q, p->lambda_h);
    for (k = 0; k < M; k++)
        fmpq_mul(q, q, p->lambda_w + k);
    arb_set_fmpq(kappa, q, prec);
    arb_root_ui(kappa, kappa, (ulong) (M + 1), prec);
    memcpy(s, p->n, K * sizeof(slong));
    qsort(s, (size_t) K, sizeof(slong), cmp_slong);
    arb_zero(total);
    for (k = 0; k < K; k++) {
        /* bias-free: t = n_k. Free bias: a count repeated m times gives t = count m-1 times;
         * each gap between consecutive distinct counts holds one secular root. */
        if (p->bias == DNC_BIAS_NONE || (k > 0 && s[k] == s[k - 1]))
            arb_set_si(t, s[k]);
        else if (k > 0)
            secular_root(t, p, s[k - 1], s[k], prec);
        else
            continue;
        direction_min(f, t, M, p->N, kappa, prec);
        arb_add(total, total, f, prec);
    }
    arb_clear(kappa); arb_clear(t); arb_clear(f);
    fmpq_clear(q);
    free(s);
}

/* Closed form = independent value, the explicit point attains it, and it is stationary. */
static void check_case(const char *K, const char *n, const char *L, const char *w, const char *bias,
                       const char *lam)
{
    dnc_problem_t p;
    dnc_closed_t c;
    arb_t ind;
    tu_problem_lambdas(p, K, n, L, w, "linear", bias, lam, NULL, NULL);
    dl_ok(c, p);
    arb_init(ind);
    independent_value(ind, p, 320);
    cr_expect(tu_rad_below(ind, -150), "independent enclosure too wide");
    cr_expect(arb_overlaps(ind, c->loss), "K=%s n=%s M=%s bias=%s lambda=%s: closed form differs from the "
              "independent minimum", K, n, L, bias, lam);
    cr_expect(dnc_closed_crosscheck(c, PREC), "K=%s n=%s M=%s bias=%s lambda=%s: crosscheck", K, n, L, bias, lam);
    cr_expect(dnc_closed_check_stationary(c, PREC, NULL), "K=%s n=%s M=%s bias=%s lambda=%s: stationarity",
              K, n, L, bias, lam);
    arb_clear(ind);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* ---- spec reference values (closed-forms.md section 3) ---- */

Test(deep_linear, spec_reference_bias_free_M3)
{
    dnc_problem_t p;
    dnc_closed_t c;
    arb_t ref;
    tu_problem_lambdas(p, "4", "100", "3", "4", "linear", "none", "0.0005", NULL, NULL);
    dl_ok(c, p);
    arb_init(ref);
    arb_set_str(ref, "[0.012629046991767579376738 +/- 1e-24]", PREC);
    cr_assert(arb_overlaps(c->loss, ref));
    cr_assert(tu_rad_below(c->loss, -200));
    cr_assert(dnc_closed_crosscheck(c, PREC));
    arb_clear(ref);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* K=4, n=3, lambda=0.02, M=1, bias: 3 directions of 0.0322410... each. */
Test(deep_linear, spec_reference_ufm_with_bias)
{
    dnc_problem_t p;
    dnc_closed_t c;
    arb_t ref, third;
    char err[256];
    tu_problem_lambdas(p, "4", "3", "1", "3", NULL, "free", "0.02", NULL, NULL);
    cr_assert_eq(dnc_closed_ufm(c, p, PREC, err, sizeof(err)), 0, "%s", err);
    cr_assert_str_eq(c->structure, "ufm");
    arb_init(ref);
    arb_init(third);
    arb_set_str(ref, "[0.0967230484541326 +/- 1e-16]", PREC);
    cr_assert(arb_overlaps(c->loss, ref));
    arb_div_si(third, c->loss, 3, PREC);
    arb_set_str(ref, "[0.0322410 +/- 1e-7]", PREC);
    cr_assert(arb_overlaps(third, ref));
    cr_assert(dnc_closed_crosscheck(c, PREC));
    arb_clear(ref);
    arb_clear(third);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* M = 1, bias-free: nu* = max(sqrt(t lambda_H lambda_W) - N lambda_H lambda_W, 0) with t = n_k,
 * loss = sum_k (t/(2N)) C/(nu + C) + nu/2, C = N lambda_H lambda_W. With n = (40,10,2),
 * lambda_H = 1/100, lambda_W = 1/50: C = 52/5000, and sqrt(t/5000) > C iff t > 0.54 ... all
 * alive; lambda_W = 1/2 gives C = 0.26 and sqrt(t/200) > C iff t > 13.5: class 1 alive only. */
Test(deep_linear, M1_formula)
{
    static const char *lw[] = { "1/50", "1/2" };
    static const int alive[] = { 3, 1 };
    int i;
    for (i = 0; i < 2; i++) {
        dnc_problem_t p;
        dnc_closed_t c;
        arb_t C, nu, f, tot, u;
        fmpq_t q;
        slong k, nal = 0;
        tu_problem_lambdas(p, "3", "40,10,2", "1", "3", NULL, "none", NULL, "1/100", lw[i]);
        dl_ok(c, p);
        arb_init(C); arb_init(nu); arb_init(f); arb_init(tot); arb_init(u);
        fmpq_init(q);
        fmpq_mul(q, p->lambda_h, p->lambda_w);
        arb_set_fmpq(u, q, PREC);            /* lambda_H lambda_W */
        arb_mul_si(C, u, p->N, PREC);
        for (k = 0; k < 3; k++) {
            arb_mul_si(nu, u, p->n[k], PREC);
            arb_sqrt(nu, nu, PREC);
            arb_sub(nu, nu, C, PREC);
            if (arb_is_positive(nu)) {
                nal++;
                arb_add(f, nu, C, PREC);
                arb_div(f, C, f, PREC);
                arb_mul_si(f, f, p->n[k], PREC);
                arb_div_si(f, f, 2 * p->N, PREC);
                arb_mul_2exp_si(nu, nu, -1);
                arb_add(f, f, nu, PREC);
            } else {
                cr_assert(arb_is_negative(nu));
                arb_set_si(f, p->n[k]);
                arb_div_si(f, f, 2 * p->N, PREC);
            }
            arb_add(tot, tot, f, PREC);
        }
        cr_expect_eq(nal, alive[i]);
        cr_expect(arb_overlaps(tot, c->loss), "lambda_W = %s", lw[i]);
        cr_expect(dnc_closed_crosscheck(c, PREC));
        arb_clear(C); arb_clear(nu); arb_clear(f); arb_clear(tot); arb_clear(u);
        fmpq_clear(q);
        dnc_closed_clear(c);
        dnc_problem_clear(p);
    }
}

/* The required imbalanced family, with and without bias, M in {1, 3, 6, 9}, at a small
 * lambda (all alive) and a larger one (some directions dead). */
Test(deep_linear, imbalanced_200_100_50_50, .timeout = 60)
{
    static const char *Ms[] = { "1", "3", "6", "9" }, *lams[] = { "0.0005", "0.02" };
    int i, j;
    for (i = 0; i < 4; i++)
        for (j = 0; j < 2; j++) {
            check_case("4", "200,100,50,50", Ms[i], "4", "none", lams[j]);
            check_case("4", "200,100,50,50", Ms[i], "4", "free", lams[j]);
        }
}

/* A bias can only help: the bias optimum is <= the bias-free one (certified strictly here). */
Test(deep_linear, bias_never_hurts)
{
    static const char *Ms[] = { "1", "3", "9" };
    int i;
    for (i = 0; i < 3; i++) {
        dnc_problem_t p, q;
        dnc_closed_t a, b;
        tu_problem_lambdas(p, "4", "200,100,50,50", Ms[i], "4", "linear", "none", "0.0005", NULL, NULL);
        tu_problem_lambdas(q, "4", "200,100,50,50", Ms[i], "4", "linear", "free", "0.0005", NULL, NULL);
        dl_ok(a, p);
        dl_ok(b, q);
        cr_expect(arb_lt(b->loss, a->loss), "M=%s", Ms[i]);
        dnc_closed_clear(a);
        dnc_closed_clear(b);
        dnc_problem_clear(p);
        dnc_problem_clear(q);
    }
}

/* Repeated counts with a bias: n = (3,3,3,5,5,8) gives t = 3 twice, t = 5 once (Helmert
 * vectors inside the groups) and the secular roots in (3,5) and (5,8): K - 1 = 5 in all. */
Test(deep_linear, repeated_counts_with_bias)
{
    check_case("6", "3,3,3,5,5,8", "1", "5", "free", "0.002");
    check_case("6", "3,3,3,5,5,8", "2", "5", "free", "0.002");
    check_case("6", "3,3,3,5,5,8", "4", "6", "free", "0.001");
    check_case("6", "3,3,3,5,5,8", "4", "6", "none", "0.001");
}

/* K = 2 with a bias and counts a != b: the one direction is v = (sqrt b, -sqrt a)/sqrt N,
 * t = v^T D v = 2ab/(a+b) (hand derivation). */
Test(deep_linear, K2_bias_direction_weight)
{
    dnc_problem_t p;
    dnc_closed_t c;
    fmpq_t t;
    tu_problem_lambdas(p, "2", "7,3", "2", "2", "linear", "free", "0.001", NULL, NULL);
    dl_ok(c, p);
    cr_assert(dnc_closed_get_scalar(c, "t_1") != NULL && dnc_closed_get_scalar(c, "t_2") == NULL,
              "exactly one direction");
    fmpq_init(t);
    fmpq_set_si(t, 42, 10);
    cr_assert(dnc_closed_get_scalar(c, "t_1")->algebraic);
    cr_assert_eq(dnc_alg_cmp_fmpq(dnc_closed_get_scalar(c, "t_1")->alg, t), 0,
                 "t must be exactly 2ab/(a+b) = 21/5");
    cr_assert(dnc_closed_crosscheck(c, PREC));
    fmpq_clear(t);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* ---- exact decisions. Bias-free balanced with lambda_W = 1: T = 0 exactly at
 * lambda_H = (M-1)^{M-1} n^M / (M^{2M} N^{M+1}); a relative change of 10^-12 moves to
 * either side. At the tie the loss is 1/2 both ways; with width >= K the tie directions
 * are realised at nu^M = (M-1)C and the crosscheck confirms f = 1/2 there. */
static dnc_alive_t linear_decide_at(slong K, slong n, slong M, int side, const char *width, int *cross)
{
    fmpz_t a, b;
    fmpq_t q;
    char lh[256], ks[16], ns[16], ms[16], *s;
    dnc_problem_t p;
    dnc_closed_t c;
    dnc_alive_t d;
    arb_t half;
    fmpz_init_set_si(a, M - 1);
    fmpz_pow_ui(a, a, (ulong) (M - 1));
    fmpz_init_set_si(b, n);
    fmpz_pow_ui(b, b, (ulong) M);
    fmpz_mul(a, a, b);
    fmpz_set_si(b, M);
    fmpz_pow_ui(b, b, (ulong) (2 * M));
    fmpq_init(q);
    fmpq_set_fmpz_frac(q, a, b);
    fmpz_set_si(b, K * n);
    fmpz_pow_ui(b, b, (ulong) (M + 1));
    fmpq_div_fmpz(q, q, b);
    fmpz_set_si(a, 1000000000000 + side);
    fmpz_set_si(b, 1000000000000);
    fmpq_mul_fmpz(q, q, a);
    fmpq_div_fmpz(q, q, b);
    s = dnc_rational_get_str(q);
    snprintf(lh, sizeof(lh), "%s", s);
    flint_free(s);
    snprintf(ks, sizeof(ks), "%ld", (long) K);
    snprintf(ns, sizeof(ns), "%ld", (long) n);
    snprintf(ms, sizeof(ms), "%ld", (long) M);
    tu_problem_lambdas(p, ks, ns, ms, width, "linear", "none", NULL, lh, "1");
    dl_ok(c, p);
    d = c->alive;
    *cross = dnc_closed_crosscheck(c, PREC);
    if (d == DNC_TIE) {
        arb_init(half);
        arb_set_d(half, 0.5);
        cr_expect(arb_overlaps(c->loss, half));
        arb_clear(half);
    }
    dnc_closed_clear(c);
    dnc_problem_clear(p);
    fmpz_clear(a); fmpz_clear(b); fmpq_clear(q);
    return d;
}

Test(deep_linear, exact_threshold_both_sides)
{
    slong M;
    int cross;
    for (M = 1; M <= 6; M++) {
        dnc_alive_t at = M >= 2 ? DNC_TIE : DNC_DEAD;   /* M = 1: both candidates are nu = 0 */
        cr_expect_eq(linear_decide_at(3, 2, M, 0, "3", &cross), at, "M=%ld at the threshold", (long) M);
        cr_expect(cross, "M=%ld tie realised", (long) M);
        cr_expect_eq(linear_decide_at(3, 2, M, 0, "2", &cross), at, "M=%ld, narrow", (long) M);
        cr_expect(cross, "M=%ld tie as zero", (long) M);
        cr_expect_eq(linear_decide_at(3, 2, M, -1, "3", &cross), DNC_ALIVE, "M=%ld below", (long) M);
        cr_expect(cross);
        cr_expect_eq(linear_decide_at(3, 2, M, 1, "3", &cross), DNC_DEAD, "M=%ld above", (long) M);
        cr_expect(cross);
    }
}

/* n = (200,100,50,50), M = 3, lambda = 0.02, bias-free: T > 0 iff 4 t^3 > 3^6 400^4 lambda^4,
 * i.e. t^3 > 746496, t > 90.7...: the classes with 200 and 100 are alive, the two with 50 dead. The point
 * then needs width >= 2. */
Test(deep_linear, mixed_directions_and_width)
{
    dnc_problem_t p;
    dnc_closed_t c;
    char err[512] = "";
    tu_problem_lambdas(p, "4", "200,100,50,50", "3", "2", "linear", "none", "0.02", NULL, NULL);
    dl_ok(c, p);
    cr_assert_eq(c->alive, DNC_ALIVE);
    cr_assert(strstr(c->alive_rule, "2 alive, 0 tie, 2 dead") != NULL, "%s", c->alive_rule);
    cr_assert(dnc_closed_crosscheck(c, PREC));
    dnc_closed_clear(c);
    dnc_problem_clear(p);
    tu_problem_lambdas(p, "4", "200,100,50,50", "3", "2,1,2", "linear", "none", "0.02", NULL, NULL);
    cr_assert_neq(dnc_closed_deep_linear(c, p, PREC, err, sizeof(err)), 0);
    cr_assert(strstr(err, "--width: the deep linear point needs every width >= 2") != NULL, "%s", err);
    cr_assert(strstr(err, "d_2 = 1") != NULL, "%s", err);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* All dead with a bias: the loss is the fit of Z = 0 with the best bias b = n/N,
 * sum_k n_k ||e_k - n/N||^2 / (2N) = (N - sum n_k^2/N)/(2N) = (1 - sum n_k^2/N^2)/2.
 * n = (2,3,5): (1 - 38/100)/2 = 31/100. */
Test(deep_linear, all_dead_with_bias)
{
    dnc_problem_t p;
    dnc_closed_t c;
    fmpq_t q;
    tu_problem_lambdas(p, "3", "2,3,5", "2", "1", "linear", "free", "1", NULL, NULL);
    dl_ok(c, p);
    fmpq_init(q);
    fmpq_set_si(q, 31, 100);
    cr_assert_eq(c->alive, DNC_DEAD);
    cr_assert(arb_contains_fmpq(c->loss, q));
    cr_assert(dnc_closed_crosscheck(c, PREC));
    cr_assert(dnc_closed_check_stationary(c, PREC, NULL));
    fmpq_clear(q);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* ---- Tirer & Bruna: the ReLU model attains the two-layer linear bias-free value with
 * pre-activations >= 0 and exactly orthogonal post-ReLU class means (equal lengths when
 * balanced: one scalar per group, so the diagonal balls are identical computations). */
static void tirer_bruna_case(const char *K, const char *n, const char *w)
{
    dnc_problem_t p, q;
    dnc_closed_t c, d;
    arb_mat_t H2;
    char err[512];
    slong i, j;
    tu_problem_lambdas(p, K, n, "2", w, "relu", "none", "0.004", NULL, NULL);
    tu_problem_lambdas(q, K, n, "2", w, "linear", "none", "0.004", NULL, NULL);
    cr_assert_eq(dnc_closed_tirer_bruna(c, p, PREC, err, sizeof(err)), 0, "%s", err);
    dl_ok(d, q);
    cr_expect(arb_overlaps(c->loss, d->loss));
    cr_expect(dnc_closed_crosscheck(c, PREC));
    cr_expect(dnc_closed_check_stationary(c, PREC, NULL));
    cr_expect(dnc_closed_gram_is_diagonal(c, 2, PREC), "post-ReLU class means not orthogonal");
    arb_mat_init(H2, p->width[1], p->K);
    arb_mat_mul(H2, c->point->W, c->point->H1, PREC);
    for (i = 0; i < arb_mat_nrows(H2); i++)
        for (j = 0; j < p->K; j++)
            cr_expect(arb_is_nonnegative(arb_mat_entry(H2, i, j)), "pre-activation (%ld,%ld) < 0", (long) i, (long) j);
    if (dnc_problem_is_balanced(p))
        for (j = 1; j < p->K; j++)
            cr_expect(arb_equal(arb_mat_entry(H2, j, j), arb_mat_entry(H2, 0, 0)));
    else {
        /* docs/math/deep-linear.md section 7: with imbalanced counts the post-ReLU class
         * means are orthogonal with class-dependent lengths (here every class is alive). */
        arb_ptr len = _arb_vec_init(p->K);
        slong k;
        for (j = 0; j < p->K; j++)
            for (i = 0; i < arb_mat_nrows(H2); i++)
                arb_addmul(len + j, arb_mat_entry(H2, i, j), arb_mat_entry(H2, i, j), PREC);
        for (j = 0; j < p->K; j++)
            for (k = j + 1; k < p->K; k++)
                if (p->n[j] != p->n[k])
                    cr_expect(!arb_overlaps(len + j, len + k), "classes %ld and %ld (counts %ld, %ld) have the same length",
                              (long) j, (long) k, (long) p->n[j], (long) p->n[k]);
        _arb_vec_clear(len, p->K);
    }
    arb_mat_clear(H2);
    dnc_closed_clear(c);
    dnc_closed_clear(d);
    dnc_problem_clear(p);
    dnc_problem_clear(q);
}

Test(tirer_bruna, value_and_orthogonal_frame)
{
    tirer_bruna_case("4", "5", "4,6");
    tirer_bruna_case("10", "3", "12");
    tirer_bruna_case("3", "10,4,1", "3");
}

/* Grid for Tirer-Bruna: crosscheck and stationarity always; the exact orthogonal frame of the
 * post-ReLU class means whenever every class is alive (a dead class has a zero mean). */
Test(tirer_bruna, crosscheck_grid)
{
    static const char *cases[][3] = {   /* K, counts, widths */
        { "2", "5", "2" }, { "2", "9,2", "3,2" }, { "3", "10,4,1", "3" }, { "5", "4", "5,7" }, { "5", "8,1,3,3,20", "6" },
    };
    static const char *lams[] = { "0.0005", "0.01", "0.05" };
    size_t a, e;
    char err[512];
    for (a = 0; a < sizeof(cases) / sizeof(cases[0]); a++)
        for (e = 0; e < 3; e++) {
            dnc_problem_t p;
            dnc_closed_t c;
            char all[64];
            tu_problem_lambdas(p, cases[a][0], cases[a][1], "2", cases[a][2], "relu", "none", lams[e], NULL, NULL);
            cr_assert_eq(dnc_closed_tirer_bruna(c, p, PREC, err, sizeof(err)), 0, "%s", err);
            cr_expect(dnc_closed_crosscheck(c, PREC), "K=%s n=%s lambda=%s", cases[a][0], cases[a][1], lams[e]);
            cr_expect(dnc_closed_check_stationary(c, PREC, NULL), "K=%s n=%s lambda=%s", cases[a][0], cases[a][1], lams[e]);
            snprintf(all, sizeof(all), "%ld alive, 0 tie, 0 dead", (long) p->K);
            if (strstr(c->alive_rule, all) != NULL)
                cr_expect(dnc_closed_gram_is_diagonal(c, 2, PREC), "K=%s n=%s lambda=%s", cases[a][0], cases[a][1], lams[e]);
            dnc_closed_clear(c);
            dnc_problem_clear(p);
        }
}

/* Grid for the plain UFM entry point (L = 1), with and without bias. */
Test(ufm, crosscheck_grid)
{
    static const char *cases[][2] = { { "2", "3" }, { "3", "7,7,2" }, { "4", "1,2,3,4" }, { "6", "10" } };
    static const char *lams[] = { "0.001", "0.03", "0.3" }, *bias[] = { "none", "free" };
    size_t a, e, b;
    char err[512];
    for (a = 0; a < 4; a++)
        for (e = 0; e < 3; e++)
            for (b = 0; b < 2; b++) {
                dnc_problem_t p;
                dnc_closed_t c;
                arb_t ind;
                tu_problem_lambdas(p, cases[a][0], cases[a][1], "1", cases[a][0], NULL, bias[b], lams[e], NULL, NULL);
                cr_assert_eq(dnc_closed_ufm(c, p, PREC, err, sizeof(err)), 0, "%s", err);
                arb_init(ind);
                independent_value(ind, p, 320);
                cr_expect(arb_overlaps(ind, c->loss), "K=%s n=%s lambda=%s bias=%s", cases[a][0], cases[a][1], lams[e], bias[b]);
                cr_expect(dnc_closed_crosscheck(c, PREC), "K=%s n=%s lambda=%s bias=%s", cases[a][0], cases[a][1], lams[e], bias[b]);
                cr_expect(dnc_closed_check_stationary(c, PREC, NULL));
                arb_clear(ind);
                dnc_closed_clear(c);
                dnc_problem_clear(p);
            }
}

/* ---- the interval-Newton enclosure used by these constructions must agree with the exact
 * bisection of dnc_alg_enclose, including exact dyadic roots, a root at 0, a root whose
 * isolating interval is wide, and a high-degree polynomial with huge coefficients. */
static void enclosure_case(const char *poly, slong lo_n, ulong lo_d, slong hi_n, ulong hi_d, slong prec)
{
    dnc_alg_t a;
    fmpz_poly_t f;
    fmpq_t lo, hi;
    arb_t x, y;
    dnc_alg_init(a);
    fmpz_poly_init(f);
    fmpq_init(lo); fmpq_init(hi);
    arb_init(x); arb_init(y);
    cr_assert_eq(fmpz_poly_set_str(f, poly), 0);
    fmpq_set_si(lo, lo_n, lo_d);
    fmpq_set_si(hi, hi_n, hi_d);
    cr_assert(dnc_alg_isolate(a, f, lo, hi), "%s not isolated", poly);
    dnc_alg_enclose(x, a, prec);
    {
        /* independent enclosure: exact bisection of the isolating interval */
        dnc_alg_t b;
        arb_t t;
        dnc_alg_init(b);
        arb_init(t);
        dnc_alg_set(b, a);
        dnc_alg_refine(b, prec + 8);
        arb_set_fmpq(y, b->lo, prec + 64);
        arb_set_fmpq(t, b->hi, prec + 64);
        arb_union(y, y, t, prec + 64);
        arb_clear(t);
        dnc_alg_clear(b);
    }
    cr_expect(arb_overlaps(x, y), "%s: Newton and bisection disagree", poly);
    cr_expect(arb_is_zero(x) || arb_rel_accuracy_bits(x) >= prec - 2, "%s: %ld bits", poly,
              (long) arb_rel_accuracy_bits(x));
    dnc_alg_clear(a);
    fmpz_poly_clear(f);
    fmpq_clear(lo); fmpq_clear(hi);
    arb_clear(x); arb_clear(y);
}

Test(closed_internal, newton_enclosure_agrees_with_bisection)
{
    enclosure_case("3  -2 0 1", 1, 1, 2, 1, 256);              /* sqrt 2 */
    enclosure_case("2  -50 1", 99, 2, 101, 2, 256);            /* 50, exact */
    enclosure_case("3  0 -2 1", -1, 4, 1, 4, 256);             /* 0, exact */
    enclosure_case("3  -1 0 4", 0, 1, 1, 1, 512);              /* 1/2, exact */
    enclosure_case("6  1 -3 0 0 0 1", 1, 1, 3, 2, 1024);       /* x^5 - 3x + 1 on (1, 3/2) */
    enclosure_case("3  -1 0 1000000000000000000000000000000", 0, 1, 1, 1, 256);   /* 10^-15 */
}

/* ---- errors ---- */

static void expect_error(int which, const char *L, const char *act, const char *bias, const char *w,
                         const char *needle)
{
    dnc_problem_t p;
    dnc_closed_t c;
    char err[512] = "";
    int r;
    tu_problem_lambdas(p, "3", "4", L, w, act, bias, "0.001", NULL, NULL);
    r = which == 0 ? dnc_closed_deep_linear(c, p, PREC, err, sizeof(err))
        : which == 1 ? dnc_closed_ufm(c, p, PREC, err, sizeof(err))
        : dnc_closed_tirer_bruna(c, p, PREC, err, sizeof(err));
    cr_expect_neq(r, 0, "accepted (wanted '%s')", needle);
    cr_expect(strstr(err, needle) != NULL, "message '%s' lacks '%s'", err, needle);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

Test(deep_linear, errors_name_the_option)
{
    expect_error(0, "3", "linear,relu", "none", "3", "--activation: the deep linear UFM needs every activation linear (sigma_2 = relu)");
    expect_error(0, "2", "linear", "none", "2", "--width: the deep linear point needs every width >= 3");
    expect_error(1, "2", "linear", "none", "3", "--L: the plain UFM has L = 1 (got 2)");
    expect_error(2, "3", "relu", "none", "3", "--L:");
    expect_error(2, "2", "linear", "none", "3", "--activation:");
    expect_error(2, "2", "relu", "free", "3", "--bias:");
}

/* ---- the cross-check over a grid of (K, counts, M, lambda, bias, widths) ---- */
Test(deep_linear, crosscheck_grid, .timeout = 60)
{
    static const char *cases[][2] = {   /* K, counts */
        { "2", "5" }, { "2", "9,2" }, { "3", "4" }, { "3", "10,4,4" }, { "5", "3" }, { "5", "8,1,3,3,20" },
    };
    static const char *Ms[] = { "1", "2", "3", "5" }, *lams[] = { "0.001", "0.02" }, *bias[] = { "none", "free" };
    size_t a, b, e, f;
    for (a = 0; a < sizeof(cases) / sizeof(cases[0]); a++)
        for (b = 0; b < 4; b++)
            for (e = 0; e < 2; e++)
                for (f = 0; f < 2; f++) {
                    char w[32];
                    snprintf(w, sizeof(w), "%ld", atol(cases[a][0]) + (long) ((a + b + e) % 2));
                    check_case(cases[a][0], cases[a][1], Ms[b], w, bias[f], lams[e]);
                }
}
