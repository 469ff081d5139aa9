"""Independent evidence, in exact rational arithmetic (Python's fractions; numpy only for the
eigenvalues of the resulting matrices; no dncert code), for the claim strict_local_min_of_f
(format §6.13, docs/refine.md §7.16): where it is certified, f itself has a strict local
minimum modulo the generators; where every condition but the second order holds, the point can
be a saddle of f, which is why the claim also needs strict_local_min.

1. The committed certificates certificates/critical-points/local-min-K3-L2.json (K = 3, L = 2,
   width 3, no kink; 3 rotations of H1 and 3 partial rotations) and local-min-K3-L2-w1.json
   (widths 1, 1; two class rotations): at the box centre of the critical_point claim (within
   2^-192 of the critical point) the Hessian of f, by exact central second differences of the
   ReLU network, has exactly as many eigenvalues near 0 as the claim has generators (the orbit)
   and all others positive, and f grows along random directions.
2. The committed certificate certificates/critical-points/local-min-K5-L2-pentagon.json (K = 5,
   L = 2, widths 2 and 5: five classes in a plane, one kink per unit, all in layer 2): at the
   box centre the slopes t_e = mu_e / G_e, recomputed here by an exact backward pass, lie
   strictly inside (0, 1) with G_e > 0; the Hessian of the Lagrangian on ker C (kink gradients
   and the rotation of H1) is positive definite; and f itself, with the ReLU, grows along random
   directions and along +-grad u_e for every kink (each kink moved into P+ and into P-).
3. Example A of docs/refine.md §7.5 (t_e = 1/4 at every kink, G_e = 1/18 > 0, one kink layer,
   nothing held; f = 1/3 at the exact point, by hand): the Hessian of the Lagrangian
   f_0 + (1/72) sum_e u_e on ker C (kink gradients and the rotations of H1) has a negative
   eigenvalue, and along that direction f itself -- with the ReLU, off the pattern manifold
   as the straight line leaves it -- drops below 1/3. So Example A is not a local minimum of f,
   and test_kinks.c's example_a_is_a_saddle_not_a_local_min_of_f requires "not proven".
"""
import json
import random
from fractions import Fraction
from math import isqrt

import numpy as np
import pytest

from conftest import repo_file
from test_independent_shifts import Net, block, number

CERT = repo_file("certificates", "critical-points", "local-min-K3-L2.json")
PENTAGON = repo_file("certificates", "critical-points", "local-min-K5-L2-pentagon.json")


def matmul(A, B):
    return [[sum(A[i][k] * B[k][j] for k in range(len(B))) for j in range(len(B[0]))] for i in range(len(A))]


class Problem:
    """f = 1/(2N) ||W_2 relu(W_1 H1) + b 1^T - I||^2 + weight decay; one sample per class."""

    def __init__(self, K, d1, d2, lam_h, lam_1, lam_2, bias):
        self.K, self.shapes, self.bias = K, [(d1, K), (d2, d1), (K, d2)], bias
        self.lam = [lam_h, lam_1, lam_2]
        if bias:
            self.shapes.append((K, 1))

    def split(self, x):
        out, o = [], 0
        for r, c in self.shapes:
            out.append([[x[o + i * c + j] for j in range(c)] for i in range(r)])
            o += r * c
        return out

    def join(self, blocks):
        return [v for B in blocks for row in B for v in row]

    def f(self, x, slope=None, mu=None):
        """f (slope None: the ReLU), or the cut objective f_0 + sum mu_e u_e with slope[i][j] in
        {0, 1} on the pre-activations and mu {(i, j): mu_e} at the kinks."""
        blocks = self.split(x)
        H, W, V = blocks[:3]
        U = matmul(W, H)
        if slope is None:
            A = [[max(u, 0) for u in row] for row in U]
        else:
            A = [[U[i][j] * slope[i][j] for j in range(self.K)] for i in range(len(U))]
        Z = matmul(V, A)
        fit = 0
        for i in range(self.K):
            for j in range(self.K):
                z = Z[i][j] + (blocks[3][i][0] if self.bias else 0)
                fit += (z - (1 if i == j else 0)) ** 2
        val = fit / (2 * self.K)
        for lam, B in zip(self.lam, blocks[:3]):
            val += lam / 2 * sum(v * v for row in B for v in row)
        if mu:
            val += sum(m * U[i][j] for (i, j), m in mu.items())
        return val


