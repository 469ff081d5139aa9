/* The claims of a certificate (format §6) and the file as a whole (§2, §9, §10).
 *
 * Each claim kind has a reader, which validates every field before any work starts, and a
 * check, which recomputes the verdict from the problem and the points alone: the file's
 * intervals are only the statements to check, never an input to a computation. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "dncert/verify.h"
#include <flint/fmpq_vec.h>
#include "verifier.h"

typedef struct vclaim_struct vclaim;

struct vclaim_struct {
    const json_t *o;
    const char *id, *kind;
    int k;                     /* index in kinds[] */
    int written, verdict;
    vx_point *P;               /* the claim's point, or NULL */
    vx_point *D;               /* descent_direction: the direction */
    vx_structure st;           /* root, alive, value */
    fmpz_poly_t poly;          /* root */
    fmpq_t iv[6];              /* intervals: [lo, hi] pairs */
    vclaim *ref[2];            /* order, dnc_not_optimal, ratio: the claims compared */
    vclaim *same;              /* value: an earlier value claim of the same structure, or NULL */
    int derived;               /* value: 1 when the structure's value was derived */
    int fast;                  /* loss: "method": "fast-double" (§6.4.1) */
    arb_t q;                   /* recomputed quantity of a loss or value claim */
    char why[VWHY];            /* why it is not proven */
    char gsign[VWHY];          /* kink_multipliers: "" when G_e >= 0 is shown at every kink (for d_stationary) */
    char what[VWHY];           /* what the checker checked, in its own words */
};

typedef struct {
    vx_ctx c;
    vclaim *cl;
    slong ncl;
    vclaim **by_id;            /* claims sorted by id */
} vrun;

static int not_proven(vclaim *cl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cl->why, sizeof(cl->why), fmt, ap);
    va_end(ap);
    cl->verdict = 0;
    return 0;
}

static void say(vclaim *cl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cl->what, sizeof(cl->what), fmt, ap);
    va_end(ap);
}

/* Interval i of the claim as a short midpoint-radius text. */
static const char *ivstr(char *buf, const vclaim *cl, int i)
{
    arb_t x;
    arb_init(x);
    vx_ball(x, cl->iv[2 * i], cl->iv[2 * i + 1], 128);
    vx_arb_str(buf, x);
    arb_clear(x);
    return buf;
}

static int in_iv(const vclaim *cl, int i, const arb_t x)
{
    return vx_ball_in(x, cl->iv[2 * i], cl->iv[2 * i + 1]);
}

#define INVALID(cl, P) not_proven(cl, "scalar %s of point %s is not isolated by its interval (format §7.1)", \
                                  (P)->invalid, (P)->name)

/* ---- readers of the kind-specific fields ---- */

static int read_point_ref(vrun *r, vclaim *cl, const char *path)
{
    if ((cl->P = vx_point_find(&r->c, vx_str(cl->o, "point"))) == NULL)
        return vx_fail(&r->c, "%s.point: no point named '%.64s'", path, vx_str(cl->o, "point"));
    return 0;
}

static int read_iv(vrun *r, vclaim *cl, const char *path, const char *key, int i)
{
    char p[VPATH];
    return vx_interval(&r->c, json_object_get(cl->o, key), vx_pathf(p, "%s.%s", path, key), cl->iv[2 * i],
                       cl->iv[2 * i + 1]);
}

static int read_structure(vrun *r, vclaim *cl, const char *path)
{
    char p[VPATH];
    return vx_structure_read(&r->c, json_object_get(cl->o, "structure"), vx_pathf(p, "%s.structure", path), &cl->st);
}

static int read_block_claim(vrun *r, vclaim *cl, const char *path)
{
    const char *b;
    if (read_structure(r, cl, path))
        return -1;
    if (!vx_structure_is_lowrank(&cl->st))
        return vx_fail(&r->c, "%s.structure: %s claims are defined for the dnc, srg and sts structures%s", path, cl->kind,
                       strcmp(cl->kind, "root") == 0 ? " (and for ufm, deep-linear and dnc under \"loss\": \"ce\")" : "");
    b = vx_str(cl->o, "block");
    if (strcmp(b, "dnc") != 0 && strcmp(b, "srg") != 0 && strcmp(b, "sts") != 0)
        return vx_fail(&r->c, "%s.block: expected \"dnc\", \"srg\" or \"sts\", got \"%.32s\"", path, b);
    return 0;
}

/* Under cross-entropy a structure's value is derived for ufm, deep-linear and dnc only (§8.3). */
static int is_ce_structure(const vx_structure *s)
{
    return strcmp(s->name, "ufm") == 0 || strcmp(s->name, "deep-linear") == 0 || strcmp(s->name, "dnc") == 0;
}

static int ce_structure(vrun *r, vclaim *cl, const char *path)
{
    if (!is_ce_structure(&cl->st))
        return vx_fail(&r->c, "%s.structure: under \"loss\": \"ce\" %s claims are defined for the ufm, deep-linear "
                       "and dnc structures only (format §8.3), not %s", path, cl->kind, cl->st.name);
    return 0;
}

/* Under cross-entropy: {"structure": ufm | deep-linear | dnc, "block": "sigma", "interval": I},
 * no polynomial (§6.1); under MSE a block of the one-parameter family and its polynomial. */
static int read_root(vrun *r, vclaim *cl, const char *path)
{
    char p[VPATH];
    const json_t *poly = json_object_get(cl->o, "polynomial");
    if (r->c.p.ce) {
        if (read_structure(r, cl, path) || ce_structure(r, cl, path))
            return -1;
        if (strcmp(vx_str(cl->o, "block"), "sigma") != 0)
            return vx_fail(&r->c, "%s.block: under \"loss\": \"ce\" expected \"sigma\", got \"%.32s\"", path,
                           vx_str(cl->o, "block"));
        if (poly != NULL)
            return vx_fail(&r->c, "%s.polynomial: not a field of a root claim under \"loss\": \"ce\" (the "
                           "stationarity equation is transcendental, §6.1)", path);
        return read_iv(r, cl, path, "interval", 0);
    }
    if (poly == NULL)
        return vx_fail(&r->c, "%s.polynomial: required (array)", path);
    return read_block_claim(r, cl, path) || read_iv(r, cl, path, "interval", 0)
           || vx_poly(&r->c, poly, vx_pathf(p, "%s.polynomial", path), cl->poly);
}

static int read_alive(vrun *r, vclaim *cl, const char *path)
{
    const char *d = vx_str(cl->o, "decision");
    if (strcmp(d, "alive") != 0 && strcmp(d, "dead") != 0 && strcmp(d, "tie") != 0)
        return vx_fail(&r->c, "%s.decision: expected \"alive\", \"dead\" or \"tie\", got \"%.32s\"", path, d);
    return read_block_claim(r, cl, path);
}

static int read_value(vrun *r, vclaim *cl, const char *path)
{
    return read_structure(r, cl, path) || (r->c.p.ce && ce_structure(r, cl, path)) || read_iv(r, cl, path, "value", 0);
}

/* "method" (§6.4.1, §6.12): "arb" or "fast-double"; absent = "arb" where optional. */
static int read_method(vrun *r, vclaim *cl, const char *path)
{
    const char *m = vx_str(cl->o, "method");
    if (m != NULL && strcmp(m, "arb") != 0 && strcmp(m, "fast-double") != 0)
        return vx_fail(&r->c, "%s.method: expected \"arb\" or \"fast-double\", got \"%.32s\"", path, m);
    cl->fast = m != NULL && strcmp(m, "fast-double") == 0;
    return 0;
}

static int read_loss(vrun *r, vclaim *cl, const char *path)
{
    return read_method(r, cl, path) || read_point_ref(r, cl, path) || read_iv(r, cl, path, "loss", 0)
           || read_iv(r, cl, path, "fit", 1) || read_iv(r, cl, path, "reg", 2);
}

/* §6.12: the method, the point (a fast-double claim asks for the backward pass), the norm. */
static int read_gradient_norm(vrun *r, vclaim *cl, const char *path)
{
    if (read_method(r, cl, path) || read_point_ref(r, cl, path) || read_iv(r, cl, path, "norm", 0))
        return -1;
    if (fmpq_sgn(cl->iv[0]) < 0)
        return vx_fail(&r->c, "%s.norm: lo is negative (a norm interval starts at 0 or above)", path);
    cl->P->fast_grad |= cl->fast;
    return 0;
}

static int cmp_claim_id(const void *x, const void *y)
{
    return strcmp((*(vclaim *const *) x)->id, (*(vclaim *const *) y)->id);
}

static vclaim *find_claim(vrun *r, const char *id)
{
    vclaim key, *kp = &key, **f;
    key.id = id;
    f = bsearch(&kp, r->by_id, (size_t) r->ncl, sizeof(vclaim *), cmp_claim_id);
    return f != NULL ? *f : NULL;
}

/* cl->ref[i] <- the claim with id `id`, which must be of kind `kind` (field: the path that names it). */
static int named_claim(vrun *r, vclaim *cl, int i, const char *id, const char *kind, const char *field)
{
    if ((cl->ref[i] = find_claim(r, id)) == NULL)
        return vx_fail(&r->c, "%s: no claim with id '%.64s'", field, id);
    if (strcmp(cl->ref[i]->kind, kind) != 0)
        return vx_fail(&r->c, "%s: claim '%.64s' is a %s claim, not a %s claim", field, id, cl->ref[i]->kind, kind);
    return 0;
}

/* o[key] = {"value": ID} or {"loss": ID}: the named claim, of that kind. */
static int read_ref(vrun *r, vclaim *cl, const char *path, const char *key, int i, const char *must)
{
    const json_t *o = json_object_get(cl->o, key);
    const char *kind, *id;
    char p[VPATH];
    vx_pathf(p, "%s.%s", path, key);
    if (vx_schema(&r->c, o, p, "value:s? loss:s?") || json_object_size(o) - (json_object_get(o, "note") != NULL) != 1)
        return vx_fail(&r->c, "%s: expected {\"value\": ID} or {\"loss\": ID}", p);
    kind = json_object_get(o, "value") != NULL ? "value" : "loss";
    id = vx_str(o, kind);
    if (must != NULL && strcmp(kind, must) != 0)
        return vx_fail(&r->c, "%s: a %s claim compares a %s claim here", p, cl->kind, must);
    return named_claim(r, cl, i, id, kind, vx_pathf(p, "%s.%s.%s", path, key, kind));
}

static int read_order(vrun *r, vclaim *cl, const char *path)
{
    int dno = strcmp(cl->kind, "dnc_not_optimal") == 0;
    if (read_ref(r, cl, path, "lower", 0, dno ? "loss" : NULL) || read_ref(r, cl, path, "higher", 1, dno ? "value" : NULL))
        return -1;
    if (dno && r->c.p.ce && !is_ce_structure(&cl->ref[1]->st))
        return vx_fail(&r->c, "%s.higher: under \"loss\": \"ce\" a dnc_not_optimal claim compares with the value of the "
                       "ufm, deep-linear or dnc structure (a DNC-structured value, §8.3)", path);
    if (dno && !r->c.p.ce && (cl->ref[1]->st.name[0] == '\0' || strcmp(cl->ref[1]->st.name, "dnc") != 0))
        return vx_fail(&r->c, "%s.higher: a dnc_not_optimal claim compares with the value of the dnc structure", path);
    return 0;
}

static int read_ratio(vrun *r, vclaim *cl, const char *path)
{
    return read_ref(r, cl, path, "numerator", 0, NULL) || read_ref(r, cl, path, "denominator", 1, NULL)
           || read_iv(r, cl, path, "ratio", 0);
}

