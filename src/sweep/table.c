/* The results table of a sweep: one row per run, as CSV and as JSON lines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"
#include "dncert/sweep.h"
#include "sweep_priv.h"

const char *const dnc_sweep_columns[] = {
    "run_id", "K", "L", "width", "lambda", "seed", "n", "loss_fn", "loss", "fit", "reg", "grad_norm",
    "class", "rank_profile", "status", "steps", "seconds", NULL
};

static void row_unknown(dnc_sweep_row *row)
{
    row->loss = row->fit = row->reg = row->grad_norm = row->seconds = NAN;
    row->steps = -1;
    row->cls[0] = row->profile[0] = '\0';
    strcpy(row->status, "failed");
}

double _dnc_sweep_json_number(const json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* "10|6>10|7>10|7>10": per layer the rank of the class means before the activation '>'
 * after it; layer 1 (the free features H1) has no activation, hence only one number. */
static void profile_text(char *buf, size_t len, const json_t *pre, const json_t *post)
{
    size_t i, used = 0;
    buf[0] = '\0';
    for (i = 0; i < json_array_size(post) && used < len; i++) {
        const json_t *a = json_array_get(pre, i), *b = json_array_get(post, i);
        if (json_is_integer(a))
            used += (size_t) snprintf(buf + used, len - used, "%s%ld>%ld", i ? "|" : "",
                                      (long) json_integer_value(a), (long) json_integer_value(b));
        else
            used += (size_t) snprintf(buf + used, len - used, "%s%ld", i ? "|" : "", (long) json_integer_value(b));
    }
}

int dnc_sweep_run_done(const char *rundir)
{
    json_t *s = dnc_run_summary(rundir);
    json_decref(s);
    return s != NULL;
}

void dnc_sweep_row_from_run(dnc_sweep_row *row, const dnc_sweep_run *r, const dnc_sweep_spec *spec, const char *rundir)
{
    json_t *s = dnc_run_summary(rundir), *cls, *prof;
    memset(row, 0, sizeof(*row));
    strcpy(row->id, r->id);
    strcpy(row->lambda, r->lambda);
    strcpy(row->loss_fn, spec->loss);
    row->K = r->K;
    row->L = r->L;
    row->width = r->width;
    row->seed = r->seed;
    row->n = spec->n;
    row_unknown(row);
    if (s == NULL)
        return;
    row->loss = _dnc_sweep_json_number(json_object_get(s, "loss"));
    row->fit = _dnc_sweep_json_number(json_object_get(s, "fit"));
    row->reg = _dnc_sweep_json_number(json_object_get(s, "reg"));
    row->grad_norm = _dnc_sweep_json_number(json_object_get(s, "grad_norm"));
    row->seconds = _dnc_sweep_json_number(json_object_get(s, "seconds"));
    row->steps = json_integer_value(json_object_get(s, "steps"));
    snprintf(row->status, sizeof(row->status), "%s", json_string_value(json_object_get(s, "status")));
    cls = json_object_get(s, "class");
    snprintf(row->cls, sizeof(row->cls), "%s", json_is_string(json_object_get(cls, "class"))
             ? json_string_value(json_object_get(cls, "class")) : "");
    prof = json_object_get(cls, "rank_profile");
    profile_text(row->profile, sizeof(row->profile), json_object_get(prof, "pre"), json_object_get(prof, "post"));
    json_decref(s);
}

slong dnc_sweep_profile_rank(const char *profile, slong l, int pre)
{
    const char *p = profile, *gt, *bar;
    slong i;
    for (i = 1; i < l && p != NULL; i++)
        p = (p = strchr(p, '|')) != NULL ? p + 1 : NULL;
    if (p == NULL || *p == '\0')
        return -1;
    gt = strchr(p, '>');
    bar = strchr(p, '|');
    if (gt != NULL && bar != NULL && gt > bar)
        gt = NULL;
    if (pre)
        return gt != NULL ? atol(p) : -1;
    return atol(gt != NULL ? gt + 1 : p);
}

/* ---- JSON lines ---- */

json_t *dnc_sweep_row_to_json(const dnc_sweep_row *row)
{
    json_t *o = json_object();
    json_object_set_new(o, "run_id", json_string(row->id));
    json_object_set_new(o, "K", json_integer(row->K));
    json_object_set_new(o, "L", json_integer(row->L));
    json_object_set_new(o, "width", json_integer(row->width));
    json_object_set_new(o, "lambda", json_string(row->lambda));
    json_object_set_new(o, "seed", json_integer(row->seed));
    json_object_set_new(o, "n", json_integer(row->n));
    json_object_set_new(o, "loss_fn", json_string(row->loss_fn));
    json_object_set_new(o, "loss", dnc_json_real(row->loss));
    json_object_set_new(o, "fit", dnc_json_real(row->fit));
    json_object_set_new(o, "reg", dnc_json_real(row->reg));
    json_object_set_new(o, "grad_norm", dnc_json_real(row->grad_norm));
    json_object_set_new(o, "class", row->cls[0] ? json_string(row->cls) : json_null());
    json_object_set_new(o, "rank_profile", row->profile[0] ? json_string(row->profile) : json_null());
    json_object_set_new(o, "status", json_string(row->status));
    json_object_set_new(o, "steps", row->steps >= 0 ? json_integer(row->steps) : json_null());
    json_object_set_new(o, "seconds", dnc_json_real(row->seconds));
    return o;
}

