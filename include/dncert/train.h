/* dncert/train.h -- full-batch training of a DUFM in double precision.
 *
 * Optimisers (docs/trainer.md gives the exact update rules):
 *   gd        theta <- theta - lr * grad f(theta)                       (the papers' update)
 *   momentum  v <- mu v + grad f(theta);  theta <- theta - lr * v        (heavy ball, PyTorch form)
 *   lbfgs     limited-memory BFGS, `lbfgs_memory` pairs, Armijo backtracking from step 1
 *             (the first step is -lr * grad).
 * Weight decay is part of f, never applied separately. Same seed + same thread count
 * => bit-identical iterates. Nothing is allocated by dnc_trainer_step().
 */
#ifndef DNCERT_TRAIN_H
#define DNCERT_TRAIN_H

#include <stddef.h>
#include <jansson.h>
#include "dncert/dobj.h"
#include "dncert/metrics.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { DNC_OPT_GD = 0, DNC_OPT_MOMENTUM, DNC_OPT_LBFGS } dnc_optimizer_t;

typedef enum {
    DNC_STOP_NONE = 0,    /* still running */
    DNC_STOP_STEPS,       /* reached the step budget */
    DNC_STOP_GRAD_TOL,    /* gradient norm below grad_tol */
    DNC_STOP_STALLED,     /* lbfgs: no decrease possible at double precision */
    DNC_STOP_DIVERGED     /* loss or gradient not finite */
} dnc_stop_t;

/* init_std of the fan-in start (the default; docs/trainer.md, "Initialisation"). */
#define DNC_INIT_FAN_IN 0.0

/* buf <- "fan-in" or the deviation ("%g") of init_std, for messages; returns buf. */
const char *dnc_init_name(char *buf, size_t len, double init_std);

typedef struct dnc_train_opts_s {
    ulong seed;            /* default 1 */
    double init_std;       /* > 0: every parameter ~ N(0, init_std^2); DNC_INIT_FAN_IN
                              (default): each block N(0, 1/d), d its number of input rows */
    dnc_optimizer_t optimizer;  /* default gd */
    double lr;             /* default 0.5 */
    double momentum;       /* default 0.9 */
    slong steps;           /* default 10000 */
    double grad_tol;       /* default 0 (never) */
    slong lbfgs_memory;    /* default 10 */
    int threads;           /* dncert threads (OpenMP); OpenBLAS runs on one. Default 1 */
} dnc_train_opts;

void dnc_train_opts_default(dnc_train_opts *o);

/* The ranges of the options (the command line's too): init_std and lr in (0, MAX_SCALE],
 * momentum in [0, MAX_MOMENTUM], steps in [0, MAX_STEPS], grad_tol in [0, MAX_GRAD_TOL],
 * lbfgs_memory in [1, MAX_LBFGS_MEMORY], threads in [1, MAX_THREADS]. */
#define DNC_TRAIN_MAX_SCALE        1e6
#define DNC_TRAIN_MAX_MOMENTUM     0.999999
#define DNC_TRAIN_MAX_STEPS        (WORD(1) << 50)
#define DNC_TRAIN_MAX_GRAD_TOL     1e300
#define DNC_TRAIN_MAX_LBFGS_MEMORY 1000
#define DNC_TRAIN_MAX_THREADS      256

/* Returns 0 when every option of o lies in its range, else -1 with a message naming the
 * field as the struct does ("lr: must be a number in (0, 1e+06] (got -1)"). */
int dnc_train_opts_check(const dnc_train_opts *o, char *err, size_t errlen);

typedef struct {
    dnc_problem_struct *p;   /* borrowed */
    dnc_train_opts opts;
    dnc_dobj_t obj;
    slong n;                 /* number of parameters */
    double *theta, *grad;    /* current point and its gradient */
    double loss, fit, reg, grad_norm;
    slong step;              /* updates done */
    slong evals;             /* objective evaluations done */
    dnc_stop_t stop;
    /* optimiser state */
    double *vel;             /* momentum */
    double *s, *y, *rho, *alpha, *dir, *trial, *trial_grad;   /* lbfgs */
    slong hist_len, hist_head;
} dnc_trainer_struct;
typedef dnc_trainer_struct dnc_trainer_t[1];

/* Allocates everything, draws the initial point from the seed and evaluates it.
 * Returns 0, or -1 when memory is insufficient (nothing to clear then). */
