/* The grid of a sweep: option parsing, canonical form, expansion into runs, run ids. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"
#include "dncert/problem.h"
#include "dncert/sweep.h"

const char *const dnc_sweep_train_names[DNC_SWEEP_NTRAIN] = {
    "optimizer", "lr", "momentum", "steps", "grad-tol", "init-std", "log-every"
};

static int cmp_slong(const void *a, const void *b)
{
    slong x = *(const slong *) a, y = *(const slong *) b;
    return (x > y) - (x < y);
}

/* One item of an integer list: "a", "a-b" or "a-b:step"; appends its values to v. */
static int parse_int_item(slong **v, slong *n, const char *item, const char *opt, slong lo, slong hi,
                          char *err, size_t len)
{
    char buf[64], *dash, *colon;
    slong a, b, step = 1, x;
    if (strlen(item) >= sizeof(buf))
        return dnc_fail(err, len, "--%s: '%s' is too long", opt, item);
    strcpy(buf, item);
    colon = strchr(buf, ':');
    dash = strchr(buf, '-');
    if (colon != NULL)
        *colon = '\0';
    if (dash != NULL)
        *dash = '\0';
    if (dnc_parse_slong(&a, buf, lo, hi) != 0
        || (dash != NULL && dnc_parse_slong(&b, dash + 1, lo, hi) != 0)
        || (colon != NULL && (dash == NULL || dnc_parse_slong(&step, colon + 1, 1, hi) != 0)))
        return dnc_fail(err, len, "--%s: '%s' is not an integer in [%ld, %ld], a range A-B or A-B:STEP",
                    opt, item, (long) lo, (long) hi);
    if (dash == NULL)
        b = a;
    if (b < a)
        return dnc_fail(err, len, "--%s: the range '%s' is empty", opt, item);
    if ((b - a) / step + 1 > DNC_SWEEP_MAX_RUNS - *n)
        return dnc_fail(err, len, "--%s: more than %d values", opt, DNC_SWEEP_MAX_RUNS);
    *v = flint_realloc(*v, (*n + (b - a) / step + 1) * sizeof(slong));
    for (x = a; x <= b; x += step) {
        (*v)[(*n)++] = x;
        if (x > b - step)
            break;      /* x + step would overflow near WORD_MAX */
    }
    return 0;
}

/* Splits s at commas and calls item() on each piece; empty pieces are an error. */
typedef int (*item_fn)(void *ctx, const char *item);

static int for_each_item(const char *s, const char *opt, item_fn fn, void *ctx, char *err, size_t len)
{
    char *copy = strdup(s), *p = copy, *comma;
    int r = 0;
    if (*s == '\0')
        r = dnc_fail(err, len, "--%s: empty list", opt);
    while (r == 0 && p != NULL) {
        comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        if (*p == '\0')
            r = dnc_fail(err, len, "--%s: empty item in '%s'", opt, s);
        else
            r = fn(ctx, p);
        p = comma != NULL ? comma + 1 : NULL;
    }
    free(copy);
    return r;
}

typedef struct {
    slong *v, n, lo, hi;
    const char *opt;
    char *err;
    size_t len;
} int_list;

static int int_item(void *ctx, const char *item)
{
    int_list *l = ctx;
    return parse_int_item(&l->v, &l->n, item, l->opt, l->lo, l->hi, l->err, l->len);
}

/* An integer axis: values and ranges, each in [lo, hi], no value twice (run ids would
 * collide). */
static int parse_int_axis(slong **v, slong *n, const char *s, const char *opt, slong lo, slong hi,
                          char *err, size_t len)
{
    int_list l = { NULL, 0, lo, hi, opt, err, len };
    slong *sorted, i;
    int r = for_each_item(s, opt, int_item, &l, err, len);
    *v = l.v;
    *n = l.n;
    if (r != 0)
        return r;
    sorted = flint_malloc(l.n * sizeof(slong));
    memcpy(sorted, l.v, l.n * sizeof(slong));
    qsort(sorted, l.n, sizeof(slong), cmp_slong);
    for (i = 1; i < l.n && r == 0; i++)
        if (sorted[i] == sorted[i - 1])
            r = dnc_fail(err, len, "--%s: %ld appears twice", opt, (long) sorted[i]);
    flint_free(sorted);
    return r;
}

