/* bench_dgemm M N K THREADS REPS [TILE [HOW]]: best-of-REPS time of one C = A B (column-major,
 * m x k times k x n) with OpenBLAS; prints "gflops <rate> ms <best>". With TILE, the
 * checker's own product instead (dncv_test_product: 0 its choice, 1 portable, 2 AVX2,
 * 3 AVX-512; THREADS ignored); HOW, for both: 1 B given transposed (n x k), 4 A given
 * transposed (k x m), 5 both. Used by
 * bench/bench_train.py as the same-run DGEMM reference. The matrices are allocated as
 * dncert allocates its own (dnc_dobj_alloc: blocks of 4 MB and more on transparent huge
 * pages, which makes 512x5000x512 about 3% faster on the AMD EPYC of docs/benchmarks.md),
 * so that the reference is the best single call, not one slowed by the TLB. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cblas.h>
#include "dncert/dobj.h"
#include "dncert/verify.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long m, n, k, i, reps, tile = -1, how = 0;
    double *A, *B, *C, best = 1e300;
    if (argc < 6 || argc > 8) {
        fprintf(stderr, "usage: bench_dgemm M N K THREADS REPS [TILE [HOW]]\n");
        return 2;
    }
    m = atol(argv[1]); n = atol(argv[2]); k = atol(argv[3]); reps = atol(argv[5]);
    if (argc > 6) tile = atol(argv[6]);
    if (argc > 7) how = atol(argv[7]);
    openblas_set_num_threads(atoi(argv[4]));
    A = dnc_dobj_alloc(m * k); B = dnc_dobj_alloc(k * n); C = dnc_dobj_alloc(m * n);
    for (i = 0; i < m * k; i++) A[i] = (double) (i % 7) - 3.0;
    for (i = 0; i < k * n; i++) B[i] = (double) (i % 5) - 2.0;
    for (i = 0; i < reps; i++) {
        double t0 = now(), dt;
        if (tile >= 0) {
            if (!dncv_test_product(C, A, B, m, k, n, (int) (how & 5), (int) tile)) {
                fprintf(stderr, "bench_dgemm: no tile %ld here\n", tile);
                return 2;
            }
        } else
            cblas_dgemm(CblasColMajor, how & 4 ? CblasTrans : CblasNoTrans, how & 1 ? CblasTrans : CblasNoTrans,
                        (int) m, (int) n, (int) k, 1.0, A, how & 4 ? (int) k : (int) m, B, how & 1 ? (int) n : (int) k,
                        0.0, C, (int) m);
        dt = now() - t0;
        if (dt < best) best = dt;
    }
    printf("gflops %.3f ms %.6f\n", 2.0 * m * n * k / best * 1e-9, best * 1e3);
    free(A); free(B); free(C);
    return 0;
}
