/* Strict reading for the certificate checker. Every object is checked against a schema
 * first (each field present with its type, no unknown field except "note"), so the checks
 * can read fields without re-testing them; every error names its JSON path. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "verify_priv.h"

int vj_fail(vctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Paths are only names in messages: a very long one is truncated, never overflowed. */
const char *vj_pathf(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, VPATH, fmt, ap);
    va_end(ap);
    return buf;
}

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

static int check_type(vctx *c, const json_t *v, char t, const char *p)
{
    static const char *const names[] = { "s", "a string", "i", "an integer", "o", "an object", "a",
                                         "an array", "S", "a string or null" };
    size_t k;
    int ok = (t == 's' && json_is_string(v)) || (t == 'i' && json_is_integer(v)) || (t == 'o' && json_is_object(v))
             || (t == 'a' && json_is_array(v)) || (t == 'S' && (json_is_string(v) || json_is_null(v)));
    if (t == 'r')
        return json_is_string(v) && dnc_parse_rational(c->scratch, json_string_value(v)) == 0
                   ? 0 : vj_fail(c, "%s: not a rational string", p);
    if (t == 'I')
        return vj_schema(c, v, p, "lo:r hi:r decimal:s?") || vj_lohi(c, v, p, NULL, NULL);
    for (k = 0; !ok && names[k][0] != t; k += 2)
        ;
    return ok ? 0 : vj_fail(c, "%s: expected %s", p, names[k + 1]);
}

int vj_schema(vctx *c, const json_t *o, const char *path, const char *schema)
{
    char name[64], p[VPATH], t;
    const char *s, *key;
    json_t *v;
    int opt, known;
    if (!json_is_object(o))
        return vj_fail(c, "%s: expected an object", path[0] ? path : "certificate");
    for (s = next_field(schema, name, &t, &opt); s != NULL; s = next_field(s, name, &t, &opt)) {
        vj_pathf(p, "%s%s%s", path, path[0] ? "." : "", name);
        if ((v = json_object_get(o, name)) == NULL && !opt)
            return vj_fail(c, "%s: missing", p);
        if (v != NULL && check_type(c, v, t, p))
            return -1;
    }
    json_object_foreach((json_t *) o, key, v) {
        for (known = 0, s = next_field(schema, name, &t, &opt); s != NULL && !known; s = next_field(s, name, &t, &opt))
            known = strcmp(name, key) == 0;
        if (!known && strcmp(key, "note") != 0)
            return vj_fail(c, "%s%sunknown field '%s'", path, path[0] ? ": " : "", key);
        if (!known && !json_is_string(v))
            return vj_fail(c, "%s%snote: expected a string", path, path[0] ? "." : "");
    }
    return 0;
}

/* The human-readable decimal of an interval (format §3) must not mislead: "D..." claims
 * that the digits D are correct -- every number of [lo, hi] lies within one unit of D's
 * last digit (whether D was truncated or rounded); a plain number claims lo = hi = D.
 * A midpoint-radius text ("[...]") is not checked. */
static int decimal_contradicts(const char *dec, const fmpq_t lo, const fmpq_t hi)
{
    size_t n = dec != NULL ? strlen(dec) : 0;
    char *digits;
    const char *dot;
    fmpq_t d, unit, below, above;
    int bad;
    if (dec == NULL || dec[0] == '[')
        return 0;
    if (n <= 3 || strcmp(dec + n - 3, "...") != 0) {
        fmpq_init(d);
        bad = dnc_parse_rational(d, dec) != 0 || !fmpq_equal(d, lo) || !fmpq_equal(d, hi);
        fmpq_clear(d);
        return bad;
    }
    digits = flint_malloc(n - 2);
    memcpy(digits, dec, n - 3);
    digits[n - 3] = '\0';
    fmpq_init(d);
    fmpq_init(unit);
    fmpq_init(below);
    fmpq_init(above);
    bad = dnc_parse_rational(d, digits) != 0;
    if (!bad) {
        dot = strchr(digits, '.');
        fmpz_one(fmpq_numref(unit));
        fmpz_set_ui(fmpq_denref(unit), 10);
        fmpz_pow_ui(fmpq_denref(unit), fmpq_denref(unit), dot != NULL ? strlen(dot + 1) : 0);
        fmpq_sub(below, d, unit);
        fmpq_add(above, d, unit);
        bad = fmpq_cmp(lo, below) < 0 || fmpq_cmp(hi, above) > 0;
    }
    flint_free(digits);
    fmpq_clear(d);
    fmpq_clear(unit);
    fmpq_clear(below);
    fmpq_clear(above);
    return bad;
}

int vj_lohi(vctx *c, const json_t *o, const char *path, fmpq *lo, fmpq *hi)
{
    fmpq_t l, h;
    int bad;
    fmpq_init(l);
    fmpq_init(h);
    dnc_parse_rational(l, vj_s(o, "lo"));
    dnc_parse_rational(h, vj_s(o, "hi"));
    bad = fmpq_cmp(l, h) > 0 ? 1 : decimal_contradicts(vj_s(o, "decimal"), l, h) ? 2 : 0;
    if (lo != NULL)
        fmpq_swap(lo, l), fmpq_swap(hi, h);
    fmpq_clear(l);
    fmpq_clear(h);
    if (bad == 2)
        return vj_fail(c, "%s.decimal: '%.60s' contradicts [lo, hi]", path, vj_s(o, "decimal"));
    return bad ? vj_fail(c, "%s: lo > hi", path) : 0;
}

const char *vj_s(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

void vj_q(fmpq_t q, const json_t *o, const char *key)
{
    dnc_parse_rational(q, vj_s(o, key));
}

int vj_range(vctx *c, const json_t *o, const char *path, const char *key, slong lo, slong hi, slong *x)
{
    json_int_t v = json_integer_value(json_object_get(o, key));
    if (v < lo || v > hi)
        return vj_fail(c, "%s%s%s: expected an integer in [%ld, %ld], got %lld", path, path[0] ? "." : "", key,
                       (long) lo, (long) hi, (long long) v);
    *x = (slong) v;
    return 0;
}

/* A decimal integer: optional '-', then digits only (fmpz_set_str would accept spaces). */
static int is_integer_text(const char *s)
{
    if (s == NULL)
        return 0;
    if (*s == '-')
        s++;
    return *s != '\0' && strspn(s, "0123456789") == strlen(s);
}

int vj_poly(vctx *c, const json_t *a, const char *path, fmpz_poly_t p)
{
    const json_t *v;
    fmpz_t x;
    size_t i;
    if (json_array_size(a) == 0)
        return vj_fail(c, "%s: empty polynomial", path);
    fmpz_init(x);
    fmpz_poly_zero(p);
    json_array_foreach(a, i, v) {
        if (!is_integer_text(json_string_value(v))) {
            fmpz_clear(x);
            return vj_fail(c, "%s[%zu]: not a decimal integer string", path, i);
        }
        fmpz_set_str(x, json_string_value(v), 10);
        fmpz_poly_set_coeff_fmpz(p, (slong) i, x);
    }
    fmpz_clear(x);
    return 0;
}
