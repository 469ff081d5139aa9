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
    /* the gradient_norm rule (format §6.12), per column: */
    double *sig, *nu;      /* sigma_l, nu_l (l = 1..L + 1) of the column */
    double *kink;          /* per column of the chunk and layer: the fast tier's kinks (kinks_of) */
    double **coln;         /* coln[l][i] = ||column i of W_l||, l = 2..L */
    double *eps, *tn;      /* per block l = 1..L + 1: the rank-one terms, sum ||delta|| ||h|| */
    double h1err;          /* sum over columns of (A_1 / N)^2 */
    slong nk;              /* kinks of the evaluation seen so far */
} rule_est;

/* The gradient rule's adjoint bounds for one column, from its forward bounds (e->sig, e->nu)
 * and the residual's error dl and norm mu: delta's norm is estimated from above by the
 * Frobenius norms (the rule uses the computed one); at the fast tier's kinks of layer l
 * (kink[2 l], the unscaled adjoint's norm there, and kink[2 l + 1], the norm of their rows
 * of W_{l-1}) the rule's error gets half the adjoint, which meets only those rows. The rule
 * may leave more signs undecided than the fast tier's kinks, only within its bound of the
 * pre-activation (certify-point then leaves the claim out). */
static void grad_column(rule_est *e, const dnc_fast_struct *f, slong c, const double *kink, double dl, double mu)
{
    const dnc_problem_struct *p = e->p;
    slong L = p->L, l;
    double du = 0.0, ru = 0.0;
    for (l = L; l >= 1; l--) {
        slong m = l < L ? p->width[l] : p->K;
        double A, cs = 0.0;
        e->eps[l] += (dl + du) * (e->nu[l] + e->sig[l]) + mu * e->sig[l];
        e->tn[l] += mu * e->nu[l];
        if (l == L) {
            e->eps[L + 1] += dl;
            e->tn[L + 1] += mu;
        }
        A = e->fro[l] * (dl + 1.01 * (double) m * U * mu) + ru * du;
        if (l >= 2) {   /* the rule keeps the error of the entries whose slope is not 0 only */
            const double *hm, *hr;
            slong i, d = p->width[l - 1];
            dnc_fast_buf(&hm, &hr, f, DNC_H, l);
            for (i = 0; i < d; i++)
                if (p->act[l - 2] != DNC_ACT_RELU || hm[i + d * c] != 0.0 || (hr != NULL && hr[i + d * c] != 0.0))
                    cs += e->coln[l][i] * e->coln[l][i];
            cs = sqrt(cs);
        }
        dl = l >= 2 ? cs * (dl + 1.01 * (double) m * U * mu) + ru * du : A;
        mu *= l >= 2 ? cs : e->fro[l];
        du = l >= 2 ? 0.5 * kink[2 * l] : 0.0;
        ru = l >= 2 ? kink[2 * l + 1] : 0.0;
        if (l == 1)
            e->h1err += (A / (double) p->N) * (A / (double) p->N);
    }
}

/* The kinks of the chunk just evaluated (the fast tier appends them, layer by layer, during
 * the chunk's backward pass): per column c and layer l, kink[2 l + 2 (L + 1) c] >= N times the
 * norm of the fast tier's bounds of the adjoint there, kink[2 l + 1 + ...] the norm of their
 * rows of W_{l-1}. */
