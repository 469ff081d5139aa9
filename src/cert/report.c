/* Tables of certified values (dncert report, docs/report.md): certificates accepted by the
 * independent checker, their claims as cells, written as LaTeX, Markdown or CSV. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "dncert/cert.h"
#include "dncert/io.h"
#include "dncert/report.h"
#include "sweep/sweep_priv.h"   /* _dnc_sweep_csv_text: one CSV quoting for dncert */

/* ==== the certificates ==== */

typedef struct {
    char *name;
    json_t *cert;   /* a copy, accepted by the checker */
} entry;

struct dnc_report_s {
    entry *e;
    slong n, alloc;
};

dnc_report *dnc_report_new(void)
{
    return calloc(1, sizeof(dnc_report));
}

void dnc_report_free(dnc_report *r)
{
    slong i;
    if (r == NULL)
        return;
    for (i = 0; i < r->n; i++) {
        free(r->e[i].name);
        json_decref(r->e[i].cert);
    }
    free(r->e);
    free(r);
}

slong dnc_report_count(const dnc_report *r)
{
    return r->n;
}

int dnc_report_add_json(dnc_report *r, const json_t *cert, const char *name, char *err, size_t errlen)
{
    json_t *copy;
    char msg[1024];
    if (dnc_cert_self_check(cert, name, msg, sizeof(msg)) != 0) {
        if (strstr(msg, name) != NULL)   /* a mismatch: the checker's line names the file */
            snprintf(err, errlen, "%s", msg);
        else
            snprintf(err, errlen, "%s: %s", name, msg);
        return 1;
    }
    if (r->n == r->alloc) {
        slong alloc = r->alloc ? 2 * r->alloc : 16;
        entry *e = realloc(r->e, alloc * sizeof(entry));
        if (e == NULL)
            return -1;
        r->e = e;
        r->alloc = alloc;
    }
    /* a deep copy: the table shows exactly what was checked, whatever the caller does next */
    if ((copy = json_deep_copy(cert)) == NULL || (r->e[r->n].name = strdup(name)) == NULL) {
        json_decref(copy);
        return -1;
    }
    r->e[r->n++].cert = copy;
    return 0;
}

#define MAX_FILE_BYTES  (64L << 20)   /* format §9 */
#define MAX_JSON_VALUES (1L << 22)

/* At least the number of JSON values in t (every value but the first follows a comma or an
 * opening bracket outside strings): bounds the parser's memory before it runs. */
static long json_value_bound(const char *t, size_t n)
{
    long count = 1;
    const char *end = t + n;
    while (t < end) {
        if (*t == '"') {
            for (t++; t < end && *t != '"'; t++)
                t += *t == '\\';
        } else
            count += *t == ',' || *t == '[' || *t == '{';
        t++;
    }
    return count;
}

int dnc_report_add_file(dnc_report *r, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    struct stat sb;
    char *text = NULL;
    size_t n = 0;
    json_t *cert = NULL;
    json_error_t je;
    int ret = 2;
    if (f == NULL || fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode))
        snprintf(err, errlen, "%s: cannot read the file (missing or not a regular file)", path);
    else if (sb.st_size > MAX_FILE_BYTES)
        snprintf(err, errlen, "%s: %lld bytes, more than the %ld of the certificate format (§9)", path,
                 (long long) sb.st_size, MAX_FILE_BYTES);
    else if ((text = malloc((size_t) sb.st_size + 1)) == NULL)
        ret = -1;
    else if ((n = fread(text, 1, (size_t) sb.st_size, f)) != (size_t) sb.st_size || ferror(f))
        snprintf(err, errlen, "%s: cannot read the file", path);
    else if (json_value_bound(text, n) > MAX_JSON_VALUES)
        snprintf(err, errlen, "%s: more than %ld JSON values, the limit of the certificate format (§9)", path,
                 MAX_JSON_VALUES);
    else if ((cert = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je)) == NULL)
        snprintf(err, errlen, "%s: invalid JSON at line %d, column %d: %s", path, je.line, je.column, je.text);
    else
        ret = dnc_report_add_json(r, cert, path, err, errlen);
    if (f != NULL)
        fclose(f);
    free(text);
    json_decref(cert);
    return ret;
}

/* ==== options ==== */

static const char *const kind_names[] = {
    "alive", "root", "value", "loss", "ratio", "order", "dnc_not_optimal", "stationarity", "structure"
};
#define NKINDS ((int) (sizeof(kind_names) / sizeof(kind_names[0])))

static int kind_index(const char *kind)
{
    int i;
    for (i = 0; i < NKINDS; i++)
        if (strcmp(kind, kind_names[i]) == 0)
            return i;
    return -1;
}

void dnc_report_opts_init(dnc_report_opts *o)
{
    o->format = DNC_REPORT_LATEX;
    o->layout = DNC_REPORT_WIDE;
    o->digits = 6;
    o->kinds = DNC_REPORT_WIDE_KINDS;
    o->standalone = 0;
}

