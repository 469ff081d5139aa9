/* The objective of format §4 and its Clarke gradient enclosure, in Arb ball arithmetic,
 * written directly from the formula (not through the producer's objective code):
 *
 *   H_1 = H1,  Htilde_{l+1} = W_l H_l,  H_{l+1} = sigma_l(Htilde_{l+1})  (l = 1..L-1),
 *   MSE: R = W_L H_L (+ b 1^T) - Y,   fit = 1/(2N) sum_j w_j ||R_j||^2,
 *   CE:  R = W_L H_L (+ b 1^T),       fit = (1/N) sum_j w_j (log sum_i exp(R_ij) - R_{y_j j}),
 *   reg = (lambda_H/2) sum_j w_j ||H1_j||^2 + sum_l (lambda_l/2) ||W_l||^2,
 *
 * where column j stands for w_j identical samples (w_j = n_k collapsed, 1 expanded). */
#include <string.h>
#include "verifier.h"

/* out <- ReLU(in) for a ball: in itself when >= 0, 0 when <= 0, else [0, max(in)]. */
static void relu(arb_t out, const arb_t in)
{
    if (arb_is_nonnegative(in))
        arb_set(out, in);
    else if (arb_is_nonpositive(in))
        arb_zero(out);
    else
        arb_nonnegative_part(out, in);
}

/* s += w * c * ||column j of X||^2 summed over columns (w = the column's multiplicity, or 1). */
static void add_sqnorm(arb_t s, const arb_mat_t X, const slong *mult, const arb_t c, slong prec)
{
    arb_t t, col;
    slong i, j;
    arb_init(t);
    arb_init(col);
    for (j = 0; j < arb_mat_ncols(X); j++) {
        arb_zero(col);
        for (i = 0; i < arb_mat_nrows(X); i++)
            arb_addmul(col, arb_mat_entry(X, i, j), arb_mat_entry(X, i, j), prec);
        if (mult != NULL)
            arb_mul_si(col, col, mult[j], prec);
        arb_add(t, t, col, prec);
    }
    arb_addmul(s, t, c, prec);
    arb_clear(t);
    arb_clear(col);
}

/* CE of column j of the logits R: log sum_i exp(R_ij) - R_yj, written as
 * log1p(sum_{i != t} exp(R_ij - R_tj)) + R_tj - R_yj for the row t with the largest midpoint
 * (an identity for any t; this t keeps every exp at most about 1). Into ce; with p != NULL
 * also the softmax of the column into p (K balls). */
static void ce_column(arb_t ce, arb_ptr p, const arb_mat_t R, slong j, slong y, slong prec)
{
    slong i, t = 0, K = arb_mat_nrows(R);
    arb_t s, e;
    arb_init(s);
    arb_init(e);
    for (i = 1; i < K; i++)
        if (arf_cmp(arb_midref(arb_mat_entry(R, i, j)), arb_midref(arb_mat_entry(R, t, j))) > 0)
            t = i;
    for (i = 0; i < K; i++) {
        if (i == t)
            arb_one(e);
        else {
            arb_sub(e, arb_mat_entry(R, i, j), arb_mat_entry(R, t, j), prec);
            arb_exp(e, e, prec);
            arb_add(s, s, e, prec);
        }
        if (p != NULL)
            arb_set(p + i, e);
    }
    for (i = 0; p != NULL && i < K; i++) {           /* softmax = exp(R_i - R_t) / (1 + s) */
        arb_add_ui(e, s, 1, prec);
        arb_div(p + i, p + i, e, prec);
    }
    arb_log1p(ce, s, prec);
    arb_add(ce, ce, arb_mat_entry(R, t, j), prec);
    arb_sub(ce, ce, arb_mat_entry(R, y, j), prec);
    arb_clear(s);
    arb_clear(e);
}

/* fit += (1/N) sum_j w_j CE(R_j, y_j). */
static void add_ce(arb_t fit, const arb_mat_t R, const vx_point *P, const fmpz_t N, slong prec)
{
    slong j;
    arb_t t, c;
    arb_init(t);
    arb_init(c);
    for (j = 0; j < arb_mat_ncols(R); j++) {
        ce_column(c, NULL, R, j, P->label[j], prec);
        arb_addmul_si(t, c, P->mult[j], prec);
    }
    arb_set_fmpz(c, N);
    arb_div(t, t, c, prec);
    arb_add(fit, fit, t, prec);
    arb_clear(t);
    arb_clear(c);
}