/* o[key]: [a, b, c] integer triples, strictly increasing; each checked by ok(). */
static int read_triples(vrun *r, vclaim *cl, const char *path, const char *key, const char *what,
                        int (*ok)(const vrun *r, const vclaim *cl, const slong *t))
{
    const json_t *a = json_object_get(cl->o, key), *e;
    slong i, t[3], prev[3] = { 0, 0, 0 };
    for (i = 0; i < (slong) json_array_size(a); i++) {
        e = json_array_get(a, i);
        if (json_array_size(e) != 3 || !json_is_integer(json_array_get(e, 0)) || !json_is_integer(json_array_get(e, 1))
            || !json_is_integer(json_array_get(e, 2)))
            return vx_fail(&r->c, "%s.%s[%ld]: expected %s", path, key, (long) i,
                           strstr(key, "kinks") != NULL || strstr(key, "weights") != NULL ? "[layer, row, column]"
                           : strstr(key, "partial") != NULL ? "[a, b, column]" : "[layer, a, b]");
        t[0] = (slong) json_integer_value(json_array_get(e, 0));
        t[1] = (slong) json_integer_value(json_array_get(e, 1));
        t[2] = (slong) json_integer_value(json_array_get(e, 2));
        if (!ok(r, cl, t))
            return vx_fail(&r->c, "%s.%s[%ld]: [%ld, %ld, %ld] is not %s of point %s", path, key, (long) i, (long) t[0],
                           (long) t[1], (long) t[2], what, cl->P->name);
        if (i > 0 && (t[0] < prev[0] || (t[0] == prev[0] && (t[1] < prev[1] || (t[1] == prev[1] && t[2] <= prev[2])))))
            return vx_fail(&r->c, "%s.%s[%ld]: not strictly after the previous %s (sorted by its three numbers: %s)", path,
                           key, (long) i, strstr(key, "kinks") != NULL ? "kink" : strstr(key, "weights") ? "weight" : "generator",
                           strstr(key, "kinks") != NULL || strstr(key, "weights") != NULL ? "layer, row, column"
                           : strstr(key, "partial") != NULL ? "a, b, column" : "layer, a, b");
        memcpy(prev, t, sizeof(t));
    }
    return 0;
}

static int is_kink(const vrun *r, const vclaim *cl, const slong *t)
{
    const vx_problem *p = &r->c.p;
    return t[0] >= 2 && t[0] <= p->L && p->relu[t[0] - 2] && t[1] >= 0 && t[1] < p->width[t[0] - 1] && t[2] >= 0
           && t[2] < cl->P->ncols;
}

/* [l, i, u]: entry (i, u) of W_l (d_{l+1} x d_l; K rows for l = L), or for l = 0 of H1
 * (d_1 x the point's columns). */
static int is_weight(const vrun *r, const vclaim *cl, const slong *t)
{
    const vx_problem *p = &r->c.p;
    if (t[0] == 0)
        return t[1] >= 0 && t[1] < p->width[0] && t[2] >= 0 && t[2] < cl->P->ncols;
    return t[0] >= 1 && t[0] <= p->L && t[1] >= 0 && t[1] < (t[0] < p->L ? p->width[t[0]] : p->K) && t[2] >= 0
           && t[2] < p->width[t[0] - 1];
}

static int is_generator(const vrun *r, const vclaim *cl, const slong *t)
{
    (void) cl;
    return t[0] >= 1 && t[0] <= r->c.p.L && t[1] >= 0 && t[1] < t[2] && t[2] < r->c.p.width[t[0] - 1];
}

/* A partial rotation [a, b, j] of column j of H1 (format §6.9): 0 <= a < b < d_1, j a column,
 * and a layer 2 to see the columns (L >= 2). */
static int is_partial(const vrun *r, const vclaim *cl, const slong *t)
{
    return r->c.p.L >= 2 && t[0] >= 0 && t[0] < t[1] && t[1] < r->c.p.width[0] && t[2] >= 0 && t[2] < cl->P->ncols;
}

/* A kink-preserving rotation [l, a, b] (format §6.9): units a < b of a ReLU layer l >= 2. */
static int is_kink_rotation(const vrun *r, const vclaim *cl, const slong *t)
{
    (void) cl;
    return t[0] >= 2 && t[0] <= r->c.p.L && r->c.p.relu[t[0] - 2] && t[1] >= 0 && t[1] < t[2]
           && t[2] < r->c.p.width[t[0] - 1];
}

/* Kinks: [layer, row, column] triples, strictly increasing, at ReLU pre-activations. */
static int read_stationarity(vrun *r, vclaim *cl, const char *path)
{
    slong E, emax = -(r->c.file_prec / 4);
    if (read_point_ref(r, cl, path) || vx_int(&r->c, cl->o, path, "max_radius_log2", -4 * VX_PREC_MAX, emax, &E))
        return -1;
    return read_triples(r, cl, path, "kinks", "an entry of a ReLU pre-activation", is_kink);
}

/* 1 when a triple of b also occurs in a (both arrays of integer triples), its index in *at. */
static int shared_triple(const json_t *a, const json_t *b, slong *at)
{
    size_t i, j, t;
    for (j = 0; j < json_array_size(b); j++)
        for (i = 0; i < json_array_size(a); i++) {
            for (t = 0; t < 3 && json_integer_value(json_array_get(json_array_get(a, i), t))
                                  == json_integer_value(json_array_get(json_array_get(b, j), t)); t++)
                ;
            if (t == 3) {
                *at = (slong) j;
                return 1;
            }
        }
    return 0;
}

/* o[key] (optional): [x, y] integer pairs (shape says how one looks), each ok(r, x, y) (what
 * says what that means), strictly increasing (order names the order, noun an entry). */
static int read_pairs(vrun *r, vclaim *cl, const char *path, const char *key, const char *shape, const char *what,
                      const char *noun, const char *order, int (*ok)(const vrun *r, slong x, slong y))
{
    const json_t *a = json_object_get(cl->o, key), *e;
    slong i, x, y, px = -1, py = -1;
    for (i = 0; i < (slong) json_array_size(a); i++) {
        e = json_array_get(a, i);
        if (json_array_size(e) != 2 || !json_is_integer(json_array_get(e, 0)) || !json_is_integer(json_array_get(e, 1)))
            return vx_fail(&r->c, "%s.%s[%ld]: expected %s", path, key, (long) i, shape);
        x = (slong) json_integer_value(json_array_get(e, 0));
        y = (slong) json_integer_value(json_array_get(e, 1));
        if (!ok(r, x, y))
            return vx_fail(&r->c, "%s.%s[%ld]: [%ld, %ld] is not %s", path, key, (long) i, (long) x, (long) y, what);
        if (x < px || (x == px && y <= py))
            return vx_fail(&r->c, "%s.%s[%ld]: not strictly after the previous %s (sorted by %s)", path, key, (long) i,
                           noun, order);
        px = x;
        py = y;
    }
    return 0;
}

static int is_unit(const vrun *r, slong l, slong u)
{
    return l >= 1 && l <= r->c.p.L && u >= 0 && u < r->c.p.width[l - 1];
}

static int is_class_pair(const vrun *r, slong a, slong b)
{
    return a >= 0 && a < b && b < r->c.p.K;
}

/* A class rotation (at where, a field's path) needs one sample per class and no bias (§6.9). */
static int class_rotation_allowed(vrun *r, const char *where)
{
    slong c;
    for (c = 0; c < r->c.p.K; c++)
        if (r->c.p.n[c] != 1)
            return vx_fail(&r->c, "%s: allowed only when every class has exactly one sample (class %ld has %ld)", where,
                           (long) c, (long) r->c.p.n[c]);
    return r->c.p.bias ? vx_fail(&r->c, "%s: allowed only in a problem without bias", where) : 0;
}

/* o["dead_units"] (optional): [l, a] pairs, 1 <= l <= L, 0 <= a < d_l, strictly increasing;
 * o["class_rotations"] (optional): [a, b] pairs of classes, 0 <= a < b < K, strictly
 * increasing, only with one sample per class and no bias (§6.9). */
static int read_unit_pairs(vrun *r, vclaim *cl, const char *path)
{
    char unit[128], pair[64], pth[VPATH];
    snprintf(unit, sizeof(unit), "a unit of the problem (1 <= layer <= %ld, 0 <= unit < d_layer)", (long) r->c.p.L);
    snprintf(pair, sizeof(pair), "a pair of classes 0 <= a < b < K = %ld", (long) r->c.p.K);
    return read_pairs(r, cl, path, "class_rotations", "[a, b]", pair, "pair", "a, b", is_class_pair)
           || (json_array_size(json_object_get(cl->o, "class_rotations")) > 0
               && class_rotation_allowed(r, vx_pathf(pth, "%s.class_rotations", path)))
           || read_pairs(r, cl, path, "dead_units", "[layer, unit]", unit, "unit", "layer, unit", is_unit);
}

/* §6.9: the box radius, kinks, one multiplier per kink, generators, dead units, the loss interval. */
static int read_critical(vrun *r, vclaim *cl, const char *path)
{
    const json_t *mu = json_object_get(cl->o, "multipliers");
    slong E, i, emax = -(r->c.file_prec / 4);
    char pth[VPATH];
    fmpq_t q;
    if (read_point_ref(r, cl, path) || vx_int(&r->c, cl->o, path, "radius_log2", -4 * VX_PREC_MAX, emax, &E)
        || read_triples(r, cl, path, "kinks", "an entry of a ReLU pre-activation", is_kink)
        || read_triples(r, cl, path, "generators", "a rotation of units a < b < d_l of a layer l", is_generator)
        || read_triples(r, cl, path, "partial_generators", "a partial rotation [a, b, j] of column j of H1 "
                        "(a < b < d_1, L >= 2)", is_partial)
        || read_triples(r, cl, path, "kink_rotations", "a kink-preserving rotation [l, a, b] of units a < b < d_l of "
                        "a ReLU layer l >= 2", is_kink_rotation)
        || read_triples(r, cl, path, "implied_kinks", "an entry of a ReLU pre-activation", is_kink)
        || read_triples(r, cl, path, "zero_weights", "an entry [l, i, u] of W_l (of H1 for l = 0)", is_weight)
        || read_unit_pairs(r, cl, path) || read_iv(r, cl, path, "loss", 0))
        return -1;
    if (shared_triple(json_object_get(cl->o, "kinks"), json_object_get(cl->o, "implied_kinks"), &i))
        return vx_fail(&r->c, "%s.implied_kinks[%ld]: also listed in kinks", path, (long) i);
    if (json_array_size(mu) != json_array_size(json_object_get(cl->o, "kinks")))
        return vx_fail(&r->c, "%s.multipliers: expected one per kink (%zu), got %zu", path,
                       json_array_size(json_object_get(cl->o, "kinks")), json_array_size(mu));
    fmpq_init(q);
    for (i = 0; i < (slong) json_array_size(mu); i++)
        if (!json_is_string(json_array_get(mu, i)) || vx_parse_rational(q, json_string_value(json_array_get(mu, i)))) {
            fmpq_clear(q);
            return vx_fail(&r->c, "%s: expected a rational string", vx_pathf(pth, "%s.multipliers[%ld]", path, (long) i));
        }
    fmpq_clear(q);
    return 0;
}

/* cl->ref[i] <- the claim named by cl's field `key`, which must be a claim of kind `key`. */
static int read_kind_ref(vrun *r, vclaim *cl, const char *path, const char *key, int i)
{
    char p[VPATH];
    return named_claim(r, cl, i, vx_str(cl->o, key), key, vx_pathf(p, "%s.%s", path, key));
}

/* cl->ref[0] <- the critical_point claim named by cl's "critical_point". */
static int read_critical_ref(vrun *r, vclaim *cl, const char *path)
{
    if (read_kind_ref(r, cl, path, "critical_point", 0))
        return -1;
    cl->P = cl->ref[0]->P;
    return 0;
}

/* §6.11: the critical_point claim and rho, a positive rational. */
static int read_strict_local_min(vrun *r, vclaim *cl, const char *path)
{
    fmpq_t rho;
    int bad;
    if (read_critical_ref(r, cl, path))
        return -1;
    fmpq_init(rho);
    bad = vx_parse_rational(rho, vx_str(cl->o, "rho")) != 0 || fmpq_sgn(rho) <= 0;
    fmpq_clear(rho);
    return bad ? vx_fail(&r->c, "%s.rho: expected a positive rational string", path) : 0;
}

