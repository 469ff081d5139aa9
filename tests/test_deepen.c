/* Starting deeper (dnc_problem_deepen, dnc_point_deepen, `train --init DIR --deepen`) and
 * the fan-in start (docs/trainer.md, "Initialisation" and "Starting deeper"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "dncert/io.h"
#include "dncert/objective.h"
#include "dncert/rundir.h"
#include "dncert/train.h"
#include "testutil.h"

static char out[1 << 16], err[1 << 16];

/* A trained point of p: L-BFGS from the default start, `steps` updates. */
static void train(dnc_trainer_t t, dnc_problem_t p, slong steps, ulong seed)
{
    dnc_train_opts o;
    dnc_train_opts_default(&o);
    o.optimizer = DNC_OPT_LBFGS;
    o.steps = steps;
    o.seed = seed;
    cr_assert_eq(dnc_trainer_init(t, p, &o), 0);
    while (dnc_trainer_step(t) == DNC_STOP_NONE)
        ;
}

/* Start and end of block b (0 = H1, 1..L = W_b) in the parameter vector. */
static void block_range(slong *lo, slong *hi, const dnc_problem_t p, slong b)
{
    *lo = b == 0 ? 0 : dnc_param_offset(p, p->N, DNC_W, b);
    *hi = dnc_param_offset(p, p->N, b < p->L ? DNC_W : DNC_B, b < p->L ? b + 1 : 0);
}

Test(deepen, problem_fields)
{
    dnc_problem_t p, q;
    char e[256];
    tu_problem_lambdas(p, "3", "1,2,3", "3", "4,5,6", "relu,linear", "free", "1/100", "1/7", "1/2,1/3,1/5");
    dnc_problem_init(q);
    cr_assert_eq(dnc_problem_deepen(q, p, e, sizeof(e)), 0, "%s", e);
    cr_expect_eq(q->L, 4);
    cr_expect_eq(q->K, 3);
    cr_expect_eq(q->N, 6);
    cr_expect_eq(q->n[2], 3);
    cr_expect_eq(q->bias, DNC_BIAS_FREE);
    cr_expect(q->width[0] == 4 && q->width[1] == 5 && q->width[2] == 6 && q->width[3] == 6);
    cr_expect(q->act[0] == DNC_ACT_RELU && q->act[1] == DNC_ACT_LINEAR && q->act[2] == DNC_ACT_LINEAR);
    {
        fmpq_t x;
        fmpq_init(x);
        fmpq_set_si(x, 1, 7);
        cr_expect(fmpq_equal(q->lambda_h, x));
        fmpq_set_si(x, 1, 2);
        cr_expect(fmpq_equal(q->lambda_w + 0, x));
        fmpq_set_si(x, 1, 3);   /* W_2 and the new W_3 repeat lambda_{W_2} */
        cr_expect(fmpq_equal(q->lambda_w + 1, x) && fmpq_equal(q->lambda_w + 2, x));
        fmpq_set_si(x, 1, 5);   /* the old W_3 is the new W_4 */
        cr_expect(fmpq_equal(q->lambda_w + 3, x));
        fmpq_clear(x);
    }
    dnc_problem_clear(q);
    dnc_problem_clear(p);

    tu_problem(p, "2", "1", "1", "4", "relu", "none", "1/250");
    dnc_problem_init(q);
    cr_expect_eq(dnc_problem_deepen(q, p, e, sizeof(e)), -1);
    cr_expect(strstr(e, "--L: deepening needs L >= 2") != NULL, "%s", e);
    dnc_problem_clear(q);
    dnc_problem_clear(p);
}

/* The deeper point has the same output (so the same fit, to rounding), the new layer is a
 * positive multiple of the identity, the bias is untouched, and every lambda ||X||^2 is
 * the same (the rebalancing); the loss does not exceed that of the identity inserted
 * without rebalancing. */
Test(deepen, same_output_balanced)
{
    dnc_problem_t p, q;
    dnc_trainer_t t, u;
    dnc_train_opts o;
    double *theta, a0 = 0, c;
    char e[256];
    slong b, i, j, lo, hi, d = 7;
    tu_problem_lambdas(p, "3", "2,1,3", "3", "5,6,7", "relu,relu", "free", "1/100", "1/40", "1/90,1/20,1/300");
    train(t, p, 200, 3);
    dnc_problem_init(q);
    cr_assert_eq(dnc_point_deepen(q, &theta, p, t->theta, e, sizeof(e)), 0, "%s", e);
    dnc_train_opts_default(&o);
    cr_assert_eq(dnc_trainer_init_point(u, q, &o, theta), 0);
    cr_expect_lt(fabs(u->fit - t->fit), 1e-13 * t->fit, "fit %.17g vs %.17g", u->fit, t->fit);
    for (b = 0; b <= q->L; b++) {
        double s = 0, lam = fmpq_get_d(b == 0 ? q->lambda_h : q->lambda_w + b - 1);
        block_range(&lo, &hi, q, b);
        for (i = lo; i < hi; i++)
            s += theta[i] * theta[i];
        if (b == 0)
            a0 = lam * s;
        cr_expect_lt(fabs(lam * s - a0), 1e-12 * a0, "block %ld: %.17g vs %.17g", (long) b, lam * s, a0);
    }
    block_range(&lo, &hi, q, 3);   /* the new W_3: c I_7 */
    c = theta[lo];
    cr_expect_gt(c, 0);
    for (i = 0; i < d; i++)
        for (j = 0; j < d; j++)
            cr_expect_eq(theta[lo + j * d + i], i == j ? c : 0.0);
    for (i = 0; i < q->K; i++)
        cr_expect_eq(theta[dnc_param_offset(q, q->N, DNC_B, 0) + i], t->theta[dnc_param_offset(p, p->N, DNC_B, 0) + i]);
    free(theta);
    dnc_trainer_clear(u);
    dnc_trainer_clear(t);
    dnc_problem_clear(q);
    dnc_problem_clear(p);
}

