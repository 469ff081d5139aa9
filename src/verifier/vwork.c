/* Bounded work (format §9): before any check runs, the checker estimates from the sizes in
 * the file how long its checks take, and refuses the file when the estimate is above
 * VX_MAX_SECONDS. The costs are upper estimates per operation on one core, measured with
 * FLINT 2.9 / Arb 2.23 (docs/verifier.md): a multiply-add inside a ball matrix product, a
 * scalar ball operation, an exp of a cross-entropy logit, an integer multiply-add of the exact pattern pass, a bounded exact
 * sign. What the check caches (one value per structure, one forward pass and one exact pass
 * per point) is counted once. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "verifier.h"

/* 1 when the JSON object cl (a claim, or a scalar of a point) is of kind `kind`. */
static int is_kind(const json_t *cl, const char *kind)
{
    const char *k = json_string_value(json_object_get(cl, "kind"));
    return k != NULL && strcmp(k, kind) == 0;
}

/* Above 1024 (512) bits a multiplication costs more than linearly in the precision: at 4096
 * bits the ball path's m^3 step was measured at 1.7 times what a linear scaling gives. */
static double ns_madd(slong prec)  { return 3.0 * pow(FLINT_MAX(1.0, (double) prec / 1024), 1.3); }
static double ns_ball(slong prec)  { return 100.0 * pow(FLINT_MAX(1.0, (double) prec / 512), 1.3); }
#define NS_FAST_MADD  0.25      /* a double multiply-add of the fast-double rules (vfast.c): 6 G/s in its
                                   plain loop, 16 G/s or more in its AVX2 tiles, on one core */
/* One exp (or log1p) of a cross-entropy logit: measured 0.9, 7 and 73 us at 256, 1024 and
 * 4096 bits; counted as 2 us times (prec/256)^1.7, about three times that. */
static double ns_exp(slong prec)   { return 2000.0 * FLINT_MAX(1.0, pow((double) prec / 256, 1.7)); }
/* Krawczyk on the double path (vdense.c), m unknowns: about 3 m^3 double
 * multiply-adds (the inverse and Y A; measured 1.4 s at m = 2000 and 5.1 s at m = 3000 on one
 * core, 0.19 m^3 ns) and 3 m^2 mag operations (the bounds) */
#define NS_DENSE      0.3
#define NS_DENSE_ROW  100.0
#define NS_EXACT_MADD 100.0     /* integers of at most 2^12 bits (vfacts.c) */
#define NS_HASH_BYTE  5.0       /* SHA-256 and reading of a point file (vbinary.c; measured ~3) */
#define NS_RANK       2.0e8     /* one bounded exact rank (vfacts.c) */

static double chars(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? (double) strnlen(s, VX_MAX_CHARS + 1) : 0.0;
}

/* An algebraic number or a root claim: degree d (d + 1 coefficients of at most c digits),
 * isolation (a Taylor shift, d^2), two exact signs at the endpoints (bounded at 2^22 bits),
 * and bisection to the precision in balls. */
static double root_ns(const json_t *poly, const json_t *iv, slong prec)
{
    double d = (double) json_array_size(poly), x = 4 * (chars(iv, "lo") + chars(iv, "hi")) + 64;
    double exact = FLINT_MIN(d * (d * x + 4 * VX_MAX_CHARS), (double) (1L << 22) * d) / 16;
    return (d * d + 8 * d * (prec + 72)) * ns_ball(4 * prec) + 2 * exact;
}

/* A structure's value, alive decision and root: bisections of (1-c)^(L+1) c^(L-1) - Q for
 * the one-parameter family; for the deep linear models one bisection per direction, and
 * with a bias one per secular root, each step a sum over the distinct counts. */
