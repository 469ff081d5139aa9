/* Figures as gnuplot scripts written from data columns: one writer for every plot. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "dncert/io.h"
#include "dncert/sweep.h"

void dnc_plot_init(dnc_plot *p, const char *name, const char *title, const char *xlabel, const char *ylabel)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->name, sizeof(p->name), "%s", name);
    snprintf(p->title, sizeof(p->title), "%s", title);
    snprintf(p->xlabel, sizeof(p->xlabel), "%s", xlabel);
    snprintf(p->ylabel, sizeof(p->ylabel), "%s", ylabel);
}

void dnc_plot_clear(dnc_plot *p)
{
    slong i;
    for (i = 0; i < p->nseries; i++) {
        flint_free(p->series[i].x);
        flint_free(p->series[i].y);
    }
    flint_free(p->series);
    memset(p, 0, sizeof(*p));
}

dnc_plot_series *dnc_plot_add_series(dnc_plot *p, const char *title, dnc_plot_style style)
{
    dnc_plot_series *s;
    p->series = flint_realloc(p->series, (p->nseries + 1) * sizeof(dnc_plot_series));
    s = p->series + p->nseries++;
    memset(s, 0, sizeof(*s));
    snprintf(s->title, sizeof(s->title), "%s", title);
    s->style = style;
    return s;
}

void dnc_plot_point(dnc_plot_series *s, double x, double y)
{
    if (s->n == s->alloc) {
        s->alloc = s->alloc ? 2 * s->alloc : 16;
        s->x = flint_realloc(s->x, s->alloc * sizeof(double));
        s->y = flint_realloc(s->y, s->alloc * sizeof(double));
    }
    s->x[s->n] = x;
    s->y[s->n++] = y;
}

static int executable(const char *path)
{
    return access(path, X_OK) == 0;
}

const char *dnc_plot_gnuplot(char *err, size_t errlen)
{
    static char found[4096];
    const char *env = getenv("DNCERT_GNUPLOT"), *path = getenv("PATH");
    if (env != NULL) {
        if (*env && executable(env))
            return env;
        snprintf(err, errlen, "gnuplot not found: DNCERT_GNUPLOT='%s' is not an executable", env);
        return NULL;
    }
    while (path != NULL && *path) {
        const char *colon = strchr(path, ':');
        int len = colon ? (int) (colon - path) : (int) strlen(path);
        snprintf(found, sizeof(found), "%.*s/gnuplot", len, path);
        if (len > 0 && executable(found))
            return found;
        path = colon ? colon + 1 : NULL;
    }
    if (executable("/usr/bin/gnuplot"))
        return "/usr/bin/gnuplot";
    snprintf(err, errlen, "gnuplot not found on PATH nor as /usr/bin/gnuplot (install it, e.g. "
             "apt-get install gnuplot-nox, or set DNCERT_GNUPLOT to its path)");
    return NULL;
}

/* A gnuplot single-quoted string: a quote is written twice. */
static void gp_string(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

static int plottable(const dnc_plot *p, double x, double y)
{
    return isfinite(x) && isfinite(y) && !(p->logx && x <= 0) && !(p->logy && y <= 0);
}

static void write_data(FILE *f, const dnc_plot *p)
{
    slong i, j;
    for (i = 0; i < p->nseries; i++) {
        const dnc_plot_series *s = p->series + i;
        if (s->style == DNC_PLOT_HLINE)
            continue;
        fprintf(f, "$d%ld << EOD\n", (long) i);
        for (j = 0; j < s->n; j++)
            if (plottable(p, s->x[j], s->y[j]))
                fprintf(f, "%.17g %.17g\n", s->x[j], s->y[j]);
        fprintf(f, "EOD\n");
    }
}

static const char *style_text(dnc_plot_style st)
{
    return st == DNC_PLOT_POINTS ? "points pt 7 ps 0.8" : st == DNC_PLOT_LINES ? "lines lw 1.5"
         : st == DNC_PLOT_LINESPOINTS ? "linespoints pt 7 ps 0.8 lw 1.5" : "lines dt 2 lw 2";
}

/* 1 if the series has a point to draw (gnuplot stops at an empty data block). */
static int drawable(const dnc_plot *p, const dnc_plot_series *s)
{
    slong j;
    for (j = 0; j < s->n; j++)
        if (s->style == DNC_PLOT_HLINE ? plottable(p, 1.0, s->y[j]) : plottable(p, s->x[j], s->y[j]))
            return 1;
    return 0;
}

static void write_plot_command(FILE *f, const dnc_plot *p)
{
    slong i;
    int drawn = 0;
    for (i = 0; i < p->nseries; i++) {
        const dnc_plot_series *s = p->series + i;
        if (!drawable(p, s))
            continue;
        fputs(drawn++ ? ", \\\n     " : "plot ", f);
        if (s->style == DNC_PLOT_HLINE)
            fprintf(f, "%.17g", s->y[0]);
        else
            fprintf(f, "$d%ld using 1:2", (long) i);
        /* gnuplot has 8 colours: later series repeat them, dashed */
        fprintf(f, " with %s%s ", style_text(s->style), drawn > 8 && s->style != DNC_PLOT_HLINE ? " dt 2" : "");
        if (s->title[0]) {
            fputs("title ", f);
            gp_string(f, s->title);
        } else
            fputs("notitle", f);
    }
    fputc('\n', f);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

/* "set xtics (a, b, ...)" with the distinct x values of the data, when there are at most
 * 20 of them: the grid values of a sweep axis are the natural tics of its figure. */
static void write_data_tics(FILE *f, const dnc_plot *p)
{
    double *v = NULL;
    slong n = 0, i, j, k = 0;
    for (i = 0; i < p->nseries; i++)
        for (j = 0; j < p->series[i].n && p->series[i].style != DNC_PLOT_HLINE; j++)
            if (plottable(p, p->series[i].x[j], p->series[i].y[j])) {
                v = flint_realloc(v, (n + 1) * sizeof(double));
                v[n++] = p->series[i].x[j];
            }
    qsort(v, n, sizeof(double), cmp_double);
    for (i = 0; i < n; i++)
        if (k == 0 || v[i] != v[k - 1])
            v[k++] = v[i];
    if (k > 0 && k <= 20) {
        fputs("set xtics (", f);
        for (i = 0; i < k; i++)
            fprintf(f, "%s%.17g", i ? ", " : "", v[i]);
        fputs(")\n", f);
    }
    flint_free(v);
}

/* One script draws the figure twice, as PNG and as SVG, into temporary names that the
 * caller renames only when gnuplot succeeded. */
static int script_writer(FILE *f, void *ctx)
{
    const dnc_plot *p = ctx;
    static const char *const terms[2][2] = { { "pngcairo size 900,600 noenhanced font ',11'", "png" },
                                             { "svg size 900,600 noenhanced dynamic", "svg" } };
    int t;
    fprintf(f, "# written by dncert; run with: gnuplot %s.gp\n", p->name);
    write_data(f, p);
    fputs("set title ", f);
    gp_string(f, p->title);
    fputs("\nset xlabel ", f);
    gp_string(f, p->xlabel);
    fputs("\nset ylabel ", f);
    gp_string(f, p->ylabel);
    /* margins around the data so that points on the border stay visible */
    fprintf(f, "\nset grid\nset key below\nset autoscale fix\nset offsets graph 0.03, graph 0.03, graph 0.05, "
            "graph 0.05\n%s%s", p->logx ? "set logscale x\nset format x '%g'\n" : "",
            p->logy ? "set logscale y\nset format y '%g'\n" : "");
    if (p->xtics > 0)
        fprintf(f, "set xtics %g\n", p->xtics);
    if (p->xtics_data)
        write_data_tics(f, p);
    for (t = 0; t < 2; t++) {
        fprintf(f, "set terminal %s\nset output '%s.%s.tmp'\n", terms[t][0], p->name, terms[t][1]);
        write_plot_command(f, p);
    }
    fputs("unset output\n", f);
    return ferror(f) ? -1 : 0;
}

/* Runs gnuplot on dir/<name>.gp from within dir (file names need no quoting); its
 * messages go to dir/<name>.log, shown only when it fails. */
static int run_gnuplot(const dnc_plot *p, const char *dir, const char *gnuplot, char *err, size_t errlen)
{
    char script[128], log[128];
    int status;
    pid_t pid;
    snprintf(script, sizeof(script), "%s.gp", p->name);
    snprintf(log, sizeof(log), "%s.log", p->name);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        if (chdir(dir) == 0 && freopen(log, "w", stderr) != NULL && freopen("/dev/null", "w", stdout) != NULL)
            execl(gnuplot, "gnuplot", script, (char *) NULL);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char path[4200], text[512] = "";
        FILE *f;
        snprintf(path, sizeof(path), "%s/%s", dir, log);
        if ((f = fopen(path, "r")) != NULL) {
            size_t n = fread(text, 1, sizeof(text) - 1, f);
            text[n] = '\0';
            fclose(f);
        }
        snprintf(err, errlen, "%s failed on %s/%s: %s", gnuplot, dir, script, text[0] ? text : "no message");
        return -1;
    }
    return 0;
}

/* Renames <name>.<ext>.tmp to <name>.<ext> for both formats, or removes the temporaries. */
static int publish(const dnc_plot *p, const char *dir, int ok, char *err, size_t errlen)
{
    static const char *const ext[2] = { "png", "svg" };
    char tmp[4200], path[4200];
    int i;
    for (i = 0; i < 2; i++) {
        snprintf(tmp, sizeof(tmp), "%s/%s.%s.tmp", dir, p->name, ext[i]);
        snprintf(path, sizeof(path), "%s/%s.%s", dir, p->name, ext[i]);
        if (!ok)
            unlink(tmp);
        else if (rename(tmp, path) != 0) {
            snprintf(err, errlen, "gnuplot did not write %s", tmp);
            ok = 0;
        }
    }
    snprintf(path, sizeof(path), "%s/%s.log", dir, p->name);
    if (ok)
        unlink(path);
    return ok ? 0 : -1;
}

int dnc_plot_render(const dnc_plot *p, const char *dir, const char *gnuplot, char *err, size_t errlen)
{
    char path[4200];
    slong i, any = 0;
    for (i = 0; i < p->nseries; i++)
        any += drawable(p, p->series + i);
    if (any == 0) {
        snprintf(err, errlen, "%s: no data to plot", p->name);
        return -1;
    }
    snprintf(path, sizeof(path), "%s/%s.gp", dir, p->name);
    if (dnc_write_atomic(path, script_writer, (void *) p, err, errlen) != 0)
        return -1;
    if (run_gnuplot(p, dir, gnuplot, err, errlen) != 0) {
        publish(p, dir, 0, err, errlen);
        return -1;
    }
    return publish(p, dir, 1, err, errlen);
}
