/* dncert sweep-plot: the figures of Súkeník, Lampert & Mondelli (NeurIPS 2024) from a sweep. */
#include <stdio.h>
#include <string.h>
#include "dncert/io.h"
#include "dncert/problem.h"
#include "dncert/sweep.h"
#include "cli.h"
#include "commands.h"

static const char *usage_head =
    "Usage: dncert sweep-plot DIR --figure loss|rank|dnc [--K K] [--L L] [--width W] [--lambda Q]\n"
    "\n"
    "Draws a figure from the results of a sweep (DIR/results.jsonl and DIR/references.jsonl,\n"
    "as written by `dncert sweep` or `dncert sweep-merge`) with gnuplot, as DIR/plots/<figure>.png\n"
    "and .svg (and the script <figure>.gp):\n"
    "  loss  final loss of every run against its seed, one series per width, with the\n"
    "        certified DNC and SRG values as lines (needs one K, L, lambda)\n"
    "  rank  rank of the class means before the activation, averaged over layers 2..L and at\n"
    "        layer L, against the weight decay: every run and the mean over seeds (one K, L, width)\n"
    "  dnc   fraction of runs of class dnc, of rank K at every layer, of class low-rank, and of\n"
    "        class zero or dead-classes, against the width (one K, L, lambda)\n"
    "Failed runs are left out. --K, --L, --width, --lambda select rows when the sweep has several.\n";

static const char *usage_tail =
    "Exit status: 0 done, 1 gnuplot missing or failed, 2 bad command line or selection.\n";

static int read_filter(dnc_sweep_filter *f, const dnc_cli_opt *opts)
{
    const char *lam = dnc_cli_get(opts, "lambda");
    memset(f, 0, sizeof(*f));
    if (dnc_cli_slong(&f->K, opts, "sweep-plot", "K", 2, DNC_MAX_K, 0)
        || dnc_cli_slong(&f->L, opts, "sweep-plot", "L", 1, DNC_MAX_L, 0)
        || dnc_cli_slong(&f->width, opts, "sweep-plot", "width", 1, DNC_MAX_WIDTH, 0))
        return DNC_EXIT_USAGE;
    if (lam != NULL) {
        fmpq_t q;
        int bad;
        fmpq_init(q);
        bad = dnc_parse_rational(q, lam) != 0 || fmpq_sgn(q) <= 0
              || dnc_sweep_lambda_text(f->lambda, sizeof(f->lambda), q) != 0;
        fmpq_clear(q);
        if (bad)
            return dnc_cli_usage_error("sweep-plot", "--lambda: must be a positive rational, e.g. 0.004 (got '%s')", lam);
    }
    return 0;
}

static int plot(const char *dir, const char *figure, const dnc_sweep_filter *f, const char *gnuplot)
{
    dnc_sweep_row *rows = NULL;
    dnc_sweep_ref *refs = NULL;
    slong n, nrefs;
    char err[1024], outdir[4200];
    int r;
    snprintf(outdir, sizeof(outdir), "%s/plots", dir);
    if (dnc_sweep_table_read(&rows, &n, dir, err, sizeof(err)) != 0
        || dnc_sweep_references_read(&refs, &nrefs, dir, err, sizeof(err)) != 0)
        r = dnc_cli_usage_error("sweep-plot", "DIR: %s", err);
    else if ((r = dnc_sweep_figure(figure, rows, n, refs, nrefs, f, outdir, gnuplot, err, sizeof(err))) == -1)
        r = dnc_cli_usage_error("sweep-plot", "%s", err);
    else if (r != 0) {
        fprintf(stderr, "dncert sweep-plot: %s\n", err);
        r = DNC_EXIT_FAIL;
    } else {
        printf("wrote %s/%s.png and %s/%s.svg\n", outdir, figure, outdir, figure);
        r = DNC_EXIT_OK;
    }
    flint_free(rows);
    flint_free(refs);
    return r;
}

int dnc_cmd_sweep_plot(int argc, char **argv)
{
    dnc_cli_opt opts[] = {
        { "figure", "NAME", "loss | rank | dnc (required)", NULL },
        { "K", "INT", "use only the runs with this K", NULL },
        { "L", "INT", "use only the runs with this L", NULL },
        { "width", "INT", "use only the runs with this width", NULL },
        { "lambda", "Q", "use only the runs with this weight decay (exact)", NULL },
        { NULL, NULL, NULL, NULL }
    };
    const char *pos[1], *figure, *gnuplot;
    char err[512];
    dnc_sweep_filter f;
    int npos, r;
    r = dnc_cli_parse(opts, argc, argv, pos, 1, &npos, usage_head, usage_tail);
    if (r != 0)
        return r == 1 ? DNC_EXIT_OK : r;
    if (npos == 0)
        return dnc_cli_usage_error("sweep-plot", "expected DIR, the directory of a sweep");
    figure = dnc_cli_get(opts, "figure");
    if (figure == NULL || (strcmp(figure, "loss") != 0 && strcmp(figure, "rank") != 0 && strcmp(figure, "dnc") != 0))
        return dnc_cli_usage_error("sweep-plot", "--figure: must be loss, rank or dnc (got '%s')",
                                   figure ? figure : "nothing");
    if ((r = read_filter(&f, opts)) != 0)
        return r;
    if ((gnuplot = dnc_plot_gnuplot(err, sizeof(err))) == NULL) {
        fprintf(stderr, "dncert sweep-plot: %s\n", err);
        return DNC_EXIT_FAIL;
    }
    return plot(pos[0], figure, &f, gnuplot);
}
