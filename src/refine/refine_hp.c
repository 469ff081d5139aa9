/* The high-precision stage of dncert refine (docs/refine.md §4): chord iterations in Arb on the
 * KKT system of the pattern the double stage converged on.
 *
 * Unknowns z = (free parameters, multipliers), F(z) = [gradient of the Lagrangian
 * f_0 + sum_e mu_e ubar_e on the free parameters; ubar_e on the kinks], evaluated by the one
 * objective definition in its Arb backend with the fixed pattern (dnc_ball_eval_pattern:
 * slopes 1 on P+, 0 elsewhere; seeds mu on the kinks). The Jacobian J is taken once, at the
 * double solution, by forward differences in Arb (step 2^(-prec/2): accurate far beyond the
 * double it is rounded to), and Y = J^+ is its pseudo-inverse in double with the singular
 * values below hp_rcond times the largest cut: those directions are the continuous
 * symmetries (and, where LICQ fails, the multiplier family), along which the solutions form
 * a manifold. Each chord step z <- z - Y F(z) moves across that manifold and multiplies the
 * error by about ||I - Y J|| on the rest, some 1e-12 here: a dozen digits per step. Y F is
 * formed in double after scaling F by a power of 2: a relative error 1e-16 in the product is
 * a perturbation of Y of that size, which only changes the contraction slightly. The
 * iterates are Arb midpoints, i.e. dyadic rationals of at most prec bits: an exact point. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>
#include "dncert/exact.h"
#include "dncert/io.h"
#include "refine_priv.h"

typedef struct {
    refine_ctx *c;
    slong prec, m;
    dnc_bpoint_t x;
    arb_ptr *v, *g;          /* parameter i of x and of the last gradient (trainer layout) */
    arb_mat_struct *slope, *seed, *pre;   /* L + 1 each; entries 2..L of ReLU layers used */
    dnc_beval_t e;
} hp_ctx;

static arb_ptr entry(arb_mat_struct *m, slong k)
{
    return arb_mat_entry(m, k % arb_mat_nrows(m), k / arb_mat_nrows(m));
}

static void hp_init(hp_ctx *h, refine_ctx *c, const double *theta)
{
    slong l, i, L = c->L;
    memset(h, 0, sizeof(*h));
    h->c = c;
    h->prec = c->o->prec;
    h->m = c->nfree + c->nk;
    dnc_bpoint_init(h->x, c->p);
    dnc_bpoint_set_theta(h->x, theta);
    h->v = flint_malloc(c->n * sizeof(arb_ptr));
    h->g = flint_malloc(c->n * sizeof(arb_ptr));
    dnc_bpoint_entries(h->v, h->x);
    h->slope = flint_malloc(3 * (L + 1) * sizeof(arb_mat_struct));
    h->seed = h->slope + L + 1;
    h->pre = h->seed + L + 1;
    for (l = 0; l <= L; l++) {
        slong r = l >= 2 ? c->p->width[l - 1] : 0, cols = l >= 2 ? c->N : 0;
        arb_mat_init(h->slope + l, r, cols);
        arb_mat_init(h->seed + l, r, cols);
        arb_mat_init(h->pre + l, r, cols);
        for (i = 0; _dnc_refine_is_relu(c, l) && i < r * cols; i++)
            if (c->state[l][i] == ST_PLUS)
                arb_one(entry(h->slope + l, i));
    }
    dnc_beval_init(h->e);
}

static void hp_clear(hp_ctx *h)
{
    slong l;
    for (l = 0; l <= h->c->L; l++) {
        arb_mat_clear(h->slope + l);
        arb_mat_clear(h->seed + l);
        arb_mat_clear(h->pre + l);
    }
    flint_free(h->slope);
    flint_free(h->v);
    flint_free(h->g);
    dnc_beval_clear(h->e);
    dnc_bpoint_clear(h->x);
}

/* F <- F(z) (m entries), x's parameters and the seeds set from z. */
static void hp_F(hp_ctx *h, arb_ptr F, arb_srcptr z)
{
    refine_ctx *c = h->c;
    slong i, k;
    for (i = 0; i < c->nfree; i++)
        arb_set(h->v[c->free_idx[i]], z + i);
    for (k = 0; k < c->nk; k++)
        arb_set(entry(h->seed + c->kl[k], c->ke[k]), z + c->nfree + k);
    dnc_ball_eval_pattern(h->e, h->x, h->slope, h->seed, h->pre, 1, h->prec);
    dnc_bpoint_entries(h->g, h->e->grad);
    for (i = 0; i < c->nfree; i++)
        arb_set(F + i, h->g[c->free_idx[i]]);
    for (k = 0; k < c->nk; k++)
        arb_set(F + c->nfree + k, entry(h->pre + c->kl[k], c->ke[k]));
}

