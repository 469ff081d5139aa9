/* Internals of dncert-verify, the independent certificate checker (docs/certificate-format.md,
 * version 2; docs/verifier.md for its trusted base).
 *
 * Nothing here includes a header of the producer (libdncert): the checker has its own
 * reader, rational parser, ball evaluator of the objective, root finder and derivation of
 * every structure's value, and links only jansson, FLINT, Arb, MPFR and GMP. Every name is
 * prefixed vx_ (internal) or dncv_ (public, include/dncert/verify.h); a test fails the build
 * if a producer symbol appears in the executable. */
#ifndef DNCERT_VERIFIER_H
#define DNCERT_VERIFIER_H

#include <jansson.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpq.h>
#include <flint/fmpz_poly.h>
#include <flint/fmpq_mat.h>
#include <flint/fmpz_mat.h>
#include <arb.h>
#include <arb_mat.h>

/* ---- limits of the format (§9); a file beyond them is rejected before any work ---- */
#define VX_MAX_FILE_BYTES   (64L << 20)    /* bytes of a certificate file */
#define VX_MAX_JSON_VALUES  (1L << 22)     /* JSON values in it (each costs the parser ~100 bytes) */
#define VX_PREC_MIN         64
#define VX_PREC_MAX         4096           /* bits of the working precision */
#define VX_MAX_K            100000
#define VX_MAX_L            1000
#define VX_MAX_COUNT        100000000      /* samples of one class */
#define VX_MAX_WIDTH        1000000
#define VX_MAX_CHARS        10000          /* characters of a rational or integer string */
#define VX_MAX_LAMBDA_BITS  (1L << 20)     /* bits of all weight decays together */
#define VX_MAX_EXP10        10000          /* |exponent| of a decimal */
#define VX_MAX_EXP2         65536          /* |exponent| of a hexadecimal float */
#define VX_MAX_DEGREE       2048           /* of an algebraic scalar's polynomial */
#define VX_MAX_POINTS       1000
#define VX_MAX_SCALARS      10000          /* per point */
#define VX_MAX_TERMS        10000          /* per block */
#define VX_MAX_CLAIMS       100000
#define VX_MAX_ENTRIES      (1L << 22)     /* ball entries of all points' evaluations, at 256 bits */
#define VX_MAX_DOUBLES      (1L << 28)     /* entries of the points kept as doubles only (§5.2, §9): 2 GiB */
#define VX_MAX_SECONDS      60             /* estimated work of one file (§9, vwork.c) */

#define VPATH 256   /* a JSON path in a message, e.g. "points.p.blocks.W2.terms[0].entries[17]" */
#define VWHY 512    /* why a claim is not proven, with the numbers */

/* ---- the problem (§4) ---- */
typedef struct {
    slong K, L;
    slong *n;              /* n[k], samples of class k */
    fmpz_t N;              /* sum of n */
    slong *width;          /* width[l-1] = d_l */
    int *relu;             /* relu[l-1] = 1 iff sigma_l is ReLU, l = 1..L-1 */
    int bias;              /* 1 iff a free last-layer bias */
    int ce;                /* 1 iff the fit is cross-entropy ("loss": "ce"), else MSE */
    fmpq_t lambda_h;
    fmpq *lambda_w;        /* lambda_w[l-1], l = 1..L */
    fmpq_t lhL;            /* lambda_H prod_l lambda_W_l, computed once (it can be large) */
} vx_problem;

/* ---- algebraic scalars and points (§5) ---- */
typedef struct {
    const char *name;      /* borrowed from the JSON document */
    int algebraic;
    int ok;                /* a ball, or an algebraic number whose isolation succeeds */
    fmpz_poly_t poly;
    fmpq_t lo, hi;
    arb_t val;             /* ball containing the scalar */
} vx_scalar;

typedef struct {
    arb_t loss, fit, reg;
    arb_mat_struct *pre;   /* pre[l] = enclosure of Htilde_l, l = 2..L (others unused) */
    arb_mat_struct *post;  /* post[l] = H_l, l = 2..L (H_1 is the block H1) */
    arb_mat_t R;           /* Z - Y, K x ncols */
} vx_forward;

/* The fast-double rule's results for one point (vfast.c), computed once. */
typedef struct {
    int ok, grad_ok;       /* 1: the loss (the gradient's norm) enclosed */
    arb_t loss, fit, reg;  /* format §6.4.1 */
    arb_t norm;            /* format §6.12: every element of the chain-rule generalised gradient has its norm here */
    char why[VWHY], gwhy[VWHY];   /* why not (loss, norm) */
} vx_fast;

