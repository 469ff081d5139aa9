/* The critical_point claim (format §6.9), checked with the checker's own code: a fixed-pattern
 * evaluation of the objective with tangents (forward over reverse: the gradient of
 * f_0 + sum_e mu_e ubar_e and its derivative along one direction), the rotation generators,
 * and Krawczyk's test on the KKT system bordered by the slice
 *
 *   G(theta, mu, nu) = [ grad f_0 + sum_e mu_e grad ubar_e + S nu ;  ubar_e (e kinks) ;
 *                        S^T (theta - theta0) ],     S = generators at the centre theta0,
 *
 * on the box X = centre + [-2^E, 2^E]^m (nu's centre 0):
 *   K = x0 - Y G(x0) + (I - Y G'(X)) (X - x0) inside the interior of X, Y ~ mid(G'(X))^-1
 * computed here (any Y is sound). Squared-error loss, expanded layout (w_j = 1). */
#include <stdlib.h>
#include <string.h>
#include "verifier.h"

typedef struct {
    const vx_problem *p;
    slong N, L, prec, nb;      /* nb = L + 2 blocks: H1, W_1..W_L, b */
    char **state;              /* state[l] (ReLU layers): 1 active, -1 inactive, 0 kink, 4 dead unit; d_l x N */
    char **dead;               /* dead[l][a]: unit a of layer l is a listed dead unit (l = 1..L) */
    slong n, nf, *fi;          /* parameters; the free ones (all but the dead units') and their indices */
    arb_mat_struct *s, *m, *dm;   /* slopes, seeds, seed directions per layer (index l) */
    arb_mat_struct *pre, *dpre;   /* Htilde_l and its derivative */
    arb_mat_struct *adj;          /* kink_multipliers: dF/dH_l before the slopes (index l), or NULL */
    arb_t fit, reg;
} vk;

/* out <- op(A) op(B) (+ op(dA) op(B) + op(A) op(dB) into dout). */
static void mm(arb_mat_t out, const arb_mat_t A, int ta, const arb_mat_t B, int tb, slong prec)
{
    arb_mat_t a, b;
    arb_mat_init(a, ta ? arb_mat_ncols(A) : arb_mat_nrows(A), ta ? arb_mat_nrows(A) : arb_mat_ncols(A));
    arb_mat_init(b, tb ? arb_mat_ncols(B) : arb_mat_nrows(B), tb ? arb_mat_nrows(B) : arb_mat_ncols(B));
    if (ta) arb_mat_transpose(a, A); else arb_mat_set(a, A);
    if (tb) arb_mat_transpose(b, B); else arb_mat_set(b, B);
    arb_mat_mul(out, a, b, prec);
    arb_mat_clear(a);
    arb_mat_clear(b);
}

static void dmm(arb_mat_t out, arb_mat_t dout, const arb_mat_t A, const arb_mat_t dA, int ta, const arb_mat_t B,
                const arb_mat_t dB, int tb, slong prec)
{
    arb_mat_t t;
    arb_mat_init(t, arb_mat_nrows(out), arb_mat_ncols(out));
    mm(out, A, ta, B, tb, prec);
    mm(dout, dA, ta, B, tb, prec);
    mm(t, A, ta, dB, tb, prec);
    arb_mat_add(dout, dout, t, prec);
    arb_mat_clear(t);
}

/* X <- s .* X (+ m) entrywise. */
static void slope_seed(arb_mat_t X, const arb_mat_t s, const arb_mat_t m, slong prec)
{
    slong i, j;
    for (i = 0; i < arb_mat_nrows(X); i++)
        for (j = 0; j < arb_mat_ncols(X); j++) {
            arb_mul(arb_mat_entry(X, i, j), arb_mat_entry(X, i, j), arb_mat_entry(s, i, j), prec);
            if (m != NULL)
                arb_add(arb_mat_entry(X, i, j), arb_mat_entry(X, i, j), arb_mat_entry(m, i, j), prec);
        }
}

static void sqnorm(arb_t acc, const arb_mat_t X, const fmpq_t lambda, slong prec)
{
    arb_t t, l;
    slong i, j;
    arb_init(t);
    arb_init(l);
    for (i = 0; i < arb_mat_nrows(X); i++)
        for (j = 0; j < arb_mat_ncols(X); j++)
            arb_addmul(t, arb_mat_entry(X, i, j), arb_mat_entry(X, i, j), prec);
    arb_set_fmpq(l, lambda, prec);
    arb_mul(t, t, l, prec);
    arb_mul_2exp_si(t, t, -1);
    arb_add(acc, acc, t, prec);
    arb_clear(t);
    arb_clear(l);
}

/* g <- D H^T + lambda W and its derivative. */
static void wgrad(arb_mat_t g, arb_mat_t dg, const arb_mat_t D, const arb_mat_t dD, const arb_mat_t H,
                  const arb_mat_t dH, const arb_mat_t W, const arb_mat_t dW, const fmpq_t lambda, slong prec)
{
    arb_mat_t t;
    arb_t l;
    arb_init(l);
    arb_set_fmpq(l, lambda, prec);
    arb_mat_init(t, arb_mat_nrows(W), arb_mat_ncols(W));
    dmm(g, dg, D, dD, 0, H, dH, 1, prec);
    arb_mat_scalar_mul_arb(t, W, l, prec);
    arb_mat_add(g, g, t, prec);
    arb_mat_scalar_mul_arb(t, dW, l, prec);
    arb_mat_add(dg, dg, t, prec);
    arb_mat_clear(t);
    arb_clear(l);
}

/* One pass at the blocks x (balls) along the direction dx and the seed direction k->dm:
 * g <- the gradient of f_0 + sum mu_e ubar_e, dg <- its derivative; k->pre, k->dpre; the loss
 * of f_0 into k->fit, k->reg. g, dg: nb blocks of x's shapes, initialised. */
static void pass(vk *k, const arb_mat_struct *x, const arb_mat_struct *dx, arb_mat_struct *g, arb_mat_struct *dg)
{
    slong L = k->L, l, i, j, prec = k->prec;
    arb_mat_struct *H = flint_malloc(2 * (L + 1) * sizeof(arb_mat_struct)), *dH = H + L + 1;
    arb_mat_t R, dR, D, dD, E, dE;
    arb_t invN;
    arb_init(invN);
    arb_mat_init(H + 1, arb_mat_nrows(x), k->N);
    arb_mat_init(dH + 1, arb_mat_nrows(x), k->N);
    arb_mat_set(H + 1, x);
    arb_mat_set(dH + 1, dx);
    for (l = 1; l < L; l++) {
        arb_mat_init(H + l + 1, k->p->width[l], k->N);
        arb_mat_init(dH + l + 1, k->p->width[l], k->N);
        dmm(k->pre + l + 1, k->dpre + l + 1, x + l, dx + l, 0, H + l, dH + l, 0, prec);
        arb_mat_set(H + l + 1, k->pre + l + 1);
        arb_mat_set(dH + l + 1, k->dpre + l + 1);
        if (k->p->relu[l - 1]) {
            slope_seed(H + l + 1, k->s + l + 1, NULL, prec);
            slope_seed(dH + l + 1, k->s + l + 1, NULL, prec);
        }
    }
    arb_mat_init(R, k->p->K, k->N); arb_mat_init(dR, k->p->K, k->N);
    dmm(R, dR, x + L, dx + L, 0, H + L, dH + L, 0, prec);
    for (j = 0; j < k->N; j++)
        for (i = 0; i < k->p->K; i++) {
            if (k->p->bias) {
                arb_add(arb_mat_entry(R, i, j), arb_mat_entry(R, i, j), arb_mat_entry(x + L + 1, i, 0), prec);
                arb_add(arb_mat_entry(dR, i, j), arb_mat_entry(dR, i, j), arb_mat_entry(dx + L + 1, i, 0), prec);
            }
        }
    {   /* the labels of the expanded layout: class by class */
        slong c, col = 0, t;
        for (c = 0; c < k->p->K; c++)
            for (t = 0; t < k->p->n[c]; t++, col++)
                arb_sub_ui(arb_mat_entry(R, c, col), arb_mat_entry(R, c, col), 1, prec);
    }
    arb_zero(k->fit);
    arb_zero(k->reg);
    {
        fmpq_t h;
        fmpq_init(h);
        fmpz_one(fmpq_numref(h));
        fmpz_set(fmpq_denref(h), k->p->N);
        sqnorm(k->fit, R, h, prec);      /* (1/N)/2 ||R||^2 */
        fmpq_clear(h);
    }
    sqnorm(k->reg, x, k->p->lambda_h, prec);
    for (l = 1; l <= L; l++)
        sqnorm(k->reg, x + l, k->p->lambda_w + l - 1, prec);
    arb_set_fmpz(invN, k->p->N);
    arb_inv(invN, invN, prec);
    arb_mat_scalar_mul_arb(R, R, invN, prec);     /* G = R / N */
    arb_mat_scalar_mul_arb(dR, dR, invN, prec);
    for (i = 0; k->p->bias && i < k->p->K; i++) {
        arb_zero(arb_mat_entry(g + L + 1, i, 0));
        arb_zero(arb_mat_entry(dg + L + 1, i, 0));
        for (j = 0; j < k->N; j++) {
            arb_add(arb_mat_entry(g + L + 1, i, 0), arb_mat_entry(g + L + 1, i, 0), arb_mat_entry(R, i, j), prec);
            arb_add(arb_mat_entry(dg + L + 1, i, 0), arb_mat_entry(dg + L + 1, i, 0), arb_mat_entry(dR, i, j), prec);
        }
    }
    wgrad(g + L, dg + L, R, dR, H + L, dH + L, x + L, dx + L, k->p->lambda_w + L - 1, prec);
    arb_mat_init(D, k->p->width[L - 1], k->N); arb_mat_init(dD, k->p->width[L - 1], k->N);
    dmm(D, dD, x + L, dx + L, 1, R, dR, 0, prec);
    for (l = L - 1; l >= 1; l--) {
        if (k->p->relu[l - 1]) {
            if (k->adj != NULL)
                arb_mat_set(k->adj + l + 1, D);
            slope_seed(D, k->s + l + 1, k->m + l + 1, prec);
            slope_seed(dD, k->s + l + 1, k->dm + l + 1, prec);
        }
        wgrad(g + l, dg + l, D, dD, H + l, dH + l, x + l, dx + l, k->p->lambda_w + l - 1, prec);
        arb_mat_init(E, k->p->width[l - 1], k->N); arb_mat_init(dE, k->p->width[l - 1], k->N);
        dmm(E, dE, x + l, dx + l, 1, D, dD, 0, prec);
        arb_mat_swap(D, E); arb_mat_swap(dD, dE);
        arb_mat_clear(E); arb_mat_clear(dE);
    }
    {   /* H1: D + lambda_H H1 */
        arb_t lh;
        arb_init(lh);
        arb_set_fmpq(lh, k->p->lambda_h, prec);
        for (i = 0; i < arb_mat_nrows(x); i++)
            for (j = 0; j < k->N; j++) {
                arb_set(arb_mat_entry(g, i, j), arb_mat_entry(D, i, j));
                arb_addmul(arb_mat_entry(g, i, j), arb_mat_entry(x, i, j), lh, prec);
                arb_set(arb_mat_entry(dg, i, j), arb_mat_entry(dD, i, j));
                arb_addmul(arb_mat_entry(dg, i, j), arb_mat_entry(dx, i, j), lh, prec);
            }
        arb_clear(lh);
    }
    for (l = 1; l <= L; l++) {
        arb_mat_clear(H + l);
        arb_mat_clear(dH + l);
    }
    flint_free(H);
    arb_mat_clear(R); arb_mat_clear(dR); arb_mat_clear(D); arb_mat_clear(dD);
    arb_clear(invN);
}

/* ---- blocks as one vector: H1, W_1..W_L, b, each column-major ---- */

static void blocks_init(vk *k, arb_mat_struct *x)
{
    slong b;
    arb_mat_init(x, k->p->width[0], k->N);
    for (b = 1; b <= k->L; b++)
        arb_mat_init(x + b, vx_out_rows(k->p, b), k->p->width[b - 1]);
    arb_mat_init(x + k->L + 1, k->p->K, k->p->bias ? 1 : 0);
}

static void blocks_clear(vk *k, arb_mat_struct *x)
{
    slong b;
    for (b = 0; b < k->nb; b++)
        arb_mat_clear(x + b);
}

/* v[i] <- a pointer to entry i of the blocks (n entries). */
static slong entries(arb_ptr *v, arb_mat_struct *x, slong nb)
{
    slong b, i, j, n = 0;
    for (b = 0; b < nb; b++)
        for (j = 0; j < arb_mat_ncols(x + b); j++)
            for (i = 0; i < arb_mat_nrows(x + b); i++)
                v[n++] = arb_mat_entry(x + b, i, j);
    return n;
}

/* s <- the generator (l, a, b) at x (l >= 1; l < 0: partial(), below): the rotation A = E_ab - E_ba of units a, b of layer l
 * acting as X -> A X on X = H1 (l = 1) or W_{l-1}, and W_l -> -W_l A. */
