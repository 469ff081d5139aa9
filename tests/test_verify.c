/* The independent certificate checker (docs/certificate-format.md, version 2): hand-made
 * certificates (tests/data/verify/, each number derived by hand in its "note" fields, or by
 * gen_dnc.py with mpmath) must be accepted; the values it derives for every structure must
 * match references computed independently (gen_values.py, mpmath, the spec's digits); and
 * every kind of tampering and malformed input must be rejected with a message that names
 * what failed. The forgeries of issue 9 are in test_forgery.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <criterion/criterion.h>
#include "dncert/verify.h"
#include "testutil.h"

#define DATA DNCERT_SOURCE_DIR "/tests/data/verify/"

static char err[4096];
static char *report;   /* report of the last run (freed by the next) */

static void free_report(void)
{
    free(report);
    report = NULL;
}

TestSuite(verify, .fini = free_report);
TestSuite(values, .fini = free_report);
TestSuite(limits, .fini = free_report);

static json_t *load(const char *name)
{
    char path[1024];
    json_error_t je;
    json_t *j;
    snprintf(path, sizeof(path), "%s%s", DATA, name);
    j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    cr_assert(j != NULL, "cannot load %s: %s", path, je.text);
    return j;
}

/* Verifies cert; the report goes to `report`, a rejected file's message to `err`. */
static int run_flags(const json_t *cert, long prec, int flags)
{
    return tu_verify(cert, "cert", prec, flags, &report, err, sizeof(err));
}

static int run(const json_t *cert)
{
    return run_flags(cert, 64, 0);
}

/* Object at a dotted path ("points.dnc.blocks.W2"; numbers index arrays). */
static json_t *at(json_t *root, const char *path)
{
    char buf[256], *tok, *save;
    json_t *j = root;
    snprintf(buf, sizeof(buf), "%s", path);
    for (tok = strtok_r(buf, ".", &save); tok != NULL && j != NULL; tok = strtok_r(NULL, ".", &save))
        j = json_is_array(j) ? json_array_get(j, strtoul(tok, NULL, 10)) : json_object_get(j, tok);
    cr_assert(j != NULL, "no %s in the certificate", path);
    return j;
}

/* A tampered endpoint goes without the interval's human-readable decimal, which verify
 * checks against [lo, hi] on its own (verify.decimal_that_contradicts_the_interval). */
static void set_str(json_t *o, const char *key, const char *value)
{
    json_object_set_new(o, key, json_string(value));
    if (strcmp(key, "lo") == 0 || strcmp(key, "hi") == 0)
        json_object_del(o, "decimal");
}

#define HAS(text, sub) cr_assert(strstr((text), (sub)) != NULL, "expected \"%s\" in:\n%s", (sub), (text))

/* ---- accepted files ---- */

static void accepts(const char *name, long ncertified, long nclaims)
{
    char path[1024];
    dncv_stats st;
    int r;
    snprintf(path, sizeof(path), "%s%s", DATA, name);
    r = dncv_verify_file(path, 64, 0, NULL, &st, err, sizeof(err));
    cr_assert_eq(r, 0, "%s: verify returned %d (%s)", name, r, err);
    cr_assert_eq(st.nmismatch, 0);
    cr_assert_eq(st.nclaims, nclaims, "%s: %ld claims", name, st.nclaims);
    cr_assert_eq(st.ncertified, ncertified, "%s: %ld certified", name, st.ncertified);
}

/* The counts are those of the verdicts written by hand in each file. */
Test(verify, accepts_hand_made_files)
{
    accepts("ufm_hand.json", 4, 10);
    accepts("kink_hand.json", 2, 3);
    accepts("zero_L3.json", 2, 3);
    accepts("structure_srg3.json", 5, 10);
    accepts("rules.json", 5, 10);
    accepts("dnc_K2_L3_n5.json", 13, 19);
}

/* A higher working precision must not change any verdict of the DNC file. */
Test(verify, accepts_at_higher_precision)
{
    json_t *c = load("dnc_K2_L3_n5.json");
    cr_assert_eq(run_flags(c, 1024, 0), 0, "%s%s", err, report);
    json_decref(c);
}

Test(verify, report_lines)
{
    json_t *c = load("dnc_K2_L3_n5.json");
    cr_assert_eq(run_flags(c, 64, DNCV_EXPLAIN), 0);
    HAS(report, "cert: loss loss certified OK\n");
    HAS(report, "cert: root_other_branch root not proven OK\n    checked: the scale c of block dnc of dnc is");
    HAS(report, "the interval is not a proper part of [(L-1)/(2L), 1]");
    HAS(report, "cert: stationary_tight stationarity not proven OK\n");
    HAS(report, "ball scalar a of point dnc has radius above 2^-1000");
    HAS(report, "checked: the value of structure dnc on this problem (derived from the problem");
    json_decref(c);
}

/* ---- tampered claims: the file is well formed, a verdict no longer re-checks ---- */

Test(verify, interval_endpoint_that_makes_the_claim_false)
{
    json_t *c = load("dnc_K2_L3_n5.json");
    set_str(at(tu_claim(c, "loss"), "loss"), "lo", "0.0238");
    set_str(at(tu_claim(c, "loss"), "loss"), "hi", "0.0238535");   /* just below the true 0.02385359... */
    cr_assert_eq(run(c), 1);
    HAS(report, "cert: loss loss not proven MISMATCH (the file says certified)");
    HAS(report, "the loss of point dnc is [0.0238535931285789");
    /* The order claims built on it fall too. */
    HAS(report, "cert: order order not proven MISMATCH");
    json_decref(c);
}

Test(verify, value_interval_tampered)
{
    json_t *c = load("dnc_K2_L3_n5.json");
    set_str(at(tu_claim(c, "value"), "value"), "hi", "0.0238");
    cr_assert_eq(run(c), -1);   /* now hi < lo: malformed */
    HAS(err, "claims[5].value: lo > hi");
    set_str(at(tu_claim(c, "value"), "value"), "lo", "0.0237");
    cr_assert_eq(run(c), 1);
    HAS(report, "cert: value value not proven MISMATCH");
    HAS(report, "the value of dnc is [0.0238535931285789");
    HAS(report, "cert: order_value order not proven MISMATCH");   /* built on it */
    json_decref(c);
}

/* The human-readable decimal must agree with [lo, hi] (found in review: a loss of 0.0238
 * relabelled "0.5..." used to pass). */
Test(verify, decimal_that_contradicts_the_interval)
{
    json_t *c = load("dnc_K2_L3_n5.json");
    set_str(at(tu_claim(c, "loss"), "loss"), "decimal", "0.5...");
    cr_assert_eq(run(c), -1);
    HAS(err, "loss.decimal: '0.5...' contradicts [lo, hi]");
    set_str(at(tu_claim(c, "loss"), "loss"), "decimal", "0.0238...");   /* true leading digits */
    cr_assert_eq(run(c), 0, "%s", err);
    set_str(at(tu_claim(c, "loss"), "loss"), "decimal", "0.0240...");   /* off by more than a unit */
    cr_assert_eq(run(c), -1);
    json_decref(c);
}

Test(verify, no_claims)
{
    json_t *c = load("dnc_K2_L3_n5.json");
    json_array_clear(json_object_get(c, "claims"));
    cr_assert_eq(run(c), -1);
    HAS(err, "claims: expected 1 to 100000 claims");
    json_decref(c);
}

Test(verify, polynomial_of_a_point_scalar)
{
    json_t *c = load("dnc_K2_L3_n5.json");
    json_array_set_new(at(c, "points.dnc.scalars.c.polynomial"), 2, json_string("48828126"));
    cr_assert_eq(run(c), 1);
    HAS(report, "cert: loss loss not proven MISMATCH");
    HAS(report, "scalar c of point dnc is not isolated by its interval (format §7.1)");
    json_decref(c);
}

Test(verify, root_polynomial_and_interval)
{
    json_t *c = load("dnc_K2_L3_n5.json");
    json_array_set_new(at(tu_claim(c, "root"), "polynomial"), 0, json_string("-2"));
    cr_assert_eq(run(c), 1);
    HAS(report, "cert: root root not proven MISMATCH");
    HAS(report, "not a non-zero multiple of den(Q)(1-c)^(L+1) c^(L-1) - num(Q)");
    json_decref(c);
    c = load("dnc_K2_L3_n5.json");   /* an interval that misses the root: no sign change */
    set_str(at(tu_claim(c, "root"), "interval"), "lo", "0.5");
    set_str(at(tu_claim(c, "root"), "interval"), "hi", "0.6");
    cr_assert_eq(run(c), 1);
    HAS(report, "no proven sign change on the interval");
    json_decref(c);
}

