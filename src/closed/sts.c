/* The Steiner-triple-system competitor (the 2-design generalisation of SRG): classes are
 * the blocks of an STS(v), H1 has rank v, and ReLU((B^T - J/3) B) = 2 I.
 * Derivations: docs/math/srg.md. */
#include <stdio.h>
#include "lowrank.h"

/* v(v-1)/6 <= DNC_MAX_K up to v = 775. */
#define STS_MAX_V 775

static int check_v(slong v, char *err, size_t errlen)
{
    if (v > STS_MAX_V) {
        snprintf(err, errlen, "--v: STS(%ld) has K = %ld classes, above the limit %d",
                 (long) v, (long) dnc_comb_sts_nblocks(v), DNC_MAX_K);
        return -1;
    }
    if (v == 1 || v == 3) {
        snprintf(err, errlen, "--v: STS(%ld) has %s block (need v ≡ 1 or 3 mod 6, v >= 7)",
                 (long) v, v == 1 ? "no" : "a single");
        return -1;
    }
    if (!dnc_comb_sts_admissible(v)) {
        snprintf(err, errlen, "--v: no Steiner triple system of order %ld exists "
                 "(need v ≡ 1 or 3 mod 6, v >= 7)", (long) v);
        return -1;
    }
    return 0;
}

/* The STS design block: B = point-block incidence, W = B^T - J/3 (checked: ReLU(W B) = 2 I). */
static int sts_block(dnc_lr_block *b, slong v, int embedded)
{
    fmpz_mat_t B;
    int ok;
    fmpz_mat_init(B, v, dnc_comb_sts_nblocks(v));
    ok = dnc_comb_sts_incidence(B, v);
    ok = dnc_lr_block_init_design(b, "sts", B) && ok;
    snprintf(b->formula, sizeof(b->formula), "%s",
             embedded ? "P K^(L+1) v^(L-2)(v+9)/(12 K_sts^(L-2))" : "P K^3 v^(L-2)(v+9)/12");
    fmpz_mat_clear(B);
    return ok;
}

static int sts_check(const dnc_problem_t p, slong v, int embed, char *err, size_t errlen)
{
    char what[48];
    if (check_v(v, err, errlen))
        return -1;
    snprintf(what, sizeof(what), "STS(%ld)", (long) v);
    return dnc_lr_check(p, what, "v", v, dnc_comb_sts_nblocks(v), embed, err, errlen);
}

int dnc_closed_sts(dnc_closed_t out, dnc_problem_t p, slong v, int embed, slong prec,
                   char *err, size_t errlen)
{
    int embedded = dnc_comb_sts_admissible(v) && v <= STS_MAX_V && p->K > dnc_comb_sts_nblocks(v), rc;
    dnc_lr_block b;
    dnc_closed_init(out, p, embed && embedded ? "sts-embedded" : "sts", prec);
    if (sts_check(p, v, embed, err, errlen))
        return -1;
    if (!sts_block(&b, v, embedded)) {
        snprintf(err, errlen, "STS(%ld): the construction failed its exact check "
                 "(this is a bug; please report it)", (long) v);
        dnc_lr_block_clear(&b);
        return -1;
    }
    rc = dnc_lr_run(out, &b, err, errlen);
    dnc_lr_block_clear(&b);
    return rc;
}

int dnc_closed_sts_q(fmpq_t Q, const dnc_problem_t p, slong v)
{
    dnc_lr_block b;
    int ok;
    if (!dnc_comb_sts_admissible(v) || v > STS_MAX_V || p->L < 2 || !dnc_problem_is_balanced(p)
        || p->K < dnc_comb_sts_nblocks(v))
        return 0;
    ok = sts_block(&b, v, p->K > dnc_comb_sts_nblocks(v));
    if (ok)
        dnc_lr_block_q(Q, &b, p);
    dnc_lr_block_clear(&b);
    return ok;
}

int dnc_closed_sts_beats_dnc(const dnc_problem_t p, slong v, int embed)
{
    char err[256];
    dnc_lr_block b;
    int ok;
    if (sts_check(p, v, embed, err, sizeof(err)))
        return 0;
    ok = sts_block(&b, v, p->K > dnc_comb_sts_nblocks(v)) && dnc_lr_beats_dnc(&b, p);
    dnc_lr_block_clear(&b);
    return ok;
}

int dnc_closed_sts_mtilde(fmpq_mat_t M, slong v, slong K)
{
    dnc_lr_block b;
    int ok;
    if (!dnc_comb_sts_admissible(v) || v > STS_MAX_V)
        return 0;
    ok = sts_block(&b, v, K > dnc_comb_sts_nblocks(v)) && dnc_lr_mtilde(M, &b, K);
    dnc_lr_block_clear(&b);
    return ok;
}
