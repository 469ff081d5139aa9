/* Forgeries: internally consistent certificates that state false mathematics. Each test
 * takes a committed certificate, edits it the way a forger would (changing every claim that
 * depends on the edit, so that nothing looks inconsistent), and requires dncert-verify to
 * reject it and to name the claim. The first three are the version-1 forgeries of issue 9
 * in their closest version-2 form; docs/verifier.md tabulates them all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "dncert/verify.h"
#include "testutil.h"

#define CERTS DNCERT_SOURCE_DIR "/certificates/"
#define K2 "binary-dnc/grid-L3-n5-lambda1_250.json"     /* K = 2, L = 3: DNC is the global optimum */
#define R5L5 "dnc-vs-srg/triangular-r5-L5.json"         /* K = 10, L = 5: SRG is below DNC */
#define EMB "dnc-vs-srg/embedded-K10.json"              /* SRG(r = 4) embedded in K = 10, L = 4 */
#define LIN "deep-linear/imbalanced-M3-biasfree.json"

static char err[4096];
static char *report;

static void free_report(void)
{
    free(report);
    report = NULL;
}

TestSuite(forgery, .fini = free_report);

static json_t *load(const char *rel)
{
    json_error_t je;
    char path[1024];
    json_t *j;
    snprintf(path, sizeof(path), "%s%s", CERTS, rel);
    j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    cr_assert(j != NULL, "%s: %s", path, je.text);
    return j;
}

static void set_verdict(json_t *c, const char *id, const char *v)
{
    json_object_set_new(tu_claim(c, id), "verdict", json_string(v));
}

/* Sets interval `key` of claim `id` to [lo, hi] (without the decimal, which is checked on
 * its own). */
static void set_iv(json_t *c, const char *id, const char *key, const char *lo, const char *hi)
{
    json_object_set_new(tu_claim(c, id), key, json_pack("{s:s, s:s}", "lo", lo, "hi", hi));
}

static void add_claim(json_t *c, json_t *claim)
{
    json_array_append_new(json_object_get(c, "claims"), claim);
}

static json_t *ref(const char *kind, const char *id)
{
    return json_pack("{s:s}", kind, id);
}

/* The zero point of the certificate's problem, collapsed. */
static json_t *zero_point(const json_t *c)
{
    const json_t *p = json_object_get(c, "problem");
    json_int_t K = json_integer_value(json_object_get(p, "K")), L = json_integer_value(json_object_get(p, "L")), l;
    json_t *blocks = json_object(), *w = json_object_get(p, "width");
    char name[16];
    for (l = 0; l <= L; l++) {
        json_int_t rows = l == 0 ? json_integer_value(json_array_get(w, 0))
                          : l < L ? json_integer_value(json_array_get(w, l)) : K;
        json_int_t cols = l == 0 ? K : json_integer_value(json_array_get(w, l - 1));
        snprintf(name, sizeof(name), l == 0 ? "H1" : "W%d", (int) l);
        json_object_set_new(blocks, name, json_pack("{s:I, s:I, s:[{s:n, s:[]}]}", "rows", rows, "cols", cols,
                                                    "terms", "scale", "entries"));
    }
    return json_pack("{s:s, s:s, s:{}, s:o}", "layout", "collapsed", "note", "named as the forger likes", "scalars",
                     "blocks", blocks);
}

/* Verifies; requires the outcome `want` (1: a claim mismatches, -1: rejected as malformed)
 * and every name in `names` (NULL-terminated) in the report or the message. */
static void rejected(json_t *c, int want, const char *const *names)
{
    int r = tu_verify(c, "forged", 0, DNCV_QUIET, &report, err, sizeof(err));
    cr_expect_eq(r, want, "verify returned %d, wanted %d: %s\n%s", r, want, err, report);
    for (; *names != NULL; names++)
        cr_expect(strstr(report, *names) != NULL || strstr(err, *names) != NULL, "'%s' not named in: %s\n%s", *names,
                  err, report);
    json_decref(c);
}

