/* The problem definition and its one validating parser (see dncert/problem.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "dncert/problem.h"
#include "dncert/version.h"

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
    dst->loss = src->loss;
    fmpq_set(dst->lambda_h, src->lambda_h);
    for (l = 0; l < src->L; l++)
        fmpq_set(dst->lambda_w + l, src->lambda_w + l);
}

int dnc_problem_equal(const dnc_problem_t a, const dnc_problem_t b)
{
    slong l;
    if (a->K != b->K || a->L != b->L || a->bias != b->bias || a->loss != b->loss || !fmpq_equal(a->lambda_h, b->lambda_h)
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

const char *dnc_version(void)
{
    return DNCERT_VERSION_STRING;
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

/* Reads an option that is one value or exactly `want` comma-separated values; each item
 * is handed to `parse_item(ctx, index, text)`; a single value is parsed once, into index
 * 0, and then broadcast by `parse_item(ctx, i, NULL)`, which copies entry 0 to entry i. */
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

/* Number of comma-separated pieces of s (empty pieces count, so that "1,,2" is rejected
 * by the item parser). */
static slong count_items(const char *s)
{
    slong count = 1;
    for (; *s != '\0'; s++)
        count += *s == ',';
    return count;
}

/* The piece at s up to the next comma or the end, copied into *buf (grown as needed). */
static const char *item_text(char **buf, size_t *cap, const char **s)
{
    size_t n = strcspn(*s, ",");
    if (n + 1 > *cap) {
        *cap = 2 * n + 64;
        *buf = flint_realloc(*buf, *cap);
    }
    memcpy(*buf, *s, n);
    (*buf)[n] = '\0';
    *s += n + ((*s)[n] == ',');
    return *buf;
}

/* Reports item text as "(got '...')", shortened when it is long. */
static int item_fail(char *err, size_t errlen, const char *opt, const char *range, const char *text)
{
    size_t n = strlen(text);
    if (n > 80)
        return dnc_fail(err, errlen, "%s: %s (got '%.40s...', %zu characters)", opt, range, text, n);
    return dnc_fail(err, errlen, "%s: %s (got '%s')", opt, range, text);
}

static int parse_list(const dnc_problem_args *a, const char *name, const char *s, slong want, const char *want_name,
                      item_parser parse_item, void *ctx, const char *range,
                      char *err, size_t errlen)
{
    char opt[64], *buf = NULL;
    size_t cap = 0;
    slong count = count_items(s), i;
    int r = 0;

    opt_name(opt, sizeof(opt), a, name);
    if (count != 1 && want == 1)
        return dnc_fail(err, errlen, "%s: expected a single value, got a list", opt);
    if (count != 1 && count != want)
        return dnc_fail(err, errlen, "%s: expected one value or %s = %ld comma-separated values, got %ld",
                        opt, want_name, (long) want, (long) count);
    for (i = 0; i < count && r == 0; i++) {
        const char *text = item_text(&buf, &cap, &s);
        if (parse_item(ctx, i, text) != 0)
            r = item_fail(err, errlen, opt, range, text);
    }
    for (i = count; i < want && r == 0; i++)
        parse_item(ctx, i, NULL);
    flint_free(buf);
    return r;
}

static int item_count(void *ctx, slong i, const char *t)
{
    slong *v = ctx;
    return t == NULL ? (v[i] = v[0], 0) : dnc_parse_slong(v + i, t, 1, DNC_MAX_COUNT);
}

static int item_width(void *ctx, slong i, const char *t)
{
    slong *v = ctx;
    return t == NULL ? (v[i] = v[0], 0) : dnc_parse_slong(v + i, t, 1, DNC_MAX_WIDTH);
}

static int item_act(void *ctx, slong i, const char *t)
{
    dnc_act_t *a = ctx;
    if (t == NULL)
        a[i] = a[0];
    else if (strcmp(t, "relu") == 0)
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
    if (t == NULL) {
        fmpq_set(v + i, v);
        return 0;
    }
    return (dnc_parse_rational(v + i, t) == 0 && fmpq_sgn(v + i) > 0) ? 0 : -1;
}

