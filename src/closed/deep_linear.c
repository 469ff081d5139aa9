/* Global optimum of the deep linear UFM (M = L layers, all activations linear), balanced
 * or imbalanced counts, bias none or free (docs/math/deep-linear.md).
 *
 * The problem splits into independent scalar problems, one per "direction" with weight t:
 *   bias-free: one direction per class, t = n_k, singular vectors e_k;
 *   free bias: the K-1 directions orthogonal to u = (sqrt(n_k/N))_k, t ranging over the
 *     eigenvalues of P D P (D = diag n, P = I - u u^T) on u^perp: a count value shared by
 *     m classes gives t = that count m-1 times (Helmert vectors inside the group), and
 *     the G-1 roots of the reduced secular polynomial S (G distinct counts) give the rest.
 * In each direction nu = lambda_{W_m} s_m^2 is 0 or the largest positive root of
 *   Q_t(nu) = nu^{2M} + 2 C nu^M - t lambda_H Lambda nu^{M-1} + C^2,   C = N lambda_H Lambda,
 * selected by the exact sign of T = (M-1)^{M-1} t^M - M^{2M} N^{M+1} lambda_H Lambda. */
#include <stdio.h>
#include <stdlib.h>
#include <flint/fmpq_poly.h>
#include "dnc_priv.h"

typedef struct {
    slong M, N, prec;
    fmpq_t lam;      /* lambda_H Lambda */
    fmpq_t C;        /* N lambda_H Lambda */
    fmpz_poly_t T;   /* (M-1)^{M-1} t^M - M^{2M} N^{M+1} lambda_H Lambda, denominators cleared */
} dl_ctx;

enum { DIR_CLASS, DIR_HELMERT, DIR_SECULAR };

typedef struct {
    int kind;
    slong value;       /* the shared count (DIR_CLASS, DIR_HELMERT) */
    slong mult;        /* directions in the group */
    dnc_alg_t t;       /* the weight t as an algebraic number */
    dnc_alive_t dec;   /* exact decision of this group's directions */
    int realised;      /* 1: non-zero in the explicit point */
    dnc_alg_t nu;      /* nu* when realised */
    arb_t tb, nub;     /* enclosures of t and nu (when realised) at prec + 32, computed once */
} dl_group;

/* ---- exact polynomials ---- */

static void poly_add_coeff(fmpq_poly_t q, slong i, const fmpq_t c)
{
    fmpq_t old;
    fmpq_init(old);
    fmpq_poly_get_coeff_fmpq(old, q, i);
    fmpq_add(old, old, c);
    fmpq_poly_set_coeff_fmpq(q, i, old);
    fmpq_clear(old);
}

static void dl_ctx_init(dl_ctx *x, const dnc_problem_struct *p, slong prec)
{
    fmpq_poly_t q;
    fmpq_t c;
    fmpz_t z;
    x->M = p->L;
    x->N = p->N;
    x->prec = prec;
    fmpq_init(x->lam);
    fmpq_init(x->C);
    fmpz_poly_init(x->T);
    _dnc_closed_lambda_prod(x->lam, p);
    fmpq_mul(x->lam, x->lam, p->lambda_h);
    fmpq_mul_si(x->C, x->lam, p->N);
    fmpq_poly_init(q);
    fmpq_init(c);
    fmpz_init_set_si(z, x->M - 1);
    fmpz_pow_ui(z, z, (ulong) (x->M - 1));          /* 0^0 = 1 */
    fmpq_poly_set_coeff_fmpz(q, x->M, z);
    fmpz_set_si(z, x->M);
    fmpz_pow_ui(z, z, (ulong) (2 * x->M));
    fmpq_mul_fmpz(c, x->lam, z);
    fmpz_set_si(z, x->N);
    fmpz_pow_ui(z, z, (ulong) (x->M + 1));
    fmpq_mul_fmpz(c, c, z);
    fmpq_neg(c, c);
    poly_add_coeff(q, 0, c);
    dnc_poly_clear_denominators(x->T, q);
    fmpz_clear(z);
    fmpq_clear(c);
    fmpq_poly_clear(q);
}

static void dl_ctx_clear(dl_ctx *x)
{
    fmpq_clear(x->lam);
    fmpq_clear(x->C);
    fmpz_poly_clear(x->T);
}

