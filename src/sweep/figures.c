/* The figures: training curves of one run, and the paper's three figures from a sweep. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"
#include "dncert/metrics.h"
#include "dncert/rundir.h"
#include "dncert/sweep.h"
#include "sweep_priv.h"

/* ---- one run: metrics.jsonl ---- */

/* The loss terms of the training figure, as in metrics.jsonl, with their legends and looks:
 * the loss first, as a wide pale band, so that reg (close to it once the fit is small)
 * shows as dashes inside it. */
static const char *const terms[4] = { "loss", "fit", "reg", "grad_norm" };
static const char *const term_titles[4] = { "loss = fit + reg", "fit (MSE term)", "reg (weight decay term)", "gradient norm" };
static const dnc_look_t term_looks[4] = { DNC_LOOK_LOSS, DNC_LOOK_FIT, DNC_LOOK_REG, DNC_LOOK_GRAD_NORM };

/* The figures of a run, filled record by record: [0] the loss terms, then for each layer
 * l the singular values after the activation ([2l-1]) and before it ([2l], l >= 2), each
 * followed by the rank cutoff (the last series). */
typedef struct {
    dnc_plot *plots;
    slong nplots, L;
    double rank_tol;
} run_figures;

/* "1e-6" for 1e-06, "2.5e-7", "0.001": a tolerance as people write it. */
static void tol_text(char *buf, size_t len, double tol)
{
    char *e;
    snprintf(buf, len, "%.3g", tol);
    if ((e = strchr(buf, 'e')) != NULL && (e[1] == '-' || e[1] == '+')) {
        char *d = e + 2;
        while (*d == '0' && d[1] != '\0')
            memmove(d, d + 1, strlen(d));
        if (e[1] == '+')
            memmove(e + 1, e + 2, strlen(e + 1));
    }
}

static void sv_figure_init(dnc_plot *p, slong l, int pre, slong nsv, double rank_tol)
{
    char name[64], title[160], label[32], tol[32];
    slong i;
    snprintf(name, sizeof(name), "sv-%slayer%ld", pre ? "pre-" : "", (long) l);
    snprintf(title, sizeof(title), "Layer %ld: singular values of the class means %s", (long) l,
             pre ? "before the activation" : l == 1 ? "(free features H1)" : "after the activation");
    dnc_plot_init(p, name, title, "step", "singular value (log scale)");
    p->logy = 1;
    for (i = 0; i < nsv; i++) {
        snprintf(label, sizeof(label), "σ%ld", (long) i + 1);
        dnc_plot_shade(dnc_plot_add_series(p, i < 12 ? label : "", DNC_PLOT_LINES, DNC_LOOK_SEQUENCE)->rgb, i, nsv);
    }
    tol_text(tol, sizeof(tol), rank_tol);
    snprintf(title, sizeof(title), "rank cutoff %s × σ1", tol);
    dnc_plot_add_series(p, title, DNC_PLOT_LINES, DNC_LOOK_CUTOFF);
}

static void run_figures_init(run_figures *r, const json_t *first)
{
    const json_t *layers = json_object_get(first, "layers");
    slong l, i;
    int pre;
    r->L = (slong) json_array_size(layers);
    r->nplots = 2 * r->L + 1;
    r->plots = flint_calloc(r->nplots, sizeof(dnc_plot));
    dnc_plot_init(r->plots, "training", "Training: loss terms and gradient norm", "step", "value (log scale)");
    r->plots->logy = 1;
    for (i = 0; i < 4; i++)
        dnc_plot_add_series(r->plots, term_titles[i], DNC_PLOT_LINES, term_looks[i]);
    for (l = 1; l <= r->L; l++)
        for (pre = 0; pre < 2; pre++) {
            const json_t *m = json_object_get(json_array_get(layers, l - 1), pre ? "pre" : "post");
            if (m != NULL && json_array_size(json_object_get(m, "sv")) > 0)   /* layer 1 has no pre-activation */
                sv_figure_init(r->plots + 2 * l - 1 + pre, l, pre, (slong) json_array_size(json_object_get(m, "sv")),
                               r->rank_tol);
        }
}

