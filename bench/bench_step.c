/* bench_step K n L width threads steps [lr=X] [loss=mse|ce] [reps=R] [clock=cpu] [thin=0] [layout=0|1]: where the time of one
 * full-batch GD step of `dncert train` goes. Runs `steps` GD steps (after 2 untimed ones) with
 * every operation of the objective timed (dnc_dobj_set_profile), then times each product
 * shape of the step alone -- one OpenBLAS call with the same transposes on `threads`
 * OpenBLAS threads, best of R (default 5) -- and the entrywise passes' memory traffic against
 * a triad a = b + s c over arrays of the size of one feature matrix. Prints a markdown table
 * (ms per step of each part, its rate in the step, its rate alone) and one JSON line.
 * thin=0 leaves the last layer's products to OpenBLAS (dnc_dobj_set_thin); layout=0 keeps the
 * hidden layers' features in rows, layout=1 stores them sample-major at any width
 * (dnc_dobj_set_layout; default: by the widths). See docs/benchmarks.md ("Where the time goes"). Start point as bench_train.py's: N(0, 0.01)
 * entries from seed 1, lambda 0.004. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cblas.h>
#include "dncert/train.h"

/* clock=cpu: process CPU time instead of the wall clock, for exploring on a loaded machine
 * (one thread: the time this process ran; it still pays for caches others evict). */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double (*now)(void) = dnc_seconds_now;

typedef struct {
    const char *op;
    int ta, tb;
    slong m, n, k;
    slong calls;        /* per step */
    double seconds;     /* per step, mean over the steps */
    double best;        /* per step, the sum of each call's least time */
    double alone;       /* seconds of one call alone (products), or 0 */
    double bytes;       /* memory traffic per step of the entrywise passes (estimate), or 0 */
} part;

/* mul, mul_act_grad or mul_decay: a product (with the layer's ReLU mask applied on the way
 * out, or started from the H1 weight decay) */
static int is_product(const char *op)
{
    return strncmp(op, "mul", 3) == 0;
}

static int same_shape(const part *a, const dnc_dobj_prof_entry *e)
{
    return strcmp(a->op, e->op) == 0 && a->ta == e->ta && a->tb == e->tb && a->m == e->m && a->n == e->n
           && a->k == e->k;
}

/* Doubles moved by one entrywise operation on an m x n buffer: reads plus writes (a byte is
 * an eighth). */
static double entrywise_doubles(const char *op, slong m, slong n)
{
    double size = (double) m * (double) n;
    if (strcmp(op, "act") == 0 || strcmp(op, "act_grad") == 0)
        return 2.125 * size;    /* read PRE, write H in place and the sign byte; read D and the
                                   sign byte, write D */
    if (strcmp(op, "add_scaled") == 0)
        return 3 * size;        /* read D and X, write D */
    return size;                /* add_sqnorm, row_sums, fit: one read (fit: also writes K x N) */
}

/* Best of reps times of one cblas_dgemm call of the shape on the current OpenBLAS threads. */
static double dgemm_alone(int ta, int tb, slong m, slong n, slong k, int reps)
{
    double *A = dnc_dobj_alloc(m * k), *B = dnc_dobj_alloc(k * n), *C = dnc_dobj_alloc(m * n), best = 1e300;
    slong i;
    int r;
    for (i = 0; i < m * k; i++)
        A[i] = (double) (i % 7) - 3.0;
    for (i = 0; i < k * n; i++)
        B[i] = (double) (i % 5) - 2.0;
    for (r = 0; r < reps + 1; r++) {   /* the first call warms up and is not counted */
        double t = now();
        cblas_dgemm(CblasColMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int) m, (int) n,
                    (int) k, 1.0, A, (int) (ta ? k : m), B, (int) (tb ? n : k), 0.0, C, (int) m);
        t = now() - t;
        if (r > 0 && t < best)
            best = t;
    }
    free(A);
    free(B);
    free(C);
    return best;
}

