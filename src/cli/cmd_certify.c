/* dncert certify: certificates for every instance of theorem files, in parallel. */
#include <errno.h>
#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "dncert/cert.h"
#include "dncert/io.h"
#include "cli.h"
#include "commands.h"

static const char *usage_head =
    "Usage: dncert certify THEOREM_FILE... --out DIR [options]\n"
    "\n"
    "For every instance of every theorem file (docs/theorems.md) builds the closed-form\n"
    "points, decides each claim rigorously and writes one certificate per instance to\n"
    "DIR/<theorem id>/<instance id>.json (docs/certificate-format.md; each file written\n"
    "atomically). Prints a table of instance, claim, verdict and value. Re-check the files\n"
    "with `dncert verify`.\n";

static const char *usage_tail =
    "Exit status: 0 every claim the theorem files require was certified; 1 some required\n"
    "claim was not proven (or an instance failed); 2 bad command line or theorem file.\n";

typedef struct {
    slong file, index;         /* theorem file and instance number within it */
    int done, failed;
    double seconds;
    char inst_id[256];
    dnc_claim_result *res;
    slong nres;
    char error[512];
} job;

/* ---- worker side: one line per message on a pipe ---- */

static void send_line(FILE *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fflush(out);
}

/* Tabs and newlines would break the line protocol. */
static void clean(char *s)
{
    for (; *s; s++)
        if (*s == '\t' || *s == '\n')
            *s = ' ';
}

static int write_certificate(const char *dir, const dnc_instance *inst, json_t *cert, char *err, size_t len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, inst->thm->id);
    if (dnc_mkdir_p(path, err, len) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/%s/%s.json", dir, inst->thm->id, inst->id);
    return dnc_json_write_atomic(path, cert, err, len);
}

static void run_job(FILE *out, slong j, const job *jb, const dnc_theorem *thm, const char *dir, slong prec)
{
    dnc_instance inst;
    dnc_cert_result r;
    char err[1024] = "";
    slong i;
    dnc_cert_result_init(&r);
    if (dnc_instance_init(&inst, thm, jb->index, err, sizeof(err)) == 0
        && dnc_certify_instance(&r, &inst, prec, err, sizeof(err)) == 0
        && dnc_cert_self_check(r.cert, inst.id, err, sizeof(err)) == 0
        && write_certificate(dir, &inst, r.cert, err, sizeof(err)) == 0) {
        for (i = 0; i < r.nres; i++) {
            clean(r.res[i].summary);
            send_line(out, "C\t%ld\t%s\t%s\t%d\t%d\t%s\n", (long) j, r.res[i].id, r.res[i].kind,
                      r.res[i].certified, r.res[i].must_hold, r.res[i].summary);
        }
        send_line(out, "D\t%ld\t%s\t%.6f\n", (long) j, inst.id, r.seconds);
    } else {
        clean(err);
        send_line(out, "E\t%ld\t%s\t%s\n", (long) j, inst.id[0] ? inst.id : "?", err);
    }
    dnc_instance_clear(&inst);
    dnc_cert_result_clear(&r);
}

/* ---- parent side ---- */

static void add_claim_line(job *jb, char **f)
{
    dnc_claim_result *c = realloc(jb->res, (jb->nres + 1) * sizeof(dnc_claim_result));
    if (c == NULL) {   /* the instance is reported as failed, with its claims so far */
        jb->failed = 1;
        return;
    }
    jb->res = c;
    c = jb->res + jb->nres++;
    snprintf(c->id, sizeof(c->id), "%s", f[2]);
    snprintf(c->kind, sizeof(c->kind), "%s", f[3]);
    c->certified = atoi(f[4]);
    c->must_hold = atoi(f[5]);
    snprintf(c->summary, sizeof(c->summary), "%s", f[6]);
}

