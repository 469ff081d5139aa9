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
    dnc_claim_result *c;
    jb->res = flint_realloc(jb->res, (jb->nres + 1) * sizeof(dnc_claim_result));
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
        if (f[0][0] == 'D')
            jb->seconds = n > 3 ? atof(f[3]) : 0.0;
        else {
            jb->failed = 1;
            snprintf(jb->error, sizeof(jb->error), "%s", n > 3 ? f[3] : "failed");
        }
        return 1;
    }
}

static void progress(const job *jb, const dnc_theorem *thms, slong done, slong total, int quiet)
{
    if (quiet)
        return;
    fprintf(stderr, "[%ld/%ld] %s/%s %s (%.2f s)\n", (long) done, (long) total, thms[jb->file].id,
            jb->inst_id, jb->failed ? "FAILED" : "done", jb->seconds);
}

/* Runs every job in `workers` forked processes, job j on worker j mod workers. */
static void run_all(job *jobs, slong njobs, const dnc_theorem *thms, const char *dir, slong prec,
                    int workers, int quiet)
{
    struct pollfd *fds = calloc(workers, sizeof(struct pollfd));
    FILE **in = calloc(workers, sizeof(FILE *));
    pid_t *pids = calloc(workers, sizeof(pid_t));
    slong done = 0, j;
    int w, open_pipes = 0;
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
            _exit(0);
        }
        close(fd[1]);
        in[w] = fdopen(fd[0], "r");
        fds[w].fd = fd[0];
        fds[w].events = POLLIN;
        open_pipes++;
    }
    while (open_pipes > 0) {
        if (poll(fds, workers, -1) < 0 && errno != EINTR)
            break;
        for (w = 0; w < workers; w++) {
            char line[8192];
            if (fds[w].fd < 0 || !(fds[w].revents & (POLLIN | POLLHUP)))
                continue;
            if (fgets(line, sizeof(line), in[w]) == NULL) {
                fclose(in[w]);
                fds[w].fd = -1;
                open_pipes--;
                continue;
            }
            if (line[0] == 'D' || line[0] == 'E') {
                char copy[8192];
                snprintf(copy, sizeof(copy), "%s", line);
                if (handle_line(jobs, copy))
                    progress(jobs + atol(strchr(line, '\t') + 1), thms, ++done, njobs, quiet);
            } else
                handle_line(jobs, line);
        }
    }
    for (w = 0; w < workers; w++)
        if (pids[w] > 0)
            waitpid(pids[w], NULL, 0);
    free(fds);
    free(in);
    free(pids);
}

/* Prints the table; returns the number of required claims not certified plus failures. */
static slong print_table(const job *jobs, slong njobs, const dnc_theorem *thms)
{
    slong j, i, bad = 0, nclaims = 0, ncert = 0;
    printf("%-14s %-28s %-34s %-11s %-5s %s\n", "theorem", "instance", "claim", "verdict", "must", "value");
    for (j = 0; j < njobs; j++) {
        const job *jb = jobs + j;
        if (jb->failed || !jb->done) {
            printf("%-14s %-28s %-34s %-11s %-5s %s\n", thms[jb->file].id, jb->inst_id, "-", "FAILED", "yes",
                   jb->done ? jb->error : "worker died");
            bad++;
            continue;
        }
        for (i = 0; i < jb->nres; i++) {
            const dnc_claim_result *c = jb->res + i;
            nclaims++;
            ncert += c->certified;
            bad += c->must_hold && !c->certified;
            printf("%-14s %-28s %-34s %-11s %-5s %s%s\n", thms[jb->file].id, jb->inst_id, c->id,
                   c->certified ? "certified" : "not proven", c->must_hold ? "yes" : "no", c->summary,
                   c->must_hold && !c->certified ? "   <-- REQUIRED" : "");
        }
    }
    printf("\n%ld instances, %ld claims: %ld certified, %ld not proven; %ld required claims not certified\n",
           (long) njobs, (long) nclaims, (long) ncert, (long) (nclaims - ncert), (long) bad);
    return bad;
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
        { "prec", "BITS", "working precision in bits, >= 64 (default 256)", NULL },
        { "jobs", "N", "worker processes (default: the number of CPUs)", NULL },
        { "quiet", NULL, "no progress lines", NULL },
        { NULL, NULL, NULL, NULL }
    };
    const char *pos[256];
    const char *dir;
    int npos, r, i;
    slong prec, workers, njobs = 0, j, k, bad;
    dnc_theorem *thms;
    job *jobs;
    char err[512];

    r = dnc_cli_parse(opts, argc, argv, pos, 256, &npos, usage_head, usage_tail);
    if (r != 0)
        return r == 1 ? DNC_EXIT_OK : r;
    if (npos == 0)
        return dnc_cli_usage_error("certify", "expected at least one THEOREM_FILE");
    if ((dir = dnc_cli_get(opts, "out")) == NULL || *dir == '\0')
        return dnc_cli_usage_error("certify", "--out DIR is required");
    if (dnc_cli_slong(&prec, opts, "certify", "prec", DNC_PREC_MIN, 1 << 16, DNC_PREC_DEFAULT)
        || dnc_cli_slong(&workers, opts, "certify", "jobs", 1, 256, sysconf(_SC_NPROCESSORS_ONLN)))
        return DNC_EXIT_USAGE;
    thms = calloc(npos, sizeof(dnc_theorem));
    if ((r = load_theorems(thms, npos, pos)) != 0) {
        free(thms);
        return r;
    }
    for (i = 0; i < npos; i++)
        njobs += dnc_theorem_count(thms + i);
    jobs = calloc(njobs, sizeof(job));
    for (i = 0, j = 0; i < npos; i++)
        for (k = 0; k < dnc_theorem_count(thms + i); k++, j++) {
            jobs[j].file = i;
            jobs[j].index = k;
        }
    if (dnc_mkdir_p(dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "dncert certify: --out: %s\n", err);
        r = DNC_EXIT_FAIL;
    } else {
        if (!dnc_cli_get(opts, "quiet"))
            fprintf(stderr, "dncert certify: %ld instances from %d theorem file%s, %ld worker%s, %ld bits\n",
                    (long) njobs, npos, npos > 1 ? "s" : "", (long) workers, workers > 1 ? "s" : "", (long) prec);
        run_all(jobs, njobs, thms, dir, prec, (int) (workers < njobs ? workers : njobs), dnc_cli_get(opts, "quiet") != NULL);
        bad = print_table(jobs, njobs, thms);
        r = bad > 0 ? DNC_EXIT_FAIL : DNC_EXIT_OK;
    }
    for (j = 0; j < njobs; j++)
        flint_free(jobs[j].res);
    free(jobs);
    for (i = 0; i < npos; i++)
        dnc_theorem_clear(thms + i);
    free(thms);
    return r;
}
