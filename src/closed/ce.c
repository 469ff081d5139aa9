/* The DNC-structured values under cross-entropy (docs/math/cross-entropy.md): the plain and
 * deep linear UFM (ETF logits sigma (I - J/K), balanced factors, §2) and the ReLU DUFM
 * (orthogonal frames after every hidden activation, the last layer s_L (I - J/K) Q^T, §7).
 * Along either structure the objective is
 *     phi(sigma) = log(1 + (K-1) e^{-sigma}) + ((M+1)(K-1)/2) c sigma^{2/(M+1)},
 * c = P^{1/(M+1)}, P = n lambda_H prod lambda_W for the linear family and
 * P_F = P K^L/(K-1)^L for the frames (M = L). Its stationary points are the zeros of
 *     H(sigma) = log P - (M-1) log sigma + (M+1) log(e^sigma + K - 1),
 * a strictly convex function: at most two zeros, each isolated here by proven signs. */
#include <stdio.h>
#include <string.h>
#include <arb.h>
#include "dnc_priv.h"

/* The scalar equation of one problem. */
typedef struct {
    slong K, M;
    fmpq_t P;      /* n lambda_H prod lambda_W, times (K/(K-1))^L for the frames; exact */
    int frame;     /* 1: the orthogonal-frame family of §7 (structure dnc) */
} ce_eq;

static void ce_eq_init(ce_eq *e, const dnc_problem_struct *p, int frame)
{
    fmpq_t r;
    e->K = p->K;
    e->M = p->L;
    e->frame = frame;
    fmpq_init(e->P);
    _dnc_closed_lambda_prod(e->P, p);
    fmpq_mul(e->P, e->P, p->lambda_h);
    fmpq_mul_si(e->P, e->P, p->n[0]);
    if (frame) {   /* P_F = P K^L / (K-1)^L */
        fmpq_init(r);
        fmpq_set_si(r, p->K, (ulong) (p->K - 1));
        fmpq_pow_si(r, r, p->L);
        fmpq_mul(e->P, e->P, r);
        fmpq_clear(r);
    }
}

static void ce_eq_clear(ce_eq *e)
{
    fmpq_clear(e->P);
}

/* y <- log(e^s + K - 1). */
static void ce_log_exp_shift(arb_t y, const arb_t s, slong K, slong prec)
{
    arb_exp(y, s, prec);
    arb_add_ui(y, y, (ulong) (K - 1), prec);
    arb_log(y, y, prec);
}

/* y <- H(s) (s > 0). */
static void ce_H(arb_t y, const arb_t s, const ce_eq *e, slong prec)
{
    arb_t t;
    arb_init(t);
    ce_log_exp_shift(y, s, e->K, prec);
    arb_mul_ui(y, y, (ulong) (e->M + 1), prec);
    arb_log(t, s, prec);
    arb_submul_ui(y, t, (ulong) (e->M - 1), prec);
    arb_set_fmpq(t, e->P, prec);
    arb_log(t, t, prec);
    arb_add(y, y, t, prec);
    arb_clear(t);
}

/* y <- H'(s) = -(M-1)/s + (M+1)/(1 + (K-1) e^{-s}). */
static void ce_dH(arb_t y, const arb_t s, const ce_eq *e, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_neg(y, s);
    arb_exp(y, y, prec);
    arb_mul_ui(y, y, (ulong) (e->K - 1), prec);
    arb_add_ui(y, y, 1, prec);
    arb_ui_div(y, (ulong) (e->M + 1), y, prec);
    arb_ui_div(t, (ulong) (e->M - 1), s, prec);
    arb_sub(y, y, t, prec);
    arb_clear(t);
}

/* y <- phi(s) for s >= 0 (the regulariser term is 0 at s = 0). */
static void ce_phi(arb_t y, const arb_t s, const ce_eq *e, slong prec)
{
    arb_t t, c;
    arb_init(t);
    arb_init(c);
    arb_neg(y, s);
    arb_exp(y, y, prec);
    arb_mul_ui(y, y, (ulong) (e->K - 1), prec);
    arb_log1p(y, y, prec);
    if (!arb_is_zero(s)) {
        arb_set_fmpq(c, e->P, prec);
        arb_sqr(t, s, prec);
        arb_mul(t, t, c, prec);
        arb_root_ui(t, t, (ulong) (e->M + 1), prec);   /* c sigma^{2/(M+1)} = (P sigma^2)^{1/(M+1)} */
        arb_mul_ui(t, t, (ulong) ((e->M + 1) * (e->K - 1)), prec);
        arb_mul_2exp_si(t, t, -1);
        arb_add(y, y, t, prec);
    }
    arb_clear(t);
    arb_clear(c);
}

