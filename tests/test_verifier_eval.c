/* The checker's own evaluator of the objective (src/verifier/veval.c) against the producer's
 * (src/exact/ball_eval.c, through the one objective definition): two independent codes must
 * enclose the same loss, fit, regulariser and gradient, and find the same ReLU kinks, on
 * random points of every kind -- activations mixed, with and without a bias, balanced and
 * imbalanced counts, collapsed and expanded layouts, per-layer weight decays, and entries
 * that are exactly zero so that pre-activations vanish (kinks) -- under MSE and under
 * cross-entropy (the checker's own log-sum-exp against the producer's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "dncert/exact.h"
#include "dncert/io.h"
#include "verifier/verifier.h"
#include "testutil.h"

#define PREC 256

typedef struct {
    const char *K, *n, *L, *width, *act, *bias, *lambda_h, *lambda_w;
    int collapsed;
} config;

static const config configs[] = {
    { "2", "3", "1", "3", "relu", "none", "1/250", "1/250", 1 },
    { "3", "2,1,4", "2", "4,3", "relu", "none", "1/100", "1/50,1/7", 0 },
    { "3", "2,1,4", "2", "4,3", "relu", "free", "1/100", "1/50,1/7", 1 },
    { "4", "2", "3", "5,3,4", "relu,linear", "free", "0.004", "0.004", 0 },
    { "4", "1,3,2,2", "4", "3,5,2,4", "linear,relu,relu", "none", "1/3", "1/5,2,1/9,1", 1 },
    { "5", "1", "3", "6", "linear,linear", "free", "1/1000", "1/1000", 0 },
    { "2", "5,2", "5", "3,4,3,2,3", "relu,relu,relu,relu", "none", "1/20", "1/20", 0 },
};

/* A random double in [-1, 1], exactly 0 with probability 1/4 (so that pre-activations vanish). */
static double draw(flint_rand_t st)
{
    if (n_randint(st, 4) == 0)
        return 0.0;
    return ((double) n_randint(st, 1 << 20) / (1 << 19)) - 1.0;
}

/* Dense JSON block of a ball matrix whose entries are exact doubles. */
static json_t *dense(const arb_mat_t m)
{
    json_t *a = json_array();
    slong i, j;
    char buf[64];
    for (j = 0; j < arb_mat_ncols(m); j++)
        for (i = 0; i < arb_mat_nrows(m); i++) {
            snprintf(buf, sizeof(buf), "%a", arf_get_d(arb_midref(arb_mat_entry(m, i, j)), ARF_RND_NEAR));
            json_array_append_new(a, json_string(buf));
        }
    return json_pack("{s:I, s:I, s:o}", "rows", (json_int_t) arb_mat_nrows(m), "cols", (json_int_t) arb_mat_ncols(m),
                     "dense", a);
}

static void compare(const arb_t a, const arb_t b, const char *what, const config *cf, ulong seed)
{
    cr_expect(arb_overlaps(a, b), "%s differs (K=%s L=%s act=%s bias=%s %s, seed %lu)", what, cf->K, cf->L, cf->act,
              cf->bias, cf->collapsed ? "collapsed" : "expanded", seed);
    cr_expect(tu_rad_below(a, -PREC / 2) && tu_rad_below(b, -PREC / 2), "%s: an enclosure is wide", what);
}

