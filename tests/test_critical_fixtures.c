/* Certified critical points of trained fixtures (tests/data/critical; docs/refine.md §7-§8):
 * the K = 6, L = 4 points of widths 10, 20 and 30, each certified and re-checked by both
 * checkers, with forgeries of the reduction or generator each needs refused. Apart from
 * test_critical.c so that each binary stays inside ctest's time limit under the sanitizers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "dncert/exact.h"
#include "dncert/io.h"
#include "dncert/refine.h"
#include "testutil.h"
#include "critical_util.h"

/* K = 6, L = 4, width 10, the trained point below SRG (GD lr 0.05, fan-in, seed 5, 100 000
 * steps; `refine --kink-tol 0.05`; docs/refine.md §7.3 and §9; run directory
 * tests/data/critical/k6-l4). Without zero weights its reduced KKT system is singular: rows
 * (3, 1) and (4, 9) have five kinks each whose inputs' columns have rank 3 (a double-precision
 * SVD of the reduced Jacobian, independent of the checkers: 4 null directions, all in the
 * multipliers of these two rows' kinks), so LICQ fails. A kink row i whose kink inputs S are
 * inactive wherever unit i is active has w_i[S] = 0 at every critical point (the stationarity
 * argument of §7.3, by hand); with those weights held at 0 its kinks are exactly 0 and implied,
 * and the point is certified, with its loss within 1e-50 of the refined point's exact loss
 * (another code path) and certified below the SRG value (the closed form). Refused: the zero
 * weights left out (the implied kinks are then not 0 on the box), a listed kink moved to the
 * implied ones, a zero weight whose entry is not 0, a zero weight set to 0 in the point where
 * the gradient is not 0 (W_4[0, 0]: the last layer, so no pre-activation moves), and malformed
 * entries. */
Test(critical, k6_l4_zero_weights_below_srg, .timeout = 300)
{
    char dir[256], c[300], t[300];
    const char *cp[] = { "certify-point", DNCERT_SOURCE_DIR "/tests/data/critical/k6-l4", "--out", c, "--critical",
                         "--below", "srg:4", NULL };
    const char *vargs[] = { c, NULL };
    json_t *j, *cl, *zw;
    char *js;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(c, sizeof(c), "%s/c.json", dir);
    snprintf(t, sizeof(t), "%s/t.json", dir);
    cr_assert_eq(tu_run(out, err, sizeof(out), cp), 0, "%s%s", out, err);
    cr_expect(strstr(out, "critical    certified") != NULL, "%s", out);
    cr_expect(strstr(out, "below       certified") != NULL, "%s", out);
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 0, "%s%s", out, err);
    cr_expect(strstr(out, "critical_point critical_point certified OK") != NULL, "%s", out);
    cr_expect(strstr(out, "strict_local_min strict_local_min certified OK") != NULL, "%s", out);
    /* docs/refine.md §7.13: the degenerate kinks of layer 2 are implied by zero entries of H1 and
     * W_1 in the frame of H1's columns, so kink_multipliers is certified as well */
    cr_expect(strstr(out, "kink_multipliers kink_multipliers certified OK") != NULL, "%s", out);
    cl = claim_copy(c, &j);
    cr_assert(cl != NULL);
    {   /* without the zero entries of H1 (l = 0) the kinks of layer 2 they imply are not 0 on the box */
        json_t *z = json_deep_copy(json_object_get(cl, "zero_weights"));
        size_t i = 0;
        int n = 0;
        while (i < json_array_size(z))
            if (json_integer_value(json_array_get(json_array_get(z, i), 0)) == 0)
                json_array_remove(z, i), n++;
            else
                i++;
        cr_expect_gt(n, 0);
        js = json_dumps(z, JSON_COMPACT);
        json_decref(z);
        refused_for(c, t, "zero_weights", js, NULL, -1, "it is not exactly 0 on the box");
        free(js);
    }
    zw = json_object_get(cl, "zero_weights");
    cr_expect_gt(json_array_size(zw), 0);
    js = json_dumps(zw, JSON_COMPACT);   /* the two rows of the analysis among them: W_2 row 1, W_3 row 9 */
    cr_expect(strstr(js, "[2,1,") != NULL && strstr(js, "[3,9,") != NULL, "%s", js);
    free(js);
    expect_loss_agrees(j, cl);
    {   /* the first listed kink of layer 3 moved to the implied ones (sorted in), its multiplier and
         * slope dropped */
        json_t *k = json_object_get(cl, "kinks"), *im = json_object_get(cl, "implied_kinks"), *e;
        size_t i = 0, at = 0;
        while (json_integer_value(json_array_get(json_array_get(k, i), 0)) < 3)
            i++;
        e = json_array_get(k, i);
        while (at < json_array_size(im) && triple_before(json_array_get(im, at), e))
            at++;
        json_array_insert(im, at, e);
        json_array_remove(k, i);
        json_array_remove(json_object_get(cl, "multipliers"), i);
        json_array_remove(json_object_get(tu_claim(j, "kink_multipliers"), "slopes"), i);
        cr_assert_eq(json_dump_file(j, t, 0), 0);
    }
    json_decref(j);
    refused(t, "a listed kink moved to the implied ones");
    {
        const char *ex[] = { "verify", "--explain", t, NULL };
        tu_run(out, err, sizeof(out), ex);
        cr_expect(strstr(out, "it is not exactly 0 on the box") != NULL, "%s", out);
    }
    refused_for(c, t, "zero_weights", NULL, NULL, -1, "it is not exactly 0 on the box");
    {   /* entry (0, 0) of W_4 is -0.31 in the point: not 0; with the point edited, its gradient is not 0 */
        json_t *jz = claim_copy(c, &j);
        json_t *z = json_deep_copy(json_object_get(jz, "zero_weights")), *e = json_pack("[iii]", 4, 0, 0);
        size_t at = 0;
        while (at < json_array_size(z) && triple_before(json_array_get(z, at), e))   /* sorted in */
            at++;
        json_array_insert_new(z, at, e);
        js = json_dumps(z, JSON_COMPACT);
        json_decref(z);
        json_decref(j);
        refused_for(c, t, "zero_weights", js, NULL, -1, "must be exactly 0");
        refused_for(c, t, "zero_weights", js, "W4", 0, "zero weights are not shown to be 0");
        free(js);
    }
    {
        static const char *const bad[] = { "[[0, 10, 0]]", "[[0, 0, 6]]", "[[5, 0, 0]]", "[[4, 6, 0]]", "[[2, 10, 0]]", "[[2, 0, 10]]",
                                           "[[3, 9, 0], [2, 1, 1]]", "[[2, 1]]", "[[2, 1, 1], [2, 1, 1]]",
                                           "[[2, -1, 0]]", "[[2, 0, -1]]", "[[-1, 0, 0]]", "[[2, 1, 1.0]]", "[[2, \"1\", 1]]",
                                           "[null]", "{}", "[[2, 1, 1, 0]]" };
        malformed_field(c, t, "zero_weights", bad, 17);
    }
    {   /* review (rev2), by hand: kink [4, 0, 4] reads only W_3[0, 1] (unit 1 of layer 3 is the only
         * active one in column 4), and unit 0 of layer 4 is active only where unit 1 of layer 3
         * is not, so W_3[0, 1] is 0 at every critical point; the same holds for the other
         * column-4 kinks of layer 4, [4, 3|6|8, 4] (G_e and mu_e both about 0 when listed). The
         * producer's groups (docs/refine.md §7.3) find exactly this: W_3[0|3|6|8, 1] held and
         * those kinks implied. Rule zero is decided on the box, not at the centre: with W_3[0, 1]
         * dropped from the zero weights (still 0 in the point, but an unknown of radius 2^E)
         * kink [4, 0, 4] is 0 at the centre only, and the file is refused. */
        static const int unit[4] = { 0, 3, 6, 8 };
        json_t *z, *im;
        size_t i;
        int n;
        cl = claim_copy(c, &j);
        z = json_object_get(cl, "zero_weights");
        im = json_object_get(cl, "implied_kinks");
        for (n = 0; n < 4; n++) {
            json_t *w = json_pack("[iii]", 3, unit[n], 1), *e = json_pack("[iii]", 4, unit[n], 4);
            int fw = 0, fe = 0;
            for (i = 0; i < json_array_size(z); i++)
                fw |= json_equal(json_array_get(z, i), w);
            for (i = 0; i < json_array_size(im); i++)
                fe |= json_equal(json_array_get(im, i), e);
            cr_expect(fw && fe, "W_3[%d, 1] held: %d, kink [4, %d, 4] implied: %d", unit[n], fw, unit[n], fe);
            json_decref(w);
            json_decref(e);
        }
        for (i = 0; i < json_array_size(z); i++)
            if (json_integer_value(json_array_get(json_array_get(z, i), 0)) == 3
                && json_integer_value(json_array_get(json_array_get(z, i), 1)) == 0
                && json_integer_value(json_array_get(json_array_get(z, i), 2)) == 1)
                break;
        cr_assert_lt(i, json_array_size(z));
        json_array_remove(z, i);
        cr_assert_eq(json_dump_file(j, t, 0), 0);
        json_decref(j);
        refused(t, "a kink 0 at the centre only, as an implied kink");
        {
            const char *ex[] = { "verify", "--explain", t, NULL };
            tu_run(out, err, sizeof(out), ex);
            cr_expect(strstr(out, "implied kink") != NULL && strstr(out, "it is not exactly 0 on the box") != NULL, "%s",
                      out);
        }
    }
}