#define REJECTED(c, want, ...) do { const char *n_[] = { __VA_ARGS__, NULL }; rejected(c, want, n_); } while (0)

/* Sanity: the base certificates verify as committed (otherwise the tests prove nothing). */
Test(forgery, bases_verify)
{
    const char *bases[] = { K2, R5L5, EMB, LIN };
    size_t i;
    for (i = 0; i < 4; i++) {
        json_t *c = load(bases[i]);
        cr_assert_eq(dncv_verify_json(c, bases[i], 0, DNCV_QUIET, NULL, NULL, err, sizeof(err)), 0, "%s: %s", bases[i],
                     err);
        json_decref(c);
    }
}

/* Issue 9, forgery 1: "DNC is not optimal" for K = 2 (where it is), with the zero point
 * (loss 1/2) as the witness. In version 1 the DNC value claim was replaced by a constant
 * term and the DNC point's scalars re-scaled to match; here the forger writes the DNC value
 * as [0.6, 0.7], re-scales the DNC point (a = 2) and restates its loss, and certifies. */
Test(forgery, k2_dnc_not_optimal_with_the_zero_point)
{
    json_t *c = load(K2);
    json_object_set_new(json_object_get(c, "points"), "trained", zero_point(c));
    add_claim(c, json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}}", "id", "loss_trained",
                           "kind", "loss", "statement", "the trained point", "verdict", "certified", "point", "trained",
                           "loss", "lo", "0.49", "hi", "0.51", "fit", "lo", "0.49", "hi", "0.51", "reg", "lo", "0", "hi",
                           "0"));
    set_iv(c, "value_dnc", "value", "0.6", "0.7");
    json_object_set_new(json_object_get(json_object_get(json_object_get(c, "points"), "dnc"), "scalars"), "a",
                        json_pack("{s:s, s:s, s:s}", "kind", "ball", "lo", "2", "hi", "2"));
    set_iv(c, "loss_dnc", "loss", "0", "100");
    set_iv(c, "loss_dnc", "fit", "0", "100");
    set_iv(c, "loss_dnc", "reg", "0", "100");
    set_iv(c, "attained_dnc", "ratio", "0", "1000");
    add_claim(c, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "id", "dnc_not_optimal", "kind", "dnc_not_optimal",
                           "statement", "DNC is not optimal", "verdict", "certified", "lower", ref("loss", "loss_trained"),
                           "higher", ref("value", "value_dnc")));
    REJECTED(c, 1, "value_dnc value not proven MISMATCH", "dnc_not_optimal dnc_not_optimal not proven MISMATCH");
}

/* The same with the DNC value left honest: the zero point is simply not below it. */
Test(forgery, k2_dnc_not_optimal_honest_value)
{
    json_t *c = load(K2);
    json_object_set_new(json_object_get(c, "points"), "trained", zero_point(c));
    add_claim(c, json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}}", "id", "loss_trained",
                           "kind", "loss", "statement", "", "verdict", "certified", "point", "trained", "loss", "lo",
                           "0.49", "hi", "0.51", "fit", "lo", "0.49", "hi", "0.51", "reg", "lo", "0", "hi", "0"));
    add_claim(c, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "id", "dno", "kind", "dnc_not_optimal", "statement", "",
                           "verdict", "certified", "lower", ref("loss", "loss_trained"), "higher",
                           ref("value", "value_dnc")));
    REJECTED(c, 1, "dno dnc_not_optimal not proven MISMATCH", "is not strictly below");
}

/* Issue 9, forgery 2: "DNC strictly better than SRG" at K = 10 (r = 5), L = 5, lambda =
 * 1/250, n = 1 (false: SRG is lower). The forger moves the SRG value above the DNC value,
 * kills the SRG point's H1 (t = 0) so that its loss is large too and restates it, and flips
 * every order, ratio and dnc_not_optimal verdict. */
