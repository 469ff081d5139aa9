/* The exact point of a run directory: the input is a point-exact.json document for a small
 * problem (K = 2, n = 1, L = 3, width 3, with a bias). dnc_point_exact_read must accept or
 * reject it without crashing; what it accepts must be written back (dnc_point_exact_json) to
 * a document that reads back to the same exact point. */
#include <stdint.h>
#include <flint/fmpq_vec.h>
#include "dncert/objective.h"
#include "dncert/rundir.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dnc_problem_args a = { .K = "2", .n = "1", .L = "3", .width = "3", .activation = "relu", .bias = "free",
                           .lambda = "1/250" };
    dnc_problem_t p;
    json_t *doc, *again;
    fmpq *x, *y;
    slong n, i;
    char err[1024];
    dnc_problem_init(p);
    if (dnc_problem_set_args(p, &a, err, sizeof(err)) != 0)
        fuzz_fail("the fixed problem is refused: %s", err);
    n = dnc_param_offset(p, p->N, DNC_NKINDS, 0);
    x = _fmpq_vec_init(n);
    y = _fmpq_vec_init(n);
    doc = json_loadb((const char *) data, size, JSON_REJECT_DUPLICATES, NULL);
    if (doc != NULL && dnc_point_exact_read(x, p, doc, "point-exact.json", err, sizeof(err)) == 0) {
        again = dnc_point_exact_json(p, x, 53, NULL);
        if (dnc_point_exact_read(y, p, again, "again", err, sizeof(err)) != 0)
            fuzz_fail("an accepted exact point does not read back: %s", err);
        for (i = 0; i < n; i++)
            if (!fmpq_equal(x + i, y + i))
                fuzz_fail("entry %ld changed in a round trip", (long) i);
        json_decref(again);
    }
    json_decref(doc);
    _fmpq_vec_clear(x, n);
    _fmpq_vec_clear(y, n);
    dnc_problem_clear(p);
    return 0;
}
