/* What every dncert command shares as a user meets it: help and version, suggestions for
 * mistyped names, the exit codes of bad input, train's progress lines, and the man page
 * made from the help texts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include "testutil.h"

#define CAP (1 << 18)
static char out[CAP], err[CAP], out2[CAP], err2[CAP];

/* The commands `dncert help` lists (the lines "  NAME  summary" after "Commands:"), into
 * names[]; returns their number. */
static int list_commands(char names[][32], int max)
{
    const char *args[] = { "help", NULL };
    char *line;
    int n = 0;
    cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s", err);
    line = strstr(out, "Commands:\n");
    cr_assert(line != NULL, "%s", out);
    for (line = strchr(line, '\n') + 1; strncmp(line, "  ", 2) == 0 && n < max; line = strchr(line, '\n') + 1)
        if (strncmp(line, "  help ", 7) != 0)
            sscanf(line, "%31s", names[n++]);
    cr_assert_geq(n, 11, "only %d commands in:\n%s", n, out);
    return n;
}

/* The file's whole text (malloc'ed). */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *t;
    long n;
    cr_assert(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    t = malloc((size_t) n + 1);
    t[fread(t, 1, (size_t) n, f)] = '\0';
    fclose(f);
    return t;
}

Test(help, help_command_is_dash_dash_help)
{
    char names[32][32];
    int n = list_commands(names, 32), i;
    for (i = 0; i < n; i++) {
        const char *a[] = { "help", names[i], NULL }, *b[] = { names[i], "--help", NULL };
        cr_assert_eq(tu_run(out, err, CAP, a), 0, "dncert help %s: %s", names[i], err);
        cr_assert_eq(tu_run(out2, err2, CAP, b), 0, "dncert %s --help: %s", names[i], err2);
        cr_assert_str_eq(out, out2, "dncert help %s differs from dncert %s --help", names[i], names[i]);
        cr_assert(strncmp(out, "Usage: dncert ", 14) == 0, "%s", out);
    }
}

Test(help, help_alone_lists_the_commands)
{
    const char *help[] = { "help", NULL }, *top[] = { "--help", NULL }, *none[] = { NULL };
    const char *two[] = { "help", "train", "sweep", NULL }, *bad[] = { "help", "trian", NULL };
    cr_assert_eq(tu_run(out, err, CAP, help), 0);
    cr_assert_eq(tu_run(out2, err2, CAP, top), 0);
    cr_assert_str_eq(out, out2);
    cr_assert(strstr(out, "  help [CMD]") != NULL && strstr(out, "--version") != NULL, "%s", out);
    cr_assert_eq(tu_run(out, err, CAP, none), 2);   /* no command: the list, on stderr */
    cr_assert(strstr(err, "Commands:") != NULL, "%s", err);
    cr_assert_eq(tu_run(out, err, CAP, two), 2);
    cr_assert(strstr(err, "expected at most one command (got 'sweep' too)") != NULL, "%s", err);
    cr_assert_eq(tu_run(out, err, CAP, bad), 2);
    cr_assert(strstr(err, "unknown command 'trian'; did you mean 'train'?") != NULL, "%s", err);
    bad[1] = "--version";
    cr_assert_eq(tu_run(out, err, CAP, bad), 2);
    cr_assert(strstr(err, "dncert help: expected a command, not '--version'") != NULL, "%s", err);
}

/* `dncert CMD --version` prints what `dncert --version` prints, for every command. */
Test(help, version_on_every_command)
{
    char names[32][32];
    const char *top[] = { "--version", NULL };
    int n = list_commands(names, 32), i;
    cr_assert_eq(tu_run(out2, err2, CAP, top), 0);
    cr_assert(strncmp(out2, "dncert ", 7) == 0, "%s", out2);
    for (i = 0; i < n; i++) {
        const char *a[] = { names[i], "--version", NULL };
        cr_assert_eq(tu_run(out, err, CAP, a), 0, "dncert %s --version: %s", names[i], err);
        cr_assert_str_eq(out, out2, "dncert %s --version", names[i]);
    }
}

struct typo {
    char args[3][24];
    char needle[96];   /* in the message; "" when no suggestion may be made */
};

