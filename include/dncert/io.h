/* dncert/io.h -- files: NumPy .npy arrays and .npz archives, atomic writes, JSON forms.
 *
 * Every file dncert writes is first written under a temporary name in the same
 * directory and then renamed, so a reader never sees a partial file; a run directory is
 * built as DIR.tmp.XXXXXX and renamed to DIR when complete. Run directories themselves
 * (the saved point, summary.json, metrics.jsonl) are in dncert/rundir.h, included here.
 */
#ifndef DNCERT_IO_H
#define DNCERT_IO_H

#include <stdio.h>
#include <jansson.h>
#include <arb.h>
#include <flint/fmpz_poly.h>
#include "dncert/metrics.h"
#include "dncert/rundir.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- .npy (format 1.0, little-endian float64) ---- */

/* Writes an array of ndim (1 or 2) dimensions; data are column-major, written in C order
 * (numpy's default, 'fortran_order': False), so numpy.load returns the same matrix.
 * Returns 0 or -1. */
int dnc_npy_write(const char *path, const double *data, int ndim, const slong *shape);

/* Reads a float64 .npy file of 1 or 2 dimensions (either memory order; versions 1-3).
 * On success returns 0, sets *data (column-major, free with free()), ndim and shape.
 * On failure returns -1 with a message in err naming path; another dtype is named with
 * the fix ("PATH is float32 ('<f4'); dncert needs float64 ('<f8'): use
 * arr.astype(np.float64)"). */
int dnc_npy_read(const char *path, double **data, int *ndim, slong shape[2], char *err, size_t errlen);

/* ---- .npz (what np.savez writes: a ZIP archive of NAME.npy members, uncompressed) ---- */

#define DNC_NPZ_MAX_ARRAYS 4096

typedef struct dnc_npz_s dnc_npz;

/* Opens an archive and reads its table of contents. Every member must be an uncompressed
 * ("stored") NAME.npy file, listed once; compressed archives (np.savez_compressed),
 * encrypted or multi-disk ones, and more than DNC_NPZ_MAX_ARRAYS members are refused.
 * ZIP64 sizes and offsets are read. Returns the archive (close with dnc_npz_close), or
 * NULL with a message in err naming path. */
dnc_npz *dnc_npz_open(const char *path, char *err, size_t errlen);

void dnc_npz_close(dnc_npz *z);

/* The number of arrays, and the name of array i (its member's name without ".npy"), in
 * increasing strcmp order. */
slong dnc_npz_count(const dnc_npz *z);
const char *dnc_npz_name(const dnc_npz *z, slong i);

/* 1 when the archive holds an array of this name. */
int dnc_npz_has(const dnc_npz *z, const char *name);

/* Reads array `name` as dnc_npy_read reads a file (the same checks and results, messages
 * naming "PATH: array 'NAME'"); its CRC-32 is checked first. Returns 0 or -1 with err. */
int dnc_npz_read(dnc_npz *z, const char *name, double **data, int *ndim, slong shape[2], char *err, size_t errlen);

/* ---- double points as binary64 (docs/certificate-format.md §5.2) ---- */

/* The canonical base64 (RFC 4648 §4, padded) of the little-endian IEEE binary64 bytes of
 * x[0..n): the inline form of a certificate block. Free with free(); NULL when out of memory. */
char *dnc_base64_doubles(const double *x, slong n);

/* SHA-256 (FIPS 180-4), the producer's own (src/io/sha256.c): init, update with any number
 * of bytes, then hex <- the 64 lower-case hex digits of the digest (the state is used up). */
typedef struct {
    unsigned int h[8];
    unsigned char buf[64];
    size_t fill;
    unsigned long long len;
} dnc_sha256;
void dnc_sha256_init(dnc_sha256 *s);
void dnc_sha256_update(dnc_sha256 *s, const unsigned char *p, size_t n);
void dnc_sha256_hex(dnc_sha256 *s, char hex[65]);

/* Writes x[0..n) to path as little-endian IEEE binary64 (8n bytes, nothing else) and its
 * SHA-256 digest as 64 lowercase hexadecimal digits to hex: a certificate's point file. Not
 * atomic by itself (the caller writes it in a temporary directory). 0, or -1 with err. */
int dnc_binary64_file_write(const char *path, const double *x, slong n, char hex[65], char *err, size_t errlen);

/* ---- atomic files and directories ---- */

typedef int (*dnc_writer_fn)(FILE *f, void *ctx);

