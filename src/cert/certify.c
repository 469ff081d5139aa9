/* Certifying one theorem instance: build its points, decide its claims, assemble the
 * certificate (docs/certificate-format.md, docs/theorems.md). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/cert.h"
#include "dncert/io.h"
#include "cert_priv.h"

/* ---- bookkeeping ---- */

typedef struct {
    char name[32];
    const dnc_structure *st; /* its entry of the registry */
    slong param;             /* the design's parameter (r for srg, v for sts) */
    int built, has_ev;
    dnc_closed_t c;
    dnc_beval_t ev;          /* evaluation of the explicit point (with gradient) */
} point_state;

/* One block of a point of the one-parameter ("lowrank") family: DNC, SRG, STS, or a
 * block of an embedding. */
typedef struct {
    char scalar[32];         /* its c: "c", "c_srg", "c_dnc", "c_sts" */
    const dnc_structure *st; /* the block's structure: dnc or a design */
    slong param;             /* the design's parameter */
    slong nclass;
    fmpq_t Q;
    dnc_alive_t decision;
} lr_block;

/* A decided claim that order and ratio claims can refer to. */
typedef struct {
    char id[64];
    const char *kind;        /* "loss" or "value" */
    int is_dnc;              /* a value claim of the dnc structure */
    int certified;
    arb_t x;                 /* its quantity: a loss or a value */
} known_claim;

typedef struct {
    const dnc_instance *inst;
    slong prec, digits;      /* digits of claim intervals */
    point_state *pts;
    slong npts;
    json_t *claims;
    dnc_cert_result *res;
    known_claim *known;
    slong nknown;
    dnc_env env;             /* instance variables plus alive_/dead_/tie_<point> */
} ctx;

void dnc_cert_result_init(dnc_cert_result *r)
{
    memset(r, 0, sizeof(*r));
}

void dnc_cert_result_clear(dnc_cert_result *r)
{
    if (r->cert != NULL)
        json_decref(r->cert);
    flint_free(r->res);
    memset(r, 0, sizeof(*r));
}

static dnc_claim_result *add_result(dnc_cert_result *r)
{
    if (r->nres == r->alloc) {
        r->alloc = 2 * r->alloc + 8;
        r->res = flint_realloc(r->res, r->alloc * sizeof(dnc_claim_result));
    }
    memset(r->res + r->nres, 0, sizeof(dnc_claim_result));
    return r->res + r->nres++;
}

static point_state *find_point(ctx *x, const char *name)
{
    slong i;
    for (i = 0; i < x->npts; i++)
        if (strcmp(x->pts[i].name, name) == 0)
            return x->pts + i;
    return NULL;
}

static known_claim *find_known(ctx *x, const char *id)
{
    slong i;
    for (i = 0; i < x->nknown; i++)
        if (strcmp(x->known[i].id, id) == 0)
            return x->known + i;
    return NULL;
}

static void remember(ctx *x, const char *id, const char *kind, int is_dnc, int certified, const arb_t v)
{
    known_claim *k;
    x->known = flint_realloc(x->known, (x->nknown + 1) * sizeof(known_claim));
    k = x->known + x->nknown++;
    snprintf(k->id, sizeof(k->id), "%s", id);
    k->kind = kind;
    k->is_dnc = is_dnc;
    k->certified = certified;
    arb_init(k->x);
    arb_set(k->x, v);
}

static void short_decimal(char *buf, size_t len, const arb_t v)
{
    char *s = dnc_arb_proven_decimal(v, 16);
    snprintf(buf, len, "%s", s);
    flint_free(s);
}

void _dnc_cert_claim_fields(json_t *claim, const char *id, const char *kind, int certified,
                            const char *statement)
{
    json_object_set_new(claim, "id", json_string(id));
    json_object_set_new(claim, "kind", json_string(kind));
    json_object_set_new(claim, "statement", json_string(statement));
    json_object_set_new(claim, "verdict", json_string(certified ? "certified" : "not proven"));
}

int _dnc_cert_is_rule_poly(const dnc_alg_t alg, const fmpq_t Q, slong L)
{
    fmpz_poly_t f;
    int equal;
    fmpz_poly_init(f);
    dnc_closed_lowrank_poly(f, Q, L);
    equal = fmpz_poly_equal(f, alg->poly);
    fmpz_poly_clear(f);
    return equal;
}

