/* Training reaches the known optima of closed-forms.md (reference values from the spec,
 * which were derived there analytically and checked two independent ways). */
#include <math.h>
#include <criterion/criterion.h>
#include "dncert/train.h"
#include "testutil.h"

/* Best loss over seeds 1..nseeds, training with L-BFGS until it stalls at double precision. */
static double best_of_seeds(dnc_problem_t p, int nseeds, double *worst_gnorm)
{
    double best = INFINITY;
    int s;
    *worst_gnorm = 0.0;
    for (s = 1; s <= nseeds; s++) {
        dnc_trainer_t t;
        dnc_train_opts o;
        dnc_train_opts_default(&o);
        o.optimizer = DNC_OPT_LBFGS;
        o.lr = 1.0;
        o.steps = 20000;
        o.seed = (ulong) s;
        cr_assert_eq(dnc_trainer_init(t, p, &o), 0);
        while (dnc_trainer_step(t) == DNC_STOP_NONE)
            ;
        cr_assert_neq(t->stop, DNC_STOP_DIVERGED);
        if (t->loss < best) {
            best = t->loss;
            *worst_gnorm = t->grad_norm;
        }
        dnc_trainer_clear(t);
    }
    return best;
}

/* closed-forms.md §1: K=2, n=5, L=3, all lambda = 0.004: f* = 0.0238535931285789493787... */
Test(optima, binary_dnc_value, .timeout = 30)
{
    dnc_problem_t p;
    double g, f;
    tu_problem(p, "2", "5", "3", "10", "relu", "none", "0.004");
    f = best_of_seeds(p, 4, &g);
    cr_assert_lt(fabs(f - 0.023853593128578949378790180100123856997), 1e-7,
                 "best trained loss %.17g vs DNC value 0.0238535931285789494", f);
    dnc_problem_clear(p);
}

/* closed-forms.md §3: deep linear, K=4, n=100, all lambda=0.0005, M=3, bias-free:
 * f* = 0.012629046991767579376738... */
Test(optima, deep_linear_closed_form, .timeout = 30)
{
    dnc_problem_t p;
    double g, f;
    tu_problem(p, "4", "100", "3", "8", "linear", "none", "0.0005");
    f = best_of_seeds(p, 2, &g);
    cr_assert_lt(fabs(f - 0.012629046991767579376738), 1e-9, "trained %.17g", f);
    dnc_problem_clear(p);
}

/* closed-forms.md §3 check value: K=4, n=3, lambda=0.02, M=1 (plain UFM), free bias:
 * f* = 3 * 0.0322410... = 0.0967230484541326... */
Test(optima, ufm_with_bias, .timeout = 30)
{
    dnc_problem_t p;
    double g, f;
    tu_problem(p, "4", "3", "1", "4", "relu", "free", "0.02");
    f = best_of_seeds(p, 2, &g);
    cr_assert_lt(fabs(f - 0.0967230484541326), 1e-12, "trained %.17g", f);
    dnc_problem_clear(p);
}

/* A huge step size blows up: the trainer stops and says so instead of looping on NaN. */
Test(optima, divergence_is_detected)
{
    dnc_problem_t p;
    dnc_trainer_t t;
    dnc_train_opts o;
    tu_problem(p, "3", "4", "3", "6", "relu", "none", "0.004");
    dnc_train_opts_default(&o);
    o.lr = 1e6;
    o.steps = 1000;
    cr_assert_eq(dnc_trainer_init(t, p, &o), 0);
    while (dnc_trainer_step(t) == DNC_STOP_NONE)
        ;
    cr_assert_eq(t->stop, DNC_STOP_DIVERGED);
    cr_assert_lt(t->step, 1000);
    dnc_trainer_clear(t);
    dnc_problem_clear(p);
}

/* --grad-tol stops the run as soon as the gradient norm is below it. */
Test(optima, grad_tol_stops)
{
    dnc_problem_t p;
    dnc_trainer_t t;
    dnc_train_opts o;
    tu_problem(p, "2", "2", "2", "3", "linear", "none", "0.01");
    dnc_train_opts_default(&o);
    o.optimizer = DNC_OPT_LBFGS;
    o.grad_tol = 1e-6;
    o.steps = 100000;
    cr_assert_eq(dnc_trainer_init(t, p, &o), 0);
    while (dnc_trainer_step(t) == DNC_STOP_NONE)
        ;
    cr_assert_eq(t->stop, DNC_STOP_GRAD_TOL);
    cr_assert_lt(t->grad_norm, 1e-6);
    dnc_trainer_clear(t);
    dnc_problem_clear(p);
}
