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

/* The estimate of the rule's half-widths (§6.4.1), summed chunk by chunk (the fast tier's
 * forward quantities exist for one chunk of columns at a time). */
typedef struct {
    const dnc_problem_struct *p;
    const double *theta;
    double *fro;           /* ||W_l||_F */
    slong *label;          /* class of each column */
    double dev, regh;      /* the fit's deviation; sum of ||H1 columns||^2 */
} rule_est;

static void rule_chunk(void *arg, const dnc_fast_struct *f, slong col0, slong ncols)
{
    rule_est *e = arg;
    const dnc_problem_struct *p = e->p;
    slong L = p->L, K = p->K, N = p->N, l, j, c;
    const double *b = p->bias == DNC_BIAS_FREE ? e->theta + dnc_param_offset(p, N, DNC_B, L + 1) : NULL, *zm, *zr;
    dnc_fast_buf(&zm, &zr, f, DNC_Z, 0);
    for (c = 0; c < ncols; c++) {
        double sig = 0.0, nu;
        for (l = 1; l <= L; l++) {
            const double *hm, *hr;
            slong d = p->width[l - 1], m = l < L ? p->width[l] : K;
            dnc_fast_buf(&hm, &hr, f, DNC_H, l);
            nu = sq(hm + d * c, d);
            if (l == 1)
                e->regh += nu;
            sig = e->fro[l] * (sig + 1.01 * (double) d * U * sqrt(nu)) + (double) d * 0x1p-1074 * sqrt((double) m);
        }
        nu = 0.0;
        for (j = 0; j < K; j++) {
            double r = zm[j + K * c] + (b != NULL ? b[j] : 0.0) - (j == e->label[col0 + c] ? 1.0 : 0.0);
            nu += r * r;
        }
        sig += 2 * U * sqrt(nu) + U;
        e->dev += 2 * sqrt(nu) * sig + sig * sig + nu * 4 * (double) K * U + 2 * (double) K * 0x1p-1074;
    }
}

static void rule_start(rule_est *e, dnc_fast_t f, const dnc_problem_struct *p, const double *theta)
{
    slong l, k, i, j = 0;
    e->p = p;
    e->theta = theta;
    e->dev = e->regh = 0.0;
    e->fro = flint_malloc((p->L + 1) * sizeof(double));
    e->label = flint_malloc(p->N * sizeof(slong));
    for (l = 1; l <= p->L; l++)
        e->fro[l] = sqrt(sq(theta + dnc_param_offset(p, p->N, DNC_W, l), (l < p->L ? p->width[l] : p->K) * p->width[l - 1]));
    for (k = 0; k < p->K; k++)
        for (i = 0; i < p->n[k]; i++)
            e->label[j++] = k;
    f->chunk_done = rule_chunk;
    f->chunk_arg = e;
}

/* Estimates of the half-widths of the rule's fit and regulariser enclosures. */
static void rule_radius(double *rfit, double *rreg, rule_est *e)
{
    const dnc_problem_struct *p = e->p;
    slong l;
    double reg = 0.0;
    for (l = 1; l <= p->L; l++) {
        slong n = (l < p->L ? p->width[l] : p->K) * p->width[l - 1];
        reg += 0.5 * fmpq_get_d(p->lambda_w + l - 1) * e->fro[l] * e->fro[l] * 4 * (double) n * U;
    }
    *rfit = e->dev / (2.0 * (double) p->N);
    *rreg = reg + 0.5 * fmpq_get_d(p->lambda_h) * e->regh * 4 * (double) p->width[0] * U;
    flint_free(e->fro);
    flint_free(e->label);
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
    rule_est e;
    if (dnc_fast_init_flags(f, p, DNC_FAST_NO_H1_GRAD) != 0) {   /* the summary needs H1's bounds only */
        snprintf(why, len, "the fast tier cannot hold this point (memory, or sizes beyond its proof)");
        return 0;
    }
    rule_start(&e, f, p, theta);
    if (!dnc_fast_eval_point(f, theta, DNC_FAST_GRAD)) {
        snprintf(why, len, "the fast tier cannot enclose this point: %s", dnc_fast_status_str(f->status));
        rule_radius(&rfit, &rreg, &e);
        dnc_fast_clear(f);
        return 0;
    }
    rule_radius(&rfit, &rreg, &e);
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