/* log10 of an upper bound on max |F_i| (-inf when F = 0; +inf when not finite). */
static double max_log10(arb_srcptr F, slong m)
{
    arf_t u, a, mant;
    fmpz_t e;
    slong i;
    double r;
    arf_init(u); arf_init(a); arf_init(mant);
    fmpz_init(e);
    for (i = 0; i < m; i++) {
        arb_get_abs_ubound_arf(a, F + i, 53);
        if (arf_cmp(a, u) > 0)
            arf_swap(a, u);
    }
    if (arf_is_zero(u))
        r = -INFINITY;
    else if (!arf_is_finite(u))
        r = INFINITY;
    else {
        arf_frexp(mant, e, u);
        r = log10(arf_get_d(mant, ARF_RND_UP)) + fmpz_get_d(e) * log10(2.0);
    }
    arf_clear(u); arf_clear(a); arf_clear(mant);
    fmpz_clear(e);
    return r;
}

/* J (m x m, column-major, double) <- the Jacobian of F at z by forward differences in Arb:
 * step about 2^(-prec/2) relative in the parameters, 1 in the multipliers (F is affine in
 * them). F0 = F(z); z is restored. */
static void hp_jacobian(hp_ctx *h, double *J, arb_ptr z, arb_srcptr F0)
{
    slong m = h->m, i, k;
    arb_ptr F1 = _arb_vec_init(m);
    arb_t zi, step;
    arb_init(zi);
    arb_init(step);
    for (i = 0; i < m; i++) {
        arb_set(zi, z + i);
        if (i < h->c->nfree) {
            slong ex = arf_is_zero(arb_midref(zi)) ? 0 : FLINT_MAX(0, arf_abs_bound_lt_2exp_si(arb_midref(zi)));
            arb_one(step);
            arb_mul_2exp_si(step, step, ex - h->prec / 2);
        } else
            arb_one(step);
        arb_add(z + i, zi, step, h->prec);
        mag_zero(arb_radref(z + i));
        arb_sub(step, z + i, zi, h->prec);   /* the step actually taken */
        hp_F(h, F1, z);
        for (k = 0; k < m; k++) {
            arb_sub(F1 + k, F1 + k, F0 + k, h->prec);
            arb_div(F1 + k, F1 + k, step, h->prec);
            J[k + i * m] = arf_get_d(arb_midref(F1 + k), ARF_RND_NEAR);
        }
        arb_swap(z + i, zi);
    }
    _arb_vec_clear(F1, m);
    arb_clear(zi);
    arb_clear(step);
}

/* Y (m x m) <- the pseudo-inverse of J with singular values below rcond times the largest
 * cut; J is destroyed. Sets the rank and the gap (last kept over first cut). Returns 0, or
 * -1 when memory is short or the SVD fails. */
static int pinv(double *Y, double *J, slong m, double rcond, slong *rank, double *gap)
{
    double *S = malloc(m * sizeof(double)), *U = malloc((size_t) m * m * sizeof(double));
    double *VT = malloc((size_t) m * m * sizeof(double));
    slong i, k, r = 0;
    int bad = !S || !U || !VT;
    if (!bad)
        bad = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'A', (int) m, (int) m, J, (int) m, S, U, (int) m, VT, (int) m) != 0;
    if (!bad) {
        while (r < m && S[r] > rcond * S[0])
            r++;
        *rank = r;
        *gap = r < m ? (S[r] > 0 ? S[r - 1] / S[r] : INFINITY) : INFINITY;
        for (k = 0; k < r; k++)   /* U <- U diag(1/s) on the kept columns */
            for (i = 0; i < m; i++)
                U[i + k * m] /= S[k];
        if (r > 0)
            cblas_dgemm(CblasColMajor, CblasTrans, CblasTrans, (int) m, (int) m, (int) r, 1.0, VT, (int) m, U, (int) m,
                        0.0, Y, (int) m);
        else
            memset(Y, 0, (size_t) m * m * sizeof(double));
    }
    free(S); free(U); free(VT);
    return bad ? -1 : 0;
}

/* z <- mid(z - Y F): F scaled by a power of 2 into double range, the product in double. */
static void chord_step(arb_ptr znew, arb_srcptr z, arb_srcptr F, const double *Y, slong m, slong prec, double *f,
                       double *dz)
{
    slong i, sh = 0;
    for (i = 0; i < m; i++)
        if (!arf_is_zero(arb_midref(F + i)))
            sh = FLINT_MAX(sh, -arf_abs_bound_lt_2exp_si(arb_midref(F + i)));
    for (i = 0; i < m; i++) {
        arf_t t;
        arf_init(t);
        arf_mul_2exp_si(t, arb_midref(F + i), sh);
        f[i] = arf_get_d(t, ARF_RND_NEAR);
        arf_clear(t);
    }
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int) m, (int) m, 1.0, Y, (int) m, f, 1, 0.0, dz, 1);
    for (i = 0; i < m; i++) {
        arb_set_d(znew + i, dz[i]);
        arb_mul_2exp_si(znew + i, znew + i, -sh);
        arb_sub(znew + i, z + i, znew + i, prec);
        mag_zero(arb_radref(znew + i));
    }
}

/* The entries of P+ not certified > 0 and of P- not certified < 0 at the last evaluation;
 * they become kinks in c's pattern (_dnc_refine_make_kink, as in the double stage's sign
 * check), for the caller to solve again. Returns how many. */
