/* The DNC point of the L-DUFM, any K >= 2, balanced counts (docs/math/dnc.md).
 *
 * Along the structure H1 = a Q_1 (x) 1_n^T, W_l = s_l Q_{l+1} Q_l^T, W_L = s_L Q_L^T the
 * output is Z = c Y with c = a prod s_l, and the balanced regulariser gives
 *   f(c) = (1/2)(1-c)^2 + (K(L+1)/2) P^{1/(L+1)} c^{2/(L+1)},   P = n lambda_H prod lambda_W.
 * The non-zero local minimiser c* is the root in ((L-1)/(2L), 1) of the rational
 * polynomial (1-c)^{L+1} c^{L-1} - K^{L+1} P; it beats the zero point iff c* > (L-1)/L,
 * which is an exact comparison of rationals. */
#include <stdio.h>
#include <flint/fmpq_poly.h>
#include "dnc_priv.h"

static int dnc_fits(const dnc_problem_struct *p, char *err, size_t errlen)
{
    slong k, l;
    for (k = 1; k < p->K; k++)
        if (p->n[k] != p->n[0])
            return dnc_fail(err, errlen, "--n: DNC needs balanced counts (n_1 = %ld, n_%ld = %ld)",
                                    (long) p->n[0], (long) (k + 1), (long) p->n[k]);
    if (p->bias != DNC_BIAS_NONE)
        return dnc_fail(err, errlen, "--bias: DNC is the bias-free construction (got free; "
                                "the deep linear construction handles a free bias)");
    for (l = 1; l <= p->L; l++)
        if (p->width[l - 1] < p->K)
            return dnc_fail(err, errlen, "--width: DNC needs every width >= K = %ld (d_%ld = %ld)",
                                    (long) p->K, (long) l, (long) p->width[l - 1]);
    return 0;
}

/* P = n lambda_H prod_l lambda_{W_l}. */
static void dnc_P(fmpq_t P, const dnc_problem_struct *p)
{
    _dnc_closed_lambda_prod(P, p);
    fmpq_mul(P, P, p->lambda_h);
    fmpq_mul_si(P, P, p->n[0]);
}

/* Section 1 of the closed forms: Q_DNC = K^{L+1} P. */
void dnc_closed_dnc_q(fmpq_t Q, const dnc_problem_t p)
{
    fmpq_t KL;
    fmpq_init(KL);
    fmpq_set_si(KL, p->K, 1);
    fmpq_pow_si(KL, KL, p->L + 1);
    dnc_P(Q, p);
    fmpq_mul(Q, Q, KL);
    fmpq_clear(KL);
}

/* Isolates c* on the branch where f is decreasing, choosing the interval from the exact
 * decision: ((L-1)/L, 1) when alive, a neighbourhood of (L-1)/L at a tie, and
 * ((L-1)/(2L), (L-1)/L) when dead. Returns 1 (isolated), 0 (no root: only possible when
 * dead, when K^{L+1} P is at least the maximum of (1-c)^{L+1} c^{L-1}), -1 (not isolated). */
static int dnc_root(dnc_alg_t c, const fmpz_poly_t f, slong L, dnc_alive_t alive)
{
    fmpq_t lo, hi, e;
    int res = 1;
    fmpq_init(lo);
    fmpq_init(hi);
    fmpq_init(e);
    fmpq_set_si(lo, L - 1, (ulong) L);
    fmpq_one(hi);
    if (alive == DNC_TIE) {
        fmpq_set_si(e, 1, (ulong) (4 * L));
        fmpq_add(hi, lo, e);
        fmpq_sub(lo, lo, e);
    } else if (alive == DNC_DEAD) {
        /* f is monotone between the maximum of (1-c)^{L+1} c^{L-1} at (L-1)/(2L) and
         * (L-1)/L, so a root exists there iff the signs at the two ends differ. Compare
         * signs, not a sign with 0: f is normalised to a positive leading coefficient,
         * which flips its orientation for even L. */
        fmpq_set(hi, lo);
        fmpq_set_si(lo, L - 1, (ulong) (2 * L));
        if (L == 1 || dnc_poly_sign_at(f, lo) * dnc_poly_sign_at(f, hi) >= 0)
            res = 0;
    }
    if (res)
        res = dnc_alg_isolate(c, f, lo, hi) ? 1 : -1;
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpq_clear(e);
    return res;
}

/* The explicit point in collapsed form, as terms (scale x exact 0/1 pattern, the form a
 * certificate stores): Q_l embeds class k as coordinate k of width d_l, so every block is
 * its scalar times the pattern with ones at (k, k). */
static int dnc_point(dnc_closed_t out)
{
    slong k, l;
    char name[32];
    dnc_closed_term *t = dnc_closed_add_term(out, 0, "a");
    for (k = 0; k < out->p->K; k++)
        dnc_closed_term_set_si(t, k, k, 1, 1);
    for (l = 1; l <= out->p->L; l++) {
        snprintf(name, sizeof(name), "s_%ld", (long) l);
        t = dnc_closed_add_term(out, l, name);
        for (k = 0; k < out->p->K; k++)
            dnc_closed_term_set_si(t, k, k, 1, 1);
    }
    return dnc_closed_point_from_terms(out);
}

