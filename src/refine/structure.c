/* The structure of a refined point (docs/refine.md §5): rank profiles of the class means,
 * kink patterns per class, class-mean Gram matrices, and candidate minimal polynomials of
 * the loss and of the Gram entries by integer relation. Reported, never claimed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <lapacke.h>
#include "dncert/algebraic.h"
#include "dncert/exact.h"
#include "dncert/io.h"
#include "dncert/refine.h"

#define RANK_TOL 1e-9         /* singular values below this times the largest: rank deficiency */
#define GRAM_DISTINCT 8       /* at most this many distinct Gram entries recognised per layer */

/* M (d x K) <- the class means of the columns of X (d x N, columns ordered by class). */
static void class_means(arb_mat_t M, const arb_mat_t X, const dnc_problem_struct *p, slong prec)
{
    slong i, k, j, start = 0;
    for (k = 0; k < p->K; start += p->n[k], k++)
        for (i = 0; i < arb_mat_nrows(X); i++) {
            arb_ptr m = arb_mat_entry(M, i, k);
            arb_zero(m);
            for (j = start; j < start + p->n[k]; j++)
                arb_add(m, m, arb_mat_entry(X, i, j), prec);
            arb_div_si(m, m, p->n[k], prec);
        }
}

/* {"singular_values": [...], "rank": r} of M's midpoints (double SVD, rank with RANK_TOL). */
static json_t *rank_json(const arb_mat_t M)
{
    slong r = arb_mat_nrows(M), c = arb_mat_ncols(M), i, j, k = FLINT_MIN(r, c), rank = 0;
    double *a = malloc((r * c + 1) * sizeof(double)), *s = malloc((k + 1) * sizeof(double));
    double *sup = malloc((k + 1) * sizeof(double));
    json_t *sv = json_array();
    for (j = 0; j < c; j++)
        for (i = 0; i < r; i++)
            a[i + r * j] = arf_get_d(arb_midref(arb_mat_entry(M, i, j)), ARF_RND_NEAR);
    if (k > 0 && LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'N', 'N', (int) r, (int) c, a, (int) r, s, NULL, 1, NULL, 1, sup) == 0)
        for (i = 0; i < k; i++) {
            rank += s[i] > RANK_TOL * s[0];
            json_array_append_new(sv, dnc_json_real(s[i]));
        }
    free(a); free(s); free(sup);
    return json_pack("{s:I, s:o}", "rank", (json_int_t) rank, "singular_values", sv);
}

/* {"polynomial": [a_0, ..], "residual_log10": r, "status": ..} or a "none" status. */
static json_t *recognize_json(const arb_t x, double digits, slong maxdeg)
{
    fmpz_poly_t f;
    double res = 0;
    slong d, bits = (slong) (digits * log2(10.0));
    json_t *o;
    fmpz_poly_init(f);
    d = dnc_alg_recognize(f, &res, x, bits, maxdeg);
    if (d > 0)
        o = json_pack("{s:s, s:o, s:I, s:o, s:I}", "status", "candidate (integer relation by LLL; not a theorem)",
                      "polynomial", dnc_json_fmpz_poly(f), "degree", (json_int_t) d, "residual_log10",
                      dnc_json_real(res),   /* null where the polynomial vanishes exactly (x = 0) */
                      "digits_used", (json_int_t) digits);
    else
        o = json_pack("{s:s, s:I, s:I}", "status", "none: no relation of small height found", "max_degree",
                      (json_int_t) maxdeg, "digits_used", (json_int_t) digits);
    fmpz_poly_clear(f);
    return o;
}

/* The Gram matrix M^T M as doubles, and candidates for its distinct entries. */
static json_t *gram_json(const arb_mat_t M, double digits, slong prec)
{
    slong K = arb_mat_ncols(M), i, j, q, nd = 0;
    arb_mat_t T, G;
    arb_ptr distinct[GRAM_DISTINCT];
    json_t *rows = json_array(), *rec = json_array();
    arb_mat_init(T, K, arb_mat_nrows(M));
    arb_mat_init(G, K, K);
    arb_mat_transpose(T, M);
    arb_mat_mul(G, T, M, prec);
    for (i = 0; i < K; i++) {
        json_t *row = json_array();
        for (j = 0; j < K; j++) {
            arb_ptr g = arb_mat_entry(G, i, j);
            json_array_append_new(row, dnc_json_real(arf_get_d(arb_midref(g), ARF_RND_NEAR)));
            if (j < i)
                continue;
            for (q = 0; q < nd; q++) {   /* equal to the digits trusted: the same value */
                arb_t d;
                arb_init(d);
                arb_sub(d, g, distinct[q], prec);
                if (arf_cmpabs_2exp_si(arb_midref(d), -(slong) (digits * log2(10.0))) < 0)
                    q = nd + 1;
                arb_clear(d);
            }
            if (q == nd && nd < GRAM_DISTINCT && !arf_is_zero(arb_midref(g))
                && arf_cmpabs_2exp_si(arb_midref(g), -(slong) (digits * log2(10.0)) / 2) > 0) {
                json_t *r = recognize_json(g, digits, 4);
                distinct[nd++] = g;
                json_object_set_new(r, "entry", json_pack("[I, I]", (json_int_t) i, (json_int_t) j));
                json_object_set_new(r, "value", dnc_json_real(arf_get_d(arb_midref(g), ARF_RND_NEAR)));
                json_array_append_new(rec, r);
            }
        }
        json_array_append_new(rows, row);
    }
    arb_mat_clear(T);
    arb_mat_clear(G);
    return json_pack("{s:o, s:o}", "matrix", rows, "recognized", rec);
}

