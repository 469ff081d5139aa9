/* Refinement of a trained point at ReLU kinks in double precision (docs/refine.md). */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>
#include <arf.h>
#include <flint/fmpq_vec.h>
#include "refine_priv.h"

void dnc_refine_opts_default(dnc_refine_opts *o)
{
    o->kink_tol = 5e-3;
    o->dead_tol = 1e-6;
    o->tol = 1e-13;
    o->t_slack = 1e-8;
    o->max_newton = 100;
    o->max_rounds = 8;
    o->prec = 0;
    o->hp_max_steps = 60;
    o->hp_rcond = 1e-9;
    o->hp_entry = 1e-9;
}

const char *_dnc_refine_bound_str(char *buf, double x)
{
    if (isinf(x) && x < 0)
        snprintf(buf, 32, "= 0");
    else
        snprintf(buf, 32, "<= 1e%.1f", x);
    return buf;
}

void _dnc_refine_say(refine_ctx *c, const char *fmt, ...)
{
    va_list ap;
    if (c->log == NULL)
        return;
    va_start(ap, fmt);
    fprintf(c->log, "refine: ");
    vfprintf(c->log, fmt, ap);
    fprintf(c->log, "\n");
    va_end(ap);
}

int _dnc_refine_is_relu(const refine_ctx *c, slong l)
{
    return l >= 2 && l <= c->L && c->p->act[l - 2] == DNC_ACT_RELU;
}

void _dnc_refine_make_kink(refine_ctx *c, slong l, slong i)
{
    c->state[l][i] = ST_KINK;
    if (c->left[l][i] == LEFT_OUT)
        c->left[l][i] = LEFT_BACK;
}

static slong layer_size(const refine_ctx *c, slong l)
{
    return c->p->width[l - 1] * c->N;
}

/* ---- workspace ---- */

static void ctx_clear(refine_ctx *c)
{
    slong l;
    for (l = 0; l <= c->L; l++) {
        free(c->state[l]);
        free(c->left[l]);
        free(c->slope[l]);
        free(c->seed[l]);
        free(c->pre[l]);
    }
    free(c->state);
    free(c->left);
    free(c->slope);
    free(c->seed);
    free(c->pre);
    free(c->fixed);
    free(c->free_idx);
    free(c->kl);
    free(c->ke);
    free(c->mu);
    dnc_dobj_clear(c->obj);
}

static int ctx_init(refine_ctx *c, const dnc_problem_t p)
{
    slong l, total = 0;
    int ok = 1;
    memset(c, 0, sizeof(*c));
    c->p = (dnc_problem_struct *) p;
    c->L = p->L;
    c->N = p->N;
    if (dnc_dobj_init(c->obj, c->p) != 0)
        return -1;
    c->n = c->obj->nparams;
    c->state = calloc(c->L + 1, sizeof(*c->state));
    c->left = calloc(c->L + 1, sizeof(*c->left));
    c->slope = calloc(c->L + 1, sizeof(*c->slope));
    c->seed = calloc(c->L + 1, sizeof(*c->seed));
    c->pre = calloc(c->L + 1, sizeof(*c->pre));
    ok = c->state && c->left && c->slope && c->seed && c->pre;
    for (l = 2; ok && l <= c->L; l++) {
        slong s = layer_size(c, l);
        c->pre[l] = malloc(s * sizeof(double));
        ok = c->pre[l] != NULL;
        if (ok && _dnc_refine_is_relu(c, l)) {
            c->state[l] = calloc(s, 1);
            c->left[l] = calloc(s, 1);
            c->slope[l] = calloc(s, sizeof(double));
            c->seed[l] = calloc(s, sizeof(double));
            ok = c->state[l] && c->left[l] && c->slope[l] && c->seed[l];
            total += s;
        }
    }
    c->fixed = ok ? calloc(c->n, 1) : NULL;
    c->free_idx = ok ? malloc(c->n * sizeof(slong)) : NULL;
    c->kl = ok ? malloc((total + 1) * sizeof(slong)) : NULL;
    c->ke = ok ? malloc((total + 1) * sizeof(slong)) : NULL;
    c->mu = ok ? calloc(total + 1, sizeof(double)) : NULL;
    if (!ok || !c->fixed || !c->free_idx || !c->kl || !c->ke || !c->mu) {
        if (c->state != NULL && c->left != NULL && c->slope != NULL && c->seed != NULL && c->pre != NULL)
            ctx_clear(c);
        else
            dnc_dobj_clear(c->obj);
        return -1;
    }
    return 0;
}

/* ---- evaluation ---- */

