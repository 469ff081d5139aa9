/* dncert/problem.h -- the model definition: one DUFM problem, with exact constants.
 *
 * A problem fixes everything about the objective except the point (see docs/model.md):
 * K classes with n_k samples each, L weight layers of widths d_1..d_L, an activation
 * sigma_l per hidden layer (l = 1..L-1), an optional free last-layer bias, and the
 * weight decays lambda_H and lambda_{W_1..W_L}. Weight decays are exact rationals
 * (FLINT fmpq): "0.004" means 1/250, never the nearest double.
 *
 * Every front end (train, closed-form, certify, theorem files) builds problems through
 * dnc_problem_set_args(), so validation and error messages are the same everywhere.
 */
#ifndef DNCERT_PROBLEM_H
#define DNCERT_PROBLEM_H

#include <stddef.h>
#include <flint/flint.h>
#include <flint/fmpq.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { DNC_ACT_LINEAR = 0, DNC_ACT_RELU = 1 } dnc_act_t;
typedef enum { DNC_BIAS_NONE = 0, DNC_BIAS_FREE = 1 } dnc_bias_t;
/* The fit term: MSE 1/(2N)||Z - Y||^2 (docs/model.md) or cross-entropy
 * (1/N) sum_j CE(z_j, y_j) (docs/math/cross-entropy.md). The objective (train, metrics,
 * the ball evaluator, certify-point) and the deep linear closed forms handle CE; everything
 * else refuses a CE problem (dnc_problem_require_mse). */
typedef enum { DNC_LOSS_MSE = 0, DNC_LOSS_CE = 1 } dnc_loss_t;

/* Limits enforced by the parser (they keep every size product inside 63 bits). */
#define DNC_MAX_K      100000
#define DNC_MAX_COUNT  100000000
#define DNC_MAX_L      1000
#define DNC_MAX_WIDTH  1000000

/* Limits of one exact rational as text (files and command line alike): at most
 * DNC_MAX_RATIONAL_CHARS characters, and a written exponent (the e of 4e-3, the p of a
 * hexadecimal float) of magnitude at most DNC_MAX_RATIONAL_EXP. */
#define DNC_MAX_RATIONAL_CHARS 100000
#define DNC_MAX_RATIONAL_EXP   100000

typedef struct {
    slong K;           /* number of classes, >= 2 */
    slong *n;          /* n[k] = samples of class k, k = 0..K-1 */
    slong N;           /* sum of n */
    slong L;           /* number of weight matrices, >= 1 */
    slong *width;      /* width[l-1] = d_l, l = 1..L (d_1 = rows of H1) */
    dnc_act_t *act;    /* act[l-1] = sigma_l, l = 1..L-1 (none when L = 1) */
    dnc_bias_t bias;
    dnc_loss_t loss;   /* the fit term; MSE unless a file or option says "ce" */
    fmpq_t lambda_h;   /* weight decay of H1, > 0 */
    fmpq *lambda_w;    /* lambda_w[l-1] = weight decay of W_l, > 0 */
} dnc_problem_struct;
typedef dnc_problem_struct dnc_problem_t[1];

/* The textual form of a problem: one string per option, NULL = default. These are the
 * option values of `dncert train` and friends; theorem files map onto the same fields. */
typedef struct {
    const char *K;          /* integer >= 2                       (default "2") */
    const char *n;          /* count, or K comma-separated counts (default "5") */
    const char *L;          /* integer >= 1                       (default "3") */
    const char *width;      /* width, or L comma-separated widths (default "10") */
    const char *activation; /* relu|linear, or L-1 of them        (default "relu") */
    const char *bias;       /* none|free                          (default "none") */
    const char *loss;       /* mse|ce                             (default "mse") */
    const char *lambda;     /* one value for lambda_H and every lambda_W (default "0.004") */
    const char *lambda_h;   /* overrides lambda for H1 */
    const char *lambda_w;   /* overrides lambda for W: one value or L values */
    const char *prefix;     /* how errors name a field: NULL gives "--lambda-h" (command line),
                               "problem." gives "problem.lambda_h" (files) */
} dnc_problem_args;

void dnc_problem_init(dnc_problem_t p);
void dnc_problem_clear(dnc_problem_t p);

/* Sets p from a. Returns 0 on success. On failure returns -1, leaves p cleared-but-valid,
 * and writes to err a message that names the option (as "--name") and its allowed range. */
int dnc_problem_set_args(dnc_problem_t p, const dnc_problem_args *a, char *err, size_t errlen);

