/* The double path of Krawczyk's test (format §6.9, docs/refine.md §7.9), tried first: a
 * preconditioner Y ~ A^-1 in double, and an upper bound of |I - Y J| over the box from one
 * product Y A in double whose rounding (P1) covers. Y is computed here (LU with partial
 * pivoting, recursive, its products in the tiles of vfast.c), but nothing depends on its
 * accuracy: any Y is sound, a poor one only fails the test. Column-major throughout; entry
 * (i, j) of a matrix with leading dimension ld is a[i + ld j]. */
#include <math.h>
#include <string.h>
#include "verifier.h"

#define VD_BASE 32   /* below this size the recursions run plain loops */

/* C (m x n, ldc) -= A (m x k, lda) B (k x n, ldb), the product on contiguous copies. */
static int sub_product(double *C, slong ldc, const double *A, slong lda, const double *B, slong ldb, slong m, slong k,
                       slong n)
{
    double *a, *b, *t;
    slong i, j;
    int ok;
    if (m == 0 || n == 0 || k == 0)
        return 1;
    a = flint_malloc(m * k * sizeof(double));
    b = flint_malloc(k * n * sizeof(double));
    t = flint_malloc(m * n * sizeof(double));
    for (j = 0; j < k; j++)
        memcpy(a + m * j, A + lda * j, m * sizeof(double));
    for (j = 0; j < n; j++)
        memcpy(b + k * j, B + ldb * j, k * sizeof(double));
    ok = vx_fast_product(t, a, b, m, k, n);
    for (j = 0; ok && j < n; j++)
        for (i = 0; i < m; i++)
            C[i + ldc * j] -= t[i + m * j];
    flint_free(a);
    flint_free(b);
    flint_free(t);
    return ok;
}

/* B (n x r, ldb) <- T^-1 B, T (n x n, ldt) lower triangular with unit diagonal (upper = 0)
 * or upper triangular (upper = 1): halves, the coupling block by one product. */
static int trsm(const double *T, slong ldt, double *B, slong ldb, slong n, slong r, int upper)
{
    slong n1 = n / 2, n2 = n - n1, i, j, c;
    if (n <= VD_BASE) {
        for (c = 0; c < r; c++) {
            double *b = B + ldb * c;
            if (!upper)
                for (j = 0; j < n; j++)
                    for (i = j + 1; i < n; i++)
                        b[i] -= T[i + ldt * j] * b[j];
            else
                for (j = n - 1; j >= 0; j--) {
                    b[j] /= T[j + ldt * j];
                    for (i = 0; i < j; i++)
                        b[i] -= T[i + ldt * j] * b[j];
                }
        }
        return 1;
    }
    if (!upper)
        return trsm(T, ldt, B, ldb, n1, r, 0) && sub_product(B + n1, ldb, T + n1, ldt, B, ldb, n2, n1, r)
               && trsm(T + n1 + ldt * n1, ldt, B + n1, ldb, n2, r, 0);
    return trsm(T + n1 + ldt * n1, ldt, B + n1, ldb, n2, r, 1) && sub_product(B, ldb, T + ldt * n1, ldt, B + n1, ldb, n1, n2, r)
           && trsm(T, ldt, B, ldb, n1, r, 1);
}

/* Rows j and piv[j] swapped, j = j0..j1 - 1 in order, in the n columns of A (ld). */
static void swap_rows(double *A, slong ld, slong n, const slong *piv, slong j0, slong j1)
{
    slong j, c;
    for (j = j0; j < j1; j++)
        if (piv[j] != j)
            for (c = 0; c < n; c++) {
                double t = A[j + ld * c];
                A[j + ld * c] = A[piv[j] + ld * c];
                A[piv[j] + ld * c] = t;
            }
}

/* P A = L U in place for the panel A (m x n, m >= n, ld), the row swapped with row j at step
 * j in piv[j] (relative to the panel): the left half, its swaps and L applied to the right
 * half, the Schur complement by one product, the right half (Toledo's recursion). 0 at an
 * exactly zero pivot. */