int dnc_report_parse_kinds(unsigned *kinds, const char *list, char *err, size_t errlen)
{
    const char *p = list;
    *kinds = 0;
    if (strcmp(list, "all") == 0) {
        *kinds = DNC_REPORT_ALL_KINDS;
        return 0;
    }
    for (;;) {
        size_t len = strcspn(p, ",");
        char word[32];
        int k;
        snprintf(word, sizeof(word), "%.*s", (int) (len < 31 ? len : 31), p);
        if ((k = len < 31 ? kind_index(word) : -1) < 0)
            return dnc_fail(err, errlen, "unknown claim kind '%.*s' (all, or a list of: alive, root, value, loss, "
                            "ratio, order, dnc_not_optimal, stationarity, structure)", (int) len, p);
        *kinds |= 1u << k;
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

/* ==== cells ==== */

enum { C_NONE, C_TEXT, C_NOTPROVEN, C_INT, C_SYM, C_RAT, C_INTERVAL, C_QTY, C_RATIO, C_ORDER, C_VS, C_POW2, C_FACTS };

/* What a claim is about: the value of a structure, a point's loss (fit, regulariser), the
 * optimal scale c* of a block. */
enum { Q_VALUE, Q_LOSS, Q_FIT, Q_REG, Q_ROOT };

typedef struct {
    int kind;
    char name[96];     /* structure label (DNC, SRG, ...) or point name */
    char block[8];     /* Q_ROOT of another block than the structure's own: its label */
    char param;        /* 'r' or 'v': shown with the structure (long layout) */
    long pval;
} qty;

typedef struct {
    int type;
    char *text;        /* C_TEXT, C_INT, C_SYM (an ASCII name: K, lambda_H, ...) */
    char *note;        /* headers: shown in parentheses after the cell */
    fmpq_t lo, hi;     /* C_INTERVAL; C_RAT: lo only */
    slong pow2;        /* C_POW2: at most 2^pow2 */
    qty a, b;          /* C_QTY a; C_RATIO a / b; C_ORDER a < b; C_VS a vs b */
    slong *facts;      /* C_FACTS: (layer, certified, rank or -1) triples */
    slong nfacts;
} cell;

static void cell_clear(cell *c)
{
    if (c->type == C_INTERVAL || c->type == C_RAT) {
        fmpq_clear(c->lo);
        fmpq_clear(c->hi);
    }
    free(c->text);
    free(c->note);
    free(c->facts);
    memset(c, 0, sizeof(*c));
}

static cell text_cell(int type, const char *s)
{
    cell c;
    memset(&c, 0, sizeof(c));
    c.type = type;
    c.text = s != NULL ? strdup(s) : NULL;
    return c;
}

static cell int_cell(long v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%ld", v);
    return text_cell(C_INT, buf);
}

static cell qty_cell(int type, const qty *a, const qty *b)
{
    cell c = text_cell(type, NULL);
    c.a = *a;
    if (b != NULL)
        c.b = *b;
    return c;
}

/* An interval {"lo", "hi"} of a certificate the checker accepted (so it parses). */
static cell interval_cell(const json_t *iv)
{
    cell c = text_cell(C_INTERVAL, NULL);
    fmpq_init(c.lo);
    fmpq_init(c.hi);
    if (dnc_json_get_interval(c.lo, c.hi, iv, "interval", NULL, 0) != 0)
        c.type = C_NOTPROVEN;   /* cannot happen after the checker; never show a number then */
    return c;
}

static cell rat_cell(const char *s)
{
    cell c = text_cell(C_RAT, NULL);
    fmpq_init(c.lo);
    fmpq_init(c.hi);
    if (s == NULL || dnc_parse_rational(c.lo, s) != 0)
        c.type = C_NOTPROVEN;
    return c;
}

/* ==== the claims of a certificate as items: (column key, header, cell) ==== */

typedef struct {
    char key[320];     /* the column of the wide layout */
    int group;         /* column order: 0 certificate, 1 problem, 2 structure parameters, 3 + kind */
    int kind;          /* index in kind_names */
    int certified;
    const char *id;
    cell head, val;
} item;

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? s : "";
}

static const char *struct_label(const char *name)
{
    static const char *const map[][2] = {
        { "dnc", "DNC" }, { "srg", "SRG" }, { "sts", "STS" }, { "deep-linear", "DL" }, { "ufm", "UFM" },
        { "tirer-bruna", "TB" }
    };
    size_t i;
    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(name, map[i][0]) == 0)
            return map[i][1];
    return name;
}

/* The value of a structure descriptor {"name": .., "r"/"v": ..}. */
static void structure_qty(qty *q, const json_t *s, int with_param)
{
    memset(q, 0, sizeof(*q));
    q->kind = Q_VALUE;
    snprintf(q->name, sizeof(q->name), "%s", struct_label(str(s, "name")));
    if (with_param && json_object_get(s, "r") != NULL)
        q->param = 'r';
    else if (with_param && json_object_get(s, "v") != NULL)
        q->param = 'v';
    if (q->param)
        q->pval = (long) json_integer_value(json_object_get(s, q->param == 'r' ? "r" : "v"));
}

static void point_qty(qty *q, int kind, const char *point)
{
    memset(q, 0, sizeof(*q));
    q->kind = kind;
    snprintf(q->name, sizeof(q->name), "%s", point);
}

static const json_t *claim_by_id(const json_t *cert, const char *id)
{
    size_t i;
    const json_t *cl;
    json_array_foreach(json_object_get(cert, "claims"), i, cl)
        if (strcmp(str(cl, "id"), id) == 0)
            return cl;
    return NULL;
}

/* The quantity of a reference {"value": ID} or {"loss": ID} (format §6.6). */
static void ref_qty(qty *q, const json_t *cert, const json_t *ref, int with_param)
{
    const char *v = str(ref, "value"), *l = str(ref, "loss");
    const json_t *cl = claim_by_id(cert, *v ? v : l);
    if (*v)
        structure_qty(q, json_object_get(cl, "structure"), with_param);
    else
        point_qty(q, Q_LOSS, str(cl, "point"));
}

/* Plain text of a quantity (keys, Markdown, CSV). */
static void qty_plain(char *buf, size_t len, const qty *q)
{
    static const char *const fn[] = { "f", "loss", "fit", "reg" };
    if (q->kind == Q_VALUE && q->param)
        snprintf(buf, len, "f_%s (%c = %ld)", q->name, q->param, q->pval);
    else if (q->kind == Q_VALUE)
        snprintf(buf, len, "f_%s", q->name);
    else if (q->kind == Q_ROOT && q->block[0])
        snprintf(buf, len, "c* (%s's %s block)", q->name, q->block);
    else if (q->kind == Q_ROOT)
        snprintf(buf, len, "c*_%s", q->name);
    else
        snprintf(buf, len, "%s(%s)", fn[q->kind], q->name);
}

/* Header text of a block: "DNC block", "SRG's DNC block". */
static void block_text(char *buf, size_t len, const json_t *cl, qty *root)
{
    const char *s = struct_label(str(json_object_get(cl, "structure"), "name"));
    const char *b = struct_label(str(cl, "block"));
    if (strcmp(s, b) == 0)
        snprintf(buf, len, "%s block", s);
    else
        snprintf(buf, len, "%s's %s block", s, b);
    memset(root, 0, sizeof(*root));
    root->kind = Q_ROOT;
    snprintf(root->name, sizeof(root->name), "%s", s);
    if (strcmp(s, b) != 0)
        snprintf(root->block, sizeof(root->block), "%s", b);
}

static void set_item(item *it, int kind, const json_t *cl, cell head, cell val, const char *keyfmt, const char *k1,
                     const char *k2)
{
    it->kind = kind;
    it->group = 3 + kind;
    it->id = str(cl, "id");
    it->certified = strcmp(str(cl, "verdict"), "certified") == 0;
    it->head = head;
    it->val = it->certified || val.type == C_NONE ? val : text_cell(C_NOTPROVEN, NULL);
    if (!it->certified && val.type != C_NONE)
        cell_clear(&val);
    snprintf(it->key, sizeof(it->key), keyfmt, kind_names[kind], k1, k2);
}

