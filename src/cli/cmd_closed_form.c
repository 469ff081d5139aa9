/* dncert closed-form: a closed-form optimum or competitor, certified, as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/closed.h"
#include "dncert/io.h"
#include "cli.h"
#include "commands.h"

static const char *usage_head =
    "Usage: dncert closed-form STRUCTURE [options]\n"
    "\n"
    "Builds the closed-form point of STRUCTURE for the problem given by the options, with\n"
    "every scalar certified (algebraic numbers by isolating intervals, balls at --prec bits),\n"
    "and prints JSON: the model, the exact alive/dead decision, the scalars and the value\n"
    "under \"loss\" ({\"decimal\", \"lo\", \"hi\"}: lo <= f* <= hi exactly, decimal digits\n"
    "proven). The explicit point is evaluated with the generic ball evaluator and must\n"
    "agree with the closed form (\"crosscheck\").\n"
    "\n"
    "STRUCTURE:\n"
    "  dnc          deep neural collapse point of the L-DUFM (balanced, widths >= K)\n"
    "  srg          low-rank point from the triangular graph T(r), K = C(r,2) (--r)\n"
    "  sts          low-rank point from a Steiner triple system STS(v), K = v(v-1)/6 (--v)\n"
    "  deep-linear  global optimum of the deep linear UFM (all activations linear)\n"

    "  ufm          global optimum of the plain UFM (L = 1)\n"
    "  tirer-bruna  two-layer ReLU model of Tirer & Bruna (L = 2); with imbalanced counts\n"
    "               only an upper bound on its optimal value (see the \"note\" it prints)\n"
    "\n"
    "With --loss ce (cross-entropy) ufm, deep-linear and dnc are derived: the least value of a\n"
    "DNC-structured family (balanced counts, widths >= K, a free bias changes nothing), every\n"
    "stationary point isolated rigorously (docs/math/cross-entropy.md): ufm and deep-linear\n"
    "the simplex-ETF logits of linear layers; dnc (L >= 2, ReLU or linear layers) the\n"
    "orthogonal frames after every hidden layer with the last layer s_L (I - J/K) Q^T. The JSON\n"
    "then has \"stationarity\": whether the explicit point is proven a critical point (0 in the\n"
    "Clarke gradient enclosure and the gradient with every kink inactive 0; dnc with a linear\n"
    "activation before the last layer is the best of its family but not critical). Imbalanced\n"
    "counts, other structures and --compare are refused.\n"
    "\n"
    "Defaults that depend on STRUCTURE: srg and sts take --K = C(r,2) and v(v-1)/6 (the\n"
    "structure's own number of classes; give a larger --K with --embed) and --width K;\n"
    "deep-linear takes --activation linear. Other options have the defaults shown below.\n";

static const char *usage_tail =
    "Exit status: 0 done, 1 the cross-check failed or --export could not be written (the\n"
    "JSON is printed all the same), 2 bad input, including --compare on a problem without a\n"
    "DNC point (imbalanced counts, a bias); nothing is printed or written then.\n";

/* Writes the explicit point, rounded to double and expanded to all N samples, in the
 * trainer's format. */
static int export_point(const double *theta, const dnc_problem_t p, const char *structure, slong prec,
                        const char *dir, int force)
{
    dnc_run_writer w;
    char err[512];
    json_t *src;
    int r;
    if (theta == NULL) {
        fprintf(stderr, "dncert closed-form: --export: not enough memory for the expanded point "
                "(N = %ld samples of width %ld)\n", (long) p->N, (long) p->width[0]);
        return -1;
    }
    src = json_pack("{s:s, s:s, s:I, s:s}", "command", "closed-form", "structure", structure,
                    "prec", (json_int_t) prec, "note", "ball midpoints rounded to the nearest double");
    r = dnc_run_writer_open(&w, dir, force, err, sizeof(err)) == 0
        && dnc_run_writer_finish(&w, p, theta, src, NULL, err, sizeof(err)) == 0 ? 0 : -1;
    if (r != 0)
        fprintf(stderr, "dncert closed-form: --export: %s\n", err);
    json_decref(src);
    return r;
}

/* The structure, its parameter (--r for srg, --v for sts: the registry's name of it) and
 * --prec. The parameter's range is the design's; existence is checked when it is built. */
