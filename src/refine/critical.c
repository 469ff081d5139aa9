/* Certified critical points on a kink pattern (docs/refine.md §7, spec critical-points.md §3-4):
 * Krawczyk's test on the KKT system bordered by a slice through the symmetry orbit.
 *
 * Unknowns x = (theta, mu, nu): all parameters, one multiplier per kink, one per generator.
 *     G(x) = [ grad f_0(theta) + sum_e mu_e grad ubar_e(theta) + S nu ;  ubar_e(theta) ;
 *              S^T (theta - theta0) ],
 * S = [s_1(theta0) .. s_q(theta0)] the symmetry generators at the box centre theta0. Its
 * Jacobian over a box X comes from the dual-number backend (dnc_ball_eval_dual): one
 * forward-over-reverse pass per column of theta and mu; the columns of nu and the rows of the
 * slice are S. Krawczyk: with Y ~ mid(G'(X))^-1 (any matrix is sound),
 *     K = xbar - Y G(xbar) + (I - Y G'(X)) (X - xbar)  inside the interior of X
 * proves a unique zero of G in X. Why nu = 0 there: docs/refine.md §7. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <flint/fmpq_vec.h>
#include "dncert/exact.h"
#include "dncert/io.h"
#include "dncert/refine.h"

typedef struct {
    dnc_problem_struct *p;
    slong n, nk, q, m, N, prec;
    signed char **state;         /* state[l] (ReLU layers l = 2..L): +1, -1, 0 (kink); d_l x N */
    arb_mat_struct *slope, *seed, *dseed, *pre, *dpre;   /* L + 1 each */
    dnc_bpoint_t x, dx;          /* the point (or box) and a direction */
    arb_ptr *v, *dv, *g, *dg;    /* their entries and the gradients' (trainer layout) */
    dnc_beval_t e, de;
} crit;

static arb_ptr at(arb_mat_struct *m, slong k)
{
    return arb_mat_entry(m, k % arb_mat_nrows(m), k / arb_mat_nrows(m));
}

static int is_relu(const crit *c, slong l)
{
    return l >= 2 && l <= c->p->L && c->p->act[l - 2] == DNC_ACT_RELU;
}

static void crit_init(crit *c, dnc_problem_t p, slong prec)
{
    slong l, L = p->L;
    memset(c, 0, sizeof(*c));
    c->p = p;
    c->N = p->N;
    c->prec = prec;
    c->n = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    c->state = flint_calloc(L + 1, sizeof(signed char *));
    c->slope = flint_malloc(5 * (L + 1) * sizeof(arb_mat_struct));
    c->seed = c->slope + (L + 1);
    c->dseed = c->seed + (L + 1);
    c->pre = c->dseed + (L + 1);
    c->dpre = c->pre + (L + 1);
    for (l = 0; l < 5 * (L + 1); l++) {
        slong r = l % (L + 1) >= 2 ? p->width[l % (L + 1) - 1] : 0;
        arb_mat_init(c->slope + l, r, r > 0 ? p->N : 0);
    }
    for (l = 2; l <= L; l++)
        c->state[l] = flint_calloc(p->width[l - 1] * p->N, 1);
    dnc_bpoint_init(c->x, p);
    dnc_bpoint_init(c->dx, p);
    c->v = flint_malloc(4 * c->n * sizeof(arb_ptr));
    c->dv = c->v + c->n;
    c->g = c->dv + c->n;
    c->dg = c->g + c->n;
    dnc_bpoint_entries(c->v, c->x);
    dnc_bpoint_entries(c->dv, c->dx);
    dnc_beval_init(c->e);
    dnc_beval_init(c->de);
}

static void crit_clear(crit *c)
{
    slong l, L = c->p->L;
    for (l = 0; l < 5 * (L + 1); l++)
        arb_mat_clear(c->slope + l);
    for (l = 0; l <= L; l++)
        flint_free(c->state[l]);
    flint_free(c->state);
    flint_free(c->slope);
    flint_free(c->v);
    dnc_beval_clear(c->e);
    dnc_beval_clear(c->de);
    dnc_bpoint_clear(c->x);
    dnc_bpoint_clear(c->dx);
}