static void rotation(vk *k, arb_mat_struct *s, const arb_mat_struct *x, slong l, slong a, slong b)
{
    const arb_mat_struct *in = x + l - 1, *out = x + l;
    arb_mat_struct *sin = s + l - 1, *sout = s + l;
    slong t;
    for (t = 0; t < k->nb; t++)
        arb_mat_zero(s + t);
    for (t = 0; t < arb_mat_ncols(in); t++) {
        arb_set(arb_mat_entry(sin, a, t), arb_mat_entry(in, b, t));
        arb_neg(arb_mat_entry(sin, b, t), arb_mat_entry(in, a, t));
    }
    for (t = 0; t < arb_mat_nrows(out); t++) {
        arb_set(arb_mat_entry(sout, t, a), arb_mat_entry(out, t, b));
        arb_neg(arb_mat_entry(sout, t, b), arb_mat_entry(out, t, a));
    }
}

/* s <- the partial rotation (a, b, j) of column j of H1 at x (format §6.9), on the pattern
 * decided on the box (k->state[2]): R = the live units of layer 2 that see column j (active or
 * kink there; all live units when sigma_1 is linear), F = the other columns some unit of R
 * sees, B = those columns of H1, P = I - B (B^T B)^-1 B^T, S = P (E_ab - E_ba) P; column j of
 * H1 moves by S x_j, row u of W_1 (u in R) by (S w_u^T)^T. 0 when B^T B is not shown
 * invertible (s then indeterminate). */
static int partial(vk *k, arb_mat_struct *s, const arb_mat_struct *x, slong a, slong b, slong j)
{
    slong d = arb_mat_nrows(x), d2 = arb_mat_nrows(x + 1), u, i, t, nc = 0, prec = k->prec;
    char *sees = flint_calloc((size_t) (d2 * k->N) + 1, 1), *inF = flint_calloc((size_t) k->N + 1, 1);
    arb_mat_t B, Bt, G, P, E, S, v, w;
    int ok;
    for (u = 0; u < d2; u++)
        for (i = 0; i < k->N; i++) {
            char st = k->p->relu[0] ? k->state[2][u + d2 * i] : 1;
            sees[u + d2 * i] = !k->dead[2][u] && (st == 1 || st == 0);
        }
    for (u = 0; u < d2; u++)
        for (i = 0; i < k->N; i++)
            if (i != j && sees[u + d2 * j] && sees[u + d2 * i] && !inF[i])
                inF[i] = 1, nc++;
    arb_mat_init(B, d, nc); arb_mat_init(Bt, nc, d); arb_mat_init(G, nc, nc); arb_mat_init(P, d, d);
    arb_mat_init(E, d, d); arb_mat_init(S, d, d); arb_mat_init(v, d, 1); arb_mat_init(w, d, 1);
    for (i = 0, t = 0; i < k->N; i++)
        if (inF[i]) {
            for (u = 0; u < d; u++)
                arb_set(arb_mat_entry(B, u, t), arb_mat_entry(x, u, i));
            t++;
        }
    arb_mat_transpose(Bt, B);
    arb_mat_mul(G, Bt, B, prec);
    ok = arb_mat_inv(G, G, prec);
    arb_mat_mul(B, B, G, prec);       /* P = I - (B G) Bt; B is not read again */
    arb_mat_mul(P, B, Bt, prec);
    arb_mat_neg(P, P);
    for (u = 0; u < d; u++)
        arb_add_ui(arb_mat_entry(P, u, u), arb_mat_entry(P, u, u), 1, prec);
    arb_one(arb_mat_entry(E, a, b));
    arb_set_si(arb_mat_entry(E, b, a), -1);
    arb_mat_mul(E, P, E, prec);
    arb_mat_mul(S, E, P, prec);
    for (t = 0; t < k->nb; t++)
        arb_mat_zero(s + t);
    for (u = 0; u < d; u++)
        arb_set(arb_mat_entry(v, u, 0), arb_mat_entry(x, u, j));
    arb_mat_mul(w, S, v, prec);
    for (u = 0; u < d; u++)
        arb_set(arb_mat_entry(s, u, j), arb_mat_entry(w, u, 0));
    for (i = 0; i < d2; i++) {
        if (!sees[i + d2 * j])
            continue;
        for (u = 0; u < d; u++)
            arb_set(arb_mat_entry(v, u, 0), arb_mat_entry(x + 1, i, u));
        arb_mat_mul(w, S, v, prec);
        for (u = 0; u < d; u++)
            arb_set(arb_mat_entry(s + 1, i, u), arb_mat_entry(w, u, 0));
    }
    if (!ok)
        for (t = 0; t < k->nb; t++)
            arb_mat_indeterminate(s + t);
    arb_mat_clear(B); arb_mat_clear(Bt); arb_mat_clear(G); arb_mat_clear(P);
    arb_mat_clear(E); arb_mat_clear(S); arb_mat_clear(v); arb_mat_clear(w);
    flint_free(sees);
    flint_free(inF);
    return ok;
}

/* Unit u of ReLU layer l is linear on the data (format §6.9): live, and no entry of its row of
 * the pattern decided on the box is negative. */
static int lin_unit(const vk *k, slong l, slong u)
{
    slong r = k->p->width[l - 1], j;
    if (k->dead[l][u] || !k->p->relu[l - 2])
        return 0;
    for (j = 0; j < k->N; j++)
        if (k->state[l][u + r * j] != 1 && k->state[l][u + r * j] != 0)
            return 0;
    return 1;
}

/* Units u and v of ReLU layer l are live and negative on the box in the same columns (format
 * §6.9: the group of a kink rotation; with no negative entry, the units linear on the data). */
static int same_minus(const vk *k, slong l, slong u, slong v)
{
    slong r = k->p->width[l - 1], j;
    if (k->dead[l][u] || k->dead[l][v] || !k->p->relu[l - 2])
        return 0;
    for (j = 0; j < k->N; j++) {
        char su = k->state[l][u + r * j], sv = k->state[l][v + r * j];
        if ((su != 1 && su != 0) != (sv != 1 && sv != 0))
            return 0;
    }
    return 1;
}

/* 1 when the kept-row rule of §6.9 applies to columns j < jj of layer l: no unit linear on the
 * data (lin) is active at both, and T = {kink at j, active at jj}, T' = {active at j, kink at
 * jj} (of such units) are both non-empty. */
static int rule_fires(const vk *k, slong l, const char *lin, slong j, slong jj)
{
    slong r = k->p->width[l - 1], u;
    int both = 0, t = 0, tp = 0;
    const char *st = k->state[l];
    for (u = 0; u < r; u++)
        if (lin[u]) {
            both |= st[u + r * j] == 1 && st[u + r * jj] == 1;
            t |= st[u + r * j] == 0 && st[u + r * jj] == 1;
            tp |= st[u + r * j] == 1 && st[u + r * jj] == 0;
        }
    return !both && t && tp;
}

/* The kink rows of layer l the format keeps (§6.9): every kink (u, j) of a unit linear on the
 * data, less one row per column pair j < j' where rule_fires: the first row of T's rows at j,
 * then T''s at j', neither dropped nor locked; all of them are locked then. keep (d_l x N) <- 1
 * on the kept rows. */
static void kept_rows(const vk *k, slong l, const char *lin, char *keep)
{
    slong r = k->p->width[l - 1], j, jj, u, side;
    char *lock = flint_calloc((size_t) (r * k->N) + 1, 1);
    const char *st = k->state[l];
    for (j = 0; j < k->N; j++) {
        int active = 0;   /* a row of a column where no unit of the group is active is 0 = 0: not kept */
        for (u = 0; u < r; u++)
            active |= lin[u] && st[u + r * j] == 1;
        for (u = 0; u < r; u++)
            keep[u + r * j] = active && lin[u] && st[u + r * j] == 0;
    }
    for (j = 0; j < k->N; j++)
        for (jj = j + 1; jj < k->N; jj++) {
            slong drop = -1;
            if (!rule_fires(k, l, lin, j, jj))
                continue;
            for (side = 0; side < 2; side++) {
                slong c0 = side ? jj : j, c1 = side ? j : jj;
                for (u = 0; u < r; u++)
                    if (lin[u] && st[u + r * c0] == 0 && st[u + r * c1] == 1) {
                        if (drop < 0 && keep[u + r * c0] && !lock[u + r * c0])
                            drop = u + r * c0;
                        lock[u + r * c0] = 1;
                    }
            }
            if (drop >= 0)
                keep[drop] = 0;
        }
    flint_free(lock);
}

/* A (d_l x d_l, initialised) <- the skew matrix on the units of layer l linear on the data
 * whose upper entries are z = C^T (C C^T)^-1 y, C the kept kink rows at x (format §6.9): row
 * (u, j) is sum_v A_uv U_vj over v linear on the data and active at j, U the pre-activations
 * of layer l (slopes of the pattern below, its own kinks and dead units' entries 0). cls = 0
 * (the kink-preserving rotation (a, b)): y = C e, e the upper entries of E_ab - E_ba, and A has
 * e - z; cls = 1 (the class rotation (a, b), columns a, b): y_uj = (U (E_ab - E_ba))_uj and A
 * has z. 0 when C C^T is not shown invertible. */
static int kink_solve(vk *k, const arb_mat_struct *x, slong l, slong a, slong b, int cls, arb_mat_t A)
{
    slong r = k->p->width[l - 1], j, u, v, t, i, nr = 0, np, prec = k->prec;
    slong *pid = flint_malloc((size_t) (r * r + 1) * sizeof(slong));
    char *lin = flint_calloc((size_t) r + 1, 1), *keep = flint_calloc((size_t) (r * k->N) + 1, 1);
    arb_mat_t H, P, C, Ct, M, e, y, z;
    int ok;
    for (u = 0; u < r; u++)   /* the group: a's (kink rotation) or the units linear on the data */
        lin[u] = (char) (cls ? lin_unit(k, l, u) : same_minus(k, l, a, u));
    for (u = 0, np = 0; u < r; u++)     /* the unknowns: A_uv, u < v both in the group */
        for (v = u + 1; v < r; v++)
            pid[u * r + v] = lin[u] && lin[v] ? np++ : -1;
    kept_rows(k, l, lin, keep);
    for (i = 0; i < r * k->N; i++)
        nr += keep[i];
    arb_mat_init(H, arb_mat_nrows(x), k->N);   /* U: the forward pass with the decided slopes */
    arb_mat_set(H, x);
    for (t = 2; t <= l; t++) {
        arb_mat_init(P, k->p->width[t - 1], k->N);
        arb_mat_mul(P, x + t - 1, H, prec);
        for (j = 0; k->p->relu[t - 2] && j < k->N; j++)
            for (u = 0; u < k->p->width[t - 1]; u++) {
                char c = k->state[t][u + k->p->width[t - 1] * j];
                if (t < l ? c != 1 : (c == 0 || c == 4))
                    arb_zero(arb_mat_entry(P, u, j));
            }
        arb_mat_swap(H, P);
        arb_mat_clear(P);
    }
    arb_mat_init(C, nr, np); arb_mat_init(Ct, np, nr); arb_mat_init(M, nr, nr);
    arb_mat_init(e, np, 1); arb_mat_init(y, nr, 1); arb_mat_init(z, np, 1);
    for (j = 0, i = 0; j < k->N; j++)   /* row (u, j): sum_v A_uv U_vj over v active at j */
        for (u = 0; u < r; u++) {
            if (!keep[u + r * j])
                continue;
            for (v = 0; v < r; v++)
                if (v != u && lin[v] && k->state[l][v + r * j] == 1) {
                    arb_ptr c = arb_mat_entry(C, i, u < v ? pid[u * r + v] : pid[v * r + u]);
                    if (u < v)
                        arb_add(c, c, arb_mat_entry(H, v, j), prec);
                    else
                        arb_sub(c, c, arb_mat_entry(H, v, j), prec);
                }
            if (cls && j == a)
                arb_neg(arb_mat_entry(y, i, 0), arb_mat_entry(H, u, b));
            else if (cls && j == b)
                arb_set(arb_mat_entry(y, i, 0), arb_mat_entry(H, u, a));
            i++;
        }
    if (!cls)
        arb_one(arb_mat_entry(e, pid[a * r + b], 0));
    arb_mat_transpose(Ct, C);
    arb_mat_mul(M, C, Ct, prec);
    ok = nr == 0 || arb_mat_inv(M, M, prec);
    if (nr > 0) {
        arb_mat_t w;
        arb_mat_init(w, nr, 1);
        if (!cls)
            arb_mat_mul(y, C, e, prec);
        arb_mat_mul(w, M, y, prec);
        arb_mat_mul(z, Ct, w, prec);
        if (cls)
            arb_mat_set(e, z);
        else
            arb_mat_sub(e, e, z, prec);
        arb_mat_clear(w);
    }
    arb_mat_zero(A);
    for (u = 0; u < r; u++)
        for (v = u + 1; v < r; v++)
            if (pid[u * r + v] >= 0) {
                arb_set(arb_mat_entry(A, u, v), arb_mat_entry(e, pid[u * r + v], 0));
                arb_neg(arb_mat_entry(A, v, u), arb_mat_entry(e, pid[u * r + v], 0));
            }
    arb_mat_clear(H); arb_mat_clear(C); arb_mat_clear(Ct); arb_mat_clear(M);
    arb_mat_clear(e); arb_mat_clear(y); arb_mat_clear(z);
    flint_free(pid);
    flint_free(lin);
    flint_free(keep);
    return ok;
}