typedef void (*ce_fn)(arb_t, const arb_t, const ce_eq *, slong);

/* The proven sign (+1 or -1) of fn at the exact point s, raising the precision up to
 * 8 prec; 0 = not proven. */
static int ce_sign(ce_fn fn, const arf_t s, const ce_eq *e, slong prec)
{
    arb_t x, y;
    slong wp;
    int sg = 0;
    arb_init(x);
    arb_init(y);
    arb_set_arf(x, s);
    for (wp = prec + 64; wp <= 8 * prec + 64 && sg == 0; wp *= 2) {
        fn(y, x, e, wp);
        sg = arb_is_positive(y) ? 1 : arb_is_negative(y) ? -1 : 0;
    }
    arb_clear(x);
    arb_clear(y);
    return sg;
}

/* mid <- (lo + hi)/2 exactly. */
static void ce_mid(arf_t mid, const arf_t lo, const arf_t hi)
{
    arf_add(mid, lo, hi, ARF_PREC_EXACT, ARF_RND_DOWN);
    arf_mul_2exp_si(mid, mid, -1);
}

/* Bisection of the bracket (lo, hi) of the only zero of H there (sign slo at lo, -slo
 * at hi) until hi - lo <= 2^-(prec+8) lo. Returns 1, or 0 when a sign was not proven. */
static int ce_refine(arf_t lo, arf_t hi, int slo, const ce_eq *e, slong prec)
{
    arf_t mid, w;
    slong it;
    int ok = 1, sm;
    arf_init(mid);
    arf_init(w);
    for (it = 0; it < 1000000 && ok; it++) {
        arf_sub(w, hi, lo, ARF_PREC_EXACT, ARF_RND_DOWN);
        arf_mul_2exp_si(w, w, prec + 8);
        if (arf_cmp(w, lo) <= 0)
            break;
        ce_mid(mid, lo, hi);
        sm = ce_sign(ce_H, mid, e, prec);
        ok = sm != 0;
        arf_set(sm == slo ? lo : hi, mid);
    }
    arf_clear(mid);
    arf_clear(w);
    return ok;
}

/* Step 2 of the note: on (u, v), which contains the minimiser of H, either a point p with
 * H(p) < 0 (returns 2: two zeros) or a proof that H > 0 on (0, inf) (returns 0). -1 = not
 * proven (an exact tangency, or precision too low). */
static int ce_separate(arf_t p, arf_t u, arf_t v, const ce_eq *e, slong prec)
{
    arb_t x, y;
    slong it;
    int res = -1, sd;
    arb_init(x);
    arb_init(y);
    for (it = 0; it < 4 * prec && res == -1; it++) {
        ce_mid(p, u, v);
        if (ce_sign(ce_H, p, e, prec) < 0) {
            res = 2;
            break;
        }
        arb_set_interval_arf(x, u, v, prec + 64);
        ce_H(y, x, e, prec + 64);
        if (arb_is_positive(y)) {
            res = 0;
            break;
        }
        if ((sd = ce_sign(ce_dH, p, e, prec)) == 0)
            break;
        arf_set(sd < 0 ? u : v, p);
    }
    arb_clear(x);
    arb_clear(y);
    return res;
}

/* b <- a dyadic in (0, p) where H(b) > 0 is proven (b = 2^e below the bound of step 3). */
static int ce_left_end(arf_t b, const arf_t p, const ce_eq *e, slong prec)
{
    arb_t t, k;
    fmpz_t ex;
    int ok;
    arb_init(t);
    arb_init(k);
    fmpz_init(ex);
    arb_set_fmpq(t, e->P, prec);
    arb_log(t, t, prec);
    arb_log_ui(k, (ulong) e->K, prec);
    arb_addmul_ui(t, k, (ulong) (e->M + 1), prec);
    arb_const_log2(k, prec);
    arb_mul_ui(k, k, (ulong) (e->M - 1), prec);
    arb_div(t, t, k, prec);
    ok = arb_is_finite(t);
    if (ok) {
        arf_get_fmpz(ex, arb_midref(t), ARF_RND_FLOOR);
        fmpz_sub_ui(ex, ex, 2);
        arf_one(b);
        arf_mul_2exp_fmpz(b, b, ex);
        if (arf_cmp(b, p) >= 0)
            arf_mul_2exp_si(b, p, -1);
        ok = ce_sign(ce_H, b, e, prec) > 0;
    }
    arb_clear(t);
    arb_clear(k);
    fmpz_clear(ex);
    return ok;
}

