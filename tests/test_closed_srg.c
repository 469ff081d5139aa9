/* The low-rank competitors: SRG (edges of K_r), its block embedding, and Steiner triple
 * systems. Reference values state their source; "crosscheck" means the closed-form loss
 * overlaps the ball evaluation (dnc_ball_eval, the one objective definition) of the
 * explicit point, with both radii tiny. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "dncert/closed.h"
#include "testutil.h"

#define PREC 256
/* The registry entries of the two designs (closed.h). */
#define SRG dnc_structure_find("srg")
#define STS dnc_structure_find("sts")

/* ---------------------------------------------------------------- helpers */

/* Problem with K classes, n per class, L layers, widths d_l = dh (l < L), d_L = dL. */
static void problem(dnc_problem_t p, slong K, slong n, slong L, slong dh, slong dL,
                    const char *act, const char *lambda)
{
    char sK[32], sn[32], sL[32], w[4096];
    size_t used = 0;
    slong l;
    snprintf(sK, sizeof(sK), "%ld", (long) K);
    snprintf(sn, sizeof(sn), "%ld", (long) n);
    snprintf(sL, sizeof(sL), "%ld", (long) L);
    for (l = 1; l <= L; l++)
        used += (size_t) snprintf(w + used, sizeof(w) - used, "%s%ld", l > 1 ? "," : "",
                                  (long) (l < L ? dh : dL));
    tu_problem(p, sK, sn, sL, w, act, "none", lambda);
}

/* Problem with separate lambda_H and lambda_W lists. */
static void problem_lambdas(dnc_problem_t p, const char *K, const char *n, const char *L,
                            const char *width, const char *lh, const char *lw)
{
    dnc_problem_args a = { 0 };
    char err[512];
    a.K = K; a.n = n; a.L = L; a.width = width; a.activation = "relu"; a.bias = "none";
    a.lambda_h = lh; a.lambda_w = lw;
    dnc_problem_init(p);
    cr_assert_eq(dnc_problem_set_args(p, &a, err, sizeof(err)), 0, "%s", err);
}

/* ball(mid_text) +/- 10^-digits contains x */
static int agrees(const arb_t x, const char *mid, slong digits)
{
    arb_t ref;
    int ok;
    arb_init(ref);
    cr_assert_eq(tu_ref_ball(ref, mid, digits, 4 * PREC), 0);
    ok = arb_contains(ref, x);
    arb_clear(ref);
    return ok;
}

/* The closed-form loss agrees with the ball evaluation of the explicit point: overlap
 * with radii below 2^-(PREC-60) (dnc_closed_crosscheck), re-done here directly. */
static void expect_crosscheck(const dnc_closed_t c, const char *what)
{
    dnc_beval_t e;
    cr_assert(c->has_point, "%s: no point", what);
    dnc_beval_init(e);
    dnc_ball_eval(e, c->point, 0, PREC);
    cr_expect(arb_overlaps(e->loss, c->loss), "%s: closed %s vs ball %s", what,
              arb_get_str(c->loss, 30, 0), arb_get_str(e->loss, 30, 0));
    cr_expect(mag_cmp_2exp_si(arb_radref(e->loss), -180) < 0, "%s: ball radius too big", what);
    cr_expect(mag_cmp_2exp_si(arb_radref(c->loss), -180) < 0, "%s: closed radius too big", what);
    cr_expect(dnc_closed_crosscheck(c, PREC), "%s: dnc_closed_crosscheck", what);
    dnc_beval_clear(e);
}

/* The alive decision agrees with the loss: alive < 1/2, dead/tie = 1/2. */
static void expect_alive_consistent(const dnc_closed_t c, const char *what)
{
    arb_t half;
    arb_init(half);
    arb_set_d(half, 0.5);
    if (c->alive == DNC_ALIVE)
        cr_expect(arb_lt(c->loss, half), "%s: alive but loss not < 1/2", what);
    else
        cr_expect(arb_contains(c->loss, half), "%s: not alive but loss != 1/2", what);
    arb_clear(half);
}

/* P = n lambda^{L+1} for one common lambda. */
static void uniform_P(fmpq_t P, const dnc_problem_t p)
{
    fmpq_set(P, p->lambda_h);
    fmpq_pow_si(P, P, p->L + 1);
    fmpq_mul_si(P, P, p->n[0]);
}

/* Q = P * (num/den) * a^e1 * b^e2 (the spec's closed formulas, written out by hand). */
static void spec_q(fmpq_t Q, const dnc_problem_t p, slong num, slong den, slong a, slong e1,
                   slong b, slong e2)
{
    fmpq_t t;
    fmpq_init(t);
    uniform_P(Q, p);
    fmpq_set_si(t, num, (ulong) den);
    fmpq_mul(Q, Q, t);
    fmpq_set_si(t, a, 1);
    fmpq_pow_si(t, t, e1);
    fmpq_mul(Q, Q, t);
    fmpq_set_si(t, b, 1);
    fmpq_pow_si(t, t, e2);
    fmpq_mul(Q, Q, t);
    fmpq_clear(t);
}

/* ------------------------------------------------------------ combinatorics */

