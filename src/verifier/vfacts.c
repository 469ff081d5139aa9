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

#define VX_FACT_ENTRY_BITS (1L << 12)   /* bits of one integer entry of the pass */
#define VX_FACT_BITS       (1L << 30)   /* bits of one integer matrix of the pass */
#define VX_FACT_WORK       (1L << 26)   /* multiply-adds of the whole pass */

/* Entry k of a block's pattern as written: (row, column, rational string), from the one term
 * or from "dense" (the reader validated both). */
static const char *pattern_entry(const json_t *block, slong rows, slong k, slong *i, slong *j)
{
    const json_t *d = json_object_get(block, "dense"), *e;
    if (d != NULL) {
        *i = k % rows, *j = k / rows;
        return json_string_value(json_array_get(d, k));
    }
    e = json_array_get(json_object_get(json_array_get(json_object_get(block, "terms"), 0), "entries"), k);
    *i = (slong) json_integer_value(json_array_get(e, 0));
    *j = (slong) json_integer_value(json_array_get(e, 1));
    return json_string_value(json_array_get(e, 2));
}

static slong pattern_count(const json_t *block, slong rows, slong cols)
{
    const json_t *d = json_object_get(block, "dense");
    return d != NULL ? rows * cols
                     : (slong) json_array_size(json_object_get(json_array_get(json_object_get(block, "terms"), 0), "entries"));
}

/* Z (rows x cols, initialised here) <- the block's pattern as integers over their common
 * denominator (dropped: a positive factor). Returns 0 when an entry would exceed
 * VX_FACT_ENTRY_BITS. */
