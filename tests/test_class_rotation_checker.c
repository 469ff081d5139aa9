/* The checker's class rotations (format §6.9, `class_rotations` of a critical_point claim),
 * through dncert-verify alone: malformed pairs and problems where they are not allowed are
 * rejected naming the field; on the committed critical points (n_c = 1, no bias) a class
 * rotation that breaks check 3(i), (ii) or (iii) turns the certified claim into a mismatch
 * with that reason; and at a trained K = 3, L = 1, width 2 point (rank-2 output: the O(3)
 * class orbit has two directions the one unit rotation does not span) two class rotations
 * make the singular bordered system certified, while three give a singular Gram matrix. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include "testutil.h"

static char out[1 << 20], err[1 << 16];

/* t <- certificate c with class_rotations of its critical_point claim set to value (JSON). */
static void with_class_rotations(const char *c, const char *t, const char *value)
{
    json_t *j = json_load_file(c, 0, NULL);
    cr_assert(j != NULL, "%s", c);
    json_object_set_new(tu_claim(j, "critical_point"), "class_rotations", json_loads(value, 0, NULL));
    cr_assert_eq(json_dump_file(j, t, 0), 0);
    json_decref(j);
}

/* dncert-verify on t: exit status, the output in out (stdout then stderr). */
static int verify(const char *t)
{
    const char *args[] = { t, NULL };
    int rc = tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), args);
    strncat(out, err, sizeof(out) - strlen(out) - 1);
    return rc;
}

/* In a new temporary dir: run = dir/run, c = dir/c.json, t = dir/t.json; then the commands tr
 * (train ... --out run) and cp (certify-point run --out c) succeed. */
static void trained_certificate(const char *const *tr, const char *const *cp, char *dir, char *run, char *c, char *t)
{
    tu_tmpdir(dir, 256);
    snprintf(run, 300, "%s/run", dir);
    snprintf(c, 300, "%s/c.json", dir);
    snprintf(t, 300, "%s/t.json", dir);
    cr_assert_eq(tu_run(out, err, sizeof(out), tr), 0, "%s%s", out, err);
    cr_assert_eq(tu_run(out, err, sizeof(out), cp), 0, "%s%s", out, err);
}

static void rejected(const char *c, const char *t, const char *value, const char *msg)
{
    with_class_rotations(c, t, value);
    cr_expect_eq(verify(t), 1, "%s accepted: %s", value, out);
    cr_expect(strstr(out, "REJECTED") != NULL && strstr(out, "class_rotations") != NULL && strstr(out, msg) != NULL,
              "%s: no REJECTED ... class_rotations ... \"%s\": %s", value, msg, out);
}

static void mismatch(const char *c, const char *t, const char *value, const char *reason)
{
    with_class_rotations(c, t, value);
    cr_expect_eq(verify(t), 1, "%s: %s", value, out);
    cr_expect(strstr(out, "critical_point critical_point not proven MISMATCH") != NULL, "%s: %s", value, out);
    cr_expect(strstr(out, reason) != NULL, "%s: no \"%s\" in %s", value, reason, out);
}

#define K4L5 DNCERT_SOURCE_DIR "/certificates/critical-points/critical-K4-L5.json"
#define K3L3 DNCERT_SOURCE_DIR "/certificates/critical-points/dnc-K3-L3.json"

Test(class_rotation_checker, malformed_pairs_are_rejected)
{
    char dir[256], t[300];
    tu_tmpdir(dir, sizeof(dir));
    snprintf(t, sizeof(t), "%s/t.json", dir);
    rejected(K4L5, t, "[[1, 0]]", "[1, 0] is not a pair of classes 0 <= a < b < K = 4");
    rejected(K4L5, t, "[[2, 2]]", "is not a pair of classes");
    rejected(K4L5, t, "[[0, 4]]", "[0, 4] is not a pair of classes 0 <= a < b < K = 4");
    rejected(K4L5, t, "[[-1, 2]]", "is not a pair of classes");
    rejected(K4L5, t, "[[0, 2], [0, 1]]", "class_rotations[1]: not strictly after the previous pair");
    rejected(K4L5, t, "[[0, 1], [0, 1]]", "class_rotations[1]: not strictly after the previous pair");
    rejected(K4L5, t, "[[0, 1, 2]]", "class_rotations[0]: expected [a, b]");
    rejected(K4L5, t, "[[0, \"1\"]]", "class_rotations[0]: expected [a, b]");
    with_class_rotations(K4L5, t, "{}");   /* not an array: the claim's schema */
    cr_expect_eq(verify(t), 1, "%s", out);
    cr_expect(strstr(out, "class_rotations") != NULL, "%s", out);
    with_class_rotations(K4L5, t, "[]");   /* empty = none: the committed verdicts stand */
    cr_expect_eq(verify(t), 0, "%s", out);
    cr_expect(strstr(out, "critical_point critical_point certified OK") != NULL, "%s", out);
}

