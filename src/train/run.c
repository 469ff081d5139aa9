/* A whole training run, as `dncert train` and every run of `dncert sweep` do it: the
 * options from their text, the loop with its records, the summary, the run directory. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cblas.h>
#include "dncert/io.h"
#include "dncert/metrics.h"
#include "dncert/rundir.h"
#include "dncert/train.h"

static int read_optimizer(dnc_optimizer_t *opt, const char *s, char *err, size_t errlen)
{
    if (s == NULL || strcmp(s, "gd") == 0)
        *opt = DNC_OPT_GD;
    else if (strcmp(s, "momentum") == 0)
        *opt = DNC_OPT_MOMENTUM;
    else if (strcmp(s, "lbfgs") == 0)
        *opt = DNC_OPT_LBFGS;
    else
        return dnc_fail(err, errlen, "--optimizer: must be gd, momentum or lbfgs (got '%s')", s);
    return 0;
}

/* --init-std: "fan-in" (DNC_INIT_FAN_IN, the default) or a standard deviation > 0. */
static int read_init_std(double *std, const char *s, char *err, size_t errlen)
{
    if (s == NULL || strcmp(s, "fan-in") == 0) {
        *std = DNC_INIT_FAN_IN;
        return 0;
    }
    if (dnc_option_double(std, "init-std", s, 0.0, DNC_TRAIN_MAX_SCALE, 1, err, errlen) != 0) {
        size_t n = strlen(err);
        if (n < errlen)
            snprintf(err + n, errlen - n, "; or fan-in, the default");
        return -1;
    }
    return 0;
}

/* A double option: its default when absent, else the value in [lo, hi]. */
static int text_double(double *x, const char *name, const char *(*text)(const char *, void *), void *ctx,
                       double lo, double hi, int lo_open, char *err, size_t errlen)
{
    const char *s = text(name, ctx);
    return s == NULL ? 0 : dnc_option_double(x, name, s, lo, hi, lo_open, err, errlen);
}

static int text_slong(slong *x, const char *name, const char *(*text)(const char *, void *), void *ctx,
                      slong lo, slong hi, char *err, size_t errlen)
{
    const char *s = text(name, ctx);
    return s == NULL ? 0 : dnc_option_slong(x, name, s, lo, hi, err, errlen);
}

int dnc_train_opts_from_text(dnc_train_opts *o, slong *log_every, const char *(*text)(const char *name, void *ctx),
                             void *ctx, char *err, size_t errlen)
{
    dnc_train_opts_default(o);
    *log_every = 100;
    if (read_optimizer(&o->optimizer, text("optimizer", ctx), err, errlen)
        || read_init_std(&o->init_std, text("init-std", ctx), err, errlen)
        || text_double(&o->lr, "lr", text, ctx, 0.0, DNC_TRAIN_MAX_SCALE, 1, err, errlen)
        || text_double(&o->momentum, "momentum", text, ctx, 0.0, DNC_TRAIN_MAX_MOMENTUM, 0, err, errlen)
        || text_slong(&o->steps, "steps", text, ctx, 0, DNC_TRAIN_MAX_STEPS, err, errlen)
        || text_double(&o->grad_tol, "grad-tol", text, ctx, 0.0, DNC_TRAIN_MAX_GRAD_TOL, 0, err, errlen)
        || text_slong(log_every, "log-every", text, ctx, 1, WORD(1) << 50, err, errlen))
        return -1;
    return 0;
}

void dnc_train_run_opts_default(dnc_train_run_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->log_every = 100;
    o->rank_tol = DNC_RANK_TOL_DEFAULT;
}

/* One JSON record of the current state: step, loss terms, gradient norm, layers; with
 * cls != NULL also the solution class (the summary). */
