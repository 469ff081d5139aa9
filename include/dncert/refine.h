/* dncert/refine.h -- critical points at ReLU kinks, refined in double and then in high
 * precision (docs/refine.md; the mathematics: ../shared/spec/critical-points.md §1-3, 6).
 *
 * A trained point sits on kinks: pre-activation entries that tend to 0. Refinement guesses
 * the pattern (P+, P-, the kinks P0, dead units), then solves the KKT system of the smooth
 * piece f_0 on the pattern manifold M = { ubar_e = 0, e in P0 }
 *     grad f_0(theta) + sum_e mu_e grad ubar_e(theta) = 0,   ubar_e(theta) = 0
 * by Newton's method with minimum-norm least-squares steps (the continuous symmetries make
 * the Jacobian singular; a minimum-norm step moves across the orbits, not along them). It
 * then recovers the slopes t_e = mu_e / G_e top-down and updates the pattern when one lies
 * outside [0, 1] (t > 1: the entry belongs to P+, t < 0: to P-), saying so.
 *
 * A high-precision stage (o->prec > 0) then continues on the same pattern in Arb at prec
 * bits: chord iterations x <- x - Y F(x) with Y the pseudo-inverse (in double) of the KKT
 * Jacobian at the double solution, to a residual enclosure near 2^-prec. Its result is an
 * exact point (dyadic rationals of at most prec bits).
 *
 * Nothing here proves anything: it prepares a point for the certifier. A refined point with
 * every t in [0, 1] is a numerical chain-rule stationary point to about the working precision.
 */
#ifndef DNCERT_REFINE_H
#define DNCERT_REFINE_H

#include <stdio.h>
#include <flint/fmpq.h>
#include <jansson.h>
#include <arb.h>
#include "dncert/problem.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    double kink_tol;     /* scale-free kink test |u_ij| / (||W[i,:]|| ||H[:,j]||) below this (5e-3) */
    double dead_tol;     /* a unit is dead when ||W_in[i,:]|| ||W_out[:,i]|| is below this times
                            the largest such product of its layer (1e-6) */
    double tol;          /* target max |KKT residual| (1e-13) */
    double t_slack;      /* t in [-t_slack, 1 + t_slack] counts as in [0, 1] (1e-8) */
    slong max_newton;    /* Newton steps per pattern (100) */
    slong max_rounds;    /* pattern updates (8) */
    slong prec;          /* bits of the high-precision stage; 0: none (0; the command's default is 256) */
    slong hp_max_steps;  /* chord steps of the high-precision stage (60) */
    double hp_rcond;     /* singular values of the KKT Jacobian below hp_rcond times the largest
                            are cut from its pseudo-inverse: the symmetry directions (1e-9) */
    double hp_entry;     /* with prec > 0, a double stage that stops above tol but at max |KKT
                            residual| <= hp_entry hands its pattern to the high-precision stage,
                            whose Jacobian is accurate where the finite differences of the double
                            stage stall (large widths; docs/refine.md §4) (1e-9) */
} dnc_refine_opts;

void dnc_refine_opts_default(dnc_refine_opts *o);

