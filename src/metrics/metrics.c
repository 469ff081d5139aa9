/* Neural-collapse metrics (definitions in dncert/metrics.h and docs/metrics.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>
#include "dncert/metrics.h"

void dnc_collapse_stats_init(dnc_collapse_stats *s)
{
    memset(s, 0, sizeof(*s));
    s->nc1 = s->nc1_ratio = s->nc2_orth = s->nc2_etf = NAN;
}

void dnc_collapse_stats_clear(dnc_collapse_stats *s)
{
    free(s->sv);
    dnc_collapse_stats_init(s);
}

void dnc_class_means(double *M, const double *H, slong d, slong ncols, const slong *label, slong K)
{
    slong *first = malloc(K * sizeof(slong)), *count = calloc(K, sizeof(slong)), j, k, i;
    for (k = 0; k < K; k++)
        first[k] = -1;
    memset(M, 0, d * K * sizeof(double));
    for (j = 0; j < ncols; j++) {
        k = label[j];
        if (first[k] < 0)
            first[k] = j;
        count[k]++;
        for (i = 0; i < d; i++)
            M[i + d * k] += H[i + d * j] - H[i + d * first[k]];
    }
    for (k = 0; k < K; k++)
        for (i = 0; i < d; i++)
            M[i + d * k] = count[k] ? H[i + d * first[k]] + M[i + d * k] / count[k] : 0.0;
    free(first);
    free(count);
}

static double frob(const double *A, slong n)
{
    return cblas_dnrm2((int) n, A, 1);
}

/* || G/||G||_F - T ||_F for the K x K Gram matrix G of X (d x K) and target T given by
 * diagonal value a and off-diagonal value b. */
static double gram_distance(const double *X, slong d, slong K, double a, double b)
{
    double *G = malloc(K * K * sizeof(double)), nrm, s = 0.0;
    slong i, j;
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int) K, (int) K, (int) d, 1.0,
                X, (int) d, X, (int) d, 0.0, G, (int) K);
    nrm = frob(G, K * K);
    for (j = 0; j < K; j++)
        for (i = 0; i < K; i++) {
            double e = G[i + K * j] / nrm - (i == j ? a : b);
            s += e * e;
        }
    free(G);
    return nrm > 0.0 ? sqrt(s) : NAN;
}

/* Singular values (and optionally left vectors U, d x min(d,K)) of a d x K matrix. */
static int svd(double *sv, double *U, const double *A, slong d, slong K)
{
    slong r = d < K ? d : K;
    double *a = malloc(d * K * sizeof(double)), *vt = malloc(K * K * sizeof(double));
    int info;
    memcpy(a, A, d * K * sizeof(double));
    info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, U ? 'S' : 'N', (int) d, (int) K, a, (int) d, sv,
                          U, (int) d, vt, (int) (r > 0 ? r : 1));
    free(a);
    free(vt);
    return info == 0 ? 0 : -1;
}

static slong count_above(const double *sv, slong n, double rel)
{
    slong i, r = 0;
    for (i = 0; i < n; i++)
        r += sv[0] > 0.0 && sv[i] > rel * sv[0];
    return r;
}

/* tr(Sigma_W Sigma_B^+) = (1/N) sum_i (K/s_i^2) sum_j (u_i^T e_j)^2 over the kept singular
 * pairs (s_i, u_i) of Mbar, with e_j = h_j - mu_{c_j} the columns of E. */
static double nc1_pinv(const double *E, slong d, slong ncols, const double *Mbar, slong K, double tol)
{
    slong r = d < K ? d : K, keep, i;
    double *s = malloc(r * sizeof(double)), *U = malloc(d * r * sizeof(double)), *P, acc = 0.0;
    if (svd(s, U, Mbar, d, K) != 0) {
        free(s);
        free(U);
        return NAN;
    }
    keep = count_above(s, r, tol);
    if (keep == 0) {
        free(s);
        free(U);
        return NAN;
    }
    P = malloc(keep * ncols * sizeof(double));
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int) keep, (int) ncols, (int) d, 1.0,
                U, (int) d, E, (int) d, 0.0, P, (int) keep);
    for (i = 0; i < keep; i++)
        acc += (double) K / (s[i] * s[i]) * cblas_ddot((int) ncols, P + i, (int) keep, P + i, (int) keep);
    free(P);
    free(s);
    free(U);
    return acc / ncols / K;
}

