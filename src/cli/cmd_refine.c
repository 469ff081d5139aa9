/* dncert refine: a trained point moved onto the nearby critical point of its kink pattern. */
#include <stdio.h>
#include <stdlib.h>
#include <cblas.h>   /* openblas_set_num_threads */
#include <flint/fmpq_vec.h>
#include "dncert/exact.h"
#include "dncert/io.h"
#include "dncert/refine.h"
#include "dncert/rundir.h"
#include "cli.h"
#include "commands.h"

static const char *usage_head =
    "Usage: dncert refine RUN_DIR --out RUN_DIR2 [options]\n"
    "\n"
    "Refines the point saved in RUN_DIR at its ReLU kinks (docs/refine.md): guesses the\n"
    "activation pattern (active entries, inactive entries, kinks u = 0, dead units), solves\n"
    "the KKT system of the smooth piece on the pattern manifold by Newton's method in\n"
    "double precision (minimum-norm steps across the symmetry orbits), recovers the slopes\n"
    "t of the kinks and revises the pattern when a t lies outside [0, 1], saying so. Then,\n"
    "on the same pattern, chord iterations in Arb at --prec bits bring the KKT residual near\n"
    "2^-prec. Writes RUN_DIR2 as a run directory: the refined point rounded to double as its\n"
    "arrays, the high-precision point exactly in point-exact.json (docs/run-directory.md),\n"
    "and in summary.json the record with the structure of the point (rank profiles, kink\n"
    "patterns, Gram matrices, candidate minimal polynomials found by LLL: candidates, not\n"
    "theorems); prints the record. Nothing here is a proof: `dncert certify-point RUN_DIR2`\n"
    "certifies the loss of the exact point, and with --critical that an exact critical point\n"
    "of the pattern exists in a stated box (Krawczyk), its slopes and second order, where\n"
    "they can be proven (docs/refine.md section 7).\n"
    "Squared error only: a run directory whose problem has \"loss\": \"ce\" is refused (exit 2;\n"
    "the Newton/Krawczyk backend differentiates the MSE objective only, docs/refine.md).\n";

static const char *usage_tail =
    "Exit status: 0 refined to a stationary point (every t in [0, 1]), 1 not converged or\n"
    "not stationary (the point is written all the same) or I/O error, 2 bad input (nothing\n"
    "written).\n";

static int read_opts(dnc_refine_opts *o, const dnc_cli_opt *opts)
{
    slong rounds = o->max_rounds, steps = o->max_newton, prec = 256, hp = o->hp_max_steps;
    if (dnc_cli_double(&o->kink_tol, opts, "refine", "kink-tol", 0.0, 1.0, 1, o->kink_tol)
        || dnc_cli_double(&o->dead_tol, opts, "refine", "dead-tol", 0.0, 1.0, 0, o->dead_tol)
        || dnc_cli_double(&o->tol, opts, "refine", "tol", 0.0, 1.0, 1, o->tol)
        || dnc_cli_double(&o->hp_entry, opts, "refine", "hp-entry", 0.0, 1.0, 0, o->hp_entry)
        || dnc_cli_double(&o->hp_rcond, opts, "refine", "hp-rcond", 0.0, 1.0, 1, o->hp_rcond)
        || dnc_cli_slong(&steps, opts, "refine", "max-newton", 1, 1000, o->max_newton)
        || dnc_cli_slong(&rounds, opts, "refine", "max-rounds", 1, 1000, o->max_rounds)
        || dnc_cli_slong(&prec, opts, "refine", "prec", 0, DNC_PREC_MAX, 256)
        || dnc_cli_slong(&hp, opts, "refine", "hp-steps", 1, 1000, o->hp_max_steps))
        return DNC_EXIT_USAGE;
    if (prec > 0 && prec < DNC_PREC_MIN)
        return dnc_cli_usage_error("refine", "--prec: must be 0 (double only) or %d..%d (got %ld)", DNC_PREC_MIN,
                                   DNC_PREC_MAX, (long) prec);
    o->prec = prec;
    o->hp_max_steps = hp;
    o->max_newton = steps;
    o->max_rounds = rounds;
    return 0;
}

static json_t *info_json(const dnc_refine_info *in, const dnc_refine_opts *o)
{
    return json_pack("{s:b, s:b, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:s, s:{s:f, s:f, s:f}}",
                     "stationary", in->stationary, "converged", in->converged, "loss", dnc_json_real(in->loss),
                     "residual", dnc_json_real(in->residual), "kinks", (json_int_t) in->nkinks,
                     "concave_kinks", (json_int_t) in->nconcave, "kinks_without_slope", (json_int_t) in->nundefined,
                     "dead_units", (json_int_t) in->ndead, "newton_steps", (json_int_t) in->newton_steps,
                     "patterns", (json_int_t) in->rounds, "moved_to_active", (json_int_t) in->moved_plus,
                     "moved_to_inactive", (json_int_t) in->moved_minus, "sign_changes", (json_int_t) in->sign_changes,
                     "kinks_held", (json_int_t) in->nheld,
                     "t_min", dnc_json_real(in->tmin), "t_max", dnc_json_real(in->tmax), "message", in->message,
                     "options", "kink_tol", o->kink_tol, "dead_tol", o->dead_tol, "tol", o->tol);
}

