/* dncert report: outward decimal rounding (dnc_decimal_set), tables of committed certificates,
 * refusal of certificates the checker does not accept, and the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <flint/fmpq.h>
#include "dncert/problem.h"
#include "dncert/report.h"
#include "testutil.h"

#define CAP 65536
static char out[CAP], err[CAP];

#define CERT(path) DNCERT_SOURCE_DIR "/certificates/" path
#define GRID CERT("binary-dnc/grid-L3-n1-lambda1_250.json")
#define TIE CERT("binary-dnc/tie-L2.json")
#define TRI CERT("dnc-vs-srg/triangular-r5-L4.json")

/* ---- rounding ---- */

/* Criterion hands parameters to forked workers by copy: keep strings inline. */
struct round_case {
    char lo[160], hi[160];
    long digits;
    char want[64];
};

/* Every reference is derived by hand in its comment: e is the exponent of the larger
 * magnitude (10^e <= |x| < 10^(e+1)), w = hi - lo, and the last digit shown is at
 * q = max(floor(log10 w), e - digits + 1) (q = e - digits + 1 when lo = hi); then EXACT if
 * lo = hi is a multiple of 10^q, DIGITS if lo and hi truncate alike at q (0 not inside),
 * else the range [floor(lo), ceil(hi)] at q. */