static slong signs_lost(hp_ctx *h)
{
    refine_ctx *c = h->c;
    slong l, i, lost = 0;
    for (l = 2; l <= c->L; l++)
        for (i = 0; _dnc_refine_is_relu(c, l) && i < c->p->width[l - 1] * c->N; i++) {
            signed char s = c->state[l][i];
            if ((s == ST_PLUS && !arb_is_positive(entry(h->pre + l, i)))
                || (s == ST_MINUS && !arb_is_negative(entry(h->pre + l, i)))) {
                _dnc_refine_make_kink(c, l, i);
                lost++;
            }
        }
    return lost;
}

/* Chord iterations from z until the residual stops falling by a factor 4 or the step limit;
 * z and F end at the best iterate. Returns its residual (log10). */
static double chord(hp_ctx *h, arb_ptr z, arb_ptr F, const double *Y)
{
    refine_ctx *c = h->c;
    slong m = h->m;
    arb_ptr z2 = _arb_vec_init(m), F2 = _arb_vec_init(m);
    double *f = malloc(m * sizeof(double)), *dz = malloc(m * sizeof(double));
    double r = max_log10(F, m), r2;
    char b[32];
    while (f != NULL && dz != NULL && c->info->hp_steps < c->o->hp_max_steps) {
        chord_step(z2, z, F, Y, m, h->prec, f, dz);
        hp_F(h, F2, z2);
        r2 = max_log10(F2, m);
        if (!(r2 < r - log10(4.0)))
            break;
        c->info->hp_contraction = pow(10.0, r2 - r);
        _arb_vec_swap(z, z2, m);
        _arb_vec_swap(F, F2, m);
        r = r2;
        c->info->hp_steps++;
        _dnc_refine_say(c, "  chord step %ld at %ld bits: max |KKT residual| %s", (long) c->info->hp_steps,
                        (long) h->prec, _dnc_refine_bound_str(b, r));
    }
    hp_F(h, F, z);   /* leave x, pre and the seeds at z */
    _arb_vec_clear(z2, m);
    _arb_vec_clear(F2, m);
    free(f);
    free(dz);
    return r;
}

/* The loss of the exact point x (the true objective, not the pattern's) into the info. */
static void hp_loss(hp_ctx *h)
{
    dnc_refine_info *info = h->c->info;
    char *s;
    dnc_ball_eval(h->e, h->x, 0, h->prec);
    s = dnc_arb_proven_decimal(h->e->loss, 60);
    snprintf(info->hp_loss, sizeof(info->hp_loss), "%s", s);
    flint_free(s);
    info->hp_loss_digits = arb_rel_accuracy_bits(h->e->loss) * log10(2.0);
}

int _dnc_refine_hp(refine_ctx *c, double *theta, fmpq *exact)
{
    hp_ctx h;
    slong m = c->nfree + c->nk, i;
    double t0 = dnc_seconds_now();
    double *J = malloc((size_t) m * m * sizeof(double)), *Y = malloc((size_t) m * m * sizeof(double));
    arb_ptr z, F;
    dnc_refine_info *info = c->info;
    char b[32];
    if (J == NULL || Y == NULL) {
        free(J);
        free(Y);
        return -1;
    }
    hp_init(&h, c, theta);
    z = _arb_vec_init(m);
    F = _arb_vec_init(m);
    for (i = 0; i < c->nfree; i++)
        arb_set_d(z + i, theta[c->free_idx[i]]);
    for (i = 0; i < c->nk; i++)
        arb_set_d(z + c->nfree + i, c->mu[i]);
    info->hp_prec = h.prec;
    info->hp_size = m;
    hp_F(&h, F, z);
    hp_jacobian(&h, J, z, F);
    if (pinv(Y, J, m, c->o->hp_rcond, &info->hp_rank, &info->hp_gap) == 0) {
        _dnc_refine_say(c, "high precision (%ld bits): KKT Jacobian %ld x %ld of rank %ld (null space %ld, "
                        "gap %.1e); max |KKT residual| %s at the double point", (long) h.prec, (long) m,
                        (long) m, (long) info->hp_rank, (long) (m - info->hp_rank), info->hp_gap,
                        _dnc_refine_bound_str(b, max_log10(F, m)));
        info->hp_residual_log10 = chord(&h, z, F, Y);
    } else
        info->hp_residual_log10 = max_log10(F, m);
    info->hp_signs_lost = signs_lost(&h);
    info->hp_signs_kept = info->hp_signs_lost == 0;
    for (i = 0; i < c->nk; i++)
        c->mu[i] = arf_get_d(arb_midref(z + c->nfree + i), ARF_RND_NEAR);
    for (i = 0; i < c->n; i++) {
        arf_get_fmpq(exact + i, arb_midref(h.v[i]));
        theta[i] = arf_get_d(arb_midref(h.v[i]), ARF_RND_NEAR);
    }
    hp_loss(&h);
    info->hp_seconds = dnc_seconds_now() - t0;
    _arb_vec_clear(z, m);
    _arb_vec_clear(F, m);
    hp_clear(&h);
    free(J);
    free(Y);
    return 0;
}
