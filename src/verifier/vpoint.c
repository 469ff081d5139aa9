/* Points of a certificate (format §5): named scalars, blocks as sums of scaled sparse terms,
 * dense, or binary64 (inline base64, or a point file: §5.2), the point's box in ball
 * arithmetic and the exact pattern of every block. Declared sizes are checked against the
 * limits of §9 before anything is allocated. A point that only fast-double loss claims name
 * keeps its binary64 blocks as doubles: no ball is made of them. */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include "verifier.h"

/* Rows and columns of block b (0 = H1, 1..L = W_b, L + 1 = b). */
static void block_shape(slong *r, slong *c, const vx_problem *p, slong ncols, slong b)
{
    if (b == 0)
        *r = p->width[0], *c = ncols;
    else if (b <= p->L)
        *r = vx_out_rows(p, b), *c = p->width[b - 1];
    else
        *r = p->K, *c = p->bias;
}

static const char *block_name(char *buf, slong L, slong b)
{
    if (b == 0 || b > L)
        snprintf(buf, 16, "%s", b == 0 ? "H1" : "b");
    else
        snprintf(buf, 24, "W%ld", (long) b);
    return buf;
}

/* Ball entries of one evaluation of a point with ncols columns (§9): the activations of
 * every layer and the residual, plus the weights. */
static double point_entries(const vx_problem *p, double ncols)
{
    double e = ncols * (double) p->K;
    slong l;
    for (l = 1; l <= p->L; l++)
        e += ncols * (double) p->width[l - 1] + (double) vx_out_rows(p, l) * (double) p->width[l - 1];
    return e;
}

slong vx_block_start(const vx_problem *p, slong ncols, slong b)
{
    slong s = 0, i, r, cl;
    for (i = 0; i < b; i++) {
        block_shape(&r, &cl, p, ncols, i);
        s += r * cl;
    }
    return s;
}

double vx_point_work(const vx_problem *p, slong ncols)
{
    double w = 0;
    slong l;
    for (l = 1; l <= p->L; l++)
        w += (double) ncols * (double) vx_out_rows(p, l) * (double) p->width[l - 1];
    return w;
}

static int read_scalar(vx_ctx *c, vx_scalar *s, const json_t *o, const char *path)
{
    const char *kind = json_is_object(o) ? vx_str(o, "kind") : NULL;
    char p[VPATH];
    if (kind == NULL || (strcmp(kind, "ball") != 0 && strcmp(kind, "algebraic") != 0))
        return vx_fail(c, "%s.kind: expected \"algebraic\" or \"ball\"", path);
    s->algebraic = strcmp(kind, "algebraic") == 0;
    if (!s->algebraic) {
        if (vx_schema(c, o, path, "kind:s lo:s hi:s decimal:s?") || vx_lohi(c, o, path, s->lo, s->hi))
            return -1;
        s->ok = 1;
        vx_ball(s->val, s->lo, s->hi, c->prec);
        return 0;
    }
    if (vx_schema(c, o, path, "kind:s polynomial:a interval:o")
        || vx_interval(c, json_object_get(o, "interval"), vx_pathf(p, "%s.interval", path), s->lo, s->hi)
        || vx_poly(c, json_object_get(o, "polynomial"), vx_pathf(p, "%s.polynomial", path), s->poly))
        return -1;
    if ((s->ok = vx_isolates(s->poly, s->lo, s->hi, c->prec)))
        vx_root_ball(s->val, s->poly, s->lo, s->hi, c->prec);
    return 0;
}

static int cmp_scalar(const void *a, const void *b)
{
    return strcmp(((const vx_scalar *) a)->name, ((const vx_scalar *) b)->name);
}

/* The scalar named `name` (the scalars are sorted by name once read: a term's lookup is a
 * binary search, not a scan). */
static vx_scalar *find_scalar(vx_ctx *c, vx_point *P, const char *name, const char *path)
{
    vx_scalar key, *s;
    key.name = name;
    s = bsearch(&key, P->s, (size_t) P->ns, sizeof(vx_scalar), cmp_scalar);
    if (s == NULL)
        vx_fail(c, "%s.scale: no scalar named '%.64s' in point '%.64s'", path, name, P->name);
    return s;
}

