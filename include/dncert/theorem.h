/* dncert/theorem.h -- theorem files: claim families from the literature (docs/theorems.md).
 *
 * A theorem file names its source, states the claim in words, and has one or more parts.
 * A part is a parameter grid, a problem template (fields are exact expressions in the
 * grid variables, see expr.h), the closed-form points to build, and the claims to certify
 * for every grid instance, each with a `must_hold` condition.
 */
#ifndef DNCERT_THEOREM_H
#define DNCERT_THEOREM_H

#include <stddef.h>
#include <jansson.h>
#include "dncert/expr.h"
#include "dncert/problem.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNC_THEOREM_FORMAT  "dncert-theorem"
#define DNC_THEOREM_VERSION 1

/* Limits of a theorem file (docs/theorems.md): instances of all parts together (also the
 * most that one `dncert certify` run takes), and variables of one grid. */
#define DNC_THEOREM_MAX_INSTANCES 100000
#define DNC_THEOREM_MAX_GRID_VARS 64

typedef struct {
    char path[1024];
    json_t *root;          /* the whole file */
    const char *id, *title, *source;
} dnc_theorem;

/* One grid point of one part. */
typedef struct {
    const dnc_theorem *thm;
    const json_t *part;    /* borrowed from thm->root */
    slong part_index;
    char id[256];          /* "L3-n5-lambda1_250": grid values, filesystem-safe */
    dnc_env env;           /* grid variables, then K, L, N of the problem */
    dnc_problem_t problem;
} dnc_instance;

/* Loads and validates a theorem file (every field of every part, every claim's kind and
 * fields, every expression's syntax on the first instance). Returns 0, or -1 with a message
 * naming the file and the field ("theorems/x.json: parts[0].claims[2].kind: unknown
 * kind 'bogus'"). */
int dnc_theorem_load(dnc_theorem *t, const char *path, char *err, size_t errlen);

/* The same from the len bytes at buf (messages name it `name`). */
int dnc_theorem_load_buffer(dnc_theorem *t, const char *buf, size_t len, const char *name, char *err, size_t errlen);
void dnc_theorem_clear(dnc_theorem *t);

/* Number of instances of the whole file (all parts). */
slong dnc_theorem_count(const dnc_theorem *t);

/* Instance number i (0-based over all parts, grid order: the last grid variable varies
 * fastest). inst is initialised by the call; clear it with dnc_instance_clear even on
 * failure. Returns 0, or -1 with a message when the problem template fails for it. */
int dnc_instance_init(dnc_instance *inst, const dnc_theorem *t, slong i, char *err, size_t errlen);
void dnc_instance_clear(dnc_instance *inst);

#ifdef __cplusplus
}
#endif
#endif
