/* Files and formats: .npy round trips, exact decimal enclosures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "dncert/io.h"
#include "testutil.h"

Test(npy, round_trip_is_exact)
{
    char dir[256], path[300], err[256];
    double a[6] = { 0.1, -2.5e-300, 1e300, 3.0, -0.0, 7.25 }, *b;
    slong shape[2] = { 2, 3 }, got[2];
    int ndim;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/a.npy", dir);
    cr_assert_eq(dnc_npy_write(path, a, 2, shape), 0);
    cr_assert_eq(dnc_npy_read(path, &b, &ndim, got, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(ndim, 2);
    cr_assert_eq(got[0], 2);
    cr_assert_eq(got[1], 3);
    cr_assert_eq(memcmp(a, b, sizeof(a)), 0);
    free(b);
    unlink(path);
    rmdir(dir);
}

/* A C-order file written by numpy itself is transposed into column-major on reading. */
Test(npy, reads_numpy_c_order)
{
    char dir[256], cmd[600], path[300], err[256];
    double *b;
    slong got[2];
    int ndim;
    if (system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0)
        cr_skip_test("python3-numpy not installed");
    tu_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/c.npy", dir);
    snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -c \"import numpy as np; np.save('%s', np.array([[1.0,2,3],[4,5,6]]))\"", path);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(dnc_npy_read(path, &b, &ndim, got, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(got[0], 2);
    cr_assert_eq(b[0], 1.0);   /* (0,0) */
    cr_assert_eq(b[1], 4.0);   /* (1,0): column-major */
    cr_assert_eq(b[2], 2.0);   /* (0,1) */
    free(b);
    unlink(path);
    rmdir(dir);
}

Test(npy, rejects_other_dtypes)
{
    char dir[256], path[300], err[256];
    double *b;
    slong got[2];
    int ndim;
    FILE *f;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/bad.npy", dir);
    f = fopen(path, "wb");
    fputs("not numpy at all", f);
    fclose(f);
    cr_assert_neq(dnc_npy_read(path, &b, &ndim, got, err, sizeof(err)), 0);
    cr_assert(strstr(err, "not a .npy file") != NULL, "%s", err);
    unlink(path);
    rmdir(dir);
}

/* Writes a .npy file: the version-1 preamble with this header (padded as numpy does),
 * then nbytes bytes of data (zeros). */
static void write_npy(const char *path, const char *header, size_t nbytes)
{
    FILE *f = fopen(path, "wb");
    size_t hlen = strlen(header) + 1, pad = (64 - (10 + hlen) % 64) % 64, i;
    unsigned char pre[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0 };
    pre[8] = (unsigned char) ((hlen + pad) & 0xff);
    pre[9] = (unsigned char) ((hlen + pad) >> 8);
    fwrite(pre, 1, 10, f);
    fputs(header, f);
    for (i = 0; i < pad; i++)
        fputc(' ', f);
    fputc('\n', f);
    for (i = 0; i < nbytes; i++)
        fputc(0, f);
    fclose(f);
}

struct npy_case {
    const char *header;
    size_t nbytes;
    const char *needle;
};

/* Malformed headers are rejected before anything is allocated for the data: a shape whose
 * product overflows (it used to read 2^61 elements into malloc(0)), shapes the file does
 * not hold, bad dtypes, orders and shapes. */
Test(npy, rejects_bad_headers)
{
    static const struct npy_case cases[] = {
        { "{'descr': '<f8', 'fortran_order': True, 'shape': (4611686018427387904, 4), }", 64, "needs more data than the file" },
        { "{'descr': '<f8', 'fortran_order': True, 'shape': (2305843009213693952,), }", 64, "needs more data than the file" },
        { "{'descr': '<f8', 'fortran_order': True, 'shape': (99999999999999999999,), }", 0, "shape must be a tuple" },
        { "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", 40, "shape (2, 3) needs more data than the file's" },
        { "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", 56, "the file has 56 bytes of data after the header, the shape (2, 3) calls for 48" },
        { "{'descr': '<f8', 'fortran_order': True, 'shape': (-1,), }", 0, "shape must be a tuple" },
        { "{'descr': '<f8', 'fortran_order': True, 'shape': (1, 2, 3), }", 48, "shape must be a tuple" },
        { "{'descr': '<f8', 'fortran_order': True, 'shape': (), }", 8, "shape must be a tuple" },
        { "{'descr': '<f8', 'fortran_order': True, 'shape': (2 3), }", 48, "shape must be a tuple" },
        { "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", 8, "h.npy is float32 ('<f4'); dncert needs float64 ('<f8'): use arr.astype(np.float64)" },
        { "{'descr': '>f8', 'fortran_order': True, 'shape': (2,), }", 16, "h.npy is big-endian float64 ('>f8'); dncert needs little-endian float64 ('<f8'): use arr.astype('<f8')" },
        { "{'descr': '<i8', 'fortran_order': True, 'shape': (2,), }", 16, "h.npy is int64 ('<i8'); dncert needs float64" },
        { "{'descr': '|b1', 'fortran_order': True, 'shape': (2,), }", 2, "h.npy is bool ('|b1'); dncert needs float64" },
        { "{'descr': '<U3', 'fortran_order': True, 'shape': (2,), }", 24, "h.npy has dtype '<U3'; dncert needs float64" },
        { "{'descr': [('a', '<f8')], 'fortran_order': True, 'shape': (2,), }", 16, "h.npy: the dtype is not a plain number type" },
        { "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2,), }", 16, "fortran_order must be True or False" },
        { "{'descr': '<f8', 'shape': (2,), }", 16, "fortran_order must be True or False" },
    };
    char dir[256], path[300], err[256];
    double *b;
    slong got[2];
    int ndim;
    size_t i;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/h.npy", dir);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        write_npy(path, cases[i].header, cases[i].nbytes);
        err[0] = '\0';
        cr_expect_neq(dnc_npy_read(path, &b, &ndim, got, err, sizeof(err)), 0, "accepted %s", cases[i].header);
        cr_expect(strstr(err, cases[i].needle) != NULL, "%s: '%s' lacks '%s'", cases[i].header, err, cases[i].needle);
    }
    write_npy(path, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 48);   /* the valid one */
    cr_assert_eq(dnc_npy_read(path, &b, &ndim, got, err, sizeof(err)), 0, "%s", err);
    free(b);
    unlink(path);
    rmdir(dir);
}