ParameterizedTestParameters(help, did_you_mean)
{
    static struct typo cases[] = {
        { { "train", "--lamda", "1" }, "unknown option '--lamda'; did you mean '--lambda'?" },
        { { "train", "--quite" }, "unknown option '--quite'; did you mean '--quiet'?" },
        { { "train", "--log-evry", "5" }, "did you mean '--log-every'?" },
        { { "train", "--k", "3" }, "unknown option '--k'; did you mean '--K'?" },
        { { "train", "--grad", "1" }, "did you mean '--grad-tol'?" },
        { { "train", "--progress-evry=5" }, "unknown option '--progress-evry'; did you mean '--progress-every'?" },
        { { "train", "--hlep" }, "did you mean '--help'?" },
        { { "metrics", "--verison" }, "did you mean '--version'?" },
        { { "sweep", "--seed", "1" }, "did you mean '--seeds'?" },
        { { "certify", "--sumary" }, "did you mean '--summary'?" },
        { { "verify", "--quite", "x.json" }, "unknown option '--quite'; did you mean '--quiet'?" },
        { { "verify", "--explian", "x.json" }, "did you mean '--explain'?" },
        { { "trian" }, "unknown command 'trian'; did you mean 'train'?" },
        { { "certify-pt" }, "unknown command 'certify-pt'; did you mean 'certify-point'?" },
        { { "--verison" }, "unknown command '--verison'; did you mean '--version'?" },
        { { "train", "--x", "1" }, "" },
        { { "train", "--frobnicate" }, "" },
        { { "verify", "--frobnicate" }, "" },
        { { "frobnicate" }, "" },
    };
    return cr_make_param_array(struct typo, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct typo *c, help, did_you_mean)
{
    const char *args[4] = { NULL };
    int i, rc;
    for (i = 0; i < 3 && c->args[i][0] != '\0'; i++)
        args[i] = c->args[i];
    rc = tu_run(out, err, CAP, args);
    cr_assert_eq(rc, 2, "exit %d for %s %s; stderr: %s", rc, args[0], args[1] ? args[1] : "", err);
    if (c->needle[0] != '\0')
        cr_assert(strstr(err, c->needle) != NULL, "stderr lacks \"%s\":\n%s", c->needle, err);
    else
        cr_assert(strstr(err, "did you mean") == NULL && strstr(err, "unknown ") != NULL, "%s", err);
}

/* ---- exit status 2 for bad input, every command ---- */

struct bad_input {
    char args[6][48];   /* "@" stands for the fixture directory */
    char needle[80];
};

ParameterizedTestParameters(exit_codes, bad_input_is_2)
{
    static struct bad_input cases[] = {
        /* missing inputs */
        { { "metrics", "@/nosuch" }, "not a saved point" },
        { { "classify", "@/nosuch" }, "not a saved point" },
        { { "plot", "@/nosuch" }, "RUN_DIR: " },
        { { "certify", "@/nosuch.json", "--out", "@/certs" }, "unable to open" },
        { { "certify-point", "@/nosuch", "--out", "@/c.json" }, "RUN_DIR: " },
        { { "verify", "@/nosuch.json" }, "cannot read the file" },
        { { "sweep-merge", "@/nosuch", "--out", "@/merged" }, "cannot read" },
        { { "sweep-plot", "@/nosuch", "--figure", "loss" }, "cannot read" },
        { { "train", "--init", "@/nosuch", "--quiet" }, "--init: " },
        { { "closed-form", "nosuch" }, "unknown structure 'nosuch'" },
        /* a directory where a file is wanted, a file where a directory is */
        { { "verify", "@" }, "not a regular file" },
        { { "certify", "@", "--out", "@/certs" }, "certify: " },
        { { "metrics", "@/bad.json" }, "not a saved point" },
        /* malformed inputs */
        { { "metrics", "@/bad" }, "manifest.json" },
        { { "classify", "@/bad" }, "manifest.json" },
        { { "certify-point", "@/bad", "--out", "@/c.json" }, "manifest.json" },
        { { "plot", "@/bad" }, "holds no metrics records" },
        { { "certify", "@/bad.json", "--out", "@/certs" }, "bad.json" },
        { { "sweep-merge", "@/bad", "--out", "@/merged" }, "sweep.json" },
        { { "sweep-plot", "@/bad", "--figure", "loss" }, "results.jsonl" },
        { { "sweep", "--out", "@/bad", "--quiet" }, "sweep.json" },
        /* bad options */
        { { "train", "--progress-every", "0" }, "--progress-every: must be a number of steps" },
        { { "verify", "--prec", "1", "x.json" }, "--prec" },
        { { "sweep-plot", "@", "--figure", "nosuch" }, "--figure: must be" },
    };
    return cr_make_param_array(struct bad_input, cases, sizeof(cases) / sizeof(cases[0]));
}

/* A fixture directory holding bad.json (not JSON) and bad/ with a malformed manifest,
 * metrics, sweep and results; nothing may be created next to them. */
ParameterizedTest(struct bad_input *c, exit_codes, bad_input_is_2)
{
    char dir[256], bad[300], args[6][400];
    const char *argv[8] = { NULL };
    int i, rc;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(bad, sizeof(bad), "%s/bad", dir);
    cr_assert_eq(mkdir(bad, 0777), 0);
    tu_write_file(dir, "bad.json", "{\"theorem\": ");
    tu_write_file(bad, "manifest.json", "{\"format\": \"dncert-point\", \"version\": ");
    tu_write_file(bad, "metrics.jsonl", "not json\n");
    tu_write_file(bad, "sweep.json", "[1, 2");
    tu_write_file(bad, "results.jsonl", "not json\n");
    tu_write_file(bad, "references.jsonl", "not json\n");
    setenv("DNCERT_GNUPLOT", "/bin/true", 1);   /* so that plot gets as far as reading its input */
    for (i = 0; i < 6 && c->args[i][0] != '\0'; i++) {
        if (c->args[i][0] == '@')
            snprintf(args[i], sizeof(args[i]), "%s%s", dir, c->args[i] + 1);
        else
            snprintf(args[i], sizeof(args[i]), "%s", c->args[i]);
        argv[i] = args[i];
    }
    rc = tu_run(out, err, CAP, argv);
    cr_assert_eq(rc, 2, "exit %d for dncert %s %s; stderr: %s", rc, argv[0], argv[1], err);
    cr_assert(strstr(err, c->needle) != NULL, "stderr lacks \"%s\":\n%s", c->needle, err);
    cr_assert(access(bad, F_OK) == 0);
    snprintf(bad, sizeof(bad), "rm -rf '%s'", dir);
    cr_assert_eq(system(bad), 0);
}

/* The checker itself agrees: a directory is a FILE that cannot be read. */
Test(exit_codes, checker_refuses_a_directory_with_2)
{
    const char *args[] = { "/tmp", NULL };
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, CAP, args), 2, "%s", err);
    cr_assert(strstr(err, "/tmp: cannot read the file: not a regular file") != NULL, "%s", err);
}

