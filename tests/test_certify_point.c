/* dncert certify-point: exact points from trained doubles, their certified loss, exact class
 * means, Newton polishing, the certificate against the DNC value (accepted by dncert verify,
 * rejected when tampered), and bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <criterion/criterion.h>
#include "dncert/cert.h"
#include "dncert/io.h"
#include "dncert/rundir.h"
#include "dncert/train.h"
#include "testutil.h"

#define CAP 200000
static char out[CAP], err[CAP];

static json_t *load_json(const char *path)
{
    json_error_t je;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    cr_assert(j != NULL, "cannot read %s: %s", path, je.text);
    return j;
}

/* lo <= q <= hi for the interval o[key], and hi - lo < 2^-150. */
static void assert_encloses(const json_t *o, const char *key, const char *q_text)
{
    fmpq_t lo, hi, q;
    char msg[256];
    fmpq_init(lo);
    fmpq_init(hi);
    fmpq_init(q);
    cr_assert_eq(dnc_parse_rational(q, q_text), 0);
    cr_assert_eq(dnc_json_get_interval(lo, hi, json_object_get(o, key), key, msg, sizeof(msg)), 0, "%s", msg);
    cr_assert(fmpq_cmp(lo, q) <= 0 && fmpq_cmp(q, hi) <= 0, "%s = %s not in [%s, %s]", key, q_text,
              json_string_value(json_object_get(json_object_get(o, key), "lo")),
              json_string_value(json_object_get(json_object_get(o, key), "hi")));
    fmpq_sub(q, hi, lo);
    fmpq_mul_2exp(q, q, 150);
    cr_assert(fmpq_cmp_ui(q, 1) < 0, "%s: interval too wide", key);
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpq_clear(q);
}

static void run_ok(const char *const *args)
{
    int rc = tu_run(out, err, CAP, args);
    cr_assert_eq(rc, 0, "exit %d: %s\n%s", rc, err, out);
}

static void verify_ok(const char *cert)
{
    const char *args[] = { "verify", cert, NULL };
    int rc = tu_run(out, err, CAP, args);
    cr_assert_eq(rc, 0, "verify exit %d: %s\n%s", rc, out, err);
    cr_assert(strstr(out, "every verdict re-checks") != NULL, "%s", out);
}

/* tests/test_objective.c, hand_computed_linear: K = 2, n = 1, L = 1, d = 1, lambda = 1/2,
 * H1 = [1 2], W1 = [1; -1]: fit = 14/4 = 7/2, reg = (1 + 4)/4 + (1 + 1)/4 = 7/4, f = 21/4.
 * Width 1 < K, so DNC does not apply: the certificate has the loss claim only. */
Test(certify_point, hand_computed_loss)
{
    char dir[256], run[300], cert[300];
    double theta[4] = { 1, 2, 1, -1 };
    dnc_problem_t p;
    json_t *j, *c, *h;
    tu_problem(p, "2", "1", "1", "1", "relu", "none", "1/2");
    tu_tmpdir(dir, sizeof(dir));
    tu_save_run(run, sizeof(run), dir, p, theta);
    snprintf(cert, sizeof(cert), "%s/c.json", dir);
    {
        const char *args[] = { "certify-point", run, "--out", cert, NULL };
        run_ok(args);
    }
    cr_assert(strstr(out, "loss = 5.25") != NULL, "%s", out);
    cr_assert(strstr(out, "no comparison") != NULL && strstr(out, "--width") != NULL, "%s", out);
    j = load_json(cert);
    c = tu_claim(j, "loss_trained");
    cr_assert_str_eq(json_string_value(json_object_get(c, "verdict")), "certified");
    assert_encloses(c, "loss", "21/4");
    assert_encloses(c, "fit", "7/2");
    assert_encloses(c, "reg", "7/4");
    cr_assert_eq(json_array_size(json_object_get(j, "claims")), 2);   /* loss_trained, gradient_norm_trained */
    h = json_object_get(json_object_get(json_object_get(json_object_get(j, "points"), "trained"), "blocks"), "H1");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(h, "dense"), 1)), "0x1p+1");   /* H1[0,1] = 2 */
    json_decref(j);
    verify_ok(cert);
    dnc_problem_clear(p);
}

/* tests/test_objective.c, hand_computed_relu_bias: K = 2, n = 1, L = 2, widths 1, ReLU, free
 * bias, lambda = 1/2, H1 = [1 -1], W1 = [2], W2 = [1; 1], b = [1/2; 0]: fit = 15/8, reg = 2
 * (the bias is not regularised), f = 31/8. */
Test(certify_point, hand_computed_relu_bias)
{
    char dir[256], run[300], cert[300];
    double theta[7] = { 1, -1, 2, 1, 1, 0.5, 0 };
    dnc_problem_t p;
    json_t *j, *c;
    tu_problem(p, "2", "1", "2", "1", "relu", "free", "0.5");
    tu_tmpdir(dir, sizeof(dir));
    tu_save_run(run, sizeof(run), dir, p, theta);
    snprintf(cert, sizeof(cert), "%s/c.json", dir);
    {
        const char *args[] = { "certify-point", run, "--out", cert, "--prec", "128", NULL };
        run_ok(args);
    }
    j = load_json(cert);
    c = tu_claim(j, "loss_trained");
    assert_encloses(c, "loss", "31/8");
    assert_encloses(c, "fit", "15/8");
    assert_encloses(c, "reg", "2");
    cr_assert_eq(json_integer_value(json_object_get(j, "precision")), 128);
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(json_object_get(json_object_get(
        json_object_get(json_object_get(j, "points"), "trained"), "blocks"), "b"), "dense"), 0)), "0x1p-1");
    json_decref(j);
    verify_ok(cert);
    dnc_problem_clear(p);
}

