/* Real algebraic numbers by isolating intervals (see dncert/algebraic.h). */
#include <math.h>
#include <arb_fmpz_poly.h>
#include <flint/fmpz_lll.h>
#include <flint/fmpz_mat.h>
#include <arb_poly.h>
#include "dncert/algebraic.h"

void dnc_alg_init(dnc_alg_t a)
{
    fmpz_poly_init(a->poly);
    fmpq_init(a->lo);
    fmpq_init(a->hi);
}

void dnc_alg_clear(dnc_alg_t a)
{
    fmpz_poly_clear(a->poly);
    fmpq_clear(a->lo);
    fmpq_clear(a->hi);
}

void dnc_alg_set(dnc_alg_t dst, const dnc_alg_t src)
{
    fmpz_poly_set(dst->poly, src->poly);
    fmpq_set(dst->lo, src->lo);
    fmpq_set(dst->hi, src->hi);
}

void dnc_poly_clear_denominators(fmpz_poly_t f, const fmpq_poly_t q)
{
    fmpq_poly_get_numerator(f, q);
    fmpz_poly_primitive_part(f, f);
    if (fmpz_poly_length(f) > 0 && fmpz_sgn(fmpz_poly_lead(f)) < 0)
        fmpz_poly_neg(f, f);
}

int dnc_poly_sign_at(const fmpz_poly_t f, const fmpq_t x)
{
    fmpq_t v;
    int s;
    fmpq_init(v);
    fmpz_poly_evaluate_fmpq(v, f, x);
    s = fmpq_sgn(v);
    fmpq_clear(v);
    return s;
}

/* A ball containing [lo, hi]. */
static void interval_ball(arb_t x, const fmpq_t lo, const fmpq_t hi, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_set_fmpq(x, lo, prec);
    arb_set_fmpq(t, hi, prec);
    arb_union(x, x, t, prec);
    arb_clear(t);
}

/* Encloses f over [lo, hi] in centred form: with m an exact dyadic near the midpoint
 * and R >= max |x - m| over the interval, f(m + t) = sum_k g_k t^k is evaluated at the
 * ball t = [0 +/- R]. Unlike Horner on the interval itself, the overestimation shrinks
 * with R, and cancellation between large alternating coefficients happens in the shift. */
static void enclose_on(arb_t y, const fmpz_poly_t f, const fmpq_t lo, const fmpq_t hi, slong prec)
{
    fmpq_t c, r;
    arb_t m, d, R;
    arf_t u;
    arb_poly_t g;
    fmpq_init(c); fmpq_init(r);
    arb_init(m); arb_init(d); arb_init(R);
    arf_init(u);
    arb_poly_init(g);
    fmpq_add(c, lo, hi);
    fmpq_div_2exp(c, c, 1);
    fmpq_sub(r, hi, lo);
    fmpq_div_2exp(r, r, 1);
    arb_set_fmpq(m, c, prec);
    mag_zero(arb_radref(m));                 /* m: exact dyadic close to c */
    arb_set_fmpq(d, c, prec);
    arb_sub(d, d, m, prec);
    arb_abs(d, d);                           /* encloses |c - m| */
    arb_set_fmpq(R, r, prec);
    arb_add(R, R, d, prec);                  /* encloses r + |c - m| */
    arb_get_abs_ubound_arf(u, R, prec);
    arb_zero(R);
    arb_add_error_arf(R, u);                 /* R = [0 +/- u] */
    arb_poly_set_fmpz_poly(g, f, prec);
    arb_poly_taylor_shift(g, g, m, prec);
    arb_poly_evaluate(y, g, R, prec);
    arb_poly_clear(g);
    arf_clear(u);
    arb_clear(m); arb_clear(d); arb_clear(R);
    fmpq_clear(c); fmpq_clear(r);
}

/* 1 if the enclosure of f over [lo, hi] excludes 0 (tried at two precisions). */
static int excludes_zero_on(const fmpz_poly_t f, const fmpq_t lo, const fmpq_t hi)
{
    arb_t y;
    slong prec;
    int ok = 0;
    arb_init(y);
    for (prec = 128; prec <= 1024 && !ok; prec *= 8) {
        enclose_on(y, f, lo, hi, prec);
        ok = !arb_contains_zero(y);
    }
    arb_clear(y);
    return ok;
}

