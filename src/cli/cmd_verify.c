/* dncert verify: the independent checker's command line (src/verifier/main.c), the same
 * code as the separate executable dncert-verify. Only what makes it behave like the other
 * commands is added here, so that the checker stays as small as it is: --version prints
 * dncert's version, and a mistyped option is named with the closest of the checker's. */
#include <string.h>
#include "dncert/verify.h"
#include "cli.h"
#include "commands.h"

/* The options of src/verifier/main.c besides --help and --version (keep in step with it). */
static const dnc_cli_opt checker_opts[] = {
    { "prec", "BITS", "", NULL }, { "quiet", NULL, "", NULL }, { "explain", NULL, "", NULL },
    { NULL, NULL, NULL, NULL }
};

static int is_checker_option(const char *name, size_t len)
{
    const dnc_cli_opt *o;
    for (o = checker_opts; o->name != NULL; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return 1;
    return 0;
}

int dnc_cmd_verify(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *near;
        size_t len = strcspn(a, "=");
        if (strcmp(a, "--") == 0 || strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            break;   /* only files follow, or the checker's own help */
        if (strcmp(a, "--version") == 0) {
            dnc_cli_print_version(stdout);
            return DNC_EXIT_OK;
        }
        if (strcmp(a, "--prec") == 0)
            i++;     /* its value is the checker's to judge */
        else if (strncmp(a, "--", 2) == 0 && !is_checker_option(a + 2, len - 2)
                 && (near = dnc_cli_suggest_option(checker_opts, a + 2, len - 2)) != NULL)
            return dnc_cli_usage_error("verify", "unknown option '%.*s'; did you mean '--%s'?", (int) len, a, near);
    }
    argv[0] = "dncert verify";
    return dncv_main(argc, argv);
}
