/* Strict option parsing for the dncert subcommands. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"
#include "dncert/train.h"
#include "cli.h"

int dnc_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "dncert %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'dncert %s --help')\n", cmd);
    return DNC_EXIT_USAGE;
}

void dnc_cli_print_version(FILE *f)
{
    fprintf(f, "dncert %s\n", DNCERT_VERSION);
    dnc_cli_print_blas_kernel(f);
}

int dnc_cli_load_point_double(const char *cmd, const char *dir, dnc_problem_t p, double **theta)
{
    char err[4096], msg[2048];
    dnc_problem_init(p);
    if (dnc_point_load(dir, p, theta, err, sizeof(err)) == 0 && dnc_problem_check_double(p, NULL, msg, sizeof(msg)) == 0)
        return 0;
    if (*theta != NULL)
        snprintf(err, sizeof(err), "%s/manifest.json: %s", dir, msg);
    free(*theta);
    *theta = NULL;
    dnc_problem_clear(p);
    return dnc_cli_usage_error(cmd, "%s", err);
}

int dnc_cli_check_new_path(const dnc_cli_opt *opts, const char *cmd, const char *opt)
{
    const char *path = dnc_cli_get(opts, opt);
    if (path != NULL && dnc_path_exists(path) && dnc_cli_get(opts, "force") == NULL)
        return dnc_cli_usage_error(cmd, "--%s: '%s' already exists (use --force to replace it)", opt, path);
    return 0;
}

static void print_usage(const dnc_cli_opt *opts, const char *head, const char *tail)
{
    const dnc_cli_opt *o;
    printf("%s\nOptions:\n", head);
    for (o = opts; o->name != NULL; o++) {
        char left[64];
        snprintf(left, sizeof(left), "--%s%s%s", o->name, o->meta ? " " : "", o->meta ? o->meta : "");
        printf("  %-26s %s\n", left, o->help);
    }
    printf("  %-26s %s\n", "--help", "show this text (the same as dncert help CMD)");
    printf("  %-26s %s\n", "--version", "print the version");
    if (tail != NULL)
        printf("\n%s", tail);
}

static dnc_cli_opt *find_opt(dnc_cli_opt *opts, const char *name, size_t len)
{
    for (; opts->name != NULL; opts++)
        if (strlen(opts->name) == len && strncmp(opts->name, name, len) == 0)
            return opts;
    return NULL;
}

static int unknown_option(const dnc_cli_opt *opts, const char *cmd, const char *arg, size_t len)
{
    const char *near = dnc_cli_suggest_option(opts, arg + 2, len - 2);
    if (near != NULL)
        return dnc_cli_usage_error(cmd, "unknown option '%.*s'; did you mean '--%s'?", (int) len, arg, near);
    return dnc_cli_usage_error(cmd, "unknown option '%.*s'", (int) len, arg);
}

int dnc_cli_parse(dnc_cli_opt *opts, int argc, char **argv, const char **pos, int max_pos,
                  int *npos, const char *usage_head, const char *usage_tail)
{
    const char *cmd = argv[0];
    int i;
    *npos = 0;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i], *eq;
        dnc_cli_opt *o;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_usage(opts, usage_head, usage_tail);
            return 1;
        }
        if (strcmp(arg, "--version") == 0) {
            dnc_cli_print_version(stdout);
            return 1;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (*npos == max_pos)
                return dnc_cli_usage_error(cmd, "unexpected argument '%s'", arg);
            pos[(*npos)++] = arg;
            continue;
        }
        eq = strchr(arg, '=');
        o = find_opt(opts, arg + 2, eq ? (size_t) (eq - arg - 2) : strlen(arg + 2));
        if (o == NULL)
            return unknown_option(opts, cmd, arg, eq ? (size_t) (eq - arg) : strlen(arg));
        if (o->value != NULL)
            return dnc_cli_usage_error(cmd, "--%s given twice", o->name);
        if (o->meta == NULL) {
            if (eq != NULL)
                return dnc_cli_usage_error(cmd, "--%s takes no value", o->name);
            o->value = "1";
        } else if (eq != NULL) {
            o->value = eq + 1;
        } else if (i + 1 < argc) {
            o->value = argv[++i];
        } else {
            return dnc_cli_usage_error(cmd, "--%s needs a value (%s)", o->name, o->meta);
        }
    }
    return 0;
}

const char *dnc_cli_get(const dnc_cli_opt *opts, const char *name)
{
    for (; opts->name != NULL; opts++)
        if (strcmp(opts->name, name) == 0)
            return opts->value;
    return NULL;
}

void dnc_cli_problem_args(dnc_problem_args *a, const dnc_cli_opt *opts)
{
    memset(a, 0, sizeof(*a));
    a->K = dnc_cli_get(opts, "K");
    a->n = dnc_cli_get(opts, "n");
    a->L = dnc_cli_get(opts, "L");
    a->width = dnc_cli_get(opts, "width");
    a->activation = dnc_cli_get(opts, "activation");
    a->bias = dnc_cli_get(opts, "bias");
    a->loss = dnc_cli_get(opts, "loss");
    a->lambda = dnc_cli_get(opts, "lambda");
    a->lambda_h = dnc_cli_get(opts, "lambda-h");
    a->lambda_w = dnc_cli_get(opts, "lambda-w");
}

int dnc_cli_double(double *x, const dnc_cli_opt *opts, const char *cmd, const char *name,
                   double lo, double hi, int lo_open, double dflt)
{
    const char *s = dnc_cli_get(opts, name);
    char err[512];
    *x = dflt;
    if (s != NULL && dnc_option_double(x, name, s, lo, hi, lo_open, err, sizeof(err)) != 0) {
        dnc_cli_usage_error(cmd, "%s", err);
        return -1;
    }
    return 0;
}

int dnc_cli_slong(slong *x, const dnc_cli_opt *opts, const char *cmd, const char *name,
                  slong lo, slong hi, slong dflt)
{
    const char *s = dnc_cli_get(opts, name);
    char err[512];
    *x = dflt;
    if (s != NULL && dnc_option_slong(x, name, s, lo, hi, err, sizeof(err)) != 0) {
        dnc_cli_usage_error(cmd, "%s", err);
        return -1;
    }
    return 0;
}

static const char *cli_text(const char *name, void *opts)
{
    return dnc_cli_get(opts, name);
}

int dnc_cli_train_opts(struct dnc_train_opts_s *o, slong *log_every, const dnc_cli_opt *opts, const char *cmd)
{
    char err[512];
    if (dnc_train_opts_from_text(o, log_every, cli_text, (void *) opts, err, sizeof(err)) != 0)
        return dnc_cli_usage_error(cmd, "%s", err);
    return 0;
}
