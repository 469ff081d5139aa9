/* Helpers shared by the tables and figures of a sweep (table.c, references.c, figures.c).
 * Not part of the public API. */
#ifndef DNCERT_SWEEP_PRIV_H
#define DNCERT_SWEEP_PRIV_H

#include <stdio.h>
#include "dncert/sweep.h"

typedef json_t *(*_dnc_sweep_to_json)(const void *item);
typedef int (*_dnc_sweep_from_json)(void *item, const json_t *obj, char *err, size_t errlen);
typedef int (*_dnc_sweep_csv)(FILE *f, const void *items, slong n);

/* Writes dir/<base>.jsonl (one compact JSON object per item) and dir/<base>.csv (by csv),
 * each atomically. items is an array of n elements of `size` bytes. */
int _dnc_sweep_files_write(const char *dir, const char *base, const void *items, slong n, size_t size,
                           _dnc_sweep_to_json to_json, _dnc_sweep_csv csv, char *err, size_t errlen);

/* Reads dir/<base>.jsonl into *items (n elements of `size` bytes; free with flint_free). */
int _dnc_sweep_jsonl_read(void **items, slong *n, size_t size, const char *dir, const char *base,
                          _dnc_sweep_from_json from_json, char *err, size_t errlen);

/* Writes s as a CSV field preceded by a comma (none when first), quoted when it holds a
 * comma, a quote or a newline. */
void _dnc_sweep_csv_text(FILE *f, const char *s, int first);

/* The number in v, or NaN when v is not a number (null for a non-finite value). */
double _dnc_sweep_json_number(const json_t *v);

/* The header line of a CSV file: the NULL-terminated column names. */
void _dnc_sweep_csv_header(FILE *f, const char *const *columns);

#endif