/* The pattern of the exact point in c->x: kinks where |Htilde| <= 2^(-prec/2) times the
 * layer's largest entry; slopes 1 on P+. Kinks listed by (layer, row, column). */
static void find_pattern(crit *c, dnc_critical *r)
{
    slong l, i, j, rows;
    arb_t mx, a;
    arb_init(mx);
    arb_init(a);
    dnc_ball_eval_pattern(c->e, c->x, NULL, NULL, c->pre, 0, c->prec);
    r->nkinks = 0;
    for (l = 2; l <= c->p->L; l++) {
        if (!is_relu(c, l))
            continue;
        rows = c->p->width[l - 1];
        arb_zero(mx);
        for (i = 0; i < rows * c->N; i++) {
            arb_abs(a, at(c->pre + l, i));
            arb_max(mx, mx, a, c->prec);
        }
        arb_mul_2exp_si(mx, mx, -c->prec / 2);
        for (i = 0; i < rows; i++)
            for (j = 0; j < c->N; j++) {
                arb_ptr u = arb_mat_entry(c->pre + l, i, j);
                arb_abs(a, u);
                signed char s = arf_cmpabs_mag(arb_midref(a), arb_radref(a)) <= 0 || arb_le(a, mx) ? 0
                                : arf_sgn(arb_midref(u));
                c->state[l][i + rows * j] = s;
                if (s > 0)
                    arb_one(arb_mat_entry(c->slope + l, i, j));
                if (s == 0) {
                    r->kinks = flint_realloc(r->kinks, 3 * (r->nkinks + 1) * sizeof(slong));
                    r->kinks[3 * r->nkinks] = l;
                    r->kinks[3 * r->nkinks + 1] = i;
                    r->kinks[3 * r->nkinks + 2] = j;
                    r->nkinks++;
                }
            }
    }
    c->nk = r->nkinks;
    arb_clear(mx);
    arb_clear(a);
}

/* 1 when units a and b of layer l may be rotated into each other: always for H1 (l = 1) and
 * around a linear layer, and in a ReLU layer when their rows of the pattern agree. */
static int same_pattern(const crit *c, slong l, slong a, slong b)
{
    slong j, rows;
    if (!is_relu(c, l))
        return 1;
    rows = c->p->width[l - 1];
    for (j = 0; j < c->N; j++)
        if (c->state[l][a + rows * j] != c->state[l][b + rows * j])
            return 0;
    return 1;
}

void dnc_critical_generator(arb_ptr s, arb_srcptr theta, const dnc_problem_t p, slong l, slong a, slong b)
{
    slong n = dnc_param_offset(p, p->N, DNC_NKINDS, 0), k;
    slong in = l == 1 ? 0 : dnc_param_offset(p, p->N, DNC_W, l - 1);
    slong in_rows = p->width[l - 1], in_cols = l == 1 ? p->N : p->width[l - 2];
    slong out = dnc_param_offset(p, p->N, DNC_W, l), out_rows = dnc_problem_out_rows(p, l);
    _arb_vec_zero(s, n);
    for (k = 0; k < in_cols; k++) {   /* A X: row a <- row b, row b <- -row a */
        arb_set(s + in + a + in_rows * k, theta + in + b + in_rows * k);
        arb_neg(s + in + b + in_rows * k, theta + in + a + in_rows * k);
    }
    for (k = 0; k < out_rows; k++) {  /* -W A: column a <- column b, column b <- -column a */
        arb_set(s + out + k + out_rows * a, theta + out + k + out_rows * b);
        arb_neg(s + out + k + out_rows * b, theta + out + k + out_rows * a);
    }
}

/* The generators: every admissible pair (l, a, b), kept when its vector at theta0 is
 * independent of those kept before (Gram-Schmidt in double, relative tolerance 1e-8). */