#define STR(x) #x
#define XSTR(x) STR(x)
#define LAMBDA_RANGE "must be a positive rational such as 0.004, 4e-3 or 1/250, of at most " \
    XSTR(DNC_MAX_RATIONAL_CHARS) " characters and exponent within +-" XSTR(DNC_MAX_RATIONAL_EXP)

/* --lambda is read once; lambda_H and every lambda_W not given on their own are copies. */
static int parse_lambdas(dnc_problem_t p, const dnc_problem_args *a, char *err, size_t len)
{
    slong l;
    if (parse_list(a, "lambda", a->lambda ? a->lambda : "0.004", 1, "1", item_lambda, p->lambda_h,
                   LAMBDA_RANGE, err, len))
        return -1;
    for (l = 0; l < p->L; l++)
        fmpq_set(p->lambda_w + l, p->lambda_h);
    if (a->lambda_w != NULL && parse_list(a, "lambda-w", a->lambda_w, p->L, "L", item_lambda, p->lambda_w,
                                          LAMBDA_RANGE, err, len))
        return -1;
    return a->lambda_h == NULL ? 0 : parse_list(a, "lambda-h", a->lambda_h, 1, "1", item_lambda, p->lambda_h,
                                                LAMBDA_RANGE, err, len);
}

static int parse_shape(dnc_problem_t p, const dnc_problem_args *a, char *err, size_t len)
{
    slong K, L, k;
    char opt[64];
    if (dnc_parse_slong(&K, a->K ? a->K : "2", 2, DNC_MAX_K))
        return item_fail(err, len, opt_name(opt, sizeof(opt), a, "K"), "must be an integer in [2, " XSTR(DNC_MAX_K) "]", a->K);
    if (dnc_parse_slong(&L, a->L ? a->L : "3", 1, DNC_MAX_L))
        return item_fail(err, len, opt_name(opt, sizeof(opt), a, "L"), "must be an integer in [1, " XSTR(DNC_MAX_L) "]", a->L);
    problem_alloc(p, K, L);
    if (parse_list(a, "n", a->n ? a->n : "5", K, "K", item_count, p->n,
                   "each count must be an integer in [1, " XSTR(DNC_MAX_COUNT) "]", err, len))
        return -1;
    p->N = 0;
    for (k = 0; k < K; k++)
        p->N += p->n[k];
    return parse_list(a, "width", a->width ? a->width : "10", L, "L", item_width, p->width,
                      "each width must be an integer in [1, " XSTR(DNC_MAX_WIDTH) "]", err, len);
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

/* 1 when q lies in [DBL_MIN, DBL_MAX]: a positive normal double approximates it to 53 bits. */
static int fits_normal_double(const fmpq_t q)
{
    fmpq_t lim;
    int ok;
    fmpq_init(lim);
    fmpz_one(fmpq_numref(lim));
    fmpq_div_2exp(lim, lim, 1022);                 /* DBL_MIN = 2^-1022 */
    ok = fmpq_cmp(q, lim) >= 0;
    fmpz_one(fmpq_numref(lim));
    fmpz_one(fmpq_denref(lim));
    fmpz_mul_2exp(fmpq_numref(lim), fmpq_numref(lim), 53);
    fmpz_sub_ui(fmpq_numref(lim), fmpq_numref(lim), 1);
    fmpz_mul_2exp(fmpq_numref(lim), fmpq_numref(lim), 971);   /* DBL_MAX = (2^53 - 1) 2^971 */
    ok = ok && fmpq_cmp(q, lim) <= 0;
    fmpq_clear(lim);
    return ok;
}

int dnc_check_normal_double(const fmpq_t q, const char *opt, char *err, size_t errlen)
{
    char got[64] = "a value <= 0";
    if (fits_normal_double(q))
        return 0;
    if (fmpq_sgn(q) > 0)   /* the order of magnitude: the exact text may be 100000 characters */
        snprintf(got, sizeof(got), "a value of about 1e%+.0f",
                 floor((fmpz_dlog(fmpq_numref(q)) - fmpz_dlog(fmpq_denref(q))) / log(10.0) + 1e-9));
    return dnc_fail(err, errlen, "%s: must be within [2.2250738585072014e-308, 1.7976931348623157e+308], the range of "
                    "positive normal doubles, to be used in double precision (got %s)", opt, got);
}

int dnc_problem_check_double(const dnc_problem_t p, const dnc_problem_args *a, char *err, size_t errlen)
{
    static const dnc_problem_args file = { .prefix = "problem." };
    char opt[64];
    slong l;
    if (a == NULL)
        a = &file;
    if (dnc_check_normal_double(p->lambda_h, opt_name(opt, sizeof(opt), a, a->lambda_h || a == &file ? "lambda-h" : "lambda"),
                                err, errlen) != 0)
        return -1;
    for (l = 0; l < p->L; l++)
        if (dnc_check_normal_double(p->lambda_w + l, opt_name(opt, sizeof(opt), a, a->lambda_w || a == &file ? "lambda-w" : "lambda"),
                                    err, errlen) != 0)
            return -1;
    return 0;
}

const char *dnc_loss_name(dnc_loss_t loss)
{
    return loss == DNC_LOSS_CE ? "ce" : "mse";
}

int dnc_problem_require_mse(const dnc_problem_t p, const char *what, const char *opt, char *err, size_t errlen)
{
    if (p->loss == DNC_LOSS_MSE)
        return 0;
    return dnc_fail(err, errlen, "%s: cross-entropy (ce) is not supported by %s yet; supported: mse (the default). "
                    "Under cross-entropy dncert trains (train, sweep), evaluates (metrics, classify), certifies "
                    "explicit points (certify-point) and the DNC-structured closed forms (closed-form "
                    "ufm|deep-linear|dnc --loss ce)", opt, what);
}

static int parse_loss(dnc_problem_t p, const dnc_problem_args *a, char *err, size_t len)
{
    const char *loss = a->loss ? a->loss : "mse";
    char opt[64];
    if (strcmp(loss, "mse") == 0)
        p->loss = DNC_LOSS_MSE;
    else if (strcmp(loss, "ce") == 0)
        p->loss = DNC_LOSS_CE;
    else
        return item_fail(err, len, opt_name(opt, sizeof(opt), a, "loss"),
                         "must be mse (squared error, the default) or ce (cross-entropy)", loss);
    return 0;
}

int dnc_problem_set_args(dnc_problem_t p, const dnc_problem_args *a, char *err, size_t errlen)
{
    const char *bias = a->bias ? a->bias : "none";
    char opt[64];
    if (parse_shape(p, a, err, errlen) || parse_activation(p, a, err, errlen) || parse_loss(p, a, err, errlen))
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
    if (p->loss == DNC_LOSS_CE)
        append(buf, len, &pos, " ce");
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

int dnc_problem_deepen(dnc_problem_t q, const dnc_problem_t p, char *err, size_t errlen)
{
    slong l, L = p->L;
    if (L < 2)
        return dnc_fail(err, errlen, "--L: deepening needs L >= 2 (a hidden layer to repeat; got L = %ld)", (long) L);
    if (L + 1 > DNC_MAX_L)
        return dnc_fail(err, errlen, "--L: the deeper problem would have L = %ld, above the limit %d", (long) (L + 1),
                        DNC_MAX_L);
    problem_alloc(q, p->K, L + 1);
    memcpy(q->n, p->n, p->K * sizeof(slong));
    q->N = p->N;
    q->bias = p->bias;
    q->loss = p->loss;
    q->loss = p->loss;
    fmpq_set(q->lambda_h, p->lambda_h);
    /* widths d_1..d_L, then d_{L+1} = d_L: the new layer maps the last hidden features to
     * themselves; it repeats sigma_{L-1} and lambda_{W_{L-1}}, and W_L becomes W_{L+1}. */
    memcpy(q->width, p->width, L * sizeof(slong));
    q->width[L] = p->width[L - 1];
    memcpy(q->act, p->act, (L - 1) * sizeof(dnc_act_t));
    q->act[L - 1] = p->act[L - 2];
    for (l = 0; l < L - 1; l++)
        fmpq_set(q->lambda_w + l, p->lambda_w + l);
    fmpq_set(q->lambda_w + L - 1, p->lambda_w + L - 2);
    fmpq_set(q->lambda_w + L, p->lambda_w + L - 1);
    return 0;
}
