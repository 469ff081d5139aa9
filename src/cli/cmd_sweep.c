/* dncert sweep: many trainings over a grid, in parallel, resumable and shardable. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dncert/io.h"
#include "dncert/sweep.h"
#include "dncert/train.h"
#include "cli.h"
#include "commands.h"

static const char *usage_head =
    "Usage: dncert sweep --out DIR [grid] [problem] [training] [--jobs N] [--shard I/N]\n"
    "\n"
    "Trains one model per point of the grid K x L x width x lambda x seed (docs/sweeps.md),\n"
    "each as `dncert train` would, in a process of its own, at most --jobs at a time, into\n"
    "DIR/runs/<run id> (e.g. K10-L4-w30-lambda0.004-s3). At the end it writes\n"
    "DIR/results.csv and DIR/results.jsonl (one row per run: final loss, fit, reg, gradient\n"
    "norm, solution class, rank profile, status, steps, seconds) and DIR/references.csv/.jsonl\n"
    "(the certified DNC and SRG values of every problem). Rerunning the same command resumes:\n"
    "runs whose directory holds a complete summary.json are skipped.\n"
    "\n"
    "Grid axes take lists and ranges: 10,20,30  1-10  10-100:10 (from-to:step). Unlike train,\n"
    "--width is a list of sweep values, each a uniform width d_1 = ... = d_L: --width 10,20,30\n"
    "is three sweep points, not one network with three layer widths.\n";

static const char *usage_tail =
    "The training options are those of `dncert train` (same meaning and defaults).\n"
    "Sharding: --shard I/N runs the runs whose position i in the grid (0-based, order K, L,\n"
    "width, lambda, seed) has i mod N = I-1; give each shard its own --out and join them with\n"
    "`dncert sweep-merge`.\n"
    "Exit status: 0 every run completed (diverged runs are completed runs), 1 some run failed\n"
    "(its log is in DIR/logs/; rerun to retry), 2 bad command line (nothing written).\n";

/* Rejects bad training options before anything is written, with train's own rules
 * (dnc_cli_train_opts), so that a bad value stops the sweep instead of failing every run. */
static int check_train_options(const dnc_cli_opt *opts)
{
    dnc_train_opts o;
    slong log_every;
    return dnc_cli_train_opts(&o, &log_every, opts, "sweep");
}

static int read_spec(dnc_sweep_spec *s, const dnc_cli_opt *opts)
{
    dnc_sweep_args a;
    char err[512];
    int i, r;
    memset(&a, 0, sizeof(a));
    a.K = dnc_cli_get(opts, "K");
    a.L = dnc_cli_get(opts, "L");
    a.width = dnc_cli_get(opts, "width");
    a.lambda = dnc_cli_get(opts, "lambda");
    a.seeds = dnc_cli_get(opts, "seeds");
    a.n = dnc_cli_get(opts, "n");
    a.activation = dnc_cli_get(opts, "activation");
    a.bias = dnc_cli_get(opts, "bias");
    a.loss = dnc_cli_get(opts, "loss");
    a.shard = dnc_cli_get(opts, "shard");
    for (i = 0; i < DNC_SWEEP_NTRAIN; i++)
        a.train[i] = dnc_cli_get(opts, dnc_sweep_train_names[i]);
    if ((r = check_train_options(opts)) != 0) {
        memset(s, 0, sizeof(*s));
        return r;
    }
    if (dnc_sweep_spec_set(s, &a, err, sizeof(err)) != 0)
        return dnc_cli_usage_error("sweep", "%s", err);
    return 0;
}

static int dir_is_empty(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int empty = 1;
    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = 0;
    closedir(d);
    return empty;
}

/* "--lr is '0.1' there, '0.5' here": the option in which two sweeps differ. */
static int refuse_other_sweep(const char *dir, const dnc_sweep_spec *old, const dnc_sweep_spec *s, const char *diff)
{
    json_t *a = dnc_sweep_spec_to_json(old), *b = dnc_sweep_spec_to_json(s);
    const char *x = json_string_value(json_object_get(a, diff)), *y = json_string_value(json_object_get(b, diff));
    int r = dnc_cli_usage_error("sweep", "--out: '%s' holds a different sweep (--%s is '%s' there, '%s' here); "
                                "resume it with the same options or choose a new directory", dir, diff,
                                x ? x : "default", y ? y : "default");
    json_decref(a);
    json_decref(b);
    return r;
}

/* An existing --out must be empty or hold this very sweep (then the sweep resumes); a
 * directory of another sweep, or of anything else, is refused rather than mixed with. */