Test(srg_comb, kr_incidence_is_triangular_graph)
{
    slong r;
    for (r = 3; r <= 9; r++) {
        fmpz_mat_t B;
        fmpz_mat_init(B, r, dnc_comb_binom2(r));
        dnc_comb_kr_incidence(B, r);
        cr_expect(dnc_comb_kr_check(B, r), "r = %ld", (long) r);
        /* Tampering is caught: move one endpoint of edge {0,1} to vertex 2 -> {0,2} twice. */
        fmpz_zero(fmpz_mat_entry(B, 1, 0));
        fmpz_one(fmpz_mat_entry(B, 2, 0));
        cr_expect_not(dnc_comb_kr_check(B, r), "tampered r = %ld accepted", (long) r);
        fmpz_mat_clear(B);
    }
}

/* Independent STS check: count every pair of points over the blocks. */
static int pairs_once(const fmpz_mat_t B)
{
    slong v = fmpz_mat_nrows(B), K = fmpz_mat_ncols(B), j, a, b, pts[3], np;
    int *cnt = calloc((size_t) (v * v), sizeof(int)), ok = 1;
    for (j = 0; j < K && ok; j++) {
        for (a = 0, np = 0; a < v; a++)
            if (!fmpz_is_zero(fmpz_mat_entry(B, a, j))) {
                ok = ok && fmpz_is_one(fmpz_mat_entry(B, a, j)) && np < 3;
                if (np < 3)
                    pts[np] = a;
                np++;
            }
        ok = ok && np == 3;
        for (a = 0; a < 3 && ok; a++)
            for (b = a + 1; b < 3; b++)
                cnt[pts[a] * v + pts[b]]++;
    }
    for (a = 0; a < v && ok; a++)
        for (b = a + 1; b < v && ok; b++)
            ok = cnt[a * v + b] == 1;
    free(cnt);
    return ok;
}

Test(srg_comb, sts_bose_and_skolem_are_steiner_systems)
{
    static const slong vs[] = { 7, 9, 13, 15, 19, 21, 25, 27, 31, 33 };
    size_t i;
    for (i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
        slong v = vs[i];
        fmpz_mat_t B;
        fmpz_mat_init(B, v, dnc_comb_sts_nblocks(v));
        cr_assert(dnc_comb_sts_incidence(B, v), "v = %ld", (long) v);
        cr_expect(dnc_comb_sts_check(B), "v = %ld", (long) v);
        cr_expect(pairs_once(B), "v = %ld: some pair not covered exactly once", (long) v);
        /* Tampering is caught: swap two points of the first block's neighbourhood. */
        fmpz_swap(fmpz_mat_entry(B, 0, 0), fmpz_mat_entry(B, v - 1, 0));
        if (!fmpz_equal(fmpz_mat_entry(B, 0, 0), fmpz_mat_entry(B, v - 1, 0)))
            cr_expect_not(dnc_comb_sts_check(B), "tampered v = %ld accepted", (long) v);
        fmpz_mat_clear(B);
    }
}

Test(srg_comb, sts_inadmissible_orders)
{
    slong v;
    for (v = 0; v <= 40; v++)
        cr_expect_eq(dnc_comb_sts_admissible(v), v >= 7 && (v % 6 == 1 || v % 6 == 3), "v = %ld", (long) v);
    {
        fmpz_mat_t B;
        fmpz_mat_init(B, 14, 30);
        cr_expect_not(dnc_comb_sts_incidence(B, 14));
        fmpz_mat_clear(B);
    }
}

/* --------------------------------------------------------- structure facts */

/* Hand derivation (docs/math/srg.md): B^T B - J = B^T (I - J/4) B; B has rank r, and
 * I_r - J/4 is singular exactly at r = 4 (its all-ones eigenvalue 1 - r/4). */
Test(srg_facts, srg_mtilde_rank_and_relu)
{
    slong r, rank;
    fmpq_t h;
    fmpq_init(h);
    for (r = 3; r <= 9; r++) {
        slong K = dnc_comb_binom2(r);
        fmpq_mat_t M;
        fmpq_mat_init(M, K, K);
        cr_assert(dnc_design_mtilde(M, SRG, r, K));
        cr_expect(dnc_comb_mtilde_facts(&rank, h, M), "r = %ld: ReLU(Mtilde) != h I", (long) r);
        cr_expect(fmpq_is_one(h));
        cr_expect_eq(rank, r == 4 ? 3 : r, "r = %ld: rank %ld", (long) r, (long) rank);
        /* entries: 1 on the diagonal, 0 for edges sharing a vertex, -1 for disjoint edges */
        cr_expect(fmpq_is_one(fmpq_mat_entry(M, 0, 0)));
        cr_expect(fmpq_is_zero(fmpq_mat_entry(M, 0, 1)));           /* {0,1} vs {0,2} */
        if (r >= 4)
            cr_expect(fmpq_equal_si(fmpq_mat_entry(M, 0, K - 1), -1)); /* {0,1} vs {r-2,r-1} */
        fmpq_mat_clear(M);
    }
    fmpq_clear(h);
}

/* Same argument with I_v - J/9: STS(9) is the singular case. */
Test(srg_facts, sts_mtilde_rank_and_relu)
{
    static const slong vs[] = { 7, 9, 13, 15 };
    size_t i;
    slong rank;
    fmpq_t h;
    fmpq_init(h);
    for (i = 0; i < 4; i++) {
        slong v = vs[i], K = dnc_comb_sts_nblocks(v);
        fmpq_mat_t M;
        fmpq_mat_init(M, K, K);
        cr_assert(dnc_design_mtilde(M, STS, v, K));
        cr_expect(dnc_comb_mtilde_facts(&rank, h, M));
        cr_expect(fmpq_is_one(h));
        cr_expect_eq(rank, v == 9 ? 8 : v, "v = %ld: rank %ld", (long) v, (long) rank);
        fmpq_mat_clear(M);
    }
    fmpq_clear(h);
}

