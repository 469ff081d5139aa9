/* The cross-entropy value of the DNC-structured families (format §8.3), derived from the
 * problem alone: the checker's own isolation of the stationary scale, not the producer's
 * (src/closed/ce.c). Along the structure (ufm, deep-linear: ETF logits sigma (I - J/K),
 * collapsed features, balanced factors; dnc: orthogonal frames after the hidden layers and
 * the same logits; M = L layers)
 *     phi(sigma) = log(1 + (K-1) e^-sigma) + ((M+1)(K-1)/2) (P sigma^2)^(1/(M+1)),
 * P = n lambda_H prod_l lambda_W_l (dnc: times (K/(K-1))^L, the frames' hidden layers costing
 * K against the logits' K - 1), and for sigma > 0 the sign of phi' is that of
 *     H(sigma) = log P - (M-1) log sigma + (M+1) (sigma + log1p((K-1) e^-sigma)),
 * which is strictly convex (H'' = (M-1)/sigma^2 + (M+1)(K-1)e^sigma/(e^sigma+K-1)^2 > 0).
 * So phi has at most one local minimum on (0, inf), at the larger zero sigma_2 of H (the
 * only zero where H changes sign from - to +), and the value is min(log K, phi(sigma_2)),
 * or log K when H has no negative value. H never vanishes at a rational sigma > 0 (e^sigma is
 * transcendental there, Lindemann), so its sign at a rational is always decided in balls
 * at some precision; the checker tries up to 8 times the working precision. */
#include <string.h>
#include "verifier.h"

typedef struct {
    slong K, M;
    fmpq_t P;
    slong prec;
} ce_arg;

typedef void (*ce_fn)(arb_t y, const arb_t s, const ce_arg *a, slong prec);

/* y <- (K-1) e^-s, the weight of the wrong classes in every term below. */
static void wrong_mass(arb_t y, const arb_t s, const ce_arg *a, slong prec)
{
    arb_neg(y, s);
    arb_exp(y, y, prec);
    arb_mul_si(y, y, a->K - 1, prec);
}

/* y <- s + log1p((K-1) e^-s) = log(e^s + K - 1), without overflow for large s. */
static void log_shift(arb_t y, const arb_t s, const ce_arg *a, slong prec)
{
    wrong_mass(y, s, a, prec);
    arb_log1p(y, y, prec);
    arb_add(y, y, s, prec);
}

/* y <- H(s). */
static void ce_H(arb_t y, const arb_t s, const ce_arg *a, slong prec)
{
    arb_t t;
    arb_init(t);
    log_shift(y, s, a, prec);
    arb_mul_si(y, y, a->M + 1, prec);
    arb_log(t, s, prec);
    arb_mul_si(t, t, a->M - 1, prec);
    arb_sub(y, y, t, prec);
    arb_set_fmpq(t, a->P, prec);
    arb_log(t, t, prec);
    arb_add(y, y, t, prec);
    arb_clear(t);
}

/* y <- H'(s) = (M+1) / (1 + (K-1) e^-s) - (M-1)/s, increasing. */
static void ce_dH(arb_t y, const arb_t s, const ce_arg *a, slong prec)
{
    arb_t t;
    arb_init(t);
    wrong_mass(y, s, a, prec);
    arb_add_ui(y, y, 1, prec);
    arb_inv(y, y, prec);
    arb_mul_si(y, y, a->M + 1, prec);
    arb_inv(t, s, prec);
    arb_mul_si(t, t, a->M - 1, prec);
    arb_sub(y, y, t, prec);
    arb_clear(t);
}

/* Sign of fn at the rational x: +-1, or 2 when 8 times the precision does not decide. */
static int sign_of(ce_fn fn, const fmpq_t x, const ce_arg *a)
{
    arb_t s, y;
    slong wp;
    int sg = 2;
    arb_init(s);
    arb_init(y);
    for (wp = a->prec + 64; wp <= 8 * (a->prec + 64) && sg == 2; wp *= 2) {
        arb_set_fmpq(s, x, wp);
        fn(y, s, a, wp);
        sg = arb_is_positive(y) ? 1 : arb_is_negative(y) ? -1 : 2;
    }
    arb_clear(s);
    arb_clear(y);
    return sg;
}

static int H_sign(const fmpq_t x, void *a, slong prec)
{
    (void) prec;
    return sign_of(ce_H, x, a);
}

static int dH_sign(const fmpq_t x, void *a, slong prec)
{
    (void) prec;
    return sign_of(ce_dH, x, a);
}

/* phi(s) for s >= 0 (the regulariser is 0 at s = 0). */
static void ce_phi(arb_t y, const arb_t s, const ce_arg *a, slong prec)
{
    arb_t t;
    arb_init(t);
    wrong_mass(y, s, a, prec);
    arb_log1p(y, y, prec);
    arb_set_fmpq(t, a->P, prec);
    arb_mul(t, t, s, prec);
    arb_mul(t, t, s, prec);
    arb_root_ui(t, t, (ulong) (a->M + 1), prec);
    arb_mul_si(t, t, (a->M + 1) * (a->K - 1), prec);
    arb_mul_2exp_si(t, t, -1);
    arb_add(y, y, t, prec);
    arb_clear(t);
}

