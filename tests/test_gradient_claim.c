/* gradient_norm claims (docs/certificate-format.md §6.12): certify-point writes them, both
 * checkers re-check them; the checker's fast-double rule (src/verifier/vfast.c) encloses the
 * norm that Arb computes (the library's ball evaluator at 256 bits, an independent method),
 * accounts for every slope in [0, 1] at a kink, and refuses tampered claims. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <criterion/criterion.h>
#include "dncert/cert.h"
#include "dncert/exact.h"
#include "dncert/io.h"
#include "dncert/verify.h"
#include "testutil.h"

#define CAP 200000
static char out[CAP], err[CAP];

/* certify-point RUN --out CERT with the extra arguments (NULL-terminated list of at most 4). */
static void certify(const char *run, const char *cert, const char *a1, const char *a2)
{
    const char *args[] = { "certify-point", run, "--out", cert, "--force", a1, a2, NULL };
    int rc = tu_run(out, err, CAP, args);
    cr_assert_eq(rc, 0, "exit %d: %s\n%s", rc, err, out);
}

/* A fresh directory with theta saved as a run (run <- its path) and cert <- DIR/name. */
static void new_run(char *run, char *cert, const dnc_problem_t p, const double *theta, const char *name)
{
    char dir[256];
    tu_tmpdir(dir, sizeof(dir));
    tu_save_run(run, 300, dir, (dnc_problem_struct *) p, theta);
    snprintf(cert, 300, "%s/%s", dir, name);
}

/* Both checkers on cert: exit status want; with want = 1, claim id must be the mismatch (or,
 * when malformed is set, the file rejected naming it). */
static void check_both(const char *cert, int want, const char *id, int malformed)
{
    const char *args[] = { "verify", cert, NULL }, *vargs[] = { cert, NULL };
    char line[160];
    int k;
    snprintf(line, sizeof(line), "%s gradient_norm not proven MISMATCH", id != NULL ? id : "");
    for (k = 0; k < 2; k++) {
        int rc = k == 0 ? tu_run(out, err, CAP, args) : tu_run_bin(DNCERT_VERIFY_BIN, out, err, CAP, vargs);
        cr_assert_eq(rc, want, "checker %d: exit %d: %s%s", k, rc, out, err);
        if (want && !malformed)
            cr_assert(strstr(out, line) != NULL, "checker %d: %s", k, out);
        if (want && malformed)
            cr_assert(strstr(out, id) != NULL || strstr(err, id) != NULL, "checker %d: %s%s", k, out, err);
    }
}

/* The gradient_norm claim id of the file cert, its interval into lo, hi. */
static void claim_interval(fmpq_t lo, fmpq_t hi, const char *cert, const char *id)
{
    json_t *j = json_load_file(cert, 0, NULL);
    char msg[256];
    cr_assert(j != NULL);
    cr_assert(tu_claim(j, id) != NULL, "no claim %s in %s", id, cert);
    cr_assert_eq(dnc_json_get_interval(lo, hi, json_object_get(tu_claim(j, id), "norm"), "norm", msg, sizeof(msg)), 0,
                 "%s", msg);
    json_decref(j);
}

/* The norm of the gradient of the expanded point theta by Arb at 256 bits (the library's ball
 * evaluator; no kinks expected: its enclosure is then tight). */
static void arb_norm(arb_t r, const dnc_problem_t p, const double *theta)
{
    dnc_bpoint_t x;
    dnc_beval_t e;
    slong b, i, j;
    arb_t t;
    dnc_bpoint_init(x, (dnc_problem_struct *) p);
    dnc_bpoint_set_theta(x, theta);
    dnc_beval_init(e);
    dnc_ball_eval(e, x, 1, 256);
    arb_init(t);
    arb_zero(r);
    for (b = 0; b < p->L + 2; b++) {
        arb_mat_struct *g = dnc_bpoint_block(e->grad, b);
        for (j = 0; j < arb_mat_ncols(g); j++)
            for (i = 0; i < arb_mat_nrows(g); i++)
                arb_addmul(r, arb_mat_entry(g, i, j), arb_mat_entry(g, i, j), 256);
    }
    arb_sqrtpos(r, r, 256);
    arb_clear(t);
    dnc_beval_clear(e);
    dnc_bpoint_clear(x);
}