Test(verify, polynomial_of_another_structure)
{
    json_t *c = load("rules.json");
    json_object_set_new(tu_claim(c, "root_rule"), "structure", json_pack("{s:s, s:i}", "name", "srg", "r", 3));
    set_str(tu_claim(c, "root_rule"), "block", "srg");
    cr_assert_eq(run(c), 1);
    HAS(report, "cert: root_rule root not proven MISMATCH");
    json_decref(c);
}

Test(verify, lambda)
{
    json_t *c = load("dnc_K2_L3_n5.json");
    set_str(at(c, "problem"), "lambda_h", "1/251");
    cr_assert_eq(run(c), 1);
    HAS(report, "cert: loss loss not proven MISMATCH");
    HAS(report, "cert: root root not proven MISMATCH");    /* the block polynomial changed */
    HAS(report, "cert: value value not proven MISMATCH");  /* and the derived value */
    json_decref(c);
}

Test(verify, lambda_breaks_a_tie)
{
    json_t *c = load("rules.json");
    json_array_set_new(at(c, "problem.lambda_w"), 2, json_string("1/80"));
    cr_assert_eq(run(c), 1);
    HAS(report, "cert: tie alive not proven MISMATCH");
    HAS(report, "the exact comparison of T_L with Q = 1/180");
    HAS(report, "gives \"dead\"");
    json_decref(c);
}

Test(verify, dense_matrix_entry)
{
    json_t *c = load("ufm_hand.json");
    json_array_set_new(at(c, "points.p.blocks.H1.dense"), 1, json_string("3"));
    cr_assert_eq(run(c), 1);
    /* H1 = [1 3]: fit = (0+9+1+16)/4 = 13/2, reg = (1/4)(1+9) + 1/2 = 3, f = 19/2 */
    HAS(report, "the loss of point p is 9.50000000000000000000000, not in");
    json_decref(c);
}

Test(verify, sparse_matrix_entry)
{
    json_t *c = load("structure_srg3.json");
    json_array_set_new(json_array_get(at(c, "points.srg.blocks.W1.terms.0.entries"), 1), 2, json_string("-1/2"));
    cr_assert_eq(run(c), 1);
    HAS(report, "cert: relu_id structure not proven MISMATCH");
    HAS(report, "cert: rank3 structure not proven MISMATCH");
    json_decref(c);
}

Test(verify, verdict_both_directions)
{
    json_t *c = load("ufm_hand.json");
    set_str(tu_claim(c, "loss"), "verdict", "not proven");
    cr_assert_eq(run(c), 1);
    HAS(report, "cert: loss loss certified MISMATCH (the file says not proven)");
    set_str(tu_claim(c, "loss"), "verdict", "certified");
    set_str(tu_claim(c, "loss_wrong"), "verdict", "certified");
    cr_assert_eq(run(c), 1);
    HAS(report, "cert: loss_wrong loss not proven MISMATCH (the file says certified)\n"
                "    the loss of point p is 5.25");
    json_decref(c);
}

/* ---- stationarity (§6.5) ---- */

Test(verify, stationarity_kinks)
{
    json_t *c = load("zero_L3.json");
    json_array_remove(at(tu_claim(c, "stat"), "kinks"), 5);   /* [3, 0, 1] may vanish but is not listed */
    cr_assert_eq(run(c), 1);
    HAS(report, "the pre-activation [3, 0, 1] of point zero may vanish on the box but is not listed as a kink");
    json_decref(c);
    c = load("zero_L3.json");   /* the same kinks out of order: malformed, not a silent mismatch */
    json_array_insert_new(at(tu_claim(c, "stat"), "kinks"), 0, json_pack("[i, i, i]", 3, 0, 0));
    json_array_remove(at(tu_claim(c, "stat"), "kinks"), 5);
    cr_assert_eq(run(c), -1);
    HAS(err, "claims[0].kinks[1]: not strictly after the previous kink");
    json_decref(c);
    c = load("zero_L3.json");   /* an entry that is not a ReLU pre-activation */
    json_array_append_new(at(tu_claim(c, "stat"), "kinks"), json_pack("[i, i, i]", 3, 1, 0));
    cr_assert_eq(run(c), -1);
    HAS(err, "[3, 1, 0] is not an entry of a ReLU pre-activation of point zero");
    json_decref(c);
    c = load("kink_hand.json");
    set_str(tu_claim(c, "stat"), "verdict", "certified");
    cr_assert_eq(run(c), 1);
    HAS(report, "gradient entry H1[0,0] of point kink is 0.5");
    HAS(report, "it does not contain 0");
    json_decref(c);
}

/* Listing a kink where the pre-activation is strictly positive only widens the enclosure
 * (derivative [0, 1] instead of 1): still sound, but here too wide for the claim. */
Test(verify, stationarity_extra_kink_widens)
{
    json_t *c = load("dnc_K2_L3_n5.json");
    json_array_insert_new(at(tu_claim(c, "stationary"), "kinks"), 0, json_pack("[i, i, i]", 2, 0, 0));
    cr_assert_eq(run(c), 1, "%s%s", err, report);
    HAS(report, "cert: stationary stationarity not proven MISMATCH");
    HAS(report, "radius above 2^E");
    json_decref(c);
}

/* The review's example: a box a in [3, 8] with max radius 2^1000000 passed in version 1. */
Test(verify, stationarity_box_too_wide)
{
    json_t *c = load("dnc_K2_L3_n5.json");
    json_object_set_new(tu_claim(c, "stationary"), "max_radius_log2", json_integer(1000000));
    cr_assert_eq(run(c), -1);
    HAS(err, "claims[6].max_radius_log2: expected an integer in [-16384, -64]");
    json_decref(c);
    c = load("dnc_K2_L3_n5.json");
    set_str(at(c, "points.dnc.scalars.a"), "lo", "3");
    set_str(at(c, "points.dnc.scalars.a"), "hi", "8");
    cr_assert_eq(run(c), 1);
    HAS(report, "cert: stationary stationarity not proven MISMATCH");
    HAS(report, "ball scalar a of point dnc has radius above 2^-100: the box is too wide for the claim");
    json_decref(c);
}

Test(verify, structure_rank)
{
    json_t *c = load("structure_srg3.json");
    json_object_set_new(tu_claim(c, "rank3"), "rank", json_integer(2));
    cr_assert_eq(run(c), 1);
    HAS(report, "the exact rank of A_2 of point srg is 3");
    json_decref(c);
}

Test(verify, note_fields_are_free_text)
{
    json_t *c = load("ufm_hand.json");
    set_str(tu_claim(c, "order"), "note", "anything");
    set_str(at(c, "problem"), "note", "anything");
    set_str(at(tu_claim(c, "order"), "lower"), "note", "anything");
    cr_assert_eq(run(c), 0, "%s", err);
    json_decref(c);
}

/* ---- values derived by the checker against independent references (§8) ---- */

/* buf <- the exact rational v + sign w of two decimal strings, as "num/den". */
static void shifted(char *buf, size_t len, const char *v, const char *w, int sign)
{
    fmpq_t a, b;
    char *s;
    fmpq_init(a);
    fmpq_init(b);
    cr_assert_eq(dnc_parse_rational(a, v), 0);
    cr_assert_eq(dnc_parse_rational(b, w), 0);
    if (sign < 0)
        fmpq_sub(a, a, b);
    else
        fmpq_add(a, a, b);
    s = fmpq_get_str(NULL, 10, a);
    snprintf(buf, len, "%s", s);
    flint_free(s);
    fmpq_clear(a);
    fmpq_clear(b);
}

/* A certificate of one value claim with interval [v - w, v + w] (v, w decimal strings); it
 * takes the reference to `structure`. */
static json_t *value_cert(const json_t *problem, const json_t *structure, const char *v, const char *w,
                          const char *verdict)
{
    char lo[256], hi[256];
    shifted(lo, sizeof(lo), v, w, -1);
    shifted(hi, sizeof(hi), v, w, 1);
    return json_pack("{s:s, s:i, s:{}, s:i, s:O, s:{}, s:[{s:s, s:s, s:s, s:s, s:o, s:{s:s, s:s}}]}", "format",
                     "dncert-certificate", "version", 2, "producer", "precision", 256, "problem", problem, "points",
                     "claims", "id", "v", "kind", "value", "statement", "reference", "verdict", verdict, "structure",
                     structure, "value", "lo", lo, "hi", hi);
}

