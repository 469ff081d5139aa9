/* Internals of the certificate checker (src/verify/). Nothing here is shared with the
 * producer: the checker follows docs/certificate-format.md and nothing else. */
#ifndef DNCERT_VERIFY_PRIV_H
#define DNCERT_VERIFY_PRIV_H

#include <jansson.h>
#include <flint/fmpq.h>
#include <flint/fmpz_poly.h>
#include <flint/fmpq_mat.h>
#include "dncert/exact.h"

#define VPATH 256   /* a JSON path such as "points.dnc.blocks.W2.terms[0].entries[17]" */

typedef struct vpoint_struct vpoint;

/* What every check needs: the problem, the points, the precision, the error sink. */
typedef struct {
    char *err;
    size_t errlen;
    slong prec;
    slong file_prec;        /* the file's "precision" (prec may be raised above it) */
    dnc_problem_t p;
    vpoint *pts;
    slong npts;
    fmpq_t scratch;   /* for validating rational strings */
} vctx;

/* ---- strict JSON (vjson.c); functions returning int give 0, or -1 after an error
 * message "PATH: why" ---- */
int vj_fail(vctx *c, const char *fmt, ...);
const char *vj_pathf(char *buf, const char *fmt, ...);   /* printf into VPATH bytes */
/* o is an object with exactly the fields of `schema` (and any "note"): space-separated
 * "name:T", T = s string, i integer, o object, a array, S string or null, r rational
 * string, I interval {lo, hi, decimal?} with lo <= hi; a trailing '?' = optional. */
int vj_schema(vctx *c, const json_t *o, const char *path, const char *schema);
/* o's validated "lo" and "hi" into lo, hi (NULL: only check lo <= hi). */
/* Rationals are passed as fmpq * rather than fmpq_t: GCC 12 misreads the array typedef
 * as a parameter bound and warns falsely (-Wstringop-overflow) on struct members. */
int vj_lohi(vctx *c, const json_t *o, const char *path, fmpq *lo, fmpq *hi);
const char *vj_s(const json_t *o, const char *key);        /* a validated string field */
void vj_q(fmpq_t q, const json_t *o, const char *key);     /* a validated rational field */
int vj_range(vctx *c, const json_t *o, const char *path, const char *key, slong lo, slong hi, slong *x);
/* An integer polynomial: array of decimal integer strings, constant term first. */
int vj_poly(vctx *c, const json_t *a, const char *path, fmpz_poly_t p);

/* ---- algebraic numbers and rules (valg.c) ---- */
void va_ball(arb_t r, const fmpq *lo, const fmpq *hi, slong prec);   /* ball containing [lo, hi] */
/* 1 iff p, lo, hi isolate a root (format §7.1); 0 = not proven. */
int va_isolates(const fmpz_poly_t p, const fmpq *lo, const fmpq *hi, slong prec);
/* Ball containing the isolated root, by exact bisection (format §7.2). */
void va_enclose(arb_t r, const fmpz_poly_t p, const fmpq *lo, const fmpq *hi, slong prec);
/* Reads a rule (format §8) and sets its constant Q. Returns -1 when malformed, 0 when the
 * rule does not apply (imbalanced counts), 1 when Q is set. */
int va_rule(vctx *c, const json_t *rule, const char *path, fmpq_t Q);
/* 1 iff p is a non-zero rational multiple of den(Q)(1-c)^{L+1} c^{L-1} - num(Q). */
int va_is_rule_poly(const fmpz_poly_t p, const fmpq_t Q, slong L);
/* T_L = (L-1)^{L-1} / L^{2L} (0^0 = 1, so T_1 = 1). */
void va_alive_threshold(fmpq_t T, slong L);

/* ---- points (vpoint.c) ---- */
typedef struct {
    const char *name;          /* borrowed from the JSON document */
    int algebraic;
    int ok;                    /* a ball, or an algebraic number whose isolation succeeds */
    fmpz_poly_t poly;          /* algebraic only */
    fmpq_t lo, hi;
    arb_t val;                 /* ball containing the scalar (indeterminate when !ok) */
} vscalar;

struct vpoint_struct {
    const char *name;
    int collapsed;
    const char *invalid;       /* a scalar whose isolation fails (format §5), or NULL */
    int pattern_ok;            /* every block is one term with a positive scale (§6.7) */
    slong ns;
    vscalar *s;
    dnc_bpoint_t box;          /* the point's box in ball arithmetic */
    fmpq_mat_struct *pat;      /* L + 2 exact patterns: H1, W_1..W_L, b */
    int evaluated;
    dnc_beval_t ev;            /* loss and Clarke gradient enclosure of the box */
};

/* Reads points.NAME into P; vpoint_clear it afterwards even on failure. */
int vpoint_read(vctx *c, vpoint *P, const char *name, const json_t *o);
void vpoint_clear(vpoint *P, slong L);
/* Loss and gradient enclosures of the box (computed once). */
const dnc_beval_struct *vpoint_eval(vctx *c, vpoint *P);
/* The scalar named by the string o[key]; NULL after a "no scalar named" error. */
vscalar *vpoint_scalar(vctx *c, vpoint *P, const json_t *o, const char *path, const char *key);
/* Block b of a point (0 = H1, 1..L = W_b, L+1 = b) and its name. */

#endif
