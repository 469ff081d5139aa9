/* Saved points: the exact float64 parameters of a DUFM with a manifest that names the
 * problem, so that the trainer, `dncert metrics` and the certifier reload the same point. */
#include <math.h>
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

/* The block number of a block name of p, or -1. */
static slong block_of(const dnc_problem_t p, const char *name)
{
    char bname[32];
    slong b;
    for (b = 0; b < nblocks(p); b++)
        if (strcmp(dnc_param_block_name(bname, p->L, b), name) == 0)
            return b;
    return -1;
}

/* Entry i of the manifest's arrays: {"name": a block of p, "file": a file name in the
 * directory, "shape": the block's shape}, neither name nor file listed before. */
static int check_array(const json_t *arrays, size_t i, const dnc_problem_t p, const char *where,
                       char *err, size_t errlen)
{
    const json_t *e = json_array_get(arrays, i), *shape = json_object_get(e, "shape");
    const char *name = json_string_value(json_object_get(e, "name"));
    const char *file = json_string_value(json_object_get(e, "file"));
    char bname[32];
    slong b = name != NULL ? block_of(p, name) : -1, want[2];
    int ndim;
    size_t j;
    if (!json_is_object(e) || name == NULL || file == NULL || *file == '\0' || strchr(file, '/') != NULL)
        return dnc_fail(err, errlen, "%s: arrays[%zu]: must be {\"name\": ..., \"file\": a file name without '/', "
                        "\"shape\": [...]}", where, i);
    if (b < 0)
        return dnc_fail(err, errlen, "%s: arrays[%zu].name: '%.40s' is not a parameter block of the problem "
                        "(H1, W1..W%ld%s)", where, i, name, (long) p->L, p->bias == DNC_BIAS_FREE ? ", b" : "");
    for (j = 0; j < i; j++) {
        const json_t *o = json_array_get(arrays, j);
        if (strcmp(name, json_string_value(json_object_get(o, "name"))) == 0
            || strcmp(file, json_string_value(json_object_get(o, "file"))) == 0)
            return dnc_fail(err, errlen, "%s: arrays[%zu]: the %s '%.40s' is already listed in arrays[%zu]", where, i,
                            strcmp(name, json_string_value(json_object_get(o, "name"))) == 0 ? "name" : "file",
                            strcmp(name, json_string_value(json_object_get(o, "name"))) == 0 ? name : file, j);
    }
    block_info(bname, want, &ndim, p, b);
    if (!json_is_array(shape) || json_array_size(shape) != (size_t) ndim
        || json_integer_value(json_array_get(shape, 0)) != want[0]
        || (ndim == 2 && json_integer_value(json_array_get(shape, 1)) != want[1])
        || !json_is_integer(json_array_get(shape, 0)) || (ndim == 2 && !json_is_integer(json_array_get(shape, 1))))
        return ndim == 1 ? dnc_fail(err, errlen, "%s: arrays[%zu].shape: must be [%ld], the problem's shape of %s",
                                    where, i, (long) want[0], name)
                         : dnc_fail(err, errlen, "%s: arrays[%zu].shape: must be [%ld, %ld], the problem's shape of %s",
                                    where, i, (long) want[0], (long) want[1], name);
    return 0;
}

int dnc_point_manifest_read(dnc_problem_t p, const json_t *man, const char *where, char *err, size_t errlen)
{
    const char *format = json_string_value(json_object_get(man, "format"));
    const json_t *arrays = json_object_get(man, "arrays");
    size_t i;
    if (format == NULL || strcmp(format, DNC_POINT_FORMAT) != 0 || !json_is_integer(json_object_get(man, "version"))
        || json_integer_value(json_object_get(man, "version")) != DNC_POINT_VERSION || !json_is_array(arrays))
        return dnc_fail(err, errlen, "%s: not a dncert point manifest (format \"%s\" version %d, with arrays, expected)",
                        where, DNC_POINT_FORMAT, DNC_POINT_VERSION);
    if (dnc_problem_from_json(p, json_object_get(man, "problem"), err, errlen) != 0)
        return -1;
    if (json_array_size(arrays) != (size_t) nblocks(p))
        return dnc_fail(err, errlen, "%s: arrays: %zu entries, the problem has %ld parameter blocks (H1, W1..W%ld%s)",
                        where, json_array_size(arrays), (long) nblocks(p), (long) p->L,
                        p->bias == DNC_BIAS_FREE ? ", b" : "");
    for (i = 0; i < json_array_size(arrays); i++)
        if (check_array(arrays, i, p, where, err, errlen) != 0)
            return -1;
    return 0;
}

