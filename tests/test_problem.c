/* The problem parser: exact rationals, lists, and the errors users see. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <arf.h>
#include "dncert/problem.h"
#include "testutil.h"

static int rational_is(const char *text, slong num, slong den)
{
    fmpq_t x, want;
    int ok;
    fmpq_init(x);
    fmpq_init(want);
    fmpq_set_si(want, num, (ulong) den);
    ok = dnc_parse_rational(x, text) == 0 && fmpq_equal(x, want);
    fmpq_clear(x);
    fmpq_clear(want);
    return ok;
}

Test(parse, decimals_are_exact_rationals)
{
    cr_assert(rational_is("0.004", 1, 250));
    cr_assert(rational_is("4e-3", 1, 250));
    cr_assert(rational_is("4E-3", 1, 250));
    cr_assert(rational_is("1/250", 1, 250));
    cr_assert(rational_is("2/500", 1, 250));
    cr_assert(rational_is(".5", 1, 2));
    cr_assert(rational_is("5.", 5, 1));
    cr_assert(rational_is("-1.25e+1", -25, 2));
    cr_assert(rational_is("0.1", 1, 10));   /* not the double 0.1000000000000000055... */
    cr_assert(rational_is("12", 12, 1));
    cr_assert(rational_is("0x1.8p-3", 3, 16));       /* 1.5 * 2^-3 */
    cr_assert(rational_is("-0x10p+0", -16, 1));
    cr_assert(rational_is("0x.1p4", 1, 1));
}

/* Every double printed with %a parses back to exactly that double. */
Test(parse, hexfloat_round_trip)
{
    double v[] = { 0.1, -2.5e-300, 1e300, 4.9e-324, 0.0238535931285789 };
    size_t i;
    fmpq_t x, y;
    fmpq_init(x);
    fmpq_init(y);
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%a", v[i]);
        cr_assert_eq(dnc_parse_rational(x, buf), 0, "%s", buf);
        {
            arf_t a;               /* the exact value of the double, via Arb */
            arf_init(a);
            arf_set_d(a, v[i]);
            arf_get_fmpq(y, a);
            arf_clear(a);
        }
        cr_assert(fmpq_equal(x, y), "%s", buf);
    }
    fmpq_clear(x);
    fmpq_clear(y);
}

Test(parse, rejects_non_numbers)
{
    fmpq_t x;
    const char *bad[] = { "", "abc", "1/0", "0.004x", "nan", "inf", "1e", "1e+", "--1", "1/2/3", ".", "e5", "0x10", " 1", "1 ",
                          "0xp1", "0x1.8", "0x1g" };
    size_t i;
    fmpq_init(x);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_expect_neq(dnc_parse_rational(x, bad[i]), 0, "accepted '%s'", bad[i]);
    fmpq_clear(x);
}

/* want = (1 - 10^(-6m)) / 7 = 0.142857142857... (m periods) */
static void set_sevenths(fmpq_t want, size_t m)
{
    fmpz_t t;
    fmpz_init_set_ui(t, 10);
    fmpz_pow_ui(t, t, 6 * m);
    fmpz_sub_ui(fmpq_numref(want), t, 1);
    fmpz_mul_ui(fmpq_denref(want), t, 7);
    fmpq_canonicalise(want);
    fmpz_clear(t);
}

/* Long inputs are read exactly (each checked against a closed form, not against the
 * parser's own conversion), up to the documented length; a million characters are
 * rejected (the old digit-by-digit parser took minutes on them). */
