/* dncert certify-point: a certified loss for an explicit (trained) point, its comparison with
 * the DNC value, and a certificate (docs/certify-point.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/cert.h"
#include <cblas.h>
#include <flint/fmpq_vec.h>
#include "dncert/io.h"
#include "dncert/refine.h"
#include "dncert/rundir.h"
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
    "Newton's method at the working precision inside its ReLU activation pattern, and when\n"
    "the point sits on kinks (the next step would change the pattern) refines it there\n"
    "instead, as `dncert refine` does. When RUN_DIR holds point-exact.json (written by\n"
    "`dncert refine`), that exact point is certified, not its rounding to double. The last\n"
    "point's loss is compared with the certified DNC value of the same problem: a point\n"
    "strictly below it proves that DNC is not globally optimal there. Each point also gets\n"
    "the norm of its gradient (claim gradient_norm; lo > 0 proves it is not a critical\n"
    "point; --no-gradient leaves it out). Writes a certificate (claims loss, gradient_norm,\n"
    "alive, root, value, dnc_not_optimal; docs/certificate-format.md) that\n"
    "`dncert verify` re-checks, and prints a summary. Under --loss ce the value is the best\n"
    "DNC-structured point's of the deep linear model (docs/math/cross-entropy.md; claims loss,\n"
    "root, value, dnc_not_optimal), where it is derived. A point of more than 65536 parameters\n"
    "is written next to FILE as FILE.trained.f64 (its doubles; the certificate states its\n"
    "SHA-256): keep the two files together.\n";

static const char *usage_tail =
    "Exit status: 0 the certificate was written (also when the comparison is not proven),\n"
    "1 I/O error, the checker did not confirm it, or no enclosure within reach, 2 bad input\n"
    "(nothing written).\n";

static void print_loss(const char *label, const dnc_point_report *r)
{
    char *d = dnc_arb_proven_decimal(r->loss, 30);
    printf("%-11s loss = %s   (enclosure radius %.1e, %s)\n", label, d, mag_get_d(arb_radref(r->loss)),
           r->fast ? "fast-double" : "arb");
    flint_free(d);
}

static void print_grad(const dnc_point_report *r)
{
    printf("%-11s gradient enclosure: max |entry| <= %.3e, max radius %.1e, %ld ReLU kinks\n", "",
           r->grad_abs, r->grad_rad, (long) r->nkinks);
    if (r->gnorm_claim) {
        arf_t lo, hi;
        arf_init(lo), arf_init(hi);
        arb_get_lbound_arf(lo, r->gnorm, 53);
        arb_get_ubound_arf(hi, r->gnorm, 53);
        printf("%-11s |gradient| in [%.6e, %.6e] (claim gradient_norm, %s)%s\n", "",
               fmax(arf_get_d(lo, ARF_RND_FLOOR), 0.0), arf_get_d(hi, ARF_RND_CEIL), r->fast ? "fast-double" : "arb",
               arb_is_positive(r->gnorm) ? ": not a critical point" : "");
        arf_clear(lo), arf_clear(hi);
    }
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

/* When polishing hit a kink and refinement did not give a point. */
static void print_refined(const dnc_point_cert *c)
{
    if (c->refined < 0)
        printf("%-11s the point sits on ReLU kinks; refining it there did not give a point to certify (%s): the "
               "certificate is about the polished point\n", "", c->refine.message);
}

static int read_options(const dnc_cli_opt *opts, int npos, slong *prec, slong *steps, slong *bits)
{
    const char *out = dnc_cli_get(opts, "out");
    if (npos != 1)
        return dnc_cli_usage_error("certify-point", "expected one RUN_DIR (a directory written by `dncert train --out`)");
    if (out == NULL || *out == '\0')
        return dnc_cli_usage_error("certify-point", "--out: required (the certificate FILE to write)");
    if (dnc_cli_check_new_path(opts, "certify-point", "out") != 0)
        return DNC_EXIT_USAGE;
    if (dnc_cli_slong(prec, opts, "certify-point", "prec", DNC_PREC_MIN, DNC_PREC_MAX, DNC_PREC_DEFAULT)
        || dnc_cli_slong(steps, opts, "certify-point", "polish-steps", 1, 100000, 50)
        || dnc_cli_slong(bits, opts, "certify-point", "pattern-bits", 8, *prec, 0))
        return DNC_EXIT_USAGE;
    if (dnc_cli_get(opts, "polish-steps") != NULL && dnc_cli_get(opts, "polish") == NULL)
        return dnc_cli_usage_error("certify-point", "--polish-steps: applies only with --polish");
    if (dnc_cli_get(opts, "pattern-bits") != NULL && dnc_cli_get(opts, "critical") == NULL)
        return dnc_cli_usage_error("certify-point", "--pattern-bits: applies only with --critical");
    if (dnc_cli_get(opts, "no-zero-weights") != NULL && dnc_cli_get(opts, "critical") == NULL)
        return dnc_cli_usage_error("certify-point", "--no-zero-weights: applies only with --critical");
    return 0;
}

