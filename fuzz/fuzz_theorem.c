/* Theorem files: the input is a whole file, loaded with dnc_theorem_load_buffer (schema,
 * names, grid limits, the problem of each part's first instance); when it loads, the
 * first and last few instances are expanded (grid binding, problem templates). Every
 * input must load or be rejected with a message, without crashing. */
#include <stdint.h>
#include "dncert/theorem.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dnc_theorem t;
    char err[1024] = "";
    slong n, i;
    if (dnc_theorem_load_buffer(&t, (const char *) data, size, "fuzz.json", err, sizeof(err)) != 0) {
        if (err[0] == '\0')
            fuzz_fail("rejected without a message");
        return 0;
    }
    n = dnc_theorem_count(&t);
    if (n < 1 || n > DNC_THEOREM_MAX_INSTANCES)
        fuzz_fail("loaded with %ld instances", (long) n);
    for (i = 0; i < n; i = i < 3 || i >= n - 4 ? i + 1 : n - 4) {
        dnc_instance inst;
        dnc_instance_init(&inst, &t, i, err, sizeof(err));
        dnc_instance_clear(&inst);
    }
    dnc_theorem_clear(&t);
    return 0;
}
