/* Collapse metrics against exactly collapsed and hand-computed examples. */
#include <math.h>
#include <stdlib.h>
#include <criterion/criterion.h>
#include "dncert/metrics.h"

/* Features of K classes with counts n[k]; column j of class k = mean[k] + dev[j]. */
static double *features(const double *means, slong d, const slong *n, slong K, slong **label, slong *N)
{
    slong k, j, i, c = 0;
    double *H;
    *N = 0;
    for (k = 0; k < K; k++)
        *N += n[k];
    H = malloc(d * *N * sizeof(double));
    *label = malloc(*N * sizeof(slong));
    for (k = 0; k < K; k++)
        for (j = 0; j < n[k]; j++, c++) {
            (*label)[c] = k;
            for (i = 0; i < d; i++)
                H[i + d * c] = means[i + d * k];
        }
    return H;
}

/* Exactly collapsed features whose means are an orthogonal frame 0.3*e_1, 0.3*e_2,
 * 0.3*e_3 in R^5: Sigma_W = 0, so NC1 = 0 exactly; G = 0.09 I, so NC2_orth = 0 up to the
 * rounding of 1/sqrt(3). Counts are imbalanced and 0.3 is not dyadic on purpose. */
Test(metrics, collapsed_orthogonal_frame)
{
    double M[15] = { 0 };
    slong n[3] = { 2, 3, 4 }, *label, N;
    double *H;
    dnc_collapse_stats s;
    M[0] = M[5 + 1] = M[10 + 2] = 0.3;
    H = features(M, 5, n, 3, &label, &N);
    dnc_collapse_stats_init(&s);
    cr_assert_eq(dnc_collapse_stats_compute(&s, H, 5, N, label, 3, 1e-6), 0);
    cr_assert_eq(s.nc1, 0.0);
    cr_assert_eq(s.nc1_ratio, 0.0);
    cr_assert_lt(s.nc2_orth, 1e-15);
    cr_assert_eq(s.rank, 3);
    cr_assert_float_eq(s.sv[0], 0.3, 1e-15);
    cr_assert_float_eq(s.sv[2], 0.3, 1e-15);
    dnc_collapse_stats_clear(&s);
    free(H);
    free(label);
}

/* Hand example, d = 2, K = 2, n = 2: class 0 = (1,0), (3,0); class 1 = (0,1), (0,3).
 * Means (2,0), (0,2); mu_G = (1,1); deviations +-e_1, +-e_2, so Sigma_W = I/2.
 * Mbar = [(1,-1), (-1,1)], Sigma_B = (1/2) Mbar Mbar^T = [1 -1; -1 1] = 2 u u^T with
 * u = (1,-1)/sqrt 2, Sigma_B^+ = u u^T / 2, tr(Sigma_W Sigma_B^+) = 1/2 * 1/2 = 1/4,
 * NC1 = 1/4 / K = 1/8. tr Sigma_W = 1, tr Sigma_B = 2: ratio 1/2.
 * G = M^T M = 4 I: NC2_orth = 0; Gbar = [2 -2; -2 2] = 4 (I - J/2): NC2_etf = 0.
 * Singular values of M: 2, 2. */
Test(metrics, hand_computed_two_classes)
{
    double H[8] = { 1, 0, 3, 0, 0, 1, 0, 3 };
    slong label[4] = { 0, 0, 1, 1 };
    dnc_collapse_stats s;
    dnc_collapse_stats_init(&s);
    cr_assert_eq(dnc_collapse_stats_compute(&s, H, 2, 4, label, 2, 1e-6), 0);
    cr_assert_float_eq(s.nc1, 0.125, 1e-15);
    cr_assert_float_eq(s.nc1_ratio, 0.5, 1e-15);
    cr_assert_lt(s.nc2_orth, 1e-15);
    cr_assert_lt(s.nc2_etf, 1e-15);
    cr_assert_float_eq(s.sv[0], 2.0, 1e-15);
    cr_assert_float_eq(s.sv[1], 2.0, 1e-15);
    dnc_collapse_stats_clear(&s);
}

/* Means (1,0) and (1,1) (one sample each): G = [1 1; 1 2], ||G||_F = sqrt 7, so
 * NC2_orth^2 = (1/sqrt7 - 1/sqrt2)^2 + 2/7 + (2/sqrt7 - 1/sqrt2)^2. */