/* Every case of values_ref.json: the derived value lies within 1e-40 of the reference
 * (certified) and is not within 1e-40 of the reference shifted by 1e-30 (not proven). */
Test(values, match_independent_references, .timeout = 120)
{
    json_t *ref = load("values_ref.json"), *cs;
    size_t i;
    cs = json_object_get(ref, "cases");
    cr_assert_geq(json_array_size(cs), 15);
    for (i = 0; i < json_array_size(cs); i++) {
        json_t *k = json_array_get(cs, i), *c;
        const char *name = json_string_value(json_object_get(k, "name"));
        const char *v = json_string_value(json_object_get(k, "value"));
        char off[256];
        c = value_cert(json_object_get(k, "problem"), json_incref(json_object_get(k, "structure")), v, "1e-40",
                       "certified");
        cr_expect_eq(run_flags(c, 64, 0), 0, "%s: %s%s", name, err, report);
        json_decref(c);
        shifted(off, sizeof(off), v, "1e-30", 1);
        c = value_cert(json_object_get(k, "problem"), json_incref(json_object_get(k, "structure")), off, "1e-40",
                       "not proven");
        cr_expect_eq(run_flags(c, 64, 0), 0, "%s shifted: %s%s", name, err, report);
        json_decref(c);
    }
    json_decref(ref);
}

/* ---- cross-entropy values and roots (§8.3, §6.1) against independent references ----
 * tests/data/ce/ce_refs.json: written by tests/data/ce/gen_ce.py with mpmath at 60 digits
 * (every positive root of the stationarity equation by sign changes of phi' on a fine grid
 * and findroot, phi at each and at 0), independently of both the producer (src/closed/ce.c)
 * and the checker (src/verifier/vce.c); its cases lie on both sides of the sigma = 0
 * boundary (alive, dead with and without roots, the exact tie of the plain UFM). */

static json_t *ce_problem(const json_t *k)
{
    slong K = (slong) json_integer_value(json_object_get(k, "K")), M = (slong) json_integer_value(json_object_get(k, "M"));
    slong n = (slong) json_integer_value(json_object_get(k, "n")), i;
    const char *lam = json_string_value(json_object_get(k, "lambda"));
    json_t *p = json_pack("{s:I, s:[], s:I, s:[], s:[], s:s, s:s, s:s, s:[]}", "K", (json_int_t) K, "n", "L",
                          (json_int_t) M, "width", "activation", "bias", "none", "loss", "ce", "lambda_h", lam,
                          "lambda_w");
    for (i = 0; i < K; i++)
        json_array_append_new(json_object_get(p, "n"), json_integer(n));
    for (i = 0; i < M; i++) {
        json_array_append_new(json_object_get(p, "width"), json_integer(K));
        json_array_append_new(json_object_get(p, "lambda_w"), json_string(lam));
        if (i + 1 < M)
            json_array_append_new(json_object_get(p, "activation"), json_string("linear"));
    }
    return p;
}

/* value_cert on the CE problem of case k (value_cert takes its own reference to it). */
static json_t *ce_value_cert(const json_t *k, const char *name, const char *v, const char *w, const char *verdict)
{
    json_t *p = ce_problem(k), *c = value_cert(p, json_pack("{s:s}", "name", name), v, w, verdict);
    json_decref(p);
    return c;
}

/* A certificate of one CE root claim on [r - w, r + w]. */
static json_t *ce_root_cert(json_t *problem, const char *name, const char *r, const char *w, const char *verdict)
{
    char lo[256], hi[256];
    shifted(lo, sizeof(lo), r, w, -1);
    shifted(hi, sizeof(hi), r, w, 1);
    return json_pack("{s:s, s:i, s:{}, s:i, s:o, s:{}, s:[{s:s, s:s, s:s, s:s, s:{s:s}, s:s, s:{s:s, s:s}}]}", "format",
                     "dncert-certificate", "version", 2, "producer", "precision", 256, "problem", problem, "points",
                     "claims", "id", "r", "kind", "root", "statement", "reference", "verdict", verdict, "structure",
                     "name", name, "block", "sigma", "interval", "lo", lo, "hi", hi);
}

Test(values, ce_match_independent_references, .timeout = 120)
{
    json_t *ref, *cs;
    json_error_t je;
    size_t i;
    ref = json_load_file(DNCERT_SOURCE_DIR "/tests/data/ce/ce_refs.json", 0, &je);
    cr_assert(ref != NULL, "%s", je.text);
    cs = json_object_get(ref, "cases");
    cr_assert_geq(json_array_size(cs), 15);
    for (i = 0; i < json_array_size(cs); i++) {
        json_t *k = json_array_get(cs, i), *c, *roots = json_object_get(k, "roots");
        const char *v = json_string_value(json_object_get(k, "value"));
        int M = (int) json_integer_value(json_object_get(k, "M")), s;
        char off[256];
        for (s = 0; s < (M == 1 ? 2 : 1); s++) {   /* at M = 1 both names: ufm and deep-linear */
            const char *name = s == 0 && M == 1 ? "ufm" : "deep-linear";
            c = ce_value_cert(k, name, v, "1e-40", "certified");
            cr_expect_eq(run_flags(c, 64, 0), 0, "case %zu (%s): %s%s", i, name, err, report);
            json_decref(c);
            shifted(off, sizeof(off), v, "1e-30", 1);
            c = ce_value_cert(k, name, off, "1e-40", "not proven");
            cr_expect_eq(run_flags(c, 64, 0), 0, "case %zu (%s) shifted: %s%s", i, name, err, report);
            json_decref(c);
        }
        if (json_array_size(roots) > 0) {   /* the larger root is sigma_2; the smaller is on the wrong branch */
            const char *r2 = json_string_value(json_array_get(roots, json_array_size(roots) - 1));
            c = ce_root_cert(ce_problem(k), "deep-linear", r2, "1e-40", "certified");
            cr_expect_eq(run_flags(c, 64, 0), 0, "case %zu root: %s%s", i, err, report);
            json_decref(c);
        }
        if (json_array_size(roots) == 2) {
            c = ce_root_cert(ce_problem(k), "deep-linear", json_string_value(json_array_get(roots, 0)), "1e-40",
                             "not proven");
            cr_expect_eq(run_flags(c, 64, 0), 0, "case %zu sigma_1: %s%s", i, err, report);
            cr_expect(strstr(report, "H has sign + at lo") != NULL, "%s", report);
            json_decref(c);
        }
    }
    json_decref(ref);
}

/* ---- the ReLU CE form: dnc under "loss": "ce" (§8.3, the orthogonal frames) ----
 * tests/data/ce/ce_relu_refs.json: written by tests/data/ce/gen_ce_relu.py with mpmath at 60
 * digits from the note's phi_F, and checked there against the minimum over the scales of the
 * explicit ReLU network's CE objective; independent of src/closed/ce.c and vce.c. */

/* The CE problem of a ReLU reference case (key "L"), widths K, the given activation and bias. */
static json_t *relu_problem_json(const json_t *k, const char *act, const char *bias)
{
    json_t *q = json_pack("{s:O, s:O, s:O, s:O}", "K", json_object_get(k, "K"), "M", json_object_get(k, "L"), "n",
                          json_object_get(k, "n"), "lambda", json_object_get(k, "lambda"));
    json_t *p = ce_problem(q);
    size_t i;
    json_decref(q);
    for (i = 0; i < json_array_size(json_object_get(p, "activation")); i++)
        json_array_set_new(json_object_get(p, "activation"), i, json_string(act));
    json_object_set_new(p, "bias", json_string(bias));
    return p;
}

