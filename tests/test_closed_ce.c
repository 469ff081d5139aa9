/* Cross-entropy closed forms (docs/math/cross-entropy.md) and the loss as part of the problem.
 *
 * Reference values: tests/data/ce/ce_refs.json, written by tests/data/ce/gen_ce.py, which
 * shares no code with dncert: mpmath (60 digits) finds every root of the spec's stationarity
 * equation 1/(e^s + K - 1) = c s^{-(M-1)/(M+1)} by a sign-change scan of [1e-30, 200] and
 * mpmath.findroot, takes the least of phi over the roots and s = 0, and minimises the full CE
 * objective of the explicit ETF-structured matrices over its M + 1 scales (findroot on the
 * numerical gradient). The cases lie on both sides of the boundary where the zero point
 * (log K) becomes optimal, including "roots exist but lose" and "no roots". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "dncert/closed.h"
#include "dncert/io.h"
#include "testutil.h"

#define PREC 256
#define REFS DNCERT_SOURCE_DIR "/tests/data/ce/ce_refs.json"

/* The CE problem of a reference case: widths K, linear activations, no bias. */
static void ce_problem(dnc_problem_t p, slong K, slong n, slong M, const char *lambda)
{
    char k[24], nn[24], m[24], err[512];
    dnc_problem_args a;
    memset(&a, 0, sizeof(a));
    snprintf(k, sizeof(k), "%ld", (long) K);
    snprintf(nn, sizeof(nn), "%ld", (long) n);
    snprintf(m, sizeof(m), "%ld", (long) M);
    a.K = k; a.n = nn; a.L = m; a.width = k; a.activation = "linear"; a.lambda = lambda; a.loss = "ce";
    dnc_problem_init(p);
    cr_assert_eq(dnc_problem_set_args(p, &a, err, sizeof(err)), 0, "%s", err);
}

/* x contains the decimal reference text, known to about `digits` digits. */
static int contains_ref(const arb_t x, const char *text, slong digits)
{
    arb_t r;
    int ok;
    arb_init(r);
    cr_assert_eq(tu_ref_ball(r, text, digits, PREC), 0, "not a number: %s", text);
    ok = arb_overlaps(x, r);
    arb_clear(r);
    return ok;
}

static json_t *load_refs(void)
{
    json_error_t je;
    json_t *o = json_load_file(REFS, 0, &je);
    cr_assert_not_null(o, "%s: %s", REFS, je.text);
    cr_assert_gt(json_array_size(json_object_get(o, "cases")), 10);
    return o;
}

static const char *str(const json_t *c, const char *key)
{
    return json_string_value(json_object_get(c, key));
}

/* One reference case against the certified construction. */
static void check_case(const json_t *c)
{
    slong K = json_integer_value(json_object_get(c, "K")), n = json_integer_value(json_object_get(c, "n"));
    slong M = json_integer_value(json_object_get(c, "M"));
    const json_t *roots = json_object_get(c, "roots");
    dnc_problem_t p;
    dnc_closed_t cl;
    char err[512] = "", what[128];
    const dnc_closed_scalar *s;
    snprintf(what, sizeof(what), "K=%ld n=%ld M=%ld lambda=%s", (long) K, (long) n, (long) M, str(c, "lambda"));
    ce_problem(p, K, n, M, str(c, "lambda"));
    cr_assert_eq(dnc_closed_build(cl, M == 1 ? "ufm" : "deep-linear", p, 0, 0, PREC, err, sizeof(err)), 0, "%s: %s",
                 what, err);
    cr_assert_str_eq(dnc_alive_name(cl->alive), str(c, "alive"), "%s", what);
    cr_assert(tu_rad_below(cl->loss, -(PREC - 60)), "%s: loss not tight", what);
    cr_assert(contains_ref(cl->loss, str(c, "value"), 48), "%s: value", what);
    if (json_object_get(c, "explicit_min") != NULL && cl->alive == DNC_ALIVE)
        cr_assert(contains_ref(cl->loss, str(c, "explicit_min"), 35), "%s: explicit minimum", what);
    if (M >= 2 && json_array_size(roots) == 2) {   /* every root, each in its isolating interval */
        cr_assert(contains_ref(dnc_closed_get_scalar(cl, "sigma_1")->value, json_string_value(json_array_get(roots, 0)), 48),
                  "%s: sigma_1", what);
        cr_assert(contains_ref(dnc_closed_get_scalar(cl, "sigma_2")->value, json_string_value(json_array_get(roots, 1)), 48),
                  "%s: sigma_2", what);
    } else if (M >= 2)
        cr_assert_null(dnc_closed_get_scalar(cl, "sigma_1"), "%s: a root where mpmath finds none", what);
    if (cl->alive == DNC_DEAD && json_object_get(c, "phi_local_min") != NULL)
        cr_assert(contains_ref(dnc_closed_get_scalar(cl, "f_nonzero")->value, str(c, "phi_local_min"), 48), "%s", what);
    if ((s = dnc_closed_get_scalar(cl, "sigma")) != NULL && json_object_get(c, "sigma_formula") != NULL)
        cr_assert(contains_ref(s->value, str(c, "sigma_formula"), 48), "%s: sigma", what);
    cr_assert(dnc_closed_crosscheck(cl, PREC), "%s: explicit point", what);
    dnc_closed_clear(cl);
    dnc_problem_clear(p);
}

