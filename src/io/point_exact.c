/* The exact point of a run directory, point-exact.json (docs/run-directory.md, "The exact
 * point"): every parameter an exact rational as a string, written by `dncert refine` for the
 * high-precision point and read by `certify-point`. */
#include <stdio.h>
#include <string.h>
#include <flint/fmpq_vec.h>
#include <arf.h>
#include "dncert/io.h"
#include "dncert/objective.h"
#include "dncert/rundir.h"

/* dnc_exact_str of a dyadic q whose numerator and denominator are small (every double whose
 * exponent is at least -62): the same text, by word arithmetic instead of fmpz_get_str. */
static char *exact_str_small(const fmpq_t q)
{
    static const char dig[] = "0123456789abcdef";
    slong num = *fmpq_numref(q), e = -((slong) fmpz_bits(fmpq_denref(q)) - 1), nb, sh, k, n = 0;
    ulong m = num < 0 ? -(ulong) num : (ulong) num;
    char *out = flint_malloc(48), *o = out;
    while (!(m & 1)) {   /* canonical: odd unless the denominator is 1 */
        m >>= 1;
        e++;
    }
    nb = FLINT_BIT_COUNT(m);
    sh = (4 - (nb - 1) % 4) % 4;
    if (num < 0)
        *o++ = '-';
    *o++ = '0', *o++ = 'x', *o++ = '1';
    if (nb > 1) {   /* the hex digits after the leading 1 of m 2^sh */
        *o++ = '.';
        n = (nb - 1 + sh) / 4;
        for (k = n - 1; k >= 0; k--)
            *o++ = dig[((m << sh) >> (4 * k)) & 15];
    }
    sprintf(o, "p%+ld", (long) (e + nb - 1));
    return out;
}

char *dnc_exact_str(const fmpq_t q)
{
    const fmpz *den = fmpq_denref(q);
    fmpz_t m;
    slong e, nb, sh;
    char *hex, *out;
    if ((slong) fmpz_val2(den) != (slong) fmpz_bits(den) - 1)   /* not dyadic */
        return dnc_rational_get_str(q);
    if (!fmpq_is_zero(q) && !COEFF_IS_MPZ(*fmpq_numref(q)) && !COEFF_IS_MPZ(*fmpq_denref(q)))
        return exact_str_small(q);
    out = flint_malloc(fmpz_sizeinbase(fmpq_numref(q), 16) + 40);
    if (fmpq_is_zero(q)) {
        strcpy(out, "0x0p+0");
        return out;
    }
    fmpz_init(m);
    fmpz_abs(m, fmpq_numref(q));
    e = fmpz_val2(m);
    fmpz_tdiv_q_2exp(m, m, (ulong) e);
    e -= (slong) fmpz_bits(den) - 1;
    nb = (slong) fmpz_bits(m);
    sh = (4 - (nb - 1) % 4) % 4;   /* 1 + a whole number of hex digits after the point */
    fmpz_mul_2exp(m, m, (ulong) sh);
    hex = fmpz_get_str(NULL, 16, m);   /* starts with "1" */
    /* value = m 2^(e - sh) = 1.<hex digits after the first> 2^(e + nb - 1) */
    sprintf(out, "%s0x1%s%sp%+ld", fmpq_sgn(q) < 0 ? "-" : "", hex[1] ? "." : "", hex + 1, (long) (e + nb - 1));
    flint_free(hex);
    fmpz_clear(m);
    return out;
}

/* Shape of parameter block b of p (expanded): rows x cols, the bias as K x 1. */
static void block_shape(slong *r, slong *c, const dnc_problem_struct *p, slong b)
{
    if (b <= p->L)
        dnc_objective_buf_shape(r, c, p, p->N, b == 0 ? DNC_H : DNC_W, b == 0 ? 1 : b);
    else
        *r = p->K, *c = 1;
}

static slong nblocks(const dnc_problem_struct *p)
{
    return p->L + 1 + (p->bias == DNC_BIAS_FREE);
}

static slong block_start(const dnc_problem_struct *p, slong b)
{
    return dnc_param_block_start(p, p->N, b);
}