/* Reads the .npy file of manifest entry e (already checked) into *data: its shape must be
 * the block's, and every entry finite. */
static int load_block(double **data, const dnc_problem_t p, const json_t *e, const char *dir,
                      char *err, size_t errlen)
{
    const char *name = json_string_value(json_object_get(e, "name"));
    char bname[32], path[4096];
    slong want[2], got[2], i;
    int ndim, gndim;

    block_info(bname, want, &ndim, p, block_of(p, name));
    snprintf(path, sizeof(path), "%s/%s", dir, json_string_value(json_object_get(e, "file")));
    if (dnc_npy_read(path, data, &gndim, got, err, errlen) != 0)
        return -1;
    if (gndim != ndim || got[0] != want[0] || got[1] != want[1])
        return dnc_fail(err, errlen, "%s: shape (%ld, %ld) does not match the problem's (%ld, %ld) for %s",
                        path, (long) got[0], (long) got[1], (long) want[0], (long) want[1], name);
    for (i = 0; i < want[0] * want[1]; i++)
        if (!isfinite((*data)[i]))
            return dnc_fail(err, errlen, "%s: %s has non-finite entries (entry (%ld, %ld) is %s); a saved point "
                            "must be finite", path, name, (long) (i % want[0]), (long) (i / want[0]),
                            isnan((*data)[i]) ? "NaN" : "infinite");
    return 0;
}

int dnc_point_load(const char *dir, dnc_problem_t p, double **theta, char *err, size_t errlen)
{
    char path[4096];
    json_error_t je;
    json_t *man, *arrays;
    double **blocks = NULL;
    slong b, nb = 0;
    int status = -1;

    *theta = NULL;
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    man = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (man == NULL) {
        if (je.line < 0)   /* not a syntax error: the file could not be read */
            return dnc_fail(err, errlen, "%s: not a saved point (%s)", dir, je.text);
        return dnc_fail(err, errlen, "%s: line %d, column %d: %s", path, je.line, je.column, je.text);
    }
    if (dnc_point_manifest_read(p, man, path, err, errlen) != 0)
        goto done;
    /* Every block is read (and so checked against the size of its file) before the whole
     * point is allocated: a manifest cannot ask for more memory than its files hold. */
    arrays = json_object_get(man, "arrays");
    nb = nblocks(p);
    if ((blocks = calloc(nb, sizeof(double *))) == NULL) {
        dnc_fail(err, errlen, "%s: not enough memory", dir);
        goto done;
    }
    for (b = 0; b < nb; b++)
        if (load_block(blocks + b, p, json_array_get(arrays, (size_t) b), dir, err, errlen) != 0)
            goto done;
    if ((*theta = malloc(dnc_param_offset(p, p->N, DNC_NKINDS, 0) * sizeof(double))) == NULL) {
        dnc_fail(err, errlen, "%s: not enough memory for the point", dir);
        goto done;
    }
    for (b = 0; b < nb; b++) {
        const json_t *e = json_array_get(arrays, (size_t) b);
        slong blk = block_of(p, json_string_value(json_object_get(e, "name"))), shape[2];
        char bname[32];
        int ndim;
        block_info(bname, shape, &ndim, p, blk);
        memcpy(*theta + block_offset(p, blk), blocks[b], shape[0] * shape[1] * sizeof(double));
    }
    status = 0;
done:
    for (b = 0; blocks != NULL && b < nb; b++)
        free(blocks[b]);
    free(blocks);
    json_decref(man);
    return status;
}
