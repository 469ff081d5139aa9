/* Optimisers for full-batch training (see dncert/train.h for the update rules). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include "dncert/train.h"

void dnc_train_opts_default(dnc_train_opts *o)
{
    o->seed = 1;
    o->init_std = DNC_INIT_FAN_IN;
    o->optimizer = DNC_OPT_GD;
    o->lr = 0.5;
    o->momentum = 0.9;
    o->steps = 10000;
    o->grad_tol = 0.0;
    o->lbfgs_memory = 10;
    o->threads = 1;
}

const char *dnc_init_name(char *buf, size_t len, double init_std)
{
    if (init_std == DNC_INIT_FAN_IN)
        snprintf(buf, len, "fan-in");
    else
        snprintf(buf, len, "%g", init_std);
    return buf;
}

const char *dnc_stop_name(dnc_stop_t s)
{
    static const char *names[] = { "running", "steps", "grad_tol", "stalled", "diverged" };
    return names[s];
}

const char *dnc_optimizer_name(dnc_optimizer_t o)
{
    static const char *names[] = { "gd", "momentum", "lbfgs" };
    return names[o];
}

static double dot(const double *x, const double *y, slong n)
{
    return cblas_ddot((int) n, x, 1, y, 1);
}

/* Evaluates f and grad f at x into the trainer's bookkeeping. */
static double evaluate(dnc_trainer_t t, const double *x, double *g)
{
    double f = dnc_dobj_eval(t->obj, x, g);
    t->evals++;
    return f;
}

static void accept_point(dnc_trainer_t t, double f)
{
    t->loss = f;
    t->fit = t->obj->term[DNC_TERM_FIT];
    t->reg = t->obj->term[DNC_TERM_REG];
    t->grad_norm = dnc_dobj_grad_norm(t->obj, t->grad);
    if (!isfinite(t->loss) || !isfinite(t->grad_norm))
        t->stop = DNC_STOP_DIVERGED;
    else if (t->grad_norm < t->opts.grad_tol)
        t->stop = DNC_STOP_GRAD_TOL;
}

static int trainer_alloc(dnc_trainer_t t)
{
    slong n = t->n, m = t->opts.lbfgs_memory;
    t->theta = dnc_dobj_alloc(n);
    t->grad = dnc_dobj_alloc(n);
    if (t->theta == NULL || t->grad == NULL)
        return -1;
    if (t->opts.optimizer == DNC_OPT_MOMENTUM) {
        if ((t->vel = dnc_dobj_alloc(n)) == NULL)
            return -1;
        memset(t->vel, 0, n * sizeof(double));
    }
    if (t->opts.optimizer == DNC_OPT_LBFGS) {
        t->s = malloc(m * n * sizeof(double));
        t->y = malloc(m * n * sizeof(double));
        t->rho = malloc(m * sizeof(double));
        t->alpha = malloc(m * sizeof(double));
        t->dir = dnc_dobj_alloc(n);
        t->trial = dnc_dobj_alloc(n);
        t->trial_grad = dnc_dobj_alloc(n);
        if (!t->s || !t->y || !t->rho || !t->alpha || !t->dir || !t->trial || !t->trial_grad)
            return -1;
    }
    return 0;
}

/* The random start: N(0, init_std^2) for every parameter, or with DNC_INIT_FAN_IN each
 * block N(0, 1/d) with d the number of its input rows (d_1 for H1 and W_1, d_l for W_l,
 * d_L for the bias), so that a feature column keeps its size from layer to layer instead
 * of shrinking by a factor ~ std sqrt(d) per layer (docs/trainer.md, "Initialisation").
 * Both scale the same standard normal draws. */
static void draw_start(double *theta, const dnc_problem_t p, const dnc_train_opts *o)
{
    slong b, i, total = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    if (o->init_std != DNC_INIT_FAN_IN) {
        dnc_randn(theta, total, o->init_std, o->seed);
        return;
    }
    dnc_randn(theta, total, 1.0, o->seed);
    for (b = 0; b <= p->L + 1; b++) {
        slong lo = dnc_param_block_start(p, p->N, b), hi = dnc_param_block_start(p, p->N, b + 1);
        double s = 1.0 / sqrt(2.0 * (double) p->width[b == 0 ? 0 : (b <= p->L ? b - 1 : p->L - 1)]);
        for (i = lo; i < hi; i++)
            theta[i] *= s;
    }
}

