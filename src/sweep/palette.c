/* How figures look: one colour, marker and line per structure and quantity, and certified
 * values rounded for legends. */
#include <stdio.h>
#include <string.h>
#include <flint/fmpq.h>
#include <flint/fmpz.h>
#include "dncert/plot.h"
#include "dncert/problem.h"

/* Okabe & Ito's colours (blue #0072B2, reddish purple #CC79A7, vermillion #D55E00, orange
 * #E69F00, black, sky blue #56B4E9, bluish green #009E73) for the structures, greys for the
 * rest. DNC has the thickest line: figures draw it first, so that a thinner line drawn over
 * it at the same values (a fraction 0 of runs, say) leaves it visible on both sides.
 * Point types: 7 filled circle, 9 filled triangle, 13 filled diamond, 5 filled square,
 * 6 open circle, 11 filled inverted triangle, 2 cross, 4 open square, 3 star, 1 plus.
 * The loss is a wide pale band for the same reason: once the fit is small, reg is the loss
 * to within a percent, and its dashes must show inside the band rather than hide under it. */
const dnc_look dnc_palette[DNC_NLOOKS] = {
    [DNC_LOOK_DNC]       = { "dnc", "DNC", "#0072B2", 7, 1.3, "1", 4.0 },
    [DNC_LOOK_SRG]       = { "srg", "SRG", "#CC79A7", 9, 1.3, "(20,10)", 2.5 },
    [DNC_LOOK_STS]       = { "sts", "STS", "#D55E00", 13, 1.3, "(20,8,4,8)", 2.5 },
    [DNC_LOOK_LOW_RANK]  = { "low-rank", "low-rank", "#E69F00", 5, 1.2, "(12,7)", 2.0 },
    [DNC_LOOK_ZERO]      = { "zero", "zero point", "#000000", 6, 1.3, "(3,6)", 2.0 },
    [DNC_LOOK_DEAD]      = { "dead-classes", "dead classes", "#56B4E9", 11, 1.3, "(14,6,3,6)", 2.0 },
    [DNC_LOOK_OTHER]     = { "other", "diverged or unclassified", "#999999", 2, 1.3, "(6,6)", 1.5 },
    [DNC_LOOK_FULL_RANK] = { "full-rank", "rank K at every layer", "#009E73", 4, 1.4, "(9,6)", 2.0 },
    [DNC_LOOK_LOSS]      = { "loss", "loss", "#BBBBBB", 7, 0.6, "1", 9.0 },
    [DNC_LOOK_FIT]       = { "fit", "fit", "#009E73", 5, 0.6, "(16,8)", 2.0 },
    [DNC_LOOK_REG]       = { "reg", "reg", "#D55E00", 9, 0.6, "(9,7)", 2.0 },
    [DNC_LOOK_GRAD_NORM] = { "grad_norm", "gradient norm", "#56B4E9", 13, 0.6, "(3,6)", 2.0 },
    [DNC_LOOK_MEAN]      = { "mean", "mean over seeds", "#444444", 3, 1.5, "1", 2.0 },
    [DNC_LOOK_MEAN_LAST] = { "mean-last", "mean over seeds, layer L", "#444444", 1, 1.5, "(14,8)", 2.0 },
    [DNC_LOOK_CUTOFF]    = { "cutoff", "rank cutoff", "#000000", 0, 0.0, "(16,8)", 2.5 },
    [DNC_LOOK_SEQUENCE]  = { "sequence", "", "#440154", 0, 0.0, "1", 1.5 },
};

dnc_look_t dnc_look_of(const char *name)
{
    static const struct { const char *name; dnc_look_t look; } names[] = {
        { "dnc", DNC_LOOK_DNC }, { "deep-linear", DNC_LOOK_DNC },   /* the DNC-structured value under CE */
        { "srg", DNC_LOOK_SRG }, { "srg-embedded", DNC_LOOK_SRG },
        { "sts", DNC_LOOK_STS }, { "low-rank", DNC_LOOK_LOW_RANK }, { "zero", DNC_LOOK_ZERO },
        { "dead-classes", DNC_LOOK_DEAD }, { "dead", DNC_LOOK_DEAD },
    };
    size_t i;
    for (i = 0; name != NULL && i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(name, names[i].name) == 0)
            return names[i].look;
    return DNC_LOOK_OTHER;
}

