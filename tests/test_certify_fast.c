/* certify-point --method auto|fast|arb (docs/certify-point.md, "Methods"): which method auto
 * takes, that a fast-double certificate verifies and agrees with Arb, and that both checkers
 * refuse forgeries of the method field, naming the claim (docs/certificate-format.md §6.4.1). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <criterion/criterion.h>
#include "dncert/cert.h"
#include "dncert/io.h"
#include "dncert/verify.h"
#include "testutil.h"

#define CAP 200000
static char out[CAP], err[CAP];

static void certify(const char *run, const char *cert, const char *method)
{
    const char *args[] = { "certify-point", run, "--out", cert, "--force", "--method", method, NULL };
    int rc = tu_run(out, err, CAP, args);
    cr_assert_eq(rc, 0, "exit %d: %s\n%s", rc, err, out);
}

static const char *method_of(const char *cert)
{
    static char m[32];
    json_t *j = json_load_file(cert, 0, NULL), *c;
    cr_assert(j != NULL);
    c = tu_claim(j, "loss_trained");
    snprintf(m, sizeof(m), "%s", json_string_value(json_object_get(c, "method")));
    json_decref(j);
    return m;
}

/* Both checkers: accepted (want 0) or refused with loss_trained named as a MISMATCH (1). */
static void check_both(const char *cert, int want)
{
    const char *args[] = { "verify", cert, NULL }, *vargs[] = { cert, NULL };
    int rc = tu_run(out, err, CAP, args);
    cr_assert_eq(rc, want, "dncert verify exit %d: %s%s", rc, out, err);
    if (want)
        cr_assert(strstr(out, "loss_trained loss not proven MISMATCH") != NULL, "%s", out);
    rc = tu_run_bin(DNCERT_VERIFY_BIN, out, err, CAP, vargs);
    cr_assert_eq(rc, want, "dncert-verify exit %d: %s%s", rc, out, err);
    if (want)
        cr_assert(strstr(out, "loss_trained loss not proven MISMATCH") != NULL, "%s", out);
}

/* cert with the loss claim's field key set to the string v (or interval copied from src). */
static void edit(const char *cert, const char *to, const char *key, const char *v, const char *src)
{
    json_t *j = json_load_file(cert, 0, NULL), *c = tu_claim(j, "loss_trained");
    if (src != NULL) {
        json_t *s = json_load_file(src, 0, NULL);
        json_object_set(c, key, json_object_get(tu_claim(s, "loss_trained"), key));
        json_decref(s);
    } else
        json_object_set_new(c, key, json_string(v));
    cr_assert_eq(json_dump_file(j, to, JSON_INDENT(1)), 0);
    json_decref(j);
}

/* K = 10, n = 100 (N = 1000), L = 4, width 64: 1.3e7 multiply-adds per pass, above auto's
 * threshold. Entries N(0, 1/(2 fan-in)) by a fixed generator. */
static void large_point(dnc_problem_t p, double **theta)
{
    tu_problem(p, "10", "100", "4", "64", "relu", "none", "1/250");
    *theta = tu_fixed_point(p, 12345, 0.3);
}

