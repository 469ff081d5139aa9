/* Certified critical points (docs/refine.md §7): the dual-number backend's Hessian-vector
 * products against finite differences of the ball gradient and as enclosures over a box;
 * Krawczyk on the slice at the DNC point (K = 3, L = 3, width 3), whose loss is checked against
 * the closed form (an independent code path) to 50 digits; its failure modes (a box without a
 * solution, a generator left out) give "not proven". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <criterion/criterion.h>
#include <flint/fmpq_vec.h>
#include "dncert/exact.h"
#include "dncert/io.h"
#include "dncert/refine.h"
#include "dncert/rundir.h"
#include "dncert/train.h"
#include "dncert/verify.h"
#include "testutil.h"
#include "critical_util.h"


/* Slopes of a random pattern (1 where a coin says so) and random seeds, per ReLU layer. */
static void random_pattern(arb_mat_struct *slope, arb_mat_struct *seed, const dnc_problem_struct *p, flint_rand_t st)
{
    slong l, i, j;
    for (l = 0; l <= p->L; l++) {
        slong r = l >= 2 ? p->width[l - 1] : 0;
        arb_mat_init(slope + l, r, r > 0 ? p->N : 0);
        arb_mat_init(seed + l, r, r > 0 ? p->N : 0);
        for (i = 0; i < r; i++)
            for (j = 0; j < p->N; j++) {
                if (n_randint(st, 3) != 0)
                    arb_one(arb_mat_entry(slope + l, i, j));
                if (n_randint(st, 4) == 0)
                    arb_set_d(arb_mat_entry(seed + l, i, j), (double) n_randint(st, 1000) / 1000 - 0.5);
            }
    }
}

/* The dual pass's directional derivative of the gradient equals the central difference
 * quotient of dnc_ball_eval_pattern's gradient to O(h^2); over a box around the point, it
 * encloses the derivative at the centre and at a corner. */
Test(critical, dual_hessian_vector_products)
{
    dnc_problem_t p;
    dnc_bpoint_t x, dx, y;
    dnc_beval_t e, de, e1, e2, eb, deb;
    arb_mat_struct slope[4], seed[4], dseed[4], scratch[4];
    flint_rand_t st;
    slong n, i, l, prec = 256, bad = 0, wide = 0;
    arb_ptr *v, *dv, *w, *g1, *g2, *dg, *dgb;
    arb_t h, q;
    tu_problem(p, "3", "2", "3", "4", "relu", "free", "1/250");
    flint_randinit(st);
    n = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    dnc_bpoint_init(x, p); dnc_bpoint_init(dx, p); dnc_bpoint_init(y, p);
    dnc_beval_init(e); dnc_beval_init(de); dnc_beval_init(e1); dnc_beval_init(e2);
    dnc_beval_init(eb); dnc_beval_init(deb);
    random_pattern(slope, seed, p, st);
    random_pattern(scratch, dseed, p, st);   /* seed directions (the slopes drawn are not used) */
    for (l = 0; l <= 3; l++)
        arb_mat_clear(scratch + l);
    v = flint_malloc(7 * n * sizeof(arb_ptr));
    dv = v + n; w = dv + n; g1 = w + n; g2 = g1 + n; dg = g2 + n; dgb = dg + n;
    dnc_bpoint_entries(v, x);
    dnc_bpoint_entries(dv, dx);
    dnc_bpoint_entries(w, y);
    for (i = 0; i < n; i++) {
        arb_set_d(v[i], (double) n_randint(st, 2000) / 1000 - 1);
        arb_set_d(dv[i], (double) n_randint(st, 2000) / 1000 - 1);
    }
    cr_assert_eq(dnc_ball_eval_dual(e, de, x, dx, slope, seed, dseed, NULL, NULL, prec), 0);
    arb_init(h); arb_init(q);
    arb_one(h);
    arb_mul_2exp_si(h, h, -60);
    /* seeds moved along dseed by +-h, the point along dx by +-h */
    for (l = 2; l <= 3; l++) {
        arb_mat_t s1;
        arb_mat_init(s1, arb_mat_nrows(seed + l), arb_mat_ncols(seed + l));
        arb_mat_scalar_mul_arb(s1, dseed + l, h, prec);
        arb_mat_add(seed + l, seed + l, s1, prec);
        arb_mat_clear(s1);
    }
    for (i = 0; i < n; i++)
        arb_addmul(w[i], dv[i], h, prec), arb_add(w[i], w[i], v[i], prec);
    dnc_ball_eval_pattern(e1, y, slope, seed, NULL, 1, prec);
    for (l = 2; l <= 3; l++) {
        arb_mat_t s1;
        arb_mat_init(s1, arb_mat_nrows(seed + l), arb_mat_ncols(seed + l));
        arb_mat_scalar_mul_arb(s1, dseed + l, h, prec);
        arb_mat_scalar_mul_2exp_si(s1, s1, 1);
        arb_mat_sub(seed + l, seed + l, s1, prec);
        arb_mat_clear(s1);
    }
    for (i = 0; i < n; i++)
        arb_submul(w[i], dv[i], h, prec), arb_submul(w[i], dv[i], h, prec);
    dnc_ball_eval_pattern(e2, y, slope, seed, NULL, 1, prec);
    dnc_bpoint_entries(g1, e1->grad);
    dnc_bpoint_entries(g2, e2->grad);
    dnc_bpoint_entries(dg, de->grad);
    for (i = 0; i < n; i++) {
        arb_sub(q, g1[i], g2[i], prec);
        arb_div(q, q, h, prec);
        arb_mul_2exp_si(q, q, -1);
        arb_sub(q, q, dg[i], prec);
        if (arf_cmpabs_2exp_si(arb_midref(q), -100) >= 0)
            bad++;
    }
    cr_expect_eq(bad, 0, "%ld entries: central difference and dual differ", (long) bad);
    /* over the box x +- 2^-40 the tangent encloses the one at the centre */
    for (i = 0; i < n; i++) {
        arb_set(w[i], v[i]);
        mag_set_ui_2exp_si(arb_radref(w[i]), 1, -40);
    }
    for (l = 2; l <= 3; l++)   /* the seeds back at their centre */
        {
            arb_mat_t s1;
            arb_mat_init(s1, arb_mat_nrows(seed + l), arb_mat_ncols(seed + l));
            arb_mat_scalar_mul_arb(s1, dseed + l, h, prec);
            arb_mat_add(seed + l, seed + l, s1, prec);
            arb_mat_clear(s1);
        }
    cr_assert_eq(dnc_ball_eval_dual(eb, deb, y, dx, slope, seed, dseed, NULL, NULL, prec), 0);
    dnc_bpoint_entries(dgb, deb->grad);
    for (i = 0; i < n; i++)
        wide += !arb_contains(dgb[i], dg[i]) || mag_cmp_2exp_si(arb_radref(dgb[i]), -30) >= 0;
    cr_expect_eq(wide, 0, "%ld entries: the box tangent does not enclose the centre's, or is too wide", (long) wide);
    cr_expect(arb_contains(eb->loss, e->loss));
    for (l = 0; l <= 3; l++) {
        arb_mat_clear(slope + l); arb_mat_clear(seed + l); arb_mat_clear(dseed + l);
    }
    arb_clear(h); arb_clear(q);
    flint_free(v);
    dnc_beval_clear(e); dnc_beval_clear(de); dnc_beval_clear(e1); dnc_beval_clear(e2);
    dnc_beval_clear(eb); dnc_beval_clear(deb);
    dnc_bpoint_clear(x); dnc_bpoint_clear(dx); dnc_bpoint_clear(y);
    flint_randclear(st);
    dnc_problem_clear(p);
}

/* kink_multipliers' identity (format §6.10): at a point where the kink pre-activations are
 * exactly 0 (a zero row of W_1 and of W_2: kinks in both ReLU layers), the seeded pass with
 * seeds mu gives G_e (dnc_ball_eval_pattern_adjoint, read before the slopes), and the plain
 * pass with slopes t_e = mu_e / G_e at the kinks and no seeds gives the same gradient. */
Test(critical, kink_slopes_identity)
{
    dnc_problem_t p;
    dnc_bpoint_t x;
    dnc_beval_t e1, e2;
    arb_mat_struct slope[4], seed[4], adj[4];
    flint_rand_t st;
    slong n, i, j, l, prec = 256, bad = 0, kinks = 0;
    arb_ptr *v, *g1, *g2;
    arb_t d;
    tu_problem(p, "3", "2", "3", "4", "relu", "free", "1/250");
    flint_randinit(st);
    n = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    dnc_bpoint_init(x, p);
    dnc_beval_init(e1); dnc_beval_init(e2);
    arb_init(d);
    v = flint_malloc(3 * n * sizeof(arb_ptr));
    g1 = v + n; g2 = g1 + n;
    dnc_bpoint_entries(v, x);
    for (i = 0; i < n; i++)
        arb_set_d(v[i], (double) n_randint(st, 2000) / 1000 - 1);
    for (j = 0; j < arb_mat_ncols(x->W + 0); j++)   /* unit 1 of layer 2 and unit 2 of layer 3: kinks */
        arb_zero(arb_mat_entry(x->W + 0, 1, j));
    for (j = 0; j < arb_mat_ncols(x->W + 1); j++)
        arb_zero(arb_mat_entry(x->W + 1, 2, j));
    random_pattern(slope, seed, p, st);
    for (l = 0; l <= 3; l++)
        arb_mat_init(adj + l, arb_mat_nrows(slope + l), arb_mat_ncols(slope + l));
    for (l = 2; l <= 3; l++)
        for (i = 0; i < arb_mat_nrows(slope + l); i++)
            for (j = 0; j < p->N; j++) {
                int kink = (l == 2 && i == 1) || (l == 3 && i == 2);
                if (kink) {
                    arb_zero(arb_mat_entry(slope + l, i, j));
                    arb_set_d(arb_mat_entry(seed + l, i, j), (double) (n_randint(st, 1000) + 1) / 1000);
                } else
                    arb_zero(arb_mat_entry(seed + l, i, j));
            }
    dnc_ball_eval_pattern_adjoint(e1, x, slope, seed, adj, prec);
    dnc_bpoint_entries(g1, e1->grad);
    for (l = 2; l <= 3; l++)   /* slopes t_e = mu_e / G_e at the kinks, no seeds */
        for (i = 0; i < arb_mat_nrows(slope + l); i++)
            for (j = 0; j < p->N; j++)
                if ((l == 2 && i == 1) || (l == 3 && i == 2)) {
                    cr_assert(!arb_contains_zero(arb_mat_entry(adj + l, i, j)));
                    arb_div(arb_mat_entry(slope + l, i, j), arb_mat_entry(seed + l, i, j),
                            arb_mat_entry(adj + l, i, j), prec);
                    kinks++;
                }
    dnc_ball_eval_pattern(e2, x, slope, NULL, NULL, 1, prec);
    dnc_bpoint_entries(g2, e2->grad);
    for (i = 0; i < n; i++) {
        arb_sub(d, g1[i], g2[i], prec);
        if (!arb_contains_zero(d) || mag_cmp_2exp_si(arb_radref(d), -200) > 0)
            bad++;
    }
    cr_expect_eq(kinks, 2 * p->N);
    cr_expect_eq(bad, 0, "%ld gradient entries differ between the seeded pass and the t-pass", (long) bad);
    cr_expect(arb_overlaps(e1->loss, e2->loss));
    for (l = 0; l <= 3; l++) {
        arb_mat_clear(slope + l); arb_mat_clear(seed + l); arb_mat_clear(adj + l);
    }
    arb_clear(d);
    flint_free(v);
    dnc_beval_clear(e1); dnc_beval_clear(e2);
    dnc_bpoint_clear(x);
    flint_randclear(st);
    dnc_problem_clear(p);
}

/* The exported DNC point (K = 3, L = 3, width 3), refined at 256 bits: dir/refined. */
static void dnc_refined(char *dir, size_t len, arb_t ref)
{
    const char *cf[] = { "closed-form", "dnc", "--K", "3", "--n", "1", "--L", "3", "--width", "3", NULL };
    char a[300], b[300];
    json_t *j;
    fmpq_t lo, hi;
    tu_tmpdir(dir, len);
    snprintf(a, sizeof(a), "%s/dnc", dir);
    snprintf(b, sizeof(b), "%s/refined", dir);
    cr_assert_eq(tu_run_export(out, err, sizeof(out), cf, a), 0, "%s", err);
    j = json_loads(out, 0, NULL);
    fmpq_init(lo); fmpq_init(hi);
    cr_assert_eq(dnc_parse_rational(lo, json_string_value(json_object_get(json_object_get(j, "loss"), "lo"))), 0);
    cr_assert_eq(dnc_parse_rational(hi, json_string_value(json_object_get(json_object_get(j, "loss"), "hi"))), 0);
    arb_set_fmpq(ref, lo, 600);
    {
        arb_t t;
        arb_init(t);
        arb_set_fmpq(t, hi, 600);
        arb_union(ref, ref, t, 600);
        arb_clear(t);
    }
    fmpq_clear(lo); fmpq_clear(hi);
    json_decref(j);
    {
        const char *args[] = { "refine", a, "--out", b, "--prec", "256", "--quiet", NULL };
        cr_assert_eq(tu_run(out, err, sizeof(out), args), 0, "%s\n%s", out, err);
    }
}

