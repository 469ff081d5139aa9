/* Exact combinatorics of the low-rank competitors (docs/math/srg.md): the vertex-edge
 * incidence of K_r, Steiner triple systems by the Bose and Skolem constructions, and the
 * class-mean pre-activation pattern (B^T - J/k) B with its rank and ReLU. Everything is
 * integer or rational arithmetic; nothing here is rounded. */
#include <stdlib.h>
#include "dncert/closed.h"

slong dnc_comb_binom2(slong r)
{
    return r * (r - 1) / 2;
}

void dnc_comb_kr_incidence(fmpz_mat_t B, slong r)
{
    slong i, j, k = 0;
    fmpz_mat_zero(B);
    for (i = 0; i < r; i++)
        for (j = i + 1; j < r; j++, k++) {
            fmpz_one(fmpz_mat_entry(B, i, k));
            fmpz_one(fmpz_mat_entry(B, j, k));
        }
}

/* 1 if every entry of B is 0 or 1 and every column has exactly k ones. */
static int is_01_with_column_sum(const fmpz_mat_t B, slong k)
{
    slong i, j, s;
    for (j = 0; j < fmpz_mat_ncols(B); j++) {
        for (i = 0, s = 0; i < fmpz_mat_nrows(B); i++) {
            const fmpz *e = fmpz_mat_entry(B, i, j);
            if (!fmpz_is_zero(e) && !fmpz_is_one(e))
                return 0;
            s += fmpz_is_one(e);
        }
        if (s != k)
            return 0;
    }
    return 1;
}

/* G <- B^T B (G initialised K x K). */
static void gram(fmpz_mat_t G, const fmpz_mat_t B)
{
    fmpz_mat_t Bt;
    fmpz_mat_init(Bt, fmpz_mat_ncols(B), fmpz_mat_nrows(B));
    fmpz_mat_transpose(Bt, B);
    fmpz_mat_mul(G, Bt, B);
    fmpz_mat_clear(Bt);
}

/* The strongly regular identity A^2 = k I + lam A + mu (J - I - A) for a 0/1 symmetric
 * A with zero diagonal. */
static int is_srg(const fmpz_mat_t A, slong k, slong lam, slong mu)
{
    slong n = fmpz_mat_nrows(A), i, j;
    fmpz_mat_t A2;
    int ok = 1;
    fmpz_mat_init(A2, n, n);
    fmpz_mat_mul(A2, A, A);
    for (i = 0; i < n && ok; i++)
        for (j = 0; j < n && ok; j++) {
            slong want = i == j ? k : (fmpz_is_one(fmpz_mat_entry(A, i, j)) ? lam : mu);
            ok = fmpz_equal_si(fmpz_mat_entry(A2, i, j), want);
        }
    fmpz_mat_clear(A2);
    return ok;
}

int dnc_comb_kr_check(const fmpz_mat_t B, slong r)
{
    slong K = dnc_comb_binom2(r), i, j;
    fmpz_mat_t G, A;
    int ok;
    if (r < 3 || fmpz_mat_nrows(B) != r || fmpz_mat_ncols(B) != K || !is_01_with_column_sum(B, 2))
        return 0;
    fmpz_mat_init(G, K, K);
    fmpz_mat_init(A, K, K);
    gram(G, B);
    /* B^T B = 2 I + A: distinct edges meet in at most one vertex, so A is 0/1; a 2 off
     * the diagonal would be a repeated edge. */
    ok = 1;
    for (i = 0; i < K && ok; i++)
        for (j = 0; j < K && ok; j++) {
            const fmpz *g = fmpz_mat_entry(G, i, j);
            if (i == j)
                ok = fmpz_equal_si(g, 2);
            else {
                ok = fmpz_is_zero(g) || fmpz_is_one(g);
                fmpz_set(fmpz_mat_entry(A, i, j), g);
            }
        }
    /* T(r) is strongly regular with (C(r,2), 2(r-2), r-2, 4). */
    ok = ok && is_srg(A, 2 * (r - 2), r - 2, 4);
    fmpz_mat_clear(G);
    fmpz_mat_clear(A);
    return ok;
}

int dnc_comb_sts_admissible(slong v)
{
    return v >= 7 && (v % 6 == 1 || v % 6 == 3);
}

slong dnc_comb_sts_nblocks(slong v)
{
    return v * (v - 1) / 6;
}

