/* A recursive-descent evaluator for the exact expressions of theorem files. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <flint/fmpz.h>
#include "dncert/expr.h"
#include "dncert/problem.h"

void dnc_value_init(dnc_value *v)
{
    v->is_string = 0;
    v->str[0] = '\0';
    fmpq_init(v->q);
}

void dnc_value_clear(dnc_value *v)
{
    fmpq_clear(v->q);
}

void dnc_value_set(dnc_value *dst, const dnc_value *src)
{
    dst->is_string = src->is_string;
    memcpy(dst->str, src->str, sizeof(dst->str));
    fmpq_set(dst->q, src->q);
}

void dnc_value_text(char *buf, size_t len, const dnc_value *v)
{
    if (v->is_string)
        snprintf(buf, len, "%s", v->str);
    else {
        char *s = dnc_rational_get_str(v->q);
        snprintf(buf, len, "%s", s);
        flint_free(s);
    }
}

void dnc_env_init(dnc_env *e)
{
    memset(e, 0, sizeof(*e));
}

void dnc_env_clear(dnc_env *e)
{
    slong i;
    for (i = 0; i < e->n; i++)
        dnc_value_clear(e->val + i);
    flint_free(e->name);
    flint_free(e->val);
    memset(e, 0, sizeof(*e));
}

const dnc_value *dnc_env_get(const dnc_env *e, const char *name)
{
    slong i;
    for (i = e->n - 1; i >= 0; i--)
        if (strcmp(e->name[i], name) == 0)
            return e->val + i;
    return NULL;
}

void dnc_env_set(dnc_env *e, const char *name, const dnc_value *v)
{
    slong i;
    for (i = 0; i < e->n; i++)
        if (strcmp(e->name[i], name) == 0) {
            dnc_value_set(e->val + i, v);
            return;
        }
    if (e->n == e->alloc) {
        e->alloc = 2 * e->alloc + 8;
        e->name = flint_realloc(e->name, e->alloc * sizeof(*e->name));
        e->val = flint_realloc(e->val, e->alloc * sizeof(dnc_value));
    }
    snprintf(e->name[e->n], sizeof(e->name[e->n]), "%s", name);
    dnc_value_init(e->val + e->n);
    dnc_value_set(e->val + e->n, v);
    e->n++;
}

void dnc_env_set_si(dnc_env *e, const char *name, slong x)
{
    dnc_value v;
    dnc_value_init(&v);
    fmpq_set_si(v.q, x, 1);
    dnc_env_set(e, name, &v);
    dnc_value_clear(&v);
}

/* ---- parser ---- */

typedef struct {
    const char *text, *p;
    const dnc_env *env;
    char *err;
    size_t errlen;
    int failed, depth;
} parser;

static int fail(parser *ps, const char *fmt, ...)
{
    va_list ap;
    size_t n;
    if (ps->failed)
        return -1;
    ps->failed = 1;
    if (strlen(ps->text) > 200)   /* a long text is named by its start */
        n = (size_t) snprintf(ps->err, ps->errlen, "in '%.60s...' at position %ld: ", ps->text, (long) (ps->p - ps->text));
    else
        n = (size_t) snprintf(ps->err, ps->errlen, "in '%s' at position %ld: ", ps->text, (long) (ps->p - ps->text));
    va_start(ap, fmt);
    if (n < ps->errlen)
        vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
    va_end(ap);
    return -1;
}

static void skip(parser *ps)
{
    while (isspace((unsigned char) *ps->p))
        ps->p++;
}

/* Consumes token t (a symbol, or a word that must not continue as an identifier). */
static int accept(parser *ps, const char *t)
{
    size_t n = strlen(t);
    skip(ps);
    if (strncmp(ps->p, t, n) != 0)
        return 0;
    if (isalpha((unsigned char) t[0]) && (isalnum((unsigned char) ps->p[n]) || ps->p[n] == '_'))
        return 0;
    ps->p += n;
    return 1;
}

static int need_number(parser *ps, const dnc_value *v, const char *what)
{
    return v->is_string ? fail(ps, "%s needs a number, got the string '%s'", what, v->str) : 0;
}

static int parse_expr(parser *ps, dnc_value *out);

/* Every recursion of the grammar (parentheses, arguments, c ? a : b, unary minus, not,
 * exponents) goes through here, so that the depth of the C stack is bounded. */
static int nested(parser *ps, int (*level)(parser *, dnc_value *), dnc_value *out)
{
    int r;
    if (ps->depth >= DNC_EXPR_MAX_DEPTH)
        return fail(ps, "nested more than %d levels deep (parentheses, unary minus, not, ^, ?:)", DNC_EXPR_MAX_DEPTH);
    ps->depth++;
    r = level(ps, out);
    ps->depth--;
    return r;
}