/* Compares both evaluations at one random point; returns its number of kinks. */
static slong check_one(const config *cf, ulong seed, dnc_loss_t loss)
{
    dnc_problem_t p;
    dnc_bpoint_t x;
    dnc_beval_t ev;
    vx_ctx c;
    vx_point P;
    arb_mat_struct *g;
    json_t *pj, *blocks, *pt;
    char err[512], name[24];
    const vx_forward *f;
    flint_rand_t st;
    slong b, i, j, l, nz = 0, k;
    tu_problem_lambdas(p, cf->K, cf->n, cf->L, cf->width, cf->act, cf->bias, NULL, cf->lambda_h, cf->lambda_w);
    p->loss = loss;
    if (cf->collapsed)
        dnc_bpoint_init_collapsed(x, p);
    else
        dnc_bpoint_init(x, p);
    flint_randinit(st);
    flint_randseed(st, seed, seed * 7 + 1);
    blocks = json_object();
    for (b = 0; b < p->L + 1 + (p->bias == DNC_BIAS_FREE); b++) {
        arb_mat_struct *m = dnc_bpoint_block(x, b);
        for (i = 0; i < arb_mat_nrows(m); i++)
            for (j = 0; j < arb_mat_ncols(m); j++)
                arb_set_d(arb_mat_entry(m, i, j), draw(st));
        json_object_set_new(blocks, dnc_param_block_name(name, p->L, b), dense(m));
    }
    dnc_beval_init(ev);
    dnc_ball_eval(ev, x, 1, PREC);

    memset(&c, 0, sizeof(c));
    c.err = err;
    c.errlen = sizeof(err);
    c.prec = c.file_prec = PREC;
    vx_problem_init(&c.p);
    pj = dnc_problem_to_json(p);
    cr_assert_eq(vx_problem_read(&c, pj), 0, "%s", err);
    cr_assert_eq(c.p.ce, loss == DNC_LOSS_CE);
    pt = json_pack("{s:s, s:{}, s:o}", "layout", cf->collapsed ? "collapsed" : "expanded", "scalars", "blocks", blocks);
    cr_assert_eq(vx_point_read(&c, &P, "p", pt, 1), 0, "%s", err);
    f = vx_point_forward(&c, &P);
    compare(f->loss, ev->loss, "loss", cf, seed);
    compare(f->fit, ev->fit, "fit", cf, seed);
    compare(f->reg, ev->reg, "reg", cf, seed);
    g = flint_malloc((p->L + 2) * sizeof(arb_mat_struct));
    vx_point_gradient(&c, &P, NULL, g);
    for (b = 0; b < p->L + 2; b++)
        for (i = 0; i < arb_mat_nrows(g + b); i++)
            for (j = 0; j < arb_mat_ncols(g + b); j++) {
                arb_srcptr u = arb_mat_entry(g + b, i, j), v = arb_mat_entry(dnc_bpoint_block(ev->grad, b), i, j);
                cr_expect(arb_overlaps(u, v), "gradient block %ld [%ld, %ld] differs (K=%s L=%s, seed %lu)", (long) b,
                          (long) i, (long) j, cf->K, cf->L, seed);
            }
    /* The same kinks: every producer kink contains 0 in the checker's enclosure, and the
     * checker finds as many. */
    for (k = 0; k < ev->nkinks; k++)
        cr_expect(arb_contains_zero(arb_mat_entry(P.fw.pre + ev->kinks[k].layer, ev->kinks[k].row, ev->kinks[k].col)));
    for (l = 2; l <= p->L; l++)
        for (j = 0; p->act[l - 2] == DNC_ACT_RELU && j < P.ncols; j++)
            for (i = 0; i < p->width[l - 1]; i++)
                nz += arb_contains_zero(arb_mat_entry(P.fw.pre + l, i, j));
    cr_expect_eq(nz, ev->nkinks, "kinks: checker %ld, producer %ld", (long) nz, (long) ev->nkinks);
    vx_grad_clear(g, p->L);
    flint_free(g);
    vx_point_clear(&P, p->L);
    vx_problem_clear(&c.p);
    json_decref(pj);
    json_decref(pt);
    dnc_beval_clear(ev);
    dnc_bpoint_clear(x);
    dnc_problem_clear(p);
    flint_randclear(st);
    return nz;
}

Test(verifier_eval, agrees_with_the_producer_on_random_points)
{
    size_t i;
    ulong seed;
    slong kinks = 0;
    for (i = 0; i < sizeof(configs) / sizeof(configs[0]); i++)
        for (seed = 1; seed <= 6; seed++)
            kinks += check_one(configs + i, seed, DNC_LOSS_MSE);
    cr_assert_gt(kinks, 20, "only %ld kinks: the kink comparison would prove little", (long) kinks);
}

Test(verifier_eval, agrees_with_the_producer_on_random_ce_points)
{
    size_t i;
    ulong seed;
    for (i = 0; i < sizeof(configs) / sizeof(configs[0]); i++)
        for (seed = 1; seed <= 6; seed++)
            check_one(configs + i, seed, DNC_LOSS_CE);
}

