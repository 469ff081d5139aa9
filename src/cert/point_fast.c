/* The trained point's loss from the fast tier (docs/fast-tier.md) in a certificate: the
 * fast enclosure, widened so that any checker's enclosure by the fast-double rule of
 * docs/certificate-format.md §6.4.1 lies inside it (docs/certify-point.md, "Methods").
 *
 * A checker's rule encloses the true value f in [c - D, c + D], so it lies in [f - 2D, f + 2D]
 * and, f being in the fast enclosure [lo, hi], in [lo - 2D, hi + 2D]. D depends on the
 * checker's own midpoints, which differ from the fast tier's by about k u relative; the
 * claim is widened by 3 R with R this file's estimate of D from the fast tier's midpoints
 * (the 50% slack covers that and the estimate's rounding). The estimate need not be
 * rigorous: the checker recomputes its enclosure, and certify-point runs it before writing. */
#include <math.h>
#include <string.h>
#include "dncert/cert.h"
#include "dncert/fast.h"

#define U 0x1p-53

static double sq(const double *x, slong n)
{
    double s = 0.0;
    slong i;
    for (i = 0; i < n; i++)
        s += x[i] * x[i];
    return s;
}

/* Estimates of the half-widths of the rule's fit and regulariser enclosures (§6.4.1). */
static void rule_radius(double *rfit, double *rreg, const dnc_fast_t f, const dnc_problem_struct *p, const double *theta)
{
    slong L = p->L, N = p->N, K = p->K, l, j, i, col = 0, k;
    double *fro = flint_malloc((L + 1) * sizeof(double)), dev = 0.0, regh = 0.0, reg = 0.0;
    const double *b = p->bias == DNC_BIAS_FREE ? theta + dnc_param_offset(p, N, DNC_B, L + 1) : NULL, *zm, *zr;
    for (l = 1; l <= L; l++) {
        slong n = (l < L ? p->width[l] : K) * p->width[l - 1];
        double s = sq(theta + dnc_param_offset(p, N, DNC_W, l), n);
        fro[l] = sqrt(s);
        reg += 0.5 * fmpq_get_d(p->lambda_w + l - 1) * s * 4 * (double) n * U;
    }
    dnc_fast_buf(&zm, &zr, f, DNC_Z, 0);
    for (k = 0; k < K; k++)
        for (i = 0; i < p->n[k]; i++, col++) {
            double sig = 0.0, nu;
            for (l = 1; l <= L; l++) {
                const double *hm, *hr;
                slong d = p->width[l - 1], m = l < L ? p->width[l] : K;
                dnc_fast_buf(&hm, &hr, f, DNC_H, l);
                nu = sq(hm + d * col, d);
                if (l == 1)
                    regh += nu;
                sig = fro[l] * (sig + 1.01 * (double) d * U * sqrt(nu)) + (double) d * 0x1p-1074 * sqrt((double) m);
            }
            nu = 0.0;
            for (j = 0; j < K; j++) {
                double r = zm[j + K * col] + (b != NULL ? b[j] : 0.0) - (j == k ? 1.0 : 0.0);
                nu += r * r;
            }
            sig += 2 * U * sqrt(nu) + U;
            dev += 2 * sqrt(nu) * sig + sig * sig + nu * 4 * (double) K * U + 2 * (double) K * 0x1p-1074;
        }
    *rfit = dev / (2.0 * (double) N);
    *rreg = reg + 0.5 * fmpq_get_d(p->lambda_h) * regh * 4 * (double) p->width[0] * U;
    flint_free(fro);
}

/* x <- [lo - w, hi + w] as a ball. */
static void widened(arb_t x, double lo, double hi, double w)
{
    arb_t t;
    arb_init(t);
    dnc_fast_interval_arb(x, lo, hi);
    arb_set_d(t, w);
    arb_add_error(x, t);
    arb_clear(t);
}

int dnc_point_evaluate_fast(dnc_point_report *r, dnc_problem_t p, const double *theta, char *why, size_t len)
{
    dnc_fast_t f;
    double rfit, rreg;
    if (dnc_fast_init(f, p) != 0) {
        snprintf(why, len, "the fast tier cannot hold this point (memory, or sizes beyond its proof)");
        return 0;
    }
    if (!dnc_fast_eval_point(f, theta, DNC_FAST_GRAD)) {
        snprintf(why, len, "the fast tier cannot enclose this point: %s", dnc_fast_status_str(f->status));
        dnc_fast_clear(f);
        return 0;
    }
    rule_radius(&rfit, &rreg, f, p, theta);
    widened(r->fit, f->fit[0], f->fit[1], 3 * rfit);
    widened(r->reg, f->reg[0], f->reg[1], 3 * rreg);
    widened(r->loss, f->loss[0], f->loss[1], 3 * (rfit + rreg));
    r->grad_abs = dnc_fast_grad_max_abs(f);
    r->grad_rad = dnc_fast_grad_max_radius(f);
    r->nkinks = f->nkinks;
    r->fast = 1;
    dnc_fast_clear(f);
    return isfinite(rfit + rreg);
}
