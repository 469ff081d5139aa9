/* Helpers of the critical-point tests (test_critical.c, test_critical_fixtures.c, test_kinks.c):
 * certifying a fixture with --critical, editing copies of its claims, and checking that both
 * checkers refuse them. */
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>
#include <flint/fmpq.h>
#include "dncert/exact.h"
#include "dncert/io.h"
#include "testutil.h"
#include "critical_util.h"

char out[1 << 20], err[1 << 16];

void both_checkers(const char *cert, int rc, const char *line, const char *reason, const char *what)
{
    const char *args[] = { "verify", cert, NULL }, *vargs[] = { cert, NULL };
    int got, k;
    for (k = 0; k < 2; k++) {
        got = k == 0 ? tu_run(out, err, sizeof(out), args) : tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs);
        cr_expect_eq(got, rc, "%s: %s exit %d: %s%s", what, k == 0 ? "dncert verify" : "dncert-verify", got, out, err);
        cr_expect(strstr(out, line) != NULL, "%s: no '%s' in %s", what, line, out);
        cr_expect(reason == NULL || strstr(out, reason) != NULL, "%s: no '%s' in %s", what, reason, out);
    }
}

void forged_refused(json_t *j, const char *t, const char *id, const char *line, const char *reason)
{
    char mismatch[160];
    json_object_set_new(tu_claim(j, id), "verdict", json_string("certified"));
    cr_assert_eq(json_dump_file(j, t, 0), 0);
    json_decref(j);
    snprintf(mismatch, sizeof(mismatch), "%s %s not proven MISMATCH", id, id);
    both_checkers(t, 1, line != NULL ? line : mismatch, reason, id);
}

void scale_direction(json_t *j, const char *s)
{
    json_t *blocks = json_object_get(json_object_get(json_object_get(j, "points"), "descent"), "blocks"), *b;
    const char *key;
    fmpq_t q, x;
    fmpq_init(q);
    fmpq_init(x);
    cr_assert_eq(dnc_parse_rational(q, s), 0, "%s", s);
    json_object_foreach(blocks, key, b) {
        json_t *d = json_object_get(b, "dense");
        size_t i;
        for (i = 0; i < json_array_size(d); i++) {
            char *v;
            cr_assert_eq(dnc_parse_rational(x, json_string_value(json_array_get(d, i))), 0);
            fmpq_mul(x, x, q);
            v = fmpq_get_str(NULL, 10, x);
            json_array_set_new(d, i, json_string(v));
            flint_free(v);
        }
    }
    fmpq_clear(q);
    fmpq_clear(x);
}

char *zeros_without(json_t *cl, int l, int only_first)
{
    json_t *z = json_deep_copy(json_object_get(cl, "zero_weights"));
    size_t i = 0;
    char *js;
    while (i < json_array_size(z))
        if (json_integer_value(json_array_get(json_array_get(z, i), 0)) == l) {
            json_array_remove(z, i);
            if (only_first)
                break;
        } else
            i++;
    js = json_dumps(z, JSON_COMPACT);
    json_decref(z);
    return js;
}

/* Both checkers refuse the file, naming the critical_point claim as a mismatch. */
void refused(const char *cert, const char *what)
{
    both_checkers(cert, 1, "critical_point critical_point not proven MISMATCH", NULL, what);
}

/* 1 when the JSON triple a comes before b (by its three numbers). */
int triple_before(const json_t *a, const json_t *b)
{
    int i;
    for (i = 0; i < 3; i++) {
        json_int_t x = json_integer_value(json_array_get(a, i)), y = json_integer_value(json_array_get(b, i));
        if (x != y)
            return x < y;
    }
    return 0;
}

/* The critical_point claim of certificate file c, the whole file loaded into *j (the caller
 * frees it with json_decref). */
json_t *claim_copy(const char *c, json_t **j)
{
    *j = json_load_file(c, 0, NULL);
    return tu_claim(*j, "critical_point");
}

/* The loss of critical_point claim cl agrees with the exact loss of the refined point (the
 * loss_exact claim of certificate j: the full objective at the file's exact entries) to 1e-50. */
void expect_loss_agrees(json_t *j, json_t *cl)
{
    fmpq_t q1, q2;
    arb_t x, y;
    fmpq_init(q1); fmpq_init(q2);
    arb_init(x); arb_init(y);
    cr_assert_eq(dnc_parse_rational(q1, json_string_value(json_object_get(json_object_get(cl, "loss"), "lo"))), 0);
    cr_assert_eq(dnc_parse_rational(q2, json_string_value(json_object_get(json_object_get(tu_claim(j, "loss_exact"), "loss"), "lo"))), 0);
    arb_set_fmpq(x, q1, 600);
    arb_set_fmpq(y, q2, 600);
    arb_sub(x, x, y, 600);
    arb_abs(x, x);
    cr_expect(arb_lt(x, (arb_set_str(y, "1e-50", 600), y)), "the critical point's loss is not within 1e-50 of the refined point's");
    fmpq_clear(q1); fmpq_clear(q2);
    arb_clear(x); arb_clear(y);
}

/* Certifies the run directory run into c (dir/c.json; t = dir/t.json for copies) with
 * --critical: certified, the output holding each of expect (NULL-terminated), and the
 * critical_point confirmed by dncert-verify. */
