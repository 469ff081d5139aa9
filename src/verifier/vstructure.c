/* The named structures of format §8 and their values, derived from the problem alone.
 * Nothing written in a certificate enters here but the structure's name and its r or v:
 * the blocks, their constants Q, the alive rule, the polynomials, the roots and the value
 * formulas are this file's own (derivations: docs/math/srg.md §1-§5, docs/math/dnc.md,
 * docs/math/deep-linear.md §2-§4). */
#include <stdio.h>
#include <string.h>
#include "verifier.h"

static const char *const names[] = { "dnc", "srg", "sts", "deep-linear", "ufm", "tirer-bruna" };
#define NNAMES 6

int vx_structure_read(vx_ctx *c, const json_t *o, const char *path, vx_structure *s)
{
    const char *name;
    int i;
    if (vx_schema(c, o, path, "name:s r:i? v:i?"))
        return -1;
    name = vx_str(o, "name");
    for (i = 0; i < NNAMES && strcmp(name, names[i]) != 0; i++)
        ;
    if (i == NNAMES)
        return vx_fail(c, "%s.name: unknown structure '%.32s' (dnc, srg, sts, deep-linear, ufm, tirer-bruna)", path, name);
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->r = s->v = 0;
    if ((json_object_get(o, "r") != NULL) != (i == 1) || (json_object_get(o, "v") != NULL) != (i == 2))
        return vx_fail(c, "%s: srg needs \"r\", sts needs \"v\", and no other structure has them", path);
    if (i == 1)
        return vx_int(c, o, path, "r", 3, 1000000, &s->r);
    if (i == 2)
        return vx_int(c, o, path, "v", 7, 1000000, &s->v);
    return 0;
}

const char *vx_structure_str(char *buf, size_t len, const vx_structure *s)
{
    if (s->r)
        snprintf(buf, len, "srg(r=%ld)", (long) s->r);
    else if (s->v)
        snprintf(buf, len, "sts(v=%ld)", (long) s->v);
    else
        snprintf(buf, len, "%s", s->name);
    return buf;
}

int vx_structure_is_lowrank(const vx_structure *s)
{
    return strcmp(s->name, "dnc") == 0 || s->r || s->v;
}

/* Classes of the low-rank block of srg/sts (0 for dnc). */
static slong block_classes(const vx_structure *s)
{
    return s->r ? s->r * (s->r - 1) / 2 : s->v ? s->v * (s->v - 1) / 6 : 0;
}

/* Every width d_lo..d_hi (1-based) is at least m. */
static int widths_at_least(const vx_problem *p, slong lo, slong hi, slong m)
{
    slong l;
    for (l = lo; l <= hi; l++)
        if (p->width[l - 1] < m)
            return 0;
    return 1;
}

static const char *lowrank_unmet(char *buf, size_t len, const vx_problem *p, const vx_structure *s)
{
    slong K1 = block_classes(s), dim = s->r ? s->r : s->v;
    if (!vx_problem_balanced(p) || p->bias)
        return "it needs balanced class counts and no bias";
    if (K1 == 0)
        return widths_at_least(p, 1, p->L, p->K) ? NULL : "it needs every width d_l >= K";
    if (s->v && s->v % 6 != 1 && s->v % 6 != 3)
        return "a Steiner triple system of order v exists only for v = 1 or 3 (mod 6)";
    if (K1 > p->K) {
        snprintf(buf, len, "its block has %ld classes, more than K = %ld", (long) K1, (long) p->K);
        return buf;
    }
    if (p->L < 2 || !p->relu[p->L - 2])
        return "it needs L >= 2 and a ReLU at layer L-1";
    if (!widths_at_least(p, 1, p->L - 1, dim + p->K - K1) || !widths_at_least(p, p->L, p->L, p->K)) {
        snprintf(buf, len, "it needs widths d_1..d_{L-1} >= %ld and d_L >= K", (long) (dim + p->K - K1));
        return buf;
    }
    return NULL;
}

/* §8.3: the CE forms, balanced counts (a bias is free: it changes nothing), widths >= K; dnc
 * (the frames) L >= 2 and any activations, ufm and deep-linear every activation linear. */
