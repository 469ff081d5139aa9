/* dncert-verify: the independent certificate checker as its own executable. */
#include "dncert/verify.h"

int main(int argc, char **argv)
{
    argv[0] = "dncert-verify";
    return dncv_main(argc, argv);
}
