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

typedef struct {
    char name[32];          /* e.g. "c", "tau", "a", "s_1", "nu_dir_2" */
    arb_t value;            /* enclosure at the requested precision */
    int algebraic;          /* 1: value is the root `alg`; 0: derived by ball arithmetic */
    dnc_alg_t alg;
} dnc_closed_scalar;

typedef enum { DNC_DEAD = 0, DNC_ALIVE = 1, DNC_TIE = 2 } dnc_alive_t;

/* "dead", "alive" or "tie", as in certificates, theorem files and the JSON of closed-form. */
const char *dnc_alive_name(dnc_alive_t a);

/* One term of a parameter block of the explicit point: scale x pattern, with the pattern an
 * exact sparse rational matrix in the block's full coordinates. A block is the sum of its
 * terms. Certificates store points in exactly this form (docs/certificate-format.md). */
typedef struct {
    slong block;            /* 0 = H1, 1..L = W_l, L+1 = b */
    char scale[32];         /* name of a scalar of the construction, "" for 1 */
    slong n, alloc;
    slong *row, *col;
    fmpq *val;
} dnc_closed_term;

typedef struct {
    char structure[32];     /* "dnc", "srg", "srg-embedded", "sts", "deep-linear", "ufm", "tirer-bruna" */
    dnc_problem_struct *p;  /* borrowed */
    slong prec;
    dnc_alive_t alive;      /* exact decision: non-zero structure vs the zero point */
    char alive_rule[256];   /* the exact inequality that was decided, in words */
    arb_t loss;             /* f* along the structure (1/2 when dead) */
    dnc_closed_scalar *scalars;
    slong nscalars, scalars_alloc;
    dnc_closed_term *terms;
    slong nterms, terms_alloc;
    dnc_bpoint_t point;     /* explicit point (collapsed form), valid when has_point */
    int has_point;
} dnc_closed_struct;
typedef dnc_closed_struct dnc_closed_t[1];

void dnc_closed_init(dnc_closed_t c, dnc_problem_t p, const char *structure, slong prec);
void dnc_closed_clear(dnc_closed_t c);

/* Builds the construction named `structure` ("dnc", "srg", "sts", "deep-linear", "ufm",
 * "tirer-bruna"); `param` is r for srg, v for sts (ignored otherwise). Same convention as
 * the constructors: c is initialised in every case; 0 or -1 with a message in err. */
int dnc_closed_build(dnc_closed_t c, const char *structure, dnc_problem_t p, slong param, int embed,
                     slong prec, char *err, size_t errlen);

/* Exact structure facts of the explicit point computed on its patterns
 * (docs/certificate-format.md, section 6.7): fact is "gram_diagonal", "rank_pre" (with
 * rank), "relu_identity", "relu_inactive" or "collapsed", at layer 1..L. Needs every block
 * below the last to be a single term with a positive scale (ReLU commutes with positive
 * scaling); returns 1 when proven, 0 otherwise. */
int dnc_closed_pattern_fact(const dnc_closed_t c, const char *fact, slong layer, slong rank);

/* Appends a scalar; returns it so the caller can set value/alg. The pointer is valid
 * until the next call that adds a scalar. */
dnc_closed_scalar *dnc_closed_add_scalar(dnc_closed_t c, const char *name);

/* Starts a term of block `block` (0 = H1, 1..L = W_l, L+1 = b) scaled by the scalar
 * `scale` ("" or NULL for 1); returns it for dnc_closed_term_set. Valid until the next
 * dnc_closed_add_term. */
dnc_closed_term *dnc_closed_add_term(dnc_closed_t c, slong block, const char *scale);

/* Sets entry (i, j) of the term's pattern (each position at most once per term). */
void dnc_closed_term_set(dnc_closed_term *t, slong i, slong j, const fmpq_t v);
void dnc_closed_term_set_si(dnc_closed_term *t, slong i, slong j, slong num, ulong den);

/* Builds c->point (collapsed form) as the sum of the terms, each pattern entry times the
 * enclosure of its scalar, at c->prec. Returns 0, or -1 if a term names no scalar. */
