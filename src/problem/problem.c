/* The problem definition and its one validating parser (see dncert/problem.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "dncert/problem.h"

void dnc_problem_init(dnc_problem_t p)
{
    memset(p, 0, sizeof(*p));
    fmpq_init(p->lambda_h);
}

static void problem_free_arrays(dnc_problem_t p)
{
    flint_free(p->n);
    flint_free(p->width);
    flint_free(p->act);
    if (p->lambda_w != NULL)
        _fmpq_vec_clear(p->lambda_w, p->L);
    p->n = p->width = NULL;
    p->act = NULL;
    p->lambda_w = NULL;
}

void dnc_problem_clear(dnc_problem_t p)
{
    problem_free_arrays(p);
    fmpq_clear(p->lambda_h);
}

static void problem_alloc(dnc_problem_t p, slong K, slong L)
{
    problem_free_arrays(p);
    p->K = K;
    p->L = L;
    p->n = flint_calloc(K, sizeof(slong));
    p->width = flint_calloc(L, sizeof(slong));
    p->act = flint_calloc(L > 1 ? L - 1 : 1, sizeof(dnc_act_t));
    p->lambda_w = _fmpq_vec_init(L);
}

void dnc_problem_set(dnc_problem_t dst, const dnc_problem_t src)
{
    slong l;
    if (dst == src)
        return;
    problem_alloc(dst, src->K, src->L);
    memcpy(dst->n, src->n, src->K * sizeof(slong));
    memcpy(dst->width, src->width, src->L * sizeof(slong));
    if (src->L > 1)
        memcpy(dst->act, src->act, (src->L - 1) * sizeof(dnc_act_t));
    dst->N = src->N;
    dst->bias = src->bias;
    fmpq_set(dst->lambda_h, src->lambda_h);
    for (l = 0; l < src->L; l++)
        fmpq_set(dst->lambda_w + l, src->lambda_w + l);
}

int dnc_problem_equal(const dnc_problem_t a, const dnc_problem_t b)
{
    slong l;
    if (a->K != b->K || a->L != b->L || a->bias != b->bias || !fmpq_equal(a->lambda_h, b->lambda_h)
        || memcmp(a->n, b->n, a->K * sizeof(slong)) != 0
        || memcmp(a->width, b->width, a->L * sizeof(slong)) != 0)
        return 0;
    for (l = 0; l < a->L; l++)
        if (!fmpq_equal(a->lambda_w + l, b->lambda_w + l) || (l + 1 < a->L && a->act[l] != b->act[l]))
            return 0;
    return 1;
}

int dnc_problem_is_balanced(const dnc_problem_t p)
{
    slong k;
    for (k = 1; k < p->K; k++)
        if (p->n[k] != p->n[0])
            return 0;
    return 1;
}

slong dnc_problem_out_rows(const dnc_problem_t p, slong l)
{
    return l == p->L ? p->K : p->width[l];
}

/* ---- parsing ---- */

double dnc_seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

int dnc_fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err != NULL && len > 0)
        vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return -1;
}

/* Splits s at commas into at most max pieces (copied into buf). Returns the count, or
 * max + 1 when there are more. Empty pieces are kept so that "1,,2" is rejected later. */
