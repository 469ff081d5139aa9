/* Solution classes of a trained point (definitions and tolerances in docs/metrics.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include "dncert/closed.h"
#include "dncert/metrics.h"

void dnc_classify_tol_default(dnc_classify_tol *t)
{
    t->nc1 = 1e-3;
    t->nc2 = 1e-2;
    t->nc3 = 1e-2;
    t->loss = 1e-4;
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

/* 1 when some hidden activation is ReLU. */
static int has_relu(const dnc_problem_struct *p)
{
    slong l;
    for (l = 0; l + 1 < p->L; l++)
        if (p->act[l] == DNC_ACT_RELU)
            return 1;
    return 0;
}

/* The DNC value of the problem, rounded to double: 1 and *f, or 0 with the reason in why
 * when the problem has no DNC point (imbalanced counts, a bias, a width below K) or, under
 * CE, no derived DNC-structured value (docs/math/cross-entropy.md: the ETF family of deep
 * linear models, §2, and with a ReLU layer the orthogonal frames, §7; balanced counts). */
static int dnc_value(double *f, const dnc_problem_struct *p, char *why, size_t len)
{
    arb_t v;
    int ok;
    arb_init(v);
    if (p->loss == DNC_LOSS_CE) {
        dnc_closed_t c;
        ok = (has_relu(p) ? dnc_closed_dnc_ce : dnc_closed_deep_linear_ce)(c, (dnc_problem_struct *) p, 128, why,
                                                                          len) == 0;
        if (ok)
            arb_set(v, c->loss);
        dnc_closed_clear(c);
    } else
        ok = dnc_closed_dnc_value(v, p, 128, why, len) == 0;
    if (ok)
        *f = arf_get_d(arb_midref(v), ARF_RND_NEAR);
    arb_clear(v);
    return ok;
}

/* The frame the class means of layer index l (0-based: H_{l+1}) form at a DNC point, and
 * the rank it has. MSE, and after a ReLU: an orthogonal frame of rank K. CE through
 * linear layers: the simplex ETF (I - J/K, rank K - 1; docs/math/cross-entropy.md §2). */
static int etf_layer(const dnc_problem_struct *p, slong l)
{
    return p->loss == DNC_LOSS_CE && (l == 0 || p->act[l - 1] == DNC_ACT_LINEAR);
}

static double frame_distance(const dnc_problem_struct *p, const dnc_layer_metrics *m, slong l)
{
    return etf_layer(p, l) ? m[l].post.nc2_etf : m[l].post.nc2_orth;
}

static slong frame_rank(const dnc_problem_struct *p, slong l)
{
    return etf_layer(p, l) ? p->K - 1 : p->K;
}

/* W_L aligned with the class means of H_L (nc3 of layer L). Under CE after a ReLU the DNC
 * point's W_L is s_L (I - J/K) Q^T, the centred frame (docs/math/cross-entropy.md §7), which
 * nc3 (against the uncentred means) does not measure: there the value test decides. */
static int last_aligned(const dnc_problem_struct *p, const dnc_layer_metrics *m, const dnc_classify_tol *tol)
{
    return m[p->L - 1].nc3 <= tol->nc3 || (p->loss == DNC_LOSS_CE && !etf_layer(p, p->L - 1));
}