/* A version-2 header that claims 4 GiB (it was calloc'ed before the size check), and
 * header lengths beyond the end of the file. */
Test(npy, rejects_huge_header_lengths)
{
    char dir[256], path[300], err[256];
    unsigned char v2[12] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0xf0, 0xff, 0xff, 0xff };
    unsigned char v1[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0xff, 0x7f };
    double *b;
    slong got[2];
    int ndim;
    FILE *f;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/h.npy", dir);
    f = fopen(path, "wb");
    fwrite(v2, 1, 12, f);
    fclose(f);
    cr_assert_neq(dnc_npy_read(path, &b, &ndim, got, err, sizeof(err)), 0);
    cr_assert(strstr(err, "header longer than 64 KiB") != NULL, "%s", err);
    f = fopen(path, "wb");
    fwrite(v1, 1, 10, f);
    fputs("{'descr': '<f8', }", f);
    fclose(f);
    cr_assert_neq(dnc_npy_read(path, &b, &ndim, got, err, sizeof(err)), 0);
    cr_assert(strstr(err, "truncated header") != NULL, "%s", err);
    unlink(path);
    rmdir(dir);
}

/* Saves a small point (K = 2, n = 2, L = 2, width 3) into a new directory. */
static void save_point(char *dir, size_t len, double fill)
{
    dnc_problem_t p;
    double theta[64];
    char err[256];
    size_t i;
    tu_problem(p, "2", "2", "2", "3", "relu", "none", "1/250");
    for (i = 0; i < 64; i++)
        theta[i] = fill + 0.01 * (double) i;
    tu_tmpdir(dir, len);
    cr_assert_eq(dnc_point_save(dir, p, theta, NULL, err, sizeof(err)), 0, "%s", err);
    dnc_problem_clear(p);
}

/* Rewrites dir/manifest.json through edit(arrays). */
static void edit_manifest(const char *dir, void (*edit)(json_t *arrays))
{
    char path[300], err[256];
    json_t *m;
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    m = json_load_file(path, 0, NULL);
    cr_assert_not_null(m);
    edit(json_object_get(m, "arrays"));
    cr_assert_eq(dnc_json_write_atomic(path, m, err, sizeof(err)), 0);
    json_decref(m);
}

/* dnc_point_load(dir) fails with a message holding needle; dir is removed. */
static void expect_load_error(const char *dir, const char *needle)
{
    char err[512] = "";
    double *theta;
    dnc_problem_t p;
    dnc_problem_init(p);
    cr_expect_neq(dnc_point_load(dir, p, &theta, err, sizeof(err)), 0, "accepted (wanted '%s')", needle);
    cr_expect(strstr(err, needle) != NULL, "'%s' lacks '%s'", err, needle);
    dnc_problem_clear(p);
    dnc_remove_tree(dir);
}

