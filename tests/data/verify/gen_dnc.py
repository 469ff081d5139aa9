#!/usr/bin/python3
"""Generates dnc_K2_L3_n5.json, the DNC certificate used by tests/test_verify.c.

Independent of dncert's C code: the point is built from the closed form of
/work/shared/spec/closed-forms.md section 1 with mpmath, and every number the certificate
states is computed here from the explicit matrices (norms and products), not from the
closed-form value, which only serves as a cross-check (reference 0.02385359312857894937...).

Problem: K = 2, n = 5 per class, L = 3, widths 10, ReLU, every lambda = 1/250, no bias.
Point (collapsed): H1 = a Q, W_l = s_l Q Q^T (l < L), W_L = s_L Q^T with Q = the first two
coordinate vectors of R^10; a, s_l are balls (narrow decimal intervals), c* an algebraic
number: the root in (1/3, 1) of 48828125 (1 - c)^4 c^2 - 1, since K^{L+1} P = 1/48828125.

Run: /usr/bin/python3 tests/data/verify/gen_dnc.py > tests/data/verify/dnc_K2_L3_n5.json
"""
import json
from fractions import Fraction
from mpmath import mp, mpf, sqrt, findroot, floor, ceil

mp.dps = 100
K, n, L, d = 2, 5, 3, 10
lam = mpf(1) / 250
P = n * lam ** (L + 1)                     # n lambda_H prod lambda_W
Q = Fraction(K ** (L + 1) * n, 250 ** (L + 1))
assert Q == Fraction(1, 48828125)
poly = [0] * 7                             # den(Q) (1 - c)^4 c^2 - num(Q)
for k, b in enumerate([1, -4, 6, -4, 1]):
    poly[k + 2] = Q.denominator * b
poly[0] -= Q.numerator

c = findroot(lambda x: (1 - x) ** 4 * x ** 2 - mpf(Q.numerator) / Q.denominator, 0.98)
nu = P ** (mpf(1) / (L + 1))
tau = nu * c ** (mpf(2) / (L + 1))
a = sqrt(tau / (n * lam))
s = sqrt(tau / lam)                        # same for every layer (equal lambdas)

# The loss from the explicit matrices: Z = a s^3 Y, weights n per column.
fit = mpf(1) / (2 * K * n) * K * n * (a * s ** L - 1) ** 2
reg = lam / 2 * n * K * a ** 2 + L * lam / 2 * K * s ** 2
f = fit + reg
assert abs(f - mpf("0.023853593128578949378790180100123856997")) < mpf("1e-38")
assert abs(f - (1 - c) * (1 + L * c) / 2) < mpf("1e-90")


def dec(x, digits, up):
    """Decimal string of x rounded down (or up) at `digits` decimals: an exact rational."""
    q = str(int((ceil if up else floor)(x * mpf(10) ** digits))).rjust(digits + 1, "0")
    return q[:-digits] + "." + q[-digits:]


def ball(x, digits=60):
    return {"kind": "ball", "lo": dec(x, digits, False), "hi": dec(x, digits, True)}


