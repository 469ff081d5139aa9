/* Certificates for explicit points (dncert certify-point, docs/certify-point.md): exact points
 * from doubles, their exact class means, Newton polishing inside one activation region, and
 * the certificate that compares a point's certified loss with the certified DNC value. */
#include <stdio.h>
#include <string.h>
#include "dncert/cert.h"
#include <flint/fmpq_vec.h>
#include "dncert/io.h"
#include "cert_priv.h"

/* ---- exact points ---- */

static slong nblocks(const dnc_problem_struct *p)
{
    return p->L + 2;   /* H1, W_1..W_L, b (K x 0 without a bias) */
}

static void block_shape(slong *r, slong *c, const dnc_problem_struct *p, slong ncols, slong b)
{
    if (b == 0)
        dnc_objective_buf_shape(r, c, p, ncols, DNC_H, 1);
    else if (b <= p->L)
        dnc_objective_buf_shape(r, c, p, ncols, DNC_W, b);
    else
        *r = p->K, *c = p->bias == DNC_BIAS_FREE;
}

static void qpoint_alloc(dnc_qpoint_t x, dnc_problem_struct *p, int collapsed)
{
    slong b, r, c;
    x->p = p;
    x->collapsed = collapsed;
    x->blk = flint_malloc(nblocks(p) * sizeof(fmpq_mat_struct));
    for (b = 0; b < nblocks(p); b++) {
        block_shape(&r, &c, p, collapsed ? p->K : p->N, b);
        fmpq_mat_init(x->blk + b, r, c);
    }
}

void dnc_qpoint_clear(dnc_qpoint_t x)
{
    slong b;
    for (b = 0; b < nblocks(x->p); b++)
        fmpq_mat_clear(x->blk + b);
    flint_free(x->blk);
}

void dnc_qpoint_init_theta(dnc_qpoint_t x, dnc_problem_t p, const double *theta)
{
    slong b, i, j;
    arf_t a;
    arf_init(a);
    qpoint_alloc(x, p, 0);
    for (b = 0; b < nblocks(p); b++) {
        fmpq_mat_struct *m = x->blk + b;
        const double *t = theta + dnc_param_block_start(p, p->N, b);
        for (j = 0; j < fmpq_mat_ncols(m); j++)
            for (i = 0; i < fmpq_mat_nrows(m); i++) {
                arf_set_d(a, t[i + fmpq_mat_nrows(m) * j]);   /* exact: a double is dyadic */
                arf_get_fmpq(fmpq_mat_entry(m, i, j), a);
            }
    }
    arf_clear(a);
}

void dnc_qpoint_init_fmpq(dnc_qpoint_t x, dnc_problem_t p, const fmpq *theta)
{
    slong b, i, j;
    qpoint_alloc(x, p, 0);
    for (b = 0; b < nblocks(p); b++) {
        fmpq_mat_struct *m = x->blk + b;
        const fmpq *t = theta + dnc_param_block_start(p, p->N, b);
        for (j = 0; j < fmpq_mat_ncols(m); j++)
            for (i = 0; i < fmpq_mat_nrows(m); i++)
                fmpq_set(fmpq_mat_entry(m, i, j), t + i + fmpq_mat_nrows(m) * j);
    }
}

int dnc_qpoint_project(dnc_qpoint_t out, const dnc_qpoint_t x)
{
    dnc_problem_struct *p = x->p;
    const fmpq_mat_struct *H = x->blk;
    slong b, i, j, k, start = 0;
    int same = 1;
    fmpq_t s;
    fmpz_t cnt;
    qpoint_alloc(out, p, 1);
    for (b = 1; b < nblocks(p); b++)
        fmpq_mat_set(out->blk + b, x->blk + b);
    if (x->collapsed) {
        fmpq_mat_set(out->blk, H);
        return 1;
    }
    fmpq_init(s);
    fmpz_init(cnt);
    for (k = 0; k < p->K; start += p->n[k], k++)
        for (i = 0; i < fmpq_mat_nrows(H); i++) {
            fmpq_zero(s);
            for (j = start; j < start + p->n[k]; j++)
                fmpq_add(s, s, fmpq_mat_entry(H, i, j));
            fmpz_set_si(cnt, p->n[k]);
            fmpq_div_fmpz(s, s, cnt);
            fmpq_set(fmpq_mat_entry(out->blk, i, k), s);
            for (j = start; j < start + p->n[k]; j++)
                same &= fmpq_equal(fmpq_mat_entry(H, i, j), s);
        }
    fmpq_clear(s);
    fmpz_clear(cnt);
    return same;
}

void dnc_qpoint_box(dnc_bpoint_t box, const dnc_qpoint_t x, slong prec)
{
    slong b, i, j;
    if (x->collapsed)
        dnc_bpoint_init_collapsed(box, x->p);
    else
        dnc_bpoint_init(box, x->p);
    for (b = 0; b < nblocks(x->p); b++) {
        arb_mat_struct *m = dnc_bpoint_block(box, b);
        for (i = 0; i < arb_mat_nrows(m); i++)
            for (j = 0; j < arb_mat_ncols(m); j++)
                arb_set_fmpq(arb_mat_entry(m, i, j), fmpq_mat_entry(x->blk + b, i, j), prec);
    }
}

