/* The figures: training curves of one run, and the paper's three figures from a sweep. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"
#include "dncert/sweep.h"
#include "sweep_priv.h"

/* ---- one run: metrics.jsonl ---- */

/* The loss terms of the training figure, as in metrics.jsonl. */
static const char *const terms[4] = { "loss", "fit", "reg", "grad_norm" };

/* The figures of a run, filled record by record: [0] the loss terms, then for each layer
 * l the singular values after the activation ([2l-1]) and before it ([2l], l >= 2). */
typedef struct {
    dnc_plot *plots;
    slong nplots, L;
} run_figures;

static void run_figures_init(run_figures *r, const json_t *first)
{
    const json_t *layers = json_object_get(first, "layers");
    slong l, i, k;
    r->L = (slong) json_array_size(layers);
    r->nplots = 2 * r->L + 1;
    r->plots = flint_calloc(r->nplots, sizeof(dnc_plot));
    dnc_plot_init(r->plots, "training", "Training: loss terms and gradient norm", "step", "value (log scale)");
    r->plots->logy = 1;
    for (i = 0; i < 4; i++)
        dnc_plot_add_series(r->plots, terms[i], DNC_PLOT_LINES);
    for (l = 1; l <= r->L; l++)
        for (k = 0; k < 2; k++) {
            dnc_plot *p = r->plots + 2 * l - 1 + k;
            const json_t *m = json_object_get(json_array_get(layers, l - 1), k ? "pre" : "post");
            char name[64], title[160], label[32];
            snprintf(name, sizeof(name), "sv-%slayer%ld", k ? "pre-" : "", (long) l);
            snprintf(title, sizeof(title), "Layer %ld: singular values of the class means %s", (long) l,
                     k ? "before the activation" : l == 1 ? "(free features H1)" : "after the activation");
            dnc_plot_init(p, name, title, "step", "singular value (log scale)");
            p->logy = 1;
            for (i = 0; m != NULL && i < (slong) json_array_size(json_object_get(m, "sv")); i++) {
                snprintf(label, sizeof(label), "s%ld", (long) i + 1);
                dnc_plot_add_series(p, i < 12 ? label : "", DNC_PLOT_LINES);
            }
        }
}

static void run_figures_add(run_figures *r, const json_t *rec)
{
    double step = _dnc_sweep_json_number(json_object_get(rec, "step"));
    const json_t *layers = json_object_get(rec, "layers");
    slong l, i, k;
    for (i = 0; i < 4; i++)
        dnc_plot_point(r->plots->series + i, step, _dnc_sweep_json_number(json_object_get(rec, terms[i])));
    for (l = 1; l <= r->L; l++)
        for (k = 0; k < 2; k++) {
            dnc_plot *p = r->plots + 2 * l - 1 + k;
            const json_t *sv = json_object_get(json_object_get(json_array_get(layers, l - 1), k ? "pre" : "post"), "sv");
            for (i = 0; i < p->nseries; i++)
                dnc_plot_point(p->series + i, step, _dnc_sweep_json_number(json_array_get(sv, i)));
        }
}

static void run_figures_clear(run_figures *r)
{
    slong i;
    for (i = 0; i < r->nplots; i++)
        dnc_plot_clear(r->plots + i);
    flint_free(r->plots);
}

static int add_record(const json_t *rec, void *ctx)
{
    run_figures *r = ctx;
    if (r->plots == NULL)
        run_figures_init(r, rec);
    run_figures_add(r, rec);
    return 0;
}

static int read_metrics(run_figures *r, const char *rundir, char *err, size_t errlen)
{
    slong count;
    return dnc_run_metrics(rundir, add_record, r, &count, err, errlen);
}

int dnc_plot_run(const char *rundir, const char *outdir, const char *gnuplot, slong *nfiles,
                 char *err, size_t errlen)
{
    run_figures r;
    slong i;
    int status = 0;
    *nfiles = 0;
    memset(&r, 0, sizeof(r));
    if (read_metrics(&r, rundir, err, errlen) != 0) {   /* bad input */
        run_figures_clear(&r);
        return -1;
    }
    if (dnc_mkdir_p(outdir, err, errlen) != 0) {
        run_figures_clear(&r);
        return 1;
    }
    for (i = 0; i < r.nplots && status == 0; i++)
        if (r.plots[i].nseries > 0) {     /* layer 1 has no pre-activation */
            status = dnc_plot_render(r.plots + i, outdir, gnuplot, err, errlen) != 0;
            *nfiles += status == 0;
        }
    run_figures_clear(&r);
    return status;
}

