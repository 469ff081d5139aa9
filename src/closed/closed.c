/* The closed-form result container shared by all constructions. */
#include <string.h>
#include <stdio.h>
#include "dncert/closed.h"

void dnc_closed_init(dnc_closed_t c, dnc_problem_t p, const char *structure, slong prec)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->structure, sizeof(c->structure), "%s", structure);
    c->p = p;
    c->prec = prec;
    arb_init(c->loss);
}

void dnc_closed_clear(dnc_closed_t c)
{
    slong i;
    for (i = 0; i < c->nscalars; i++) {
        arb_clear(c->scalars[i].value);
        dnc_alg_clear(c->scalars[i].alg);
    }
    if (c->has_point)
        dnc_bpoint_clear(c->point);
    arb_clear(c->loss);
}

dnc_closed_scalar *dnc_closed_add_scalar(dnc_closed_t c, const char *name)
{
    dnc_closed_scalar *s;
    if (c->nscalars == DNC_CLOSED_MAX_SCALARS)
        flint_abort();   /* a construction with more scalars is a programming error */
    s = c->scalars + c->nscalars++;
    snprintf(s->name, sizeof(s->name), "%s", name);
    arb_init(s->value);
    dnc_alg_init(s->alg);
    s->algebraic = 0;
    return s;
}

const dnc_closed_scalar *dnc_closed_get_scalar(const dnc_closed_t c, const char *name)
{
    slong i;
    for (i = 0; i < c->nscalars; i++)
        if (strcmp(c->scalars[i].name, name) == 0)
            return c->scalars + i;
    return NULL;
}
