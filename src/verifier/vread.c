/* Strict reading of a certificate (format §2-§3): schemas, rational strings, intervals,
 * integer polynomials. Every object is checked against its schema before anything reads
 * it, every error names its JSON path, and every string is parsed once, in linear time. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "verifier.h"

int vx_fail(vx_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Paths are only names in messages: a long one is truncated, never overflowed. */
const char *vx_pathf(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, VPATH, fmt, ap);
    va_end(ap);
    return buf;
}

/* ---- schemas ---- */

/* Next "name:T[?]" of a schema; returns the rest, or NULL at the end. */
static const char *next_field(const char *s, char *name, char *t, int *opt)
{
    size_t n;
    while (*s == ' ')
        s++;
    if (*s == '\0')
        return NULL;
    n = strcspn(s, ":");
    snprintf(name, 64, "%.*s", (int) n, s);
    *t = s[n + 1];
    *opt = s[n + 2] == '?';
    return s + n + 2 + *opt;
}

static int type_ok(const json_t *v, char t)
{
    switch (t) {
    case 's': return json_is_string(v);
    case 'i': return json_is_integer(v);
    case 'o': return json_is_object(v);
    case 'a': return json_is_array(v);
    default: return json_is_string(v) || json_is_null(v);   /* 'S' */
    }
}

static const char *type_name(char t)
{
    return t == 's' ? "a string" : t == 'i' ? "an integer" : t == 'o' ? "an object" : t == 'a' ? "an array"
                                                                                            : "a string or null";
}

int vx_schema(vx_ctx *c, const json_t *o, const char *path, const char *schema)
{
    char name[64], t;
    const char *s, *key;
    json_t *v;
    int opt, known;
    if (!json_is_object(o))
        return vx_fail(c, "%s: expected an object", path[0] ? path : "certificate");
    for (s = next_field(schema, name, &t, &opt); s != NULL; s = next_field(s, name, &t, &opt)) {
        if ((v = json_object_get(o, name)) == NULL && !opt)
            return vx_fail(c, "%s%s%s: missing", path, path[0] ? "." : "", name);
        if (v != NULL && !type_ok(v, t))
            return vx_fail(c, "%s%s%s: expected %s", path, path[0] ? "." : "", name, type_name(t));
    }
    json_object_foreach((json_t *) o, key, v) {
        for (known = 0, s = next_field(schema, name, &t, &opt); s != NULL && !known; s = next_field(s, name, &t, &opt))
            known = strcmp(name, key) == 0;
        if (!known && strcmp(key, "note") != 0)
            return vx_fail(c, "%s%sunknown field '%.64s'", path, path[0] ? ": " : "", key);
        if (!known && !json_is_string(v))
            return vx_fail(c, "%s%snote: expected a string", path, path[0] ? "." : "");
    }
    return 0;
}

const char *vx_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

int vx_int(vx_ctx *c, const json_t *o, const char *path, const char *key, slong lo, slong hi, slong *x)
{
    json_int_t v = json_integer_value(json_object_get(o, key));
    if (v < lo || v > hi)
        return vx_fail(c, "%s%s%s: expected an integer in [%ld, %ld], got %lld", path, path[0] ? "." : "", key,
                       (long) lo, (long) hi, (long long) v);
    *x = (slong) v;
    return 0;
}

/* ---- rational strings (§3) ---- */

/* Length of the run of digits of base 10 or 16 at s. */
static size_t digits(const char *s, int hex)
{
    return strspn(s, hex ? "0123456789abcdefABCDEF" : "0123456789");
}

/* An optional exponent "e+12" / "p-3" at *s (letter already matched by the caller's test):
 * its value in *e, |e| <= max. Returns 0 or -1. */
static int exponent(const char **s, slong max, slong *e)
{
    int neg = 0;
    size_t n;
    *e = 0;
    if (**s == '+' || **s == '-')
        neg = *(*s)++ == '-';
    n = digits(*s, 0);
    if (n == 0 || n > 6)
        return -1;
    for (; n > 0; n--)
        *e = 10 * *e + (*(*s)++ - '0');
    if (*e > max)
        return -1;
    if (neg)
        *e = -*e;
    return 0;
}

