/* dncert classify: the solution class of a saved point. */
#include <stdio.h>
#include <stdlib.h>
#include "dncert/io.h"
#include "dncert/metrics.h"
#include "cli.h"
#include "commands.h"

static const char *usage_head =
    "Usage: dncert classify RUN_DIR [options]\n"
    "\n"
    "Reloads the point saved in RUN_DIR and names its solution class (docs/metrics.md):\n"
    "  zero          the network output W_L H_L vanishes\n"
    "  dead-classes  some class's row of W_L vanishes (that class is never predicted)\n"
    "  dnc           deep neural collapse: features collapsed, loss at the DNC value of the\n"
    "                problem, class means after the activations of layers 2..L an orthogonal\n"
    "                frame of rank K, W_L aligned with them (H1 and the pre-activations of\n"
    "                layer 2 are not tested: the optimum does not fix them)\n"
    "  low-rank      features collapsed, class means of rank < K at some layer, not dnc\n"
    "  unclassified  none of these within the tolerances\n"
    "and prints the rank profile of the class means before and after each activation.\n";

static const char *usage_tail =
    "Exit status: 0 done, 1 out of memory, 2 bad command line or RUN_DIR (missing, or not a\n"
    "complete and valid saved point).\n";

static int read_tol(dnc_classify_tol *t, double *rank_tol, const dnc_cli_opt *opts)
{
    dnc_classify_tol_default(t);
    return dnc_cli_double(&t->nc1, opts, "classify", "nc1-tol", 0.0, 1e300, 0, t->nc1)
        || dnc_cli_double(&t->nc2, opts, "classify", "nc2-tol", 0.0, 1e300, 0, t->nc2)
        || dnc_cli_double(&t->nc3, opts, "classify", "nc3-tol", 0.0, 1e300, 0, t->nc3)
        || dnc_cli_double(&t->loss, opts, "classify", "loss-tol", 0.0, 1e300, 0, t->loss)
        || dnc_cli_double(&t->dead, opts, "classify", "dead-tol", 0.0, 1.0, 0, t->dead)
        || dnc_cli_double(&t->zero, opts, "classify", "zero-tol", 0.0, 1e300, 0, t->zero)
        || dnc_cli_double(rank_tol, opts, "classify", "rank-tol", 0.0, 1.0, 1, DNC_RANK_TOL_DEFAULT);
}

int dnc_cmd_classify(int argc, char **argv)
{
    dnc_cli_opt opts[] = {
        { "nc1-tol", "X", "collapsed when every nc1_ratio <= X (default 1e-3)", NULL },
        { "nc2-tol", "X", "orthogonal frame when nc2_orth <= X (default 1e-2)", NULL },
        { "nc3-tol", "X", "aligned when nc3 <= X (default 1e-2)", NULL },
        { "loss-tol", "X", "at the DNC value when |f - f_DNC| <= X f_DNC (default 1e-4)", NULL },
        { "dead-tol", "X", "class k dead when ||row k of W_L|| <= X * the largest (default 1e-3)", NULL },
        { "zero-tol", "X", "zero point when max |W_L H_L| <= X (default 1e-6)", NULL },
        { "rank-tol", "X", "relative singular-value cutoff of the ranks (default 1e-6)", NULL },
        { "json", NULL, "print JSON instead of text", NULL },
        { NULL, NULL, NULL, NULL }
    };
    const char *pos[1];
    int npos, r;
    double rank_tol, *theta, *grad, grad_norm;
    dnc_classify_tol tol;
    dnc_problem_t p;
    dnc_dobj_t obj;
    dnc_layer_metrics *m;
    dnc_classification c;
    slong l;

    r = dnc_cli_parse(opts, argc, argv, pos, 1, &npos, usage_head, usage_tail);
    if (r != 0)
        return r == 1 ? DNC_EXIT_OK : r;
    if (npos != 1)
        return dnc_cli_usage_error("classify", "expected one RUN_DIR");
    if (read_tol(&tol, &rank_tol, opts))
        return DNC_EXIT_USAGE;
    if (dnc_cli_load_point_double("classify", pos[0], p, &theta) != 0)
        return DNC_EXIT_USAGE;
    if (dnc_dobj_init(obj, p) != 0) {
        fprintf(stderr, "dncert classify: not enough memory\n");
        free(theta);
        dnc_problem_clear(p);
        return DNC_EXIT_FAIL;
    }
    grad = flint_malloc(obj->nparams * sizeof(double));
    dnc_dobj_eval(obj, theta, grad);
    grad_norm = dnc_dobj_grad_norm(obj, grad);
    flint_free(grad);
    m = flint_calloc(p->L, sizeof(dnc_layer_metrics));
    dnc_metrics_layers(m, obj, theta, rank_tol);
    dnc_classify(&c, obj, theta, m, grad_norm, &tol);
    if (dnc_cli_get(opts, "json") != NULL) {
        json_t *j = dnc_classification_to_json(&c, m, p->L);
        json_dumpf(j, stdout, JSON_INDENT(2));
        printf("\n");
        json_decref(j);
    } else {
        printf("%s: %s (%s)\nrank of the class means, before -> after each activation:\n", pos[0],
               dnc_solution_class_name(c.cls), c.reason);
        for (l = 0; l < p->L; l++)
            if (m[l].has_pre)
                printf("  layer %ld: %ld -> %ld\n", (long) (l + 1), (long) m[l].pre.rank, (long) m[l].post.rank);
            else
                printf("  layer 1 (H1): %ld\n", (long) m[l].post.rank);
    }
    dnc_layer_metrics_clear(m, p->L);
    flint_free(m);
    free(theta);
    dnc_dobj_clear(obj);
    dnc_problem_clear(p);
    return DNC_EXIT_OK;
}