Test(forgery, dnc_better_than_srg_at_r5_L5)
{
    json_t *c = load(R5L5);
    set_iv(c, "value_srg", "value", "0.3", "0.4");
    json_object_set_new(json_object_get(json_object_get(json_object_get(c, "points"), "srg"), "scalars"), "t",
                        json_pack("{s:s, s:s, s:s}", "kind", "ball", "lo", "0", "hi", "0"));
    set_iv(c, "loss_srg", "loss", "0", "1");
    set_iv(c, "loss_srg", "fit", "0", "1");
    set_iv(c, "loss_srg", "reg", "0", "1");
    set_verdict(c, "order_value_srg_value_dnc", "not proven");
    set_verdict(c, "order_value_dnc_value_srg", "certified");
    set_verdict(c, "dnc_not_optimal_loss_srg_value_dnc", "not proven");
    set_iv(c, "ratio_value_srg_value_dnc", "ratio", "1", "100");
    REJECTED(c, 1, "value_srg value not proven MISMATCH", "order_value_dnc_value_srg order not proven MISMATCH",
             "ratio_value_srg_value_dnc ratio not proven MISMATCH");
}

/* Issue 9, forgery 3: the same false order with no constant term: in version 1 only the
 * weight of the SRG root term changed (1 -> 13/10). Version 2 has no weights: the closest
 * forgeries are a weight field (malformed) and a value claim that names another structure
 * (here "dnc" under the id value_srg) so that the forged order compares DNC with itself. */
Test(forgery, srg_value_weight)
{
    json_t *c = load(R5L5);
    json_object_set_new(tu_claim(c, "value_srg"), "terms", json_pack("[{s:s, s:s}]", "weight", "13/10", "scalar", "c"));
    REJECTED(c, -1, "claims[5]: unknown field 'terms'");
    c = load(R5L5);
    json_object_set_new(tu_claim(c, "value_srg"), "weight", json_string("13/10"));
    REJECTED(c, -1, "claims[5]: unknown field 'weight'");
}

Test(forgery, value_claim_naming_another_structure)
{
    json_t *c = load(R5L5);
    json_object_set(tu_claim(c, "value_srg"), "value", json_object_get(tu_claim(c, "value_dnc"), "value"));
    json_object_set_new(tu_claim(c, "value_srg"), "structure", json_pack("{s:s}", "name", "dnc"));
    set_verdict(c, "order_value_srg_value_dnc", "not proven");
    set_verdict(c, "order_value_dnc_value_srg", "certified");
    set_iv(c, "ratio_value_srg_value_dnc", "ratio", "0.999", "1.001");
    REJECTED(c, 1, "order_value_dnc_value_srg order not proven MISMATCH");
}

/* The version-1 form of forgery 1 (a constant term replacing the DNC value): refused as
 * version 1, whatever it says. */
Test(forgery, version_1_forgery_is_refused)
{
    json_error_t je;
    json_t *c = json_load_file(DNCERT_SOURCE_DIR "/tests/data/verify/v1_binary-dnc_grid-L3-n5.json", 0, &je), *t;
    cr_assert(c != NULL);
    t = json_object_get(tu_claim(c, "value_dnc"), "terms");
    json_array_clear(t);
    json_array_append_new(t, json_pack("{s:s, s:s}", "weight", "1", "constant", "1/100"));
    REJECTED(c, -1, "version: 1 is no longer accepted");
}

/* A root of the wrong polynomial: the DNC polynomial of lambda_H = 1/249 with an interval
 * around its root, in a certificate whose problem has 1/250. */
Test(forgery, root_of_the_wrong_polynomial)
{
    json_t *c = load(K2), *poly = json_object_get(tu_claim(c, "root_dnc_c"), "polynomial");
    /* den(Q)(1-c)^4 c^2 - num(Q), Q = 2^4 * 5 / (249 * 250^3): scale by 249/250 */
    json_int_t k;
    for (k = 0; k < (json_int_t) json_array_size(poly); k++) {
        char *t;
        fmpz_t x;
        fmpz_init(x);
        fmpz_set_str(x, json_string_value(json_array_get(poly, k)), 10);
        fmpz_mul_ui(x, x, k == 0 ? 250 : 249);
        t = fmpz_get_str(NULL, 10, x);
        json_array_set_new(poly, k, json_string(t));
        flint_free(t);
        fmpz_clear(x);
    }
    REJECTED(c, 1, "root_dnc_c root not proven MISMATCH", "not a non-zero multiple");
}