static void load_exact(const char *dir, dnc_problem_t p, fmpq **exact)
{
    double *theta;
    char b[300];
    snprintf(b, sizeof(b), "%s/refined", dir);
    dnc_problem_init(p);
    cr_assert_eq(dnc_point_load(b, p, &theta, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(dnc_point_exact_load(b, p, theta, exact, err, sizeof(err)), 1, "%s", err);
    free(theta);
}

/* dnc_refined, and the paths b = dir/refined, c = dir/c.json, t = dir/t.json (300 bytes each). */
static void dnc_paths(char *dir, char *b, char *c, char *t, arb_t ref)
{
    dnc_refined(dir, 256, ref);
    snprintf(b, 300, "%s/refined", dir);
    snprintf(c, 300, "%s/c.json", dir);
    snprintf(t, 300, "%s/t.json", dir);
}

/* The lower end of critical_point claim cl's loss interval is within 1e-50 of ref (the closed
 * form). */
static void expect_closed_form(json_t *cl, const arb_t ref)
{
    fmpq_t q;
    arb_t d, eps;
    fmpq_init(q);
    arb_init(d); arb_init(eps);
    cr_assert_eq(dnc_parse_rational(q, json_string_value(json_object_get(json_object_get(cl, "loss"), "lo"))), 0);
    arb_set_fmpq(d, q, 600);
    arb_sub(d, d, ref, 600);
    arb_abs(d, d);
    arb_set_str(eps, "1e-50", 600);
    cr_expect(arb_lt(d, eps), "loss interval's lo is not within 1e-50 of the closed form");
    fmpq_clear(q);
    arb_clear(d); arb_clear(eps);
}

Test(critical, dnc_point_certified_loss_50_digits, .timeout = 120)
{
    char dir[256];
    dnc_problem_t p;
    fmpq *exact;
    dnc_critical r;
    arb_t ref, d;
    arb_init(ref); arb_init(d);
    dnc_refined(dir, sizeof(dir), ref);
    load_exact(dir, p, &exact);
    dnc_critical_init(&r);   /* without zero weights: the 12 kinks listed, the 3 rotations of H1 in the slice */
    cr_assert_eq(dnc_critical_certify_zero(&r, exact, p, 256, 0, 0), 0, "%s", r.message);
    cr_expect(r.proven, "%s", r.message);
    cr_expect_eq(r.nkinks, 12);
    cr_expect_eq(r.ngenerators, 3, "%s", r.message);
    arb_sub(d, r.loss, ref, 600);
    cr_expect(tu_rad_below(r.loss, -166), "loss radius %g", mag_get_d(arb_radref(r.loss)));   /* 1e-50 */
    cr_expect(arb_contains_zero(d) || tu_rad_below(d, -166), "loss differs from the closed form");
    {
        arb_t t;
        arb_init(t);
        arb_abs(d, d);
        arb_set_str(t, "1e-50", 600);
        cr_expect(arb_lt(d, t), "loss differs from the closed form by more than 1e-50");
        arb_clear(t);
    }
    /* failure modes: a shifted centre (no solution in the box), a generator left out */
    {
        fmpq_t s;
        fmpq_init(s);
        fmpq_set_si(s, 1, 1);
        fmpq_div_2exp(s, s, 120);
        fmpq_add(r.center + 0, r.center + 0, s);
        cr_expect_eq(dnc_critical_check(&r, p, 256), 0, "a shifted box was certified");
        cr_expect(!r.krawczyk);
        fmpq_sub(r.center + 0, r.center + 0, s);
        cr_expect_eq(dnc_critical_check(&r, p, 256), 1, "the unshifted box again");
        r.ngenerators--;
        cr_expect_eq(dnc_critical_check(&r, p, 256), 0, "a singular system was certified");
        r.ngenerators++;
        fmpq_clear(s);
    }
    dnc_critical_clear(&r);
    _fmpq_vec_clear(exact, dnc_param_offset(p, p->N, DNC_NKINDS, 0));
    dnc_problem_clear(p);
    arb_clear(ref); arb_clear(d);
}

/* certify-point --critical on the refined DNC point: the certificate verifies with both
 * checkers; the loss interval holds the closed-form value; tampered copies are refused. */
Test(critical, certificate_and_tampering, .timeout = 120)
{
    char dir[256], b[300], c[300], t[300];
    json_t *j, *cl;
    arb_t ref;
    arb_init(ref);
    dnc_paths(dir, b, c, t, ref);
    {
        const char *args[] = { "certify-point", b, "--out", c, "--critical", "--no-zero-weights", NULL };
        cr_assert_eq(tu_run(out, err, sizeof(out), args), 0, "%s%s", out, err);
        cr_expect(strstr(out, "critical    certified") != NULL, "%s", out);
        /* kink_multipliers without zero weights: at DNC every mu_e and every G_e is 0 (to ~1e-110
         * at the centre): the balls of G_e contain 0, t_e is not determined by ball arithmetic --
         * not proven (with the zero weights of docs/refine.md §7.13 it is: dnc_zero_features) */
        cr_expect(strstr(out, "kink-mult   not proven: at kink 11 = [3, 2, 1], G_e in [+/-") != NULL, "%s", out);
    }
    {
        const char *args[] = { "verify", c, NULL }, *vargs[] = { c, NULL };
        cr_assert_eq(tu_run(out, err, sizeof(out), args), 0, "%s%s", out, err);
        cr_expect(strstr(out, "critical_point critical_point certified OK") != NULL, "%s", out);
        cr_expect(strstr(out, "kink_multipliers kink_multipliers not proven OK") != NULL, "%s", out);
        cr_expect(strstr(out, "the enclosure of G_e over the box is") != NULL, "%s", out);
        cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 0, "%s%s", out, err);
        cr_expect(strstr(out, "kink_multipliers kink_multipliers not proven OK") != NULL, "%s", out);
    }
    j = json_load_file(c, 0, NULL);
    cl = tu_claim(j, "critical_point");
    cr_assert(cl != NULL);
    expect_closed_form(cl, ref);
    json_decref(j);
    /* tampering */
    {
        static const char *const what[] = { "radius shrunk", "loss shifted", "kink removed", "generator changed" };
        int k;
        for (k = 0; k < 4; k++) {
            j = json_load_file(c, 0, NULL);
            cl = tu_claim(j, "critical_point");
            if (k == 0)
                json_object_set_new(cl, "radius_log2", json_integer(-256));
            else if (k == 1) {
                json_t *iv = json_object_get(cl, "loss");
                json_object_set_new(iv, "lo", json_string("0.02392756273282832499628102161381765402453571529588"));
                json_object_set_new(iv, "hi", json_string("0.02392756273282832499628102161381765402453571529589"));
                json_object_del(iv, "decimal");
            } else if (k == 2) {
                json_array_remove(json_object_get(cl, "kinks"), 0);
                json_array_remove(json_object_get(cl, "multipliers"), 0);
                json_array_remove(json_object_get(tu_claim(j, "kink_multipliers"), "slopes"), 0);
            } else
                json_array_set_new(json_object_get(cl, "generators"), 2, json_pack("[i, i, i]", 2, 0, 1));
            cr_assert_eq(json_dump_file(j, t, 0), 0);
            json_decref(j);
            refused(t, what[k]);
        }
    }
    /* tampering with kink_multipliers: claimed certified; a t outside [0, 1] claimed; the
     * referenced critical_point removed, or a claim of another kind referenced */
    {
        static const char *const what[] = { "kink_multipliers claimed certified", "t outside [0, 1] claimed",
                                            "critical_point removed", "a loss claim referenced" };
        int k;
        for (k = 0; k < 4; k++) {
            json_t *claims;
            size_t i;
            j = json_load_file(c, 0, NULL);
            claims = json_object_get(j, "claims");
            cl = tu_claim(j, "kink_multipliers");
            cr_assert(cl != NULL);
            if (k <= 1)
                json_object_set_new(cl, "verdict", json_string("certified"));
            if (k == 1) {
                json_t *sl = json_object_get(cl, "slopes");
                for (i = 0; i < json_array_size(sl); i++)
                    json_array_set_new(sl, i, json_pack("{s:s, s:s}", "lo", i == 0 ? "-1" : "0", "hi", i == 0 ? "2" : "1"));
            } else if (k == 2) {
                for (i = 0; i < json_array_size(claims); i++)
                    if (strcmp(json_string_value(json_object_get(json_array_get(claims, i), "kind")), "critical_point") == 0)
                        json_array_remove(claims, i);
            } else if (k == 3)
                json_object_set_new(cl, "critical_point", json_string(json_string_value(json_object_get(
                                                                          json_array_get(claims, 0), "id"))));
            cr_assert_eq(json_dump_file(j, t, 0), 0);
            json_decref(j);
            km_refused(t, what[k], k <= 1);
        }
    }
    arb_clear(ref);
}

/* A trained K = 3, L = 4 point (L-BFGS from seed 5, refined at 256 bits; docs/refine.md §3)
 * has units that weight decay drives to 0: 7 dead units at the exact point. With them held at
 * 0 the KKT system on the slice is regular, so the point gets a certified critical_point,
 * which both checkers confirm; its loss agrees with the exact loss of the refined point
 * (certify-point's loss claim: the full objective at the refined point, another code path)
 * to 1e-50. Tampering with the dead units is refused. */
Test(critical, trained_point_with_dead_units, .timeout = 300)
{
    char dir[256], a[300], b[300], c[300], t[300];
    json_t *j, *cl;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(a, sizeof(a), "%s/k3", dir);
    snprintf(b, sizeof(b), "%s/k3r", dir);
    snprintf(c, sizeof(c), "%s/c.json", dir);
    snprintf(t, sizeof(t), "%s/t.json", dir);
    {
        const char *tr[] = { "train", "--K", "3", "--n", "1", "--L", "4", "--width", "10", "--lambda", "1/250",
                             "--optimizer", "lbfgs", "--init-std", "0.5", "--seed", "5", "--steps", "5000", "--quiet",
                             "--out", a, NULL };
        const char *rf[] = { "refine", a, "--out", b, "--quiet", NULL };
        const char *cp[] = { "certify-point", b, "--out", c, "--critical", NULL };
        const char *vargs[] = { c, NULL };
        cr_assert_eq(tu_run(out, err, sizeof(out), tr), 0, "%s%s", out, err);
        cr_assert_eq(tu_run(out, err, sizeof(out), rf), 0, "%s%s", out, err);
        cr_assert_eq(tu_run(out, err, sizeof(out), cp), 0, "%s%s", out, err);
        cr_expect(strstr(out, "critical    certified") != NULL, "%s", out);
        cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 0, "%s%s", out, err);
        cr_expect(strstr(out, "critical_point critical_point certified OK") != NULL, "%s", out);
        cr_expect(strstr(out, "kink_multipliers kink_multipliers certified OK") != NULL, "%s", out);
        cr_expect(strstr(out, "strict_local_min strict_local_min certified OK") != NULL, "%s", out);
    }
    cl = claim_copy(c, &j);
    cr_assert(cl != NULL);
    cr_expect_geq(json_array_size(json_object_get(cl, "dead_units")), 1);
    expect_loss_agrees(j, cl);
    json_decref(j);
    {
        static const char *const what[] = { "a dead unit dropped", "a live unit called dead",
                                             "a dead unit's parameter made nonzero", "a kink listed in a dead unit",
                                             "the last kink moved to implied_kinks" };
        int k;
        for (k = 0; k < 5; k++) {
            json_t *du;
            cl = claim_copy(c, &j);
            du = json_object_get(cl, "dead_units");
            if (k == 0)
                json_array_remove(du, 0);
            else if (k == 1) {   /* the first kink's unit: alive, so its parameters are not 0 */
                json_t *e = json_array_get(json_object_get(cl, "kinks"), 0);
                json_array_clear(du);
                json_array_append_new(du, json_pack("[I, I]", json_integer_value(json_array_get(e, 0)),
                                                    json_integer_value(json_array_get(e, 1))));
            } else if (k == 2) {   /* W_{l-1}[a, 0] of the first dead unit (l >= 2): the point's block entry */
                slong l = (slong) json_integer_value(json_array_get(json_array_get(du, 0), 0));
                slong u = (slong) json_integer_value(json_array_get(json_array_get(du, 0), 1));
                char name[32];
                json_t *blk;
                cr_assert_geq(l, 2);
                snprintf(name, sizeof(name), "W%ld", (long) (l - 1));
                blk = json_object_get(json_object_get(json_object_get(json_object_get(j, "points"),
                                      json_string_value(json_object_get(cl, "point"))), "blocks"), name);
                cr_assert(blk != NULL);
                json_array_set_new(json_object_get(blk, "dense"), u, json_string("1/1024"));   /* column 0 */
            } else if (k == 4) {   /* its equation dropped, its multiplier 0: not implied by the rule */
                json_t *ks = json_object_get(cl, "kinks"), *sl = json_object_get(tu_claim(j, "kink_multipliers"), "slopes");
                size_t last = json_array_size(ks) - 1;
                json_object_set_new(cl, "implied_kinks", json_pack("[O]", json_array_get(ks, last)));
                json_array_remove(ks, last);
                json_array_remove(json_object_get(cl, "multipliers"), last);
                json_array_remove(sl, last);
            } else {   /* column 0 of the first dead unit, sorted in among the kinks */
                json_t *d0 = json_array_get(du, 0), *ks = json_object_get(cl, "kinks");
                json_t *e = json_pack("[I, I, i]", json_integer_value(json_array_get(d0, 0)),
                                      json_integer_value(json_array_get(d0, 1)), 0);
                size_t at = 0;
                while (at < json_array_size(ks) && triple_before(json_array_get(ks, at), e))
                    at++;
                json_array_insert_new(ks, at, e);
                json_array_insert_new(json_object_get(cl, "multipliers"), at, json_string("0"));
                json_array_insert_new(json_object_get(tu_claim(j, "kink_multipliers"), "slopes"), at,
                                      json_pack("{s:s, s:s}", "lo", "0", "hi", "1"));
            }
            cr_assert_eq(json_dump_file(j, t, 0), 0);
            json_decref(j);
            refused(t, what[k]);
        }
    }
}

/* strict_local_min (format §6.11) at the refined DNC point (K = 3, L = 3, width 3): certified
 * (H + rho C^T C positive definite on the box) and re-checked by both checkers (docs/refine.md
 * §7.4 gives an independent double-precision check of the reduced Hessian of a trained point).
 * Tampering: rho = 2^-200 (then H + rho C^T C is H, which is singular along the rotations)
 * and the verdict of a claim whose critical point is not certified are refused. */
/* The zero_weights triples of layer l (0: H1) in claim cl, and whether [l, i, u] is among them. */
static int zero_count(json_t *cl, int l)
{
    json_t *z = json_object_get(cl, "zero_weights");
    size_t i;
    int n = 0;
    for (i = 0; i < json_array_size(z); i++)
        n += json_integer_value(json_array_get(json_array_get(z, i), 0)) == l;
    return n;
}

/* docs/refine.md §7.13: at the DNC point every kink is degenerate (mu_e = G_e = 0), and the
 * exact zeros come from the structure: in the frame where H1 is diagonal, the off-diagonal
 * entries of H1 and W_1 (layer 2's kinks) and of W_2 (layer 3's, the zero weights of §7.3) are
 * 0 at the critical point, their gradient entries are exactly 0 there (every term has a zero
 * factor), and every kink is implied (multiplier 0). The refined point is not in that frame
 * (refine moves along the rotations of H1: off-diagonal entries ~1e-32), so the producer
 * rotates it first. By hand: 3 + 3 + 3 diagonal entries and the 3 diagonal entries of W_3
 * are the unknowns (12), 6 + 6 + 6 + 6 entries are held, 12 kinks implied. W_3's off-diagonal
 * entries are the output blocks' zero weights of §7.3: at DNC each class has its own unit of
 * layer 3, so every class is a block, and row k of W_3 is 0 on the other classes' units. kink_multipliers is then
 * certified by both checkers (t_e = 0 everywhere: the gradient of the cut network is 0), and
 * the loss still agrees with the closed form to 1e-50. Refused: the zero entries of H1 left
 * out (layer 2's kinks are then not 0 on the box), one of W_1's left out, an entry of H1 that
 * is not 0 at the critical point held (H1[0, 0] set to 0 in the point), and [0, a, j] out of
 * range. */