static slong split_list(char *buf, size_t buflen, const char *s, const char **items, slong max)
{
    slong count = 0;
    char *p;
    snprintf(buf, buflen, "%s", s);
    p = buf;
    for (;;) {
        char *comma = strchr(p, ',');
        if (count == max)
            return max + 1;
        items[count++] = p;
        if (comma == NULL)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return count;
}

/* Reads an option that is one value or exactly `want` comma-separated values; each item
 * is handed to `parse_item(ctx, index, text)`; a single value is broadcast. */
typedef int (*item_parser)(void *ctx, slong i, const char *text);

/* The name of an option as the user wrote it: "--lambda-h" on the command line,
 * "problem.lambda_h" in a file (a->prefix set). */
static const char *opt_name(char *buf, size_t len, const dnc_problem_args *a, const char *name)
{
    size_t i;
    if (a->prefix == NULL) {
        snprintf(buf, len, "--%s", name);
        return buf;
    }
    snprintf(buf, len, "%s%s", a->prefix, name);
    for (i = strlen(a->prefix); buf[i] != '\0'; i++)
        if (buf[i] == '-')
            buf[i] = '_';
    return buf;
}

static int parse_list(const dnc_problem_args *a, const char *name, const char *s, slong want, const char *want_name,
                      item_parser parse_item, void *ctx, const char *range,
                      char *err, size_t errlen)
{
    char buf[4096], opt[64];
    const char *items[DNC_MAX_L + 2];
    slong count, cap = want > DNC_MAX_L ? DNC_MAX_L : want, i;

    opt_name(opt, sizeof(opt), a, name);
    if (strlen(s) >= sizeof(buf))
        return dnc_fail(err, errlen, "%s: value too long", opt);
    count = split_list(buf, sizeof(buf), s, items, cap > 1 ? cap : 1);
    if (count != 1 && want == 1)
        return dnc_fail(err, errlen, "%s: expected a single value, got a list", opt);
    if (count != 1 && count != want)
        return dnc_fail(err, errlen, "%s: expected one value or %s = %ld comma-separated values, got %s%ld",
                    opt, want_name, (long) want, count > cap ? "more than " : "", (long) (count > cap ? cap : count));
    for (i = 0; i < want; i++) {
        const char *text = items[count == 1 ? 0 : i];
        if (parse_item(ctx, i, text) != 0)
            return dnc_fail(err, errlen, "%s: %s (got '%s')", opt, range, text);
    }
    return 0;
}

static int item_count(void *ctx, slong i, const char *t)
{
    return dnc_parse_slong((slong *) ctx + i, t, 1, DNC_MAX_COUNT);
}

static int item_width(void *ctx, slong i, const char *t)
{
    return dnc_parse_slong((slong *) ctx + i, t, 1, DNC_MAX_WIDTH);
}

static int item_act(void *ctx, slong i, const char *t)
{
    dnc_act_t *a = ctx;
    if (strcmp(t, "relu") == 0)
        a[i] = DNC_ACT_RELU;
    else if (strcmp(t, "linear") == 0)
        a[i] = DNC_ACT_LINEAR;
    else
        return -1;
    return 0;
}

static int item_lambda(void *ctx, slong i, const char *t)
{
    fmpq *v = ctx;
    return (dnc_parse_rational(v + i, t) == 0 && fmpq_sgn(v + i) > 0) ? 0 : -1;
}

#define LAMBDA_RANGE "must be a positive rational such as 0.004, 4e-3 or 1/250"

static int parse_lambdas(dnc_problem_t p, const dnc_problem_args *a, char *err, size_t len)
{
    const char *common = a->lambda ? a->lambda : "0.004";
    if (a->lambda != NULL && parse_list(a, "lambda", a->lambda, 1, "1", item_lambda, p->lambda_h,
                                        LAMBDA_RANGE, err, len))
        return -1;
    if (parse_list(a, a->lambda_h ? "lambda-h" : "lambda", a->lambda_h ? a->lambda_h : common,
                   1, "1", item_lambda, p->lambda_h, LAMBDA_RANGE, err, len))
        return -1;
    return parse_list(a, a->lambda_w ? "lambda-w" : "lambda", a->lambda_w ? a->lambda_w : common,
                      p->L, "L", item_lambda, p->lambda_w, LAMBDA_RANGE, err, len);
}

static int parse_shape(dnc_problem_t p, const dnc_problem_args *a, char *err, size_t len)
{
    slong K, L, k;
    char opt[64];
    if (dnc_parse_slong(&K, a->K ? a->K : "2", 2, DNC_MAX_K))
        return dnc_fail(err, len, "%s: must be an integer in [2, %d] (got '%s')",
                    opt_name(opt, sizeof(opt), a, "K"), DNC_MAX_K, a->K);
    if (dnc_parse_slong(&L, a->L ? a->L : "3", 1, DNC_MAX_L))
        return dnc_fail(err, len, "%s: must be an integer in [1, %d] (got '%s')",
                    opt_name(opt, sizeof(opt), a, "L"), DNC_MAX_L, a->L);
    problem_alloc(p, K, L);
    if (parse_list(a, "n", a->n ? a->n : "5", K, "K", item_count, p->n,
                   "each count must be an integer in [1, 100000000]", err, len))
        return -1;
    p->N = 0;
    for (k = 0; k < K; k++)
        p->N += p->n[k];
    return parse_list(a, "width", a->width ? a->width : "10", L, "L", item_width, p->width,
                      "each width must be an integer in [1, 1000000]", err, len);
}

static int parse_activation(dnc_problem_t p, const dnc_problem_args *a, char *err, size_t len)
{
    const char *s = a->activation ? a->activation : "relu";
    char opt[64];
    if (p->L == 1) {
        /* No hidden layer: accept a single name for uniformity, reject a list. */
        dnc_act_t dummy;
        if (item_act(&dummy, 0, s) != 0)
            return dnc_fail(err, len, "%s: must be relu or linear (got '%s'); with L = 1 there is no hidden layer",
                        opt_name(opt, sizeof(opt), a, "activation"), s);
        return 0;
    }
    return parse_list(a, "activation", s, p->L - 1, "L-1", item_act, p->act,
                      "must be relu or linear", err, len);
}

int dnc_problem_set_args(dnc_problem_t p, const dnc_problem_args *a, char *err, size_t errlen)
{
    const char *bias = a->bias ? a->bias : "none";
    char opt[64];
    if (parse_shape(p, a, err, errlen) || parse_activation(p, a, err, errlen))
        goto error;
    if (strcmp(bias, "none") == 0)
        p->bias = DNC_BIAS_NONE;
    else if (strcmp(bias, "free") == 0)
        p->bias = DNC_BIAS_FREE;
    else {
        dnc_fail(err, errlen, "%s: must be none or free (got '%s')", opt_name(opt, sizeof(opt), a, "bias"), bias);
        goto error;
    }
    if (parse_lambdas(p, a, err, errlen) == 0)
        return 0;
error:
    problem_free_arrays(p);
    p->K = p->L = p->N = 0;
    return -1;
}

/* ---- description ---- */

static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
    va_list ap;
    int w;
    if (*pos >= len)
        return;
    va_start(ap, fmt);
    w = vsnprintf(buf + *pos, len - *pos, fmt, ap);
    va_end(ap);
    if (w > 0)
        *pos += (size_t) w;
}