/* Per class (first column of the class; "uniform": all its columns agree): one character per
 * unit, '+' u > tol, '-' u < -tol, '0' |u| <= tol, tol = 2^(-prec/2) max |u| of the layer. */
static json_t *kinks_json(const arb_mat_t U, const dnc_problem_struct *p, slong prec)
{
    slong d = arb_mat_nrows(U), i, j, k, start = 0, nk = 0;
    arf_t tol;
    json_t *cls = json_array();
    char *s = malloc(d + 1), *t = malloc(d + 1);
    arf_init(tol);
    for (i = 0; i < d; i++)
        for (j = 0; j < arb_mat_ncols(U); j++)
            if (arf_cmpabs(arb_midref(arb_mat_entry(U, i, j)), tol) > 0)
                arf_abs(tol, arb_midref(arb_mat_entry(U, i, j)));
    arf_mul_2exp_si(tol, tol, -prec / 2);
    for (k = 0; k < p->K; start += p->n[k], k++) {
        int uniform = 1;
        for (j = start; j < start + p->n[k]; j++) {
            char *w = j == start ? s : t;
            for (i = 0; i < d; i++) {
                const arf_struct *u = arb_midref(arb_mat_entry(U, i, j));
                w[i] = arf_cmpabs(u, tol) <= 0 ? '0' : arf_sgn(u) > 0 ? '+' : '-';
                nk += w[i] == '0';
            }
            w[d] = '\0';
            uniform &= j == start || strcmp(s, t) == 0;
        }
        json_array_append_new(cls, json_pack("{s:s, s:b}", "pattern", s, "uniform", uniform));
    }
    arf_clear(tol);
    free(s);
    free(t);
    return json_pack("{s:I, s:o}", "kinks", (json_int_t) nk, "classes", cls);
}

json_t *dnc_refine_structure(const fmpq *exact, const dnc_problem_t p, slong prec, double digits)
{
    dnc_bpoint_t x;
    dnc_beval_t e;
    arb_ptr *v;
    arb_mat_struct *pre;
    arb_mat_t H, M;
    slong l, i, n = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    json_t *layers = json_array(), *out;
    /* a residual of exactly 0 (the zero point) gives digits = inf: trust at most the working
     * precision, less a margin */
    if (!(digits <= prec * log10(2.0) - 6))
        digits = prec * log10(2.0) - 6;
    dnc_bpoint_init(x, (dnc_problem_struct *) p);
    v = flint_malloc(n * sizeof(arb_ptr));
    dnc_bpoint_entries(v, x);
    for (i = 0; i < n; i++)
        arb_set_fmpq(v[i], exact + i, prec);
    pre = flint_malloc((p->L + 1) * sizeof(arb_mat_struct));
    for (l = 0; l <= p->L; l++)
        arb_mat_init(pre + l, l >= 2 ? p->width[l - 1] : 0, l >= 2 ? p->N : 0);
    dnc_beval_init(e);
    dnc_ball_eval_frozen(e, x, NULL, pre, 0, prec);
    for (l = 1; l <= p->L; l++) {
        json_t *layer = json_pack("{s:I}", "layer", (json_int_t) l);
        arb_mat_init(H, p->width[l - 1], p->N);
        arb_mat_init(M, p->width[l - 1], p->K);
        if (l == 1)
            arb_mat_set(H, x->H1);
        else {
            slong r, c;
            class_means(M, pre + l, p, prec);
            json_object_set_new(layer, "pre_activation", rank_json(M));
            for (r = 0; r < arb_mat_nrows(H); r++)
                for (c = 0; c < p->N; c++)
                    if (p->act[l - 2] == DNC_ACT_RELU)
                        dnc_ball_relu(arb_mat_entry(H, r, c), arb_mat_entry(pre + l, r, c));
                    else
                        arb_set(arb_mat_entry(H, r, c), arb_mat_entry(pre + l, r, c));
            if (p->act[l - 2] == DNC_ACT_RELU)
                json_object_set_new(layer, "kink_pattern", kinks_json(pre + l, p, prec));
        }
        class_means(M, H, p, prec);
        json_object_set_new(layer, "features", rank_json(M));
        json_object_set_new(layer, "gram", gram_json(M, digits, prec));
        json_array_append_new(layers, layer);
        arb_mat_clear(H);
        arb_mat_clear(M);
    }
    {
        char *s = dnc_arb_proven_decimal(e->loss, 60);
        out = json_pack("{s:s, s:I, s:o, s:o}", "loss", s, "digits_trusted", (json_int_t) digits,
                        "loss_recognized", recognize_json(e->loss, digits, 8), "layers", layers);
        flint_free(s);
    }
    for (l = 0; l <= p->L; l++)
        arb_mat_clear(pre + l);
    flint_free(pre);
    flint_free(v);
    dnc_beval_clear(e);
    dnc_bpoint_clear(x);
    return out;
}
