/* dncert/rundir.h -- run directories: the saved point and the record of a training run.
 *
 * The format is specified in docs/run-directory.md. A run directory holds manifest.json
 * (format "dncert-point", a version, the problem with exact constants, the list of
 * arrays) and the point's parameter blocks H1, W1..WL and b as float64 arrays: one .npy
 * file each, or the members of one .npz archive (np.savez). `dncert train --out` adds
 * summary.json and metrics.jsonl. This library writes version DNC_POINT_VERSION and reads
 * every version from 1 on; a manifest without "version" is read as version 1.
 *
 * Every command that writes a run directory goes through dnc_run_writer_* (the directory
 * appears complete or not at all), and every one that reads one goes through
 * dnc_point_load, dnc_run_summary and dnc_run_metrics.
 */
#ifndef DNCERT_RUNDIR_H
#define DNCERT_RUNDIR_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "dncert/problem.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNC_POINT_FORMAT      "dncert-point"
#define DNC_POINT_VERSION     2   /* the version written */
#define DNC_POINT_VERSION_MIN 1   /* the oldest version read (and that of a manifest without one) */

/* The files of a run directory. */
#define DNC_RUN_MANIFEST "manifest.json"
#define DNC_RUN_SUMMARY  "summary.json"
#define DNC_RUN_METRICS  "metrics.jsonl"
#define DNC_RUN_NPZ      "point.npz"      /* the archive read when the manifest lists no arrays */
#define DNC_RUN_EXACT    "point-exact.json"   /* the exact point, when there is one (below) */

/* ---- the point ---- */

/* Writes the manifest (version DNC_POINT_VERSION) and one .npy file per parameter block
 * of theta (layout of dnc_param_offset, expanded point; C order) into the existing
 * directory dir. `source` (may be NULL) is stored under "source". Returns 0 or -1 with err. */
int dnc_point_save(const char *dir, const dnc_problem_t p, const double *theta,
                   json_t *source, char *err, size_t errlen);

/* Reads the point saved in dir: sets p (initialised) and *theta (free with free()). The
 * manifest is checked as by dnc_point_manifest_read; the arrays are those it lists or, when
 * it lists none (version 2), DNC_RUN_NPZ if that exists and NAME.npy files otherwise. Every
 * array must be float64 with exactly its block's shape (a transposed one is named as such),
 * its file's size is checked before anything is allocated, and every entry must be finite.
 * Returns 0, or -1 with err naming the file, the array and the field. */
int dnc_point_load(const char *dir, dnc_problem_t p, double **theta, char *err, size_t errlen);

/* The check of dnc_point_load for the array `a` given for parameter block b of p (0 = H1,
 * 1..L = W_l, L+1 = b; ndim 1 or 2 with shape got[0] x got[1], got[1] = 1 for a vector;
 * entries column-major): it must have exactly the block's shape -- a transposed matrix, or a
 * bias of shape (K, 1), is named as such with the fix -- and finite entries. `label` names
 * the array in messages ("run/H1.npy: H1"). Returns 0, or -1 with err. */
int dnc_point_check_block(const double *a, int ndim, const slong got[2], const dnc_problem_t p, slong b,
                          const char *label, char *err, size_t errlen);

/* Checks a manifest (the parsed manifest.json; `where` names it in messages): format and
 * version, the problem (set into p, initialised), and arrays when present: exactly one
 * entry per parameter block of p, {"name": "H1" | "W1".."WL" | "b", "file": a file name
 * without '/', "shape": the block's [rows, cols] or [rows]} (version 2 adds "key" for the
 * array of an .npz file), no name or file (member) listed twice. Version 2 also needs the
 * format, the weight decays, and no unknown fields. Reads no array.
 * Returns 0, or -1 with err naming the field. */
int dnc_point_manifest_read(dnc_problem_t p, const json_t *man, const char *where, char *err, size_t errlen);

/* The version of a parsed manifest as dnc_point_manifest_read reads it (1 when absent),
 * or -1 when "version" is not an integer. */
long dnc_point_manifest_version(const json_t *man);

