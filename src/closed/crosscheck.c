/* Checks of a closed-form construction against the one objective definition: the loss
 * of the explicit point, stationarity there, and orthogonality of class means. Every
 * function returns 1 = proven, 0 = not proven. */
#include "dncert/closed.h"

/* The radius is below 2^-(prec-60): tight enough for an overlap to mean agreement. */
static int rad_small(const arb_t x, slong prec)
{
    return arb_is_finite(x) && mag_cmp_2exp_si(arb_radref(x), -(prec - 60)) < 0;
}

int dnc_closed_point_loss(arb_t f, const dnc_closed_t c, slong prec)
{
    dnc_beval_t e;
    if (!c->has_point)
        return 0;
    dnc_beval_init(e);
    dnc_ball_eval(e, c->point, 0, prec);
    arb_set(f, e->loss);
    dnc_beval_clear(e);
    return arb_is_finite(f);
}

int dnc_closed_crosscheck(const dnc_closed_t c, slong prec)
{
    arb_t f;
    int ok;
    arb_init(f);
    ok = dnc_closed_point_loss(f, c, prec) && rad_small(f, prec) && rad_small(c->loss, prec)
         && arb_overlaps(f, c->loss);
    arb_clear(f);
    return ok;
}

static int zero_in_small(arb_srcptr x, void *prec)
{
    return arb_contains_zero(x) && rad_small(x, *(const slong *) prec);
}

int dnc_closed_check_stationary(const dnc_closed_t c, slong prec, slong *nkinks)
{
    dnc_beval_t e;
    int ok;
    if (nkinks != NULL)
        *nkinks = 0;
    if (!c->has_point)
        return 0;
    dnc_beval_init(e);
    dnc_ball_eval(e, c->point, 1, prec);
    ok = dnc_beval_grad_all(e, zero_in_small, &prec);
    if (nkinks != NULL)
        *nkinks = e->nkinks;
    dnc_beval_clear(e);
    return ok;
}

/* The activation pattern of the point: 1 where a ReLU pre-activation is proven > 0, else 0
 * (negative, or a kink); frozen[l] for l = 2..L, column-major as dnc_ball_eval_frozen takes it. */
static signed char **inactive_kinks(const dnc_bpoint_t x, slong prec)
{
    const dnc_problem_struct *p = x->p;
    signed char **frozen = flint_calloc(p->L + 1, sizeof(signed char *));
    arb_mat_struct *pre = flint_malloc((p->L + 1) * sizeof(arb_mat_struct));
    dnc_beval_t e;
    slong l, i, j;
    for (l = 0; l <= p->L; l++)
        arb_mat_init(pre + l, l >= 2 ? p->width[l - 1] : 0, l >= 2 ? x->ncols : 0);
    dnc_beval_init(e);
    dnc_ball_eval_frozen(e, x, NULL, pre, 0, prec);
    dnc_beval_clear(e);
    for (l = 2; l <= p->L; l++) {
        frozen[l] = flint_malloc(arb_mat_nrows(pre + l) * x->ncols + 1);
        for (j = 0; j < x->ncols; j++)
            for (i = 0; i < arb_mat_nrows(pre + l); i++)
                frozen[l][i + arb_mat_nrows(pre + l) * j] = arb_is_positive(arb_mat_entry(pre + l, i, j));
    }
    for (l = 0; l <= p->L; l++)
        arb_mat_clear(pre + l);
    flint_free(pre);
    return frozen;
}

static int zero_in(arb_srcptr x, void *unused)
{
    (void) unused;
    return arb_contains_zero(x);
}

int dnc_closed_check_critical(const dnc_closed_t c, slong prec, slong *nkinks)
{
    dnc_beval_t e;
    signed char **frozen;
    slong l;
    int ok;
    if (nkinks != NULL)
        *nkinks = 0;
    if (!c->has_point)
        return 0;
    dnc_beval_init(e);
    dnc_ball_eval(e, c->point, 1, prec);                 /* (i) the Clarke enclosure */
    ok = dnc_beval_grad_all(e, zero_in, NULL);
    if (nkinks != NULL)
        *nkinks = e->nkinks;
    dnc_beval_clear(e);
    frozen = inactive_kinks(c->point, prec);             /* (ii) grad f_0, every kink inactive */
    dnc_beval_init(e);
    dnc_ball_eval_frozen(e, c->point, frozen, NULL, 1, prec);
    ok = ok && dnc_beval_grad_all(e, zero_in_small, &prec);
    dnc_beval_clear(e);
    for (l = 0; l <= c->p->L; l++)
        flint_free(frozen[l]);
    flint_free(frozen);
    return ok;
}

/* out <- sigma(W H) entrywise, with the evaluator's ReLU on balls. Entries are explicit dot
 * products, so that an exact zero times anything stays an exact zero. */
static void layer_forward(arb_mat_t out, const arb_mat_t W, const arb_mat_t H, dnc_act_t act, slong prec)
{
    slong i, j, d = arb_mat_ncols(W), K = arb_mat_ncols(H);
    for (i = 0; i < arb_mat_nrows(out); i++)
        for (j = 0; j < K; j++) {
            arb_ptr x = arb_mat_entry(out, i, j);
            arb_dot(x, NULL, 0, arb_mat_entry(W, i, 0), 1, arb_mat_entry(H, 0, j), K, d, prec);
            if (act == DNC_ACT_RELU)
                dnc_ball_relu(x, x);
        }
}

/* Gram matrix H^T H: off-diagonal entries exactly 0, diagonal entries > 0. */
static int gram_diagonal(const arb_mat_t H, slong prec)
{
    slong i, j, d = arb_mat_nrows(H), K = arb_mat_ncols(H);
    arb_t g;
    int ok = 1;
    arb_init(g);
    for (i = 0; i < K && ok; i++)
        for (j = 0; j < K && ok; j++) {
            arb_dot(g, NULL, 0, arb_mat_entry(H, 0, i), K, arb_mat_entry(H, 0, j), K, d, prec);
            ok = (i == j) ? arb_is_positive(g) : arb_is_zero(g);
        }
    arb_clear(g);
    return ok;
}

int dnc_closed_gram_is_diagonal(const dnc_closed_t c, slong layer, slong prec)
{
    const dnc_problem_struct *p = c->p;
    arb_mat_t H, T;
    slong l;
    int ok;
    if (!c->has_point || layer < 1 || layer > p->L || c->point->ncols != p->K)
        return 0;
    arb_mat_init(H, arb_mat_nrows(c->point->H1), p->K);
    arb_mat_set(H, c->point->H1);
    for (l = 1; l < layer; l++) {
        arb_mat_init(T, p->width[l], p->K);
        layer_forward(T, c->point->W + l - 1, H, p->act[l - 1], prec);
        arb_mat_swap(H, T);
        arb_mat_clear(T);
    }
    ok = gram_diagonal(H, prec);
    arb_mat_clear(H);
    return ok;
}
