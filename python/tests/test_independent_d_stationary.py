"""Independent evidence, in exact rational arithmetic (Python's fractions; no dncert code), for
the claim d_stationary (format §6.14, docs/refine.md §7.17): where it is certified, f itself --
the loss WITH the ReLU, 1/(2N) ||Z - Y||^2 (Y = I, one sample per class, no bias) plus
(lambda_H/2) ||H1||^2 + sum_l (lambda_Wl/2) ||W_l||^2 (docs/model.md) -- has no first-order
descent direction at the critical point; where it is "not proven" because G_e < 0 at a kink of
slope 1, there is one.

The reference is the certificate's own critical_point claim: its box centre theta0 (the point
it names; within 2^-192 of the exact critical point theta* in every parameter), its listed
kinks, dead units and multipliers mu. Everything else is recomputed here: f and the
pre-activations U by a forward pass of the real ReLU network, the gradient of each cut
pre-activation ubar_e by a column-wise backward pass of the cut network, and G_e = dF/dh_e of
F = f_0 + sum_e mu_e ubar_e by the exact seeded backward pass of test_independent_shifts.Net.
The difference quotients use eps = 2^-66 (~1.4e-20): eps |w_e| is far above the kink entries
at theta0 (~1e-58, not exactly 0) and far below the scale where the second-order term matters,
and the arithmetic is exact, so (f(theta0 + eps d) - f(theta0)) / eps is f'(theta*; d) up to
about 1e-17 (and an O(2^-192 / eps) = 1e-38 offset from theta0 != theta*).

1. certificates/critical-points/local-min-K5-L2-pentagon.json (L = 2, 5 kinks),
   critical-K6-L4-w20.json (L = 4, 80 kinks in layers 2, 3 and 4, 10 of them of exact slope
   1, 22 dead units) and certificates/small-k-low-rank/witness-K3-L4.json (L = 4, 6 kinks in
   three layers, 18 dead units), where d_stationary is "certified": f(theta0) lies in the
   claim's loss interval (the same f); the quotient is >= -1e-12 along random directions of the
   whole parameter space (held parameters too), along +grad ubar_e and -grad ubar_e for every
   listed kink e (free parameters only: the kink moved into P+ and into P-, with the others),
   along the least-norm direction that moves kink e alone (<grad ubar_e', d> = +-1 if e' = e,
   else 0: then f' = mu_e = t_e G_e into P-, and >= (1 - t_e) G_e into P+, the units above
   following; ~0 at w20's exact slopes 1), and along random signed combinations of several kink
   gradients; and it agrees (within 1e-12) with sum_e (G_e max(0, w_e) - mu_e w_e), w_e the
   quotient of the real pre-activation at e, which is the identity of the proof. The
   recomputed G_e are > 0 and 0 <= mu_e <= G_e at every listed kink (mu_e = G_e, within 1e-50,
   at the exact slopes 1), and G_e = 0 at the dead units' entries: the checker's condition, by a
   third implementation.
   Also the K = 4 witnesses (certificates/small-k-low-rank/witness-K4-L4.json, -K4-L5.json: kinks
   in every ReLU layer, implied kinks, zero weights, some held in W_L by the output-block rule of
   docs/refine.md section 7.3, which makes G_e exactly 0 at the implied kinks of the last layer):
   there the implied kinks (multiplier 0) count in the identity and in the set of zero entries, G_e
   >= 0 is recomputed at them (exactly 0 at the last layer's), G_e may be exactly 0 at a listed
   kink of exact slope 0 (a lone unit), and each implied kink is moved into P+ and P- along the
   gradient of its cut pre-activation in all parameters (held ones too): f does not decrease at
   first order (quotients ~1e-23). And the DNC point K = 3, L = 3, width 3
   (certificates/critical-points/dnc-K3-L3-zero.json: no listed kink, all 12 implied, W_3 held
   off its diagonal by the output-block rule): G_e = 0 exactly at every kink.
2. certificates/small-k-low-rank/witness-K3-L5.json, whose d_stationary is "not proven" (listed
   kink 8 = [5, 7, 0]: G_e = -0.00106 < 0 with the exact slope 1, mu_e = G_e): the least-norm
   direction d of the free parameters (no implied kinks nor zero weights there; the dead units'
   parameters held) with <grad ubar_8, d> = -1 and <grad ubar_e, d> = 0 at the other 11 kinks,
   solved exactly, decreases f at rate mu_8 = G_8: f(theta0 + eps d) < f(theta0) - eps / 1000
   for eps = 2^-20 .. 2^-66, so theta* is not d-stationary and "not proven" is the right verdict.
   Control: -d (moving kink 8 into P+ along its slope-1 linear continuation) has quotient 0 up
   to O(eps): no first-order change, as f'(theta*; -d) = G_8 - mu_8 = 0 says.
3. certificates/critical-points/concave-K6-L2.json (L = 2, nothing held): kink 2 = [2, 1, 3] has
   t_e = 0.826 in [0, 1] but G_e = -0.00508 < 0 (mu_e < 0): moving it alone into P- gives
   f' = mu_e, into P+ f' = (1 - t_e) G_e, both negative, and f decreases either way: chain-rule
   stationary (kink_multipliers certified) but not d-stationary.
"""
import json
import random
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from conftest import repo_file
from test_independent_shifts import Net, number, solve

