/* dncert/plot.h -- figures as gnuplot scripts (docs/sweeps.md, "Figures").
 *
 * A figure is a list of data series (points, lines, or a constant line). One writer,
 * dnc_plot_render, emits a gnuplot script with the data inline and runs gnuplot on it to
 * draw the figure as PNG, SVG and (when gnuplot has the pdfcairo terminal) PDF. Every
 * series takes its look -- colour, marker, dash pattern, line width -- from one palette,
 * dnc_palette, so that a structure (DNC, SRG, STS, low-rank, zero, dead classes) has the
 * same colour and marker in every figure. The colours are those of Okabe & Ito, chosen to
 * stay distinct under the common forms of colour blindness; the dash patterns and markers
 * keep the series apart in grey print as well.
 *
 * Files are never replaced silently: without `force` an existing output is refused, and
 * every file appears under its name only when complete (written under a temporary name,
 * then linked or renamed into place).
 */
#ifndef DNCERT_PLOT_H
#define DNCERT_PLOT_H

#include <stddef.h>
#include <flint/flint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the palette ---- */

typedef enum {
    /* structures and solution classes: the same look in every figure that shows them */
    DNC_LOOK_DNC, DNC_LOOK_SRG, DNC_LOOK_STS, DNC_LOOK_LOW_RANK, DNC_LOOK_ZERO, DNC_LOOK_DEAD,
    DNC_LOOK_OTHER,          /* diverged or unclassified runs */
    DNC_LOOK_FULL_RANK,      /* rank K at every layer: DNC, or a run still approaching it */
    /* quantities of figures without structures */
    DNC_LOOK_LOSS, DNC_LOOK_FIT, DNC_LOOK_REG, DNC_LOOK_GRAD_NORM,
    DNC_LOOK_MEAN,           /* a mean over seeds */
    DNC_LOOK_MEAN_LAST,      /* a second mean over seeds (the last layer) */
    DNC_LOOK_CUTOFF,         /* the rank cutoff of the singular values */
    DNC_LOOK_SEQUENCE,       /* the i-th of n ordered series: colours along viridis (dnc_plot_shade) */
    DNC_NLOOKS
} dnc_look_t;

typedef struct {
    const char *key;         /* the class or structure it stands for: "dnc", "low-rank", ... */
    const char *label;       /* its name in legends: "DNC", "low-rank", ... */
    const char *rgb;         /* colour, "#0072B2" */
    int point;               /* gnuplot point type (cairo and svg terminals) */
    double size;             /* point size */
    const char *dash;        /* gnuplot dash type: "1" (solid) or a pattern "(12,6)" */
    double width;            /* line width */
} dnc_look;

/* The table: entry i is the look of dnc_look_t i. In a script it is written as
 * "set style line i+1 ..." (one block, the same in every script), and a series of look i
 * is drawn with "ls i+1". */
extern const dnc_look dnc_palette[DNC_NLOOKS];

/* The look of a solution class of results.csv or a reference structure: "dnc"; "srg" and
 * "srg-embedded"; "sts"; "low-rank"; "zero"; "dead-classes" (also "dead"); anything else
 * (unclassified, diverged, unknown) DNC_LOOK_OTHER. */
dnc_look_t dnc_look_of(const char *name);

/* The colour "#rrggbb" of the i-th of n ordered series (DNC_LOOK_SEQUENCE): viridis from
 * dark violet (i = 0) to green (i = n - 1), stopping short of its pale yellow end. buf
 * holds at least 8 characters. */
void dnc_plot_shade(char *buf, slong i, slong n);

/* ---- certified values in legends ---- */

/* The certified value f* with lo <= f* <= hi (exact decimal strings, as in references.jsonl)
 * rounded to the nearest decimal of `digits` significant digits (ties away from zero), as
 * text: "0.09918", "0.1000", "1.235e-07". The rounding is proven correct: lo and hi round to
 * the same decimal; when they do not (f* is too close to a rounding boundary), more digits
 * are used, up to 30. Returns 0, or -1 when lo or hi is not a decimal, lo > hi, digits is
 * not in 1..30, or no agreeing rounding was found (buf is then ""). */
