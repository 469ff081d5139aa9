/* Figures as gnuplot scripts written from data columns: one writer for every plot. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/stat.h>
#include "dncert/io.h"
#include "dncert/plot.h"
#include "dncert/problem.h"
#include "dncert/version.h"

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
    flint_free(p->xtic);
    memset(p, 0, sizeof(*p));
}

void dnc_plot_xtic(dnc_plot *p, double x)
{
    p->xtic = flint_realloc(p->xtic, (p->nxtic + 1) * sizeof(double));
    p->xtic[p->nxtic++] = x;
}

dnc_plot_series *dnc_plot_add_series(dnc_plot *p, const char *title, dnc_plot_style style, dnc_look_t look)
{
    dnc_plot_series *s;
    p->series = flint_realloc(p->series, (p->nseries + 1) * sizeof(dnc_plot_series));
    s = p->series + p->nseries++;
    memset(s, 0, sizeof(*s));
    snprintf(s->title, sizeof(s->title), "%s", title);
    s->style = style;
    s->look = look;
    snprintf(s->rgb, sizeof(s->rgb), "%s", dnc_palette[look].rgb);
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

/* 1 if the series has a point to draw (gnuplot stops at an empty data block). */
static int drawable(const dnc_plot *p, const dnc_plot_series *s)
{
    slong j;
    for (j = 0; j < s->n; j++)
        if (s->style == DNC_PLOT_HLINE ? plottable(p, 1.0, s->y[j]) : plottable(p, s->x[j], s->y[j]))
            return 1;
    return 0;
}

/* The palette as gnuplot line styles: look i is "ls i+1", in every script alike. */
static void write_palette(FILE *f)
{
    int i;
    fputs("# the palette of dncert (src/sweep/palette.c): one look per structure and quantity, the same in\n"
          "# every figure; a series of look i is drawn with 'ls i'\n", f);
    for (i = 0; i < DNC_NLOOKS; i++) {
        const dnc_look *k = dnc_palette + i;
        fprintf(f, "set style line %d lc rgb '%s' lw %g dt %s pt %d ps %g   # %s\n", i + 1, k->rgb, k->width,
                k->dash, k->point, k->size, k->key);
    }
}

static void write_data(FILE *f, const dnc_plot *p)
{
    slong i, j;
    for (i = 0; i < p->nseries; i++) {
        const dnc_plot_series *s = p->series + i;
        if (s->style == DNC_PLOT_HLINE || !drawable(p, s))
            continue;
        fprintf(f, "$d%ld << EOD\n", (long) i);
        for (j = 0; j < s->n; j++)
            if (plottable(p, s->x[j], s->y[j]))
                fprintf(f, "%.17g %.17g\n", s->x[j], s->y[j]);
        fprintf(f, "EOD\n");
    }
}

static void write_series(FILE *f, const dnc_plot_series *s, slong i)
{
    static const char *const with[] = { "points", "lines", "linespoints", "lines" };
    if (s->style == DNC_PLOT_HLINE)
        fprintf(f, "%.17g", s->y[0]);
    else
        fprintf(f, "$d%ld using 1:2", (long) i);
    fprintf(f, " with %s ", with[s->style]);
    if (s->look == DNC_LOOK_SEQUENCE)
        fprintf(f, "lc rgb '%s' lw %g dt %s ", s->rgb, dnc_palette[s->look].width, dnc_palette[s->look].dash);
    else
        fprintf(f, "ls %d ", (int) s->look + 1);
    if (s->title[0]) {
        fputs("title ", f);
        gp_string(f, s->title);
    } else
        fputs("notitle", f);
}

