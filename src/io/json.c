/* JSON forms of problems and metrics (jansson). Exact rationals travel as strings. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "dncert/io.h"

json_t *dnc_json_real(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

json_t *dnc_problem_to_json(const dnc_problem_t p)
{
    json_t *o = json_object(), *n = json_array(), *w = json_array(), *a = json_array(), *lw = json_array();
    slong k, l;
    for (k = 0; k < p->K; k++)
        json_array_append_new(n, json_integer(p->n[k]));
    for (l = 0; l < p->L; l++) {
        json_array_append_new(w, json_integer(p->width[l]));
        json_array_append_new(lw, dnc_json_fmpq(p->lambda_w + l));
    }
    for (l = 0; l + 1 < p->L; l++)
        json_array_append_new(a, json_string(p->act[l] == DNC_ACT_RELU ? "relu" : "linear"));
    json_object_set_new(o, "K", json_integer(p->K));
    json_object_set_new(o, "n", n);
    json_object_set_new(o, "L", json_integer(p->L));
    json_object_set_new(o, "width", w);
    json_object_set_new(o, "activation", a);
    json_object_set_new(o, "bias", json_string(p->bias == DNC_BIAS_FREE ? "free" : "none"));
    if (p->loss != DNC_LOSS_MSE)   /* absent means mse: files written before the field stay valid */
        json_object_set_new(o, "loss", json_string(dnc_loss_name(p->loss)));
    json_object_set_new(o, "lambda_h", dnc_json_fmpq(p->lambda_h));
    json_object_set_new(o, "lambda_w", lw);
    return o;
}

/* Renders a scalar or an array of scalars as the comma-separated text the option parser
 * reads, in a string sized from the data (free with flint_free). Returns NULL with *bad
 * clear when the field is absent, NULL with *bad set when the JSON type is wrong. */
static char *field_text(const json_t *obj, const char *key, int *bad)
{
    const json_t *v = json_object_get(obj, key), *item;
    size_t n, i, len = 1, pos = 0;
    char *buf;
    if (v == NULL)
        return NULL;
    if (json_is_array(v) && json_array_size(v) == 0) {   /* only "activation" may be empty (L = 1) */
        *bad = strcmp(key, "activation") != 0;
        return NULL;
    }
    n = json_is_array(v) ? json_array_size(v) : 1;
    for (i = 0; i < n; i++) {
        item = json_is_array(v) ? json_array_get(v, i) : v;
        if (json_is_integer(item))
            len += 22;
        else if (json_is_string(item))
            len += json_string_length(item) + 1;
        else
            return *bad = 1, NULL;
    }
    buf = flint_malloc(len);
    buf[0] = '\0';
    for (i = 0; i < n; i++) {
        item = json_is_array(v) ? json_array_get(v, i) : v;
        if (json_is_integer(item))
            pos += (size_t) snprintf(buf + pos, len - pos, "%s%lld", i ? "," : "", (long long) json_integer_value(item));
        else
            pos += (size_t) snprintf(buf + pos, len - pos, "%s%s", i ? "," : "", json_string_value(item));
    }
    return buf;
}

int dnc_problem_from_json(dnc_problem_t p, const json_t *obj, char *err, size_t errlen)
{
    static const char *keys[] = { "K", "n", "L", "width", "activation", "bias", "lambda", "lambda_h", "lambda_w",
                                  "loss" };
    enum { NKEYS = sizeof(keys) / sizeof(keys[0]) };
    char *vals[NKEYS] = { NULL };
    const char *key;
    json_t *value;
    dnc_problem_args a;
    int i, bad = 0, r = -1;

    if (!json_is_object(obj))
        return dnc_fail(err, errlen, "problem: must be a JSON object");
    json_object_foreach((json_t *) obj, key, value) {
        for (i = 0; i < NKEYS && strcmp(key, keys[i]) != 0; i++)
            ;
        if (i == NKEYS && strcmp(key, "note") != 0)
            return dnc_fail(err, errlen, "problem: unknown field '%s'", key);
    }
    for (i = 0; i < NKEYS && !bad; i++)
        if ((vals[i] = field_text(obj, keys[i], &bad)) == NULL && bad)
            dnc_fail(err, errlen, "problem.%s: must be an integer, a string, or a non-empty list of them", keys[i]);
    a.K = vals[0]; a.n = vals[1]; a.L = vals[2]; a.width = vals[3]; a.activation = vals[4];
    a.bias = vals[5]; a.lambda = vals[6]; a.lambda_h = vals[7]; a.lambda_w = vals[8]; a.loss = vals[9];
    a.prefix = "problem.";
    if (!bad && (a.K == NULL || a.n == NULL || a.L == NULL || a.width == NULL))
        dnc_fail(err, errlen, "problem: the fields K, n, L and width are required");
    else if (!bad)
        r = dnc_problem_set_args(p, &a, err, errlen);
    for (i = 0; i < NKEYS; i++)
        flint_free(vals[i]);
    return r;
}

static json_t *real_array(const double *x, slong n)
{
    json_t *a = json_array();
    slong i;
    for (i = 0; i < n; i++)
        json_array_append_new(a, dnc_json_real(x[i]));
    return a;
}

json_t *dnc_collapse_stats_to_json(const dnc_collapse_stats *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "nc1", dnc_json_real(s->nc1));
    json_object_set_new(o, "nc1_ratio", dnc_json_real(s->nc1_ratio));
    json_object_set_new(o, "nc2_orth", dnc_json_real(s->nc2_orth));
    json_object_set_new(o, "nc2_etf", dnc_json_real(s->nc2_etf));
    json_object_set_new(o, "rank", json_integer(s->rank));
    json_object_set_new(o, "sv", real_array(s->sv, s->nsv));
    return o;
}

json_t *dnc_layer_metrics_to_json(const dnc_layer_metrics *m, slong L)
{
    json_t *a = json_array();
    slong l;
    for (l = 0; l < L; l++) {
        json_t *o = json_object();
        json_object_set_new(o, "layer", json_integer(m[l].layer));
        json_object_set_new(o, "width", json_integer(m[l].width));
        json_object_set_new(o, "post", dnc_collapse_stats_to_json(&m[l].post));
        json_object_set_new(o, "pre", m[l].has_pre ? dnc_collapse_stats_to_json(&m[l].pre) : json_null());
        json_object_set_new(o, "nc3", dnc_json_real(m[l].nc3));
        json_array_append_new(a, o);
    }
    return a;
}

json_t *dnc_classification_to_json(const dnc_classification *c, const dnc_layer_metrics *m, slong L)
{
    json_t *dead = json_array(), *pre = json_array(), *post = json_array();
    slong i;
    for (i = 0; i < c->ndead && i < 64; i++)
        json_array_append_new(dead, json_integer(c->dead[i]));
    for (i = 0; i < L; i++) {
        json_array_append_new(post, json_integer(m[i].post.rank));
        json_array_append_new(pre, m[i].has_pre ? json_integer(m[i].pre.rank) : json_null());
    }
    return json_pack("{s:s, s:s, s:o, s:o, s:{s:o, s:o}}", "class", dnc_solution_class_name(c->cls), "reason", c->reason,
                     "dnc_value", dnc_json_real(c->dnc_value), "dead_classes", dead, "rank_profile", "pre", pre,
                     "post", post);
}
