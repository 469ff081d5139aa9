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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>
#include <flint/fmpq_vec.h>
#include "dncert/exact.h"
#include "dncert/io.h"
#include "dncert/refine.h"

typedef struct {
    dnc_problem_struct *p;
    slong n, nf, nk, q, m, N, prec;   /* parameters, free parameters, kinks, generators, unknowns */
    slong bits;                  /* pattern decisions at 2^-bits (dnc_critical_pattern_bits) */
    slong *fi;                   /* the free parameters' indices (nf): all but the dead units' */
    char **dead;                 /* dead[l][a]: unit a of layer l is dead (l = 1..L) */
    char *held;                  /* held[k]: parameter k is a zero weight (r->zero), held at 0 */
    char *fixed;                 /* fixed[k]: parameter k is held at 0 (a dead unit's or a zero weight); free_coords */
    signed char **state;         /* state[l] (ReLU layers l = 2..L): +1, -1, 0 (kink), 2 (dead unit); d_l x N */
    arb_ptr th;                  /* scratch: a full parameter vector */
    int dead_ok;                 /* the last eval_J: the dead units' gradient entries are 0 */
    int no_ball;                 /* this attempt runs the double path only (dnc_critical_certify) */
    arb_mat_struct *slope, *seed, *dseed, *pre, *dpre;   /* L + 1 each */
    dnc_bpoint_t x, dx;          /* the point (or box) and a direction */
    arb_ptr *v, *dv, *g, *dg;    /* their entries and the gradients' (trainer layout) */
    dnc_beval_t e, de;
} crit;

static arb_ptr at(arb_mat_struct *m, slong k)
{
    return arb_mat_entry(m, k % arb_mat_nrows(m), k / arb_mat_nrows(m));
}

/* (x, y, z) appended to the triples *v (*n of them). */
static void append_triple(slong **v, slong *n, slong x, slong y, slong z)
{
    *v = flint_realloc(*v, 3 * (*n + 1) * sizeof(slong));
    (*v)[3 * *n] = x;
    (*v)[3 * *n + 1] = y;
    (*v)[3 * *n + 2] = z;
    (*n)++;
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
    c->bits = prec / 2;
    c->n = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    c->state = flint_calloc(L + 1, sizeof(signed char *));
    c->dead = flint_calloc(L + 1, sizeof(char *));
    for (l = 1; l <= L; l++)
        c->dead[l] = flint_calloc(p->width[l - 1], 1);
    c->fi = flint_malloc(c->n * sizeof(slong));
    c->held = flint_calloc(c->n + 1, 1);
    c->fixed = flint_calloc(c->n + 1, 1);
    c->th = _arb_vec_init(c->n);
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
    for (l = 0; l <= L; l++) {
        flint_free(c->state[l]);
        flint_free(c->dead[l]);
    }
    flint_free(c->state);
    flint_free(c->dead);
    flint_free(c->held);
    flint_free(c->fixed);
    flint_free(c->fi);
    _arb_vec_clear(c->th, c->n);
    flint_free(c->slope);
    flint_free(c->v);
    dnc_beval_clear(c->e);
    dnc_beval_clear(c->de);
    dnc_bpoint_clear(c->x);
    dnc_bpoint_clear(c->dx);
}

/* The parameter indices of unit a of layer l (l = 1..L): its row of the block feeding the
 * layer (H1 for l = 1, W_{l-1} otherwise) and its column of W_l. Returns their number. */
static slong unit_coords(const crit *c, slong l, slong a, slong *idx)
{
    const dnc_problem_struct *p = c->p;
    slong in = l == 1 ? 0 : dnc_param_offset(p, p->N, DNC_W, l - 1);
    slong in_rows = p->width[l - 1], in_cols = l == 1 ? p->N : p->width[l - 2];
    slong out = dnc_param_offset(p, p->N, DNC_W, l), out_rows = dnc_problem_out_rows(p, l), k, n = 0;
    for (k = 0; k < in_cols; k++)
        idx[n++] = in + a + in_rows * k;
    for (k = 0; k < out_rows; k++)
        idx[n++] = out + k + out_rows * a;
    return n;
}

/* The largest number of parameters of one unit. */
static slong unit_max(const crit *c)
{
    slong l, mx = 0;
    for (l = 1; l <= c->p->L; l++)
        mx = FLINT_MAX(mx, (l == 1 ? c->N : c->p->width[l - 2]) + dnc_problem_out_rows(c->p, l));
    return mx;
}

/* The parameters held at 0 (c->fixed): those of the units marked in c->dead and the zero
 * weights marked in c->held; the free ones (c->fi, c->nf): all others. */
static void free_coords(crit *c)
{
    char *fixed = c->fixed;
    slong *idx = flint_malloc(unit_max(c) * sizeof(slong)), l, a, k, t;
    memcpy(fixed, c->held, (size_t) c->n);
    for (l = 1; l <= c->p->L; l++)
        for (a = 0; a < c->p->width[l - 1]; a++)
            for (k = 0, t = c->dead[l][a] ? unit_coords(c, l, a, idx) : 0; k < t; k++)
                fixed[idx[k]] = 1;
    for (c->nf = 0, k = 0; k < c->n; k++)
        if (!fixed[k])
            c->fi[c->nf++] = k;
    flint_free(idx);
}

/* Dead units of theta (spec §3): ||in|| ||out|| <= 2^-bits (2^(-prec/2) by default) times the
 * layer's largest such product -- units that weight decay drives to 0, which the file may still show at 1e-3
 * and the refined point at 1e-80. Marks them in c->dead and sets their parameters to 0 in
 * theta (the Newton polish then moves the rest back onto the solution); listed in r. */
static void find_dead(crit *c, dnc_critical *r, arb_ptr theta)
{
    slong l, a, k, t, *idx = flint_malloc(unit_max(c) * sizeof(slong));
    arb_t nin, nout, mx;
    arb_ptr prod;
    arb_init(nin);
    arb_init(nout);
    arb_init(mx);
    r->ndead = 0;
    for (l = 1; l <= c->p->L; l++) {
        slong d = c->p->width[l - 1], nin_cols = l == 1 ? c->N : c->p->width[l - 2];
        prod = _arb_vec_init(d);
        arb_zero(mx);
        for (a = 0; a < d; a++) {
            t = unit_coords(c, l, a, idx);
            arb_zero(nin);
            arb_zero(nout);
            for (k = 0; k < t; k++)
                arb_addmul(k < nin_cols ? nin : nout, theta + idx[k], theta + idx[k], c->prec);
            arb_mul(prod + a, nin, nout, c->prec);   /* the squared product */
            arb_max(mx, mx, prod + a, c->prec);
        }
        arb_mul_2exp_si(mx, mx, -2 * c->bits);
        for (a = 0; a < d; a++) {
            c->dead[l][a] = arb_le(prod + a, mx) || arb_is_zero(prod + a);
            if (!c->dead[l][a])
                continue;
            for (k = 0, t = unit_coords(c, l, a, idx); k < t; k++)
                arb_zero(theta + idx[k]);
            r->dead = flint_realloc(r->dead, 2 * (r->ndead + 1) * sizeof(slong));
            r->dead[2 * r->ndead] = l;
            r->dead[2 * r->ndead + 1] = a;
            r->ndead++;
        }
        _arb_vec_clear(prod, d);
    }
    free_coords(c);
    flint_free(idx);
    arb_clear(nin);
    arb_clear(nout);
    arb_clear(mx);
}

/* The pattern of the exact point in c->x: kinks where |Htilde| <= 2^-bits times the
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
        arb_mul_2exp_si(mx, mx, -c->bits);
        for (i = 0; i < rows; i++)
            for (j = 0; j < c->N; j++) {
                arb_ptr u = arb_mat_entry(c->pre + l, i, j);
                arb_abs(a, u);
                signed char s = c->dead[l][i] ? 2 : arf_cmpabs_mag(arb_midref(a), arb_radref(a)) <= 0 || arb_le(a, mx) ? 0
                                : arf_sgn(arb_midref(u));
                c->state[l][i + rows * j] = s;
                if (s == 1)
                    arb_one(arb_mat_entry(c->slope + l, i, j));
                if (s == 0)
                    append_triple(&r->kinks, &r->nkinks, l, i, j);
            }
    }
    c->nk = r->nkinks;
    arb_clear(mx);
    arb_clear(a);
}

static int same_pattern(const crit *c, slong l, slong a, slong b);

/* Merges proportional units (spec §3): in a ReLU layer, when unit b's in-row is c > 0 times
 * unit a's (relative residual <= 2^(-bits/2)) and both have one pattern, the rotation of the
 * pair by phi = atan(c) takes (w_a, w_b) to (sqrt(1 + c^2) w_a, 0): on the way both rows stay
 * non-negative multiples of w_a, so the pattern, f and the norms are unchanged (positive
 * homogeneity of ReLU), and the merged point is a KKT point of the network without b with the
 * rotated multipliers. b's out-column is then 0 at the exact point; it is set to 0, and b
 * becomes a dead unit (find_dead). This removes the kink constraints that make LICQ fail when
 * the layer below has rank < K. Returns the number of units merged. */
static slong merge_proportional(crit *c, arb_ptr theta)
{
    slong l, a, b, k, t, merged = 0, *ia, *ib, na, nb;
    slong nin;
    arb_t dot, naa, nbb, res, co, si, x, y;
    ia = flint_malloc(unit_max(c) * sizeof(slong));
    ib = flint_malloc(unit_max(c) * sizeof(slong));
    arb_init(dot); arb_init(naa); arb_init(nbb); arb_init(res); arb_init(co); arb_init(si); arb_init(x); arb_init(y);
    for (l = 2; l <= c->p->L; l++) {
        slong d = c->p->width[l - 1];
        if (!is_relu(c, l))
            continue;
        nin = c->p->width[l - 2];
        for (a = 0; a < d; a++)
            for (b = a + 1; b < d; b++) {
                if (c->dead[l][a] || c->dead[l][b] || !same_pattern(c, l, a, b))
                    continue;
                na = unit_coords(c, l, a, ia);
                nb = unit_coords(c, l, b, ib);
                arb_zero(dot); arb_zero(naa); arb_zero(nbb);
                for (k = 0; k < nin; k++) {
                    arb_addmul(dot, theta + ia[k], theta + ib[k], c->prec);
                    arb_addmul(naa, theta + ia[k], theta + ia[k], c->prec);
                    arb_addmul(nbb, theta + ib[k], theta + ib[k], c->prec);
                }
                if (!arb_is_positive(dot) || !arb_is_positive(naa))
                    continue;
                /* ||w_b - c w_a||^2 = nbb - dot^2 / naa, with c = dot / naa */
                arb_sqr(res, dot, c->prec);
                arb_div(res, res, naa, c->prec);
                arb_sub(res, nbb, res, c->prec);
                arb_mul_2exp_si(x, nbb, -c->bits);
                if (!arb_le(res, x))
                    continue;
                arb_div(x, dot, naa, c->prec);          /* c */
                arb_sqr(y, x, c->prec);
                arb_add_ui(y, y, 1, c->prec);
                arb_rsqrt(co, y, c->prec);               /* cos phi = 1 / sqrt(1 + c^2) */
                arb_mul(si, x, co, c->prec);             /* sin phi = c / sqrt(1 + c^2) */
                for (k = 0; k < na; k++) {
                    arb_mul(x, co, theta + ia[k], c->prec);
                    arb_addmul(x, si, theta + ib[k], c->prec);
                    arb_get_mid_arb(theta + ia[k], x);
                    arb_zero(theta + ib[k]);
                }
                (void) nb;
                c->dead[l][b] = 1;
                merged++;
            }
        for (t = 0; t < d; t++)   /* merged units are found again, as dead, by find_dead */
            c->dead[l][t] = 0;
    }
    arb_clear(dot); arb_clear(naa); arb_clear(nbb); arb_clear(res); arb_clear(co); arb_clear(si); arb_clear(x); arb_clear(y);
    flint_free(ia);
    flint_free(ib);
    return merged;
}

/* The units of ReLU layer l - 1 active (P+) in column j, into sup (their number returned):
 * the only ones whose cut post-activation can be nonzero there. -1 when layer l - 1 is not
 * a ReLU layer (H1 or a linear layer: every unit can be). */
static slong support(const crit *c, slong l, slong j, slong *sup)
{
    slong k, t = 0, rows;
    if (!is_relu(c, l - 1))
        return -1;
    rows = c->p->width[l - 2];
    for (k = 0; k < rows; k++)
        if (c->state[l - 1][k + rows * j] == 1)
            sup[t++] = k;
    return t;
}

/* The index of entry (i, u) of W_l in the parameter vector. */
static slong weight_index(const crit *c, slong l, slong i, slong u)
{
    return dnc_param_offset(c->p, c->N, DNC_W, l) + i + dnc_problem_out_rows(c->p, l) * u;
}

/* 1 when unit u of layer l - 1 is active in both columns j and j2. */
static int shares_input(const crit *c, slong l, slong u, slong j, slong j2)
{
    slong rows = c->p->width[l - 2];
    return c->state[l - 1][u + rows * j] == 1 && c->state[l - 1][u + rows * j2] == 1;
}

/* Zero weights (docs/refine.md §7.3) of row i of ReLU layer l >= 3 (fed by a ReLU layer). Its
 * kinks fall into groups linked by a common active input; let U be the inputs active in a
 * group's columns. When no unit of U is active in a column where unit i is active, f_0 and
 * every kink outside the group read w_iu (u in U) only through hbar_uj at i's active columns,
 * where hbar_uj = 0, so the Lagrangian's gradient there is lambda w_iu + sum over the group's
 * kinks mu_ij hbar_uj, and at a critical point lambda |w_i[U]|^2 = -sum mu_ij ubar_ij = 0:
 * w_i[U] = 0. Such weights are set to 0 and held there (not unknowns; the checkers require
 * their gradient entries to be exactly 0 on the box), and the group's kinks, exactly 0 with
 * them, become implied (zero_kink[e] = 1). Without this, the kink constraints are dependent
 * whenever hbar[U, group] has rank below the group's size (LICQ fails: K = 6, L = 4), and a
 * group's kinks can be degenerate (G_e = mu_e = 0), which kink_multipliers cannot show. */
static void row_zero_weights(crit *c, dnc_critical *r, arb_ptr theta, char *zero_kink, slong l, slong i, slong *grp,
                             char *in)
{
    slong rows = c->p->width[l - 2], d = c->p->width[l - 1], e, f, u, j, g, nk = 0, changed = 1, *ke = grp + r->nkinks;
    for (e = 0; e < r->nkinks; e++)
        if (r->kinks[3 * e] == l && r->kinks[3 * e + 1] == i)
            ke[nk] = e, grp[nk] = nk, nk++;
    while (changed)   /* groups: kinks linked by a common active input (smallest index as label) */
        for (changed = 0, e = 0; e < nk; e++)
            for (f = e + 1; f < nk; f++)
                for (u = 0; grp[e] != grp[f] && u < rows; u++)
                    if (shares_input(c, l, u, r->kinks[3 * ke[e] + 2], r->kinks[3 * ke[f] + 2]))
                        grp[e] = grp[f] = FLINT_MIN(grp[e], grp[f]), changed = 1;
    for (g = 0; g < nk; g++) {
        int ok = grp[g] == g;
        memset(in, 0, (size_t) rows);   /* U: the inputs active in a column of the group */
        for (e = 0; ok && e < nk; e++)
            for (u = 0; grp[e] == g && u < rows; u++)
                in[u] |= c->state[l - 1][u + rows * r->kinks[3 * ke[e] + 2]] == 1;
        for (j = 0; ok && j < c->N; j++)   /* no input of U is active where unit i is */
            for (u = 0; c->state[l][i + d * j] == 1 && u < rows; u++)
                ok &= !(in[u] && c->state[l - 1][u + rows * j] == 1);
        for (e = 0; ok && e < nk; e++)
            zero_kink[ke[e]] |= grp[e] == g;
        for (u = 0; ok && u < rows; u++)
            if (in[u]) {
                c->held[weight_index(c, l - 1, i, u)] = 1;
                arb_zero(theta + weight_index(c, l - 1, i, u));
                append_triple(&r->zero, &r->nzero, l - 1, i, u);
            }
    }
}

/* The index of entry (i, u) of the block feeding layer l + 1: H1 (d_1 x N) for l = 0, else W_l
 * (the zero_weights triples [l, i, u], format §6.9). */
static slong held_index(const crit *c, slong l, slong i, slong u)
{
    return l == 0 ? i + c->p->width[0] * u : weight_index(c, l, i, u);
}

/* The entries of the block x (rows x cols, column-major) of absolute value at
 * most 2^-bits times the block's largest: small[i + rows j] <- 1. */
static void small_entries(const crit *c, arb_srcptr x, slong rows, slong cols, char *small)
{
    slong k;
    arb_t a, mx;
    arb_init(a); arb_init(mx);
    for (k = 0; k < rows * cols; k++) {
        arb_abs(a, x + k);
        arb_max(mx, mx, a, c->prec);
    }
    arb_mul_2exp_si(mx, mx, -c->bits);
    for (k = 0; k < rows * cols; k++) {
        arb_abs(a, x + k);
        small[k] = arb_le(a, mx);
    }
    arb_clear(a); arb_clear(mx);
}

/* q <- q - (q . b) b over the live coordinates (n of them, at idx). */
static void project_out(arb_ptr q, arb_srcptr b, slong n, slong prec)
{
    slong k;
    arb_t d;
    arb_init(d);
    arb_dot(d, NULL, 0, q, 1, b, 1, n, prec);
    for (k = 0; k < n; k++)
        arb_submul(q + k, d, b + k, prec);
    arb_clear(d);
}

/* v (n) <- v minus its projection on the r orthonormal vectors Q (n each), twice; nv <- |v|^2. */
static void orthogonalise(arb_ptr v, arb_t nv, arb_srcptr Q, slong r, slong n, slong prec)
{
    slong t, b;
    for (t = 0; t < 2; t++)
        for (b = 0; b < r; b++)
            project_out(v, Q + n * b, n, prec);
    arb_dot(nv, NULL, 0, v, 1, v, 1, n, prec);
}

/* The orthonormal vectors Q (n x n, by columns; r of them returned): Gram-Schmidt on the
 * columns of H1 in order, restricted to the n live coordinates idx (a column whose remainder
 * is below 2^-bits of the largest column is skipped), completed each time by the unit vector
 * of largest remainder. */
static slong features_basis(const crit *c, arb_srcptr theta, const slong *idx, slong n, arb_ptr Q)
{
    slong d0 = c->p->width[0], r = 0, j, k, best;
    arb_ptr v = _arb_vec_init(n + 1);
    arb_t nv, mx, bn;
    arb_init(nv); arb_init(mx); arb_init(bn);
    for (j = 0; j < c->N; j++) {
        for (k = 0; k < n; k++)
            arb_set(v + k, theta + idx[k] + d0 * j);
        arb_dot(nv, NULL, 0, v, 1, v, 1, n, c->prec);
        arb_max(mx, mx, nv, c->prec);
    }
    arb_mul_2exp_si(mx, mx, -2 * c->bits);
    for (j = 0; j < c->N + n && r < n; j++) {
        if (j < c->N) {
            for (k = 0; k < n; k++)
                arb_set(v + k, theta + idx[k] + d0 * j);
            orthogonalise(v, nv, Q, r, n, c->prec);
            if (!arb_gt(nv, mx))
                continue;
        } else {   /* the unit vector of largest remainder (at least 1/n of one: the remainders sum to n - r) */
            for (best = -1, k = 0; k < n; k++) {
                _arb_vec_zero(v, n);
                arb_one(v + k);
                orthogonalise(v, nv, Q, r, n, c->prec);
                if (best < 0 || arf_cmp(arb_midref(nv), arb_midref(bn)) > 0)
                    best = k, arb_set(bn, nv);
            }
            _arb_vec_zero(v, n);
            arb_one(v + best);
            orthogonalise(v, nv, Q, r, n, c->prec);
        }
        arb_rsqrt(nv, nv, c->prec);
        _arb_vec_scalar_mul(Q + n * r++, v, n, nv, c->prec);
    }
    arb_clear(nv); arb_clear(mx); arb_clear(bn);
    _arb_vec_clear(v, n + 1);
    return r;
}

/* The frame of H1 (docs/refine.md §7.13): H1 -> Q^T H1, W_1 -> W_1 Q on the live coordinates
 * (units of layer 1 that are not dead), Q of features_basis. f is invariant (a rotation of
 * H1); Q^T H1 is upper triangular, and where groups of columns are orthogonal to each other
 * (DNC: every pair) its entries outside the groups vanish. Q is orthogonal to the working
 * precision only and the point is rounded to midpoints: the Newton polish brings it back
 * onto the critical set. */