/* A point refined in double only (refine --prec 0) has its kinks near 1e-16 of the scale, far
 * above the 2^-128 at which the pattern of a 256-bit point is read: at 2^-128 certify-point
 * finds no kinks and proves nothing. Its entries are doubles, so the pattern is read at 2^-30
 * (docs/refine.md §7.3, dnc_critical_pattern_bits): then the certifier's own Newton polish
 * takes the point to 256 bits and critical_point and strict_local_min are certified, as for the
 * fixture's 256-bit point, which both checkers confirm. The reference for the loss is another
 * route: the exact loss of the fixture's point, refined by refine's 256-bit chord stage
 * (certify-point's loss_exact claim, the full objective), equal to 1e-50. --pattern-bits 128
 * forces the old reading (no kinks: not proven), and --pattern-bits is range-checked. */
Test(critical, double_refined_point_read_at_2_minus_30, .timeout = 300)
{
    char dir[256], d[300], c[300], c2[300], f[300];
    const char *rf[] = { "refine", DNCERT_SOURCE_DIR "/tests/data/critical/k6-l4", "--out", d, "--prec", "0", "--quiet",
                         NULL };
    const char *cp[] = { "certify-point", d, "--out", c, "--critical", NULL };
    const char *cp128[] = { "certify-point", d, "--out", c2, "--critical", "--pattern-bits", "128", NULL };
    const char *cf[] = { "certify-point", DNCERT_SOURCE_DIR "/tests/data/critical/k6-l4", "--out", f, NULL };
    const char *vargs[] = { c, NULL };
    json_t *j, *jf, *cl;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(d, sizeof(d), "%s/double", dir);
    snprintf(c, sizeof(c), "%s/c.json", dir);
    snprintf(c2, sizeof(c2), "%s/c2.json", dir);
    snprintf(f, sizeof(f), "%s/f.json", dir);
    cr_assert_eq(tu_run(out, err, sizeof(out), rf), 0, "%s%s", out, err);
    cr_assert_eq(tu_run(out, err, sizeof(out), cp), 0, "%s%s", out, err);
    cr_expect(strstr(out, "critical    certified") != NULL, "%s", out);
    cr_expect(strstr(out, "pattern read at 2^-30 of each layer's largest entry (a point of doubles)") != NULL, "%s", out);
    cr_expect(strstr(out, "second      certified") != NULL, "%s", out);
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 0, "%s%s", out, err);
    cr_expect(strstr(out, "critical_point critical_point certified OK") != NULL, "%s", out);
    cr_expect(strstr(out, "strict_local_min strict_local_min certified OK") != NULL, "%s", out);
    cr_assert_eq(tu_run(out, err, sizeof(out), cf), 0, "%s%s", out, err);
    cl = claim_copy(c, &j);
    cr_assert(cl != NULL);
    jf = json_load_file(f, 0, NULL);
    cr_assert(jf != NULL);
    expect_loss_agrees(jf, cl);
    json_decref(jf);
    json_decref(j);
    cr_assert_eq(tu_run(out, err, sizeof(out), cp128), 0, "%s%s", out, err);
    cr_expect(strstr(out, "critical    not proven") != NULL && strstr(out, " 0 kinks") != NULL, "%s", out);
    {
        static const char *const bad[] = { "7", "257", "x", "" };
        int k;
        for (k = 0; k < 4; k++) {
            const char *a[] = { "certify-point", d, "--out", c2, "--force", "--critical", "--pattern-bits", bad[k], NULL };
            cr_expect_eq(tu_run(out, err, sizeof(out), a), 2, "--pattern-bits %s: %s", bad[k], err);
            cr_expect(strstr(err, "pattern-bits") != NULL, "%s", err);
        }
        {
            const char *a[] = { "certify-point", d, "--out", c2, "--force", "--pattern-bits", "30", NULL };
            cr_expect_eq(tu_run(out, err, sizeof(out), a), 2, "%s", err);
            cr_expect(strstr(err, "--pattern-bits: applies only with --critical") != NULL, "%s", err);
        }
    }
}

/* A fixture certified (critical_point and strict_local_min, both checkers) with exactly the
 * generator list `want` in `field`, its loss within 1e-50 of the refined point's; refused with
 * that field left out (singular) and with it set to `fake` (not a symmetry, for `reason`). */
static void generator_needed(const char *run, const char *const *expect, const char *field, const char *want,
                             const char *fake, const char *reason, char *dir, char *c, char *t)
{
    json_t *j, *cl, *w = json_loads(want, 0, NULL);
    int k;
    certify_strict_fixture(run, dir, c, t, expect);
    cl = claim_copy(c, &j);
    cr_assert(cl != NULL);
    cr_expect(json_equal(json_object_get(cl, field), w), "%s: %zu entries, expected %s", field,
              json_array_size(json_object_get(cl, field)), want);
    json_decref(w);
    expect_loss_agrees(j, cl);
    json_decref(j);
    for (k = 0; k < 2; k++) {
        cl = claim_copy(c, &j);
        if (k == 0)
            json_object_del(cl, field);
        else
            json_object_set_new(cl, field, json_loads(fake, 0, NULL));
        refused_edited(j, t, k == 0 ? "the generator left out" : fake, k == 0 ? NULL : reason);
    }
}


/* The K = 4, L = 5 witness (certificates/small-k-low-rank/points/K4-L5, docs/theorems.md). Its
 * attempt without zero weights fails kink_multipliers at a degenerate kink of layer 5; the
 * attempt with them holds entries of H1 and W_1 (docs/refine.md §7.13), which imply kinks of
 * layer 2, and the search for multiplier shifts (§7.12) runs over those implied kinks, which
 * have no ReLU layer below: it read the pattern of "layer 1" and crashed before it skipped
 * them. That attempt's slopes are exactly 1 at [3, 0, 1] and [3, 1, 0] by shared inputs
 * (§7.15) and at [5, 4, 0] by a rotation: all three claims certified, by both checkers. */