/* The exact text of entries: printf's "%a" for doubles (C99 7.19.6.1), exact round trip
 * through dnc_parse_rational for long dyadics, "num/den" otherwise. */
Test(certify_point, entry_strings)
{
    const double xs[] = { 0.1, -0.3, 1.0, 3.0, 1e-300, -2.5e300, 0.004, 123456.789 };
    fmpq_t q, r;
    arf_t a;
    char buf[64], *s;
    size_t i;
    fmpq_init(q);
    fmpq_init(r);
    arf_init(a);
    for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
        arf_set_d(a, xs[i]);
        arf_get_fmpq(q, a);
        s = dnc_qpoint_entry_str(q);
        snprintf(buf, sizeof(buf), "%a", xs[i]);
        cr_assert_str_eq(s, buf);
        flint_free(s);
    }
    /* (2^200 + 1) / 2^260, negative: a 201-bit dyadic */
    fmpz_one(fmpq_numref(q));
    fmpz_mul_2exp(fmpq_numref(q), fmpq_numref(q), 200);
    fmpz_add_ui(fmpq_numref(q), fmpq_numref(q), 1);
    fmpz_neg(fmpq_numref(q), fmpq_numref(q));
    fmpz_one(fmpq_denref(q));
    fmpz_mul_2exp(fmpq_denref(q), fmpq_denref(q), 260);
    s = dnc_qpoint_entry_str(q);
    cr_assert_eq(strncmp(s, "-0x1.0000", 9), 0, "%s", s);
    cr_assert_eq(dnc_parse_rational(r, s), 0);
    cr_assert(fmpq_equal(q, r), "%s", s);
    flint_free(s);
    fmpq_set_si(q, -4, 3);
    s = dnc_qpoint_entry_str(q);
    cr_assert_str_eq(s, "-4/3");
    flint_free(s);
    fmpq_zero(q);
    s = dnc_qpoint_entry_str(q);
    cr_assert_str_eq(s, "0x0p+0");
    flint_free(s);
    fmpq_clear(q);
    fmpq_clear(r);
    arf_clear(a);
}

/* A point whose features are already collapsed (each class's columns equal) projects to
 * itself: the means are the columns exactly, and the collapsed evaluation encloses the same
 * f as the expanded one (docs/model.md: both forms have the same f, exactly). */
Test(certify_point, projection_of_collapsed_point_changes_nothing)
{
    dnc_problem_t p;
    dnc_qpoint_t x, y;
    dnc_point_report a, b;
    double *theta;
    slong n, i, j, k;
    tu_problem(p, "3", "2", "2", "4", "relu", "none", "1/250");
    n = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    theta = malloc(n * sizeof(double));
    dnc_randn(theta, n, 0.5, 7);
    for (k = 0; k < 3; k++)   /* column 2k+1 <- column 2k */
        for (i = 0; i < 4; i++)
            theta[i + 4 * (2 * k + 1)] = theta[i + 4 * (2 * k)];
    dnc_qpoint_init_theta(x, p, theta);
    cr_assert_eq(dnc_qpoint_project(y, x), 1);
    cr_assert(y->collapsed);
    for (k = 0; k < 3; k++)
        for (i = 0; i < 4; i++)
            cr_assert(fmpq_equal(fmpq_mat_entry(y->blk, i, k), fmpq_mat_entry(x->blk, i, 2 * k)));
    for (j = 1; j <= 3; j++)
        cr_assert(fmpq_mat_equal(y->blk + j, x->blk + j));
    dnc_point_report_init(&a);
    dnc_point_report_init(&b);
    dnc_qpoint_evaluate(&a, x, 256);
    dnc_qpoint_evaluate(&b, y, 256);
    cr_assert(arb_overlaps(a.loss, b.loss));
    cr_assert(arb_rel_accuracy_bits(a.loss) > 200 && arb_rel_accuracy_bits(b.loss) > 200);
    cr_assert_float_eq(a.grad_abs, b.grad_abs, 1e-12 * a.grad_abs);   /* per-sample gradients agree */
    dnc_point_report_clear(&a);
    dnc_point_report_clear(&b);
    dnc_qpoint_clear(x);
    dnc_qpoint_clear(y);
    free(theta);
    dnc_problem_clear(p);
}

/* Exact class means: class 0 has samples 1, 2, 1 (mean 4/3, not a double), class 1 has
 * samples 1, 2 (mean 3/2 = 0x1.8p+0) and 0.1, 0.2 (mean (0.1 + 0.2)/2 of the two doubles,
 * exactly, which is not the double nearest 0.15). Counts 3, 2 are unbalanced: no DNC. */
