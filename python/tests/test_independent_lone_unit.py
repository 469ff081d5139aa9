"""An independent check, in exact rational arithmetic (Python's fractions, no dncert code), of
the lone_unit witness of the committed K = 4, L = 4 witness certificate
(certificates/small-k-low-rank/witness-K4-L4.json; format §6.10 check 4a, docs/refine.md §7.14).

The witness says: at kink e = (2, p, j') unit p of layer 2 is P+ in column j only, every other
unit is cut in column j, the columns h_j, h_j' of H1 are independent, so the KKT equations of
column j of H1 and row p of W_1 force mu*_e = 0. Here, at the box centre of the critical_point
claim (within 2^-192 of the critical point), from the format's definitions: the pattern
conditions hold; the gradient of the cut Lagrangian is tiny (the centre is a KKT point to
working precision); the identities behind the proof, lambda_H h_j + A_pj w_p = 0 and
A_pj^2 = lambda_H lambda_W1 (the coefficient of h_j vanishes as well), hold to the same precision while it is far from 0 for a unit that is not alone (unit 5 of the same layer,
P+ in two columns), so the test can tell them apart; the certified multiplier at e is 0 to 50
digits; and the Gram determinant of h_j, h_j' is far from 0. A third implementation next to the
producer and the checker; the network pass is the one of test_independent_shifts.py.
"""
import json
from fractions import Fraction

from conftest import repo_file
from test_independent_shifts import Net, number, residual

CERT = repo_file("certificates", "small-k-low-rank", "witness-K4-L4.json")
TINY = Fraction(1, 10 ** 60)


def kkt_h_column(net, A2, p, j):
    """max_a |lambda_H H1[a, j] + A2[p, j] W_1[p, a]|: the equation of column j of H1 when unit p
    is the only unit with a nonzero adjoint in column j."""
    H1, W1 = net.H[1], net.W[1]
    return max(abs(net.lam * H1[a][j] + A2[p][j] * W1[p][a]) for a in range(len(H1)))


def test_lone_unit_witness_from_the_definitions():
    cert = json.load(open(CERT))
    net = Net(cert)
    km = next(c for c in cert["claims"] if c["kind"] == "kink_multipliers")
    assert km["verdict"] == "certified"
    lone = [x for x in km["exact_slopes"] if "lone_unit" in x]
    assert len(lone) == 1 and lone[0]["slope"] == 0
    kinks = [tuple(k) for k in net.cl["kinks"]]
    implied = {tuple(k) for k in net.cl.get("implied_kinks", [])}
    l, p, jk = kinks[lone[0]["kink"]]
    j = lone[0]["lone_unit"]
    assert (l, p, jk, j) == (2, 1, 1, 2)
    mu = {k: number(m) for k, m in zip(kinks, net.cl["multipliers"])}
    G, grad = net.backward(mu)
    assert residual(grad) < TINY
    # the pattern of check 4a: p P+ in column j only; every other unit cut there, none a listed kink
    S2 = net.S[2]
    assert [S2[p][c] for c in range(net.N)] == [int(c == j) for c in range(net.N)]
    assert all(S2[u][j] == 0 and (2, u, j) not in mu for u in range(len(S2)) if u != p)
    assert all((2, u, j) in implied or net.H[2][u][j] == 0 for u in range(len(S2)) if u != p)
    # the seeded adjoint of layer 2: the adjoint from above times the slope, plus the seeds
    A2 = [[G[2][u][c] * S2[u][c] + mu.get((2, u, c), 0) for c in range(net.N)] for u in range(len(S2))]
    assert all(A2[u][j] == 0 for u in range(len(S2)) if u != p)
    assert abs(A2[p][j]) > Fraction(1, 10 ** 3)
    assert kkt_h_column(net, A2, p, j) < TINY            # lambda_H h_j = -A_pj w_p
    # the proof's other consequence: the coefficient of h_j vanishes too, A_pj^2 = lambda_H lambda_W1
    assert abs(A2[p][j] ** 2 - net.lam * net.lam) < TINY
    assert kkt_h_column(net, A2, 5, 0) > Fraction(1, 10 ** 4)   # not alone (7e-4 here): no such identity
    assert abs(mu[(l, p, jk)]) < Fraction(1, 10 ** 50)   # the certified mu_e: 0 to 50 digits
    h = [[net.H[1][a][c] for a in range(len(net.H[1]))] for c in (j, jk)]
    g = [[sum(x * y for x, y in zip(u, v)) for v in h] for u in h]
    assert g[0][0] * g[1][1] - g[0][1] ** 2 > Fraction(1, 10 ** 3)