/* Every positive zero of H (M >= 2): returns the number found (0 or 2) with their
 * isolating intervals [lo1, hi1] < [lo2, hi2], or -1 = not proven. */
static int ce_roots(arf_t lo1, arf_t hi1, arf_t lo2, arf_t hi2, const ce_eq *e, slong prec)
{
    arf_t p, u, v;
    slong it;
    int n;
    arf_init(p);
    arf_init(u);
    arf_init(v);
    arf_set_si_2exp_si(u, 1, -2);                     /* H'(1/4) < 0 since (M-1)/(M+1) >= 1/3 */
    arf_set_si_2exp_si(v, 1, FLINT_CLOG2(e->K));       /* H'(v) > 0 since v >= K (M-1)/(M+1) */
    n = ce_sign(ce_dH, u, e, prec) < 0 && ce_sign(ce_dH, v, e, prec) > 0 ? ce_separate(p, u, v, e, prec) : -1;
    if (n == 2) {
        arf_set(hi1, p);
        arf_set(lo2, p);
        arf_mul_2exp_si(hi2, p, 1);
        for (it = 0; it < 64 && ce_sign(ce_H, hi2, e, prec) <= 0; it++)
            arf_mul_2exp_si(hi2, hi2, 1);
        if (it == 64 || !ce_left_end(lo1, p, e, prec) || !ce_refine(lo1, hi1, 1, e, prec)
            || !ce_refine(lo2, hi2, -1, e, prec))
            n = -1;
    }
    arf_clear(p);
    arf_clear(u);
    arf_clear(v);
    return n;
}

/* The requirements of §2 (linear) and §7 (frames); a free bias is allowed (§8). */
static int ce_fits(const dnc_problem_struct *p, const char *structure, int frame, char *err, size_t errlen)
{
    slong l;
    if (!dnc_problem_is_balanced(p))
        return dnc_fail(err, errlen, "--n: %s --loss ce needs balanced counts (the imbalanced CE form is not derived: "
                        "ETF logits are not the optimal ansatz there, docs/math/cross-entropy.md §8; got n_1 = %ld "
                        "and others)", structure, (long) p->n[0]);
    if (frame && p->L < 2)
        return dnc_fail(err, errlen, "--L: %s --loss ce needs L >= 2 (its family is orthogonal frames after the "
                        "hidden layers; the plain UFM under CE is closed-form ufm --loss ce)", structure);
    for (l = 0; l + 1 < p->L && !frame; l++)
        if (p->act[l] != DNC_ACT_LINEAR)
            return dnc_fail(err, errlen, "--activation: %s --loss ce needs every activation linear (sigma_%ld is "
                            "relu; the ReLU CE form is closed-form dnc --loss ce)", structure, (long) (l + 1));
    for (l = 1; l <= p->L; l++)
        if (p->width[l - 1] < p->K)
            return dnc_fail(err, errlen, "--width: %s --loss ce needs every width >= K = %ld (d_%ld = %ld)",
                            structure, (long) p->K, (long) l, (long) p->width[l - 1]);
    return 0;
}

/* The explicit point: every block its scale times E = I_K - J_K/K on the first K
 * coordinates (E^2 = E, so Z = sigma E); for the frames (§7) every block but the last is
 * its scale times I_K (the DNC point of dnc.md §1), and W_L = s_L E, so Z = sigma E too. */
static int ce_point(dnc_closed_t out, int frame)
{
    slong K = out->p->K, L = out->p->L, l, i, k;
    char name[32];
    for (l = 0; l <= L; l++) {
        dnc_closed_term *t;
        if (l == 0)
            snprintf(name, sizeof(name), "a");
        else
            snprintf(name, sizeof(name), "s_%ld", (long) l);
        t = dnc_closed_add_term(out, l, name);
        for (k = 0; k < K; k++)
            for (i = 0; i < K; i++)
                if (frame && l < L) {
                    if (i == k)
                        dnc_closed_term_set_si(t, i, k, 1, 1);
                } else
                    dnc_closed_term_set_si(t, i, k, i == k ? K - 1 : -1, (ulong) K);
    }
    return dnc_closed_point_from_terms(out);
}

