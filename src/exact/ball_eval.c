/* Arb backend of the objective driver: rigorous enclosures of f and its gradient. */
#include <string.h>
#include "ball_priv.h"


/* op(A) as a matrix: A itself, or a transposed copy in tmp. */
static const arb_mat_struct *op(arb_mat_t tmp, const arb_mat_struct *A, int trans)
{
    if (!trans)
        return A;
    arb_mat_init(tmp, arb_mat_ncols(A), arb_mat_nrows(A));
    arb_mat_transpose(tmp, A);
    return tmp;
}

void _dnc_ball_mul_op(arb_mat_t C, const arb_mat_t A, int ta, const arb_mat_t B, int tb, slong prec)
{
    arb_mat_t tA, tB;
    const arb_mat_struct *a = op(tA, A, ta), *b = op(tB, B, tb);
    arb_mat_mul(C, a, b, prec);
    if (ta)
        arb_mat_clear(tA);
    if (tb)
        arb_mat_clear(tB);
}

static void b_mul(void *vctx, dnc_buf C, dnc_buf A, int ta, dnc_buf B, int tb)
{
    ball_ctx *ctx = vctx;
    _dnc_ball_mul_op(BUF(ctx, C), BUF(ctx, A), ta, BUF(ctx, B), tb, ctx->prec);
}

/* The fixed slopes of the ReLU layer whose pre-activation is buffer PRE (or NULL). */
static const arb_mat_struct *slope_of(const ball_ctx *ctx, dnc_buf PRE)
{
    slong l = PRE.id - DNC_BUF_ID(DNC_PRE, 0, ctx->x->p->L);
    return ctx->slope != NULL ? ctx->slope + l : NULL;
}

void dnc_ball_relu(arb_t out, const arb_t in)
{
    if (arb_is_nonnegative(in))
        arb_set(out, in);
    else if (arb_is_nonpositive(in))
        arb_zero(out);
    else
        arb_nonnegative_part(out, in);   /* relu([lo, hi]) = [0, hi] */
}

static void b_act(void *vctx, dnc_buf H, dnc_buf PRE, dnc_act_t a)
{
    ball_ctx *ctx = vctx;
    arb_mat_struct *h = BUF(ctx, H), *x = BUF(ctx, PRE);
    slong i, j;
    const arb_mat_struct *s = a == DNC_ACT_RELU ? slope_of(ctx, PRE) : NULL;
    if (ctx->pre != NULL)
        arb_mat_set(ctx->pre + (PRE.id - DNC_BUF_ID(DNC_PRE, 0, ctx->x->p->L)), x);
    for (i = 0; i < arb_mat_nrows(x); i++)
        for (j = 0; j < arb_mat_ncols(x); j++) {
            arb_ptr out = arb_mat_entry(h, i, j), in = arb_mat_entry(x, i, j);
            if (s != NULL)   /* fixed pattern: H = s .* PRE */
                arb_mul(out, in, arb_mat_entry(s, i, j), ctx->prec);
            else if (a == DNC_ACT_LINEAR)
                arb_set(out, in);
            else
                dnc_ball_relu(out, in);
        }
}

static void record_kink(ball_ctx *ctx, slong layer, slong row, slong col)
{
    dnc_beval_struct *e = ctx->e;
    if (e->nkinks == ctx->kink_cap) {
        ctx->kink_cap = 2 * ctx->kink_cap + 16;
        e->kinks = flint_realloc(e->kinks, ctx->kink_cap * sizeof(dnc_kink));
    }
    e->kinks[e->nkinks].layer = layer;
    e->kinks[e->nkinks].row = row;
    e->kinks[e->nkinks].col = col;
    e->nkinks++;
}

/* D <- D .* relu'(PRE), with relu' = [0, 1] where PRE's ball contains 0 (Clarke); with a
 * fixed pattern D <- D .* s + m (slopes s, seeds m), and no kinks. */
