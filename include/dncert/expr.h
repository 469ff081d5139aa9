/* dncert/expr.h -- exact expressions in theorem files (docs/theorems.md).
 *
 * Values are exact rationals or strings. Grammar, loosest binding first:
 *   c ? a : b      or      and      not x      < <= > >= == !=      + -      * /
 *   unary -      x ^ k (k an integer; right-associative)
 *   atoms: numbers (as dnc_parse_rational reads them: 12, 0.004, 4e-3), 'strings',
 *   variables, (e), and the functions C(n, k), floor(x), min(a, b), max(a, b).
 * Comparisons and logic give 1 or 0; any non-zero rational is true.
 *
 * Limits (docs/theorems.md), each an error naming the operation: nesting (parentheses,
 * function arguments, c ? a : b, unary minus, not, exponents) at most DNC_EXPR_MAX_DEPTH
 * levels deep; every value (numerator and denominator together) at most
 * DNC_EXPR_MAX_BITS bits, checked before C(n, k) and x ^ k are computed; exponents of
 * magnitude at most 100000. Evaluation time is thus bounded by the length of the text.
 */
#ifndef DNCERT_EXPR_H
#define DNCERT_EXPR_H

#include <stddef.h>
#include <flint/fmpq.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DNC_EXPR_MAX_DEPTH 64
#define DNC_EXPR_MAX_BITS  65536

typedef struct {
    int is_string;
    fmpq_t q;
    char str[64];
} dnc_value;

void dnc_value_init(dnc_value *v);
void dnc_value_clear(dnc_value *v);
void dnc_value_set(dnc_value *dst, const dnc_value *src);

/* Text of a value: a string as is, a rational exactly ("1/250", "3"). */
void dnc_value_text(char *buf, size_t len, const dnc_value *v);

/* A set of named values. */
typedef struct {
    slong n, alloc;
    char (*name)[32];
    dnc_value *val;
} dnc_env;

void dnc_env_init(dnc_env *e);
void dnc_env_clear(dnc_env *e);
void dnc_env_set(dnc_env *e, const char *name, const dnc_value *v);
void dnc_env_set_si(dnc_env *e, const char *name, slong x);
const dnc_value *dnc_env_get(const dnc_env *e, const char *name);

/* Evaluates text in env. Returns 0, or -1 with a message (position and reason) in err. */
int dnc_expr_eval(dnc_value *out, const char *text, const dnc_env *env, char *err, size_t errlen);

/* Evaluates a condition: *truth = 1 or 0. Strings are an error. */
int dnc_expr_truth(int *truth, const char *text, const dnc_env *env, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