def hessian(fun, x, h):
    """Exact central second differences (error O(h^2) for the polynomial pieces)."""
    n = len(x)
    H = np.zeros((n, n))

    def at(i, si, j, sj):
        y = list(x)
        y[i] += si * h
        y[j] += sj * h
        return fun(y)

    for i in range(n):
        for j in range(i, n):
            v = (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4 * h * h)
            H[i, j] = H[j, i] = float(v)
    return H


@pytest.mark.parametrize("name, orbit", [("local-min-K3-L2.json", 6), ("local-min-K3-L2-w1.json", 2)])
def test_certified_local_min_of_f_has_a_positive_hessian_modulo_the_orbit(name, orbit):
    cert = json.load(open(repo_file("certificates", "critical-points", name)))
    claims = {c["id"]: c for c in cert["claims"]}
    assert claims["strict_local_min_of_f"]["verdict"] == "certified"
    cp = claims["critical_point"]
    assert cp["kinks"] == [] and not cp.get("dead_units")
    pt = cert["points"][cp["point"]]
    prob = cert["problem"]
    lam_h = Fraction(prob["lambda_h"])
    lam = [Fraction(v) for v in prob["lambda_w"]]
    H1, W1, W2 = block(pt, "H1"), block(pt, "W1"), block(pt, "W2")
    P = Problem(prob["K"], len(H1), len(W1), lam_h, lam[0], lam[1], False)
    x = P.join([H1, W1, W2])
    U = matmul(W1, H1)
    assert min(abs(u) for row in U for u in row) > Fraction(1, 10)   # every sign strict: f is smooth here
    H = hessian(P.f, x, Fraction(1, 2 ** 40))
    ev = np.linalg.eigvalsh(H)
    assert orbit == len(cp["generators"]) + len(cp.get("partial_generators", [])) + len(cp.get("class_rotations", []))
    assert sum(abs(ev) < 1e-8) == orbit, ev
    assert min(e for e in ev if abs(e) >= 1e-8) > 0.007, ev   # 2 lambda = 0.008 by hand, least
    f0 = P.f(x)
    rng = random.Random(1)
    for _ in range(60):
        d = [Fraction(rng.randint(-1000, 1000), 1000) for _ in x]
        for eps in (Fraction(1, 100), Fraction(1, 1000)):
            assert P.f([a + eps * b for a, b in zip(x, d)]) > f0


def example_a():
    """Example A of docs/refine.md §7.5 with sqrt(2) replaced by a rational within 1e-40."""
    s2 = Fraction(isqrt(2 * 10 ** 80), 10 ** 40)
    s = s2 / 3
    J = [[1] * 3 for _ in range(3)]
    C = [[Fraction(2 if i == j else -1, 3) for j in range(3)] for i in range(3)]
    U = [[1 if (j - i) % 3 in (0, 2) else 0 for j in range(3)] for i in range(3)]   # I + P^2
    H1 = [[C[i][j] + s * J[i][j] for j in range(3)] for i in range(3)]
    W1 = [[U[i][j] + (s - Fraction(2, 3)) * J[i][j] for j in range(3)] for i in range(3)]
    CU = matmul(C, [list(r) for r in zip(*U)])
    W2 = [[CU[i][j] / 2 for j in range(3)] for i in range(3)]
    b = [[Fraction(1, 3)] for _ in range(3)]
    return H1, W1, W2, b, U


def test_example_a_is_a_saddle_of_f():
    H1, W1, W2, b, U = example_a()
    P = Problem(3, 3, 3, Fraction(1, 24), Fraction(1, 24), Fraction(1, 3), True)
    x = P.join([H1, W1, W2, b])
    third = Fraction(1, 3)
    assert abs(P.f(x) - third) < Fraction(1, 10 ** 30)   # f = 1/3 at the exact point (§7.5)
    kinks = [(a, (a + 1) % 3) for a in range(3)]
    slope = [[U[i][j] for j in range(3)] for i in range(3)]   # 1 on P+, 0 at the kinks
    mu = {k: Fraction(1, 72) for k in kinks}
    lag = lambda y: P.f(y, slope, mu)
    Hl = hessian(lag, x, Fraction(1, 2 ** 40))
    # C: the kink gradients (d u_aj / d theta) and the tangents (A H1, -W1 A) of H1's rotations
    n = len(x)
    rows = []
    for (a, j) in kinks:
        g = np.zeros(n)
        for k in range(3):
            g[k * 3 + j] = float(W1[a][k])          # d u_aj / d H1[k][j]
            g[9 + a * 3 + k] = float(H1[k][j])      # d u_aj / d W1[a][k]
        rows.append(g)
    for p in range(3):
        for q in range(p + 1, 3):
            A = np.zeros((3, 3))
            A[p, q], A[q, p] = 1, -1
            Hf = np.array([[float(v) for v in r] for r in H1])
            Wf = np.array([[float(v) for v in r] for r in W1])
            t = np.zeros(n)
            t[0:9] = (A @ Hf).ravel()
            t[9:18] = (-Wf @ A).ravel()
            rows.append(t)
    Cm = np.array(rows)
    _, sv, vt = np.linalg.svd(Cm)
    Z = vt[int(np.sum(sv > 1e-10)):].T
    w, v = np.linalg.eigh(Z.T @ Hl @ Z)
    assert w[0] < -0.05, w      # -0.0683 (a saddle on the pattern manifold)
    d = [Fraction(float(c)).limit_denominator(10 ** 12) for c in Z @ v[:, 0]]
    for eps in (Fraction(1, 100), Fraction(1, 1000)):
        for sign in (1, -1):
            y = [a + sign * eps * c for a, c in zip(x, d)]
            # f itself, with the ReLU: below f(theta*) = 1/3 by about |w_0| eps^2 / 2
            assert P.f(y) < third - Fraction(1, 4) * abs(Fraction(float(w[0]))) * eps * eps