static void choose_generators(crit *c, dnc_critical *r, arb_srcptr theta)
{
    slong n = c->n, l, a, b, i, k;
    arb_ptr s = _arb_vec_init(n);
    double *basis = NULL, *w = malloc(n * sizeof(double));
    r->ngenerators = 0;
    for (l = 1; l <= c->p->L; l++)
        for (a = 0; a < c->p->width[l - 1]; a++)
            for (b = a + 1; b < c->p->width[l - 1]; b++) {
                double nrm0 = 0, nrm = 0;
                if (!same_pattern(c, l, a, b))
                    continue;
                dnc_critical_generator(s, theta, c->p, l, a, b);
                for (i = 0; i < n; i++) {
                    w[i] = arf_get_d(arb_midref(s + i), ARF_RND_NEAR);
                    nrm0 += w[i] * w[i];
                }
                for (k = 0; k < r->ngenerators; k++) {   /* twice: re-orthogonalise */
                    double d = 0, *u = basis + k * n;
                    for (i = 0; i < n; i++)
                        d += u[i] * w[i];
                    for (i = 0; i < n; i++)
                        w[i] -= d * u[i];
                }
                for (k = 0; k < r->ngenerators; k++) {
                    double d = 0, *u = basis + k * n;
                    for (i = 0; i < n; i++)
                        d += u[i] * w[i];
                    for (i = 0; i < n; i++)
                        w[i] -= d * u[i];
                }
                for (i = 0; i < n; i++)
                    nrm += w[i] * w[i];
                if (!(nrm0 > 0) || nrm <= 1e-16 * nrm0)
                    continue;
                basis = realloc(basis, (r->ngenerators + 1) * n * sizeof(double));
                r->generators = flint_realloc(r->generators, 3 * (r->ngenerators + 1) * sizeof(slong));
                for (i = 0; i < n; i++)
                    basis[r->ngenerators * n + i] = w[i] / sqrt(nrm);
                r->generators[3 * r->ngenerators] = l;
                r->generators[3 * r->ngenerators + 1] = a;
                r->generators[3 * r->ngenerators + 2] = b;
                r->ngenerators++;
            }
    free(basis);
    free(w);
    _arb_vec_clear(s, n);
}

/* S (n x q) <- the generators of r at theta. */
static void generators_at(arb_mat_t S, const crit *c, const dnc_critical *r, arb_srcptr theta)
{
    arb_ptr s = _arb_vec_init(c->n);
    slong k, i;
    for (k = 0; k < r->ngenerators; k++) {
        dnc_critical_generator(s, theta, c->p, r->generators[3 * k], r->generators[3 * k + 1],
                               r->generators[3 * k + 2]);
        for (i = 0; i < c->n; i++)
            arb_set(arb_mat_entry(S, i, k), s + i);
    }
    _arb_vec_clear(s, c->n);
}

static arb_ptr kink_entry(arb_mat_struct *m, const dnc_critical *r, slong k)
{
    return arb_mat_entry(m + r->kinks[3 * k], r->kinks[3 * k + 1], r->kinks[3 * k + 2]);
}

/* x's parameters <- theta (balls), the seeds <- mu. */
static void set_point(crit *c, const dnc_critical *r, arb_srcptr theta, arb_srcptr mu)
{
    slong i;
    for (i = 0; i < c->n; i++)
        arb_set(c->v[i], theta + i);
    for (i = 0; i < c->nk; i++)
        arb_set(kink_entry(c->seed, r, i), mu + i);
}

/* G (m) <- G(x) at x = (theta, mu, nu) with the slice S through theta0. */
static void eval_G(crit *c, const dnc_critical *r, arb_ptr G, arb_srcptr x, const arb_mat_t S, arb_srcptr theta0)
{
    slong i, k, n = c->n, nk = c->nk;
    set_point(c, r, x, x + n);
    dnc_ball_eval_pattern(c->e, c->x, c->slope, c->seed, c->pre, 1, c->prec);
    dnc_bpoint_entries(c->g, c->e->grad);
    for (i = 0; i < n; i++) {
        arb_set(G + i, c->g[i]);
        for (k = 0; k < c->q; k++)
            arb_addmul(G + i, arb_mat_entry(S, i, k), x + n + nk + k, c->prec);
    }
    for (k = 0; k < nk; k++)
        arb_set(G + n + k, kink_entry(c->pre, r, k));
    for (k = 0; k < c->q; k++) {
        arb_zero(G + n + nk + k);
        for (i = 0; i < n; i++) {
            arb_t d;
            arb_init(d);
            arb_sub(d, x + i, theta0 + i, c->prec);
            arb_addmul(G + n + nk + k, arb_mat_entry(S, i, k), d, c->prec);
            arb_clear(d);
        }
    }
}