static void add_block(slong *blk, slong *nb, slong a, slong b, slong c)
{
    blk[3 * *nb] = a;
    blk[3 * *nb + 1] = b;
    blk[3 * *nb + 2] = c;
    (*nb)++;
}

/* Bose, v = 3q with q odd: points (x, i) -> x + q i over Z_q x Z_3, with the idempotent
 * commutative quasigroup x o y = (x + y)(q + 1)/2 mod q. */
static slong sts_bose(slong *blk, slong v)
{
    slong q = v / 3, x, y, i, nb = 0;
    for (x = 0; x < q; x++)
        add_block(blk, &nb, x, x + q, x + 2 * q);
    for (i = 0; i < 3; i++)
        for (x = 0; x < q; x++)
            for (y = x + 1; y < q; y++) {
                slong o = ((x + y) * ((q + 1) / 2)) % q;
                add_block(blk, &nb, x + q * i, y + q * i, o + q * ((i + 1) % 3));
            }
    return nb;
}

/* Half-idempotent commutative quasigroup of order 2m: x o y = s/2 for s = x + y mod 2m
 * even, m + (s-1)/2 for s odd; then x o x = (x + m) o (x + m) = x for x < m. */
static slong half_idempotent(slong x, slong y, slong m)
{
    slong s = (x + y) % (2 * m);
    return s % 2 == 0 ? s / 2 : m + (s - 1) / 2;
}

/* Skolem, v = 6m + 1: points (x, i) -> x + 2m i over Z_2m x Z_3, plus infinity = v - 1. */
static slong sts_skolem(slong *blk, slong v)
{
    slong m = (v - 1) / 6, q = 2 * m, inf = v - 1, x, y, i, nb = 0;
    for (x = 0; x < m; x++)
        add_block(blk, &nb, x, x + q, x + 2 * q);
    for (i = 0; i < 3; i++)
        for (x = 0; x < m; x++)
            add_block(blk, &nb, inf, x + m + q * i, x + q * ((i + 1) % 3));
    for (i = 0; i < 3; i++)
        for (x = 0; x < q; x++)
            for (y = x + 1; y < q; y++)
                add_block(blk, &nb, x + q * i, y + q * i, half_idempotent(x, y, m) + q * ((i + 1) % 3));
    return nb;
}

int dnc_comb_sts_incidence(fmpz_mat_t B, slong v)
{
    slong K, nb, j, *blk;
    int ok;
    if (!dnc_comb_sts_admissible(v))
        return 0;
    K = dnc_comb_sts_nblocks(v);
    if (fmpz_mat_nrows(B) != v || fmpz_mat_ncols(B) != K)
        return 0;
    blk = flint_malloc(3 * K * sizeof(slong));
    nb = v % 6 == 3 ? sts_bose(blk, v) : sts_skolem(blk, v);
    fmpz_mat_zero(B);
    for (j = 0; j < nb && j < K; j++) {
        fmpz_add_ui(fmpz_mat_entry(B, blk[3 * j], j), fmpz_mat_entry(B, blk[3 * j], j), 1);
        fmpz_add_ui(fmpz_mat_entry(B, blk[3 * j + 1], j), fmpz_mat_entry(B, blk[3 * j + 1], j), 1);
        fmpz_add_ui(fmpz_mat_entry(B, blk[3 * j + 2], j), fmpz_mat_entry(B, blk[3 * j + 2], j), 1);
    }
    flint_free(blk);
    /* The constructions are classical, but the result is only returned once verified. */
    ok = nb == K && dnc_comb_sts_check(B);
    return ok;
}

int dnc_comb_sts_check(const fmpz_mat_t B)
{
    slong v = fmpz_mat_nrows(B), i, j;
    fmpz_mat_t Bt, BBt;
    int ok;
    if (fmpz_mat_ncols(B) != dnc_comb_sts_nblocks(v) || v < 3 || !is_01_with_column_sum(B, 3))
        return 0;
    /* With 0/1 entries and 3 points per block, (B B^T)[a][b] counts the blocks holding
     * both a and b: an STS is exactly "every off-diagonal entry equals 1". */
    fmpz_mat_init(Bt, fmpz_mat_ncols(B), v);
    fmpz_mat_init(BBt, v, v);
    fmpz_mat_transpose(Bt, B);
    fmpz_mat_mul(BBt, B, Bt);
    ok = 1;
    for (i = 0; i < v && ok; i++)
        for (j = 0; j < v && ok; j++)
            if (i != j)
                ok = fmpz_is_one(fmpz_mat_entry(BBt, i, j));
    fmpz_mat_clear(Bt);
    fmpz_mat_clear(BBt);
    return ok;
}