/* pre[l] <- W_{l-1} H_{l-1} of the last evaluation (l = 2..L). */
static void compute_pre(refine_ctx *c)
{
    slong l;
    for (l = 2; l <= c->L; l++) {
        slong m = c->p->width[l - 1], k = c->p->width[l - 2];
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int) m, (int) c->N, (int) k, 1.0,
                    dnc_dobj_buf(c->obj, DNC_W, l - 1), (int) m, dnc_dobj_buf(c->obj, DNC_H, l - 1), (int) k, 0.0,
                    c->pre[l], (int) m);
    }
}

/* Slopes from the states (1 on P+, 0 elsewhere) and seeds mu on the kinks. */
static void set_pattern(refine_ctx *c, const double *mu)
{
    slong l, i, k;
    for (l = 2; l <= c->L; l++)
        if (_dnc_refine_is_relu(c, l))
            for (i = 0; i < layer_size(c, l); i++) {
                c->slope[l][i] = c->state[l][i] == ST_PLUS ? 1.0 : 0.0;
                c->seed[l][i] = 0.0;
            }
    for (k = 0; mu != NULL && k < c->nk; k++)
        c->seed[c->kl[k]][c->ke[k]] = mu[k];
    dnc_dobj_set_pattern(c->obj, (const double *const *) c->slope, (const double *const *) c->seed);
}

/* F = [grad of the Lagrangian on the free parameters; ubar on the kinks] at (theta, mu);
 * returns f_0. g is scratch of n entries. */
static double eval_F(refine_ctx *c, const double *theta, const double *mu, double *F, double *g)
{
    double f;
    slong i, k;
    set_pattern(c, mu);
    f = dnc_dobj_eval(c->obj, theta, g);
    compute_pre(c);
    for (i = 0; i < c->nfree; i++)
        F[i] = g[c->free_idx[i]];
    for (k = 0; k < c->nk; k++)
        F[c->nfree + k] = c->pre[c->kl[k]][c->ke[k]];
    return f;
}

static double max_abs(const double *x, slong n)
{
    double m = 0;
    slong i;
    for (i = 0; i < n; i++)
        m = fmax(m, fabs(x[i]));
    return isnan(m) ? INFINITY : m;
}

/* ---- the pattern ---- */

/* Offset of W_l's entry (row i, column j). */
static slong w_at(const refine_ctx *c, slong l, slong i, slong j)
{
    return dnc_param_offset(c->p, c->N, DNC_W, l) + i + j * dnc_problem_out_rows(c->p, l);
}

/* Unit i of ReLU layer l (row i of W_{l-1}, column i of W_l) is dead: its incoming and
 * outgoing weights are negligible, or none of its entries is active. Sets them to 0 and
 * holds them there. */
static slong remove_dead_units(refine_ctx *c, double *theta, double tol)
{
    slong l, i, j, ndead = 0;
    for (l = 2; l <= c->L; l++) {
        slong d = c->p->width[l - 1], din = c->p->width[l - 2], dout = dnc_problem_out_rows(c->p, l);
        double *prod, pmax = 0;
        if (!_dnc_refine_is_relu(c, l) || (prod = malloc(d * sizeof(double))) == NULL)
            continue;
        for (i = 0; i < d; i++) {
            double a = 0, b = 0;
            for (j = 0; j < din; j++)
                a += theta[w_at(c, l - 1, i, j)] * theta[w_at(c, l - 1, i, j)];
            for (j = 0; j < dout; j++)
                b += theta[w_at(c, l, j, i)] * theta[w_at(c, l, j, i)];
            prod[i] = sqrt(a * b);
            pmax = fmax(pmax, prod[i]);
        }
        for (i = 0; i < d; i++) {
            int active = 0;
            for (j = 0; j < c->N; j++)
                active |= c->state[l][i + j * d] == ST_PLUS;
            if (c->state[l][i] == ST_DEAD || (active && prod[i] >= tol * pmax))
                continue;
            ndead++;
            for (j = 0; j < c->N; j++)
                c->state[l][i + j * d] = ST_DEAD;
            for (j = 0; j < din; j++) {
                theta[w_at(c, l - 1, i, j)] = 0;
                c->fixed[w_at(c, l - 1, i, j)] = 1;
            }
            for (j = 0; j < dout; j++) {
                theta[w_at(c, l, j, i)] = 0;
                c->fixed[w_at(c, l, j, i)] = 1;
            }
        }
        free(prod);
    }
    return ndead;
}

/* The first guess: an entry is a kink when |u_ij| / (||W_{l-1}[i,:]|| ||H_{l-1}[:,j]||) is
 * below kink_tol (spec §3: raw |u| has no gap, this ratio had one on every trained point
 * tried), else P+ or P- by its sign. */