int dnc_sweep_lambda_text(char *buf, size_t len, const fmpq_t q)
{
    char *d = dnc_fmpq_decimal_floor(q, 40), *t;
    fmpq_t back;
    size_t n = strlen(d);
    fmpq_init(back);
    if (strchr(d, '.') != NULL) {
        while (d[n - 1] == '0')
            d[--n] = '\0';
        if (d[n - 1] == '.')
            d[--n] = '\0';
    }
    /* a decimal that terminates within 40 digits is exact; otherwise the fraction is */
    t = dnc_parse_rational(back, d) == 0 && fmpq_equal(back, q) ? d : dnc_rational_get_str(q);
    n = (size_t) snprintf(buf, len, "%s", t);
    if (t != d)
        flint_free(t);
    flint_free(d);
    fmpq_clear(back);
    return n < len ? 0 : -1;
}

typedef struct {
    dnc_sweep_spec *s;
    char *err;
    size_t len;
} lambda_list;

static int lambda_item(void *ctx, const char *item)
{
    lambda_list *l = ctx;
    dnc_sweep_spec *s = l->s;
    fmpq_t q;
    slong i;
    int r = 0;
    fmpq_init(q);
    if (dnc_parse_rational(q, item) != 0 || fmpq_sgn(q) <= 0)
        r = dnc_fail(l->err, l->len, "--lambda: must be a positive rational, e.g. 0.004 or 1/250 (got '%s')", item);
    else if (dnc_check_normal_double(q, "--lambda", l->err, l->len) != 0)
        r = -1;
    else if (s->nlambda >= DNC_SWEEP_MAX_RUNS)
        r = dnc_fail(l->err, l->len, "--lambda: more than %d values", DNC_SWEEP_MAX_RUNS);
    else {
        s->lambda = flint_realloc(s->lambda, (s->nlambda + 1) * sizeof(*s->lambda));
        if (dnc_sweep_lambda_text(s->lambda[s->nlambda], DNC_SWEEP_LAMBDA_LEN, q) != 0)
            r = dnc_fail(l->err, l->len, "--lambda: '%s' is too long as an exact number", item);
        for (i = 0; i < s->nlambda && r == 0; i++)
            if (strcmp(s->lambda[i], s->lambda[s->nlambda]) == 0)
                r = dnc_fail(l->err, l->len, "--lambda: %s appears twice", s->lambda[i]);
        s->nlambda += r == 0;
    }
    fmpq_clear(q);
    return r;
}

static int parse_shard(dnc_sweep_spec *s, const char *text, char *err, size_t len)
{
    char buf[64], *slash;
    s->shard = s->nshards = 1;
    if (text == NULL)
        return 0;
    snprintf(buf, sizeof(buf), "%s", text);
    slash = strchr(buf, '/');
    if (slash != NULL)
        *slash = '\0';
    if (slash == NULL || strlen(text) >= sizeof(buf)
        || dnc_parse_slong(&s->nshards, slash + 1, 1, DNC_SWEEP_MAX_RUNS) != 0
        || dnc_parse_slong(&s->shard, buf, 1, s->nshards) != 0)
        return dnc_fail(err, len, "--shard: must be I/N with integers 1 <= I <= N <= %d (got '%s')",
                    DNC_SWEEP_MAX_RUNS, text);
    return 0;
}

