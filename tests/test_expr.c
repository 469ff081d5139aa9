/* Exact expressions of theorem files; every expected value is worked out by hand. */
#include <string.h>
#include <criterion/criterion.h>
#include "dncert/expr.h"

static dnc_env env;

static void setup(void)
{
    dnc_env_init(&env);
    dnc_env_set_si(&env, "r", 5);
    dnc_env_set_si(&env, "L", 4);
    dnc_env_set_si(&env, "K", 10);
}

static void teardown(void)
{
    dnc_env_clear(&env);
}

TestSuite(expr, .init = setup, .fini = teardown);

static void expect(const char *text, const char *want)
{
    dnc_value v;
    char err[256], got[128];
    dnc_value_init(&v);
    cr_assert_eq(dnc_expr_eval(&v, text, &env, err, sizeof(err)), 0, "%s", err);
    dnc_value_text(got, sizeof(got), &v);
    cr_assert_str_eq(got, want, "'%s' gave %s, want %s", text, got, want);
    dnc_value_clear(&v);
}

static void expect_error(const char *text, const char *needle)
{
    dnc_value v;
    char err[256] = "";
    dnc_value_init(&v);
    cr_assert_neq(dnc_expr_eval(&v, text, &env, err, sizeof(err)), 0, "'%s' was accepted", text);
    cr_assert(strstr(err, needle) != NULL, "'%s': message '%s' lacks '%s'", text, err, needle);
    dnc_value_clear(&v);
}

Test(expr, arithmetic_is_exact)
{
    expect("r*(r-1)/2", "10");                 /* C(5,2) */
    expect("C(r, 2)", "10");
    expect("0.004", "1/250");
    expect("1/3 + 1/6", "1/2");
    expect("2^-3", "1/8");
    expect("2^3^2", "512");                    /* right-associative: 2^9 */
    expect("-2^2", "-4");
    expect("(1/L)^(L+1) * ((L-1)/L)^(L-1)", "27/65536");   /* the DNC threshold at L = 4 */
    expect("floor(7/2)", "3");
    expect("floor(-7/2)", "-4");
    expect("min(3, 1/2) + max(3, 1/2)", "7/2");
}

Test(expr, conditions)
{
    expect("r^(L-1) < 2*K^(L-2)", "1");        /* 125 < 200: the SRG criterion at r = 5, L = 4 */
    expect("r^(L-1) > 2*K^(L-2)", "0");
    expect("not (K == 10) or L >= 4 and r != 5", "0");   /* not binds tighter than and/or */
    expect("1 < 2 and 2 <= 2", "1");
    expect("K == 10 ? 'ten' : 'other'", "ten");
    expect("'relu' == 'relu'", "1");
}

Test(expr, errors)
{
    expect_error("r +", "unexpected");
    expect_error("q * 2", "unknown variable 'q'");
    expect_error("sqrt(2)", "unknown function 'sqrt'");
    expect_error("1/0", "division by zero");
    expect_error("2^(1/2)", "exponents must be integers");
    expect_error("'a' < 'b'", "strings can only be compared");
    expect_error("(1 + 2", "')' expected");
    expect_error("1 2", "unexpected '2'");
    expect_error("C(1/2, 1)", "C(n, k) needs integers");
}