static void guess_pattern(refine_ctx *c, double *theta)
{
    slong l, i, j, k;
    dnc_dobj_set_pattern(c->obj, NULL, NULL);
    dnc_dobj_eval(c->obj, theta, NULL);
    compute_pre(c);
    for (l = 2; l <= c->L; l++) {
        slong d = c->p->width[l - 1], din = c->p->width[l - 2];
        const double *H = dnc_dobj_buf(c->obj, DNC_H, l - 1);
        if (!_dnc_refine_is_relu(c, l))
            continue;
        for (j = 0; j < c->N; j++) {
            double hn = cblas_dnrm2((int) din, H + j * din, 1);
            for (i = 0; i < d; i++) {
                double wn = 0, u = c->pre[l][i + j * d];
                for (k = 0; k < din; k++)
                    wn += theta[w_at(c, l - 1, i, k)] * theta[w_at(c, l - 1, i, k)];
                wn = sqrt(wn);
                c->state[l][i + j * d] = !(fabs(u) >= c->o->kink_tol * wn * hn) || wn * hn == 0 ? ST_KINK
                                         : u > 0 ? ST_PLUS : ST_MINUS;
            }
        }
    }
}

/* Lists the kinks and the free parameters from the states. */
static void index_pattern(refine_ctx *c)
{
    slong l, i;
    c->nk = 0;
    for (l = 2; l <= c->L; l++)
        for (i = 0; _dnc_refine_is_relu(c, l) && i < layer_size(c, l); i++)
            if (c->state[l][i] == ST_KINK) {
                c->kl[c->nk] = l;
                c->ke[c->nk] = i;
                c->nk++;
            }
    c->nfree = 0;
    for (i = 0; i < c->n; i++)
        if (!c->fixed[i])
            c->free_idx[c->nfree++] = i;
}

/* Entries of P+ / P- whose pre-activation lost its sign become kinks. Returns how many. */
static slong fix_signs(refine_ctx *c)
{
    slong l, i, changed = 0;
    for (l = 2; l <= c->L; l++)
        for (i = 0; _dnc_refine_is_relu(c, l) && i < layer_size(c, l); i++) {
            signed char s = c->state[l][i];
            if ((s == ST_PLUS && !(c->pre[l][i] > 0)) || (s == ST_MINUS && !(c->pre[l][i] < 0))) {
                _dnc_refine_make_kink(c, l, i);
                changed++;
            }
        }
    return changed;
}

/* ---- Newton on the KKT system ---- */

/* J (m x m, column-major) <- the Jacobian of F at (theta, mu): central differences in the
 * parameters, exact differences in the multipliers (F is affine in mu). */
static int jacobian(refine_ctx *c, double *J, double *theta, const double *F0, double *Fp, double *Fm, double *g)
{
    slong m = c->nfree + c->nk, i, k;
    double *mu = c->mu;
    for (i = 0; i < c->nfree; i++) {
        slong q = c->free_idx[i];
        double x = theta[q], h = 1e-6 * fmax(1.0, fabs(x));
        theta[q] = x + h;
        eval_F(c, theta, mu, Fp, g);
        theta[q] = x - h;
        eval_F(c, theta, mu, Fm, g);
        theta[q] = x;
        for (k = 0; k < m; k++)
            J[k + i * m] = (Fp[k] - Fm[k]) / (2 * h);
    }
    for (i = 0; i < c->nk; i++) {
        mu[i] += 1.0;
        eval_F(c, theta, mu, Fp, g);
        mu[i] -= 1.0;
        for (k = 0; k < m; k++)
            J[k + (c->nfree + i) * m] = k < c->nfree ? Fp[k] - F0[k] : 0.0;
    }
    return 0;
}

/* Newton with minimum-norm least-squares steps (singular values below 1e-8 of the largest
 * are cut: the finite-difference Jacobian is accurate to about 1e-10, and the symmetry
 * directions must not be amplified) and backtracking on max |F|. Returns the final
 * residual; *sign_lost when a P+/P- entry has lost its sign at the end (it is a kink now). */
