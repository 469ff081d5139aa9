/* The independent checker of certificate files (docs/certificate-format.md, version 1).
 *
 * Each claim kind has one function below that recomputes the verdict from the problem and
 * the points alone: the file's intervals are only the claims to check, never an input to
 * a computation. A claim is "certified" exactly when its check succeeds; the file passes
 * when every recomputed verdict equals the written one, in both directions. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"
#include "dncert/verify.h"
#include "verify_priv.h"

typedef struct {
    const json_t *o;
    const char *id, *kind;
    int written, verdict;
    arb_t q;              /* recomputed quantity of a loss or value claim (format §6.6) */
    char why[2048];       /* why it is not proven, with the numbers */
} vclaim;

typedef struct {
    vctx c;
    vclaim *cl;
    slong ncl;
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

static int certified(vclaim *cl)
{
    cl->verdict = 1;
    return 0;
}

/* A ball (with about as many digits as the precision carries), or a written interval
 * o[key], as text for messages (buffers of TXT bytes). */
#define TXT 512
static const char *astr(char *buf, const arb_t x, slong prec)
{
    fmpq_t q;
    char *s;
    fmpq_init(q);
    if (arb_is_exact(x) && arb_is_finite(x)) {   /* an exact dyadic: "21/4" */
        arf_get_fmpq(q, arb_midref(x));
        s = dnc_rational_get_str(q);
    } else
        s = arb_get_str(x, FLINT_MIN(prec / 3 + 4, 200), 0);
    snprintf(buf, TXT, "%s", s);
    flint_free(s);
    fmpq_clear(q);
    return buf;
}

static const char *istr(char *buf, const json_t *o, const char *key)
{
    o = json_object_get(o, key);
    snprintf(buf, TXT, "[%.240s, %.240s]", vj_s(o, "lo"), vj_s(o, "hi"));
    return buf;
}

/* 1 iff the ball x lies in [lo, hi]; its endpoints mid -/+ rad are compared exactly. */
static int ball_in(const arb_t x, const fmpq_t lo, const fmpq_t hi)
{
    arf_t r, t;
    fmpq_t e;
    int ok;
    if (!arb_is_finite(x))
        return 0;
    arf_init(r);
    arf_init(t);
    fmpq_init(e);
    arf_set_mag(r, arb_radref(x));
    arf_sub(t, arb_midref(x), r, ARF_PREC_EXACT, ARF_RND_DOWN);
    arf_get_fmpq(e, t);
    ok = fmpq_cmp(e, lo) >= 0;
    arf_add(t, arb_midref(x), r, ARF_PREC_EXACT, ARF_RND_DOWN);
    arf_get_fmpq(e, t);
    ok = ok && fmpq_cmp(e, hi) <= 0;
    arf_clear(r);
    arf_clear(t);
    fmpq_clear(e);
    return ok;
}

/* 1 iff the ball x lies in the claim's interval cl->o[key] (validated when the claim was
 * read, format §3). */
static int claim_contains(const vclaim *cl, const char *key, const arb_t x)
{
    const json_t *o = json_object_get(cl->o, key);
    fmpq_t lo, hi;
    int in;
    fmpq_init(lo);
    fmpq_init(hi);
    vj_q(lo, o, "lo");
    vj_q(hi, o, "hi");
    in = ball_in(x, lo, hi);
    fmpq_clear(lo);
    fmpq_clear(hi);
    return in;
}

static vpoint *claim_point(vrun *r, vclaim *cl, const char *path)
{
    slong i;
    for (i = 0; i < r->c.npts; i++)
        if (strcmp(r->c.pts[i].name, vj_s(cl->o, "point")) == 0)
            return r->c.pts + i;
    vj_fail(&r->c, "%s.point: no point named '%s'", path, vj_s(cl->o, "point"));
    return NULL;
}

#define INVALID(cl, P) not_proven(cl, "scalar %s of point %s is not isolated by its interval (format 7.1)", \
                                   (P)->invalid, (P)->name)

/* ---- §6.1 root ---- */
/* The isolating interval lies in [(L-1)/(2L), 1] (§6.1), the branch of the optimal c. */
static int in_family_range(const vscalar *s, slong L)
{
    fmpq_t a;
    int ok;
    fmpq_init(a);
    fmpq_set_si(a, L - 1, (ulong) (2 * L));
    ok = fmpq_cmp(s->lo, a) >= 0;
    fmpq_one(a);
    ok = ok && fmpq_cmp(s->hi, a) <= 0;
    fmpq_clear(a);
    return ok;
}

