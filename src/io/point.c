/* Saved points (docs/run-directory.md): manifest.json names the problem with exact
 * constants and lists the float64 arrays of its parameter blocks, so that the trainer,
 * `dncert metrics` and the certifier reload the same point. Versions: 1 is what dncert
 * wrote up to 0.1 (and any manifest without a version); 2 adds .npz archives, the default
 * arrays, and asks for the format, the weight decays and no unknown fields. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"
#include "dncert/objective.h"

/* Name, and shape, of parameter block b: 0 = H1, 1..L = W_l, L+1 = bias. */
static void block_info(char *name, slong shape[2], int *ndim, const dnc_problem_t p, slong b)
{
    dnc_buf_kind kind = dnc_param_block_kind(p->L, b);
    dnc_objective_buf_shape(shape, shape + 1, p, p->N, kind, b == 0 ? 1 : b);
    *ndim = kind == DNC_B ? 1 : 2;
    dnc_param_block_name(name, p->L, b);
}

/* The shape of block b in symbols, as docs/run-directory.md writes it. */
static void block_dims(char *buf, size_t len, const dnc_problem_t p, slong b)
{
    if (b == 0)
        snprintf(buf, len, "(d1, N)");
    else if (b > p->L)
        snprintf(buf, len, "(K,)");
    else if (b == p->L)
        snprintf(buf, len, "(K, d%ld)", (long) b);
    else
        snprintf(buf, len, "(d%ld, d%ld)", (long) b + 1, (long) b);
}

static void shape_text(char *buf, size_t len, int ndim, const slong s[2])
{
    if (ndim == 1)
        snprintf(buf, len, "(%ld,)", (long) s[0]);
    else
        snprintf(buf, len, "(%ld, %ld)", (long) s[0], (long) s[1]);
}

static slong block_offset(const dnc_problem_t p, slong b)
{
    return dnc_param_block_start(p, p->N, b);
}

static slong nblocks(const dnc_problem_t p)
{
    return p->L + 1 + (p->bias == DNC_BIAS_FREE);
}

/* "H1, W1..W3, b": the blocks of p, for messages. */
static void block_list(char *buf, size_t len, const dnc_problem_t p)
{
    snprintf(buf, len, "H1, W1..W%ld%s", (long) p->L, p->bias == DNC_BIAS_FREE ? ", b" : "");
}

int dnc_point_save(const char *dir, const dnc_problem_t p, const double *theta,
                   json_t *source, char *err, size_t errlen)
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
    json_object_set_new(man, "layout", json_string("expanded"));
    json_object_set_new(man, "arrays", arrays);
    if (source != NULL)
        json_object_set(man, "source", source);
    if (status == 0) {
        snprintf(path, sizeof(path), "%s/" DNC_RUN_MANIFEST, dir);
        status = dnc_json_write_atomic(path, man, err, errlen);
    }
    json_decref(man);
    return status;
}

/* ---- the manifest ---- */

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

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The first key of obj that is not in keys (NULL-terminated), or NULL. */
static const char *unknown_key(const json_t *obj, const char *const *keys)
{
    const char *key;
    json_t *v;
    size_t i;
    json_object_foreach((json_t *) obj, key, v) {
        for (i = 0; keys[i] != NULL && strcmp(key, keys[i]) != 0; i++)
            ;
        if (keys[i] == NULL)
            return key;
    }
    return NULL;
}

/* Entry e's array in its .npz file ("key", by default its name), or NULL for a .npy file. */
static const char *entry_key(const json_t *e)
{
    const char *key = json_string_value(json_object_get(e, "key"));
    if (!ends_with(json_string_value(json_object_get(e, "file")), ".npz"))
        return NULL;
    return key != NULL ? key : json_string_value(json_object_get(e, "name"));
}

/* Entries i and j name the same file (and, in an archive, the same array). */
static int same_source(const json_t *a, const json_t *b)
{
    const char *ka = entry_key(a), *kb = entry_key(b);
    if (strcmp(json_string_value(json_object_get(a, "file")), json_string_value(json_object_get(b, "file"))) != 0)
        return 0;
    return ka == NULL || kb == NULL || strcmp(ka, kb) == 0;
}