/* GB/s of the triad a = b + s c over n doubles each (3 streams) on `threads` threads. */
static double triad_gbs(slong n, int threads, int reps)
{
    double *a = dnc_dobj_alloc(n), *b = dnc_dobj_alloc(n), *c = dnc_dobj_alloc(n), best = 1e300, s = 0.5;
    slong i;
    int r;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (i = 0; i < n; i++) {
        a[i] = 0.0;
        b[i] = (double) (i % 3);
        c[i] = (double) (i % 5);
    }
    for (r = 0; r < reps; r++) {
        double t = now();
#pragma omp parallel for num_threads(threads) schedule(static)
        for (i = 0; i < n; i++)
            a[i] = b[i] + s * c[i];
        t = now() - t;
        best = t < best ? t : best;
        s = a[r % n] * 1e-300;   /* keeps the loop from being hoisted */
    }
    free(a);
    free(b);
    free(c);
    return 3.0 * 8.0 * (double) n / best * 1e-9;
}

static const char *shape_name(char *buf, const part *q)
{
    if (is_product(q->op))
        snprintf(buf, 96, "%s %c%c %ldx%ldx%ld",
                 strcmp(q->op, "mul") == 0 ? "product" : strcmp(q->op, "mul_decay") == 0 ? "product + decay start"
                                                                                          : "product + ReLU mask",
                 q->ta ? 'T' : 'N', q->tb ? 'T' : 'N', (long) q->m, (long) q->n, (long) q->k);
    else
        snprintf(buf, 96, "%s %ldx%ld", q->op, (long) q->m, (long) q->n);
    return buf;
}