/* §6.10 "exact_slopes" (optional): entries {"kink": k, "slope": 0 or 1, and exactly one witness:
 * "generator": [l, a, b], "kink_rotation": [l, a, b], "class_rotation": [a, b], "lone_unit": j or
 * "shared_input": q}, k a kink of the critical_point claim, strictly increasing; j a column of
 * that claim's point; q below the largest width. ex (5 per entry, or NULL: validate only) <-
 * (k, slope, witness encoded as vx_critical_check's generators, or (VX_LONE_UNIT, j, 0), or
 * (VX_SHARED_INPUT, q, 0)). Returns the number of entries, or -1 (malformed, with the error set). */
static slong exact_slopes_get(vrun *r, vclaim *cl, const char *path, slong *ex)
{
    const json_t *a = json_object_get(cl->o, "exact_slopes"), *e, *w;
    slong nk = (slong) json_array_size(json_object_get(cl->ref[0]->o, "kinks")), i, k, t, prev = -1, c;
    char pth[VPATH];
    if (a != NULL && !json_is_array(a))
        return vx_fail(&r->c, "%s.exact_slopes: expected an array", path);
    if (json_array_size(a) > 0 && nk == 0)
        return vx_fail(&r->c, "%s.exact_slopes: claim %.64s has no kinks", path, cl->ref[0]->id);
    for (i = 0; i < (slong) json_array_size(a); i++) {
        slong v[3] = { 0, 0, 0 }, nw = 0, fam = -1, f;
        static const char *const key[5] = { "generator", "kink_rotation", "class_rotation", "lone_unit", "shared_input" };
        e = json_array_get(a, i);
        vx_pathf(pth, "%s.exact_slopes[%ld]", path, (long) i);
        if (vx_schema(&r->c, e, pth, "kink:i slope:i generator:a? kink_rotation:a? class_rotation:a? lone_unit:i? "
                      "shared_input:i?")
            || vx_int(&r->c, e, pth, "kink", 0, nk - 1, &k) || vx_int(&r->c, e, pth, "slope", 0, 1, &t))
            return -1;
        if (k <= prev)
            return vx_fail(&r->c, "%s.kink: %ld is not strictly after the previous entry's kink", pth, (long) k);
        prev = k;
        for (f = 0; f < 5; f++)
            if ((w = json_object_get(e, key[f])) != NULL)
                nw++, fam = f;
        if (nw != 1)
            return vx_fail(&r->c, "%s: expected exactly one witness (generator, kink_rotation, class_rotation, "
                           "lone_unit or shared_input), got %ld", pth, (long) nw);
        if (fam >= 3) {   /* an integer: a column of the point (lone_unit) or a unit of the layer below the kink's
                           * (shared_input, its layer checked in §6.10 4b); the checks of §6.10 decide the rest */
            slong x, hi = 0, l;
            if (fam == 3) {
                const char *name = vx_str(cl->ref[0]->o, "point");   /* that claim may come later: not yet validated */
                const vx_point *P = name != NULL ? vx_point_find(&r->c, name) : NULL;
                if (P == NULL)
                    return vx_fail(&r->c, "%s: claim %.64s names no point", pth, cl->ref[0]->id);
                hi = P->ncols - 1;
            }
            for (l = 0; fam == 4 && l < r->c.p.L; l++)
                hi = FLINT_MAX(hi, r->c.p.width[l] - 1);
            if (vx_int(&r->c, e, pth, key[fam], 0, hi, &x))
                return -1;
            if (ex != NULL)
                ex[5 * i] = k, ex[5 * i + 1] = t, ex[5 * i + 2] = fam == 3 ? VX_LONE_UNIT : VX_SHARED_INPUT,
                ex[5 * i + 3] = x, ex[5 * i + 4] = 0;
            continue;
        }
        w = json_object_get(e, key[fam]);
        for (f = 0; f < (slong) json_array_size(w) && f < 3; f++)
            v[f] = (slong) json_integer_value(json_array_get(w, f));
        for (f = 0, c = 1; f < (slong) json_array_size(w); f++)
            c &= json_is_integer(json_array_get(w, f));
        if (!c || json_array_size(w) != (fam == 2 ? 2u : 3u)
            || !(fam == 0 ? is_generator(r, cl, v) : fam == 1 ? is_kink_rotation(r, cl, v) : is_class_pair(r, v[0], v[1])))
            return vx_fail(&r->c, "%s.%s: expected %s", pth, key[fam], fam == 0 ? "[l, a, b], a rotation of units "
                           "a < b < d_l of a layer l" : fam == 1 ? "[l, a, b], units a < b < d_l of a ReLU layer l >= 2"
                           : "[a, b], classes 0 <= a < b < K");
        if (fam == 2 && class_rotation_allowed(r, vx_pathf(pth, "%s.exact_slopes[%ld].class_rotation", path, (long) i)))
            return -1;
        if (ex != NULL) {
            slong *x = ex + 5 * i;
            x[0] = k, x[1] = t;
            x[2] = fam == 2 ? VX_CLASS_ROTATION : fam == 1 ? VX_KINK_ROTATION + v[0] : v[0];
            x[3] = fam == 2 ? v[0] : v[1];
            x[4] = fam == 2 ? v[1] : v[2];
        }
    }
    return (slong) json_array_size(a);
}

/* §6.10 "shifts" (optional): entries {"implied_kink": q, "partner": a, "shift": s, "slope": I},
 * q an implied kink of the critical_point claim (strictly increasing), a a unit of its layer,
 * s a rational string, I an interval. With sh != NULL (arrays of n entries, initialised by the
 * caller) it receives them. Returns the number of entries, or -1 (malformed, with the error set). */
static slong shifts_get(vrun *r, vclaim *cl, const char *path, slong *q, fmpq *s, fmpq *lo, fmpq *hi)
{
    const json_t *a = json_object_get(cl->o, "shifts"), *e, *imp = json_object_get(cl->ref[0]->o, "implied_kinks");
    slong ni = (slong) json_array_size(imp), i, k, u, prev = -1;
    char pth[VPATH], pth2[VPATH];
    fmpq_t x, y;
    if (a != NULL && !json_is_array(a))
        return vx_fail(&r->c, "%s.shifts: expected an array", path);
    if (json_array_size(a) > 0 && ni == 0)
        return vx_fail(&r->c, "%s.shifts: claim %.64s has no implied kinks", path, cl->ref[0]->id);
    fmpq_init(x);
    fmpq_init(y);
    for (i = 0; i < (slong) json_array_size(a); i++) {
        slong l;
        e = json_array_get(a, i);
        vx_pathf(pth, "%s.shifts[%ld]", path, (long) i);
        if (vx_schema(&r->c, e, pth, "implied_kink:i partner:i shift:s slope:o")
            || vx_int(&r->c, e, pth, "implied_kink", 0, ni - 1, &k))
            break;
        if (k <= prev) {
            vx_fail(&r->c, "%s.implied_kink: %ld is not strictly after the previous entry's", pth, (long) k);
            break;
        }
        prev = k;
        l = (slong) json_integer_value(json_array_get(json_array_get(imp, k), 0));
        if (l < 1 || l > r->c.p.L) {   /* claim ID may come later in the file: its triples are not validated yet */
            vx_fail(&r->c, "%s.implied_kink: implied kink %ld of claim %.64s is not an entry of a ReLU pre-activation",
                    pth, (long) k, cl->ref[0]->id);
            break;
        }
        if (vx_int(&r->c, e, pth, "partner", 0, r->c.p.width[l - 1] - 1, &u))
            break;
        if (vx_parse_rational(x, vx_str(e, "shift")) != 0) {
            vx_fail(&r->c, "%s.shift: expected a rational string", pth);
            break;
        }
        if (q != NULL) {
            q[2 * i] = k, q[2 * i + 1] = u;
            fmpq_set(s + i, x);
        }
        if (vx_interval(&r->c, json_object_get(e, "slope"), vx_pathf(pth2, "%s.slope", pth), q != NULL ? lo + i : x,
                        q != NULL ? hi + i : y))
            break;
    }
    fmpq_clear(x);
    fmpq_clear(y);
    return i < (slong) json_array_size(a) ? -1 : (slong) json_array_size(a);
}

static int read_kink_multipliers(vrun *r, vclaim *cl, const char *path)
{
    const json_t *t = json_object_get(cl->o, "slopes");
    const char *id = vx_str(cl->o, "critical_point");
    char pth[VPATH];
    fmpq_t lo, hi;
    slong i;
    int ret = 0;
    if (read_critical_ref(r, cl, path))
        return -1;
    if (json_array_size(t) != json_array_size(json_object_get(cl->ref[0]->o, "kinks")))
        return vx_fail(&r->c, "%s.slopes: expected one interval per kink of claim %.64s (%zu), got %zu", path, id,
                       json_array_size(json_object_get(cl->ref[0]->o, "kinks")), json_array_size(t));
    fmpq_init(lo);
    fmpq_init(hi);
    for (i = 0; i < (slong) json_array_size(t) && ret == 0; i++)
        ret = vx_interval(&r->c, json_array_get(t, i), vx_pathf(pth, "%s.slopes[%ld]", path, (long) i), lo, hi);
    fmpq_clear(lo);
    fmpq_clear(hi);
    return ret == 0 && (exact_slopes_get(r, cl, path, NULL) < 0 || shifts_get(r, cl, path, NULL, NULL, NULL, NULL) < 0)
           ? -1 : ret;
}

static int read_fact(vrun *r, vclaim *cl, const char *path)
{
    slong layer, rank = -1;
    return read_point_ref(r, cl, path) || vx_int(&r->c, cl->o, path, "layer", 1, VX_MAX_L, &layer)
           || (json_object_get(cl->o, "rank") && vx_int(&r->c, cl->o, path, "rank", 0, VX_MAX_WIDTH, &rank));
}

/* ---- checks (one per kind) ---- */

/* The blocks of the claim's structure and its block named in "block", or a reason. */
static vx_block *claim_block(vrun *r, vclaim *cl, vx_block *b, slong *nb)
{
    char buf[160], s[32];
    const char *unmet = vx_structure_unmet(buf, sizeof(buf), &r->c.p, &cl->st);
    slong i;
    *nb = 0;
    if (unmet != NULL)
        return not_proven(cl, "structure %s does not exist in this problem: %s",
                          vx_structure_str(s, sizeof(s), &cl->st), unmet), NULL;
    *nb = vx_structure_blocks(b, &r->c.p, &cl->st);
    for (i = 0; i < *nb; i++)
        if (strcmp(b[i].name, vx_str(cl->o, "block")) == 0)
            return b + i;
    return not_proven(cl, "structure %s has no %s block in this problem", vx_structure_str(s, sizeof(s), &cl->st),
                      vx_str(cl->o, "block")), NULL;
}

/* p is a non-zero rational multiple of f (f is 0 when it was not built: see check_root). */
static int poly_multiple(const fmpz_poly_t p, const fmpz_poly_t f)
{
    fmpz_poly_t a, b;
    int eq;
    if (fmpz_poly_is_zero(p) || fmpz_poly_is_zero(f))
        return 0;
    fmpz_poly_init(a);
    fmpz_poly_init(b);
    fmpz_poly_scalar_mul_fmpz(a, p, fmpz_poly_lead(f));
    fmpz_poly_scalar_mul_fmpz(b, f, fmpz_poly_lead(p));
    eq = fmpz_poly_equal(a, b);
    fmpz_poly_clear(a);
    fmpz_poly_clear(b);
    return eq;
}

/* §6.1: the polynomial is the block's (up to a non-zero factor), [lo, hi] is a proper part
 * of [(L-1)/(2L), 1], where the block polynomial is strictly monotone, and its values at
 * lo and hi have opposite signs: exactly one root c lies in (lo, hi). */
