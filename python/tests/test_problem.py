"""Problem: exact constants, the canonical form, the layout, and bad input named."""
import decimal
from fractions import Fraction

import numpy as np
import pytest

import dncert


def binary(**kw):
    args = dict(K=2, n=5, L=3, width=10, lam="1/250")
    args.update(kw)
    return dncert.Problem(**args)


def test_the_same_rational_in_every_exact_form():
    forms = ["1/250", "0.004", "4e-3", "0x1.0624dd2f1a9fcp-8", Fraction(1, 250), decimal.Decimal("0.004")]
    problems = [binary(lam=f) for f in forms[:3] + forms[4:]]
    assert all(p == problems[0] for p in problems)
    assert problems[0].lam_h == Fraction(1, 250) and problems[0].lam_w == [Fraction(1, 250)] * 3
    # a hexadecimal float is the double it names, not 1/250
    assert binary(lam=forms[3]).lam_h == Fraction(0.004) != Fraction(1, 250)


def test_a_float_only_when_it_is_its_decimal():
    assert binary(lam=0.5).lam_h == Fraction(1, 2)
    assert binary(lam=np.float64(0.25)).lam_h == Fraction(1, 4)
    assert binary(lam=2).lam_h == 2
    with pytest.raises(dncert.InputError) as e:
        binary(lam=0.004)
    msg = str(e.value)
    assert msg.startswith("lam: the float 0.004 is not the number 0.004")
    assert "lam='0.004'" in msg and "Fraction(0.004)" in msg and "1/250" in msg
    with pytest.raises(dncert.InputError, match="^lam_w: the float 0.1"):
        binary(lam_h="1/250", lam_w=[0.5, 0.1, 0.5])
    with pytest.raises(dncert.InputError, match="must be finite"):
        binary(lam=float("nan"))
    with pytest.raises(TypeError, match="^lam: .*not a bool"):
        binary(lam=True)
    with pytest.raises(TypeError, match="^lam: must be a rational"):
        binary(lam=[1])


def test_canonical_form_and_layout():
    p = dncert.Problem(K=3, n=[2, 3, 4], L=2, width=[5, 4], activation="linear", bias="free", lam_h="1/100",
                       lam_w=["1/250", Fraction(1, 3)])
    assert (p.K, p.n, p.L, p.width, p.activation, p.bias, p.N) == (3, [2, 3, 4], 2, [5, 4], ["linear"], "free", 9)
    assert p.lam_h == Fraction(1, 100) and p.lam_w == [Fraction(1, 250), Fraction(1, 3)]
    assert p.blocks == {"H1": (5, 9), "W1": (4, 5), "W2": (3, 4), "b": (3,)}
    assert p.nparams == 45 + 20 + 12 + 3
    assert p.description == "K=3 n=2,3,4 L=2 d=5,4 linear bias lambda_H=1/100 lambda_W=1/250,1/3"
    d = p.to_dict()
    assert d["lambda_w"] == ["1/250", "1/3"] and d["n"] == [2, 3, 4]
    assert dncert.Problem.from_dict(d) == p
    assert dncert.Problem.from_dict({"K": 2, "n": 5, "L": 3, "width": 10, "lambda": "0.004"}) == binary()
    assert hash(p) == hash(dncert.Problem.from_dict(d))


def test_lam_is_required():
    with pytest.raises(dncert.InputError, match="^lam: required"):
        dncert.Problem(K=2, n=5, L=3, width=10)
    with pytest.raises(dncert.InputError, match="^lam: required"):
        dncert.Problem(K=2, n=5, L=3, width=10, lam_h="1/250")
    assert dncert.Problem(K=2, n=5, L=3, width=10, lam_h="1/250", lam_w="1/250") == binary()


@pytest.mark.parametrize("kw, message", [
    (dict(K=1), "^K: must be an integer in \\[2, 100000\\]"),
    (dict(L=0), "^L: must be an integer in \\[1, 1000\\]"),
    (dict(n=[5, 5, 5]), "^n: expected one value or K = 2"),
    (dict(n=0), "^n: each count must be an integer"),
    (dict(width=[10, 10]), "^width: expected one value or L = 3"),
    (dict(activation="tanh"), "^activation: must be relu or linear"),
    (dict(bias="yes"), "^bias: "),
    (dict(lam="-1/250"), "^lam: must be a positive rational"),
    (dict(lam="abc"), "^lam: must be a positive rational"),
    (dict(lam_h="0", lam="1"), "^lam_h: must be a positive rational"),
    (dict(lam_w=["1", "2"]), "^lam_w: expected one value or L = 3"),
])
def test_bad_values_name_the_argument(kw, message):
    with pytest.raises(dncert.InputError, match=message):
        binary(**kw)


@pytest.mark.parametrize("kw, message", [
    (dict(K="2"), "^K: must be an integer"),
    (dict(K=2.0), "^K: must be an integer"),
    (dict(L=True), "^L: must be an integer"),
    (dict(n=[5, "5"]), "^n: must be an integer"),
    (dict(activation=1), "^activation: must be a string"),
    (dict(bias=["none"]), "^bias: must be 'none' or 'free'"),
])
def test_bad_types_name_the_argument(kw, message):
    with pytest.raises(TypeError, match=message):
        binary(**kw)


def test_from_dict_refuses_what_a_manifest_refuses():
    with pytest.raises(dncert.InputError, match="unknown field 'lamda'"):
        dncert.Problem.from_dict({"K": 2, "n": 5, "L": 3, "width": 10, "lamda": "1/250"})
    with pytest.raises(dncert.InputError, match="^lam: must be an integer, a string"):
        dncert.Problem.from_dict({"K": 2, "n": 5, "L": 3, "width": 10, "lambda": 0.004})
