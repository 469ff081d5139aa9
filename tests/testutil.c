#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "dncert/io.h"
#include "dncert/rundir.h"
#include "dncert/train.h"
#include "dncert/verify.h"
#include "testutil.h"

static void slurp(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    ssize_t r;
    char sink[4096];
    while ((r = read(fd, n + 1 < cap ? buf + n : sink, n + 1 < cap ? cap - 1 - n : sizeof(sink))) > 0)
        if (n + 1 < cap)
            n += (size_t) r;
    buf[n] = '\0';
}

int tu_run(char *out, char *err, size_t cap, const char *const *args)
{
    return tu_run_bin(DNCERT_BIN, out, err, cap, args);
}

int tu_run_bin(const char *bin, char *out, char *err, size_t cap, const char *const *args)
{
    char outf[] = "/tmp/dncert-test-out-XXXXXX", errf[] = "/tmp/dncert-test-err-XXXXXX";
    const char *argv[64];
    int fo = mkstemp(outf), fe = mkstemp(errf), status, i;
    pid_t pid;
    argv[0] = bin;
    for (i = 0; args[i] != NULL && i < 62; i++)
        argv[i + 1] = args[i];
    argv[i + 1] = NULL;
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        dup2(fo, 1);
        dup2(fe, 2);
        execv(bin, (char *const *) argv);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    lseek(fo, 0, SEEK_SET);
    lseek(fe, 0, SEEK_SET);
    slurp(fo, out, cap);
    slurp(fe, err, cap);
    close(fo);
    close(fe);
    unlink(outf);
    unlink(errf);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

double *tu_fixed_point(const dnc_problem_t p, unsigned long seed, double scale)
{
    slong i, n = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    double *theta = malloc((n + 1) * sizeof(double));
    for (i = 0; i < n; i++) {
        seed = seed * 6364136223846793005UL + 1442695040888963407UL;
        theta[i] = ((double) (seed >> 11) / 9007199254740992.0 - 0.5) * scale;
    }
    return theta;
}

const char *const tu_fast_kinds[TU_FAST_KINDS][8] = {
    { "2", "3", "1", "3", "relu", "none", "1/250", "1/250" },
    { "3", "2,1,4", "2", "4,3", "relu", "free", "1/100", "1/50,1/7" },
    { "4", "2", "3", "5,3,4", "relu,linear", "free", "0.004", "0.004" },
    { "4", "1,3,2,2", "4", "3,5,2,4", "linear,relu,relu", "none", "1/3", "1/5,2,1/9,1" },
    { "5", "1", "3", "6", "linear,linear", "free", "1/1000", "1/1000" },
    { "7", "4,1,6,2,3,5,2", "4", "16,9,12,8", "relu,relu,relu", "free", "5e-4", "1e-3,2e-3,3e-3,1/3" },
    { "3", "30,20,20", "3", "30,25,14", "relu,linear", "free", "1/100", "1/100" },
};

void tu_fast_kind_problem(dnc_problem_t p, size_t c)
{
    const char *const *k = tu_fast_kinds[c];
    tu_problem_lambdas(p, k[0], k[1], k[2], k[3], k[4], k[5], NULL, k[6], k[7]);
}

double *tu_random_point(const dnc_problem_t p, unsigned long *st, unsigned long seed, int zeros)
{
    slong n = dnc_param_offset(p, p->N, DNC_NKINDS, 0), d1 = p->width[0], i, j, k;
    double *theta = malloc((n + 1) * sizeof(double));
    for (i = 0; i < n; i++) {
        *st = *st * 6364136223846793005UL + 1442695040888963407UL;
        theta[i] = (zeros && seed % 3 == 2 && (*st >> 61) < 3) ? 0.0
                 : ((double) (*st >> 11) * 0x1p-53 - 0.5) * (1.0 + (double) seed);
    }
    if (seed % 2 == 1)   /* collapsed: each class's columns equal to its first */
        for (k = 0, j = 0; k < p->K; j += p->n[k], k++)
            for (i = 1; i < p->n[k]; i++)
                memcpy(theta + d1 * (j + i), theta + d1 * j, d1 * sizeof(double));
    return theta;
}

static void count_probes(const dncv_claim *c, void *ctx)
{
    int *n = ctx;
    if (strncmp(c->id, "probe", 5) == 0)
        *n += c->verdict;
}

int tu_probes_certified(const json_t *cert)
{
    int n = 0;
    char msg[512];
    cr_assert_geq(dncv_verify_json_claims(cert, 0, count_probes, &n, NULL, msg, sizeof(msg)), 0, "%s", msg);
    return n;
}

void tu_tmpdir(char *buf, size_t len)
{
    snprintf(buf, len, "/tmp/dncert-test-XXXXXX");
    cr_assert(mkdtemp(buf) != NULL);
}

void tu_write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    cr_assert(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

int tu_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    cr_assert(d != NULL, "cannot open %s", dir);
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

void tu_problem_lambdas(dnc_problem_t p, const char *K, const char *n, const char *L, const char *width,
                        const char *act, const char *bias, const char *lambda, const char *lambda_h,
                        const char *lambda_w)
{
    dnc_problem_args a = { 0 };
    char err[512];
    a.K = K; a.n = n; a.L = L; a.width = width; a.activation = act; a.bias = bias; a.lambda = lambda;
    a.lambda_h = lambda_h; a.lambda_w = lambda_w;
    dnc_problem_init(p);
    cr_assert_eq(dnc_problem_set_args(p, &a, err, sizeof(err)), 0, "%s", err);
}

void tu_problem(dnc_problem_t p, const char *K, const char *n, const char *L, const char *width,
                const char *act, const char *bias, const char *lambda)
{
    tu_problem_lambdas(p, K, n, L, width, act, bias, lambda, NULL, NULL);
}

void tu_dobj_init_columns(dnc_dobj_t o, dnc_problem_t p, int collapsed)
{
    slong cols = collapsed ? p->K : p->N, *label = malloc(cols * sizeof(slong)), k, i, j = 0;
    double *w = collapsed ? malloc(cols * sizeof(double)) : NULL;
    for (k = 0; k < p->K; k++)
        for (i = 0; i < (collapsed ? 1 : p->n[k]); i++)
            label[j++] = k;
    for (k = 0; collapsed && k < p->K; k++)
        w[k] = (double) p->n[k];
    cr_assert_eq(dnc_dobj_init_weighted(o, p, cols, label, w), 0);
    free(label);
    free(w);
}

json_t *tu_claim(const json_t *cert, const char *id)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(cert, "claims"), i, c)
        if (strcmp(json_string_value(json_object_get(c, "id")), id) == 0)
            return c;
    cr_assert_fail("no claim %s", id);
    return NULL;
}