Test(values, ce_relu_match_independent_references, .timeout = 120)
{
    json_t *ref, *cs, *p, *c;
    json_error_t je;
    size_t i;
    ref = json_load_file(DNCERT_SOURCE_DIR "/tests/data/ce/ce_relu_refs.json", 0, &je);
    cr_assert(ref != NULL, "%s", je.text);
    cs = json_object_get(ref, "cases");
    cr_assert_geq(json_array_size(cs), 8);
    for (i = 0; i < json_array_size(cs); i++) {
        json_t *k = json_array_get(cs, i), *roots = json_object_get(k, "roots");
        const char *v = json_string_value(json_object_get(k, "value"));
        const char *bias = i % 2 ? "free" : "none";   /* a free bias changes nothing (cross-entropy.md §8) */
        char off[256];
        p = relu_problem_json(k, "relu", bias);
        c = value_cert(p, json_pack("{s:s}", "name", "dnc"), v, "1e-40", "certified");
        cr_expect_eq(run_flags(c, 64, 0), 0, "case %zu: %s%s", i, err, report);
        json_decref(c);
        shifted(off, sizeof(off), v, "1e-30", 1);
        c = value_cert(p, json_pack("{s:s}", "name", "dnc"), off, "1e-40", "not proven");
        cr_expect_eq(run_flags(c, 64, 0), 0, "case %zu shifted: %s%s", i, err, report);
        json_decref(c);
        if (json_array_size(roots) == 2) {   /* sigma_2 certified; sigma_1 is on the wrong branch */
            c = ce_root_cert(json_incref(p), "dnc", json_string_value(json_array_get(roots, 1)), "1e-40", "certified");
            cr_expect_eq(run_flags(c, 64, 0), 0, "case %zu root: %s%s", i, err, report);
            json_decref(c);
            c = ce_root_cert(json_incref(p), "dnc", json_string_value(json_array_get(roots, 0)), "1e-40", "not proven");
            cr_expect_eq(run_flags(c, 64, 0), 0, "case %zu sigma_1: %s%s", i, err, report);
            json_decref(c);
        }
        json_decref(p);
    }
    json_decref(ref);
}

/* Forgeries of the ReLU CE value, each internally consistent and false: the ETF value of the
 * linear family (lower) claimed for dnc on a ReLU problem; the frame value claimed for
 * deep-linear on a linear problem; the linear family's sigma_2 claimed as dnc's root; and dnc
 * at L = 1, where no frame exists. All are "not proven", so the files claiming "certified"
 * are rejected. */
Test(values, ce_relu_forgeries_refused)
{
    json_t *k = json_pack("{s:i, s:i, s:i, s:s}", "K", 3, "L", 2, "n", 2, "lambda", "1/50"), *p, *c;
    /* gen_ce_relu.py (3, 2, 2, 1/50): frames 0.28498487389704753545224312382687262070056862620792;
     * the ETF value of the same problem (hand-run of gen_ce.py's phi, K = 3, n = 2, M = 2):
     * 0.22625149352005933518167876777134, sigma_2 = 4.1210731429674446855197396275540 */
    const char *frame = "0.28498487389704753545224312382687262070056862620792";
    p = relu_problem_json(k, "relu", "none");
    c = value_cert(p, json_pack("{s:s}", "name", "dnc"), "0.22625149352005933518167876777134", "1e-25", "certified");
    cr_expect_eq(run(c), 1, "%s%s", err, report);
    cr_expect(strstr(report, "MISMATCH") != NULL, "%s", report);
    json_decref(c);
    c = ce_root_cert(json_incref(p), "dnc", "4.1210731429674446855197396275540", "1e-25", "certified");
    cr_expect_eq(run(c), 1, "%s%s", err, report);
    json_decref(c);
    c = value_cert(p, json_pack("{s:s}", "name", "deep-linear"), frame, "1e-40", "certified");
    cr_expect_eq(run(c), 1, "%s%s", err, report);
    cr_expect(strstr(report, "it needs every activation linear") != NULL, "%s", report);
    json_decref(c);
    json_decref(p);
    p = relu_problem_json(k, "linear", "none");
    c = value_cert(p, json_pack("{s:s}", "name", "deep-linear"), frame, "1e-40", "certified");
    cr_expect_eq(run(c), 1, "%s%s", err, report);
    json_decref(c);
    json_decref(p);
    json_object_set_new(k, "L", json_integer(1));
    p = relu_problem_json(k, "relu", "none");
    c = value_cert(p, json_pack("{s:s}", "name", "dnc"), frame, "1", "not proven");
    cr_expect_eq(run(c), 0, "%s%s", err, report);
    cr_expect(strstr(report, "L >= 2") != NULL, "%s", report);
    json_decref(c);
    json_decref(p);
    json_decref(k);
}

/* Under CE: alive claims, value claims of srg/sts/tirer-bruna, and a root claim with a
 * polynomial are malformed; a ufm, deep-linear or dnc value where §8.3's requirements fail
 * is "not proven" with the reason. */
Test(values, ce_requirements)
{
    json_t *k = json_pack("{s:i, s:i, s:i, s:s}", "K", 4, "M", 3, "n", 3, "lambda", "1/20"), *c, *p;
    c = ce_value_cert(k, "tirer-bruna", "0.8", "0.1", "certified");
    cr_expect_eq(run(c), -1);
    cr_expect(strstr(err, "claims[0].structure: under \"loss\": \"ce\" value claims are defined for the ufm, "
                     "deep-linear and dnc structures only") != NULL, "%s", err);
    json_decref(c);
    c = ce_value_cert(k, "ufm", "0.8", "0.1", "not proven");
    cr_expect_eq(run(c), 0, "%s%s", err, report);
    cr_expect(strstr(report, "it needs L = 1") != NULL, "%s", report);
    json_decref(c);
    p = ce_problem(k);
    json_array_set_new(json_object_get(p, "n"), 0, json_integer(4));
    c = value_cert(p, json_pack("{s:s}", "name", "deep-linear"), "0.8", "0.1", "not proven");
    json_decref(p);
    cr_expect_eq(run(c), 0, "%s%s", err, report);
    cr_expect(strstr(report, "under cross-entropy it needs balanced class counts") != NULL, "%s", report);
    json_decref(c);
    c = ce_root_cert(ce_problem(k), "deep-linear", "2", "1", "not proven");
    json_object_set_new(json_array_get(json_object_get(c, "claims"), 0), "polynomial", json_pack("[s, s]", "1", "1"));
    cr_expect_eq(run(c), -1);
    cr_expect(strstr(err, "claims[0].polynomial: not a field of a root claim") != NULL, "%s", err);
    json_decref(c);
    c = json_pack("{s:s, s:i, s:{}, s:i, s:o, s:{}, s:[{s:s, s:s, s:s, s:s, s:{s:s}, s:s, s:s}]}", "format",
                  "dncert-certificate", "version", 2, "producer", "precision", 256, "problem", ce_problem(k), "points",
                  "claims", "id", "a", "kind", "alive", "statement", "", "verdict", "certified", "structure", "name",
                  "dnc", "block", "dnc", "decision", "alive");
    cr_expect_eq(run(c), -1);
    cr_expect(strstr(err, "'alive' claims are defined for the MSE loss only") != NULL, "%s", err);
    json_decref(c);
    json_decref(k);
}

/* Structures that do not exist in the problem give "not proven", with the reason. */
Test(values, requirements)
{
    json_t *ref = load("values_ref.json"), *k = json_array_get(json_object_get(ref, "cases"), 2), *p, *c;
    const char *v = json_string_value(json_object_get(k, "value"));   /* srg r = 5 on K = 10, L = 4 */
    struct { const char *field; json_t *value; const char *why; } bad[] = {
        { "bias", json_string("free"), "it needs balanced class counts and no bias" },
        { "width", json_pack("[i, i, i, i]", 10, 4, 10, 10), "it needs widths d_1..d_{L-1} >= 5" },
        { "activation", json_pack("[s, s, s]", "relu", "relu", "linear"), "a ReLU at layer L-1" },
        { "K", json_integer(9), "its block has 10 classes, more than K = 9" },
    };
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        p = json_deep_copy(json_object_get(k, "problem"));
        json_object_set_new(p, bad[i].field, bad[i].value);
        if (strcmp(bad[i].field, "K") == 0)
            json_array_remove(json_object_get(p, "n"), 0);
        c = value_cert(p, json_incref(json_object_get(k, "structure")), v, "1e-40", "not proven");
        cr_expect_eq(run(c), 0, "%s: %s%s", bad[i].field, err, report);
        cr_expect(strstr(report, bad[i].why) != NULL, "%s: %s", bad[i].field, report);
        json_decref(c);
        json_decref(p);
    }
    p = json_deep_copy(json_object_get(k, "problem"));
    c = value_cert(p, json_pack("{s:s, s:i}", "name", "sts", "v", 11), v, "1e-40", "not proven");
    cr_expect_eq(run(c), 0, "%s", err);
    HAS(report, "a Steiner triple system of order v exists only for v = 1 or 3 (mod 6)");
    json_decref(c);
    json_decref(p);
    json_decref(ref);
}

