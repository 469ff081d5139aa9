/* Hand-made kinked critical points whose multipliers are known (docs/refine.md §7.5, issue 10):
 * two three-class networks (K = 3, n = 1, L = 2, widths 3, 3, ReLU, free bias) built so that
 * every unit of the ReLU layer has exactly one kink, at the sample after its own. Example A is
 * a KKT point on its pattern manifold with t_e = 1/4 at every kink: critical_point and
 * kink_multipliers must be certified, with the hand values inside the enclosures. Example B is
 * a KKT point with t_e = -1 (a kink that is not stationary): critical_point must be certified,
 * kink_multipliers must come out "not proven", and a copy forged to say certified must be
 * refused by both checkers. Every reference value below is derived by hand in §7.5. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <flint/fmpq_vec.h>
#include <arf.h>
#include "dncert/io.h"
#include "dncert/objective.h"
#include "dncert/rundir.h"
#include "testutil.h"
#include "critical_util.h"


/* The bits of the point given to the certifier: its kink entries are then about 2^-500,
 * far below the pattern's threshold 2^(-prec/2) (prec = 256). */
#define KINK_BITS 512

enum { EXAMPLE_A, EXAMPLE_B };

/* The problem of the example: λ_H, λ_1, λ_2 of §7.5 (A: 1/24, 1/24, 1/3; B: 1/12, 1/36, 1/3). */
static void kink_problem(dnc_problem_t p, int ex)
{
    tu_problem_lambdas(p, "3", "1", "2", "3,3", "relu", "free", NULL, ex == EXAMPLE_A ? "1/24" : "1/12",
                       ex == EXAMPLE_A ? "1/24,1/3" : "1/36,1/3");
}

/* U[a][j] of §7.5: the pre-activation of unit a on sample j, 1 or 0 (the kink, j = a + 1) or
 * -1; A: (1, 0, 1) at j = a, a + 1, a + 2; B: (1, 0, -1). */
static int pre(int ex, slong a, slong j)
{
    slong d = (j - a + 3) % 3;
    return d == 0 ? 1 : d == 1 ? 0 : ex == EXAMPLE_A ? 1 : -1;
}

/* th (trainer layout) <- the point of the example (§7.5) at prec bits:
 *   A: H1 = C + (√2/3) J, W1 = U + ((√2 - 2)/3) J, W2 = C Uᵀ / 2, b = 1/3;
 *   B: H1 = C, W1 = U, W2 = C / 2, b = 1/3,
 * with C = I - J/3, J the matrix of ones, U the pre-activations above (U = W1 H1). */
static void kink_point(arb_ptr th, const dnc_problem_t p, int ex, slong prec)
{
    slong h = dnc_param_offset(p, 3, DNC_H, 1), w1 = dnc_param_offset(p, 3, DNC_W, 1);
    slong w2 = dnc_param_offset(p, 3, DNC_W, 2), b = dnc_param_offset(p, 3, DNC_B, 0), i, j;
    arb_t s;   /* √2/3 (A), 0 (B) */
    arb_init(s);
    if (ex == EXAMPLE_A) {
        arb_sqrt_ui(s, 2, prec);
        arb_div_ui(s, s, 3, prec);
    }
    for (i = 0; i < 3; i++)
        for (j = 0; j < 3; j++) {
            arb_ptr x = th + h + i + 3 * j, y = th + w1 + i + 3 * j, z = th + w2 + i + 3 * j;
            arb_set_si(x, i == j ? 2 : -1);   /* C */
            arb_div_ui(x, x, 3, prec);
            arb_add(x, x, s, prec);
            arb_set_si(y, 3 * pre(ex, i, j) - (ex == EXAMPLE_A ? 2 : 0));   /* U (B), U - (2/3) J + (√2/3) J (A) */
            arb_div_ui(y, y, 3, prec);
            arb_add(y, y, s, prec);
            arb_set_si(z, ex == EXAMPLE_A ? 3 * pre(ex, j, i) - 2 : i == j ? 2 : -1);   /* 3 (C Uᵀ)[i][j] (A), 3 C (B) */
            arb_div_ui(z, z, 6, prec);
        }
    for (i = 0; i < 3; i++) {
        arb_one(th + b + i);
        arb_div_ui(th + b + i, th + b + i, 3, prec);
    }
    arb_clear(s);
}

