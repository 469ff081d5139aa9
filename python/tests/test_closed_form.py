"""Closed forms from Python against values computed here independently: the reference digits
of the spec (shared/spec/closed-forms.md) and exact derivations in rational arithmetic, each
a rigorous interval that must meet the library's enclosure."""
from fractions import Fraction
from math import isqrt

import numpy as np
import pytest

import dncert


def meets(enclosure, lo, hi):
    """The library's [lo, hi] and an independent rigorous [lo, hi] of the same number overlap."""
    return enclosure.lo <= hi and lo <= enclosure.hi


def dnc_value_interval(K, n, L, lam, bits=120):
    """f* of the DNC point (spec section 1) by bisection in exact rationals: c* is the root in
    ((L-1)/(2L), 1) of (1-c)^(L+1) c^(L-1) - K^(L+1) P, P = n lam^(L+1); the polynomial is
    decreasing there and f*(c) = (1/2)(1-c)(1+Lc) is decreasing too, so [f(b), f(a)] encloses
    f* when [a, b] encloses c*."""
    P = n * lam ** (L + 1)
    g = lambda c: (1 - c) ** (L + 1) * c ** (L - 1) - K ** (L + 1) * P
    a, b = Fraction(L - 1, 2 * L), Fraction(1)
    assert g(a) > 0 > g(b) or g(b) == 0
    for _ in range(bits):
        m = (a + b) / 2
        a, b = (m, b) if g(m) > 0 else (a, m)
    f = lambda c: (1 - c) * (1 + L * c) / 2
    return f(b), f(a)


def test_dnc_value_is_the_spec_reference_and_the_exact_root():
    p = dncert.Problem(K=2, n=5, L=3, width=10, lam="0.004")
    cf = dncert.closed_form("dnc", p)
    assert cf.alive == "alive" and cf.consistent
    # 40 digits in the spec, the last one rounded
    ref = Fraction("0.023853593128578949378790180100123856997")
    assert abs(ref - cf.loss.lo) < Fraction(1, 10 ** 39) and abs(ref - cf.loss.hi) < Fraction(1, 10 ** 39)
    assert cf.decimal.startswith("0.023853593128578949378790180100123856996")
    lo, hi = dnc_value_interval(2, 5, 3, Fraction(1, 250))
    assert meets(cf.loss, lo, hi)
    assert cf.loss.hi - cf.loss.lo < Fraction(1, 10 ** 60)   # 256 bits: far narrower than 40 digits
    # certified enclosures are exact rationals, never floats
    assert isinstance(cf.lo, Fraction) and isinstance(cf.hi, Fraction) and cf.lo <= cf.hi


def test_dnc_plain_ufm_is_rational_when_n_lambda_squared_is_a_square():
    # L = 1 (spec section 1): c* = 1 - K sqrt(n lam_H lam_W) = 1 - 2/100, f* = (1 - c*^2)/2 = 99/5000
    p = dncert.Problem(K=2, n=1, L=1, width=2, lam="1/100")
    cf = dncert.closed_form("dnc", p)
    assert Fraction(99, 5000) in cf.loss
    assert Fraction(99, 5000) + Fraction(1, 10 ** 30) not in cf.loss
    assert float(cf.loss) == 0.0198


def test_deep_linear_with_bias_is_the_hand_derived_surd():
    # spec section 3, K=4, n=3, lambda=0.02, M=1, bias: three directions of weight t = 3,
    # nu* = sqrt(t lam^2) - N lam^2 = 0.02 sqrt(3) - 0.0048, C = N lam^2 = 0.0048, and
    # f* = 3 [ (3/24) C/(nu* + C) + nu*/2 ] = (3/50) sqrt(3) - 9/1250 (= 0.0967230484541326...)
    p = dncert.Problem(K=4, n=3, L=1, width=4, bias="free", activation=[], lam="0.02")
    cf = dncert.closed_form("deep-linear", p)
    scale = 10 ** 60
    r = isqrt(3 * scale * scale)                       # r <= 10^60 sqrt(3) < r + 1
    lo = Fraction(3, 50) * Fraction(r, scale) - Fraction(9, 1250)
    hi = Fraction(3, 50) * Fraction(r + 1, scale) - Fraction(9, 1250)
    assert meets(cf.loss, lo, hi)
    assert cf.decimal.startswith("0.0967230484541326")


def test_srg_reference_and_its_order_against_dnc():
    # spec section 2: r = 5 (K = 10), n = 1, L = 4, lambda = 0.004
    p = dncert.Problem(K=10, n=1, L=4, width=10, lam="1/250")
    srg = dncert.closed_form("srg", p, r=5, compare=True)
    dnc = dncert.closed_form("dnc", p)
    assert srg.decimal.startswith("0.0903502055815790024885")
    assert dnc.decimal.startswith("0.0991798746355951938610")
    assert meets(dnc.loss, *dnc_value_interval(10, 1, 4, Fraction(1, 250)))
    assert srg.loss < dnc.loss and not dnc.loss < srg.loss   # certified order, both ways
    assert srg.compare is not None