static int check_out(const char *dir, const dnc_sweep_spec *s)
{
    char path[4200], err[4600];
    dnc_sweep_file old;
    const char *diff;
    struct stat st;
    int r = 0;
    if (stat(dir, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode))
        return dnc_cli_usage_error("sweep", "--out: '%s' exists and is not a directory", dir);
    snprintf(path, sizeof(path), "%s/" DNC_SWEEP_FILE, dir);
    if (!dnc_path_exists(path))
        return dir_is_empty(dir) ? 0 : dnc_cli_usage_error("sweep",
            "--out: '%s' exists and is not a sweep directory (no " DNC_SWEEP_FILE "); choose a new directory", dir);
    if (dnc_sweep_file_read(&old, dir, err, sizeof(err)) != 0)
        r = dnc_cli_usage_error("sweep", "--out: %s", err);
    else if (old.merged)
        r = dnc_cli_usage_error("sweep", "--out: %s is a merged table (dncert sweep-merge); run sweeps in a "
                                "directory of their own", path);
    else if ((diff = dnc_sweep_spec_diff(&old.spec, s, 0)) != NULL)
        r = refuse_other_sweep(dir, &old.spec, s, diff);
    dnc_sweep_file_clear(&old);
    return r;
}

/* Creates DIR (with runs/ and logs/), takes its lock and writes sweep.json. The lock
 * (fcntl, released when the process ends) keeps two sweeps from running in one DIR. */
static int open_out(const char *dir, const dnc_sweep_spec *s)
{
    char path[4200], err[512];
    struct flock lk;
    int fd;
    snprintf(path, sizeof(path), "%s/logs", dir);
    if (dnc_mkdir_p(path, err, sizeof(err)) != 0) {
        fprintf(stderr, "dncert sweep: --out: %s\n", err);
        return DNC_EXIT_FAIL;
    }
    snprintf(path, sizeof(path), "%s/.lock", dir);
    memset(&lk, 0, sizeof(lk));
    lk.l_type = F_WRLCK;
    lk.l_whence = SEEK_SET;
    if ((fd = open(path, O_RDWR | O_CREAT, 0666)) < 0 || fcntl(fd, F_SETLK, &lk) != 0)
        return dnc_cli_usage_error("sweep", "--out: '%s' is in use by another dncert sweep", dir);
    snprintf(path, sizeof(path), "%s/runs", dir);
    if (dnc_mkdir_p(path, err, sizeof(err)) != 0) {
        fprintf(stderr, "dncert sweep: --out: %s\n", err);
        return DNC_EXIT_FAIL;
    }
    if (dnc_sweep_file_write(dir, s, NULL, 0, err, sizeof(err)) != 0) {
        fprintf(stderr, "dncert sweep: %s\n", err);
        return DNC_EXIT_FAIL;
    }
    return 0;
}

/* The runs of this shard that have no complete directory yet. */
static slong pending_runs(dnc_sweep_run **todo, const dnc_sweep_run *runs, slong n, const char *dir)
{
    char path[4200];
    slong i, m = 0;
    *todo = flint_malloc((n > 0 ? n : 1) * sizeof(dnc_sweep_run));
    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/runs/%s", dir, runs[i].id);
        if (!dnc_sweep_run_done(path))
            (*todo)[m++] = runs[i];
    }
    return m;
}

/* "dnc 3, low-rank 30" in order of first appearance; failed runs are counted apart. */
static void print_classes(const dnc_sweep_row *rows, slong n)
{
    slong i, j, k;
    int first = 1;
    printf("classes    ");
    for (i = 0; i < n; i++) {
        if (rows[i].cls[0] == '\0')
            continue;
        for (j = 0; j < i && strcmp(rows[j].cls, rows[i].cls) != 0; j++)
            ;
        if (j < i)
            continue;
        for (k = i, j = 0; k < n; k++)
            j += strcmp(rows[k].cls, rows[i].cls) == 0;
        printf("%s%s %ld", first ? "" : ", ", rows[i].cls, (long) j);
        first = 0;
    }
    printf("%s\n", first ? "none" : "");
}