Test(certify_point, projection_exact_means)
{
    char dir[256], run[300], cert[300], *s;
    dnc_problem_t p;
    double theta[2 * 5 + 2 * 2 + 2 * 2];
    json_t *j, *h;
    fmpq_t q, r;
    arf_t a;
    memset(theta, 0, sizeof(theta));
    tu_problem(p, "2", "3,2", "2", "2", "relu", "none", "1/250");
    /* H1 is 2 x 5, column-major: row 0 = 1 2 1 | 1 2, row 1 = 0 0 0 | 0.1 0.2 */
    theta[0] = 1, theta[2] = 2, theta[4] = 1, theta[6] = 1, theta[8] = 2;
    theta[7] = 0.1, theta[9] = 0.2;
    theta[10] = 1, theta[13] = 1, theta[14] = 1, theta[17] = 1;   /* W1 = I, W2 = I */
    tu_tmpdir(dir, sizeof(dir));
    tu_save_run(run, sizeof(run), dir, p, theta);
    snprintf(cert, sizeof(cert), "%s/c.json", dir);
    {
        const char *args[] = { "certify-point", run, "--project-collapse", "--out", cert, NULL };
        run_ok(args);
    }
    cr_assert(strstr(out, "no comparison") != NULL && strstr(out, "balanced") != NULL, "%s", out);
    j = load_json(cert);
    h = json_object_get(json_object_get(json_object_get(json_object_get(j, "points"), "projected"), "blocks"), "H1");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(j, "points"), "projected"),
                                                       "layout")), "collapsed");
    cr_assert_eq(json_integer_value(json_object_get(h, "cols")), 2);
    h = json_object_get(h, "dense");
    cr_assert_str_eq(json_string_value(json_array_get(h, 0)), "4/3");
    cr_assert_str_eq(json_string_value(json_array_get(h, 1)), "0x0p+0");
    cr_assert_str_eq(json_string_value(json_array_get(h, 2)), "0x1.8p+0");
    fmpq_init(q);
    fmpq_init(r);
    arf_init(a);
    arf_set_d(a, 0.1);
    arf_get_fmpq(q, a);
    arf_set_d(a, 0.2);
    arf_get_fmpq(r, a);
    fmpq_add(q, q, r);
    fmpq_div_2exp(q, q, 1);
    cr_assert_eq(dnc_parse_rational(r, json_string_value(json_array_get(h, 3))), 0);
    cr_assert(fmpq_equal(q, r), "%s", json_string_value(json_array_get(h, 3)));
    arf_set_d(a, 0.15);
    arf_get_fmpq(r, a);
    cr_assert(!fmpq_equal(q, r));
    s = dnc_qpoint_entry_str(q);
    cr_assert_str_eq(s, json_string_value(json_array_get(h, 3)));
    flint_free(s);
    cr_assert_str_eq(json_string_value(json_object_get(tu_claim(j, "loss_projected"), "verdict")), "certified");
    json_decref(j);
    verify_ok(cert);
    fmpq_clear(q);
    fmpq_clear(r);
    arf_clear(a);
    dnc_problem_clear(p);
}

/* A point trained close to an interior critical point (K = 3, n = 2, L = 2, width 4,
 * lambda = 1/250, L-BFGS to |grad| ~ 1e-8 in double): Newton polishing at 256 bits brings the
 * certified gradient enclosure from ~1e-9 to below 1e-50 without raising the loss, and the
 * result is an exact dyadic point that certify-point writes and verify accepts. */
Test(certify_point, polish_reduces_gradient)
{
    dnc_problem_t p;
    dnc_train_opts o;
    dnc_trainer_t t;
    dnc_qpoint_t x, y;
    dnc_point_report a, b;
    dnc_polish_info info;
    char dir[256], run[300], cert[300];
    slong bb, i, j;
    tu_problem(p, "3", "2", "2", "4", "relu", "none", "1/250");
    dnc_train_opts_default(&o);
    o.optimizer = DNC_OPT_LBFGS;
    o.lr = 0.1;
    o.steps = 3000;
    o.seed = 2;
    o.init_std = 0.1;   /* this start ends at a smooth point (the fan-in start ends on a kink) */
    cr_assert_eq(dnc_trainer_init(t, p, &o), 0);
    while (dnc_trainer_step(t) == DNC_STOP_NONE)
        ;
    cr_assert(t->grad_norm < 1e-7, "the double trainer did not converge: |grad| = %g", t->grad_norm);
    dnc_qpoint_init_theta(x, p, t->theta);
    tu_tmpdir(dir, sizeof(dir));
    tu_save_run(run, sizeof(run), dir, p, t->theta);
    dnc_trainer_clear(t);
    dnc_point_report_init(&a);
    dnc_point_report_init(&b);
    dnc_qpoint_evaluate(&a, x, 256);
    dnc_qpoint_polish(y, x, 256, 50, &info);
    dnc_qpoint_evaluate(&b, y, 256);
    cr_assert_geq(info.steps, 1, "%s", info.stop);
    cr_assert(a.grad_abs > 1e-12, "%g", a.grad_abs);
    cr_assert(b.grad_abs < 1e-50, "after %ld steps (%s): %g", (long) info.steps, info.stop, b.grad_abs);
    cr_assert(!arb_gt(b.loss, a.loss));
    cr_assert_eq(b.nkinks, 0);
    for (bb = 0; bb <= p->L; bb++)   /* exact dyadics of at most 256 bits */
        for (i = 0; i < fmpq_mat_nrows(y->blk + bb); i++)
            for (j = 0; j < fmpq_mat_ncols(y->blk + bb); j++) {
                const fmpq *e = fmpq_mat_entry(y->blk + bb, i, j);
                cr_assert_eq(fmpz_val2(fmpq_denref(e)), fmpz_bits(fmpq_denref(e)) - 1);
                cr_assert_leq(fmpz_bits(fmpq_numref(e)), 256);
            }
    dnc_point_report_clear(&a);
    dnc_point_report_clear(&b);
    dnc_qpoint_clear(x);
    dnc_qpoint_clear(y);
    snprintf(cert, sizeof(cert), "%s/c.json", dir);
    {
        const char *args[] = { "certify-point", run, "--project-collapse", "--polish", "--out", cert, NULL };
        run_ok(args);
    }
    cr_assert(strstr(out, "polished") != NULL && strstr(out, "converged") != NULL, "%s", out);
    verify_ok(cert);
    dnc_problem_clear(p);
}