static const char *ce_unmet(const vx_problem *p, const vx_structure *s)
{
    slong l;
    int frame = strcmp(s->name, "dnc") == 0;
    if (!vx_problem_balanced(p))
        return "under cross-entropy it needs balanced class counts";
    if (s->r || s->v || strcmp(s->name, "tirer-bruna") == 0)
        return "no cross-entropy value is derived for it";
    if (frame && p->L < 2)
        return "under cross-entropy it needs L >= 2 (orthogonal frames after the hidden layers)";
    if (strcmp(s->name, "ufm") == 0 && p->L != 1)
        return "it needs L = 1";
    for (l = 0; l + 1 < p->L && !frame; l++)
        if (p->relu[l])
            return "it needs every activation linear";
    return widths_at_least(p, 1, p->L, p->K) ? NULL : "under cross-entropy it needs every width d_l >= K";
}

const char *vx_structure_unmet(char *buf, size_t len, const vx_problem *p, const vx_structure *s)
{
    slong dirs = p->K - p->bias, l;
    if (p->ce)
        return ce_unmet(p, s);
    if (vx_structure_is_lowrank(s))
        return lowrank_unmet(buf, len, p, s);
    if (strcmp(s->name, "tirer-bruna") == 0) {
        if (p->L != 2 || p->bias)
            return "it needs L = 2 and no bias";
    } else {
        if (strcmp(s->name, "ufm") == 0 && p->L != 1)
            return "it needs L = 1";
        for (l = 0; l + 1 < p->L; l++)
            if (p->relu[l])
                return "it needs every activation linear";
    }
    if (!widths_at_least(p, 1, p->L, dirs)) {
        snprintf(buf, len, "it needs every width d_l >= %ld (one coordinate per direction)", (long) dirs);
        return buf;
    }
    return NULL;
}

/* ---- the one-parameter family (§8.1) ---- */

/* q *= num^e (any integer e; num != 0 when e < 0). */
static void mul_pow(fmpq_t q, slong num, slong e)
{
    fmpq_t t;
    fmpq_init(t);
    fmpq_set_si(t, num, 1);
    fmpq_pow_si(t, t, e);
    fmpq_mul(q, q, t);
    fmpq_clear(t);
}

slong vx_structure_blocks(vx_block *b, const vx_problem *p, const vx_structure *s)
{
    slong K1 = block_classes(s), L = p->L, nb = 0, i;
    fmpq_t P;
    fmpq_init(P);
    fmpq_mul_si(P, p->lhL, p->n[0]);                 /* P = n lambda_H prod_l lambda_W_l */
    mul_pow(P, p->K, L + 1);                          /* K^(L+1) P: the DNC constant */
    if (K1 > 0) {
        snprintf(b[0].name, sizeof(b[0].name), "%s", s->r ? "srg" : "sts");
        b[0].classes = K1;
        fmpq_init(b[0].Q);
        fmpq_set(b[0].Q, P);
        if (s->r) {        /* K^(L+1) P r^(L-1) / (2 K1^(L-2)) */
            mul_pow(b[0].Q, s->r, L - 1);
            mul_pow(b[0].Q, K1, 2 - L);
            fmpq_div_2exp(b[0].Q, b[0].Q, 1);
        } else {           /* K^(L+1) P v^(L-2) (v+9) / (12 K2^(L-2)) */
            mul_pow(b[0].Q, s->v, L - 2);
            mul_pow(b[0].Q, s->v + 9, 1);
            mul_pow(b[0].Q, K1, 2 - L);
            mul_pow(b[0].Q, 12, -1);
        }
        nb = 1;
    }
    if (K1 < p->K) {
        i = nb++;
        snprintf(b[i].name, sizeof(b[i].name), "dnc");
        b[i].classes = p->K - K1;
        fmpq_init(b[i].Q);
        fmpq_set(b[i].Q, P);
    }
    fmpq_clear(P);
    return nb;
}

void vx_blocks_clear(vx_block *b, slong nb)
{
    slong i;
    for (i = 0; i < nb; i++)
        fmpq_clear(b[i].Q);
}

void vx_alive_threshold(fmpq_t T, slong L)
{
    fmpz_t d;
    fmpz_init(d);
    fmpz_set_si(fmpq_numref(T), L - 1);
    fmpz_pow_ui(fmpq_numref(T), fmpq_numref(T), (ulong) (L - 1));   /* 0^0 = 1 */
    fmpz_set_si(d, L);
    fmpz_pow_ui(fmpq_denref(T), d, (ulong) (2 * L));
    fmpq_canonicalise(T);
    fmpz_clear(d);
}

