/* Run directories (docs/run-directory.md): the versions of the manifest, .npz archives,
 * the arrays' dtype and orientation, and the fixtures of tests/data/rundir/ (made by
 * numpy with make_fixtures.py, and by dncert 0.1.0 for version 1). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include "dncert/io.h"
#include "testutil.h"

#define FIXTURES DNCERT_SOURCE_DIR "/tests/data/rundir"

/* The bytes of a file (free with free()); *len its size. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    cr_assert(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc(n ? (size_t) n : 1);
    cr_assert_eq(fread(buf, 1, (size_t) n, f), (size_t) n);
    fclose(f);
    *len = (size_t) n;
    return buf;
}

static void spill(const char *path, const unsigned char *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f != NULL && fwrite(buf, 1, len, f) == len && fclose(f) == 0, "cannot write %s", path);
}

static void copy_file(const char *from, const char *to)
{
    size_t len;
    unsigned char *buf = slurp(from, &len);
    spill(to, buf, len);
    free(buf);
}

/* A copy of fixture `name` in a new directory under /tmp: its path goes to dir. */
static void copy_fixture(char *dir, size_t len, const char *name)
{
    char from[1024], to[1024], src[512];
    struct dirent *e;
    DIR *d;
    tu_tmpdir(dir, len);
    snprintf(src, sizeof(src), "%s/%s", FIXTURES, name);
    d = opendir(src);
    cr_assert(d != NULL, "no fixture %s", src);
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            snprintf(from, sizeof(from), "%s/%s", src, e->d_name);
            snprintf(to, sizeof(to), "%s/%s", dir, e->d_name);
            copy_file(from, to);
        }
    closedir(d);
}

static json_t *read_manifest(const char *dir)
{
    char path[512];
    json_t *m;
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    m = json_load_file(path, 0, NULL);
    cr_assert_not_null(m, "%s", path);
    return m;
}

static void write_manifest(const char *dir, json_t *m)
{
    char path[512], err[256];
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    cr_assert_eq(dnc_json_write_atomic(path, m, err, sizeof(err)), 0, "%s", err);
    json_decref(m);
}

/* Loads dir, which must succeed; returns the point (free with free()). */
static double *load_ok(const char *dir, dnc_problem_t p)
{
    char err[1024] = "";
    double *theta;
    dnc_problem_init(p);
    cr_assert_eq(dnc_point_load(dir, p, &theta, err, sizeof(err)), 0, "%s: %s", dir, err);
    return theta;
}

/* The number of parameters of the fixtures' problem: H1 3x5, W1 3x3, W2 2x3, b 2. */
#define FIXTURE_PARAMS (15 + 9 + 6 + 2)

/* ---- what loads ---- */

/* The run directory written by dncert 0.1.0 (version 1, Fortran-order arrays, "layout"
 * as free text) still loads, with its problem and exactly the arrays of its files. */