static void b_act_grad(void *vctx, dnc_buf D, dnc_buf PRE, dnc_act_t a, slong layer)
{
    ball_ctx *ctx = vctx;
    arb_mat_struct *d = BUF(ctx, D), *x = BUF(ctx, PRE);
    const arb_mat_struct *s = a == DNC_ACT_RELU ? slope_of(ctx, PRE) : NULL;
    slong i, j;
    arb_t zero;
    if (a == DNC_ACT_LINEAR)
        return;
    if (s != NULL) {
        if (ctx->adj != NULL)
            arb_mat_set(ctx->adj + layer, d);
        for (i = 0; i < arb_mat_nrows(x); i++)
            for (j = 0; j < arb_mat_ncols(x); j++) {
                arb_ptr g = arb_mat_entry(d, i, j);
                arb_mul(g, g, arb_mat_entry(s, i, j), ctx->prec);
                if (ctx->seed != NULL)
                    arb_add(g, g, arb_mat_entry(ctx->seed + layer, i, j), ctx->prec);
            }
        return;
    }
    arb_init(zero);
    for (i = 0; i < arb_mat_nrows(x); i++)
        for (j = 0; j < arb_mat_ncols(x); j++) {
            arb_ptr g = arb_mat_entry(d, i, j), in = arb_mat_entry(x, i, j);
            if (arb_is_positive(in))
                continue;
            if (arb_is_negative(in))
                arb_zero(g);
            else {
                arb_union(g, g, zero, ctx->prec);   /* g * [0, 1] */
                record_kink(ctx, layer, i, j);
            }
        }
    arb_clear(zero);
}

/* R <- Z + b 1^T - Y (b may be DNC_NO_BUF); with sub_y = 0 only the logits Z + b 1^T. */
void _dnc_ball_logits(ball_ctx *ctx, dnc_buf R, dnc_buf Z, dnc_buf b, int sub_y)
{
    arb_mat_struct *r = BUF(ctx, R), *z = BUF(ctx, Z);
    slong k, j;
    for (j = 0; j < arb_mat_ncols(z); j++)
        for (k = 0; k < arb_mat_nrows(z); k++) {
            arb_ptr out = arb_mat_entry(r, k, j);
            if (b.id >= 0)
                arb_add(out, arb_mat_entry(z, k, j), arb_mat_entry(BUF(ctx, b), k, 0), ctx->prec);
            else
                arb_set(out, arb_mat_entry(z, k, j));
            if (sub_y && ctx->x->label[j] == k)
                arb_sub_ui(out, out, 1, ctx->prec);
        }
}

static void b_add_sqnorm(void *vctx, int term, dnc_buf X, int weighted, dnc_const c)
{
    ball_ctx *ctx = vctx;
    arb_mat_struct *x = BUF(ctx, X);
    slong j, rows = arb_mat_nrows(x), cols = arb_mat_ncols(x);
    arb_t s, col;
    arb_init(s);
    arb_init(col);
    for (j = 0; j < cols && rows > 0; j++) {
        arb_srcptr v = arb_mat_entry(x, 0, j);
        arb_dot(col, NULL, 0, v, cols, v, cols, rows, ctx->prec);
        if (weighted)
            arb_mul_si(col, col, ctx->x->mult[j], ctx->prec);
        arb_add(s, s, col, ctx->prec);
    }
    arb_mul(s, s, CONST(ctx, c), ctx->prec);
    arb_mul_2exp_si(s, s, -1);
    arb_add(ctx->term[term], ctx->term[term], s, ctx->prec);
    arb_clear(s);
    arb_clear(col);
}

/* Cross-entropy of column j of the logits X, rigorous: the identity
 * log sum_i exp(x_i) - x_y = log1p(t) + (x_top - x_y), t = sum_{i != top} exp(x_i - x_top),
 * holds for any index top; the one with the largest midpoint keeps the exponentials about
 * 1 at most (no overflow) and t small when the fit is. Arb's exp and log1p are rigorous.
 * Into `loss`; the column is overwritten by s (softmax(x) - e_y) when want_grad. */
static void ce_column(arb_t loss, arb_mat_t X, slong j, slong y, const arb_t s, int want_grad, slong prec)
{
    slong i, top = 0, K = arb_mat_nrows(X);
    arb_t t, m, q;
    arb_init(t);
    arb_init(m);
    arb_init(q);
    for (i = 1; i < K; i++)
        if (arf_cmp(arb_midref(arb_mat_entry(X, i, j)), arb_midref(arb_mat_entry(X, top, j))) > 0)
            top = i;
    arb_set(m, arb_mat_entry(X, top, j));
    arb_sub(loss, m, arb_mat_entry(X, y, j), prec);
    for (i = 0; i < K; i++) {
        arb_ptr e = arb_mat_entry(X, i, j);
        if (i == top)
            arb_one(e);
        else {
            arb_sub(e, e, m, prec);
            arb_exp(e, e, prec);
            arb_add(t, t, e, prec);
        }
    }
    arb_log1p(q, t, prec);
    arb_add(loss, loss, q, prec);
    if (want_grad) {
        arb_add_ui(q, t, 1, prec);
        arb_div(q, s, q, prec);
        for (i = 0; i < K; i++)
            arb_mul(arb_mat_entry(X, i, j), arb_mat_entry(X, i, j), q, prec);
        arb_sub(arb_mat_entry(X, y, j), arb_mat_entry(X, y, j), s, prec);
    }
    arb_clear(t);
    arb_clear(m);
    arb_clear(q);
}

