/* The figure writer on its own (dncert/plot.h): the palette, certified values rounded for
 * legends, and the refusal to replace files. The figures of runs and sweeps, as the
 * commands draw them, are tested in test_sweep.c. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "dncert/plot.h"
#include "testutil.h"

static void check_round(const char *lo, const char *hi, slong digits, const char *want)
{
    char buf[96];
    cr_assert_eq(dnc_plot_round_certified(buf, sizeof(buf), lo, hi, digits), 0, "[%s, %s] to %ld digits", lo, hi,
                 (long) digits);
    cr_assert_str_eq(buf, want, "[%s, %s] to %ld digits", lo, hi, (long) digits);
}

Test(plot, certified_values_are_rounded_not_cut)
{
    /* the DNC and SRG values of the paper's problem (K = 10, n = 1, L = 4, lambda = 0.004) */
    check_round("0.09917987123456", "0.09917987123457", 4, "0.09918");
    check_round("0.09035020558", "0.09035020559", 4, "0.09035");
    check_round("0.0238535931285789", "0.0238535931285790", 4, "0.02385");
    check_round("0.0238535931285789", "0.0238535931285790", 6, "0.0238536");
    /* a carry into a new leading digit; trailing zeros are significant and kept */
    check_round("0.0999961", "0.0999962", 4, "0.1000");
    check_round("9.99951", "9.99952", 4, "10.00");
    /* ties away from zero; an exact value */
    check_round("0.12345", "0.12345", 4, "0.1235");
    check_round("0.5", "0.5", 3, "0.500");
    check_round("-0.12345", "-0.12345", 4, "-0.1235");
    /* an enclosure across a rounding boundary takes more digits until both ends agree */
    check_round("0.1234499", "0.1234501", 4, "0.12345");
    /* magnitudes: plain from 1e-4 up to below 1e6, else scientific */
    check_round("123456.7", "123456.8", 4, "123500");
    check_round("1234567", "1234567", 4, "1.235e+06");
    check_round("0.00012345", "0.00012346", 3, "0.000123");
    check_round("0.000012345", "0.000012346", 3, "1.23e-05");
    check_round("1.23456e-7", "1.23457e-7", 4, "1.235e-07");
    check_round("7", "7", 1, "7");
    check_round("0", "0", 4, "0");
}

Test(plot, rounding_refuses_what_it_cannot_prove)
{
    char buf[64] = "x";
    cr_assert_eq(dnc_plot_round_certified(buf, sizeof(buf), "0.2", "0.1", 4), -1);     /* lo > hi */
    cr_assert_str_eq(buf, "");
    cr_assert_eq(dnc_plot_round_certified(buf, sizeof(buf), "abc", "0.1", 4), -1);
    cr_assert_eq(dnc_plot_round_certified(buf, sizeof(buf), "0.1", "0.1", 0), -1);
    cr_assert_eq(dnc_plot_round_certified(buf, sizeof(buf), "-0.1", "0.1", 4), -1);    /* the sign is unknown */
    cr_assert_eq(dnc_plot_round_certified(buf, sizeof(buf), "0.1", "0.2", 4), -1);     /* too wide for any digits */
}

/* Every structure has a colour and a marker of its own; the colours are written #rrggbb. */
Test(plot, palette_gives_each_structure_its_own_look)
{
    int i, j;
    for (i = 0; i < DNC_NLOOKS; i++) {
        const dnc_look *a = dnc_palette + i;
        cr_assert(a->key != NULL && a->label != NULL && a->dash != NULL && a->width > 0, "look %d", i);
        cr_assert(strlen(a->rgb) == 7 && a->rgb[0] == '#' && strspn(a->rgb + 1, "0123456789ABCDEFabcdef") == 6,
                  "look %d: %s", i, a->rgb);
        for (j = 0; j < i && i <= DNC_LOOK_FULL_RANK; j++) {
            cr_assert(strcmp(a->rgb, dnc_palette[j].rgb) != 0, "%s and %s share a colour", a->key, dnc_palette[j].key);
            cr_assert_neq(a->point, dnc_palette[j].point, "%s and %s share a marker", a->key, dnc_palette[j].key);
            cr_assert(strcmp(a->dash, dnc_palette[j].dash) != 0, "%s and %s share a dash", a->key, dnc_palette[j].key);
        }
    }
    cr_assert_eq(dnc_look_of("dnc"), DNC_LOOK_DNC);
    cr_assert_eq(dnc_look_of("srg-embedded"), DNC_LOOK_SRG);
    cr_assert_eq(dnc_look_of("sts"), DNC_LOOK_STS);
    cr_assert_eq(dnc_look_of("low-rank"), DNC_LOOK_LOW_RANK);
    cr_assert_eq(dnc_look_of("zero"), DNC_LOOK_ZERO);
    cr_assert_eq(dnc_look_of("dead-classes"), DNC_LOOK_DEAD);
    cr_assert_eq(dnc_look_of("unclassified"), DNC_LOOK_OTHER);
    cr_assert_eq(dnc_look_of(""), DNC_LOOK_OTHER);
}

