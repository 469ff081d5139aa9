/* dncert plot: training curves and class-mean spectra of one run, drawn by gnuplot. */
#include <stdio.h>
#include <string.h>
#include "dncert/io.h"
#include "dncert/metrics.h"
#include "dncert/sweep.h"
#include "cli.h"
#include "commands.h"

static const char *usage_head =
    "Usage: dncert plot RUN_DIR [--out DIR] [--force] [--rank-tol X]\n"
    "\n"
    "Draws the metrics.jsonl of a run directory (`dncert train --out RUN_DIR`) with gnuplot,\n"
    "as PNG, SVG and PDF into DIR (default RUN_DIR/plots):\n"
    "  training.*          loss, fit, reg and gradient norm against the step (log scale)\n"
    "  sv-layer<l>.*       singular values of the class means of layer l after its activation,\n"
    "                      with the rank cutoff (X times the largest)\n"
    "  sv-pre-layer<l>.*   the same before the activation (l >= 2)\n"
    "Each figure's gnuplot script (<name>.gp, data inline) is kept next to it. Existing\n"
    "figures are not replaced without --force (nothing is written then).\n";

static const char *usage_tail =
    "gnuplot is $DNCERT_GNUPLOT, else gnuplot on PATH, else /usr/bin/gnuplot; the PDF needs its\n"
    "pdfcairo terminal (Debian's gnuplot-nox has it) and is left out without it.\n"
    "Exit status: 0 done, 1 gnuplot missing or failed, 2 bad command line or run directory, or\n"
    "a figure exists (without --force).\n";

int dnc_cmd_plot(int argc, char **argv)
{
    dnc_cli_opt opts[] = {
        { "out", "DIR", "directory for the figures (default RUN_DIR/plots)", NULL },
        { "force", NULL, "replace figures that exist", NULL },
        { "rank-tol", "X", "relative rank cutoff drawn on the singular values (default: the run's\n"
          "                             --rank-tol from summary.json, else 1e-6)", NULL },
        { NULL, NULL, NULL, NULL }
    };
    const char *pos[1], *out;
    char outdir[4200], err[1024], path[4300];
    dnc_plot_dest d;
    double rank_tol;
    slong nfiles;
    unsigned written;
    int npos, r;
    r = dnc_cli_parse(opts, argc, argv, pos, 1, &npos, usage_head, usage_tail);
    if (r != 0)
        return r == 1 ? DNC_EXIT_OK : r;
    if (npos == 0)
        return dnc_cli_usage_error("plot", "expected RUN_DIR");
    if (dnc_cli_double(&rank_tol, opts, "plot", "rank-tol", 0.0, 1.0, 1, 0.0))
        return DNC_EXIT_USAGE;
    snprintf(path, sizeof(path), "%s/" DNC_RUN_METRICS, pos[0]);
    if (!dnc_path_exists(path))
        return dnc_cli_usage_error("plot", "RUN_DIR: %s does not exist (not a run directory of dncert train --out?)", path);
    if ((d.gnuplot = dnc_plot_gnuplot(err, sizeof(err))) == NULL) {
        fprintf(stderr, "dncert plot: %s\n", err);
        return DNC_EXIT_FAIL;
    }
    out = dnc_cli_get(opts, "out");
    snprintf(outdir, sizeof(outdir), "%s%s", out != NULL ? out : pos[0], out != NULL ? "" : "/plots");
    d.dir = outdir;
    d.force = dnc_cli_get(opts, "force") != NULL;
    if ((r = dnc_plot_run(pos[0], &d, rank_tol, &nfiles, &written, err, sizeof(err))) != 0) {
        if (r == -1)
            return dnc_cli_usage_error("plot", "RUN_DIR: %s", err);
        if (r == -2)
            return dnc_cli_usage_error("plot", "--out: %s", err);
        fprintf(stderr, "dncert plot: %s\n", err);
        return DNC_EXIT_FAIL;
    }
    printf("wrote %ld figures (%s, with their gnuplot scripts) to %s\n", (long) nfiles,
           dnc_plot_written_text(written), outdir);
    return DNC_EXIT_OK;
}