Test(closed_ce, mpmath_references)
{
    json_t *refs = load_refs(), *c;
    size_t i;
    json_array_foreach(json_object_get(refs, "cases"), i, c)
        check_case(c);
    json_decref(refs);
}

/* The references cover both decisions for the plain and the deep model, and the deep
 * model's three regimes (alive, roots that lose, no roots). */
Test(closed_ce, references_cover_both_sides)
{
    json_t *refs = load_refs(), *c;
    size_t i;
    int seen[2][4] = { { 0 } };   /* [deep][alive, dead with roots, dead without, tie] */
    json_array_foreach(json_object_get(refs, "cases"), i, c) {
        int deep = json_integer_value(json_object_get(c, "M")) > 1;
        const char *a = str(c, "alive");
        int k = strcmp(a, "alive") == 0 ? 0 : strcmp(a, "tie") == 0 ? 3
              : json_array_size(json_object_get(c, "roots")) > 0 ? 1 : 2;
        seen[deep][k]++;
    }
    cr_assert(seen[0][0] && seen[0][2] && seen[0][3]);
    cr_assert(seen[1][0] && seen[1][1] && seen[1][2]);
    json_decref(refs);
}

/* The CE objective of the explicit point, evaluated in balls from its matrices, equals the
 * closed-form value; and at the zero point it is log K exactly enclosed. */