/* Adds the claim object (kind-specific fields already set) with its common fields, and
 * its row of the result table. */
static void add_claim(ctx *x, json_t *claim, const char *id, const char *kind, int certified, int must,
                      const char *statement, const char *fmt, ...)
{
    dnc_claim_result *r = add_result(x->res);
    va_list ap;
    _dnc_cert_claim_fields(claim, id, kind, certified, statement);
    json_array_append_new(x->claims, claim);
    snprintf(r->id, sizeof(r->id), "%s", id);
    snprintf(r->kind, sizeof(r->kind), "%s", kind);
    r->certified = certified;
    r->must_hold = must;
    va_start(ap, fmt);
    vsnprintf(r->summary, sizeof(r->summary), fmt, ap);
    va_end(ap);
}

/* ---- the one-parameter family behind dnc, srg, sts and their embeddings ---- */

static slong lowrank_blocks(lr_block *b, const dnc_structure *st, const dnc_closed_t c, slong param)
{
    dnc_problem_struct *p = c->p;
    slong nb = 0, i, K1 = 0;
    int embedded = strstr(c->structure, "-embedded") != NULL;
    if (st->design != NULL)
        K1 = st->design->nclass(param);
    else if (!st->blocks)
        return 0;
    if (K1 > 0) {
        snprintf(b[nb].scalar, sizeof(b[nb].scalar), embedded ? "c_%s" : "c", st->name);
        b[nb].st = st;
        b[nb].param = param;
        b[nb].nclass = K1;
        nb++;
    }
    if (K1 == 0 || embedded) {
        snprintf(b[nb].scalar, sizeof(b[nb].scalar), embedded ? "c_dnc" : "c");
        b[nb].st = dnc_structure_find("dnc");
        b[nb].param = 0;
        b[nb].nclass = p->K - K1;
        nb++;
    }
    for (i = 0; i < nb; i++) {
        fmpq_init(b[i].Q);
        if (b[i].st->design != NULL)
            dnc_design_q(b[i].Q, b[i].st, p, b[i].param);
        else
            dnc_closed_dnc_q(b[i].Q, p);
        b[i].decision = dnc_closed_lowrank_decide(b[i].Q, p->L);
    }
    return nb;
}

static void lowrank_blocks_clear(lr_block *b, slong nb)
{
    slong i;
    for (i = 0; i < nb; i++)
        fmpq_clear(b[i].Q);
}

/* The structure of a point as certificates name it (format §8): {"name": ..., "r"/"v": ...}. */
static json_t *structure_json(const point_state *pt)
{
    json_t *o = json_pack("{s:s}", "name", pt->st->name);
    if (pt->st->param != NULL)
        json_object_set_new(o, pt->st->param, json_integer(pt->param));
    return o;
}

/* The isolating interval lies in [(L-1)/(2L), 1], where the block polynomial is monotone. */
static int on_decreasing_branch(const dnc_alg_t alg, slong L)
{
    fmpq_t a;
    int ok;
    fmpq_init(a);
    fmpq_set_si(a, L - 1, (ulong) (2 * L));
    ok = fmpq_cmp(alg->lo, a) >= 0 && fmpq_cmp_si(alg->hi, 1) <= 0;
    fmpq_clear(a);
    return ok;
}

/* ---- claims ---- */

static const char *tpl_str(const json_t *tpl, const char *key)
{
    return json_string_value(json_object_get(tpl, key));
}

/* The claim's id: the theorem file's, or kind_a[_b]. Ids are at most 63 characters. */
static void default_id(char *buf, size_t len, const json_t *tpl, const char *a, const char *b)
{
    const char *id = tpl_str(tpl, "id");
    int n = id != NULL ? snprintf(buf, len, "%s", id)
                       : snprintf(buf, len, "%s_%s%s%s", tpl_str(tpl, "kind"), a, b ? "_" : "", b ? b : "");
    if (n < 0 || (size_t) n >= len)
        buf[len - 1] = '\0';
}

/* Under cross-entropy (format §6.1): the stationary scale sigma_2 of a ufm, deep-linear or dnc
 * point ("sigma" at L = 1), as an interval where H changes sign from - to +. */