/* ---- train's progress lines ---- */

/* The number of progress lines ("step ...") in err; *last points at the last one. */
static int progress_lines(const char *text, const char **last)
{
    const char *s;
    int n = 0;
    *last = NULL;
    for (s = text; (s = strstr(s, "step ")) != NULL; s++)
        if (s == text || s[-1] == '\n') {
            *last = s;
            n++;
        }
    return n;
}

Test(progress, every_n_steps_with_percentage_and_eta)
{
    const char *args[] = { "train", "--steps", "1000", "--progress-every", "100", NULL };
    const char *last, *s;
    char want[64];
    int k;
    cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s", err);
    cr_assert_eq(progress_lines(err, &last), 10, "%s", err);
    for (k = 1; k <= 10; k++) {
        snprintf(want, sizeof(want), "\nstep %4d/1000 %5.1f%%  loss ", 100 * k, 10.0 * k);
        s = strstr(err, want);
        cr_assert(s != NULL, "no line for step %d (\"%s\") in:\n%s", 100 * k, want + 1, err);
        s = strchr(s + 1, '\n');
        cr_assert(s != NULL);
        if (k < 10)
            cr_assert(strstr(s - 20, "  ETA ") != NULL && strstr(s - 20, "  ETA ") < s, "%s", err);
    }
    cr_assert(strstr(last, "steps/s  elapsed 0:0") != NULL && strstr(last, "  done\n") != NULL, "%s", last);
}

/* Seconds: a long interval leaves only the final line; --quiet leaves none. */
Test(progress, every_t_seconds_and_quiet)
{
    const char *slow[] = { "train", "--steps", "300", "--progress-every", "1000s", NULL };
    const char *quiet[] = { "train", "--steps", "300", "--progress-every", "1", "--quiet", NULL };
    const char *last;
    cr_assert_eq(tu_run(out, err, CAP, slow), 0, "%s", err);
    cr_assert_eq(progress_lines(err, &last), 1, "%s", err);
    cr_assert(strncmp(last, "step 300/300 100.0%  loss ", 26) == 0, "%s", last);
    cr_assert_eq(tu_run(out, err, CAP, quiet), 0, "%s", err);
    cr_assert_str_eq(err, "");
}

