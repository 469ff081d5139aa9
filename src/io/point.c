/* Saved points: the exact float64 parameters of a DUFM with a manifest that names the
 * problem, so that the trainer, `dncert metrics` and the certifier reload the same point. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"

/* Name, and shape, of parameter block b: 0 = H1, 1..L = W_l, L+1 = bias. */
static void block_info(char *name, slong shape[2], int *ndim, const dnc_problem_t p, slong b)
{
    dnc_buf_kind kind = dnc_param_block_kind(p->L, b);
    dnc_objective_buf_shape(shape, shape + 1, p, p->N, kind, b == 0 ? 1 : b);
    *ndim = kind == DNC_B ? 1 : 2;
    dnc_param_block_name(name, p->L, b);
}

static slong block_offset(const dnc_problem_t p, slong b)
{
    return dnc_param_offset(p, p->N, dnc_param_block_kind(p->L, b), b);
}

static slong nblocks(const dnc_problem_t p)
{
    return p->L + 1 + (p->bias == DNC_BIAS_FREE);
}

int dnc_point_save(const char *dir, const dnc_problem_t p, const double *theta,
                   json_t *extra, char *err, size_t errlen)
{
    json_t *man = json_object(), *arrays = json_array();
    char name[32], path[4096];
    slong b, shape[2];
    int ndim, status = 0;

    for (b = 0; b < nblocks(p) && status == 0; b++) {
        block_info(name, shape, &ndim, p, b);
        snprintf(path, sizeof(path), "%s/%s.npy", dir, name);
        if (dnc_npy_write(path, theta + block_offset(p, b), ndim, shape) != 0) {
            snprintf(err, errlen, "cannot write %s", path);
            status = -1;
        }
        json_array_append_new(arrays, ndim == 1 ? json_pack("{s:s, s:s+, s:[I]}", "name", name, "file", name, ".npy", "shape", (json_int_t) shape[0])
                                                : json_pack("{s:s, s:s+, s:[I,I]}", "name", name, "file", name, ".npy", "shape", (json_int_t) shape[0], (json_int_t) shape[1]));
    }
    json_object_set_new(man, "format", json_string(DNC_POINT_FORMAT));
    json_object_set_new(man, "version", json_integer(DNC_POINT_VERSION));
    json_object_set_new(man, "problem", dnc_problem_to_json(p));
    json_object_set_new(man, "layout", json_string("expanded: columns ordered by class, float64, column-major"));
    json_object_set_new(man, "arrays", arrays);
    if (extra != NULL)
        json_object_set(man, "source", extra);
    if (status == 0) {
        snprintf(path, sizeof(path), "%s/manifest.json", dir);
        status = dnc_json_write_atomic(path, man, err, errlen);
    }
    json_decref(man);
    return status;
}

static json_t *find_array(json_t *arrays, const char *name)
{
    size_t i;
    json_t *a;
    json_array_foreach(arrays, i, a)
        if (json_is_string(json_object_get(a, "name")) && strcmp(json_string_value(json_object_get(a, "name")), name) == 0)
            return a;
    return NULL;
}

/* Reads block b into theta, checking its shape. */
static int load_block(double *theta, const dnc_problem_t p, slong b, const char *dir, json_t *arrays,
                      char *err, size_t errlen)
{
    char name[32], path[4096];
    slong want[2], got[2];
    int ndim, gndim;
    double *data;
    json_t *entry;
    const char *file;

    block_info(name, want, &ndim, p, b);
    entry = find_array(arrays, name);
    file = entry ? json_string_value(json_object_get(entry, "file")) : NULL;
    if (file == NULL || strchr(file, '/') != NULL) {
        snprintf(err, errlen, "%s/manifest.json: arrays has no valid entry for '%s'", dir, name);
        return -1;
    }
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    if (dnc_npy_read(path, &data, &gndim, got, err, errlen) != 0)
        return -1;
    if (got[0] != want[0] || got[1] != want[1]) {
        snprintf(err, errlen, "%s: shape (%ld, %ld) does not match the problem's (%ld, %ld) for %s",
                 path, (long) got[0], (long) got[1], (long) want[0], (long) want[1], name);
        free(data);
        return -1;
    }
    memcpy(theta + block_offset(p, b), data, want[0] * want[1] * sizeof(double));
    free(data);
    return 0;
}

int dnc_point_load(const char *dir, dnc_problem_t p, double **theta, char *err, size_t errlen)
{
    char path[4096];
    json_error_t je;
    json_t *man, *arrays;
    const char *format;
    slong b;
    int status = -1;

    *theta = NULL;
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    man = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (man == NULL) {
        if (je.line < 0)   /* not a syntax error: the file could not be read */
            snprintf(err, errlen, "%s: not a saved point (%s)", dir, je.text);
        else
            snprintf(err, errlen, "%s: line %d, column %d: %s", path, je.line, je.column, je.text);
        return -1;
    }
    format = json_string_value(json_object_get(man, "format"));
    arrays = json_object_get(man, "arrays");
    if (format == NULL || strcmp(format, DNC_POINT_FORMAT) != 0
        || json_integer_value(json_object_get(man, "version")) != DNC_POINT_VERSION || !json_is_array(arrays)) {
        snprintf(err, errlen, "%s: not a dncert point manifest (format \"%s\" version %d expected)",
                 path, DNC_POINT_FORMAT, DNC_POINT_VERSION);
        goto done;
    }
    if (dnc_problem_from_json(p, json_object_get(man, "problem"), err, errlen) != 0)
        goto done;
    *theta = malloc(dnc_param_offset(p, p->N, DNC_NKINDS, 0) * sizeof(double));
    for (b = 0; b < nblocks(p); b++)
        if (load_block(*theta, p, b, dir, arrays, err, errlen) != 0)
            goto done;
    status = 0;
done:
    if (status != 0) {
        free(*theta);
        *theta = NULL;
    }
    json_decref(man);
    return status;
}
