/* Enclosures as exact decimal intervals, and the digits they prove. */
#include <string.h>
#include <flint/fmpz.h>
#include "dncert/io.h"
#include "io_priv.h"

void _dnc_pow10_fmpq(fmpq_t t, slong e)
{
    fmpz_t p;
    fmpz_init(p);
    fmpz_ui_pow_ui(p, 10, (ulong) (e < 0 ? -e : e));
    fmpz_one(fmpq_numref(t));
    fmpz_one(fmpq_denref(t));
    fmpz_set(e >= 0 ? fmpq_numref(t) : fmpq_denref(t), p);
    fmpz_clear(p);
}

slong _dnc_decimal_exponent(const fmpq_t q)
{
    fmpq_t a, t;
    slong e;
    fmpq_init(a);
    fmpq_init(t);
    fmpq_abs(a, q);
    /* start from a binary estimate, then correct exactly */
    e = (slong) ((double) ((slong) fmpz_bits(fmpq_numref(a)) - (slong) fmpz_bits(fmpq_denref(a))) * 0.30102999566398120);
    for (;;) {
        _dnc_pow10_fmpq(t, e);
        if (fmpq_cmp(t, a) > 0) {
            e--;
            continue;
        }
        _dnc_pow10_fmpq(t, e + 1);
        if (fmpq_cmp(t, a) <= 0) {
            e++;
            continue;
        }
        break;
    }
    fmpq_clear(a);
    fmpq_clear(t);
    return e;
}

char *_dnc_scaled_integer_str(const fmpz_t m, slong k)
{
    char *digits = fmpz_get_str(NULL, 10, m), *s;
    int neg = digits[0] == '-';
    const char *d = digits + neg;
    size_t nd = strlen(d), len;
    if (k <= 0) {
        len = strlen(digits) + (size_t) (-k) + 1;
        s = flint_malloc(len);
        strcpy(s, digits);
        memset(s + strlen(digits), '0', (size_t) (-k));
        s[len - 1] = '\0';
    } else {
        size_t intd = nd > (size_t) k ? nd - (size_t) k : 0, pos = 0, i;
        s = flint_malloc(nd + (size_t) k + 4);
        if (neg)
            s[pos++] = '-';
        if (intd == 0)
            s[pos++] = '0';
        else {
            memcpy(s + pos, d, intd);
            pos += intd;
        }
        s[pos++] = '.';
        for (i = nd; i < (size_t) k; i++)
            s[pos++] = '0';
        memcpy(s + pos, d + intd, nd - intd);
        pos += nd - intd;
        s[pos] = '\0';
    }
    flint_free(digits);
    return s;
}

/* floor (dir < 0) or ceil (dir > 0) of q at `digits` significant digits. */
static char *decimal_round(const fmpq_t q, slong digits, int dir)
{
    fmpq_t t;
    fmpz_t m;
    slong k;
    char *s;
    if (fmpq_is_zero(q)) {
        s = flint_malloc(2);
        strcpy(s, "0");
        return s;
    }
    fmpq_init(t);
    fmpz_init(m);
    k = digits - 1 - _dnc_decimal_exponent(q);     /* digits after the decimal point */
    _dnc_pow10_fmpq(t, k);
    fmpq_mul(t, t, q);
    if (dir < 0)
        fmpz_fdiv_q(m, fmpq_numref(t), fmpq_denref(t));
    else
        fmpz_cdiv_q(m, fmpq_numref(t), fmpq_denref(t));
    s = _dnc_scaled_integer_str(m, k);
    fmpq_clear(t);
    fmpz_clear(m);
    return s;
}

char *dnc_fmpq_decimal_floor(const fmpq_t q, slong digits)
{
    return decimal_round(q, digits, -1);
}

char *dnc_fmpq_decimal_ceil(const fmpq_t q, slong digits)
{
    return decimal_round(q, digits, 1);
}

static void arb_endpoints(fmpq_t lo, fmpq_t hi, const arb_t x)
{
    arf_t a, b;
    arf_init(a);
    arf_init(b);
    arb_get_interval_arf(a, b, x, ARF_PREC_EXACT);
    arf_get_fmpq(lo, a);
    arf_get_fmpq(hi, b);
    arf_clear(a);
    arf_clear(b);
}