static int claim_root_ce(ctx *x, const json_t *tpl, point_state *pt, int must)
{
    const char *want = tpl_str(tpl, "scalar");
    const dnc_closed_scalar *s = dnc_closed_get_scalar(pt->c, "sigma_2");
    char id[64], stmt[512], dec[64];
    fmpq_t lo, hi;
    json_t *claim;
    int ok;
    if (s == NULL)
        s = dnc_closed_get_scalar(pt->c, "sigma");
    if (s == NULL || (strcmp(want, "*") != 0 && strcmp(want, s->name) != 0))
        return 0;
    fmpq_init(lo);
    fmpq_init(hi);
    ok = dnc_closed_ce_root_interval(lo, hi, s->value, (dnc_problem_struct *) x->inst->problem, pt->c->structure,
                                     x->prec);
    claim = json_pack("{s:o, s:s, s:{s:o, s:o}}", "structure", structure_json(pt), "block", "sigma", "interval",
                      "lo", dnc_json_fmpq(lo), "hi", dnc_json_fmpq(hi));
    default_id(id, sizeof(id), tpl, pt->name, s->name);
    short_decimal(dec, sizeof(dec), s->value);
    snprintf(stmt, sizeof(stmt), "the stationary scale sigma = %.60s of the %.32s structure under CE is the only zero "
             "of H(sigma) = log P%s - (M-1) log sigma + (M+1) log(e^sigma + K - 1) in the interval, the larger one", dec,
             pt->c->structure, strcmp(pt->c->structure, "dnc") == 0 ? "_F (P_F = P K^L/(K-1)^L)" : "");
    add_claim(x, claim, id, "root", ok, must, stmt, "%s = %s", s->name, dec);
    fmpq_clear(lo);
    fmpq_clear(hi);
    return 1;
}

static void claim_root(ctx *x, const json_t *tpl, point_state *pt, int must)
{
    const char *want = tpl_str(tpl, "scalar");
    lr_block blocks[2];
    slong nb = lowrank_blocks(blocks, pt->st, pt->c, pt->param), j, found = 0, L = x->inst->problem->L;
    if (x->inst->problem->loss == DNC_LOSS_CE)
        found = claim_root_ce(x, tpl, pt, must);
    for (j = 0; j < nb && x->inst->problem->loss != DNC_LOSS_CE; j++) {
        const dnc_closed_scalar *s = dnc_closed_get_scalar(pt->c, blocks[j].scalar);
        json_t *claim;
        char id[64], stmt[640], dec[64];
        int ok;
        if (s == NULL || !s->algebraic || (strcmp(want, "*") != 0 && strcmp(want, s->name) != 0))
            continue;
        found++;
        ok = dnc_alg_check(s->alg) && _dnc_cert_is_rule_poly(s->alg, blocks[j].Q, L) && on_decreasing_branch(s->alg, L);
        claim = json_pack("{s:o, s:s, s:o, s:{s:o, s:o}}", "structure", structure_json(pt), "block", blocks[j].st->name,
                          "polynomial", dnc_json_fmpz_poly(s->alg->poly), "interval", "lo", dnc_json_fmpq(s->alg->lo),
                          "hi", dnc_json_fmpq(s->alg->hi));
        default_id(id, sizeof(id), tpl, pt->name, s->name);
        short_decimal(dec, sizeof(dec), s->value);
        snprintf(stmt, sizeof(stmt), "the optimal scale c = %.60s of the %.8s block of %.32s is the only root of "
                 "den(Q)(1-c)^(L+1)c^(L-1) - num(Q) in the interval", dec, blocks[j].st->name, pt->c->structure);
        add_claim(x, claim, id, "root", ok, must, stmt, "%s = %s", s->name, dec);
    }
    lowrank_blocks_clear(blocks, nb);
    if (found == 0) {
        /* No such root (e.g. a deep-dead DNC family has no c*): nothing to write into the
         * certificate, but the table must show the claim as not applicable. */
        dnc_claim_result *r = add_result(x->res);
        default_id(r->id, sizeof(r->id), tpl, pt->name, want);
        snprintf(r->kind, sizeof(r->kind), "root");
        r->certified = -1;
        r->must_hold = must;
        snprintf(r->summary, sizeof(r->summary), "%s has no algebraic scalar %s (no root to isolate)", pt->name, want);
    }
}