/* The record of the high-precision stage, or null when it did not run. */
static json_t *hp_json(const dnc_refine_info *in)
{
    if (in->hp_prec == 0)
        return json_null();
    return json_pack("{s:I, s:I, s:o, s:I, s:I, s:o, s:o, s:s, s:o, s:b, s:I, s:I, s:o, s:s}", "prec", (json_int_t) in->hp_prec,
                     "chord_steps", (json_int_t) in->hp_steps, "residual_log10", dnc_json_real(in->hp_residual_log10),
                     "jacobian_size", (json_int_t) in->hp_size, "jacobian_rank", (json_int_t) in->hp_rank,
                     "singular_value_gap", dnc_json_real(in->hp_gap), "contraction", dnc_json_real(in->hp_contraction),
                     "loss", in->hp_loss, "loss_digits", dnc_json_real(in->hp_loss_digits), "signs_kept",
                     in->hp_signs_kept, "sign_resolves", (json_int_t) in->hp_rounds, "dying_units", (json_int_t) in->dying_units, "seconds", dnc_json_real(in->hp_seconds), "exact_point", DNC_RUN_EXACT);
}

int dnc_cmd_refine(int argc, char **argv)
{
    dnc_cli_opt opts[] = {
        { "out", "DIR", "write the refined point to DIR (a run directory; required)", NULL },
        { "force", NULL, "replace DIR if it exists", NULL },
        { "kink-tol", "X", "kink when |u_ij| / (||W_i|| ||h_j||) < X (default 5e-3; 0.05 converges from less-trained points, docs/refine.md §2)", NULL },
        { "dead-tol", "X", "dead unit when ||w_in|| ||w_out|| < X times the layer's largest (default 1e-6)", NULL },
        { "tol", "X", "target max |KKT residual| (default 1e-13)", NULL },
        { "max-newton", "INT", "Newton steps per pattern (default 100)", NULL },
        { "max-rounds", "INT", "patterns tried (default 8)", NULL },
        { "prec", "BITS", "bits of the high-precision stage, 64..4096, or 0 for double only (default 256)", NULL },
        { "hp-steps", "INT", "chord steps of the high-precision stage (default 60)", NULL },
        { "hp-rcond", "X", "singular values of the KKT Jacobian below X times the largest are cut from the high-precision stage's pseudo-inverse (default 1e-9)", NULL },
        { "hp-entry", "X", "when the double stage stalls above --tol but at a residual <= X, the high-precision stage finishes it (default 1e-9; 0: never)", NULL },
        { "quiet", NULL, "no progress lines", NULL },
        { NULL, NULL, NULL, NULL }
    };
    const char *pos[1], *out;
    char err[1024];
    int npos, r;
    double *theta;
    fmpq *exact;
    slong n;
    dnc_problem_t p;
    dnc_refine_opts o;
    dnc_refine_info info;
    dnc_run_writer w;
    json_t *rec, *src, *structure = NULL, *doc;

    dnc_refine_opts_default(&o);
    r = dnc_cli_parse(opts, argc, argv, pos, 1, &npos, usage_head, usage_tail);
    if (r != 0)
        return r == 1 ? DNC_EXIT_OK : r;
    if (npos != 1)
        return dnc_cli_usage_error("refine", "expected one RUN_DIR");
    if ((out = dnc_cli_get(opts, "out")) == NULL)
        return dnc_cli_usage_error("refine", "--out: required (the run directory to write)");
    if ((r = read_opts(&o, opts)) != 0 || (r = dnc_cli_check_new_path(opts, "refine", "out")) != 0)
        return r;
    if (dnc_cli_load_point_double("refine", pos[0], p, &theta) != 0)
        return DNC_EXIT_USAGE;
    openblas_set_num_threads(1);
    n = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    exact = _fmpq_vec_init(n);
    if (dnc_refine_point_exact(theta, exact, &structure, p, &o, &info, dnc_cli_get(opts, "quiet") ? NULL : stderr, err,
                               sizeof(err)) != 0) {
        free(theta);
        _fmpq_vec_clear(exact, n);
        dnc_problem_clear(p);
        return dnc_cli_usage_error("refine", "%s: %s", pos[0], err);
    }
    /* the summary of the run directory: "status" as dnc_run_summary wants, then the record */
    rec = json_pack("{s:s, s:s, s:o, s:o, s:o}", "status", info.stationary ? "stationary" : "not_stationary",
                    "refined_from", pos[0], "refine", info_json(&info, &o), "high_precision", hp_json(&info),
                    "structure", structure != NULL ? structure : json_null());
    src = json_pack("{s:s, s:s}", "command", "refine", "from", pos[0]);
    doc = dnc_point_exact_json(p, exact, info.hp_prec > 0 ? info.hp_prec : 53, info.hp_prec > 0
                               ? "the high-precision point of dncert refine; the arrays hold its rounding to double"
                               : "the refined point (double precision only): the arrays exactly");
    r = dnc_run_writer_open(&w, out, dnc_cli_get(opts, "force") != NULL, err, sizeof(err));
    if (r == 0 && dnc_run_writer_add_json(&w, DNC_RUN_EXACT, doc, err, sizeof(err)) != 0) {
        dnc_run_writer_abort(&w);
        r = -1;
    }
    r = r == 0 ? dnc_run_writer_finish(&w, p, theta, src, rec, err, sizeof(err)) : r;
    json_decref(doc);
    _fmpq_vec_clear(exact, n);
    json_decref(src);
    if (r != 0)
        fprintf(stderr, "dncert refine: --out: %s\n", err);
    json_dumpf(rec, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    printf("\n");
    json_decref(rec);
    free(theta);
    dnc_problem_clear(p);
    return r != 0 || !info.stationary ? DNC_EXIT_FAIL : DNC_EXIT_OK;
}