static int read_encoding(const dnc_cli_opt *opts, int *enc)
{
    static const char *const names[] = { "auto", "text", "base64", "file" };
    const char *m = dnc_cli_get(opts, "point-encoding");
    int k;
    for (k = 0; k < 4 && m != NULL && strcmp(m, names[k]) != 0; k++)
        ;
    if (k == 4)
        return dnc_cli_usage_error("certify-point", "--point-encoding: expected auto, text, base64 or file, got '%s'", m);
    *enc = m == NULL ? DNC_ENCODING_AUTO : k;   /* in the order of DNC_ENCODING_* */
    return 0;
}

/* The point file certify-point would write next to --out must not exist without --force. */
static int check_point_file(const dnc_cli_opt *opts, dnc_problem_t p, const dnc_point_cert_opts *o)
{
    char *path;
    int r = 0;
    if (o->exact != NULL || dnc_point_cert_encoding(p, o) != DNC_ENCODING_FILE || dnc_cli_get(opts, "force") != NULL)
        return 0;
    path = dnc_point_cert_file_name(dnc_cli_get(opts, "out"), "trained");
    if (path != NULL && dnc_path_exists(path))
        r = dnc_cli_usage_error("certify-point", "--out: its point file %s exists (--force replaces it)", path);
    free(path);
    return r;
}

static int read_method(const dnc_cli_opt *opts, int *method)
{
    const char *m = dnc_cli_get(opts, "method");
    if (m == NULL || strcmp(m, "auto") == 0)
        *method = DNC_METHOD_AUTO;
    else if (strcmp(m, "fast") == 0)
        *method = DNC_METHOD_FAST;
    else if (strcmp(m, "arb") == 0)
        *method = DNC_METHOD_ARB;
    else
        return dnc_cli_usage_error("certify-point", "--method: expected auto, fast or arb, got '%s'", m);
    return 0;
}

/* Where the reported attempt holds zero weights, strict_local_min is a statement on the pattern
 * manifold with those weights at 0. The attempt without them, r (the one it displaced,
 * docs/refine.md §7.13), often proves the second order on the whole pattern manifold: where it
 * does, its box and claims are added too, under the ids critical_point_without_zero_weights and
 * strict_local_min_without_zero_weights, so the file carries both statements. */
static void unheld_second_order(dnc_point_cert *c, dnc_problem_t p, dnc_critical *r, const fmpq *q, slong prec,
                                slong bits)
{
    int rc = 0;
    if (!(r->proven && r->second_order)) {   /* the double path's attempt was not enough: the full one */
        dnc_critical_clear(r);
        dnc_critical_init(r);
        rc = dnc_critical_certify_zero(r, q, p, prec, bits, 0);
    }
    if (rc == 0 && r->size <= DNC_CRITICAL_MAX_UNKNOWNS && r->proven && r->second_order && r->nzero == 0) {
        printf("%-11s certified without zero weights as well: %ld unknowns, H + rho C^T C positive definite on that box: "
               "a strict local minimum of f on the pattern manifold with only its dead units held (claims "
               "critical_point_without_zero_weights, strict_local_min_without_zero_weights)\n", "second", (long) r->size);
        dnc_critical_add_claim(c->cert, r, p, "critical_without_zero_weights", "critical_point_without_zero_weights");
        dnc_strict_local_min_add_claim(c->cert, r, "critical_point_without_zero_weights",
                                       "strict_local_min_without_zero_weights");
    } else
        printf("%-11s without zero weights: not proven (the second order holds with the zero weights at 0 only)\n",
               "second");
}

/* --critical: the claim critical_point about the exact point (or the doubles), added to c's
 * certificate. Returns 0, or -1 (said) when it cannot be attempted. */