int dnc_trainer_init(dnc_trainer_t t, dnc_problem_t p, const dnc_train_opts *o);

/* As dnc_trainer_init, but starts from the given point (length = parameter count). */
int dnc_trainer_init_point(dnc_trainer_t t, dnc_problem_t p, const dnc_train_opts *o, const double *theta);

void dnc_trainer_clear(dnc_trainer_t t);

/* One optimiser update followed by the evaluation of the new point. Returns t->stop
 * (DNC_STOP_NONE while training may continue). */
dnc_stop_t dnc_trainer_step(dnc_trainer_t t);

/* Human name of a stop reason / optimiser ("grad_tol", "lbfgs", ...). */
const char *dnc_stop_name(dnc_stop_t s);
const char *dnc_optimizer_name(dnc_optimizer_t o);

/* Reads the training options from their text, as on the command line: text(name, ctx)
 * is the value of option `name` or NULL for its default, for the names "optimizer",
 * "init-std", "lr", "momentum", "steps", "grad-tol" and "log-every" (the interval of the
 * records of dnc_train_run, default 100, into *log_every). o is set to the defaults first.
 * Returns 0, or -1 with "--name: must be ..." in err. */
int dnc_train_opts_from_text(dnc_train_opts *o, slong *log_every, const char *(*text)(const char *name, void *ctx),
                             void *ctx, char *err, size_t errlen);

/* ---- a whole run: `dncert train --out DIR` ---- */

typedef struct {
    slong log_every;       /* a record every log_every steps, and of the first and last (default 100) */
    double rank_tol;       /* relative singular-value cutoff of ranks and NC1 (default DNC_RANK_TOL_DEFAULT) */
    const char *out;       /* the run directory to write (docs/run-directory.md); NULL for none */
    int replace;           /* an existing out is replaced */
    /* called after every update (may be NULL): progress displays */
    void (*on_step)(const dnc_trainer_struct *t, void *ctx);
    /* called with each record (borrowed: a line of metrics.jsonl, docs/trainer.md), with or
     * without out; may be NULL. Records are made only when out or on_record is set. */
    void (*on_record)(const json_t *rec, void *ctx);
    void *ctx;
} dnc_train_run_opts;

void dnc_train_run_opts_default(dnc_train_run_opts *o);

/* Trains t (initialised by dnc_trainer_init*) until it stops, recording its state (step,
 * loss terms, gradient norm, layer metrics) at step 0, every log_every steps and at the last
 * step; then classifies the final point (cls) and makes the summary (*summary, released by
 * the caller with json_decref: the record with "class", "steps", "evaluations",
 * "ms_per_step", "status", "zero_point", "problem" and "run", the options). With o->out it
 * writes the run directory through dnc_run_writer_* (metrics.jsonl, summary.json, the
 * point): it appears complete or not at all. One run gives the same bits wherever it runs
 * (same problem, options and threads). Returns 0 when the run ended (for any reason: a
 * diverged run is an ended run, t->stop says how) and its directory is written; -1 with err
 * when the directory could not be created (nothing trained, *summary is NULL) or written
 * ("writing DIR failed: ..."; *summary is set). */
int dnc_train_run(dnc_trainer_t t, const dnc_train_run_opts *o, json_t **summary, dnc_classification *cls,
                  char *err, size_t errlen);

/* ---- starting deeper ---- */

/* A point of depth L + 1 with the same network output as theta (a point of p, expanded
 * layout): q (initialised) <- dnc_problem_deepen(p); *out (free with free()) <- theta with
 * the identity inserted as the new layer L (after the last hidden layer: its inputs are
 * >= 0 after a ReLU, so a ReLU after it changes nothing), then H1 and every W_l rescaled
 * by positive factors of product 1 that make every lambda ||.||^2 equal (the balance of
 * every critical point; the output is unchanged). This is how depth-L solutions seed
 * depth L + 1 (`train --init DIR --deepen`, docs/trainer.md). Returns 0, or -1 with err. */
int dnc_point_deepen(dnc_problem_t q, double **out, const dnc_problem_t p, const double *theta, char *err,
                     size_t errlen);

/* Fills x with n draws of N(0, std^2) from a generator seeded by seed (xoshiro256**
 * seeded by splitmix64; Gaussians by the Box-Muller transform). */
void dnc_randn(double *x, slong n, double std, ulong seed);

#ifdef __cplusplus
}
#endif
#endif
