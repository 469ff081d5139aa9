/* DIR/sweep.json: the one writer and the one reader of a sweep's description (the format
 * is in docs/sweeps.md, "sweep.json"). `dncert sweep` writes it when it starts and reads it
 * to resume; `dncert sweep-merge` reads it in every shard and writes the merged one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"
#include "dncert/sweep.h"

int dnc_sweep_file_write(const char *dir, const dnc_sweep_spec *s, const char *const *merged_from, slong nmerged,
                         char *err, size_t errlen)
{
    char path[4200];
    json_t *j = json_pack("{s:s, s:i, s:o, s:I, s:s}", "format", DNC_SWEEP_FORMAT, "version", DNC_SWEEP_VERSION,
                          "options", dnc_sweep_spec_to_json(s), "runs", (json_int_t) dnc_sweep_count(s),
                          "dncert_version", DNCERT_VERSION);
    slong i;
    int r;
    if (merged_from != NULL) {
        json_t *from = json_array();
        for (i = 0; i < nmerged; i++)
            json_array_append_new(from, json_string(merged_from[i]));
        json_object_set_new(j, "merged", json_true());
        json_object_set_new(j, "merged_from", from);
    }
    snprintf(path, sizeof(path), "%s/" DNC_SWEEP_FILE, dir);
    r = dnc_json_write_atomic(path, j, err, errlen);
    json_decref(j);
    return r;
}

/* format (optional, but then "dncert-sweep") and version (absent: 1). */
static int check_header(dnc_sweep_file *f, const json_t *j, const char *path, char *err, size_t errlen)
{
    const json_t *format = json_object_get(j, "format"), *version = json_object_get(j, "version");
    if (!json_is_object(j))
        return dnc_fail(err, errlen, "%s: not a dncert sweep file (a JSON object with format \"%s\" expected)", path,
                        DNC_SWEEP_FORMAT);
    if (format != NULL && (!json_is_string(format) || strcmp(json_string_value(format), DNC_SWEEP_FORMAT) != 0))
        return dnc_fail(err, errlen, "%s: not a dncert sweep file (format \"%s\" expected, not %s%.40s%s)", path,
                        DNC_SWEEP_FORMAT, json_is_string(format) ? "\"" : "a JSON ",
                        json_is_string(format) ? json_string_value(format) : "non-string",
                        json_is_string(format) ? "\"" : "");
    f->version = DNC_SWEEP_VERSION_MIN;
    if (version != NULL && (!json_is_integer(version) || json_integer_value(version) < DNC_SWEEP_VERSION_MIN))
        return dnc_fail(err, errlen, "%s: version: must be an integer from %d to %d", path, DNC_SWEEP_VERSION_MIN,
                        DNC_SWEEP_VERSION);
    if (version != NULL && json_integer_value(version) > DNC_SWEEP_VERSION)
        return dnc_fail(err, errlen, "%s: version %" JSON_INTEGER_FORMAT " is newer than this dncert reads (%d to %d): "
                        "update dncert", path, json_integer_value(version), DNC_SWEEP_VERSION_MIN, DNC_SWEEP_VERSION);
    if (version != NULL)
        f->version = (long) json_integer_value(version);
    return 0;
}

/* merged, merged_from, runs and dncert_version: optional, checked when present. */
static int read_fields(dnc_sweep_file *f, const json_t *j, const char *path, char *err, size_t errlen)
{
    const json_t *merged = json_object_get(j, "merged"), *from = json_object_get(j, "merged_from"),
                 *runs = json_object_get(j, "runs"), *ver = json_object_get(j, "dncert_version");
    size_t i;
    if (merged != NULL && !json_is_boolean(merged))
        return dnc_fail(err, errlen, "%s: merged: must be true or false", path);
    f->merged = json_is_true(merged);
    if (f->merged && (f->spec.shard != 1 || f->spec.nshards != 1))
        return dnc_fail(err, errlen, "%s: a merged table must have shard 1/1", path);
    if (from != NULL && !json_is_array(from))
        return dnc_fail(err, errlen, "%s: merged_from: must be a list of directories", path);
    f->merged_from = flint_calloc(json_array_size(from) + 1, sizeof(char *));
    for (i = 0; i < json_array_size(from); i++) {
        if (!json_is_string(json_array_get(from, i)))
            return dnc_fail(err, errlen, "%s: merged_from[%zu]: must be a string", path, i);
        f->merged_from[f->nmerged++] = strdup(json_string_value(json_array_get(from, i)));
    }
    f->runs = dnc_sweep_count(&f->spec);
    if (runs != NULL && (!json_is_integer(runs) || json_integer_value(runs) != f->runs))
        return dnc_fail(err, errlen, "%s: runs: must be %ld, the number of runs of the grid of its options", path,
                        (long) f->runs);
    if (ver != NULL && !json_is_string(ver))
        return dnc_fail(err, errlen, "%s: dncert_version: must be a string", path);
    snprintf(f->dncert_version, sizeof(f->dncert_version), "%s", ver != NULL ? json_string_value(ver) : "");
    return 0;
}

int dnc_sweep_file_read(dnc_sweep_file *f, const char *dir, char *err, size_t errlen)
{
    char path[4200], msg[512];
    json_error_t je;
    json_t *j;
    int r;
    memset(f, 0, sizeof(*f));
    snprintf(path, sizeof(path), "%s/" DNC_SWEEP_FILE, dir);
    if ((j = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) == NULL)
        return dnc_path_exists(path) ? dnc_fail(err, errlen, "%s: not valid JSON (line %d: %s)", path, je.line, je.text)
                                     : dnc_fail(err, errlen, "%s: cannot read it: no such file (not a sweep directory?)", path);
    r = check_header(f, j, path, err, errlen);
    if (r == 0 && json_object_get(j, "options") == NULL)
        r = dnc_fail(err, errlen, "%s: options: required (the sweep's options)", path);
    if (r == 0 && dnc_sweep_spec_from_json(&f->spec, json_object_get(j, "options"), msg, sizeof(msg)) != 0)
        r = dnc_fail(err, errlen, "%s: options: %s", path, msg);
    if (r == 0)
        r = read_fields(f, j, path, err, errlen);
    json_decref(j);
    if (r != 0)
        dnc_sweep_file_clear(f);
    return r;
}

void dnc_sweep_file_clear(dnc_sweep_file *f)
{
    slong i;
    dnc_sweep_spec_clear(&f->spec);
    for (i = 0; i < f->nmerged; i++)
        free(f->merged_from[i]);
    flint_free(f->merged_from);
    memset(f, 0, sizeof(*f));
}
