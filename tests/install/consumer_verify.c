/* A program using the installed checker library alone (check_install.sh): verifies the
 * certificate named on the command line with dncv_verify_file. */
#include <stdio.h>
#include <dncert/verify.h>

int main(int argc, char **argv)
{
    dncv_stats s;
    char err[256];
    int r;
    if (argc != 2)
        return fprintf(stderr, "usage: consumer_verify CERTIFICATE\n"), 2;
    r = dncv_verify_file(argv[1], 0, DNCV_QUIET, NULL, &s, err, sizeof err);
    if (r < 0)
        return fprintf(stderr, "consumer_verify: %s\n", err), 1;
    printf("%ld claims, %ld certified, %ld mismatches\n", s.nclaims, s.ncertified, s.nmismatch);
    return r;
}