/* Pointers to the entries of x, blocks in order, each column-major (the trainer's layout), and
 * (w != NULL) each entry's multiplicity: that of its column for H1, 1 for weights. */
static slong flatten(arb_ptr *v, slong *w, const dnc_bpoint_struct *x)
{
    slong b, i, j, n = 0;
    for (b = 0; b < nblocks(x->p); b++) {
        arb_mat_struct *m = dnc_bpoint_block(x, b);
        for (j = 0; j < arb_mat_ncols(m); j++)
            for (i = 0; i < arb_mat_nrows(m); i++, n++) {
                if (v != NULL)
                    v[n] = arb_mat_entry(m, i, j);
                if (w != NULL)
                    w[n] = b == 0 ? x->mult[j] : 1;
            }
    }
    return n;
}

/* ---- rigorous evaluation ---- */

void dnc_point_report_init(dnc_point_report *r)
{
    memset(r, 0, sizeof(*r));
    arb_init(r->loss);
    arb_init(r->fit);
    arb_init(r->reg);
    arb_init(r->gnorm);
}

void dnc_point_report_clear(dnc_point_report *r)
{
    arb_clear(r->loss);
    arb_clear(r->fit);
    arb_clear(r->reg);
    arb_clear(r->gnorm);
}

/* r <- [sqrt(sum w mig(g)^2), sqrt(sum w mag(g)^2)] over the n entries g[k] of a gradient
 * enclosure, each counted w[k] times (an H1 column stands for its samples): contains the
 * norm of every gradient in the enclosure. */
static void grad_norm_ball(arb_t r, arb_ptr *g, const slong *w, slong n, slong prec)
{
    arb_t lo, hi, t;
    arf_t x, y;
    slong k;
    arb_init(lo), arb_init(hi), arb_init(t);
    arf_init(x), arf_init(y);
    for (k = 0; k < n; k++) {
        arb_get_abs_ubound_arf(x, g[k], prec);
        arb_set_arf(t, x);
        arb_sqr(t, t, prec);
        arb_addmul_si(hi, t, w[k], prec);
        arb_get_abs_lbound_arf(x, g[k], prec);
        arb_set_arf(t, x);
        arb_sqr(t, t, prec);
        arb_addmul_si(lo, t, w[k], prec);
    }
    arb_sqrtpos(lo, lo, prec);
    arb_sqrtpos(hi, hi, prec);
    arb_get_lbound_arf(x, lo, prec);
    arb_get_ubound_arf(y, hi, prec);
    arb_set_interval_arf(r, x, y, prec);
    /* a checker's own ball gradient has other radii at the kinks' entries (other orders of
     * the same operations, each radius rounded up in 30 bits): 2e-11 of the norm apart on
     * tests/test_certify_point.c's SRG point; the claim keeps 2^-10 of its width in hand */
    mag_mul_2exp_si(arb_radref(t), arb_radref(r), -10);
    arb_add_error_mag(r, arb_radref(t));
    arb_clear(lo), arb_clear(hi), arb_clear(t);
    arf_clear(x), arf_clear(y);
}

void _dnc_cert_beval_grad_norm(arb_t r, const dnc_beval_t e, slong prec)
{
    slong n = flatten(NULL, NULL, e->grad);
    arb_ptr *g = flint_malloc((n + 1) * sizeof(arb_ptr));
    slong *w = flint_malloc((n + 1) * sizeof(slong));
    flatten(g, w, e->grad);
    grad_norm_ball(r, g, w, n, prec);
    flint_free(g);
    flint_free(w);
}

void dnc_qpoint_evaluate(dnc_point_report *r, const dnc_qpoint_t x, slong prec)
{
    dnc_bpoint_t box;
    dnc_beval_t e;
    arb_ptr *g;
    arf_t u;
    slong n, k;
    dnc_qpoint_box(box, x, prec);
    dnc_beval_init(e);
    dnc_ball_eval(e, box, 1, prec);
    arb_set(r->loss, e->loss);
    arb_set(r->fit, e->fit);
    arb_set(r->reg, e->reg);
    r->nkinks = e->nkinks;
    r->grad_rad = dnc_beval_grad_max_radius(e);
    r->grad_abs = 0.0;
    _dnc_cert_beval_grad_norm(r->gnorm, e, prec);
    n = flatten(NULL, NULL, e->grad);
    g = flint_malloc((n + 1) * sizeof(arb_ptr));
    flatten(g, NULL, e->grad);
    arf_init(u);
    for (k = 0; k < n; k++) {
        double d;
        arb_get_abs_ubound_arf(u, g[k], 53);
        d = arf_get_d(u, ARF_RND_UP);
        r->grad_abs = d > r->grad_abs || d != d ? d : r->grad_abs;
    }
    arf_clear(u);
    flint_free(g);
    dnc_beval_clear(e);
    dnc_bpoint_clear(box);
}

