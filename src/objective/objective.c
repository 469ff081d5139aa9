/* The one definition of the DUFM objective and its gradient (see dncert/objective.h and
 * docs/model.md). Backends supply the arithmetic; this file supplies the formula. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/objective.h"

#define BUF(kind, l) DNC_BUF(kind, l, L)
#define C(id) DNC_CONST(id)

static void forward(const dnc_problem_t p, const dnc_objective_ops *ops, void *ctx)
{
    slong L = p->L, l;
    for (l = 1; l < L; l++) {
        ops->mul(ctx, BUF(DNC_PRE, l + 1), BUF(DNC_W, l), 0, BUF(DNC_H, l), 0);
        ops->act(ctx, BUF(DNC_H, l + 1), BUF(DNC_PRE, l + 1), p->act[l - 1]);
    }
    ops->mul(ctx, BUF(DNC_Z, 0), BUF(DNC_W, L), 0, BUF(DNC_H, L), 0);
}

/* fit: (1/N) sum_j w_j ell(z_j, y_j), and G = d(fit)/dZ = [w_j grad ell]_j / N with the
 * gradient; the H1 decay is per sample, so weighted too. */
static void loss_terms(const dnc_problem_t p, const dnc_objective_ops *ops, void *ctx, int want_grad)
{
    slong L = p->L, l;
    ops->fit(ctx, p->loss, BUF(DNC_R, 0), BUF(DNC_Z, 0), p->bias == DNC_BIAS_FREE ? BUF(DNC_B, 0) : DNC_NO_BUF,
             C(DNC_C_INV_N), want_grad);
    ops->add_sqnorm(ctx, DNC_TERM_REG, BUF(DNC_H, 1), 1, C(DNC_C_LAMBDA_H));
    for (l = 1; l <= L; l++)
        ops->add_sqnorm(ctx, DNC_TERM_REG, BUF(DNC_W, l), 0, C(DNC_C_LAMBDA_W(l)));
}

/* D_l = df/dHtilde_l = (W_l^T D_{l+1}) .* sigma'_{l-1}(Htilde_l), l >= 2 (D_{L+1} = G), in
 * DH_l: one fused operation where the backend has it. */
static void back_through(const dnc_problem_t p, const dnc_objective_ops *ops, void *ctx, slong l, dnc_buf D)
{
    slong L = p->L;
    if (ops->mul_act_grad != NULL) {
        ops->mul_act_grad(ctx, BUF(DNC_DH, l), BUF(DNC_W, l), D, BUF(DNC_PRE, l), p->act[l - 2], l);
        return;
    }
    ops->mul(ctx, BUF(DNC_DH, l), BUF(DNC_W, l), 1, D, 0);
    ops->act_grad(ctx, BUF(DNC_DH, l), BUF(DNC_PRE, l), p->act[l - 2], l);
}

/* DH_1 = df/dH1 = (W_1^T D_2) diag(1/w) + lambda_H H1 (per sample: see backward). */
static void grad_h1(const dnc_problem_t p, const dnc_objective_ops *ops, void *ctx, dnc_buf D)
{
    slong L = p->L;
    if (ops->mul_decay != NULL) {
        ops->mul_decay(ctx, BUF(DNC_DH, 1), BUF(DNC_W, 1), D, BUF(DNC_H, 1), C(DNC_C_LAMBDA_H));
        return;
    }
    ops->mul(ctx, BUF(DNC_DH, 1), BUF(DNC_W, 1), 1, D, 0);
    ops->scale_cols(ctx, BUF(DNC_DH, 1), C(DNC_C_ONE), DNC_COLS_UNWEIGHT);
    ops->add_scaled(ctx, BUF(DNC_DH, 1), BUF(DNC_H, 1), C(DNC_C_LAMBDA_H));
}

/* Backward pass. G = df/dZ carries each column's multiplicity, so the weight gradients
 * sum over all samples; the H1 gradient is reported per sample (the derivative with
 * respect to one of the w_j identical columns), hence the unweighting. */
static void backward(const dnc_problem_t p, const dnc_objective_ops *ops, void *ctx)
{
    slong L = p->L, l;
    dnc_buf D = BUF(DNC_R, 0);   /* df/dHtilde_{l+1} at layer l: G first */

    if (p->bias == DNC_BIAS_FREE)
        ops->row_sums(ctx, BUF(DNC_GB, 0), D);
    for (l = L; l >= 1; l--) {
        ops->mul(ctx, BUF(DNC_GW, l), D, 0, BUF(DNC_H, l), 1);
        ops->add_scaled(ctx, BUF(DNC_GW, l), BUF(DNC_W, l), C(DNC_C_LAMBDA_W(l)));
        if (l >= 2)
            back_through(p, ops, ctx, l, D);
        else
            grad_h1(p, ops, ctx, D);
        D = BUF(DNC_DH, l);
    }
}

void dnc_objective_eval(const dnc_problem_t p, const dnc_objective_ops *ops, void *ctx, int want_grad)
{
    forward(p, ops, ctx);
    loss_terms(p, ops, ctx, want_grad);
    if (want_grad)
        backward(p, ops, ctx);
}

void dnc_objective_buf_shape(slong *rows, slong *cols, const dnc_problem_t p, slong ncols,
                             dnc_buf_kind kind, slong l)
{
    switch (kind) {
    case DNC_H: case DNC_PRE: case DNC_DH: case DNC_W: case DNC_GW:
        if (l < 1 || l > p->L) {   /* no such buffer (callers may ask for every (kind, l)) */
            *rows = *cols = 0;
            return;
        }
        break;
    default:
        break;
    }
    switch (kind) {
    case DNC_H: case DNC_PRE: case DNC_DH:
        *rows = p->width[l - 1];
        *cols = ncols;
        break;
    case DNC_W: case DNC_GW:
        *rows = dnc_problem_out_rows(p, l);
        *cols = p->width[l - 1];
        break;
    case DNC_Z: case DNC_R:
        *rows = p->K;
        *cols = ncols;
        break;
    default: /* DNC_B, DNC_GB */
        *rows = p->K;
        *cols = 1;
        break;
    }
}

dnc_buf_kind dnc_param_block_kind(slong L, slong b)
{
    return b == 0 ? DNC_H : b <= L ? DNC_W : DNC_B;
}

const char *dnc_param_block_name(char *buf, slong L, slong b)
{
    if (b == 0 || b > L)
        strcpy(buf, b == 0 ? "H1" : "b");
    else
        snprintf(buf, 24, "W%ld", (long) b);
    return buf;
}

slong dnc_param_block_start(const dnc_problem_t p, slong ncols, slong b)
{
    return b > p->L + 1 ? dnc_param_offset(p, ncols, DNC_NKINDS, 0)
                        : dnc_param_offset(p, ncols, dnc_param_block_kind(p->L, b), b);
}

slong dnc_param_offset(const dnc_problem_t p, slong ncols, dnc_buf_kind kind, slong l)
{
    const double limit = 9007199254740992.0; /* 2^53: sizes stay exact in a double */
    double off = (double) p->width[0] * (double) ncols;
    slong m;
    if (kind == DNC_H)
        return 0;
    for (m = 1; m <= p->L; m++) {
        if (kind == DNC_W && m == l)
            return off > limit ? -1 : (slong) off;
        off += (double) dnc_problem_out_rows(p, m) * (double) p->width[m - 1];
    }
    if (kind == DNC_B)
        return off > limit ? -1 : (slong) off;
    if (p->bias == DNC_BIAS_FREE)
        off += (double) p->K;
    return off > limit ? -1 : (slong) off;
}
