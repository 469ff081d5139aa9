/* dncert/objective.h -- the DUFM objective, defined once for every number type.
 *
 *   f = (1/N) sum_j w_j ell(z_j, y_j) + (lambda_H/2) sum_j w_j ||h1_j||^2
 *       + sum_l (lambda_{W_l}/2) ||W_l||_F^2,
 *   ell(z, y) = ||z - e_y||^2 / 2  (MSE)   or   log sum_i exp(z_i) - z_y  (CE),
 *
 * with Z = W_L H_L (+ b 1^T), H_{l+1} = sigma_l(W_l H_l). A point has `ncols` feature
 * columns, column j belonging to class label[j] and standing for w_j samples; an
 * expanded point has ncols = N and w_j = 1, a collapsed point has one column per class
 * with w_k = n_k (docs/model.md explains why both give the same f and gradient).
 *
 * dnc_objective_eval() is the only place where this formula and its backward pass are
 * written. It drives a backend through dnc_objective_ops; the double-precision trainer
 * (OpenBLAS), the ball-arithmetic evaluator (Arb) and the rigorous double tier are such
 * backends. The loss ell is one operation (fit), implemented by each backend for each loss
 * it supports; everything around it -- the network, the regularisers, the chain rule -- is
 * composed here once for both losses.
 */
#ifndef DNCERT_OBJECTIVE_H
#define DNCERT_OBJECTIVE_H

#include "dncert/problem.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Buffers of one evaluation, named by kind and layer l (0..L). */
typedef enum {
    DNC_H,    /* H_l, l = 1..L (H_1 is the parameter H1)              d_l x ncols   */
    DNC_PRE,  /* Htilde_l = W_{l-1} H_{l-1}, l = 2..L                 d_l x ncols   */
    DNC_DH,   /* df/dH_l; for l >= 2 overwritten in place by df/dHtilde_l;
                 DH_1 is the gradient of H1                           d_l x ncols   */
    DNC_W,    /* W_l, l = 1..L                                        out_l x d_l   */
    DNC_GW,   /* df/dW_l                                              out_l x d_l   */
    DNC_Z,    /* output W_L H_L                                       K x ncols     */
    DNC_R,    /* df/dZ, written by the fit operation (a backend may use it before:
                 the MSE fit forms the residual Z + b 1^T - Y there)  K x ncols     */
    DNC_B,    /* bias b (only with a free bias)                       K x 1         */
    DNC_GB,   /* df/db                                                K x 1         */
    DNC_NKINDS
} dnc_buf_kind;

/* Handles. A backend keeps its buffers and constants in tables indexed by the ids below;
 * the operations take them wrapped in distinct struct types, so that a buffer passed where
 * a constant is expected (or the other way round) does not compile. */
typedef struct { int id; } dnc_buf;
typedef struct { int id; } dnc_const;

#define DNC_BUF_ID(kind, l, L) ((int) (kind) * (int) ((L) + 1) + (int) (l))
#define DNC_BUF(kind, l, L) ((dnc_buf) { DNC_BUF_ID(kind, l, L) })
#define DNC_NO_BUF ((dnc_buf) { -1 })
#define DNC_NBUFS(L) (DNC_NKINDS * (int) ((L) + 1))

/* Constant ids, each an exact rational that a backend represents in its own number type. */
#define DNC_C_ONE        0   /* 1 */
#define DNC_C_INV_N      1   /* 1/N */
#define DNC_C_LAMBDA_H   2   /* lambda_H */
#define DNC_C_LAMBDA_W(l) (2 + (l))   /* lambda_{W_l}, l = 1..L */
#define DNC_NCONSTS(L) (3 + (int) (L))
#define DNC_CONST(id) ((dnc_const) { (id) })

/* Accumulated loss terms (indices of a backend's two accumulators). */
#define DNC_TERM_FIT 0
#define DNC_TERM_REG 1

/* Column scaling modes of scale_cols. */
#define DNC_COLS_WEIGHT   0   /* X <- c X diag(w)   */
#define DNC_COLS_UNWEIGHT 1   /* X <- c X diag(1/w) */