void vx_block_poly(fmpz_poly_t f, const fmpq_t Q, slong L)
{
    fmpz_poly_t a;
    fmpz_t c0;
    fmpz_poly_init(a);
    fmpz_init(c0);
    fmpz_poly_set_coeff_si(a, 0, 1);
    fmpz_poly_set_coeff_si(a, 1, -1);                 /* 1 - c */
    fmpz_poly_pow(f, a, (ulong) (L + 1));
    fmpz_poly_shift_left(f, f, L - 1);                /* (1 - c)^(L+1) c^(L-1) */
    fmpz_poly_scalar_mul_fmpz(f, f, fmpq_denref(Q));
    fmpz_poly_get_coeff_fmpz(c0, f, 0);
    fmpz_sub(c0, c0, fmpq_numref(Q));
    fmpz_poly_set_coeff_fmpz(f, 0, c0);
    fmpz_poly_clear(a);
    fmpz_clear(c0);
}

typedef struct {
    slong L;
    arb_t Q;
    const fmpq *Qx;        /* Q exactly, for the exact fallback */
    slong prec;
} g_arg;

/* A sign the balls left undecided, exactly when that is cheap: (1-c)^(L+1) c^(L-1) - Q at a
 * rational c (at a rational root, the balls never decide). 2 when too large. */
static int g_sign_exact(const fmpq_t c, const g_arg *a)
{
    fmpq_t y, t;
    int s;
    if ((double) (a->L + 1) * (double) (fmpz_bits(fmpq_numref(c)) + fmpz_bits(fmpq_denref(c)))
        + (double) fmpz_bits(fmpq_denref(a->Qx)) > (double) (1L << 20))
        return 2;
    fmpq_init(y);
    fmpq_init(t);
    fmpq_sub_si(y, c, 1);
    fmpq_neg(y, y);
    fmpq_pow_si(y, y, a->L + 1);
    fmpq_pow_si(t, c, a->L - 1);
    fmpq_mul(y, y, t);
    fmpq_sub(y, y, a->Qx);
    s = fmpq_sgn(y);
    fmpq_clear(y);
    fmpq_clear(t);
    return s;
}

/* Sign of g(c) - Q = (1-c)^(L+1) c^(L-1) - Q at the rational c, in balls (2: undecided). */
static int g_sign(const fmpq_t c, void *varg, slong prec)
{
    g_arg *a = varg;
    arb_t x, y, t;
    int s;
    arb_init(x);
    arb_init(y);
    arb_init(t);
    arb_set_fmpq(x, c, a->prec + 64);
    arb_sub_ui(y, x, 1, a->prec + 64);
    arb_neg(y, y);
    arb_pow_ui(y, y, (ulong) (a->L + 1), a->prec + 64);
    arb_pow_ui(t, x, (ulong) (a->L - 1), a->prec + 64);
    arb_mul(y, y, t, a->prec + 64);
    arb_sub(y, y, a->Q, a->prec + 64);
    s = arb_is_positive(y) ? 1 : arb_is_negative(y) ? -1 : arb_is_zero(y) ? 0 : 2;
    arb_clear(x);
    arb_clear(y);
    arb_clear(t);
    (void) prec;
    return s != 2 ? s : g_sign_exact(c, a);
}

/* phi_L(Q): 1/2 when Q >= T_L; else (1/2)(1 - c)(1 + L c) with c the root of g(c) = Q in
 * ((L-1)/L, 1): g - Q is positive at the left end (g((L-1)/L) = T_L > Q), -Q < 0 at 1, and
 * decreasing in between (g decreases on ((L-1)/(2L), 1)). Bisection in balls, so that the
 * size of Q's numerator and denominator does not matter. */
