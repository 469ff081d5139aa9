"""An independent check, in exact rational arithmetic (Python's fractions, no dncert code), of
the multiplier shifts of the committed width-30 certificate
(certificates/critical-points/critical-K6-L4-w30.json; format §6.10 "shifts",
docs/refine.md §7.12).

At the box centre of its critical_point claim, with the certified multipliers mu and with the
shifted ones mu' = mu + sum_k s_k d_k -- d_k built here from the format's definition: the null
vector c of hbar[V, T] with c_j* = 1 and the ratio alpha = w_iu / w_au -- the gradient of the cut
Lagrangian f_0 + sum_e mu_e ubar_e must be tiny (the centre is within 2^-192 of the critical
point), while a wrong member of the family (the shifts negated) must leave a large residual;
and the slopes mu'_e / G_e at the centre must lie in the claim's stated intervals, inside [0, 1].
This is a third implementation next to the producer and the checker, written from the spec.
"""
import json
import re
from fractions import Fraction

from conftest import repo_file

CERT = repo_file("certificates", "critical-points", "critical-K6-L4-w30.json")


def number(s):
    s = s.strip()
    neg = s.startswith("-")
    t = s.lstrip("+-")
    m = re.match(r"0x([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?p([+-]?\d+)$", t)
    if m:
        a, b, e = m.groups()
        b = b or ""
        v = Fraction(int(a + b, 16)) * Fraction(2) ** (int(e) - 4 * len(b))
    else:
        v = Fraction(t)
    return -v if neg else v


def block(pt, name):
    b = pt["blocks"][name]
    r, k = b["rows"], b["cols"]
    v = [number(x) for x in b["dense"]]
    return [[v[j * r + i] for j in range(k)] for i in range(r)]   # column-major in the file


def mul(A, B):
    return [[sum(A[i][k] * B[k][j] for k in range(len(B))) for j in range(len(B[0]))] for i in range(len(A))]


def transpose(A):
    return [list(r) for r in zip(*A)]


class Net:
    """The cut network of the claim: slope 1 where the centre's pre-activation is positive and
    the entry is no kink (listed or implied) nor a dead unit's, else 0."""

    def __init__(self, cert):
        self.cl = next(c for c in cert["claims"] if c["kind"] == "critical_point")
        pt = cert["points"][self.cl["point"]]
        self.L = cert["problem"]["L"]
        self.lam = Fraction(cert["problem"]["lambda_h"])
        self.W = [None] + [block(pt, "W%d" % l) for l in range(1, self.L + 1)]
        self.H = {1: block(pt, "H1")}
        self.N = len(self.H[1][0])
        zero = {tuple(k) for k in self.cl["kinks"]} | {tuple(k) for k in self.cl.get("implied_kinks", [])}
        dead = {tuple(d) for d in self.cl.get("dead_units", [])}
        self.S = {}
        for l in range(2, self.L + 1):
            U = mul(self.W[l - 1], self.H[l - 1])
            self.S[l] = [[0 if ((l, i, j) in zero or (l, i) in dead or U[i][j] <= 0) else 1 for j in range(self.N)]
                         for i in range(len(U))]
            self.H[l] = [[U[i][j] * self.S[l][i][j] for j in range(self.N)] for i in range(len(U))]
        self.Z = mul(self.W[self.L], self.H[self.L])

    def backward(self, mu):
        """G (the adjoint of h_e before the slopes and seeds of its layer, at every entry) and the
        gradient of f_0 + sum_e mu_e ubar_e in every parameter (MSE, Y = I, one sample a class)."""
        N, L, lam = self.N, self.L, self.lam
        D = [[(self.Z[i][j] - (1 if i == j else 0)) / N for j in range(N)] for i in range(len(self.Z))]
        grad = {L: [[sum(D[i][j] * self.H[L][u][j] for j in range(N)) + lam * self.W[L][i][u]
                     for u in range(len(self.W[L][0]))] for i in range(len(D))]}
        A = mul(transpose(self.W[L]), D)
        G = {}
        for l in range(L, 1, -1):
            G[l] = A
            Ad = [[A[i][j] * self.S[l][i][j] + mu.get((l, i, j), 0) for j in range(N)] for i in range(len(A))]
            grad[l - 1] = [[sum(Ad[i][j] * self.H[l - 1][u][j] for j in range(N)) + lam * self.W[l - 1][i][u]
                            for u in range(len(self.W[l - 1][0]))] for i in range(len(Ad))]
            A = mul(transpose(self.W[l - 1]), Ad)
        grad[0] = [[A[i][j] + lam * self.H[1][i][j] for j in range(N)] for i in range(len(A))]
        return G, grad