/* DIR/run: the example's point rounded to KINK_BITS-bit dyadics (point-exact.json) and to
 * double (the arrays), for `certify-point --critical`; the dyadics into *exact. */
static void kink_run(char *run, size_t len, const char *dir, dnc_problem_t p, int ex, fmpq **exact)
{
    slong n = dnc_param_offset(p, 3, DNC_NKINDS, 0), i;
    arb_ptr th = _arb_vec_init(n);
    double *d = malloc(n * sizeof(double));
    arf_t m;
    json_t *doc;
    char path[400];
    arf_init(m);
    kink_point(th, p, ex, 2 * KINK_BITS);
    *exact = _fmpq_vec_init(n);
    for (i = 0; i < n; i++) {
        arf_set_round(m, arb_midref(th + i), KINK_BITS, ARF_RND_NEAR);
        arf_get_fmpq(*exact + i, m);
        d[i] = arf_get_d(m, ARF_RND_NEAR);
    }
    tu_save_run(run, len, dir, p, d);
    doc = dnc_point_exact_json(p, *exact, KINK_BITS, "docs/refine.md §7.5");
    snprintf(path, sizeof(path), "%s/point-exact.json", run);
    cr_assert_eq(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
    arf_clear(m);
    free(d);
    _arb_vec_clear(th, n);
}

/* x -> the rational string s, or the test fails. */
static void q_of(fmpq_t x, const char *s)
{
    cr_assert(s != NULL);
    cr_assert_eq(dnc_parse_rational(x, s), 0, "%s", s);
}

/* 1 iff |d| < 2^-100 (d is changed). */
static int tiny(fmpq_t d)
{
    fmpq_abs(d, d);
    fmpq_mul_2exp(d, d, 100);
    return fmpz_cmp(fmpq_numref(d), fmpq_denref(d)) < 0;
}

/* 1 iff lo <= x <= hi for the interval {"lo", "hi"} iv, and hi - lo < 2^-100. */
static int tight_in(const json_t *iv, const fmpq_t x)
{
    fmpq_t lo, hi;
    int ok;
    fmpq_init(lo);
    fmpq_init(hi);
    q_of(lo, json_string_value(json_object_get(iv, "lo")));
    q_of(hi, json_string_value(json_object_get(iv, "hi")));
    ok = fmpq_cmp(lo, x) <= 0 && fmpq_cmp(x, hi) <= 0;
    fmpq_sub(hi, hi, lo);
    ok = tiny(hi) && ok;
    fmpq_clear(lo);
    fmpq_clear(hi);
    return ok;
}

/* 1 iff the rational string s is within 2^-100 of x. */
static int near(const char *s, const fmpq_t x)
{
    fmpq_t y;
    int ok;
    fmpq_init(y);
    q_of(y, s);
    fmpq_sub(y, y, x);
    ok = tiny(y);
    fmpq_clear(y);
    return ok;
}

/* certify-point --critical on the example's point into DIR/c.json; checks the output lines
 * of critical_point and kink_multipliers, the hand values of §7.5 -- the loss 1/3 (fit 1/12,
 * regularisation 1/4) of the exact point and of the critical point, the multipliers mu of the
 * three kinks [2, a, a + 1] -- and that both checkers accept the file. Returns the certificate. */
static json_t *kink_certificate(char *c, size_t len, int ex, const char *km_line, const char *km_t, const char *mu)
{
    static const slong kinks[3][3] = { { 2, 0, 1 }, { 2, 1, 2 }, { 2, 2, 0 } };
    char dir[256], run[300];
    dnc_problem_t p;
    fmpq *exact;
    fmpq_t q;
    json_t *j, *cl;
    slong e;
    kink_problem(p, ex);
    tu_tmpdir(dir, sizeof(dir));
    kink_run(run, sizeof(run), dir, p, ex, &exact);
    snprintf(c, len, "%s/c.json", dir);
    {
        const char *args[] = { "certify-point", run, "--out", c, "--critical", NULL };
        cr_assert_eq(tu_run(out, err, sizeof(out), args), 0, "%s%s", out, err);
        cr_expect(strstr(out, "critical    certified: 36 unknowns (30 free parameters, 3 kinks, 3 symmetry generators") != NULL,
                  "%s", out);
        cr_expect(strstr(out, km_line) != NULL, "no '%s' in\n%s", km_line, out);
        cr_expect(km_t == NULL || strstr(out, km_t) != NULL, "no '%s' in\n%s", km_t, out);
    }
    j = json_load_file(c, 0, NULL);
    cr_assert(j != NULL);
    fmpq_init(q);
    fmpq_set_si(q, 1, 3);   /* §7.5: f = 1/3 at both points */
    cr_expect(tight_in(json_object_get(tu_claim(j, "loss_exact"), "loss"), q), "the exact point's loss is not 1/3");
    cr_expect(tight_in(json_object_get(tu_claim(j, "critical_point"), "loss"), q), "the critical point's loss is not 1/3");
    fmpq_set_si(q, 1, 12);  /* the fit (Z - I = -C/2 at both) */
    cr_expect(tight_in(json_object_get(tu_claim(j, "loss_exact"), "fit"), q), "the fit is not 1/12");
    fmpq_set_si(q, 1, 4);   /* three regularisation terms of 1/12 each */
    cr_expect(tight_in(json_object_get(tu_claim(j, "loss_exact"), "reg"), q), "the regularisation is not 1/4");
    cl = tu_claim(j, "critical_point");
    cr_expect_str_eq(json_string_value(json_object_get(cl, "verdict")), "certified");
    cr_assert_eq(json_array_size(json_object_get(cl, "kinks")), 3);
    q_of(q, mu);
    for (e = 0; e < 3; e++) {
        json_t *k = json_array_get(json_object_get(cl, "kinks"), e);
        cr_expect(json_integer_value(json_array_get(k, 0)) == kinks[e][0]
                  && json_integer_value(json_array_get(k, 1)) == kinks[e][1]
                  && json_integer_value(json_array_get(k, 2)) == kinks[e][2], "kink %ld is not [2, a, a + 1]", (long) e);
        cr_expect(near(json_string_value(json_array_get(json_object_get(cl, "multipliers"), e)), q),
                  "multiplier %ld is not %s", (long) e, mu);
    }
    fmpq_clear(q);
    _fmpq_vec_clear(exact, dnc_param_offset(p, 3, DNC_NKINDS, 0));
    dnc_problem_clear(p);
    both_checkers(c, 0, "critical_point critical_point certified OK", NULL, "the certificate");
    return j;
}

/* The file j with the kink_multipliers claim marked certified and its slopes set to
 * [lo, hi] at every kink, written to DIR/forged.json (DIR: c's directory) into f. */
static void forge(char *f, size_t len, const char *c, json_t *j, const char *lo, const char *hi)
{
    json_t *cl = tu_claim(j, "kink_multipliers"), *sl = json_object_get(cl, "slopes");
    size_t i;
    snprintf(f, len, "%.*s/forged.json", (int) (strrchr(c, '/') - c), c);
    json_object_set_new(cl, "verdict", json_string("certified"));
    for (i = 0; i < json_array_size(sl); i++)
        json_array_set_new(sl, i, json_pack("{s:s, s:s}", "lo", lo, "hi", hi));
    cr_assert_eq(json_dump_file(j, f, 0), 0);
}

/* Example A (§7.5.2): t_e = 1/4 at every kink, G_e = 1/18, mu_e = 1/72. */
Test(kinks, example_a_slopes_one_quarter)
{
    char c[300], f[400];
    json_t *j = kink_certificate(c, sizeof(c), EXAMPLE_A, "kink-mult   certified", NULL, "1/72"), *sl;
    fmpq_t q;
    size_t e;
    fmpq_init(q);
    fmpq_set_si(q, 1, 4);
    sl = json_object_get(tu_claim(j, "kink_multipliers"), "slopes");
    cr_expect_str_eq(json_string_value(json_object_get(tu_claim(j, "kink_multipliers"), "verdict")), "certified");
    cr_assert_eq(json_array_size(sl), 3);
    for (e = 0; e < 3; e++)
        cr_expect(tight_in(json_array_get(sl, e), q), "the certified t_%ld does not enclose 1/4 tightly", (long) e);
    both_checkers(c, 0, "kink_multipliers kink_multipliers certified OK", NULL, "example A");
    /* stated slopes that leave out the true t_e = 1/4 (inside [0, 1], so only the enclosure
     * of mu_e / G_e over the box can refuse them) */
    forge(f, sizeof(f), c, j, "0.3", "1");
    both_checkers(f, 1, "kink_multipliers kink_multipliers not proven MISMATCH", NULL, "slopes [0.3, 1]");
    fmpq_clear(q);
    json_decref(j);
    {   /* exact slopes (format §6.10) are false here (t_e = 1/4): every rotation of units of
         * layer 1 or 2 and every kink rotation of layer 2, claimed as the witness of slope 0 or 1
         * at any kink, is refused */
        const char *vargs[] = { f, NULL };
        static const char *const fam[] = { "generator", "generator", "kink_rotation" };
        slong k, t, w, a, b, accepted = 0;
        for (k = 0; k < 3; k++)
            for (t = 0; t < 2; t++)
                for (w = 0; w < 3; w++)
                    for (a = 0; a < 3; a++)
                        for (b = a + 1; b < 3; b++) {
                            json_t *jj = json_load_file(c, 0, NULL), *km = tu_claim(jj, "kink_multipliers");
                            char iv[8];
                            snprintf(iv, sizeof(iv), "%ld", (long) t);
                            json_object_set_new(km, "verdict", json_string("certified"));
                            json_array_set_new(json_object_get(km, "slopes"), (size_t) k,
                                               json_pack("{s:s, s:s}", "lo", iv, "hi", iv));
                            json_object_set_new(km, "exact_slopes",
                                                json_pack("[{s:I, s:I, s:[I, I, I]}]", "kink", (json_int_t) k, "slope",
                                                          (json_int_t) t, fam[w], (json_int_t) (w == 0 ? 1 : 2),
                                                          (json_int_t) a, (json_int_t) b));
                            cr_assert_eq(json_dump_file(jj, f, 0), 0);
                            json_decref(jj);
                            accepted += tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs) != 1;
                            cr_expect(strstr(out, "kink_multipliers kink_multipliers not proven MISMATCH") != NULL,
                                      "kink %ld slope %ld %s [%ld, %ld]: %s%s", (long) k, (long) t, fam[w], (long) a,
                                      (long) b, out, err);
                        }
        cr_expect_eq(accepted, 0, "%ld false exact slopes accepted", (long) accepted);
    }
}