/* s <- the kink-preserving rotation (l, a, b) at x (format §6.9): A = E - Z, the skew matrix on
 * the units linear on the data nearest to E = E_ab - E_ba whose kept kink rows (A U)_uj vanish
 * (kink_solve); W_{l-1} moves by A W_{l-1} and W_l by -W_l A. Indeterminate when C C^T is not
 * shown invertible. */
static int kink_rotation(vk *k, arb_mat_struct *s, const arb_mat_struct *x, slong l, slong a, slong b)
{
    slong r = k->p->width[l - 1], t;
    arb_mat_t A;
    int ok;
    arb_mat_init(A, r, r);
    ok = kink_solve(k, x, l, a, b, 0, A);
    for (t = 0; t < k->nb; t++)
        arb_mat_zero(s + t);
    arb_mat_mul(s + l - 1, A, x + l - 1, k->prec);
    arb_mat_mul(s + l, x + l, A, k->prec);
    arb_mat_neg(s + l, s + l);
    if (!ok)
        for (t = 0; t < k->nb; t++)
            arb_mat_indeterminate(s + t);
    arb_mat_clear(A);
    return ok;
}

/* s <- the class rotation (a, b) at x (format §6.9; n_c = 1, no bias: column j of H1 is class
 * j): A = E_ab - E_ba (K x K), B_l (d_l x d_l) = kink_solve's skew matrix with rhs U A for the
 * ReLU layers l >= 2, 0 for the others; H1 moves by -H1 A, W_{l-1} by B_l W_{l-1} - W_{l-1}
 * B_{l-1} (2 <= l <= L), W_L by A W_L - W_L B_L. Indeterminate when some C C^T is not shown
 * invertible. */
static int class_rotation(vk *k, arb_mat_struct *s, const arb_mat_struct *x, slong a, slong b)
{
    slong L = k->L, l, t, K = k->p->K, prec = k->prec;
    arb_mat_struct *B = flint_malloc((L + 1) * sizeof(arb_mat_struct));
    arb_mat_t A, T;
    int ok = 1;
    for (t = 0; t < k->nb; t++)
        arb_mat_zero(s + t);
    for (l = 1; l <= L; l++) {
        arb_mat_init(B + l, k->p->width[l - 1], k->p->width[l - 1]);
        if (l >= 2 && k->p->relu[l - 2] && !kink_solve(k, x, l, a, b, 1, B + l))
            ok = 0;
    }
    arb_mat_init(A, K, K);
    arb_one(arb_mat_entry(A, a, b));
    arb_set_si(arb_mat_entry(A, b, a), -1);
    arb_mat_mul(s, x, A, prec);
    arb_mat_neg(s, s);
    for (l = 2; l <= L + 1; l++) {   /* W_{l-1}: (B_l or A) W_{l-1} - W_{l-1} B_{l-1} */
        arb_mat_init(T, arb_mat_nrows(x + l - 1), arb_mat_ncols(x + l - 1));
        arb_mat_mul(s + l - 1, l <= L ? B + l : A, x + l - 1, prec);
        arb_mat_mul(T, x + l - 1, B + l - 1, prec);
        arb_mat_sub(s + l - 1, s + l - 1, T, prec);
        arb_mat_clear(T);
    }
    if (!ok)
        for (t = 0; t < k->nb; t++)
            arb_mat_indeterminate(s + t);
    for (l = 1; l <= L; l++)
        arb_mat_clear(B + l);
    flint_free(B);
    arb_mat_clear(A);
    return ok;
}

/* s <- generator (l, a, b): a rotation (1 <= l < VX_KINK_ROTATION), the partial rotation (a, b, -1 - l),
 * the kink-preserving rotation (l - VX_KINK_ROTATION, a, b) or the class rotation (a, b) (l = VX_CLASS_ROTATION). */
static void generator(vk *k, arb_mat_struct *s, const arb_mat_struct *x, slong l, slong a, slong b)
{
    if (l == VX_CLASS_ROTATION)
        class_rotation(k, s, x, a, b);
    else if (l >= VX_KINK_ROTATION)
        kink_rotation(k, s, x, l - VX_KINK_ROTATION, a, b);
    else if (l >= 1)
        rotation(k, s, x, l, a, b);
    else
        partial(k, s, x, a, b, -1 - l);
}

/* S (nf x q) <- the generators at x, their entries of the free parameters (they must be 0 in
 * the dead units' parameters, which are 0 in x and which no generator rotates: checked, a
 * column that is not is indeterminate). n: all
 * parameters. (Not n x q: with many dead parameters that matrix is far larger than the m x m
 * system the work estimate of §9 counts.) */
static void generators(vk *k, arb_mat_t S, const arb_mat_struct *x, const slong *gen, slong q, slong n)
{
    arb_mat_struct *s = flint_malloc(k->nb * sizeof(arb_mat_struct));
    arb_ptr *v = flint_malloc(n * sizeof(arb_ptr));
    slong j, i;
    blocks_init(k, s);
    entries(v, s, k->nb);
    for (j = 0; j < q; j++) {
        slong t = 0;
        int zero = 1;
        generator(k, s, x, gen[3 * j], gen[3 * j + 1], gen[3 * j + 2]);
        for (i = 0; i < n; i++)   /* the slice lives on the free parameters: the rest must be exactly 0 */
            if (t < k->nf && k->fi[t] == i)
                t++;
            else if (!arb_is_zero(v[i]))
                zero = 0;
        for (i = 0; i < k->nf; i++)
            if (zero)
                arb_set(arb_mat_entry(S, i, j), v[k->fi[i]]);
            else
                arb_indeterminate(arb_mat_entry(S, i, j));
    }
    blocks_clear(k, s);
    flint_free(s);
    flint_free(v);
}

/* The pattern over the box x: kinks as listed, every other ReLU entry of strictly decided
 * sign (slope 1 if positive, 0 if negative), layer by layer. 1, or 0 with why. */
static int decide_pattern(vk *k, const arb_mat_struct *x, const slong *kink, slong nk, char *why, size_t len)
{
    arb_mat_t H, P;
    slong l, i, j, e;
    int ok = 1;
    arb_mat_init(H, arb_mat_nrows(x), k->N);
    arb_mat_set(H, x);
    for (l = 2; l <= k->L && ok; l++) {
        slong r = k->p->width[l - 1];
        arb_mat_init(P, r, k->N);
        arb_mat_mul(P, x + l - 1, H, k->prec);
        if (k->p->relu[l - 2]) {
            memset(k->state[l], 2, (size_t) (r * k->N));
            for (j = 0; j < k->N; j++)
                for (i = 0; i < r; i++)
                    if (k->dead[l][i])
                        k->state[l][i + r * j] = 4;
            for (e = 0; e < nk; e++)
                if (kink[3 * e] == l)
                    k->state[l][kink[3 * e + 1] + r * kink[3 * e + 2]] = 0;
            for (j = 0; j < k->N; j++)
                for (i = 0; i < r; i++) {
                    char *st = k->state[l] + i + r * j;
                    arb_ptr u = arb_mat_entry(P, i, j);
                    if (*st == 2)
                        *st = arb_is_positive(u) ? 1 : arb_is_negative(u) ? -1 : 3;
                    if (*st == 4 && !arb_is_zero(u) && ok) {
                        snprintf(why, len, "the pre-activation [%ld, %ld, %ld] of a dead unit is not 0 on the box",
                                 (long) l, (long) i, (long) j);
                        ok = 0;
                    }
                    if (*st == 3 && ok) {
                        snprintf(why, len, "the pre-activation [%ld, %ld, %ld] is not a listed kink and its sign is "
                                 "not decided on the box", (long) l, (long) i, (long) j);
                        ok = 0;
                    }
                    arb_set_si(arb_mat_entry(k->s + l, i, j), *st == 1);
                }
            arb_mat_set(k->pre + l, P);   /* for the implied kinks' rules (implied_ok) */
            slope_seed(P, k->s + l, NULL, k->prec);
        }
        arb_mat_swap(H, P);
        arb_mat_clear(P);
    }
    arb_mat_clear(H);
    return ok;
}

/* 1 when units a and b of layer l have the same pattern (always around H1 and linear layers);
 * for a partial rotation (l < 0): when a and b are live units of layer 1; for a kink-preserving
 * rotation: when both are linear on the data. */
static int same_rows(const vk *k, slong l, slong a, slong b)
{
    slong j, r;
    if (l < 0)
        return k->L >= 2 && !k->dead[1][a] && !k->dead[1][b];
    if (l >= VX_KINK_ROTATION)
        return same_minus(k, l - VX_KINK_ROTATION, a, b);
    if (k->dead[l][a] || k->dead[l][b])
        return 0;
    if (l == 1 || !k->p->relu[l - 2])
        return 1;
    r = k->p->width[l - 1];
    for (j = 0; j < k->N; j++)
        if (k->state[l][a + r * j] != k->state[l][b + r * j])
            return 0;
    return 1;
}

/* 1 when the class rotation (a, b), class_rotations[i] in the file, is a symmetry on the pattern
 * decided on the box (format §6.9, check 3): one sample per class, no bias, and for every ReLU
 * layer l >= 2 (i) no live unit negative in column a or b, (ii) a live unit not linear on the
 * data has a kink in column a iff in column b, (iii) no column pair where the kept-row rule
 * applies involves a or b, (iv) where no unit linear on the data is active in column a (b),
 * such a unit with a kink there has one in column b (a) too. 0 with why otherwise. */
static int class_ok(const vk *k, const char *name, slong a, slong b, char *why, size_t len)
{
    slong l, u, j, jj, c, r;
    int ok = 1;
    char *lin;
    for (c = 0; c < k->p->K; c++)
        ok &= k->p->n[c] == 1;
    if (!ok || k->p->bias || k->N != k->p->K) {
        snprintf(why, len, "%s = [%ld, %ld]: needs one sample per class and no bias", name,
                 (long) a, (long) b);
        return 0;
    }
    for (l = 2; l <= k->L && ok; l++) {
        if (!k->p->relu[l - 2])
            continue;
        r = k->p->width[l - 1];
        lin = flint_calloc((size_t) r + 1, 1);
        int act_a = 0, act_b = 0;
        for (u = 0; u < r; u++) {
            lin[u] = (char) lin_unit(k, l, u);
            act_a |= lin[u] && k->state[l][u + r * a] == 1;
            act_b |= lin[u] && k->state[l][u + r * b] == 1;
        }
        for (u = 0; u < r && ok; u++) {
            char sa = k->state[l][u + r * a], sb = k->state[l][u + r * b];
            if (k->dead[l][u])
                continue;
            if (lin[u] && ((!act_a && sa == 0 && sb != 0) || (!act_b && sb == 0 && sa != 0))) {
                ok = 0, snprintf(why, len, "%s = [%ld, %ld]: unit %ld of layer %ld has a kink in column "
                                 "%ld, where no unit linear on the data is active, but not in column %ld (check 3(iv)): "
                                 "not a symmetry", name, (long) a, (long) b, (long) u, (long) l,
                                 (long) (sa == 0 ? a : b), (long) (sa == 0 ? b : a));
                break;
            }
            if ((sa != 1 && sa != 0) || (sb != 1 && sb != 0))   /* P- (not -1: char may be unsigned) */
                ok = 0, snprintf(why, len, "%s = [%ld, %ld]: unit %ld of layer %ld is negative on the "
                                 "box in column %ld (check 3(i)): not a symmetry", name, (long) a, (long) b, (long) u,
                                 (long) l, (long) (sa != 1 && sa != 0 ? a : b));
            else if (!lin[u] && (sa == 0) != (sb == 0))
                ok = 0, snprintf(why, len, "%s = [%ld, %ld]: unit %ld of layer %ld, not linear on the "
                                 "data, has a kink in column %ld but not in column %ld (check 3(ii)): not a symmetry",
                                 name, (long) a, (long) b, (long) u, (long) l, (long) (sa == 0 ? a : b),
                                 (long) (sa == 0 ? b : a));
        }
        for (j = 0; j < k->N && ok; j++)
            for (jj = j + 1; jj < k->N && ok; jj++)
                if ((j == a || j == b || jj == a || jj == b) && rule_fires(k, l, lin, j, jj))
                    ok = 0, snprintf(why, len, "%s = [%ld, %ld]: the kept-row rule of layer %ld applies "
                                     "to columns %ld and %ld (check 3(iii)): not a symmetry", name, (long) a,
                                     (long) b, (long) l, (long) j, (long) jj);
        flint_free(lin);
    }
    return ok;
}

/* The number of class rotations among the q generators (the last ones). */
static slong nclass(const slong *gen, slong q)
{
    slong t, n = 0;
    for (t = 0; t < q; t++)
        n += gen[3 * t] == VX_CLASS_ROTATION;
    return n;
}