Test(critical, k4_l5_witness_implied_kinks_of_layer_2_and_shared_inputs)
{
    char dir[256], c[300], t[300];
    static const char *const expect[] = { "kink-mult   certified", "second      certified", NULL };
    const char *args[] = { "verify", c, NULL };
    json_t *j;
    char *xs;
    certify_strict_fixture(DNCERT_SOURCE_DIR "/certificates/small-k-low-rank/points/K4-L5", dir, c, t, expect);
    cr_assert_eq(tu_run(out, err, sizeof(out), args), 0, "%s%s", out, err);
    cr_expect(strstr(out, "kink_multipliers kink_multipliers certified OK") != NULL, "%s", out);
    j = json_load_file(c, 0, NULL);
    xs = json_dumps(json_object_get(tu_claim(j, "kink_multipliers"), "exact_slopes"), JSON_COMPACT);
    cr_expect(strstr(xs, "\"slope\":1,\"shared_input\":2}") != NULL && strstr(xs, "\"slope\":1,\"shared_input\":5}") != NULL,
              "%s", xs);
    free(xs);
    {   /* the witness naming another unit, or a slope 0: refused */
        json_t *e = json_array_get(json_object_get(tu_claim(j, "kink_multipliers"), "exact_slopes"), 0);
        cr_assert(json_object_get(e, "shared_input") != NULL);
        json_object_set_new(e, "shared_input", json_integer(json_integer_value(json_object_get(e, "shared_input")) + 1));
        cr_assert_eq(json_dump_file(j, t, 0), 0);
        km_refused(t, "shared_input naming another unit", 1);
    }
    json_decref(j);
}
/* The K = 6, L = 4, width-20 point (GD seed 3, refined; tests/data/critical/k6-l4-w20; docs/refine.md
 * §7.10): without a class rotation its reduced system has one flat direction left (singular,
 * "not proven" before class rotations existed); with the rotation of classes 2 and 4 (0-based)
 * it is certified on the double path, both checkers confirm critical_point and
 * strict_local_min, and the loss agrees with the refined point's exact loss to 1e-50 (a
 * different code path: the full objective at the file's exact entries). Forgeries refused: the
 * class rotation left out (singular), replaced by classes 0 and 1 (their columns have P- entries
 * in layer 4 and a dependent pair of kink rows in layer 2: not a symmetry, named as such);
 * malformed lists refused naming the field. */
Test(critical, k6_l4_w20_class_rotation, .timeout = 300)
{
    char dir[256], c[300], t[300];
    static const char *const expect[] = { "1 class rotations", "preconditioner in double",
                                          "kink-mult   certified", "except at 10 kink(s) where t_e is exactly 0 or 1", NULL };
    generator_needed(DNCERT_SOURCE_DIR "/tests/data/critical/k6-l4-w20", expect, "class_rotations", "[[2, 4]]",
                     "[[0, 1]]", "class_rotations[0] = [0, 1]: ", dir, c, t);
    {   /* malformed: a = b, b beyond K, not increasing, negative, not a pair */
        static const char *const bad[] = { "[[2, 2]]", "[[2, 6]]", "[[2, 4], [0, 1]]", "[[-1, 2]]", "[[2, 4, 1]]" };
        malformed_field(c, t, "class_rotations", bad, 5);
    }
}

/* A K = 6, L = 4, width-20 point (momentum, seed 1, refined; tests/data/critical/k6-l4-w20-group;
 * docs/refine.md §7.8): layer-4 units 1, 6, 16 (pattern + 0 0 + 0 -) and 9 (+ 0 0 0 0 -) are P-
 * in the same column (5) only, and differ at column 3, where unit 9 has a kink. No unit of
 * layer 4 is linear on the data, so before kink rotations were taken over such a group (and
 * kink rows of columns where no unit of the group is active were kept as 0 = 0 rows, which made
 * C C^T singular) its system had one flat direction (a numerical study, 2026-12-06: a rotation
 * B = e_9 ^ c with c in span(e_1, e_6, e_16), c . U[{1, 6, 16}, 3] = 0). With the kink rotation
 * [4, 1, 9] in the slice: certified, both checkers; left out: refused; a pair from two groups
 * (unit 1 and unit 0, P- in other columns) refused for that reason. */
Test(critical, k6_l4_w20_kink_rotation_of_a_minus_group, .timeout = 300)
{
    char dir[256], c[300], t[300];
    static const char *const expect[] = { "1 kink-preserving rotations", "kink-mult   certified",
                                          "except at 1 kink(s) where t_e is exactly 0 or 1", NULL };
    generator_needed(DNCERT_SOURCE_DIR "/tests/data/critical/k6-l4-w20-group", expect, "kink_rotations", "[[4, 1, 9]]",
                     "[[4, 0, 1]]", "are not both live with the same negative columns", dir, c, t);
}

/* Copy of certificate c into t with kink (4, row, col) of its critical_point claim moved from
 * `kinks` to `implied_kinks` (sorted in; its multiplier and its slope dropped), or back (to
 * the kinks, with multiplier 0 and slope 0) when back; strict_local_min, which refers to the
 * claim, dropped as in refused_edited, and the shifts of kink_multipliers too. */
static void move_kink(const char *c, const char *t, slong row, slong col, int back)
{
    json_t *j, *cl = claim_copy(c, &j), *e = json_pack("[iii]", 4, (int) row, (int) col);
    json_t *from = json_object_get(cl, back ? "implied_kinks" : "kinks"), *to = json_object_get(cl, back ? "kinks" : "implied_kinks");
    json_t *mu = json_object_get(cl, "multipliers"), *sl = json_object_get(tu_claim(j, "kink_multipliers"), "slopes");
    size_t i, at = 0;
    for (i = 0; i < json_array_size(from) && !json_equal(json_array_get(from, i), e); i++)
        ;
    cr_assert_lt(i, json_array_size(from), "kink [4, %ld, %ld] not found", (long) row, (long) col);
    json_array_remove(from, i);
    while (at < json_array_size(to) && triple_before(json_array_get(to, at), e))
        at++;
    json_array_insert_new(to, at, e);
    if (back) {   /* multiplier 0 and slope 0 at its place */
        json_array_insert_new(mu, at, json_string("0"));
        json_array_insert(sl, at, json_array_get(sl, 0));
    } else {
        json_array_remove(mu, i);
        json_array_remove(sl, i);
    }
    json_object_del(tu_claim(j, "kink_multipliers"), "shifts");   /* they name implied kinks by index */
    refused_edited(j, t, back ? "an implied kink listed again" : "a kink moved to the implied ones", NULL);
}

/* K = 6, L = 4, width 30 (GD seed 3, 100 000 + 900 000 steps, `refine --tol 1e-11`, then
 * `refine --dead-tol 2e-5`; tests/data/critical/k6-l4-w30; docs/refine.md §8): three pairs of
 * layer-4 units, (0, 16), (1, 5), (2, 4), are anti-parallel (in-rows w_b = -w_a, found by an SVD
 * of the reduced Jacobian: its three null directions, one per pair, all in the multipliers) and
 * read four live units of layer 3; each unit of a pair has kinks in the same 4 columns, so the
 * pair's 8 kink rows have rank 7. With one kink per pair implied by its partner (format §6.9
 * check 3b, rule partner) the point is certified (critical_point and strict_local_min, both
 * checkers), its loss within 1e-50 of the refined point's. Refused: an implied kink listed
 * again with multiplier 0 (the system is singular again); a second kink of the same row
 * implied (then row 0 lists 2 kinks, and 2 columns cannot have rank 3 = |V| - 1); the partner's
 * kink in the same column implied as well (the partner must list it); a kink of unit 12 (kinks
 * in columns 2, 3, 5; no other unit has kinks there), which has no partner, implied. */