typedef struct {
    slong nkinks;        /* |P0| at the end (dead units' entries not counted) */
    slong ndead;         /* dead units removed (their rows and columns set to 0) */
    slong newton_steps;  /* over all rounds */
    slong rounds;        /* patterns tried */
    slong moved_plus, moved_minus;   /* kinks moved to P+ / P- by pattern updates */
    slong sign_changes;  /* P+/P- entries that changed sign during Newton (pattern re-guessed) */
    slong nheld;         /* kinks moved off by a pattern update that Newton brought back to 0:
                            held as kinks since (the piece's critical point lies on them) */
    slong nconcave;      /* kinks with G_e < 0: moving off them (into P+) lowers f, so the point
                            is not a local minimum even when it is stationary */
    double residual;     /* max |KKT residual| at the end */
    double tmin, tmax;   /* range of the recovered t_e, with 0 (0, 0 without kinks) */
    slong nundefined;    /* kinks with mu_e != 0 = G_e: no slope t_e exists for this mu */
    double loss;         /* f at the refined point */
    int converged;       /* residual <= tol */
    int stationary;      /* converged and every t_e in [0, 1] (within t_slack) */
    char message[1024];   /* what happened, in words */
    /* the high-precision stage (all 0 when it did not run) */
    slong hp_prec;       /* bits used */
    slong hp_steps;      /* chord steps taken */
    slong hp_rank;       /* numerical rank of the KKT Jacobian (m - hp_rank: its null space) */
    slong hp_size;       /* m = free parameters + kinks */
    double hp_gap;       /* last kept singular value over the first cut one (inf: none cut) */
    double hp_residual_log10;   /* log10 of an upper bound on max |KKT residual| at the exact point */
    double hp_contraction;      /* the last residual ratio of two successive chord steps */
    double hp_loss_digits;      /* decimal digits of the loss enclosure of the exact point */
    char hp_loss[128];   /* the loss of the exact refined point: its proven decimal digits */
    int hp_signs_kept;   /* P+ and P- keep their signs at the exact point (ball arithmetic) */
    int hp_handoff;      /* the double stage stopped above tol (at most hp_entry): converged only
                            if the high-precision stage then reaches 2^(-prec/4) */
    slong hp_signs_lost; /* entries of P+ or P- that did not (made kinks; solved again, refine.md §4) */
    slong hp_rounds;     /* high-precision stages run (more than one after lost signs) */
    slong dying_units;   /* units held at 0 after the chord steps stalled (refine.md §4) */
    slong dying_rounds;  /* how many times (at most 3) */
    double dying_tol;    /* the last threshold tried (a multiple of dead_tol), 0 if none */
    double hp_seconds;
} dnc_refine_info;

/* Refines theta (expanded layout, p->N columns; overwritten by the refined point) and fills
 * info. Progress lines go to log when it is not NULL. Returns 0 when the refinement ran
 * (info says whether it converged and whether the point is stationary), -1 with err on
 * bad input (no ReLU layer, non-finite entries) or when memory is insufficient. */
int dnc_refine_point(double *theta, const dnc_problem_t p, const dnc_refine_opts *o, dnc_refine_info *info,
                     FILE *log, char *err, size_t errlen);

/* dnc_refine_point, and when o->prec > 0 and the double stage converged, the high-precision
 * stage: exact (NULL, or dnc_param_offset(p, p->N, DNC_NKINDS, 0) initialised entries)
 * receives the exact refined point, theta its rounding to double. Without the
 * high-precision stage exact receives theta exactly. When structure is not NULL, *structure
 * receives the structure report of the refined point (dnc_refine_structure). */
int dnc_refine_point_exact(double *theta, fmpq *exact, json_t **structure, const dnc_problem_t p,
                           const dnc_refine_opts *o, dnc_refine_info *info, FILE *log, char *err, size_t errlen);

/* The structure of an exact point of p (expanded layout, as dnc_refine_point_exact writes):
 * for every layer the rank profile of the class means of H_l and of the pre-activation
 * Htilde_l (singular values, rank with a gap rule), the kink pattern of each class ('+', '-',
 * '0' for |u| below 2^(-prec/2) times the layer's largest, per unit), the class-mean Gram
 * matrix M^T M of H_l, and candidate minimal polynomials of the loss and of the Gram
 * entries found by integer relation (dnc_alg_recognize, trusting `digits` decimal digits)
 * -- candidates, never theorems. Evaluated in Arb at prec bits. Returns a new JSON object. */
json_t *dnc_refine_structure(const fmpq *exact, const dnc_problem_t p, slong prec, double digits);

/* ---- certified critical points: Krawczyk on the slice (src/refine/critical.c, docs/refine.md §7) ----
 *
 * A box X = xbar + [-2^E, 2^E]^m around x = (theta, mu, nu) -- all parameters, one multiplier
 * per kink, one slice multiplier per symmetry generator -- in which the system
 *     grad f_0(theta) + sum_e mu_e grad ubar_e(theta) + S nu = 0,  ubar_e(theta) = 0,
 *     S^T (theta - theta0) = 0     (S: the generators at the centre theta0; nu's centre 0)
 * has a unique zero (Krawczyk), nu = 0 there (the Gram matrix <s_j(theta), s_k(theta0)> is
 * invertible on the box), and P+/P- keep strict signs: so an exact critical point theta* of f
 * on the pattern manifold lies in the box, f(theta*) = f_0(theta*) in `loss`. */
