/* Theorem-file expressions: dnc_expr_eval and dnc_expr_truth on arbitrary text, in an
 * environment like an instance's (integers, a rational, a string). Every input must be
 * evaluated or rejected with a message, quickly and without crashing. */
#include <stdint.h>
#include <string.h>
#include "dncert/expr.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = fuzz_string(data, size);
    dnc_env env;
    dnc_value v;
    char err[512], text[128];
    int truth;
    dnc_env_init(&env);
    dnc_env_set_si(&env, "r", 5);
    dnc_env_set_si(&env, "K", 10);
    dnc_env_set_si(&env, "L", 4);
    dnc_value_init(&v);
    fmpq_set_si(v.q, 1, 250);
    dnc_env_set(&env, "lambda", &v);
    v.is_string = 1;
    strcpy(v.str, "relu");
    dnc_env_set(&env, "act", &v);
    if (dnc_expr_eval(&v, s, &env, err, sizeof(err)) == 0) {
        dnc_value_text(text, sizeof(text), &v);
        if (!v.is_string && fmpz_bits(fmpq_numref(v.q)) + fmpz_bits(fmpq_denref(v.q)) > DNC_EXPR_MAX_BITS)
            fuzz_fail("'%.100s' gave a value beyond %d bits", s, DNC_EXPR_MAX_BITS);
    } else if (err[0] == '\0')
        fuzz_fail("'%.100s' was rejected without a message", s);
    dnc_expr_truth(&truth, s, &env, err, sizeof(err));
    dnc_value_clear(&v);
    dnc_env_clear(&env);
    return 0;
}