/* Exact decision of the family with Q = K^{L+1} P; records the rule in words. */
static dnc_alive_t dnc_decide(dnc_closed_t out, const fmpq_t rhs)
{
    dnc_alive_t d = dnc_closed_lowrank_decide(rhs, out->p->L);
    int s = d == DNC_ALIVE ? 1 : d == DNC_DEAD ? -1 : 0;
    char *a, *b = dnc_rational_get_str(rhs);
    fmpq_t theta;
    fmpq_init(theta);
    dnc_closed_lowrank_threshold(theta, out->p->L);
    a = dnc_rational_get_str(theta);
    fmpq_clear(theta);
    snprintf(out->alive_rule, sizeof(out->alive_rule),
             "alive iff (1/L)^(L+1)((L-1)/L)^(L-1) > K^(L+1) n lambda_H prod lambda_W: %s %s %s%s",
             a, s > 0 ? ">" : (s < 0 ? "<" : "="), b,
             d == DNC_TIE ? " (tie: c* = (L-1)/L and both points have f = 1/2)" : "");
    flint_free(a);
    flint_free(b);
    return d;
}

/* Fills out once c* is known (found = 1) or known not to exist (found = 0). Returns 0, or
 * -1 if the point could not be built from its terms. */
static int dnc_fill(dnc_closed_t out, const dnc_alg_t calg, int found, const fmpq_t P, slong prec)
{
    slong L = out->p->L;
    int res;
    arb_t c, f;
    fmpq_t q;
    arb_init(c);
    arb_init(f);
    fmpq_init(q);
    if (found) {
        dnc_alg_enclose(c, calg, prec);
        _dnc_closed_add_alg(out, "c", calg, c);
    }
    if (out->alive == DNC_ALIVE)
        dnc_closed_lowrank_value(out->loss, c, L, prec);
    else
        arb_set_d(out->loss, 0.5);   /* exact: the zero point, or the tie value */
    if (out->alive == DNC_DEAD) {
        if (found) {   /* the non-zero critical point exists but loses to the zero point */
            dnc_closed_lowrank_value(f, c, L, prec);
            _dnc_closed_add_ball(out, "f_nonzero", f);
        }
        res = _dnc_closed_set_zero_point(out);   /* bias-free: dnc_fits */
    } else {
        if (out->alive == DNC_TIE) {   /* c* = (L-1)/L exactly */
            fmpq_set_si(q, L - 1, (ulong) L);
            arb_set_fmpq(c, q, prec);
        }
        fmpq_one(q);   /* every block has the same norm^2 K */
        _dnc_closed_balanced_scales(out, c, P, q, prec);
        res = dnc_point(out);
    }
    fmpq_clear(q);
    arb_clear(c);
    arb_clear(f);
    return res;
}

int dnc_closed_dnc_scale(dnc_alg_t c, arb_t f, const dnc_problem_t p, slong prec, char *err, size_t errlen)
{
    fmpq_t Q;
    fmpz_poly_t poly;
    arb_t x;
    dnc_alive_t alive;
    int found;
    if (dnc_fits(p, err, errlen)) {
        arb_indeterminate(f);
        return -1;
    }
    fmpq_init(Q);
    fmpz_poly_init(poly);
    arb_init(x);
    dnc_closed_dnc_q(Q, p);
    alive = dnc_closed_lowrank_decide(Q, p->L);
    dnc_closed_lowrank_poly(poly, Q, p->L);
    found = dnc_root(c, poly, p->L, alive);
    if (found < 0)
        dnc_fail(err, errlen, "dnc: could not isolate c* (subdivision budget exhausted)");
    if (alive != DNC_ALIVE)
        arb_set_d(f, 0.5);   /* exact: the zero point, or the tie value */
    else if (found > 0) {
        dnc_alg_enclose(x, c, prec);
        dnc_closed_lowrank_value(f, x, p->L, prec);
    } else
        arb_indeterminate(f);
    arb_clear(x);
    fmpz_poly_clear(poly);
    fmpq_clear(Q);
    return found;
}

int dnc_closed_dnc_value(arb_t f, const dnc_problem_t p, slong prec, char *err, size_t errlen)
{
    dnc_alg_t c;
    dnc_alg_init(c);
    dnc_closed_dnc_scale(c, f, p, prec, err, errlen);
    dnc_alg_clear(c);
    return arb_is_finite(f) ? 0 : -1;   /* dead or tied: 1/2 whether or not c* was isolated */
}

int dnc_closed_dnc(dnc_closed_t out, dnc_problem_t p, slong prec, char *err, size_t errlen)
{
    fmpq_t P, rhs;
    fmpz_poly_t f;
    dnc_alg_t calg;
    int found, res = 0;
    dnc_closed_init(out, p, "dnc", prec);
    if (dnc_fits(p, err, errlen))
        return -1;
    fmpq_init(P); fmpq_init(rhs);
    fmpz_poly_init(f);
    dnc_alg_init(calg);
    dnc_P(P, p);
    dnc_closed_dnc_q(rhs, p);
    out->alive = dnc_decide(out, rhs);
    dnc_closed_lowrank_poly(f, rhs, p->L);
    found = dnc_root(calg, f, p->L, out->alive);
    if (found < 0)
        res = dnc_fail(err, errlen, "dnc: could not isolate c* (subdivision budget exhausted)");
    else if (dnc_fill(out, calg, found, P, prec))
        res = dnc_fail(err, errlen, "dnc: internal error: a term of the point names no scalar");
    dnc_alg_clear(calg);
    fmpz_poly_clear(f);
    fmpq_clear(P); fmpq_clear(rhs);
    return res;
}
