/* Small helpers shared by the DNC, deep linear, UFM and Tirer-Bruna constructions. */
#include <stdio.h>
#include "dnc_priv.h"

void _dnc_closed_lambda_prod(fmpq_t Lam, const dnc_problem_struct *p)
{
    slong l;
    fmpq_one(Lam);
    for (l = 0; l < p->L; l++)
        fmpq_mul(Lam, Lam, p->lambda_w + l);
}

slong _dnc_closed_min_width(const dnc_problem_struct *p, slong *which)
{
    slong l, best = 0;
    for (l = 1; l < p->L; l++)
        if (p->width[l] < p->width[best])
            best = l;
    *which = best + 1;
    return p->width[best];
}

void _dnc_closed_add_alg(dnc_closed_t c, const char *name, const dnc_alg_t a, const arb_t value)
{
    dnc_closed_scalar *s = dnc_closed_add_scalar(c, name);
    s->algebraic = 1;
    dnc_alg_set(s->alg, a);
    arb_set(s->value, value);
}

void _dnc_closed_add_ball(dnc_closed_t c, const char *name, const arb_t v)
{
    dnc_closed_scalar *s = dnc_closed_add_scalar(c, name);
    arb_set(s->value, v);
}

int _dnc_closed_set_zero_point(dnc_closed_t c)
{
    dnc_problem_struct *p = c->p;
    dnc_closed_term *t;
    slong k;
    if (p->bias == DNC_BIAS_FREE) {
        t = dnc_closed_add_term(c, p->L + 1, "");   /* b_k = n_k/N minimises the fit at Z = 0 */
        for (k = 0; k < p->K; k++)
            dnc_closed_term_set_si(t, k, 0, p->n[k], (ulong) p->N);
    }
    return dnc_closed_point_from_terms(c);
}

void _dnc_closed_balanced_scales(dnc_closed_t out, const arb_t c, const fmpq_t P, const fmpq_t hidden, slong prec)
{
    const dnc_problem_struct *p = out->p;
    slong L = p->L, l;
    arb_t nu, tau, t, a, s;
    char name[32];
    arb_init(nu);
    arb_init(tau);
    arb_init(t);
    arb_init(a);
    arb_init(s);
    arb_set_fmpq(nu, P, prec);
    arb_root_ui(nu, nu, (ulong) (L + 1), prec);
    if (arb_is_zero(c))
        arb_zero(tau);   /* L = 1 at the tie: c* = 0 and the DNC point is the zero point */
    else {
        arb_sqr(tau, c, prec);
        arb_set_fmpq(t, P, prec);
        arb_mul(tau, tau, t, prec);
        arb_root_ui(tau, tau, (ulong) (L + 1), prec);
    }
    _dnc_closed_add_ball(out, "nu", nu);
    _dnc_closed_add_ball(out, "tau", tau);
    arb_set_fmpq(t, p->lambda_h, prec);
    arb_mul_si(t, t, p->n[0], prec);
    arb_div(a, tau, t, prec);
    if (!fmpq_is_one(hidden)) {   /* not even a product by 1: it would widen the radius */
        arb_set_fmpq(t, hidden, prec);
        arb_mul(a, a, t, prec);
    }
    arb_sqrt(a, a, prec);
    _dnc_closed_add_ball(out, "a", a);
    for (l = 1; l <= L; l++) {
        arb_set_fmpq(t, p->lambda_w + l - 1, prec);
        arb_div(s, tau, t, prec);
        if (l < L && !fmpq_is_one(hidden)) {
            arb_set_fmpq(t, hidden, prec);
            arb_mul(s, s, t, prec);
        }
        arb_sqrt(s, s, prec);
        snprintf(name, sizeof(name), "s_%ld", (long) l);
        _dnc_closed_add_ball(out, name, s);
    }
    arb_clear(nu);
    arb_clear(tau);
    arb_clear(t);
    arb_clear(a);
    arb_clear(s);
}