static int check_root(vrun *r, vclaim *cl, const char *path)
{
    slong L = r->c.p.L, nb;
    char buf[160];
    if (r->c.p.ce) {   /* §6.1 under CE: H(lo) < 0 < H(hi), so (lo, hi) isolates sigma_2 */
        say(cl, "(lo, hi) holds exactly one zero of the stationarity function H of %s under CE, its larger zero "
            "sigma_2", cl->st.name);
        if (vx_structure_unmet(buf, sizeof(buf), &r->c.p, &cl->st) != NULL)
            return not_proven(cl, "structure %s does not exist in this problem: %s", cl->st.name,
                              vx_structure_unmet(buf, sizeof(buf), &r->c.p, &cl->st));
        cl->verdict = vx_ce_root(&r->c.p, &cl->st, cl->iv[0], cl->iv[1], r->c.prec, cl->why, sizeof(cl->why));
        return 0;
    }
    vx_block b[2], *B = claim_block(r, cl, b, &nb);
    fmpz_poly_t f;
    fmpq_t a;
    (void) path;
    say(cl, "the scale c of block %s of %s is the only root of the given polynomial in (lo, hi)",
        vx_str(cl->o, "block"), cl->st.name);
    if (B != NULL) {
        fmpz_poly_init(f);
        fmpq_init(a);
        /* The block polynomial is primitive and has the coefficient +-den(Q) (at c^(L-1), or
         * c^2 for L = 1), so a multiple has a coefficient of at least as many bits: without
         * that, it is not built (Q may be large). */
        if (fmpz_poly_degree(cl->poly) == 2 * L
            && (slong) fmpz_bits(fmpq_denref(B->Q)) <= FLINT_ABS(fmpz_poly_max_bits(cl->poly)))
            vx_block_poly(f, B->Q, L);
        fmpq_set_si(a, L - 1, (ulong) (2 * L));
        if (!poly_multiple(cl->poly, f))
            not_proven(cl, "the polynomial is not a non-zero multiple of den(Q)(1-c)^(L+1) c^(L-1) - num(Q) of the block");
        else if (fmpq_cmp(cl->iv[0], a) < 0 || fmpq_cmp(cl->iv[0], cl->iv[1]) >= 0 || fmpq_cmp_si(cl->iv[1], 1) > 0)
            not_proven(cl, "the interval is not a proper part of [(L-1)/(2L), 1]");
        else if (vx_sign_at(f, cl->iv[0], r->c.prec) * vx_sign_at(f, cl->iv[1], r->c.prec) != -1)
            not_proven(cl, "the block polynomial has no proven sign change on the interval");
        else
            cl->verdict = 1;
        fmpz_poly_clear(f);
        fmpq_clear(a);
    }
    vx_blocks_clear(b, nb);
    return 0;
}

/* §6.2: the exact comparison of T_L with the block's Q. */
static int check_alive(vrun *r, vclaim *cl, const char *path)
{
    static const char *const words[3] = { "dead", "tie", "alive" };
    slong nb;
    vx_block b[2], *B = claim_block(r, cl, b, &nb);
    fmpq_t T;
    int cmp;
    char *q;
    (void) path;
    say(cl, "block %s of %s is %s: exact comparison of T_L = (L-1)^(L-1)/L^(2L) with its Q", vx_str(cl->o, "block"),
        cl->st.name, vx_str(cl->o, "decision"));
    if (B != NULL) {
        fmpq_init(T);
        vx_alive_threshold(T, r->c.p.L);
        cmp = fmpq_cmp(T, B->Q);
        cmp = cmp > 0 ? 2 : cmp == 0;
        if (strcmp(vx_str(cl->o, "decision"), words[cmp]) != 0) {
            q = fmpq_get_str(NULL, 10, B->Q);
            not_proven(cl, "the exact comparison of T_L with Q = %.200s gives \"%s\"", q, words[cmp]);
            flint_free(q);
        } else
            cl->verdict = 1;
        fmpq_clear(T);
    }
    vx_blocks_clear(b, nb);
    return 0;
}

/* §6.3: the value of the structure, derived by the checker (§8), lies in the interval. */
static int check_value(vrun *r, vclaim *cl, const char *path)
{
    char s[32], t1[VTXT], t2[VTXT], why[VWHY];
    (void) path;
    say(cl, "the value of structure %s on this problem (derived from the problem, §8) lies in %s",
        vx_structure_str(s, sizeof(s), &cl->st), ivstr(t1, cl, 0));
    if (cl->same != NULL) {                 /* derived once per structure */
        cl->derived = cl->same->derived;
        arb_set(cl->q, cl->same->q);
        snprintf(why, sizeof(why), "%s", cl->same->why);
    } else
        cl->derived = vx_structure_value(cl->q, &r->c.p, &cl->st, r->c.prec, why, sizeof(why));
    if (!cl->derived)
        return arb_indeterminate(cl->q), not_proven(cl, "%s", why);
    if (!in_iv(cl, 0, cl->q))
        return not_proven(cl, "the value of %s is %s, not in %s", s, vx_arb_str(t2, cl->q), ivstr(t1, cl, 0));
    cl->verdict = 1;
    return 0;
}

/* §6.4: the loss, fit and regulariser of every point of the box lie in the intervals; with
 * "fast-double", enclosed by the rule of §6.4.1 (never by a radius from the file). */
static int check_loss(vrun *r, vclaim *cl, const char *path)
{
    static const char *const part[3] = { "loss", "fit", "reg" };
    arb_struct x[3];
    char t1[VTXT], t2[VTXT];
    int k, ok = 1;
    (void) path;
    say(cl, "every point of the box of point %s has loss in %s (%s)", cl->P->name, ivstr(t1, cl, 0),
        cl->fast ? "fast-double rule, format 6.4.1" : "ball arithmetic");
    if (cl->P->invalid)
        return arb_indeterminate(cl->q), INVALID(cl, cl->P);
    for (k = 0; k < 3; k++)
        arb_init(x + k);
    if (cl->fast) {
        const vx_fast *f = vx_point_fast(&r->c.p, cl->P);
        ok = f->ok;
        arb_set(x, f->loss), arb_set(x + 1, f->fit), arb_set(x + 2, f->reg);
        if (!ok)
            snprintf(cl->why, sizeof(cl->why), "%s", f->why);
    } else {
        const vx_forward *f = vx_point_forward(&r->c, cl->P);
        arb_set(x, f->loss), arb_set(x + 1, f->fit), arb_set(x + 2, f->reg);
    }
    cl->verdict = ok;
    if (ok)
        arb_set(cl->q, x);
    else
        arb_indeterminate(cl->q);
    for (k = 0; k < 3 && ok; k++)
        if (!in_iv(cl, k, x + k))
            ok = not_proven(cl, "the %s of point %s is %s, not in %s", part[k], cl->P->name, vx_arb_str(t1, x + k),
                            ivstr(t2, cl, k));
    for (k = 0; k < 3; k++)
        arb_clear(x + k);
    return 0;
}

/* ---- §6.12 gradient_norm ---- */

/* norm <- [sqrt(sum w mig(g)^2), sqrt(sum w mag(g)^2)] over the entries g of the gradient
 * enclosure of the box (H1 entries weighted by their columns' multiplicities: the gradient
 * of the expanded point), summed in balls at the working precision. */
static void ball_grad_norm(arb_t norm, vx_ctx *c, vx_point *P)
{
    slong L = c->p.L, prec = c->prec, b, i, j;
    arb_mat_struct *g = flint_malloc((L + 2) * sizeof(arb_mat_struct));
    arb_t lo, hi, t;
    arf_t x, y;
    arb_init(lo), arb_init(hi), arb_init(t);
    arf_init(x), arf_init(y);
    vx_point_gradient(c, P, NULL, g);
    for (b = 0; b < L + 2; b++)
        for (j = 0; j < arb_mat_ncols(g + b); j++)
            for (i = 0; i < arb_mat_nrows(g + b); i++) {
                slong w = b == 0 ? P->mult[j] : 1;
                arb_get_abs_ubound_arf(x, arb_mat_entry(g + b, i, j), prec);
                arb_set_arf(t, x);
                arb_sqr(t, t, prec);
                arb_addmul_si(hi, t, w, prec);
                arb_get_abs_lbound_arf(x, arb_mat_entry(g + b, i, j), prec);
                arb_set_arf(t, x);
                arb_sqr(t, t, prec);
                arb_addmul_si(lo, t, w, prec);
            }
    arb_sqrtpos(lo, lo, prec);
    arb_sqrtpos(hi, hi, prec);
    arb_get_lbound_arf(x, lo, prec);
    arb_get_ubound_arf(y, hi, prec);
    arb_set_interval_arf(norm, x, y, prec);
    vx_grad_clear(g, L);
    flint_free(g);
    arb_clear(lo), arb_clear(hi), arb_clear(t);
    arf_clear(x), arf_clear(y);
}

/* 1 iff [max(0, lower end of x), upper end of x] lies in the claim's interval: a norm is
 * >= 0, and a ball of an interval [0, h] reaches below 0 by its radius's rounding. */
static int norm_in_iv(const vclaim *cl, const arb_t x)
{
    arf_t a;
    fmpq_t q;
    int ok;
    arf_init(a);
    fmpq_init(q);
    arb_get_lbound_arf(a, x, 2 * FLINT_MAX(arb_bits(x), 64));
    if (arf_sgn(a) < 0)
        arf_zero(a);
    ok = arf_is_finite(a);
    if (ok) {
        arf_get_fmpq(q, a);
        ok = fmpq_cmp(cl->iv[0], q) <= 0;
    }
    arb_get_ubound_arf(a, x, 2 * FLINT_MAX(arb_bits(x), 64));
    ok = ok && arf_is_finite(a);
    if (ok) {
        arf_get_fmpq(q, a);
        ok = fmpq_cmp(q, cl->iv[1]) <= 0;
    }
    arf_clear(a);
    fmpq_clear(q);
    return ok;
}

/* §6.12: every element of the chain-rule generalised gradient at every point of the box has
 * its 2-norm in the interval; enclosed in balls ("arb") or by the rule ("fast-double"). */
static int check_gradient_norm(vrun *r, vclaim *cl, const char *path)
{
    char t1[VTXT], t2[VTXT];
    (void) path;
    say(cl, "every element of the chain-rule generalised gradient at every point of the box of point %s has norm "
        "in %s (%s)", cl->P->name, ivstr(t1, cl, 0), cl->fast ? "fast-double rule, format 6.12" : "ball arithmetic");
    if (cl->P->invalid)
        return arb_indeterminate(cl->q), INVALID(cl, cl->P);
    if (cl->fast) {
        const vx_fast *f = vx_point_fast(&r->c.p, cl->P);
        if (!f->grad_ok)
            return arb_indeterminate(cl->q), not_proven(cl, "%s", f->gwhy);
        arb_set(cl->q, f->norm);
    } else
        ball_grad_norm(cl->q, &r->c, cl->P);
    if (!norm_in_iv(cl, cl->q))
        return not_proven(cl, "the gradient norms of point %s lie in %s, not in %s", cl->P->name,
                          vx_arb_str(t1, cl->q), ivstr(t2, cl, 0));
    cl->verdict = 1;
    return 0;
}

/* ---- §6.5 stationarity ---- */

static void masks_clear(char **mask, slong L)
{
    slong l;
    for (l = 0; l <= L; l++)
        flint_free(mask[l]);
    flint_free(mask);
}

/* mask[l][i + d_l j] = 1 for the listed kinks (read_stationarity validated them). */
static char **kink_masks(const vx_problem *p, const vx_point *P, const json_t *kinks)
{
    char **mask = flint_calloc(p->L + 1, sizeof(char *));
    slong l, k, i, j;
    for (l = 2; l <= p->L; l++)
        mask[l] = flint_calloc((size_t) (p->width[l - 1] * P->ncols) + 1, 1);
    for (k = 0; k < (slong) json_array_size(kinks); k++) {
        l = (slong) json_integer_value(json_array_get(json_array_get(kinks, k), 0));
        i = (slong) json_integer_value(json_array_get(json_array_get(kinks, k), 1));
        j = (slong) json_integer_value(json_array_get(json_array_get(kinks, k), 2));
        mask[l][i + p->width[l - 1] * j] = 1;
    }
    return mask;
}