/* ---- malformed files: rejected with the JSON path of the field ---- */

static void rejects(json_t *c, const char *msg)
{
    cr_assert_eq(run(c), -1, "accepted; expected \"%s\"", msg);
    HAS(err, msg);
    json_decref(c);
}

Test(verify, version_and_envelope)
{
    json_t *c = load("ufm_hand.json");
    json_object_set_new(c, "version", json_integer(1));
    rejects(c, "version: 1 is no longer accepted");
    c = load("ufm_hand.json");
    json_object_set_new(c, "version", json_integer(3));
    rejects(c, "version: expected 2, got 3");
    c = load("ufm_hand.json");
    set_str(c, "format", "dncert-point");
    rejects(c, "format: expected \"dncert-certificate\", got \"dncert-point\"");
    c = load("ufm_hand.json");
    set_str(c, "precision", "128");
    rejects(c, "precision: expected an integer");
    c = load("ufm_hand.json");
    json_object_set_new(c, "precision", json_integer(32));
    rejects(c, "precision: expected an integer in [64, 4096], got 32");
    c = load("ufm_hand.json");
    json_object_set_new(c, "precision", json_integer(1 << 20));
    rejects(c, "precision: expected an integer in [64, 4096], got 1048576");
}

/* Version 1 files are refused (issue 9): one of the committed version-1 certificates. */
Test(verify, version_1_file_is_refused)
{
    json_t *c = load("v1_binary-dnc_grid-L3-n5.json");
    rejects(c, "version: 1 is no longer accepted: a version 1 value claim could be satisfied by forged");
}

Test(verify, unknown_fields)
{
    json_t *c = load("ufm_hand.json");
    json_object_set_new(c, "extra", json_true());
    rejects(c, "unknown field 'extra'");
    c = load("ufm_hand.json");
    json_object_set_new(tu_claim(c, "loss"), "foo", json_integer(1));
    rejects(c, "claims[0]: unknown field 'foo'");
    c = load("ufm_hand.json");
    json_object_set_new(at(tu_claim(c, "loss"), "loss"), "mid", json_string("1"));
    rejects(c, "claims[0].loss: unknown field 'mid'");
    c = load("dnc_K2_L3_n5.json");
    json_object_set_new(at(c, "points.dnc.blocks"), "W4", json_object());
    rejects(c, "points.dnc.blocks: unknown block 'W4'");
    c = load("ufm_hand.json");
    set_str(tu_claim(c, "loss"), "kind", "lemma");
    rejects(c, "claims[0].kind: unknown kind 'lemma'");
    c = load("ufm_hand.json");   /* version 1's point field "structure" */
    set_str(at(c, "points.p"), "structure", "dnc");
    rejects(c, "points.p: unknown field 'structure'");
    c = load("dnc_K2_L3_n5.json");   /* version 1's value terms */
    json_object_set_new(tu_claim(c, "value"), "terms", json_array());
    rejects(c, "claims[5]: unknown field 'terms'");
}

Test(verify, missing_fields)
{
    json_t *c = load("ufm_hand.json");
    json_object_del(tu_claim(c, "loss"), "fit");
    rejects(c, "claims[0].fit: missing");
    c = load("ufm_hand.json");
    json_object_del(at(c, "problem"), "bias");
    rejects(c, "problem.bias: missing");
    c = load("ufm_hand.json");
    json_object_del(tu_claim(c, "tie"), "verdict");
    rejects(c, "claims[7].verdict: missing");
    c = load("dnc_K2_L3_n5.json");
    json_object_del(at(c, "points.dnc.blocks"), "W3");
    rejects(c, "points.dnc.blocks.W3: missing");
}

Test(verify, wrong_values)
{
    json_t *c = load("dnc_K2_L3_n5.json");
    set_str(at(tu_claim(c, "loss"), "loss"), "lo", "0.02x");
    rejects(c, "claims[4].loss.lo: not a rational string");
    c = load("dnc_K2_L3_n5.json");
    json_object_set_new(at(c, "points.dnc.blocks.W2"), "rows", json_integer(9));
    rejects(c, "points.dnc.blocks.W2: shape 9x10 does not match the problem's 10x10");
    c = load("dnc_K2_L3_n5.json");
    json_array_set_new(at(c, "points.dnc.scalars.c.polynomial"), 0, json_string("- 1"));
    rejects(c, "points.dnc.scalars.c.polynomial[0]: not a decimal integer string");
    c = load("dnc_K2_L3_n5.json");
    set_str(at(c, "points.dnc.blocks.H1.terms.0"), "scale", "d");
    rejects(c, "points.dnc.blocks.H1.terms[0].scale: no scalar named 'd' in point 'dnc'");
    c = load("dnc_K2_L3_n5.json");
    set_str(tu_claim(c, "loss"), "point", "elsewhere");
    rejects(c, "claims[4].point: no point named 'elsewhere'");
    c = load("dnc_K2_L3_n5.json");
    set_str(at(c, "problem"), "lambda_h", "-1/250");
    rejects(c, "problem.lambda_h: expected a positive rational string");
    c = load("ufm_hand.json");
    json_array_append_new(at(c, "problem.n"), json_integer(1));
    rejects(c, "problem.n: expected 2 entries, got 3");
    c = load("ufm_hand.json");
    set_str(tu_claim(c, "loss"), "verdict", "true");
    rejects(c, "claims[0].verdict: expected \"certified\" or \"not proven\", got \"true\"");
    c = load("rules.json");
    json_object_set_new(tu_claim(c, "srg3"), "structure", json_pack("{s:s}", "name", "srg"));
    rejects(c, "claims[2].structure: srg needs \"r\", sts needs \"v\", and no other structure has them");
    c = load("rules.json");
    json_object_set_new(tu_claim(c, "srg3"), "structure", json_pack("{s:s}", "name", "tetrahedron"));
    rejects(c, "claims[2].structure.name: unknown structure 'tetrahedron'");
    c = load("rules.json");
    json_object_set_new(tu_claim(c, "srg3"), "structure", json_pack("{s:s}", "name", "deep-linear"));
    rejects(c, "claims[2].structure: alive claims are defined for the dnc, srg and sts structures");
}

Test(verify, wrong_references)
{
    json_t *c = load("structure_srg3.json");
    json_array_append_new(at(c, "points.srg.blocks.W2.terms.0.entries"), json_pack("[i, i, s]", 1, 1, "2"));
    rejects(c, "points.srg.blocks.W2.terms[0].entries: position (1, 1) listed twice");
    c = load("structure_srg3.json");
    json_array_remove(at(c, "points.twoterm.blocks.W2.dense"), 0);
    rejects(c, "points.twoterm.blocks.W2.dense: expected 9 entries (3x3, column-major), got 8");
    c = load("structure_srg3.json");
    json_object_set_new(tu_claim(c, "gram1"), "rank", json_integer(1));
    rejects(c, "only rank_pre has a \"rank\"");
    c = load("structure_srg3.json");
    json_object_set_new(tu_claim(c, "relu_id"), "layer", json_integer(1));
    rejects(c, "layer 1 is outside the range of fact relu_identity");
    c = load("dnc_K2_L3_n5.json");
    json_object_set_new(tu_claim(c, "dnc_point_not_below"), "higher", json_pack("{s:s}", "loss", "zero_loss"));
    rejects(c, "claims[13].higher: a dnc_not_optimal claim compares a value claim here");
    c = load("dnc_K2_L3_n5.json");
    json_object_set_new(tu_claim(c, "order"), "lower", json_pack("{s:s}", "loss", "nothing"));
    rejects(c, "claims[10].lower.loss: no claim with id 'nothing'");
    c = load("dnc_K2_L3_n5.json");
    json_object_set_new(tu_claim(c, "order"), "lower", json_pack("{s:s}", "loss", "value"));
    rejects(c, "claims[10].lower.loss: claim 'value' is a value claim, not a loss claim");
    c = load("dnc_K2_L3_n5.json");
    json_object_set_new(tu_claim(c, "order"), "lower", json_string("loss"));   /* version 1's plain id */
    rejects(c, "claims[10].lower: expected an object");
    c = load("dnc_K2_L3_n5.json");
    json_object_set_new(tu_claim(c, "order"), "lower", json_pack("{s:s, s:s}", "loss", "loss", "value", "value"));
    rejects(c, "claims[10].lower: expected {\"value\": ID} or {\"loss\": ID}");
    c = load("dnc_K2_L3_n5.json");
    set_str(tu_claim(c, "order"), "id", "loss");
    rejects(c, "claims: duplicate id 'loss'");
}