static void features_frame(const crit *c, arb_ptr theta)
{
    slong d0 = c->p->width[0], d1 = c->p->width[1], N = c->N, n = 0, a, b, j, k;
    slong w1 = dnc_param_offset(c->p, N, DNC_W, 1), *idx = flint_malloc((d0 + 1) * sizeof(slong));
    arb_ptr Q = _arb_vec_init(d0 * d0 + 1), v = _arb_vec_init(d0 + 1), out = _arb_vec_init(d0 + 1);
    for (a = 0; a < d0; a++)
        if (!c->dead[1][a])
            idx[n++] = a;
    for (j = features_basis(c, theta, idx, n, Q) == n ? 0 : N + d1; j < N + d1; j++) {
        arb_ptr base = j < N ? theta + d0 * j : theta + w1 + (j - N);   /* column j of H1: Q^T h; row of W_1: w Q */
        slong step = j < N ? 1 : d1;
        for (k = 0; k < n; k++)
            arb_set(v + k, base + step * idx[k]);
        for (b = 0; b < n; b++) {
            arb_dot(out + b, NULL, 0, v, 1, Q + n * b, 1, n, c->prec);
            arb_get_mid_arb(out + b, out + b);
        }
        for (k = 0; k < n; k++)
            arb_set(base + step * idx[k], out + k);
    }
    _arb_vec_clear(Q, d0 * d0 + 1);
    _arb_vec_clear(v, d0 + 1);
    _arb_vec_clear(out, d0 + 1);
    flint_free(idx);
}

/* 1 when kink (2, i, j) is 0 by zeros alone: every term W_1[i, a] H1[a, j] has a held factor. */
static int zeros_imply(slong d0, slong d1, const char *zw, const char *zh, slong i, slong j)
{
    slong a;
    for (a = 0; a < d0; a++)
        if (!zw[i + d1 * a] && !zh[a + d0 * j])
            return 0;
    return 1;
}

/* Zero entries of H1 and W_1 (docs/refine.md §7.13): layer 2 reads H1, which has no pattern,
 * so a kink there is implied only when every term W_1[i, a] H1[a, j] has a factor held at 0.
 * Candidates are the entries of H1 and W_1 below 2^-bits of their block's largest (a point in a
 * frame where the structure is sparse, e.g. the exported DNC point). The Lagrangian's gradient
 * in H1[a, j] is sum_i W_1[i, a] A_ij and in W_1[i, a] is sum_j A_ij H1[a, j] (plus lambda times
 * the entry, 0), where A, the adjoint of layer 2's pre-activation, is exactly 0 on P- entries,
 * implied kinks and dead units; so a candidate stays only while every unit i (column j) with a
 * possibly nonzero A_ij has its factor held as well -- pruned to a fixed point. The checkers
 * require those gradient entries to be exactly 0 on the box; this only chooses. Entries are
 * held (zero_weights [0, a, j] and [1, i, a]) only when some kink becomes implied. */
static void find_zero_features(crit *c, dnc_critical *r, arb_ptr theta, char *zero_kink)
{
    slong d0 = c->p->width[0], d1 = c->p->width[1], N = c->N, i, j, a, e, nimp = 0;
    slong w1 = dnc_param_offset(c->p, N, DNC_W, 1);
    char *zh, *zw, *live;
    arb_ptr y;
    int changed = 1;
    if (!is_relu(c, 2) || c->p->bias != DNC_BIAS_NONE)
        return;
    zh = flint_calloc((size_t) (d0 * N) + 1, 1);
    zw = flint_calloc((size_t) (d1 * d0) + 1, 1);
    live = flint_calloc((size_t) (d1 * N) + 1, 1);
    y = _arb_vec_init(c->n);
    _arb_vec_set(y, theta, c->n);
    features_frame(c, y);
    small_entries(c, y, d0, N, zh);
    small_entries(c, y + w1, d1, d0, zw);
    for (i = 0; i < d1; i++)   /* a dead unit's row is held already */
        for (a = 0; c->dead[2][i] && a < d0; a++)
            zw[i + d1 * a] = 1;
    for (a = 0; a < d0; a++)
        for (j = 0; c->dead[1][a] && j < N; j++)
            zh[a + d0 * j] = 1;
    while (changed) {
        changed = 0;
        for (i = 0; i < d1; i++)   /* A_ij possibly nonzero: P+, or a kink that zeros do not imply */
            for (j = 0; j < N; j++) {
                signed char st = c->state[2][i + d1 * j];
                live[i + d1 * j] = !c->dead[2][i] && (st == 1 || (st == 0 && !zeros_imply(d0, d1, zw, zh, i, j)));
            }
        for (a = 0; a < d0; a++)
            for (j = 0; j < N; j++)
                for (i = 0; zh[a + d0 * j] && i < d1; i++)
                    if (live[i + d1 * j] && !zw[i + d1 * a])
                        zh[a + d0 * j] = 0, changed = 1;
        for (i = 0; i < d1; i++)
            for (a = 0; a < d0; a++)
                for (j = 0; zw[i + d1 * a] && j < N; j++)
                    if (live[i + d1 * j] && !zh[a + d0 * j])
                        zw[i + d1 * a] = 0, changed = 1;
    }
    for (e = 0; e < r->nkinks; e++) {
        const slong *k = r->kinks + 3 * e;
        if (k[0] == 2 && !c->dead[2][k[1]] && zeros_imply(d0, d1, zw, zh, k[1], k[2]))
            zero_kink[e] = 1, nimp++;
    }
    if (nimp > 0)   /* the point in the new frame */
        _arb_vec_set(theta, y, c->n);
    _arb_vec_clear(y, c->n);
    for (a = 0; nimp > 0 && a < d0; a++)   /* strictly increasing triples: H1 (l = 0), then W_1 */
        for (j = 0; !c->dead[1][a] && j < N; j++)
            if (zh[a + d0 * j]) {
                c->held[held_index(c, 0, a, j)] = 1;
                arb_zero(theta + held_index(c, 0, a, j));
                append_triple(&r->zero, &r->nzero, 0, a, j);
            }
    for (i = 0; nimp > 0 && i < d1; i++)
        for (a = 0; !c->dead[2][i] && a < d0; a++)
            if (zw[i + d1 * a] && !c->dead[1][a]) {
                c->held[held_index(c, 1, i, a)] = 1;
                arb_zero(theta + held_index(c, 1, i, a));
                append_triple(&r->zero, &r->nzero, 1, i, a);
            }
    flint_free(zh);
    flint_free(zw);
    flint_free(live);
}

/* The block of class k (a union-find root, blk[k] == k): classes linked by a unit of layer L
 * that is P+ in a column of each. */
static slong class_block(slong *blk, slong k)
{
    while (blk[k] != k)
        k = blk[k] = blk[blk[k]];
    return k;
}

/* The block that unit i of layer L is P+ in (-1: none), blocks of blk already joined. */
static slong unit_block(const crit *c, slong *blk, slong i)
{
    slong L = c->p->L, d = c->p->width[L - 1], j;
    for (j = 0; j < c->N; j++)
        if (c->state[L][i + d * j] == 1)
            return class_block(blk, c->x->label[j]);
    return -1;
}

/* Zero weights of the output layer (docs/refine.md §7.3, output blocks). Classes linked by a unit
 * of layer L that is P+ in a column of each form blocks; a unit P+ in a column of block B is P+
 * in no column outside B. Let row k's class lie in B and w = W_L[k, i] over the units i that are
 * not P+ in B. At B's columns those units are cut (hbar = 0); at the other columns Y[k, j] = 0
 * and only such units are P+, so the residual there is w . hbar_j, and the gradient in w (no kink
 * reads W_L) is (1/N) sum_j (w . hbar_j) hbar_j + lambda w; dotted with w, 0 only for w = 0.
 * These entries are held when all of a row's are small at the point (the gradient entries are
 * exactly 0 only with the whole row held, and the checkers require that). Then a kink (L, i, j)
 * with i not P+ in j's block has G_e exactly 0 (its unit reads no output row of j's block, the
 * other rows' residuals at j are exactly 0), where the box alone gives a ball around 0: what
 * d_stationary needs at the K = 4 witnesses, whose class 2 has its own units. */
static void output_zero_weights(crit *c, dnc_critical *r, arb_ptr theta)
{
    slong L = c->p->L, K = c->p->K, d = c->p->width[L - 1], w = dnc_param_offset(c->p, c->N, DNC_W, L), i, j, k, b;
    slong *blk = flint_malloc((K + d + 1) * sizeof(slong)), *ub = blk + K;
    char *small = flint_calloc((size_t) (K * d) + 1, 1);
    int ok;
    if (!is_relu(c, L) || c->p->bias != DNC_BIAS_NONE)
        goto done;
    for (k = 0; k < K; k++)
        blk[k] = k;
    for (i = 0; i < d; i++) {   /* link every class where unit i is P+ to the first such class */
        slong first = -1;
        for (j = 0; j < c->N; j++)
            if (c->state[L][i + d * j] == 1) {
                b = class_block(blk, c->x->label[j]);
                if (first < 0)
                    first = b;
                else if (b != first)
                    blk[b] = first;
            }
    }
    for (i = 0; i < d; i++)
        ub[i] = c->dead[L][i] ? -2 : unit_block(c, blk, i);
    small_entries(c, theta + w, K, d, small);
    for (k = 0; k < K; k++) {
        b = class_block(blk, k);
        for (ok = 1, i = 0; i < d; i++)   /* the entries outside the block: all small, or none held */
            ok &= ub[i] == -2 || ub[i] == b || small[k + K * i];
        for (i = 0; ok && i < d; i++)
            if (ub[i] != -2 && ub[i] != b)
                c->held[w + k + K * i] = 1;
    }
    for (k = 0; k < K; k++)   /* strictly increasing triples [L, k, i], after those of W_1..W_{L-1} */
        for (i = 0; i < d; i++)
            if (c->held[w + k + K * i]) {
                arb_zero(theta + w + k + K * i);
                append_triple(&r->zero, &r->nzero, L, k, i);
            }
done:
    flint_free(blk);
    flint_free(small);
}

static void find_zero_weights(crit *c, dnc_critical *r, arb_ptr theta, char *zero_kink)
{
    slong l, i, *grp = flint_malloc((2 * r->nkinks + 1) * sizeof(slong));
    char *in = flint_malloc((size_t) unit_max(c) + 1);
    find_zero_features(c, r, theta, zero_kink);
    for (l = 3; l <= c->p->L; l++)
        for (i = 0; is_relu(c, l) && is_relu(c, l - 1) && i < c->p->width[l - 1]; i++)
            if (!c->dead[l][i])
                row_zero_weights(c, r, theta, zero_kink, l, i, grp, in);
    output_zero_weights(c, r, theta);
    free_coords(c);
    flint_free(grp);
    flint_free(in);
}

/* 1 when the |V| x |T| matrix hbar[V, T] of layer l - 1 at the point (the cut post-activations:
 * the pre-activations of its P+ entries, else 0), in double, has |V| - 1 pivots above 1e-8 times
 * its largest entry under Gaussian elimination with full pivoting: its rank is |V| - 1 or more,
 * robustly (the checker shows it on the box in balls). */
static int partner_rank(const crit *c, slong l, const slong *V, slong nv, const slong *T, slong nt)
{
    slong rows = c->p->width[l - 2], i, j, step, pi = 0, pj = 0;
    double *M, mx = 0, best, f;
    char *ru, *cu;
    int ok = nv - 1 <= nt;
    if (!ok || nv == 1)
        return ok;
    M = flint_calloc((size_t) nv * nt, sizeof(double));
    ru = flint_calloc(nv, 1);
    cu = flint_calloc(nt, 1);
    for (i = 0; i < nv; i++)
        for (j = 0; j < nt; j++)
            if (c->state[l - 1][V[i] + rows * T[j]] == 1) {
                M[i + nv * j] = arf_get_d(arb_midref(arb_mat_entry(c->pre + l - 1, V[i], T[j])), ARF_RND_NEAR);
                mx = FLINT_MAX(mx, fabs(M[i + nv * j]));
            }
    for (step = 0; ok && step < nv - 1; step++) {
        for (best = 0, i = 0; i < nv; i++)
            for (j = 0; !ru[i] && j < nt; j++)
                if (!cu[j] && fabs(M[i + nv * j]) > best)
                    best = fabs(M[i + nv * j]), pi = i, pj = j;
        ok = best > 1e-8 * mx;
        for (i = 0; ok && i < nv; i++)
            if (!ru[i] && i != pi)
                for (f = M[i + nv * pj] / M[pi + nv * pj], j = 0; j < nt; j++)
                    M[i + nv * j] -= f * M[pi + nv * j];
        ru[pi] = cu[pj] = 1;
    }
    flint_free(M);
    flint_free(ru);
    flint_free(cu);
    return ok;
}

/* V <- the units of layer l - 1 that are P+ in some column of T (nt columns); returns |V|. */
static slong active_in_columns(const crit *c, slong l, const slong *T, slong nt, slong *V)
{
    slong rows = c->p->width[l - 2], nv = 0, u, t;
    for (u = 0; u < rows; u++)
        for (t = 0; t < nt; t++)
            if (c->state[l - 1][u + rows * T[t]] == 1) {
                V[nv++] = u;
                break;
            }
    return nv;
}

/* 1 when row a of layer l has a listed kink (not implied; implied NULL: r's kinks are the listed
 * ones) in every column of T. */
static int row_has_kinks(const dnc_critical *r, const char *implied, slong l, slong a, const slong *T, slong nt)
{
    slong t, e, found;
    for (t = 0; t < nt; t++) {
        for (found = 0, e = 0; e < r->nkinks && !found; e++)
            found = (implied == NULL || !implied[e]) && r->kinks[3 * e] == l && r->kinks[3 * e + 1] == a
                    && r->kinks[3 * e + 2] == T[t];
        if (!found)
            return 0;
    }
    return 1;
}

/* Implied by a partner (docs/refine.md §8, format §6.9 check 3b rule *partner*): kink e =
 * (l, b, j*), T' the other listed kinks of row b, V the units of layer l - 1 that are P+ in a
 * column of T' or j*. When hbar[V, T'] has rank |V| - 1 and a unit a != b of layer l has listed
 * kinks at T' and j* and w_a[V] != 0, then at a zero of the system w_a[V] and w_b[V] both lie in
 * the one-dimensional left null space of hbar[V, T'], so w_b[V] = alpha w_a[V] and
 * ubar_(l,b,j*) = alpha ubar_(l,a,j*) = 0 without its own equation. An anti-parallel pair
 * (w_b = -w_a: ReLU(x) and ReLU(-x)) with |T| = |V| kinks is such a case; with the equation
 * the pair's kink rows are dependent (LICQ fails by one). One kink per pair; a row that is in
 * a pair is in no other. */
static void find_partner_implied(crit *c, dnc_critical *r, char *implied, arb_srcptr theta)
{
    slong l, b, a, e, t, nt, nv, last = 0, maxw = unit_max(c) + c->N + 1;
    slong *T = flint_malloc(maxw * sizeof(slong)), *V = flint_malloc(maxw * sizeof(slong));
    for (l = 3; l <= c->p->L; l++) {
        slong d = c->p->width[l - 1];
        char *used = flint_calloc(d + 1, 1);
        for (b = 0; is_relu(c, l) && is_relu(c, l - 1) && b < d; b++) {
            for (nt = 0, e = 0; e < r->nkinks; e++)   /* T: row b's listed kinks; j* = T[nt - 1], kink last */
                if (!implied[e] && r->kinks[3 * e] == l && r->kinks[3 * e + 1] == b)
                    T[nt++] = r->kinks[3 * e + 2], last = e;
            if (used[b] || c->dead[l][b] || nt == 0)
                continue;
            nv = active_in_columns(c, l, T, nt, V);
            for (a = 0; a < d; a++) {
                int live = 0;
                if (a == b || used[a] || c->dead[l][a] || !row_has_kinks(r, implied, l, a, T, nt))
                    continue;
                for (t = 0; t < nv && !live; t++) {
                    arb_srcptr w = theta + weight_index(c, l - 1, a, V[t]);
                    live = arf_cmpabs_2exp_si(arb_midref(w), -c->prec / 4) > 0 && arb_is_nonzero(w);
                }
                if (!live || !partner_rank(c, l, V, nv, T, nt - 1))
                    continue;
                implied[last] = 1;
                used[a] = used[b] = 1;
                break;
            }
        }
        flint_free(used);
    }
    flint_free(T);
    flint_free(V);
}

/* Implied kinks (spec §3, LICQ): the kink (l, i, j) has ubar = sum_{k in S_j} w_ik hbar_kj,
 * S_j the units of layer l - 1 active in column j. A kept kink (l, i, j') with S_j' = {k}
 * forces w_ik = 0 at a zero of the system (hbar_kj' > 0 on the box), so a kink whose S_j
 * lies in the forced set of its row holds at that zero without its own equation: its
 * gradient is a combination of the forcing kinks' there, which makes the system singular.
 * Such kinks move from r->kinks to r->implied (multiplier 0, no equation). Pass 1 keeps the
 * first singleton-support kink of each (i, k); pass 2 implies the rest when covered. */
static void find_implied(crit *c, dnc_critical *r, const char *zero_kink, arb_srcptr theta)
{
    slong e, t, pass, n = 0, maxw = 1, l, *sup;
    char **forced = flint_calloc(c->p->L + 1, sizeof(char *)), *implied = flint_calloc(r->nkinks + 1, 1);
    for (l = 1; l <= c->p->L; l++)
        maxw = FLINT_MAX(maxw, c->p->width[l - 1]);
    sup = flint_malloc(maxw * sizeof(slong));
    for (l = 2; l <= c->p->L; l++)
        forced[l] = flint_calloc(c->p->width[l - 1] * maxw, 1);
    for (e = 0; zero_kink != NULL && e < r->nkinks; e++)   /* held by zero weights: exactly 0 */
        implied[e] = zero_kink[e];
    for (pass = 0; pass < 2; pass++)
        for (e = 0; e < r->nkinks; e++) {
            slong *k = r->kinks + 3 * e, ns = support(c, k[0], k[2], sup), covered = ns >= 0;
            char *f = forced[k[0]] + k[1] * maxw;
            if (ns < 0 || (pass == 0) != (ns == 1) || implied[e])
                continue;
            for (t = 0; t < ns; t++)
                covered &= f[sup[t]];
            if (covered)
                implied[e] = 1;
            else if (ns == 1)
                f[sup[0]] = 1;
        }
    find_partner_implied(c, r, implied, theta);
    r->nimplied = 0;
    for (e = 0; e < r->nkinks; e++) {
        if (!implied[e]) {
            memmove(r->kinks + 3 * n++, r->kinks + 3 * e, 3 * sizeof(slong));
            continue;
        }
        append_triple(&r->implied, &r->nimplied, r->kinks[3 * e], r->kinks[3 * e + 1], r->kinks[3 * e + 2]);
    }
    r->nkinks = n;
    c->nk = n;
    for (l = 2; l <= c->p->L; l++)
        flint_free(forced[l]);
    flint_free(forced);
    flint_free(implied);
    flint_free(sup);
}

/* 1 when units a and b of layer l may be rotated into each other: always for H1 (l = 1) and
 * around a linear layer, and in a ReLU layer when their rows of the pattern agree. */
