/* dncert/cert.h -- producing certificates (docs/certificate-format.md) from theorem files.
 *
 * dnc_certify_instance builds the closed-form points of one theorem instance, decides
 * every claim of the theorem with the producer's own checks (algebraic isolation, exact
 * decisions, ball evaluation of the explicit points) and assembles the certificate. The
 * independent re-check is `dncert verify` (src/verify/), which shares none of this code.
 */
#ifndef DNCERT_CERT_H
#define DNCERT_CERT_H

#include <jansson.h>
#include "dncert/closed.h"
#include "dncert/theorem.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNC_CERT_FORMAT  "dncert-certificate"
#define DNC_CERT_VERSION 1

/* Outcome of one claim, for the certify table. */
typedef struct {
    char id[64];
    char kind[24];
    int certified;          /* 1 certified, 0 not proven */
    int must_hold;          /* the theorem file requires it for this instance */
    char summary[160];      /* short human text: a value, a decision, an order */
} dnc_claim_result;

typedef struct {
    json_t *cert;           /* the certificate (NULL when the instance failed) */
    dnc_claim_result *res;
    slong nres, alloc;
    double seconds;
} dnc_cert_result;

void dnc_cert_result_init(dnc_cert_result *r);
void dnc_cert_result_clear(dnc_cert_result *r);

/* Certifies one instance at precision prec. Returns 0 (claims decided, certificate in
 * r->cert), or -1 with a message when the instance cannot be built at all (e.g. a
 * construction rejects the problem). */
int dnc_certify_instance(dnc_cert_result *r, const dnc_instance *inst, slong prec, char *err, size_t errlen);

/* JSON of an explicit closed-form point in certificate form: layout, scalars, blocks as
 * terms (scale x exact sparse pattern). Interval endpoints get `digits` digits. */
json_t *dnc_cert_point_json(const dnc_closed_t c, slong digits);

/* Decimal digits of the intervals of a certificate at precision prec. Scalars of points get
 * about prec * log10 2 + 5 digits, so that the box is as tight as the working precision;
 * claim intervals get 12 digits fewer than the working precision resolves, so that a
 * checker that evaluates the box at the declared precision -- with its own rounding
 * errors -- still lands inside them. */
slong dnc_cert_digits(slong prec);
slong dnc_cert_claim_digits(slong prec);

#ifdef __cplusplus
}
#endif
#endif
