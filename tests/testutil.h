/* Helpers shared by the Criterion tests. */
#ifndef DNCERT_TESTUTIL_H
#define DNCERT_TESTUTIL_H

#include <stddef.h>
#include "dncert/problem.h"

/* Runs DNCERT_BIN with the given arguments (NULL-terminated), capturing stdout and
 * stderr (each truncated to cap bytes, NUL-terminated). Returns the exit code, or -1. */
int tu_run(char *out, char *err, size_t cap, const char *const *args);

/* Creates a fresh empty directory under /tmp and writes its path into buf. */
void tu_tmpdir(char *buf, size_t len);

/* Builds a problem from option strings (as on the command line); aborts the test on error. */
void tu_problem(dnc_problem_t p, const char *K, const char *n, const char *L, const char *width,
                const char *act, const char *bias, const char *lambda);

#endif