/* ---- polishing ----
 *
 * Method: truncated Newton with conjugate gradients (Newton-CG) on the objective with the ReLU
 * activation pattern of the starting point frozen (dnc_ball_eval_frozen), in Arb midpoints at
 * the working precision. Inside one pattern the objective is a polynomial, so Newton converges
 * quadratically near a non-degenerate critical point; plain gradient descent would not get
 * anywhere near the working precision in reasonable time (the double trainer itself needs
 * 10^4 steps to reach |grad| ~ 1e-2 on the K = 10, L = 4 problem), and an L-BFGS here would
 * duplicate the trainer's. Hessian-vector products are forward differences of the exact
 * frozen gradient, Hv ~ (g(x + h v) - g(x)) / h with h |v| = 2^(-prec/2): the error is about
 * 2^(-prec/2) relative, far below what Newton needs. CG stops on negative curvature
 * (Steihaug), and an Armijo backtracking line search on f accepts only steps that keep every
 * pre-activation on its side of 0 (up to a band of 2^(-prec/2) times the layer's largest
 * pre-activation: units switched off by the pattern are driven to exactly 0, the boundary of
 * the region, where rounding may leave them either side). The iterates are midpoints, hence
 * dyadic rationals of at most prec bits: the result is an exact point. Nothing here needs to
 * be rigorous: the result is certified afterwards by its own ball evaluation. */

/* Entry k of m in column-major order. */
#define ENTRY(m, k) arb_mat_entry(m, (k) % arb_mat_nrows(m), (k) / arb_mat_nrows(m))

typedef struct {
    slong prec, n;
    dnc_problem_struct *p;
    signed char **frozen;    /* L + 1 patterns; entries 2..L of ReLU layers */
    arb_mat_struct *pre;     /* L + 1 matrices; entries 2..L used */
    slong *w;                /* multiplicity of each parameter (H1 columns), for the true gradient */
    dnc_beval_t ev;
    slong evals;
} polisher;

static void vec_mid(arb_ptr v, slong n)
{
    slong k;
    for (k = 0; k < n; k++)
        mag_zero(arb_radref(v + k));
}

static void vec_norm(arb_t r, arb_srcptr v, slong n, slong prec)
{
    arb_dot(r, NULL, 0, v, 1, v, 1, n, prec);
    arb_sqrtpos(r, r, prec);
    mag_zero(arb_radref(r));
}

/* 1 when every pre-activation of x (in P->pre) is on the side of 0 that the frozen pattern
 * says, or within the rounding band of 0. */
static int pattern_kept(const polisher *P)
{
    slong l, k;
    int ok = 1;
    arf_t tol;
    arf_init(tol);
    for (l = 2; l <= P->p->L && ok; l++) {
        const arb_mat_struct *m = P->pre + l;
        slong cnt = arb_mat_nrows(m) * arb_mat_ncols(m);
        if (P->p->act[l - 2] != DNC_ACT_RELU)
            continue;
        arf_zero(tol);
        for (k = 0; k < cnt; k++)
            if (arf_cmpabs(arb_midref(ENTRY(m, k)), tol) > 0)
                arf_abs(tol, arb_midref(ENTRY(m, k)));
        arf_mul_2exp_si(tol, tol, -P->prec / 2);
        for (k = 0; k < cnt && ok; k++) {
            arb_srcptr v = ENTRY(m, k);
            int side = P->frozen[l][k] > 0 ? 1 : -1;
            if ((side > 0 ? arb_is_negative(v) : arb_is_positive(v)) && arf_cmpabs(arb_midref(v), tol) > 0)
                ok = 0;
        }
    }
    arf_clear(tol);
    return ok;
}

/* f and the gradient d f / d theta (H1 columns times their multiplicity) of the frozen
 * objective at x, as midpoints; returns pattern_kept. */
static int frozen_eval(polisher *P, arb_t f, arb_ptr g, const dnc_bpoint_t x)
{
    arb_ptr *ge = flint_malloc(P->n * sizeof(arb_ptr));
    slong k;
    dnc_ball_eval_frozen(P->ev, x, P->frozen, P->pre, 1, P->prec);
    P->evals++;
    arb_get_mid_arb(f, P->ev->loss);
    flatten(ge, NULL, P->ev->grad);
    for (k = 0; k < P->n; k++) {
        arb_mul_si(g + k, ge[k], P->w[k], P->prec);
        mag_zero(arb_radref(g + k));
    }
    flint_free(ge);
    return pattern_kept(P);
}

/* y <- mid(x + 2^e v), entrywise through the flattened pointers. */
static void move(arb_ptr *py, arb_ptr *px, arb_srcptr v, slong e, const polisher *P)
{
    slong k;
    for (k = 0; k < P->n; k++) {
        arb_mul_2exp_si(py[k], v + k, e);
        arb_add(py[k], py[k], px[k], P->prec);
        mag_zero(arb_radref(py[k]));
    }
}

/* Hv <- (g(x + h v) - g0) / h, h = 2^e with h |v| ~ 2^(-prec/2); y is scratch. */
static void hess_vec(polisher *P, arb_ptr Hv, arb_srcptr v, arb_srcptr g0, arb_ptr *px, dnc_bpoint_t y, arb_ptr *py)
{
    arb_t t;
    slong e;
    arb_init(t);
    vec_norm(t, v, P->n, P->prec);
    e = -P->prec / 2 - arf_abs_bound_lt_2exp_si(arb_midref(t));
    move(py, px, v, e, P);
    frozen_eval(P, t, Hv, y);
    _arb_vec_sub(Hv, Hv, g0, P->n, P->prec);
    _arb_vec_scalar_mul_2exp_si(Hv, Hv, P->n, -e);
    vec_mid(Hv, P->n);
    arb_clear(t);
}