Test(critical, dnc_zero_features, .timeout = 120)
{
    char dir[256], b[300], c[300], t[300];
    arb_t ref;
    json_t *j, *cl;
    char *js;
    arb_init(ref);
    dnc_paths(dir, b, c, t, ref);
    {
        const char *args[] = { "certify-point", b, "--out", c, "--critical", NULL }, *vargs[] = { c, NULL };
        cr_assert_eq(tu_run(out, err, sizeof(out), args), 0, "%s%s", out, err);
        cr_expect(strstr(out, "critical    certified: 12 unknowns (12 free parameters, 0 kinks, 0 symmetry generators") != NULL,
                  "%s", out);
        cr_expect(strstr(out, "24 zero weights; 12 implied kinks") != NULL, "%s", out);
        cr_expect(strstr(out, "kink-mult   certified: no listed kink: all 12 kinks are implied") != NULL, "%s", out);
        /* every kink (l, i, j), i != j, has G_e exactly 0: unit i serves class i only */
        cr_expect(strstr(out, "d-stat      certified") != NULL, "%s", out);
        cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 0, "%s%s", out, err);
        cr_expect(strstr(out, "critical_point critical_point certified OK") != NULL, "%s", out);
        cr_expect(strstr(out, "kink_multipliers kink_multipliers certified OK") != NULL, "%s", out);
        {
            const char *a2[] = { "verify", c, NULL };
            cr_assert_eq(tu_run(out, err, sizeof(out), a2), 0, "%s%s", out, err);
            cr_expect(strstr(out, "kink_multipliers kink_multipliers certified OK") != NULL, "%s", out);
        }
    }
    cl = claim_copy(c, &j);
    cr_expect_eq(zero_count(cl, 0), 6);
    cr_expect_eq(zero_count(cl, 1), 6);
    cr_expect_eq(zero_count(cl, 2), 6);
    cr_expect_eq(zero_count(cl, 3), 6);
    cr_expect_eq(json_array_size(json_object_get(cl, "kinks")), 0);
    cr_expect_eq(json_array_size(json_object_get(cl, "implied_kinks")), 12);
    expect_closed_form(cl, ref);
    js = zeros_without(cl, 0, 0);
    refused_for(c, t, "zero_weights", js, NULL, -1, "it is not exactly 0 on the box");
    free(js);
    js = zeros_without(cl, 1, 1);
    refused_for(c, t, "zero_weights", js, NULL, -1, "not exactly 0 on the box");
    free(js);
    /* d_stationary: G_e of layer 3's kinks (i, j), i != j, is sum_k W_3[k, i] R[k, j], exactly 0
     * with W_3's off-diagonal entries held; with them free it is a ball around 0 on the box */
    cr_expect_eq(strcmp(json_string_value(json_object_get(tu_claim(j, "d_stationary"), "verdict")), "certified"), 0);
    {
        json_t *j2, *c2 = claim_copy(c, &j2);
        json_object_set_new(c2, "zero_weights", json_loads(js = zeros_without(cl, 3, 0), 0, NULL));
        free(js);
        forged_refused(j2, t, "d_stationary", NULL, "G_e = df/dh_e over the box is [+/- ");
    }
    {   /* H1[0, 0] (about 0.997) held at 0: the point edited, its sign pattern and zero are gone */
        json_t *z = json_deep_copy(json_object_get(cl, "zero_weights"));
        json_array_insert_new(z, 0, json_loads("[0, 0, 0]", 0, NULL));
        js = json_dumps(z, JSON_COMPACT);
        json_decref(z);
        refused_for(c, t, "zero_weights", js, "H1", 0, "");
        free(js);
    }
    json_decref(j);
    {
        static const char *const bad[] = { "[[0, 3, 0]]", "[[0, 0, 3]]", "[[0, -1, 0]]", "[[0, 0, -1]]",
                                           "[[1, 0, 1], [0, 1, 0]]" };
        malformed_field(c, t, "zero_weights", bad, 5);
    }
    arb_clear(ref);
}

/* The frame search of docs/refine.md §7.13 on a DNC point whose H1 is not diagonal: the
 * exported DNC point (K = 3, L = 3, width 5: two coordinates of H1 unused) with H1 -> R H1 and
 * W_1 -> W_1 R^T for a product R of four Givens rotations by 0.3..0.9 rad (in double, so the
 * point is critical only to ~1e-16; refine brings it back). The producer's Gram-Schmidt finds
 * the columns' frame and the two unused coordinates: kink_multipliers certified as at the
 * diagonal point, with H1's zero entries now 2 per column off the diagonal plus the unused
 * rows (4 per column: 12), the loss within 1e-50 of the closed form. */
Test(critical, dnc_zero_features_in_a_rotated_frame, .timeout = 120)
{
    const char *cf[] = { "closed-form", "dnc", "--K", "3", "--n", "1", "--L", "3", "--width", "5", NULL };
    static const int ga[4] = { 0, 1, 2, 0 }, gb[4] = { 3, 4, 1, 2 };
    char dir[256], a[300], b[300], c[300];
    dnc_problem_t p;
    double *theta, *w;
    slong g, i, j, d0 = 5, d1, w1;
    json_t *jj, *cl;
    fmpq_t lo, hi;
    arb_t ref, x;
    arb_init(ref); arb_init(x);
    fmpq_init(lo); fmpq_init(hi);
    tu_tmpdir(dir, sizeof(dir));
    snprintf(a, sizeof(a), "%s/dnc", dir);
    snprintf(b, sizeof(b), "%s/refined", dir);
    snprintf(c, sizeof(c), "%s/c.json", dir);
    cr_assert_eq(tu_run_export(out, err, sizeof(out), cf, a), 0, "%s", err);
    jj = json_loads(out, 0, NULL);
    cr_assert_eq(dnc_parse_rational(lo, json_string_value(json_object_get(json_object_get(jj, "loss"), "lo"))), 0);
    cr_assert_eq(dnc_parse_rational(hi, json_string_value(json_object_get(json_object_get(jj, "loss"), "hi"))), 0);
    json_decref(jj);
    arb_set_fmpq(ref, lo, 600);
    arb_set_fmpq(x, hi, 600);
    arb_union(ref, ref, x, 600);
    dnc_problem_init(p);
    cr_assert_eq(dnc_point_load(a, p, &theta, err, sizeof(err)), 0, "%s", err);
    d1 = p->width[1];
    w1 = dnc_param_offset(p, p->N, DNC_W, 1);
    for (g = 0; g < 4; g++) {   /* rows ga, gb of H1 and columns ga, gb of W_1 by the same rotation */
        double co = cos(0.3 + 0.2 * g), si = sin(0.3 + 0.2 * g), u, v;
        for (j = 0; j < p->N; j++) {
            u = theta[ga[g] + d0 * j], v = theta[gb[g] + d0 * j];
            theta[ga[g] + d0 * j] = co * u - si * v, theta[gb[g] + d0 * j] = si * u + co * v;
        }
        for (i = 0, w = theta + w1; i < d1; i++) {
            u = w[i + d1 * ga[g]], v = w[i + d1 * gb[g]];
            w[i + d1 * ga[g]] = co * u - si * v, w[i + d1 * gb[g]] = si * u + co * v;
        }
    }
    cr_assert_eq(dnc_point_save(a, p, theta, NULL, err, sizeof(err)), 0, "%s", err);
    free(theta);
    {
        const char *rf[] = { "refine", a, "--out", b, "--prec", "256", "--quiet", NULL };
        const char *cp[] = { "certify-point", b, "--out", c, "--critical", NULL }, *vargs[] = { c, NULL };
        cr_assert_eq(tu_run(out, err, sizeof(out), rf), 0, "%s\n%s", out, err);
        cr_assert_eq(tu_run(out, err, sizeof(out), cp), 0, "%s%s", out, err);
        cr_expect(strstr(out, "kink-mult   certified: no listed kink: all 12 kinks are implied") != NULL, "%s", out);
        cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 0, "%s%s", out, err);
        cr_expect(strstr(out, "kink_multipliers kink_multipliers certified OK") != NULL, "%s", out);
    }
    cl = claim_copy(c, &jj);
    cr_expect_eq(zero_count(cl, 0), 12);
    expect_closed_form(cl, ref);
    json_decref(jj);
    dnc_problem_clear(p);
    fmpq_clear(lo); fmpq_clear(hi);
    arb_clear(ref); arb_clear(x);
}

Test(critical, strict_local_min_at_dnc, .timeout = 120)
{
    char dir[256], b[300], c[300], t[300];
    arb_t ref;
    json_t *j, *cl;
    arb_init(ref);
    dnc_paths(dir, b, c, t, ref);
    {
        /* without zero weights: the claim is about the whole pattern manifold modulo the rotations,
         * and it has kink rows, so a small rho matters (with every kink implied it does not) */
        const char *args[] = { "certify-point", b, "--out", c, "--critical", "--no-zero-weights", NULL },
                   *vargs[] = { c, NULL };
        cr_assert_eq(tu_run(out, err, sizeof(out), args), 0, "%s%s", out, err);
        cr_expect(strstr(out, "second      certified") != NULL, "%s", out);
        cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 0, "%s%s", out, err);
        cr_expect(strstr(out, "strict_local_min strict_local_min certified OK") != NULL, "%s", out);
    }
    {
        int k;
        for (k = 0; k < 2; k++) {
            const char *args[] = { "verify", t, NULL };
            j = json_load_file(c, 0, NULL);
            cl = tu_claim(j, "strict_local_min");
            cr_assert(cl != NULL);
            if (k == 0)
                json_object_set_new(cl, "rho", json_string("1/1606938044258990275541962092341162602522202993782792835301376"));
            else {   /* the critical point's box shifted off its zero: that claim fails, so this one must */
                json_t *pc = tu_claim(j, "critical_point");
                json_object_set_new(pc, "verdict", json_string("not proven"));
                json_object_set_new(tu_claim(j, "kink_multipliers"), "verdict", json_string("not proven"));
                json_object_set_new(pc, "radius_log2", json_integer(-250));
            }
            cr_assert_eq(json_dump_file(j, t, 0), 0);
            json_decref(j);
            cr_expect_eq(tu_run(out, err, sizeof(out), args), 1, "%s", out);
            cr_expect(strstr(out, "strict_local_min strict_local_min not proven MISMATCH") != NULL, "case %d: %s", k, out);
        }
    }
    arb_clear(ref);
}

/* docs/refine.md §7.6: a dead unit (in-row and out-column 0) can take a share of a live unit
 * of its layer at no cost: rotating the pair by (c, s) with c, s >= 0, c^2 + s^2 = 1 keeps f
 * exactly (positive homogeneity of the ReLU and rotation invariance of the weight decay), so
 * a point with a dead unit beside a live one is never a strict local minimum of f. The
 * reference is that hand identity, at a random point (it holds at every point); the opposite
 * ray (s < 0) changes f, as the derivation says it may. */
static void set_random_dyadic(arb_t x, flint_rand_t st)
{
    arb_set_si(x, (slong) n_randint(st, 2001) - 1000);
    arb_mul_2exp_si(x, x, -10);
}

Test(critical, dead_unit_takes_a_share_of_a_live_unit_at_no_cost)
{
    dnc_problem_t p;
    dnc_bpoint_t x, y;
    dnc_beval_t e0, e1;
    flint_rand_t st;
    slong i, k, prec = 256, u = 0, v = 3;
    int sgn;
    tu_problem(p, "3", "2", "3", "4", "relu", "none", "1/250");
    flint_randinit(st);
    dnc_bpoint_init(x, p);
    for (i = 0; i < x->H1->r; i++)   /* a random dyadic point */
        for (k = 0; k < x->H1->c; k++)
            set_random_dyadic(arb_mat_entry(x->H1, i, k), st);
    for (k = 0; k < p->L; k++)
        for (i = 0; i < arb_mat_nrows(x->W + k) * arb_mat_ncols(x->W + k); i++)
            set_random_dyadic(arb_mat_entry(x->W + k, i % arb_mat_nrows(x->W + k), i / arb_mat_nrows(x->W + k)), st);
    for (k = 0; k < p->width[0]; k++)   /* unit v of layer 2 dead: row v of W_1, column v of W_2 */
        arb_zero(arb_mat_entry(x->W + 0, v, k));
    for (k = 0; k < p->width[2]; k++)
        arb_zero(arb_mat_entry(x->W + 1, k, v));
    dnc_beval_init(e0);
    dnc_ball_eval(e0, x, 0, prec);
    for (sgn = 1; sgn >= -1; sgn -= 2) {
        dnc_bpoint_init(y, p);
        arb_mat_set(y->H1, x->H1);
        for (k = 0; k < p->L; k++)
            arb_mat_set(y->W + k, x->W + k);
        for (k = 0; k < p->width[0]; k++) {   /* rows u, v of W_1 <- (3/5, +-4/5) row u */
            arb_mul_si(arb_mat_entry(y->W + 0, u, k), arb_mat_entry(x->W + 0, u, k), 3, prec);
            arb_div_si(arb_mat_entry(y->W + 0, u, k), arb_mat_entry(y->W + 0, u, k), 5, prec);
            arb_mul_si(arb_mat_entry(y->W + 0, v, k), arb_mat_entry(x->W + 0, u, k), 4 * sgn, prec);
            arb_div_si(arb_mat_entry(y->W + 0, v, k), arb_mat_entry(y->W + 0, v, k), 5, prec);
        }
        for (k = 0; k < p->width[2]; k++) {   /* columns u, v of W_2 likewise */
            arb_mul_si(arb_mat_entry(y->W + 1, k, u), arb_mat_entry(x->W + 1, k, u), 3, prec);
            arb_div_si(arb_mat_entry(y->W + 1, k, u), arb_mat_entry(y->W + 1, k, u), 5, prec);
            arb_mul_si(arb_mat_entry(y->W + 1, k, v), arb_mat_entry(x->W + 1, k, u), 4 * sgn, prec);
            arb_div_si(arb_mat_entry(y->W + 1, k, v), arb_mat_entry(y->W + 1, k, v), 5, prec);
        }
        dnc_beval_init(e1);
        dnc_ball_eval(e1, y, 0, prec);
        cr_assert(mag_cmp_2exp_si(arb_radref(e1->loss), -200) < 0 && mag_cmp_2exp_si(arb_radref(e0->loss), -200) < 0);
        if (sgn > 0)
            cr_expect(arb_overlaps(e0->loss, e1->loss), "the share (3/5, 4/5) changed f");
        else
            cr_expect(!arb_overlaps(e0->loss, e1->loss), "the opposite ray (3/5, -4/5) kept f (unit u inactive?)");
        dnc_beval_clear(e1);
        dnc_bpoint_clear(y);
    }
    dnc_beval_clear(e0);
    dnc_bpoint_clear(x);
    flint_randclear(st);
    dnc_problem_clear(p);
}

/* p <- K = 3, n = 1 (N = 3), L = 2 with the given widths, ReLU, no bias (the hand-made tests). */
static void two_layer_problem(dnc_problem_t p, const char *width)
{
    dnc_problem_args a;
    memset(&a, 0, sizeof(a));
    a.K = "3";
    a.n = "1";
    a.L = "2";
    a.width = width;
    dnc_problem_init(p);
    cr_assert_eq(dnc_problem_set_args(p, &a, err, sizeof(err)), 0, "%s", err);
}

/* The partial rotation (a, b, j) of H1 (docs/refine.md §7.7) on a small hand-made point:
 * K = 3, n = 1, L = 2, d_1 = 4, d_2 = 3. With R = {0, 2} (the units of layer 2 that see column
 * 1) and F = {0} (the other column they see), the tangent s must leave (W_1 H1)[u, i] fixed to
 * first order for u in R and i in F + {1} -- the entries the cut objective reads -- and keep
 * the weight decay (<theta, s> = 0), while it moves H1's column 1 (it is not 0) and may move
 * the entries of unit 1 (not in R) in column 1. Computed here from the definition
 * S = P (E_ab - E_ba) P, P the projector off column 0 of H1, by plain doubles. */