/* ---- probes: claims added to a certificate, checked in-process ---- */

static void set_norm(json_t *c, const fmpq_t lo, const fmpq_t hi)
{
    char *a = dnc_rational_get_str(lo), *b = dnc_rational_get_str(hi);
    json_object_set_new(c, "norm", json_pack("{s:s, s:s}", "lo", a, "hi", b));
    flint_free(a);
    flint_free(b);
}

/* Adds the claim "probe<i>": a gradient_norm claim of the given method on point with norm in
 * [lo, hi], written "not proven". */
static void add_probe(json_t *cert, int i, const char *point, const char *method, const fmpq_t lo, const fmpq_t hi)
{
    char id[32];
    json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:s}", "point", point, "method", method, "kind", "gradient_norm",
                          "verdict", "not proven", "statement", "a probe of the checker's rule");
    set_norm(c, lo, hi);
    snprintf(id, sizeof(id), "probe%d", i);
    json_object_set_new(c, "id", json_string(id));
    json_array_append_new(json_object_get(cert, "claims"), c);
}


/* x <- a rational, lo (hi) endpoint of the ball r times (1 - f) ((1 + f)). */
static void endpoint(fmpq_t x, const arb_t r, int upper, double f)
{
    arf_t a;
    fmpq_t s;
    arf_init(a);
    fmpq_init(s);
    if (upper)
        arb_get_ubound_arf(a, r, 256);
    else
        arb_get_lbound_arf(a, r, 256);
    arf_get_fmpq(x, a);
    arf_set_d(a, upper ? 1.0 + f : 1.0 - f);   /* exact: f is 0 or a power of 2 above 2^-52 */
    arf_get_fmpq(s, a);
    fmpq_mul(x, x, s);
    fmpq_clear(s);
    arf_clear(a);
}

/* A certificate of theta (certify-point --method fast, claims cleared) for probes. */
static json_t *probe_cert(const dnc_problem_t p, const double *theta)
{
    char run[300], c[300];
    json_t *j;
    new_run(run, c, p, theta, "c.json");
    certify(run, c, "--method", "fast");
    j = json_load_file(c, 0, NULL);
    cr_assert(j != NULL);
    json_array_clear(json_object_get(j, "claims"));
    return j;
}

/* The number of the two probes [A_hi (1 + f), B] and [0, A_lo (1 - f)] that the fast-double
 * rule certifies (A = Arb's norm): 0 when its interval meets Arb's within the factor f. */
static int rule_misses_arb(const dnc_problem_t p, const double *theta, double f)
{
    json_t *cert = probe_cert(p, theta);
    arb_t a;
    fmpq_t lo, hi;
    int n;
    arb_init(a);
    fmpq_init(lo), fmpq_init(hi);
    arb_norm(a, p, theta);
    endpoint(lo, a, 1, f);
    fmpq_set_si(hi, 1000000, 1);
    add_probe(cert, 0, "trained", "fast-double", lo, hi);
    fmpq_zero(lo);
    endpoint(hi, a, 0, f);
    add_probe(cert, 1, "trained", "fast-double", lo, hi);
    n = tu_probes_certified(cert);
    fmpq_clear(lo), fmpq_clear(hi);
    arb_clear(a);
    json_decref(cert);
    return n;
}

/* Random points of every kind the fast tier handles (ReLU, linear and mixed, with and without
 * bias, imbalanced counts, per-layer decays, collapsed columns): the certificate's claim
 * certifies with both checkers, the claim contains Arb's norm, and the checker's rule
 * meets Arb's norm (probes just outside it are refused). */
