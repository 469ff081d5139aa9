/* The block engine of the low-rank competitors (see lowrank.h and docs/math/srg.md):
 * one scalar problem per block, decided exactly, solved as an algebraic number, and
 * turned into an explicit collapsed point. */
#include <stdio.h>
#include <string.h>
#include <flint/fmpq_poly.h>
#include "lowrank.h"

/* ---- blocks ---- */

static void block_init(dnc_lr_block *b, const char *name, slong nclass, slong dim)
{
    memset(b, 0, sizeof(*b));
    snprintf(b->name, sizeof(b->name), "%s", name);
    b->nclass = nclass;
    b->dim = dim;
    fmpz_mat_init(b->B, dim, nclass);
    fmpq_mat_init(b->W, nclass, dim);
    fmpq_init(b->h);
    fmpq_init(b->Q);
    dnc_alg_init(b->c);
}

void dnc_lr_block_init_identity(dnc_lr_block *b, slong nclass)
{
    block_init(b, "dnc", nclass, nclass);
    snprintf(b->formula, sizeof(b->formula), "P K^(L+1)");
    fmpz_mat_one(b->B);
    fmpq_mat_one(b->W);
    fmpq_one(b->h);
}

int dnc_lr_block_init_design(dnc_lr_block *b, const char *name, const fmpz_mat_t B)
{
    fmpq_mat_t M, R;
    int ok;
    block_init(b, name, fmpz_mat_ncols(B), fmpz_mat_nrows(B));
    fmpz_mat_set(b->B, B);
    fmpq_mat_init(M, b->nclass, b->nclass);
    fmpq_mat_init(R, b->nclass, b->nclass);
    /* The construction rests on ReLU(W B) = h I: check it exactly instead of trusting it. */
    ok = dnc_comb_wpat(b->W, B) && dnc_comb_mtilde(M, b->W, B);
    if (ok) {
        dnc_comb_relu(R, M);
        ok = dnc_comb_is_scaled_identity(b->h, R);
    }
    fmpq_mat_clear(M);
    fmpq_mat_clear(R);
    return ok;
}

void dnc_lr_block_clear(dnc_lr_block *b)
{
    fmpz_mat_clear(b->B);
    fmpq_mat_clear(b->W);
    fmpq_clear(b->h);
    fmpq_clear(b->Q);
    dnc_alg_clear(b->c);
}

/* g_l with ||param_l||^2 = g_l s_l^2 (l = 0: H1 with its n samples per class, so
 * g_0 = n ||B||^2; l = 1..L-2: identity chain; l = L-1: the pattern W; l = L: output). */
static void norm_coeff(fmpq_t g, const dnc_lr_block *b, const dnc_problem_t p, slong l)
{
    slong i, j;
    fmpq_zero(g);
    if (l == p->L)
        fmpq_set_si(g, b->nclass, 1);
    else if (l == p->L - 1)
        for (i = 0; i < fmpq_mat_nrows(b->W); i++)
            for (j = 0; j < fmpq_mat_ncols(b->W); j++)
                fmpq_addmul(g, fmpq_mat_entry(b->W, i, j), fmpq_mat_entry(b->W, i, j));
    else if (l >= 1)
        fmpq_set_si(g, b->dim, 1);
    else {
        for (i = 0; i < fmpz_mat_nrows(b->B); i++)
            for (j = 0; j < fmpz_mat_ncols(b->B); j++)
                fmpz_addmul(fmpq_numref(g), fmpz_mat_entry(b->B, i, j), fmpz_mat_entry(b->B, i, j));
        fmpq_mul_si(g, g, p->n[0]);
    }
}

/* lambda_l * g_l: the coefficient of s_l^2 in twice the regulariser. */
static void reg_coeff(fmpq_t a, const dnc_lr_block *b, const dnc_problem_t p, slong l)
{
    norm_coeff(a, b, p, l);
    fmpq_mul(a, a, l == 0 ? p->lambda_h : p->lambda_w + l - 1);
}

void dnc_lr_block_q(fmpq_t Q, const dnc_lr_block *b, const dnc_problem_t p)
{
    fmpq_t a, w;
    slong l;
    fmpq_init(a);
    fmpq_init(w);
    /* prod_l a_l s_l^2 = G' (c/h)^2 by AM-GM balancing; Q = G (K/K_b)^{L+1}, G = G'/h^2. */
    fmpq_one(Q);
    for (l = 0; l <= p->L; l++) {
        reg_coeff(a, b, p, l);
        fmpq_mul(Q, Q, a);
    }
    fmpq_div(Q, Q, b->h);
    fmpq_div(Q, Q, b->h);
    fmpq_set_si(w, p->K, (ulong) b->nclass);
    fmpq_pow_si(w, w, p->L + 1);
    fmpq_mul(Q, Q, w);
    fmpq_clear(a);
    fmpq_clear(w);
}

