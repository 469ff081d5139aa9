/* Exact structure facts of a closed-form point, computed on its rational patterns.
 *
 * When every block is s_b E_b with s_b > 0, the class means of layer l are a positive
 * multiple of the exact forward pass of the patterns, because ReLU(s x) = s ReLU(x) for
 * s > 0. So orthogonality, ranks and ReLU patterns of the class means are facts about
 * rational matrices and are decided exactly. */
#include <string.h>
#include <flint/fmpq_mat.h>
#include "dncert/closed.h"

/* The single term of block b, or NULL (*count = number of terms). */
static const dnc_closed_term *only_term(const dnc_closed_t c, slong b, slong *count)
{
    const dnc_closed_term *t = NULL;
    slong i;
    *count = 0;
    for (i = 0; i < c->nterms; i++)
        if (c->terms[i].block == b) {
            t = c->terms + i;
            (*count)++;
        }
    return t;
}

/* Pattern of block b (zero when it has no term), for a point whose blocks passed
 * all_blocks_single. */
static void block_pattern(fmpq_mat_t E, const dnc_closed_t c, slong b)
{
    slong count, k;
    const dnc_closed_term *t = only_term(c, b, &count);
    fmpq_mat_zero(E);
    for (k = 0; count == 1 && k < t->n; k++)
        fmpq_set(fmpq_mat_entry(E, t->row[k], t->col[k]), t->val + k);
}

/* 1 when every block, the bias included, is a single term (or none) with a positive scale. */
static int all_blocks_single(const dnc_closed_t c)
{
    slong b, count;
    for (b = 0; b <= c->p->L + 1; b++) {
        const dnc_closed_term *t = only_term(c, b, &count);
        const dnc_closed_scalar *s = count == 1 && t->scale[0] != '\0' ? dnc_closed_get_scalar(c, t->scale) : NULL;
        if (count > 1 || (count == 1 && t->scale[0] != '\0' && (s == NULL || !arb_is_positive(s->value))))
            return 0;
    }
    return 1;
}

/* A (pre-activation) and M (post-activation) class-mean patterns of layer l. */
static int forward(fmpq_mat_t A, fmpq_mat_t M, const dnc_closed_t c, slong layer)
{
    const dnc_problem_struct *p = c->p;
    slong l;
    fmpq_mat_init(A, p->width[0], p->K);
    fmpq_mat_init(M, p->width[0], p->K);
    if (!all_blocks_single(c))
        return 0;
    block_pattern(A, c, 0);
    fmpq_mat_set(M, A);
    for (l = 2; l <= layer; l++) {
        fmpq_mat_t E;
        fmpq_mat_init(E, p->width[l - 1], p->width[l - 2]);
        block_pattern(E, c, l - 1);
        fmpq_mat_clear(A);
        fmpq_mat_init(A, p->width[l - 1], p->K);
        fmpq_mat_mul(A, E, M);
        fmpq_mat_clear(M);
        fmpq_mat_init(M, p->width[l - 1], p->K);
        if (p->act[l - 2] == DNC_ACT_RELU)
            dnc_comb_relu(M, A);
        else
            fmpq_mat_set(M, A);
        fmpq_mat_clear(E);
    }
    return 1;
}

static int gram_diagonal(const fmpq_mat_t M)
{
    fmpq_mat_t Mt, G;
    slong i, j, K = fmpq_mat_ncols(M);
    int ok = 1;
    fmpq_mat_init(Mt, K, fmpq_mat_nrows(M));
    fmpq_mat_init(G, K, K);
    fmpq_mat_transpose(Mt, M);
    fmpq_mat_mul(G, Mt, M);
    for (i = 0; i < K; i++)
        for (j = 0; j < K; j++)
            ok &= i == j ? fmpq_sgn(fmpq_mat_entry(G, i, j)) > 0 : fmpq_is_zero(fmpq_mat_entry(G, i, j));
    fmpq_mat_clear(Mt);
    fmpq_mat_clear(G);
    return ok;
}

/* After deleting its zero rows, ReLU(A) is h I_K with h > 0, classes in order. */
static int relu_identity(const fmpq_mat_t A)
{
    slong i, j, K = fmpq_mat_ncols(A), next = 0;
    const fmpq *h = NULL;
    for (i = 0; i < fmpq_mat_nrows(A); i++) {
        slong pos = -1;
        for (j = 0; j < K; j++) {
            const fmpq *e = fmpq_mat_entry(A, i, j);
            if (fmpq_sgn(e) <= 0)
                continue;
            if (pos >= 0 || (h != NULL && !fmpq_equal(e, h)))
                return 0;                       /* two positives in a row, or unequal */
            pos = j;
            h = e;
        }
        if (pos >= 0 && pos != next++)
            return 0;                           /* rows out of class order */
    }
    return next == K;
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

int dnc_closed_pattern_fact(const dnc_closed_t c, const char *fact, slong layer, slong rank)
{
    fmpq_mat_t A, M;
    int ok;
    if (strcmp(fact, "collapsed") == 0)
        return c->has_point;   /* closed-form points are always in collapsed form */
    if (layer < 1 || layer > c->p->L || (layer < 2 && strcmp(fact, "gram_diagonal") != 0))
        return 0;
    ok = forward(A, M, c, layer);
    if (ok) {
        if (strcmp(fact, "gram_diagonal") == 0)
            ok = gram_diagonal(M);
        else if (strcmp(fact, "rank_pre") == 0)
            ok = dnc_comb_rank(A) == rank;
        else if (strcmp(fact, "relu_identity") == 0)
            ok = relu_identity(A);
        else if (strcmp(fact, "relu_inactive") == 0)
            ok = nonnegative(A);
        else
            ok = 0;
    }
    fmpq_mat_clear(A);
    fmpq_mat_clear(M);
    return ok;
}