/* J (m x m) <- G'(X) over the box x (balls): n + nk dual passes, and S. Also leaves the
 * pre-activations and the loss of f_0 over x in c->pre, c->e. */
static void eval_J(crit *c, const dnc_critical *r, arb_mat_t J, arb_srcptr x, const arb_mat_t S)
{
    slong i, k, n = c->n, nk = c->nk;
    set_point(c, r, x, x + n);
    arb_mat_zero(J);
    for (i = 0; i < n + nk; i++) {
        if (i < n)
            arb_one(c->dv[i]);
        else
            arb_one(kink_entry(c->dseed, r, i - n));
        dnc_ball_eval_dual(c->e, c->de, c->x, c->dx, c->slope, c->seed, c->dseed, c->pre, c->dpre, c->prec);
        dnc_bpoint_entries(c->dg, c->de->grad);
        for (k = 0; k < n; k++)
            arb_set(arb_mat_entry(J, k, i), c->dg[k]);
        for (k = 0; i < n && k < nk; k++)
            arb_set(arb_mat_entry(J, n + k, i), kink_entry(c->dpre, r, k));
        if (i < n)
            arb_zero(c->dv[i]);
        else
            arb_zero(kink_entry(c->dseed, r, i - n));
    }
    for (k = 0; k < c->q; k++)
        for (i = 0; i < n; i++) {
            arb_set(arb_mat_entry(J, i, n + nk + k), arb_mat_entry(S, i, k));
            arb_set(arb_mat_entry(J, n + nk + k, i), arb_mat_entry(S, i, k));
        }
}

/* log2 of an upper bound of max |v_i| (a large negative number for 0). */
static double max_log2(arb_srcptr v, slong m)
{
    arf_t u, a;
    slong i;
    double d;
    arf_init(u);
    arf_init(a);
    for (i = 0; i < m; i++) {
        arb_get_abs_ubound_arf(a, v + i, 30);
        if (arf_cmp(a, u) > 0)
            arf_swap(a, u);
    }
    d = arf_is_zero(u) ? -1e9 : !arf_is_finite(u) ? 1e9 : (double) arf_abs_bound_lt_2exp_si(u);
    arf_clear(u);
    arf_clear(a);
    return d;
}

/* Newton on G from x (midpoints), the slice re-centred at each iterate and nu reset to 0:
 * until the residual stops falling by 2^8 or 8 steps. */
static void polish(crit *c, const dnc_critical *r, arb_ptr x)
{
    slong m = c->m, it, i;
    arb_mat_t J, S, d, G;
    arb_ptr Gv = _arb_vec_init(m), x2 = _arb_vec_init(m);
    double res = 1e9, res2;
    arb_mat_init(J, m, m);
    arb_mat_init(S, c->n, c->q);
    arb_mat_init(d, m, 1);
    arb_mat_init(G, m, 1);
    for (it = 0; it < 8; it++) {
        generators_at(S, c, r, x);
        eval_G(c, r, Gv, x, S, x);
        res2 = max_log2(Gv, m);
        if (!(res2 < res - 8))
            break;
        res = res2;
        _arb_vec_set(x2, x, m);
        eval_J(c, r, J, x, S);
        arb_mat_get_mid(J, J);
        for (i = 0; i < m; i++)
            arf_set(arb_midref(arb_mat_entry(G, i, 0)), arb_midref(Gv + i));
        if (!arb_mat_approx_solve(d, J, G, c->prec))
            break;
        for (i = 0; i < m; i++) {
            arb_sub(x + i, x + i, arb_mat_entry(d, i, 0), c->prec);
            mag_zero(arb_radref(x + i));
        }
        for (i = c->n + c->nk; i < m; i++)
            arb_zero(x + i);
    }
    arb_mat_clear(J);
    arb_mat_clear(S);
    arb_mat_clear(d);
    arb_mat_clear(G);
    _arb_vec_clear(Gv, m);
    _arb_vec_clear(x2, m);
}