Test(critical, partial_rotation_keeps_the_entries_it_must)
{
    dnc_problem_t p;
    slong n, i, k, u, rows[] = { 0, 2 }, cols[] = { 0 }, w1;
    arb_ptr th, s;
    double H[4][3] = { { 1, 0.5, -0.25 }, { 0.5, -1, 0.75 }, { -0.5, 0.25, 1 }, { 0.25, 0.5, 0.5 } };
    double W[3][4] = { { 0.5, 1, -0.5, 0.25 }, { -1, 0.5, 0.25, 0.5 }, { 0.75, -0.25, 0.5, -1 } };
    double moved = 0, unit1 = 0, dot = 0;
    two_layer_problem(p, "4,3");
    n = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    w1 = dnc_param_offset(p, p->N, DNC_W, 1);
    th = _arb_vec_init(n);
    s = _arb_vec_init(n);
    for (k = 0; k < 4; k++)
        for (i = 0; i < 3; i++) {
            arb_set_d(th + k + 4 * i, H[k][i]);
            arb_set_d(th + w1 + i + 3 * k, W[i][k]);
        }
    cr_assert(dnc_critical_partial_generator(s, th, p, rows, 2, cols, 1, 1, 3, 1, 128));
    for (u = 0; u < 3; u++)
        for (i = 0; i < 3; i++) {   /* d(W H)[u, i] = dW[u, :] H[:, i] + W[u, :] dH[:, i] */
            double d = 0;
            for (k = 0; k < 4; k++)
                d += arf_get_d(arb_midref(s + w1 + u + 3 * k), ARF_RND_NEAR) * H[k][i]
                     + W[u][k] * arf_get_d(arb_midref(s + k + 4 * i), ARF_RND_NEAR);
            if (u != 1 && i != 2)
                cr_expect(fabs(d) < 1e-14, "(W_1 H1)[%ld, %ld] moves by %g", (long) u, (long) i, d);
            if (u == 1 && i == 1)
                unit1 = fabs(d);
        }
    for (k = 0; k < n; k++)
        dot += arf_get_d(arb_midref(th + k), ARF_RND_NEAR) * arf_get_d(arb_midref(s + k), ARF_RND_NEAR);
    for (k = 0; k < 4; k++)
        moved += fabs(arf_get_d(arb_midref(s + k + 4 * 1), ARF_RND_NEAR));
    cr_expect(fabs(dot) < 1e-14, "the weight decay changes along s: <theta, s> = %g", dot);
    cr_expect(moved > 1e-3, "column 1 of H1 does not move");
    cr_expect(unit1 > 1e-3, "unit 1 (not in R) is left alone in column 1: %g", unit1);
    for (k = 0; k < 4; k++)   /* column 0 (in F) and column 2 (unseen) do not move */
        cr_expect(arb_is_zero(s + k) && arb_is_zero(s + k + 8));
    _arb_vec_clear(th, n);
    _arb_vec_clear(s, n);
    dnc_problem_clear(p);
}

/* The point of the hand-made rotation tests: K = 3, n = 1, L = 2, d = (4, 4), H1 = I_4[:, 0:3]
 * (so U = W_1 H1 is the first three columns of W_1), the given W_1 and W_2. Returns theta (n
 * entries); *w1, *w2 the offsets of W_1 and W_2. */
static arb_ptr hand_point(dnc_problem_t p, double W1[4][4], double W2[3][4], slong *n, slong *w1, slong *w2)
{
    slong i, k;
    arb_ptr th;
    two_layer_problem(p, "4,4");
    *n = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    *w1 = dnc_param_offset(p, p->N, DNC_W, 1);
    *w2 = dnc_param_offset(p, p->N, DNC_W, 2);
    th = _arb_vec_init(*n);
    for (i = 0; i < 3; i++)
        arb_one(th + i + 4 * i);
    for (i = 0; i < 4; i++)
        for (k = 0; k < 4; k++)
            arb_set_d(th + *w1 + i + 4 * k, W1[i][k]);
    for (i = 0; i < 3; i++)
        for (k = 0; k < 4; k++)
            arb_set_d(th + *w2 + i + 3 * k, W2[i][k]);
    return th;
}

/* A hand-made kink-preserving rotation (docs/refine.md §7.8): K = 3, n = 1, L = 2, d = (4, 4);
 * H1 = the first three columns of I_4, so U = W_1 H1 is the first three columns of W_1. Layer 2:
 * units 0, 1 have a kink in column 1 (active in 0, 2), units 2, 3 a kink in column 0 (active in
 * 1, 2). The four kink rows are dependent (columns 0 and 1 have no common active unit: the
 * format's rule drops one), and by hand (the rows 0.5 A_02 + 0.3 A_12 = 0, 0.5 A_03 + 0.3 A_13
 * = 0, 0.4 A_02 + 0.9 A_03 = 0) the skew matrices that keep the kinks mix the two groups only
 * along (A_02, A_03, A_12, A_13) ~ (1, -4/9, -5/3, 20/27). The tangent of (l, a, b) = (2, 0, 2)
 * must have that mixing, keep every kink and W_2 H_2 to first order; a unit with a negative
 * entry is refused. Checked with plain doubles, A recovered as dW_1 W_1^-1. */
Test(critical, kink_rotation_keeps_kinks_and_mixes_by_hand_ratios)
{
    dnc_problem_t p;
    slong n, i, k, j, w1, w2;
    arb_ptr th, s;
    double W1[4][4] = { { 0.5, 0, 0.7, 1 }, { 0.3, 0, 0.2, -1 }, { 0, 0.4, 0.6, 0.5 }, { 0, 0.9, 0.1, 0.3 } };
    double W2[3][4] = { { 0.5, -0.2, 0.3, 0.1 }, { 0.2, 0.4, -0.1, 0.6 }, { -0.3, 0.1, 0.5, 0.2 } };
    double dW1[4][4], Ad[4][4], inv[4][4], aug[4][8];
    signed char st2[12] = { 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1 };   /* d x N column-major */
    const signed char *state[3] = { NULL, NULL, st2 };
    th = hand_point(p, W1, W2, &n, &w1, &w2);
    s = _arb_vec_init(n);
    cr_assert(dnc_critical_kink_rotation(s, th, p, state, 2, 0, 2, 256), "the kink rows were not shown independent");
    for (i = 0; i < 4; i++)
        for (k = 0; k < 4; k++)
            dW1[i][k] = arf_get_d(arb_midref(s + w1 + i + 4 * k), ARF_RND_NEAR);
    for (i = 0; i < 4; i++)   /* inv = W1^-1 by Gauss-Jordan (W1 is well conditioned) */
        for (k = 0; k < 8; k++)
            aug[i][k] = k < 4 ? W1[i][k] : (k - 4 == i);
    for (k = 0; k < 4; k++) {
        slong piv = k, r;
        for (r = k + 1; r < 4; r++)
            if (fabs(aug[r][k]) > fabs(aug[piv][k]))
                piv = r;
        for (j = 0; j < 8; j++) {
            double t = aug[k][j];
            aug[k][j] = aug[piv][j];
            aug[piv][j] = t;
        }
        for (r = 0; r < 4; r++)
            if (r != k) {
                double f = aug[r][k] / aug[k][k];
                for (j = 0; j < 8; j++)
                    aug[r][j] -= f * aug[k][j];
            }
    }
    for (i = 0; i < 4; i++)
        for (k = 0; k < 4; k++)
            inv[i][k] = aug[i][k + 4] / aug[i][i];
    for (i = 0; i < 4; i++)
        for (k = 0; k < 4; k++) {
            Ad[i][k] = 0;
            for (j = 0; j < 4; j++)
                Ad[i][k] += dW1[i][j] * inv[j][k];
        }
    cr_expect(fabs(Ad[0][2]) > 1e-3, "the groups do not mix: A_02 = %g", Ad[0][2]);
    cr_expect(fabs(Ad[0][3] / Ad[0][2] + 4.0 / 9) < 1e-12, "A_03 / A_02 = %.15g, not -4/9", Ad[0][3] / Ad[0][2]);
    cr_expect(fabs(Ad[1][2] / Ad[0][2] + 5.0 / 3) < 1e-12, "A_12 / A_02 = %.15g, not -5/3", Ad[1][2] / Ad[0][2]);
    cr_expect(fabs(Ad[1][3] / Ad[0][2] - 20.0 / 27) < 1e-12, "A_13 / A_02 = %.15g, not 20/27", Ad[1][3] / Ad[0][2]);
    for (i = 0; i < 4; i++)
        for (k = 0; k < 4; k++)
            cr_expect(fabs(Ad[i][k] + Ad[k][i]) < 1e-12, "A is not skew at (%ld, %ld)", (long) i, (long) k);
    /* the kinks stay 0: dU = dW_1 H1 = the first three columns of dW_1 */
    cr_expect(fabs(dW1[0][1]) < 1e-15 && fabs(dW1[1][1]) < 1e-15 && fabs(dW1[2][0]) < 1e-15 && fabs(dW1[3][0]) < 1e-15,
              "a kink moves: %g %g %g %g", dW1[0][1], dW1[1][1], dW1[2][0], dW1[3][0]);
    for (i = 0; i < 3; i++)   /* d(W_2 H_2) = dW_2 U + W_2 dU (every active entry has slope 1, kinks stay 0) */
        for (j = 0; j < 3; j++) {
            double d = 0;
            for (k = 0; k < 4; k++)
                d += arf_get_d(arb_midref(s + w2 + i + 3 * k), ARF_RND_NEAR) * W1[k][j] + W2[i][k] * dW1[k][j];
            cr_expect(fabs(d) < 1e-14, "(W_2 H_2)[%ld, %ld] moves by %g", (long) i, (long) j, d);
        }
    st2[3 + 4 * 2] = -1;   /* unit 3 negative in column 2: not linear on the data */
    cr_expect(!dnc_critical_kink_rotation(s, th, p, state, 2, 0, 3, 256), "a unit with a negative entry was rotated");
    _arb_vec_clear(th, n);
    _arb_vec_clear(s, n);
    dnc_problem_clear(p);
}

/* A trained K = 4, L = 4 point (L-BFGS, --init-std 0.5, seed 8, refined at 256 bits; the run
 * directory tests/data/critical/k4-l4, docs/refine.md §7.3, §7.7, §7.8). Its reduced KKT system
 * has two flat directions that are not rotations of units of one pattern (the double-precision
 * null-space analysis, scripts/null-directions.py): units of layer 4 that are linear on the
 * data trade signal among themselves, and column 2 of H1 turns with row 1 of W_1 (the only
 * unit that sees that column). certify-point --critical puts one kink-preserving rotation and
 * one partial rotation of H1 in the slice: critical_point certified, and confirmed by both
 * checkers; its loss agrees with the exact loss of the refined point (certify-point's loss
 * claim, the full objective at the file's exact entries) to 1e-50. A copy without the partial
 * rotation (a singular system), and malformed partial generators, are refused. */
Test(critical, k4_l4_kink_rotation_and_partial_rotation)
{
    char dir[256], c[300], t[300];
    static const char *const expect[] = { "1 of them partial rotations of H1", "1 kink-preserving rotations", NULL };
    json_t *j, *cl;
    certify_fixture(DNCERT_SOURCE_DIR "/tests/data/critical/k4-l4", dir, c, t, expect);
    cl = claim_copy(c, &j);
    cr_assert(cl != NULL);
    cr_expect_eq(json_array_size(json_object_get(cl, "partial_generators")), 1);
    expect_loss_agrees(j, cl);
    json_decref(j);
    /* the partial rotation left out: the bordered system is singular there */
    cl = claim_copy(c, &j);
    json_object_del(cl, "partial_generators");
    drop_second_order(j);   /* only the claim under test */
    cr_assert_eq(json_dump_file(j, t, 0), 0);
    json_decref(j);
    refused(t, "the partial rotation left out");
    {   /* malformed: out of range, not increasing, a column beyond N */
        static const char *const bad[] = { "[[0, 10, 2]]", "[[1, 0, 2]]", "[[0, 1, 4]]", "[[0, 1, 2], [0, 1, 2]]" };
        malformed_field(c, t, "partial_generators", bad, 4);
    }
}

/* kink_multipliers of the K = 4, L = 4 point (docs/refine.md §7.14). Without zero weights its
 * highest kink [4, 8, 2] is degenerate; with them (§7.3, §7.13) the failing kink moves to
 * [2, 1, 1]: G_e exactly 0 and mu_e in [+/- 1.6e-58]. Unit 1 of layer 2 is the only unit P+ in
 * column 2 (unit 7, proportional to it, is merged) and P+ nowhere else, so by the KKT equations
 * of H1's column 2 and W_1's row 1 (the derivation of §7.14, by hand) its kink multipliers are
 * exactly 0 as soon as h_2 and h_1 are independent: the lone_unit witness, slope 0.
 * kink_multipliers is then certified, with one lone_unit and one generator witness, by both
 * checkers. Refused: the witness at another column (2 -> 0: unit 1 is P- there), with slope 1,
 * at a kink of layer 3, at kink [2, 5, 1] (unit 5 is P+ in two columns), and malformed values. */
/* A copy t of certificate c whose kink_multipliers claim has `entry` (JSON, or NULL: none) as
 * its exact slope of kink `kink` -- in place of the lone_unit entry of kink 0 when kink is 0,
 * else added, that kink's slope interval set to [0, 1]; refused by both checkers (mismatch: the
 * claim re-checks as not proven, and dncert verify --explain says `reason`; else malformed). */
static void lone_unit_forgery(const char *c, const char *t, const char *what, const char *entry, int kink, int mismatch,
                              const char *reason)
{
    const char *ex[] = { "verify", "--explain", t, NULL };
    json_t *j = json_load_file(c, 0, NULL), *km = tu_claim(j, "kink_multipliers"), *xs;
    size_t i = 0;
    cr_assert(km != NULL);
    xs = json_object_get(km, "exact_slopes");
    while (i < json_array_size(xs) && json_integer_value(json_object_get(json_array_get(xs, i), "kink")) < kink)
        i++;
    if (kink == 0) {
        cr_assert(json_object_get(json_array_get(xs, 0), "lone_unit") != NULL);
        json_array_remove(xs, 0);
    }
    if (entry != NULL) {
        json_t *e = json_loads(entry, 0, NULL);
        cr_assert(e != NULL, "%s", entry);
        json_array_insert_new(xs, i, e);
        json_array_set_new(json_object_get(km, "slopes"), (size_t) kink, json_pack("{s:s, s:s}", "lo", "0", "hi", "1"));
    }
    cr_assert_eq(json_dump_file(j, t, 0), 0);
    json_decref(j);
    km_refused(t, what, mismatch);
    if (reason != NULL) {
        tu_run(out, err, sizeof(out), ex);
        cr_expect(strstr(out, reason) != NULL, "%s: no \"%s\" in %s", what, reason, out);
    }
}