/* ---- the exact point: point-exact.json ----
 *
 * A run directory may also hold its point exactly: format "dncert-point-exact", version
 * DNC_POINT_EXACT_VERSION, {"format", "version", "layout": "expanded", "bits" (optional: the
 * bits of the dyadics, informative), "blocks": {"H1": {"rows", "cols", "dense": [exact
 * rationals as strings, column-major]}, "W1", ..., "b" with a free bias}, "note"
 * (optional)}. The arrays of the directory hold its rounding to double. `dncert refine`
 * writes one for the high-precision point; `certify-point` certifies it instead of the
 * arrays. The library's fmpq points use the trainer's layout (dnc_param_offset, N columns). */
#include <flint/fmpq.h>
#define DNC_POINT_EXACT_FORMAT  "dncert-point-exact"
#define DNC_POINT_EXACT_VERSION 1

/* The document of the exact point theta of p (bits: informative; note may be NULL). Entries
 * are written as hexadecimal floats when dyadic (dnc_exact_str), else as fractions. */
json_t *dnc_point_exact_json(const dnc_problem_t p, const fmpq *theta, slong bits, const char *note);

/* Reads a parsed point-exact document (where names it in messages) into theta (initialised,
 * dnc_param_offset(p, p->N, DNC_NKINDS, 0) entries): checks format, version (a newer one is
 * refused), the known fields, layout, and exactly the problem's blocks with their shapes and
 * rows x cols exact entries. Returns 0, or -1 with err naming the field
 * ("blocks.W2.dense[17]"). */
int dnc_point_exact_read(fmpq *theta, const dnc_problem_t p, const json_t *doc, const char *where, char *err,
                         size_t errlen);

/* Loads dir/point-exact.json for the problem p of dir, when there is one: returns 1 and sets
 * *exact (free with _fmpq_vec_clear(*exact, n)), 0 when dir has no such file (*exact =
 * NULL), -1 with err on a bad file -- also when theta (the arrays of dir, or NULL) is not
 * the rounding to double of the exact point, entry by entry. */
int dnc_point_exact_load(const char *dir, const dnc_problem_t p, const double *theta, fmpq **exact, char *err,
                         size_t errlen);

/* ---- writing a run ---- */

typedef struct {
    char *dir;         /* the run directory to create */
    char *tmp;         /* DIR.tmp.XXXXXX, renamed to DIR by dnc_run_writer_finish */
    FILE *metrics;     /* DNC_RUN_METRICS, opened by the first record */
    int replace;       /* an existing DIR is replaced */
    int failed;        /* a record could not be written: finishing fails */
} dnc_run_writer;

/* Creates DIR.tmp.XXXXXX next to dir (and dir's parents). Returns 0, or -1 with err. */
int dnc_run_writer_open(dnc_run_writer *w, const char *dir, int replace, char *err, size_t errlen);

/* Appends one record (compact JSON, one line; reals with 17 digits) to DNC_RUN_METRICS.
 * Returns 0, or -1 (and dnc_run_writer_finish will fail). */
int dnc_run_writer_log(dnc_run_writer *w, const json_t *record);

/* Writes DNC_RUN_SUMMARY (when summary is not NULL) and the point (dnc_point_save, with
 * source), closes the metrics, and renames the directory to its final name, replacing
 * an existing one when asked. On failure removes everything. Either way w is released.
 * Returns 0, or -1 with err. */
int dnc_run_writer_finish(dnc_run_writer *w, const dnc_problem_t p, const double *theta, json_t *source,
                          json_t *summary, char *err, size_t errlen);

/* Writes doc as the file `name` of the run directory being written (before
 * dnc_run_writer_finish). Returns 0, or -1 with err (finishing will then fail). */
int dnc_run_writer_add_json(dnc_run_writer *w, const char *name, json_t *doc, char *err, size_t errlen);

/* Removes the temporary directory and releases w. */
void dnc_run_writer_abort(dnc_run_writer *w);

/* ---- reading a run ---- */

/* dir's DNC_RUN_SUMMARY when it is complete (parses, with a string "status"), else NULL. */
json_t *dnc_run_summary(const char *dir);

/* Calls fn on each record of dir's DNC_RUN_METRICS in order, up to the first line that
 * is not a record (a JSON object with an array "layers"); fn returning non-zero stops.
 * Sets *count to the number of records passed to fn. Returns 0, or -1 with err when the
 * file cannot be read or holds no record. */
int dnc_run_metrics(const char *dir, int (*fn)(const json_t *record, void *ctx), void *ctx, slong *count,
                    char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