static int check_root(vrun *r, vclaim *cl, const char *path)
{
    vpoint *P = claim_point(r, cl, path);
    vscalar *s = P ? vpoint_scalar(&r->c, P, cl->o, path, "scalar") : NULL;
    const json_t *rule = json_object_get(cl->o, "rule");
    char rp[VPATH];
    fmpq_t Q;
    int applies;
    if (s == NULL)
        return -1;
    fmpq_init(Q);
    applies = rule == NULL ? 1 : va_rule(&r->c, rule, vj_pathf(rp, "%s.rule", path), Q);
    if (applies < 0)
        ;   /* malformed rule, the message is set */
    else if (P->invalid)   /* covers a scalar that does not isolate */
        INVALID(cl, P);
    else if (!s->algebraic)
        not_proven(cl, "scalar %s of point %s is a ball, not algebraic", s->name, P->name);
    else if (!applies)
        not_proven(cl, "the rule needs balanced class counts");
    else if (rule != NULL && !va_is_rule_poly(s->poly, Q, r->c.p->L))
        not_proven(cl, "the polynomial of %s is not a multiple of the rule's", s->name);
    else if (rule != NULL && !in_family_range(s, r->c.p->L))
        not_proven(cl, "the interval of %s is not inside [(L-1)/(2L), 1], where the family's optimal scale lies",
                   s->name);
    else
        certified(cl);
    fmpq_clear(Q);
    return applies < 0 ? -1 : 0;
}

/* ---- §6.2 alive ---- */
static int check_alive(vrun *r, vclaim *cl, const char *path)
{
    static const char *const names[3] = { "dead", "tie", "alive" };
    const char *d = vj_s(cl->o, "decision");
    char rp[VPATH];
    fmpq_t Q, T;
    int applies, cmp;
    if (strcmp(d, "alive") != 0 && strcmp(d, "dead") != 0 && strcmp(d, "tie") != 0)
        return vj_fail(&r->c, "%s.decision: expected \"alive\", \"dead\" or \"tie\", got \"%s\"", path, d);
    fmpq_init(Q);
    fmpq_init(T);
    applies = va_rule(&r->c, json_object_get(cl->o, "rule"), vj_pathf(rp, "%s.rule", path), Q);
    va_alive_threshold(T, r->c.p->L);
    cmp = fmpq_cmp(T, Q);                  /* alive iff T_L > Q, tie iff equal, dead iff below */
    cmp = cmp > 0 ? 2 : cmp == 0;
    fmpq_clear(Q);
    fmpq_clear(T);
    if (applies <= 0)
        return applies < 0 ? -1 : not_proven(cl, "the rule needs balanced class counts");
    if (strcmp(d, names[cmp]) != 0)
        return not_proven(cl, "the exact comparison of T_L and Q gives \"%s\"", names[cmp]);
    return certified(cl);
}

/* ---- §6.3 loss ---- */
static int check_loss(vrun *r, vclaim *cl, const char *path)
{
    static const char *const part[3] = { "loss", "fit", "reg" };
    vpoint *P = claim_point(r, cl, path);
    const dnc_beval_struct *ev;
    arb_srcptr x[3];
    char s1[TXT], s2[TXT];
    int k, in = 1;
    if (P == NULL)
        return -1;
    if (P->invalid)
        return INVALID(cl, P);
    ev = vpoint_eval(&r->c, P);
    x[0] = ev->loss, x[1] = ev->fit, x[2] = ev->reg;
    arb_set(cl->q, ev->loss);
    for (k = 0; k < 3 && in; k++)
        in = claim_contains(cl, part[k], x[k]);
    if (!in)
        return not_proven(cl, "%s of point %s is %s but the claim says %s", part[k - 1], P->name,
                          astr(s1, x[k - 1], r->c.prec), istr(s2, cl->o, part[k - 1]));
    return certified(cl);
}

/* ---- §6.4 value: the sum of weight (1/2)(1 - c)(1 + L c) and weight constant ---- */
static void family_value(arb_t v, const arb_t c, slong L, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_mul_si(v, c, L, prec);
    arb_add_ui(v, v, 1, prec);
    arb_sub_ui(t, c, 1, prec);
    arb_mul(v, v, t, prec);
    arb_mul_2exp_si(v, v, -1);
    arb_neg(v, v);
    arb_clear(t);
}