typedef struct {
    slong n, prec;           /* parameters (expanded layout); bits */
    slong nkinks;            /* |P0| */
    slong *kinks;            /* 3 per kink: layer l (2..L), row, column; by (l, row, column) */
    fmpq *mu;                /* the multipliers' centres (nkinks) */
    slong ngenerators;
    slong *generators;       /* 3 per generator (l, a, b): rotation of units a < b of layer l */
    slong npartial;
    slong *partial;          /* 3 per partial rotation (a, b, j) of column j of H1 (docs/refine.md §7.7) */
    slong nkrot;
    slong *krot;             /* 3 per kink-preserving rotation (l, a, b) of the units of layer l that are
                                linear on the data (docs/refine.md §7.8) */
    slong ncrot;
    slong *crot;             /* 2 per class rotation (a, b) of two one-sample classes (docs/refine.md §7.10) */
    fmpq *center;            /* theta0: the box centre (n exact dyadics) */
    slong radius_log2;       /* E */
    slong nimplied;
    slong *implied;          /* 3 per implied kink: held by the kinks that force its row's weights to 0 (§7.3) */
    slong nzero;
    slong *zero;             /* 3 per zero weight (l, i, u): entry (i, u) of W_l held at 0, not an unknown
                                (docs/refine.md §7.3) */
    slong ndead, merged;     /* dead units; how many of them were merged into a proportional unit */
    slong *dead;             /* 2 per dead unit (l, a), held at 0 and not unknowns (docs/refine.md §7.2) */
    slong size;              /* m = free parameters + nkinks + ngenerators + npartial + nkrot + ncrot */
    arb_t loss;              /* f_0 over the box */
    int proven, krawczyk, gram, signs, dead_ok;
    int double_path;         /* Krawczyk was shown with the preconditioner in double (docs/refine.md §7.9) */
    double rho_max;          /* the double path's largest bound of a row sum of |I - Y J| (about m u cond(J)) */
    double seconds;
    char message[1024];
    /* kink_multipliers (format §6.10, docs/refine.md §7.2), set when proven: over the box,
     * G_e = dF/dh_e (back-propagated with the seeds mu of the kinks above) and t_e = mu_e / G_e */
    arb_ptr G, t;            /* nkinks each, or NULL */
    int slopes_proven;       /* every G_e excludes 0 and every t_e lies in [0, 1], or t_e is exact */
    slong nexact;
    slong *exact;            /* 6 per kink whose slope is exactly 0 or 1 by a symmetry (format §6.10,
                                docs/refine.md §7.11): kink index, slope, witness family (0 rotation,
                                1 kink-preserving rotation, 2 class rotation, 3 lone unit:
                                (2, p, j), docs/refine.md §7.14, 4 shared input: (l, p, q),
                                §7.15), then (l, a, b), l = 0
                                for a class rotation; by kink index */
    slong nshift;
    slong *shift;            /* 2 per multiplier shift (format §6.10 "shifts", docs/refine.md §7.12): the
                                index of an implied kink, its partner unit */
    fmpq *shift_s;           /* the shifts s_k (nshift), or NULL */
    arb_ptr shift_t;         /* the slopes of the shifted implied kinks over the box (nshift), or NULL */
    char slopes_message[512];
    int g_nonneg;            /* G_e >= 0 shown over the box at every listed and implied kink (d_stationary,
                                format §6.14); set with the slopes */
    char g_message[256];     /* the first kink where it is not shown, or "" */
    /* descent_direction (format §6.15, docs/refine.md §7.18), tried where a listed kink's multiplier
     * is < 0 on the box (a direction moving every kink into P-), else where a zero entry has
     * G_e - mu_e < 0 on the box (moving that entry into P+, the others into P-): n exact entries,
     * NULL: not tried */
    fmpq *descent;
    slong descent_up[3];     /* the entry moved into P+ ([l, i, j]), or l = 0: none */
    int descent_proven;      /* the kinks move as said and f'(theta*; D) < 0 on the box */
    arb_t descent_rate;      /* f'(theta*; D) over the box */
    char descent_message[256];
    int second_order;        /* H + rho C^T C certainly positive definite on the box (strict_local_min) */
    fmpq_t rho;
} dnc_critical;

void dnc_critical_init(dnc_critical *r);
void dnc_critical_clear(dnc_critical *r);

