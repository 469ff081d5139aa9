/* Algebraic numbers (format §7) and the rules of the one-parameter families (§8),
 * written from the format's definitions alone. Signs are exact (FLINT rationals); only
 * the derivative bound and the final root ball use Arb. */
#include <string.h>
#include <arb_poly.h>
#include "verify_priv.h"

static int sign_at(const fmpz_poly_t p, const fmpq_t x)
{
    fmpq_t v;
    int s;
    fmpq_init(v);
    fmpz_poly_evaluate_fmpq(v, p, x);
    s = fmpq_sgn(v);
    fmpq_clear(v);
    return s;
}

void va_ball(arb_t r, const fmpq *lo, const fmpq *hi, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_set_fmpq(r, lo, prec);
    arb_set_fmpq(t, hi, prec);
    arb_union(r, r, t, prec);
    arb_clear(t);
}

/* (ii) of §7.1: with [m +/- R] a ball containing [lo, hi] (m is an exact dyadic), the
 * Taylor expansion of p' about m, evaluated at [0 +/- R], excludes 0. */
static int derivative_excludes_zero(const fmpz_poly_t p, const fmpq_t lo, const fmpq_t hi, slong prec)
{
    fmpz_poly_t d;
    arb_poly_t q;
    arb_t m, x;
    int ok;
    fmpz_poly_init(d);
    arb_poly_init(q);
    arb_init(m);
    arb_init(x);
    fmpz_poly_derivative(d, p);
    arb_poly_set_fmpz_poly(q, d, prec);
    va_ball(x, lo, hi, prec);
    arb_get_mid_arb(m, x);
    arf_zero(arb_midref(x));                    /* [0 +/- R] */
    arb_poly_taylor_shift(q, q, m, prec);       /* q(t) = p'(m + t) */
    arb_poly_evaluate(x, q, x, prec);
    ok = arb_is_finite(x) && !arb_contains_zero(x);
    fmpz_poly_clear(d);
    arb_poly_clear(q);
    arb_clear(m);
    arb_clear(x);
    return ok;
}

int va_isolates(const fmpz_poly_t p, const fmpq *lo, const fmpq *hi, slong prec)
{
    if (fmpz_poly_degree(p) < 1 || fmpq_cmp(lo, hi) >= 0)
        return 0;
    if (sign_at(p, lo) * sign_at(p, hi) != -1)   /* (i): non-zero, opposite signs */
        return 0;
    return derivative_excludes_zero(p, lo, hi, prec);
}

void va_enclose(arb_t r, const fmpz_poly_t p, const fmpq *lo0, const fmpq *hi0, slong prec)
{
    fmpq_t lo, hi, m;
    slong it, cap = 64 * (prec + 64);           /* only the tightness depends on the cap */
    int slo = sign_at(p, lo0), sm;
    fmpq_init(lo);
    fmpq_init(hi);
    fmpq_init(m);
    fmpq_set(lo, lo0);
    fmpq_set(hi, hi0);
    /* A root at 0 inside (lo, hi) would never reach a relative width. */
    if (fmpq_sgn(lo) < 0 && fmpq_sgn(hi) > 0 && fmpz_is_zero(p->coeffs))
        fmpq_zero(lo), fmpq_zero(hi);
    /* Until the width is below 2^-(prec+8) relative to the root (the ball [lo, hi], formed
     * at a higher precision, has that relative accuracy). */
    for (it = 0, va_ball(r, lo, hi, prec + 64); it < cap && arb_rel_accuracy_bits(r) < prec + 8; it++) {
        fmpq_add(m, lo, hi);
        fmpq_div_2exp(m, m, 1);
        sm = sign_at(p, m);
        if (sm == 0)
            fmpq_set(lo, m), fmpq_set(hi, m);
        else
            fmpq_set(sm == slo ? lo : hi, m);
        va_ball(r, lo, hi, prec + 64);
    }
    va_ball(r, lo, hi, prec);
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpq_clear(m);
}

/* q *= (num/den)^e for any integer exponent e (num != 0 when e < 0). */
static void mul_pow(fmpq_t q, slong num, slong den, slong e)
{
    fmpq_t t;
    fmpq_init(t);
    fmpq_set_si(t, num, (ulong) den);
    fmpq_pow_si(t, t, e);
    fmpq_mul(q, q, t);
    fmpq_clear(t);
}