static void block_value(arb_t v, const fmpq_t Q, slong L, slong prec)
{
    fmpq_t T, lo, hi;
    arb_t c, t;
    g_arg a;
    fmpq_init(T);
    vx_alive_threshold(T, L);
    if (fmpq_cmp(Q, T) >= 0) {
        arb_set_d(v, 0.5);
        fmpq_clear(T);
        return;
    }
    fmpq_init(lo);
    fmpq_init(hi);
    arb_init(c);
    arb_init(t);
    arb_init(a.Q);
    a.L = L;
    a.prec = prec;
    a.Qx = Q;
    arb_set_fmpq(a.Q, Q, prec + 64);
    fmpq_set_si(lo, L - 1, (ulong) L);
    fmpq_one(hi);
    vx_bisect(c, g_sign, &a, lo, hi, 1, prec);
    arb_mul_si(t, c, L, prec);
    arb_add_ui(t, t, 1, prec);
    arb_sub_ui(v, c, 1, prec);
    arb_mul(v, v, t, prec);
    arb_mul_2exp_si(v, v, -1);
    arb_neg(v, v);                                    /* (1/2)(1 - c)(1 + L c) */
    arb_clear(a.Q);
    fmpq_clear(T);
    fmpq_clear(lo);
    fmpq_clear(hi);
    arb_clear(c);
    arb_clear(t);
}

static void lowrank_value(arb_t v, const vx_problem *p, const vx_structure *s, slong prec)
{
    vx_block b[2];
    slong nb = vx_structure_blocks(b, p, s), i;
    arb_t t;
    arb_init(t);
    arb_zero(v);
    for (i = 0; i < nb; i++) {                        /* sum_b (K_b / K) phi_L(Q_b) */
        block_value(t, b[i].Q, p->L, prec);
        arb_mul_si(t, t, b[i].classes, prec);
        arb_div_si(t, t, p->K, prec);
        arb_add(v, v, t, prec);
    }
    arb_clear(t);
    vx_blocks_clear(b, nb);
}

/* ---- deep linear directions (§8.2) ---- */

typedef struct {
    slong M;
    arb_t t, C, lhL;       /* direction weight, C = N lambda_H Lambda, lambda_H Lambda */
    slong prec;
} dir_arg;

/* q(nu) = nu^(M+1) + 2 C nu + C^2 nu^(1-M) - t lambda_H Lambda, convex on nu > 0, of the
 * sign of F_t'(nu) there. */
static void q_eval(arb_t q, const arb_t nu, const dir_arg *a, slong prec)
{
    arb_t x;
    arb_init(x);
    arb_pow_ui(q, nu, (ulong) (a->M + 1), prec);
    arb_mul(x, a->C, nu, prec);
    arb_mul_2exp_si(x, x, 1);
    arb_add(q, q, x, prec);
    arb_pow_ui(x, nu, (ulong) (a->M - 1), prec);
    arb_div(x, a->C, x, prec);
    arb_mul(x, x, a->C, prec);
    arb_add(q, q, x, prec);
    arb_mul(x, a->t, a->lhL, prec);
    arb_sub(q, q, x, prec);
    arb_clear(x);
}

static int q_sign(const fmpq_t nu, void *varg, slong prec)
{
    dir_arg *a = varg;
    arb_t x, q;
    int s;
    arb_init(x);
    arb_init(q);
    arb_set_fmpq(x, nu, a->prec + 64);
    q_eval(q, x, a, a->prec + 64);
    s = arb_is_positive(q) ? 1 : arb_is_negative(q) ? -1 : arb_is_zero(q) ? 0 : 2;
    arb_clear(x);
    arb_clear(q);
    (void) prec;
    return s;
}

/* F_t(nu) = (t/(2N)) C / (nu^M + C) + M nu / 2. */
static void F_eval(arb_t F, const arb_t nu, const arb_t N, const dir_arg *a, slong prec)
{
    arb_t x;
    arb_init(x);
    arb_pow_ui(x, nu, (ulong) a->M, prec);
    arb_add(x, x, a->C, prec);
    arb_div(F, a->C, x, prec);
    arb_mul(F, F, a->t, prec);
    arb_div(F, F, N, prec);
    arb_mul_2exp_si(F, F, -1);
    arb_mul_si(x, nu, a->M, prec);
    arb_mul_2exp_si(x, x, -1);
    arb_add(F, F, x, prec);
    arb_clear(x);
}

/* An exact rational upper bound of the ball x. */
static void upper_q(fmpq_t q, const arb_t x)
{
    arf_t u;
    arf_init(u);
    arb_get_ubound_arf(u, x, ARF_PREC_EXACT);
    arf_get_fmpq(q, u);
    arf_clear(u);
}

/* v <- min over nu >= 0 of F_t(nu). F_t' has the sign of the convex q on nu > 0, so F_t
 * decreases exactly where q < 0, an interval (nu_1, nu_2) around q's minimiser
 * nu_k = ((M-1)C/(M+1))^(1/M) (0 for M = 1), and the minimum is F_t(0) = t/(2N) when q has
 * no negative value, else min(F_t(0), F_t(nu_2)). Returns 0 when a sign is undecided. */
