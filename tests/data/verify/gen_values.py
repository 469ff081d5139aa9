#!/usr/bin/python3
"""Reference values of the structures of docs/certificate-format.md §8, for tests/test_verify.c.

Independent of dncert's C code: every value is computed here with mpmath (60 digits) from
the formulas of the project's spec (/work/shared/spec/closed-forms.md §1-§3; the block
embedding and the STS constant as in docs/math/srg.md §3, §5), or is an exact fraction
derived by hand in the comment beside it. Where the spec states digits, they are checked.

Run: /usr/bin/python3 tests/data/verify/gen_values.py > tests/data/verify/values_ref.json
"""
import json
from fractions import Fraction as F
from mpmath import mp, mpf

mp.dps = 80


def problem(K, n, L, width, act="relu", bias="none", lam_h="1/250", lam_w=None):
    n = n if isinstance(n, list) else [n] * K
    lam_w = lam_w if lam_w is not None else [lam_h] * L
    return {"K": K, "n": n, "L": L, "width": width if isinstance(width, list) else [width] * L,
            "activation": [act] * (L - 1), "bias": bias, "lambda_h": lam_h, "lambda_w": lam_w}


def q(s):
    return mpf(F(s).numerator) / F(s).denominator


# ---- the one-parameter family: f*(Q) = (1/2)(1-c)(1+Lc), c the root of (1-c)^(L+1) c^(L-1) = Q
def phi(Q, L):
    T = mpf(L - 1) ** (L - 1) / mpf(L) ** (2 * L) if L > 1 else mpf(1)
    if Q >= T:
        return mpf(1) / 2
    g = lambda c: (1 - c) ** (L + 1) * c ** (L - 1) - Q
    lo, hi = mpf(L - 1) / L, mpf(1)
    for _ in range(400):                  # bisection: g(lo) > 0 > g(hi)
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if g(mid) > 0 else (lo, mid)
    c = (lo + hi) / 2
    return (1 - c) * (1 + L * c) / 2


def P(p):
    v = p["n"][0] * q(p["lambda_h"])
    for x in p["lambda_w"]:
        v *= q(x)
    return v


def dnc(p):
    return phi(p["K"] ** (p["L"] + 1) * P(p), p["L"])


def lowrank(p, K1, Qb):
    K = p["K"]
    v = mpf(K1) / K * phi(Qb, p["L"])
    return v + (mpf(K - K1) / K * dnc(p) if K > K1 else 0)


def srg(p, r):
    K, L, K1 = p["K"], p["L"], r * (r - 1) // 2
    return lowrank(p, K1, P(p) * mpf(K) ** (L + 1) * mpf(r) ** (L - 1) / (2 * mpf(K1) ** (L - 2)))


def sts(p, v):
    K, L, K2 = p["K"], p["L"], v * (v - 1) // 6
    # spec: ratio R = (v+9) v^(L-2) / (12 K^(L-2)) against DNC at K = K2; embedded as in srg.md §3
    return lowrank(p, K2, P(p) * mpf(K) ** (L + 1) * mpf(v) ** (L - 2) * (v + 9) / (12 * mpf(K2) ** (L - 2)))


# ---- deep linear: sum over directions of min_{nu >= 0} F_t(nu)
def directions(p):
    if p["bias"] == "none":
        return [mpf(t) for t in p["n"]]
    counts = sorted(set(p["n"]))
    m = {v: p["n"].count(v) for v in counts}
    ts = [mpf(v) for v in counts for _ in range(m[v] - 1)]
    psi = lambda t: sum(m[v] * v / (v - t) for v in counts)
    for a, b in zip(counts, counts[1:]):  # one root of psi between consecutive counts
        lo, hi = mpf(a), mpf(b)
        for _ in range(400):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if psi(mid) > 0 else (mid, hi)
        ts.append((lo + hi) / 2)
    return ts


def linear(p, M=None):
    M = M or p["L"]
    N = sum(p["n"])
    lamL = q(p["lambda_h"])
    for x in p["lambda_w"]:
        lamL *= q(x)
    C = N * lamL
    total = mpf(0)
    for t in directions(p):
        Fz = t / (2 * N)
        Ft = lambda nu: t / (2 * N) * C / (nu ** M + C) + M * nu / 2
        # the critical points solve (nu^M + C)^2 = t lamL nu^(M-1); scan for sign changes
        Qt = lambda nu: (nu ** M + C) ** 2 - t * lamL * nu ** (M - 1)
        best = Fz
        top = 1 + t * lamL                # beyond it Qt > 0
        grid = [top * mpf(10) ** (-mpf(k) / 100) for k in range(4000, -1, -1)]   # log-spaced
        for a, b in zip(grid, grid[1:]):
            if Qt(a) * Qt(b) < 0:
                for _ in range(300):
                    mid = (a + b) / 2
                    if Qt(a) * Qt(mid) <= 0:
                        b = mid
                    else:
                        a = mid
                best = min(best, Ft((a + b) / 2))
        total += best
    return total


cases = []


def case(name, p, structure, value, source):
    cases.append({"name": name, "problem": p, "structure": structure,
                  "value": mp.nstr(value, 50, strip_zeros=False), "source": source})