/* Handles one line from a worker; returns 1 when a job finished. */
static int handle_line(job *jobs, char *line)
{
    char *f[8] = { NULL };
    int n = 0;
    char *save, *tok = strtok_r(line, "\t\n", &save);
    while (tok != NULL && n < 8) {
        f[n++] = tok;
        tok = strtok_r(NULL, "\t\n", &save);
    }
    if (n < 3)
        return 0;
    {
        job *jb = jobs + atol(f[1]);
        if (f[0][0] == 'C' && n >= 6) {
            if (n == 6)
                f[6] = "";
            add_claim_line(jb, f);
            return 0;
        }
        snprintf(jb->inst_id, sizeof(jb->inst_id), "%s", f[2]);
        jb->done = 1;
        if (f[0][0] == 'D' && jb->failed)
            snprintf(jb->error, sizeof(jb->error), "out of memory for the claim table");
        else if (f[0][0] == 'D')
            jb->seconds = n > 3 ? atof(f[3]) : 0.0;
        else {
            jb->failed = 1;
            snprintf(jb->error, sizeof(jb->error), "%s", n > 3 ? f[3] : "failed");
        }
        return 1;
    }
}

/* One progress line per second at most (and for the last instance and every failure), so
 * that a fast suite does not flood the terminal and a slow one still shows life. */
static void progress(const job *jb, const dnc_theorem *thms, slong done, slong total, int quiet)
{
    static double last = 0.0;
    double now = dnc_seconds_now();
    if (quiet || (now - last < 1.0 && done < total && !jb->failed))
        return;
    last = now;
    fprintf(stderr, "[%ld/%ld] %s/%s %s (%.2f s)\n", (long) done, (long) total, thms[jb->file].id,
            jb->inst_id, jb->failed ? "FAILED" : "done", jb->seconds);
}

/* Line-buffered reading of one worker's pipe with read(2): stdio buffering would hide
 * complete lines from poll(2). */
typedef struct {
    int fd;
    char buf[65536];
    size_t used;
} pipe_reader;

/* Reads what is available and handles every complete line; returns 0 at end of file. */
static int drain(pipe_reader *pr, job *jobs, const dnc_theorem *thms, slong *done, slong njobs, int quiet)
{
    ssize_t n = read(pr->fd, pr->buf + pr->used, sizeof(pr->buf) - 1 - pr->used);
    char *line, *nl;
    if (n <= 0)
        return n < 0 && errno == EINTR;
    pr->used += (size_t) n;
    pr->buf[pr->used] = '\0';
    line = pr->buf;
    while ((nl = strchr(line, '\n')) != NULL) {
        slong j = atol(strchr(line, '\t') ? strchr(line, '\t') + 1 : "0");
        *nl = '\0';
        if (handle_line(jobs, line))
            progress(jobs + j, thms, ++*done, njobs, quiet);
        line = nl + 1;
    }
    pr->used = strlen(line);
    memmove(pr->buf, line, pr->used);
    return 1;
}

/* Runs every job in `workers` forked processes, job j on worker j mod workers. Returns 0,
 * or -1 when its tables cannot be allocated (nothing was run). */
static int run_all(job *jobs, slong njobs, const dnc_theorem *thms, const char *dir, slong prec,
                   int workers, int quiet)
{
    struct pollfd *fds = calloc(workers, sizeof(struct pollfd));
    pipe_reader *rd = calloc(workers, sizeof(pipe_reader));
    pid_t *pids = calloc(workers, sizeof(pid_t));
    slong done = 0, j;
    int w, open_pipes = 0;
    if (fds == NULL || rd == NULL || pids == NULL)
        workers = 0;
    for (w = 0; w < workers; w++) {
        int fd[2];
        if (pipe(fd) != 0)
            break;
        fflush(NULL);
        pids[w] = fork();
        if (pids[w] == 0) {
            FILE *out = fdopen(fd[1], "w");
            close(fd[0]);
            for (j = w; j < njobs; j += workers)
                run_job(out, j, jobs + j, thms + jobs[j].file, dir, prec);
            fclose(out);
            flint_cleanup();   /* FLINT's caches; the rest is the parent's and ends with _exit */
            _exit(0);
        }
        close(fd[1]);
        rd[w].fd = fds[w].fd = fd[0];
        fds[w].events = POLLIN;
        open_pipes++;
    }
    while (open_pipes > 0) {
        if (poll(fds, workers, -1) < 0 && errno != EINTR)
            break;
        for (w = 0; w < workers; w++)
            if (fds[w].fd >= 0 && (fds[w].revents & (POLLIN | POLLHUP))
                && !drain(rd + w, jobs, thms, &done, njobs, quiet)) {
                close(fds[w].fd);
                fds[w].fd = -1;
                open_pipes--;
            }
    }
    for (w = 0; w < workers; w++)
        if (pids[w] > 0)
            waitpid(pids[w], NULL, 0);
    free(fds);
    free(rd);
    free(pids);
    return workers > 0 ? 0 : -1;
}