/* Adds weight * (the term's value) to sum, or sets *bad to a scalar that is not an
 * isolated algebraic number (the claim is then not proven). */
static int value_term(vrun *r, vpoint *P, const json_t *t, const char *tp, arb_t sum, const vscalar **bad)
{
    const vscalar *s = NULL;
    fmpq_t q;
    arb_t x, w;
    if (vj_schema(&r->c, t, tp, "weight:r scalar:s? constant:r?"))
        return -1;
    if ((json_object_get(t, "scalar") == NULL) == (json_object_get(t, "constant") == NULL))
        return vj_fail(&r->c, "%s: needs exactly one of \"scalar\" and \"constant\"", tp);
    if (json_object_get(t, "scalar") != NULL && (s = vpoint_scalar(&r->c, P, t, tp, "scalar")) == NULL)
        return -1;
    if (s != NULL && !(s->algebraic && s->ok))
        return *bad = s, 0;
    fmpq_init(q);
    arb_init(x);
    arb_init(w);
    if (s != NULL)
        family_value(x, s->val, r->c.p->L, r->c.prec);
    else
        vj_q(q, t, "constant"), arb_set_fmpq(x, q, r->c.prec);
    vj_q(q, t, "weight");
    arb_set_fmpq(w, q, r->c.prec);
    arb_addmul(sum, x, w, r->c.prec);
    fmpq_clear(q);
    arb_clear(x);
    arb_clear(w);
    return 0;
}

/* §6.4: the value is attained by the explicit point -- its loss enclosure overlaps the
 * value and is tight, radius at most 2^-(precision/2) for the file's precision (a box of
 * wide ball scalars would overlap anything). The claim's
 * quantity for order and ratio claims becomes the hull of both enclosures, so that an
 * order certified from it holds for the closed-form value and the point's loss alike. */
static int value_attained(vrun *r, vclaim *cl, vpoint *P)
{
    arb_srcptr loss = vpoint_eval(&r->c, P)->loss;
    slong E = -(r->c.file_prec / 2);
    char s1[TXT], s2[TXT];
    int overlaps = arb_overlaps(cl->q, loss);
    arb_union(cl->q, cl->q, loss, r->c.prec);
    if (!overlaps)
        return not_proven(cl, "the value does not overlap the loss %s of point %s", astr(s2, loss, r->c.prec), P->name);
    if (!arb_is_finite(loss) || mag_cmp_2exp_si(arb_radref(loss), E) > 0)
        return not_proven(cl, "the loss of point %s is known only to %s (radius above 2^%ld): too wide to "
                          "show that it attains the value", P->name, astr(s1, loss, r->c.prec), (long) E);
    return certified(cl);
}

static int check_value(vrun *r, vclaim *cl, const char *path)
{
    vpoint *P = claim_point(r, cl, path);
    const json_t *terms = json_object_get(cl->o, "terms");
    const vscalar *bad = NULL;
    char tp[VPATH], s1[TXT], s2[TXT];
    size_t i;
    int in;
    if (P == NULL)
        return -1;
    if (json_array_size(terms) == 0)
        return vj_fail(&r->c, "%s.terms: expected a non-empty list", path);
    arb_zero(cl->q);
    for (i = 0; i < json_array_size(terms); i++)
        if (value_term(r, P, json_array_get(terms, i), vj_pathf(tp, "%s.terms[%zu]", path, i), cl->q, &bad))
            return -1;
    in = claim_contains(cl, "value", cl->q);
    if (P->invalid)
        return INVALID(cl, P);
    if (bad != NULL)
        return not_proven(cl, "scalar %s of point %s is not an isolated algebraic number", bad->name, P->name);
    if (!in)
        return not_proven(cl, "the value is %s but the claim says %s", astr(s1, cl->q, r->c.prec), istr(s2, cl->o, "value"));
    return value_attained(r, cl, P);
}

/* ---- §6.5 stationarity ---- */
static int kink_cmp(const void *a, const void *b)
{
    const dnc_kink *x = a, *y = b;
    if (x->layer != y->layer)
        return x->layer < y->layer ? -1 : 1;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return x->col < y->col ? -1 : x->col > y->col;
}

/* Every gradient entry contains 0 and has radius <= 2^E; otherwise names the first that
 * does not and returns 0. */
