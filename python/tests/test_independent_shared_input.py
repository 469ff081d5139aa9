"""An independent check, in exact rational arithmetic (Python's fractions, no dncert code), of
the shared_input witnesses of the committed K = 4, L = 5 witness certificate
(certificates/small-k-low-rank/witness-K4-L5.json; format §6.10 check 4b, docs/refine.md §7.15).

A witness {"kink": e = (l, p, j0), "slope": 1, "shared_input": q} says: q is the only active unit
of layer l - 1 in column j0 (so w_pq = 0 and its KKT equation ties mu_e to G_pj, j in J, the
columns where q is active), and every unit k above that reads p satisfies
sum_(j in J) A_kj h_qj = 0, so mu_e = G_e: slope 1. Here, at the box centre of the
critical_point claim (within 2^-192 of the critical point): the KKT residual is tiny; for each
witness, q is the only active unit in column j0; mu_e / G_e = 1 to 1e-60; and for every unit k
of layer l + 1 with a weight from p above 1e-60, sum_J A_kj h_qj is below 1e-60, while the same
sum with the columns of another unit of layer l - 1 is not (the identity is particular to q).
The network pass is the one of test_independent_shifts.py.
"""
import json
from fractions import Fraction

from conftest import repo_file
from test_independent_shifts import Net, number, residual

CERT = repo_file("certificates", "small-k-low-rank", "witness-K4-L5.json")
TINY = Fraction(1, 10 ** 60)


def test_shared_input_witnesses_from_the_definitions():
    cert = json.load(open(CERT))
    net = Net(cert)
    km = next(c for c in cert["claims"] if c["kind"] == "kink_multipliers")
    assert km["verdict"] == "certified"
    kinks = [tuple(k) for k in net.cl["kinks"]]
    mu = {k: number(m) for k, m in zip(kinks, net.cl["multipliers"])}
    G, grad = net.backward(mu)
    assert residual(grad) < TINY
    witnesses = [x for x in km["exact_slopes"] if "shared_input" in x]
    assert len(witnesses) == 2
    contrasts = 0
    for x in witnesses:
        l, p, j0 = kinks[x["kink"]]
        q = x["shared_input"]
        assert x["slope"] == 1 and l >= 3
        S = net.S[l - 1]
        assert [u for u in range(len(S)) if S[u][j0] == 1] == [q]
        J = [j for j in range(net.N) if S[q][j] == 1]
        assert mu[(l, p, j0)] != 0 and abs(mu[(l, p, j0)] / G[l][p][j0] - 1) < TINY
        A = [[G[l + 1][k][j] * net.S[l + 1][k][j] + mu.get((l + 1, k, j), 0) for j in range(net.N)]
             for k in range(len(net.S[l + 1]))]
        h = net.H[l - 1]
        readers = [k for k in range(len(A)) if abs(net.W[l][k][p]) > TINY]
        assert readers
        for k in readers:
            assert abs(sum(A[k][j] * h[q][j] for j in J)) < TINY, (x, k)
            for m in range(len(h)):   # another unit's columns: no such identity
                Jm = [j for j in range(net.N) if S[m][j] == 1]
                if m != q and Jm and set(Jm) != set(J):
                    contrasts += abs(sum(A[k][j] * h[m][j] for j in Jm)) > Fraction(1, 10 ** 6)
    assert contrasts > 0
