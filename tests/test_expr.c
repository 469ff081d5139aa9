/* Exact expressions of theorem files; every expected value is worked out by hand. */
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "dncert/expr.h"
#include "testutil.h"

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

static void expect_error_owned(char *text, const char *needle)
{
    expect_error(text, needle);
    free(text);
}

/* Deep nesting is an error, not a stack overflow (10000 parentheses and 100000 unary
 * minus signs crashed certify); the limit itself is allowed. */
Test(expr, nesting_is_bounded)
{
    char *open = tu_repeat("", "(", 10000, "1"), *t = tu_repeat(open, ")", 10000, "");
    expect_error_owned(t, "nested more than 64 levels deep");
    free(open);
    expect_error_owned(tu_repeat("", "-", 100000, "1"), "nested more than 64 levels deep");
    expect_error_owned(tu_repeat("", "not ", 100000, "1"), "nested more than 64 levels deep");
    expect_error_owned(tu_repeat("", "1^", 100000, "1"), "nested more than 64 levels deep");
    expect_error_owned(tu_repeat("", "1 ? 1 : ", 100000, "1"), "nested more than 64 levels deep");
    expect_error_owned(tu_repeat("", "min(1, ", 100000, "1"), "nested more than 64 levels deep");
    open = tu_repeat("", "(", 64, "7");
    t = tu_repeat(open, ")", 64, "");
    expect(t, "7");
    free(open);
    free(t);
    t = tu_repeat("", "-", 64, "7");   /* an even count */
    expect(t, "7");
    free(t);
}

/* Values that would explode are refused before they are computed (C(10^9, 10^8) ran
 * for hours); what fits the limit is computed exactly. */
Test(expr, value_size_is_bounded)
{
    dnc_value v;
    char err[256], *t;
    expect_error("1/C(10^9, 10^8)", "C(n, k) exceeds 65536 bits");
    expect_error("C(10^9, 5*10^8)", "C(n, k) exceeds 65536 bits");
    expect_error("3^100000", "x ^ k exceeds 65536 bits");
    expect_error("(2/3)^-50000", "x ^ k exceeds 65536 bits");
    expect_error("2^60000 * 2^60000", "a product exceeds 65536 bits");
    expect_error("2^60000 / 3^30000", "a product exceeds 65536 bits");
    expect_error("2^65534 + 1/3^20000", "a sum exceeds 65536 bits");
    expect_error("1e30000", "a number exceeds 65536 bits");
    t = tu_repeat("1", "0", 99, " - 10^99");   /* a 100-digit number (numbers were cut at 63 characters) */
    expect(t, "0");
    free(t);
    expect("C(10^9, 10^9 - 1)", "1000000000");
    expect("C(10^9, 10^9 + 1)", "0");
    expect("C(60, 30)", "118264581564861424");
    expect("(1/1)^100000 * (-1)^99999", "-1");
    dnc_value_init(&v);
    cr_assert_eq(dnc_expr_eval(&v, "2^65000 - 1", &env, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(fmpz_bits(fmpq_numref(v.q)), 65000);
    cr_assert_eq(fmpz_val2(fmpq_numref(v.q)), 0);
    dnc_value_clear(&v);
}