int dnc_closed_point_from_terms(dnc_closed_t c);

/* Returns the scalar with this name, or NULL. */
const dnc_closed_scalar *dnc_closed_get_scalar(const dnc_closed_t c, const char *name);

/* ==== DNC, deep linear UFM, plain UFM, Tirer-Bruna (src/closed/dnc.c, deep_linear.c,
 * tirer_bruna.c, crosscheck.c; theory in docs/math/dnc.md and docs/math/deep-linear.md) ====
 *
 * Calling convention of these constructors: `out` is uninitialised on entry and is
 * initialised by the call in every case (success or failure), so the caller always ends
 * with dnc_closed_clear(out). On success they return 0, and out->loss, out->alive and the
 * explicit point out->point (collapsed form) are set; on failure -1 with a message in err
 * that names the offending option ("--width: ..."). */

/* DNC point of the L-DUFM (closed-forms section 1). Needs balanced counts, no bias and
 * every width d_l >= K; activations may be relu or linear (ReLU is inactive on it).
 * Scalars: "c" (algebraic: the root in ((L-1)/(2L), 1) of (1-c)^{L+1} c^{L-1} - K^{L+1} P,
 * present whenever that root exists), and, when the DNC point is used (alive or tie),
 * "nu" = P^{1/(L+1)}, "tau", "a", "s_1".."s_L" (balls). Dead: loss = 1/2 exactly, the point
 * is the zero point, and "f_nonzero" holds the (losing) value of the non-zero critical
 * point when c* exists. Tie: loss = 1/2 exactly and the point is the DNC point with
 * c* = (L-1)/L. */
int dnc_closed_dnc(dnc_closed_t out, dnc_problem_t p, slong prec, char *err, size_t errlen);

/* The DNC value alone (out->loss of dnc_closed_dnc, without building the point, so its
 * cost does not grow with the widths): the same requirements (balanced counts, no bias,
 * every width >= K; otherwise -1 with the same message in err), the same exact decision,
 * and f = 1/2 exactly when dead or tied. Returns 0 on success. */
int dnc_closed_dnc_value(arb_t f, const dnc_problem_t p, slong prec, char *err, size_t errlen);

/* The DNC scale and value without the point (certify-point compares a point of any width
 * with them): sets f as dnc_closed_dnc_value does and c to the root c* of the DNC
 * polynomial, isolated as dnc_closed_dnc does ("c"). Returns 1 when c* exists, 0 when it
 * does not (dead, where f = 1/2), -1 with a message in err (f = 1/2 when dead or tied,
 * else indeterminate). */
int dnc_closed_dnc_scale(dnc_alg_t c, arb_t f, const dnc_problem_t p, slong prec, char *err, size_t errlen);

/* Global optimum of the deep linear UFM (closed-forms section 3; M = L layers, every
 * activation linear), balanced or imbalanced counts, bias none or free. The problem
 * splits into directions with weights t; direction group g (equal t) gets the scalars
 * "t_g" (algebraic) and, when realised non-zero in the point, "nu_g" (algebraic:
 * nu = lambda_{W_m} s_m^2). out->alive is ALIVE if some direction is alive, else TIE if
 * some direction ties, else DEAD. Needs every width >= the number of alive directions. */
int dnc_closed_deep_linear(dnc_closed_t out, dnc_problem_t p, slong prec, char *err, size_t errlen);

/* Plain UFM (L = 1): the deep linear construction with M = 1, structure "ufm". */
int dnc_closed_ufm(dnc_closed_t out, dnc_problem_t p, slong prec, char *err, size_t errlen);

/* Tirer & Bruna two-layer model W_2 ReLU(W_1 H1) (L = 2, relu, no bias): value of the
 * two-layer linear bias-free optimum, realised by a point whose first-layer
 * pre-activations are entrywise >= 0, so that ReLU is inactive and the post-ReLU class
 * means are exactly orthogonal (dnc_closed_gram_is_diagonal(c, 2, prec) proves it).
 * With balanced counts that value is the ReLU model's optimal value (Tirer & Bruna); with
 * imbalanced counts it is only proven to be an upper bound on it
 * (docs/math/deep-linear.md, section 7). */
