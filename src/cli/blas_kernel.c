/* Choosing OpenBLAS's kernel on CPUs it does not recognise.
 *
 * Debian's OpenBLAS 0.3.21 is built with DYNAMIC_ARCH: it picks its kernels from the CPU
 * model when the library loads. On models newer than the library (e.g. Xeons of family 6
 * model 207) it falls back to its generic "Prescott" SSE3 kernels, which run DGEMM 3-4 times
 * slower than its AVX2 ("Haswell") or AVX-512 ("SkylakeX") kernels on the same CPU. The
 * choice can only be overridden by OPENBLAS_CORETYPE at load time, i.e. before main(); so
 * when the user has not set it and OpenBLAS chose a pre-AVX2 kernel on a CPU that supports
 * AVX2+FMA (or AVX-512), dncert re-executes itself once with the better kernel named.
 * DNCERT_KEEP_BLAS_KERNEL=1 disables this. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cblas.h>
#include "cli.h"

/* OpenBLAS core names that predate AVX2 (what it falls back to for unknown CPUs). */
static int is_pre_avx2(const char *core)
{
    static const char *old[] = { "Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom",
                                 "Sandybridge", "Katmai", "Coppermine", "Northwood", "Banias" };
    size_t i;
    for (i = 0; core != NULL && i < sizeof(old) / sizeof(old[0]); i++)
        if (strcmp(core, old[i]) == 0)
            return 1;
    return 0;
}

/* The best kernel OpenBLAS has for this CPU's instruction set, or NULL. */
static const char *better_kernel(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return "Haswell";
    return NULL;
}

void dnc_cli_select_blas_kernel(char **argv)
{
    const char *kernel;
    if (getenv("OPENBLAS_CORETYPE") != NULL || getenv("DNCERT_KEEP_BLAS_KERNEL") != NULL)
        return;
    if (!is_pre_avx2(openblas_get_corename()) || (kernel = better_kernel()) == NULL)
        return;
    /* Marks the choice for --version; the re-executed process does not come back here
     * since OPENBLAS_CORETYPE is now set. */
    setenv("OPENBLAS_CORETYPE", kernel, 1);
    setenv("DNCERT_BLAS_KERNEL_FROM", openblas_get_corename(), 1);
    execv("/proc/self/exe", argv);
    /* exec failed: carry on with the kernel OpenBLAS chose */
    unsetenv("OPENBLAS_CORETYPE");
    unsetenv("DNCERT_BLAS_KERNEL_FROM");
}

void dnc_cli_print_blas_kernel(FILE *f)
{
    const char *from = getenv("DNCERT_BLAS_KERNEL_FROM");
    fprintf(f, "OpenBLAS %s, kernel %s", openblas_get_config(), openblas_get_corename());
    if (from != NULL)
        fprintf(f, " (selected by dncert: OpenBLAS defaulted to %s on this CPU)", from);
    else if (getenv("OPENBLAS_CORETYPE") != NULL)
        fprintf(f, " (OPENBLAS_CORETYPE=%s)", getenv("OPENBLAS_CORETYPE"));
    fprintf(f, "\n");
}