static int same_pattern(const crit *c, slong l, slong a, slong b)
{
    slong j, rows;
    if (c->dead[l][a] || c->dead[l][b])   /* dead units are held at 0: no rotation moves them */
        return 0;
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

/* S v = P (E_ab - E_ba) P v into out (d), with P v = v - B (B^T B)^-1 B^T v and Gi = (B^T B)^-1. */
static void partial_apply(arb_ptr out, arb_srcptr v, const arb_mat_t B, const arb_mat_t Gi, slong a, slong b, slong prec)
{
    slong d = arb_mat_nrows(B), nc = arb_mat_ncols(B), i, k, pass;
    arb_ptr y = _arb_vec_init(d), t = _arb_vec_init(nc), u = _arb_vec_init(nc);
    _arb_vec_set(y, v, d);
    for (pass = 0; pass < 2; pass++) {   /* y <- P y; between the passes y <- (E_ab - E_ba) y */
        for (k = 0; k < nc; k++) {
            arb_zero(t + k);
            for (i = 0; i < d; i++)
                arb_addmul(t + k, arb_mat_entry(B, i, k), y + i, prec);
        }
        for (k = 0; k < nc; k++) {
            arb_zero(u + k);
            for (i = 0; i < nc; i++)
                arb_addmul(u + k, arb_mat_entry(Gi, k, i), t + i, prec);
        }
        for (i = 0; i < d; i++)
            for (k = 0; k < nc; k++)
                arb_submul(y + i, arb_mat_entry(B, i, k), u + k, prec);
        if (pass == 0) {
            arb_swap(y + a, y + b);
            arb_neg(y + b, y + b);
            for (i = 0; i < d; i++)
                if (i != a && i != b)
                    arb_zero(y + i);
        }
    }
    _arb_vec_set(out, y, d);
    _arb_vec_clear(y, d);
    _arb_vec_clear(t, nc);
    _arb_vec_clear(u, nc);
}

int dnc_critical_partial_generator(arb_ptr s, arb_srcptr theta, const dnc_problem_t p, const slong *rows, slong nr,
                                   const slong *cols, slong nc, slong a, slong b, slong j, slong prec)
{
    slong n = dnc_param_offset(p, p->N, DNC_NKINDS, 0), d = p->width[0], w1 = dnc_param_offset(p, p->N, DNC_W, 1);
    slong d2 = dnc_problem_out_rows(p, 1), i, k, u;
    arb_mat_t B, Gi;
    arb_ptr v = _arb_vec_init(d), out = _arb_vec_init(d);
    int ok;
    arb_mat_init(B, d, nc);
    arb_mat_init(Gi, nc, nc);
    for (k = 0; k < nc; k++)
        for (i = 0; i < d; i++)
            arb_set(arb_mat_entry(B, i, k), theta + i + d * cols[k]);
    {
        arb_mat_t Bt;
        arb_mat_init(Bt, nc, d);
        arb_mat_transpose(Bt, B);
        arb_mat_mul(Gi, Bt, B, prec);
        arb_mat_clear(Bt);
    }
    ok = nc == 0 || arb_mat_inv(Gi, Gi, prec);
    _arb_vec_zero(s, n);
    if (ok) {
        partial_apply(out, theta + d * j, B, Gi, a, b, prec);   /* column j of H1 */
        _arb_vec_set(s + d * j, out, d);
        for (u = 0; u < nr; u++) {                                  /* the rows R_j of W_1 */
            for (k = 0; k < d; k++)
                arb_set(v + k, theta + w1 + rows[u] + d2 * k);
            partial_apply(out, v, B, Gi, a, b, prec);
            for (k = 0; k < d; k++)
                arb_set(s + w1 + rows[u] + d2 * k, out + k);
        }
    } else
        _arb_vec_indeterminate(s, n);
    arb_mat_clear(B);
    arb_mat_clear(Gi);
    _arb_vec_clear(v, d);
    _arb_vec_clear(out, d);
    return ok;
}

/* The sets of the partial rotations of column j of H1 (docs/refine.md §7.7): rows <- R_j, the
 * live units of layer 2 that see column j (P+ or a kink there; every live unit when sigma_1 is
 * linear); cols <- F_j, the other columns that some unit of R_j sees. Returns |R_j|, *nc = |F_j|. */
static slong partial_sets(const crit *c, slong j, slong *rows, slong *cols, slong *nc)
{
    slong d2 = c->p->width[1], u, i, nr = 0;
    int relu = is_relu(c, 2);
#define SEES(u, i) (!relu || c->state[2][(u) + d2 * (i)] == 1 || c->state[2][(u) + d2 * (i)] == 0)
    for (u = 0; u < d2; u++)
        if (!c->dead[2][u] && SEES(u, j))
            rows[nr++] = u;
    *nc = 0;
    for (i = 0; i < c->N; i++) {
        int seen = 0;
        for (u = 0; u < nr && !seen && i != j; u++)
            seen = SEES(rows[u], i);
        if (seen)
            cols[(*nc)++] = i;
    }
#undef SEES
    return nr;
}

/* s <- the partial rotation (a, b, j) of r at theta; 0 when not defined there. */
static int partial_at(const crit *c, arb_ptr s, arb_srcptr theta, slong a, slong b, slong j)
{
    slong *rows = flint_malloc((c->p->width[1] + c->N) * sizeof(slong)), *cols = rows + c->p->width[1], nc, nr;
    int ok;
    nr = partial_sets(c, j, rows, cols, &nc);
    ok = dnc_critical_partial_generator(s, theta, c->p, rows, nr, cols, nc, a, b, j, c->prec);
    flint_free(rows);
    return ok;
}

/* ---- kink-preserving rotations (docs/refine.md §7.8) ---- */

/* U (d_l x N) <- the pre-activations of layer l >= 2 at theta with the pattern's slopes in the
 * layers below (1 on P+, else 0), its own kink and dead entries set to 0 (their value on M). */
static void layer_pre(const crit *c, arb_mat_t U, arb_srcptr theta, slong l)
{
    slong d0 = c->p->width[0], t, i, j;
    arb_mat_t H, W, P;
    arb_mat_init(H, d0, c->N);
    for (j = 0; j < c->N; j++)
        for (i = 0; i < d0; i++)
            arb_set(arb_mat_entry(H, i, j), theta + i + d0 * j);
    for (t = 2; t <= l; t++) {
        slong r = c->p->width[t - 1], cols = c->p->width[t - 2], off = dnc_param_offset(c->p, c->N, DNC_W, t - 1);
        arb_mat_init(W, r, cols);
        arb_mat_init(P, r, c->N);
        for (j = 0; j < cols; j++)
            for (i = 0; i < r; i++)
                arb_set(arb_mat_entry(W, i, j), theta + off + i + r * j);
        arb_mat_mul(P, W, H, c->prec);
        for (j = 0; is_relu(c, t) && j < c->N; j++)
            for (i = 0; i < r; i++) {
                signed char st = c->state[t][i + r * j];
                if ((t < l && st != 1) || (t == l && (st == 0 || st == 2)))
                    arb_zero(arb_mat_entry(P, i, j));
            }
        arb_mat_swap(H, P);
        arb_mat_clear(W);
        arb_mat_clear(P);
    }
    arb_mat_swap(U, H);
    arb_mat_clear(H);
}

/* 1 when unit u of layer l is linear on the data: l a ReLU layer, u live, no P- entry. */
static int linear_unit(const crit *c, slong l, slong u)
{
    slong r, j;
    if (l < 2 || l > c->p->L || !is_relu(c, l) || u < 0 || u >= c->p->width[l - 1] || c->dead[l][u])
        return 0;
    r = c->p->width[l - 1];
    for (j = 0; j < c->N; j++)
        if (c->state[l][u + r * j] != 1 && c->state[l][u + r * j] != 0)
            return 0;
    return 1;
}

/* The units of ReLU layer l that are linear on the data. lin <- them. */
static slong linear_on_data(const crit *c, slong l, slong *lin)
{
    slong i, m = 0;
    for (i = 0; i < c->p->width[l - 1]; i++)
        if (linear_unit(c, l, i))
            lin[m++] = i;
    return m;
}

/* 1 when units u and v of ReLU layer l are live and P- in the same columns (docs/refine.md
 * §7.8: the group of a kink-preserving rotation; with no P- entry, the units linear on the
 * data). */
static int same_minus(const crit *c, slong l, slong u, slong v)
{
    slong r, j;
    if (l < 2 || l > c->p->L || !is_relu(c, l) || u < 0 || v < 0 || u >= c->p->width[l - 1]
        || v >= c->p->width[l - 1] || c->dead[l][u] || c->dead[l][v])
        return 0;
    r = c->p->width[l - 1];
    for (j = 0; j < c->N; j++)
        if ((c->state[l][u + r * j] == -1) != (c->state[l][v + r * j] == -1))
            return 0;
    return 1;
}

/* The group of unit g of ReLU layer l: the live units P- in the same columns as g (g < 0: the
 * units linear on the data). grp <- them. */
static slong minus_group(const crit *c, slong l, slong g, slong *grp)
{
    slong i, m = 0;
    if (g < 0)
        return linear_on_data(c, l, grp);
    for (i = 0; i < c->p->width[l - 1]; i++)
        if (same_minus(c, l, g, i))
            grp[m++] = i;
    return m;
}

/* Index of the pair (p, q), p < q < m, among the m (m - 1) / 2 upper entries of A. */
static slong pair_index(slong p, slong q, slong m)
{
    return p * m - p * (p + 1) / 2 + (q - p - 1);
}

/* 1 when the dependency rule of the kink rows (format §6.9) applies to the columns j < j' of
 * layer l: no unit of lin is P+ in both, T = {i: kink at j, P+ at j'} and
 * T' = {k: P+ at j, kink at j'} are both non-empty. */
static int pair_dependent(const crit *c, slong l, const slong *lin, slong m, slong j, slong jj)
{
    slong r = c->p->width[l - 1], i, t = 0, tp = 0;
    const signed char *st = c->state[l];
    for (i = 0; i < m; i++) {
        signed char a = st[lin[i] + r * j], b = st[lin[i] + r * jj];
        if (a == 1 && b == 1)
            return 0;
        t += a == 0 && b == 1;
        tp += a == 1 && b == 0;
    }
    return t > 0 && tp > 0;
}

/* The kink rows of layer l (kinks of the units lin, by column, then unit) that the
 * dependency rule keeps (format §6.9): for columns j < j' with pair_dependent,
 * sum_{i in T} U_ij' row(i, j) + sum_{k in T'} U_kj row(k, j') = 0 for every skew A; the
 * first row of that support neither dropped nor locked is dropped, then the support is
 * locked (so every dropped row is a combination of kept rows and rows dropped before).
 * keep[i + r j] <- 1 for kept kink rows; returns how many. */
static slong kink_rows_kept(const crit *c, slong l, const slong *lin, slong m, char *keep)
{
    slong r = c->p->width[l - 1], j, jj, i, n = 0;
    char *lock = flint_calloc((size_t) (r * c->N) + 1, 1);
    const signed char *st = c->state[l];
    memset(keep, 0, (size_t) (r * c->N));
    for (j = 0; j < c->N; j++) {
        int active = 0;   /* a row of a column where no unit of lin is P+ is 0 = 0: not kept */
        for (i = 0; i < m; i++)
            active |= st[lin[i] + r * j] == 1;
        for (i = 0; i < m; i++)
            keep[lin[i] + r * j] = active && st[lin[i] + r * j] == 0;
    }
    for (j = 0; j < c->N; j++)
        for (jj = j + 1; jj < c->N; jj++) {
            slong drop = -1;
            if (!pair_dependent(c, l, lin, m, j, jj))
                continue;
            for (i = 0; i < 2 * m && drop < 0; i++) {   /* rows of column j (T), then of j' (T') */
                slong u = lin[i % m], col = i < m ? j : jj, oth = i < m ? jj : j, e = u + r * col;
                if (st[e] == 0 && st[u + r * oth] == 1 && keep[e] && !lock[e])
                    drop = e;
            }
            for (i = 0; i < 2 * m; i++) {
                slong u = lin[i % m], col = i < m ? j : jj, oth = i < m ? jj : j;
                if (st[u + r * col] == 0 && st[u + r * oth] == 1)
                    lock[u + r * col] = 1;
            }
            if (drop >= 0)
                keep[drop] = 0;
        }
    for (i = 0; i < r * c->N; i++)
        n += keep[i];
    flint_free(lock);
    return n;
}

/* The kept kink rows of ReLU layer l at theta, as a linear system on the upper entries of a
 * skew matrix on a group of units (docs/refine.md §7.8): the units P- in the same columns as
 * unit g, or for g < 0 the units linear on the data; lin/pos those units (m;
 * pos[u] = -1 for the others), U the layer's pre-activations (layer_pre), C (nr x np) the kept
 * rows (A U)_ij = sum_k A_ik U_kj over the units k in P+ at j, Ct its transpose, Mi =
 * (C C^T)^-1. */
typedef struct {
    slong r, m, np, nr, *lin, *pos;
    char *keep;
    int ok;                  /* Mi was computed (C C^T shown invertible), or nr = 0 */
    arb_mat_t U, C, Ct, Mi;
} ksys;

static void ksys_init(ksys *k, const crit *c, arb_srcptr theta, slong l, slong g)
{
    slong i, j, t, q, r = c->p->width[l - 1];
    k->r = r;
    k->lin = flint_malloc((r + 1) * sizeof(slong));
    k->pos = flint_malloc((r + 1) * sizeof(slong));
    k->keep = flint_malloc((size_t) (r * c->N) + 1);
    k->m = minus_group(c, l, g, k->lin);
    for (i = 0; i < r; i++)
        k->pos[i] = -1;
    for (i = 0; i < k->m; i++)
        k->pos[k->lin[i]] = i;
    k->np = k->m * (k->m - 1) / 2;
    k->nr = kink_rows_kept(c, l, k->lin, k->m, k->keep);
    arb_mat_init(k->U, r, c->N);
    layer_pre(c, k->U, theta, l);
    arb_mat_init(k->C, k->nr, k->np);
    arb_mat_init(k->Mi, k->nr, k->nr);
    for (j = 0, t = 0; j < c->N; j++)
        for (i = 0; i < r; i++) {
            if (!k->keep[i + r * j])
                continue;
            for (q = 0; q < k->m; q++) {
                slong p = k->pos[i], u = k->lin[q];
                arb_ptr e = arb_mat_entry(k->C, t, p < q ? pair_index(p, q, k->m) : pair_index(q, p, k->m));
                if (c->state[l][u + r * j] != 1)
                    continue;
                if (p < q)
                    arb_add(e, e, arb_mat_entry(k->U, u, j), c->prec);
                else
                    arb_sub(e, e, arb_mat_entry(k->U, u, j), c->prec);
            }
            t++;
        }
    arb_mat_init(k->Ct, k->np, k->nr);
    arb_mat_transpose(k->Ct, k->C);
    k->ok = 1;
    if (k->nr > 0) {
        arb_mat_mul(k->Mi, k->C, k->Ct, c->prec);
        k->ok = arb_mat_inv(k->Mi, k->Mi, c->prec);
    }
}

static void ksys_clear(ksys *k)
{
    arb_mat_clear(k->U);
    arb_mat_clear(k->C);
    arb_mat_clear(k->Ct);
    arb_mat_clear(k->Mi);
    flint_free(k->lin);
    flint_free(k->pos);
    flint_free(k->keep);
}

/* x (np x 1) <- C^T Mi y (y: nr x 1), the least-norm solution of C x = y. */
static void ksys_solve(arb_mat_t x, const ksys *k, const arb_mat_t y, slong prec)
{
    arb_mat_t z;
    arb_mat_init(z, k->nr, 1);
    arb_mat_mul(z, k->Mi, y, prec);
    arb_mat_mul(x, k->Ct, z, prec);
    arb_mat_clear(z);
}

/* A (r x r) <- the skew matrix on the units lin with upper entries e (np x 1). */
static void ksys_skew(arb_mat_t A, const ksys *k, const arb_mat_t e)
{
    slong i, q;
    arb_mat_zero(A);
    for (i = 0; i < k->m; i++)
        for (q = i + 1; q < k->m; q++) {
            arb_set(arb_mat_entry(A, k->lin[i], k->lin[q]), arb_mat_entry(e, pair_index(i, q, k->m), 0));
            arb_neg(arb_mat_entry(A, k->lin[q], k->lin[i]), arb_mat_entry(e, pair_index(i, q, k->m), 0));
        }
}

/* s <- the kink-preserving rotation (l, a, b) at theta: with the kink system of layer l on the
 * group of a (the live units P- in the same columns as a; ksys), A the skew matrix on the
 * group closest to E_ab - E_ba subject to the kept kink rows (A U)_ij = 0 (projection
 * x = e - C^T (C C^T)^-1 C e on the upper entries), W_{l-1} moves by A W_{l-1} and W_l by
 * -W_l A. 0 when b is not in a's group; s indeterminate when C C^T is not shown invertible. */
static int krot_at(const crit *c, arb_ptr s, arb_srcptr theta, slong l, slong a, slong b)
{
    slong n = c->n, r, i, j, t, k;
    ksys K;
    arb_mat_t e, w, y, A;
    int ok;
    _arb_vec_zero(s, n);
    if (a == b || !same_minus(c, l, a, b))
        return 0;
    ksys_init(&K, c, theta, l, a);
    r = K.r;
    ok = K.ok;
    arb_mat_init(e, K.np, 1); arb_mat_init(w, K.np, 1); arb_mat_init(y, K.nr, 1); arb_mat_init(A, r, r);
    if (K.pos[a] < K.pos[b])
        arb_one(arb_mat_entry(e, pair_index(K.pos[a], K.pos[b], K.m), 0));
    else
        arb_set_si(arb_mat_entry(e, pair_index(K.pos[b], K.pos[a], K.m), 0), -1);
    if (ok && K.nr > 0) {   /* e <- e - C^T M^-1 C e */
        arb_mat_mul(y, K.C, e, c->prec);
        ksys_solve(w, &K, y, c->prec);
        arb_mat_sub(e, e, w, c->prec);
    }
    ksys_skew(A, &K, e);
    if (ok) {   /* W_{l-1} (r x d_{l-2}) moves by A W_{l-1}, W_l (out x r) by -W_l A */
        slong in = dnc_param_offset(c->p, c->N, DNC_W, l - 1), cols = c->p->width[l - 2];
        slong out = dnc_param_offset(c->p, c->N, DNC_W, l), orows = dnc_problem_out_rows(c->p, l);
        for (i = 0; i < K.m; i++)
            for (j = 0; j < cols; j++)
                for (k = 0; k < K.m; k++)
                    arb_addmul(s + in + K.lin[i] + r * j, arb_mat_entry(A, K.lin[i], K.lin[k]), theta + in + K.lin[k] + r * j,
                               c->prec);
        for (t = 0; t < orows; t++)
            for (k = 0; k < K.m; k++)
                for (i = 0; i < K.m; i++)
                    arb_submul(s + out + t + orows * K.lin[k], theta + out + t + orows * K.lin[i],
                               arb_mat_entry(A, K.lin[i], K.lin[k]), c->prec);
    } else
        _arb_vec_indeterminate(s, n);
    arb_mat_clear(e); arb_mat_clear(w); arb_mat_clear(y); arb_mat_clear(A);
    ksys_clear(&K);
    return ok;
}

/* 1 when the problem has class rotations at all (format §6.9): one sample per class (so
 * sample j is class j and Y = I), no bias, MSE. */
static int class_rotations_apply(const crit *c)
{
    slong k;
    if (c->p->bias != DNC_BIAS_NONE || c->p->loss != DNC_LOSS_MSE || c->N != c->p->K)
        return 0;
    for (k = 0; k < c->p->K; k++)
        if (c->p->n[k] != 1)
            return 0;
    return 1;
}

/* Conditions (3)(i)-(iv) of format §6.9 for the class rotation (a, b) at ReLU layer l: no
 * live unit P- in column a or b; a live unit not linear on the data has a kink in column a
 * iff in column b; no dependent column pair (pair_dependent) touches a or b; where no unit
 * linear on the data is P+ in column a (b), those with a kink there have one in b (a) too. */
static int crot_layer_ok(const crit *c, slong l, slong a, slong b)
{
    slong r = c->p->width[l - 1], u, j, *lin = flint_malloc((r + 1) * sizeof(slong)), m;
    const signed char *st = c->state[l];
    int ok = 1;
    int act_a = 0, act_b = 0;   /* some unit linear on the data is P+ in column a (b) */
    m = linear_on_data(c, l, lin);
    for (u = 0; u < m; u++)
        act_a |= st[lin[u] + r * a] == 1, act_b |= st[lin[u] + r * b] == 1;
    for (u = 0; u < r && ok; u++) {   /* (ii), and (iv): a kink row not kept must hold as 0 = 0 */
        int lu = linear_unit(c, l, u), ka = st[u + r * a] == 0, kb = st[u + r * b] == 0;
        if (c->dead[l][u])
            continue;
        ok = st[u + r * a] != -1 && st[u + r * b] != -1 && (lu ? (act_a || !ka || kb) && (act_b || !kb || ka) : ka == kb);
    }
    for (j = 0; j < c->N && ok; j++) {
        if (j != a && j != b)
            ok = !pair_dependent(c, l, lin, m, j < a ? j : a, j < a ? a : j)
                 && !pair_dependent(c, l, lin, m, j < b ? j : b, j < b ? b : j);
        else if (j == a)
            ok = !pair_dependent(c, l, lin, m, a, b);
    }
    flint_free(lin);
    return ok;
}

/* The class rotation (a, b) is a symmetry at this pattern: a pair of classes of a problem that
 * has class rotations, and (3)(i)-(iv) of format §6.9 in every ReLU layer. */
static int crot_admissible(const crit *c, slong a, slong b)
{
    slong l;
    int ok = a >= 0 && a < b && b < c->p->K && class_rotations_apply(c);
    for (l = 2; ok && l <= c->p->L; l++)
        ok = !is_relu(c, l) || crot_layer_ok(c, l, a, b);
    return ok;
}

/* B (r x r) <- B_l of the class rotation (a, b) at theta (format §6.9): the skew matrix on the
 * units linear on the data with upper entries C^T (C C^T)^-1 rho, rho_ij = (U A)_ij over the
 * kept rows (-U_ib at column a, U_ia at column b, 0 elsewhere). 0 when C C^T is not shown
 * invertible. */
static int crot_B(const crit *c, arb_mat_t B, arb_srcptr theta, slong l, slong a, slong b)
{
    slong r = c->p->width[l - 1], i, j, t;
    ksys K;
    arb_mat_t rho, x;
    int ok;
    ksys_init(&K, c, theta, l, -1);
    ok = K.ok;
    arb_mat_init(rho, K.nr, 1);
    arb_mat_init(x, K.np, 1);
    for (j = 0, t = 0; j < c->N; j++)   /* the kept rows in ksys_init's order */
        for (i = 0; i < r; i++) {
            if (!K.keep[i + r * j])
                continue;
            if (j == a)
                arb_neg(arb_mat_entry(rho, t, 0), arb_mat_entry(K.U, i, b));
            else if (j == b)
                arb_set(arb_mat_entry(rho, t, 0), arb_mat_entry(K.U, i, a));
            t++;
        }
    if (ok && K.nr > 0)
        ksys_solve(x, &K, rho, c->prec);
    ksys_skew(B, &K, x);
    arb_mat_clear(rho);
    arb_mat_clear(x);
    ksys_clear(&K);
    return ok;
}

/* s <- the class rotation (a, b) at theta (format §6.9, docs/refine.md §7.10): with
 * A = E_ab - E_ba on the K samples (= classes), B_1 = 0 and B_l = crot_B on the ReLU layers
 * (0 on identity layers), dH1 = -H1 A, dW_{l-1} = B_l W_{l-1} - W_{l-1} B_{l-1}, dW_L =
 * A W_L - W_L B_L. 0 (s zero) when the problem has none or a layer fails (3)(i)-(iv);
 * s indeterminate when a C C^T is not shown invertible. */
static int crot_at(const crit *c, arb_ptr s, arb_srcptr theta, slong a, slong b)
{
    slong L = c->p->L, l, i, j, u, d0 = c->p->width[0];
    arb_mat_struct *B;
    int ok = 1;
    _arb_vec_zero(s, c->n);
    if (!crot_admissible(c, a, b))
        return 0;
    B = flint_malloc((L + 1) * sizeof(arb_mat_struct));
    for (l = 1; l <= L; l++) {
        arb_mat_init(B + l, c->p->width[l - 1], c->p->width[l - 1]);
        if (is_relu(c, l) && !crot_B(c, B + l, theta, l, a, b))
            ok = 0;
    }
    for (i = 0; i < d0; i++) {   /* dH1 = -H1 A: column a gets h_b, column b gets -h_a */
        arb_set(s + i + d0 * a, theta + i + d0 * b);
        arb_neg(s + i + d0 * b, theta + i + d0 * a);
    }
    for (l = 1; l <= L; l++) {   /* dW_l = B_{l+1} W_l - W_l B_l (B_{L+1} = A, on the K rows) */
        slong off = dnc_param_offset(c->p, c->N, DNC_W, l), rows = dnc_problem_out_rows(c->p, l);
        slong cols = c->p->width[l - 1];
        for (j = 0; j < cols; j++)
            for (i = 0; i < rows; i++) {
                arb_ptr e = s + off + i + rows * j;
                if (l == L && i == a)
                    arb_add(e, e, theta + off + b + rows * j, c->prec);
                else if (l == L && i == b)
                    arb_sub(e, e, theta + off + a + rows * j, c->prec);
                for (u = 0; u < rows && l < L; u++)
                    arb_addmul(e, arb_mat_entry(B + l + 1, i, u), theta + off + u + rows * j, c->prec);
                for (u = 0; u < cols; u++)
                    arb_submul(e, theta + off + i + rows * u, arb_mat_entry(B + l, u, j), c->prec);
            }
    }
    for (l = 1; l <= L; l++)
        arb_mat_clear(B + l);
    flint_free(B);
    if (!ok)
        _arb_vec_indeterminate(s, c->n);
    return ok;
}

int dnc_critical_kink_rotation(arb_ptr s, arb_srcptr theta, const dnc_problem_t p, const signed char *const *state,
                               slong l, slong a, slong b, slong prec)
{
    crit c;
    slong t;
    int ok;
    crit_init(&c, (dnc_problem_struct *) p, prec);
    for (t = 2; t <= p->L; t++)
        memcpy(c.state[t], state[t], (size_t) (p->width[t - 1] * p->N));
    ok = l >= 2 && l <= p->L && krot_at(&c, s, theta, l, a, b);
    crit_clear(&c);
    return ok;
}

int dnc_critical_class_rotation(arb_ptr s, arb_srcptr theta, const dnc_problem_t p, const signed char *const *state,
                                slong a, slong b, slong prec)
{
    crit c;
    slong t;
    int ok;
    crit_init(&c, (dnc_problem_struct *) p, prec);
    for (t = 2; t <= p->L; t++)
        if (state[t] != NULL)
            memcpy(c.state[t], state[t], (size_t) (p->width[t - 1] * p->N));
    ok = crot_at(&c, s, theta, a, b);
    crit_clear(&c);
    return ok;
}

/* 1 when w (n doubles) is independent of the q orthonormal vectors of basis (relative
 * tolerance 1e-8) and its part outside them has squared norm above floor (a tangent that is
 * 0 at the exact point shows up as ~1e-80 at its 256-bit neighbour); then appended to basis,
 * normalised. Gram-Schmidt twice. */
static int keep_independent(double **basis, slong q, double *w, slong n, double floor)
{
    slong i, k, pass;
    double nrm0 = 0, nrm = 0;
    for (i = 0; i < n; i++)
        nrm0 += w[i] * w[i];
    for (pass = 0; pass < 2; pass++)
        for (k = 0; k < q; k++) {
            double d = 0, *u = *basis + k * n;
            for (i = 0; i < n; i++)
                d += u[i] * w[i];
            for (i = 0; i < n; i++)
                w[i] -= d * u[i];
        }
    for (i = 0; i < n; i++)
        nrm += w[i] * w[i];
    if (!(nrm0 > 0) || nrm <= 1e-16 * nrm0 || nrm <= floor)
        return 0;
    *basis = realloc(*basis, (q + 1) * n * sizeof(double));
    for (i = 0; i < n; i++)
        (*basis)[q * n + i] = w[i] / sqrt(nrm);
    return 1;
}

static void to_double(double *w, arb_srcptr s, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        w[i] = arf_get_d(arb_midref(s + i), ARF_RND_NEAR);
}

/* 1 when the tangent s (n) is exactly 0 at every parameter held at 0 (dead units, zero
 * weights): the slice argument needs its generators' flows to keep them there. */
static int zero_off_free(const crit *c, arb_srcptr s)
{
    slong i;
    for (i = 0; i < c->n; i++)
        if (c->fixed[i] && !arb_is_zero(s + i))
            return 0;
    return 1;
}

/* The generators chosen so far: an orthonormal basis (q vectors of n doubles) of their
 * tangents at theta0, a scratch vector w, and the floor of keep_independent. */
typedef struct {
    double *basis, *w, floor;
    slong q, n;
} gen_basis;

/* The candidate tangent s, named (x, y, z), appended to the triples *list when it keeps the
 * held parameters at 0 and is independent of the generators chosen before. */
static int kept(const crit *c, gen_basis *g, arb_srcptr s)
{
    to_double(g->w, s, g->n);
    if (!zero_off_free(c, s) || !keep_independent(&g->basis, g->q, g->w, g->n, g->floor))
        return 0;
    g->q++;
    return 1;
}

static void consider(const crit *c, gen_basis *g, arb_srcptr s, slong **list, slong *count, slong x, slong y, slong z)
{
    if (kept(c, g, s))
        append_triple(list, count, x, y, z);
}

/* The same for a class rotation (a, b), appended to r's pairs. */
static void consider_pair(const crit *c, gen_basis *g, arb_srcptr s, dnc_critical *r, slong a, slong b)
{
    if (!kept(c, g, s))
        return;
    r->crot = flint_realloc(r->crot, 2 * (r->ncrot + 1) * sizeof(slong));
    r->crot[2 * r->ncrot] = a;
    r->crot[2 * r->ncrot + 1] = b;
    r->ncrot++;
}

/* The generators: every admissible pair (l, a, b), then every partial rotation (a, b, j) of
 * H1 (L >= 2), then every kink-preserving rotation (l, a, b) of two units of different
 * patterns that are linear on the data, then every class rotation (a, b) (one-sample
 * classes; format §6.9), each kept when its vector at theta0 is independent
 * of those kept before (Gram-Schmidt in double, relative tolerance 1e-8). */
static void choose_generators(crit *c, dnc_critical *r, arb_srcptr theta)
{
    slong n = c->n, l, a, b, j;
    arb_ptr s = _arb_vec_init(n);
    gen_basis g = { NULL, malloc(n * sizeof(double)), 0, 0, n };
    r->ngenerators = r->npartial = r->nkrot = r->ncrot = 0;
    to_double(g.w, theta, n);
    for (j = 0; j < n; j++)
        g.floor += 1e-16 * g.w[j] * g.w[j];
    for (l = 1; l <= c->p->L; l++)
        for (a = 0; a < c->p->width[l - 1]; a++)
            for (b = a + 1; b < c->p->width[l - 1]; b++)
                if (same_pattern(c, l, a, b)) {
                    dnc_critical_generator(s, theta, c->p, l, a, b);
                    consider(c, &g, s, &r->generators, &r->ngenerators, l, a, b);
                }
    for (a = 0; c->p->L >= 2 && a < c->p->width[0]; a++)
        for (b = a + 1; b < c->p->width[0]; b++)
            for (j = 0; j < c->N && !c->dead[1][a] && !c->dead[1][b]; j++)
                if (partial_at(c, s, theta, a, b, j))
                    consider(c, &g, s, &r->partial, &r->npartial, a, b, j);
    for (l = 2; l <= c->p->L; l++)
        for (a = 0; is_relu(c, l) && a < c->p->width[l - 1]; a++)
            for (b = a + 1; b < c->p->width[l - 1]; b++)
                if (!same_pattern(c, l, a, b) && krot_at(c, s, theta, l, a, b))
                    consider(c, &g, s, &r->krot, &r->nkrot, l, a, b);
    for (a = 0; a < c->p->K; a++)
        for (b = a + 1; b < c->p->K; b++)
            if (crot_at(c, s, theta, a, b))
                consider_pair(c, &g, s, r, a, b);
    free(g.basis);
    free(g.w);
    _arb_vec_clear(s, n);
}

/* th (n) <- the full parameter vector of the unknowns x (the held parameters 0). */
static void expand(const crit *c, arb_ptr th, arb_srcptr x)
{
    slong k;
    _arb_vec_zero(th, c->n);
    for (k = 0; k < c->nf; k++)
        arb_set(th + c->fi[k], x + k);
}

/* The slice generators of r: rotations, partial rotations and kink-preserving rotations. */
static slong generator_count(const dnc_critical *r)
{
    return r->ngenerators + r->npartial + r->nkrot + r->ncrot;
}

/* S (nf x q) <- the generators of r at the full point theta, on the free parameters: the
 * rotations, the partial rotations, then the kink-preserving rotations. */
static void generators_at(arb_mat_t S, const crit *c, const dnc_critical *r, arb_srcptr theta)
{
    arb_ptr s = _arb_vec_init(c->n);
    slong k, i, *g;
    int z;
    for (k = 0; k < generator_count(r); k++) {
        if (k < r->ngenerators) {
            g = r->generators + 3 * k;
            dnc_critical_generator(s, theta, c->p, g[0], g[1], g[2]);
        } else if (k < r->ngenerators + r->npartial) {
            g = r->partial + 3 * (k - r->ngenerators);
            partial_at(c, s, theta, g[0], g[1], g[2]);
        } else if (k < r->ngenerators + r->npartial + r->nkrot) {
            g = r->krot + 3 * (k - r->ngenerators - r->npartial);
            krot_at(c, s, theta, g[0], g[1], g[2]);
        } else {
            g = r->crot + 2 * (k - r->ngenerators - r->npartial - r->nkrot);
            if (!crot_at(c, s, theta, g[0], g[1]))
                _arb_vec_indeterminate(s, c->n);
        }
        z = zero_off_free(c, s);   /* a flow that moves a held parameter is no generator here */
        for (i = 0; i < c->nf; i++)
            if (z)
                arb_set(arb_mat_entry(S, i, k), s + c->fi[i]);
            else
                arb_indeterminate(arb_mat_entry(S, i, k));
    }
    _arb_vec_clear(s, c->n);
}

static arb_ptr kink_entry(arb_mat_struct *m, const dnc_critical *r, slong k)
{
    return arb_mat_entry(m + r->kinks[3 * k], r->kinks[3 * k + 1], r->kinks[3 * k + 2]);
}

/* x's parameters <- the unknowns' (balls; dead units 0), the seeds <- their mu. */
static void set_point(crit *c, const dnc_critical *r, arb_srcptr x)
{
    slong i;
    for (i = 0; i < c->n; i++)
        arb_zero(c->v[i]);
    for (i = 0; i < c->nf; i++)
        arb_set(c->v[c->fi[i]], x + i);
    for (i = 0; i < c->nk; i++)
        arb_set(kink_entry(c->seed, r, i), x + c->nf + i);
}

/* 1 when every dead unit's entry of the gradient g (n) is exactly 0: the dead parameters'
 * equations of the full KKT system hold on the whole box (docs/refine.md §7.2). */
static int dead_gradient_zero(const crit *c, arb_ptr *g)
{
    slong i;
    for (i = 0; i < c->n; i++)
        if (c->fixed[i] && !arb_is_zero(g[i]))
            return 0;
    return 1;
}

/* G (m) <- G(x) at x = (theta_free, mu, nu) with the slice S through theta0 (free part). */
static void eval_G(crit *c, const dnc_critical *r, arb_ptr G, arb_srcptr x, const arb_mat_t S, arb_srcptr theta0)
{
    slong i, k, nf = c->nf, nk = c->nk;
    arb_t d;
    arb_init(d);
    set_point(c, r, x);
    dnc_ball_eval_pattern(c->e, c->x, c->slope, c->seed, c->pre, 1, c->prec);
    dnc_bpoint_entries(c->g, c->e->grad);
    for (i = 0; i < nf; i++) {
        arb_set(G + i, c->g[c->fi[i]]);
        for (k = 0; k < c->q; k++)
            arb_addmul(G + i, arb_mat_entry(S, i, k), x + nf + nk + k, c->prec);
    }
    for (k = 0; k < nk; k++)
        arb_set(G + nf + k, kink_entry(c->pre, r, k));
    for (k = 0; k < c->q; k++) {
        arb_zero(G + nf + nk + k);
        for (i = 0; i < nf; i++) {
            arb_sub(d, x + i, theta0 + i, c->prec);
            arb_addmul(G + nf + nk + k, arb_mat_entry(S, i, k), d, c->prec);
        }
    }
    arb_clear(d);
}

/* Where eval_J puts the Jacobian: a ball matrix J, and/or (the double path, docs/refine.md
 * §7.9) the doubles A nearest to its midpoints (m x m, column-major, zeroed by the caller)
 * and, when rowerr != NULL, upper bounds of the row sums of |entry - A| (the radius
 * included). bad: an entry beyond the doubles' range. */
typedef struct {
    arb_mat_struct *J;
    double *A;
    mag_ptr rowerr;
    slong m;
    int bad;
    double *D;   /* when != NULL: D_ij >= |entry - a_ij| (rounded up), for strict_local_min */
} jac_out;

static void jac_set(jac_out *o, slong i, slong j, arb_srcptr v)
{
    double a;
    arb_t t;
    mag_t e;
    if (o->J != NULL)
        arb_set(arb_mat_entry(o->J, i, j), v);
    if (o->A == NULL)
        return;
    a = arf_get_d(arb_midref(v), ARF_RND_NEAR);
    if (!isfinite(a) || !arb_is_finite(v)) {
        o->bad = 1;
        return;
    }
    o->A[i + o->m * j] = a;
    if (o->rowerr == NULL && o->D == NULL)
        return;
    arb_init(t);
    mag_init(e);
    arb_set_d(t, a);
    arb_sub(t, v, t, 64);
    arb_get_mag(e, t);
    if (o->rowerr != NULL)
        mag_add(o->rowerr + i, o->rowerr + i, e);
    if (o->D != NULL)
        o->D[i + o->m * j] = mag_get_d(e);
    arb_clear(t);
    mag_clear(e);
}

/* J (o) <- G'(X) over the box x (balls): nf + nk dual passes, and S. Also leaves the
 * pre-activations and the loss of f_0 over x in c->pre, c->e, and whether the dead units'
 * gradient entries vanish on the box in c->dead_ok. */
static void eval_J(crit *c, const dnc_critical *r, jac_out *o, arb_srcptr x, const arb_mat_t S)
{
    slong i, k, nf = c->nf, nk = c->nk;
    set_point(c, r, x);
    if (o->J != NULL)
        arb_mat_zero(o->J);
    /* at least one pass: with no unknowns at all (every unit dead, the zero network) the value
     * part still gives the loss, the pre-activations and the dead units' gradient */
    for (i = 0; i < FLINT_MAX(nf + nk, 1); i++) {
        if (i < nf)
            arb_one(c->dv[c->fi[i]]);
        else if (i < nf + nk)
            arb_one(kink_entry(c->dseed, r, i - nf));
        dnc_ball_eval_dual(c->e, c->de, c->x, c->dx, c->slope, c->seed, c->dseed, c->pre, c->dpre, c->prec);
        if (i == 0) {
            dnc_bpoint_entries(c->g, c->e->grad);
            c->dead_ok = dead_gradient_zero(c, c->g);
        }
        if (i == nf + nk)
            break;
        dnc_bpoint_entries(c->dg, c->de->grad);
        for (k = 0; k < nf; k++)
            jac_set(o, k, i, c->dg[c->fi[k]]);
        for (k = 0; i < nf && k < nk; k++)
            jac_set(o, nf + k, i, kink_entry(c->dpre, r, k));
        if (i < nf)
            arb_zero(c->dv[c->fi[i]]);
        else
            arb_zero(kink_entry(c->dseed, r, i - nf));
    }
    for (k = 0; k < c->q; k++)
        for (i = 0; i < nf; i++) {
            jac_set(o, i, nf + nk + k, arb_mat_entry(S, i, k));
            jac_set(o, nf + nk + k, i, arb_mat_entry(S, i, k));
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

/* Which paths run (docs/refine.md §7.9): the double one (a preconditioner in double, its
 * products in BLAS) first, then, where it does not prove the claim and the system has at most
 * DNC_CRITICAL_ARB_UNKNOWNS unknowns, the ball one. The environment variable
 * DNCERT_CRITICAL_METHOD=double or =ball keeps one of them (tests); both are sound. */
static int method_double(void)
{
    const char *e = getenv("DNCERT_CRITICAL_METHOD");
    return e == NULL || strcmp(e, "ball") != 0;
}

static int method_ball_env(slong m)
{
    const char *e = getenv("DNCERT_CRITICAL_METHOD");
    return m <= DNC_CRITICAL_ARB_UNKNOWNS && (e == NULL || strcmp(e, "double") != 0);
}

static int method_ball(const crit *c, slong m)
{
    return !c->no_ball && method_ball_env(m);
}

/* One Newton step in balls: x <- x - J(x)^-1 G, J at x's midpoint. 0 when J is not inverted. */
static int newton_step(crit *c, const dnc_critical *r, arb_ptr x, arb_srcptr Gv, const arb_mat_t S)
{
    slong m = c->m, i;
    arb_mat_t J, d, G;
    jac_out o = { NULL, NULL, NULL, m, 0, NULL };
    int ok;
    arb_mat_init(J, m, m);
    arb_mat_init(d, m, 1);
    arb_mat_init(G, m, 1);
    o.J = J;
    eval_J(c, r, &o, x, S);
    arb_mat_get_mid(J, J);
    for (i = 0; i < m; i++)
        arf_set(arb_midref(arb_mat_entry(G, i, 0)), arb_midref(Gv + i));
    ok = arb_mat_approx_solve(d, J, G, c->prec);
    for (i = 0; ok && i < m; i++)
        arb_sub(x + i, x + i, arb_mat_entry(d, i, 0), c->prec);
    arb_mat_clear(J);
    arb_mat_clear(d);
    arb_mat_clear(G);
    return ok;
}

/* One chord step: x <- x - A^-1 G with A's LU (piv) in double, from the first iterate. G is
 * scaled by 2^-e (2^e >= max |G_i|) before it is rounded to double, so that its relative
 * error is 2^-53 at any size: a perturbation of A^-1 that only slows the contraction. */
static int chord_step(const crit *c, arb_ptr x, arb_srcptr Gv, const double *LU, const lapack_int *piv, slong e)
{
    slong m = c->m, i;
    double *b = flint_malloc(m * sizeof(double));
    arf_t f;
    arb_t t;
    int ok;
    arf_init(f);
    arb_init(t);
    for (i = 0; i < m; i++) {
        arf_mul_2exp_si(f, arb_midref(Gv + i), -e);
        b[i] = arf_get_d(f, ARF_RND_NEAR);
    }
    ok = LAPACKE_dgetrs(LAPACK_COL_MAJOR, 'N', (lapack_int) m, 1, LU, (lapack_int) m, piv, b, (lapack_int) m) == 0;
    for (i = 0; ok && i < m; i++)
        ok = isfinite(b[i]);
    for (i = 0; ok && i < m; i++) {
        arb_set_d(t, b[i]);
        arb_mul_2exp_si(t, t, e);
        arb_sub(x + i, x + i, t, c->prec);
    }
    arf_clear(f);
    arb_clear(t);
    flint_free(b);
    return ok;
}

/* Newton on G from x (midpoints), the slice re-centred at each iterate and nu reset to 0,
 * until the residual stops falling by 2^8; x <- the iterate of least residual, whose log2
 * bound is returned. In balls (chord = 0, at most 8 steps): arb_mat_approx_solve on the
 * Jacobian at each iterate. In double (chord = 1, at most 40 steps): the Jacobian's midpoint
 * taken and factored in double (LAPACK) at each iterate of residual above 2^-64 (long steps
 * change it), then kept while each step gains 24 bits or more -- chord steps, one evaluation
 * of G in balls each, as in dncert refine's high-precision stage (docs/refine.md §4); near a
 * solution a double Jacobian gains about 53 - log2(cond) bits per step. */
static double polish_with(crit *c, const dnc_critical *r, arb_ptr x, int chord)
{
    slong m = c->m, it, i;
    arb_mat_t S;
    arb_ptr Gv = _arb_vec_init(m), best = _arb_vec_init(m);
    double res = 1e9, res2, least = 1e9, *LU = NULL;
    lapack_int *piv = NULL;
    arb_mat_init(S, c->nf, c->q);
    for (it = 0; it < (chord ? 40 : 8); it++) {
        expand(c, c->th, x);
        generators_at(S, c, r, c->th);
        eval_G(c, r, Gv, x, S, x);
        res2 = max_log2(Gv, m);
        if (res2 < least) {
            least = res2;
            _arb_vec_set(best, x, m);
        }
        if (!(res2 < res - 8) || res2 < -1e8)
            break;
        if (chord && (LU == NULL || res > -64 || res2 > res - 24)) {   /* (again) after a long or a poor step */
            jac_out o = { NULL, NULL, NULL, m, 0, NULL };
            if (LU == NULL) {
                LU = flint_malloc((size_t) m * m * sizeof(double));
                piv = flint_malloc(m * sizeof(lapack_int));
            }
            memset(LU, 0, (size_t) m * m * sizeof(double));
            o.A = LU;
            eval_J(c, r, &o, x, S);
            if (o.bad || LAPACKE_dgetrf(LAPACK_COL_MAJOR, (lapack_int) m, (lapack_int) m, LU, (lapack_int) m, piv) != 0)
                break;
        }
        res = res2;
        if (!(chord ? chord_step(c, x, Gv, LU, piv, (slong) ceil(res2)) : newton_step(c, r, x, Gv, S)))
            break;
        for (i = 0; i < m; i++)
            mag_zero(arb_radref(x + i));
        for (i = c->nf + c->nk; i < m; i++)
            arb_zero(x + i);
    }
    arb_mat_clear(S);
    flint_free(LU);
    flint_free(piv);
    _arb_vec_set(x, best, m);
    _arb_vec_clear(Gv, m);
    _arb_vec_clear(best, m);
    return least;
}

/* The box centre: Newton in double first; in balls after it where it stops above 2^(-7 prec / 8)
 * and the ball path is allowed. */
static void polish(crit *c, const dnc_critical *r, arb_ptr x)
{
    double res = method_double() ? polish_with(c, r, x, 1) : 1e9;
    if (res > -(double) c->prec * 7 / 8 && method_ball(c, c->m))
        polish_with(c, r, x, 0);
}

/* 1 when the pre-activations over the box keep the pattern: P+ positive, P- negative, the
 * dead units' rows exactly 0. */
static int signs_kept(const crit *c)
{
    slong l, i;
    for (l = 2; l <= c->p->L; l++)
        for (i = 0; is_relu(c, l) && i < c->p->width[l - 1] * c->N; i++) {
            signed char s = c->state[l][i];
            arb_srcptr u = at(c->pre + l, i);
            if ((s == 1 && !arb_is_positive(u)) || (s == -1 && !arb_is_negative(u)) || (s == 2 && !arb_is_zero(u)))
                return 0;
        }
    return 1;
}

/* Krawczyk in balls: every |(K - xbar)_i| < rad with K - xbar = -Y G(xbar) + (I - Y J) [-rad, rad]^m,
 * Y ~ mid(J)^-1. */
static int krawczyk_arb(const arb_mat_t J, arb_srcptr Gv, const arb_t rad, slong prec)
{
    slong m = arb_mat_nrows(J), i;
    arb_mat_t Y, YJ, rv, Kv;
    arb_t k;
    int ok;
    arb_mat_init(Y, m, m); arb_mat_init(YJ, m, m); arb_mat_init(rv, m, 1); arb_mat_init(Kv, m, 1);
    arb_init(k);
    arb_mat_get_mid(Y, J);
    ok = arb_mat_approx_inv(Y, Y, prec);
    arb_mat_mul(YJ, Y, J, prec);
    arb_mat_neg(YJ, YJ);
    for (i = 0; i < m; i++) {
        arb_add_ui(arb_mat_entry(YJ, i, i), arb_mat_entry(YJ, i, i), 1, prec);
        arb_zero(arb_mat_entry(rv, i, 0));
        arb_add_error(arb_mat_entry(rv, i, 0), rad);
    }
    arb_mat_mul(Kv, YJ, rv, prec);
    for (i = 0; i < m; i++)
        arb_set(arb_mat_entry(rv, i, 0), Gv + i);
    arb_mat_mul(rv, Y, rv, prec);   /* Y G(xbar) */
    for (i = 0; ok && i < m; i++) {
        arb_sub(k, arb_mat_entry(Kv, i, 0), arb_mat_entry(rv, i, 0), prec);
        arb_abs(k, k);
        ok = arb_lt(k, rad);
    }
    arb_mat_clear(Y); arb_mat_clear(YJ); arb_mat_clear(rv); arb_mat_clear(Kv);
    arb_clear(k);
    return ok;
}

/* Krawczyk with a preconditioner in double (docs/refine.md §7.9). A (m x m, column-major) the
 * doubles nearest to the box Jacobian's midpoints, rowerr_k >= sum_j |J_kj - a_kj| for every J
 * of the box. Y ~ A^-1 (LAPACK; any Y is sound), C = fl(Y A) (dgemm). Row i of |I - Y J| sums
 * to at most
 *     rho_i = sum_j |delta_ij - c_ij| + sum_k |y_ik| (gamma_m a_k + rowerr_k) + m^2 eta,
 * a_k = sum_j |a_kj|: (P1) of docs/fast-tier.md §2 for C, and |Y (J - A)| <= |Y| |J - A|. With
 * |(Y G)_i| <= sum_j |y_ij| |G_j|, every |(Y G)_i| + 2^E rho_i < 2^E proves the box. Every sum
 * and product of bounds is a mag (rounded up). */
static int krawczyk_double(slong m, const double *A, mag_srcptr rowerr, arb_srcptr Gv, slong E, double *rho_max)
{
    if (m == 0) {   /* no unknowns (the zero network): nothing to solve, as on the ball path */
        *rho_max = 0;
        return 1;
    }
    double *Y = flint_malloc((size_t) m * m * sizeof(double)), *C = flint_calloc((size_t) m * m, sizeof(double));
    lapack_int *piv = flint_malloc((m + 1) * sizeof(lapack_int));
    mag_ptr w = _mag_vec_init(m), g = _mag_vec_init(m), rho = _mag_vec_init(m), gy = _mag_vec_init(m);
    mag_t t, gam, r;
    arf_t f;
    slong i, j;
    int ok;
    mag_init(t);
    mag_init(gam);
    mag_init(r);
    arf_init(f);
    memcpy(Y, A, (size_t) m * m * sizeof(double));
    ok = LAPACKE_dgetrf(LAPACK_COL_MAJOR, (lapack_int) m, (lapack_int) m, Y, (lapack_int) m, piv) == 0
         && LAPACKE_dgetri(LAPACK_COL_MAJOR, (lapack_int) m, Y, (lapack_int) m, piv) == 0;
    if (ok)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (blasint) m, (blasint) m, (blasint) m, 1.0, Y, (blasint) m,
                    A, (blasint) m, 0.0, C, (blasint) m);
    mag_set_ui_2exp_si(gam, (ulong) m * 513, -62);   /* gamma_m <= m u (1 + 2^-9) for m u <= 2^-10 */
    for (j = 0; j < m; j++)   /* w_k = gamma_m a_k + rowerr_k */
        for (i = 0; i < m; i++) {
            mag_set_d(t, A[i + m * j]);
            mag_add(w + i, w + i, t);
        }
    for (i = 0; i < m; i++) {
        mag_mul(w + i, w + i, gam);
        mag_add(w + i, w + i, rowerr + i);
        arb_get_mag(g + i, Gv + i);
    }
    for (j = 0; ok && j < m; j++)
        for (i = 0; ok && i < m; i++) {
            double y = Y[i + m * j], cij = C[i + m * j];
            ok = isfinite(y) && isfinite(cij);
            if (i == j) {   /* |1 - c_ii|, exactly then rounded up */
                arf_set_d(f, cij);
                arf_sub_ui(f, f, 1, ARF_PREC_EXACT, ARF_RND_DOWN);
                arf_get_mag(t, f);
            } else
                mag_set_d(t, cij);
            mag_add(rho + i, rho + i, t);
            mag_set_d(t, y);
            mag_addmul(rho + i, t, w + j);
            mag_addmul(gy + i, t, g + j);
        }
    mag_set_ui_2exp_si(t, (ulong) m * m, -1074);
    mag_one(r);
    mag_mul_2exp_si(r, r, E);
    *rho_max = ok ? 0.0 : INFINITY;
    for (i = 0; ok && i < m; i++) {
        mag_add(rho + i, rho + i, t);
        *rho_max = FLINT_MAX(*rho_max, mag_get_d(rho + i));
    }
    for (i = 0; ok && i < m; i++) {
        mag_mul(rho + i, rho + i, r);
        mag_add(rho + i, rho + i, gy + i);
        ok = mag_cmp(rho + i, r) < 0;
    }
    mag_clear(t);
    mag_clear(gam);
    mag_clear(r);
    arf_clear(f);
    _mag_vec_clear(w, m);
    _mag_vec_clear(g, m);
    _mag_vec_clear(rho, m);
    _mag_vec_clear(gy, m);
    flint_free(Y);
    flint_free(C);
    flint_free(piv);
    return ok;
}

/* X (m) <- the box xbar + [-2^E, 2^E]^m. */
static void box_around(arb_ptr X, arb_srcptr xbar, slong m, slong E)
{
    mag_t rad;
    slong i;
    mag_init(rad);
    mag_one(rad);
    mag_mul_2exp_si(rad, rad, E);
    for (i = 0; i < m; i++) {
        arb_set(X + i, xbar + i);
        mag_add(arb_radref(X + i), arb_radref(X + i), rad);
    }
    mag_clear(rad);
}

/* The checks of a box: Krawczyk, the Gram matrix of the slice, the signs, the dead units'
 * gradient, the loss. */
static int check_box(crit *c, dnc_critical *r, arb_srcptr xbar)
{
    slong m = c->m, nf = c->nf, q = c->q, i, j;
    arb_mat_t J, S, SX, Gm;
    jac_out o = { NULL, NULL, NULL, m, 0, NULL };
    arb_ptr X = _arb_vec_init(m), Gv = _arb_vec_init(m);
    arb_t rad;
    arb_init(rad);
    arb_one(rad);
    arb_mul_2exp_si(rad, rad, r->radius_log2);
    arb_mat_init(S, nf, q); arb_mat_init(SX, nf, q); arb_mat_init(Gm, q, q);
    if (method_double()) {
        o.A = flint_calloc((size_t) m * m + 1, sizeof(double));
        o.rowerr = _mag_vec_init(m);
    }
    if (method_ball(c, m)) {
        arb_mat_init(J, m, m);
        o.J = J;
    }
    expand(c, c->th, xbar);
    generators_at(S, c, r, c->th);
    eval_G(c, r, Gv, xbar, S, xbar);
    box_around(X, xbar, m, r->radius_log2);
    /* signs, dead units and loss over the box: the value part of the dual passes */
    eval_J(c, r, &o, X, S);
    r->signs = signs_kept(c);
    r->dead_ok = c->dead_ok;
    arb_set(r->loss, c->e->loss);
    /* Krawczyk: K - xbar = -Y G(xbar) + (I - Y J) (X - xbar) */
    r->rho_max = 0;
    r->krawczyk = r->double_path = o.A != NULL && !o.bad && krawczyk_double(m, o.A, o.rowerr, Gv, r->radius_log2,
                                                                            &r->rho_max);
    if (!r->krawczyk && o.J != NULL)
        r->krawczyk = krawczyk_arb(J, Gv, rad, c->prec);
    if (o.J != NULL)
        arb_mat_clear(J);
    if (o.A != NULL) {
        flint_free(o.A);
        _mag_vec_clear(o.rowerr, m);
    }
    /* nu = 0 at the zero: the Gram matrix <s_j(theta), s_k(theta0)> is invertible on the box */
    expand(c, c->th, X);
    generators_at(SX, c, r, c->th);
    for (i = 0; i < q; i++)
        for (j = 0; j < q; j++) {
            arb_ptr g = arb_mat_entry(Gm, i, j);
            slong t;
            arb_zero(g);
            for (t = 0; t < nf; t++)
                arb_addmul(g, arb_mat_entry(SX, t, i), arb_mat_entry(S, t, j), c->prec);
        }
    r->gram = q == 0;
    if (!r->gram && method_double()) {   /* every row sum of |I - Y Gm| below 1: Krawczyk's bound with G = 0, E = 0 */
        jac_out og = { NULL, NULL, NULL, q, 0, NULL };
        arb_ptr z = _arb_vec_init(q);
        og.A = flint_calloc((size_t) q * q + 1, sizeof(double));
        og.rowerr = _mag_vec_init(q);
        for (j = 0; j < q; j++)
            for (i = 0; i < q; i++)
                jac_set(&og, i, j, arb_mat_entry(Gm, i, j));
        double rg;
        r->gram = !og.bad && krawczyk_double(q, og.A, og.rowerr, z, 0, &rg);
        flint_free(og.A);
        _mag_vec_clear(og.rowerr, q);
        _arb_vec_clear(z, q);
    }
    if (!r->gram && method_ball(c, q))
        r->gram = arb_mat_inv(Gm, Gm, c->prec);
    arb_mat_clear(S); arb_mat_clear(SX); arb_mat_clear(Gm);
    _arb_vec_clear(X, m);
    _arb_vec_clear(Gv, m);
    arb_clear(rad);
    return r->krawczyk && r->gram && r->signs && r->dead_ok;
}

/* 1 when the tangent s (n, full layout) moves kink k over the box X (free parameters, then
 * the multipliers): <grad ubar_k, s> excludes 0 (one dual pass with the pattern's slopes). */
static int moves_kink(crit *c, const dnc_critical *r, arb_srcptr X, arb_srcptr s, slong k)
{
    slong i;
    int ok;
    set_point(c, r, X);
    for (i = 0; i < c->n; i++)
        arb_set(c->dv[i], s + i);
    dnc_ball_eval_dual(c->e, c->de, c->x, c->dx, c->slope, c->seed, c->dseed, c->pre, c->dpre, c->prec);
    ok = arb_is_finite(kink_entry(c->dpre, r, k)) && !arb_contains_zero(kink_entry(c->dpre, r, k));
    for (i = 0; i < c->n; i++)
        arb_zero(c->dv[i]);
    return ok;
}

/* An exact slope t in {0, 1} of kink k (docs/refine.md §7.11, format §6.10): with the kink moved
 * to P+ (t = 1) or P- (t = 0), a symmetry of that pattern whose tangent moves the kink over the
 * box proves mu_k = t G_k at the exact point. Tries t = first, then the other; as witnesses the
 * rotations of the kink's unit with a unit of the same (moved) pattern, the kink-preserving
 * rotations of its layer, the class rotations. w (6) <- the entry of r->exact; 1 when found. */
static int exact_slope_find(crit *c, const dnc_critical *r, arb_srcptr X, slong k, slong first, slong *w)
{
    slong l = r->kinks[3 * k], u = r->kinks[3 * k + 1], R = c->p->width[l - 1], a, b, t;
    signed char *st = c->state[l] + u + R * r->kinks[3 * k + 2], save = *st;
    arb_ptr s = _arb_vec_init(c->n), th = _arb_vec_init(c->n);
    int found = 0;
    expand(c, th, X);
    for (t = 0; t < 2 && !found; t++) {
        w[0] = k, w[1] = t == 0 ? first : 1 - first;
        *st = (signed char) (w[1] ? 1 : -1);
        for (a = 0; a < R && !found; a++)
            for (b = a + 1; b < R && !found; b++) {
                w[2] = same_pattern(c, l, a, b) ? 0 : 1, w[3] = l, w[4] = a, w[5] = b;
                if (w[2] == 0 && a != u && b != u)   /* a rotation of two other units keeps the kink */
                    continue;
                if (w[2] == 0)
                    dnc_critical_generator(s, th, c->p, l, a, b);
                else if (!krot_at(c, s, th, l, a, b))
                    continue;
                found = moves_kink(c, r, X, s, k);
            }
        for (a = 0; a < c->p->K && !found; a++)
            for (b = a + 1; b < c->p->K && !found; b++) {
                w[2] = 2, w[3] = 0, w[4] = a, w[5] = b;
                found = crot_at(c, s, th, a, b) && moves_kink(c, r, X, s, k);
            }
    }
    *st = save;
    _arb_vec_clear(s, c->n);
    _arb_vec_clear(th, c->n);
    return found;
}

/* 1 when the columns cols (n) of H1 are linearly independent at every point of the box X (free
 * parameters): their Gram matrix has a positive determinant there. */
static int h1_columns_independent(const crit *c, arb_srcptr X, const slong *cols, slong n)
{
    slong d0 = c->p->width[0], a, b;
    arb_ptr th = _arb_vec_init(c->n);
    arb_mat_t G;
    arb_t det;
    int ok;
    arb_mat_init(G, n, n);
    arb_init(det);
    expand(c, th, X);
    for (a = 0; a < n; a++)
        for (b = 0; b < n; b++)
            arb_dot(arb_mat_entry(G, a, b), NULL, 0, th + d0 * cols[a], 1, th + d0 * cols[b], 1, d0, c->prec);
    arb_mat_det(det, G, c->prec);
    ok = arb_is_positive(det);
    arb_clear(det);
    arb_mat_clear(G);
    _arb_vec_clear(th, c->n);
    return ok;
}

/* A lone unit (docs/refine.md §7.14, format §6.10 "lone_unit"): the multiplier of kink
 * k = (2, p, j') is exactly 0 when in some column j of layer 2 unit p is P+ and every other unit
 * is P-, dead or an implied kink (so lambda_H h_j = -D_pj w_p), p is P+ nowhere else (so
 * lambda_W w_p = -D_pj h_j - sum over p's listed kinks j'' of mu_pj'' h_j''), and h_j with the
 * h_j'' is linearly independent on the box: then every mu_pj'' = 0. w (6) <- (k, 0, 3, 2, p, j);
 * 1 when it applies. */
static int lone_unit_find(crit *c, const dnc_critical *r, arb_srcptr X, slong k, slong *w)
{
    slong p = r->kinks[3 * k + 1], d1 = c->p->width[1], N = c->N, *cols, n = 1, i, j, jj = -1;
    const signed char *st = c->state[2];
    int ok = r->kinks[3 * k] == 2 && is_relu(c, 2);
    for (j = 0; ok && j < N; j++)   /* p's only P+ column */
        if (st[p + d1 * j] == 1)
            ok = jj < 0, jj = j;
    ok = ok && jj >= 0;
    for (i = 0; ok && i < d1; i++)   /* every other unit silent in column jj */
        ok = i == p || st[i + d1 * jj] == -1 || st[i + d1 * jj] == 2 || (st[i + d1 * jj] == 0 && !row_has_kinks(r, NULL, 2, i, &jj, 1));
    if (!ok)
        return 0;
    cols = flint_malloc((N + 1) * sizeof(slong));
    cols[0] = jj;
    for (j = 0; j < N; j++)
        if (row_has_kinks(r, NULL, 2, p, &j, 1))
            cols[n++] = j;
    ok = h1_columns_independent(c, X, cols, n);
    flint_free(cols);
    w[0] = k, w[1] = 0, w[2] = 3, w[3] = 2, w[4] = p, w[5] = jj;
    return ok;
}

/* The only unit of ReLU layer l that is P+ in column j, or -1 (none, or several); sup: room
 * for d_l units. */
static slong single_active_unit(const crit *c, slong l, slong j, slong *sup)
{
    return support(c, l + 1, j, sup) == 1 ? sup[0] : -1;
}

/* 1 when W_(l-1)[a, b] (unit a of ReLU layer l, unit b of layer l - 1) is 0 at the zero: held at
 * 0 (a zero weight or a dead unit's), or a has a kink in a column where b is the only P+ unit
 * of layer l - 1 (the checker's weight_vanishes). */
static int weight_vanishes_at(const crit *c, slong l, slong a, slong b, slong *sup)
{
    slong d = c->p->width[l - 1], v;
    int zero = c->fixed[weight_index(c, l - 1, a, b)];
    for (v = 0; !zero && v < c->N; v++)
        zero = c->state[l][a + d * v] == 0 && single_active_unit(c, l - 1, v, sup) == b;
    return zero;
}

/* A shared input (docs/refine.md §7.15, format §6.10 "shared_input"): the slope of kink
 * k = (l, p, j0) is exactly 1 when unit q of layer l - 1 is the only active unit in column j0, p is
 * active where q is (but at j0), and every unit above that reads p has a kink in column j0 whose
 * only active input r is active exactly where q is and reads no other unit active there (held
 * weights, or kinks of r in columns where that unit is the only active one). The checker's
 * shared_input_ok gives the proof. w (6) <- (k, 1, 4, l, p, q); 1 when it applies. */
static int shared_input_find(crit *c, const dnc_critical *r, slong k, slong *w)
{
    slong l = r->kinks[3 * k], p = r->kinks[3 * k + 1], j0 = r->kinks[3 * k + 2], L = c->p->L, j, u, q, rr;
    slong dl, dq, up, *sup;
    int ok = l >= 3 && is_relu(c, l - 1), above = 0;
    if (!ok)
        return 0;
    dl = c->p->width[l - 1], dq = c->p->width[l - 2];
    sup = flint_malloc((FLINT_MAX(dl, dq) + 1) * sizeof(slong));
    q = single_active_unit(c, l - 1, j0, sup);
    ok = q >= 0;
    for (j = 0; ok && j < c->N; j++)
        ok = j == j0 || c->state[l - 1][q + dq * j] != 1 || c->state[l][p + dl * j] == 1;
    up = dnc_problem_out_rows(c->p, l);
    for (u = 0; ok && u < up; u++) {   /* the units above that read p at the zero */
        if (l < L && is_relu(c, l + 1) ? weight_vanishes_at(c, l + 1, u, p, sup) : c->fixed[weight_index(c, l, u, p)])
            continue;
        above = 1;
        ok = l < L && is_relu(c, l + 1) && c->state[l + 1][u + up * j0] == 0;
    }
    rr = ok && above ? single_active_unit(c, l, j0, sup) : -1;
    ok = ok && (!above || rr >= 0);
    for (j = 0; ok && above && j < c->N; j++)
        ok = (c->state[l][rr + dl * j] == 1) == (c->state[l - 1][q + dq * j] == 1);
    for (u = 0; ok && above && u < dq; u++) {
        int in_j = 0;
        for (j = 0; !in_j && j < c->N; j++)
            in_j = c->state[l - 1][q + dq * j] == 1 && c->state[l - 1][u + dq * j] == 1;
        ok = u == q || !in_j || weight_vanishes_at(c, l, rr, u, sup);
    }
    flint_free(sup);
    w[0] = k, w[1] = 1, w[2] = 4, w[3] = l, w[4] = p, w[5] = q;
    return ok;
}

/* The seed entry of implied kink q (layer l, row i, column j). */
static arb_ptr implied_seed(crit *c, const dnc_critical *r, slong q)
{
    const slong *m = r->implied + 3 * q;
    return arb_mat_entry(c->seed + m[0], m[1], m[2]);
}

/* The multiplier relation of a partner pair (format §6.10 "shifts", docs/refine.md §7.12) over
 * the box set in c->x, c->pre holding the cut pre-activations there. Implied kink
 * q = (l, i, j*), partner a; T' the listed kinks of row i, T = T' + j*, V the units of layer
 * l - 1 that are P+ in a column of T, |T'| = |V| - 1. At the exact point hbar[V, T] c = 0 has
 * the solution c with c_j* = 1 (the rows V \ v0 solved, v0 the unit of largest |w_av0|) and
 * w_i[V] = alpha w_a[V]; then sum_j c_j (grad ubar_(a,j) - grad ubar_(i,j) / alpha) = 0, so the
 * multipliers mu + s d, d_(a,j) = c_j and d_(i,j) = -c_j / alpha, are KKT multipliers too.
 * T (|T| entries) and d (2 |T|: a's, then i's) <- the relation; returns |T|, or 0 when it does
 * not apply (a not a partner, |T'| != |V| - 1, the solve or alpha not shown on the box). */
static slong partner_relation(crit *c, const dnc_critical *r, slong q, slong a, slong *T, arb_ptr d)
{
    const slong *m = r->implied + 3 * q;
    slong l = m[0], i = m[1], rows = c->p->width[l - 2], nt = 0, nv = 0, e, t, v0 = -1, row;
    slong *V;
    arb_mat_t A, B, X;
    arb_t alpha;
    int ok;
    if (!is_relu(c, l - 1))   /* an implied kink of layer 2 (zero entries of H1, §7.13): no pattern below */
        return 0;
    V = flint_malloc((rows + 1) * sizeof(slong));
    for (e = 0; e < r->nkinks; e++)
        if (r->kinks[3 * e] == l && r->kinks[3 * e + 1] == i)
            T[nt++] = r->kinks[3 * e + 2];
    T[nt++] = m[2];
    nv = active_in_columns(c, l, T, nt, V);
    ok = nv == nt && nt >= 2 && a != i && !c->dead[l][a] && row_has_kinks(r, NULL, l, a, T, nt);
    arb_init(alpha);
    arb_indeterminate(alpha);
    for (t = 0; ok && t < nv; t++) {   /* v0: largest |w_av|; alpha from the first unit where both weights are nonzero */
        arb_srcptr wa = c->v[weight_index(c, l - 1, a, V[t])], wi = c->v[weight_index(c, l - 1, i, V[t])];
        if (v0 < 0 || arf_cmpabs(arb_midref(wa), arb_midref(c->v[weight_index(c, l - 1, a, V[v0])])) > 0)
            v0 = t;
        if (!arb_is_finite(alpha) && arb_is_nonzero(wa) && arb_is_nonzero(wi))
            arb_div(alpha, wi, wa, c->prec);
    }
    ok = ok && arb_is_finite(alpha) && arb_is_nonzero(alpha);
    arb_mat_init(A, nv - 1 > 0 ? nv - 1 : 1, nv - 1 > 0 ? nv - 1 : 1);
    arb_mat_init(B, nv - 1 > 0 ? nv - 1 : 1, 1);
    arb_mat_init(X, nv - 1 > 0 ? nv - 1 : 1, 1);
    for (t = 0, row = 0; ok && t < nv; t++) {
        slong j;
        if (t == v0)
            continue;
        for (j = 0; j < nt; j++) {
            arb_ptr x = j + 1 < nt ? arb_mat_entry(A, row, j) : arb_mat_entry(B, row, 0);
            if (c->state[l - 1][V[t] + rows * T[j]] == 1)
                arb_set(x, arb_mat_entry(c->pre + l - 1, V[t], T[j]));
            if (j + 1 == nt)
                arb_neg(x, x);
        }
        row++;
    }
    ok = ok && (nv == 1 || arb_mat_solve(X, A, B, c->prec));
    for (t = 0; ok && t < nt; t++) {
        if (t + 1 < nt)
            arb_set(d + t, arb_mat_entry(X, t, 0));
        else
            arb_one(d + t);
        arb_div(d + nt + t, d + t, alpha, c->prec);
        arb_neg(d + nt + t, d + nt + t);
    }
    arb_mat_clear(A); arb_mat_clear(B); arb_mat_clear(X);
    arb_clear(alpha);
    flint_free(V);
    return ok ? nt : 0;
}

/* Adds to the seeds (c->x and c->pre set) s_k d^(k) for every shift k of r (s NULL: r->shift_s;
 * else the doubles s). 0 when a relation does not apply on the box. */
static int apply_shifts(crit *c, const dnc_critical *r, const double *s)
{
    slong k, t, nt, maxw = unit_max(c) + c->N + 1;
    slong *T = flint_malloc(maxw * sizeof(slong));
    arb_ptr d = _arb_vec_init(2 * maxw);
    arb_t sk;
    int ok = 1;
    arb_init(sk);
    for (k = 0; k < r->nshift && ok; k++) {
        const slong *m = r->implied + 3 * r->shift[2 * k];
        slong a = r->shift[2 * k + 1];
        ok = (nt = partner_relation(c, r, r->shift[2 * k], a, T, d)) > 0;
        if (s != NULL)
            arb_set_d(sk, s[k]);
        else
            arb_set_fmpq(sk, r->shift_s + k, c->prec);
        for (t = 0; ok && t < nt; t++) {
            arb_addmul(arb_mat_entry(c->seed + m[0], a, T[t]), sk, d + t, c->prec);
            arb_addmul(arb_mat_entry(c->seed + m[0], m[1], T[t]), sk, d + nt + t, c->prec);
        }
    }
    arb_clear(sk);
    _arb_vec_clear(d, 2 * maxw);
    flint_free(T);
    return ok;
}

/* The seeds at the box X (free parameters, then the multipliers), shifted by s (see
 * apply_shifts), then the adjoints adj of the seeded pass. 0 when a shift does not apply. */
static int seeded_adjoint(crit *c, const dnc_critical *r, arb_srcptr X, const double *s, arb_mat_struct *adj)
{
    slong q;
    int ok = 1;
    set_point(c, r, X);
    for (q = 0; q < r->nimplied; q++)
        arb_zero(implied_seed(c, r, q));
    if (r->nshift > 0) {
        dnc_ball_eval_pattern(c->e, c->x, c->slope, c->seed, c->pre, 0, c->prec);
        ok = apply_shifts(c, r, s);
    }
    dnc_ball_eval_pattern_adjoint(c->e, c->x, c->slope, c->seed, adj, c->prec);
    return ok;
}

/* 1 when t = mu / G is certainly in [0, 1] (G excluding 0). */
static int slope_inside(arb_t t, arb_srcptr mu, arb_srcptr G, slong prec)
{
    arb_t one;
    int ok;
    arb_init(one);
    arb_one(one);
    arb_div(t, mu, G, prec);
    ok = !arb_contains_zero(G) && arb_is_nonnegative(t) && arb_le(t, one);
    arb_clear(one);
    return ok;
}

/* For d_stationary (format §6.14, docs/refine.md §7.17): whether G_e >= 0 is shown over the box at
 * every listed and implied kink, read from the seeded pass adj (before the slopes of the kink's
 * layer); the first kink where it is not is named in r->g_message. */
static void g_signs(dnc_critical *r, const arb_mat_struct *adj)
{
    slong k, n = r->nkinks + r->nimplied;
    r->g_nonneg = 1;
    r->g_message[0] = 0;
    for (k = 0; k < n && r->g_nonneg; k++) {
        const slong *e = k < r->nkinks ? r->kinks + 3 * k : r->implied + 3 * (k - r->nkinks);
        arb_srcptr G = arb_mat_entry(adj + e[0], e[1], e[2]);
        if (!arb_is_nonnegative(G)) {
            char *g = arb_get_str(G, 8, 0);
            r->g_nonneg = 0;
            snprintf(r->g_message, sizeof(r->g_message), "at %s %ld = [%ld, %ld, %ld] G_e = df/dh_e over the box is %s, "
                     "not shown >= 0 (the sufficient condition of docs/refine.md §7.17)", k < r->nkinks ? "kink" : "implied kink",
                     (long) (k < r->nkinks ? k : k - r->nkinks), (long) e[0], (long) e[1], (long) e[2], g);
            flint_free(g);
        }
    }
}

/* The slopes at the box X with r's shifts (format §6.10): over the box, G_e = the adjoint of h_e
 * in the seeded pass and t_e = mu_e / G_e; proven iff every G_e excludes 0 and every t_e lies
 * in [0, 1], or t_e is exactly 0 or 1 by a symmetry (exact_slope_find, §7.11), and likewise
 * for the shifted implied kinks. Sets r->G, r->t, r->shift_t, r->exact, r->slopes_message. */
static void slopes_at(crit *c, dnc_critical *r, arb_srcptr X, arb_mat_struct *adj)
{
    slong k, q;
    arb_ptr mu = _arb_vec_init(r->nkinks + 1);
    int applies = seeded_adjoint(c, r, X, NULL, adj);
    g_signs(r, adj);
    for (k = 0; k < r->nkinks; k++)
        arb_set(mu + k, kink_entry(c->seed, r, k));
    r->slopes_proven = r->proven && applies;
    snprintf(r->slopes_message, sizeof(r->slopes_message), !r->proven ? "not proven: the critical_point claim is not "
             "certified" : applies ? "certified: every G_e excludes 0 and every t_e = mu_e / G_e lies in [0, 1] on the box"
             : "not proven: a multiplier shift's relation is not shown on the box");
    r->nexact = 0;
    for (q = 0; q < r->nshift && r->slopes_proven; q++) {
        const slong *m = r->implied + 3 * r->shift[2 * q];
        arb_srcptr G = arb_mat_entry(adj + m[0], m[1], m[2]);
        if (!slope_inside(r->shift_t + q, implied_seed(c, r, r->shift[2 * q]), G, c->prec)) {
            r->slopes_proven = 0;
            snprintf(r->slopes_message, sizeof(r->slopes_message), "not proven: at the shifted implied kink [%ld, %ld, %ld] "
                     "t_e is not shown inside [0, 1]", (long) m[0], (long) m[1], (long) m[2]);
        }
    }
    for (k = r->nkinks - 1; k >= 0; k--) {   /* reported: the highest failing kink (top-down) */
        slong w[6];
        int fails;
        arb_set(r->G + k, kink_entry(adj, r, k));
        fails = !slope_inside(r->t + k, mu + k, r->G + k, c->prec);
        if (r->slopes_proven && fails && (arb_contains_si(r->t + k, 1) || arb_contains_si(mu + k, 0))
            && (exact_slope_find(c, r, X, k, arb_contains_si(r->t + k, 1), w)
                || (arb_contains_si(mu + k, 0) && lone_unit_find(c, r, X, k, w))
                || (arb_contains_si(r->t + k, 1) && shared_input_find(c, r, k, w)))) {
            r->exact = flint_realloc(r->exact, 6 * (r->nexact + 1) * sizeof(slong));
            memmove(r->exact + 6, r->exact, 6 * r->nexact * sizeof(slong));   /* by kink index */
            memcpy(r->exact, w, sizeof(w));
            r->nexact++;
            arb_set_si(r->t + k, w[1]);
            continue;
        }
        if (r->slopes_proven && fails) {
            char *g = arb_get_str(r->G + k, 8, 0), *m = arb_get_str(mu + k, 8, 0), *t = arb_get_str(r->t + k, 8, 0);
            r->slopes_proven = 0;
            snprintf(r->slopes_message, sizeof(r->slopes_message), "not proven: at kink %ld = [%ld, %ld, %ld], "
                     "G_e in %s, mu_e in %s, t_e = mu_e / G_e in %s (%s)", (long) k, (long) r->kinks[3 * k],
                     (long) r->kinks[3 * k + 1], (long) r->kinks[3 * k + 2], g, m, t,
                     arb_contains_zero(r->G + k) ? "G_e's enclosure contains 0"
                     : "the enclosure of t_e is not inside [0, 1]");
            flint_free(g);
            flint_free(m);
            flint_free(t);
        }
    }
    if (r->slopes_proven && (r->nexact > 0 || r->nshift > 0)) {
        char ex[160] = "", sh[160] = "";
        if (r->nexact > 0)
            snprintf(ex, sizeof(ex), ", except at %ld kink(s) where t_e is exactly 0 or 1 by a symmetry of the pattern "
                     "with the kink moved (exact_slopes)", (long) r->nexact);
        if (r->nshift > 0)
            snprintf(sh, sizeof(sh), ", with the multipliers shifted along the relations of %ld partner pair(s) (shifts)",
                     (long) r->nshift);
        snprintf(r->slopes_message, sizeof(r->slopes_message), "certified: every G_e excludes 0 and every t_e = mu_e / G_e "
                 "lies in [0, 1] on the box%s%s", ex, sh);
    }
    if (r->slopes_proven && r->nkinks == 0)   /* every kink implied: multiplier 0, slope 0 */
        snprintf(r->slopes_message, sizeof(r->slopes_message), "certified: no listed kink: all %ld kinks are implied "
                 "(multiplier 0, slope t_e = 0), so the gradient of the cut network is 0 at the critical point",
                 (long) r->nimplied);
    for (q = 0; q < r->nimplied; q++)   /* the seeds of the implied kinks back to 0 */
        arb_zero(implied_seed(c, r, q));
    _arb_vec_clear(mu, r->nkinks + 1);
}

/* The multipliers and G_e (midpoints) of the listed kinks, then of the shifted implied kinks,
 * at the box X with the shifts s. */
static void slope_data(crit *c, const dnc_critical *r, arb_srcptr X, const double *s, arb_mat_struct *adj, double *mu,
                       double *G)
{
    slong k, n = r->nkinks;
    seeded_adjoint(c, r, X, s, adj);
    for (k = 0; k < n + r->nshift; k++) {
        const slong *m = k < n ? r->kinks + 3 * k : r->implied + 3 * r->shift[2 * (k - n)];
        mu[k] = arf_get_d(arb_midref(arb_mat_entry(c->seed + m[0], m[1], m[2])), ARF_RND_NEAR);
        G[k] = arf_get_d(arb_midref(arb_mat_entry(adj + m[0], m[1], m[2])), ARF_RND_NEAR);
    }
}

/* Shift k's interval where every kink its relation moves keeps 0 <= mu/G <= 1 (G's sign kept),
 * the other shifts fixed at s: mu and G are affine in s_k (G_e reads only seeds above e, and
 * those are affine too), so from the data at s and at s + e_k each condition A + B x >= 0 on
 * the step x bounds it. [*lo, *hi] <- that interval of x (possibly empty or unbounded). */
static void shift_interval(crit *c, const dnc_critical *r, arb_srcptr X, double *s, slong k, arb_mat_struct *adj,
                           double *lo, double *hi)
{
    slong e, n = r->nkinks + r->nshift, f;
    double *mu0 = flint_malloc(4 * n * sizeof(double)), *G0 = mu0 + n, *mu1 = G0 + n, *G1 = mu1 + n;
    slope_data(c, r, X, s, adj, mu0, G0);
    s[k] += 1;
    slope_data(c, r, X, s, adj, mu1, G1);
    s[k] -= 1;
    *lo = -INFINITY, *hi = INFINITY;
    for (e = 0; e < n; e++) {
        double sg = G0[e] >= 0 ? 1 : -1, A[3], B[3];
        A[0] = sg * mu0[e], B[0] = sg * (mu1[e] - mu0[e]);
        A[1] = sg * (G0[e] - mu0[e]), B[1] = sg * (G1[e] - mu1[e] - G0[e] + mu0[e]);
        A[2] = sg * G0[e], B[2] = sg * (G1[e] - G0[e]);
        for (f = 0; f < 3; f++) {
            double scale = fabs(A[f]) + fabs(G0[e]) + 1e-300;
            if (fabs(B[f]) <= 1e-12 * scale)   /* not moved by this shift */
                continue;
            if (B[f] > 0)
                *lo = FLINT_MAX(*lo, -A[f] / B[f]);
            else
                *hi = FLINT_MIN(*hi, -A[f] / B[f]);
        }
    }
    flint_free(mu0);
}

/* r->shift (r->nshift pairs): each implied kink with a partner relation on the box X, and the
 * first such partner unit (T, d: scratch of partner_relation). */
static void partner_pairs(crit *c, dnc_critical *r, arb_srcptr X, slong *T, arb_ptr d)
{
    slong q, a;
    set_point(c, r, X);
    dnc_ball_eval_pattern(c->e, c->x, c->slope, c->seed, c->pre, 0, c->prec);
    r->nshift = 0;
    for (q = 0; q < r->nimplied; q++)
        for (a = 0; a < c->p->width[r->implied[3 * q] - 1]; a++)
            if (partner_relation(c, r, q, a, T, d) > 0) {
                r->shift = flint_realloc(r->shift, 2 * (r->nshift + 1) * sizeof(slong));
                r->shift[2 * r->nshift] = q, r->shift[2 * r->nshift + 1] = a;
                r->nshift++;
                break;
            }
}

/* 1 when some implied kink has a partner relation on the box: the multipliers then form a
 * family (docs/refine.md §7.12), and those of claim critical_point are one member. */
static int has_partner_pairs(crit *c, dnc_critical *r, arb_srcptr X)
{
    slong maxw = unit_max(c) + c->N + 1, *T = flint_malloc(maxw * sizeof(slong)), n;
    arb_ptr d = _arb_vec_init(2 * maxw);
    partner_pairs(c, r, X, T, d);
    n = r->nshift;
    r->nshift = 0;
    flint_free(r->shift);
    r->shift = NULL;
    flint_free(T);
    _arb_vec_clear(d, 2 * maxw);
    return n > 0;
}

/* Chooses r->shift (partner pairs of the implied kinks, docs/refine.md §7.12) and r->shift_s:
 * for each, the middle of the interval of shift_interval, twice round the shifts (their
 * conditions interact only through the G_e of lower kinks), rounded to 24 bits. 0 when no
 * implied kink has a partner relation on the box. */
static int choose_shifts(crit *c, dnc_critical *r, arb_srcptr X, arb_mat_struct *adj)
{
    slong k, round, maxw = unit_max(c) + c->N + 1, *T = flint_malloc(maxw * sizeof(slong));
    arb_ptr d = _arb_vec_init(2 * maxw);
    double *s;
    partner_pairs(c, r, X, T, d);
    s = flint_calloc(r->nshift + 1, sizeof(double));
    for (round = 0; round < 2; round++)
        for (k = 0; k < r->nshift; k++) {
            double lo, hi;
            shift_interval(c, r, X, s, k, adj, &lo, &hi);
            if (lo < hi && isfinite(lo) && isfinite(hi))
                s[k] += (lo + hi) / 2;
        }
    if (r->nshift > 0) {
        r->shift_s = _fmpq_vec_init(r->nshift);
        r->shift_t = _arb_vec_init(r->nshift);
    }
    for (k = 0; k < r->nshift; k++) {
        arf_t x;
        arf_init(x);
        arf_set_d(x, s[k]);
        arf_set_round(x, x, 24, ARF_RND_NEAR);
        arf_get_fmpq(r->shift_s + k, x);
        arf_clear(x);
    }
    flint_free(s);
    flint_free(T);
    _arb_vec_clear(d, 2 * maxw);
    return r->nshift > 0;
}

static void descent_clear(dnc_critical *r)
{
    if (r->descent != NULL)
        _fmpq_vec_clear(r->descent, r->n);
    r->descent = NULL;
    r->descent_proven = 0;
    r->descent_up[0] = 0;
    r->descent_message[0] = 0;
}

static void shifts_clear(dnc_critical *r)
{
    if (r->nshift > 0) {
        _fmpq_vec_clear(r->shift_s, r->nshift);
        _arb_vec_clear(r->shift_t, r->nshift);
    }
    flint_free(r->shift);
    r->shift = NULL, r->shift_s = NULL, r->shift_t = NULL, r->nshift = 0;
}

/* kink_multipliers (docs/refine.md §7.2): the slopes at the proven box with the multipliers of
 * claim critical_point; where that fails and some implied kink has a partner (LICQ fails by one
 * per pair, so the multipliers form a family), again with multipliers shifted along the pairs'
 * relations (format §6.10 "shifts", docs/refine.md §7.12). */
static void kink_slopes(crit *c, dnc_critical *r, arb_srcptr xbar)
{
    slong l, nf = c->nf;
    arb_mat_struct *adj = flint_malloc((c->p->L + 1) * sizeof(arb_mat_struct));
    arb_ptr X = _arb_vec_init(nf + c->nk);
    box_around(X, xbar, nf + c->nk, r->radius_log2);
    for (l = 0; l <= c->p->L; l++)
        arb_mat_init(adj + l, l >= 2 ? c->p->width[l - 1] : 0, l >= 2 ? c->N : 0);
    if (r->G == NULL) {
        r->G = _arb_vec_init(r->nkinks);
        r->t = _arb_vec_init(r->nkinks);
    }
    shifts_clear(r);
    slopes_at(c, r, X, adj);
    if (r->proven && !r->slopes_proven && r->nimplied > 0) {
        char first[sizeof(r->slopes_message)], both[2 * sizeof(r->slopes_message) + 80] = "";
        slong n;
        memcpy(first, r->slopes_message, sizeof(first));
        n = choose_shifts(c, r, X, adj) ? r->nshift : 0;
        if (n > 0)
            slopes_at(c, r, X, adj);
        if (!r->slopes_proven) {   /* both failures are reported: without the shifts, then with them */
            if (n > 0 && strncmp(r->slopes_message, "not proven: ", 12) == 0)
                snprintf(both, sizeof(both), "%s; with the multipliers shifted along %ld partner pair(s): %s", first,
                         (long) n, r->slopes_message + 12);
            else
                memcpy(both, first, sizeof(first));
            memcpy(r->slopes_message, both, sizeof(r->slopes_message) - 1);   /* cut to the field */
            r->slopes_message[sizeof(r->slopes_message) - 1] = '\0';
            shifts_clear(r);   /* G, t and the exact slopes are written only where proven */
            r->nexact = 0;
        }
    }
    for (l = 0; l <= c->p->L; l++)
        arb_mat_clear(adj + l);
    flint_free(adj);
    _arb_vec_clear(X, nf + c->nk);
}

/* Entry z of the per-layer matrices m at the zero entries of r (its listed kinks, then its
 * implied ones). */
static arb_ptr zero_seed_entry(arb_mat_struct *m, const dnc_critical *r, slong z)
{
    const slong *e = z < r->nkinks ? r->kinks + 3 * z : r->implied + 3 * (z - r->nkinks);
    return arb_mat_entry(m + e[0], e[1], e[2]);
}

/* The seed of zero entry z of r. */
static arb_ptr zero_seed(crit *c, const dnc_critical *r, slong z)
{
    return zero_seed_entry(c->seed, r, z);
}

/* At the box X (seeds 0; the slopes of c->slope, f_s their network): g (nc) <- grad f_s at the
 * coordinates idx, and row z of Cd (nz x nc, column-major) <- the midpoint of grad ubar_z there
 * (grad (f_s + ubar_z) - grad f_s: one seeded pass per zero entry z, listed kinks then implied). */
static void zero_rows(crit *c, const dnc_critical *r, arb_srcptr X, const slong *idx, slong nc, arb_ptr g, double *Cd)
{
    slong nz = r->nkinks + r->nimplied, z, i;
    arb_t t;
    arb_init(t);
    set_point(c, r, X);
    for (z = 0; z < nz; z++)
        arb_zero(zero_seed(c, r, z));
    for (z = -1; z < nz; z++) {
        if (z >= 0)
            arb_one(zero_seed(c, r, z));
        dnc_ball_eval_pattern(c->e, c->x, c->slope, c->seed, c->pre, 1, c->prec);
        dnc_bpoint_entries(c->g, c->e->grad);
        for (i = 0; i < nc; i++) {
            if (z < 0)
                arb_set(g + i, c->g[idx[i]]);
            else {
                arb_sub(t, c->g[idx[i]], g + i, c->prec);
                Cd[z + nz * i] = arf_get_d(arb_midref(t), ARF_RND_NEAR);
            }
        }
        if (z >= 0)
            arb_zero(zero_seed(c, r, z));
    }
    arb_clear(t);
}

/* 1 when row z of Cd (nz x nc) is 0: an entry that D cannot move (an implied kink of rule zero
 * over the free parameters), left out of the solve. */
static int zero_row(const double *Cd, slong nz, slong nc, slong z)
{
    slong i;
    for (i = 0; i < nc; i++)
        if (Cd[z + nz * i] != 0.0)
            return 0;
    return 1;
}

/* The least-norm D = C^T y with (C C^T) y = b over the coordinates idx (b_z = 0 and the row left
 * out where row z of C is 0), exact as doubles, into r->descent (the other entries 0);
 * r->descent_rate <- <g, D> over the box; then one tangent pass along D (c->dpre: every zero
 * entry's w_e over the box, exactly 0 where it does not move). Returns 0 when the solve fails. */
static int least_norm_direction(crit *c, dnc_critical *r, const slong *idx, slong nc, arb_srcptr g, const double *Cd,
                                double *b)
{
    slong nz = r->nkinks + r->nimplied, z, i;
    double *M = flint_calloc((size_t) (nz * nz), sizeof(double));
    lapack_int *piv = flint_malloc((size_t) nz * sizeof(lapack_int));
    int ok;
    for (z = 0; z < nz; z++)
        M[z + nz * z] = zero_row(Cd, nz, nc, z);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int) nz, (int) nz, (int) nc, 1.0, Cd, (int) nz, Cd, (int) nz,
                1.0, M, (int) nz);
    ok = LAPACKE_dgesv(LAPACK_COL_MAJOR, (lapack_int) nz, 1, M, (lapack_int) nz, piv, b, (lapack_int) nz) == 0;
    r->descent = _fmpq_vec_init(c->n);
    arb_zero(r->descent_rate);
    for (i = 0; i < c->n; i++)
        arb_zero(c->dv[i]);
    for (z = 0; z < nz; z++)
        arb_zero(zero_seed_entry(c->dseed, r, z));
    for (i = 0; ok && i < nc; i++) {
        double d = 0;
        for (z = 0; z < nz; z++)
            d += Cd[z + nz * i] * b[z];
        ok = isfinite(d);
        arb_set_d(c->dv[idx[i]], d);
        arf_get_fmpq(r->descent + idx[i], arb_midref(c->dv[idx[i]]));
        arb_addmul(r->descent_rate, g + i, c->dv[idx[i]], c->prec);
    }
    if (ok)
        dnc_ball_eval_dual(c->e, c->de, c->x, c->dx, c->slope, c->seed, c->dseed, c->pre, c->dpre, c->prec);
    for (i = 0; i < c->n; i++)   /* the scratch direction back to 0 (the tangents stay in c->dpre) */
        arb_zero(c->dv[i]);
    flint_free(M);
    flint_free(piv);
    return ok;
}