int dnc_closed_tirer_bruna(dnc_closed_t out, dnc_problem_t p, slong prec, char *err, size_t errlen);

/* Cross-check of a construction against the one objective definition: evaluates the
 * explicit point with dnc_ball_eval at prec and returns 1 when (i) that loss ball and
 * c->loss overlap, so both enclosures contain one common value, and (ii) both radii are
 * below 2^-(prec-60), so the agreement is tight enough to mean something. 0 = not proven
 * (a wrong closed form, or a precision too low). */
int dnc_closed_crosscheck(const dnc_closed_t c, slong prec);

/* Stationarity check at the explicit point: 1 when the (Clarke) gradient enclosure of
 * dnc_ball_eval contains 0 in every entry and every entry's radius is below
 * 2^-(prec-60); 0 = not proven. *nkinks (if non-NULL) receives the number of ReLU
 * pre-activation entries whose ball contains 0 (exact zeros included), where the
 * derivative was taken as [0, 1]. */
int dnc_closed_check_stationary(const dnc_closed_t c, slong prec, slong *nkinks);

/* Structure fact at layer l (1..L) of the explicit point (collapsed form): with M_l the
 * post-activation class means H_l (H_1 = H1), returns 1 when every off-diagonal entry of
 * the Gram matrix M_l^T M_l is exactly 0 (a ball of radius 0 at 0) and every diagonal
 * entry is certified > 0: the class means are exactly orthogonal and non-zero. */
int dnc_closed_gram_is_diagonal(const dnc_closed_t c, slong layer, slong prec);

/* ==== Cross-entropy (src/closed/ce.c; theory in docs/math/cross-entropy.md) ====
 * Same calling convention as above. The problem must have p->loss == DNC_LOSS_CE. */

/* The least value of the DNC-structured family of the deep linear UFM under CE (ETF
 * logits sigma (I - J/K), collapsed features, balanced factors): min(log K, phi(sigma_2))
 * with phi(sigma) = log(1 + (K-1)e^{-sigma}) + ((M+1)(K-1)/2) c sigma^{2/(M+1)},
 * c = (n lambda_H prod lambda_W)^{1/(M+1)}, M = L. Needs balanced counts, every activation
 * linear and every width >= K; the bias none or free (a free bias changes nothing: b = 0,
 * docs/math/cross-entropy.md §8). Every positive stationary point of phi is
 * isolated with proven signs (at most two, by strict convexity of the equation's log form):
 * scalars "sigma_1" (local maximum) and "sigma_2" (local minimum) as balls whose endpoints
 * are the isolating interval, "f_nonzero" when sigma_2 loses to log K; when alive "sigma",
 * "nu" (= c), "tau", "a", "s_1".."s_L". L = 1: the exact decision K^2 n lambda_H lambda_W < 1
 * and sigma* = log(1/c - K + 1). Dead or tie: loss = log K and the zero point. Returns -1
 * with "not proven" in err when a sign or the comparison with log K is not decided. This is
 * the DNC-structured value; for L >= 2 it need not be the global optimum. */
int dnc_closed_deep_linear_ce(dnc_closed_t out, dnc_problem_t p, slong prec, char *err, size_t errlen);

/* The least value of the orthogonal-frame family of the ReLU DUFM under CE
 * (docs/math/cross-entropy.md §7): collapsed features, the class means after every hidden
 * activation an orthogonal frame of equal norms, the last layer free. It is the value of
 * dnc_closed_deep_linear_ce with P replaced by P_F = P K^L/(K-1)^L, attained by the DNC point
 * of dnc.md §1 with W_L = s_L (I - J/K) Q_L^T; scalars as there ("tau" = lambda_L s_L^2, and
 * n lambda_H a^2 = lambda_l s_l^2 = (K-1)/K tau for l < L). Needs L >= 2, balanced counts and
 * every width >= K; activations may be relu or linear (the point's pre-activations are
 * >= 0), the bias none or free (the value is the same, b = 0: §8). Structure "dnc". The
 * point is a critical point of the whole problem when sigma_{L-1} is ReLU
 * (dnc_closed_check_critical), not when it is linear. */