static void dup_entry(json_t *a) { json_array_set(a, 2, json_array_get(a, 1)); }
static void dup_file(json_t *a) { json_object_set_new(json_array_get(a, 2), "file", json_string("W1.npy")); }
static void bad_shape(json_t *a) { json_array_set_new(json_object_get(json_array_get(a, 1), "shape"), 0, json_integer(4)); }
static void flat_shape(json_t *a) { json_array_remove(json_object_get(json_array_get(a, 1), "shape"), 1); }
static void extra_entry(json_t *a) { json_array_append_new(a, json_pack("{s:s, s:s, s:[i]}", "name", "b", "file", "b.npy", "shape", 2)); }
static void unknown_name(json_t *a) { json_object_set_new(json_array_get(a, 2), "name", json_string("W7")); }
static void path_file(json_t *a) { json_object_set_new(json_array_get(a, 0), "file", json_string("../H1.npy")); }
static void drop_entry(json_t *a) { json_array_remove(a, 2); }

/* The manifest's arrays are checked: a block listed twice (was silently accepted), a file
 * listed twice, a shape that is not the problem's (was ignored), a missing, extra or
 * unknown block, a path instead of a file name. */
Test(point, manifest_arrays_are_checked)
{
    static const struct { void (*edit)(json_t *); const char *needle; } cases[] = {
        { dup_entry, "arrays[2]: the name 'W1' is already listed in arrays[1]" },
        { dup_file, "arrays[2]: the file 'W1.npy' is already listed in arrays[1]" },
        { bad_shape, "arrays[1].shape: must be [3, 3], the problem's shape of W1" },
        { flat_shape, "arrays[1].shape: must be [3, 3]" },
        { extra_entry, "arrays: 4 entries, the problem has 3 parameter blocks" },
        { drop_entry, "arrays: 2 entries, the problem has 3 parameter blocks" },
        { unknown_name, "arrays[2].name: 'W7' is not a parameter block of the problem (H1, W1..W2)" },
        { path_file, "arrays[0]: must be" },
    };
    char dir[256];
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        save_point(dir, sizeof(dir), 0.5);
        edit_manifest(dir, cases[i].edit);
        expect_load_error(dir, cases[i].needle);
    }
}

/* An array whose file does not have the manifest's shape (a 2-D W1 written as 1-D with
 * the same count, or with another shape) is refused naming the file. */
Test(point, npy_shape_must_match)
{
    char dir[256], path[300];
    double w[9] = { 0 };
    slong shape[2] = { 9, 1 };
    save_point(dir, sizeof(dir), 0.5);
    snprintf(path, sizeof(path), "%s/W1.npy", dir);
    cr_assert_eq(dnc_npy_write(path, w, 1, shape), 0);
    expect_load_error(dir, "W1.npy: W1 has shape (9,); the problem needs (d2, d1) = (3, 3)");
}

/* Sets entry j of the shape of manifest array i. */
static void set_shape(json_t *m, size_t i, size_t j, slong v)
{
    json_array_set_new(json_object_get(json_array_get(json_object_get(m, "arrays"), i), "shape"), j, json_integer(v));
}

/* A problem in the manifest that is far larger than its files: refused when the first
 * file is read, before the point is allocated. */
Test(point, manifest_cannot_ask_for_more_than_the_files_hold)
{
    char dir[256], path[300], err[512];
    json_t *m;
    save_point(dir, sizeof(dir), 0.5);
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    m = json_load_file(path, 0, NULL);
    json_object_set_new(json_object_get(m, "problem"), "n", json_integer(100000000));
    json_object_set_new(json_object_get(m, "problem"), "width", json_integer(1000000));
    set_shape(m, 0, 0, 1000000);
    set_shape(m, 0, 1, 200000000);
    set_shape(m, 1, 0, 1000000);
    set_shape(m, 1, 1, 1000000);
    set_shape(m, 2, 1, 1000000);
    cr_assert_eq(dnc_json_write_atomic(path, m, err, sizeof(err)), 0);
    json_decref(m);
    expect_load_error(dir, "H1.npy: H1 has shape (3, 4); the problem needs (d1, N) = (1000000, 200000000)");
}

/* A problem with K = 5000 (n a list of 5000 counts) goes through its JSON form and back
 * (a 4096-byte buffer once made this fail with a misleading "problem.n" error); the
 * largest K allowed, too; one more is rejected naming problem.K. */