/* From an exact point of p (expanded layout, e.g. point-exact.json): the kink pattern
 * (|Htilde| <= 2^(-prec/2) times its layer's largest), the independent rotation generators of
 * that pattern, Newton in Arb to a centre, then dnc_critical_check with E = -3prec/4, -5prec/8,
 * -prec/2 until one is proven. Returns 0 (r->proven: 1 proven, 0 not proven, r->message says
 * why), or -1 (message) for cross-entropy, which the dual backend does not handle. */
/* Krawczyk's test and the Cholesky of strict_local_min run first with a preconditioner in
 * double and a rigorous bound of its products' rounding (docs/refine.md §7.9), at BLAS speed;
 * where that does not prove the claim, systems of up to DNC_CRITICAL_ARB_UNKNOWNS unknowns
 * (after the reductions) are checked again with ball matrices (m^3 operations at 256 bits).
 * Systems of more than DNC_CRITICAL_MAX_UNKNOWNS are not attempted ("not proven"): three m x m
 * double matrices at 6000 are 860 MB, and the checker's estimate of its own work stays inside
 * the 60 s of format §9 (src/verifier/vwork.c). The environment variable
 * DNCERT_CRITICAL_METHOD=double (=ball) keeps the double (ball) path only (tests). */
#define DNC_CRITICAL_ARB_UNKNOWNS 800
#define DNC_CRITICAL_MAX_UNKNOWNS 6000
int dnc_critical_certify(dnc_critical *r, const fmpq *exact, dnc_problem_t p, slong prec, slong bits);
/* As dnc_critical_certify; with zero = 0 no parameter is held at 0 but the dead units' (no zero
 * weights, docs/refine.md §7.3, §7.13): strict_local_min is then a statement on the whole
 * pattern manifold modulo the generators, and kink_multipliers fails at degenerate kinks
 * (certify-point --critical --no-zero-weights). dnc_critical_certify is zero = 1: an attempt
 * with zero weights is made where the one without leaves a claim not proven, and the attempt
 * that proves more claims is kept. */
int dnc_critical_certify_zero(dnc_critical *r, const fmpq *exact, dnc_problem_t p, slong prec, slong bits, int zero);
/* dnc_critical_certify_zero with zero = 1; where the attempt kept holds zero weights (r->nzero
 * > 0), *plain (initialised) receives the attempt without them that it displaced, as made on
 * the same path (so a caller need not make it again). */
int dnc_critical_certify_both(dnc_critical *r, dnc_critical *plain, const fmpq *exact, dnc_problem_t p, slong prec,
                              slong bits);
/* The pattern of the exact point is read at 2^-bits: a pre-activation entry below 2^-bits times
 * its layer's largest is a kink, a unit whose ||in|| ||out|| is below 2^-bits times its layer's
 * largest is dead, and two units whose in-rows are proportional to 2^-(bits/2) relative are
 * merged (docs/refine.md §7.3). dnc_critical_certify with bits <= 0 takes this default: prec/2
 * for a point computed at prec bits (dncert refine's high-precision stage puts its kinks near
 * 2^-prec), and DNC_CRITICAL_DOUBLE_BITS when every entry of the point is a double -- a point
 * refined in double only (refine --prec 0, or a high-precision stage that took no step) is a
 * KKT point to 1e-16..1e-11, so its kinks are there, far above 2^-128, and its other entries
 * are far above 2^-30 ~ 9.3e-10 (refine's own kink test is 5e-3 of the scale). The pattern is
 * the producer's guess only: the checkers re-check everything of the claims it leads to. */
#define DNC_CRITICAL_DOUBLE_BITS 30
slong dnc_critical_pattern_bits(const fmpq *exact, slong n, slong prec);
/* s (all parameters) <- the kink-preserving rotation (l, a, b) of the units of ReLU layer l
 * that are linear on the data (docs/refine.md §7.8, format §6.9) at theta, for the pattern
 * state[t] (t = 2..L; d_t x N column-major: 1 P+, -1 P-, 0 kink, 2 dead unit). 0 when a or b
 * is not linear on the data or the kept kink rows are not shown independent. For tests. */
int dnc_critical_kink_rotation(arb_ptr s, arb_srcptr theta, const dnc_problem_t p, const signed char *const *state,
                               slong l, slong a, slong b, slong prec);