static double structure_ns(const vx_problem *p, const json_t *st, slong prec)
{
    const char *name = json_string_value(json_object_get(st, "name"));
    double steps = (double) prec + 72, logL = log2((double) p->L + 2), K = (double) p->K;
    if (p->ce)   /* vce.c: two bisections and at most 256 doublings, 4 exp/log per sign, x 2 for raised precision */
        return (2 * steps + 256) * 8 * ns_exp(prec + 64) + 24 * ns_exp(8 * (prec + 64));
    if (name == NULL || strcmp(name, "dnc") == 0 || strcmp(name, "srg") == 0 || strcmp(name, "sts") == 0)
        return 2 * steps * (4 * logL + 12) * ns_ball(prec) + (2 * (double) p->L + 1) * 1e4;
    return K * steps * (3 * logL + 20) * ns_ball(prec) + (p->bias ? K * K * steps * 6 * ns_ball(prec) : 0.0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The number of distinct structures named by the claims (the checker derives each once). */
static double distinct_structures_ns(const vx_problem *p, const json_t *claims, slong prec)
{
    size_t n = json_array_size(claims), i, m = 0;
    char **keys = flint_malloc((n + 1) * sizeof(char *));
    const json_t **objs = flint_malloc((n + 1) * sizeof(json_t *));
    double ns = 0;
    for (i = 0; i < n; i++) {
        const json_t *st = json_object_get(json_array_get(claims, i), "structure");
        if (json_is_object(st)) {
            keys[m] = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);
            if (keys[m] != NULL)
                objs[m++] = st;
        }
    }
    qsort(keys, m, sizeof(char *), cmp_str);
    for (i = 0; i < m; i++)
        if (i == 0 || strcmp(keys[i], keys[i - 1]) != 0) {
            json_t *st = json_loads(keys[i], 0, NULL);
            ns += structure_ns(p, st, prec);
            json_decref(st);
        }
    for (i = 0; i < m; i++)
        free(keys[i]);
    flint_free(keys);
    flint_free(objs);
    return ns;
}

/* Per point: one forward pass (if any claim needs it), 2 more passes per stationarity claim
 * (or for arb gradient_norm claims, without one), one double pass if fast-double claims name
 * the point (and a backward pass, 2 W_P, for a fast-double gradient_norm claim), the hash of
 * its point file (if any), one exact pass (if a structure claim needs it) and one rank per
 * rank_pre claim. */
static double points_ns(vx_ctx *c, const json_t *points, const json_t *claims)
{
    const char *key, *layout;
    json_t *v;
    double ns = 0, prec = (double) c->prec;
    size_t i;
    json_object_foreach((json_t *) points, key, v) {
        int fwd = 0, exact = 0, stat = 0, ranks = 0, fast = 0, fgrad = 0, agrad = 0;
        double ncols, W, E = 0;
        slong l;
        json_array_foreach(claims, i, v) {
            const char *kind = json_string_value(json_object_get(v, "kind"));
            const char *pt = json_string_value(json_object_get(v, "point"));
            if (kind == NULL || pt == NULL || strcmp(pt, key) != 0)
                continue;
            if ((strcmp(kind, "loss") == 0 || strcmp(kind, "gradient_norm") == 0)
                && json_is_string(json_object_get(v, "method"))
                && strcmp(json_string_value(json_object_get(v, "method")), "fast-double") == 0) {
                fast = 1;   /* one double pass per point (vx_point_fast) */
                fgrad |= strcmp(kind, "gradient_norm") == 0;
                continue;
            }
            agrad |= strcmp(kind, "gradient_norm") == 0;
            fwd |= strcmp(kind, "loss") == 0 || strcmp(kind, "stationarity") == 0 || strcmp(kind, "gradient_norm") == 0;
            stat += strcmp(kind, "stationarity") == 0;
            exact |= strcmp(kind, "structure") == 0;
            ranks += strcmp(kind, "structure") == 0 && json_object_get(v, "rank") != NULL;
        }
        layout = json_string_value(json_object_get(json_object_get(points, key), "layout"));
        ncols = layout != NULL && strcmp(layout, "collapsed") == 0 ? (double) c->p.K : fmpz_get_d(c->p.N);
        W = vx_point_work(&c->p, 1) * ncols;
        for (l = 0; l < c->p.L; l++)
            E += ncols * (double) c->p.width[l];
        ns += (fwd + 2.0 * (stat + (agrad && !stat))) * (W * ns_madd((slong) prec) + 8 * E * ns_ball((slong) prec)
                                    + (c->p.ce ? ncols * (double) c->p.K * ns_exp((slong) prec) : 0.0));
        ns += fast * (W * NS_FAST_MADD + 40 * ncols * (double) c->p.L * 20);   /* products; the bounds in mag_t */
        ns += fgrad * (2 * W * NS_FAST_MADD + 80 * ncols * (double) c->p.L * 20);   /* the backward pass */
        ns += exact ? FLINT_MIN(W, (double) (1L << 26)) * NS_EXACT_MADD + E * 200 : 0.0;
        if (json_object_get(json_object_get(points, key), "binary64_file") != NULL)   /* read and hashed once */
            ns += 8 * (ncols * (double) c->p.width[0] + vx_point_work(&c->p, 1) + (double) c->p.K) * NS_HASH_BYTE;
        ns += ranks * NS_RANK;
        json_object_foreach(json_object_get(json_object_get(points, key), "scalars"), layout, v)
            if (is_kind(v, "algebraic"))
                ns += root_ns(json_object_get(v, "polynomial"), json_object_get(v, "interval"), c->prec);
    }
    return ns;
}

static double kink_rotations_ns(vx_ctx *c, const json_t *cl);
static double implied_ns(vx_ctx *c, const json_t *cl);

/* One pass with tangents of vcrit.c over the point of critical_point claim cl (about 6 forward
 * passes, with 16 elementwise ball operations per feature entry, and 3 ball operations per
 * parameter: the copies of every block that its products and the weight decay make, which
 * dominate when the point has few columns); *nall <- the point's parameters, *ncols its columns. */
static double pass_ns(vx_ctx *c, const json_t *points, const json_t *cl, double *nall, double *ncols)
{
    const json_t *pt = json_object_get(points, json_string_value(json_object_get(cl, "point")));
    const char *layout = json_string_value(json_object_get(pt, "layout"));
    double W, E = 0;
    slong l;
    *ncols = layout != NULL && strcmp(layout, "collapsed") == 0 ? (double) c->p.K : fmpz_get_d(c->p.N);
    W = vx_point_work(&c->p, 1) * *ncols;
    for (l = 0; l < c->p.L; l++)
        E += *ncols * (double) c->p.width[l];
    *nall = (double) c->p.width[0] * *ncols + vx_point_work(&c->p, 1) + (c->p.bias ? c->p.K : 0);
    return 6 * W * ns_madd(c->prec) + 16 * E * ns_ball(c->prec) + 3 * *nall * ns_ball(c->prec);
}

/* A critical_point claim (§6.9; strict_local_min §6.11 passes over its box again and runs a
 * Cholesky, counted once more): n + nk + 2 passes with tangents (pass_ns), the m x m Jacobian's approximate
 * inverse (m^3/3 scalar steps) and two m x m products (m = n + nk + q, n the free parameters)
 * where the ball path may run (at most 800 unknowns), and the double path (NS_DENSE); the
 * Gram matrix of the q generators (a q x nf x q ball product; its test in double, and in balls
 * where q <= 800: the inverse measured 62 s at q = 990, about 63 ns q^3 at 256 bits);
 * each of the q generators built at the centre and on the box over all parameters; and each
 * partial rotation's projector, twice: the d_1 x d_1 products P A P and B (B^T B)^-1 B^T with up
 * to N - 1 columns in B. */
static double critical_ns(vx_ctx *c, const json_t *points, const json_t *cl)
{
    double nall, ncols, pass = pass_ns(c, points, cl, &nall, &ncols), n = nall, m, q, pq, mlo, mb;
    double d = (double) c->p.width[0];
    slong l;
    {   /* the dead units' parameters are not unknowns; an entry of W_l between a dead unit of
         * layer l and one of layer l + 1 is both units' parameter and is counted once (the
         * reader refuses a unit listed twice before any check runs) */
        const json_t *du = json_object_get(cl, "dead_units"), *e;
        double *dead = flint_calloc((size_t) c->p.L + 2, sizeof(double));
        size_t i;
        json_array_foreach(du, i, e) {
            slong dl = (slong) json_integer_value(json_array_get(e, 0));
            if (dl >= 1 && dl <= c->p.L) {
                n -= (dl == 1 ? ncols : (double) c->p.width[dl - 2]) + (dl == c->p.L ? (double) c->p.K : (double) c->p.width[dl]);
                dead[dl]++;
            }
        }
        for (l = 1; l < c->p.L; l++)
            n += dead[l] * dead[l + 1];
        flint_free(dead);
        n = FLINT_MAX(n, 0.0);
    }
    pq = (double) json_array_size(json_object_get(cl, "partial_generators"));
    q = (double) json_array_size(json_object_get(cl, "generators")) + pq
        + (double) json_array_size(json_object_get(cl, "kink_rotations"))
        + (double) json_array_size(json_object_get(cl, "class_rotations"));
    m = n + (double) json_array_size(json_object_get(cl, "kinks")) + q;
    /* m counts the listed zero weights as unknowns (they are not, once the reader has refused
     * duplicates and out-of-range entries): the checked system has between m - nz and m
     * unknowns, and the ball path runs on it when that is at most 800 -- charged at
     * min(m, 800) whenever m - nz allows it, so that the estimate is monotone */
    mlo = FLINT_MAX(m - (double) json_array_size(json_object_get(cl, "zero_weights")), 0.0);
    mb = FLINT_MIN(m, (double) VX_ARB_UNKNOWNS);
    return (m + 2) * pass + (vx_critical_double() ? m * m * (m * NS_DENSE + NS_DENSE_ROW) : 0.0)
           + (vx_critical_ball((slong) mlo) ? mb * mb * mb * (2 * ns_madd(c->prec) + ns_ball(c->prec) / 3) : 0.0)
           + (vx_critical_double() ? q * q * (q * NS_DENSE + NS_DENSE_ROW) : 0.0)
           + (vx_critical_ball((slong) q) ? q * q * q * (4 * ns_madd(c->prec) + 3 * ns_ball(c->prec) / 4) : 0.0)
           + q * q * n * ns_madd(c->prec)
           + 2 * q * nall * ns_madd(c->prec)
           + 2 * pq * (2 * d * d * d + d * d * (ncols + 4) + d * ncols * ncols + ncols * ncols * ncols) * ns_madd(c->prec)
           + kink_rotations_ns(c, cl) + implied_ns(c, cl)
           + 2 * (double) json_array_size(json_object_get(cl, "kink_rotations")) * pass
           + 2 * (double) (c->p.L - 1) * (double) json_array_size(json_object_get(cl, "class_rotations")) * pass;
}

/* The number of listed kinks of row i of layer l (the list is sorted: two binary searches). */
static double row_kinks(const json_t *kinks, json_int_t l, json_int_t i)
{
    size_t lo[2], t;
    for (t = 0; t < 2; t++) {   /* the first entry >= (l, i, 0), then the first > (l, i, any) */
        size_t a = 0, b = json_array_size(kinks);
        while (a < b) {
            size_t mid = a + (b - a) / 2;
            const json_t *e = json_array_get(kinks, mid);
            json_int_t x = json_integer_value(json_array_get(e, 0)), y = json_integer_value(json_array_get(e, 1));
            if (x < l || (x == l && (t == 0 ? y < i : y <= i)))   /* no i + 1: i is the file's */
                a = mid + 1;
            else
                b = mid;
        }
        lo[t] = a;
    }
    return lo[1] >= lo[0] ? (double) (lo[1] - lo[0]) : 0.0;   /* unsorted lists are refused later */
}

/* The implied kinks' rules of a critical_point claim (§6.9 check 3b), each tried on the box:
 * rule single over the active units and the row's kinks; rule partner (r listed kinks in the
 * row, so at most r + 1 units in V) its Gauss-Jordan elimination over r columns and the
 * carried one, (r + 1)^2 (r + 1) ball operations one at a time
 * (a division, a multiply-subtract, an absolute value and a bound: priced at ns_ball), the
 * units of layer l - 1 over r + 1 columns, and each unit of layer l as a partner, r + 1
 * binary searches and |V| weights. */
static double implied_ns(vx_ctx *c, const json_t *cl)
{
    const json_t *kinks = json_object_get(cl, "kinks"), *e;
    double ns = 0, lg = log2((double) json_array_size(kinks) + 2);
    size_t i;
    json_array_foreach(json_object_get(cl, "implied_kinks"), i, e) {
        json_int_t l = json_integer_value(json_array_get(e, 0));
        double r, below, here;
        if (l < 3 || l > c->p.L)
            continue;
        r = row_kinks(kinks, l, json_integer_value(json_array_get(e, 1)));
        below = (double) c->p.width[l - 2];
        here = (double) c->p.width[l - 1];
        ns += (r + 1) * (r + 1) * (r + 1) * ns_ball(c->prec) + below * (r + 1) + here * ((r + 1) * lg + below)
              + below * below * r;   /* rule single: per active unit, the row's kinks' columns */
    }
    return ns;
}

/* The kink-preserving rotations and class rotations of a critical_point claim (§6.9): each is
 * evaluated twice (the centre and the box; the caller counts a pass for each kink rotation, L - 1
 * for each class rotation), each time the kept kink rows C of its layer (of every ReLU layer
 * l >= 2 for a class rotation; at most the layer's kinks, nr) over the d_l (d_l - 1) / 2 upper
 * entries np, C C^T, its inverse and the projection: nr^2 np + nr^3 + 2 nr np + 2 d_l^2 (d_{l-1}
 * + d_{l+1}) multiply-adds; a class rotation's H1 A and A W_L: d_1 K^2 + K^2 d_L more. */
static double kink_layer_ns(vx_ctx *c, const json_t *cl, slong l)
{
    double nr = 0, d, np, io;
    const char *key[2] = { "kinks", "implied_kinks" };
    size_t t;
    if (l < 2 || l > c->p.L)
        return 0;
    for (t = 0; t < 2; t++) {
        const json_t *k;
        size_t j;
        json_array_foreach(json_object_get(cl, key[t]), j, k)
            nr += json_integer_value(json_array_get(k, 0)) == l;
    }
    d = (double) c->p.width[l - 1];
    np = d * (d - 1) / 2;
    io = (double) c->p.width[l - 2] + (l < c->p.L ? (double) c->p.width[l] : (double) c->p.K);
    return 2 * (nr * nr * np + nr * nr * nr + 2 * nr * np + 2 * d * d * io) * ns_madd(c->prec);
}

/* One class rotation of claim cl: the kink rows of every layer, H1 A and A W_L (twice). */
static double class_rotation_ns(vx_ctx *c, const json_t *cl)
{
    double ns = 0, K = (double) c->p.K;
    slong l;
    for (l = 2; l <= c->p.L; l++)
        ns += kink_layer_ns(c, cl, l);
    return ns + 2 * ((double) c->p.width[0] + (double) c->p.width[c->p.L - 1]) * K * K * ns_madd(c->prec);
}

static double kink_rotations_ns(vx_ctx *c, const json_t *cl)
{
    const json_t *kr = json_object_get(cl, "kink_rotations"), *e;
    double ns = 0, cq = (double) json_array_size(json_object_get(cl, "class_rotations"));
    size_t i;
    json_array_foreach(kr, i, e)
        ns += kink_layer_ns(c, cl, (slong) json_integer_value(json_array_get(e, 0)));
    return ns + (cq > 0 ? cq * class_rotation_ns(c, cl) : 0);
}

/* The exact_slopes of a kink_multipliers claim cl (§6.10) on its critical_point claim ref
 * (pass: one pass over its point, nall parameters): per entry the witness on the box (a
 * kink-preserving rotation or class rotation: as counted for the critical_point claim, which
 * evaluates it twice; a rotation: its two products) and two passes along its tangent. */
static double exact_slopes_ns(vx_ctx *c, const json_t *cl, const json_t *ref, double pass, double nall)
{
    const json_t *e;
    double ns = 0;
    size_t i;
    json_array_foreach(json_object_get(cl, "exact_slopes"), i, e) {
        ns += 2 * pass + 2 * nall * ns_madd(c->prec);
        if (json_object_get(e, "kink_rotation") != NULL)
            ns += kink_layer_ns(c, ref, (slong) json_integer_value(json_array_get(json_object_get(e, "kink_rotation"), 0)));
        if (json_object_get(e, "class_rotation") != NULL)
            ns += class_rotation_ns(c, ref);
    }
    return ns;
}

/* The shifts of a kink_multipliers claim cl (§6.10) on its critical_point claim ref: per entry,
 * with r the listed kinks of the implied kink's row (so at most r + 1 units in V), the
 * Gauss-Jordan elimination, (r + 1)^2 (r + 1) ball operations priced at ns_ball, the units of
 * layer l - 1 over r + 1 columns, r + 1 binary searches, and the 2 (r + 1) seeds. */
static double shifts_ns(vx_ctx *c, const json_t *cl, const json_t *ref)
{
    const json_t *kinks = json_object_get(ref, "kinks"), *imp = json_object_get(ref, "implied_kinks"), *e;
    double ns = 0, lg = log2((double) json_array_size(kinks) + 2);
    size_t i;
    json_array_foreach(json_object_get(cl, "shifts"), i, e) {
        const json_t *m = json_array_get(imp, (size_t) json_integer_value(json_object_get(e, "implied_kink")));
        json_int_t l = json_integer_value(json_array_get(m, 0));
        double r;
        if (l < 3 || l > c->p.L)
            continue;
        r = row_kinks(kinks, l, json_integer_value(json_array_get(m, 1))) + 1;
        ns += r * r * r * ns_ball(c->prec) + (double) c->p.width[l - 2] * r + r * lg + 6 * r * ns_ball(c->prec);
    }
    return ns;
}

/* The claim of claims with id `id`, or NULL. */
static const json_t *claim_by_id(const json_t *claims, const char *id)
{
    const json_t *cl;
    size_t i;
    json_array_foreach(claims, i, cl)
        if (id != NULL && json_string_value(json_object_get(cl, "id")) != NULL
            && strcmp(json_string_value(json_object_get(cl, "id")), id) == 0)
            return cl;
    return NULL;
}

int vx_check_work(vx_ctx *c, const json_t *root)
{
    const json_t *claims = json_object_get(root, "claims"), *cl;
    double ns = points_ns(c, json_object_get(root, "points"), claims);
    size_t i;
    ns += distinct_structures_ns(&c->p, claims, c->prec);
    json_array_foreach(claims, i, cl)
        if (is_kind(cl, "root"))
            ns += c->p.ce ? 16 * ns_exp(8 * (c->prec + 64))   /* two signs of H, precision raised up to 8 times */
                          : root_ns(json_object_get(cl, "polynomial"), json_object_get(cl, "interval"), c->prec);
        else if (is_kind(cl, "critical_point"))
            ns += critical_ns(c, json_object_get(root, "points"), cl);
        else if (is_kind(cl, "strict_local_min")) {
            /* the box Jacobian's passes again, and a Cholesky in place of the Krawczyk step (fewer
             * operations: the box itself is the critical_point claim's, certified before) */
            const json_t *ref = claim_by_id(claims, json_string_value(json_object_get(cl, "critical_point")));
            if (ref != NULL && json_is_object(ref))
                ns += critical_ns(c, json_object_get(root, "points"), ref);
        } else if (is_kind(cl, "kink_multipliers")) {
            /* the pattern on the box and one backward pass over the claim's point (vcrit.c) */
            const json_t *ref = claim_by_id(claims, json_string_value(json_object_get(cl, "critical_point")));
            double nall, ncols;
            if (ref != NULL && json_is_object(ref)) {
                double pass = pass_ns(c, json_object_get(root, "points"), ref, &nall, &ncols);
                ns += 2 * pass + exact_slopes_ns(c, cl, ref, pass, nall) + shifts_ns(c, cl, ref);
            }
        } else if (is_kind(cl, "descent_direction")) {
            /* the pattern on the box and L passes with a tangent, one per ReLU layer and a last one */
            const json_t *ref = claim_by_id(claims, json_string_value(json_object_get(cl, "critical_point")));
            double nall, ncols;
            if (ref != NULL && json_is_object(ref))
                ns += (double) (c->p.L + 1) * pass_ns(c, json_object_get(root, "points"), ref, &nall, &ncols);
        }
    if (ns > VX_MAX_SECONDS * 1e9)
        return vx_fail(c, "the checks of this file would take about %.3g s at %ld bits (estimated from its sizes), "
                       "more than the %d s the format allows (§9)", ns / 1e9, (long) c->prec, VX_MAX_SECONDS);
    return 0;
}