static json_t *state_json(dnc_trainer_t t, double rank_tol, double seconds, dnc_classification *cls)
{
    dnc_layer_metrics *m = flint_calloc(t->p->L, sizeof(dnc_layer_metrics));
    json_t *o = json_object();
    dnc_metrics_layers(m, t->obj, t->theta, rank_tol);
    if (cls != NULL) {
        dnc_classify_tol tol;
        dnc_classify_tol_default(&tol);
        dnc_classify(cls, t->obj, t->theta, m, t->grad_norm, &tol);
        json_object_set_new(o, "class", dnc_classification_to_json(cls, m, t->p->L));
    }
    json_object_set_new(o, "step", json_integer(t->step));
    json_object_set_new(o, "loss", dnc_json_real(t->loss));
    json_object_set_new(o, "fit", dnc_json_real(t->fit));
    json_object_set_new(o, "reg", dnc_json_real(t->reg));
    json_object_set_new(o, "grad_norm", dnc_json_real(t->grad_norm));
    json_object_set_new(o, "seconds", json_real(seconds));
    json_object_set_new(o, "layers", dnc_layer_metrics_to_json(m, t->p->L));
    dnc_layer_metrics_clear(m, t->p->L);
    flint_free(m);
    return o;
}

/* ms_per_step: the steps' own time, seconds less the time spent writing records (their
 * collapse metrics recompute every layer's pre-activation: three products of a step at
 * L = 4, so at step 0 and the last step 0.3% of a 200-step run). */
static json_t *summary_json(dnc_trainer_t t, const dnc_train_run_opts *o, double seconds, double logging,
                            dnc_classification *cls)
{
    json_t *s = state_json(t, o->rank_tol, seconds, cls), *run;
    const dnc_train_opts *opts = &t->opts;
    int zero = t->stop != DNC_STOP_DIVERGED && cls->cls == DNC_CLASS_ZERO;
    json_object_set_new(s, "steps", json_integer(t->step));
    json_object_set_new(s, "evaluations", json_integer(t->evals));
    json_object_set_new(s, "ms_per_step", dnc_json_real(t->step ? 1e3 * (seconds - logging) / t->step : NAN));
    /* what ms_per_step was measured with (the kernel may differ by CPU and by problem) */
    json_object_set_new(s, "blas_kernel", json_string(openblas_get_corename()));
    json_object_set_new(s, "status", json_string(dnc_stop_name(t->stop)));
    json_object_set_new(s, "zero_point", json_boolean(zero));
    json_object_set_new(s, "problem", dnc_problem_to_json(t->p));
    run = json_pack("{s:s, s:f, s:f, s:I, s:I, s:s, s:f, s:i, s:f, s:s}",
        "optimizer", dnc_optimizer_name(opts->optimizer), "lr", opts->lr, "momentum", opts->momentum,
        "seed", (json_int_t) opts->seed, "max_steps", (json_int_t) opts->steps,
        "init", opts->init_std == DNC_INIT_FAN_IN ? "fan-in" : "normal", "grad_tol", opts->grad_tol,
        "threads", opts->threads, "rank_tol", o->rank_tol, "dncert_version", DNCERT_VERSION);
    /* a number for --init-std S, null for the fan-in start (no single deviation) */
    json_object_set_new(run, "init_std", opts->init_std == DNC_INIT_FAN_IN ? json_null() : json_real(opts->init_std));
    json_object_set_new(s, "run", run);
    return s;
}

/* Writes the record of the current step; returns the seconds that took. */
static double log_state(dnc_run_writer *w, const dnc_train_run_opts *o, dnc_trainer_t t, double seconds)
{
    double start = dnc_seconds_now();
    json_t *rec;
    if (w == NULL && o->on_record == NULL)
        return 0.0;
    rec = state_json(t, o->rank_tol, seconds, NULL);
    if (w != NULL)
        dnc_run_writer_log(w, rec);
    if (o->on_record != NULL)
        o->on_record(rec, o->ctx);
    json_decref(rec);
    return dnc_seconds_now() - start;
}

/* Writes summary and point and renames the run directory into place. */
static int finish_dir(dnc_run_writer *w, dnc_trainer_t t, const char *out, json_t *summary, char *err, size_t errlen)
{
    char msg[4096];
    json_t *src = json_pack("{s:s, s:I, s:O}", "command", "train", "steps", (json_int_t) t->step,
                            "run", json_object_get(summary, "run"));
    int r = dnc_run_writer_finish(w, t->p, t->theta, src, summary, msg, sizeof(msg));
    json_decref(src);
    return r != 0 ? dnc_fail(err, errlen, "writing %s failed: %s", out, msg) : 0;
}

