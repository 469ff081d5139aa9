/* Double-precision backend of the objective driver: OpenBLAS for products, plain loops
 * for entrywise work. Deterministic for a fixed OpenBLAS thread count. */
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include "dncert/dobj.h"

#define B(o, id) ((o)->buf[id])
#define SIZE(o, id) ((o)->rows[id] * (o)->cols[id])

/* Below this many multiply-adds OpenBLAS gains nothing from a second thread (64x500x64:
 * 63 GFLOP/s on one thread, 67 on two) and the synchronisation costs more; the choice
 * depends only on the shape, so runs stay bit-for-bit reproducible. */
#define DNC_SMALL_PRODUCT 4e6

static void d_mul(void *ctx, int C, int A, int ta, int Bm, int tb)
{
    dnc_dobj_struct *o = ctx;
    slong m = ta ? o->cols[A] : o->rows[A];
    slong k = ta ? o->rows[A] : o->cols[A];
    slong n = tb ? o->rows[Bm] : o->cols[Bm];
    int threads = openblas_get_num_threads(), single = threads > 1 && (double) m * n * k < DNC_SMALL_PRODUCT;
    if (single)
        openblas_set_num_threads(1);
    cblas_dgemm(CblasColMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int) m, (int) n, (int) k, 1.0, B(o, A), (int) o->rows[A],
                B(o, Bm), (int) o->rows[Bm], 0.0, B(o, C), (int) o->rows[C]);
    if (single)
        openblas_set_num_threads(threads);
}

static void d_act(void *ctx, int H, int PRE, dnc_act_t a)
{
    dnc_dobj_struct *o = ctx;
    double *h = B(o, H);   /* the same storage as PRE: in place */
    slong i, n = SIZE(o, PRE);
    (void) PRE;
    if (a == DNC_ACT_RELU)
        for (i = 0; i < n; i++)
            h[i] = h[i] > 0.0 ? h[i] : 0.0;
}

/* ReLU'(0) is taken as 0 in double precision; the ball evaluator handles kinks exactly.
 * PRE holds relu(pre-activation) by now, which is > 0 exactly where the pre-activation is. */
static void d_act_grad(void *ctx, int D, int PRE, dnc_act_t a, slong layer)
{
    dnc_dobj_struct *o = ctx;
    double *d = B(o, D);
    const double *x = B(o, PRE);
    slong i, n = SIZE(o, PRE);
    (void) layer;
    if (a == DNC_ACT_RELU)
        for (i = 0; i < n; i++)
            d[i] = x[i] > 0.0 ? d[i] : 0.0;
}

static void d_residual(void *ctx, int R, int Z, int b)
{
    dnc_dobj_struct *o = ctx;
    slong K = o->rows[Z], j, k;
    double *r = B(o, R);
    const double *z = B(o, Z), *bias = b >= 0 ? B(o, b) : NULL;
    for (j = 0; j < o->ncols; j++) {
        for (k = 0; k < K; k++)
            r[k + K * j] = z[k + K * j] + (bias ? bias[k] : 0.0);
        r[o->label[j] + K * j] -= 1.0;
    }
}

static double col_sqnorm(const double *x, slong rows)
{
    return cblas_ddot((int) rows, x, 1, x, 1);
}

static void d_add_sqnorm(void *ctx, int term, int X, int weighted, int c)
{
    dnc_dobj_struct *o = ctx;
    double s = 0.0;
    slong j, rows = o->rows[X];
    if (weighted && o->w != NULL)
        for (j = 0; j < o->cols[X]; j++)
            s += o->w[j] * col_sqnorm(B(o, X) + rows * j, rows);
    else
        s = col_sqnorm(B(o, X), SIZE(o, X));
    o->term[term] += 0.5 * o->c[c] * s;
}

static void d_scale_cols(void *ctx, int X, int c, int mode)
{
    dnc_dobj_struct *o = ctx;
    slong j, rows = o->rows[X];
    if (o->w == NULL) {
        if (o->c[c] != 1.0)
            cblas_dscal((int) SIZE(o, X), o->c[c], B(o, X), 1);
        return;
    }
    for (j = 0; j < o->cols[X]; j++) {
        double s = mode == DNC_COLS_WEIGHT ? o->c[c] * o->w[j] : o->c[c] / o->w[j];
        cblas_dscal((int) rows, s, B(o, X) + rows * j, 1);
    }
}

static void d_add_scaled(void *ctx, int D, int X, int c)
{
    dnc_dobj_struct *o = ctx;
    cblas_daxpy((int) SIZE(o, X), o->c[c], B(o, X), 1, B(o, D), 1);
}

static void d_row_sums(void *ctx, int d, int X)
{
    dnc_dobj_struct *o = ctx;
    slong i, j, rows = o->rows[X];
    double *out = B(o, d);
    const double *x = B(o, X);
    for (i = 0; i < rows; i++)
        out[i] = 0.0;
    for (j = 0; j < o->cols[X]; j++)
        for (i = 0; i < rows; i++)
            out[i] += x[i + rows * j];
}

static const dnc_objective_ops dobj_ops = {
    d_mul, d_act, d_act_grad, d_residual, d_add_sqnorm, d_scale_cols, d_add_scaled, d_row_sums
};

/* ---- workspace ---- */

/* Buffers that exist for layer l (the others stay NULL). */
static int buf_exists(const dnc_problem_t p, dnc_buf_kind k, slong l)
{
    switch (k) {
    case DNC_H: case DNC_DH: case DNC_W: case DNC_GW: return l >= 1 && l <= p->L;
    case DNC_PRE: return l >= 2 && l <= p->L;
    case DNC_B: case DNC_GB: return l == 0 && p->bias == DNC_BIAS_FREE;
    default: return l == 0;
    }
}

