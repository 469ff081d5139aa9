/* dncert/exact.h -- rigorous evaluation of the DUFM objective in Arb ball arithmetic.
 *
 * A dnc_bpoint is a point of the model whose entries are Arb balls (exact rationals and
 * dyadics are balls of radius 0 or tiny). It has `ncols` feature columns; column j is in
 * class label[j] and stands for mult[j] identical samples. Expanded form: ncols = N,
 * mult = 1. Collapsed form: one column per class, mult = n_k; evaluating it costs nothing
 * in N and encloses the same f and gradient as the expanded point (docs/model.md).
 *
 * dnc_ball_eval() runs the same objective definition as the trainer (objective.h) with
 * Arb arithmetic at an explicit precision. Where a ReLU pre-activation ball contains 0
 * the derivative is the ball [0, 1], so the gradient enclosure contains every Clarke
 * generalized gradient; such entries are reported as kinks.
 *
 * Functions returning int follow Arb: 1 = proven, 0 = not proven (never "false").
 */
#ifndef DNCERT_EXACT_H
#define DNCERT_EXACT_H

#include <arb.h>
#include <arb_mat.h>
#include "dncert/objective.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNC_PREC_DEFAULT 256
#define DNC_PREC_MIN     64
#define DNC_PREC_MAX     4096   /* the largest precision of a certificate (certificate-format.md §9) */

typedef struct {
    dnc_problem_struct *p;   /* borrowed; must outlive the point */
    slong ncols;
    slong *label;            /* ncols class labels */
    slong *mult;             /* ncols multiplicities (samples per column) */
    arb_mat_t H1;            /* d_1 x ncols */
    arb_mat_struct *W;       /* W[l-1] = W_l, out_l x d_l, l = 1..L */
    arb_mat_t b;             /* K x 1 (K x 0 when there is no bias) */
} dnc_bpoint_struct;
typedef dnc_bpoint_struct dnc_bpoint_t[1];

/* Expanded point (ncols = N, columns ordered by class), all entries 0. */
void dnc_bpoint_init(dnc_bpoint_t x, dnc_problem_t p);
/* Collapsed point (ncols = K, column k = class k with multiplicity n_k), all entries 0. */
void dnc_bpoint_init_collapsed(dnc_bpoint_t x, dnc_problem_t p);
/* General form: ncols columns with the given labels and multiplicities (copied); the
 * multiplicities of each class must add up to n_k. All entries 0. */
void dnc_bpoint_init_columns(dnc_bpoint_t x, dnc_problem_t p, slong ncols,
                             const slong *label, const slong *mult);
void dnc_bpoint_clear(dnc_bpoint_t x);

/* out (initialised by this call) = the expanded point of x: column j of x repeated
 * mult[j] times, classes in order. */
void dnc_bpoint_init_expand(dnc_bpoint_t out, const dnc_bpoint_t x);

/* Sets the entries of an expanded point exactly from a double parameter vector in the
 * trainer's layout (dnc_param_offset). Doubles are dyadic, so nothing is rounded. */
void dnc_bpoint_set_theta(dnc_bpoint_t x, const double *theta);

/* Parameter block b of x (numbered as dnc_param_block_kind: 0 = H1, 1..L = W_b, L + 1 = b). */
arb_mat_struct *dnc_bpoint_block(const dnc_bpoint_t x, slong b);

/* v[i] <- a pointer to the entry of x that is parameter i of the trainer's layout
 * (dnc_param_offset with x's columns; v has that many entries). */
void dnc_bpoint_entries(arb_ptr *v, const dnc_bpoint_t x);

/* Midpoints rounded to double, in the trainer's layout (for comparisons only). */
void dnc_bpoint_get_theta(double *theta, const dnc_bpoint_t x);

/* The same for the expanded point of x (dnc_param_offset(p, N, DNC_NKINDS, 0) entries),
 * without building it in balls: 8 bytes per entry of the N columns. */
void dnc_bpoint_get_theta_expanded(double *theta, const dnc_bpoint_t x);

/* Result of one ball evaluation. */
typedef struct {
    slong layer, row, col;   /* pre-activation Htilde_layer[row, col] contains 0 */
} dnc_kink;

typedef struct {
    arb_t loss, fit, reg;
    dnc_bpoint_t grad;       /* gradient: per-sample for H1 columns, total for W and b */
    int has_grad;
    dnc_kink *kinks;         /* entries where ReLU' was taken as [0, 1] */
    slong nkinks;
} dnc_beval_struct;
typedef dnc_beval_struct dnc_beval_t[1];

void dnc_beval_init(dnc_beval_t e);
void dnc_beval_clear(dnc_beval_t e);

/* Encloses f, its fit and regulariser parts, and (if want_grad) the gradient of f at x,
 * at working precision prec. */
void dnc_ball_eval(dnc_beval_t e, const dnc_bpoint_t x, int want_grad, slong prec);