static int lu(double *A, slong ld, slong m, slong n, slong *piv)
{
    slong n1 = n / 2, n2 = n - n1, i, j, c;
    if (n <= VD_BASE) {
        for (j = 0; j < n; j++) {
            slong p = j;
            for (i = j + 1; i < m; i++)
                if (fabs(A[i + ld * j]) > fabs(A[p + ld * j]))
                    p = i;
            piv[j] = p;
            if (A[p + ld * j] == 0.0)
                return 0;
            swap_rows(A, ld, n, piv, j, j + 1);
            for (i = j + 1; i < m; i++)
                A[i + ld * j] /= A[j + ld * j];
            for (c = j + 1; c < n; c++)
                for (i = j + 1; i < m; i++)
                    A[i + ld * c] -= A[i + ld * j] * A[j + ld * c];
        }
        return 1;
    }
    if (!lu(A, ld, m, n1, piv))
        return 0;
    swap_rows(A + ld * n1, ld, n2, piv, 0, n1);
    if (!trsm(A, ld, A + ld * n1, ld, n1, n2, 0)
        || !sub_product(A + n1 + ld * n1, ld, A + n1, ld, A + ld * n1, ld, m - n1, n1, n2)
        || !lu(A + n1 + ld * n1, ld, m - n1, n2, piv + n1))
        return 0;
    for (j = n1; j < n; j++)
        piv[j] += n1;
    swap_rows(A, ld, n1, piv, n1, n);
    return 1;
}

/* Y (m x m) <- an approximate inverse of A: U^-1 L^-1 P from P A = L U. 0 when a pivot is
 * exactly 0 or the environment is not round-to-nearest (the products refuse it). */
int vx_dense_inverse(double *Y, const double *A, slong m)
{
    double *F = flint_malloc((m * m + 1) * sizeof(double));
    slong *piv = flint_malloc((m + 1) * sizeof(slong)), i;
    int ok;
    memcpy(F, A, m * m * sizeof(double));
    memset(Y, 0, m * m * sizeof(double));
    for (i = 0; i < m; i++)
        Y[i + m * i] = 1.0;
    ok = lu(F, m, m, m, piv);
    if (ok) {
        swap_rows(Y, m, m, piv, 0, m);
        ok = trsm(F, m, Y, m, m, m, 0) && trsm(F, m, Y, m, m, m, 1);
    }
    for (i = 0; ok && i < m * m; i++)
        ok = isfinite(Y[i]);
    flint_free(F);
    flint_free(piv);
    return ok;
}

/* Tests scale the rounding terms gamma_m and m^2 eta by this (any s < 1 is unsound). */
static double vd_scale = 1.0;

void dncv_test_krawczyk_bound_scale(double s)
{
    vd_scale = s;
}

/* rho_i >= sum_j |(I - Y J)_ij| for every J with sum_j |J_kj - a_kj| <= rowerr_k (rowerr NULL:
 * J = A), and, when g != NULL, gy_i >= sum_j |y_ij| g_j. C = fl(Y A) has |C - Y A| <= gamma_m
 * |Y| |A| + m eta entrywise ((P1)), and |I - Y J| <= |I - C| + |C - Y A| + |Y| |J - A|, so row i
 * sums to at most sum_j |delta_ij - c_ij| + sum_k |y_ik| (gamma_m a_k + rowerr_k) + m^2 eta,
 * a_k = sum_j |a_kj|. Every sum and product of bounds is a mag (rounded up). 0 when the
 * product is refused or not finite. */