p = problem(2, 5, 3, 10)
v = dnc(p)
assert abs(v - mpf("0.023853593128578949378790180100123856997")) < mpf("1e-38")
case("dnc-K2-L3", p, {"name": "dnc"}, v, "spec closed-forms.md §1 reference (40 digits)")
p = problem(10, 1, 4, 10, lam_h="0.004")
vd, vs = dnc(p), srg(p, 5)
assert abs(vs - mpf("0.0903502055815790024885")) < mpf("1e-21")
assert abs(vd - mpf("0.0991798746355951938610")) < mpf("1e-21")
case("dnc-K10-L4", p, {"name": "dnc"}, vd, "spec §2 reference f_DNC (22 digits)")
case("srg-r5-L4", p, {"name": "srg", "r": 5}, vs, "spec §2 reference f_SRG (22 digits)")
case("srg-r4-embedded-K10", p, {"name": "srg", "r": 4}, srg(p, 4), "mpmath, srg.md §3 block sum")
p = problem(2, 5, 3, 10, lam_h="1/2")
case("dnc-dead", p, {"name": "dnc"}, dnc(p), "dead: Q >= T_3, the value is 1/2")
assert dnc(p) == mpf(1) / 2
# L = 1, K = 2, n = 1, lambda = 1/16: c* = 1 - K sqrt(n lambda^2) = 7/8, f* = (1 - c*^2)/2 = 15/128
p = problem(2, 1, 1, 2, lam_h="1/16")
assert abs(dnc(p) - mpf(15) / 128) < mpf("1e-70")
case("dnc-L1-hand", p, {"name": "dnc"}, mpf(15) / 128, "hand: 15/128 exactly")
p = problem(3, 2, 2, [4, 3], lam_h="1/100", lam_w=["1/50", "1/200"])
case("dnc-per-layer-lambdas", p, {"name": "dnc"}, dnc(p), "mpmath, spec §1 with P = n lambda_H prod lambda_W")
# L = 1000 (found by the hostile review: the block polynomial in the monomial basis cancels
# ~12000 bits near c*, which made every bisection step exact and slow)
p = problem(2, 1, 1000, 2, lam_h="1/2048")
case("dnc-L1000", p, {"name": "dnc"}, dnc(p), "mpmath, spec §1")
p = problem(26, 1, 3, 26)
case("sts-v13-L3", p, {"name": "sts", "v": 13}, sts(p, 13), "mpmath, spec §2 ratio R")
case("dnc-K26-L3", p, {"name": "dnc"}, dnc(p), "mpmath, spec §1")
p = problem(30, 1, 3, 30)
case("sts-v13-embedded-K30", p, {"name": "sts", "v": 13}, sts(p, 13), "mpmath, srg.md §3, §5")
p = problem(4, 100, 3, 4, act="linear", lam_h="0.0005")
v = linear(p)
assert abs(v - mpf("0.012629046991767579376738")) < mpf("1e-23")
case("deep-linear-M3", p, {"name": "deep-linear"}, v, "spec §3 reference (24 digits)")
p = problem(4, 3, 1, 4, bias="free", lam_h="0.02")
v = linear(p)
assert abs(v - mpf("0.0967230484541326")) < mpf("1e-15")
case("ufm-bias-balanced", p, {"name": "ufm"}, v, "spec §3 check (16 digits)")
p = problem(4, [200, 100, 50, 50], 3, 4, act="linear", bias="free", lam_h="1/2000")
case("deep-linear-bias-imbalanced-M3", p, {"name": "deep-linear"}, linear(p), "mpmath, spec §3 secular roots")
p = problem(3, [1, 2, 5], 2, 3, act="linear", lam_h="1/30")
case("deep-linear-imbalanced-M2", p, {"name": "deep-linear"}, linear(p), "mpmath, spec §3")
# counts 1, 2, 5 with a bias: the secular root between 1 and 2 is exactly 5/4 (psi(5/4) =
# -4 + 8/3 + 4/3 = 0), a dyadic at which ball arithmetic alone never decides the sign
p = problem(3, [1, 2, 5], 2, 3, act="linear", bias="free", lam_h="1/30")
assert abs(directions(p)[0] - mpf(5) / 4) < mpf("1e-70")
case("deep-linear-bias-exact-secular-root", p, {"name": "deep-linear"}, linear(p), "mpmath, spec §3 (root 5/4)")
# n = (1, 4), lambda = 1/16, M = 1: C = 5/256; t = 1: nu = 11/256, F = 27/512; t = 4: nu = 27/256,
# F = 59/512; total 86/512 = 43/256.
p = problem(2, [1, 4], 1, 2, lam_h="1/16")
assert abs(linear(p) - mpf(43) / 256) < mpf("1e-60")
case("ufm-imbalanced-hand", p, {"name": "ufm"}, mpf(43) / 256, "hand: 43/256 exactly")
# n = (1, 8), bias: the secular root t = 16/9 (= 2ab/(a+b)); C = 9/256, nu = 1/12 - 9/256 = 37/768,
# F = (16/162)(108/256) + 37/1536 = 101/1536.
p = problem(2, [1, 8], 1, 1, bias="free", lam_h="1/16")
assert abs(linear(p) - mpf(101) / 1536) < mpf("1e-60")
case("ufm-bias-secular-hand", p, {"name": "ufm"}, mpf(101) / 1536, "hand: 101/1536 exactly")
p = problem(3, 4, 2, 3, lam_h="1/20")
case("tirer-bruna-K3", p, {"name": "tirer-bruna"}, linear(p, 2), "mpmath: the two-layer linear bias-free value (spec §3)")

print(json.dumps({"note": "generated by gen_values.py (mpmath); do not edit", "cases": cases}, indent=1))