Test(critical, k6_l4_w30_partner_implied_kinks, .timeout = 900)
{
    char dir[256], c[300], t[300];
    static const char *const expect[] = { "69 kinks", "3 implied kinks", "preconditioner in double", NULL };
    json_t *j, *cl;
    const char *ex[] = { "verify", "--explain", t, NULL };
    certify_strict_fixture(DNCERT_SOURCE_DIR "/tests/data/critical/k6-l4-w30", dir, c, t, expect);
    cl = claim_copy(c, &j);
    cr_assert(cl != NULL);
    {   /* one kink of each pair: of the first unit, in its last kink column */
        json_t *w = json_loads("[[4, 0, 5], [4, 1, 3], [4, 2, 5]]", 0, NULL);
        cr_expect(json_equal(json_object_get(cl, "implied_kinks"), w), "implied kinks %s",
                  json_dumps(json_object_get(cl, "implied_kinks"), JSON_COMPACT));
        json_decref(w);
    }
    expect_loss_agrees(j, cl);
    json_decref(j);
    move_kink(c, t, 0, 5, 1);
    move_kink(c, t, 0, 4, 0);
    tu_run(out, err, sizeof(out), ex);
    cr_expect(strstr(out, "(rule partner)") != NULL, "%s", out);
    move_kink(c, t, 16, 5, 0);
    tu_run(out, err, sizeof(out), ex);
    cr_expect(strstr(out, "implied kink 0 [4, 0, 5]") != NULL && strstr(out, "(rule partner)") != NULL, "%s", out);
    move_kink(c, t, 12, 5, 0);
    tu_run(out, err, sizeof(out), ex);
    cr_expect(strstr(out, "[4, 12, 5]") != NULL && strstr(out, "(rule partner)") != NULL, "%s", out);
    {   /* malformed, named as such (review, helper-41: the work estimate, which runs first, added 1
         * to the row number of the first entry, a signed overflow at INT64_MAX) */
        static const char *const bad[] = { "[[4, 9223372036854775807, 0]]", "[[4, -1, 0]]", "[[4, 0, 6]]", "[[4, 30, 5]]",
                                           "[[4, 0, 5], [4, 0, 5]]", "[[4, 1, 3], [4, 0, 5]]", "[[5, 0, 5]]" };
        malformed_field(c, t, "implied_kinks", bad, 7);
    }
}

/* The kink_multipliers claim of the width-30 point (c, certified by certify-point: its
 * certificate in the test above) over the multiplier family (format §6.10 "shifts",
 * docs/refine.md §7.12). With one kink per anti-parallel pair implied, the certified
 * multipliers give t = 3/2 at the pair's kinks in two columns and t = 0 (mu = 0 to 1e-80) in the
 * other two (an mpmath evaluation of mu / G at the certificate's point, independent of both
 * checkers); the pair's relation moves the two units' slopes together, t = 3/2 - x and x, so
 * the members with every slope in [0, 1] are x in [1/2, 1], whose middle is 3/4. certify-point
 * picks that member for each pair (slopes within 1e-6 of 3/4 at the 21 listed kinks of the pairs and
 * the 3 shifted implied kinks; partners 16, 5, 4: the pairs the SVD analysis found) and both
 * checkers confirm it. Refused (one file, each forgery its own claim): the shifts removed
 * (t = 3/2), negated (t < 0), one pair shifted only, a shift 3 times too long, a partner that is
 * not one (row 17: other kink columns; the implied row itself), a wrong slope interval for the
 * implied kink, and malformed entries. */
static void expect_shifts(json_t *km)
{
    static const long partner[3] = { 16, 5, 4 };
    const json_t *sh = json_object_get(km, "shifts"), *e;
    size_t i, n = 0;
    cr_assert_eq(json_array_size(sh), 3, "%s", json_dumps(km, JSON_COMPACT));
    json_array_foreach(sh, i, e) {
        double t = atof(json_string_value(json_object_get(json_object_get(e, "slope"), "lo")));
        cr_expect_eq(json_integer_value(json_object_get(e, "implied_kink")), (json_int_t) i);
        cr_expect_eq(json_integer_value(json_object_get(e, "partner")), partner[i]);
        cr_expect(t > 0.75 - 1e-6 && t < 0.75 + 1e-6, "implied kink %zu: t = %g", i, t);
    }
    json_array_foreach(json_object_get(km, "slopes"), i, e) {
        double t = atof(json_string_value(json_object_get(e, "lo")));
        n += t > 0.75 - 1e-6 && t < 0.75 + 1e-6;
    }
    cr_expect_eq(n, 21, "%zu slopes at 3/4, expected the 21 listed kinks of the three pairs", n);
}

/* A copy of kink_multipliers claim km with id `id` and shifts `shifts` (JSON; NULL: removed). */
static json_t *km_forged(const json_t *km, const char *id, const char *shifts)
{
    json_t *f = json_deep_copy(km);
    json_object_set_new(f, "id", json_string(id));
    if (shifts == NULL)
        json_object_del(f, "shifts");
    else
        json_object_set_new(f, "shifts", json_loads(shifts, 0, NULL));
    return f;
}

