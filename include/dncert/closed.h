/* dncert/closed.h -- closed-form optima and competitors of the DUFM (docs/closed-forms.md).
 *
 * Every construction fills a dnc_closed: the certified optimal value along its structure
 * (`loss`), the decision alive/dead/tie, its named scalars (algebraic numbers with an
 * isolating interval, or balls derived from them), and an explicit point in collapsed
 * form whose ball evaluation (dnc_ball_eval) must contain `loss`.
 *
 * Constructors return 0 on success and -1 with a message in err when the problem does
 * not fit the construction (e.g. unbalanced counts for DNC, a width below K); they
 * never return a value that is not rigorously enclosed.
 */
#ifndef DNCERT_CLOSED_H
#define DNCERT_CLOSED_H

#include <stddef.h>
#include "dncert/algebraic.h"
#include "dncert/exact.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNC_CLOSED_MAX_SCALARS 64

typedef struct {
    char name[32];          /* e.g. "c", "tau", "a", "s_1", "nu_dir_2" */
    arb_t value;            /* enclosure at the requested precision */
    int algebraic;          /* 1: value is the root `alg`; 0: derived by ball arithmetic */
    dnc_alg_t alg;
} dnc_closed_scalar;

typedef enum { DNC_DEAD = 0, DNC_ALIVE = 1, DNC_TIE = 2 } dnc_alive_t;

typedef struct {
    char structure[32];     /* "dnc", "srg", "srg-embedded", "sts", "deep-linear", "ufm", "tirer-bruna" */
    dnc_problem_struct *p;  /* borrowed */
    slong prec;
    dnc_alive_t alive;      /* exact decision: non-zero structure vs the zero point */
    char alive_rule[256];   /* the exact inequality that was decided, in words */
    arb_t loss;             /* f* along the structure (1/2 when dead) */
    dnc_closed_scalar scalars[DNC_CLOSED_MAX_SCALARS];
    slong nscalars;
    dnc_bpoint_t point;     /* explicit point (collapsed form), valid when has_point */
    int has_point;
} dnc_closed_struct;
typedef dnc_closed_struct dnc_closed_t[1];

void dnc_closed_init(dnc_closed_t c, dnc_problem_t p, const char *structure, slong prec);
void dnc_closed_clear(dnc_closed_t c);

/* Appends a scalar; returns it so the caller can set value/alg. */
dnc_closed_scalar *dnc_closed_add_scalar(dnc_closed_t c, const char *name);

/* Returns the scalar with this name, or NULL. */
const dnc_closed_scalar *dnc_closed_get_scalar(const dnc_closed_t c, const char *name);

#ifdef __cplusplus
}
#endif
#endif