/* Rows from the run directories, the table and the references; prints the summary. */
static int finish(const char *dir, const dnc_sweep_spec *s, const dnc_sweep_run *runs, slong n,
                  slong executed, slong failed)
{
    dnc_sweep_row *rows = flint_malloc((n > 0 ? n : 1) * sizeof(dnc_sweep_row));
    char path[4200], err[512];
    slong i;
    int r;
    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/runs/%s", dir, runs[i].id);
        dnc_sweep_row_from_run(rows + i, runs + i, s, path);
    }
    r = dnc_sweep_write_outputs(dir, s, rows, n, err, sizeof(err));
    printf("sweep      %s: shard %ld/%ld, %ld of %ld runs\n", dir, (long) s->shard, (long) s->nshards, (long) n,
           (long) dnc_sweep_count(s));
    printf("runs       %ld executed, %ld already done, %ld failed\n", (long) executed, (long) (n - executed),
           (long) failed);
    print_classes(rows, n);
    if (r == 0)
        printf("results    %s/results.csv, %s/results.jsonl\nreferences %s/references.csv, %s/references.jsonl\n",
               dir, dir, dir, dir);
    else
        fprintf(stderr, "dncert sweep: writing the results failed: %s\n", err);
    if (failed > 0)
        fprintf(stderr, "dncert sweep: %ld run%s failed; logs in %s/logs/; rerun the same command to retry\n",
                (long) failed, failed > 1 ? "s" : "", dir);
    flint_free(rows);
    return r != 0 || failed > 0 ? DNC_EXIT_FAIL : DNC_EXIT_OK;
}

static int run_sweep(const char *dir, const dnc_sweep_spec *s, slong jobs, int quiet)
{
    dnc_sweep_run *runs, *todo;
    slong n = dnc_sweep_runs(&runs, s, 1), m, failed = 0;
    int r;
    dnc_progress_t mode = quiet ? DNC_PROGRESS_NONE : isatty(2) ? DNC_PROGRESS_TTY : DNC_PROGRESS_LINES;
    m = pending_runs(&todo, runs, n, dir);
    jobs = FLINT_MAX(1, FLINT_MIN(jobs, m));
    if (!quiet)
        fprintf(stderr, "dncert sweep: %ld runs (shard %ld/%ld of %ld), %ld already done, %ld to run with %ld job%s\n",
                (long) n, (long) s->shard, (long) s->nshards, (long) dnc_sweep_count(s), (long) (n - m), (long) m,
                (long) jobs, jobs > 1 ? "s" : "");
    if (m > 0)
        failed = dnc_sweep_execute(s, todo, m, dir, (int) jobs, mode);
    r = finish(dir, s, runs, n, m, failed);
    flint_free(runs);
    flint_free(todo);
    return r;
}

int dnc_cmd_sweep(int argc, char **argv)
{
    dnc_cli_opt opts[] = {
        { "K", "LIST", "grid: numbers of classes (default 2)", NULL },
        { "L", "LIST", "grid: numbers of weight matrices (default 3)", NULL },
        { "width", "LIST", "grid: widths, each uniform over the L layers (default 10)", NULL },
        { "lambda", "Q[,Q...]", "grid: weight decays of every parameter, exact (default 0.004)", NULL },
        { "seeds", "LIST", "grid: random seeds of the initial points (default 1)", NULL },
        { "n", "N", "problem: samples per class, one count (default 5)", NULL },
        { "activation", "relu|linear", "problem: activation of every hidden layer (default relu)", NULL },
        { "bias", "none|free", "problem: unregularised last-layer bias (default none)", NULL },
        { "loss", "mse|ce", "problem: fit term, squared error or cross-entropy (default mse)", NULL },
        DNC_CLI_TRAIN_OPTS,
        { "out", "DIR", "the sweep directory (required; an existing one is resumed)", NULL },
        { "jobs", "N", "training processes at a time (default: the number of CPUs)", NULL },
        { "shard", "I/N", "run only the I-th of N disjoint slices of the runs (default 1/1)", NULL },
        { "quiet", NULL, "no progress display", NULL },
        { NULL, NULL, NULL, NULL }
    };
    const char *pos[1], *dir;
    dnc_sweep_spec s;
    slong jobs;
    int npos, r;

    r = dnc_cli_parse(opts, argc, argv, pos, 0, &npos, usage_head, usage_tail);
    if (r != 0)
        return r == 1 ? DNC_EXIT_OK : r;
    if ((dir = dnc_cli_get(opts, "out")) == NULL || *dir == '\0')
        return dnc_cli_usage_error("sweep", "--out DIR is required");
    if (dnc_cli_slong(&jobs, opts, "sweep", "jobs", 1, 1024, sysconf(_SC_NPROCESSORS_ONLN)))
        return DNC_EXIT_USAGE;
    if ((r = read_spec(&s, opts)) == 0 && (r = check_out(dir, &s)) == 0 && (r = open_out(dir, &s)) == 0)
        r = run_sweep(dir, &s, jobs, dnc_cli_get(opts, "quiet") != NULL);
    dnc_sweep_spec_clear(&s);
    return r;
}