typedef struct {
    slong instances, claims, certified, required_failed, failed, na;
    double seconds;
} tally;

static void print_claim_row(const dnc_theorem *thm, const job *jb, const dnc_claim_result *c)
{
    printf("%-14s %-28s %-34s %-11s %-5s %7.3f  %s%s\n", thm->id, jb->inst_id, c->id,
           c->certified > 0 ? "certified" : c->certified < 0 ? "n/a" : "not proven", c->must_hold ? "yes" : "no",
           jb->seconds, c->summary, c->must_hold && c->certified <= 0 ? "   <-- REQUIRED" : "");
}

/* Per-theorem totals: instances, claims, certified, required claims not certified, time. */
static void print_summary(const tally *t, const dnc_theorem *thms, int n)
{
    tally all = { 0, 0, 0, 0, 0, 0, 0.0 };
    int i;
    printf("\n%-18s %9s %7s %10s %11s %9s %10s %12s\n", "theorem", "instances", "claims", "certified",
           "not proven", "required", "failed", "time (s)");
    for (i = 0; i < n; i++) {
        printf("%-18s %9ld %7ld %10ld %11ld %9s %10ld %12.2f\n", thms[i].id, (long) t[i].instances,
               (long) t[i].claims, (long) t[i].certified, (long) (t[i].claims - t[i].certified),
               t[i].required_failed ? "MISSED" : "all", (long) (t[i].required_failed + t[i].failed), t[i].seconds);
        all.instances += t[i].instances;
        all.claims += t[i].claims;
        all.certified += t[i].certified;
        all.required_failed += t[i].required_failed;
        all.failed += t[i].failed;
        all.na += t[i].na;
        all.seconds += t[i].seconds;
    }
    printf("%-18s %9ld %7ld %10ld %11ld %9s %10ld %12.2f\n", "total", (long) all.instances, (long) all.claims,
           (long) all.certified, (long) (all.claims - all.certified), all.required_failed ? "MISSED" : "all",
           (long) (all.required_failed + all.failed), all.seconds);
    printf("\n%ld instances, %ld claims: %ld certified, %ld not proven; %ld required claims not certified%s\n",
           (long) all.instances, (long) all.claims, (long) all.certified, (long) (all.claims - all.certified),
           (long) all.required_failed, all.failed ? " (and some instances FAILED)" : "");
    if (all.na > 0)
        printf("(%ld further claims asked for by the theorem files are not applicable -- e.g. the root of a "
               "dead DNC family, which has none -- and are not in the certificates)\n", (long) all.na);
}

/* Prints the claim table (unless summary_only) and the per-theorem summary; returns the
 * number of required claims not certified plus failed instances (-1: out of memory). */