static void kinks_of(rule_est *e, const dnc_fast_struct *f, slong col0, slong ncols)
{
    const dnc_problem_struct *p = e->p;
    slong L = p->L, n = 2 * (L + 1) * ncols, c;
    e->kink = flint_realloc(e->kink, (size_t) n * sizeof(double));
    memset(e->kink, 0, (size_t) n * sizeof(double));
    for (; e->nk < f->nkinks; e->nk++) {
        const dnc_kink *k = f->kinks + e->nk;
        double a = (double) p->N * f->kink_adj[e->nk], *x = e->kink + 2 * k->layer + 2 * (L + 1) * (k->col - col0);
        const double *W = e->theta + dnc_param_offset(p, p->N, DNC_W, k->layer - 1);
        slong rows = p->width[k->layer - 1], i;
        x[0] += a * a;
        for (i = 0; i < p->width[k->layer - 2]; i++)   /* row k->row of W_{l-1} */
            x[1] += W[k->row + rows * i] * W[k->row + rows * i];
    }
    for (c = 0; c < n; c++)
        e->kink[c] = sqrt(e->kink[c]);
}

static void rule_chunk(void *arg, const dnc_fast_struct *f, slong col0, slong ncols)
{
    rule_est *e = arg;
    const dnc_problem_struct *p = e->p;
    slong L = p->L, K = p->K, N = p->N, l, j, c;
    const double *b = p->bias == DNC_BIAS_FREE ? e->theta + dnc_param_offset(p, N, DNC_B, L + 1) : NULL, *zm, *zr;
    dnc_fast_buf(&zm, &zr, f, DNC_Z, 0);
    kinks_of(e, f, col0, ncols);
    for (c = 0; c < ncols; c++) {
        double sig = 0.0, nu;
        for (l = 1; l <= L; l++) {
            const double *hm, *hr;
            slong d = p->width[l - 1], m = l < L ? p->width[l] : K;
            dnc_fast_buf(&hm, &hr, f, DNC_H, l);
            nu = sq(hm + d * c, d);
            if (l == 1)
                e->regh += nu;
            e->sig[l] = sig;
            e->nu[l] = sqrt(nu);
            sig = e->fro[l] * (sig + 1.01 * (double) d * U * sqrt(nu)) + (double) d * 0x1p-1074 * sqrt((double) m);
        }
        nu = 0.0;
        for (j = 0; j < K; j++) {
            double r = zm[j + K * c] + (b != NULL ? b[j] : 0.0) - (j == e->label[col0 + c] ? 1.0 : 0.0);
            nu += r * r;
        }
        sig += 2 * U * sqrt(nu) + U;
        e->dev += 2 * sqrt(nu) * sig + sig * sig + nu * 4 * (double) K * U + 2 * (double) K * 0x1p-1074;
        grad_column(e, f, c, e->kink + 2 * (L + 1) * c, sig, sqrt(nu));
    }
}

static void rule_start(rule_est *e, dnc_fast_t f, const dnc_problem_struct *p, const double *theta)
{
    slong l, k, i, j = 0;
    e->p = p;
    e->theta = theta;
    e->dev = e->regh = e->h1err = 0.0;
    e->nk = 0;
    e->sig = flint_calloc(p->L + 2, sizeof(double));
    e->nu = flint_calloc(p->L + 2, sizeof(double));
    e->eps = flint_calloc(p->L + 2, sizeof(double));
    e->tn = flint_calloc(p->L + 2, sizeof(double));
    e->kink = NULL;
    e->fro = flint_malloc((p->L + 1) * sizeof(double));
    e->label = flint_malloc(p->N * sizeof(slong));
    for (l = 1; l <= p->L; l++)
        e->fro[l] = sqrt(sq(theta + dnc_param_offset(p, p->N, DNC_W, l), (l < p->L ? p->width[l] : p->K) * p->width[l - 1]));
    e->coln = flint_calloc(p->L + 1, sizeof(double *));
    for (l = 2; l <= p->L; l++) {
        slong m = l < p->L ? p->width[l] : p->K;
        e->coln[l] = flint_malloc(p->width[l - 1] * sizeof(double));
        for (k = 0; k < p->width[l - 1]; k++)
            e->coln[l][k] = sqrt(sq(theta + dnc_param_offset(p, p->N, DNC_W, l) + m * k, m));
    }
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
}

