/* dncert/verify.h -- dncert-verify, the independent certificate checker.
 *
 * Reads a certificate (docs/certificate-format.md, version 2), rebuilds the problem and the
 * points from the file alone, derives every structure's value from the problem, recomputes
 * the verdict of every claim and compares it with the written one. The checker shares no
 * code with the producer (libdncert): it is the library dncert_verifier (src/verifier/),
 * which links only jansson, FLINT, Arb, MPFR and GMP; its trusted base is described in
 * docs/verifier.md. This header includes nothing of libdncert.
 *
 * Return values: 0 = every claim re-checks (recomputed verdict == written verdict, in both
 * directions); 1 = at least one does not; -1 = the file is rejected: malformed, of another
 * version, or beyond the limits of the format (the message in err names the JSON path of
 * the offending field). A claim whose recomputed verdict is "not proven" is fine as long as
 * the file says so too.
 */
#ifndef DNCERT_VERIFY_H
#define DNCERT_VERIFY_H

#include <stdio.h>
#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DNCV_FORMAT  "dncert-certificate"
#define DNCV_VERSION 2

/* Flags of the verifier. */
#define DNCV_QUIET   1   /* report only the claims that MISMATCH */
#define DNCV_EXPLAIN 2   /* after each claim, the checker's own statement of what it checked */

typedef struct {
    long nclaims;     /* claims in the file */
    long ncertified;  /* claims whose recomputed verdict is "certified" */
    long nmismatch;   /* claims whose recomputed verdict differs from the written one */
    long prec;        /* working precision used: max(file's precision, min_prec) */
} dncv_stats;

/* Verifies the certificate object `cert`. `name` prefixes every report line (usually the
 * file name). One line per claim goes to `report` (may be NULL): "NAME: ID KIND VERDICT
 * OK|MISMATCH", followed on a mismatch or a "not proven" claim by the numbers involved. Ball
 * arithmetic runs at max(precision of the file, min_prec) bits. `stats` may be NULL. */
int dncv_verify_json(const json_t *cert, const char *name, long min_prec, int flags, FILE *report,
                     dncv_stats *stats, char *err, size_t errlen);

/* Reads `path` (strict JSON: duplicate keys are errors; at most 256 MiB) and verifies it
 * as dncv_verify_json() with name = path. */
int dncv_verify_file(const char *path, long min_prec, int flags, FILE *report, dncv_stats *stats,
                     char *err, size_t errlen);

/* One claim as the checker decided it, for programs that want the verdicts rather than the
 * report lines. The strings belong to the checker and are valid only during the callback. */
typedef struct {
    const char *id;      /* the claim's id */
    const char *kind;    /* its kind: "loss", "value", "root", ... (docs/certificate-format.md) */
    int verdict;         /* recomputed by the checker: 1 certified, 0 not proven */
    int written;         /* the file's verdict: 1 certified, 0 not proven; a mismatch when != verdict */
    const char *why;     /* why the recomputed verdict is "not proven" ("" when certified) */
    const char *what;    /* what the checker checked, in its own words (as with DNCV_EXPLAIN) */
} dncv_claim;

typedef void (*dncv_claim_fn)(const dncv_claim *claim, void *ctx);

/* As dncv_verify_json and dncv_verify_file, but each claim goes to fn(claim, ctx), in the
 * file's order, instead of a report (fn may be NULL). The return values and stats are the
 * same; fn is called only when the file is accepted (return value 0 or 1). */
int dncv_verify_json_claims(const json_t *cert, long min_prec, dncv_claim_fn fn, void *ctx, dncv_stats *stats,
                            char *err, size_t errlen);
int dncv_verify_file_claims(const char *path, long min_prec, dncv_claim_fn fn, void *ctx, dncv_stats *stats,
                            char *err, size_t errlen);

/* The command line of `dncert-verify` and `dncert verify` (argv[0] is the command name
 * used in messages). Returns the exit status: 0 every file verifies, 1 a file is rejected
 * or has a mismatch, 2 usage error. */
int dncv_main(int argc, char **argv);

/* FOR TESTS ONLY: scales every error term of the checker's fast-double rule (format
 * §6.4.1, src/verifier/vfast.c) by s (default 1). Any s < 1 makes the checker unsound;
 * tests/test_certify_fast.c sets it to check that its tests would catch a bound smaller than
 * proven. Process-wide. */
void dncv_test_fast_bound_scale(double s);

/* FOR TESTS ONLY: scales the final error bound of the checker's gradient_norm rule (format
 * §6.12, src/verifier/vfast.c) by s (default 1). Any s < 1 makes the checker unsound;
 * tests/test_gradient_claim.c sets it to check that its tests would catch a bound smaller
 * than proven. Process-wide. */
void dncv_test_grad_bound_scale(double s);

/* FOR TESTS ONLY: the checker's own matrix product (src/verifier/vfast.c), C (m x n) = A
 * (m x k) B (k x n), column-major with leading dimensions m, m and k; how, the sum of: 1 B
 * given as its transpose (n x k), 2 C += A B, 4 A given as its transpose (k x m). which: 0
 * the tile the checker uses here, 1 the portable one, 2 AVX2, 3 AVX-512. Returns 0 (C
 * untouched) when this machine lacks that tile. */
int dncv_test_product(double *C, const double *A, const double *B, long m, long k, long n, int how, int which);

/* FOR TESTS ONLY: rho (m) <- upper bounds of the row sums of |I - Y A| (A, Y m x m doubles,
 * column-major) as the double path of the checker's Krawczyk test computes them (its product
 * Y A in double and the bound (P1) on its rounding). Returns 0 when the product is refused
 * (floating-point environment) or not finite. */
int dncv_test_krawczyk_rows(double *rho, const double *Y, const double *A, long m);

/* FOR TESTS ONLY: scales the rounding terms of that bound (gamma_m and m^2 eta) by s
 * (default 1). Any s < 1 makes the checker unsound; tests/test_critical.c sets it to check
 * that its tests would catch a bound smaller than proven. Process-wide. */
void dncv_test_krawczyk_bound_scale(double s);

/* FOR TESTS ONLY: the checker's positive-definiteness test of strict_local_min on the
 * double path (src/verifier/vdense.c) on H alone: 1 when every symmetric matrix within D
 * (entrywise, n x n, column-major; the lower triangle of A read) of A is shown positive
 * definite, 0 when not proven. */
int dncv_test_pd_double(const double *A, const double *D, long n);

#ifdef __cplusplus
}
#endif
#endif