Test(critical, k4_l4_lone_unit)
{
    char dir[256], c[300], t[300];
    static const char *const expect[] = { "zero weights", "kink-mult   certified", "second      certified", NULL };
    json_t *j, *cl, *km;
    const char *args[] = { "verify", NULL, NULL };
    certify_strict_fixture(DNCERT_SOURCE_DIR "/tests/data/critical/k4-l4", dir, c, t, expect);
    args[1] = c;
    cr_assert_eq(tu_run(out, err, sizeof(out), args), 0, "%s%s", out, err);
    cr_expect(strstr(out, "kink_multipliers kink_multipliers certified OK") != NULL, "%s", out);
    /* the attempt without zero weights as well: the second order with only the dead units held
     * (its box has no zero_weights), next to kink_multipliers of the attempt with them */
    cr_expect(strstr(out, "strict_local_min_without_zero_weights strict_local_min certified OK") != NULL, "%s", out);
    cl = claim_copy(c, &j);
    cr_expect_gt(json_array_size(json_object_get(cl, "zero_weights")), 0);
    cr_expect_eq(json_array_size(json_object_get(tu_claim(j, "critical_point_without_zero_weights"), "zero_weights")), 0);
    km = tu_claim(j, "kink_multipliers");
    {
        char *ks = json_dumps(json_object_get(cl, "kinks"), JSON_COMPACT);
        char *xs = json_dumps(json_object_get(km, "exact_slopes"), JSON_COMPACT);
        cr_expect(strncmp(ks, "[[2,1,1],[2,5,1],", 17) == 0, "%s", ks);
        cr_expect(strstr(xs, "{\"kink\":0,\"slope\":0,\"lone_unit\":2}") != NULL, "%s", xs);
        free(ks);
        free(xs);
    }
    json_decref(j);
    lone_unit_forgery(c, t, "the lone_unit witness removed", NULL, 0, 1, "G_e over the box is 0");
    lone_unit_forgery(c, t, "the lone unit at column 0", "{\"kink\": 0, \"slope\": 0, \"lone_unit\": 0}", 0, 1,
                      "unit 1 of layer 2 is not alone in column 0");
    lone_unit_forgery(c, t, "the lone unit with slope 1", "{\"kink\": 0, \"slope\": 1, \"lone_unit\": 2}", 0, 1,
                      "a lone_unit witness proves slope 0");
    lone_unit_forgery(c, t, "the lone unit at a kink of layer 3", "{\"kink\": 3, \"slope\": 0, \"lone_unit\": 2}", 3, 1,
                      "a lone_unit witness proves slope 0 at a kink of layer 2");
    lone_unit_forgery(c, t, "kink [2, 5, 1]: unit 5 is P+ in two columns",
                      "{\"kink\": 1, \"slope\": 0, \"lone_unit\": 0}", 1, 1, "unit 5 of layer 2 is not alone in column 0");
    lone_unit_forgery(c, t, "a column beyond N", "{\"kink\": 0, \"slope\": 0, \"lone_unit\": 4}", 0, 0, NULL);
    lone_unit_forgery(c, t, "a negative column", "{\"kink\": 0, \"slope\": 0, \"lone_unit\": -1}", 0, 0, NULL);
    lone_unit_forgery(c, t, "an array", "{\"kink\": 0, \"slope\": 0, \"lone_unit\": [2]}", 0, 0, NULL);
    lone_unit_forgery(c, t, "two witnesses",
                      "{\"kink\": 0, \"slope\": 0, \"lone_unit\": 2, \"generator\": [1, 0, 1]}", 0, 0, NULL);
    {   /* review (helper-45): with kink_multipliers before its critical_point claim, the column's range
         * was not known when the witness was read, and column 4 (N = 4) was "not proven", not malformed */
        json_t *claims, *e;
        size_t i, ci = 0, ki = 0;
        j = json_load_file(c, 0, NULL);
        claims = json_object_get(j, "claims");
        json_array_foreach(claims, i, e) {
            if (strcmp(json_string_value(json_object_get(e, "id")), "critical_point") == 0)
                ci = i;
            if (strcmp(json_string_value(json_object_get(e, "kind")), "kink_multipliers") == 0)
                ki = i;
        }
        cr_assert_lt(ci, ki);
        e = json_incref(json_array_get(claims, ki));
        json_array_remove(claims, ki);
        json_object_set_new(json_array_get(json_object_get(e, "exact_slopes"), 0), "lone_unit", json_integer(4));
        json_object_set_new(e, "verdict", json_string("not proven"));
        json_array_insert_new(claims, ci, e);
        cr_assert_eq(json_dump_file(j, t, 0), 0);
        json_decref(j);
        km_refused(t, "column 4 in a kink_multipliers claim before its critical_point", 0);
    }
}

/* The scripted K = 3, L = 5 witness (scripts/small-k-low-rank.sh: the K = 3, L = 4 run deepened
 * by one identity layer, L-BFGS, refined at 256 bits; run directory tests/data/critical/k3-l5).
 * Its KKT system on the slice of rotations is singular: 8 flat directions, each a
 * kink-preserving rotation of units that are linear on the data (docs/refine.md §7.8; the
 * count 8 is the double-precision null-space analysis of scripts/null-directions.py, an
 * independent torch computation). With them in the slice the point is certified, both
 * checkers confirm, the loss agrees with the refined point's exact loss to 1e-50; left out,
 * the system is singular; a rotation of a unit with a negative entry (layer 4, unit 0: pattern
 * (-, +, 0)) or of a dead unit is refused; malformed entries are refused naming the field. */
Test(critical, k3_l5_kink_preserving_rotations)
{
    char dir[256], c[300], t[300];
    static const char *const expect[] = { "8 kink-preserving rotations", NULL };
    json_t *j, *cl;
    certify_strict_fixture(DNCERT_SOURCE_DIR "/tests/data/critical/k3-l5", dir, c, t, expect);
    cl = claim_copy(c, &j);
    cr_assert(cl != NULL);
    cr_expect_eq(json_array_size(json_object_get(cl, "kink_rotations")), 8);
    expect_loss_agrees(j, cl);
    json_decref(j);
    {   /* left out, or one replaced by a pair that is not linear on the data: refused */
        static const char *const fake[] = { NULL, "[4, 0, 1]", "[2, 0, 1]" };
        static const char *const what[] = { "the kink rotations left out", "a unit with a negative entry",
                                            "a dead unit" };
        int k;
        for (k = 0; k < 3; k++) {
            json_t *kr;
            cl = claim_copy(c, &j);
            kr = json_object_get(cl, "kink_rotations");
            if (fake[k] == NULL)
                json_object_del(cl, "kink_rotations");
            else {   /* the first entry replaced, the order kept (all listed ones are in layer 5) */
                json_array_remove(kr, 0);
                json_array_insert_new(kr, 0, json_loads(fake[k], 0, NULL));
            }
            refused_edited(j, t, what[k], fake[k] != NULL ? "are not both live with the same negative columns" : NULL);
        }
    }
    {   /* malformed: layer 1 (not a ReLU layer), a >= b, b beyond d_l, not increasing */
        static const char *const bad[] = { "[[1, 0, 1]]", "[[5, 3, 3]]", "[[5, 0, 10]]", "[[5, 0, 2], [5, 0, 1]]",
                                           "[[6, 0, 1]]" };
        malformed_field(c, t, "kink_rotations", bad, 5);
    }
}

/* t <- certificate c with the exact_slopes entry of kink k of its kink_multipliers claim replaced
 * by entry (JSON; NULL: removed; kept in kink order) and, when iv != NULL, slopes[k] set to iv. */
static void exact_edit(const char *c, const char *t, long k, const char *entry, const char *iv)
{
    json_t *j = json_load_file(c, 0, NULL), *km = tu_claim(j, "kink_multipliers"), *n = json_array(), *e;
    size_t i;
    int put = entry == NULL;
    json_array_foreach(json_object_get(km, "exact_slopes"), i, e) {
        long ki = (long) json_integer_value(json_object_get(e, "kink"));
        if (!put && ki > k)
            put = json_array_append_new(n, json_loads(entry, 0, NULL)) == 0;
        if (ki != k)
            json_array_append(n, e);
    }
    if (!put)
        json_array_append_new(n, json_loads(entry, 0, NULL));
    json_object_set_new(km, "exact_slopes", n);
    if (iv != NULL)
        json_array_set_new(json_object_get(km, "slopes"), (size_t) k, json_loads(iv, 0, NULL));
    cr_assert_eq(json_dump_file(j, t, 0), 0);
    json_decref(j);
}

/* exact_edit, then both checkers refuse the kink_multipliers claim, and dncert verify --explain
 * gives reason. */
static void exact_refused(const char *c, const char *t, long k, const char *entry, const char *iv, const char *reason)
{
    const char *ex[] = { "verify", "--explain", t, NULL };
    exact_edit(c, t, k, entry, iv);
    km_refused(t, entry != NULL ? entry : "entry removed", 1);
    tu_run(out, err, sizeof(out), ex);
    cr_expect(strstr(out, reason) != NULL, "%s: no \"%s\" in %s", entry != NULL ? entry : "removed", reason, out);
}

/* Exact slopes by a symmetry (format §6.10, docs/refine.md §7.11) on the scripted K = 3, L = 5
 * witness (tests/data/critical/k3-l5). Its six kinks of layer 5, [5, 2, 2] .. [5, 9, 0] (kinks 6
 * to 11), have t_e = 1 exactly; the ball division mu_e / G_e over the box only gives a ball
 * around 1 (at kink 11: [1 +/- 3e-29], printed by the checker when the entry is removed), which
 * is why kink_multipliers was "not proven" there (docs/refine.md §7.8). Moving such a kink to P+
 * makes a rotation or kink rotation of layer 5 a symmetry that moves it: with these entries the
 * claim is certified by both checkers. Refused by both: the entry of kink 11 removed; slope 0
 * there (with the kink moved to P-, units 0 and 2 of layer 5 differ: no symmetry; mu_e = G_e
 * != 0 makes 0 false); a witness that does not move the kink (a rotation of H1); a stated
 * interval without the slope; and at kink 0 = [2, 0, 1] (t_e = 0.3870899682... by the ball
 * division, strictly inside (0, 1): both "0" and "1" are false) every rotation and kink
 * rotation of unit 0 of layer 2 with another unit, and every class rotation, with either
 * slope (42 files; among them the kink rotation [2, 0, 2], which with the kink moved to P+ is
 * a symmetry: only the test that it moves the kink refuses it -- a brute force over all 186
 * witnesses of layer 2 with that test removed accepted exactly this one). Malformed entries
 * are refused naming the field. */
Test(critical, k3_l5_exact_slopes_by_symmetry, .timeout = 300)
{
    char dir[256], c[300], t[300];
    static const char *const expect[] = { "except at 6 kink(s) where t_e is exactly 0 or 1", NULL };
    const char *vargs[] = { c, NULL }, *tv[] = { t, NULL };
    json_t *j, *km, *e;
    size_t i;
    long a, b, f, sl, accepted = 0;
    certify_fixture(DNCERT_SOURCE_DIR "/tests/data/critical/k3-l5", dir, c, t, expect);
    tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs);
    cr_expect(strstr(out, "kink_multipliers kink_multipliers certified OK") != NULL, "%s", out);
    j = json_load_file(c, 0, NULL);
    km = tu_claim(j, "kink_multipliers");
    cr_expect_eq(json_array_size(json_object_get(km, "exact_slopes")), 6);
    json_array_foreach(json_object_get(km, "exact_slopes"), i, e) {
        cr_expect_eq(json_integer_value(json_object_get(e, "kink")), (json_int_t) i + 6);
        cr_expect_eq(json_integer_value(json_object_get(e, "slope")), 1);
    }
    json_decref(j);
    exact_refused(c, t, 11, NULL, NULL, "t_e = mu_e / G_e over the box is [1.0000000000");
    exact_refused(c, t, 11, "{\"kink\": 11, \"slope\": 0, \"generator\": [5, 0, 2]}", "{\"lo\": \"0\", \"hi\": \"0\"}",
                  "moved to P-, units 0 and 2 of layer 5 are not live with the same pattern");
    exact_refused(c, t, 11, "{\"kink\": 11, \"slope\": 1, \"generator\": [1, 0, 1]}", NULL,
                  "the witness does not move kink 11");
    exact_refused(c, t, 11, NULL, "{\"lo\": \"0\", \"hi\": \"1/2\"}", "t_e = mu_e / G_e over the box is");
    {   /* another witness of kink 11 also proves it; with it, an interval without 1 is refused */
        const char *ok = "{\"kink\": 11, \"slope\": 1, \"kink_rotation\": [5, 0, 2]}";
        exact_refused(c, t, 11, ok, "{\"lo\": \"0\", \"hi\": \"1/2\"}", "does not contain the exact slope 1");
        exact_edit(c, t, 11, ok, NULL);
        cr_expect_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), tv), 0, "another witness of kink 11: %s", out);
    }
    for (sl = 0; sl < 2; sl++)   /* kink 0: no witness makes a false exact slope pass */
        for (f = 0; f < 3; f++)
            for (a = 0; a < (f == 2 ? 3 : 1); a++)
                for (b = a + 1; b < (f == 2 ? 3 : 10); b++) {
                    char entry[160], iv[40];
                    snprintf(entry, sizeof(entry), "{\"kink\": 0, \"slope\": %ld, \"%s\": [%s%ld, %ld]}", sl,
                             f == 0 ? "generator" : f == 1 ? "kink_rotation" : "class_rotation", f == 2 ? "" : "2, ", a, b);
                    snprintf(iv, sizeof(iv), "{\"lo\": \"%ld\", \"hi\": \"%ld\"}", sl, sl);
                    exact_edit(c, t, 0, entry, iv);
                    accepted += tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), tv) != 1;
                    cr_expect(strstr(out, "kink_multipliers kink_multipliers not proven MISMATCH") != NULL, "%s: %s", entry,
                              out);
                }
    cr_expect_eq(accepted, 0, "%ld false exact slopes of kink 0 not refused", accepted);
    {   /* malformed: a kink beyond the list, slope 2, two witnesses, none, a = b, layer 1 for a kink
         * rotation, a unit beyond d_l, the same kink twice, an unknown field */
        static const char *const bad[] = {
            "[{\"kink\": 12, \"slope\": 1, \"generator\": [5, 0, 2]}]",
            "[{\"kink\": 11, \"slope\": 2, \"generator\": [5, 0, 2]}]",
            "[{\"kink\": 11, \"slope\": 1, \"generator\": [5, 0, 2], \"kink_rotation\": [5, 0, 2]}]",
            "[{\"kink\": 11, \"slope\": 1}]",
            "[{\"kink\": 11, \"slope\": 1, \"class_rotation\": [1, 1]}]",
            "[{\"kink\": 11, \"slope\": 1, \"kink_rotation\": [1, 0, 2]}]",
            "[{\"kink\": 11, \"slope\": 1, \"generator\": [5, 0, 10]}]",
            "[{\"kink\": 11, \"slope\": 1, \"generator\": [5, 0, 2]}, {\"kink\": 11, \"slope\": 1, \"generator\": [5, 0, 2]}]",
            "[{\"kink\": 11, \"slope\": 1, \"generator\": [5, 0, 2], \"t\": 1}]",
            "{\"kink\": 11}" };
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            j = json_load_file(c, 0, NULL);
            json_object_set_new(tu_claim(j, "kink_multipliers"), "exact_slopes", json_loads(bad[i], 0, NULL));
            cr_assert_eq(json_dump_file(j, t, 0), 0);
            json_decref(j);
            km_refused(t, bad[i], 0);
            cr_expect(strstr(err, "exact_slopes") != NULL || strstr(out, "exact_slopes") != NULL,
                      "%s: the error does not name the field: %s%s", bad[i], out, err);
        }
    }
}

