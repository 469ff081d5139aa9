/* dncert closed-form as users run it: the JSON contract, --compare, --export, bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include "dncert/io.h"
#include "testutil.h"

#define CAP 400000
static char out[CAP], err[CAP];

static json_t *run_json(const char *const *args)
{
    json_error_t je;
    json_t *j;
    int rc = tu_run(out, err, CAP, args);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
    j = json_loads(out, 0, &je);
    cr_assert(j != NULL, "not JSON (%s): %.300s", je.text, out);
    return j;
}

/* Number of leading characters two decimal strings share. */
static size_t common_prefix(const char *a, const char *b)
{
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    return i;
}

/* closed-forms.md §2 reference values (r = 5, n = 1, L = 4, lambda = 0.004):
 * f_SRG = 0.0903502055815790024885..., f_DNC = 0.0991798746355951938610... */
Test(closed_cli, srg_reference_and_order)
{
    const char *args[] = { "closed-form", "srg", "--r", "5", "--K", "10", "--n", "1", "--L", "4",
                           "--width", "10", "--compare", NULL };
    json_t *j = run_json(args), *loss = json_object_get(j, "loss");
    const char *dec = json_string_value(json_object_get(loss, "decimal"));
    fmpq_t lo, hi, ref;
    char msg[256];
    cr_assert(dec != NULL);
    cr_assert_geq(common_prefix(dec, "0.0903502055815790024885"), 24, "decimal %s", dec);
    cr_assert_geq(strlen(dec), 35, "fewer than 30 digits: %s", dec);
    fmpq_init(lo);
    fmpq_init(hi);
    fmpq_init(ref);
    cr_assert_eq(dnc_json_get_interval(lo, hi, loss, "loss", msg, sizeof(msg)), 0, "%s", msg);
    /* the exact endpoints bracket the reference's 22 digits: lo <= 0.09035020558157900248852 */
    dnc_parse_rational(ref, "0.0903502055815790024885");
    cr_assert(fmpq_cmp(lo, ref) > 0);
    dnc_parse_rational(ref, "0.0903502055815790024886");
    cr_assert(fmpq_cmp(hi, ref) < 0);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "compare"), "order")), "strictly lower");
    cr_assert(common_prefix(json_string_value(json_object_get(json_object_get(json_object_get(j, "compare"),
                            "dnc_loss"), "decimal")), "0.0991798746355951938610") >= 24);
    cr_assert(json_is_true(json_object_get(json_object_get(j, "crosscheck"), "consistent")));
    cr_assert_str_eq(json_string_value(json_object_get(j, "alive")), "alive");
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpq_clear(ref);
    json_decref(j);
}

/* At L = 3, SRG never beats DNC (r^2 > 2K): the certified order says so. */
/* Without --K (and --width) srg takes K = C(r, 2) classes and widths K: r = 5, L = 4 is
 * the problem of the reference value above (srg --r 6 failed with "got 2"). */
Test(closed_cli, srg_default_K_is_C_r_2)
{
    const char *args[] = { "closed-form", "srg", "--r", "5", "--n", "1", "--L", "4", NULL };
    json_t *j = run_json(args), *model = json_object_get(j, "model");
    cr_assert_eq(json_integer_value(json_object_get(model, "K")), 10);
    cr_assert_eq(json_integer_value(json_array_get(json_object_get(model, "width"), 3)), 10);
    cr_assert_geq(common_prefix(json_string_value(json_object_get(json_object_get(j, "loss"), "decimal")),
                                "0.0903502055815790024885"), 24);
    json_decref(j);
}

/* The loss interval of a closed-form run, as "lo hi" (caller frees). */
static char *loss_of(const char *const *args)
{
    json_t *j = run_json(args), *loss = json_object_get(j, "loss");
    char *t = malloc(strlen(json_string_value(json_object_get(loss, "lo"))) + strlen(json_string_value(json_object_get(loss, "hi"))) + 2);
    sprintf(t, "%s %s", json_string_value(json_object_get(loss, "lo")), json_string_value(json_object_get(loss, "hi")));
    json_decref(j);
    return t;
}

/* sts without --K is STS(v) on its v(v-1)/6 triples; deep-linear without --activation
 * is the all-linear model: each the same value as with the options written out. */
Test(closed_cli, sts_and_deep_linear_defaults)
{
    const char *sts[] = { "closed-form", "sts", "--v", "7", "--L", "3", NULL };
    const char *sts_full[] = { "closed-form", "sts", "--v", "7", "--L", "3", "--K", "7", "--width", "7", NULL };
    const char *dl[] = { "closed-form", "deep-linear", "--K", "3", "--L", "3", NULL };
    const char *dl_full[] = { "closed-form", "deep-linear", "--K", "3", "--L", "3", "--activation", "linear", NULL };
    char *a = loss_of(sts), *b = loss_of(sts_full);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    a = loss_of(dl);
    b = loss_of(dl_full);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
}

Test(closed_cli, srg_loses_at_L3)
{
    const char *args[] = { "closed-form", "srg", "--r", "5", "--K", "10", "--n", "1", "--L", "3",
                           "--width", "10", "--compare", NULL };
    json_t *j = run_json(args);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "compare"), "order")), "strictly higher");
    json_decref(j);
}

/* closed-forms.md §1: K=2, n=5, L=3, lambda=0.004, f* = 0.023853593128578949378790180100123856997
 * (40 digits, the last one rounded). --prec 256 must give at least 30 correct digits. */
