/* dncert/sweep.h -- sweeps of many trainings over a grid, their results table, the
 * certified reference values of every problem of the grid, and its figures
 * (docs/sweeps.md).
 *
 * A sweep is a grid K x L x width x lambda x seed (nested in that order, seed innermost:
 * the canonical order of the runs) with fixed problem options (n, activation, bias) and
 * training options as `dncert train` takes them. Every run has an id that encodes its grid
 * point and names its directory DIR/runs/<id>. A shard I/N is the runs whose canonical
 * index i (0-based) has i mod N = I - 1, so the N shards are disjoint and cover the grid.
 *
 * Functions returning int return 0 on success and -1 with a message in err; messages
 * about the grid name the command-line option ("--width: ...").
 */
#ifndef DNCERT_SWEEP_H
#define DNCERT_SWEEP_H

#include <stddef.h>
#include <jansson.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include "dncert/problem.h"
#include "dncert/plot.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNC_SWEEP_FORMAT   "dncert-sweep"
#define DNC_SWEEP_VERSION  1           /* the version of sweep.json written */
#define DNC_SWEEP_VERSION_MIN 1        /* the oldest read (and that of a file without one) */
#define DNC_SWEEP_FILE     "sweep.json"
#define DNC_SWEEP_MAX_RUNS 100000      /* runs per grid */
#define DNC_SWEEP_LAMBDA_LEN 48        /* longest canonical weight decay text */
#define DNC_SWEEP_ID_LEN   160

/* ---- the grid ---- */

/* The training options of a sweep, as `dncert train` takes them (names without "--"; read by
 * dnc_train_opts_from_text). */
#define DNC_SWEEP_NTRAIN 7
extern const char *const dnc_sweep_train_names[DNC_SWEEP_NTRAIN];

/* The textual form of a sweep: one string per option, NULL = default. Axes are lists of
 * values and ranges: "10", "10,20,30", "1-10", "10-100:10" (integers); "0.004,1/500"
 * (weight decays, exact rationals). */
typedef struct {
    const char *K, *L, *width, *lambda, *seeds;  /* grid axes (defaults 2, 3, 10, 0.004, 1) */
    const char *n, *activation, *bias, *loss;    /* fixed problem options (defaults 5, relu, none, mse) */
    const char *train[DNC_SWEEP_NTRAIN];         /* values of dnc_sweep_train_names */
    const char *shard;                           /* "I/N", default "1/1" */
} dnc_sweep_args;

typedef struct {
    slong *K, nK, *L, nL, *width, nwidth, *seed, nseed;
    char (*lambda)[DNC_SWEEP_LAMBDA_LEN];   /* canonical exact text (dnc_sweep_lambda_text) */
    slong nlambda;
    slong n;
    char activation[8], bias[8], loss[4];   /* loss: "mse" or "ce" */
    char *train[DNC_SWEEP_NTRAIN];          /* NULL = train's default */
    slong shard, nshards;                   /* this invocation runs shard I = shard of N = nshards */
} dnc_sweep_spec;

typedef struct {
    char id[DNC_SWEEP_ID_LEN];   /* e.g. "K10-L4-w30-lambda0.004-s3" */
    slong index;                 /* position in the whole grid, canonical order */
    slong K, L, width, seed;
    char lambda[DNC_SWEEP_LAMBDA_LEN];
} dnc_sweep_run;

/* Parses and validates a (every grid point goes through dnc_problem_set_args, so a sweep
 * accepts exactly the problems train accepts). s is initialised by the call in every case. */
int dnc_sweep_spec_set(dnc_sweep_spec *s, const dnc_sweep_args *a, char *err, size_t errlen);
void dnc_sweep_spec_clear(dnc_sweep_spec *s);

/* The canonical option strings of s as a JSON object {"K": "10", "width": "10,20,30",
 * "lambda": "0.004,1/3", "seeds": "1,2,3", ..., "shard": "1/2"} (lists expanded, weight
 * decays canonical, training options as given, absent when not given). It is what
 * DIR/sweep.json stores and what dnc_sweep_spec_from_json reads back. */