/* Q_t(nu) = nu^{2M} + 2 C nu^M - t lam nu^{M-1} + C^2 (for M = 1 the last two share nu^0). */
static void dl_Q(fmpz_poly_t f, const fmpq_t t, const dl_ctx *x)
{
    fmpq_poly_t q;
    fmpq_t c;
    fmpq_poly_init(q);
    fmpq_init(c);
    fmpq_poly_set_coeff_si(q, 2 * x->M, 1);
    fmpq_mul_2exp(c, x->C, 1);
    poly_add_coeff(q, x->M, c);
    fmpq_mul(c, x->C, x->C);
    poly_add_coeff(q, 0, c);
    fmpq_mul(c, t, x->lam);
    fmpq_neg(c, c);
    poly_add_coeff(q, x->M - 1, c);
    dnc_poly_clear_denominators(f, q);
    fmpq_clear(c);
    fmpq_poly_clear(q);
}

/* R(nu) = den^d S(num/den) with num = (nu^M + C)^2, den = lam nu^{M-1}, d = deg S: since
 * Q_t = num - t den, the positive roots of R are the nu > 0 with Q_mu(nu) = 0 for a root
 * mu of S. */
static void dl_R(fmpz_poly_t R, const fmpz_poly_t S, const dl_ctx *x)
{
    slong d = fmpz_poly_degree(S), j;
    fmpq_poly_t num, den, acc, term, pw;
    fmpq_t c;
    fmpq_poly_init(num); fmpq_poly_init(den); fmpq_poly_init(acc);
    fmpq_poly_init(term); fmpq_poly_init(pw);
    fmpq_init(c);
    fmpq_poly_set_coeff_si(num, x->M, 1);
    poly_add_coeff(num, 0, x->C);
    fmpq_poly_pow(num, num, 2);
    fmpq_poly_set_coeff_fmpq(den, x->M - 1, x->lam);
    for (j = 0; j <= d; j++) {
        fmpq_poly_pow(term, num, (ulong) j);
        fmpq_poly_pow(pw, den, (ulong) (d - j));
        fmpq_poly_mul(term, term, pw);
        fmpq_set_fmpz(c, S->coeffs + j);
        fmpq_poly_scalar_mul_fmpq(term, term, c);
        fmpq_poly_add(acc, acc, term);
    }
    dnc_poly_clear_denominators(R, acc);
    fmpq_clear(c);
    fmpq_poly_clear(num); fmpq_poly_clear(den); fmpq_poly_clear(acc);
    fmpq_poly_clear(term); fmpq_poly_clear(pw);
}

/* ---- roots ---- */

/* nu2(t) for rational t above the tie threshold (T(t) > 0, M >= 1): the largest positive
 * root of Q_t. For M >= 2, Q_t < 0 exactly between its two positive roots nu1 < nu2, and
 * the maximiser nu_k = ((M-1)C/(M+1))^{1/M} of nu^{M-1}/(nu^M + C)^2 lies between them; a
 * rational lo near nu_k with Q_t(lo) < 0 (checked exactly) therefore separates nu2 from
 * nu1. For M = 1, lo = 0. Above, nu2^{M+1} < t lam gives hi = max(1, t lam).
 * Returns 1 when isolated. */
static int dl_nu_rational(dnc_alg_t nu, const fmpq_t t, const dl_ctx *x)
{
    fmpz_poly_t f;
    fmpq_t lo, hi;
    arb_t b;
    int ok;
    fmpz_poly_init(f);
    fmpq_init(lo);
    fmpq_init(hi);
    arb_init(b);
    dl_Q(f, t, x);
    if (x->M >= 2) {
        fmpq_mul_si(lo, x->C, x->M - 1);
        arb_set_fmpq(b, lo, 128);
        arb_div_si(b, b, x->M + 1, 128);
        arb_root_ui(b, b, (ulong) x->M, 128);
        arf_get_fmpq(lo, arb_midref(b));
    }
    fmpq_mul(hi, t, x->lam);
    if (fmpq_cmp_si(hi, 1) < 0)
        fmpq_one(hi);
    ok = fmpq_cmp(lo, hi) < 0 && dnc_poly_sign_at(f, lo) < 0 && dnc_poly_sign_at(f, hi) > 0
         && dnc_alg_isolate(nu, f, lo, hi);
    arb_clear(b);
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpz_poly_clear(f);
    return ok;
}