Test(gradient_claim, certifies_and_encloses_arb_on_every_kind)
{
    size_t c;
    unsigned long seed, st = 11;
    for (c = 0; c < TU_FAST_KINDS; c++) {
        dnc_problem_t p;
        tu_fast_kind_problem(p, c);
        for (seed = 0; seed < 2; seed++) {
            double *theta = tu_random_point(p, &st, seed, 0);   /* no kinks: Arb's norm is tight */
            char run[300], cert[300];
            fmpq_t lo, hi, x;
            arb_t a;
            cr_expect_eq(rule_misses_arb(p, theta, 0.0), 0, "config %zu seed %lu: the rule misses Arb", c, seed);
            if (c == 0 && seed == 0) {   /* the probes see a rule without error terms */
                dncv_test_grad_bound_scale(0.0);
                dncv_test_fast_bound_scale(0.0);
                cr_expect_gt(rule_misses_arb(p, theta, 0.0), 0, "the probes cannot see a missing bound");
                dncv_test_fast_bound_scale(1.0);
                dncv_test_grad_bound_scale(1.0);
            }
            new_run(run, cert, p, theta, "c.json");
            certify(run, cert, "--method", "fast");
            check_both(cert, 0, NULL, 0);
            fmpq_init(lo), fmpq_init(hi), fmpq_init(x);
            arb_init(a);
            claim_interval(lo, hi, cert, "gradient_norm_trained");
            arb_norm(a, p, theta);
            endpoint(x, a, 0, 0.0);
            cr_expect(fmpq_cmp(lo, x) <= 0, "config %zu: the claim's lo is above Arb's norm", c);
            endpoint(x, a, 1, 0.0);
            cr_expect(fmpq_cmp(x, hi) <= 0, "config %zu: the claim's hi is below Arb's norm", c);
            fmpq_clear(lo), fmpq_clear(hi), fmpq_clear(x);
            arb_clear(a);
            free(theta);
        }
        dnc_problem_clear(p);
    }
}

/* The collapsed layout (the checker's multiplicities w_j != 1): --project-collapse of a point
 * whose columns are their class means writes the projected point with dyadic entries, so the
 * fast-double rule applies to it; its interval must meet the arb claim's (Arb at 256 bits). */
Test(gradient_claim, collapsed_layout_weights_columns)
{
    dnc_problem_t p;
    double *theta;
    char run[300], cert[300];
    unsigned long st = 77;
    json_t *cj;
    fmpq_t lo, hi, zero, big, f;
    tu_problem(p, "3", "4,2,3", "3", "5", "relu", "free", "1/100");
    theta = tu_random_point(p, &st, 1, 0);   /* seed 1: every column of a class equal */
    new_run(run, cert, p, theta, "c.json");
    certify(run, cert, "--project-collapse", NULL);
    check_both(cert, 0, NULL, 0);
    fmpq_init(lo), fmpq_init(hi), fmpq_init(zero), fmpq_init(big), fmpq_init(f);
    claim_interval(lo, hi, cert, "gradient_norm_projected");
    cj = json_load_file(cert, 0, NULL);
    fmpq_set_si(big, 1000000, 1);
    fmpq_set_si(f, 1, 1);
    fmpq_div_2exp(f, f, 40);
    fmpq_add_si(f, f, 1);
    fmpq_mul(hi, hi, f);                 /* [hi (1 + 2^-40), B] and [0, lo (1 - 2^-40)]: refused */
    add_probe(cj, 0, "projected", "fast-double", hi, big);
    fmpq_sub_si(f, f, 2);
    fmpq_neg(f, f);
    fmpq_mul(lo, lo, f);
    add_probe(cj, 1, "projected", "fast-double", zero, lo);
    add_probe(cj, 2, "projected", "fast-double", zero, big);   /* and a wide one certified */
    cr_expect_eq(tu_probes_certified(cj), 1);
    json_decref(cj);
    fmpq_clear(lo), fmpq_clear(hi), fmpq_clear(zero), fmpq_clear(big), fmpq_clear(f);
    free(theta);
    dnc_problem_clear(p);
}

/* cert with claim id's field key set to the string v, or (v NULL) its norm interval to
 * [lo, hi]; field "extra" adds an unknown field. */