/* The items of one claim (at most 3; 0 when its kind is not shown). */
static int claim_items(item *it, const json_t *cert, const json_t *cl, int wide, unsigned kinds)
{
    const char *kindname = str(cl, "kind");
    int k = kind_index(kindname), n = 0;
    char t1[256], t2[256];
    qty a, b;
    if (k < 0 || !(kinds & (1u << k)))
        return 0;
    memset(it, 0, 3 * sizeof(item));
    if (k == 0) {                     /* alive */
        block_text(t1, sizeof(t1), cl, &a);
        set_item(it, k, cl, text_cell(C_TEXT, t1), text_cell(C_TEXT, str(cl, "decision")), "%s:%s%s", t1, "");
        n = 1;
    } else if (k == 1) {              /* root */
        block_text(t1, sizeof(t1), cl, &a);
        qty_plain(t2, sizeof(t2), &a);
        set_item(it, k, cl, qty_cell(C_QTY, &a, NULL), interval_cell(json_object_get(cl, "interval")), "%s:%s%s",
                 t2, "");
        n = 1;
    } else if (k == 2) {              /* value (and, wide, the structure's parameter) */
        const json_t *s = json_object_get(cl, "structure");
        structure_qty(&a, s, !wide);
        qty_plain(t1, sizeof(t1), &a);
        set_item(it, k, cl, qty_cell(C_QTY, &a, NULL), interval_cell(json_object_get(cl, "value")), "%s:%s%s", t1,
                 "");
        n = 1;
        structure_qty(&b, s, 1);
        if (wide && b.param) {
            char sym[2] = { b.param, '\0' };
            set_item(it + 1, k, cl, text_cell(C_SYM, sym), text_cell(C_NONE, NULL), "param:%.0s%s%s", sym, "");
            it[1].val = int_cell(b.pval);   /* the question, not an answer: shown whatever the verdict */
            it[1].group = 2;
            n = 2;
        }
    } else if (k == 3) {              /* loss (long: fit and regulariser too) */
        static const char *const part[] = { "loss", "fit", "reg" };
        int i;
        for (i = 0; i < (wide ? 1 : 3); i++, n++) {
            point_qty(&a, Q_LOSS + i, str(cl, "point"));
            qty_plain(t1, sizeof(t1), &a);
            set_item(it + i, k, cl, qty_cell(C_QTY, &a, NULL), interval_cell(json_object_get(cl, part[i])),
                     "%s:%s%s", t1, "");
        }
    } else if (k == 4) {              /* ratio */
        ref_qty(&a, cert, json_object_get(cl, "numerator"), !wide);
        ref_qty(&b, cert, json_object_get(cl, "denominator"), !wide);
        qty_plain(t1, sizeof(t1), &a);
        qty_plain(t2, sizeof(t2), &b);
        set_item(it, k, cl, qty_cell(C_RATIO, &a, &b), interval_cell(json_object_get(cl, "ratio")), "%s:%s/%s",
                 t1, t2);
        n = 1;
    } else if (k == 5 || k == 6) {    /* order, dnc_not_optimal */
        ref_qty(&a, cert, json_object_get(cl, "lower"), !wide);
        ref_qty(&b, cert, json_object_get(cl, "higher"), !wide);
        qty_plain(t1, sizeof(t1), &a);
        qty_plain(t2, sizeof(t2), &b);
        if (!wide)
            set_item(it, k, cl, qty_cell(C_ORDER, &a, &b), text_cell(C_NONE, NULL), "%s:%s<%s", t1, t2);
        else if (k == 6)
            set_item(it, k, cl, text_cell(C_TEXT, "DNC not optimal"), text_cell(C_TEXT, "yes"), "%s%.0s%s", t1, "");
        else {   /* one column for both directions, keyed by the pair in a fixed order */
            int swap = strcmp(t1, t2) > 0;
            set_item(it, k, cl, qty_cell(C_VS, swap ? &b : &a, swap ? &a : &b), qty_cell(C_ORDER, &a, &b),
                     "%s:%s|%s", swap ? t2 : t1, swap ? t1 : t2);
        }
        n = 1;
    } else if (k == 7) {              /* stationarity */
        cell v = text_cell(C_POW2, NULL);
        v.pow2 = (slong) json_integer_value(json_object_get(cl, "max_radius_log2")) + 1;
        snprintf(t1, sizeof(t1), "stationarity (%s)", str(cl, "point"));
        set_item(it, k, cl, text_cell(C_TEXT, t1), v, "%s:%s%s", t1, "");
        n = 1;
    } else {                          /* structure */
        long layer = (long) json_integer_value(json_object_get(cl, "layer"));
        const json_t *rank = json_object_get(cl, "rank");
        if (wide) {
            cell v = text_cell(C_FACTS, NULL);
            snprintf(t1, sizeof(t1), "%s (%s)", str(cl, "fact"), str(cl, "point"));
            v.facts = malloc(3 * sizeof(slong));
            v.nfacts = 1;
            if (v.facts != NULL) {
                v.facts[0] = layer;
                v.facts[1] = strcmp(str(cl, "verdict"), "certified") == 0;
                v.facts[2] = rank != NULL ? (slong) json_integer_value(rank) : -1;
            }
            set_item(it, k, cl, text_cell(C_TEXT, t1), text_cell(C_NONE, NULL), "%s:%s%s", t1, "");
            it->val = v;      /* the layers not proven are listed as such */
        } else {
            snprintf(t1, sizeof(t1), "%s (%s), layer %ld", str(cl, "fact"), str(cl, "point"), layer);
            if (rank != NULL)
                snprintf(t2, sizeof(t2), "rank %lld", (long long) json_integer_value(rank));
            set_item(it, k, cl, text_cell(C_TEXT, t1), text_cell(C_TEXT, rank != NULL ? t2 : "yes"), "%s:%s%s", t1,
                     "");
        }
        n = 1;
    }
    return n;
}

/* ==== the problem of a certificate as items ==== */

static int lambda_equal(const char *a, const char *b)
{
    fmpq_t x, y;
    int eq;
    fmpq_init(x);
    fmpq_init(y);
    eq = dnc_parse_rational(x, a) == 0 && dnc_parse_rational(y, b) == 0 && fmpq_equal(x, y);
    fmpq_clear(x);
    fmpq_clear(y);
    return eq;
}

/* 1 when every entry of the array equals the first (as rationals when rat). */
static int all_equal(const json_t *a, int rat)
{
    size_t i;
    const json_t *v, *first = json_array_get(a, 0);
    json_array_foreach(a, i, v)
        if (rat ? !lambda_equal(json_string_value(v), json_string_value(first)) : !json_equal(v, first))
            return 0;
    return 1;
}