/* THE REGRESSION (closed-forms.md section 4; dnc-vs-srg: at K = 10, n = 1, L = 4, width 30,
 * lambda = 0.004 gradient descent finds low-rank points below DNC). f_DNC =
 * 0.0991798746355951938610... (closed-forms.md section 2, docs/theorems.md); 30000 steps of
 * GD with lr 0.5 from seed 1 and --init-std 0.1 (the default before fan-in) reach f = 0.0888679544167347... (measured with the SkylakeX kernel). The certificate
 * must certify dnc_not_optimal and pass `dncert verify`; changing one hex-float entry of the
 * stored point makes its loss claim fail. */
Test(certify_point, regression_gd_point_beats_dnc, .timeout = 60)
{
    char dir[256], run[300], cert[300], bad[300];
    json_t *j, *c, *w;
    fmpq_t hi, ref, lo;
    char msg[256];
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/gd", dir);
    snprintf(cert, sizeof(cert), "%s/c.json", dir);
    snprintf(bad, sizeof(bad), "%s/tampered.json", dir);
    {
        const char *args[] = { "train", "--K", "10", "--n", "1", "--L", "4", "--width", "30", "--lambda", "0.004",
                               "--lr", "0.5", "--steps", "30000", "--seed", "1", "--init-std", "0.1", "--quiet",
                               "--out", run, NULL };
        run_ok(args);
    }
    {
        const char *args[] = { "certify-point", run, "--project-collapse", "--out", cert, NULL };
        run_ok(args);
    }
    cr_assert(strstr(out, "certified: this point's loss is strictly below the best DNC point's loss") != NULL, "%s", out);
    cr_assert(strstr(out, "0.09917987463559519386") != NULL, "%s", out);
    j = load_json(cert);
    c = tu_claim(j, "dnc_not_optimal");
    cr_assert_str_eq(json_string_value(json_object_get(c, "verdict")), "certified");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "lower"), "loss")), "loss_projected");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "higher"), "value")), "value_dnc");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(tu_claim(j, "value_dnc"), "structure"), "name")),
                     "dnc");
    cr_assert_str_eq(json_string_value(json_object_get(tu_claim(j, "alive_dnc"), "verdict")), "certified");
    cr_assert_str_eq(json_string_value(json_object_get(tu_claim(j, "root_dnc_c"), "verdict")), "certified");
    fmpq_init(lo);
    fmpq_init(hi);
    fmpq_init(ref);
    cr_assert_eq(dnc_json_get_interval(lo, hi, json_object_get(tu_claim(j, "loss_trained"), "loss"), "loss", msg,
                                       sizeof(msg)), 0);
    dnc_parse_rational(ref, "0.0889");   /* measured 0.0888679544... */
    cr_assert(fmpq_cmp(hi, ref) < 0);
    cr_assert_eq(dnc_json_get_interval(lo, hi, json_object_get(tu_claim(j, "value_dnc"), "value"), "value", msg,
                                       sizeof(msg)), 0);
    dnc_parse_rational(ref, "0.0991798746355951938610");
    cr_assert(fmpq_cmp(lo, ref) > 0);
    dnc_parse_rational(ref, "0.0991798746355951938611");
    cr_assert(fmpq_cmp(hi, ref) < 0);
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpq_clear(ref);
    verify_ok(cert);
    /* tamper: W4[0, 0] of the trained point becomes 1/2 */
    w = json_object_get(json_object_get(json_object_get(json_object_get(j, "points"), "trained"), "blocks"), "W4");
    cr_assert(strncmp(json_string_value(json_array_get(json_object_get(w, "dense"), 0)), "0x", 2) == 0
              || strncmp(json_string_value(json_array_get(json_object_get(w, "dense"), 0)), "-0x", 3) == 0);
    json_array_set_new(json_object_get(w, "dense"), 0, json_string("0x1p-1"));
    cr_assert_eq(json_dump_file(j, bad, JSON_COMPACT), 0);
    json_decref(j);
    {
        const char *args[] = { "verify", bad, NULL };
        cr_assert_eq(tu_run(out, err, CAP, args), 1, "%s", out);
    }
    cr_assert(strstr(out, "loss_trained loss not proven MISMATCH") != NULL, "%s", out);
}

/* Writes j with claim/point edits to path and runs the checker on it: returns its exit status. */
static int verify_edited(json_t *j, const char *path)
{
    const char *args[] = { "verify", path, NULL };
    cr_assert_eq(json_dump_file(j, path, JSON_COMPACT), 0);
    return tu_run(out, err, CAP, args);
}

/* `train --loss ce` of a deep linear model (width K, L-BFGS) into run. */
static void train_ce(const char *run, const char *K, const char *n, const char *L, const char *lambda, const char *steps)
{
    const char *args[] = { "train", "--K", K, "--n", n, "--L", L, "--width", K, "--activation", "linear",
                           "--lambda", lambda, "--loss", "ce", "--optimizer", "lbfgs", "--lr", "1", "--steps", steps,
                           "--grad-tol", "1e-13", "--quiet", "--out", run, NULL };
    run_ok(args);
}

/* Both executables (`dncert verify` and `dncert-verify`) reject j, written to path, naming
 * the claim: `needle` in their output. */
