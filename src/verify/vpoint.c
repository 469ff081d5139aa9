/* Points of a certificate (format §5): named scalars; blocks given as sums of scaled
 * sparse terms or dense; the point's box in ball arithmetic; and the exact rational
 * pattern of every block, for the structure facts of §6.7. */
#include <stdio.h>
#include <string.h>
#include "verify_priv.h"

static int read_scalar(vctx *c, vscalar *s, const json_t *o, const char *path)
{
    const char *kind = json_is_object(o) ? vj_s(o, "kind") : NULL;
    char p[VPATH];
    s->algebraic = kind == NULL || strcmp(kind, "ball") != 0;
    if (kind != NULL && s->algebraic && strcmp(kind, "algebraic") != 0)
        return vj_fail(c, "%s.kind: expected \"algebraic\" or \"ball\", got \"%s\"", path, kind);
    if (vj_schema(c, o, path, s->algebraic ? "kind:s polynomial:a interval:I" : "kind:s lo:r hi:r decimal:s?"))
        return -1;
    if (!s->algebraic) {
        s->ok = vj_lohi(c, o, path, s->lo, s->hi) == 0;
        va_ball(s->val, s->lo, s->hi, c->prec);
        return s->ok ? 0 : -1;
    }
    vj_lohi(c, json_object_get(o, "interval"), path, s->lo, s->hi);
    if (vj_poly(c, json_object_get(o, "polynomial"), vj_pathf(p, "%s.polynomial", path), s->poly))
        return -1;
    if ((s->ok = va_isolates(s->poly, s->lo, s->hi, c->prec)))
        va_enclose(s->val, s->poly, s->lo, s->hi, c->prec);
    return 0;
}

vscalar *vpoint_scalar(vctx *c, vpoint *P, const json_t *o, const char *path, const char *key)
{
    const char *name = vj_s(o, key);
    slong i;
    for (i = 0; i < P->ns; i++)
        if (strcmp(P->s[i].name, name) == 0)
            return P->s + i;
    vj_fail(c, "%s.%s: no scalar named '%s' in point '%s'", path, key, name, P->name);
    return NULL;
}

/* One entry [i, j, R] of a term: checks it, sets E[i, j] = R, adds scale * R to the box. */
static int read_entry(vctx *c, arb_mat_struct *box, const json_t *e, const char *path, const vscalar *scale,
                      fmpq_mat_t E, char *seen)
{
    slong i = (slong) json_integer_value(json_array_get(e, 0)), j = (slong) json_integer_value(json_array_get(e, 1));
    const char *r = json_string_value(json_array_get(e, 2));
    arb_t t;
    if (json_array_size(e) != 3 || !json_is_integer(json_array_get(e, 0)) || !json_is_integer(json_array_get(e, 1)))
        return vj_fail(c, "%s: expected [row, column, rational string]", path);
    if (i < 0 || i >= arb_mat_nrows(box) || j < 0 || j >= arb_mat_ncols(box))
        return vj_fail(c, "%s: position (%ld, %ld) outside the %ldx%ld block", path, (long) i, (long) j,
                       (long) arb_mat_nrows(box), (long) arb_mat_ncols(box));
    if (seen[i * arb_mat_ncols(box) + j]++)
        return vj_fail(c, "%s: position (%ld, %ld) listed twice in one term", path, (long) i, (long) j);
    if (r == NULL || dnc_parse_rational(fmpq_mat_entry(E, i, j), r) != 0)
        return vj_fail(c, "%s[2]: not a rational string", path);
    arb_init(t);
    arb_set_fmpq(t, fmpq_mat_entry(E, i, j), c->prec);
    if (scale != NULL)
        arb_mul(t, t, scale->val, c->prec);
    arb_add(arb_mat_entry(box, i, j), arb_mat_entry(box, i, j), t, c->prec);
    arb_clear(t);
    return 0;
}

/* "terms": the block is sum_t scale_t E_t. Its pattern is E when there is exactly one
 * term and its scale is certified positive (format §6.7). */
