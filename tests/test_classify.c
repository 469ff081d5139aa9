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
    cr_assert_eq(tu_run_export(out, err, CAP, args, dir), 0, "%s", err);
}

static void expect_class(const char *dir, const char *cls)
{
    const char *args[] = { "classify", dir, NULL };
    char want[64];
    cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s", err);
    snprintf(want, sizeof(want), ": %s (", cls);
    cr_assert(strstr(out, want) != NULL, "expected class %s:\n%s", cls, out);
}

/* Exports the closed-form point of cf and expects its class; with profile != NULL also that
 * line of the rank profile. */
static void expect_closed_class(const char *const *cf, const char *cls, const char *profile)
{
    char d[256], p[300];
    tu_tmpdir(d, sizeof(d));
    snprintf(p, sizeof(p), "%s/pt", d);
    export(p, cf);
    expect_class(p, cls);
    if (profile != NULL)
        cr_assert(strstr(out, profile) != NULL, "'%s' not in:\n%s", profile, out);
}

/* The closed-form DNC point is DNC by construction (docs/math/dnc.md). */
Test(classify, dnc_point)
{
    const char *cf[] = { "closed-form", "dnc", "--K", "4", "--n", "3", "--L", "3", "--width", "6", NULL };
    expect_closed_class(cf, "dnc", NULL);
}

/* The SRG point with r = 5 (K = 10, L = 4) has pre-activation class means of rank r = 5 at
 * layer 4 (closed-forms.md §2): low-rank, with the rank profile showing 5 there. */
