/* Helpers shared by the DNC, deep linear, UFM and Tirer-Bruna constructions (dnc.c,
 * deep_linear.c, tirer_bruna.c). Not part of the public API. */
#ifndef DNCERT_CLOSED_DNC_PRIV_H
#define DNCERT_CLOSED_DNC_PRIV_H

#include <stddef.h>
#include "dncert/closed.h"

/* Lam = prod_l lambda_{W_l}, exactly. */
void _dnc_closed_lambda_prod(fmpq_t Lam, const dnc_problem_struct *p);

/* Smallest width d_l; *which receives its layer l (1-based). */
slong _dnc_closed_min_width(const dnc_problem_struct *p, slong *which);

/* Appends the algebraic scalar `name` with its enclosure `value` / a derived ball. */
void _dnc_closed_add_alg(dnc_closed_t c, const char *name, const dnc_alg_t a, const arb_t value);
void _dnc_closed_add_ball(dnc_closed_t c, const char *name, const arb_t v);

/* Adds the term b = n/N (exact rationals: the optimal bias at Z = 0) when the problem has
 * a free bias, then builds c->point from c->terms: with no other terms this is the zero
 * point in collapsed form. Returns 0, or -1 if a term names no scalar (a programming
 * error). */
int _dnc_closed_set_zero_point(dnc_closed_t c);

/* Balanced scales of a collapsed point whose output has scale c (the product of the
 * layers' scales; c of DNC, sigma of the CE forms): nu = P^{1/(L+1)},
 * tau = (P c^2)^{1/(L+1)}, a = sqrt(h tau/(n lambda_H)), s_l = sqrt(h tau/lambda_l) for
 * l < L and s_L = sqrt(tau/lambda_L), with P = n lambda_H prod lambda_W (balanced counts;
 * the CE frames pass P_F) and h = hidden (1, or (K-1)/K for the CE frames, whose blocks
 * below the last have norm^2 K against K - 1: docs/math/cross-entropy.md §7). Adds the
 * scalars nu, tau, a, s_1..s_L. */
void _dnc_closed_balanced_scales(dnc_closed_t out, const arb_t c, const fmpq_t P, const fmpq_t hidden, slong prec);

/* The deep linear construction behind deep-linear, ufm and tirer-bruna: out is
 * initialised with the given structure name. The caller has validated the activations;
 * this checks counts, bias and widths. Returns 0 or -1 (message in err). */
int _dnc_closed_deep_linear(dnc_closed_t out, dnc_problem_t p, slong prec, const char *structure,
                            char *err, size_t errlen);

#endif
