/* Products with one dimension of at most DNC_THIN_MAX: the K rows of the last layer (the
 * output Z = W_L H_L, its weight gradient G H_L^T and the back-propagation W_L^T G). See
 * thin.c for why they are not left to OpenBLAS. And the cross-entropy of Z, four columns at
 * a time (dnc_thin_ce4). Internal to the double-precision backend. */
#ifndef DNCERT_TRAIN_THIN_H
#define DNCERT_TRAIN_THIN_H

#include <flint/flint.h>

#define DNC_THIN_MAX 12

/* Whether the CPU has AVX2 and FMA, which these loops need; without, callers use OpenBLAS. */
int dnc_thin_available(void);

/* The number of products these loops have done in this process (for tests: that a path
 * really ran). */
long dnc_thin_calls(void);

/* C (m x n) = A (m x k) B (k x n), m <= DNC_THIN_MAX. Column-major, leading dimensions
 * ldc, lda, ldb. */
void dnc_thin_nn(double *C, slong ldc, const double *A, slong lda, const double *B, slong ldb,
                 slong m, slong n, slong k);

/* C (m x n) = A (m x k) B^T with B n x k, m <= DNC_THIN_MAX: a sum over the k columns of A
 * and B, taken in order. work: room for n m doubles (C^T is summed there). */
void dnc_thin_nt(double *C, slong ldc, const double *A, slong lda, const double *B, slong ldb,
                 slong m, slong n, slong k, double *work);

/* C (m x n) = AT (m x k) B (k x n), k <= DNC_THIN_MAX, where AT is the transpose of the
 * caller's A, copied so that its columns are contiguous; then, when mask is not NULL,
 * C_ij = 0 wherever the byte mask_ij is 0 (mask m x n bytes with leading dimension ldc):
 * the ReLU derivative, from the signs the forward pass recorded. */
void dnc_thin_tn(double *C, slong ldc, const double *AT, slong ldat, const double *B, slong ldb,
                 slong m, slong n, slong k, const unsigned char *mask);

/* The cross-entropy of four consecutive columns of K <= DNC_THIN_MAX logits (x, K x 4)
 * against classes y[0..3], and with want_grad column l <- s[l] (softmax - e_y): ce_column of
 * dobj.c (the definition) with another exp, equal to it within a few ulps; losses in loss[l].
 * Returns the bit mask of the columns it left to the caller, untouched: those with an entry
 * more than 708 below their largest (all of them when K is too large or no AVX2). */
int dnc_thin_ce4(double *x, slong K, const slong *y, const double *s, int want_grad, double *loss);

#endif