/* dnc_ball_eval inside one activation region (used to polish points, src/cert/point_cert.c).
 * Both arrays are indexed by layer l = 0..L and only entries l = 2..L are used.
 * frozen (NULL: ordinary evaluation): if sigma_{l-1} is ReLU, layer l uses the fixed pattern
 *   frozen[l] (one byte per entry of Htilde_l, d_l x ncols, column-major) instead of the signs
 *   of its pre-activations: entries > 0 are active (identity, derivative 1), the others
 *   inactive (0, derivative 0), and no kinks are recorded. This is the smooth objective of
 *   the network with that pattern; it equals f on the closure of the region where the
 *   pre-activations have that pattern.
 * pre (NULL: not wanted): pre + l (initialised by the caller, d_l x ncols) receives the
 *   enclosure of Htilde_l. */
void dnc_ball_eval_frozen(dnc_beval_t e, const dnc_bpoint_t x, signed char *const *frozen, arb_mat_struct *pre,
                          int want_grad, slong prec);

/* The fixed-pattern mode of the ball evaluator, the Arb counterpart of dnc_dobj_set_pattern
 * (docs/refine.md): for every ReLU layer l (sigma_{l-1} = ReLU; index l = 2..L of arrays of
 * L + 1 matrices, d_l x ncols) the activation is H_l = slope_l .* Htilde_l forward and the
 * backward pass is D <- D .* slope_l + seed_l, with no kinks recorded. With slopes 1 on P+
 * and 0 elsewhere and seeds mu_e on the kinks (0 elsewhere) the loss is the smooth piece f_0
 * and the gradient is that of the Lagrangian f_0 + sum_e mu_e ubar_e. slope NULL: ordinary
 * evaluation (seed is then ignored); seed NULL: no seeds. pre as in dnc_ball_eval_frozen. */
void dnc_ball_eval_pattern(dnc_beval_t e, const dnc_bpoint_t x, const arb_mat_struct *slope,
                           const arb_mat_struct *seed, arb_mat_struct *pre, int want_grad, slong prec);

/* dnc_ball_eval_pattern with the gradient, also copying into adj[l] (ReLU layers l, d_l x
 * ncols, initialised by the caller) the adjoint of H_l = slope_l .* Htilde_l, i.e. the
 * back-propagated derivative dF/dH_l before the slopes and seeds of layer l are applied
 * (F = f_0 + sum_e seed_e ubar_e): at a kink e of layer l it is G_e of docs/refine.md §7.2. */
void dnc_ball_eval_pattern_adjoint(dnc_beval_t e, const dnc_bpoint_t x, const arb_mat_struct *slope,
                                   const arb_mat_struct *seed, arb_mat_struct *adj, slong prec);

/* The dual-number (forward-over-reverse) mode of the fixed-pattern evaluation, for
 * Hessian-vector products through the one objective definition (src/exact/ball_dual.c):
 * e receives what dnc_ball_eval_pattern(e, x, slope, seed, pre, 1, prec) gives, and de->grad
 * the derivative of that gradient along the direction (dx, dseed) -- dx a point of x's shape
 * (the parameter direction), dseed the seeds' direction (NULL: 0) -- that is
 * H dx + sum_e dmu_e grad ubar_e with H the Hessian of f_0 + sum_e mu_e ubar_e; dpre (NULL:
 * not wanted; as pre) receives the derivative of the pre-activations ubar along dx. Balls in
 * x enclose these derivatives over the box. de's loss fields are not meaningful. Returns 0,
 * or -1 (nothing evaluated) under cross-entropy or when a ReLU layer has no slopes (slope
 * NULL). */
int dnc_ball_eval_dual(dnc_beval_t e, dnc_beval_t de, const dnc_bpoint_t x, const dnc_bpoint_t dx,
                       const arb_mat_struct *slope, const arb_mat_struct *seed, const arb_mat_struct *dseed,
                       arb_mat_struct *pre, arb_mat_struct *dpre, slong prec);

/* 1 if every gradient entry's ball contains 0 (x is certified to be compatible with
 * stationarity: 0 lies in the Clarke gradient enclosure), else 0. */
int dnc_beval_grad_contains_zero(const dnc_beval_t e);

/* Applies fn to every gradient entry (H1, b, then W_1..W_L); stops and returns 0 as soon
 * as fn returns 0, else returns 1. */
int dnc_beval_grad_all(const dnc_beval_t e, int (*fn)(arb_srcptr, void *), void *arg);

/* ReLU of a ball: itself when >= 0, exactly 0 when <= 0, else [0, hi] (out may be in). */
void dnc_ball_relu(arb_t out, const arb_t in);

/* Largest radius among the gradient entries (an upper bound), as a double. */
double dnc_beval_grad_max_radius(const dnc_beval_t e);

#ifdef __cplusplus
}
#endif
#endif