static int rows_bound(mag_ptr rho, mag_ptr gy, const double *Y, const double *A, mag_srcptr rowerr, mag_srcptr g, slong m)
{
    double *C = flint_malloc((m * m + 1) * sizeof(double));
    mag_ptr w = _mag_vec_init(m);
    mag_t t, s;
    arf_t f;
    slong i, j;
    int ok = vx_fast_product(C, Y, A, m, m, m);
    mag_init(t);
    mag_init(s);
    arf_init(f);
    mag_set_d(s, vd_scale);
    for (j = 0; ok && j < m; j++)   /* w_k <- a_k */
        for (i = 0; i < m; i++) {
            mag_set_d(t, A[i + m * j]);
            mag_add(w + i, w + i, t);
        }
    mag_set_ui_2exp_si(t, (ulong) m * 513, -62);   /* gamma_m <= m u (1 + 2^-9) for m u <= 2^-10 */
    mag_mul(t, t, s);
    for (i = 0; ok && i < m; i++) {
        mag_mul(w + i, w + i, t);
        if (rowerr != NULL)
            mag_add(w + i, w + i, rowerr + i);
    }
    for (j = 0; ok && j < m; j++)
        for (i = 0; ok && i < m; i++) {
            double c = C[i + m * j];
            ok = isfinite(c);
            arf_set_d(f, c);
            if (i == j)   /* 1 - c_ii exactly, then its magnitude rounded up */
                arf_sub_ui(f, f, 1, ARF_PREC_EXACT, ARF_RND_DOWN);
            arf_get_mag(t, f);
            mag_add(rho + i, rho + i, t);
            mag_set_d(t, Y[i + m * j]);
            mag_addmul(rho + i, t, w + j);
            if (g != NULL)
                mag_addmul(gy + i, t, g + j);
        }
    mag_set_ui_2exp_si(t, (ulong) m * m, -1074);
    mag_mul(t, t, s);
    for (i = 0; i < m; i++)
        mag_add(rho + i, rho + i, t);
    mag_clear(t);
    mag_clear(s);
    arf_clear(f);
    _mag_vec_clear(w, m);
    flint_free(C);
    return ok;
}

/* The test (docs/refine.md §7.9). A (m x m): the doubles nearest to the box
 * Jacobian's midpoints; rowerr_k >= sum_j |J_kj - a_kj| for every J of the box; g_j >= |G_j|
 * at the centre. With Y from vx_dense_inverse and rows_bound's rho_i and |(Y G)_i| <=
 * sum_j |y_ij| g_j, returns 1 iff every |(Y G)_i| + 2^E rho_i < 2^E: then K(X) lies inside the
 * box. *rho_max <- about the largest rho_i (for messages). */
int vx_krawczyk_double(slong m, const double *A, mag_srcptr rowerr, mag_srcptr g, slong E, double *rho_max)
{
    if (m == 0) {   /* no unknowns (every parameter held): nothing to solve, as on the ball path */
        *rho_max = 0;
        return 1;
    }
    double *Y = flint_malloc((m * m + 1) * sizeof(double));
    mag_ptr rho = _mag_vec_init(m), gy = _mag_vec_init(m);
    mag_t r;
    slong i;
    int ok = vx_dense_inverse(Y, A, m) && rows_bound(rho, gy, Y, A, rowerr, g, m);
    mag_init(r);
    mag_one(r);
    mag_mul_2exp_si(r, r, E);
    *rho_max = ok ? 0.0 : INFINITY;
    for (i = 0; ok && i < m; i++)
        *rho_max = FLINT_MAX(*rho_max, mag_get_d(rho + i));
    for (i = 0; ok && i < m; i++) {
        mag_mul(rho + i, rho + i, r);
        mag_add(rho + i, rho + i, gy + i);
        ok = mag_cmp(rho + i, r) < 0;
    }
    mag_clear(r);
    _mag_vec_clear(rho, m);
    _mag_vec_clear(gy, m);
    flint_free(Y);
    return ok;
}

/* FOR TESTS (include/dncert/verify.h): rows_bound with J = A, as doubles rounded up. */
int dncv_test_krawczyk_rows(double *rho, const double *Y, const double *A, long m)
{
    mag_ptr r = _mag_vec_init(m);
    slong i;
    int ok = rows_bound(r, NULL, Y, A, NULL, NULL, m);
    for (i = 0; ok && i < m; i++)
        rho[i] = mag_get_d(r + i);
    _mag_vec_clear(r, m);
    return ok;
}