static void b_fit_ce(ball_ctx *ctx, dnc_buf G, dnc_buf Z, dnc_buf b, dnc_const c, int want_grad)
{
    arb_mat_struct *g = BUF(ctx, G);
    slong j;
    arb_t s, col;
    arb_init(s);
    arb_init(col);
    _dnc_ball_logits(ctx, G, Z, b, 0);
    for (j = 0; j < arb_mat_ncols(g); j++) {
        arb_mul_si(s, CONST(ctx, c), ctx->x->mult[j], ctx->prec);          /* c w_j */
        ce_column(col, g, j, ctx->x->label[j], s, want_grad, ctx->prec);
        arb_addmul(ctx->term[DNC_TERM_FIT], col, s, ctx->prec);
    }
    arb_clear(s);
    arb_clear(col);
}


/* MSE: the residual in G, its weighted squared norm, then G <- c R diag(w). */
static void b_fit(void *vctx, dnc_loss_t loss, dnc_buf G, dnc_buf Z, dnc_buf b, dnc_const c, int want_grad)
{
    ball_ctx *ctx = vctx;
    if (loss == DNC_LOSS_CE) {
        b_fit_ce(ctx, G, Z, b, c, want_grad);
        return;
    }
    _dnc_ball_logits(ctx, G, Z, b, 1);
    b_add_sqnorm(ctx, DNC_TERM_FIT, G, 1, c);
    if (want_grad)
        _dnc_ball_scale_cols(ctx, G, c, DNC_COLS_WEIGHT);
}

void _dnc_ball_scale_cols(void *vctx, dnc_buf X, dnc_const c, int mode)
{
    ball_ctx *ctx = vctx;
    arb_mat_struct *x = BUF(ctx, X);
    slong i, j;
    arb_t f;
    arb_init(f);
    for (j = 0; j < arb_mat_ncols(x); j++) {
        if (mode == DNC_COLS_WEIGHT)
            arb_mul_si(f, CONST(ctx, c), ctx->x->mult[j], ctx->prec);
        else
            arb_div_si(f, CONST(ctx, c), ctx->x->mult[j], ctx->prec);
        for (i = 0; i < arb_mat_nrows(x); i++)
            arb_mul(arb_mat_entry(x, i, j), arb_mat_entry(x, i, j), f, ctx->prec);
    }
    arb_clear(f);
}

static void b_add_scaled(void *vctx, dnc_buf D, dnc_buf X, dnc_const c)
{
    ball_ctx *ctx = vctx;
    arb_mat_struct *d = BUF(ctx, D), *x = BUF(ctx, X);
    slong i, j;
    for (i = 0; i < arb_mat_nrows(x); i++)
        for (j = 0; j < arb_mat_ncols(x); j++)
            arb_addmul(arb_mat_entry(d, i, j), arb_mat_entry(x, i, j), CONST(ctx, c), ctx->prec);
}

static void b_row_sums(void *vctx, dnc_buf d, dnc_buf X)
{
    ball_ctx *ctx = vctx;
    arb_mat_struct *x = BUF(ctx, X);
    slong i, j;
    for (i = 0; i < arb_mat_nrows(x); i++) {
        arb_ptr out = arb_mat_entry(BUF(ctx, d), i, 0);
        arb_zero(out);
        for (j = 0; j < arb_mat_ncols(x); j++)
            arb_add(out, out, arb_mat_entry(x, i, j), ctx->prec);
    }
}

const dnc_objective_ops _dnc_ball_ops = {
    b_mul, b_act, b_act_grad, b_fit, b_add_sqnorm, _dnc_ball_scale_cols, b_add_scaled, b_row_sums, NULL, NULL
};

/* ---- evaluation ---- */

void dnc_beval_init(dnc_beval_t e)
{
    memset(e, 0, sizeof(*e));
    arb_init(e->loss);
    arb_init(e->fit);
    arb_init(e->reg);
}

