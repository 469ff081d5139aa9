"""Independent evidence, in exact rational arithmetic (Python's fractions; mpmath at 320 digits
only to find the direction, which is then checked exactly; no dncert code), for the claim
descent_direction (format §6.15, docs/refine.md §7.18) along a direction that moves a kink INTO
P+: the checker's slope-1 rule (s_e = 1 where w_e > 0), which the producer's directions (every
kink into P-) never exercise.

The reference is certificates/small-k-low-rank/witness-K5-L5.json (L = 5, 34 listed kinks, 22
dead units, no implied kinks, no zero weights, no shifts): its critical_point claim's box centre
theta0 (the point "critical", within 2^-192 of the exact critical point theta*), its listed
kinks, dead units and multipliers mu, and the kink_multipliers claim's slope interval of kink 24
= [5, 0, 0] (top ReLU layer). Everything else is recomputed here with the helpers of
test_independent_shifts.py (Net: the cut network and its seeded backward pass, G_e) and
test_independent_d_stationary.py (the real ReLU forward pass f, the kink gradients grad ubar_e
of the cut network, the held-parameter mask):

1. G_24 = -0.000693 < 0 and t_24 = mu_24 / G_24 = 0.98 (inside the stated slope interval), so
   mu_24 < 0 and G_24 - mu_24 = (1 - t_24) G_24 = -1.35e-5 < 0: moving kink 24 into P+ lowers f.
2. The direction D: the least-norm vector of the free parameters (the dead units' held at 0)
   with <grad ubar_24, D> = +1 and <grad ubar_e, D> = -2^-20 at the other 33 listed kinks,
   solved at 320 digits, rounded to the 2^-200 grid, and the 34 products checked exactly
   (within 1e-50 of the targets).
3. The rate f'(theta*; D) = lim (f(theta0 + eps D) - f(theta0)) / eps of the REAL ReLU network
   objective (MSE 1/(2N) ||Z - I||^2 plus weight decay, docs/model.md) as an exact difference
   quotient at eps = 2^-66 (as in test_independent_d_stationary.py: eps |w_e| is far above the
   kink entries at theta0, ~1e-58, and the second-order term is ~1e-19): negative, equal
   within 1e-12 to the identity of §7.17, sum_e (G_e max(0, w_e) - mu_e w_e) with w_e the
   quotients of the real pre-activations (w_24 = +1, the others -2^-20), i.e. to
   (G_24 - mu_24) + 2^-20 sum_(e != 24) mu_e; and f(theta0 + eps D) < f(theta0) for
   eps = 2^-30, 2^-40, 2^-66.
4. rate0 = <grad f_0, D> (the cut network: slope 0 at kink 24 as well) = -mu_24 + 2^-20
   sum_(e != 24) mu_e by the KKT equations, POSITIVE: what a checker that ignored the slope-1
   rule would compute. It is far from the rate, so such a checker would refuse copy (a).
5. dncert-verify on copies of the certificate with the point "descent_p" = D and a claim
   descent_direction "descent_plus": (a) rate [rate - 1e-9, rate + 1e-9]: certified OK, exit 0;
   (b) rate [rate + 1e-6, rate + 2e-6] (still < 0, excludes the value): not proven MISMATCH,
   exit 1, and the checker's own enclosure, which its message prints, agrees with the quotient
   within 1e-12 and with the closed form (G_24 - mu_24) + 2^-20 sum_(e != 24) mu_e within 1e-20.
"""
import copy
import json
import os
import re
import subprocess
import time
from fractions import Fraction

import mpmath
import numpy as np

from conftest import repo_file
from test_independent_d_stationary import (dot, forward, held_mask, kink_gradient, load, moved, params,
                                           quotient)
from test_independent_shifts import block

CERT = repo_file("certificates", "small-k-low-rank", "witness-K5-L5.json")
SMALL = Fraction(1, 2 ** 20)
GRID = 200                                  # D on the 2^-200 grid


def verifier_path():
    """dncert-verify of the build (ctest sets DNCERT_VERIFY_BIN); never skips."""
    path = os.environ.get("DNCERT_VERIFY_BIN") or repo_file("build", "dncert-verify")
    assert os.access(path, os.X_OK), "no executable %s (build first)" % path
    return path


def decimal_string(x, digits=30):
    """x rounded to 10^-digits, as an exact rational string."""
    n = round(x * 10 ** digits)
    return "%d/%d" % (n, 10 ** digits)


