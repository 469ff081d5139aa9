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
#include "testutil.h"

#define CAP 200000
static char out[CAP], err[CAP];

static void save_run(char *run, size_t len, const char *dir, dnc_problem_t p, const double *theta)
{
    char msg[512];
    snprintf(run, len, "%s/run", dir);
    cr_assert_eq(dnc_mkdir_p(run, msg, sizeof(msg)), 0, "%s", msg);
    cr_assert_eq(dnc_point_save(run, p, theta, NULL, msg, sizeof(msg)), 0, "%s", msg);
}

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
    slong i, n;
    unsigned long s = 12345;
    tu_problem(p, "10", "100", "4", "64", "relu", "none", "1/250");
    n = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    *theta = malloc(n * sizeof(double));
    for (i = 0; i < n; i++) {
        s = s * 6364136223846793005UL + 1442695040888963407UL;
        (*theta)[i] = ((double) (s >> 11) / 9007199254740992.0 - 0.5) * 0.3;
    }
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
    save_run(run, sizeof(run), dir, p, theta);
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
    save_run(run, sizeof(run), dir, p, theta);
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
        save_run(run, sizeof(run), dir, p, t);
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