static void append_slong_list(char *buf, size_t len, size_t *pos, const slong *v, slong m)
{
    slong i, all_same = 1;
    for (i = 1; i < m; i++)
        all_same &= (v[i] == v[0]);
    for (i = 0; i < (all_same ? 1 : m); i++)
        append(buf, len, pos, "%s%ld", i ? "," : "", (long) v[i]);
}

void dnc_problem_describe(const dnc_problem_t p, char *buf, size_t len)
{
    size_t pos = 0;
    slong l, m, relu = 0;
    char *s;
    buf[0] = '\0';
    append(buf, len, &pos, "K=%ld n=", (long) p->K);
    append_slong_list(buf, len, &pos, p->n, p->K);
    append(buf, len, &pos, " L=%ld d=", (long) p->L);
    append_slong_list(buf, len, &pos, p->width, p->L);
    for (l = 0; l + 1 < p->L; l++)
        relu += p->act[l] == DNC_ACT_RELU;
    append(buf, len, &pos, " %s", p->L == 1 ? "ufm" : relu == p->L - 1 ? "relu" : relu == 0 ? "linear" : "mixed");
    if (p->bias == DNC_BIAS_FREE)
        append(buf, len, &pos, " bias");
    s = dnc_rational_get_str(p->lambda_h);
    append(buf, len, &pos, " lambda_H=%s", s);
    flint_free(s);
    append(buf, len, &pos, " lambda_W=");
    for (l = 1; l < p->L && fmpq_equal(p->lambda_w + l, p->lambda_w); l++)
        ;
    m = (l == p->L) ? 1 : p->L;
    for (l = 0; l < m; l++) {
        s = dnc_rational_get_str(p->lambda_w + l);
        append(buf, len, &pos, "%s%s", l ? "," : "", s);
        flint_free(s);
    }
}