/* Example B (§7.5.3): a KKT point on M with mu_e = -1/36, G_e = 1/36, so t_e = -1: not
 * stationary. critical_point is certified, kink_multipliers not proven, and forged copies that
 * say certified are refused: with the slopes [0, 1] (the enclosure of t_e = -1 is not inside)
 * and with the slopes [-3/2, -1/2] (the enclosure is inside, but the interval is not in [0, 1]). */
Test(kinks, example_b_not_stationary)
{
    char c[300], f[400];
    json_t *j = kink_certificate(c, sizeof(c), EXAMPLE_B, "kink-mult   not proven: at kink 2 = [2, 2, 0], "
                                 "G_e in [0.027777778 +/- ", "t_e = mu_e / G_e in [-1.0000000 +/- ", "-1/36");
    cr_expect_str_eq(json_string_value(json_object_get(tu_claim(j, "kink_multipliers"), "verdict")), "not proven");
    both_checkers(c, 0, "kink_multipliers kink_multipliers not proven OK", NULL, "example B");
    forge(f, sizeof(f), c, j, "0", "1");
    both_checkers(f, 1, "kink_multipliers kink_multipliers not proven MISMATCH", NULL, "B forged certified, slopes [0, 1]");
    forge(f, sizeof(f), c, j, "-3/2", "-1/2");
    both_checkers(f, 1, "kink_multipliers kink_multipliers not proven MISMATCH", NULL, "B forged certified, slopes [-3/2, -1/2]");
    json_decref(j);
}