void dnc_beval_clear(dnc_beval_t e)
{
    if (e->has_grad)
        dnc_bpoint_clear(e->grad);
    flint_free(e->kinks);
    arb_clear(e->loss);
    arb_clear(e->fit);
    arb_clear(e->reg);
}

static void ctx_constants(ball_ctx *ctx, const dnc_problem_struct *p)
{
    slong l;
    ctx->c = _arb_vec_init(DNC_NCONSTS(p->L));
    arb_one(ctx->c + DNC_C_ONE);
    arb_set_ui(ctx->c + DNC_C_INV_N, (ulong) p->N);
    arb_inv(ctx->c + DNC_C_INV_N, ctx->c + DNC_C_INV_N, ctx->prec);
    arb_set_fmpq(ctx->c + DNC_C_LAMBDA_H, p->lambda_h, ctx->prec);
    for (l = 1; l <= p->L; l++)
        arb_set_fmpq(ctx->c + DNC_C_LAMBDA_W(l), p->lambda_w + l - 1, ctx->prec);
}

/* Owned temporaries: every buffer that is not a parameter or a gradient block. */
static void ctx_bind(ball_ctx *ctx, const dnc_bpoint_t x, dnc_beval_t e)
{
    dnc_problem_struct *p = x->p;
    slong L = p->L, l, r, c;
    int k, nb = DNC_NBUFS(L);
    ctx->buf = flint_calloc(nb, sizeof(arb_mat_struct *));
    ctx->own = flint_calloc(nb, sizeof(arb_mat_struct));
    for (k = 0; k < DNC_NKINDS; k++)
        for (l = 0; l <= L; l++) {
            int id = DNC_BUF_ID(k, l, L);
            int tmp = (k == DNC_PRE && l >= 2) || (k == DNC_H && l >= 2) || (k == DNC_DH && l >= 2)
                      || ((k == DNC_Z || k == DNC_R) && l == 0);
            if (!tmp)
                continue;
            dnc_objective_buf_shape(&r, &c, p, x->ncols, (dnc_buf_kind) k, l);
            arb_mat_init(ctx->own + id, r, c);
            ctx->buf[id] = ctx->own + id;
        }
    ctx->buf[DNC_BUF_ID(DNC_H, 1, L)] = (arb_mat_struct *) x->H1;
    ctx->buf[DNC_BUF_ID(DNC_B, 0, L)] = (arb_mat_struct *) x->b;
    for (l = 1; l <= L; l++)
        ctx->buf[DNC_BUF_ID(DNC_W, l, L)] = x->W + l - 1;
    if (e->has_grad) {
        ctx->buf[DNC_BUF_ID(DNC_DH, 1, L)] = e->grad->H1;
        ctx->buf[DNC_BUF_ID(DNC_GB, 0, L)] = e->grad->b;
        for (l = 1; l <= L; l++)
            ctx->buf[DNC_BUF_ID(DNC_GW, l, L)] = e->grad->W + l - 1;
    }
}

static void ctx_clear(ball_ctx *ctx, slong L)
{
    int id;
    for (id = 0; id < DNC_NBUFS(L); id++)
        if (ctx->buf[id] == ctx->own + id)
            arb_mat_clear(ctx->own + id);
    flint_free(ctx->buf);
    flint_free(ctx->own);
    _arb_vec_clear(ctx->c, DNC_NCONSTS(L));
    arb_clear(ctx->term[0]);
    arb_clear(ctx->term[1]);
}

void _dnc_ball_ctx_init(ball_ctx *ctx, dnc_beval_t e, const dnc_bpoint_t x, const arb_mat_struct *slope,
                        const arb_mat_struct *seed, arb_mat_struct *pre, int want_grad, slong prec)
{
    if (e->has_grad)
        dnc_bpoint_clear(e->grad);
    e->has_grad = want_grad;
    e->nkinks = 0;
    if (want_grad)   /* the gradient has the point's shape: same columns and multiplicities */
        dnc_bpoint_init_columns(e->grad, x->p, x->ncols, x->label, x->mult);
    memset(ctx, 0, sizeof(*ctx));
    ctx->x = x;
    ctx->e = e;
    ctx->prec = prec;
    ctx->kink_cap = 0;
    ctx->slope = slope;
    ctx->seed = slope != NULL ? seed : NULL;
    ctx->pre = pre;
    flint_free(e->kinks);
    e->kinks = NULL;
    arb_init(ctx->term[0]);
    arb_init(ctx->term[1]);
    ctx_constants(ctx, x->p);
    ctx_bind(ctx, x, e);
}

