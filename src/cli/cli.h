/* Shared pieces of the dncert subcommands: a strict option parser and value readers. */
#ifndef DNCERT_CLI_H
#define DNCERT_CLI_H

#include <stddef.h>
#include <stdio.h>
#include <flint/flint.h>
#include "dncert/problem.h"

/* Exit codes of every subcommand. */
#define DNC_EXIT_OK      0
#define DNC_EXIT_FAIL    1   /* the work failed (divergence, I/O, a claim not certified) */
#define DNC_EXIT_USAGE   2   /* bad command line or input; nothing was written */

typedef struct {
    const char *name;    /* long name without "--" */
    const char *meta;    /* value placeholder for --help; NULL for a flag without value */
    const char *help;
    const char *value;   /* set by dnc_cli_parse: the text, or "1" for a flag */
} dnc_cli_opt;

/* The problem options shared by train, closed-form, metrics... (help texts included). */
#define DNC_CLI_PROBLEM_OPTS \
    { "K", "INT", "number of classes, >= 2 (default 2)", NULL }, \
    { "n", "N[,N...]", "samples per class: one count or K counts (default 5)", NULL }, \
    { "L", "INT", "number of weight matrices, >= 1 (default 3)", NULL }, \
    { "width", "D[,D...]", "widths d_1..d_L: one value or L values (default 10)", NULL }, \
    { "activation", "A[,A...]", "relu|linear for all hidden layers or L-1 values (default relu)", NULL }, \
    { "bias", "none|free", "unregularised last-layer bias (default none)", NULL }, \
    { "loss", "mse|ce", "fit term: squared error or cross-entropy (default mse; ce: closed-form\n" \
      "                             ufm, deep-linear and dnc only; refine: mse only)", NULL }, \
    { "lambda", "Q", "weight decay of every parameter, an exact rational (0.004, 4e-3, 1/250,\n" \
      "                             0x1.8p-3), at most 100000 characters, exponent within +-100000\n" \
      "                             (default 0.004 = 1/250)", NULL }, \
    { "lambda-h", "Q", "weight decay of H1 (overrides --lambda)", NULL }, \
    { "lambda-w", "Q[,Q...]", "weight decay of W_1..W_L: one value or L values", NULL }

/* The training options shared by train and sweep (help texts included). */
#define DNC_CLI_TRAIN_OPTS \
    { "init-std", "S|fan-in", "start: every parameter N(0, S^2), or fan-in (default): each block\n" \
      "                             N(0, 1/d), d its number of input rows (docs/trainer.md)", NULL }, \
    { "optimizer", "NAME", "gd | momentum | lbfgs (default gd)", NULL }, \
    { "lr", "X", "step size; lbfgs: length factor of its first step (default 0.5)", NULL }, \
    { "momentum", "X", "momentum coefficient in [0, 1) (default 0.9)", NULL }, \
    { "steps", "INT", "maximum number of updates (default 10000)", NULL }, \
    { "grad-tol", "X", "stop when the gradient norm is below X (default 0: never)", NULL }, \
    { "log-every", "INT", "log metrics every INT steps (default 100)", NULL }

struct dnc_train_opts_s;

/* Reads the DNC_CLI_TRAIN_OPTS options into o (defaults where absent; o is set to the
 * defaults first) and *log_every. On a bad value prints "dncert CMD: --name: must be ..."
 * and returns DNC_EXIT_USAGE; else 0. */
int dnc_cli_train_opts(struct dnc_train_opts_s *o, slong *log_every, const dnc_cli_opt *opts, const char *cmd);

/* Parses argv[1..] (argv[0] is the subcommand name). Options are "--name value" or
 * "--name=value"; everything else is positional. Returns 0 on success, 1 when --help or
 * --version was printed, DNC_EXIT_USAGE after printing an error (for an unknown option
 * with "did you mean '--name'?" when one option is close to it). */
int dnc_cli_parse(dnc_cli_opt *opts, int argc, char **argv, const char **pos, int max_pos,
                  int *npos, const char *usage_head, const char *usage_tail);

/* The value of option `name` (NULL when not given). */
const char *dnc_cli_get(const dnc_cli_opt *opts, const char *name);

/* Fills a problem args struct from the problem options. */
void dnc_cli_problem_args(dnc_problem_args *a, const dnc_cli_opt *opts);