int dnc_trainer_init_point(dnc_trainer_t t, dnc_problem_t p, const dnc_train_opts *o, const double *theta)
{
    memset(t, 0, sizeof(*t));
    t->p = p;
    t->opts = *o;
    openblas_set_num_threads(1);   /* the threads are dncert's own: dnc_dobj_set_threads */
    if (dnc_dobj_init(t->obj, p) != 0)
        return -1;
    t->n = t->obj->nparams;
    if (dnc_dobj_set_threads(t->obj, o->threads) != 0 || trainer_alloc(t) != 0) {
        dnc_trainer_clear(t);
        return -1;
    }
    if (theta != NULL)
        memcpy(t->theta, theta, t->n * sizeof(double));
    else
        draw_start(t->theta, p, o);
    accept_point(t, evaluate(t, t->theta, t->grad));
    return 0;
}

int dnc_trainer_init(dnc_trainer_t t, dnc_problem_t p, const dnc_train_opts *o)
{
    return dnc_trainer_init_point(t, p, o, NULL);
}

void dnc_trainer_clear(dnc_trainer_t t)
{
    if (t->obj->buf != NULL)
        dnc_dobj_clear(t->obj);
    free(t->theta);
    free(t->grad);
    free(t->vel);
    free(t->s);
    free(t->y);
    free(t->rho);
    free(t->alpha);
    free(t->dir);
    free(t->trial);
    free(t->trial_grad);
    memset(t, 0, sizeof(*t));
}

/* Parameter updates are entrywise, so splitting them between threads changes nothing in
 * the result; below this many parameters a second thread costs more than it saves. */
#define DNC_UPDATE_SPLIT 65536

static int update_threads(const dnc_trainer_t t)
{
    return t->n < DNC_UPDATE_SPLIT ? 1 : t->opts.threads;
}

/* theta <- theta - lr * grad, written as a plain loop so that it is exactly this
 * expression (two roundings, no fused multiply-add). */
static void step_gd(dnc_trainer_t t)
{
    double lr = t->opts.lr, *x = t->theta;
    const double *g = t->grad;
    slong i;
    int nt = update_threads(t);
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
    for (i = 0; i < t->n; i++)
        x[i] -= lr * g[i];
    accept_point(t, evaluate(t, t->theta, t->grad));
}

static void step_momentum(dnc_trainer_t t)
{
    double lr = t->opts.lr, mu = t->opts.momentum, *x = t->theta, *v = t->vel;
    const double *g = t->grad;
    slong i;
    int nt = update_threads(t);
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
    for (i = 0; i < t->n; i++) {
        v[i] = mu * v[i] + g[i];
        x[i] -= lr * v[i];
    }
    accept_point(t, evaluate(t, t->theta, t->grad));
}

/* ---- L-BFGS ---- */

/* The history slot of the pair stored age updates ago (0: the newest). */
static slong hist_slot(const dnc_trainer_t t, slong age)
{
    slong m = t->opts.lbfgs_memory;
    return (t->hist_head - 1 - age + m) % m;
}

static double *hist(double *base, dnc_trainer_t t, slong age)
{
    return base + hist_slot(t, age) * t->n;
}

/* dir = -H g by the two-loop recursion; -lr g without history. */
static void lbfgs_direction(dnc_trainer_t t)
{
    slong n = t->n, i;
    double *q = t->dir;
    memcpy(q, t->grad, n * sizeof(double));
    if (t->hist_len == 0) {
        cblas_dscal((int) n, -t->opts.lr, q, 1);
        return;
    }
    for (i = 0; i < t->hist_len; i++) {
        slong slot = hist_slot(t, i);
        t->alpha[slot] = t->rho[slot] * dot(hist(t->s, t, i), q, n);
        cblas_daxpy((int) n, -t->alpha[slot], hist(t->y, t, i), 1, q, 1);
    }
    {
        const double *s0 = hist(t->s, t, 0), *y0 = hist(t->y, t, 0);
        cblas_dscal((int) n, dot(s0, y0, n) / dot(y0, y0, n), q, 1);
    }
    for (i = t->hist_len - 1; i >= 0; i--) {
        slong slot = hist_slot(t, i);
        double beta = t->rho[slot] * dot(hist(t->y, t, i), q, n);
        cblas_daxpy((int) n, t->alpha[slot] - beta, hist(t->s, t, i), 1, q, 1);
    }
    cblas_dscal((int) n, -1.0, q, 1);
}

