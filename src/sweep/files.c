/* The files of a sweep's tables: JSON lines and CSV, written atomically, read back. */
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"
#include "sweep_priv.h"

typedef struct {
    const char *items;
    slong n;
    size_t size;
    _dnc_sweep_to_json to_json;
    _dnc_sweep_csv csv;
} files_ctx;

static int jsonl_writer(FILE *f, void *ctx)
{
    const files_ctx *c = ctx;
    slong i;
    int bad = 0;
    for (i = 0; i < c->n && !bad; i++) {
        json_t *o = c->to_json(c->items + i * c->size);
        /* 17 digits: reading a table back gives the same doubles (a merge, the same text) */
        bad = json_dumpf(o, f, JSON_COMPACT | JSON_REAL_PRECISION(17)) != 0 || fputc('\n', f) == EOF;
        json_decref(o);
    }
    return bad || ferror(f) ? -1 : 0;
}

static int csv_writer(FILE *f, void *ctx)
{
    const files_ctx *c = ctx;
    return c->csv(f, c->items, c->n) != 0 || ferror(f) ? -1 : 0;
}

int _dnc_sweep_files_write(const char *dir, const char *base, const void *items, slong n, size_t size,
                           _dnc_sweep_to_json to_json, _dnc_sweep_csv csv, char *err, size_t errlen)
{
    files_ctx c = { items, n, size, to_json, csv };
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s.jsonl", dir, base);
    if (dnc_write_atomic(path, jsonl_writer, &c, err, errlen) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/%s.csv", dir, base);
    return dnc_write_atomic(path, csv_writer, &c, err, errlen);
}

int _dnc_sweep_jsonl_read(void **items, slong *n, size_t size, const char *dir, const char *base,
                          _dnc_sweep_from_json from_json, char *err, size_t errlen)
{
    char path[4200], msg[256], *line = NULL;
    size_t cap = 0;
    FILE *f;
    int r = 0;
    *items = NULL;
    *n = 0;
    snprintf(path, sizeof(path), "%s/%s.jsonl", dir, base);
    if ((f = fopen(path, "r")) == NULL) {
        snprintf(err, errlen, "cannot read %s (has the sweep finished?)", path);
        return -1;
    }
    while (r == 0 && getline(&line, &cap, f) > 0) {
        json_t *o = json_loads(line, 0, NULL);
        *items = flint_realloc(*items, (*n + 1) * size);
        if (o == NULL)
            snprintf(msg, sizeof(msg), "not JSON");
        if (o == NULL || from_json((char *) *items + *n * size, o, msg, sizeof(msg)) != 0) {
            snprintf(err, errlen, "%s line %ld: %s", path, (long) *n + 1, msg);
            r = -1;
        }
        json_decref(o);
        *n += r == 0;
    }
    free(line);
    fclose(f);
    return r;
}

void _dnc_sweep_csv_text(FILE *f, const char *s, int first)
{
    if (!first)
        fputc(',', f);
    if (strpbrk(s, ",\"\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
    fputc('"', f);
}

void _dnc_sweep_csv_header(FILE *f, const char *const *columns)
{
    int c;
    for (c = 0; columns[c] != NULL; c++)
        _dnc_sweep_csv_text(f, columns[c], c == 0);
    fputc('\n', f);
}