static void ce_arg_init(ce_arg *a, const vx_problem *p, const vx_structure *s, slong prec)
{
    fmpz_t k;
    a->K = p->K;
    a->M = p->L;
    a->prec = prec;
    fmpq_init(a->P);
    fmpq_mul_si(a->P, p->lhL, p->n[0]);
    if (strcmp(s->name, "dnc") == 0) {   /* P K^L / (K-1)^L */
        fmpz_init(k);
        fmpz_set_si(k, p->K);
        fmpz_pow_ui(k, k, (ulong) p->L);
        fmpq_mul_fmpz(a->P, a->P, k);
        fmpz_set_si(k, p->K - 1);
        fmpz_pow_ui(k, k, (ulong) p->L);
        fmpq_div_fmpz(a->P, a->P, k);
        fmpz_clear(k);
    }
}

/* M = 1: phi is convex; alive iff c = sqrt(P) < 1/K (exactly: P K^2 < 1), and then with
 * sigma* = log((1 - (K-1)c)/c) the value is -log(1 - (K-1)c) + (K-1) c sigma*. */
static void ufm_value(arb_t v, const ce_arg *a, slong prec)
{
    fmpq_t q;
    arb_t c, u, t;
    fmpq_init(q);
    arb_init(c);
    arb_init(u);
    arb_init(t);
    fmpq_mul_si(q, a->P, a->K * a->K);
    if (fmpq_cmp_ui(q, 1) >= 0)
        arb_log_ui(v, (ulong) a->K, prec);
    else {
        arb_set_fmpq(c, a->P, prec);
        arb_sqrt(c, c, prec);
        arb_mul_si(u, c, a->K - 1, prec);
        arb_sub_ui(u, u, 1, prec);
        arb_neg(u, u);                                /* 1 - (K-1)c > 0 */
        arb_div(t, u, c, prec);
        arb_log(t, t, prec);                          /* sigma* */
        arb_mul(t, t, c, prec);
        arb_mul_si(t, t, a->K - 1, prec);
        arb_log(v, u, prec);
        arb_sub(v, t, v, prec);
    }
    fmpq_clear(q);
    arb_clear(c);
    arb_clear(u);
    arb_clear(t);
}

/* M >= 2: 0 with v = min(log K, phi(sigma_2)) or log K; -1 when a sign is undecided. */
static int deep_value(arb_t v, ce_arg *a, slong prec)
{
    fmpq_t lo, hi, p;
    arb_t m, y, s2;
    slong it;
    int res = 0;
    fmpq_init(lo);
    fmpq_init(hi);
    fmpq_init(p);
    arb_init(m);
    arb_init(y);
    arb_init(s2);
    arb_log_ui(v, (ulong) a->K, prec);
    /* The minimiser of H: H' < 0 below (M-1)/(M+1) >= 1/3, H' > 0 at K (since (M+1) K e^K >
     * (M-1)(e^K + K - 1)); both signs are checked, not assumed. */
    fmpq_set_si(lo, 1, 4);
    fmpq_set_si(hi, a->K, 1);
    if (dH_sign(lo, a, prec) != -1 || dH_sign(hi, a, prec) != 1)
        res = -1;
    else {
        vx_bisect(m, dH_sign, a, lo, hi, -1, prec);
        arf_get_fmpq(p, arb_midref(m));
        ce_H(y, m, a, prec + 64);
        if (arb_is_positive(y))
            ;                                         /* min H > 0: phi increases, the value is log K */
        else if (H_sign(p, a, prec) != -1)
            res = -1;                                 /* a tangency min H = 0, or undecided */
        else {                                        /* H(p) < 0: sigma_2 in (p, 2^k p) */
            fmpq_mul_2exp(hi, p, 1);
            for (it = 0; it < 256 && H_sign(hi, a, prec) != 1; it++)
                fmpq_mul_2exp(hi, hi, 1);
            if (it == 256)
                res = -1;
            else {
                vx_bisect(s2, H_sign, a, p, hi, -1, prec);
                ce_phi(y, s2, a, prec);
                arb_min(v, v, y, prec);
            }
        }
    }
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpq_clear(p);
    arb_clear(m);
    arb_clear(y);
    arb_clear(s2);
    return res;
}

int vx_ce_value(arb_t v, const vx_problem *p, const vx_structure *s, slong prec, char *why, size_t len)
{
    ce_arg a;
    int ok = 1;
    ce_arg_init(&a, p, s, prec);
    if (a.M == 1)
        ufm_value(v, &a, prec);
    else if (deep_value(v, &a, prec) != 0) {
        snprintf(why, len, "a sign of H(sigma) = log P - (M-1) log sigma + (M+1) log(e^sigma + K - 1) or of H' could "
                 "not be decided within %ld bits (min H = 0?)", (long) (8 * (prec + 64)));
        ok = 0;
    }
    fmpq_clear(a.P);
    return ok;
}

int vx_ce_root(const vx_problem *p, const vx_structure *s, const fmpq_t lo, const fmpq_t hi, slong prec, char *why,
               size_t len)
{
    ce_arg a;
    int slo = 2, shi = 2;
    ce_arg_init(&a, p, s, prec);
    if (fmpq_sgn(lo) <= 0 || fmpq_cmp(lo, hi) >= 0)
        snprintf(why, len, "the interval is not a part of (0, inf) with lo < hi");
    else if ((slo = sign_of(ce_H, lo, &a)) != -1 || (shi = sign_of(ce_H, hi, &a)) != 1)
        snprintf(why, len, "H has sign %s at lo and %s at hi, not - and + (the larger zero sigma_2 is the only one "
                 "where H changes sign from - to +)", slo == 1 ? "+" : slo == -1 ? "-" : "undecided",
                 slo != -1 ? "unchecked" : shi == -1 ? "-" : "undecided");
    fmpq_clear(a.P);
    return slo == -1 && shi == 1;
}
