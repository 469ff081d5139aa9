/* The dncert command as a user runs it: errors, outputs, and reloading a saved run. */
#include <cpuid.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include "dncert/io.h"
#include "testutil.h"

#define CAP 65536
static char out[CAP], err[CAP];

/* Replaces the first NULL of a NULL, NULL-terminated argument list with v. */
static void fill(const char **args, const char *v)
{
    while (*args != NULL)
        args++;
    *args = v;
}

/* 1 if dir/name-prefix* exists (catches leftover temporary directories). */
static int any_entry_with_prefix(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL)
        found |= strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return found;
}

/* Criterion hands parameters to forked workers by copy: keep strings inline. */
struct bad_case {
    char args[6][24];
    char needle[96];        /* must appear in the message */
};

ParameterizedTestParameters(cli, bad_input)
{
    static struct bad_case cases[] = {
        { { "--K", "1" }, "--K: must be an integer in [2," },
        { { "--K", "2.5" }, "--K: must be an integer" },
        { { "--n", "0" }, "--n: each count must be an integer in [1," },
        { { "--K", "3", "--n", "1,2" }, "--n: expected one value or K = 3" },
        { { "--width", "0" }, "--width: each width must be an integer in [1," },
        { { "--L", "2", "--width", "4,4,4" }, "--width: expected one value or L = 2" },
        { { "--lambda", "-0.1" }, "--lambda: must be a positive rational" },
        { { "--lambda", "0" }, "--lambda: must be a positive rational" },
        { { "--lambda-w", "0.1,0" }, "--lambda-w: expected one value or L = 3" },
        { { "--lambda-h", "1e" }, "--lambda-h: must be a positive rational" },
        { { "--activation", "tanh" }, "--activation: must be relu or linear" },
        { { "--bias", "maybe" }, "--bias: must be none or free" },
        { { "--foo", "1" }, "unknown option '--foo'" },
        { { "--lr", "abc" }, "--lr: must be a number" },
        { { "--lr", "0" }, "--lr: must be a number in (0" },
        { { "--steps", "-1" }, "--steps: must be an integer in [0," },
        { { "--threads", "0" }, "--threads: must be an integer in [1," },
        { { "--optimizer", "adam" }, "--optimizer: must be gd, momentum or lbfgs" },
        { { "--momentum", "1" }, "--momentum: must be a number in [0" },
        { { "--seed" }, "--seed needs a value" },
        { { "--lr", "0.1", "--lr", "0.2" }, "--lr given twice" },
        { { "stray" }, "unexpected argument 'stray'" },
        { { "--lambda", "1e400" }, "--lambda: must be within [2.2250738585072014e-308, 1.7976931348623157e+308]" },
        { { "--lambda", "1e-400" }, "--lambda: must be within [2.2250738585072014e-308," },
        { { "--lambda-h", "1/3", "--lambda", "1e-400" }, "--lambda: must be within [2.2250738585072014e-308," },
        { { "--lambda-w", "1,1e-320,1" }, "--lambda-w: must be within [2.2250738585072014e-308," },
        { { "--lambda-h", "0x1p-1023" }, "--lambda-h: must be within [2.2250738585072014e-308," },
        { { "--lr", "1e-320" }, "--lr: must be a number in (0, 1e+06], and 0 or a normal double" },
        { { "--grad-tol", "4e-324" }, "--grad-tol: must be a number in [0, 1e+300], and 0 or a normal double" },
        { { "--init-std", "1e6", "--L", "40" }, "--init-std: the loss or gradient of the initial point is not finite" },
    };
    return cr_make_param_array(struct bad_case, cases, sizeof(cases) / sizeof(cases[0]));
}

/* Every bad input: exit code 2, a message naming the option, and no output directory
 * (not even a temporary one). */
ParameterizedTest(struct bad_case *c, cli, bad_input)
{
    char dir[256], target[300];
    const char *args[16] = { "train", "--quiet", "--out" };
    int i, n = 4, rc;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(target, sizeof(target), "%s/run", dir);
    args[3] = target;
    for (i = 0; i < 6 && c->args[i][0] != '\0'; i++)   /* last, so "--seed" lacks its value */
        args[n++] = c->args[i];
    args[n] = NULL;
    rc = tu_run(out, err, CAP, args);
    cr_assert_eq(rc, 2, "exit %d for %s; stderr: %s", rc, c->args[0], err);
    cr_assert(strstr(err, c->needle) != NULL, "stderr lacks '%s':\n%s", c->needle, err);
    cr_assert_not(any_entry_with_prefix(dir, "run"), "output left behind for %s", c->args[0]);
    rmdir(dir);
}