/* The checks of a box: Krawczyk, the Gram matrix of the slice, the signs, the loss. */
static int check_box(crit *c, dnc_critical *r, arb_srcptr xbar)
{
    slong m = c->m, n = c->n, nk = c->nk, q = c->q, i, j, l;
    arb_mat_t J, S, SX, Y, YJ, Gm, rv, Kv;
    arb_ptr X = _arb_vec_init(m), Gv = _arb_vec_init(m);
    arb_t rad;
    int ok;
    arb_init(rad);
    arb_one(rad);
    arb_mul_2exp_si(rad, rad, r->radius_log2);
    arb_mat_init(J, m, m); arb_mat_init(S, n, q); arb_mat_init(SX, n, q); arb_mat_init(Y, m, m);
    arb_mat_init(YJ, m, m); arb_mat_init(Gm, q, q); arb_mat_init(rv, m, 1); arb_mat_init(Kv, m, 1);
    generators_at(S, c, r, xbar);
    eval_G(c, r, Gv, xbar, S, xbar);
    for (i = 0; i < m; i++) {
        arb_set(X + i, xbar + i);
        arb_add_error(X + i, rad);
        arb_zero(arb_mat_entry(rv, i, 0));
        arb_add_error(arb_mat_entry(rv, i, 0), rad);
    }
    /* signs and loss over the box: the value part of the dual passes */
    eval_J(c, r, J, X, S);
    r->signs = 1;
    for (l = 2; l <= c->p->L; l++)
        for (i = 0; is_relu(c, l) && i < c->p->width[l - 1] * c->N; i++) {
            signed char s = c->state[l][i];
            if ((s > 0 && !arb_is_positive(at(c->pre + l, i))) || (s < 0 && !arb_is_negative(at(c->pre + l, i))))
                r->signs = 0;
        }
    arb_set(r->loss, c->e->loss);
    /* Krawczyk: K - xbar = -Y G(xbar) + (I - Y J) (X - xbar) */
    arb_mat_get_mid(Y, J);
    r->krawczyk = arb_mat_approx_inv(Y, Y, c->prec);
    arb_mat_mul(YJ, Y, J, c->prec);
    arb_mat_neg(YJ, YJ);
    for (i = 0; i < m; i++)
        arb_add_ui(arb_mat_entry(YJ, i, i), arb_mat_entry(YJ, i, i), 1, c->prec);
    arb_mat_mul(Kv, YJ, rv, c->prec);
    for (i = 0; i < m; i++)
        arf_set(arb_midref(arb_mat_entry(rv, i, 0)), arb_midref(Gv + i)),
        mag_set(arb_radref(arb_mat_entry(rv, i, 0)), arb_radref(Gv + i));
    arb_mat_mul(rv, Y, rv, c->prec);   /* Y G(xbar) */
    for (i = 0; r->krawczyk && i < m; i++) {
        arb_t k;
        arb_init(k);
        arb_sub(k, arb_mat_entry(Kv, i, 0), arb_mat_entry(rv, i, 0), c->prec);
        arb_abs(k, k);
        if (!arb_lt(k, rad))
            r->krawczyk = 0;
        arb_clear(k);
    }
    /* nu = 0 at the zero: the Gram matrix <s_j(theta), s_k(theta0)> is invertible on the box */
    generators_at(SX, c, r, X);
    for (i = 0; i < q; i++)
        for (j = 0; j < q; j++) {
            arb_ptr g = arb_mat_entry(Gm, i, j);
            slong k;
            arb_zero(g);
            for (k = 0; k < n; k++)
                arb_addmul(g, arb_mat_entry(SX, k, i), arb_mat_entry(S, k, j), c->prec);
        }
    r->gram = q == 0 || arb_mat_inv(Gm, Gm, c->prec);
    ok = r->krawczyk && r->gram && r->signs;
    (void) nk;
    arb_mat_clear(J); arb_mat_clear(S); arb_mat_clear(SX); arb_mat_clear(Y);
    arb_mat_clear(YJ); arb_mat_clear(Gm); arb_mat_clear(rv); arb_mat_clear(Kv);
    _arb_vec_clear(X, m);
    _arb_vec_clear(Gv, m);
    arb_clear(rad);
    return ok;
}

/* kink_multipliers (docs/refine.md §7.2): over the proven box (theta and mu balls, the
 * pattern's slopes), G_e = the adjoint of h_e in the seeded pass and t_e = mu_e / G_e; proven
 * iff every G_e excludes 0 and every t_e lies in [0, 1]. */