Test(rundir, version_1_of_dncert_0_1_loads)
{
    dnc_problem_t p, q;
    double *theta, *h;
    slong shape[2];
    int ndim;
    char err[256];
    theta = load_ok(FIXTURES "/v1-train", p);
    tu_problem_lambdas(q, "2", "2,3", "2", "3", "relu", "free", NULL, "1/100", "1/300,1/200");
    cr_assert(dnc_problem_equal(p, q));
    cr_assert_eq(dnc_npy_read(FIXTURES "/v1-train/H1.npy", &h, &ndim, shape, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(memcmp(theta, h, 15 * sizeof(double)), 0);
    free(h);
    free(theta);
    dnc_problem_clear(p);
    dnc_problem_clear(q);
}

/* One point in four containers (numpy's .npz; .npy files with a Fortran-order H1, as
 * np.save(path, batch.T) writes it; arrays listed under other names and keys; a ZIP64
 * archive): the same bits. */
Test(rundir, one_point_in_every_container)
{
    static const char *const dirs[] = { "numpy-npy", "numpy-listed", "zip64" };
    dnc_problem_t p, q;
    double *ref, *theta;
    char path[512];
    size_t i;
    ref = load_ok(FIXTURES "/numpy-npz", p);
    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", FIXTURES, dirs[i]);
        theta = load_ok(path, q);
        cr_assert(dnc_problem_equal(p, q), "%s", dirs[i]);
        cr_assert_eq(memcmp(ref, theta, FIXTURE_PARAMS * sizeof(double)), 0, "%s is another point", dirs[i]);
        free(theta);
        dnc_problem_clear(q);
    }
    free(ref);
    dnc_problem_clear(p);
}

/* dnc_point_save writes version 2, "layout": "expanded", and C-order arrays (the first
 * row of W1 first), which load back exactly. */
Test(rundir, writes_version_2_in_c_order)
{
    char dir[256], err[256], path[300];
    double theta[64], *back;
    dnc_problem_t p, q;
    unsigned char *w1;
    size_t len, i;
    json_t *m;
    for (i = 0; i < 64; i++)
        theta[i] = 0.5 + (double) i;
    tu_problem(p, "2", "2", "2", "3", "relu", "none", "1/250");
    tu_tmpdir(dir, sizeof(dir));
    cr_assert_eq(dnc_point_save(dir, p, theta, NULL, err, sizeof(err)), 0, "%s", err);
    m = read_manifest(dir);
    cr_assert_str_eq(json_string_value(json_object_get(m, "format")), "dncert-point");
    cr_assert_eq(json_integer_value(json_object_get(m, "version")), 2);
    cr_assert_str_eq(json_string_value(json_object_get(m, "layout")), "expanded");
    json_decref(m);
    snprintf(path, sizeof(path), "%s/W1.npy", dir);
    w1 = slurp(path, &len);
    cr_assert_eq(len, 128 + 9 * sizeof(double));
    cr_assert(strstr((const char *) w1 + 10, "'fortran_order': False") != NULL);   /* after the magic and sizes */
    /* W1 starts at offset 3 * 4 = 12 of theta, column-major: row 0 is theta[12], [15], [18] */
    cr_assert_eq(((double *) (w1 + 128))[0], theta[12]);
    cr_assert_eq(((double *) (w1 + 128))[1], theta[15]);
    cr_assert_eq(((double *) (w1 + 128))[2], theta[18]);
    free(w1);
    back = load_ok(dir, q);
    cr_assert_eq(memcmp(back, theta, (12 + 9 + 6) * sizeof(double)), 0);
    free(back);
    dnc_problem_clear(p);
    dnc_problem_clear(q);
    dnc_remove_tree(dir);
}

/* A manifest without format and version is version 1: its arrays must be listed, and a
 * weight decay it leaves out is 1/250. Version 2 must state the weight decays. */
Test(rundir, no_version_is_version_1)
{
    char dir[256], err[1024];
    dnc_problem_t p, q;
    double *theta;
    json_t *m;
    copy_fixture(dir, sizeof(dir), "v1-train");
    m = read_manifest(dir);
    json_object_del(m, "format");
    json_object_del(m, "version");
    json_object_del(json_object_get(m, "problem"), "lambda_h");
    json_object_del(json_object_get(m, "problem"), "lambda_w");
    write_manifest(dir, m);
    theta = load_ok(dir, p);
    tu_problem(q, "2", "2,3", "2", "3", "relu", "free", "1/250");
    cr_assert(dnc_problem_equal(p, q));
    free(theta);
    dnc_problem_clear(p);
    dnc_problem_clear(q);
    m = read_manifest(dir);
    json_object_set_new(m, "format", json_string("dncert-point"));
    json_object_set_new(m, "version", json_integer(2));
    json_object_del(m, "layout");   /* version 1's free text */
    write_manifest(dir, m);
    dnc_problem_init(p);
    cr_assert_neq(dnc_point_load(dir, p, &theta, err, sizeof(err)), 0);
    cr_assert(strstr(err, "problem: version 2 states the weight decays") != NULL, "%s", err);
    dnc_problem_clear(p);
    dnc_remove_tree(dir);
}

/* ---- what is refused, and how it is said ---- */

struct bad_dir {
    char fixture[16];
    char edit[20];
    char needle[240];
};

ParameterizedTestParameters(rundir, refused)
{
    static struct bad_dir cases[] = {
        { "float32", "", "float32/H1.npy is float32 ('<f4'); dncert needs float64 ('<f8'): use arr.astype(np.float64)" },
        { "transposed", "", "point.npz: array 'H1' has shape (5, 3), the transpose of the problem's (d1, N) = (3, 5): "
          "features are columns, one per sample, ordered by class; a PyTorch batch (one row per sample) must be "
          "transposed: save H.T" },
        { "numpy-npy", "W2-transposed", "W2.npy: W2 has shape (3, 2), the transpose of the problem's (K, d2) = (2, 3): "
          "a weight matrix is (outputs, inputs), as torch.nn.Linear.weight: save W.T" },
        { "numpy-npy", "W1-3x4", "W1.npy: W1 has shape (3, 4); the problem needs (d2, d1) = (3, 3)" },
        { "bias-2d", "", "point.npz: array 'b' has shape (2, 1); the bias is a vector, (K,) = (2,): save b.reshape(-1)" },
        { "compressed", "", "point.npz: array 'H1' is compressed (deflate, as np.savez_compressed writes); dncert "
          "reads uncompressed archives: save with np.savez" },
        { "numpy-npz", "version-3", "manifest.json: version 3 is newer than this dncert reads (1 to 2): update dncert" },
        { "numpy-npz", "version-0", "manifest.json: version: must be an integer from 1 to 2" },
        { "numpy-npz", "no-format", "manifest.json: format: required in version 2" },
        { "numpy-npz", "unknown-field", "manifest.json: unknown field 'array' (version 2 has format" },
        { "numpy-npz", "layout", "manifest.json: layout: must be \"expanded\"" },
        { "numpy-npz", "version-1", "manifest.json: arrays: required in version 1" },
        { "numpy-listed", "version-1", "manifest.json: arrays[0].file: 'arrays.npz': .npz archives need \"version\": 2" },
        { "numpy-listed", "entry-field", "manifest.json: arrays[0]: unknown field 'dtype'" },
        { "numpy-listed", "same-key", "manifest.json: arrays[3]: the array 'features' of 'arrays.npz' is already "
          "listed in arrays[0]" },
        { "numpy-listed", "key-of-npy", "manifest.json: arrays[2].key: must be the name of an array in an .npz file" },
        { "numpy-listed", "missing-key", "arrays.npz: has no array 'feats'" },
        { "numpy-npy", "add-point.npz", "holds both point.npz and H1.npy, and the manifest lists no arrays" },
        { "numpy-npy", "add-W3.npy", "W3.npy exists, but the manifest's problem has L = 2 weight matrices (W1..W2): "
          "is problem.L right?" },
        { "numpy-npy", "no-bias", "b.npy exists, but the manifest's problem has no bias (problem.bias \"none\"): "
          "is problem.bias right?" },
        { "numpy-npz", "no-bias", "point.npz: array 'b' is not a parameter block of the manifest's problem (H1, W1..W2)" },
        { "numpy-npz", "L-3", "point.npz: has no array 'W3' (the manifest's problem has H1, W1..W3, b)" },
        { "numpy-npz", "flip-a-byte", "point.npz: array 'H1': CRC-32 mismatch (the archive is damaged)" },
        { "numpy-npz", "cut-the-end", "point.npz: not a .npz file (no ZIP end record" },
    };
    return cr_make_param_array(struct bad_dir, cases, sizeof(cases) / sizeof(cases[0]));
}

static void set_entry(json_t *m, size_t i, const char *key, json_t *v)
{
    json_object_set_new(json_array_get(json_object_get(m, "arrays"), i), key, v);
}

/* Changes the manifest of dir as `edit` says. */
static void edit_manifest(const char *dir, const char *edit)
{
    json_t *m = read_manifest(dir), *prob = json_object_get(m, "problem");
    if (strncmp(edit, "version-", 8) == 0)
        json_object_set_new(m, "version", json_integer(atoi(edit + 8)));
    else if (strcmp(edit, "no-format") == 0)
        json_object_del(m, "format");
    else if (strcmp(edit, "unknown-field") == 0)
        json_object_set_new(m, "array", json_array());
    else if (strcmp(edit, "layout") == 0)
        json_object_set_new(m, "layout", json_string("collapsed"));
    else if (strcmp(edit, "entry-field") == 0)
        set_entry(m, 0, "dtype", json_string("<f8"));
    else if (strcmp(edit, "same-key") == 0)
        set_entry(m, 3, "key", json_string("features"));
    else if (strcmp(edit, "key-of-npy") == 0)
        set_entry(m, 2, "key", json_string("W2"));
    else if (strcmp(edit, "missing-key") == 0)
        set_entry(m, 0, "key", json_string("feats"));
    else if (strcmp(edit, "no-bias") == 0)
        json_object_set_new(prob, "bias", json_string("none"));
    else if (strcmp(edit, "L-3") == 0) {
        json_object_set_new(prob, "L", json_integer(3));
        json_object_set_new(prob, "activation", json_string("relu"));
        json_object_set_new(prob, "lambda_w", json_string("1/300"));
    }
    write_manifest(dir, m);
}

/* Changes the arrays of dir as `edit` says; returns 0 when edit is not about them. */
static int edit_arrays(const char *dir, const char *edit)
{
    static const double w[12] = { 0 };
    char path[512], from[512];
    slong s34[2] = { 3, 4 }, s32[2] = { 3, 2 };
    unsigned char *buf;
    size_t len;
    if (strcmp(edit, "W2-transposed") == 0 || strcmp(edit, "W1-3x4") == 0) {
        snprintf(path, sizeof(path), "%s/%s", dir, edit[1] == '2' ? "W2.npy" : "W1.npy");
        cr_assert_eq(dnc_npy_write(path, w, 2, edit[1] == '2' ? s32 : s34), 0);
    } else if (strcmp(edit, "add-point.npz") == 0 || strcmp(edit, "add-W3.npy") == 0) {
        snprintf(from, sizeof(from), "%s", edit[4] == 'p' ? FIXTURES "/numpy-npz/point.npz" : FIXTURES "/numpy-npy/W1.npy");
        snprintf(path, sizeof(path), "%s/%s", dir, edit + 4);
        copy_file(from, path);
    } else if (strcmp(edit, "flip-a-byte") == 0 || strcmp(edit, "cut-the-end") == 0) {
        snprintf(path, sizeof(path), "%s/point.npz", dir);
        buf = slurp(path, &len);
        if (edit[0] == 'f')
            buf[300] ^= 1;   /* in H1, the first member: bytes 56 (30 + "H1.npy" + 20 extra) to 304 */
        spill(path, buf, edit[0] == 'f' ? len : len - 10);
        free(buf);
    } else
        return 0;
    return 1;
}

/* Each mistake is refused with a message naming the file, the array or the field and,
 * where there is one, the fix; nothing is allocated for a refused point. */
ParameterizedTest(struct bad_dir *c, rundir, refused)
{
    char dir[256], src[512], err[2048] = "";
    double *theta;
    dnc_problem_t p;
    if (c->edit[0] == '\0')
        snprintf(dir, sizeof(dir), "%s/%s", FIXTURES, c->fixture);
    else {
        copy_fixture(dir, sizeof(dir), c->fixture);
        if (!edit_arrays(dir, c->edit))
            edit_manifest(dir, c->edit);
    }
    snprintf(src, sizeof(src), "%s", dir);
    dnc_problem_init(p);
    cr_assert_neq(dnc_point_load(src, p, &theta, err, sizeof(err)), 0, "%s/%s accepted", c->fixture, c->edit);
    cr_assert_null(theta);
    cr_assert(strstr(err, c->needle) != NULL, "%s/%s:\n  '%s'\nlacks\n  '%s'", c->fixture, c->edit, err, c->needle);
    dnc_problem_clear(p);
    if (c->edit[0] != '\0')
        dnc_remove_tree(dir);
}

/* ---- the .npz reader ---- */

/* numpy's archive: the arrays by name in strcmp order, each read as from a .npy file. */
Test(npz, reads_numpy_savez)
{
    static const char *const names[] = { "H1", "W1", "W2", "b" };
    char err[512];
    dnc_npz *z = dnc_npz_open(FIXTURES "/numpy-npz/point.npz", err, sizeof(err));
    double *a;
    slong shape[2], i;
    int ndim;
    cr_assert_not_null(z, "%s", err);
    cr_assert_eq(dnc_npz_count(z), 4);
    for (i = 0; i < 4; i++)
        cr_assert_str_eq(dnc_npz_name(z, i), names[i]);
    cr_assert(dnc_npz_has(z, "W2") && !dnc_npz_has(z, "W3") && !dnc_npz_has(z, "W2.npy"));
    cr_assert_eq(dnc_npz_read(z, "W2", &a, &ndim, shape, err, sizeof(err)), 0, "%s", err);
    cr_assert(ndim == 2 && shape[0] == 2 && shape[1] == 3);
    free(a);
    cr_assert_eq(dnc_npz_read(z, "b", &a, &ndim, shape, err, sizeof(err)), 0, "%s", err);
    cr_assert(ndim == 1 && shape[0] == 2);
    free(a);
    cr_assert_neq(dnc_npz_read(z, "W3", &a, &ndim, shape, err, sizeof(err)), 0);
    cr_assert(strstr(err, "point.npz: has no array 'W3'") != NULL, "%s", err);
    dnc_npz_close(z);
}

/* Offset of the central directory entry of member i (counting from 0) in an archive. */
static size_t central_entry(const unsigned char *buf, size_t len, int i)
{
    size_t k;
    for (k = 0; k + 4 <= len; k++)
        if (memcmp(buf + k, "PK\1\2", 4) == 0 && i-- == 0)
            return k;
    cr_assert_fail("no central entry %d", i);
    return 0;
}


static void put16(unsigned char *p, unsigned v) { p[0] = v & 0xff; p[1] = (v >> 8) & 0xff; }
static void put32(unsigned char *p, unsigned long v) { put16(p, v & 0xffff); put16(p + 2, (v >> 16) & 0xffff); }

struct damage {
    char what[24];
    char needle[120];
};

ParameterizedTestParameters(npz, refuses_damaged_archives)
{
    static struct damage cases[] = {
        { "empty", "not a .npz file (no ZIP end record" },
        { "many-members", "5000 members, more than the 4096 arrays dncert reads" },
        { "huge-directory", "the ZIP central directory does not end where the end record starts" },
        { "split", "a ZIP archive split over several disks is not supported" },
        { "same-name", "the array 'W1' appears twice" },
        { "not-npy", "the member 'W2.txt' is not an array NAME.npy" },
        { "encrypted", "array 'W1' is encrypted" },
        { "method-12", "array 'W1' uses ZIP compression method 12" },
        { "size-past-end", "array 'W1': its ZIP sizes (4000000000 stored, 4000000000 bytes) do not fit the archive" },
        { "sizes-differ", "array 'W1': its ZIP sizes (200 stored, 201 bytes) do not fit the archive" },
        { "bad-offset", "array 'W1': damaged ZIP member header" },
    };
    return cr_make_param_array(struct damage, cases, sizeof(cases) / sizeof(cases[0]));
}

/* Damaged archives (numpy's, with one field changed) are refused before anything is read
 * or allocated for their members, with a message naming the archive and the member. */
ParameterizedTest(struct damage *c, npz, refuses_damaged_archives)
{
    char dir[256], path[300], err[512] = "";
    size_t len, e, w1;
    unsigned char *buf = slurp(FIXTURES "/numpy-npz/point.npz", &len);
    dnc_npz *z;
    e = len - 22;   /* the end record: numpy writes no comment */
    w1 = central_entry(buf, len, 1);
    if (strcmp(c->what, "empty") == 0)
        len = 0;
    else if (strcmp(c->what, "many-members") == 0)
        put16(buf + e + 8, 5000), put16(buf + e + 10, 5000);
    else if (strcmp(c->what, "huge-directory") == 0)
        put32(buf + e + 12, 0x7fffffff);
    else if (strcmp(c->what, "split") == 0)
        put16(buf + e + 4, 1);
    else if (strcmp(c->what, "same-name") == 0)
        buf[central_entry(buf, len, 2) + 47] = '1';           /* W2.npy -> W1.npy */
    else if (strcmp(c->what, "not-npy") == 0)
        memcpy(buf + central_entry(buf, len, 2) + 46 + 3, "txt", 3);
    else if (strcmp(c->what, "encrypted") == 0)
        put16(buf + w1 + 8, 1);
    else if (strcmp(c->what, "method-12") == 0)
        put16(buf + w1 + 10, 12);
    else if (strcmp(c->what, "size-past-end") == 0)
        put32(buf + w1 + 20, 4000000000ul), put32(buf + w1 + 24, 4000000000ul);
    else if (strcmp(c->what, "sizes-differ") == 0)
        put32(buf + w1 + 24, 201);
    else if (strcmp(c->what, "bad-offset") == 0)
        put32(buf + w1 + 42, 10);
    tu_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/point.npz", dir);
    spill(path, buf, len);
    free(buf);
    z = dnc_npz_open(path, err, sizeof(err));
    if (z != NULL) {   /* a member's local header is read only when the member is */
        double *a;
        slong shape[2];
        int ndim;
        cr_assert_neq(dnc_npz_read(z, "W1", &a, &ndim, shape, err, sizeof(err)), 0, "%s accepted", c->what);
        dnc_npz_close(z);
    }
    cr_assert(strstr(err, c->needle) != NULL, "%s: '%s' lacks '%s'", c->what, err, c->needle);
    dnc_remove_tree(dir);
}

/* ---- writing a run, and reading its record ---- */

static int count_records(const json_t *rec, void *ctx)
{
    (void) rec;
    ++*(int *) ctx;
    return 0;
}

/* The writer builds DIR.tmp.XXXXXX and renames it: DIR appears complete (metrics, summary,
 * manifest, arrays) and nothing else is left; the readers find the summary and every
 * record. A run whose temporary directory vanished fails and leaves no DIR; an aborted
 * one leaves nothing. */
Test(rundir, writer_and_record_readers)
{
    char dir[256], run[300], other[300], path[400], err[512];
    double theta[64] = { 0.25 };
    dnc_problem_t p;
    dnc_run_writer w;
    json_t *rec = json_pack("{s:i, s:f, s:[]}", "step", 0, "loss", 0.5, "layers"), *sum, *got;
    int seen = 0;
    slong count;
    tu_problem(p, "2", "2", "2", "3", "relu", "none", "1/250");
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/a/run", dir);
    sum = json_pack("{s:s, s:f}", "status", "steps", "loss", 0.5);
    cr_assert_eq(dnc_run_writer_open(&w, run, 0, err, sizeof(err)), 0, "%s", err);
    cr_assert_not(dnc_path_exists(run));
    cr_assert_eq(dnc_run_writer_log(&w, rec), 0);
    cr_assert_eq(dnc_run_writer_log(&w, rec), 0);
    cr_assert_eq(dnc_run_writer_finish(&w, p, theta, NULL, sum, err, sizeof(err)), 0, "%s", err);
    got = dnc_run_summary(run);
    cr_assert(got != NULL && json_equal(got, sum));
    json_decref(got);
    cr_assert_eq(dnc_run_metrics(run, count_records, &seen, &count, err, sizeof(err)), 0, "%s", err);
    cr_assert(seen == 2 && count == 2);
    snprintf(path, sizeof(path), "%s/manifest.json", run);
    cr_assert(dnc_path_exists(path));
    snprintf(other, sizeof(other), "%s/a/other", dir);   /* its temporary directory removed under the writer */
    cr_assert_eq(dnc_run_writer_open(&w, other, 0, err, sizeof(err)), 0, "%s", err);
    dnc_remove_tree(w.tmp);
    cr_assert_neq(dnc_run_writer_finish(&w, p, theta, NULL, sum, err, sizeof(err)), 0);
    cr_assert_not(dnc_path_exists(other));
    cr_assert_eq(dnc_run_writer_open(&w, other, 0, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(dnc_run_writer_log(&w, rec), 0);
    dnc_run_writer_abort(&w);
    snprintf(run, sizeof(run), "%s/a", dir);
    cr_assert_eq(tu_entries(run), 1, "left behind in %s", run);   /* only "run" */
    json_decref(rec);
    json_decref(sum);
    dnc_problem_clear(p);
    dnc_remove_tree(dir);
}