static void both_reject(json_t *j, const char *path, const char *needle)
{
    const char *args[] = { path, NULL };
    cr_assert_eq(verify_edited(j, path), 1, "%s%s", out, err);
    cr_assert(strstr(out, needle) != NULL, "dncert verify: no '%s' in %s%s", needle, out, err);
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, CAP, args), 1, "%s%s", out, err);
    cr_assert(strstr(out, needle) != NULL, "dncert-verify: no '%s' in %s%s", needle, out, err);
}

/* o's "lo" and "hi" moved up by 10^-20 (its decimal dropped). */
static void shift_interval(json_t *o)
{
    const char *key[2] = { "lo", "hi" };
    fmpq_t q, h;
    char *a;
    int i;
    fmpq_init(q);
    fmpq_init(h);
    fmpz_one(fmpq_numref(h));
    fmpz_ui_pow_ui(fmpq_denref(h), 10, 20);
    for (i = 0; i < 2; i++) {
        cr_assert_eq(dnc_parse_rational(q, json_string_value(json_object_get(o, key[i]))), 0);
        fmpq_add(q, q, h);
        a = fmpq_get_str(NULL, 10, q);
        json_object_set_new(o, key[i], json_string(a));
        flint_free(a);
    }
    json_object_del(o, "decimal");
    fmpq_clear(q);
    fmpq_clear(h);
}

/* Cross-entropy end to end: `train --loss ce` (deep linear, K = 3, M = 2: the DNC-structured
 * point is reached from seed 1), `certify-point --polish` encloses its loss and writes the
 * DNC-structured value of the deep linear model (format §8.3: the checker derives it), the
 * root claim of its scale sigma_2 and dnc_not_optimal (here not proven: the point is the DNC
 * point). The checker re-evaluates every loss claim under CE with its own log-sum-exp.
 * Tampering: a changed loss interval, a changed point entry, and "loss": "mse" swapped into
 * the problem are each rejected; a CE value claim naming dnc is malformed. The CE claims are
 * tampered with in cross_entropy_claims_tampered. */
Test(certify_point, cross_entropy_run, .timeout = 60)
{
    char dir[256], run[300], cert[300], bad[300];
    json_t *j, *c, *w;
    const char *s;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/ce", dir);
    snprintf(cert, sizeof(cert), "%s/c.json", dir);
    snprintf(bad, sizeof(bad), "%s/tampered.json", dir);
    {
        const char *args[] = { "train", "--K", "3", "--n", "2", "--L", "2", "--width", "3", "--activation", "linear",
                               "--lambda", "1/100", "--loss", "ce", "--optimizer", "lbfgs", "--lr", "1", "--steps",
                               "3000", "--quiet", "--out", run, NULL };
        run_ok(args);
    }
    cr_assert(strstr(out, "class      dnc") != NULL, "%s", out);
    {
        const char *args[] = { "certify-point", run, "--polish", "--out", cert, NULL };
        run_ok(args);
    }
    cr_assert(strstr(out, "(the DNC-structured value under CE)") != NULL, "%s", out);
    cr_assert(strstr(out, "verdict     not proven") != NULL, "%s", out);
    verify_ok(cert);
    j = load_json(cert);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "problem"), "loss")), "ce");
    /* loss_trained, gradient_norm_trained, loss_polished, gradient_norm_polished, root_sigma, value_dnc,
     * dnc_not_optimal */
    cr_assert_eq(json_array_size(json_object_get(j, "claims")), 7);
    cr_assert_str_eq(json_string_value(json_object_get(tu_claim(j, "root_sigma"), "verdict")), "certified");
    cr_assert_str_eq(json_string_value(json_object_get(tu_claim(j, "value_dnc"), "verdict")), "certified");
    cr_assert_str_eq(json_string_value(json_object_get(tu_claim(j, "dnc_not_optimal"), "verdict")), "not proven");
    cr_assert_str_eq(json_string_value(json_object_get(tu_claim(j, "loss_trained"), "verdict")), "certified");
    cr_assert_str_eq(json_string_value(json_object_get(tu_claim(j, "loss_polished"), "verdict")), "certified");

    /* a loss interval moved by 1e-20 (both ends): the checker's own CE enclosure leaves it */
    c = json_deep_copy(j);
    w = json_object_get(tu_claim(c, "loss_trained"), "loss");
    s = json_string_value(json_object_get(w, "lo"));
    {
        fmpq_t q, h;
        char *a, *b;
        fmpq_init(q);
        fmpq_init(h);
        cr_assert_eq(dnc_parse_rational(q, s), 0);
        fmpz_one(fmpq_numref(h));   /* shift both ends up by 10^-20 */
        fmpz_ui_pow_ui(fmpq_denref(h), 10, 20);
        fmpq_add(q, q, h);
        a = fmpq_get_str(NULL, 10, q);
        cr_assert_eq(dnc_parse_rational(q, json_string_value(json_object_get(w, "hi"))), 0);
        fmpq_add(q, q, h);
        b = fmpq_get_str(NULL, 10, q);
        json_object_set_new(w, "lo", json_string(a));
        json_object_set_new(w, "hi", json_string(b));
        flint_free(a);
        flint_free(b);
        fmpq_clear(q);
        fmpq_clear(h);
    }
    json_object_del(w, "decimal");
    cr_assert_eq(verify_edited(c, bad), 1, "%s%s", out, err);
    cr_assert(strstr(out, "loss_trained loss not proven MISMATCH") != NULL, "%s%s", out, err);
    json_decref(c);

    /* one entry of the trained point changed */
    c = json_deep_copy(j);
    w = json_object_get(json_object_get(json_object_get(json_object_get(c, "points"), "trained"), "blocks"), "W2");
    json_array_set_new(json_object_get(w, "dense"), 0, json_string("0x1p-1"));
    cr_assert_eq(verify_edited(c, bad), 1, "%s%s", out, err);
    cr_assert(strstr(out, "loss_trained loss not proven MISMATCH") != NULL, "%s%s", out, err);
    json_decref(c);

    /* the loss swapped: evaluated as MSE the same point has another loss (the CE claims of
     * the structure dropped: an MSE root claim needs a polynomial) */
    c = json_deep_copy(j);
    while (json_array_size(json_object_get(c, "claims")) > 2)
        json_array_remove(json_object_get(c, "claims"), 2);
    json_object_set_new(json_object_get(c, "problem"), "loss", json_string("mse"));
    cr_assert_eq(verify_edited(c, bad), 1, "%s%s", out, err);
    cr_assert(strstr(out, "loss_trained loss not proven MISMATCH") != NULL, "%s%s", out, err);
    json_object_del(json_object_get(c, "problem"), "loss");   /* no field means mse: the same */
    cr_assert_eq(verify_edited(c, bad), 1, "%s%s", out, err);
    json_decref(c);

    /* a value claim of a structure without a CE form (tirer-bruna): malformed */
    c = json_deep_copy(j);
    json_array_append_new(json_object_get(c, "claims"),
                          json_pack("{s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s, s:s}}", "id", "value_other", "kind", "value",
                                    "statement", "", "verdict", "certified", "structure", "name", "tirer-bruna", "value",
                                    "lo", "0", "hi", "1"));
    cr_assert_eq(verify_edited(c, bad), 1, "%s%s", out, err);
    cr_assert(strstr(err, "defined for the ufm, deep-linear and dnc structures only") != NULL, "%s%s", out, err);
    json_decref(c);
    /* the value claim renamed dnc (the frame family, higher than the ETF family's value) */
    c = json_deep_copy(j);
    json_object_set_new(json_object_get(tu_claim(c, "value_dnc"), "structure"), "name", json_string("dnc"));
    cr_assert_eq(verify_edited(c, bad), 1, "%s%s", out, err);
    cr_assert(strstr(out, "value_dnc value not proven MISMATCH") != NULL, "%s%s", out, err);
    json_decref(c);
    json_decref(j);
}