Test(critical, k6_l4_w30_multiplier_shifts, .timeout = 900)
{
    char dir[256], c[300], t[300], *s0;
    const char *cp[] = { "certify-point", DNCERT_SOURCE_DIR "/tests/data/critical/k6-l4-w30", "--out", c, "--critical",
                         NULL };
    const char *args[] = { "verify", "--explain", t, NULL }, *vargs[] = { t, NULL };
    static const char *const ids[] = { "km_no_shifts", "km_negated", "km_one_pair", "km_long", "km_partner_17",
                                       "km_partner_self", "km_slope" };
    static const char *const why[] = { "t_e = mu_e / G_e over the box", "t_e = mu_e / G_e over the box",
                                       "t_e = mu_e / G_e over the box", "t_e = mu_e / G_e over the box",
                                       "the relation does not apply", "the relation does not apply",
                                       "shifts[0]: at the implied kink [4, 0, 5]" };
    json_t *j, *km, *claims, *e;
    size_t i;
    int k;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(c, sizeof(c), "%s/c.json", dir);
    snprintf(t, sizeof(t), "%s/t.json", dir);
    cr_assert_eq(tu_run(out, err, sizeof(out), cp), 0, "%s%s", out, err);
    cr_expect(strstr(out, "kink-mult   certified") != NULL && strstr(out, "3 partner pair(s) (shifts)") != NULL, "%s", out);
    j = json_load_file(c, 0, NULL);
    km = tu_claim(j, "kink_multipliers");
    cr_assert(km != NULL);
    cr_expect_str_eq(json_string_value(json_object_get(km, "verdict")), "certified");
    expect_shifts(km);
    /* the shifts as JSON text: the three entries, then edited copies */
    s0 = json_dumps(json_object_get(km, "shifts"), JSON_COMPACT);
    {
        json_t *a = json_loads(s0, 0, NULL), *b;
        char *x;
        json_array_foreach(a, i, e) {   /* negated */
            const char *v = json_string_value(json_object_get(e, "shift"));
            char neg[64];
            snprintf(neg, sizeof(neg), "-%s", v);
            json_object_set_new(e, "shift", json_string(neg));
        }
        x = json_dumps(a, JSON_COMPACT);
        json_decref(a);
        claims = json_object_get(j, "claims");
        json_array_append_new(claims, km_forged(km, ids[0], NULL));
        json_array_append_new(claims, km_forged(km, ids[1], x));
        free(x);
        a = json_loads(s0, 0, NULL);   /* the first pair only */
        while (json_array_size(a) > 1)
            json_array_remove(a, 1);
        x = json_dumps(a, JSON_COMPACT);
        json_array_append_new(claims, km_forged(km, ids[2], x));
        free(x);
        json_decref(a);
        for (k = 3; k < 7; k++) {   /* 3 times as long; partner 17; partner the implied row; slope */
            a = json_loads(s0, 0, NULL);
            b = json_array_get(a, 0);
            if (k == 3) {
                fmpq_t q;
                char *v;
                fmpq_init(q);
                cr_assert_eq(dnc_parse_rational(q, json_string_value(json_object_get(b, "shift"))), 0);
                fmpq_mul_si(q, q, 3);
                v = fmpq_get_str(NULL, 10, q);
                json_object_set_new(b, "shift", json_string(v));
                flint_free(v);
                fmpq_clear(q);
            } else if (k == 4 || k == 5)
                json_object_set_new(b, "partner", json_integer(k == 4 ? 17 : 0));
            else
                json_object_set_new(b, "slope", json_pack("{s:s, s:s}", "lo", "4/5", "hi", "9/10"));
            x = json_dumps(a, JSON_COMPACT);
            json_array_append_new(claims, km_forged(km, ids[k], x));
            free(x);
            json_decref(a);
        }
    }
    drop_second_order(j);   /* not needed here */
    cr_assert_eq(json_dump_file(j, t, 0), 0);
    cr_expect_eq(tu_run(out, err, sizeof(out), args), 1, "%s%s", out, err);
    cr_expect(strstr(out, "kink_multipliers kink_multipliers certified OK") != NULL, "%s", out);
    for (k = 0; k < 7; k++) {
        char line[128], *at;
        snprintf(line, sizeof(line), "%s kink_multipliers not proven MISMATCH", ids[k]);
        at = strstr(out, line);
        cr_expect(at != NULL, "%s accepted: %s", ids[k], out);
        cr_expect(at != NULL && strstr(at, why[k]) != NULL, "%s: no \"%s\" after its line: %s", ids[k], why[k], out);
    }
    cr_expect_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 1, "%s%s", out, err);
    cr_expect(strstr(out, "kink_multipliers kink_multipliers certified OK") != NULL, "%s", out);
    for (k = 0; k < 7; k++) {
        char line[128];
        snprintf(line, sizeof(line), "%s kink_multipliers not proven MISMATCH", ids[k]);
        cr_expect(strstr(out, line) != NULL, "dncert-verify: %s accepted: %s", ids[k], out);
    }
    json_decref(j);
    {   /* malformed: both checkers refuse the file, naming the field */
        static const char *const bad[] = {
            "{}", "[1]", "[{\"implied_kink\": 3, \"partner\": 16, \"shift\": \"1\", \"slope\": {\"lo\": \"0\", \"hi\": \"1\"}}]",
            "[{\"implied_kink\": 0, \"partner\": 30, \"shift\": \"1\", \"slope\": {\"lo\": \"0\", \"hi\": \"1\"}}]",
            "[{\"implied_kink\": 0, \"partner\": 16, \"shift\": \"x\", \"slope\": {\"lo\": \"0\", \"hi\": \"1\"}}]",
            "[{\"implied_kink\": 0, \"partner\": 16, \"shift\": \"1\"}]",
            "[{\"implied_kink\": 0, \"partner\": 16, \"shift\": \"1\", \"slope\": {\"lo\": \"0\", \"hi\": \"1\"}, \"x\": 1}]",
            "[{\"implied_kink\": 1, \"partner\": 5, \"shift\": \"1\", \"slope\": {\"lo\": \"0\", \"hi\": \"1\"}},"
            " {\"implied_kink\": 0, \"partner\": 16, \"shift\": \"1\", \"slope\": {\"lo\": \"0\", \"hi\": \"1\"}}]" };
        for (k = 0; k < 8; k++) {
            json_t *jj = json_load_file(c, 0, NULL);
            json_object_set_new(tu_claim(jj, "kink_multipliers"), "shifts", json_loads(bad[k], 0, NULL));
            cr_assert_eq(json_dump_file(jj, t, 0), 0);
            json_decref(jj);
            km_refused(t, bad[k], 0);
            cr_expect(strstr(err, "shifts") != NULL || strstr(out, "shifts") != NULL, "%s: the error does not name "
                      "the field: %s%s", bad[k], out, err);
        }
    }
    {   /* review (helper-42): with kink_multipliers before the critical_point claim, the shifts were
         * read before the implied kinks they name were validated, and an implied kink's layer of
         * 1e11 read outside the widths (a segfault); now refused as malformed, by both checkers */
        json_t *jj = json_load_file(c, 0, NULL), *cl2 = json_array(), *cp2, *km2;
        cp2 = json_incref(tu_claim(jj, "critical_point"));
        km2 = json_incref(tu_claim(jj, "kink_multipliers"));
        json_array_set_new(json_object_get(cp2, "implied_kinks"), 0, json_loads("[100000000000, 0, 5]", 0, NULL));
        json_array_append_new(cl2, km2);
        json_array_append_new(cl2, cp2);
        json_object_set_new(jj, "claims", cl2);
        cr_assert_eq(json_dump_file(jj, t, 0), 0);
        json_decref(jj);
        km_refused(t, "kink_multipliers first, implied kink in layer 1e11", 0);
        cr_expect(strstr(out, "REJECTED") != NULL && strstr(out, "implied_kink") != NULL, "%s%s", out, err);
    }
    free(s0);
}

/* The octahedron at width 10 (docs/refine.md §8; tests/data/critical/k6-l4-octahedron, made by
 * scripts/octahedron.py from the width-30 certificate: its live units, H1 rotated into its
 * 4-dimensional column space, then `dncert refine`): every claim certified by both checkers,
 * kink_multipliers with the shifts of its three axis pairs, below SRG; and its loss is the
 * width-30 point's to 1e-50 (the certificate of another point, another width: dropping units
 * that are exactly 0 and rotating H1 keep the critical value), 0.0554234723660211505762650902884…,
 * below the scripted width-10 witness's 0.0560187976 (docs/theorems.md). Deepened to L = 5, below
 * the scripted L = 5 witness as well. */
