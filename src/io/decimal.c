/* Outward decimal rounding of exact intervals, for tables (docs/report.md, "Rounding"). */
#include <string.h>
#include <arb.h>
#include "dncert/report.h"
#include "io_priv.h"

/* m <- floor (dir < 0), ceil (dir > 0) or truncation toward zero (dir == 0) of x / 10^q. */
static void round_at(fmpz_t m, const fmpq_t x, slong q, int dir)
{
    fmpq_t t;
    fmpq_init(t);
    _dnc_pow10_fmpq(t, -q);
    fmpq_mul(t, t, x);
    if (dir < 0)
        fmpz_fdiv_q(m, fmpq_numref(t), fmpq_denref(t));
    else if (dir > 0)
        fmpz_cdiv_q(m, fmpq_numref(t), fmpq_denref(t));
    else
        fmpz_tdiv_q(m, fmpq_numref(t), fmpq_denref(t));
    fmpq_clear(t);
}

/* Removes trailing zeros after a decimal point (and the point itself if nothing is left). */
static void strip_zeros(char *s)
{
    size_t n = strlen(s);
    if (strchr(s, '.') == NULL)
        return;
    while (s[n - 1] == '0')
        s[--n] = '\0';
    if (s[n - 1] == '.')
        s[--n] = '\0';
}

/* The number m * 10^q as a mantissa string and exponent: plain notation (exponent 0) or
 * scientific (one digit before the point). Trailing zeros go only when strip is set: in a
 * truncated number they are proven digits. */
static char *end_str(slong *exp10, const fmpz_t m, slong q, int sci, int strip)
{
    char *s;
    if (sci && !fmpz_is_zero(m)) {
        slong nd = (slong) fmpz_sizeinbase(m, 10);
        fmpz_t p, r;
        fmpz_init(p);
        fmpz_init(r);
        /* fmpz_sizeinbase may overestimate by one: correct exactly */
        fmpz_ui_pow_ui(p, 10, (ulong) (nd - 1));
        fmpz_abs(r, m);
        if (fmpz_cmp(r, p) < 0)
            nd--;
        fmpz_clear(p);
        fmpz_clear(r);
        s = _dnc_scaled_integer_str(m, nd - 1);
        *exp10 = q + nd - 1;
    } else {
        s = _dnc_scaled_integer_str(m, -q);
        *exp10 = 0;
    }
    if (strip)
        strip_zeros(s);
    return s;
}

void dnc_decimal_clear(dnc_decimal *d)
{
    flint_free(d->lo);
    flint_free(d->hi);
    d->lo = d->hi = NULL;
}

int dnc_decimal_set(dnc_decimal *d, const fmpq_t lo, const fmpq_t hi, slong digits)
{
    fmpq_t w, v;
    fmpz_t a, b;
    slong e, q;
    int sci;
    memset(d, 0, sizeof(*d));
    if (digits < 1 || fmpq_cmp(lo, hi) > 0)
        return -1;
    fmpq_init(w);
    fmpq_init(v);
    fmpz_init(a);
    fmpz_init(b);
    /* e: the exponent of the larger magnitude; q: the position of the last digit shown --
     * that of the width's leading digit, but at most `digits` significant digits */
    fmpq_abs(w, lo);
    fmpq_abs(v, hi);
    if (fmpq_cmp(v, w) > 0)
        fmpq_swap(v, w);
    e = fmpq_is_zero(w) ? 0 : _dnc_decimal_exponent(w);
    q = e - digits + 1;
    fmpq_sub(w, hi, lo);
    if (!fmpq_is_zero(w))
        q = FLINT_MAX(q, _dnc_decimal_exponent(w));
    round_at(a, lo, q, -1);
    round_at(b, hi, q, 1);
    if (fmpz_equal(a, b))                       /* lo = hi = a * 10^q exactly */
        d->form = DNC_DEC_EXACT;
    else {
        /* Digits that every number of [lo, hi] has: both ends truncate alike at q, and 0 is
         * not inside (truncation toward zero maps both signs to 0). Then the truncation
         * is floor(lo) for positive numbers, ceil(hi) for negative ones. */
        fmpz_t tl, th;
        fmpz_init(tl);
        fmpz_init(th);
        round_at(tl, lo, q, 0);
        round_at(th, hi, q, 0);
        d->form = fmpz_equal(tl, th) && (fmpq_sgn(lo) >= 0 || fmpq_sgn(hi) <= 0) ? DNC_DEC_DIGITS : DNC_DEC_RANGE;
        fmpz_clear(tl);
        fmpz_clear(th);
    }
    /* Scientific notation for small and large magnitudes, and for truncated digits that
     * end before the decimal point ("123456..." would hide where the point is). */
    sci = d->sci = e < -4 || e >= digits || (d->form == DNC_DEC_DIGITS && q >= 0);
    /* the zeros of the shown digits are proven; those of a bound are not */
    d->negative = fmpq_sgn(hi) < 0 || (fmpq_sgn(hi) == 0 && fmpq_sgn(lo) < 0);
    d->lo = end_str(&d->elo, a, q, sci, d->form != DNC_DEC_DIGITS || d->negative);
    d->hi = end_str(&d->ehi, b, q, sci, d->form != DNC_DEC_DIGITS || !d->negative);
    fmpq_clear(w);
    fmpq_clear(v);
    fmpz_clear(a);
    fmpz_clear(b);
    return 0;
}

/* "m" or "me<exp>" */
static size_t put_number(char *buf, const char *m, slong exp10, int sci)
{
    return !sci ? (size_t) sprintf(buf, "%s", m) : (size_t) sprintf(buf, "%se%ld", m, (long) exp10);
}

char *dnc_decimal_text(const fmpq_t lo, const fmpq_t hi, slong digits)
{
    dnc_decimal d;
    char *s;
    size_t n;
    if (dnc_decimal_set(&d, lo, hi, digits) != 0)
        return NULL;
    s = flint_malloc(strlen(d.lo) + strlen(d.hi) + 64);
    if (d.form == DNC_DEC_EXACT)
        put_number(s, d.lo, d.elo, d.sci);
    else if (d.form == DNC_DEC_DIGITS) {
        const char *m = d.negative ? d.hi : d.lo;
        slong x = d.negative ? d.ehi : d.elo;
        n = (size_t) sprintf(s, "%s...", m);
        if (d.sci)
            sprintf(s + n, "e%ld", (long) x);
    } else {
        n = (size_t) sprintf(s, "[");
        n += put_number(s + n, d.lo, d.elo, d.sci && strcmp(d.lo, "0") != 0);
        n += (size_t) sprintf(s + n, ", ");
        n += put_number(s + n, d.hi, d.ehi, d.sci && strcmp(d.hi, "0") != 0);
        sprintf(s + n, "]");
    }
    dnc_decimal_clear(&d);
    return s;
}