static double newton(refine_ctx *c, double *theta, int *sign_lost)
{
    slong m = c->nfree + c->nk, it, i;
    lapack_int rank = 0;
    double res10 = INFINITY;
    double *F = malloc(m * sizeof(double)), *Fp = malloc(m * sizeof(double)), *Fm = malloc(m * sizeof(double));
    double *J = malloc((size_t) m * m * sizeof(double)), *dx = malloc(m * sizeof(double));
    double *sv = malloc(m * sizeof(double)), *g = malloc(c->n * sizeof(double));
    double *th = malloc(c->n * sizeof(double)), *mu2 = malloc((c->nk + 1) * sizeof(double)), res = INFINITY;
    *sign_lost = 0;
    if (!F || !Fp || !Fm || !J || !dx || !sv || !g || !th || !mu2)
        goto done;
    eval_F(c, theta, c->mu, F, g);
    res = max_abs(F, m);
    for (it = 0; it < c->o->max_newton && res > c->o->tol; it++) {
        /* stalled: not halved in 10 steps -- the pattern is likely wrong; check the signs */
        if (it % 10 == 0) {
            if (it > 0 && res > 0.5 * res10)
                break;
            res10 = res;
        }
        double step = 1.0, r2 = INFINITY;
        jacobian(c, J, theta, F, Fp, Fm, g);
        for (i = 0; i < m; i++)
            dx[i] = -F[i];
        if (LAPACKE_dgelsd(LAPACK_COL_MAJOR, (int) m, (int) m, 1, J, (int) m, dx, (int) m, sv, 1e-8, &rank) != 0)
            break;
        for (; step > 1e-9; step /= 2) {
            memcpy(th, theta, c->n * sizeof(double));
            for (i = 0; i < c->nfree; i++)
                th[c->free_idx[i]] += step * dx[i];
            for (i = 0; i < c->nk; i++)
                mu2[i] = c->mu[i] + step * dx[c->nfree + i];
            eval_F(c, th, mu2, Fp, g);
            if ((r2 = max_abs(Fp, m)) < res)
                break;
        }
        if (!(r2 < res))
            break;
        memcpy(theta, th, c->n * sizeof(double));
        memcpy(c->mu, mu2, c->nk * sizeof(double));
        memcpy(F, Fp, m * sizeof(double));
        res = r2;
        c->info->newton_steps++;
        _dnc_refine_say(c, "  Newton step %ld: max |KKT residual| %.3e (step %g, rank %ld of %ld)", (long) it + 1, res, step,
            (long) rank, (long) m);
    }
    /* f_0 is smooth whatever the signs; the pattern is right only if P+ and P- kept theirs */
    eval_F(c, theta, c->mu, F, g);
    *sign_lost = fix_signs(c) > 0;
done:
    free(F); free(Fp); free(Fm); free(J); free(dx); free(sv); free(g); free(th); free(mu2);
    return res;
}

/* ---- slopes at the kinks ---- */

/* A slope as the kinks below see it: t clamped to [0, 1], 0 when undefined. */
static double slope_of(double t)
{
    return isnan(t) ? 0.0 : fmin(1.0, fmax(0.0, t));
}

/* t_e = mu_e / G_e, top-down: G_e is df/dh_e with the slopes of the kinks above (spec §2),
 * written to G. A multiplier within mu_zero of 0 (the solver's accuracy) gives t_e = 0: at
 * degenerate kinks (DNC's off-diagonal entries) mu_e and G_e both vanish and their ratio is
 * noise. G_e = 0 with mu_e != 0 gives NaN: no slope gives this mu (LICQ may fail). Returns
 * the number of such kinks, or -1 when memory is short. */
static slong slopes_topdown(refine_ctx *c, const double *theta, const double *mu, double mu_zero, double *t,
                            double *G)
{
    slong l, k, i, undefined = 0;
    double *g = malloc(c->n * sizeof(double));
    if (g == NULL)
        return -1;
    for (l = c->L; l >= 2; l--) {
        const double *D;
        int any = 0;
        for (k = 0; k < c->nk; k++)
            any |= c->kl[k] == l;
        if (!any)
            continue;
        for (i = 2; i <= c->L; i++)   /* slopes: P+ 1, else 0; kinks above: t; kinks of l: 1 (read G) */
            if (_dnc_refine_is_relu(c, i))
                for (k = 0; k < layer_size(c, i); k++)
                    c->slope[i][k] = c->state[i][k] == ST_PLUS ? 1.0 : 0.0;
        for (k = 0; k < c->nk; k++)
            if (c->kl[k] > l)
                c->slope[c->kl[k]][c->ke[k]] = slope_of(t[k]);
            else if (c->kl[k] == l)
                c->slope[l][c->ke[k]] = 1.0;
        dnc_dobj_set_pattern(c->obj, (const double *const *) c->slope, NULL);
        dnc_dobj_eval(c->obj, theta, g);
        D = dnc_dobj_buf(c->obj, DNC_DH, l);
        for (k = 0; k < c->nk; k++)
            if (c->kl[k] == l) {
                G[k] = D[c->ke[k]];
                if (fabs(mu[k]) <= mu_zero)
                    t[k] = 0.0;
                else if (fabs(G[k]) > mu_zero)
                    t[k] = mu[k] / G[k];
                else {
                    t[k] = NAN;
                    undefined++;
                }
            }
    }
    free(g);
    return undefined;
}