/* 1 when lambda_h and every lambda_w are the same number. */
static int lambda_uniform(const json_t *p)
{
    const json_t *w = json_object_get(p, "lambda_w");
    return all_equal(w, 1) && lambda_equal(str(p, "lambda_h"), json_string_value(json_array_get(w, 0)));
}

/* "1,2,5" or "relu,linear". */
static char *join(const json_t *a)
{
    char *buf = NULL;
    size_t size = 0, i;
    const json_t *v;
    FILE *f = open_memstream(&buf, &size);
    if (f == NULL)
        return NULL;
    json_array_foreach(a, i, v) {
        if (json_is_string(v))
            fprintf(f, "%s%s", i ? "," : "", json_string_value(v));
        else
            fprintf(f, "%s%lld", i ? "," : "", (long long) json_integer_value(v));
    }
    fclose(f);
    return buf;
}

static cell list_cell(const json_t *a, int rat)
{
    cell c;
    char *s;
    if (all_equal(a, rat))
        return rat ? rat_cell(json_string_value(json_array_get(a, 0))) : int_cell((long) json_integer_value(json_array_get(a, 0)));
    s = join(a);
    c = text_cell(C_TEXT, s);
    free(s);
    return c;
}

static void problem_item(item *it, const char *key, cell head, cell val)
{
    memset(it, 0, sizeof(*it));
    snprintf(it->key, sizeof(it->key), "%s", key);
    it->group = 1;
    it->kind = -1;
    it->certified = 1;
    it->head = head;
    it->val = val;
}

/* The certificate's name and its problem (at most 9 items). `split`: separate columns for
 * lambda_H and lambda_W (some row has different ones); width_K: every width of every row
 * is its K (shown as K); csv: numbers rather than symbols. */
static int problem_items(item *it, const json_t *cert, const char *name, int split, int width_K, int csv)
{
    const json_t *p = json_object_get(cert, "problem"), *w = json_object_get(p, "width");
    const json_t *act = json_object_get(p, "activation");
    long K = (long) json_integer_value(json_object_get(p, "K"));
    int n = 0;
    char buf[512];
    if (csv)
        snprintf(buf, sizeof(buf), "%s", name);
    else {   /* the file name without directories and .json */
        const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
        size_t len = strlen(base);
        snprintf(buf, sizeof(buf), "%.*s", (int) (len > 5 && strcmp(base + len - 5, ".json") == 0 ? len - 5 : len),
                 base);
    }
    problem_item(it + n++, "certificate", text_cell(C_TEXT, "certificate"), text_cell(C_TEXT, buf));
    it[0].group = 0;
    problem_item(it + n++, "K", text_cell(C_SYM, "K"), int_cell(K));
    problem_item(it + n++, "n", text_cell(C_SYM, "n"), list_cell(json_object_get(p, "n"), 0));
    problem_item(it + n++, "L", text_cell(C_SYM, "L"), int_cell((long) json_integer_value(json_object_get(p, "L"))));
    problem_item(it + n++, "width", text_cell(C_TEXT, "width"),
                 width_K && !csv ? text_cell(C_SYM, "K") : list_cell(w, 0));
    if (json_array_size(act) == 0)
        snprintf(buf, sizeof(buf), "none");
    else if (all_equal(act, 0))
        snprintf(buf, sizeof(buf), "%s", strcmp(json_string_value(json_array_get(act, 0)), "relu") == 0 ? "ReLU" : "linear");
    else {
        char *s = join(act);
        snprintf(buf, sizeof(buf), "%s", s != NULL ? s : "");
        free(s);
    }
    problem_item(it + n++, "activation", text_cell(C_TEXT, "activation"), text_cell(C_TEXT, buf));
    problem_item(it + n++, "bias", text_cell(C_TEXT, "bias"), text_cell(C_TEXT, str(p, "bias")));
    if (split || csv) {
        problem_item(it + n++, "lambda_H", text_cell(C_SYM, "lambda_H"), rat_cell(str(p, "lambda_h")));
        problem_item(it + n++, "lambda_W", text_cell(C_SYM, "lambda_W"), list_cell(json_object_get(p, "lambda_w"), 1));
    } else
        problem_item(it + n++, "lambda", text_cell(C_SYM, "lambda"), rat_cell(str(p, "lambda_h")));
    return n;
}

/* ==== the table ==== */

typedef struct {
    char key[320];
    int group;
    slong order;       /* creation order, within the group */
    cell head;
    cell *cells;       /* one per row */
    int drop;          /* constant: stated once below the table instead */
} column;

typedef struct {
    column *col;
    slong ncol, alloc, nrow;
    slong *cert;       /* the certificate of each row */
    int wide;
} table;

static void table_clear(table *t)
{
    slong i, j;
    for (i = 0; i < t->ncol; i++) {
        cell_clear(&t->col[i].head);
        for (j = 0; j < t->nrow; j++)
            cell_clear(t->col[i].cells + j);
        free(t->col[i].cells);
    }
    free(t->col);
    free(t->cert);
}

static column *find_column(table *t, const char *key)
{
    slong i;
    for (i = 0; i < t->ncol; i++)
        if (strcmp(t->col[i].key, key) == 0)
            return t->col + i;
    return NULL;
}

static column *add_column(table *t, item *it)
{
    column *c;
    if (t->ncol == t->alloc) {
        slong alloc = t->alloc ? 2 * t->alloc : 32;
        column *m = realloc(t->col, alloc * sizeof(column));
        if (m == NULL)
            return NULL;
        t->col = m;
        t->alloc = alloc;
    }
    c = t->col + t->ncol;
    memset(c, 0, sizeof(*c));
    if ((c->cells = calloc(t->nrow > 0 ? t->nrow : 1, sizeof(cell))) == NULL)
        return NULL;
    snprintf(c->key, sizeof(c->key), "%s", it->key);
    c->group = it->group;
    c->order = t->ncol++;
    c->head = it->head;
    memset(&it->head, 0, sizeof(cell));
    return c;
}

static int append_facts(cell *c, cell *v)
{
    slong *f = realloc(c->facts, 3 * (c->nfacts + v->nfacts) * sizeof(slong));
    if (f == NULL)
        return -1;
    memcpy(f + 3 * c->nfacts, v->facts, 3 * v->nfacts * sizeof(slong));
    c->facts = f;
    c->nfacts += v->nfacts;
    return 0;
}

/* Puts the item into its column at row `row`: a new column for a new key; the certified
 * direction of a pair of orders; the layers of a structure fact together; any other second
 * quantity with the same key gets a column of its own, named by its claim id. */