Test(critical, k6_l4_octahedron_at_width_10, .timeout = 600)
{
    char dir[256], c[300], t[300];
    const char *cp[] = { "certify-point", DNCERT_SOURCE_DIR "/tests/data/critical/k6-l4-octahedron", "--out", c,
                         "--critical", "--below", "srg:4", NULL };
    const char *vargs[] = { c, NULL };
    json_t *j, *w30;
    fmpq_t a, b;
    arb_t x, y;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(c, sizeof(c), "%s/c.json", dir);
    snprintf(t, sizeof(t), "%s/t.json", dir);
    cr_assert_eq(tu_run(out, err, sizeof(out), cp), 0, "%s%s", out, err);
    cr_expect(strstr(out, "3 implied kinks") != NULL && strstr(out, "3 partner pair(s) (shifts)") != NULL, "%s", out);
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 0, "%s%s", out, err);
    /* every claim certified but strict_local_min_of_f (dead units held: format §6.13); d_stationary
     * too (every G_e > 0, docs/refine.md §7.17) */
    cr_expect(strstr(out, "13 claims, 12 certified, 1 not proven") != NULL, "%s", out);
    j = json_load_file(c, 0, NULL);
    w30 = json_load_file(DNCERT_SOURCE_DIR "/certificates/critical-points/critical-K6-L4-w30.json", 0, NULL);
    cr_assert(j != NULL && w30 != NULL);
    fmpq_init(a); fmpq_init(b);
    arb_init(x); arb_init(y);
    cr_assert_eq(dnc_parse_rational(a, json_string_value(json_object_get(json_object_get(tu_claim(j, "loss_exact"), "loss"),
                                                                        "lo"))), 0);
    cr_assert_eq(dnc_parse_rational(b, json_string_value(json_object_get(json_object_get(tu_claim(w30, "loss_exact"), "loss"),
                                                                        "lo"))), 0);
    arb_set_fmpq(x, a, 600);
    arb_set_fmpq(y, b, 600);
    arb_sub(x, x, y, 600);
    arb_abs(x, x);
    cr_expect(arb_lt(x, (arb_set_str(y, "1e-50", 600), y)), "the width-10 loss is not the width-30 one to 1e-50");
    arb_set_str(y, "0.0560187976", 600);   /* the scripted width-10 witness (docs/theorems.md) */
    arb_set_fmpq(x, a, 600);
    cr_expect(arb_lt(x, y));
    json_decref(j);
    {   /* deepened to L = 5 (train --init ... --deepen, 500 000 GD steps, refine; the fixture
         * k6-l5-octahedron): critical_point, strict_local_min and below SRG certified, below the
         * scripted L = 5 witness's 0.0633186880; kink_multipliers not proven, and the message
         * says why with and without the shifts (t = 1 exactly at [3, 3, 4], no symmetry found);
         * no descent_direction is tried: the multipliers form a family (partner pairs), and
         * G_e - mu_e < 0 at a kink for the file's member proves nothing */
        const char *cp5[] = { "certify-point", DNCERT_SOURCE_DIR "/tests/data/critical/k6-l5-octahedron", "--out", t,
                              "--critical", "--below", "srg:4", NULL };
        cr_assert_eq(tu_run(out, err, sizeof(out), cp5), 0, "%s%s", out, err);
        cr_expect(strstr(out, "critical    certified") != NULL && strstr(out, "second      certified") != NULL
                  && strstr(out, "below       certified") != NULL, "%s", out);
        cr_expect(strstr(out, "kink-mult   not proven") != NULL && strstr(out, "shifted along 3 partner pair(s): at kink")
                  != NULL, "%s", out);
        cr_expect(strstr(out, "\ndescent ") == NULL, "%s", out);
        {
            const char *v5[] = { t, NULL };
            cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), v5), 0, "%s%s", out, err);
        }
        j = json_load_file(t, 0, NULL);
        cr_assert(j != NULL);
        cr_assert_eq(dnc_parse_rational(a, json_string_value(json_object_get(json_object_get(tu_claim(j, "loss_exact"),
                                                                                            "loss"), "hi"))), 0);
        arb_set_fmpq(x, a, 600);
        arb_set_str(y, "0.0633186880", 600);
        cr_expect(arb_lt(x, y), "the deepened octahedron is not below the scripted L = 5 witness");
        json_decref(j);
    }
    fmpq_clear(a); fmpq_clear(b);
    arb_clear(x); arb_clear(y);
    json_decref(w30);
}

/* certify-point --critical on the fixture run into the file c: its critical line says
 * `critical`, its local-min line says certified, and both checkers certify
 * strict_local_min_of_f (out is left with dncert verify's report). */
static void local_min_certified(const char *run, const char *c, const char *critical)
{
    const char *cp[] = { "certify-point", run, "--out", c, "--critical", "--force", NULL };
    const char *vargs[] = { c, NULL }, *vcmd[] = { "verify", c, NULL };
    cr_assert_eq(tu_run(out, err, sizeof(out), cp), 0, "%s%s", out, err);
    cr_expect(strstr(out, critical) != NULL, "%s: no '%s' in %s", run, critical, out);
    cr_expect(strstr(out, "local-min   certified: a strict local minimum of f itself") != NULL, "%s", out);
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 0, "%s%s", out, err);
    cr_expect(strstr(out, "strict_local_min_of_f strict_local_min_of_f certified OK") != NULL, "%s", out);
    cr_assert_eq(tu_run(out, err, sizeof(out), vcmd), 0, "%s%s", out, err);
    cr_expect(strstr(out, "strict_local_min_of_f strict_local_min_of_f certified OK") != NULL, "%s", out);
}

/* A smooth trained point (K = 3, L = 2, width 3, lambda = 1/250; L-BFGS seed 2, refined at 256
 * bits; tests/data/critical/k3-l2-smooth): no kink, no dead unit, every pre-activation strictly
 * signed, its loss the DNC value. strict_local_min_of_f (format §6.13) is certified: f itself
 * has a strict local minimum there modulo the rotations of H1 and the three partial rotations
 * (each column of H1 turned with the one unit active on it). Independent evidence
 * (python/tests/test_independent_local_min.py, on the committed certificate
 * certificates/critical-points/local-min-K3-L2.json): the Hessian of f at the point, by exact
 * rational second differences, has 6 eigenvalues near 0 (the 3 + 3 generators) and 21 at least
 * 0.0079, and f grows along random directions. Refused: the claim with a dead unit added (held
 * parameters), and the file's strict_local_min claim swapped for one whose rho is 0 (malformed). */
Test(critical, k3_l2_smooth_point_strict_local_min_of_f, .timeout = 120)
{
    char dir[256], c[300], t[300];
    const char *targs[] = { t, NULL };
    json_t *j, *cl;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(c, sizeof(c), "%s/c.json", dir);
    snprintf(t, sizeof(t), "%s/t.json", dir);
    /* widths 1, 1: the three classes at one feature value, the one unit P+ everywhere; two class
     * rotations in the slice, which without kinks are symmetries of f as well (format §6.13
     * check 2) */
    local_min_certified(DNCERT_SOURCE_DIR "/tests/data/critical/k3-l2-w1", t,
                        "0 kinks, 2 symmetry generators, 0 of them partial rotations of H1, 0 kink-preserving "
                        "rotations and 2 class rotations");
    local_min_certified(DNCERT_SOURCE_DIR "/tests/data/critical/k3-l2-smooth", c,
                        "critical    certified: 33 unknowns (27 free parameters, 0 kinks, 6 symmetry generators, 3 of "
                        "them partial rotations");
    j = json_load_file(c, 0, NULL);
    cr_assert(j != NULL);
    cl = tu_claim(j, "critical_point");
    json_object_set_new(cl, "dead_units", json_pack("[[i, i]]", 2, 0));
    cr_assert_eq(json_dump_file(j, t, 0), 0);
    cr_expect_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), targs), 1, "%s%s", out, err);
    cr_expect(strstr(out, "strict_local_min_of_f strict_local_min_of_f not proven MISMATCH") != NULL, "%s", out);
    cr_expect(strstr(out, "claim critical_point has dead_units") != NULL, "%s", out);
    json_object_del(cl, "dead_units");
    json_object_set_new(tu_claim(j, "strict_local_min"), "rho", json_string("0"));
    cr_assert_eq(json_dump_file(j, t, 0), 0);
    cr_expect_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), targs), 1, "%s%s", out, err);
    cr_expect(strstr(out, "expected a positive rational string") != NULL, "%s%s", out, err);
    json_decref(j);
}

/* A kinked strict local minimum of f (found by helper-47's review, 2026-12-07): K = 5, L = 2,
 * widths 2 and 5, lambda = 1/250 (L-BFGS seed 1, refined; tests/data/critical/k5-l2-pentagon):
 * five classes in a plane, each unit of layer 2 with one kink, P+ on two classes and P- on
 * two. All five slopes are about 0.4605, strictly inside (0, 1), with G_e > 0, nothing is held,
 * and the one generator is the rotation of H1, so strict_local_min_of_f is certified
 * (independent check: python/tests/test_independent_local_min.py, on the committed
 * certificates/critical-points/local-min-K5-L2-pentagon.json: the slopes by an exact backward
 * pass, the Lagrangian's Hessian on ker C positive definite, f growing along random directions
 * and with each kink moved into P+ and into P-). On this file, where everything else is
 * certified, a copy that keeps the claim certified but states a slope interval reaching 0 or 1
 * (kink_multipliers stays certified: the slope is inside) is refused, and so is one with a
 * rotation of two kinked units or a class rotation added to the slice. */