def solve(M, b):
    """x with M x = b, exactly (Gaussian elimination over the rationals, M square nonsingular)."""
    n = len(M)
    A = [list(M[i]) + [b[i]] for i in range(n)]
    for c in range(n):
        p = next(r for r in range(c, n) if A[r][c] != 0)
        A[c], A[p] = A[p], A[c]
        for r in range(n):
            if r != c and A[r][c] != 0:
                f = A[r][c] / A[c][c]
                A[r] = [x - f * y for x, y in zip(A[r], A[c])]
    return [A[i][n] / A[i][i] for i in range(n)]


def shifted(net, km, sign=1, row_i=-1):
    """mu + sign * sum_k s_k d_k, d_k from format §6.10's definition (row_i = +1: row i's part
    with the wrong sign, d_(i,j) = +c_j / alpha, which is no relation)."""
    kinks = [tuple(k) for k in net.cl["kinks"]]
    mu = {k: number(m) for k, m in zip(kinks, net.cl["multipliers"])}
    imp = [tuple(k) for k in net.cl["implied_kinks"]]
    for sh in km["shifts"]:
        l, i, jstar = imp[sh["implied_kink"]]
        a, s = sh["partner"], number(sh["shift"])
        T = [k[2] for k in kinks if k[0] == l and k[1] == i] + [jstar]
        V = [u for u in range(len(net.H[l - 1])) if any(net.S[l - 1][u][j] == 1 for j in T)]
        assert len(V) == len(T)   # |T'| = |V| - 1
        hbar = [[net.H[l - 1][u][j] for j in T] for u in V]
        wa = [net.W[l - 1][a][u] for u in V]
        v0 = max(range(len(V)), key=lambda t: abs(wa[t]))   # a row that depends on the others
        rows = [t for t in range(len(V)) if t != v0]
        c = solve([hbar[t][:-1] for t in rows], [-hbar[t][-1] for t in rows]) + [Fraction(1)]
        u = next(t for t in range(len(V)) if wa[t] != 0 and net.W[l - 1][i][V[t]] != 0)
        alpha = net.W[l - 1][i][V[u]] / wa[u]
        for t, j in enumerate(T):
            mu[(l, a, j)] = mu.get((l, a, j), 0) + sign * s * c[t]
            mu[(l, i, j)] = mu.get((l, i, j), 0) + row_i * sign * s * c[t] / alpha
    return mu


def residual(grad):
    return max(abs(x) for l in grad for row in grad[l] for x in row)


def test_shifted_multipliers_are_kkt_multipliers_and_the_slopes_hold():
    cert = json.load(open(CERT))
    net = Net(cert)
    km = next(c for c in cert["claims"] if c["kind"] == "kink_multipliers")
    assert km["verdict"] == "certified" and len(km["shifts"]) == 3
    kinks = [tuple(k) for k in net.cl["kinks"]]
    mu0 = {k: number(m) for k, m in zip(kinks, net.cl["multipliers"])}
    _, g0 = net.backward(mu0)
    mu1 = shifted(net, km)
    G, g1 = net.backward(mu1)
    mu2 = shifted(net, km, -1)
    G2, g2 = net.backward(mu2)
    _, g3 = net.backward(shifted(net, km, 1, +1))
    assert residual(g0) < Fraction(1, 10 ** 60)
    assert residual(g1) < Fraction(1, 10 ** 60)      # the shifted multipliers: KKT as well
    assert residual(g2) < Fraction(1, 10 ** 60)      # so is every member of the line, -s too,
    assert any(mu2[e] / G2[e[0]][e[1]][e[2]] < 0 for e in kinks)   # but its slopes leave [0, 1]
    assert residual(g3) > Fraction(1, 10 ** 6)       # with row i's sign wrong: no relation
    imp = [tuple(k) for k in net.cl["implied_kinks"]]
    stated = [(e, km["slopes"][n]) for n, e in enumerate(kinks)]
    stated += [(imp[sh["implied_kink"]], sh["slope"]) for sh in km["shifts"]]
    for (l, i, j), iv in stated:
        t = mu1[(l, i, j)] / G[l][i][j]
        lo, hi = Fraction(iv["lo"]), Fraction(iv["hi"])
        assert 0 <= lo <= t <= hi <= 1, ((l, i, j), float(t), iv["lo"][:12], iv["hi"][:12])
    # the pairs' slopes are the middle 3/4 of their feasible segment [1/2, 1] (refine.md §7.12)
    for sh in km["shifts"]:
        l, i, j = imp[sh["implied_kink"]]
        assert abs(mu1[(l, i, j)] / G[l][i][j] - Fraction(3, 4)) < Fraction(1, 10 ** 6)