json_t *dnc_sweep_spec_to_json(const dnc_sweep_spec *s);
int dnc_sweep_spec_from_json(dnc_sweep_spec *s, const json_t *options, char *err, size_t errlen);

/* ---- the sweep file: DIR/sweep.json (docs/sweeps.md) ---- */

typedef struct {
    dnc_sweep_spec spec;       /* the options (shard 1/1 in a merged table) */
    slong runs;                /* runs of the whole grid */
    long version;              /* the version read (DNC_SWEEP_VERSION_MIN when the file has none) */
    int merged;                /* written by dncert sweep-merge */
    char **merged_from;        /* the shard directories it was merged from */
    slong nmerged;
    char dncert_version[64];   /* the dncert that wrote it; "" when not recorded */
} dnc_sweep_file;

/* Writes dir/sweep.json atomically, version DNC_SWEEP_VERSION: "format", "version",
 * "options" (dnc_sweep_spec_to_json), "runs", "dncert_version", and with merged_from
 * (nmerged directories, may be 0) "merged": true and "merged_from". Returns 0 or -1 with err. */
int dnc_sweep_file_write(const char *dir, const dnc_sweep_spec *s, const char *const *merged_from, slong nmerged,
                         char *err, size_t errlen);

/* Reads dir/sweep.json into f (cleared with dnc_sweep_file_clear; also when the call fails).
 * "format" must be DNC_SWEEP_FORMAT when present; "version" is an integer from
 * DNC_SWEEP_VERSION_MIN to DNC_SWEEP_VERSION, DNC_SWEEP_VERSION_MIN when absent (a newer
 * one is refused: "version 2 is newer than this dncert reads (1 to 1): update dncert");
 * "options" is required and must describe a valid sweep (dnc_sweep_spec_from_json);
 * "runs", "merged" (default false; a merged table has shard 1/1), "merged_from" and
 * "dncert_version" are optional and checked when present; other fields are ignored.
 * Returns 0, or -1 with err starting with the file's path. */
int dnc_sweep_file_read(dnc_sweep_file *f, const char *dir, char *err, size_t errlen);
void dnc_sweep_file_clear(dnc_sweep_file *f);

/* The first option in which a and b differ (its name, without "--"), or NULL when they
 * describe the same sweep; with ignore_shard the shard is not compared. */
const char *dnc_sweep_spec_diff(const dnc_sweep_spec *a, const dnc_sweep_spec *b, int ignore_shard);

/* Number of runs of the whole grid. */
slong dnc_sweep_count(const dnc_sweep_spec *s);

/* Expands the grid in canonical order into *runs (free with flint_free): every run, or
 * with shard_only the runs of shard s->shard of s->nshards. Returns the number of runs. */
slong dnc_sweep_runs(dnc_sweep_run **runs, const dnc_sweep_spec *s, int shard_only);

/* Canonical exact text of a weight decay: the terminating decimal when there is one
 * ("0.004" for 1/250, "2" for 2), else the fraction ("1/3"). 0, or -1 if too long. */
int dnc_sweep_lambda_text(char *buf, size_t len, const fmpq_t q);

/* The problem of run r (its grid point with the sweep's n, activation and bias), set into
 * p (initialised), as `dncert train` would accept it. Returns 0 or -1 with err. */
int dnc_sweep_run_problem(dnc_problem_t p, const dnc_sweep_spec *s, const dnc_sweep_run *r, char *err, size_t errlen);

/* Trains run r into the run directory out (replacing an incomplete one left there) with
 * dnc_train_run: its problem, the sweep's training options and the run's seed, one thread
 * -- the run `dncert train --out out` makes with the same options, bit for bit. Returns 0
 * when the run ended and its directory is complete (a diverged run too), -1 with err. */