/* When the kink constraints are dependent (LICQ fails) the multipliers form an affine
 * family {mu : A^T mu = b}, A^T the columns grad ubar_e, b = -grad f_0 (spec §3); the
 * minimum-norm member the solver returns need not have slopes in [0, 1]. Look for a member
 * that does by alternating projections: onto the boxes mu_e in [min(0, G_e), max(0, G_e)]
 * (t_e in [0, 1]; G_e from the slopes above), then back onto the family by a minimum-norm
 * correction. Replaces c->mu when one is found (1), else leaves it (0). */
static int select_multipliers(refine_ctx *c, const double *theta, double mu_zero, double *t, double *G)
{
    slong m = c->nfree, nk = c->nk, i, k, it;
    double *AT = malloc((size_t) m * nk * sizeof(double)), *F0 = malloc((m + nk) * sizeof(double));
    double *F1 = malloc((m + nk) * sizeof(double)), *g = malloc(c->n * sizeof(double));
    double *mu = malloc((nk + 1) * sizeof(double)), *e = calloc(nk + 1, sizeof(double));
    double *r = malloc((m > nk ? m : nk) * sizeof(double)), *sv = malloc((nk + 1) * sizeof(double));
    double *work = malloc((size_t) m * nk * sizeof(double));
    int found = 0;
    lapack_int rank;
    if (!AT || !F0 || !F1 || !g || !mu || !e || !r || !sv || !work)
        goto done;
    eval_F(c, theta, e, F0, g);   /* F0 = grad f_0: b = -F0 */
    for (k = 0; k < nk; k++) {   /* column k of A^T: F is affine in mu */
        e[k] = 1.0;
        eval_F(c, theta, e, F1, g);
        e[k] = 0.0;
        for (i = 0; i < m; i++)
            AT[i + k * m] = F1[i] - F0[i];
    }
    memcpy(mu, c->mu, nk * sizeof(double));
    for (it = 0; it < 500 && !found; it++) {
        int inside = 1;
        double res;
        slopes_topdown(c, theta, mu, mu_zero, t, G);
        for (k = 0; k < nk; k++) {
            double lo = fmin(0.0, G[k]) - mu_zero, hi = fmax(0.0, G[k]) + mu_zero;
            if (mu[k] < lo || mu[k] > hi) {
                inside = 0;
                mu[k] = fmin(hi, fmax(lo, mu[k]));
            }
        }
        for (i = 0; i < m; i++) {   /* r = A^T mu - b = A^T mu + F0 */
            r[i] = F0[i];
            for (k = 0; k < nk; k++)
                r[i] += AT[i + k * m] * mu[k];
        }
        res = max_abs(r, m);
        if (inside && res <= mu_zero) {
            found = 1;
            break;
        }
        memcpy(work, AT, (size_t) m * nk * sizeof(double));
        if (LAPACKE_dgelsd(LAPACK_COL_MAJOR, (int) m, (int) nk, 1, work, (int) m, r, (int) (m > nk ? m : nk), sv,
                           1e-10, &rank) != 0)
            break;
        for (k = 0; k < nk; k++)
            mu[k] -= r[k];
    }
    if (found) {
        memcpy(c->mu, mu, nk * sizeof(double));
        _dnc_refine_say(c, "  the kink constraints are dependent: chose multipliers with every slope in [0, 1] (%ld projections)",
            (long) it + 1);
    }
done:
    free(AT); free(F0); free(F1); free(g); free(mu); free(e); free(r); free(sv); free(work);
    return found;
}

/* The slopes of the solver's multipliers, or of another member of their family when some
 * slope is missing or outside [0, 1]. Returns 1 when every slope is in [0, 1]. */
static int recover_slopes(refine_ctx *c, const double *theta, double *t, double *G, double mu_zero)
{
    slong k;
    int ok = slopes_topdown(c, theta, c->mu, mu_zero, t, G) == 0;
    for (k = 0; ok && k < c->nk; k++)
        ok = t[k] >= -c->o->t_slack && t[k] <= 1 + c->o->t_slack;
    if (ok || !select_multipliers(c, theta, mu_zero, t, G))
        return ok;
    return slopes_topdown(c, theta, c->mu, mu_zero, t, G) == 0;
}

/* Kinks with G_e < 0 (beyond the solver's accuracy): moving off them lowers f. */
static slong count_concave(const refine_ctx *c, const double *G, double mu_zero)
{
    slong k, n = 0;
    for (k = 0; k < c->nk; k++)
        n += G[k] < -mu_zero;
    return n;
}

/* Kinks with t clearly outside [0, 1] leave P0 (t > 1: P+, t < 0: P-). Returns how many.
 * A kink that left once and that Newton brought back to 0 on the piece it moved to stays a
 * kink: the critical point of that piece lies on the kink (or beyond it), so moving it again
 * would only repeat the same two solves -- the cycle the searches at width 20 ran into
 * (docs/refine.md §2). Its t is reported as found. */
