/* The lone_unit witness of kink_multipliers (format §6.10 check 4, docs/refine.md §7.14) in the
 * checker alone, on hand-made points: vx_kink_slopes_check does not look at claim
 * critical_point (whose certification is its caller's part), so any point shows which patterns
 * the witness accepts. The problem: K = 3, n = 1, L = 2, d_1 = d_2 = 3, lambda 1/250; layer 2's
 * pre-activations are U = W_1 H1. Each case lists its kinks; the witness is the exact slope of
 * unit 2's kink in column 1, [2, 2, 1], claimed 0 by a lone unit in column j.
 *
 * Accepted (the derivation of §7.14 applies): unit 2 P+ in column 0 only, units 0 and 1 P- in
 * column 0, h_0, h_1 independent (H1 = I); also with unit 0 an implied kink in column 0
 * (multiplier 0). Refused, each for its own condition: unit 0 P+ in column 0 as well; unit 0 a
 * listed kink in column 0 (its multiplier enters lambda_H h_0); unit 2 P+ in columns 0 and 2;
 * h_1 = 0 (the columns of H1 dependent: every entry of column 1 is then a kink), also with h_1
 * held at 0 (its Gram determinant is then exactly 0, a ball that is not positive); slope 1; the
 * witness at column 2, where unit 2 is P- (a kink of layer 3: tests/test_critical.c k4_l4_lone_unit). */
#include <string.h>
#include <criterion/criterion.h>
#include <flint/fmpq_vec.h>
#include "verifier/verifier.h"

/* The rows of a 3 x 3 matrix as a column-major "dense" JSON array of integers. */
static json_t *dense(const int m[3][3])
{
    json_t *a = json_array();
    int i, j;
    for (j = 0; j < 3; j++)
        for (i = 0; i < 3; i++)
            json_array_append_new(a, json_sprintf("%d", m[i][j]));
    return a;
}

/* vx_kink_slopes_check on problem prob and point pj (both consumed) with pattern pt, the one exact
 * slope ex, multipliers mu and slope intervals [lo, hi] (pt->nk each). 1 or 0; why <- the reason. */
static int slopes_check(json_t *prob, json_t *pj, const vx_crit_pattern *pt, const fmpq *mu, const fmpq *lo,
                        const fmpq *hi, const slong *ex, char *why, size_t len)
{
    char err[512] = "";
    vx_ctx c;
    vx_point P;
    vx_shifts sh = { 0, NULL, NULL, NULL, NULL };
    int ok;
    memset(&c, 0, sizeof(c));
    c.err = err;
    c.errlen = sizeof(err);
    c.prec = c.file_prec = 256;
    vx_problem_init(&c.p);
    cr_assert_eq(vx_problem_read(&c, prob), 0, "%s", err);
    cr_assert_eq(vx_point_read(&c, &P, "p", pj, 1), 0, "%s", err);
    ok = vx_kink_slopes_check(&c.p, &P, -100, pt, mu, lo, hi, ex, 1, &sh, 256, why, len, NULL, 0);
    vx_point_clear(&P, c.p.L);
    vx_problem_clear(&c.p);
    json_decref(prob);
    json_decref(pj);
    return ok;
}

/* The L = 2 point (H1, W_1, W_2 = I) with kinks and implied kinks (3 per entry, sorted), held
 * entries zw, multipliers 0, every slope interval [0, 1], and the one exact slope `slope` of kink
 * index kx by a lone unit in column j. 1 or 0; why <- the reason. */
