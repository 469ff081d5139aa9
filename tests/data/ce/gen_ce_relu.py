#!/usr/bin/python3
"""Independent references for the ReLU cross-entropy form (closed-form dnc --loss ce,
docs/math/cross-entropy.md §7; tests/test_closed_ce.c and tests/test_verify.c).

Shares no code with dncert. For each case (K, n, L = number of weight matrices, lambda, one
common weight decay) it computes with mpmath at 60 digits:

1. the value of the orthogonal-frame family from the note's formula,
       phi_F(s) = log(1 + (K-1) e^-s) + ((L+1)/2) (K^L (K-1) P s^2)^(1/(L+1)),
   P = n lambda^(L+1), by locating every positive zero of phi_F' (a sign-change scan of
   [1e-30, 200] on a logarithmic grid, each polished by mpmath.findroot), and taking the least
   of phi_F over those zeros and s = 0 (log K): "value", "alive", "roots";
2. when phi_F has a local minimum: the full CE objective of the explicit ReLU network
   H1 = x Q (n samples per class), W_l = s_l Q Q^T (l < L), W_L = s_L E Q^T (E = I - J/K,
   Q the K x K identity: the frame on the first K coordinates), evaluated from the matrices
   with the ReLU applied after every hidden layer, fit (1/N) sum_j [log sum_i exp(z_ij) -
   z_{y_j j}] and regularisers (lambda/2)(||H1||^2 + sum ||W_l||^2), minimised over its
   L + 1 log-scales by mpmath.findroot on the numerical gradient, started off the balanced
   point: "explicit_min" (it must equal phi_F at the local minimum; this checks the weighted
   AM-GM of the note independently of the formula).

Run:  /usr/bin/python3 tests/data/ce/gen_ce_relu.py > tests/data/ce/ce_relu_refs.json
"""
import json
import sys
from fractions import Fraction

import mpmath as mp

mp.mp.dps = 60

# (K, n, L, lambda): alive, "roots exist but lose to log K", and no roots.
CASES = [
    (3, 2, 2, "1/50"), (4, 3, 3, "1/50"), (2, 5, 2, "1/250"), (5, 1, 4, "1/100"), (3, 2, 3, "1/50"),
    (4, 2, 2, "3/50"), (4, 2, 2, "1/10"), (4, 2, 2, "1/5"), (3, 4, 3, "3/50"), (3, 4, 3, "2/25"), (3, 4, 3, "1/5"),
]


def rat(text):
    q = Fraction(text)
    return mp.mpf(q.numerator) / q.denominator


def phi(s, K, L, P):
    return mp.log(1 + (K - 1) * mp.exp(-s)) + mp.mpf(L + 1) / 2 * (mp.mpf(K) ** L * (K - 1) * P * s * s) ** (mp.mpf(1) / (L + 1))


def dphi(s, K, L, P):
    return mp.diff(lambda t: phi(t, K, L, P), s)


def roots(K, L, P):
    grid = [mp.mpf(10) ** (mp.mpf(e) / 100) for e in range(-30 * 100, int(mp.log10(200) * 100) + 1)]
    found = []
    prev_s, prev_g = grid[0], dphi(grid[0], K, L, P)
    for s in grid[1:]:
        gs = dphi(s, K, L, P)
        if (gs > 0) != (prev_g > 0):
            found.append(mp.findroot(lambda t: dphi(t, K, L, P), (prev_s, s), solver="anderson"))
        prev_s, prev_g = s, gs
    return found


def relu(A):
    return mp.matrix([[max(A[i, j], 0) for j in range(A.cols)] for i in range(A.rows)])


def explicit_objective(logs, K, n, L, lam):
    """CE objective of the ReLU network H1 = x I, W_l = s_l I, W_L = s_L E, from its matrices."""
    E = mp.eye(K) - mp.ones(K, K) / K
    x, ss = mp.exp(logs[0]), [mp.exp(u) for u in logs[1:]]
    H = x * mp.eye(K)
    mats = [s * mp.eye(K) for s in ss[:-1]] + [ss[-1] * E]
    for W in mats[:-1]:
        H = relu(W * H)
    Z = mats[-1] * H
    fit = mp.mpf(0)
    for j in range(K):
        fit += n * (mp.log(mp.fsum(mp.exp(Z[i, j]) for i in range(K))) - Z[j, j])
    fit /= n * K
    fro = lambda A: mp.fsum(A[i, j] ** 2 for i in range(A.rows) for j in range(A.cols))
    reg = lam / 2 * (n * K * x * x + mp.fsum(fro(W) for W in mats))
    return fit + reg


def explicit_min(s2, K, n, L, lam):
    T = (mp.mpf(K) ** L * (K - 1) * n * lam ** (L + 1) * s2 * s2) ** (mp.mpf(1) / (L + 1))
    u0 = [mp.log(mp.sqrt(T / (K * n * lam)))] + [mp.log(mp.sqrt(T / (K * lam)))] * (L - 1) + [mp.log(mp.sqrt(T / ((K - 1) * lam)))]
    u0 = [u + mp.mpf("1e-3") * (i + 1) for i, u in enumerate(u0)]
    f = lambda *u: explicit_objective(list(u), K, n, L, lam)
    grad = lambda *u: [mp.diff(lambda t: f(*(u[:i] + (t,) + u[i + 1:])), u[i]) for i in range(L + 1)]
    u = mp.findroot(grad, u0, tol=mp.mpf(10) ** -45)
    return f(*list(u))


def case(K, n, L, lam_text):
    lam = rat(lam_text)
    P = n * lam ** (L + 1)
    rs = roots(K, L, P)
    logk = mp.log(K)
    vals = [phi(r, K, L, P) for r in rs]
    out = {"K": K, "n": n, "L": L, "lambda": lam_text, "roots": [mp.nstr(r, 50) for r in rs]}
    best = min(vals) if vals else None
    if best is not None and best < logk:
        out["alive"], out["value"] = "alive", mp.nstr(best, 50)
    else:
        out["alive"], out["value"] = "dead", mp.nstr(logk, 50)
    if len(rs) == 2:
        s2 = rs[1]
        out["phi_local_min"] = mp.nstr(phi(s2, K, L, P), 50)
        out["explicit_min"] = mp.nstr(explicit_min(s2, K, n, L, lam), 40)
    return out


def main():
    refs = [case(*c) for c in CASES]
    json.dump({"generator": "tests/data/ce/gen_ce_relu.py (mpmath %s, %d digits)" % (mp.__version__, mp.mp.dps),
               "cases": refs}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