/* Layer l's features H_l: the block H1 for l = 1, else the stored activation. */
static const arb_mat_struct *features(const vx_point *P, slong l)
{
    return l == 1 ? P->blk : P->fw.post + l;
}

static void forward_init(vx_forward *f, const vx_problem *p, slong ncols)
{
    slong l;
    f->pre = flint_malloc((p->L + 1) * sizeof(arb_mat_struct));
    f->post = flint_malloc((p->L + 1) * sizeof(arb_mat_struct));
    for (l = 2; l <= p->L; l++) {
        arb_mat_init(f->pre + l, p->width[l - 1], ncols);
        arb_mat_init(f->post + l, p->width[l - 1], ncols);
    }
    arb_mat_init(f->R, p->K, ncols);
    arb_init(f->loss);
    arb_init(f->fit);
    arb_init(f->reg);
}

void vx_forward_clear(vx_forward *f, slong L)
{
    slong l;
    for (l = 2; l <= L; l++) {
        arb_mat_clear(f->pre + l);
        arb_mat_clear(f->post + l);
    }
    flint_free(f->pre);
    flint_free(f->post);
    arb_mat_clear(f->R);
    arb_clear(f->loss);
    arb_clear(f->fit);
    arb_clear(f->reg);
}

const vx_forward *vx_point_forward(vx_ctx *c, vx_point *P)
{
    const vx_problem *p = &c->p;
    vx_forward *f = &P->fw;
    slong L = p->L, prec = c->prec, l, i, j;
    arb_t h;
    if (P->forward_done)
        return f;
    forward_init(f, p, P->ncols);
    P->forward_done = 1;
    for (l = 1; l < L; l++) {
        arb_mat_mul(f->pre + l + 1, P->blk + l, features(P, l), prec);
        for (i = 0; i < arb_mat_nrows(f->pre + l + 1); i++)
            for (j = 0; j < P->ncols; j++)
                if (p->relu[l - 1])
                    relu(arb_mat_entry(f->post + l + 1, i, j), arb_mat_entry(f->pre + l + 1, i, j));
                else
                    arb_set(arb_mat_entry(f->post + l + 1, i, j), arb_mat_entry(f->pre + l + 1, i, j));
    }
    arb_mat_mul(f->R, P->blk + L, features(P, L), prec);
    for (j = 0; j < P->ncols; j++)
        for (i = 0; i < p->K; i++) {
            if (p->bias)
                arb_add(arb_mat_entry(f->R, i, j), arb_mat_entry(f->R, i, j), arb_mat_entry(P->blk + L + 1, i, 0), prec);
            if (!p->ce && P->label[j] == i)
                arb_sub_ui(arb_mat_entry(f->R, i, j), arb_mat_entry(f->R, i, j), 1, prec);
        }
    arb_init(h);
    arb_set_fmpz(h, p->N);
    arb_mul_2exp_si(h, h, 1);
    arb_inv(h, h, prec);                                            /* 1/(2N) */
    if (p->ce)
        add_ce(f->fit, f->R, P, p->N, prec);
    else
        add_sqnorm(f->fit, f->R, P->mult, h, prec);
    arb_set_fmpq(h, p->lambda_h, prec);
    arb_mul_2exp_si(h, h, -1);
    add_sqnorm(f->reg, P->blk, P->mult, h, prec);
    for (l = 1; l <= L; l++) {
        arb_set_fmpq(h, p->lambda_w + l - 1, prec);
        arb_mul_2exp_si(h, h, -1);
        add_sqnorm(f->reg, P->blk + l, NULL, h, prec);
    }
    arb_add(f->loss, f->fit, f->reg, prec);
    arb_clear(h);
    return f;
}

/* out <- A^T B. */
static void mul_tn(arb_mat_t out, const arb_mat_t A, const arb_mat_t B, slong prec)
{
    arb_mat_t T;
    arb_mat_init(T, arb_mat_ncols(A), arb_mat_nrows(A));
    arb_mat_transpose(T, A);
    arb_mat_mul(out, T, B, prec);
    arb_mat_clear(T);
}

/* g <- D H^T + lambda W (the gradient of a weight matrix W with input H). */
static void weight_grad(arb_mat_t g, const arb_mat_t D, const arb_mat_t H, const arb_mat_t W, const fmpq_t lambda,
                        slong prec)
{
    arb_mat_t T;
    arb_t lam;
    slong i, j;
    arb_mat_init(T, arb_mat_ncols(H), arb_mat_nrows(H));
    arb_init(lam);
    arb_mat_transpose(T, H);
    arb_mat_mul(g, D, T, prec);
    arb_set_fmpq(lam, lambda, prec);
    for (i = 0; i < arb_mat_nrows(g); i++)
        for (j = 0; j < arb_mat_ncols(g); j++)
            arb_addmul(arb_mat_entry(g, i, j), arb_mat_entry(W, i, j), lam, prec);
    arb_mat_clear(T);
    arb_clear(lam);
}

