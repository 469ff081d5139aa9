/* Certified reference values of the problems of a sweep: the DNC and SRG closed forms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/closed.h"
#include "dncert/io.h"
#include "dncert/sweep.h"
#include "sweep_priv.h"

#define REF_DIGITS 40

static const char *const ref_columns[] = {
    "K", "L", "n", "lambda", "activation", "bias", "loss_fn", "structure", "r", "alive", "decimal", "lo", "hi", "note",
    NULL
};

/* The largest r >= 3 with C(r, 2) <= K, or 0 when there is none (K < 3). */
static slong srg_r(slong K)
{
    slong r = 2;
    while ((r + 1) * r / 2 <= K)
        r++;
    return r >= 3 ? r : 0;
}

/* Builds one construction at widths K (neither value depends on widths that fit the
 * point) and fills the enclosure, or the reason it does not apply. */
static void build_ref(dnc_sweep_ref *ref, const dnc_sweep_spec *s)
{
    char K[24], n[24], L[24], err[256];
    dnc_problem_args a;
    dnc_problem_t p;
    dnc_closed_t c;
    int embed = ref->r > 0 && ref->K > ref->r * (ref->r - 1) / 2;
    snprintf(K, sizeof(K), "%ld", (long) ref->K);
    snprintf(n, sizeof(n), "%ld", (long) s->n);
    snprintf(L, sizeof(L), "%ld", (long) ref->L);
    memset(&a, 0, sizeof(a));
    a.K = K; a.n = n; a.L = L; a.width = K;
    a.activation = s->activation; a.bias = s->bias; a.lambda = ref->lambda; a.loss = s->loss;
    dnc_problem_init(p);
    if (dnc_problem_set_args(p, &a, err, sizeof(err)) != 0)
        snprintf(ref->note, sizeof(ref->note), "%s", err);
    else if (strcmp(ref->structure, "srg") == 0 && ref->r == 0)
        snprintf(ref->note, sizeof(ref->note), "srg needs K >= 3 (the edges of K_r, r >= 3, label the classes)");
    else if (dnc_closed_build(c, ref->structure, p, ref->r, embed, DNC_PREC_DEFAULT, err, sizeof(err)) != 0) {
        snprintf(ref->note, sizeof(ref->note), "%s", err);
        dnc_closed_clear(c);
    } else {
        json_t *e = dnc_json_enclosure(c->loss, REF_DIGITS);
        snprintf(ref->structure, sizeof(ref->structure), "%s", c->structure);
        snprintf(ref->alive, sizeof(ref->alive), "%s", dnc_alive_name(c->alive));
        snprintf(ref->decimal, sizeof(ref->decimal), "%s", json_string_value(json_object_get(e, "decimal")));
        snprintf(ref->lo, sizeof(ref->lo), "%s", json_string_value(json_object_get(e, "lo")));
        snprintf(ref->hi, sizeof(ref->hi), "%s", json_string_value(json_object_get(e, "hi")));
        json_decref(e);
        dnc_closed_clear(c);
    }
    dnc_problem_clear(p);
}

slong dnc_sweep_references(dnc_sweep_ref **refs, const dnc_sweep_spec *s)
{
    slong k, l, m, n = 0;
    int j;
    *refs = flint_calloc(2 * s->nK * s->nL * s->nlambda + 1, sizeof(dnc_sweep_ref));
    for (k = 0; k < s->nK; k++)
        for (l = 0; l < s->nL; l++)
            for (m = 0; m < s->nlambda; m++)
                for (j = 0; j < 2; j++, n++) {
                    dnc_sweep_ref *r = *refs + n;
                    r->K = s->K[k];
                    r->L = s->L[l];
                    r->n = s->n;
                    strcpy(r->lambda, s->lambda[m]);
                    strcpy(r->activation, s->activation);
                    strcpy(r->bias, s->bias);
                    strcpy(r->loss_fn, s->loss);
                    /* under CE with linear layers the DNC-structured family is the ETF one */
                    strcpy(r->structure, j == 1 ? "srg" : strcmp(s->loss, "ce") == 0
                           && strcmp(s->activation, "linear") == 0 ? "deep-linear" : "dnc");
                    r->r = j == 0 ? 0 : srg_r(r->K);
                    build_ref(r, s);
                }
    return n;
}

/* ---- files ---- */