def interval(x, digits):
    return {"lo": dec(x, digits, False), "hi": dec(x, digits, True),
            "decimal": mp.nstr(x, digits // 2, strip_zeros=False) + "..."}


def block(rows, cols, scale, entries):
    return {"rows": rows, "cols": cols,
            "terms": [{"scale": scale, "entries": [[i, j, "1"] for i, j in entries]}]}


diag = [(0, 0), (1, 1)]
dnc_point = {
    "layout": "collapsed",
    "scalars": {
        "c": {"kind": "algebraic", "polynomial": [str(v) for v in poly],
              "interval": {"lo": dec(c, 40, False), "hi": dec(c, 40, True)}},
        "a": ball(a), "s_1": ball(s), "s_2": ball(s), "s_3": ball(s),
    },
    "blocks": {
        "H1": block(d, K, "a", diag),
        "W1": block(d, d, "s_1", diag),
        "W2": block(d, d, "s_2", diag),
        "W3": block(K, d, "s_3", diag),
    },
}


def zero_point(scalars):
    shapes = {"H1": (d, K), "W1": (d, d), "W2": (d, d), "W3": (K, d)}
    return {"layout": "collapsed", "scalars": scalars,
            "blocks": {k: {"rows": r, "cols": q, "terms": [{"scale": None, "entries": []}]}
                       for k, (r, q) in shapes.items()}}


# Every pre-activation entry off the "diagonal" (row i = class j) is exactly 0 at layers
# 2 and 3 (rows 2..9 are unused, and class j lives in coordinate j only): a kink.
kinks = [[l, i, j] for l in (2, 3) for i in range(d) for j in range(K) if i != j]
dnc = {"name": "dnc"}
poly_text = [str(v) for v in poly]


def claim(id_, kind, verdict, statement, **fields):
    return dict({"id": id_, "kind": kind, "statement": statement, "verdict": verdict}, **fields)


near_half = {"lo": "0.4999999999999999999999999999999999999999999999999999999999999",
             "hi": "0.5000000000000000000000000000000000000000000000000000000000001"}
cert = {
    "format": "dncert-certificate",
    "version": 2,
    "producer": {"program": "tests/data/verify/gen_dnc.py", "version": "1",
                 "theorem": "binary-dnc", "instance": "K2-L3-n5-lambda1_250"},
    "precision": 256,
    "problem": {"K": K, "n": [n, n], "L": L, "width": [d] * L, "activation": ["relu"] * (L - 1),
                "bias": "none", "lambda_h": "1/250", "lambda_w": ["1/250"] * L},
    "points": {
        "dnc": dnc_point,
        "zero": zero_point({}),
        # (3/4, 1) does not isolate: p' vanishes at c = 1, so the derivative test fails.
        "wide": zero_point({"c": {"kind": "algebraic", "polynomial": [str(v) for v in poly],
                                  "interval": {"lo": "3/4", "hi": "1"}}}),
    },
    "claims": [
        claim("alive", "alive", "certified", "the DNC family is alive", structure=dnc, block="dnc", decision="alive"),
        claim("root", "root", "certified", "c* is the root of the DNC polynomial in its interval", structure=dnc,
              block="dnc", polynomial=poly_text, interval={"lo": dec(c, 40, False), "hi": dec(c, 40, True)}),
        # g = (1-c)^4 c^2 decreases on [1/3, 1], so a sign change on (3/4, 1) proves the root there,
        # although p' vanishes at c = 1 (so (3/4, 1) does not isolate c as a point scalar, below).
        claim("root_wide", "root", "certified", "(3/4, 1) is inside the decreasing branch [1/3, 1]",
              structure=dnc, block="dnc", polynomial=poly_text, interval={"lo": "3/4", "hi": "1"}),
        # The other root of p, near 1.4e-4, is on the increasing branch: not the family's scale.
        claim("root_other_branch", "root", "not proven", "(0, 1/3) is not on the decreasing branch",
              structure=dnc, block="dnc", polynomial=poly_text, interval={"lo": "0", "hi": "1/3"}),
        claim("loss", "loss", "certified", "loss of the explicit DNC point", point="dnc",
              loss=interval(f, 36), fit=interval(fit, 36), reg=interval(reg, 36)),
        claim("value", "value", "certified", "the DNC value (1/2)(1-c)(1+3c)", structure=dnc,
              value=interval(f, 36)),
        claim("stationary", "stationarity", "certified", "0 is in the Clarke gradient enclosure",
              point="dnc", max_radius_log2=-100, kinks=kinks),
        claim("stationary_tight", "stationarity", "not proven", "radius 2^-1000 is out of reach",
              point="dnc", max_radius_log2=-1000, kinks=kinks),
        # 1/N = 1/10 is not dyadic, so the enclosure of 1/2 is a tiny ball, not exact.
        claim("zero_loss", "loss", "certified", "the zero point has loss 1/2", point="zero",
              loss=near_half, fit=near_half, reg={"lo": "0", "hi": "0"}),
        claim("wide_loss", "loss", "not proven", "a point with a bad scalar is invalid", point="wide",
              loss=near_half, fit=near_half, reg={"lo": "0", "hi": "0"}),
        claim("order", "order", "certified", "DNC beats zero", lower={"loss": "loss"}, higher={"loss": "zero_loss"}),
        claim("order_rev", "order", "not proven", "zero does not beat DNC", lower={"loss": "zero_loss"},
              higher={"loss": "loss"}),
        claim("order_value", "order", "certified", "the DNC value is below the zero point's loss",
              lower={"value": "value"}, higher={"loss": "zero_loss"}),
        # The DNC point attains the DNC value: it cannot be strictly below it.
        claim("dnc_point_not_below", "dnc_not_optimal", "not proven", "the DNC point is not below the DNC value",
              lower={"loss": "loss"}, higher={"value": "value"}),
        claim("zero_not_below", "dnc_not_optimal", "not proven", "the zero point (1/2) is above the DNC value",
              lower={"loss": "zero_loss"}, higher={"value": "value"}),
        claim("relu_id", "structure", "certified", "ReLU(A_2) = h I", point="dnc", fact="relu_identity", layer=2),
        claim("gram3", "structure", "certified", "orthogonal class means", point="dnc", fact="gram_diagonal", layer=3),
        claim("rank3", "structure", "certified", "rank 2", point="dnc", fact="rank_pre", layer=3, rank=2),
        claim("collapsed", "structure", "certified", "collapsed layout", point="dnc", fact="collapsed", layer=1),
    ],
}
print(json.dumps(cert, indent=1))