static int cmp_slong(const void *x, const void *y)
{
    slong a = *(const slong *) x, b = *(const slong *) y;
    return (a > b) - (a < b);
}

/* A term of block b: scale times the sparse matrix of its entries (each position at most
 * once). */
static int read_term(vx_ctx *c, vx_point *P, slong b, const json_t *o, const char *path)
{
    arb_mat_struct *box = P->blk + b;
    slong rows = arb_mat_nrows(box), cols = arb_mat_ncols(box), n, k, i, j, *pos;
    const json_t *entries = json_object_get(o, "entries"), *e;
    const vx_scalar *scale = NULL;
    char ep[VPATH];
    arb_t t;
    fmpq_t q;
    if (vx_schema(c, o, path, "scale:S entries:a"))
        return -1;
    if (json_is_string(json_object_get(o, "scale"))
        && (scale = find_scalar(c, P, vx_str(o, "scale"), path)) == NULL)
        return -1;
    n = (slong) json_array_size(entries);
    if (n > rows * cols)
        return vx_fail(c, "%s.entries: %ld entries in a %ldx%ld block", path, (long) n, (long) rows, (long) cols);
    pos = flint_malloc((n + 1) * sizeof(slong));
    arb_init(t);
    fmpq_init(q);
    for (k = 0; k < n; k++) {
        e = json_array_get(entries, k);
        vx_pathf(ep, "%s.entries[%ld]", path, (long) k);
        if (json_array_size(e) != 3 || !json_is_integer(json_array_get(e, 0)) || !json_is_integer(json_array_get(e, 1))
            || !json_is_string(json_array_get(e, 2))) {
            vx_fail(c, "%s: expected [row, column, rational string]", ep);
            break;
        }
        i = (slong) json_integer_value(json_array_get(e, 0));
        j = (slong) json_integer_value(json_array_get(e, 1));
        if (i < 0 || i >= rows || j < 0 || j >= cols) {
            vx_fail(c, "%s: position (%ld, %ld) outside the %ldx%ld block", ep, (long) i, (long) j, (long) rows, (long) cols);
            break;
        }
        if (vx_parse_rational(q, json_string_value(json_array_get(e, 2))) != 0) {
            vx_fail(c, "%s[2]: not a rational string within the limits of §3", ep);
            break;
        }
        pos[k] = i * cols + j;
        arb_set_fmpq(t, q, c->prec);
        if (scale != NULL)
            arb_mul(t, t, scale->val, c->prec);
        arb_add(arb_mat_entry(box, i, j), arb_mat_entry(box, i, j), t, c->prec);
    }
    arb_clear(t);
    fmpq_clear(q);
    if (k == n) {
        qsort(pos, (size_t) n, sizeof(slong), cmp_slong);
        for (k = 1; k < n && pos[k] != pos[k - 1]; k++)
            ;
        if (k < n)
            vx_fail(c, "%s.entries: position (%ld, %ld) listed twice", path, (long) (pos[k] / cols), (long) (pos[k] % cols));
    }
    flint_free(pos);
    if (k < n)
        return -1;
    /* The pattern of §6.8: one term whose scale is 1 or certified positive. */
    P->pattern_ok &= scale == NULL || (scale->ok && fmpq_sgn(scale->lo) >= (scale->algebraic ? 0 : 1));
    return 0;
}

static int read_dense(vx_ctx *c, vx_point *P, slong b, const json_t *a, const char *path)
{
    arb_mat_struct *box = P->blk + b;
    slong rows = arb_mat_nrows(box), cols = arb_mat_ncols(box), k;
    if ((slong) json_array_size(a) != rows * cols)
        return vx_fail(c, "%s: expected %ld entries (%ldx%ld, column-major), got %zu", path, (long) (rows * cols),
                       (long) rows, (long) cols, json_array_size(a));
    fmpq_t q;
    fmpq_init(q);
    for (k = 0; k < rows * cols; k++) {
        if (vx_parse_rational(q, json_string_value(json_array_get(a, k))) != 0)
            break;
        arb_set_fmpq(arb_mat_entry(box, k % rows, k / rows), q, c->prec);
    }
    fmpq_clear(q);
    if (k < rows * cols)
        return vx_fail(c, "%s[%ld]: not a rational string within the limits of §3", path, (long) k);
    return 0;
}