/* Size in bits of a rational: numerator and denominator together. */
static ulong q_bits(const fmpq_t q)
{
    return fmpz_bits(fmpq_numref(q)) + fmpz_bits(fmpq_denref(q));
}

/* Fails when a value of (at least) `bits` bits exceeds DNC_EXPR_MAX_BITS. Operations
 * whose result can be huge (C(n, k), x ^ k) are checked against a lower bound of the
 * result's size before it is computed, and every result after it is. */
static int size_ok(parser *ps, double bits, const char *what)
{
    return bits <= DNC_EXPR_MAX_BITS ? 0
        : fail(ps, "%s exceeds %d bits, the limit of a value", what, DNC_EXPR_MAX_BITS);
}

/* C(n, k) >= (n/k')^k' >= 2^k' for k' = min(k, n - k) > 0. */
static int binomial(parser *ps, fmpq_t out, ulong n, ulong k)
{
    ulong kk = k > n ? 0 : (k < n - k ? k : n - k);
    slong lg = (slong) FLINT_BIT_COUNT(n) - (slong) FLINT_BIT_COUNT(kk) - 1;
    if (size_ok(ps, (double) kk * (double) (lg > 1 ? lg : 1), "C(n, k)"))
        return -1;
    fmpz_bin_uiui(fmpq_numref(out), n, k);
    fmpz_one(fmpq_denref(out));
    return size_ok(ps, (double) q_bits(out), "C(n, k)");
}

/* (p/q)^k has at least (bits(p) - 1 + bits(q) - 1) |k| + 2 bits. */
static int power(parser *ps, fmpq_t x, slong k)
{
    if (size_ok(ps, ((double) q_bits(x) - 2) * (double) FLINT_ABS(k) + 2, "x ^ k"))
        return -1;
    fmpq_pow_si(x, x, k);
    return size_ok(ps, (double) q_bits(x), "x ^ k");
}

static int parse_call(parser *ps, const char *name, dnc_value *out)
{
    dnc_value a, b;
    int two = strcmp(name, "floor") != 0, r = 0;
    dnc_value_init(&a);
    dnc_value_init(&b);
    if (nested(ps, parse_expr, &a) || need_number(ps, &a, name)
        || (two && (!accept(ps, ",") || nested(ps, parse_expr, &b) || need_number(ps, &b, name)))
        || !accept(ps, ")"))
        r = fail(ps, "bad arguments to %s", name);
    else if (strcmp(name, "floor") == 0) {
        fmpz_fdiv_q(fmpq_numref(out->q), fmpq_numref(a.q), fmpq_denref(a.q));
        fmpz_one(fmpq_denref(out->q));
    } else if (strcmp(name, "min") == 0 || strcmp(name, "max") == 0) {
        int a_first = (fmpq_cmp(a.q, b.q) <= 0) == (name[1] == 'i');
        fmpq_set(out->q, a_first ? a.q : b.q);
    } else { /* C(n, k) */
        if (!fmpz_is_one(fmpq_denref(a.q)) || !fmpz_is_one(fmpq_denref(b.q)) || fmpq_sgn(b.q) < 0
            || !fmpz_fits_si(fmpq_numref(a.q)) || !fmpz_fits_si(fmpq_numref(b.q)) || fmpz_get_si(fmpq_numref(a.q)) < 0)
            r = fail(ps, "C(n, k) needs integers n >= 0, k >= 0");
        else
            r = binomial(ps, out->q, fmpz_get_ui(fmpq_numref(a.q)), fmpz_get_ui(fmpq_numref(b.q)));
    }
    out->is_string = 0;
    dnc_value_clear(&a);
    dnc_value_clear(&b);
    return r;
}