/* d <- approximate solution of H d = -g by CG, stopped at relative residual eta, at
 * negative curvature (d = -g if that happens at once) or after maxit products. */
static void newton_cg(polisher *P, arb_ptr d, arb_srcptr g, const arb_t gn, arb_ptr *px, dnc_bpoint_t y,
                      arb_ptr *py, slong maxit)
{
    slong n = P->n, prec = P->prec, it;
    arb_ptr r = _arb_vec_init(n), q = _arb_vec_init(n), Hq = _arb_vec_init(n);
    arb_t rr, rr1, qHq, a, tol;
    arb_init(rr); arb_init(rr1); arb_init(qHq); arb_init(a); arb_init(tol);
    /* forcing term eta = min(1/2, sqrt|g|), but no finer than the products' accuracy */
    arb_sqrt(tol, gn, prec);
    if (arf_cmp_2exp_si(arb_midref(tol), -1) > 0)
        arb_set_d(tol, 0.5);
    if (arf_cmp_2exp_si(arb_midref(tol), -prec / 3) < 0) {
        arb_one(tol);
        arb_mul_2exp_si(tol, tol, -prec / 3);
    }
    arb_mul(tol, tol, gn, prec);
    _arb_vec_zero(d, n);
    _arb_vec_neg(r, g, n);
    _arb_vec_set(q, r, n);
    arb_dot(rr, NULL, 0, r, 1, r, 1, n, prec);
    for (it = 0; it < maxit; it++) {
        hess_vec(P, Hq, q, g, px, y, py);
        arb_dot(qHq, NULL, 0, q, 1, Hq, 1, n, prec);
        if (!(arf_sgn(arb_midref(qHq)) > 0) || !arb_is_finite(qHq)) {
            if (it == 0)
                _arb_vec_neg(d, g, n);
            break;
        }
        arb_div(a, rr, qHq, prec);
        _arb_vec_scalar_addmul(d, q, n, a, prec);
        arb_neg(a, a);
        _arb_vec_scalar_addmul(r, Hq, n, a, prec);
        vec_mid(d, n);
        vec_mid(r, n);
        arb_dot(rr1, NULL, 0, r, 1, r, 1, n, prec);
        arb_get_mid_arb(rr1, rr1);
        arb_sqrtpos(a, rr1, prec);
        if (arf_cmp(arb_midref(a), arb_midref(tol)) <= 0)
            break;
        arb_div(a, rr1, rr, prec);   /* q <- r + (rr1 / rr) q */
        _arb_vec_scalar_mul(q, q, n, a, prec);
        _arb_vec_add(q, q, r, n, prec);
        vec_mid(q, n);
        arb_swap(rr, rr1);
    }
    arb_clear(rr); arb_clear(rr1); arb_clear(qHq); arb_clear(a); arb_clear(tol);
    _arb_vec_clear(r, n);
    _arb_vec_clear(q, n);
    _arb_vec_clear(Hq, n);
}

/* log2 bound of |x| (x's midpoint; -WORD_MAX/2 for 0). */
static slong lg2(const arb_t x)
{
    return arf_is_zero(arb_midref(x)) ? -WORD_MAX / 2 : arf_abs_bound_lt_2exp_si(arb_midref(x));
}