int main(int argc, char **argv)
{
    dnc_problem_t p;
    dnc_problem_args a;
    dnc_train_opts o;
    dnc_trainer_t t;
    dnc_dobj_prof *prof = calloc(1, sizeof(dnc_dobj_prof));
    part parts[DNC_DOBJ_PROF_MAX];
    char err[256], name[96];
    const char *loss = "mse";
    slong steps, s, i, d, N, nparts = 0;
    double lr = 0.01, step_total = 0.0, ops_total = 0.0, flops = 0.0, prod_s = 0.0, prod_best = 0.0, prod_alone = 0.0,
           entry_s = 0.0, entry_best = 0.0,
           entry_bytes = 0.0, triad, ref_dnd, ref_ndd, ref, upd_s, norm_s;
    int threads, reps = 5, r;
    if (argc < 7) {
        fprintf(stderr, "usage: bench_step K n L width threads steps [lr=X] [loss=mse|ce] [reps=R] [clock=cpu] [thin=0] [layout=0|1]\n");
        return 2;
    }
    for (r = 7; r < argc; r++) {
        if (strncmp(argv[r], "lr=", 3) == 0)
            lr = atof(argv[r] + 3);
        else if (strncmp(argv[r], "loss=", 5) == 0)
            loss = argv[r] + 5;
        else if (strncmp(argv[r], "reps=", 5) == 0)
            reps = atoi(argv[r] + 5);
        else if (strcmp(argv[r], "clock=cpu") == 0)
            now = cpu_seconds;
        else if (strcmp(argv[r], "layout=0") == 0 || strcmp(argv[r], "layout=1") == 0)
            dnc_dobj_set_layout(argv[r][7] - '0');
        else if (strcmp(argv[r], "thin=0") == 0)
            dnc_dobj_set_thin(0);
        else {   /* a typo would silently measure the default */
            fprintf(stderr, "bench_step: unknown option '%s' (allowed: lr=X loss=mse|ce reps=R clock=cpu thin=0 "
                            "layout=0|1)\n", argv[r]);
            return 2;
        }
    }
    threads = atoi(argv[5]);
    steps = atol(argv[6]);
    memset(&a, 0, sizeof(a));
    a.K = argv[1];
    a.n = argv[2];
    a.L = argv[3];
    a.width = argv[4];
    a.lambda = "0.004";
    a.loss = loss;
    dnc_problem_init(p);
    if (dnc_problem_set_args(p, &a, err, sizeof(err)) != 0 || threads < 1 || steps < 1 || reps < 1) {
        fprintf(stderr, "bench_step: %s\n", threads < 1 || steps < 1 || reps < 1 ? "threads, steps, reps >= 1" : err);
        return 2;
    }
    d = p->width[0];
    N = p->N;
    dnc_train_opts_default(&o);
    o.lr = lr;
    o.init_std = 0.1;
    o.threads = threads;
    o.steps = steps + 2;
    if (dnc_trainer_init(t, p, &o) != 0) {
        fprintf(stderr, "bench_step: out of memory\n");
        return 1;
    }
    dnc_trainer_step(t);
    dnc_trainer_step(t);
    prof->clock = now;
    dnc_dobj_set_profile(t->obj, prof);
    for (s = 0; s < steps; s++) {
        double t0 = now();
        if (dnc_trainer_step(t) == DNC_STOP_DIVERGED) {
            fprintf(stderr, "bench_step: diverged (lower lr=)\n");
            return 1;
        }
        step_total += now() - t0;
    }
    dnc_dobj_set_profile(t->obj, NULL);
    step_total /= (double) steps;

    /* group the operations of one evaluation by kind and shape */
    for (i = 0; i < prof->nentries; i++) {
        const dnc_dobj_prof_entry *e = prof->e + i;
        slong j;
        for (j = 0; j < nparts && !same_shape(parts + j, e); j++)
            ;
        if (j == nparts) {
            memset(parts + j, 0, sizeof(part));
            parts[j].op = e->op;
            parts[j].ta = e->ta;
            parts[j].tb = e->tb;
            parts[j].m = e->m;
            parts[j].n = e->n;
            parts[j].k = e->k;
            nparts++;
        }
        parts[j].calls++;
        parts[j].seconds += e->seconds / (double) prof->evals;
        parts[j].best += e->best;
        ops_total += e->seconds / (double) prof->evals;
    }

    /* alone: the products on OpenBLAS's own threads; the references; the update and the norm */
    openblas_set_num_threads(threads);
    for (i = 0; i < nparts; i++) {
        part *q = parts + i;
        if (is_product(q->op)) {
            q->alone = dgemm_alone(q->ta, q->tb, q->m, q->n, q->k, reps);
            flops += 2.0 * q->m * q->n * q->k * q->calls;
            prod_s += q->seconds;
            prod_best += q->best;
            prod_alone += q->alone * q->calls;
        } else {
            q->bytes = 8.0 * entrywise_doubles(q->op, q->m, q->n) * q->calls;
            entry_s += q->seconds;
            entry_best += q->best;
            entry_bytes += q->bytes;
        }
    }
    ref_dnd = dgemm_alone(0, 0, d, N, d, reps);
    ref_ndd = dgemm_alone(0, 0, N, d, d, reps);
    ref = ref_dnd < ref_ndd ? ref_dnd : ref_ndd;
    triad = triad_gbs(d * N, threads, 10);
    {   /* the GD update and the gradient norm, alone, over the trainer's own arrays */
        double *x = t->theta, *g = t->grad, lrv = 1e-300, best = 1e300, bestn = 1e300, sum = 0.0;
        slong n = t->n;
        for (r = 0; r < reps; r++) {
            double t0 = now();
#pragma omp parallel for num_threads(threads) schedule(static)
            for (i = 0; i < n; i++)
                x[i] -= lrv * g[i];
            t0 = now() - t0;
            best = t0 < best ? t0 : best;
            t0 = now();
            sum += dnc_dobj_grad_norm(t->obj, g);
            t0 = now() - t0;
            bestn = t0 < bestn ? t0 : bestn;
        }
        upd_s = best;
        norm_s = bestn + 0.0 * sum;
    }
    openblas_set_num_threads(1);

    printf("# bench_step K=%s n=%s L=%s width=%s loss=%s threads=%d steps=%ld, OpenBLAS kernel %s\n", argv[1],
           argv[2], argv[3], argv[4], loss, threads, (long) steps, openblas_get_corename());
    printf("| part | calls/step | ms/step | %% of step | in step (mean) | in step (best) | alone |\n"
           "|---|---|---|---|---|---|---|\n");
    for (i = 0; i < nparts; i++) {
        const part *q = parts + i;
        if (is_product(q->op))
            printf("| %s | %ld | %.3f | %.1f | %.1f GFLOP/s | %.1f GFLOP/s | %.1f GFLOP/s |\n", shape_name(name, q),
                   (long) q->calls, 1e3 * q->seconds, 100.0 * q->seconds / step_total,
                   2.0 * q->m * q->n * q->k * q->calls / q->seconds * 1e-9,
                   2.0 * q->m * q->n * q->k * q->calls / q->best * 1e-9, 2.0 * q->m * q->n * q->k / q->alone * 1e-9);
        else
            printf("| %s | %ld | %.3f | %.1f | %.1f GB/s | %.1f GB/s | |\n", shape_name(name, q), (long) q->calls,
                   1e3 * q->seconds, 100.0 * q->seconds / step_total, q->bytes / q->seconds * 1e-9, q->bytes / q->best * 1e-9);
    }
    printf("| all products | | %.3f | %.1f | %.1f GFLOP/s | %.1f GFLOP/s (%.3f ms) | %.1f GFLOP/s (%.3f ms) |\n",
           1e3 * prod_s, 100.0 * prod_s / step_total, flops / prod_s * 1e-9, flops / prod_best * 1e-9, 1e3 * prod_best,
           flops / prod_alone * 1e-9, 1e3 * prod_alone);
    printf("| all entrywise operations | | %.3f | %.1f | %.1f GB/s (%.0f MB) | %.3f ms | triad %.1f GB/s: %.3f ms |\n",
           1e3 * entry_s, 100.0 * entry_s / step_total, entry_bytes / entry_s * 1e-9, entry_bytes * 1e-6,
           1e3 * entry_best, triad, 1e3 * entry_bytes / (triad * 1e9));
    printf("| update, gradient norm, rest of the step | | %.3f | %.1f | | | update %.3f ms, norm %.3f ms |\n",
           1e3 * (step_total - ops_total), 100.0 * (step_total - ops_total) / step_total, 1e3 * upd_s, 1e3 * norm_s);
    printf("| **step** | | **%.3f** | 100 | %.1f GFLOP/s | | DGEMM %ldx%ldx%ld %.1f, %ldx%ldx%ld %.1f GFLOP/s: step at %.1f%% of the faster |\n",
           1e3 * step_total, flops / step_total * 1e-9, (long) d, (long) N, (long) d, 2.0 * d * N * d / ref_dnd * 1e-9,
           (long) N, (long) d, (long) d, 2.0 * d * N * d / ref_ndd * 1e-9, 100.0 * (flops / step_total) / (2.0 * d * N * d / ref));
    printf("{\"step_ms\": %.4f, \"products_ms\": %.4f, \"products_best_ms\": %.4f, \"products_alone_ms\": %.4f, "
           "\"entrywise_ms\": %.4f, "
           "\"entrywise_mb\": %.1f, \"triad_gbs\": %.2f, \"rest_ms\": %.4f, \"update_ms\": %.4f, \"norm_ms\": %.4f, "
           "\"flops\": %.6g, \"dgemm_dnd_gflops\": %.2f, \"dgemm_ndd_gflops\": %.2f, \"kernel\": \"%s\"}\n",
           1e3 * step_total, 1e3 * prod_s, 1e3 * prod_best, 1e3 * prod_alone, 1e3 * entry_s, entry_bytes * 1e-6, triad,
           1e3 * (step_total - ops_total), 1e3 * upd_s, 1e3 * norm_s, flops, 2.0 * d * N * d / ref_dnd * 1e-9,
           2.0 * d * N * d / ref_ndd * 1e-9, openblas_get_corename());
    dnc_trainer_clear(t);
    dnc_problem_clear(p);
    free(prof);
    return 0;
}