def direction(kg, kinks, target, P):
    """The least-norm vector D of the span of the kink gradients with <grad ubar_e, D> = target_e:
    D = sum_e y_e grad ubar_e, (A A^T) y = target solved at 320 digits, D rounded to 2^-GRID."""
    flat = [[x for B in kg[e] for r in B for x in r] for e in kinks]
    s = max(x.denominator.bit_length() - 1 for f in flat for x in f)
    A = np.array([[(x * (1 << s)).numerator for x in f] for f in flat], dtype=object)   # integers
    assert all(x * (1 << s) == int(a) for f, ra in zip(flat, A) for x, a in zip(f, ra))
    M = A.dot(A.T)                                                # the Gram matrix times 2^(2s)
    with mpmath.workdps(320):
        y = mpmath.lu_solve(mpmath.matrix([[mpmath.mpf(int(v)) for v in r] for r in M]),
                            mpmath.matrix([mpmath.mpf(t.numerator) / t.denominator for t in target]))
        # y is the true y times 2^(-2s); Y = the true y to 2^-(GRID + 64)
        Y = [int(mpmath.nint(y[k] * mpmath.mpf(2) ** (2 * s + GRID + 64))) for k in range(len(kinks))]
    Dint = np.array(Y, dtype=object).dot(A)                       # D times 2^(s + GRID + 64)
    sh = s + 64
    it = iter(Dint)
    out = []
    for B in P:                                                   # flat: block by block, row-major
        rows = [[None] * len(B[0]) for _ in B]
        for i in range(len(B)):
            for j in range(len(B[0])):
                rows[i][j] = Fraction((int(next(it)) + (1 << (sh - 1))) >> sh, 1 << GRID)   # nearest
        out.append(rows)
    return out


def point_of(D, names):
    """A format §5 point: the blocks column-major, every entry an exact rational string."""
    blocks = {}
    for name, B in zip(names, D):
        r, c = len(B), len(B[0])
        blocks[name] = {"rows": r, "cols": c, "dense": [str(B[i][j]) for j in range(c) for i in range(r)]}
    return {"layout": "expanded", "scalars": {}, "blocks": blocks}


def run_copy(cert, D, names, lo, hi, tmp_path, tag):
    c = copy.deepcopy(cert)
    assert "descent_p" not in c["points"]
    c["points"]["descent_p"] = point_of(D, names)
    c["claims"].append({"id": "descent_plus", "kind": "descent_direction", "statement": "", "verdict": "certified",
                        "critical_point": "critical_point", "direction": "descent_p",
                        "rate": {"lo": decimal_string(lo), "hi": decimal_string(hi)}})
    path = tmp_path / ("%s.json" % tag)
    path.write_text(json.dumps(c))
    res = subprocess.run([verifier_path(), str(path)], capture_output=True, text=True, timeout=120)
    return res