int dnc_alg_check(const dnc_alg_t a)
{
    fmpz_poly_t d;
    int s_lo, s_hi, ok;
    if (fmpq_cmp(a->lo, a->hi) >= 0)
        return 0;
    s_lo = dnc_poly_sign_at(a->poly, a->lo);
    s_hi = dnc_poly_sign_at(a->poly, a->hi);
    if (s_lo == 0 || s_hi == 0 || s_lo == s_hi)
        return 0;
    fmpz_poly_init(d);
    fmpz_poly_derivative(d, a->poly);
    ok = excludes_zero_on(d, a->lo, a->hi);
    fmpz_poly_clear(d);
    return ok;
}

/* A split point strictly inside (a, b) where f does not vanish; 0 if none was found. */
static int split_point(fmpq_t m, const fmpz_poly_t f, const fmpq_t a, const fmpq_t b)
{
    static const int num[] = { 1, 3, 4, 5 }, den[] = { 2, 7, 9, 11 };
    fmpq_t w, frac;
    int i, ok = 0;
    fmpq_init(w);
    fmpq_init(frac);
    for (i = 0; i < 4 && !ok; i++) {
        fmpq_set_si(frac, num[i], den[i]);
        fmpq_sub(w, b, a);
        fmpq_mul(w, w, frac);
        fmpq_add(m, a, w);
        ok = dnc_poly_sign_at(f, m) != 0;
    }
    fmpq_clear(w);
    fmpq_clear(frac);
    return ok;
}

typedef struct {
    const fmpz_poly_struct *f;
    fmpz_poly_t df;
    slong budget;      /* subintervals left to examine */
    slong roots;       /* roots proven so far */
    int failed;
    fmpq_t found_lo, found_hi;
} isolate_state;

/* Counts the roots of f in (a, b), where f(a) and f(b) are non-zero with signs sa, sb:
 * a piece where f excludes 0 has none; a piece where f' excludes 0 has one iff the signs
 * differ; anything else is split. */
static void count_roots(isolate_state *st, const fmpq_t a, const fmpq_t b, int sa, int sb)
{
    fmpq_t m;
    int sm;
    if (st->failed || st->roots > 1)
        return;
    if (--st->budget < 0) {
        st->failed = 1;
        return;
    }
    if (excludes_zero_on(st->f, a, b))
        return;
    if (excludes_zero_on(st->df, a, b)) {
        if (sa != sb) {
            st->roots++;
            fmpq_set(st->found_lo, a);
            fmpq_set(st->found_hi, b);
        }
        return;
    }
    fmpq_init(m);
    if (!split_point(m, st->f, a, b))
        st->failed = 1;
    else {
        sm = dnc_poly_sign_at(st->f, m);
        count_roots(st, a, m, sa, sm);
        count_roots(st, m, b, sm, sb);
    }
    fmpq_clear(m);
}

int dnc_alg_isolate(dnc_alg_t a, const fmpz_poly_t f, const fmpq_t lo, const fmpq_t hi)
{
    isolate_state st;
    int sa = dnc_poly_sign_at(f, lo), sb = dnc_poly_sign_at(f, hi), ok;
    if (sa == 0 || sb == 0 || fmpq_cmp(lo, hi) >= 0 || fmpz_poly_degree(f) < 1)
        return 0;
    st.f = f;
    fmpz_poly_init(st.df);
    fmpz_poly_derivative(st.df, f);
    st.budget = 20000;
    st.roots = 0;
    st.failed = 0;
    fmpq_init(st.found_lo);
    fmpq_init(st.found_hi);
    count_roots(&st, lo, hi, sa, sb);
    ok = !st.failed && st.roots == 1;
    if (ok) {
        fmpz_poly_set(a->poly, f);
        fmpq_set(a->lo, st.found_lo);
        fmpq_set(a->hi, st.found_hi);
        ok = dnc_alg_check(a);
    }
    fmpz_poly_clear(st.df);
    fmpq_clear(st.found_lo);
    fmpq_clear(st.found_hi);
    return ok;
}