int dnc_closed_dnc_ce(dnc_closed_t out, dnc_problem_t p, slong prec, char *err, size_t errlen);

/* lo, hi <- the endpoints of the ball x (exact dyadics: x is the scalar "sigma_2", or "sigma"
 * for L = 1, of the CE closed form of `structure` on p: "dnc" for the frames, P_F in H;
 * "ufm" or "deep-linear" otherwise). Returns 1 iff 0 < lo < hi and H(lo) < 0 < H(hi) are
 * proven, so that (lo, hi) holds exactly one zero of the strictly convex H, the larger one
 * sigma_2 (the root claim of a CE certificate, docs/certificate-format.md §6.1); 0 = not
 * proven. */
int dnc_closed_ce_root_interval(fmpq_t lo, fmpq_t hi, const arb_t x, dnc_problem_t p, const char *structure,
                                slong prec);

/* Critical-point check of an explicit point whose ReLU kinks carry a non-zero signal (the CE
 * frames, docs/math/cross-entropy.md §7): 1 when (i) the Clarke gradient enclosure
 * (dnc_ball_eval, derivative [0, 1] at kinks) contains 0 in every entry, and (ii) the gradient
 * of the smooth piece f_0 in which every kink is inactive (dnc_ball_eval_frozen, active
 * exactly where the pre-activation is proven > 0) contains 0 in every entry with radius below
 * 2^-(prec-60). (ii) says that 0 is the gradient of f_0; where f = f_0 on a region whose
 * interior comes arbitrarily close to the point (true for the CE frames: the math note),
 * that makes 0 a Clarke generalized gradient of f. 0 = not proven. *nkinks (if non-NULL)
 * receives the number of kinks. */
int dnc_closed_check_critical(const dnc_closed_t c, slong prec, slong *nkinks);

/* Plain UFM (L = 1) under CE: dnc_closed_deep_linear_ce with structure "ufm". */
int dnc_closed_ufm_ce(dnc_closed_t out, dnc_problem_t p, slong prec, char *err, size_t errlen);

/* f <- the loss of the explicit point of c under its problem's loss (dnc_ball_eval, the
 * one objective definition, for both losses). Returns 1 when finite, 0 otherwise (or no
 * point). */
int dnc_closed_point_loss(arb_t f, const dnc_closed_t c, slong prec);

/* ==== end of DNC / deep linear / UFM / Tirer-Bruna / cross-entropy section ==== */

/* ==== SRG, Steiner-triple-system and other low-rank designs (src/closed/design.c, srg.c, sts.c,
 * comb.c, lowrank.c; theory in docs/math/srg.md) ====
 *
 * Same calling convention as the section above: `out` is uninitialised on entry and is
 * initialised by the call in every case, so the caller always ends with
 * dnc_closed_clear(out); 0 on success, -1 with a message naming the option in err.
 * Every int-returning check below returns 1 = proven, 0 = not proven (never "false"). */

#include <flint/fmpz_mat.h>
#include <flint/fmpq_mat.h>

/* -- exact combinatorics (integer / rational matrices, nothing rounded) -- */

/* C(r, 2). */
slong dnc_comb_binom2(slong r);

/* B (initialised r x C(r,2)) <- vertex-edge incidence of K_r, edges {i,j} (i < j) in
 * lexicographic order: column k has ones in rows i and j. */
void dnc_comb_kr_incidence(fmpz_mat_t B, slong r);

/* 1 if B is the incidence of K_r (0/1, two ones per column) and B^T B = 2 I + A with A the
 * adjacency of the triangular graph T(r), strongly regular (C(r,2), 2(r-2), r-2, 4). */
int dnc_comb_kr_check(const fmpz_mat_t B, slong r);

/* 1 if an STS(v) with at least two blocks exists: v ≡ 1 or 3 (mod 6), v >= 7. */
int dnc_comb_sts_admissible(slong v);

