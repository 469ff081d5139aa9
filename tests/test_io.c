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