/* d_stationary (format §6.14, docs/refine.md §7.17) at the hand-made kinks of §7.5. Example A:
 * one kink layer, t_e = 1/4 and G_e = 1/18 > 0 by hand, so every term G_e max(0, w) - mu_e w
 * = (1/18)(max(0, w) - w/4) is >= 0: d-stationary (and yet a saddle of f, see below), certified
 * by the producer and both checkers. Example B: t_e = -1 (mu_e = -1/36 < 0 < G_e = 1/36), which
 * by hand is not d-stationary (docs/refine.md §7.5.3 gives the descent direction); the claim
 * is not proven because kink_multipliers is not, and a copy marked certified is refused. */
Test(kinks, d_stationary_at_example_a_not_at_b)
{
    char c[300], f[400];
    json_t *j = kink_certificate(c, sizeof(c), EXAMPLE_A, "kink-mult   certified", NULL, "1/72");
    cr_expect_str_eq(json_string_value(json_object_get(tu_claim(j, "d_stationary"), "verdict")), "certified");
    json_decref(j);
    both_checkers(c, 0, "d_stationary d_stationary certified OK", NULL, "example A");
    j = kink_certificate(c, sizeof(c), EXAMPLE_B, "kink-mult   not proven", NULL, "-1/36");
    cr_expect_str_eq(json_string_value(json_object_get(tu_claim(j, "d_stationary"), "verdict")), "not proven");
    both_checkers(c, 0, "d_stationary d_stationary not proven OK", NULL, "example B");
    snprintf(f, sizeof(f), "%.*s/forged-d.json", (int) (strrchr(c, '/') - c), c);
    forged_refused(j, f, "d_stationary", NULL, "claim kink_multipliers is not certified");
}

