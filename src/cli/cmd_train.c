/* dncert train: full-batch training of a DUFM in double precision. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dncert/io.h"
#include "dncert/metrics.h"
#include "dncert/train.h"
#include "cli.h"
#include "commands.h"

static const char *usage_head =
    "Usage: dncert train [options]\n"
    "\n"
    "Trains a deep unconstrained features model (docs/model.md) by full-batch descent on\n"
    "f = 1/(2N)||W_L H_L + b 1^T - Y||^2 + lambda_H/2 ||H1||^2 + sum_l lambda_l/2 ||W_l||^2.\n"
    "Prints progress on stderr and a summary on stdout. With --out DIR it writes\n"
    "DIR/metrics.jsonl (one JSON object per logged step), DIR/summary.json, and the final\n"
    "point (DIR/manifest.json, H1.npy, W1.npy, ..., b.npy) that `dncert metrics` and the\n"
    "certifier reload exactly. DIR appears only when the run is complete. With --init DIR\n"
    "it continues from the point in DIR, under DIR's problem (docs/run-directory.md); with\n"
    "--deepen as well, one layer deeper from the same network output (docs/trainer.md).\n";

static const char *usage_tail =
    "Numbers for lambdas are exact rationals: 0.004, 4e-3 and 1/250 are the same value\n"
    "(at most 100000 characters, a written exponent within +-100000); the trainer needs them\n"
    "in [2.2250738585072014e-308, 1.7976931348623157e+308], the positive normal doubles.\n"
    "Exit status: 0 done (also when stopped by --grad-tol or a stall), 1 diverged or I/O\n"
    "error, 2 bad command line (nothing written).\n";

typedef struct {
    dnc_train_opts opts;
    slong log_every;
    double rank_tol;
    const char *out;
    int force, quiet;
    dnc_cli_progress progress;
} train_cfg;

static int read_run_options(train_cfg *c, const dnc_cli_opt *opts)
{
    dnc_train_opts *o = &c->opts;
    slong seed, threads, mem;
    long cpus;
    int r = dnc_cli_train_opts(o, &c->log_every, opts, "train");
    if (r != 0)
        return r;
    if (dnc_cli_slong(&seed, opts, "train", "seed", 0, WORD_MAX, 1)
        || dnc_cli_slong(&threads, opts, "train", "threads", 1, DNC_TRAIN_MAX_THREADS, 1)
        || dnc_cli_slong(&mem, opts, "train", "lbfgs-memory", 1, DNC_TRAIN_MAX_LBFGS_MEMORY, 10)
        || dnc_cli_double(&c->rank_tol, opts, "train", "rank-tol", 0.0, 1.0, 1, DNC_RANK_TOL_DEFAULT))
        return DNC_EXIT_USAGE;
    o->seed = (ulong) seed;
    o->threads = (int) threads;
    /* The thread count is part of what fixes the result bits, so it is not capped; but
     * threads that outnumber the CPUs wait for each other at every product (4x slower). */
    if (threads > (cpus = sysconf(_SC_NPROCESSORS_ONLN)))
        fprintf(stderr, "dncert train: warning: --threads %ld is more than the %ld CPUs online; "
                "expect it to run several times slower than --threads %ld\n", (long) threads, cpus, cpus);
    o->lbfgs_memory = mem;
    if (dnc_cli_progress_init(&c->progress, opts, "train", "progress-every", "1s", o->steps) != 0)
        return DNC_EXIT_USAGE;
    c->out = dnc_cli_get(opts, "out");
    c->force = dnc_cli_get(opts, "force") != NULL;
    c->quiet = dnc_cli_get(opts, "quiet") != NULL;
    if (c->out != NULL && *c->out == '\0')
        return dnc_cli_usage_error("train", "--out: must be a directory path");
    return dnc_cli_check_new_path(opts, "train", "out");
}

static void progress(dnc_cli_progress *p, const dnc_trainer_t t, double now, int final)
{
    char fields[96];
    snprintf(fields, sizeof(fields), "loss %.12e  |grad| %.3e", t->loss, t->grad_norm);
    dnc_cli_progress_print(p, stderr, t->step, now, fields, final);
}