Test(progress, bad_intervals)
{
    static const char *const bad[] = { "0", "-5", "1.5", "abc", "s", "0s", "-1s", "1e7s", "2 s", "" };
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *args[] = { "train", "--steps", "1", "--progress-every", bad[i], NULL };
        cr_assert_eq(tu_run(out, err, CAP, args), 2, "'%s': %s", bad[i], err);
        cr_assert(strstr(err, "--progress-every: must be") != NULL, "%s", err);
    }
}

/* The interval of the progress lines changes nothing of the run, and neither does the
 * metrics log's. */
Test(progress, results_independent_of_the_intervals)
{
    const char *a[] = { "train", "--steps", "700", "--optimizer", "lbfgs", "--progress-every", "7",
                        "--log-every", "3", NULL };
    const char *b[] = { "train", "--steps", "700", "--optimizer", "lbfgs", "--quiet", NULL };
    char *status;
    cr_assert_eq(tu_run(out, err, CAP, a), 0, "%s", err);
    cr_assert_eq(tu_run(out2, err2, CAP, b), 0, "%s", err2);
    status = strstr(out, "\nloss ");   /* from there on: loss, fit, reg, gradient, class */
    cr_assert(status != NULL && strstr(out2, "\nloss ") != NULL);
    cr_assert_str_eq(status, strstr(out2, "\nloss "));
}

/* ---- the man page ---- */

/* troff's spelling of an option name: every '-' as "\-". */
static void troff_name(char *buf, size_t len, const char *name, size_t n)
{
    size_t i, j = 0;
    for (i = 0; i < n && j + 3 < len; i++) {
        if (name[i] == '-')
            buf[j++] = '\\';
        buf[j++] = name[i];
    }
    buf[j] = '\0';
}

Test(man, made_from_every_help_text)
{
    char names[32][32], want[128];
    const char *gen[] = { "--help-man", NULL };
    char *man = read_file(DNCERT_MAN), *s;
    int n = list_commands(names, 32), i;
    cr_assert(strncmp(man, ".\\\" dncert.1, made by", 21) == 0, "%.200s", man);
    cr_assert(strstr(man, "\n.TH DNCERT 1 ") != NULL);
    cr_assert(strstr(man, "\n.SH SYNOPSIS\n") && strstr(man, "\n.SH EXIT STATUS\n"));
    cr_assert_eq(tu_run(out2, err2, CAP, gen), 0, "%s", err2);
    cr_assert_str_eq(man, out2, "the built dncert.1 is not what dncert --help-man prints");
    for (i = 0; i < n; i++) {
        const char *help[] = { names[i], "--help", NULL };
        snprintf(want, sizeof(want), "\n.SS \"dncert ");
        troff_name(want + strlen(want), sizeof(want) - strlen(want), names[i], strlen(names[i]));
        strcat(want, "\"\n");
        cr_assert(strstr(man, want) != NULL, "no section %s", want);
        /* every option of the command's help is an item of the page */
        cr_assert_eq(tu_run(out, err, CAP, help), 0);
        for (s = out; (s = strstr(s, "\n  --")) != NULL; s++) {
            size_t len = strcspn(s + 3, " \n");
            strcpy(want, "\\fB");
            troff_name(want + 3, sizeof(want) - 3, s + 3, len);
            cr_assert(strstr(man, want) != NULL, "dncert %s: option %.*s not in the man page", names[i],
                      (int) len, s + 3);
        }
    }
    free(man);
}

/* groff formats it without a single warning (when groff is installed). */
Test(man, groff_renders_it_cleanly)
{
    char cmd[1024];
    FILE *p;
    size_t n;
    if (access("/usr/bin/groff", X_OK) != 0)
        cr_skip_test("groff is not installed (the structure is checked by man.made_from_every_help_text)");
    snprintf(cmd, sizeof(cmd), "/usr/bin/groff -man -Tutf8 -ww '%s' 2>&1 >/dev/null", DNCERT_MAN);
    p = popen(cmd, "r");
    cr_assert(p != NULL);
    n = fread(err, 1, CAP - 1, p);
    err[n] = '\0';
    cr_assert_eq(pclose(p), 0, "groff failed: %s", err);
    cr_assert_str_eq(err, "", "groff warns:\n%s", err);
    snprintf(cmd, sizeof(cmd), "/usr/bin/groff -man -Tutf8 -P-cbou '%s' 2>/dev/null | grep -c 'dncert train'", DNCERT_MAN);
    p = popen(cmd, "r");
    n = fread(out, 1, CAP - 1, p);
    out[n] = '\0';
    pclose(p);
    cr_assert_gt(atoi(out), 0, "the rendered page does not mention dncert train");
}