static int parse_atom(parser *ps, dnc_value *out)
{
    skip(ps);
    if (accept(ps, "(")) {
        if (nested(ps, parse_expr, out))
            return -1;
        return accept(ps, ")") ? 0 : fail(ps, "')' expected");
    }
    if (*ps->p == '\'') {
        const char *end = strchr(ps->p + 1, '\'');
        if (end == NULL || end - ps->p - 1 >= (long) sizeof(out->str))
            return fail(ps, "unterminated or too long string");
        out->is_string = 1;
        snprintf(out->str, sizeof(out->str), "%.*s", (int) (end - ps->p - 1), ps->p + 1);
        ps->p = end + 1;
        return 0;
    }
    if (isdigit((unsigned char) *ps->p) || *ps->p == '.') {
        size_t n = 0;
        char *buf;
        int r;
        while (isalnum((unsigned char) ps->p[n]) || ps->p[n] == '.'
               || ((ps->p[n] == '-' || ps->p[n] == '+') && n > 0 && (ps->p[n - 1] == 'e' || ps->p[n - 1] == 'E')))
            n++;
        if (n > DNC_MAX_RATIONAL_CHARS)
            return fail(ps, "a number of more than %d characters", DNC_MAX_RATIONAL_CHARS);
        buf = flint_malloc(n + 1);
        memcpy(buf, ps->p, n);
        buf[n] = '\0';
        if (dnc_parse_rational(out->q, buf) != 0)
            r = fail(ps, "bad number '%.40s%s'", buf, n > 40 ? "..." : "");
        else
            r = size_ok(ps, (double) q_bits(out->q), "a number");
        flint_free(buf);
        out->is_string = 0;
        ps->p += r == 0 ? n : 0;
        return r;
    }
    if (isalpha((unsigned char) *ps->p) || *ps->p == '_') {
        char name[32];
        size_t n = 0;
        const dnc_value *v;
        while ((isalnum((unsigned char) ps->p[n]) || ps->p[n] == '_') && n + 1 < sizeof(name))
            n++;
        snprintf(name, sizeof(name), "%.*s", (int) n, ps->p);
        ps->p += n;
        if (accept(ps, "(")) {
            if (strcmp(name, "C") && strcmp(name, "floor") && strcmp(name, "min") && strcmp(name, "max"))
                return fail(ps, "unknown function '%s' (C, floor, min, max)", name);
            return parse_call(ps, name, out);
        }
        if ((v = dnc_env_get(ps->env, name)) == NULL)
            return fail(ps, "unknown variable '%s'", name);
        dnc_value_set(out, v);
        return 0;
    }
    return fail(ps, "unexpected '%s'", *ps->p ? ps->p : "end of text");
}

static int parse_unary(parser *ps, dnc_value *out);

static int parse_pow(parser *ps, dnc_value *out)
{
    dnc_value e;
    int r = 0;
    if (parse_atom(ps, out))
        return -1;
    if (!accept(ps, "^"))
        return 0;
    dnc_value_init(&e);
    if (nested(ps, parse_unary, &e) || need_number(ps, out, "^") || need_number(ps, &e, "^"))
        r = -1;
    else if (!fmpz_is_one(fmpq_denref(e.q)) || !fmpz_fits_si(fmpq_numref(e.q))
             || fmpz_get_si(fmpq_numref(e.q)) > 100000 || fmpz_get_si(fmpq_numref(e.q)) < -100000)
        r = fail(ps, "exponents must be integers of magnitude at most 100000");
    else if (fmpq_is_zero(out->q) && fmpq_sgn(e.q) < 0)
        r = fail(ps, "0 to a negative power");
    else
        r = power(ps, out->q, fmpz_get_si(fmpq_numref(e.q)));
    dnc_value_clear(&e);
    return r;
}

static int parse_unary(parser *ps, dnc_value *out)
{
    if (accept(ps, "-")) {
        if (nested(ps, parse_unary, out) || need_number(ps, out, "-"))
            return -1;
        fmpq_neg(out->q, out->q);
        return 0;
    }
    return parse_pow(ps, out);
}

/* Left-associative binary levels share this loop. */
static int parse_product(parser *ps, dnc_value *out)
{
    dnc_value b;
    int r = 0;
    if (parse_unary(ps, out))
        return -1;
    dnc_value_init(&b);
    for (;;) {
        int mul = accept(ps, "*"), div = !mul && accept(ps, "/");
        if (!mul && !div)
            break;
        if (parse_unary(ps, &b) || need_number(ps, out, "*") || need_number(ps, &b, "*")) {
            r = -1;
            break;
        }
        if (div && fmpq_is_zero(b.q)) {
            r = fail(ps, "division by zero");
            break;
        }
        if (mul)
            fmpq_mul(out->q, out->q, b.q);
        else
            fmpq_div(out->q, out->q, b.q);
        if ((r = size_ok(ps, (double) q_bits(out->q), "a product")) != 0)
            break;
    }
    dnc_value_clear(&b);
    return r;
}

static int parse_sum(parser *ps, dnc_value *out)
{
    dnc_value b;
    int r = 0;
    if (parse_product(ps, out))
        return -1;
    dnc_value_init(&b);
    for (;;) {
        int add = accept(ps, "+"), sub = !add && accept(ps, "-");
        if (!add && !sub)
            break;
        if (parse_product(ps, &b) || need_number(ps, out, "+") || need_number(ps, &b, "+")) {
            r = -1;
            break;
        }
        if (add)
            fmpq_add(out->q, out->q, b.q);
        else
            fmpq_sub(out->q, out->q, b.q);
        if ((r = size_ok(ps, (double) q_bits(out->q), "a sum")) != 0)
            break;
    }
    dnc_value_clear(&b);
    return r;
}

