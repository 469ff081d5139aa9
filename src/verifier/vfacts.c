/* Exact facts about a point's patterns (format §6.8). When every block is one term with a
 * positive scale, ReLU commutes with the scales, so every pre- and post-activation is a
 * positive multiple of the exact rational forward pass of the patterns E(.):
 *   Q_1 = E(H1),  P_l = E(W_{l-1}) Q_{l-1},  Q_l = sigma_{l-1}(P_l)   (l = 2..L),
 * and A_l, M_l are the class means of the columns of P_l and Q_l (M_1 = A_1 = means of Q_1).
 *
 * The pass runs on integer matrices: each pattern is its integer numerators over one common
 * denominator, which a positive factor, and ReLU commutes with it. Class means divide column
 * sums by the class counts, a positive column scaling, which every fact either ignores
 * (rank, signs, orthogonality) or checks by cross-multiplication (relu_identity). Sizes are
 * bounded before each product (VX_FACT_BITS), so exact arithmetic cannot explode: beyond
 * them the claim is "not proven". */
#include <string.h>
#include <flint/fmpz_mat.h>
#include "verifier.h"

#define VX_FACT_ENTRY_BITS (1L << 14)   /* bits of one integer entry of the pass */
#define VX_FACT_BITS       (1L << 30)   /* bits of one integer matrix of the pass */

/* Z <- the pattern E of a block as integers over a common denominator (dropped: a positive
 * factor). Returns 0 when the denominator or an entry would exceed VX_FACT_ENTRY_BITS. */
static int integer_pattern(fmpz_mat_t Z, const fmpq_mat_t E)
{
    slong i, j;
    fmpz_t d;
    int ok = 1;
    fmpz_init(d);
    fmpz_one(d);
    for (i = 0; i < fmpq_mat_nrows(E) && ok; i++)
        for (j = 0; j < fmpq_mat_ncols(E) && ok; j++) {
            const fmpz *q = fmpq_denref(fmpq_mat_entry(E, i, j));
            if (!fmpz_is_one(q) && !fmpz_divisible(d, q))
                fmpz_lcm(d, d, q);
            ok = (slong) fmpz_bits(d) + (slong) fmpz_bits(fmpq_numref(fmpq_mat_entry(E, i, j))) <= VX_FACT_ENTRY_BITS;
        }
    fmpz_mat_init(Z, fmpq_mat_nrows(E), fmpq_mat_ncols(E));
    for (i = 0; i < fmpq_mat_nrows(E) && ok; i++)
        for (j = 0; j < fmpq_mat_ncols(E); j++) {
            const fmpq *q = fmpq_mat_entry(E, i, j);
            fmpz_divexact(fmpz_mat_entry(Z, i, j), d, fmpq_denref(q));
            fmpz_mul(fmpz_mat_entry(Z, i, j), fmpz_mat_entry(Z, i, j), fmpq_numref(q));
        }
    fmpz_clear(d);
    return ok;
}

/* 1 when the product A B stays within the size bounds. */
static int product_fits(const fmpz_mat_t A, const fmpz_mat_t B)
{
    double bits = (double) FLINT_ABS(fmpz_mat_max_bits(A)) + (double) FLINT_ABS(fmpz_mat_max_bits(B))
                  + (double) FLINT_BIT_COUNT(fmpz_mat_ncols(A)) + 1;
    return bits <= (double) VX_FACT_ENTRY_BITS
           && bits * (double) fmpz_mat_nrows(A) * (double) fmpz_mat_ncols(B) <= (double) VX_FACT_BITS;
}

static void relu_z(fmpz_mat_t m)
{
    slong i, j;
    for (i = 0; i < fmpz_mat_nrows(m); i++)
        for (j = 0; j < fmpz_mat_ncols(m); j++)
            if (fmpz_sgn(fmpz_mat_entry(m, i, j)) < 0)
                fmpz_zero(fmpz_mat_entry(m, i, j));
}

/* S (pre) and T (post) <- the class sums of the columns of P_layer and Q_layer, up to a
 * positive factor; class k's mean is its sum over n_k for the expanded layout and the column
 * itself for the collapsed one (*div <- 1 then). Returns 0 when a size bound is exceeded. */
static int class_sums(fmpz_mat_t S, fmpz_mat_t T, int *div, const vx_point *P, const vx_problem *p, slong layer)
{
    fmpz_mat_t pre, post, W;
    slong l, i, j;
    int ok = integer_pattern(post, P->pat);
    fmpz_mat_init_set(pre, post);
    for (l = 2; l <= layer && ok; l++) {
        ok = integer_pattern(W, P->pat + l - 1) && product_fits(W, post);
        fmpz_mat_clear(pre);
        fmpz_mat_init(pre, fmpz_mat_nrows(W), P->ncols);
        if (ok)
            fmpz_mat_mul(pre, W, post);
        fmpz_mat_clear(W);
        fmpz_mat_clear(post);
        fmpz_mat_init_set(post, pre);
        if (p->relu[l - 2])
            relu_z(post);
    }
    fmpz_mat_init(S, fmpz_mat_nrows(pre), p->K);
    fmpz_mat_init(T, fmpz_mat_nrows(pre), p->K);
    for (j = 0; j < P->ncols && ok; j++)
        for (i = 0; i < fmpz_mat_nrows(pre); i++) {
            fmpz_add(fmpz_mat_entry(S, i, P->label[j]), fmpz_mat_entry(S, i, P->label[j]), fmpz_mat_entry(pre, i, j));
            fmpz_add(fmpz_mat_entry(T, i, P->label[j]), fmpz_mat_entry(T, i, P->label[j]), fmpz_mat_entry(post, i, j));
        }
    *div = !P->collapsed;
    fmpz_mat_clear(pre);
    fmpz_mat_clear(post);
    return ok;
}

