/* The fast-double rule of format §6.4.1: the loss of a point whose entries are all binary64
 * doubles, enclosed by a forward pass in double (this file's own loops, not BLAS) with an a
 * priori bound on every rounding, propagated column by column in 2-norms. The bounds are
 * upper (mag_t) and lower (mag_*_lower) magnitudes of Arb, so only the products and the sums
 * of squares are done in double; each is covered by (P1) or (P2) of the format for any
 * summation order. Compiled with -ffp-contract=off (one rounding per operation written). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "verifier.h"

#define VF_COLS 64   /* columns per chunk: the pass needs O(width x VF_COLS) doubles */

/* Round to nearest, subnormals neither flushed nor treated as zero: tested on the
 * arithmetic itself (volatile, so the compiler cannot fold it). Only round-to-nearest
 * passes both of the first two tests (upward fails the second, downward and toward zero
 * the first); flush-to-zero fails the last, denormals-are-zero the third. */
static int env_ok(void)
{
    volatile double one = 1.0, t = 0x1.8p-53, s = 0x1p-1070, n = 0x1p-1022, e = 0x1p-3;
    return one + t == 1.0 + 0x1p-52 && -one - t == -1.0 - 0x1p-52 && s + s == 0x1p-1069 && n * e == 0x1p-1025;
}

/* The entries of a block as doubles, when every one is exactly a finite double; else NULL. */
static double *block_doubles(const arb_mat_struct *m)
{
    slong r = arb_mat_nrows(m), c = arb_mat_ncols(m), i, j;
    double *x = flint_malloc((r * c + 1) * sizeof(double));
    arf_t t;
    arf_init(t);
    for (j = 0; j < c; j++)
        for (i = 0; i < r; i++) {
            const arb_struct *a = arb_mat_entry(m, i, j);
            double d = arf_get_d(arb_midref(a), ARF_RND_DOWN);
            arf_set_d(t, d);
            if (!mag_is_zero(arb_radref(a)) || !isfinite(d) || !arf_equal(t, arb_midref(a))) {
                arf_clear(t);
                flint_free(x);
                return NULL;
            }
            x[i + r * j] = d;
        }
    arf_clear(t);
    return x;
}

/* C (rows [i0, m) of m x n) = A (m x k) B (k x n), column-major, ldb = k: any order of the
 * sums is covered by (P1); this one keeps four columns of C in cache while it streams A. */
static void product_plain(double *C, const double *A, const double *B, slong m, slong k, slong n, slong i0)
{
    slong j, p, i, ib;
    for (j = 0; j < n; j++)
        memset(C + m * j + i0, 0, (size_t) (m - i0) * sizeof(double));
    for (j = 0; j + 4 <= n; j += 4) {
        double *c0 = C + m * j, *c1 = c0 + m, *c2 = c1 + m, *c3 = c2 + m;
        for (ib = i0; ib < m; ib += 128) {
            slong ie = FLINT_MIN(ib + 128, m);
            for (p = 0; p < k; p++) {
                const double *a = A + m * p;
                double b0 = B[p + k * j], b1 = B[p + k * (j + 1)], b2 = B[p + k * (j + 2)], b3 = B[p + k * (j + 3)];
                for (i = ib; i < ie; i++) {
                    double x = a[i];
                    c0[i] += x * b0;
                    c1[i] += x * b1;
                    c2[i] += x * b2;
                    c3[i] += x * b3;
                }
            }
        }
    }
    for (; j < n; j++)
        for (p = 0; p < k; p++)
            for (i = i0; i < m; i++)
                C[i + m * j] += A[i + m * p] * B[p + k * j];
}

#if defined(__GNUC__) && defined(__x86_64__)
/* The same with AVX2 where the machine has it: tiles of 12 rows x 4 columns of C summed in
 * registers over the whole inner dimension (each entry one sequential sum of k products,
 * one rounding per operation: -ffp-contract=off), rows outermost so that a 12 x k panel of
 * A stays in cache while B streams. About 2.5x the plain loop (docs/verifier.md). The rows
 * left over (m mod 12) and the columns (n mod 4) go to product_plain. */