Test(critical, k5_l2_pentagon_kinked_strict_local_min_of_f, .timeout = 120)
{
    static const char *const slopes[2][2] = { { "0", "1/2" }, { "1/10", "1" } };
    char dir[256], c[300], t[300];
    const char *targs[] = { t, NULL }, *vcmd[] = { "verify", t, NULL };
    json_t *j;
    int k;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(c, sizeof(c), "%s/c.json", dir);
    snprintf(t, sizeof(t), "%s/t.json", dir);
    local_min_certified(DNCERT_SOURCE_DIR "/tests/data/critical/k5-l2-pentagon", c,
                        "critical    certified: 51 unknowns (45 free parameters, 5 kinks, 1 symmetry generators");
    cr_expect(strstr(out, "7 claims, 7 certified") != NULL, "%s", out);   /* d_stationary too */
    for (k = 0; k < 4; k++) {
        j = json_load_file(c, 0, NULL);
        cr_assert(j != NULL);
        if (k < 2)
            json_array_set_new(json_object_get(tu_claim(j, "kink_multipliers"), "slopes"), 2,
                               json_pack("{s:s, s:s}", "lo", slopes[k][0], "hi", slopes[k][1]));
        else if (k == 2)
            json_array_append_new(json_object_get(tu_claim(j, "critical_point"), "generators"),
                                  json_pack("[i, i, i]", 2, 0, 1));
        else   /* with kinks a class rotation is a symmetry of the pattern manifold only */
            json_object_set_new(tu_claim(j, "critical_point"), "class_rotations", json_pack("[[i, i]]", 0, 1));
        cr_assert_eq(json_dump_file(j, t, 0), 0);
        json_decref(j);
        cr_expect_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), targs), 1, "%s%s", out, err);
        cr_expect(strstr(out, "strict_local_min_of_f strict_local_min_of_f not proven MISMATCH") != NULL, "%s", out);
        cr_expect(strstr(out, k < 2    ? "the stated slope interval of kink 2 is not strictly inside (0, 1)"
                              : k == 2 ? "generator 1 rotates a unit with a kink"
                                       : "claim critical_point has class_rotations") != NULL, "%s", out);
        if (k < 2)
            cr_expect(strstr(out, "kink_multipliers kink_multipliers certified OK") != NULL, "%s", out);
        cr_expect_eq(tu_run(out, err, sizeof(out), vcmd), 1, "%s%s", out, err);
        cr_expect(strstr(out, "strict_local_min_of_f strict_local_min_of_f not proven MISMATCH") != NULL, "%s", out);
    }
}

/* A copy of the committed certificate `file` (under certificates/) with its d_stationary claim
 * marked certified, or with its reference set to `ref`, and with the zero weights of layer
 * `drop` (> 0) left out of claim critical_point, into t; both checkers exit 1 and report
 * `line`. */
static void d_stationary_refused(const char *file, const char *t, const char *ref, int drop, const char *line)
{
    char src[512], *js;
    json_t *j, *cp;
    snprintf(src, sizeof(src), "%s/certificates/%s", DNCERT_SOURCE_DIR, file);
    j = json_load_file(src, 0, NULL);
    cr_assert(j != NULL, "%s", src);
    cr_assert(tu_claim(j, "d_stationary") != NULL, "%s has no d_stationary claim", file);
    if (ref != NULL)
        json_object_set_new(tu_claim(j, "d_stationary"), "kink_multipliers", json_string(ref));
    if (drop > 0) {
        cp = tu_claim(j, "critical_point");
        json_object_set_new(cp, "zero_weights", json_loads(js = zeros_without(cp, drop, 0), 0, NULL));
        free(js);
    }
    forged_refused(j, t, "d_stationary", line, NULL);
}

/* d_stationary (format §6.14, docs/refine.md §7.17) on committed certificates, by both checkers.
 * Certified: the K = 6, L = 4, width-20 point (kinks in layers 2, 3 and 4, ten slopes exactly 1;
 * the multi-layer identity f'(theta*; d) = sum_e (G_e max(0, w_e) - mu_e w_e) needs only
 * G_e >= 0). Not proven, and a copy marked certified refused with the kink that fails:
 * - the K = 3, L = 5 witness: kink 8 = [5, 7, 0] has slope exactly 1 and G_e = -0.00106 < 0, so
 *   mu_e = G_e < 0; python/tests/test_independent_d_stationary.py shows, in exact arithmetic and
 *   without dncert, that f really decreases at first order there (pushing that kink into P-);
 * - the K = 6, L = 4, width-20 group point: implied kink 1 = [3, 1, 3] has G_e = -9.2e-6 (an
 *   implied kink counts: its multiplier is 0, so G_e < 0 gives a negative term for w_e > 0);
 * - the K = 4, L = 4 witness without the output blocks' zero weights of W_4 (docs/refine.md
 *   §7.3; the entries still 0 in the point, but free in the box): implied kink 5 = [4, 0, 2] then
 *   has G_e = 0 to 1e-60, a ball containing negative values (the ball test cannot decide it).
 *   With them held (the committed file) G_e is exactly 0 there and d_stationary is certified:
 *   class 2 has unit 1 of layer 4 to itself, so W_4 is 0 off the blocks at every critical point.
 * A reference to a missing claim or to a claim of another kind makes the file malformed. */
Test(critical, d_stationary_on_committed_certificates, .timeout = 120)
{
    char dir[256], t[300];
    const char *ok[] = { DNCERT_SOURCE_DIR "/certificates/critical-points/critical-K6-L4-w20.json",
                         DNCERT_SOURCE_DIR "/certificates/small-k-low-rank/witness-K3-L5.json",
                         DNCERT_SOURCE_DIR "/certificates/small-k-low-rank/witness-K4-L4.json", NULL };
    const char *vcmd[] = { "verify", ok[0], ok[1], ok[2], NULL };
    tu_tmpdir(dir, sizeof(dir));
    snprintf(t, sizeof(t), "%s/t.json", dir);
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), ok), 0, "%s%s", out, err);
    cr_expect(strstr(out, "critical-K6-L4-w20.json: d_stationary d_stationary certified OK") != NULL, "%s", out);
    cr_expect(strstr(out, "witness-K3-L5.json: kink_multipliers kink_multipliers certified OK") != NULL, "%s", out);
    cr_expect(strstr(out, "witness-K3-L5.json: d_stationary d_stationary not proven OK") != NULL, "%s", out);
    cr_expect(strstr(out, "witness-K4-L4.json: d_stationary d_stationary certified OK") != NULL, "%s", out);
    cr_assert_eq(tu_run(out, err, sizeof(out), vcmd), 0, "%s%s", out, err);
    cr_expect(strstr(out, "critical-K6-L4-w20.json: d_stationary d_stationary certified OK") != NULL, "%s", out);
    cr_expect(strstr(out, "witness-K4-L4.json: d_stationary d_stationary certified OK") != NULL, "%s", out);
    d_stationary_refused("small-k-low-rank/witness-K3-L5.json", t, NULL, 0,
                         "at kink 8 = [5, 7, 0] G_e = df/dh_e over the box is [-0.00106");
    d_stationary_refused("critical-points/critical-K6-L4-w20-group.json", t, NULL, 0,
                         "at implied kink 1 = [3, 1, 3] G_e = df/dh_e over the box is [-9.16995");
    d_stationary_refused("small-k-low-rank/witness-K4-L4.json", t, NULL, 4,
                         "at implied kink 5 = [4, 0, 2] G_e = df/dh_e over the box is [+/- ");
    d_stationary_refused("small-k-low-rank/witness-K3-L5.json", t, "nope", 0, "no claim with id 'nope'");
    d_stationary_refused("small-k-low-rank/witness-K3-L5.json", t, "critical_point", 0,
                         "claim 'critical_point' is a critical_point claim, not a kink_multipliers claim");
}