static void edit(const char *cert, const char *to, const char *id, const char *key, const char *v, const fmpq_t lo,
                 const fmpq_t hi)
{
    json_t *j = json_load_file(cert, 0, NULL), *c = tu_claim(j, id);
    if (v != NULL)
        json_object_set_new(c, key, json_string(v));
    else
        set_norm(c, lo, hi);
    cr_assert_eq(json_dump_file(j, to, JSON_INDENT(1)), 0);
    json_decref(j);
}

/* A trained-size point (auto takes the fast tier): the claims verify; lo > 0 (not a critical
 * point); tampering is refused: hi just below Arb's norm, lo just above it, the method of an
 * Arb claim relabelled fast-double, an unknown method, an unknown field, a negative lo, another
 * point, a point that does not exist. */
Test(gradient_claim, tampering_is_refused)
{
    char run[300], f[300], a[300], bad[300];
    dnc_problem_t p;
    double *theta;
    fmpq_t lo, hi, x;
    arb_t n;
    tu_problem(p, "10", "100", "4", "64", "relu", "none", "1/250");
    theta = tu_fixed_point(p, 12345, 0.3);
    new_run(run, f, p, theta, "fast.json");
    snprintf(a, sizeof(a), "%.280s.arb", f);
    snprintf(bad, sizeof(bad), "%.280s.bad", f);
    certify(run, f, "--project-collapse", NULL);
    cr_assert(strstr(out, "claim gradient_norm, fast-double): not a critical point") != NULL, "%s", out);
    certify(run, a, "--method", "arb");
    check_both(f, 0, NULL, 0);
    check_both(a, 0, NULL, 0);
    fmpq_init(lo), fmpq_init(hi), fmpq_init(x);
    arb_init(n);
    arb_norm(n, p, theta);
    claim_interval(lo, hi, f, "gradient_norm_trained");
    cr_assert(fmpq_sgn(lo) > 0);
    endpoint(x, n, 0, 0x1p-40);          /* hi just below the true norm */
    edit(f, bad, "gradient_norm_trained", NULL, NULL, lo, x);
    check_both(bad, 1, "gradient_norm_trained", 0);
    edit(a, bad, "gradient_norm_trained", NULL, NULL, lo, x);   /* the same for an arb claim */
    check_both(bad, 1, "gradient_norm_trained", 0);
    endpoint(x, n, 1, 0x1p-40);          /* lo just above it */
    edit(f, bad, "gradient_norm_trained", NULL, NULL, x, hi);
    check_both(bad, 1, "gradient_norm_trained", 0);
    edit(a, bad, "gradient_norm_trained", "method", "fast-double", NULL, NULL);   /* Arb's tight interval */
    check_both(bad, 1, "gradient_norm_trained", 0);
    edit(f, bad, "gradient_norm_trained", "method", "double", NULL, NULL);
    check_both(bad, 1, "method", 1);
    edit(f, bad, "gradient_norm_trained", "extra", "1", NULL, NULL);
    check_both(bad, 1, "extra", 1);
    edit(f, bad, "gradient_norm_trained", "point", "nowhere", NULL, NULL);
    check_both(bad, 1, "nowhere", 1);
    edit(f, bad, "gradient_norm_trained", "point", "projected", NULL, NULL);   /* another point's gradient */
    check_both(bad, 1, "gradient_norm_trained", 0);
    fmpq_set_si(x, -1, 1);
    edit(f, bad, "gradient_norm_trained", NULL, NULL, x, hi);
    check_both(bad, 1, "norm", 1);
    fmpq_clear(lo), fmpq_clear(hi), fmpq_clear(x);
    arb_clear(n);
    free(theta);
    dnc_problem_clear(p);
}