/* s (all parameters) <- the class rotation (a, b) (docs/refine.md §7.10, format §6.9) at
 * theta for the pattern state (as above): one-sample classes a < b rotated in the samples
 * and the output rows, with the skew matrices B_l on the units linear on the data that keep
 * the kinks. 0 when the problem or the pattern admits none (format §6.9 (3)(i)-(iii)) or the
 * kept kink rows are not shown independent. For tests. */
int dnc_critical_class_rotation(arb_ptr s, arb_srcptr theta, const dnc_problem_t p, const signed char *const *state,
                                slong a, slong b, slong prec);

/* Re-checks r as it stands (centre, multipliers, kinks, generators, E): sets r->krawczyk,
 * r->gram, r->signs, r->loss and returns r->proven = 1 when all hold and every generator
 * joins units of one pattern, else 0 (not proven). */
int dnc_critical_check(dnc_critical *r, dnc_problem_t p, slong prec);

/* s (n entries) <- the generator (l, a, b) at theta (trainer layout, expanded): the tangent
 * (A X, -W_l A) of the rotation A = E_ab - E_ba of units a, b of layer l, X = H1 for l = 1 and
 * W_{l-1} otherwise. */
void dnc_critical_generator(arb_ptr s, arb_srcptr theta, const dnc_problem_t p, slong l, slong a, slong b);

/* s (n entries) <- the partial rotation (a, b, j) at theta (docs/refine.md §7.7): with B the
 * columns cols (nc) of H1 and P the orthogonal projector onto the complement of their span,
 * S = P (E_ab - E_ba) P moves column j of H1 by S x_j and the rows `rows` (nr) of W_1 by
 * S w_u (w_u as a column), nothing else. Returns 0 (s indeterminate) when B^T B is not shown
 * invertible at theta. */
int dnc_critical_partial_generator(arb_ptr s, arb_srcptr theta, const dnc_problem_t p, const slong *rows, slong nr,
                                   const slong *cols, slong nc, slong a, slong b, slong j, slong prec);

/* Adds to the certificate cert (format §2) the box centre of r as the point named `point`
 * and a critical_point claim (format §6.9) of that id with r's verdict (src/cert/critical_cert.c). */
void dnc_critical_add_claim(json_t *cert, const dnc_critical *r, dnc_problem_t p, const char *point, const char *id);

/* The kink_multipliers claim (format §6.10) on the critical_point claim of id `critical`:
 * certified iff r->slopes_proven; the stated intervals are r->t's (or [0, 1] when not proven). */
void dnc_kink_multipliers_add_claim(json_t *cert, const dnc_critical *r, const char *critical);
/* The claim d_stationary (format §6.14) on the claim kink_multipliers of cert (added before):
 * certified iff it is and G_e >= 0 is shown on the box at every listed and implied kink, in
 * any number of layers (docs/refine.md §7.17). Returns the verdict; why <- the obstacle (""
 * when certified). */
int dnc_d_stationary_add_claim(json_t *cert, const dnc_critical *r, char *why, size_t len);
/* Where r->descent is set: the point "descent" (the direction) and the claim descent_direction
 * (format §6.15) on claim critical_point, certified iff r->descent_proven. */
void dnc_descent_add_claim(json_t *cert, const dnc_critical *r, dnc_problem_t p);
/* A strict_local_min claim (format §6.11) of that id about the box of r (claim id `critical`):
 * certified iff r->second_order (H + rho C^T C positive definite on the box). */
void dnc_strict_local_min_add_claim(json_t *cert, const dnc_critical *r, const char *critical, const char *id);
/* The claim strict_local_min_of_f (format §6.13) on the claims critical_point, kink_multipliers
 * and strict_local_min of cert (added before, with those ids): certified iff all three are and
 * the single-kink-layer argument of docs/refine.md §7.16 applies (the stated slopes strictly
 * inside (0, 1), positive multipliers, nothing held, generators that are symmetries of f).
 * Returns the verdict; why <- the obstacle ("" when certified). */
int dnc_strict_local_min_of_f_add_claim(json_t *cert, const dnc_critical *r, const dnc_problem_t p, char *why,
                                        size_t len);

#ifdef __cplusplus
}
#endif
#endif
