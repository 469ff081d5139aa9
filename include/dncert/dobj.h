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
    double *thin_work;       /* threads blocks of thin_size doubles for src/train/thin.c */
    slong thin_size;
    unsigned char *signs;    /* the ReLU's record of H_l > 0, l >= 2: one byte an entry */
    unsigned char **sign;    /* sign[l] points into signs (NULL for l < 2) */
    int *sign_ok;            /* sign_ok[l]: sign[l] is of this evaluation's H_l */
    int want_signs;          /* this evaluation computes the gradient */
    const double *const *slope, *const *seed;   /* dnc_dobj_set_pattern; NULL: plain ReLU */
    struct dnc_dobj_prof_struct *prof;          /* dnc_dobj_set_profile; NULL: not timed */
    unsigned char *tr;       /* per buffer: stored sample-major in this evaluation
                                (dnc_dobj_set_layout; dnc_dobj_buf undoes it) */
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

/* Pointer to buffer (kind, l) of the last evaluation (e.g. DNC_H for metrics), column-major
 * with features in rows like every point. For l >= 2, DNC_PRE and DNC_H share storage and
 * hold the post-activation H_l: the activation is applied in place; recompute
 * W_{l-1} H_{l-1} for the pre-activation. A buffer the evaluation stored sample-major
 * (dnc_dobj_set_layout) is transposed back in place first; NULL when that finds no memory. */
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

/* Time spent in each operation of dnc_dobj_eval, for finding where a training step's time
 * goes (bench/bench_step.c). The objective calls its operations in the same order at every
 * evaluation, so entry i is the i-th operation of an evaluation; its seconds (wall clock,
 * all of dncert's threads inside) add up over evaluations. */
#define DNC_DOBJ_PROF_MAX 256
typedef struct {
    const char *op;     /* "mul", "act", "act_grad", "fit", "add_sqnorm", "scale_cols",
                           "add_scaled", "row_sums" */
    int ta, tb;         /* mul: whether op(A), op(B) transpose */
    slong m, n, k;      /* mul: C is m x n, k the inner dimension; otherwise m x n is the
                           size of the buffer written (read, for add_sqnorm), k = 0 */
    double seconds;     /* summed over the evaluations */
    double best;        /* the least of one evaluation */
} dnc_dobj_prof_entry;
typedef struct dnc_dobj_prof_struct {
    slong evals;        /* evaluations timed */
    int nentries;       /* operations per evaluation */
    int cursor;         /* next entry within the current evaluation */
    double (*clock)(void);   /* seconds; NULL: dnc_seconds_now (wall clock) */
    dnc_dobj_prof_entry e[DNC_DOBJ_PROF_MAX];
} dnc_dobj_prof;

/* Times every later evaluation of o into prof (zeroed by the caller; NULL stops timing).
 * Operations beyond DNC_DOBJ_PROF_MAX per evaluation run untimed. */
void dnc_dobj_set_profile(dnc_dobj_t o, dnc_dobj_prof *prof);

/* Products along the sample dimension are cut into blocks small enough for OpenBLAS's
 * small-matrix path when its kernel has one (src/train/dobj.c). mode -1 (default) decides
 * by the kernel, 0 never blocks, 1 always blocks (for tests on any CPU). Process-wide. */
void dnc_dobj_set_blocking(int mode);

/* Products with at most 12 rows, or an inner dimension of at most 12 (the last layer's K),
 * run in AVX2 loops of dncert's own where the CPU has AVX2 and FMA (src/train/thin.c).
 * mode -1 (default) uses them there, 0 never (OpenBLAS only; for tests). Process-wide. */
void dnc_dobj_set_thin(int mode);

/* Where the hidden temporaries of a gradient evaluation are stored: H_l (= PRE_l) and their
 * gradients DH_l for 2 <= l <= L-1, column-major with features in rows (as points are) or
 * transposed, sample-major. Sample-major makes the products that write them N x d x d
 * instead of d x N x d, which OpenBLAS's AVX2 kernels run 3-5% faster at width 512
 * (docs/benchmarks.md; equal at 256, slower at 128). mode -1 (default): sample-major when
 * every width is at least DNC_SAMPLE_MAJOR_WIDTH, the kernel has no small-matrix path and no
 * pattern is set; 0 never; 1 always where allowed (no pattern; for tests at small sizes).
 * Loss-only evaluations always store features in rows. Process-wide. */
#define DNC_SAMPLE_MAJOR_WIDTH 384
void dnc_dobj_set_layout(int mode);

/* Whether most multiply-adds of an evaluation of p are in products whose blocks of at
 * least 100 samples fit OpenBLAS's small-matrix path (out_l d_l <= 10^4, widths up to about
 * 100; each layer weighted by out_l d_l, the size of its three products). Where they do,
 * OpenBLAS's AVX-512 kernels beat its AVX2 ones even on CPUs that split 512-bit operations
 * in two (AMD Zen 4); where they do not, the AVX2 kernels are faster there
 * (docs/trainer.md, "Speed"). */
int dnc_dobj_small_products(const dnc_problem_t p);

#ifdef __cplusplus
}
#endif
#endif