/* v (v-1) / 6, the number of blocks of an STS(v). */
slong dnc_comb_sts_nblocks(slong v);

/* B (initialised v x v(v-1)/6) <- point-block incidence of an STS(v): Bose construction
 * for v ≡ 3 (mod 6), Skolem construction for v ≡ 1 (mod 6). Returns 1 only if v is
 * admissible, the shape matches and the result passed dnc_comb_sts_check; else 0. */
int dnc_comb_sts_incidence(fmpz_mat_t B, slong v);

/* 1 if B (v x v(v-1)/6) is the incidence of an STS: 0/1 entries, three points per block,
 * every pair of points in exactly one block (off-diagonal of B B^T all 1). */
int dnc_comb_sts_check(const fmpz_mat_t B);

/* W (initialised K x v for B v x K) <- B^T - J/k, where k is the common column sum of B
 * (2 for K_r, 3 for an STS). Returns 0 if the column sums differ or shapes mismatch. */
int dnc_comb_wpat(fmpq_mat_t W, const fmpz_mat_t B);

/* M (K x K) <- W B exactly. For W = B^T - J/k this is B^T B - J_K. Returns 1 on success. */
int dnc_comb_mtilde(fmpq_mat_t M, const fmpq_mat_t W, const fmpz_mat_t B);

/* Exact rank of a rational matrix. */
slong dnc_comb_rank(const fmpq_mat_t M);

/* R <- max(M, 0) entrywise (R initialised with M's shape). */
void dnc_comb_relu(fmpq_mat_t R, const fmpq_mat_t M);

/* 1 and h set if R = h I with h > 0 (square, non-empty). */
int dnc_comb_is_scaled_identity(fmpq *h, const fmpq_mat_t R);   /* fmpq *, not fmpq_t: GCC 12
                                                                      misreads the array bound */

/* Structure facts of a pre-activation pattern M: *rank_pre = rank(M) (exact); returns 1
 * with h set when ReLU(M) = h I with h > 0 (so ReLU(M) has full rank). */
int dnc_comb_mtilde_facts(slong *rank_pre, fmpq_t h, const fmpq_mat_t M);

/* -- the scalar problem shared by every block ------------------------------------------
 * Along each structure the objective restricted to one block is
 *     f_Q(c) = (1/2)(1-c)^2 + ((L+1)/2) Q^{1/(L+1)} c^{2/(L+1)},
 * Q an exact rational (Q = 2^{L+1} kappa^{L+1} in the spec's notation; Q = K^{L+1} P for
 * DNC). Its non-zero critical point c* solves (1-c)^{L+1} c^{L-1} = Q; f* = (1/2)(1-c*)(1+Lc*). */

/* Q_DNC = K^{L+1} P with P = n lambda_H prod lambda_W (balanced counts). */
void dnc_closed_dnc_q(fmpq_t Q, const dnc_problem_t p);

/* T = (1/L)^{L+1} ((L-1)/L)^{L-1} = (L-1)^{L-1} / L^{2L} (0^0 = 1): the value of
 * (1-c)^{L+1} c^{L-1} at c = (L-1)/L, where f_Q(c) = 1/2. */
void dnc_closed_lowrank_threshold(fmpq_t T, slong L);

/* f <- (1/2)(1-c)(1+Lc): the value of f_Q at a critical point c (so f*, for c = c*). */
void dnc_closed_lowrank_value(arb_t f, const arb_t c, slong L, slong prec);

/* Exact decision of f_Q against the zero point: ALIVE iff (L-1)^{L-1}/L^{2L} > Q, TIE iff
 * equal, else DEAD (any L >= 1). */
dnc_alive_t dnc_closed_lowrank_decide(const fmpq_t Q, slong L);

/* f <- the integer polynomial with the roots of (1-c)^{L+1} c^{L-1} - Q. */
void dnc_closed_lowrank_poly(fmpz_poly_t f, const fmpq_t Q, slong L);

/* Isolates c* (the root in ((L-1)/(2L), 1)) when Q is alive or a tie: returns 1 and sets c;
 * 0 when dead or not isolated. */