typedef double v4d __attribute__((vector_size(32)));

__attribute__((target("avx2"))) static slong product_avx2(double *C, const double *A, const double *B, slong m,
                                                          slong k, slong n)
{
    slong i, j, p, s, r;
    for (i = 0; i + 12 <= m; i += 12)
        for (j = 0; j + 4 <= n; j += 4) {
            v4d c[4][3], a0, a1, a2;   /* written out: an inner loop over s kept c in memory */
            const double *b0 = B + k * j, *b1 = b0 + k, *b2 = b1 + k, *b3 = b2 + k;
            memset(c, 0, sizeof(c));
            for (p = 0; p < k; p++) {
                memcpy(&a0, A + i + m * p, sizeof(v4d));
                memcpy(&a1, A + i + 4 + m * p, sizeof(v4d));
                memcpy(&a2, A + i + 8 + m * p, sizeof(v4d));
                c[0][0] += a0 * b0[p], c[0][1] += a1 * b0[p], c[0][2] += a2 * b0[p];
                c[1][0] += a0 * b1[p], c[1][1] += a1 * b1[p], c[1][2] += a2 * b1[p];
                c[2][0] += a0 * b2[p], c[2][1] += a1 * b2[p], c[2][2] += a2 * b2[p];
                c[3][0] += a0 * b3[p], c[3][1] += a1 * b3[p], c[3][2] += a2 * b3[p];
            }
            for (s = 0; s < 4; s++)
                for (r = 0; r < 3; r++)
                    memcpy(C + i + 4 * r + m * (j + s), &c[s][r], sizeof(v4d));
        }
    for (j = n - n % 4; j < n; j++)   /* the last columns, for the rows done here */
        for (r = 0; r < i; r++) {
            double t = 0.0;
            for (p = 0; p < k; p++)
                t += A[r + m * p] * B[p + k * j];
            C[r + m * j] = t;
        }
    return i;
}
#endif

static void product(double *C, const double *A, const double *B, slong m, slong k, slong n)
{
    slong i0 = 0;
#if defined(__GNUC__) && defined(__x86_64__)
    if (__builtin_cpu_supports("avx2"))
        i0 = product_avx2(C, A, B, m, k, n);
#endif
    if (i0 < m)
        product_plain(C, A, B, m, k, n, i0);
}

/* Every error term of the rule is k u or k eta times a factor; tests scale both by
 * dncv_test_fast_bound_scale (1 unless a test sets it; any s < 1 is unsound). */
static double bound_scale = 1.0;

void dncv_test_fast_bound_scale(double s)
{
    bound_scale = s;
}

static void scaled(mag_t x, slong k, slong e)
{
    mag_set_ui(x, (ulong) k);
    mag_mul_2exp_si(x, x, e);
    if (bound_scale != 1.0) {
        mag_t s;
        mag_init(s);
        mag_set_d(s, bound_scale);
        mag_mul(x, x, s);
        mag_clear(s);
    }
}

/* k u and k eta as magnitudes. */
static void ku(mag_t x, slong k)
{
    scaled(x, k, -53);
}

static void keta(mag_t x, slong k)
{
    scaled(x, k, -1074);
}

/* The computed sum of squares of x[0..k) (any order: (P2)); four partial sums, so that the
 * additions do not wait on each other. */
static double sumsq(const double *x, slong k)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    slong i;
    for (i = 0; i + 4 <= k; i += 4) {
        s0 += x[i] * x[i];
        s1 += x[i + 1] * x[i + 1];
        s2 += x[i + 2] * x[i + 2];
        s3 += x[i + 3] * x[i + 3];
    }
    for (; i < k; i++)
        s0 += x[i] * x[i];
    return (s0 + s1) + (s2 + s3);
}

