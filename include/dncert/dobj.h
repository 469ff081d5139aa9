/* dncert/dobj.h -- the objective in IEEE double precision (OpenBLAS backend).
 *
 * A dnc_dobj holds the workspace for evaluating f and its gradient at points of one
 * problem. Parameters live in one contiguous vector theta laid out as in
 * dnc_param_offset(): [H1 | W_1 | ... | W_L | b], each block column-major. Nothing is
 * allocated by dnc_dobj_eval(), so it can sit in a training loop.
 */
#ifndef DNCERT_DOBJ_H
#define DNCERT_DOBJ_H

#include "dncert/objective.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    dnc_problem_struct *p;   /* borrowed; must outlive the dobj */
    slong ncols;             /* feature columns (N for an expanded point) */
    slong *label;            /* label[j] = class of column j */
    double *w;               /* column weights, NULL when all are 1 */
    slong nparams;
    double **buf;            /* DNC_NBUFS(L) pointers (into theta, grad or work) */
    slong *rows, *cols;      /* buffer shapes */
    double c[DNC_NCONSTS(DNC_MAX_L)];
    double term[2];          /* fit, reg of the last evaluation */
    double *work;            /* owned temporaries */
    double *scratch;         /* room for one transposed weight matrix */
    slong wmax;              /* entries of the largest weight matrix */
    int threads;             /* dnc_dobj_set_threads; 1 after init */
    double *partial;         /* threads partial weight gradients (threads > 1) */
    const double *const *slope, *const *seed;   /* dnc_dobj_set_pattern; NULL: plain ReLU */
} dnc_dobj_struct;
typedef dnc_dobj_struct dnc_dobj_t[1];

/* Workspace for the expanded point: N columns ordered by class. Returns 0, or -1 when
 * the problem does not fit in memory (nothing to clear then). */
int dnc_dobj_init(dnc_dobj_t o, dnc_problem_t p);

/* Workspace for a weighted point: ncols columns with labels and weights (copied). The
 * weights of each class must add up to its count n_k. */
int dnc_dobj_init_weighted(dnc_dobj_t o, dnc_problem_t p, slong ncols,
                           const slong *label, const double *w);

void dnc_dobj_clear(dnc_dobj_t o);

/* n doubles aligned to a 64-byte cache line (free with free()). OpenBLAS's AVX-512 small
 * kernels run about 10% faster on aligned operands, and threads that write different rows
 * of one matrix do not share lines; allocate theta and the gradient with it. */
double *dnc_dobj_alloc(slong n);

/* Returns f(theta); sets o->term[DNC_TERM_FIT], o->term[DNC_TERM_REG]. When grad is not
 * NULL also writes the gradient (length o->nparams). */
double dnc_dobj_eval(dnc_dobj_t o, const double *theta, double *grad);

/* The norm of a gradient of o (nparams entries) as the trainer measures it: inf when it
 * overflows (beyond ~1e154), which the trainer and dncert classify call divergence. */
double dnc_dobj_grad_norm(const dnc_dobj_t o, const double *grad);

/* Pointer to buffer (kind, l) of the last evaluation (e.g. DNC_H for metrics). For l >= 2,
 * DNC_PRE and DNC_H share storage and hold the post-activation H_l: the activation is
 * applied in place; recompute W_{l-1} H_{l-1} for the pre-activation. */
const double *dnc_dobj_buf(const dnc_dobj_t o, dnc_buf_kind kind, slong l);

/* Threads for the products and entrywise passes of dnc_dobj_eval (dncert's own, through
 * OpenMP; each product part is a single-threaded OpenBLAS call, so keep OpenBLAS at one
 * thread). Results depend on the thread count only through the order in which the
 * weight gradients are summed. Returns 0, or -1 when out of memory (nothing changed). */
int dnc_dobj_set_threads(dnc_dobj_t o, int threads);

/* Replaces the ReLU of layer l (the activation of PRE_l, l = 2..L) by a fixed pattern
 * wherever slope[l] is not NULL: H_l = slope[l] .* PRE_l on the forward pass and
 * D <- D .* slope[l] + seed[l] (seed[l] may be NULL: 0) on the backward pass, entrywise
 * (arrays of d_l x ncols, column-major). With slopes 1 on P+ and 0 on P- and the kinks
 * this evaluates the smooth piece f_0 of docs/refine.md, and the seeds add
 * sum_e mu_e grad ubar_e to its gradient (the Lagrangian's). slope = NULL restores ReLU.
 * The arrays are borrowed; the caller keeps them alive while o evaluates. */
void dnc_dobj_set_pattern(dnc_dobj_t o, const double *const *slope, const double *const *seed);

/* Products along the sample dimension are cut into blocks small enough for OpenBLAS's
 * small-matrix path when its kernel has one (src/train/dobj.c). mode -1 (default) decides
 * by the kernel, 0 never blocks, 1 always blocks (for tests on any CPU). Process-wide. */
void dnc_dobj_set_blocking(int mode);

#ifdef __cplusplus
}
#endif
#endif
