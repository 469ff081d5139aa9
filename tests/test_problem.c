/* The problem parser: exact rationals, lists, and the errors users see. */
#include <stdio.h>
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
