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

/* C (m x n) = A (m x k) B (k x n), column-major (ldc = m, lda = m; ldb = k, or with VX_BT
 * the transpose stored: B(p, j) = B[j + n p]; product_with). Any order of the sums is
 * covered by (P1), with or without fused multiply-adds (FMA saves 10-15% of the checker's
 * time), so the product is cut in tiles of mr rows x nr columns of C, each entry one
 * sequential sum of its k products of the exact inputs: A and B are copied into panels
 * (mr rows of A, nr columns of B, k consecutive groups of each), filled out with zeros,
 * which enter only the rows and columns of a tile beyond C and are dropped. A panel of A
 * stays in cache while the panels of B stream: 85-100% of OpenBLAS's DGEMM rate on the big
 * shapes of a pass with AVX-512 (docs/fast-tier.md §6.5), 80-99% with AVX2 on Zen 3 (§6.9). The
 * tile's size is the kernel's: what fills its registers. */
#define VX_MR 24   /* the largest tile */
#define VX_NR 8
typedef void tile_fn(double *T, const double *a, const double *b, slong k);
typedef struct {
    tile_fn *fn;
    slong mr, nr;   /* T is mr x nr, column-major; the panels hold mr and nr entries a step */
} vx_tile;

/* The portable tile: T (VX_MR x VX_NR, column-major) = the panels' product. */
static void tile_plain(double *T, const double *a, const double *b, slong k)
{
    slong p, s, r;
    memset(T, 0, VX_MR * VX_NR * sizeof(double));
    for (p = 0; p < k; p++)
        for (s = 0; s < VX_NR; s++)
            for (r = 0; r < VX_MR; r++)
                T[r + VX_MR * s] += a[r + VX_MR * p] * b[s + VX_NR * p];
}

#if defined(__GNUC__) && defined(__x86_64__)
typedef double v4d __attribute__((vector_size(32)));
typedef double v8d __attribute__((vector_size(64)));

/* GCC under -std=c11 does not contract a * b + c into an FMA unless told; clang contracts
 * within an expression by default and has no optimize attribute (the fuzz targets are built
 * with clang). */
#if defined(__clang__)
#define VX_CONTRACT
#else
#define VX_CONTRACT , optimize("fp-contract=fast")
#endif

/* The tile in 24 registers of 8 (AVX-512), written out: an inner loop kept c in memory. */
__attribute__((target("avx512f,fma") VX_CONTRACT)) static void tile_avx512(double *T, const double *a, const double *b,
                                                                        slong k)
{
    v8d c[8][3], a0, a1, a2;   /* c[s][r]: rows 8r..8r+7 of column s, so c is T */
    slong p;
    memset(c, 0, sizeof(c));
    for (p = 0; p < k; p++, a += VX_MR, b += VX_NR) {
        memcpy(&a0, a, sizeof(v8d)), memcpy(&a1, a + 8, sizeof(v8d)), memcpy(&a2, a + 16, sizeof(v8d));
        c[0][0] += a0 * b[0], c[0][1] += a1 * b[0], c[0][2] += a2 * b[0];
        c[1][0] += a0 * b[1], c[1][1] += a1 * b[1], c[1][2] += a2 * b[1];
        c[2][0] += a0 * b[2], c[2][1] += a1 * b[2], c[2][2] += a2 * b[2];
        c[3][0] += a0 * b[3], c[3][1] += a1 * b[3], c[3][2] += a2 * b[3];
        c[4][0] += a0 * b[4], c[4][1] += a1 * b[4], c[4][2] += a2 * b[4];
        c[5][0] += a0 * b[5], c[5][1] += a1 * b[5], c[5][2] += a2 * b[5];
        c[6][0] += a0 * b[6], c[6][1] += a1 * b[6], c[6][2] += a2 * b[6];
        c[7][0] += a0 * b[7], c[7][1] += a1 * b[7], c[7][2] += a2 * b[7];
    }
    memcpy(T, c, sizeof(c));
}

/* With AVX2 (16 registers of 4): 12 rows x 4 columns in 12 registers, on panels of that
 * size, so that each step reads 12 + 4 consecutive entries (the 24 x 8 panels cut in four
 * sub-tiles read half of each panel's step, a third slower on Zen 3, §6.9). */
__attribute__((target("avx2,fma") VX_CONTRACT)) static void tile_avx2(double *T, const double *a, const double *b, slong k)
{
    v4d c[4][3], a0, a1, a2, z = { 0.0, 0.0, 0.0, 0.0 };   /* c[s][r]: rows 4r..4r+3 of column s, so c is T */
    slong p, s, r;
    for (s = 0; s < 4; s++)   /* not memset: that kept c in memory, 5% of the tile's time at k = 64 */
        for (r = 0; r < 3; r++)
            c[s][r] = z;
    for (p = 0; p < k; p++, a += 12, b += 4) {
        memcpy(&a0, a, sizeof(v4d)), memcpy(&a1, a + 4, sizeof(v4d)), memcpy(&a2, a + 8, sizeof(v4d));
        c[0][0] += a0 * b[0], c[0][1] += a1 * b[0], c[0][2] += a2 * b[0];
        c[1][0] += a0 * b[1], c[1][1] += a1 * b[1], c[1][2] += a2 * b[1];
        c[2][0] += a0 * b[2], c[2][1] += a1 * b[2], c[2][2] += a2 * b[2];
        c[3][0] += a0 * b[3], c[3][1] += a1 * b[3], c[3][2] += a2 * b[3];
    }
    for (s = 0; s < 4; s++)
        for (r = 0; r < 3; r++)
            memcpy(T + 4 * r + 12 * s, &c[s][r], sizeof(v4d));
}
#endif

static const vx_tile tile_plain_24x8 = { tile_plain, VX_MR, VX_NR };
#if defined(__GNUC__) && defined(__x86_64__)
static const vx_tile tile_avx512_24x8 = { tile_avx512, 24, 8 }, tile_avx2_12x4 = { tile_avx2, 12, 4 };
#endif