static int read_terms(vctx *c, vpoint *P, slong b, const json_t *terms, const char *path)
{
    arb_mat_struct *box = dnc_bpoint_block(P->box, b);
    const json_t *o, *e;
    size_t t, k;
    char tp[VPATH], ep[VPATH];
    int r = 0, positive = 0;
    if (json_array_size(terms) == 0)
        return vj_fail(c, "%s: expected a non-empty list of terms", path);
    json_array_foreach(terms, t, o) {
        const vscalar *scale = NULL;
        fmpq_mat_t E;
        char *seen;
        vj_pathf(tp, "%s[%zu]", path, t);
        if (vj_schema(c, o, tp, "scale:S entries:a"))
            return -1;
        if (json_is_string(json_object_get(o, "scale")) && (scale = vpoint_scalar(c, P, o, tp, "scale")) == NULL)
            return -1;
        fmpq_mat_init(E, arb_mat_nrows(box), arb_mat_ncols(box));
        seen = flint_calloc(arb_mat_nrows(box) * arb_mat_ncols(box) + 1, 1);
        json_array_foreach(json_object_get(o, "entries"), k, e)
            if (r == 0)
                r = read_entry(c, box, e, vj_pathf(ep, "%s.entries[%zu]", tp, k), scale, E, seen);
        positive = scale == NULL || (scale->ok && fmpq_sgn(scale->lo) >= (scale->algebraic ? 0 : 1));
        fmpq_mat_swap(P->pat + b, E);
        flint_free(seen);
        fmpq_mat_clear(E);
        if (r != 0)
            return -1;
    }
    P->pattern_ok &= json_array_size(terms) == 1 && positive;
    return 0;
}

/* "dense": rows x cols rational strings, column-major; its own pattern (scale 1). */
static int read_dense(vctx *c, vpoint *P, slong b, const json_t *a, const char *path)
{
    arb_mat_struct *box = dnc_bpoint_block(P->box, b);
    slong rows = arb_mat_nrows(box), cols = arb_mat_ncols(box), k;
    if ((slong) json_array_size(a) != rows * cols)
        return vj_fail(c, "%s: expected %ld entries (%ldx%ld, column-major), got %zu", path, (long) (rows * cols),
                       (long) rows, (long) cols, json_array_size(a));
    for (k = 0; k < rows * cols; k++) {
        fmpq *q = fmpq_mat_entry(P->pat + b, k % rows, k / rows);
        const char *s = json_string_value(json_array_get(a, k));
        if (s == NULL || dnc_parse_rational(q, s) != 0)
            return vj_fail(c, "%s[%ld]: not a rational string", path, (long) k);
        arb_set_fmpq(arb_mat_entry(box, k % rows, k / rows), q, c->prec);
    }
    return 0;
}

static int read_block(vctx *c, vpoint *P, slong b, const json_t *o, const char *path)
{
    arb_mat_struct *box = dnc_bpoint_block(P->box, b);
    const json_t *terms = json_object_get(o, "terms");
    char p[VPATH];
    slong rows, cols;
    if (vj_schema(c, o, path, "rows:i cols:i terms:a? dense:a?"))
        return -1;
    rows = (slong) json_integer_value(json_object_get(o, "rows"));
    cols = (slong) json_integer_value(json_object_get(o, "cols"));
    if (rows != arb_mat_nrows(box) || cols != arb_mat_ncols(box))
        return vj_fail(c, "%s: shape %ldx%ld does not match the problem's %ldx%ld", path, (long) rows, (long) cols,
                       (long) arb_mat_nrows(box), (long) arb_mat_ncols(box));
    if ((terms == NULL) == (json_object_get(o, "dense") == NULL))
        return vj_fail(c, "%s: needs exactly one of \"terms\" and \"dense\"", path);
    vj_pathf(p, "%s.%s", path, terms ? "terms" : "dense");
    return terms ? read_terms(c, P, b, terms, p) : read_dense(c, P, b, json_object_get(o, "dense"), p);
}