void dnc_classify(dnc_classification *c, const dnc_dobj_t obj, const double *theta,
                  const dnc_layer_metrics *m, double grad_norm, const dnc_classify_tol *tol)
{
    const dnc_problem_struct *p = obj->p;
    slong l, L = p->L, K = p->K, bad = -1;
    int collapsed = 1, full = 1, frames = 1, strict = 1, has_value, at_value = 0, ce = p->loss == DNC_LOSS_CE;
    double zmax = output_max(obj), loss = obj->term[DNC_TERM_FIT] + obj->term[DNC_TERM_REG], fdnc = NAN;
    char why[128];
    memset(c, 0, sizeof(*c));
    c->dnc_value = NAN;
    if (isnan(zmax) || !isfinite(loss) || !isfinite(grad_norm)) {
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
        full &= m[l].post.rank >= frame_rank(p, l) && (!m[l].has_pre || m[l].pre.rank >= frame_rank(p, l));
        /* What the theorem pins down (docs/math/dnc.md, section 7): the class means after
         * the activations of layers 2..L (H1 itself when L = 1) form an orthogonal frame.
         * H1 and the pre-activations of layer 2 are not unique: a rank-deficient H1 (for
         * K = 2, antipodal class means) reaches the same value. */
        if ((l > 0 || L == 1) && !(frame_distance(p, m, l) <= tol->nc2 && m[l].post.rank == frame_rank(p, l))
            && bad < 0) {
            frames = 0;
            bad = l + 1;
        }
        /* Without a DNC value to compare with: the whole DNC geometry, every layer. */
        strict &= frame_distance(p, m, l) <= tol->nc2 && m[l].nc3 <= tol->nc3;
    }
    strict &= full;
    if (!collapsed) {
        c->cls = DNC_CLASS_UNCLASSIFIED;
        snprintf(c->reason, sizeof(c->reason), "features not collapsed (some nc1_ratio > %.0e)", tol->nc1);
        return;
    }
    has_value = dnc_value(&fdnc, p, why, sizeof(why));
    if (has_value) {
        c->dnc_value = fdnc;
        at_value = fabs(loss - fdnc) <= tol->loss * fdnc;
    }
    if (frames && last_aligned(p, m, tol) && (has_value ? at_value : strict)) {
        c->cls = DNC_CLASS_DNC;
        if (has_value)
            snprintf(c->reason, sizeof(c->reason), "collapsed, at the DNC value (|f - f_DNC| <= %.0e f_DNC), "
                     "%s after the activations of layers %s (%s <= %.0e), W_L aligned (nc3 <= %.0e%s)", tol->loss,
                     ce ? "frames (simplex ETF through linear layers, rank K - 1; orthogonal after ReLU)"
                        : "orthogonal frames of rank K", L == 1 ? "1..L" : "2..L", ce ? "nc2" : "nc2_orth", tol->nc2,
                     tol->nc3, ce && !etf_layer(p, L - 1) ? "; not tested after a ReLU under CE" : "");
        else
            snprintf(c->reason, sizeof(c->reason), "collapsed, %s frames at every layer (%s <= %.0e), "
                     "aligned (nc3 <= %.0e), full rank; no DNC value to compare with", ce ? "DNC" : "orthogonal",
                     ce ? "nc2_etf through linear layers, nc2_orth after ReLU" : "nc2_orth", tol->nc2, tol->nc3);
    } else if (!full) {
        c->cls = DNC_CLASS_LOW_RANK;
        if (ce)   /* K - 1 for an ETF layer, K after a ReLU */
            snprintf(c->reason, sizeof(c->reason), "collapsed; class means of rank below the DNC frame's (K - 1 "
                     "through linear layers, K = %ld after a ReLU) at some layer", (long) K);
        else
            snprintf(c->reason, sizeof(c->reason), "collapsed; class means of rank < K = %ld at some layer", (long) K);
    } else {
        c->cls = DNC_CLASS_UNCLASSIFIED;
        if (!frames)
            snprintf(c->reason, sizeof(c->reason), "collapsed with rank K but the class means of layer %ld "
                     "are not %s", (long) bad, ce ? "the DNC frame (nc2_etf through linear layers, nc2_orth after "
                     "ReLU)" : "an orthogonal frame (nc2_orth)");
        else if (!last_aligned(p, m, tol))
            snprintf(c->reason, sizeof(c->reason), "collapsed with rank K but W_L is not aligned (nc3)");
        else if (has_value)
            snprintf(c->reason, sizeof(c->reason), "collapsed with rank K but not at the DNC value "
                     "(f = %.10g, f_DNC = %.10g)", loss, fdnc);
        else
            snprintf(c->reason, sizeof(c->reason), "collapsed with rank K, not the DNC geometry at every layer; "
                     "no DNC value to compare with (%s)", why);
    }
}