/* The smallest normal double is a weight decay the trainer accepts. */
Test(cli, smallest_normal_lambda_accepted)
{
    const char *args[] = { "train", "--quiet", "--steps", "1", "--lambda-h", "0x1p-1022", NULL };
    cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s", err);
}

Test(cli, existing_out_needs_force)
{
    char dir[256];
    const char *args[] = { "train", "--steps", "3", "--quiet", "--out", NULL, NULL };
    tu_tmpdir(dir, sizeof(dir));
    fill(args, dir);
    cr_assert_eq(tu_run(out, err, CAP, args), 2);
    cr_assert(strstr(err, "already exists (use --force") != NULL, "%s", err);
    rmdir(dir);
}

Test(cli, help_and_unknown_command)
{
    const char *help[] = { "train", "--help", NULL }, *bad[] = { "frobnicate", NULL }, *top[] = { "--help", NULL };
    cr_assert_eq(tu_run(out, err, CAP, help), 0);
    cr_assert(strstr(out, "--lambda-w") != NULL && strstr(out, "--grad-tol") != NULL);
    cr_assert_eq(tu_run(out, err, CAP, bad), 2);
    cr_assert(strstr(err, "unknown command 'frobnicate'") != NULL);
    cr_assert_eq(tu_run(out, err, CAP, top), 0);
    cr_assert(strstr(out, "train") != NULL);
}

static json_t *load_json(const char *dir, const char *name)
{
    char path[512];
    json_error_t je;
    json_t *j;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    j = json_load_file(path, 0, &je);
    cr_assert(j != NULL, "%s: %s", path, je.text);
    return j;
}

/* A complete run writes the files the issue names, with the keys scripts rely on. */
Test(cli, run_directory_contents)
{
    char dir[256], run[300];
    const char *args[] = { "train", "--K", "3", "--n", "2,3,4", "--L", "3", "--width", "6,5,4",
                           "--activation", "relu,linear", "--bias", "free", "--steps", "250",
                           "--log-every", "100", "--quiet", "--out", NULL, NULL };
    const char *keys[] = { "loss", "fit", "reg", "grad_norm", "steps", "seconds", "layers", "status", "zero_point" };
    const char *files[] = { "manifest.json", "metrics.jsonl", "summary.json", "H1.npy", "W1.npy", "W2.npy", "W3.npy", "b.npy" };
    json_t *s, *layer;
    FILE *f;
    char line[1 << 15];
    int lines = 0;
    size_t i;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/run", dir);
    fill(args, run);
    cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s", err);
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", run, files[i]);
        cr_assert(access(path, R_OK) == 0, "missing %s", files[i]);
    }
    s = load_json(run, "summary.json");
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        cr_assert(json_object_get(s, keys[i]) != NULL, "summary.json lacks '%s'", keys[i]);
    cr_assert_eq(json_integer_value(json_object_get(s, "steps")), 250);
    cr_assert_eq(json_array_size(json_object_get(s, "layers")), 3);
    layer = json_array_get(json_object_get(s, "layers"), 1);
    cr_assert(json_object_get(json_object_get(layer, "pre"), "rank") != NULL);
    cr_assert(json_object_get(json_object_get(layer, "post"), "nc1_ratio") != NULL);
    cr_assert(json_object_get(json_object_get(layer, "post"), "nc2_etf") != NULL);
    cr_assert(json_object_get(layer, "nc3") != NULL);
    json_decref(s);
    /* metrics.jsonl: steps 0, 100, 200 and the final 250, each a JSON object */
    snprintf(line, sizeof(line), "%s/metrics.jsonl", run);
    f = fopen(line, "r");
    while (fgets(line, sizeof(line), f) != NULL) {
        json_error_t je;
        json_t *rec = json_loads(line, 0, &je);
        cr_assert(rec != NULL, "metrics.jsonl line %d: %s", lines + 1, je.text);
        cr_assert(json_object_get(rec, "grad_norm") && json_object_get(rec, "layers"));
        lines++;
        json_decref(rec);
    }
    fclose(f);
    cr_assert_eq(lines, 4);
    cr_assert_not(any_entry_with_prefix(dir, "run.tmp"));
}