/* blocks: "H1", "W1".."W<L>", and "b" exactly when the bias is free. */
static int read_blocks(vctx *c, vpoint *P, const json_t *blocks, const char *path)
{
    slong L = c->p->L, nb = L + 1 + (c->p->bias == DNC_BIAS_FREE), b;
    char schema[16 * (DNC_MAX_L + 2)] = "", name[24], p[VPATH];
    size_t len = 0;
    for (b = 0; b < nb; b++)
        len += (size_t) snprintf(schema + len, sizeof(schema) - len, "%s:o ", dnc_param_block_name(name, L, b));
    if (vj_schema(c, blocks, path, schema))
        return -1;
    for (b = 0; b < nb; b++) {
        dnc_param_block_name(name, L, b);
        if (read_block(c, P, b, json_object_get(blocks, name), vj_pathf(p, "%s.%s", path, name)))
            return -1;
    }
    return 0;
}

int vpoint_read(vctx *c, vpoint *P, const char *name, const json_t *o)
{
    const char *key;
    json_t *v;
    char path[VPATH], sp[VPATH];
    slong b, L = c->p->L;
    memset(P, 0, sizeof(*P));
    P->name = name;
    vj_pathf(path, "points.%s", name);
    if (vj_schema(c, o, path, "structure:s? layout:s scalars:o blocks:o"))
        return -1;
    P->collapsed = strcmp(vj_s(o, "layout"), "collapsed") == 0;
    if (!P->collapsed && strcmp(vj_s(o, "layout"), "expanded") != 0)
        return vj_fail(c, "%s.layout: expected \"collapsed\" or \"expanded\", got \"%s\"", path, vj_s(o, "layout"));
    if (P->collapsed)
        dnc_bpoint_init_collapsed(P->box, c->p);
    else
        dnc_bpoint_init(P->box, c->p);
    P->pat = flint_malloc((L + 2) * sizeof(fmpq_mat_struct));
    for (b = 0; b < L + 2; b++)
        fmpq_mat_init(P->pat + b, arb_mat_nrows(dnc_bpoint_block(P->box, b)), arb_mat_ncols(dnc_bpoint_block(P->box, b)));
    P->s = flint_calloc(json_object_size(json_object_get(o, "scalars")) + 1, sizeof(vscalar));
    P->pattern_ok = 1;
    json_object_foreach(json_object_get(o, "scalars"), key, v) {
        vscalar *s = P->s + P->ns++;
        fmpz_poly_init(s->poly);
        fmpq_init(s->lo);
        fmpq_init(s->hi);
        arb_init(s->val);
        arb_indeterminate(s->val);
        s->name = key;
        if (read_scalar(c, s, v, vj_pathf(sp, "%s.scalars.%s", path, key)))
            return -1;
        if (!s->ok && P->invalid == NULL)
            P->invalid = s->name;
    }
    return read_blocks(c, P, json_object_get(o, "blocks"), vj_pathf(sp, "%s.blocks", path));
}

void vpoint_clear(vpoint *P, slong L)
{
    slong i;
    for (i = 0; i < P->ns; i++) {
        fmpz_poly_clear(P->s[i].poly);
        fmpq_clear(P->s[i].lo);
        fmpq_clear(P->s[i].hi);
        arb_clear(P->s[i].val);
    }
    flint_free(P->s);
    if (P->pat != NULL) {
        for (i = 0; i < L + 2; i++)
            fmpq_mat_clear(P->pat + i);
        flint_free(P->pat);
        dnc_bpoint_clear(P->box);
    }
    if (P->evaluated)
        dnc_beval_clear(P->ev);
}

const dnc_beval_struct *vpoint_eval(vctx *c, vpoint *P)
{
    if (!P->evaluated) {
        dnc_beval_init(P->ev);
        dnc_ball_eval(P->ev, P->box, 1, c->prec);
        P->evaluated = 1;
    }
    return P->ev;
}
