/* Certificates as a hostile reviewer writes them: dncert-verify must accept or reject every
 * file without crashing, hanging or exhausting memory (format §9 bounds its work), and its
 * answer must not depend on anything but the file (a second run gives the same). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "dncert/verify.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[600], err[1024], err2[1024];
    dncv_stats a, b;
    int r, r2;
    snprintf(path, sizeof(path), "%s/cert.json", fuzz_tmpdir());
    fuzz_write_file(path, data, size);
    r = dncv_verify_file(path, 64, DNCV_QUIET, NULL, &a, err, sizeof(err));
    if (r < -1 || r > 1)
        fuzz_fail("dncv_verify_file returned %d", r);
    if (r >= 0) {   /* deterministic: the same verdicts again */
        r2 = dncv_verify_file(path, 64, DNCV_QUIET, NULL, &b, err2, sizeof(err2));
        if (r2 != r || a.ncertified != b.ncertified || a.nmismatch != b.nmismatch)
            fuzz_fail("two runs on one file disagree (%d, %d)", r, r2);
    }
    return 0;
}