static int gradient_ok(vclaim *cl, const vpoint *P, const dnc_beval_struct *ev, slong E, slong prec)
{
    slong L = P->box->p->L, b, i, j;
    char name[24], s1[TXT];
    for (b = 0; b < L + 2; b++) {
        const arb_mat_struct *g = dnc_bpoint_block(ev->grad, b);
        for (i = 0; i < arb_mat_nrows(g); i++)
            for (j = 0; j < arb_mat_ncols(g); j++) {
                arb_srcptr x = arb_mat_entry(g, i, j);
                if (!arb_is_finite(x) || !arb_contains_zero(x))
                    return not_proven(cl, "gradient entry %s[%ld,%ld] of point %s is %s, which does not contain 0",
                                      dnc_param_block_name(name, L, b), (long) i, (long) j, P->name, astr(s1, x, prec));
                if (mag_cmp_2exp_si(arb_radref(x), E) > 0)
                    return not_proven(cl, "gradient entry %s[%ld,%ld] of point %s has radius %.3g > 2^%ld",
                                      dnc_param_block_name(name, L, b), (long) i, (long) j, P->name,
                                      mag_get_d(arb_radref(x)), (long) E);
            }
    }
    return 1;
}

/* The evaluator lists the kinks as its backward pass meets them (layer L first); the
 * format lists them sorted by layer, row, column. */
static void compare_kinks(vclaim *cl, const vpoint *P, const dnc_beval_struct *ev, const dnc_kink *want, slong n)
{
    dnc_kink *got = flint_malloc((ev->nkinks + 1) * sizeof(dnc_kink));
    slong i;
    if (ev->nkinks > 0)
        memcpy(got, ev->kinks, ev->nkinks * sizeof(dnc_kink));
    qsort(got, ev->nkinks, sizeof(dnc_kink), kink_cmp);
    for (i = 0; i < n && i < ev->nkinks && kink_cmp(got + i, want + i) == 0; i++)
        ;
    if (n != ev->nkinks)
        not_proven(cl, "point %s has %ld kinks, the claim lists %ld", P->name, (long) ev->nkinks, (long) n);
    else if (i < n)
        not_proven(cl, "kink %ld of point %s is [%ld, %ld, %ld], the claim lists [%ld, %ld, %ld]", (long) i, P->name,
                   (long) got[i].layer, (long) got[i].row, (long) got[i].col, (long) want[i].layer,
                   (long) want[i].row, (long) want[i].col);
    else
        certified(cl);
    flint_free(got);
}

static int check_stationarity(vrun *r, vclaim *cl, const char *path)
{
    vpoint *P = claim_point(r, cl, path);
    const json_t *kinks = json_object_get(cl->o, "kinks");
    const dnc_beval_struct *ev;
    slong E, n = (slong) json_array_size(kinks), i;
    json_int_t t[3];
    dnc_kink *want;
    if (P == NULL || vj_range(&r->c, cl->o, path, "max_radius_log2", -1000000, 1000000, &E))
        return -1;
    want = flint_malloc((n + 1) * sizeof(dnc_kink));
    for (i = 0; i < n; i++) {
        if (json_unpack(json_array_get(kinks, i), "[III!]", t, t + 1, t + 2) != 0)
            return flint_free(want), vj_fail(&r->c, "%s.kinks[%ld]: expected [layer, row, column]", path, (long) i);
        want[i].layer = t[0], want[i].row = t[1], want[i].col = t[2];
    }
    if (P->invalid)
        INVALID(cl, P);
    else if (gradient_ok(cl, P, (ev = vpoint_eval(&r->c, P)), E, r->c.prec))
        compare_kinks(cl, P, ev, want, n);
    flint_free(want);
    return 0;
}

/* ---- §6.6 order and dnc_not_optimal ---- */
static vclaim *claim_ref(vrun *r, vclaim *cl, const char *path, const char *key, const char *kind)
{
    const char *id = vj_s(cl->o, key), *k;
    slong i;
    for (i = 0; i < r->ncl && strcmp(r->cl[i].id, id) != 0; i++)
        ;
    if (i == r->ncl)
        return vj_fail(&r->c, "%s.%s: no claim with id '%s'", path, key, id), NULL;
    k = r->cl[i].kind;
    if (kind ? strcmp(k, kind) != 0 : strcmp(k, "loss") != 0 && strcmp(k, "value") != 0)
        return vj_fail(&r->c, "%s.%s: claim '%s' is a %s claim, expected %s", path, key, id, k,
                       kind ? kind : "loss or value"), NULL;
    return r->cl + i;
}