/* ---- sweeps ---- */

typedef enum { AX_K, AX_L, AX_WIDTH, AX_LAMBDA } axis_t;
static const char *const axis_option[] = { "K", "L", "width", "lambda" };
static const char *const axis_words[] = { "values of K", "values of L", "widths", "weight decays" };

static void axis_text(char *buf, size_t len, const dnc_sweep_row *r, axis_t a)
{
    if (a == AX_LAMBDA)
        snprintf(buf, len, "%s", r->lambda);
    else
        snprintf(buf, len, "%ld", (long) (a == AX_K ? r->K : a == AX_L ? r->L : r->width));
}

/* The value on axis a as a double; a weight decay's canonical text is a decimal (read
 * correctly rounded by strtod) or a fraction p/q. */
static double axis_value(const dnc_sweep_row *r, axis_t a)
{
    const char *slash = strchr(r->lambda, '/');
    if (a != AX_LAMBDA)
        return (double) (a == AX_K ? r->K : a == AX_L ? r->L : r->width);
    return strtod(r->lambda, NULL) / (slash != NULL ? strtod(slash + 1, NULL) : 1.0);
}

static int selected(const dnc_sweep_row *r, const dnc_sweep_filter *f)
{
    return (f->K == 0 || r->K == f->K) && (f->L == 0 || r->L == f->L) && (f->width == 0 || r->width == f->width)
        && (f->lambda[0] == '\0' || strcmp(r->lambda, f->lambda) == 0) && strcmp(r->status, "failed") != 0;
}

/* Every selected row must have one value on axis a; the message says how to choose. */
static int check_single(const dnc_sweep_row *const *rows, slong n, axis_t a, const char *figure,
                        char *err, size_t errlen)
{
    char first[64], other[64];
    slong i;
    axis_text(first, sizeof(first), rows[0], a);
    for (i = 1; i < n; i++) {
        axis_text(other, sizeof(other), rows[i], a);
        if (strcmp(first, other) != 0) {
            snprintf(err, errlen, "--%s: the selected runs have several %s (%s, %s, ...); figure %s needs one: "
                     "choose it with --%s", axis_option[a], axis_words[a], first, other, figure, axis_option[a]);
            return -1;
        }
    }
    return 0;
}

typedef struct {
    double x, y;
} pair;

static int cmp_pair(const void *a, const void *b)
{
    double x = ((const pair *) a)->x, y = ((const pair *) b)->x;
    return (x > y) - (x < y);
}

/* Adds to s the mean of y over each group of equal x (sorted by x). */
static void add_means(dnc_plot_series *s, pair *v, slong n)
{
    slong i = 0, j;
    qsort(v, n, sizeof(pair), cmp_pair);
    while (i < n) {
        double sum = 0.0;
        for (j = i; j < n && v[j].x == v[i].x; j++)
            sum += v[j].y;
        dnc_plot_point(s, v[i].x, sum / (double) (j - i));
        i = j;
    }
}

/* Mean pre-activation rank over layers 2..L (last = 0), or the rank at layer L (last = 1);
 * NAN when the profile does not have them, and for runs at the zero point, whose
 * numerical ranks (relative to a vanishing largest singular value) mean nothing. */
static double pre_rank(const dnc_sweep_row *r, int last)
{
    double sum = 0.0;
    slong l, k;
    if (strcmp(r->cls, "zero") == 0)
        return NAN;
    for (l = last ? r->L : 2; l <= r->L; l++) {
        if ((k = dnc_sweep_profile_rank(r->profile, l, 1)) < 0)
            return NAN;
        sum += (double) k;
    }
    return r->L >= 2 ? sum / (double) (last ? 1 : r->L - 1) : NAN;
}