typedef struct {
    /* C <- op(A) op(B); op transposes when the flag is set. */
    void (*mul)(void *ctx, dnc_buf C, dnc_buf A, int transA, dnc_buf B, int transB);
    /* H <- sigma(PRE), entrywise. */
    void (*act)(void *ctx, dnc_buf H, dnc_buf PRE, dnc_act_t a);
    /* D <- D .* sigma'(PRE), entrywise; `layer` is l for PRE = Htilde_l. */
    void (*act_grad)(void *ctx, dnc_buf D, dnc_buf PRE, dnc_act_t a, slong layer);
    /* The loss. With logits z_j = column j of Z (+ b, unless b is DNC_NO_BUF) and y_j the
     * class of column j:
     *   fit term += c sum_j w_j ell(z_j, y_j),
     *   MSE: ell(z, y) = ||z - e_y||^2 / 2,   CE: ell(z, y) = log sum_i exp(z_i) - z_y,
     * and, when want_grad, G <- c [w_j grad ell(z_j, y_j)]_j = d(fit)/dZ
     * (MSE: w_j (z_j - e_y); CE: w_j (softmax(z_j) - e_y)). */
    void (*fit)(void *ctx, dnc_loss_t loss, dnc_buf G, dnc_buf Z, dnc_buf b, dnc_const c, int want_grad);
    /* term += (c/2) sum_j v_j ||x_j||^2 with v_j = w_j if weighted, else 1. */
    void (*add_sqnorm)(void *ctx, int term, dnc_buf X, int weighted, dnc_const c);
    /* X <- c X diag(w) or c X diag(1/w). */
    void (*scale_cols)(void *ctx, dnc_buf X, dnc_const c, int mode);
    /* D <- D + c X. */
    void (*add_scaled)(void *ctx, dnc_buf D, dnc_buf X, dnc_const c);
    /* d <- X 1 (row sums). */
    void (*row_sums)(void *ctx, dnc_buf d, dnc_buf X);
    /* Optional (NULL: mul, then act_grad): D <- (A^T G) .* sigma'(PRE), the back-propagation
     * through layer `layer` in one operation, for backends that can apply the derivative
     * while the product is in cache. */
    void (*mul_act_grad)(void *ctx, dnc_buf D, dnc_buf A, dnc_buf G, dnc_buf PRE, dnc_act_t a, slong layer);
    /* Optional (NULL: mul, scale_cols with DNC_COLS_UNWEIGHT, add_scaled): the H1 gradient
     * D <- (A^T G) diag(1/w) + c X in one operation, for backends that can start the product
     * from c X instead of adding it in a pass of its own. */
    void (*mul_decay)(void *ctx, dnc_buf D, dnc_buf A, dnc_buf G, dnc_buf X, dnc_const c);
} dnc_objective_ops;

/* Evaluates f (the backend accumulates the fit and regulariser terms, which it must zero
 * beforehand) and, if want_grad, the gradient into DH_1, GW_l and GB. The parameter
 * buffers H_1, W_l, B are read; every other buffer is overwritten. */
void dnc_objective_eval(const dnc_problem_t p, const dnc_objective_ops *ops, void *ctx, int want_grad);

/* Shape of buffer (kind, l) for a point with ncols feature columns. */
void dnc_objective_buf_shape(slong *rows, slong *cols, const dnc_problem_t p, slong ncols,
                             dnc_buf_kind kind, slong l);

/* Parameter vector layout shared by the trainer, .npy export and import:
 * [H1 | W_1 | ... | W_L | b], each block column-major. Returns the offset of block
 * (kind, l) with kind in {DNC_H (l = 1), DNC_W, DNC_B}; with kind = DNC_NKINDS
 * returns the total length. Returns -1 when the size exceeds 2^53 entries. */
slong dnc_param_offset(const dnc_problem_t p, slong ncols, dnc_buf_kind kind, slong l);

/* Parameter blocks by index b: 0 = H1, 1..L = W_b, L + 1 = the bias. Its kind (DNC_H,
 * DNC_W or DNC_B), and its name as in saved points and certificates ("H1", "W2", "b";
 * buf of at least 24 bytes). */
dnc_buf_kind dnc_param_block_kind(slong L, slong b);

/* Offset of parameter block b (0 = H1, 1..L = W_b, L + 1 = the bias) in that layout; block b
 * ends where block b + 1 starts, and b = L + 2 gives the total length (with or without a
 * bias). -1 when the size exceeds 2^53 entries. */
slong dnc_param_block_start(const dnc_problem_t p, slong ncols, slong b);
const char *dnc_param_block_name(char *buf, slong L, slong b);

#ifdef __cplusplus
}
#endif
#endif