static int check_order(vrun *r, vclaim *cl, const char *path)
{
    int dno = strcmp(cl->kind, "dnc_not_optimal") == 0;   /* a loss claim below a value claim */
    vclaim *a = claim_ref(r, cl, path, "lower", dno ? "loss" : NULL), *b;
    char s1[TXT], s2[TXT];
    if (a == NULL || (b = claim_ref(r, cl, path, "higher", dno ? "value" : NULL)) == NULL)
        return -1;
    if (!a->verdict || !b->verdict)
        return not_proven(cl, "claim %s is not certified", a->verdict ? b->id : a->id);
    if (!arb_lt(a->q, b->q))
        return not_proven(cl, "%s is %s, not strictly below %s = %s", a->id, astr(s1, a->q, r->c.prec), b->id, astr(s2, b->q, r->c.prec));
    return certified(cl);
}

/* §6.6 ratio: numerator / denominator of two certified loss or value claims lies in the
 * claimed interval. */
static int check_ratio(vrun *r, vclaim *cl, const char *path)
{
    vclaim *a = claim_ref(r, cl, path, "numerator", NULL), *b;
    char s1[TXT], s2[TXT];
    int in;
    if (a == NULL || (b = claim_ref(r, cl, path, "denominator", NULL)) == NULL)
        return -1;
    arb_div(cl->q, a->q, b->q, r->c.prec);
    in = claim_contains(cl, "ratio", cl->q);
    if (!a->verdict || !b->verdict)
        return not_proven(cl, "claim %s is not certified", a->verdict ? b->id : a->id);
    if (!in)
        return not_proven(cl, "the ratio is %s but the claim says %s", astr(s1, cl->q, r->c.prec), istr(s2, cl->o, "ratio"));
    return certified(cl);
}

/* ---- §6.7 structure: exact facts on the patterns ---- */
static void relu_q(fmpq_mat_t m)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(m); i++)
        for (j = 0; j < fmpq_mat_ncols(m); j++)
            if (fmpq_sgn(fmpq_mat_entry(m, i, j)) < 0)
                fmpq_zero(fmpq_mat_entry(m, i, j));
}

/* Class means A (pre-activation) and M (post-activation) at `layer` of the exact forward
 * pass of the patterns, over the point's columns (one per class when collapsed). */
static void pattern_means(fmpq_mat_t A, fmpq_mat_t M, const vpoint *P, const dnc_problem_struct *p, slong layer)
{
    const dnc_bpoint_struct *x = P->box;
    fmpq_mat_t pre, post, C;
    slong l, j;
    fmpq_mat_init_set(pre, P->pat);
    fmpq_mat_init_set(post, P->pat);
    for (l = 2; l <= layer; l++) {
        fmpq_mat_clear(pre);
        fmpq_mat_init(pre, p->width[l - 1], x->ncols);
        fmpq_mat_mul(pre, P->pat + l - 1, post);      /* W_{l-1} sigma(previous) */
        fmpq_mat_clear(post);
        fmpq_mat_init_set(post, pre);
        if (p->act[l - 2] == DNC_ACT_RELU)
            relu_q(post);
    }
    fmpq_mat_init(C, x->ncols, p->K);                  /* C[j, class of j] = mult_j / n_k */
    for (j = 0; j < x->ncols; j++)
        fmpq_set_si(fmpq_mat_entry(C, j, x->label[j]), x->mult[j], (ulong) p->n[x->label[j]]);
    fmpq_mat_init(A, p->width[layer - 1], p->K);
    fmpq_mat_init(M, p->width[layer - 1], p->K);
    fmpq_mat_mul(A, pre, C);
    fmpq_mat_mul(M, post, C);
    fmpq_mat_clear(pre);
    fmpq_mat_clear(post);
    fmpq_mat_clear(C);
}

/* M^T M is diagonal with a positive diagonal. */
static int gram_diagonal(const fmpq_mat_t M)
{
    fmpq_mat_t T, G;
    slong i, j;
    int ok = 1;
    fmpq_mat_init(T, fmpq_mat_ncols(M), fmpq_mat_nrows(M));
    fmpq_mat_init(G, fmpq_mat_ncols(M), fmpq_mat_ncols(M));
    fmpq_mat_transpose(T, M);
    fmpq_mat_mul(G, T, M);
    for (i = 0; i < fmpq_mat_nrows(G); i++)
        for (j = 0; j < fmpq_mat_ncols(G); j++)
            ok &= i == j ? fmpq_sgn(fmpq_mat_entry(G, i, j)) > 0 : fmpq_is_zero(fmpq_mat_entry(G, i, j));
    fmpq_mat_clear(T);
    fmpq_mat_clear(G);
    return ok;
}