/* Cross-entropy with a ReLU layer (K = 3, n = 2, L = 2, width 8): L-BFGS from seed 1 reaches the
 * best point of the orthogonal-frame family (docs/math/cross-entropy.md §7, value
 * 0.28498487389704753545... of tests/data/ce/ce_relu_refs.json), classified dnc;
 * certify-point compares it with the value of the dnc structure under CE, which the checker
 * derives with P_F, and its root; dnc_not_optimal is not proven (the point is that point).
 * The value claim renamed to the ETF family (deep-linear, linear layers only) is refused. */
Test(certify_point, cross_entropy_relu_run, .timeout = 60)
{
    char dir[256], run[300], cert[300], bad[300];
    json_t *j, *c;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/ce", dir);
    snprintf(cert, sizeof(cert), "%s/c.json", dir);
    snprintf(bad, sizeof(bad), "%s/tampered.json", dir);
    {
        const char *args[] = { "train", "--K", "3", "--n", "2", "--L", "2", "--width", "8", "--activation", "relu",
                               "--lambda", "1/50", "--loss", "ce", "--optimizer", "lbfgs", "--lr", "1", "--steps",
                               "3000", "--quiet", "--out", run, NULL };
        run_ok(args);
    }
    cr_assert(strstr(out, "class      dnc") != NULL, "%s", out);
    cr_assert(strstr(out, "loss       2.84984873897047") != NULL, "%s", out);
    {
        const char *args[] = { "certify-point", run, "--out", cert, NULL };
        run_ok(args);
    }
    cr_assert(strstr(out, "verdict     not proven") != NULL, "%s", out);
    verify_ok(cert);
    j = load_json(cert);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(tu_claim(j, "value_dnc"), "structure"),
                                                       "name")), "dnc");
    cr_assert_str_eq(json_string_value(json_object_get(tu_claim(j, "value_dnc"), "verdict")), "certified");
    cr_assert_str_eq(json_string_value(json_object_get(tu_claim(j, "root_sigma"), "verdict")), "certified");
    cr_assert(strncmp(json_string_value(json_object_get(json_object_get(tu_claim(j, "value_dnc"), "value"), "decimal")),
                      "0.2849848738970475354522", 24) == 0);
    c = json_deep_copy(j);
    json_object_set_new(json_object_get(tu_claim(c, "value_dnc"), "structure"), "name", json_string("deep-linear"));
    cr_assert_eq(verify_edited(c, bad), 1, "%s%s", out, err);
    cr_assert(strstr(out, "value_dnc value not proven MISMATCH") != NULL, "%s%s", out, err);
    json_decref(c);
    json_decref(j);
}

/* The CE claims of certify-point tampered with, each refused by both executables naming the
 * claim: the value shifted by 1e-20; the problem changed consistently (every lambda 1/100 ->
 * 1/99, points and claims kept); dnc_not_optimal declared certified for a point whose loss is
 * above the DNC-structured value (3 L-BFGS steps); the root interval moved to the other zero
 * sigma_1 of H (the local maximum of phi: the wrong branch). A witness really below the value
 * is certified (K = 4, L = 3, the first Garrod-Keating instance, docs/theorems.md). */