static int parse_compare(parser *ps, dnc_value *out)
{
    static const char *ops[] = { "<=", ">=", "==", "!=", "<", ">" };
    dnc_value b;
    int i, r = 0, c, t = 0;
    if (parse_sum(ps, out))
        return -1;
    for (i = 0; i < 6 && !accept(ps, ops[i]); i++)
        ;
    if (i == 6)
        return 0;
    dnc_value_init(&b);
    if (parse_sum(ps, &b))
        r = -1;
    else if (out->is_string != b.is_string)
        r = fail(ps, "cannot compare a string with a number");
    else {
        c = out->is_string ? strcmp(out->str, b.str) : fmpq_cmp(out->q, b.q);
        if (out->is_string && i != 2 && i != 3)
            r = fail(ps, "strings can only be compared with == and !=");
        t = i == 0 ? c <= 0 : i == 1 ? c >= 0 : i == 2 ? c == 0 : i == 3 ? c != 0 : i == 4 ? c < 0 : c > 0;
    }
    out->is_string = 0;
    fmpq_set_si(out->q, t, 1);
    dnc_value_clear(&b);
    return r;
}

static int truth_of(parser *ps, const dnc_value *v)
{
    if (v->is_string) {
        fail(ps, "a string is not a condition");
        return 0;
    }
    return !fmpq_is_zero(v->q);
}

static int parse_not(parser *ps, dnc_value *out)
{
    if (accept(ps, "not")) {
        if (nested(ps, parse_not, out))
            return -1;
        fmpq_set_si(out->q, !truth_of(ps, out), 1);
        return ps->failed ? -1 : 0;
    }
    return parse_compare(ps, out);
}

/* and / or: both sides are always evaluated (expressions have no side effects). */
static int parse_logic(parser *ps, dnc_value *out, int level)
{
    const char *word = level ? "or" : "and";
    dnc_value b;
    int r = 0;
    if (level ? parse_logic(ps, out, 0) : parse_not(ps, out))
        return -1;
    dnc_value_init(&b);
    while (r == 0 && accept(ps, word)) {
        int x;
        if (level ? parse_logic(ps, &b, 0) : parse_not(ps, &b)) {
            r = -1;
            break;
        }
        x = level ? truth_of(ps, out) || truth_of(ps, &b) : truth_of(ps, out) && truth_of(ps, &b);
        out->is_string = 0;
        fmpq_set_si(out->q, x, 1);
        r = ps->failed ? -1 : 0;
    }
    dnc_value_clear(&b);
    return r;
}

static int parse_expr(parser *ps, dnc_value *out)
{
    dnc_value a, b;
    int r = 0, t;
    if (parse_logic(ps, out, 1))
        return -1;
    if (!accept(ps, "?"))
        return 0;
    t = truth_of(ps, out);
    dnc_value_init(&a);
    dnc_value_init(&b);
    if (ps->failed || nested(ps, parse_expr, &a) || !accept(ps, ":") || nested(ps, parse_expr, &b))
        r = fail(ps, "incomplete 'c ? a : b'");
    else
        dnc_value_set(out, t ? &a : &b);
    dnc_value_clear(&a);
    dnc_value_clear(&b);
    return r;
}

int dnc_expr_eval(dnc_value *out, const char *text, const dnc_env *env, char *err, size_t errlen)
{
    parser ps;
    ps.text = ps.p = text;
    ps.env = env;
    ps.err = err;
    ps.errlen = errlen;
    ps.failed = 0;
    ps.depth = 0;
    if (parse_expr(&ps, out) != 0)
        return -1;
    skip(&ps);
    if (*ps.p != '\0')
        return fail(&ps, "unexpected '%s'", ps.p);
    return 0;
}

int dnc_expr_truth(int *truth, const char *text, const dnc_env *env, char *err, size_t errlen)
{
    dnc_value v;
    int r;
    dnc_value_init(&v);
    r = dnc_expr_eval(&v, text, env, err, errlen);
    if (r == 0 && v.is_string) {
        snprintf(err, errlen, "in '%s': a condition must be a number, not the string '%s'", text, v.str);
        r = -1;
    }
    *truth = r == 0 && !fmpq_is_zero(v.q);
    dnc_value_clear(&v);
    return r;
}