EPS = Fraction(1, 2 ** 66)
TOL = Fraction(1, 10 ** 12)


def problem(cert):
    p = cert["problem"]
    assert p["bias"] == "none" and set(p["n"]) == {1} and set(p["activation"]) == {"relu"}
    assert p.get("loss", "mse") == "mse"
    return Fraction(p["lambda_h"]), [Fraction(v) for v in p["lambda_w"]]


def forward(P, lam_h, lam_w):
    """f with the real ReLU at the parameters P (P[0] = H1, P[l] = W_l; dyadic rationals) and the
    pre-activations U[l] = W_(l-1) H_(l-1), l = 2..L. Exact: every entry is taken as an integer
    over the common denominator 2^s, a positive factor that ReLU commutes with."""
    L = len(P) - 1
    s = max(x.denominator.bit_length() - 1 for B in P for row in B for x in row)
    assert all(x.denominator == 1 << (x.denominator.bit_length() - 1) for B in P for row in B for x in row)
    I = [[[x.numerator << (s - x.denominator.bit_length() + 1) for x in row] for row in B] for B in P]
    H = I[0]
    N = len(H[0])
    U = {}
    for l in range(1, L + 1):
        Ht = list(zip(*H))
        M = [[sum(a * b for a, b in zip(row, col)) for col in Ht] for row in I[l]]   # scale 2^((l+1)s)
        if l < L:
            U[l + 1] = [[Fraction(x, 1 << ((l + 1) * s)) for x in row] for row in M]
            H = [[x if x > 0 else 0 for x in row] for row in M]
        else:
            Z = M
    one = 1 << ((L + 1) * s)
    fit = sum((Z[i][j] - (one if i == j else 0)) ** 2 for i in range(len(Z)) for j in range(N))
    val = Fraction(fit, 2 * N << (2 * (L + 1) * s))
    for l in range(L + 1):
        val += (lam_h if l == 0 else lam_w[l - 1]) / 2 * Fraction(sum(x * x for row in I[l] for x in row), 1 << (2 * s))
    return val, U


def params(net):
    return [net.H[1]] + [net.W[l] for l in range(1, net.L + 1)]


def zeros_like(P):
    return [[[Fraction(0)] * len(B[0]) for _ in B] for B in P]


def held_mask(net):
    """1 at the free parameters, 0 at the held ones (dead units' rows and columns, zero weights)."""
    P = params(net)
    mask = [[[1] * len(B[0]) for _ in B] for B in P]
    for l, a in net.cl.get("dead_units", []):
        mask[l - 1][a] = [0] * len(P[l - 1][0])
        if l <= net.L:
            for row in mask[l]:
                row[a] = 0
    for l, i, u in net.cl.get("zero_weights", []):
        mask[l][i][u] = 0
    return mask


