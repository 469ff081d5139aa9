/* Tirer & Bruna (ICML 2022) two-layer ReLU model Z = W_2 ReLU(W_1 H1), no bias
 * (docs/math/deep-linear.md, last section).
 *
 * The bias-free deep linear optimum with M = 2 is built from non-negative pieces: H1 has
 * the column of class k on its own coordinate with a positive entry, W_1 is diagonal with
 * positive entries. Its pre-activations W_1 H1 are therefore entrywise >= 0, ReLU acts as
 * the identity on them, and the same matrices are a point of the ReLU model with the same
 * loss. The post-ReLU class means are the columns of W_1 H1: each on its own coordinate,
 * so exactly orthogonal (dnc_closed_gram_is_diagonal(c, 2, prec) checks it), with equal
 * lengths when the counts are balanced. */
#include "dnc_priv.h"

int dnc_closed_tirer_bruna(dnc_closed_t out, dnc_problem_t p, slong prec, char *err, size_t errlen)
{
    const char *bad = NULL;
    if (p->L != 2)
        bad = "--L: the Tirer-Bruna model has two weight layers, L = 2";
    else if (p->act[0] != DNC_ACT_RELU)
        bad = "--activation: the Tirer-Bruna model has a ReLU hidden layer (got linear)";
    else if (p->bias != DNC_BIAS_NONE)
        bad = "--bias: the Tirer-Bruna model is bias-free (got free)";
    if (bad != NULL) {
        dnc_closed_init(out, p, "tirer-bruna", prec);
        return dnc_fail(err, errlen, "%s", bad);
    }
    return _dnc_closed_deep_linear(out, p, prec, "tirer-bruna", err, errlen);
}