static int critical(dnc_point_cert *c, dnc_problem_t p, const double *theta, const fmpq *exact, slong prec,
                    slong bits, int zero)
{
    slong n = dnc_param_offset(p, p->N, DNC_NKINDS, 0), i;
    fmpq *q = _fmpq_vec_init(n);
    dnc_critical r, plain;   /* plain: the attempt without zero weights, where r holds them */
    int ret;
    char why[512];
    for (i = 0; i < n; i++)
        if (exact != NULL)
            fmpq_set(q + i, exact + i);
        else {   /* a double is dyadic: exact */
            arf_t a;
            arf_init(a);
            arf_set_d(a, theta[i]);
            arf_get_fmpq(q + i, a);
            arf_clear(a);
        }
    dnc_critical_init(&r);
    dnc_critical_init(&plain);
    ret = zero ? dnc_critical_certify_both(&r, &plain, q, p, prec, bits) : dnc_critical_certify_zero(&r, q, p, prec, bits, 0);
    if (ret == 0 && r.size > DNC_CRITICAL_MAX_UNKNOWNS)   /* not attempted: no claims (nothing a checker could re-check in time) */
        printf("%-11s %s\n", "critical", r.message);
    else if (ret == 0) {
        printf("%-11s %s (%.2f s)\n", "critical", r.message, r.seconds);
        dnc_critical_add_claim(c->cert, &r, p, "critical", "critical_point");
        printf("%-11s %s\n", "kink-mult", r.slopes_message);
        dnc_kink_multipliers_add_claim(c->cert, &r, "critical_point");
        if (dnc_d_stationary_add_claim(c->cert, &r, why, sizeof(why)))
            printf("%-11s certified: every one-sided directional derivative of f is >= 0 (%s; hence Clarke "
                   "stationary; docs/refine.md §7.17)\n", "d-stat", r.nkinks + r.nimplied == 0 ? "no listed or implied kink"
                   : "0 <= mu_e <= G_e at every kink");
        else
            printf("%-11s not proven: %s\n", "d-stat", why);
        if (r.descent != NULL) {
            printf("%-11s %s\n", "descent", r.descent_message);
            dnc_descent_add_claim(c->cert, &r, p);
        }
        printf("%-11s %s%s\n", "second", r.second_order ? "certified: H + rho C^T C is positive definite on the box: a strict "
               "local minimum of f on the pattern manifold, modulo its symmetry generators" : r.proven ? "not proven: H + rho C^T C "
               "is not shown positive definite for rho = 1 .. 2^64" : "not proven: the critical_point claim is not certified",
               r.second_order && r.nzero > 0 ? " (with its zero weights held at 0)" : "");
        dnc_strict_local_min_add_claim(c->cert, &r, "critical_point", "strict_local_min");
        if (r.nzero > 0)
            unheld_second_order(c, p, &plain, q, prec, bits);
        if (dnc_strict_local_min_of_f_add_claim(c->cert, &r, p, why, sizeof(why)))
            printf("%-11s certified: a strict local minimum of f itself, off the pattern manifold too, modulo the flows "
                   "of its generators (%s; nothing held; docs/refine.md §7.16)\n", "local-min",
                   r.nkinks == 0 ? "no kink: f is smooth there" : "its kinks in one layer, slopes strictly inside (0, 1)");
        else
            printf("%-11s not proven: %s\n", "local-min", why);
    } else
        fprintf(stderr, "dncert certify-point: --critical: %s\n", r.message);
    dnc_critical_clear(&r);
    dnc_critical_clear(&plain);
    _fmpq_vec_clear(q, n);
    return ret;
}

/* --below S:P: the last point's loss against the value of design S (srg:4), added to c's
 * certificate and printed. Returns 0, or -1 (said) on a bad argument. */
