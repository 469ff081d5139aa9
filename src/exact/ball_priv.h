/* Private to src/exact/: the Arb backend's context and operations (ball_eval.c), shared with
 * its dual-number extension (ball_dual.c), which runs them on values and on tangents. */
#ifndef DNCERT_BALL_PRIV_H
#define DNCERT_BALL_PRIV_H

#include "dncert/exact.h"

typedef struct {
    const dnc_bpoint_struct *x;
    dnc_beval_struct *e;
    slong prec;
    arb_mat_struct **buf;    /* DNC_NBUFS(L) pointers */
    arb_mat_struct *own;     /* owned temporaries, one per buffer slot */
    arb_ptr c;               /* constants */
    arb_t term[2];
    slong kink_cap;
    const arb_mat_struct *slope;  /* dnc_ball_eval_pattern: slopes per layer (index l), or NULL */
    const arb_mat_struct *seed;   /* dnc_ball_eval_pattern: seeds per layer, or NULL */
    arb_mat_struct *pre;          /* copies of Htilde_l out, or NULL */
    arb_mat_struct *adj;          /* fixed pattern: copies of the adjoint of H_l (before slopes), or NULL */
} ball_ctx;

#define BUF(ctx, h) ((ctx)->buf[(h).id])
#define CONST(ctx, k) ((ctx)->c + (k).id)

/* The operations of the Arb backend (dncert/objective.h). */
extern const dnc_objective_ops _dnc_ball_ops;

/* C <- op(A) op(B), op transposing when the flag is set. */
void _dnc_ball_mul_op(arb_mat_t C, const arb_mat_t A, int ta, const arb_mat_t B, int tb, slong prec);
/* R <- Z + b 1^T (- Y when sub_y; b may be DNC_NO_BUF). */
void _dnc_ball_logits(ball_ctx *ctx, dnc_buf R, dnc_buf Z, dnc_buf b, int sub_y);
/* X <- c X diag(w) or c X diag(1/w) (the scale_cols operation). */
void _dnc_ball_scale_cols(void *vctx, dnc_buf X, dnc_const c, int mode);
/* A context evaluating x (gradient into e when want_grad) with the fixed pattern (slope,
 * seed; NULL: ordinary) and pre-activation copies into pre (or NULL), as dnc_ball_eval_pattern;
 * _dnc_ball_ctx_finish stores the loss terms into e and releases the context. */
void _dnc_ball_ctx_init(ball_ctx *ctx, dnc_beval_t e, const dnc_bpoint_t x, const arb_mat_struct *slope,
                        const arb_mat_struct *seed, arb_mat_struct *pre, int want_grad, slong prec);
void _dnc_ball_ctx_finish(ball_ctx *ctx);

#endif