/* m <- the integer of digit strings a then b (base 10 or 16), in one linear-time conversion
 * (at most 15 hexadecimal digits, as every double has: in a word). */
static void set_digits(fmpz_t m, const char *a, size_t na, const char *b, size_t nb, int base)
{
    char *buf;
    if (base == 16 && na + nb <= 15) {
        ulong v = 0;
        size_t i;
        for (i = 0; i < na + nb; i++) {
            int c = i < na ? a[i] : b[i - na];
            v = 16 * v + (ulong) (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        fmpz_set_ui(m, v);
        return;
    }
    buf = flint_malloc(na + nb + 2);
    memcpy(buf, a, na);
    memcpy(buf + na, b, nb);
    buf[na + nb] = '\0';
    if (na + nb == 0)
        fmpz_zero(m);
    else
        fmpz_set_str(m, buf, base);
    flint_free(buf);
}

/* q <- m * base^e for base 2 or 10. */
static void scale(fmpq_t q, const fmpz_t m, ulong base, slong e)
{
    fmpz_t p;
    if (base == 2) {   /* shifts: the canonical form of m 2^e directly */
        slong v = fmpz_is_zero(m) ? 0 : (slong) fmpz_val2(m);
        v = e < 0 && v > -e ? -e : v;
        fmpz_tdiv_q_2exp(fmpq_numref(q), m, (ulong) (e < 0 ? v : 0));
        fmpz_one(fmpq_denref(q));
        if (fmpz_is_zero(m))
            return;
        if (e >= 0)
            fmpz_mul_2exp(fmpq_numref(q), fmpq_numref(q), (ulong) e);
        else
            fmpz_mul_2exp(fmpq_denref(q), fmpq_denref(q), (ulong) (-e - v));
        return;
    }
    fmpz_init(p);
    fmpz_set_ui(p, base);
    fmpz_pow_ui(p, p, (ulong) (e < 0 ? -e : e));
    fmpz_set(fmpq_numref(q), m);
    fmpz_one(fmpq_denref(q));
    if (e >= 0)
        fmpz_mul(fmpq_numref(q), fmpq_numref(q), p);
    else
        fmpz_set(fmpq_denref(q), p);
    fmpq_canonicalise(q);
    fmpz_clear(p);
}

int vx_parse_rational(fmpq *q, const char *s)
{
    const char *a, *b = "";
    size_t na, nb = 0;
    int neg = 0, hex;
    slong e = 0;
    fmpz_t m;
    if (s == NULL || strnlen(s, VX_MAX_CHARS + 1) > VX_MAX_CHARS)
        return -1;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    s += 2 * hex;
    a = s;
    s += na = digits(s, hex);
    if (!hex && *s == '/') {                       /* num/den */
        b = ++s;
        s += nb = digits(s, 0);
        if (na == 0 || nb == 0 || *s != '\0')
            return -1;
        fmpz_init(m);
        set_digits(m, b, nb, "", 0, 10);
        if (fmpz_is_zero(m))
            return fmpz_clear(m), -1;
        set_digits(fmpq_numref(q), a, na, "", 0, 10);
        fmpz_swap(fmpq_denref(q), m);
        fmpz_clear(m);
        fmpq_canonicalise(q);
    } else {                                       /* digits[.digits][e|p exponent] */
        if (*s == '.')
            b = ++s, s += nb = digits(s, hex);
        if (na + nb == 0)
            return -1;
        if (hex ? (*s == 'p' || *s == 'P') : (*s == 'e' || *s == 'E')) {
            s++;
            if (exponent(&s, hex ? VX_MAX_EXP2 : VX_MAX_EXP10, &e) != 0)
                return -1;
        }
        if (*s != '\0')
            return -1;
        fmpz_init(m);
        set_digits(m, a, na, b, nb, hex ? 16 : 10);
        if (hex)
            scale(q, m, 2, e - 4 * (slong) nb);
        else
            scale(q, m, 10, e - (slong) nb);
        fmpz_clear(m);
    }
    if (neg)
        fmpq_neg(q, q);
    return 0;
}

int vx_rational(vx_ctx *c, const json_t *o, const char *path, const char *key, fmpq *q)
{
    if (vx_parse_rational(q, vx_str(o, key)) != 0)
        return vx_fail(c, "%s.%s: not a rational string within the limits of §3 (at most %d characters, "
                       "|exponent| <= %d for decimals, %d for hexadecimal floats)", path, key, VX_MAX_CHARS,
                       VX_MAX_EXP10, VX_MAX_EXP2);
    return 0;
}

/* A midpoint-radius text "[m +/- r]" or "[+/- r]" contradicts [lo, hi] when it is not of that
 * form or its ball [m - r, m + r] does not meet [lo, hi]. */
static int ball_text_contradicts(const char *dec, const fmpq_t lo, const fmpq_t hi)
{
    size_t n = strnlen(dec, VX_MAX_CHARS + 4);
    const char *sep = strstr(dec, "+/- ");
    char *m;
    fmpq_t mid, rad, t;
    int bad;
    if (n < 7 || dec[n - 1] != ']' || sep == NULL)
        return 1;
    m = flint_malloc(n);
    fmpq_init(mid);
    fmpq_init(rad);
    fmpq_init(t);
    memcpy(m, dec + 1, (size_t) (sep - dec) - 1);       /* "m " or "" */
    m[sep - dec - 1] = '\0';
    if (sep - dec - 1 > 0 && m[sep - dec - 2] == ' ')
        m[sep - dec - 2] = '\0';
    bad = (m[0] != '\0' && vx_parse_rational(mid, m) != 0);
    memcpy(m, sep + 4, n - (size_t) (sep + 4 - dec) - 1);
    m[n - (size_t) (sep + 4 - dec) - 1] = '\0';
    bad = bad || vx_parse_rational(rad, m) != 0 || fmpq_sgn(rad) < 0;
    if (!bad) {
        fmpq_sub(t, mid, rad);
        bad = fmpq_cmp(t, hi) > 0;
        fmpq_add(t, mid, rad);
        bad = bad || fmpq_cmp(t, lo) < 0;
    }
    flint_free(m);
    fmpq_clear(mid);
    fmpq_clear(rad);
    fmpq_clear(t);
    return bad;
}

/* The human-readable decimal must not mislead (§3): "D..." says that every number of
 * [lo, hi] lies within one unit of D's last digit; a plain number says lo = hi = D; a
 * midpoint-radius text "[m +/- r]" must describe a ball that meets [lo, hi]. */
static int decimal_contradicts(const char *dec, const fmpq_t lo, const fmpq_t hi)
{
    size_t n = strnlen(dec, VX_MAX_CHARS + 4);
    char *digs;
    const char *dot;
    fmpq_t d, unit, t;
    int bad;
    if (dec[0] == '[')
        return ball_text_contradicts(dec, lo, hi);
    fmpq_init(d);
    if (n <= 3 || strcmp(dec + n - 3, "...") != 0) {
        bad = vx_parse_rational(d, dec) != 0 || !fmpq_equal(d, lo) || !fmpq_equal(d, hi);
        fmpq_clear(d);
        return bad;
    }
    digs = flint_malloc(n - 2);
    memcpy(digs, dec, n - 3);
    digs[n - 3] = '\0';
    fmpq_init(unit);
    fmpq_init(t);
    bad = strpbrk(digs, "eExX/") != NULL || vx_parse_rational(d, digs) != 0;
    if (!bad) {
        dot = strchr(digs, '.');
        fmpz_set_ui(fmpq_denref(unit), 10);
        fmpz_pow_ui(fmpq_denref(unit), fmpq_denref(unit), dot != NULL ? strlen(dot + 1) : 0);
        fmpz_one(fmpq_numref(unit));
        fmpq_sub(t, d, unit);
        bad = fmpq_cmp(lo, t) < 0;
        fmpq_add(t, d, unit);
        bad = bad || fmpq_cmp(hi, t) > 0;
    }
    flint_free(digs);
    fmpq_clear(d);
    fmpq_clear(unit);
    fmpq_clear(t);
    return bad;
}

int vx_interval(vx_ctx *c, const json_t *o, const char *path, fmpq *lo, fmpq *hi)
{
    return vx_schema(c, o, path, "lo:s hi:s decimal:s?") || vx_lohi(c, o, path, lo, hi);
}

int vx_lohi(vx_ctx *c, const json_t *o, const char *path, fmpq *lo, fmpq *hi)
{
    const char *dec;
    if (vx_rational(c, o, path, "lo", lo) || vx_rational(c, o, path, "hi", hi))
        return -1;
    if (fmpq_cmp(lo, hi) > 0)
        return vx_fail(c, "%s: lo > hi", path);
    dec = vx_str(o, "decimal");
    if (dec != NULL && decimal_contradicts(dec, lo, hi))
        return vx_fail(c, "%s.decimal: '%.60s' contradicts [lo, hi]", path, dec);
    return 0;
}

int vx_poly(vx_ctx *c, const json_t *a, const char *path, fmpz_poly_t p)
{
    const json_t *v;
    const char *s;
    fmpz_t x;
    size_t i;
    if (json_array_size(a) == 0 || json_array_size(a) > VX_MAX_DEGREE + 1)
        return vx_fail(c, "%s: expected 1 to %d coefficients", path, VX_MAX_DEGREE + 1);
    fmpz_init(x);
    fmpz_poly_zero(p);
    json_array_foreach(a, i, v) {
        s = json_string_value(v);
        if (s != NULL && *s == '-')
            s++;
        if (s == NULL || *s == '\0' || strnlen(s, VX_MAX_CHARS + 1) > VX_MAX_CHARS || digits(s, 0) != strlen(s)) {
            fmpz_clear(x);
            return vx_fail(c, "%s[%zu]: not a decimal integer string of at most %d digits", path, i, VX_MAX_CHARS);
        }
        fmpz_set_str(x, json_string_value(v), 10);
        fmpz_poly_set_coeff_fmpz(p, (slong) i, x);
    }
    fmpz_clear(x);
    return 0;
}

/* ---- balls against exact rationals ---- */

/* Sign of a - q for a finite arf a: decided on a tight ball of q first, exactly only when
 * a is within that ball (then both have about the same size, so the conversion is cheap). */
static int arf_cmp_fmpq(const arf_t a, const fmpq_t q)
{
    arb_t t;
    fmpq_t x;
    int s;
    arb_init(t);
    arb_set_fmpq(t, q, 128);
    if (arb_contains_arf(t, a)) {
        fmpq_init(x);
        arf_get_fmpq(x, a);
        s = fmpq_cmp(x, q);
        fmpq_clear(x);
    } else
        s = arf_cmp(a, arb_midref(t));
    arb_clear(t);
    return s;
}

int vx_ball_in(const arb_t x, const fmpq *lo, const fmpq *hi)
{
    arf_t e;
    int ok;
    if (!arb_is_finite(x))
        return 0;
    arf_init(e);
    arb_get_lbound_arf(e, x, ARF_PREC_EXACT);
    ok = arf_cmp_fmpq(e, lo) >= 0;
    arb_get_ubound_arf(e, x, ARF_PREC_EXACT);
    ok = ok && arf_cmp_fmpq(e, hi) <= 0;
    arf_clear(e);
    return ok;
}

const char *vx_arb_str(char *buf, const arb_t x)
{
    char *s = arb_get_str(x, 24, 0);
    snprintf(buf, VTXT, "%s", s);
    flint_free(s);
    return buf;
}