/* Counts the records of RUN_DIR/metrics.jsonl and returns the step of the last one. */
static int log_records(const char *run, long *last_step)
{
    char path[512], line[1 << 15];
    FILE *f;
    int n = 0;
    snprintf(path, sizeof(path), "%s/metrics.jsonl", run);
    f = fopen(path, "r");
    cr_assert(f != NULL);
    while (fgets(line, sizeof(line), f) != NULL) {
        json_error_t je;
        json_t *rec = json_loads(line, 0, &je);
        cr_assert(rec != NULL);
        *last_step = (long) json_integer_value(json_object_get(rec, "step"));
        json_decref(rec);
        n++;
    }
    fclose(f);
    return n;
}

/* The last step is logged exactly once, also when it is a multiple of --log-every, and a
 * run of 0 steps logs step 0 once. */
Test(cli, last_step_logged_once)
{
    char dir[256], run[300], run0[300];
    const char *a[] = { "train", "--steps", "200", "--log-every", "100", "--quiet", "--out", NULL, NULL };
    const char *b[] = { "train", "--steps", "0", "--quiet", "--out", NULL, NULL };
    long last = -1;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/run", dir);
    snprintf(run0, sizeof(run0), "%s/run0", dir);
    fill(a, run);
    fill(b, run0);
    cr_assert_eq(tu_run(out, err, CAP, a), 0, "%s", err);
    cr_assert_eq(log_records(run, &last), 3);   /* steps 0, 100, 200 */
    cr_assert_eq(last, 200);
    cr_assert_eq(tu_run(out, err, CAP, b), 0, "%s", err);
    cr_assert_eq(log_records(run0, &last), 1);
    cr_assert_eq(last, 0);
}

/* `dncert metrics RUN_DIR` recomputes the final loss from the saved files: same point,
 * same code, so the same double. */
Test(cli, metrics_reloads_the_point)
{
    char dir[256], run[300];
    const char *train[] = { "train", "--K", "4", "--n", "3", "--steps", "40", "--quiet", "--out", NULL, NULL };
    const char *metrics[] = { "metrics", NULL, NULL };
    json_t *s, *m;
    json_error_t je;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/run", dir);
    fill(train, run);
    fill(metrics, run);
    cr_assert_eq(tu_run(out, err, CAP, train), 0, "%s", err);
    cr_assert_eq(tu_run(out, err, CAP, metrics), 0, "%s", err);
    m = json_loads(out, 0, &je);
    cr_assert(m != NULL, "metrics output is not JSON: %s", je.text);
    s = load_json(run, "summary.json");
    cr_assert_eq(json_real_value(json_object_get(m, "loss")), json_real_value(json_object_get(s, "loss")));
    cr_assert_eq(json_real_value(json_object_get(m, "grad_norm")), json_real_value(json_object_get(s, "grad_norm")));
    json_decref(s);
    json_decref(m);
}

/* A saved point with a NaN (and one with an infinity) in W2: metrics exited 1 without a
 * word and printed garbage singular values. metrics, classify and certify-point must
 * each name the file and the array, say it has non-finite entries, exit 2, and write
 * nothing. */
Test(cli, non_finite_point_is_refused)
{
    static const double bad[2] = { NAN, -INFINITY };
    char dir[256], run[300], path[400], cert[300], msg[256];
    const char *cmds[3][6] = { { "metrics", NULL, NULL }, { "classify", NULL, NULL },
                               { "certify-point", NULL, "--out", NULL, NULL } };
    double *w;
    slong shape[2];
    int ndim, i, k;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/run", dir);
    snprintf(cert, sizeof(cert), "%s/c.json", dir);
    {
        const char *train[] = { "train", "--K", "2", "--n", "2", "--L", "2", "--width", "3", "--steps", "5",
                                "--quiet", "--out", run, NULL };
        cr_assert_eq(tu_run(out, err, CAP, train), 0, "%s", err);
    }
    snprintf(path, sizeof(path), "%s/W2.npy", run);
    for (k = 0; k < 2; k++) {
        cr_assert_eq(dnc_npy_read(path, &w, &ndim, shape, msg, sizeof(msg)), 0, "%s", msg);
        w[3] = bad[k];   /* entry (1, 1) of the 2 x 3 matrix */
        cr_assert_eq(dnc_npy_write(path, w, ndim, shape), 0);
        free(w);
        for (i = 0; i < 3; i++) {
            cmds[i][1] = run;
            cmds[i][3] = i == 2 ? cert : NULL;
            cr_assert_eq(tu_run(out, err, CAP, cmds[i]), 2, "%s: %s", cmds[i][0], err);
            cr_assert(strstr(err, "W2.npy: W2 has non-finite entries (entry (1, 1) is") != NULL, "%s: %s", cmds[i][0], err);
            cr_assert(strstr(err, k == 0 ? "is NaN" : "is infinite") != NULL, "%s", err);
            cr_assert_str_eq(out, "", "%s printed: %s", cmds[i][0], out);
            cr_assert_not(dnc_path_exists(cert));
        }
    }
}