int dnc_closed_lowrank_solve(dnc_alg_t c, const fmpq_t Q, slong L);

/* f <- enclosure of min(1/2, min_c f_Q(c)); returns 1, or 0 if not enclosed. */
int dnc_closed_lowrank_fstar(arb_t f, const fmpq_t Q, slong L, slong prec);

/* 1 if f*(Q1) < f*(Q2) strictly (exact: Q1 alive and (Q2 not alive or Q1 < Q2)), else 0. */
int dnc_closed_lowrank_beats(const fmpq_t Q1, const fmpq_t Q2, slong L);

/* -- the registry of structures: one descriptor each --------------------------------
 * Every structure dncert knows -- in theorem files, certificates, closed-form, reports,
 * sweeps -- is one entry of dnc_structures[]; callers look names up here instead of
 * matching strings. A low-rank design (SRG, STS, ...) is a dnc_design: its classes are
 * the columns of a 0/1 incidence matrix B (dim x K_b, constant column sum k) and
 * W_{L-1} = B^T - J/k; the block engine checks ReLU(W B) = h I exactly, solves the block
 * and embeds it beside DNC classes when K > K_b (docs/math/srg.md). A new design is one
 * dnc_design (its incidence matrix and the checks of its parameter) plus one registry
 * entry; nothing else changes. */

typedef struct {
    slong pmin, pmax;        /* range of the parameter (its K_b at most DNC_MAX_K) */
    /* 1 if a design exists for param in [pmin, pmax]; else 0 and the reason in err */
    int (*exists)(slong param, char *err, size_t errlen);
    slong (*nclass)(slong param);                 /* K_b */
    /* B (initialised dim x K_b, dim = param) <- the incidence; 1 on success */
    int (*incidence)(fmpz_mat_t B, slong param);
    const char *what;        /* printf format naming a member: "SRG with r = %ld" */
    const char *formula;     /* Q in words, alone and embedded (alive rule) */
    const char *formula_embedded;
} dnc_design;

typedef struct {
    const char *name;        /* "srg": as in theorem files, certificates and closed-form */
    const char *label;       /* "SRG": in tables */
    const char *param;       /* "r", "v", or NULL: the one integer parameter */
    const char *param_help;  /* what the parameter is, for messages */
    int blocks;              /* a block structure (dnc and designs): root/alive claims apply */
    const dnc_design *design;                     /* NULL unless a low-rank design */
    int (*build)(dnc_closed_t, dnc_problem_t, slong prec, char *err, size_t errlen); /* others */
    /* the construction under cross-entropy (docs/math/cross-entropy.md), NULL where none
     * is derived: dnc_closed_build refuses a CE problem for such a structure */
    int (*build_ce)(dnc_closed_t, dnc_problem_t, slong prec, char *err, size_t errlen);
} dnc_structure;

/* The registry, ended by an entry whose name is NULL. */
extern const dnc_structure dnc_structures[];

/* The entry named `name` (exact match), or NULL. */
const dnc_structure *dnc_structure_find(const char *name);

/* buf <- "dnc, srg, sts, deep-linear, ufm, tirer-bruna" (the names, for messages; cut to
 * len); returns buf. */
const char *dnc_structure_list(char *buf, size_t len);