def kink_gradient(net, e, mask):
    """grad ubar_e, e = (l, i, j): ubar_e = W_(l-1)[i, :] hbar_(l-1)[:, j] of the cut network,
    differentiated back through column j only; restricted to the free parameters."""
    l, i, j = e
    g = zeros_like(params(net))
    a = list(net.W[l - 1][i])                       # adjoint of hbar_(l-1)[:, j]
    for u in range(len(a)):
        g[l - 1][i][u] = net.H[l - 1][u][j]
    for m in range(l - 1, 1, -1):                   # through layer m's slopes to W_(m-1), H_(m-1)
        pre = [a[u] * net.S[m][u][j] for u in range(len(a))]
        for u, p in enumerate(pre):
            if p:
                for v in range(len(net.H[m - 1])):
                    g[m - 1][u][v] = p * net.H[m - 1][v][j]
        W = net.W[m - 1]
        a = [sum(pre[u] * W[u][v] for u in range(len(pre))) for v in range(len(W[0]))]
    for v in range(len(a)):
        g[0][v][j] = a[v]
    return [[[x * m for x, m in zip(r, mr)] for r, mr in zip(B, MB)] for B, MB in zip(g, mask)]


def dot(a, b):
    return sum(x * y for A, B in zip(a, b) for ra, rb in zip(A, B) for x, y in zip(ra, rb))


def comb(terms):
    """sum of c * d over the (c, d) in terms."""
    out = zeros_like(terms[0][1])
    for c, d in terms:
        out = [[[x + c * y for x, y in zip(ro, rd)] for ro, rd in zip(O, D)] for O, D in zip(out, d)]
    return out


def alone(kg, kinks, P):
    """For every kink e the least-norm direction d_e of the free parameters with
    <grad ubar_e', d_e> = 1 if e' = e else 0 (each kink moved alone): rows of G^-1 A, A the kink
    gradients (integers over 2^s), G = A A^T inverted at 60 digits and rounded to 2^-400; the
    products <grad ubar_e', d_e> are then checked exactly."""
    flat = [[x for B in kg[e] for r in B for x in r] for e in kinks]
    s = max(x.denominator.bit_length() - 1 for f in flat for x in f)
    A = np.array([[(x * (1 << s)).numerator for x in f] for f in flat], dtype=object)
    n = len(kinks)
    with mpmath.workdps(60):
        Gi = mpmath.inverse(mpmath.matrix([[mpmath.mpf(int(x)) for x in r] for r in A.dot(A.T)]))
        Y = np.array([[int(mpmath.nint(Gi[i, k] * mpmath.mpf(2) ** (2 * s + 400))) for k in range(n)]
                      for i in range(n)], dtype=object)
    D = Y.T.dot(A)                      # row k: d_k times 2^(s + 400)
    R = D.dot(A.T)                      # <grad ubar_i, d_k> times 2^(2s + 400)
    one = 1 << (2 * s + 400)
    assert max(abs(int(R[k, i]) - (one if i == k else 0)) for i in range(n) for k in range(n)) < one >> 100
    out = {}
    for k, e in enumerate(kinks):
        it = iter(D[k])
        out[e] = [[[Fraction(int(next(it)), 1 << (s + 400)) for _ in r] for r in B] for B in P]
    return out


def moved(P, d, eps):
    return [[[x + eps * y for x, y in zip(rp, rd)] for rp, rd in zip(B, D)] for B, D in zip(P, d)]


def load(path):
    cert = json.load(open(path))
    claims = {c["kind"]: c for c in cert["claims"]}
    net = Net(cert)
    lam_h, lam_w = problem(cert)
    assert lam_w == [lam_h] * net.L            # Net's backward takes lambda_H for every block
    kinks = [tuple(k) for k in net.cl["kinks"]]
    mu = {k: number(m) for k, m in zip(kinks, net.cl["multipliers"])}
    return cert, claims, net, lam_h, lam_w, kinks, mu


def quotient(net, lam_h, lam_w, f0, U0, d):
    f1, U1 = forward(moved(params(net), d, EPS), lam_h, lam_w)
    w = {(l, i, j): (U1[l][i][j] - U0[l][i][j]) / EPS for l in U0 for i in range(len(U0[l])) for j in range(net.N)}
    return (f1 - f0) / EPS, w


