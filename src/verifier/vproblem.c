/* The problem of a certificate (format §4), read and range-checked by the checker itself. */
#include <string.h>
#include "verifier.h"

void vx_problem_init(vx_problem *p)
{
    memset(p, 0, sizeof(*p));
    fmpz_init(p->N);
    fmpq_init(p->lambda_h);
    fmpq_init(p->lhL);
}

void vx_problem_clear(vx_problem *p)
{
    slong l;
    if (p->lambda_w != NULL)
        for (l = 0; l < p->L; l++)
            fmpq_clear(p->lambda_w + l);
    flint_free(p->lambda_w);
    flint_free(p->n);
    flint_free(p->width);
    flint_free(p->relu);
    fmpz_clear(p->N);
    fmpq_clear(p->lambda_h);
    fmpq_clear(p->lhL);
}

/* o[key] is an array of exactly len items of JSON type t. */
static int list(vx_ctx *c, const json_t *o, const char *key, slong len, json_type t)
{
    const json_t *a = json_object_get(o, key);
    size_t i;
    if ((slong) json_array_size(a) != len)
        return vx_fail(c, "problem.%s: expected %ld entries, got %zu", key, (long) len, json_array_size(a));
    for (i = 0; i < json_array_size(a); i++)
        if (json_typeof(json_array_get(a, i)) != t)
            return vx_fail(c, "problem.%s[%zu]: expected %s", key, i, t == JSON_STRING ? "a string" : "an integer");
    return 0;
}

/* Entry i of the integer list o[key], in [lo, hi]. */
static int item(vx_ctx *c, const json_t *o, const char *key, size_t i, slong lo, slong hi, slong *x)
{
    json_int_t v = json_integer_value(json_array_get(json_object_get(o, key), i));
    if (v < lo || v > hi)
        return vx_fail(c, "problem.%s[%zu]: expected an integer in [%ld, %ld], got %lld", key, i, (long) lo,
                       (long) hi, (long long) v);
    *x = (slong) v;
    return 0;
}

/* A positive rational string. */
static int lambda(vx_ctx *c, const json_t *s, const char *path, fmpq_t q)
{
    if (vx_parse_rational(q, json_string_value(s)) != 0 || fmpq_sgn(q) <= 0)
        return vx_fail(c, "%s: expected a positive rational string (format §3)", path);
    return 0;
}

/* The weight decays together have at most VX_MAX_LAMBDA_BITS bits (§9), which bounds the
 * size of every constant derived from them (P, Q, the block polynomials). */
static int lambda_bits(vx_ctx *c, const vx_problem *p)
{
    double bits = (double) (fmpz_bits(fmpq_numref(p->lambda_h)) + fmpz_bits(fmpq_denref(p->lambda_h)));
    slong l;
    for (l = 0; l < p->L; l++)
        bits += (double) (fmpz_bits(fmpq_numref(p->lambda_w + l)) + fmpz_bits(fmpq_denref(p->lambda_w + l)));
    if (bits > (double) VX_MAX_LAMBDA_BITS)
        return vx_fail(c, "problem: the weight decays have %.0f bits together, more than the limit %ld of §9", bits,
                       (long) VX_MAX_LAMBDA_BITS);
    return 0;
}

/* lhL <- lambda_H prod_l lambda_W_l (a local first: GCC 12 misreads fmpq_t members). */
static void lambda_product(vx_problem *p)
{
    fmpq_t t;
    slong l;
    fmpq_init(t);
    fmpq_set(t, p->lambda_h);
    for (l = 0; l < p->L; l++)
        fmpq_mul(t, t, p->lambda_w + l);
    fmpq_swap(p->lhL, t);
    fmpq_clear(t);
}

int vx_problem_read(vx_ctx *c, const json_t *o)
{
    vx_problem *p = &c->p;
    const char *a;
    char path[VPATH];
    slong l, k;
    if (vx_schema(c, o, "problem", "K:i n:a L:i width:a activation:a bias:s loss:s? lambda_h:s lambda_w:a")
        || vx_int(c, o, "problem", "K", 2, VX_MAX_K, &p->K) || vx_int(c, o, "problem", "L", 1, VX_MAX_L, &p->L)
        || list(c, o, "n", p->K, JSON_INTEGER) || list(c, o, "width", p->L, JSON_INTEGER)
        || list(c, o, "activation", p->L - 1, JSON_STRING) || list(c, o, "lambda_w", p->L, JSON_STRING))
        return -1;
    p->n = flint_malloc(p->K * sizeof(slong));
    p->width = flint_malloc(p->L * sizeof(slong));
    p->relu = flint_calloc(p->L, sizeof(int));
    p->lambda_w = flint_malloc(p->L * sizeof(fmpq));
    for (l = 0; l < p->L; l++)
        fmpq_init(p->lambda_w + l);
    for (k = 0; k < p->K; k++) {
        if (item(c, o, "n", (size_t) k, 1, VX_MAX_COUNT, p->n + k))
            return -1;
        fmpz_add_ui(p->N, p->N, (ulong) p->n[k]);
    }
    for (l = 0; l < p->L; l++)
        if (item(c, o, "width", (size_t) l, 1, VX_MAX_WIDTH, p->width + l)
            || lambda(c, json_array_get(json_object_get(o, "lambda_w"), l), vx_pathf(path, "problem.lambda_w[%ld]", (long) l),
                      p->lambda_w + l))
            return -1;
    for (l = 0; l + 1 < p->L; l++) {
        a = json_string_value(json_array_get(json_object_get(o, "activation"), l));
        if (strcmp(a, "relu") != 0 && strcmp(a, "linear") != 0)
            return vx_fail(c, "problem.activation[%ld]: expected \"relu\" or \"linear\", got \"%.32s\"", (long) l, a);
        p->relu[l] = strcmp(a, "relu") == 0;
    }
    a = vx_str(o, "bias");
    if (strcmp(a, "none") != 0 && strcmp(a, "free") != 0)
        return vx_fail(c, "problem.bias: expected \"none\" or \"free\", got \"%.32s\"", a);
    p->bias = strcmp(a, "free") == 0;
    a = vx_str(o, "loss");   /* absent: mse */
    if (a != NULL && strcmp(a, "mse") != 0 && strcmp(a, "ce") != 0)
        return vx_fail(c, "problem.loss: expected \"mse\" or \"ce\", got \"%.32s\"", a);
    p->ce = a != NULL && strcmp(a, "ce") == 0;
    if (lambda(c, json_object_get(o, "lambda_h"), "problem.lambda_h", p->lambda_h) || lambda_bits(c, p))
        return -1;
    lambda_product(p);
    return 0;
}

int vx_problem_balanced(const vx_problem *p)
{
    slong k;
    for (k = 1; k < p->K; k++)
        if (p->n[k] != p->n[0])
            return 0;
    return 1;
}

slong vx_out_rows(const vx_problem *p, slong l)
{
    return l < p->L ? p->width[l] : p->K;
}