static int direction_value(arb_t v, dir_arg *a, const arb_t N, slong prec)
{
    arb_t nuk, q, nu2, F;
    fmpq_t lo, hi;
    int ok = 1;
    arb_init(nuk);
    arb_init(q);
    arb_init(nu2);
    arb_init(F);
    fmpq_init(lo);
    fmpq_init(hi);
    arb_div(v, a->t, N, prec);
    arb_mul_2exp_si(v, v, -1);                        /* F_t(0) = t / (2N) */
    arb_mul_si(nuk, a->C, a->M - 1, prec);
    arb_div_si(nuk, nuk, a->M + 1, prec);
    arb_root_ui(nuk, nuk, (ulong) a->M, prec);
    if (a->M == 1) {                                  /* q(0) = C^2 - t lambda_H lambda_W */
        arb_mul(q, a->C, a->C, prec);
        arb_submul(q, a->t, a->lhL, prec);
    } else
        q_eval(q, nuk, a, prec);
    if (arb_is_positive(q))
        ;                                             /* F_t increases: the minimum is F_t(0) */
    else if (a->M == 1 && arb_is_negative(q)) {       /* nu_2 = sqrt(t lambda_H lambda_W) - C */
        arb_mul(nu2, a->t, a->lhL, prec);
        arb_sqrt(nu2, nu2, prec);
        arb_sub(nu2, nu2, a->C, prec);
        F_eval(v, nu2, N, a, prec);
    } else {
        arb_get_mid_arb(nu2, nuk);                    /* an exact point where q < 0 */
        arf_get_fmpq(lo, arb_midref(nu2));
        ok = q_sign(lo, a, prec) < 0;
        arb_mul(q, a->t, a->lhL, prec);               /* q > 0 beyond (t lambda_H Lambda)^(1/(M+1)) */
        arb_add_ui(q, q, 1, prec);
        upper_q(hi, q);
        if (ok) {
            vx_bisect(nu2, q_sign, a, lo, hi, -1, prec);
            F_eval(F, nu2, N, a, prec);
            arb_min(v, v, F, prec);
        }
    }
    arb_clear(nuk);
    arb_clear(q);
    arb_clear(nu2);
    arb_clear(F);
    fmpq_clear(lo);
    fmpq_clear(hi);
    return ok;
}

/* psi(mu) = sum_g m_g v_g / (v_g - mu), increasing between its poles (the distinct counts). */
typedef struct {
    slong G;
    const slong *v, *m;
    slong prec;
} psi_arg;

/* psi(mu) exactly when the balls do not decide and the sum is small (at a rational root,
 * such as 5/4 for counts 1, 2, 5, the balls never decide). 2 when too large. */
static int psi_sign_exact(const fmpq_t mu, const psi_arg *a)
{
    fmpq_t s, t;
    slong g;
    int sg;
    if ((double) a->G * (double) (fmpz_bits(fmpq_numref(mu)) + fmpz_bits(fmpq_denref(mu)) + 64) > (double) (1L << 22))
        return 2;
    fmpq_init(s);
    fmpq_init(t);
    for (g = 0; g < a->G; g++) {
        fmpq_set_si(t, a->v[g], 1);
        fmpq_sub(t, t, mu);
        fmpq_inv(t, t);
        fmpq_mul_si(t, t, a->m[g] * a->v[g]);
        fmpq_add(s, s, t);
    }
    sg = fmpq_sgn(s);
    fmpq_clear(s);
    fmpq_clear(t);
    return sg;
}

static int psi_sign(const fmpq_t mu, void *varg, slong prec)
{
    psi_arg *a = varg;
    arb_t x, s, t;
    slong g;
    int sg;
    arb_init(x);
    arb_init(s);
    arb_init(t);
    arb_set_fmpq(x, mu, a->prec + 64);
    for (g = 0; g < a->G; g++) {
        arb_sub_si(t, x, a->v[g], a->prec + 64);
        arb_neg(t, t);
        arb_inv(t, t, a->prec + 64);
        arb_mul_si(t, t, a->m[g] * a->v[g], a->prec + 64);
        arb_add(s, s, t, a->prec + 64);
    }
    sg = arb_is_positive(s) ? 1 : arb_is_negative(s) ? -1 : arb_is_zero(s) ? 0 : 2;
    arb_clear(x);
    arb_clear(s);
    arb_clear(t);
    (void) prec;
    return sg != 2 ? sg : psi_sign_exact(mu, a);
}