int dnc_sweep_train(const dnc_sweep_spec *s, const dnc_sweep_run *r, const char *out, char *err, size_t errlen);

/* ---- the results table: DIR/results.csv and DIR/results.jsonl ---- */

typedef struct {
    char id[DNC_SWEEP_ID_LEN];
    slong K, L, width, seed, n;
    char lambda[DNC_SWEEP_LAMBDA_LEN];
    char loss_fn[4];                             /* the problem's fit term, "mse" or "ce" ("" when unknown) */
    double loss, fit, reg, grad_norm, seconds;   /* NAN when unknown */
    slong steps;                                 /* -1 when unknown */
    char cls[32];                                /* summary.json "class", "" when unknown */
    char profile[512];                           /* "10|6>10|7>10|7>10", "" when unknown */
    char status[16];                             /* train's stop status, or "failed" */
} dnc_sweep_row;

/* Column names of results.csv, in order (the keys of results.jsonl). */
extern const char *const dnc_sweep_columns[];

/* 1 when rundir holds a complete run: a summary.json that parses and has a "status". */
int dnc_sweep_run_done(const char *rundir);

/* The row of run r of sweep s (its n and loss) from rundir/summary.json; a run without a
 * complete summary gets status "failed" and unknown values. */
void dnc_sweep_row_from_run(dnc_sweep_row *row, const dnc_sweep_run *r, const dnc_sweep_spec *s, const char *rundir);

/* A row as the JSON object of one line of results.jsonl (keys dnc_sweep_columns; unknown
 * values null), and back (-1 with a message naming the bad key). */
json_t *dnc_sweep_row_to_json(const dnc_sweep_row *row);
int dnc_sweep_row_from_json(dnc_sweep_row *row, const json_t *obj, char *err, size_t errlen);

/* Writes dir/results.csv and dir/results.jsonl, each atomically. */
int dnc_sweep_table_write(const char *dir, const dnc_sweep_row *rows, slong n, char *err, size_t errlen);

/* Reads dir/results.jsonl; *rows is freed with flint_free. */
int dnc_sweep_table_read(dnc_sweep_row **rows, slong *n, const char *dir, char *err, size_t errlen);

/* The rank of layer l (1..L) in a rank profile: before the activation (pre = 1, layers
 * l >= 2) or after it (pre = 0); -1 when the profile does not have it. */
slong dnc_sweep_profile_rank(const char *profile, slong l, int pre);

/* ---- certified references: DIR/references.csv and DIR/references.jsonl ---- */

typedef struct {
    slong K, L, n;
    char lambda[DNC_SWEEP_LAMBDA_LEN];
    char activation[8], bias[8], loss_fn[4];   /* loss_fn: the fit term, "mse" or "ce" */
    char structure[32];           /* "dnc", "srg" or "srg-embedded" (requested: "srg"); under CE
                                   * "dnc" (the frames) or, with linear layers, "deep-linear" */
    slong r;                      /* srg: vertices of K_r; 0 for dnc */
    char alive[8];                /* "alive", "dead", "tie"; "" when not applicable */
    char decimal[96], lo[96], hi[96];   /* dnc_json_enclosure strings; "" when not applicable */
    char note[256];               /* why the construction does not apply, else "" */
} dnc_sweep_ref;

/* Certified DNC and SRG values of every distinct problem (K, L, lambda) of the grid, in
 * canonical order, two rows each. DNC: dnc_closed_build("dnc") with every width K; SRG:
 * the largest r with C(r,2) <= K, embedded when K > C(r,2), widths K. Neither value
 * depends on the widths once the point fits. Under cross-entropy the first row is the
 * DNC-structured value (docs/math/cross-entropy.md: "dnc", the orthogonal frames, with ReLU
 * layers; "deep-linear", the ETF family, with linear ones) and the SRG row has a note (no CE
 * form). Returns the number of rows. */
slong dnc_sweep_references(dnc_sweep_ref **refs, const dnc_sweep_spec *s);

