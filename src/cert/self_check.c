/* The producer checks what it writes with the independent verifier (src/verifier/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/cert.h"
#include "dncert/verify.h"

/* The verifier's verdict r (dncv_verify_*), its report and message, as the producer's error. */
static int complaint(int r, char *report, const char *msg, char *err, size_t len)
{
    char *first, *why;
    if (r > 0) {   /* the report's first mismatch line, then its indented reason */
        first = report != NULL ? strtok(report, "\n") : NULL;
        why = first != NULL ? strtok(NULL, "\n") : NULL;
        snprintf(err, len, "the verifier does not confirm the certificate: %.300s%s%.600s",
                 first != NULL ? first : "a claim mismatches", why != NULL ? ": " : "",
                 why != NULL ? why + strspn(why, " ") : "");
    } else if (r < 0)
        snprintf(err, len, "the verifier rejects the certificate: %s", msg);
    free(report);
    return r == 0 ? 0 : -1;
}

int dnc_cert_self_check(const json_t *cert, const char *name, char *err, size_t len)
{
    char *report = NULL, msg[512];
    size_t size = 0;
    FILE *mem = open_memstream(&report, &size);
    int r = dncv_verify_json(cert, name, 0, DNCV_QUIET, mem, NULL, msg, sizeof(msg));
    if (mem != NULL)
        fclose(mem);
    return complaint(r, report, msg, err, len);
}

int dnc_cert_self_check_file(const char *path, char *err, size_t len)
{
    char *report = NULL, msg[512];
    size_t size = 0;
    FILE *mem = open_memstream(&report, &size);
    int r = dncv_verify_file(path, 0, DNCV_QUIET, mem, NULL, msg, sizeof(msg));
    if (mem != NULL)
        fclose(mem);
    return complaint(r, report, msg, err, len);
}