/* ---- limits (§9): beyond them a clear error, before any allocation or work ---- */

/* A collapsed point of K = 2, L = 1 and width d, declared with empty terms. */
static json_t *empty_point(json_int_t d)
{
    return json_pack("{s:s, s:{}, s:{s:{s:I, s:i, s:[{s:n, s:[]}]}, s:{s:i, s:I, s:[{s:n, s:[]}]}}}", "layout",
                     "collapsed", "scalars", "blocks", "H1", "rows", d, "cols", 2, "terms", "scale", "entries", "W1",
                     "rows", 2, "cols", d, "terms", "scale", "entries");
}

/* A point declared far beyond the entry limit (N = 2e8 expanded columns), on which no claim
 * does any work: refused by its declared size, before its matrices are allocated. */
Test(limits, declared_sizes_are_checked_before_allocation)
{
    json_t *c = json_pack("{s:s, s:i, s:{}, s:i, s:{s:i, s:[i, i], s:i, s:[i], s:[], s:s, s:s, s:[s]}, "
                          "s:{s:{s:s, s:{}, s:{}}}, s:[{s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s, s:s}}]}",
                          "format", "dncert-certificate", "version", 2, "producer", "precision", 64, "problem",
                          "K", 2, "n", 100000000, 100000000, "L", 1, "width", 1, "activation", "bias", "none",
                          "lambda_h", "1/2", "lambda_w", "1/2", "points", "e", "layout", "expanded", "scalars",
                          "blocks", "claims", "id", "v", "kind", "value", "statement", "", "verdict", "not proven",
                          "structure", "name", "dnc", "value", "lo", "0", "hi", "1");
    rejects(c, "points.e: an expanded point of this problem needs 6e+08 ball entries, which brings the file's "
               "points to more than the limit 4194304 of §9 at 64 bits");
    /* Two points of 4e6 entries each, declared with empty terms: each fits, both do not
     * (found by the hostile review: unused points were allocated whatever their number). */
    c = json_pack("{s:s, s:i, s:{}, s:i, s:{s:i, s:[i, i], s:i, s:[i], s:[], s:s, s:s, s:[s]}, s:{s:o, s:o}, "
                  "s:[{s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s, s:s}}]}",
                  "format", "dncert-certificate", "version", 2, "producer", "precision", 64, "problem",
                  "K", 2, "n", 1, 1, "L", 1, "width", 1000000, "activation", "bias", "none", "lambda_h", "1/2",
                  "lambda_w", "1/2", "points", "a", empty_point(1000000), "b", empty_point(1000000), "claims", "id",
                  "v", "kind", "value", "statement", "", "verdict", "not proven", "structure", "name", "dnc", "value",
                  "lo", "0", "hi", "1");
    rejects(c, "points.b: a collapsed point of this problem needs 4e+06 ball entries, which brings the file's points "
               "to more than the limit");
    c = load("ufm_hand.json");   /* a loss claim on a large point: refused by the work estimate */
    json_array_set_new(at(c, "problem.n"), 0, json_integer(100000000));
    rejects(c, "the checks of this file would take about 510 s at 128 bits");
    c = load("ufm_hand.json");
    json_array_set_new(at(c, "problem.width"), 0, json_integer(10000000));
    rejects(c, "problem.width[0]: expected an integer in [1, 1000000], got 10000000");
    c = load("ufm_hand.json");
    json_object_set_new(at(c, "problem"), "K", json_integer(1000000));
    rejects(c, "problem.K: expected an integer in [2, 100000], got 1000000");
}

Test(limits, work_budget)
{
    /* K = 100000 classes with a bias: the secular roots of the deep linear value alone would
     * take ~K^2 bisection steps; the file is refused by its estimate before any of it. */
    json_t *n = json_array(), *lw = json_array(), *p, *c;
    long k;
    for (k = 0; k < 100000; k++)
        json_array_append_new(n, json_integer(1 + k));
    json_array_append_new(lw, json_string("1/100"));
    p = json_pack("{s:i, s:o, s:i, s:[i], s:[], s:s, s:s, s:o}", "K", 100000, "n", n, "L", 1, "width", 100000,
                  "activation", "bias", "free", "lambda_h", "1/100", "lambda_w", lw);
    c = value_cert(p, json_pack("{s:s}", "name", "ufm"), "0.5", "0.5", "not proven");
    cr_assert_eq(run(c), -1);
    HAS(err, "more than the 60 s the format allows (§9)");
    json_decref(c);
    json_decref(p);
}


/* ---- the work of critical_point and kink_multipliers claims (review, 2026-12-06) ---- */

/* A block of r x c zeros (empty terms), or the given dense entries. */
static json_t *zero_block(json_int_t r, json_int_t c, json_t *dense)
{
    return dense != NULL ? json_pack("{s:I, s:I, s:o}", "rows", r, "cols", c, "dense", dense)
                         : json_pack("{s:I, s:I, s:[{s:n, s:[]}]}", "rows", r, "cols", c, "terms", "scale", "entries");
}

/* A certificate of K = 2, n = 1 (N = 2, expanded), ReLU layers of widths w[0..L-1], 64 bits:
 * point z is 0 but for H1 and W1 when given (dense); one critical_point claim "cp" (verdict
 * "not proven", loss [1/2, 1/2]) with no kinks, the dead units of the layers from dl0 to dl1
 * (all their units; none when dl0 = 0) besides extra_dead, the rotations gens and the partial
 * rotations pgens (NULL: none); then nkm kink_multipliers claims on it. */
static json_t *crit_cert(int L, const json_int_t *w, json_t *h1, json_t *w1, int dl0, int dl1, json_t *extra_dead,
                         json_t *gens, json_t *pgens, int nkm)
{
    json_t *width = json_array(), *act = json_array(), *lw = json_array(), *blocks = json_object(), *dead = json_array();
    json_t *cl, *claims, *c;
    char name[16];
    json_int_t a;
    int l;
    for (l = 0; l < L; l++) {
        json_array_append_new(width, json_integer(w[l]));
        json_array_append_new(lw, json_string("1/250"));
        if (l > 0)
            json_array_append_new(act, json_string("relu"));
    }
    json_object_set_new(blocks, "H1", zero_block(w[0], 2, h1));
    for (l = 1; l <= L; l++) {
        snprintf(name, sizeof(name), "W%d", l);
        json_object_set_new(blocks, name, zero_block(l < L ? w[l] : 2, w[l - 1], l == 1 ? w1 : NULL));
    }
    for (l = dl0; dl0 > 0 && l <= dl1; l++)
        for (a = 0; a < w[l - 1]; a++)
            json_array_append_new(dead, json_pack("[i, I]", l, a));
    if (extra_dead != NULL) {
        json_array_extend(dead, extra_dead);
        json_decref(extra_dead);
    }
    cl = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:[], s:[], s:o, s:o, s:{s:s, s:s}}", "id", "cp", "kind",
                   "critical_point", "statement", "", "verdict", "not proven", "point", "z", "radius_log2", -16,
                   "kinks", "multipliers", "generators", gens != NULL ? gens : json_array(), "dead_units", dead, "loss",
                   "lo", "1/2", "hi", "1/2");
    if (pgens != NULL)
        json_object_set_new(cl, "partial_generators", pgens);
    claims = json_pack("[o]", cl);
    for (l = 0; l < nkm; l++) {
        snprintf(name, sizeof(name), "km%d", l);
        json_array_append_new(claims, json_pack("{s:s, s:s, s:s, s:s, s:s, s:[]}", "id", name, "kind", "kink_multipliers",
                                                "statement", "", "verdict", "not proven", "critical_point", "cp", "slopes"));
    }
    c = json_pack("{s:s, s:i, s:{}, s:i, s:{s:i, s:[i, i], s:i, s:o, s:o, s:s, s:s, s:o}, s:{s:{s:s, s:{}, s:o}}, s:o}",
                  "format", "dncert-certificate", "version", 2, "producer", "precision", 64, "problem", "K", 2, "n", 1, 1,
                  "L", L, "width", width, "activation", act, "bias", "none", "lambda_h", "1/250", "lambda_w", lw, "points",
                  "z", "layout", "expanded", "scalars", "blocks", blocks, "claims", claims);
    cr_assert(c != NULL);
    return c;
}

