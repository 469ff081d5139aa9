/* Run directories (docs/run-directory.md): written inside DIR.tmp.XXXXXX and renamed to
 * DIR when complete, so that DIR exists only whole; read back by file name here only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"

static void writer_release(dnc_run_writer *w)
{
    if (w->metrics != NULL)
        fclose(w->metrics);
    free(w->dir);
    free(w->tmp);
    memset(w, 0, sizeof(*w));
}

int dnc_run_writer_open(dnc_run_writer *w, const char *dir, int replace, char *err, size_t errlen)
{
    size_t n = strlen(dir) + 16;
    memset(w, 0, sizeof(*w));
    w->replace = replace;
    if ((w->dir = strdup(dir)) == NULL || (w->tmp = malloc(n)) == NULL) {
        writer_release(w);
        return dnc_fail(err, errlen, "not enough memory");
    }
    if (dnc_rundir_begin(w->tmp, n, dir, err, errlen) != 0) {
        writer_release(w);
        return -1;
    }
    return 0;
}

int dnc_run_writer_log(dnc_run_writer *w, const json_t *record)
{
    if (w->metrics == NULL && !w->failed) {
        size_t n = strlen(w->tmp) + sizeof(DNC_RUN_METRICS) + 1;
        char *path = malloc(n);
        if (path != NULL) {
            snprintf(path, n, "%s/" DNC_RUN_METRICS, w->tmp);
            w->metrics = fopen(path, "w");
        }
        free(path);
    }
    if (w->metrics == NULL || json_dumpf(record, w->metrics, JSON_COMPACT | JSON_REAL_PRECISION(17)) != 0
        || fputc('\n', w->metrics) == EOF)
        w->failed = 1;
    return w->failed ? -1 : 0;
}

int dnc_run_writer_finish(dnc_run_writer *w, const dnc_problem_t p, const double *theta, json_t *source,
                          json_t *summary, char *err, size_t errlen)
{
    size_t n = strlen(w->tmp) + 32;
    char *path = malloc(n);
    int bad = path == NULL ? dnc_fail(err, errlen, "not enough memory") : 0;
    if (w->metrics != NULL) {
        w->failed |= fclose(w->metrics) != 0;
        w->metrics = NULL;
    }
    if (!bad && w->failed)
        bad = dnc_fail(err, errlen, "cannot write %s/%s", w->tmp, DNC_RUN_METRICS);
    if (!bad && summary != NULL) {
        snprintf(path, n, "%s/" DNC_RUN_SUMMARY, w->tmp);
        bad = dnc_json_write_atomic(path, summary, err, errlen) != 0;
    }
    bad = bad || dnc_point_save(w->tmp, p, theta, source, err, errlen) != 0;
    bad = bad || dnc_rundir_commit(w->tmp, w->dir, w->replace, err, errlen) != 0;
    free(path);
    if (bad) {
        dnc_run_writer_abort(w);
        return -1;
    }
    writer_release(w);
    return 0;
}

int dnc_run_writer_add_json(dnc_run_writer *w, const char *name, json_t *doc, char *err, size_t errlen)
{
    size_t n = strlen(w->tmp) + strlen(name) + 2;
    char *path = malloc(n);
    int r = path == NULL ? dnc_fail(err, errlen, "not enough memory") : 0;
    if (r == 0) {
        snprintf(path, n, "%s/%s", w->tmp, name);
        r = dnc_json_write_atomic(path, doc, err, errlen);
    }
    w->failed |= r != 0;
    free(path);
    return r;
}

void dnc_run_writer_abort(dnc_run_writer *w)
{
    if (w->metrics != NULL) {
        fclose(w->metrics);
        w->metrics = NULL;
    }
    if (w->tmp != NULL && dnc_path_exists(w->tmp))
        dnc_remove_tree(w->tmp);
    writer_release(w);
}

json_t *dnc_run_summary(const char *dir)
{
    char *path = dnc_path_join(dir, DNC_RUN_SUMMARY);
    json_t *s = path != NULL ? json_load_file(path, 0, NULL) : NULL;
    free(path);
    if (s != NULL && !json_is_string(json_object_get(s, "status"))) {
        json_decref(s);
        s = NULL;
    }
    return s;
}

int dnc_run_metrics(const char *dir, int (*fn)(const json_t *record, void *ctx), void *ctx, slong *count,
                    char *err, size_t errlen)
{
    char *path = dnc_path_join(dir, DNC_RUN_METRICS), *line = NULL;
    size_t cap = 0;
    FILE *f = path != NULL ? fopen(path, "r") : NULL;
    int stop = 0;
    *count = 0;
    if (f == NULL) {
        dnc_fail(err, errlen, "cannot read %s (not a run directory of dncert train --out?)", path ? path : dir);
        free(path);
        return -1;
    }
    while (!stop && getline(&line, &cap, f) > 0) {
        json_t *rec = json_loads(line, 0, NULL);
        if (rec == NULL || !json_is_array(json_object_get(rec, "layers"))) {
            json_decref(rec);
            break;
        }
        stop = fn(rec, ctx);
        (*count)++;
        json_decref(rec);
    }
    free(line);
    fclose(f);
    if (*count == 0)
        dnc_fail(err, errlen, "%s holds no metrics records", path);
    free(path);
    return *count == 0 ? -1 : 0;
}