/* nu at a tie (M >= 2): stationarity and F(nu) = F(0) together give nu^M = (M-1) C. */
static int dl_nu_tie(dnc_alg_t nu, const dl_ctx *x)
{
    fmpq_poly_t q;
    fmpz_poly_t f;
    fmpq_t c, lo, hi;
    int ok;
    fmpq_poly_init(q);
    fmpz_poly_init(f);
    fmpq_init(c); fmpq_init(lo); fmpq_init(hi);
    fmpq_mul_si(c, x->C, x->M - 1);
    fmpq_neg(c, c);
    fmpq_poly_set_coeff_si(q, x->M, 1);
    fmpq_poly_set_coeff_fmpq(q, 0, c);
    dnc_poly_clear_denominators(f, q);
    fmpq_neg(hi, c);
    fmpq_add_si(hi, hi, 1);   /* hi^M >= hi > (M-1) C */
    ok = dnc_alg_isolate(nu, f, lo, hi);
    fmpq_clear(c); fmpq_clear(lo); fmpq_clear(hi);
    fmpz_poly_clear(f);
    fmpq_poly_clear(q);
    return ok;
}

/* nu2(mu) for an alive root mu of the secular polynomial S. On the alive range nu2(t) is
 * strictly increasing in t (Q_t = num - t den and num/den increases beyond nu_k), so with
 * mu in (a, b), T(a) > 0: nu2(mu) lies in (nu2(a), nu2(b)), and it is a root of R. When R
 * has exactly one root in (lower end of nu2(a), upper end of nu2(b)), that root is nu2(mu).
 * The interval is tightened until the isolation succeeds. Returns 1 when isolated. */
static int dl_nu_secular(dnc_alg_t nu, const dnc_alg_t mu, const fmpz_poly_t S, const dl_ctx *x)
{
    dnc_alg_t m, a, b;
    fmpz_poly_t R;
    slong bits;
    int ok = 0;
    dnc_alg_init(m); dnc_alg_init(a); dnc_alg_init(b);
    fmpz_poly_init(R);
    dl_R(R, S, x);
    dnc_alg_set(m, mu);
    for (bits = 32; bits <= 4096 && !ok; bits *= 2) {
        dnc_alg_refine(m, bits);
        if (dnc_poly_sign_at(x->T, m->lo) <= 0)
            continue;
        if (!dl_nu_rational(a, m->lo, x) || !dl_nu_rational(b, m->hi, x))
            continue;
        dnc_alg_refine(a, bits);
        dnc_alg_refine(b, bits);
        ok = dnc_alg_isolate(nu, R, a->lo, b->hi);
    }
    fmpz_poly_clear(R);
    dnc_alg_clear(m); dnc_alg_clear(a); dnc_alg_clear(b);
    return ok;
}

/* ---- decisions ---- */

static dnc_alive_t dl_tie_or_dead(const dl_ctx *x)
{
    return x->M >= 2 ? DNC_TIE : DNC_DEAD;   /* M = 1: both candidates are nu = 0 */
}

/* Exact decision for a rational weight t: the sign of T(t). */
static dnc_alive_t dl_decide_rational(const fmpq_t t, const dl_ctx *x)
{
    int s = dnc_poly_sign_at(x->T, t);
    return s > 0 ? DNC_ALIVE : (s < 0 ? DNC_DEAD : dl_tie_or_dead(x));
}

/* Exact decision for an algebraic weight mu > 0 (a simple root of its polynomial S):
 * T(mu) = 0 iff gcd(S, T) vanishes at mu, i.e. changes sign across mu's interval; otherwise
 * refining the interval until T has one sign on it terminates (T is increasing for t > 0).
 * Returns -1 if the refinement budget ran out. */
static int dl_decide_alg(dnc_alive_t *dec, const dnc_alg_t mu, const dl_ctx *x)
{
    fmpz_poly_t g;
    dnc_alg_t m;
    slong bits;
    int res = -1;
    fmpz_poly_init(g);
    dnc_alg_init(m);
    fmpz_poly_gcd(g, mu->poly, x->T);
    if (fmpz_poly_degree(g) >= 1 && dnc_poly_sign_at(g, mu->lo) * dnc_poly_sign_at(g, mu->hi) < 0) {
        *dec = dl_tie_or_dead(x);
        res = 0;
    }
    dnc_alg_set(m, mu);
    for (bits = 16; bits <= 16384 && res < 0; bits *= 2) {
        dnc_alg_refine(m, bits);
        if (dnc_poly_sign_at(x->T, m->lo) >= 0)
            *dec = DNC_ALIVE, res = 0;
        else if (dnc_poly_sign_at(x->T, m->hi) <= 0)
            *dec = DNC_DEAD, res = 0;
    }
    dnc_alg_clear(m);
    fmpz_poly_clear(g);
    return res;
}