/* A ReLU pre-activation entry whose enclosure contains 0 and is not listed, or 0. */
static int unlisted_kink(vclaim *cl, const vx_problem *p, const vx_point *P, char *const *mask)
{
    slong l, i, j;
    for (l = 2; l <= p->L; l++)
        for (j = 0; p->relu[l - 2] && j < P->ncols; j++)
            for (i = 0; i < p->width[l - 1]; i++)
                if (arb_contains_zero(arb_mat_entry(P->fw.pre + l, i, j)) && !mask[l][i + p->width[l - 1] * j])
                    return not_proven(cl, "the pre-activation [%ld, %ld, %ld] of point %s may vanish on the box but "
                                      "is not listed as a kink", (long) l, (long) i, (long) j, P->name), 1;
    return 0;
}

/* Every gradient entry contains 0 and has radius at most 2^E. */
static int gradient_small(vclaim *cl, const vx_problem *p, const vx_point *P, const arb_mat_struct *g, slong E)
{
    char name[24], t[VTXT];
    slong b, i, j;
    for (b = 0; b < p->L + 2; b++)
        for (i = 0; i < arb_mat_nrows(g + b); i++)
            for (j = 0; j < arb_mat_ncols(g + b); j++) {
                arb_srcptr x = arb_mat_entry(g + b, i, j);
                if (b == 0 || b > p->L)
                    snprintf(name, sizeof(name), "%s", b == 0 ? "H1" : "b");
                else
                    snprintf(name, sizeof(name), "W%ld", (long) b);
                if (!arb_is_finite(x) || !arb_contains_zero(x) || mag_cmp_2exp_si(arb_radref(x), E) > 0)
                    return not_proven(cl, "gradient entry %s[%ld,%ld] of point %s is %s: %s", name, (long) i, (long) j,
                                      P->name, vx_arb_str(t, x), arb_contains_zero(x) ? "radius above 2^E"
                                                                                     : "it does not contain 0");
            }
    return 1;
}

/* Every ball scalar of the point has radius (hi - lo)/2 at most 2^E. */
static int box_small(vclaim *cl, const vx_point *P, slong E)
{
    fmpq_t w;
    slong i;
    int ok = 1;
    fmpq_init(w);
    for (i = 0; i < P->ns && ok; i++)
        if (!P->s[i].algebraic) {
            fmpq_sub(w, P->s[i].hi, P->s[i].lo);
            fmpq_mul_2exp(w, w, (ulong) (-E - 1));   /* ((hi - lo)/2) / 2^E, with E <= -32 */
            if (fmpq_cmp_si(w, 1) > 0)
                ok = not_proven(cl, "ball scalar %s of point %s has radius above 2^%ld: the box is too wide for the "
                                "claim", P->s[i].name, P->name, (long) E);
        }
    fmpq_clear(w);
    return ok;
}

static int check_stationarity(vrun *r, vclaim *cl, const char *path)
{
    const vx_problem *p = &r->c.p;
    vx_point *P = cl->P;
    slong E = (slong) json_integer_value(json_object_get(cl->o, "max_radius_log2"));
    arb_mat_struct *g;
    char **mask;
    (void) path;
    say(cl, "on the box of point %s (ball scalars of radius <= 2^%ld), every ReLU pre-activation that may vanish is "
        "listed, and every Clarke generalized gradient at every point of the box has all entries of absolute value "
        "<= 2^%ld", P->name, (long) E, (long) (E + 1));
    if (P->invalid)
        return INVALID(cl, P);
    if (!box_small(cl, P, E))
        return 0;
    vx_point_forward(&r->c, P);
    mask = kink_masks(p, P, json_object_get(cl->o, "kinks"));
    if (!unlisted_kink(cl, p, P, mask)) {
        g = flint_malloc((p->L + 2) * sizeof(arb_mat_struct));
        vx_point_gradient(&r->c, P, mask, g);
        cl->verdict = gradient_small(cl, p, P, g, E);
        vx_grad_clear(g, p->L);
        flint_free(g);
    }
    masks_clear(mask, p->L);
    return 0;
}

/* ---- §6.9 critical_point ---- */

static slong *triples(const json_t *a)
{
    slong *t = flint_malloc((3 * json_array_size(a) + 1) * sizeof(slong)), i;
    for (i = 0; i < 3 * (slong) json_array_size(a); i++)
        t[i] = (slong) json_integer_value(json_array_get(json_array_get(a, i / 3), i % 3));
    return t;
}

/* The dead units of a critical_point claim o: 2 integers each (validated by the reader). */
static slong *dead_pairs(const json_t *o, slong *nd)
{
    const json_t *du = json_object_get(o, "dead_units");
    slong i, *d;
    *nd = (slong) json_array_size(du);
    d = flint_malloc((2 * *nd + 1) * sizeof(slong));
    for (i = 0; i < 2 * *nd; i++)
        d[i] = (slong) json_integer_value(json_array_get(json_array_get(du, i / 2), i % 2));
    return d;
}

/* The checks of critical_point claim c (with rho: also the second-order test) into cl. */
/* pt <- the kinks, implied kinks, dead units and zero weights of critical_point claim o
 * (validated by the reader); crit_pattern_clear frees them. */
static void crit_pattern_get(vx_crit_pattern *pt, const json_t *o)
{
    pt->nk = (slong) json_array_size(json_object_get(o, "kinks"));
    pt->ni = (slong) json_array_size(json_object_get(o, "implied_kinks"));
    pt->nz = (slong) json_array_size(json_object_get(o, "zero_weights"));
    pt->kink = triples(json_object_get(o, "kinks"));
    pt->imp = triples(json_object_get(o, "implied_kinks"));
    pt->zw = triples(json_object_get(o, "zero_weights"));
    pt->dead = dead_pairs(o, &pt->nd);
}

static void crit_pattern_clear(vx_crit_pattern *pt)
{
    flint_free((slong *) pt->kink);
    flint_free((slong *) pt->imp);
    flint_free((slong *) pt->zw);
    flint_free((slong *) pt->dead);
}

static void critical_verdict(vrun *r, vclaim *cl, const vclaim *c, const fmpq *rho)
{
    const json_t *mus = json_object_get(c->o, "multipliers");
    slong E = (slong) json_integer_value(json_object_get(c->o, "radius_log2")), nk = (slong) json_array_size(mus), i;
    const json_t *pg = json_object_get(c->o, "partial_generators");
    slong *gen;
    const json_t *kr = json_object_get(c->o, "kink_rotations");
    slong q = (slong) json_array_size(json_object_get(c->o, "generators")), pq = (slong) json_array_size(pg);
    const json_t *cr = json_object_get(c->o, "class_rotations");
    slong kq = (slong) json_array_size(kr), cq = (slong) json_array_size(cr), g = q + pq + kq;
    vx_crit_pattern pt;
    fmpq *mu = _fmpq_vec_init(nk + 1);
    /* the rotations, then the partial rotations [a, b, j] as (-1 - j, a, b), then the kink-preserving
     * rotations [l, a, b] as (VX_KINK_ROTATION + l, a, b), then the class rotations [a, b] as
     * (VX_CLASS_ROTATION, a, b) (vx_critical_check) */
    gen = flint_realloc(triples(json_object_get(c->o, "generators")), (3 * (g + cq) + 1) * sizeof(slong));
    for (i = 0; i < pq; i++) {
        const json_t *e = json_array_get(pg, i);
        gen[3 * (q + i)] = -1 - (slong) json_integer_value(json_array_get(e, 2));
        gen[3 * (q + i) + 1] = (slong) json_integer_value(json_array_get(e, 0));
        gen[3 * (q + i) + 2] = (slong) json_integer_value(json_array_get(e, 1));
    }
    for (i = 0; i < kq; i++) {
        const json_t *e = json_array_get(kr, i);
        gen[3 * (q + pq + i)] = VX_KINK_ROTATION + (slong) json_integer_value(json_array_get(e, 0));
        gen[3 * (q + pq + i) + 1] = (slong) json_integer_value(json_array_get(e, 1));
        gen[3 * (q + pq + i) + 2] = (slong) json_integer_value(json_array_get(e, 2));
    }
    for (i = 0; i < cq; i++) {
        gen[3 * (g + i)] = VX_CLASS_ROTATION;
        gen[3 * (g + i) + 1] = (slong) json_integer_value(json_array_get(json_array_get(cr, i), 0));
        gen[3 * (g + i) + 2] = (slong) json_integer_value(json_array_get(json_array_get(cr, i), 1));
    }
    for (i = 0; i < nk; i++)
        vx_parse_rational(mu + i, json_string_value(json_array_get(mus, i)));
    crit_pattern_get(&pt, c->o);
    cl->verdict = vx_critical_check(cl->q, &r->c.p, c->P, E, &pt, mu, gen, g + cq, rho, r->c.prec, cl->why,
                                    sizeof(cl->why));
    crit_pattern_clear(&pt);
    _fmpq_vec_clear(mu, nk + 1);
    flint_free(gen);
}

/* §6.11: the box of the critical_point claim (certified above by this checker), and H + rho
 * C^T C positive definite on it. */
static int check_strict_local_min(vrun *r, vclaim *cl, const char *path)
{
    const vclaim *c = cl->ref[0];
    fmpq_t rho;
    (void) path;
    say(cl, "the box of claim %s contains its exact critical point theta* (that claim certified above), and H + rho C^T C is "
        "positive definite on the whole box (H the Hessian of the Lagrangian f_0 + sum mu_e ubar_e, C the gradients of "
        "the kink constraints and of the slice, rho = %s): by Finsler's lemma H is positive definite on ker C, so "
        "theta* is a strict local minimum of f on the pattern manifold of claim %s (its dead units and zero weights held "
        "at 0) on the slice transversal to its generators, hence modulo its rotations and partial rotations; nothing "
        "is claimed off that manifold", c->id, vx_str(cl->o, "rho"), c->id);
    fmpq_init(rho);
    vx_parse_rational(rho, vx_str(cl->o, "rho"));
    if (!c->verdict)
        not_proven(cl, "claim %s is not certified", c->id);
    else
        critical_verdict(r, cl, c, rho);
    fmpq_clear(rho);
    return 0;
}

/* §6.13: the strict_local_min and kink_multipliers claims named, both about one critical_point
 * claim (cl->ref[0], cl->ref[1]). */
static int read_local_min(vrun *r, vclaim *cl, const char *path)
{
    static const char *const key[2] = { "strict_local_min", "kink_multipliers" };
    const char *crit[2];
    const vclaim *c;
    int i;
    for (i = 0; i < 2; i++) {
        if (read_kind_ref(r, cl, path, key[i], i))
            return -1;
        crit[i] = vx_str(cl->ref[i]->o, "critical_point");
    }
    if (strcmp(crit[0], crit[1]) != 0)
        return vx_fail(&r->c, "%s: claims '%.64s' and '%.64s' are about different critical_point claims", path,
                       cl->ref[0]->id, cl->ref[1]->id);
    if ((c = find_claim(r, crit[0])) == NULL || strcmp(c->kind, "critical_point") != 0)
        return vx_fail(&r->c, "%s: claim '%.64s' names no critical_point claim", path, cl->ref[0]->id);
    return 0;
}

/* 1 when unit a of layer l has a listed kink in kinks (n triples). */
static int kinked(const slong *kinks, slong n, slong l, slong a)
{
    slong k;
    for (k = 0; k < n; k++)
        if (kinks[3 * k] == l && kinks[3 * k + 1] == a)
            return 1;
    return 0;
}

/* Why the argument of §6.13 does not apply to critical_point claim c and kink_multipliers claim
 * k (into why), or 0 when it does. */