static int read_structure_args(const dnc_structure **st, slong *param, slong *prec, const dnc_cli_opt *opts,
                               const char *name)
{
    const dnc_structure *o;
    char list[128];
    const char *ps;
    if ((*st = dnc_structure_find(name)) == NULL)
        return dnc_cli_usage_error("closed-form", "unknown structure '%s' (%s)", name,
                                   dnc_structure_list(list, sizeof(list)));
    if (dnc_cli_slong(prec, opts, "closed-form", "prec", DNC_PREC_MIN, 1 << 20, DNC_PREC_DEFAULT))
        return DNC_EXIT_USAGE;
    for (o = dnc_structures; o->name != NULL; o++)   /* another structure's parameter */
        if (o != *st && o->param != NULL && dnc_cli_get(opts, o->param) != NULL)
            return dnc_cli_usage_error("closed-form", "--%s applies only to %s", o->param, o->name);
    if ((*st)->design == NULL)
        return 0;
    ps = dnc_cli_get(opts, (*st)->param);
    if (ps == NULL || dnc_parse_slong(param, ps, (*st)->design->pmin, (*st)->design->pmax) != 0)
        return dnc_cli_usage_error("closed-form", "--%s: %s needs --%s, an integer in [%ld, %ld]: the %s (got '%s')",
                                   (*st)->param, name, (*st)->param, (long) (*st)->design->pmin,
                                   (long) (*st)->design->pmax, (*st)->param_help, ps ? ps : "nothing");
    return 0;
}

/* Problem defaults that depend on the structure: a design takes its own number of
 * classes K_b and widths K (the least every layer needs); deep-linear takes linear
 * activations. */
static void structure_defaults(dnc_problem_args *pa, char *kbuf, size_t len, const dnc_structure *st, slong param)
{
    if (pa->K == NULL && st->design != NULL) {
        snprintf(kbuf, len, "%ld", (long) st->design->nclass(param));
        pa->K = kbuf;
    }
    if (pa->width == NULL && st->design != NULL)
        pa->width = pa->K;
    if (pa->activation == NULL && strcmp(st->name, "deep-linear") == 0)
        pa->activation = "linear";
}

int dnc_cmd_closed_form(int argc, char **argv)
{
    dnc_cli_opt opts[] = {
        DNC_CLI_PROBLEM_OPTS,
        { "r", "INT", "srg: number of vertices r in [3, 447] of K_r (K = r(r-1)/2 classes)", NULL },
        { "v", "INT", "sts: order v in [7, 775] of the Steiner triple system (v = 1, 3 mod 6)", NULL },
        { "embed", NULL, "srg/sts: place the structure in a larger K, DNC on the other classes", NULL },
        { "prec", "BITS", "working precision in bits, >= 64 (default 256)", NULL },
        { "compare", NULL, "also certify the order of the value against the DNC value", NULL },
        { "export", "DIR", "write the explicit point (rounded to double) in the trainer's format", NULL },
        { "force", NULL, "replace the --export directory if it exists", NULL },
        { NULL, NULL, NULL, NULL }
    };
    const char *pos[1];
    const dnc_structure *si;
    int npos, r, consistent;
    slong rv = 0, prec;
    char err[512], kbuf[32];
    dnc_problem_args pa;
    dnc_problem_t p;
    double *theta = NULL;
    json_t *out;
    const char *export_dir;

    r = dnc_cli_parse(opts, argc, argv, pos, 1, &npos, usage_head, usage_tail);
    if (r != 0)
        return r == 1 ? DNC_EXIT_OK : r;
    if (npos != 1)
        return dnc_cli_usage_error("closed-form", "expected one STRUCTURE");
    if ((r = read_structure_args(&si, &rv, &prec, opts, pos[0])) != 0)
        return r;
    export_dir = dnc_cli_get(opts, "export");
    if ((r = dnc_cli_check_new_path(opts, "closed-form", "export")) != 0)
        return r;
    dnc_problem_init(p);
    dnc_cli_problem_args(&pa, opts);
    structure_defaults(&pa, kbuf, sizeof(kbuf), si, rv);
    if (dnc_problem_set_args(p, &pa, err, sizeof(err)) != 0) {
        dnc_problem_clear(p);
        return dnc_cli_usage_error("closed-form", "%s", err);
    }
    r = dnc_closed_form_json(&out, &consistent, export_dir != NULL ? &theta : NULL, si->name, p, rv,
                             dnc_cli_get(opts, "embed") != NULL, prec, dnc_cli_get(opts, "compare") != NULL,
                             err, sizeof(err));
    if (r != 0) {
        dnc_problem_clear(p);
        return dnc_cli_usage_error("closed-form", "%s", err);
    }
    r = export_dir != NULL && export_point(theta, p, si->name, prec, export_dir, dnc_cli_get(opts, "force") != NULL) != 0;
    json_dumpf(out, stdout, JSON_INDENT(2));
    printf("\n");
    if (!consistent)
        fprintf(stderr, "dncert closed-form: the explicit point's ball evaluation does not confirm the closed-form value\n");
    json_decref(out);
    free(theta);
    dnc_problem_clear(p);
    return (consistent && !r) ? DNC_EXIT_OK : DNC_EXIT_FAIL;
}
