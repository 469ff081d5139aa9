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
#include "dncert/refine.h"
#include "dncert/theorem.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNC_CERT_FORMAT  "dncert-certificate"
#define DNC_CERT_VERSION 2

/* Outcome of one claim, for the certify table. */
typedef struct {
    char id[64];
    char kind[24];
    int certified;          /* 1 certified, 0 not proven, -1 not applicable (not in the file) */
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

/* Runs the independent verifier (dncert/verify.h) on a certificate before it is written, so
 * that no producer leaves a file that `dncert verify` rejects. Returns 0 when every claim
 * re-checks, else -1 with the verifier's first complaint in err. */
int dnc_cert_self_check(const json_t *cert, const char *name, char *err, size_t len);

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


/* ==== explicit points: dncert certify-point (src/cert/point_cert.c, docs/certify-point.md) ====
 *
 * A dnc_qpoint is a point of the model whose every parameter is an exact rational: the
 * doubles of a trained point (dyadic), the exact class means of such doubles, or the dyadic
 * midpoints of a polished point. Its loss is enclosed rigorously by evaluating its box (each
 * rational as an Arb ball at the working precision, exactly as a checker reads it). */

#include <flint/fmpq_mat.h>

typedef struct {
    dnc_problem_struct *p;   /* borrowed */
    int collapsed;           /* 1: one column per class (weights n_k); 0: expanded, N columns */
    fmpq_mat_struct *blk;    /* L + 2 blocks: H1, W_1..W_L, b (K x 1, or K x 0 without a bias) */
} dnc_qpoint_struct;
typedef dnc_qpoint_struct dnc_qpoint_t[1];

/* x <- the expanded point given by doubles in the trainer's layout (exact: doubles are dyadic). */
void dnc_qpoint_init_theta(dnc_qpoint_t x, dnc_problem_t p, const double *theta);
/* x <- the expanded point given by exact rationals in the trainer's layout (point-exact.json). */
void dnc_qpoint_init_fmpq(dnc_qpoint_t x, dnc_problem_t p, const fmpq *theta);
void dnc_qpoint_clear(dnc_qpoint_t x);

/* out (initialised here) <- x with its features replaced by their exact class means, in the
 * collapsed layout; the weights are copied. Returns 1 when x was already collapsed (every
 * feature column equals its class mean exactly, so out is the same point), else 0. */
int dnc_qpoint_project(dnc_qpoint_t out, const dnc_qpoint_t x);

/* box (initialised here) <- x in ball arithmetic at prec, entry by entry as in a checker. */
void dnc_qpoint_box(dnc_bpoint_t box, const dnc_qpoint_t x, slong prec);

/* Rigorous enclosures at a point. grad_abs bounds max |entry| of the gradient enclosure
 * (per-sample H1 gradient, as in stationarity claims), grad_rad its largest radius. */
typedef struct {
    arb_t loss, fit, reg;
    arb_t gnorm;             /* contains the Euclidean norm of every element of the (chain-rule
                                generalised) gradient of the expanded point; fast: widened to the
                                gradient_norm rule of the format (§6.12) */
    double grad_abs, grad_rad;
    slong nkinks;
    int fast;                /* 1: loss, fit, reg from the fast tier, widened to the fast-double
                                rule of the format (claim "method": "fast-double"); 0: Arb */
    int gnorm_claim;         /* dnc_point_certificate writes a gradient_norm claim for the point */
} dnc_point_report;

void dnc_point_report_init(dnc_point_report *r);
void dnc_point_report_clear(dnc_point_report *r);
void dnc_qpoint_evaluate(dnc_point_report *r, const dnc_qpoint_t x, slong prec);

/* The same for the expanded double point theta of p by the fast tier (dncert/fast.h), its
 * loss, fit and regulariser widened so that a checker's enclosure by the fast-double rule
 * (docs/certificate-format.md §6.4.1) lies inside them; sets r->fast. Returns 1, or 0 (reason
 * in why, r unchanged) when the fast tier cannot enclose the point: use dnc_qpoint_evaluate. */
int dnc_point_evaluate_fast(dnc_point_report *r, dnc_problem_t p, const double *theta, char *why, size_t len);

/* The chunk width dnc_point_evaluate_fast sets on its workspace f (dnc_fast_init_flags with
 * DNC_FAST_NO_H1_GRAD, default chunk): a quarter of f's default, at least DNC_FAST_MIN_CHUNK
 * columns (or N when smaller), which keeps the fast stage's peak memory within the checker's
 * re-check that follows (docs/fast-tier.md §6.5). */
struct dnc_fast_struct_;
slong dnc_point_fast_chunk(const struct dnc_fast_struct_ *f);

typedef struct {
    slong steps, evals;      /* accepted Newton steps, gradient evaluations */
    int pattern_hit;         /* stopped because the next step would change the activation pattern */
    char stop[96];           /* why it stopped */
} dnc_polish_info;

/* out (initialised here) <- x refined by truncated Newton-CG at working precision prec inside
 * x's ReLU activation pattern (at most max_steps Newton steps, each with an Armijo line search
 * on f that never leaves the pattern's region). out's entries are dyadic rationals of at
 * most prec bits, so out is an exact point. Polishing only moves the point: what is certified
 * is the enclosure of the result (dnc_qpoint_evaluate). */
void dnc_qpoint_polish(dnc_qpoint_t out, const dnc_qpoint_t x, slong prec, slong max_steps, dnc_polish_info *info);

/* Exact text of a rational for certificates: a C99 hexadecimal float when it is dyadic
 * ("0x1.8p+0" = 3/2, printf's "%a" for a double), else "num/den". Free with flint_free. */
char *dnc_qpoint_entry_str(const fmpq_t q);

/* Certificate point (format §5): layout, no scalars, every block "dense" with exact entries;
 * note (may be NULL) is free text. */
json_t *dnc_qpoint_json(const dnc_qpoint_t x, const char *note);

/* Certificate of explicit points pts[0..n-1] (point objects of format §5, stolen; each gets
 * its note here), named names[i] and evaluated in r[i], of one problem at precision prec: one loss claim per point, and, when the DNC structure exists in the problem
 * (balanced counts, no bias, widths >= K), the alive, root and value claims of the dnc
 * structure (which the checker derives from the problem) and dnc_not_optimal (loss of the last
 * point below the DNC value). The DNC value goes to dnc_val; *verdict = 1 certified, 0 not
 * proven, -1 no comparison (why says why). Under cross-entropy the certificate has the loss
 * claims only (the checker derives structure values for MSE only); dnc_val and *verdict
 * are then the producer's comparison with the CE DNC-structured closed form, where one is
 * derived (deep linear / plain UFM), and why says so. producer (stolen) is the envelope's
 * producer object. */
json_t *dnc_point_certificate(json_t *const *pts, const char *const *names, const dnc_point_report *r, slong n,
                              dnc_problem_struct *p, slong prec, json_t *producer, arb_t dnc_val, int *verdict,
                              char *why, size_t whylen);

/* ---- `dncert certify-point` as one call ---- */

typedef struct {
    int project_collapse;    /* add the exactly collapsed point (dnc_qpoint_project) */
    int polish;              /* add the last point refined by dnc_qpoint_polish */
    slong polish_steps;      /* at most this many Newton steps (default 50) */
    slong prec;              /* working precision (default DNC_PREC_DEFAULT) */
    int method;              /* how the trained point's loss is enclosed: DNC_METHOD_* */
    const fmpq *exact;       /* the exact point (point-exact.json) to certify instead of theta, or NULL;
                                it is not a double point: its loss is always enclosed by Arb */
    const char *exact_source;   /* where exact comes from, for the certificate's note */
    int encoding;            /* how the trained double point is written: DNC_ENCODING_* */
    int no_file;             /* no point file possible (the certificate is not written to a file) */
    int no_gradient;         /* no gradient_norm claims (--no-gradient) */
} dnc_point_cert_opts;

/* How the trained (double) point is written (docs/certificate-format.md §5, §5.2):
 * DNC_ENCODING_TEXT dense hexadecimal floats; DNC_ENCODING_BASE64 each block inline as the
 * base64 of its binary64 bytes; DNC_ENCODING_FILE a point file next to the certificate,
 * bound by its SHA-256 digest. DNC_ENCODING_AUTO (default): text up to
 * DNC_ENCODING_TEXT_MAX parameters, else a point file (the quickest to write and to check:
 * a checker parses inline base64 at about 100 MB/s, docs/certify-point.md), or base64 when
 * opts.no_file. Exact points (projected, polished, refined, point-exact.json) are always text. */
enum { DNC_ENCODING_AUTO = 0, DNC_ENCODING_TEXT, DNC_ENCODING_BASE64, DNC_ENCODING_FILE };
#define DNC_ENCODING_TEXT_MAX 65536

/* The encoding o gives the trained double point of p (never AUTO). */
int dnc_point_cert_encoding(const dnc_problem_t p, const dnc_point_cert_opts *o);

/* The point file of point `point` of the certificate path: "<path>.<point>.f64", in path's
 * directory. Free with free(); NULL when out of memory. */
char *dnc_point_cert_file_name(const char *path, const char *point);

/* 1 when the ball evaluation (Arb) of the expanded point of p at prec bits is within reach:
 * its ball entries within the format's limit (§9: 2^22 at 256 bits, scaled by 256/prec) and
 * its forward pass at most DNC_POINT_ARB_MAX_WORK multiply-adds. */
int dnc_point_arb_within_reach(const dnc_problem_t p, slong prec);
#define DNC_POINT_ARB_MAX_WORK 2147483648.0

/* Bad input that certify-point refuses before any work: --method arb on a point beyond
 * Arb's reach, a point file when there is no file. 0, or -1 with the reason in err. */
int dnc_point_cert_check(const dnc_problem_t p, const dnc_point_cert_opts *o, char *err, size_t len);

/* DNC_METHOD_AUTO (default): Arb for a small point (DNC_POINT_FAST_MIN_WORK); else the fast
 * tier when it encloses and its claim decides the comparison with DNC (or there is none, or
 * a later stage is compared), else Arb;
 * DNC_METHOD_FAST: the fast tier whenever it encloses; DNC_METHOD_ARB: Arb. Projected and
 * polished points are not double points: always Arb. */
enum { DNC_METHOD_AUTO = 0, DNC_METHOD_FAST, DNC_METHOD_ARB };
/* auto takes Arb for points whose forward pass has at most this many multiply-adds
 * (N sum_l rows_l d_l): Arb needs well under a second there. */
#define DNC_POINT_FAST_MIN_WORK 1048576.0

void dnc_point_cert_opts_default(dnc_point_cert_opts *o);

#define DNC_POINT_CERT_MAX_STAGES 4
#define DNC_POLISH_REFINE_MAX 1500   /* parameters: --polish refines at kinks only below this */

typedef struct {
    slong nstages;                              /* trained (or exact), then projected and/or polished,
                                                   then refined */
    const char *name[DNC_POINT_CERT_MAX_STAGES];   /* "trained" or "exact", "projected", "polished", "refined" */
    dnc_qpoint_t x[DNC_POINT_CERT_MAX_STAGES];  /* x[0] only once needed (x0): the trained point's doubles
                                                   suffice for the fast tier and the certificate */
    dnc_problem_struct *p;                      /* the problem (borrowed) */
    const double *theta;                        /* the trained double point (borrowed), or NULL */
    double *theta_free;                         /* set by the caller after dnc_point_cert_run to give c
                                                   theta (malloc'd): freed as soon as it is no longer
                                                   needed (dnc_point_cert_write), else by
                                                   dnc_point_cert_clear */
    int point_file;                             /* dnc_point_cert_write wrote a point file */
    int x0;                                     /* x[0] is built */
    int encoding;                               /* how the trained double point is written */
    dnc_point_report r[DNC_POINT_CERT_MAX_STAGES];
    int same[DNC_POINT_CERT_MAX_STAGES];        /* 1: stage i is stage i-1's point (features already
                                                   collapsed; no Newton step taken) */
    dnc_polish_info polish;                     /* with opts.polish */
    double polish_seconds;
    int refined;                                /* polishing hit a kink: 1 refinement gave the stage
                                                   "refined", 0 not tried, -1 tried without success */
    dnc_refine_info refine;                     /* when refinement was tried */
    double refine_seconds;
    json_t *cert;                               /* the certificate (dnc_point_certificate) */
    arb_t dnc_value;                            /* the DNC value, when verdict >= 0 */
    int verdict;                                /* dnc_not_optimal: 1 certified, 0 not proven, -1 no DNC */
    char method_why[512];                       /* why the trained point's loss used the method it did */
    int gradient;                               /* gradient_norm claims are written (not --no-gradient) */
    char dropped[1024];                         /* non-empty: the checker refused the fast-double
                                                   gradient_norm claim, written without it (why) */
    char why[1024];                             /* why not certified, or why no comparison */
} dnc_point_cert;

/* What `dncert certify-point` does with the point theta of p (trainer's layout, expanded,
 * every entry finite; borrowed until dnc_point_cert_write): the exact point (theta, or
 * o->exact when given) and its enclosures, then, as asked, its exact class means and its polished version -- and
 * when polishing stops because its next step would change the activation pattern (the
 * point sits on ReLU kinks), the refinement of dnc_refine_point_exact at o->prec bits as the
 * stage "refined" (points of at most DNC_POLISH_REFINE_MAX parameters) -- and the certificate of all of them against DNC (dnc_point_certificate, with producer stolen into its envelope).
 * Writes nothing: dnc_point_cert_write does. Returns 0, or -1 (the reason in c->why) when
 * the trained point's loss cannot be enclosed: the fast tier cannot (overflow) and Arb is
 * beyond its reach (dnc_point_arb_within_reach). Clear c with dnc_point_cert_clear either way. */
int dnc_point_cert_run(dnc_point_cert *c, dnc_problem_t p, const double *theta, const dnc_point_cert_opts *o,
                       json_t *producer);

/* --below STRUCTURE:PARAM (a low-rank design: srg with r, sts with v): appends to cert the
 * claims value_<structure> (derived by the checker from the problem) and order_below (the
 * last loss claim's interval strictly below that value); value <- the value, *verdict <- the
 * order's. Returns 0, or -1 with err when the structure is not a design or not built. */
int dnc_point_cert_add_below(json_t *cert, arb_t value, int *verdict, dnc_problem_t p, const char *structure,
                             slong param, slong prec, char *err, size_t errlen);
void dnc_point_cert_clear(dnc_point_cert *c);

/* Writes c's certificate to path as dnc_cert_write_checked does; with a point file
 * (DNC_ENCODING_FILE), both files are written in a temporary directory next to path, the
 * checker re-checks the certificate file there (reading the point file, as any checker
 * will), and then the point file and the certificate are renamed into place, in that order.
 * A point given to c (c->theta_free) is freed once its point file is written, before the
 * checker reads its own copy. When the checker refuses a fast-double gradient_norm claim (its
 * rule wider than the producer's estimate), the certificate is written without it and
 * c->dropped says why. Nothing is left under a final name on failure. Once per c. 0, or -1
 * with err. */
int dnc_point_cert_write(dnc_point_cert *c, const char *path, char *err, size_t errlen);

/* Writes a certificate as every producer does: the independent verifier re-checks it first
 * (dnc_cert_self_check: nothing is written when a claim does not re-check), missing parent
 * directories of path are created, and the file is written atomically. Returns 0, or -1
 * with err. */
int dnc_cert_write_checked(const json_t *cert, const char *path, char *err, size_t errlen);

/* The self-check of a certificate file (with the point files of its directory) by the
 * independent verifier. 0, or -1 with the verifier's complaint in err. */
int dnc_cert_self_check_file(const char *path, char *err, size_t len);

#ifdef __cplusplus
}
#endif
#endif