Test(certify_point, cross_entropy_claims_tampered, .timeout = 60)
{
    char dir[256], run[300], cert[300], bad[300], shortrun[300], shortcert[300], wrun[300], wcert[300];
    json_t *j, *c;
    size_t i;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/ce", dir);
    snprintf(cert, sizeof(cert), "%s/c.json", dir);
    snprintf(bad, sizeof(bad), "%s/tampered.json", dir);
    snprintf(shortrun, sizeof(shortrun), "%s/short", dir);
    snprintf(shortcert, sizeof(shortcert), "%s/short.json", dir);
    snprintf(wrun, sizeof(wrun), "%s/w", dir);
    snprintf(wcert, sizeof(wcert), "%s/w.json", dir);
    {
        const char *cp[] = { "certify-point", run, "--out", cert, NULL };
        train_ce(run, "3", "2", "2", "1/100", "3000");
        run_ok(cp);
    }
    j = load_json(cert);

    c = json_deep_copy(j);
    shift_interval(json_object_get(tu_claim(c, "value_dnc"), "value"));
    both_reject(c, bad, "value_dnc value not proven MISMATCH");
    json_decref(c);

    c = json_deep_copy(j);
    json_object_set_new(json_object_get(c, "problem"), "lambda_h", json_string("1/99"));
    for (i = 0; i < 2; i++)
        json_array_set_new(json_object_get(json_object_get(c, "problem"), "lambda_w"), i, json_string("1/99"));
    both_reject(c, bad, "value_dnc value not proven MISMATCH");
    cr_assert(strstr(out, "loss_trained loss not proven MISMATCH") != NULL, "%s", out);
    json_decref(c);

    {   /* sigma_1 of the same problem, by the producer's closed form */
        dnc_problem_t p;
        dnc_closed_t cf;
        const dnc_closed_scalar *s1;
        fmpq_t lo, hi;
        char e[512], *a, *b;
        dnc_problem_init(p);
        cr_assert_eq(dnc_problem_from_json(p, json_object_get(j, "problem"), e, sizeof(e)), 0, "%s", e);
        cr_assert_eq(dnc_closed_deep_linear_ce(cf, p, 256, e, sizeof(e)), 0, "%s", e);
        s1 = dnc_closed_get_scalar(cf, "sigma_1");
        cr_assert_not_null(s1);
        fmpq_init(lo);
        fmpq_init(hi);
        cr_assert_eq(dnc_closed_ce_root_interval(lo, hi, s1->value, p, "deep-linear", 256), 0);   /* H goes + to - there */
        a = fmpq_get_str(NULL, 10, lo);
        b = fmpq_get_str(NULL, 10, hi);
        c = json_deep_copy(j);
        json_object_set_new(tu_claim(c, "root_sigma"), "interval", json_pack("{s:s, s:s}", "lo", a, "hi", b));
        both_reject(c, bad, "root_sigma root not proven MISMATCH");
        cr_assert(strstr(out, "H has sign + at lo") != NULL, "%s", out);
        json_decref(c);
        flint_free(a);
        flint_free(b);
        fmpq_clear(lo);
        fmpq_clear(hi);
        dnc_closed_clear(cf);
        dnc_problem_clear(p);
    }
    json_decref(j);

    {
        const char *cp[] = { "certify-point", shortrun, "--out", shortcert, NULL };
        train_ce(shortrun, "3", "2", "2", "1/100", "3");
        run_ok(cp);
    }
    cr_assert(strstr(out, "verdict     not proven: this point's loss is above the DNC value") != NULL, "%s", out);
    j = load_json(shortcert);
    json_object_set_new(tu_claim(j, "dnc_not_optimal"), "verdict", json_string("certified"));
    both_reject(j, bad, "dnc_not_optimal dnc_not_optimal not proven MISMATCH");
    json_decref(j);

    {
        const char *cp[] = { "certify-point", wrun, "--out", wcert, NULL };
        train_ce(wrun, "4", "1", "3", "1/100", "20000");
        run_ok(cp);
    }
    cr_assert(strstr(out, "verdict     certified: this point's loss is strictly below the best DNC-structured point's "
                     "loss") != NULL, "%s", out);
    verify_ok(wcert);
}

/* Bad input: exit 2, a message naming the option or argument, and no file written; an
 * unwritable --out: exit 1. */