Test(srg_facts, embedded_mtilde_rank)
{
    slong K, rank;
    fmpq_t h;
    fmpq_init(h);
    for (K = 6; K <= 12; K++) {
        fmpq_mat_t M;
        fmpq_mat_init(M, K, K);
        cr_assert(dnc_design_mtilde(M, SRG, 4, K));
        cr_expect(dnc_comb_mtilde_facts(&rank, h, M));
        cr_expect_eq(rank, 3 + (K - 6), "K = %ld", (long) K);   /* r - 1 at r = 4, plus DNC */
        fmpq_mat_clear(M);
    }
    fmpq_clear(h);
}

/* The explicit point realises the exact pattern: W_{L-1} H_{L-1} of the collapsed point,
 * evaluated in balls, contains (t s_1 ... s_{L-1}) * hscale * Mtilde on the class rows. */
static void expect_point_pattern(const dnc_closed_t c, const fmpq_mat_t M, slong hscale)
{
    const dnc_problem_struct *p = c->p;
    slong L = p->L, l, i, j, K = p->K;
    char name[32];
    arb_mat_t H, T;
    arb_t scale, want;
    arb_init(scale);
    arb_init(want);
    arb_set(scale, dnc_closed_get_scalar(c, "t")->value);
    arb_mat_init(H, p->width[0], K);
    arb_mat_set(H, c->point->H1);
    for (l = 1; l <= L - 1; l++) {
        arb_mat_init(T, p->width[l], K);
        arb_mat_mul(T, c->point->W + l - 1, H, PREC);   /* inputs >= 0: ReLU inactive below L */
        arb_mat_swap(H, T);
        arb_mat_clear(T);
        snprintf(name, sizeof(name), "s_%ld", (long) l);
        arb_mul(scale, scale, dnc_closed_get_scalar(c, name)->value, PREC);
    }
    arb_mul_si(scale, scale, hscale, PREC);
    for (i = 0; i < arb_mat_nrows(H); i++)
        for (j = 0; j < K; j++) {
            if (i < K) {
                arb_set_fmpq(want, fmpq_mat_entry(M, i, j), PREC);
                arb_mul(want, want, scale, PREC);
            } else
                arb_zero(want);
            cr_expect(arb_overlaps(arb_mat_entry(H, i, j), want), "Mtilde_L[%ld,%ld]", (long) i, (long) j);
        }
    arb_mat_clear(H);
    arb_clear(scale);
    arb_clear(want);
}

