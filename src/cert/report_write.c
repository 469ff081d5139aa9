/* Writing a report's table: LaTeX (booktabs; a standalone document with longtable), Markdown,
 * CSV (docs/report.md). */
#include <stdlib.h>
#include <string.h>
#include "dncert/problem.h"
#include "sweep/sweep_priv.h"   /* _dnc_sweep_csv_text: one CSV quoting for dncert */
#include "report_priv.h"

/* ==== rendering ==== */

static void put_esc(FILE *f, const char *s, dnc_report_format fmt)
{
    for (; *s; s++) {
        if (fmt == DNC_REPORT_LATEX && strchr("&%$#_{}", *s))
            fprintf(f, "\\%c", *s);
        else if (fmt == DNC_REPORT_LATEX && *s == '\\')
            fputs("\\textbackslash{}", f);
        else if (fmt == DNC_REPORT_LATEX && *s == '~')
            fputs("\\textasciitilde{}", f);
        else if (fmt == DNC_REPORT_LATEX && *s == '^')
            fputs("\\textasciicircum{}", f);
        else if (fmt == DNC_REPORT_MARKDOWN && (*s == '|' || *s == '\\'))
            fprintf(f, "\\%c", *s);
        else
            fputc(*s, f);
    }
}

/* One end of a rounded interval: "m", "m\times10^{e}" (LaTeX) or "me<e>"; `dots` after the
 * mantissa marks proven digits that more digits follow. */
static void put_end(FILE *f, const char *m, int sci, slong e, int dots, dnc_report_format fmt)
{
    const char *ell = !dots ? "" : fmt == DNC_REPORT_LATEX ? "\\ldots" : fmt == DNC_REPORT_MARKDOWN ? "\xe2\x80\xa6" : "...";
    sci = sci && strcmp(m, "0") != 0;
    if (!sci)
        fprintf(f, "%s%s", m, ell);
    else if (fmt == DNC_REPORT_LATEX)
        fprintf(f, "%s%s\\times10^{%ld}", m, ell, (long) e);
    else
        fprintf(f, "%s%se%ld", m, ell, (long) e);
}

static void put_decimal(FILE *f, const fmpq_t lo, const fmpq_t hi, slong digits, dnc_report_format fmt)
{
    dnc_decimal d;
    if (dnc_decimal_set(&d, lo, hi, digits) != 0)
        return;
    if (fmt == DNC_REPORT_LATEX)
        fputc('$', f);
    if (d.form == DNC_DEC_EXACT)
        put_end(f, d.lo, d.sci, d.elo, 0, fmt);
    else if (d.form == DNC_DEC_DIGITS)
        put_end(f, d.negative ? d.hi : d.lo, d.sci, d.negative ? d.ehi : d.elo, 1, fmt);
    else {
        fputc('[', f);
        put_end(f, d.lo, d.sci, d.elo, 0, fmt);
        fputs(", ", f);
        put_end(f, d.hi, d.sci, d.ehi, 0, fmt);
        fputc(']', f);
    }
    if (fmt == DNC_REPORT_LATEX)
        fputc('$', f);
    dnc_decimal_clear(&d);
}

static void put_qty(FILE *f, const qty *q, dnc_report_format fmt)
{
    static const char *const fn[] = { "f", "loss", "fit", "reg" };
    char buf[256];
    if (fmt != DNC_REPORT_LATEX) {
        _dnc_report_qty_plain(buf, sizeof(buf), q);
        put_esc(f, buf, fmt);
    } else if (q->kind == Q_VALUE) {
        fprintf(f, "$f_{\\mathrm{%s}}$", q->name);   /* labels of struct_label: letters only */
        if (q->param)
            fprintf(f, " ($%c = %ld$)", q->param, q->pval);
    } else if (q->kind == Q_ROOT && q->block[0])
        fprintf(f, "$c^*$ (%s's %s block)", q->name, q->block);
    else if (q->kind == Q_ROOT)
        fprintf(f, "$c^*_{\\mathrm{%s}}$", q->name);
    else {
        fprintf(f, "%s(", fn[q->kind]);
        put_esc(f, q->name, fmt);
        fputc(')', f);
    }
}

static void put_sym(FILE *f, const char *s, dnc_report_format fmt)
{
    static const char *const map[][4] = {   /* name, LaTeX, Markdown, CSV */
        { "lambda", "$\\lambda$", "\xce\xbb", "lambda" },
        { "lambda_H", "$\\lambda_H$", "\xce\xbb_H", "lambda_h" },
        { "lambda_W", "$\\lambda_W$", "\xce\xbb_W", "lambda_w" },
    };
    size_t i;
    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(s, map[i][0]) == 0) {
            fputs(map[i][1 + (int) fmt], f);
            return;
        }
    fprintf(f, fmt == DNC_REPORT_LATEX ? "$%s$" : "%s", s);
}