/* descent_direction (format §6.15, docs/refine.md §7.18): where a listed kink has a multiplier
 * < 0 on the box, a direction D (free parameters only) with <grad ubar_z, D> = -1 at those kinks
 * and -2^-20 at every other listed and implied kink (none at an implied kink whose gradient is
 * exactly 0 on the box, rule zero: it stays 0) -- the least-norm one, from the kink gradients
 * at the box's midpoint, in double -- so every zero entry moves into P- or stays 0:
 * f'(theta*; D) = <grad f_0, D> = -sum_z mu_z <grad ubar_z, D>, about the sum of the negative
 * multipliers. Proven when, over the box X, every <grad ubar_z, D> is < 0 or exactly 0 and
 * <grad f_0, D> is < 0. Sets r->descent (n exact entries) and its rate, or leaves r->descent
 * NULL when no multiplier is negative. */
static void descent_find(crit *c, dnc_critical *r, arb_srcptr X)
{
    slong nz = r->nkinks + r->nimplied, nf = c->nf, z, ntarget = 0;
    arb_ptr g0;
    double *Cd, *b;
    fmpq_t eps;
    int ok = r->proven && nz > 0;
    char *target = flint_calloc((size_t) nz + 1, 1);
    fmpq_init(eps);
    fmpq_one(eps);
    fmpq_div_2exp(eps, eps, (ulong) -r->radius_log2);
    fmpq_neg(eps, eps);
    for (z = 0; ok && z < r->nkinks; z++)
        ntarget += target[z] = fmpq_cmp(r->mu + z, eps) < 0;
    fmpq_clear(eps);
    if (!ok || ntarget == 0) {
        flint_free(target);
        return;
    }
    g0 = _arb_vec_init(nf);
    Cd = flint_malloc((size_t) (nz * nf) * sizeof(double));
    b = flint_malloc((size_t) nz * sizeof(double));
    zero_rows(c, r, X, c->fi, nf, g0, Cd);
    for (z = 0; z < nz; z++)   /* -1 at the kinks with a negative multiplier, -2^-20 elsewhere */
        b[z] = zero_row(Cd, nz, nf, z) ? 0.0 : target[z] ? -1.0 : -ldexp(1.0, -20);
    ok = least_norm_direction(c, r, c->fi, nf, g0, Cd, b);
    for (z = 0; ok && z < nz; z++) {
        arb_srcptr wz = zero_seed_entry(c->dpre, r, z);
        ok = arb_is_negative(wz) || arb_is_zero(wz);
    }
    r->descent_proven = ok && arb_is_negative(r->descent_rate);
    snprintf(r->descent_message, sizeof(r->descent_message), r->descent_proven ? "certified: along the direction "
             "descent every kink (listed and implied) moves into P-, and f'(theta*; D) < 0 on the box: theta* is not a "
             "local minimum of f (%ld kink(s) with a multiplier < 0)" : "not proven: the direction built from the %ld "
             "kink(s) with a multiplier < 0 does not move every kink into P- with a negative derivative of f on the box",
             (long) ntarget);
    _arb_vec_clear(g0, nf);
    flint_free(Cd);
    flint_free(b);
    flint_free(target);
}