/* The file c with claim `id` (of the same kind) marked certified after edit(j) changed one
 * thing; both checkers refuse it and name `why`. (For strict_local_min_of_f, format §6.13: the
 * conditions on the file are checked before the verdicts, so each edit shows the condition it
 * breaks even though strict_local_min is not certified in Example A.) */
static void refuse_claim(const char *c, const char *id, void (*edit)(json_t *j), const char *why)
{
    char f[400];
    json_t *j = json_load_file(c, 0, NULL);
    cr_assert(j != NULL);
    edit(j);
    snprintf(f, sizeof(f), "%.*s/forged-%s.json", (int) (strrchr(c, '/') - c), c, id);
    forged_refused(j, f, id, NULL, why);
}

static void refuse_local_min(const char *c, void (*edit)(json_t *j), const char *why)
{
    refuse_claim(c, "strict_local_min_of_f", edit, why);
}

static void refuse_descent(const char *c, void (*edit)(json_t *j), const char *why)
{
    refuse_claim(c, "descent_direction", edit, why);
}

static void direction_negated(json_t *j) { scale_direction(j, "-1"); }
static void direction_zero(json_t *j) { scale_direction(j, "0"); }
/* The tangent of the rotation of H1 (and W_1) in the plane of features 0 and 1, built exactly
 * from the centre: D_H1 = A H1, D_W1 = -W_1 A with A = E_01 - E_10, the rest 0. Every
 * pre-activation W_1 H1 has derivative exactly 0 at every point, but over the box its enclosure
 * is a ball around 0, so no sign is decided. */