/* An exact rational: "1/250" when short, else its outward-rounded decimal. */
static void put_rational(FILE *f, const fmpq_t x, slong digits, dnc_report_format fmt)
{
    if (fmpz_sizeinbase(fmpq_numref(x), 10) + fmpz_sizeinbase(fmpq_denref(x), 10) > 24) {
        put_decimal(f, x, x, digits, fmt);
        return;
    }
    {
        char *s = dnc_rational_get_str(x);
        fprintf(f, fmt == DNC_REPORT_LATEX ? "$%s$" : "%s", s);
        flint_free(s);
    }
}

static void put_cell(FILE *f, const cell *c, slong digits, dnc_report_format fmt, int wide)
{
    static const char *const lt[] = { " $<$ ", " < ", " < " }, *const vs = " vs ";
    switch (c->type) {
    case C_NONE:
        if (wide && fmt != DNC_REPORT_CSV)
            fputs(fmt == DNC_REPORT_LATEX ? "---" : "\xe2\x80\x94", f);
        break;
    case C_TEXT:
    case C_INT:
        put_esc(f, c->text, fmt);
        break;
    case C_NOTPROVEN:
        fputs(fmt == DNC_REPORT_LATEX ? "\\emph{not proven}" : fmt == DNC_REPORT_MARKDOWN ? "*not proven*" : "not proven",
              f);
        break;
    case C_SYM:
        put_sym(f, c->text, fmt);
        break;
    case C_RAT:
        put_rational(f, c->lo, digits, fmt);
        break;
    case C_INTERVAL:
        put_decimal(f, c->lo, c->hi, digits, fmt);
        break;
    case C_QTY:
        put_qty(f, &c->a, fmt);
        break;
    case C_RATIO:
    case C_ORDER:
    case C_VS:
        put_qty(f, &c->a, fmt);
        fputs(c->type == C_RATIO ? " / " : c->type == C_ORDER ? lt[fmt] : vs, f);
        put_qty(f, &c->b, fmt);
        break;
    case C_POW2:
        fprintf(f, fmt == DNC_REPORT_LATEX ? "$\\le 2^{%ld}$" : fmt == DNC_REPORT_MARKDOWN ? "\xe2\x89\xa4 2^%ld" : "<= 2^%ld",
                (long) c->pow2);
        break;
    default:
        break;
    }
    if (c->note != NULL) {
        fputs(" (", f);
        put_esc(f, c->note, fmt);
        fputc(')', f);
    }
}

/* The cell as a string (free with free()). */
static char *cell_str(const cell *c, slong digits, dnc_report_format fmt, int wide)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (f == NULL)
        return NULL;
    put_cell(f, c, digits, fmt, wide);
    fclose(f);
    return buf;
}

/* Marks the columns not shown as columns: in LaTeX the certificate (a comment on each row)
 * and the claim id; in LaTeX and Markdown the certificate and problem columns that are the
 * same in every row, which are stated once below the table (drop = 1). */
static void drop_constant(table *t, const dnc_report_opts *o)
{
    slong i, j, nclaim = 0;
    if (o->format == DNC_REPORT_CSV)
        return;
    for (i = 0; i < t->ncol; i++)
        nclaim += t->col[i].group > 2;
    for (i = 0; i < t->ncol; i++) {
        column *c = t->col + i;
        char *first;
        int same = 1;
        if (o->format == DNC_REPORT_LATEX && (c->group == 0 || strcmp(c->key, "claim") == 0)) {
            c->drop = 2;
            continue;
        }
        if (c->group > 2 || nclaim == 0 || t->nrow == 0)
            continue;
        first = cell_str(c->cells, o->digits, o->format, 1);
        for (j = 1; j < t->nrow && same && first != NULL; j++) {
            char *s = cell_str(c->cells + j, o->digits, o->format, 1);
            same = s != NULL && strcmp(s, first) == 0;
            free(s);
        }
        c->drop = same;
        free(first);
    }
}

/* A cell of the table as shown: blank for the repeated certificate and problem of the long
 * layout's further rows of a certificate. */
static void put_table_cell(FILE *f, const table *t, slong i, slong row, const dnc_report_opts *o)
{
    if (!t->wide && o->format != DNC_REPORT_CSV && t->col[i].group <= 1 && row > 0 && t->cert[row] == t->cert[row - 1])
        return;
    put_cell(f, t->col[i].cells + row, o->digits, o->format, t->wide);
}

