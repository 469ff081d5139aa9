/* Private: the block engine behind the SRG and STS constructions (docs/math/srg.md).
 *
 * A block is a set of K_b consecutive classes (from class_off) using `dim` consecutive
 * hidden coordinates (from hid_off) at layers 1..L-1 and the output coordinates of its
 * classes at layer L. Its point is
 *     H1      = t B (x) 1_n^T                  (B: dim x K_b, entries >= 0)
 *     W_l     = s_l I_dim                      (l = 1..L-2)
 *     W_{L-1} = s_{L-1} Wp                     (Wp: K_b x dim, ReLU(Wp B) = h I, h > 0)
 *     W_L     = s_L I_{K_b}
 * so its classes are fitted with c = h t s_1 ... s_L. SRG: B = incidence of K_r,
 * Wp = B^T - J/2, h = 1. STS: B = point-block incidence, Wp = B^T - J/3, h = 2.
 * DNC: B = Wp = I, h = 1. Blocks of one point occupy disjoint coordinates, so every
 * weight is block diagonal, the Frobenius norms add and each block is the scalar
 * problem f_Q(c) = (1/2)(1-c)^2 + (L+1)/2 Q^{1/(L+1)} c^{2/(L+1)}, weighted by K_b/K.
 */
#ifndef DNCERT_CLOSED_LOWRANK_H
#define DNCERT_CLOSED_LOWRANK_H

#include "dncert/closed.h"

typedef struct {
    char name[8];          /* "srg", "sts", "dnc": scalar-name suffix when embedded (a design
                            * name has at most 7 characters so that scalar names fit) */
    char formula[64];      /* Q in words, for the alive rule */
    slong nclass, class_off, dim, hid_off;
    fmpz_mat_t B;          /* dim x nclass */
    fmpq_mat_t W;          /* nclass x dim */
    fmpq_t h;              /* ReLU(W B) = h I */
    fmpq_t Q;              /* the block's constant: c* solves (1-c)^{L+1} c^{L-1} = Q */
    dnc_alive_t alive;
    dnc_alg_t c;           /* c* (unless dead) */
} dnc_lr_block;

/* An identity (DNC) block of nclass classes. */
void dnc_lr_block_init_identity(dnc_lr_block *b, slong nclass);
/* A design block from an incidence matrix (points x blocks, constant column sum k):
 * W = B^T - J/k. Returns 1, or 0 if ReLU(W B) is not a positive multiple of I. */
int dnc_lr_block_init_design(dnc_lr_block *b, const char *name, const fmpz_mat_t B);
void dnc_lr_block_clear(dnc_lr_block *b);

/* Q of the block for problem p (balanced): G (K/K_b)^{L+1} with G the product over the
 * L+1 parameter blocks of lambda times the norm coefficient, divided by h^2. */
void dnc_lr_block_q(fmpq_t Q, const dnc_lr_block *b, const dnc_problem_t p);

/* Places the blocks (consecutive classes and hidden coordinates), decides them, isolates
 * their c*, and fills out (initialised by the caller): alive, rule, loss, scalars, point.
 * Returns 0, or -1 with a message if a root could not be isolated. */
int dnc_lr_solve(dnc_closed_t out, dnc_lr_block **b, slong nb, char *err, size_t errlen);

/* Validates p for a design of K1 classes on `dim` hidden coordinates (what = "SRG with
 * r = 5", dimname = "r"). Returns 0, or -1 with a message naming the option. */
int dnc_lr_check(const dnc_problem_t p, const char *what, const char *dimname, slong dim, slong K1,
                 int embed, char *err, size_t errlen);

/* Solves the design block, plus a DNC block on the remaining K - K_b classes when
 * K > K_b, into out (initialised by the caller). */
int dnc_lr_run(dnc_closed_t out, dnc_lr_block *design, char *err, size_t errlen);


/* 1 if the design (embedded in p->K classes when larger) is proven strictly better than
 * DNC along the structures (exact comparison of Q's), else 0. */
int dnc_lr_beats_dnc(const dnc_lr_block *design, const dnc_problem_t p);

/* M (K x K) <- the class-mean pre-activation pattern at layer L, each block divided by
 * its h so that ReLU(M) = I: (W B)/h for the design on its classes, I on the remaining
 * DNC classes, zero elsewhere. Returns 1 on success. */
int dnc_lr_mtilde(fmpq_mat_t M, const dnc_lr_block *design, slong K);

#endif