/* Armijo backtracking along dir. Returns the accepted trial loss, or NAN once the
 * predicted decrease step*|slope| drops below the rounding error of f itself: from there
 * on the test compares rounding noise, and no further progress is possible in double. */
static double lbfgs_line_search(dnc_trainer_t t, double slope)
{
    double step = 1.0;
    for (; step * fabs(slope) > 4.0 * DBL_EPSILON * fabs(t->loss); step *= 0.5) {
        double f;
        memcpy(t->trial, t->theta, t->n * sizeof(double));
        cblas_daxpy((int) t->n, step, t->dir, 1, t->trial, 1);
        f = evaluate(t, t->trial, t->trial_grad);
        if (isfinite(f) && f <= t->loss + 1e-4 * step * slope)
            return f;
    }
    return NAN;
}

static void lbfgs_remember(dnc_trainer_t t)
{
    slong n = t->n, m = t->opts.lbfgs_memory, i;
    double *s = t->s + t->hist_head * n, *y = t->y + t->hist_head * n, sy;
    for (i = 0; i < n; i++) {
        s[i] = t->trial[i] - t->theta[i];
        y[i] = t->trial_grad[i] - t->grad[i];
    }
    sy = dot(s, y, n);
    /* Keep only pairs with positive curvature: the inverse Hessian model stays positive definite. */
    if (!(sy > 1e-12 * sqrt(dot(s, s, n) * dot(y, y, n))))
        return;
    t->rho[t->hist_head] = 1.0 / sy;
    t->hist_head = (t->hist_head + 1) % m;
    if (t->hist_len < m)
        t->hist_len++;
}

/* Stops at the current point. The failed line search left the objective's buffers (the
 * features and outputs that the metrics and the solution class read) at its last trial
 * point: evaluate once more at theta, without counting it or touching the gradient. */
static void lbfgs_stall(dnc_trainer_t t)
{
    dnc_dobj_eval(t->obj, t->theta, NULL);
    t->stop = DNC_STOP_STALLED;
}

static void step_lbfgs(dnc_trainer_t t)
{
    double slope, f, *tmp;
    lbfgs_direction(t);
    slope = dot(t->grad, t->dir, t->n);
    if (!(slope < 0.0) || isnan(f = lbfgs_line_search(t, slope))) {
        if (t->hist_len == 0) {        /* steepest descent failed: nothing left to try */
            lbfgs_stall(t);
            return;
        }
        t->hist_len = 0;               /* restart from steepest descent */
        lbfgs_direction(t);
        slope = dot(t->grad, t->dir, t->n);
        if (isnan(f = lbfgs_line_search(t, slope))) {
            lbfgs_stall(t);
            return;
        }
    }
    lbfgs_remember(t);
    tmp = t->theta; t->theta = t->trial; t->trial = tmp;
    tmp = t->grad; t->grad = t->trial_grad; t->trial_grad = tmp;
    accept_point(t, f);
}

dnc_stop_t dnc_trainer_step(dnc_trainer_t t)
{
    if (t->stop != DNC_STOP_NONE)
        return t->stop;
    if (t->step >= t->opts.steps)
        return t->stop = DNC_STOP_STEPS;
    if (t->opts.optimizer == DNC_OPT_GD)
        step_gd(t);
    else if (t->opts.optimizer == DNC_OPT_MOMENTUM)
        step_momentum(t);
    else
        step_lbfgs(t);
    if (t->stop != DNC_STOP_STALLED)
        t->step++;
    if (t->stop == DNC_STOP_NONE && t->step >= t->opts.steps)
        t->stop = DNC_STOP_STEPS;
    return t->stop;
}