/* The other root of the right polynomial (on the increasing branch of (1-c)^4 c^2). */
Test(forgery, root_on_the_wrong_branch)
{
    json_t *c = load(K2);
    set_iv(c, "root_dnc_c", "interval", "0", "1/3");
    REJECTED(c, 1, "root_dnc_c root not proven MISMATCH", "not a proper part of [(L-1)/(2L), 1]");
}

/* The problem changed consistently everywhere it appears (every weight decay 1/250 -> 1/200),
 * the points and claims kept: every derived and evaluated claim fails. */
Test(forgery, problem_changed_consistently)
{
    json_t *c = load(EMB), *p = json_object_get(c, "problem"), *lw = json_object_get(p, "lambda_w");
    size_t i;
    json_object_set_new(p, "lambda_h", json_string("1/200"));
    for (i = 0; i < json_array_size(lw); i++)
        json_array_set_new(lw, i, json_string("1/200"));
    REJECTED(c, 1, "value_dnc value not proven MISMATCH", "value_srg value not proven MISMATCH",
             "loss_srg loss not proven MISMATCH");
}

/* Imbalanced counts: no DNC structure (and the collapsed point's shapes do not change). */
Test(forgery, counts_made_imbalanced)
{
    json_t *c = load(K2);
    json_array_set_new(json_object_get(json_object_get(c, "problem"), "n"), 0, json_integer(6));
    REJECTED(c, 1, "value_dnc value not proven MISMATCH", "it needs balanced class counts and no bias",
             "alive_dnc alive not proven MISMATCH");
}

/* An alive instance declared dead, with the value 1/2 of a dead family. */
Test(forgery, alive_declared_dead)
{
    json_t *c = load(K2);
    json_object_set_new(tu_claim(c, "alive_dnc"), "decision", json_string("dead"));
    set_iv(c, "value_dnc", "value", "1/2", "1/2");
    set_iv(c, "attained_dnc", "ratio", "0", "1");
    REJECTED(c, 1, "alive_dnc alive not proven MISMATCH", "value_dnc value not proven MISMATCH");
}

/* The SRG point is not stationary (docs/math/srg.md §6): a stationarity claim with every
 * ReLU pre-activation that may vanish listed. */
Test(forgery, srg_point_declared_stationary)
{
    json_t *c = load(R5L5), *kinks = json_array();
    int i, j;
    for (i = 0; i < 10; i++)          /* layer L = 5: ReLU(Mtilde) = I, off-diagonal entries <= 0 */
        for (j = 0; j < 10; j++)
            if (i != j)
                json_array_append_new(kinks, json_pack("[i, i, i]", 5, i, j));
    add_claim(c, json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:o}", "id", "stationary_srg", "kind", "stationarity",
                           "statement", "", "verdict", "certified", "point", "srg", "max_radius_log2", -64, "kinks",
                           kinks));
    REJECTED(c, 1, "stationary_srg stationarity not proven MISMATCH");
}

/* The review's wide box: a in [3, 8] with max radius 2^1000000. */
Test(forgery, stationarity_on_a_wide_box)
{
    json_t *c = load(K2);
    json_object_set_new(json_object_get(json_object_get(json_object_get(c, "points"), "dnc"), "scalars"), "a",
                        json_pack("{s:s, s:s, s:s}", "kind", "ball", "lo", "3", "hi", "8"));
    json_object_set_new(tu_claim(c, "stationarity_dnc"), "max_radius_log2", json_integer(1000000));
    REJECTED(c, -1, "max_radius_log2: expected an integer in [-16384, -64]");
    c = load(K2);
    json_object_set_new(json_object_get(json_object_get(json_object_get(c, "points"), "dnc"), "scalars"), "a",
                        json_pack("{s:s, s:s, s:s}", "kind", "ball", "lo", "3", "hi", "8"));
    set_iv(c, "loss_dnc", "loss", "-1000", "1000");
    set_iv(c, "loss_dnc", "fit", "-1000", "1000");
    set_iv(c, "loss_dnc", "reg", "-1000", "1000");
    set_iv(c, "attained_dnc", "ratio", "-1000000", "1000000");
    REJECTED(c, 1, "stationarity_dnc stationarity not proven MISMATCH", "the box is too wide for the claim");
}