/* A saved point whose manifest has a weight decay outside the doubles: metrics and
 * classify refuse it naming the field, instead of computing with an infinity. */
Test(cli, manifest_lambda_outside_doubles)
{
    char dir[256], run[300], path[400], msg[256];
    const char *train[] = { "train", "--steps", "2", "--quiet", "--out", NULL, NULL };
    const char *cmds[2][3] = { { "metrics", NULL, NULL }, { "classify", NULL, NULL } };
    json_t *m;
    int i;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/run", dir);
    fill(train, run);
    cr_assert_eq(tu_run(out, err, CAP, train), 0, "%s", err);
    snprintf(path, sizeof(path), "%s/manifest.json", run);
    m = json_load_file(path, 0, NULL);
    json_object_set_new(json_object_get(m, "problem"), "lambda_h", json_string("1e400"));
    cr_assert_eq(dnc_json_write_atomic(path, m, msg, sizeof(msg)), 0);
    json_decref(m);
    for (i = 0; i < 2; i++) {
        cmds[i][1] = run;
        cr_assert_eq(tu_run(out, err, CAP, cmds[i]), 2, "%s", err);
        cr_assert(strstr(err, "manifest.json: problem.lambda_h: must be within [2.2250738585072014e-308,") != NULL, "%s", err);
        cr_assert_str_eq(out, "");
    }
}

/* An independent reader (numpy) loads the saved arrays and an independent implementation
 * of the objective (numpy, written from model.md) gives the same loss. */
Test(cli, numpy_reads_the_point)
{
    char dir[256], run[300], cmd[4096];
    const char *train[] = { "train", "--K", "3", "--n", "2,1,3", "--L", "3", "--width", "5,4,3",
                            "--activation", "relu,linear", "--bias", "free", "--lambda-h", "0.01",
                            "--lambda-w", "0.002,1/300,0.005", "--steps", "30", "--quiet", "--out", NULL, NULL };
    FILE *py;
    json_t *s;
    double loss = 0;
    if (access("/usr/bin/python3", X_OK) != 0 || system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0)
        cr_skip_test("python3-numpy not installed");
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/run", dir);
    fill(train, run);
    cr_assert_eq(tu_run(out, err, CAP, train), 0, "%s", err);
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/python3 -c \"\n"
             "import numpy as np\n"
             "d='%s'\n"
             "H=np.load(d+'/H1.npy'); W=[np.load(d+'/W%%d.npy'%%l) for l in (1,2,3)]; b=np.load(d+'/b.npy')\n"
             "assert H.shape==(5,6) and W[0].shape==(4,5) and W[2].shape==(3,3) and b.shape==(3,)\n"
             "n=[2,1,3]; Y=np.zeros((3,6)); c=0\n"
             "for k in range(3):\n"
             "  for j in range(n[k]): Y[k,c]=1; c+=1\n"
             "A=np.maximum(W[0]@H,0); A=W[1]@A; Z=W[2]@A+b[:,None]\n"
             "lw=[0.002,1/300,0.005]\n"
             "f=((Z-Y)**2).sum()/(2*6)+0.01/2*(H**2).sum()+sum(l/2*(w**2).sum() for l,w in zip(lw,W))\n"
             "print(repr(f))\n\"", run);
    py = popen(cmd, "r");
    cr_assert(py != NULL);
    cr_assert_eq(fscanf(py, "%lf", &loss), 1);
    cr_assert_eq(pclose(py), 0);
    s = load_json(run, "summary.json");
    cr_assert_float_eq(loss, json_real_value(json_object_get(s, "loss")), 1e-14);
    json_decref(s);
}