static void claim_alive(ctx *x, const json_t *tpl, point_state *pt, int must)
{
    lr_block blocks[2];
    slong nb = lowrank_blocks(blocks, pt->st, pt->c, pt->param), i;
    for (i = 0; i < nb; i++) {
        char id[64], stmt[512], *q = dnc_rational_get_str(blocks[i].Q);
        json_t *claim = json_pack("{s:o, s:s, s:s}", "structure", structure_json(pt), "block", blocks[i].st->name,
                                  "decision", dnc_alive_name(blocks[i].decision));
        default_id(id, sizeof(id), tpl, pt->name, nb > 1 ? blocks[i].st->name : NULL);
        snprintf(stmt, sizeof(stmt), "%s block: exact comparison of (L-1)^(L-1)/L^(2L) with Q = %.200s%s: %s",
                 blocks[i].st->name, q, strlen(q) > 200 ? "..." : "", dnc_alive_name(blocks[i].decision));
        add_claim(x, claim, id, "alive", 1, must, stmt, "%s", dnc_alive_name(blocks[i].decision));
        flint_free(q);
    }
    lowrank_blocks_clear(blocks, nb);
}

static void claim_loss(ctx *x, const json_t *tpl, point_state *pt, int must)
{
    char id[64], stmt[256], dec[64];
    json_t *claim = json_pack("{s:s, s:o, s:o, s:o}", "point", pt->name,
                              "loss", dnc_json_enclosure(pt->ev->loss, x->digits),
                              "fit", dnc_json_enclosure(pt->ev->fit, x->digits),
                              "reg", dnc_json_enclosure(pt->ev->reg, x->digits));
    default_id(id, sizeof(id), tpl, pt->name, NULL);
    short_decimal(dec, sizeof(dec), pt->ev->loss);
    snprintf(stmt, sizeof(stmt), "every point of the box %s has loss in [lo, hi] (f = %s)", pt->name, dec);
    /* The intervals are the evaluation's endpoints rounded outward: contained by construction. */
    add_claim(x, claim, id, "loss", arb_is_finite(pt->ev->loss), must, stmt, "f = %s", dec);
    remember(x, id, "loss", 0, arb_is_finite(pt->ev->loss), pt->ev->loss);
}

/* The value of the point's structure (format §8), which the checker derives from the
 * problem alone. The producer's value is its closed form; it is certified only when the
 * explicit point's loss overlaps it (the construction attains it). */
static void claim_value(ctx *x, const json_t *tpl, point_state *pt, int must)
{
    json_t *claim;
    char id[64], stmt[256], dec[64];
    int ok = arb_is_finite(pt->c->loss) && arb_overlaps(pt->c->loss, pt->ev->loss);
    claim = json_pack("{s:o, s:o}", "structure", structure_json(pt), "value", dnc_json_enclosure(pt->c->loss, x->digits));
    default_id(id, sizeof(id), tpl, pt->name, NULL);
    short_decimal(dec, sizeof(dec), pt->c->loss);
    snprintf(stmt, sizeof(stmt), "the value of the %s structure on this problem is %s", pt->c->structure, dec);
    add_claim(x, claim, id, "value", ok, must, stmt, "f* = %s", dec);
    /* the DNC value that dnc_not_optimal compares with: dnc (under CE the orthogonal frames),
     * or under CE the DNC-structured value of ufm and deep-linear (format §8.3) */
    remember(x, id, "value", strcmp(pt->c->structure, "dnc") == 0
             || (x->inst->problem->loss == DNC_LOSS_CE && (strcmp(pt->c->structure, "ufm") == 0
                                                           || strcmp(pt->c->structure, "deep-linear") == 0)),
             ok, pt->c->loss);   /* under CE dnc is the orthogonal-frame family (§8.3) */
}

static int kink_cmp(const void *a, const void *b)
{
    const dnc_kink *p = a, *q = b;
    if (p->layer != q->layer)
        return p->layer < q->layer ? -1 : 1;
    if (p->row != q->row)
        return p->row < q->row ? -1 : 1;
    return (p->col > q->col) - (p->col < q->col);
}

