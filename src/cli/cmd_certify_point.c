/* dncert certify-point: a certified loss for an explicit (trained) point, its comparison with
 * the DNC value, and a certificate (docs/certify-point.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/cert.h"
#include "dncert/io.h"
#include "cli.h"
#include "commands.h"

static const char *usage_head =
    "Usage: dncert certify-point RUN_DIR --out FILE [options]\n"
    "\n"
    "Certifies the loss of the point saved in RUN_DIR (by `dncert train --out`, `dncert\n"
    "closed-form --export`, or yourself: docs/run-directory.md). Its float64 parameters\n"
    "are exact dyadic rationals, so its loss is enclosed rigorously (Arb ball arithmetic):\n"
    "a certified upper bound on the global minimum of the problem. --project-collapse\n"
    "replaces the features by their exact class means; --polish refines the point by\n"
    "Newton's method at the working precision inside its ReLU activation pattern. The last\n"
    "point's loss is compared with the certified DNC value of the same problem: a point\n"
    "strictly below it proves that DNC is not globally optimal there. Writes a certificate\n"
    "(claims loss, alive, root, value, dnc_not_optimal; docs/certificate-format.md) that\n"
    "`dncert verify` re-checks, and prints a summary.\n";

static const char *usage_tail =
    "Exit status: 0 the certificate was written (also when the comparison is not proven),\n"
    "1 I/O error, 2 bad input (nothing written).\n";

typedef struct {
    const char *name;
    dnc_qpoint_t x;
    dnc_point_report r;
} stage;

static void print_loss(const char *label, const dnc_point_report *r)
{
    char *d = dnc_arb_proven_decimal(r->loss, 30);
    printf("%-11s loss = %s   (enclosure radius %.1e)\n", label, d, mag_get_d(arb_radref(r->loss)));
    flint_free(d);
}

static void print_grad(const dnc_point_report *r)
{
    printf("%-11s gradient enclosure: max |entry| <= %.3e, max radius %.1e, %ld ReLU kinks\n", "",
           r->grad_abs, r->grad_rad, (long) r->nkinks);
}

static void print_change(const dnc_point_report *before, const dnc_point_report *after, const char *same)
{
    arb_t d;
    char *s;
    if (same != NULL) {
        printf("%-11s change: none (%s)\n", "", same);
        return;
    }
    arb_init(d);
    arb_sub(d, after->loss, before->loss, arb_rel_accuracy_bits(after->loss) + 64);
    /* the ball is tiny against the difference whenever its sign is decided */
    s = arb_get_str(d, 6, arb_is_positive(d) || arb_is_negative(d) ? ARB_STR_NO_RADIUS : 0);
    printf("%-11s change: %s (%s)\n", "", s, arb_is_positive(d) ? "up" : arb_is_negative(d) ? "down" : "sign not decided");
    flint_free(s);
    arb_clear(d);
}

static int read_options(const dnc_cli_opt *opts, int npos, slong *prec, slong *steps)
{
    const char *out = dnc_cli_get(opts, "out");
    if (npos != 1)
        return dnc_cli_usage_error("certify-point", "expected one RUN_DIR (a directory written by `dncert train --out`)");
    if (out == NULL || *out == '\0')
        return dnc_cli_usage_error("certify-point", "--out: required (the certificate FILE to write)");
    if (dnc_cli_check_new_path(opts, "certify-point", "out") != 0)
        return DNC_EXIT_USAGE;
    if (dnc_cli_slong(prec, opts, "certify-point", "prec", DNC_PREC_MIN, DNC_PREC_MAX, DNC_PREC_DEFAULT)
        || dnc_cli_slong(steps, opts, "certify-point", "polish-steps", 1, 100000, 50))
        return DNC_EXIT_USAGE;
    if (dnc_cli_get(opts, "polish-steps") != NULL && dnc_cli_get(opts, "polish") == NULL)
        return dnc_cli_usage_error("certify-point", "--polish-steps: applies only with --polish");
    return 0;
}

/* Creates the parent directory of path if needed. */
static int make_parent(const char *path, char *err, size_t errlen)
{
    char dir[4096];
    char *slash;
    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir)
        return 0;
    *slash = '\0';
    return dnc_mkdir_p(dir, err, errlen);
}

