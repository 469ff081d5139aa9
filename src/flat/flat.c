/* The flat iface (dncert/flat.h): JSON text and double vectors in, JSON text out, around
 * the library calls that the commands make. What is here is only conversion: reading the
 * inputs (strictly: unknown option names are errors, so that a misspelt option is not
 * silently left at its default) and writing the results. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/cert.h"
#include "dncert/flat.h"
#include "dncert/io.h"
#include "dncert/train.h"

void dnc_flat_free(char *s)
{
    free(s);
}

/* JSON text of v (stolen), or NULL when v is NULL. */
static char *dump(json_t *v)
{
    char *s = v != NULL ? json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(v);
    return s;
}

static json_t *parse(const char *text, const char *what, char *err, size_t errlen)
{
    json_error_t je;
    json_t *v = text != NULL ? json_loads(text, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (v == NULL)
        dnc_fail(err, errlen, "%s: %s", what, text == NULL ? "missing" : je.text);
    else if (!json_is_object(v)) {
        dnc_fail(err, errlen, "%s: must be a JSON object", what);
        json_decref(v);
        v = NULL;
    }
    return v;
}

/* p (initialised here, cleared on failure) <- the problem's JSON text. */
static int read_problem(dnc_problem_t p, const char *text, char *err, size_t errlen)
{
    json_t *o = parse(text, "problem", err, errlen);
    int r;
    dnc_problem_init(p);
    r = o != NULL && dnc_problem_from_json(p, o, err, errlen) == 0 ? DNC_FLAT_OK : DNC_FLAT_BAD_INPUT;
    json_decref(o);
    return r;
}

static slong nparams(const dnc_problem_t p)
{
    return dnc_param_offset(p, p->N, DNC_NKINDS, 0);
}

static slong nblocks(const dnc_problem_t p)
{
    return p->L + 1 + (p->bias == DNC_BIAS_FREE);
}

int dnc_flat_problem(const char *problem, char **out, char *err, size_t errlen)
{
    dnc_problem_t p;
    json_t *o, *blocks;
    char desc[512], name[32];
    slong b, r, c;
    *out = NULL;
    if (read_problem(p, problem, err, errlen) != DNC_FLAT_OK)
        return DNC_FLAT_BAD_INPUT;
    blocks = json_array();
    for (b = 0; b < nblocks(p); b++) {
        dnc_buf_kind kind = dnc_param_block_kind(p->L, b);
        dnc_objective_buf_shape(&r, &c, p, p->N, kind, b == 0 ? 1 : b);
        json_array_append_new(blocks, json_pack("{s:s, s:o, s:I}", "name", dnc_param_block_name(name, p->L, b),
                                                "shape", kind == DNC_B ? json_pack("[I]", (json_int_t) r)
                                                                       : json_pack("[I, I]", (json_int_t) r, (json_int_t) c),
                                                "offset", (json_int_t) dnc_param_offset(p, p->N, kind, b)));
    }
    dnc_problem_describe(p, desc, sizeof(desc));
    o = json_pack("{s:o, s:s, s:I, s:I, s:b, s:o}", "problem", dnc_problem_to_json(p), "description", desc,
                  "N", (json_int_t) p->N, "nparams", (json_int_t) nparams(p),
                  "double", dnc_problem_check_double(p, NULL, NULL, 0) == 0, "blocks", blocks);
    dnc_problem_clear(p);
    *out = dump(o);
    return DNC_FLAT_OK;
}

int dnc_flat_point(const char *problem, int nb, const char *const *names, const int *ndim, const int64_t *shape,
                   const double *const *data, double *theta, char *err, size_t errlen)
{
    dnc_problem_t p;
    char name[32], label[96];
    slong b, got[2];
    int i, r = DNC_FLAT_OK, *seen;
    if (read_problem(p, problem, err, errlen) != DNC_FLAT_OK)
        return DNC_FLAT_BAD_INPUT;
    seen = flint_calloc(nblocks(p), sizeof(int));
    for (i = 0; i < nb && r == DNC_FLAT_OK; i++) {
        for (b = 0; b < nblocks(p) && strcmp(names[i], dnc_param_block_name(name, p->L, b)) != 0; b++)
            ;
        snprintf(label, sizeof(label), "point['%.40s']", names[i]);
        got[0] = shape[2 * i];
        got[1] = shape[2 * i + 1];
        if (b == nblocks(p))
            r = dnc_fail(err, errlen, "%s: not a parameter block of this problem (H1, W1..W%ld%s)", label, (long) p->L,
                         p->bias == DNC_BIAS_FREE ? ", b" : "; a bias b needs bias='free'");
        else if (seen[b]++)
            r = dnc_fail(err, errlen, "%s: given twice", label);
        else if (ndim[i] != 1 && ndim[i] != 2)
            r = dnc_fail(err, errlen, "%s has %d dimensions; a block is a matrix (a vector for b)", label, ndim[i]);
        else if (dnc_point_check_block(data[i], ndim[i], got, p, b, label, err, errlen) != 0)
            r = -1;
        else
            memcpy(theta + dnc_param_offset(p, p->N, dnc_param_block_kind(p->L, b), b), data[i],
                   got[0] * got[1] * sizeof(double));
    }
    for (b = 0; b < nblocks(p) && r == DNC_FLAT_OK; b++)
        if (!seen[b])
            r = dnc_fail(err, errlen, "point: no array '%s' (the problem has H1, W1..W%ld%s)",
                         dnc_param_block_name(name, p->L, b), (long) p->L, p->bias == DNC_BIAS_FREE ? ", b" : "");
    flint_free(seen);
    dnc_problem_clear(p);
    return r == DNC_FLAT_OK ? DNC_FLAT_OK : DNC_FLAT_BAD_INPUT;
}

/* ---- options: a JSON object of known keys ---- */

typedef enum { OPT_REAL, OPT_INT, OPT_BOOL, OPT_STRING } opt_type;

/* One option: its key, its type, where it goes (double *, slong *, int *, const char **:
 * borrowed from the JSON object) and, for an integer, its range. */
typedef struct {
    const char *key;
    opt_type type;
    void *x;
    slong lo, hi;
} opt_spec;

static int read_opt(const opt_spec *s, const json_t *v, char *err, size_t errlen)
{
    switch (s->type) {
    case OPT_REAL:
        if (!json_is_number(v))
            return dnc_fail(err, errlen, "%s: must be a number", s->key);
        *(double *) s->x = json_number_value(v);
        return 0;
    case OPT_INT:
        if (!json_is_integer(v) || json_integer_value(v) < s->lo || json_integer_value(v) > s->hi)
            return dnc_fail(err, errlen, "%s: must be an integer in [%ld, %ld]", s->key, (long) s->lo, (long) s->hi);
        *(slong *) s->x = (slong) json_integer_value(v);
        return 0;
    case OPT_BOOL:
        if (!json_is_boolean(v))
            return dnc_fail(err, errlen, "%s: must be true or false", s->key);
        *(int *) s->x = json_is_true(v);
        return 0;
    default:
        if (!json_is_string(v))
            return dnc_fail(err, errlen, "%s: must be a string", s->key);
        *(const char **) s->x = json_string_value(v);
        return 0;
    }
}

/* Reads the options of o by the table spec (n entries): an unknown key is an error, so that
 * a misspelt option is not silently left at its default; an option not given keeps the
 * value its destination has. */
static int read_opts(const json_t *o, const opt_spec *spec, size_t n, char *err, size_t errlen)
{
    const char *key;
    json_t *v;
    size_t i;
    json_object_foreach((json_t *) o, key, v) {
        for (i = 0; i < n && strcmp(spec[i].key, key) != 0; i++)
            ;
        if (i == n)
            return dnc_fail(err, errlen, "unknown option '%s'", key);
        if (read_opt(spec + i, v, err, errlen) != 0)
            return -1;
    }
    return 0;
}

static int rank_tol_ok(double rank_tol, char *err, size_t errlen)
{
    if (rank_tol > 0 && rank_tol <= 1)
        return 0;
    return dnc_fail(err, errlen, "rank_tol: must be a number in (0, 1] (got %g)", rank_tol);
}

static int read_optimizer(dnc_optimizer_t *opt, const char *s, char *err, size_t errlen)
{
    if (s == NULL)
        return 0;
    if (strcmp(s, "gd") == 0)
        *opt = DNC_OPT_GD;
    else if (strcmp(s, "momentum") == 0)
        *opt = DNC_OPT_MOMENTUM;
    else if (strcmp(s, "lbfgs") == 0)
        *opt = DNC_OPT_LBFGS;
    else
        return dnc_fail(err, errlen, "optimizer: must be 'gd', 'momentum' or 'lbfgs' (got '%s')", s);
    return 0;
}

/* The training options from their JSON text; their ranges are dnc_train_opts_check's (the
 * integers are read wide for that). */
static int read_train_options(dnc_train_opts *t, double *rank_tol, slong *log_every, const char *text, char *err,
                              size_t errlen)
{
    json_t *o = parse(text, "options", err, errlen);
    const char *optimizer = NULL;
    slong seed, threads = 1;
    opt_spec spec[] = {
        { "seed", OPT_INT, &seed, 0, WORD_MAX }, { "init_std", OPT_REAL, &t->init_std, 0, 0 },
        { "optimizer", OPT_STRING, &optimizer, 0, 0 }, { "lr", OPT_REAL, &t->lr, 0, 0 },
        { "momentum", OPT_REAL, &t->momentum, 0, 0 }, { "steps", OPT_INT, &t->steps, WORD_MIN, WORD_MAX },
        { "grad_tol", OPT_REAL, &t->grad_tol, 0, 0 }, { "lbfgs_memory", OPT_INT, &t->lbfgs_memory, WORD_MIN, WORD_MAX },
        { "threads", OPT_INT, &threads, INT_MIN, INT_MAX }, { "rank_tol", OPT_REAL, rank_tol, 0, 0 },
        { "log_every", OPT_INT, log_every, 0, WORD_MAX },
    };
    int r;
    dnc_train_opts_default(t);
    *rank_tol = DNC_RANK_TOL_DEFAULT;
    *log_every = 0;
    seed = (slong) t->seed;
    threads = t->threads;
    r = o == NULL || read_opts(o, spec, sizeof(spec) / sizeof(spec[0]), err, errlen)
        || read_optimizer(&t->optimizer, optimizer, err, errlen) ? -1 : 0;
    json_decref(o);
    t->seed = (ulong) seed;
    t->threads = (int) threads;
    return r == 0 && (dnc_train_opts_check(t, err, errlen) || rank_tol_ok(*rank_tol, err, errlen)) ? -1 : r;
}

/* ---- train ---- */

static void keep_record(const json_t *rec, void *ctx)
{
    json_array_append((json_t *) ctx, (json_t *) rec);
}

/* Runs the trainer t by dnc_train_run (no run directory) and copies its final point to
 * theta; records are kept in recs every log_every steps (none for 0). */
static int run(dnc_trainer_t t, slong log_every, double rank_tol, json_t *recs, double *theta, char **summary,
               char *err, size_t errlen)
{
    dnc_train_run_opts ro;
    dnc_classification cls;
    json_t *s;
    dnc_train_run_opts_default(&ro);
    ro.log_every = log_every > 0 ? log_every : WORD_MAX;
    ro.rank_tol = rank_tol;
    ro.on_record = log_every > 0 ? keep_record : NULL;
    ro.ctx = recs;
    if (dnc_train_run(t, &ro, &s, &cls, err, errlen) != 0) {   /* only writing a directory can fail */
        json_decref(s);
        return DNC_FLAT_FAILED;
    }
    *summary = dump(s);
    memcpy(theta, t->theta, t->n * sizeof(double));
    if (t->stop != DNC_STOP_DIVERGED)
        return DNC_FLAT_OK;
    dnc_fail(err, errlen, "diverged at step %ld (loss %g, gradient norm %g); try a smaller lr%s", (long) t->step,
             t->loss, t->grad_norm, t->step <= 1 ? " or init_std" : "");
    return DNC_FLAT_FAILED;
}

int dnc_flat_train(const char *problem, const char *options, const double *init, double *theta, char **summary,
                   char **records, char *err, size_t errlen)
{
    dnc_problem_t p;
    dnc_train_opts o;
    dnc_trainer_t t;
    double rank_tol;
    slong log_every;
    json_t *recs = json_array();
    int r;
    *summary = NULL;
    if (records != NULL)
        *records = NULL;
    if (read_problem(p, problem, err, errlen) != DNC_FLAT_OK) {
        json_decref(recs);
        return DNC_FLAT_BAD_INPUT;
    }
    if (dnc_problem_check_double(p, NULL, err, errlen) != 0
        || read_train_options(&o, &rank_tol, &log_every, options, err, errlen) != 0)
        r = DNC_FLAT_BAD_INPUT;
    else if (dnc_trainer_init_point(t, p, &o, init) != 0) {
        dnc_fail(err, errlen, "not enough memory for this problem");
        r = DNC_FLAT_FAILED;
    } else {
        if (t->stop == DNC_STOP_DIVERGED) {   /* nothing has run yet: the start is the caller's choice */
            dnc_fail(err, errlen, "%s: the loss or gradient of the %s point is not finite in double precision "
                     "(loss %g, gradient norm %g)", init != NULL ? "init" : "init_std",
                     init != NULL ? "given" : "initial", t->loss, t->grad_norm);
            r = DNC_FLAT_BAD_INPUT;
        } else
            r = run(t, log_every, rank_tol, recs, theta, summary, err, errlen);
        dnc_trainer_clear(t);
    }
    if (records != NULL && *summary != NULL)
        *records = dump(recs);
    else
        json_decref(recs);
    dnc_problem_clear(p);
    return r;
}

/* ---- evaluate ---- */

int dnc_flat_evaluate(const char *problem, const double *theta, double rank_tol, double *grad, char **out,
                      char *err, size_t errlen)
{
    dnc_problem_t p;
    dnc_classify_tol tol;
    json_t *o;
    int r;
    *out = NULL;
    if (read_problem(p, problem, err, errlen) != DNC_FLAT_OK)
        return DNC_FLAT_BAD_INPUT;
    if (dnc_problem_check_double(p, NULL, err, errlen) != 0
        || rank_tol_ok(rank_tol, err, errlen) != 0) {
        dnc_problem_clear(p);
        return DNC_FLAT_BAD_INPUT;
    }
    dnc_classify_tol_default(&tol);
    r = dnc_point_metrics_json(&o, p, theta, rank_tol, grad, &tol, err, errlen);
    if (r > 0)
        dnc_fail(err, errlen, "a singular value decomposition of the metrics failed");
    *out = dump(o);
    dnc_problem_clear(p);
    return r == 0 ? DNC_FLAT_OK : DNC_FLAT_FAILED;
}

/* ---- closed forms ---- */

int dnc_flat_closed_form(const char *structure, const char *problem, long param, int embed, long prec, int compare,
                         double *theta, char **out, char *err, size_t errlen)
{
    dnc_problem_t p;
    json_t *o;
    double *x = NULL;
    int consistent, r;
    *out = NULL;
    if (prec < DNC_PREC_MIN || prec > (1L << 20)) {
        dnc_fail(err, errlen, "prec: must be an integer in [%d, %ld] (got %ld)", DNC_PREC_MIN, 1L << 20, prec);
        return DNC_FLAT_BAD_INPUT;
    }
    if (read_problem(p, problem, err, errlen) != DNC_FLAT_OK)
        return DNC_FLAT_BAD_INPUT;
    if (dnc_closed_form_json(&o, &consistent, theta != NULL ? &x : NULL, structure, p, param, embed != 0, prec,
                             compare != 0, err, errlen) != 0)
        r = DNC_FLAT_BAD_INPUT;
    else if (theta != NULL && x == NULL) {
        dnc_fail(err, errlen, "not enough memory for the expanded point");
        r = DNC_FLAT_FAILED;
    } else {
        r = consistent ? DNC_FLAT_OK : DNC_FLAT_FAILED;
        if (!consistent)
            dnc_fail(err, errlen, "the explicit point's ball evaluation does not confirm the closed-form value");
        if (theta != NULL)
            memcpy(theta, x, nparams(p) * sizeof(double));
    }
    free(x);
    *out = dump(o);
    dnc_problem_clear(p);
    return r;
}

/* ---- certify a point ---- */

static json_t *stage_json(const dnc_point_cert *c, slong i, slong digits, slong prec)
{
    const dnc_point_report *r = c->r + i;
    json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:b}", "name", c->name[i],
                          "loss", dnc_json_enclosure(r->loss, digits), "fit", dnc_json_enclosure(r->fit, digits),
                          "reg", dnc_json_enclosure(r->reg, digits), "grad_abs", dnc_json_real(r->grad_abs),
                          "grad_rad", dnc_json_real(r->grad_rad), "kinks", (json_int_t) r->nkinks,
                          "same_as_previous", i > 0 && c->same[i]);
    if (i > 0) {
        arb_t d;
        json_t *ch;
        arb_init(d);
        arb_sub(d, r->loss, c->r[i - 1].loss, prec + 64);
        ch = dnc_json_enclosure(d, digits);
        json_object_set_new(ch, "sign", json_string(c->same[i] ? "none" : arb_is_positive(d) ? "up"
                                                    : arb_is_negative(d) ? "down" : "not decided"));
        json_object_set_new(o, "change", ch);
        arb_clear(d);
    }
    return o;
}

