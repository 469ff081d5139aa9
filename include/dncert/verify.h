/* dncert/verify.h -- the independent certificate checker.
 *
 * Reads a certificate (docs/certificate-format.md, version 1), rebuilds the problem and
 * the points from the file alone, recomputes the verdict of every claim and compares it
 * with the written one. It shares with the producer only the file readers (problem,
 * rationals) and the ball evaluator of the objective (exact.h); the closed forms, their
 * polynomials and root finders are re-derived here from the format's definitions.
 *
 * Return values: 0 = every claim re-checks (recomputed verdict == written verdict, in
 * both directions); 1 = at least one claim does not; -1 = the file is malformed (the
 * message in err names the JSON path of the offending field). A claim whose recomputed
 * verdict is "not proven" is fine as long as the file says so too.
 */
#ifndef DNCERT_VERIFY_H
#define DNCERT_VERIFY_H

#include <stdio.h>
#include <jansson.h>
#include <flint/flint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DNC_CERT_FORMAT  "dncert-certificate"
#define DNC_CERT_VERSION 1

/* Flags of the verifier. */
#define DNC_VERIFY_QUIET 1   /* report only the claims that MISMATCH */

typedef struct {
    slong nclaims;     /* claims in the file */
    slong ncertified;  /* claims whose recomputed verdict is "certified" */
    slong nmismatch;   /* claims whose recomputed verdict differs from the written one */
    slong prec;        /* working precision used: max(file's precision, min_prec) */
} dnc_verify_stats;

/* Verifies the certificate object `cert`. `name` prefixes every report line (usually
 * the file name). One line per claim goes to `report` (may be NULL): "NAME: ID KIND
 * VERDICT OK|MISMATCH", followed on a mismatch or a "not proven" claim by the numbers
 * involved. Ball arithmetic runs at max(precision of the file, min_prec) bits. `stats`
 * may be NULL. Returns 0, 1 or -1 as described above. */
int dnc_verify_json(const json_t *cert, const char *name, slong min_prec, int flags,
                    FILE *report, dnc_verify_stats *stats, char *err, size_t errlen);

/* Reads `path` (strict JSON: duplicate keys are errors; a parse error is reported with
 * its line and column) and verifies it as dnc_verify_json() with name = path. */
int dnc_verify_file(const char *path, slong min_prec, int flags, FILE *report,
                    dnc_verify_stats *stats, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
