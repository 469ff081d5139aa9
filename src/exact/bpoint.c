/* Ball-arithmetic points: expanded, collapsed, and their exact exchange with doubles. */
#include <string.h>
#include "dncert/exact.h"

void dnc_bpoint_init_columns(dnc_bpoint_t x, dnc_problem_t p, slong ncols,
                             const slong *label, const slong *mult)
{
    slong l;
    x->p = p;
    x->ncols = ncols;
    x->label = flint_malloc(ncols * sizeof(slong));
    x->mult = flint_malloc(ncols * sizeof(slong));
    memcpy(x->label, label, ncols * sizeof(slong));
    memcpy(x->mult, mult, ncols * sizeof(slong));
    arb_mat_init(x->H1, p->width[0], ncols);
    x->W = flint_malloc(p->L * sizeof(arb_mat_struct));
    for (l = 1; l <= p->L; l++)
        arb_mat_init(x->W + l - 1, dnc_problem_out_rows(p, l), p->width[l - 1]);
    arb_mat_init(x->b, p->K, p->bias == DNC_BIAS_FREE ? 1 : 0);
}

void dnc_bpoint_init(dnc_bpoint_t x, dnc_problem_t p)
{
    slong k, i, j = 0;
    slong *label = flint_malloc(p->N * sizeof(slong)), *mult = flint_malloc(p->N * sizeof(slong));
    for (k = 0; k < p->K; k++)
        for (i = 0; i < p->n[k]; i++, j++) {
            label[j] = k;
            mult[j] = 1;
        }
    dnc_bpoint_init_columns(x, p, p->N, label, mult);
    flint_free(label);
    flint_free(mult);
}

void dnc_bpoint_init_collapsed(dnc_bpoint_t x, dnc_problem_t p)
{
    slong k, *label = flint_malloc(p->K * sizeof(slong));
    for (k = 0; k < p->K; k++)
        label[k] = k;
    dnc_bpoint_init_columns(x, p, p->K, label, p->n);
    flint_free(label);
}

void dnc_bpoint_clear(dnc_bpoint_t x)
{
    slong l;
    for (l = 0; l < x->p->L; l++)
        arb_mat_clear(x->W + l);
    flint_free(x->W);
    arb_mat_clear(x->H1);
    arb_mat_clear(x->b);
    flint_free(x->label);
    flint_free(x->mult);
}

/* Copies the weights and bias of src into dst (same problem). */
static void bpoint_copy_weights(dnc_bpoint_t dst, const dnc_bpoint_t src)
{
    slong l;
    for (l = 0; l < src->p->L; l++)
        arb_mat_set(dst->W + l, src->W + l);
    arb_mat_set(dst->b, src->b);
}

/* Calls copy(ctx, c, j) for every column c of the expanded point of x, with j the column
 * of x that it repeats: column j stands for mult[j] samples, and expanded columns are
 * ordered by class. */
static void expand_columns(const dnc_bpoint_t x, void (*copy)(void *, slong, slong), void *ctx)
{
    slong k, j, m, c = 0;
    for (k = 0; k < x->p->K; k++)
        for (j = 0; j < x->ncols; j++)
            for (m = 0; x->label[j] == k && m < x->mult[j]; m++)
                copy(ctx, c++, j);
}

typedef struct {
    arb_mat_struct *to;
    const arb_mat_struct *from;
} ball_columns;

static void copy_ball_column(void *ctx, slong c, slong j)
{
    ball_columns *b = ctx;
    slong r;
    for (r = 0; r < arb_mat_nrows(b->from); r++)
        arb_set(arb_mat_entry(b->to, r, c), arb_mat_entry(b->from, r, j));
}

void dnc_bpoint_init_expand(dnc_bpoint_t out, const dnc_bpoint_t x)
{
    ball_columns b;
    dnc_bpoint_init(out, x->p);
    b.to = out->H1;
    b.from = x->H1;
    expand_columns(x, copy_ball_column, &b);
    bpoint_copy_weights(out, x);
}

arb_mat_struct *dnc_bpoint_block(const dnc_bpoint_t x, slong b)
{
    if (b == 0)
        return (arb_mat_struct *) x->H1;
    if (b <= x->p->L)
        return x->W + b - 1;
    return (arb_mat_struct *) x->b;
}

static slong block_offset(const dnc_bpoint_t x, slong b)
{
    return dnc_param_offset(x->p, x->ncols, dnc_param_block_kind(x->p->L, b), b);
}

void dnc_bpoint_set_theta(dnc_bpoint_t x, const double *theta)
{
    slong b, i, j;
    for (b = 0; b <= x->p->L + 1; b++) {
        arb_mat_struct *m = dnc_bpoint_block(x, b);
        const double *t = theta + block_offset(x, b);
        for (j = 0; j < arb_mat_ncols(m); j++)
            for (i = 0; i < arb_mat_nrows(m); i++)
                arb_set_d(arb_mat_entry(m, i, j), t[i + arb_mat_nrows(m) * j]);
    }
}

typedef struct {
    double *to;
    const double *from;
    slong rows;
} double_columns;

static void copy_double_column(void *ctx, slong c, slong j)
{
    double_columns *d = ctx;
    memcpy(d->to + d->rows * c, d->from + d->rows * j, d->rows * sizeof(double));
}

void dnc_bpoint_get_theta_expanded(double *theta, const dnc_bpoint_t x)
{
    slong rows = arb_mat_nrows(x->H1), h1 = rows * x->p->N;
    slong rest = dnc_param_offset(x->p, x->p->N, DNC_NKINDS, 0) - h1;
    double *small = flint_malloc(dnc_param_offset(x->p, x->ncols, DNC_NKINDS, 0) * sizeof(double));
    double_columns d;
    dnc_bpoint_get_theta(small, x);
    d.to = theta;
    d.from = small;
    d.rows = rows;
    expand_columns(x, copy_double_column, &d);
    memcpy(theta + h1, small + rows * x->ncols, rest * sizeof(double));   /* W_l and b as they are */
    flint_free(small);
}

void dnc_bpoint_get_theta(double *theta, const dnc_bpoint_t x)
{
    slong b, i, j;
    for (b = 0; b <= x->p->L + 1; b++) {
        arb_mat_struct *m = dnc_bpoint_block(x, b);
        double *t = theta + block_offset(x, b);
        for (j = 0; j < arb_mat_ncols(m); j++)
            for (i = 0; i < arb_mat_nrows(m); i++)
                t[i + arb_mat_nrows(m) * j] = arf_get_d(arb_midref(arb_mat_entry(m, i, j)), ARF_RND_NEAR);
    }
}

void dnc_bpoint_entries(arb_ptr *v, const dnc_bpoint_t x)
{
    slong b, i, j;
    for (b = 0; b <= x->p->L + 1; b++) {
        arb_mat_struct *m = dnc_bpoint_block(x, b);
        arb_ptr *t = v + block_offset(x, b);
        for (j = 0; j < arb_mat_ncols(m); j++)
            for (i = 0; i < arb_mat_nrows(m); i++)
                t[i + arb_mat_nrows(m) * j] = arb_mat_entry(m, i, j);
    }
}