/* A kink where the slope matters. K = 2, n = 1, L = 2, widths 1, 1, ReLU, decays 2^-200:
 * H1 = (0, -1), W_1 = 5, W_2 = (3, 1/2)^T. Column 0's pre-activation 5 * 0 is exactly 0: the
 * chain-rule generalised gradient is g(t), t in [0, 1], whose only non-negligible entry is the
 * H1 gradient of column 0, -(1/2) * 5 * 3 t = -7.5 t; so its norms fill [about 2^-198, 7.5 + tiny].
 * The rule's interval is tight here: its midpoint takes t = 1/2 and its error bound is
 * (1/N) ||W_1|| (1/2) |W_2^T s| = 3.75, so it is [0, 7.5 + tiny]. Claims narrower on either
 * side are refused; with the error bound halved (a rule smaller than proven) they would be
 * certified, and the test checks that it sees that. */
Test(gradient_claim, a_kink_spans_every_slope)
{
    double theta[] = { 0.0, -1.0, 5.0, 3.0, 0.5 };
    dnc_problem_t p;
    json_t *cert;
    char run[300], c[300];
    fmpq_t lo, hi, zero, big;
    tu_problem_lambdas(p, "2", "1", "2", "1", "relu", "none", NULL, "0x1p-200", "0x1p-200");
    cert = probe_cert(p, theta);
    fmpq_init(lo), fmpq_init(hi), fmpq_init(zero), fmpq_init(big);
    fmpq_set_si(big, 1000, 1);
    fmpq_set_si(hi, 15, 2);
    fmpq_set_si(lo, 1, 1);
    fmpq_div_2exp(lo, lo, 20);
    fmpq_sub(hi, hi, lo);                /* 7.5 - 2^-20 */
    add_probe(cert, 0, "trained", "fast-double", zero, hi);
    add_probe(cert, 1, "trained", "arb", zero, hi);
    add_probe(cert, 2, "trained", "fast-double", lo, big);   /* lo = 2^-20 > 0 */
    add_probe(cert, 3, "trained", "arb", lo, big);
    cr_expect_eq(tu_probes_certified(cert), 0, "a slope in [0, 1] is left out");
    dncv_test_grad_bound_scale(0.5);
    cr_expect_eq(tu_probes_certified(cert), 2, "the probes cannot see a bound halved");
    dncv_test_grad_bound_scale(1.0);
    json_array_clear(json_object_get(cert, "claims"));
    fmpq_set_si(hi, 15, 2);
    fmpq_add(hi, hi, lo);                /* [0, 7.5 + 2^-20]: certified by both methods */
    add_probe(cert, 0, "trained", "fast-double", zero, hi);
    add_probe(cert, 1, "trained", "arb", zero, hi);
    cr_expect_eq(tu_probes_certified(cert), 2);
    json_decref(cert);
    /* certify-point writes claims that verify, by either method */
    new_run(run, c, p, theta, "c.json");
    certify(run, c, "--method", "fast");
    check_both(c, 0, NULL, 0);
    certify(run, c, "--method", "arb");
    check_both(c, 0, NULL, 0);
    fmpq_clear(lo), fmpq_clear(hi), fmpq_clear(zero), fmpq_clear(big);
    dnc_problem_clear(p);
}

/* --no-gradient: no gradient_norm claim; and the fast-double rule is refused under
 * cross-entropy ("not proven"), while the arb claim certifies there. */
Test(gradient_claim, no_gradient_and_cross_entropy)
{
    char run[300], c[300];
    dnc_problem_t p;
    double *theta;
    json_t *j;
    fmpq_t zero, big;
    size_t i;
    tu_problem(p, "3", "2", "2", "4", "relu", "none", "1/100");
    theta = tu_fixed_point(p, 5, 0.5);
    new_run(run, c, p, theta, "c.json");
    certify(run, c, "--no-gradient", NULL);
    j = json_load_file(c, 0, NULL);
    cr_assert(j != NULL);
    for (i = 0; i < json_array_size(json_object_get(j, "claims")); i++)
        cr_assert_str_neq(json_string_value(json_object_get(json_array_get(json_object_get(j, "claims"), i), "kind")),
                          "gradient_norm");
    json_decref(j);
    dnc_problem_clear(p);
    free(theta);
    tu_problem(p, "3", "2", "2", "4", "relu", "none", "1/100");
    p->loss = DNC_LOSS_CE;
    theta = tu_fixed_point(p, 5, 0.5);
    new_run(run, c, p, theta, "c.json");
    certify(run, c, NULL, NULL);
    check_both(c, 0, NULL, 0);
    j = json_load_file(c, 0, NULL);
    cr_assert_str_eq(json_string_value(json_object_get(tu_claim(j, "gradient_norm_trained"), "method")), "arb");
    json_array_clear(json_object_get(j, "claims"));
    fmpq_init(zero), fmpq_init(big);
    fmpq_set_si(big, 1000000, 1);
    add_probe(j, 0, "trained", "fast-double", zero, big);
    add_probe(j, 1, "trained", "arb", zero, big);
    cr_expect_eq(tu_probes_certified(j), 1, "the fast-double rule is MSE only");
    fmpq_clear(zero), fmpq_clear(big);
    json_decref(j);
    free(theta);
    dnc_problem_clear(p);
}