/* sigma* of the plain UFM when alive: log(1/c - K + 1), c = sqrt(P). */
static void ce_sigma_ufm(arb_t s, const ce_eq *e, slong prec)
{
    arb_set_fmpq(s, e->P, prec);
    arb_rsqrt(s, s, prec);
    arb_sub_ui(s, s, (ulong) (e->K - 1), prec);
    arb_log(s, s, prec);
}

/* Exact decision of the plain UFM: alive iff P K^2 < 1 (c < 1/K). */
static dnc_alive_t ce_decide_ufm(dnc_closed_t out, const ce_eq *e)
{
    fmpq_t q;
    int s;
    char *t;
    fmpq_init(q);
    fmpq_mul_si(q, e->P, e->K * e->K);
    s = fmpq_cmp_ui(q, 1);
    t = dnc_rational_get_str(q);
    snprintf(out->alive_rule, sizeof(out->alive_rule),
             "alive iff K^2 n lambda_H lambda_W < 1 (phi is convex, phi'(0) = (K-1)(c - 1/K)): %s %s 1%s", t,
             s < 0 ? "<" : s > 0 ? ">" : "=", s == 0 ? " (tie: sigma* = 0)" : "");
    flint_free(t);
    fmpq_clear(q);
    return s < 0 ? DNC_ALIVE : s > 0 ? DNC_DEAD : DNC_TIE;
}

/* Adds the isolating interval [lo, hi] as the ball scalar `name`. */
static void ce_add_root(dnc_closed_t out, const char *name, const arf_t lo, const arf_t hi, slong prec)
{
    arb_t x;
    arb_init(x);
    arb_set_interval_arf(x, lo, hi, prec);
    _dnc_closed_add_ball(out, name, x);
    arb_clear(x);
}

/* The decided comparison in words, with both enclosures' leading digits. */
static void ce_rule_deep(dnc_closed_t out, const arb_t f, const arb_t logk, const ce_eq *e)
{
    char *a = arb_get_str(f, 12, 0), *b = arb_get_str(logk, 12, 0);
    snprintf(out->alive_rule, sizeof(out->alive_rule), "alive iff phi(sigma_2) < log K, sigma_2 the larger of the two "
             "zeros of the strictly convex H(sigma) = log P%s - (M-1) log sigma + (M+1) log(e^sigma + K - 1)%s "
             "(disjoint enclosures): %s %s %s", e->frame ? "_F" : "", e->frame ? ", P_F = P K^L/(K-1)^L" : "", a,
             out->alive == DNC_ALIVE ? "<" : ">", b);
    flint_free(a);
    flint_free(b);
}

/* M >= 2: isolates the zeros, decides phi(sigma_2) against log K, sets out->alive and
 * sigma (the minimiser when alive). Returns 0, or -1 when not proven. */
static int ce_solve_deep(dnc_closed_t out, arb_t sigma, const ce_eq *e, slong prec)
{
    arf_t lo1, hi1, lo2, hi2;
    arb_t f, logk;
    slong wp;
    int n, res = 0;
    arf_init(lo1); arf_init(hi1); arf_init(lo2); arf_init(hi2);
    arb_init(f);
    arb_init(logk);
    n = ce_roots(lo1, hi1, lo2, hi2, e, prec);
    if (n < 0)
        res = -1;
    else if (n == 0) {
        out->alive = DNC_DEAD;
        snprintf(out->alive_rule, sizeof(out->alive_rule), "dead: H(sigma) = log P%s - (M-1) log sigma + (M+1) "
                 "log(e^sigma + K - 1) is proven > 0 on (0, inf) (no stationary point; sigma = 0 is optimal)",
                 e->frame ? "_F" : "");
    } else {
        ce_add_root(out, "sigma_1", lo1, hi1, prec);
        ce_add_root(out, "sigma_2", lo2, hi2, prec);
        arb_set_interval_arf(sigma, lo2, hi2, prec);
        for (wp = prec; wp <= 8 * prec; wp *= 2) {   /* disjoint balls decide */
            ce_phi(f, sigma, e, wp);
            arb_log_ui(logk, (ulong) e->K, wp);
            if (!arb_overlaps(f, logk))
                break;
        }
        out->alive = arb_lt(f, logk) ? DNC_ALIVE : DNC_DEAD;
        res = arb_overlaps(f, logk) ? -1 : 0;
        if (out->alive == DNC_DEAD)
            _dnc_closed_add_ball(out, "f_nonzero", f);
        ce_rule_deep(out, f, logk, e);
    }
    arf_clear(lo1); arf_clear(hi1); arf_clear(lo2); arf_clear(hi2);
    arb_clear(f);
    arb_clear(logk);
    return res;
}