Test(parse, long_numbers_exact_up_to_the_cap)
{
    fmpq_t x, want;
    fmpz_t t;
    char *s;
    size_t m = (DNC_MAX_RATIONAL_CHARS - 2) / 6;
    fmpq_init(x);
    fmpq_init(want);
    fmpz_init(t);
    /* "0." then m copies of 142857 = (1 - 10^(-6m)) / 7 */
    s = tu_repeat("0.", "142857", m, "");
    cr_assert_eq(dnc_parse_rational(x, s), 0);
    set_sevenths(want, m);
    cr_assert(fmpq_equal(x, want));
    free(s);
    /* m - 1 copies of 142857, then "e-<6(m-1)>": the same form */
    s = tu_repeat("", "142857", m - 1, "");
    set_sevenths(want, m - 1);
    {
        char *e = malloc(strlen(s) + 32);
        sprintf(e, "%se-%zu", s, 6 * (m - 1));
        cr_assert_eq(dnc_parse_rational(x, e), 0);
        cr_assert(fmpq_equal(x, want));
        free(e);
    }
    free(s);
    /* 0x fff...f p0 = 16^k - 1 */
    s = tu_repeat("0x", "f", DNC_MAX_RATIONAL_CHARS - 4, "p0");
    cr_assert_eq(dnc_parse_rational(x, s), 0);
    fmpz_one(fmpq_numref(want));
    fmpz_mul_2exp(fmpq_numref(want), fmpq_numref(want), 4 * (DNC_MAX_RATIONAL_CHARS - 4));
    fmpz_sub_ui(fmpq_numref(want), fmpq_numref(want), 1);
    fmpz_one(fmpq_denref(want));
    cr_assert(fmpq_equal(x, want));
    free(s);
    /* 10^k / (10^k - 1) from "1000...0/999...9" */
    s = tu_repeat("1", "0", 40000, "");
    {
        char *f = tu_repeat(s, "", 0, "/"), *g = tu_repeat(f, "9", 40000, "");
        cr_assert_eq(dnc_parse_rational(x, g), 0);
        fmpz_set_ui(t, 10);
        fmpz_pow_ui(fmpq_numref(want), t, 40000);
        fmpz_sub_ui(fmpq_denref(want), fmpq_numref(want), 1);
        cr_assert(fmpq_equal(x, want));
        free(f);
        free(g);
    }
    free(s);
    /* one character too many, and a million */
    s = tu_repeat("", "1", DNC_MAX_RATIONAL_CHARS + 1, "");
    cr_assert_neq(dnc_parse_rational(x, s), 0);
    free(s);
    s = tu_repeat("0.", "1", 1000000 - 2, "");
    cr_assert_neq(dnc_parse_rational(x, s), 0);
    free(s);
    cr_assert_neq(dnc_parse_rational(x, "1e100001"), 0);
    cr_assert_neq(dnc_parse_rational(x, "0x1p-100001"), 0);
    cr_assert_eq(dnc_parse_rational(x, "1e-100000"), 0);
    fmpz_clear(t);
    fmpq_clear(x);
    fmpq_clear(want);
}

/* A long lambda broadcast to every layer, and the error for one past the cap, which
 * names the option and the limit. */
Test(problem, long_lambda_broadcast_and_cap)
{
    dnc_problem_args a;
    dnc_problem_t p;
    char err[512] = "", *lam = tu_repeat("0.", "5", DNC_MAX_RATIONAL_CHARS - 2, "");
    fmpq_t want;
    slong l;
    memset(&a, 0, sizeof(a));
    a.L = "1000";
    a.lambda = lam;
    dnc_problem_init(p);
    cr_assert_eq(dnc_problem_set_args(p, &a, err, sizeof(err)), 0, "%s", err);
    fmpq_init(want);
    fmpz_set_ui(fmpq_denref(want), 10);
    fmpz_pow_ui(fmpq_denref(want), fmpq_denref(want), DNC_MAX_RATIONAL_CHARS - 2);   /* 5/9 (1 - 10^-k) */
    fmpz_sub_ui(fmpq_numref(want), fmpq_denref(want), 1);
    fmpz_mul_ui(fmpq_numref(want), fmpq_numref(want), 5);
    fmpz_mul_ui(fmpq_denref(want), fmpq_denref(want), 9);
    fmpq_canonicalise(want);
    cr_assert(fmpq_equal(p->lambda_h, want));
    for (l = 0; l < 1000; l++)
        cr_assert(fmpq_equal(p->lambda_w + l, want));
    free(lam);
    lam = tu_repeat("0.", "5", DNC_MAX_RATIONAL_CHARS - 1, "");
    a.lambda = lam;
    cr_assert_neq(dnc_problem_set_args(p, &a, err, sizeof(err)), 0);
    cr_assert(strstr(err, "--lambda: must be a positive rational") != NULL, "%s", err);
    cr_assert(strstr(err, "at most 100000 characters") != NULL, "%s", err);
    free(lam);
    fmpq_clear(want);
    dnc_problem_clear(p);
}