/* ReLU(A) is h I_K with h > 0 once its zero rows are deleted (a width d_l > K embeds the
 * K classes in K of its coordinates; the rows kept must come in class order). */
static int relu_identity(fmpq_mat_t A)
{
    slong i, j, k = 0;
    const fmpq *h = NULL;
    relu_q(A);
    for (i = 0; i < fmpq_mat_nrows(A); i++) {
        for (j = 0; j < fmpq_mat_ncols(A) && fmpq_is_zero(fmpq_mat_entry(A, i, j)); j++)
            ;
        if (j == fmpq_mat_ncols(A))
            continue;                                   /* a zero row */
        if (j != k || (h != NULL && !fmpq_equal(h, fmpq_mat_entry(A, i, j))))
            return 0;
        for (h = fmpq_mat_entry(A, i, j), j = k + 1; j < fmpq_mat_ncols(A); j++)
            if (!fmpq_is_zero(fmpq_mat_entry(A, i, j)))
                return 0;
        k++;
    }
    return k == fmpq_mat_ncols(A);
}

static int nonnegative(const fmpq_mat_t A)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++)
            if (fmpq_sgn(fmpq_mat_entry(A, i, j)) < 0)
                return 0;
    return 1;
}

static int check_structure(vrun *r, vclaim *cl, const char *path)
{
    static const char *const facts[5] = { "gram_diagonal", "rank_pre", "relu_identity", "collapsed", "relu_inactive" };
    vctx *c = &r->c;
    vpoint *P = claim_point(r, cl, path);
    slong layer, rank = 0;
    fmpq_mat_t A, M;
    int f, ok;
    for (f = 0; f < 5 && strcmp(vj_s(cl->o, "fact"), facts[f]) != 0; f++)
        ;
    if (f == 5)
        return vj_fail(c, "%s.fact: unknown fact '%s'", path, vj_s(cl->o, "fact"));
    if ((f == 1) != (json_object_get(cl->o, "rank") != NULL))
        return vj_fail(c, "%s.rank: %s", path, f == 1 ? "missing" : "only the rank_pre fact has a rank");
    /* rank_pre, relu_identity and relu_inactive are about pre-activations: layers 2..L */
    if (P == NULL || vj_range(c, cl->o, path, "layer", f == 1 || f == 2 || f == 4 ? 2 : 1, c->p->L, &layer)
        || (f == 1 && vj_range(c, cl->o, path, "rank", 0, WORD_MAX, &rank)))
        return -1;
    if (P->invalid)
        return INVALID(cl, P);
    if (!P->pattern_ok)
        return not_proven(cl, "a block of point %s is not one term with a certified positive scale", P->name);
    if (f == 3)
        return P->collapsed ? certified(cl) : not_proven(cl, "point %s has the expanded layout", P->name);
    pattern_means(A, M, P, c->p, layer);
    if (f == 1) {
        ok = fmpq_mat_rref(M, A);   /* M is not needed for a rank */
        if (ok != rank)
            not_proven(cl, "the exact rank of A_%ld of point %s is %d", (long) layer, P->name, ok);
        ok = ok == rank;
    } else if (!(ok = f == 0 ? gram_diagonal(M) : f == 2 ? relu_identity(A) : nonnegative(A)))
        not_proven(cl, "the exact pattern %s_%ld of point %s does not satisfy %s", f == 0 ? "M" : "A", (long) layer,
                   P->name, facts[f]);
    fmpq_mat_clear(A);
    fmpq_mat_clear(M);
    return ok ? certified(cl) : 0;
}

/* ---- the envelope (§2), the problem (§4), the claims (§6) and the report (§9) ---- */