Test(closed_cli, dnc_reference_30_digits)
{
    const char *args[] = { "closed-form", "dnc", "--K", "2", "--n", "5", "--L", "3", "--width", "10", NULL };
    json_t *j = run_json(args);
    const char *dec = json_string_value(json_object_get(json_object_get(j, "loss"), "decimal"));
    cr_assert_geq(common_prefix(dec, "0.023853593128578949378790180100123856997") - 2, 30, "%s", dec);
    json_decref(j);
}

/* --export writes the point in the trainer's format: `metrics` reloads it (double
 * rounding of 256-bit balls: the loss agrees to double accuracy) and `train --init`
 * starts from it. */
Test(closed_cli, export_is_a_trainer_point)
{
    char dir[256], pt[300];
    const char *cf[] = { "closed-form", "dnc", "--K", "3", "--n", "4", "--L", "3", "--width", "5",
                         "--export", NULL, NULL };
    const char *metrics[] = { "metrics", NULL, NULL };
    const char *train[] = { "train", "--K", "3", "--n", "4", "--L", "3", "--width", "5", "--steps", "0",
                            "--quiet", "--init", NULL, NULL };
    json_t *j, *m;
    json_error_t je;
    double f, g;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(pt, sizeof(pt), "%s/dnc", dir);
    cf[11] = pt;
    metrics[1] = pt;
    train[13] = pt;
    j = run_json(cf);
    f = atof(json_string_value(json_object_get(json_object_get(j, "loss"), "decimal")));
    cr_assert_eq(tu_run(out, err, CAP, metrics), 0, "%s", err);
    m = json_loads(out, 0, &je);
    cr_assert(m != NULL);
    g = json_real_value(json_object_get(m, "loss"));
    cr_assert_float_eq(f, g, 1e-14, "closed form %.17g, double evaluation of the export %.17g", f, g);
    /* the DNC point is stationary: its double gradient is at rounding level */
    cr_assert_lt(json_real_value(json_object_get(m, "grad_norm")), 1e-12);
    cr_assert_eq(tu_run(out, err, CAP, train), 0, "%s", err);
    cr_assert(strstr(out, "loss") != NULL);
    json_decref(j);
    json_decref(m);
}

/* tirer-bruna with imbalanced counts: the value of the two-layer linear bias-free optimum
 * (the same digits as deep-linear with L = 2), flagged by a "note" as an upper bound on the
 * ReLU model's optimal value (docs/math/deep-linear.md section 7); no note when balanced. */
Test(closed_cli, tirer_bruna_imbalanced_is_an_upper_bound)
{
    const char *tb[] = { "closed-form", "tirer-bruna", "--K", "3", "--n", "10,4,1", "--L", "2", "--width", "3", NULL };
    const char *dl[] = { "closed-form", "deep-linear", "--K", "3", "--n", "10,4,1", "--L", "2", "--width", "3",
                         "--activation", "linear", NULL };
    const char *bal[] = { "closed-form", "tirer-bruna", "--K", "3", "--n", "4", "--L", "2", "--width", "3", NULL };
    json_t *j = run_json(tb), *k = run_json(dl), *b;
    const char *note = json_string_value(json_object_get(j, "note"));
    cr_assert(note != NULL, "no note for imbalanced counts");
    cr_assert(strstr(note, "upper bound") != NULL && strstr(note, "not proven") != NULL, "%s", note);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "loss"), "decimal")),
                     json_string_value(json_object_get(json_object_get(k, "loss"), "decimal")));
    cr_assert(json_is_true(json_object_get(json_object_get(j, "crosscheck"), "consistent")));
    b = run_json(bal);
    cr_assert(json_object_get(b, "note") == NULL, "balanced counts need no note");
    json_decref(j);
    json_decref(k);
    json_decref(b);
}

struct bad_cf {
    char args[14][16];
    char needle[80];
};

ParameterizedTestParameters(closed_cli, bad_input)
{
    static struct bad_cf cases[] = {
        { { "srg", "--r", "2", "--K", "1" }, "--r" },
        { { "srg", "--r", "2" }, "--r: srg needs --r, an integer in [3," },
        { { "srg" }, "--r: srg needs --r" },
        { { "sts", "--v", "14", "--K", "91", "--L", "3" }, "no Steiner triple system of order 14" },
        { { "srg", "--r", "5", "--K", "12", "--L", "4", "--n", "1", "--width", "12" }, "--K: SRG with r = 5 has K = 10 classes (got 12); use --embed" },
        { { "dnc", "--prec", "32" }, "--prec: must be an integer in [64," },
        { { "dnc", "--r", "5" }, "--r applies only to srg" },
        { { "hexagon" }, "unknown structure 'hexagon'" },
        { { "dnc", "--K", "10", "--width", "8" }, "--width: DNC needs every width >= K = 10" },
        { { "dnc", "--n", "2,3" }, "--n: DNC needs balanced counts" },
        { { "dnc", "--lambda", "0" }, "--lambda: must be a positive rational" },
        { { "ufm", "--L", "3" }, "--L" },
        { { "dnc", "--bogus" }, "unknown option '--bogus'" },
        { { "deep-linear", "--K", "3", "--n", "2,3,7", "--L", "2", "--activation", "linear", "--compare" },
          "--compare: this problem has no DNC point to compare with" },
    };
    return cr_make_param_array(struct bad_cf, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_cf *c, closed_cli, bad_input)
{
    const char *args[16] = { "closed-form" };
    int i, n = 1;
    for (i = 0; i < 14 && c->args[i][0]; i++)
        args[n++] = c->args[i];
    args[n] = NULL;
    cr_assert_eq(tu_run(out, err, CAP, args), 2, "exit code for %s: %s", c->args[0], err);
    cr_assert(strstr(err, c->needle) != NULL, "'%s' not in: %s", c->needle, err);
    cr_assert_eq(out[0], '\0', "bad input printed JSON: %.200s", out);
}
