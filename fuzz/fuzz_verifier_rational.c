/* The checker's own rational parser (src/verifier/vread.c): every string is accepted or
 * rejected without crashing, within its limits, and what it accepts prints as "num/den" and
 * parses back to the same value. */
#include <stdint.h>
#include <string.h>
#include "verifier/verifier.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = fuzz_string(data, size);
    fmpq_t x, y;
    fmpq_init(x);
    fmpq_init(y);
    if (vx_parse_rational(x, s) == 0) {
        char *t = fmpq_get_str(NULL, 10, x);
        if (strlen(t) <= VX_MAX_CHARS && (vx_parse_rational(y, t) != 0 || !fmpq_equal(x, y)))
            fuzz_fail("'%.100s' does not parse back to the value of '%.100s'", t, s);
        flint_free(t);
    }
    fmpq_clear(x);
    fmpq_clear(y);
    return 0;
}
