/* dncert/report.h -- tables of certified values for papers: `dncert report` (docs/report.md).
 *
 * A report reads certificates (docs/certificate-format.md, version 2), runs the independent
 * checker (dncert/verify.h) on each one as read and refuses any file it does not accept, and
 * writes one table (LaTeX with booktabs, Markdown or CSV) of the certified claims: intervals
 * rounded outward to decimals (dnc_decimal_set), exact decisions, orders, and "not proven"
 * where the certificate says so. Nothing in a table is computed from anything but the exact
 * numbers of a certificate that the checker accepted.
 */
#ifndef DNCERT_REPORT_H
#define DNCERT_REPORT_H

#include <stdio.h>
#include <jansson.h>
#include <flint/fmpq.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- outward decimal rounding of an exact interval ---- */

#define DNC_DEC_EXACT  0   /* lo = hi, and this decimal is the number itself */
#define DNC_DEC_DIGITS 1   /* the digits shared by every number of [lo, hi]; more follow */
#define DNC_DEC_RANGE  2   /* a decimal interval [lo', hi'] containing [lo, hi] */

typedef struct {
    int form;          /* DNC_DEC_EXACT, DNC_DEC_DIGITS or DNC_DEC_RANGE */
    int sci;           /* scientific notation: an end is lo x 10^elo with one digit before the point */
    int negative;      /* the interval is below 0 (the digits shown are those of hi) */
    char *lo, *hi;     /* the ends rounded outward: lo' <= lo, hi' >= hi (plain decimal mantissas) */
    slong elo, ehi;    /* their powers of ten when sci (else 0) */
} dnc_decimal;

/* Rounds [lo, hi] outward to decimals with at most `digits` (>= 1) significant digits.
 * The last digit shown is at the position q of the leading digit of hi - lo, or further left
 * when `digits` requires it; lo' = floor(lo) and hi' = ceil(hi) at that position, so that
 * lo' <= lo <= hi <= hi'. The form is
 *   EXACT  when lo = hi = lo' (a decimal of at most `digits` digits; trailing zeros removed);
 *   DIGITS when lo and hi truncate (toward zero) to the same digits at q and 0 is not inside
 *          (lo, hi): those digits are proven, and every number of [lo, hi] starts with them;
 *          they are lo' for a positive interval and hi' for a negative one (trailing zeros
 *          kept: they are proven);
 *   RANGE  otherwise: the value lies in [lo', hi'] (trailing zeros removed).
 * Scientific notation is used when the larger magnitude is below 10^-4 or has at least
 * `digits` digits before the point, and for DIGITS that end before the point. Never goes
 * through a double. Returns 0, or -1 when digits < 1 or lo > hi (d is then empty). */
int dnc_decimal_set(dnc_decimal *d, const fmpq_t lo, const fmpq_t hi, slong digits);

void dnc_decimal_clear(dnc_decimal *d);

/* The plain text of dnc_decimal_set: "0.0991798...", "-0.333333...", "0.5",
 * "[0.953, 0.961]", "1.23456...e8", "[9.99e-5, 1.001e-4]". Caller frees with flint_free;
 * NULL when digits < 1 or lo > hi. */
char *dnc_decimal_text(const fmpq_t lo, const fmpq_t hi, slong digits);

/* ---- reports ---- */

typedef enum { DNC_REPORT_LATEX, DNC_REPORT_MARKDOWN, DNC_REPORT_CSV } dnc_report_format;

/* wide: one row per certificate, one column per quantity; long: one row per claim. */
typedef enum { DNC_REPORT_WIDE, DNC_REPORT_LONG } dnc_report_layout;

/* Claim kinds, as bits of dnc_report_opts.kinds. */
#define DNC_REPORT_ALIVE            (1u << 0)
#define DNC_REPORT_ROOT             (1u << 1)
#define DNC_REPORT_VALUE            (1u << 2)
#define DNC_REPORT_LOSS             (1u << 3)
#define DNC_REPORT_RATIO            (1u << 4)
#define DNC_REPORT_ORDER            (1u << 5)
#define DNC_REPORT_DNC_NOT_OPTIMAL  (1u << 6)
#define DNC_REPORT_STATIONARITY     (1u << 7)
#define DNC_REPORT_STRUCTURE        (1u << 8)
#define DNC_REPORT_ALL_KINDS        0x1ffu
/* The default of the wide layout: what a paper's table of values shows. */
#define DNC_REPORT_WIDE_KINDS \
    (DNC_REPORT_ALIVE | DNC_REPORT_VALUE | DNC_REPORT_RATIO | DNC_REPORT_ORDER | DNC_REPORT_DNC_NOT_OPTIMAL)

typedef struct {
    dnc_report_format format;
    dnc_report_layout layout;
    slong digits;        /* at most this many significant digits per number (>= 1) */
    unsigned kinds;      /* DNC_REPORT_* bits: the claims shown */
    int standalone;      /* LaTeX: a whole document (article, booktabs), ready for pdflatex */
} dnc_report_opts;

/* Sets the defaults: LaTeX, wide, 6 digits, DNC_REPORT_WIDE_KINDS, a tabular only. */
void dnc_report_opts_init(dnc_report_opts *o);

/* The kinds of a comma-separated list of claim kinds ("value,ratio", or "all"). Returns 0,
 * or -1 with the unknown word in err. */
int dnc_report_parse_kinds(unsigned *kinds, const char *list, char *err, size_t errlen);

typedef struct dnc_report_s dnc_report;

dnc_report *dnc_report_new(void);
void dnc_report_free(dnc_report *r);

/* Verifies `cert` with the independent checker (dncv_verify_json, at the certificate's own
 * precision) and adds a copy of it as a row (or rows) named `name`. Returns 0; 1 when the
 * checker rejects the file or a recomputed verdict differs from the written one (err: the
 * checker's reason, or the claims that mismatch); -1 out of memory. */
int dnc_report_add_json(dnc_report *r, const json_t *cert, const char *name, char *err, size_t errlen);

/* Reads `path` once (at most 64 MiB and 2^22 JSON values, the limits of the format, checked
 * before parsing; duplicate keys are errors) and adds it as dnc_report_add_json does.
 * Returns 0; 1 rejected by the checker; 2 unreadable or not JSON; -1 out of memory; err
 * names the file. */
int dnc_report_add_file(dnc_report *r, const char *path, char *err, size_t errlen);

/* Number of certificates added. */
slong dnc_report_count(const dnc_report *r);

/* Writes the table. Returns 0, or -1 when writing fails. */
int dnc_report_write(FILE *f, const dnc_report *r, const dnc_report_opts *o);

#ifdef __cplusplus
}
#endif
#endif