/* Writes dir/references.csv and dir/references.jsonl, each atomically; reads the JSON
 * lines back (*refs freed with flint_free). */
int dnc_sweep_references_write(const char *dir, const dnc_sweep_ref *refs, slong n, char *err, size_t errlen);
int dnc_sweep_references_read(dnc_sweep_ref **refs, slong *n, const char *dir, char *err, size_t errlen);

/* ---- running the trainings ---- */

typedef enum { DNC_PROGRESS_NONE = 0, DNC_PROGRESS_LINES, DNC_PROGRESS_TTY } dnc_progress_t;

/* Trains each of the n runs into dir/runs/<id> (dnc_sweep_train), each in a process of its
 * own (fork), at most `jobs` at a time; a run's messages go to dir/logs/<id>.log, which is
 * removed when the run completed. Progress goes to stderr. On SIGINT, SIGTERM or SIGHUP it
 * stops the running trainings (SIGTERM), waits for them and dies of the signal it received.
 * Returns the number of runs that did not complete. */
slong dnc_sweep_execute(const dnc_sweep_spec *s, const dnc_sweep_run *runs, slong n, const char *dir,
                        int jobs, dnc_progress_t progress);

/* Writes the outputs of a finished sweep into dir: results.csv/.jsonl from rows and
 * references.csv/.jsonl computed from s. */
int dnc_sweep_write_outputs(const char *dir, const dnc_sweep_spec *s, const dnc_sweep_row *rows, slong n,
                            char *err, size_t errlen);

/* ---- figures (dncert/plot.h draws them) ---- */

/* Training curves and class-mean singular values of a run directory (its metrics.jsonl),
 * into d->dir: training, sv-layer<l> (l = 1..L) and sv-pre-layer<l> (l = 2..L), each as
 * dnc_plot_render writes it. The singular-value figures draw the rank cutoff rank_tol times
 * the largest singular value; rank_tol <= 0 takes the run's own (summary.json "run"
 * "rank_tol"), else DNC_RANK_TOL_DEFAULT. Every output is checked before anything is
 * drawn. *nfiles receives the number of figures, *written the DNC_PLOT_* bits written for
 * all of them. Returns 0; -1 when metrics.jsonl cannot be read or holds no metrics records
 * (bad input); -2 when an output exists and d->force is 0 (err names it; nothing written);
 * 1 when gnuplot or I/O fails. */
int dnc_plot_run(const char *rundir, const dnc_plot_dest *d, double rank_tol, slong *nfiles, unsigned *written,
                 char *err, size_t errlen);

/* Selection of rows for a sweep figure: 0 / "" = any. */
typedef struct {
    slong K, L, width;
    char lambda[DNC_SWEEP_LAMBDA_LEN];
} dnc_sweep_filter;

/* One figure of the paper from a results table: "loss" (final losses against the
 * certified DNC and SRG values), "rank" (average class-mean rank against lambda) or "dnc"
 * (fractions of runs by solution class against width), drawn with dnc_plot_render as
 * d->dir/<name>.{png,svg,pdf,gp}. name NULL takes the default name: the figure and the
 * values the figure needs single, e.g. "loss-K10-L4-lambda0.004" or "rank-K10-L4-w30" (a
 * weight decay p/q as "p_q"), so that figures of one sweep for different values do not
 * collide; name_used (at least 256 bytes, may be NULL) receives the name. Returns 0; -1 when
 * the selection does not fit the figure (bad input: the message names the option to use);
 * -2 when an output exists and d->force is 0 (err names it; nothing written); 1 when
 * drawing failed (gnuplot, I/O). */
int dnc_sweep_figure(const char *figure, const dnc_sweep_row *rows, slong n, const dnc_sweep_ref *refs,
                     slong nrefs, const dnc_sweep_filter *f, const char *name, const dnc_plot_dest *d,
                     char *name_used, unsigned *written, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
