/* Exact facts about a point's patterns (format §6.9). When every block is one term with a
 * positive scale, ReLU commutes with the scales, so every pre- and post-activation is a
 * positive multiple of the exact rational forward pass of the patterns E(.):
 *   Q_1 = E(H1),  P_l = E(W_{l-1}) Q_{l-1},  Q_l = sigma_{l-1}(P_l)   (l = 2..L),
 * and A_l, M_l are the class means of the columns of P_l and Q_l (M_1 = A_1 = means of Q_1). */
#include <string.h>
#include <flint/fmpz_mat.h>
#include <flint/fmpz_vec.h>
#include "verifier.h"

static void relu_q(fmpq_mat_t m)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(m); i++)
        for (j = 0; j < fmpq_mat_ncols(m); j++)
            if (fmpq_sgn(fmpq_mat_entry(m, i, j)) < 0)
                fmpq_zero(fmpq_mat_entry(m, i, j));
}

/* A (pre-activation) and M (post-activation) class means at `layer`, initialised here. */
static void means(fmpq_mat_t A, fmpq_mat_t M, const vx_point *P, const vx_problem *p, slong layer)
{
    fmpq_mat_t pre, post, C;
    slong l, j;
    fmpq_mat_init_set(pre, P->pat);
    fmpq_mat_init_set(post, P->pat);
    for (l = 2; l <= layer; l++) {
        fmpq_mat_clear(pre);
        fmpq_mat_init(pre, p->width[l - 1], P->ncols);
        fmpq_mat_mul(pre, P->pat + l - 1, post);
        fmpq_mat_clear(post);
        fmpq_mat_init_set(post, pre);
        if (p->relu[l - 2])
            relu_q(post);
    }
    fmpq_mat_init(C, P->ncols, p->K);                  /* C[j, class of j] = w_j / n_k */
    for (j = 0; j < P->ncols; j++)
        fmpq_set_si(fmpq_mat_entry(C, j, P->label[j]), P->mult[j], (ulong) p->n[P->label[j]]);
    fmpq_mat_init(A, p->width[layer - 1], p->K);
    fmpq_mat_init(M, p->width[layer - 1], p->K);
    fmpq_mat_mul(A, pre, C);
    fmpq_mat_mul(M, post, C);
    fmpq_mat_clear(pre);
    fmpq_mat_clear(post);
    fmpq_mat_clear(C);
}

/* M^T M is diagonal with a positive diagonal. */
static int gram_diagonal(const fmpq_mat_t M)
{
    fmpq_mat_t T, G;
    slong i, j;
    int ok = 1;
    fmpq_mat_init(T, fmpq_mat_ncols(M), fmpq_mat_nrows(M));
    fmpq_mat_init(G, fmpq_mat_ncols(M), fmpq_mat_ncols(M));
    fmpq_mat_transpose(T, M);
    fmpq_mat_mul(G, T, M);
    for (i = 0; i < fmpq_mat_nrows(G); i++)
        for (j = 0; j < fmpq_mat_ncols(G); j++)
            ok &= i == j ? fmpq_sgn(fmpq_mat_entry(G, i, j)) > 0 : fmpq_is_zero(fmpq_mat_entry(G, i, j));
    fmpq_mat_clear(T);
    fmpq_mat_clear(G);
    return ok;
}

/* After deleting the zero rows of ReLU(A), what remains is h I_K, h > 0, classes in order. */
static int relu_identity(fmpq_mat_t A)
{
    slong i, j, k = 0;
    const fmpq *h = NULL;
    relu_q(A);
    for (i = 0; i < fmpq_mat_nrows(A); i++) {
        for (j = 0; j < fmpq_mat_ncols(A) && fmpq_is_zero(fmpq_mat_entry(A, i, j)); j++)
            ;
        if (j == fmpq_mat_ncols(A))
            continue;
        if (j != k || (h != NULL && !fmpq_equal(h, fmpq_mat_entry(A, i, j))))
            return 0;
        for (h = fmpq_mat_entry(A, i, j), j = k + 1; j < fmpq_mat_ncols(A); j++)
            if (!fmpq_is_zero(fmpq_mat_entry(A, i, j)))
                return 0;
        k++;
    }
    return k == fmpq_mat_ncols(A);
}

static int nonnegative(const fmpq_mat_t A)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++)
            if (fmpq_sgn(fmpq_mat_entry(A, i, j)) < 0)
                return 0;
    return 1;
}

/* Exact rank, fraction-free over the integers (each row scaled by its denominators). */
static slong rank(const fmpq_mat_t A)
{
    fmpz_mat_t Z;
    fmpz *den = _fmpz_vec_init(fmpq_mat_nrows(A) + 1);
    slong r;
    fmpz_mat_init(Z, fmpq_mat_nrows(A), fmpq_mat_ncols(A));
    fmpq_mat_get_fmpz_mat_rowwise(Z, den, A);
    r = fmpz_mat_rank(Z);
    fmpz_mat_clear(Z);
    _fmpz_vec_clear(den, fmpq_mat_nrows(A) + 1);
    return r;
}

int vx_fact(vx_ctx *c, vx_point *P, const char *fact, slong layer, slong want, char *why, size_t len)
{
    static const char *const facts[5] = { "gram_diagonal", "rank_pre", "relu_identity", "relu_inactive", "collapsed" };
    fmpq_mat_t A, M;
    slong r;
    int f, ok;
    for (f = 0; f < 5 && strcmp(fact, facts[f]) != 0; f++)
        ;
    if (f == 5)
        return vx_fail(c, "unknown fact '%.32s' (gram_diagonal, rank_pre, relu_identity, relu_inactive, collapsed)", fact);
    if (layer < (f == 0 || f == 4 ? 1 : 2) || layer > c->p.L)
        return vx_fail(c, "layer %ld is outside the range of fact %s (1..L for gram_diagonal and collapsed, 2..L "
                       "for the others; L = %ld)", (long) layer, fact, (long) c->p.L);
    if ((f == 1) != (want >= 0))
        return vx_fail(c, f == 1 ? "rank_pre needs \"rank\"" : "only rank_pre has a \"rank\"");
    if (f == 4) {
        if (!P->collapsed)
            snprintf(why, len, "point %s has the expanded layout", P->name);
        return P->collapsed;
    }
    if (!P->pattern_ok) {
        snprintf(why, len, "a block of point %s is not one term with a certified positive scale", P->name);
        return 0;
    }
    means(A, M, P, &c->p, layer);
    if (f == 1) {
        r = rank(A);
        if (!(ok = r == want))
            snprintf(why, len, "the exact rank of A_%ld of point %s is %ld", (long) layer, P->name, (long) r);
    } else if (!(ok = f == 0 ? gram_diagonal(M) : f == 2 ? relu_identity(A) : nonnegative(A)))
        snprintf(why, len, "the exact pattern %s_%ld of point %s does not satisfy %s", f == 0 ? "M" : "A",
                 (long) layer, P->name, fact);
    fmpq_mat_clear(A);
    fmpq_mat_clear(M);
    return ok;
}
