/* A closed form as `dncert closed-form` prints it: built, cross-checked against the ball
 * evaluation of its explicit point, optionally compared with DNC, as JSON (the one
 * implementation behind the command and the flat interface, dncert/flat.h). */
#include <stdlib.h>
#include <string.h>
#include "dncert/closed.h"
#include "dncert/io.h"

/* What tirer-bruna computes for imbalanced counts (docs/math/deep-linear.md, section 7). */
static const char *tirer_bruna_imbalanced_note =
    "imbalanced counts: the loss is the optimal value of the two-layer linear bias-free model, "
    "attained by this ReLU point (its pre-activations are >= 0), so it is an upper bound on the "
    "optimal value of the ReLU model; that it is that optimal value is not proven "
    "(Tirer & Bruna's result is used for balanced counts only)";

/* Digits shown: what the precision supports, at least 30. */
static slong digits_for(slong prec)
{
    slong d = (slong) (prec * 0.30103) - 6;
    return d < 30 ? 30 : d;
}

static json_t *scalar_json(const dnc_closed_scalar *s, slong digits)
{
    json_t *o = dnc_json_enclosure(s->value, digits);
    json_object_set_new(o, "name", json_string(s->name));
    if (s->algebraic) {
        json_object_set_new(o, "polynomial", dnc_json_fmpz_poly(s->alg->poly));   /* constant term first */
        json_object_set_new(o, "isolating_interval",
                            json_pack("{s:o, s:o}", "lo", dnc_json_fmpq(s->alg->lo), "hi", dnc_json_fmpq(s->alg->hi)));
    }
    return o;
}

static json_t *closed_json(const dnc_closed_t c, slong digits, int consistent, const arb_t eval_loss)
{
    json_t *o = json_object(), *sc = json_array();
    slong i;
    for (i = 0; i < c->nscalars; i++)
        json_array_append_new(sc, scalar_json(c->scalars + i, digits));
    json_object_set_new(o, "structure", json_string(c->structure));
    json_object_set_new(o, "model", dnc_problem_to_json(c->p));
    json_object_set_new(o, "prec", json_integer(c->prec));
    json_object_set_new(o, "alive", json_string(dnc_alive_name(c->alive)));
    json_object_set_new(o, "alive_rule", json_string(c->alive_rule));
    json_object_set_new(o, "scalars", sc);
    json_object_set_new(o, "loss", dnc_json_enclosure(c->loss, digits));
    json_object_set_new(o, "crosscheck", json_pack("{s:o, s:b}", "explicit_point_loss",
                        dnc_json_enclosure(eval_loss, digits), "consistent", consistent));
    return o;
}

/* The certified order of f_c against the DNC value of the same problem (widths raised to
 * K where needed: the DNC value does not depend on the widths once the point fits). */
static json_t *compare_json(const dnc_closed_t c, const dnc_problem_t p, slong prec, slong digits, char *err,
                            size_t errlen)
{
    dnc_problem_t q;
    dnc_closed_t d;
    char why[512];
    json_t *o = NULL;
    slong l;
    const char *order;
    dnc_problem_init(q);
    dnc_problem_set(q, p);
    for (l = 0; l < q->L; l++)
        if (q->width[l] < q->K)
            q->width[l] = q->K;
    if (dnc_closed_dnc(d, q, prec, why, sizeof(why)) != 0)
        dnc_fail(err, errlen, "--compare: this problem has no DNC point to compare with: %s", why);
    else {
        if (arb_lt(c->loss, d->loss))
            order = "strictly lower";
        else if (arb_gt(c->loss, d->loss))
            order = "strictly higher";
        else
            order = "not proven";
        o = json_pack("{s:s, s:o, s:s, s:s}", "against", "dnc", "dnc_loss", dnc_json_enclosure(d->loss, digits),
                      "order", order, "rule", strcmp(order, "not proven") == 0
                      ? "the enclosures of the two optimal values overlap"
                      : "disjoint enclosures of the two optimal values");
    }
    dnc_closed_clear(d);
    dnc_problem_clear(q);
    return o;
}

/* Whether the explicit point of a CE form is a critical point (dnc_closed_check_critical):
 * the CE frames have kinks with a non-zero signal, so the tight check of the MSE forms does
 * not apply (docs/math/cross-entropy.md §7). */
static json_t *stationarity_json(const dnc_closed_t c, slong prec)
{
    slong nk;
    int ok = dnc_closed_check_critical(c, prec, &nk);
    return json_pack("{s:b, s:I, s:s}", "critical", ok, "kinks", (json_int_t) nk, "rule", ok
                     ? "proven: 0 lies in the Clarke gradient enclosure, and the gradient of the smooth piece with "
                       "every kink inactive is 0 (radius below 2^-(prec-60)), a Clarke generalized gradient here"
                     : "not proven: 0 is outside the gradient enclosure or that of the piece with every kink inactive "
                       "(with a linear activation before the last layer the frame point is not critical)");
}

int dnc_closed_form_json(json_t **out, int *consistent, double **theta, const char *structure, dnc_problem_t p,
                         slong param, int embed, slong prec, int compare, char *err, size_t errlen)
{
    dnc_closed_t c;
    arb_t eval_loss;
    json_t *cmp = NULL;
    *out = NULL;
    if (theta != NULL)
        *theta = NULL;
    if (dnc_closed_build(c, structure, p, param, embed, prec, err, errlen) != 0) {
        dnc_closed_clear(c);
        return -1;
    }
    if (compare && p->loss != DNC_LOSS_MSE) {   /* the DNC value it compares with is MSE's */
        dnc_closed_clear(c);
        return dnc_fail(err, errlen, "--compare: supported only with --loss mse (no CE DNC value to compare with)");
    }
    if (compare && (cmp = strcmp(structure, "dnc") == 0
                    ? json_pack("{s:s, s:s}", "against", "dnc", "order", "identical: the structure is DNC")
                    : compare_json(c, p, prec, digits_for(prec), err, errlen)) == NULL) {
        dnc_closed_clear(c);
        return -1;
    }
    arb_init(eval_loss);
    dnc_closed_point_loss(eval_loss, c, prec);
    *consistent = dnc_closed_crosscheck(c, prec);
    *out = closed_json(c, digits_for(prec), *consistent, eval_loss);
    if (p->loss == DNC_LOSS_CE)
        json_object_set_new(*out, "stationarity", stationarity_json(c, prec));
    if (strcmp(structure, "tirer-bruna") == 0 && !dnc_problem_is_balanced(p))
        json_object_set_new(*out, "note", json_string(tirer_bruna_imbalanced_note));
    if (cmp != NULL)
        json_object_set_new(*out, "compare", cmp);
    if (theta != NULL && (*theta = malloc(dnc_param_offset(p, p->N, DNC_NKINDS, 0) * sizeof(double))) != NULL)
        dnc_bpoint_get_theta_expanded(*theta, c->point);
    arb_clear(eval_loss);
    dnc_closed_clear(c);
    return 0;
}