void dnc_qpoint_polish(dnc_qpoint_t out, const dnc_qpoint_t xin, slong prec, slong max_steps, dnc_polish_info *info)
{
    polisher P;
    dnc_bpoint_t x, y;
    arb_ptr *px, *py, g, gy, d;
    arb_t f, fy, gn, gny, slope, dec, thr;
    slong l, n, k, maxcg;
    memset(&P, 0, sizeof(P));
    memset(info, 0, sizeof(*info));
    P.p = xin->p;
    P.prec = prec;
    dnc_qpoint_box(x, xin, prec);
    dnc_qpoint_box(y, xin, prec);
    P.n = n = flatten(NULL, NULL, x);
    px = flint_malloc(n * sizeof(arb_ptr));
    py = flint_malloc(n * sizeof(arb_ptr));
    P.w = flint_malloc(n * sizeof(slong));
    flatten(px, P.w, x);
    flatten(py, NULL, y);
    for (k = 0; k < n; k++)      /* start from the midpoints: exact dyadics */
        mag_zero(arb_radref(px[k]));
    g = _arb_vec_init(n);
    gy = _arb_vec_init(n);
    d = _arb_vec_init(n);
    arb_init(f); arb_init(fy); arb_init(gn); arb_init(gny); arb_init(slope); arb_init(dec); arb_init(thr);
    /* the pattern of the start: active where the pre-activation is certified > 0 */
    P.frozen = flint_calloc(P.p->L + 1, sizeof(signed char *));
    P.pre = flint_malloc((P.p->L + 1) * sizeof(arb_mat_struct));
    for (l = 0; l <= P.p->L; l++)
        arb_mat_init(P.pre + l, l >= 2 ? P.p->width[l - 1] : 0, l >= 2 ? x->ncols : 0);
    dnc_beval_init(P.ev);
    dnc_ball_eval_frozen(P.ev, x, NULL, P.pre, 0, prec);
    for (l = 2; l <= P.p->L; l++) {
        const arb_mat_struct *m = P.pre + l;
        P.frozen[l] = flint_malloc(arb_mat_nrows(m) * arb_mat_ncols(m) + 1);
        for (k = 0; k < arb_mat_nrows(m) * arb_mat_ncols(m); k++)
            P.frozen[l][k] = arb_is_positive(ENTRY(m, k));
    }
    maxcg = FLINT_MIN(n, 400);
    frozen_eval(&P, f, g, x);
    vec_norm(gn, g, n, prec);
    snprintf(info->stop, sizeof(info->stop), "step limit (%ld Newton steps)", (long) max_steps);
    while (info->steps < max_steps) {
        slong e;
        int accepted = 0, pattern_hit = 0;
        if (arb_is_zero(gn) || lg2(gn) < -(3 * prec) / 4) {
            snprintf(info->stop, sizeof(info->stop), "converged (|gradient| < 2^-%ld)", (long) (3 * prec) / 4);
            break;
        }
        newton_cg(&P, d, g, gn, px, y, py, maxcg);
        arb_dot(slope, NULL, 0, g, 1, d, 1, n, prec);
        /* Armijo backtracking, t = 2^-e; in the noise regime (predicted decrease below the
         * rounding of f) a smaller gradient is accepted instead. The first step that passes
         * must keep the activation pattern, else polishing stops there. */
        for (e = 0; e <= 40 && !accepted && !pattern_hit; e++) {
            int kept;
            move(py, px, d, -e, &P);
            kept = frozen_eval(&P, fy, gy, y);
            arb_sub(dec, f, fy, prec);
            arb_mul_2exp_si(thr, slope, -e - 13);   /* 2^-13 ~ 1e-4: the Armijo constant */
            arb_neg(thr, thr);
            vec_norm(gny, gy, n, prec);
            accepted = arf_cmp(arb_midref(dec), arb_midref(thr)) >= 0
                       || (lg2(thr) < -prec + 40 + FLINT_MAX(0, lg2(f)) && arf_cmp(arb_midref(gny), arb_midref(gn)) < 0);
            pattern_hit = accepted && !kept;
            accepted = accepted && kept;
        }
        if (!accepted) {
            info->pattern_hit = pattern_hit;
            if (pattern_hit)
                snprintf(info->stop, sizeof(info->stop), "the next Newton step (t = 2^-%ld) would change the activation "
                         "pattern", (long) e - 1);
            else
                snprintf(info->stop, sizeof(info->stop), "no decrease along the Newton direction");
            break;
        }
        info->steps++;
        for (k = 0; k < n; k++)
            arb_swap(px[k], py[k]);
        arb_swap(f, fy);
        _arb_vec_swap(g, gy, n);
        if (lg2(gny) < -prec / 2 && arf_cmpabs_2exp_si(arb_midref(gny), lg2(gn) - 1) >= 0) {
            arb_swap(gn, gny);
            snprintf(info->stop, sizeof(info->stop), "converged (|gradient| stopped decreasing at the working precision)");
            break;
        }
        arb_swap(gn, gny);
    }
    info->evals = P.evals;
    qpoint_alloc(out, xin->p, xin->collapsed);
    for (l = 0; l < nblocks(P.p); l++) {   /* the last iterate's dyadic midpoints, or xin itself */
        arb_mat_struct *m = dnc_bpoint_block(x, l);
        for (k = 0; k < arb_mat_nrows(m) * arb_mat_ncols(m); k++) {
            fmpq *q = fmpq_mat_entry(out->blk + l, k % arb_mat_nrows(m), k / arb_mat_nrows(m));
            if (info->steps == 0)
                fmpq_set(q, fmpq_mat_entry(xin->blk + l, k % arb_mat_nrows(m), k / arb_mat_nrows(m)));
            else
                arf_get_fmpq(q, arb_midref(ENTRY(m, k)));
        }
    }
    for (l = 0; l <= P.p->L; l++) {
        arb_mat_clear(P.pre + l);
        flint_free(P.frozen[l]);
    }
    flint_free(P.pre);
    flint_free(P.frozen);
    dnc_beval_clear(P.ev);
    arb_clear(f); arb_clear(fy); arb_clear(gn); arb_clear(gny); arb_clear(slope); arb_clear(dec); arb_clear(thr);
    _arb_vec_clear(g, n);
    _arb_vec_clear(gy, n);
    _arb_vec_clear(d, n);
    flint_free(px);
    flint_free(py);
    flint_free(P.w);
    dnc_bpoint_clear(x);
    dnc_bpoint_clear(y);
}

/* ---- certificate ---- */

char *dnc_qpoint_entry_str(const fmpq_t q)
{
    return dnc_exact_str(q);
}