void certify_fixture(const char *run, char *dir, char *c, char *t, const char *const *expect)
{
    const char *cp[] = { "certify-point", run, "--out", c, "--critical", NULL };
    const char *vargs[] = { c, NULL };
    tu_tmpdir(dir, 256);
    snprintf(c, 300, "%s/c.json", dir);
    snprintf(t, 300, "%s/t.json", dir);
    cr_assert_eq(tu_run(out, err, sizeof(out), cp), 0, "%s%s", out, err);
    cr_expect(strstr(out, "critical    certified") != NULL, "%s", out);
    for (; *expect != NULL; expect++)
        cr_expect(strstr(out, *expect) != NULL, "no \"%s\": %s", *expect, out);
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 0, "%s%s", out, err);
    cr_expect(strstr(out, "critical_point critical_point certified OK") != NULL, "%s", out);
}

/* certify_fixture, and the checker confirms strict_local_min as well. */
void certify_strict_fixture(const char *run, char *dir, char *c, char *t, const char *const *expect)
{
    const char *vargs[] = { c, NULL };
    certify_fixture(run, dir, c, t, expect);
    tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs);
    cr_expect(strstr(out, "strict_local_min strict_local_min certified OK") != NULL, "%s", out);
}

/* Copies of certificate c (into t) with field of its critical_point claim set to each of bad:
 * dncert verify rejects every one, naming the field. */
void malformed_field(const char *c, const char *t, const char *field, const char *const *bad, int nbad)
{
    int k;
    for (k = 0; k < nbad; k++) {
        const char *args[] = { "verify", t, NULL };
        json_t *j, *cl = claim_copy(c, &j);
        json_object_set_new(cl, field, json_loads(bad[k], 0, NULL));
        cr_assert_eq(json_dump_file(j, t, 0), 0);
        json_decref(j);
        cr_expect_neq(tu_run(out, err, sizeof(out), args), 0, "%s accepted: %s", bad[k], out);
        cr_expect(strstr(err, field) != NULL || strstr(out, field) != NULL, "%s: the error does not name the field: %s%s",
                  bad[k], out, err);
    }
}

void drop_second_order(json_t *j)
{
    json_t *claims = json_object_get(j, "claims");
    size_t i = json_array_size(claims);
    while (i-- > 0) {
        const char *id = json_string_value(json_object_get(json_array_get(claims, i), "id"));
        if (strcmp(id, "strict_local_min") == 0 || strcmp(id, "strict_local_min_of_f") == 0)
            json_array_remove(claims, i);
    }
}

/* Certificate j with its critical_point claim edited (the second-order claims, which refer to
 * it, dropped) written to t and freed: both checkers refuse it, and dncert verify --explain
 * gives reason (when not NULL). */
void refused_edited(json_t *j, const char *t, const char *what, const char *reason)
{
    const char *ex[] = { "verify", "--explain", t, NULL };
    drop_second_order(j);
    cr_assert_eq(json_dump_file(j, t, 0), 0);
    json_decref(j);
    refused(t, what);
    if (reason != NULL) {
        tu_run(out, err, sizeof(out), ex);
        cr_expect(strstr(out, reason) != NULL, "%s: no \"%s\" in %s", what, reason, out);
    }
}

/* Copies t of certificate c with one edit of its critical_point claim (and of its point, when
 * entry >= 0: dense entry `entry` of block `blk` set to 0), refused by both checkers, and by
 * dncert verify --explain for a reason containing `reason`. */
void refused_for(const char *c, const char *t, const char *field, const char *value, const char *blk, int entry,
                        const char *reason)
{
    const char *ex[] = { "verify", "--explain", t, NULL };
    json_t *j, *cl = claim_copy(c, &j);
    if (value == NULL)
        json_object_del(cl, field);
    else
        json_object_set_new(cl, field, json_loads(value, 0, NULL));
    if (entry >= 0) {
        json_t *pt = json_object_get(json_object_get(j, "points"), json_string_value(json_object_get(cl, "point")));
        json_array_set_new(json_object_get(json_object_get(json_object_get(pt, "blocks"), blk), "dense"), entry, json_string("0"));
    }
    cr_assert_eq(json_dump_file(j, t, 0), 0);
    json_decref(j);
    refused(t, field);
    tu_run(out, err, sizeof(out), ex);
    cr_expect(strstr(out, reason) != NULL, "%s = %s: no \"%s\" in %s", field, value != NULL ? value : "(none)", reason, out);
}

/* Both checkers refuse the file: exit 1 with the kink_multipliers claim a mismatch (mismatch),
 * or a non-zero exit (the file is malformed). */
void km_refused(const char *cert, const char *what, int mismatch)
{
    const char *args[] = { "verify", cert, NULL }, *vargs[] = { cert, NULL };
    int rc = tu_run(out, err, sizeof(out), args);
    cr_expect(mismatch ? rc == 1 : rc != 0, "%s: dncert verify exit %d: %s%s", what, rc, out, err);
    cr_expect(!mismatch || strstr(out, "kink_multipliers kink_multipliers not proven MISMATCH") != NULL, "%s: %s", what,
              out);
    rc = tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs);
    cr_expect(mismatch ? rc == 1 : rc != 0, "%s: dncert-verify exit %d: %s%s", what, rc, out, err);
    cr_expect(!mismatch || strstr(out, "kink_multipliers kink_multipliers not proven MISMATCH") != NULL, "%s: %s", what,
              out);
}