static void write_plot_command(FILE *f, const dnc_plot *p)
{
    slong i;
    int drawn = 0;
    for (i = 0; i < p->nseries; i++)
        if (drawable(p, p->series + i)) {
            fputs(drawn++ ? ", \\\n     " : "plot ", f);
            write_series(f, p->series + i, i);
        }
    fputc('\n', f);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

/* The width of a character of a tic label, as a fraction of the width of the x axis
 * (DejaVu Sans 12 on the 960 pixels of the PNG; the PDF and SVG scale alike). */
#define TIC_CHAR 0.0095

static double tic_pos(const dnc_plot *p, double x)
{
    return p->logx ? log10(x) : x;
}

/* "set xtics (a, b, ...)" with the distinct tics of the figure, when there are 1 to 20. */
static void write_tics(FILE *f, const dnc_plot *p)
{
    double *v = flint_malloc((p->nxtic + 1) * sizeof(double));
    slong i, k = 0;
    if (p->xtics > 0)
        fprintf(f, "set xtics %g\n", p->xtics);
    if (p->nxtic > 0)   /* memcpy from NULL is undefined even for 0 bytes */
        memcpy(v, p->xtic, p->nxtic * sizeof(double));
    qsort(v, p->nxtic, sizeof(double), cmp_double);
    for (i = 0; i < p->nxtic; i++)
        if (plottable(p, v[i], 1.0) && (k == 0 || v[i] != v[k - 1]))
            v[k++] = v[i];
    if (k > 0 && k <= 20) {
        double last = 0.0, range = tic_pos(p, v[k - 1]) - tic_pos(p, v[0]);
        char label[32];
        fputs("set xtics (", f);
        for (i = 0; i < k; i++) {
            /* a label only where it does not run into the previous one (0.006, 0.007 and
             * 0.008 on a log axis): the others are tics without a label */
            snprintf(label, sizeof(label), "%g", v[i]);
            if (i > 0 && range > 0 && (tic_pos(p, v[i]) - last) / range < TIC_CHAR * (double) (strlen(label) + 1))
                label[0] = '\0';
            else
                last = tic_pos(p, v[i]);
            fprintf(f, "%s'%s' %.17g", i ? ", " : "", label, v[i]);
        }
        fputs(")\n", f);
    }
    flint_free(v);
}

static void write_settings(FILE *f, const dnc_plot *p)
{
    fputs("set title ", f);
    gp_string(f, p->title);
    fputs("\nset xlabel ", f);
    gp_string(f, p->xlabel);
    fputs("\nset ylabel ", f);
    gp_string(f, p->ylabel);
    /* margins around the data so that points on the border stay visible */
    fprintf(f, "\nset grid lc rgb '#dddddd' lt 1 dt 1\nset border lc rgb '#555555'\nset key below center horizontal Left reverse height 1\nset autoscale fix\n"
            "set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05\n%s%s",
            p->logx ? "set logscale x\nset format x '%g'\n" : "", p->logy ? "set logscale y\nset format y '%g'\n" : "");
    write_tics(f, p);
}

/* The script: its own output name `out` (dnc_plot_render sets a temporary one) and `pdf`
 * (default: whether this gnuplot has pdfcairo) can be given with -e. PNG first, then the
 * same plot again (replot) as SVG and PDF. */
static int script_writer(FILE *f, void *ctx)
{
    const dnc_plot *p = ctx;
    fprintf(f, "# written by dncert %s; 'gnuplot %s.gp' draws %s.png, .svg and .pdf (data inline)\n",
            DNCERT_VERSION_STRING, p->name, p->name);
    fputs("if (!exists('out')) out = ", f);
    gp_string(f, p->name);
    fputs("\nif (!exists('pdf')) pdf = strstrt(GPVAL_TERMINALS, 'pdfcairo') > 0\nset encoding utf8\n", f);
    write_palette(f);
    write_data(f, p);
    write_settings(f, p);
    fputs("set terminal pngcairo size 960,640 noenhanced font 'DejaVu Sans,12'\nset output out.'.png'\n", f);
    write_plot_command(f, p);
    fputs("set terminal svg size 960,640 noenhanced dynamic font 'DejaVu Sans,12'\nset output out.'.svg'\n"
          "replot\n"
          "if (pdf) {\n"
          "    set terminal pdfcairo size 6.4in,4.27in noenhanced font 'DejaVu Sans,9' pointscale 0.6\n"
          "    set output out.'.pdf'\n"
          "    replot\n"
          "}\n"
          "unset output\n", f);
    return ferror(f) ? -1 : 0;
}

static const char *const extension[4] = { "png", "svg", "pdf", "gp" };

const char *dnc_plot_written_text(unsigned written)
{
    return written & DNC_PLOT_PDF ? "PNG, SVG and PDF" : "PNG and SVG (no PDF: this gnuplot has no pdfcairo terminal)";
}

int dnc_plot_existing(char *path, size_t len, const char *dir, const char *name)
{
    int i;
    for (i = 0; i < 4; i++) {
        snprintf(path, len, "%s/%s.%s", dir, name, extension[i]);
        if (dnc_path_exists(path))
            return 1;
    }
    return 0;
}

/* Writes the script to a new temporary file dir/<name>.tmp.XXXXXX (tmp receives its path). */
static int write_script(char *tmp, size_t len, const dnc_plot *p, const char *dir, char *err, size_t errlen)
{
    FILE *f;
    mode_t mask = umask(0);
    int fd, status;
    umask(mask);
    snprintf(tmp, len, "%s/%s.tmp.XXXXXX", dir, p->name);
    if ((fd = mkstemp(tmp)) < 0)
        return dnc_fail(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
    fchmod(fd, 0666 & ~mask);         /* mkstemp makes it 0600 */
    if ((f = fdopen(fd, "w")) == NULL) {
        close(fd);
        unlink(tmp);
        return dnc_fail(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    }
    status = script_writer(f, (void *) p);
    if (fclose(f) != 0 || status != 0) {
        unlink(tmp);
        return dnc_fail(err, errlen, "cannot write %s", tmp);
    }
    return 0;
}

/* Runs gnuplot on the script `tmp` from within dir (so that the outputs land there) with
 * out set to the script's own name; its messages go to <tmp>.log, shown when it fails. */
static int run_gnuplot(const char *tmp, const char *dir, const char *gnuplot, char *err, size_t errlen)
{
    const char *base = strrchr(tmp, '/') + 1, *c;
    char assign[1100] = "out='", log[4300], text[512] = "";
    size_t n = strlen(assign);
    int status;
    pid_t pid;
    FILE *f;
    for (c = base; *c && n + 4 < sizeof(assign); c++) {   /* a gnuplot string: quotes doubled */
        if (*c == '\'')
            assign[n++] = '\'';
        assign[n++] = *c;
    }
    snprintf(assign + n, sizeof(assign) - n, "'");
    snprintf(log, sizeof(log), "%s.log", tmp);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        if (chdir(dir) == 0 && freopen(strrchr(log, '/') + 1, "w", stderr) != NULL
            && freopen("/dev/null", "w", stdout) != NULL)
            execl(gnuplot, "gnuplot", "-e", assign, base, (char *) NULL);
        _exit(127);
    }
    if (pid >= 0 && waitpid(pid, &status, 0) >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        unlink(log);
        return 0;
    }
    if ((f = fopen(log, "r")) != NULL) {
        text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
        fclose(f);
    }
    unlink(log);
    return dnc_fail(err, errlen, "%s failed on %s/%s.gp: %s", gnuplot, dir, base, text[0] ? text : "no message");
}

/* Moves from to `to`: without force only when `to` does not exist (a hard link, so that a
 * file made in between is not replaced; rename where the file system has no links). */
static int place(const char *from, const char *to, int force, char *err, size_t errlen)
{
    if (!force && link(from, to) == 0)
        return unlink(from), 0;
    if (!force && (errno == EEXIST || dnc_path_exists(to)))
        return dnc_fail(err, errlen, "'%s' already exists (use --force to replace it)", to), -2;
    if (rename(from, to) != 0)
        return dnc_fail(err, errlen, "cannot rename %s to %s: %s", from, to, strerror(errno));
    return 0;
}

/* Moves the outputs of the script `tmp` to dir/<name>.*: png, svg and pdf (when gnuplot
 * wrote them; the PDF is optional), then the script itself. On failure every temporary is
 * removed. */
static int publish(const char *tmp, const dnc_plot *p, const dnc_plot_dest *d, unsigned *written, char *err,
                   size_t errlen)
{
    char from[4300], to[4300];
    int i, status = 0;
    for (i = 0; i < 4; i++) {
        if (i < 3)
            snprintf(from, sizeof(from), "%s.%s", tmp, extension[i]);
        else
            snprintf(from, sizeof(from), "%s", tmp);
        snprintf(to, sizeof(to), "%s/%s.%s", d->dir, p->name, extension[i]);
        if (status != 0 || (i == 2 && !dnc_path_exists(from))) {
            unlink(from);
            if (i == 2 && status == 0 && d->force)
                unlink(to);             /* no stale PDF beside a new PNG */
            continue;
        }
        if (!dnc_path_exists(from))
            status = dnc_fail(err, errlen, "gnuplot did not write %s", from);
        else if ((status = place(from, to, d->force, err, errlen)) == 0)
            *written |= 1u << i;
        if (status != 0)
            unlink(from);
    }
    return status;
}

int dnc_plot_render(const dnc_plot *p, const dnc_plot_dest *d, unsigned *written, char *err, size_t errlen)
{
    char tmp[4200], path[4300];
    slong i, any = 0;
    *written = 0;
    for (i = 0; i < p->nseries; i++)
        any += drawable(p, p->series + i);
    if (any == 0)
        return dnc_fail(err, errlen, "%s: no data to plot", p->name);
    if (!d->force && dnc_plot_existing(path, sizeof(path), d->dir, p->name))
        return dnc_fail(err, errlen, "'%s' already exists (use --force to replace it)", path), -2;
    if (dnc_mkdir_p(d->dir, err, errlen) != 0 || write_script(tmp, sizeof(tmp), p, d->dir, err, errlen) != 0)
        return -1;
    if (run_gnuplot(tmp, d->dir, d->gnuplot, err, errlen) != 0) {
        for (i = 0; i < 3; i++) {
            snprintf(path, sizeof(path), "%s.%s", tmp, extension[i]);
            unlink(path);
        }
        unlink(tmp);
        return -1;
    }
    return publish(tmp, p, d, written, err, errlen);
}