json_t *dnc_qpoint_json(const dnc_qpoint_t x, const char *note)
{
    json_t *blocks = json_object(), *o;
    slong b, i, j;
    char name[24];
    for (b = 0; b < nblocks(x->p) - (x->p->bias != DNC_BIAS_FREE); b++) {
        const fmpq_mat_struct *m = x->blk + b;
        json_t *dense = json_array();
        for (j = 0; j < fmpq_mat_ncols(m); j++)
            for (i = 0; i < fmpq_mat_nrows(m); i++) {
                char *s = dnc_qpoint_entry_str(fmpq_mat_entry(m, i, j));
                json_array_append_new(dense, json_string(s));
                flint_free(s);
            }
        json_object_set_new(blocks, dnc_param_block_name(name, x->p->L, b),
                            json_pack("{s:I, s:I, s:o}", "rows", (json_int_t) fmpq_mat_nrows(m), "cols",
                                      (json_int_t) fmpq_mat_ncols(m), "dense", dense));
    }
    o = json_pack("{s:s, s:{}, s:o}", "layout", x->collapsed ? "collapsed" : "expanded", "scalars", "blocks", blocks);
    if (note != NULL)
        json_object_set_new(o, "note", json_string(note));
    return o;
}

static void add_claim(json_t *claims, json_t *claim, const char *id, const char *kind, int certified,
                      const char *statement)
{
    _dnc_cert_claim_fields(claim, id, kind, certified, statement);
    json_array_append_new(claims, claim);
}

static char *short_dec(const arb_t x)
{
    return dnc_arb_proven_decimal(x, 24);
}

/* The alive, root and value claims of the dnc structure, which the checker derives from the
 * problem (format §8); sets v to the value and returns 1 when the value claim is certified,
 * -1 (message in why) when the DNC structure does not exist in the problem. */
static int dnc_claims(json_t *claims, arb_t v, dnc_problem_struct *p, slong prec, char *why, size_t whylen)
{
    slong digits = dnc_cert_claim_digits(prec);
    dnc_alg_t c;
    fmpq_t Q;
    dnc_alive_t decision;
    char msg[512], stmt[512], *s;
    int ok, found;
    dnc_alg_init(c);
    /* the scale and the value only: the point would be d_l x d_l balls per layer */
    if ((found = dnc_closed_dnc_scale(c, v, p, prec, msg, sizeof(msg))) < 0) {
        snprintf(why, whylen, "the DNC construction does not apply to this problem (%s)", msg);
        dnc_alg_clear(c);
        return -1;
    }
    fmpq_init(Q);
    dnc_closed_dnc_q(Q, p);
    decision = dnc_closed_lowrank_decide(Q, p->L);
    s = dnc_rational_get_str(Q);
    snprintf(stmt, sizeof(stmt), "exact comparison of (L-1)^(L-1)/L^(2L) with Q = K^(L+1) n lambda_H prod lambda_W = %.300s: %s",
             s, dnc_alive_name(decision));
    flint_free(s);
    add_claim(claims, json_pack("{s:{s:s}, s:s, s:s}", "structure", "name", "dnc", "block", "dnc", "decision",
                                dnc_alive_name(decision)), "alive_dnc", "alive", 1, stmt);
    if (found) {
        arb_t cv;
        arb_init(cv);
        dnc_alg_enclose(cv, c, prec);
        ok = dnc_alg_check(c) && _dnc_cert_is_rule_poly(c, Q, p->L);
        s = short_dec(cv);
        arb_clear(cv);
        snprintf(stmt, sizeof(stmt), "the DNC scale c = %s is the only root of the DNC polynomial in the interval", s);
        flint_free(s);
        add_claim(claims, json_pack("{s:{s:s}, s:s, s:o, s:{s:o, s:o}}", "structure", "name", "dnc", "block", "dnc",
                                    "polynomial", dnc_json_fmpz_poly(c->poly), "interval", "lo", dnc_json_fmpq(c->lo), "hi",
                                    dnc_json_fmpq(c->hi)), "root_dnc_c", "root", ok, stmt);
    }
    ok = arb_is_finite(v);
    s = short_dec(v);
    snprintf(stmt, sizeof(stmt), "the DNC value of this problem (the least loss of a DNC point, or 1/2) is %s", s);
    flint_free(s);
    add_claim(claims, json_pack("{s:{s:s}, s:o}", "structure", "name", "dnc", "value", dnc_json_enclosure(v, digits)),
              "value_dnc", "value", ok, stmt);
    fmpq_clear(Q);
    dnc_alg_clear(c);
    return ok;
}

/* What a stage's point is, for its note in the certificate. */
static const char *stage_what(const char *name)
{
    if (strcmp(name, "exact") == 0)
        return " (the exact point of the run directory's point-exact.json, not its rounding to double)";
    if (strcmp(name, "refined") == 0)
        return " (polishing stopped at ReLU kinks; refined on its kink pattern in double and then at the working "
               "precision, docs/refine.md; not a certified critical point)";
    if (strcmp(name, "trained") == 0)
        return " (the double arrays of the run directory)";
    return "";
}

/* The CE structure a point is compared with: the orthogonal frames (dnc) when some hidden
 * activation is ReLU (docs/math/cross-entropy.md §7), else the ETF family (deep-linear, §2). */
static const char *ce_structure(const dnc_problem_struct *p)
{
    slong l;
    for (l = 0; l + 1 < p->L; l++)
        if (p->act[l] == DNC_ACT_RELU)
            return "dnc";
    return "deep-linear";
}