/* Dead units filling two adjacent layers: the entries of W_2 between them are parameters of a
 * dead unit of layer 2 (its out-column) and of one of layer 3 (its in-row). The estimate
 * subtracted them once per unit, twice in all, and put the unknowns at 0 (2400 free entries of
 * H1 against 50 x 50 entries subtracted twice): a few milliseconds, while the checker ran 2400
 * tangent passes and Krawczyk on a 2400 x 2400 system (a minute here; cubic in d_1). Counted
 * once, the file is refused before any check. (The timeout fails the test if the checks run.) */
Test(limits, critical_point_dead_units_counted_once, .timeout = 30)
{
    const json_int_t w[] = { 1200, 50, 50 };
    rejects(crit_cert(3, w, NULL, NULL, 2, 3, NULL, NULL, NULL, 0), "the checks of this file would take about");
}

/* kink_multipliers claims were not counted at all: each one decides the pattern on the box and
 * runs a backward pass over the point of its critical_point claim. 150 of them on a point of
 * three layers of 600 units (every unit dead, so the critical_point claim itself is cheap) took
 * about a minute; a file of 100 000 claims would take hours. */
Test(limits, kink_multipliers_claims_counted, .timeout = 30)
{
    const json_int_t w[] = { 600, 600, 600 };
    rejects(crit_cert(3, w, NULL, NULL, 1, 3, NULL, NULL, NULL, 150), "the checks of this file would take about");
}

/* A pass of the checker copies every block several times (its products and the weight decay):
 * with two columns that, not the products, is its cost, and it was not counted. H1 of 300 x 2
 * free entries (600 passes) on layers of 600 dead units: estimated at about 25 s, checked in
 * minutes. */
Test(limits, critical_point_pass_counts_the_blocks, .timeout = 30)
{
    const json_int_t w[] = { 300, 600, 600 };
    rejects(crit_cert(3, w, NULL, NULL, 2, 3, NULL, NULL, NULL, 0), "the checks of this file would take about");
}

/* A partial rotation builds d_1 x d_1 projectors (products of d_1^3 steps, twice per
 * generator), which were not counted: two partial rotations on layer 1 of width 1600 (units 0
 * and 1 live, the others dead: 8 unknowns) took minutes; at width 10^5 the projectors alone do
 * not fit in memory. */
Test(limits, partial_rotation_projector_counted, .timeout = 30)
{
    const json_int_t w[] = { 1600, 1 };
    json_t *h1 = json_array(), *w1 = json_array(), *dead = json_array();
    json_int_t i;
    for (i = 0; i < 2 * w[0]; i++)   /* column-major: x_0 = (1, 1/2, 0, ...), x_1 = (1/2, 1, 0, ...) */
        json_array_append_new(h1, json_string(i == 0 || i == w[0] + 1 ? "1" : i == 1 || i == w[0] ? "1/2" : "0"));
    for (i = 0; i < w[0]; i++)
        json_array_append_new(w1, json_string(i < 2 ? "1" : "0"));
    for (i = 2; i < w[0]; i++)
        json_array_append_new(dead, json_pack("[i, I]", 1, i));
    rejects(crit_cert(2, w, h1, w1, 0, 0, dead, NULL, json_pack("[[i, i, i], [i, i, i]]", 0, 1, 0, 0, 1, 1), 0),
            "the checks of this file would take about");
}

/* The slice's generators were held as an n x q matrix over all parameters (and twice more for
 * the Gram matrix), n counting the dead units' parameters: 45 rotations of H1 on a point whose
 * two dead layers of 500 units make n about 2.6e5 took 1.7 GB and a q^2 n product. Only the free
 * parameters' entries are kept now (the generators vanish on the others): a few hundred MB. */
Test(limits, critical_point_generators_over_the_free_parameters, .timeout = 30)
{
    const json_int_t w[] = { 10, 500, 500 };
    json_t *h1 = json_array(), *gens = json_array();
    struct rusage ru;
    int a, b;
    for (a = 0; a < 2 * w[0]; a++)
        json_array_append_new(h1, json_string(a % 3 == 0 ? "1" : a % 3 == 1 ? "-1/2" : "1/4"));
    for (a = 0; a < w[0]; a++)
        for (b = a + 1; b < w[0]; b++)
            json_array_append_new(gens, json_pack("[i, i, i]", 1, a, b));
    {
        json_t *c = crit_cert(3, w, h1, NULL, 2, 3, NULL, gens, NULL, 0);
        cr_assert_eq(run(c), 0, "%s", err);
        json_decref(c);
    }
    cr_assert_eq(getrusage(RUSAGE_SELF, &ru), 0);
    cr_expect_lt(ru.ru_maxrss, 1L << 20, "the check took %ld kB", (long) ru.ru_maxrss);
}
Test(limits, long_strings)
{
    char *big = malloc(1000002);
    json_t *c = load("ufm_hand.json");
    memset(big, '7', 1000000);
    big[1000000] = '\0';
    set_str(at(tu_claim(c, "loss"), "loss"), "hi", big);
    rejects(c, "claims[0].loss.hi: not a rational string within the limits of §3 (at most 10000 characters");
    c = load("ufm_hand.json");
    set_str(at(tu_claim(c, "loss"), "loss"), "hi", "1e100000");
    rejects(c, "claims[0].loss.hi: not a rational string within the limits");
    c = load("ufm_hand.json");
    set_str(at(tu_claim(c, "loss"), "loss"), "hi", "0x1p-70000");
    rejects(c, "claims[0].loss.hi: not a rational string within the limits");
    c = load("ufm_hand.json");   /* 9999 digits are within the limit and parse exactly */
    big[9999] = '\0';
    set_str(at(tu_claim(c, "loss"), "loss"), "hi", big);
    cr_assert_eq(run(c), 0, "%s", err);
    json_decref(c);
    free(big);
}

/* Weight decays of 10000 digits each: their product is a constant of about 33000 bits per
 * layer. Beyond 2^20 bits together the file is refused; below, the checker derives the DNC
 * value by bisection in balls and compares root polynomials only when the sizes allow a
 * match, so neither takes long. */
static json_t *tiny_lambda_problem(int L)
{
    json_t *lw = json_array(), *w = json_array(), *act = json_array(), *p;
    int l;
    for (l = 0; l < L; l++) {
        json_array_append_new(lw, json_string("1e-10000"));
        json_array_append_new(w, json_integer(2));
        if (l + 1 < L)
            json_array_append_new(act, json_string("relu"));
    }
    p = json_pack("{s:i, s:[i, i], s:i, s:o, s:o, s:s, s:s, s:o}", "K", 2, "n", 1, 1, "L", L, "width", w,
                  "activation", act, "bias", "none", "lambda_h", "1e-10000", "lambda_w", lw);
    return p;
}

Test(limits, huge_weight_decays)
{
    json_t *p = tiny_lambda_problem(40), *c;
    c = value_cert(p, json_pack("{s:s}", "name", "dnc"), "0", "1", "certified");
    rejects(c, "problem: the weight decays have");
    json_decref(p);
    p = tiny_lambda_problem(20);   /* c* = 1 - 10^-(about 10000): the value is 10^-10000-ish */
    c = value_cert(p, json_pack("{s:s}", "name", "dnc"), "0", "1e-70", "certified");
    json_array_append_new(json_object_get(c, "claims"),
                          json_pack("{s:s, s:s, s:s, s:s, s:{s:s}, s:s, s:[s, s, s], s:{s:s, s:s}}", "id", "r", "kind",
                                    "root", "statement", "", "verdict", "not proven", "structure", "name", "dnc",
                                    "block", "dnc", "polynomial", "-1", "0", "1", "interval", "lo", "0.99", "hi", "1"));
    cr_assert_eq(run(c), 0, "%s%s", err, report);
    json_decref(c);
    json_decref(p);
}

/* Found by the hostile review: a midpoint-radius decimal "[0.5 +/- 1e-70]" for the DNC value
 * 0.02385... passed, since such texts were not checked. */
