/* Closed-form points in certificate form: scalars plus blocks as scale x exact pattern. */
#include <stdio.h>
#include "dncert/cert.h"
#include "dncert/io.h"

slong dnc_cert_digits(slong prec)
{
    return (slong) (prec * 0.30102999566398120) + 5;
}

slong dnc_cert_claim_digits(slong prec)
{
    return (slong) (prec * 0.30102999566398120) - 12;
}

static json_t *scalar_json(const dnc_closed_scalar *s, slong digits)
{
    json_t *o;
    if (!s->algebraic) {
        json_t *e = dnc_json_enclosure(s->value, digits);
        o = json_pack("{s:s}", "kind", "ball");
        json_object_update(o, e);
        json_decref(e);
        return o;
    }
    o = json_object();
    json_object_set_new(o, "kind", json_string("algebraic"));
    json_object_set_new(o, "polynomial", dnc_json_fmpz_poly(s->alg->poly));
    json_object_set_new(o, "interval", json_pack("{s:o, s:o}", "lo", dnc_json_fmpq(s->alg->lo),
                                                 "hi", dnc_json_fmpq(s->alg->hi)));
    return o;
}

static json_t *term_json(const dnc_closed_term *t)
{
    json_t *entries = json_array();
    slong k;
    for (k = 0; k < t->n; k++)
        json_array_append_new(entries, json_pack("[I, I, o]", (json_int_t) t->row[k], (json_int_t) t->col[k],
                                                 dnc_json_fmpq(t->val + k)));
    return json_pack("{s:o, s:o}", "scale", t->scale[0] ? json_string(t->scale) : json_null(), "entries", entries);
}

static json_t *block_json(const dnc_closed_t c, slong b)
{
    const arb_mat_struct *m = dnc_bpoint_block(c->point, b);
    json_t *terms = json_array();
    slong i;
    for (i = 0; i < c->nterms; i++)
        if (c->terms[i].block == b)
            json_array_append_new(terms, term_json(c->terms + i));
    if (json_array_size(terms) == 0)   /* a zero block: one empty term */
        json_array_append_new(terms, json_pack("{s:n, s:[]}", "scale", "entries"));
    return json_pack("{s:I, s:I, s:o}", "rows", (json_int_t) arb_mat_nrows(m), "cols",
                     (json_int_t) arb_mat_ncols(m), "terms", terms);
}

json_t *dnc_cert_point_json(const dnc_closed_t c, slong digits)
{
    json_t *o = json_object(), *scalars = json_object(), *blocks = json_object();
    char note[128];
    slong i, b;
    for (i = 0; i < c->nscalars; i++)
        json_object_set_new(scalars, c->scalars[i].name, scalar_json(c->scalars + i, digits));
    for (b = 0; b <= c->p->L + (c->p->bias == DNC_BIAS_FREE); b++) {
        char name[24];
        json_object_set_new(blocks, dnc_param_block_name(name, c->p->L, b), block_json(c, b));
    }
    snprintf(note, sizeof(note), "the explicit point of the %s construction (informative: nothing relies on it)",
             c->structure);
    json_object_set_new(o, "note", json_string(note));
    json_object_set_new(o, "layout", json_string("collapsed"));
    json_object_set_new(o, "scalars", scalars);
    json_object_set_new(o, "blocks", blocks);
    return o;
}