/* Cross-entropy: the value claim of the DNC-structured family of the problem (deep linear
 * and plain UFM: ETF logits; with a ReLU layer: orthogonal frames; balanced, widths >= K:
 * format §8.3, docs/math/cross-entropy.md), which the checker derives from the problem
 * alone, and the root claim of its stationary scale where it has one. Sets v to the value
 * and returns 1 when the value claim is certified, -1 (message in why) when no such value is
 * derived; the certificate then states the loss, an upper bound on the global minimum, and
 * nothing else. */
static int ce_claims(json_t *claims, arb_t v, dnc_problem_struct *p, slong prec, char *why, size_t whylen)
{
    const char *st = ce_structure(p);
    int frame = strcmp(st, "dnc") == 0;
    const dnc_closed_scalar *sc;
    dnc_closed_t c;
    fmpq_t lo, hi;
    char msg[512], stmt[512], *s;
    int ok = -1;
    if ((frame ? dnc_closed_dnc_ce : dnc_closed_deep_linear_ce)(c, p, prec, msg, sizeof(msg)) != 0) {
        snprintf(why, whylen, "cross-entropy: no DNC-structured value is derived for this problem (%s); the "
                 "certificate states the loss, an upper bound on the global minimum, and nothing else", msg);
        dnc_closed_clear(c);
        return -1;
    }
    if ((sc = dnc_closed_get_scalar(c, "sigma_2")) != NULL || (sc = dnc_closed_get_scalar(c, "sigma")) != NULL) {
        fmpq_init(lo);
        fmpq_init(hi);
        ok = dnc_closed_ce_root_interval(lo, hi, sc->value, p, st, prec);
        s = short_dec(sc->value);
        snprintf(stmt, sizeof(stmt), "the stationary scale sigma = %s of the DNC-structured family under CE is the "
                 "only zero of H(sigma) = log P%s - (M-1) log sigma + (M+1) log(e^sigma + K - 1) in the interval, the "
                 "larger one", s, frame ? "_F" : "");
        flint_free(s);
        add_claim(claims, json_pack("{s:{s:s}, s:s, s:{s:o, s:o}}", "structure", "name", st, "block", "sigma",
                                    "interval", "lo", dnc_json_fmpq(lo), "hi", dnc_json_fmpq(hi)),
                  "root_sigma", "root", ok, stmt);
        fmpq_clear(lo);
        fmpq_clear(hi);
    }
    arb_set(v, c->loss);
    ok = arb_is_finite(v);
    s = short_dec(v);
    snprintf(stmt, sizeof(stmt), "the DNC-structured value of this problem under CE (the least loss of a point with %s "
             "and collapsed, balanced factors, or log K) is %s", frame ? "orthogonal-frame hidden layers" : "ETF logits",
             s);
    flint_free(s);
    add_claim(claims, json_pack("{s:{s:s}, s:o}", "structure", "name", st, "value",
                                dnc_json_enclosure(v, dnc_cert_claim_digits(prec))), "value_dnc", "value", ok, stmt);
    dnc_closed_clear(c);
    return ok;
}

/* The gradient_norm claim of point name (format §6.12): certified when its interval is
 * finite; a norm is >= 0, so an enclosure reaching below 0 is written from 0. */
static void gradient_claim(json_t *claims, const char *name, const dnc_point_report *r, slong digits)
{
    char id[64], stmt[512], *s = short_dec(r->gnorm);
    json_t *iv = dnc_json_enclosure(r->gnorm, digits);
    int lo_pos = arb_is_positive(r->gnorm);
    if (!lo_pos && !arb_is_nonnegative(r->gnorm))
        json_object_set_new(iv, "lo", json_string("0"));
    snprintf(id, sizeof(id), "gradient_norm_%s", name);
    snprintf(stmt, sizeof(stmt), "every element of the (chain-rule generalised) gradient of f at the exact point %s "
             "has Euclidean norm in [lo, hi] (|grad f| = %s)%s", name, s,
             lo_pos ? "; lo > 0: the point is not a critical point" : "");
    flint_free(s);
    add_claim(claims, json_pack("{s:s, s:s, s:o}", "point", name, "method", r->fast ? "fast-double" : "arb", "norm", iv),
              id, "gradient_norm", arb_is_finite(r->gnorm), stmt);
}