Test(classify, srg_point_is_low_rank)
{
    const char *cf[] = { "closed-form", "srg", "--r", "5", "--K", "10", "--n", "1", "--L", "4", "--width", "10", NULL };
    expect_closed_class(cf, "low-rank", "layer 4: 5 -> 10");
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

/* ---- the dnc class follows what the K = 2 theorem pins down (docs/metrics.md) ---- */

/* Loads the closed-form point exported with the arguments cf; pr is initialised. */
static double *load_closed(dnc_problem_t pr, const char *const *cf)
{
    char d[256], p[300], msg[512];
    double *theta;
    tu_tmpdir(d, sizeof(d));
    snprintf(p, sizeof(p), "%s/pt", d);
    export(p, cf);
    dnc_problem_init(pr);
    cr_assert_eq(dnc_point_load(p, pr, &theta, msg, sizeof(msg)), 0, "%s", msg);
    return theta;
}

/* Classifies theta with the default tolerances; m (p->L entries) receives the metrics,
 * the loss is returned. */
static double classify_theta(dnc_classification *c, dnc_layer_metrics *m, dnc_problem_t p,
                             const double *theta)
{
    dnc_dobj_t obj;
    dnc_classify_tol tol;
    double f, *g;
    cr_assert_eq(dnc_dobj_init(obj, p), 0);
    g = malloc(obj->nparams * sizeof(double));
    f = dnc_dobj_eval(obj, theta, g);
    dnc_metrics_layers(m, obj, theta, DNC_RANK_TOL_DEFAULT);
    dnc_classify_tol_default(&tol);
    dnc_classify(c, obj, theta, m, dnc_dobj_grad_norm(obj, g), &tol);
    free(g);
    dnc_dobj_clear(obj);
    return f;
}

/* The DNC point with K = 2 (n = 3, L = 3, width 4) has H1 class means a e_1, a e_2 and
 * W_1 = s_1 (e_1 e_1^T + e_2 e_2^T). Replace them by antipodal class means +a e_1, -a e_1 and
 * W_1 = s_1 (e_1 - e_2) e_1^T: the pre-activations of layer 2 are a s_1 (e_1 - e_2) and
 * a s_1 (e_2 - e_1), their ReLUs a s_1 e_1 and a s_1 e_2 as before, and ||H1||, ||W_1|| are
 * unchanged -- the same output, the same loss, with H1 of rank 1 (cosine -1). The theorem
 * pins the geometry down only after the ReLUs, so this point is DNC. */
static void make_antipodal(const dnc_problem_t pr, double *theta)
{
    double *H = theta + dnc_param_offset(pr, pr->N, DNC_H, 1);
    double *W = theta + dnc_param_offset(pr, pr->N, DNC_W, 1);
    slong d1 = pr->width[0], d2 = pr->width[1], j;
    double a = H[0], s1 = W[0];
    cr_assert(a > 0 && s1 > 0 && H[d1 * pr->n[0] + 1] == a && W[d2 + 1] == s1, "not the DNC point");
    for (j = pr->n[0]; j < pr->N; j++) {   /* class 2: a e_2 -> -a e_1 */
        H[d1 * j] = -a;
        H[d1 * j + 1] = 0.0;
    }
    W[1] = -s1;       /* W_1 (d_2 x d_1, column-major): column 1 = s_1 (e_1 - e_2) */
    W[d2 + 1] = 0.0;  /* column 2 = 0 */
}

Test(classify, antipodal_h1_at_dnc_value_is_dnc)
{
    const char *cf[] = { "closed-form", "dnc", "--K", "2", "--n", "3", "--L", "3", "--width", "4", NULL };
    dnc_problem_t pr;
    dnc_layer_metrics m[3];
    dnc_classification c;
    double *theta = load_closed(pr, cf), f0, f1;
    f0 = classify_theta(&c, m, pr, theta);
    cr_assert_eq(c.cls, DNC_CLASS_DNC, "%s", c.reason);
    cr_assert(fabs(f0 - c.dnc_value) <= 1e-15, "%.17g vs %.17g", f0, c.dnc_value);
    dnc_layer_metrics_clear(m, 3);
    make_antipodal(pr, theta);
    f1 = classify_theta(&c, m, pr, theta);
    cr_assert_eq(f1, f0, "the antipodal point changes the loss: %.17g vs %.17g", f1, f0);
    cr_assert_eq(m[0].post.rank, 1, "H1 class means should have rank 1");
    cr_assert_eq(m[1].pre.rank, 1, "the pre-activations of layer 2 should have rank 1");
    cr_assert(m[0].post.nc2_orth > 0.5, "H1 class means should be far from an orthogonal frame");
    cr_assert_eq(c.cls, DNC_CLASS_DNC, "%s", c.reason);
    cr_assert(strstr(c.reason, "at the DNC value") != NULL, "%s", c.reason);
    dnc_layer_metrics_clear(m, 3);
    free(theta);
    dnc_problem_clear(pr);
}

/* The same shapes away from the DNC value are not DNC: the DNC point and its antipodal
 * variant with H1 scaled by 3/2 (still collapsed, orthogonal after the ReLUs, aligned, rank K
 * after every activation; loss above f_DNC). With --loss-tol large enough the scaled DNC
 * point is accepted again: the value is what decides. */
Test(classify, dnc_shape_off_the_value_is_not_dnc)
{
    const char *cf[] = { "closed-form", "dnc", "--K", "2", "--n", "3", "--L", "3", "--width", "4", NULL };
    dnc_problem_t pr;
    dnc_layer_metrics m[3];
    dnc_classification c;
    char d[256], q[300], msg[512];
    double *theta = load_closed(pr, cf), *H, f;
    slong i, off = dnc_param_offset(pr, pr->N, DNC_H, 1);
    H = theta + off;
    for (i = 0; i < pr->width[0] * pr->N; i++)
        H[i] *= 1.5;
    f = classify_theta(&c, m, pr, theta);
    cr_assert(f > 1.01 * c.dnc_value, "f = %g, f_DNC = %g", f, c.dnc_value);
    cr_assert(m[1].post.nc2_orth <= 1e-12 && m[2].post.nc2_orth <= 1e-12 && m[2].nc3 <= 1e-12);
    cr_assert_eq(c.cls, DNC_CLASS_UNCLASSIFIED, "%s: %s", dnc_solution_class_name(c.cls), c.reason);
    cr_assert(strstr(c.reason, "not at the DNC value") != NULL, "%s", c.reason);
    dnc_layer_metrics_clear(m, 3);

    tu_tmpdir(d, sizeof(d));
    snprintf(q, sizeof(q), "%s/scaled", d);
    cr_assert_eq(dnc_mkdir_p(q, msg, sizeof(msg)), 0);
    cr_assert_eq(dnc_point_save(q, pr, theta, NULL, msg, sizeof(msg)), 0, "%s", msg);
    expect_class(q, "unclassified");
    {
        const char *args[] = { "classify", q, "--loss-tol", "10", NULL };
        cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s", err);
        cr_assert(strstr(out, ": dnc (") != NULL, "%s", out);
    }

    for (i = 0; i < pr->width[0] * pr->N; i++)
        H[i] /= 1.5;
    make_antipodal(pr, theta);
    for (i = 0; i < pr->width[0] * pr->N; i++)
        H[i] *= 1.5;
    classify_theta(&c, m, pr, theta);
    cr_assert_neq(c.cls, DNC_CLASS_DNC, "%s", c.reason);
    cr_assert_eq(c.cls, DNC_CLASS_LOW_RANK, "%s: %s", dnc_solution_class_name(c.cls), c.reason);
    dnc_layer_metrics_clear(m, 3);
    free(theta);
    dnc_problem_clear(pr);
}

/* The SRG point with r = 4 at L = 2 (K = 6) has the DNC shape after its one ReLU
 * (ReLU(Mtilde_2) = I, W_2 aligned) but H1 of rank 4, pre-activations of rank 3 (r - 1 at
 * r = 4) and a loss above the DNC value (docs/theorems.md: f_SRG/f_DNC = 1.2572 at
 * lambda = 1/250): low-rank, not DNC. */
Test(classify, srg_at_L2_is_not_dnc)
{
    const char *cf[] = { "closed-form", "srg", "--r", "4", "--K", "6", "--n", "1", "--L", "2", "--width", "6", NULL };
    expect_closed_class(cf, "low-rank", "layer 2: 3 -> 6");
}

/* Without a DNC value (here: a free bias, kept at 0) nothing replaces the tests at H1 and
 * before the first ReLU, so the whole geometry is required: the DNC point is DNC, its
 * antipodal variant (same loss) is low-rank. */
Test(classify, without_dnc_value_every_layer_counts)
{
    const char *cf[] = { "closed-form", "dnc", "--K", "2", "--n", "3", "--L", "3", "--width", "4", NULL };
    dnc_problem_t pr, pb;
    dnc_layer_metrics m[3];
    dnc_classification c;
    double *theta = load_closed(pr, cf), *tb;
    slong np = dnc_param_offset(pr, pr->N, DNC_NKINDS, 0), nb;
    tu_problem(pb, "2", "3", "3", "4", "relu", "free", "0.004");
    nb = dnc_param_offset(pb, pb->N, DNC_NKINDS, 0);
    cr_assert_eq(nb, np + 2);
    tb = calloc(nb, sizeof(double));
    memcpy(tb, theta, np * sizeof(double));   /* same layout, bias b = 0 appended */
    classify_theta(&c, m, pb, tb);
    cr_assert_eq(c.cls, DNC_CLASS_DNC, "%s: %s", dnc_solution_class_name(c.cls), c.reason);
    cr_assert(isnan(c.dnc_value));
    cr_assert(strstr(c.reason, "no DNC value") != NULL, "%s", c.reason);
    dnc_layer_metrics_clear(m, 3);
    make_antipodal(pr, theta);
    memcpy(tb, theta, np * sizeof(double));
    classify_theta(&c, m, pb, tb);
    cr_assert_eq(c.cls, DNC_CLASS_LOW_RANK, "%s: %s", dnc_solution_class_name(c.cls), c.reason);
    dnc_layer_metrics_clear(m, 3);
    free(tb);
    free(theta);
    dnc_problem_clear(pb);
    dnc_problem_clear(pr);
}