/* Checks that every weight decay of p lies in [DBL_MIN, DBL_MAX], the range of positive
 * normal doubles, as the double-precision trainer and metrics need (the exact certifier
 * does not). Returns 0, or -1 with a message naming the option as a (the args p was set
 * from) names it, or with a NULL the field of a file ("problem.lambda_h"). */
int dnc_problem_check_double(const dnc_problem_t p, const dnc_problem_args *a, char *err, size_t errlen);

/* The same for one value: 0 when q lies in [DBL_MIN, DBL_MAX], else -1 with a message
 * naming opt and the range. */
int dnc_check_normal_double(const fmpq_t q, const char *opt, char *err, size_t errlen);

/* "mse" or "ce", as in files and on the command line. */
const char *dnc_loss_name(dnc_loss_t loss);

/* 0 when p has the MSE loss. Otherwise -1 with a message in err saying that `what` (a
 * command or function: "train", "certify-point", ...) supports only --loss mse so far and
 * what does handle CE; the field is named opt ("--loss", or "problem.loss" in a file).
 * Every part of dncert that evaluates the MSE objective calls this first, so that a CE
 * problem is refused, never silently computed as MSE. */
int dnc_problem_require_mse(const dnc_problem_t p, const char *what, const char *opt, char *err, size_t errlen);

/* Copies src into dst (dst initialised). */
void dnc_problem_set(dnc_problem_t dst, const dnc_problem_t src);

/* 1 when a and b define the same objective (every field equal, constants exactly). */
int dnc_problem_equal(const dnc_problem_t a, const dnc_problem_t b);

/* q (initialised) <- p with one more weight layer after the last hidden one: widths
 * d_1..d_L, d_L; activations sigma_1..sigma_{L-1}, sigma_{L-1}; weight decays lambda_W of
 * W_1..W_{L-1}, lambda_{W_{L-1}} again for the new layer, then lambda_{W_L} for the last.
 * The new layer can be the identity on the features of the last hidden layer (they are
 * >= 0 after a ReLU), which is how dnc_point_deepen carries a point over (docs/trainer.md).
 * Returns 0, or -1 when L < 2 or L + 1 exceeds DNC_MAX_L (message in err). */
int dnc_problem_deepen(dnc_problem_t q, const dnc_problem_t p, char *err, size_t errlen);

/* 1 when every class has the same count. */
int dnc_problem_is_balanced(const dnc_problem_t p);

/* Number of rows of the output of layer l (l = 1..L): d_{l+1}, and K for l = L. */
slong dnc_problem_out_rows(const dnc_problem_t p, slong l);

/* Writes a one-line human description ("K=2 n=5 L=3 d=10 relu lambda=1/250") into buf. */
void dnc_problem_describe(const dnc_problem_t p, char *buf, size_t len);

/* Exact parsing of a problem constant. Accepts integers, decimals with optional exponent
 * ("0.004", "4e-3", "-1.5E+2"), fractions of integers ("1/250") and C99 hexadecimal
 * floats ("0x1.8p-3", the exact form of a double). Returns 0 on success, -1 on anything
 * else (empty, trailing text, nan, inf, zero denominator, more than
 * DNC_MAX_RATIONAL_CHARS characters, an exponent beyond +-DNC_MAX_RATIONAL_EXP). Takes
 * time quasi-linear in the length of s. */
int dnc_parse_rational(fmpq_t x, const char *s);

/* Parses a decimal integer in [lo, hi]. Returns 0 on success. */
int dnc_parse_slong(slong *x, const char *s, slong lo, slong hi);

/* The value s of option `name` (without "--"): a finite double in [lo, hi] ((lo, hi] with
 * lo_open) that is 0 or a normal double, or an integer in [lo, hi]. Returns 0, or -1 with
 * "--name: must be a number in (lo, hi] (got 's')" (an integer in [lo, hi]) in err. */
int dnc_option_double(double *x, const char *name, const char *s, double lo, double hi, int lo_open,
                      char *err, size_t errlen);
int dnc_option_slong(slong *x, const char *name, const char *s, slong lo, slong hi, char *err, size_t errlen);

/* Writes the printf-style message to err (when err is not NULL) and returns -1: the
 * error convention of every dncert function that reports a message. */
int dnc_fail(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Seconds on the monotonic clock (for timings and progress rates). */
double dnc_seconds_now(void);

/* Exact decimal-free text of x: "1/250" or "3". Caller frees with flint_free. */
char *dnc_rational_get_str(const fmpq_t x);

#ifdef __cplusplus
}
#endif
#endif
