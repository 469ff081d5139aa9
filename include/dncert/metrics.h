/* dncert/metrics.h -- neural-collapse metrics, spectra and ranks (double precision).
 *
 * Definitions (docs/metrics.md): for features H (d x N) with class labels,
 *   mu_k class means, mu_G global mean, M = [mu_1..mu_K], Mbar = M - mu_G 1^T,
 *   Sigma_W = (1/N) sum_j (h_j - mu_{c_j})(h_j - mu_{c_j})^T, Sigma_B = (1/K) Mbar Mbar^T.
 *   nc1       = tr(Sigma_W Sigma_B^+)/K; Sigma_B^+ inverts only the directions whose
 *               singular value of Mbar exceeds rank_tol * (largest) -- the same cutoff
 *               as the numerical rank.
 *   nc1_ratio = tr(Sigma_W)/tr(Sigma_B)  (robust when Sigma_B is rank-deficient).
 *   nc2_orth  = || G/||G||_F - I/sqrt(K) ||_F,  G = M^T M.
 *   nc2_etf   = || Gb/||Gb||_F - (I - J/K)/sqrt(K-1) ||_F,  Gb = Mbar^T Mbar.
 *   sv, rank  = singular values of M, and how many exceed rank_tol * sv[0].
 *   nc3       = alignment of W_l with its class means (see dnc_metrics_layers).
 * Quantities that are undefined (0/0, e.g. NC2 of all-zero means) are NAN.
 */
#ifndef DNCERT_METRICS_H
#define DNCERT_METRICS_H

#include <jansson.h>
#include "dncert/dobj.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNC_RANK_TOL_DEFAULT 1e-6

typedef struct {
    double nc1, nc1_ratio, nc2_orth, nc2_etf;
    double *sv;          /* min(d, K) singular values of M, descending */
    slong nsv;
    slong rank;
} dnc_collapse_stats;

typedef struct {
    slong layer;             /* l = 1..L */
    slong width;             /* d_l */
    dnc_collapse_stats post; /* H_l (for l = 1: H1 itself) */
    dnc_collapse_stats pre;  /* Htilde_l, l >= 2 */
    int has_pre;
    double nc3;              /* alignment of W_l */
} dnc_layer_metrics;

void dnc_collapse_stats_init(dnc_collapse_stats *s);
void dnc_collapse_stats_clear(dnc_collapse_stats *s);

/* Statistics of the features H (d x ncols, column-major), column j in class label[j]
 * (K classes, each non-empty). Returns 0, or -1 on a LAPACK failure or lack of memory. */
int dnc_collapse_stats_compute(dnc_collapse_stats *s, const double *H, slong d, slong ncols,
                               const slong *label, slong K, double rank_tol);

/* Class means M (d x K) of H: mean of class k = first column of the class plus the mean
 * deviation from it, so exactly collapsed classes give their common column exactly. */
void dnc_class_means(double *M, const double *H, slong d, slong ncols, const slong *label, slong K);

/* All per-layer metrics for the last point evaluated by obj at theta (m has p->L
 * entries, each initialised by this call; free with dnc_layer_metrics_clear). */
int dnc_metrics_layers(dnc_layer_metrics *m, const dnc_dobj_t obj, const double *theta, double rank_tol);
void dnc_layer_metrics_clear(dnc_layer_metrics *m, slong L);

/* nc3 of layer l < L: || W/||W|| - A/||A|| ||_F with A = Mtilde_{l+1} M_l^T = W M M^T;
 * of layer L: || W^T/||W|| - M/||M|| ||_F. W is rows x d, M is d x K. */
double dnc_nc3(const double *W, slong rows, slong d, const double *M, slong K, int last);

/* ---- solution classes (docs/metrics.md) ---- */

typedef enum {
    DNC_CLASS_ZERO = 0,        /* the network output W_L H_L vanishes */
    DNC_CLASS_DEAD_CLASSES,    /* some output row of W_L (a class) vanishes */
    DNC_CLASS_DNC,             /* collapsed, at the DNC value, orthogonal post-activation
                                  frames at layers 2..L, W_L aligned (docs/metrics.md) */
    DNC_CLASS_LOW_RANK,        /* collapsed, class means of rank < K somewhere, not DNC */
    DNC_CLASS_UNCLASSIFIED
} dnc_solution_class;

typedef struct {
    double nc1;      /* collapsed: nc1_ratio <= nc1 at every layer (default 1e-3) */
    double nc2;      /* orthogonal frame: nc2_orth <= nc2 (default 1e-2) */
    double nc3;      /* aligned: nc3 <= nc3 (default 1e-2) */
    double loss;     /* at the DNC value: |f - f_DNC| <= loss * f_DNC (default 1e-4) */
    double dead;     /* dead class: ||row k of W_L|| <= dead * max_k (default 1e-3) */
    double zero;     /* zero point: max |W_L H_L| <= zero (default 1e-6) */
} dnc_classify_tol;

typedef struct {
    dnc_solution_class cls;
    slong ndead;
    slong dead[64];          /* the first dead classes (0-based) */
    double dnc_value;        /* f_DNC of the problem when the class test looked at it
                                (the certified closed form, rounded), else NAN */
    char reason[256];        /* why: the first test that decided */
} dnc_classification;

void dnc_classify_tol_default(dnc_classify_tol *t);
const char *dnc_solution_class_name(dnc_solution_class c);

/* Classifies the point theta last evaluated by obj, given its layer metrics m (ranks use
 * the metrics' rank tolerance) and the norm of its gradient (the trainer's divergence test
 * looks at it too: a non-finite gradient norm means diverged). The dnc class compares the
 * loss with the DNC value of the problem (dnc_closed_dnc_value) when the problem has one
 * (balanced counts, no bias, every width >= K); docs/metrics.md has the tests. */
void dnc_classify(dnc_classification *c, const dnc_dobj_t obj, const double *theta,
                  const dnc_layer_metrics *m, double grad_norm, const dnc_classify_tol *tol);

/* ---- one point, as `dncert metrics` prints it (src/metrics/point_metrics.c) ---- */

/* Evaluates the point theta of p (trainer's layout, expanded) in double precision and sets
 * *out to {"loss", "fit", "reg", "grad_norm", "layers"} (dnc_layer_metrics_to_json, ranks
 * and NC1 with rank_tol), with tol != NULL also "class" (dnc_classify with tol, as `dncert
 * classify --json` prints it). grad (may be NULL) receives the gradient (p's parameter
 * count). Returns 0; 1 when an SVD of the metrics failed (*out is set all the same);
 * -1 with err when out of memory (*out NULL). */
int dnc_point_metrics_json(json_t **out, dnc_problem_t p, const double *theta, double rank_tol, double *grad,
                           const dnc_classify_tol *tol, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