typedef struct {
    const char *name;
    int collapsed;
    slong ncols;
    slong *label, *mult;   /* class and multiplicity of every column */
    slong ns;
    vx_scalar *s;
    const char *invalid;   /* an algebraic scalar that does not isolate, or NULL */
    int pattern_ok;        /* every block is one term with a certified positive scale (§6.8) */
    arb_mat_struct *blk;   /* L + 2 blocks: H1, W_1..W_L, b (K x 1, or K x 0 without a bias) */
    const json_t *blocks;  /* the blocks as written: exact patterns are read from here (§6.8) */
    fmpz_mat_struct *sums; /* the exact pass of §6.8, when computed: pre and post class sums */
    int facts_state;       /* 0 not computed, 1 computed, -1 beyond the size bounds */
    int forward_done;
    vx_forward fw;
    int balls;             /* blk is built: a claim other than a fast-double loss claim names the point */
    double *dbl;           /* the binary64 blocks (§5.2) as doubles, trainer's layout (H1, W_1..W_L, b), or NULL */
    char *isdbl;           /* isdbl[b] = 1: block b is in dbl (and in blk only when balls) */
    int fast_grad;         /* a fast-double gradient_norm claim names the point */
    vx_fast *fast;         /* the fast-double rule's results, once computed */
} vx_point;

/* ---- the checker's state for one file ---- */
typedef struct {
    char *err;
    size_t errlen;
    slong prec;            /* working precision: max(file's, requested) */
    slong file_prec;       /* the file's "precision" */
    vx_problem p;
    vx_point *pts;
    slong npts;
    double entries;        /* ball entries of the points read so far (§9) */
    double doubles;        /* entries of the points kept as doubles only (§9) */
    const char *dir;       /* the certificate's directory, where its point files are (§5.2); NULL: none */
} vx_ctx;

/* ---- strict reading (vread.c). Functions returning int give 0, or -1 after setting the
 * message "PATH: why" ---- */
int vx_fail(vx_ctx *c, const char *fmt, ...);
const char *vx_pathf(char *buf, const char *fmt, ...);
/* o is an object with exactly the fields of `schema` and any "note" strings. The schema is
 * space-separated "name:T" with T = s string, i integer, o object, a array, S string or
 * null; a trailing '?' marks an optional field. */
int vx_schema(vx_ctx *c, const json_t *o, const char *path, const char *schema);
const char *vx_str(const json_t *o, const char *key);
/* o[key] is an integer in [lo, hi] (present: checked by the schema). */
int vx_int(vx_ctx *c, const json_t *o, const char *path, const char *key, slong lo, slong hi, slong *x);
/* Parses a rational string (§3) in time linear in its length; 0, or -1 when it is not one
 * or is beyond the limits. */
int vx_parse_rational(fmpq *q, const char *s);
/* o[key] is a rational string; parsed into q. */
int vx_rational(vx_ctx *c, const json_t *o, const char *path, const char *key, fmpq *q);
/* o is an interval {lo, hi, decimal?} (§3): lo <= hi and a decimal that does not mislead. */
int vx_interval(vx_ctx *c, const json_t *o, const char *path, fmpq *lo, fmpq *hi);
/* The same for the fields lo, hi, decimal of an object whose schema the caller checked. */
int vx_lohi(vx_ctx *c, const json_t *o, const char *path, fmpq *lo, fmpq *hi);
/* An integer polynomial: array of decimal integer strings, constant term first (§3). */
int vx_poly(vx_ctx *c, const json_t *a, const char *path, fmpz_poly_t p);

/* ---- problem (vproblem.c) ---- */
void vx_problem_init(vx_problem *p);
void vx_problem_clear(vx_problem *p);
int vx_problem_read(vx_ctx *c, const json_t *o);
int vx_problem_balanced(const vx_problem *p);
/* Rows of W_l: d_{l+1} for l < L, K for l = L. */
slong vx_out_rows(const vx_problem *p, slong l);

/* ---- algebraic numbers (valg.c) ---- */
void vx_ball(arb_t r, const fmpq *lo, const fmpq *hi, slong prec);   /* smallest ball containing [lo, hi] */
/* 1 iff p, lo, hi isolate a root (§7.1); 0 = not proven. */
int vx_isolates(const fmpz_poly_t p, const fmpq *lo, const fmpq *hi, slong prec);
/* r <- a ball containing the root isolated by (p, lo, hi). */
void vx_root_ball(arb_t r, const fmpz_poly_t p, const fmpq *lo, const fmpq *hi, slong prec);
/* Sign of the polynomial p at the rational x: decided in balls, exactly as a last resort
 * when that is cheap; 0 when p(x) = 0 or the sign is undecided. */