int dnc_cmd_certify_point(int argc, char **argv)
{
    dnc_cli_opt opts[] = {
        { "out", "FILE", "the certificate to write (required)", NULL },
        { "force", NULL, "replace FILE if it exists", NULL },
        { "project-collapse", NULL, "replace the features by their exact class means (collapsed layout)", NULL },
        { "polish", NULL, "refine the point by Newton-CG at the working precision inside its ReLU pattern", NULL },
        { "polish-steps", "INT", "at most this many Newton steps (default 50)", NULL },
        { "prec", "BITS", "working precision in bits, 64..4096 (default 256)", NULL },
        { NULL, NULL, NULL, NULL }
    };
    const char *pos[1], *names[3];
    const dnc_qpoint_struct *xs[3];
    dnc_point_report rs[3];
    stage st[3];
    slong prec, steps, ns = 0, i;
    int npos, r, verdict, same = 0;
    double *theta, t0;
    char err[4096], why[1024], desc[512];
    dnc_problem_t p;
    json_t *cert, *producer;
    arb_t dnc_val;

    r = dnc_cli_parse(opts, argc, argv, pos, 1, &npos, usage_head, usage_tail);
    if (r != 0)
        return r == 1 ? DNC_EXIT_OK : r;
    if ((r = read_options(opts, npos, &prec, &steps)) != 0)
        return r;
    dnc_problem_init(p);
    if (dnc_point_load(pos[0], p, &theta, err, sizeof(err)) != 0) {
        dnc_problem_clear(p);
        return dnc_cli_usage_error("certify-point", "RUN_DIR: %s", err);
    }
    /* dnc_point_load has checked that every parameter is finite */
    dnc_problem_describe(p, desc, sizeof(desc));
    printf("point       %s: %s, %ld parameters\n", pos[0], desc, (long) dnc_param_offset(p, p->N, DNC_NKINDS, 0));

    st[0].name = "trained";
    dnc_qpoint_init_theta(st[0].x, p, theta);
    free(theta);
    dnc_point_report_init(&st[0].r);
    dnc_qpoint_evaluate(&st[0].r, st[0].x, prec);
    print_loss("trained", &st[0].r);
    print_grad(&st[0].r);
    ns = 1;
    if (dnc_cli_get(opts, "project-collapse") != NULL) {
        st[1].name = "projected";
        same = dnc_qpoint_project(st[1].x, st[0].x);
        dnc_point_report_init(&st[1].r);
        dnc_qpoint_evaluate(&st[1].r, st[1].x, prec);
        print_loss("projected", &st[1].r);
        print_change(&st[0].r, &st[1].r, same ? "the features were already collapsed: the same point" : NULL);
        print_grad(&st[1].r);
        ns = 2;
    }
    if (dnc_cli_get(opts, "polish") != NULL) {
        dnc_polish_info info;
        t0 = dnc_seconds_now();
        st[ns].name = "polished";
        dnc_qpoint_polish(st[ns].x, st[ns - 1].x, prec, steps, &info);
        dnc_point_report_init(&st[ns].r);
        dnc_qpoint_evaluate(&st[ns].r, st[ns].x, prec);
        print_loss("polished", &st[ns].r);
        print_change(&st[ns - 1].r, &st[ns].r, info.steps == 0 ? "no Newton step was taken: the same point" : NULL);
        print_grad(&st[ns].r);
        printf("%-11s %ld Newton steps, %ld gradient evaluations, %.2f s; stopped: %s\n", "", (long) info.steps,
               (long) info.evals, dnc_seconds_now() - t0, info.stop);
        ns++;
    }

    for (i = 0; i < ns; i++) {
        xs[i] = st[i].x;
        names[i] = st[i].name;
        rs[i] = st[i].r;   /* shallow copies: the arb_t are shared, not cleared twice */
    }
    producer = json_pack("{s:s, s:s, s:s, s:s}", "program", "dncert", "version", DNCERT_VERSION, "command",
                         "certify-point", "run", pos[0]);
    arb_init(dnc_val);
    why[0] = '\0';
    cert = dnc_point_certificate(xs, names, rs, ns, prec, producer, dnc_val, &verdict, why, sizeof(why));
    if (verdict >= 0) {
        char *d = dnc_arb_proven_decimal(dnc_val, 30);
        printf("%-11s value = %s\n", "DNC", d);
        flint_free(d);
    }
    if (verdict == 1)
        printf("%-11s certified: this point's loss is strictly below the best DNC point's loss, so DNC is not "
               "globally optimal here\n", "verdict");
    else if (verdict == 0)
        printf("%-11s not proven: %s\n", "verdict", why);
    else
        printf("%-11s no comparison: %s\n", "verdict", why);
    /* As certify does: the independent verifier re-checks the file before it is written. */
    r = dnc_cert_self_check(cert, "certificate", err, sizeof(err)) == 0
        && make_parent(dnc_cli_get(opts, "out"), err, sizeof(err)) == 0
        && dnc_json_write_atomic(dnc_cli_get(opts, "out"), cert, err, sizeof(err)) == 0 ? DNC_EXIT_OK : DNC_EXIT_FAIL;
    if (r == DNC_EXIT_OK) {
        size_t nc = json_array_size(json_object_get(cert, "claims"));
        printf("%-11s %s (%zu claim%s, %ld bits)\n", "certificate", dnc_cli_get(opts, "out"), nc,
               nc == 1 ? "" : "s", (long) prec);
    } else
        fprintf(stderr, "dncert certify-point: --out: %s\n", err);
    json_decref(cert);
    arb_clear(dnc_val);
    for (i = 0; i < ns; i++) {
        dnc_qpoint_clear(st[i].x);
        dnc_point_report_clear(&st[i].r);
    }
    dnc_problem_clear(p);
    return r;
}