/* Block b of P's doubles (binary64, §5.2): every entry finite, and the block's balls when the
 * point needs them (exact: a double is a dyadic rational). Binary64 blocks are not patterns
 * of §6.8. */
static int binary_block(vx_ctx *c, vx_point *P, slong b, const char *path)
{
    slong r, cl, k;
    const double *x = P->dbl + vx_block_start(&c->p, P->ncols, b);
    block_shape(&r, &cl, &c->p, P->ncols, b);
    for (k = 0; k < r * cl; k++)
        if (!isfinite(x[k]))
            return vx_fail(c, "%s: entry (%ld, %ld) is %s: the entries of a point are finite numbers", path,
                           (long) (k % r), (long) (k / r), isnan(x[k]) ? "NaN" : "infinite");
    if (P->balls)
        for (k = 0; k < r * cl; k++)
            arb_set_d(arb_mat_entry(P->blk + b, k % r, k / r), x[k]);
    P->isdbl[b] = 1;
    P->pattern_ok = 0;
    return 0;
}

/* The doubles of every block of P (entries of the trainer's layout), allocated once. */
static void alloc_doubles(vx_ctx *c, vx_point *P)
{
    if (P->dbl == NULL) {
        P->dbl = flint_malloc((vx_block_start(&c->p, P->ncols, c->p.L + 2) + 1) * sizeof(double));
        P->isdbl = flint_calloc(c->p.L + 2, 1);
    }
}

static int read_block(vx_ctx *c, vx_point *P, slong b, const json_t *o, const char *path)
{
    const json_t *terms = json_object_get(o, "terms"), *bin = json_object_get(o, "binary64");
    char p[VPATH], why[VWHY];
    slong rows, cols, t, r, cl;
    if (vx_schema(c, o, path, "rows:i cols:i terms:a? dense:a? binary64:s?"))
        return -1;
    rows = (slong) json_integer_value(json_object_get(o, "rows"));
    cols = (slong) json_integer_value(json_object_get(o, "cols"));
    block_shape(&r, &cl, &c->p, P->ncols, b);
    if (rows != r || cols != cl)
        return vx_fail(c, "%s: shape %ldx%ld does not match the problem's %ldx%ld", path, (long) rows, (long) cols,
                       (long) r, (long) cl);
    if ((terms != NULL) + (json_object_get(o, "dense") != NULL) + (bin != NULL) != 1)
        return vx_fail(c, "%s: needs exactly one of \"terms\", \"dense\" and \"binary64\"", path);
    if (bin != NULL) {
        alloc_doubles(c, P);
        vx_pathf(p, "%s.binary64", path);
        if (vx_base64_doubles(P->dbl + vx_block_start(&c->p, P->ncols, b), r * cl, json_string_value(bin), why,
                              sizeof(why)) != 0)
            return vx_fail(c, "%s: not the canonical base64 of %ld little-endian binary64 doubles: %s", p,
                           (long) (r * cl), why);
        return binary_block(c, P, b, p);
    }
    if (terms == NULL)
        return read_dense(c, P, b, json_object_get(o, "dense"), vx_pathf(p, "%s.dense", path));
    if (json_array_size(terms) == 0 || json_array_size(terms) > VX_MAX_TERMS)
        return vx_fail(c, "%s.terms: expected 1 to %d terms", path, VX_MAX_TERMS);
    P->pattern_ok &= json_array_size(terms) == 1;
    for (t = 0; t < (slong) json_array_size(terms); t++)
        if (read_term(c, P, b, json_array_get(terms, t), vx_pathf(p, "%s.terms[%ld]", path, (long) t)))
            return -1;
    return 0;
}

