/* Private helpers of the fast tier: one-rounding bounds in round-to-nearest binary64.
 * docs/fast-tier.md §2 states and proves each rule; the numbers (R1)-(R3) refer to it. */
#ifndef DNCERT_FAST_FROUND_H
#define DNCERT_FAST_FROUND_H

#include <stdint.h>
#include <string.h>

#define DNC_U   0x1p-53     /* unit roundoff u */
#define DNC_ETA 0x1p-1074   /* smallest positive (subnormal) double */

/* (R1) up(x) = the successor of |x|: the next double above a non-negative x, by one step of
 * its bit pattern (IEEE 754 orders non-negative doubles as their bit patterns). If x is
 * the double nearest to an exact v >= 0, then v <= up(x). up(DBL_MAX) = +Inf, which the
 * finiteness checks catch. The sign bit is cleared first so that -0 is treated as +0. */
static inline double fr_up(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof(b));
    b = (b & 0x7fffffffffffffffULL) + 1;
    memcpy(&x, &b, sizeof(b));
    return x;
}

/* (R1) dn(x) for x >= 0: the predecessor of x, or 0 for x = 0. If x is the double nearest to
 * an exact v >= 0, then dn(x) <= v. */
static inline double fr_dn(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof(b));
    b &= 0x7fffffffffffffffULL;
    b = b == 0 ? 0 : b - 1;
    memcpy(&x, &b, sizeof(b));
    return x;
}

/* (R2) If x is the double nearest to the exact result v of one operation, |v - x| <= err(x). */
static inline double fr_err(double x)
{
    return fr_up(DNC_U * (x < 0 ? -x : x));
}

/* Upper bound of a + b for a, b >= 0 (one rounding, R1). */
static inline double fr_add_up(double a, double b)
{
    return fr_up(a + b);
}

/* Upper bound of a * b for a, b >= 0. */
static inline double fr_mul_up(double a, double b)
{
    return fr_up(a * b);
}

/* Lower bounds of the same. */
static inline double fr_add_dn(double a, double b)
{
    return fr_dn(a + b);
}

static inline double fr_mul_dn(double a, double b)
{
    return fr_dn(a * b);
}

/* 1 iff x is not finite (Inf or NaN); as an int so that loops can OR it without branches. */
static inline int fr_bad(double x)
{
    return !(x - x == 0.0);
}

#endif