/* Fixed problem options: single values, since K and L vary over the grid. */
static int parse_fixed(dnc_sweep_spec *s, const dnc_sweep_args *a, char *err, size_t len)
{
    const char *act = a->activation ? a->activation : "relu", *bias = a->bias ? a->bias : "none";
    const char *loss = a->loss ? a->loss : "mse";
    if (dnc_parse_slong(&s->n, a->n ? a->n : "5", 1, DNC_MAX_COUNT) != 0)
        return dnc_fail(err, len, "--n: must be one integer in [1, %d], the count of every class (got '%s')",
                    DNC_MAX_COUNT, a->n);
    if (strcmp(act, "relu") != 0 && strcmp(act, "linear") != 0)
        return dnc_fail(err, len, "--activation: must be relu or linear, one value for every hidden layer (got '%s')", act);
    if (strcmp(bias, "none") != 0 && strcmp(bias, "free") != 0)
        return dnc_fail(err, len, "--bias: must be none or free (got '%s')", bias);
    if (strcmp(loss, "mse") != 0 && strcmp(loss, "ce") != 0)
        return dnc_fail(err, len, "--loss: must be mse or ce (got '%s')", loss);
    strcpy(s->activation, act);
    strcpy(s->bias, bias);
    strcpy(s->loss, loss);
    return 0;
}

/* Problem option strings of one grid point (K, L, width, lambda). */
typedef struct {
    char K[24], L[24], width[24], n[24], seed[24];
} run_text;

static void run_text_set(run_text *t, const dnc_sweep_spec *s, const dnc_sweep_run *r)
{
    snprintf(t->K, sizeof(t->K), "%ld", (long) r->K);
    snprintf(t->L, sizeof(t->L), "%ld", (long) r->L);
    snprintf(t->width, sizeof(t->width), "%ld", (long) r->width);
    snprintf(t->n, sizeof(t->n), "%ld", (long) s->n);
    snprintf(t->seed, sizeof(t->seed), "%ld", (long) r->seed);
}

int dnc_sweep_run_problem(dnc_problem_t p, const dnc_sweep_spec *s, const dnc_sweep_run *r, char *err, size_t errlen)
{
    dnc_problem_args a;
    run_text t;
    run_text_set(&t, s, r);
    memset(&a, 0, sizeof(a));
    a.K = t.K; a.n = t.n; a.L = t.L; a.width = t.width;
    a.activation = s->activation; a.bias = s->bias; a.lambda = r->lambda; a.loss = s->loss;
    if (dnc_problem_set_args(p, &a, err, errlen) != 0)
        return -1;
    return dnc_problem_check_double(p, &a, err, errlen);
}

/* Every grid point must be a problem train accepts; the seed plays no role. */
static int validate_problems(const dnc_sweep_spec *s, char *err, size_t len)
{
    slong k, l, w, m;
    int r = 0;
    for (k = 0; k < s->nK; k++)
        for (l = 0; l < s->nL; l++)
            for (w = 0; w < s->nwidth; w++)
                for (m = 0; m < s->nlambda && r == 0; m++) {
                    dnc_sweep_run run = { "", 0, s->K[k], s->L[l], s->width[w], 0, "" };
                    dnc_problem_t p;
                    strcpy(run.lambda, s->lambda[m]);
                    dnc_problem_init(p);
                    r = dnc_sweep_run_problem(p, s, &run, err, len);
                    dnc_problem_clear(p);
                }
    return r;
}

static int parse_axes(dnc_sweep_spec *s, const dnc_sweep_args *a, char *err, size_t len)
{
    lambda_list ll = { s, err, len };
    slong total;
    if (parse_int_axis(&s->K, &s->nK, a->K ? a->K : "2", "K", 2, DNC_MAX_K, err, len)
        || parse_int_axis(&s->L, &s->nL, a->L ? a->L : "3", "L", 1, DNC_MAX_L, err, len)
        || parse_int_axis(&s->width, &s->nwidth, a->width ? a->width : "10", "width", 1, DNC_MAX_WIDTH, err, len)
        || for_each_item(a->lambda ? a->lambda : "0.004", "lambda", lambda_item, &ll, err, len)
        || parse_int_axis(&s->seed, &s->nseed, a->seeds ? a->seeds : "1", "seeds", 0, WORD_MAX, err, len))
        return -1;
    total = s->nK * s->nL;
    total = total > DNC_SWEEP_MAX_RUNS ? total : total * s->nwidth;
    total = total > DNC_SWEEP_MAX_RUNS ? total : total * s->nlambda;
    total = total > DNC_SWEEP_MAX_RUNS ? total : total * s->nseed;
    if (total > DNC_SWEEP_MAX_RUNS)
        return dnc_fail(err, len, "--seeds: the grid has more than %d runs", DNC_SWEEP_MAX_RUNS);
    return 0;
}

