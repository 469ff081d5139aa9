/* dncert sweep-plot: the figures of Súkeník, Lampert & Mondelli (NeurIPS 2024) from a sweep. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "dncert/io.h"
#include "dncert/problem.h"
#include "dncert/sweep.h"
#include "cli.h"
#include "commands.h"

static const char *usage_head =
    "Usage: dncert sweep-plot DIR --figure loss|rank|dnc [--K K] [--L L] [--width W] [--lambda Q]\n"
    "                         [--out DIR/|PATH] [--force]\n"
    "\n"
    "Draws a figure from the results of a sweep (DIR/results.jsonl and DIR/references.jsonl,\n"
    "as written by `dncert sweep` or `dncert sweep-merge`) with gnuplot, as PNG, SVG and PDF\n"
    "(and the script .gp) named after the figure and the values it needs single, e.g.\n"
    "DIR/plots/loss-K10-L4-lambda0.004.png or DIR/plots/rank-K10-L4-w30.png:\n"
    "  loss  final loss of every run against its seed, marked by its solution class (several\n"
    "        widths side by side at each seed), with the certified DNC and SRG values as lines,\n"
    "        rounded in the legend (needs one K, L, lambda)\n"
    "  rank  rank of the class means before the activation, averaged over layers 2..L and at\n"
    "        layer L, against the weight decay: every run and the mean over seeds (one K, L, width)\n"
    "  dnc   fraction of runs of class dnc, of rank K at every layer, of class low-rank, and of\n"
    "        class zero, dead-classes or diverged, against the width (one K, L, lambda)\n"
    "Failed runs are left out. --K, --L, --width, --lambda select rows when the sweep has several.\n"
    "A structure or class has one colour and marker in every figure (docs/sweeps.md, Figures).\n"
    "--out DIR/ (an existing directory, or a path ending in /) puts the files there under that\n"
    "name; --out PATH writes PATH.png, PATH.svg, PATH.pdf and PATH.gp (an extension .png, .svg,\n"
    ".pdf or .gp of PATH is dropped). Existing files are not replaced without --force.\n";

static const char *usage_tail =
    "The PDF needs gnuplot's pdfcairo terminal (Debian's gnuplot-nox has it); without it, it is\n"
    "left out.\n"
    "Exit status: 0 done, 1 gnuplot missing or failed, 2 bad command line or selection, or a\n"
    "file exists (without --force).\n";

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

static int is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where --out puts the files: into a directory under the default name (name = ""), or as
 * PATH.* (dir: PATH's directory, name: its last component without an extension). */
static int out_path(char *dir, size_t len, char *name, size_t namelen, const char *sweep_dir, const char *out)
{
    static const char *const ext[] = { ".png", ".svg", ".pdf", ".gp" };
    char *slash, *last;
    size_t i, n;
    name[0] = '\0';
    if (out == NULL) {
        snprintf(dir, len, "%s/plots", sweep_dir);
        return 0;
    }
    if (*out == '\0' || strlen(out) >= len)
        return dnc_cli_usage_error("sweep-plot", "--out: must be a directory or a file path (got '%s')", out);
    snprintf(dir, len, "%s", out);
    if (is_directory(out) || out[strlen(out) - 1] == '/') {
        for (n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)    /* "figs/" names the files figs/<name>.* */
            dir[n - 1] = '\0';
        return 0;
    }
    for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
        if ((n = strlen(dir)) > strlen(ext[i]) && strcmp(dir + n - strlen(ext[i]), ext[i]) == 0)
            dir[n - strlen(ext[i])] = '\0';
    slash = strrchr(dir, '/');
    last = slash != NULL ? slash + 1 : dir;
    if (*last == '\0' || strcmp(last, ".") == 0 || strcmp(last, "..") == 0 || strlen(last) >= namelen)
        return dnc_cli_usage_error("sweep-plot", "--out: '%s' names no file (or too long a one)", out);
    snprintf(name, namelen, "%s", last);
    if (slash == NULL)
        snprintf(dir, len, ".");
    else
        *(slash == dir ? slash + 1 : slash) = '\0';
    return 0;
}

static int plot(const char *dir, const char *figure, const dnc_sweep_filter *f, const char *name, dnc_plot_dest *d)
{
    dnc_sweep_row *rows = NULL;
    dnc_sweep_ref *refs = NULL;
    slong n, nrefs;
    char err[1024], used[256];
    unsigned written;
    int r;
    if (dnc_sweep_table_read(&rows, &n, dir, err, sizeof(err)) != 0
        || dnc_sweep_references_read(&refs, &nrefs, dir, err, sizeof(err)) != 0)
        r = dnc_cli_usage_error("sweep-plot", "DIR: %s", err);
    else if ((r = dnc_sweep_figure(figure, rows, n, refs, nrefs, f, name, d, used, &written, err, sizeof(err))) == -1)
        r = dnc_cli_usage_error("sweep-plot", "%s", err);
    else if (r == -2)
        r = dnc_cli_usage_error("sweep-plot", "--out: %s", err);
    else if (r != 0) {
        fprintf(stderr, "dncert sweep-plot: %s\n", err);
        r = DNC_EXIT_FAIL;
    } else {
        printf("wrote %s/%s.png, .svg%s and .gp\n", d->dir, used, written & DNC_PLOT_PDF ? ", .pdf" : "");
        if (!(written & DNC_PLOT_PDF))
            printf("no PDF: this gnuplot has no pdfcairo terminal\n");
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
        { "out", "DIR/|PATH", "directory of the files, or their path without extension (default\n"
          "                             DIR/plots/ with the figure's default name)", NULL },
        { "force", NULL, "replace files that exist", NULL },
        { NULL, NULL, NULL, NULL }
    };
    const char *pos[1], *figure;
    char err[512], outdir[4200], name[200];
    dnc_sweep_filter f;
    dnc_plot_dest d;
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
    if ((r = out_path(outdir, sizeof(outdir), name, sizeof(name), pos[0], dnc_cli_get(opts, "out"))) != 0)
        return r;
    if ((d.gnuplot = dnc_plot_gnuplot(err, sizeof(err))) == NULL) {
        fprintf(stderr, "dncert sweep-plot: %s\n", err);
        return DNC_EXIT_FAIL;
    }
    d.dir = outdir;
    d.force = dnc_cli_get(opts, "force") != NULL;
    return plot(pos[0], figure, &f, name[0] ? name : NULL, &d);
}