int vx_sign_at(const fmpz_poly_t p, const fmpq *x, slong prec);
/* Bisection: f is continuous on (lo, hi), has sign slo (+1 or -1) just right of lo, the
 * opposite sign just left of hi, and exactly one zero in between (the caller's proof).
 * sign(x) returns the sign -1, 0 or 1 of f at the rational x in (lo, hi), or 2 when it
 * cannot decide (refinement then stops). r <- a ball containing the zero. */
void vx_bisect(arb_t r, int (*sign)(const fmpq_t x, void *arg, slong prec), void *arg,
               const fmpq_t lo, const fmpq_t hi, int slo, slong prec);

/* ---- structures and their derived values (vstructure.c, format §8) ---- */
typedef struct {
    char name[16];         /* dnc, srg, sts, deep-linear, ufm, tirer-bruna */
    slong r, v;
} vx_structure;

typedef struct {           /* one block of the one-parameter family (§8.1) */
    char name[4];          /* dnc, srg, sts */
    slong classes;         /* K_b */
    fmpq_t Q;
} vx_block;

int vx_structure_read(vx_ctx *c, const json_t *o, const char *path, vx_structure *s);
const char *vx_structure_str(char *buf, size_t len, const vx_structure *s);
int vx_structure_is_lowrank(const vx_structure *s);
/* Why the structure does not exist in the problem (a requirement of §8 fails), or NULL. */
const char *vx_structure_unmet(char *buf, size_t len, const vx_problem *p, const vx_structure *s);
/* The blocks of a low-rank structure (at most 2; init'ed here, clear with vx_blocks_clear). */
slong vx_structure_blocks(vx_block *b, const vx_problem *p, const vx_structure *s);
void vx_blocks_clear(vx_block *b, slong nb);
/* T_L = (L-1)^(L-1) / L^(2L), with 0^0 = 1. */
void vx_alive_threshold(fmpq_t T, slong L);
/* The defining polynomial den(Q)(1-c)^(L+1)c^(L-1) - num(Q) of a block's scale. */
void vx_block_poly(fmpz_poly_t f, const fmpq_t Q, slong L);
/* v <- the value of the structure (§8). Returns 1, or 0 with a reason in why (not proven). */
int vx_structure_value(arb_t v, const vx_problem *p, const vx_structure *s, slong prec, char *why, size_t len);

/* ---- the cross-entropy value of ufm, deep-linear and dnc (vce.c, format §8.3) ---- */
/* v <- the value min(log K, phi(sigma_2)) (or log K) of structure s on a CE problem meeting
 * §8.3's requirements (the caller checked them): dnc is the orthogonal-frame family, whose P
 * is P K^L/(K-1)^L. 1, or 0 with the reason in why (not proven). */
int vx_ce_value(arb_t v, const vx_problem *p, const vx_structure *s, slong prec, char *why, size_t len);
/* 1 iff H(lo) < 0 < H(hi) is proven for structure s, 0 < lo < hi: (lo, hi) holds exactly one
 * zero of H, the larger one sigma_2 (§6.1 under CE); 0 with the reason in why. */
int vx_ce_root(const vx_problem *p, const vx_structure *s, const fmpq_t lo, const fmpq_t hi, slong prec, char *why,
               size_t len);

/* ---- critical points (vcrit.c, format §6.9) ---- */
/* 1 when Krawczyk's test proves the critical_point statement for the box of radius 2^E around
 * point P (dyadic entries) and the multipliers mu (one per kink; kink and gen: 3 integers each,
 * validated by the reader; pt's zero weights (l, i, u): entry (i, u) of W_l held at 0; gen: rotations (l, a, b), partial rotations (-1 - j, a, b), kink-
 * preserving rotations (VX_KINK_ROTATION + l, a, b), then class rotations (VX_CLASS_ROTATION, a, b)); loss <- f_0 over the box. With rho != NULL also the second-order
 * test of strict_local_min (format §6.11). 0 (not proven) with why. */