Test(cli, divergence_exit_code)
{
    const char *args[] = { "train", "--lr", "1e5", "--steps", "500", "--quiet", NULL };
    cr_assert_eq(tu_run(out, err, CAP, args), 1);
    cr_assert(strstr(err, "diverged at step") != NULL, "%s", err);
}

/* With a weight decay far above the DNC alive threshold the only minimiser is 0, and
 * gradient descent collapses there; the summary says so. */
Test(cli, zero_point_reported)
{
    const char *args[] = { "train", "--lambda", "0.5", "--optimizer", "lbfgs", "--steps", "500", "--quiet", NULL };
    cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s", err);
    cr_assert(strstr(out, "collapsed to the zero point") != NULL, "%s", out);
}

/* --init continues from a saved point: zero further steps reproduce its loss exactly;
 * a point of another problem is refused. */
Test(cli, init_from_saved_point)
{
    char dir[256], run[300], line[128];
    const char *first[] = { "train", "--K", "3", "--steps", "20", "--quiet", "--out", NULL, NULL };
    const char *again[] = { "train", "--K", "3", "--steps", "0", "--quiet", "--init", NULL, NULL };
    const char *other[] = { "train", "--K", "4", "--quiet", "--init", NULL, NULL };
    char *p;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/run", dir);
    fill(first, run);
    fill(again, run);
    fill(other, run);
    cr_assert_eq(tu_run(out, err, CAP, first), 0, "%s", err);
    p = strstr(out, "loss ");
    cr_assert(p != NULL);
    snprintf(line, sizeof(line), "%.40s", p);
    cr_assert_eq(tu_run(out, err, CAP, again), 0, "%s", err);
    cr_assert(strstr(out, line) != NULL, "'%s' not in:\n%s", line, out);
    cr_assert_eq(tu_run(out, err, CAP, other), 2);
    cr_assert(strstr(err, "--init: the point in") != NULL, "%s", err);
}

#define FIXTURES DNCERT_SOURCE_DIR "/tests/data/rundir"

/* The value of "loss" in stdout's "loss       X" line of train (NAN when absent). */
static double printed_loss(const char *text)
{
    const char *p = strstr(text, "\nloss ");
    return p != NULL ? strtod(p + 6, NULL) : NAN;
}

/* train --init DIR without problem options trains DIR's own problem (it used to take the
 * default problem and refuse the point); options that agree with it are accepted, one
 * that does not is named, and nothing is written. */
Test(cli, init_takes_the_problem_of_the_point)
{
    char dir[256], run[300], again[300], line[128];
    const char *first[] = { "train", "--K", "3", "--n", "2", "--L", "2", "--width", "5", "--lambda", "0.01",
                            "--steps", "20", "--quiet", "--out", NULL, NULL };
    const char *bare[] = { "train", "--steps", "0", "--quiet", "--init", NULL, NULL };
    const char *agree[] = { "train", "--K", "3", "--lambda-h", "1/100", "--width", "5,5", "--steps", "0", "--quiet",
                            "--init", NULL, NULL };
    const char *other[] = { "train", "--K", "3", "--lambda", "0.02", "--quiet", "--out", NULL, "--init", NULL, NULL };
    char *p;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(run, sizeof(run), "%s/run", dir);
    snprintf(again, sizeof(again), "%s/again", dir);
    fill(first, run);
    fill(bare, run);
    fill(agree, run);
    fill(other, again);
    fill(other, run);
    cr_assert_eq(tu_run(out, err, CAP, first), 0, "%s", err);
    p = strstr(out, "loss ");
    cr_assert(p != NULL);
    snprintf(line, sizeof(line), "%.40s", p);
    cr_assert_eq(tu_run(out, err, CAP, bare), 0, "%s", err);
    cr_assert(strstr(out, "problem    K=3 n=2 L=2 d=5 relu lambda_H=1/100 lambda_W=1/100") != NULL, "%s", out);
    cr_assert(strstr(out, line) != NULL, "'%s' not in:\n%s", line, out);
    cr_assert_eq(tu_run(out, err, CAP, agree), 0, "%s", err);
    cr_assert(strstr(out, line) != NULL, "'%s' not in:\n%s", line, out);
    cr_assert_eq(tu_run(out, err, CAP, other), 2);
    cr_assert(strstr(err, "--init: the point in") != NULL && strstr(err, "is for another problem (K=3 n=2 L=2 d=5 "
              "relu lambda_H=1/100 lambda_W=1/100): --lambda 0.02 does not agree with it; leave the problem options "
              "out") != NULL, "%s", err);
    cr_assert_not(dnc_path_exists(again));
}