Test(certify_point, bad_input)
{
    char dir[256], run[300], cert[300], existing[300];
    double theta[4] = { 1, 2, 1, -1 };
    dnc_problem_t p;
    FILE *f;
    struct { const char *args[8]; const char *needle; } cases[] = {
        { { "certify-point", "--out", NULL }, "RUN_DIR" },
        { { "certify-point", NULL }, "RUN_DIR" },
        { { "certify-point", NULL }, "--out" },                        /* RUN_DIR without --out */
        { { "certify-point", NULL, "--out", NULL }, "--out" },         /* an existing file */
        { { "certify-point", NULL, "--out", NULL, "--prec", "32", NULL }, "--prec" },
        { { "certify-point", "/nonexistent/run", "--out", NULL, NULL }, "RUN_DIR" },
        { { "certify-point", NULL, "--out", NULL, "--polish-steps", "5", NULL }, "--polish-steps" },
        { { "certify-point", NULL, "--out", NULL, "--frobnicate", NULL }, "--frobnicate" },
    };
    size_t i;
    tu_problem(p, "2", "1", "1", "1", "relu", "none", "1/2");
    tu_tmpdir(dir, sizeof(dir));
    tu_save_run(run, sizeof(run), dir, p, theta);
    snprintf(cert, sizeof(cert), "%s/c.json", dir);
    snprintf(existing, sizeof(existing), "%s/existing.json", dir);
    f = fopen(existing, "w");
    fputs("keep", f);
    fclose(f);
    cases[0].args[2] = cert;
    cases[1].args[1] = NULL;
    cases[2].args[1] = run;
    cases[3].args[1] = run, cases[3].args[3] = existing;
    cases[4].args[1] = run, cases[4].args[3] = cert;
    cases[5].args[3] = cert;
    cases[6].args[1] = run, cases[6].args[3] = cert;
    cases[7].args[1] = run, cases[7].args[3] = cert;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cr_assert_eq(tu_run(out, err, CAP, cases[i].args), 2, "case %zu: %s", i, err);
        cr_assert(strstr(err, cases[i].needle) != NULL, "case %zu: '%s' not in: %s", i, cases[i].needle, err);
        cr_assert(!dnc_path_exists(cert), "case %zu wrote %s", i, cert);
    }
    f = fopen(existing, "r");
    cr_assert(fgets(err, 16, f) != NULL && strcmp(err, "keep") == 0);
    fclose(f);
    {   /* an I/O error (nothing can be created under /proc): exit 1 */
        const char *args[] = { "certify-point", run, "--out", "/proc/dncert-test/c.json", NULL };
        cr_assert_eq(tu_run(out, err, CAP, args), 1, "%s", err);
        cr_assert(strstr(err, "--out") != NULL, "%s", err);
    }
    {   /* --force replaces it */
        const char *args[] = { "certify-point", run, "--out", existing, "--force", NULL };
        run_ok(args);
        verify_ok(existing);
    }
    dnc_problem_clear(p);
}

/* --below srg:4 at K = 6, L = 4 (n = 1, lambda = 1/250). The exported SRG point itself has
 * exactly the SRG value (the closed form's enclosure), so "strictly below" cannot be proven:
 * not proven, and the checker agrees. A point near it moved onto the critical point of its
 * kink pattern by `dncert refine` has a lower loss (0.05752... against 0.05832..., the
 * closed form of docs/math/srg.md: an independent value) and is certified below it. A
 * certificate whose order_below verdict is flipped is refused. Bad arguments are usage errors
 * that write nothing. */
Test(certify_point, below_a_design_value)
{
    char dir[256], a[300], b[300], c[300], t[300];
    const char *cf[] = { "closed-form", "srg", "--r", "4", "--K", "6", "--n", "1", "--L", "4", "--width", "6", NULL };
    json_t *j;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(a, sizeof(a), "%s/srg", dir);
    snprintf(b, sizeof(b), "%s/refined", dir);
    snprintf(c, sizeof(c), "%s/c.json", dir);
    snprintf(t, sizeof(t), "%s/t.json", dir);
    cr_assert_eq(tu_run_export(out, err, sizeof(out), cf, a), 0, "%s", err);
    {
        const char *args[] = { "certify-point", a, "--below", "srg:4", "--out", c, NULL };
        run_ok(args);
        cr_expect(strstr(out, "below       not proven") != NULL, "%s", out);
        verify_ok(c);
    }
    {   /* perturb in double, refine: a lower point */
        double *theta;
        dnc_problem_t p;
        slong n, i;
        flint_rand_t st;
        const char *rf[] = { "refine", a, "--out", b, "--quiet", "--force", NULL };
        const char *args[] = { "certify-point", b, "--below", "srg:4", "--out", c, "--force", NULL };
        dnc_problem_init(p);
        cr_assert_eq(dnc_point_load(a, p, &theta, err, sizeof(err)), 0, "%s", err);
        n = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
        flint_randinit(st);
        for (i = 0; i < n; i++)
            theta[i] += 1e-6 * ((double) n_randint(st, 2001) / 1000.0 - 1.0);
        flint_randclear(st);
        cr_assert_eq(dnc_point_save(a, p, theta, NULL, err, sizeof(err)), 0, "%s", err);
        free(theta);
        dnc_problem_clear(p);
        tu_run(out, err, sizeof(out), rf);   /* not stationary (exit 1), but a point below SRG */
        run_ok(args);
        cr_expect(strstr(out, "below       certified") != NULL, "%s", out);
        verify_ok(c);
    }
    j = load_json(c);
    json_object_set_new(tu_claim(j, "order_below"), "verdict", json_string("not proven"));
    cr_assert_eq(json_dump_file(j, t, 0), 0);
    json_decref(j);
    {
        const char *args[] = { "verify", t, NULL };
        cr_expect_eq(tu_run(out, err, sizeof(out), args), 1, "%s", out);
        cr_expect(strstr(out, "order_below order certified MISMATCH") != NULL, "%s", out);
    }
    {
        static const char *const bad[] = { "dnc:4", "srg", "srg:x", "srg:0", "srg:5", "nope:3" };
        size_t k;
        for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
            const char *args[] = { "certify-point", a, "--below", bad[k], "--out", t, "--force", NULL };
            remove(t);
            cr_expect_eq(tu_run(out, err, sizeof(out), args), 2, "--below %s", bad[k]);
            cr_expect(strstr(err, "--below") != NULL, "--below %s: %s", bad[k], err);
            cr_expect(fopen(t, "r") == NULL, "--below %s wrote a file", bad[k]);
        }
    }
}
