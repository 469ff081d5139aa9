/* Solution classes on points whose class is known by construction. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "dncert/io.h"
#include "dncert/metrics.h"
#include "dncert/train.h"
#include "testutil.h"

#define CAP 65536
static char out[CAP], err[CAP];

static void export(const char *dir, const char *const *args)
{
    const char *a[32];
    int n = 0;
    while (args[n] != NULL) {
        a[n] = args[n];
        n++;
    }
    a[n++] = "--export";
    a[n++] = dir;
    a[n] = NULL;
    cr_assert_eq(tu_run(out, err, CAP, a), 0, "%s", err);
}

static void expect_class(const char *dir, const char *cls)
{
    const char *args[] = { "classify", dir, NULL };
    char want[64];
    cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s", err);
    snprintf(want, sizeof(want), ": %s (", cls);
    cr_assert(strstr(out, want) != NULL, "expected class %s:\n%s", cls, out);
}

/* The closed-form DNC point is DNC by construction (docs/math/dnc.md). */
Test(classify, dnc_point)
{
    char d[256], p[300];
    const char *cf[] = { "closed-form", "dnc", "--K", "4", "--n", "3", "--L", "3", "--width", "6", NULL };
    tu_tmpdir(d, sizeof(d));
    snprintf(p, sizeof(p), "%s/pt", d);
    export(p, cf);
    expect_class(p, "dnc");
}

/* The SRG point with r = 5 (K = 10, L = 4) has pre-activation class means of rank r = 5 at
 * layer 4 (closed-forms.md §2): low-rank, with the rank profile showing 5 there. */
Test(classify, srg_point_is_low_rank)
{
    char d[256], p[300];
    const char *cf[] = { "closed-form", "srg", "--r", "5", "--K", "10", "--n", "1", "--L", "4", "--width", "10", NULL };
    tu_tmpdir(d, sizeof(d));
    snprintf(p, sizeof(p), "%s/pt", d);
    export(p, cf);
    expect_class(p, "low-rank");
    cr_assert(strstr(out, "layer 4: 5 -> 10") != NULL, "%s", out);
}

/* Zeroing the row of W_L of class 2 in the DNC point kills that class. */
Test(classify, dead_class)
{
    char d[256], p[300], q[300], msg[512];
    const char *cf[] = { "closed-form", "dnc", "--K", "3", "--n", "2", "--L", "2", "--width", "3", NULL };
    dnc_problem_t pr;
    double *theta;
    slong off, j;
    tu_tmpdir(d, sizeof(d));
    snprintf(p, sizeof(p), "%s/pt", d);
    snprintf(q, sizeof(q), "%s/dead", d);
    export(p, cf);
    dnc_problem_init(pr);
    cr_assert_eq(dnc_point_load(p, pr, &theta, msg, sizeof(msg)), 0, "%s", msg);
    off = dnc_param_offset(pr, pr->N, DNC_W, pr->L);
    for (j = 0; j < pr->width[pr->L - 1]; j++)
        theta[off + 2 + pr->K * j] = 0.0;     /* row 2 of W_L (K x d_L, column-major) */
    cr_assert_eq(dnc_mkdir_p(q, msg, sizeof(msg)), 0);
    cr_assert_eq(dnc_point_save(q, pr, theta, NULL, msg, sizeof(msg)), 0, "%s", msg);
    expect_class(q, "dead-classes");
    free(theta);
    dnc_problem_clear(pr);
}

/* A random point (no training, n = 3 distinct samples per class) is not collapsed. */
Test(classify, random_point_unclassified)
{
    char d[256], p[300];
    const char *tr[] = { "train", "--K", "3", "--n", "3", "--steps", "0", "--quiet", "--out", NULL, NULL };
    tu_tmpdir(d, sizeof(d));
    snprintf(p, sizeof(p), "%s/pt", d);
    tr[9] = p;
    cr_assert_eq(tu_run(out, err, CAP, tr), 0, "%s", err);
    expect_class(p, "unclassified");
}

/* Far above the alive threshold the trainer reaches the zero point; train prints the class. */
Test(classify, zero_point_in_train_summary)
{
    const char *tr[] = { "train", "--lambda", "0.5", "--optimizer", "lbfgs", "--quiet", NULL };
    cr_assert_eq(tu_run(out, err, CAP, tr), 0, "%s", err);
    cr_assert(strstr(out, "class      zero (") != NULL, "%s", out);
}