/* Copies a string member into buf (size len); "" for null; -1 if neither or too long. */
static int get_text(char *buf, size_t len, const json_t *obj, const char *key, int nullable)
{
    const json_t *v = json_object_get(obj, key);
    if (nullable && json_is_null(v)) {
        buf[0] = '\0';
        return 0;
    }
    return json_is_string(v) && (size_t) snprintf(buf, len, "%s", json_string_value(v)) < len ? 0 : -1;
}

static int get_int(slong *x, const json_t *obj, const char *key, int nullable)
{
    const json_t *v = json_object_get(obj, key);
    *x = json_is_integer(v) ? (slong) json_integer_value(v) : -1;
    return json_is_integer(v) || (nullable && json_is_null(v)) ? 0 : -1;
}

int dnc_sweep_row_from_json(dnc_sweep_row *row, const json_t *o, char *err, size_t errlen)
{
    const char *bad = NULL;
    memset(row, 0, sizeof(*row));
    if (get_text(row->id, sizeof(row->id), o, "run_id", 0)) bad = "run_id";
    else if (get_int(&row->K, o, "K", 0)) bad = "K";
    else if (get_int(&row->L, o, "L", 0)) bad = "L";
    else if (get_int(&row->width, o, "width", 0)) bad = "width";
    else if (get_text(row->lambda, sizeof(row->lambda), o, "lambda", 0)) bad = "lambda";
    else if (get_int(&row->seed, o, "seed", 0)) bad = "seed";
    else if (get_int(&row->n, o, "n", 0)) bad = "n";
    else if (json_object_get(o, "loss_fn") != NULL && get_text(row->loss_fn, sizeof(row->loss_fn), o, "loss_fn", 0))
        bad = "loss_fn";
    else if (get_text(row->cls, sizeof(row->cls), o, "class", 1)) bad = "class";
    else if (get_text(row->profile, sizeof(row->profile), o, "rank_profile", 1)) bad = "rank_profile";
    else if (get_text(row->status, sizeof(row->status), o, "status", 0)) bad = "status";
    else if (get_int(&row->steps, o, "steps", 1)) bad = "steps";
    if (bad != NULL) {
        snprintf(err, errlen, "\"%s\" missing or of the wrong type", bad);
        return -1;
    }
    if (row->loss_fn[0] == '\0')   /* tables written before the column: squared error */
        strcpy(row->loss_fn, "mse");
    row->loss = _dnc_sweep_json_number(json_object_get(o, "loss"));
    row->fit = _dnc_sweep_json_number(json_object_get(o, "fit"));
    row->reg = _dnc_sweep_json_number(json_object_get(o, "reg"));
    row->grad_norm = _dnc_sweep_json_number(json_object_get(o, "grad_norm"));
    row->seconds = _dnc_sweep_json_number(json_object_get(o, "seconds"));
    return 0;
}

/* ---- files ---- */

static json_t *row_json(const void *item)
{
    return dnc_sweep_row_to_json(item);
}

static int row_from(void *item, const json_t *obj, char *err, size_t errlen)
{
    return dnc_sweep_row_from_json(item, obj, err, errlen);
}

/* Doubles with 17 significant digits, as in the JSON lines; unknown values are empty. */
static void csv_real(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, ",%.17g", x);
    else
        fputc(',', f);
}

static int rows_csv(FILE *f, const void *items, slong n)
{
    const dnc_sweep_row *rows = items;
    slong i;
    _dnc_sweep_csv_header(f, dnc_sweep_columns);
    for (i = 0; i < n; i++) {
        const dnc_sweep_row *r = rows + i;
        fprintf(f, "%s,%ld,%ld,%ld,%s,%ld,%ld,%s", r->id, (long) r->K, (long) r->L, (long) r->width, r->lambda,
                (long) r->seed, (long) r->n, r->loss_fn);
        csv_real(f, r->loss);
        csv_real(f, r->fit);
        csv_real(f, r->reg);
        csv_real(f, r->grad_norm);
        fprintf(f, ",%s,%s,%s,", r->cls, r->profile, r->status);
        if (r->steps >= 0)
            fprintf(f, "%ld", (long) r->steps);
        csv_real(f, r->seconds);
        fputc('\n', f);
    }
    return 0;
}

int dnc_sweep_table_write(const char *dir, const dnc_sweep_row *rows, slong n, char *err, size_t errlen)
{
    return _dnc_sweep_files_write(dir, "results", rows, n, sizeof(dnc_sweep_row), row_json, rows_csv, err, errlen);
}

int dnc_sweep_table_read(dnc_sweep_row **rows, slong *n, const char *dir, char *err, size_t errlen)
{
    return _dnc_sweep_jsonl_read((void **) rows, n, sizeof(dnc_sweep_row), dir, "results", row_from, err, errlen);
}