/* The zero entry z (listed kinks, then implied ones; -1: none) where G_z - mu_z is negative on the
 * box and least in its upper bound: moving z alone into P+ changes f at that rate (docs/refine.md
 * §7.17, the identity). G from the seeded pass at X (no shifts: mu_z is then the claim's). */
static slong descent_up_target(crit *c, const dnc_critical *r, arb_srcptr X)
{
    slong l, z, best = -1, nz = r->nkinks + r->nimplied;
    arb_mat_struct *adj = flint_malloc((c->p->L + 1) * sizeof(arb_mat_struct));
    arb_t d, low;
    arb_init(d);
    arb_init(low);
    for (l = 0; l <= c->p->L; l++)
        arb_mat_init(adj + l, l >= 2 ? c->p->width[l - 1] : 0, l >= 2 ? c->N : 0);
    seeded_adjoint(c, r, X, NULL, adj);
    for (z = 0; z < nz; z++) {
        if (z < r->nkinks)
            arb_sub(d, zero_seed_entry(adj, r, z), zero_seed(c, r, z), c->prec);
        else
            arb_set(d, zero_seed_entry(adj, r, z));
        if (arb_is_negative(d) && (best < 0 || arf_cmp(arb_midref(d), arb_midref(low)) < 0))
            best = z, arb_set(low, d);
    }
    for (l = 0; l <= c->p->L; l++)
        arb_mat_clear(adj + l);
    flint_free(adj);
    arb_clear(d);
    arb_clear(low);
    return best;
}