static int place(table *t, slong row, item *it)
{
    for (;;) {
        column *c = find_column(t, it->key);
        cell *old;
        if (c == NULL && (c = add_column(t, it)) == NULL)
            return -1;
        old = c->cells + row;
        if (old->type == C_NONE) {
            *old = it->val;
            break;
        }
        if (t->wide && it->kind == 5) {          /* order: the one certified direction */
            if (it->certified) {
                cell_clear(old);
                *old = it->val;
            } else
                cell_clear(&it->val);
            break;
        }
        if (t->wide && it->kind == 8 && old->type == C_FACTS && it->val.type == C_FACTS) {
            int r = append_facts(old, &it->val);
            cell_clear(&it->val);
            if (r != 0)
                return -1;
            break;
        }
        if (strlen(it->key) + strlen(it->id) + 2 > sizeof(it->key))
            return -1;
        strcat(strcat(it->key, "#"), it->id);
        if (it->head.note == NULL)
            it->head.note = strdup(it->id);
    }
    cell_clear(&it->head);
    memset(&it->val, 0, sizeof(cell));
    return 0;
}

static int cmp_column(const void *x, const void *y)
{
    const column *a = x, *b = y;
    if (a->group != b->group)
        return a->group < b->group ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static int cmp_slong3(const void *x, const void *y)
{
    const slong *a = x, *b = y;
    return a[0] < b[0] ? -1 : a[0] > b[0];
}

/* "1-3,5" of the layers with the given verdict. */
static void layer_runs(FILE *f, const slong *fa, slong n, int certified)
{
    slong i, j, first = 1;
    for (i = 0; i < n; i = j) {
        j = i + 1;
        if (fa[3 * i + 1] != certified)
            continue;
        while (j < n && fa[3 * j + 1] == certified && fa[3 * j] == fa[3 * (j - 1)] + 1)
            j++;
        fprintf(f, "%s%ld", first ? "" : ",", (long) fa[3 * i]);
        if (j - 1 > i)
            fprintf(f, "-%ld", (long) fa[3 * (j - 1)]);
        first = 0;
    }
}

/* A structure fact over layers, as text: "layers 2-7, rank 5; not proven: 8". */
static void facts_to_text(cell *c)
{
    char *buf = NULL;
    size_t size = 0;
    slong i, ncert = 0, rank = -2;
    FILE *f = open_memstream(&buf, &size);
    if (f == NULL)
        return;
    qsort(c->facts, c->nfacts, 3 * sizeof(slong), cmp_slong3);
    for (i = 0; i < c->nfacts; i++)
        if (c->facts[3 * i + 1]) {
            ncert++;
            rank = rank == -2 || rank == c->facts[3 * i + 2] ? c->facts[3 * i + 2] : -3;
        }
    if (ncert > 0) {
        fprintf(f, "layer%s ", ncert > 1 ? "s" : "");
        layer_runs(f, c->facts, c->nfacts, 1);
        if (rank >= 0)
            fprintf(f, ", rank %ld", (long) rank);
        for (i = 0; rank == -3 && i < c->nfacts; i++)   /* different ranks: each one */
            if (c->facts[3 * i + 1])
                fprintf(f, "%s%ld: %ld", i ? "; " : ": ranks ", (long) c->facts[3 * i], (long) c->facts[3 * i + 2]);
    }
    if (ncert < c->nfacts) {
        fprintf(f, "%snot proven: ", ncert > 0 ? "; " : "");
        layer_runs(f, c->facts, c->nfacts, 0);
    }
    fclose(f);
    cell_clear(c);
    *c = text_cell(C_TEXT, buf);
    free(buf);
}

/* ==== rendering ==== */

static void put_esc(FILE *f, const char *s, dnc_report_format fmt)
{
    for (; *s; s++) {
        if (fmt == DNC_REPORT_LATEX && strchr("&%$#_{}", *s))
            fprintf(f, "\\%c", *s);
        else if (fmt == DNC_REPORT_LATEX && *s == '\\')
            fputs("\\textbackslash{}", f);
        else if (fmt == DNC_REPORT_LATEX && *s == '~')
            fputs("\\textasciitilde{}", f);
        else if (fmt == DNC_REPORT_LATEX && *s == '^')
            fputs("\\textasciicircum{}", f);
        else if (fmt == DNC_REPORT_MARKDOWN && (*s == '|' || *s == '\\'))
            fprintf(f, "\\%c", *s);
        else
            fputc(*s, f);
    }
}

/* One end of a rounded interval: "m", "m\times10^{e}" (LaTeX) or "me<e>"; `dots` after the
 * mantissa marks proven digits that more digits follow. */
static void put_end(FILE *f, const char *m, int sci, slong e, int dots, dnc_report_format fmt)
{
    const char *ell = !dots ? "" : fmt == DNC_REPORT_LATEX ? "\\ldots" : fmt == DNC_REPORT_MARKDOWN ? "\xe2\x80\xa6" : "...";
    sci = sci && strcmp(m, "0") != 0;
    if (!sci)
        fprintf(f, "%s%s", m, ell);
    else if (fmt == DNC_REPORT_LATEX)
        fprintf(f, "%s%s\\times10^{%ld}", m, ell, (long) e);
    else
        fprintf(f, "%s%se%ld", m, ell, (long) e);
}

static void put_decimal(FILE *f, const fmpq_t lo, const fmpq_t hi, slong digits, dnc_report_format fmt)
{
    dnc_decimal d;
    if (dnc_decimal_set(&d, lo, hi, digits) != 0)
        return;
    if (fmt == DNC_REPORT_LATEX)
        fputc('$', f);
    if (d.form == DNC_DEC_EXACT)
        put_end(f, d.lo, d.sci, d.elo, 0, fmt);
    else if (d.form == DNC_DEC_DIGITS)
        put_end(f, d.negative ? d.hi : d.lo, d.sci, d.negative ? d.ehi : d.elo, 1, fmt);
    else {
        fputc('[', f);
        put_end(f, d.lo, d.sci, d.elo, 0, fmt);
        fputs(", ", f);
        put_end(f, d.hi, d.sci, d.ehi, 0, fmt);
        fputc(']', f);
    }
    if (fmt == DNC_REPORT_LATEX)
        fputc('$', f);
    dnc_decimal_clear(&d);
}

static void put_qty(FILE *f, const qty *q, dnc_report_format fmt)
{
    static const char *const fn[] = { "f", "loss", "fit", "reg" };
    char buf[256];
    if (fmt != DNC_REPORT_LATEX) {
        qty_plain(buf, sizeof(buf), q);
        put_esc(f, buf, fmt);
    } else if (q->kind == Q_VALUE) {
        fprintf(f, "$f_{\\mathrm{%s}}$", q->name);   /* labels of struct_label: letters only */
        if (q->param)
            fprintf(f, " ($%c = %ld$)", q->param, q->pval);
    } else if (q->kind == Q_ROOT && q->block[0])
        fprintf(f, "$c^*$ (%s's %s block)", q->name, q->block);
    else if (q->kind == Q_ROOT)
        fprintf(f, "$c^*_{\\mathrm{%s}}$", q->name);
    else {
        fprintf(f, "%s(", fn[q->kind]);
        put_esc(f, q->name, fmt);
        fputc(')', f);
    }
}

static void put_sym(FILE *f, const char *s, dnc_report_format fmt)
{
    static const char *const map[][4] = {   /* name, LaTeX, Markdown, CSV */
        { "lambda", "$\\lambda$", "\xce\xbb", "lambda" },
        { "lambda_H", "$\\lambda_H$", "\xce\xbb_H", "lambda_h" },
        { "lambda_W", "$\\lambda_W$", "\xce\xbb_W", "lambda_w" },
    };
    size_t i;
    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(s, map[i][0]) == 0) {
            fputs(map[i][1 + (int) fmt], f);
            return;
        }
    fprintf(f, fmt == DNC_REPORT_LATEX ? "$%s$" : "%s", s);
}

