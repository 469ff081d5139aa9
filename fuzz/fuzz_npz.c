/* .npz archives: dnc_npz_open and dnc_npz_read of every array on arbitrary bytes. They
 * must accept or reject every archive without crashing or allocating more than the file
 * holds; an accepted table of contents has at most DNC_NPZ_MAX_ARRAYS names, in strictly
 * increasing order (no name twice), and an accepted array fits in the file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[600] = "";
    char err[1024];
    dnc_npz *z;
    double *a;
    slong shape[2], i;
    int ndim;
    if (path[0] == '\0')
        snprintf(path, sizeof(path), "%s/a.npz", fuzz_tmpdir());
    fuzz_write_file(path, data, size);
    if ((z = dnc_npz_open(path, err, sizeof(err))) == NULL) {
        if (err[0] == '\0')
            fuzz_fail("a rejection without a message");
        return 0;
    }
    if (dnc_npz_count(z) > DNC_NPZ_MAX_ARRAYS)
        fuzz_fail("accepted %ld arrays", (long) dnc_npz_count(z));
    for (i = 0; i < dnc_npz_count(z); i++) {
        if (i > 0 && strcmp(dnc_npz_name(z, i - 1), dnc_npz_name(z, i)) >= 0)
            fuzz_fail("names out of order or twice: '%s', '%s'", dnc_npz_name(z, i - 1), dnc_npz_name(z, i));
        err[0] = '\0';
        if (dnc_npz_read(z, dnc_npz_name(z, i), &a, &ndim, shape, err, sizeof(err)) == 0) {
            if (ndim < 1 || ndim > 2 || shape[0] < 0 || shape[1] < 0
                || (size_t) shape[0] * (size_t) shape[1] * sizeof(double) > size)
                fuzz_fail("accepted a shape (%ld, %ld) that a %zu-byte file cannot hold", (long) shape[0],
                          (long) shape[1], size);
            free(a);
        } else if (err[0] == '\0')
            fuzz_fail("a rejection of '%s' without a message", dnc_npz_name(z, i));
    }
    dnc_npz_close(z);
    return 0;
}