json_t *dnc_point_exact_json(const dnc_problem_t p, const fmpq *theta, slong bits, const char *note)
{
    json_t *blocks = json_object(), *o;
    slong b, i, r, c;
    char name[24];
    for (b = 0; b < nblocks(p); b++) {
        json_t *dense = json_array();
        const fmpq *t = theta + block_start(p, b);
        block_shape(&r, &c, p, b);
        for (i = 0; i < r * c; i++) {
            char *s = dnc_exact_str(t + i);
            json_array_append_new(dense, json_string(s));
            flint_free(s);
        }
        json_object_set_new(blocks, dnc_param_block_name(name, p->L, b),
                            json_pack("{s:I, s:I, s:o}", "rows", (json_int_t) r, "cols", (json_int_t) c, "dense", dense));
    }
    o = json_pack("{s:s, s:i, s:s, s:I, s:o}", "format", DNC_POINT_EXACT_FORMAT, "version", DNC_POINT_EXACT_VERSION,
                  "layout", "expanded", "bits", (json_int_t) bits, "blocks", blocks);
    if (note != NULL)
        json_object_set_new(o, "note", json_string(note));
    return o;
}

/* Only the known keys of obj (where names it). */
static int known_keys(const json_t *obj, const char *const *keys, const char *where, const char *list, char *err,
                      size_t errlen)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *) obj, k, v) {
        int i, ok = 0;
        for (i = 0; keys[i] != NULL; i++)
            ok |= strcmp(k, keys[i]) == 0;
        if (!ok)
            return dnc_fail(err, errlen, "%s: unknown field '%.60s' (%s)", where, k, list);
    }
    return 0;
}

/* 1 when dnc_exact_str(q), the form the point is written in, reads back as q: the limits of a
 * rational string (DNC_MAX_RATIONAL_CHARS characters, exponent within DNC_MAX_RATIONAL_EXP)
 * bind its hexadecimal exponent, which can exceed the decimal exponent of an accepted text
 * ("4e44440" is about 2^147 628), so such a value is refused on reading, not written in a
 * form that cannot be read (found by fuzz_point_exact). */
static int writable(const fmpq_t q)
{
    char *w = dnc_exact_str(q);
    fmpq_t back;
    int ok;
    fmpq_init(back);
    ok = dnc_parse_rational(back, w) == 0 && fmpq_equal(back, q);
    fmpq_clear(back);
    flint_free(w);
    return ok;
}

static int read_block(fmpq *t, const json_t *blk, const dnc_problem_struct *p, slong b, const char *where, char *err,
                      size_t errlen)
{
    static const char *keys[] = { "rows", "cols", "dense", NULL };
    const json_t *rows = json_object_get(blk, "rows"), *cols = json_object_get(blk, "cols");
    const json_t *dense = json_object_get(blk, "dense");
    slong r, c, i;
    block_shape(&r, &c, p, b);
    if (!json_is_object(blk))
        return dnc_fail(err, errlen, "%s: must be an object {\"rows\", \"cols\", \"dense\"}", where);
    if (known_keys(blk, keys, where, "a block has rows, cols and dense", err, errlen) != 0)
        return -1;
    if (!json_is_integer(rows) || json_integer_value(rows) != r)
        return dnc_fail(err, errlen, "%s.rows: must be %ld, the problem's (got %s)", where, (long) r,
                        json_is_integer(rows) ? "another number" : "no integer");
    if (!json_is_integer(cols) || json_integer_value(cols) != c)
        return dnc_fail(err, errlen, "%s.cols: must be %ld, the problem's (got %s)", where, (long) c,
                        json_is_integer(cols) ? "another number" : "no integer");
    if (!json_is_array(dense) || (slong) json_array_size(dense) != r * c)
        return dnc_fail(err, errlen, "%s.dense: must be a list of rows x cols = %ld exact rationals, column-major "
                        "(got %s)", where, (long) (r * c), json_is_array(dense) ? "another length" : "no list");
    for (i = 0; i < r * c; i++) {
        const char *s = json_string_value(json_array_get(dense, i));
        if (s == NULL || dnc_parse_rational(t + i, s) != 0)
            return dnc_fail(err, errlen, "%s.dense[%ld]: must be an exact rational as a string (\"0x1.8p-3\", "
                            "\"3/8\", \"0.375\")%s%.40s%s", where, (long) i, s ? ", got '" : "", s ? s : "",
                            s ? "'" : "");
        if (!writable(t + i))
            return dnc_fail(err, errlen, "%s.dense[%ld]: out of range: written back exactly (a hexadecimal float, or "
                            "num/den) it would exceed %d characters or a binary exponent of +-%d (got '%.40s')", where,
                            (long) i, DNC_MAX_RATIONAL_CHARS, DNC_MAX_RATIONAL_EXP, s);
    }
    return 0;
}