/* The zero network of K = 2, n = 1, L = 2, width 2 (no bias) as the head of a certificate,
 * up to its claims (the two hand-made tests below). */
#define ZERO_NETWORK_L2_HEAD \
    "{\"format\": \"dncert-certificate\", \"version\": 2, \"producer\": {}, \"precision\": 64," \
    " \"problem\": {\"K\": 2, \"n\": [1, 1], \"L\": 2, \"width\": [2, 2], \"activation\": [\"relu\"], \"bias\": \"none\"," \
    "   \"lambda_h\": \"1/250\", \"lambda_w\": [\"1/250\", \"1/250\"]}," \
    " \"points\": {\"z\": {\"layout\": \"expanded\", \"scalars\": {}, \"blocks\": {" \
    "   \"H1\": {\"rows\": 2, \"cols\": 2, \"dense\": [\"0\", \"0\", \"0\", \"0\"]}," \
    "   \"W1\": {\"rows\": 2, \"cols\": 2, \"dense\": [\"0\", \"0\", \"0\", \"0\"]}," \
    "   \"W2\": {\"rows\": 2, \"cols\": 2, \"dense\": [\"0\", \"0\", \"0\", \"0\"]}}}},"

/* A critical_point claim whose every unit is a dead unit (review, 2026-12-06): the point is the
 * zero network (K = 2, n = 1, L = 2, width 2, no bias), every parameter is held at 0, so there
 * are no unknowns, no kinks and no generators (m = 0). It is a critical point, and its loss is
 * the fit of the zero output, 1/(2N) ||Y||^2 = 1/2. The checker used to take the loss of f_0
 * from its tangent passes only, of which there are none at m = 0, so the enclosure stayed the
 * 0 it was initialised to and a loss interval [0, 0] was certified (with a strict_local_min and
 * a kink_multipliers claim beside it). Now: [0, 0] is refused by both checkers, [1/2, 1/2] is
 * certified. */
Test(critical, every_unit_dead_loss_of_the_zero_network)
{
    static const char *cert =
        ZERO_NETWORK_L2_HEAD
        " \"claims\": [{\"id\": \"critical_point\", \"kind\": \"critical_point\", \"statement\": \"s\", \"verdict\": \"certified\","
        "   \"point\": \"z\", \"radius_log2\": -16, \"kinks\": [], \"multipliers\": [], \"generators\": [],"
        "   \"dead_units\": [[1, 0], [1, 1], [2, 0], [2, 1]], \"loss\": {\"lo\": \"%s\", \"hi\": \"%s\"}},"
        "  {\"id\": \"strict_local_min\", \"kind\": \"strict_local_min\", \"statement\": \"s\", \"verdict\": \"%s\","
        "   \"critical_point\": \"critical_point\", \"rho\": \"1\"},"
        "  {\"id\": \"kink_multipliers\", \"kind\": \"kink_multipliers\", \"statement\": \"s\", \"verdict\": \"%s\","
        "   \"critical_point\": \"critical_point\", \"slopes\": []}]}";
    char dir[256], t[300], text[4096];
    FILE *f;
    int k;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(t, sizeof(t), "%s/t.json", dir);
    for (k = 0; k < 2; k++) {
        const char *args[] = { "verify", t, NULL }, *vargs[] = { t, NULL };
        snprintf(text, sizeof(text), cert, k == 0 ? "1/2" : "0", k == 0 ? "1/2" : "0", k == 0 ? "certified" : "not proven",
                 k == 0 ? "certified" : "not proven");
        cr_assert((f = fopen(t, "w")) != NULL);
        fputs(text, f);
        fclose(f);
        if (k == 0) {   /* the true loss: every claim certified */
            cr_expect_eq(tu_run(out, err, sizeof(out), args), 0, "%s%s", out, err);
            cr_expect(strstr(out, "critical_point critical_point certified OK") != NULL, "%s", out);
            cr_expect_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 0, "%s%s", out, err);
            cr_expect(strstr(out, "critical_point critical_point certified OK") != NULL, "%s", out);
        } else {        /* the loss 0: refused, with the loss named */
            refused(t, "the loss of the zero network stated as 0");
            cr_expect(strstr(out, "the loss f_0 over the box is 0.5") != NULL || strstr(out, "the loss f_0 over the box is [0.5")
                      != NULL, "%s", out);
        }
    }
}

/* Hand-made forgeries on two tiny exact critical points, refused with the reason named (review,
 * 2026-12-06):
 * - the zero point of L = 1, K = 2, n = 1, width 1 (H1 1 x 2, W_1 2 x 1): every gradient
 *   vanishes there, and f(eps (w, h)) = 1/2 - (eps^2/2) w.h + (lambda eps^2/2)(|w|^2 + |h|^2) + O(eps^4)
 *   falls along w = h (lambda = 1/250 < 1/2): a saddle. critical_point is certified (the
 *   Hessian is regular), strict_local_min written "certified" is refused (Cholesky fails), and
 *   "not proven" re-checks;
 * - the zero network of L = 2 with every unit dead (the test above): a rotation generator or a
 *   partial rotation of H1 that involves a dead unit is not a symmetry the slice may use. */
Test(critical, hand_made_forgeries_refused_with_reasons)
{
    static const char *saddle =
        "{\"format\": \"dncert-certificate\", \"version\": 2, \"producer\": {}, \"precision\": 64,"
        " \"problem\": {\"K\": 2, \"n\": [1, 1], \"L\": 1, \"width\": [1], \"activation\": [], \"bias\": \"none\","
        "   \"lambda_h\": \"1/250\", \"lambda_w\": [\"1/250\"]},"
        " \"points\": {\"z\": {\"layout\": \"expanded\", \"scalars\": {}, \"blocks\": {"
        "   \"H1\": {\"rows\": 1, \"cols\": 2, \"dense\": [\"0\", \"0\"]}, \"W1\": {\"rows\": 2, \"cols\": 1, \"dense\": [\"0\", \"0\"]}}}},"
        " \"claims\": [{\"id\": \"critical_point\", \"kind\": \"critical_point\", \"statement\": \"s\", \"verdict\": \"certified\","
        "   \"point\": \"z\", \"radius_log2\": -16, \"kinks\": [], \"multipliers\": [], \"generators\": [],"
        "   \"loss\": {\"lo\": \"0.49\", \"hi\": \"0.51\"}},"
        "  {\"id\": \"strict_local_min\", \"kind\": \"strict_local_min\", \"statement\": \"s\", \"verdict\": \"certified\","
        "   \"critical_point\": \"critical_point\", \"rho\": \"1\"}]}";
    static const char *dead =
        ZERO_NETWORK_L2_HEAD
        " \"claims\": [{\"id\": \"critical_point\", \"kind\": \"critical_point\", \"statement\": \"s\", \"verdict\": \"certified\","
        "   \"point\": \"z\", \"radius_log2\": -16, \"kinks\": [], \"multipliers\": [], \"generators\": [],"
        "   \"dead_units\": [[1, 0], [1, 1], [2, 0], [2, 1]], \"loss\": {\"lo\": \"1/2\", \"hi\": \"1/2\"}}]}";
    char dir[256], t[300];
    json_t *j;
    int k;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(t, sizeof(t), "%s/t.json", dir);
    for (k = 0; k < 2; k++) {   /* the saddle: strict_local_min claimed, then honestly not proven */
        const char *args[] = { "verify", t, NULL }, *vargs[] = { t, NULL };
        cr_assert((j = json_loads(saddle, 0, NULL)) != NULL);
        if (k == 1)
            json_object_set_new(tu_claim(j, "strict_local_min"), "verdict", json_string("not proven"));
        cr_assert_eq(json_dump_file(j, t, 0), 0);
        json_decref(j);
        cr_expect_eq(tu_run(out, err, sizeof(out), args), k == 0, "%s%s", out, err);
        cr_expect(strstr(out, "critical_point critical_point certified OK") != NULL, "%s", out);
        cr_expect_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), k == 0, "%s%s", out, err);
        cr_expect(strstr(out, k == 0 ? "strict_local_min strict_local_min not proven MISMATCH"
                                     : "strict_local_min strict_local_min not proven OK") != NULL, "%s", out);
        cr_expect(strstr(out, "is not shown positive definite on the box") != NULL, "%s", out);
    }
    for (k = 0; k < 3; k++) {   /* the zero network: as written certified; a dead unit in the slice refused */
        const char *vargs[] = { t, NULL };
        cr_assert((j = json_loads(dead, 0, NULL)) != NULL);
        if (k == 1)
            json_object_set_new(tu_claim(j, "critical_point"), "generators", json_pack("[[i, i, i]]", 1, 0, 1));
        else if (k == 2)
            json_object_set_new(tu_claim(j, "critical_point"), "partial_generators", json_pack("[[i, i, i]]", 0, 1, 0));
        cr_assert_eq(json_dump_file(j, t, 0), 0);
        json_decref(j);
        if (k == 0) {
            cr_expect_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 0, "%s%s", out, err);
            continue;
        }
        refused(t, k == 1 ? "a rotation of two dead units" : "a partial rotation of two dead units");
        cr_expect(strstr(out, k == 1 ? "generators[0] = [1, 0, 1] rotates a dead unit: not a symmetry"
                                     : "partial_generators[0] = [0, 1, 0] rotates a dead unit of layer 1") != NULL, "%s", out);
    }
}

/* The checker's bound on the row sums of |I - Y A| for the double path of the Krawczyk test
 * (src/verifier/vdense.c, docs/refine.md §7.9) against the exact row sums, in
 * rational arithmetic (an independent computation): on random A and a perturbed inverse Y of
 * 2..12 rows with entries of magnitudes 2^-60..2^60 (so the products round), the bound is
 * never below the exact value. Then a case where the product's rounding decides, by hand:
 * A = diag(1 + 2^-52, 1), Y = diag(1 - 2^-52, 1); Y A = diag(1 - 2^-104, 1) rounds to I in
 * double, so |I - Y A| has row sums (2^-104, 0) while |I - fl(Y A)| is 0. With the rounding
 * terms of (P1) scaled to 0 the bound falls below 2^-104 (this test would catch a bound
 * smaller than proven); with them it does not. */
static void q_set_d(fmpq_t q, double d)
{
    arf_t f;
    arf_init(f);
    arf_set_d(f, d);
    arf_get_fmpq(q, f);
    arf_clear(f);
}

static void exact_row_sums(fmpq *s, const double *Y, const double *A, slong m)
{
    fmpq_t t, y, a;
    slong i, j, k;
    fmpq_init(t); fmpq_init(y); fmpq_init(a);
    for (i = 0; i < m; i++) {
        fmpq_zero(s + i);
        for (j = 0; j < m; j++) {
            fmpq_set_si(t, i == j, 1);
            for (k = 0; k < m; k++) {
                q_set_d(y, Y[i + m * k]);
                q_set_d(a, A[k + m * j]);
                fmpq_submul(t, y, a);
            }
            fmpq_abs(t, t);
            fmpq_add(s + i, s + i, t);
        }
    }
    fmpq_clear(t); fmpq_clear(y); fmpq_clear(a);
}

static int bound_holds(const double *Y, const double *A, slong m)
{
    double *rho = malloc(m * sizeof(double));
    fmpq *s = _fmpq_vec_init(m);
    fmpq_t r;
    slong i;
    int ok;
    fmpq_init(r);
    cr_assert(dncv_test_krawczyk_rows(rho, Y, A, m));
    exact_row_sums(s, Y, A, m);
    for (i = 0, ok = 1; i < m; i++) {
        q_set_d(r, rho[i]);
        ok &= fmpq_cmp(r, s + i) >= 0;
    }
    fmpq_clear(r);
    _fmpq_vec_clear(s, m);
    free(rho);
    return ok;
}

Test(critical, krawczyk_double_row_bound_encloses_the_exact_one)
{
    flint_rand_t st;
    slong trial, m, i, j;
    flint_randinit(st);
    for (trial = 0; trial < 60; trial++) {
        double *A, *Y;
        m = 2 + trial % 11;
        A = malloc(m * m * sizeof(double));
        Y = malloc(m * m * sizeof(double));
        for (i = 0; i < m * m; i++)
            A[i] = ldexp((double) n_randint(st, 1 << 20) - (1 << 19) + 0.5, (int) n_randint(st, 121) - 80);
        for (j = 0; j < m; j++)   /* Y: a diagonally scaled copy of A^T with a perturbation, */
            for (i = 0; i < m; i++)   /* any matrix is a preconditioner */
                Y[i + m * j] = (i == j ? 1.0 / A[j + m * i] : 0.0) + ldexp((double) n_randint(st, 1000), -70);
        cr_expect(bound_holds(Y, A, m), "trial %ld, m = %ld: the bound is below the exact row sum", (long) trial, (long) m);
        free(A);
        free(Y);
    }
    {
        double A[4] = { 1.0 + 0x1p-52, 0.0, 0.0, 1.0 }, Y[4] = { 1.0 - 0x1p-52, 0.0, 0.0, 1.0 };
        cr_expect(bound_holds(Y, A, 2), "the hand-made case");
        dncv_test_krawczyk_bound_scale(0.0);
        cr_expect(!bound_holds(Y, A, 2), "with the rounding terms at 0 the hand-made case should fail");
        dncv_test_krawczyk_bound_scale(1.0);
    }
    flint_randclear(st);
}

/* The two paths of Krawczyk's test and of strict_local_min's Cholesky (docs/refine.md §7.9),
 * each alone (DNCERT_CRITICAL_METHOD, read by the producer and both checkers), on the K = 6,
 * L = 4 point of k6_l4_zero_weights_below_srg. The double path: certify-point says it used
 * the double preconditioner and certifies the point and its strict_local_min, both checkers
 * confirm them, and the loss agrees with the refined point's exact loss to 1e-50 (another code
 * path). Refused on the double path: the centre moved by 2^-150 in one entry (the box of
 * radius 2^-192 no longer holds the zero), a generator left out (a flat direction: the system
 * is singular), and strict_local_min with rho = 3 (the double path takes powers of 2). The
 * ball path alone certifies the same claims. */