def test_descent_direction_into_p_plus_at_the_k5_l5_witness(tmp_path):
    t0 = time.time()
    cert, claims, net, lam_h, lam_w, kinks, mu = load(CERT)
    cl = net.cl
    assert claims["critical_point"]["verdict"] == "certified"
    assert claims["kink_multipliers"]["verdict"] == "certified"
    assert not cl.get("implied_kinks") and not cl.get("zero_weights") and not claims["kink_multipliers"].get("shifts")
    assert net.L == 5 and len(kinks) == 34
    e24 = kinks[24]
    assert e24 == (5, 0, 0)
    assert all(e[0] <= 5 for e in kinks)       # nothing above layer 5: h_24 feeds Z only

    # 1. G_24 < 0 and the slope t_24 = mu_24 / G_24 in (0, 1): G_24 - mu_24 < 0
    G, grad = net.backward(mu)
    assert max(abs(x) for l in grad for row in grad[l] for x in row) < Fraction(1, 10 ** 50)   # KKT at theta0
    g24, mu24 = G[5][0][0], mu[e24]
    assert -Fraction(70, 100000) < g24 < -Fraction(69, 100000)
    t24 = mu24 / g24
    iv = claims["kink_multipliers"]["slopes"][24]
    assert Fraction(iv["lo"]) <= t24 <= Fraction(iv["hi"]) and Fraction(98, 100) < t24 < 1
    assert mu24 < 0 and g24 - mu24 < -Fraction(1, 10 ** 6)

    # 2. the direction: kink 24 into P+ at rate 1, every other listed kink into P- at rate 2^-20
    P = params(net)
    mask = held_mask(net)
    kg = {e: kink_gradient(net, e, mask) for e in kinks}
    target = [Fraction(1) if e == e24 else -SMALL for e in kinks]
    D = direction(kg, kinks, target, P)
    for e, tg in zip(kinks, target):
        assert abs(dot(kg[e], D) - tg) < Fraction(1, 10 ** 50), e
    assert all(x == 0 for B, MB in zip(D, mask) for r, mr in zip(B, MB) for x, m in zip(r, mr) if not m)
    assert any(x != 0 for B in D for r in B for x in r)
    norm = float(sum(x * x for B in D for r in B for x in r)) ** 0.5

    # 3. the rate of the real ReLU network by an exact difference quotient
    f0, U0 = forward(P, lam_h, lam_w)
    assert Fraction(cl["loss"]["lo"]) <= f0 <= Fraction(cl["loss"]["hi"])
    dead = {(l, a) for l, a in cl["dead_units"]}
    zero = set(kinks) | {(l, a, j) for l, a in dead if l >= 2 for j in range(net.N)}
    assert all(abs(U0[l][i][j]) < Fraction(1, 10 ** 50) for l, i, j in zero)
    assert min(abs(U0[l][i][j]) for l in U0 for i in range(len(U0[l])) for j in range(net.N)
               if (l, i, j) not in zero) > Fraction(1, 10 ** 6)      # every other entry keeps its sign
    rate, w = quotient(net, lam_h, lam_w, f0, U0, D)
    assert abs(w[e24] - 1) < Fraction(1, 10 ** 15)
    assert all(abs(w[e] + SMALL) < Fraction(1, 10 ** 15) for e in kinks if e != e24)
    assert all(w[(l, a, j)] == 0 for l, a in dead if l >= 2 for j in range(net.N))   # dead rows stay 0
    pred = sum(G[e[0]][e[1]][e[2]] * max(w[e], 0) - mu[e] * w[e] for e in kinks)   # refine.md §7.17
    closed = (g24 - mu24) + SMALL * sum(mu[e] for e in kinks if e != e24)
    assert abs(rate - pred) < Fraction(1, 10 ** 12), (float(rate), float(pred))
    assert abs(rate - closed) < Fraction(1, 10 ** 12), (float(rate), float(closed))
    assert rate < -Fraction(1, 10 ** 6)
    for k in (30, 40, 66):
        eps = Fraction(1, 2 ** k)
        f1, _ = forward(moved(P, D, eps), lam_h, lam_w)
        assert f1 < f0 + eps * rate / 2, (k, float((f1 - f0) / eps))

    # 4. the slope-0 value: the cut network's derivative along D, by KKT -mu_24 + 2^-20 sum mu_e
    _, grad0 = net.backward({})
    rate0 = dot([grad0[l] for l in range(net.L + 1)], D)
    assert abs(rate0 - (-mu24 + SMALL * sum(mu[e] for e in kinks if e != e24))) < Fraction(1, 10 ** 40)
    assert rate0 > Fraction(1, 10 ** 4)
    assert rate0 - rate > Fraction(1, 10 ** 4)           # far outside [rate - 1e-9, rate + 1e-9]

    # 5. the checker on the two copies
    names = ["H1"] + ["W%d" % l for l in range(1, net.L + 1)]
    tol = Fraction(1, 10 ** 9)
    res = run_copy(cert, D, names, rate - tol, rate + tol, tmp_path, "right")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "descent_plus descent_direction certified OK" in res.stdout, res.stdout
    res2 = run_copy(cert, D, names, rate + Fraction(1, 10 ** 6), rate + Fraction(2, 10 ** 6), tmp_path, "shifted")
    assert res2.returncode == 1, res2.stdout + res2.stderr
    assert "descent_plus descent_direction not proven MISMATCH" in res2.stdout, res2.stdout
    m = re.search(r"the derivative along descent_p over the box is \[([-+0-9.e]+) \+/- ([0-9.e+-]+)\]", res2.stdout)
    assert m, res2.stdout
    checker_rate = Fraction(m.group(1))
    assert abs(checker_rate - rate) < Fraction(1, 10 ** 12), (m.group(0), float(rate))
    assert abs(checker_rate - closed) < Fraction(1, 10 ** 20), (m.group(0), float(closed))   # its 24 digits
    print(res.stdout.splitlines()[[i for i, s in enumerate(res.stdout.splitlines()) if "descent_plus" in s][0]])
    print("\n".join(s for s in res2.stdout.splitlines() if "descent_plus" in s or "descent_p " in s))
    print("|rate - identity| = %.2e, |rate - closed form| = %.2e, |rate - checker's midpoint| = %.2e, "
          "|closed form - checker's midpoint| = %.2e"
          % (float(abs(rate - pred)), float(abs(rate - closed)), float(abs(rate - checker_rate)),
             float(abs(closed - checker_rate))))
    print("K5-L5: G_24 = %.10e, mu_24 = %.10e, t_24 = %.10f, G_24 - mu_24 = %.10e; |D| = %.4g; "
          "rate f'(theta*; D) = %.15e (identity %.15e), rate0 = <grad f_0, D> = %.15e; checker's rate %s; %.1f s"
          % (float(g24), float(mu24), float(t24), float(g24 - mu24), norm, float(rate), float(pred), float(rate0),
             m.group(0).split(" is ")[1], time.time() - t0))