int dnc_sweep_spec_set(dnc_sweep_spec *s, const dnc_sweep_args *a, char *err, size_t errlen)
{
    int i;
    memset(s, 0, sizeof(*s));
    for (i = 0; i < DNC_SWEEP_NTRAIN; i++)
        s->train[i] = a->train[i] ? strdup(a->train[i]) : NULL;
    if (parse_axes(s, a, err, errlen) || parse_fixed(s, a, err, errlen) || parse_shard(s, a->shard, err, errlen)
        || validate_problems(s, err, errlen))
        return -1;
    if (s->nshards > dnc_sweep_count(s))
        return dnc_fail(err, errlen, "--shard: %ld shards for a grid of %ld runs would leave shards empty",
                    (long) s->nshards, (long) dnc_sweep_count(s));
    return 0;
}

void dnc_sweep_spec_clear(dnc_sweep_spec *s)
{
    int i;
    flint_free(s->K);
    flint_free(s->L);
    flint_free(s->width);
    flint_free(s->seed);
    flint_free(s->lambda);
    for (i = 0; i < DNC_SWEEP_NTRAIN; i++)
        free(s->train[i]);
    memset(s, 0, sizeof(*s));
}

slong dnc_sweep_count(const dnc_sweep_spec *s)
{
    return s->nK * s->nL * s->nwidth * s->nlambda * s->nseed;
}

static void run_id(dnc_sweep_run *r)
{
    char lam[DNC_SWEEP_LAMBDA_LEN], *c;
    strcpy(lam, r->lambda);
    for (c = lam; *c; c++)
        if (*c == '/')
            *c = '_';      /* "1/3" -> "1_3": ids name directories */
    snprintf(r->id, sizeof(r->id), "K%ld-L%ld-w%ld-lambda%s-s%ld", (long) r->K, (long) r->L,
             (long) r->width, lam, (long) r->seed);
}

slong dnc_sweep_runs(dnc_sweep_run **runs, const dnc_sweep_spec *s, int shard_only)
{
    slong total = dnc_sweep_count(s), n = 0, i, k, l, w, m, z;
    *runs = flint_malloc((total > 0 ? total : 1) * sizeof(dnc_sweep_run));
    i = 0;
    for (k = 0; k < s->nK; k++)
        for (l = 0; l < s->nL; l++)
            for (w = 0; w < s->nwidth; w++)
                for (m = 0; m < s->nlambda; m++)
                    for (z = 0; z < s->nseed; z++, i++) {
                        dnc_sweep_run *r = *runs + n;
                        if (shard_only && i % s->nshards != s->shard - 1)
                            continue;
                        r->index = i;
                        r->K = s->K[k];
                        r->L = s->L[l];
                        r->width = s->width[w];
                        r->seed = s->seed[z];
                        strcpy(r->lambda, s->lambda[m]);
                        run_id(r);
                        n++;
                    }
    return n;
}

/* ---- canonical JSON form ---- */

static json_t *int_list_json(const slong *v, slong n)
{
    size_t cap = (size_t) n * 21 + 1, used = 0;
    char *buf = flint_malloc(cap);
    json_t *j;
    slong i;
    buf[0] = '\0';
    for (i = 0; i < n; i++)
        used += (size_t) snprintf(buf + used, cap - used, "%s%ld", i ? "," : "", (long) v[i]);
    j = json_string(buf);
    flint_free(buf);
    return j;
}

