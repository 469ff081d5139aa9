/* The closed-form result container shared by all constructions. */
#include <string.h>
#include <stdio.h>
#include "dncert/closed.h"

const char *dnc_alive_name(dnc_alive_t a)
{
    return a == DNC_ALIVE ? "alive" : a == DNC_DEAD ? "dead" : "tie";
}

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
    flint_free(c->scalars);
    for (i = 0; i < c->nterms; i++) {
        flint_free(c->terms[i].row);
        flint_free(c->terms[i].col);
        _fmpq_vec_clear(c->terms[i].val, c->terms[i].alloc);
    }
    flint_free(c->terms);
    if (c->has_point)
        dnc_bpoint_clear(c->point);
    arb_clear(c->loss);
}

dnc_closed_scalar *dnc_closed_add_scalar(dnc_closed_t c, const char *name)
{
    dnc_closed_scalar *s;
    if (c->nscalars == c->scalars_alloc) {
        c->scalars_alloc = 2 * c->scalars_alloc + 8;
        c->scalars = flint_realloc(c->scalars, c->scalars_alloc * sizeof(dnc_closed_scalar));
    }
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

dnc_closed_term *dnc_closed_add_term(dnc_closed_t c, slong block, const char *scale)
{
    dnc_closed_term *t;
    if (c->nterms == c->terms_alloc) {
        c->terms_alloc = 2 * c->terms_alloc + 8;
        c->terms = flint_realloc(c->terms, c->terms_alloc * sizeof(dnc_closed_term));
    }
    t = c->terms + c->nterms++;
    memset(t, 0, sizeof(*t));
    t->block = block;
    snprintf(t->scale, sizeof(t->scale), "%s", scale ? scale : "");
    return t;
}

void dnc_closed_term_set(dnc_closed_term *t, slong i, slong j, const fmpq_t v)
{
    if (t->n == t->alloc) {
        slong old = t->alloc, k;
        fmpq *val;
        t->alloc = 2 * t->alloc + 16;
        t->row = flint_realloc(t->row, t->alloc * sizeof(slong));
        t->col = flint_realloc(t->col, t->alloc * sizeof(slong));
        val = _fmpq_vec_init(t->alloc);
        for (k = 0; k < old; k++)
            fmpq_swap(val + k, t->val + k);
        if (t->val != NULL)
            _fmpq_vec_clear(t->val, old);
        t->val = val;
    }
    t->row[t->n] = i;
    t->col[t->n] = j;
    fmpq_set(t->val + t->n, v);
    t->n++;
}

void dnc_closed_term_set_si(dnc_closed_term *t, slong i, slong j, slong num, ulong den)
{
    fmpq_t q;
    fmpq_init(q);
    fmpq_set_si(q, num, den);
    dnc_closed_term_set(t, i, j, q);
    fmpq_clear(q);
}

int dnc_closed_point_from_terms(dnc_closed_t c)
{
    slong i, k, prec = c->prec + 16;
    arb_t s, e;
    if (c->has_point)
        dnc_bpoint_clear(c->point);
    dnc_bpoint_init_collapsed(c->point, c->p);
    c->has_point = 1;
    arb_init(s);
    arb_init(e);
    for (i = 0; i < c->nterms; i++) {
        const dnc_closed_term *t = c->terms + i;
        arb_mat_struct *m = dnc_bpoint_block(c->point, t->block);
        if (t->scale[0] == '\0')
            arb_one(s);
        else if (dnc_closed_get_scalar(c, t->scale) != NULL)
            arb_set(s, dnc_closed_get_scalar(c, t->scale)->value);
        else
            break;
        for (k = 0; k < t->n; k++) {
            arb_ptr entry = arb_mat_entry(m, t->row[k], t->col[k]);
            arb_set_fmpq(e, t->val + k, prec);
            arb_addmul(entry, e, s, prec);
        }
    }
    arb_clear(s);
    arb_clear(e);
    return i == c->nterms ? 0 : -1;
}

const dnc_structure dnc_structures[] = {
    { "dnc", "DNC", NULL, NULL, 1, NULL, dnc_closed_dnc, dnc_closed_dnc_ce },
    { "srg", "SRG", "r", "number of vertices r of K_r (K = r(r-1)/2 classes)", 1, &dnc_design_srg, NULL, NULL },
    { "sts", "STS", "v", "order v of the Steiner triple system (K = v(v-1)/6 classes)", 1, &dnc_design_sts, NULL, NULL },
    { "deep-linear", "DL", NULL, NULL, 0, NULL, dnc_closed_deep_linear, dnc_closed_deep_linear_ce },
    { "ufm", "UFM", NULL, NULL, 0, NULL, dnc_closed_ufm, dnc_closed_ufm_ce },
    { "tirer-bruna", "TB", NULL, NULL, 0, NULL, dnc_closed_tirer_bruna, NULL },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL }
};

const dnc_structure *dnc_structure_find(const char *name)
{
    const dnc_structure *s;
    for (s = dnc_structures; name != NULL && s->name != NULL; s++)
        if (strcmp(name, s->name) == 0)
            return s;
    return NULL;
}

const char *dnc_structure_list(char *buf, size_t len)
{
    const dnc_structure *s;
    size_t used = 0;
    buf[0] = '\0';
    for (s = dnc_structures; s->name != NULL && used < len; s++)
        used += (size_t) snprintf(buf + used, len - used, "%s%s", s == dnc_structures ? "" : ", ", s->name);
    return buf;
}

/* The names of the structures that have a cross-entropy construction, for messages. */
static const char *closed_list_ce(char *buf, size_t len)
{
    const dnc_structure *s;
    size_t used = 0;
    buf[0] = '\0';
    for (s = dnc_structures; s->name != NULL && used < len; s++)
        if (s->build_ce != NULL)
            used += (size_t) snprintf(buf + used, len - used, "%s%s", used ? ", " : "", s->name);
    return buf;
}

static int closed_build_ce(dnc_closed_t c, const dnc_structure *s, dnc_problem_t p, slong prec, char *err,
                           size_t errlen)
{
    char list[128];
    if (s->build_ce != NULL)
        return s->build_ce(c, p, prec, err, errlen);
    dnc_closed_init(c, p, s->name, prec);
    return dnc_fail(err, errlen, "--loss: no cross-entropy closed form is derived for %s (docs/math/cross-entropy.md); "
                    "with --loss ce closed-form supports %s, or use --loss mse", s->name,
                    closed_list_ce(list, sizeof(list)));
}

int dnc_closed_build(dnc_closed_t c, const char *structure, dnc_problem_t p, slong param, int embed,
                     slong prec, char *err, size_t errlen)
{
    const dnc_structure *s = dnc_structure_find(structure);
    char list[128];
    if (s != NULL && p->loss == DNC_LOSS_CE)
        return closed_build_ce(c, s, p, prec, err, errlen);
    if (s != NULL && s->design != NULL)
        return dnc_design_build(c, s, p, param, embed, prec, err, errlen);
    if (s != NULL)
        return s->build(c, p, prec, err, errlen);
    dnc_closed_init(c, p, structure, prec);
    snprintf(err, errlen, "unknown structure '%s' (%s)", structure, dnc_structure_list(list, sizeof(list)));
    return -1;
}