/* descent_direction into P+ (format §6.15, docs/refine.md §7.18): where a zero entry z has
 * G_z - mu_z < 0 on the box (descent_up_target), a direction D with <grad ubar_z, D> = 1 and
 * <grad ubar_e, D> = -2^-20 at every other zero entry e (none where that gradient is exactly 0),
 * the gradients taken in the network f_s where z passes its input (slope 1: the entries above
 * see z move), least-norm over all parameters (held ones too: an implied kink of rule zero moves
 * only with its held weights). Then f'(theta*; D) = <grad f_s, D>, about G_z - mu_z. Proven when,
 * over the box, the tangent pass with that slope gives w_z > 0 and every other w_e < 0 or exactly
 * 0 (the checker then decides the same slopes), and <grad f_s, D> < 0. */
static void descent_up(crit *c, dnc_critical *r, arb_srcptr X)
{
    slong nz = r->nkinks + r->nimplied, n = c->n, e, i, up, *all;
    arb_ptr gs, slope;
    double *Cd, *b;
    int ok;
    if (!r->proven || r->nshift > 0 || nz == 0 || (!r->slopes_proven && has_partner_pairs(c, r, X))
        || (up = descent_up_target(c, r, X)) < 0)   /* mu must be the multipliers, not one of a family */
        return;
    descent_clear(r);
    gs = _arb_vec_init(n);
    Cd = flint_malloc((size_t) (nz * n) * sizeof(double));
    b = flint_malloc((size_t) nz * sizeof(double));
    all = flint_malloc((size_t) n * sizeof(slong));
    for (i = 0; i < n; i++)
        all[i] = i;
    slope = zero_seed_entry(c->slope, r, up);
    arb_one(slope);
    zero_rows(c, r, X, all, n, gs, Cd);
    for (e = 0; e < nz; e++)   /* +1 at up, -2^-20 elsewhere */
        b[e] = zero_row(Cd, nz, n, e) ? 0.0 : e == up ? 1.0 : -ldexp(1.0, -20);
    ok = b[up] != 0.0 && least_norm_direction(c, r, all, n, gs, Cd, b);
    for (e = 0; ok && e < nz; e++) {
        arb_srcptr w = zero_seed_entry(c->dpre, r, e);
        ok = e == up ? arb_is_positive(w) : arb_is_negative(w) || arb_is_zero(w);
    }
    arb_zero(slope);
    if (r->descent == NULL)   /* the solve was not reached: an all-zero direction, not proven */
        r->descent = _fmpq_vec_init(n);
    memcpy(r->descent_up, up < r->nkinks ? r->kinks + 3 * up : r->implied + 3 * (up - r->nkinks), sizeof(r->descent_up));
    r->descent_proven = ok && arb_is_negative(r->descent_rate);
    snprintf(r->descent_message, sizeof(r->descent_message), "%s: along the direction descent the %s kink [%ld, %ld, %ld] "
             "(G_e - mu_e < 0 on the box) %s into P+ and every other kink into P- or not at all, %s", r->descent_proven
             ? "certified" : "not proven", up < r->nkinks ? "listed" : "implied", (long) r->descent_up[0],
             (long) r->descent_up[1], (long) r->descent_up[2], r->descent_proven ? "moves" : "is to move",
             r->descent_proven ? "and f'(theta*; D) < 0 on the box: theta* is not a local minimum of f"
             : "but the tangent signs or the sign of f'(theta*; D) are not shown on the box");
    _arb_vec_clear(gs, n);
    flint_free(Cd);
    flint_free(b);
    flint_free(all);
}