static json_t *cert_json(const dnc_point_cert *c, const dnc_problem_t p, const dnc_point_cert_opts *co, const char *path)
{
    static const char *verdicts[] = { "no comparison", "not proven", "certified" };
    slong prec = co->prec, digits = dnc_cert_claim_digits(prec), i;
    json_t *stages = json_array(), *o;
    char desc[512];
    for (i = 0; i < c->nstages; i++)
        json_array_append_new(stages, stage_json(c, i, digits, prec));
    dnc_problem_describe(p, desc, sizeof(desc));
    o = json_pack("{s:s, s:I, s:I, s:o}", "description", desc, "nparams", (json_int_t) nparams(p),
                  "prec", (json_int_t) prec, "stages", stages);
    if (co->polish)
        json_object_set_new(o, "polish", json_pack("{s:I, s:I, s:f, s:s}", "steps", (json_int_t) c->polish.steps,
                            "evaluations", (json_int_t) c->polish.evals, "seconds", c->polish_seconds,
                            "stopped", c->polish.stop));
    json_object_set_new(o, "dnc", c->verdict >= 0 ? dnc_json_enclosure(c->dnc_value, digits) : json_null());
    json_object_set_new(o, "verdict", json_string(verdicts[c->verdict + 1]));
    json_object_set_new(o, "why", json_string(c->why));
    json_object_set_new(o, "claims", json_integer((json_int_t) json_array_size(json_object_get(c->cert, "claims"))));
    json_object_set_new(o, "path", path != NULL ? json_string(path) : json_null());
    if (path == NULL)
        json_object_set(o, "certificate", c->cert);
    return o;
}

