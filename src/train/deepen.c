/* From a point of depth L to one of depth L + 1 with the same network output
 * (docs/trainer.md, "Starting deeper"): a scaled identity is inserted after the last
 * hidden layer, then every factor is rescaled so that the weight-decay terms are equal. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/objective.h"
#include "dncert/train.h"

/* Sum of squares of x[0..n). */
static double sumsq(const double *x, slong n)
{
    double s = 0;
    slong i;
    for (i = 0; i < n; i++)
        s += x[i] * x[i];
    return s;
}

/* Scales block b (0 = H1, 1..L = W_b) of theta for problem q by c_b, where c_0 ... c_L
 * have product 1 and make lambda_b ||X_b||^2 equal for every b: the output is unchanged
 * (the network is positively homogeneous in each factor, ReLU included) and the
 * regulariser sum_b (lambda_b / 2) c_b^2 ||X_b||^2 is least among such rescalings, as it
 * is at every critical point. A zero block leaves everything as it is. */
static void rebalance(double *theta, const dnc_problem_t q)
{
    slong b, i, L = q->L;
    double *a = malloc((L + 1) * sizeof(double)), logmean = 0;
    if (a == NULL)
        return;
    for (b = 0; b <= L; b++) {
        slong lo = dnc_param_block_start(q, q->N, b), hi = dnc_param_block_start(q, q->N, b + 1);
        double lam = fmpq_get_d(b == 0 ? q->lambda_h : q->lambda_w + b - 1);
        a[b] = lam * sumsq(theta + lo, hi - lo);
        if (!(a[b] > 0) || !isfinite(a[b])) {
            free(a);
            return;
        }
        logmean += log(a[b]) / (double) (L + 1);
    }
    for (b = 0; b <= L; b++) {
        slong lo = dnc_param_block_start(q, q->N, b), hi = dnc_param_block_start(q, q->N, b + 1);
        double c = exp(0.5 * (logmean - log(a[b])));
        for (i = lo; i < hi; i++)
            theta[i] *= c;
    }
    free(a);
}

int dnc_point_deepen(dnc_problem_t q, double **out, const dnc_problem_t p, const double *theta, char *err,
                     size_t errlen)
{
    slong L = p->L, d = p->width[L - 1], i, head, wl, nb, total;
    double *t;
    *out = NULL;
    if (dnc_problem_deepen(q, p, err, errlen) != 0)
        return -1;
    total = dnc_param_offset(q, q->N, DNC_NKINDS, 0);
    if (total < 0 || (t = calloc((size_t) total, sizeof(double))) == NULL)
        return dnc_fail(err, errlen, "not enough memory for the deeper point (%ld parameters)", (long) total);
    /* [H1 | W_1..W_{L-1}] as they are, then I_d (the new W_L), then W_L as W_{L+1}, then b */
    head = dnc_param_offset(p, p->N, DNC_W, L);
    wl = dnc_param_offset(p, p->N, DNC_B, 0) - head;
    nb = dnc_param_offset(p, p->N, DNC_NKINDS, 0) - head - wl;
    memcpy(t, theta, (size_t) head * sizeof(double));
    for (i = 0; i < d; i++)
        t[head + i * d + i] = 1.0;
    memcpy(t + head + d * d, theta + head, (size_t) (wl + nb) * sizeof(double));
    rebalance(t, q);
    *out = t;
    return 0;
}
