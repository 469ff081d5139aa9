/* Dual-number Arb backend of the objective driver: every buffer carries a value and a tangent
 * (the derivative along one direction of the parameters and of the seeds), so one run of the
 * one objective definition gives the gradient and its directional derivative, a
 * Hessian-vector product (forward over reverse). With a fixed pattern every operation is
 * polynomial: the value runs on the Arb backend unchanged, the tangent by the product rule
 * (mul), by the same linear operation on the tangents (activation and its backward pass with
 * fixed slopes, column scalings, row sums, D + c X), or by the derivative of the fit's
 * gradient (the MSE residual is affine: dG = c (dZ + db) diag(w)). Balls in, balls out: over a
 * box of inputs the tangent encloses the directional derivative at every point of the box. */
#include <string.h>
#include "ball_priv.h"

typedef struct {
    ball_ctx v, t;   /* values; tangents (parameters bound to dx, gradient to the tangent) */
} dual_ctx;

static void d_mul(void *vctx, dnc_buf C, dnc_buf A, int ta, dnc_buf B, int tb)
{
    dual_ctx *d = vctx;
    slong prec = d->v.prec;
    arb_mat_t T;
    _dnc_ball_ops.mul(&d->v, C, A, ta, B, tb);
    arb_mat_init(T, arb_mat_nrows(BUF(&d->t, C)), arb_mat_ncols(BUF(&d->t, C)));
    _dnc_ball_mul_op(BUF(&d->t, C), BUF(&d->t, A), ta, BUF(&d->v, B), tb, prec);
    _dnc_ball_mul_op(T, BUF(&d->v, A), ta, BUF(&d->t, B), tb, prec);
    arb_mat_add(BUF(&d->t, C), BUF(&d->t, C), T, prec);
    arb_mat_clear(T);
}

/* Linear in the buffers with fixed slopes and constants: the same operation on both. */
static void d_act(void *vctx, dnc_buf H, dnc_buf PRE, dnc_act_t a)
{
    dual_ctx *d = vctx;
    _dnc_ball_ops.act(&d->v, H, PRE, a);
    _dnc_ball_ops.act(&d->t, H, PRE, a);
}

static void d_act_grad(void *vctx, dnc_buf D, dnc_buf PRE, dnc_act_t a, slong layer)
{
    dual_ctx *d = vctx;
    _dnc_ball_ops.act_grad(&d->v, D, PRE, a, layer);
    _dnc_ball_ops.act_grad(&d->t, D, PRE, a, layer);
}

/* MSE only (dnc_ball_eval_dual refuses CE): G = c (Z + b 1^T - Y) diag(w). */
static void d_fit(void *vctx, dnc_loss_t loss, dnc_buf G, dnc_buf Z, dnc_buf b, dnc_const c, int want_grad)
{
    dual_ctx *d = vctx;
    _dnc_ball_ops.fit(&d->v, loss, G, Z, b, c, want_grad);
    if (want_grad) {
        _dnc_ball_logits(&d->t, G, Z, b, 0);
        _dnc_ball_scale_cols(&d->t, G, c, DNC_COLS_WEIGHT);
    }
}

/* The loss terms' tangents are not computed (not needed for Hessian-vector products). */
static void d_add_sqnorm(void *vctx, int term, dnc_buf X, int weighted, dnc_const c)
{
    dual_ctx *d = vctx;
    _dnc_ball_ops.add_sqnorm(&d->v, term, X, weighted, c);
}

static void d_scale_cols(void *vctx, dnc_buf X, dnc_const c, int mode)
{
    dual_ctx *d = vctx;
    _dnc_ball_ops.scale_cols(&d->v, X, c, mode);
    _dnc_ball_ops.scale_cols(&d->t, X, c, mode);
}

static void d_add_scaled(void *vctx, dnc_buf D, dnc_buf X, dnc_const c)
{
    dual_ctx *d = vctx;
    _dnc_ball_ops.add_scaled(&d->v, D, X, c);
    _dnc_ball_ops.add_scaled(&d->t, D, X, c);
}

static void d_row_sums(void *vctx, dnc_buf out, dnc_buf X)
{
    dual_ctx *d = vctx;
    _dnc_ball_ops.row_sums(&d->v, out, X);
    _dnc_ball_ops.row_sums(&d->t, out, X);
}

static const dnc_objective_ops dual_ops = {
    d_mul, d_act, d_act_grad, d_fit, d_add_sqnorm, d_scale_cols, d_add_scaled, d_row_sums, NULL, NULL
};

int dnc_ball_eval_dual(dnc_beval_t e, dnc_beval_t de, const dnc_bpoint_t x, const dnc_bpoint_t dx,
                       const arb_mat_struct *slope, const arb_mat_struct *seed, const arb_mat_struct *dseed,
                       arb_mat_struct *pre, arb_mat_struct *dpre, slong prec)
{
    const dnc_problem_struct *p = x->p;
    dual_ctx d;
    slong l;
    if (p->loss == DNC_LOSS_CE || slope == NULL)
        return -1;
    for (l = 1; l < p->L; l++)   /* every ReLU layer needs its slopes */
        if (p->act[l - 1] == DNC_ACT_RELU && arb_mat_nrows(slope + l + 1) != p->width[l])
            return -1;
    _dnc_ball_ctx_init(&d.v, e, x, slope, seed, pre, 1, prec);
    _dnc_ball_ctx_init(&d.t, de, dx, slope, dseed, dpre, 1, prec);
    dnc_objective_eval(p, &dual_ops, &d, 1);
    _dnc_ball_ctx_finish(&d.v);
    _dnc_ball_ctx_finish(&d.t);
    return 0;
}