Test(critical, krawczyk_double_and_ball_paths, .timeout = 300)
{
    char dir[256], c[300], t[300];
    const char *cp[] = { "certify-point", DNCERT_SOURCE_DIR "/tests/data/critical/k6-l4", "--out", c, "--critical", NULL };
    const char *vargs[] = { c, NULL };
    json_t *j, *cl;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(c, sizeof(c), "%s/c.json", dir);
    snprintf(t, sizeof(t), "%s/t.json", dir);
    cr_assert_eq(setenv("DNCERT_CRITICAL_METHOD", "double", 1), 0);
    cr_assert_eq(tu_run(out, err, sizeof(out), cp), 0, "%s%s", out, err);
    cr_expect(strstr(out, "critical    certified") != NULL, "%s", out);
    cr_expect(strstr(out, "Krawczyk (preconditioner in double, §7.9) contracts") != NULL, "%s", out);
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 0, "%s%s", out, err);
    cr_expect(strstr(out, "critical_point critical_point certified OK") != NULL, "%s", out);
    cr_expect(strstr(out, "strict_local_min strict_local_min certified OK") != NULL, "%s", out);
    cl = claim_copy(c, &j);
    expect_loss_agrees(j, cl);
    {   /* the centre moved: a nonzero entry of H1 in the critical point plus 2^-150 */
        json_t *pt = json_object_get(json_object_get(j, "points"), json_string_value(json_object_get(cl, "point")));
        json_t *d = json_object_get(json_object_get(json_object_get(pt, "blocks"), "H1"), "dense");
        fmpq_t q, h;
        size_t i = 0;
        char *s;
        fmpq_init(q);
        fmpq_init(h);
        while (strcmp(json_string_value(json_array_get(d, i)), "0") == 0)
            i++;
        cr_assert_eq(dnc_parse_rational(q, json_string_value(json_array_get(d, i))), 0);
        fmpq_set_si(h, 1, 1);
        fmpz_mul_2exp(fmpq_denref(h), fmpq_denref(h), 150);
        fmpq_add(q, q, h);
        s = fmpq_get_str(NULL, 10, q);
        json_array_set_new(d, i, json_string(s));
        flint_free(s);
        fmpq_clear(q);
        fmpq_clear(h);
        cr_assert_eq(json_dump_file(j, t, 0), 0);
    }
    json_decref(j);
    refused(t, "the centre moved by 2^-150");
    {
        const char *ex[] = { "verify", "--explain", t, NULL };
        tu_run(out, err, sizeof(out), ex);
        cr_expect(strstr(out, "Krawczyk (preconditioner in double, 118 unknowns): K(X) is not shown inside the box") != NULL,
                  "%s", out);
    }
    {   /* the last rotation generator left out */
        json_t *g;
        cl = claim_copy(c, &j);
        g = json_object_get(cl, "generators");
        cr_assert_gt(json_array_size(g), 0);
        json_array_remove(g, json_array_size(g) - 1);
        cr_assert_eq(json_dump_file(j, t, 0), 0);
        json_decref(j);
        refused(t, "a generator left out");
    }
    {   /* strict_local_min with rho = 3: the double path takes powers of 2 only */
        const char *args[] = { "verify", t, NULL };
        json_t *sl;
        j = json_load_file(c, 0, NULL);
        sl = tu_claim(j, "strict_local_min");
        cr_assert(sl != NULL);
        json_object_set_new(sl, "rho", json_string("3"));
        cr_assert_eq(json_dump_file(j, t, 0), 0);
        json_decref(j);
        cr_expect_eq(tu_run(out, err, sizeof(out), args), 1, "%s%s", out, err);
        cr_expect(strstr(out, "strict_local_min strict_local_min not proven MISMATCH") != NULL, "%s", out);
    }
    cr_assert_eq(setenv("DNCERT_CRITICAL_METHOD", "ball", 1), 0);
    {
        const char *cpf[] = { "certify-point", DNCERT_SOURCE_DIR "/tests/data/critical/k6-l4", "--out", c, "--critical",
                              "--force", NULL };
        cr_assert_eq(tu_run(out, err, sizeof(out), cpf), 0, "%s%s", out, err);
        cr_expect(strstr(out, "Krawczyk (in balls) contracts") != NULL, "%s", out);
        cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 0, "%s%s", out, err);
        cr_expect(strstr(out, "critical_point critical_point certified OK") != NULL, "%s", out);
        cr_expect(strstr(out, "strict_local_min strict_local_min certified OK") != NULL, "%s", out);
    }
    unsetenv("DNCERT_CRITICAL_METHOD");
}

/* The checker's positive-definiteness test on the double path (src/verifier/vdense.c,
 * docs/refine.md §7.9) on symmetric matrices whose answer is known by hand: diag(1..n) plus a
 * symmetric perturbation of entries below 2^-10 is positive definite (Gershgorin: lambda_min
 * >= 1 - n 2^-10) and is shown so; diag(1, .., 1, -2^-30) plus a perturbation below 2^-60 is
 * indefinite (Weyl: lambda_min <= -2^-30 + n 2^-60) and diag(1, .., 1, 2^-20) with an entry
 * bound of 2^-19 on its last diagonal entry admits the indefinite diag(1, .., 1, -2^-20): both
 * not proven (the last one is: without the entry bounds in its error term, the test passes it).
 * n = 2..12, 20 random perturbations each. */
Test(critical, pd_double_by_hand)
{
    flint_rand_t st;
    slong n, trial, i, j;
    flint_randinit(st);
    for (n = 2; n <= 12; n++)
        for (trial = 0; trial < 20; trial++) {
            double *A = calloc(n * n, sizeof(double)), *B = calloc(n * n, sizeof(double)), *D = calloc(n * n, sizeof(double));
            for (j = 0; j < n; j++)
                for (i = j; i < n; i++) {
                    double e = ldexp((double) n_randint(st, 1 << 20) - (1 << 19), -30);   /* |e| < 2^-11 */
                    A[i + n * j] = A[j + n * i] = (i == j ? (double) (i + 1) : 0.0) + e;
                    B[i + n * j] = B[j + n * i] = (i == j ? (i == n - 1 ? -0x1p-30 : 1.0) : 0.0) + ldexp(e, -50);
                }
            cr_expect(dncv_test_pd_double(A, D, n), "n = %ld: a positive definite matrix not shown so", (long) n);
            cr_expect(!dncv_test_pd_double(B, D, n), "n = %ld: an indefinite matrix shown positive definite", (long) n);
            memset(B, 0, n * n * sizeof(double));
            for (i = 0; i < n; i++)
                B[i + n * i] = i == n - 1 ? 0x1p-20 : 1.0;
            D[n * n - 1] = 0x1p-19;
            cr_expect(!dncv_test_pd_double(B, D, n), "n = %ld: a box holding an indefinite matrix shown positive definite",
                      (long) n);
            free(A);
            free(B);
            free(D);
        }
    flint_randclear(st);
}

/* Bounded work (format §9) must count the Gram matrix of the q generators (vcrit.c gram: a q x
 * nf x q ball product, its test in double, and where that fails and q <= 800 its inverse in
 * balls). Found by the hostile review of the double path (helper, branch rev3): a hand-made
 * point (K = 2, n = 1, L = 2, width [d_1, 2], every pre-activation positive) with all
 * d_1 (d_1 - 1) / 2 rotations of layer 1 as generators, which are dependent, so the test in
 * double fails. At d_1 = 45 (990 generators, m = 1174) the estimate of the double path alone
 * said 1.2 s a claim while arb_mat_inv of the 990 x 990 matrix took 62.7 s and 709 MB. Now the
 * inverse in balls runs only where q <= 800: at d_1 = 45 one claim is checked (not proven, the
 * Gram matrix is not shown invertible) in about a second; at d_1 = 40 (780 generators) the
 * ball inverse runs (about 29 s by the measured q^3 rate), and two such claims must be refused
 * by the estimate. A last claim of an unknown kind stops the run right after the estimate. */
static json_t *dense_block(slong r, slong c, ulong *s, int pos)
{
    json_t *d = json_array();
    slong i;
    char buf[32];
    for (i = 0; i < r * c; i++) {
        long v;
        *s = *s * 6364136223846793005UL + 1442695040888963407UL;
        v = (long) ((*s >> 33) % 64);
        snprintf(buf, sizeof(buf), "%ld/64", pos ? v + 1 : v - 32);
        json_array_append_new(d, json_string(buf));
    }
    return json_pack("{s:I, s:I, s:o}", "rows", (json_int_t) r, "cols", (json_int_t) c, "dense", d);
}

/* The certificate t (at prec bits) of a K-class, one-sample, L = 2 ReLU problem of widths d1,
 * w2 with one point "critical" (blocks) and the claims (both references taken). */
static void two_layer_file(const char *t, slong K, slong d1, slong w2, slong prec, json_t *blocks, json_t *claims)
{
    json_t *j = json_pack("{s:s, s:i, s:{s:s}, s:I, s:{s:I, s:[i, i], s:i, s:[I, I], s:[s], s:s, s:s, s:[s, s]}, "
                          "s:{s:{s:s, s:{}, s:o}}, s:o}",
                          "format", DNCV_FORMAT, "version", DNCV_VERSION, "producer", "program", "test", "precision",
                          (json_int_t) prec, "problem", "K", (json_int_t) K, "n", 1, 1, "L", 2, "width", (json_int_t) d1,
                          (json_int_t) w2, "activation", "relu", "bias", "none", "lambda_h", "1/250", "lambda_w",
                          "1/250", "1/250", "points", "critical", "layout", "expanded", "scalars", "blocks", blocks,
                          "claims", claims);
    cr_assert(j != NULL);
    cr_assert_eq(json_dump_file(j, t, 0), 0);
    json_decref(j);
}

/* The file t: `copies` critical_point claims on that point with all rotations of layer 1, then
 * (stop) a claim of an unknown kind. */
static void gram_file(const char *t, slong d1, int copies, int stop)
{
    const slong w2 = 2, K = 2;
    ulong s = 1;
    json_t *claims = json_array(), *gens = json_array(), *blocks;
    slong a, b, i;
    for (a = 0; a < d1; a++)
        for (b = a + 1; b < d1; b++)
            json_array_append_new(gens, json_pack("[i, I, I]", 1, (json_int_t) a, (json_int_t) b));
    blocks = json_pack("{s:o, s:o, s:o}", "H1", dense_block(d1, K, &s, 1), "W1", dense_block(w2, d1, &s, 1), "W2",
                       dense_block(K, w2, &s, 0));
    for (i = 0; i < copies; i++) {
        char id[32];
        snprintf(id, sizeof(id), "cp%ld", (long) i);
        json_array_append_new(claims, json_pack("{s:s, s:s, s:s, s:i, s:[], s:[], s:O, s:{s:s, s:s}, s:s, s:s}", "id", id,
                                                "kind", "critical_point", "point", "critical", "radius_log2", -192,
                                                "kinks", "multipliers", "generators", gens, "loss", "lo", "0", "hi", "1",
                                                "statement", "x", "verdict", "certified"));
    }
    if (stop)
        json_array_append_new(claims, json_pack("{s:s, s:s}", "id", "stop", "kind", "no_such_kind"));
    json_decref(gens);
    two_layer_file(t, K, d1, w2, 256, blocks, claims);
}

Test(critical, work_estimate_counts_the_gram_matrix_of_the_generators, .timeout = 120)
{
    char dir[256], t[300];
    const char *args[] = { "verify", "--explain", t, NULL };
    tu_tmpdir(dir, sizeof(dir));
    snprintf(t, sizeof(t), "%s/t.json", dir);
    gram_file(t, 45, 1, 0);   /* 990 generators: checked, in double only */
    cr_expect_eq(tu_run(out, err, sizeof(out), args), 1, "%s%s", out, err);
    cr_expect(strstr(out, "cp0 critical_point not proven MISMATCH") != NULL && strstr(out, "Gram matrix") != NULL,
              "%s%s", out, err);
    gram_file(t, 40, 2, 1);   /* 780 generators: the ball inverse runs, about 29 s a claim */
    cr_expect_neq(tu_run(out, err, sizeof(out), args), 0);
    cr_expect(strstr(out, "would take about") != NULL,
              "2 claims, each a 780 x 780 Gram matrix inverted in balls, passed the 60 s estimate: %s%s", out, err);
}

/* Bounded work with zero weights (hostile review, branch rev3): the estimate counts the
 * listed zero weights as unknowns, the check does not. A hand-made point (K = 2, n = 1, L = 2,
 * width [40, 40]; rows 0..29 of W_1 inactive, with 32 of their entries listed as zero weights,
 * 960 in all) has m = 1760 by the estimate's count and 800 unknowns when checked, so the
 * check may run the ball path (at most 800) where the double path fails, while an estimate
 * that charged only the double path at 1760 said 14.5 s for one claim at 4096 bits that took
 * 256 s and 2.8 GB. The estimate must charge the ball path whenever m - (zero weights) allows
 * it: one such claim at 4096 bits is refused. A last claim of an unknown kind stops the run
 * right after the estimate. */
Test(critical, work_estimate_counts_the_ball_path_when_zero_weights_lower_the_unknowns)
{
    char dir[256], t[300];
    const char *args[] = { "verify", t, NULL };
    const slong d1 = 40, w2 = 40, K = 2;
    ulong s = 3;
    json_t *claims, *zw = json_array(), *blocks, *H1, *W1, *d;
    slong i, u;
    char buf[32];
    tu_tmpdir(dir, sizeof(dir));
    snprintf(t, sizeof(t), "%s/t.json", dir);
    H1 = dense_block(d1, K, &s, 1);
    d = json_array();   /* W_1 (w2 x d1, column-major): rows < 30 negative or held at 0, the others positive */
    for (u = 0; u < d1; u++)
        for (i = 0; i < w2; i++) {
            s = s * 6364136223846793005UL + 1442695040888963407UL;
            if (i < 30 && u < 32)
                snprintf(buf, sizeof(buf), "0");
            else
                snprintf(buf, sizeof(buf), "%ld/64", (i < 30 ? -1 : 1) * (long) ((s >> 33) % 64 + 1));
            json_array_append_new(d, json_string(buf));
        }
    W1 = json_pack("{s:I, s:I, s:o}", "rows", (json_int_t) w2, "cols", (json_int_t) d1, "dense", d);
    for (i = 0; i < 30; i++)
        for (u = 0; u < 32; u++)
            json_array_append_new(zw, json_pack("[i, I, I]", 1, (json_int_t) i, (json_int_t) u));
    blocks = json_pack("{s:o, s:o, s:o}", "H1", H1, "W1", W1, "W2", dense_block(K, w2, &s, 0));
    claims = json_pack("[{s:s, s:s, s:s, s:i, s:[], s:[], s:[], s:o, s:{s:s, s:s}, s:s, s:s}, {s:s, s:s}]", "id", "cp",
                       "kind", "critical_point", "point", "critical", "radius_log2", -1024, "kinks", "multipliers",
                       "generators", "zero_weights", zw, "loss", "lo", "0", "hi", "1", "statement", "x", "verdict",
                       "certified", "id", "stop", "kind", "no_such_kind");
    cr_assert(claims != NULL);
    two_layer_file(t, K, d1, w2, 4096, blocks, claims);
    cr_expect_neq(tu_run(out, err, sizeof(out), args), 0);
    cr_expect(strstr(out, "would take about") != NULL, "960 zero weights: the ball path at 800 unknowns and 4096 bits "
              "passed the estimate: %s%s", out, err);
}

/* A misspelt DNCERT_CRITICAL_METHOD would silently run both paths (the test above would then
 * not test what it says): the producer and the checker refuse it, naming the variable and
 * the values allowed, before doing anything, and write nothing. */
