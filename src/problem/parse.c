/* Exact parsing of numbers written by people: "0.004" is 1/250, not a double. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <flint/fmpz.h>
#include "dncert/problem.h"

/* Reads a run of decimal digits into z (appending to it); returns the count read. */
static slong read_digits(fmpz_t z, const char **s)
{
    slong count = 0;
    while (isdigit((unsigned char) **s)) {
        fmpz_mul_ui(z, z, 10);
        fmpz_add_ui(z, z, (ulong) (**s - '0'));
        (*s)++;
        count++;
    }
    return count;
}

/* A plain integer with optional sign, digits only. */
static int parse_fmpz(fmpz_t z, const char **s)
{
    int neg = 0;
    if (**s == '+' || **s == '-') {
        neg = (**s == '-');
        (*s)++;
    }
    fmpz_zero(z);
    if (read_digits(z, s) == 0)
        return -1;
    if (neg)
        fmpz_neg(z, z);
    return 0;
}

/* Decimal with optional fraction and exponent: [+-]digits[.digits][(e|E)[+-]digits]. */
/* A decimal exponent [+-]digits that runs to the end of s, within +-100000. */
static int parse_exponent(long *e, const char *s)
{
    char *end;
    if (!(isdigit((unsigned char) *s) || ((*s == '+' || *s == '-') && isdigit((unsigned char) s[1]))))
        return -1;
    errno = 0;
    *e = strtol(s, &end, 10);
    return errno != 0 || *end != '\0' || *e > 100000 || *e < -100000 ? -1 : 0;
}

static int parse_decimal(fmpq_t x, const char *s)
{
    fmpz_t mant, ten;
    slong exp10 = 0, intd, fracd = 0;
    int neg = 0, ok = -1;

    fmpz_init(mant);
    fmpz_init_set_ui(ten, 10);
    if (*s == '+' || *s == '-') {
        neg = (*s == '-');
        s++;
    }
    intd = read_digits(mant, &s);
    if (*s == '.') {
        s++;
        fracd = read_digits(mant, &s);
        exp10 = -fracd;
    }
    if (intd + fracd == 0)
        goto done;
    if (*s == 'e' || *s == 'E') {
        long e;
        if (parse_exponent(&e, s + 1) != 0)
            goto done;
        exp10 += e;
        s += strlen(s);
    }
    if (*s != '\0')
        goto done;
    if (neg)
        fmpz_neg(mant, mant);
    if (exp10 >= 0) {
        fmpz_pow_ui(ten, ten, (ulong) exp10);
        fmpz_mul(fmpq_numref(x), mant, ten);
        fmpz_one(fmpq_denref(x));
    } else {
        fmpz_pow_ui(ten, ten, (ulong) -exp10);
        fmpz_set(fmpq_numref(x), mant);
        fmpz_set(fmpq_denref(x), ten);
        fmpq_canonicalise(x);
    }
    ok = 0;
done:
    fmpz_clear(mant);
    fmpz_clear(ten);
    return ok;
}

static int hex_value(int c)
{
    return isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

/* C99 hexadecimal float [+-]0x<hex>[.<hex>]p[+-]<dec>: how a double is written exactly
 * and briefly (printf "%a"); the value is mantissa * 2^(exponent - 4 * fraction digits). */
static int parse_hexfloat(fmpq_t x, const char *s)
{
    fmpz_t m;
    slong e2 = 0, digits = 0;
    int neg = 0, ok = -1;
    long e;
    fmpz_init(m);
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    s += 2;   /* "0x" */
    for (; hex_value((unsigned char) *s) >= 0; s++, digits++) {
        fmpz_mul_2exp(m, m, 4);
        fmpz_add_ui(m, m, (ulong) hex_value((unsigned char) *s));
    }
    if (*s == '.')
        for (s++; hex_value((unsigned char) *s) >= 0; s++, digits++, e2 -= 4) {
            fmpz_mul_2exp(m, m, 4);
            fmpz_add_ui(m, m, (ulong) hex_value((unsigned char) *s));
        }
    if (digits == 0 || (*s != 'p' && *s != 'P'))
        goto done;
    if (parse_exponent(&e, s + 1) != 0)
        goto done;
    e2 += e;
    if (neg)
        fmpz_neg(m, m);
    fmpz_set(fmpq_numref(x), m);
    fmpz_one(fmpq_denref(x));
    if (e2 >= 0)
        fmpq_mul_2exp(x, x, (ulong) e2);
    else
        fmpq_div_2exp(x, x, (ulong) -e2);
    ok = 0;
done:
    fmpz_clear(m);
    return ok;
}

int dnc_parse_rational(fmpq_t x, const char *s)
{
    const char *slash, *t = s;
    if (s == NULL || *s == '\0')
        return -1;
    if (*t == '+' || *t == '-')
        t++;
    if (t[0] == '0' && (t[1] == 'x' || t[1] == 'X'))
        return parse_hexfloat(x, s);
    slash = strchr(s, '/');
    if (slash == NULL)
        return parse_decimal(x, s);
    {
        fmpz_t num, den;
        const char *p = s;
        int ok = -1;
        fmpz_init(num);
        fmpz_init(den);
        if (parse_fmpz(num, &p) == 0 && p == slash) {
            p++;
            if (parse_fmpz(den, &p) == 0 && *p == '\0' && !fmpz_is_zero(den)) {
                fmpq_set_fmpz_frac(x, num, den);
                ok = 0;
            }
        }
        fmpz_clear(num);
        fmpz_clear(den);
        return ok;
    }
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

char *dnc_rational_get_str(const fmpq_t x)
{
    return fmpq_get_str(NULL, 10, x);
}