json_t *dnc_point_certificate(json_t *const *pts, const char *const *names, const dnc_point_report *r, slong n,
                              dnc_problem_struct *p, slong prec, json_t *producer, arb_t dnc_val, int *verdict,
                              char *why, size_t whylen)
{
    slong digits = dnc_cert_claim_digits(prec), i, d;
    json_t *points = json_object(), *claims = json_array();
    char id[64], lid[64], stmt[512], note[512], *s;
    int loss_ok = 0, value_ok;
    for (i = 0; i < n; i++) {
        snprintf(note, sizeof(note), "the %s point%s; gradient enclosure at this point (informative): max |entry| <= %.3e, "
                 "max radius %.3e, %ld ReLU kinks", names[i], stage_what(names[i]), r[i].grad_abs, r[i].grad_rad, (long) r[i].nkinks);
        json_object_set_new(pts[i], "note", json_string(note));
        json_object_set_new(points, names[i], pts[i]);
        snprintf(id, sizeof(id), "loss_%s", names[i]);
        s = short_dec(r[i].loss);
        snprintf(stmt, sizeof(stmt), "the exact point %s has loss in [lo, hi] (f = %s); so the global minimum "
                 "of the problem is at most hi", names[i], s);
        flint_free(s);
        loss_ok = arb_is_finite(r[i].loss);
        d = r[i].fast ? 17 : digits;   /* a fast claim is already widened (point_fast.c) */
        add_claim(claims, json_pack("{s:s, s:o, s:o, s:o, s:s}", "point", names[i], "loss", dnc_json_enclosure(r[i].loss, d),
                                    "fit", dnc_json_enclosure(r[i].fit, d), "reg", dnc_json_enclosure(r[i].reg, d),
                                    "method", r[i].fast ? "fast-double" : "arb"),
                  id, "loss", loss_ok, stmt);
        if (r[i].gnorm_claim)
            gradient_claim(claims, names[i], r + i, d);
    }
    snprintf(lid, sizeof(lid), "%s", id);   /* the last point's loss claim */
    value_ok = p->loss == DNC_LOSS_CE ? ce_claims(claims, dnc_val, p, prec, why, whylen)
                                      : dnc_claims(claims, dnc_val, p, prec, why, whylen);
    if (value_ok < 0)
        *verdict = -1;
    else {
        *verdict = loss_ok && value_ok && arb_lt(r[n - 1].loss, dnc_val);
        snprintf(stmt, sizeof(stmt), "the loss of the explicit point %s is strictly below the DNC value, so no DNC "
                 "point is a global minimiser of this problem", names[n - 1]);
        add_claim(claims, json_pack("{s:{s:s}, s:{s:s}}", "lower", "loss", lid, "higher", "value", "value_dnc"),
                  "dnc_not_optimal", "dnc_not_optimal", *verdict, stmt);
        if (!*verdict)
            snprintf(why, whylen, "%s", !value_ok || !loss_ok ? "a loss or value claim is not certified"
                                       : arb_gt(r[n - 1].loss, dnc_val) ? "this point's loss is above the DNC value"
                                       : "the enclosures of this point's loss and of the DNC value overlap");
    }
    return json_pack("{s:s, s:i, s:o, s:I, s:o, s:o, s:o}", "format", DNC_CERT_FORMAT, "version", DNC_CERT_VERSION,
                     "producer", producer, "precision", (json_int_t) prec, "problem", dnc_problem_to_json(p),
                     "points", points, "claims", claims);
}

/* ---- --below STRUCTURE: the point's loss against another structure's value ---- */

int dnc_point_cert_add_below(json_t *cert, arb_t value, int *verdict, dnc_problem_t p, const char *structure,
                             slong param, slong prec, char *err, size_t errlen)
{
    json_t *claims = json_object_get(cert, "claims"), *last = NULL, *st, *c;
    const dnc_structure *d = dnc_structure_find(structure);
    dnc_closed_t x;
    char id[64], stmt[512], msg[512], *s;
    arb_t lo;
    size_t i;
    int ok;
    fmpq_t hi;
    if (d == NULL || d->design == NULL)
        return dnc_fail(err, errlen, "--below: expected srg:R or sts:V (a low-rank design), got '%s'", structure);
    json_array_foreach(claims, i, c)
        if (strcmp(json_string_value(json_object_get(c, "kind")), "loss") == 0)
            last = c;
    if (last == NULL)
        return dnc_fail(err, errlen, "--below: the certificate has no loss claim");
    if (dnc_closed_build(x, structure, p, param, 0, prec, msg, sizeof(msg)) != 0) {
        dnc_closed_clear(x);
        return dnc_fail(err, errlen, "--below %s:%ld: %s", structure, (long) param, msg);
    }
    arb_set(value, x->loss);
    dnc_closed_clear(x);
    st = json_pack("{s:s, s:I}", "name", structure, d->param, (json_int_t) param);
    snprintf(id, sizeof(id), "value_%s", structure);
    s = short_dec(value);
    snprintf(stmt, sizeof(stmt), "the %s value of this problem (%s = %ld: the least loss of the structure, derived by the "
             "checker from the problem) is %s", structure, d->param, (long) param, s);
    flint_free(s);
    add_claim(claims, json_pack("{s:o, s:o}", "structure", st, "value", dnc_json_enclosure(value, dnc_cert_claim_digits(prec))),
              id, "value", arb_is_finite(value), stmt);
    arb_init(lo);
    fmpq_init(hi);   /* the upper end of the stated loss interval */
    ok = dnc_parse_rational(hi, json_string_value(json_object_get(json_object_get(last, "loss"), "hi"))) == 0;
    arb_set_fmpq(lo, hi, prec);
    ok = ok && strcmp(json_string_value(json_object_get(last, "verdict")), "certified") == 0 && arb_is_finite(value)
         && arb_lt(lo, value);
    fmpq_clear(hi);
    *verdict = ok;
    snprintf(stmt, sizeof(stmt), "the loss of point %s is strictly below the %s value (%s = %ld)",
             json_string_value(json_object_get(last, "point")), structure, d->param, (long) param);
    add_claim(claims, json_pack("{s:{s:s}, s:{s:s}}", "lower", "loss", json_string_value(json_object_get(last, "id")),
                                "higher", "value", id), "order_below", "order", ok, stmt);
    arb_clear(lo);
    return 0;
}