char *dnc_arb_proven_decimal(const arb_t x, slong maxdigits)
{
    fmpq_t lo, hi, t;
    fmpz_t a, b;
    slong k, e, best = -1;
    char *s;
    if (!arb_is_finite(x))
        return arb_get_str(x, 10, 0);
    if (arb_is_zero(x)) {
        s = flint_malloc(2);
        strcpy(s, "0");
        return s;
    }
    fmpq_init(lo); fmpq_init(hi); fmpq_init(t);
    fmpz_init(a); fmpz_init(b);
    arb_endpoints(lo, hi, x);
    if (fmpq_sgn(lo) * fmpq_sgn(hi) <= 0 && !(fmpq_is_zero(lo) && fmpq_is_zero(hi))) {
        s = arb_get_str(x, maxdigits, 0);      /* straddles 0: no digit is proven */
        goto done;
    }
    e = _dnc_decimal_exponent(fmpq_sgn(hi) > 0 ? hi : lo);
    /* The largest number of significant digits at which lo and hi truncate alike:
     * truncation toward zero is monotone, so everything between them shares them. */
    for (k = 1; k <= maxdigits; k++) {
        _dnc_pow10_fmpq(t, k - 1 - e);
        fmpq_mul(t, t, lo);
        fmpz_tdiv_q(a, fmpq_numref(t), fmpq_denref(t));
        _dnc_pow10_fmpq(t, k - 1 - e);
        fmpq_mul(t, t, hi);
        fmpz_tdiv_q(b, fmpq_numref(t), fmpq_denref(t));
        if (!fmpz_equal(a, b))
            break;
        best = k;
    }
    if (best < 1) {   /* e.g. [0.00399..., 0.00400...]: show the ball instead */
        s = arb_get_str(x, maxdigits, 0);
        goto done;
    }
    _dnc_pow10_fmpq(t, best - 1 - e);
    fmpq_mul(t, t, lo);
    fmpz_tdiv_q(a, fmpq_numref(t), fmpq_denref(t));
    {
        char *body = _dnc_scaled_integer_str(a, best - 1 - e);
        /* An exact value whose expansion ends within the shown digits is printed as is,
         * without trailing zeros or "..." */
        int complete = fmpq_equal(lo, hi) && fmpz_equal(a, fmpq_numref(t)) && fmpz_is_one(fmpq_denref(t));
        size_t n = strlen(body);
        if (complete && strchr(body, '.') != NULL) {
            while (body[n - 1] == '0')
                body[--n] = '\0';
            if (body[n - 1] == '.')
                body[--n] = '\0';
        }
        s = flint_malloc(n + 4);
        strcpy(s, body);
        if (!complete)
            strcat(s, "...");
        flint_free(body);
    }
done:
    fmpq_clear(lo); fmpq_clear(hi); fmpq_clear(t);
    fmpz_clear(a); fmpz_clear(b);
    return s;
}

json_t *dnc_json_enclosure(const arb_t x, slong digits)
{
    fmpq_t lo, hi;
    char *d = dnc_arb_proven_decimal(x, digits), *l, *h;
    json_t *o;
    fmpq_init(lo);
    fmpq_init(hi);
    arb_endpoints(lo, hi, x);
    l = dnc_fmpq_decimal_floor(lo, digits + 5);
    h = dnc_fmpq_decimal_ceil(hi, digits + 5);
    o = json_pack("{s:s, s:s, s:s}", "decimal", d, "lo", l, "hi", h);
    flint_free(d);
    flint_free(l);
    flint_free(h);
    fmpq_clear(lo);
    fmpq_clear(hi);
    return o;
}

json_t *dnc_json_fmpq(const fmpq_t q)
{
    char *s = dnc_rational_get_str(q);
    json_t *j = json_string(s);
    flint_free(s);
    return j;
}

json_t *dnc_json_fmpz_poly(const fmpz_poly_t f)
{
    json_t *a = json_array();
    slong i;
    for (i = 0; i < fmpz_poly_length(f); i++) {
        char *t = fmpz_get_str(NULL, 10, f->coeffs + i);
        json_array_append_new(a, json_string(t));
        flint_free(t);
    }
    return a;
}

int dnc_json_get_interval(fmpq_t lo, fmpq_t hi, const json_t *obj, const char *what, char *err, size_t errlen)
{
    const char *l = json_string_value(json_object_get(obj, "lo"));
    const char *h = json_string_value(json_object_get(obj, "hi"));
    if (l == NULL || h == NULL || dnc_parse_rational(lo, l) != 0 || dnc_parse_rational(hi, h) != 0)
        return dnc_fail(err, errlen, "%s: needs \"lo\" and \"hi\" as exact rational strings", what);
    if (fmpq_cmp(lo, hi) > 0)
        return dnc_fail(err, errlen, "%s: lo > hi", what);
    return 0;
}
