/* bench_fast K n L width [reps] [arb] [chunk=C] [noh1] [f64] [nonorm]: times, in one run, one float64 gradient
 * evaluation (dnc_dobj_eval, the trainer's), one fast-tier enclosure of loss and gradient
 * (dnc_fast_eval_point, chunks of C columns; default automatic, 0 = one chunk) and, with
 * "arb", one Arb evaluation at 256 bits (dnc_ball_eval) of the same random point (fan-in
 * scale, seed 1); bench_fast run=DIR [reps] [arb] [chunk=C] [noh1] does the same for the point
 * saved in the run directory DIR (its problem; K n L width are not given). noh1: the fast tier
 * as certify-point runs it (DNC_FAST_NO_H1_GRAD, and its chunk, dnc_point_fast_chunk, unless
 * chunk= is given); f64: its bound products in double only (dnc_fast_set_f32(0), as before
 * rule P32); nonorm: the weight gradients' radii by rule P's bound products, not rule N's
 * norms (dnc_fast_set_norm_rule(0)). Prints one JSON line: the times (best of reps), their ratios, the
 * enclosure radii relative to the loss and to the largest gradient entry, and memory: the
 * peak resident size of the point and its fast enclosure (measured before the float64
 * workspace exists, less the process's size before the point was allocated) against the
 * point's float64 size. See bench/bench_fast.sh and docs/fast-tier.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "dncert/cert.h"
#include "dncert/dobj.h"
#include "dncert/fast.h"
#include "dncert/rundir.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static double peak_mb(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024.0;
}

/* The resident size now (MB), from /proc/self/statm; 0 where it cannot be read. */
static double rss_mb(void)
{
    long pages = 0, rss = 0;
    FILE *fp = fopen("/proc/self/statm", "r");
    if (fp != NULL) {
        if (fscanf(fp, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(fp);
    }
    return rss * 4096.0 / 1048576.0;
}

/* Entries N(0, 1/(2 d)) by blocks (d the block's input rows), as the trainer's fan-in start. */
static void fill(double *theta, const dnc_problem_t p)
{
    flint_rand_t st;
    slong b, i;
    flint_randinit(st);
    for (b = 0; b < p->L + 1 + (p->bias == DNC_BIAS_FREE); b++) {
        dnc_buf_kind k = dnc_param_block_kind(p->L, b);
        slong off = dnc_param_offset(p, p->N, k, b), end, d = k == DNC_W ? p->width[b - 1] : p->width[0];
        end = b + 1 < p->L + 1 + (p->bias == DNC_BIAS_FREE)
                  ? dnc_param_offset(p, p->N, dnc_param_block_kind(p->L, b + 1), b + 1)
                  : dnc_param_offset(p, p->N, DNC_NKINDS, 0);
        for (i = off; i < end; i++) {
            double u1 = (n_randint(st, 1u << 30) + 1.0) / 1073741825.0, u2 = n_randint(st, 1u << 30) / 1073741824.0;
            theta[i] = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2) / sqrt(2.0 * d);
        }
    }
    flint_randclear(st);
}

int main(int argc, char **argv)
{
    dnc_problem_t p;
    dnc_problem_args a;
    dnc_dobj_t o;
    dnc_fast_t f;
    char err[256];
    double *theta = NULL, *grad, peak, base, fast_peak, t64 = 1e300, tfast = 1e300, tarb = -1.0, loss64 = 0.0, point_mb, t;
    const char *run = argc > 1 && strncmp(argv[1], "run=", 4) == 0 ? argv[1] + 4 : NULL;
    int shift = run != NULL ? 3 : 0;   /* run=DIR stands for K n L width */
    int reps = argc > 5 - shift ? atoi(argv[5 - shift]) : 3, r, ok = 1, arb = 0, noh1 = 0, f64 = 0, nonorm = 0;
    long chunk = -1;
    char kbuf[32], nbuf[32], lbuf[32], wbuf[32];
    const char *sK = argv[1], *sn = argc > 2 ? argv[2] : "", *sL = argc > 3 ? argv[3] : "", *sw = argc > 4 ? argv[4] : "";
    if (argc < 5 - shift) {
        fprintf(stderr, "usage: bench_fast K n L width [reps] [arb] [chunk=C] [noh1] [f64] [nonorm]\n"
                        "       bench_fast run=DIR [reps] [arb] [chunk=C] [noh1] [f64] [nonorm]\n");
        return 2;
    }
    for (r = 6 - shift; r < argc; r++) {   /* an unknown word is an error: a typo would measure the default */
        if (strcmp(argv[r], "arb") == 0)
            arb = 1;
        else if (strcmp(argv[r], "noh1") == 0)
            noh1 = 1;
        else if (strcmp(argv[r], "f64") == 0)
            f64 = 1;
        else if (strcmp(argv[r], "nonorm") == 0)
            nonorm = 1;
        else if (strncmp(argv[r], "chunk=", 6) == 0)
            chunk = atol(argv[r] + 6);
        else {
            fprintf(stderr, "bench_fast: unknown option '%s' (allowed: arb chunk=C noh1 f64 nonorm)\n", argv[r]);
            return 2;
        }
    }
    dnc_fast_set_f32(!f64);
    dnc_fast_set_norm_rule(!nonorm);
    dnc_problem_init(p);
    if (run != NULL) {   /* the saved point and its problem (balanced counts assumed in the line printed) */
        if (dnc_point_load(run, p, &theta, err, sizeof(err)) != 0) {
            fprintf(stderr, "%s\n", err);
            return 2;
        }
        snprintf(kbuf, sizeof(kbuf), "%ld", (long) p->K);
        snprintf(nbuf, sizeof(nbuf), "%ld", (long) p->n[0]);
        snprintf(lbuf, sizeof(lbuf), "%ld", (long) p->L);
        snprintf(wbuf, sizeof(wbuf), "%ld", (long) p->width[0]);
        sK = kbuf, sn = nbuf, sL = lbuf, sw = wbuf;
    } else {
        memset(&a, 0, sizeof(a));
        a.K = argv[1];
        a.n = argv[2];
        a.L = argv[3];
        a.width = argv[4];
        a.lambda = "0.004";
        if (dnc_problem_set_args(p, &a, err, sizeof(err)) != 0) {
            fprintf(stderr, "%s\n", err);
            return 2;
        }
    }
    base = rss_mb();
    if (dnc_fast_init_flags(f, p, noh1 ? DNC_FAST_NO_H1_GRAD : 0) != 0
        || (chunk >= 0 && dnc_fast_set_chunk(f, chunk == 0 ? p->N : chunk) != 0)
        || (chunk < 0 && noh1 && dnc_fast_set_chunk(f, dnc_point_fast_chunk(f)) != 0)) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    if (theta == NULL) {
        theta = dnc_dobj_alloc(f->nparams);
        fill(theta, p);
    }
    point_mb = f->nparams * 8.0 / 1048576.0;
    ok &= dnc_fast_eval_point(f, theta, DNC_FAST_GRAD);
    fast_peak = peak_mb() - base;   /* the point and its fast enclosure only */
    if (dnc_dobj_init(o, p) != 0) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    grad = dnc_dobj_alloc(o->nparams);
    for (r = 0; r < reps; r++) {
        t = now();
        loss64 = dnc_dobj_eval(o, theta, grad);
        t64 = fmin(t64, now() - t);
        t = now();
        ok &= dnc_fast_eval_point(f, theta, DNC_FAST_GRAD);
        tfast = fmin(tfast, now() - t);
    }
    peak = peak_mb();   /* before Arb: the float64 and fast workspaces together */
    if (arb) {
        dnc_bpoint_t x;
        dnc_beval_t e;
        dnc_bpoint_init(x, p);
        dnc_bpoint_set_theta(x, theta);
        dnc_beval_init(e);
        t = now();
        dnc_ball_eval(e, x, 1, 256);
        tarb = now() - t;
        dnc_beval_clear(e);
        dnc_bpoint_clear(x);
    }
    printf("{\"K\": %s, \"n\": %s, \"N\": %ld, \"L\": %s, \"width\": %s, \"params\": %ld, \"enclosed\": %d, "
           "\"loss\": %.17g, \"t_float64_grad\": %.4f, \"t_fast\": %.4f, \"t_arb\": %.3f, "
           "\"fast_over_float64\": %.2f, \"arb_over_fast\": %.1f, \"loss_radius_rel\": %.3g, "
           "\"grad_radius_max\": %.3g, \"grad_radius_rel\": %.3g, \"kinks\": %ld, \"chunk\": %ld, "
           "\"peak_mb\": %.0f, \"fast_peak_mb\": %.1f, \"point_mb\": %.1f, \"fast_peak_over_point\": %.2f}\n",
           sK, sn, (long) p->N, sL, sw, (long) o->nparams, ok, loss64, t64, tfast, tarb,
           tfast / t64, tarb > 0 ? tarb / tfast : -1.0, 0.5 * (f->loss[1] - f->loss[0]) / loss64,
           dnc_fast_grad_max_radius(f), dnc_fast_grad_max_radius(f) / dnc_fast_grad_max_abs(f), (long) f->nkinks,
           (long) dnc_fast_chunk(f), peak, fast_peak, point_mb, fast_peak / point_mb);
    free(theta);
    free(grad);
    dnc_fast_clear(f);
    dnc_dobj_clear(o);
    dnc_problem_clear(p);
    return ok ? 0 : 1;
}