/* ---- the scalar problem f_Q(c) = (1/2)(1-c)^2 + (L+1)/2 Q^{1/(L+1)} c^{2/(L+1)} ---- */

/* T_L = (1/L)^{L+1} ((L-1)/L)^{L-1} = (L-1)^{L-1} / L^{2L}: the value of
 * (1-c)^{L+1} c^{L-1} at c = (L-1)/L, where f_Q(c) = 1/2. */
void dnc_closed_lowrank_threshold(fmpq_t T, slong L)
{
    fmpz_t num, den;
    fmpz_init(num);
    fmpz_init(den);
    fmpz_set_si(num, L - 1);
    fmpz_pow_ui(num, num, (ulong) (L - 1));
    fmpz_set_si(den, L);
    fmpz_pow_ui(den, den, (ulong) (2 * L));
    fmpq_set_fmpz_frac(T, num, den);
    fmpz_clear(num);
    fmpz_clear(den);
}

dnc_alive_t dnc_closed_lowrank_decide(const fmpq_t Q, slong L)
{
    fmpq_t T;
    int s;
    fmpq_init(T);
    dnc_closed_lowrank_threshold(T, L);
    s = fmpq_cmp(T, Q);
    fmpq_clear(T);
    return s > 0 ? DNC_ALIVE : (s == 0 ? DNC_TIE : DNC_DEAD);
}

void dnc_closed_lowrank_poly(fmpz_poly_t f, const fmpq_t Q, slong L)
{
    fmpq_poly_t q, t;
    fmpq_poly_init(q);
    fmpq_poly_init(t);
    fmpq_poly_set_coeff_si(q, 0, 1);
    fmpq_poly_set_coeff_si(q, 1, -1);
    fmpq_poly_pow(q, q, (ulong) (L + 1));
    fmpq_poly_shift_left(q, q, L - 1);        /* (1-c)^{L+1} c^{L-1} */
    fmpq_poly_set_fmpq(t, Q);
    fmpq_poly_sub(q, q, t);
    dnc_poly_clear_denominators(f, q);
    fmpq_poly_clear(q);
    fmpq_poly_clear(t);
}

int dnc_closed_lowrank_solve(dnc_alg_t c, const fmpq_t Q, slong L)
{
    dnc_alive_t a = dnc_closed_lowrank_decide(Q, L);
    fmpz_poly_t f;
    fmpq_t lo, hi;
    int ok;
    if (L < 2 || a == DNC_DEAD)
        return 0;
    fmpz_poly_init(f);
    fmpq_init(lo);
    fmpq_init(hi);
    dnc_closed_lowrank_poly(f, Q, L);
    /* (1-c)^{L+1} c^{L-1} decreases on ((L-1)/(2L), 1). Alive: it exceeds Q at (L-1)/L
     * and is 0 < Q at 1, so c* > (L-1)/L. Tie: c* = (L-1)/L, inside the wider interval. */
    fmpq_set_si(lo, L - 1, (ulong) (a == DNC_ALIVE ? L : 2 * L));
    fmpq_one(hi);
    ok = dnc_alg_isolate(c, f, lo, hi);
    fmpz_poly_clear(f);
    fmpq_clear(lo);
    fmpq_clear(hi);
    return ok;
}

void dnc_closed_lowrank_value(arb_t f, const arb_t c, slong L, slong prec)
{
    arb_t u;
    arb_init(u);
    arb_sub_si(u, c, 1, prec);
    arb_neg(u, u);
    arb_mul_si(f, c, L, prec);
    arb_add_si(f, f, 1, prec);
    arb_mul(f, f, u, prec);
    arb_mul_2exp_si(f, f, -1);
    arb_clear(u);
}

int dnc_closed_lowrank_fstar(arb_t f, const fmpq_t Q, slong L, slong prec)
{
    dnc_alg_t c;
    arb_t x;
    int ok = 1;
    if (L < 2)
        return 0;
    if (dnc_closed_lowrank_decide(Q, L) != DNC_ALIVE) {
        arb_set_d(f, 0.5);                 /* exact: the zero point is (one of) the best */
        return 1;
    }
    dnc_alg_init(c);
    arb_init(x);
    ok = dnc_closed_lowrank_solve(c, Q, L);
    if (ok) {
        dnc_alg_enclose(x, c, prec + 16);
        dnc_closed_lowrank_value(f, x, L, prec);
    }
    arb_clear(x);
    dnc_alg_clear(c);
    return ok;
}