static int read_cert_options(dnc_point_cert_opts *co, const char **iface, json_t *o, char *err, size_t errlen)
{
    opt_spec spec[] = {
        { "project_collapse", OPT_BOOL, &co->project_collapse, 0, 0 }, { "polish", OPT_BOOL, &co->polish, 0, 0 },
        { "polish_steps", OPT_INT, &co->polish_steps, 1, 100000 },
        { "prec", OPT_INT, &co->prec, DNC_PREC_MIN, DNC_PREC_MAX }, { "interface", OPT_STRING, iface, 0, 0 },
    };
    dnc_point_cert_opts_default(co);
    *iface = "flat";
    if (read_opts(o, spec, sizeof(spec) / sizeof(spec[0]), err, errlen) != 0)
        return -1;
    if (json_object_get(o, "polish_steps") != NULL && !co->polish)
        return dnc_fail(err, errlen, "polish_steps: applies only with polish");
    return 0;
}

int dnc_flat_certify(const char *problem, const double *theta, const char *options, const char *path, char **out,
                     char *err, size_t errlen)
{
    dnc_problem_t p;
    dnc_point_cert_opts co;
    dnc_point_cert c;
    const char *iface;
    json_t *o = NULL;
    slong i;
    int r;
    *out = NULL;
    if (read_problem(p, problem, err, errlen) != DNC_FLAT_OK)
        return DNC_FLAT_BAD_INPUT;
    if ((o = parse(options, "options", err, errlen)) == NULL || read_cert_options(&co, &iface, o, err, errlen)) {
        json_decref(o);
        dnc_problem_clear(p);
        return DNC_FLAT_BAD_INPUT;
    }
    for (i = 0; i < nparams(p); i++)
        if (!isfinite(theta[i])) {
            dnc_fail(err, errlen, "point: entry %ld of theta is not finite; a point must be finite", (long) i);
            json_decref(o);
            dnc_problem_clear(p);
            return DNC_FLAT_BAD_INPUT;
        }
    co.no_file = path == NULL;   /* the certificate comes back as text: its point inline */
    if (dnc_point_cert_run(&c, p, theta, &co, json_pack("{s:s, s:s, s:s, s:s}", "program", "dncert", "version",
                           DNCERT_VERSION, "command", "certify-point", "interface", iface)) != 0) {
        dnc_fail(err, errlen, "%s", c.why);
        json_decref(o);
        dnc_point_cert_clear(&c);
        dnc_problem_clear(p);
        return DNC_FLAT_FAILED;
    }
    json_decref(o);
    if (path != NULL)
        r = dnc_point_cert_write(&c, path, err, errlen) == 0 ? DNC_FLAT_OK : DNC_FLAT_FAILED;
    else
        r = dnc_cert_self_check(c.cert, "certificate", err, errlen) == 0 ? DNC_FLAT_OK : DNC_FLAT_FAILED;
    *out = dump(cert_json(&c, p, &co, path));
    dnc_point_cert_clear(&c);
    dnc_problem_clear(p);
    return r;
}