Test(srg_facts, point_realises_pattern)
{
    dnc_problem_t p;
    dnc_closed_t c;
    fmpq_mat_t M;
    char err[512];
    problem(p, 10, 2, 4, 7, 12, "relu", "0.004");
    cr_assert_eq(dnc_closed_build(c, "srg", p, 5, 0, PREC, err, sizeof(err)), 0, "%s", err);
    fmpq_mat_init(M, 10, 10);
    cr_assert(dnc_design_mtilde(M, SRG, 5, 10));
    expect_point_pattern(c, M, 1);
    fmpq_mat_clear(M);
    dnc_closed_clear(c);
    dnc_problem_clear(p);

    problem(p, 26, 1, 3, 13, 26, "relu", "0.004");
    cr_assert_eq(dnc_closed_build(c, "sts", p, 13, 0, PREC, err, sizeof(err)), 0, "%s", err);
    fmpq_mat_init(M, 26, 26);
    cr_assert(dnc_design_mtilde(M, STS, 13, 26));
    expect_point_pattern(c, M, 2);   /* sts_mtilde is normalised by h = 2 */
    fmpq_mat_clear(M);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* ------------------------------------------------------------------ values */

/* Spec reference (closed-forms.md section 2): r=5 (K=10), n=1, L=4, lambda=0.004:
 * f_SRG = 0.0903502055815790024885...; the 43-digit value below was recomputed
 * independently with mpmath at 60 digits (findroot on (1-c)^5 c^3 = P K^3 r^3 / 2, then
 * (1/2)(1-c)(1+4c)), agreeing with the spec's 22 digits. */
Test(srg_values, spec_reference_r5_L4)
{
    dnc_problem_t p;
    dnc_closed_t c;
    char err[512];
    const dnc_closed_scalar *cs;
    problem(p, 10, 1, 4, 5, 10, "relu", "0.004");
    cr_assert_eq(dnc_closed_build(c, "srg", p, 5, 0, PREC, err, sizeof(err)), 0, "%s", err);
    cr_expect_str_eq(c->structure, "srg");
    cr_expect_eq(c->alive, DNC_ALIVE);
    cr_expect(agrees(c->loss, "0.0903502055815790024885", 22), "%s", arb_get_str(c->loss, 40, 0));
    cr_expect(agrees(c->loss, "0.09035020558157900248852382531929469862862960", 43),
              "%s", arb_get_str(c->loss, 45, 0));
    cs = dnc_closed_get_scalar(c, "c");
    cr_assert(cs != NULL && cs->algebraic);
    cr_expect(dnc_alg_check(cs->alg));
    cr_expect(agrees(cs->value, "0.9627498593868062328247355866981918719876907", 42));
    expect_crosscheck(c, "spec reference");
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* Spec reference f_DNC = 0.0991798746355951938610... for the same problem, by two
 * routes: the DNC construction (dnc.c, other code) and the shared scalar solver; the
 * 43-digit value is mpmath's at 60 digits (findroot on (1-c)^5 c^3 = K^5 P). */
Test(srg_values, spec_reference_dnc)
{
    dnc_problem_t p;
    dnc_closed_t d;
    fmpq_t Q;
    arb_t f;
    char err[512];
    problem(p, 10, 1, 4, 10, 10, "relu", "0.004");
    cr_assert_eq(dnc_closed_dnc(d, p, PREC, err, sizeof(err)), 0, "%s", err);
    cr_expect(agrees(d->loss, "0.0991798746355951938610", 22), "%s", arb_get_str(d->loss, 40, 0));
    fmpq_init(Q);
    arb_init(f);
    spec_q(Q, p, 1, 1, 10, 5, 1, 0);          /* K^{L+1} P */
    cr_assert(dnc_closed_lowrank_fstar(f, Q, 4, PREC));
    cr_expect(agrees(f, "0.09917987463559519386104479579851865113972176", 43), "%s", arb_get_str(f, 40, 0));
    cr_expect(arb_overlaps(f, d->loss));
    fmpq_clear(Q);
    arb_clear(f);
    dnc_closed_clear(d);
    dnc_problem_clear(p);
}

/* Q from the generic norm bookkeeping equals the spec's formulas written by hand. */
Test(srg_values, q_matches_spec_formulas)
{
    dnc_problem_t p;
    fmpq_t Q, want;
    slong r, L, K1, K;
    fmpq_init(Q);
    fmpq_init(want);
    for (r = 3; r <= 6; r++)
        for (L = 2; L <= 5; L++) {
            K1 = dnc_comb_binom2(r);
            /* plain: P K^3 r^{L-1} / 2 */
            problem(p, K1, 3, L, r, K1, "relu", "1/300");
            cr_assert(dnc_design_q(Q, SRG, p, r));
            spec_q(want, p, 1, 2, K1, 3, r, L - 1);
            cr_expect(fmpq_equal(Q, want), "srg r=%ld L=%ld", (long) r, (long) L);
            dnc_problem_clear(p);
            /* embedded in K = K1 + 4: P K^{L+1} r^{L-1} / (2 K1^{L-2}) */
            K = K1 + 4;
            problem(p, K, 3, L, r + 4, K, "relu", "1/300");
            cr_assert(dnc_design_q(Q, SRG, p, r));
            spec_q(want, p, 1, 2, K, L + 1, r, L - 1);
            {
                fmpq_t k1;
                fmpq_init(k1);
                fmpq_set_si(k1, K1, 1);
                fmpq_pow_si(k1, k1, L - 2);
                fmpq_div(want, want, k1);
                fmpq_clear(k1);
            }
            cr_expect(fmpq_equal(Q, want), "srg embedded r=%ld L=%ld", (long) r, (long) L);
            dnc_problem_clear(p);
        }
    /* STS: P K^3 v^{L-2} (v+9) / 12 */
    for (L = 2; L <= 4; L++) {
        slong v = 13;
        K = dnc_comb_sts_nblocks(v);
        problem(p, K, 1, L, v, K, "relu", "0.004");
        cr_assert(dnc_design_q(Q, STS, p, v));
        spec_q(want, p, v + 9, 12, K, 3, v, L - 2);
        cr_expect(fmpq_equal(Q, want), "sts L=%ld", (long) L);
        dnc_problem_clear(p);
    }
    fmpq_clear(Q);
    fmpq_clear(want);
}

/* Crosscheck grid over r, L, n, lambdas (alive and dead) and widths (minimal and larger). */
Test(srg_values, crosscheck_grid, .timeout = 60)
{
    static const char *lambdas[] = { "0.004", "1/1000", "0.05" };
    slong r, L, n, extra;
    size_t il;
    char what[128], err[512];
    int seen_dead = 0, seen_alive = 0;
    for (r = 3; r <= 6; r++)
        for (L = 2; L <= 5; L++)
            for (n = 1; n <= 3; n += 2)
                for (il = 0; il < 3; il++)
                    for (extra = 0; extra <= 2; extra += 2) {
                        dnc_problem_t p;
                        dnc_closed_t c;
                        slong K = dnc_comb_binom2(r);
                        problem(p, K, n, L, r + extra, K + extra, "relu", lambdas[il]);
                        snprintf(what, sizeof(what), "r=%ld L=%ld n=%ld lambda=%s extra=%ld",
                                 (long) r, (long) L, (long) n, lambdas[il], (long) extra);
                        cr_assert_eq(dnc_closed_build(c, "srg", p, r, 0, PREC, err, sizeof(err)), 0, "%s: %s", what, err);
                        expect_crosscheck(c, what);
                        expect_alive_consistent(c, what);
                        seen_dead |= c->alive == DNC_DEAD;
                        seen_alive |= c->alive == DNC_ALIVE;
                        dnc_closed_clear(c);
                        dnc_problem_clear(p);
                    }
    cr_expect(seen_dead && seen_alive, "the grid should cover both decisions");
}

/* Different lambda per layer, and linear activations below layer L-1 (inputs >= 0). */
Test(srg_values, crosscheck_mixed_lambdas_and_activations)
{
    dnc_problem_t p;
    dnc_closed_t c;
    char err[512];
    problem_lambdas(p, "10", "2", "5", "6,5,7,5,11", "1/300", "0.004,1/100,0.002,3/1000,0.005");
    cr_assert_eq(dnc_closed_build(c, "srg", p, 5, 0, PREC, err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(c->alive, DNC_ALIVE);
    expect_crosscheck(c, "mixed lambdas");
    dnc_closed_clear(c);
    dnc_problem_clear(p);

    problem(p, 10, 2, 4, 5, 10, "linear,linear,relu", "0.004");
    cr_assert_eq(dnc_closed_build(c, "srg", p, 5, 0, PREC, err, sizeof(err)), 0, "%s", err);
    expect_crosscheck(c, "linear below L-1");
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* Tie, by hand: with every lambda_W = 1 and lambda_H = 2 T / (n K^3 r^{L-1}),
 * T = (L-1)^{L-1}/L^{2L}, Q equals T exactly, so c* = (L-1)/L and f* = 1/2. */
Test(srg_values, exact_tie)
{
    dnc_problem_t p;
    dnc_closed_t c;
    char err[512];
    arb_t third;
    /* r = 3, K = 3, L = 3, n = 1: T = 4/729, lambda_H = 8/729 / (27 * 9) = 8/177147 */
    problem_lambdas(p, "3", "1", "3", "3", "8/177147", "1");
    cr_assert_eq(dnc_closed_build(c, "srg", p, 3, 0, PREC, err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(c->alive, DNC_TIE, "%s", c->alive_rule);
    arb_init(third);
    arb_set_ui(third, 2);
    arb_div_ui(third, third, 3, PREC);
    cr_expect(arb_overlaps(dnc_closed_get_scalar(c, "c")->value, third));
    expect_alive_consistent(c, "tie");
    expect_crosscheck(c, "tie");
    arb_clear(third);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* -------------------------------------------------------------- embedding */

/* Embedded loss = (K1/K) f*(Q_srg) + (K2/K) f_DNC(K): the DNC block of the embedding is
 * DNC itself per class, so its part is checked against dnc_closed_dnc on the full K. */
Test(srg_embed, crosscheck_K6_to_12_L4, .timeout = 60)
{
    slong K, r;
    char what[96], err[512];
    for (K = 6; K <= 12; K++)
        for (r = 4; r <= 5; r++) {
            slong K1 = dnc_comb_binom2(r), K2 = K - K1;
            dnc_problem_t p, pd;
            dnc_closed_t c, d;
            fmpq_t Q;
            arb_t f, want;
            if (K2 < 0)
                continue;
            snprintf(what, sizeof(what), "K=%ld r=%ld", (long) K, (long) r);
            problem(p, K, 1, 4, r + K2, K, "relu", "0.004");
            cr_assert_eq(dnc_closed_build(c, "srg", p, r, 1, PREC, err, sizeof(err)), 0, "%s: %s", what, err);
            cr_expect_str_eq(c->structure, K2 > 0 ? "srg-embedded" : "srg");
            expect_crosscheck(c, what);
            expect_alive_consistent(c, what);
            problem(pd, K, 1, 4, K, K, "relu", "0.004");
            cr_assert_eq(dnc_closed_dnc(d, pd, PREC, err, sizeof(err)), 0, "%s", err);
            fmpq_init(Q);
            arb_init(f);
            arb_init(want);
            cr_assert(dnc_design_q(Q, SRG, p, r));
            cr_assert(dnc_closed_lowrank_fstar(f, Q, 4, PREC));
            arb_mul_si(want, f, K1, PREC);
            arb_addmul_si(want, d->loss, K2, PREC);
            arb_div_si(want, want, K, PREC);
            cr_expect(arb_overlaps(want, c->loss), "%s: block sum", what);
            /* r^3 < 2 K1^2 at r = 4, 5: the embedding beats DNC, certified both ways */
            cr_expect(dnc_design_beats_dnc(SRG, p, r, 1), "%s", what);
            cr_expect(arb_lt(c->loss, d->loss), "%s: enclosures not disjoint", what);
            if (K2 > 0) {
                cr_expect(dnc_closed_get_scalar(c, "c_srg") != NULL);
                cr_expect(dnc_closed_get_scalar(c, "c_dnc") != NULL);
                cr_expect(dnc_closed_get_scalar(c, "s_dnc_4") != NULL);
            }
            fmpq_clear(Q);
            arb_clear(f);
            arb_clear(want);
            dnc_closed_clear(d);
            dnc_closed_clear(c);
            dnc_problem_clear(pd);
            dnc_problem_clear(p);
        }
}

/* Each block is decided on its own. Hand computation at L = 4: T = 3^3/4^8 = 27/65536
 * ~ 4.12e-4, Q_srg/Q_dnc = r^3/(2 C(r,2)^2) = 125/200 at r = 5.
 * K = 10, lambda = 0.022: Q_dnc = 10^5 0.022^5 ~ 5.15e-4 > T (DNC dead),
 *   Q_srg ~ 3.22e-4 < T (SRG alive): SRG beats DNC, and the zero point.
 * K = 11 (SRG on 10 classes + DNC on 1), lambda = 0.0205: Q_dnc = 11^5 0.0205^5 ~ 5.8e-4
 *   > T (DNC block dead, left at zero), Q_srg ~ 3.6e-4 < T (SRG block alive). */
Test(srg_embed, blocks_decided_separately)
{
    dnc_problem_t p;
    dnc_closed_t c, d;
    char err[512];
    /* K = 10, r = 5: SRG alive while DNC is dead, so SRG beats DNC (and the zero point). */
    problem(p, 10, 1, 4, 10, 10, "relu", "0.022");
    cr_assert_eq(dnc_closed_build(c, "srg", p, 5, 0, PREC, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(dnc_closed_dnc(d, p, PREC, err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(c->alive, DNC_ALIVE);
    cr_expect_eq(d->alive, DNC_DEAD);
    cr_expect(dnc_design_beats_dnc(SRG, p, 5, 0));
    cr_expect(arb_lt(c->loss, d->loss));
    dnc_closed_clear(c);
    dnc_closed_clear(d);
    dnc_problem_clear(p);
    problem(p, 11, 1, 4, 6, 11, "relu", "0.0205");
    cr_assert_eq(dnc_closed_build(c, "srg", p, 5, 1, PREC, err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(c->alive, DNC_ALIVE, "%s", c->alive_rule);
    cr_expect(strstr(c->alive_rule, "srg:") != NULL && strstr(c->alive_rule, "dnc:") != NULL, "%s", c->alive_rule);
    cr_expect(strstr(c->alive_rule, "alive") != NULL && strstr(c->alive_rule, "dead") != NULL, "%s", c->alive_rule);
    cr_expect(dnc_closed_get_scalar(c, "c_srg") != NULL);
    cr_expect(dnc_closed_get_scalar(c, "c_dnc") == NULL);
    expect_crosscheck(c, "one block dead");
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* ------------------------------------------------------------------ order */

/* Spec: at equal c the fit terms are equal, so SRG is strictly better (both alive) iff
 * r^{L-1} < 2 K^{L-2}; the exact Q comparison must say the same. */
Test(srg_order, q_order_is_the_spec_inequality)
{
    slong r, L;
    for (r = 3; r <= 8; r++)
        for (L = 2; L <= 6; L++) {
            dnc_problem_t p;
            fmpq_t Q, QD;
            fmpz_t lhs, rhs;
            slong K = dnc_comb_binom2(r);
            problem(p, K, 1, L, r, K, "relu", "1/100000");
            fmpq_init(Q);
            fmpq_init(QD);
            fmpz_init(lhs);
            fmpz_init(rhs);
            cr_assert(dnc_design_q(Q, SRG, p, r));
            spec_q(QD, p, 1, 1, K, L + 1, 1, 0);
            fmpz_set_si(lhs, r);
            fmpz_pow_ui(lhs, lhs, (ulong) (L - 1));
            fmpz_set_si(rhs, K);
            fmpz_pow_ui(rhs, rhs, (ulong) (L - 2));
            fmpz_mul_2exp(rhs, rhs, 1);
            cr_expect_eq(fmpq_cmp(Q, QD) < 0, fmpz_cmp(lhs, rhs) < 0, "r=%ld L=%ld", (long) r, (long) L);
            /* lambda is small: both alive, so beats <=> the inequality */
            cr_expect_eq(dnc_design_beats_dnc(SRG, p, r, 0), fmpz_cmp(lhs, rhs) < 0, "r=%ld L=%ld", (long) r, (long) L);
            if (L <= 3)
                cr_expect_not(dnc_design_beats_dnc(SRG, p, r, 0), "never for L <= 3");
            if (L >= 4)
                cr_expect_eq(dnc_design_beats_dnc(SRG, p, r, 0), r >= 4, "L >= 4: iff r >= 4");
            fmpq_clear(Q);
            fmpq_clear(QD);
            fmpz_clear(lhs);
            fmpz_clear(rhs);
            dnc_problem_clear(p);
        }
}

/* Helper: SRG (r) or STS (v) against DNC on the same problem, by disjoint enclosures. */
static void order_by_enclosures(slong K, slong L, slong r, slong v, int want_better)
{
    dnc_problem_t p;
    dnc_closed_t c, d;
    char err[512];
    slong dim = r ? r : v;
    problem(p, K, 1, L, K > dim ? K : dim, K, "relu", "0.004");
    if (r)
        cr_assert_eq(dnc_closed_build(c, "srg", p, r, 0, PREC, err, sizeof(err)), 0, "%s", err);
    else
        cr_assert_eq(dnc_closed_build(c, "sts", p, v, 0, PREC, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(dnc_closed_dnc(d, p, PREC, err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(c->alive, DNC_ALIVE);
    cr_expect_eq(d->alive, DNC_ALIVE);
    if (want_better) {
        cr_expect(arb_lt(c->loss, d->loss), "K=%ld L=%ld r=%ld v=%ld", (long) K, (long) L, (long) r, (long) v);
        cr_expect(r ? dnc_design_beats_dnc(SRG, p, r, 0) : dnc_design_beats_dnc(STS, p, v, 0));
    } else {
        cr_expect(arb_lt(d->loss, c->loss), "K=%ld L=%ld r=%ld v=%ld", (long) K, (long) L, (long) r, (long) v);
        cr_expect_not(r ? dnc_design_beats_dnc(SRG, p, r, 0) : dnc_design_beats_dnc(STS, p, v, 0));
    }
    dnc_closed_clear(c);
    dnc_closed_clear(d);
    dnc_problem_clear(p);
}

Test(srg_order, srg_vs_dnc)
{
    order_by_enclosures(10, 4, 5, 0, 1);   /* spec: 0.09035... < 0.09917... */
    order_by_enclosures(10, 3, 5, 0, 0);   /* L = 3: r^2 = 25 >= 2 K = 20 */
    order_by_enclosures(10, 2, 5, 0, 0);
    order_by_enclosures(3, 4, 3, 0, 0);    /* r = 3: 27 >= 2 * 9 */
}

/* Spec: at L = 3 the STS ratio R = (v+9) v / (12 K) is < 1 iff v >= 13. */
Test(srg_order, sts_vs_dnc_L3)
{
    order_by_enclosures(7, 3, 0, 7, 0);
    order_by_enclosures(12, 3, 0, 9, 0);
    order_by_enclosures(26, 3, 0, 13, 1);
    order_by_enclosures(35, 3, 0, 15, 1);
}

/* ------------------------------------------------------------------- STS */

Test(sts_values, crosscheck, .timeout = 60)
{
    static const slong vs[] = { 7, 9, 13, 15, 19, 21 };   /* the issue names 13, 15, 19, 21 */
    size_t i;
    slong L, extra;
    char what[96], err[512];
    for (i = 0; i < sizeof(vs) / sizeof(vs[0]); i++)
        for (L = 3; L <= 4; L++)
            for (extra = 0; extra <= 1; extra++) {
                slong v = vs[i], K = dnc_comb_sts_nblocks(v);
                dnc_problem_t p;
                dnc_closed_t c;
                problem(p, K, 1 + 2 * extra, L, v + extra, K + extra, "relu", "0.004");
                snprintf(what, sizeof(what), "v=%ld L=%ld extra=%ld", (long) v, (long) L, (long) extra);
                cr_assert_eq(dnc_closed_build(c, "sts", p, v, 0, PREC, err, sizeof(err)), 0, "%s: %s", what, err);
                cr_expect_str_eq(c->structure, "sts");
                expect_crosscheck(c, what);
                expect_alive_consistent(c, what);
                dnc_closed_clear(c);
                dnc_problem_clear(p);
            }
}

Test(sts_values, embedded)
{
    dnc_problem_t p;
    dnc_closed_t c;
    char err[512];
    problem(p, 10, 2, 3, 10, 10, "relu", "0.004");   /* STS(7) on 7 classes + DNC on 3 */
    cr_assert_eq(dnc_closed_build(c, "sts", p, 7, 1, PREC, err, sizeof(err)), 0, "%s", err);
    cr_expect_str_eq(c->structure, "sts-embedded");
    cr_expect(dnc_closed_get_scalar(c, "c_sts") != NULL);
    expect_crosscheck(c, "sts embedded");
    dnc_closed_clear(c);
    dnc_problem_clear(p);
}

/* ------------------------------------------------------------------ errors */

static void expect_error(int rc, const char *err, const char *needle)
{
    cr_expect_neq(rc, 0, "accepted (wanted '%s')", needle);
    cr_expect(strstr(err, needle) != NULL, "message '%s' lacks '%s'", err, needle);
}

Test(srg_errors, bad_inputs)
{
    dnc_problem_t p;
    dnc_closed_t c;
    char err[512];
    int rc;
#define TRY_SRG(r, embed, needle) \
    do { err[0] = '\0'; rc = dnc_closed_build(c, "srg", p, r, embed, PREC, err, sizeof(err)); \
         expect_error(rc, err, needle); dnc_closed_clear(c); } while (0)
#define TRY_STS(v, embed, needle) \
    do { err[0] = '\0'; rc = dnc_closed_build(c, "sts", p, v, embed, PREC, err, sizeof(err)); \
         expect_error(rc, err, needle); dnc_closed_clear(c); } while (0)

    problem(p, 12, 1, 4, 12, 12, "relu", "0.004");
    TRY_SRG(2, 0, "--r: must be an integer in [3, 447] (got 2)");
    TRY_SRG(5, 0, "--K: SRG with r = 5 has K = 10 classes (got 12); use --embed to place it in a larger K");
    TRY_SRG(6, 1, "--K: SRG with r = 6 needs K >= 15 classes (got 12)");
    TRY_STS(14, 0, "--v: no Steiner triple system of order 14 exists (need v ≡ 1 or 3 mod 6, v >= 7)");
    TRY_STS(3, 0, "--v: must be an integer in [7, 775] (got 3)");
    TRY_STS(7, 0, "--K: STS(7) has K = 7 classes (got 12); use --embed");
    dnc_problem_clear(p);

    problem(p, 12, 1, 4, 6, 12, "relu", "0.004");     /* needs r + K2 = 5 + 2 = 7 */
    TRY_SRG(5, 1, "--width: SRG with r = 5 embedded in K = 12 needs d_l >= r + (K - 10) = 7 for l = 1..3 (got d_1 = 6)");
    dnc_problem_clear(p);

    tu_problem(p, "10", "1", "4", "5,4,5,10", "relu", "none", "0.004");
    TRY_SRG(5, 0, "--width: SRG with r = 5 needs d_l >= 5 for l = 1..3 (got d_2 = 4)");
    dnc_problem_clear(p);
    tu_problem(p, "10", "1", "4", "5,5,5,9", "relu", "none", "0.004");
    TRY_SRG(5, 0, "--width: SRG with r = 5 needs d_L >= K = 10 (got d_4 = 9)");
    dnc_problem_clear(p);
    tu_problem(p, "10", "1", "1", "10", "relu", "none", "0.004");
    TRY_SRG(5, 0, "--L: SRG with r = 5 needs L >= 2");
    dnc_problem_clear(p);
    tu_problem(p, "10", "1,1,1,1,1,1,1,1,1,2", "4", "10", "relu", "none", "0.004");
    TRY_SRG(5, 0, "--n: SRG with r = 5 needs balanced classes");
    dnc_problem_clear(p);
    tu_problem(p, "10", "1", "4", "10", "relu,relu,linear", "none", "0.004");
    TRY_SRG(5, 0, "--activation: SRG with r = 5 needs ReLU at layer L-1 = 3 (sigma_3 is linear)");
    dnc_problem_clear(p);
    tu_problem(p, "10", "1", "4", "10", "relu", "free", "0.004");
    TRY_SRG(5, 0, "--bias: SRG with r = 5 is a bias-free construction");
    dnc_problem_clear(p);
    tu_problem(p, "26", "1", "3", "12,12,26", "relu", "none", "0.004");
    TRY_STS(13, 0, "--width: STS(13) needs d_l >= 13 for l = 1..2 (got d_1 = 12)");
    dnc_problem_clear(p);
#undef TRY_SRG
#undef TRY_STS
}

/* ------------------------------------------------------------------ registry */

/* Every structure is one registry entry: found by its exact name, listed in order, and
 * (designs) named briefly enough for the embedded scalar names c_<name>, s_<name>_<l>. */
Test(registry, entries_and_lookup)
{
    const dnc_structure *s;
    char list[128], want[128] = "";
    size_t used = 0;
    for (s = dnc_structures; s->name != NULL; s++) {
        cr_expect_eq(dnc_structure_find(s->name), s, "%s", s->name);
        cr_expect((s->design != NULL) == (s->build == NULL), "%s: a design or a builder, not both", s->name);
        if (s->design != NULL) {
            cr_expect(strlen(s->name) <= 7 && s->param != NULL && s->blocks, "%s", s->name);
            cr_expect(s->design->nclass(s->design->pmax) <= DNC_MAX_K, "%s: K_b above DNC_MAX_K", s->name);
        }
        used += (size_t) snprintf(want + used, sizeof(want) - used, "%s%s", used ? ", " : "", s->name);
    }
    cr_expect_str_eq(dnc_structure_list(list, sizeof(list)), want);
    cr_expect_str_eq(want, "dnc, srg, sts, deep-linear, ufm, tirer-bruna");   /* the format's names (§8) */
    cr_expect_null(dnc_structure_find("SRG"));
    cr_expect_null(dnc_structure_find("srg-embedded"));
    cr_expect_null(dnc_structure_find(""));
    cr_expect_null(dnc_structure_find(NULL));
}

/* A design the registry does not have: m disjoint pairs on 2m coordinates (B^T B = 2 I,
 * so (B^T - J/2) B = 2 I - J and ReLU gives I). It needs nothing but this descriptor. */
static int pairs_exists(slong d, char *err, size_t errlen)
{
    if (d % 2 == 0)
        return 1;
    snprintf(err, errlen, "--d: pairs need an even number of coordinates (got %ld)", (long) d);
    return 0;
}

static slong pairs_nclass(slong d)
{
    return d / 2;
}

static int pairs_incidence(fmpz_mat_t B, slong d)
{
    slong k;
    for (k = 0; k < d / 2; k++) {
        fmpz_one(fmpz_mat_entry(B, 2 * k, k));
        fmpz_one(fmpz_mat_entry(B, 2 * k + 1, k));
    }
    return 1;
}

static const dnc_design pairs_design = { 4, 100, pairs_exists, pairs_nclass, pairs_incidence, "pairs on %ld",
                                         "P 2^(L-2) K^(L+2)", "(embedded)" };
static const dnc_structure pairs = { "pairs", "PAIRS", "d", "number of coordinates", 1, &pairs_design, NULL, NULL };

Test(registry, a_new_design_is_one_descriptor)
{
    dnc_problem_t p;
    dnc_closed_t c;
    fmpq_t Q, want;
    char err[512] = "";
    slong L, K = 3;
    fmpq_init(Q);
    fmpq_init(want);
    for (L = 2; L <= 4; L++) {
        problem(p, K, 2, L, 2 * K, K, "relu", "1/50");
        /* Q by hand, as for SRG in docs/math/srg.md: the norm coefficients are
         * n ||B||^2 = 2nK, ||I_2K||^2 = 2K (L-2 times), ||B^T - J/2||^2 = K^2/2, ||I_K||^2 = K,
         * so Q = n lambda^{L+1} 2^{L-2} K^{L+2}. */
        cr_assert(dnc_design_q(Q, &pairs, p, 2 * K));
        spec_q(want, p, 1, 1, 2, L - 2, K, L + 2);
        cr_expect(fmpq_equal(Q, want), "L = %ld: Q", (long) L);
        cr_assert_eq(dnc_design_build(c, &pairs, p, 2 * K, 0, PREC, err, sizeof(err)), 0, "%s", err);
        cr_expect_str_eq(c->structure, "pairs");
        expect_crosscheck(c, "pairs");
        expect_alive_consistent(c, "pairs");
        /* Q is 2^{L-2} K times DNC's, never below it: never proven better. */
        cr_expect_not(dnc_design_beats_dnc(&pairs, p, 2 * K, 0));
        dnc_closed_clear(c);
        dnc_problem_clear(p);
    }
    problem(p, K, 2, 3, 2 * K, K, "relu", "1/50");
    cr_expect_neq(dnc_design_build(c, &pairs, p, 7, 0, PREC, err, sizeof(err)), 0);
    cr_expect(strstr(err, "--d: pairs need an even number") != NULL, "%s", err);
    dnc_closed_clear(c);
    cr_expect_neq(dnc_design_build(c, &pairs, p, 200, 0, PREC, err, sizeof(err)), 0);
    cr_expect(strstr(err, "--d: must be an integer in [4, 100] (got 200)") != NULL, "%s", err);
    dnc_closed_clear(c);
    dnc_problem_clear(p);
    fmpq_clear(Q);
    fmpq_clear(want);
}
