/* bench_closed K N L WIDTH LAMBDA PREC REPS: best-of-REPS wall time of the DNC closed form
 * (dnc_closed_dnc: exact alive decision, isolation of c*, interval Newton, the balanced
 * scalars and the explicit collapsed point) and of its ball evaluation (dnc_ball_eval),
 * at PREC bits. Three jobs are timed separately, each from scratch on every repetition:
 *
 *   closed      dnc_closed_dnc only
 *   loss        dnc_closed_dnc + dnc_ball_eval(loss only)        <- the job
 *   loss_grad   dnc_closed_dnc + dnc_ball_eval(loss and gradient)
 *
 * Prints one "key value" pair per line: the three best times in ms, the closed-form loss
 * ball and the evaluated loss ball (Arb's "[mid +/- rad]" with enough digits for PREC),
 * whether the two overlap and the largest gradient radius. One untimed warm-up run comes
 * first. Used by bench/bench_closed.py; CMake target `bench_closed`. Exit status 0, or 1
 * when the construction fails or the evaluated ball misses the closed-form ball. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "dncert/closed.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* One job; returns the elapsed seconds. On the last call the balls are copied out. */
static double run(dnc_problem_t p, slong prec, int job, arb_t closed_loss, arb_t eval_loss,
                  double *grad_rad, int *ok)
{
    dnc_closed_t c;
    dnc_beval_t e;
    char err[512];
    double t0 = now(), dt;
    int r = dnc_closed_dnc(c, p, prec, err, sizeof(err));
    dnc_beval_init(e);
    if (r == 0 && job > 0)
        dnc_ball_eval(e, c->point, job == 2, prec);
    dt = now() - t0;
    if (r != 0) {
        fprintf(stderr, "bench_closed: %s\n", err);
        *ok = 0;
    } else {
        arb_set(closed_loss, c->loss);
        if (job > 0)
            arb_set(eval_loss, e->loss);
        if (job == 2)
            *grad_rad = dnc_beval_grad_max_radius(e);
    }
    dnc_beval_clear(e);
    dnc_closed_clear(c);
    return dt;
}

int main(int argc, char **argv)
{
    static const char *names[3] = { "closed", "loss", "loss_grad" };
    dnc_problem_args a = { 0 };
    dnc_problem_t p;
    char err[512];
    slong prec, reps, i, digits;
    int job, ok = 1, overlap;
    double best[3], grad_rad = -1.0;
    arb_t closed_loss, eval_loss;
    char *s;

    if (argc != 8) {
        fprintf(stderr, "usage: bench_closed K N L WIDTH LAMBDA PREC REPS\n");
        return 2;
    }
    a.K = argv[1];
    a.n = argv[2];
    a.L = argv[3];
    a.width = argv[4];
    a.lambda = argv[5];
    prec = atol(argv[6]);
    reps = atol(argv[7]);
    if (prec < DNC_PREC_MIN || reps < 1) {
        fprintf(stderr, "bench_closed: PREC must be >= %d and REPS >= 1\n", DNC_PREC_MIN);
        return 2;
    }
    dnc_problem_init(p);
    if (dnc_problem_set_args(p, &a, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_closed: %s\n", err);
        dnc_problem_clear(p);
        return 2;
    }
    arb_init(closed_loss);
    arb_init(eval_loss);
    run(p, prec, 2, closed_loss, eval_loss, &grad_rad, &ok);   /* untimed warm-up */
    for (job = 0; job < 3 && ok; job++) {
        best[job] = 1e300;
        for (i = 0; i < reps && ok; i++) {
            double dt = run(p, prec, job, closed_loss, eval_loss, &grad_rad, &ok);
            if (dt < best[job])
                best[job] = dt;
        }
    }
    if (!ok) {
        arb_clear(closed_loss);
        arb_clear(eval_loss);
        dnc_problem_clear(p);
        return 1;
    }
    digits = (slong) (prec * 0.30103) + 5;
    for (job = 0; job < 3; job++)
        printf("ms_%s %.6f\n", names[job], best[job] * 1e3);
    s = arb_get_str(closed_loss, digits, 0);
    printf("closed_loss %s\n", s);
    flint_free(s);
    s = arb_get_str(eval_loss, digits, 0);
    printf("eval_loss %s\n", s);
    flint_free(s);
    overlap = arb_overlaps(closed_loss, eval_loss);
    printf("overlap %d\n", overlap);
    printf("grad_max_radius %.3e\n", grad_rad);
    printf("reps %ld\n", (long) reps);
    arb_clear(closed_loss);
    arb_clear(eval_loss);
    dnc_problem_clear(p);
    flint_cleanup();
    return overlap ? 0 : 1;
}
