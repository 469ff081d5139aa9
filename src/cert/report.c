/* Tables of certified values (dncert report, docs/report.md): certificates accepted by the
 * independent checker, and their claims as the cells of a table (report_write.c writes it). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "dncert/cert.h"
#include "dncert/closed.h"
#include "dncert/io.h"
#include "dncert/report.h"
#include "report_priv.h"

/* ==== the certificates ==== */


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
    if (dnc_json_get_interval(c.lo, c.hi, iv, "interval", NULL, 0) != 0) {
        cell_clear(&c);          /* cannot happen after the checker; never show a number then */
        c.type = C_NOTPROVEN;
    }
    return c;
}

static cell rat_cell(const char *s)
{
    cell c = text_cell(C_RAT, NULL);
    fmpq_init(c.lo);
    fmpq_init(c.hi);
    if (s == NULL || dnc_parse_rational(c.lo, s) != 0) {
        cell_clear(&c);
        c.type = C_NOTPROVEN;
    }
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
    const dnc_structure *st = dnc_structure_find(name);
    return st != NULL ? st->label : name;
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
void _dnc_report_qty_plain(char *buf, size_t len, const qty *q)
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
        _dnc_report_qty_plain(t2, sizeof(t2), &a);
        set_item(it, k, cl, qty_cell(C_QTY, &a, NULL), interval_cell(json_object_get(cl, "interval")), "%s:%s%s",
                 t2, "");
        n = 1;
    } else if (k == 2) {              /* value (and, wide, the structure's parameter) */
        const json_t *s = json_object_get(cl, "structure");
        structure_qty(&a, s, !wide);
        _dnc_report_qty_plain(t1, sizeof(t1), &a);
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
            _dnc_report_qty_plain(t1, sizeof(t1), &a);
            set_item(it + i, k, cl, qty_cell(C_QTY, &a, NULL), interval_cell(json_object_get(cl, part[i])),
                     "%s:%s%s", t1, "");
        }
    } else if (k == 4) {              /* ratio */
        ref_qty(&a, cert, json_object_get(cl, "numerator"), !wide);
        ref_qty(&b, cert, json_object_get(cl, "denominator"), !wide);
        _dnc_report_qty_plain(t1, sizeof(t1), &a);
        _dnc_report_qty_plain(t2, sizeof(t2), &b);
        set_item(it, k, cl, qty_cell(C_RATIO, &a, &b), interval_cell(json_object_get(cl, "ratio")), "%s:%s/%s",
                 t1, t2);
        n = 1;
    } else if (k == 5 || k == 6) {    /* order, dnc_not_optimal */
        ref_qty(&a, cert, json_object_get(cl, "lower"), !wide);
        ref_qty(&b, cert, json_object_get(cl, "higher"), !wide);
        _dnc_report_qty_plain(t1, sizeof(t1), &a);
        _dnc_report_qty_plain(t2, sizeof(t2), &b);
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


void _dnc_report_table_clear(table *t)
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

static void put_run(FILE *f, slong start, slong end, int *first)
{
    fprintf(f, "%s%ld", *first ? "" : ",", (long) start);
    if (end > start)
        fprintf(f, "-%ld", (long) end);
    *first = 0;
}

/* "1-3,5" of the layers with the given verdict (fa sorted by layer). */
static void layer_runs(FILE *f, const slong *fa, slong n, int certified)
{
    slong i, start = -1, prev = -1;
    int first = 1;
    for (i = 0; i < n; i++) {
        slong l = fa[3 * i];
        if (fa[3 * i + 1] != certified || l == prev)
            continue;
        if (start >= 0 && l == prev + 1) {
            prev = l;
            continue;
        }
        if (start >= 0)
            put_run(f, start, prev, &first);
        start = prev = l;
    }
    if (start >= 0)
        put_run(f, start, prev, &first);
}

/* A structure fact over layers, as text: "layers 2-7, rank 5; not proven: 8". */
static void facts_to_text(cell *c)
{
    char *buf = NULL;
    size_t size = 0;
    slong i, ncert = 0, rank = -2, listed;
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
        for (i = 0, listed = 0; rank == -3 && i < c->nfacts; i++)   /* different ranks: each one */
            if (c->facts[3 * i + 1])
                fprintf(f, "%s%ld: %ld", listed++ ? ", " : "; ranks ", (long) c->facts[3 * i], (long) c->facts[3 * i + 2]);
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

int _dnc_report_build(table *t, const dnc_report *r, const dnc_report_opts *o)
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