Test(problem_json, large_K_round_trip)
{
    dnc_problem_t p, q;
    char err[512] = "";
    slong K[] = { 5000, DNC_MAX_K }, i, k;
    json_t *o;
    for (i = 0; i < 2; i++) {
        char ks[32];
        snprintf(ks, sizeof(ks), "%ld", (long) K[i]);
        tu_problem(p, ks, "3", "2", "4", "relu", "none", "1/250");
        for (k = 0; k < p->K; k++)
            p->n[k] = 1 + k % 5;
        o = dnc_problem_to_json(p);
        dnc_problem_init(q);
        cr_assert_eq(dnc_problem_from_json(q, o, err, sizeof(err)), 0, "K = %ld: %s", (long) K[i], err);
        cr_assert_eq(q->K, K[i]);
        cr_assert_eq(q->n[K[i] - 1], 1 + (K[i] - 1) % 5);
        if (i == 1) {
            json_object_set_new(o, "K", json_integer(DNC_MAX_K + 1));
            json_array_append_new(json_object_get(o, "n"), json_integer(1));
            cr_assert_neq(dnc_problem_from_json(q, o, err, sizeof(err)), 0);
            cr_assert(strstr(err, "problem.K: must be an integer in [2, 100000]") != NULL, "%s", err);
        }
        json_decref(o);
        dnc_problem_clear(q);
        dnc_problem_clear(p);
    }
}

/* The DNC value of closed-forms.md (40 digits there) as a 256-bit ball: the proven
 * decimal must be a prefix of the reference, and lo <= reference-ball <= hi exactly. */
Test(enclosure, proven_digits_and_exact_endpoints)
{
    const char *ref = "0.023853593128578949378790180100123856997";
    arb_t x;
    json_t *j;
    const char *d;
    fmpq_t lo, hi;
    char err[128];
    arb_init(x);
    arb_set_str(x, "[0.0238535931285789493787901801001238569968477178 +/- 4.76e-48]", 256);
    j = dnc_json_enclosure(x, 40);
    d = json_string_value(json_object_get(j, "decimal"));
    /* the reference's last digit is rounded, so compare all but it */
    cr_assert(strlen(d) > 35 && strncmp(d, ref, strlen(ref) - 1) == 0, "decimal %s does not match the reference", d);
    cr_assert(strcmp(d + strlen(d) - 3, "...") == 0);
    fmpq_init(lo);
    fmpq_init(hi);
    cr_assert_eq(dnc_json_get_interval(lo, hi, j, "loss", err, sizeof(err)), 0, "%s", err);
    {
        arb_t l, h;
        arb_init(l);
        arb_init(h);
        arb_set_fmpq(l, lo, 512);
        arb_set_fmpq(h, hi, 512);
        cr_assert(arb_le(l, x) && arb_le(x, h), "endpoints do not enclose the ball");
        arb_clear(l);
        arb_clear(h);
    }
    fmpq_clear(lo);
    fmpq_clear(hi);
    json_decref(j);
    arb_clear(x);
}

Test(enclosure, exact_and_undecided_values)
{
    arb_t x;
    char *s;
    arb_init(x);
    arb_set_d(x, -1.25);
    s = dnc_arb_proven_decimal(x, 30);
    cr_assert_str_eq(s, "-1.25");
    flint_free(s);
    arb_zero(x);   /* e.g. the regulariser of the zero point */
    s = dnc_arb_proven_decimal(x, 30);
    cr_assert_str_eq(s, "0");
    flint_free(s);
    /* [0.19999999999998, 0.20000000000002]: not even the first digit is decided */
    arb_set_str(x, "[0.2 +/- 2e-14]", 128);
    s = dnc_arb_proven_decimal(x, 30);
    cr_assert(strstr(s, "+/-") != NULL, "%s", s);
    flint_free(s);
    arb_clear(x);
}

Test(enclosure, outward_decimal_rounding)
{
    fmpq_t q;
    char *a, *b;
    fmpq_init(q);
    fmpq_set_si(q, -1, 3);
    a = dnc_fmpq_decimal_floor(q, 5);
    b = dnc_fmpq_decimal_ceil(q, 5);
    cr_assert_str_eq(a, "-0.33334");
    cr_assert_str_eq(b, "-0.33333");
    flint_free(a);
    flint_free(b);
    fmpq_set_si(q, 123456, 1);
    a = dnc_fmpq_decimal_floor(q, 3);
    cr_assert_str_eq(a, "123000");
    flint_free(a);
    fmpq_clear(q);
}