/* Estimate of the gradient rule's error bound E (format §6.12), with gnorm >= the norm:
 * the blocks' c eps_l (eps_l with the products' gamma_N tn_l), the H1 columns' c A, and
 * the roundings of forming c G + lambda W, about 3u of ||g|| + lambda ||W|| each. */
static double rule_grad_radius(rule_est *e, double gnorm)
{
    const dnc_problem_struct *p = e->p;
    slong l;
    double N = (double) p->N, E2 = e->h1err, w = fmpq_get_d(p->lambda_h) * sqrt(e->regh);
    for (l = 1; l <= p->L + 1; l++) {
        double x = (e->eps[l] + 1.01 * N * U * e->tn[l]) / N;
        E2 += x * x;
        if (l <= p->L)
            w += fmpq_get_d(p->lambda_w + l - 1) * e->fro[l];
    }
    return sqrt(E2) + 4 * U * (gnorm + 2 * w) + 0x1p-1000;
}

static void rule_clear(rule_est *e)
{
    slong l;
    flint_free(e->fro);
    flint_free(e->label);
    flint_free(e->sig), flint_free(e->nu), flint_free(e->eps), flint_free(e->tn), flint_free(e->kink);
    for (l = 2; l <= e->p->L; l++)
        flint_free(e->coln[l]);
    flint_free(e->coln);
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

/* A quarter of DNC_FAST_NO_H1_GRAD's default, which lets the temporaries take the point's
 * size (docs/fast-tier.md §6.5): the fast stage's peak -- the point, the weight gradients'
 * midpoints and radii, the temporaries -- then stays at the checker's re-check that follows
 * (its own point and its pass), where the process's peak is at N = 2000 (issue 13). About 15%
 * of the enclosure's time there (64 columns instead of 183). */
slong dnc_point_fast_chunk(const dnc_fast_struct *f)
{
    slong c = dnc_fast_chunk(f) / 4;
    return c > DNC_FAST_MIN_CHUNK ? c : FLINT_MIN(DNC_FAST_MIN_CHUNK, dnc_fast_chunk(f));
}

int dnc_point_evaluate_fast(dnc_point_report *r, dnc_problem_t p, const double *theta, char *why, size_t len)
{
    dnc_fast_t f;
    double rfit, rreg, glo, ghi, rg;
    rule_est e;
    if (dnc_fast_init_flags(f, p, DNC_FAST_NO_H1_GRAD) != 0) {   /* the summary needs H1's bounds only */
        snprintf(why, len, "the fast tier cannot hold this point (memory, or sizes beyond its proof)");
        return 0;
    }
    if (dnc_fast_set_chunk(f, dnc_point_fast_chunk(f)) != 0) {
        snprintf(why, len, "the fast tier cannot hold this point (memory)");
        dnc_fast_clear(f);
        return 0;
    }
    rule_start(&e, f, p, theta);
    if (!dnc_fast_eval_point(f, theta, DNC_FAST_GRAD)) {
        snprintf(why, len, "the fast tier cannot enclose this point: %s", dnc_fast_status_str(f->status));
        rule_clear(&e);
        dnc_fast_clear(f);
        return 0;
    }
    rule_radius(&rfit, &rreg, &e);
    widened(r->fit, f->fit[0], f->fit[1], 3 * rfit);
    widened(r->reg, f->reg[0], f->reg[1], 3 * rreg);
    widened(r->loss, f->loss[0], f->loss[1], 3 * (rfit + rreg));
    dnc_fast_grad_norm(&glo, &ghi, f);
    rg = rule_grad_radius(&e, ghi);
    widened(r->gnorm, glo, ghi, 3 * rg);
    r->grad_abs = dnc_fast_grad_max_abs(f);
    r->grad_rad = dnc_fast_grad_max_radius(f);
    r->nkinks = f->nkinks;
    r->fast = 1;
    rule_clear(&e);
    dnc_fast_clear(f);
    return isfinite(rfit + rreg + rg);
}