/* Common column sum of B, or -1 if the columns differ (or B has no column). */
static slong column_sum(const fmpz_mat_t B)
{
    slong i, j, k = -1;
    fmpz_t s;
    fmpz_init(s);
    for (j = 0; j < fmpz_mat_ncols(B); j++) {
        fmpz_zero(s);
        for (i = 0; i < fmpz_mat_nrows(B); i++)
            fmpz_add(s, s, fmpz_mat_entry(B, i, j));
        if (!fmpz_fits_si(s) || (k >= 0 && fmpz_get_si(s) != k) || fmpz_sgn(s) <= 0) {
            k = -1;
            break;
        }
        k = fmpz_get_si(s);
    }
    fmpz_clear(s);
    return k;
}

int dnc_comb_wpat(fmpq_mat_t W, const fmpz_mat_t B)
{
    slong k = column_sum(B), i, j;
    if (k <= 0 || fmpq_mat_nrows(W) != fmpz_mat_ncols(B) || fmpq_mat_ncols(W) != fmpz_mat_nrows(B))
        return 0;
    for (i = 0; i < fmpq_mat_nrows(W); i++)
        for (j = 0; j < fmpq_mat_ncols(W); j++) {
            fmpq *w = fmpq_mat_entry(W, i, j);
            fmpq_set_si(w, -1, (ulong) k);
            fmpq_add_fmpz(w, w, fmpz_mat_entry(B, j, i));
        }
    return 1;
}

int dnc_comb_mtilde(fmpq_mat_t M, const fmpq_mat_t W, const fmpz_mat_t B)
{
    fmpq_mat_t Bq;
    if (fmpq_mat_ncols(W) != fmpz_mat_nrows(B) || fmpq_mat_nrows(M) != fmpq_mat_nrows(W)
        || fmpq_mat_ncols(M) != fmpz_mat_ncols(B))
        return 0;
    fmpq_mat_init(Bq, fmpz_mat_nrows(B), fmpz_mat_ncols(B));
    fmpq_mat_set_fmpz_mat(Bq, B);
    fmpq_mat_mul(M, W, Bq);
    fmpq_mat_clear(Bq);
    return 1;
}

slong dnc_comb_rank(const fmpq_mat_t M)
{
    fmpz_mat_t num;
    fmpz_t den;
    slong rank;
    /* FLINT 2.9 has no fmpq_mat_rank: a common denominator does not change the rank. */
    fmpz_mat_init(num, fmpq_mat_nrows(M), fmpq_mat_ncols(M));
    fmpz_init(den);
    fmpq_mat_get_fmpz_mat_matwise(num, den, M);
    rank = fmpz_mat_rank(num);
    fmpz_mat_clear(num);
    fmpz_clear(den);
    return rank;
}

void dnc_comb_relu(fmpq_mat_t R, const fmpq_mat_t M)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(M); i++)
        for (j = 0; j < fmpq_mat_ncols(M); j++) {
            const fmpq *m = fmpq_mat_entry(M, i, j);
            if (fmpq_sgn(m) > 0)
                fmpq_set(fmpq_mat_entry(R, i, j), m);
            else
                fmpq_zero(fmpq_mat_entry(R, i, j));
        }
}

int dnc_comb_is_scaled_identity(fmpq *h, const fmpq_mat_t R)
{
    slong n = fmpq_mat_nrows(R), i, j;
    if (n == 0 || fmpq_mat_ncols(R) != n || fmpq_sgn(fmpq_mat_entry(R, 0, 0)) <= 0)
        return 0;
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            const fmpq *e = fmpq_mat_entry(R, i, j);
            if (i == j ? !fmpq_equal(e, fmpq_mat_entry(R, 0, 0)) : !fmpq_is_zero(e))
                return 0;
        }
    fmpq_set(h, fmpq_mat_entry(R, 0, 0));
    return 1;
}

int dnc_comb_mtilde_facts(slong *rank_pre, fmpq_t h, const fmpq_mat_t M)
{
    fmpq_mat_t R;
    int ok;
    *rank_pre = dnc_comb_rank(M);
    fmpq_mat_init(R, fmpq_mat_nrows(M), fmpq_mat_ncols(M));
    dnc_comb_relu(R, M);
    ok = dnc_comb_is_scaled_identity(h, R);
    fmpq_mat_clear(R);
    return ok;
}