static slong update_pattern(refine_ctx *c, const double *t)
{
    slong k, moved = 0;
    for (k = 0; k < c->nk; k++) {
        signed char *s = &c->state[c->kl[k]][c->ke[k]];
        char *left = &c->left[c->kl[k]][c->ke[k]];
        if (*left == LEFT_BACK)
            continue;
        if (t[k] > 1 + c->o->t_slack || t[k] < -c->o->t_slack)
            *left = LEFT_OUT;
        if (t[k] > 1 + c->o->t_slack) {
            *s = ST_PLUS;
            c->info->moved_plus++;
            moved++;
        } else if (t[k] < -c->o->t_slack) {
            *s = ST_MINUS;
            c->info->moved_minus++;
            moved++;
        }
    }
    return moved;
}

/* ---- the whole refinement ---- */

static int check_input(const dnc_problem_t p, const double *theta, slong n, char *err, size_t errlen)
{
    slong l, i;
    int relu = 0;
    if (dnc_problem_require_mse(p, "refine", "problem.loss", err, errlen) != 0)
        return -1;
    for (l = 0; l + 1 < p->L; l++)
        relu |= p->act[l] == DNC_ACT_RELU;
    if (!relu)
        return dnc_fail(err, errlen, "the problem has no ReLU layer: there are no kinks to refine (L >= 2 with a "
                        "ReLU activation needed)");
    for (i = 0; i < n; i++)
        if (!isfinite(theta[i]))
            return dnc_fail(err, errlen, "the point has a non-finite entry (parameter %ld)", (long) i);
    return 0;
}

static void finish_info(refine_ctx *c, double *theta, const double *t, double res)
{
    dnc_refine_info *info = c->info;
    slong k;
    info->nkinks = c->nk;
    info->residual = res;
    info->converged = res <= c->o->tol;
    info->hp_handoff = !info->converged && c->o->prec > 0 && res <= c->o->hp_entry;
    info->tmin = info->tmax = 0;
    info->nundefined = 0;
    info->nheld = 0;
    for (k = 0; k < c->nk; k++) {
        info->nheld += c->left[c->kl[k]][c->ke[k]] == LEFT_BACK;
        if (isnan(t[k])) {
            info->nundefined++;
            continue;
        }
        info->tmin = fmin(info->tmin, t[k]);
        info->tmax = fmax(info->tmax, t[k]);
    }
    info->stationary = info->converged && info->nundefined == 0
                       && info->tmin >= -c->o->t_slack && info->tmax <= 1 + c->o->t_slack;
    dnc_dobj_set_pattern(c->obj, NULL, NULL);
    info->loss = dnc_dobj_eval(c->obj, theta, NULL);
}

int dnc_refine_point(double *theta, const dnc_problem_t p, const dnc_refine_opts *o, dnc_refine_info *info,
                     FILE *log, char *err, size_t errlen)
{
    return dnc_refine_point_exact(theta, NULL, NULL, p, o, info, log, err, errlen);
}

/* exact <- theta, exactly (doubles are dyadic). */
static void exact_from_doubles(fmpq *exact, const double *theta, slong n)
{
    slong i;
    arf_t a;
    arf_init(a);
    for (i = 0; i < n; i++) {
        arf_set_d(a, theta[i]);
        arf_get_fmpq(exact + i, a);
    }
    arf_clear(a);
}

/* 1 when the high-precision stage's residual bound reached 2^(-prec/4): converged (the bar for
 * a handed-over pattern, and below which its chord steps count as not stalled). */
static int hp_reached(const refine_ctx *c)
{
    return c->info->hp_residual_log10 <= -0.25 * (double) c->o->prec * log10(2.0);
}

/* The high-precision stage when asked and possible (the double stage converged on the
 * pattern it ends with, or handed it over: hp_handoff), else exact <- theta; then the
 * structure report. After a handoff the point counts as converged when the stage reaches
 * 2^(-prec/4). hp (len bytes) <- what to say of the stage. */