Test(metrics, hand_computed_nc2_orth)
{
    double H[4] = { 1, 0, 1, 1 };
    slong label[2] = { 0, 1 };
    double r7 = sqrt(7.0), r2 = sqrt(2.0);
    double want = sqrt(pow(1 / r7 - 1 / r2, 2) + 2.0 / 7.0 + pow(2 / r7 - 1 / r2, 2));
    dnc_collapse_stats s;
    dnc_collapse_stats_init(&s);
    cr_assert_eq(dnc_collapse_stats_compute(&s, H, 2, 2, label, 2, 1e-6), 0);
    cr_assert_float_eq(s.nc2_orth, want, 1e-15);
    cr_assert_eq(s.nc1, 0.0);
    dnc_collapse_stats_clear(&s);
}

/* A simplex ETF: three unit means at angles 0, 120, 240 degrees (balanced, so mu_G = 0).
 * NC2_etf = 0; G has diagonal 1 and off-diagonal -1/2, ||G||_F^2 = 3 + 6/4 = 9/2, so
 * NC2_orth^2 = 3 (sqrt(2/9) - 1/sqrt3)^2 + 6 (1/4)(2/9). Rank 2 (planar). */
Test(metrics, simplex_etf)
{
    double pi = acos(-1.0), c = cos(2 * pi / 3), s3 = sin(2 * pi / 3);
    double H[6] = { 1, 0, c, s3, c, -s3 };
    slong label[3] = { 0, 1, 2 };
    double want = sqrt(3 * pow(sqrt(2.0 / 9.0) - 1 / sqrt(3.0), 2) + 6 * 0.25 * 2.0 / 9.0);
    dnc_collapse_stats s;
    dnc_collapse_stats_init(&s);
    cr_assert_eq(dnc_collapse_stats_compute(&s, H, 2, 3, label, 3, 1e-6), 0);
    cr_assert_lt(s.nc2_etf, 1e-15);
    cr_assert_float_eq(s.nc2_orth, want, 1e-15);
    cr_assert_eq(s.rank, 2);
    dnc_collapse_stats_clear(&s);
}

/* Rank-deficient means: the pseudo-inverse form of NC1 ignores the null directions and
 * the numerical rank counts only the non-zero singular value. Means (1,1,0) and (2,2,0)
 * (rank 1), one deviation +-(0,0,1) in class 0 only: Sigma_W = diag(0,0,2/4) is
 * orthogonal to the range of Sigma_B, so NC1 (pinv) = 0 while the ratio is positive:
 * tr Sigma_W = 1/2, Mbar = (-1/2,-1/2,0), (1/2,1/2,0), tr Sigma_B = (1/2)(1/2 + 1/2) = 1/2. */
Test(metrics, rank_deficient_means)
{
    double H[12] = { 1, 1, 1, 1, 1, -1, 2, 2, 0, 2, 2, 0 };
    slong label[4] = { 0, 0, 1, 1 };
    dnc_collapse_stats s;
    dnc_collapse_stats_init(&s);
    cr_assert_eq(dnc_collapse_stats_compute(&s, H, 3, 4, label, 2, 1e-6), 0);
    cr_assert_eq(s.rank, 1);
    cr_assert_lt(fabs(s.nc1), 1e-15);
    cr_assert_float_eq(s.nc1_ratio, 1.0, 1e-15);
    dnc_collapse_stats_clear(&s);
}

/* NC3 with means M = 2 [e1 e2] in R^3, so M M^T = 4 diag(1,1,0).
 * Last layer: W_L = M^T is aligned with M: NC3 = 0.
 * Inner layer (compares W with W M M^T): the projector P = diag(1,1,0) gives
 * P M M^T = 4 P, aligned; so does e3 e1^T (maps e1 to e3): W M M^T = 4 e3 e1^T; while
 * e2 e3^T gives W M M^T = 0 and NC3 is undefined (NaN). */
Test(metrics, nc3_aligned)
{
    double M[6] = { 2, 0, 0, 0, 2, 0 };
    double WL[6] = { 2, 0, 0, 2, 0, 0 };      /* 2 x 3, = M^T (column-major) */
    double P[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 0 };
    double Wbad[9] = { 0, 0, 1, 0, 0, 0, 0, 0, 0 };
    cr_assert_lt(dnc_nc3(WL, 2, 3, M, 2, 1), 1e-15);
    cr_assert_lt(dnc_nc3(P, 3, 3, M, 2, 0), 1e-15);
    cr_assert_lt(dnc_nc3(Wbad, 3, 3, M, 2, 0), 1e-15);
    Wbad[2] = 0;
    Wbad[7] = 1;
    cr_assert(isnan(dnc_nc3(Wbad, 3, 3, M, 2, 0)));
}