/* (P2) for the computed sum of squares s of k doubles: the exact sum S satisfies
 * (s - k eta)(1 - 2ku) <= S <= (s + k eta)(1 + 2ku), so S = s (1 +- 2ku) +- k eta (1 + 2ku).
 * hi <- the upper end (for norms); err += w k eta (1 + 2^-9). The caller sums the w s in a
 * ball and applies (1 +- 2ku) once (sq_ball). */
static void sq_bound(mag_t hi, mag_t err, double s, slong k, slong w)
{
    mag_t t, f;
    mag_init(t);
    mag_init(f);
    keta(t, k);
    mag_mul_2exp_si(f, t, -9);
    mag_add(t, t, f);                    /* k eta (1 + 2^-9) >= k eta (1 + 2ku) */
    mag_set_d(hi, s);
    mag_add(hi, hi, t);
    ku(f, 2 * k);
    mag_mul(f, hi, f);
    mag_add(hi, hi, f);                  /* >= (s + k eta)(1 + 2ku) */
    mag_mul_ui(t, t, (ulong) w);
    mag_add(err, err, t);
    mag_clear(t);
    mag_clear(f);
}

/* x <- a (1 +- 2ku) +- err. */
static void sq_ball(arb_t x, const arb_t a, const mag_t err, slong k)
{
    mag_t m, f;
    mag_init(m);
    mag_init(f);
    ku(f, 2 * k);
    arb_get_mag(m, a);
    mag_mul(m, m, f);
    arb_set(x, a);
    arb_add_error_mag(x, m);
    arb_add_error_mag(x, err);
    mag_clear(m);
    mag_clear(f);
}

typedef struct {
    const vx_problem *p;
    const vx_point *P;
    double **blk;            /* H1, W_1..W_L, b as doubles */
    mag_struct *fro;         /* fro[l] >= ||W_l||_F, l = 1..L */
    double *h, *z;           /* chunk buffers */
    mag_struct *sig;         /* per column of the chunk: the 2-norm error bound sigma */
    arb_t fit, regh;         /* sum_j w_j s_j of the computed squared norms (residual, H1 column) */
    mag_t fit_err, regh_err; /* added to them after (1 +- 2ku) */
    arb_t tmp;
} fpass;

/* sigma <- ||W_l||_F (sigma + gamma_k nu) + k eta sqrt(m) for one column. */
static void propagate(mag_t sig, const mag_t fro, const mag_t nu, slong k, slong m)
{
    mag_t g, t;
    mag_init(g);
    mag_init(t);
    ku(g, k);
    mag_mul_2exp_si(t, g, -9);
    mag_add(g, g, t);                    /* gamma_k <= ku (1 + 2^-9) for ku <= 2^-10 */
    mag_addmul(sig, g, nu);
    mag_mul(sig, sig, fro);
    keta(t, k);
    mag_set_ui(g, (ulong) m);
    mag_sqrt(g, g);
    mag_addmul(sig, t, g);
    mag_clear(g);
    mag_clear(t);
}

/* Column col's residual s = fl(fl(z + b) - y) in place; its computed squared norm q into
 * F->fit, and w (2 nu e + e^2) into F->fit_err, with nu >= sqrt(S), e = sigma + u((2 + u) nu + 1)
 * >= ||exact residual - s||. Returns 0 on overflow. */
static int residual(fpass *F, double *s, slong col, const mag_t sig)
{
    const vx_problem *p = F->p;
    slong i, w = F->P->mult[col];
    mag_t nu, e, t;
    double q;
    for (i = 0; i < p->K; i++) {
        if (p->bias)
            s[i] = s[i] + F->blk[p->L + 1][i];
        if (i == F->P->label[col])
            s[i] = s[i] - 1.0;
    }
    q = sumsq(s, p->K);
    if (!isfinite(q))
        return 0;
    mag_init(nu), mag_init(e), mag_init(t);
    sq_bound(nu, F->fit_err, q, p->K, w);
    mag_sqrt(nu, nu);
    ku(e, 2);                            /* u (2 + u) nu <= 2u nu (1 + 2^-40) */
    mag_mul(e, e, nu);
    mag_mul_2exp_si(t, e, -40);
    mag_add(e, e, t);
    ku(t, 1);
    mag_add(e, e, t);
    mag_add(e, e, sig);
    mag_mul_2exp_si(t, nu, 1);           /* 2 nu + e, times e */
    mag_add(t, t, e);
    mag_mul(t, t, e);
    mag_mul_ui(t, t, (ulong) w);
    mag_add(F->fit_err, F->fit_err, t);
    arb_set_d(F->tmp, q);
    arb_addmul_si(F->fit, F->tmp, w, 128);
    mag_clear(nu), mag_clear(e), mag_clear(t);
    return 1;
}

