/* dncert sweep, sweep-merge, sweep-plot and plot, as a user runs them: tables, resuming,
 * sharding, certified references, figures and bad input. Tiny problems, few steps. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include "dncert/io.h"
#include "dncert/sweep.h"
#include "dncert/plot.h"
#include "testutil.h"

#define CAP 65536
static char out[CAP], err[CAP];

/* The grid of every test: 2 widths x 2 weight decays x 2 seeds = 8 runs. */
#define GRID "--K", "2", "--n", "2", "--L", "2", "--width", "3,4", "--lambda", "0.004,1/500", \
             "--seeds", "1-2", "--steps", "30", "--log-every", "10", "--jobs", "2"

static int sweep(const char *dir, const char *extra1, const char *extra2)
{
    const char *args[] = { "sweep", GRID, "--out", dir, extra1, extra2, NULL };
    return tu_run(out, err, CAP, args);
}

static char *slurp_file(const char *dir, const char *name)
{
    char path[512];
    FILE *f;
    long n;
    char *buf;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    cr_assert(f != NULL, "missing %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t) n + 1);
    cr_assert_eq(fread(buf, 1, (size_t) n, f), (size_t) n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int count_char(const char *s, char c)
{
    int n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

/* The table without its last column (seconds, the only non-deterministic one). */
static void drop_seconds(char *csv)
{
    char *src = csv, *dst = csv, *line_start = csv, *last_comma = NULL;
    for (; *src; src++) {
        if (*src == ',')
            last_comma = dst;
        if (*src == '\n') {
            dst = last_comma != NULL && last_comma >= line_start ? last_comma : dst;
            *dst++ = '\n';
            line_start = dst;
            last_comma = NULL;
            continue;
        }
        *dst++ = *src;
    }
    *dst = '\0';
}

static int exists(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

Test(sweep, one_row_per_run_with_the_documented_columns)
{
    char dir[256], *csv, *jsonl, *line, *save;
    int rows = 0;
    tu_tmpdir(dir, sizeof(dir));
    cr_assert_eq(sweep(dir, "--quiet", NULL), 0, "%s", err);
    csv = slurp_file(dir, "results.csv");
    jsonl = slurp_file(dir, "results.jsonl");
    static const char header[] = "run_id,K,L,width,lambda,seed,n,loss_fn,loss,fit,reg,grad_norm,class,rank_profile,"
                                 "status,steps,seconds\n";
    cr_assert(strncmp(csv, header, strlen(header)) == 0, "header: %.120s", csv);
    for (line = strtok_r(csv, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save), rows++)
        cr_assert_eq(count_char(line, ','), 16, "row %d: %s", rows, line);
    cr_assert_eq(rows, 9);                      /* header + 8 runs */
    cr_assert_eq(count_char(jsonl, '\n'), 8);
    free(csv);                                  /* strtok_r cut it up: read it again */
    csv = slurp_file(dir, "results.csv");
    /* canonical order: width, then lambda, then seed; exact lambdas; rank profile "post" then "pre>post" */
    cr_assert(strstr(csv, "\nK2-L2-w3-lambda0.004-s1,2,2,3,0.004,1,2,mse,") != NULL, "%s", csv);
    cr_assert(strstr(csv, "\nK2-L2-w4-lambda0.002-s2,2,2,4,0.002,2,2,") != NULL, "%s", csv);
    cr_assert(strstr(csv, ",steps,30,") != NULL, "%s", csv);
    cr_assert(strstr(csv, "|") != NULL && strstr(csv, ">") != NULL, "no rank profile: %s", csv);
    cr_assert(strstr(jsonl, "\"run_id\":\"K2-L2-w3-lambda0.004-s1\"") != NULL);
    cr_assert(exists(dir, "runs/K2-L2-w4-lambda0.002-s2/summary.json"));
    cr_assert(exists(dir, "sweep.json") && exists(dir, "references.csv") && exists(dir, "references.jsonl"));
    free(csv);
    free(jsonl);
}

Test(sweep, a_second_invocation_skips_finished_runs)
{
    char dir[256], leftover[400];
    tu_tmpdir(dir, sizeof(dir));
    cr_assert_eq(sweep(dir, "--quiet", NULL), 0, "%s", err);
    cr_assert(strstr(out, "8 executed, 0 already done") != NULL, "%s", out);
    cr_assert_eq(sweep(dir, "--quiet", NULL), 0, "%s", err);
    cr_assert(strstr(out, "0 executed, 8 already done") != NULL, "%s", out);
    /* a run killed mid-way: its directory gone, a temporary one left; only it runs again */
    snprintf(leftover, sizeof(leftover), "%s/runs/K2-L2-w3-lambda0.002-s1", dir);
    cr_assert_eq(dnc_remove_tree(leftover), 0);
    snprintf(leftover, sizeof(leftover), "%s/runs/K2-L2-w3-lambda0.002-s1.tmp.abcdef", dir);
    cr_assert_eq(mkdir(leftover, 0777), 0);
    cr_assert_eq(sweep(dir, NULL, NULL), 0, "%s", err);
    cr_assert(strstr(out, "1 executed, 7 already done") != NULL, "%s", out);
    cr_assert(strstr(err, "1 to run") != NULL, "%s", err);
    cr_assert_not(exists(dir, "runs/K2-L2-w3-lambda0.002-s1.tmp.abcdef"));
    cr_assert(exists(dir, "runs/K2-L2-w3-lambda0.002-s1/summary.json"));
}

/* Number of processes other than `sweep` with the argument dir: the trainings of the sweep
 * that writes into dir, which are forks of it with its command line (from
 * /proc/PID/cmdline, whose arguments are separated by NULs). A training that outlived its
 * sweep would still be counted. */
static int trainings_of(const char *dir, pid_t sweep)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    cr_assert(d != NULL);
    while ((e = readdir(d)) != NULL) {
        char path[300], buf[8192];
        size_t len, i;
        FILE *f;
        snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
        if (e->d_name[0] < '1' || e->d_name[0] > '9' || atol(e->d_name) == (long) sweep
            || (f = fopen(path, "r")) == NULL)
            continue;
        len = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[len] = '\0';
        for (i = 0; i < len; i += strlen(buf + i) + 1)
            if (strcmp(buf + i, dir) == 0) {
                n++;
                break;
            }
    }
    closedir(d);
    return n;
}

/* A run that cannot start (its initial point is not finite) fails: exit status 1, status
 * "failed" in the table, and the reason in its log, which is kept. */
Test(sweep, a_failed_run_keeps_its_log)
{
    char dir[256], *log, *csv;
    const char *args[] = { "sweep", "--K", "2", "--n", "2", "--L", "12", "--width", "20", "--init-std", "1e6",
                           "--steps", "5", "--quiet", "--out", dir, NULL };
    tu_tmpdir(dir, sizeof(dir));
    cr_assert_eq(tu_run(out, err, CAP, args), 1, "%s", err);
    cr_assert(strstr(err, "1 run failed; logs in") != NULL, "%s", err);
    log = slurp_file(dir, "logs/K2-L12-w20-lambda0.004-s1.log");
    cr_assert(strstr(log, "run K2-L12-w20-lambda0.004-s1: --init-std: the loss or gradient of the initial point "
                          "is not finite") != NULL, "%s", log);
    csv = slurp_file(dir, "results.csv");
    cr_assert(strstr(csv, ",failed,") != NULL, "%s", csv);
    cr_assert_not(exists(dir, "runs/K2-L12-w20-lambda0.004-s1"));
    free(log);
    free(csv);
}

/* SIGTERM to a sweep stops its trainings too (none is left running unattended), the sweep
 * dies of the signal, and the next invocation resumes. Long runs, stopped after 1 s. */
Test(sweep, sigterm_stops_the_trainings_and_the_sweep_resumes, .timeout = 60)
{
    char dir[256];
    const char *argv[] = { DNCERT_BIN, "sweep", "--K", "2", "--n", "2", "--L", "2", "--width", "3",
                           "--seeds", "1-2", "--steps", "600000", "--log-every", "600000", "--jobs", "2",
                           "--quiet", "--out", dir, NULL };   /* runs of about 2.5 s (8 s with ASan) */
    struct timespec second = { 1, 0 };
    pid_t pid;
    int status;
    tu_tmpdir(dir, sizeof(dir));
    pid = fork();
    if (pid == 0) {
        execv(DNCERT_BIN, (char *const *) argv);
        _exit(127);
    }
    nanosleep(&second, NULL);
    cr_assert_eq(trainings_of(dir, pid), 2, "expected 2 trainings running");
    kill(pid, SIGTERM);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "status %d", status);
    cr_assert_eq(trainings_of(dir, pid), 0, "trainings of the stopped sweep still run");
    /* both runs are redone, their leftover directories removed */
    cr_assert_eq(tu_run(out, err, CAP, argv + 1), 0, "%s", err);
    cr_assert(strstr(out, "2 executed, 0 already done") != NULL, "%s", out);
}

Test(sweep, shards_merge_into_the_unsharded_table)
{
    char base[256], all[300], s1[300], s2[300], merged[300];
    char *a, *m, *ra, *rm;
    const char *merge[] = { "sweep-merge", s2, s1, "--out", merged, NULL };
    tu_tmpdir(base, sizeof(base));
    snprintf(all, sizeof(all), "%s/all", base);
    snprintf(s1, sizeof(s1), "%s/s1", base);
    snprintf(s2, sizeof(s2), "%s/s2", base);
    snprintf(merged, sizeof(merged), "%s/merged", base);
    cr_assert_eq(sweep(all, "--quiet", NULL), 0, "%s", err);
    cr_assert_eq(sweep(s1, "--shard", "1/2"), 0, "%s", err);
    cr_assert(strstr(out, "4 executed") != NULL, "%s", out);
    cr_assert_eq(sweep(s2, "--shard", "2/2"), 0, "%s", err);
    cr_assert_eq(tu_run(out, err, CAP, merge), 0, "%s", err);
    a = slurp_file(all, "results.csv");
    m = slurp_file(merged, "results.csv");
    drop_seconds(a);
    drop_seconds(m);
    cr_assert_str_eq(m, a);
    ra = slurp_file(all, "references.csv");
    rm = slurp_file(merged, "references.csv");
    cr_assert_str_eq(rm, ra);
    free(a); free(m); free(ra); free(rm);
    /* a shard missing, or given twice: exit 2, nothing written */
    merge[1] = s1;
    merge[2] = "--out";
    merge[3] = merged;
    merge[4] = "--force";
    cr_assert_eq(tu_run(out, err, CAP, merge), 2);
    cr_assert(strstr(err, "shard 2/2 is missing") != NULL, "%s", err);
    merge[2] = s1;
    merge[3] = "--out";
    merge[4] = merged;
    cr_assert_eq(tu_run(out, err, CAP, merge), 2);
    cr_assert(strstr(err, "--out: ") != NULL && strstr(err, "already exists") != NULL, "%s", err);
}

/* sweep.json: what the writer writes, the reader reads back. */
Test(sweep_file, written_and_read_back)
{
    char dir[256], msg[1024];
    dnc_sweep_args a;
    dnc_sweep_spec s;
    dnc_sweep_file f;
    const char *from[] = { "a/s1", "a/s2" };
    memset(&a, 0, sizeof(a));
    a.K = "2,3";
    a.width = "3-5";
    a.lambda = "1/250,1/3";
    a.seeds = "1,2";
    a.train[1] = "0.25";     /* lr */
    a.shard = "2/3";
    cr_assert_eq(dnc_sweep_spec_set(&s, &a, msg, sizeof(msg)), 0, "%s", msg);
    tu_tmpdir(dir, sizeof(dir));
    cr_assert_eq(dnc_sweep_file_write(dir, &s, NULL, 0, msg, sizeof(msg)), 0, "%s", msg);
    cr_assert_eq(dnc_sweep_file_read(&f, dir, msg, sizeof(msg)), 0, "%s", msg);
    cr_assert_null(dnc_sweep_spec_diff(&f.spec, &s, 0));
    cr_assert_eq(f.version, DNC_SWEEP_VERSION);
    cr_assert_eq(f.runs, 2 * 3 * 2 * 2);
    cr_assert_eq(f.merged, 0);
    cr_assert_eq(f.nmerged, 0);
    cr_assert_str_eq(f.dncert_version, DNCERT_VERSION);
    dnc_sweep_file_clear(&f);
    s.shard = s.nshards = 1;
    cr_assert_eq(dnc_sweep_file_write(dir, &s, from, 2, msg, sizeof(msg)), 0, "%s", msg);
    cr_assert_eq(dnc_sweep_file_read(&f, dir, msg, sizeof(msg)), 0, "%s", msg);
    cr_assert(f.merged && f.nmerged == 2 && strcmp(f.merged_from[1], "a/s2") == 0);
    dnc_sweep_file_clear(&f);
    dnc_sweep_spec_clear(&s);
}

/* A file without "format" and "version" (hand-written) is read as version 1, its "runs"
 * computed from the options. */
Test(sweep_file, without_version_is_version_1)
{
    char dir[256], msg[1024];
    dnc_sweep_file f;
    tu_tmpdir(dir, sizeof(dir));
    tu_write_file(dir, "sweep.json", "{\"options\": {\"K\": \"2\", \"seeds\": \"1-4\"}}");
    cr_assert_eq(dnc_sweep_file_read(&f, dir, msg, sizeof(msg)), 0, "%s", msg);
    cr_assert_eq(f.version, 1);
    cr_assert_eq(f.runs, 4);
    cr_assert_eq(f.spec.nshards, 1);
    cr_assert_str_eq(f.dncert_version, "");
    dnc_sweep_file_clear(&f);
}

struct bad_file {
    char text[200];
    char needle[120];
};

ParameterizedTestParameters(sweep_file, refused)
{
    static struct bad_file cases[] = {
        { "{\"format\": \"dncert-point\", \"version\": 1, \"options\": {}}",
          "sweep.json: not a dncert sweep file (format \"dncert-sweep\" expected, not \"dncert-point\")" },
        { "{\"format\": 3, \"options\": {}}", "not a dncert sweep file (format \"dncert-sweep\" expected, not a JSON non-string)" },
        { "{\"format\": \"dncert-sweep\", \"version\": 2, \"options\": {}}",
          "sweep.json: version 2 is newer than this dncert reads (1 to 1): update dncert" },
        { "{\"format\": \"dncert-sweep\", \"version\": \"1\", \"options\": {}}", "version: must be an integer from 1 to 1" },
        { "{\"format\": \"dncert-sweep\", \"version\": 0, \"options\": {}}", "version: must be an integer from 1 to 1" },
        { "[1, 2]", "not a dncert sweep file (a JSON object" },
        { "{\"format\": \"dncert-sweep\", \"version\": 1", "sweep.json: not valid JSON (line 1:" },
        { "{\"format\": \"dncert-sweep\", \"version\": 1}", "sweep.json: options: required" },
        { "{\"version\": 1, \"options\": {\"K\": \"1\"}}", "sweep.json: options: --K: '1' is not an integer in [2," },
        { "{\"version\": 1, \"options\": {\"K\": 2}}", "sweep.json: options: option \"K\" must be a string" },
        { "{\"version\": 1, \"options\": {\"seeds\": \"1-4\"}, \"runs\": 3}", "sweep.json: runs: must be 4" },
        { "{\"version\": 1, \"options\": {\"seeds\": \"1-4\", \"shard\": \"1/2\"}, \"merged\": true}",
          "a merged table must have shard 1/1" },
        { "{\"version\": 1, \"options\": {}, \"merged\": \"yes\"}", "merged: must be true or false" },
        { "{\"version\": 1, \"options\": {}, \"merged_from\": [1]}", "merged_from[0]: must be a string" },
    };
    return cr_make_param_array(struct bad_file, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_file *c, sweep_file, refused)
{
    char dir[256], msg[1024];
    dnc_sweep_file f;
    tu_tmpdir(dir, sizeof(dir));
    tu_write_file(dir, "sweep.json", c->text);
    cr_assert_eq(dnc_sweep_file_read(&f, dir, msg, sizeof(msg)), -1, "accepted: %s", c->text);
    cr_assert(strstr(msg, c->needle) != NULL, "message lacks '%s':\n%s", c->needle, msg);
    cr_assert(strncmp(msg, dir, strlen(dir)) == 0, "message does not start with the path: %s", msg);
    cr_assert_eq(f.spec.nK, 0);    /* cleared */
    dnc_sweep_file_clear(&f);
}

/* sweep and sweep-merge refuse a sweep.json of another format or a newer version, with the
 * reader's message and exit status 2; a file without version and format is accepted. */
Test(sweep_file, commands_check_format_and_version)
{
    char base[256], s1[300], merged[300];
    char newer[] = "{\"format\": \"dncert-sweep\", \"version\": 2, \"options\": {\"K\": \"2\"}}";
    const char *merge[] = { "sweep-merge", s1, "--out", merged, "--force", NULL };
    const char *one[] = { "sweep", "--K", "2", "--n", "2", "--L", "2", "--width", "3", "--steps", "5", "--quiet",
                          "--out", s1, NULL };
    char *text;
    tu_tmpdir(base, sizeof(base));
    snprintf(s1, sizeof(s1), "%s/s1", base);
    snprintf(merged, sizeof(merged), "%s/merged", base);
    cr_assert_eq(tu_run(out, err, CAP, one), 0, "%s", err);
    /* hand-made: no format, no version -- still a sweep, merged and resumed */
    tu_write_file(s1, "sweep.json", "{\"options\": {\"K\": \"2\", \"n\": \"2\", \"L\": \"2\", \"width\": \"3\", "
               "\"steps\": \"5\"}}");
    cr_assert_eq(tu_run(out, err, CAP, merge), 0, "%s", err);
    cr_assert_eq(tu_run(out, err, CAP, one), 0, "%s", err);
    cr_assert(strstr(out, "0 executed, 1 already done") != NULL, "%s", out);
    text = slurp_file(merged, "sweep.json");
    cr_assert(strstr(text, "\"format\": \"dncert-sweep\"") && strstr(text, "\"version\": 1")
              && strstr(text, "\"merged\": true"), "%s", text);
    free(text);
    tu_write_file(s1, "sweep.json", newer);
    cr_assert_eq(tu_run(out, err, CAP, merge), 2);
    cr_assert(strstr(err, "dncert sweep-merge: ") && strstr(err, "s1/sweep.json: version 2 is newer than this "
                                                                 "dncert reads (1 to 1): update dncert"), "%s", err);
    cr_assert_eq(tu_run(out, err, CAP, one), 2);
    cr_assert(strstr(err, "dncert sweep: --out: ") && strstr(err, "s1/sweep.json: version 2 is newer"), "%s", err);
    tu_write_file(s1, "sweep.json", "{\"format\": \"dncert-report\", \"options\": {}}");
    cr_assert_eq(tu_run(out, err, CAP, merge), 2);
    cr_assert(strstr(err, "not a dncert sweep file (format \"dncert-sweep\" expected"), "%s", err);
    /* a merged table is not a place to run a sweep */
    cr_assert_eq(tu_run(out, err, CAP, (const char *[]) { "sweep", "--K", "2", "--out", merged, NULL }), 2);
    cr_assert(strstr(err, "is a merged table (dncert sweep-merge)") != NULL, "%s", err);
}

/* The certified DNC value of K=2, n=5, L=3, lambda=0.004 (docs/math/dnc.md). */
Test(sweep, references_hold_the_certified_dnc_value)
{
    char dir[256], *csv;
    const char *args[] = { "sweep", "--K", "2", "--n", "5", "--L", "3", "--width", "10", "--lambda", "0.004",
                           "--steps", "1", "--quiet", "--out", dir, NULL };
    tu_tmpdir(dir, sizeof(dir));
    cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s", err);
    csv = slurp_file(dir, "references.csv");
    cr_assert(strstr(csv, "2,3,5,0.004,relu,none,mse,dnc,,alive,0.0238535931285789493787901801") != NULL, "%s", csv);
    cr_assert(strstr(csv, ",srg,,,,,,\"srg needs K >= 3") != NULL, "%s", csv);   /* says why */
    free(csv);
}

/* Cross-entropy sweeps (docs/sweeps.md): the runs train under CE (K = 3, n = 2, L = 2, width 8,
 * lambda 1/50: L-BFGS from seeds 1 and 2 reaches the best point of the orthogonal-frame family,
 * class dnc), the tables carry loss_fn "ce", the reference is the frame value
 * 0.28498487389704753545... (tests/data/ce/ce_relu_refs.json, mpmath) and SRG says it has no CE
 * form; sweep.json records the loss, so resuming as MSE is refused. With linear layers the
 * reference is the ETF family's (deep-linear), 0.58769419583598611004... at K = 3, n = 4,
 * L = 2, lambda 1/20 (tests/data/ce/ce_refs.json). */
Test(sweep, cross_entropy)
{
    char dir[256], lin[300], *csv;
    const char *args[] = { "sweep", "--K", "3", "--n", "2", "--L", "2", "--width", "8", "--lambda", "1/50",
                           "--seeds", "1-2", "--loss", "ce", "--optimizer", "lbfgs", "--lr", "1", "--steps", "3000",
                           "--quiet", "--jobs", "1", "--out", dir, NULL };
    const char *as_mse[] = { "sweep", "--K", "3", "--n", "2", "--L", "2", "--width", "8", "--lambda", "1/50",
                             "--seeds", "1-2", "--optimizer", "lbfgs", "--lr", "1", "--steps", "3000", "--quiet",
                             "--out", dir, NULL };
    const char *linear[] = { "sweep", "--K", "3", "--n", "4", "--L", "2", "--width", "3", "--lambda", "1/20",
                             "--activation", "linear", "--loss", "ce", "--steps", "1", "--quiet", "--out", lin, NULL };
    tu_tmpdir(dir, sizeof(dir));
    cr_assert_eq(tu_run(out, err, CAP, args), 0, "%s", err);
    csv = slurp_file(dir, "results.csv");
    cr_assert(strstr(csv, "\nK3-L2-w8-lambda0.02-s1,3,2,8,0.02,1,2,ce,0.284984873897047") != NULL, "%s", csv);
    cr_assert(strstr(csv, "\nK3-L2-w8-lambda0.02-s2,3,2,8,0.02,2,2,ce,0.284984873897047") != NULL, "%s", csv);
    cr_assert_eq(count_char(csv, '\n'), 3, "%s", csv);
    cr_assert(strstr(csv, ",dnc,") != NULL, "%s", csv);
    free(csv);
    csv = slurp_file(dir, "references.csv");
    cr_assert(strstr(csv, "3,2,2,0.02,relu,none,ce,dnc,,alive,0.2849848738970475354522431238") != NULL, "%s", csv);
    cr_assert(strstr(csv, "ce,srg,3,,,,,\"--loss: no cross-entropy closed form is derived for srg") != NULL, "%s", csv);
    free(csv);
    csv = slurp_file(dir, "sweep.json");
    cr_assert(strstr(csv, "\"loss\": \"ce\"") != NULL, "%s", csv);
    free(csv);
    cr_assert_eq(tu_run(out, err, CAP, as_mse), 2, "%s", err);
    cr_assert(strstr(err, "holds a different sweep (--loss is 'ce' there, 'default' here)") != NULL, "%s", err);
    snprintf(lin, sizeof(lin), "%s/linear", dir);
    cr_assert_eq(tu_run(out, err, CAP, linear), 0, "%s", err);
    csv = slurp_file(lin, "references.csv");
    cr_assert(strstr(csv, "3,2,4,0.05,linear,none,ce,deep-linear,,alive,0.58769419583598611004925155") != NULL, "%s",
              csv);
    free(csv);
}

struct bad_case {
    char args[2][24];
    char needle[80];
};

ParameterizedTestParameters(sweep, bad_input)
{
    static struct bad_case cases[] = {
        { { "--shard", "3/2" }, "--shard: must be I/N with integers 1 <= I <= N" },
        { { "--shard", "0/2" }, "--shard: must be I/N" },
        { { "--shard", "x" }, "--shard: must be I/N" },
        { { "--shard", "2/2" }, "--shard: 2 shards for a grid of 1 runs" },
        { { "--seeds", "" }, "--seeds: empty list" },
        { { "--seeds", "5-3" }, "--seeds: the range '5-3' is empty" },
        { { "--width", "3,,4" }, "--width: empty item" },
        { { "--width", "4,4" }, "--width: 4 appears twice" },
        { { "--lambda", "0.004,1/250" }, "--lambda: 0.004 appears twice" },
        { { "--lambda", "-1" }, "--lambda: must be a positive rational" },
        { { "--lambda", "0.1,1e400" }, "--lambda: must be within [2.2250738585072014e-308, 1.79769" },
        { { "--lambda", "1e-400" }, "--lambda: must be within [2.2250738585072014e-308, 1.79769" },
        { { "--init-std", "1e-320" }, "--init-std: must be a number in (0, 1e+06], and 0 or a normal" },
        { { "--K", "1" }, "--K: '1' is not an integer in [2," },
        { { "--n", "2,3" }, "--n: must be one integer" },
        { { "--activation", "relu,linear" }, "--activation: must be relu or linear" },
        { { "--loss", "hinge" }, "--loss: must be mse or ce" },
        { { "--lr", "abc" }, "--lr: must be a number in (0" },
        { { "--optimizer", "adam" }, "--optimizer: must be gd, momentum or lbfgs" },
        { { "--jobs", "0" }, "--jobs: must be an integer in [1," },
        { { "--frobnicate", "1" }, "unknown option '--frobnicate'" },
    };
    return cr_make_param_array(struct bad_case, cases, sizeof(cases) / sizeof(cases[0]));
}

/* Every bad input: exit 2, a message naming the option, and no output directory. */
ParameterizedTest(struct bad_case *c, sweep, bad_input)
{
    char dir[256], target[300];
    const char *args[40] = { "sweep", "--steps", "1", "--quiet", "--out", target };
    int i, n = 6, rc;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(target, sizeof(target), "%s/sweep", dir);
    for (i = 0; i < 2; i++)      /* every case is an option and its value (maybe "") */
        args[n++] = c->args[i];
    args[n] = NULL;
    rc = tu_run(out, err, CAP, args);
    cr_assert_eq(rc, 2, "exit %d for %s %s; stderr: %s", rc, c->args[0], c->args[1], err);
    cr_assert(strstr(err, c->needle) != NULL, "stderr lacks '%s':\n%s", c->needle, err);
    cr_assert_not(exists(dir, "sweep"), "output left behind for %s", c->args[0]);
    rmdir(dir);
}

/* An existing --out is resumed only when it holds the same sweep; anything else is refused
 * untouched. */
Test(sweep, existing_out)
{
    char dir[256], path[300];
    FILE *f;
    const char *args[] = { "sweep", GRID, "--out", dir, "--lr", "0.25", NULL };
    tu_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/notes.txt", dir);
    f = fopen(path, "w");
    fclose(f);
    cr_assert_eq(sweep(dir, NULL, NULL), 2);
    cr_assert(strstr(err, "--out: ") != NULL && strstr(err, "is not a sweep directory") != NULL, "%s", err);
    cr_assert_eq(tu_entries(dir), 1);
    unlink(path);
    cr_assert_eq(sweep(dir, "--quiet", NULL), 0, "%s", err);
    cr_assert_eq(tu_run(out, err, CAP, args), 2);
    cr_assert(strstr(err, "--out: ") != NULL && strstr(err, "holds a different sweep (--lr is 'default' there, "
                                                       "'0.25' here)") != NULL, "%s", err);
    cr_assert_eq(sweep(dir, "--shard", "1/2"), 2);
    cr_assert(strstr(err, "(--shard is '1/1' there, '1/2' here)") != NULL, "%s", err);
}

static int have_gnuplot(void)
{
    return access("/usr/bin/gnuplot", X_OK) == 0;
}

/* The sweep of sweep() in a new dir, plots = dir/plots (256 and 300 bytes); skips the test
 * without gnuplot. */
static void swept(char *dir, char *plots)
{
    if (!have_gnuplot())
        cr_skip_test("/usr/bin/gnuplot is not installed");
    tu_tmpdir(dir, 256);
    snprintf(plots, 300, "%s/plots", dir);
    cr_assert_eq(sweep(dir, "--quiet", NULL), 0, "%s", err);
}

/* A run dir/run (K, n = 2, L, width) of `steps` steps trained and drawn by `dncert plot`
 * into plots = dir/run/plots (dir, run and plots of 256, 300 and 320 bytes); skips the
 * test without gnuplot. */
static void plotted_run(char *dir, char *run, char *plots, const char *K, const char *L, const char *width,
                        const char *steps)
{
    const char *train[] = { "train", "--K", K, "--n", "2", "--L", L, "--width", width, "--steps", steps,
                            "--log-every", "10", "--quiet", "--out", run, NULL };
    const char *plot[] = { "plot", run, NULL };
    if (!have_gnuplot())
        cr_skip_test("/usr/bin/gnuplot is not installed");
    tu_tmpdir(dir, 256);
    snprintf(run, 300, "%s/run", dir);
    snprintf(plots, 320, "%s/plots", run);
    cr_assert_eq(tu_run(out, err, CAP, train), 0, "%s", err);
    cr_assert_eq(tu_run(out, err, CAP, plot), 0, "%s", err);
}

Test(plot, run_figures_as_png_and_svg)
{
    char dir[256], run[300], plots[320];
    static const char *const files[] = { "training", "sv-layer1", "sv-layer2", "sv-layer3", "sv-pre-layer2",
                                         "sv-pre-layer3" };
    size_t i;
    plotted_run(dir, run, plots, "3", "3", "4", "50");
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char name[400];
        struct stat st;
        snprintf(name, sizeof(name), "%s/%s.png", plots, files[i]);
        cr_assert(stat(name, &st) == 0 && st.st_size > 1000, "missing or empty %s", name);
        snprintf(name, sizeof(name), "%s.svg", files[i]);
        cr_assert(exists(plots, name), "missing %s", name);
    }
    cr_assert_not(exists(plots, "sv-pre-layer1.png"));
    cr_assert_not(exists(plots, "training.png.tmp"));
}

Test(plot, missing_gnuplot_is_a_clear_error)
{
    char dir[256], path[300];
    const char *plot[] = { "plot", dir, NULL };
    const char *bad[] = { "plot", "/nonexistent-run", NULL };
    tu_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/metrics.jsonl", dir);
    fclose(fopen(path, "w"));
    setenv("DNCERT_GNUPLOT", "/nonexistent/gnuplot", 1);
    cr_assert_eq(tu_run(out, err, CAP, plot), 1);
    cr_assert(strstr(err, "gnuplot not found") != NULL, "%s", err);
    unsetenv("DNCERT_GNUPLOT");
    cr_assert_eq(tu_run(out, err, CAP, bad), 2);
    cr_assert(strstr(err, "RUN_DIR: ") != NULL, "%s", err);
}

/* The default names hold the values a figure needs single, so that the figures of two
 * weight decays of one sweep do not collide. */
Test(plot, sweep_figures)
{
    char dir[256];
    const char *loss[] = { "sweep-plot", dir, "--figure", "loss", "--lambda", "1/250", NULL };
    const char *loss2[] = { "sweep-plot", dir, "--figure", "loss", "--lambda", "0.002", NULL };
    const char *dnc[] = { "sweep-plot", dir, "--figure", "dnc", "--lambda", "0.004", NULL };
    const char *rank[] = { "sweep-plot", dir, "--figure", "rank", NULL };
    const char *bad[] = { "sweep-plot", dir, "--figure", "loss", NULL };
    if (!have_gnuplot())
        cr_skip_test("/usr/bin/gnuplot is not installed");
    tu_tmpdir(dir, sizeof(dir));
    cr_assert_eq(sweep(dir, "--quiet", NULL), 0, "%s", err);
    cr_assert_eq(tu_run(out, err, CAP, loss), 0, "%s", err);
    cr_assert(strstr(out, "plots/loss-K2-L2-lambda0.004.png, .svg") != NULL, "%s", out);
    cr_assert_eq(tu_run(out, err, CAP, loss2), 0, "%s", err);
    cr_assert_eq(tu_run(out, err, CAP, dnc), 0, "%s", err);
    cr_assert(exists(dir, "plots/loss-K2-L2-lambda0.004.png") && exists(dir, "plots/loss-K2-L2-lambda0.004.svg"));
    cr_assert(exists(dir, "plots/loss-K2-L2-lambda0.002.png") && exists(dir, "plots/loss-K2-L2-lambda0.002.gp"));
    cr_assert(exists(dir, "plots/dnc-K2-L2-lambda0.004.png"));
    /* several values where the figure needs one: the message names the option to use */
    cr_assert_eq(tu_run(out, err, CAP, bad), 2);
    cr_assert(strstr(err, "--lambda: the selected runs have several weight decays") != NULL, "%s", err);
    cr_assert_eq(tu_run(out, err, CAP, rank), 2);
    cr_assert(strstr(err, "--width: the selected runs have several widths") != NULL, "%s", err);
}

/* No temporary of the writer is left in dir. */
static void no_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    cr_assert(d != NULL, "%s", dir);
    while ((e = readdir(d)) != NULL)
        cr_assert(strstr(e->d_name, ".tmp") == NULL, "left in %s: %s", dir, e->d_name);
    closedir(d);
}

/* A second sweep-plot of the same figure is refused (exit 2, the file named, nothing
 * touched) unless --force; --out takes a directory or a path without extension. */
Test(plot, sweep_plot_never_overwrites_silently)
{
    char dir[256], plots[300], sub[300], prefix[300];
    const char *loss[] = { "sweep-plot", dir, "--figure", "loss", "--lambda", "0.004", NULL };
    const char *force[] = { "sweep-plot", dir, "--figure", "loss", "--lambda", "0.004", "--force", NULL };
    const char *to_dir[] = { "sweep-plot", dir, "--figure", "loss", "--lambda", "0.004", "--out", sub, NULL };
    const char *to_file[] = { "sweep-plot", dir, "--figure", "loss", "--lambda", "0.004", "--out", prefix, NULL };
    char dot[300];
    const char *bad_out[] = { "sweep-plot", dir, "--figure", "loss", "--lambda", "0.004", "--out", dot, NULL };
    char *text;
    swept(dir, plots);
    snprintf(sub, sizeof(sub), "%s/figs/", dir);
    snprintf(prefix, sizeof(prefix), "%s/paper/fig2.pdf", dir);
    snprintf(dot, sizeof(dot), "%s/missing/.", dir);     /* not a directory, and no file name */
    cr_assert_eq(tu_run(out, err, CAP, loss), 0, "%s", err);
    tu_write_file(plots, "loss-K2-L2-lambda0.004.png", "mine");
    cr_assert_eq(tu_run(out, err, CAP, loss), 2);
    cr_assert(strstr(err, "--out: '") != NULL && strstr(err, "plots/loss-K2-L2-lambda0.004.") != NULL
              && strstr(err, "already exists (use --force to replace it)") != NULL, "%s", err);
    text = slurp_file(plots, "loss-K2-L2-lambda0.004.png");
    cr_assert_str_eq(text, "mine");
    free(text);
    cr_assert_eq(tu_run(out, err, CAP, force), 0, "%s", err);
    text = slurp_file(plots, "loss-K2-L2-lambda0.004.png");
    cr_assert(strncmp(text, "\x89PNG", 4) == 0, "not replaced by a PNG");
    free(text);
    no_temporaries(plots);
    /* --out DIR/: the default name there (the directory is made); --out PATH: PATH.* */
    cr_assert_eq(tu_run(out, err, CAP, to_dir), 0, "%s", err);
    cr_assert(exists(sub, "loss-K2-L2-lambda0.004.png") && exists(sub, "loss-K2-L2-lambda0.004.gp"));
    cr_assert_eq(tu_run(out, err, CAP, to_file), 0, "%s", err);
    cr_assert(strstr(out, "paper/fig2.png, .svg") != NULL, "%s", out);
    snprintf(prefix, sizeof(prefix), "%s/paper", dir);
    cr_assert(exists(prefix, "fig2.png") && exists(prefix, "fig2.svg") && exists(prefix, "fig2.gp"));
    cr_assert_not(exists(prefix, "fig2.pdf.png"));
    no_temporaries(prefix);
    cr_assert_eq(tu_run(out, err, CAP, bad_out), 2);
    cr_assert(strstr(err, "missing/.' names no file") != NULL, "%s", err);
}

/* plot checks every figure before drawing any: a run plotted twice is refused whole. */
Test(plot, plot_never_overwrites_silently)
{
    char dir[256], run[300], plots[320], other[320];
    const char *plot[] = { "plot", run, NULL };
    const char *force[] = { "plot", run, "--force", NULL };
    const char *elsewhere[] = { "plot", run, "--out", other, NULL };
    char *text;
    plotted_run(dir, run, plots, "2", "2", "3", "20");
    tu_write_file(plots, "sv-layer2.png", "mine");
    cr_assert_eq(unlink(strcat(strcpy(other, plots), "/training.png")), 0);
    cr_assert_eq(tu_run(out, err, CAP, plot), 2);
    cr_assert(strstr(err, "dncert plot: --out: '") != NULL && strstr(err, "already exists") != NULL, "%s", err);
    cr_assert_not(exists(plots, "training.png"), "a figure was drawn before the refusal");
    text = slurp_file(plots, "sv-layer2.png");
    cr_assert_str_eq(text, "mine");
    free(text);
    cr_assert_eq(tu_run(out, err, CAP, force), 0, "%s", err);
    cr_assert(exists(plots, "training.png"));
    no_temporaries(plots);
    snprintf(other, sizeof(other), "%s/other", dir);
    cr_assert_eq(tu_run(out, err, CAP, elsewhere), 0, "%s", err);
    cr_assert(exists(other, "training.png") && exists(other, "sv-pre-layer2.gp"));
}

static int gnuplot_has_pdfcairo(void)
{
    FILE *p = popen("/usr/bin/gnuplot -e \"print GPVAL_TERMINALS\" 2>&1", "r");
    char buf[4096];
    size_t n;
    if (p == NULL)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, p);
    buf[n] = '\0';
    pclose(p);
    return strstr(buf, "pdfcairo") != NULL;
}

/* PDF beside PNG and SVG when gnuplot has pdfcairo; without it (a gnuplot told pdf=0, as
 * the script lets one) the figure is drawn without PDF and the command says so. */
Test(plot, pdf_beside_png_and_svg)
{
    char dir[256], plots[300], wrapper[300];
    const char *loss[] = { "sweep-plot", dir, "--figure", "loss", "--lambda", "0.004", NULL };
    const char *dnc[] = { "sweep-plot", dir, "--figure", "dnc", "--lambda", "0.004", NULL };
    char *text;
    FILE *f;
    if (have_gnuplot() && !gnuplot_has_pdfcairo())
        cr_skip_test("gnuplot has no pdfcairo terminal");
    swept(dir, plots);
    cr_assert_eq(tu_run(out, err, CAP, loss), 0, "%s", err);
    cr_assert(strstr(out, ".png, .svg, .pdf and .gp") != NULL, "%s", out);
    text = slurp_file(plots, "loss-K2-L2-lambda0.004.pdf");
    cr_assert(strncmp(text, "%PDF", 4) == 0, "not a PDF");
    free(text);
    snprintf(wrapper, sizeof(wrapper), "%s/gnuplot-without-pdf", dir);
    cr_assert((f = fopen(wrapper, "w")) != NULL);
    fputs("#!/bin/sh\nexec /usr/bin/gnuplot -e 'pdf = 0' \"$@\"\n", f);
    fclose(f);
    cr_assert_eq(chmod(wrapper, 0755), 0);
    setenv("DNCERT_GNUPLOT", wrapper, 1);
    cr_assert_eq(tu_run(out, err, CAP, dnc), 0, "%s", err);
    unsetenv("DNCERT_GNUPLOT");
    cr_assert(strstr(out, "no PDF: this gnuplot has no pdfcairo terminal") != NULL, "%s", out);
    cr_assert(exists(plots, "dnc-K2-L2-lambda0.004.png") && !exists(plots, "dnc-K2-L2-lambda0.004.pdf"));
}

/* The gnuplot clauses "ls N title 'T'" of a script, one call per clause. */
static void each_clause(const char *gp, void (*fn)(int ls, const char *title, const char *file), const char *file)
{
    const char *c = gp;
    while ((c = strstr(c, " ls ")) != NULL) {
        int ls = atoi(c + 4);
        const char *t = strchr(c, '\n'), *q = strstr(c, " title '");
        char title[256] = "";
        if (q != NULL && (t == NULL || q < t)) {
            const char *end = strchr(q + 8, '\'');
            snprintf(title, sizeof(title), "%.*s", (int) (end - q - 8), q + 8);
        }
        if (strncmp(c - 9, "set style", 9) != 0)
            fn(ls, title, file);
        c += 4;
    }
}

/* A series drawn in the look of a structure is titled with that structure's name. */
static void check_clause(int ls, const char *title, const char *file)
{
    cr_assert(ls >= 1 && ls <= DNC_NLOOKS, "%s: ls %d", file, ls);
    if (ls - 1 <= DNC_LOOK_FULL_RANK)
        cr_assert(strstr(title, dnc_palette[ls - 1].label) != NULL, "%s: '%s' drawn as %s", file, title,
                  dnc_palette[ls - 1].key);
}

/* The palette block of a script (its "set style line" lines) as a new string. */
static char *palette_block(const char *gp)
{
    const char *a = strstr(gp, "set style line 1 "), *b = a;
    char *block;
    int i;
    cr_assert(a != NULL);
    for (i = 0; i < DNC_NLOOKS; i++)
        b = strchr(b, '\n') + 1;
    block = strndup(a, (size_t) (b - a));
    cr_assert(strstr(b, "set style line") == NULL);
    return block;
}

/* Every script -- the three sweep figures and the figures of a run -- carries the same
 * palette block, built from dnc_palette, and draws every structure in its own look. */
Test(plot, one_palette_in_every_figure)
{
    char dir[256], run[300], plots[300], runplots[320], *first = NULL, line[200];
    const char *runs[] = { "train", "--K", "2", "--n", "2", "--L", "2", "--width", "3", "--steps", "20",
                           "--log-every", "10", "--quiet", "--out", run, NULL };
    const char *figs[][8] = { { "sweep-plot", dir, "--figure", "loss", "--lambda", "0.004", NULL },
                              { "sweep-plot", dir, "--figure", "dnc", "--lambda", "0.002", NULL },
                              { "sweep-plot", dir, "--figure", "rank", "--width", "3", NULL },
                              { "plot", run, NULL } };
    static const char *const files[][2] = { { "p", "loss-K2-L2-lambda0.004.gp" }, { "p", "dnc-K2-L2-lambda0.002.gp" },
                                            { "p", "rank-K2-L2-w3.gp" }, { "r", "training.gp" },
                                            { "r", "sv-layer1.gp" }, { "r", "sv-pre-layer2.gp" } };
    size_t i;
    int k;
    swept(dir, plots);
    snprintf(run, sizeof(run), "%s/run", dir);
    snprintf(runplots, sizeof(runplots), "%s/plots", run);
    cr_assert_eq(tu_run(out, err, CAP, runs), 0, "%s", err);
    for (i = 0; i < sizeof(figs) / sizeof(figs[0]); i++)
        cr_assert_eq(tu_run(out, err, CAP, figs[i]), 0, "%s: %s", figs[i][0], err);
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char *gp = slurp_file(files[i][0][0] == 'p' ? plots : runplots, files[i][1]), *block = palette_block(gp);
        if (first == NULL) {
            first = block;
            for (k = 0; k < DNC_NLOOKS; k++) {
                snprintf(line, sizeof(line), "set style line %d lc rgb '%s' lw %g dt %s pt %d ", k + 1,
                         dnc_palette[k].rgb, dnc_palette[k].width, dnc_palette[k].dash, dnc_palette[k].point);
                cr_assert(strstr(first, line) != NULL, "missing: %s", line);
            }
        } else {
            cr_assert_str_eq(block, first, "%s has another palette", files[i][1]);
            free(block);
        }
        each_clause(gp, check_clause, files[i][1]);
        free(gp);
    }
    free(first);
}

