/* .npy files: dnc_npy_read on arbitrary bytes. It must accept or reject every file
 * without crashing or allocating more than the file holds; what it accepts must have
 * exactly the data its shape calls for. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "dncert/io.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[600] = "";
    char err[512];
    double *a;
    slong shape[2];
    int ndim;
    if (path[0] == '\0')
        snprintf(path, sizeof(path), "%s/a.npy", fuzz_tmpdir());
    fuzz_write_file(path, data, size);
    if (dnc_npy_read(path, &a, &ndim, shape, err, sizeof(err)) == 0) {
        if (ndim < 1 || ndim > 2 || shape[0] < 0 || shape[1] < 0
            || (size_t) shape[0] * (size_t) shape[1] * sizeof(double) > size)
            fuzz_fail("accepted a shape (%ld, %ld) that a %zu-byte file cannot hold", (long) shape[0], (long) shape[1], size);
        free(a);
    }
    return 0;
}
