/* dncert/flat.h -- libdncert through plain C types, for foreign-function callers.
 *
 * The rest of the public API passes FLINT, Arb and jansson types (fmpq_t, arb_t, json_t),
 * which a foreign-function interface such as Python's ctypes cannot build. This header uses
 * only char, int, long, int64_t and double, and carries structured data as JSON text:
 *
 *   - a problem is the JSON object of a run directory's manifest ("problem" in
 *     docs/run-directory.md): {"K": 10, "n": 1, "L": 4, "width": 30, "lambda": "1/250"};
 *     weight decays are exact rationals written as strings (or integers);
 *   - a point is a double vector `theta` in the trainer's layout: the blocks H1, W_1..W_L, b
 *     one after the other, each column-major; dnc_flat_problem gives every block's name,
 *     shape and offset, and dnc_flat_point builds theta from separate arrays;
 *   - results are JSON text, with exact enclosures as {"decimal", "lo", "hi"} (exact
 *     decimal strings) and doubles with 17 significant digits.
 *
 * It adds no behaviour: every function is a library call that a `dncert` command makes too
 * (named in each entry), so that a program using this header gets what the command does.
 * The Python package python/dncert is built on it (docs/python.md). The independent checker
 * needs no such layer: dncv_verify_file_claims (dncert/verify.h) has plain types already.
 *
 * Every function returns one of the commands' exit statuses: DNC_FLAT_OK; DNC_FLAT_FAILED
 * when the work failed (divergence, I/O, out of memory, a certificate the checker does not
 * confirm); DNC_FLAT_BAD_INPUT when an input is malformed or out of range, with nothing
 * written. On failure err (errlen bytes, may be NULL) holds a message that names the field
 * as the JSON input spells it ("problem.lambda_h: must be a positive rational ...",
 * "lr: must be a number in (0, 1e+06] ..."). Strings returned through char ** belong to the
 * caller: free them with dnc_flat_free.
 */
#ifndef DNCERT_FLAT_H
#define DNCERT_FLAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DNC_FLAT_OK        0
#define DNC_FLAT_FAILED    1
#define DNC_FLAT_BAD_INPUT 2

/* Frees a string returned by a dnc_flat_ function (NULL is fine). */
void dnc_flat_free(char *s);

/* The problem in canonical form and its parameter layout:
 * {"problem": {...} (dnc_problem_to_json: lists, exact strings), "description": "K=2 n=5 ...",
 *  "N": samples, "nparams": entries of theta, "double": 1 when every weight decay is a normal
 *  double (what train and evaluate need), "blocks": [{"name": "H1", "shape": [d1, N],
 *  "offset": 0}, {"name": "W1", ...}, ..., and with a bias {"name": "b", "shape": [K], ...}]}. */
int dnc_flat_problem(const char *problem, char **out, char *err, size_t errlen);

/* Builds theta (nparams entries, allocated by the caller) from one array per parameter block:
 * names[i] ("H1", "W1".."WL", "b"), ndim[i] (1 or 2), shape[2 i], shape[2 i + 1] (1 for a
 * vector), data[i] (column-major). Every block of the problem exactly once, nothing else;
 * each array checked as the arrays of a run directory are (dnc_point_check_block: shape, a
 * transposed one named as such, finite entries), labelled "point['NAME']" in messages. */
int dnc_flat_point(const char *problem, int nblocks, const char *const *names, const int *ndim,
                   const int64_t *shape, const double *const *data, double *theta, char *err, size_t errlen);

/* `dncert train`: trains the problem by dnc_train_run from init (nparams doubles, or NULL
 * for a random start drawn from the seed) and writes the final point to theta (nparams
 * doubles). options: a JSON object with any of "seed", "init_std", "optimizer" ("gd",
 * "momentum", "lbfgs"), "lr", "momentum", "steps", "grad_tol", "lbfgs_memory", "threads"
 * (dnc_train_opts, same defaults and ranges), "rank_tol" (default 1e-6) and "log_every"
 * (default 0: no records). *summary: summary.json's object. *records (may be NULL): with
 * log_every > 0, the array of the records of metrics.jsonl, else "[]". Returns
 * DNC_FLAT_FAILED when the run diverged (summary and theta are set all the same). */
int dnc_flat_train(const char *problem, const char *options, const double *init, double *theta, char **summary,
                   char **records, char *err, size_t errlen);

/* `dncert metrics` and `dncert classify --json`: *out = dnc_point_metrics_json of theta with
 * the default classification tolerances ("loss", "fit", "reg", "grad_norm", "layers",
 * "class"); grad (may be NULL) receives the gradient (nparams doubles). rank_tol in (0, 1]. */
int dnc_flat_evaluate(const char *problem, const double *theta, double rank_tol, double *grad, char **out,
                      char *err, size_t errlen);

/* `dncert closed-form STRUCTURE`: *out = dnc_closed_form_json (param: r for "srg", v for
 * "sts", else 0; prec in [64, 2^20]; compare 0 or 1). theta (nparams doubles, may be NULL)
 * receives the explicit point, expanded and rounded to double, as `--export` writes it.
 * Returns DNC_FLAT_FAILED when the cross-check failed (*out is set all the same). */
int dnc_flat_closed_form(const char *structure, const char *problem, long param, int embed, long prec, int compare,
                         double *theta, char **out, char *err, size_t errlen);

/* `dncert certify-point`: dnc_point_cert_run on theta (finite), then, when path is not NULL,
 * dnc_cert_write_checked to path (replaced if it exists). options: a JSON object with any
 * of "project_collapse", "polish" (booleans), "polish_steps" (1..100000, default 50), "prec"
 * (64..4096, default 256) and "interface" (a string recorded in the producer object). *out:
 * {"description", "nparams", "prec", "stages": [{"name", "loss", "fit", "reg" (enclosures),
 * "grad_abs", "grad_rad", "kinks", "same_as_previous", "change" (enclosure of the change from
 * the previous stage, with "sign": "down", "up", "none" or "not decided")}], "polish":
 * {"steps", "evaluations", "seconds", "stopped"} (when polished), "dnc" (enclosure or null),
 * "verdict": "certified" | "not proven" | "no comparison", "why", "claims", "path", and
 * without a path "certificate": the certificate itself}. Every certificate is re-checked
 * by the independent checker first; DNC_FLAT_FAILED when it does not confirm it or the file
 * cannot be written. */
int dnc_flat_certify(const char *problem, const double *theta, const char *options, const char *path, char **out,
                     char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