/* Temporaries: PRE_l and DH_l (l >= 2), Z, R. H_l (l >= 2) shares PRE_l's storage: the
 * activation is applied in place, and the ReLU mask needs only the sign of the output
 * (relu(x) > 0 exactly when x > 0), so the pre-activation need not be kept. */
static int temp_needed(const dnc_problem_t p, dnc_buf_kind k, slong l)
{
    if (!buf_exists(p, k, l))
        return 0;
    if (k == DNC_DH)
        return l >= 2;
    return k == DNC_PRE || k == DNC_Z || k == DNC_R;
}

static void dobj_set_constants(dnc_dobj_t o)
{
    slong l;
    o->c[DNC_C_ONE] = 1.0;
    o->c[DNC_C_INV_N] = 1.0 / (double) o->p->N;
    o->c[DNC_C_LAMBDA_H] = fmpq_get_d(o->p->lambda_h);
    for (l = 1; l <= o->p->L; l++)
        o->c[DNC_C_LAMBDA_W(l)] = fmpq_get_d(o->p->lambda_w + l - 1);
}

int dnc_dobj_init_weighted(dnc_dobj_t o, dnc_problem_t p, slong ncols,
                           const slong *label, const double *w)
{
    slong L = p->L, l, total = 0;
    int k, nb = DNC_NBUFS(L);
    memset(o, 0, sizeof(*o));
    o->p = p;
    o->ncols = ncols;
    o->nparams = dnc_param_offset(p, ncols, DNC_NKINDS, 0);
    if (o->nparams < 0)
        return -1;
    o->buf = calloc(nb, sizeof(double *));
    o->rows = calloc(nb, sizeof(slong));
    o->cols = calloc(nb, sizeof(slong));
    o->label = malloc(ncols * sizeof(slong));
    if (w != NULL)
        o->w = malloc(ncols * sizeof(double));
    for (k = 0; k < DNC_NKINDS; k++)
        for (l = 0; l <= L; l++) {
            int id = DNC_BUF(k, l, L);
            if (!buf_exists(p, (dnc_buf_kind) k, l))
                continue;
            dnc_objective_buf_shape(o->rows + id, o->cols + id, p, ncols, (dnc_buf_kind) k, l);
            if (temp_needed(p, (dnc_buf_kind) k, l))
                total += o->rows[id] * o->cols[id];
        }
    o->work = malloc((total > 0 ? total : 1) * sizeof(double));
    if (o->buf == NULL || o->rows == NULL || o->cols == NULL || o->label == NULL
        || (w != NULL && o->w == NULL) || o->work == NULL) {
        dnc_dobj_clear(o);
        return -1;
    }
    memcpy(o->label, label, ncols * sizeof(slong));
    if (w != NULL)
        memcpy(o->w, w, ncols * sizeof(double));
    total = 0;
    for (k = 0; k < DNC_NKINDS; k++)
        for (l = 0; l <= L; l++)
            if (temp_needed(p, (dnc_buf_kind) k, l)) {
                int id = DNC_BUF(k, l, L);
                o->buf[id] = o->work + total;
                total += o->rows[id] * o->cols[id];
            }
    for (l = 2; l <= L; l++)
        o->buf[DNC_BUF(DNC_H, l, L)] = o->buf[DNC_BUF(DNC_PRE, l, L)];
    dobj_set_constants(o);
    return 0;
}

int dnc_dobj_init(dnc_dobj_t o, dnc_problem_t p)
{
    slong j = 0, k, i;
    slong *label = malloc(p->N * sizeof(slong));
    int r;
    if (label == NULL)
        return -1;
    for (k = 0; k < p->K; k++)
        for (i = 0; i < p->n[k]; i++)
            label[j++] = k;
    r = dnc_dobj_init_weighted(o, p, p->N, label, NULL);
    free(label);
    return r;
}

void dnc_dobj_clear(dnc_dobj_t o)
{
    free(o->buf);
    free(o->rows);
    free(o->cols);
    free(o->label);
    free(o->w);
    free(o->work);
    memset(o, 0, sizeof(*o));
}

/* Points the parameter buffers into theta and the gradient buffers into grad. */
static void dobj_bind(dnc_dobj_t o, const double *theta, double *grad)
{
    slong L = o->p->L, l, off;
    double *t = (double *) theta;   /* parameter buffers are only read */
    o->buf[DNC_BUF(DNC_H, 1, L)] = t;
    o->buf[DNC_BUF(DNC_DH, 1, L)] = grad;
    for (l = 1; l <= L; l++) {
        off = dnc_param_offset(o->p, o->ncols, DNC_W, l);
        o->buf[DNC_BUF(DNC_W, l, L)] = t + off;
        o->buf[DNC_BUF(DNC_GW, l, L)] = grad ? grad + off : NULL;
    }
    if (o->p->bias == DNC_BIAS_FREE) {
        off = dnc_param_offset(o->p, o->ncols, DNC_B, 0);
        o->buf[DNC_BUF(DNC_B, 0, L)] = t + off;
        o->buf[DNC_BUF(DNC_GB, 0, L)] = grad ? grad + off : NULL;
    }
}

double dnc_dobj_eval(dnc_dobj_t o, const double *theta, double *grad)
{
    dobj_bind(o, theta, grad);
    o->term[DNC_TERM_FIT] = o->term[DNC_TERM_REG] = 0.0;
    dnc_objective_eval(o->p, &dobj_ops, o, grad != NULL);
    return o->term[DNC_TERM_FIT] + o->term[DNC_TERM_REG];
}

const double *dnc_dobj_buf(const dnc_dobj_t o, dnc_buf_kind kind, slong l)
{
    return o->buf[DNC_BUF(kind, l, o->p->L)];
}