static void vk_init(vk *k, const vx_problem *p, slong N, slong prec)
{
    slong l;
    memset(k, 0, sizeof(*k));
    k->p = p;
    k->N = N;
    k->L = p->L;
    k->nb = p->L + 2;
    k->prec = prec;
    k->state = flint_calloc(p->L + 1, sizeof(char *));
    k->dead = flint_calloc(p->L + 1, sizeof(char *));
    for (l = 1; l <= p->L; l++)
        k->dead[l] = flint_calloc((size_t) p->width[l - 1] + 1, 1);
    k->s = flint_malloc(5 * (p->L + 1) * sizeof(arb_mat_struct));
    k->m = k->s + p->L + 1;
    k->dm = k->m + p->L + 1;
    k->pre = k->dm + p->L + 1;
    k->dpre = k->pre + p->L + 1;
    for (l = 0; l < 5 * (p->L + 1); l++) {
        slong ll = l % (p->L + 1), r = ll >= 2 ? p->width[ll - 1] : 0;
        arb_mat_init(k->s + l, r, r > 0 ? N : 0);
    }
    for (l = 2; l <= p->L; l++)
        k->state[l] = flint_calloc((size_t) (p->width[l - 1] * N) + 1, 1);
    arb_init(k->fit);
    arb_init(k->reg);
}

static void vk_clear(vk *k)
{
    slong l;
    for (l = 0; l < 5 * (k->L + 1); l++)
        arb_mat_clear(k->s + l);
    for (l = 0; l <= k->L; l++) {
        flint_free(k->state[l]);
        flint_free(k->dead[l]);
    }
    flint_free(k->state);
    flint_free(k->dead);
    flint_free(k->fi);
    flint_free(k->s);
    arb_clear(k->fit);
    arb_clear(k->reg);
}

/* Where kkt_system puts the Jacobian: a ball matrix J, and/or (the double path) the doubles A
 * nearest to its midpoints (m x m, column-major, zeroed by the caller) and upper bounds rowerr
 * of the row sums of |entry - A| (radius included). bad: an entry that is not finite in
 * double. */
typedef struct {
    arb_mat_struct *J;
    double *A;
    mag_ptr rowerr;
    slong m;
    int bad;
    double *D;   /* when != NULL: D_ij >= |entry - a_ij| (strict_local_min, vx_pd_double) */
} vjac;

static void vjac_set(vjac *o, slong i, slong j, arb_srcptr v)
{
    double a;
    arb_t t;
    mag_t e;
    if (o->J != NULL)
        arb_set(arb_mat_entry(o->J, i, j), v);
    if (o->A == NULL)
        return;
    a = arf_get_d(arb_midref(v), ARF_RND_NEAR);
    if (!isfinite(a) || !arb_is_finite(v)) {
        o->bad = 1;
        return;
    }
    o->A[i + o->m * j] = a;
    arb_init(t);
    mag_init(e);
    arb_set_d(t, a);
    arb_sub(t, v, t, 64);   /* v - a, enclosed */
    arb_get_mag(e, t);
    mag_add(o->rowerr + i, o->rowerr + i, e);
    if (o->D != NULL)
        o->D[i + o->m * j] = mag_get_d(e);
    arb_clear(t);
    mag_clear(e);
}

/* J (m x m) <- G'(X) over the free parameters, the multipliers and the generators (x the
 * box, with the seeds mu in k->m); G <- G(x) when G != NULL (then x is the centre and J is not
 * computed). S (nf x q): the generators at the centre (free entries). Returns 0 when a dead unit's entry of
 * the gradient is not exactly 0 (on the box: its equation of the full system). */
static int kkt_system(vk *k, vjac *J, arb_ptr G, arb_mat_struct *x, const arb_mat_t S, const slong *kink,
                      slong nk, slong q)
{
    arb_mat_struct *dx = flint_malloc(3 * k->nb * sizeof(arb_mat_struct)), *g = dx + k->nb, *dg = g + k->nb;
    arb_ptr *dv = flint_malloc(3 * k->n * sizeof(arb_ptr)), *gv = dv + k->n, *dgv = gv + k->n;
    slong i, e, j, t, nf = k->nf, m = nf + nk + q;
    int ok = 1;
    blocks_init(k, dx);
    blocks_init(k, g);
    blocks_init(k, dg);
    entries(dv, dx, k->nb);
    entries(gv, g, k->nb);
    entries(dgv, dg, k->nb);
    /* at least one pass: it gives the loss of f_0 and the dead units' equations, also when
     * there is no unknown (every unit dead, no bias: m = 0) */
    for (i = 0; i < (G != NULL ? 1 : FLINT_MAX(nf + nk, 1)); i++) {
        if (G == NULL && i < nf)
            arb_one(dv[k->fi[i]]);
        else if (G == NULL && i < nf + nk)
            arb_one(arb_mat_entry(k->dm + kink[3 * (i - nf)], kink[3 * (i - nf) + 1], kink[3 * (i - nf) + 2]));
        pass(k, x, dx, g, dg);
        for (j = 0, t = 0; i == 0 && j < k->n; j++) {   /* the dead units' equations */
            if (t < nf && k->fi[t] == j)
                t++;
            else if (!arb_is_zero(gv[j]))
                ok = 0;
        }
        for (j = 0; G == NULL && j < nf; j++)
            vjac_set(J, j, i, dgv[k->fi[j]]);
        for (e = 0; G == NULL && i < nf && e < nk; e++)
            vjac_set(J, nf + e, i, arb_mat_entry(k->dpre + kink[3 * e], kink[3 * e + 1], kink[3 * e + 2]));
        if (G == NULL && i < nf)
            arb_zero(dv[k->fi[i]]);
        else if (G == NULL && i < nf + nk)
            arb_zero(arb_mat_entry(k->dm + kink[3 * (i - nf)], kink[3 * (i - nf) + 1], kink[3 * (i - nf) + 2]));
    }
    if (G != NULL) {   /* at the centre nu = 0 and theta = theta0: the slice rows vanish */
        for (j = 0; j < nf; j++)
            arb_set(G + j, gv[k->fi[j]]);
        for (e = 0; e < nk; e++)
            arb_set(G + nf + e, arb_mat_entry(k->pre + kink[3 * e], kink[3 * e + 1], kink[3 * e + 2]));
        for (j = nf + nk; j < m; j++)
            arb_zero(G + j);
    } else
        for (j = 0; j < q; j++)
            for (i = 0; i < nf; i++) {
                vjac_set(J, i, nf + nk + j, arb_mat_entry(S, i, j));
                vjac_set(J, nf + nk + j, i, arb_mat_entry(S, i, j));
            }
    blocks_clear(k, dx);
    blocks_clear(k, g);
    blocks_clear(k, dg);
    flint_free(dx);
    flint_free(dv);
    return ok;
}

/* Krawczyk: every |(K - x0)_i| < r with K - x0 = -Y G(x0) + (I - Y J)[-r, r]^m. */
static int krawczyk(const arb_mat_t J, arb_srcptr G, slong m, const arb_t r, slong prec, char *why, size_t len)
{
    arb_mat_t Y, YJ, v, w;
    arb_t t;
    slong i;
    int ok;
    arb_mat_init(Y, m, m); arb_mat_init(YJ, m, m); arb_mat_init(v, m, 1); arb_mat_init(w, m, 1);
    arb_init(t);
    arb_mat_get_mid(Y, J);
    ok = arb_mat_approx_inv(Y, Y, prec);
    if (!ok)
        snprintf(why, len, "the midpoint Jacobian could not be inverted");
    arb_mat_mul(YJ, Y, J, prec);
    arb_mat_neg(YJ, YJ);
    for (i = 0; i < m; i++) {
        arb_add_ui(arb_mat_entry(YJ, i, i), arb_mat_entry(YJ, i, i), 1, prec);
        arb_zero(arb_mat_entry(v, i, 0));
        arb_add_error(arb_mat_entry(v, i, 0), r);
    }
    arb_mat_mul(w, YJ, v, prec);
    for (i = 0; i < m; i++)
        arb_set(arb_mat_entry(v, i, 0), G + i);
    arb_mat_mul(v, Y, v, prec);
    for (i = 0; i < m && ok; i++) {
        arb_sub(t, arb_mat_entry(w, i, 0), arb_mat_entry(v, i, 0), prec);
        arb_abs(t, t);
        if (!arb_lt(t, r)) {
            char b[VTXT];
            snprintf(why, len, "Krawczyk: component %ld of K(X) - centre is %s, not inside the box radius", (long) i,
                     vx_arb_str(b, t));
            ok = 0;
        }
    }
    arb_mat_clear(Y); arb_mat_clear(YJ); arb_mat_clear(v); arb_mat_clear(w);
    arb_clear(t);
    return ok;
}

/* Which paths run: the double one (vdense.c) first, then, where it does not prove the claim
 * and the system has at most VX_ARB_UNKNOWNS unknowns, the ball one, as the producer does
 * (docs/refine.md §7.9), so that both reach the same verdicts. The environment variable
 * DNCERT_CRITICAL_METHOD=double (=ball) keeps one path (tests). Both are sound: the choice
 * decides speed, and which boxes pass. */
int vx_critical_method_known(void)
{
    const char *e = getenv("DNCERT_CRITICAL_METHOD");
    return e == NULL || strcmp(e, "double") == 0 || strcmp(e, "ball") == 0;
}

int vx_critical_double(void)
{
    const char *e = getenv("DNCERT_CRITICAL_METHOD");
    return e == NULL || strcmp(e, "ball") != 0;
}

int vx_critical_ball(slong m)
{
    const char *e = getenv("DNCERT_CRITICAL_METHOD");
    return m <= VX_ARB_UNKNOWNS && (e == NULL || strcmp(e, "double") != 0);
}

/* Krawczyk on the double path: the Jacobian over the box as doubles and row errors (o), G at
 * the centre; vx_krawczyk_double decides. */
static int krawczyk_large(const vjac *o, arb_srcptr G, slong E, char *why, size_t len)
{
    mag_ptr g = _mag_vec_init(o->m);
    double rho = 0;
    slong i;
    int ok = !o->bad;
    for (i = 0; i < o->m; i++)
        arb_get_mag(g + i, G + i);
    if (!ok)
        snprintf(why, len, "Krawczyk: an entry of the Jacobian on the box is not finite in double");
    else if (!(ok = vx_krawczyk_double(o->m, o->A, o->rowerr, g, E, &rho)))
        snprintf(why, len, "Krawczyk (preconditioner in double, %ld unknowns): K(X) is not shown inside the box "
                 "(the row sums of |I - Y J| are bounded by %.3g)", (long) o->m, rho);
    _mag_vec_clear(g, o->m);
    return ok;
}

/* The Gram matrix <s_j(X), s_k(x0)> is invertible on the box (so nu = 0 at the zero): first
 * in double (Y ~ A^-1 and every row sum of |I - Y Gm| below 1, so Y Gm and Gm are invertible
 * for every matrix of the enclosure: docs/refine.md §7.9), then, where that fails and q <= 800,
 * inverted in balls. */
static int gram(vk *k, arb_mat_struct *X, const arb_mat_t S0, const slong *gen, slong q, slong n)
{
    arb_mat_t SX, T, Gm;
    slong i, j;
    int ok = 0;
    if (q == 0)
        return 1;
    arb_mat_init(SX, k->nf, q); arb_mat_init(T, q, k->nf); arb_mat_init(Gm, q, q);
    generators(k, SX, X, gen, q, n);
    arb_mat_transpose(T, SX);
    arb_mat_mul(Gm, T, S0, k->prec);
    if (vx_critical_double()) {   /* |I - Y Gm| < 1 row by row (vdense.c, with G = 0 and E = 0) */
        vjac o = { NULL, NULL, NULL, q, 0, NULL };
        mag_ptr z = _mag_vec_init(q);
        double rho;
        o.A = flint_calloc(q * q + 1, sizeof(double));
        o.rowerr = _mag_vec_init(q);
        for (j = 0; j < q; j++)
            for (i = 0; i < q; i++)
                vjac_set(&o, i, j, arb_mat_entry(Gm, i, j));
        ok = !o.bad && vx_krawczyk_double(q, o.A, o.rowerr, z, 0, &rho);
        flint_free(o.A);
        _mag_vec_clear(o.rowerr, q);
        _mag_vec_clear(z, q);
    }
    if (!ok && vx_critical_ball(q))
        ok = arb_mat_inv(Gm, Gm, k->prec);
    arb_mat_clear(SX); arb_mat_clear(T); arb_mat_clear(Gm);
    return ok;
}

/* strict_local_min (format §6.11): with J the bordered Jacobian over the box, H its first nf
 * x nf block and C its rows nf.. restricted to the first nf columns (the kink constraints'
 * and the slice's gradients), 1 when H + rho C^T C is certainly positive definite (Cholesky in
 * balls, lower triangle). */