static void claim_stationarity(ctx *x, const json_t *tpl, point_state *pt, int must)
{
    json_t *kinks = json_array(), *claim, *e = json_object_get(tpl, "max_radius_log2");
    slong E = e ? (slong) json_integer_value(e) : -(3 * x->prec) / 4, i;
    double rad = dnc_beval_grad_max_radius(pt->ev);
    char id[64], stmt[256];
    int ok = dnc_beval_grad_contains_zero(pt->ev) && rad <= ldexp(1.0, (int) E);
    if (pt->ev->nkinks > 1)
        qsort(pt->ev->kinks, pt->ev->nkinks, sizeof(dnc_kink), kink_cmp);
    for (i = 0; i < pt->ev->nkinks; i++)
        json_array_append_new(kinks, json_pack("[I, I, I]", (json_int_t) pt->ev->kinks[i].layer,
                                               (json_int_t) pt->ev->kinks[i].row, (json_int_t) pt->ev->kinks[i].col));
    claim = json_pack("{s:s, s:I, s:o}", "point", pt->name, "max_radius_log2", (json_int_t) E, "kinks", kinks);
    default_id(id, sizeof(id), tpl, pt->name, NULL);
    snprintf(stmt, sizeof(stmt), "0 lies in the Clarke gradient enclosure at %s; every entry's radius <= 2^%ld; %ld kinks",
             pt->name, (long) E, (long) pt->ev->nkinks);
    add_claim(x, claim, id, "stationarity", ok, must, stmt, "%s (%ld kinks, radius %.1e)",
              ok ? "0 in gradient" : "0 not in gradient", (long) pt->ev->nkinks, rad);
}

/* Format §6.12 on the structure's explicit point (ball entries, exact zeros where the pattern
 * has them): an interval holding the norm of every element of the chain-rule generalised
 * gradient on the box, from the ball gradient with slopes [0, 1] at the kinks. lo > 0 proves
 * that no point of the box is a critical point (docs/theorems.md: SRG and STS). */
static void claim_gradient_norm(ctx *x, const json_t *tpl, point_state *pt, int must)
{
    json_t *claim, *iv;
    char id[64], stmt[320], dec[64];
    int lo_pos;
    arb_t r;
    arb_init(r);
    _dnc_cert_beval_grad_norm(r, pt->ev, x->prec);
    lo_pos = arb_is_positive(r);
    if (!lo_pos) {
        /* at a stationary point (DNC) the norm is all rounding: [0, hi] with hi of the order of
         * the gradient's radii, which a checker's other evaluation order makes up to 1.5 times
         * larger (measured at every DNC point of theorems/small-k-low-rank.json); claim 4 hi */
        arf_t z, h;
        arf_init(z);
        arf_init(h);
        arb_get_ubound_arf(h, r, x->prec);
        arf_mul_2exp_si(h, h, 2);
        arb_set_interval_arf(r, z, h, x->prec);
        arf_clear(z);
        arf_clear(h);
    }
    iv = dnc_json_enclosure(r, x->digits);
    if (!lo_pos)
        json_object_set_new(iv, "lo", json_string("0"));
    claim = json_pack("{s:s, s:s, s:o}", "point", pt->name, "method", "arb", "norm", iv);
    default_id(id, sizeof(id), tpl, pt->name, NULL);
    short_decimal(dec, sizeof(dec), r);
    snprintf(stmt, sizeof(stmt), "every element of the chain-rule generalised gradient at every point of the box %s has "
             "norm in [lo, hi] (|grad f| = %s)%s", pt->name, dec,
             lo_pos ? "; lo > 0: no point of the box is a critical point" : "");
    add_claim(x, claim, id, "gradient_norm", arb_is_finite(r), must, stmt, "|grad f| = %s%s", dec,
              lo_pos ? " (not critical)" : "");
    arb_clear(r);
}

static json_t *ref_json(const known_claim *k)
{
    return json_pack("{s:s}", k->kind, k->id);
}