int dnc_plot_round_certified(char *buf, size_t len, const char *lo, const char *hi, slong digits);

/* ---- figures ---- */

typedef enum { DNC_PLOT_POINTS, DNC_PLOT_LINES, DNC_PLOT_LINESPOINTS, DNC_PLOT_HLINE } dnc_plot_style;

typedef struct {
    char title[128];         /* legend entry; "" for none */
    dnc_plot_style style;
    dnc_look_t look;
    char rgb[8];             /* DNC_LOOK_SEQUENCE: the colour (dnc_plot_shade) */
    double *x, *y;           /* HLINE: y[0] is the constant */
    slong n, alloc;
} dnc_plot_series;

typedef struct {
    char name[256];          /* output files <name>.png, .svg, .pdf and the script <name>.gp */
    char title[256], xlabel[160], ylabel[96];   /* UTF-8 */
    int logx, logy;
    double xtics;            /* distance of the x tics; 0 = gnuplot's choice */
    double *xtic;            /* tics at these values instead (dnc_plot_xtic), when 1..20 distinct */
    slong nxtic;
    dnc_plot_series *series; /* drawn in this order (later ones on top) and listed so in the key */
    slong nseries;
} dnc_plot;

/* A figure without series, linear axes; dnc_plot_clear frees its series. */
void dnc_plot_init(dnc_plot *p, const char *name, const char *title, const char *xlabel, const char *ylabel);
void dnc_plot_clear(dnc_plot *p);

/* Adds a series (valid until the next dnc_plot_add_series) and a point to it. */
dnc_plot_series *dnc_plot_add_series(dnc_plot *p, const char *title, dnc_plot_style style, dnc_look_t look);
void dnc_plot_point(dnc_plot_series *s, double x, double y);

/* Adds a tic of the x axis at x (duplicates are dropped when writing). */
void dnc_plot_xtic(dnc_plot *p, double x);

/* The gnuplot executable: $DNCERT_GNUPLOT if set, else gnuplot on PATH, else
 * /usr/bin/gnuplot; NULL with an explanation in err when none is executable. */
const char *dnc_plot_gnuplot(char *err, size_t errlen);

/* Outputs of a figure, as bits of dnc_plot_render's *written. */
#define DNC_PLOT_PNG 1u
#define DNC_PLOT_SVG 2u
#define DNC_PLOT_PDF 4u
#define DNC_PLOT_GP  8u

/* Where and how figures are drawn. */
typedef struct {
    const char *dir;         /* directory of the files (made when missing) */
    const char *gnuplot;     /* the executable (dnc_plot_gnuplot) */
    int force;               /* replace existing files; else an existing output is refused */
} dnc_plot_dest;

/* What *written says, for messages: "PNG, SVG and PDF", or "PNG and SVG (no PDF: this
 * gnuplot has no pdfcairo terminal)". */
const char *dnc_plot_written_text(unsigned written);

/* 1 with the path of the first of dir/<name>.{png,svg,pdf,gp} that exists, else 0. */
int dnc_plot_existing(char *path, size_t len, const char *dir, const char *name);

/* Writes the script dir/<name>.gp (palette and data inline; `gnuplot <name>.gp` redraws
 * the figure) and runs gnuplot on it, producing dir/<name>.png, .svg and .pdf (the PDF
 * only when gnuplot has the pdfcairo terminal). Points with a NaN coordinate, or a
 * non-positive one on a log axis, are left out. *written receives the DNC_PLOT_* bits of
 * the files written. Returns 0; -2 when an output exists and d->force is 0 (err names it,
 * nothing written); -1 when drawing failed (no data, gnuplot, I/O; nothing written). */
int dnc_plot_render(const dnc_plot *p, const dnc_plot_dest *d, unsigned *written, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