/* From the DNC solution at depth 3 to the DNC solution at depth 4: K = 2, n = 5, all
 * lambda = 0.004. Reference values: closed-forms.md §1 (f* at L = 3) and the closed form
 * of `dncert closed-form dnc --K 2 --n 5 --L 4` (0.031853...; computed by the certifier,
 * an independent code path from the trainer). */
Test(deepen, dnc_at_L_to_dnc_at_L_plus_1, .timeout = 60)
{
    dnc_problem_t p, q;
    dnc_trainer_t t, u;
    dnc_train_opts o;
    double *theta;
    char e[256];
    tu_problem(p, "2", "5", "3", "10", "relu", "none", "0.004");
    train(t, p, 20000, 1);
    cr_assert_lt(fabs(t->loss - 0.023853593128578949), 1e-9, "L = 3: %.17g", t->loss);
    dnc_problem_init(q);
    cr_assert_eq(dnc_point_deepen(q, &theta, p, t->theta, e, sizeof(e)), 0, "%s", e);
    dnc_train_opts_default(&o);
    o.optimizer = DNC_OPT_LBFGS;
    o.steps = 20000;
    cr_assert_eq(dnc_trainer_init_point(u, q, &o, theta), 0);
    cr_expect_lt(u->loss, 0.5, "the deeper start is not the zero point");
    while (dnc_trainer_step(u) == DNC_STOP_NONE)
        ;
    {
        const char *cf[] = { "closed-form", "dnc", "--K", "2", "--n", "5", "--L", "4", "--width", "10", NULL };
        json_t *j;
        double ref;
        cr_assert_eq(tu_run(out, err, sizeof(out), cf), 0, "%s", err);
        j = json_loads(out, 0, NULL);
        cr_assert(j != NULL);
        ref = atof(json_string_value(json_object_get(json_object_get(j, "loss"), "decimal")));
        cr_expect_lt(fabs(u->loss - ref), 1e-9, "L = 4: trained %.17g, closed form %.17g", u->loss, ref);
        json_decref(j);
    }
    free(theta);
    dnc_trainer_clear(u);
    dnc_trainer_clear(t);
    dnc_problem_clear(q);
    dnc_problem_clear(p);
}

/* The command: --deepen needs --init; the run it writes is one layer deeper; L = 1 is refused;
 * --L one more than the run's, without --deepen, is refused with a hint to use --deepen. */
