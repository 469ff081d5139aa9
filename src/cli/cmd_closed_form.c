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
    "Defaults that depend on STRUCTURE: srg and sts take --K = C(r,2) and v(v-1)/6 (the\n"
    "structure's own number of classes; give a larger --K with --embed) and --width K;\n"
    "deep-linear takes --activation linear. Other options have the defaults shown below.\n";

static const char *usage_tail =
    "Exit status: 0 done, 1 the cross-check failed or --export could not be written (the\n"
    "JSON is printed all the same), 2 bad input, including --compare on a problem without a\n"
    "DNC point (imbalanced counts, a bias); nothing is printed or written then.\n";

/* What tirer-bruna computes for imbalanced counts (docs/math/deep-linear.md, section 7). */
static const char *tirer_bruna_imbalanced_note =
    "imbalanced counts: the loss is the optimal value of the two-layer linear bias-free model, "
    "attained by this ReLU point (its pre-activations are >= 0), so it is an upper bound on the "
    "optimal value of the ReLU model; that it is that optimal value is not proven "
    "(Tirer & Bruna's result is used for balanced counts only)";

/* Digits shown: what the precision supports, at least 30. */
static slong digits_for(slong prec)
{
    slong d = (slong) (prec * 0.30103) - 6;
    return d < 30 ? 30 : d;
}

static json_t *scalar_json(const dnc_closed_scalar *s, slong digits)
{
    json_t *o = dnc_json_enclosure(s->value, digits);
    json_object_set_new(o, "name", json_string(s->name));
    if (s->algebraic) {
        json_object_set_new(o, "polynomial", dnc_json_fmpz_poly(s->alg->poly));   /* constant term first */
        json_object_set_new(o, "isolating_interval",
                            json_pack("{s:o, s:o}", "lo", dnc_json_fmpq(s->alg->lo), "hi", dnc_json_fmpq(s->alg->hi)));
    }
    return o;
}

static json_t *closed_json(const dnc_closed_t c, slong digits, int consistent, const arb_t eval_loss)
{
    json_t *o = json_object(), *sc = json_array();
    slong i;
    for (i = 0; i < c->nscalars; i++)
        json_array_append_new(sc, scalar_json(c->scalars + i, digits));
    json_object_set_new(o, "structure", json_string(c->structure));
    json_object_set_new(o, "model", dnc_problem_to_json(c->p));
    json_object_set_new(o, "prec", json_integer(c->prec));
    json_object_set_new(o, "alive", json_string(dnc_alive_name(c->alive)));
    json_object_set_new(o, "alive_rule", json_string(c->alive_rule));
    json_object_set_new(o, "scalars", sc);
    json_object_set_new(o, "loss", dnc_json_enclosure(c->loss, digits));
    json_object_set_new(o, "crosscheck", json_pack("{s:o, s:b}", "explicit_point_loss",
                        dnc_json_enclosure(eval_loss, digits), "consistent", consistent));
    return o;
}

/* The certified order of f_c against the DNC value of the same problem (widths raised to
 * K where needed: the DNC value does not depend on the widths once the point fits). */
static json_t *compare_json(const dnc_closed_t c, dnc_problem_t p, slong prec, slong digits)
{
    dnc_problem_t q;
    dnc_closed_t d;
    char err[512];
    json_t *o;
    slong l;
    const char *order;
    dnc_problem_init(q);
    dnc_problem_set(q, p);
    for (l = 0; l < q->L; l++)
        if (q->width[l] < q->K)
            q->width[l] = q->K;
    if (dnc_closed_dnc(d, q, prec, err, sizeof(err)) != 0) {
        dnc_cli_usage_error("closed-form", "--compare: this problem has no DNC point to compare with: %s", err);
        dnc_closed_clear(d);
        dnc_problem_clear(q);
        return NULL;
    }
    if (arb_lt(c->loss, d->loss))
        order = "strictly lower";
    else if (arb_gt(c->loss, d->loss))
        order = "strictly higher";
    else
        order = "not proven";
    o = json_pack("{s:s, s:o, s:s, s:s}", "against", "dnc", "dnc_loss", dnc_json_enclosure(d->loss, digits),
                  "order", order, "rule", strcmp(order, "not proven") == 0
                  ? "the enclosures of the two optimal values overlap"
                  : "disjoint enclosures of the two optimal values");
    dnc_closed_clear(d);
    dnc_problem_clear(q);
    return o;
}

/* Writes the explicit point, rounded to double and expanded to all N samples, in the
 * trainer's format. */
static int export_point(const dnc_closed_t c, const char *dir, int force)
{
    double *theta = malloc(dnc_param_offset(c->p, c->p->N, DNC_NKINDS, 0) * sizeof(double));
    dnc_run_writer w;
    char err[512];
    json_t *src;
    int r;
    if (theta == NULL) {
        fprintf(stderr, "dncert closed-form: --export: not enough memory for the expanded point "
                "(N = %ld samples of width %ld)\n", (long) c->p->N, (long) c->p->width[0]);
        return -1;
    }
    dnc_bpoint_get_theta_expanded(theta, c->point);
    src = json_pack("{s:s, s:s, s:I, s:s}", "command", "closed-form", "structure", c->structure,
                    "prec", (json_int_t) c->prec, "note", "ball midpoints rounded to the nearest double");
    r = dnc_run_writer_open(&w, dir, force, err, sizeof(err)) == 0
        && dnc_run_writer_finish(&w, c->p, theta, src, NULL, err, sizeof(err)) == 0 ? 0 : -1;
    if (r != 0)
        fprintf(stderr, "dncert closed-form: --export: %s\n", err);
    json_decref(src);
    free(theta);
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
    dnc_closed_t c;
    dnc_beval_t ev;
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
    if (dnc_closed_build(c, si->name, p, rv, dnc_cli_get(opts, "embed") != NULL, prec, err, sizeof(err)) != 0) {
        dnc_closed_clear(c);
        dnc_problem_clear(p);
        return dnc_cli_usage_error("closed-form", "%s", err);
    }
    dnc_beval_init(ev);
    dnc_ball_eval(ev, c->point, 0, prec);
    consistent = dnc_closed_crosscheck(c, prec);
    out = closed_json(c, digits_for(prec), consistent, ev->loss);
    if (strcmp(si->name, "tirer-bruna") == 0 && !dnc_problem_is_balanced(p))
        json_object_set_new(out, "note", json_string(tirer_bruna_imbalanced_note));
    if (dnc_cli_get(opts, "compare") != NULL) {
        json_t *cmp = strcmp(si->name, "dnc") == 0
            ? json_pack("{s:s, s:s}", "against", "dnc", "order", "identical: the structure is DNC")
            : compare_json(c, p, prec, digits_for(prec));
        if (cmp == NULL) {
            json_decref(out);
            dnc_beval_clear(ev);
            dnc_closed_clear(c);
            dnc_problem_clear(p);
            return DNC_EXIT_USAGE;
        }
        json_object_set_new(out, "compare", cmp);
    }
    r = export_dir != NULL && export_point(c, export_dir, dnc_cli_get(opts, "force") != NULL) != 0;
    json_dumpf(out, stdout, JSON_INDENT(2));
    printf("\n");
    if (!consistent)
        fprintf(stderr, "dncert closed-form: the explicit point's ball evaluation does not confirm the closed-form value\n");
    json_decref(out);
    dnc_beval_clear(ev);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
    return (consistent && !r) ? DNC_EXIT_OK : DNC_EXIT_FAIL;
}
