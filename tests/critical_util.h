/* Helpers of the critical-point tests (critical_util.c), shared by test_critical.c,
 * test_critical_fixtures.c and test_kinks.c. */
#ifndef DNCERT_CRITICAL_UTIL_H
#define DNCERT_CRITICAL_UTIL_H

#include <jansson.h>

/* Output buffers for tu_run and tu_run_bin. */
extern char out[1 << 20], err[1 << 16];

/* Both checkers (dncert verify, dncert-verify) exit rc on cert and report `line` (and
 * `reason` when not NULL); `what` names the case in failure messages. */
void both_checkers(const char *cert, int rc, const char *line, const char *reason, const char *what);

/* Certificate j with claim id (whose kind is its id unless line says otherwise) marked
 * certified, written to t and freed: both checkers exit 1 and report `line` (NULL: that claim
 * as a mismatch, "ID ID not proven MISMATCH") and, when not NULL, `reason`. */
void forged_refused(json_t *j, const char *t, const char *id, const char *line, const char *reason);

/* Every entry of the point "descent" of certificate j (a descent_direction's direction, every
 * block) times the rational s, written exactly. */
void scale_direction(json_t *j, const char *s);

/* cl's zero_weights without the triples of layer l (only the first such with only_first), as
 * JSON (the caller frees it). */
char *zeros_without(json_t *cl, int l, int only_first);

/* Both checkers refuse the file, naming the critical_point claim as a mismatch. */
void refused(const char *cert, const char *what);

/* 1 when the JSON triple a comes before b (by its three numbers). */
int triple_before(const json_t *a, const json_t *b);

/* The critical_point claim of certificate file c, the whole file loaded into *j (the caller
 * frees it with json_decref). */
json_t *claim_copy(const char *c, json_t **j);

/* The loss of critical_point claim cl agrees with the exact loss of the refined point (the
 * loss_exact claim of certificate j: the full objective at the file's exact entries) to 1e-50. */
void expect_loss_agrees(json_t *j, json_t *cl);

/* Certifies the run directory run into c (dir/c.json; t = dir/t.json for copies) with
 * --critical: certified, the output holding each of expect (NULL-terminated), and the
 * critical_point confirmed by dncert-verify. dir has room for 256 bytes, c and t for 300. */
void certify_fixture(const char *run, char *dir, char *c, char *t, const char *const *expect);

/* certify_fixture, and the checker confirms strict_local_min as well. */
void certify_strict_fixture(const char *run, char *dir, char *c, char *t, const char *const *expect);

/* Copies of certificate c (into t) with field of its critical_point claim set to each of bad:
 * dncert verify rejects every one, naming the field. */
void malformed_field(const char *c, const char *t, const char *field, const char *const *bad, int nbad);

/* Certificate j with its critical_point claim edited (the strict_local_min claim, which refers
 * to it, dropped) written to t and freed: both checkers refuse it, and dncert verify --explain
 * gives reason (when not NULL). */
void refused_edited(json_t *j, const char *t, const char *what, const char *reason);

/* Removes the claims strict_local_min and strict_local_min_of_f from certificate j (a file
 * whose critical_point claim a test edits: only the claims under test stay). */
void drop_second_order(json_t *j);

/* Copies t of certificate c with one edit of its critical_point claim (and of its point, when
 * entry >= 0: dense entry `entry` of block `blk` set to 0), refused by both checkers, and by
 * dncert verify --explain for a reason containing `reason`. */
void refused_for(const char *c, const char *t, const char *field, const char *value, const char *blk, int entry,
                 const char *reason);

/* Both checkers refuse the file: exit 1 with the kink_multipliers claim a mismatch (mismatch),
 * or a non-zero exit (the file is malformed). */
void km_refused(const char *cert, const char *what, int mismatch);

#endif
