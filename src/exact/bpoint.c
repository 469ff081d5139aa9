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

void dnc_bpoint_init_expand(dnc_bpoint_t out, const dnc_bpoint_t x)
{
    slong j, r, c = 0, k, col;
    dnc_bpoint_init(out, x->p);
    /* Expanded columns are ordered by class; copy each class's columns in turn. */
    for (k = 0; k < x->p->K; k++)
        for (j = 0; j < x->ncols; j++) {
            if (x->label[j] != k)
                continue;
            for (col = 0; col < x->mult[j]; col++, c++)
                for (r = 0; r < arb_mat_nrows(x->H1); r++)
                    arb_set(arb_mat_entry(out->H1, r, c), arb_mat_entry(x->H1, r, j));
        }
    bpoint_copy_weights(out, x);
}

/* Visits every entry of block b (0 = H1, 1..L = W_l, L+1 = bias) with its offset in
 * the trainer's column-major parameter vector. */
static arb_mat_struct *block(const dnc_bpoint_t x, slong b)
{
    if (b == 0)
        return (arb_mat_struct *) x->H1;
    if (b <= x->p->L)
        return x->W + b - 1;
    return (arb_mat_struct *) x->b;
}

static slong block_offset(const dnc_bpoint_t x, slong b)
{
    if (b == 0)
        return 0;
    return dnc_param_offset(x->p, x->ncols, b <= x->p->L ? DNC_W : DNC_B, b);
}

void dnc_bpoint_set_theta(dnc_bpoint_t x, const double *theta)
{
    slong b, i, j;
    for (b = 0; b <= x->p->L + 1; b++) {
        arb_mat_struct *m = block(x, b);
        const double *t = theta + block_offset(x, b);
        for (j = 0; j < arb_mat_ncols(m); j++)
            for (i = 0; i < arb_mat_nrows(m); i++)
                arb_set_d(arb_mat_entry(m, i, j), t[i + arb_mat_nrows(m) * j]);
    }
}

void dnc_bpoint_get_theta(double *theta, const dnc_bpoint_t x)
{
    slong b, i, j;
    for (b = 0; b <= x->p->L + 1; b++) {
        arb_mat_struct *m = block(x, b);
        double *t = theta + block_offset(x, b);
        for (j = 0; j < arb_mat_ncols(m); j++)
            for (i = 0; i < arb_mat_nrows(m); i++)
                t[i + arb_mat_nrows(m) * j] = arf_get_d(arb_midref(arb_mat_entry(m, i, j)), ARF_RND_NEAR);
    }
}