static void direction_rotation(json_t *j)
{
    json_t *pts = json_object_get(j, "points"), *cb = json_object_get(json_object_get(pts, "critical"), "blocks");
    json_t *db = json_object_get(json_object_get(pts, "descent"), "blocks");
    const char *blk[2] = { "H1", "W1" };
    int b;
    scale_direction(j, "0");
    for (b = 0; b < 2; b++) {
        json_t *c = json_object_get(cb, blk[b]), *d = json_object_get(json_object_get(db, blk[b]), "dense");
        slong rows = (slong) json_integer_value(json_object_get(c, "rows")), cols = (slong) json_integer_value(
                         json_object_get(c, "cols")), i, t;
        for (t = 0; t < (b == 0 ? cols : rows); t++)
            for (i = 0; i < 2; i++) {   /* H1: rows 0, 1 of column t; W_1: columns 0, 1 of row t */
                slong from = b == 0 ? (1 - i) + rows * t : t + rows * (1 - i), to = b == 0 ? i + rows * t : t + rows * i;
                char *x = strdup(json_string_value(json_array_get(json_object_get(c, "dense"), (size_t) from)));
                fmpq_t q;
                fmpq_init(q);
                q_of(q, x);
                if (i == 1)   /* (A H1)_0 = H1_1, (A H1)_1 = -H1_0; (-W A)_.0 = W_.1, (-W A)_.1 = -W_.0 */
                    fmpq_neg(q, q);
                free(x);
                x = fmpq_get_str(NULL, 10, q);
                json_array_set_new(d, (size_t) to, json_string(x));
                flint_free(x);
                fmpq_clear(q);
            }
    }
}

static void rate_up_to_0(json_t *j)   /* contains the true rate, but the claim needs hi < 0 */
{
    json_object_set_new(tu_claim(j, "descent_direction"), "rate", json_pack("{s:s, s:s}", "lo", "-1", "hi", "0"));
}

static void rate_missed(json_t *j)    /* below 0, but it leaves out the true rate -1/12 */
{
    json_object_set_new(tu_claim(j, "descent_direction"), "rate", json_pack("{s:s, s:s}", "lo", "-1/20", "hi", "-1/30"));
}

static void critical_forged(json_t *j)   /* the box of claim critical_point made too small to hold the point */
{
    json_object_set_new(tu_claim(j, "critical_point"), "radius_log2", json_integer(-1000));
}

/* descent_direction (format §6.15, docs/refine.md §7.18) at Example B: every multiplier is
 * mu_e = -1/36 < 0 (by hand, §7.5.3), so moving all three kinks into P- lowers f: along a
 * direction D with <grad ubar_e, D> = -1 at each, f'(theta*; D) = <grad f_0, D> = -sum_e mu_e
 * (-1) = 3 (-1/36) = -1/12 (the KKT equation grad f_0 = -sum_e mu_e grad ubar_e; the hand value,
 * up to the double rounding of the producer's direction). Certified by the producer and both
 * checkers, with a rate within 1e-12 of -1/12; refused when marked certified after: D negated
 * (the kinks move into P+, where f grows at (G_e - mu_e) = 1/18 each), D = 0 (the derivative is
 * 0), D a rotation of H1 (the kinks' derivatives are exactly 0, but not decided over the box), a stated
 * rate reaching 0, a stated rate that misses -1/12, and the box of the critical_point claim
 * broken. Example A (every mu_e = 1/72 > 0) gets no such claim. */