/* Writes path via a temporary file in the same directory and rename(2). */
int dnc_write_atomic(const char *path, dnc_writer_fn fn, void *ctx, char *err, size_t errlen);

/* Writes a JSON value (2-space indent, keys in insertion order) atomically. */
int dnc_json_write_atomic(const char *path, json_t *value, char *err, size_t errlen);

/* Creates DIR.tmp.XXXXXX next to dir; its path goes to tmp (size >= strlen(dir) + 16). */
int dnc_rundir_begin(char *tmp, size_t tmplen, const char *dir, char *err, size_t errlen);

/* Renames tmp to dir; with replace, an existing dir is removed first. */
int dnc_rundir_commit(const char *tmp, const char *dir, int replace, char *err, size_t errlen);

/* mkdir -p dir. Returns 0, or -1 with a message. */
int dnc_mkdir_p(const char *dir, char *err, size_t errlen);

/* Removes a directory tree (used for aborted temporary run directories). */
int dnc_remove_tree(const char *path);

/* 1 when path exists (any type). */
int dnc_path_exists(const char *path);

/* dir/name in a new string (free with free()); NULL when out of memory. */
char *dnc_path_join(const char *dir, const char *name);

/* A new string formatted as printf would (free with free()); NULL when out of memory. */
char *dnc_strdup_printf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* ---- JSON forms ---- */

/* {"K":..,"n":[..],"L":..,"width":[..],"activation":[..],"bias":"none|free",
 *  "lambda_h":"1/250","lambda_w":["1/250",..]} -- rationals as exact strings. */
json_t *dnc_problem_to_json(const dnc_problem_t p);

/* Inverse of dnc_problem_to_json; also accepts "lambda" for both, and a single value
 * where a list is allowed. Goes through dnc_problem_set_args, so the rules are the same
 * as on the command line. Returns 0, or -1 with a message in err naming the field. */
int dnc_problem_from_json(dnc_problem_t p, const json_t *obj, char *err, size_t errlen);

/* ---- exact enclosures in JSON ----
 * An enclosure is {"decimal": D, "lo": LO, "hi": HI}. LO and HI are exact decimal
 * rationals with LO <= x <= HI (the ball's endpoints rounded outward to about `digits`
 * significant digits); D shows only digits that are proven: every number in [LO, HI]
 * truncates to them, and "..." marks the truncation. */
json_t *dnc_json_enclosure(const arb_t x, slong digits);

/* The proven digits of x as in "decimal" above (caller frees with flint_free). */
char *dnc_arb_proven_decimal(const arb_t x, slong maxdigits);

/* Outward decimal rounding of a rational: lo/hi = floor/ceil of q at `digits`
 * significant digits (exact decimal strings; caller frees with flint_free). */
char *dnc_fmpq_decimal_floor(const fmpq_t q, slong digits);
char *dnc_fmpq_decimal_ceil(const fmpq_t q, slong digits);

/* Reads {"lo": .., "hi": ..} (exact rationals as strings) into lo <= hi. Returns 0, or
 * -1 with a message naming `what`. */
int dnc_json_get_interval(fmpq_t lo, fmpq_t hi, const json_t *obj, const char *what, char *err, size_t errlen);

/* Exact text of a rational: a C99 hexadecimal float when it is dyadic ("0x1.8p+0" = 3/2,
 * printf's "%a" for a double, any number of hex digits), else "num/den". Parsed back exactly
 * by dnc_parse_rational. Free with flint_free. */
char *dnc_exact_str(const fmpq_t q);

/* Exact rational as a JSON string ("1/250", "3"). */
json_t *dnc_json_fmpq(const fmpq_t q);

/* Integer polynomial as an array of decimal strings, constant term first. */
json_t *dnc_json_fmpz_poly(const fmpz_poly_t f);

/* Number, or null when x is NAN/Inf (JSON has neither). */
json_t *dnc_json_real(double x);

json_t *dnc_collapse_stats_to_json(const dnc_collapse_stats *s);
json_t *dnc_layer_metrics_to_json(const dnc_layer_metrics *m, slong L);

/* {"class": "low-rank", "reason": ..., "dead_classes": [...], "rank_profile":
 *  {"post": [r_1..r_L], "pre": [null, r_2..r_L]}} */
json_t *dnc_classification_to_json(const dnc_classification *c, const dnc_layer_metrics *m, slong L);

#ifdef __cplusplus
}
#endif
#endif