/* An exact rational: "1/250" when short, else its outward-rounded decimal. */
static void put_rational(FILE *f, const fmpq_t x, slong digits, dnc_report_format fmt)
{
    if (fmpz_sizeinbase(fmpq_numref(x), 10) + fmpz_sizeinbase(fmpq_denref(x), 10) > 24) {
        put_decimal(f, x, x, digits, fmt);
        return;
    }
    {
        char *s = dnc_rational_get_str(x);
        fprintf(f, fmt == DNC_REPORT_LATEX ? "$%s$" : "%s", s);
        flint_free(s);
    }
}

static void put_cell(FILE *f, const cell *c, slong digits, dnc_report_format fmt, int wide)
{
    static const char *const lt[] = { " $<$ ", " < ", " < " }, *const vs = " vs ";
    switch (c->type) {
    case C_NONE:
        if (wide && fmt != DNC_REPORT_CSV)
            fputs(fmt == DNC_REPORT_LATEX ? "---" : "\xe2\x80\x94", f);
        break;
    case C_TEXT:
    case C_INT:
        put_esc(f, c->text, fmt);
        break;
    case C_NOTPROVEN:
        fputs(fmt == DNC_REPORT_LATEX ? "\\emph{not proven}" : fmt == DNC_REPORT_MARKDOWN ? "*not proven*" : "not proven",
              f);
        break;
    case C_SYM:
        put_sym(f, c->text, fmt);
        break;
    case C_RAT:
        put_rational(f, c->lo, digits, fmt);
        break;
    case C_INTERVAL:
        put_decimal(f, c->lo, c->hi, digits, fmt);
        break;
    case C_QTY:
        put_qty(f, &c->a, fmt);
        break;
    case C_RATIO:
    case C_ORDER:
    case C_VS:
        put_qty(f, &c->a, fmt);
        fputs(c->type == C_RATIO ? " / " : c->type == C_ORDER ? lt[fmt] : vs, f);
        put_qty(f, &c->b, fmt);
        break;
    case C_POW2:
        fprintf(f, fmt == DNC_REPORT_LATEX ? "$\\le 2^{%ld}$" : fmt == DNC_REPORT_MARKDOWN ? "\xe2\x89\xa4 2^%ld" : "<= 2^%ld",
                (long) c->pow2);
        break;
    default:
        break;
    }
    if (c->note != NULL) {
        fputs(" (", f);
        put_esc(f, c->note, fmt);
        fputc(')', f);
    }
}

/* The cell as a string (free with free()). */
static char *cell_str(const cell *c, slong digits, dnc_report_format fmt, int wide)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (f == NULL)
        return NULL;
    put_cell(f, c, digits, fmt, wide);
    fclose(f);
    return buf;
}

/* ==== building ==== */

#define MAX_ITEMS 16   /* per claim at most 3; the problem 9 */

static int any_split_lambda(const dnc_report *r)
{
    slong i;
    for (i = 0; i < r->n; i++)
        if (!lambda_uniform(json_object_get(r->e[i].cert, "problem")))
            return 1;
    return 0;
}

/* 1 when every width of every certificate is its K. */
static int all_widths_K(const dnc_report *r)
{
    slong i;
    size_t j;
    const json_t *v;
    for (i = 0; i < r->n; i++) {
        const json_t *p = json_object_get(r->e[i].cert, "problem");
        json_array_foreach(json_object_get(p, "width"), j, v)
            if (json_integer_value(v) != json_integer_value(json_object_get(p, "K")))
                return 0;
    }
    return 1;
}

static void clear_items(item *it, int n)
{
    int i;
    for (i = 0; i < n; i++) {
        cell_clear(&it[i].head);
        cell_clear(&it[i].val);
    }
}

/* Places n items in row `row` (clearing what is not kept). */
static int place_all(table *t, slong row, item *it, int n)
{
    int i, r = 0;
    for (i = 0; i < n; i++)
        if (r == 0)
            r = place(t, row, it + i);
        else
            clear_items(it + i, 1);
    return r;
}

/* The long layout's claim columns for one item. */
static int long_items(item *out, const item *claim, const char *kind)
{
    static const char *const heads[] = { "claim", "kind", "quantity", "verdict", "value" };
    int i;
    memset(out, 0, 5 * sizeof(item));
    for (i = 0; i < 5; i++) {
        snprintf(out[i].key, sizeof(out[i].key), "%s", heads[i]);
        out[i].group = 3 + i;
        out[i].kind = -1;
        out[i].head = text_cell(C_TEXT, heads[i]);
    }
    out[0].val = text_cell(C_TEXT, claim->id);
    out[1].val = text_cell(C_TEXT, kind);
    out[2].val = claim->head;
    out[3].val = claim->certified ? text_cell(C_TEXT, "certified") : text_cell(C_NOTPROVEN, NULL);
    out[4].val = claim->certified ? claim->val : text_cell(C_NONE, NULL);
    if (!claim->certified) {
        cell v = claim->val;
        cell_clear(&v);
    }
    return 5;
}

/* Rows of one certificate: its row (wide), or one row per claim quantity (long); with
 * count_only, only counts the rows. */