static const struct {
    const char *kind, *schema;   /* fields besides id, kind, statement and verdict */
    int (*check)(vrun *r, vclaim *cl, const char *path);
} kinds[] = {
    { "root", "point:s scalar:s rule:o?", check_root },
    { "alive", "rule:o decision:s", check_alive },
    { "loss", "point:s loss:I fit:I reg:I", check_loss },
    { "value", "point:s terms:a value:I", check_value },
    { "stationarity", "point:s max_radius_log2:i kinks:a", check_stationarity },
    { "order", "lower:s higher:s", check_order },
    { "dnc_not_optimal", "lower:s higher:s", check_order },
    { "ratio", "numerator:s denominator:s ratio:I", check_ratio },
    { "structure", "point:s fact:s layer:i rank:i?", check_structure },
};
#define NKINDS ((int) (sizeof(kinds) / sizeof(kinds[0])))

/* problem[key] has exactly n items of type t. */
static int check_list(vctx *c, const json_t *o, const char *key, slong n, json_type t)
{
    const json_t *a = json_object_get(o, key);
    size_t i;
    if ((slong) json_array_size(a) != n)
        return vj_fail(c, "problem.%s: expected %ld entries, got %zu", key, (long) n, json_array_size(a));
    for (i = 0; i < json_array_size(a); i++)
        if (json_typeof(json_array_get(a, i)) != t)
            return vj_fail(c, "problem.%s[%zu]: expected %s", key, i, t == JSON_STRING ? "a string" : "an integer");
    return 0;
}

/* Every field of §4 with its type and length; the shared reader then checks the values. */
static int read_problem(vctx *c, const json_t *o)
{
    slong K, L;
    if (vj_schema(c, o, "problem", "K:i n:a L:i width:a activation:a bias:s lambda_h:s lambda_w:a")
        || vj_range(c, o, "problem", "K", 2, DNC_MAX_K, &K) || vj_range(c, o, "problem", "L", 1, DNC_MAX_L, &L)
        || check_list(c, o, "n", K, JSON_INTEGER) || check_list(c, o, "width", L, JSON_INTEGER)
        || check_list(c, o, "activation", L - 1, JSON_STRING) || check_list(c, o, "lambda_w", L, JSON_STRING))
        return -1;
    return dnc_problem_from_json(c->p, o, c->err, c->errlen);
}

static int read_envelope(vctx *c, const json_t *root, slong min_prec)
{
    const char *key;
    json_t *v;
    slong prec;
    if (vj_schema(c, root, "", "format:s version:i producer:o precision:i problem:o points:o claims:a"))
        return -1;
    if (strcmp(vj_s(root, "format"), DNC_CERT_FORMAT) != 0)
        return vj_fail(c, "format: expected \"%s\", got \"%s\"", DNC_CERT_FORMAT, vj_s(root, "format"));
    if (json_integer_value(json_object_get(root, "version")) != DNC_CERT_VERSION)
        return vj_fail(c, "version: expected %d, got %lld", DNC_CERT_VERSION,
                       (long long) json_integer_value(json_object_get(root, "version")));
    json_object_foreach(json_object_get(root, "producer"), key, v)
        if (!json_is_string(v))
            return vj_fail(c, "producer.%s: expected a string", key);
    if (vj_range(c, root, "", "precision", DNC_PREC_MIN, 1 << 20, &prec) || read_problem(c, json_object_get(root, "problem")))
        return -1;
    c->prec = FLINT_MAX(prec, min_prec);
    c->file_prec = prec;
    c->pts = flint_calloc(json_object_size(json_object_get(root, "points")) + 1, sizeof(vpoint));
    json_object_foreach(json_object_get(root, "points"), key, v)
        if (vpoint_read(c, c->pts + c->npts++, key, v))
            return -1;
    return 0;
}

/* The common fields of claim i and the fields of its kind; sets *kind. */
static int read_claim(vrun *r, slong i, const char *path, int *kind)
{
    vclaim *cl = r->cl + i;
    const char *k = json_is_object(cl->o) ? vj_s(cl->o, "kind") : NULL;
    char schema[256];
    slong j;
    for (*kind = 0; k != NULL && *kind < NKINDS && strcmp(kinds[*kind].kind, k) != 0; (*kind)++)
        ;
    if (*kind == NKINDS)
        return vj_fail(&r->c, "%s.kind: unknown kind '%s'", path, k);
    snprintf(schema, sizeof(schema), "id:s kind:s statement:s verdict:s %s", k ? kinds[*kind].schema : "");
    if (vj_schema(&r->c, cl->o, path, schema))
        return -1;
    cl->id = vj_s(cl->o, "id");
    cl->kind = k;
    cl->written = strcmp(vj_s(cl->o, "verdict"), "certified") == 0;
    if (!cl->written && strcmp(vj_s(cl->o, "verdict"), "not proven") != 0)
        return vj_fail(&r->c, "%s.verdict: expected \"certified\" or \"not proven\", got \"%s\"", path,
                       vj_s(cl->o, "verdict"));
    for (j = 0; j < i; j++)
        if (strcmp(r->cl[j].id, cl->id) == 0)
            return vj_fail(&r->c, "%s.id: duplicate id '%s' (also claims[%ld])", path, cl->id, (long) j);
    return 0;
}

