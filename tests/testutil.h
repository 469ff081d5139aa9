/* Helpers shared by the Criterion tests. */
#ifndef DNCERT_TESTUTIL_H
#define DNCERT_TESTUTIL_H

#include <stddef.h>
#include <jansson.h>
#include <arb.h>
#include "dncert/problem.h"
#include "dncert/dobj.h"

/* Runs DNCERT_BIN with the given arguments (NULL-terminated), capturing stdout and
 * stderr (each truncated to cap bytes, NUL-terminated). Returns the exit code, or -1. */
int tu_run(char *out, char *err, size_t cap, const char *const *args);

/* Saves theta (expanded layout) as the run directory DIR/run, its path into run (what
 * `dncert train --out` writes). */
void tu_save_run(char *run, size_t len, const char *dir, dnc_problem_t p, const double *theta);

/* A trained point of p (free with free()): L-BFGS for `steps` updates from N(0, init_std^2)
 * with the given seed, the other options the trainer's defaults. */
double *tu_lbfgs_point(dnc_problem_t p, slong steps, double init_std, ulong seed);

/* tu_run of args (a closed-form command) with "--export dir" appended. */
int tu_run_export(char *out, char *err, size_t cap, const char *const *args, const char *dir);
/* The same for another executable (e.g. DNCERT_VERIFY_BIN). */
int tu_run_bin(const char *bin, char *out, char *err, size_t cap, const char *const *args);

/* A point of p (expanded; free with free()): every entry uniform in [-scale/2, scale/2) with
 * 53 random bits, from a fixed 64-bit linear congruential generator started at seed. */
double *tu_fixed_point(const dnc_problem_t p, unsigned long seed, double scale);

/* Random points of every kind the fast tier handles: K, n, L, widths, activations, bias,
 * lambda_H, lambda_W (ReLU, linear and mixed, with and without bias, imbalanced counts,
 * per-layer decays; rows 25 and 14 and N = 70 take every path of the checker's product). */
#define TU_FAST_KINDS 7
extern const char *const tu_fast_kinds[TU_FAST_KINDS][8];

/* The problem of kind c of tu_fast_kinds. */
void tu_fast_kind_problem(dnc_problem_t p, size_t c);

/* A random point of p (free with free()) from the generator state *st: 53-bit entries
 * uniform in [-s/2, s/2), s = 1 + seed; with seed % 3 == 2 about 3/8 of them exactly 0
 * (kinks) when zeros is set; with seed odd every column of a class equal to its first. */
double *tu_random_point(const dnc_problem_t p, unsigned long *st, unsigned long seed, int zeros);

/* Creates a fresh empty directory under /tmp and writes its path into buf. */
void tu_tmpdir(char *buf, size_t len);

/* Writes text into the file dir/name (created or truncated); fails the test when it cannot. */
void tu_write_file(const char *dir, const char *name, const char *text);

/* The number of entries of directory dir whose names do not start with a dot. */
int tu_entries(const char *dir);

/* Builds a problem from option strings (as on the command line); aborts the test on error. */
void tu_problem(dnc_problem_t p, const char *K, const char *n, const char *L, const char *width,
                const char *act, const char *bias, const char *lambda);

/* dnc_dobj_init_weighted for p's expanded point (N columns ordered by class, no weights) or,
 * with collapsed, its collapsed form (one column per class, weighted by its count n_k);
 * aborts the test on failure. The labels and weights are then o->label and o->w. */
void tu_dobj_init_columns(dnc_dobj_t o, dnc_problem_t p, int collapsed);

/* The same with separate weight decays of H1 and of the W_l (NULL: from lambda). */
void tu_problem_lambdas(dnc_problem_t p, const char *K, const char *n, const char *L, const char *width,
                        const char *act, const char *bias, const char *lambda, const char *lambda_h,
                        const char *lambda_w);

/* The number of claims of cert whose id starts with "probe" that the in-process checker
 * certifies (tests of the checker's rules add such claims to a certificate). */
int tu_probes_certified(const json_t *cert);

/* The claim with this id in a certificate; fails the test when there is none. */
json_t *tu_claim(const json_t *cert, const char *id);

/* A new string: head, n copies of unit, tail (free with free()). */
char *tu_repeat(const char *head, const char *unit, size_t n, const char *tail);

/* Verifies cert in memory (dncv_verify_json, name "NAME"): the report goes to *report
 * (malloc'ed, replacing and freeing what it held), a rejection's message to err. Returns the
 * checker's result. */
int tu_verify(const json_t *cert, const char *name, long prec, int flags, char **report, char *err, size_t errlen);

/* ref <- the decimal text mid (read at prec bits) widened by 10^-digits: a reference value
 * known to `digits` digits. Returns 0, or -1 when mid is not a number. */
int tu_ref_ball(arb_t ref, const char *mid, slong digits, slong prec);

/* 1 iff the radius of x is below 2^e. */
int tu_rad_below(const arb_t x, slong e);

#endif
