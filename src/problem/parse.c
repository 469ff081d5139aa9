/* Exact parsing of numbers written by people: "0.004" is 1/250, not a double.
 *
 * Every form is read in time linear in its length (up to GMP's subquadratic base
 * conversion): the digits are collected into one string and converted by fmpz_set_str
 * once, never by a digit-at-a-time multiply-add, which is quadratic. */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <flint/fmpz.h>
#include "dncert/problem.h"

/* Copies the run of digits (decimal, or hexadecimal with hex set) at *s to the end of
 * buf and advances *s; returns the count copied. */
static slong take_digits(char *buf, size_t *used, const char **s, int hex)
{
    slong count = 0;
    while (hex ? isxdigit((unsigned char) **s) : isdigit((unsigned char) **s)) {
        buf[(*used)++] = *(*s)++;
        count++;
    }
    buf[*used] = '\0';
    return count;
}

/* A decimal exponent [+-]digits that runs to the end of s, within +-DNC_MAX_RATIONAL_EXP. */
static int parse_exponent(long *e, const char *s)
{
    char *end;
    if (!(isdigit((unsigned char) *s) || ((*s == '+' || *s == '-') && isdigit((unsigned char) s[1]))))
        return -1;
    errno = 0;
    *e = strtol(s, &end, 10);
    return errno != 0 || *end != '\0' || *e > DNC_MAX_RATIONAL_EXP || *e < -DNC_MAX_RATIONAL_EXP ? -1 : 0;
}

/* x = sign * digits * base^exp, with digits a string of digits in base 10 or 16 (as
 * fmpz_set_str reads them) and base 10 or 2. */
static void set_scaled(fmpq_t x, int neg, const char *digits, int radix, slong exp, int base)
{
    fmpz_t scale;
    fmpz_set_str(fmpq_numref(x), digits, radix);
    if (neg)
        fmpz_neg(fmpq_numref(x), fmpq_numref(x));
    fmpz_one(fmpq_denref(x));
    if (base == 2) {
        if (exp >= 0)
            fmpq_mul_2exp(x, x, (ulong) exp);
        else
            fmpq_div_2exp(x, x, (ulong) -exp);
        return;
    }
    fmpz_init(scale);
    fmpz_set_ui(scale, 10);
    fmpz_pow_ui(scale, scale, (ulong) (exp >= 0 ? exp : -exp));
    if (exp >= 0)
        fmpz_mul(fmpq_numref(x), fmpq_numref(x), scale);
    else {
        fmpz_swap(fmpq_denref(x), scale);
        fmpq_canonicalise(x);
    }
    fmpz_clear(scale);
}

/* [+-]digits[.digits][(e|E)[+-]digits], or with hex set the C99 hexadecimal float
 * [+-]0x<hex>[.<hex>]p[+-]<dec> (how printf "%a" writes a double exactly): the value is
 * the digits read as one integer, times 10^(exponent - fraction digits), or for hex
 * 2^(exponent - 4 * fraction digits). buf holds at least strlen(s) + 1 bytes. */
static int parse_float(fmpq_t x, const char *s, char *buf, int hex)
{
    size_t used = 0;
    slong digits, fracd = 0;
    long e = 0;
    int neg = 0;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    s += hex ? 2 : 0;   /* "0x" */
    digits = take_digits(buf, &used, &s, hex);
    if (*s == '.') {
        s++;
        fracd = take_digits(buf, &used, &s, hex);
    }
    if (digits + fracd == 0)
        return -1;
    if (hex ? (*s != 'p' && *s != 'P') || parse_exponent(&e, s + 1) != 0
            : *s != '\0' && ((*s != 'e' && *s != 'E') || parse_exponent(&e, s + 1) != 0))
        return -1;
    set_scaled(x, neg, buf, hex ? 16 : 10, e - (hex ? 4 : 1) * fracd, hex ? 2 : 10);
    return 0;
}

/* [+-]digits, the whole of s, into z. */
static int parse_integer(fmpz_t z, const char *s, char *buf)
{
    size_t used = 0;
    int neg = 0;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (take_digits(buf, &used, &s, 0) == 0 || *s != '\0')
        return -1;
    fmpz_set_str(z, buf, 10);
    if (neg)
        fmpz_neg(z, z);
    return 0;
}

/* num/den with both integers, den non-zero. */
static int parse_fraction(fmpq_t x, const char *s, const char *slash, char *buf)
{
    char *num = buf + strlen(s) + 1;   /* the numerator's own copy, so that it ends at the slash */
    fmpz_t n, d;
    int ok;
    memcpy(num, s, (size_t) (slash - s));
    num[slash - s] = '\0';
    fmpz_init(n);
    fmpz_init(d);
    ok = parse_integer(n, num, buf) == 0 && parse_integer(d, slash + 1, buf) == 0 && !fmpz_is_zero(d);
    if (ok)
        fmpq_set_fmpz_frac(x, n, d);
    fmpz_clear(n);
    fmpz_clear(d);
    return ok ? 0 : -1;
}

int dnc_parse_rational(fmpq_t x, const char *s)
{
    const char *t = s, *slash;
    size_t len;
    char *buf;
    int r;
    if (s == NULL || *s == '\0' || (len = strnlen(s, DNC_MAX_RATIONAL_CHARS + 1)) > DNC_MAX_RATIONAL_CHARS)
        return -1;
    if (*t == '+' || *t == '-')
        t++;
    buf = flint_malloc(2 * len + 2);
    slash = strchr(s, '/');
    if (slash != NULL)
        r = parse_fraction(x, s, slash, buf);
    else
        r = parse_float(x, s, buf, t[0] == '0' && (t[1] == 'x' || t[1] == 'X'));
    flint_free(buf);
    return r;
}

int dnc_parse_slong(slong *x, const char *s, slong lo, slong hi)
{
    char *end;
    long long v;
    if (s == NULL || *s == '\0' || isspace((unsigned char) *s))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return -1;
    *x = (slong) v;
    return 0;
}

int dnc_option_double(double *x, const char *name, const char *s, double lo, double hi, int lo_open,
                      char *err, size_t errlen)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (*s != '\0' && *end == '\0' && v != 0 && fabs(v) < DBL_MIN)   /* strtod's ERANGE: no normal double */
        return dnc_fail(err, errlen, "--%s: must be a number in %s%g, %g], and 0 or a normal double (of magnitude at "
                        "least 2.2250738585072014e-308) (got '%s')", name, lo_open ? "(" : "[", lo, hi, s);
    if (*s == '\0' || *end != '\0' || errno != 0 || !isfinite(v) || v > hi || v < lo || (lo_open && v == lo))
        return dnc_fail(err, errlen, "--%s: must be a number in %s%g, %g] (got '%s')", name, lo_open ? "(" : "[",
                        lo, hi, s);
    *x = v;
    return 0;
}

int dnc_option_slong(slong *x, const char *name, const char *s, slong lo, slong hi, char *err, size_t errlen)
{
    if (dnc_parse_slong(x, s, lo, hi) != 0)
        return dnc_fail(err, errlen, "--%s: must be an integer in [%ld, %ld] (got '%s')", name, (long) lo, (long) hi, s);
    return 0;
}

char *dnc_rational_get_str(const fmpq_t x)
{
    return fmpq_get_str(NULL, 10, x);
}