static void kink_slopes(crit *c, dnc_critical *r, arb_srcptr xbar)
{
    slong l, i, k, n = c->n;
    arb_mat_struct *adj = flint_malloc((c->p->L + 1) * sizeof(arb_mat_struct));
    arb_ptr X = _arb_vec_init(n + c->nk);
    arb_t rad;
    arb_init(rad);
    arb_one(rad);
    arb_mul_2exp_si(rad, rad, r->radius_log2);
    for (i = 0; i < n + c->nk; i++) {
        arb_set(X + i, xbar + i);
        arb_add_error(X + i, rad);
    }
    for (l = 0; l <= c->p->L; l++)
        arb_mat_init(adj + l, l >= 2 ? c->p->width[l - 1] : 0, l >= 2 ? c->N : 0);
    set_point(c, r, X, X + n);
    dnc_ball_eval_pattern_adjoint(c->e, c->x, c->slope, c->seed, adj, c->prec);
    if (r->G == NULL) {
        r->G = _arb_vec_init(r->nkinks);
        r->t = _arb_vec_init(r->nkinks);
    }
    r->slopes_proven = r->proven;
    snprintf(r->slopes_message, sizeof(r->slopes_message), r->proven ? "certified: every G_e excludes 0 and every "
             "t_e = mu_e / G_e lies in [0, 1] on the box" : "not proven: the critical_point claim is not certified");
    for (k = r->nkinks - 1; k >= 0; k--) {   /* reported: the highest failing kink (top-down) */
        arb_set(r->G + k, kink_entry(adj, r, k));
        arb_div(r->t + k, X + n + k, r->G + k, c->prec);
        if (r->proven && (arb_contains_zero(r->G + k) || !arb_is_nonnegative(r->t + k)
                          || !(arb_le(r->t + k, (arb_one(rad), rad)))) && r->slopes_proven) {
            char *g = arb_get_str(r->G + k, 8, 0), *mu = arb_get_str(X + n + k, 8, 0);
            char *t = arb_get_str(r->t + k, 8, 0);
            r->slopes_proven = 0;
            snprintf(r->slopes_message, sizeof(r->slopes_message), "not proven: at kink %ld = [%ld, %ld, %ld], "
                     "G_e in %s, mu_e in %s, t_e = mu_e / G_e in %s (%s)", (long) k, (long) r->kinks[3 * k],
                     (long) r->kinks[3 * k + 1], (long) r->kinks[3 * k + 2], g, mu, t,
                     arb_contains_zero(r->G + k) ? "G_e's enclosure contains 0"
                     : "the enclosure of t_e is not inside [0, 1]");
            flint_free(g);
            flint_free(mu);
            flint_free(t);
        }
    }
    for (l = 0; l <= c->p->L; l++)
        arb_mat_clear(adj + l);
    flint_free(adj);
    _arb_vec_clear(X, n + c->nk);
    arb_clear(rad);
}

void dnc_critical_init(dnc_critical *r)
{
    memset(r, 0, sizeof(*r));
    arb_init(r->loss);
}

void dnc_critical_clear(dnc_critical *r)
{
    if (r->center != NULL)
        _fmpq_vec_clear(r->center, r->n);
    if (r->mu != NULL)
        _fmpq_vec_clear(r->mu, r->nkinks);
    flint_free(r->kinks);
    flint_free(r->generators);
    if (r->G != NULL) {
        _arb_vec_clear(r->G, r->nkinks);
        _arb_vec_clear(r->t, r->nkinks);
    }
    arb_clear(r->loss);
    memset(r, 0, sizeof(*r));
}

/* c's sizes from r; xbar (initialised, m entries) <- r's centre. */
static void load(crit *c, const dnc_critical *r, arb_ptr *xbar)
{
    slong i, k;
    c->nk = r->nkinks;
    c->q = r->ngenerators;
    c->m = c->n + c->nk + c->q;
    *xbar = _arb_vec_init(c->m);
    for (i = 0; i < c->n; i++)
        arb_set_fmpq(*xbar + i, r->center + i, c->prec);
    for (k = 0; k < c->nk; k++)
        arb_set_fmpq(*xbar + c->n + k, r->mu + k, c->prec);
}