CERTIFIED = [
    ("critical-points", "local-min-K5-L2-pentagon.json", 20),
    ("critical-points", "critical-K6-L4-w20.json", 8),
    ("small-k-low-rank", "witness-K3-L4.json", 20),
    ("small-k-low-rank", "witness-K4-L4.json", 20),
    ("small-k-low-rank", "witness-K4-L5.json", 20),
    ("critical-points", "dnc-K3-L3-zero.json", 20),
]


@pytest.mark.parametrize("folder, name, nrand", CERTIFIED)
def test_certified_d_stationary_has_no_descent_direction_of_f(folder, name, nrand):
    cert, claims, net, lam_h, lam_w, kinks, mu = load(repo_file("certificates", folder, name))
    assert claims["d_stationary"]["verdict"] == "certified"
    assert claims["kink_multipliers"]["verdict"] == "certified"
    assert not claims["kink_multipliers"].get("shifts")   # mu' = mu
    implied = [tuple(k) for k in net.cl.get("implied_kinks", [])]   # multiplier 0
    G, grad = net.backward(mu)
    assert max(abs(x) for l in grad for row in grad[l] for x in row) < Fraction(1, 10 ** 50)   # KKT at theta0
    # the checker's condition, recomputed: G_e > 0 and 0 <= mu_e <= G_e at every listed kink
    exact = {kinks[x["kink"]]: x["slope"] for x in claims["kink_multipliers"].get("exact_slopes", [])}
    for e in kinks:
        g = G[e[0]][e[1]][e[2]]
        assert (g > Fraction(1, 10 ** 6) or (g >= 0 and e in exact)) and \
            -Fraction(1, 10 ** 50) < mu[e] < g * (1 + Fraction(1, 10 ** 50)) + Fraction(1, 10 ** 50), e
        if e in exact:
            assert abs(mu[e] - exact[e] * g) < Fraction(1, 10 ** 50), e
    for e in implied:   # G_e >= 0 exactly at theta0 (a point of the checker's box)
        assert G[e[0]][e[1]][e[2]] >= 0, (e, float(G[e[0]][e[1]][e[2]]))
    dead = {(l, a) for l, a in net.cl.get("dead_units", [])}
    for l, a in dead:
        if l >= 2:
            assert all(x == 0 for x in G[l][a])

    f0, U0 = forward(params(net), lam_h, lam_w)
    assert Fraction(net.cl["loss"]["lo"]) <= f0 <= Fraction(net.cl["loss"]["hi"])   # the claim's f, same normalisation
    P = params(net)
    zero = set(kinks) | set(implied) | {(l, a, j) for l, a in dead if l >= 2 for j in range(net.N)}
    assert all(abs(U0[l][i][j]) < Fraction(1, 10 ** 50) for l, i, j in zero)
    assert min(abs(U0[l][i][j]) for l in U0 for i in range(len(U0[l])) for j in range(net.N)
               if (l, i, j) not in zero) > Fraction(1, 10 ** 6)   # every other entry keeps its sign

    mask = held_mask(net)
    rng = random.Random(7)
    kg = {e: kink_gradient(net, e, mask) for e in kinks}
    dirs = [("random", None, [[[Fraction(rng.randint(-1024, 1024), 1024) for _ in r] for r in B] for B in P])
            for _ in range(nrand)]
    for e in kinks:
        dirs += [("+grad u_e", e, kg[e]), ("-grad u_e", e, comb([(-1, kg[e])]))]
    for e in implied:   # into P+ and P-, held parameters too (a zero weight moved off 0)
        ge = kink_gradient(net, e, [[[1] * len(B[0]) for _ in B] for B in P])
        dirs += [("+grad u_e implied", e, ge), ("-grad u_e implied", e, comb([(-1, ge)]))]
    for e, d in (alone(kg, kinks, P) if kinks else {}).items():
        dirs += [("alone into P+", e, d), ("alone into P-", e, comb([(-1, d)]))]
    for _ in range(6 if kinks else 0):
        sub = rng.sample(kinks, min(len(kinks), 4))
        dirs.append(("combination", None,
                     comb([(rng.choice([-1, 1]) * Fraction(rng.randint(1, 8)), kg[e]) for e in sub])))

    least = {}
    for label, e, d in dirs:
        q, w = quotient(net, lam_h, lam_w, f0, U0, d)
        # f'(theta*; d) = sum_e (G_e max(0, w_e) - mu_e w_e): listed kinks (dead entries: G_e = 0)
        pred = sum(G[e[0]][e[1]][e[2]] * max(w[e], 0) - mu.get(e, 0) * w[e] for e in kinks + implied)
        assert q >= -TOL, (name, label, e, float(q))
        assert abs(q - pred) < TOL, (name, label, e, float(q), float(pred))
        if label[0] in "+-":                                 # the kink moved into P+ / P-
            assert (w[e] > 0) == (label[0] == "+"), (label, e, float(w[e]))
        if label.startswith("alone") and all(abs(w[x]) < TOL for x in implied):
            g = G[e[0]][e[1]][e[2]]
            if label.endswith("P-"):      # w_e = -1, every other w = 0: f' = mu_e = t_e G_e
                assert abs(w[e] + 1) < TOL and abs(q - mu[e]) < TOL, (e, float(q), float(mu[e]))
            else:                         # w_e = 1 (the units above may move): f' >= (1 - t_e) G_e
                assert abs(w[e] - 1) < TOL and q >= g - mu[e] - TOL, (e, float(q), float(g - mu[e]))
            if e in exact:
                label += " (exact slope %d)" % exact[e]
        least[label] = min(least.get(label, q), q)
    print("%s: %d directions, least quotient %s" % (name, len(dirs), {k: "%.3e" % float(v) for k, v in least.items()}))