/* The run directory of dncert 0.1.0 (manifest version 1, Fortran-order arrays) reloads:
 * metrics gives the loss its summary.json recorded, and train --init continues from it. */
Test(cli, version_1_run_directory_reloads)
{
    const char *metrics[] = { "metrics", FIXTURES "/v1-train", NULL };
    const char *init[] = { "train", "--init", FIXTURES "/v1-train", "--steps", "0", "--quiet", NULL };
    json_t *s = load_json(FIXTURES "/v1-train", "summary.json"), *m;
    double loss = json_real_value(json_object_get(s, "loss"));
    cr_assert_eq(tu_run(out, err, CAP, metrics), 0, "%s", err);
    m = json_loads(out, 0, NULL);
    cr_assert_not_null(m, "%s", out);
    cr_assert_eq(json_real_value(json_object_get(m, "loss")), loss);
    cr_assert_eq(tu_run(out, err, CAP, init), 0, "%s", err);
    cr_assert_eq(printed_loss(out), loss, "%s", out);
    json_decref(m);
    json_decref(s);
}

/* A point made with numpy (tests/data/rundir/make_fixtures.py: a batch of features
 * transposed, in an np.savez archive, with a version-2 manifest of three fields) gives
 * numpy's loss in metrics, train --init and a certificate that dncert-verify accepts. */
Test(cli, numpy_point_is_certified)
{
    char dir[256], cert[300];
    const char *metrics[] = { "metrics", FIXTURES "/numpy-npz", NULL };
    const char *init[] = { "train", "--init", FIXTURES "/numpy-npz", "--steps", "0", "--quiet", NULL };
    const char *certify[] = { "certify-point", FIXTURES "/numpy-npz", "--out", NULL, NULL };
    const char *verify[] = { NULL, NULL };
    json_t *e = load_json(FIXTURES, "expected.json"), *m;
    double want = strtod(json_string_value(json_object_get(e, "loss")), NULL);
    tu_tmpdir(dir, sizeof(dir));
    snprintf(cert, sizeof(cert), "%s/c.json", dir);
    fill(certify, cert);
    verify[0] = cert;
    cr_assert_eq(tu_run(out, err, CAP, metrics), 0, "%s", err);
    m = json_loads(out, 0, NULL);
    cr_assert_not_null(m, "%s", out);
    cr_assert_float_eq(json_real_value(json_object_get(m, "loss")), want, 1e-15);
    cr_assert_eq(tu_run(out, err, CAP, init), 0, "%s", err);
    cr_assert_float_eq(printed_loss(out), want, 1e-15);
    cr_assert_eq(tu_run(out, err, CAP, certify), 0, "%s", err);
    cr_assert(strstr(out, "trained     loss = 0.57039420214368") != NULL, "%s", out);
    cr_assert_eq(tu_run_bin(DNCERT_VERIFY_BIN, out, err, CAP, verify), 0, "%s%s", out, err);
    json_decref(m);
    json_decref(e);
    dnc_remove_tree(dir);
}

/* A float32 array is refused by every command that reads points, with the same message
 * naming the file and the fix, exit status 2 and nothing written. */
Test(cli, float32_point_is_refused_everywhere)
{
    char dir[256], target[300];
    const char *cmds[4][7] = { { "metrics", FIXTURES "/float32", NULL }, { "classify", FIXTURES "/float32", NULL },
                               { "certify-point", FIXTURES "/float32", "--out", NULL, NULL },
                               { "train", "--init", FIXTURES "/float32", "--quiet", "--out", NULL, NULL } };
    int i;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(target, sizeof(target), "%s/x", dir);
    cmds[2][3] = target;
    cmds[3][5] = target;
    for (i = 0; i < 4; i++) {
        cr_assert_eq(tu_run(out, err, CAP, cmds[i]), 2, "%s: %s", cmds[i][0], err);
        cr_assert(strstr(err, "float32/H1.npy is float32 ('<f4'); dncert needs float64 ('<f8'): use "
                         "arr.astype(np.float64)") != NULL, "%s: %s", cmds[i][0], err);
        cr_assert_not(dnc_path_exists(target), "%s wrote %s", cmds[i][0], target);
    }
    rmdir(dir);
}