void dnc_alg_refine(dnc_alg_t a, slong bits)
{
    fmpq_t m, w, eps;
    int s_lo = dnc_poly_sign_at(a->poly, a->lo);
    fmpq_init(m);
    fmpq_init(w);
    fmpq_init(eps);
    fmpq_one(eps);
    fmpq_div_2exp(eps, eps, bits);
    for (;;) {
        int s;
        fmpq_sub(w, a->hi, a->lo);
        if (fmpq_cmp(w, eps) <= 0)
            break;
        fmpq_add(m, a->lo, a->hi);
        fmpq_div_2exp(m, m, 1);
        s = dnc_poly_sign_at(a->poly, m);
        if (s == 0) {
            /* The root is m itself: keep it strictly inside a tiny interval. f is strictly
             * monotone on the old interval, so the signs at m -/+ eps/2 still differ. */
            fmpq_div_2exp(eps, eps, 1);
            fmpq_sub(a->lo, m, eps);
            fmpq_add(a->hi, m, eps);
            break;
        }
        if (s == s_lo)
            fmpq_set(a->lo, m);
        else
            fmpq_set(a->hi, m);
    }
    fmpq_clear(m);
    fmpq_clear(w);
    fmpq_clear(eps);
}

/* Exact bisection to relative accuracy about 2^-prec: slow (one bit per step) but needs
 * nothing beyond the isolating interval. */
static void enclose_bisect(arb_t x, const dnc_alg_t a, slong prec)
{
    dnc_alg_t t;
    arb_t mag;
    slong e;
    dnc_alg_init(t);
    dnc_alg_set(t, a);
    /* Relative accuracy: refine to 2^-(prec + 4 - e) where |root| is about 2^e. */
    arb_init(mag);
    interval_ball(mag, a->lo, a->hi, 64);
    e = arb_is_zero(mag) ? 0 : arf_abs_bound_lt_2exp_si(arb_midref(mag));
    if (e < -100000 || e > 100000)
        e = 0;
    dnc_alg_refine(t, prec + 4 - (e < 0 ? e : 0));
    interval_ball(x, t->lo, t->hi, prec + 16);
    arb_set_round(x, x, prec);
    arb_clear(mag);
    dnc_alg_clear(t);
}

/* Interval Newton from the ball X, which contains the root r, with f' != 0 on X: by the mean
 * value theorem r = m - f(m)/f'(xi) for some xi in X, so r lies in N = m - f(m)/f'(X), and
 * X <- X intersected with N keeps it while converging quadratically. Stops when X has prec
 * relative bits (returns 1), or when f'(X) contains 0 or progress stalls at the highest
 * working precision (returns 0, X still contains r). */
static int newton_enclose(arb_t X, const fmpz_poly_t f, const fmpz_poly_t df, slong prec)
{
    slong wp = prec + 64, it;
    arb_t m, fm, d, N;
    int ok = 0;
    arb_init(m); arb_init(fm); arb_init(d); arb_init(N);
    for (it = 0; it < 400 && !ok; it++) {
        mag_t before;
        if (arb_rel_accuracy_bits(X) >= prec + 4) {
            ok = 1;
            break;
        }
        arb_get_mid_arb(m, X);
        arb_fmpz_poly_evaluate_arb(fm, f, m, wp);
        arb_fmpz_poly_evaluate_arb(d, df, X, wp);
        if (arb_contains_zero(d))
            break;
        arb_div(N, fm, d, wp);
        arb_sub(N, m, N, wp);
        mag_init_set(before, arb_radref(X));
        if (!arb_intersection(X, X, N, wp)) {   /* impossible when the inputs are right */
            mag_clear(before);
            break;
        }
        mag_mul_2exp_si(before, before, -1);
        if (mag_cmp(arb_radref(X), before) > 0) {   /* stalled: cancellation in f(m) */
            if (wp > 16 * prec + 1024) {
                mag_clear(before);
                break;
            }
            wp *= 2;
        }
        mag_clear(before);
    }
    arb_clear(m); arb_clear(fm); arb_clear(d); arb_clear(N);
    return ok;
}

void dnc_alg_enclose(arb_t x, const dnc_alg_t a, slong prec)
{
    dnc_alg_t t;
    fmpz_poly_t df;
    fmpq_t w;
    slong round, bits;
    int ok = 0;
    dnc_alg_init(t);
    fmpz_poly_init(df);
    fmpq_init(w);
    dnc_alg_set(t, a);
    fmpz_poly_derivative(df, t->poly);
    /* Interval Newton converges quadratically once f'(X) is tight; where it is too coarse
     * on a wide interval, exact bisection steps narrow the interval first. */
    for (round = 0; round < 8 && !ok; round++) {
        interval_ball(x, t->lo, t->hi, prec + 64);
        ok = newton_enclose(x, t->poly, df, prec);
        if (!ok) {
            fmpq_sub(w, t->hi, t->lo);
            bits = (slong) fmpz_bits(fmpq_denref(w)) - (slong) fmpz_bits(fmpq_numref(w)) + 16;
            dnc_alg_refine(t, bits > 16 ? bits : 16);
        }
    }
    if (ok)
        arb_set_round(x, x, prec);
    else
        enclose_bisect(x, a, prec);
    fmpq_clear(w);
    fmpz_poly_clear(df);
    dnc_alg_clear(t);
}