void _dnc_ball_ctx_finish(ball_ctx *ctx)
{
    dnc_beval_struct *e = ctx->e;
    arb_set(e->fit, ctx->term[DNC_TERM_FIT]);
    arb_set(e->reg, ctx->term[DNC_TERM_REG]);
    arb_add(e->loss, e->fit, e->reg, ctx->prec);
    ctx_clear(ctx, ctx->x->p->L);
}

void dnc_ball_eval_pattern(dnc_beval_t e, const dnc_bpoint_t x, const arb_mat_struct *slope,
                           const arb_mat_struct *seed, arb_mat_struct *pre, int want_grad, slong prec)
{
    ball_ctx ctx;
    _dnc_ball_ctx_init(&ctx, e, x, slope, seed, pre, want_grad, prec);
    dnc_objective_eval(x->p, &_dnc_ball_ops, &ctx, want_grad);
    _dnc_ball_ctx_finish(&ctx);
}

void dnc_ball_eval_pattern_adjoint(dnc_beval_t e, const dnc_bpoint_t x, const arb_mat_struct *slope,
                                   const arb_mat_struct *seed, arb_mat_struct *adj, slong prec)
{
    ball_ctx ctx;
    _dnc_ball_ctx_init(&ctx, e, x, slope, seed, NULL, 1, prec);
    ctx.adj = adj;
    dnc_objective_eval(x->p, &_dnc_ball_ops, &ctx, 1);
    _dnc_ball_ctx_finish(&ctx);
}

void dnc_ball_eval_frozen(dnc_beval_t e, const dnc_bpoint_t x, signed char *const *frozen, arb_mat_struct *pre,
                          int want_grad, slong prec)
{
    const dnc_problem_struct *p = x->p;
    arb_mat_struct *s = NULL;
    slong l, i, j;
    if (frozen != NULL) {   /* slope 1 where active, 0 elsewhere (exact balls) */
        s = flint_malloc((p->L + 1) * sizeof(arb_mat_struct));
        for (l = 0; l <= p->L; l++) {
            slong r = l >= 2 ? p->width[l - 1] : 0;
            arb_mat_init(s + l, r, l >= 2 ? x->ncols : 0);
            for (i = 0; i < r && frozen[l] != NULL; i++)
                for (j = 0; j < x->ncols; j++)
                    if (frozen[l][i + r * j] > 0)
                        arb_one(arb_mat_entry(s + l, i, j));
        }
    }
    dnc_ball_eval_pattern(e, x, s, NULL, pre, want_grad, prec);
    for (l = 0; s != NULL && l <= p->L; l++)
        arb_mat_clear(s + l);
    flint_free(s);
}

void dnc_ball_eval(dnc_beval_t e, const dnc_bpoint_t x, int want_grad, slong prec)
{
    dnc_ball_eval_pattern(e, x, NULL, NULL, NULL, want_grad, prec);
}

static int mat_all(const arb_mat_struct *m, int (*fn)(arb_srcptr, void *), void *arg)
{
    slong i, j;
    for (i = 0; i < arb_mat_nrows(m); i++)
        for (j = 0; j < arb_mat_ncols(m); j++)
            if (!fn(arb_mat_entry(m, i, j), arg))
                return 0;
    return 1;
}

int dnc_beval_grad_all(const dnc_beval_t e, int (*fn)(arb_srcptr, void *), void *arg)
{
    const dnc_bpoint_struct *g = e->grad;
    slong l;
    if (!mat_all(g->H1, fn, arg) || !mat_all(g->b, fn, arg))
        return 0;
    for (l = 0; l < g->p->L; l++)
        if (!mat_all(g->W + l, fn, arg))
            return 0;
    return 1;
}

static int entry_contains_zero(arb_srcptr x, void *arg)
{
    (void) arg;
    return arb_contains_zero(x);
}

static int entry_max_radius(arb_srcptr x, void *arg)
{
    double r = mag_get_d(arb_radref(x)), *m = arg;
    if (r > *m)
        *m = r;
    return 1;
}

int dnc_beval_grad_contains_zero(const dnc_beval_t e)
{
    return e->has_grad && dnc_beval_grad_all(e, entry_contains_zero, NULL);
}

double dnc_beval_grad_max_radius(const dnc_beval_t e)
{
    double m = 0.0;
    if (e->has_grad)
        dnc_beval_grad_all(e, entry_max_radius, &m);
    return m;
}