int dnc_closed_lowrank_beats(const fmpq_t Q1, const fmpq_t Q2, slong L)
{
    /* f*(Q) = min(1/2, min_c f_Q(c)); f_Q1 < f_Q2 pointwise on c > 0 when Q1 < Q2. So
     * f*(Q1) < f*(Q2) iff Q1 is alive and (Q2 is not alive, or Q1 < Q2). */
    if (L < 2 || dnc_closed_lowrank_decide(Q1, L) != DNC_ALIVE)
        return 0;
    return dnc_closed_lowrank_decide(Q2, L) != DNC_ALIVE || fmpq_cmp(Q1, Q2) < 0;
}

/* ---- from blocks to the result container ---- */

static void scalar_name(char *buf, size_t len, const char *base, slong l, const char *suffix)
{
    if (l >= 1)
        snprintf(buf, len, "%s%s%s_%ld", base, *suffix ? "_" : "", suffix, (long) l);
    else
        snprintf(buf, len, "%s%s%s", base, *suffix ? "_" : "", suffix);
}

static void add_ball_scalar(dnc_closed_t out, const char *base, slong l, const char *suffix, const arb_t v)
{
    char name[32];
    scalar_name(name, sizeof(name), base, l, suffix);
    arb_set(dnc_closed_add_scalar(out, name)->value, v);
}

/* Human text of Q: exact when short, else a 10-digit approximation marked "~". */
static void q_text(char *buf, size_t len, const fmpq_t Q)
{
    char *s = dnc_rational_get_str(Q);
    if (strlen(s) <= 40)
        snprintf(buf, len, "%s", s);
    else {
        arb_t x;
        char *d;
        arb_init(x);
        arb_set_fmpq(x, Q, 64);
        d = arb_get_str(x, 10, ARB_STR_NO_RADIUS);
        snprintf(buf, len, "~%s", d);
        flint_free(d);
        arb_clear(x);
    }
    flint_free(s);
}

static void append_rule(dnc_closed_t out, const dnc_lr_block *b, slong L)
{
    char q[64], piece[200];
    size_t used = strlen(out->alive_rule);
    q_text(q, sizeof(q), b->Q);
    snprintf(piece, sizeof(piece), "%s%s: (L-1)^(L-1)/L^(2L) vs Q = %s = %s (L=%ld): %s",
             used ? "; " : "", b->name, b->formula, q, (long) L, dnc_alive_name(b->alive));
    snprintf(out->alive_rule + used, sizeof(out->alive_rule) - used, "%s", piece);
}

/* Records the term `scale` x pattern of block b at layer l (0 = H1 .. L) in the block's
 * coordinates of the full matrices; the point is assembled from the terms later. */
static void place(dnc_closed_t out, const dnc_lr_block *b, slong l, const char *scale)
{
    slong L = out->p->L, i, j;
    dnc_closed_term *t = dnc_closed_add_term(out, l, scale);
    fmpq_t q;
    fmpq_init(q);
    if (l == 0) {
        for (i = 0; i < b->dim; i++)
            for (j = 0; j < b->nclass; j++)
                if (!fmpz_is_zero(fmpz_mat_entry(b->B, i, j))) {
                    fmpz_set(fmpq_numref(q), fmpz_mat_entry(b->B, i, j));
                    fmpz_one(fmpq_denref(q));
                    dnc_closed_term_set(t, b->hid_off + i, b->class_off + j, q);
                }
    } else if (l == L - 1) {
        for (i = 0; i < b->nclass; i++)
            for (j = 0; j < b->dim; j++)
                if (!fmpq_is_zero(fmpq_mat_entry(b->W, i, j)))
                    dnc_closed_term_set(t, b->class_off + i, b->hid_off + j, fmpq_mat_entry(b->W, i, j));
    } else if (l == L) {
        for (i = 0; i < b->nclass; i++)
            dnc_closed_term_set_si(t, b->class_off + i, b->class_off + i, 1, 1);
    } else {
        for (i = 0; i < b->dim; i++)
            dnc_closed_term_set_si(t, b->hid_off + i, b->hid_off + i, 1, 1);
    }
    fmpq_clear(q);
}

/* Balanced scales: every one of the L+1 regulariser terms a_l s_l^2 equals
 * tau = (K_b/K) c (1-c) at the optimum (docs/math/srg.md), so s_l = sqrt(tau / a_l). */