static int slong_cmp(const void *x, const void *y)
{
    slong a = *(const slong *) x, b = *(const slong *) y;
    return (a > b) - (a < b);
}

/* The direction weights t with their multiplicities (§8.2): without a bias t = n_k; with a
 * bias m_g - 1 directions t = v_g for each distinct count v_g (m_g classes), and one root of
 * psi in each gap (v_g, v_{g+1}). Returns the number of distinct weights. */
static slong directions(arb_ptr t, slong *mult, const vx_problem *p, slong prec)
{
    slong *v = flint_malloc(p->K * sizeof(slong)), *m = flint_calloc(p->K, sizeof(slong)), G = 0, k, nd = 0;
    psi_arg a;
    fmpq_t lo, hi;
    memcpy(v, p->n, p->K * sizeof(slong));
    qsort(v, (size_t) p->K, sizeof(slong), slong_cmp);
    for (k = 0; k < p->K; k++) {
        if (G == 0 || v[G - 1] != v[k])
            v[G++] = v[k];
        m[G - 1]++;
    }
    for (k = 0; k < G; k++)
        if (m[k] - p->bias > 0) {
            arb_set_si(t + nd, v[k]);
            mult[nd++] = m[k] - p->bias;
        }
    fmpq_init(lo);
    fmpq_init(hi);
    a.G = G, a.v = v, a.m = m, a.prec = prec;
    for (k = 0; p->bias && k + 1 < G; k++) {          /* psi: -inf right of v_k, +inf left of v_{k+1} */
        fmpq_set_si(lo, v[k], 1);
        fmpq_set_si(hi, v[k + 1], 1);
        vx_bisect(t + nd, psi_sign, &a, lo, hi, -1, prec);
        mult[nd++] = 1;
    }
    fmpq_clear(lo);
    fmpq_clear(hi);
    flint_free(v);
    flint_free(m);
    return nd;
}

static int linear_value(arb_t val, const vx_problem *p, slong M, slong prec)
{
    arb_ptr t = _arb_vec_init(p->K);
    slong *mult = flint_malloc(p->K * sizeof(slong)), nd, i;
    dir_arg a;
    arb_t N, x;
    int ok = 1;
    arb_init(a.t);
    arb_init(a.C);
    arb_init(a.lhL);
    arb_init(N);
    arb_init(x);
    arb_set_fmpq(a.lhL, p->lhL, prec);
    arb_set_fmpz(N, p->N);
    arb_mul(a.C, a.lhL, N, prec);                     /* C = N lambda_H Lambda */
    a.M = M;
    a.prec = prec;
    nd = directions(t, mult, p, prec);
    arb_zero(val);
    for (i = 0; i < nd && ok; i++) {
        arb_set(a.t, t + i);
        ok = direction_value(x, &a, N, prec);
        arb_addmul_si(val, x, mult[i], prec);
    }
    _arb_vec_clear(t, p->K);
    flint_free(mult);
    arb_clear(a.t);
    arb_clear(a.C);
    arb_clear(a.lhL);
    arb_clear(N);
    arb_clear(x);
    return ok;
}

int vx_structure_value(arb_t v, const vx_problem *p, const vx_structure *s, slong prec, char *why, size_t len)
{
    char buf[160], name[32];
    const char *unmet = vx_structure_unmet(buf, sizeof(buf), p, s);
    if (unmet != NULL) {
        snprintf(why, len, "structure %s does not exist in this problem: %s", vx_structure_str(name, sizeof(name), s),
                 unmet);
        return 0;
    }
    if (p->ce) {
        if (!vx_ce_value(v, p, s, prec + 32, why, len))
            return 0;
    } else if (vx_structure_is_lowrank(s)) {
        lowrank_value(v, p, s, prec + 32);
    } else if (!linear_value(v, p, strcmp(s->name, "tirer-bruna") == 0 ? 2 : p->L, prec + 32)) {
        snprintf(why, len, "the sign deciding whether a direction of %s is alive could not be decided at %ld bits",
                 s->name, (long) prec);
        return 0;
    }
    arb_set_round(v, v, prec);
    return 1;
}