static void print_summary(const dnc_trainer_t t, double seconds, double ms_per_step, const dnc_classification *cls)
{
    int zero = t->stop != DNC_STOP_DIVERGED && cls->cls == DNC_CLASS_ZERO;
    char desc[512];
    dnc_problem_describe(t->p, desc, sizeof(desc));
    printf("problem    %s\n", desc);
    printf("status     %s%s after %ld steps (%ld evaluations, %.3f s, %.4f ms/step)\n", dnc_stop_name(t->stop),
           t->stop == DNC_STOP_STALLED ? " (no further decrease possible in double precision)" : "",
           (long) t->step, (long) t->evals, seconds, t->step ? ms_per_step : 0.0);
    printf("loss       %.16e\nfit        %.16e\nreg        %.16e\ngrad_norm  %.6e\n",
           t->loss, t->fit, t->reg, t->grad_norm);
    if (zero)
        printf("zero point the run collapsed to the zero point: %s\n", cls->reason);
    printf("class      %s (%s)\n", dnc_solution_class_name(cls->cls), cls->reason);
}

static void on_step(const dnc_trainer_struct *t, void *ctx)
{
    train_cfg *c = ctx;
    double now;
    if (dnc_cli_progress_due(&c->progress, t->step, &now))
        progress(&c->progress, t, now, 0);
}

/* The run (dnc_train_run), then its final progress line and summary on stdout. */
static int run_training(dnc_trainer_t t, train_cfg *c)
{
    dnc_train_run_opts ro;
    dnc_classification cls;
    json_t *summary;
    char err[4600];
    int r;
    dnc_train_run_opts_default(&ro);
    ro.log_every = c->log_every;
    ro.rank_tol = c->rank_tol;
    ro.out = c->out;
    ro.replace = c->force;
    ro.on_step = c->quiet ? NULL : on_step;
    ro.ctx = c;
    c->progress.t0 = c->progress.last_time = dnc_seconds_now();
    r = dnc_train_run(t, &ro, &summary, &cls, err, sizeof(err));
    if (summary == NULL) {
        fprintf(stderr, "dncert train: --out: %s\n", err);
        return DNC_EXIT_FAIL;
    }
    {
        double seconds = json_real_value(json_object_get(summary, "seconds"));
        if (!c->quiet && t->stop != DNC_STOP_DIVERGED && t->step > 0)
            progress(&c->progress, t, c->progress.t0 + seconds, 1);
        if (t->stop == DNC_STOP_DIVERGED)
            fprintf(stderr, "dncert train: diverged at step %ld (loss %g, gradient norm %g); try a smaller --lr%s\n",
                    (long) t->step, t->loss, t->grad_norm, t->step <= 1 ? " or --init-std" : "");
        print_summary(t, seconds, json_real_value(json_object_get(summary, "ms_per_step")), &cls);
    }
    json_decref(summary);
    if (r != 0)
        fprintf(stderr, "dncert train: %s\n", err);
    else if (c->out != NULL && !c->quiet)
        fprintf(stderr, "wrote %s\n", c->out);
    return r != 0 || t->stop == DNC_STOP_DIVERGED ? DNC_EXIT_FAIL : DNC_EXIT_OK;
}

/* The problem options, and their fields in the JSON form of a problem. "lambda" comes
 * before "lambda-h" and "lambda-w", which override it. */
static const struct { const char *opt, *field; } problem_fields[] = {
    { "K", "K" }, { "n", "n" }, { "L", "L" }, { "width", "width" }, { "activation", "activation" },
    { "bias", "bias" }, { "loss", "loss" }, { "lambda", "lambda" }, { "lambda-h", "lambda_h" }, { "lambda-w", "lambda_w" }
};
#define NFIELDS ((int) (sizeof(problem_fields) / sizeof(problem_fields[0])))

/* 1 when the problem options given (only option `only`; all when only < 0) agree with q:
 * q with those fields replaced by the options' values is still q. */