/* Trained points (dncert train, a few hundred steps: the gradient is far from 0) of the kinds
 * the fast tier handles: ReLU with a free bias and imbalanced counts, identity layers, mixed;
 * --method fast writes a fast-double claim with lo > 0 that both checkers certify, and
 * --project-collapse adds the collapsed point's arb claim. */
Test(gradient_claim, trained_points_certify)
{
    static const char *cf[][6] = {
        { "3", "4,2,3", "3", "8", "relu", "free" },
        { "4", "3", "2", "6", "linear", "none" },
        { "3", "5", "4", "7,5,6,5", "relu,linear,relu", "free" },
    };
    size_t c;
    for (c = 0; c < sizeof(cf) / sizeof(cf[0]); c++) {
        char dir[256], run[300], cert[300];
        fmpq_t lo, hi;
        const char *train[] = { "train", "--K", cf[c][0], "--n", cf[c][1], "--L", cf[c][2], "--width", cf[c][3],
                                "--activation", cf[c][4], "--bias", cf[c][5], "--steps", "300", "--lr", "0.2",
                                "--out", run, "--quiet", NULL };
        tu_tmpdir(dir, sizeof(dir));
        snprintf(run, sizeof(run), "%s/run", dir);
        snprintf(cert, sizeof(cert), "%s/c.json", dir);
        cr_assert_eq(tu_run(out, err, CAP, train), 0, "%s%s", out, err);
        certify(run, cert, "--method", "fast");
        cr_expect(strstr(out, "(claim gradient_norm, fast-double): not a critical point") != NULL, "%s", out);
        check_both(cert, 0, NULL, 0);
        fmpq_init(lo), fmpq_init(hi);
        claim_interval(lo, hi, cert, "gradient_norm_trained");
        cr_expect(fmpq_sgn(lo) > 0, "config %zu: lo is not positive", c);
        certify(run, cert, "--project-collapse", NULL);
        check_both(cert, 0, NULL, 0);
        claim_interval(lo, hi, cert, "gradient_norm_projected");
        fmpq_clear(lo), fmpq_clear(hi);
    }
}

/* Theorem files (docs/theorems.md, small-k-low-rank): the explicit SRG point (r = 3, L = 4,
 * lambda = 1/250, n = 1) is not a critical point -- lo > 0, every element of its chain-rule
 * (hence Clarke) generalised gradient has norm at least lo -- while the DNC point of the same
 * problem is stationary (lo = 0, hi tiny). Why (by hand, docs/math/srg.md §6): an entry of
 * the W_3 gradient pairs an edge with a vertex outside it, its fit part is 0 and only the
 * weight decay -lambda s_3 / 2 of the -1/2 entry remains. Cross-check by another method: an
 * interval back-propagation in double over the exported SRG point, slopes [0, 1] at its
 * kinks, leaves entries of the W_3 gradient at least 1.9e-3 away from 0. Forgeries: a DNC claim
 * with lo > 0, and an SRG claim with hi below lo's certified value, are refused by both. */