/* Columns: one per class (collapsed, multiplicity n_k) or one per sample (expanded). */
static int set_columns(vx_ctx *c, vx_point *P, const char *path)
{
    const vx_problem *p = &c->p;
    double ncols = P->collapsed ? (double) p->K : fmpz_get_d(p->N);
    double limit = (double) VX_MAX_ENTRIES * 256 / (double) FLINT_MAX(256, c->prec);
    slong k, i, j = 0;
    if (!P->balls) {   /* kept as doubles, evaluated by the fast-double rule only */
        c->doubles += ncols * (double) p->width[0] + vx_point_work(p, 1) + (double) (p->K * p->bias);
        if (c->doubles > (double) VX_MAX_DOUBLES)
            return vx_fail(c, "%s: the points kept as doubles have more than %ld entries together, the limit of §9", path,
                           (long) VX_MAX_DOUBLES);
    } else if ((c->entries += point_entries(p, ncols)) > limit)
        return vx_fail(c, "%s: %s point of this problem needs %.3g ball entries, which brings the file's points to "
                       "more than the limit %.0f of §9 at %ld bits", path, P->collapsed ? "a collapsed" : "an expanded",
                       point_entries(p, ncols), limit, (long) c->prec);
    P->ncols = (slong) ncols;
    P->label = flint_malloc(P->ncols * sizeof(slong));
    P->mult = flint_malloc(P->ncols * sizeof(slong));
    for (k = 0; k < p->K; k++)
        for (i = 0; i < (P->collapsed ? 1 : p->n[k]); i++, j++)
            P->label[j] = k, P->mult[j] = P->collapsed ? p->n[k] : 1;
    return 0;
}

/* The balls of every block (binary64 ones only when the point needs balls: else 0 x 0). */
static void alloc_balls(vx_ctx *c, vx_point *P, const json_t *blocks)
{
    slong b, r, cl;
    char name[24];
    P->blk = flint_malloc((c->p.L + 2) * sizeof(arb_mat_struct));
    for (b = 0; b < c->p.L + 2; b++) {
        int bin = blocks == NULL || json_object_get(json_object_get(blocks, block_name(name, c->p.L, b)), "binary64");
        block_shape(&r, &cl, &c->p, P->ncols, b);
        arb_mat_init(P->blk + b, P->balls || !bin ? r : 0, P->balls || !bin ? cl : 0);
    }
}

static int read_blocks(vx_ctx *c, vx_point *P, const json_t *blocks, const char *path)
{
    slong L = c->p.L, nb = L + 1 + c->p.bias, b;
    char name[24], p[VPATH];
    const char *key;
    json_t *v;
    if (!json_is_object(blocks))
        return vx_fail(c, "%s: expected an object", path);
    json_object_foreach((json_t *) blocks, key, v) {
        for (b = 0; b < nb && strcmp(key, block_name(name, L, b)) != 0; b++)
            ;
        if (b == nb)
            return vx_fail(c, "%s: unknown block '%.32s' (H1, W1..W%ld%s)", path, key, (long) L, c->p.bias ? ", b" : "");
    }
    P->blocks = blocks;
    alloc_balls(c, P, blocks);
    for (b = 0; b < nb; b++) {
        vx_pathf(p, "%s.%s", path, block_name(name, L, b));
        if (json_object_get(blocks, name) == NULL)
            return vx_fail(c, "%s: missing", p);
        if (read_block(c, P, b, json_object_get(blocks, name), p))
            return -1;
    }
    return 0;
}

/* A point given by its point file (§5.2): every block, in the trainer's layout. */
static int read_file(vx_ctx *c, vx_point *P, const json_t *o, const char *path)
{
    slong b;
    char name[24], p[VPATH];
    alloc_balls(c, P, NULL);
    alloc_doubles(c, P);
    if (vx_point_file(c, P->dbl, vx_block_start(&c->p, P->ncols, c->p.L + 2), o, path))
        return -1;
    for (b = 0; b < c->p.L + 1 + c->p.bias; b++)
        if (binary_block(c, P, b, vx_pathf(p, "%s: block %s", path, block_name(name, c->p.L, b))))
            return -1;
    return 0;
}