def test_the_explicit_point_has_the_value():
    p = dncert.Problem(K=2, n=5, L=3, width=10, lam="1/250")
    cf = dncert.closed_form("dnc", p, point=True)
    assert set(cf.point) == {"H1", "W1", "W2", "W3"}
    assert all(a.dtype == np.float64 and a.flags.c_contiguous for a in cf.point.values())
    assert cf.point["H1"].shape == (10, 10) and cf.point["W3"].shape == (2, 10)
    # the point rounded to double: its loss in double precision is f* to about 1e-16
    assert abs(dncert.evaluate(p, cf.point).loss - float(cf.loss)) < 1e-15


def test_structure_arguments_are_checked():
    p = dncert.Problem(K=2, n=5, L=3, width=10, lam="1/250")
    with pytest.raises(dncert.InputError, match="^structure: unknown structure 'dcn'"):
        dncert.closed_form("dcn", p)
    with pytest.raises(dncert.InputError, match="^r: srg needs r"):
        dncert.closed_form("srg", p)
    with pytest.raises(dncert.InputError, match="^r: applies only to srg"):
        dncert.closed_form("dnc", p, r=5)
    with pytest.raises(dncert.InputError, match="prec"):
        dncert.closed_form("dnc", p, prec=8)


def test_cross_entropy_plain_ufm_against_decimal_arithmetic():
    """Cross-entropy (docs/math/cross-entropy.md), plain UFM (L = 1), balanced: along the
    simplex-ETF structure f(s) = log(1 + (K-1) e^-s) + (K-1) c s with c = sqrt(n lam_H lam_W);
    f'(s) = 0 gives 1/(e^s + K - 1) = c, so s* = log(1/c - K + 1) when K^2 n lam^2 < 1. The
    value is computed here with Python's decimal module at 60 digits (its own ln and exp)."""
    from decimal import Decimal, getcontext
    getcontext().prec = 60
    K, n, lam = 3, 2, Decimal(1) / 100
    c = (n * lam * lam).sqrt()
    s = (1 / c - K + 1).ln()
    f = (1 + (K - 1) * (-s).exp()).ln() + (K - 1) * c * s
    p = dncert.Problem(K=K, n=n, L=1, width=K, lam="1/100", loss="ce")
    assert p.loss == "ce"
    cf = dncert.closed_form("ufm", p)
    ref = Fraction(f)
    eps = Fraction(1, 10 ** 50)
    assert meets(cf.loss, ref - eps, ref + eps)
    assert cf.hi - cf.lo < Fraction(1, 10 ** 30)


def test_cross_entropy_training_reaches_the_closed_form_and_dnc_is_refused():
    """A plain CE UFM trained by L-BFGS from Python ends at the certified closed form (the
    value above, which test_cross_entropy_plain_ufm_against_decimal_arithmetic checks
    against decimal arithmetic). The ReLU DNC form under CE (the orthogonal frames,
    docs/math/cross-entropy.md section 7) has the value of tests/data/ce/ce_relu_refs.json
    (mpmath, gen_ce_relu.py) at K = 3, n = 2, L = 2, lambda = 1/50; it is refused for
    imbalanced counts (not derived) and for L = 1 (no hidden layer)."""
    p = dncert.Problem(K=3, n=2, L=1, width=3, lam="1/100", loss="ce")
    r = dncert.train(p, optimizer="lbfgs", lr=1, steps=3000)
    cf = dncert.closed_form("ufm", p)
    assert abs(Fraction(r.loss) - (cf.lo + cf.hi) / 2) < Fraction(1, 10 ** 9)
    q = dncert.Problem(K=3, n=2, L=2, width=4, lam="1/50", loss="ce")
    ref = Fraction("0.28498487389704753545224312382687262070056862620792")
    f = dncert.closed_form("dnc", q)
    assert f.lo - Fraction(1, 10 ** 45) <= ref <= f.hi + Fraction(1, 10 ** 45)
    with pytest.raises(dncert.InputError, match="balanced"):
        dncert.closed_form("dnc", dncert.Problem(K=3, n=[1, 2, 1], L=2, width=4, lam="1/250", loss="ce"))
    with pytest.raises(dncert.InputError, match="L >= 2"):
        dncert.closed_form("dnc", dncert.Problem(K=3, n=1, L=1, width=4, activation=[], lam="1/250", loss="ce"))
    with pytest.raises((dncert.InputError, TypeError), match="loss"):
        dncert.Problem(K=3, n=1, L=2, width=4, lam="1/250", loss="hinge")