void dnc_plot_shade(char *buf, slong i, slong n)
{
    /* viridis at t = 0, 0.1, ..., 0.9 */
    static const unsigned char v[10][3] = {
        { 0x44, 0x01, 0x54 }, { 0x48, 0x28, 0x78 }, { 0x3e, 0x4a, 0x89 }, { 0x31, 0x68, 0x8e },
        { 0x26, 0x82, 0x8e }, { 0x1f, 0x9e, 0x89 }, { 0x35, 0xb7, 0x79 }, { 0x6d, 0xcd, 0x59 },
        { 0x90, 0xd7, 0x43 }, { 0xb4, 0xde, 0x2c } };
    double t = n > 1 ? 9.0 * (double) i / (double) (n - 1) : 0.0, f;
    int k = (int) t, c;
    unsigned rgb[3];
    if (k < 0)
        k = 0;
    if (k > 8)
        k = 8;
    f = t - k;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    for (c = 0; c < 3; c++)
        rgb[c] = (unsigned) (v[k][c] + f * (v[k + 1][c] - v[k][c]) + 0.5);
    snprintf(buf, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

/* ---- rounding a certified value ---- */

/* 10^k as an exact rational (k of either sign). */
static void pow10_q(fmpq_t r, slong k)
{
    fmpz_set_ui(fmpq_numref(r), 10);
    fmpz_pow_ui(fmpq_numref(r), fmpq_numref(r), (ulong) (k >= 0 ? k : -k));
    fmpz_one(fmpq_denref(r));
    if (k < 0)
        fmpz_swap(fmpq_numref(r), fmpq_denref(r));
}

/* x > 0 as m * 10^e rounded to `digits` significant digits, ties away from zero:
 * 10^(digits-1) <= m < 10^digits. Sets *k = floor(log10(m * 10^e)). */
static void round_sig(fmpz_t m, slong *k, const fmpq_t x, slong digits)
{
    fmpq_t p, y;
    fmpz_t top;
    slong e = (slong) fmpz_sizeinbase(fmpq_numref(x), 10) - (slong) fmpz_sizeinbase(fmpq_denref(x), 10);
    fmpq_init(p);
    fmpq_init(y);
    fmpz_init(top);
    for (pow10_q(p, e); fmpq_cmp(p, x) > 0; pow10_q(p, --e))   /* 10^e <= x */
        ;
    for (pow10_q(p, e + 1); fmpq_cmp(p, x) <= 0; pow10_q(p, ++e + 1))   /* x < 10^(e+1) */
        ;
    pow10_q(p, digits - 1 - e);
    fmpq_mul(y, x, p);                     /* 10^(digits-1) <= y < 10^digits */
    fmpz_mul_2exp(top, fmpq_numref(y), 1);
    fmpz_add(top, top, fmpq_denref(y));
    fmpz_mul_2exp(m, fmpq_denref(y), 1);
    fmpz_fdiv_q(m, top, m);                /* floor(y + 1/2) */
    fmpz_set_ui(top, 10);
    fmpz_pow_ui(top, top, (ulong) digits);
    if (fmpz_equal(m, top)) {              /* 9.9996 -> 10.00: one more digit before the point */
        fmpz_divexact_ui(m, m, 10);
        e++;
    }
    *k = e;
    fmpq_clear(p);
    fmpq_clear(y);
    fmpz_clear(top);
}

/* The digits d (of m) times 10^(k - digits + 1) as text: plain for 1e-4 <= value < 1e6,
 * else scientific ("1.235e-07"). */
static void format_sig(char *buf, size_t len, int negative, const char *d, slong k, slong digits)
{
    char zeros[8] = "000000";
    if (k >= 0 && k < 6 && k < digits - 1)          /* 12.35 */
        snprintf(buf, len, "%s%.*s.%s", negative ? "-" : "", (int) (k + 1), d, d + k + 1);
    else if (k >= 0 && k < 6)                       /* 1235, 123500 */
        snprintf(buf, len, "%s%s%.*s", negative ? "-" : "", d, (int) (k - digits + 1), zeros);
    else if (k >= -4 && k < 0)                      /* 0.001235 */
        snprintf(buf, len, "%s0.%.*s%s", negative ? "-" : "", (int) (-k - 1), zeros, d);
    else                                            /* 1.235e-07 */
        snprintf(buf, len, "%s%.1s%s%se%c%02ld", negative ? "-" : "", d, digits > 1 ? "." : "", d + 1,
                 k < 0 ? '-' : '+', (long) (k < 0 ? -k : k));
}

/* x rounded to `digits` significant digits, as text. */
static void round_text(char *buf, size_t len, const fmpq_t x, slong digits)
{
    fmpq_t a;
    fmpz_t m;
    slong k;
    char *d;
    if (fmpq_is_zero(x)) {
        snprintf(buf, len, "0");
        return;
    }
    fmpq_init(a);
    fmpz_init(m);
    fmpq_abs(a, x);
    round_sig(m, &k, a, digits);
    d = fmpz_get_str(NULL, 10, m);
    format_sig(buf, len, fmpq_sgn(x) < 0, d, k, digits);
    flint_free(d);
    fmpq_clear(a);
    fmpz_clear(m);
}

int dnc_plot_round_certified(char *buf, size_t len, const char *lo, const char *hi, slong digits)
{
    fmpq_t a, b;
    char ta[96], tb[96];
    int status = -1;
    if (len > 0)
        buf[0] = '\0';
    fmpq_init(a);
    fmpq_init(b);
    if (digits >= 1 && digits <= 30 && dnc_parse_rational(a, lo) == 0 && dnc_parse_rational(b, hi) == 0
        && fmpq_cmp(a, b) <= 0)
        for (; digits <= 30 && status != 0; digits++) {
            round_text(ta, sizeof(ta), a, digits);
            round_text(tb, sizeof(tb), b, digits);
            if (strcmp(ta, tb) == 0) {
                snprintf(buf, len, "%s", ta);
                status = 0;
            }
        }
    fmpq_clear(a);
    fmpq_clear(b);
    return status;
}
