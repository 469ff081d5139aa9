/* Theorem files: strict loading, and expansion of each part's grid into instances. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "dncert/closed.h"
#include "dncert/io.h"
#include "dncert/theorem.h"

/* ---- schema ---- */

/* 1 when every key of obj is in the NULL-terminated list allowed (or is "note"). */
static int keys_allowed(const json_t *obj, const char *const *allowed, const char **bad)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *) obj, key, v) {
        const char *const *a;
        for (a = allowed; *a != NULL && strcmp(*a, key) != 0; a++)
            ;
        if (*a == NULL && strcmp(key, "note") != 0) {
            *bad = key;
            return 0;
        }
    }
    return 1;
}

static int need_string(const json_t *obj, const char *key, const char *where, char *err, size_t len)
{
    if (!json_is_string(json_object_get(obj, key)))
        return dnc_fail(err, len, "%s.%s: required, must be a string", where, key);
    return 0;
}

typedef struct {
    const char *kind;
    const char *fields[6];   /* required fields besides kind */
    const char *optional[4];
} claim_schema;

static const claim_schema claim_kinds[] = {
    { "root", { "point", "scalar" }, { NULL } },
    { "alive", { "point" }, { NULL } },
    { "loss", { "point" }, { NULL } },
    { "value", { "point" }, { NULL } },
    { "stationarity", { "point" }, { "max_radius_log2" } },
    { "gradient_norm", { "point" }, { NULL } },
    { "order", { "lower", "higher" }, { NULL } },
    { "dnc_not_optimal", { "lower", "higher" }, { NULL } },
    { "ratio", { "numerator", "denominator" }, { NULL } },
    { "structure", { "point", "fact", "layer" }, { "rank" } },
};

static const char *facts[] = { "gram_diagonal", "rank_pre", "relu_identity", "relu_inactive", "collapsed", NULL };