Test(plot, shades_run_from_violet_to_green)
{
    char a[8], b[8], c[8];
    dnc_plot_shade(a, 0, 10);
    dnc_plot_shade(b, 9, 10);
    dnc_plot_shade(c, 0, 1);
    cr_assert_str_eq(a, "#440154");
    cr_assert_str_eq(b, "#b4de2c");
    cr_assert_str_eq(c, "#440154");
}

/* An existing output is refused before anything is written; with force a failing gnuplot
 * leaves no temporary behind. */
Test(plot, render_refuses_existing_files_and_leaves_nothing_on_failure)
{
    char dir[256], path[400], err[512];
    dnc_plot p;
    dnc_plot_dest d;
    unsigned written;
    FILE *f;
    tu_tmpdir(dir, sizeof(dir));
    dnc_plot_init(&p, "fig", "t", "x", "y");
    cr_assert_eq(dnc_plot_render(&p, &(dnc_plot_dest) { dir, "/bin/true", 0 }, &written, err, sizeof(err)), -1);
    cr_assert(strstr(err, "no data") != NULL, "%s", err);
    dnc_plot_point(dnc_plot_add_series(&p, "a", DNC_PLOT_LINES, DNC_LOOK_DNC), 1.0, 2.0);
    snprintf(path, sizeof(path), "%s/fig.svg", dir);
    f = fopen(path, "w");
    fputs("mine", f);
    fclose(f);
    d = (dnc_plot_dest) { dir, "/bin/false", 0 };
    cr_assert_eq(dnc_plot_render(&p, &d, &written, err, sizeof(err)), -2);
    cr_assert(strstr(err, "fig.svg' already exists (use --force") != NULL, "%s", err);
    cr_assert(dnc_plot_existing(path, sizeof(path), dir, "fig") && strstr(path, "fig.svg") != NULL, "%s", path);
    d.force = 1;
    cr_assert_eq(dnc_plot_render(&p, &d, &written, err, sizeof(err)), -1);
    cr_assert(strstr(err, "failed") != NULL, "%s", err);
    cr_assert_eq(tu_entries(dir), 1, "temporaries left in %s", dir);
    cr_assert_eq(written, 0u);
    dnc_plot_clear(&p);
}

/* The x tics of a log axis: every grid value gets a tic, but a label only where it does
 * not run into the previous label (0.007 between 0.006 and 0.008 on an axis from 0.0005). */
Test(plot, tic_labels_do_not_run_into_each_other)
{
    static const double x[] = { 0.0005, 0.006, 0.007, 0.008 };
    char dir[256], path[400], err[512], text[8192];
    dnc_plot p;
    dnc_plot_series *s;
    unsigned written;
    size_t i, n;
    FILE *f;
    if (access("/usr/bin/gnuplot", X_OK) != 0)
        cr_skip_test("/usr/bin/gnuplot is not installed");
    tu_tmpdir(dir, sizeof(dir));
    dnc_plot_init(&p, "tics", "t", "λ", "y");
    p.logx = 1;
    s = dnc_plot_add_series(&p, "runs", DNC_PLOT_POINTS, DNC_LOOK_LOW_RANK);
    for (i = 0; i < 4; i++) {
        dnc_plot_point(s, x[i], 1.0);
        dnc_plot_xtic(&p, x[i]);
    }
    cr_assert_eq(dnc_plot_render(&p, &(dnc_plot_dest) { dir, "/usr/bin/gnuplot", 0 }, &written, err, sizeof(err)), 0,
                 "%s", err);
    dnc_plot_clear(&p);
    snprintf(path, sizeof(path), "%s/tics.gp", dir);
    cr_assert((f = fopen(path, "r")) != NULL);
    n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    cr_assert(strstr(text, "set xtics ('0.0005' 0.0005") != NULL, "%s", text);
    cr_assert(strstr(text, ", '0.006' 0.006") != NULL && strstr(text, ", '' 0.007") != NULL
              && strstr(text, ", '0.008' 0.008") != NULL, "%s", text);
    cr_assert(written & DNC_PLOT_PNG);
}