/* The statistics of features H whose class means M (d x K) are already known. */
static int stats_from_means(dnc_collapse_stats *s, const double *H, const double *M, slong d, slong ncols,
                            const slong *label, slong K, double rank_tol)
{
    double *Mbar = malloc(d * K * sizeof(double));
    double *E = malloc(d * ncols * sizeof(double)), *muG = calloc(d, sizeof(double));
    double trW, trB;
    slong i, j, k;
    int status = 0;

    dnc_collapse_stats_clear(s);
    s->nsv = d < K ? d : K;
    s->sv = malloc(s->nsv * sizeof(double));
    /* Global mean = count-weighted mean of the class means. */
    for (j = 0; j < ncols; j++)
        for (i = 0; i < d; i++)
            muG[i] += M[i + d * label[j]] / ncols;
    for (k = 0; k < K; k++)
        for (i = 0; i < d; i++)
            Mbar[i + d * k] = M[i + d * k] - muG[i];
    for (j = 0; j < ncols; j++)
        for (i = 0; i < d; i++)
            E[i + d * j] = H[i + d * j] - M[i + d * label[j]];

    trW = frob(E, d * ncols);
    trW = trW * trW / ncols;
    trB = frob(Mbar, d * K);
    trB = trB * trB / K;
    s->nc1_ratio = trB > 0.0 ? trW / trB : NAN;
    s->nc1 = nc1_pinv(E, d, ncols, Mbar, K, rank_tol);
    s->nc2_orth = gram_distance(M, d, K, 1.0 / sqrt((double) K), 0.0);
    s->nc2_etf = gram_distance(Mbar, d, K, (1.0 - 1.0 / K) / sqrt(K - 1.0), -1.0 / K / sqrt(K - 1.0));
    if (svd(s->sv, NULL, M, d, K) != 0)
        status = -1;
    else
        s->rank = count_above(s->sv, s->nsv, rank_tol);
    free(Mbar);
    free(E);
    free(muG);
    return status;
}

int dnc_collapse_stats_compute(dnc_collapse_stats *s, const double *H, slong d, slong ncols,
                               const slong *label, slong K, double rank_tol)
{
    double *M = malloc(d * K * sizeof(double));
    int status;
    dnc_class_means(M, H, d, ncols, label, K);
    status = stats_from_means(s, H, M, d, ncols, label, K, rank_tol);
    free(M);
    return status;
}

double dnc_nc3(const double *W, slong rows, slong d, const double *M, slong K, int last)
{
    double *A, nw = frob(W, rows * d), na, s = 0.0;
    slong i, j;
    if (last) {
        /* W^T (d x K) against M (d x K): rows == K here. */
        na = frob(M, d * K);
        for (j = 0; j < K; j++)
            for (i = 0; i < d; i++) {
                double e = W[j + rows * i] / nw - M[i + d * j] / na;
                s += e * e;
            }
        return nw > 0.0 && na > 0.0 ? sqrt(s) : NAN;
    }
    {
        /* A = W (M M^T): rows x d. */
        double *MMt = malloc(d * d * sizeof(double));
        A = malloc(rows * d * sizeof(double));
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int) d, (int) d, (int) K, 1.0,
                    M, (int) d, M, (int) d, 0.0, MMt, (int) d);
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int) rows, (int) d, (int) d, 1.0,
                    W, (int) rows, MMt, (int) d, 0.0, A, (int) rows);
        free(MMt);
    }
    na = frob(A, rows * d);
    for (i = 0; i < rows * d; i++) {
        double e = W[i] / nw - A[i] / na;
        s += e * e;
    }
    free(A);
    return nw > 0.0 && na > 0.0 ? sqrt(s) : NAN;
}

int dnc_metrics_layers(dnc_layer_metrics *m, const dnc_dobj_t obj, const double *theta, double rank_tol)
{
    const dnc_problem_struct *p = obj->p;
    slong l, K = p->K, nc = obj->ncols;
    int status = 0;
    for (l = 1; l <= p->L; l++) {
        dnc_layer_metrics *ml = m + (l - 1);
        slong d = p->width[l - 1], rows = dnc_problem_out_rows(p, l);
        const double *H = l == 1 ? theta : dnc_dobj_buf(obj, DNC_H, l);
        const double *W = theta + dnc_param_offset(p, nc, DNC_W, l);
        double *M = malloc(d * K * sizeof(double));
        ml->layer = l;
        ml->width = d;
        ml->has_pre = l >= 2;
        dnc_collapse_stats_init(&ml->post);
        dnc_collapse_stats_init(&ml->pre);
        dnc_class_means(M, H, d, nc, obj->label, K);   /* for the statistics and NC3 */
        status |= stats_from_means(&ml->post, H, M, d, nc, obj->label, K, rank_tol);
        if (ml->has_pre) {
            /* The trainer keeps only H_l (activation in place): recompute W_{l-1} H_{l-1}. */
            const double *Hp = l == 2 ? theta : dnc_dobj_buf(obj, DNC_H, l - 1);
            const double *Wp = theta + dnc_param_offset(p, nc, DNC_W, l - 1);
            slong dp = p->width[l - 2];
            double *pre = malloc(d * nc * sizeof(double));
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int) d, (int) nc, (int) dp, 1.0,
                        Wp, (int) d, Hp, (int) dp, 0.0, pre, (int) d);
            status |= dnc_collapse_stats_compute(&ml->pre, pre, d, nc, obj->label, K, rank_tol);
            free(pre);
        }
        ml->nc3 = dnc_nc3(W, rows, d, M, K, l == p->L);
        free(M);
    }
    return status;
}

void dnc_layer_metrics_clear(dnc_layer_metrics *m, slong L)
{
    slong l;
    for (l = 0; l < L; l++) {
        dnc_collapse_stats_clear(&m[l].post);
        dnc_collapse_stats_clear(&m[l].pre);
    }
}
