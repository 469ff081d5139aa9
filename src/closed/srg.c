/* The SRG low-rank competitor (Súkeník, Lampert, Mondelli, NeurIPS 2024): classes are
 * the edges of K_r, H1 has rank r, and one ReLU layer turns B^T B - J into the identity.
 * Derivations: docs/math/srg.md. */
#include <stdio.h>
#include "lowrank.h"

/* C(447, 2) = 99681 is the largest K_r edge count within DNC_MAX_K. */
#define SRG_MAX_R 447

static int check_r(slong r, char *err, size_t errlen)
{
    if (r < 3) {
        snprintf(err, errlen, "--r: must be an integer >= 3 (got %ld)", (long) r);
        return -1;
    }
    if (r > SRG_MAX_R) {
        snprintf(err, errlen, "--r: SRG with r = %ld has K = %ld classes, above the limit %d",
                 (long) r, (long) dnc_comb_binom2(r), DNC_MAX_K);
        return -1;
    }
    return 0;
}

/* The SRG design block: B = incidence of K_r, W = B^T - J/2 (checked: ReLU(W B) = I). */
static int srg_block(dnc_lr_block *b, slong r, int embedded)
{
    fmpz_mat_t B;
    int ok;
    fmpz_mat_init(B, r, dnc_comb_binom2(r));
    dnc_comb_kr_incidence(B, r);
    ok = dnc_lr_block_init_design(b, "srg", B);
    snprintf(b->formula, sizeof(b->formula), "%s",
             embedded ? "P K^(L+1) r^(L-1)/(2 C(r,2)^(L-2))" : "P K^3 r^(L-1)/2");
    fmpz_mat_clear(B);
    return ok;
}

/* Validates r and p for the SRG point; 0 or -1 with a message. */
static int srg_check(const dnc_problem_t p, slong r, int embed, char *err, size_t errlen)
{
    char what[48];
    if (check_r(r, err, errlen))
        return -1;
    snprintf(what, sizeof(what), "SRG with r = %ld", (long) r);
    return dnc_lr_check(p, what, "r", r, dnc_comb_binom2(r), embed, err, errlen);
}

int dnc_closed_srg(dnc_closed_t out, dnc_problem_t p, slong r, int embed, slong prec,
                   char *err, size_t errlen)
{
    int embedded = r >= 3 && r <= SRG_MAX_R && p->K > dnc_comb_binom2(r), rc;
    dnc_lr_block b;
    dnc_closed_init(out, p, embed && embedded ? "srg-embedded" : "srg", prec);
    if (srg_check(p, r, embed, err, errlen))
        return -1;
    if (!srg_block(&b, r, embedded)) {
        snprintf(err, errlen, "SRG with r = %ld: ReLU((B^T - J/2) B) is not a multiple of I "
                 "(this is a bug; please report it)", (long) r);
        dnc_lr_block_clear(&b);
        return -1;
    }
    rc = dnc_lr_run(out, &b, err, errlen);
    dnc_lr_block_clear(&b);
    return rc;
}

int dnc_closed_srg_q(fmpq_t Q, const dnc_problem_t p, slong r)
{
    dnc_lr_block b;
    int ok;
    if (r < 3 || r > SRG_MAX_R || p->L < 2 || !dnc_problem_is_balanced(p) || p->K < dnc_comb_binom2(r))
        return 0;
    ok = srg_block(&b, r, p->K > dnc_comb_binom2(r));
    if (ok)
        dnc_lr_block_q(Q, &b, p);
    dnc_lr_block_clear(&b);
    return ok;
}

int dnc_closed_srg_beats_dnc(const dnc_problem_t p, slong r, int embed)
{
    char err[256];
    dnc_lr_block b;
    int ok;
    /* Only a point that exists for p can beat anything. */
    if (srg_check(p, r, embed, err, sizeof(err)))
        return 0;
    ok = srg_block(&b, r, p->K > dnc_comb_binom2(r)) && dnc_lr_beats_dnc(&b, p);
    dnc_lr_block_clear(&b);
    return ok;
}

int dnc_closed_srg_mtilde(fmpq_mat_t M, slong r, slong K)
{
    dnc_lr_block b;
    int ok;
    if (r < 3 || r > SRG_MAX_R)
        return 0;
    ok = srg_block(&b, r, K > dnc_comb_binom2(r)) && dnc_lr_mtilde(M, &b, K);
    dnc_lr_block_clear(&b);
    return ok;
}