#define VX_KINK_ROTATION (1L << 24)   /* gen (VX_KINK_ROTATION + l, a, b): a kink-preserving rotation (§6.9) */
#define VX_CLASS_ROTATION (1L << 25)  /* gen (VX_CLASS_ROTATION, a, b): the class rotation of classes a < b (§6.9) */
#define VX_LONE_UNIT (1L << 26)       /* an exact slope's witness (VX_LONE_UNIT, j, 0): a lone unit in column j (§6.10) */
#define VX_SHARED_INPUT (1L << 27)    /* an exact slope's witness (VX_SHARED_INPUT, q, 0): unit q of the layer below (§6.10) */
typedef struct {             /* the pattern of a critical_point claim */
    const slong *kink, *imp; /* kinks and implied kinks (l, i, j) */
    const slong *dead;       /* dead units (l, a) */
    const slong *zw;         /* zero weights (l, i, u) */
    slong nk, ni, nd, nz;
} vx_crit_pattern;
/* Dense doubles for the Krawczyk test (vdense.c, docs/verifier.md), first; where it fails,
 * systems of at most VX_ARB_UNKNOWNS unknowns are checked with ball matrices. */
#define VX_ARB_UNKNOWNS 800
int vx_critical_method_known(void);   /* DNCERT_CRITICAL_METHOD unset, "double" or "ball" */
int vx_critical_double(void);    /* the double path runs (vcrit.c; DNCERT_CRITICAL_METHOD) */
int vx_critical_ball(slong m);   /* the ball path may run: m <= VX_ARB_UNKNOWNS (vcrit.c) */
int vx_fast_product(double *C, const double *A, const double *B, slong m, slong k, slong n);
int vx_dense_inverse(double *Y, const double *A, slong m);
int vx_krawczyk_double(slong m, const double *A, mag_srcptr rowerr, mag_srcptr g, slong E, double *rho_max);
int vx_pd_double(slong m, slong nf, const double *A, const double *D, slong k);

int vx_critical_check(arb_t loss, const vx_problem *p, const vx_point *P, slong E, const vx_crit_pattern *pt,
                      const fmpq *mu, const slong *gen, slong q, const fmpq *rho, slong prec, char *why, size_t len);
/* kink_multipliers (format §6.10) on the box of a critical_point claim (same arguments):
 * 1 iff every G_e over the box excludes 0 and every t_e = mu_e / G_e lies in [lo_e, hi_e],
 * except at the nex kinks of exact_slopes: ex holds 5 per entry (kink index, increasing; the
 * slope 0 or 1; the witness (l, a, b) encoded as for vx_critical_check's generators), and
 * there the slope must lie in [lo_e, hi_e] and the witness must be a symmetry of the pattern
 * with that kink moved to P+ (1) or P- (0) whose tangent moves the kink. */
typedef struct {             /* the multiplier shifts of a kink_multipliers claim (format §6.10) */
    slong n;
    const slong *q;          /* 2 per shift: the index of an implied kink of the pattern, its partner unit */
    const fmpq *s, *lo, *hi; /* the shifts; the stated slope intervals of the shifted implied kinks */
} vx_shifts;
/* With the shifts sh, the multipliers are mu + sum_k s_k d_k (d_k the relation of shift k's
 * partner pair, derived on the box), and each shifted implied kink's slope must lie in its
 * interval (its G excluding 0). gwhy (glen bytes, or NULL): for d_stationary (format §6.14), ""
 * when G_e >= 0 is shown over the box at every listed and implied kink, else the first kink
 * where it is not. */
int vx_kink_slopes_check(const vx_problem *p, const vx_point *P, slong E, const vx_crit_pattern *pt, const fmpq *mu,
                         const fmpq *lo, const fmpq *hi, const slong *ex, slong nex, const vx_shifts *sh, slong prec,
                         char *why, size_t len, char *gwhy, size_t glen);
/* descent_direction (format §6.15) on the box of a critical_point claim (same arguments; D the
 * direction, a point of the same layout): 1 iff the one-sided derivative along D of every
 * listed and implied kink's pre-activation has a decided sign over the box (> 0, < 0 or exactly
 * 0, decided from the lowest layer up); rate <- the enclosure of f'(theta*; D) over the box. */
int vx_descent_check(arb_t rate, const vx_problem *p, const vx_point *P, slong E, const vx_crit_pattern *pt,
                     const vx_point *D, slong prec, char *why, size_t len);
/* ---- points (vpoint.c) ---- */
/* balls: the point's box is needed in ball arithmetic (any claim but a fast-double loss claim
 * names it); else binary64 blocks stay doubles only. */
int vx_point_read(vx_ctx *c, vx_point *P, const char *name, const json_t *o, int balls);
void vx_point_clear(vx_point *P, slong L);
vx_point *vx_point_find(vx_ctx *c, const char *name);
/* Cost of evaluating the point in the work units of §9. */
double vx_point_work(const vx_problem *p, slong ncols);

