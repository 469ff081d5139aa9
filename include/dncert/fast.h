/* dncert/fast.h -- the fast rigorous tier: enclosures of f and its gradient in IEEE double.
 *
 * A second backend of the one objective definition (objective.h) that works on
 * midpoint-radius intervals of doubles: every quantity X is held as a midpoint array m and a
 * radius array r with |X_exact - m| <= r entrywise. Products are OpenBLAS dgemm calls on
 * the midpoints plus sgemm (or dgemm) calls on absolute values that bound every rounding
 * error a priori (any summation order, blocking, FMA or threading of the BLAS kernel); entrywise
 * work rounds to nearest and then steps every bound one double outward. Nothing relies on
 * the rounding mode being honoured by BLAS. The bound, its proof and its assumptions are
 * in docs/fast-tier.md.
 *
 * The point is an expanded point given as doubles in the trainer's layout (dnc_param_offset
 * with ncols = N), which are exact dyadic rationals; the problem's constants (1/N, the
 * weight decays) are exact rationals enclosed outward in doubles. The result encloses the
 * exact loss, fit and regulariser of that point and, as the Arb evaluator does (exact.h),
 * every element of the Clarke gradient: where a ReLU pre-activation interval contains 0
 * the derivative is the interval [0, 1] and the entry is recorded as a kink.
 *
 * Functions returning int follow Arb: 1 = proven, 0 = not proven (the caller falls back to
 * the Arb evaluator); 0 is never "false".
 */
#ifndef DNCERT_FAST_H
#define DNCERT_FAST_H

#include "dncert/exact.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of dnc_fast_eval_point. */
#define DNC_FAST_GRAD 1   /* also enclose the gradient */

/* Why an evaluation could not enclose (dnc_fast_struct.status). */
typedef enum {
    DNC_FAST_OK = 0,
    DNC_FAST_NONFINITE,   /* an input, midpoint or bound was Inf or NaN: overflow somewhere */
    DNC_FAST_ROUNDING,    /* the floating-point environment is not round-to-nearest, or
                             flushes subnormals to zero (FTZ/DAZ) */
    DNC_FAST_NOMEM
} dnc_fast_status;

/* Columns per chunk, at least (unless N is smaller), when the chunk width is automatic. */
#define DNC_FAST_MIN_CHUNK 64

typedef struct dnc_fast_struct_ {
    dnc_problem_struct *p;   /* borrowed; must outlive the workspace */
    slong nparams;           /* entries of theta */
    double loss[2], fit[2], reg[2];   /* [lo, hi] of the last evaluation */
    double *gmid, *grad;     /* gradient midpoints and radii, in theta's layout (per-sample
                                for H1 columns, total for W and b) from its entry goff on;
                                valid with DNC_FAST_GRAD */
    slong goff;              /* 0; with DNC_FAST_NO_H1_GRAD, the entries of H1 (d_1 N): the
                                arrays hold the gradients of W_1..W_L and b only */
    double h1_max_abs, h1_max_rad;   /* with DNC_FAST_NO_H1_GRAD: the largest |entry| bound and
                                        radius of the H1 gradient, reduced chunk by chunk */
    double h1_sq[2];         /* with DNC_FAST_NO_H1_GRAD: lower and upper bounds of the sum of the
                                squares of the H1 gradient's entries (for dnc_fast_grad_norm) */
    dnc_kink *kinks;         /* ReLU entries whose pre-activation interval contains 0 */
    double *kink_adj;        /* kink_adj[k] >= |d f / d Htilde| at kink k, before the slope [0, 1] */
    slong nkinks;
    dnc_fast_status status;  /* of the last evaluation */
    /* Optional: called after each chunk of columns col0 .. col0 + ncols - 1 is evaluated;
     * dnc_fast_buf then gives that chunk's forward quantities. */
    void (*chunk_done)(void *arg, const struct dnc_fast_struct_ *f, slong col0, slong ncols);
    void *chunk_arg;
    void *ws;                /* workspace (src/fast/fast_eval.c) */
} dnc_fast_struct;
typedef dnc_fast_struct dnc_fast_t[1];

/* Workspace for the expanded point of p (ncols = N). Returns 0, or -1 when it does not fit
 * in memory, the problem is beyond the proof's sizes (a buffer of more than 2^43 entries,
 * N >= 2^31) or its loss is not MSE (the only one bounded so far); nothing to clear then. */
int dnc_fast_init(dnc_fast_t f, dnc_problem_t p);

/* Flags of dnc_fast_init_flags. */
#define DNC_FAST_NO_H1_GRAD 1   /* the H1 gradient (d_1 N entries, most of the point) is not kept:
                                   each chunk's is reduced to f->h1_max_abs, f->h1_max_rad, and
                                   the default chunk may take the point's size (docs/fast-tier.md §3) */

/* dnc_fast_init with flags. */
int dnc_fast_init_flags(dnc_fast_t f, dnc_problem_t p, int flags);
void dnc_fast_clear(dnc_fast_t f);