/* ---- directions ---- */

static int cmp_slong(const void *a, const void *b)
{
    slong x = *(const slong *) a, y = *(const slong *) b;
    return (x > y) - (x < y);
}

/* Distinct counts in increasing order (vals) and how many classes have each (cnt). */
static slong distinct_counts(slong *vals, slong *cnt, const dnc_problem_struct *p)
{
    slong *s = flint_malloc(p->K * sizeof(slong)), k, G = 0;
    for (k = 0; k < p->K; k++)
        s[k] = p->n[k];
    qsort(s, (size_t) p->K, sizeof(slong), cmp_slong);
    for (k = 0; k < p->K; k++) {
        if (G == 0 || s[k] != vals[G - 1]) {
            vals[G] = s[k];
            cnt[G++] = 0;
        }
        cnt[G - 1]++;
    }
    flint_free(s);
    return G;
}

/* S(mu) = sum_g m_g v_g prod_{g' != g} (v_{g'} - mu): the secular polynomial with the
 * repeated factors (v_g - mu)^{m_g - 1} divided out. */
static void secular_poly(fmpz_poly_t S, const slong *vals, const slong *cnt, slong G)
{
    fmpz_poly_t term, lin;
    slong g, h;
    fmpz_poly_init(term);
    fmpz_poly_init(lin);
    fmpz_poly_zero(S);
    for (g = 0; g < G; g++) {
        fmpz_poly_set_si(term, cnt[g] * vals[g]);
        for (h = 0; h < G; h++)
            if (h != g) {
                fmpz_poly_set_coeff_si(lin, 0, vals[h]);
                fmpz_poly_set_coeff_si(lin, 1, -1);
                fmpz_poly_mul(term, term, lin);
            }
        fmpz_poly_add(S, S, term);
    }
    fmpz_poly_clear(term);
    fmpz_poly_clear(lin);
}

/* t = v as an algebraic number: the root of x - v isolated in (v - 1/2, v + 1/2). */
static void alg_set_si(dnc_alg_t a, slong v)
{
    fmpz_poly_t f;
    fmpq_t lo, hi;
    fmpz_poly_init(f);
    fmpq_init(lo);
    fmpq_init(hi);
    fmpz_poly_set_coeff_si(f, 0, -v);
    fmpz_poly_set_coeff_si(f, 1, 1);
    fmpq_set_si(lo, 2 * v - 1, 2);
    fmpq_set_si(hi, 2 * v + 1, 2);
    dnc_alg_isolate(a, f, lo, hi);   /* always succeeds: a linear polynomial */
    fmpz_poly_clear(f);
    fmpq_clear(lo);
    fmpq_clear(hi);
}

static dl_group *group_push(dl_group *gs, slong *ng, int kind, slong value, slong mult)
{
    dl_group *g = gs + (*ng)++;
    g->kind = kind;
    g->value = value;
    g->mult = mult;
    g->realised = 0;
    g->dec = DNC_DEAD;
    dnc_alg_init(g->t);
    dnc_alg_init(g->nu);
    arb_init(g->tb);
    arb_init(g->nub);
    if (kind != DIR_SECULAR)
        alg_set_si(g->t, value);
    return g;
}

/* Builds the direction groups (at most 2K of them). Returns -1 if a secular root could
 * not be isolated. */
static int build_groups(dl_group *gs, slong *ng, fmpz_poly_t S, const dnc_problem_struct *p)
{
    slong *vals = flint_malloc(p->K * sizeof(slong)), *cnt = flint_malloc(p->K * sizeof(slong));
    slong G = distinct_counts(vals, cnt, p), g;
    fmpq_t lo, hi;
    int res = 0;
    fmpq_init(lo);
    fmpq_init(hi);
    *ng = 0;
    for (g = 0; g < G; g++)
        if (p->bias == DNC_BIAS_NONE)
            group_push(gs, ng, DIR_CLASS, vals[g], cnt[g]);
        else if (cnt[g] >= 2)
            group_push(gs, ng, DIR_HELMERT, vals[g], cnt[g] - 1);
    if (p->bias == DNC_BIAS_FREE && G >= 2) {
        /* one simple root of S strictly between consecutive distinct counts */
        secular_poly(S, vals, cnt, G);
        for (g = 0; g + 1 < G && res == 0; g++) {
            dl_group *d = group_push(gs, ng, DIR_SECULAR, 0, 1);
            fmpq_set_si(lo, vals[g], 1);
            fmpq_set_si(hi, vals[g + 1], 1);
            if (!dnc_alg_isolate(d->t, S, lo, hi))
                res = -1;
        }
    }
    fmpq_clear(lo);
    fmpq_clear(hi);
    flint_free(vals);
    flint_free(cnt);
    return res;
}

