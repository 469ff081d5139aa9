/* dncert metrics: loss and collapse metrics of a saved point, recomputed from its files. */
#include <stdio.h>
#include <stdlib.h>
#include <cblas.h>   /* openblas_set_num_threads */
#include "dncert/io.h"
#include "dncert/metrics.h"
#include "cli.h"
#include "commands.h"

static const char *usage_head =
    "Usage: dncert metrics RUN_DIR [options]\n"
    "\n"
    "Reloads the point saved in RUN_DIR (manifest.json and the arrays, written by `dncert\n"
    "train --out`, `dncert closed-form --export`, or yourself: docs/run-directory.md),\n"
    "evaluates the objective in double precision and prints loss, fit, reg, gradient norm\n"
    "and the per-layer collapse metrics as one JSON object on stdout (same keys as\n"
    "summary.json).\n";

static const char *usage_tail =
    "Exit status: 0 done, 1 out of memory or an SVD failed, 2 bad command line or RUN_DIR\n"
    "(missing, or not a complete and valid saved point).\n";

int dnc_cmd_metrics(int argc, char **argv)
{
    dnc_cli_opt opts[] = {
        { "rank-tol", "X", "relative singular-value cutoff for ranks and NC1 (default 1e-6)", NULL },
        { NULL, NULL, NULL, NULL }
    };
    const char *pos[1];
    int npos, r;
    double rank_tol, *theta;
    char err[256];
    dnc_problem_t p;
    json_t *out;

    r = dnc_cli_parse(opts, argc, argv, pos, 1, &npos, usage_head, usage_tail);
    if (r != 0)
        return r == 1 ? DNC_EXIT_OK : r;
    if (npos != 1)
        return dnc_cli_usage_error("metrics", "expected one RUN_DIR");
    if (dnc_cli_double(&rank_tol, opts, "metrics", "rank-tol", 0.0, 1.0, 1, DNC_RANK_TOL_DEFAULT))
        return DNC_EXIT_USAGE;
    if (dnc_cli_load_point_double("metrics", pos[0], p, &theta) != 0)
        return DNC_EXIT_USAGE;
    openblas_set_num_threads(1);
    r = dnc_point_metrics_json(&out, p, theta, rank_tol, NULL, NULL, err, sizeof(err));
    if (out == NULL)
        fprintf(stderr, "dncert metrics: %s\n", err);
    else {
        json_dumpf(out, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
        printf("\n");
    }
    json_decref(out);
    free(theta);
    dnc_problem_clear(p);
    return r == 0 ? DNC_EXIT_OK : DNC_EXIT_FAIL;
}
