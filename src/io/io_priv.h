/* Private to src/io/: helpers shared between its files. Not part of the public API. */
#ifndef DNCERT_IO_PRIV_H
#define DNCERT_IO_PRIV_H

#include <stdio.h>
#include <sys/types.h>
#include <flint/fmpq.h>
#include "dncert/io.h"

/* ---- exact decimals: enclosure.c (the producer's JSON enclosures) and decimal.c (outward
 * rounding for dncert report) ---- */

/* t <- 10^e as an fmpq (e may be negative). */
void _dnc_pow10_fmpq(fmpq_t t, slong e);

/* The decimal exponent e with 10^e <= |q| < 10^(e+1), by exact comparison; q must be
 * non-zero (callers handle 0, which has no such e). */
slong _dnc_decimal_exponent(const fmpq_t q);

/* The integer m * 10^-k as a decimal string (k > 0: k digits after the point; k <= 0: -k
 * zeros appended). Caller frees with flint_free. */
char *_dnc_scaled_integer_str(const fmpz_t m, slong k);

/* ---- .npy: the reader on an open stream, shared by .npy files and the members of .npz
 * archives ---- */

/* Reads one .npy array that occupies exactly `size` bytes of f from its current position
 * (a whole file, or a stored member of an archive). `where` names it in messages ("run/H1.npy",
 * "run/point.npz: array 'H1'"). Same results and checks as dnc_npy_read. */
int _dnc_npy_read_stream(FILE *f, off_t size, const char *where, double **data, int *ndim, slong shape[2],
                         char *err, size_t errlen);

/* ---- SHA-256 (sha256.c) ---- */

/* on = 1: the SHA-NI compression from now on when the CPU has it (the default); on = 0: the
 * portable one. Returns 1 when SHA-NI is in use. Process-wide; for tests and benchmarks, which
 * compare the two. */
int _dnc_sha256_accel(int on);

#endif