Test(certify_fast, auto_is_fast_on_a_large_point_and_agrees_with_arb, .timeout = 120)
{
    char dir[256], run[300], a[300], b[300], f[300], bad[300];
    dnc_problem_t p;
    double *theta;
    fmpq_t lo, hi, alo, ahi;
    json_t *ja, *jb;
    char msg[256];
    large_point(p, &theta);
    tu_tmpdir(dir, sizeof(dir));
    tu_save_run(run, sizeof(run), dir, p, theta);
    snprintf(a, sizeof(a), "%s/auto.json", dir);
    snprintf(b, sizeof(b), "%s/arb.json", dir);
    snprintf(f, sizeof(f), "%s/fast.json", dir);
    snprintf(bad, sizeof(bad), "%s/bad.json", dir);
    certify(run, a, "auto");
    cr_assert(strstr(out, "fast-double") != NULL, "%s", out);
    cr_assert_str_eq(method_of(a), "fast-double");
    certify(run, f, "fast");
    cr_assert_str_eq(method_of(f), "fast-double");
    certify(run, b, "arb");
    cr_assert_str_eq(method_of(b), "arb");
    check_both(a, 0);
    check_both(f, 0);
    /* the same verdicts, and Arb's tight interval inside the fast one */
    ja = json_load_file(f, 0, NULL);
    jb = json_load_file(b, 0, NULL);
    cr_assert_str_eq(json_string_value(json_object_get(tu_claim(ja, "dnc_not_optimal"), "verdict")),
                     json_string_value(json_object_get(tu_claim(jb, "dnc_not_optimal"), "verdict")));
    fmpq_init(lo), fmpq_init(hi), fmpq_init(alo), fmpq_init(ahi);
    cr_assert_eq(dnc_json_get_interval(lo, hi, json_object_get(tu_claim(ja, "loss_trained"), "loss"), "loss", msg, sizeof(msg)), 0);
    cr_assert_eq(dnc_json_get_interval(alo, ahi, json_object_get(tu_claim(jb, "loss_trained"), "loss"), "loss", msg, sizeof(msg)), 0);
    cr_assert(fmpq_cmp(lo, alo) <= 0 && fmpq_cmp(ahi, hi) <= 0);
    fmpq_sub(lo, hi, lo);
    cr_assert(fmpq_get_d(lo) < 1e-8 * fmpq_get_d(hi), "the fast claim is too wide: %g", fmpq_get_d(lo));
    fmpq_clear(lo), fmpq_clear(hi), fmpq_clear(alo), fmpq_clear(ahi);
    json_decref(ja);
    json_decref(jb);
    /* forgeries: the fast claim narrowed to Arb's interval; an Arb claim relabelled fast */
    edit(f, bad, "loss", NULL, b);
    check_both(bad, 1);
    edit(b, bad, "method", "fast-double", NULL);
    check_both(bad, 1);
    edit(f, bad, "method", "double", NULL);   /* not a method: malformed */
    {
        const char *args[] = { "verify", bad, NULL };
        cr_assert_eq(tu_run(out, err, CAP, args), 1);
        cr_assert(strstr(out, "method") != NULL || strstr(err, "method") != NULL, "%s%s", out, err);
    }
    free(theta);
    dnc_problem_clear(p);
}

/* The DNC point itself (rounded to doubles): its loss is the DNC value to ~1e-16, so the
 * fast claim overlaps it and auto falls back to Arb, which decides. */
Test(certify_fast, auto_is_arb_on_a_tight_claim, .timeout = 120)
{
    char dir[256], run[300], a[300];
    const char *args[] = { "closed-form", "dnc", "--K", "10", "--n", "100", "--L", "4", "--width", "64",
                           "--lambda", "0.004", NULL };
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/dnc", dir);
    cr_assert_eq(tu_run_export(out, err, CAP, args, run), 0, "%s", err);
    snprintf(a, sizeof(a), "%s/auto.json", dir);
    certify(run, a, "auto");
    cr_assert(strstr(out, "overlaps the DNC value") != NULL, "%s", out);
    cr_assert_str_eq(method_of(a), "arb");
    check_both(a, 0);
}

/* A point whose double forward pass overflows (entries 2^1000): the fast tier cannot enclose
 * it, and a file that says fast-double anyway is refused by both checkers, which say why. */
Test(certify_fast, overflow_cannot_be_claimed_fast)
{
    char dir[256], run[300], c[300], bad[300];
    double theta[4] = { 1, 2, 1, -1 };
    dnc_problem_t p;
    json_t *j, *blocks;
    tu_problem(p, "2", "1", "1", "1", "relu", "none", "1/2");
    tu_tmpdir(dir, sizeof(dir));
    tu_save_run(run, sizeof(run), dir, p, theta);
    snprintf(c, sizeof(c), "%s/c.json", dir);
    snprintf(bad, sizeof(bad), "%s/bad.json", dir);
    certify(run, c, "fast");
    cr_assert_str_eq(method_of(c), "fast-double");
    j = json_load_file(c, 0, NULL);
    blocks = json_object_get(json_object_get(json_object_get(j, "points"), "trained"), "blocks");
    json_array_set_new(json_object_get(json_object_get(blocks, "H1"), "dense"), 0, json_string("0x1p+1000"));
    json_array_set_new(json_object_get(json_object_get(blocks, "W1"), "dense"), 0, json_string("0x1p+1000"));
    cr_assert_eq(json_dump_file(j, bad, 0), 0);
    json_decref(j);
    check_both(bad, 1);
    {
        const char *args[] = { "verify", bad, "--explain", NULL };
        tu_run(out, err, CAP, args);
        cr_assert(strstr(out, "overflow") != NULL, "%s", out);
    }
    dnc_problem_clear(p);
}