/* Prints "dncert CMD: message" to stderr and returns DNC_EXIT_USAGE. */
int dnc_cli_usage_error(const char *cmd, const char *fmt, ...);

/* Loads the point saved in dir (dnc_point_load) for a double-precision command: its
 * weight decays must be normal doubles (dnc_problem_check_double). Returns 0 with p and
 * *theta set, or prints "dncert CMD: ..." and returns DNC_EXIT_USAGE (p cleared). */
int dnc_cli_load_point_double(const char *cmd, const char *dir, dnc_problem_t p, double **theta);

/* 0, or the usage error (exit status 2) when the path given to option opt (an output)
 * already exists and --force is absent. */
int dnc_cli_check_new_path(const dnc_cli_opt *opts, const char *cmd, const char *opt);

/* Typed readers: return 0 and set *x, or print "--name: must be ..." and return -1. */
int dnc_cli_double(double *x, const dnc_cli_opt *opts, const char *cmd, const char *name,
                   double lo, double hi, int lo_open, double dflt);
int dnc_cli_slong(slong *x, const dnc_cli_opt *opts, const char *cmd, const char *name,
                  slong lo, slong hi, slong dflt);

/* Re-executes dncert with OPENBLAS_CORETYPE set when OpenBLAS fell back to a pre-AVX2
 * kernel on a CPU with AVX2/AVX-512 (blas_kernel.c explains why); returns otherwise. */
void dnc_cli_select_blas_kernel(char **argv);

/* Re-executes dncert with OPENBLAS_CORETYPE=Zen on AMD Zen 4 when OpenBLAS loaded its
 * AVX-512 kernels and the products of p are too large for their small-matrix path
 * (dnc_dobj_small_products; blas_kernel.c explains why); returns otherwise. Call it
 * after reading the options and before writing anything. */
void dnc_cli_select_blas_kernel_for(const dnc_problem_t p);

/* One line: OpenBLAS configuration and the kernel in use (and who chose it). */
void dnc_cli_print_blas_kernel(FILE *f);

/* What `dncert --version` prints, and every `dncert CMD --version`: the version, then the
 * OpenBLAS line of dnc_cli_print_blas_kernel. */
void dnc_cli_print_version(FILE *f);

/* The one known name close to a mistyped one (suggest.c): feed every candidate to
 * dnc_cli_near_add; dnc_cli_near_result is the closest, or NULL when none is close or two
 * are equally close. */
typedef struct {
    const char *typed;
    size_t len;
    const char *best;
    int dist, ties;
} dnc_cli_near;
void dnc_cli_near_init(dnc_cli_near *n, const char *typed, size_t len);
void dnc_cli_near_add(dnc_cli_near *n, const char *candidate);
const char *dnc_cli_near_result(const dnc_cli_near *n);

/* The option of opts (or help, version) close to typed[0..len) (without "--"), or NULL. */
const char *dnc_cli_suggest_option(const dnc_cli_opt *opts, const char *typed, size_t len);

/* Progress lines of a run of `total` steps (progress.c): every `every_steps` steps, or
 * when `every_seconds` have passed since the last line (exactly one of them is > 0). */
typedef struct {
    slong every_steps, total, last_step;
    double every_seconds, t0, last_time;
} dnc_cli_progress;

/* Reads option `name` ("N" steps, or "Ts" seconds; dflt when absent) into p, which then
 * counts from now. 0, or the usage error (exit status 2). */
int dnc_cli_progress_init(dnc_cli_progress *p, const dnc_cli_opt *opts, const char *cmd, const char *name,
                          const char *dflt, slong total);

/* 1 when a line is due after step `step` (*now is set to the time when 1). */
int dnc_cli_progress_due(dnc_cli_progress *p, slong step, double *now);

/* Prints the line after step `step` at time now (from dnc_cli_progress_due, or the end):
 * "step S/TOTAL  P%  FIELDS  R steps/s  elapsed M:SS  ETA M:SS", with "done" for the ETA
 * when final; R is the rate since the last line, the ETA from the rate since the start. */
void dnc_cli_progress_print(dnc_cli_progress *p, FILE *f, slong step, double now, const char *fields, int final);

/* The troff man page dncert.1 (man.c) from the help texts: `dncert --help-man [FILE]`. */
typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} dnc_cli_command;
int dnc_cli_man(FILE *out, const dnc_cli_command *cmds, size_t n, const char *about);

#endif