static void block_point(dnc_closed_t out, const dnc_lr_block *b, const arb_t c, int named, slong prec)
{
    slong L = out->p->L, l;
    const char *suffix = named ? b->name : "";
    char name[32];
    fmpq_t a;
    arb_t tau, s, t;
    fmpq_init(a);
    arb_init(tau); arb_init(s); arb_init(t);
    arb_sub_si(tau, c, 1, prec);
    arb_mul(tau, tau, c, prec);
    arb_neg(tau, tau);
    arb_mul_si(tau, tau, b->nclass, prec);
    arb_div_si(tau, tau, out->p->K, prec);
    add_ball_scalar(out, "tau", 0, suffix, tau);
    for (l = 0; l <= L; l++) {
        reg_coeff(a, b, out->p, l);
        arb_set_fmpq(t, a, prec);
        arb_div(s, tau, t, prec);
        arb_sqrt(s, s, prec);
        scalar_name(name, sizeof(name), l == 0 ? "t" : "s", l, suffix);
        add_ball_scalar(out, l == 0 ? "t" : "s", l, suffix, s);
        place(out, b, l, name);
    }
    fmpq_clear(a);
    arb_clear(tau); arb_clear(s); arb_clear(t);
}

/* Decides block b, isolates its c*, adds its weighted value to out->loss and its part of
 * the point. Returns 0 if an alive block's root could not be isolated. */
static int solve_block(dnc_closed_t out, dnc_lr_block *b, int named, slong prec)
{
    slong L = out->p->L;
    arb_t c, f;
    dnc_closed_scalar *sc;
    char name[32];
    b->alive = dnc_closed_lowrank_decide(b->Q, L);
    append_rule(out, b, L);
    arb_init(c);
    arb_init(f);
    if (b->alive == DNC_DEAD)
        arb_set_d(f, 0.5);                  /* the block stays at zero */
    else {
        if (!dnc_closed_lowrank_solve(b->c, b->Q, L)) {
            arb_clear(c);
            arb_clear(f);
            return 0;
        }
        dnc_alg_enclose(c, b->c, prec + 16);
        scalar_name(name, sizeof(name), "c", 0, named ? b->name : "");
        sc = dnc_closed_add_scalar(out, name);
        arb_set_round(sc->value, c, prec);
        sc->algebraic = 1;
        dnc_alg_set(sc->alg, b->c);
        dnc_closed_lowrank_value(f, c, L, prec + 16);
        block_point(out, b, c, named, prec + 16);
    }
    /* The fit is normalised by the total N = K n: block b carries weight K_b / K. */
    arb_mul_si(f, f, b->nclass, prec + 16);
    arb_div_si(f, f, out->p->K, prec + 16);
    arb_add(out->loss, out->loss, f, prec + 16);
    arb_clear(c);
    arb_clear(f);
    return 1;
}

int dnc_lr_solve(dnc_closed_t out, dnc_lr_block **b, slong nb, char *err, size_t errlen)
{
    slong i, hid = 0, cls = 0;
    int any_alive = 0, any_tie = 0;
    arb_zero(out->loss);
    out->alive_rule[0] = '\0';
    for (i = 0; i < nb; i++) {
        b[i]->hid_off = hid;
        b[i]->class_off = cls;
        hid += b[i]->dim;
        cls += b[i]->nclass;
        dnc_lr_block_q(b[i]->Q, b[i], out->p);
        if (!solve_block(out, b[i], nb > 1, out->prec)) {
            snprintf(err, errlen, "%s: could not isolate the root c* of (1-c)^(L+1) c^(L-1) = Q "
                     "(this is a bug; please report the problem)", b[i]->name);
            return -1;
        }
        any_alive |= b[i]->alive == DNC_ALIVE;
        any_tie |= b[i]->alive == DNC_TIE;
    }
    arb_set_round(out->loss, out->loss, out->prec);
    dnc_closed_point_from_terms(out);
    /* The point beats the zero point iff some block does; a tie block adds exactly 1/2. */
    out->alive = any_alive ? DNC_ALIVE : (any_tie ? DNC_TIE : DNC_DEAD);
    return 0;
}

/* ---- the checks shared by SRG and STS ---- */

