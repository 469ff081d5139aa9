/* The loss terms, gradient norm and collapse metrics of one saved point, as `dncert metrics`
 * prints them (the one implementation behind the command and the flat interface). */
#include <stdlib.h>
#include <cblas.h>
#include "dncert/io.h"
#include "dncert/metrics.h"

int dnc_point_metrics_json(json_t **out, dnc_problem_t p, const double *theta, double rank_tol, double *grad,
                           const dnc_classify_tol *tol, char *err, size_t errlen)
{
    dnc_dobj_t obj;
    dnc_layer_metrics *m;
    double f, *g;
    int r;
    *out = NULL;
    if (dnc_dobj_init(obj, p) != 0)
        return dnc_fail(err, errlen, "not enough memory for this problem");
    g = grad != NULL ? grad : malloc((obj->nparams ? obj->nparams : 1) * sizeof(double));
    m = flint_calloc(p->L, sizeof(dnc_layer_metrics));
    f = dnc_dobj_eval(obj, theta, g);
    r = dnc_metrics_layers(m, obj, theta, rank_tol) == 0 ? 0 : 1;
    *out = json_pack("{s:o, s:o, s:o, s:o, s:o}", "loss", dnc_json_real(f),
                     "fit", dnc_json_real(obj->term[DNC_TERM_FIT]), "reg", dnc_json_real(obj->term[DNC_TERM_REG]),
                     "grad_norm", dnc_json_real(dnc_dobj_grad_norm(obj, g)),   /* as the trainer computes it */
                     "layers", dnc_layer_metrics_to_json(m, p->L));
    if (tol != NULL) {
        dnc_classification c;
        dnc_classify(&c, obj, theta, m, dnc_dobj_grad_norm(obj, g), tol);
        json_object_set_new(*out, "class", dnc_classification_to_json(&c, m, p->L));
    }
    dnc_layer_metrics_clear(m, p->L);
    flint_free(m);
    if (g != grad)
        free(g);
    dnc_dobj_clear(obj);
    return r;
}