static int check_held(const int H[3][3], const int W[3][3], const slong *kink, slong nk, const slong *imp, slong ni,
                      const slong *zw, slong nz, slong kx, slong slope, slong j, char *why, size_t len)
{
    static const int I3[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
    vx_crit_pattern pt = { kink, imp, NULL, zw, nk, ni, 0, nz };
    slong ex[5] = { kx, slope, VX_LONE_UNIT, j, 0 }, e;
    fmpq *mu = _fmpq_vec_init(3 * nk + 1), *lo = mu + nk, *hi = lo + nk;
    json_t *prob = json_pack("{s:i, s:[i, i, i], s:i, s:[i, i], s:[s], s:s, s:s, s:[s, s]}", "K", 3, "n", 1, 1, 1, "L", 2,
                             "width", 3, 3, "activation", "relu", "bias", "none", "lambda_h", "1/250", "lambda_w", "1/250",
                             "1/250");
    json_t *pj = json_pack("{s:s, s:{}, s:{s:{s:i, s:i, s:o}, s:{s:i, s:i, s:o}, s:{s:i, s:i, s:o}}}", "layout", "expanded",
                           "scalars", "blocks", "H1", "rows", 3, "cols", 3, "dense", dense(H), "W1", "rows", 3, "cols", 3,
                           "dense", dense(W), "W2", "rows", 3, "cols", 3, "dense", dense(I3));
    int ok;
    for (e = 0; e < nk; e++)
        fmpq_one(hi + e);
    ok = slopes_check(prob, pj, &pt, mu, lo, hi, ex, why, len);
    _fmpq_vec_clear(mu, 3 * nk + 1);
    return ok;
}

/* check_held without held entries. */
static int check(const int H[3][3], const int W[3][3], const slong *kink, slong nk, const slong *imp, slong ni, slong kx,
                 slong slope, slong j, char *why, size_t len)
{
    return check_held(H, W, kink, nk, imp, ni, NULL, 0, kx, slope, j, why, len);
}

static const int Id[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };

Test(lone_unit_checker, accepted_where_the_derivation_applies)
{
    static const int W[3][3] = { { -1, 1, -1 }, { -1, -1, 1 }, { 1, 0, -1 } };
    static const int W0[3][3] = { { 0, 1, -1 }, { -1, -1, 1 }, { 1, 0, -1 } };
    static const slong k1[] = { 2, 2, 1 }, imp[] = { 2, 0, 0 };
    char why[512] = "";
    cr_expect(check(Id, W, k1, 1, NULL, 0, 0, 0, 0, why, sizeof(why)), "%s", why);
    cr_expect(check(Id, W0, k1, 1, imp, 1, 0, 0, 0, why, sizeof(why)), "an implied kink in column 0: %s", why);
}

/* check() refuses, and says reason. */
static void refused(const int H[3][3], const int W[3][3], const slong *kink, slong nk, slong kx, slong slope, slong j,
                    const char *reason)
{
    char why[512] = "";
    cr_expect(!check(H, W, kink, nk, NULL, 0, kx, slope, j, why, sizeof(why)), "accepted: %s", reason);
    cr_expect(strstr(why, reason) != NULL, "no \"%s\" in: %s", reason, why);
}

Test(lone_unit_checker, refused_for_each_condition)
{
    static const int Wp[3][3] = { { 1, 1, -1 }, { -1, -1, 1 }, { 1, 0, -1 } };    /* unit 0 P+ in column 0 */
    static const int Wk[3][3] = { { 0, 1, -1 }, { -1, -1, 1 }, { 1, 0, -1 } };    /* unit 0 a kink there */
    static const int W2[3][3] = { { -1, 1, -1 }, { -1, -1, 1 }, { 1, 0, 1 } };    /* unit 2 P+ in 0 and 2 */
    static const int W[3][3] = { { -1, 1, -1 }, { -1, -1, 1 }, { 1, 0, -1 } };
    static const int Hd[3][3] = { { 1, 0, 0 }, { 0, 0, 0 }, { 0, 0, 1 } };       /* h_1 = 0 */
    static const int Wd[3][3] = { { -1, 5, -1 }, { -1, 5, 1 }, { 1, 5, -1 } };
    static const slong k1[] = { 2, 2, 1 }, k2[] = { 2, 0, 0, 2, 2, 1 }, k3[] = { 2, 0, 1, 2, 1, 1, 2, 2, 1 };
    refused(Id, Wp, k1, 1, 0, 0, 0, "unit 2 of layer 2 is not alone in column 0");
    refused(Id, Wk, k2, 2, 1, 0, 0, "unit 2 of layer 2 is not alone in column 0");
    refused(Id, W2, k1, 1, 0, 0, 0, "unit 2 of layer 2 is not alone in column 0");
    refused(Hd, Wd, k3, 3, 2, 0, 0, "not shown linearly independent");
    {   /* h_1 held at 0 (zero_weights [0, a, 1]): the Gram determinant is exactly 0, not positive */
        static const slong zw[] = { 0, 0, 1, 0, 1, 1, 0, 2, 1 };
        char why[512] = "";
        cr_expect(!check_held(Hd, Wd, k3, 3, NULL, 0, zw, 3, 2, 0, 0, why, sizeof(why)), "accepted with h_1 held at 0");
        cr_expect(strstr(why, "not shown linearly independent") != NULL, "%s", why);
    }
    refused(Id, W, k1, 1, 0, 1, 0, "a lone_unit witness proves slope 0");
    refused(Id, W, k1, 1, 0, 0, 2, "unit 2 of layer 2 is not alone in column 2");
}

/* The shared_input witness (format §6.10 check 4b, docs/refine.md §7.15) on a hand-made point of
 * K = 3, n = 1, L = 4, widths 3, H1 = I, W_4 all ones (so G_e is nonzero at the kinks of layer
 * 4). Layer 2: q = unit 0 is P+ in columns J = {0, 1}, the only active unit in column 0. Layer
 * 3: p = unit 0 has its kink e = [3, 0, 0] and is P+ in column 1; r = unit 1 is P+ exactly in J
 * and reads unit 1 of layer 2 (active in column 1) with weight 0, which its kink in column 2
 * (where unit 1 is the only active unit of layer 2) proves. Layer 4: unit 0 reads p and has a
 * kink in column 0 (r its only active input there); units 1 and 2 have kinks in column 2, where
 * p is the only active unit of layer 3, so they do not read p at the zero. Multipliers: 1 at
 * [4, 1, 2] (so G of [3, 1, 2] is not 0), else 0; the stated slopes of the other kinks are wide
 * (vx_kink_slopes_check leaves [0, 1] to its caller). Accepted: the witness q = 0, also with
 * weights held at 0. Refused, each for one condition: unit 2 of layer 4 reading p without a kink
 * in column 0; unit 2 of layer 2 active in column 0 too; slope 0; q = 1; the witness at the kink
 * [3, 1, 2] (q = 0 is not active in column 2); r active outside J; p P- in a column of J; r
 * reading another unit active in J. Each of the checker's conditions removed fails a case. */
static int check4z(const int W1[3][3], const int W2[3][3], const int W3[3][3], const slong *kink, slong nk,
                   const slong *zw, slong nz, slong kx, slong slope, slong q, char *why, size_t len)
{
    static const int ones[3][3] = { { 1, 1, 1 }, { 1, 1, 1 }, { 1, 1, 1 } };
    vx_crit_pattern pt = { kink, NULL, NULL, zw, nk, 0, 0, nz };
    slong ex[5] = { kx, slope, VX_SHARED_INPUT, q, 0 }, e;
    fmpq *mu = _fmpq_vec_init(3 * nk + 1), *lo = mu + nk, *hi = lo + nk;
    json_t *prob = json_pack("{s:i, s:[i, i, i], s:i, s:[i, i, i, i], s:[s, s, s], s:s, s:s, s:[s, s, s, s]}", "K", 3, "n",
                             1, 1, 1, "L", 4, "width", 3, 3, 3, 3, "activation", "relu", "relu", "relu", "bias", "none",
                             "lambda_h", "1/250", "lambda_w", "1/250", "1/250", "1/250", "1/250");
    json_t *pj = json_pack("{s:s, s:{}, s:{s:{s:i, s:i, s:o}, s:{s:i, s:i, s:o}, s:{s:i, s:i, s:o}, s:{s:i, s:i, s:o}, "
                           "s:{s:i, s:i, s:o}}}", "layout", "expanded", "scalars", "blocks", "H1", "rows", 3, "cols", 3,
                           "dense", dense(Id), "W1", "rows", 3, "cols", 3, "dense", dense(W1), "W2", "rows", 3, "cols", 3,
                           "dense", dense(W2), "W3", "rows", 3, "cols", 3, "dense", dense(W3), "W4", "rows", 3, "cols", 3,
                           "dense", dense(ones));
    int ok;
    for (e = 0; e < nk; e++) {
        fmpq_set_si(lo + e, -100, 1);
        fmpq_set_si(hi + e, 100, 1);
        if (kink[3 * e] == 4 && kink[3 * e + 1] == 1 && kink[3 * e + 2] == 2)
            fmpq_one(mu + e);
    }
    ok = slopes_check(prob, pj, &pt, mu, lo, hi, ex, why, len);
    _fmpq_vec_clear(mu, 3 * nk + 1);
    return ok;
}

/* check4z without held weights. */
static int check4(const int W1[3][3], const int W2[3][3], const int W3[3][3], const slong *kink, slong nk, slong kx,
                  slong slope, slong q, char *why, size_t len)
{
    return check4z(W1, W2, W3, kink, nk, NULL, 0, kx, slope, q, why, len);
}

Test(lone_unit_checker, shared_input_witness)
{
    static const int W1[3][3] = { { 1, 1, -1 }, { -1, 1, 1 }, { -1, -1, -1 } };
    static const int W1b[3][3] = { { 1, 1, -1 }, { -1, 1, 1 }, { 1, -1, -1 } };   /* unit 2 active in column 0 too */
    static const int W2[3][3] = { { 0, 1, 0 }, { 2, 0, 0 }, { -1, -1, -1 } };
    static const int W3[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, -1, 0 } };
    static const int W3b[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 1, -1, 0 } };      /* unit 2 reads p, no kink at 0 */
    static const slong k5[] = { 3, 0, 0, 3, 1, 2, 4, 0, 0, 4, 1, 2, 4, 2, 2 }, k4[] = { 3, 0, 0, 3, 1, 2, 4, 0, 0, 4, 1, 2 };
    char why[512] = "";
    cr_expect(check4(W1, W2, W3, k5, 5, 0, 1, 0, why, sizeof(why)), "%s", why);
    cr_expect(!check4(W1, W2, W3b, k4, 4, 0, 1, 0, why, sizeof(why)));
    cr_expect(strstr(why, "a unit of layer 4 reads unit 0 of layer 3 without a kink in column 0") != NULL, "%s", why);
    cr_expect(!check4(W1b, W2, W3, k5, 5, 0, 1, 0, why, sizeof(why)));
    cr_expect(strstr(why, "unit 0 of layer 2 is not the only active unit in column 0") != NULL, "%s", why);
    cr_expect(!check4(W1, W2, W3, k5, 5, 0, 0, 0, why, sizeof(why)));
    cr_expect(strstr(why, "a shared_input witness proves slope 1") != NULL, "%s", why);
    cr_expect(!check4(W1, W2, W3, k5, 5, 0, 1, 1, why, sizeof(why)));
    cr_expect(strstr(why, "unit 1 of layer 2 is not the only active unit in column 0") != NULL, "%s", why);
    cr_expect(!check4(W1, W2, W3, k5, 5, 1, 1, 0, why, sizeof(why)));
    cr_expect(strstr(why, "unit 0 of layer 2 is not the only active unit in column 2") != NULL, "%s", why);
    {   /* r also active in column 2 (fed by unit 2 of layer 2, active there only), its other reads
         * held at 0 and those of units 1 and 2 of layer 4 from p too: only that condition fails */
        static const int W1c[3][3] = { { 1, 1, -1 }, { -1, 1, 1 }, { -1, -1, 1 } };
        static const int W2c[3][3] = { { 0, 1, 0 }, { 2, 0, 1 }, { -1, -1, -1 } };
        static const slong kc[] = { 3, 0, 0, 4, 0, 0 }, zw[] = { 2, 1, 1, 3, 1, 0, 3, 2, 0 };
        cr_expect(check4z(W1, W2, W3, k5, 5, zw, 3, 0, 1, 0, why, sizeof(why)), "held weights: %s", why);
        cr_expect(!check4z(W1c, W2c, W3, kc, 2, zw, 3, 0, 1, 0, why, sizeof(why)));
        cr_expect(strstr(why, "is not active exactly where unit 0 of layer 2 is") != NULL, "%s", why);
    }
    {   /* p P- in column 1 of J (units 1 and 2 of layer 4 held off p): only that condition fails */
        static const int W2e[3][3] = { { 0, -1, 0 }, { 2, 0, 0 }, { -1, -1, -1 } };
        static const slong ke[] = { 3, 0, 0, 3, 1, 2, 4, 0, 0, 4, 0, 1, 4, 0, 2, 4, 1, 2, 4, 2, 2 };
        static const slong zw[] = { 3, 1, 0, 3, 2, 0 };
        cr_expect(!check4z(W1, W2e, W3, ke, 7, zw, 2, 0, 1, 0, why, sizeof(why)));
        cr_expect(strstr(why, "or unit 0 of layer 3 is not active in its other active columns") != NULL, "%s", why);
    }
    {   /* r reads unit 2 of layer 2, active in column 1 of J, with weight 1: only that condition fails */
        static const int W1d[3][3] = { { 1, 1, -1 }, { -1, 1, 1 }, { -1, 1, -1 } };
        static const int W2d[3][3] = { { 0, 1, 0 }, { 2, 0, 1 }, { -1, -1, -1 } };
        cr_expect(!check4(W1d, W2d, W3, k5, 5, 0, 1, 0, why, sizeof(why)));
        cr_expect(strstr(why, "or reads another unit active there") != NULL, "%s", why);
    }
}