/* SRG: classes = edges of K_r, K = C(r, 2), parameter r in [3, 447].
 * H1 = t B (x) 1_n^T, W_l = s_l I_r (l <= L-2), W_{L-1} = s_{L-1} (B^T - J/2),
 * W_L = s_L I_K (each embedded by 0/1 coordinates), c = t s_1 ... s_L,
 * Q = P K^3 r^{L-1} / 2, scales balanced: every term lambda ||.||^2 equals c*(1-c*).
 * Needs L >= 2 (the spec states L >= 3; L = 2 is a valid point that never beats DNC),
 * balanced counts, no bias, ReLU at layer L-1 (other activations free: their inputs are
 * >= 0), d_l >= r (l <= L-1), d_L >= K, and K = C(r,2) unless embed.
 * embed = 1 and K > C(r,2): structure "srg-embedded", the SRG block on classes
 * 0..C(r,2)-1 plus the DNC point on the other K2 = K - C(r,2) classes in orthogonal
 * coordinates (needs d_l >= r + K2 for l <= L-1); each block has its own c and exact
 * decision, with Q_srg = P K^{L+1} r^{L-1} / (2 C(r,2)^{L-2}) and Q_dnc = P K^{L+1}.
 * Scalars: "c", "tau", "t", "s_1".."s_L" (embedded: suffixed "_srg" / "_dnc", e.g.
 * "c_srg", "s_srg_2"); "c" is algebraic; a dead block has none and stays at zero.
 *
 * STS: classes = blocks of a Steiner triple system STS(v), K = v(v-1)/6, v ≡ 1, 3 (mod 6),
 * v in [7, 775]. As SRG with B the point-block incidence and W_{L-1} = s_{L-1}(B^T - J/3);
 * ReLU gives 2 I, so c = 2 t s_1 ... s_L, and Q = P K^3 v^{L-2} (v+9) / 12 (ratio to DNC
 * R = (v+9) v^{L-2} / (12 K^{L-2})); embedded as "sts-embedded", suffix "_sts". */
extern const dnc_design dnc_design_srg, dnc_design_sts;

/* The point of design structure s with parameter param for p (embedded beside DNC
 * classes when embed and p->K > K_b). Same convention as the constructors. */
int dnc_design_build(dnc_closed_t out, const dnc_structure *s, dnc_problem_t p, slong param, int embed,
                     slong prec, char *err, size_t errlen);

/* Q of the design block for p (embedded normalisation when p->K > K_b); 1 on success,
 * 0 if s is not a design, param has none, L < 2, counts unbalanced or K < K_b. */
int dnc_design_q(fmpq_t Q, const dnc_structure *s, const dnc_problem_t p, slong param);

/* 1 if the design point for (p, param, embed) exists and its optimal value along the
 * structure is proven strictly below the DNC value f*(K^{L+1} P) (an exact comparison of
 * Q's; for SRG with both alive it is r^{L-1} < 2 C(r,2)^{L-2}); 0 otherwise. The
 * certificate-style check of the same order is arb_lt(design->loss, dnc->loss). */
int dnc_design_beats_dnc(const dnc_structure *s, const dnc_problem_t p, slong param, int embed);

/* M (initialised K x K) <- class-mean pre-activation at layer L of the design point up
 * to a positive scale, normalised so that ReLU(M) = I: (B^T B - J)/h on the design's
 * classes, I on the DNC classes of an embedding (K > K_b). Ranks: SRG r (r - 1 at
 * r = 4), STS v (v - 1 at v = 9), plus K - K_b. Returns 1 on success. */
int dnc_design_mtilde(fmpq_mat_t M, const dnc_structure *s, slong param, slong K);

/* ==== end of low-rank designs and the registry ==== */

/* ==== `dncert closed-form` as one call (src/closed/closed_json.c) ==== */

#include <jansson.h>

/* Builds `structure` on p (dnc_closed_build: param is r for srg, v for sts), evaluates its
 * explicit point in balls and cross-checks it (dnc_closed_crosscheck: *consistent is 1 or
 * 0), and sets *out to the JSON that `dncert closed-form` prints: structure, model, prec,
 * alive, alive_rule, scalars, loss ({"decimal", "lo", "hi"}, lo <= f* <= hi exactly),
 * crosscheck, under cross-entropy "stationarity" ({"critical", "kinks", "rule"}:
 * dnc_closed_check_critical), a note where the value is only an upper bound, and with
 * compare the certified order against the DNC value ("compare"). With theta != NULL, *theta is the explicit point
 * expanded to all N samples and rounded to double, in the trainer's layout (free with free();
 * NULL when out of memory). Returns 0, or -1 with err (naming the option) when the
 * construction rejects the problem, or compare is asked and the problem has no DNC point;
 * then *out is NULL. */
int dnc_closed_form_json(json_t **out, int *consistent, double **theta, const char *structure, dnc_problem_t p,
                         slong param, int embed, slong prec, int compare, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