/* An entry that is not a double (1 + 2^-72): the rule does not apply; fast-double is refused. */
Test(certify_fast, non_double_point_is_not_proven_by_the_rule)
{
    char dir[256], run[300], c[300], bad[300];
    dnc_problem_t p;
    json_t *j, *cl;
    tu_problem(p, "2", "1", "1", "1", "relu", "none", "1/2");
    {
        double t[4] = { 1, 2, 1, -1 };
        tu_tmpdir(dir, sizeof(dir));
        tu_save_run(run, sizeof(run), dir, p, t);
    }
    snprintf(c, sizeof(c), "%s/c.json", dir);
    snprintf(bad, sizeof(bad), "%s/bad.json", dir);
    certify(run, c, "fast");
    cr_assert_str_eq(method_of(c), "fast-double");
    check_both(c, 0);
    j = json_load_file(c, 0, NULL);   /* H1[0,0] = 1 + 2^-72: within the claim, not a double */
    cl = json_object_get(json_object_get(json_object_get(json_object_get(j, "points"), "trained"), "blocks"), "H1");
    json_array_set_new(json_object_get(cl, "dense"), 0, json_string("0x1.000000000000000001p+0"));
    cr_assert_eq(json_dump_file(j, bad, 0), 0);
    json_decref(j);
    check_both(bad, 1);
    dnc_problem_clear(p);
}

/* The fast-double rule bounds the squared-error fit only. A cross-entropy certificate whose
 * loss claim says "fast-double" and carries the intervals of the same point's squared-error
 * fast claim (a consistent forgery: the rule, run blindly, would reproduce them) is refused. */
Test(certify_fast, fast_double_is_not_a_cross_entropy_rule)
{
    char dir[256], run_mse[300], run_ce[300], c_mse[300], c_ce[300], bad[300], msg[512];
    double theta[12] = { 1, 0.5, -0.25, 2, 0.75, -1, 0.125, 1.5, -0.5, 0.25, 1, -0.75 };
    dnc_problem_t p, q;
    tu_problem(p, "2", "1", "2", "2", "relu", "none", "1/10");
    dnc_problem_init(q);
    {
        dnc_problem_args a;
        memset(&a, 0, sizeof(a));
        a.K = "2"; a.n = "1"; a.L = "2"; a.width = "2"; a.activation = "relu"; a.bias = "none"; a.lambda = "1/10";
        a.loss = "ce";
        cr_assert_eq(dnc_problem_set_args(q, &a, msg, sizeof(msg)), 0, "%s", msg);
    }
    cr_assert_eq(dnc_param_offset(p, p->N, DNC_NKINDS, 0), 12);
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run_mse, sizeof(run_mse), "%s/mse", dir);
    snprintf(run_ce, sizeof(run_ce), "%s/ce", dir);
    cr_assert_eq(dnc_mkdir_p(run_mse, msg, sizeof(msg)), 0, "%s", msg);
    cr_assert_eq(dnc_mkdir_p(run_ce, msg, sizeof(msg)), 0, "%s", msg);
    cr_assert_eq(dnc_point_save(run_mse, p, theta, NULL, msg, sizeof(msg)), 0, "%s", msg);
    cr_assert_eq(dnc_point_save(run_ce, q, theta, NULL, msg, sizeof(msg)), 0, "%s", msg);
    snprintf(c_mse, sizeof(c_mse), "%s/mse.json", dir);
    snprintf(c_ce, sizeof(c_ce), "%s/ce.json", dir);
    snprintf(bad, sizeof(bad), "%s/bad.json", dir);
    certify(run_mse, c_mse, "fast");
    cr_assert_str_eq(method_of(c_mse), "fast-double");
    certify(run_ce, c_ce, "arb");
    edit(c_ce, bad, "method", "fast-double", NULL);
    edit(bad, bad, "loss", NULL, c_mse);
    edit(bad, bad, "fit", NULL, c_mse);
    edit(bad, bad, "reg", NULL, c_mse);
    check_both(bad, 1);
    {
        const char *args[] = { "verify", bad, "--explain", NULL };
        tu_run(out, err, CAP, args);
        cr_assert(strstr(out, "cross-entropy") != NULL, "%s", out);
    }
    dnc_problem_clear(p);
    dnc_problem_clear(q);
}