Test(critical, unknown_critical_method_is_refused)
{
    char dir[256], c[300];
    const char *cp[] = { "certify-point", DNCERT_SOURCE_DIR "/tests/data/critical/k6-l4", "--out", c, "--critical", NULL };
    const char *vargs[] = { DNCERT_SOURCE_DIR "/certificates/critical-points/critical-K4-L5.json", NULL };
    tu_tmpdir(dir, sizeof(dir));
    snprintf(c, sizeof(c), "%s/c.json", dir);
    cr_assert_eq(setenv("DNCERT_CRITICAL_METHOD", "Double", 1), 0);
    cr_expect_eq(tu_run(out, err, sizeof(out), cp), 2, "%s%s", out, err);
    cr_expect(strstr(err, "DNCERT_CRITICAL_METHOD='Double': expected 'double' or 'ball'") != NULL, "%s", err);
    cr_expect_eq(access(c, F_OK), -1, "a file was written: %s", c);
    cr_expect_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 2, "%s%s", out, err);
    cr_expect(strstr(err, "DNCERT_CRITICAL_METHOD='Double': expected 'double' or 'ball'") != NULL, "%s", err);
    cr_assert_eq(setenv("DNCERT_CRITICAL_METHOD", "ball", 1), 0);
    cr_expect_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 0, "%s%s", out, err);
}

/* The class rotation (a, b) = (0, 1) (docs/refine.md §7.10, format §6.9) on a hand-made point:
 * K = 3, n = 1, L = 2, d_1 = d_2 = 4, H1 = I_4[:, 0:3], so U = W_1 H1 is the first three
 * columns of W_1. Pattern of layer 2 (rows: units): unit 0 [kink, P+, P+], unit 1 [P+, P+, P+]
 * (both linear on the data), units 2, 3 [P+, P+, P-]. The one kept kink row, (0, 0), reads
 * B_01 U_10 = (U A)_00 = -U_01, so B_01 = -U_01 / U_10 = -0.7 / 0.5 = -1.4 (by hand), and
 * the tangent is dH1 = -H1 A (column 0 gains h_1 = e_1, column 1 loses h_0 = e_0),
 * dW_1 = B W_1, dW_2 = A W_2 - W_2 B. Checked entry by entry against that, and as a symmetry:
 * the kink stays 0 and the output moves by A Z - Z A (which keeps ||Z - I||) to first order,
 * computed here in doubles from the definition of the network. Patterns that break
 * (3)(i)/(ii)/(iv) of format §6.9, a rotation mixing a column with P- entries, and a problem
 * with two samples in a class give no generator. */
Test(critical, class_rotation_by_hand)
{
    dnc_problem_t p, p2;
    dnc_problem_args pa;
    slong n, i, k, j, w1, w2;
    arb_ptr th, s;
    double W1[4][4] = { { 0, 0.7, 0.4, 0.3 }, { 0.5, 0.2, 0.6, -0.2 }, { 0.3, 0.9, -0.5, 0.1 }, { 0.8, 0.4, -0.3, 0.6 } };
    double W2[3][4] = { { 0.5, -0.2, 0.3, 0.1 }, { 0.2, 0.4, -0.1, 0.6 }, { -0.3, 0.1, 0.5, 0.2 } };
    double B01 = -0.7 / 0.5, dW1[4][4], dW2[3][4], dH1[4][3], dU[4][3], Z[3][3], dZ[3][3];
    signed char st2[12] = { 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1 };   /* d x N column-major */
    const signed char *state[3] = { NULL, NULL, st2 };
    th = hand_point(p, W1, W2, &n, &w1, &w2);
    s = _arb_vec_init(n);
    cr_assert(dnc_critical_class_rotation(s, th, p, state, 0, 1, 256), "no class rotation (0, 1)");
    for (i = 0; i < 4; i++)
        for (j = 0; j < 3; j++) {
            dH1[i][j] = arf_get_d(arb_midref(s + i + 4 * j), ARF_RND_NEAR);
            cr_expect_eq(dH1[i][j], (i == 1 && j == 0) ? 1.0 : (i == 0 && j == 1) ? -1.0 : 0.0, "dH1[%ld][%ld] = %g",
                         (long) i, (long) j, dH1[i][j]);
        }
    for (i = 0; i < 4; i++)
        for (k = 0; k < 4; k++) {
            double want = i == 0 ? B01 * W1[1][k] : i == 1 ? -B01 * W1[0][k] : 0.0;
            dW1[i][k] = arf_get_d(arb_midref(s + w1 + i + 4 * k), ARF_RND_NEAR);
            cr_expect(fabs(dW1[i][k] - want) < 1e-14, "dW1[%ld][%ld] = %.17g, by hand %.17g", (long) i, (long) k, dW1[i][k],
                      want);
        }
    for (i = 0; i < 3; i++)
        for (k = 0; k < 4; k++) {
            double want = (i == 0 ? W2[1][k] : i == 1 ? -W2[0][k] : 0.0) - (k == 0 ? -B01 * W2[i][1] : 0.0)
                          - (k == 1 ? B01 * W2[i][0] : 0.0);
            dW2[i][k] = arf_get_d(arb_midref(s + w2 + i + 3 * k), ARF_RND_NEAR);
            cr_expect(fabs(dW2[i][k] - want) < 1e-14, "dW2[%ld][%ld] = %.17g, by hand %.17g", (long) i, (long) k, dW2[i][k],
                      want);
        }
    /* the network: U = W1 H1, H2 = relu(U) on the pattern, Z = W2 H2; dU = dW1 H1 + W1 dH1 */
    for (i = 0; i < 4; i++)
        for (j = 0; j < 3; j++) {
            dU[i][j] = dW1[i][j];
            for (k = 0; k < 4; k++)
                dU[i][j] += W1[i][k] * dH1[k][j];
        }
    cr_expect(fabs(dU[0][0]) < 1e-15, "the kink (0, 0) moves by %g", dU[0][0]);
    for (i = 0; i < 3; i++)
        for (j = 0; j < 3; j++) {
            Z[i][j] = dZ[i][j] = 0;
            for (k = 0; k < 4; k++) {
                int on = st2[k + 4 * j] == 1;
                Z[i][j] += W2[i][k] * (on ? W1[k][j] : 0.0);
                dZ[i][j] += dW2[i][k] * (on ? W1[k][j] : 0.0) + W2[i][k] * (on ? dU[k][j] : 0.0);
            }
        }
    for (i = 0; i < 3; i++)   /* A Z - Z A with A = E_01 - E_10 */
        for (j = 0; j < 3; j++) {
            double az = i == 0 ? Z[1][j] : i == 1 ? -Z[0][j] : 0.0, za = j == 0 ? -Z[i][1] : j == 1 ? Z[i][0] : 0.0;
            cr_expect(fabs(dZ[i][j] - (az - za)) < 1e-14, "dZ[%ld][%ld] = %.17g, A Z - Z A = %.17g", (long) i, (long) j,
                      dZ[i][j], az - za);
        }
    cr_expect(!dnc_critical_class_rotation(s, th, p, state, 1, 2, 256), "column 2 has P- entries, yet it was rotated");
    st2[2 + 4 * 0] = 0;   /* (ii): unit 2 (not linear on the data) has a kink in column 0, not in column 1 */
    cr_expect(!dnc_critical_class_rotation(s, th, p, state, 0, 1, 256), "(ii) broken, yet a generator");
    st2[2 + 4 * 0] = 1;
    st2[3 + 4 * 1] = -1;   /* (i): unit 3 negative in column 1 */
    cr_expect(!dnc_critical_class_rotation(s, th, p, state, 0, 1, 256), "(i) broken, yet a generator");
    st2[3 + 4 * 1] = 1;
    st2[1 + 4 * 0] = 0;   /* (iv): no linear unit active in column 0, and unit 0 has a kink there but not in 1 */
    cr_expect(!dnc_critical_class_rotation(s, th, p, state, 0, 1, 256), "(iv) broken, yet a generator");
    st2[1 + 4 * 0] = 1;
    cr_expect(dnc_critical_class_rotation(s, th, p, state, 0, 1, 256), "the pattern restored gives no generator");
    memset(&pa, 0, sizeof(pa));   /* two samples in class 0: Y is not I, no class rotation */
    pa.K = "3";
    pa.n = "2,1,1";
    pa.L = "2";
    pa.width = "4,4";
    dnc_problem_init(p2);
    cr_assert_eq(dnc_problem_set_args(p2, &pa, err, sizeof(err)), 0, "%s", err);
    {
        slong n2 = dnc_param_offset(p2, p2->N, DNC_NKINDS, 0);
        arb_ptr th2 = _arb_vec_init(n2), s2 = _arb_vec_init(n2);
        signed char st[16] = { 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1 };
        const signed char *stt[3] = { NULL, NULL, st };
        cr_expect(!dnc_critical_class_rotation(s2, th2, p2, stt, 0, 1, 256), "a class rotation with n = (2, 1, 1)");
        _arb_vec_clear(th2, n2);
        _arb_vec_clear(s2, n2);
    }
    dnc_problem_clear(p2);
    _arb_vec_clear(th, n);
    _arb_vec_clear(s, n);
    dnc_problem_clear(p);
}

/* Check 3(iv) of format §6.9, in the checkers: the point of class_rotation_by_hand with unit 1
 * given a kink in column 0 as well (W_1[1][0] = 0), so no unit linear on the data (units 0, 1)
 * is active in column 0; their kink rows there are not kept, and unit 0 has a kink in column 0
 * but not in column 1, so the class rotation (0, 1) would move that kink (rho = -U_01 != 0):
 * not a symmetry. The point is saved as a run, certify-point writes its (not proven)
 * critical_point claim, and a copy that lists the class rotation and says "certified" is
 * refused by both checkers, for that reason. */
Test(critical, class_rotation_check_iv_in_the_checkers)
{
    char dir[256], run[300], c[300], t[300], e[512];
    double W1[4][4] = { { 0, 0.7, 0.4, 0.3 }, { 0, 0.2, 0.6, -0.2 }, { 0.3, 0.9, -0.5, 0.1 }, { 0.8, 0.4, -0.3, 0.6 } };
    double W2[3][4] = { { 0.5, -0.2, 0.3, 0.1 }, { 0.2, 0.4, -0.1, 0.6 }, { -0.3, 0.1, 0.5, 0.2 } };
    const char *cp[] = { "certify-point", run, "--out", c, "--critical", NULL };
    const char *ex[] = { "verify", "--explain", t, NULL };
    dnc_problem_t p;
    slong n, w1, w2, i;
    arb_ptr th = hand_point(p, W1, W2, &n, &w1, &w2);
    double *x = malloc(n * sizeof(double));
    json_t *j, *cl;
    for (i = 0; i < n; i++)
        x[i] = arf_get_d(arb_midref(th + i), ARF_RND_NEAR);
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/run", dir);
    snprintf(c, sizeof(c), "%s/c.json", dir);
    snprintf(t, sizeof(t), "%s/t.json", dir);
    cr_assert_eq(mkdir(run, 0700), 0);
    cr_assert_eq(dnc_point_save(run, p, x, NULL, e, sizeof(e)), 0, "%s", e);
    tu_run(out, err, sizeof(out), cp);
    cl = claim_copy(c, &j);
    cr_assert(cl != NULL, "no critical_point claim: %s%s", out, err);
    json_object_set_new(cl, "class_rotations", json_loads("[[0, 1]]", 0, NULL));
    json_object_set_new(cl, "generators", json_array());   /* the class rotation is checked after them */
    json_object_set_new(cl, "verdict", json_string("certified"));
    for (i = (slong) json_array_size(json_object_get(j, "claims")) - 1; i >= 0; i--) {   /* only the claims before it */
        const char *k = json_string_value(json_object_get(json_array_get(json_object_get(j, "claims"), i), "kind"));
        if (strcmp(k, "kink_multipliers") == 0 || strncmp(k, "strict_local_min", 16) == 0 || strcmp(k, "d_stationary") == 0)
            json_array_remove(json_object_get(j, "claims"), i);
    }
    cr_assert_eq(json_dump_file(j, t, 0), 0);
    json_decref(j);
    refused(t, "a class rotation breaking (iv)");
    tu_run(out, err, sizeof(out), ex);
    cr_expect(strstr(out, "(check 3(iv)): not a symmetry") != NULL, "%s", out);
    free(x);
    _arb_vec_clear(th, n);
    dnc_problem_clear(p);
}

/* The zero network (K = 3, n = 1, L = 2, width 3, no bias; every parameter 0): every unit is
 * dead, so the KKT system has no unknown at all. The producer used to skip its only evaluation
 * then (no dual pass to run), left the dead units' gradient test unset and wrote
 * critical_point "not proven", which the checkers certify: certify-point refused its own file
 * and exited 1 (found 2026-12-07 by running refine and certify-point on degenerate points).
 * Now both certify it: the zero point is an exact KKT point (every gradient entry is a product
 * with a zero factor), with loss (1/(2N)) ||Y||^2 = (1/6) 3 = 1/2 by hand. */
/* 1 iff lo <= x <= hi for the interval {"lo", "hi"} iv. */
static int iv_contains(const json_t *iv, const fmpq_t x)
{
    fmpq_t lo, hi;
    int ok;
    fmpq_init(lo);
    fmpq_init(hi);
    ok = dnc_parse_rational(lo, json_string_value(json_object_get(iv, "lo"))) == 0
         && dnc_parse_rational(hi, json_string_value(json_object_get(iv, "hi"))) == 0 && fmpq_cmp(lo, x) <= 0
         && fmpq_cmp(x, hi) <= 0;
    fmpq_clear(lo);
    fmpq_clear(hi);
    return ok;
}

Test(critical, zero_network_no_unknowns)
{
    char dir[256], run[300], c[300], e[512];
    const char *cp[] = { "certify-point", run, "--out", c, "--critical", NULL };
    const char *vargs[] = { c, NULL };
    dnc_problem_t p;
    slong n;
    double *x;
    json_t *j;
    fmpq_t half;
    tu_problem(p, "3", "1", "2", "3", "relu", "none", "1/250");
    n = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    x = calloc((size_t) n, sizeof(double));
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/run", dir);
    snprintf(c, sizeof(c), "%s/c.json", dir);
    cr_assert_eq(mkdir(run, 0700), 0);
    cr_assert_eq(dnc_point_save(run, p, x, NULL, e, sizeof(e)), 0, "%s", e);
    cr_assert_eq(tu_run(out, err, sizeof(out), cp), 0, "%s%s", out, err);
    cr_expect(strstr(out, "critical    certified: 0 unknowns") != NULL, "%s", out);
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), vargs), 0, "%s%s", out, err);
    cr_expect(strstr(out, "critical_point critical_point certified OK") != NULL, "%s", out);
    j = json_load_file(c, 0, NULL);
    cr_assert(j != NULL);
    fmpq_init(half);
    fmpq_set_si(half, 1, 2);
    cr_expect(iv_contains(json_object_get(tu_claim(j, "critical_point"), "loss"), half), "the loss is not 1/2");
    fmpq_clear(half);
    json_decref(j);
    {   /* the double paths of Krawczyk and of the Cholesky (docs/refine.md §7.9) alone agree with
         * the ball path on a system of size 0 (review helper-48: they refused it) */
        const char *dargs[] = { c, NULL }, *dcp[] = { "certify-point", run, "--out", c, "--critical", "--force", NULL };
        setenv("DNCERT_CRITICAL_METHOD", "double", 1);
        cr_expect_eq(tu_run(out, err, sizeof(out), dcp), 0, "%s%s", out, err);
        unsetenv("DNCERT_CRITICAL_METHOD");
        cr_expect(strstr(out, "second      certified") != NULL, "%s", out);
        cr_expect_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, sizeof(out), dargs), 0, "%s%s", out, err);
    }
    free(x);
    dnc_problem_clear(p);
}