/* order, dnc_not_optimal (a loss claim below the dnc value claim) and ratio. */
static int claim_compare(ctx *x, const json_t *tpl, int must, const char *kind, char *err, size_t len)
{
    int ratio = strcmp(kind, "ratio") == 0, dno = strcmp(kind, "dnc_not_optimal") == 0, ok;
    const char *a = tpl_str(tpl, ratio ? "numerator" : "lower"), *b = tpl_str(tpl, ratio ? "denominator" : "higher");
    known_claim *ka = find_known(x, a), *kb = find_known(x, b);
    char id[64], stmt[256], dec[64] = "";
    json_t *claim;
    arb_t r;
    if (ka == NULL || kb == NULL)
        return dnc_fail(err, len, "claim %s: refers to a claim id that is not defined before it (%s, %s)", kind, a, b);
    if (dno && (strcmp(ka->kind, "loss") != 0 || strcmp(kb->kind, "value") != 0 || !kb->is_dnc))
        return dnc_fail(err, len, "claim dnc_not_optimal: needs a loss claim below the value claim of a dnc point "
                        "(under loss ce: of a dnc, ufm or deep-linear point)");
    default_id(id, sizeof(id), tpl, a, b);
    if (!ratio) {
        ok = ka->certified && kb->certified && arb_lt(ka->x, kb->x);
        claim = json_pack("{s:o, s:o}", "lower", ref_json(ka), "higher", ref_json(kb));
        snprintf(stmt, sizeof(stmt), dno ? "the loss of %s is strictly below the DNC value %s, so no DNC point is a "
                 "global minimiser" : "%s < %s strictly (disjoint enclosures)", a, b);
        add_claim(x, claim, id, kind, ok, must, stmt, "%s", ok ? "<" : "not proven");
        return 0;
    }
    arb_init(r);
    arb_div(r, ka->x, kb->x, x->prec);
    ok = ka->certified && kb->certified && arb_is_finite(r);
    short_decimal(dec, sizeof(dec), r);
    claim = json_pack("{s:o, s:o, s:o}", "numerator", ref_json(ka), "denominator", ref_json(kb), "ratio",
                      dnc_json_enclosure(r, x->digits));
    snprintf(stmt, sizeof(stmt), "%s / %s = %s", a, b, dec);
    add_claim(x, claim, id, kind, ok, must, stmt, "%s", dec);
    arb_clear(r);
    return 0;
}

/* ---- structure facts on the exact patterns ---- */

/* One structure fact at one layer. */
static void structure_fact(ctx *x, const json_t *tpl, point_state *pt, int must, const char *fact,
                           slong layer, slong rank)
{
    char id[64], stmt[256], lname[16];
    json_t *claim, *named = json_pack("{s:s}", "kind", fact);   /* default id: fact_point_Ll */
    int ok = dnc_closed_pattern_fact(pt->c, fact, layer, rank);
    snprintf(lname, sizeof(lname), "L%ld", (long) layer);
    default_id(id, sizeof(id), json_object_get(tpl, "id") && strcmp(tpl_str(tpl, "layer"), "all") ? tpl : named,
               pt->name, lname);
    json_decref(named);
    claim = json_pack("{s:s, s:s, s:I}", "point", pt->name, "fact", fact, "layer", (json_int_t) layer);
    if (rank >= 0)
        json_object_set_new(claim, "rank", json_integer(rank));
    snprintf(stmt, sizeof(stmt), "exact fact %s at layer %ld of %s%s", fact, (long) layer, pt->name,
             rank >= 0 ? " (rank given)" : "");
    add_claim(x, claim, id, "structure", ok, must, stmt, "%s L%ld%s", fact, (long) layer, ok ? "" : " not proven");
}

/* Evaluates the expression of field `name` into v (or, with v NULL, the condition into
 * *truth); an error names the field. */
static int named_eval(dnc_value *v, int *truth, const char *name, const char *text, const dnc_env *env,
                      char *err, size_t len)
{
    char msg[512];
    if ((v != NULL ? dnc_expr_eval(v, text, env, msg, sizeof(msg)) : dnc_expr_truth(truth, text, env, msg, sizeof(msg))) == 0)
        return 0;
    return dnc_fail(err, len, "%s: %s", name, msg);
}

/* An integer field of a claim template: its expression must evaluate to an integer in
 * [lo, hi] (a fraction or a huge number is an error, not truncated). */