static void groups_clear(dl_group *gs, slong ng)
{
    slong g;
    for (g = 0; g < ng; g++) {
        dnc_alg_clear(gs[g].t);
        dnc_alg_clear(gs[g].nu);
        arb_clear(gs[g].tb);
        arb_clear(gs[g].nub);
    }
}

/* Decides every group and finds nu* for the alive ones (and the tie value for ties). */
static int solve_groups(dl_group *gs, slong ng, const fmpz_poly_t S, const dl_ctx *x,
                        char *err, size_t errlen)
{
    slong g;
    fmpq_t t;
    int ok = 1;
    fmpq_init(t);
    for (g = 0; g < ng && ok; g++) {
        dl_group *d = gs + g;
        if (d->kind != DIR_SECULAR) {
            fmpq_set_si(t, d->value, 1);
            d->dec = dl_decide_rational(t, x);
        } else if (dl_decide_alg(&d->dec, d->t, x) < 0)
            ok = 0;
        if (!ok || d->dec == DNC_DEAD)
            continue;
        if (d->dec == DNC_TIE)
            ok = dl_nu_tie(d->nu, x);
        else if (d->kind != DIR_SECULAR)
            ok = dl_nu_rational(d->nu, t, x);
        else
            ok = dl_nu_secular(d->nu, d->t, S, x);
    }
    fmpq_clear(t);
    if (!ok)
        return dnc_fail(err, errlen, "deep linear: could not isolate a direction's weight or nu* "
                                "(subdivision or refinement budget exhausted)");
    return 0;
}

/* Marks the realised groups: every alive one (the widths must hold them), then ties while
 * the narrowest width has room (a tie realised as zero has the same loss). */
static int realise_groups(dl_group *gs, slong ng, const dnc_problem_struct *p, char *err, size_t errlen)
{
    slong g, which, dmin = _dnc_closed_min_width(p, &which), r = 0;
    for (g = 0; g < ng; g++)
        if (gs[g].dec == DNC_ALIVE) {
            gs[g].realised = 1;
            r += gs[g].mult;
        }
    if (r > dmin)
        return dnc_fail(err, errlen, "--width: the deep linear point needs every width >= %ld "
                                "(the number of alive directions; d_%ld = %ld)",
                                (long) r, (long) which, (long) dmin);
    for (g = 0; g < ng; g++)
        if (gs[g].dec == DNC_TIE && r + gs[g].mult <= dmin) {
            gs[g].realised = 1;
            r += gs[g].mult;
        }
    return 0;
}

/* ---- loss, scalars, point ---- */

/* One direction's contribution: realised, F(nu) = (t/(2N)) C/(nu^M + C) + M nu/2 (fit plus
 * H1 decay after eliminating H1, plus the balanced weight decays); else t/(2N). */
static void direction_loss(arb_t f, const arb_t t, const arb_t nu, int realised, const dl_ctx *x)
{
    slong prec = x->prec;
    arb_t C, u;
    arb_init(C);
    arb_init(u);
    arb_div_si(f, t, 2 * x->N, prec);
    if (realised) {
        arb_set_fmpq(C, x->C, prec);
        arb_pow_ui(u, nu, (ulong) x->M, prec);
        arb_add(u, u, C, prec);
        arb_div(u, C, u, prec);
        arb_mul(f, f, u, prec);
        arb_mul_si(u, nu, x->M, prec);
        arb_mul_2exp_si(u, u, -1);
        arb_add(f, f, u, prec);
    }
    arb_clear(C);
    arb_clear(u);
}

/* Encloses every t and every realised nu once (interval Newton), at prec + 32. */
static void enclose_groups(dl_group *gs, slong ng, slong prec)
{
    slong g;
    for (g = 0; g < ng; g++) {
        dnc_alg_enclose(gs[g].tb, gs[g].t, prec + 32);
        if (gs[g].realised)
            dnc_alg_enclose(gs[g].nub, gs[g].nu, prec + 32);
    }
}

