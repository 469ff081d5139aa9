/* Run directories: the input is a manifest.json, placed in a directory that holds the
 * arrays of a small saved point (K = 2, n = 2, L = 2, width 3, with a bias); the point is
 * loaded with dnc_point_load, which must accept or reject it without crashing and without
 * allocating more than the files hold. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "dncert/io.h"
#include "common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    dnc_problem_args a = { .K = "2", .n = "2", .L = "2", .width = "3", .activation = "relu", .bias = "free",
                           .lambda = "1/250" };
    dnc_problem_t p;
    double theta[64];
    char err[512];
    int i;
    (void) argc;
    (void) argv;
    for (i = 0; i < 64; i++)
        theta[i] = 0.25 * (i % 7) - 0.5;
    dnc_problem_init(p);
    if (dnc_problem_set_args(p, &a, err, sizeof(err)) != 0 || dnc_point_save(fuzz_tmpdir(), p, theta, NULL, err, sizeof(err)) != 0)
        fuzz_fail("cannot save the point the manifests refer to: %s", err);
    dnc_problem_clear(p);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[600] = "";
    char err[4096];
    dnc_problem_t p;
    double *theta;
    if (path[0] == '\0')
        snprintf(path, sizeof(path), "%s/manifest.json", fuzz_tmpdir());
    fuzz_write_file(path, data, size);
    dnc_problem_init(p);
    if (dnc_point_load(fuzz_tmpdir(), p, &theta, err, sizeof(err)) == 0)
        free(theta);
    dnc_problem_clear(p);
    return 0;
}