/* D <- D .* sigma'(pre): 1 where pre > 0, 0 where pre < 0, and the hull of 0 and D (a
 * derivative in [0, 1], Clarke) where pre's ball contains 0 or the mask is set. */
static void relu_grad(arb_mat_t D, const arb_mat_t pre, const char *mask)
{
    slong i, j, rows = arb_mat_nrows(D);
    arb_t zero;
    arb_init(zero);
    for (j = 0; j < arb_mat_ncols(D); j++)
        for (i = 0; i < rows; i++) {
            arb_ptr d = arb_mat_entry(D, i, j);
            arb_srcptr x = arb_mat_entry(pre, i, j);
            if ((mask == NULL || !mask[i + rows * j]) && arb_is_positive(x))
                continue;
            if ((mask == NULL || !mask[i + rows * j]) && arb_is_negative(x))
                arb_zero(d);
            else
                arb_union(d, d, zero, ARF_PREC_EXACT);
        }
    arb_clear(zero);
}

void vx_point_gradient(vx_ctx *c, vx_point *P, char *const *mask, arb_mat_struct *grad)
{
    const vx_problem *p = &c->p;
    const vx_forward *f = vx_point_forward(c, P);
    slong L = p->L, prec = c->prec, l, i, j;
    arb_mat_t G, D, E;
    arb_t s;
    for (l = 0; l < L + 2; l++)
        arb_mat_init(grad + l, arb_mat_nrows(P->blk + l), arb_mat_ncols(P->blk + l));
    arb_init(s);
    arb_mat_init(G, p->K, P->ncols);       /* df/dZ = R diag(w) / N; CE: (softmax - Y) diag(w) / N */
    arb_set_fmpz(s, p->N);
    for (j = 0; j < P->ncols; j++) {
        arb_ptr col = _arb_vec_init(p->K);
        if (p->ce) {
            ce_column(arb_mat_entry(G, 0, j), col, f->R, j, P->label[j], prec);
            arb_sub_ui(col + P->label[j], col + P->label[j], 1, prec);
        }
        for (i = 0; i < p->K; i++) {
            arb_mul_si(arb_mat_entry(G, i, j), p->ce ? col + i : arb_mat_entry(f->R, i, j), P->mult[j], prec);
            arb_div(arb_mat_entry(G, i, j), arb_mat_entry(G, i, j), s, prec);
        }
        _arb_vec_clear(col, p->K);
    }
    for (i = 0; p->bias && i < p->K; i++)                        /* the bias: row sums of G */
        for (j = 0; j < P->ncols; j++)
            arb_add(arb_mat_entry(grad + L + 1, i, 0), arb_mat_entry(grad + L + 1, i, 0), arb_mat_entry(G, i, j), prec);
    weight_grad(grad + L, G, features(P, L), P->blk + L, p->lambda_w + L - 1, prec);
    arb_mat_init(D, p->width[L - 1], P->ncols);
    mul_tn(D, P->blk + L, G, prec);                              /* df/dH_L */
    for (l = L - 1; l >= 1; l--) {
        if (p->relu[l - 1])
            relu_grad(D, f->pre + l + 1, mask != NULL ? mask[l + 1] : NULL);
        weight_grad(grad + l, D, features(P, l), P->blk + l, p->lambda_w + l - 1, prec);
        arb_mat_init(E, p->width[l - 1], P->ncols);
        mul_tn(E, P->blk + l, D, prec);                          /* df/dH_l */
        arb_mat_swap(D, E);
        arb_mat_clear(E);
    }
    arb_set_fmpq(s, p->lambda_h, prec);                          /* per sample: / w_j, + lambda_H H1 */
    for (j = 0; j < P->ncols; j++)
        for (i = 0; i < p->width[0]; i++) {
            arb_div_si(arb_mat_entry(grad, i, j), arb_mat_entry(D, i, j), P->mult[j], prec);
            arb_addmul(arb_mat_entry(grad, i, j), arb_mat_entry(P->blk, i, j), s, prec);
        }
    arb_mat_clear(G);
    arb_mat_clear(D);
    arb_clear(s);
}

void vx_grad_clear(arb_mat_struct *grad, slong L)
{
    slong l;
    for (l = 0; l < L + 2; l++)
        arb_mat_clear(grad + l);
}