/* The pattern of r (kinks; signs of the other entries at the centre) into c. */
static void pattern_from(crit *c, const dnc_critical *r, arb_srcptr xbar)
{
    slong l, i, k;
    set_point(c, r, xbar, xbar + c->n);
    dnc_ball_eval_pattern(c->e, c->x, NULL, NULL, c->pre, 0, c->prec);
    for (l = 2; l <= c->p->L; l++)
        for (i = 0; is_relu(c, l) && i < c->p->width[l - 1] * c->N; i++)
            c->state[l][i] = (signed char) arf_sgn(arb_midref(at(c->pre + l, i)));
    for (k = 0; k < r->nkinks; k++) {
        l = r->kinks[3 * k];
        c->state[l][r->kinks[3 * k + 1] + c->p->width[l - 1] * r->kinks[3 * k + 2]] = 0;
    }
    for (l = 2; l <= c->p->L; l++) {
        arb_mat_zero(c->slope + l);
        for (i = 0; is_relu(c, l) && i < c->p->width[l - 1] * c->N; i++)
            if (c->state[l][i] > 0)
                arb_one(at(c->slope + l, i));
    }
}

int dnc_critical_check(dnc_critical *r, dnc_problem_t p, slong prec)
{
    crit c;
    arb_ptr xbar;
    slong k;
    int ok = 1;
    crit_init(&c, p, prec);
    load(&c, r, &xbar);
    pattern_from(&c, r, xbar);
    for (k = 0; k < r->ngenerators; k++)
        ok &= same_pattern(&c, r->generators[3 * k], r->generators[3 * k + 1], r->generators[3 * k + 2]);
    r->krawczyk = r->gram = r->signs = 0;
    r->proven = ok && check_box(&c, r, xbar);
    kink_slopes(&c, r, xbar);
    _arb_vec_clear(xbar, c.m);
    crit_clear(&c);
    return r->proven;
}

int dnc_critical_certify(dnc_critical *r, const fmpq *exact, dnc_problem_t p, slong prec)
{
    crit c;
    arb_ptr x;
    slong i, k, E[3] = { -(3 * prec) / 4, -(5 * prec) / 8, -prec / 2 };
    double t0 = dnc_seconds_now();
    if (p->loss == DNC_LOSS_CE) {
        snprintf(r->message, sizeof(r->message), "cross-entropy: the dual-number backend handles the squared error only");
        return -1;
    }
    crit_init(&c, p, prec);
    r->n = c.n;
    r->prec = prec;
    x = _arb_vec_init(c.n);
    for (i = 0; i < c.n; i++) {
        arb_set_fmpq(x + i, exact + i, prec);
        arb_set(c.v[i], x + i);
    }
    find_pattern(&c, r);
    choose_generators(&c, r, x);
    _arb_vec_clear(x, c.n);
    c.q = r->ngenerators;
    c.m = c.n + c.nk + c.q;
    x = _arb_vec_init(c.m);
    for (i = 0; i < c.n; i++)
        arb_set_fmpq(x + i, exact + i, prec);
    polish(&c, r, x);
    r->center = _fmpq_vec_init(c.n);
    r->mu = _fmpq_vec_init(c.nk);
    for (i = 0; i < c.n; i++)
        arf_get_fmpq(r->center + i, arb_midref(x + i));
    for (k = 0; k < c.nk; k++)
        arf_get_fmpq(r->mu + k, arb_midref(x + c.n + k));
    for (k = 0; k < 3 && !r->proven; k++) {
        r->radius_log2 = E[k];
        r->proven = check_box(&c, r, x);
    }
    kink_slopes(&c, r, x);
    r->size = c.m;
    r->seconds = dnc_seconds_now() - t0;
    snprintf(r->message, sizeof(r->message), "%s: %ld unknowns (%ld parameters, %ld kinks, %ld symmetry generators); "
             "Krawczyk %s, slice Gram matrix %s, P+/P- signs %s on the box of radius 2^%ld",
             r->proven ? "certified" : "not proven", (long) c.m, (long) c.n, (long) c.nk, (long) c.q,
             r->krawczyk ? "contracts" : "fails", r->gram ? "invertible" : "not shown invertible",
             r->signs ? "kept" : "not kept", (long) r->radius_log2);
    _arb_vec_clear(x, c.m);
    crit_clear(&c);
    return 0;
}