static int options_agree(const dnc_cli_opt *opts, const dnc_problem_t q, int only)
{
    json_t *o = dnc_problem_to_json(q);
    dnc_problem_t r;
    char err[512];
    int i, ok;
    for (i = 0; i < NFIELDS; i++) {
        const char *v = dnc_cli_get(opts, problem_fields[i].opt);
        if (v == NULL || (only >= 0 && i != only))
            continue;
        if (strcmp(problem_fields[i].field, "lambda") == 0) {   /* the form's lambda_h, lambda_w would win */
            json_object_del(o, "lambda_h");
            json_object_del(o, "lambda_w");
        }
        /* no UTF-8 check: a value that is not UTF-8 must still disagree, not vanish */
        json_object_set_new(o, problem_fields[i].field, json_string_nocheck(v));
    }
    dnc_problem_init(r);
    ok = dnc_problem_from_json(r, o, err, sizeof(err)) == 0 && dnc_problem_equal(r, q);
    dnc_problem_clear(r);
    json_decref(o);
    return ok;
}

/* With --deepen, p and theta become the point one layer deeper (dnc_point_deepen). */
static int deepen_init(dnc_problem_t p, double **theta, char *err, size_t errlen)
{
    dnc_problem_t q;
    double *t;
    dnc_problem_init(q);
    if (dnc_point_deepen(q, &t, p, *theta, err, errlen) != 0) {
        dnc_problem_clear(q);
        return -1;
    }
    dnc_problem_set(p, q);
    dnc_problem_clear(q);
    free(*theta);
    *theta = t;
    return 0;
}

/* The problem and the start of `train --init DIR`: the point's own problem, from its
 * manifest (one layer deeper with --deepen); problem options given as well must each
 * agree with it. */
static int load_init(dnc_problem_t p, double **theta, const dnc_cli_opt *opts, const char *dir)
{
    char err[4096], desc[512], which[1024] = "";
    int i, pass, n = 0, r = 0;
    size_t used = 0;
    *theta = NULL;
    if (dnc_point_load(dir, p, theta, err, sizeof(err)) != 0)
        r = dnc_cli_usage_error("train", "--init: %s", err);
    else if (dnc_cli_get(opts, "deepen") != NULL && deepen_init(p, theta, err, sizeof(err)) != 0)
        r = dnc_cli_usage_error("train", "--deepen: the point in %s: %s", dir, err);
    else if (dnc_problem_check_double(p, NULL, err, sizeof(err)) != 0)
        r = dnc_cli_usage_error("train", "--init: %s/" DNC_RUN_MANIFEST ": %s", dir, err);
    else if (!options_agree(opts, p, -1)) {
        /* name the options that disagree on their own; all given, if only their combination does */
        for (pass = 0; pass < 2 && n == 0; pass++)
            for (i = 0; i < NFIELDS; i++) {
                const char *v = dnc_cli_get(opts, problem_fields[i].opt);
                if (v != NULL && (pass == 1 || !options_agree(opts, p, i)) && used < sizeof(which))
                    used += (size_t) snprintf(which + used, sizeof(which) - used, "%s--%s %.40s%s", n++ ? ", " : "",
                                              problem_fields[i].opt, v, strlen(v) > 40 ? "..." : "");
            }
        const char *L = dnc_cli_get(opts, "L");
        slong l;
        int deeper = L != NULL && dnc_cli_get(opts, "deepen") == NULL && dnc_parse_slong(&l, L, 1, DNC_MAX_L) == 0
                     && l == p->L + 1;
        dnc_problem_describe(p, desc, sizeof(desc));
        r = dnc_cli_usage_error("train", "--init: the point in %s is for another problem (%s): %s %s not agree with "
                                "it; leave the problem options out to continue with the point's own problem%s",
                                dir, desc, which, n > 1 ? "do" : "does",
                                deeper ? " (to start one layer deeper, add --deepen instead of --L: an identity layer is "
                                         "inserted after the last hidden layer, docs/trainer.md)" : "");
    }
    if (r != 0) {
        free(*theta);
        *theta = NULL;
    }
    return r;
}

/* The problem of a run without --init: the options, with their defaults. */
static int problem_from_options(dnc_problem_t p, const dnc_cli_opt *opts)
{
    dnc_problem_args pa;
    char err[512];
    dnc_cli_problem_args(&pa, opts);
    if (dnc_problem_set_args(p, &pa, err, sizeof(err)) != 0 || dnc_problem_check_double(p, &pa, err, sizeof(err)) != 0)
        return dnc_cli_usage_error("train", "%s", err);
    return 0;
}