static int integer_pattern(fmpz_mat_t Z, const json_t *block, slong rows, slong cols)
{
    slong n = pattern_count(block, rows, cols), k, i, j;
    fmpz_t d;
    fmpq_t q;
    int ok = 1;
    fmpz_init(d);
    fmpq_init(q);
    fmpz_one(d);
    fmpz_mat_init(Z, rows, cols);
    for (k = 0; k < n && ok; k++) {              /* the common denominator, bounded */
        vx_parse_rational(q, pattern_entry(block, rows, k, &i, &j));
        if (!fmpz_divisible(d, fmpq_denref(q)))
            fmpz_lcm(d, d, fmpq_denref(q));
        ok = (slong) (fmpz_bits(d) + fmpz_bits(fmpq_numref(q))) <= VX_FACT_ENTRY_BITS;
    }
    for (k = 0; k < n && ok; k++) {
        fmpz *z;
        vx_parse_rational(q, pattern_entry(block, rows, k, &i, &j));
        z = fmpz_mat_entry(Z, i, j);
        fmpz_divexact(z, d, fmpq_denref(q));
        fmpz_mul(z, z, fmpq_numref(q));
    }
    fmpz_clear(d);
    fmpq_clear(q);
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

/* out (initialised here) <- the class sums of the columns of X. */
static void class_sums(fmpz_mat_t out, const fmpz_mat_t X, const vx_point *P, slong K)
{
    slong i, j;
    fmpz_mat_init(out, fmpz_mat_nrows(X), K);
    for (j = 0; j < fmpz_mat_ncols(X); j++)
        for (i = 0; i < fmpz_mat_nrows(X); i++)
            fmpz_add(fmpz_mat_entry(out, i, P->label[j]), fmpz_mat_entry(out, i, P->label[j]), fmpz_mat_entry(X, i, j));
}

static const char *block_name(char *buf, slong b)
{
    if (b == 0)
        snprintf(buf, 24, "H1");
    else
        snprintf(buf, 24, "W%ld", (long) b);
    return buf;
}

/* The exact pass over every layer, once per point: P->sums[l] and P->sums[L + 1 + l] are the
 * class sums of P_l and Q_l (l = 1..L), up to a positive factor; the class means divide them
 * by n_k for the expanded layout, and are them for the collapsed one. Sets P->facts_state. */
static void exact_pass(const vx_problem *p, vx_point *P)
{
    slong L = p->L, l;
    fmpz_mat_t post, pre, W;
    char name[24];
    int ok = vx_point_work(p, P->ncols) <= (double) VX_FACT_WORK;
    P->sums = flint_malloc(2 * (L + 1) * sizeof(fmpz_mat_struct));
    for (l = 0; l < 2 * (L + 1); l++)
        fmpz_mat_init(P->sums + l, 0, 0);
    if (ok)
        ok = integer_pattern(post, json_object_get(P->blocks, block_name(name, 0)), p->width[0], P->ncols);
    else
        fmpz_mat_init(post, 0, 0);
    fmpz_mat_init_set(pre, post);
    for (l = 1; l <= L && ok; l++) {
        if (l > 1) {
            ok = integer_pattern(W, json_object_get(P->blocks, block_name(name, l - 1)), p->width[l - 1], p->width[l - 2])
                 && product_fits(W, post);
            fmpz_mat_clear(pre);
            fmpz_mat_init(pre, p->width[l - 1], P->ncols);
            if (ok)
                fmpz_mat_mul(pre, W, post);
            fmpz_mat_clear(W);
            fmpz_mat_clear(post);
            fmpz_mat_init_set(post, pre);
            if (p->relu[l - 2])
                relu_z(post);
        }
        fmpz_mat_clear(P->sums + l);
        fmpz_mat_clear(P->sums + L + 1 + l);
        class_sums(P->sums + l, pre, P, p->K);
        class_sums(P->sums + L + 1 + l, post, P, p->K);
    }
    fmpz_mat_clear(pre);
    fmpz_mat_clear(post);
    P->facts_state = ok ? 1 : -1;
}

/* rank(S), on the taller of S and its transpose (FLINT's fraction-free elimination is much
 * slower on wide matrices). */
static slong rank(const fmpz_mat_t S)
{
    fmpz_mat_t T;
    slong r;
    if (fmpz_mat_nrows(S) >= fmpz_mat_ncols(S))
        return fmpz_mat_rank(S);
    fmpz_mat_init(T, fmpz_mat_ncols(S), fmpz_mat_nrows(S));
    fmpz_mat_transpose(T, S);
    r = fmpz_mat_rank(T);
    fmpz_mat_clear(T);
    return r;
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
    if (P->facts_state == 0)
        exact_pass(&c->p, P);
    if (P->facts_state < 0) {
        snprintf(why, len, "the exact patterns of point %s exceed the size bounds of the exact check (§6.8)", P->name);
        return 0;
    }
    fmpz_mat_init_set(S, P->sums + layer);                  /* copies: relu_identity changes S */
    fmpz_mat_init_set(T, P->sums + c->p.L + 1 + layer);
    div = !P->collapsed;
    if (f == 1) {
        /* fraction-free elimination: bounded input, so that its entry growth stays small */
        if ((double) fmpz_mat_nrows(S) * (double) fmpz_mat_ncols(S) * (double) (FLINT_ABS(fmpz_mat_max_bits(S)) + 1)
            > (double) (1L << 22)) {
            snprintf(why, len, "A_%ld of point %s is too large for the exact rank check (§6.8)", (long) layer, P->name);
            ok = 0;
        } else if (!(ok = (r = rank(S)) == want))
            snprintf(why, len, "the exact rank of A_%ld of point %s is %ld", (long) layer, P->name, (long) r);
    } else if (!(ok = f == 0 ? gram_diagonal(T) : f == 2 ? relu_identity(S, div, &c->p) : nonnegative(S)))
        snprintf(why, len, "the exact pattern %s_%ld of point %s does not satisfy %s (or exceeds the size bounds)",
                 f == 0 ? "M" : "A", (long) layer, P->name, fact);
    fmpz_mat_clear(S);
    fmpz_mat_clear(T);
    return ok;
}