static void reference_lines(dnc_plot *p, const dnc_sweep_row *row, const dnc_sweep_ref *refs, slong nrefs)
{
    slong i;
    for (i = 0; i < nrefs; i++) {
        const dnc_sweep_ref *f = refs + i;
        char title[96];
        if (f->K != row->K || f->L != row->L || strcmp(f->lambda, row->lambda) != 0 || f->decimal[0] == '\0')
            continue;
        if (f->r > 0)
            snprintf(title, sizeof(title), "%s r=%ld (certified) %.10s", f->structure, (long) f->r, f->decimal);
        else
            snprintf(title, sizeof(title), "%s (certified) %.10s", f->structure, f->decimal);
        dnc_plot_point(dnc_plot_add_series(p, title, DNC_PLOT_HLINE), 0.0, strtod(f->lo, NULL));
    }
}

static void figure_loss(dnc_plot *p, const dnc_sweep_row *const *rows, slong n, const dnc_sweep_ref *refs,
                        slong nrefs)
{
    slong i, j;
    char title[64];
    slong lo = rows[0]->seed, hi = rows[0]->seed;
    for (i = 1; i < n; i++) {
        lo = FLINT_MIN(lo, rows[i]->seed);
        hi = FLINT_MAX(hi, rows[i]->seed);
    }
    p->xtics = (double) ((hi - lo + 9) / 10 > 0 ? (hi - lo + 9) / 10 : 1);   /* seeds are integers */
    for (i = 0; i < n; i++) {       /* one series per width, in order of appearance */
        dnc_plot_series *s = NULL;
        for (j = 0; j < i && rows[j]->width != rows[i]->width; j++)
            ;
        if (j < i)
            continue;
        snprintf(title, sizeof(title), "final loss, width %ld", (long) rows[i]->width);
        s = dnc_plot_add_series(p, title, DNC_PLOT_POINTS);
        for (j = i; j < n; j++)
            if (rows[j]->width == rows[i]->width)
                dnc_plot_point(s, (double) rows[j]->seed, rows[j]->loss);
    }
    reference_lines(p, rows[0], refs, nrefs);
}

static void figure_rank(dnc_plot *p, const dnc_sweep_row *const *rows, slong n, const dnc_sweep_ref *refs,
                        slong nrefs)
{
    pair *v = flint_malloc(n * sizeof(pair));
    slong i, m;
    int last;
    (void) refs;
    (void) nrefs;
    dnc_plot_add_series(p, "runs: mean over layers 2..L", DNC_PLOT_POINTS);   /* series 0 */
    for (last = 0; last < 2; last++) {
        for (i = m = 0; i < n; i++)
            if (isfinite(pre_rank(rows[i], last))) {
                v[m].x = axis_value(rows[i], AX_LAMBDA);
                v[m++].y = pre_rank(rows[i], last);
                if (!last)
                    dnc_plot_point(p->series, v[m - 1].x, v[m - 1].y);
            }
        add_means(dnc_plot_add_series(p, last ? "mean over seeds: layer L" : "mean over seeds: mean over layers 2..L",
                                      DNC_PLOT_LINESPOINTS), v, m);
    }
    flint_free(v);
}

/* 1 when every rank of the profile (before and after each activation) is K. */
static int full_rank(const dnc_sweep_row *r)
{
    slong l;
    if (r->profile[0] == '\0')
        return 0;
    for (l = 1; l <= r->L; l++)
        if (dnc_sweep_profile_rank(r->profile, l, 0) != r->K || (l >= 2 && dnc_sweep_profile_rank(r->profile, l, 1) != r->K))
            return 0;
    return 1;
}

/* Fractions of runs per width: class dnc (the figure of the paper), full rank K everywhere
 * (DNC and the runs still approaching it: gradient descent reaches the dnc tolerances
 * slowly), low-rank, and the zero point or dead classes. */
static void figure_dnc(dnc_plot *p, const dnc_sweep_row *const *rows, slong n, const dnc_sweep_ref *refs,
                       slong nrefs)
{
    static const char *const titles[] = { "class dnc", "rank K at every layer (dnc or approaching it)",
                                          "class low-rank", "class zero or dead-classes" };
    pair *v = flint_malloc(n * sizeof(pair));
    slong i;
    int c;
    (void) refs;
    (void) nrefs;
    for (c = 0; c < 4; c++) {
        for (i = 0; i < n; i++) {
            const char *k = rows[i]->cls;
            v[i].x = (double) rows[i]->width;
            v[i].y = c == 0 ? strcmp(k, "dnc") == 0 : c == 1 ? full_rank(rows[i]) && strcmp(k, "zero") != 0
                   : c == 2 ? strcmp(k, "low-rank") == 0 : strcmp(k, "zero") == 0 || strcmp(k, "dead-classes") == 0;
        }
        add_means(dnc_plot_add_series(p, titles[c], DNC_PLOT_LINESPOINTS), v, n);
    }
    flint_free(v);
}