/* ---- the checker's own rule (src/verifier/vfast.c) against exact values ---- */

/* Sets claim c's interval key to [lo, hi] (exact rationals) with a matching decimal. */
static void set_interval(json_t *c, const char *key, const fmpq_t lo, const fmpq_t hi)
{
    char *a = dnc_rational_get_str(lo), *b = dnc_rational_get_str(hi), dec[64];
    fmpq_t mid;
    fmpq_init(mid);
    fmpq_add(mid, lo, hi);
    fmpq_div_2exp(mid, mid, 1);
    snprintf(dec, sizeof(dec), "[%.6g +/- %.6g]", fmpq_get_d(mid), fmpq_get_d(hi) - fmpq_get_d(mid) + 1.0);
    json_object_set_new(c, key, json_pack("{s:s, s:s, s:s}", "decimal", dec, "lo", a, "hi", b));
    flint_free(a);
    flint_free(b);
    fmpq_clear(mid);
}


/* A fast-double certificate of theta under p (certify-point --method fast), loaded. */
static json_t *fast_cert(const dnc_problem_t p, const double *theta)
{
    char dir[256], run[300], c[300];
    json_t *j;
    tu_tmpdir(dir, sizeof(dir));
    tu_save_run(run, sizeof(run), dir, (dnc_problem_struct *) p, theta);
    snprintf(c, sizeof(c), "%s/c.json", dir);
    certify(run, c, "fast");
    j = json_load_file(c, 0, NULL);
    cr_assert(j != NULL);
    return j;
}

/* Adds to cert a fast-double claim "probe<i>" on the trained point: every interval [-B, B]
 * except `key`, which is [lo, hi]; written "not proven". */
static void add_probe(json_t *cert, int i, const char *key, const fmpq_t lo, const fmpq_t hi)
{
    static const char *keys[] = { "loss", "fit", "reg" };
    json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:s}", "point", "trained", "method", "fast-double", "kind", "loss",
                          "verdict", "not proven", "statement", "a probe of the checker's rule");
    char id[32];
    fmpq_t b, nb;
    int k;
    fmpq_init(b);
    fmpq_init(nb);
    fmpq_set_si(b, 1, 1);
    fmpz_mul_2exp(fmpq_numref(b), fmpq_numref(b), 200);
    fmpq_neg(nb, b);
    for (k = 0; k < 3; k++)
        if (strcmp(keys[k], key) == 0)
            set_interval(c, keys[k], lo, hi);
        else
            set_interval(c, keys[k], nb, b);
    snprintf(id, sizeof(id), "probe%d", i);
    json_object_set_new(c, "id", json_string(id));
    json_array_append_new(json_object_get(cert, "claims"), c);
    fmpq_clear(b);
    fmpq_clear(nb);
}

/* The worst case of the rule's (P2) for one square: the H1 regulariser with d_1 = 1 is
 * (lambda_H / 2) x^2, x = 1 + 47453132 2^-52, whose square rounds down by 0.99999994 u x^2,
 * half the rule's bound 2 k u x^2 (k = 1). A false claim, reg in [0, R (1 - 2^-60)] with R
 * the exact regulariser, must not be certified; with every error term of the rule halved
 * (s = 0.49) the checker certifies it: so these tests catch a bound made smaller than half
 * of the proven one. */
