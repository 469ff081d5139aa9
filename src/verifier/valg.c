/* Algebraic numbers (format §7) and the bisection the checker uses for every root it
 * encloses. Signs are decided in ball arithmetic, with an exact rational evaluation as the
 * last resort for polynomials; a sign that cannot be decided stops the refinement (the
 * bracket still holds the root), so no input can make it loop. */
#include <arb_poly.h>
#include "verifier.h"

void vx_ball(arb_t r, const fmpq *lo, const fmpq *hi, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_set_fmpq(r, lo, prec);
    arb_set_fmpq(t, hi, prec);
    arb_union(r, r, t, prec);
    arb_clear(t);
}

/* ---- bisection ---- */

void vx_bisect(arb_t r, int (*sign)(const fmpq_t x, void *arg, slong prec), void *arg,
               const fmpq_t lo0, const fmpq_t hi0, int slo, slong prec)
{
    fmpq_t lo, hi, m;
    slong it;
    int s;
    fmpq_init(lo);
    fmpq_init(hi);
    fmpq_init(m);
    fmpq_set(lo, lo0);
    fmpq_set(hi, hi0);
    /* Until the bracket is narrower than 2^-(prec+8) of the root's size, or than
     * 2^-(2 prec+16) (a root at or near 0), or a sign is undecided. */
    for (it = 0; it < 4 * prec + 64 && slo != 0; it++) {
        vx_ball(r, lo, hi, prec + 64);
        if (arb_rel_accuracy_bits(r) >= prec + 8 || mag_cmp_2exp_si(arb_radref(r), -2 * prec - 16) < 0)
            break;
        fmpq_add(m, lo, hi);
        fmpq_div_2exp(m, m, 1);
        if ((s = sign(m, arg, prec)) == 2)   /* undecided: the bracket still holds the zero */
            break;
        if (s == 0) {                        /* m is the zero */
            fmpq_set(lo, m);
            fmpq_set(hi, m);
            break;
        }
        fmpq_set(s == slo ? lo : hi, m);
    }
    vx_ball(r, lo, hi, prec);
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpq_clear(m);
}

/* ---- polynomials ---- */

typedef struct {
    const fmpz_poly_struct *p;
    arb_poly_t b;          /* p with ball coefficients (exact integers) */
} poly_arg;

/* Sign of p(x) in balls at two precisions; 2 when undecided. */
static int poly_ball_sign(const fmpq_t x, void *varg, slong prec)
{
    poly_arg *a = varg;
    arb_t bx, v;
    slong wp;
    int s = 2;
    arb_init(bx);
    arb_init(v);
    for (wp = prec + 64; wp <= 4 * (prec + 64) && s == 2; wp *= 4) {
        arb_set_fmpq(bx, x, wp);
        arb_poly_evaluate(v, a->b, bx, wp);
        s = arb_is_positive(v) ? 1 : arb_is_negative(v) ? -1 : arb_is_zero(v) ? 0 : 2;
    }
    arb_clear(bx);
    arb_clear(v);
    return s;
}

/* Sign of p(x): in balls, then exactly if the exact value is of bounded size (degree times
 * the bits of x at most 2^22, so no input makes this expensive); 0 when p(x) = 0, 2 when the
 * sign is undecided. Only the endpoints of intervals take this path, never bisection. */
static int poly_sign(const fmpq_t x, void *varg, slong prec)
{
    poly_arg *a = varg;
    slong bits = fmpz_bits(fmpq_numref(x)) + fmpz_bits(fmpq_denref(x));
    fmpq_t e;
    int s = poly_ball_sign(x, varg, prec);
    if (s != 2)
        return s;
    if ((double) fmpz_poly_degree(a->p) * (double) (bits + 1) + (double) FLINT_ABS(fmpz_poly_max_bits(a->p)) > (double) (1L << 22))
        return 2;
    fmpq_init(e);
    fmpz_poly_evaluate_fmpq(e, a->p, x);
    s = fmpq_sgn(e);
    fmpq_clear(e);
    return s;
}

int vx_sign_at(const fmpz_poly_t p, const fmpq *x, slong prec)
{
    poly_arg a;
    int s;
    a.p = p;
    arb_poly_init(a.b);
    arb_poly_set_fmpz_poly(a.b, p, 4 * (prec + 64));
    s = poly_sign(x, &a, prec);
    arb_poly_clear(a.b);
    return s == 2 ? 0 : s;
}

/* (ii) of §7.1: with [m +/- R] a ball containing [lo, hi] (m an exact dyadic), the Taylor
 * expansion of p' about m, evaluated at [0 +/- R], excludes 0. */
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
    vx_ball(x, lo, hi, prec);
    arb_get_mid_arb(m, x);
    arf_zero(arb_midref(x));
    arb_poly_taylor_shift(q, q, m, prec);   /* q(t) = p'(m + t) */
    arb_poly_evaluate(x, q, x, prec);
    ok = arb_is_finite(x) && !arb_contains_zero(x);
    fmpz_poly_clear(d);
    arb_poly_clear(q);
    arb_clear(m);
    arb_clear(x);
    return ok;
}

int vx_isolates(const fmpz_poly_t p, const fmpq *lo, const fmpq *hi, slong prec)
{
    poly_arg a;
    int ok;
    if (fmpz_poly_degree(p) < 1 || fmpq_cmp(lo, hi) >= 0)
        return 0;
    a.p = p;
    arb_poly_init(a.b);
    arb_poly_set_fmpz_poly(a.b, p, 4 * (prec + 64));
    /* (i): non-zero values of opposite signs */
    ok = vx_sign_at(p, lo, prec) * vx_sign_at(p, hi, prec) == -1 && derivative_excludes_zero(p, lo, hi, prec);
    arb_poly_clear(a.b);
    return ok;
}

void vx_root_ball(arb_t r, const fmpz_poly_t p, const fmpq *lo, const fmpq *hi, slong prec)
{
    poly_arg a;
    a.p = p;
    arb_poly_init(a.b);
    arb_poly_set_fmpz_poly(a.b, p, 4 * (prec + 64));
    vx_bisect(r, poly_ball_sign, &a, lo, hi, vx_sign_at(p, lo, prec), prec);
    arb_poly_clear(a.b);
}