/* On a CPU with AVX2 and FMA, dncert never runs OpenBLAS's generic pre-AVX2 kernels (which
 * Debian's OpenBLAS 0.3.21 falls back to on CPUs newer than itself); DNCERT_KEEP_BLAS_KERNEL
 * keeps OpenBLAS's own choice. */
Test(cli, blas_kernel_selection)
{
    const char *args[] = { "--version", NULL };
    __builtin_cpu_init();
    cr_assert_eq(tu_run(out, err, CAP, args), 0);
    cr_assert(strstr(out, "OpenBLAS") != NULL && strstr(out, ", kernel ") != NULL, "%s", out);
    if (getenv("OPENBLAS_CORETYPE") == NULL && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        cr_assert(strstr(out, "kernel Prescott") == NULL && strstr(out, "kernel Core2") == NULL
                  && strstr(out, "kernel Nehalem") == NULL && strstr(out, "kernel Sandybridge") == NULL,
                  "a pre-AVX2 kernel on an AVX2 CPU: %s", out);
    setenv("DNCERT_KEEP_BLAS_KERNEL", "1", 1);
    cr_assert_eq(tu_run(out, err, CAP, args), 0);
    cr_assert(strstr(out, "selected by dncert") == NULL, "%s", out);
    unsetenv("DNCERT_KEEP_BLAS_KERNEL");
}

/* The OpenBLAS kernel that `dncert train` of a width-w problem ran with (summary.json's
 * blas_kernel); the run directory goes into dir. */
static const char *train_kernel(char *buf, size_t len, const char *dir, const char *width)
{
    char run[300];
    const char *args[] = { "train", "--K", "10", "--n", "5", "--L", "3", "--width", width, "--steps", "0",
                           "--quiet", "--out", run, "--force", NULL };
    json_t *s;
    snprintf(run, sizeof(run), "%s/run%s", dir, width);
    cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s", err);
    s = load_json(run, "summary.json");
    cr_assert(json_is_string(json_object_get(s, "blas_kernel")), "summary.json lacks blas_kernel");
    snprintf(buf, len, "%s", json_string_value(json_object_get(s, "blas_kernel")));
    json_decref(s);
    return buf;
}

/* AMD family 19h with AVX-512 (Zen 4), read from cpuid here rather than through dncert. */
static int cpu_is_zen4(void)
{
    unsigned a, b, c, d, family;
    if (!__get_cpuid(0, &a, &b, &c, &d) || b != signature_AMD_ebx || !__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    family = ((a >> 8) & 0xf) == 0xf ? 0xf + ((a >> 20) & 0xff) : (a >> 8) & 0xf;
    __builtin_cpu_init();
    return family == 0x19 && __builtin_cpu_supports("avx512f");
}

/* On AMD Zen 4, where OpenBLAS 0.3.21 loads its AVX-512 kernels, `dncert train` runs a
 * problem of width 128 (too wide for their small-matrix path) with the AVX2 "Zen" kernel
 * and one of width 64 with the kernel it started with; anywhere else, and with
 * DNCERT_KEEP_BLAS_KERNEL, both keep the kernel of `dncert --version`. */
Test(cli, blas_kernel_by_problem)
{
    const char *args[] = { "--version", NULL };
    char dir[256], version[64], narrow[64], wide[64], *k;
    int avx512, switches;
    tu_tmpdir(dir, sizeof(dir));
    cr_assert_eq(tu_run(out, err, CAP, args), 0);
    cr_assert((k = strstr(out, ", kernel ")) != NULL, "%s", out);
    sscanf(k + 9, "%63[A-Za-z0-9]", version);
    avx512 = strcmp(version, "SkylakeX") == 0 || strcmp(version, "Cooperlake") == 0
             || strcmp(version, "SapphireRapids") == 0;
    switches = cpu_is_zen4() && avx512 && getenv("OPENBLAS_CORETYPE") == NULL && getenv("DNCERT_KEEP_BLAS_KERNEL") == NULL;
    cr_assert_str_eq(train_kernel(narrow, sizeof(narrow), dir, "64"), version);
    cr_assert_str_eq(train_kernel(wide, sizeof(wide), dir, "128"), switches ? "Zen" : version);
    setenv("DNCERT_KEEP_BLAS_KERNEL", "1", 1);
    cr_assert_str_eq(train_kernel(wide, sizeof(wide), dir, "128"), version);
    unsetenv("DNCERT_KEEP_BLAS_KERNEL");
}