json_t *dnc_sweep_spec_to_json(const dnc_sweep_spec *s)
{
    json_t *o = json_object();
    char buf[64], *lam;
    size_t used;
    slong i;
    int t;
    json_object_set_new(o, "K", int_list_json(s->K, s->nK));
    json_object_set_new(o, "L", int_list_json(s->L, s->nL));
    json_object_set_new(o, "width", int_list_json(s->width, s->nwidth));
    lam = flint_malloc(s->nlambda * (DNC_SWEEP_LAMBDA_LEN + 1) + 1);
    for (i = 0, used = 0; i < s->nlambda; i++)
        used += (size_t) sprintf(lam + used, "%s%s", i ? "," : "", s->lambda[i]);
    lam[used] = '\0';
    json_object_set_new(o, "lambda", json_string(lam));
    flint_free(lam);
    json_object_set_new(o, "seeds", int_list_json(s->seed, s->nseed));
    snprintf(buf, sizeof(buf), "%ld", (long) s->n);
    json_object_set_new(o, "n", json_string(buf));
    json_object_set_new(o, "activation", json_string(s->activation));
    json_object_set_new(o, "bias", json_string(s->bias));
    if (strcmp(s->loss, "mse") != 0)   /* absent means mse: sweep.json of earlier sweeps reads the same */
        json_object_set_new(o, "loss", json_string(s->loss));
    for (t = 0; t < DNC_SWEEP_NTRAIN; t++)
        if (s->train[t] != NULL)
            json_object_set_new(o, dnc_sweep_train_names[t], json_string(s->train[t]));
    snprintf(buf, sizeof(buf), "%ld/%ld", (long) s->shard, (long) s->nshards);
    json_object_set_new(o, "shard", json_string(buf));
    return o;
}

int dnc_sweep_spec_from_json(dnc_sweep_spec *s, const json_t *options, char *err, size_t errlen)
{
    dnc_sweep_args a;
    const char *key;
    json_t *v;
    int t;
    memset(&a, 0, sizeof(a));
    memset(s, 0, sizeof(*s));
    if (!json_is_object(options))
        return dnc_fail(err, errlen, "\"options\" must be an object");
    json_object_foreach((json_t *) options, key, v) {
        const char **slot = NULL;
        if (!json_is_string(v))
            return dnc_fail(err, errlen, "option \"%s\" must be a string", key);
        slot = strcmp(key, "K") == 0 ? &a.K : strcmp(key, "L") == 0 ? &a.L : strcmp(key, "width") == 0 ? &a.width
             : strcmp(key, "lambda") == 0 ? &a.lambda : strcmp(key, "seeds") == 0 ? &a.seeds
             : strcmp(key, "n") == 0 ? &a.n : strcmp(key, "activation") == 0 ? &a.activation
             : strcmp(key, "bias") == 0 ? &a.bias : strcmp(key, "loss") == 0 ? &a.loss
             : strcmp(key, "shard") == 0 ? &a.shard : NULL;
        for (t = 0; t < DNC_SWEEP_NTRAIN && slot == NULL; t++)
            if (strcmp(key, dnc_sweep_train_names[t]) == 0)
                slot = &a.train[t];
        if (slot == NULL)
            return dnc_fail(err, errlen, "unknown option \"%s\"", key);
        *slot = json_string_value(v);
    }
    return dnc_sweep_spec_set(s, &a, err, errlen);
}

/* Option `key` is the same in both (both absent counts as the same: the default). */
static int same_option(const json_t *a, const json_t *b, const char *key)
{
    const json_t *x = json_object_get(a, key), *y = json_object_get(b, key);
    return x == NULL ? y == NULL : y != NULL && json_equal(x, y);
}

const char *dnc_sweep_spec_diff(const dnc_sweep_spec *a, const dnc_sweep_spec *b, int ignore_shard)
{
    static const char *const keys[] = { "K", "L", "width", "lambda", "seeds", "n", "activation", "bias", "loss",
                                        "shard" };
    json_t *ja = dnc_sweep_spec_to_json(a), *jb = dnc_sweep_spec_to_json(b);
    const char *diff = NULL;
    size_t i;
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && diff == NULL; i++)
        if (!(ignore_shard && strcmp(keys[i], "shard") == 0) && !same_option(ja, jb, keys[i]))
            diff = keys[i];
    for (i = 0; i < DNC_SWEEP_NTRAIN && diff == NULL; i++)
        if (!same_option(ja, jb, dnc_sweep_train_names[i]))
            diff = dnc_sweep_train_names[i];
    json_decref(ja);
    json_decref(jb);
    return diff;
}