static void add_scalars_and_loss(dnc_closed_t out, const dl_group *gs, slong ng, const dl_ctx *x)
{
    slong g, prec = x->prec;
    arb_t f;
    char name[32];
    arb_init(f);
    arb_zero(out->loss);
    for (g = 0; g < ng; g++) {
        snprintf(name, sizeof(name), "t_%d", (int) (g + 1));
        _dnc_closed_add_alg(out, name, gs[g].t, gs[g].tb);
        if (gs[g].realised) {
            snprintf(name, sizeof(name), "nu_%d", (int) (g + 1));
            _dnc_closed_add_alg(out, name, gs[g].nu, gs[g].nub);
        }
        direction_loss(f, gs[g].tb, gs[g].nub, gs[g].realised, x);
        arb_mul_si(f, f, gs[g].mult, prec);
        arb_add(out->loss, out->loss, f, prec);
    }
    arb_clear(f);
}

/* ---- the explicit point, as terms (named scalar x exact rational pattern) ----
 *
 * Direction j of a realised group sits at coordinate pos of every hidden width. With unit
 * singular vectors V (right) and U (left) and the balanced scales x = sqrt(nu/lambda_H),
 * s_m = sqrt(nu/lambda_m):  H1[pos, k] = x V_k / sqrt(n_k),  W_m[pos, pos] = s_m (m < M),
 * W_M[:, pos] = s_M U. Entries that are irrational are folded into named ball scalars so
 * that every pattern is rational (docs/math/deep-linear.md, section 6). */

/* Names are "x_<group>_<index>"; group <= 2K and index <= max(K, L) fit in an int. */
static void add_ball2(dnc_closed_t out, char name[32], const char *fmt, slong a, slong b, const arb_t v)
{
    snprintf(name, 32, fmt, (int) a, (int) b);
    _dnc_closed_add_ball(out, name, v);
}

/* x = sqrt(nu/lambda_H), s[m-1] = sqrt(nu/lambda_m). */
static void group_scales(arb_t x, arb_ptr s, const arb_t nu, const dnc_problem_struct *p, slong prec)
{
    slong m;
    arb_t q;
    arb_init(q);
    arb_set_fmpq(q, p->lambda_h, prec);
    arb_div(x, nu, q, prec);
    arb_sqrt(x, x, prec);
    for (m = 0; m < p->L; m++) {
        arb_set_fmpq(q, p->lambda_w + m, prec);
        arb_div(s + m, nu, q, prec);
        arb_sqrt(s + m, s + m, prec);
    }
    arb_clear(q);
}

/* Scalars s_g_m and the identity chain W_m[pos, pos] = s_m (m < M) for the group. */
static void chain_terms(dnc_closed_t out, slong gi, arb_srcptr s, slong pos0, slong mult)
{
    slong m, j;
    char name[32];
    for (m = 1; m <= out->p->L; m++) {
        add_ball2(out, name, "s_%d_%d", gi, m, s + m - 1);
        if (m < out->p->L) {
            dnc_closed_term *t = dnc_closed_add_term(out, m, name);
            for (j = 0; j < mult; j++)
                dnc_closed_term_set_si(t, pos0 + j, pos0 + j, 1, 1);
        }
    }
}

/* Bias-free group of count v: direction j is the j-th class k_j of that count, V = U = e_{k_j}:
 * H1[pos_j, k_j] = x/sqrt(v) (scalar h_g), W_M[k_j, pos_j] = s_M (scalar s_g_M). */
static void class_terms(dnc_closed_t out, const dl_group *g, slong gi, const arb_t x, slong pos0, slong prec)
{
    const dnc_problem_struct *p = out->p;
    dnc_closed_term *t;
    slong k, j;
    char name[32], sname[32];
    arb_t h;
    arb_init(h);
    arb_sqrt_ui(h, (ulong) g->value, prec);
    arb_div(h, x, h, prec);
    snprintf(name, sizeof(name), "h_%d", (int) gi);
    _dnc_closed_add_ball(out, name, h);
    snprintf(sname, sizeof(sname), "s_%d_%d", (int) gi, (int) p->L);
    t = dnc_closed_add_term(out, 0, name);
    for (k = 0, j = 0; k < p->K; k++)
        if (p->n[k] == g->value)
            dnc_closed_term_set_si(t, pos0 + j++, k, 1, 1);
    t = dnc_closed_add_term(out, p->L, sname);
    for (k = 0, j = 0; k < p->K; k++)
        if (p->n[k] == g->value)
            dnc_closed_term_set_si(t, k, pos0 + j++, 1, 1);
    arb_clear(h);
}