int tu_ref_ball(arb_t ref, const char *mid, slong digits, slong prec)
{
    arb_t eps;
    int r;
    arb_init(eps);
    r = arb_set_str(ref, mid, prec);
    arb_set_ui(eps, 10);
    arb_pow_ui(eps, eps, (ulong) digits, prec);
    arb_inv(eps, eps, prec);
    arb_add_error(ref, eps);
    arb_clear(eps);
    return r;
}

int tu_rad_below(const arb_t x, slong e)
{
    return mag_cmp_2exp_si(arb_radref(x), e) < 0;
}

char *tu_repeat(const char *head, const char *unit, size_t n, const char *tail)
{
    size_t h = strlen(head), u = strlen(unit), i;
    char *s = malloc(h + n * u + strlen(tail) + 1);
    memcpy(s, head, h);
    for (i = 0; i < n; i++)
        memcpy(s + h + i * u, unit, u);
    strcpy(s + h + n * u, tail);
    return s;
}

int tu_verify(const json_t *cert, const char *name, long prec, int flags, char **report, char *err, size_t errlen)
{
    size_t len;
    FILE *f;
    int r;
    free(*report);
    *report = NULL;
    f = open_memstream(report, &len);
    err[0] = '\0';
    r = dncv_verify_json(cert, name, prec, flags, f, NULL, err, errlen);
    fclose(f);
    return r;
}

int tu_run_export(char *out, char *err, size_t cap, const char *const *args, const char *dir)
{
    const char *a[64];
    int n = 0;
    while (args[n] != NULL && n < 60) {
        a[n] = args[n];
        n++;
    }
    a[n++] = "--export";
    a[n++] = dir;
    a[n] = NULL;
    return tu_run(out, err, cap, a);
}

void tu_save_run(char *run, size_t len, const char *dir, dnc_problem_t p, const double *theta)
{
    char msg[512];
    snprintf(run, len, "%s/run", dir);
    cr_assert_eq(dnc_mkdir_p(run, msg, sizeof(msg)), 0, "%s", msg);
    cr_assert_eq(dnc_point_save(run, p, theta, NULL, msg, sizeof(msg)), 0, "%s", msg);
}

double *tu_lbfgs_point(dnc_problem_t p, slong steps, double init_std, ulong seed)
{
    dnc_trainer_t t;
    dnc_train_opts o;
    double *theta;
    dnc_train_opts_default(&o);
    o.optimizer = DNC_OPT_LBFGS;
    o.steps = steps;
    o.init_std = init_std;
    o.seed = seed;
    cr_assert_eq(dnc_trainer_init(t, p, &o), 0);
    while (dnc_trainer_step(t) == DNC_STOP_NONE)
        ;
    theta = malloc(t->n * sizeof(double));
    memcpy(theta, t->theta, t->n * sizeof(double));
    dnc_trainer_clear(t);
    return theta;
}