/* T (n x m) <- the transpose of X (m x n). */
static double *transposed(const double *X, slong m, slong n)
{
    double *T = flint_malloc((m * n + 1) * sizeof(double));
    slong i, j;
    for (j = 0; j < n; j++)
        for (i = 0; i < m; i++)
            T[j + n * i] = X[i + m * j];
    return T;
}

/* R (upper, n x n; the lower part 0) with R^T R ~ B: the Cholesky factor by dot products of
 * columns. 0 at a pivot that is not positive. Any R is sound in vx_pd_double. */
static int cholesky(double *R, const double *B, slong n)
{
    slong i, j, k;
    memset(R, 0, n * n * sizeof(double));
    for (j = 0; j < n; j++)
        for (i = 0; i <= j; i++) {
            double s = B[i + n * j];
            for (k = 0; k < i; k++)
                s -= R[k + n * i] * R[k + n * j];
            if (i < j)
                R[i + n * j] = s / R[i + n * i];
            else if (s > 0)
                R[j + n * j] = sqrt(s);
            else
                return 0;
        }
    return 1;
}

/* x <- x + |a| as a mag. */
static void mag_add_abs(mag_t x, double a)
{
    mag_t t;
    mag_init(t);
    mag_set_d(t, a);
    mag_add(x, x, t);
    mag_clear(t);
}

/* strict_local_min on a large system (format §6.11, docs/refine.md §7.9): every M = H + 2^k
 * C^T C over the box is positive definite, where A, D (m x m) are the box Jacobian's double
 * midpoints and entry bounds, H its first nf x nf block (symmetric at every point: read from
 * the lower triangle) and C its rows nf.. on the first nf columns (Ac). With P = fl(Ac^T Ac),
 * M~ = fl(H~ + 2^k P), B = fl(M~ - c I) and any R:
 *     M = R^T R + c I + (B - R^T R) + (M~ - c I - B) + (M - M~),
 * the last three symmetric, so lambda_min(M) >= c - eR - eB - eM, each a max row sum of |.|:
 * eM from D, 2^k (|Ac|^T Dc + Dc^T |Ac| + Dc^T Dc + gamma_p |Ac|^T |Ac| + p eta) and u |m~_ij|;
 * eB = max u |b_ii|; eR from the exact |b_ij - fl(R^T R)_ij| and gamma_nf |R|^T |R| + nf eta.
 * Returns 1 iff eR + eB + eM < c. */