Test(closed_ce, explicit_point_matches)
{
    dnc_problem_t p;
    dnc_closed_t c;
    arb_t f, logk;
    char err[512] = "";
    arb_init(f);
    arb_init(logk);
    ce_problem(p, 4, 3, 3, "1/20");
    cr_assert_eq(dnc_closed_deep_linear_ce(c, p, PREC, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(c->alive, DNC_ALIVE);
    cr_assert(dnc_closed_point_loss(f, c, PREC));
    cr_assert(arb_overlaps(f, c->loss));
    cr_assert(tu_rad_below(f, -(PREC - 60)));
    arb_log_ui(logk, 4, PREC);
    cr_assert(arb_lt(f, logk));
    dnc_closed_clear(c);
    dnc_problem_clear(p);
    ce_problem(p, 4, 5, 3, "1/5");   /* dead: the zero point */
    cr_assert_eq(dnc_closed_deep_linear_ce(c, p, PREC, err, sizeof(err)), 0, "%s", err);
    cr_assert(dnc_closed_point_loss(f, c, PREC));
    cr_assert(arb_overlaps(f, logk) && arb_overlaps(c->loss, logk));
    dnc_closed_clear(c);
    dnc_problem_clear(p);
    arb_clear(f);
    arb_clear(logk);
}

/* The explicit DNC-structured point is a critical point of the whole CE objective (not only
 * of phi along the family): the ball gradient of the one objective definition contains 0
 * in every entry, tightly -- for the plain UFM, and for deep linear models alive at sigma_2.
 * A wrong CE gradient (softmax, weights, 1/N) or a wrong balance of the scales fails it. */
Test(closed_ce, explicit_point_is_stationary)
{
    static const struct { slong K, n, M; const char *lambda; } cases[] = {
        { 4, 3, 1, "1/20" }, { 3, 2, 1, "1/100" }, { 4, 3, 3, "1/20" }, { 5, 1, 2, "1/50" },
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dnc_problem_t p;
        dnc_closed_t c;
        char err[512] = "";
        ce_problem(p, cases[i].K, cases[i].n, cases[i].M, cases[i].lambda);
        cr_assert_eq(dnc_closed_deep_linear_ce(c, p, PREC, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(c->alive, DNC_ALIVE, "case %zu", i);
        cr_assert(dnc_closed_check_stationary(c, PREC, NULL), "case %zu: K=%ld M=%ld", i, (long) cases[i].K,
                  (long) cases[i].M);
        dnc_closed_clear(c);
        dnc_problem_clear(p);
    }
}

/* ---- ReLU: the orthogonal-frame family (closed-form dnc --loss ce, cross-entropy.md §7) ----
 * References: tests/data/ce/ce_relu_refs.json, written by tests/data/ce/gen_ce_relu.py (mpmath,
 * 60 digits, no code shared with dncert): the value from the note's phi_F by a sign-change scan
 * of phi_F' and findroot, and, independently of that formula, the minimum over its L + 1
 * scales of the CE objective of the explicit ReLU network built as matrices. */

#define RELU_REFS DNCERT_SOURCE_DIR "/tests/data/ce/ce_relu_refs.json"

/* The CE problem of a ReLU reference case: widths K, ReLU activations, the given bias. */
static void relu_problem(dnc_problem_t p, slong K, slong n, slong L, const char *lambda, const char *act,
                         const char *bias)
{
    char k[24], nn[24], m[24], err[512];
    dnc_problem_args a;
    memset(&a, 0, sizeof(a));
    snprintf(k, sizeof(k), "%ld", (long) K);
    snprintf(nn, sizeof(nn), "%ld", (long) n);
    snprintf(m, sizeof(m), "%ld", (long) L);
    a.K = k; a.n = nn; a.L = m; a.width = k; a.activation = act; a.lambda = lambda; a.loss = "ce"; a.bias = bias;
    dnc_problem_init(p);
    cr_assert_eq(dnc_problem_set_args(p, &a, err, sizeof(err)), 0, "%s", err);
}

static void check_relu_case(const json_t *c, const char *bias)
{
    slong K = json_integer_value(json_object_get(c, "K")), n = json_integer_value(json_object_get(c, "n"));
    slong L = json_integer_value(json_object_get(c, "L"));
    const json_t *roots = json_object_get(c, "roots");
    dnc_problem_t p;
    dnc_closed_t cl;
    char err[512] = "", what[160];
    slong nk;
    snprintf(what, sizeof(what), "K=%ld n=%ld L=%ld lambda=%s bias %s", (long) K, (long) n, (long) L,
             str(c, "lambda"), bias);
    relu_problem(p, K, n, L, str(c, "lambda"), "relu", bias);
    cr_assert_eq(dnc_closed_build(cl, "dnc", p, 0, 0, PREC, err, sizeof(err)), 0, "%s: %s", what, err);
    cr_assert_str_eq(cl->structure, "dnc");
    cr_assert_str_eq(dnc_alive_name(cl->alive), str(c, "alive"), "%s", what);
    cr_assert(tu_rad_below(cl->loss, -(PREC - 60)), "%s: loss not tight", what);
    cr_assert(contains_ref(cl->loss, str(c, "value"), 48), "%s: value", what);
    if (json_array_size(roots) == 2) {
        cr_assert(contains_ref(dnc_closed_get_scalar(cl, "sigma_1")->value, json_string_value(json_array_get(roots, 0)),
                               48), "%s: sigma_1", what);
        cr_assert(contains_ref(dnc_closed_get_scalar(cl, "sigma_2")->value, json_string_value(json_array_get(roots, 1)),
                               48), "%s: sigma_2", what);
    } else
        cr_assert_null(dnc_closed_get_scalar(cl, "sigma_1"), "%s: a root where mpmath finds none", what);
    if (cl->alive == DNC_ALIVE)
        cr_assert(contains_ref(cl->loss, str(c, "explicit_min"), 35), "%s: explicit minimum", what);
    else if (json_object_get(c, "phi_local_min") != NULL)
        cr_assert(contains_ref(dnc_closed_get_scalar(cl, "f_nonzero")->value, str(c, "phi_local_min"), 48), "%s", what);
    cr_assert(dnc_closed_crosscheck(cl, PREC), "%s: explicit point", what);
    cr_assert(dnc_closed_check_critical(cl, PREC, &nk), "%s: critical point", what);
    if (cl->alive == DNC_ALIVE)   /* off-diagonal and padding pre-activations of layers 2..L: exact zeros */
        cr_assert_eq(nk, (L - 1) * (K * K - K), "%s: kinks", what);
    dnc_closed_clear(cl);
    dnc_problem_clear(p);
}

Test(closed_ce, relu_mpmath_references)
{
    json_error_t je;
    json_t *refs = json_load_file(RELU_REFS, 0, &je), *c;
    size_t i;
    int seen[3] = { 0, 0, 0 };   /* alive, dead with roots, dead without */
    cr_assert_not_null(refs, "%s: %s", RELU_REFS, je.text);
    json_array_foreach(json_object_get(refs, "cases"), i, c) {
        check_relu_case(c, "none");
        seen[strcmp(str(c, "alive"), "alive") == 0 ? 0 : json_array_size(json_object_get(c, "roots")) ? 1 : 2]++;
    }
    cr_assert(seen[0] && seen[1] && seen[2]);
    /* a free last-layer bias changes nothing (cross-entropy.md §8): same references */
    check_relu_case(json_array_get(json_object_get(refs, "cases"), 0), "free");
    check_relu_case(json_array_get(json_object_get(refs, "cases"), 6), "free");
    json_decref(refs);
}

/* The frame point's kinks carry the signal q s_L/K (cross-entropy.md §7): the tight check of
 * the MSE forms fails there, while the critical-point check (0 in the Clarke enclosure, and
 * grad f_0 = 0 with every kink inactive) holds when sigma_{L-1} is ReLU. With a linear
 * sigma_{L-1} the point is not critical: an off-diagonal entry of W_{L-1} has a gradient
 * proven non-zero (the value is the same: the family's best member). */
Test(closed_ce, relu_point_critical_iff_relu_before_last)
{
    static const char *acts[] = { "relu", "linear,relu", "relu,linear", "linear" };
    static const int critical[] = { 1, 1, 0, 0 };
    size_t i;
    arb_t v0;
    arb_init(v0);
    for (i = 0; i < 4; i++) {
        dnc_problem_t p;
        dnc_closed_t c;
        dnc_beval_t e;
        char err[512] = "";
        relu_problem(p, 3, 2, 3, "1/50", acts[i], "none");
        cr_assert_eq(dnc_closed_dnc_ce(c, p, PREC, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(c->alive, DNC_ALIVE);
        if (i == 0)
            arb_set(v0, c->loss);
        cr_assert(arb_overlaps(c->loss, v0) && contains_ref(c->loss, "0.29370741376453481655885956643112", 30),
                  "%s", acts[i]);   /* gen_ce_relu.py: (3, 2, 3, 1/50) */
        cr_assert_eq(dnc_closed_check_critical(c, PREC, NULL), critical[i], "%s", acts[i]);
        if (i == 0)
            cr_assert(!dnc_closed_check_stationary(c, PREC, NULL), "the kink signal should make it loose");
        dnc_beval_init(e);
        dnc_ball_eval(e, c->point, 1, PREC);
        /* W_2[0, 1]: the entry feeding the off-diagonal (0, 1) of the layer-3 pre-activation */
        cr_assert_eq(arb_contains_zero(arb_mat_entry(e->grad->W + 1, 0, 1)), critical[i], "%s", acts[i]);
        dnc_beval_clear(e);
        dnc_closed_clear(c);
        dnc_problem_clear(p);
    }
    arb_clear(v0);
}

/* A free bias does not change the CE values of the linear forms either, and the point (with
 * b = 0) stays critical (cross-entropy.md §8); references ce_refs.json (gen_ce.py). */
Test(closed_ce, free_bias_same_value)
{
    json_t *refs = load_refs(), *c;
    size_t i;
    json_array_foreach(json_object_get(refs, "cases"), i, c) {
        slong K = json_integer_value(json_object_get(c, "K")), M = json_integer_value(json_object_get(c, "M"));
        dnc_problem_t p;
        dnc_closed_t cl;
        char err[512] = "";
        if (i % 3 != 0)
            continue;
        relu_problem(p, K, json_integer_value(json_object_get(c, "n")), M, str(c, "lambda"), "linear", "free");
        cr_assert_eq(dnc_closed_build(cl, M == 1 ? "ufm" : "deep-linear", p, 0, 0, PREC, err, sizeof(err)), 0, "%s", err);
        cr_assert(contains_ref(cl->loss, str(c, "value"), 48), "case %zu", i);
        cr_assert(dnc_closed_crosscheck(cl, PREC), "case %zu", i);
        cr_assert(dnc_closed_check_critical(cl, PREC, NULL), "case %zu", i);
        dnc_closed_clear(cl);
        dnc_problem_clear(p);
    }
    json_decref(refs);
}

/* At least 30 proven digits printed, and the loss field of the model carried along. */
Test(closed_ce, cli_prints_proven_value)
{
    static char out[1 << 16], errs[4096];
    const char *args[] = { "closed-form", "deep-linear", "--K", "4", "--n", "3", "--L", "3", "--width", "4",
                           "--lambda", "1/20", "--loss", "ce", NULL };
    json_t *o;
    cr_assert_eq(tu_run(out, errs, sizeof(out), args), 0, "%s", errs);
    o = json_loads(out, 0, NULL);
    cr_assert_not_null(o);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "model"), "loss")), "ce");
    cr_assert(strncmp(json_string_value(json_object_get(json_object_get(o, "loss"), "decimal")),
                      "0.821635539876552149671", 23) == 0);
    cr_assert_geq(strlen(json_string_value(json_object_get(json_object_get(o, "loss"), "decimal"))), 32);
    cr_assert(json_is_true(json_object_get(json_object_get(o, "crosscheck"), "consistent")));
    json_decref(o);
}

/* closed-form dnc --loss ce prints the frame value (ce_relu_refs.json, mpmath) with at least 30
 * proven digits and "stationarity": critical with ReLU (9 kinks: the 4 x 3 pre-activation of
 * layer 2 less its 3 positive entries), not with a linear activation before the last layer. */
Test(closed_ce, cli_prints_relu_form)
{
    static char out[1 << 16], errs[4096];
    const char *relu[] = { "closed-form", "dnc", "--K", "3", "--n", "2", "--L", "2", "--width", "4", "--lambda",
                           "1/50", "--loss", "ce", NULL };
    const char *lin[] = { "closed-form", "dnc", "--K", "3", "--n", "2", "--L", "2", "--width", "4", "--lambda",
                          "1/50", "--loss", "ce", "--activation", "linear", NULL };
    const char *const *cases[] = { relu, lin };
    int i;
    for (i = 0; i < 2; i++) {
        json_t *o, *st;
        const char *d;
        cr_assert_eq(tu_run(out, errs, sizeof(out), cases[i]), 0, "%s", errs);
        o = json_loads(out, 0, NULL);
        cr_assert_not_null(o);
        d = json_string_value(json_object_get(json_object_get(o, "loss"), "decimal"));
        cr_assert(strncmp(d, "0.28498487389704753545224312382687262", 37) == 0, "%s", d);
        cr_assert_geq(strlen(d), 32);
        cr_assert(json_is_true(json_object_get(json_object_get(o, "crosscheck"), "consistent")));
        st = json_object_get(o, "stationarity");
        cr_assert_eq(json_is_true(json_object_get(st, "critical")), i == 0, "%s", out);
        if (i == 0)
            cr_assert_eq(json_integer_value(json_object_get(st, "kinks")), 9);
        json_decref(o);
    }
}

/* ---- the loss as part of the problem ---- */

Test(closed_ce, problem_json_round_trip)
{
    dnc_problem_t p, q, r;
    json_t *o;
    char err[512];
    ce_problem(p, 3, 2, 2, "1/10");
    o = dnc_problem_to_json(p);
    cr_assert_str_eq(json_string_value(json_object_get(o, "loss")), "ce");
    dnc_problem_init(q);
    cr_assert_eq(dnc_problem_from_json(q, o, err, sizeof(err)), 0, "%s", err);
    cr_assert(dnc_problem_equal(p, q));
    json_object_del(o, "loss");   /* a file without the field means mse */
    dnc_problem_init(r);
    cr_assert_eq(dnc_problem_from_json(r, o, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(r->loss, DNC_LOSS_MSE);
    cr_assert(!dnc_problem_equal(p, r));
    json_object_set_new(o, "loss", json_string("hinge"));
    dnc_problem_clear(r);
    dnc_problem_init(r);
    cr_assert_neq(dnc_problem_from_json(r, o, err, sizeof(err)), 0);
    cr_assert(strstr(err, "problem.loss") && strstr(err, "mse") && strstr(err, "ce"), "%s", err);
    json_decref(o);
    dnc_problem_clear(p);
    dnc_problem_clear(q);
    dnc_problem_clear(r);
}

/* Every command that cannot handle CE says so, naming --loss, with exit 2. */
Test(closed_ce, unsupported_commands_refuse)
{
    static char out[1 << 14], errs[4096];
    char dir[256], sw[300];
    const char *dnc[] = { "closed-form", "dnc", "--L", "1", "--loss", "ce", NULL };
    const char *imb[] = { "closed-form", "dnc", "--K", "3", "--n", "2,3,2", "--width", "3", "--loss", "ce", NULL };
    const char *srg[] = { "closed-form", "srg", "--r", "4", "--L", "3", "--loss", "ce", NULL };
    const char *cmp[] = { "closed-form", "ufm", "--L", "1", "--loss", "ce", "--compare", NULL };
    const char *relu[] = { "closed-form", "deep-linear", "--activation", "relu", "--loss", "ce", NULL };
    const char *bad[] = { "closed-form", "ufm", "--L", "1", "--loss", "huber", NULL };
    const char *sweep[] = { "sweep", "--loss", "huber", "--out", sw, NULL };
    const char *const *cases[] = { dnc, imb, srg, cmp, relu, bad, sweep };
    size_t i;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(sw, sizeof(sw), "%s/sweep", dir);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cr_assert_eq(tu_run(out, errs, sizeof(out), cases[i]), 2, "%s %s: %s", cases[i][0], cases[i][1], errs);
        cr_assert(strstr(errs, "--loss") || strstr(errs, "--activation") || strstr(errs, "--L") || strstr(errs, "--n"),
                  "%s", errs);
        cr_assert_str_eq(out, "");
    }
}

/* A CE run directory is refused by refine: never evaluated as MSE. certify takes a CE
 * theorem file (the value of the ufm structure under CE, derived by the checker: format
 * §8.3); metrics and train --init take a CE run directory, and evaluate it under CE. */
Test(closed_ce, ce_files_refused)
{
    static char out[1 << 14], errs[4096];
    char dir[256], run[300], cert[300], thm[300];
    const char *export[] = { "closed-form", "ufm", "--L", "1", "--loss", "ce", "--export", run, NULL };
    const char *metrics[] = { "metrics", run, NULL };
    const char *refine[] = { "refine", run, "--out", cert, NULL };
    const char *init[] = { "train", "--init", run, "--steps", "1", "--quiet", NULL };
    const char *certify[] = { "certify", thm, "--out", cert, NULL };
    const char *const *cases[] = { refine };
    json_t *m;
    size_t i;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/run", dir);
    snprintf(cert, sizeof(cert), "%s/cert", dir);
    snprintf(thm, sizeof(thm), "%s/thm.json", dir);
    cr_assert_eq(tu_run(out, errs, sizeof(out), export), 0, "%s", errs);
    tu_write_file(dir, "thm.json",
                  "{\"format\": \"dncert-theorem\", \"version\": 1, \"id\": \"ce\", \"title\": \"t\", \"source\": \"s\","
                  " \"statement\": \"s\", \"certified\": \"c\", \"not_certified\": \"n\","
                  " \"parts\": [{\"name\": \"ufm\", \"grid\": {\"n\": [5]}, \"problem\": {\"K\": \"2\", \"n\": \"n\","
                  " \"L\": \"1\", \"width\": \"2\", \"activation\": \"relu\", \"bias\": \"none\", \"lambda\": \"1/250\","
                  " \"loss\": \"ce\"}, \"points\": [{\"name\": \"optimum\", \"structure\": \"ufm\"}],"
                  " \"claims\": [{\"kind\": \"value\", \"point\": \"optimum\"}]}]}");
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cr_assert_eq(tu_run(out, errs, sizeof(out), cases[i]), 2, "%s: %s", cases[i][0], errs);
        cr_assert(strstr(errs, "loss") != NULL, "%s: %s", cases[i][0], errs);
    }
    cr_assert_eq(tu_run(out, errs, sizeof(out), certify), 0, "%s%s", out, errs);
    cr_assert(strstr(out, "f* = 0.05109197475108514") != NULL, "%s", out);   /* ce_refs.json, case 0 */
    /* the exported closed-form point (UFM, K = 2, n = 5, 1/250: alive), evaluated under CE:
     * the closed-form value 0.05109197475108513... and a gradient at rounding level */
    cr_assert_eq(tu_run(out, errs, sizeof(out), metrics), 0, "%s", errs);
    m = json_loads(out, 0, NULL);
    cr_assert_not_null(m, "%s", out);
    cr_assert_float_eq(json_real_value(json_object_get(m, "loss")), 0.05109197475108513, 1e-15, "%s", out);
    cr_assert_lt(json_real_value(json_object_get(m, "grad_norm")), 1e-14, "%s", out);
    json_decref(m);
    cr_assert_eq(tu_run(out, errs, sizeof(out), init), 0, "%s", errs);
}

/* An MSE certificate with value claims whose problem is relabelled "loss": "ce" is rejected:
 * the checker derives the CE value of the structure (format §8.3) and evaluates the point
 * under CE, and neither lies in the MSE intervals; "mse" is the same as no field; any other
 * loss names problem.loss. */
Test(closed_ce, verifier_refuses_ce_certificate)
{
    static char out[1 << 16], errs[4096];
    char dir[256], path[300];
    const char *args[] = { path, NULL };
    const char *loss[] = { "ce", "mse", "hinge" };
    json_t *cert;
    size_t i;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/c.json", dir);
    for (i = 0; i < 3; i++) {
        cert = json_load_file(DNCERT_SOURCE_DIR "/certificates/deep-linear/balanced-M1-biasfree.json", 0, NULL);
        cr_assert_not_null(cert);
        json_object_set_new(json_object_get(cert, "problem"), "loss", json_string(loss[i]));
        cr_assert_eq(json_dump_file(cert, path, 0), 0);
        json_decref(cert);
        if (i != 1) {
            cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, errs, sizeof(out), args), 1, "%s", out);
            cr_assert(strstr(out, i == 0 ? "value_optimum value not proven MISMATCH" : "problem.loss")
                      || strstr(errs, i == 0 ? "value_optimum value not proven MISMATCH" : "problem.loss"), "%s%s", out,
                      errs);
        } else
            cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, errs, sizeof(out), args), 0, "%s%s", out, errs);
    }
}