Test(kinks, descent_direction_at_example_b)
{
    char c[300];
    json_t *j = kink_certificate(c, sizeof(c), EXAMPLE_A, "kink-mult   certified", NULL, "1/72"), *cl;
    fmpq_t q;
    {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(j, "claims"), i, e)
            cr_expect(strcmp(json_string_value(json_object_get(e, "kind")), "descent_direction") != 0,
                      "example A: a descent claim although every mu_e > 0");
    }
    json_decref(j);
    j = kink_certificate(c, sizeof(c), EXAMPLE_B, "kink-mult   not proven", NULL, "-1/36");
    cl = tu_claim(j, "descent_direction");
    cr_assert(cl != NULL, "example B: no descent_direction claim");
    cr_expect_str_eq(json_string_value(json_object_get(cl, "verdict")), "certified");
    fmpq_init(q);
    fmpq_set_si(q, -1, 12);
    {   /* |rate - (-1/12)| < 1e-12 at both ends */
        fmpq_t lo, hi, d;
        fmpq_init(lo); fmpq_init(hi); fmpq_init(d);
        q_of(lo, json_string_value(json_object_get(json_object_get(cl, "rate"), "lo")));
        q_of(hi, json_string_value(json_object_get(json_object_get(cl, "rate"), "hi")));
        fmpq_set_si(d, 1, 1000000000000);
        fmpq_sub(lo, lo, q); fmpq_sub(hi, hi, q);
        fmpq_abs(lo, lo); fmpq_abs(hi, hi);
        cr_expect(fmpq_cmp(lo, d) < 0 && fmpq_cmp(hi, d) < 0, "the rate is not -1/12 within 1e-12");
        fmpq_clear(lo); fmpq_clear(hi); fmpq_clear(d);
    }
    fmpq_clear(q);
    json_decref(j);
    both_checkers(c, 0, "descent_direction descent_direction certified OK", NULL, "example B");
    refuse_descent(c, direction_negated, "not in");
    refuse_descent(c, direction_zero, "not in");
    refuse_descent(c, direction_rotation, "its sign is not decided");
    refuse_descent(c, rate_up_to_0, "does not lie below 0");
    refuse_descent(c, rate_missed, "not in");
    refuse_descent(c, critical_forged, "claim critical_point is not certified");
}

static void no_edit(json_t *j) { (void) j; }

static void slope_touches_0(json_t *j)   /* 1/4 is still in [0, 1/2]: kink_multipliers stays certified */
{
    json_array_set_new(json_object_get(tu_claim(j, "kink_multipliers"), "slopes"), 0,
                       json_pack("{s:s, s:s}", "lo", "0", "hi", "1/2"));
}

static void slope_touches_1(json_t *j)
{
    json_array_set_new(json_object_get(tu_claim(j, "kink_multipliers"), "slopes"), 1,
                       json_pack("{s:s, s:s}", "lo", "1/8", "hi", "1"));
}

static void multiplier_negative(json_t *j)
{
    json_array_set_new(json_object_get(tu_claim(j, "critical_point"), "multipliers"), 2, json_string("-1/72"));
}

static void generator_of_kinked_units(json_t *j)   /* units 0 and 1 of layer 2 have kinks */
{
    json_array_append_new(json_object_get(tu_claim(j, "critical_point"), "generators"), json_pack("[i, i, i]", 2, 0, 1));
}

static void dead_unit(json_t *j)
{
    json_object_set_new(tu_claim(j, "critical_point"), "dead_units", json_pack("[[i, i]]", 2, 0));
}

static void zero_weight(json_t *j)
{
    json_object_set_new(tu_claim(j, "critical_point"), "zero_weights", json_pack("[[i, i, i]]", 1, 0, 0));
}

static void implied_kink(json_t *j)
{
    json_object_set_new(tu_claim(j, "critical_point"), "implied_kinks", json_pack("[[i, i, i]]", 2, 0, 0));
}

static void kink_rotation(json_t *j)
{
    json_object_set_new(tu_claim(j, "critical_point"), "kink_rotations", json_pack("[[i, i, i]]", 2, 0, 1));
}

static void exact_slope(json_t *j)
{
    json_t *km = tu_claim(j, "kink_multipliers");
    json_array_set_new(json_object_get(km, "slopes"), 0, json_pack("{s:s, s:s}", "lo", "0", "hi", "0"));
    json_object_set_new(km, "exact_slopes", json_pack("[{s:i, s:i, s:[i, i, i]}]", "kink", 0, "slope", 0, "generator",
                                                      1, 0, 1));
}

/* Example A is a KKT point with t_e = 1/4 strictly inside (0, 1) and G_e = 1/18 > 0 at its one
 * kink layer, nothing held -- every condition of format §6.13 but the second order -- and it is
 * a saddle: the Hessian of the Lagrangian has negative eigenvalues on ker C (-0.0683, -0.0683,
 * -0.0571 by PyTorch autograd in double, docs/refine.md §7.16; python/tests/
 * test_independent_local_min.py shows f itself decreasing along that direction in exact
 * rationals). So strict_local_min and strict_local_min_of_f are not proven, and a copy that says
 * certified is refused; so is each copy that breaks one more condition, with that condition as
 * the reason. The certified slopes and multipliers are the hand values of §7.5. */
