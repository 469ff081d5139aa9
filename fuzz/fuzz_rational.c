/* Exact rationals as users write them: dnc_parse_rational must accept or reject every
 * string without crashing, and what it accepts must print and parse back to itself. The
 * same text as a problem option (--lambda, and --n as a list) goes through the problem
 * parser. */
#include <stdint.h>
#include <string.h>
#include <flint/fmpq.h>
#include "dncert/problem.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = fuzz_string(data, size);
    dnc_problem_args a;
    dnc_problem_t p;
    char err[512];
    fmpq_t x, y;
    fmpq_init(x);
    fmpq_init(y);
    if (dnc_parse_rational(x, s) == 0) {
        char *t = dnc_rational_get_str(x);
        if (strlen(t) <= DNC_MAX_RATIONAL_CHARS && (dnc_parse_rational(y, t) != 0 || !fmpq_equal(x, y)))
            fuzz_fail("'%.100s' does not parse back to the value of '%.100s'", t, s);
        flint_free(t);
    }
    memset(&a, 0, sizeof(a));
    a.lambda = s;
    dnc_problem_init(p);
    if (dnc_problem_set_args(p, &a, err, sizeof(err)) == 0)
        dnc_problem_check_double(p, &a, err, sizeof(err));
    memset(&a, 0, sizeof(a));
    a.K = "3";
    a.n = s;
    a.width = s;
    dnc_problem_set_args(p, &a, err, sizeof(err));
    dnc_problem_clear(p);
    fmpq_clear(x);
    fmpq_clear(y);
    return 0;
}
