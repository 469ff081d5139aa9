/* Running the trainings of a sweep: one process per run (fork), at most `jobs` at a time,
 * each training through the library (dnc_train_run) as `dncert train` does, with a progress
 * display on stderr. A process per run keeps the runs apart (a crash or an exhausted memory
 * fails one run) and lets the sweep stop them all by a signal. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "dncert/io.h"
#include "dncert/sweep.h"
#include "dncert/train.h"

typedef struct {
    dnc_progress_t mode;
    slong total, done, failed;
    double start, last;
} progress;

static void hms(char *buf, size_t len, double s)
{
    long t = (long) (s + 0.5);
    if (t >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

/* A terminal gets one line redrawn in place (at most 10 times a second); a log file gets a
 * plain line at most every 10 seconds, and for the last run and every failure, so that
 * long sweeps show life without flooding Slurm's output files. */
static int progress_due(progress *p, double t, const char *failed_id)
{
    if (p->mode == DNC_PROGRESS_NONE)
        return 0;
    return p->done == p->total || failed_id != NULL || t - p->last >= (p->mode == DNC_PROGRESS_TTY ? 0.1 : 10.0);
}

static void progress_show(progress *p, const char *failed_id)
{
    double t = dnc_seconds_now(), elapsed = t - p->start;
    char el[32], eta[32], bar[41];
    int i;
    if (!progress_due(p, t, failed_id))
        return;
    p->last = t;
    hms(el, sizeof(el), elapsed);
    if (p->done > 0)
        hms(eta, sizeof(eta), elapsed / p->done * (p->total - p->done));
    else
        strcpy(eta, "?");
    if (p->mode == DNC_PROGRESS_LINES) {
        fprintf(stderr, "dncert sweep: %ld/%ld runs done, %ld failed, %s elapsed, ETA %s%s%s\n", (long) p->done,
                (long) p->total, (long) p->failed, el, eta, failed_id ? "; failed: " : "", failed_id ? failed_id : "");
        return;
    }
    for (i = 0; i < 40; i++)
        bar[i] = i < 40 * p->done / (p->total > 0 ? p->total : 1) ? '#' : '.';
    bar[40] = '\0';
    if (failed_id != NULL)
        fprintf(stderr, "\r\033[Kfailed: %s\n", failed_id);
    fprintf(stderr, "\r\033[K[%s] %ld/%ld  %ld failed  %s  ETA %s%s", bar, (long) p->done, (long) p->total,
            (long) p->failed, el, eta, p->done == p->total ? "\n" : "");
    fflush(stderr);
}

static const char *spec_text(const char *name, void *spec)
{
    const dnc_sweep_spec *s = spec;
    int i;
    for (i = 0; i < DNC_SWEEP_NTRAIN; i++)
        if (strcmp(name, dnc_sweep_train_names[i]) == 0)
            return s->train[i];
    return NULL;
}

int dnc_sweep_train(const dnc_sweep_spec *s, const dnc_sweep_run *r, const char *out, char *err, size_t errlen)
{
    dnc_train_opts o;
    dnc_train_run_opts ro;
    dnc_classification cls;
    dnc_problem_t p;
    dnc_trainer_t t;
    json_t *summary = NULL;
    int status = -1;
    char istd[32];
    dnc_train_run_opts_default(&ro);
    dnc_problem_init(p);
    if (dnc_sweep_run_problem(p, s, r, err, errlen) != 0
        || dnc_train_opts_from_text(&o, &ro.log_every, spec_text, (void *) s, err, errlen) != 0) {
        dnc_problem_clear(p);
        return -1;
    }
    o.seed = (ulong) r->seed;
    if (dnc_trainer_init(t, p, &o) != 0) {
        dnc_problem_clear(p);
        return dnc_fail(err, errlen, "not enough memory for this problem");
    }
    ro.out = out;
    ro.replace = dnc_path_exists(out);   /* the rest of an interrupted run */
    if (t->stop == DNC_STOP_DIVERGED)    /* as train: nothing is written for such a start */
        dnc_fail(err, errlen, "--init-std: the loss or gradient of the initial point is not finite in double precision "
                 "with --init-std %s (loss %g, gradient norm %g)", dnc_init_name(istd, sizeof(istd), o.init_std), t->loss,
                 t->grad_norm);
    else
        status = dnc_train_run(t, &ro, &summary, &cls, err, errlen);
    json_decref(summary);
    dnc_trainer_clear(t);
    dnc_problem_clear(p);
    return status;
}

/* The child's side of a run: its messages to dir/logs/<id>.log, then the training. */
static void start_run(const dnc_sweep_spec *s, const dnc_sweep_run *r, const char *dir)
{
    char out[4200], log[4200], err[4600];
    int fd, status;
    snprintf(out, sizeof(out), "%s/runs/%s", dir, r->id);
    snprintf(log, sizeof(log), "%s/logs/%s.log", dir, r->id);
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    status = dnc_sweep_train(s, r, out, err, sizeof(err));
    if (status != 0)
        fprintf(stderr, "dncert sweep: run %s: %s\n", r->id, err);
    fflush(NULL);
    _exit(status != 0);   /* not exit(): the parent's atexit handlers and buffers are not the child's */
}

