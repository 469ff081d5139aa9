/* Solution classes of a trained point (definitions and tolerances in docs/metrics.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include "dncert/metrics.h"

void dnc_classify_tol_default(dnc_classify_tol *t)
{
    t->nc1 = 1e-3;
    t->nc2 = 1e-2;
    t->nc3 = 1e-2;
    t->dead = 1e-3;
    t->zero = 1e-6;
}

const char *dnc_solution_class_name(dnc_solution_class c)
{
    static const char *names[] = { "zero", "dead-classes", "dnc", "low-rank", "unclassified" };
    return names[c];
}

/* Largest |entry| of the network output W_L H_L (bias excluded); NAN if any entry is
 * not finite (fmax would silently skip a NaN). */
static double output_max(const dnc_dobj_t obj)
{
    const double *z = dnc_dobj_buf(obj, DNC_Z, 0);
    double m = 0.0;
    slong i;
    for (i = 0; i < obj->p->K * obj->ncols; i++) {
        if (!isfinite(z[i]))
            return NAN;
        m = fmax(m, fabs(z[i]));
    }
    return m;
}

/* Classes whose row of W_L (K x d_L, column-major) is negligible: never predicted. */
static void dead_classes(dnc_classification *c, const double *WL, slong K, slong d, double tol)
{
    double *norms = malloc(K * sizeof(double)), top = 0.0;
    slong k;
    c->ndead = 0;
    for (k = 0; k < K; k++) {
        norms[k] = cblas_dnrm2((int) d, WL + k, (int) K);
        top = fmax(top, norms[k]);
    }
    for (k = 0; k < K; k++)
        if (norms[k] <= tol * top) {
            if (c->ndead < 64)
                c->dead[c->ndead] = k;
            c->ndead++;
        }
    free(norms);
}

void dnc_classify(dnc_classification *c, const dnc_dobj_t obj, const double *theta,
                  const dnc_layer_metrics *m, double grad_norm, const dnc_classify_tol *tol)
{
    const dnc_problem_struct *p = obj->p;
    slong l, L = p->L, K = p->K;
    int collapsed = 1, frames = 1, aligned = 1, full = 1;
    double zmax = output_max(obj);
    memset(c, 0, sizeof(*c));
    if (isnan(zmax) || !isfinite(obj->term[DNC_TERM_FIT] + obj->term[DNC_TERM_REG]) || !isfinite(grad_norm)) {
        c->cls = DNC_CLASS_UNCLASSIFIED;
        snprintf(c->reason, sizeof(c->reason), "the loss, the output or the gradient is not finite (diverged)");
        return;
    }
    if (zmax <= tol->zero) {
        c->cls = DNC_CLASS_ZERO;
        snprintf(c->reason, sizeof(c->reason), "max |W_L H_L| = %.2e <= %.0e", zmax, tol->zero);
        return;
    }
    dead_classes(c, theta + dnc_param_offset(p, obj->ncols, DNC_W, L), K, p->width[L - 1], tol->dead);
    if (c->ndead > 0) {
        c->cls = DNC_CLASS_DEAD_CLASSES;
        snprintf(c->reason, sizeof(c->reason), "%ld class(es) with a row of W_L below %.0e of the largest",
                 (long) c->ndead, tol->dead);
        return;
    }
    /* NaN metrics (undefined) fail every test: such points stay unclassified. */
    for (l = 0; l < L; l++) {
        collapsed &= m[l].post.nc1_ratio <= tol->nc1 && (!m[l].has_pre || m[l].pre.nc1_ratio <= tol->nc1);
        frames &= m[l].post.nc2_orth <= tol->nc2;
        aligned &= m[l].nc3 <= tol->nc3;
        full &= m[l].post.rank == K && (!m[l].has_pre || m[l].pre.rank == K);
    }
    if (!collapsed) {
        c->cls = DNC_CLASS_UNCLASSIFIED;
        snprintf(c->reason, sizeof(c->reason), "features not collapsed (some nc1_ratio > %.0e)", tol->nc1);
    } else if (!full) {
        c->cls = DNC_CLASS_LOW_RANK;
        snprintf(c->reason, sizeof(c->reason), "collapsed; class means of rank < K = %ld at some layer", (long) K);
    } else if (frames && aligned) {
        c->cls = DNC_CLASS_DNC;
        snprintf(c->reason, sizeof(c->reason), "collapsed, orthogonal frames (nc2_orth <= %.0e), aligned (nc3 <= %.0e), rank K",
                 tol->nc2, tol->nc3);
    } else {
        c->cls = DNC_CLASS_UNCLASSIFIED;
        snprintf(c->reason, sizeof(c->reason), "collapsed with rank K but not %s",
                 frames ? "aligned (nc3)" : "an orthogonal frame (nc2_orth)");
    }
}