/* descent_direction (format §6.15, docs/refine.md §7.18) on the committed K = 3, L = 5 witness:
 * its kink 8 = [5, 7, 0] has mu_e = G_e = -0.00106 (slope exactly 1), so moving every kink into
 * P- along the file's direction lowers f at about that rate (python/tests/
 * test_independent_d_stationary.py finds the same rate, -0.0010606, along its own direction
 * in exact arithmetic). Both checkers certify it; a copy whose direction is negated (the kinks
 * then move into P+, where the slope-1 kink costs nothing and the others cost (G_e - mu_e) >= 0)
 * and one whose direction names the critical point itself are refused. */
Test(critical, descent_direction_at_the_k3_l5_witness, .timeout = 120)
{
    char dir[256], t[300];
    const char *w = DNCERT_SOURCE_DIR "/certificates/small-k-low-rank/witness-K3-L5.json";
    const char *args[] = { w, NULL };
    json_t *j, *cl;
    int k;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(t, sizeof(t), "%s/t.json", dir);
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), args), 0, "%s%s", out, err);
    cr_expect(strstr(out, "descent_direction descent_direction certified OK") != NULL, "%s", out);
    j = json_load_file(w, 0, NULL);
    cr_assert(j != NULL);
    cl = tu_claim(j, "descent_direction");
    cr_expect(strncmp(json_string_value(json_object_get(json_object_get(cl, "rate"), "decimal")), "-0.00106", 8) == 0,
              "rate %s", json_string_value(json_object_get(json_object_get(cl, "rate"), "decimal")));
    for (k = 0; k < 2; k++) {
        json_t *jj = json_deep_copy(j);
        if (k == 0)
            scale_direction(jj, "-1");
        else
            json_object_set_new(tu_claim(jj, "descent_direction"), "direction", json_string("critical"));
        forged_refused(jj, t, "descent_direction", NULL, NULL);
    }
    json_decref(j);
}

/* A descent direction into P+ (docs/refine.md §7.18) at the K = 6, L = 4, width-20 group point
 * (tests/data/critical/k6-l4-w20-group): d_stationary is not proven there (implied kinks of layer
 * 3 with G_e < 0 and multiplier 0), and moving implied kink [3, 4, 3] (rule zero: it moves only
 * with its held weights) into P+, the other zero entries into P- or not at all, lowers f at the
 * rate G_e - mu_e = G_e ~ -1.17e-5 (python/tests/test_independent_descent.py recomputes G_e and
 * the rate of the real ReLU objective in exact arithmetic). certify-point finds it, and both
 * checkers certify the committed file's claim. Refused: the direction negated ([3, 4, 3] then
 * moves into P-, where its multiplier 0 gives no gain), and the direction with its entries at
 * the held weights W_2[4, u] set to 0 (implied kink [3, 4, 3] reads only held weights: it then
 * does not move, and the rate is that of pushing the others into P-, >= 0). */
Test(critical, descent_into_p_plus_at_the_w20_group_point, .timeout = 120)
{
    static const char *const expect[] = { "descent     certified: along the direction descent the implied kink "
                                          "[3, 4, 3] (G_e - mu_e < 0 on the box) moves into P+", NULL };
    char dir[256], c[300], t[300];
    const char *w = DNCERT_SOURCE_DIR "/certificates/critical-points/critical-K6-L4-w20-group.json";
    const char *args[] = { w, NULL };
    json_t *j, *z, *d;
    size_t i;
    int held = 0;
    certify_fixture(DNCERT_SOURCE_DIR "/tests/data/critical/k6-l4-w20-group", dir, c, t, expect);
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), args), 0, "%s%s", out, err);
    cr_expect(strstr(out, "descent_direction descent_direction certified OK") != NULL, "%s", out);
    j = json_load_file(w, 0, NULL);
    cr_assert(j != NULL);
    scale_direction(j, "-1");
    forged_refused(j, t, "descent_direction", NULL, NULL);
    j = json_load_file(w, 0, NULL);
    z = json_object_get(tu_claim(j, "critical_point"), "zero_weights");
    d = json_object_get(json_object_get(json_object_get(json_object_get(j, "points"), "descent"), "blocks"), "W2");
    for (i = 0; i < json_array_size(z); i++) {
        json_t *e = json_array_get(z, i);
        if (json_integer_value(json_array_get(e, 0)) == 2 && json_integer_value(json_array_get(e, 1)) == 4) {
            size_t k = (size_t) (4 + 20 * json_integer_value(json_array_get(e, 2)));   /* column-major, 20 rows */
            cr_expect_neq(strcmp(json_string_value(json_array_get(json_object_get(d, "dense"), k)), "0"), 0);
            json_array_set_new(json_object_get(d, "dense"), k, json_string("0"));
            held++;
        }
    }
    cr_expect_eq(held, 2);   /* W_2[4, 3] and W_2[4, 14] */
    forged_refused(j, t, "descent_direction", NULL, NULL);
}

/* A concave kink with nothing held (found by helper-49's search, 2026-12-07: K = 6, n = 1,
 * L = 2, widths 2 and 6, lambda = 1/250; a trained L-BFGS point with entry (1, 3) of W_1 H1
 * forced onto its kink, then `refine --kink-tol 1e-3`; tests/data/critical/k6-l2-concave).
 * Kink 2 = [2, 1, 3] has t_e = 0.826, inside [0, 1], but G_e = -0.00508 < 0, so mu_e < 0:
 * kink_multipliers is certified (0 is in the chain-rule set) and so is strict_local_min on the
 * pattern manifold, yet f decreases at first order when the kink leaves 0 either way
 * (python/tests/test_independent_d_stationary.py: f' = mu_e = -0.00419 into P-, (1 - t_e) G_e =
 * -0.00088 into P+, in exact arithmetic). So d_stationary is not proven (naming that kink),
 * descent_direction is certified, and strict_local_min_of_f is not proven with its condition 6
 * (a multiplier not positive) as the only reason; copies of the file that say d_stationary or
 * strict_local_min_of_f is certified are refused by both checkers -- the latter only by that
 * condition, since every other condition of format §6.13 holds here. */
Test(critical, k6_l2_concave_kink, .timeout = 120)
{
    static const char *const forged[2][2] = {
        { "d_stationary", "at kink 2 = [2, 1, 3] G_e = df/dh_e over the box is [-0.00507849" },
        { "strict_local_min_of_f", "the multiplier of kink 2 is not positive on the box" } };
    static const char *const expect[] = { "kink-mult   certified", "d-stat      not proven: at kink 2 = [2, 1, 3]",
                                          "descent     certified", "second      certified",
                                          "local-min   not proven: the multiplier of kink 2 is not shown positive", NULL };
    char dir[256], c[300], t[300];
    int k;
    certify_fixture(DNCERT_SOURCE_DIR "/tests/data/critical/k6-l2-concave", dir, c, t, expect);
    for (k = 0; k < 2; k++) {
        json_t *j = json_load_file(c, 0, NULL);
        cr_assert(j != NULL);
        forged_refused(j, t, forged[k][0], NULL, forged[k][1]);
        cr_expect(strstr(out, "descent_direction descent_direction certified OK") != NULL, "%s", out);   /* dncert-verify's */
    }
}
