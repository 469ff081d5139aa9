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