int dnc_cmd_train(int argc, char **argv)
{
    dnc_cli_opt opts[] = {
        DNC_CLI_PROBLEM_OPTS,
        { "init", "DIR", "start from the point saved in DIR and train its problem (problem\n"
          "                             options given too must agree with it)", NULL },
        { "deepen", NULL, "with --init: start one layer deeper, the identity inserted after the\n"
          "                             last hidden layer and the factors rebalanced (same output)", NULL },
        { "seed", "INT", "random seed of the initial point (default 1)", NULL },
        DNC_CLI_TRAIN_OPTS,
        { "lbfgs-memory", "INT", "L-BFGS history pairs (default 10)", NULL },
        { "rank-tol", "X", "relative singular-value cutoff for ranks and NC1 (default 1e-6)", NULL },
        { "threads", "INT", "threads for products and updates (default 1)", NULL },
        { "out", "DIR", "write metrics, summary and the final point to DIR", NULL },
        { "force", NULL, "replace DIR if it exists", NULL },
        { "progress-every", "N|Ts", "a progress line every N steps, or every T seconds (default 1s)", NULL },
        { "quiet", NULL, "no progress lines", NULL },
        { NULL, NULL, NULL, NULL }
    };
    const char *pos[1];
    int npos, r;
    char istd[32];
    double *theta0 = NULL;
    dnc_problem_t p;
    dnc_trainer_t t;
    train_cfg cfg;

    r = dnc_cli_parse(opts, argc, argv, pos, 0, &npos, usage_head, usage_tail);
    if (r != 0)
        return r == 1 ? DNC_EXIT_OK : r;
    if (dnc_cli_get(opts, "deepen") != NULL && dnc_cli_get(opts, "init") == NULL)
        return dnc_cli_usage_error("train", "--deepen: needs --init DIR (the point to start one layer deeper from)");
    dnc_problem_init(p);
    r = dnc_cli_get(opts, "init") != NULL ? load_init(p, &theta0, opts, dnc_cli_get(opts, "init"))
                                          : problem_from_options(p, opts);
    if (r == 0)
        r = read_run_options(&cfg, opts);
    if (r != 0) {
        free(theta0);
        dnc_problem_clear(p);
        return r;
    }
    dnc_cli_select_blas_kernel_for(p);   /* may re-execute dncert with another kernel */
    r = dnc_trainer_init_point(t, p, &cfg.opts, theta0);
    free(theta0);
    if (r != 0) {
        fprintf(stderr, "dncert train: not enough memory for this problem\n");
        dnc_problem_clear(p);
        return DNC_EXIT_FAIL;
    }
    if (t->stop == DNC_STOP_DIVERGED) {   /* nothing has run yet: the start is the user's choice */
        r = dnc_cli_get(opts, "init") != NULL
            ? dnc_cli_usage_error("train", "--init: the loss or gradient of the point in %s is not finite in double "
                                  "precision (loss %g, gradient norm %g)", dnc_cli_get(opts, "init"), t->loss, t->grad_norm)
            : dnc_cli_usage_error("train", "--init-std: the loss or gradient of the initial point is not finite in double "
                                  "precision with --init-std %s (loss %g, gradient norm %g); use a smaller --init-std "
                                  "or smaller weight decays", dnc_init_name(istd, sizeof(istd), cfg.opts.init_std),
                                  t->loss, t->grad_norm);
        dnc_trainer_clear(t);
        dnc_problem_clear(p);
        return r;
    }
    if (!cfg.quiet) {
        char desc[512];
        dnc_problem_describe(p, desc, sizeof(desc));
        fprintf(stderr, "dncert train: %s, %ld parameters, %s, %ld steps\n", desc, (long) t->n,
                dnc_optimizer_name(cfg.opts.optimizer), (long) cfg.opts.steps);
    }
    r = run_training(t, &cfg);
    dnc_trainer_clear(t);
    dnc_problem_clear(p);
    return r;
}
