/* The DNC closed form (docs/math/dnc.md): reference values, an independent 1-D
 * minimisation, the L = 1 formulas, exact alive/dead/tie decisions on both sides of the
 * threshold, the explicit point (loss, stationarity, exact Gram structure), errors, speed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <criterion/criterion.h>
#include "dncert/closed.h"
#include "testutil.h"

#define PREC 256

/* A problem with separate lambda_H and lambda_W (NULL = the common default 0.004). */
static void dnc_ok(dnc_closed_t c, dnc_problem_t p)
{
    char err[512] = "";
    cr_assert_eq(dnc_closed_dnc(c, p, PREC, err, sizeof(err)), 0, "%s", err);
}

/* Spec (closed-forms.md section 1) gives 40 digits; we use the first 39 with a radius
 * that covers the truncation. */
Test(dnc, spec_reference_K2_n5_L3)
{
    dnc_problem_t p;
    dnc_closed_t c;
    arb_t ref;
    tu_problem_lambdas(p, "2", "5", "3", "10", "relu", NULL, "0.004", NULL, NULL);
    dnc_ok(c, p);
    arb_init(ref);
    arb_set_str(ref, "[0.023853593128578949378790180100123856997 +/- 1e-39]", PREC);
    cr_assert_eq(c->alive, DNC_ALIVE);
    cr_assert(arb_overlaps(c->loss, ref), "loss does not match the spec value");
    cr_assert(tu_rad_below(c->loss, -200));
    cr_assert(dnc_closed_crosscheck(c, PREC));
    arb_clear(ref);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* ---- independent method: minimise f(c) = (1/2)(1-c)^2 + (K(L+1)/2) nu c^{2/(L+1)} directly
 * by bisection on the sign of f'(c) = -(1-c) + K nu c^{-(L-1)/(L+1)} over [(L-1)/L, 1]
 * (alive case: f' < 0 at the left end, f' = K nu > 0 at c = 1). No polynomial involved. */

/* x^{num/den} for x > 0 by integer power and root. */
static void pow_frac(arb_t y, const arb_t x, ulong num, ulong den, slong prec)
{
    arb_pow_ui(y, x, num, prec);
    arb_root_ui(y, y, den, prec);
}

static void fprime(arb_t d, const arb_t c, slong K, slong L, const arb_t nu, slong prec)
{
    arb_t t;
    arb_init(t);
    pow_frac(t, c, (ulong) (L - 1), (ulong) (L + 1), prec);
    arb_div(d, nu, t, prec);
    arb_mul_si(d, d, K, prec);
    arb_add(d, d, c, prec);
    arb_sub_si(d, d, 1, prec);
    arb_clear(t);
}

static void fvalue(arb_t f, const arb_t c, slong K, slong L, const arb_t nu, slong prec)
{
    arb_t t;
    arb_init(t);
    pow_frac(t, c, 2, (ulong) (L + 1), prec);
    arb_mul(t, t, nu, prec);
    arb_mul_si(t, t, K * (L + 1), prec);
    arb_sub_si(f, c, 1, prec);
    arb_sqr(f, f, prec);
    arb_add(f, f, t, prec);
    arb_mul_2exp_si(f, f, -1);
    arb_clear(t);
}

/* Encloses min f by bisection; returns the bracket of c* in cball. */
static void bisect_min(arb_t fmin, arb_t cball, slong K, slong L, const fmpq_t P, slong prec)
{
    arb_t lo, hi, mid, d, nu;
    slong it;
    arb_init(lo); arb_init(hi); arb_init(mid); arb_init(d); arb_init(nu);
    arb_set_fmpq(nu, P, prec);
    arb_root_ui(nu, nu, (ulong) (L + 1), prec);
    arb_set_si(lo, L - 1);
    arb_div_si(lo, lo, L, prec);
    arb_set_arf(lo, arb_midref(lo));          /* an exact point; f' < 0 there is checked */
    arb_one(hi);
    fprime(d, lo, K, L, nu, prec);
    cr_assert(arb_is_negative(d), "bisection start not in the alive branch");
    for (it = 0; it < 230; it++) {
        arb_add(mid, lo, hi, prec);
        arb_mul_2exp_si(mid, mid, -1);
        fprime(d, mid, K, L, nu, prec);
        if (arb_is_negative(d))
            arb_set(lo, mid);
        else if (arb_is_positive(d))
            arb_set(hi, mid);
        else
            break;
    }
    arb_union(cball, lo, hi, prec);
    fvalue(fmin, cball, K, L, nu, prec);
    arb_clear(lo); arb_clear(hi); arb_clear(mid); arb_clear(d); arb_clear(nu);
}

static void dnc_P(fmpq_t P, const dnc_problem_t p)
{
    slong l;
    fmpq_mul_si(P, p->lambda_h, p->n[0]);
    for (l = 0; l < p->L; l++)
        fmpq_mul(P, P, p->lambda_w + l);
}

Test(dnc, matches_direct_minimisation_of_f_of_c)
{
    static const char *cases[][4] = {   /* K, n, L, lambda */
        { "2", "5", "3", "0.004" }, { "3", "7", "2", "0.01" }, { "10", "5", "8", "0.004" },
        { "4", "1", "5", "1/300" }, { "6", "20", "4", "0.002" }, { "2", "1", "1", "0.1" },
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dnc_problem_t p;
        dnc_closed_t c;
        arb_t f, cb;
        fmpq_t P;
        tu_problem_lambdas(p, cases[i][0], cases[i][1], cases[i][2], "12", "relu", NULL, cases[i][3], NULL, NULL);
        dnc_ok(c, p);
        cr_assert_eq(c->alive, DNC_ALIVE, "case %zu", i);
        arb_init(f); arb_init(cb); fmpq_init(P);
        dnc_P(P, p);
        bisect_min(f, cb, p->K, p->L, P, 320);
        cr_assert(tu_rad_below(f, -180), "case %zu: bisection enclosure too wide", i);
        cr_expect(arb_overlaps(f, c->loss), "case %zu: f* differs from the 1-D minimum", i);
        cr_expect(arb_overlaps(cb, dnc_closed_get_scalar(c, "c")->value), "case %zu: c* differs", i);
        arb_clear(f); arb_clear(cb); fmpq_clear(P);
        dnc_closed_clear(c);
        dnc_problem_clear(p);
    }
}

/* L = 1 (plain UFM with ReLU-free DNC): c* = 1 - K sqrt(n lambda_H lambda_W) and
 * f* = (1/2)(1 - c*^2), computed here from those formulas alone. */
Test(dnc, L1_formulas)
{
    static const char *cases[][4] = {   /* K, n, lambda_H, lambda_W */
        { "2", "5", "0.004", "0.004" }, { "3", "10", "0.001", "0.02" }, { "10", "1", "1/1000", "1/2000" },
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dnc_problem_t p;
        dnc_closed_t c;
        arb_t cs, f, t;
        fmpq_t q;
        tu_problem_lambdas(p, cases[i][0], cases[i][1], "1", "10", NULL, NULL, NULL, cases[i][2], cases[i][3]);
        dnc_ok(c, p);
        arb_init(cs); arb_init(f); arb_init(t); fmpq_init(q);
        fmpq_mul(q, p->lambda_h, p->lambda_w);
        fmpq_mul_si(q, q, p->n[0]);
        arb_set_fmpq(t, q, PREC);
        arb_sqrt(t, t, PREC);
        arb_mul_si(t, t, p->K, PREC);
        arb_one(cs);
        arb_sub(cs, cs, t, PREC);            /* c* = 1 - K sqrt(n lambda_H lambda_W) */
        arb_sqr(f, cs, PREC);
        arb_sub_si(f, f, 1, PREC);
        arb_neg(f, f);
        arb_mul_2exp_si(f, f, -1);           /* f* = (1 - c*^2)/2 */
        cr_assert_eq(c->alive, DNC_ALIVE);
        cr_expect(arb_overlaps(cs, dnc_closed_get_scalar(c, "c")->value), "case %zu: c*", i);
        cr_expect(arb_overlaps(f, c->loss), "case %zu: f*", i);
        cr_expect(dnc_closed_crosscheck(c, PREC), "case %zu", i);
        arb_clear(cs); arb_clear(f); arb_clear(t); fmpq_clear(q);
        dnc_closed_clear(c);
        dnc_problem_clear(p);
    }
}

/* ---- exact thresholds. With every lambda_W = 1, K^{L+1} P = K^{L+1} n lambda_H, so
 * lambda_H = theta_L / (K^{L+1} n), theta_L = (L-1)^{L-1}/L^{2L}, sits exactly on the
 * threshold. lambda_H * (1 +/- 10^-12) then falls on either side. */
static void threshold_lambda_h(char *buf, size_t len, slong K, slong n, slong L, int side)
{
    fmpz_t num, den;
    fmpq_t q, eps;
    char *s;
    fmpz_init_set_si(num, L - 1);
    fmpz_init_set_si(den, L);
    fmpz_pow_ui(num, num, (ulong) (L - 1));
    fmpz_pow_ui(den, den, (ulong) (2 * L));
    fmpq_init(q);
    fmpq_init(eps);
    fmpq_set_fmpz_frac(q, num, den);
    fmpz_set_si(den, K);
    fmpz_pow_ui(den, den, (ulong) (L + 1));
    fmpz_mul_si(den, den, n);
    fmpq_div_fmpz(q, q, den);
    fmpq_set_si(eps, side, 1000000000000);
    fmpq_add_si(eps, eps, 1);
    fmpq_mul(q, q, eps);
    s = dnc_rational_get_str(q);
    snprintf(buf, len, "%s", s);
    flint_free(s);
    fmpz_clear(num); fmpz_clear(den); fmpq_clear(q); fmpq_clear(eps);
}

static dnc_alive_t decide_at(slong K, slong n, slong L, int side, int check_point)
{
    char lh[256], ks[16], ns[16], ls[16];
    dnc_problem_t p;
    dnc_closed_t c;
    dnc_alive_t d;
    threshold_lambda_h(lh, sizeof(lh), K, n, L, side);
    snprintf(ks, sizeof(ks), "%ld", (long) K);
    snprintf(ns, sizeof(ns), "%ld", (long) n);
    snprintf(ls, sizeof(ls), "%ld", (long) L);
    tu_problem_lambdas(p, ks, ns, ls, "8", "relu", NULL, NULL, lh, "1");
    dnc_ok(c, p);
    d = c->alive;
    if (check_point)
        cr_expect(dnc_closed_crosscheck(c, PREC), "K=%ld L=%ld side=%d", (long) K, (long) L, side);
    if (d == DNC_TIE) {   /* both points have f = 1/2 exactly; the point realises c* = (L-1)/L */
        arb_t half;
        arb_init(half);
        arb_set_d(half, 0.5);
        cr_expect(arb_equal(c->loss, half));
        cr_expect(dnc_closed_get_scalar(c, "c") != NULL);
        arb_clear(half);
    }
    dnc_closed_clear(c);
    dnc_problem_clear(p);
    return d;
}

Test(dnc, exact_threshold_both_sides)
{
    slong K, L;
    for (K = 2; K <= 3; K++)
        for (L = 1; L <= 6; L++) {
            cr_expect_eq(decide_at(K, 1, L, 0, 1), DNC_TIE, "K=%ld L=%ld at the threshold", (long) K, (long) L);
            cr_expect_eq(decide_at(K, 1, L, -1, 1), DNC_ALIVE, "K=%ld L=%ld below", (long) K, (long) L);
            cr_expect_eq(decide_at(K, 1, L, 1, 1), DNC_DEAD, "K=%ld L=%ld above", (long) K, (long) L);
        }
}

/* K = 2 thresholds by hand: theta_2 = 1/16, theta_3 = 4/729, theta_4 = 27/65536, so with
 * K = 2, n = 1, lambda_W = 1: L = 2 ties at lambda_H = 1/128 (8 lambda_H = 1/16, c* = 1/2),
 * L = 3 at lambda_H = 1/2916 (16 lambda_H = 4/729), L = 4 at 27/2097152 (32 lambda_H). */
Test(dnc, K2_thresholds_by_hand)
{
    static const char *cases[][3] = {
        { "2", "1/128", "1/127" }, { "3", "1/2916", "1/2915" }, { "4", "27/2097152", "27/2097151" },
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dnc_problem_t p;
        dnc_closed_t c;
        tu_problem_lambdas(p, "2", "1", cases[i][0], "2", "relu", NULL, NULL, cases[i][1], "1");
        dnc_ok(c, p);
        cr_expect_eq(c->alive, DNC_TIE, "L=%s", cases[i][0]);
        cr_expect(dnc_closed_crosscheck(c, PREC));
        dnc_closed_clear(c);
        dnc_problem_clear(p);
        tu_problem_lambdas(p, "2", "1", cases[i][0], "2", "relu", NULL, NULL, cases[i][2], "1");
        dnc_ok(c, p);
        cr_expect_eq(c->alive, DNC_DEAD, "L=%s: a larger lambda_H must kill DNC", cases[i][0]);
        dnc_closed_clear(c);
        dnc_problem_clear(p);
    }
}

/* Dead without a root: K^{L+1} P above max (1-c)^{L+1} c^{L-1}; dead with a root: the
 * non-zero critical point exists but has f > 1/2. Both give the zero point, f = 1/2. */
Test(dnc, dead_cases)
{
    dnc_problem_t p;
    dnc_closed_t c;
    arb_t half;
    arb_init(half);
    arb_set_d(half, 0.5);
    tu_problem_lambdas(p, "2", "5", "3", "10", "relu", NULL, "0.5", NULL, NULL);
    dnc_ok(c, p);
    cr_assert_eq(c->alive, DNC_DEAD);
    cr_assert(dnc_closed_get_scalar(c, "c") == NULL, "no root should exist");
    cr_assert(arb_equal(c->loss, half));
    cr_assert(dnc_closed_crosscheck(c, PREC));
    dnc_closed_clear(c);
    dnc_problem_clear(p);
    tu_problem_lambdas(p, "2", "5", "3", "10", "relu", NULL, "0.1", NULL, NULL);
    dnc_ok(c, p);
    cr_assert_eq(c->alive, DNC_DEAD);
    cr_assert(dnc_closed_get_scalar(c, "c") != NULL);
    cr_assert(arb_gt(dnc_closed_get_scalar(c, "f_nonzero")->value, half));
    cr_assert(arb_equal(c->loss, half));
    cr_assert(dnc_closed_crosscheck(c, PREC));
    dnc_closed_clear(c);
    dnc_problem_clear(p);
    /* Even L (the integer polynomial's orientation is flipped there). K = 2, n = 1, L = 2:
     * Q = 8 lambda^3, (1-c)^3 c has its maximum 27/256 at c = 1/4 and equals T = 1/16 at
     * c = 1/2. lambda = 1/5: Q = 8/125 = 0.064 in (1/16, 27/256): dead with a root.
     * lambda = 1/2: Q = 1 > 27/256: dead without a root. (Hand computation.) */
    tu_problem_lambdas(p, "2", "1", "2", "4", "relu", NULL, "1/5", NULL, NULL);
    dnc_ok(c, p);
    cr_assert_eq(c->alive, DNC_DEAD);
    cr_assert(dnc_closed_get_scalar(c, "c") != NULL, "L = 2: the losing critical point exists");
    cr_assert(arb_gt(dnc_closed_get_scalar(c, "f_nonzero")->value, half));
    dnc_closed_clear(c);
    dnc_problem_clear(p);
    tu_problem_lambdas(p, "2", "1", "2", "4", "relu", NULL, "1/2", NULL, NULL);
    dnc_ok(c, p);
    cr_assert_eq(c->alive, DNC_DEAD);
    cr_assert(dnc_closed_get_scalar(c, "c") == NULL, "L = 2: no root should exist");
    cr_assert(arb_equal(c->loss, half));
    dnc_closed_clear(c);
    dnc_problem_clear(p);
    arb_clear(half);
}

/* Class means of every layer of the explicit point are exactly orthogonal (off-diagonal
 * Gram entries are exact zeros) and non-zero. */
Test(dnc, gram_matrices_exactly_diagonal)
{
    dnc_problem_t p;
    dnc_closed_t c;
    slong l;
    tu_problem_lambdas(p, "5", "3", "4", "5,9,7,6", "relu,linear,relu", NULL, "0.004", NULL, NULL);
    dnc_ok(c, p);
    for (l = 1; l <= p->L; l++)
        cr_expect(dnc_closed_gram_is_diagonal(c, l, PREC), "layer %ld", (long) l);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* The point is stored as certificates store it (docs/certificate-format.md section 5): one
 * term per block, H1 = a * (ones at (k, k)), W_l = s_l * (ones at (k, k)). */
Test(dnc, point_as_terms)
{
    dnc_problem_t p;
    dnc_closed_t c;
    slong i, j;
    tu_problem_lambdas(p, "3", "5", "3", "4,5,3", "relu", NULL, "0.004", NULL, NULL);
    dnc_ok(c, p);
    cr_assert_eq(c->nterms, 1 + p->L);
    for (i = 0; i < c->nterms; i++) {
        const dnc_closed_term *t = c->terms + i;
        char want[32];
        snprintf(want, sizeof(want), i == 0 ? "a" : "s_%ld", (long) i);
        cr_expect_eq(t->block, i);
        cr_expect_str_eq(t->scale, want);
        cr_expect(dnc_closed_get_scalar(c, t->scale) != NULL);
        cr_assert_eq(t->n, p->K);
        for (j = 0; j < t->n; j++)
            cr_expect(t->row[j] == j && t->col[j] == j && fmpq_is_one(t->val + j));
    }
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* The gradient enclosure contains 0. With ReLU, every exactly-zero pre-activation is a
 * kink: Htilde_l (l = 2..L) has d_l K entries of which K are positive. */
Test(dnc, stationary_with_kinks)
{
    dnc_problem_t p;
    dnc_closed_t c;
    slong nk, l, want = 0;
    tu_problem_lambdas(p, "3", "4", "4", "3,5,8,4", "relu", NULL, "0.004", NULL, NULL);
    dnc_ok(c, p);
    for (l = 2; l <= p->L; l++)
        want += (p->width[l - 1] - 1) * p->K;
    cr_assert(dnc_closed_check_stationary(c, PREC, &nk));
    cr_assert_eq(nk, want, "kinks %ld, expected %ld", (long) nk, (long) want);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
    tu_problem_lambdas(p, "3", "4", "4", "3,5,8,4", "linear", NULL, "0.004", NULL, NULL);
    dnc_ok(c, p);
    cr_assert(dnc_closed_check_stationary(c, PREC, &nk));
    cr_assert_eq(nk, 0);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* Section 3: bias-free balanced deep linear gives exactly the DNC value; with L = 2 so does
 * the Tirer-Bruna construction. */
Test(dnc, equals_deep_linear_and_tirer_bruna)
{
    static const char *Ls[] = { "1", "2", "3", "5" };
    size_t i;
    char err[512];
    for (i = 0; i < 4; i++) {
        dnc_problem_t p, q;
        dnc_closed_t c, d;
        tu_problem_lambdas(p, "4", "6", Ls[i], "4", "relu", NULL, "0.003", NULL, NULL);
        tu_problem_lambdas(q, "4", "6", Ls[i], "4", "linear", NULL, "0.003", NULL, NULL);
        dnc_ok(c, p);
        cr_assert_eq(dnc_closed_deep_linear(d, q, PREC, err, sizeof(err)), 0, "%s", err);
        cr_expect(arb_overlaps(c->loss, d->loss) && tu_rad_below(d->loss, -200), "L=%s", Ls[i]);
        dnc_closed_clear(d);
        if (p->L == 2) {
            cr_assert_eq(dnc_closed_tirer_bruna(d, p, PREC, err, sizeof(err)), 0, "%s", err);
            cr_expect(arb_overlaps(c->loss, d->loss));
            dnc_closed_clear(d);
        }
        dnc_closed_clear(c);
        dnc_problem_clear(p);
        dnc_problem_clear(q);
    }
}

static void expect_error(const char *K, const char *n, const char *L, const char *w, const char *bias,
                         const char *needle)
{
    dnc_problem_t p;
    dnc_problem_args a;
    dnc_closed_t c;
    char err[512] = "";
    memset(&a, 0, sizeof(a));
    a.K = K; a.n = n; a.L = L; a.width = w; a.bias = bias;
    dnc_problem_init(p);
    cr_assert_eq(dnc_problem_set_args(p, &a, err, sizeof(err)), 0, "%s", err);
    cr_expect_neq(dnc_closed_dnc(c, p, PREC, err, sizeof(err)), 0, "accepted (wanted '%s')", needle);
    cr_expect(strstr(err, needle) != NULL, "message '%s' lacks '%s'", err, needle);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

Test(dnc, errors_name_the_option)
{
    expect_error("10", "5", "3", "10,8,10", NULL, "--width: DNC needs every width >= K = 10 (d_2 = 8)");
    expect_error("3", "5,5,6", "2", "5", NULL, "--n: DNC needs balanced counts");
    expect_error("3", "5", "2", "5", "free", "--bias:");
}

/* Cross-check over a grid of (K, L, n, lambda, widths, activations): the closed-form loss
 * and the ball evaluation of the explicit point enclose the same value, and the point is
 * stationary. */
Test(dnc, crosscheck_grid, .timeout = 60)
{
    static const char *Ks[] = { "2", "3", "5" }, *Ls[] = { "1", "2", "3", "4", "6" };
    static const char *ns[] = { "1", "5", "50" }, *lams[] = { "0.001", "0.004", "1/40" };
    size_t a, b, d, e;
    int alive = 0, dead = 0;
    for (a = 0; a < 3; a++)
        for (b = 0; b < 5; b++)
            for (d = 0; d < 3; d++)
                for (e = 0; e < 3; e++) {
                    dnc_problem_t p;
                    dnc_closed_t c;
                    char w[64];
                    long K = atol(Ks[a]);
                    snprintf(w, sizeof(w), "%ld", K + (long) ((a + b + d + e) % 3));   /* K, K+1, K+2 */
                    tu_problem_lambdas(p, Ks[a], ns[d], Ls[b], w, (b + e) % 2 ? "relu" : "linear", NULL, lams[e],
                                       NULL, NULL);
                    dnc_ok(c, p);
                    alive += c->alive == DNC_ALIVE;
                    dead += c->alive == DNC_DEAD;
                    cr_expect(dnc_closed_crosscheck(c, PREC), "K=%s L=%s n=%s lambda=%s", Ks[a], Ls[b], ns[d], lams[e]);
                    cr_expect(dnc_closed_check_stationary(c, PREC, NULL), "K=%s L=%s n=%s lambda=%s",
                              Ks[a], Ls[b], ns[d], lams[e]);
                    dnc_closed_clear(c);
                    dnc_problem_clear(p);
                }
    cr_expect(alive > 0 && dead > 0, "the grid should cover both regimes (%d alive, %d dead)", alive, dead);
}

/* Performance target: closed form + explicit point + ball evaluation with gradient for
 * K = 10, L = 8, width 64 at 256 bits, well under 1 s. */
Test(dnc, speed_K10_L8_width64)
{
    dnc_problem_t p;
    dnc_closed_t c;
    struct timespec t0, t1;
    double sec;
    tu_problem_lambdas(p, "10", "5", "8", "64", "relu", NULL, "0.004", NULL, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    dnc_ok(c, p);
    cr_assert(dnc_closed_crosscheck(c, PREC));
    cr_assert(dnc_closed_check_stationary(c, PREC, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sec = (double) (t1.tv_sec - t0.tv_sec) + 1e-9 * (double) (t1.tv_nsec - t0.tv_nsec);
    cr_log_info("DNC K=10 L=8 width 64, 256 bits: %.4f s", sec);
    cr_expect(sec < 1.0, "took %.3f s", sec);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* dnc_closed_dnc_value (used by dncert classify) is dnc_closed_dnc's value without the
 * point: the same enclosure on alive, tie (K = 2, n = 1, L = 2, lambda_H = 1/128,
 * lambda_W = 1), dead with and without a root, L = 1, mixed lambdas; the same errors. */
Test(dnc, value_alone_equals_closed_form)
{
    static const char *cases[][5] = {   /* K, n, L, lambda_h, lambda_w */
        { "2", "5", "3", "0.004", "0.004" }, { "2", "3", "2", "0.004", "0.004" }, { "10", "1", "4", "0.004", "0.004" },
        { "3", "2", "1", "0.01", "0.01" }, { "4", "7", "6", "1/1000", "1/500" }, { "2", "1", "2", "1/128", "1" },
        { "2", "5", "3", "0.1", "0.1" }, { "2", "5", "3", "0.5", "0.5" }, { "5", "1", "1", "1", "1" },
    };
    size_t i;
    char err[512];
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dnc_problem_t p;
        dnc_closed_t c;
        arb_t f;
        tu_problem_lambdas(p, cases[i][0], cases[i][1], cases[i][2], cases[i][0], NULL, NULL, NULL, cases[i][3],
                           cases[i][4]);
        dnc_ok(c, p);
        arb_init(f);
        cr_assert_eq(dnc_closed_dnc_value(f, p, PREC, err, sizeof(err)), 0, "%s", err);
        cr_expect(arb_overlaps(f, c->loss), "case %zu", i);
        cr_expect(tu_rad_below(f, -200), "case %zu", i);
        if (c->alive != DNC_ALIVE)
            cr_expect(arb_is_exact(f) && arf_cmp_d(arb_midref(f), 0.5) == 0, "case %zu: 1/2 exactly", i);
        arb_clear(f);
        dnc_closed_clear(c);
        dnc_problem_clear(p);
    }
    {
        static const char *bad[][5] = {   /* K, n, width, bias, message */
            { "10", "5", "10,8,10", "none", "--width: DNC needs every width >= K = 10 (d_2 = 8)" },
            { "3", "5,5,6", "5", "none", "--n: DNC needs balanced counts" },
            { "3", "5", "5", "free", "--bias:" },
        };
        for (i = 0; i < 3; i++) {
            dnc_problem_t p;
            arb_t f;
            tu_problem(p, bad[i][0], bad[i][1], "3", bad[i][2], "relu", bad[i][3], "0.004");
            arb_init(f);
            err[0] = '\0';
            cr_expect_neq(dnc_closed_dnc_value(f, p, PREC, err, sizeof(err)), 0, "case %zu accepted", i);
            cr_expect(strstr(err, bad[i][4]) != NULL, "'%s' lacks '%s'", err, bad[i][4]);
            arb_clear(f);
            dnc_problem_clear(p);
        }
    }
}
