/* Low-rank designs through one engine: the parameter checks, the exactly checked block,
 * Q, the comparison with DNC and the class-mean pattern, for any dnc_design of the
 * registry (closed.h). The design itself only supplies its incidence matrix. */
#include <stdio.h>
#include "lowrank.h"

/* 1 if param names a member of the design (no message). */
static int design_has(const dnc_design *d, slong param)
{
    char err[8];
    return param >= d->pmin && param <= d->pmax && d->exists(param, err, sizeof(err));
}

/* Range and existence of the parameter; 0 or -1 with a message naming --<param>. */
static int design_check_param(const dnc_structure *s, slong param, char *err, size_t errlen)
{
    const dnc_design *d = s->design;
    if (param < d->pmin || param > d->pmax) {
        snprintf(err, errlen, "--%s: must be an integer in [%ld, %ld] (got %ld)", s->param, (long) d->pmin,
                 (long) d->pmax, (long) param);
        return -1;
    }
    return d->exists(param, err, errlen) ? 0 : -1;
}

/* The design block of member param: B its incidence, W = B^T - J/k, ReLU(W B) = h I
 * checked exactly. Returns 1, or 0 if the construction fails that check. */
static int design_block(dnc_lr_block *b, const dnc_structure *s, slong param, int embedded)
{
    const dnc_design *d = s->design;
    fmpz_mat_t B;
    int ok;
    fmpz_mat_init(B, param, d->nclass(param));
    ok = d->incidence(B, param);
    ok = dnc_lr_block_init_design(b, s->name, B) && ok;
    snprintf(b->formula, sizeof(b->formula), "%s", embedded ? d->formula_embedded : d->formula);
    fmpz_mat_clear(B);
    return ok;
}

/* The parameter and the problem for the point; 0 or -1 with a message. */
static int design_check(const dnc_structure *s, const dnc_problem_t p, slong param, int embed, char *err,
                        size_t errlen)
{
    char what[64];
    if (design_check_param(s, param, err, errlen))
        return -1;
    snprintf(what, sizeof(what), s->design->what, (long) param);
    return dnc_lr_check(p, what, s->param, param, s->design->nclass(param), embed, err, errlen);
}

int dnc_design_build(dnc_closed_t out, const dnc_structure *s, dnc_problem_t p, slong param, int embed,
                     slong prec, char *err, size_t errlen)
{
    char name[32], what[64];
    int embedded = s->design != NULL && design_has(s->design, param) && p->K > s->design->nclass(param), rc;
    dnc_lr_block b;
    snprintf(name, sizeof(name), "%s%s", s->name, embed && embedded ? "-embedded" : "");
    dnc_closed_init(out, p, name, prec);
    if (s->design == NULL) {
        snprintf(err, errlen, "%s is not a low-rank design", s->name);
        return -1;
    }
    if (design_check(s, p, param, embed, err, errlen))
        return -1;
    if (!design_block(&b, s, param, embedded)) {
        snprintf(what, sizeof(what), s->design->what, (long) param);
        snprintf(err, errlen, "%s: the construction failed its exact check ReLU(W B) = h I "
                 "(this is a bug; please report it)", what);
        dnc_lr_block_clear(&b);
        return -1;
    }
    rc = dnc_lr_run(out, &b, err, errlen);
    dnc_lr_block_clear(&b);
    return rc;
}

int dnc_design_q(fmpq_t Q, const dnc_structure *s, const dnc_problem_t p, slong param)
{
    dnc_lr_block b;
    int ok;
    if (s == NULL || s->design == NULL || !design_has(s->design, param) || p->L < 2
        || !dnc_problem_is_balanced(p) || p->K < s->design->nclass(param))
        return 0;
    ok = design_block(&b, s, param, p->K > s->design->nclass(param));
    if (ok)
        dnc_lr_block_q(Q, &b, p);
    dnc_lr_block_clear(&b);
    return ok;
}

int dnc_design_beats_dnc(const dnc_structure *s, const dnc_problem_t p, slong param, int embed)
{
    char err[256];
    dnc_lr_block b;
    int ok;
    /* Only a point that exists for p can beat anything. */
    if (s == NULL || s->design == NULL || design_check(s, p, param, embed, err, sizeof(err)))
        return 0;
    ok = design_block(&b, s, param, p->K > s->design->nclass(param)) && dnc_lr_beats_dnc(&b, p);
    dnc_lr_block_clear(&b);
    return ok;
}

int dnc_design_mtilde(fmpq_mat_t M, const dnc_structure *s, slong param, slong K)
{
    dnc_lr_block b;
    int ok;
    if (s == NULL || s->design == NULL || !design_has(s->design, param))
        return 0;
    ok = design_block(&b, s, param, K > s->design->nclass(param)) && dnc_lr_mtilde(M, &b, K);
    dnc_lr_block_clear(&b);
    return ok;
}