/* Lists as long as K allows (the option parser had a 4096-byte buffer and 1000 items). */
Test(problem, count_list_of_the_largest_K)
{
    dnc_problem_args a;
    dnc_problem_t p;
    char err[512] = "", *n = tu_repeat("7", ",7", DNC_MAX_K - 1, "");
    memset(&a, 0, sizeof(a));
    a.K = "100000";
    a.n = n;
    a.L = "1";
    dnc_problem_init(p);
    cr_assert_eq(dnc_problem_set_args(p, &a, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(p->K, DNC_MAX_K);
    cr_assert_eq(p->N, 7 * DNC_MAX_K);
    cr_assert_eq(p->n[DNC_MAX_K - 1], 7);
    a.K = "100001";
    cr_assert_neq(dnc_problem_set_args(p, &a, err, sizeof(err)), 0);
    cr_assert(strstr(err, "--K: must be an integer in [2, 100000]") != NULL, "%s", err);
    dnc_problem_clear(p);
    free(n);
}

/* The trainer's range of weight decays is that of positive normal doubles, limits
 * included (each written exactly as a hexadecimal float), one ulp beyond them excluded. */
Test(problem, double_range_of_weight_decays)
{
    static const struct { const char *lambda; int ok; } cases[] = {
        { "0x1p-1022", 1 }, { "0x1.fffffffffffffp+1023", 1 }, { "1e-300", 1 }, { "1e300", 1 },
        { "0x1.fffffffffffffp-1023", 0 }, { "0x1.fffffffffffff8p+1023", 0 }, { "1e-400", 0 }, { "1e400", 0 },
    };
    dnc_problem_args a;
    dnc_problem_t p;
    char err[512];
    size_t i;
    dnc_problem_init(p);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&a, 0, sizeof(a));
        a.lambda_w = cases[i].lambda;
        cr_assert_eq(dnc_problem_set_args(p, &a, err, sizeof(err)), 0, "%s", err);
        cr_expect_eq(dnc_problem_check_double(p, &a, err, sizeof(err)) == 0, cases[i].ok, "%s", cases[i].lambda);
        if (!cases[i].ok)
            cr_expect(strstr(err, "--lambda-w: must be within [2.2250738585072014e-308, 1.7976931348623157e+308]") != NULL, "%s", err);
        cr_expect_eq(dnc_problem_check_double(p, NULL, err, sizeof(err)) == 0, cases[i].ok);
        if (!cases[i].ok)
            cr_expect(strstr(err, "problem.lambda_w: must be within") != NULL, "%s", err);
    }
    dnc_problem_clear(p);
}

Test(problem, lists_and_broadcast)
{
    dnc_problem_t p;
    fmpq_t q;
    tu_problem(p, "4", "200,100,50,50", "3", "8,6,5", "relu,linear", "free", "1/250");
    cr_assert_eq(p->K, 4);
    cr_assert_eq(p->N, 400);
    cr_assert_eq(p->n[1], 100);
    cr_assert_eq(p->width[2], 5);
    cr_assert_eq(p->act[0], DNC_ACT_RELU);
    cr_assert_eq(p->act[1], DNC_ACT_LINEAR);
    cr_assert_eq(p->bias, DNC_BIAS_FREE);
    fmpq_init(q);
    fmpq_set_si(q, 1, 250);
    cr_assert(fmpq_equal(p->lambda_h, q));
    cr_assert(fmpq_equal(p->lambda_w + 2, q));
    fmpq_clear(q);
    cr_assert_eq(dnc_problem_is_balanced(p), 0);
    dnc_problem_clear(p);
}

static void expect_error(const dnc_problem_args *a, const char *needle)
{
    dnc_problem_t p;
    char err[512] = "";
    dnc_problem_init(p);
    cr_expect_neq(dnc_problem_set_args(p, a, err, sizeof(err)), 0, "accepted (wanted '%s')", needle);
    cr_expect(strstr(err, needle) != NULL, "message '%s' lacks '%s'", err, needle);
    dnc_problem_clear(p);
}

Test(problem, errors_name_the_option)
{
    dnc_problem_args a;
    memset(&a, 0, sizeof(a)); a.K = "1"; expect_error(&a, "--K: must be an integer in [2,");
    memset(&a, 0, sizeof(a)); a.n = "0"; expect_error(&a, "--n: each count");
    memset(&a, 0, sizeof(a)); a.K = "3"; a.n = "1,2"; expect_error(&a, "--n: expected one value or K = 3");
    memset(&a, 0, sizeof(a)); a.width = "10,0,10"; expect_error(&a, "--width: each width must be an integer in [1,");
    memset(&a, 0, sizeof(a)); a.width = "10,10"; expect_error(&a, "--width: expected one value or L = 3");
    memset(&a, 0, sizeof(a)); a.lambda = "0"; expect_error(&a, "--lambda: must be a positive rational");
    memset(&a, 0, sizeof(a)); a.lambda_h = "-0.1"; expect_error(&a, "--lambda-h: must be a positive rational");
    memset(&a, 0, sizeof(a)); a.lambda_w = "0.1,0.1"; expect_error(&a, "--lambda-w: expected one value or L = 3");
    memset(&a, 0, sizeof(a)); a.activation = "tanh"; expect_error(&a, "--activation: must be relu or linear");
    memset(&a, 0, sizeof(a)); a.activation = "relu,relu,relu"; expect_error(&a, "--activation: expected one value or L-1 = 2");
    memset(&a, 0, sizeof(a)); a.bias = "yes"; expect_error(&a, "--bias: must be none or free");
    memset(&a, 0, sizeof(a)); a.L = "x"; expect_error(&a, "--L: must be an integer");
    memset(&a, 0, sizeof(a)); a.n = "5,,5"; a.K = "3"; expect_error(&a, "--n: each count");
    memset(&a, 0, sizeof(a)); a.lambda = "0.1,0.2"; expect_error(&a, "--lambda: expected a single value");
    memset(&a, 0, sizeof(a)); a.K = "2"; a.prefix = "problem."; a.lambda_h = "0"; expect_error(&a, "problem.lambda_h: must be a positive");
}