int dnc_train_run(dnc_trainer_t t, const dnc_train_run_opts *o, json_t **summary, dnc_classification *cls,
                  char *err, size_t errlen)
{
    dnc_run_writer writer, *w = o->out != NULL ? &writer : NULL;
    double t0, seconds, logging;
    slong logged = 0;
    *summary = NULL;
    if (w != NULL && dnc_run_writer_open(w, o->out, o->replace, err, errlen) != 0)
        return -1;
    t0 = dnc_seconds_now();
    logging = log_state(w, o, t, 0.0);
    while (dnc_trainer_step(t) == DNC_STOP_NONE) {
        if (o->on_step != NULL)
            o->on_step(t, o->ctx);
        if (t->step % o->log_every != 0)
            continue;
        logging += log_state(w, o, t, dnc_seconds_now() - t0);
        logged = t->step;
    }
    seconds = dnc_seconds_now() - t0;
    if (t->step != logged)   /* the last step is always in the log, exactly once */
        log_state(w, o, t, seconds);
    *summary = summary_json(t, o, seconds, logging, cls);
    return w != NULL ? finish_dir(w, t, o->out, *summary, err, errlen) : 0;
}

/* The ranges of dnc_train_opts_from_text, for options that arrive as numbers (the flat
 * interface, dncert/flat.h): a value refused there is refused here too. */
int dnc_train_opts_check(const dnc_train_opts *o, char *err, size_t errlen)
{
    if (o->init_std != DNC_INIT_FAN_IN && !(o->init_std > 0 && o->init_std <= DNC_TRAIN_MAX_SCALE))
        return dnc_fail(err, errlen, "init_std: must be a number in (0, %g], or left out for the fan-in start (got %g)",
                        DNC_TRAIN_MAX_SCALE, o->init_std);
    if (!(o->lr > 0 && o->lr <= DNC_TRAIN_MAX_SCALE))
        return dnc_fail(err, errlen, "lr: must be a number in (0, %g] (got %g)", DNC_TRAIN_MAX_SCALE, o->lr);
    if (!(o->momentum >= 0 && o->momentum <= DNC_TRAIN_MAX_MOMENTUM))
        return dnc_fail(err, errlen, "momentum: must be a number in [0, %g] (got %g)", DNC_TRAIN_MAX_MOMENTUM,
                        o->momentum);
    if (o->steps < 0 || o->steps > DNC_TRAIN_MAX_STEPS)
        return dnc_fail(err, errlen, "steps: must be an integer in [0, %ld] (got %ld)", (long) DNC_TRAIN_MAX_STEPS,
                        (long) o->steps);
    if (!(o->grad_tol >= 0 && o->grad_tol <= DNC_TRAIN_MAX_GRAD_TOL))
        return dnc_fail(err, errlen, "grad_tol: must be a number in [0, %g] (got %g)", DNC_TRAIN_MAX_GRAD_TOL,
                        o->grad_tol);
    if (o->lbfgs_memory < 1 || o->lbfgs_memory > DNC_TRAIN_MAX_LBFGS_MEMORY)
        return dnc_fail(err, errlen, "lbfgs_memory: must be an integer in [1, %d] (got %ld)", DNC_TRAIN_MAX_LBFGS_MEMORY,
                        (long) o->lbfgs_memory);
    if (o->threads < 1 || o->threads > DNC_TRAIN_MAX_THREADS)
        return dnc_fail(err, errlen, "threads: must be an integer in [1, %d] (got %d)", DNC_TRAIN_MAX_THREADS,
                        o->threads);
    if (o->optimizer != DNC_OPT_GD && o->optimizer != DNC_OPT_MOMENTUM && o->optimizer != DNC_OPT_LBFGS)
        return dnc_fail(err, errlen, "optimizer: must be gd, momentum or lbfgs");
    return 0;
}