def test_committed_descent_into_p_plus_at_the_w20_group_point():
    """The committed certificates/critical-points/critical-K6-L4-w20-group.json: d_stationary is not
    proven (implied kinks of layer 3 with G_e < 0 and multiplier 0), and the producer's direction
    (descent_up in src/refine/critical.c) moves implied kink [3, 4, 3] into P+ -- an implied kink
    of rule zero, so through its held weights: D is nonzero at some zero weights. Recomputed here
    without dncert: G_[3,4,3] < 0 by the seeded pass (Net), and along D the real ReLU objective's
    exact difference quotient at eps = 2^-66 is negative, equal within 1e-12 to the claim's rate
    and to the identity sum_e (G_e max(0, w_e) - mu_e w_e) of docs/refine.md §7.17 over the listed
    and implied kinks, with w_[3,4,3] > 0 and every other zero entry's w_e < 0 or 0; f decreases
    at eps = 2^-30 and 2^-40."""
    path = repo_file("certificates", "critical-points", "critical-K6-L4-w20-group.json")
    cert, claims, net, lam_h, lam_w, kinks, mu = load(path)
    assert claims["d_stationary"]["verdict"] == "not proven"
    dd = claims["descent_direction"]
    assert dd["verdict"] == "certified"
    pt = cert["points"][dd["direction"]]
    D = [block(pt, "H1")] + [block(pt, "W%d" % l) for l in range(1, net.L + 1)]
    implied = [tuple(k) for k in net.cl["implied_kinks"]]
    up = (3, 4, 3)
    assert up in implied
    assert any(D[l][i][u] != 0 for l, i, u in net.cl["zero_weights"])    # the held-weight path

    G, grad = net.backward(mu)
    assert max(abs(x) for l in grad for row in grad[l] for x in row) < Fraction(1, 10 ** 50)   # KKT at theta0
    assert G[3][4][3] < -Fraction(1, 10 ** 6)

    P = params(net)
    f0, U0 = forward(P, lam_h, lam_w)
    rate, w = quotient(net, lam_h, lam_w, f0, U0, D)
    assert w[up] > Fraction(1, 10 ** 6), float(w[up])
    for e in kinks + implied:
        assert e == up or w[e] < 0 or abs(w[e]) < Fraction(1, 10 ** 15), (e, float(w[e]))
    pred = sum(G[e[0]][e[1]][e[2]] * max(w[e], 0) - mu.get(e, 0) * w[e] for e in kinks + implied)
    lo, hi = Fraction(dd["rate"]["lo"]), Fraction(dd["rate"]["hi"])
    tol = Fraction(1, 10 ** 12)
    assert rate < -Fraction(1, 10 ** 6), float(rate)
    assert abs(rate - pred) < tol, (float(rate), float(pred))
    assert lo - tol <= rate <= hi + tol, (float(rate), float(lo), float(hi))
    for k in (30, 40):
        eps = Fraction(1, 2 ** k)
        f1, _ = forward(moved(P, D, eps), lam_h, lam_w)
        assert f1 < f0 + eps * rate / 2, (k, float((f1 - f0) / eps))
    print("w20 group: G_[3,4,3] = %.6e, rate %.6e (claim %.6e), w_up = %.3e"
          % (float(G[3][4][3]), float(rate), float((lo + hi) / 2), float(w[up])))