int dnc_lr_check(const dnc_problem_t p, const char *what, const char *dimname, slong dim, slong K1,
                 int embed, char *err, size_t errlen)
{
    slong l, L = p->L, need;
    if (L < 2) {
        snprintf(err, errlen, "--L: %s needs L >= 2 weight layers (a ReLU layer between H1 and "
                 "W_L; got L = %ld)", what, (long) L);
        return -1;
    }
    if (p->bias != DNC_BIAS_NONE) {
        snprintf(err, errlen, "--bias: %s is a bias-free construction (got free)", what);
        return -1;
    }
    if (!dnc_problem_is_balanced(p)) {
        snprintf(err, errlen, "--n: %s needs balanced classes (every n_k equal)", what);
        return -1;
    }
    if (p->act[L - 2] != DNC_ACT_RELU) {
        snprintf(err, errlen, "--activation: %s needs ReLU at layer L-1 = %ld (sigma_%ld is linear)",
                 what, (long) (L - 1), (long) (L - 1));
        return -1;
    }
    if (!embed && p->K != K1) {
        snprintf(err, errlen, "--K: %s has K = %ld classes (got %ld); use --embed to place it in a larger K",
                 what, (long) K1, (long) p->K);
        return -1;
    }
    if (p->K < K1) {
        snprintf(err, errlen, "--K: %s needs K >= %ld classes (got %ld)", what, (long) K1, (long) p->K);
        return -1;
    }
    need = dim + (p->K - K1);
    for (l = 1; l < L; l++)
        if (p->width[l - 1] < need) {
            if (p->K > K1)
                snprintf(err, errlen, "--width: %s embedded in K = %ld needs d_l >= %s + (K - %ld) = %ld "
                         "for l = 1..%ld (got d_%ld = %ld)", what, (long) p->K, dimname, (long) K1,
                         (long) need, (long) (L - 1), (long) l, (long) p->width[l - 1]);
            else
                snprintf(err, errlen, "--width: %s needs d_l >= %ld for l = 1..%ld (got d_%ld = %ld)",
                         what, (long) need, (long) (L - 1), (long) l, (long) p->width[l - 1]);
            return -1;
        }
    if (p->width[L - 1] < p->K) {
        snprintf(err, errlen, "--width: %s needs d_L >= K = %ld (got d_%ld = %ld)", what,
                 (long) p->K, (long) L, (long) p->width[L - 1]);
        return -1;
    }
    return 0;
}

int dnc_lr_run(dnc_closed_t out, dnc_lr_block *design, char *err, size_t errlen)
{
    dnc_lr_block rest, *b[2];
    slong K2 = out->p->K - design->nclass;
    int rc;
    b[0] = design;
    b[1] = &rest;
    if (K2 > 0)
        dnc_lr_block_init_identity(&rest, K2);
    rc = dnc_lr_solve(out, b, K2 > 0 ? 2 : 1, err, errlen);
    if (K2 > 0)
        dnc_lr_block_clear(&rest);
    return rc;
}

int dnc_lr_beats_dnc(const dnc_lr_block *design, const dnc_problem_t p)
{
    fmpq_t Q, QD;
    int ok;
    fmpq_init(Q);
    fmpq_init(QD);
    dnc_lr_block_q(Q, design, p);
    dnc_closed_dnc_q(QD, p);
    /* Embedded or not, the DNC part of the point is DNC itself restricted to its classes,
     * so the point beats DNC iff the design block's f* beats f*(Q_DNC). */
    ok = dnc_closed_lowrank_beats(Q, QD, p->L);
    fmpq_clear(Q);
    fmpq_clear(QD);
    return ok;
}

int dnc_lr_mtilde(fmpq_mat_t M, const dnc_lr_block *design, slong K)
{
    slong Kb = design->nclass, i, j;
    fmpq_mat_t Mb;
    int ok;
    if (fmpq_mat_nrows(M) != K || fmpq_mat_ncols(M) != K || K < Kb)
        return 0;
    fmpq_mat_init(Mb, Kb, Kb);
    ok = dnc_comb_mtilde(Mb, design->W, design->B);
    fmpq_mat_scalar_div_fmpz(Mb, Mb, fmpq_numref(design->h));   /* h is an integer here */
    fmpq_mat_scalar_mul_fmpz(Mb, Mb, fmpq_denref(design->h));
    fmpq_mat_zero(M);
    for (i = 0; i < Kb && ok; i++)
        for (j = 0; j < Kb; j++)
            fmpq_set(fmpq_mat_entry(M, i, j), fmpq_mat_entry(Mb, i, j));
    for (i = Kb; i < K; i++)
        fmpq_one(fmpq_mat_entry(M, i, i));   /* the DNC block: identity pattern */
    fmpq_mat_clear(Mb);
    return ok;
}
