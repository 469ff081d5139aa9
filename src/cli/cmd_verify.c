/* dncert verify: re-check certificate files independently (docs/certificate-format.md). */
#include <stdio.h>
#include <stdlib.h>
#include "dncert/exact.h"
#include "dncert/verify.h"
#include "cli.h"
#include "commands.h"

static const char *usage_head =
    "Usage: dncert verify FILE... [options]\n"
    "\n"
    "Re-checks every claim of each certificate FILE from the file alone: rebuilds the\n"
    "problem and the points, recomputes each claim's verdict with exact rationals and Arb\n"
    "ball arithmetic, and compares it with the written verdict, in both directions (a\n"
    "claim honestly marked \"not proven\" is fine; a tampered verdict is not). Prints one\n"
    "line per claim (FILE: ID KIND VERDICT OK|MISMATCH, with the numbers on a mismatch)\n"
    "and a summary line per file.\n";

static const char *usage_tail =
    "Exit status: 0 when every file is well formed and every verdict re-checks, 1 otherwise,\n"
    "2 for usage errors. The format is specified in docs/certificate-format.md.\n";

int dnc_cmd_verify(int argc, char **argv)
{
    dnc_cli_opt opts[] = {
        { "prec", "BITS", "working precision; the file's precision is used if it is higher", NULL },
        { "quiet", NULL, "print only mismatching claims, failing files and the total", NULL },
        { NULL, NULL, NULL, NULL }
    };
    const char **files = malloc((size_t) argc * sizeof(char *));
    char err[2048];
    int nfiles, i, r, failed = 0, quiet;
    slong prec, nclaims = 0, nbad = 0;
    dnc_verify_stats st;

    r = dnc_cli_parse(opts, argc, argv, files, argc, &nfiles, usage_head, usage_tail);
    if (r == 0 && nfiles == 0)
        r = dnc_cli_usage_error("verify", "expected at least one certificate FILE");
    if (r == 0 && dnc_cli_slong(&prec, opts, "verify", "prec", DNC_PREC_MIN, 1 << 20, DNC_PREC_MIN))
        r = DNC_EXIT_USAGE;
    if (r != 0) {
        free(files);
        return r == 1 ? DNC_EXIT_OK : r;
    }
    quiet = dnc_cli_get(opts, "quiet") != NULL;
    for (i = 0; i < nfiles; i++) {
        r = dnc_verify_file(files[i], prec, quiet ? DNC_VERIFY_QUIET : 0, stdout, &st, err, sizeof(err));
        if (r < 0) {
            fprintf(stderr, "dncert verify: %s: %s\n", files[i], err);
            printf("%s: REJECTED (malformed file)\n", files[i]);
        } else if (!quiet || r != 0)
            printf("%s: %ld claim%s, %ld certified, %ld not proven, %ld mismatches (%ld bits): %s\n", files[i],
                   (long) st.nclaims, st.nclaims == 1 ? "" : "s", (long) st.ncertified, (long) (st.nclaims - st.ncertified),
                   (long) st.nmismatch, (long) st.prec, r == 0 ? "OK" : "FAILED");
        failed += r != 0;
        nclaims += r >= 0 ? st.nclaims : 0;
        nbad += r > 0 ? st.nmismatch : 0;
    }
    printf("verified %d file%s, %ld claim%s: %s\n", nfiles, nfiles == 1 ? "" : "s", (long) nclaims,
           nclaims == 1 ? "" : "s",
           failed ? "FAILED" : "every verdict re-checks");
    if (failed)
        printf("%d file%s rejected or with mismatches (%ld mismatching claims)\n", failed, failed == 1 ? "" : "s",
               (long) nbad);
    free(files);
    return failed ? DNC_EXIT_FAIL : DNC_EXIT_OK;
}
