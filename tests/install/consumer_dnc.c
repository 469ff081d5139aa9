/* A program using the installed libdncert (check_install.sh). For the binary problem K=2,
 * n=5, L=3, width 10, lambda=1/250: the certified DNC value (0.0238535931285789...,
 * docs/math/dnc.md), then the explicit DNC point rounded to double, evaluated by the
 * double-precision objective (OpenBLAS, OpenMP) and measured by the collapse metrics
 * (LAPACKE), so that every library libdncert needs takes part in the link. */
#include <stdio.h>
#include <stdlib.h>
#include <dncert/closed.h>
#include <dncert/io.h>
#include <dncert/metrics.h>
#include <dncert/version.h>

/* dncert's own compile definitions stay inside its build (with -std=c11 nothing else sets these) */
#if defined(DNCERT_VERSION) || (defined(__STRICT_ANSI__) && defined(_POSIX_C_SOURCE))
#error "a compile definition of dncert's build reached a consumer"
#endif

/* Prints the double-precision loss at the explicit point of c and the rank of the class
 * means of the last layer's features. */
static int evaluate(const dnc_closed_t c)
{
    slong L = c->p->L;
    dnc_dobj_t o;
    dnc_layer_metrics *m = malloc(L * sizeof *m);
    double *theta = NULL;
    int r = -1;
    if (m != NULL && dnc_dobj_init(o, c->p) == 0) {
        theta = dnc_dobj_alloc(o->nparams);
        if (theta != NULL) {
            dnc_bpoint_get_theta_expanded(theta, c->point);
            double f = dnc_dobj_eval(o, theta, NULL);
            r = dnc_metrics_layers(m, o, theta, DNC_RANK_TOL_DEFAULT);
            if (r == 0) {
                printf("double loss at the DNC point %.12f, class means of rank %ld\n", f, (long) m[L - 1].post.rank);
                dnc_layer_metrics_clear(m, L);
            }
        }
        dnc_dobj_clear(o);
    }
    free(theta);
    free(m);
    return r;
}

int main(void)
{
    dnc_problem_args a = {.K = "2", .n = "5", .L = "3", .width = "10", .lambda = "1/250"};
    dnc_problem_t p;
    dnc_closed_t c;
    char err[256] = "out of memory";
    int ok = 0;
    dnc_problem_init(p);
    if (dnc_problem_set_args(p, &a, err, sizeof err) == 0) {
        if (dnc_closed_dnc(c, p, 128, err, sizeof err) == 0) {
            char *value = dnc_arb_proven_decimal(c->loss, 25);
            printf("libdncert %s (%s): DNC value %s\n", dnc_version(), DNCERT_VERSION_STRING, value);
            flint_free(value);
            ok = evaluate(c) == 0;
        }
        dnc_closed_clear(c);
    }
    if (!ok)
        fprintf(stderr, "consumer_dnc: %s\n", err);
    dnc_problem_clear(p);
    return ok ? 0 : 1;
}
