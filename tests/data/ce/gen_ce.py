#!/usr/bin/python3
"""Independent references for the cross-entropy closed forms (tests/test_closed_ce.c).

Shares no code with dncert. For each case (K, n, M = number of weight layers, lambda, one
common weight decay) it computes with mpmath at 60 digits:

1. every positive root of the spec's stationarity equation (shared/spec/cross-entropy.md)
       1/(e^s + K - 1) = c s^{-(M-1)/(M+1)},   c = (n lambda^{M+1})^{1/(M+1)},
   found by scanning g(s) = 1/(e^s + K - 1) - c s^{-(M-1)/(M+1)} for sign changes on a
   fine logarithmic grid of s in [1e-30, 200] and polishing each by mpmath.findroot
   (bracketing solver 'anderson');
2. phi at each root, phi(s) = log(1 + (K-1) e^{-s}) + ((M+1)(K-1)/2) c s^{2/(M+1)}, and the
   least of phi over the roots and s = 0 (log K): "value", with "alive" = a root beats log K
   (for M = 1 and K^2 n lambda^2 = 1 exactly, "tie");
3. when there is a local minimum: the full CE objective of the explicit ETF-structured point
   H1 = x E (n samples per class), W_m = s_m E (E = I - J/K), built as matrices, with the
   fit (1/N) sum_j [log sum_i exp(z_ij) - z_{y_j j}] and the regularisers
   (lambda/2)(||H1||^2 + sum ||W_m||^2), minimised over the M + 1 log-scales by
   mpmath.findroot on its numerical gradient (started at the balanced scales of the root):
   "explicit_min", which must agree with phi at the local minimum.

Run:  /usr/bin/python3 tests/data/ce/gen_ce.py > tests/data/ce/ce_refs.json
"""
import json
import sys
from fractions import Fraction

import mpmath as mp

mp.mp.dps = 60

# (K, n, M, lambda): both sides of the sigma = 0 boundary. M = 1: alive iff K^2 n lambda^2 < 1.
# M >= 2: roots exist below a first threshold in lambda, and win against log K below a second.
CASES = [
    (2, 5, 1, "1/250"), (4, 3, 1, "1/20"), (10, 1, 1, "1/20"), (3, 2, 1, "1/4"), (2, 1, 1, "1/2"),
    (2, 5, 2, "1/1000"), (2, 5, 3, "1/2000"), (4, 3, 3, "1/20"), (3, 4, 2, "1/20"), (6, 1, 4, "1/100"),
    (5, 2, 2, "49/500"), (5, 2, 2, "1/10"), (5, 2, 2, "1/2"),
    (4, 5, 3, "41/500"), (4, 5, 3, "83/1000"), (4, 5, 3, "1/10"), (4, 5, 3, "1/5"),
    (3, 10, 4, "41/500"), (3, 10, 4, "83/1000"),
]


def rat(text):
    q = Fraction(text)
    return mp.mpf(q.numerator) / q.denominator


def g(s, K, M, c):
    return 1 / (mp.exp(s) + K - 1) - c * s ** (-mp.mpf(M - 1) / (M + 1))


def phi(s, K, M, c):
    return mp.log(1 + (K - 1) * mp.exp(-s)) + mp.mpf((M + 1) * (K - 1)) / 2 * c * s ** (mp.mpf(2) / (M + 1))


def roots(K, M, c):
    grid = [mp.mpf(10) ** (mp.mpf(e) / 200) for e in range(-30 * 200, int(mp.log10(200) * 200) + 1)]
    found = []
    prev_s, prev_g = grid[0], g(grid[0], K, M, c)
    for s in grid[1:]:
        gs = g(s, K, M, c)
        if (gs > 0) != (prev_g > 0):
            found.append(mp.findroot(lambda t: g(t, K, M, c), (prev_s, s), solver="anderson"))
        prev_s, prev_g = s, gs
    return found


def explicit_objective(logs, K, n, M, lam):
    """CE objective of H1 = x E (x) 1_n^T, W_m = s_m E, from the matrices themselves."""
    E = mp.eye(K) - mp.ones(K, K) / K
    x, ss = mp.exp(logs[0]), [mp.exp(u) for u in logs[1:]]
    Z = x * E
    for s in ss:
        Z = (s * E) * Z
    N = n * K
    fit = mp.mpf(0)
    for j in range(K):        # class j's column; n identical samples
        lse = mp.log(mp.fsum(mp.exp(Z[i, j]) for i in range(K)))
        fit += n * (lse - Z[j, j])
    fit /= N
    fro = lambda A: mp.fsum(A[i, j] ** 2 for i in range(A.rows) for j in range(A.cols))
    reg = lam / 2 * (n * fro(x * E) + mp.fsum(fro(s * E) for s in ss))
    return fit + reg


def explicit_min(s2, K, n, M, lam):
    P = n * lam ** (M + 1)
    tau = (P * s2 ** 2) ** (mp.mpf(1) / (M + 1))
    u0 = [mp.log(mp.sqrt(tau / (n * lam)))] + [mp.log(mp.sqrt(tau / lam))] * M
    u0 = [u + mp.mpf("1e-3") * (i + 1) for i, u in enumerate(u0)]     # start off the balanced point
    f = lambda *u: explicit_objective(list(u), K, n, M, lam)
    grad = lambda *u: [mp.diff(lambda t: f(*(u[:i] + (t,) + u[i + 1:])), u[i]) for i in range(M + 1)]
    u = mp.findroot(grad, u0, tol=mp.mpf(10) ** -45)
    u = list(u) if M > 0 else [u]
    return f(*u)


def case(K, n, M, lam_text):
    lam = rat(lam_text)
    P = n * lam ** (M + 1)
    c = P ** (mp.mpf(1) / (M + 1))
    rs = roots(K, M, c)
    logk = mp.log(K)
    vals = [phi(r, K, M, c) for r in rs]
    out = {"K": K, "n": n, "M": M, "lambda": lam_text, "roots": [mp.nstr(r, 50) for r in rs]}
    tie = M == 1 and Fraction(K * K * n) * Fraction(lam_text) ** 2 == 1
    best = min(vals) if vals else None
    if tie:
        out["alive"], out["value"] = "tie", mp.nstr(logk, 50)
    elif best is not None and best < logk:
        out["alive"], out["value"] = "alive", mp.nstr(best, 50)
    else:
        out["alive"], out["value"] = "dead", mp.nstr(logk, 50)
    local_min = [r for r in rs if mp.diff(lambda t: g(t, K, M, c), r) < 0]   # phi = -(K-1) g: phi'' > 0 <=> g' < 0
    if local_min:
        s2 = local_min[0]
        out["phi_local_min"] = mp.nstr(phi(s2, K, M, c), 50)
        out["explicit_min"] = mp.nstr(explicit_min(s2, K, n, M, lam), 40)
    if M == 1 and rs:
        out["sigma_formula"] = mp.nstr(mp.log(1 / c - K + 1), 50)
    return out


def main():
    refs = [case(*c) for c in CASES]
    json.dump({"generator": "tests/data/ce/gen_ce.py (mpmath %s, %d digits)" % (mp.__version__, mp.mp.dps),
               "cases": refs}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