static int int_eval(slong *out, const ctx *x, const char *name, const char *text, slong lo, slong hi, char *err,
                    size_t len)
{
    dnc_value v;
    int r = 0;
    dnc_value_init(&v);
    if (named_eval(&v, NULL, name, text, &x->env, err, len) != 0)
        r = -1;
    else if (!fmpz_is_one(fmpq_denref(v.q)) || fmpz_cmp_si(fmpq_numref(v.q), lo) < 0
             || fmpz_cmp_si(fmpq_numref(v.q), hi) > 0)
        r = dnc_fail(err, len, "%s: '%.60s' must be an integer in [%ld, %ld]", name, text, (long) lo, (long) hi);
    else
        *out = fmpz_get_si(fmpq_numref(v.q));
    dnc_value_clear(&v);
    return r;
}

/* "layer" is an expression, or "all": every layer where the fact is defined (1..L for
 * gram_diagonal and collapsed, 2..L for facts about pre-activations). */
static int claim_structure(ctx *x, const json_t *tpl, point_state *pt, int must, char *err, size_t len)
{
    const char *fact = tpl_str(tpl, "fact"), *layer_text = tpl_str(tpl, "layer");
    slong L = x->inst->problem->L, rank = -1, l, first;
    if (tpl_str(tpl, "rank") != NULL && int_eval(&rank, x, "rank", tpl_str(tpl, "rank"), 0, DNC_MAX_WIDTH, err, len))
        return -1;
    if (strcmp(layer_text, "all") == 0) {
        first = strcmp(fact, "gram_diagonal") == 0 || strcmp(fact, "collapsed") == 0 ? 1 : 2;
        for (l = first; l <= L; l++)
            structure_fact(x, tpl, pt, must, fact, l, rank);
    } else if (int_eval(&l, x, "layer", layer_text, 1, L, err, len) != 0)
        return -1;
    else
        structure_fact(x, tpl, pt, must, fact, l, rank);
    return 0;
}

/* ---- the instance ---- */

static int eval_must_hold(ctx *x, const json_t *tpl, int *must, char *err, size_t len)
{
    const json_t *m = json_object_get(tpl, "must_hold");
    if (m == NULL || json_is_true(m))
        return *must = 1, 0;
    if (json_is_false(m))
        return *must = 0, 0;
    return named_eval(NULL, must, "must_hold", json_string_value(m), &x->env, err, len);
}

static int do_claim(ctx *x, const json_t *tpl, char *err, size_t len)
{
    const char *kind = tpl_str(tpl, "kind"), *pname = tpl_str(tpl, "point");
    point_state *pt = pname ? find_point(x, pname) : NULL;
    int must;
    if (eval_must_hold(x, tpl, &must, err, len) != 0)
        return -1;
    if (pname != NULL && pt == NULL) {
        snprintf(err, len, "claim %s: no point named '%s'", kind, pname);
        return -1;
    }
    if (strcmp(kind, "root") == 0)
        claim_root(x, tpl, pt, must);
    else if (strcmp(kind, "alive") == 0)
        claim_alive(x, tpl, pt, must);
    else if (strcmp(kind, "loss") == 0)
        claim_loss(x, tpl, pt, must);
    else if (strcmp(kind, "value") == 0)
        claim_value(x, tpl, pt, must);
    else if (strcmp(kind, "stationarity") == 0)
        claim_stationarity(x, tpl, pt, must);
    else if (strcmp(kind, "gradient_norm") == 0)
        claim_gradient_norm(x, tpl, pt, must);
    else if (strcmp(kind, "structure") == 0)
        return claim_structure(x, tpl, pt, must, err, len);
    else
        return claim_compare(x, tpl, must, kind, err, len);
    return 0;
}