/* The fields of entry i that do not depend on the other entries. */
static int check_entry_fields(const json_t *e, size_t i, long version, const char *where, char *err, size_t errlen)
{
    static const char *const keys[] = { "name", "file", "shape", "key", NULL };
    const char *file = json_string_value(json_object_get(e, "file")), *bad;
    const json_t *key = json_object_get(e, "key");
    if (!json_is_object(e) || json_string_value(json_object_get(e, "name")) == NULL || file == NULL
        || *file == '\0' || strchr(file, '/') != NULL)
        return dnc_fail(err, errlen, "%s: arrays[%zu]: must be {\"name\": ..., \"file\": a file name without '/', "
                        "\"shape\": [...]}", where, i);
    if (version >= 2 && (bad = unknown_key(e, keys)) != NULL)
        return dnc_fail(err, errlen, "%s: arrays[%zu]: unknown field '%.40s' (an entry has name, file, shape and, "
                        "for an .npz file, key)", where, i, bad);
    if (version < 2 && ends_with(file, ".npz"))
        return dnc_fail(err, errlen, "%s: arrays[%zu].file: '%.40s': .npz archives need \"version\": 2", where, i, file);
    if (version >= 2 && key != NULL && (!ends_with(file, ".npz") || !json_is_string(key)
                                        || json_string_length(key) == 0 || json_string_length(key) > 200))
        return dnc_fail(err, errlen, "%s: arrays[%zu].key: must be the name of an array in an .npz file (a "
                        "non-empty string of at most 200 bytes)", where, i);
    return 0;
}

/* Entry i of the manifest's arrays: {"name": a block of p, "file": a file name in the
 * directory, "shape": the block's shape [, "key"]}, neither name nor source listed before. */