/* Removes what interrupted `train` processes leave: DIR/runs/<id>.tmp.XXXXXX. The caller
 * holds the sweep's lock, so no other process is writing there. */
static void remove_leftovers(const char *dir)
{
    char path[4200];
    DIR *d;
    struct dirent *e;
    snprintf(path, sizeof(path), "%s/runs", dir);
    if ((d = opendir(path)) == NULL)
        return;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp.") != NULL) {
            snprintf(path, sizeof(path), "%s/runs/%s", dir, e->d_name);
            dnc_remove_tree(path);
        }
    closedir(d);
}

/* Accounts for a finished run: complete (its log is removed) or failed (kept; a run
 * killed by a signal says so at the end of its log, which is otherwise often empty). */
static void finish_run(progress *p, const dnc_sweep_run *r, const char *dir, int status)
{
    char run[4200], log[4200], msg[4400];
    FILE *f;
    int ok;
    snprintf(run, sizeof(run), "%s/runs/%s", dir, r->id);
    snprintf(log, sizeof(log), "%s/logs/%s.log", dir, r->id);
    if (WIFSIGNALED(status) && (f = fopen(log, "a")) != NULL) {
        fprintf(f, "dncert sweep: the training process was killed by signal %d (%s)\n",
                WTERMSIG(status), strsignal(WTERMSIG(status)));
        fclose(f);
    }
    ok = dnc_sweep_run_done(run);
    if (ok)
        unlink(log);
    p->done++;
    p->failed += !ok;
    snprintf(msg, sizeof(msg), "%s (see %s)", r->id, log);
    progress_show(p, ok ? NULL : msg);
}

/* Reaps every finished child; returns how many of ours finished. */
static int reap(pid_t *pids, const dnc_sweep_run **slots, int jobs, progress *p, const char *dir)
{
    int status, w, count = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        for (w = 0; w < jobs; w++)
            if (pids[w] == pid) {
                pids[w] = 0;
                finish_run(p, slots[w], dir, status);
                count++;
            }
    return count;
}

/* On SIGINT, SIGTERM or SIGHUP the sweep stops its trainings (SIGTERM) and waits for
 * them, so that none keeps running unattended and a restart finds no process still
 * writing into the sweep; their unfinished directories are removed on the next start. */
static void stop_children(pid_t *pids, int jobs)
{
    int w, status;
    for (w = 0; w < jobs; w++)
        if (pids[w] > 0)
            kill(pids[w], SIGTERM);
    for (w = 0; w < jobs; w++)
        if (pids[w] > 0)
            waitpid(pids[w], &status, 0);
}

slong dnc_sweep_execute(const dnc_sweep_spec *s, const dnc_sweep_run *runs, slong n, const char *dir,
                        int jobs, dnc_progress_t mode)
{
    pid_t *pids = flint_calloc(jobs, sizeof(pid_t));
    const dnc_sweep_run **slots = flint_calloc(jobs, sizeof(*slots));
    progress p = { mode, n, 0, 0, dnc_seconds_now(), 0.0 };
    sigset_t chld, old;
    struct timespec tick = { 1, 0 };
    slong next = 0;
    int running = 0, w, stop = 0;
    remove_leftovers(dir);
    /* SIGCHLD stays blocked so that sigtimedwait wakes on the first child to finish, or
     * after a second to redraw the progress line; the stop signals are taken the same way.
     * Children get the old mask back. */
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigaddset(&chld, SIGINT);
    sigaddset(&chld, SIGTERM);
    sigaddset(&chld, SIGHUP);
    sigprocmask(SIG_BLOCK, &chld, &old);
    while (next < n || running > 0) {
        for (w = 0; w < jobs && next < n; w++)
            if (pids[w] == 0) {
                fflush(NULL);
                pids[w] = fork();
                if (pids[w] == 0) {
                    sigprocmask(SIG_SETMASK, &old, NULL);
                    start_run(s, runs + next, dir);
                }
                slots[w] = runs + next++;
                running += pids[w] > 0;
                if (pids[w] < 0) {
                    pids[w] = 0;
                    finish_run(&p, slots[w], dir, 0);
                }
            }
        running -= reap(pids, slots, jobs, &p, dir);
        if (running > 0) {
            int sig = sigtimedwait(&chld, NULL, &tick);
            if (sig < 0 && errno == EAGAIN)
                progress_show(&p, NULL);
            if (sig > 0 && sig != SIGCHLD) {   /* one of the stop signals */
                stop = sig;
                break;
            }
        }
    }
    if (stop) {
        stop_children(pids, jobs);
        if (mode != DNC_PROGRESS_NONE)
            fprintf(stderr, "\ndncert sweep: stopped by %s after %ld of %ld runs; run the same command "
                    "again to resume\n", strsignal(stop), (long) p.done, (long) n);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    flint_free(pids);
    flint_free(slots);
    if (stop) {
        signal(stop, SIG_DFL);   /* exit as killed by it, as the shell and Slurm expect */
        raise(stop);
    }
    return p.failed;
}