/* Builds point i of the part; sets alive_/dead_/tie_<name> for must_hold conditions. */
static int build_point(ctx *x, const json_t *spec, point_state *pt, char *err, size_t len)
{
    const char *structure = tpl_str(spec, "structure");
    const dnc_structure *st = dnc_structure_find(structure);
    const char *pexpr = st != NULL && st->param != NULL ? tpl_str(spec, st->param) : NULL;
    slong param = 0;
    char var[48], msg[512] = "";
    if (st == NULL) {   /* the theorem reader admits only registered names */
        snprintf(err, len, "point %s: unknown structure '%s'", pt->name, structure);
        return -1;
    }
    if (pexpr != NULL) {
        dnc_value v;
        dnc_value_init(&v);
        if (named_eval(&v, NULL, st->param, pexpr, &x->env, msg, sizeof(msg)) != 0
            || !fmpz_is_one(fmpq_denref(v.q)) || !fmpz_fits_si(fmpq_numref(v.q))) {
            dnc_value_clear(&v);
            snprintf(err, len, "point %s: %s must be an integer expression%s%s", pt->name, st->param,
                     msg[0] ? ": " : "", msg);
            return -1;
        }
        param = fmpz_get_si(fmpq_numref(v.q));
        dnc_value_clear(&v);
    }
    pt->st = st;
    pt->param = param;
    pt->built = 1;
    if (dnc_closed_build(pt->c, structure, (dnc_problem_struct *) x->inst->problem, param,
                         json_is_true(json_object_get(spec, "embed")), x->prec, msg, sizeof(msg)) != 0) {
        snprintf(err, len, "point %s (%s): %s", pt->name, structure, msg);
        return -1;
    }
    dnc_beval_init(pt->ev);
    pt->has_ev = 1;
    dnc_ball_eval(pt->ev, pt->c->point, 1, x->prec);
    snprintf(var, sizeof(var), "alive_%s", pt->name);
    dnc_env_set_si(&x->env, var, pt->c->alive == DNC_ALIVE);
    snprintf(var, sizeof(var), "dead_%s", pt->name);
    dnc_env_set_si(&x->env, var, pt->c->alive == DNC_DEAD);
    snprintf(var, sizeof(var), "tie_%s", pt->name);
    dnc_env_set_si(&x->env, var, pt->c->alive == DNC_TIE);
    return 0;
}

static json_t *producer_json(const dnc_instance *inst)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "program", "dncert", "version", DNCERT_VERSION,
                     "theorem", inst->thm->id, "instance", inst->id, "source", inst->thm->source);
}

int dnc_certify_instance(dnc_cert_result *r, const dnc_instance *inst, slong prec, char *err, size_t errlen)
{
    const json_t *specs = json_object_get(inst->part, "points"), *tpls = json_object_get(inst->part, "claims");
    double t0 = dnc_seconds_now();
    ctx x;
    json_t *points = json_object();
    slong i;
    int status = 0;
    memset(&x, 0, sizeof(x));
    x.inst = inst;
    x.prec = prec;
    x.digits = dnc_cert_claim_digits(prec);
    x.res = r;
    x.claims = json_array();
    x.npts = (slong) json_array_size(specs);
    x.pts = flint_calloc(x.npts > 0 ? x.npts : 1, sizeof(point_state));
    dnc_env_init(&x.env);
    for (i = 0; i < inst->env.n; i++)
        dnc_env_set(&x.env, inst->env.name[i], inst->env.val + i);
    for (i = 0; i < x.npts && status == 0; i++) {
        point_state *pt = x.pts + i;
        snprintf(pt->name, sizeof(pt->name), "%s", json_string_value(json_object_get(json_array_get(specs, i), "name")));
        status = build_point(&x, json_array_get(specs, i), pt, err, errlen);
        if (status == 0)
            json_object_set_new(points, pt->name, dnc_cert_point_json(pt->c, dnc_cert_digits(prec)));
    }
    for (i = 0; i < (slong) json_array_size(tpls) && status == 0; i++) {
        char msg[512];
        if ((status = do_claim(&x, json_array_get(tpls, i), msg, sizeof(msg))) != 0)
            dnc_fail(err, errlen, "claims[%ld]: %s", (long) i, msg);
    }
    if (status == 0)
        r->cert = json_pack("{s:s, s:i, s:o, s:I, s:o, s:O, s:O}", "format", DNC_CERT_FORMAT,
                            "version", DNC_CERT_VERSION, "producer", producer_json(inst), "precision",
                            (json_int_t) prec, "problem", dnc_problem_to_json(inst->problem),
                            "points", points, "claims", x.claims);
    for (i = 0; i < x.npts; i++)
        if (x.pts[i].built) {
            dnc_closed_clear(x.pts[i].c);
            if (x.pts[i].has_ev)
                dnc_beval_clear(x.pts[i].ev);
        }
    for (i = 0; i < x.nknown; i++)
        arb_clear(x.known[i].x);
    flint_free(x.known);
    flint_free(x.pts);
    json_decref(points);
    json_decref(x.claims);
    dnc_env_clear(&x.env);
    r->seconds = dnc_seconds_now() - t0;
    return status;
}
