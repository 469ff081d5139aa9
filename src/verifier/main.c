/* The command line of the checker: `dncert-verify FILE...` (and `dncert verify FILE...`,
 * which runs this same function). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "dncert/verify.h"
#include "verifier.h"

#ifndef DNCERT_VERSION
#define DNCERT_VERSION "unknown"
#endif

static void usage(FILE *f, const char *cmd)
{
    fprintf(f,
            "Usage: %s FILE... [--prec BITS] [--quiet] [--explain]\n"
            "\n"
            "Re-checks every claim of each certificate FILE (docs/certificate-format.md, version 2)\n"
            "from the file alone: rebuilds the problem and the points, derives the value of every\n"
            "named structure from the problem, recomputes each claim's verdict with exact rationals\n"
            "and Arb ball arithmetic, and compares it with the written verdict in both directions\n"
            "(a claim honestly marked \"not proven\" is fine; a tampered verdict is not). This checker\n"
            "shares no code with the program that wrote the file (docs/verifier.md).\n"
            "\n"
            "Options:\n"
            "  --prec BITS  working precision, %d..%d; the file's precision is used if it is higher\n"
            "  --quiet      print only mismatching claims, rejected files and the total\n"
            "  --explain    after each claim, what the checker checked, in its own words\n"
            "  --help       this text;  --version  the version\n"
            "\n"
            "Prints one line per claim (FILE: ID KIND VERDICT OK|MISMATCH, with the numbers when a\n"
            "claim is not proven) and a summary line per file. Exit status: 0 when every file is well\n"
            "formed and every verdict re-checks, 1 when a file is rejected or has a mismatch, 2 for a\n"
            "usage error or a FILE that cannot be read.\n",
            cmd, VX_PREC_MIN, VX_PREC_MAX);
}

static int bad_usage(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(run '%s --help' for the options)\n", cmd);
    return 2;
}

/* Parses the options; files are collected in files[0..*nfiles). Returns -1 to go on, or an
 * exit status. */
static int parse(int argc, char **argv, const char **files, int *nfiles, long *prec, int *flags)
{
    const char *cmd = argv[0];
    char *end;
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return usage(stdout, cmd), 0;
        if (strcmp(a, "--version") == 0)
            return printf("%s %s (certificate format %d)\n", cmd, DNCERT_VERSION, DNCV_VERSION), 0;
        if (strcmp(a, "--quiet") == 0)
            *flags |= DNCV_QUIET;
        else if (strcmp(a, "--explain") == 0)
            *flags |= DNCV_EXPLAIN;
        else if (strcmp(a, "--prec") == 0 || strncmp(a, "--prec=", 7) == 0) {
            const char *v = a[6] == '=' ? a + 7 : i + 1 < argc ? argv[++i] : NULL;
            if (v == NULL)
                return bad_usage(cmd, "--prec needs a value%s", "");
            errno = 0;
            *prec = strtol(v, &end, 10);
            if (errno != 0 || *end != '\0' || end == v || *prec < VX_PREC_MIN || *prec > VX_PREC_MAX)
                return bad_usage(cmd, "--prec: expected an integer in [64, 4096], got '%.40s'", v);
        } else if (strcmp(a, "--") == 0) {
            while (++i < argc)
                files[(*nfiles)++] = argv[i];
        } else if (a[0] == '-' && a[1] != '\0')
            return bad_usage(cmd, "unknown option '%.60s'", a);
        else
            files[(*nfiles)++] = a;
    }
    if (*nfiles == 0)
        return bad_usage(cmd, "expected at least one certificate FILE%s", "");
    return -1;
}

int dncv_main(int argc, char **argv)
{
    const char **files = malloc(((size_t) argc + 1) * sizeof(char *));
    const char *cmd = argv[0];
    char err[2048];
    int nfiles = 0, flags = 0, i, r, failed = 0, unreadable = 0;
    long prec = VX_PREC_MIN, nclaims = 0, nbad = 0;
    dncv_stats st;
    struct stat sb;
    if ((r = parse(argc, argv, files, &nfiles, &prec, &flags)) >= 0) {
        free(files);
        return r;
    }
    if (!vx_critical_method_known()) {   /* a misspelt value would silently run both paths */
        fprintf(stderr, "%s: environment variable DNCERT_CRITICAL_METHOD='%s': expected 'double' or 'ball' "
                        "(unset: the double path first, then balls)\n", cmd, getenv("DNCERT_CRITICAL_METHOD"));
        free(files);
        return 2;
    }
    for (i = 0; i < nfiles; i++) {
        errno = 0;   /* a directory or a device is no more readable as a certificate than a missing file */
        if (stat(files[i], &sb) != 0 || access(files[i], R_OK) != 0 || !S_ISREG(sb.st_mode)) {
            fprintf(stderr, "%s: %s: cannot read the file: %s\n", cmd, files[i],
                    errno != 0 ? strerror(errno) : "not a regular file");
            unreadable++;
            continue;
        }
        r = dncv_verify_file(files[i], prec, flags, stdout, &st, err, sizeof(err));
        if (r < 0) {
            fprintf(stderr, "%s: %s: %s\n", cmd, files[i], err);
            printf("%s: REJECTED (%s)\n", files[i], err);
        } else if (!(flags & DNCV_QUIET) || r != 0)
            printf("%s: %ld claim%s, %ld certified, %ld not proven, %ld mismatch%s (%ld bits): %s\n", files[i],
                   st.nclaims, st.nclaims == 1 ? "" : "s", st.ncertified, st.nclaims - st.ncertified, st.nmismatch,
                   st.nmismatch == 1 ? "" : "es", st.prec, r == 0 ? "OK" : "FAILED");
        failed += r != 0;
        nclaims += r >= 0 ? st.nclaims : 0;
        nbad += r > 0 ? st.nmismatch : 0;
    }
    printf("verified %d file%s, %ld claim%s: %s\n", nfiles - unreadable, nfiles - unreadable == 1 ? "" : "s", nclaims,
           nclaims == 1 ? "" : "s", failed || unreadable ? "FAILED" : "every verdict re-checks");
    if (failed)
        printf("%d file%s rejected or with mismatches (%ld mismatching claim%s)\n", failed, failed == 1 ? "" : "s",
               nbad, nbad == 1 ? "" : "s");
    free(files);
    flint_cleanup();
    return unreadable ? 2 : failed ? 1 : 0;
}