int va_rule(vctx *c, const json_t *rule, const char *path, fmpq_t Q)
{
    const dnc_problem_struct *p = c->p;
    const char *st;
    slong L = p->L, l, r = 0, v = 0;
    if (vj_schema(c, rule, path, "family:s structure:s r:i? v:i?"))
        return -1;
    st = vj_s(rule, "structure");
    if (strcmp(vj_s(rule, "family"), "lowrank") != 0)
        return vj_fail(c, "%s.family: unknown family '%s'", path, vj_s(rule, "family"));
    if (strcmp(st, "dnc") != 0 && strcmp(st, "srg") != 0 && strcmp(st, "sts") != 0)
        return vj_fail(c, "%s.structure: unknown structure '%s'", path, st);
    /* srg has exactly "r", sts exactly "v", dnc neither; r, v >= 2 keep K1, K2 > 0. */
    if ((json_object_get(rule, "r") != NULL) != (strcmp(st, "srg") == 0)
        || (json_object_get(rule, "v") != NULL) != (strcmp(st, "sts") == 0))
        return vj_fail(c, "%s: the srg rule needs \"r\", the sts rule \"v\", and no other rule has them", path);
    if ((json_object_get(rule, "r") && vj_range(c, rule, path, "r", 2, 1000000, &r))
        || (json_object_get(rule, "v") && vj_range(c, rule, path, "v", 2, 1000000, &v)))
        return -1;
    if (!dnc_problem_is_balanced(p))
        return 0;
    /* P = n lambda_H prod_l lambda_W_l, then Q = K^{L+1} P times the structure's factor. */
    fmpq_mul_si(Q, p->lambda_h, p->n[0]);
    for (l = 0; l < L; l++)
        fmpq_mul(Q, Q, p->lambda_w + l);
    mul_pow(Q, p->K, 1, L + 1);
    if (r) {            /* r^{L-1} / (2 K1^{L-2}), K1 = r(r-1)/2 */
        mul_pow(Q, r, 1, L - 1);
        mul_pow(Q, r * (r - 1), 2, 2 - L);
        mul_pow(Q, 2, 1, -1);
    } else if (v) {     /* v^{L-2} (v+9) / (12 K2^{L-2}), K2 = v(v-1)/6 */
        mul_pow(Q, v, 1, L - 2);
        mul_pow(Q, v + 9, 1, 1);
        mul_pow(Q, v * (v - 1), 6, 2 - L);
        mul_pow(Q, 12, 1, -1);
    }
    return 1;
}

int va_is_rule_poly(const fmpz_poly_t p, const fmpq_t Q, slong L)
{
    fmpz_poly_t q, a, b;
    fmpz_t c0;
    int eq;
    fmpz_poly_init(q);
    fmpz_poly_init(a);
    fmpz_poly_init(b);
    fmpz_init(c0);
    fmpz_poly_set_coeff_si(a, 0, 1);
    fmpz_poly_set_coeff_si(a, 1, -1);               /* 1 - c */
    fmpz_poly_pow(q, a, (ulong) (L + 1));
    fmpz_poly_shift_left(q, q, L - 1);              /* times c^{L-1} */
    fmpz_poly_scalar_mul_fmpz(q, q, fmpq_denref(Q));
    fmpz_poly_get_coeff_fmpz(c0, q, 0);
    fmpz_sub(c0, c0, fmpq_numref(Q));
    fmpz_poly_set_coeff_fmpz(q, 0, c0);
    /* p = x q with a rational x != 0  iff  p != 0 and lead(q) p = lead(p) q */
    eq = 0;
    if (!fmpz_poly_is_zero(p)) {
        fmpz_poly_scalar_mul_fmpz(a, p, fmpz_poly_lead(q));
        fmpz_poly_scalar_mul_fmpz(b, q, fmpz_poly_lead(p));
        eq = fmpz_poly_equal(a, b);
    }
    fmpz_poly_clear(q);
    fmpz_poly_clear(a);
    fmpz_poly_clear(b);
    fmpz_clear(c0);
    return eq;
}

void va_alive_threshold(fmpq_t T, slong L)
{
    fmpz_t d;
    fmpz_init(d);
    fmpz_set_si(fmpq_numref(T), L - 1);
    fmpz_pow_ui(fmpq_numref(T), fmpq_numref(T), (ulong) (L - 1));
    fmpz_set_si(d, L);
    fmpz_pow_ui(fmpq_denref(T), d, (ulong) (2 * L));
    fmpq_canonicalise(T);
    fmpz_clear(d);
}