int dnc_alg_cmp_fmpq(const dnc_alg_t a, const fmpq_t q)
{
    int s;
    if (fmpq_cmp(q, a->lo) <= 0)
        return 1;
    if (fmpq_cmp(q, a->hi) >= 0)
        return -1;
    s = dnc_poly_sign_at(a->poly, q);
    if (s == 0)
        return 0;
    return s == dnc_poly_sign_at(a->poly, a->lo) ? 1 : -1;
}

/* ---- integer relations (candidates only) ---- */

/* log10 |v| for a non-zero ball midpoint, -inf for 0. */
static double arb_mid_log10(const arb_t v)
{
    arf_t mant;
    fmpz_t e;
    double r;
    if (arf_is_zero(arb_midref(v)))
        return -INFINITY;
    arf_init(mant);
    fmpz_init(e);
    arf_frexp(mant, e, arb_midref(v));
    r = log10(fabs(arf_get_d(mant, ARF_RND_NEAR))) + fmpz_get_d(e) * log10(2.0);
    arf_clear(mant);
    fmpz_clear(e);
    return r;
}

/* The first vector of the LLL-reduced relation lattice of (1, x, .., x^d) at scale 2^S, as
 * a polynomial. */
static void relation(fmpz_poly_t f, const arb_t x, slong d, slong S, slong prec)
{
    fmpz_mat_t B;
    fmpz_lll_t ctx;
    arb_t pw;
    slong i;
    fmpz_mat_init(B, d + 1, d + 2);
    arb_init(pw);
    arb_one(pw);
    for (i = 0; i <= d; i++) {
        arb_t t;
        arb_init(t);
        fmpz_one(fmpz_mat_entry(B, i, i));
        arb_mul_2exp_si(t, pw, S);
        arf_get_fmpz(fmpz_mat_entry(B, i, d + 1), arb_midref(t), ARF_RND_NEAR);
        arb_mul(pw, pw, x, prec);
        arb_clear(t);
    }
    fmpz_lll_context_init_default(ctx);
    fmpz_lll(B, NULL, ctx);
    fmpz_poly_zero(f);
    for (i = 0; i <= d; i++)
        fmpz_poly_set_coeff_fmpz(f, i, fmpz_mat_entry(B, 0, i));
    fmpz_mat_clear(B);
    arb_clear(pw);
}

slong dnc_alg_recognize(fmpz_poly_t f, double *residual_log10, const arb_t x, slong bits, slong maxdeg)
{
    slong S = bits - 8, prec = bits + 64 + 8 * maxdeg, d;
    arb_t xm, v;
    arb_init(xm);
    arb_init(v);
    arb_get_mid_arb(xm, x);
    for (d = 1; S > 16 && d <= maxdeg; d++) {
        double h, res, scale;
        relation(f, xm, d, S, prec);
        if (fmpz_poly_degree(f) < 1)
            continue;
        h = fmpz_poly_max_bits(f) < 0 ? -fmpz_poly_max_bits(f) : fmpz_poly_max_bits(f);
        arb_fmpz_poly_evaluate_arb(v, f, xm, prec);
        res = arb_mid_log10(v);
        scale = (double) d * FLINT_MAX(0.0, arb_mid_log10(xm)) + h * log10(2.0) + log10((double) d + 1);
        if ((d + 2) * h <= 0.75 * S && res <= scale - S * log10(2.0) + 3) {
            fmpz_poly_primitive_part(f, f);
            if (fmpz_sgn(fmpz_poly_lead(f)) < 0)
                fmpz_poly_neg(f, f);
            *residual_log10 = res;
            arb_clear(xm);
            arb_clear(v);
            return fmpz_poly_degree(f);
        }
    }
    fmpz_poly_zero(f);
    arb_clear(xm);
    arb_clear(v);
    return 0;
}