def test_not_proven_d_stationary_at_k3_l5_has_a_descent_direction():
    cert, claims, net, lam_h, lam_w, kinks, mu = load(repo_file("certificates", "small-k-low-rank", "witness-K3-L5.json"))
    ds = claims["d_stationary"]
    assert ds["verdict"] == "not proven"
    assert claims["kink_multipliers"]["verdict"] == "certified"
    assert not net.cl.get("implied_kinks") and not net.cl.get("zero_weights")
    e8 = kinks[8]
    assert e8 == (5, 7, 0)
    exact = {x["kink"]: x["slope"] for x in claims["kink_multipliers"]["exact_slopes"]}
    assert exact[8] == 1
    G, grad = net.backward(mu)
    assert max(abs(x) for l in grad for row in grad[l] for x in row) < Fraction(1, 10 ** 50)   # KKT at theta0
    g8 = G[5][7][0]
    assert -Fraction(107, 100000) < g8 < -Fraction(105, 100000)      # -0.00106 < 0
    assert abs(mu[e8] - g8) < Fraction(1, 10 ** 50)                  # slope 1: mu_8 = G_8
    assert [e for e in kinks if G[e[0]][e[1]][e[2]] < 0] == [e8]     # the only negative G_e

    mask = held_mask(net)
    A = [kink_gradient(net, e, mask) for e in kinks]
    M = [[dot(a, b) for b in A] for a in A]
    b = [Fraction(-1) if e == e8 else Fraction(0) for e in kinks]
    y = solve(M, b)
    d = comb(list(zip(y, A)))                                       # least-norm, exactly
    assert [dot(a, d) for a in A] == b
    assert all(x == 0 for B, MB in zip(d, mask) for r, mr in zip(B, MB) for x, m in zip(r, mr) if not m)
    # rounding d to 2^-300 keeps the forward passes dyadic; <grad u_e, d> moves by ~1e-88
    d = [[[Fraction(round(x * 2 ** 300), 2 ** 300) for x in r] for r in B] for B in d]

    P = params(net)
    f0, U0 = forward(P, lam_h, lam_w)
    assert Fraction(net.cl["loss"]["lo"]) <= f0 <= Fraction(net.cl["loss"]["hi"])
    q, w = quotient(net, lam_h, lam_w, f0, U0, d)
    assert abs(w[e8] + 1) < Fraction(1, 10 ** 15)
    assert all(abs(w[e]) < Fraction(1, 10 ** 15) for e in kinks if e != e8)
    assert abs(q - g8) < Fraction(1, 10 ** 12)                      # f'(theta*; d) = mu_8 = G_8
    rates = []
    for k in (20, 30, 40, 66):
        eps = Fraction(1, 2 ** k)
        f1, _ = forward(moved(P, d, eps), lam_h, lam_w)
        assert f1 < f0 - eps / 1000, (k, float((f1 - f0) / eps))
        rates.append(float((f1 - f0) / eps))
    # control: -d moves kink 8 into P+, along its slope-1 linear continuation: no first order
    qc, wc = quotient(net, lam_h, lam_w, f0, U0, comb([(-1, d)]))
    assert abs(wc[e8] - 1) < Fraction(1, 10 ** 15)
    assert abs(qc) < TOL
    print("K3-L5: G_8 = %.6e, quotients along d %s, along -d %.3e" % (float(g8), rates, float(qc)))