static void run_figures_add(run_figures *r, const json_t *rec)
{
    double step = _dnc_sweep_json_number(json_object_get(rec, "step"));
    const json_t *layers = json_object_get(rec, "layers");
    slong l, i;
    int pre;
    for (i = 0; i < 4; i++)
        dnc_plot_point(r->plots->series + i, step, _dnc_sweep_json_number(json_object_get(rec, terms[i])));
    for (l = 1; l <= r->L; l++)
        for (pre = 0; pre < 2; pre++) {
            dnc_plot *p = r->plots + 2 * l - 1 + pre;
            const json_t *sv = json_object_get(json_object_get(json_array_get(layers, l - 1), pre ? "pre" : "post"), "sv");
            for (i = 0; i + 1 < p->nseries; i++)
                dnc_plot_point(p->series + i, step, _dnc_sweep_json_number(json_array_get(sv, i)));
            if (p->nseries > 0)     /* the cutoff: relative to the largest singular value of this step */
                dnc_plot_point(p->series + p->nseries - 1, step, r->rank_tol * _dnc_sweep_json_number(json_array_get(sv, 0)));
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

/* The run's rank tolerance (summary.json), else the default of the metrics. */
static double run_rank_tol(const char *rundir)
{
    json_t *s = dnc_run_summary(rundir);
    double tol = _dnc_sweep_json_number(json_object_get(json_object_get(s, "run"), "rank_tol"));
    json_decref(s);
    return isfinite(tol) && tol > 0 && tol < 1 ? tol : DNC_RANK_TOL_DEFAULT;
}

int dnc_plot_run(const char *rundir, const dnc_plot_dest *d, double rank_tol, slong *nfiles, unsigned *written,
                 char *err, size_t errlen)
{
    run_figures r;
    slong i, count;
    unsigned w;
    int status = 0;
    char path[4300];
    *nfiles = 0;
    *written = DNC_PLOT_PNG | DNC_PLOT_SVG | DNC_PLOT_PDF | DNC_PLOT_GP;
    memset(&r, 0, sizeof(r));
    r.rank_tol = rank_tol > 0 ? rank_tol : run_rank_tol(rundir);
    if (dnc_run_metrics(rundir, add_record, &r, &count, err, errlen) != 0)
        status = -1;                                /* bad input */
    for (i = 0; i < r.nplots && status == 0 && !d->force; i++)
        if (r.plots[i].nseries > 0 && dnc_plot_existing(path, sizeof(path), d->dir, r.plots[i].name))
            status = (dnc_fail(err, errlen, "'%s' already exists (use --force to replace it)", path), -2);
    for (i = 0; i < r.nplots && status == 0; i++)
        if (r.plots[i].nseries > 0) {
            status = dnc_plot_render(r.plots + i, d, &w, err, errlen);
            status = status == -2 ? -2 : status != 0;
            *written &= w;
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

static int cmp_slong(const void *a, const void *b)
{
    slong x = *(const slong *) a, y = *(const slong *) b;
    return (x > y) - (x < y);
}

/* The distinct values of key(row) over the rows, sorted; returns how many. */
static slong distinct(slong *v, const dnc_sweep_row *const *rows, slong n, slong (*key)(const dnc_sweep_row *))
{
    slong i, k = 0;
    for (i = 0; i < n; i++)
        v[i] = key(rows[i]);
    qsort(v, n, sizeof(slong), cmp_slong);
    for (i = 0; i < n; i++)
        if (k == 0 || v[i] != v[k - 1])
            v[k++] = v[i];
    return k;
}

static slong index_of(const slong *v, slong k, slong x)
{
    slong i;
    for (i = 0; i < k && v[i] != x; i++)
        ;
    return i;
}

static slong key_width(const dnc_sweep_row *r) { return r->width; }
static slong key_seed(const dnc_sweep_row *r) { return r->seed; }

/* Markers that would hide each other at one grid value of the x axis (several widths at
 * one seed, several seeds at one weight decay, several series at one width) are spread
 * side by side: slot i of m is moved by a fraction of the smallest gap between the grid
 * values (of log10 x on a log axis), the m slots together covering 40% of it. */
typedef struct {
    double gap;
    int logx;
} dodge_t;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

/* The gap from the figure's x tics (its grid values). */
static void dodge_init(dodge_t *d, const dnc_plot *p)
{
    double *t = flint_malloc((p->nxtic + 1) * sizeof(double));
    slong i;
    memcpy(t, p->xtic, p->nxtic * sizeof(double));
    qsort(t, p->nxtic, sizeof(double), cmp_double);
    d->logx = p->logx;
    d->gap = HUGE_VAL;
    for (i = 1; i < p->nxtic; i++) {
        double a = p->logx ? log10(t[i - 1]) : t[i - 1], b = p->logx ? log10(t[i]) : t[i];
        if (a != b && b - a < d->gap)
            d->gap = b - a;
    }
    if (!isfinite(d->gap))
        d->gap = p->logx ? 0.25 : 1.0;
    flint_free(t);
}

static double dodge(const dodge_t *d, double x, slong i, slong m)
{
    double off = m > 1 ? 0.4 * d->gap * ((double) i / (double) (m - 1) - 0.5) : 0.0;
    return d->logx ? x * pow(10.0, off) : x + off;
}

/* Adds to s the mean of y over each group of equal x (sorted by x), in slot i of m. */
static void add_means(dnc_plot_series *s, pair *v, slong n, const dodge_t *d, slong i, slong m)
{
    slong a = 0, j;
    qsort(v, n, sizeof(pair), cmp_pair);
    while (a < n) {
        double sum = 0.0;
        for (j = a; j < n && v[j].x == v[a].x; j++)
            sum += v[j].y;
        dnc_plot_point(s, dodge(d, v[a].x, i, m), sum / (double) (j - a));
        a = j;
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

/* The look of a run: its solution class; a diverged run is "other" whatever its class. */
static dnc_look_t run_look(const dnc_sweep_row *r)
{
    return strcmp(r->status, "diverged") == 0 ? DNC_LOOK_OTHER : dnc_look_of(r->cls);
}

/* The certified values of the figure's problem as constant lines, rounded to 4 significant
 * digits in the legend (correctly: both ends of the enclosure round alike). */
static void reference_lines(dnc_plot *p, const dnc_sweep_row *row, const dnc_sweep_ref *refs, slong nrefs)
{
    slong i;
    for (i = 0; i < nrefs; i++) {
        const dnc_sweep_ref *f = refs + i;
        dnc_look_t look = dnc_look_of(f->structure);
        char title[160], value[64], which[64] = "";
        if (f->K != row->K || f->L != row->L || strcmp(f->lambda, row->lambda) != 0 || f->decimal[0] == '\0')
            continue;
        if (dnc_plot_round_certified(value, sizeof(value), f->lo, f->hi, 4) != 0)
            snprintf(value, sizeof(value), "in [%.12s, %.12s]", f->lo, f->hi);
        if (f->r > 0)
            snprintf(which, sizeof(which), " (r = %ld%s)", (long) f->r,
                     strcmp(f->structure, "srg-embedded") == 0 ? ", embedded with DNC" : "");
        snprintf(title, sizeof(title), "%s%s, certified %s", dnc_palette[look].label, which, value);
        dnc_plot_point(dnc_plot_add_series(p, title, DNC_PLOT_HLINE, look), 0.0, strtod(f->lo, NULL));
    }
}

/* One series of points per look (palette order) for the runs with a finite y(row); the
 * marker of a run is in slot slot(row) of m at its x. */
static void run_points(dnc_plot *p, const dnc_sweep_row *const *rows, slong n, const char *what,
                       double (*x)(const dnc_sweep_row *), double (*y)(const dnc_sweep_row *),
                       slong (*slot)(const dnc_sweep_row *, const void *), const void *ctx, slong m)
{
    dodge_t d;
    slong i, count;
    int look;
    char title[160];
    dodge_init(&d, p);
    for (look = 0; look <= DNC_LOOK_OTHER; look++) {
        dnc_plot_series *s = NULL;
        for (i = count = 0; i < n; i++)
            count += run_look(rows[i]) == (dnc_look_t) look && isfinite(y(rows[i]));
        if (count == 0)
            continue;
        snprintf(title, sizeof(title), "%s: %s (%ld)", what, dnc_palette[look].label, (long) count);
        s = dnc_plot_add_series(p, title, DNC_PLOT_POINTS, (dnc_look_t) look);
        for (i = 0; i < n; i++)
            if (run_look(rows[i]) == (dnc_look_t) look && isfinite(y(rows[i])))
                dnc_plot_point(s, dodge(&d, x(rows[i]), slot(rows[i], ctx), m), y(rows[i]));
    }
}

typedef struct {
    const slong *v;
    slong k;
} slots;

static slong slot_width(const dnc_sweep_row *r, const void *ctx)
{
    return index_of(((const slots *) ctx)->v, ((const slots *) ctx)->k, r->width);
}

static slong slot_seed(const dnc_sweep_row *r, const void *ctx)
{
    return index_of(((const slots *) ctx)->v, ((const slots *) ctx)->k, r->seed);
}

static double x_seed(const dnc_sweep_row *r) { return (double) r->seed; }
static double x_lambda(const dnc_sweep_row *r) { return axis_value(r, AX_LAMBDA); }
static double y_loss(const dnc_sweep_row *r) { return r->loss; }
static double y_rank(const dnc_sweep_row *r) { return pre_rank(r, 0); }

/* "seed (at each seed, widths 10, 30, 50 from left to right)" when there are several. */
static void loss_xlabel(dnc_plot *p, const slong *w, slong k)
{
    size_t len = 0;
    slong i;
    if (k < 2)
        return;
    len = (size_t) snprintf(p->xlabel, sizeof(p->xlabel), "seed (at each seed, widths");
    for (i = 0; i < k && len < sizeof(p->xlabel); i++)
        len += (size_t) snprintf(p->xlabel + len, sizeof(p->xlabel) - len, "%s %ld", i ? "," : "", (long) w[i]);
    if (len < sizeof(p->xlabel))
        snprintf(p->xlabel + len, sizeof(p->xlabel) - len, " from left to right)");
}

static void figure_loss(dnc_plot *p, const dnc_sweep_row *const *rows, slong n, const dnc_sweep_ref *refs,
                        slong nrefs)
{
    slong *w = flint_malloc(n * sizeof(slong)), *s = flint_malloc(n * sizeof(slong)), i, k;
    slots widths;
    for (i = 0; i < n; i++)
        dnc_plot_xtic(p, (double) rows[i]->seed);
    k = distinct(s, rows, n, key_seed);
    p->xtics = (double) FLINT_MAX((s[k - 1] - s[0] + 9) / 10, 1);   /* seeds are integers */
    widths.v = w;
    widths.k = distinct(w, rows, n, key_width);
    loss_xlabel(p, w, widths.k);
    reference_lines(p, rows[0], refs, nrefs);
    run_points(p, rows, n, "runs", x_seed, y_loss, slot_width, &widths, widths.k);
    flint_free(w);
    flint_free(s);
}

static void figure_rank(dnc_plot *p, const dnc_sweep_row *const *rows, slong n, const dnc_sweep_ref *refs,
                        slong nrefs)
{
    static const char *const titles[2] = { "mean over seeds", "mean over seeds, layer L only" };
    pair *v = flint_malloc(n * sizeof(pair));
    slong *w = flint_malloc(n * sizeof(slong)), i, m;
    slots seeds;
    dodge_t d;
    int last;
    (void) refs;
    (void) nrefs;
    for (i = 0; i < n; i++)
        dnc_plot_xtic(p, axis_value(rows[i], AX_LAMBDA));
    dodge_init(&d, p);
    for (last = 0; last < 2; last++) {
        for (i = m = 0; i < n; i++)
            if (isfinite(pre_rank(rows[i], last))) {
                v[m].x = axis_value(rows[i], AX_LAMBDA);
                v[m++].y = pre_rank(rows[i], last);
            }
        add_means(dnc_plot_add_series(p, titles[last], DNC_PLOT_LINESPOINTS, last ? DNC_LOOK_MEAN_LAST : DNC_LOOK_MEAN),
                  v, m, &d, 0, 1);
    }
    seeds.v = w;
    seeds.k = distinct(w, rows, n, key_seed);
    run_points(p, rows, n, "runs", x_lambda, y_rank, slot_seed, &seeds, seeds.k);
    flint_free(v);
    flint_free(w);
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

/* 1 when run r counts in the series of look `look` of the dnc figure. */
static int in_series(const dnc_sweep_row *r, dnc_look_t look)
{
    if (look == DNC_LOOK_FULL_RANK)
        return full_rank(r) && strcmp(r->cls, "zero") != 0;
    return run_look(r) == look;
}

/* Fractions of runs per width: class dnc (the figure of the paper), full rank K everywhere
 * (DNC and the runs still approaching it: gradient descent reaches the dnc tolerances
 * slowly), low-rank, and -- when some run has them -- the zero point, dead classes, and
 * diverged or unclassified runs. DNC comes first: its thick line stays visible under the
 * thinner ones drawn over it at equal fractions. */
static void figure_dnc(dnc_plot *p, const dnc_sweep_row *const *rows, slong n, const dnc_sweep_ref *refs,
                       slong nrefs)
{
    static const dnc_look_t looks[] = { DNC_LOOK_DNC, DNC_LOOK_FULL_RANK, DNC_LOOK_LOW_RANK, DNC_LOOK_ZERO,
                                        DNC_LOOK_DEAD, DNC_LOOK_OTHER };
    pair *v = flint_malloc(n * sizeof(pair));
    slong i, c, m = 0, any[6] = { 1, 1, 1, 0, 0, 0 };
    dodge_t d;
    (void) refs;
    (void) nrefs;
    for (i = 0; i < n; i++) {
        dnc_plot_xtic(p, (double) rows[i]->width);
        for (c = 3; c < 6; c++)
            any[c] |= in_series(rows[i], looks[c]);
    }
    for (c = 0; c < 6; c++)
        m += any[c];
    dodge_init(&d, p);
    for (c = i = 0; c < 6; c++)
        if (any[c]) {
            slong j;
            for (j = 0; j < n; j++) {
                v[j].x = (double) rows[j]->width;
                v[j].y = in_series(rows[j], looks[c]);
            }
            add_means(dnc_plot_add_series(p, dnc_palette[looks[c]].label, DNC_PLOT_LINESPOINTS, looks[c]), v, n, &d, i++, m);
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
    axis_t fixed;         /* the one of them named in the title and the file name besides K and L */
    int logx;
    draw_fn draw;
} figure_info;

static const figure_info figures[] = {
    { "loss", "Final loss of every run against the certified optima", "seed", "final loss",
      { AX_K, AX_L, AX_LAMBDA }, AX_LAMBDA, 0, figure_loss },
    { "rank", "Rank of the class means before the activation", "weight decay λ (log scale)",
      "rank before the activation, mean over layers 2..L",
      { AX_K, AX_L, AX_WIDTH }, AX_WIDTH, 1, figure_rank },
    { "dnc", "Fraction of runs by solution class", "width", "fraction of runs",
      { AX_K, AX_L, AX_LAMBDA }, AX_LAMBDA, 0, figure_dnc },
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

/* The default file name, "loss-K10-L4-lambda0.004", "rank-K10-L4-w30" ("/" of a weight
 * decay as "_", as in run ids), and the title, "..., K = 10, L = 4, λ = 0.004, 10 runs". */
static void figure_names(char *name, size_t namelen, char *title, size_t titlelen, const figure_info *fi,
                         const dnc_sweep_row *row, slong m)
{
    char what[64], *c;
    axis_text(what, sizeof(what), row, fi->fixed);
    snprintf(title, titlelen, "%s, K = %ld, L = %ld, %s = %s, %ld runs%s", fi->title, (long) row->K, (long) row->L,
             fi->fixed == AX_LAMBDA ? "λ" : "width", what, (long) m,
             strcmp(row->loss_fn, "ce") == 0 ? ", cross-entropy" : "");
    for (c = what; *c; c++)
        *c = *c == '/' ? '_' : *c;
    snprintf(name, namelen, "%s-K%ld-L%ld-%s%s", fi->name, (long) row->K, (long) row->L,
             fi->fixed == AX_LAMBDA ? "lambda" : "w", what);
}

int dnc_sweep_figure(const char *figure, const dnc_sweep_row *rows, slong n, const dnc_sweep_ref *refs,
                     slong nrefs, const dnc_sweep_filter *f, const char *name, const dnc_plot_dest *d,
                     char *name_used, unsigned *written, char *err, size_t errlen)
{
    const dnc_sweep_row **sel;
    const figure_info *fi;
    char title[256], dflt[256];
    slong m = select_rows(&sel, rows, n, f);
    int status = -1;
    dnc_plot p;
    *written = 0;
    if ((fi = check_figure(figure, sel, m, err, errlen)) != NULL) {
        figure_names(dflt, sizeof(dflt), title, sizeof(title), fi, sel[0], m);
        dnc_plot_init(&p, name != NULL ? name : dflt, title, fi->xlabel, fi->ylabel);
        if (name_used != NULL)
            snprintf(name_used, 256, "%s", p.name);
        p.logx = fi->logx;
        fi->draw(&p, sel, m, refs, nrefs);
        status = dnc_plot_render(&p, d, written, err, errlen);
        status = status == -2 ? -2 : status != 0;
        dnc_plot_clear(&p);
    }
    flint_free(sel);
    return status;
}