Test(deepen, command_line)
{
    char dir[256], a[300], b[300], c[300], path[400];
    dnc_problem_t p;
    double *theta;
    char e[4096];
    tu_tmpdir(dir, sizeof(dir));
    snprintf(a, sizeof(a), "%s/a", dir);
    snprintf(b, sizeof(b), "%s/b", dir);
    snprintf(c, sizeof(c), "%s/c", dir);
    {
        const char *args[] = { "train", "--deepen", "--steps", "1", "--quiet", NULL };
        cr_expect_eq(tu_run(out, err, sizeof(out), args), 2);
        cr_expect(strstr(err, "--deepen: needs --init DIR") != NULL, "%s", err);
    }
    {
        const char *args[] = { "train", "--K", "3", "--n", "2", "--L", "2", "--width", "6", "--steps", "50",
                               "--quiet", "--out", a, NULL };
        cr_assert_eq(tu_run(out, err, sizeof(out), args), 0, "%s", err);
    }
    {
        const char *args[] = { "train", "--init", a, "--deepen", "--steps", "10", "--quiet", "--out", b, NULL };
        cr_assert_eq(tu_run(out, err, sizeof(out), args), 0, "%s", err);
    }
    dnc_problem_init(p);
    cr_assert_eq(dnc_point_load(b, p, &theta, e, sizeof(e)), 0, "%s", e);
    cr_expect_eq(p->L, 3);
    cr_expect(p->width[2] == 6 && p->act[1] == DNC_ACT_RELU);
    free(theta);
    dnc_problem_clear(p);
    {   /* problem options must agree with the deeper problem */
        const char *args[] = { "train", "--init", a, "--deepen", "--L", "2", "--steps", "1", "--quiet", NULL };
        cr_expect_eq(tu_run(out, err, sizeof(out), args), 2);
        cr_expect(strstr(err, "is for another problem") != NULL, "%s", err);
        cr_expect(strstr(err, "add --deepen") == NULL, "%s", err);
    }
    {   /* --L one more than the run's without --deepen: refused, with the hint */
        const char *args[] = { "train", "--init", a, "--L", "3", "--steps", "1", "--quiet", NULL };
        cr_expect_eq(tu_run(out, err, sizeof(out), args), 2);
        cr_expect(strstr(err, "--L 3 does not agree") != NULL && strstr(err, "add --deepen instead of --L") != NULL,
                  "%s", err);
    }
    {
        const char *args[] = { "train", "--K", "2", "--n", "1", "--L", "1", "--steps", "1", "--quiet", "--out", c, NULL };
        cr_assert_eq(tu_run(out, err, sizeof(out), args), 0, "%s", err);
    }
    {
        const char *args[] = { "train", "--init", c, "--deepen", "--steps", "1", "--quiet", NULL };
        cr_expect_eq(tu_run(out, err, sizeof(out), args), 2);
        cr_expect(strstr(err, "--deepen:") != NULL && strstr(err, "L >= 2") != NULL, "%s", err);
    }
    snprintf(path, sizeof(path), "%s/summary.json", b);
    {
        json_t *s = json_load_file(path, 0, NULL);
        cr_assert(s != NULL);
        cr_expect_str_eq(json_string_value(json_object_get(json_object_get(s, "run"), "init")), "fan-in");
        cr_expect(json_is_null(json_object_get(json_object_get(s, "run"), "init_std")));
        json_decref(s);
    }
}

/* The fan-in start: each block N(0, 1/(2d)) with d its number of input rows, from the
 * same standard normal draws as --init-std. Widths 4, 9, 16 make every block's factor
 * different: H1 and W_1 1/sqrt(8), W_2 1/sqrt(18), W_3 and the bias 1/sqrt(32). */
Test(init, fan_in_blocks)
{
    dnc_problem_t p;
    dnc_trainer_t t;
    dnc_train_opts o;
    double *z, f[5] = { 1 / sqrt(8.0), 1 / sqrt(8.0), 1 / sqrt(18.0), 1 / sqrt(32.0), 1 / sqrt(32.0) };
    slong b, i, lo, hi, n;
    tu_problem(p, "3", "2", "3", "4,9,16", "relu", "free", "1/250");
    dnc_train_opts_default(&o);
    cr_expect_eq(o.init_std, DNC_INIT_FAN_IN, "fan-in is the default");
    o.steps = 0;
    o.seed = 11;
    cr_assert_eq(dnc_trainer_init(t, p, &o), 0);
    n = t->n;
    z = malloc(n * sizeof(double));
    dnc_randn(z, n, 1.0, 11);
    for (b = 0; b <= p->L + 1; b++) {
        if (b <= p->L)
            block_range(&lo, &hi, p, b);
        else {
            lo = dnc_param_offset(p, p->N, DNC_B, 0);
            hi = n;
        }
        for (i = lo; i < hi; i++)
            cr_expect_eq(t->theta[i], z[i] * f[b], "block %ld entry %ld", (long) b, (long) i);
    }
    free(z);
    dnc_trainer_clear(t);
    dnc_problem_clear(p);
}

/* The reason for the fan-in default (issue: "the default init std sends GD to the zero
 * point at L = 5 and at width 10"): K = 3, n = 1, L = 5, width 10, GD with its defaults.
 * From N(0, 0.1^2) every seed ends at the zero point (loss 1/2); from the fan-in start
 * every seed ends near the DNC value 0.0359 (closed form). */
Test(init, default_escapes_the_zero_point, .timeout = 60)
{
    dnc_problem_t p;
    dnc_train_opts o;
    ulong s;
    tu_problem(p, "3", "1", "5", "10", "relu", "none", "1/250");
    for (s = 1; s <= 3; s++) {
        int k;
        for (k = 0; k < 2; k++) {
            dnc_trainer_t t;
            dnc_train_opts_default(&o);
            o.seed = s;
            if (k == 1)
                o.init_std = 0.1;
            cr_assert_eq(dnc_trainer_init(t, p, &o), 0);
            while (dnc_trainer_step(t) == DNC_STOP_NONE)
                ;
            if (k == 0)
                cr_expect_lt(t->loss, 0.04, "fan-in, seed %lu: %.17g", (unsigned long) s, t->loss);
            else
                cr_expect_gt(t->loss, 0.49, "std 0.1, seed %lu: %.17g", (unsigned long) s, t->loss);
            dnc_trainer_clear(t);
        }
    }
    dnc_problem_clear(p);
}