/* Repeated count v with a bias: direction j = 1..m-1 has the Helmert vector
 * V = (1, .., 1, -j, 0, ..)/sqrt(j(j+1)) on the group's classes (j ones), and U = V.
 * Scalars h_g_j = x/sqrt(v j(j+1)) and u_g_j = s_M/sqrt(j(j+1)); patterns 1 and -j. */
static void helmert_terms(dnc_closed_t out, const dl_group *g, slong gi, const arb_t x, arb_srcptr s,
                          slong pos0, slong prec)
{
    const dnc_problem_struct *p = out->p;
    slong k, j, i;
    char hn[32], un[32];
    arb_t r, h, u;
    arb_init(r); arb_init(h); arb_init(u);
    for (j = 1; j <= g->mult; j++) {
        dnc_closed_term *th, *tu;
        arb_set_ui(r, (ulong) (j * (j + 1)));
        arb_rsqrt(r, r, prec);
        arb_mul(u, s + p->L - 1, r, prec);
        arb_sqrt_ui(h, (ulong) g->value, prec);
        arb_div(h, r, h, prec);
        arb_mul(h, h, x, prec);
        add_ball2(out, hn, "h_%d_%d", gi, j, h);
        add_ball2(out, un, "u_%d_%d", gi, j, u);
        th = dnc_closed_add_term(out, 0, hn);
        for (k = 0, i = 0; k < p->K && i <= j; k++) {
            if (p->n[k] != g->value)
                continue;
            dnc_closed_term_set_si(th, pos0 + j - 1, k, i < j ? 1 : -j, 1);
            i++;
        }
        tu = dnc_closed_add_term(out, p->L, un);
        for (k = 0, i = 0; k < p->K && i <= j; k++) {
            if (p->n[k] != g->value)
                continue;
            dnc_closed_term_set_si(tu, k, pos0 + j - 1, i < j ? 1 : -j, 1);
            i++;
        }
    }
    arb_clear(r); arb_clear(h); arb_clear(u);
}

/* Secular root mu: V_k = sqrt(n_k)/((n_k - mu) nrm), nrm^2 = sum_k n_k/(n_k - mu)^2, and
 * U = D^{1/2} V/sqrt(mu). Entries depend on k only through n_k = v: scalars
 * h_g_i = x/((v - mu) nrm) and u_g_i = s_M v/((v - mu) nrm sqrt(mu)) for the i-th distinct
 * count v, with 0/1 patterns on the classes of that count. */
static void secular_terms(dnc_closed_t out, const dl_group *g, slong gi, const arb_t x, arb_srcptr s,
                          slong pos, slong prec)
{
    const dnc_problem_struct *p = out->p;
    slong *vals = flint_malloc(p->K * sizeof(slong)), *cnt = flint_malloc(p->K * sizeof(slong));
    slong G = distinct_counts(vals, cnt, p), i, k;
    char hn[32], un[32];
    arb_t mu, nrm, d, h, u;
    arb_init(mu); arb_init(nrm); arb_init(d); arb_init(h); arb_init(u);
    arb_set(mu, g->tb);
    for (k = 0; k < p->K; k++) {
        arb_sub_si(d, mu, p->n[k], prec);
        arb_sqr(d, d, prec);
        arb_ui_div(d, (ulong) p->n[k], d, prec);
        arb_add(nrm, nrm, d, prec);
    }
    arb_sqrt(nrm, nrm, prec);
    for (i = 0; i < G; i++) {
        dnc_closed_term *th, *tu;
        arb_sub_si(d, mu, vals[i], prec);
        arb_neg(d, d);
        arb_mul(d, d, nrm, prec);                    /* (v - mu) nrm */
        arb_div(h, x, d, prec);
        arb_sqrt(u, mu, prec);
        arb_mul(u, u, d, prec);
        arb_div(u, s + p->L - 1, u, prec);
        arb_mul_si(u, u, vals[i], prec);
        add_ball2(out, hn, "h_%d_%d", gi, i + 1, h);
        add_ball2(out, un, "u_%d_%d", gi, i + 1, u);
        th = dnc_closed_add_term(out, 0, hn);   /* filled before the next add_term moves it */
        for (k = 0; k < p->K; k++)
            if (p->n[k] == vals[i])
                dnc_closed_term_set_si(th, pos, k, 1, 1);
        tu = dnc_closed_add_term(out, p->L, un);
        for (k = 0; k < p->K; k++)
            if (p->n[k] == vals[i])
                dnc_closed_term_set_si(tu, k, pos, 1, 1);
    }
    arb_clear(mu); arb_clear(nrm); arb_clear(d); arb_clear(h); arb_clear(u);
    flint_free(vals);
    flint_free(cnt);
}