static int cert_rows(table *t, slong *row, const dnc_report *r, slong e, const dnc_report_opts *o, int split,
                     int width_K, int count_only)
{
    const json_t *cert = r->e[e].cert, *cl;
    int csv = o->format == DNC_REPORT_CSV, wide = o->layout == DNC_REPORT_WIDE;
    item it[MAX_ITEMS], lit[MAX_ITEMS];
    size_t i;
    int n, j;
    if (wide && !count_only) {
        t->cert[*row] = e;
        n = problem_items(it, cert, r->e[e].name, split, width_K, csv);
        if (place_all(t, *row, it, n) != 0)
            return -1;
    }
    json_array_foreach(json_object_get(cert, "claims"), i, cl) {
        n = claim_items(it, cert, cl, wide, o->kinds);
        if (wide) {
            if (place_all(t, *row, it, n) != 0)
                return -1;
            continue;
        }
        for (j = 0; j < n; j++, (*row)++) {
            int np;
            if (count_only) {
                clear_items(it + j, 1);
                continue;
            }
            t->cert[*row] = e;
            np = problem_items(lit, cert, r->e[e].name, split, width_K, csv);
            if (place_all(t, *row, lit, np) != 0)
                return -1;
            long_items(lit, it + j, str(cl, "kind"));
            memset(&it[j], 0, sizeof(item));
            if (place_all(t, *row, lit, 5) != 0)
                return -1;
        }
    }
    if (wide)
        (*row)++;
    return 0;
}

static int build(table *t, const dnc_report *r, const dnc_report_opts *o)
{
    slong e, row = 0, i, j;
    int split = any_split_lambda(r), width_K = all_widths_K(r);
    memset(t, 0, sizeof(*t));
    t->wide = o->layout == DNC_REPORT_WIDE;
    if (t->wide)
        t->nrow = r->n;
    else {
        for (e = 0; e < r->n; e++)
            cert_rows(t, &row, r, e, o, split, width_K, 1);
        t->nrow = row;
        row = 0;
    }
    if ((t->cert = calloc(t->nrow + 1, sizeof(slong))) == NULL)
        return -1;
    for (e = 0; e < r->n; e++)
        if (cert_rows(t, &row, r, e, o, split, width_K, 0) != 0)
            return -1;
    qsort(t->col, t->ncol, sizeof(column), cmp_column);
    for (i = 0; i < t->ncol; i++)
        for (j = 0; j < t->nrow; j++)
            if (t->col[i].cells[j].type == C_FACTS)
                facts_to_text(t->col[i].cells + j);
    return 0;
}

/* Marks the columns not shown as columns: in LaTeX the certificate (a comment on each row)
 * and the claim id; in LaTeX and Markdown the certificate and problem columns that are the
 * same in every row, which are stated once below the table (drop = 1). */
static void drop_constant(table *t, const dnc_report_opts *o)
{
    slong i, j, nclaim = 0;
    if (o->format == DNC_REPORT_CSV)
        return;
    for (i = 0; i < t->ncol; i++)
        nclaim += t->col[i].group > 2;
    for (i = 0; i < t->ncol; i++) {
        column *c = t->col + i;
        char *first;
        int same = 1;
        if (o->format == DNC_REPORT_LATEX && (c->group == 0 || strcmp(c->key, "claim") == 0)) {
            c->drop = 2;
            continue;
        }
        if (c->group > 2 || nclaim == 0 || t->nrow == 0)
            continue;
        first = cell_str(c->cells, o->digits, o->format, 1);
        for (j = 1; j < t->nrow && same && first != NULL; j++) {
            char *s = cell_str(c->cells + j, o->digits, o->format, 1);
            same = s != NULL && strcmp(s, first) == 0;
            free(s);
        }
        c->drop = same;
        free(first);
    }
}

/* A cell of the table as shown: blank for the repeated certificate and problem of the long
 * layout's further rows of a certificate. */
static void put_table_cell(FILE *f, const table *t, slong i, slong row, const dnc_report_opts *o)
{
    if (!t->wide && o->format != DNC_REPORT_CSV && t->col[i].group <= 1 && row > 0 && t->cert[row] == t->cert[row - 1])
        return;
    put_cell(f, t->col[i].cells + row, o->digits, o->format, t->wide);
}

/* "K = 3, n = 1, ..." of the dropped columns. Returns the number of them. */
static int put_common(FILE *f, const table *t, const dnc_report_opts *o)
{
    slong i;
    int n = 0;
    for (i = 0; i < t->ncol; i++)
        if (t->col[i].drop == 1) {
            fputs(n++ ? ", " : "", f);
            put_cell(f, &t->col[i].head, o->digits, o->format, 1);
            fputs(" = ", f);
            put_cell(f, t->col[i].cells, o->digits, o->format, 1);
        }
    return n;
}

static int is_int_column(const column *c, slong nrow)
{
    slong j;
    int any = 0;
    for (j = 0; j < nrow; j++) {
        if (c->cells[j].type != C_INT && c->cells[j].type != C_NONE)
            return 0;
        any |= c->cells[j].type == C_INT;
    }
    return any;
}

/* The text of put_common (free with free()); NULL when out of memory. */
static char *common_text(const table *t, const dnc_report_opts *o)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *m = open_memstream(&buf, &size);
    if (m == NULL)
        return NULL;
    put_common(m, t, o);
    fclose(m);
    return buf;
}

/* The width in cm that a standalone page needs for the shown columns: about 0.19 cm per
 * character of the widest entry of each column (their Markdown text, close to what LaTeX
 * typesets) and 0.45 cm between columns. */
static long standalone_width(const table *t, const dnc_report_opts *o)
{
    double w = 2.5;
    slong i, j;
    for (i = 0; i < t->ncol; i++) {
        size_t len = 0;
        if (t->col[i].drop)
            continue;
        for (j = -1; j < t->nrow; j++) {
            char *s = cell_str(j < 0 ? &t->col[i].head : t->col[i].cells + j, o->digits, DNC_REPORT_MARKDOWN, t->wide);
            len = s != NULL && strlen(s) > len ? strlen(s) : len;
            free(s);
        }
        w += 0.19 * (double) len + 0.45;
    }
    return w < 21 ? 21 : (long) w + 1;
}