/* "K = 3, n = 1, ..." of the dropped columns. Returns the number of them. */
static int put_common(FILE *f, const table *t, const dnc_report_opts *o)
{
    slong i;
    int n = 0;
    for (i = 0; i < t->ncol; i++)
        if (t->col[i].drop == 1) {
            fputs(n++ ? ", " : "", f);
            put_cell(f, &t->col[i].head, o->digits, o->format, 1);
            fputs(" = ", f);
            put_cell(f, t->col[i].cells, o->digits, o->format, 1);
        }
    return n;
}

static int is_int_column(const column *c, slong nrow)
{
    slong j;
    int any = 0;
    for (j = 0; j < nrow; j++) {
        if (c->cells[j].type != C_INT && c->cells[j].type != C_NONE)
            return 0;
        any |= c->cells[j].type == C_INT;
    }
    return any;
}

/* The text of put_common (free with free()); NULL when out of memory. */
static char *common_text(const table *t, const dnc_report_opts *o)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *m = open_memstream(&buf, &size);
    if (m == NULL)
        return NULL;
    put_common(m, t, o);
    fclose(m);
    return buf;
}

/* The width in cm that a standalone page needs for the shown columns: about 0.19 cm per
 * character of the widest entry of each column (their Markdown text, close to what LaTeX
 * typesets) and 0.45 cm between columns. */
static long standalone_width(const table *t, const dnc_report_opts *o)
{
    double w = 2.5;
    slong i, j;
    for (i = 0; i < t->ncol; i++) {
        size_t len = 0;
        if (t->col[i].drop)
            continue;
        for (j = -1; j < t->nrow; j++) {
            char *s = cell_str(j < 0 ? &t->col[i].head : t->col[i].cells + j, o->digits, DNC_REPORT_MARKDOWN, t->wide);
            len = s != NULL && strlen(s) > len ? strlen(s) : len;
            free(s);
        }
        w += 0.19 * (double) len + 0.45;
    }
    return w < 21 ? 21 : (long) w + 1;
}

static void write_latex(FILE *f, const table *t, const dnc_report *r, const dnc_report_opts *o, const char *common)
{
    const char *env = o->standalone ? "longtable" : "tabular";
    slong i, j;
    int first, ncommon = common != NULL && *common;
    if (o->standalone)   /* up to ~240 rows on one page; longtable continues a longer table on the next */
        fprintf(f, "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{booktabs,longtable}\n"
                   "\\usepackage[paperwidth=%ldcm,paperheight=%ldcm,margin=1cm]{geometry}\n\\pagestyle{empty}\n"
                   "\\begin{document}\n\\small\n", standalone_width(t, o),
                (long) FLINT_MIN(120, FLINT_MAX(21, 6 + 9 * (t->nrow + 2) / 20)));
    fprintf(f, "%% dncert report (dncert %s): %ld certificate%s, %saccepted by the independent checker\n"
               "%% (dncv_verify_json, as dncert-verify) as read; claims not proven are shown as such.\n"
               "%% Numbers are rounded outward from the certified intervals: 0.0991798\\ldots shows digits that\n"
               "%% every number of the interval has; [a, b] is an interval containing it.\n",
            DNCERT_VERSION, (long) r->n, r->n == 1 ? "" : "s", r->n == 1 ? "" : "each ");
    if (ncommon)
        fprintf(f, "%% All rows: %s.\n", common);
    fprintf(f, "\\begin{%s}{", env);
    for (i = 0; i < t->ncol; i++)
        if (!t->col[i].drop)
            fputc(is_int_column(t->col + i, t->nrow) ? 'r' : 'l', f);
    fputs("}\n\\toprule\n", f);
    for (i = 0, first = 1; i < t->ncol; i++)
        if (!t->col[i].drop) {
            fputs(first ? "" : " & ", f);
            put_cell(f, &t->col[i].head, o->digits, o->format, 1);
            first = 0;
        }
    fputs(" \\\\\n\\midrule\n", f);
    if (o->standalone)
        fputs("\\endhead\n\\bottomrule\n\\endlastfoot\n", f);
    for (j = 0; j < t->nrow; j++) {
        if (!t->wide && j > 0 && t->cert[j] != t->cert[j - 1])
            fputs("\\addlinespace\n", f);
        for (i = 0, first = 1; i < t->ncol; i++)
            if (!t->col[i].drop) {
                fputs(first ? "" : " & ", f);
                put_table_cell(f, t, i, j, o);
                first = 0;
            }
        fputs(" \\\\", f);
        if (t->wide || j == 0 || t->cert[j] != t->cert[j - 1]) {   /* the file, as a comment */
            const char *s;
            fputs(" % ", f);
            for (s = r->e[t->cert[j]].name; *s; s++)
                fputc(*s == '\n' ? ' ' : *s, f);
        }
        fputc('\n', f);
    }
    fprintf(f, "%s\\end{%s}\n", o->standalone ? "" : "\\bottomrule\n", env);
    if (o->standalone)
        fprintf(f, "%s%s%s\\end{document}\n", ncommon ? "\\begin{center}\nAll rows: " : "", ncommon ? common : "",
                ncommon ? ".\n\\end{center}\n" : "");
}