/* One chunk of columns [j0, j0 + nc): the forward pass and its bounds. 0 on overflow. */
static int chunk(fpass *F, slong j0, slong nc)
{
    const vx_problem *p = F->p;
    slong d1 = p->width[0], j, l, i;
    mag_t nu;
    int ok = 1;
    mag_init(nu);
    memcpy(F->h, F->blk[0] + d1 * j0, (size_t) (d1 * nc) * sizeof(double));
    for (j = 0; j < nc; j++)
        mag_zero(F->sig + j);
    for (l = 1; l <= p->L && ok; l++) {
        slong k = p->width[l - 1], m = vx_out_rows(p, l);
        product(F->z, F->blk[l], F->h, m, k, nc);
        for (j = 0; j < nc; j++) {
            double q = sumsq(F->h + k * j, k);
            ok &= isfinite(q);
            if (l == 1) {                            /* H1 is exact: sigma_1 = 0; its norm is in reg */
                sq_bound(nu, F->regh_err, q, k, F->P->mult[j0 + j]);
                arb_set_d(F->tmp, q);
                arb_addmul_si(F->regh, F->tmp, F->P->mult[j0 + j], 128);
            } else
                sq_bound(nu, F->fit_err, q, k, 0);      /* w = 0: only the norm bound nu */
            mag_sqrt(nu, nu);
            propagate(F->sig + j, F->fro + l, nu, k, m);
        }
        for (i = 0; i < m * nc; i++) {
            ok &= isfinite(F->z[i]);
            F->h[i] = l < p->L && p->relu[l - 1] && F->z[i] < 0.0 ? 0.0 : F->z[i];
        }
    }
    for (j = 0; j < nc && ok; j++)
        ok = residual(F, F->h + p->K * j, j0 + j, F->sig + j);
    mag_clear(nu);
    return ok;
}

/* x <- (c/2) y, c an exact rational. */
static void half_scaled(arb_t x, const fmpq_t c, const arb_t y)
{
    arb_t q;
    arb_init(q);
    arb_set_fmpq(q, c, 128);
    arb_mul(x, y, q, 128);
    arb_mul_2exp_si(x, x, -1);
    arb_clear(q);
}

/* Name of block b (0 = H1, 1..L = W_l, L + 1 = b). */
static const char *block_name(char *buf, slong b, slong L)
{
    if (b == 0 || b == L + 1)
        snprintf(buf, 24, "%s", b == 0 ? "H1" : "b");
    else
        snprintf(buf, 24, "W%ld", (long) b);
    return buf;
}

/* reg += (lambda_l / 2) ||W_l||^2 and fro[l] >= ||W_l||_F for every l. 0 on overflow. */
static int weights(fpass *F, arb_t reg)
{
    const vx_problem *p = F->p;
    slong l;
    arb_t x;
    mag_t err;
    int ok = 1;
    arb_init(x);
    mag_init(err);
    for (l = 1; l <= p->L && ok; l++) {
        slong n = vx_out_rows(p, l) * p->width[l - 1];
        double q = sumsq(F->blk[l], n);
        ok = isfinite(q);
        mag_zero(err);
        sq_bound(F->fro + l, err, q, n, 1);
        mag_sqrt(F->fro + l, F->fro + l);
        arb_set_d(x, q);
        sq_ball(x, x, err, n);
        half_scaled(x, p->lambda_w + l - 1, x);
        arb_add(reg, reg, x, 128);
    }
    arb_clear(x);
    mag_clear(err);
    return ok;
}