/* The tile for this machine (which: 0 the best, 1 plain, 2 AVX2, 3 AVX-512); NULL if absent. */
static const vx_tile *pick_tile(int which)
{
#if defined(__GNUC__) && defined(__x86_64__)
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if ((which == 0 || which == 3) && avx2 && __builtin_cpu_supports("avx512f"))
        return &tile_avx512_24x8;
    if ((which == 0 || which == 2) && avx2)
        return &tile_avx2_12x4;
#endif
    return which <= 1 ? &tile_plain_24x8 : NULL;
}

/* The product in tiles, the panels in w (pack_size(m, k, n, how) doubles); how: VX_BT, B
 * given transposed; VX_AT, A given transposed (k x m: A(i, p) = A[p + k i], W_l^T read from
 * W_l); VX_ADD, C += fl(A B) (each entry's sum, then one more addition). */
#define VX_BT 1
#define VX_ADD 2
#define VX_AT 4
/* Room for the panels of a product of m rows, inner dimension k and n columns (doubles):
 * one row panel of A, or all of them with VX_ADD (below), and all of B. */
static slong pack_size(slong m, slong k, slong n, int how)
{
    return k * ((how & VX_ADD ? m : 0) + VX_MR + n + VX_NR) + 1;
}

/* Row block i0.. of A (rows rows of mr) into the panel a: mr entries a step, zeros below. */
static void pack_rows(double *a, const double *A, slong m, slong k, slong i0, slong rows, slong mr, int how)
{
    slong i, p;
    if (how & VX_AT) {   /* row i0 + i of A is contiguous */
        memset(a, 0, (size_t) (mr * k) * sizeof(double));
        for (i = 0; i < rows; i++)
            for (p = 0; p < k; p++)
                a[i + mr * p] = A[p + k * (i0 + i)];
    } else   /* a constant length: a few vector moves, not a call or rep movs */
        for (p = 0; p < k; p++)
            if (rows == 24 && mr == 24)
                memcpy(a + 24 * p, A + i0 + m * p, 24 * sizeof(double));
            else if (rows == 12 && mr == 12)
                memcpy(a + 12 * p, A + i0 + m * p, 12 * sizeof(double));
            else
                for (i = 0; i < mr; i++)
                    a[i + mr * p] = i < rows ? A[i0 + i + m * p] : 0.0;
}

/* The tile at row block i0 and column block j0, written to C (or added, VX_ADD). */
static void tile_to(const vx_tile *t, double *C, const double *a, const double *b, slong m, slong k, slong n,
                    slong i0, slong j0, int how)
{
    double T[VX_MR * VX_NR];
    slong i, j, rows = FLINT_MIN(t->mr, m - i0);
    t->fn(T, a, b, k);
    for (j = j0; j < FLINT_MIN(j0 + t->nr, n); j++)
        for (i = 0; i < rows; i++) {
            double *c = C + i0 + i + m * j, x = T[i + t->mr * (j - j0)];
            *c = how & VX_ADD ? *c + x : x;
        }
}

/* With VX_ADD (the weight gradients: C is a running sum as large as the operands together)
 * every row panel of A is packed first and C is walked column by column, so that each of its
 * cache lines is read and written once per product, not once per row panel that meets it. */
static void product_with(const vx_tile *t, double *C, const double *A, const double *B, slong m, slong k, slong n,
                         int how, double *w)
{
    slong i0, j0, p, s, mr = t->mr, nr = t->nr;
    double *b = w, *a = w + k * (n + VX_NR);
    for (j0 = 0; j0 < n; j0 += nr)   /* the panel of columns j0.. of B, at b + k j0 */
        for (p = 0; p < k; p++)
            for (s = 0; s < nr; s++)
                b[k * j0 + nr * p + s] = j0 + s >= n ? 0.0 : how & VX_BT ? B[j0 + s + n * p] : B[p + k * (j0 + s)];
    if (how & VX_ADD) {
        for (i0 = 0; i0 < m; i0 += mr)
            pack_rows(a + k * i0, A, m, k, i0, FLINT_MIN(mr, m - i0), mr, how);
        for (j0 = 0; j0 < n; j0 += nr)
            for (i0 = 0; i0 < m; i0 += mr)
                tile_to(t, C, a + k * i0, b + k * j0, m, k, n, i0, j0, how);
        return;
    }
    for (i0 = 0; i0 < m; i0 += mr) {
        pack_rows(a, A, m, k, i0, FLINT_MIN(mr, m - i0), mr, how);
        for (j0 = 0; j0 < n; j0 += nr)
            tile_to(t, C, a, b + k * j0, m, k, n, i0, j0, how);
    }
}

/* C (m x n) = fl(A B), all column-major with leading dimensions m, m, k: the product of
 * this file (any order of the sums: (P1)); 0 when the floating-point environment is not
 * the one (P1) assumes (round to nearest, subnormals kept). For vdense.c. */
int vx_fast_product(double *C, const double *A, const double *B, slong m, slong k, slong n)
{
    double *w;
    if (!env_ok())
        return 0;
    w = flint_malloc(pack_size(m, k, n, 0) * sizeof(double));
    product_with(pick_tile(0), C, A, B, m, k, n, 0, w);
    flint_free(w);
    return 1;
}

/* FOR TESTS (include/dncert/verify.h): the product with tile which. */
int dncv_test_product(double *C, const double *A, const double *B, long m, long k, long n, int how, int which)
{
    const vx_tile *t = pick_tile(which);
    double *w = flint_malloc(pack_size(m, k, n, how) * sizeof(double));
    if (t)
        product_with(t, C, A, B, m, k, n, how, w);
    flint_free(w);
    return t != NULL;
}

/* Every error term of the rule is k u or k eta times a factor; tests scale both by
 * dncv_test_fast_bound_scale (1 unless a test sets it; any s < 1 is unsound). */
static double bound_scale = 1.0, grad_scale = 1.0;

void dncv_test_fast_bound_scale(double s)
{
    bound_scale = s;
}