static int local_min_obstacle(const vrun *r, const vclaim *c, const vclaim *k, char *why, size_t len)
{
    static const char *const held[5] = { "dead_units", "zero_weights", "implied_kinks", "kink_rotations",
                                         "class_rotations" };
    const json_t *mus = json_object_get(c->o, "multipliers"), *t = json_object_get(k->o, "slopes");
    slong n = (slong) json_array_size(json_object_get(c->o, "kinks")), i, bad = -1;
    slong *kinks = triples(json_object_get(c->o, "kinks")), *g = triples(json_object_get(c->o, "generators"));
    fmpq_t lo, hi, eps;
    fmpq_init(lo);
    fmpq_init(hi);
    fmpq_init(eps);
    fmpq_one(eps);
    fmpq_div_2exp(eps, eps, (ulong) -json_integer_value(json_object_get(c->o, "radius_log2")));   /* 2^E, E < 0 (§6.9) */
    why[0] = 0;
    for (i = 0; i < 5 && !why[0]; i++)   /* without kinks, kink and class rotations keep f: they rotate P+ entries */
        if (json_array_size(json_object_get(c->o, held[i])) > 0 && (i < 3 || n > 0))
            snprintf(why, len, "claim %s has %s: %s", c->id, held[i], i < 2 ? "held parameters, whose directions the "
                     "second order does not cover (a dead unit beside a live one even makes f constant along a ray)"
                     : i == 2 ? "kinks with multiplier 0, no strict complementarity"
                              : "symmetries of the pattern manifold only, not of f off it");
    for (i = 0; i < 2 && !why[0]; i++)
        if (json_array_size(json_object_get(k->o, i == 0 ? "exact_slopes" : "shifts")) > 0)
            snprintf(why, len, "claim %s has %s: slopes of exactly 0 or 1, no strict complementarity", k->id,
                     i == 0 ? "exact_slopes" : "shifts");
    for (i = 1; i < n && !why[0]; i++)
        if (kinks[3 * i] != kinks[0])
            snprintf(why, len, "the kinks lie in more than one layer (%ld and %ld)", (long) kinks[0], (long) kinks[3 * i]);
    for (i = 0; i < (slong) json_array_size(json_object_get(c->o, "generators")) && !why[0]; i++)
        if (g[3 * i] >= 2 && r->c.p.relu[g[3 * i] - 2]
            && (kinked(kinks, n, g[3 * i], g[3 * i + 1]) || kinked(kinks, n, g[3 * i], g[3 * i + 2])))
            snprintf(why, len, "generator %ld rotates a unit with a kink: a symmetry of the pattern manifold only", (long) i);
    for (i = 0; i < n && !why[0] && bad < 0; i++) {
        vx_parse_rational(lo, vx_str(json_array_get(t, i), "lo"));
        vx_parse_rational(hi, vx_str(json_array_get(t, i), "hi"));
        if (fmpq_sgn(lo) <= 0 || fmpz_cmp(fmpq_numref(hi), fmpq_denref(hi)) >= 0)
            bad = i;
    }
    if (bad >= 0)
        snprintf(why, len, "the stated slope interval of kink %ld is not strictly inside (0, 1)", (long) bad);
    for (i = 0; i < n && !why[0]; i++) {
        vx_parse_rational(lo, json_string_value(json_array_get(mus, i)));
        if (fmpq_cmp(lo, eps) <= 0)
            snprintf(why, len, "the multiplier of kink %ld is not positive on the box (mu_e - 2^E <= 0)", (long) i);
    }
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpq_clear(eps);
    flint_free(kinks);
    flint_free(g);
    return why[0] != 0;
}

/* §6.13: from claims critical_point, kink_multipliers and strict_local_min (certified above),
 * a strict local minimum of f itself when the single-kink-layer argument applies. */
static int check_local_min(vrun *r, vclaim *cl, const char *path)
{
    const vclaim *s = cl->ref[0], *k = cl->ref[1], *c = s->ref[0];
    char why[VWHY];
    (void) path;
    say(cl, "claims %s, %s and %s are certified; the kinks of %s lie in one ReLU layer with stated slopes strictly "
        "inside (0, 1) and multipliers positive on the box (0 < mu*_e < G_e); nothing is held or implied; every "
        "generator's flow keeps f near theta* (no rotation of a kinked unit; kink and class rotations only without "
        "kinks): so theta* is a strict local minimiser of f itself modulo its generators (format 6.13)",
        c->id, k->id, s->id, c->id);
    /* the conditions on the files first, then the verdicts: the reason names the first that fails */
    if (local_min_obstacle(r, c, k, why, sizeof(why)))
        return not_proven(cl, "%s", why);
    if (!c->verdict || !k->verdict || !s->verdict)
        return not_proven(cl, "claim %s is not certified", !c->verdict ? c->id : !k->verdict ? k->id : s->id);
    cl->verdict = 1;
    return 0;
}

/* §6.14: the kink_multipliers claim named (cl->ref[0]) and its critical_point claim (cl->ref[1]). */
static int read_d_stationary(vrun *r, vclaim *cl, const char *path)
{
    const char *id = vx_str(cl->o, "kink_multipliers");
    if (read_kind_ref(r, cl, path, "kink_multipliers", 0))
        return -1;
    cl->ref[1] = find_claim(r, vx_str(cl->ref[0]->o, "critical_point"));
    if (cl->ref[1] == NULL || strcmp(cl->ref[1]->kind, "critical_point") != 0)
        return vx_fail(&r->c, "%s.kink_multipliers: claim '%.64s' names no critical_point claim (its critical_point "
                       "field is '%.64s')", path, id, vx_str(cl->ref[0]->o, "critical_point"));
    return 0;
}

/* §6.14: d-stationarity from claim kink_multipliers (certified above) when G_e >= 0 on the box
 * at every listed and implied kink (its pass, kept in gsign). */
static int check_d_stationary(vrun *r, vclaim *cl, const char *path)
{
    const vclaim *k = cl->ref[0], *c = cl->ref[1];
    (void) r;
    (void) path;
    say(cl, "claim %s is certified (so is %s), and G_e = df/dh_e >= 0 over the box at every listed and implied kink of "
        "%s: with w_e the one-sided derivative of kink e's pre-activation along d, every one-sided directional "
        "derivative of f at theta* is sum_e (G_e max(0, w_e) - mu*_e w_e) with 0 <= mu*_e = t_e G_e <= G_e, so it is "
        ">= 0: theta* is d-stationary and 0 is in Clarke's generalised gradient of f (format 6.14)", k->id, c->id,
        c->id);
    if (!k->verdict)
        return not_proven(cl, "claim %s is not certified", k->id);
    if (k->gsign[0])
        return not_proven(cl, "%s", k->gsign);
    cl->verdict = 1;
    return 0;
}

/* §6.15: the critical_point claim, the direction (a point of the file) and the rate interval. */
static int read_descent(vrun *r, vclaim *cl, const char *path)
{
    if (read_critical_ref(r, cl, path))
        return -1;
    if ((cl->D = vx_point_find(&r->c, vx_str(cl->o, "direction"))) == NULL)
        return vx_fail(&r->c, "%s.direction: no point named '%.64s'", path, vx_str(cl->o, "direction"));
    return read_iv(r, cl, path, "rate", 0);
}

/* §6.15: C certified; along the direction every zero entry's sign decided from below, and
 * f'(theta*; D) enclosed inside the stated rate, whose upper end is negative. */
static int check_descent(vrun *r, vclaim *cl, const char *path)
{
    const vclaim *c = cl->ref[0];
    char t1[VTXT], t2[VTXT];
    arb_t rate;
    vx_crit_pattern pt;
    (void) path;
    say(cl, "claim %s is certified; along the direction %s, the one-sided derivative of every listed and implied kink's "
        "pre-activation has a sign decided over the box, layer by layer from below (> 0: the entry follows it, < 0 or "
        "exactly 0: it stays 0), so f agrees to first order with the network of those slopes, and the derivative of its "
        "objective along %s, enclosed over the box, lies in the stated rate %s, below 0: f(theta* + eps D) < f(theta*) "
        "for all small eps > 0, so theta* is not a local minimum of f, nor d-stationary (format 6.15)", c->id,
        cl->D->name, cl->D->name, ivstr(t1, cl, 0));
    if (!c->verdict)
        return not_proven(cl, "claim %s is not certified", c->id);
    if (fmpq_sgn(cl->iv[1]) >= 0)
        return not_proven(cl, "the stated rate %s does not lie below 0", ivstr(t1, cl, 0));
    arb_init(rate);
    crit_pattern_get(&pt, c->o);
    cl->verdict = vx_descent_check(rate, &r->c.p, c->P, (slong) json_integer_value(json_object_get(c->o, "radius_log2")),
                                   &pt, cl->D, r->c.prec, cl->why, sizeof(cl->why));
    if (cl->verdict && !in_iv(cl, 0, rate))
        not_proven(cl, "the derivative along %s over the box is %s, not in %s", cl->D->name, vx_arb_str(t1, rate),
                   ivstr(t2, cl, 0));
    crit_pattern_clear(&pt);
    arb_clear(rate);
    return 0;
}

static int check_critical(vrun *r, vclaim *cl, const char *path)
{
    char t1[VTXT], t2[VTXT];
    (void) path;
    say(cl, "the box of radius 2^%ld around point %s and the %zu listed multipliers contains exactly one zero of the KKT "
        "system of the %zu listed kinks bordered by the slice of %zu rotation generators, %zu partial rotations of H1, %zu kink-preserving rotations and %zu class rotations (Krawczyk), the slice "
        "multipliers vanish there (Gram matrix invertible on the box), every other ReLU pre-activation has a strict "
        "sign on the box, the %zu listed dead units and %zu zero weights are exactly 0 with gradient entries exactly 0 "
        "on the box, and the %zu implied kinks vanish wherever the listed ones do; so an exact critical point of f on the kink pattern's "
        "manifold (the dead units' pre-activations and the implied kinks: kinks with multiplier 0) lies in the box, with "
        "loss f = f_0 in %s", (long) json_integer_value(json_object_get(cl->o, "radius_log2")), cl->P->name,
        json_array_size(json_object_get(cl->o, "multipliers")), json_array_size(json_object_get(cl->o, "kinks")),
        json_array_size(json_object_get(cl->o, "generators")), json_array_size(json_object_get(cl->o, "partial_generators")),
        json_array_size(json_object_get(cl->o, "kink_rotations")), json_array_size(json_object_get(cl->o, "class_rotations")),
        json_array_size(json_object_get(cl->o, "dead_units")),
        json_array_size(json_object_get(cl->o, "zero_weights")), json_array_size(json_object_get(cl->o, "implied_kinks")),
        ivstr(t1, cl, 0));
    critical_verdict(r, cl, cl, NULL);
    if (cl->verdict && !in_iv(cl, 0, cl->q))
        not_proven(cl, "the loss f_0 over the box is %s, not in %s", vx_arb_str(t1, cl->q), ivstr(t2, cl, 0));
    return 0;
}

/* 1 when 0 <= lo <= hi <= 1. */
static int unit_interval(const fmpq_t lo, const fmpq_t hi)
{
    return fmpq_sgn(lo) >= 0 && fmpz_cmp(fmpq_numref(hi), fmpq_denref(hi)) <= 0 && fmpq_cmp(lo, hi) <= 0;
}

/* §6.10: at the exact critical point of the referred claim, t_e = mu*_e / G_e in the stated
 * intervals, inside [0, 1]: 0 is in the chain-rule generalised gradient of f there. */
