/* Private to src/refine/: the refinement's state, shared by the double stage (refine.c), the
 * high-precision stage (refine_hp.c) and the structure report (structure.c). */
#ifndef DNCERT_REFINE_PRIV_H
#define DNCERT_REFINE_PRIV_H

#include <flint/fmpq.h>
#include "dncert/dobj.h"
#include "dncert/refine.h"

/* Entry states of a ReLU layer's pre-activation. */
#define ST_PLUS 1
#define ST_MINUS (-1)
#define ST_KINK 0
#define ST_DEAD 2   /* an entry of a dead unit: slope 0, no constraint */

/* Values of refine_ctx.left. */
#define LEFT_OUT 1
#define LEFT_BACK 2

typedef struct {
    dnc_problem_struct *p;
    dnc_dobj_t obj;
    slong n, L, N;
    signed char **state;     /* state[l] (l = 2..L, ReLU layers), d_l x N column-major */
    char **left;             /* per entry: LEFT_OUT when a pattern update moved it off the kink,
                                LEFT_BACK when Newton then brought it back (held a kink since) */
    double **slope, **seed, **pre;
    char *fixed;             /* parameters held at 0 (dead units) */
    slong *free_idx, nfree;
    slong *kl, *ke, nk;      /* kink k: layer kl[k], entry ke[k] */
    double *mu;              /* one multiplier per kink */
    const dnc_refine_opts *o;
    dnc_refine_info *info;
    FILE *log;
} refine_ctx;

/* "<= 1e-28.4" for a bound 10^x on a residual, "= 0" when x = -inf (an exact zero: the zero
 * point), into buf (32 bytes). */
const char *_dnc_refine_bound_str(char *buf, double x);

void _dnc_refine_say(refine_ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* 1 when sigma_{l-1} is a ReLU (layer l's pre-activation has a pattern). */
int _dnc_refine_is_relu(const refine_ctx *c, slong l);

/* Entry i of ReLU layer l, of P+ or P-, lost its sign: it is a kink from now on, and held as
 * one when a pattern update had moved it off a kink before (docs/refine.md §2, step 6). */
void _dnc_refine_make_kink(refine_ctx *c, slong l, slong i);

/* The high-precision stage (refine_hp.c): chord iterations in Arb at o->prec bits on the KKT
 * system of c's pattern, from the double solution (theta, c->mu). Overwrites theta with the
 * double rounding of the result and, when exact is not NULL (c->n entries, initialised),
 * stores the exact dyadic point there. Fills the hp_* fields of c->info. Returns 0, or -1
 * when memory is short. */
int _dnc_refine_hp(refine_ctx *c, double *theta, fmpq *exact);

#endif