/* Entry offset of block b (0 = H1, 1..L = W_b, L + 1 = b) in the trainer's layout. */
slong vx_block_start(const vx_problem *p, slong ncols, slong b);

/* ---- binary64 points (vbinary.c, format §5.2) ---- */
/* The SHA-256 digest of n bytes (FIPS 180-4), streamed: init, update any number of times, final. */
typedef struct {
    unsigned int h[8];
    unsigned char buf[64];
    unsigned long long len;   /* bytes so far */
} vx_sha256;
void vx_sha256_init(vx_sha256 *s);
void vx_sha256_update(vx_sha256 *s, const unsigned char *data, size_t n);
void vx_sha256_final(vx_sha256 *s, unsigned char digest[32]);
/* use = 1: compress with the x86 SHA extensions when the CPU has them (the default); 0: the
 * portable code. Returns 1 when the extensions are in use. Process-wide (tests compare both). */
int vx_sha256_x86(int use);
/* out[0..nb) <- the nb bytes of the canonical base64 text s (RFC 4648 §4: exactly
 * 4 ceil(nb/3) characters of the standard alphabet, '=' padding, zero padding bits). 0, or
 * -1 with the reason in why. */
int vx_base64_decode(unsigned char *out, size_t nb, const char *s, char *why, size_t len);
/* x[0..n) <- the n doubles of the canonical base64 text s (RFC 4648 §4, padded, no other
 * characters) of their little-endian binary64 bytes. 0, or -1 with the reason in why (the
 * caller checks that the entries are finite). */
int vx_base64_doubles(double *x, slong n, const char *s, char *why, size_t len);
/* x[0..n) <- the point file o = {"name": NAME, "sha256": HEX} of the certificate's directory
 * (c->dir): a regular file of exactly 8n bytes whose SHA-256 digest is HEX, every entry a
 * finite double. 0, or -1 with the message set (path names the object). */
int vx_point_file(vx_ctx *c, double *x, slong n, const json_t *o, const char *path);
/* 1 when this machine's doubles are IEEE binary64 with the integers' byte order. */
int vx_binary64_host(void);

/* ---- evaluation of the objective (veval.c) ---- */
/* Loss, fit, regulariser and every activation of the box (computed once per point). */
const vx_forward *vx_point_forward(vx_ctx *c, vx_point *P);
void vx_forward_clear(vx_forward *f, slong L);
/* grad (L + 2 matrices of the blocks' shapes, initialised here) <- enclosure of the gradient
 * of f on the box, with the ReLU derivative taken as [0, 1] where mask[l][i + d_l j] != 0
 * (l = 2..L; mask may be NULL) and where the pre-activation's enclosure contains 0. The H1
 * gradient is per sample. */
void vx_point_gradient(vx_ctx *c, vx_point *P, char *const *mask, arb_mat_struct *grad);
void vx_grad_clear(arb_mat_struct *grad, slong L);

/* ---- the fast-double rules (vfast.c, format §6.4.1 and §6.12) ---- */
/* The enclosures of the point's loss and parts by the forward pass in double of §6.4.1 and,
 * when P->fast_grad, of the norm of its gradient by the backward pass of §6.12, computed once
 * per point (kept in P->fast). ok (grad_ok) is 1 when every entry of P is a double and nothing
 * overflows; else 0 with the reason in why (gwhy): the claim is then not proven. */
const vx_fast *vx_point_fast(const vx_problem *p, vx_point *P);
void vx_fast_clear(vx_fast *r);
/* FOR TESTS (include/dncert/verify.h): the gradient rule's error bound times s. */
void dncv_test_grad_bound_scale(double s);

/* ---- bounded work (vwork.c, format §9) ---- */
/* Estimates the time the checks of the file take, from its sizes alone, before any of them
 * runs; 0, or -1 (message set) when the estimate exceeds VX_MAX_SECONDS. */
int vx_check_work(vx_ctx *c, const json_t *root);

/* ---- exact facts on the patterns (vfacts.c, format §6.8) ---- */
/* Returns 1 certified, 0 not proven (reason in why), -1 malformed (message set). */
int vx_fact(vx_ctx *c, vx_point *P, const char *fact, slong layer, slong rank, char *why, size_t len);

/* ---- helpers ---- */
/* 1 iff the ball x lies in [lo, hi] (compared exactly). */
int vx_ball_in(const arb_t x, const fmpq *lo, const fmpq *hi);
/* x as short text for messages (buffer of VTXT bytes). */
#define VTXT 160
const char *vx_arb_str(char *buf, const arb_t x);

#endif