static int finish_exact(refine_ctx *c, double *theta, fmpq *exact, json_t **structure, int current, char *hp,
                        size_t len)
{
    fmpq *q = exact != NULL ? exact : _fmpq_vec_init(c->n);
    dnc_refine_info *info = c->info;
    int r = 0;
    char b[32];
    hp[0] = 0;
    if (c->o->prec > 0 && (info->converged || info->hp_handoff) && current) {
        r = _dnc_refine_hp(c, theta, q);
        if (r == 0 && info->hp_handoff && hp_reached(c)) {
            info->converged = 1;
            info->stationary = info->nundefined == 0 && info->tmin >= -c->o->t_slack && info->tmax <= 1 + c->o->t_slack;
        }
        if (r == 0)
            snprintf(hp, len, "; %sat %ld bits: max |KKT residual| %s after %ld chord steps, %s",
                     info->hp_handoff ? "handed over at the double residual above (finite differences stall "
                     "there), " : "", (long) c->o->prec, _dnc_refine_bound_str(b, info->hp_residual_log10),
                     (long) info->hp_steps,
                     info->hp_signs_kept ? "signs of P+ and P- kept"
                     : "SIGNS OF P+ OR P- NOT KEPT (the pattern does not hold at the exact point)");
    } else {
        exact_from_doubles(q, theta, c->n);
        if (c->o->prec > 0)
            snprintf(hp, len, "; no high-precision stage (%s)", info->converged || info->hp_handoff
                     ? "the pattern was revised after the last solve" : "not converged in double");
    }
    if (r == 0 && structure != NULL)
        *structure = dnc_refine_structure(q, c->p, c->info->hp_prec > 0 ? c->info->hp_prec : 128,
                                          c->info->hp_prec > 0 ? -c->info->hp_residual_log10 - 6 : 10);
    if (exact == NULL)
        _fmpq_vec_clear(q, c->n);
    return r;
}

/* The double stage: pattern rounds of Newton, sign checks and slope updates (docs/refine.md
 * §2), then the record (finish_info). *current: the last solve was on the final pattern. */
static void double_stage(refine_ctx *c, double *theta, int *current)
{
    const dnc_refine_opts *o = c->o;
    dnc_refine_info *info = c->info;
    double res = INFINITY, *t = NULL, *G = NULL;
    slong round;
    *current = 0;
    for (round = 0; round < o->max_rounds; round++) {
        int sign_lost, close;
        slong moved;
        info->rounds++;
        index_pattern(c);
        memset(c->mu, 0, (c->nk + 1) * sizeof(double));
        _dnc_refine_say(c, "pattern %ld: %ld kinks, %ld dead units, %ld free parameters", (long) info->rounds, (long) c->nk,
            (long) info->ndead, (long) c->nfree);
        res = newton(c, theta, &sign_lost);
        *current = !sign_lost;
        if (sign_lost) {
            info->sign_changes++;
            _dnc_refine_say(c, "  an active or inactive entry reached 0: it is a kink now; solving again");
            continue;
        }
        free(t);
        if ((t = calloc(c->nk + 1, sizeof(double))) == NULL)
            break;
        free(G);
        if ((G = calloc(c->nk + 1, sizeof(double))) == NULL)
            break;
        close = res <= o->tol || (o->prec > 0 && res <= o->hp_entry);   /* see finish_exact */
        if (close && !recover_slopes(c, theta, t, G, 1e3 * fmax(res, o->tol)))
            _dnc_refine_say(c, "  some kinks have no slope in [0, 1] for any multipliers found");
        info->nconcave = count_concave(c, G, 1e3 * fmax(res, o->tol));
        if (!close || (moved = update_pattern(c, t)) == 0)
            break;
        *current = 0;
        _dnc_refine_say(c, "  %ld kinks had t outside [0, 1] (%ld to P+, %ld to P- so far); solving again", (long) moved,
            (long) info->moved_plus, (long) info->moved_minus);
    }
    if (t == NULL)
        t = calloc(c->nk + 1, sizeof(double));
    if (t != NULL)
        finish_info(c, theta, t, res);
    free(t);
    free(G);
}

/* The record's message: the double stage, then hp (what finish_exact said). */
static void compose_message(dnc_refine_info *info, const char *hp)
{
    size_t len;
    snprintf(info->message, sizeof(info->message), "%s after %ld Newton steps and %ld patterns: max |KKT residual| "
             "%.3e, %ld kinks (t in [%.6g, %.6g], %ld without a slope, %ld with G_e < 0: moving off them lowers f), "
             "%ld dead units%s%s",
             info->stationary ? "stationary" : info->converged ? "converged, not stationary (a kink without a slope t in [0, 1])"
             : "not converged", (long) info->newton_steps, (long) info->rounds, info->residual, (long) info->nkinks,
             info->tmin, info->tmax, (long) info->nundefined, (long) info->nconcave, (long) info->ndead,
             info->moved_plus + info->moved_minus > 0 ? "; the kink set was revised" : "",
             info->nheld > 0 ? "; kinks that Newton brought back to 0 after a pattern update moved them off are held "
                               "as kinks (see kinks_held)" : "");
    len = strlen(info->message);
    snprintf(info->message + len, sizeof(info->message) - len, "%s", hp);
}

/* 1 when the high-precision stage ran, kept the signs and stopped above 2^(-prec/4): its chord
 * steps do not converge (docs/refine.md §4, "dying units"). */