/* The value, the scalars and the point, once alive and sigma are known. */
static int ce_fill(dnc_closed_t out, const arb_t sigma, const ce_eq *e, slong prec)
{
    fmpq_t hidden;
    int res;
    if (out->alive != DNC_ALIVE) {   /* the zero point; log K (a tie has sigma* = 0 too) */
        arb_log_ui(out->loss, (ulong) e->K, prec);
        return _dnc_closed_set_zero_point(out);
    }
    _dnc_closed_add_ball(out, "sigma", sigma);
    ce_phi(out->loss, sigma, e, prec);
    fmpq_init(hidden);   /* the frames: K x_l = (K-1) x_L, so a and s_l (l < L) carry (K-1)/K of tau */
    fmpq_set_si(hidden, e->frame ? e->K - 1 : 1, (ulong) (e->frame ? e->K : 1));
    _dnc_closed_balanced_scales(out, sigma, e->P, hidden, prec);
    fmpq_clear(hidden);
    res = ce_point(out, e->frame);
    return res;
}

static int ce_build(dnc_closed_t out, dnc_problem_t p, slong prec, const char *structure, int frame, char *err,
                    size_t errlen)
{
    ce_eq e;
    arb_t sigma;
    int res = 0;
    dnc_closed_init(out, p, structure, prec);
    if (ce_fits(p, structure, frame, err, errlen))
        return -1;
    ce_eq_init(&e, p, frame);
    arb_init(sigma);
    if (p->L == 1) {
        out->alive = ce_decide_ufm(out, &e);
        if (out->alive == DNC_ALIVE)
            ce_sigma_ufm(sigma, &e, prec + 32);
    } else if (ce_solve_deep(out, sigma, &e, prec) != 0)
        res = dnc_fail(err, errlen, "%s --loss ce: not proven at --prec %ld: the stationary points or the comparison "
                       "with log K could not be decided (an exact tie?); try a higher --prec", structure, (long) prec);
    if (res == 0 && ce_fill(out, sigma, &e, prec) != 0)
        res = dnc_fail(err, errlen, "%s --loss ce: internal error: a term of the point names no scalar", structure);
    arb_clear(sigma);
    ce_eq_clear(&e);
    return res;
}

int dnc_closed_ufm_ce(dnc_closed_t out, dnc_problem_t p, slong prec, char *err, size_t errlen)
{
    if (p->L != 1) {
        dnc_closed_init(out, p, "ufm", prec);
        return dnc_fail(err, errlen, "--L: ufm is the plain UFM, L = 1 (got L = %ld; use deep-linear)", (long) p->L);
    }
    return ce_build(out, p, prec, "ufm", 0, err, errlen);
}

int dnc_closed_deep_linear_ce(dnc_closed_t out, dnc_problem_t p, slong prec, char *err, size_t errlen)
{
    return ce_build(out, p, prec, "deep-linear", 0, err, errlen);
}

int dnc_closed_dnc_ce(dnc_closed_t out, dnc_problem_t p, slong prec, char *err, size_t errlen)
{
    return ce_build(out, p, prec, "dnc", 1, err, errlen);
}

int dnc_closed_ce_root_interval(fmpq_t lo, fmpq_t hi, const arb_t x, dnc_problem_t p, const char *structure,
                                slong prec)
{
    ce_eq e;
    arf_t a, b;
    int ok;
    arf_init(a);
    arf_init(b);
    arb_get_lbound_arf(a, x, ARF_PREC_EXACT);
    arb_get_ubound_arf(b, x, ARF_PREC_EXACT);
    arf_get_fmpq(lo, a);
    arf_get_fmpq(hi, b);
    ce_eq_init(&e, p, strcmp(structure, "dnc") == 0);
    ok = arf_sgn(a) > 0 && arf_cmp(a, b) < 0 && ce_sign(ce_H, a, &e, prec) < 0 && ce_sign(ce_H, b, &e, prec) > 0;
    ce_eq_clear(&e);
    arf_clear(a);
    arf_clear(b);
    return ok;
}