Test(gradient_claim, srg_point_is_not_critical)
{
    char dir[256], thm[300], cert[400];
    const char *text =
        "{\"format\": \"dncert-theorem\", \"version\": 1, \"id\": \"t\", \"title\": \"t\", \"source\": \"test\",\n"
        " \"statement\": \"s\", \"certified\": \"c\", \"not_certified\": \"n\",\n"
        " \"parts\": [{\"name\": \"srg\", \"grid\": {\"r\": [3], \"L\": [4]},\n"
        "   \"problem\": {\"K\": \"C(r, 2)\", \"n\": \"1\", \"L\": \"L\", \"width\": \"K\", \"activation\": \"relu\",\n"
        "               \"bias\": \"none\", \"lambda\": \"1/250\"},\n"
        "   \"points\": [{\"name\": \"dnc\", \"structure\": \"dnc\"}, {\"name\": \"srg\", \"structure\": \"srg\", \"r\": \"r\"}],\n"
        "   \"claims\": [{\"kind\": \"gradient_norm\", \"point\": \"srg\"}, {\"kind\": \"gradient_norm\", \"point\": \"dnc\"}]}]}\n";
    fmpq_t lo, hi, q;
    json_t *j;
    tu_tmpdir(dir, sizeof(dir));
    tu_write_file(dir, "t.json", text);
    snprintf(thm, sizeof(thm), "%s/t.json", dir);
    snprintf(cert, sizeof(cert), "%s/out", dir);
    {
        const char *args[] = { "certify", thm, "--out", cert, "--jobs", "1", NULL };
        cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s%s", out, err);
    }
    snprintf(cert, sizeof(cert), "%s/out/t/r3-L4.json", dir);
    check_both(cert, 0, NULL, 0);
    fmpq_init(lo), fmpq_init(hi), fmpq_init(q);
    claim_interval(lo, hi, cert, "gradient_norm_srg");
    fmpq_set_si(q, 1, 1000);   /* the cross-check's margin is 1.9e-3 on one entry alone */
    cr_expect(fmpq_cmp(lo, q) > 0, "lo of the SRG point should exceed 1/1000");
    claim_interval(lo, hi, cert, "gradient_norm_dnc");
    cr_expect(fmpq_is_zero(lo), "the DNC point is stationary: lo = 0");
    fmpq_set_si(q, 1, 1000000);
    cr_expect(fmpq_cmp(hi, q) < 0, "the DNC point's norm bound should be tiny");
    j = json_load_file(cert, 0, NULL);   /* forged: the DNC point not critical */
    json_object_set_new(json_object_get(tu_claim(j, "gradient_norm_dnc"), "norm"), "lo", json_string("1/1000000000000"));
    json_object_set_new(json_object_get(tu_claim(j, "gradient_norm_dnc"), "norm"), "hi", json_string("1"));
    json_object_del(json_object_get(tu_claim(j, "gradient_norm_dnc"), "norm"), "decimal");
    cr_assert_eq(json_dump_file(j, cert, 0), 0);
    json_decref(j);
    check_both(cert, 1, "gradient_norm_dnc", 0);
    claim_interval(lo, hi, cert, "gradient_norm_srg");   /* forged: the SRG norm below its bound */
    j = json_load_file(cert, 0, NULL);
    json_object_set_new(json_object_get(tu_claim(j, "gradient_norm_dnc"), "norm"), "lo", json_string("0"));
    fmpq_div_2exp(q, lo, 1);
    {
        char *s = fmpq_get_str(NULL, 10, q);
        json_object_set_new(json_object_get(tu_claim(j, "gradient_norm_srg"), "norm"), "hi", json_string(s));
        json_object_set_new(json_object_get(tu_claim(j, "gradient_norm_srg"), "norm"), "lo", json_string("0"));
        json_object_del(json_object_get(tu_claim(j, "gradient_norm_srg"), "norm"), "decimal");
        flint_free(s);
    }
    cr_assert_eq(json_dump_file(j, cert, 0), 0);
    json_decref(j);
    check_both(cert, 1, "gradient_norm_srg", 0);
    fmpq_clear(lo), fmpq_clear(hi), fmpq_clear(q);
}