static int check_kink_multipliers(vrun *r, vclaim *cl, const char *path)
{
    const vclaim *c = cl->ref[0];
    const json_t *t = json_object_get(cl->o, "slopes"), *mus = json_object_get(c->o, "multipliers");
    slong E = (slong) json_integer_value(json_object_get(c->o, "radius_log2")), nk = (slong) json_array_size(mus), i;
    slong ns = (slong) json_array_size(json_object_get(cl->o, "shifts")), bad_kink = -1, bad_shift = -1;
    slong *q = flint_malloc((2 * ns + 1) * sizeof(slong));
    fmpq *mu = _fmpq_vec_init(3 * nk + 3 * ns + 1), *lo = mu + nk, *hi = lo + nk, *ss = hi + nk, *slo = ss + ns,
         *shi = slo + ns;
    vx_shifts sh = { ns, q, ss, slo, shi };
    vx_crit_pattern pt;
    say(cl, "at the exact critical point theta* of claim %s (multipliers mu*), at each of its %ld kinks e but those of "
        "exact_slopes, G_e = df/dh_e is nonzero and t_e = mu*_e / G_e is in its interval in "
        "[0, 1]; at the %zu of exact_slopes mu*_e = t_e G_e for the stated 0 or 1 (a symmetry that moves the kink, a "
        "lone unit or a shared input); t_e = 0 at implied kinks%s. So relu'(0) := t_e gives 0: 0 is in the chain-rule "
        "generalised gradient of f at theta* (format 6.10)", c->id, (long) nk,
        json_array_size(json_object_get(cl->o, "exact_slopes")), ns > 0 ? " but shifted ones (mu* + sum s_k d_k)" : "");
    for (i = 0; i < nk; i++) {
        vx_parse_rational(mu + i, json_string_value(json_array_get(mus, i)));
        vx_lohi(&r->c, json_array_get(t, i), path, lo + i, hi + i);
    }
    shifts_get(r, cl, path, q, ss, slo, shi);
    for (i = nk - 1; i >= 0; i--)
        if (!unit_interval(lo + i, hi + i))
            bad_kink = i;
    for (i = ns - 1; i >= 0; i--)
        if (!unit_interval(slo + i, shi + i))
            bad_shift = i;
    snprintf(cl->gsign, sizeof(cl->gsign), "claim %s is not certified", cl->id);
    if (!c->verdict)
        not_proven(cl, "claim %s is not certified", c->id);
    else if (bad_kink >= 0 || bad_shift >= 0)
        not_proven(cl, "the stated interval of %s %ld is not inside [0, 1]", bad_kink >= 0 ? "kink" : "shift",
                   (long) (bad_kink >= 0 ? bad_kink : bad_shift));
    else {
        slong *ex = flint_malloc((5 * json_array_size(json_object_get(cl->o, "exact_slopes")) + 1) * sizeof(slong));
        slong nex = exact_slopes_get(r, cl, path, ex);
        crit_pattern_get(&pt, c->o);
        cl->verdict = vx_kink_slopes_check(&r->c.p, c->P, E, &pt, mu, lo, hi, ex, nex, &sh, r->c.prec, cl->why,
                                           sizeof(cl->why), cl->gsign, sizeof(cl->gsign));
        crit_pattern_clear(&pt);
        flint_free(ex);
    }
    _fmpq_vec_clear(mu, 3 * nk + 3 * ns + 1);
    flint_free(q);
    return 0;
}

/* ---- §6.6 order, dnc_not_optimal; §6.7 ratio ---- */

static const char *quantity(char *buf, const vclaim *x)
{
    char s[32];
    if (strcmp(x->kind, "loss") == 0)
        snprintf(buf, VTXT, "the loss of every point of the box of point %s (claim %.60s)", x->P->name, x->id);
    else
        snprintf(buf, VTXT, "the value of structure %s (claim %.60s)", vx_structure_str(s, sizeof(s), &x->st), x->id);
    return buf;
}

static int check_order(vrun *r, vclaim *cl, const char *path)
{
    vclaim *a = cl->ref[0], *b = cl->ref[1];
    char t1[VTXT], t2[VTXT];
    (void) path;
    (void) r;
    if (strcmp(cl->kind, "dnc_not_optimal") == 0)
        say(cl, "%s is strictly below %s; so no point of the DNC structure (nor the zero point) is a global minimiser",
            quantity(t1, a), quantity(t2, b));
    else
        say(cl, "%s is strictly below %s", quantity(t1, a), quantity(t2, b));
    if (!a->verdict || !b->verdict)
        return not_proven(cl, "claim %s is not certified", a->verdict ? b->id : a->id);
    if (!arb_lt(a->q, b->q))
        return not_proven(cl, "%s = %s is not strictly below %s = %s", a->id, vx_arb_str(t1, a->q), b->id,
                          vx_arb_str(t2, b->q));
    cl->verdict = 1;
    return 0;
}

static int check_ratio(vrun *r, vclaim *cl, const char *path)
{
    vclaim *a = cl->ref[0], *b = cl->ref[1];
    char t1[VTXT], t2[VTXT];
    (void) path;
    say(cl, "the ratio of claim %s's quantity to claim %s's lies in %s", a->id, b->id, ivstr(t1, cl, 0));
    if (!a->verdict || !b->verdict)
        return not_proven(cl, "claim %s is not certified", a->verdict ? b->id : a->id);
    arb_div(cl->q, a->q, b->q, r->c.prec);
    if (!in_iv(cl, 0, cl->q))
        return not_proven(cl, "the ratio is %s, not in %s", vx_arb_str(t2, cl->q), ivstr(t1, cl, 0));
    cl->verdict = 1;
    return 0;
}

/* §6.8 structure facts */
static int check_fact(vrun *r, vclaim *cl, const char *path)
{
    slong layer = (slong) json_integer_value(json_object_get(cl->o, "layer"));
    slong rank = json_object_get(cl->o, "rank") ? (slong) json_integer_value(json_object_get(cl->o, "rank")) : -1;
    char msg[VWHY];
    int ok;
    say(cl, "exact fact %s at layer %ld of the patterns of point %s", vx_str(cl->o, "fact"), (long) layer, cl->P->name);
    if (cl->P->invalid)
        return INVALID(cl, cl->P);
    ok = vx_fact(&r->c, cl->P, vx_str(cl->o, "fact"), layer, rank, cl->why, sizeof(cl->why));
    if (ok < 0) {
        snprintf(msg, sizeof(msg), "%s", r->c.err);
        return vx_fail(&r->c, "%s: %s", path, msg);
    }
    cl->verdict = ok;
    return 0;
}

/* ---- the kinds ---- */

static const struct {
    const char *kind, *schema;     /* fields besides id, kind, statement and verdict */
    int (*read)(vrun *r, vclaim *cl, const char *path);
    int (*check)(vrun *r, vclaim *cl, const char *path);
    int second;                    /* compares other claims: checked after them (1), or after those (2) */
    int mse;                       /* defined for MSE only (alive: no CE decision, section 8.3) */
} kinds[] = {
    { "root", "structure:o block:s polynomial:a? interval:o", read_root, check_root, 0, 0 },
    { "alive", "structure:o block:s decision:s", read_alive, check_alive, 0, 1 },
    { "value", "structure:o value:o", read_value, check_value, 0, 0 },
    { "loss", "point:s loss:o fit:o reg:o method:s?", read_loss, check_loss, 0, 0 },
    { "stationarity", "point:s max_radius_log2:i kinks:a", read_stationarity, check_stationarity, 0, 0 },
    { "gradient_norm", "point:s method:s norm:o", read_gradient_norm, check_gradient_norm, 0, 0 },
    { "critical_point", "point:s radius_log2:i kinks:a multipliers:a generators:a partial_generators:a? kink_rotations:a? class_rotations:a? implied_kinks:a? zero_weights:a? dead_units:a? loss:o", read_critical,
      check_critical, 0, 0 },
    { "kink_multipliers", "critical_point:s slopes:a exact_slopes:a? shifts:a?", read_kink_multipliers, check_kink_multipliers, 1, 0 },
    { "strict_local_min", "critical_point:s rho:s", read_strict_local_min, check_strict_local_min, 1, 0 },
    { "strict_local_min_of_f", "strict_local_min:s kink_multipliers:s", read_local_min, check_local_min, 2, 0 },
    { "d_stationary", "kink_multipliers:s", read_d_stationary, check_d_stationary, 2, 0 },
    { "descent_direction", "critical_point:s direction:s rate:o", read_descent, check_descent, 1, 0 },
    { "order", "lower:o higher:o", read_order, check_order, 1, 0 },
    { "dnc_not_optimal", "lower:o higher:o", read_order, check_order, 1, 0 },
    { "ratio", "numerator:o denominator:o ratio:o", read_ratio, check_ratio, 1, 0 },
    { "structure", "point:s fact:s layer:i rank:i?", read_fact, check_fact, 0, 0 },
};
#define NKINDS ((int) (sizeof(kinds) / sizeof(kinds[0])))

/* The common fields of claim i and its kind. */
static int read_common(vrun *r, vclaim *cl, const char *path)
{
    const char *k = json_is_object(cl->o) ? vx_str(cl->o, "kind") : NULL;
    char schema[256];
    if (k == NULL)
        return vx_fail(&r->c, "%s.kind: missing, or the claim is not an object", path);
    for (cl->k = 0; cl->k < NKINDS && strcmp(kinds[cl->k].kind, k) != 0; cl->k++)
        ;
    if (cl->k == NKINDS)
        return vx_fail(&r->c, "%s.kind: unknown kind '%.32s'", path, k);
    if (kinds[cl->k].mse && r->c.p.ce)
        return vx_fail(&r->c, "%s.kind: '%s' claims are defined for the MSE loss only; problem.loss is \"ce\"", path, k);
    snprintf(schema, sizeof(schema), "id:s kind:s statement:s verdict:s %s", kinds[cl->k].schema);
    if (vx_schema(&r->c, cl->o, path, schema))
        return -1;
    cl->id = vx_str(cl->o, "id");
    cl->kind = k;
    if (strlen(cl->id) == 0 || strlen(cl->id) > 128)
        return vx_fail(&r->c, "%s.id: expected 1 to 128 characters", path);
    cl->written = strcmp(vx_str(cl->o, "verdict"), "certified") == 0;
    if (!cl->written && strcmp(vx_str(cl->o, "verdict"), "not proven") != 0)
        return vx_fail(&r->c, "%s.verdict: expected \"certified\" or \"not proven\", got \"%.32s\"", path,
                       vx_str(cl->o, "verdict"));
    return 0;
}

static int cmp_value_claim(const void *x, const void *y)
{
    const vclaim *a = *(vclaim *const *) x, *b = *(vclaim *const *) y;
    int s = strcmp(a->st.name, b->st.name);
    if (s == 0)
        s = a->st.r != b->st.r ? (a->st.r < b->st.r ? -1 : 1) : a->st.v != b->st.v ? (a->st.v < b->st.v ? -1 : 1) : 0;
    return s != 0 ? s : a < b ? -1 : a > b;   /* then in file order */
}

/* Links every value claim to the first earlier one of the same structure, so that each
 * structure's value is derived once. */
static void link_same_structures(vrun *r)
{
    vclaim **v = flint_malloc((r->ncl + 1) * sizeof(vclaim *));
    slong n = 0, i;
    for (i = 0; i < r->ncl; i++)
        if (strcmp(r->cl[i].kind, "value") == 0)
            v[n++] = r->cl + i;
    qsort(v, (size_t) n, sizeof(vclaim *), cmp_value_claim);
    for (i = 1; i < n; i++)
        if (strcmp(v[i]->st.name, v[i - 1]->st.name) == 0 && v[i]->st.r == v[i - 1]->st.r && v[i]->st.v == v[i - 1]->st.v)
            v[i]->same = v[i - 1]->same != NULL ? v[i - 1]->same : v[i - 1];
    flint_free(v);
}