static json_t *ref_json(const void *item)
{
    const dnc_sweep_ref *r = item;
    json_t *o = json_object();
    json_object_set_new(o, "K", json_integer(r->K));
    json_object_set_new(o, "L", json_integer(r->L));
    json_object_set_new(o, "n", json_integer(r->n));
    json_object_set_new(o, "lambda", json_string(r->lambda));
    json_object_set_new(o, "activation", json_string(r->activation));
    json_object_set_new(o, "bias", json_string(r->bias));
    json_object_set_new(o, "loss_fn", json_string(r->loss_fn));
    json_object_set_new(o, "structure", json_string(r->structure));
    json_object_set_new(o, "r", r->r > 0 ? json_integer(r->r) : json_null());
    json_object_set_new(o, "alive", r->alive[0] ? json_string(r->alive) : json_null());
    json_object_set_new(o, "loss", r->decimal[0] ? json_pack("{s:s, s:s, s:s}", "decimal", r->decimal,
                        "lo", r->lo, "hi", r->hi) : json_null());
    json_object_set_new(o, "note", json_string(r->note));
    return o;
}

static void copy_text(char *buf, size_t len, const json_t *v)
{
    snprintf(buf, len, "%s", json_is_string(v) ? json_string_value(v) : "");
}

static int ref_from_json(void *item, const json_t *o, char *err, size_t errlen)
{
    dnc_sweep_ref *r = item;
    const json_t *loss = json_object_get(o, "loss");
    memset(r, 0, sizeof(*r));
    if (!json_is_integer(json_object_get(o, "K")) || !json_is_integer(json_object_get(o, "L"))
        || !json_is_string(json_object_get(o, "lambda")) || !json_is_string(json_object_get(o, "structure"))) {
        snprintf(err, errlen, "not a reference row (K, L, lambda, structure)");
        return -1;
    }
    r->K = json_integer_value(json_object_get(o, "K"));
    r->L = json_integer_value(json_object_get(o, "L"));
    r->n = json_integer_value(json_object_get(o, "n"));
    r->r = json_integer_value(json_object_get(o, "r"));
    copy_text(r->lambda, sizeof(r->lambda), json_object_get(o, "lambda"));
    copy_text(r->activation, sizeof(r->activation), json_object_get(o, "activation"));
    copy_text(r->bias, sizeof(r->bias), json_object_get(o, "bias"));
    copy_text(r->loss_fn, sizeof(r->loss_fn), json_object_get(o, "loss_fn"));
    if (r->loss_fn[0] == '\0')   /* tables written before the column: squared error */
        strcpy(r->loss_fn, "mse");
    copy_text(r->structure, sizeof(r->structure), json_object_get(o, "structure"));
    copy_text(r->alive, sizeof(r->alive), json_object_get(o, "alive"));
    copy_text(r->decimal, sizeof(r->decimal), json_object_get(loss, "decimal"));
    copy_text(r->lo, sizeof(r->lo), json_object_get(loss, "lo"));
    copy_text(r->hi, sizeof(r->hi), json_object_get(loss, "hi"));
    copy_text(r->note, sizeof(r->note), json_object_get(o, "note"));
    return 0;
}

static int refs_csv(FILE *f, const void *items, slong n)
{
    const dnc_sweep_ref *refs = items;
    slong i;
    _dnc_sweep_csv_header(f, ref_columns);
    for (i = 0; i < n; i++) {
        const dnc_sweep_ref *r = refs + i;
        const char *text[] = { r->lambda, r->activation, r->bias, r->loss_fn, r->structure, "", r->alive, r->decimal,
                               r->lo, r->hi, r->note };
        char rtext[24] = "";
        size_t k;
        if (r->r > 0)
            snprintf(rtext, sizeof(rtext), "%ld", (long) r->r);
        text[5] = rtext;
        fprintf(f, "%ld,%ld,%ld", (long) r->K, (long) r->L, (long) r->n);
        for (k = 0; k < sizeof(text) / sizeof(text[0]); k++)
            _dnc_sweep_csv_text(f, text[k], 0);
        fputc('\n', f);
    }
    return 0;
}

int dnc_sweep_references_write(const char *dir, const dnc_sweep_ref *refs, slong n, char *err, size_t errlen)
{
    return _dnc_sweep_files_write(dir, "references", refs, n, sizeof(dnc_sweep_ref), ref_json, refs_csv, err, errlen);
}

int dnc_sweep_references_read(dnc_sweep_ref **refs, slong *n, const char *dir, char *err, size_t errlen)
{
    return _dnc_sweep_jsonl_read((void **) refs, n, sizeof(dnc_sweep_ref), dir, "references", ref_from_json,
                                 err, errlen);
}

int dnc_sweep_write_outputs(const char *dir, const dnc_sweep_spec *s, const dnc_sweep_row *rows, slong n,
                            char *err, size_t errlen)
{
    dnc_sweep_ref *refs;
    slong nrefs = dnc_sweep_references(&refs, s);
    int r = dnc_sweep_table_write(dir, rows, n, err, errlen) == 0
            && dnc_sweep_references_write(dir, refs, nrefs, err, errlen) == 0 ? 0 : -1;
    flint_free(refs);
    return r;
}
