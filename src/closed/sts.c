/* The Steiner-triple-system low-rank design (the 2-design generalisation of SRG): classes
 * are the blocks of an STS(v), H1 has rank v, and ReLU((B^T - J/3) B) = 2 I.
 * Derivations: docs/math/srg.md; the block engine: design.c and lowrank.c. */
#include <stdio.h>
#include "dncert/closed.h"

/* v in [7, 775] (v(v-1)/6 <= DNC_MAX_K); an STS(v) exists iff v ≡ 1 or 3 (mod 6). */
static int sts_exists(slong v, char *err, size_t errlen)
{
    if (dnc_comb_sts_admissible(v))
        return 1;
    snprintf(err, errlen, "--v: no Steiner triple system of order %ld exists (need v ≡ 1 or 3 mod 6, v >= 7)",
             (long) v);
    return 0;
}

const dnc_design dnc_design_sts = {
    7, 775, sts_exists, dnc_comb_sts_nblocks, dnc_comb_sts_incidence, "STS(%ld)",
    "P K^3 v^(L-2)(v+9)/12", "P K^(L+1) v^(L-2)(v+9)/(12 K_sts^(L-2))"
};