Test(kinks, example_a_is_a_saddle_not_a_local_min_of_f)
{
    char c[300];
    json_t *j = kink_certificate(c, sizeof(c), EXAMPLE_A, "kink-mult   certified", NULL, "1/72");
    cr_expect_str_eq(json_string_value(json_object_get(tu_claim(j, "strict_local_min"), "verdict")), "not proven");
    cr_expect_str_eq(json_string_value(json_object_get(tu_claim(j, "strict_local_min_of_f"), "verdict")), "not proven");
    json_decref(j);
    both_checkers(c, 0, "strict_local_min_of_f strict_local_min_of_f not proven OK", NULL, "example A");
    refuse_local_min(c, no_edit, "claim strict_local_min is not certified");
    refuse_local_min(c, slope_touches_0, "the stated slope interval of kink 0 is not strictly inside (0, 1)");
    refuse_local_min(c, slope_touches_1, "the stated slope interval of kink 1 is not strictly inside (0, 1)");
    refuse_local_min(c, multiplier_negative, "the multiplier of kink 2 is not positive on the box");
    refuse_local_min(c, generator_of_kinked_units, "generator 3 rotates a unit with a kink");
    refuse_local_min(c, dead_unit, "claim critical_point has dead_units");
    refuse_local_min(c, zero_weight, "claim critical_point has zero_weights");
    refuse_local_min(c, implied_kink, "claim critical_point has implied_kinks");
    refuse_local_min(c, kink_rotation, "claim critical_point has kink_rotations");
    refuse_local_min(c, exact_slope, "claim kink_multipliers has exact_slopes");
}

/* The DNC point K = 3, L = 3 (certificates/critical-points/dnc-K3-L3.json: strict_local_min
 * certified, kinks in layers 2 and 3, nothing held) with a strict_local_min_of_f claim added
 * and marked certified: refused, because the argument of §6.13 needs one kink layer; with the
 * claim pointing at a claim of another kind, or at claims about two different critical_point
 * claims, the file is malformed. */
Test(kinks, local_min_of_f_needs_one_kink_layer)
{
    char dir[256], f[300];
    json_t *j = json_load_file(DNCERT_SOURCE_DIR "/certificates/critical-points/dnc-K3-L3.json", 0, NULL), *cl, *cp;
    cr_assert(j != NULL);
    tu_tmpdir(dir, sizeof(dir));
    snprintf(f, sizeof(f), "%s/f.json", dir);
    cl = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", "local_min", "kind", "strict_local_min_of_f", "statement", "",
                   "verdict", "certified", "strict_local_min", "strict_local_min", "kink_multipliers", "kink_multipliers");
    json_array_append_new(json_object_get(j, "claims"), cl);
    cr_assert_eq(json_dump_file(j, f, 0), 0);
    both_checkers(f, 1, "local_min strict_local_min_of_f not proven MISMATCH", "the kinks lie in more than one layer (2 and 3)",
                  "two kink layers");
    json_object_set_new(cl, "kink_multipliers", json_string("critical_point"));
    cr_assert_eq(json_dump_file(j, f, 0), 0);
    both_checkers(f, 1, "claims[", "is a critical_point claim, not a kink_multipliers claim",
                  "a reference to a claim of another kind");
    json_object_set_new(cl, "kink_multipliers", json_string("km2"));   /* a copy about another critical_point claim */
    cp = json_deep_copy(tu_claim(j, "critical_point"));
    json_object_set_new(cp, "id", json_string("cp2"));
    json_array_append_new(json_object_get(j, "claims"), cp);
    cp = json_deep_copy(tu_claim(j, "kink_multipliers"));
    json_object_set_new(cp, "id", json_string("km2"));
    json_object_set_new(cp, "critical_point", json_string("cp2"));
    json_array_append_new(json_object_get(j, "claims"), cp);
    cr_assert_eq(json_dump_file(j, f, 0), 0);
    both_checkers(f, 1, "are about different critical_point claims", NULL, "claims about two critical points");
    json_decref(j);
}