static void write_markdown(FILE *f, const table *t, const dnc_report_opts *o, const char *common)
{
    slong i, j;
    fputc('|', f);
    for (i = 0; i < t->ncol; i++)
        if (!t->col[i].drop) {
            fputc(' ', f);
            put_cell(f, &t->col[i].head, o->digits, o->format, 1);
            fputs(" |", f);
        }
    fputs("\n|", f);
    for (i = 0; i < t->ncol; i++)
        if (!t->col[i].drop)
            fputs(is_int_column(t->col + i, t->nrow) ? "---:|" : "---|", f);
    fputc('\n', f);
    for (j = 0; j < t->nrow; j++) {
        fputc('|', f);
        for (i = 0; i < t->ncol; i++)
            if (!t->col[i].drop) {
                fputc(' ', f);
                put_table_cell(f, t, i, j, o);
                fputs(" |", f);
            }
        fputc('\n', f);
    }
    fputs("\n", f);
    if (common != NULL && *common)
        fprintf(f, "All rows: %s.\n", common);
    fputs("Rounded outward from the certified intervals: 0.0991798\xe2\x80\xa6 shows digits that every number of the "
          "interval has, [a, b] contains the value; every certificate was accepted by the independent checker.\n",
          f);
}

static int has_intervals(const column *c, slong nrow)
{
    slong j;
    for (j = 0; j < nrow; j++)
        if (c->cells[j].type == C_INTERVAL)
            return 1;
    return 0;
}

/* The rounded ends of an interval cell as CSV numbers ("0.0991798", "1.23e-30"). */
static void put_csv_ends(FILE *f, const cell *c, slong digits)
{
    dnc_decimal d;
    if (c->type != C_INTERVAL || dnc_decimal_set(&d, c->lo, c->hi, digits) != 0) {
        fputc(',', f);
        return;
    }
    put_end(f, d.lo, d.sci, d.elo, 0, DNC_REPORT_CSV);
    fputc(',', f);
    put_end(f, d.hi, d.sci, d.ehi, 0, DNC_REPORT_CSV);
    dnc_decimal_clear(&d);
}

static void write_csv(FILE *f, const table *t, const dnc_report_opts *o)
{
    slong i, j;
    for (j = -1; j < t->nrow; j++) {
        for (i = 0; i < t->ncol; i++) {
            const cell *c = j < 0 ? &t->col[i].head : t->col[i].cells + j;
            char *s = cell_str(c, o->digits, o->format, t->wide);
            _dnc_sweep_csv_text(f, s != NULL ? s : "", i == 0);
            if (has_intervals(t->col + i, t->nrow)) {
                fputc(',', f);
                if (j >= 0)
                    put_csv_ends(f, c, o->digits);
                else {   /* "<head> lo,<head> hi" */
                    char *lo = malloc(strlen(s != NULL ? s : "") + 4);
                    if (lo != NULL) {
                        sprintf(lo, "%s lo", s != NULL ? s : "");
                        _dnc_sweep_csv_text(f, lo, 1);
                        lo[strlen(lo) - 2] = 'h';
                        lo[strlen(lo) - 1] = 'i';
                        _dnc_sweep_csv_text(f, lo, 0);
                    }
                    free(lo);
                }
            }
            free(s);
        }
        fputc('\n', f);
    }
}

int dnc_report_write(FILE *f, const dnc_report *r, const dnc_report_opts *o)
{
    table t;
    int ret = _dnc_report_build(&t, r, o);
    char *common = NULL;
    if (ret == 0) {
        drop_constant(&t, o);
        common = common_text(&t, o);
        if (o->format == DNC_REPORT_LATEX)
            write_latex(f, &t, r, o, common);
        else if (o->format == DNC_REPORT_MARKDOWN)
            write_markdown(f, &t, o, common);
        else
            write_csv(f, &t, o);
    }
    free(common);
    _dnc_report_table_clear(&t);
    return ret == 0 && !ferror(f) ? 0 : -1;
}