static slong print_table(const job *jobs, slong njobs, const dnc_theorem *thms, int nthm, int summary_only)
{
    tally *t = calloc(nthm, sizeof(tally));
    slong j, i, bad = 0;
    if (t == NULL)
        return -1;
    if (!summary_only)
        printf("%-14s %-28s %-34s %-11s %-5s %7s  %s\n", "theorem", "instance", "claim", "verdict", "must",
               "time(s)", "value");
    for (j = 0; j < njobs; j++) {
        const job *jb = jobs + j;
        tally *tt = t + jb->file;
        tt->instances++;
        tt->seconds += jb->seconds;
        if (jb->failed || !jb->done) {
            printf("%-14s %-28s %-34s %-11s %-5s %7s  %s\n", thms[jb->file].id, jb->inst_id, "-", "FAILED", "yes",
                   "-", jb->done ? jb->error : "worker died");
            tt->failed++;
            continue;
        }
        for (i = 0; i < jb->nres; i++) {
            const dnc_claim_result *c = jb->res + i;
            tt->claims += c->certified >= 0;
            tt->na += c->certified < 0;
            tt->certified += c->certified > 0;
            tt->required_failed += c->must_hold && c->certified <= 0;
            if (!summary_only || (c->must_hold && c->certified <= 0))
                print_claim_row(thms + jb->file, jb, c);
        }
    }
    print_summary(t, thms, nthm);
    for (i = 0; i < nthm; i++)
        bad += t[i].required_failed + t[i].failed;
    free(t);
    return bad;
}

typedef struct {
    char path[512];   /* <theorem id>/<instance id>: where its certificate goes */
    int file;
    slong index;
} out_name;

static int cmp_out_name(const void *a, const void *b)
{
    return strcmp(((const out_name *) a)->path, ((const out_name *) b)->path);
}

/* Every instance must have its own certificate file: instance ids are cut at 255
 * characters, and two theorem files (or two parts, or two grid values that print the
 * same, such as 0.004 and 1/250) could otherwise name the same file, and one certificate
 * would replace another. Returns 0, or a usage error naming both instances. */
static int check_out_names(const job *jobs, slong njobs, const dnc_theorem *thms)
{
    out_name *o = malloc((njobs + 1) * sizeof(out_name));
    char err[1024];
    slong j;
    int r = 0;
    if (o == NULL)
        return dnc_cli_usage_error("certify", "out of memory for %ld instance names", (long) njobs);
    for (j = 0; j < njobs && r == 0; j++) {
        dnc_instance inst;
        if (dnc_instance_init(&inst, thms + jobs[j].file, jobs[j].index, err, sizeof(err)) != 0)
            r = dnc_cli_usage_error("certify", "%s", err);
        else if (strlen(inst.id) + 1 >= sizeof(inst.id))
            r = dnc_cli_usage_error("certify", "%s: instance %ld: its id '%.60s...' is longer than %zu characters "
                                    "(shorten the grid values or the part name)", thms[jobs[j].file].path,
                                    (long) jobs[j].index, inst.id, sizeof(inst.id) - 2);
        snprintf(o[j].path, sizeof(o[j].path), "%s/%s", thms[jobs[j].file].id, inst.id);
        o[j].file = jobs[j].file;
        o[j].index = jobs[j].index;
        dnc_instance_clear(&inst);
    }
    if (r == 0)
        qsort(o, njobs, sizeof(out_name), cmp_out_name);
    for (j = 1; r == 0 && j < njobs; j++)
        if (strcmp(o[j - 1].path, o[j].path) == 0)
            r = dnc_cli_usage_error("certify", "%s (instance %ld) and %s (instance %ld) would both write %s.json: "
                                    "give the theorem files, parts or grid values distinct names",
                                    thms[o[j - 1].file].path, (long) o[j - 1].index, thms[o[j].file].path,
                                    (long) o[j].index, o[j].path);
    free(o);
    return r;
}

static int load_theorems(dnc_theorem *thms, int n, const char **paths)
{
    char err[1024];
    int i;
    for (i = 0; i < n; i++)
        if (dnc_theorem_load(thms + i, paths[i], err, sizeof(err)) != 0) {
            while (i-- > 0)
                dnc_theorem_clear(thms + i);
            return dnc_cli_usage_error("certify", "%s", err);
        }
    return 0;
}