static void write_latex(FILE *f, const table *t, const dnc_report *r, const dnc_report_opts *o, const char *common)
{
    const char *env = o->standalone ? "longtable" : "tabular";
    slong i, j;
    int first, ncommon = common != NULL && *common;
    if (o->standalone)   /* up to ~240 rows on one page; longtable continues a longer table on the next */
        fprintf(f, "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{booktabs,longtable}\n"
                   "\\usepackage[paperwidth=%ldcm,paperheight=%ldcm,margin=1cm]{geometry}\n\\pagestyle{empty}\n"
                   "\\begin{document}\n\\small\n", standalone_width(t, o),
                (long) FLINT_MIN(120, FLINT_MAX(21, 6 + 9 * (t->nrow + 2) / 20)));
    fprintf(f, "%% dncert report (dncert %s): %ld certificate%s, %saccepted by the independent checker\n"
               "%% (dncv_verify_json, as dncert-verify) as read; claims not proven are shown as such.\n"
               "%% Numbers are rounded outward from the certified intervals: 0.0991798\\ldots shows digits that\n"
               "%% every number of the interval has; [a, b] is an interval containing it.\n",
            DNCERT_VERSION, (long) r->n, r->n == 1 ? "" : "s", r->n == 1 ? "" : "each ");
    if (ncommon)
        fprintf(f, "%% All rows: %s.\n", common);
    fprintf(f, "\\begin{%s}{", env);
    for (i = 0; i < t->ncol; i++)
        if (!t->col[i].drop)
            fputc(is_int_column(t->col + i, t->nrow) ? 'r' : 'l', f);
    fputs("}\n\\toprule\n", f);
    for (i = 0, first = 1; i < t->ncol; i++)
        if (!t->col[i].drop) {
            fputs(first ? "" : " & ", f);
            put_cell(f, &t->col[i].head, o->digits, o->format, 1);
            first = 0;
        }
    fputs(" \\\\\n\\midrule\n", f);
    if (o->standalone)
        fputs("\\endhead\n\\bottomrule\n\\endlastfoot\n", f);
    for (j = 0; j < t->nrow; j++) {
        if (!t->wide && j > 0 && t->cert[j] != t->cert[j - 1])
            fputs("\\addlinespace\n", f);
        for (i = 0, first = 1; i < t->ncol; i++)
            if (!t->col[i].drop) {
                fputs(first ? "" : " & ", f);
                put_table_cell(f, t, i, j, o);
                first = 0;
            }
        fputs(" \\\\", f);
        if (t->wide || j == 0 || t->cert[j] != t->cert[j - 1]) {   /* the file, as a comment */
            const char *s;
            fputs(" % ", f);
            for (s = r->e[t->cert[j]].name; *s; s++)
                fputc(*s == '\n' ? ' ' : *s, f);
        }
        fputc('\n', f);
    }
    fprintf(f, "%s\\end{%s}\n", o->standalone ? "" : "\\bottomrule\n", env);
    if (o->standalone)
        fprintf(f, "%s%s%s\\end{document}\n", ncommon ? "\\begin{center}\nAll rows: " : "", ncommon ? common : "",
                ncommon ? ".\n\\end{center}\n" : "");
}

static void write_markdown(FILE *f, const table *t, const dnc_report_opts *o, const char *common)
{
    slong i, j;
    fputc('|', f);
    for (i = 0; i < t->ncol; i++)
        if (!t->col[i].drop) {
            fputc(' ', f);
            put_cell(f, &t->col[i].head, o->digits, o->format, 1);
            fputs(" |", f);
        }
    fputs("\n|", f);
    for (i = 0; i < t->ncol; i++)
        if (!t->col[i].drop)
            fputs(is_int_column(t->col + i, t->nrow) ? "---:|" : "---|", f);
    fputc('\n', f);
    for (j = 0; j < t->nrow; j++) {
        fputc('|', f);
        for (i = 0; i < t->ncol; i++)
            if (!t->col[i].drop) {
                fputc(' ', f);
                put_table_cell(f, t, i, j, o);
                fputs(" |", f);
            }
        fputc('\n', f);
    }
    fputs("\n", f);
    if (common != NULL && *common)
        fprintf(f, "All rows: %s.\n", common);
    fputs("Rounded outward from the certified intervals: 0.0991798\xe2\x80\xa6 shows digits that every number of the "
          "interval has, [a, b] contains the value; every certificate was accepted by the independent checker.\n",
          f);
}

static int has_intervals(const column *c, slong nrow)
{
    slong j;
    for (j = 0; j < nrow; j++)
        if (c->cells[j].type == C_INTERVAL)
            return 1;
    return 0;
}

/* The rounded ends of an interval cell as CSV numbers ("0.0991798", "1.23e-30"). */
static void put_csv_ends(FILE *f, const cell *c, slong digits)
{
    dnc_decimal d;
    if (c->type != C_INTERVAL || dnc_decimal_set(&d, c->lo, c->hi, digits) != 0) {
        fputc(',', f);
        return;
    }
    put_end(f, d.lo, d.sci, d.elo, 0, DNC_REPORT_CSV);
    fputc(',', f);
    put_end(f, d.hi, d.sci, d.ehi, 0, DNC_REPORT_CSV);
    dnc_decimal_clear(&d);
}

static void write_csv(FILE *f, const table *t, const dnc_report_opts *o)
{
    slong i, j;
    for (j = -1; j < t->nrow; j++) {
        for (i = 0; i < t->ncol; i++) {
            const cell *c = j < 0 ? &t->col[i].head : t->col[i].cells + j;
            char *s = cell_str(c, o->digits, o->format, t->wide);
            _dnc_sweep_csv_text(f, s != NULL ? s : "", i == 0);
            if (has_intervals(t->col + i, t->nrow)) {
                fputc(',', f);
                if (j >= 0)
                    put_csv_ends(f, c, o->digits);
                else {   /* "<head> lo,<head> hi" */
                    char *lo = malloc(strlen(s != NULL ? s : "") + 4);
                    if (lo != NULL) {
                        sprintf(lo, "%s lo", s != NULL ? s : "");
                        _dnc_sweep_csv_text(f, lo, 1);
                        lo[strlen(lo) - 2] = 'h';
                        lo[strlen(lo) - 1] = 'i';
                        _dnc_sweep_csv_text(f, lo, 0);
                    }
                    free(lo);
                }
            }
            free(s);
        }
        fputc('\n', f);
    }
}

int dnc_report_write(FILE *f, const dnc_report *r, const dnc_report_opts *o)
{
    table t;
    int ret = build(&t, r, o);
    char *common = NULL;
    if (ret == 0) {
        drop_constant(&t, o);
        common = common_text(&t, o);
        if (o->format == DNC_REPORT_LATEX)
            write_latex(f, &t, r, o, common);
        else if (o->format == DNC_REPORT_MARKDOWN)
            write_markdown(f, &t, o, common);
        else
            write_csv(f, &t, o);
    }
    free(common);
    table_clear(&t);
    return ret == 0 && !ferror(f) ? 0 : -1;
}