/* The gradient_norm rule's final error bound E (format §6.12) times s: tests only. */
void dncv_test_grad_bound_scale(double s)
{
    grad_scale = s;
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

/* gamma_k <= k u (1 + 2^-9) for k u <= 2^-10. */
static void gamma_mag(mag_t g, slong k)
{
    mag_t t;
    mag_init(t);
    ku(g, k);
    mag_mul_2exp_si(t, g, -9);
    mag_add(g, g, t);
    mag_clear(t);
}

/* x <- x + k eta sqrt(r): the underflow terms of k roundings in each of r entries, in 2-norm. */
static void add_eta(mag_t x, slong k, slong r)
{
    mag_t t, q;
    mag_init(t);
    mag_init(q);
    keta(t, k);
    mag_set_ui(q, (ulong) r);
    mag_sqrt(q, q);
    mag_addmul(x, t, q);
    mag_clear(t);
    mag_clear(q);
}

/* nu <- an upper bound of the 2-norm of k doubles whose computed sum of squares is q ((P2)). */
static void norm_bound(mag_t nu, double q, slong k)
{
    mag_t e;
    mag_init(e);
    sq_bound(nu, e, q, k, 0);
    mag_sqrt(nu, nu);
    mag_clear(e);
}

/* The backward pass of the gradient_norm rule (format §6.12, docs/fast-tier.md §7). Adjoints
 * are unscaled (delta_L = the residual, not divided by N); 1/N and the decays are applied
 * once, exactly, when the norm is assembled. */
typedef struct {
    double **G;              /* G[l] = fl(sum_j w_j delta_j h_j^T) (rows x d_l), l = 1..L; G[L + 1]: the bias (K) */
    double *a, *d, *dw, *prod;   /* per chunk: W^T delta; the next delta; w_j delta_j; one block (grad_finish) */
    mag_struct *D, *mu, *A;  /* per column: D + DU >= ||delta - computed||, mu >= ||computed delta||, A: of W^T delta */
    mag_struct *DU, *RU;     /* per column: the part of the error on the undecided entries U (format §6.12 step 3),
                                and RU >= the norm of the rows of the next W^T that it meets */
    mag_struct *eps;         /* eps[l] >= ||exact - computed|| of G[l] (l = 1..L + 1), products' rounding at the end */
    mag_struct *tn;          /* tn[l] >= sum_j ||w_j delta_j (computed)|| ||h_j||: times gamma_n at the end */
    double cd, *ld;          /* 1/N and the decays (ld[0] = lambda_H, ld[l] = lambda_l), nearest doubles */
    mag_t cm, ec;            /* >= 1/N; >= |1/N - cd| */
    mag_struct *el;          /* >= |lambda - ld| */
    double *gc;              /* one column of the computed H1 gradient */
    mag_struct **rown;       /* rown[l][i] >= ||row i of W_l||, l = 1..L - 1: entrywise sign decisions */
    double **coln;           /* coln[l][i] >= ||column i of W_l|| (a double), l = 2..L: errors on the active entries */
    mag_t E2;                /* >= ||g - computed||^2 summed over the blocks (H1 columns weighted) */
    arb_t h1sq;              /* sum_j w_j (computed squared norm of the computed H1 gradient's column j) */
    mag_t h1sq_err;          /* its (P2) error terms */
    mag_t scale;             /* tests: the final error bound times this (1) */
    const vx_problem *p;
} vgrad;

typedef struct {
    const vx_problem *p;
    const vx_point *P;
    double **blk;            /* H1, W_1..W_L, b as doubles */
    mag_struct *fro;         /* fro[l] >= ||W_l||_F, l = 1..L */
    double **h, **z;         /* chunk buffers, l = 1..L: h[l] the input of layer l (h[1]: columns of H1),
                                z[l] = fl(W_l h[l]) (z[L] becomes the residual) */
    mag_struct *sig, *nu;    /* at l VF_COLS + j (column j of the chunk): sig >= ||h_l - h[l]|| (l = 1..L + 1;
                                l = L + 1: of z_L), nu >= ||h[l] column|| (l = 1..L) */
    arb_t fit, regh;         /* sum_j w_j s_j of the computed squared norms (residual, H1 column) */
    mag_t fit_err, regh_err; /* added to them after (1 +- 2ku) */
    arb_t tmp;
    vgrad *g;                /* the gradient's pass, or NULL (loss only) */
    const vx_tile *tile;     /* the products' tile (pick_tile) */
    double *pk;              /* their panels: pack_size of every product of the pass */
} fpass;

/* sigma <- ||W_l||_F (sigma + gamma_k nu) + k eta sqrt(m) for one column. */
static void propagate(mag_t sig, const mag_t fro, const mag_t nu, slong k, slong m)
{
    mag_t g;
    mag_init(g);
    gamma_mag(g, k);
    mag_addmul(sig, g, nu);
    mag_mul(sig, sig, fro);
    add_eta(sig, k, m);
    mag_clear(g);
}

/* Column col's residual s = fl(fl(z + b) - y) in place; its computed squared norm q into
 * F->fit, and w (2 nu e + e^2) into F->fit_err, with nu >= sqrt(S), e = sigma + u((2 + u) nu + 1)
 * >= ||exact residual - s||; e and nu into eo, nuo (for the gradient). Returns 0 on overflow. */
static int residual(fpass *F, double *s, slong col, const mag_t sig, mag_t eo, mag_t nuo)
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
    mag_set(eo, e);
    mag_set(nuo, nu);
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

static int backward(fpass *F, slong j0, slong nc);

/* One chunk of columns [j0, j0 + nc): the forward pass and its bounds (and, with F->g, the
 * backward pass). 0 on overflow. */
static int chunk(fpass *F, slong j0, slong nc)
{
    const vx_problem *p = F->p;
    slong d1 = p->width[0], L = p->L, j, l, i;
    mag_t e, nu;
    int ok = 1;
    mag_init(e), mag_init(nu);
    memcpy(F->h[1], F->blk[0] + d1 * j0, (size_t) (d1 * nc) * sizeof(double));
    for (j = 0; j < nc; j++)
        mag_zero(F->sig + VF_COLS + j);
    for (l = 1; l <= L && ok; l++) {
        slong k = p->width[l - 1], m = vx_out_rows(p, l);
        mag_struct *sg = F->sig + l * VF_COLS, *nl = F->nu + l * VF_COLS;
        product_with(F->tile, F->z[l], F->blk[l], F->h[l], m, k, nc, 0, F->pk);
        for (j = 0; j < nc; j++) {
            double q = sumsq(F->h[l] + k * j, k);
            ok &= isfinite(q);
            if (l == 1) {                            /* H1 is exact: sigma_1 = 0; its norm is in reg */
                sq_bound(nl + j, F->regh_err, q, k, F->P->mult[j0 + j]);
                arb_set_d(F->tmp, q);
                arb_addmul_si(F->regh, F->tmp, F->P->mult[j0 + j], 128);
            } else
                sq_bound(nl + j, F->fit_err, q, k, 0);  /* w = 0: only the norm bound nu */
            mag_sqrt(nl + j, nl + j);
            mag_set(sg + VF_COLS + j, sg + j);
            propagate(sg + VF_COLS + j, F->fro + l, nl + j, k, m);
        }
        for (i = 0; l < L && i < m * nc; i++) {
            ok &= isfinite(F->z[l][i]);
            F->h[l + 1][i] = p->relu[l - 1] && F->z[l][i] < 0.0 ? 0.0 : F->z[l][i];
        }
    }
    for (i = 0; i < p->K * nc; i++)
        ok &= isfinite(F->z[L][i]);
    for (j = 0; j < nc && ok; j++) {
        ok = residual(F, F->z[L] + p->K * j, j0 + j, F->sig + (L + 1) * VF_COLS + j, e, nu);
        if (F->g != NULL)
            mag_set(F->g->D + j, e), mag_set(F->g->mu + j, nu), mag_zero(F->g->DU + j);
    }
    mag_clear(e), mag_clear(nu);
    return ok && (F->g == NULL || backward(F, j0, nc));
}

/* ---- the backward pass (format §6.12) ---- */

/* The columns w_j delta_j of the chunk (m rows), and their bounds: tn[l] += ||w_j delta_j|| ||h_j||
 * (computed), eps[l] += w_j (D_j (nu_j + sig_j) + mu_j sig_j) (the rank-one terms of the
 * exact minus the computed product) + (u w_j mu_j + eta/2 sqrt(m)) nu_j where w_j != 1 (the
 * rounding of w_j delta_j). nu, sig NULL: h = 1, exact (the bias). */
static const double *weighted(fpass *F, slong l, const double *dl, slong m, slong j0, slong nc,
                              const mag_struct *nu, const mag_struct *sig)
{
    vgrad *g = F->g;
    const slong *w = F->P->mult + j0;
    slong j, i;
    int ones = 1;
    mag_t t, r, hn, e;
    mag_init(t), mag_init(r), mag_init(hn), mag_init(e);
    for (j = 0; j < nc; j++) {
        mag_add(e, g->D + j, g->DU + j);              /* Delta = D + DU */
        mag_one(hn);
        mag_mul(r, e, hn);                            /* the bias: h = 1 exactly, Delta */
        if (nu != NULL) {                             /* Delta (nu + sig) + mu sig */
            mag_set(hn, nu + j);
            mag_add(t, hn, sig + j);
            mag_mul(r, e, t);
            mag_addmul(r, g->mu + j, sig + j);
        }
        mag_mul_ui(r, r, (ulong) w[j]);
        mag_add(g->eps + l, g->eps + l, r);
        mag_mul_ui(t, g->mu + j, (ulong) w[j]);       /* ||w_j delta_j|| <= w_j mu_j (1 + u) + eta/2 sqrt(m) */
        if (w[j] != 1) {                              /* fl(w delta) is off by <= u |w delta| + eta/2 per entry */
            mag_zero(e);
            add_eta(e, 1, m);
            mag_mul_2exp_si(e, e, -1);
            ku(r, 1);
            mag_mul(r, r, t);
            mag_add(r, r, e);                         /* u w mu + eta/2 sqrt(m) */
            mag_addmul(g->eps + l, r, hn);            /* times ||h|| */
            mag_add(t, t, r);
            ones = 0;
        }
        mag_addmul(g->tn + l, t, hn);
    }
    mag_clear(t), mag_clear(r), mag_clear(hn), mag_clear(e);
    if (ones)
        return dl;
    for (j = 0; j < nc; j++)
        for (i = 0; i < m; i++)
            g->dw[i + m * j] = (double) w[j] * dl[i + m * j];
    return g->dw;
}

/* G[l] += fl(dt h[l]^T) for the chunk: one more group of terms of each entry's sum over the
 * columns (the sum is a tree of n products: (P1) with k = n, applied in grad_finish). */
static void weight_product(fpass *F, slong l, const double *dt, slong m, slong nc)
{
    /* h[l] (k x nc) is the transpose of the right factor */
    product_with(F->tile, F->g->G[l], dt, F->h[l], m, nc, F->p->width[l - 1], VX_BT | VX_ADD, F->pk);
}

/* out = fl(fl(c x) + fl(l y)) entrywise (y NULL: fl(c x)), n entries; t >= ||(c* x + l* y) - out||
 * for the exact constants c*, l* with |c* - c| <= ec, |l* - l| <= el, given xn >= ||x||,
 * yn >= ||y||: ec xn + el yn + 2u(1 + 2^-9)(|c| xn + |l| yn) + 2 eta sqrt(n) (three roundings
 * per entry, each within u of its exact result plus eta/2 for the products). */
static void combine(double *out, mag_t t, const double *x, double c, const mag_t ec, const mag_t xn,
                    const double *y, double l, const mag_t el, const mag_t yn, slong n)
{
    slong i;
    mag_t a, b;
    mag_init(a), mag_init(b);
    if (y != NULL)
        for (i = 0; i < n; i++)
            out[i] = c * x[i] + l * y[i];
    else
        for (i = 0; i < n; i++)
            out[i] = c * x[i];
    mag_mul(t, ec, xn);
    mag_set_d(a, c);
    mag_mul(a, a, xn);
    if (y != NULL) {
        mag_addmul(t, el, yn);
        mag_set_d(b, l);
        mag_addmul(a, b, yn);
    }
    gamma_mag(b, 2);
    mag_addmul(t, a, b);
    add_eta(t, 2, n);
    mag_clear(a), mag_clear(b);
}

/* E2 += w (c A + t)^2: the error of one block (or column) of the gradient, c A from the
 * unscaled adjoints, t from combine. */
static void add_err(vgrad *g, const mag_t A, const mag_t t, slong w)
{
    mag_t e;
    mag_init(e);
    mag_mul(e, g->cm, A);
    mag_add(e, e, t);
    mag_mul(e, e, e);
    mag_mul_ui(e, e, (ulong) w);
    mag_add(g->E2, g->E2, e);
    mag_clear(e);
}

/* The H1 gradient of the chunk: column j is fl(fl(cd a_j) + fl(lambda_H h_j)) with a = W_1^T delta_1
 * (unscaled); its computed squared norms into h1sq, its errors into E2. 0 on overflow. */
static int h1_part(fpass *F, slong j0, slong nc)
{
    vgrad *g = F->g;
    slong k = F->p->width[0], j;
    mag_t an, t;
    int ok = 1;
    mag_init(an), mag_init(t);
    for (j = 0; j < nc; j++) {
        slong w = F->P->mult[j0 + j];
        double q = sumsq(g->a + k * j, k);
        norm_bound(an, q, k);
        combine(g->gc, t, g->a + k * j, g->cd, g->ec, an, F->h[1] + k * j, g->ld[0], g->el, F->nu + VF_COLS + j, k);
        add_err(g, g->A + j, t, w);
        q = sumsq(g->gc, k);
        ok &= isfinite(q);
        sq_bound(an, g->h1sq_err, q, k, w);
        arb_set_d(F->tmp, q);
        arb_addmul_si(g->h1sq, F->tmp, w, 128);
    }
    mag_clear(an), mag_clear(t);
    return ok;
}

/* The sign of the pre-activation entry x = z_{l-1,i} of column j when the entrywise bound
 * ||row i of W_{l-1}|| (sigma_{l-1} + gamma_k nu_{l-1}) + k eta (k = d_{l-1}) on its error
 * decides it (+1 or -1), else 0. Run only on the few entries that the column's 2-norm bound
 * sigma_l leaves undecided. */
static int entry_sign(fpass *F, slong l, slong i, slong j, double x)
{
    slong k = F->p->width[l - 2];
    mag_t r, t;
    int sgn;
    mag_init(r), mag_init(t);
    gamma_mag(r, k);
    mag_mul(r, r, F->nu + (l - 1) * VF_COLS + j);
    mag_add(r, r, F->sig + (l - 1) * VF_COLS + j);
    mag_mul(r, r, F->g->rown[l - 1] + i);
    add_eta(r, k, 1);
    mag_set_d_lower(t, x);
    sgn = mag_cmp(t, r) > 0 ? (x > 0.0 ? 1 : -1) : 0;
    mag_clear(r), mag_clear(t);
    return sgn;
}

/* D <- the error of the active entries S of a = W_l^T delta (the slope is not 0 there):
 * ||(a - computed)_S|| <= ||W_l[:, S]||_F (D + gamma_m mu) + RU DU + m eta sqrt(|S|), entry by entry
 * (B1) with column i's norm; cs >= ||W_l[:, S]||_F^2, ns = |S|. The error off S is multiplied by 0. */
static void active_error(fpass *F, mag_t D, const mag_t cs, slong j, slong l, slong ns)
{
    vgrad *g = F->g;
    slong m = vx_out_rows(F->p, l);
    mag_t r, t;
    mag_init(r), mag_init(t);
    gamma_mag(t, m);
    mag_mul(t, t, g->mu + j);
    mag_add(t, t, g->D + j);
    mag_sqrt(r, cs);
    mag_mul(r, r, t);
    mag_addmul(r, g->RU + j, g->DU + j);
    add_eta(r, m, ns);
    mag_set(D, r);
    mag_clear(r), mag_clear(t);
}

/* delta_{l-1} = a (.) sigma'_{l-1}(z_{l-1}) of the chunk into g->d, with D and mu. Where
 * neither |z| > sig (the column's bound of the pre-activation's error) nor the entrywise
 * bound decides the sign, the slope is any t in [0, 1], computed as 1/2, and D gets 1/2 of
 * those entries' norm and eta/2 each. */
static int next_delta(fpass *F, slong l, slong nc)
{
    vgrad *g = F->g;
    slong k = F->p->width[l - 1], j, i;
    int relu = F->p->relu[l - 2], ok = 1;
    mag_t z, t, ru, cs;
    mag_init(z), mag_init(t), mag_init(ru), mag_init(cs);
    for (j = 0; j < nc; j++) {
        const double *zc = F->z[l - 1] + k * j, *a = g->a + k * j;
        double *d = g->d + k * j, s = nextafter(mag_get_d(F->sig + l * VF_COLS + j), INFINITY), q;
        slong nu = 0, ns = 0;
        int sg;
        double c2 = 0.0;
        mag_zero(z);
        mag_zero(ru);
        for (i = 0; i < k; i++) {
            int act = !relu || zc[i] > s ? 1 : zc[i] < -s ? 0 : (sg = entry_sign(F, l, i, j, zc[i])) != 0 ? sg > 0 : 2;
            d[i] = act == 1 ? a[i] : act == 0 ? 0.0 : a[i] * 0.5;
            if (act == 2) {
                mag_set_d(t, a[i]);
                mag_addmul(z, t, t);
                mag_addmul(ru, g->rown[l - 1] + i, g->rown[l - 1] + i);
                nu++;
            }
            if (act != 0) {
                ns++;
                c2 += g->coln[l][i] * g->coln[l][i];
            }
        }
        sq_bound(cs, t, c2, ns, 0);                 /* (P2): cs >= the exact sum of the squares */
        active_error(F, g->D + j, cs, j, l, ns);   /* reads the old D, mu, RU, DU: set them after */
        mag_sqrt(g->RU + j, ru);
        mag_sqrt(z, z);                               /* DU = ||a_U|| / 2 + eta/2 sqrt(|U|) */
        mag_mul_2exp_si(g->DU + j, z, -1);
        mag_zero(t);
        add_eta(t, 1, nu);
        mag_mul_2exp_si(t, t, -1);
        mag_add(g->DU + j, g->DU + j, t);
        q = sumsq(d, k);
        ok &= isfinite(q);
        norm_bound(g->mu + j, q, k);
    }
    mag_clear(z), mag_clear(t), mag_clear(ru), mag_clear(cs);
    return ok;
}

/* A <- ||W_l||_F (D + gamma_m mu) + RU DU + m eta sqrt(k) per column: ||W_l^T delta - computed||
 * ((P1); the error on the undecided entries meets only their rows of W_l, of norm RU). */
static void adjoint_bound(fpass *F, slong l, slong nc)
{
    vgrad *g = F->g;
    slong m = vx_out_rows(F->p, l), k = F->p->width[l - 1], j;
    mag_t gm;
    mag_init(gm);
    gamma_mag(gm, m);
    for (j = 0; j < nc; j++) {
        mag_mul(g->A + j, gm, g->mu + j);
        mag_add(g->A + j, g->A + j, g->D + j);
        mag_mul(g->A + j, g->A + j, F->fro + l);
        mag_addmul(g->A + j, g->RU + j, g->DU + j);
        add_eta(g->A + j, m, k);
    }
    mag_clear(gm);
}

static int backward(fpass *F, slong j0, slong nc)
{
    const vx_problem *p = F->p;
    vgrad *g = F->g;
    slong L = p->L, l, i, j;
    const double *dl = F->z[L];   /* delta_L: the residual */
    int ok = 1;
    for (l = L; l >= 1 && ok; l--) {
        slong m = vx_out_rows(p, l), k = p->width[l - 1];
        const double *dt = weighted(F, l, dl, m, j0, nc, F->nu + l * VF_COLS, F->sig + l * VF_COLS);
        weight_product(F, l, dt, m, nc);
        if (l == L && p->bias) {
            dt = weighted(F, L + 1, dl, m, j0, nc, NULL, NULL);
            for (j = 0; j < nc; j++)
                for (i = 0; i < m; i++)
                    g->G[L + 1][i] += dt[i + m * j];
        }
        product_with(F->tile, g->a, F->blk[l], dl, k, m, nc, VX_AT, F->pk);   /* W_l^T delta */
        adjoint_bound(F, l, nc);
        ok = l == 1 ? h1_part(F, j0, nc) : next_delta(F, l, nc);
        dl = g->d;
    }
    return ok;
}

/* X += the exact squared norm of n doubles whose computed sum of squares is q ((P2)). */
static void add_sq_exact(arb_t X, double q, slong n)
{
    arb_t x;
    mag_t t, e;
    arb_init(x), mag_init(t), mag_init(e);
    sq_bound(t, e, q, n, 1);
    arb_set_d(x, q);
    sq_ball(x, x, e, n);
    arb_add(X, X, x, 128);
    arb_clear(x), mag_clear(t), mag_clear(e);
}

/* The weight-gradient blocks and the bias: G = fl(fl(cd Ghat_l) + fl(lambda_l W_l)) (bias:
 * fl(cd Ghat)), its squared norm into X, its error c eps_l + (combine) into E2, eps_l
 * completed by the products' rounding gamma_n tn_l + n eta sqrt(mk). 0 on overflow. */
static int weight_blocks(fpass *F, arb_t X)
{
    const vx_problem *p = F->p;
    vgrad *g = F->g;
    slong L = p->L, n = F->P->ncols, l;
    mag_t gn, t, fn;
    int ok = 1;
    mag_init(gn), mag_init(t), mag_init(fn);
    gamma_mag(gn, n);
    for (l = 1; l <= L + (p->bias != 0) && ok; l++) {
        slong mk = l <= L ? vx_out_rows(p, l) * p->width[l - 1] : p->K;
        double q = sumsq(g->G[l], mk);
        mag_addmul(g->eps + l, gn, g->tn + l);
        add_eta(g->eps + l, n, mk);
        norm_bound(fn, q, mk);
        combine(g->prod, t, g->G[l], g->cd, g->ec, fn, l <= L ? F->blk[l] : NULL, l <= L ? g->ld[l] : 0.0,
                g->el + (l <= L ? l : 0), F->fro + (l <= L ? l : 0), mk);
        add_err(g, g->eps + l, t, 1);
        q = sumsq(g->prod, mk);
        ok = isfinite(q);
        add_sq_exact(X, q, mk);
    }
    mag_clear(gn), mag_clear(t), mag_clear(fn);
    return ok;
}

/* norm <- [max(0, sqrt(X) - E), sqrt(X) + E]: X = ||computed gradient||^2 (expanded point)
 * and E = sqrt(E2) >= ||g - computed|| for every element g of the chain-rule generalised
 * gradient. 0 on overflow. */
static int grad_norm(arb_t norm, fpass *F)
{
    const vx_problem *p = F->p;
    vgrad *g = F->g;
    arb_t X, S;
    arf_t lo, hi, e;
    int ok;
    arb_init(X), arb_init(S);
    arf_init(lo), arf_init(hi), arf_init(e);
    ok = weight_blocks(F, X);
    sq_ball(S, g->h1sq, g->h1sq_err, p->width[0]);
    arb_add(X, X, S, 128);
    mag_sqrt(g->E2, g->E2);
    mag_mul(g->E2, g->E2, g->scale);
    arb_sqrtpos(X, X, 128);
    arb_get_lbound_arf(lo, X, 128);
    arb_get_ubound_arf(hi, X, 128);
    arf_set_mag(e, g->E2);
    arf_sub(lo, lo, e, 128, ARF_RND_FLOOR);
    arf_add(hi, hi, e, 128, ARF_RND_CEIL);
    if (arf_sgn(lo) < 0)
        arf_zero(lo);
    arb_set_interval_arf(norm, lo, hi, 128);
    arb_clear(X), arb_clear(S);
    arf_clear(lo), arf_clear(hi), arf_clear(e);
    return ok && arb_is_finite(norm);
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

/* The double nearest to the midpoint of x (an exact constant enclosed at 128 bits), and
 * e >= |constant - that double|. */
static double nearest(mag_t e, const arb_t x)
{
    double d = arf_get_d(arb_midref(x), ARF_RND_NEAR);
    arb_t t;
    arb_init(t);
    arb_set_d(t, isfinite(d) ? d : 0.0);
    arb_sub(t, x, t, 128);
    arb_get_mag(e, t);
    arb_clear(t);
    return d;
}

/* r[i] >= ||row i|| of the m x k matrix W (column-major), by (P2) on each row's sum of squares. */
static mag_struct *row_norms(const double *W, slong m, slong k)
{
    mag_struct *r = _mag_vec_init(m);
    double *q = flint_calloc(m, sizeof(double));
    slong i, c;
    for (c = 0; c < k; c++)   /* any order of the sums: (P2) */
        for (i = 0; i < m; i++)
            q[i] += W[i + m * c] * W[i + m * c];
    for (i = 0; i < m; i++)
        norm_bound(r + i, q[i], k);
    flint_free(q);
    return r;
}

/* The backward pass's workspace: the column norms of the weights, the weight gradients' sums, the
 * chunk buffers (dmax rows). */
static void grad_init(fpass *F, vgrad *g, slong dmax)
{
    const vx_problem *p = F->p;
    slong L = p->L, l, r, mk = p->K;
    mag_t cn;
    memset(g, 0, sizeof(*g));
    g->p = p;
    g->G = flint_calloc(L + 2, sizeof(double *));
    g->coln = flint_calloc(L + 1, sizeof(double *));
    mag_init(cn);
    for (l = 1; l <= L; l++) {
        slong m = vx_out_rows(p, l), k = p->width[l - 1];
        if (l >= 2) {   /* the columns of W_l, as doubles: exact (30-bit mags), one step up */
            g->coln[l] = flint_malloc(k * sizeof(double));
            for (r = 0; r < k; r++) {
                norm_bound(cn, sumsq(F->blk[l] + m * r, m), m);
                g->coln[l][r] = nextafter(mag_get_d(cn), INFINITY);
            }
        }
        g->G[l] = flint_calloc(m * k, sizeof(double));
        mk = FLINT_MAX(mk, m * k);
    }
    mag_clear(cn);
    g->G[L + 1] = flint_calloc(p->K + 1, sizeof(double));
    g->rown = flint_calloc(L + 1, sizeof(mag_struct *));
    for (l = 1; l < L; l++)
        g->rown[l] = row_norms(F->blk[l], vx_out_rows(p, l), p->width[l - 1]);
    g->a = flint_malloc(dmax * VF_COLS * sizeof(double));
    g->d = flint_malloc(dmax * VF_COLS * sizeof(double));
    g->dw = flint_malloc(dmax * VF_COLS * sizeof(double));
    g->prod = flint_malloc(mk * sizeof(double));
    g->gc = flint_malloc(dmax * sizeof(double));
    g->D = _mag_vec_init(VF_COLS), g->mu = _mag_vec_init(VF_COLS), g->A = _mag_vec_init(VF_COLS);
    g->DU = _mag_vec_init(VF_COLS), g->RU = _mag_vec_init(VF_COLS);
    g->eps = _mag_vec_init(L + 2), g->tn = _mag_vec_init(L + 2);
    mag_init(g->E2), mag_init(g->h1sq_err), mag_init(g->scale), mag_init(g->cm), mag_init(g->ec);
    arb_init(g->h1sq);
    mag_set_d(g->scale, grad_scale);
    g->ld = flint_malloc((L + 1) * sizeof(double));
    g->el = _mag_vec_init(L + 1);
    {
        arb_t x;
        arb_init(x);
        arb_one(x);
        arb_div_fmpz(x, x, p->N, 128);
        arb_get_mag(g->cm, x);
        g->cd = nearest(g->ec, x);
        for (l = 0; l <= L; l++) {
            arb_set_fmpq(x, l == 0 ? p->lambda_h : p->lambda_w + l - 1, 128);
            g->ld[l] = nearest(g->el + l, x);
        }
        arb_clear(x);
    }
}

/* The constants' checks: every one a finite double. */
static int constants_ok(const vgrad *g, slong L)
{
    slong l;
    int ok = isfinite(g->cd);
    for (l = 0; l <= L; l++)
        ok &= isfinite(g->ld[l]);
    return ok;
}

static void grad_clear(vgrad *g, slong L)
{
    slong l;
    for (l = 1; l < L; l++)
        _mag_vec_clear(g->rown[l], vx_out_rows(g->p, l));
    for (l = 2; l <= L; l++)
        flint_free(g->coln[l]);
    flint_free(g->rown), flint_free(g->coln);
    for (l = 1; l <= L; l++)
        flint_free(g->G[l]);
    flint_free(g->G[L + 1]);
    flint_free(g->G);
    flint_free(g->a), flint_free(g->d), flint_free(g->dw), flint_free(g->prod);
    _mag_vec_clear(g->D, VF_COLS), _mag_vec_clear(g->mu, VF_COLS), _mag_vec_clear(g->A, VF_COLS);
    _mag_vec_clear(g->DU, VF_COLS), _mag_vec_clear(g->RU, VF_COLS);
    _mag_vec_clear(g->eps, L + 2), _mag_vec_clear(g->tn, L + 2);
    mag_clear(g->E2), mag_clear(g->h1sq_err), mag_clear(g->scale), mag_clear(g->cm), mag_clear(g->ec);
    arb_clear(g->h1sq);
    flint_free(g->gc), flint_free(g->ld);
    _mag_vec_clear(g->el, L + 1);
}

/* The blocks of P as doubles into F->blk; 0 with the reason when an entry is not one. */
static int blocks_get(fpass *F, const vx_point *P, slong L, char *why, size_t len)
{
    slong b;
    int ok = 1;
    char nm[24];
    F->blk = flint_calloc(L + 2, sizeof(double *));
    for (b = 0; b < L + 2 && ok; b++)   /* binary64 blocks as they are; the others converted */
        ok = (F->blk[b] = P->isdbl != NULL && P->isdbl[b] ? P->dbl + vx_block_start(F->p, P->ncols, b)
                                                           : block_doubles(P->blk + b)) != NULL;
    if (!ok)
        snprintf(why, len, "an entry of block %s of point %s is not exactly a binary64 double (the fast-double "
                           "rule applies to double points only)", block_name(nm, b - 1, L), P->name);
    return ok;
}

static void pass_init(fpass *F, const vx_problem *p, const vx_point *P, slong dmax)
{
    slong L = p->L, l;
    F->p = p;
    F->P = P;
    F->fro = _mag_vec_init(L + 1);
    F->sig = _mag_vec_init((L + 2) * VF_COLS);
    F->nu = _mag_vec_init((L + 2) * VF_COLS);
    F->h = flint_calloc(L + 1, sizeof(double *));
    F->z = flint_calloc(L + 1, sizeof(double *));
    for (l = 1; l <= L; l++) {
        F->h[l] = flint_malloc(dmax * VF_COLS * sizeof(double));
        F->z[l] = flint_malloc(dmax * VF_COLS * sizeof(double));
    }
    F->tile = pick_tile(0);   /* the panels of W h, W^T delta (k, n <= dmax, VF_COLS) and delta h^T */
    F->pk = flint_malloc(FLINT_MAX(pack_size(dmax, dmax, VF_COLS, 0), pack_size(dmax, VF_COLS, dmax, VX_ADD))
                         * sizeof(double));
    arb_init(F->fit), arb_init(F->regh), arb_init(F->tmp);
    mag_init(F->fit_err), mag_init(F->regh_err);
}

static void pass_clear(fpass *F)
{
    slong L = F->p->L, l;
    _mag_vec_clear(F->fro, L + 1);
    _mag_vec_clear(F->sig, (L + 2) * VF_COLS);
    _mag_vec_clear(F->nu, (L + 2) * VF_COLS);
    for (l = 1; l <= L; l++)
        flint_free(F->h[l]), flint_free(F->z[l]);
    flint_free(F->h), flint_free(F->z), flint_free(F->pk);
    arb_clear(F->fit), arb_clear(F->regh), arb_clear(F->tmp);
    mag_clear(F->fit_err), mag_clear(F->regh_err);
}

/* The passes over the chunks and the loss's enclosures into r (the norm's too with grad);
 * the blocks are in F->blk. */
static void run_rule(vx_fast *r, fpass *F, int grad)
{
    const vx_problem *p = F->p;
    const vx_point *P = F->P;
    slong L = p->L, l, j, dmax = p->K;
    vgrad g;
    fmpq_t c;
    int ok;
    for (l = 0; l < L; l++)
        dmax = FLINT_MAX(dmax, p->width[l]);
    pass_init(F, p, P, dmax);
    if (grad)
        F->g = &g;
    arb_zero(r->reg);
    ok = weights(F, r->reg);
    if (grad)
        grad_init(F, &g, dmax);
    for (j = 0; j < P->ncols && ok; j += VF_COLS)
        ok = chunk(F, j, FLINT_MIN(VF_COLS, P->ncols - j));
    if (ok) {
        fmpq_init(c);
        sq_ball(F->regh, F->regh, F->regh_err, p->width[0]);
        half_scaled(F->tmp, p->lambda_h, F->regh);
        arb_add(r->reg, r->reg, F->tmp, 128);
        sq_ball(F->fit, F->fit, F->fit_err, p->K);
        fmpz_one(fmpq_numref(c));                    /* fit = 1/(2N) sum_j w_j ||s_j||^2 */
        fmpz_set(fmpq_denref(c), p->N);
        half_scaled(r->fit, c, F->fit);
        arb_add(r->loss, r->fit, r->reg, 128);
        fmpq_clear(c);
        r->grad_ok = grad && constants_ok(&g, L) && grad_norm(r->norm, F);
    }
    r->ok = ok;
    if (!ok)
        snprintf(r->why, VWHY, "overflow in the double forward pass of point %s: the fast-double rule cannot "
                 "enclose it", P->name);
    else if (grad && !r->grad_ok)
        snprintf(r->gwhy, VWHY, "overflow in the double backward pass of point %s: the fast-double rule cannot "
                 "enclose its gradient", P->name);
    if (grad)
        grad_clear(&g, L);
    pass_clear(F);
}

/* The rule on P, once per point: with the gradient's norm when a fast-double gradient_norm
 * claim names the point (P->fast_grad), so that a point's loss and gradient claims share
 * one forward pass. */
const vx_fast *vx_point_fast(const vx_problem *p, vx_point *P)
{
    vx_fast *r;
    fpass F;
    if (P->fast != NULL)
        return P->fast;
    r = P->fast = flint_calloc(1, sizeof(vx_fast));
    arb_init(r->loss), arb_init(r->fit), arb_init(r->reg), arb_init(r->norm);
    if (p->ce)   /* the rule bounds the squared-error fit only (format §6.4.1) */
        snprintf(r->why, VWHY, "the fast-double rule encloses the squared-error loss only; this problem's loss is "
                               "cross-entropy");
    else if (!env_ok())
        snprintf(r->why, VWHY, "this machine's double arithmetic is not round-to-nearest with subnormals: "
                               "the fast-double rule cannot run here");
    else {
        memset(&F, 0, sizeof(F));
        F.p = p;
        F.P = P;
        if (blocks_get(&F, P, p->L, r->why, VWHY))
            run_rule(r, &F, P->fast_grad);
        free_blocks(&F, P, p->L);
    }
    if (!r->ok || !P->fast_grad)
        snprintf(r->gwhy, VWHY, "%s", r->ok ? "the gradient's norm was not requested" : r->why);
    return r;
}

void vx_fast_clear(vx_fast *r)
{
    if (r == NULL)
        return;
    arb_clear(r->loss), arb_clear(r->fit), arb_clear(r->reg), arb_clear(r->norm);
    flint_free(r);
}
