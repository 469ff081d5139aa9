/* Helpers shared by the two certificate producers (certify.c: theorem instances;
 * point_cert.c: trained points). Not part of the public API. */
#ifndef DNCERT_CERT_PRIV_H
#define DNCERT_CERT_PRIV_H

#include "dncert/cert.h"

/* Sets the fields every claim has (format §6): id, kind, statement and verdict. */
void _dnc_cert_claim_fields(json_t *claim, const char *id, const char *kind, int certified,
                            const char *statement);

/* 1 iff the polynomial of alg is exactly the one the alive/root rule with constant Q
 * prescribes at depth L (dnc_closed_lowrank_poly). */
int _dnc_cert_is_rule_poly(const dnc_alg_t alg, const fmpq_t Q, slong L);

/* r <- an interval holding the 2-norm of every gradient in the enclosure e->grad (H1
 * columns counted with their multiplicities: the expanded point's gradient; format §6.12's
 * arb check, with a margin of 2^-10 of its width for a checker's other rounding). */
void _dnc_cert_beval_grad_norm(arb_t r, const dnc_beval_t e, slong prec);

#endif