static int report_claims(vrun *r, const char *name, int flags, FILE *f, dnc_verify_stats *st)
{
    slong i;
    for (i = 0; i < r->ncl; i++) {
        vclaim *cl = r->cl + i;
        int ok = cl->verdict == cl->written;
        st->nmismatch += !ok;
        st->ncertified += cl->verdict;
        if (f == NULL || (ok && (flags & DNC_VERIFY_QUIET)))
            continue;
        fprintf(f, "%s: %s %s %s %s", name, cl->id, cl->kind, cl->verdict ? "certified" : "not proven",
                ok ? "OK\n" : "MISMATCH");
        if (!ok)
            fprintf(f, " (the file says %s)\n", cl->written ? "certified" : "not proven");
        if (!cl->verdict)
            fprintf(f, "    %s\n", cl->why);
    }
    return st->nmismatch ? 1 : 0;
}

int dnc_verify_json(const json_t *cert, const char *name, slong min_prec, int flags,
                    FILE *report, dnc_verify_stats *stats, char *err, size_t errlen)
{
    dnc_verify_stats st0;
    vrun r;
    char path[VPATH];
    int ret, pass, *kind = NULL;
    slong i;
    stats = stats ? stats : &st0;
    memset(stats, 0, sizeof(*stats));
    memset(&r, 0, sizeof(r));
    r.c.err = err;
    r.c.errlen = errlen;
    dnc_problem_init(r.c.p);
    fmpq_init(r.c.scratch);
    if ((ret = read_envelope(&r.c, cert, min_prec)) == 0
        && json_array_size(json_object_get(cert, "claims")) == 0)   /* nothing would be checked */
        ret = vj_fail(&r.c, "claims: empty; a certificate states at least one claim");
    if (ret == 0) {
        r.ncl = (slong) json_array_size(json_object_get(cert, "claims"));
        r.cl = flint_calloc(r.ncl + 1, sizeof(vclaim));
        kind = flint_calloc(r.ncl + 1, sizeof(int));
        for (i = 0; i < r.ncl; i++) {
            arb_init(r.cl[i].q);
            r.cl[i].o = json_array_get(json_object_get(cert, "claims"), i);
        }
    }
    for (i = 0; ret == 0 && i < r.ncl; i++)
        ret = read_claim(&r, i, vj_pathf(path, "claims[%ld]", (long) i), kind + i);
    /* Order claims last: they compare the recomputed enclosures of the claims they name. */
    for (pass = 0; pass < 2 && ret == 0; pass++)
        for (i = 0; i < r.ncl && ret == 0; i++)
            if ((kinds[kind[i]].check == check_order || kinds[kind[i]].check == check_ratio) == pass)
                ret = kinds[kind[i]].check(&r, r.cl + i, vj_pathf(path, "claims[%ld]", (long) i));
    stats->nclaims = r.ncl;
    stats->prec = r.c.prec;
    if (ret == 0)
        ret = report_claims(&r, name, flags, report, stats);
    for (i = 0; i < r.ncl; i++)
        arb_clear(r.cl[i].q);
    for (i = 0; i < r.c.npts; i++)
        vpoint_clear(r.c.pts + i, r.c.p->L);
    flint_free(r.cl);
    flint_free(kind);
    flint_free(r.c.pts);
    fmpq_clear(r.c.scratch);
    dnc_problem_clear(r.c.p);
    return ret;
}

int dnc_verify_file(const char *path, slong min_prec, int flags, FILE *report,
                    dnc_verify_stats *stats, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    int r;
    if (root == NULL) {
        if (je.line < 0)
            snprintf(err, errlen, "%s", je.text);
        else
            snprintf(err, errlen, "invalid JSON at line %d, column %d: %s", je.line, je.column, je.text);
        if (stats != NULL)
            memset(stats, 0, sizeof(*stats));
        return -1;
    }
    r = dnc_verify_json(root, path, min_prec, flags, report, stats, err, errlen);
    json_decref(root);
    return r;
}