/* The values of data block $d<i> of a script (at most n), in order. */
static int data_block(double *y, int n, const char *gp, int i)
{
    char head[32];
    const char *c;
    int m = 0;
    snprintf(head, sizeof(head), "$d%d << EOD\n", i);
    cr_assert((c = strstr(gp, head)) != NULL, "no %s", head);
    c += strlen(head);
    while (m < n && strncmp(c, "EOD", 3) != 0) {
        double x;
        cr_assert_eq(sscanf(c, "%lf %lf", &x, y + m), 2);
        m++;
        c = strchr(c, '\n') + 1;
    }
    return m;
}

/* The singular-value figures draw the rank cutoff: the run's tolerance (default 1e-6) or
 * --rank-tol, times the largest singular value of each logged step. */
Test(plot, rank_cutoff_on_singular_values)
{
    char dir[256], run[300], plots[320], other[320], clause[64];
    const char *tol[] = { "plot", run, "--rank-tol", "1e-3", "--out", other, NULL };
    const char *bad[] = { "plot", run, "--rank-tol", "2", NULL };
    double s1[16], cut[16];
    char *gp;
    int n, i, series;
    plotted_run(dir, run, plots, "3", "2", "4", "40");
    snprintf(other, sizeof(other), "%s/other", dir);
    gp = slurp_file(plots, "sv-pre-layer2.gp");
    snprintf(clause, sizeof(clause), "with lines ls %d title 'rank cutoff 1e-6 × σ1'", DNC_LOOK_CUTOFF + 1);
    cr_assert(strstr(gp, clause) != NULL, "no cutoff line in:\n%s", gp);
    for (series = 0; strstr(gp, "$d") != NULL && series < 16; series++) {   /* the cutoff is the last block */
        snprintf(clause, sizeof(clause), "$d%d << EOD", series + 1);
        if (strstr(gp, clause) == NULL)
            break;
    }
    n = data_block(s1, 16, gp, 0);
    cr_assert_eq(data_block(cut, 16, gp, series), n);
    cr_assert_geq(n, 4);
    for (i = 0; i < n; i++)
        cr_assert(fabs(cut[i] - 1e-6 * s1[i]) <= 1e-15 * s1[i], "step %d: %g against %g", i, cut[i], s1[i]);
    free(gp);
    cr_assert_eq(tu_run(out, err, CAP, tol), 0, "%s", err);
    gp = slurp_file(other, "sv-layer2.gp");
    cr_assert(strstr(gp, "title 'rank cutoff 0.001 × σ1'") != NULL, "%s", gp);
    free(gp);
    cr_assert_eq(tu_run(out, err, CAP, bad), 2);
    cr_assert(strstr(err, "--rank-tol: must be a number in (0, 1]") != NULL, "%s", err);
}