/* T^T T is diagonal with a positive diagonal (unchanged by a positive column scaling). */
static int gram_diagonal(const fmpz_mat_t T)
{
    fmpz_mat_t Tt, G;
    slong i, j;
    int ok;
    fmpz_mat_init(Tt, fmpz_mat_ncols(T), fmpz_mat_nrows(T));
    fmpz_mat_init(G, fmpz_mat_ncols(T), fmpz_mat_ncols(T));
    fmpz_mat_transpose(Tt, T);
    if ((ok = product_fits(Tt, T)))
        fmpz_mat_mul(G, Tt, T);
    for (i = 0; i < fmpz_mat_nrows(G) && ok; i++)
        for (j = 0; j < fmpz_mat_ncols(G); j++)
            ok &= i == j ? fmpz_sgn(fmpz_mat_entry(G, i, j)) > 0 : fmpz_is_zero(fmpz_mat_entry(G, i, j));
    fmpz_mat_clear(Tt);
    fmpz_mat_clear(G);
    return ok;
}

/* After deleting the zero rows of ReLU(S), what remains is h I_K with one h > 0 for all
 * classes, classes in order; with div, class k's entry is S[i, k] / n_k. */
static int relu_identity(fmpz_mat_t S, int div, const vx_problem *p)
{
    slong i, j, k = 0, i0 = -1;
    fmpz_t a, b;
    int ok = 1;
    relu_z(S);
    fmpz_init(a);
    fmpz_init(b);
    for (i = 0; i < fmpz_mat_nrows(S) && ok; i++) {
        for (j = 0; j < fmpz_mat_ncols(S) && fmpz_is_zero(fmpz_mat_entry(S, i, j)); j++)
            ;
        if (j == fmpz_mat_ncols(S))
            continue;   /* a zero row */
        ok = j == k;
        for (j = k + 1; j < fmpz_mat_ncols(S) && ok; j++)
            ok = fmpz_is_zero(fmpz_mat_entry(S, i, j));
        if (ok && i0 >= 0) {   /* S[i, k] / w_k = S[i0, 0] / w_0, cross-multiplied */
            fmpz_mul_si(a, fmpz_mat_entry(S, i, k), div ? p->n[0] : 1);
            fmpz_mul_si(b, fmpz_mat_entry(S, i0, 0), div ? p->n[k] : 1);
            ok = fmpz_equal(a, b);
        }
        if (i0 < 0)
            i0 = i;
        k++;
    }
    fmpz_clear(a);
    fmpz_clear(b);
    return ok && k == fmpz_mat_ncols(S);
}

static int nonnegative(const fmpz_mat_t S)
{
    slong i, j;
    for (i = 0; i < fmpz_mat_nrows(S); i++)
        for (j = 0; j < fmpz_mat_ncols(S); j++)
            if (fmpz_sgn(fmpz_mat_entry(S, i, j)) < 0)
                return 0;
    return 1;
}

int vx_fact(vx_ctx *c, vx_point *P, const char *fact, slong layer, slong want, char *why, size_t len)
{
    static const char *const facts[5] = { "gram_diagonal", "rank_pre", "relu_identity", "relu_inactive", "collapsed" };
    fmpz_mat_t S, T;
    slong r;
    int f, ok, div;
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
    if (!class_sums(S, T, &div, P, &c->p, layer)) {
        snprintf(why, len, "the exact patterns of point %s exceed the size bounds of the exact check (§6.8)", P->name);
        ok = 0;
    } else if (f == 1) {
        /* fraction-free elimination: bounded input, so that its entry growth stays small */
        if ((double) fmpz_mat_nrows(S) * (double) fmpz_mat_ncols(S) * (double) (FLINT_ABS(fmpz_mat_max_bits(S)) + 1)
            > (double) (1L << 22)) {
            snprintf(why, len, "A_%ld of point %s is too large for the exact rank check (§6.8)", (long) layer, P->name);
            ok = 0;
        } else if (!(ok = (r = fmpz_mat_rank(S)) == want))
            snprintf(why, len, "the exact rank of A_%ld of point %s is %ld", (long) layer, P->name, (long) r);
    } else if (!(ok = f == 0 ? gram_diagonal(T) : f == 2 ? relu_identity(S, div, &c->p) : nonnegative(S)))
        snprintf(why, len, "the exact pattern %s_%ld of point %s does not satisfy %s (or exceeds the size bounds)",
                 f == 0 ? "M" : "A", (long) layer, P->name, fact);
    fmpz_mat_clear(S);
    fmpz_mat_clear(T);
    return ok;
}
