/* The table of a report, shared by report.c (certificates, claims, the table) and
 * report_write.c (LaTeX, Markdown, CSV). Not part of the public API. */
#ifndef DNCERT_REPORT_PRIV_H
#define DNCERT_REPORT_PRIV_H

#include <jansson.h>
#include <flint/fmpq.h>
#include "dncert/report.h"

typedef struct {
    char *name;
    json_t *cert;   /* a copy, accepted by the checker */
} entry;

struct dnc_report_s {
    entry *e;
    slong n, alloc;
};

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

/* The table of the report's certificates for these options (columns sorted, structure facts
 * as text). Returns 0, or -1 out of memory; clear t with _dnc_report_table_clear either way. */
int _dnc_report_build(table *t, const dnc_report *r, const dnc_report_opts *o);
void _dnc_report_table_clear(table *t);

/* Plain text of a quantity (keys, Markdown, CSV): "f_SRG", "loss(srg)", "c*_DNC". */
void _dnc_report_qty_plain(char *buf, size_t len, const qty *q);

#endif