static int in_list(const char *s, const char *const *list)
{
    for (; *list != NULL; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

static int check_claim(const json_t *c, const char *where, char *err, size_t len)
{
    const char *kind = json_string_value(json_object_get(c, "kind")), *bad;
    const char *allowed[16] = { "kind", "id", "must_hold", "statement" };
    const claim_schema *s = NULL;
    size_t i, n = 4;
    json_t *mh = json_object_get(c, "must_hold");
    if (!json_is_object(c))
        return dnc_fail(err, len, "%s: must be an object", where);
    for (i = 0; kind != NULL && i < sizeof(claim_kinds) / sizeof(claim_kinds[0]); i++)
        if (strcmp(kind, claim_kinds[i].kind) == 0)
            s = claim_kinds + i;
    if (s == NULL)
        return dnc_fail(err, len, "%s.kind: %s (root, alive, loss, value, stationarity, order, dnc_not_optimal, "
                        "ratio, structure)",
                    where, kind ? "unknown kind" : "required");
    for (i = 0; i < 6 && s->fields[i] != NULL; i++) {
        if (!json_is_string(json_object_get(c, s->fields[i])))
            return dnc_fail(err, len, "%s.%s: required for a %s claim, must be a string", where, s->fields[i], kind);
        allowed[n++] = s->fields[i];
    }
    for (i = 0; i < 4 && s->optional[i] != NULL; i++)
        allowed[n++] = s->optional[i];
    allowed[n] = NULL;
    if (!keys_allowed(c, allowed, &bad))
        return dnc_fail(err, len, "%s.%s: unknown field for a %s claim", where, bad, kind);
    if (mh != NULL && !json_is_string(mh) && !json_is_boolean(mh))
        return dnc_fail(err, len, "%s.must_hold: must be a condition (string) or true/false", where);
    if (strcmp(kind, "structure") == 0 && !in_list(json_string_value(json_object_get(c, "fact")), facts))
        return dnc_fail(err, len, "%s.fact: unknown fact '%s' (gram_diagonal, rank_pre, relu_identity, relu_inactive, collapsed)",
                    where, json_string_value(json_object_get(c, "fact")));
    return 0;
}

static int is_identifier(const char *s);

/* Point names become the conditions alive_<name>, dead_<name> and tie_<name>, names of at
 * most 31 characters: a longer point name would be cut and two points could share one. */
#define POINT_NAME_MAX 25

static int check_point(const json_t *p, const char *where, char *err, size_t len)
{
    const char *allowed[] = { "name", "structure", "embed", NULL, NULL };
    const char *bad, *s;
    const dnc_structure *st;
    char list[128];
    if (!json_is_object(p))
        return dnc_fail(err, len, "%s: must be an object", where);
    if (need_string(p, "name", where, err, len) || need_string(p, "structure", where, err, len))
        return -1;
    s = json_string_value(json_object_get(p, "name"));
    if (!is_identifier(s) || strlen(s) > POINT_NAME_MAX)
        return dnc_fail(err, len, "%s.name: '%.40s' must be a name of at most %d letters, digits and '_', not starting "
                        "with a digit (conditions use alive_<name>, dead_<name>, tie_<name>)", where, s, POINT_NAME_MAX);
    s = json_string_value(json_object_get(p, "structure"));
    if ((st = dnc_structure_find(s)) == NULL)
        return dnc_fail(err, len, "%s.structure: unknown structure '%s' (%s)", where, s,
                        dnc_structure_list(list, sizeof(list)));
    allowed[3] = st->param;   /* the structure's own parameter, if it has one */
    if (!keys_allowed(p, allowed, &bad))
        return dnc_fail(err, len, "%s.%s: unknown field of a point of structure %s", where, bad, s);
    if (json_object_get(p, "embed") != NULL && !json_is_boolean(json_object_get(p, "embed")))
        return dnc_fail(err, len, "%s.embed: must be true or false", where);
    if (st->param != NULL && json_object_get(p, st->param) == NULL)
        return dnc_fail(err, len, "%s.%s: required for a point of structure %s (the %s)", where, st->param, s,
                        st->param_help);
    return 0;
}

/* Index of the first earlier element of list whose field key equals element i's, or -1. */
static long earlier_same(const json_t *list, size_t i, const char *key)
{
    const char *v = json_string_value(json_object_get(json_array_get(list, i), key));
    size_t j;
    for (j = 0; v != NULL && j < i; j++) {
        const char *w = json_string_value(json_object_get(json_array_get(list, j), key));
        if (w != NULL && strcmp(v, w) == 0)
            return (long) j;
    }
    return -1;
}

/* root and alive claims are about the blocks of the one-parameter (low-rank) family. */
static int is_block_claim(const json_t *c)
{
    const char *kind = json_string_value(json_object_get(c, "kind"));
    return strcmp(kind, "root") == 0 || strcmp(kind, "alive") == 0;
}

/* Under cross-entropy a root claim is the stationary scale sigma_2 of a ufm, deep-linear or
 * dnc point (certificate-format.md §6.1; dnc is a block structure and passes is_lowrank). */
static int is_ce_root(const json_t *part, const json_t *c, const json_t *point)
{
    const char *loss = json_string_value(json_object_get(json_object_get(part, "problem"), "loss"));
    const char *st = json_string_value(json_object_get(point, "structure"));
    return loss != NULL && strcmp(loss, "ce") == 0 && strcmp(json_string_value(json_object_get(c, "kind")), "root") == 0
           && st != NULL && (strcmp(st, "ufm") == 0 || strcmp(st, "deep-linear") == 0);
}

static int is_lowrank(const json_t *point)
{
    const dnc_structure *st = dnc_structure_find(json_string_value(json_object_get(point, "structure")));
    return st != NULL && st->blocks;
}

/* Names shared within a part: point names unique, explicit claim ids unique, and every
 * claim's "point" one of the part's points. */
static int check_names(const json_t *part, const char *where, char *err, size_t len)
{
    const json_t *pts = json_object_get(part, "points"), *cls = json_object_get(part, "claims");
    size_t i, j;
    long k;
    for (i = 0; i < json_array_size(pts); i++)
        if ((k = earlier_same(pts, i, "name")) >= 0)
            return dnc_fail(err, len, "%s.points[%zu].name: '%s' is already the name of points[%ld]", where, i,
                            json_string_value(json_object_get(json_array_get(pts, i), "name")), k);
    for (i = 0; i < json_array_size(cls); i++) {
        const json_t *c = json_array_get(cls, i);
        const char *pt = json_string_value(json_object_get(c, "point"));
        if ((k = earlier_same(cls, i, "id")) >= 0)
            return dnc_fail(err, len, "%s.claims[%zu].id: '%s' is already the id of claims[%ld]", where, i,
                            json_string_value(json_object_get(c, "id")), k);
        for (j = 0; pt != NULL && j < json_array_size(pts); j++)
            if (strcmp(pt, json_string_value(json_object_get(json_array_get(pts, j), "name"))) == 0)
                break;
        if (pt != NULL && j == json_array_size(pts))
            return dnc_fail(err, len, "%s.claims[%zu].point: no point named '%s' in this part", where, i, pt);
        if (pt != NULL && is_block_claim(c) && !is_lowrank(json_array_get(pts, j))
            && !is_ce_root(part, c, json_array_get(pts, j)))
            return dnc_fail(err, len, "%s.claims[%zu]: %s claims are about the blocks of a dnc point or a low-rank design (srg, sts) "
                            "(certificate-format.md §6.1-6.2; under loss ce, root claims are about ufm, deep-linear "
                            "and dnc points)", where, i, json_string_value(json_object_get(c, "kind")));
    }
    return 0;
}

/* 1 for a name an expression can refer to (and dnc_env can hold: 31 characters). */
static int is_identifier(const char *s)
{
    size_t i;
    if (!(isalpha((unsigned char) s[0]) || s[0] == '_'))
        return 0;
    for (i = 1; s[i] != '\0'; i++)
        if (!(isalnum((unsigned char) s[i]) || s[i] == '_'))
            return 0;
    return i <= 31;
}

/* The grid's variables and values; *count gets its number of instances, which is at most
 * DNC_THEOREM_MAX_INSTANCES (checked as the product is formed, so it cannot overflow). */
static int check_grid(const json_t *g, const char *where, slong *count, char *err, size_t len)
{
    const char *key;
    json_t *v;
    if (!json_is_object(g) || json_object_size(g) == 0)
        return dnc_fail(err, len, "%s.grid: required, a non-empty object of variable: [values]", where);
    if (json_object_size(g) > DNC_THEOREM_MAX_GRID_VARS)
        return dnc_fail(err, len, "%s.grid: %zu variables, more than the %d allowed", where,
                        json_object_size(g), DNC_THEOREM_MAX_GRID_VARS);
    *count = 1;
    json_object_foreach((json_t *) g, key, v) {
        size_t i;
        json_t *x;
        if (!is_identifier(key))
            return dnc_fail(err, len, "%s.grid: the variable '%.40s' must be a name of at most 31 letters, digits "
                            "and '_', not starting with a digit", where, key);
        if (!json_is_array(v) || json_array_size(v) == 0)
            return dnc_fail(err, len, "%s.grid.%s: must be a non-empty list of values", where, key);
        json_array_foreach(v, i, x)
            if (!json_is_integer(x) && !json_is_string(x))
                return dnc_fail(err, len, "%s.grid.%s[%zu]: must be an integer or a string", where, key, i);
        if (json_array_size(v) > (size_t) (DNC_THEOREM_MAX_INSTANCES / *count))
            return dnc_fail(err, len, "%s.grid: more than %d instances (the product of the numbers of values), "
                            "more than a theorem file may have", where, DNC_THEOREM_MAX_INSTANCES);
        *count *= (slong) json_array_size(v);
    }
    return 0;
}

static int check_part(const json_t *part, const char *where, slong *count, char *err, size_t len)
{
    static const char *allowed[] = { "name", "grid", "problem", "points", "claims", NULL };
    const char *bad;
    char sub[128];
    size_t i;
    json_t *x;
    if (!json_is_object(part))
        return dnc_fail(err, len, "%s: must be an object", where);
    if (!keys_allowed(part, allowed, &bad))
        return dnc_fail(err, len, "%s.%s: unknown field of a part", where, bad);
    if (check_grid(json_object_get(part, "grid"), where, count, err, len))
        return -1;
    if (!json_is_object(json_object_get(part, "problem")))
        return dnc_fail(err, len, "%s.problem: required, an object", where);
    if (!json_is_array(json_object_get(part, "points")) || !json_is_array(json_object_get(part, "claims")))
        return dnc_fail(err, len, "%s: needs \"points\" and \"claims\" lists", where);
    json_array_foreach(json_object_get(part, "points"), i, x) {
        snprintf(sub, sizeof(sub), "%s.points[%zu]", where, i);
        if (check_point(x, sub, err, len))
            return -1;
    }
    json_array_foreach(json_object_get(part, "claims"), i, x) {
        snprintf(sub, sizeof(sub), "%s.claims[%zu]", where, i);
        if (check_claim(x, sub, err, len))
            return -1;
    }
    return check_names(part, where, err, len);
}

static int check_file(const json_t *r, char *err, size_t len)
{
    static const char *allowed[] = { "format", "version", "id", "title", "source", "statement",
                                     "certified", "not_certified", "parts", NULL };
    const char *bad, *fmt = json_string_value(json_object_get(r, "format"));
    char where[64];
    size_t i;
    slong count = 0, total = 0;
    json_t *part;
    if (!json_is_object(r))
        return dnc_fail(err, len, "the file must hold a JSON object");
    if (fmt == NULL || strcmp(fmt, DNC_THEOREM_FORMAT) != 0)
        return dnc_fail(err, len, "format: must be \"%s\"", DNC_THEOREM_FORMAT);
    if (!json_is_integer(json_object_get(r, "version")) || json_integer_value(json_object_get(r, "version")) != DNC_THEOREM_VERSION)
        return dnc_fail(err, len, "version: must be %d", DNC_THEOREM_VERSION);
    if (!keys_allowed(r, allowed, &bad))
        return dnc_fail(err, len, "%s: unknown field", bad);
    if (need_string(r, "id", "theorem", err, len) || need_string(r, "source", "theorem", err, len)
        || need_string(r, "statement", "theorem", err, len))
        return -1;
    if (!json_is_array(json_object_get(r, "parts")) || json_array_size(json_object_get(r, "parts")) == 0)
        return dnc_fail(err, len, "parts: required, a non-empty list");
    json_array_foreach(json_object_get(r, "parts"), i, part) {
        snprintf(where, sizeof(where), "parts[%zu]", i);
        if (check_part(part, where, &count, err, len))
            return -1;
        if ((total += count) > DNC_THEOREM_MAX_INSTANCES)
            return dnc_fail(err, len, "%s.grid: the parts so far have %ld instances together, more than the %d "
                            "a theorem file may have", where, (long) total, DNC_THEOREM_MAX_INSTANCES);
    }
    return 0;
}

/* ---- instances ---- */

static slong part_count(const json_t *part)
{
    const char *key;
    json_t *v;
    slong n = 1;
    json_object_foreach(json_object_get(part, "grid"), key, v)
        n *= (slong) json_array_size(v);
    return n;
}

slong dnc_theorem_count(const dnc_theorem *t)
{
    size_t i;
    json_t *part;
    slong n = 0;
    json_array_foreach(json_object_get(t->root, "parts"), i, part)
        n += part_count(part);
    return n;
}

/* Appends "<var><value>" to the instance id, with '/' and '.' made filesystem-safe. */
static void id_append(dnc_instance *inst, const char *var, const dnc_value *v)
{
    char text[96], *c;
    size_t used = strlen(inst->id);
    dnc_value_text(text, sizeof(text), v);
    for (c = text; *c; c++)
        if (*c == '/' || *c == '.' || *c == ' ')
            *c = '_';
    snprintf(inst->id + used, sizeof(inst->id) - used, "%s%s%s", used ? "-" : "", var, text);
}

/* Binds the grid variables of point `idx` of the part (the last variable varies fastest). */
static int bind_grid(dnc_instance *inst, slong idx, char *err, size_t len)
{
    const json_t *grid = json_object_get(inst->part, "grid");
    const char *keys[DNC_THEOREM_MAX_GRID_VARS];
    const char *key;
    json_t *v;
    slong nk = 0, k;
    json_object_foreach((json_t *) grid, key, v)
        if (nk < DNC_THEOREM_MAX_GRID_VARS)
            keys[nk++] = key;
    for (k = nk - 1; k >= 0; k--) {
        json_t *vals = json_object_get(grid, keys[k]), *x;
        slong m = (slong) json_array_size(vals);
        dnc_value val;
        char number[32], msg[512];
        x = json_array_get(vals, (size_t) (idx % m));
        idx /= m;
        snprintf(number, sizeof(number), "%lld", (long long) json_integer_value(x));
        dnc_value_init(&val);
        if (dnc_expr_eval(&val, json_is_integer(x) ? number : json_string_value(x), &inst->env, msg, sizeof(msg)) != 0) {
            dnc_value_clear(&val);
            return dnc_fail(err, len, "grid.%s: %s", keys[k], msg);
        }
        dnc_env_set(&inst->env, keys[k], &val);
        dnc_value_clear(&val);
    }
    for (k = 0; k < nk; k++)
        id_append(inst, keys[k], dnc_env_get(&inst->env, keys[k]));
    return 0;
}

/* Appends the text of one field item to f: an integer, a literal word (activation and
 * bias: a word, or a grid variable holding one, as "bias": "bias" with grid bias:
 * ["'none'", ...]), or the exact value of an expression. */
static int render_item(FILE *f, const json_t *x, int literal, const char *key, const dnc_env *env,
                       char *err, size_t errlen)
{
    const dnc_value *var;
    dnc_value val;
    char msg[512], *t;
    if (json_is_integer(x))
        return fprintf(f, "%lld", (long long) json_integer_value(x)) > 0 ? 0 : -1;
    if (!json_is_string(x))
        return dnc_fail(err, errlen, "problem.%s: must be an expression string, an integer, or a list of them", key);
    if (literal) {
        var = dnc_env_get(env, json_string_value(x));
        fputs(var != NULL && var->is_string ? var->str : json_string_value(x), f);
        return 0;
    }
    dnc_value_init(&val);
    if (dnc_expr_eval(&val, json_string_value(x), env, msg, sizeof(msg)) != 0) {
        dnc_value_clear(&val);
        return dnc_fail(err, errlen, "problem.%s: %s", key, msg);
    }
    t = val.is_string ? NULL : dnc_rational_get_str(val.q);
    fputs(t != NULL ? t : val.str, f);
    flint_free(t);
    dnc_value_clear(&val);
    return 0;
}

/* Renders one problem field of the template (an item or a list of them) as the
 * comma-separated text the problem parser reads, exactly and of any length (free with
 * free()); NULL on error. */
static char *render_field(const json_t *v, const char *key, const dnc_env *env, char *err, size_t errlen)
{
    int literal = strcmp(key, "activation") == 0 || strcmp(key, "bias") == 0 || strcmp(key, "loss") == 0, r = 0;
    size_t i, n = json_is_array(v) ? json_array_size(v) : 1, size = 0;
    char *buf = NULL;
    FILE *f = open_memstream(&buf, &size);
    if (f == NULL) {
        dnc_fail(err, errlen, "problem.%s: out of memory", key);
        return NULL;
    }
    for (i = 0; i < n && r == 0; i++) {
        if (i > 0)
            fputc(',', f);
        r = render_item(f, json_is_array(v) ? json_array_get(v, i) : v, literal, key, env, err, errlen);
    }
    if (fclose(f) != 0 && r == 0)
        r = dnc_fail(err, errlen, "problem.%s: out of memory", key);
    if (r != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Evaluates the problem template; K and L become variables for the later fields. */
static int build_problem(dnc_instance *inst, char *err, size_t len)
{
    static const char *order[] = { "K", "L", "n", "width", "activation", "bias", "lambda", "lambda_h", "lambda_w",
                                   "loss", NULL };   /* in_list needs the NULL (an unknown field read past the end) */
    const json_t *tpl = json_object_get(inst->part, "problem");
    char *vals[10] = { NULL };
    const char *key;
    json_t *v;
    dnc_problem_args a;
    size_t i;
    int r = -1;
    json_object_foreach((json_t *) tpl, key, v)
        if (!in_list(key, order))
            return dnc_fail(err, len, "problem.%s: unknown field", key);
    for (i = 0; i < 10; i++) {
        v = json_object_get(tpl, order[i]);
        if (v != NULL && (vals[i] = render_field(v, order[i], &inst->env, err, len)) == NULL)
            goto done;
        if (v != NULL && i < 2) {   /* K and L: a bad one is reported by the problem parser */
            dnc_value x;
            dnc_value_init(&x);
            dnc_expr_eval(&x, vals[i], &inst->env, NULL, 0);
            dnc_env_set(&inst->env, order[i], &x);
            dnc_value_clear(&x);
        }
    }
    memset(&a, 0, sizeof(a));
    a.K = vals[0]; a.L = vals[1]; a.n = vals[2]; a.width = vals[3]; a.activation = vals[4];
    a.bias = vals[5]; a.lambda = vals[6]; a.lambda_h = vals[7]; a.lambda_w = vals[8]; a.loss = vals[9];
    a.prefix = "problem.";
    if (a.K == NULL || a.L == NULL || a.n == NULL || a.width == NULL)
        dnc_fail(err, len, "problem: the fields K, L, n and width are required");
    else if (dnc_problem_set_args(inst->problem, &a, err, len) == 0) {
        dnc_env_set_si(&inst->env, "N", inst->problem->N);
        r = 0;
    }
done:
    for (i = 0; i < 10; i++)
        free(vals[i]);
    return r;
}

int dnc_instance_init(dnc_instance *inst, const dnc_theorem *t, slong i, char *err, size_t errlen)
{
    size_t k;
    json_t *part = NULL;
    char msg[512];
    memset(inst, 0, sizeof(*inst));
    inst->thm = t;
    dnc_env_init(&inst->env);
    dnc_problem_init(inst->problem);
    json_array_foreach(json_object_get(t->root, "parts"), k, part) {
        if (i < part_count(part))
            break;
        i -= part_count(part);
    }
    if (part == NULL || i < 0)
        return dnc_fail(err, errlen, "%s: no instance number %ld", t->path, (long) i);
    inst->part = part;
    inst->part_index = (slong) k;
    if (json_array_size(json_object_get(t->root, "parts")) > 1) {
        const char *name = json_string_value(json_object_get(part, "name"));
        snprintf(inst->id, sizeof(inst->id), "%s", name ? name : "part");
    }
    if (bind_grid(inst, i, msg, sizeof(msg)) != 0 || build_problem(inst, msg, sizeof(msg)) != 0)
        return dnc_fail(err, errlen, "%s: parts[%zu]: %s", t->path, k, msg);
    return 0;
}

void dnc_instance_clear(dnc_instance *inst)
{
    dnc_env_clear(&inst->env);
    dnc_problem_clear(inst->problem);
}

/* The rest of loading once the JSON is parsed (or not: root NULL with je set). */
static int theorem_init(dnc_theorem *t, json_t *root, const json_error_t *je, char *err, size_t errlen)
{
    char msg[512];
    size_t i;
    json_t *part;
    slong first = 0;
    t->root = root;
    if (t->root == NULL && je->line < 0)   /* not a syntax error: the file could not be read */
        return dnc_fail(err, errlen, "%s", je->text);
    if (t->root == NULL)
        return dnc_fail(err, errlen, "%s: line %d, column %d: %s", t->path, je->line, je->column, je->text);
    if (check_file(t->root, msg, sizeof(msg)) != 0) {
        json_decref(t->root);
        t->root = NULL;
        return dnc_fail(err, errlen, "%s: %s", t->path, msg);
    }
    t->id = json_string_value(json_object_get(t->root, "id"));
    t->title = json_string_value(json_object_get(t->root, "title"));
    t->source = json_string_value(json_object_get(t->root, "source"));
    /* Evaluate the problem template on the first instance of each part, so that a typo is
     * reported now, not in the middle of a long run. */
    json_array_foreach(json_object_get(t->root, "parts"), i, part) {
        dnc_instance inst;
        int r = dnc_instance_init(&inst, t, first, err, errlen);
        dnc_instance_clear(&inst);
        if (r != 0) {
            dnc_theorem_clear(t);
            return -1;
        }
        first += part_count(part);
    }
    return 0;
}

int dnc_theorem_load(dnc_theorem *t, const char *path, char *err, size_t errlen)
{
    json_error_t je;
    memset(t, 0, sizeof(*t));
    snprintf(t->path, sizeof(t->path), "%s", path);
    return theorem_init(t, json_load_file(path, JSON_REJECT_DUPLICATES, &je), &je, err, errlen);
}

int dnc_theorem_load_buffer(dnc_theorem *t, const char *buf, size_t len, const char *name, char *err, size_t errlen)
{
    json_error_t je;
    memset(t, 0, sizeof(*t));
    snprintf(t->path, sizeof(t->path), "%s", name);
    return theorem_init(t, json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je), &je, err, errlen);
}

void dnc_theorem_clear(dnc_theorem *t)
{
    if (t->root != NULL)
        json_decref(t->root);
    t->root = NULL;
}