static int build_point(dnc_closed_t out, const dl_group *gs, slong ng, slong prec)
{
    const dnc_problem_struct *p = out->p;
    slong g, pos = 0, wp = prec + 32;
    arb_ptr s = _arb_vec_init(p->L);
    arb_t x;
    arb_init(x);
    for (g = 0; g < ng; g++) {
        if (!gs[g].realised)
            continue;
        group_scales(x, s, gs[g].nub, p, wp);
        chain_terms(out, g + 1, s, pos, gs[g].mult);
        if (gs[g].kind == DIR_CLASS)
            class_terms(out, gs + g, g + 1, x, pos, wp);
        else if (gs[g].kind == DIR_HELMERT)
            helmert_terms(out, gs + g, g + 1, x, s, pos, wp);
        else
            secular_terms(out, gs + g, g + 1, x, s, pos, wp);
        pos += gs[g].mult;
    }
    arb_clear(x);
    _arb_vec_clear(s, p->L);
    return _dnc_closed_set_zero_point(out);   /* adds b = n/N (optimal: A' u = 0), builds the point */
}

static void set_decision(dnc_closed_t out, const dl_group *gs, slong ng)
{
    slong g, n[3] = { 0, 0, 0 };
    for (g = 0; g < ng; g++)
        n[gs[g].dec] += gs[g].mult;
    out->alive = n[DNC_ALIVE] > 0 ? DNC_ALIVE : (n[DNC_TIE] > 0 ? DNC_TIE : DNC_DEAD);
    snprintf(out->alive_rule, sizeof(out->alive_rule),
             "per direction of weight t: alive iff T = (M-1)^(M-1) t^M - M^(2M) N^(M+1) lambda_H prod lambda_W > 0"
             " (T = 0: tie when M >= 2); %ld alive, %ld tie, %ld dead",
             (long) n[DNC_ALIVE], (long) n[DNC_TIE], (long) n[DNC_DEAD]);
}

int _dnc_closed_deep_linear(dnc_closed_t out, dnc_problem_t p, slong prec, const char *structure,
                            char *err, size_t errlen)
{
    dl_ctx x;
    dl_group *gs;
    fmpz_poly_t S;
    slong ng = 0;
    int res;
    dnc_closed_init(out, p, structure, prec);
    dl_ctx_init(&x, p, prec);
    gs = flint_malloc(2 * p->K * sizeof(dl_group));
    fmpz_poly_init(S);
    res = build_groups(gs, &ng, S, p);
    if (res < 0)
        dnc_fail(err, errlen, "deep linear: could not isolate a root of the secular polynomial");
    if (res == 0)
        res = solve_groups(gs, ng, S, &x, err, errlen);
    if (res == 0)
        res = realise_groups(gs, ng, p, err, errlen);
    if (res == 0) {
        set_decision(out, gs, ng);
        enclose_groups(gs, ng, prec);
        add_scalars_and_loss(out, gs, ng, &x);
        if (build_point(out, gs, ng, prec))
            res = dnc_fail(err, errlen, "deep linear: internal error: a term of the point names no scalar");
    }
    groups_clear(gs, ng);
    flint_free(gs);
    fmpz_poly_clear(S);
    dl_ctx_clear(&x);
    return res;
}

int dnc_closed_deep_linear(dnc_closed_t out, dnc_problem_t p, slong prec, char *err, size_t errlen)
{
    slong l;
    for (l = 1; l < p->L; l++)
        if (p->act[l - 1] != DNC_ACT_LINEAR) {
            dnc_closed_init(out, p, "deep-linear", prec);
            return dnc_fail(err, errlen, "--activation: the deep linear UFM needs every activation "
                                    "linear (sigma_%ld = relu)", (long) l);
        }
    return _dnc_closed_deep_linear(out, p, prec, "deep-linear", err, errlen);
}

int dnc_closed_ufm(dnc_closed_t out, dnc_problem_t p, slong prec, char *err, size_t errlen)
{
    if (p->L != 1) {
        dnc_closed_init(out, p, "ufm", prec);
        return dnc_fail(err, errlen, "--L: the plain UFM has L = 1 (got %ld)", (long) p->L);
    }
    return _dnc_closed_deep_linear(out, p, prec, "ufm", err, errlen);
}