int vx_pd_double(slong m, slong nf, const double *A, const double *D, slong k)
{
    if (nf == 0)   /* no free parameter: positive definite on {0}, as on the ball path */
        return k >= 0 && k <= 1000;
    slong p = m - nf, i, j, e, a, b;
    double *Ac = flint_malloc((p * nf + 1) * sizeof(double)), *At, *P = flint_calloc(nf * nf + 1, sizeof(double));
    double *B = flint_malloc((nf * nf + 1) * sizeof(double)), *R = flint_malloc((nf * nf + 1) * sizeof(double)), *Rt;
    double c, big = 0;
    mag_ptr se = _mag_vec_init(p + 1), de = _mag_vec_init(p + 1), em = _mag_vec_init(nf), tr = _mag_vec_init(nf);
    mag_t t, v, g, eM, eB, eR;
    arf_t f, h;
    int ok = k >= 0 && k <= 1000;
    mag_init(t); mag_init(v); mag_init(g); mag_init(eM); mag_init(eB); mag_init(eR);
    arf_init(f); arf_init(h);
    for (j = 0; j < nf; j++)
        for (e = 0; e < p; e++) {
            Ac[e + p * j] = A[nf + e + m * j];
            mag_add_abs(se + e, Ac[e + p * j]);
            mag_add_abs(de + e, D[nf + e + m * j]);
        }
    At = transposed(Ac, p, nf);
    ok = ok && (p == 0 || vx_fast_product(P, At, Ac, nf, p, nf));
    mag_set_ui_2exp_si(g, (ulong) p * 513, -62);   /* gamma_p */
    for (i = 0; ok && i < nf; i++) {
        mag_zero(v);
        for (e = 0; e < p; e++) {
            mag_mul(t, g, se + e);
            mag_add(t, t, de + e);
            mag_set_d(em + i, Ac[e + p * i]);
            mag_addmul(v, em + i, t);
            mag_add(t, se + e, de + e);
            mag_set_d(em + i, D[nf + e + m * i]);
            mag_addmul(v, em + i, t);
        }
        mag_set_ui_2exp_si(t, (ulong) p * nf, -1074);
        mag_add(v, v, t);
        mag_mul_2exp_si(em + i, v, k);
        for (j = 0; j < nf; j++) {
            a = FLINT_MAX(i, j), b = FLINT_MIN(i, j);
            B[i + nf * j] = A[a + m * b] + ldexp(P[a + nf * b], (int) k);
            ok &= isfinite(B[i + nf * j]);
            big = FLINT_MAX(big, fabs(B[i + nf * j]));
            mag_add_abs(em + i, D[a + m * b]);
            mag_set_d(t, B[i + nf * j]);
            mag_mul_2exp_si(t, t, -53);
            mag_add(em + i, em + i, t);
        }
        mag_max(eM, eM, em + i);
    }
    c = 2 * mag_get_d(eM) + 2 * (double) (nf + 1) * (double) nf * ldexp(big, -53);
    for (i = 0; i < nf; i++) {
        B[i + nf * i] -= c;
        mag_set_d(t, B[i + nf * i]);
        mag_mul_2exp_si(t, t, -53);
        mag_max(eB, eB, t);
    }
    ok = ok && isfinite(c) && c > 0 && cholesky(R, B, nf);
    Rt = transposed(R, nf, nf);
    ok = ok && vx_fast_product(P, Rt, R, nf, nf, nf);
    for (j = 0; ok && j < nf; j++)   /* tr_i = sum_j |r_ij| */
        for (i = 0; i <= j; i++)
            mag_add_abs(tr + i, R[i + nf * j]);
    mag_set_ui_2exp_si(g, (ulong) nf * 513, -62);   /* gamma_nf */
    for (j = 0; ok && j < nf; j++) {
        mag_zero(v);
        for (i = 0; ok && i < nf; i++) {
            ok = isfinite(P[i + nf * j]);
            arf_set_d(f, B[i + nf * j]);   /* |b_ij - fl(R^T R)_ij| exactly, into row j (B symmetric) */
            arf_set_d(h, P[i + nf * j]);
            arf_sub(f, f, h, ARF_PREC_EXACT, ARF_RND_DOWN);
            arf_get_mag(t, f);
            mag_add(v, v, t);
            if (i <= j) {   /* row j of gamma_nf |R|^T |R| 1 = gamma_nf sum_i |r_ij| tr_i */
                mag_set_d(t, R[i + nf * j]);
                mag_mul(t, t, g);
                mag_addmul(v, t, tr + i);
            }
        }
        mag_set_ui_2exp_si(t, (ulong) nf * nf, -1074);
        mag_add(v, v, t);
        mag_max(eR, eR, v);
    }
    mag_add(t, eM, eB);
    mag_add(t, t, eR);
    mag_set_d_lower(v, c);
    ok = ok && mag_cmp(t, v) < 0;
    mag_clear(t); mag_clear(v); mag_clear(g); mag_clear(eM); mag_clear(eB); mag_clear(eR);
    arf_clear(f); arf_clear(h);
    _mag_vec_clear(se, p + 1);
    _mag_vec_clear(de, p + 1);
    _mag_vec_clear(em, nf);
    _mag_vec_clear(tr, nf);
    flint_free(Ac); flint_free(At); flint_free(P); flint_free(B); flint_free(R); flint_free(Rt);
    return ok;
}

/* FOR TESTS (include/dncert/verify.h): vx_pd_double on a symmetric matrix (no constraint rows). */
int dncv_test_pd_double(const double *A, const double *D, long n)
{
    return vx_pd_double(n, n, A, D, 0);
}