/* dnc_not_optimal that compares with another structure's value, or with a loss. */
Test(forgery, dnc_not_optimal_against_another_value)
{
    json_t *c = load(R5L5);
    json_object_set_new(tu_claim(c, "dnc_not_optimal_loss_srg_value_dnc"), "higher", ref("value", "value_srg"));
    REJECTED(c, -1, "a dnc_not_optimal claim compares with the value of the dnc structure");
    c = load(R5L5);
    json_object_set_new(tu_claim(c, "dnc_not_optimal_loss_srg_value_dnc"), "lower", ref("value", "value_srg"));
    REJECTED(c, -1, "a dnc_not_optimal claim compares a loss claim here");
}

/* An explicit point changed (one entry of the SRG pattern), its loss claim kept. */
Test(forgery, point_entry_changed)
{
    json_t *c = load(R5L5);
    json_t *w4 = json_object_get(json_object_get(json_object_get(json_object_get(c, "points"), "srg"), "blocks"), "W4");
    json_t *entry = json_array_get(json_object_get(json_array_get(json_object_get(w4, "terms"), 0), "entries"), 0);
    json_array_set_new(entry, 2, json_string("-1/3"));
    REJECTED(c, 1, "loss_srg loss not proven MISMATCH");
}

/* A structure fact of the point that is false. */
Test(forgery, structure_fact)
{
    json_t *c = load(R5L5);
    json_object_set_new(tu_claim(c, "rank_pre_srg_L5"), "rank", json_integer(10));
    REJECTED(c, 1, "rank_pre_srg_L5 structure not proven MISMATCH");
}

/* An embedded structure in a problem too small for it. */
Test(forgery, structure_that_does_not_fit)
{
    json_t *c = load(EMB);
    json_object_set_new(json_object_get(tu_claim(c, "value_srg"), "structure"), "r", json_integer(6));
    REJECTED(c, 1, "value_srg value not proven MISMATCH", "its block has 15 classes, more than K = 10");
}

/* An order whose premise is not certified. */
Test(forgery, order_on_an_uncertified_claim)
{
    json_t *c = load(R5L5);
    set_iv(c, "value_dnc", "value", "0.5", "0.6");
    set_verdict(c, "value_dnc", "not proven");
    REJECTED(c, 1, "order_value_srg_value_dnc order not proven MISMATCH", "claim value_dnc is not certified");
}

/* The deep linear value: an interval that misses it by 1e-20. */
Test(forgery, deep_linear_value)
{
    json_t *c = load(LIN), *v = json_object_get(tu_claim(c, "value_optimum"), "value");
    fmpq_t lo, hi, d;
    char *a, *b;
    fmpq_init(lo);
    fmpq_init(hi);
    fmpq_init(d);
    dnc_parse_rational(lo, json_string_value(json_object_get(v, "lo")));
    dnc_parse_rational(hi, json_string_value(json_object_get(v, "hi")));
    dnc_parse_rational(d, "1e-20");
    fmpq_add(lo, lo, d);
    fmpq_add(hi, hi, d);
    a = fmpq_get_str(NULL, 10, lo);
    b = fmpq_get_str(NULL, 10, hi);
    set_iv(c, "value_optimum", "value", a, b);
    flint_free(a);
    flint_free(b);
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpq_clear(d);
    REJECTED(c, 1, "value_optimum value not proven MISMATCH");
}