static int second_order(const arb_mat_t J, slong nf, const fmpq_t rho, slong prec)
{
    slong m = arb_mat_nrows(J), i, j, e;
    arb_mat_t M;
    arb_t r;
    int ok;
    arb_mat_init(M, nf, nf);
    arb_init(r);
    arb_set_fmpq(r, rho, prec);
    for (i = 0; i < nf; i++)
        for (j = 0; j <= i; j++) {
            arb_ptr t = arb_mat_entry(M, i, j);
            for (e = nf; e < m; e++)
                arb_addmul(t, arb_mat_entry(J, e, i), arb_mat_entry(J, e, j), prec);
            arb_mul(t, t, r, prec);
            arb_add(t, t, arb_mat_entry(J, i, j), prec);
            arb_set(arb_mat_entry(M, j, i), t);
        }
    ok = arb_mat_cho(M, M, prec);
    arb_mat_clear(M);
    arb_clear(r);
    return ok;
}

/* The units of ReLU layer l - 1 active on the whole box in column j (state 1), into sup;
 * their number. */
static slong active_units(const vk *k, slong l, slong j, slong *sup)
{
    slong r = k->p->width[l - 2], u, t = 0;
    for (u = 0; u < r; u++)
        if (k->state[l - 1][u + r * j] == 1)
            sup[t++] = u;
    return t;
}

/* The first index f of the listed kinks (sorted by layer, row, column; format §6.9) with
 * (kink[3f], kink[3f+1], kink[3f+2]) >= (l, i, j), or nk: a binary search. */