static int below(dnc_point_cert *c, dnc_problem_t p, const char *arg, slong prec)
{
    char name[16], err[600], *end;
    const char *colon = strchr(arg, ':');
    slong param;
    arb_t v;
    int verdict, ret;
    if (colon == NULL || colon == arg || (size_t) (colon - arg) >= sizeof(name)) {
        dnc_cli_usage_error("certify-point", "--below: expected STRUCTURE:PARAM such as srg:4 or sts:13, got '%s'", arg);
        return -1;
    }
    memcpy(name, arg, (size_t) (colon - arg));
    name[colon - arg] = 0;
    param = strtol(colon + 1, &end, 10);
    if (*end != 0 || end == colon + 1 || param < 1 || param > 1000) {
        dnc_cli_usage_error("certify-point", "--below: the parameter of %s must be an integer in 1..1000, got '%s'", name,
                            colon + 1);
        return -1;
    }
    arb_init(v);
    ret = dnc_point_cert_add_below(c->cert, v, &verdict, p, name, param, prec, err, sizeof(err));
    if (ret == 0) {
        char *d = dnc_arb_proven_decimal(v, 30);
        printf("%-11s value = %s (%s)\n", name, d, arg);
        printf("%-11s %s\n", "below", verdict ? "certified: this point's loss is strictly below that value"
                                                 : "not proven: this point's loss is not shown below that value");
        flint_free(d);
    } else
        dnc_cli_usage_error("certify-point", "%s", err);
    arb_clear(v);
    return ret;
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
        { "method", "M", "how the trained point's loss is enclosed: auto (default; the fast double tier where its "
                         "enclosure decides the claim, else Arb), fast, or arb", NULL },
        { "below", "S:P", "also compare the point's loss with the value of the low-rank design S with parameter P "
                          "(srg:4, sts:13): claims value_S and order_below", NULL },
        { "critical", NULL, "also prove that an exact critical point of the kink pattern lies in a small box around "
                            "the (exact) point: the claim critical_point (Krawczyk on the slice, docs/refine.md §7), and "
                            "what follows where provable: kink_multipliers, d_stationary, descent_direction (not a "
                            "local minimum), strict_local_min, strict_local_min_of_f",
          NULL },
        { "pattern-bits", "B", "with --critical: read the kink pattern at 2^-B, 8..BITS: entries below 2^-B of their "
                                "layer's largest are kinks (default BITS/2, and 30 for a point of doubles such as "
                                "`refine --prec 0` writes; docs/refine.md §7.3)", NULL },
        { "no-zero-weights", NULL, "with --critical: hold no weight at 0 but the dead units' (docs/refine.md §7.3, "
                                   "§7.13): strict_local_min is then about the whole pattern manifold, and "
                                   "kink_multipliers is not proven at degenerate kinks (the default tries zero weights "
                                   "where a claim is left not proven and keeps what proves more)", NULL },
        { "double", NULL, "certify the arrays (doubles) even when RUN_DIR has an exact point (point-exact.json)", NULL },
        { "no-gradient", NULL, "do not add the gradient_norm claims (the norm of the point's gradient, re-checked by "
                               "dncert verify)", NULL },
        { "point-encoding", "E", "how the trained point is written: auto (default: text up to 65536 parameters, "
                                 "else a point file), text, base64 (inline binary64), or file (FILE.trained.f64 next "
                                 "to FILE, bound by its SHA-256)", NULL },
        { NULL, NULL, NULL, NULL }
    };
    const char *pos[1];
    slong i, bits;
    int npos, r;
    double *theta;
    fmpq *exact = NULL;
    char err[4096], desc[512];
    dnc_problem_t p;
    dnc_point_cert_opts o;
    dnc_point_cert c;
    json_t *producer;

    r = dnc_cli_parse(opts, argc, argv, pos, 1, &npos, usage_head, usage_tail);
    if (r != 0)
        return r == 1 ? DNC_EXIT_OK : r;
    dnc_point_cert_opts_default(&o);
    if ((r = read_options(opts, npos, &o.prec, &o.polish_steps, &bits)) != 0)
        return r;
    if (read_method(opts, &o.method) != 0 || read_encoding(opts, &o.encoding) != 0)
        return DNC_EXIT_USAGE;
    o.project_collapse = dnc_cli_get(opts, "project-collapse") != NULL;
    o.polish = dnc_cli_get(opts, "polish") != NULL;
    o.no_gradient = dnc_cli_get(opts, "no-gradient") != NULL;
    dnc_problem_init(p);
    if (dnc_point_load(pos[0], p, &theta, err, sizeof(err)) != 0) {
        dnc_problem_clear(p);
        return dnc_cli_usage_error("certify-point", "RUN_DIR: %s", err);
    }
    if (dnc_cli_get(opts, "double") == NULL && dnc_point_exact_load(pos[0], p, theta, &exact, err, sizeof(err)) < 0) {
        free(theta);
        dnc_problem_clear(p);
        return dnc_cli_usage_error("certify-point", "RUN_DIR: %s", err);
    }
    o.exact = exact;
    r = dnc_point_cert_check(p, &o, err, sizeof(err)) != 0 ? dnc_cli_usage_error("certify-point", "%s", err)
                                                             : check_point_file(opts, p, &o);
    if (r != 0) {
        free(theta);
        if (exact != NULL)
            _fmpq_vec_clear(exact, dnc_param_offset(p, p->N, DNC_NKINDS, 0));
        dnc_problem_clear(p);
        return DNC_EXIT_USAGE;
    }
    openblas_set_num_threads(1);   /* refinement at kinks (--polish): small products, one thread */
    /* dnc_point_load has checked that every parameter is finite */
    dnc_problem_describe(p, desc, sizeof(desc));
    printf("point       %s: %s, %ld parameters%s\n", pos[0], desc, (long) dnc_param_offset(p, p->N, DNC_NKINDS, 0),
           exact != NULL ? "; the exact point of " DNC_RUN_EXACT " is certified, not its rounding to double (--double: "
           "the arrays)" : "");
    fflush(stdout);
    producer = json_pack("{s:s, s:s, s:s, s:s}", "program", "dncert", "version", DNCERT_VERSION, "command",
                         "certify-point", "run", pos[0]);
    if (dnc_point_cert_run(&c, p, theta, &o, producer) != 0) {
        fprintf(stderr, "dncert certify-point: %s\n", c.why);
        r = DNC_EXIT_FAIL;
    } else if (dnc_cli_get(opts, "critical") != NULL && critical(&c, p, theta, exact, o.prec, bits, dnc_cli_get(opts, "no-zero-weights") == NULL) != 0)
        r = DNC_EXIT_USAGE;
    else if (dnc_cli_get(opts, "below") != NULL && below(&c, p, dnc_cli_get(opts, "below"), o.prec) != 0)
        r = DNC_EXIT_USAGE;
    if (exact != NULL)
        _fmpq_vec_clear(exact, dnc_param_offset(p, p->N, DNC_NKINDS, 0));
    if (r != 0) {
        free(theta);
        dnc_point_cert_clear(&c);
        dnc_problem_clear(p);
        return r;
    }
    for (i = 0; i < c.nstages; i++) {
        print_loss(c.name[i], c.r + i);
        if (i > 0)
            print_change(c.r + i - 1, c.r + i, !c.same[i] ? NULL : strcmp(c.name[i], "projected") == 0
                         ? "the features were already collapsed: the same point"
                         : "no Newton step was taken: the same point");
        print_grad(c.r + i);
        if (strcmp(c.name[i], "polished") == 0) {
            printf("%-11s %ld Newton steps, %ld gradient evaluations, %.2f s; stopped: %s\n", "", (long) c.polish.steps,
                   (long) c.polish.evals, c.polish_seconds, c.polish.stop);
            print_refined(&c);
        }
        if (strcmp(c.name[i], "refined") == 0)
            printf("%-11s the point sits on ReLU kinks: refined on its kink pattern (docs/refine.md) in %.2f s: %s\n", "",
                   c.refine_seconds, c.refine.message);
    }
    printf("%-11s %s\n", "method", c.method_why);
    if (c.verdict >= 0) {
        char *d = dnc_arb_proven_decimal(c.dnc_value, 30);
        printf("%-11s value = %s%s\n", "DNC", d, p->loss == DNC_LOSS_CE ? "   (the DNC-structured value under CE)" : "");
        flint_free(d);
    }
    if (c.verdict == 1)
        printf("%-11s certified: this point's loss is strictly below the best DNC%s point's loss, so DNC is not "
               "globally optimal here\n", "verdict", p->loss == DNC_LOSS_CE ? "-structured" : "");
    else if (c.verdict == 0)
        printf("%-11s not proven: %s\n", "verdict", c.why);
    else
        printf("%-11s no comparison: %s\n", "verdict", c.why);
    /* As certify does: the independent verifier re-checks the file before it is written. */
    c.theta_free = theta;   /* freed once its point file is written, before the checker reads its own copy */
    r = dnc_point_cert_write(&c, dnc_cli_get(opts, "out"), err, sizeof(err)) == 0 ? DNC_EXIT_OK : DNC_EXIT_FAIL;
    if (r == DNC_EXIT_OK && c.dropped[0] != '\0')
        fprintf(stderr, "dncert certify-point: the gradient_norm claim is left out: the checker's rule is wider than "
                "estimated (%s)\n", c.dropped);
    if (r == DNC_EXIT_OK) {
        size_t nc = json_array_size(json_object_get(c.cert, "claims"));
        char *side = c.point_file ? dnc_point_cert_file_name(dnc_cli_get(opts, "out"), "trained") : NULL;
        printf("%-11s %s (%zu claim%s, %ld bits%s%s)\n", "certificate", dnc_cli_get(opts, "out"), nc,
               nc == 1 ? "" : "s", (long) o.prec, side != NULL ? "; point file " : "", side != NULL ? side : "");
        free(side);
    } else
        fprintf(stderr, "dncert certify-point: --out: %s\n", err);
    dnc_point_cert_clear(&c);
    dnc_problem_clear(p);
    return r;
}