def test_concave_kink_of_one_layer_is_a_descent_both_ways():
    """certificates/critical-points/concave-K6-L2.json (K = 6, L = 2, widths 2 and 6, nothing
    held, found by helper-49's search: a trained point with one entry forced onto its kink, then
    refined): kink 2 = [2, 1, 3] has t_e = 0.826 in [0, 1] (kink_multipliers certified: chain-rule
    stationary) but G_e < 0, so mu_e = t_e G_e < 0 -- a concave kink. With one kink layer the
    identity gives f' = G_e max(0, w) - mu_e w along a direction that moves this kink alone:
    (1 - t_e) G_e < 0 into P+ and mu_e < 0 into P-. Both are checked here in exact arithmetic:
    f decreases either way, so the point is not d-stationary (d_stationary "not proven") and
    not a local minimum (descent_direction certified), although kink_multipliers and
    strict_local_min (on the pattern manifold) are certified."""
    cert, claims, net, lam_h, lam_w, kinks, mu = load(repo_file("certificates", "critical-points", "concave-K6-L2.json"))
    assert claims["kink_multipliers"]["verdict"] == "certified"
    assert claims["strict_local_min"]["verdict"] == "certified"
    assert claims["d_stationary"]["verdict"] == "not proven"
    assert claims["descent_direction"]["verdict"] == "certified"
    assert not net.cl.get("implied_kinks") and not net.cl.get("zero_weights") and not net.cl.get("dead_units")
    e2 = kinks[2]
    assert e2 == (2, 1, 3)
    G, grad = net.backward(mu)
    assert max(abs(x) for l in grad for row in grad[l] for x in row) < Fraction(1, 10 ** 50)   # KKT at theta0
    g2 = G[2][1][3]
    assert g2 < -Fraction(5, 1000) and mu[e2] < -Fraction(4, 1000)    # G = -0.00508, mu = -0.00419
    assert 0 < mu[e2] / g2 < 1                                       # t = 0.826
    mask = held_mask(net)
    A = [kink_gradient(net, e, mask) for e in kinks]
    M = [[dot(a, b) for b in A] for a in A]
    P = params(net)
    f0, U0 = forward(P, lam_h, lam_w)
    for sign in (-1, 1):   # kink 2 alone into P- (f' = mu_e), then into P+ (f' = G_e - mu_e)
        b = [Fraction(sign) if e == e2 else Fraction(0) for e in kinks]
        d = comb(list(zip(solve(M, b), A)))
        assert [dot(a, d) for a in A] == b
        d = [[[Fraction(round(x * 2 ** 300), 2 ** 300) for x in r] for r in B] for B in d]
        q, w = quotient(net, lam_h, lam_w, f0, U0, d)
        want = mu[e2] if sign < 0 else g2 - mu[e2]
        assert abs(q - want) < Fraction(1, 10 ** 12), (sign, float(q), float(want))
        assert q < -Fraction(8, 10000)                               # -0.00419 and -0.00088
        for k in (20, 40):
            eps = Fraction(1, 2 ** k)
            f1, _ = forward(moved(P, d, eps), lam_h, lam_w)
            assert f1 < f0 - eps / 2000, (sign, k, float((f1 - f0) / eps))
        print("concave K6-L2: moving kink 2 into P%s: f' = %.6e" % ("-" if sign < 0 else "+", float(q)))
