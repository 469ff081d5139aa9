/* Private to src/io/: the .npy reader on an open stream, shared by .npy files and the
 * members of .npz archives. */
#ifndef DNCERT_IO_PRIV_H
#define DNCERT_IO_PRIV_H

#include <stdio.h>
#include <sys/types.h>
#include "dncert/io.h"

/* Reads one .npy array that occupies exactly `size` bytes of f from its current position
 * (a whole file, or a stored member of an archive). `where` names it in messages ("run/H1.npy",
 * "run/point.npz: array 'H1'"). Same results and checks as dnc_npy_read. */
int _dnc_npy_read_stream(FILE *f, off_t size, const char *where, double **data, int *ndim, slong shape[2],
                         char *err, size_t errlen);

#endif