/* The sample dimension is processed in chunks of columns (docs/fast-tier.md §3, "Chunks"):
 * the temporaries hold one chunk, the weight gradients are summed over chunks with their
 * rounding bounded. By default the width keeps the temporaries within a quarter of the
 * point's size (within its size with DNC_FAST_NO_H1_GRAD; at least DNC_FAST_MIN_CHUNK
 * columns). dnc_fast_set_chunk sets it (cols <= 0:
 * the default; cols >= N: one chunk) and returns 0, or -1 when out of memory (then the
 * workspace may only be cleared); dnc_fast_chunk returns it. */
int dnc_fast_set_chunk(dnc_fast_t f, slong cols);
slong dnc_fast_chunk(const dnc_fast_t f);

/* Encloses the loss, fit and regulariser of the exact point theta (f->nparams doubles in
 * the trainer's layout) and, with DNC_FAST_GRAD in flags, its Clarke gradient. Returns 1
 * when every enclosure is proven; 0 when it could not enclose (f->status says why: overflow,
 * a non-finite input, a non-default floating-point environment), and then nothing in f is
 * meaningful. */
int dnc_fast_eval_point(dnc_fast_t f, const double *theta, int flags);

/* The enclosure of a forward quantity of the last chunk evaluated (the whole point when
 * it ran in one chunk; inside chunk_done, that chunk's): kind DNC_H (l = 1..L; for
 * l >= 2 the activation's output -- the pre-activation is overwritten in place), DNC_Z (l = 0:
 * W_L H_L without the bias) or DNC_R (l = 0: the residual Z + b 1^T - Y; only after an
 * evaluation without DNC_FAST_GRAD, since the backward pass scales it in place).
 * Column-major, rows x (the chunk's columns) entries (dnc_objective_buf_shape); *rad is
 * NULL when the quantity is exact (H_1). Returns 0, or -1 for any other kind. */
int dnc_fast_buf(const double **mid, const double **rad, const dnc_fast_t f, dnc_buf_kind kind, slong l);

/* The interval [lo, hi] as a ball (exactly: the ball's endpoints enclose [lo, hi]). */
void dnc_fast_interval_arb(arb_t out, double lo, double hi);

/* Largest gradient radius, and largest |midpoint| + radius (an upper bound of every
 * gradient entry's magnitude), of the last evaluation (H1 included, kept or not). */
double dnc_fast_grad_max_radius(const dnc_fast_t f);
double dnc_fast_grad_max_abs(const dnc_fast_t f);

/* [lo, hi] contains the Euclidean norm of every gradient in the last evaluation's enclosure
 * (every element of the Clarke gradient of the expanded point): the sums of the squares of
 * each entry's smallest and largest magnitude, H1 included (kept or not), bounded outward. */
void dnc_fast_grad_norm(double *lo, double *hi, const dnc_fast_t f);

/* A short message for a status. */
const char *dnc_fast_status_str(dnc_fast_status s);

/* FOR TESTS ONLY: scales the a priori product bound gamma_k by s (default 1). Any s < 1 makes
 * the results unsound; tests/test_fast.c sets it to check that the tests would catch a
 * bound smaller than proven. Process-wide. */
void dnc_fast_set_bound_scale(double s);

/* FOR TESTS ONLY: scales the binary32 inflation of the bound products (k u32 and the
 * underflow term of rule P32, docs/fast-tier.md §3.1) by s (default 1); any s < 1 is
 * unsound. Process-wide. */
void dnc_fast_set_f32_bound_scale(double s);

/* FOR TESTS ONLY: with on != 0 the binary32 bound products are summed term by term in the
 * order of the inner dimension (a valid sgemm) instead of by OpenBLAS, whose kernels may
 * keep several partial sums and then stay further below rule P32's bound. Process-wide. */
void dnc_fast_set_f32_sequential(int on);

/* Whether the bound products may run in binary32 (rule P32; on by default) or always in
 * double (rule P alone, the same bits as before rule P32). Both are sound; binary32 is about
 * twice as fast, and its radii are larger by about k u32 (k the products' inner dimension)
 * per product (docs/fast-tier.md §3.1). For tests and benchmarks. Process-wide. */
void dnc_fast_set_f32(int on);

/* Whether the weight gradients' chunk parts may bound their radii by the 2-norms of their
 * factors' rows and columns (rule N, on by default; used where the chunk has at least 64
 * columns and the bound is tight enough, docs/fast-tier.md §3.2) or always by rule P's bound
 * products. Both are sound; rule N needs no product and is looser by the Cauchy-Schwarz gap.
 * For tests and benchmarks. Process-wide. */
void dnc_fast_set_norm_rule(int on);

/* FOR TESTS ONLY: rule N's bound P (m x n, column-major) of the products of the radius of
 * C = op(A) op(B) with both factors intervals [Am +- Ar], [Bm +- Br] (op: transposed when ta,
 * tb; k the inner dimension), as the weight gradients use it, without its test of tightness:
 * P >= (g|Am| + Ar)|Bm| + (|Am| + Ar) Br entrywise (docs/fast-tier.md §3.2). Returns 1, or
 * 0 when out of memory. */
int dnc_fast_test_norm_bound(double *P, const double *Am, const double *Ar, const double *Bm, const double *Br,
                             slong m, slong k, slong n, int ta, int tb);

#ifdef __cplusplus
}
#endif
#endif
