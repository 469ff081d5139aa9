/* The SRG low-rank design (Súkeník, Lampert, Mondelli, NeurIPS 2024): classes are the
 * edges of K_r, H1 has rank r, and one ReLU layer turns B^T B - J into the identity.
 * Derivations: docs/math/srg.md; the block engine: design.c and lowrank.c. */
#include "dncert/closed.h"

/* Every r in [3, 447] has one: C(447, 2) = 99681 is the largest edge count within DNC_MAX_K. */
static int srg_exists(slong r, char *err, size_t errlen)
{
    (void) r;
    (void) err;
    (void) errlen;
    return 1;
}

static int srg_incidence(fmpz_mat_t B, slong r)
{
    dnc_comb_kr_incidence(B, r);
    return 1;
}

const dnc_design dnc_design_srg = {
    3, 447, srg_exists, dnc_comb_binom2, srg_incidence, "SRG with r = %ld",
    "P K^3 r^(L-1)/2", "P K^(L+1) r^(L-1)/(2 C(r,2)^(L-2))"
};