/* descent_find on the box around xbar (the proven radius); where it proves nothing, descent_up. */
static void descent_at(crit *c, dnc_critical *r, arb_srcptr xbar)
{
    arb_ptr X = _arb_vec_init(c->nf + c->nk);
    descent_clear(r);
    box_around(X, xbar, c->nf + c->nk, r->radius_log2);
    descent_find(c, r, X);
    if (!r->descent_proven)
        descent_up(c, r, X);
    _arb_vec_clear(X, c->nf + c->nk);
}

/* mag x <- an upper bound of |a| u (u = 2^-53) for a double a. */
static void mag_u_abs(mag_t x, double a)
{
    mag_set_d(x, a);
    mag_mul_2exp_si(x, x, -53);
}

/* The row sums of |M - M~| (em, nf) and M~ (B, nf x nf) for M = H + 2^k C^T C over the box
 * (docs/refine.md §7.9): H from the lower triangle of A's first nf x nf block (H is symmetric
 * at every point), C = rows nf.. of A on the first nf columns (Ac, p x nf), P = fl(Ac^T Ac).
 * Every M of the box differs from M~ = fl(H~ + 2^k P) by at most D (H), 2^k F (C^T C, F =
 * |Ac|^T Dc + Dc^T |Ac| + Dc^T Dc + gamma_p |Ac|^T |Ac| + p eta, symmetric, (P1) for P) and the
 * rounding of the sum (u |m~_ij|). 0 when an entry is not finite. */
static int pd_matrix(double *B, mag_ptr em, slong m, slong nf, const double *A, const double *D, slong k)
{
    slong p = m - nf, i, j, e;
    double *Ac = flint_malloc((p * nf + 1) * sizeof(double)), *P = flint_calloc(nf * nf + 1, sizeof(double));
    mag_ptr se = _mag_vec_init(p + 1), de = _mag_vec_init(p + 1);
    mag_t t, v, g;
    int ok = 1;
    mag_init(t); mag_init(v); mag_init(g);
    for (j = 0; j < nf; j++)
        for (e = 0; e < p; e++) {
            Ac[e + p * j] = A[nf + e + m * j];
            mag_set_d(t, Ac[e + p * j]);
            mag_add(se + e, se + e, t);   /* s_e = sum_j |a_ej| */
            mag_set_d(t, D[nf + e + m * j]);
            mag_add(de + e, de + e, t);   /* d_e = sum_j delta_ej */
        }
    if (p > 0)
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (blasint) nf, (blasint) nf, (blasint) p, 1.0, Ac,
                    (blasint) p, Ac, (blasint) p, 0.0, P, (blasint) nf);
    mag_set_ui_2exp_si(g, (ulong) p * 513, -62);   /* gamma_p <= p u (1 + 2^-9) */
    for (i = 0; i < nf; i++) {   /* row i of F: sum_e |a_ei| (d_e + gamma_p s_e) + delta_ei (s_e + d_e), + nf p eta */
        mag_zero(v);
        for (e = 0; e < p; e++) {
            mag_mul(t, g, se + e);
            mag_add(t, t, de + e);
            mag_set_d(em + i, Ac[e + p * i]);
            mag_addmul(v, em + i, t);
            mag_add(t, se + e, de + e);
            mag_set_d(em + i, D[nf + e + m * i]);
            mag_addmul(v, em + i, t);
        }
        mag_set_ui_2exp_si(t, (ulong) p * nf, -1074);
        mag_add(v, v, t);
        mag_mul_2exp_si(em + i, v, k);
    }
    for (j = 0; j < nf; j++)
        for (i = 0; i < nf; i++) {
            slong a = FLINT_MAX(i, j), b = FLINT_MIN(i, j);
            double x = A[a + m * b] + ldexp(P[a + nf * b], (int) k);   /* 2^k P exact (or not finite) */
            ok &= isfinite(x);
            B[i + nf * j] = x;
            mag_set_d(t, D[a + m * b]);
            mag_add(em + i, em + i, t);
            mag_u_abs(t, x);
            mag_add(em + i, em + i, t);
        }
    mag_clear(t); mag_clear(v); mag_clear(g);
    _mag_vec_clear(se, p + 1);
    _mag_vec_clear(de, p + 1);
    flint_free(Ac);
    flint_free(P);
    return ok;
}

/* Every M of the box is positive definite, from M~ (B, overwritten) and em (pd_matrix): R the
 * Cholesky factor (LAPACK) of B' = fl(M~ - c I), then M = R^T R + c I + (B' - R^T R) + (M~ -
 * c I - B') + (M - M~), the last three symmetric, so lambda_min(M) >= c - eR - eB - eM with
 * each e a max row sum of |.| (which bounds the 2-norm of a symmetric matrix): eR from
 * |b'_ij - fl(R^T R)_ij| (exact differences) and (P1) for fl(R^T R), eB = max u |b'_ii|, eM =
 * max em_i. c: twice eM plus twice an estimate of eR, (n + 1) u n max |m~_ij|. */