static slong kink_lower(const slong *kink, slong nk, slong l, slong i, slong j)
{
    slong lo = 0, hi = nk;
    while (lo < hi) {
        slong mid = lo + (hi - lo) / 2;
        const slong *e = kink + 3 * mid;
        if (e[0] < l || (e[0] == l && (e[1] < i || (e[1] == i && e[2] < j))))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The rule "single" for implied kink m = (l, i, j): every unit u active in column j has a
 * listed kink (l, i, j') whose column j' has u as its only active unit; each forces w_iu = 0
 * (hbar_uj' > 0 on the box), so ubar_(l,i,j) = sum_u w_iu hbar_uj vanishes. */
static int implied_single(const vk *k, const slong *kink, slong nk, const slong *m, slong *sup, slong *s2)
{
    slong ns = active_units(k, m[0], m[2], sup), t, f;
    for (t = 0; t < ns; t++) {
        int found = 0;
        for (f = kink_lower(kink, nk, m[0], m[1], 0); f < nk && !found && kink[3 * f] == m[0] && kink[3 * f + 1] == m[1];
             f++)
            found = active_units(k, m[0], kink[3 * f + 2], s2) == 1 && s2[0] == sup[t];
        if (!found)
            return 0;
    }
    return 1;
}

/* The rule "zero" for implied kink m = (l, i, j): its pre-activation is exactly 0 on the
 * whole box (every product in it has an exact zero factor: a zero weight, or an input cut
 * to 0 by its slope), so it vanishes at the zero. */
static int implied_zero(const vk *k, const slong *m)
{
    return arb_is_zero(arb_mat_entry(k->pre + m[0], m[1], m[2]));
}

/* 1 when row a of layer l has a listed kink in every column of T (nt). */
static int has_kinks(const slong *kink, slong nk, slong l, slong a, const slong *T, slong nt)
{
    slong t, f;
    for (t = 0; t < nt; t++) {
        f = kink_lower(kink, nk, l, a, T[t]);
        if (f == nk || kink[3 * f] != l || kink[3 * f + 1] != a || kink[3 * f + 2] != T[t])
            return 0;
    }
    return 1;
}

/* Gauss-Jordan elimination in balls with full pivoting on M = hbar[V, T] (layer l - 1 on the
 * box, the cut post-activations: the pre-activation where the entry is P+, else 0; nv x
 * (nt + 1): the columns T[0..nt-1], then T[nt] carried along, never a pivot). It takes nv - 1
 * pivots, each an entry of the unused rows and columns whose ball excludes 0 (the largest lower
 * bound of |.|), and eliminates its column from every other row (the columns already pivoted are
 * exactly 0 in the other rows at every point, and are skipped). At every point of the box the
 * same row operations are valid and its pivots lie in these balls, so the pivots' rows and
 * columns form a nonsingular (nv - 1)-minor there. piv[i] <- the pivot column of row i, or -1.
 * 1 when nv - 1 pivots were found. Cost nv^2 (nt + 1). */
static int eliminate(const vk *k, slong l, const slong *V, slong nv, const slong *T, slong nt, arb_mat_t M, slong *piv)
{
    slong rows = k->p->width[l - 2], i, j, step, pi = -1, pj = -1;
    char *cu = flint_calloc(nt + 1, 1);
    arb_t f, a;
    arf_t best, lo;
    int ok = nv - 1 <= nt;
    arb_init(f); arb_init(a);
    arf_init(best); arf_init(lo);
    arb_mat_zero(M);
    for (i = 0; i < nv; i++) {
        piv[i] = -1;
        for (j = 0; j <= nt; j++)
            if (k->state[l - 1][V[i] + rows * T[j]] == 1)
                arb_set(arb_mat_entry(M, i, j), arb_mat_entry(k->pre + l - 1, V[i], T[j]));
    }
    for (step = 0; ok && step < nv - 1; step++) {
        for (pi = -1, i = 0; i < nv; i++)
            for (j = 0; piv[i] < 0 && j < nt; j++) {
                arb_ptr e = arb_mat_entry(M, i, j);
                if (cu[j] || arb_contains_zero(e))
                    continue;
                arb_abs(a, e);
                arb_get_lbound_arf(lo, a, k->prec);
                if (pi < 0 || arf_cmp(lo, best) > 0)
                    pi = i, pj = j, arf_set(best, lo);
            }
        ok = pi >= 0;
        for (i = 0; ok && i < nv; i++) {
            if (i == pi)
                continue;
            arb_div(f, arb_mat_entry(M, i, pj), arb_mat_entry(M, pi, pj), k->prec);
            for (j = 0; j <= nt; j++)
                if (!cu[j] && j != pj)
                    arb_submul(arb_mat_entry(M, i, j), f, arb_mat_entry(M, pi, j), k->prec);
            arb_zero(arb_mat_entry(M, i, pj));
        }
        if (ok)
            piv[pi] = pj, cu[pj] = 1;
    }
    arb_clear(f); arb_clear(a);
    arf_clear(best); arf_clear(lo);
    flint_free(cu);
    return ok;
}

/* 1 when hbar[V, T] (nv x nt, T[nt] a further column) has rank >= nv - 1 at every point of the
 * box: eliminate finds nv - 1 pivots. */
static int rank_at_least(const vk *k, slong l, const slong *V, slong nv, const slong *T, slong nt)
{
    slong *piv = flint_malloc((nv + 1) * sizeof(slong));
    arb_mat_t M;
    int ok;
    arb_mat_init(M, nv, nt + 1);
    ok = eliminate(k, l, V, nv, T, nt, M, piv);
    arb_mat_clear(M);
    flint_free(piv);
    return ok;
}

/* The sets of the rule partner and of a shift for implied kink m = (l, i, j*) (layer l - 1 a
 * ReLU layer): T <- the columns of the other listed kinks of row i (T'), then j*; V <- the units of
 * layer l - 1 that are P+ on the box in a column of T (*nv of them). Returns |T'|. */
static slong partner_sets(const vk *k, const slong *kink, slong nk, const slong *m, slong *T, slong *V, slong *nv)
{
    slong l = m[0], rows = k->p->width[l - 2], nt = 0, f, u, t;
    for (f = kink_lower(kink, nk, l, m[1], 0); f < nk && kink[3 * f] == l && kink[3 * f + 1] == m[1]; f++)
        if (kink[3 * f + 2] != m[2])   /* the reader refuses an implied kink that is listed too */
            T[nt++] = kink[3 * f + 2];
    T[nt] = m[2];
    for (*nv = 0, u = 0; u < rows; u++)
        for (t = 0; t <= nt; t++)
            if (k->state[l - 1][u + rows * T[t]] == 1) {
                V[(*nv)++] = u;
                break;
            }
    return nt;
}

/* The rule "partner" for implied kink m = (l, b, j*): with T' the other listed kinks of row b
 * and V the units of layer l - 1 P+ in a column of T' or j* on the box, hbar[V, T'] has rank
 * >= |V| - 1 on the box (rank_at_least), and some unit a != b of layer l has listed kinks
 * at T' and j* and an in-weight w_au (u in V) that excludes 0. At a zero of the system w_a[V]
 * and w_b[V] are orthogonal to the columns of hbar[V, T'] (their listed kinks; the units
 * outside V have hbar = 0 in these columns), whose left null space is then span(w_a[V]); so
 * w_b[V] = alpha w_a[V] and ubar_(l,b,j*) = alpha ubar_(l,a,j*) = 0. */
static int implied_partner(const vk *k, const arb_mat_struct *x, const slong *kink, slong nk, const slong *m)
{
    slong l = m[0], b = m[1], d = k->p->width[l - 1], nt, nv, t, a;
    slong *T = flint_malloc((nk + 2) * sizeof(slong)), *V = flint_malloc((k->p->width[l - 2] + 1) * sizeof(slong));
    int ok = 0;
    nt = partner_sets(k, kink, nk, m, T, V, &nv);
    if (nv > 0 && rank_at_least(k, l, V, nv, T, nt))
        for (a = 0; a < d && !ok; a++) {
            if (a == b || k->dead[l][a] || !has_kinks(kink, nk, l, a, T, nt + 1))
                continue;
            for (t = 0; t < nv && !ok; t++)
                ok = arb_is_nonzero(arb_mat_entry(x + l - 1, a, V[t]));
        }
    flint_free(T);
    flint_free(V);
    return ok;
}

/* The multiplier shift (format §6.10 "shifts", docs/refine.md §7.12) of implied kink
 * m = (l, i, j*) with partner a and shift s: T' the listed kinks of row i, T = T' + j*, V the
 * units of layer l - 1 P+ on the box in a column of T. With |T'| = |V| - 1, a != i live with
 * listed kinks at T, a unit u of V with w_au and w_iu excluding 0 and the elimination's |V| - 1
 * pivots (all of T'), at the exact point: w_a[V] and w_i[V] are left null vectors of
 * hbar[V, T'] (rank |V| - 1), so w_i[V] = alpha w_a[V] with alpha = w_iu / w_au != 0;
 * hbar[V, T] has rank |V| - 1 (w_a[V] is also orthogonal to column j*) and its null vector c
 * with c_j* = 1 is read off the reduced rows; and sum_t c_t (grad ubar_(a,T_t) -
 * grad ubar_(i,T_t) / alpha) = 0 (the derivatives along W_(l-1)[a, V] and [i, V] are hbar c = 0,
 * those through h_u, u in V, are c_t (w_au - w_iu / alpha) = 0, and units outside V have
 * hbar = 0 in these columns). So mu + s d is a KKT multiplier vector at the exact point too;
 * the seeds k->m (the mu-box) receive s d over the box. 1, or 0 with why. */
static int shift_seeds(vk *k, const arb_mat_struct *x, const slong *kink, slong nk, const slong *m, slong a,
                       const fmpq_t s, slong e, char *why, size_t len)
{
    slong l = m[0], i = m[1], rows = l >= 3 ? k->p->width[l - 2] : 0, nt = 0, nv = 0, t;
    slong *T = flint_malloc((nk + 2) * sizeof(slong)), *V = flint_malloc((rows + 1) * sizeof(slong)), *piv;
    arb_ptr cv;
    arb_t alpha, sb, y;
    arb_mat_t M;
    int ok = l >= 3 && k->p->relu[l - 3];
    arb_init(alpha); arb_init(sb); arb_init(y);
    arb_indeterminate(alpha);
    if (ok)
        nt = partner_sets(k, kink, nk, m, T, V, &nv);
    ok = ok && nv == nt + 1 && a != i && !k->dead[l][a] && has_kinks(kink, nk, l, a, T, nt + 1);
    for (t = 0; ok && t < nv && !arb_is_finite(alpha); t++) {
        arb_srcptr wa = arb_mat_entry(x + l - 1, a, V[t]), wi = arb_mat_entry(x + l - 1, i, V[t]);
        if (arb_is_nonzero(wa) && arb_is_nonzero(wi))
            arb_div(alpha, wi, wa, k->prec);
    }
    ok = ok && arb_is_finite(alpha);
    piv = flint_malloc((nv + 1) * sizeof(slong));
    cv = _arb_vec_init(nt + 1);
    arb_mat_init(M, nv > 0 ? nv : 1, nt + 1);
    ok = ok && eliminate(k, l, V, nv, T, nt, M, piv);
    if (!ok)
        snprintf(why, len, "shifts[%ld]: implied kink [%ld, %ld, %ld] with partner %ld: the relation does not apply (it "
                 "needs |T'| = |V| - 1 listed kinks T' in its row, the partner live with listed kinks at T' and the "
                 "implied kink's column, a unit of V with both in-weights shown nonzero, and |V| - 1 pivots of hbar[V, T'] "
                 "on the box)", (long) e, (long) l, (long) i, (long) m[2], (long) a);
    arb_one(cv + nt);
    for (t = 0; ok && t < nv; t++)
        if (piv[t] >= 0) {
            arb_div(cv + piv[t], arb_mat_entry(M, t, nt), arb_mat_entry(M, t, piv[t]), k->prec);
            arb_neg(cv + piv[t], cv + piv[t]);
        }
    arb_set_fmpq(sb, s, k->prec);
    for (t = 0; ok && t <= nt; t++) {
        arb_mul(y, sb, cv + t, k->prec);
        arb_add(arb_mat_entry(k->m + l, a, T[t]), arb_mat_entry(k->m + l, a, T[t]), y, k->prec);
        arb_div(y, y, alpha, k->prec);
        arb_sub(arb_mat_entry(k->m + l, i, T[t]), arb_mat_entry(k->m + l, i, T[t]), y, k->prec);
    }
    arb_mat_clear(M);
    _arb_vec_clear(cv, nt + 1);
    arb_clear(alpha); arb_clear(sb); arb_clear(y);
    flint_free(piv);
    flint_free(T);
    flint_free(V);
    return ok;
}

/* The implied kinks (format §6.9, check 3b): for (l, i, j), layer l - 1 is ReLU and the rule
 * zero, single or partner holds on the box, so the kink vanishes wherever the listed ones do
 * (docs/refine.md §7.3). 1, or 0 with why. */
static int implied_ok(const vk *k, const arb_mat_struct *x, const slong *kink, slong nk, const slong *imp, slong ni,
                      char *why, size_t len)
{
    slong e, maxw = 1, l, *sup, *s2;
    int ok = 1;
    for (l = 1; l <= k->L; l++)
        maxw = FLINT_MAX(maxw, k->p->width[l - 1]);
    sup = flint_malloc(2 * maxw * sizeof(slong));
    s2 = sup + maxw;
    for (e = 0; e < ni && ok; e++) {
        const slong *m = imp + 3 * e;
        if (implied_zero(k, m))   /* any layer: the products are exactly 0 on the box */
            continue;
        if (m[0] < 3 || !k->p->relu[m[0] - 3]) {
            snprintf(why, len, "implied kink %ld [%ld, %ld, %ld]: it is not exactly 0 on the box (rule zero), and the layer "
                     "below layer %ld is not a ReLU layer (rules single and partner)", (long) e, (long) m[0], (long) m[1],
                     (long) m[2], (long) m[0]);
            ok = 0;
        } else if (!implied_single(k, kink, nk, m, sup, s2) && !implied_partner(k, x, kink, nk, m)) {
            snprintf(why, len, "implied kink %ld [%ld, %ld, %ld]: it is not exactly 0 on the box (rule zero), a unit active "
                     "in its column is not forced to weight 0 by a listed kink of row %ld (rule single: a kink whose column "
                     "has that unit as its only active unit), and no partner unit of layer %ld has listed kinks in its "
                     "row's kink columns with the inputs' matrix of rank |V| - 1 shown on the box (rule partner)",
                     (long) e, (long) m[0], (long) m[1], (long) m[2], (long) m[1], (long) m[0]);
            ok = 0;
        }
    }
    flint_free(sup);
    return ok;
}

/* The held parameters of pt: the dead units (pairs l, a; marked in k->dead), whose parameters
 * (row a of the block feeding layer l, column a of W_l) must be exactly 0 in x, and the zero
 * weights (entry (i, u) of W_l), likewise; k->fi, k->nf <- the other parameters. 1, or 0
 * with why. */
static int set_dead(vk *k, const arb_mat_struct *x, const vx_crit_pattern *pt, char *why, size_t len)
{
    const slong *dead = pt->dead, *zw = pt->zw;
    slong nd = pt->nd, nz = pt->nz;
    char *fixed = flint_calloc((size_t) k->n + 1, 1);
    slong *off = flint_malloc((k->nb + 1) * sizeof(slong)), b, d, i, j;
    int ok = 1;
    for (off[0] = 0, b = 0; b < k->nb; b++)
        off[b + 1] = off[b] + arb_mat_nrows(x + b) * arb_mat_ncols(x + b);
    for (d = 0; d < nd; d++) {
        slong l = dead[2 * d], a = dead[2 * d + 1];
        const arb_mat_struct *in = x + l - 1, *out = x + l;
        k->dead[l][a] = 1;
        for (j = 0; j < arb_mat_ncols(in); j++) {
            fixed[off[l - 1] + a + arb_mat_nrows(in) * j] = 1;
            ok &= arb_is_zero(arb_mat_entry(in, a, j));
        }
        for (i = 0; i < arb_mat_nrows(out); i++) {
            fixed[off[l] + i + arb_mat_nrows(out) * a] = 1;
            ok &= arb_is_zero(arb_mat_entry(out, i, a));
        }
        if (!ok) {
            snprintf(why, len, "dead unit %ld of layer %ld: its row of the layer's input block and its column of W_%ld "
                     "must be exactly 0", (long) a, (long) l, (long) l);
            break;
        }
    }
    for (d = 0; d < nz && ok; d++) {   /* the zero weights: entry (i, u) of W_l */
        const arb_mat_struct *w = x + zw[3 * d];
        fixed[off[zw[3 * d]] + zw[3 * d + 1] + arb_mat_nrows(w) * zw[3 * d + 2]] = 1;
        if (!arb_is_zero(arb_mat_entry(w, zw[3 * d + 1], zw[3 * d + 2]))) {
            snprintf(why, len, "zero_weights[%ld]: entry (%ld, %ld) of %s%ld must be exactly 0", (long) d,
                     (long) zw[3 * d + 1], (long) zw[3 * d + 2], zw[3 * d] == 0 ? "H" : "W_", zw[3 * d] == 0 ? 1L : (long) zw[3 * d]);
            ok = 0;
        }
    }
    k->fi = flint_malloc((k->n + 1) * sizeof(slong));
    for (k->nf = 0, i = 0; i < k->n; i++)
        if (!fixed[i])
            k->fi[k->nf++] = i;
    flint_free(fixed);
    flint_free(off);
    return ok;
}

int vx_critical_check(arb_t loss, const vx_problem *p, const vx_point *P, slong E, const vx_crit_pattern *pt,
                      const fmpq *mu, const slong *gen, slong q, const fmpq *rho, slong prec, char *why, size_t len)
{
    const slong *kink = pt->kink, *imp = pt->imp;
    slong nk = pt->nk, ni = pt->ni;
    slong *all = flint_malloc((3 * (nk + ni) + 1) * sizeof(slong));   /* the kinks and the implied kinks */
    vk k;
    arb_mat_struct *X;
    arb_ptr *xv, G = NULL;
    arb_mat_t J, S;
    vjac o = { NULL, NULL, NULL, 0, 0, NULL };
    arb_t r;
    slong n, m, i, e;
    int ok = 1;
    arb_indeterminate(loss);
    if (p->ce || P->collapsed || P->ns > 0) {
        snprintf(why, len, "the claim is checked for the squared-error loss on an expanded point without scalars");
        return 0;
    }
    vk_init(&k, p, P->ncols, prec);
    X = flint_malloc(k.nb * sizeof(arb_mat_struct));
    blocks_init(&k, X);
    for (i = 0; i < k.nb; i++)
        arb_mat_set(X + i, P->blk + i);
    n = 0;
    for (i = 0; i < k.nb; i++)
        n += arb_mat_nrows(X + i) * arb_mat_ncols(X + i);
    k.n = n;
    xv = flint_malloc(n * sizeof(arb_ptr));
    entries(xv, X, k.nb);
    for (i = 0; i < n && ok; i++)
        if (!arb_is_exact(xv[i]))
            ok = 0, snprintf(why, len, "the centre's entries must be dyadic rationals of at most %ld bits", (long) prec);
    if (!set_dead(&k, X, pt, why, len) && ok)
        ok = 0;
    if (nk > 0)
        memcpy(all, kink, 3 * nk * sizeof(slong));
    if (ni > 0)
        memcpy(all + 3 * nk, imp, 3 * ni * sizeof(slong));
    for (e = 0; e < nk + ni && ok; e++)
        if (k.dead[all[3 * e]][all[3 * e + 1]])
            ok = 0, snprintf(why, len, "kink %ld lies in a dead unit: a dead unit's entries are kinks with multiplier 0 "
                             "and are not listed", (long) e);
    m = k.nf + nk + q;
    for (e = 0; e < nk; e++) {
        arb_ptr t = arb_mat_entry(k.m + kink[3 * e], kink[3 * e + 1], kink[3 * e + 2]);
        arb_set_fmpq(t, mu + e, prec);
        if (ok && !arb_is_exact(t))
            ok = 0, snprintf(why, len, "multiplier %ld must be a dyadic rational of at most %ld bits", (long) e, (long) prec);
    }
    arb_init(r);
    arb_one(r);
    arb_mul_2exp_si(r, r, E);
    o.m = m;
    if (vx_critical_double()) {   /* Krawczyk with a preconditioner in double (vdense.c) */
        o.A = flint_calloc(m * m + 1, sizeof(double));
        o.rowerr = _mag_vec_init(m);
        if (rho != NULL)
            o.D = flint_calloc(m * m + 1, sizeof(double));
    }
    if (vx_critical_ball(m)) {   /* and in balls, where the double path fails */
        arb_mat_init(J, m, m);
        o.J = J;
    }
    arb_mat_init(S, k.nf, q);
    for (i = 0; i < k.nf; i++)   /* the box: the dead units' parameters stay 0 */
        arb_add_error(xv[k.fi[i]], r);
    if (ok)
        ok = decide_pattern(&k, X, all, nk + ni, why, len) && implied_ok(&k, X, kink, nk, imp, ni, why, len);
    for (i = 0; i < q && ok; i++)
        if (gen[3 * i] == VX_CLASS_ROTATION) {   /* after all the others: index i - (q - number of class rotations) */
            char name[48];
            snprintf(name, sizeof(name), "class_rotations[%ld]", (long) (i - q + nclass(gen, q)));
            ok = class_ok(&k, name, gen[3 * i + 1], gen[3 * i + 2], why, len);
        }
        else if (!same_rows(&k, gen[3 * i], gen[3 * i + 1], gen[3 * i + 2])) {   /* named as in the file */
            slong l = gen[3 * i], a = gen[3 * i + 1], b = gen[3 * i + 2], nrot = 0, npart = 0, t;
            for (t = 0; t < q; t++)   /* the rotations, then the partial rotations, then the kink rotations */
                nrot += gen[3 * t] >= 1 && gen[3 * t] < VX_KINK_ROTATION, npart += gen[3 * t] < 0;
            ok = 0;
            if (l >= VX_KINK_ROTATION)
                snprintf(why, len, "kink_rotations[%ld] = [%ld, %ld, %ld]: units %ld and %ld of layer %ld are not both "
                         "live with the same negative columns on the box: not a symmetry",
                         (long) (i - nrot - npart), (long) (l - VX_KINK_ROTATION), (long) a, (long) b, (long) a, (long) b,
                         (long) (l - VX_KINK_ROTATION));
            else if (l < 0)
                snprintf(why, len, "partial_generators[%ld] = [%ld, %ld, %ld] rotates a dead unit of layer 1: not a "
                         "symmetry", (long) (i - nrot), (long) a, (long) b, (long) (-1 - l));
            else
                snprintf(why, len, "generators[%ld] = [%ld, %ld, %ld] rotates %s: not a symmetry", (long) i, (long) l,
                         (long) a, (long) b, k.dead[l][a] || k.dead[l][b] ? "a dead unit"
                         : "units whose patterns differ on the box");
        }
    if (ok)   /* the slice at the centre; partial rotations read the pattern decided on the box */
        generators(&k, S, P->blk, gen, q, n);
    for (e = 0; e < nk; e++)   /* the seeds' box */
        arb_add_error(arb_mat_entry(k.m + kink[3 * e], kink[3 * e + 1], kink[3 * e + 2]), r);
    if (ok) {
        ok = kkt_system(&k, &o, NULL, X, S, kink, nk, q);
        arb_add(loss, k.fit, k.reg, prec);     /* f_0 over the box */
        if (!ok)
            snprintf(why, len, "the gradient's entries of the dead units and zero weights are not shown to be 0 on the box");
        else if (rho == NULL && !(ok = gram(&k, X, S, gen, q, n)))
            snprintf(why, len, "the Gram matrix of the generators on the box is not shown invertible");
    }
    if (ok && rho == NULL) {   /* G at the centre */
        G = _arb_vec_init(m);
        for (i = 0; i < k.nb; i++)
            arb_mat_set(X + i, P->blk + i);
        for (e = 0; e < nk; e++)
            arb_set_fmpq(arb_mat_entry(k.m + kink[3 * e], kink[3 * e + 1], kink[3 * e + 2]), mu + e, prec);
        kkt_system(&k, NULL, G, X, S, kink, nk, q);
        ok = o.A != NULL && krawczyk_large(&o, G, E, why, len);
        if (!ok && o.J != NULL)
            ok = krawczyk(J, G, m, r, prec, why, len);
        if (!ok && o.A == NULL && o.J == NULL)
            snprintf(why, len, "the ball path takes at most %d unknowns (DNCERT_CRITICAL_METHOD=ball); this system has %ld",
                     VX_ARB_UNKNOWNS, (long) m);
        _arb_vec_clear(G, m);
    }
    if (ok && rho != NULL) {   /* strict_local_min: the box is its critical_point claim's, certified by this checker */
        slong e2 = fmpz_is_one(fmpq_denref(rho)) && fmpz_sgn(fmpq_numref(rho)) > 0 ? (slong) fmpz_val2(fmpq_numref(rho)) : -1;
        int pow2 = e2 >= 0 && fmpz_bits(fmpq_numref(rho)) == (flint_bitcnt_t) e2 + 1;
        ok = o.A != NULL && !o.bad && pow2 && vx_pd_double(m, k.nf, o.A, o.D, e2);
        if (!ok && o.J != NULL)
            ok = second_order(J, k.nf, rho, prec);
        if (!ok)
            snprintf(why, len, "H + rho C^T C (H the Hessian of the Lagrangian, C the constraint and slice gradients) "
                     "is not shown positive definite on the box%s", o.J != NULL ? "" : pow2 ? " (a Cholesky in "
                     "double with a bound on its residual)" : ": on a system of more than 800 unknowns rho must be "
                     "a power of 2 (a Cholesky in double)");
    }
    if (o.J != NULL)
        arb_mat_clear(J);
    flint_free(o.A);
    flint_free(o.D);
    if (o.rowerr != NULL)
        _mag_vec_clear(o.rowerr, m);
    arb_mat_clear(S);
    arb_clear(r);
    flint_free(xv);
    blocks_clear(&k, X);
    flint_free(X);
    flint_free(all);
    vk_clear(&k);
    return ok;
}

/* exact_slopes[i] = w = (k, 0, VX_LONE_UNIT, j, 0) (format §6.10, docs/refine.md §7.14): kink
 * k = (2, p, j'), slope 0. On the box's pattern unit p is P+ in column j and nowhere else, every
 * other unit of layer 2 is P-, dead or an implied kink in column j, and the columns of H1 at j
 * and at p's listed kinks have a Gram matrix of positive determinant. At theta* the KKT
 * equations of H1's column j and of W_1's row p read lambda_H h_j = -D_pj w_p and
 * lambda_W w_p = -D_pj h_j - sum_S mu_pj'' h_j'' (S: p's listed kinks), so D_pj != 0 (h_j != 0)
 * and (D_pj - lambda_H lambda_W / D_pj) h_j + sum_S mu_pj'' h_j'' = 0: every mu_pj'' is 0. */
static int lone_unit_ok(vk *k, const arb_mat_struct *X, const slong *kink, slong nk, const slong *w, slong i,
                        char *why, size_t len)
{
    slong l = kink[3 * w[0]], p = kink[3 * w[0] + 1], j = w[3], r, c, u, n = 1, *cols;
    arb_mat_t G;
    arb_t det;
    int ok = w[1] == 0 && l == 2 && j < k->N && fmpq_sgn(k->p->lambda_h) > 0;
    if (!ok) {
        snprintf(why, len, "exact_slopes[%ld]: a lone_unit witness proves slope 0 at a kink of layer 2, for a column of "
                 "the point", (long) i);
        return 0;
    }
    r = k->p->width[1];
    for (c = 0; ok && c < k->N; c++)   /* p: P+ in column j only */
        ok = (k->state[2][p + r * c] == 1) == (c == j);
    for (u = 0; ok && u < r; u++) {   /* every other unit silent in column j */
        char st = k->state[2][u + r * j];
        ok = u == p || st == -1 || st == 4 || (st == 0 && !has_kinks(kink, nk, 2, u, &j, 1));
    }
    if (!ok) {
        snprintf(why, len, "exact_slopes[%ld]: unit %ld of layer 2 is not alone in column %ld (P+ there and nowhere "
                 "else, every other unit P-, dead or an implied kink there)", (long) i, (long) p, (long) j);
        return 0;
    }
    cols = flint_malloc((k->N + 1) * sizeof(slong));
    cols[0] = j;
    for (c = 0; c < k->N; c++)
        if (has_kinks(kink, nk, 2, p, &c, 1))
            cols[n++] = c;
    arb_mat_init(G, n, n);
    arb_init(det);
    for (r = 0; r < n; r++)
        for (c = 0; c < n; c++)
            for (u = 0; u < arb_mat_nrows(X); u++)
                arb_addmul(arb_mat_entry(G, r, c), arb_mat_entry(X, u, cols[r]), arb_mat_entry(X, u, cols[c]), k->prec);
    arb_mat_det(det, G, k->prec);
    ok = arb_is_positive(det);
    if (!ok)
        snprintf(why, len, "exact_slopes[%ld]: the columns of H1 at %ld and at the listed kinks of unit %ld of layer 2 "
                 "are not shown linearly independent on the box", (long) i, (long) j, (long) p);
    arb_clear(det);
    arb_mat_clear(G);
    flint_free(cols);
    return ok;
}

/* The only unit of ReLU layer l that is P+ in column j on the box, or -1 (none, or several);
 * sup: room for d_l units. */
static slong single_active(const vk *k, slong l, slong j, slong *sup)
{
    return active_units(k, l + 1, j, sup) == 1 ? sup[0] : -1;
}

/* 1 when W_(l-1)[r, m] is 0 at the zero: exactly 0 on the box (held), or unit r of layer l has a
 * kink (listed or implied) in a column where m is the only P+ unit of layer l - 1 (there the
 * kink reads W_(l-1)[r, m] h_m alone, with h_m > 0). */
static int weight_vanishes(const vk *k, const arb_mat_struct *X, slong l, slong r, slong m, slong *sup)
{
    slong d = k->p->width[l - 1], j;
    if (arb_is_zero(arb_mat_entry(X + l - 1, r, m)))
        return 1;
    for (j = 0; j < k->N; j++)
        if (k->state[l][r + d * j] == 0 && single_active(k, l - 1, j, sup) == m)
            return 1;
    return 0;
}

/* exact_slopes[i] = w = (k, 1, VX_SHARED_INPUT, q, 0) (format §6.10 check 4b, docs/refine.md
 * §7.15): kink k = (l, p, j0), l >= 3 over a ReLU layer, slope 1. Unit q of layer l - 1 is the
 * only P+ unit in column j0, J its P+ columns, p P+ in J but j0. Every unit k' of the layer above
 * with W_l[k', p] not 0 at the zero (weight_vanishes) has a kink (listed or implied) in column j0, whose
 * only P+ unit of layer l, r, is P+ in exactly the columns J and reads no other unit that is P+
 * in J (weight_vanishes). At the zero: w_pq = 0 and its KKT equation give mu_p,j0 h_q,j0 =
 * -sum_(J - j0) G_pj h_qj; each W_l[k', r] = 0 and its equation give sum_J A_k'j h_qj = 0 (h_r is
 * a multiple of h_q on J), so sum_J G_pj h_qj = 0 and mu_p,j0 = G_p,j0: t = 1. */
static int shared_input_ok(vk *k, const arb_mat_struct *X, const slong *kink, const slong *w, slong i, char *why,
                           size_t len)
{
    slong l = kink[3 * w[0]], p = kink[3 * w[0] + 1], j0 = kink[3 * w[0] + 2], q = w[3], L = k->L, j, u, r = -1;
    slong dl = k->p->width[l - 1], dq, up, *sup;
    int ok = w[1] == 1 && l >= 3 && k->p->relu[l - 3] && q < k->p->width[l - 2], above = 0;
    if (!ok) {
        snprintf(why, len, "exact_slopes[%ld]: a shared_input witness proves slope 1 at a kink of a layer l >= 3 over a "
                 "ReLU layer, naming a unit of layer l - 1", (long) i);
        return 0;
    }
    dq = k->p->width[l - 2];
    sup = flint_malloc((FLINT_MAX(dq, dl) + 1) * sizeof(slong));
    ok = single_active(k, l - 1, j0, sup) == q;
    for (j = 0; ok && j < k->N; j++)   /* p P+ where q is, but at j0 */
        ok = j == j0 || k->state[l - 1][q + dq * j] != 1 || k->state[l][p + dl * j] == 1;
    if (!ok) {
        snprintf(why, len, "exact_slopes[%ld]: unit %ld of layer %ld is not the only active unit in column %ld, or unit %ld "
                 "of layer %ld is not active in its other active columns", (long) i, (long) q, (long) (l - 1), (long) j0,
                 (long) p, (long) l);
        flint_free(sup);
        return 0;
    }
    up = l < L ? k->p->width[l] : k->p->K;
    for (u = 0; ok && u < up; u++) {   /* the units above that read p at the zero */
        if (arb_is_zero(arb_mat_entry(X + l, u, p)) || (l < L && k->p->relu[l - 1] && weight_vanishes(k, X, l + 1, u, p, sup)))
            continue;
        above = 1;
        ok = l < L && k->p->relu[l - 1] && k->state[l + 1][u + up * j0] == 0;
    }
    if (ok && above) {   /* r: the only active unit of layer l in column j0, a multiple of h_q on J */
        r = single_active(k, l, j0, sup);
        ok = r >= 0;
        for (j = 0; ok && j < k->N; j++)
            ok = (k->state[l][r + dl * j] == 1) == (k->state[l - 1][q + dq * j] == 1);
        for (u = 0; ok && u < dq; u++) {
            int in_j = 0;
            for (j = 0; !in_j && j < k->N; j++)
                in_j = k->state[l - 1][q + dq * j] == 1 && k->state[l - 1][u + dq * j] == 1;
            ok = u == q || !in_j || weight_vanishes(k, X, l, r, u, sup);
        }
    }
    if (!ok)
        snprintf(why, len, "exact_slopes[%ld]: a unit of layer %ld reads unit %ld of layer %ld without a kink in column "
                 "%ld, or the only active unit there is not active exactly where unit %ld of layer %ld is, or reads "
                 "another unit active there", (long) i, (long) (l + 1), (long) p, (long) l, (long) j0, (long) q,
                 (long) (l - 1));
    flint_free(sup);
    return ok;
}

/* exact_slopes[i] = w = (k, t, witness as in gen): t_e = t exactly at listed kink k = e (format
 * §6.10, docs/refine.md §7.11). With e moved to P+ (t = 1) or to P- (t = 0) and every other
 * kink kept, the witness must be a symmetry of that pattern (the checks 3 of §6.9 on it) whose
 * tangent moves ubar_e: <grad ubar_e, s> over the box excludes 0. Then at theta*, where
 * grad F = 0, the cut Lagrangian of the moved pattern has gradient (t G_e - mu_e) grad ubar_e;
 * the symmetry makes its derivative along s vanish, so mu_e = t G_e. k->s holds the slopes
 * decided on the box; the state is restored. */
static int exact_slope_ok(vk *k, const arb_mat_struct *X, const slong *kink, const slong *w, slong i, char *why,
                          size_t len)
{
    slong l = kink[3 * w[0]], u = kink[3 * w[0] + 1], j = kink[3 * w[0] + 2], r = k->p->width[l - 1], b, t;
    char *st = k->state[l] + u + r * j, save = *st, name[64], a[VTXT];
    arb_mat_struct *s = flint_malloc(3 * k->nb * sizeof(arb_mat_struct)), *g = s + k->nb, *dg = g + k->nb;
    int ok;
    blocks_init(k, s);
    blocks_init(k, g);
    blocks_init(k, dg);
    *st = (char) (w[1] ? 1 : -1);
    snprintf(name, sizeof(name), "exact_slopes[%ld].class_rotation", (long) i);
    if (w[2] == VX_CLASS_ROTATION)
        ok = class_ok(k, name, w[3], w[4], why, len);
    else if (!(ok = same_rows(k, w[2], w[3], w[4])))
        snprintf(why, len, "exact_slopes[%ld]: with kink %ld = [%ld, %ld, %ld] moved to P%c, units %ld and %ld of layer %ld "
                 "are not %s: the witness is not a symmetry", (long) i, (long) w[0], (long) l, (long) u, (long) j,
                 w[1] ? '+' : '-', (long) w[3], (long) w[4], (long) (w[2] % VX_KINK_ROTATION),
                 w[2] >= VX_KINK_ROTATION ? "both live with the same negative columns" : "live with the same pattern");
    if (ok) {
        generator(k, s, X, w[2], w[3], w[4]);
        for (b = 0; b < k->nb && ok; b++)
            ok = arb_mat_is_finite(s + b);
        if (!ok)
            snprintf(why, len, "exact_slopes[%ld]: the witness's kink system C C^T is not shown invertible on the box",
                     (long) i);
    }
    *st = save;
    if (ok) {
        arb_srcptr d;
        pass(k, X, s, g, dg);
        d = arb_mat_entry(k->dpre + l, u, j);
        if (arb_contains_zero(d)) {
            snprintf(why, len, "exact_slopes[%ld]: the witness does not move kink %ld = [%ld, %ld, %ld]: <grad ubar_e, s> "
                     "over the box is %s, which contains 0", (long) i, (long) w[0], (long) l, (long) u, (long) j,
                     vx_arb_str(a, d));
            ok = 0;
        }
    }
    for (t = 0; t < 3; t++)
        blocks_clear(k, s + t * k->nb);
    flint_free(s);
    return ok;
}

/* For d_stationary (format §6.14): "" when G_e >= 0 is shown over the box at every listed and
 * implied kink (all: nk listed, then ni implied; k->adj from the seeded pass), else the first
 * kink where it is not (or why the pass did not run: done = 0). */
static void g_signs(const vk *k, const slong *all, slong nk, slong ni, int done, char *gwhy, size_t glen)
{
    slong e;
    char a[VTXT];
    snprintf(gwhy, glen, "%s", done ? "" : "the pass of claim kink_multipliers did not run");
    for (e = 0; done && e < nk + ni && !gwhy[0]; e++) {
        arb_srcptr G = arb_mat_entry(k->adj + all[3 * e], all[3 * e + 1], all[3 * e + 2]);
        if (!arb_is_nonnegative(G))
            snprintf(gwhy, glen, "at %s %ld = [%ld, %ld, %ld] G_e = df/dh_e over the box is %s, not shown >= 0 (the sufficient "
                     "condition of format 6.14)",
                     e < nk ? "kink" : "implied kink", (long) (e < nk ? e : e - nk), (long) all[3 * e],
                     (long) all[3 * e + 1], (long) all[3 * e + 2], vx_arb_str(a, G));
    }
}

/* The kink_multipliers claim (format §6.10) on a critical_point box: over the theta-box and
 * the mu-box, G_e = dF/dh_e (F = f_0 + sum mu_e ubar_e; the backward pass with slopes 1 on P+,
 * 0 elsewhere and the seeds mu, read before the slopes of e's layer) and t_e = mu_e / G_e.
 * Returns 1 iff every G_e excludes 0 and every t_e lies in [lo_e, hi_e] (the caller checks
 * 0 <= lo_e <= hi_e <= 1). At the exact zero the seeded adjoints equal those of the plain
 * back-propagation with relu'(0) := t_e (top-down induction, docs/refine.md §7.2). */
/* A pass over the box of a critical_point claim: k (with adj when adj != 0) and its four block
 * sets X (the theta-box: the point, each free entry +- 2^E; the dead units' parameters and the
 * zero weights exactly 0), dX, g, dg; the zero entries (listed kinks, then implied ones) into
 * all; the slopes decided on the box. Returns 0 (why) when the box is not well formed; k and X
 * are to be released by box_clear either way. */
static int box_open(vk *k, arb_mat_struct **X, const vx_problem *p, const vx_point *P, slong E,
                    const vx_crit_pattern *pt, slong *all, int adj, slong prec, char *why, size_t len)
{
    slong n = 0, i, l, nk = pt->nk, ni = pt->ni;
    arb_ptr *xv;
    arb_t r;
    int ok, b;
    vk_init(k, p, P->ncols, prec);
    if (adj) {
        k->adj = flint_malloc((p->L + 1) * sizeof(arb_mat_struct));
        for (l = 0; l <= p->L; l++)
            arb_mat_init(k->adj + l, l >= 2 ? p->width[l - 1] : 0, l >= 2 ? P->ncols : 0);
    }
    *X = flint_malloc(4 * k->nb * sizeof(arb_mat_struct));
    for (b = 0; b < 4; b++)
        blocks_init(k, *X + b * k->nb);
    for (i = 0; i < k->nb; i++) {
        arb_mat_set(*X + i, P->blk + i);
        n += arb_mat_nrows(*X + i) * arb_mat_ncols(*X + i);
    }
    xv = flint_malloc(n * sizeof(arb_ptr));
    entries(xv, *X, k->nb);
    arb_init(r);
    arb_one(r);
    arb_mul_2exp_si(r, r, E);
    k->n = n;
    ok = set_dead(k, *X, pt, why, len);
    for (i = 0; i < k->nf; i++)   /* the theta-box: the dead units' parameters stay 0 */
        arb_add_error(xv[k->fi[i]], r);
    if (nk > 0)   /* (a NULL list of none is allowed) */
        memcpy(all, pt->kink, 3 * nk * sizeof(slong));
    if (ni > 0)
        memcpy(all + 3 * nk, pt->imp, 3 * ni * sizeof(slong));
    ok = ok && decide_pattern(k, *X, all, nk + ni, why, len);
    arb_clear(r);
    flint_free(xv);
    return ok;
}

static void box_clear(vk *k, arb_mat_struct *X)
{
    slong b, l;
    for (b = 0; b < 4; b++)
        blocks_clear(k, X + b * k->nb);
    flint_free(X);
    if (k->adj != NULL) {
        for (l = 0; l <= k->L; l++)
            arb_mat_clear(k->adj + l);
        flint_free(k->adj);
    }
    vk_clear(k);
}

int vx_kink_slopes_check(const vx_problem *p, const vx_point *P, slong E, const vx_crit_pattern *pt, const fmpq *mu,
                         const fmpq *lo, const fmpq *hi, const slong *ex, slong nex, const vx_shifts *sh, slong prec,
                         char *why, size_t len, char *gwhy, size_t glen)
{
    const slong *kink = pt->kink, *imp = pt->imp;
    slong nk = pt->nk, ni = pt->ni;
    slong *all = flint_malloc((3 * (nk + ni) + 1) * sizeof(slong));
    vk k;
    arb_mat_struct *X, *dX, *g, *dg;
    arb_t t;
    slong i, e, x;
    int ok;
    if (p->ce || P->collapsed || P->ns > 0) {
        snprintf(why, len, "the claim is checked for the squared-error loss on an expanded point without scalars");
        flint_free(all);
        return 0;
    }
    ok = box_open(&k, &X, p, P, E, pt, all, 1, prec, why, len);
    dX = X + k.nb;
    g = dX + k.nb;
    dg = g + k.nb;
    arb_init(t);
    for (e = 0; e < nk; e++) {   /* the mu-box (decide_pattern leaves the seeds alone) */
        arb_ptr m = arb_mat_entry(k.m + kink[3 * e], kink[3 * e + 1], kink[3 * e + 2]);
        arb_set_fmpq(m, mu + e, prec);
        arb_add_error_2exp_si(m, E);
    }
    for (i = 0; ok && i < sh->n; i++)   /* mu + sum_k s_k d_k: KKT multipliers at the exact point as well */
        ok = shift_seeds(&k, X, kink, nk, imp + 3 * sh->q[2 * i], sh->q[2 * i + 1], sh->s + i, i, why, len);
    if (ok)
        pass(&k, X, dX, g, dg);
    if (gwhy != NULL)
        g_signs(&k, all, nk, ni, ok, gwhy, glen);
    for (e = nk - 1, x = nex - 1; ok && e >= 0; e--) {   /* top-down: the highest failing kink is reported */
        arb_srcptr G = arb_mat_entry(k.adj + kink[3 * e], kink[3 * e + 1], kink[3 * e + 2]);
        char a[VTXT], b[VTXT];
        if (x >= 0 && ex[5 * x] == e) {   /* t_e exactly 0 or 1, by a symmetry or a lone unit */
            fmpq_t t1;
            fmpq_init(t1);
            fmpq_set_si(t1, ex[5 * x + 1], 1);
            if (fmpq_cmp(lo + e, t1) > 0 || fmpq_cmp(t1, hi + e) > 0) {
                snprintf(why, len, "at kink %ld = [%ld, %ld, %ld] the stated interval does not contain the exact slope %ld",
                         (long) e, (long) kink[3 * e], (long) kink[3 * e + 1], (long) kink[3 * e + 2], (long) ex[5 * x + 1]);
                ok = 0;
            }
            fmpq_clear(t1);
            ok = ok && (ex[5 * x + 2] == VX_LONE_UNIT      ? lone_unit_ok(&k, X, kink, nk, ex + 5 * x, x, why, len)
                        : ex[5 * x + 2] == VX_SHARED_INPUT ? shared_input_ok(&k, X, kink, ex + 5 * x, x, why, len)
                                                           : exact_slope_ok(&k, X, kink, ex + 5 * x, x, why, len));
            x--;
            continue;
        }
        if (arb_contains_zero(G)) {
            snprintf(why, len, "at kink %ld = [%ld, %ld, %ld] the enclosure of G_e over the box is %s, which contains 0 "
                     "(t_e = mu_e / G_e is not determined)", (long) e, (long) kink[3 * e], (long) kink[3 * e + 1],
                     (long) kink[3 * e + 2], vx_arb_str(a, G));
            ok = 0;
            break;
        }
        arb_div(t, arb_mat_entry(k.m + kink[3 * e], kink[3 * e + 1], kink[3 * e + 2]), G, prec);
        if (!vx_ball_in(t, lo + e, hi + e)) {
            snprintf(why, len, "at kink %ld = [%ld, %ld, %ld] t_e = mu_e / G_e over the box is %s (G_e in %s), not inside "
                     "the stated interval", (long) e, (long) kink[3 * e], (long) kink[3 * e + 1], (long) kink[3 * e + 2],
                     vx_arb_str(a, t), vx_arb_str(b, G));
            ok = 0;
        }
    }
    for (i = 0; ok && i < sh->n; i++) {   /* the shifted implied kinks: their multiplier is s d there */
        const slong *m = imp + 3 * sh->q[2 * i];
        arb_srcptr G = arb_mat_entry(k.adj + m[0], m[1], m[2]);
        char a[VTXT], b[VTXT];
        arb_div(t, arb_mat_entry(k.m + m[0], m[1], m[2]), G, prec);
        if (arb_contains_zero(G) || !vx_ball_in(t, sh->lo + i, sh->hi + i)) {
            snprintf(why, len, "shifts[%ld]: at the implied kink [%ld, %ld, %ld] t_e = mu_e / G_e over the box is %s (G_e "
                     "in %s), not inside the stated interval", (long) i, (long) m[0], (long) m[1], (long) m[2],
                     vx_arb_str(a, t), vx_arb_str(b, G));
            ok = 0;
        }
    }
    arb_clear(t);
    box_clear(&k, X);
    flint_free(all);
    return ok;
}

/* The descent_direction claim (format §6.15, docs/refine.md §7.18) on the box of a
 * critical_point claim: along the direction D, the one-sided derivative w_e of every listed and
 * implied kink's pre-activation is decided layer by layer from below -- its enclosure > 0 (the
 * entry follows it: slope 1), < 0 or exactly 0 (slope 0) -- so that the network with those
 * slopes agrees with f to first order along D at theta*; then f'(theta*; D) is the derivative
 * of that network's objective along D (the seeds 0), enclosed over the box into rate. Returns
 * 0 (why) when a sign is not decided. The dead units' entries keep slope 0: their outgoing
 * weights are 0 at theta*, so they change f only at second order. */
int vx_descent_check(arb_t rate, const vx_problem *p, const vx_point *P, slong E, const vx_crit_pattern *pt,
                     const vx_point *D, slong prec, char *why, size_t len)
{
    slong nz = pt->nk + pt->ni, *all = flint_malloc((3 * nz + 1) * sizeof(slong)), l, e, b, i, j;
    vk k;
    arb_mat_struct *X;
    int ok;
    if (p->ce || P->collapsed || P->ns > 0 || D->collapsed || D->ns > 0 || D->ncols != P->ncols) {
        snprintf(why, len, "the claim is checked for the squared-error loss on an expanded point without scalars, "
                 "with a direction of the same layout");
        flint_free(all);
        return 0;
    }
    ok = box_open(&k, &X, p, P, E, pt, all, 0, prec, why, len);
    for (b = 0; b < k.nb; b++)
        arb_mat_set(X + k.nb + b, D->blk + b);
    for (l = 2; ok && l <= p->L + 1; l++) {   /* l = L + 1: the last pass, every slope decided */
        pass(&k, X, X + k.nb, X + 2 * k.nb, X + 3 * k.nb);
        for (e = 0; ok && l <= p->L && e < nz; e++) {
            arb_srcptr w = arb_mat_entry(k.dpre + l, all[3 * e + 1], all[3 * e + 2]);
            char a[VTXT];
            if (all[3 * e] != l)
                continue;
            if (!arb_is_positive(w) && !arb_is_negative(w) && !arb_is_zero(w)) {
                snprintf(why, len, "at %s %ld = [%ld, %ld, %ld] the derivative of the pre-activation along the direction "
                         "is %s over the box: its sign is not decided", e < pt->nk ? "kink" : "implied kink",
                         (long) (e < pt->nk ? e : e - pt->nk), (long) l, (long) all[3 * e + 1], (long) all[3 * e + 2],
                         vx_arb_str(a, w));
                ok = 0;
            }
            arb_set_si(arb_mat_entry(k.s + l, all[3 * e + 1], all[3 * e + 2]), arb_is_positive(w));
        }
    }
    arb_zero(rate);
    for (b = 0; ok && b < k.nb; b++)   /* <grad f_s, D> */
        for (i = 0; i < arb_mat_nrows(X + b); i++)
            for (j = 0; j < arb_mat_ncols(X + b); j++)
                arb_addmul(rate, arb_mat_entry(X + 2 * k.nb + b, i, j), arb_mat_entry(X + k.nb + b, i, j), prec);
    box_clear(&k, X);
    flint_free(all);
    return ok;
}