/* Frees the blocks converted by block_doubles (not the point's own doubles). */
static void free_blocks(fpass *F, const vx_point *P, slong L)
{
    slong b;
    for (b = 0; b < L + 2; b++)
        if (P->isdbl == NULL || !P->isdbl[b])
            flint_free(F->blk[b]);
    flint_free(F->blk);
}

int vx_fast_loss(arb_t loss, arb_t fit, arb_t reg, const vx_problem *p, const vx_point *P, char *why, size_t len)
{
    fpass F;
    slong L = p->L, l, j, dmax = p->K, b;
    int ok = 1;
    char nm[24];
    fmpq_t c;
    if (p->ce) {   /* the rule bounds the squared-error fit only (format §6.4.1) */
        snprintf(why, len, "the fast-double rule encloses the squared-error loss only; this problem's loss is "
                           "cross-entropy");
        return 0;
    }
    if (!env_ok()) {
        snprintf(why, len, "this machine's double arithmetic is not round-to-nearest with subnormals: "
                           "the fast-double rule cannot run here");
        return 0;
    }
    memset(&F, 0, sizeof(F));
    F.p = p;
    F.P = P;
    F.blk = flint_calloc(L + 2, sizeof(double *));
    for (b = 0; b < L + 2 && ok; b++)   /* binary64 blocks as they are; the others converted */
        ok = (F.blk[b] = P->isdbl != NULL && P->isdbl[b] ? P->dbl + vx_block_start(p, P->ncols, b)
                                                          : block_doubles(P->blk + b)) != NULL;
    if (!ok) {
        snprintf(why, len, "an entry of block %s of point %s is not exactly a binary64 double (the fast-double "
                           "rule applies to double points only)", block_name(nm, b - 1, L), P->name);
        free_blocks(&F, P, L);
        return 0;
    }
    for (l = 0; l < L; l++)
        dmax = FLINT_MAX(dmax, p->width[l]);
    F.fro = _mag_vec_init(L + 1);
    F.sig = _mag_vec_init(VF_COLS);
    F.h = flint_malloc(dmax * VF_COLS * sizeof(double));
    F.z = flint_malloc(dmax * VF_COLS * sizeof(double));
    arb_init(F.fit), arb_init(F.regh), arb_init(F.tmp);
    mag_init(F.fit_err), mag_init(F.regh_err);
    fmpq_init(c);
    arb_zero(reg);
    ok = weights(&F, reg);
    for (j = 0; j < P->ncols && ok; j += VF_COLS)
        ok = chunk(&F, j, FLINT_MIN(VF_COLS, P->ncols - j));
    if (!ok)
        snprintf(why, len, "overflow in the double forward pass of point %s: the fast-double rule cannot enclose it",
                 P->name);
    else {
        sq_ball(F.regh, F.regh, F.regh_err, p->width[0]);
        half_scaled(F.tmp, p->lambda_h, F.regh);
        arb_add(reg, reg, F.tmp, 128);
        sq_ball(F.fit, F.fit, F.fit_err, p->K);
        fmpz_one(fmpq_numref(c));                    /* fit = 1/(2N) sum_j w_j ||s_j||^2 */
        fmpz_set(fmpq_denref(c), p->N);
        half_scaled(fit, c, F.fit);
        arb_add(loss, fit, reg, 128);
    }
    free_blocks(&F, P, L);
    _mag_vec_clear(F.fro, L + 1);
    _mag_vec_clear(F.sig, VF_COLS);
    flint_free(F.h);
    flint_free(F.z);
    arb_clear(F.fit), arb_clear(F.regh), arb_clear(F.tmp);
    mag_clear(F.fit_err), mag_clear(F.regh_err);
    fmpq_clear(c);
    return ok;
}