static int pd_check(double *B, mag_srcptr em, slong nf)
{
    if (nf == 0)   /* no free parameter: the form on {0} is positive definite, as on the ball path */
        return 1;
    double *Q = flint_malloc((nf * nf + 1) * sizeof(double)), *RR = flint_calloc(nf * nf + 1, sizeof(double)), c, big = 0;
    mag_ptr er = _mag_vec_init(nf), tr = _mag_vec_init(nf);
    mag_t t, g, e;
    arf_t f, h;
    slong i, j;
    int ok;
    mag_init(t); mag_init(g); mag_init(e);
    arf_init(f); arf_init(h);
    for (i = 0; i < nf; i++) {
        if (mag_cmp(em + i, e) > 0)
            mag_set(e, em + i);
        for (j = 0; j < nf; j++)
            big = FLINT_MAX(big, fabs(B[i + nf * j]));
    }
    c = 2 * mag_get_d(e) + 2 * (double) (nf + 1) * (double) nf * ldexp(big, -53);
    for (i = 0; i < nf; i++) {
        B[i + nf * i] -= c;
        mag_u_abs(t, B[i + nf * i]);
        mag_max(g, g, t);   /* eB */
    }
    mag_add(e, e, g);
    memcpy(Q, B, nf * nf * sizeof(double));
    ok = nf > 0 && isfinite(c) && c > 0
         && LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (lapack_int) nf, Q, (lapack_int) nf) == 0;
    if (ok) {
        for (j = 0; j < nf; j++)
            for (i = j + 1; i < nf; i++)
                Q[i + nf * j] = 0.0;   /* R: the upper triangle */
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (blasint) nf, (blasint) nf, (blasint) nf, 1.0, Q,
                    (blasint) nf, Q, (blasint) nf, 0.0, RR, (blasint) nf);
        for (j = 0; j < nf; j++)   /* tr_i = sum_j |r_ij| */
            for (i = 0; i <= j; i++) {
                mag_set_d(t, Q[i + nf * j]);
                mag_add(tr + i, tr + i, t);
            }
        mag_set_ui_2exp_si(g, (ulong) nf * 513, -62);   /* gamma_nf */
        for (j = 0; ok && j < nf; j++)
            for (i = 0; ok && i < nf; i++) {
                ok = isfinite(RR[i + nf * j]);
                arf_set_d(f, B[i + nf * j]);
                arf_set_d(h, RR[i + nf * j]);
                arf_sub(f, f, h, ARF_PREC_EXACT, ARF_RND_DOWN);
                arf_get_mag(t, f);
                mag_add(er + i, er + i, t);
                if (i <= j) {   /* row j of gamma_nf |R|^T |R| 1: gamma_nf sum_i |r_ij| tr_i */
                    mag_set_d(t, Q[i + nf * j]);
                    mag_mul(t, t, g);
                    mag_addmul(er + j, t, tr + i);
                }
            }
        mag_set_ui_2exp_si(t, (ulong) nf * nf, -1074);
        mag_zero(g);
        for (i = 0; i < nf; i++) {
            mag_add(er + i, er + i, t);
            mag_max(g, g, er + i);
        }
        mag_add(e, e, g);
        mag_set_d_lower(t, c);
        ok = ok && mag_cmp(e, t) < 0;
    }
    mag_clear(t); mag_clear(g); mag_clear(e);
    arf_clear(f); arf_clear(h);
    _mag_vec_clear(er, nf);
    _mag_vec_clear(tr, nf);
    flint_free(Q);
    flint_free(RR);
    return ok;
}

/* rho <- 2^k, the weight of strict_local_min's C^T C. */
static void set_rho(dnc_critical *r, slong k)
{
    r->second_order = 1;
    fmpq_one(r->rho);
    fmpz_mul_2exp(fmpq_numref(r->rho), fmpq_numref(r->rho), k);
}

/* The double path of strict_local_min (§7.9): pd_matrix and pd_check on the box Jacobian's
 * doubles and entry bounds (o) for rho = 2^k, k = 0, 4, ..., 64. */
static void second_order_double(dnc_critical *r, const jac_out *o, slong nf)
{
    double *B = flint_malloc((nf * nf + 1) * sizeof(double));
    mag_ptr em = _mag_vec_init(nf);
    slong k;
    for (k = 0; k <= 64 && !o->bad && !r->second_order; k += 4)
        if (pd_matrix(B, em, o->m, nf, o->A, o->D, k) && pd_check(B, em, nf))
            set_rho(r, k);
    flint_free(B);
    _mag_vec_clear(em, nf);
}

/* The ball path of strict_local_min (§7.4): Cholesky in balls of H + 2^k C^T C from the box
 * Jacobian J, k = 0, 4, ..., 64. */
static void second_order_ball(crit *c, dnc_critical *r, const arb_mat_t J)
{
    slong m = c->m, nf = c->nf, i, j, k, e;
    arb_mat_t M, CtC;
    arb_mat_init(M, nf, nf);
    arb_mat_init(CtC, nf, nf);
    for (i = 0; i < nf; i++)   /* C^T C: rows nf..m-1 of J, first nf columns */
        for (j = 0; j <= i; j++) {
            arb_ptr t = arb_mat_entry(CtC, i, j);
            arb_zero(t);
            for (e = nf; e < m; e++)
                arb_addmul(t, arb_mat_entry(J, e, i), arb_mat_entry(J, e, j), c->prec);
            arb_set(arb_mat_entry(CtC, j, i), t);
        }
    for (k = 0; k <= 64 && !r->second_order; k += 4) {
        for (i = 0; i < nf; i++)
            for (j = 0; j < nf; j++) {
                arb_mul_2exp_si(arb_mat_entry(M, i, j), arb_mat_entry(CtC, i, j), k);
                arb_add(arb_mat_entry(M, i, j), arb_mat_entry(M, i, j), arb_mat_entry(J, i, j), c->prec);
            }
        if (arb_mat_cho(M, M, c->prec))
            set_rho(r, k);
    }
    arb_mat_clear(M);
    arb_mat_clear(CtC);
}

/* strict_local_min (docs/refine.md §7.4, §7.9): with C = [A; S^T] (the kink constraints' and
 * the slice's gradients, rows nf.. of the bordered Jacobian), H + rho C^T C certainly positive
 * definite over the box for rho = 2^k, k = 0, 4, ..., 64: by Finsler's lemma H is then
 * positive definite on ker C at every point of the box. One pass of eval_J gives the box
 * Jacobian to both paths: the Cholesky in double first, then in balls where that fails and
 * the ball path may run. */
static void second_order(crit *c, dnc_critical *r, arb_srcptr xbar)
{
    slong m = c->m, nf = c->nf;
    arb_mat_t J, S;
    arb_ptr X;
    jac_out o = { NULL, NULL, NULL, m, 0, NULL };
    r->second_order = 0;
    fmpq_zero(r->rho);
    if (!r->proven || (!method_double() && !method_ball(c, m)))
        return;
    X = _arb_vec_init(m);
    arb_mat_init(S, nf, c->q);
    if (method_double()) {
        o.A = flint_calloc(m * m + 1, sizeof(double));
        o.D = flint_calloc(m * m + 1, sizeof(double));
    }
    if (method_ball(c, m)) {
        arb_mat_init(J, m, m);
        o.J = J;
    }
    expand(c, c->th, xbar);
    generators_at(S, c, r, c->th);
    box_around(X, xbar, m, r->radius_log2);
    eval_J(c, r, &o, X, S);
    if (o.A != NULL)
        second_order_double(r, &o, nf);
    if (!r->second_order && o.J != NULL)
        second_order_ball(c, r, J);
    if (o.J != NULL)
        arb_mat_clear(J);
    flint_free(o.A);
    flint_free(o.D);
    arb_mat_clear(S);
    _arb_vec_clear(X, m);
}

void dnc_critical_init(dnc_critical *r)
{
    memset(r, 0, sizeof(*r));
    arb_init(r->loss);
    arb_init(r->descent_rate);
    fmpq_init(r->rho);
}

void dnc_critical_clear(dnc_critical *r)
{
    if (r->center != NULL)
        _fmpq_vec_clear(r->center, r->n);
    if (r->mu != NULL)
        _fmpq_vec_clear(r->mu, r->nkinks);
    flint_free(r->kinks);
    flint_free(r->generators);
    flint_free(r->partial);
    flint_free(r->krot);
    flint_free(r->crot);
    flint_free(r->dead);
    flint_free(r->zero);
    flint_free(r->implied);
    flint_free(r->exact);
    shifts_clear(r);
    descent_clear(r);
    arb_clear(r->descent_rate);
    if (r->G != NULL) {
        _arb_vec_clear(r->G, r->nkinks);
        _arb_vec_clear(r->t, r->nkinks);
    }
    arb_clear(r->loss);
    fmpq_clear(r->rho);
    memset(r, 0, sizeof(*r));
}

/* c's sizes and dead units from r; xbar (initialised, m entries) <- r's centre. 0 when a
 * dead unit's parameter of the centre is not 0. */
static int load(crit *c, const dnc_critical *r, arb_ptr *xbar)
{
    slong i, k;
    for (k = 0; k < r->ndead; k++)
        c->dead[r->dead[2 * k]][r->dead[2 * k + 1]] = 1;
    for (k = 0; k < r->nzero; k++)
        c->held[held_index(c, r->zero[3 * k], r->zero[3 * k + 1], r->zero[3 * k + 2])] = 1;
    free_coords(c);
    c->nk = r->nkinks;
    c->q = generator_count(r);
    c->m = c->nf + c->nk + c->q;
    *xbar = _arb_vec_init(c->m);
    for (i = 0, k = 0; i < c->n; i++) {
        if (k < c->nf && c->fi[k] == i)
            arb_set_fmpq(*xbar + k++, r->center + i, c->prec);
        else if (!fmpq_is_zero(r->center + i))
            return 0;
    }
    for (k = 0; k < c->nk; k++)
        arb_set_fmpq(*xbar + c->nf + k, r->mu + k, c->prec);
    return 1;
}

/* The pattern of r (kinks; dead units; signs of the other entries at the centre) into c. */
static void pattern_from(crit *c, const dnc_critical *r, arb_srcptr xbar)
{
    slong l, i, k;
    set_point(c, r, xbar);
    dnc_ball_eval_pattern(c->e, c->x, NULL, NULL, c->pre, 0, c->prec);
    for (l = 2; l <= c->p->L; l++)
        for (i = 0; is_relu(c, l) && i < c->p->width[l - 1] * c->N; i++)
            c->state[l][i] = c->dead[l][i % c->p->width[l - 1]] ? 2 : (signed char) arf_sgn(arb_midref(at(c->pre + l, i)));
    for (k = 0; k < r->nkinks + r->nimplied; k++) {
        const slong *e = k < r->nkinks ? r->kinks + 3 * k : r->implied + 3 * (k - r->nkinks);
        c->state[e[0]][e[1] + c->p->width[e[0] - 1] * e[2]] = 0;
    }
    for (l = 2; l <= c->p->L; l++) {
        arb_mat_zero(c->slope + l);
        for (i = 0; is_relu(c, l) && i < c->p->width[l - 1] * c->N; i++)
            if (c->state[l][i] == 1)
                arb_one(at(c->slope + l, i));
    }
}

int dnc_critical_check(dnc_critical *r, dnc_problem_t p, slong prec)
{
    crit c;
    arb_ptr xbar;
    slong k;
    int ok;
    crit_init(&c, p, prec);
    ok = load(&c, r, &xbar);
    pattern_from(&c, r, xbar);
    for (k = 0; k < r->ngenerators; k++)
        ok &= same_pattern(&c, r->generators[3 * k], r->generators[3 * k + 1], r->generators[3 * k + 2]);
    for (k = 0; k < r->npartial; k++)
        ok &= p->L >= 2 && !c.dead[1][r->partial[3 * k]] && !c.dead[1][r->partial[3 * k + 1]];
    for (k = 0; k < r->nkrot; k++)   /* live units of a ReLU layer, P- in the same columns */
        ok &= r->krot[3 * k + 1] != r->krot[3 * k + 2] && same_minus(&c, r->krot[3 * k], r->krot[3 * k + 1],
                                                                     r->krot[3 * k + 2]);
    for (k = 0; k < r->ncrot; k++)   /* a symmetry at this pattern: format §6.9 (3)(i)-(iv) */
        ok &= crot_admissible(&c, r->crot[2 * k], r->crot[2 * k + 1]);
    r->krawczyk = r->gram = r->signs = r->dead_ok = 0;
    r->proven = ok && check_box(&c, r, xbar);
    kink_slopes(&c, r, xbar);
    descent_at(&c, r, xbar);
    _arb_vec_clear(xbar, c.m);
    crit_clear(&c);
    return r->proven;
}

/* One attempt of dnc_critical_certify; with zero, zero weights are held as well (-2 when
 * there are none: the attempt would repeat the one without). */
static int certify_attempt(dnc_critical *r, const fmpq *exact, dnc_problem_t p, slong prec, slong bits, int zero,
                           int no_ball)
{
    char singular[256];
    crit c;
    arb_ptr x;
    char *zero_kink;
    slong i, k, E[3] = { -(3 * prec) / 4, -(5 * prec) / 8, -prec / 2 };
    double t0 = dnc_seconds_now();
    if (p->loss == DNC_LOSS_CE) {
        snprintf(r->message, sizeof(r->message), "cross-entropy: the dual-number backend handles the squared error only");
        return -1;
    }
    crit_init(&c, p, prec);
    c.no_ball = no_ball;
    c.bits = bits;
    r->n = c.n;
    r->prec = prec;
    x = _arb_vec_init(c.n);
    for (i = 0; i < c.n; i++)
        arb_set_fmpq(x + i, exact + i, prec);
    for (i = 0; i < c.n; i++)
        arb_set(c.v[i], x + i);
    find_pattern(&c, r);
    r->merged = merge_proportional(&c, x);
    find_dead(&c, r, x);
    for (i = 0; i < c.n; i++)
        arb_set(c.v[i], x + i);
    find_pattern(&c, r);
    zero_kink = zero ? flint_calloc(r->nkinks + 1, 1) : NULL;
    if (zero)
        find_zero_weights(&c, r, x, zero_kink);
    if (zero && r->nzero == 0) {
        flint_free(zero_kink);
        _arb_vec_clear(x, c.n);
        crit_clear(&c);
        return -2;
    }
    find_implied(&c, r, zero_kink, x);
    flint_free(zero_kink);
    choose_generators(&c, r, x);
    c.q = generator_count(r);
    c.m = c.nf + c.nk + c.q;
    if (c.m > DNC_CRITICAL_MAX_UNKNOWNS) {   /* dense m x m matrices: not attempted */
        r->center = _fmpq_vec_init(c.n);
        r->mu = _fmpq_vec_init(c.nk);
        for (i = 0; i < c.n; i++)
            arf_get_fmpq(r->center + i, arb_midref(x + i));
        r->radius_log2 = E[2];
        r->size = c.m;
        r->seconds = dnc_seconds_now() - t0;
        snprintf(r->message, sizeof(r->message), "not proven: not attempted, the reduced system has %ld unknowns (%ld free "
                 "parameters, %ld kinks, %ld generators), more than %d (its Jacobian is a dense matrix); refine the "
                 "point first (dncert refine), which removes dead and merges proportional units",
                 (long) c.m, (long) c.nf, (long) c.nk, (long) c.q, DNC_CRITICAL_MAX_UNKNOWNS);
        snprintf(r->slopes_message, sizeof(r->slopes_message), "not proven: the critical_point claim is not certified");
        _arb_vec_clear(x, c.n);
        crit_clear(&c);
        return 0;
    }
    _arb_vec_set(c.th, x, c.n);   /* the merged point */
    _arb_vec_clear(x, c.n);
    x = _arb_vec_init(c.m);
    for (i = 0; i < c.nf; i++)
        arb_set(x + i, c.th + c.fi[i]);
    polish(&c, r, x);
    r->center = _fmpq_vec_init(c.n);
    r->mu = _fmpq_vec_init(c.nk);
    expand(&c, c.th, x);
    for (i = 0; i < c.n; i++)
        arf_get_fmpq(r->center + i, arb_midref(c.th + i));
    for (k = 0; k < c.nk; k++)
        arf_get_fmpq(r->mu + k, arb_midref(x + c.nf + k));
    for (k = 0; k < 3 && !r->proven; k++) {
        r->radius_log2 = E[k];
        r->proven = check_box(&c, r, x);
    }
    kink_slopes(&c, r, x);
    descent_at(&c, r, x);
    second_order(&c, r, x);
    r->size = c.m;
    r->seconds = dnc_seconds_now() - t0;
    /* rho ~ m u cond(J): far above 1 the midpoint Jacobian is numerically singular */
    snprintf(singular, sizeof(singular), "fails (its double path bounds the rows of |I - Y J| by %.2g, about m u "
             "cond(J): the system is numerically singular, likely a flat direction not removed -- a symmetry not "
             "among the generators, or dependent kink constraints)", r->rho_max);
    snprintf(r->message, sizeof(r->message), "%s: %ld unknowns (%ld free parameters, %ld kinks, %ld symmetry generators, %ld of them partial rotations of H1, %ld kink-preserving rotations and %ld class rotations; "
             "%ld dead units held at 0, %ld of them merged into a proportional unit; %ld zero weights; %ld implied kinks); Krawczyk%s %s, slice Gram matrix %s, P+/P- signs %s, dead units' and zero weights' gradient %s "
             "on the box of radius 2^%ld; pattern read at 2^-%ld of each layer's largest entry%s",
             r->proven ? "certified" : "not proven", (long) c.m, (long) c.nf, (long) c.nk, (long) c.q, (long) r->npartial, (long) r->nkrot, (long) r->ncrot, (long) r->ndead, (long) r->merged, (long) r->nzero, (long) r->nimplied,
             r->krawczyk ? (r->double_path ? " (preconditioner in double, §7.9)" : " (in balls)") : "",
             r->krawczyk ? "contracts" : r->rho_max > 10 ? singular : "fails", r->gram ? "invertible" : "not shown invertible",
             r->signs ? "kept" : "not kept", r->dead_ok ? "0" : "not shown 0", (long) r->radius_log2, (long) bits,
             bits == DNC_CRITICAL_DOUBLE_BITS ? " (a point of doubles)" : "");
    _arb_vec_clear(x, c.m);
    crit_clear(&c);
    return 0;
}

/* How much an attempt proves: critical_point first, then kink_multipliers, strict_local_min,
 * d_stationary (ATTEMPT_ALL: all four). */
#define ATTEMPT_ALL 15
static int attempt_score(const dnc_critical *r)
{
    int slopes = r->proven && r->slopes_proven;
    return 8 * r->proven + 4 * slopes + 2 * (r->proven && r->second_order) + (slopes && r->g_nonneg);
}

/* Keeps in *r the attempt r2 when it proves more (the first on a tie); the attempt it
 * displaces goes to *loser (cleared before) when loser is not NULL. */
static void keep_better(dnc_critical *r, dnc_critical *r2, int rc2, dnc_critical *loser)
{
    if (rc2 == 0 && attempt_score(r2) > attempt_score(r)) {
        if (loser != NULL) {
            dnc_critical_clear(loser);
            *loser = *r;
        } else
            dnc_critical_clear(r);
        *r = *r2;
    } else
        dnc_critical_clear(r2);
}

/* A point of doubles: every entry a dyadic of at most 53 significant bits, i.e. exact when
 * rounded to 53 bits (exponents are not checked: a point's entries are far inside the double
 * range). */
slong dnc_critical_pattern_bits(const fmpq *exact, slong n, slong prec)
{
    slong i;
    int inexact = 0;
    arf_t a;
    arf_init(a);
    for (i = 0; i < n && !inexact; i++)
        inexact = arf_set_fmpq(a, exact + i, 53, ARF_RND_DOWN);
    arf_clear(a);
    return inexact ? prec / 2 : FLINT_MIN(DNC_CRITICAL_DOUBLE_BITS, prec / 2);
}

/* Zero weights (find_zero_weights) are tried only when the attempt without them leaves a claim
 * not proven: they exclude the generators that move them (a kink-preserving rotation of such a
 * row), which the K = 4 points need, while the K = 6 point of docs/refine.md §9 needs the zero
 * weights. The checkers accept either; the attempt that proves more is reported (the first on
 * a tie). Both attempts run the double path only (docs/refine.md §7.9); where neither proves
 * critical_point and strict_local_min and the ball path may run, both are made again with it,
 * and one of those is reported, so that the checker, which falls back to balls in the same
 * way, reaches the same verdicts (kink_multipliers does not depend on the path). */
int dnc_critical_certify(dnc_critical *r, const fmpq *exact, dnc_problem_t p, slong prec, slong bits)
{
    return dnc_critical_certify_zero(r, exact, p, prec, bits, 1);
}

/* dnc_critical_certify_zero, and with plain != NULL the displaced attempt without zero weights
 * into *plain (dnc_critical_certify_both). */
static int certify(dnc_critical *r, dnc_critical *plain, const fmpq *exact, dnc_problem_t p, slong prec, slong bits,
                   int zero)
{
    double t0 = dnc_seconds_now();
    dnc_critical r2;
    if (bits <= 0)
        bits = dnc_critical_pattern_bits(exact, dnc_param_offset(p, p->N, DNC_NKINDS, 0), prec);
    int rc = certify_attempt(r, exact, p, prec, bits, 0, 1);
    if (rc != 0)
        return rc;
    if (zero && attempt_score(r) < ATTEMPT_ALL) {
        dnc_critical_init(&r2);
        keep_better(r, &r2, certify_attempt(&r2, exact, p, prec, bits, 1, 1), plain);
    }
    if (!(r->proven && r->second_order) && method_ball_env(r->size)) {
        dnc_critical_clear(r);
        dnc_critical_init(r);
        rc = certify_attempt(r, exact, p, prec, bits, 0, 0);
        if (rc == 0 && zero && attempt_score(r) < ATTEMPT_ALL) {
            dnc_critical_init(&r2);
            keep_better(r, &r2, certify_attempt(&r2, exact, p, prec, bits, 1, 0), plain);
        }
    }
    r->seconds = dnc_seconds_now() - t0;
    return rc;
}

int dnc_critical_certify_zero(dnc_critical *r, const fmpq *exact, dnc_problem_t p, slong prec, slong bits, int zero)
{
    return certify(r, NULL, exact, p, prec, bits, zero);
}

int dnc_critical_certify_both(dnc_critical *r, dnc_critical *plain, const fmpq *exact, dnc_problem_t p, slong prec,
                              slong bits)
{
    return certify(r, plain, exact, p, prec, bits, 1);
}