/* A diverged run (here: weights overflow, every ReLU dead, so W_L H_L = 0 but the
 * regulariser is infinite) must not be called the zero point. */
Test(classify, diverged_run_is_not_zero)
{
    const char *tr[] = { "train", "--K", "10", "--n", "50", "--L", "4", "--width", "30", "--init-std", "0.5",
                         "--lr", "0.5", "--steps", "50", "--seed", "1", "--quiet", NULL };
    cr_assert_eq(tu_run(out, err, CAP, tr), 1, "%s", err);
    cr_assert(strstr(err, "diverged at step") != NULL, "%s", err);
    cr_assert(strstr(out, "class      zero") == NULL, "a diverged run was called the zero point:\n%s", out);
    cr_assert(strstr(out, "class      unclassified (") != NULL, "%s", out);
}

/* The trainer calls a run diverged when the gradient norm is not finite even if the loss
 * is (sqrt(ddot) overflows above ~1e154); the class must agree. The exported DNC point
 * with its true gradient norm is DNC, with an infinite one "diverged". */
Test(classify, infinite_gradient_is_diverged)
{
    char dir[256], e[512];
    const char *args[] = { "closed-form", "dnc", "--K", "3", "--n", "2", "--L", "2", "--width", "4", NULL };
    dnc_problem_t p;
    dnc_dobj_t obj;
    dnc_layer_metrics m[2];
    dnc_classification c;
    dnc_classify_tol tol;
    double *theta;
    tu_tmpdir(dir, sizeof(dir));
    cr_assert_eq(dnc_remove_tree(dir), 0);
    export(dir, args);
    dnc_problem_init(p);
    cr_assert_eq(dnc_point_load(dir, p, &theta, e, sizeof(e)), 0, "%s", e);
    cr_assert_eq(dnc_dobj_init(obj, p), 0);
    dnc_dobj_eval(obj, theta, NULL);
    dnc_metrics_layers(m, obj, theta, 1e-6);
    dnc_classify_tol_default(&tol);
    dnc_classify(&c, obj, theta, m, 1e-9, &tol);
    cr_assert_eq(c.cls, DNC_CLASS_DNC, "%s", c.reason);
    dnc_classify(&c, obj, theta, m, INFINITY, &tol);
    cr_assert_eq(c.cls, DNC_CLASS_UNCLASSIFIED);
    cr_assert(strstr(c.reason, "diverged") != NULL, "%s", c.reason);
    dnc_layer_metrics_clear(m, 2);
    free(theta);
    dnc_dobj_clear(obj);
    dnc_problem_clear(p);
}

/* Dead classes are found among all K classes (they used to be looked for among the first
 * 4096 only): K = 5000, L = 1, width 2, random point with the row of class 4500 of W_1
 * set to zero -- that class, and only it, is dead. */
Test(classify, dead_class_beyond_4096)
{
    dnc_problem_t p;
    dnc_dobj_t obj;
    dnc_layer_metrics m[1];
    dnc_classification c;
    dnc_classify_tol tol;
    double *theta, *W;
    tu_problem(p, "5000", "1", "1", "2", NULL, "none", "0.004");
    cr_assert_eq(dnc_dobj_init(obj, p), 0);
    theta = malloc(obj->nparams * sizeof(double));
    dnc_randn(theta, obj->nparams, 1.0, 3);
    W = theta + dnc_param_offset(p, p->N, DNC_W, 1);   /* K x 2, column-major */
    W[4500] = W[4500 + 5000] = 0.0;
    dnc_dobj_eval(obj, theta, NULL);
    dnc_metrics_layers(m, obj, theta, 1e-6);
    dnc_classify_tol_default(&tol);
    dnc_classify(&c, obj, theta, m, 1.0, &tol);
    cr_assert_eq(c.cls, DNC_CLASS_DEAD_CLASSES, "%s", c.reason);
    cr_assert_eq(c.ndead, 1);
    cr_assert_eq(c.dead[0], 4500);
    dnc_layer_metrics_clear(m, 1);
    free(theta);
    dnc_dobj_clear(obj);
    dnc_problem_clear(p);
}
