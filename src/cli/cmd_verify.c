/* dncert verify: the independent checker's command line (src/verifier/main.c), the same
 * code as the separate executable dncert-verify. */
#include "dncert/verify.h"
#include "commands.h"

int dnc_cmd_verify(int argc, char **argv)
{
    argv[0] = "dncert verify";
    return dncv_main(argc, argv);
}