int dnc_cmd_certify(int argc, char **argv)
{
    dnc_cli_opt opts[] = {
        { "out", "DIR", "directory for the certificates (created if needed)", NULL },
        { "prec", "BITS", "working precision in bits, 64..4096 (default 256)", NULL },
        { "jobs", "N", "worker processes (default: the number of CPUs)", NULL },
        { "summary", NULL, "print only the per-theorem summary (and required claims that failed)", NULL },
        { "quiet", NULL, "no progress lines", NULL },
        { NULL, NULL, NULL, NULL }
    };
    const char *pos[256];
    const char *dir;
    int npos, r, i;
    slong prec, workers, njobs = 0, j, k, bad;
    dnc_theorem *thms;
    job *jobs = NULL;
    char err[512];

    r = dnc_cli_parse(opts, argc, argv, pos, 256, &npos, usage_head, usage_tail);
    if (r != 0)
        return r == 1 ? DNC_EXIT_OK : r;
    if (npos == 0)
        return dnc_cli_usage_error("certify", "expected at least one THEOREM_FILE");
    if ((dir = dnc_cli_get(opts, "out")) == NULL || *dir == '\0')
        return dnc_cli_usage_error("certify", "--out DIR is required");
    if (dnc_cli_slong(&prec, opts, "certify", "prec", DNC_PREC_MIN, DNC_PREC_MAX, DNC_PREC_DEFAULT)
        || dnc_cli_slong(&workers, opts, "certify", "jobs", 1, 256, sysconf(_SC_NPROCESSORS_ONLN)))
        return DNC_EXIT_USAGE;
    if ((thms = calloc(npos, sizeof(dnc_theorem))) == NULL) {
        fprintf(stderr, "dncert certify: out of memory\n");
        return DNC_EXIT_FAIL;
    }
    if ((r = load_theorems(thms, npos, pos)) != 0) {
        free(thms);
        return r;
    }
    for (i = 0; i < npos; i++)   /* each file has at most DNC_THEOREM_MAX_INSTANCES: no overflow */
        njobs += dnc_theorem_count(thms + i);
    if (njobs > DNC_THEOREM_MAX_INSTANCES)
        r = dnc_cli_usage_error("certify", "the theorem files have %ld instances together, more than the %d "
                                "one run may certify (docs/theorems.md); certify them in several runs",
                                (long) njobs, DNC_THEOREM_MAX_INSTANCES);
    else if ((jobs = calloc(njobs, sizeof(job))) == NULL) {
        fprintf(stderr, "dncert certify: out of memory for %ld instances\n", (long) njobs);
        r = DNC_EXIT_FAIL;
    }
    if (r != 0) {
        for (i = 0; i < npos; i++)
            dnc_theorem_clear(thms + i);
        free(thms);
        return r;
    }
    for (i = 0, j = 0; i < npos; i++)
        for (k = 0; k < dnc_theorem_count(thms + i); k++, j++) {
            jobs[j].file = i;
            jobs[j].index = k;
        }
    if ((r = check_out_names(jobs, njobs, thms)) != 0)
        ;   /* nothing written */
    else if (dnc_mkdir_p(dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "dncert certify: --out: %s\n", err);
        r = DNC_EXIT_FAIL;
    } else {
        if (!dnc_cli_get(opts, "quiet"))
            fprintf(stderr, "dncert certify: %ld instances from %d theorem file%s, %ld worker%s, %ld bits\n",
                    (long) njobs, npos, npos > 1 ? "s" : "", (long) workers, workers > 1 ? "s" : "", (long) prec);
        if (run_all(jobs, njobs, thms, dir, prec, (int) (workers < njobs ? workers : njobs),
                    dnc_cli_get(opts, "quiet") != NULL) != 0
            || (bad = print_table(jobs, njobs, thms, npos, dnc_cli_get(opts, "summary") != NULL)) < 0) {
            fprintf(stderr, "dncert certify: out of memory\n");
            bad = 1;
        }
        r = bad > 0 ? DNC_EXIT_FAIL : DNC_EXIT_OK;
    }
    for (j = 0; j < njobs; j++)
        free(jobs[j].res);
    free(jobs);
    for (i = 0; i < npos; i++)
        dnc_theorem_clear(thms + i);
    free(thms);
    return r;
}