static int check_array(const json_t *arrays, size_t i, const dnc_problem_t p, long version, const char *where,
                       char *err, size_t errlen)
{
    const json_t *e = json_array_get(arrays, i), *shape = json_object_get(e, "shape");
    const char *name, *file;
    char bname[32], blocks[64];
    slong b, want[2];
    int ndim;
    size_t j;
    if (check_entry_fields(e, i, version, where, err, errlen) != 0)
        return -1;
    name = json_string_value(json_object_get(e, "name"));
    file = json_string_value(json_object_get(e, "file"));
    block_list(blocks, sizeof(blocks), p);
    if ((b = block_of(p, name)) < 0)
        return dnc_fail(err, errlen, "%s: arrays[%zu].name: '%.40s' is not a parameter block of the problem (%s)",
                        where, i, name, blocks);
    for (j = 0; j < i; j++) {
        const json_t *o = json_array_get(arrays, j);
        int same_name = strcmp(name, json_string_value(json_object_get(o, "name"))) == 0;
        if (same_name)
            return dnc_fail(err, errlen, "%s: arrays[%zu]: the name '%.40s' is already listed in arrays[%zu]", where, i,
                            name, j);
        if (same_source(e, o) && entry_key(e) == NULL)
            return dnc_fail(err, errlen, "%s: arrays[%zu]: the file '%.40s' is already listed in arrays[%zu]", where, i,
                            file, j);
        if (same_source(e, o))
            return dnc_fail(err, errlen, "%s: arrays[%zu]: the array '%.40s' of '%.40s' is already listed in "
                            "arrays[%zu]", where, i, entry_key(e), file, j);
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

long dnc_point_manifest_version(const json_t *man)
{
    const json_t *v = json_object_get(man, "version");
    if (v == NULL)
        return DNC_POINT_VERSION_MIN;
    return json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) < 1000000
           ? (long) json_integer_value(v) : -1;
}

/* Format, version and (version 2) the top-level fields. */
static int check_header(const json_t *man, long *version, const char *where, char *err, size_t errlen)
{
    static const char *const keys[] = { "format", "version", "problem", "arrays", "layout", "source", "note", NULL };
    const json_t *format = json_object_get(man, "format"), *layout = json_object_get(man, "layout");
    const char *bad;
    long v = dnc_point_manifest_version(man);
    if (!json_is_object(man))
        return dnc_fail(err, errlen, "%s: not a dncert point manifest (a JSON object with format \"%s\" expected)",
                        where, DNC_POINT_FORMAT);
    if (format != NULL && (!json_is_string(format) || strcmp(json_string_value(format), DNC_POINT_FORMAT) != 0))
        return dnc_fail(err, errlen, "%s: not a dncert point manifest (format \"%s\" expected)", where, DNC_POINT_FORMAT);
    if (v < DNC_POINT_VERSION_MIN)
        return dnc_fail(err, errlen, "%s: version: must be an integer from %d to %d", where, DNC_POINT_VERSION_MIN,
                        DNC_POINT_VERSION);
    if (v > DNC_POINT_VERSION)
        return dnc_fail(err, errlen, "%s: version %ld is newer than this dncert reads (%d to %d): update dncert",
                        where, v, DNC_POINT_VERSION_MIN, DNC_POINT_VERSION);
    if (v >= 2 && format == NULL)
        return dnc_fail(err, errlen, "%s: format: required in version %ld (\"format\": \"%s\")", where, v,
                        DNC_POINT_FORMAT);
    if (v >= 2 && (bad = unknown_key(man, keys)) != NULL)
        return dnc_fail(err, errlen, "%s: unknown field '%.40s' (version %ld has format, version, problem, arrays, "
                        "layout, source and note)", where, bad, v);
    if (v >= 2 && layout != NULL && (!json_is_string(layout) || strcmp(json_string_value(layout), "expanded") != 0))
        return dnc_fail(err, errlen, "%s: layout: must be \"expanded\" (one column of H1 per sample)", where);
    *version = v;
    return 0;
}

/* Version 2 states the weight decays; version 1 took the command line's default for a
 * missing one. */
static int check_decays(const json_t *prob, long version, const char *where, char *err, size_t errlen)
{
    int all = json_object_get(prob, "lambda") != NULL;
    if (version < 2 || !json_is_object(prob)
        || ((all || json_object_get(prob, "lambda_h") != NULL) && (all || json_object_get(prob, "lambda_w") != NULL)))
        return 0;
    return dnc_fail(err, errlen, "%s: problem: version %ld states the weight decays (\"lambda\", or \"lambda_h\" "
                    "and \"lambda_w\"); version 1 took 1/250 for a missing one", where, version);
}

/* The manifest's checks; sets *version. */
static int manifest_read(dnc_problem_t p, const json_t *man, long *version, const char *where, char *err, size_t errlen)
{
    const json_t *arrays = json_object_get(man, "arrays"), *prob = json_object_get(man, "problem");
    char msg[2048], blocks[64];
    size_t i;
    if (check_header(man, version, where, err, errlen) != 0 || check_decays(prob, *version, where, err, errlen) != 0)
        return -1;
    if (prob == NULL)
        return dnc_fail(err, errlen, "%s: problem: required", where);
    if (dnc_problem_from_json(p, prob, msg, sizeof(msg)) != 0)
        return dnc_fail(err, errlen, "%s: %s", where, msg);
    if (arrays == NULL && *version < 2)
        return dnc_fail(err, errlen, "%s: arrays: required in version 1 (version 2 reads %s, or H1.npy, W1.npy, ..., "
                        "when the manifest lists no arrays)", where, DNC_RUN_NPZ);
    if (arrays == NULL)
        return 0;
    block_list(blocks, sizeof(blocks), p);
    if (!json_is_array(arrays))
        return dnc_fail(err, errlen, "%s: arrays: must be a list", where);
    if (json_array_size(arrays) != (size_t) nblocks(p))
        return dnc_fail(err, errlen, "%s: arrays: %zu entries, the problem has %ld parameter blocks (%s)",
                        where, json_array_size(arrays), (long) nblocks(p), blocks);
    for (i = 0; i < json_array_size(arrays); i++)
        if (check_array(arrays, i, p, *version, where, err, errlen) != 0)
            return -1;
    return 0;
}

int dnc_point_manifest_read(dnc_problem_t p, const json_t *man, const char *where, char *err, size_t errlen)
{
    long version;
    return manifest_read(p, man, &version, where, err, errlen);
}

/* ---- the arrays ---- */

/* Where block b comes from: a .npy file, or array `key` of an .npz file. */
typedef struct {
    const char *file, *key;
    char buf[40], kbuf[32];
} source;

static int exists_in(const char *dir, const char *file)
{
    char path[4300];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    return dnc_path_exists(path);
}

/* The sources of the listed arrays. */
static void listed_sources(source *s, const json_t *arrays, const dnc_problem_t p)
{
    size_t i;
    for (i = 0; i < json_array_size(arrays); i++) {
        const json_t *e = json_array_get(arrays, i);
        source *t = s + block_of(p, json_string_value(json_object_get(e, "name")));
        t->file = json_string_value(json_object_get(e, "file"));
        t->key = entry_key(e);
    }
}

/* Without a list: DNC_RUN_NPZ when it exists, else NAME.npy; files that only another
 * problem would have are taken as a sign that the manifest's problem is not the point's. */
static int default_sources(source *s, const dnc_problem_t p, const char *dir, char *err, size_t errlen)
{
    int npz = exists_in(dir, DNC_RUN_NPZ);
    char extra[40];
    slong b;
    if (npz && exists_in(dir, "H1.npy"))
        return dnc_fail(err, errlen, "%s: holds both %s and H1.npy, and the manifest lists no arrays: list them "
                        "under \"arrays\" (or remove one)", dir, DNC_RUN_NPZ);
    for (b = 0; b < nblocks(p); b++) {
        dnc_param_block_name(s[b].kbuf, p->L, b);
        s[b].key = npz ? s[b].kbuf : NULL;
        snprintf(s[b].buf, sizeof(s[b].buf), "%s.npy", s[b].kbuf);
        s[b].file = npz ? DNC_RUN_NPZ : s[b].buf;
    }
    if (npz)
        return 0;
    snprintf(extra, sizeof(extra), "W%ld.npy", (long) p->L + 1);
    if (exists_in(dir, extra))
        return dnc_fail(err, errlen, "%s/%s exists, but the manifest's problem has L = %ld weight matrices "
                        "(W1..W%ld): is problem.L right?", dir, extra, (long) p->L, (long) p->L);
    if (p->bias == DNC_BIAS_NONE && exists_in(dir, "b.npy"))
        return dnc_fail(err, errlen, "%s/b.npy exists, but the manifest's problem has no bias (problem.bias \"none\"): "
                        "is problem.bias right?", dir);
    return 0;
}

/* The default archive holds exactly the blocks of p. */
static int check_npz_names(const dnc_npz *z, const dnc_problem_t p, const char *path, char *err, size_t errlen)
{
    char blocks[64], name[32];
    slong i;
    block_list(blocks, sizeof(blocks), p);
    for (i = 0; i < dnc_npz_count(z); i++)
        if (block_of(p, dnc_npz_name(z, i)) < 0)
            return dnc_fail(err, errlen, "%s: array '%.40s' is not a parameter block of the manifest's problem (%s)",
                            path, dnc_npz_name(z, i), blocks);
    for (i = 0; i < nblocks(p); i++)
        if (!dnc_npz_has(z, dnc_param_block_name(name, p->L, i)))
            return dnc_fail(err, errlen, "%s: has no array '%s' (the manifest's problem has %s)", path, name, blocks);
    return 0;
}

int dnc_point_check_block(const double *a, int gndim, const slong got[2], const dnc_problem_t p, slong b,
                          const char *label, char *err, size_t errlen)
{
    char name[32], dims[64], gs[64], ws[64];
    slong want[2], i;
    int ndim;
    block_info(name, want, &ndim, p, b);
    block_dims(dims, sizeof(dims), p, b);
    shape_text(gs, sizeof(gs), gndim, got);
    shape_text(ws, sizeof(ws), ndim, want);
    if (gndim == 2 && ndim == 2 && got[0] == want[1] && got[1] == want[0] && want[0] != want[1])
        return b == 0 ? dnc_fail(err, errlen, "%s has shape %s, the transpose of the problem's %s = %s: features are "
                                 "columns, one per sample, ordered by class; a PyTorch batch (one row per sample) must "
                                 "be transposed: save H.T", label, gs, dims, ws)
                      : dnc_fail(err, errlen, "%s has shape %s, the transpose of the problem's %s = %s: a weight matrix "
                                 "is (outputs, inputs), as torch.nn.Linear.weight: save W.T", label, gs, dims, ws);
    if (gndim == 2 && ndim == 1 && ((got[0] == want[0] && got[1] == 1) || (got[0] == 1 && got[1] == want[0])))
        return dnc_fail(err, errlen, "%s has shape %s; the bias is a vector, %s = %s: save b.reshape(-1)", label, gs,
                        dims, ws);
    if (gndim != ndim || got[0] != want[0] || got[1] != want[1])
        return dnc_fail(err, errlen, "%s has shape %s; the problem needs %s = %s", label, gs, dims, ws);
    for (i = 0; i < want[0] * want[1]; i++)
        if (!isfinite(a[i]))
            return dnc_fail(err, errlen, "%s has non-finite entries (entry (%ld, %ld) is %s); a saved point must be "
                            "finite", label, (long) (i % want[0]), (long) (i / want[0]), isnan(a[i]) ? "NaN" : "infinite");
    return 0;
}

/* Reads the arrays of every block from their sources into blocks[b]; an archive is opened
 * once for the blocks it holds in a row. */
static int read_blocks(double **blocks, const source *s, const dnc_problem_t p, const char *dir, int by_default,
                       char *err, size_t errlen)
{
    char path[4300], label[4400], name[32];
    dnc_npz *z = NULL;
    const char *zfile = NULL;
    slong b, got[2];
    int ndim, status = 0;
    for (b = 0; b < nblocks(p) && status == 0; b++) {
        snprintf(path, sizeof(path), "%s/%s", dir, s[b].file);
        dnc_param_block_name(name, p->L, b);
        if (s[b].key != NULL && (zfile == NULL || strcmp(zfile, s[b].file) != 0)) {
            dnc_npz_close(z);
            zfile = s[b].file;
            if ((z = dnc_npz_open(path, err, errlen)) == NULL
                || (by_default && check_npz_names(z, p, path, err, errlen) != 0)) {
                status = -1;
                break;
            }
        }
        if (s[b].key != NULL) {
            snprintf(label, sizeof(label), "%s: array '%s'", path, s[b].key);
            status = dnc_npz_read(z, s[b].key, blocks + b, &ndim, got, err, errlen);
        } else {
            snprintf(label, sizeof(label), "%s: %s", path, name);
            status = dnc_npy_read(path, blocks + b, &ndim, got, err, errlen);
        }
        if (status == 0)
            status = dnc_point_check_block(blocks[b], ndim, got, p, b, label, err, errlen);
    }
    dnc_npz_close(z);
    return status;
}

static json_t *load_manifest(const char *dir, char *err, size_t errlen)
{
    char path[4300];
    json_error_t je;
    json_t *man;
    snprintf(path, sizeof(path), "%s/" DNC_RUN_MANIFEST, dir);
    if ((man = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) != NULL)
        return man;
    if (je.line < 0)   /* not a syntax error: the file could not be read */
        dnc_fail(err, errlen, "%s: not a saved point (%s)", dir, je.text);
    else
        dnc_fail(err, errlen, "%s: line %d, column %d: %s", path, je.line, je.column, je.text);
    return NULL;
}

int dnc_point_load(const char *dir, dnc_problem_t p, double **theta, char *err, size_t errlen)
{
    char path[4300];
    json_t *man;
    double **blocks = NULL;
    source *s = NULL;
    slong b, nb = 0, total;
    long version;
    int status = -1;

    *theta = NULL;
    if ((man = load_manifest(dir, err, errlen)) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/" DNC_RUN_MANIFEST, dir);
    if (manifest_read(p, man, &version, path, err, errlen) != 0)
        goto done;
    nb = nblocks(p);
    if ((blocks = calloc(nb, sizeof(double *))) == NULL || (s = calloc(nb, sizeof(source))) == NULL) {
        dnc_fail(err, errlen, "%s: not enough memory", dir);
        goto done;
    }
    if (json_object_get(man, "arrays") != NULL)
        listed_sources(s, json_object_get(man, "arrays"), p);
    else if (default_sources(s, p, dir, err, errlen) != 0)
        goto done;
    /* Every block is read (and so checked against the size of its file) before the whole
     * point is allocated: a manifest cannot ask for more memory than its files hold. */
    if (read_blocks(blocks, s, p, dir, json_object_get(man, "arrays") == NULL, err, errlen) != 0)
        goto done;
    /* The point grows out of H1 (block 0, offset 0, the largest) and each other block is
     * freed once copied: the peak is the point and one small block, not twice the point
     * (issue 13: certify-point's memory at N = 2000 is about a few point sizes). */
    total = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    if (total < 0 || block_offset(p, 0) != 0
        || (*theta = realloc(blocks[0], (total ? total : 1) * sizeof(double))) == NULL) {
        dnc_fail(err, errlen, "%s: not enough memory for the point", dir);
        goto done;
    }
    blocks[0] = NULL;
    for (b = 1; b < nb; b++) {
        slong shape[2];
        char bname[32];
        int ndim;
        block_info(bname, shape, &ndim, p, b);
        memcpy(*theta + block_offset(p, b), blocks[b], shape[0] * shape[1] * sizeof(double));
        free(blocks[b]);
        blocks[b] = NULL;
    }
    status = 0;
done:
    for (b = 0; blocks != NULL && b < nb; b++)
        free(blocks[b]);
    free(blocks);
    free(s);
    json_decref(man);
    return status;
}