/* 1 when every block of the problem is given as binary64 (§5.2): only then can the point
 * stay doubles; a point with a text block (or a missing one) is made of balls, whatever
 * names it, within the limit of §9 on ball entries. */
static int all_binary(const vx_ctx *c, const json_t *blocks)
{
    slong b;
    char name[24];
    for (b = 0; b < c->p.L + 1 + c->p.bias; b++)
        if (json_object_get(json_object_get(blocks, block_name(name, c->p.L, b)), "binary64") == NULL)
            return 0;
    return 1;
}

int vx_point_read(vx_ctx *c, vx_point *P, const char *name, const json_t *o, int balls)
{
    const json_t *scalars, *file;
    const char *key, *layout;
    json_t *v;
    char path[VPATH], sp[VPATH];
    memset(P, 0, sizeof(*P));
    P->name = name;
    P->pattern_ok = 1;
    vx_pathf(path, "points.%s", name);
    if (vx_schema(c, o, path, "layout:s scalars:o blocks:o? binary64_file:o?"))
        return -1;
    file = json_object_get(o, "binary64_file");
    if ((file == NULL) == (json_object_get(o, "blocks") == NULL))
        return vx_fail(c, "%s: needs exactly one of \"blocks\" and \"binary64_file\"", path);
    layout = vx_str(o, "layout");
    if (strcmp(layout, "collapsed") != 0 && strcmp(layout, "expanded") != 0)
        return vx_fail(c, "%s.layout: expected \"collapsed\" or \"expanded\", got \"%.32s\"", path, layout);
    P->collapsed = strcmp(layout, "collapsed") == 0;
    P->balls = balls || (file == NULL && !all_binary(c, json_object_get(o, "blocks")));
    scalars = json_object_get(o, "scalars");
    if (json_object_size(scalars) > VX_MAX_SCALARS)
        return vx_fail(c, "%s.scalars: more than %d scalars", path, VX_MAX_SCALARS);
    if (set_columns(c, P, path))
        return -1;
    P->s = flint_calloc(json_object_size(scalars) + 1, sizeof(vx_scalar));
    json_object_foreach((json_t *) scalars, key, v) {
        vx_scalar *s = P->s + P->ns++;
        fmpz_poly_init(s->poly);
        fmpq_init(s->lo);
        fmpq_init(s->hi);
        arb_init(s->val);
        s->name = key;
        if (read_scalar(c, s, v, vx_pathf(sp, "%s.scalars.%s", path, key)))
            return -1;
        if (!s->ok && P->invalid == NULL)
            P->invalid = s->name;
    }
    qsort(P->s, (size_t) P->ns, sizeof(vx_scalar), cmp_scalar);
    if (file != NULL)
        return read_file(c, P, file, vx_pathf(sp, "%s.binary64_file", path));
    return read_blocks(c, P, json_object_get(o, "blocks"), vx_pathf(sp, "%s.blocks", path));
}

void vx_point_clear(vx_point *P, slong L)
{
    slong i;
    for (i = 0; i < P->ns; i++) {
        fmpz_poly_clear(P->s[i].poly);
        fmpq_clear(P->s[i].lo);
        fmpq_clear(P->s[i].hi);
        arb_clear(P->s[i].val);
    }
    flint_free(P->s);
    if (P->blk != NULL) {
        for (i = 0; i < L + 2; i++)
            arb_mat_clear(P->blk + i);
        flint_free(P->blk);
    }
    if (P->forward_done)
        vx_forward_clear(&P->fw, L);
    vx_fast_clear(P->fast);
    if (P->sums != NULL) {
        for (i = 0; i < 2 * (L + 1); i++)
            fmpz_mat_clear(P->sums + i);
        flint_free(P->sums);
    }
    flint_free(P->label);
    flint_free(P->mult);
    flint_free(P->dbl);
    flint_free(P->isdbl);
}

vx_point *vx_point_find(vx_ctx *c, const char *name)
{
    slong i;
    for (i = 0; i < c->npts; i++)
        if (strcmp(c->pts[i].name, name) == 0)
            return c->pts + i;
    return NULL;
}