static int read_claims(vrun *r, const json_t *claims)
{
    char path[VPATH];
    slong i;
    r->ncl = (slong) json_array_size(claims);
    if (r->ncl == 0 || r->ncl > VX_MAX_CLAIMS)
        return vx_fail(&r->c, "claims: expected 1 to %d claims", VX_MAX_CLAIMS);
    r->cl = flint_calloc(r->ncl, sizeof(vclaim));
    r->by_id = flint_malloc(r->ncl * sizeof(vclaim *));
    for (i = 0; i < r->ncl; i++) {
        vclaim *cl = r->cl + i;
        slong j;
        for (j = 0; j < 6; j++)
            fmpq_init(cl->iv[j]);
        fmpz_poly_init(cl->poly);
        arb_init(cl->q);
        cl->o = json_array_get(claims, i);
        r->by_id[i] = cl;
    }
    for (i = 0; i < r->ncl; i++)
        if (read_common(r, r->cl + i, vx_pathf(path, "claims[%ld]", (long) i)))
            return -1;
    qsort(r->by_id, (size_t) r->ncl, sizeof(vclaim *), cmp_claim_id);
    for (i = 1; i < r->ncl; i++)
        if (strcmp(r->by_id[i]->id, r->by_id[i - 1]->id) == 0)
            return vx_fail(&r->c, "claims: duplicate id '%.64s'", r->by_id[i]->id);
    for (i = 0; i < r->ncl; i++)   /* value claims first: dnc_not_optimal reads their structure */
        if (strcmp(r->cl[i].kind, "value") == 0 && read_value(r, r->cl + i, vx_pathf(path, "claims[%ld]", (long) i)))
            return -1;
    for (i = 0; i < r->ncl; i++)
        if (strcmp(r->cl[i].kind, "value") != 0
            && kinds[r->cl[i].k].read(r, r->cl + i, vx_pathf(path, "claims[%ld]", (long) i)))
            return -1;
    link_same_structures(r);
    return 0;
}

static void claims_clear(vrun *r)
{
    slong i, j;
    for (i = 0; r->cl != NULL && i < r->ncl; i++) {
        for (j = 0; j < 6; j++)
            fmpq_clear(r->cl[i].iv[j]);
        fmpz_poly_clear(r->cl[i].poly);
        arb_clear(r->cl[i].q);
    }
    flint_free(r->cl);
    flint_free(r->by_id);
}

/* ---- the envelope (§2) ---- */

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* The names of the points that a claim other than a fast-double loss or gradient_norm claim names, sorted:
 * those points are needed in balls; the others keep their binary64 blocks as doubles. (Read
 * before the claims are validated: a name that no point has, or a malformed claim, is
 * rejected later; here it only makes a point ball-backed.) */
static const char **ball_points(const json_t *claims, size_t *n)
{
    const char **names = flint_malloc((2 * json_array_size(claims) + 1) * sizeof(char *));
    const json_t *cl;
    size_t i;
    *n = 0;
    json_array_foreach(claims, i, cl) {
        const char *pt = vx_str(cl, "point"), *kind = vx_str(cl, "kind"), *m = vx_str(cl, "method");
        if (pt != NULL && !(kind != NULL && (strcmp(kind, "loss") == 0 || strcmp(kind, "gradient_norm") == 0) && m != NULL
                            && strcmp(m, "fast-double") == 0))
            names[(*n)++] = pt;
        if (vx_str(cl, "direction") != NULL)   /* descent_direction (§6.15) */
            names[(*n)++] = vx_str(cl, "direction");
    }
    qsort(names, *n, sizeof(char *), cmp_name);
    return names;
}

static int read_envelope(vx_ctx *c, const json_t *root, slong min_prec)
{
    const json_t *points, *ver;
    const char *key, **names;
    json_t *v;
    slong prec;
    size_t nn;
    if (!json_is_object(root))
        return vx_fail(c, "certificate: expected a JSON object");
    ver = json_object_get(root, "version");
    if (json_is_integer(ver) && json_integer_value(ver) == 1)
        return vx_fail(c, "version: 1 is no longer accepted: a version 1 value claim could be satisfied by forged "
                       "weights, constants and scalars (docs/certificate-format.md §11); regenerate the certificate "
                       "with this dncert (dncert certify / dncert certify-point)");
    if (vx_schema(c, root, "", "format:s version:i producer:o precision:i problem:o points:o claims:a"))
        return -1;
    if (strcmp(vx_str(root, "format"), DNCV_FORMAT) != 0)
        return vx_fail(c, "format: expected \"%s\", got \"%.40s\"", DNCV_FORMAT, vx_str(root, "format"));
    if (json_integer_value(ver) != DNCV_VERSION)
        return vx_fail(c, "version: expected %d, got %lld", DNCV_VERSION, (long long) json_integer_value(ver));
    json_object_foreach(json_object_get(root, "producer"), key, v)
        if (!json_is_string(v))
            return vx_fail(c, "producer.%.64s: expected a string", key);
    if (vx_int(c, root, "", "precision", VX_PREC_MIN, VX_PREC_MAX, &prec)
        || vx_problem_read(c, json_object_get(root, "problem")))
        return -1;
    c->file_prec = prec;
    c->prec = FLINT_MAX(prec, min_prec);
    points = json_object_get(root, "points");
    if (json_object_size(points) > VX_MAX_POINTS)
        return vx_fail(c, "points: more than %d points", VX_MAX_POINTS);
    if (vx_check_work(c, root))
        return -1;
    c->pts = flint_calloc(json_object_size(points) + 1, sizeof(vx_point));
    names = ball_points(json_object_get(root, "claims"), &nn);
    json_object_foreach((json_t *) points, key, v)
        if (vx_point_read(c, c->pts + c->npts++, key, v, bsearch(&key, names, nn, sizeof(char *), cmp_name) != NULL)) {
            flint_free(names);
            return -1;
        }
    flint_free(names);
    return 0;
}

/* ---- the report (§10) ---- */

/* The claims in the file's order, to fn; counts the mismatches and certified claims. */
static int report_claims(vrun *r, dncv_claim_fn fn, void *ctx, dncv_stats *st)
{
    slong i;
    for (i = 0; i < r->ncl; i++) {
        vclaim *cl = r->cl + i;
        dncv_claim c = { cl->id, cl->kind, cl->verdict, cl->written, cl->verdict ? "" : cl->why, cl->what };
        st->nmismatch += cl->verdict != cl->written;
        st->ncertified += cl->verdict;
        if (fn != NULL)
            fn(&c, ctx);
    }
    return st->nmismatch ? 1 : 0;
}

typedef struct {
    const char *name;
    int flags;
    FILE *f;
} printer;

/* The report lines of one claim (verify.h). */
static void print_claim(const dncv_claim *c, void *ctx)
{
    printer *pr = ctx;
    int ok = c->verdict == c->written;
    if (ok && (pr->flags & DNCV_QUIET))
        return;
    fprintf(pr->f, "%s: %s %s %s %s", pr->name, c->id, c->kind, c->verdict ? "certified" : "not proven",
            ok ? "OK\n" : "MISMATCH");
    if (!ok)
        fprintf(pr->f, " (the file says %s)\n", c->written ? "certified" : "not proven");
    if (pr->flags & DNCV_EXPLAIN)
        fprintf(pr->f, "    checked: %s\n", c->what);
    if (!c->verdict)
        fprintf(pr->f, "    %s\n", c->why);
}

/* dncv_verify_json_claims with the directory of the certificate's point files (or NULL). */
static int verify_json(const json_t *cert, const char *dir, long min_prec, dncv_claim_fn fn, void *ctx,
                       dncv_stats *stats, char *err, size_t errlen)
{
    dncv_stats st0;
    vrun r;
    char path[VPATH];
    int ret, pass;
    slong i;
    stats = stats != NULL ? stats : &st0;
    memset(stats, 0, sizeof(*stats));
    memset(&r, 0, sizeof(r));
    r.c.err = err;
    r.c.errlen = errlen;
    r.c.dir = dir;
    vx_problem_init(&r.c.p);
    if (min_prec > VX_PREC_MAX)
        ret = vx_fail(&r.c, "precision: at most %d bits", VX_PREC_MAX);
    else if ((ret = read_envelope(&r.c, cert, min_prec)) == 0)
        ret = read_claims(&r, json_object_get(cert, "claims"));
    /* Claims that compare other claims last: they use the recomputed enclosures. */
    for (pass = 0; pass < 3 && ret == 0; pass++)
        for (i = 0; i < r.ncl && ret == 0; i++)
            if (kinds[r.cl[i].k].second == pass)
                ret = kinds[r.cl[i].k].check(&r, r.cl + i, vx_pathf(path, "claims[%ld]", (long) i));
    stats->nclaims = r.ncl;
    stats->prec = r.c.prec;
    if (ret == 0)
        ret = report_claims(&r, fn, ctx, stats);
    claims_clear(&r);
    for (i = 0; i < r.c.npts; i++)
        vx_point_clear(r.c.pts + i, r.c.p.L);
    flint_free(r.c.pts);
    vx_problem_clear(&r.c.p);
    return ret;
}

int dncv_verify_json_claims(const json_t *cert, long min_prec, dncv_claim_fn fn, void *ctx, dncv_stats *stats,
                            char *err, size_t errlen)
{
    return verify_json(cert, NULL, min_prec, fn, ctx, stats, err, errlen);
}

int dncv_verify_json(const json_t *cert, const char *name, long min_prec, int flags, FILE *report,
                     dncv_stats *stats, char *err, size_t errlen)
{
    printer pr = { name, flags, report };
    return dncv_verify_json_claims(cert, min_prec, report != NULL ? print_claim : NULL, &pr, stats, err, errlen);
}

/* An upper bound on the number of JSON values in text: one more than the commas and
 * brackets outside strings (linear, before the parser allocates anything). */
static size_t json_values_bound(const char *t, size_t n)
{
    size_t i, count = 1;
    int in_string = 0;
    for (i = 0; i < n; i++) {
        if (in_string) {
            if (t[i] == '\\')
                i++;
            else if (t[i] == '"')
                in_string = 0;
        } else if (t[i] == '"')
            in_string = 1;
        else if (t[i] == ',' || t[i] == '[' || t[i] == '{')
            count++;
    }
    return count;
}

/* The file's text (NUL-terminated; free with flint_free), within the limits of §9. */
static char *read_text(const char *path, size_t *n, char *err, size_t errlen)
{
    struct stat sb;
    FILE *f;
    char *t;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || (f = fopen(path, "rb")) == NULL) {
        snprintf(err, errlen, "cannot read the file (missing or not a regular file)");
        return NULL;
    }
    if (sb.st_size > VX_MAX_FILE_BYTES) {
        snprintf(err, errlen, "the file has %lld bytes, more than the limit %ld of the format (§9)",
                 (long long) sb.st_size, (long) VX_MAX_FILE_BYTES);
        fclose(f);
        return NULL;
    }
    t = flint_malloc((size_t) sb.st_size + 1);
    *n = fread(t, 1, (size_t) sb.st_size, f);
    t[*n] = '\0';
    fclose(f);
    if (json_values_bound(t, *n) > VX_MAX_JSON_VALUES) {
        snprintf(err, errlen, "the file has more than %ld JSON values, the limit of the format (§9)",
                 (long) VX_MAX_JSON_VALUES);
        flint_free(t);
        return NULL;
    }
    return t;
}

int dncv_verify_file_claims(const char *path, long min_prec, dncv_claim_fn fn, void *ctx, dncv_stats *stats,
                            char *err, size_t errlen)
{
    json_error_t je;
    json_t *root;
    size_t n;
    char *text, *dir, *slash;
    int r;
    if (stats != NULL)
        memset(stats, 0, sizeof(*stats));
    if ((text = read_text(path, &n, err, errlen)) == NULL)
        return -1;
    root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
    flint_free(text);
    if (root == NULL) {
        if (je.line < 0)
            snprintf(err, errlen, "%s", je.text);
        else
            snprintf(err, errlen, "invalid JSON at line %d, column %d: %s", je.line, je.column, je.text);
        return -1;
    }
    dir = flint_malloc(strlen(path) + 2);   /* point files are read next to the certificate (§5.2) */
    strcpy(dir, path);
    if ((slash = strrchr(dir, '/')) == NULL)
        strcpy(dir, ".");
    else
        *(slash == dir ? slash + 1 : slash) = '\0';   /* "/c.json": the root */
    r = verify_json(root, dir, min_prec, fn, ctx, stats, err, errlen);
    flint_free(dir);
    json_decref(root);
    return r;
}

int dncv_verify_file(const char *path, long min_prec, int flags, FILE *report, dncv_stats *stats, char *err,
                     size_t errlen)
{
    printer pr = { path, flags, report };
    return dncv_verify_file_claims(path, min_prec, report != NULL ? print_claim : NULL, &pr, stats, err, errlen);
}
