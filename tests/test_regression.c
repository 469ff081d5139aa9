/* The trainer against the theorems: trained points compared with certified closed forms. */
#include <math.h>
#include <stdio.h>
#include <criterion/criterion.h>
#include "dncert/closed.h"
#include "dncert/train.h"
#include "testutil.h"

#define PREC 128

/* Trains with L-BFGS until it stalls; returns the final point's loss enclosed rigorously
 * (the double point imported exactly into balls) in f, and the double loss. The initial
 * scale is 0.5: from the default 0.1, deep narrow models often converge to the zero
 * critical point (docs/trainer.md), which says nothing about the optimum. */
static double train_and_enclose(arb_t f, dnc_problem_t p, ulong seed)
{
    dnc_trainer_t t;
    dnc_train_opts o;
    dnc_bpoint_t x;
    dnc_beval_t e;
    double loss;
    dnc_train_opts_default(&o);
    o.optimizer = DNC_OPT_LBFGS;
    o.lr = 1.0;
    o.steps = 20000;
    o.seed = seed;
    o.init_std = 0.5;
    cr_assert_eq(dnc_trainer_init(t, p, &o), 0);
    while (dnc_trainer_step(t) == DNC_STOP_NONE)
        ;
    cr_assert_neq(t->stop, DNC_STOP_DIVERGED);
    dnc_bpoint_init(x, p);
    dnc_bpoint_set_theta(x, t->theta);
    dnc_beval_init(e);
    dnc_ball_eval(e, x, 0, PREC);
    arb_set(f, e->loss);
    loss = t->loss;
    dnc_beval_clear(e);
    dnc_bpoint_clear(x);
    dnc_trainer_clear(t);
    return loss;
}

/* Súkeník, Mondelli, Lampert (2023): for K = 2 the DNC point (or 0) is globally optimal.
 * No trained point may have a loss certified below the certified DNC value -- that would
 * contradict the theorem (or reveal a bug in the trainer or the certifier) -- and the best
 * of a few seeds reaches it to 1e-7. */
static void binary_case(const char *n, const char *L, const char *lambda)
{
    dnc_problem_t p;
    dnc_closed_t c;
    char err[256];
    arb_t f;
    double best = INFINITY, dnc_mid;
    ulong s;
    tu_problem(p, "2", n, L, "6", "relu", "none", lambda);
    cr_assert_eq(dnc_closed_build(c, "dnc", p, 0, 0, PREC, err, sizeof(err)), 0, "%s", err);
    arb_init(f);
    dnc_mid = arf_get_d(arb_midref(c->loss), ARF_RND_NEAR);
    for (s = 1; s <= 6; s++) {
        double loss = train_and_enclose(f, p, s);
        if (arb_lt(f, c->loss)) {
            char *a = arb_get_str(f, 30, 0), *b = arb_get_str(c->loss, 30, 0);
            cr_assert_fail("CONTRADICTION WITH THE K = 2 THEOREM: seed %lu reached loss %s, certified below the "
                           "DNC value %s (K=2, n=%s, L=%s, lambda=%s)", s, a, b, n, L, lambda);
        }
        best = fmin(best, loss);
    }
    cr_assert_lt(fabs(best - dnc_mid), 1e-7, "best trained %.17g vs certified DNC value %.17g (n=%s L=%s lambda=%s)",
                 best, dnc_mid, n, L, lambda);
    arb_clear(f);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

Test(regression, binary_dnc_is_never_beaten, .timeout = 60)
{
    binary_case("5", "3", "1/250");
    binary_case("1", "4", "1/100");
    binary_case("3", "2", "1/20");
}

/* Dang et al. (2023): the deep linear closed form is the global optimum; training reaches
 * the certified value to 1e-9, balanced and imbalanced, with and without a bias. */
static void linear_case(const char *n, const char *L, const char *bias, const char *lambda)
{
    dnc_problem_t p;
    dnc_closed_t c;
    char err[256];
    arb_t f;
    double best = INFINITY, value;
    ulong s;
    tu_problem(p, "4", n, L, "4", "linear", bias, lambda);
    cr_assert_eq(dnc_closed_build(c, "deep-linear", p, 0, 0, PREC, err, sizeof(err)), 0, "%s", err);
    value = arf_get_d(arb_midref(c->loss), ARF_RND_NEAR);
    arb_init(f);
    for (s = 1; s <= 3; s++) {
        best = fmin(best, train_and_enclose(f, p, s));
        cr_assert_not(arb_lt(f, c->loss), "a trained point is certified below the global optimum (n=%s, bias %s)", n, bias);
    }
    cr_assert_lt(fabs(best - value), 1e-9, "trained %.17g vs certified closed form %.17g (n=%s L=%s bias %s)",
                 best, value, n, L, bias);
    arb_clear(f);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

Test(regression, deep_linear_matches_closed_form, .timeout = 60)
{
    linear_case("100", "3", "none", "1/2000");
    linear_case("200,100,50,50", "3", "none", "1/2000");
    linear_case("200,100,50,50", "3", "free", "1/2000");
    linear_case("10", "6", "free", "1/1000");
}