static int hp_stalled(const refine_ctx *c)
{
    return c->info->hp_prec > 0 && c->info->hp_signs_kept && !hp_reached(c);
}

/* Dying units (docs/refine.md §4): weight decay shrinks some units so slowly that after 10^6
 * GD steps they sit at 1e-6..1e-5 of their layer, just above --dead-tol; along such a unit's
 * scale f is flat to second order, the KKT Jacobian nearly singular, and the 256-bit chord
 * steps stall. When they do, the units below 10, then 100, then 1000 times --dead-tol (the
 * first step that holds any new unit) are held at 0 like dead units and the pattern is solved
 * again. Returns 1 when units were held (c->info->dying_rounds counts the retries, at most 3). */
static int hold_dying_units(refine_ctx *c, double *theta)
{
    dnc_refine_info *info = c->info;
    double tol = c->o->dead_tol;
    slong k, held = 0;
    if (info->dying_rounds >= 3 || c->o->dead_tol <= 0)
        return 0;
    for (k = 1; k <= 3 && held == 0; k++) {
        tol *= 10;
        if (tol <= info->dying_tol)
            continue;   /* tried already */
        held = remove_dead_units(c, theta, tol);
        info->dying_tol = tol;
    }
    if (held == 0)
        return 0;
    info->ndead += held;
    info->dying_units += held;
    info->dying_rounds++;
    _dnc_refine_say(c, "at %ld bits the chord steps stall at max |KKT residual| 1e%.1f: %ld units below %.0e times "
                    "their layer's largest ||w_in|| ||w_out|| (dying: weight decay shrinks them slowly) are held at 0; "
                    "solving again", (long) c->o->prec, info->hp_residual_log10, (long) held, tol);
    return 1;
}

int dnc_refine_point_exact(double *theta, fmpq *exact, json_t **structure, const dnc_problem_t p,
                           const dnc_refine_opts *o, dnc_refine_info *info, FILE *log, char *err, size_t errlen)
{
    refine_ctx c;
    int current = 0, r = 0;
    slong attempt;
    char hp[512];
    memset(info, 0, sizeof(*info));
    if (structure != NULL)
        *structure = NULL;
    if (ctx_init(&c, p) != 0)
        return dnc_fail(err, errlen, "not enough memory to refine this point");
    if (check_input(p, theta, c.n, err, errlen) != 0) {
        ctx_clear(&c);
        return -1;
    }
    c.o = o;
    c.info = info;
    c.log = log;
    guess_pattern(&c, theta);
    info->ndead = remove_dead_units(&c, theta, o->dead_tol);
    /* An entry of P+ or P- can be small but of the wrong sign at the exact point, where
     * double cannot tell: the high-precision stage makes it a kink, and the double stage
     * solves the revised pattern again (docs/refine.md §4), at most three times. */
    for (attempt = 0; attempt < 3; attempt++) {
        info->hp_prec = info->hp_steps = 0;   /* this attempt's high-precision stage, if it runs */
        info->hp_signs_kept = 0;
        double_stage(&c, theta, &current);
        if (structure != NULL && *structure != NULL) {
            json_decref(*structure);
            *structure = NULL;
        }
        r = finish_exact(&c, theta, exact, structure, current, hp, sizeof(hp));
        compose_message(info, hp);
        if (r == 0 && hp_stalled(&c) && hold_dying_units(&c, theta)) {
            attempt--;   /* not a sign re-solve */
            continue;
        }
        if (r != 0 || info->hp_prec == 0 || info->hp_signs_kept)
            break;
        info->hp_rounds++;
        if (attempt == 2)
            break;
        _dnc_refine_say(&c, "at %ld bits %ld entries of P+ or P- do not keep their sign at the exact point: they are "
                        "kinks now; solving again", (long) o->prec, (long) info->hp_signs_lost);
    }
    if (info->dying_units > 0) {
        size_t len = strlen(info->message);
        snprintf(info->message + len, sizeof(info->message) - len, " (the %ld-bit chord steps stalled: %ld dying units, "
                 "below %.0e times their layer's largest ||w_in|| ||w_out||, held at 0 and solved again)",
                 (long) o->prec, (long) info->dying_units, info->dying_tol);
    }
    if (info->hp_rounds > 0) {
        size_t len = strlen(info->message);
        snprintf(info->message + len, sizeof(info->message) - len, " (%ld time(s) an entry of P+ or P- lost its sign "
                 "at %ld bits and became a kink)", (long) info->hp_rounds, (long) o->prec);
    }
    ctx_clear(&c);
    return r == 0 ? 0 : dnc_fail(err, errlen, "not enough memory for the high-precision stage");
}
