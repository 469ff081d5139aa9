/* Choosing OpenBLAS's kernel on CPUs it does not recognise.
 *
 * Debian's OpenBLAS 0.3.21 is built with DYNAMIC_ARCH: it picks its kernels from the CPU
 * model when the library loads. On models newer than the library (e.g. Xeons of family 6
 * model 207) it falls back to its generic "Prescott" SSE3 kernels, which run DGEMM 3-4 times
 * slower than its AVX2 ("Haswell") or AVX-512 ("SkylakeX") kernels on the same CPU. The
 * choice can only be overridden by OPENBLAS_CORETYPE at load time, i.e. before main(); so
 * when the user has not set it and OpenBLAS chose a pre-AVX2 kernel on a CPU that supports
 * AVX2+FMA (or AVX-512), dncert re-executes itself once with the better kernel named.
 * DNCERT_KEEP_BLAS_KERNEL=1 disables this.
 *
 * AMD Zen 4 (family 19h with AVX-512) is the other way round: OpenBLAS picks its AVX-512
 * kernels ("Cooperlake"), but the CPU executes a 512-bit FMA as two 256-bit halves, and for
 * products with all dimensions in the hundreds its AVX2 "Zen" kernels are faster (DGEMM
 * 512x5000x512: 50 against 47 GFLOP/s, the weight gradient 512x512x5000: 50 against 46;
 * width 256: a training step 26% faster). The AVX-512 kernels keep the small-matrix path
 * that the trainer uses at widths up to about 100 (20% faster there). The kernel is fixed
 * when the library loads, so `dncert train` re-executes itself once with
 * OPENBLAS_CORETYPE=Zen when its problem's products are the large kind
 * (dnc_cli_select_blas_kernel_for). */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cblas.h>
#include "dncert/dobj.h"
#include "cli.h"

static char **exec_argv;   /* main's argv, for re-executing later */

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
    exec_argv = argv;
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

/* AMD family 19h with AVX-512, i.e. Zen 4 (Zen 3 has no AVX-512). */
static int is_amd_zen4(void)
{
    unsigned a, b, c, d, family;
    if (!__get_cpuid(0, &a, &b, &c, &d) || b != signature_AMD_ebx || c != signature_AMD_ecx
        || d != signature_AMD_edx || !__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    family = (a >> 8) & 0xf;
    if (family == 0xf)
        family += (a >> 20) & 0xff;
    __builtin_cpu_init();
    return family == 0x19 && __builtin_cpu_supports("avx512f");
}

static int is_avx512_kernel(const char *core)
{
    return core != NULL && (strcmp(core, "SkylakeX") == 0 || strcmp(core, "Cooperlake") == 0
                            || strcmp(core, "SapphireRapids") == 0);
}

void dnc_cli_select_blas_kernel_for(const dnc_problem_t p)
{
    const char *from = getenv("DNCERT_BLAS_KERNEL_FROM");
    /* the user's OPENBLAS_CORETYPE wins; ours (FROM set) may be revised once, here */
    if ((getenv("OPENBLAS_CORETYPE") != NULL && from == NULL) || getenv("DNCERT_KEEP_BLAS_KERNEL") != NULL
        || getenv("DNCERT_BLAS_KERNEL_WHY") != NULL || exec_argv == NULL)
        return;
    if (!is_avx512_kernel(openblas_get_corename()) || !is_amd_zen4() || dnc_dobj_small_products(p))
        return;
    setenv("DNCERT_BLAS_KERNEL_FROM", from != NULL ? from : openblas_get_corename(), 1);
    setenv("DNCERT_BLAS_KERNEL_WHY", "large products on AMD Zen 4", 1);
    setenv("OPENBLAS_CORETYPE", "Zen", 1);
    fflush(NULL);
    execv("/proc/self/exe", exec_argv);
    /* exec failed: carry on with the kernel loaded */
    unsetenv("DNCERT_BLAS_KERNEL_WHY");
    if (from == NULL) {
        unsetenv("OPENBLAS_CORETYPE");
        unsetenv("DNCERT_BLAS_KERNEL_FROM");
    }
}

void dnc_cli_print_blas_kernel(FILE *f)
{
    const char *from = getenv("DNCERT_BLAS_KERNEL_FROM");
    fprintf(f, "OpenBLAS %s, kernel %s", openblas_get_config(), openblas_get_corename());
    if (from != NULL && getenv("DNCERT_BLAS_KERNEL_WHY") != NULL)
        fprintf(f, " (selected by dncert for %s: OpenBLAS defaulted to %s on this CPU)",
                getenv("DNCERT_BLAS_KERNEL_WHY"), from);
    else if (from != NULL)
        fprintf(f, " (selected by dncert: OpenBLAS defaulted to %s on this CPU)", from);
    else if (getenv("OPENBLAS_CORETYPE") != NULL)
        fprintf(f, " (OPENBLAS_CORETYPE=%s)", getenv("OPENBLAS_CORETYPE"));
    fprintf(f, "\n");
}
