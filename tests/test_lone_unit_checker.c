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

/* vx_kink_slopes_check on the point (H1, W_1, W_2 = I) with kinks and implied kinks (3 per
 * entry, sorted), multipliers 0, every slope interval [0, 1], and the one exact slope `slope` of
 * kink index kx by a lone unit in column j. 1 or 0; why <- the reason. */
static int check_held(const int H[3][3], const int W[3][3], const slong *kink, slong nk, const slong *imp, slong ni,
                      const slong *zw, slong nz, slong kx, slong slope, slong j, char *why, size_t len)
{
    static const int I3[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
    char err[512] = "";
    vx_ctx c;
    vx_point P;
    vx_crit_pattern pt = { kink, imp, NULL, zw, nk, ni, 0, nz };
    vx_shifts sh = { 0, NULL, NULL, NULL, NULL };
    slong ex[5] = { kx, slope, VX_LONE_UNIT, j, 0 }, e;
    fmpq *mu = _fmpq_vec_init(nk + 1), *lo = _fmpq_vec_init(nk + 1), *hi = _fmpq_vec_init(nk + 1);
    json_t *prob = json_pack("{s:i, s:[i, i, i], s:i, s:[i, i], s:[s], s:s, s:s, s:[s, s]}", "K", 3, "n", 1, 1, 1, "L", 2,
                             "width", 3, 3, "activation", "relu", "bias", "none", "lambda_h", "1/250", "lambda_w", "1/250",
                             "1/250");
    json_t *pj = json_pack("{s:s, s:{}, s:{s:{s:i, s:i, s:o}, s:{s:i, s:i, s:o}, s:{s:i, s:i, s:o}}}", "layout", "expanded",
                           "scalars", "blocks", "H1", "rows", 3, "cols", 3, "dense", dense(H), "W1", "rows", 3, "cols", 3,
                           "dense", dense(W), "W2", "rows", 3, "cols", 3, "dense", dense(I3));
    int ok;
    memset(&c, 0, sizeof(c));
    c.err = err;
    c.errlen = sizeof(err);
    c.prec = c.file_prec = 256;
    vx_problem_init(&c.p);
    cr_assert_eq(vx_problem_read(&c, prob), 0, "%s", err);
    cr_assert_eq(vx_point_read(&c, &P, "p", pj, 1), 0, "%s", err);
    for (e = 0; e < nk; e++)
        fmpq_one(hi + e);
    ok = vx_kink_slopes_check(&c.p, &P, -100, &pt, mu, lo, hi, ex, 1, &sh, 256, why, len);
    vx_point_clear(&P, c.p.L);
    vx_problem_clear(&c.p);
    json_decref(prob);
    json_decref(pj);
    _fmpq_vec_clear(mu, nk + 1);
    _fmpq_vec_clear(lo, nk + 1);
    _fmpq_vec_clear(hi, nk + 1);
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
