/* dncert/algebraic.h -- real algebraic numbers given by an isolating interval.
 *
 * A dnc_alg is a root of an integer polynomial f together with rational endpoints
 * lo < hi such that (i) f(lo) and f(hi) are non-zero with opposite signs and (ii) an
 * Arb enclosure of f' over [lo, hi] excludes 0. (i) gives a root in (lo, hi) by the
 * intermediate value theorem, (ii) makes f strictly monotone there, so the root is
 * unique. Both checks are exact or rigorous and cheap, which is what a certificate
 * verifier re-does (docs/certificate-format.md).
 *
 * Functions returning int follow Arb: 1 = proven, 0 = not proven.
 */
#ifndef DNCERT_ALGEBRAIC_H
#define DNCERT_ALGEBRAIC_H

#include <arb.h>
#include <flint/fmpq.h>
#include <flint/fmpq_poly.h>
#include <flint/fmpz_poly.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    fmpz_poly_t poly;
    fmpq_t lo, hi;
} dnc_alg_struct;
typedef dnc_alg_struct dnc_alg_t[1];

void dnc_alg_init(dnc_alg_t a);
void dnc_alg_clear(dnc_alg_t a);
void dnc_alg_set(dnc_alg_t dst, const dnc_alg_t src);

/* Integer polynomial with the same roots as the rational polynomial q (denominators
 * cleared, content removed, leading coefficient positive). */
void dnc_poly_clear_denominators(fmpz_poly_t f, const fmpq_poly_t q);

/* Sign (-1, 0, 1) of f at the rational x, computed exactly. */
int dnc_poly_sign_at(const fmpz_poly_t f, const fmpq_t x);

/* Isolates the unique root of f in the open interval (lo, hi): returns 1 and sets a
 * (with an interval on which both certificate conditions hold) when f has exactly one
 * root there and this was proven by subdivision; returns 0 otherwise (no root, several
 * roots, a root at an endpoint, or subdivision budget exhausted). */
int dnc_alg_isolate(dnc_alg_t a, const fmpz_poly_t f, const fmpq_t lo, const fmpq_t hi);

/* 1 if a's interval satisfies both certificate conditions (the check a verifier does). */
int dnc_alg_check(const dnc_alg_t a);

/* Narrows a's interval by exact bisection until hi - lo <= 2^-bits. */
void dnc_alg_refine(dnc_alg_t a, slong bits);

/* A ball containing the root, with radius at most about 2^-prec relative. */
void dnc_alg_enclose(arb_t x, const dnc_alg_t a, slong prec);

/* Exact comparison of the root with the rational q: -1 (root < q), 0, +1. */
int dnc_alg_cmp_fmpq(const dnc_alg_t a, const fmpq_t q);

/* Integer relation search (LLL, FLINT's fmpz_lll) for a CANDIDATE minimal polynomial of
 * the real number x, of which `bits` bits after the binary point are trusted (x's midpoint
 * is used; its radius is ignored). For d = 1..maxdeg in turn, reduces the lattice spanned
 * by the rows (e_i, round(2^S x^i)), i = 0..d, S = bits - 8, and takes its first vector
 * (a_0..a_d) as the candidate f = sum a_i X^i. A candidate is reported only when it is
 * far shorter than a vector of a lattice without a relation -- (d + 2) log2(max |a_i|)
 * <= 3/4 S, where without a relation about S is expected -- and |f(x)| is at the level
 * of the trusted bits. Returns the degree of the first candidate found (f primitive, with
 * a positive leading coefficient; *residual_log10 = log10 |f(mid x)|), or 0 when there is
 * none. A candidate is evidence, never a proof that x is algebraic: it says x agrees with
 * a root of f to the trusted bits. */
slong dnc_alg_recognize(fmpz_poly_t f, double *residual_log10, const arb_t x, slong bits, slong maxdeg);

#ifdef __cplusplus
}
#endif
#endif
