/* dncert report: tables of certified values (LaTeX, Markdown, CSV) from certificates that the
 * independent checker accepts (docs/report.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"
#include "dncert/report.h"
#include "cli.h"
#include "commands.h"

static const char *usage_head =
    "Usage: dncert report CERT... [--format latex|markdown|csv] [--out FILE] [options]\n"
    "\n"
    "Runs the independent checker on every certificate (as dncert verify does) and writes a\n"
    "table of what they certify: one row per certificate (--layout wide) with its problem and\n"
    "one column per quantity, or one row per claim (--layout long). Intervals are rounded\n"
    "outward: '0.0991798...' shows digits that every number of the certified interval has,\n"
    "'[0.953, 0.961]' an interval containing it, never a digit that is not proven; claims\n"
    "not proven are shown as such. Problem columns that are the same in every row are stated\n"
    "once below the table (LaTeX, Markdown). docs/report.md has examples.\n";

static const char *usage_tail =
    "Kinds: alive, root, value, loss, ratio, order, dnc_not_optimal, stationarity, structure.\n"
    "Exit status: 0 table written; 1 a certificate is rejected by the checker (nothing is\n"
    "written); 2 bad command line or a file that cannot be read.\n";

typedef struct {
    const dnc_report *r;
    const dnc_report_opts *o;
} write_ctx;

static int write_table(FILE *f, void *ctx)
{
    const write_ctx *w = ctx;
    return dnc_report_write(f, w->r, w->o);
}

/* The format named by --format, or by the extension of --out (latex by default). */
static int read_format(dnc_report_format *fmt, const char *s, const char *out)
{
    static const char *const names[][2] = { { "latex", "tex" }, { "markdown", "md" }, { "csv", "csv" } };
    int i;
    if (s == NULL && out != NULL && strrchr(out, '.') != NULL)
        for (i = 0; i < 3; i++)
            if (strcmp(strrchr(out, '.') + 1, names[i][1]) == 0)
                s = names[i][0];
    for (i = 0; i < 3; i++)
        if (strcmp(s != NULL ? s : "latex", names[i][0]) == 0) {
            *fmt = (dnc_report_format) i;
            return 0;
        }
    return dnc_cli_usage_error("report", "--format: must be latex, markdown or csv (got '%s')", s);
}

static int read_opts(dnc_report_opts *o, const dnc_cli_opt *opts)
{
    const char *layout = dnc_cli_get(opts, "layout"), *kinds = dnc_cli_get(opts, "claims");
    char err[512];
    dnc_report_opts_init(o);
    if (read_format(&o->format, dnc_cli_get(opts, "format"), dnc_cli_get(opts, "out")) != 0)
        return DNC_EXIT_USAGE;
    if (layout != NULL && strcmp(layout, "wide") != 0 && strcmp(layout, "long") != 0)
        return dnc_cli_usage_error("report", "--layout: must be wide or long (got '%s')", layout);
    o->layout = layout != NULL && strcmp(layout, "long") == 0 ? DNC_REPORT_LONG : DNC_REPORT_WIDE;
    o->kinds = o->layout == DNC_REPORT_WIDE ? DNC_REPORT_WIDE_KINDS : DNC_REPORT_ALL_KINDS;
    if (kinds != NULL && dnc_report_parse_kinds(&o->kinds, kinds, err, sizeof(err)) != 0)
        return dnc_cli_usage_error("report", "--claims: %s", err);
    if (dnc_cli_slong(&o->digits, opts, "report", "digits", 1, 1000, 6) != 0)
        return DNC_EXIT_USAGE;
    o->standalone = dnc_cli_get(opts, "standalone") != NULL;
    if (o->standalone && o->format != DNC_REPORT_LATEX)
        return dnc_cli_usage_error("report", "--standalone: only with --format latex");
    if (dnc_cli_get(opts, "out") != NULL && *dnc_cli_get(opts, "out") == '\0')
        return dnc_cli_usage_error("report", "--out: needs a file name");
    return dnc_cli_check_new_path(opts, "report", "out");
}

/* Verifies and adds every file; returns 0 or the exit status (after the message). */
static int add_files(dnc_report *r, const char **paths, int n)
{
    char err[2048];
    int i, ret;
    for (i = 0; i < n; i++)
        if ((ret = dnc_report_add_file(r, paths[i], err, sizeof(err))) != 0) {
            if (ret < 0) {
                fprintf(stderr, "dncert report: out of memory\n");
                return DNC_EXIT_FAIL;
            }
            if (ret == 2)
                return dnc_cli_usage_error("report", "%s", err);
            fprintf(stderr, "dncert report: %s\n"
                            "dncert report: refusing to write a table: the checker does not accept %s\n",
                    err, paths[i]);
            return DNC_EXIT_FAIL;
        }
    return 0;
}

int dnc_cmd_report(int argc, char **argv)
{
    dnc_cli_opt opts[] = {
        { "format", "FMT", "latex (booktabs) | markdown | csv (default: from the --out extension\n"
                           "                             .tex/.md/.csv, else latex)", NULL },
        { "layout", "L", "wide: a row per certificate; long: a row per claim (default wide)", NULL },
        { "claims", "KINDS", "the claim kinds shown, comma-separated, or all (default: wide\n"
                             "                             alive,value,ratio,order,dnc_not_optimal; long all)", NULL },
        { "digits", "N", "at most N significant digits per number, 1..1000 (default 6)", NULL },
        { "standalone", NULL, "LaTeX: a whole document (article, booktabs, longtable)", NULL },
        { "out", "FILE", "write the table to FILE, atomically (default: standard output)", NULL },
        { "force", NULL, "replace FILE if it exists", NULL },
        { NULL, NULL, NULL, NULL }
    };
    const char **pos = calloc(argc > 0 ? argc : 1, sizeof(char *));
    const char *out;
    dnc_report_opts o;
    dnc_report *r = NULL;
    char err[1024];
    int npos, ret;
    if (pos == NULL) {
        fprintf(stderr, "dncert report: out of memory\n");
        return DNC_EXIT_FAIL;
    }
    ret = dnc_cli_parse(opts, argc, argv, pos, argc, &npos, usage_head, usage_tail);
    if (ret == 1) {   /* --help */
        free(pos);
        return DNC_EXIT_OK;
    }
    if (ret == 0 && npos == 0)
        ret = dnc_cli_usage_error("report", "expected at least one certificate file");
    if (ret == 0)
        ret = read_opts(&o, opts);
    if (ret == 0 && (r = dnc_report_new()) == NULL) {
        fprintf(stderr, "dncert report: out of memory\n");
        ret = DNC_EXIT_FAIL;
    }
    if (ret == 0)
        ret = add_files(r, pos, npos);
    if (ret == 0) {
        write_ctx w = { r, &o };
        out = dnc_cli_get(opts, "out");
        if (out != NULL ? dnc_write_atomic(out, write_table, &w, err, sizeof(err)) != 0
                        : (dnc_report_write(stdout, r, &o) != 0 || fflush(stdout) != 0)) {
            fprintf(stderr, "dncert report: %s\n", out != NULL ? err : "cannot write the table");
            ret = DNC_EXIT_FAIL;
        }
    }
    dnc_report_free(r);
    free(pos);
    return ret;
}