def test_pentagon_kinks_strict_slopes_and_f_grows_off_the_manifold():
    cert = json.load(open(PENTAGON))
    claims = {c["id"]: c for c in cert["claims"]}
    assert claims["strict_local_min_of_f"]["verdict"] == "certified"
    net = Net(cert)
    cp = net.cl
    kinks = [tuple(k) for k in cp["kinks"]]
    assert len(kinks) == 5 and {k[0] for k in kinks} == {2} and not cp.get("dead_units")
    mu = {k: number(m) for k, m in zip(kinks, cp["multipliers"])}
    G, grad = net.backward(mu)
    assert max(abs(x) for l in grad for row in grad[l] for x in row) < Fraction(1, 10 ** 60)   # KKT at the centre
    for k in kinks:
        g = G[2][k[1]][k[2]]
        assert g > 0 and Fraction(1, 10) < mu[k] / g < Fraction(9, 10), (k, float(mu[k] / g))
    prob = cert["problem"]
    K, d1, d2 = prob["K"], prob["width"][0], prob["width"][1]
    lam = [Fraction(prob["lambda_h"])] + [Fraction(v) for v in prob["lambda_w"]]
    P = Problem(K, d1, d2, lam[0], lam[1], lam[2], False)
    H1, W1, W2 = net.H[1], net.W[1], net.W[2]
    x = P.join([H1, W1, W2])
    n = len(x)
    U = matmul(W1, H1)
    slope = [[1 if (U[i][j] > 0 and (2, i, j) not in mu) else 0 for j in range(K)] for i in range(d2)]
    lag = lambda y: P.f(y, slope, {(k[1], k[2]): mu[k] for k in kinks})
    Hl = hessian(lag, x, Fraction(1, 2 ** 40))
    rows = []
    for (_, a, j) in kinks:   # grad u_aj: H1[:, j] by W1[a, :], W1[a, :] by H1[:, j]
        g = np.zeros(n)
        for k in range(d1):
            g[k * K + j] = float(W1[a][k])
            g[d1 * K + a * d1 + k] = float(H1[k][j])
        rows.append(g)
    A = np.array([[0.0, 1.0], [-1.0, 0.0]])   # the rotation of H1 (d_1 = 2)
    Hf = np.array([[float(v) for v in r] for r in H1])
    Wf = np.array([[float(v) for v in r] for r in W1])
    t = np.zeros(n)
    t[:d1 * K] = (A @ Hf).ravel()
    t[d1 * K:d1 * K + d2 * d1] = (-Wf @ A).ravel()
    rows.append(t)
    _, sv, vt = np.linalg.svd(np.array(rows))
    Z = vt[int(np.sum(sv > 1e-10)):].T
    ev = np.linalg.eigvalsh(Z.T @ Hl @ Z)
    assert ev[0] > 1e-3, ev
    f0 = P.f(x)
    rng = random.Random(2)
    dirs = [[Fraction(rng.randint(-1000, 1000), 1000) for _ in x] for _ in range(30)]
    for r in rows[:-1]:   # each kink moved into P+ and into P-
        d = [Fraction(float(v)).limit_denominator(10 ** 9) for v in r]
        dirs += [d, [-v for v in d]]
    for d in dirs:
        for eps in (Fraction(1, 100), Fraction(1, 1000), Fraction(1, 10000)):
            assert P.f([a + eps * b for a, b in zip(x, d)]) > f0