int dnc_point_exact_read(fmpq *theta, const dnc_problem_t p, const json_t *doc, const char *where, char *err,
                         size_t errlen)
{
    static const char *keys[] = { "format", "version", "layout", "bits", "blocks", "note", NULL };
    const json_t *v = json_object_get(doc, "version"), *blocks = json_object_get(doc, "blocks");
    const char *fmt = json_string_value(json_object_get(doc, "format"));
    const char *layout = json_string_value(json_object_get(doc, "layout"));
    const json_t *bits = json_object_get(doc, "bits");
    char name[24], at[300];
    const char *k;
    json_t *val;
    slong b;
    if (!json_is_object(doc))
        return dnc_fail(err, errlen, "%s: must be a JSON object", where);
    if (fmt == NULL || strcmp(fmt, DNC_POINT_EXACT_FORMAT) != 0)
        return dnc_fail(err, errlen, "%s: format: must be \"" DNC_POINT_EXACT_FORMAT "\"", where);
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return dnc_fail(err, errlen, "%s: version: must be a positive integer", where);
    if (json_integer_value(v) > DNC_POINT_EXACT_VERSION)
        return dnc_fail(err, errlen, "%s: version %lld is newer than this dncert reads (1 to %d): update dncert", where,
                        (long long) json_integer_value(v), DNC_POINT_EXACT_VERSION);
    if (known_keys(doc, keys, where, "version 1 has format, version, layout, bits, blocks and note", err, errlen))
        return -1;
    if (layout == NULL || strcmp(layout, "expanded") != 0)
        return dnc_fail(err, errlen, "%s: layout: must be \"expanded\" (one column of H1 per sample)", where);
    if (bits != NULL && (!json_is_integer(bits) || json_integer_value(bits) < 1))
        return dnc_fail(err, errlen, "%s: bits: must be a positive integer", where);
    if (!json_is_object(blocks))
        return dnc_fail(err, errlen, "%s: blocks: must be an object with one entry per parameter block", where);
    json_object_foreach((json_t *) blocks, k, val) {
        int ok = 0;
        for (b = 0; b < nblocks(p); b++)
            ok |= strcmp(k, dnc_param_block_name(name, p->L, b)) == 0;
        if (!ok)
            return dnc_fail(err, errlen, "%s: blocks: '%.40s' is not a parameter block of the problem (H1, W1..W%ld%s)",
                            where, k, (long) p->L, p->bias == DNC_BIAS_FREE ? ", b" : "");
    }
    for (b = 0; b < nblocks(p); b++) {
        const json_t *blk = json_object_get(blocks, dnc_param_block_name(name, p->L, b));
        snprintf(at, sizeof(at), "%s: blocks.%s", where, name);
        if (blk == NULL)
            return dnc_fail(err, errlen, "%s: missing", at);
        if (read_block(theta + block_start(p, b), blk, p, b, at, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* The first entry whose rounding to double is not the double point's, or -1. */
static slong first_mismatch(const fmpq *q, const double *theta, slong n)
{
    slong i;
    arf_t a;
    arf_init(a);
    for (i = 0; i < n; i++) {
        arf_set_fmpq(a, q + i, 53, ARF_RND_NEAR);
        if (arf_get_d(a, ARF_RND_NEAR) != theta[i])
            break;
    }
    arf_clear(a);
    return i < n ? i : -1;
}

int dnc_point_exact_load(const char *dir, const dnc_problem_t p, const double *theta, fmpq **exact, char *err,
                         size_t errlen)
{
    char path[4300];
    json_error_t je;
    json_t *doc;
    slong n = dnc_param_offset(p, p->N, DNC_NKINDS, 0), bad;
    *exact = NULL;
    snprintf(path, sizeof(path), "%s/" DNC_RUN_EXACT, dir);
    if (!dnc_path_exists(path))
        return 0;
    if ((doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) == NULL)
        return dnc_fail(err, errlen, "%s: line %d, column %d: %s", path, je.line, je.column, je.text);
    *exact = _fmpq_vec_init(n);
    if (dnc_point_exact_read(*exact, p, doc, path, err, errlen) != 0)
        bad = -2;
    else
        bad = theta != NULL ? first_mismatch(*exact, theta, n) : -1;
    json_decref(doc);
    if (bad >= 0)
        dnc_fail(err, errlen, "%s: parameter %ld rounds to another double than the arrays of the run directory hold: "
                 "the two are not the same point (remove %s to use the arrays)", path, (long) bad, DNC_RUN_EXACT);
    if (bad != -1) {
        _fmpq_vec_clear(*exact, n);
        *exact = NULL;
        return -1;
    }
    return 1;
}