Test(limits, misleading_ball_decimal)
{
    json_t *c = load("dnc_K2_L3_n5.json");
    set_str(at(tu_claim(c, "value"), "value"), "decimal", "[0.5 +/- 1e-70]");
    rejects(c, "value.decimal: '[0.5 +/- 1e-70]' contradicts [lo, hi]");
    c = load("dnc_K2_L3_n5.json");
    set_str(at(tu_claim(c, "value"), "value"), "decimal", "[0.0238535931285789 +/- 1e-15]");
    cr_assert_eq(run(c), 0, "%s", err);
    set_str(at(tu_claim(c, "value"), "value"), "decimal", "[0.02 x 1]");
    rejects(c, "contradicts [lo, hi]");
}

/* Found by the hostile review: exact patterns whose entries have many distinct denominators
 * (1/p for distinct primes p) made the exact pass quadratic in memory (4.5 GB for d = 32000),
 * and 11-character entries 0x1p-65536 cost 8 KiB each when the patterns were kept. Now the
 * pass runs on integers over a bounded common denominator: beyond it, "not proven", quickly. */
Test(limits, exact_pattern_sizes)
{
    const slong d = 3000;
    json_t *h = json_array(), *w = json_array(), *c;
    slong i, prime = 2;
    char buf[32];
    for (i = 0; i < d; i++) {
        json_array_append_new(h, json_pack("[I, I, s]", (json_int_t) i, (json_int_t) (i % 2), "1"));
        do   /* the next prime */
            prime++;
        while (!n_is_prime((ulong) prime));
        snprintf(buf, sizeof(buf), "1/%ld", (long) prime);
        json_array_append_new(w, json_pack("[I, I, s]", (json_int_t) (i % 2), (json_int_t) i, buf));
    }
    c = json_pack("{s:s, s:i, s:{}, s:i, s:{s:i, s:[i, i], s:i, s:[I, i], s:[s], s:s, s:s, s:[s, s]}, "
                  "s:{s:{s:s, s:{}, s:{s:{s:I, s:i, s:[{s:n, s:o}]}, s:{s:i, s:I, s:[{s:n, s:o}]}, "
                  "s:{s:i, s:i, s:[s, s, s, s]}}}}, s:[{s:s, s:s, s:s, s:s, s:s, s:s, s:i}]}",
                  "format", "dncert-certificate", "version", 2, "producer", "precision", 64, "problem", "K", 2, "n",
                  1, 1, "L", 2, "width", (json_int_t) d, 2, "activation", "relu", "bias", "none", "lambda_h", "1/250",
                  "lambda_w", "1/250", "1/250", "points", "p", "layout", "collapsed", "scalars", "blocks", "H1",
                  "rows", (json_int_t) d, "cols", 2, "terms", "scale", "entries", h, "W1", "rows", 2, "cols",
                  (json_int_t) d, "terms", "scale", "entries", w, "W2", "rows", 2, "cols", 2, "dense", "1", "0", "0", "1",
                  "claims", "id", "f", "kind", "structure", "statement", "", "verdict", "not proven", "point", "p",
                  "fact", "relu_inactive", "layer", 2);
    cr_assert(c != NULL);
    cr_assert_eq(run(c), 0, "%s%s", err, report);
    HAS(report, "exceed the size bounds of the exact check");
    json_decref(c);
}

Test(limits, json_values)
{
    char dir[256], path[300];
    FILE *f;
    long i;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/many.json", dir);
    f = fopen(path, "w");
    fputs("{\"format\": \"dncert-certificate\", \"version\": 2, \"x\": [0", f);
    for (i = 0; i < (1L << 22); i++)
        fputs(",0", f);
    fputs("]}", f);
    fclose(f);
    cr_assert_eq(dncv_verify_file(path, 64, 0, NULL, NULL, err, sizeof(err)), -1);
    HAS(err, "JSON values, the limit of the format (§9)");
    remove(path);
    remove(dir);
}

Test(limits, requested_precision)
{
    json_t *c = load("ufm_hand.json");
    cr_assert_eq(run_flags(c, 8192, 0), -1);
    HAS(err, "precision: at most 4096 bits");
    json_decref(c);
}

/* ---- files: JSON errors with line and column ---- */

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "w");
    cr_assert(f != NULL);
    fwrite(text, 1, len, f);
    fclose(f);
}

Test(verify, truncated_and_duplicate_keys)
{
    char dir[256], path[300];
    json_t *c = load("ufm_hand.json");
    char *text = json_dumps(c, JSON_INDENT(1));
    tu_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/cert.json", dir);
    write_file(path, text, strlen(text) / 2);
    cr_assert_eq(dncv_verify_file(path, 64, 0, NULL, NULL, err, sizeof(err)), -1);
    HAS(err, "invalid JSON at line ");
    write_file(path, "{\"version\": 2, \"version\": 2}", 29);
    cr_assert_eq(dncv_verify_file(path, 64, 0, NULL, NULL, err, sizeof(err)), -1);
    HAS(err, "duplicate object key");
    cr_assert_eq(dncv_verify_file("/nonexistent/cert.json", 64, 0, NULL, NULL, err, sizeof(err)), -1);
    HAS(err, "cannot read the file");
    free(text);
    json_decref(c);
    remove(path);
    remove(dir);
}

/* ---- the commands: dncert-verify and dncert verify run the same code ---- */

Test(verify, command_line)
{
    static char out[1 << 16], errs[1 << 14];
    char dir[256], path[300];
    json_t *c = load("ufm_hand.json");
    const char *ok[] = { DATA "ufm_hand.json", DATA "rules.json", NULL };
    const char *ok2[] = { "verify", DATA "ufm_hand.json", DATA "rules.json", NULL };
    const char *quiet[] = { "--quiet", "--prec", "200", DATA "rules.json", NULL };
    const char *none[] = { NULL };
    const char *badprec[] = { "--prec", "10", DATA "rules.json", NULL };
    const char *badopt[] = { "--precision", "100", DATA "rules.json", NULL };
    const char *missing[] = { DATA "rules.json", "/nonexistent/c.json", NULL };
    const char *tampered[] = { DATA "rules.json", path, NULL };
    const char *help[] = { "--help", NULL };
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, errs, sizeof(out), ok), 0, "%s%s", out, errs);
    HAS(out, "ufm_hand.json: tie alive not proven OK\n");
    HAS(out, "ufm_hand.json: 10 claims, 4 certified, 6 not proven, 0 mismatches (128 bits): OK\n");
    cr_assert_eq(tu_run(out, errs, sizeof(out), ok2), 0, "%s%s", out, errs);
    HAS(out, "ufm_hand.json: 10 claims, 4 certified, 6 not proven, 0 mismatches (128 bits): OK\n");
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, errs, sizeof(out), quiet), 0);
    cr_assert(strstr(out, " alive ") == NULL && strstr(out, "verified 1 file, ") != NULL
              && strstr(out, "every verdict re-checks\n") != NULL, "quiet printed claims:\n%s", out);
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, errs, sizeof(out), none), 2);
    HAS(errs, "expected at least one certificate FILE");
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, errs, sizeof(out), badprec), 2);
    HAS(errs, "--prec: expected an integer in [64, 4096], got '10'");
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, errs, sizeof(out), badopt), 2);
    HAS(errs, "unknown option '--precision'");
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, errs, sizeof(out), missing), 2);
    HAS(errs, "/nonexistent/c.json: cannot read the file");
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, errs, sizeof(out), help), 0);
    HAS(out, "Usage: dncert-verify FILE...");
    tu_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/t.json", dir);
    set_str(tu_claim(c, "loss"), "verdict", "not proven");
    json_dump_file(c, path, 0);
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, errs, sizeof(out), tampered), 1);
    HAS(out, "rules.json: 10 claims, 5 certified, 5 not proven, 0 mismatches (128 bits): OK\n");
    HAS(out, "t.json: loss loss certified MISMATCH (the file says not proven)\n");
    HAS(out, "t.json: 10 claims, 4 certified, 6 not proven, 1 mismatch (128 bits): FAILED\n");
    write_file(path, "{\"format\": ", 11);
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, errs, sizeof(out), tampered), 1);
    HAS(errs, "t.json: invalid JSON at line 1, column");
    HAS(out, "t.json: REJECTED (invalid JSON");
    json_decref(c);
    remove(path);
    remove(dir);
}