/* A class rotation in a problem with two samples of a class, or with a bias: malformed. */
Test(class_rotation_checker, allowed_only_with_one_sample_per_class_and_no_bias)
{
    char dir[256], run[300], c[300], t[300];
    static const char *const opt[2][4] = { { "2", "2", "none", "one sample" }, { "3", "1", "free", "without bias" } };
    int k;
    for (k = 0; k < 2; k++) {
        const char *tr[] = { "train", "--K", opt[k][0], "--n", opt[k][1], "--L", "1", "--width", "2", "--bias", opt[k][2],
                             "--optimizer", "lbfgs", "--steps", "300", "--out", run, NULL };
        const char *cp[] = { "certify-point", run, "--out", c, "--critical", NULL };
        trained_certificate(tr, cp, dir, run, c, t);
        rejected(c, t, "[[0, 1]]", opt[k][3]);
    }
}

/* On the committed critical points a class rotation is not a symmetry: each condition of
 * check 3 named (pairs found by trying every pair on these files). */
Test(class_rotation_checker, conditions_3i_3ii_3iii_refuse)
{
    char dir[256], t[300];
    tu_tmpdir(dir, sizeof(dir));
    snprintf(t, sizeof(t), "%s/t.json", dir);
    mismatch(K4L5, t, "[[0, 1]]", "class_rotations[0] = [0, 1]: unit 1 of layer 2 is negative on the box in column 0 "
                                  "(check 3(i)): not a symmetry");
    mismatch(K4L5, t, "[[1, 2]]", "class_rotations[0] = [1, 2]: unit 1 of layer 2, not linear on the data, has a kink "
                                  "in column 1 but not in column 2 (check 3(ii)): not a symmetry");
    mismatch(K3L3, t, "[[1, 2]]", "class_rotations[0] = [1, 2]: the kept-row rule of layer 2 applies to columns 0 and 1 "
                                  "(check 3(iii)): not a symmetry");
    mismatch(K4L5, t, "[[2, 3]]", "(check 3(i))");
}

/* K = 3, n = 1, L = 1, width 2: Z = W_1 H1 has rank 2, so rotating the classes moves the point
 * along two directions that the one rotation of the two units does not cover; the producer's
 * slice (that rotation) leaves the system singular. Two class rotations in the slice: certified
 * (the checker's verdict, whatever the file says); all three: the Gram matrix is singular (the
 * orbit of O(3) x O(2) has dimension 3). */
Test(class_rotation_checker, rank_two_point_certified_with_two_class_rotations)
{
    char dir[256], run[300], c[300], t[300];
    const char *tr[] = { "train", "--K", "3", "--n", "1", "--L", "1", "--width", "2", "--optimizer", "lbfgs", "--steps",
                         "3000", "--grad-tol", "1e-13", "--out", run, NULL };
    const char *cp[] = { "certify-point", run, "--out", c, "--critical", NULL };
    static const char *const two[] = { "[[0, 1], [0, 2]]", "[[0, 1], [1, 2]]", "[[0, 2], [1, 2]]" };
    int k;
    trained_certificate(tr, cp, dir, run, c, t);
    for (k = 0; k < 3; k++) {
        with_class_rotations(c, t, two[k]);
        verify(t);
        cr_expect(strstr(out, "critical_point critical_point certified") != NULL, "%s: %s", two[k], out);
        cr_expect(strstr(out, "strict_local_min strict_local_min certified") != NULL, "%s: %s", two[k], out);
    }
    with_class_rotations(c, t, "[[0, 1], [0, 2], [1, 2]]");
    verify(t);
    cr_expect(strstr(out, "critical_point critical_point not proven") != NULL, "%s", out);
    cr_expect(strstr(out, "the Gram matrix of the generators on the box is not shown invertible") != NULL, "%s", out);
    with_class_rotations(c, t, "[[0, 1]]");   /* one: still a flat direction */
    verify(t);
    cr_expect(strstr(out, "critical_point critical_point not proven") != NULL, "%s", out);
}