ParameterizedTestParameters(report, rounding)
{
    static struct round_case cases[] = {
        /* the DNC value of triangular-r5-L4: e = -2, w = 1e-71, q = max(-71, -7) = -7; both ends
         * truncate to 0.0991798 */
        { "0.09917987463559519386104479579851865113972176046749117276774039580270981",
          "0.09917987463559519386104479579851865113972176046749117276774039580270982", 6, "0.0991798..." },
        /* the same at 12 digits: q = -13, 0.0991798746355|9... */
        { "0.09917987463559519386104479579851865113972176046749117276774039580270981",
          "0.09917987463559519386104479579851865113972176046749117276774039580270982", 12, "0.0991798746355..." },
        /* negative: truncation toward zero gives -0.0991798 (the value is in (-0.0991799, -0.0991798]) */
        { "-0.09917987463559519386104479579851865113972176046749117276774039580270982",
          "-0.09917987463559519386104479579851865113972176046749117276774039580270981", 6, "-0.0991798..." },
        /* the --digits cap: 1 digit, q = -2: 0.09... */
        { "0.09917987463559519386104479579851865113972176046749117276774039580270981",
          "0.09917987463559519386104479579851865113972176046749117276774039580270982", 1, "0.09..." },
        /* lo = hi exact: 1/2 = 0.5 (q = -6, 0.5 = 500000e-6) */
        { "1/2", "1/2", 6, "0.5" },
        /* 15/128 = 0.1171875 has 7 digits: at 6 (q = -6) it is not a multiple of 1e-6 -> the six
         * proven digits 0.117187 (truncated, not rounded to ...188); at 7 it is exact */
        { "15/128", "15/128", 6, "0.117187..." },
        { "15/128", "15/128", 7, "0.1171875" },
        /* the --digits cap on an exact value: 3 digits, q = -3: 0.117... */
        { "15/128", "15/128", 3, "0.117..." },
        /* 1/3 and -2/3 never terminate: 0.333333..., -0.666666... (truncated) */
        { "1/3", "1/3", 6, "0.333333..." },
        { "-2/3", "-2/3", 6, "-0.666666..." },
        { "0", "0", 6, "0" },
        /* straddling a power of ten: e = -1 (0.1001), w = 0.0002, q = max(-4, -6) = -4; truncations
         * 0.0999 and 0.1001 differ -> [0.0999, 0.1001] */
        { "0.0999", "0.1001", 6, "[0.0999, 0.1001]" },
        /* the same with 2 digits: q = max(-4, -2) = -2: floor(0.0999) = 0.09, ceil(0.1001) = 0.11 */
        { "0.0999", "0.1001", 2, "[0.09, 0.11]" },
        /* with 1 digit: q = -1: floor 0.0, ceil 0.2 */
        { "0.0999", "0.1001", 1, "[0, 0.2]" },
        /* negative: [-0.1001, -0.0999] -> floor(-0.1001) = -0.1001, ceil(-0.0999) = -0.0999 */
        { "-0.1001", "-0.0999", 6, "[-0.1001, -0.0999]" },
        /* an isolating interval of a root: [61/64, 123/128] = [0.953125, 0.9609375], w = 1/128 =
         * 0.0078125, q = -3: floor 0.953, ceil 0.961 (0.9609375 rounds up) */
        { "61/64", "123/128", 6, "[0.953, 0.961]" },
        /* [123/128, 31/32] = [0.9609375, 0.96875]: floor 0.960 (printed 0.96), ceil 0.969 */
        { "123/128", "31/32", 6, "[0.96, 0.969]" },
        /* the width decides: [0.12345, 0.123459], w = 9e-6, q = -6: 0.123450 vs 0.123459 differ */
        { "0.12345", "0.123459", 6, "[0.12345, 0.123459]" },
        /* [0.1234561, 0.1234569]: w = 8e-7, q = max(-7, -6) = -6: both 0.123456 */
        { "0.1234561", "0.1234569", 6, "0.123456..." },
        /* large: e = 8, w = 1, q = max(0, 3) = 3: both 123456xxx -> 1.23456...e8 (scientific: e >= digits) */
        { "123456789", "123456790", 6, "1.23456...e8" },
        /* at 9 digits: q = 0, the ends differ: a range, plain (e = 8 < 9) */
        { "123456789", "123456790", 9, "[123456789, 123456790]" },
        /* negative large: ceil(hi) at 10^3 = -123456 -> -1.23456...e8 */
        { "-123456790", "-123456789", 6, "-1.23456...e8" },
        /* digits ending before the point are written in scientific notation: [1.5, 1.6] at 1 digit:
         * q = max(-1, 0) = 0, both truncate to 1 -> 1...e0 ("1..." would hide the point) */
        { "1.5", "1.6", 1, "1...e0" },
        /* exact 10^6 at 6 digits: e = 6 >= 6: scientific 1e6 */
        { "1000000", "1000000", 6, "1e6" },
        /* tiny: e = -30, w = 8e-37, q = max(-37, -35) = -35: both 123456e-35 */
        { "1.2345671e-30", "1.2345679e-30", 6, "1.23456...e-30" },
        /* an interval touching 0: [0, 1e-80]: e = -80, q = -80: [0, 1e-80] */
        { "0", "1e-80", 6, "[0, 1e-80]" },
        /* straddling 0: [-0.001, 0.002]: e = -3, w = 0.003, q = -3: [-0.001, 0.002] */
        { "-0.001", "0.002", 6, "[-0.001, 0.002]" },
        /* [-1/3, 1/3]: e = -1, w = 2/3, q = -1: floor(-0.33..) = -0.4, ceil(0.33..) = 0.4 */
        { "-1/3", "1/3", 6, "[-0.4, 0.4]" },
        /* both ends truncate to 0 at q = -6 (|x| < 1e-6) but 0 is inside: never "0.000000...";
         * floor(-0.6e-6) = -1e-6, ceil(0.6e-6) = 1e-6; scientific since e = -7 < -4 */
        { "-6e-7", "6e-7", 6, "[-1e-6, 1e-6]" },
        /* a decimal exponent at the format's limit: 10^-10000 exactly */
        { "1e-10000", "1e-10000", 6, "1e-10000" },
        /* 2^-65536 (a hexadecimal float): log10 = -65536 * 0.30102999566... = -19728.3017..., so
         * e = -19729 and the mantissa is 10^0.69820... = 4.99119... (checked with exact integer
         * arithmetic: floor(10^19734 / 2^65536) = 499119) */
        { "0x1p-65536", "0x1p-65536", 6, "4.99119...e-19729" },
    };
    return cr_make_param_array(struct round_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct round_case *c, report, rounding)
{
    fmpq_t lo, hi;
    char *s;
    fmpq_init(lo);
    fmpq_init(hi);
    cr_assert(dnc_parse_rational(lo, c->lo) == 0 && dnc_parse_rational(hi, c->hi) == 0);
    s = dnc_decimal_text(lo, hi, c->digits);
    cr_assert(s != NULL);
    cr_expect_str_eq(s, c->want, "[%.40s, %.40s] at %ld digits", c->lo, c->hi, c->digits);
    flint_free(s);
    fmpq_clear(lo);
    fmpq_clear(hi);
    flint_cleanup();
}

Test(report, rounding_rejects_bad_arguments)
{
    fmpq_t a, b;
    dnc_decimal d;
    fmpq_init(a);
    fmpq_init(b);
    fmpq_set_si(a, 1, 1);
    cr_expect(dnc_decimal_text(a, b, 6) == NULL, "lo > hi");
    cr_expect(dnc_decimal_text(b, a, 0) == NULL, "0 digits");
    cr_expect(dnc_decimal_set(&d, a, b, 6) == -1 && d.lo == NULL && d.hi == NULL);
    fmpq_clear(a);
    fmpq_clear(b);
}

/* x <- the decimal m (digits, optional '-' and '.'), times 10^e; *ulp <- 10^(e - digits after the point). */
static void read_shown(fmpq_t x, fmpq_t ulp, const char *m, slong e, slong *sig)
{
    const char *dot = strchr(m, '.'), *p;
    slong frac = dot != NULL ? (slong) strlen(dot + 1) : 0;
    int started = 0;
    char *buf = malloc(strlen(m) + 40);
    sprintf(buf, "%se%ld", m, (long) e);
    cr_assert(dnc_parse_rational(x, buf) == 0, "%s", buf);
    sprintf(buf, "1e%ld", (long) (e - frac));
    cr_assert(dnc_parse_rational(ulp, buf) == 0);
    *sig = 0;
    for (p = m; *p; p++)     /* significant digits: from the first non-zero one on */
        if (*p >= '0' && *p <= '9') {
            started |= *p != '0';
            *sig += started;
        }
    for (p = m + strlen(m); dot == NULL && p > m && p[-1] == '0'; p--)
        (*sig)--;            /* an integer's trailing zeros are not significant */
    free(buf);
}

/* Random exact intervals of every sign and magnitude: the printed numbers enclose [lo, hi],
 * DIGITS are shared by lo and hi, and no number has more than `digits` significant digits.
 * Checked with exact rationals only. */
Test(report, rounding_encloses_random_intervals)
{
    flint_rand_t st;
    fmpq_t lo, hi, a, b, ua, ub, t;
    dnc_decimal d;
    int i;
    flint_randinit(st);
    fmpq_init(lo); fmpq_init(hi); fmpq_init(a); fmpq_init(b); fmpq_init(ua); fmpq_init(ub); fmpq_init(t);
    for (i = 0; i < 4000; i++) {
        slong digits = 1 + (slong) n_randint(st, 12), sa, sb;
        fmpq_randtest(lo, st, 1 + n_randint(st, 200));
        if (n_randint(st, 4) == 0)
            fmpq_set(hi, lo);
        else {   /* hi = lo + a small or large positive width */
            fmpq_randtest(t, st, 1 + n_randint(st, 200));
            fmpq_abs(t, t);
            if (n_randint(st, 2)) {
                fmpz_mul_2exp(fmpq_denref(t), fmpq_denref(t), n_randint(st, 300));
                fmpq_canonicalise(t);
            }
            fmpq_add(hi, lo, t);
        }
        cr_assert(dnc_decimal_set(&d, lo, hi, digits) == 0);
        read_shown(a, ua, d.lo, d.sci ? d.elo : 0, &sa);
        read_shown(b, ub, d.hi, d.sci ? d.ehi : 0, &sb);
        cr_assert(fmpq_cmp(a, lo) <= 0 && fmpq_cmp(hi, b) <= 0, "not enclosed: %s %s", d.lo, d.hi);
        cr_assert(sa <= digits && sb <= digits, "too many digits: %s %s (%ld)", d.lo, d.hi, (long) digits);
        if (d.form == DNC_DEC_EXACT)
            cr_assert(fmpq_equal(a, lo) && fmpq_equal(lo, hi));
        else if (d.form == DNC_DEC_DIGITS) {
            /* every number of [lo, hi] starts with the shown digits: inside [D, D + ulp) for a
             * positive interval, (D - ulp, D] for a negative one */
            const fmpq *shown = d.negative ? b : a, *ulp = d.negative ? ub : ua;
            fmpq_add(t, shown, ulp);
            if (!d.negative)
                cr_assert(fmpq_cmp(shown, lo) <= 0 && fmpq_cmp(hi, t) < 0);
            else {
                fmpq_sub(t, shown, ulp);
                cr_assert(fmpq_cmp(t, lo) < 0 && fmpq_cmp(hi, shown) <= 0);
            }
            cr_assert(fmpq_sgn(lo) >= 0 || fmpq_sgn(hi) <= 0, "0 inside a DIGITS interval");
        }
        dnc_decimal_clear(&d);
    }
    fmpq_clear(lo); fmpq_clear(hi); fmpq_clear(a); fmpq_clear(b); fmpq_clear(ua); fmpq_clear(ub); fmpq_clear(t);
    flint_randclear(st);
    flint_cleanup();
}

/* ---- tables ---- */

/* The wide Markdown table of two binary-DNC certificates, checked by hand against the files:
 * grid-L3-n1-lambda1_250 (K = 2, n = 1, L = 3, widths 4, lambda 1/250): alive, value_dnc in
 * [0.0159678709651151452..., ...] -> 0.0159678..., attained_dnc in [1 - 1e-70, 1 + 1e-69],
 * which straddles 1: at 6 digits q = -5, [0.99999, 1.00001]; tie-L2 (n = 4, L = 2, widths 2,
 * lambda 1/8): the tie, value exactly 1/2 and ratio exactly 1. K, activation and bias are the
 * same in both rows and go below the table. */
Test(report, markdown_wide_binary_dnc)
{
    const char *args[] = { "report", GRID, TIE, "--format", "markdown", NULL };
    const char *want =
        "| certificate | n | L | width | \xce\xbb | DNC block | f_DNC | loss(dnc) / f_DNC |\n"
        "|---|---:|---:|---:|---|---|---|---|\n"
        "| grid-L3-n1-lambda1_250 | 1 | 3 | 4 | 1/250 | alive | 0.0159678\xe2\x80\xa6 | [0.99999, 1.00001] |\n"
        "| tie-L2 | 4 | 2 | 2 | 1/8 | tie | 0.5 | 1 |\n"
        "\n"
        "All rows: K = 2, activation = ReLU, bias = none.\n";
    cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s", err);
    cr_assert(strncmp(out, want, strlen(want)) == 0, "got:\n%s", out);
}

/* The same two as CSV: every column, and the rounded ends of each interval. */
Test(report, csv_wide_binary_dnc)
{
    const char *args[] = { "report", GRID, TIE, "--format", "csv", NULL };
    cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s", err);
    cr_assert(strstr(out, "certificate,K,n,L,width,activation,bias,lambda_h,lambda_w,DNC block,f_DNC,f_DNC lo,f_DNC hi,"
                          "loss(dnc) / f_DNC,loss(dnc) / f_DNC lo,loss(dnc) / f_DNC hi\n") == out, "%s", out);
    cr_assert(strstr(out, "/certificates/binary-dnc/grid-L3-n1-lambda1_250.json,2,1,3,4,ReLU,none,1/250,1/250,alive,"
                          "0.0159678...,0.0159678,0.0159679,\"[0.99999, 1.00001]\",0.99999,1.00001\n") != NULL, "%s", out);
    cr_assert(strstr(out, "/certificates/binary-dnc/tie-L2.json,2,4,2,2,ReLU,none,1/8,1/8,tie,0.5,0.5,0.5,1,1,1\n") != NULL,
              "%s", out);
}

/* LaTeX of triangular-r5-L4 (K = 10 = C(5, 2), L = 4): the certified SRG < DNC order, its
 * ratio 0.910973... (value_srg / value_dnc = 0.0903502.../0.0991798...), and "not proven"
 * nowhere since the direction DNC < SRG is merged into the same column. */
Test(report, latex_triangular)
{
    const char *args[] = { "report", TRI, NULL };
    cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s", err);
    cr_assert(strstr(out, "% All rows: $K$ = 10, $n$ = 1, $L$ = 4, width = $K$, activation = ReLU, bias = none, "
                          "$\\lambda$ = $1/250$, $r$ = 5.\n") != NULL, "%s", out);
    cr_assert(strstr(out, "\\begin{tabular}{lllllll}\n\\toprule\n"
                          "DNC block & SRG block & $f_{\\mathrm{DNC}}$ & $f_{\\mathrm{SRG}}$ & "
                          "$f_{\\mathrm{SRG}}$ / $f_{\\mathrm{DNC}}$ & $f_{\\mathrm{DNC}}$ vs $f_{\\mathrm{SRG}}$ & "
                          "DNC not optimal \\\\\n\\midrule\n"
                          "alive & alive & $0.0991798\\ldots$ & $0.0903502\\ldots$ & $0.910973\\ldots$ & "
                          "$f_{\\mathrm{SRG}}$ $<$ $f_{\\mathrm{DNC}}$ & yes \\\\ % ") != NULL, "%s", out);
    cr_assert(strstr(out, "\\bottomrule\n\\end{tabular}\n") != NULL);
    cr_assert(strstr(out, "\\emph{not proven}") == NULL, "%s", out);
}

/* One row per claim quantity: the loss claim gives loss, fit and regulariser; the wrong-way
 * order is "not proven" with no value. */
Test(report, long_layout)
{
    const char *args[] = { "report", TRI, "--layout", "long", "--format", "markdown", NULL };
    cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s", err);
    cr_assert(strstr(out, "| loss_srg | loss | fit(srg) | certified | 0.000693786\xe2\x80\xa6 |\n") != NULL, "%s", out);
    cr_assert(strstr(out, "| order_value_dnc_value_srg | order | f_DNC < f_SRG (r = 5) | *not proven* |  |\n") != NULL,
              "%s", out);
    cr_assert(strstr(out, "| rank_pre_srg_L4 | structure | rank_pre (srg), layer 4 | certified | rank 5 |\n") != NULL,
              "%s", out);
}

/* ---- refusal of what the checker does not accept ---- */

static json_t *load(const char *path)
{
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
    cr_assert(j != NULL, "%s", path);
    return j;
}

/* In memory: a flipped verdict and a moved interval are refused, with the claim named. */
Test(report, tampered_in_memory)
{
    json_t *c = load(TRI), *cl;
    dnc_report *r = dnc_report_new();
    char msg[2048];
    cr_assert_eq(dnc_report_add_json(r, c, "tri", msg, sizeof(msg)), 0, "%s", msg);
    /* the wrong-way order declared certified */
    cl = tu_claim(c, "order_value_dnc_value_srg");
    json_object_set_new(cl, "verdict", json_string("certified"));
    cr_assert_eq(dnc_report_add_json(r, c, "flipped", msg, sizeof(msg)), 1);
    cr_assert(strstr(msg, "flipped") != NULL && strstr(msg, "order_value_dnc_value_srg") != NULL, "%s", msg);
    json_object_set_new(cl, "verdict", json_string("not proven"));
    /* the DNC value moved by 1e-20 */
    cl = tu_claim(c, "value_dnc");
    json_object_set_new(json_object_get(cl, "value"), "lo", json_string("0.09917987463559519387"));
    json_object_set_new(json_object_get(cl, "value"), "hi", json_string("0.09917987463559519388"));
    json_object_del(json_object_get(cl, "value"), "decimal");
    cr_assert_eq(dnc_report_add_json(r, c, "moved", msg, sizeof(msg)), 1);
    cr_assert(strstr(msg, "value_dnc") != NULL, "%s", msg);
    cr_assert_eq(dnc_report_count(r), 1, "only the honest certificate was added");
    dnc_report_free(r);
    json_decref(c);
}

/* On the command line: a tampered copy makes the command refuse, exit 1, write nothing. */
Test(report, tampered_file_refused)
{
    char dir[256], bad[512], table[512];
    json_t *c = load(TIE);
    const char *args[] = { "report", TIE, bad, "--out", table, NULL };
    tu_tmpdir(dir, sizeof(dir));
    snprintf(bad, sizeof(bad), "%s/tie.json", dir);
    snprintf(table, sizeof(table), "%s/table.tex", dir);
    json_object_set_new(tu_claim(c, "alive_dnc"), "decision", json_string("alive"));   /* it is a tie */
    cr_assert(json_dump_file(c, bad, 0) == 0);
    cr_assert_eq(tu_run(out, err, CAP, args), 1, "%s", err);
    cr_assert(strstr(err, "refusing to write a table: the checker does not accept") != NULL, "%s", err);
    cr_assert(strstr(err, "alive_dnc") != NULL, "%s", err);
    cr_assert(access(table, F_OK) != 0, "nothing written");
    cr_assert_str_empty(out);
    unlink(bad);
    rmdir(dir);
    json_decref(c);
}

/* A file that is not JSON, or missing: exit 2 naming it. */
Test(report, unreadable_files)
{
    char dir[256], bad[512];
    FILE *f;
    const char *args[] = { "report", bad, NULL };
    tu_tmpdir(dir, sizeof(dir));
    snprintf(bad, sizeof(bad), "%s/x.json", dir);
    cr_assert_eq(tu_run(out, err, CAP, args), 2);
    cr_assert(strstr(err, "x.json: cannot read the file") != NULL, "%s", err);
    f = fopen(bad, "w");
    fputs("{\"format\": ", f);
    fclose(f);
    cr_assert_eq(tu_run(out, err, CAP, args), 2);
    cr_assert(strstr(err, "x.json: invalid JSON") != NULL, "%s", err);
    unlink(bad);
    rmdir(dir);
}

/* ---- the command line ---- */

struct bad_case {
    char args[4][24];
    char needle[96];
};

ParameterizedTestParameters(report, bad_options)
{
    static struct bad_case cases[] = {
        { { "--format", "pdf" }, "--format: must be latex, markdown or csv (got 'pdf')" },
        { { "--layout", "tall" }, "--layout: must be wide or long (got 'tall')" },
        { { "--digits", "0" }, "--digits: must be an integer in [1, 1000] (got '0')" },
        { { "--digits", "1001" }, "--digits: must be an integer in [1, 1000]" },
        { { "--digits", "six" }, "--digits: must be an integer" },
        { { "--claims", "value,foo" }, "--claims: unknown claim kind 'foo'" },
        { { "--format", "csv", "--standalone" }, "--standalone: only with --format latex" },
        { { "--out", "" }, "--out: needs a file name" },
        { { "--bogus" }, "unknown option '--bogus'" },
        { { "--digits" }, "--digits needs a value" },
    };
    return cr_make_param_array(struct bad_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *c, report, bad_options)
{
    const char *args[8] = { "report", TIE, NULL };
    int i, n = 2;
    for (i = 0; i < 4 && c->args[i][0] != '\0'; i++)
        args[n++] = c->args[i];
    if (strcmp(c->args[0], "--out") == 0)
        args[n++] = "";
    args[n] = NULL;
    cr_assert_eq(tu_run(out, err, CAP, args), 2, "%s", err);
    cr_assert(strstr(err, c->needle) != NULL, "wanted '%s' in: %s", c->needle, err);
    cr_assert_str_empty(out);
}

Test(report, no_files_and_help)
{
    const char *none[] = { "report", NULL }, *help[] = { "report", "--help", NULL };
    cr_assert_eq(tu_run(out, err, CAP, none), 2);
    cr_assert(strstr(err, "expected at least one certificate file") != NULL, "%s", err);
    cr_assert_eq(tu_run(out, err, CAP, help), 0);
    cr_assert(strstr(out, "Usage: dncert report CERT...") != NULL && strstr(out, "--digits N") != NULL, "%s", out);
}

/* --out is written atomically, has what standard output has, is not replaced without --force,
 * and its format follows the extension. */
Test(report, out_file)
{
    char dir[256], path[512], std[CAP];
    FILE *f;
    size_t n;
    const char *to_stdout[] = { "report", TIE, "--format", "markdown", NULL };
    const char *to_file[] = { "report", TIE, "--out", path, NULL };
    const char *forced[] = { "report", TIE, "--out", path, "--force", NULL };
    tu_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/t.md", dir);
    cr_assert_eq(tu_run(std, err, CAP, to_stdout), 0, "%s", err);
    cr_assert_eq(tu_run(out, err, CAP, to_file), 0, "%s", err);
    cr_assert_str_empty(out);
    f = fopen(path, "r");
    cr_assert(f != NULL);
    n = fread(out, 1, CAP - 1, f);
    out[n] = '\0';
    fclose(f);
    cr_assert_str_eq(out, std, "the .md extension chooses Markdown");
    cr_assert_eq(tu_run(out, err, CAP, to_file), 2);
    cr_assert(strstr(err, "already exists (use --force to replace it)") != NULL, "%s", err);
    cr_assert_eq(tu_run(out, err, CAP, forced), 0, "%s", err);
    unlink(path);
    cr_assert_eq(rmdir(dir), 0, "no temporary file left");
}

/* A standalone LaTeX document has the preamble booktabs and longtable need (a long table
 * breaks across pages) and closes what it opens. */
Test(report, latex_standalone)
{
    const char *args[] = { "report", TIE, GRID, "--standalone", NULL };
    cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s", err);
    cr_assert(strstr(out, "\\documentclass{article}") == out);
    cr_assert(strstr(out, "\\usepackage{booktabs,longtable}") != NULL);
    cr_assert(strstr(out, "\\begin{longtable}{rrrllll}\n\\toprule\n") != NULL, "%s", out);
    cr_assert(strstr(out, "\\endhead\n\\bottomrule\n\\endlastfoot\n") != NULL, "%s", out);
    cr_assert(strstr(out, "\\end{longtable}\n") != NULL, "%s", out);
    cr_assert(strstr(out, "\\begin{document}") != NULL && strstr(out, "\\end{document}\n") != NULL);
    cr_assert(strstr(out, "All rows: $K$ = 2, activation = ReLU, bias = none.") != NULL, "%s", out);
}

/* A structure fact over several layers in one wide cell. The ranks of the SRG point's class
 * means of triangular-r4-L4 before the ReLU are 4 at layers 2 and 3 (found with dncert-verify:
 * only rank 4 re-checks there) and 3 at layer 4 (the committed claim); a false rank 1 at
 * layer 2 is recorded as "not proven", which the checker confirms. */
Test(report, structure_facts_over_layers)
{
    json_t *c = load(CERT("dnc-vs-srg/triangular-r4-L4.json")), *claims = json_object_get(c, "claims");
    static const long layer[] = { 2, 3, 2 }, rank[] = { 4, 4, 1 };
    static const char *const id[] = { "rank_L2", "rank_L3", "rank_L2_wrong" };
    dnc_report *r = dnc_report_new();
    dnc_report_opts o;
    char msg[2048], *buf = NULL;
    size_t size = 0;
    FILE *f;
    int i;
    for (i = 0; i < 3; i++) {
        json_t *cl = json_deep_copy(tu_claim(c, "rank_pre_srg_L4"));
        json_object_set_new(cl, "id", json_string(id[i]));
        json_object_set_new(cl, "layer", json_integer(layer[i]));
        json_object_set_new(cl, "rank", json_integer(rank[i]));
        json_object_set_new(cl, "verdict", json_string(i < 2 ? "certified" : "not proven"));
        json_array_append_new(claims, cl);
    }
    cr_assert_eq(dnc_report_add_json(r, c, "r4", msg, sizeof(msg)), 0, "%s", msg);
    dnc_report_opts_init(&o);
    o.format = DNC_REPORT_MARKDOWN;
    o.kinds = DNC_REPORT_STRUCTURE;
    f = open_memstream(&buf, &size);
    cr_assert_eq(dnc_report_write(f, r, &o), 0);
    fclose(f);
    cr_assert(strstr(buf, "| rank_pre (srg) | relu_identity (srg) |\n") != NULL, "%s", buf);
    cr_assert(strstr(buf, "| layers 2-4; ranks 2: 4, 3: 4, 4: 3; not proven: 2 | layer 4 |\n") != NULL, "%s", buf);
    free(buf);
    dnc_report_free(r);
    json_decref(c);
}