Test(certify_fast, the_checkers_rule_is_not_smaller_than_proven)
{
    double theta[4];
    dnc_problem_t p;
    json_t *cert;
    fmpq_t x, R, zero, hi;
    tu_problem_lambdas(p, "2", "1", "1", "1", "relu", "none", NULL, "1", "0x1p-200");
    theta[0] = 1.0 + 47453132 * 0x1p-52;   /* H1 = (x, 0), W_1 = (1, 1)^T */
    theta[1] = 0.0;
    theta[2] = theta[3] = 1.0;
    cert = fast_cert(p, theta);
    json_array_clear(json_object_get(cert, "claims"));
    fmpq_init(x), fmpq_init(R), fmpq_init(zero), fmpq_init(hi);
    {
        arf_t a;
        arf_init(a);
        arf_set_d(a, theta[0]);
        arf_get_fmpq(x, a);
        arf_clear(a);
    }
    /* R = x^2 / 2 + 2^-200 (1 + 1) / 2 */
    fmpq_mul(R, x, x);
    fmpq_div_2exp(R, R, 1);
    fmpq_one(hi);
    fmpq_div_2exp(hi, hi, 200);
    fmpq_add(R, R, hi);
    fmpq_div_2exp(hi, R, 60);
    fmpq_sub(hi, R, hi);
    add_probe(cert, 0, "reg", zero, hi);
    cr_expect_eq(tu_probes_certified(cert), 0, "the proven rule certifies a false regulariser");
    dncv_test_fast_bound_scale(0.49);
    cr_expect_eq(tu_probes_certified(cert), 1, "the worst case no longer reaches half the bound");
    dncv_test_fast_bound_scale(1.0);
    fmpq_clear(x), fmpq_clear(R), fmpq_clear(zero), fmpq_clear(hi);
    json_decref(cert);
    dnc_problem_clear(p);
}

/* Probes on both sides of Arb's value of every quantity (loss, fit, reg): [V_hi, B] and
 * [-B, V_lo] must not be certified, i.e. the rule's enclosure meets Arb's ball. */
static int rule_misses_arb(const dnc_problem_t p, const double *theta)
{
    static const char *keys[] = { "loss", "fit", "reg" };
    json_t *cert = fast_cert(p, theta);
    dnc_bpoint_t x;
    dnc_beval_t e;
    arf_t a;
    fmpq_t lo, hi, b;
    int k, n;
    dnc_bpoint_init(x, (dnc_problem_struct *) p);
    dnc_bpoint_set_theta(x, theta);
    dnc_beval_init(e);
    dnc_ball_eval(e, x, 0, 256);
    arf_init(a);
    fmpq_init(lo), fmpq_init(hi), fmpq_init(b);
    fmpq_one(b);
    fmpz_mul_2exp(fmpq_numref(b), fmpq_numref(b), 200);
    json_array_clear(json_object_get(cert, "claims"));
    for (k = 0; k < 3; k++) {
        const arb_struct *v = k == 0 ? e->loss : k == 1 ? e->fit : e->reg;
        arb_get_ubound_arf(a, v, 256);
        arf_get_fmpq(lo, a);
        add_probe(cert, 2 * k, keys[k], lo, b);
        arb_get_lbound_arf(a, v, 256);
        arf_get_fmpq(hi, a);
        fmpq_neg(lo, b);
        add_probe(cert, 2 * k + 1, keys[k], lo, hi);
    }
    n = tu_probes_certified(cert);
    fmpq_clear(lo), fmpq_clear(hi), fmpq_clear(b);
    arf_clear(a);
    dnc_beval_clear(e);
    dnc_bpoint_clear(x);
    json_decref(cert);
    return n;
}

/* vfast.c against Arb on random points of every kind (squared error: the rule refuses
 * cross-entropy): ReLU, linear and mixed, with and without bias, imbalanced counts,
 * per-layer weight decays, shapes that take every path of the checker's product; expanded
 * points with random columns, and collapsed ones (every column of a class equal); 53-bit
 * entries, a third with zeros (kinks). */
Test(certify_fast, the_checkers_rule_encloses_arb_on_random_points, .timeout = 120)
{
    size_t c;
    unsigned long seed, st = 7;
    for (c = 0; c < TU_FAST_KINDS; c++) {
        dnc_problem_t p;
        tu_fast_kind_problem(p, c);
        for (seed = 0; seed < 4; seed++) {
            double *theta = tu_random_point(p, &st, seed, 1);
            cr_expect_eq(rule_misses_arb(p, theta), 0, "config %zu seed %lu: the rule misses Arb", c, seed);
            if (c == 0 && seed == 0) {   /* the probes see a rule without error terms */
                dncv_test_fast_bound_scale(0.0);
                cr_expect_gt(rule_misses_arb(p, theta), 0, "the probes cannot see a missing bound");
                dncv_test_fast_bound_scale(1.0);
            }
            free(theta);
        }
        dnc_problem_clear(p);
    }
}