/* The rows of completed runs that pass the filter. */
static slong select_rows(const dnc_sweep_row ***out, const dnc_sweep_row *rows, slong n, const dnc_sweep_filter *f)
{
    slong i, m = 0;
    *out = flint_malloc((n > 0 ? n : 1) * sizeof(**out));
    for (i = 0; i < n; i++)
        if (selected(rows + i, f))
            (*out)[m++] = rows + i;
    return m;
}

typedef void (*draw_fn)(dnc_plot *p, const dnc_sweep_row *const *rows, slong n, const dnc_sweep_ref *refs,
                        slong nrefs);

typedef struct {
    const char *name, *title, *xlabel, *ylabel;
    axis_t single[3];     /* axes the selected runs must have one value on */
    axis_t fixed;         /* the one of them named in the title besides K and L */
    int logx, xtics_data;
    draw_fn draw;
} figure_info;

static const figure_info figures[] = {
    { "loss", "Final loss of every run against the certified optima", "seed", "final loss",
      { AX_K, AX_L, AX_LAMBDA }, AX_LAMBDA, 0, 0, figure_loss },
    { "rank", "Rank of the class means before the activation", "weight decay lambda", "rank",
      { AX_K, AX_L, AX_WIDTH }, AX_WIDTH, 1, 1, figure_rank },
    { "dnc", "Fraction of runs by solution class", "width", "fraction of runs",
      { AX_K, AX_L, AX_LAMBDA }, AX_LAMBDA, 0, 1, figure_dnc },
};

/* The figure named `name` if the selection fits it; NULL with a message otherwise. */
static const figure_info *check_figure(const char *name, const dnc_sweep_row *const *sel, slong m,
                                       char *err, size_t errlen)
{
    const figure_info *fi = NULL;
    size_t i;
    int a;
    for (i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
        if (strcmp(name, figures[i].name) == 0)
            fi = figures + i;
    if (fi == NULL)
        return dnc_fail(err, errlen, "--figure: must be loss, rank or dnc (got '%s')", name), NULL;
    if (m == 0)
        return dnc_fail(err, errlen, "no completed run matches the selection (--K, --L, --width, --lambda)"), NULL;
    for (a = 0; a < 3; a++)
        if (check_single(sel, m, fi->single[a], name, err, errlen) != 0)
            return NULL;
    if (fi->draw == figure_rank && sel[0]->L < 2)
        return dnc_fail(err, errlen, "--L: figure rank needs L >= 2 (pre-activation ranks)"), NULL;
    return fi;
}

int dnc_sweep_figure(const char *figure, const dnc_sweep_row *rows, slong n, const dnc_sweep_ref *refs,
                     slong nrefs, const dnc_sweep_filter *f, const char *outdir, const char *gnuplot,
                     char *err, size_t errlen)
{
    const dnc_sweep_row **sel;
    const figure_info *fi;
    char title[256], what[64];
    slong m = select_rows(&sel, rows, n, f);
    int status = -1;
    dnc_plot p;
    if ((fi = check_figure(figure, sel, m, err, errlen)) != NULL) {
        axis_text(what, sizeof(what), sel[0], fi->fixed);
        snprintf(title, sizeof(title), "%s, K=%ld L=%ld %s=%s, %ld runs", fi->title, (long) sel[0]->K,
                 (long) sel[0]->L, axis_option[fi->fixed], what, (long) m);
        dnc_plot_init(&p, fi->name, title, fi->xlabel, fi->ylabel);
        p.logx = fi->logx;
        p.xtics_data = fi->xtics_data;
        fi->draw(&p, sel, m, refs, nrefs);
        status = dnc_mkdir_p(outdir, err, errlen) == 0 && dnc_plot_render(&p, outdir, gnuplot, err, errlen) == 0
                 ? 0 : -2;
        dnc_plot_clear(&p);
    }
    flint_free(sel);
    return status;
}
