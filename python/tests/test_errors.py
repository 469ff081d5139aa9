"""Bad input raises InputError (a ValueError) or TypeError whose message starts with the
argument or array at fault, before anything is computed or written."""
import numpy as np
import pytest

import dncert


@pytest.fixture
def p():
    return dncert.Problem(K=2, n=3, L=2, width=4, lam="1/50", bias="free")


@pytest.fixture
def good():
    return {"H1": np.zeros((4, 6)), "W1": np.zeros((4, 4)), "W2": np.zeros((2, 4)), "b": np.zeros(2)}


@pytest.mark.parametrize("change, message", [
    (dict(H1=np.zeros((4, 6), dtype=np.float32)), r"^point\['H1'\] is float32 \('<f4'\); dncert needs float64"),
    (dict(W1=np.zeros((4, 4), dtype=np.int64)), r"^point\['W1'\] is int64"),
    (dict(H1=np.zeros((4, 6), dtype=">f8")), r"^point\['H1'\] is float64 \('>f8'\).*astype\('<f8'\)"),
    (dict(H1=np.zeros((6, 4))), r"^point\['H1'\] has shape \(6, 4\), the transpose of the problem's \(d1, N\) = \(4, 6\)"),
    (dict(W2=np.zeros((2, 5))), r"^point\['W2'\] has shape \(2, 5\); the problem needs \(K, d2\) = \(2, 4\)"),
    (dict(b=np.zeros((2, 1))), r"^point\['b'\] has shape \(2, 1\); the bias is a vector"),
    (dict(H1=np.zeros((4, 6, 1))), r"^point\['H1'\] has 3 dimensions"),
    (dict(H1=np.float64(0)), r"^point\['H1'\] has 0 dimensions"),
    (dict(H1=np.full((4, 6), np.nan)), r"^point\['H1'\] has non-finite entries \(entry \(0, 0\) is NaN\)"),
    (dict(W3=np.zeros((2, 4))), r"^point\['W3'\]: not a parameter block of this problem"),
])
def test_bad_arrays_are_named(p, good, change, message):
    point = dict(good, **change)
    for call in (dncert.evaluate, dncert.certify):
        with pytest.raises(dncert.InputError, match=message):
            call(p, point)
    with pytest.raises(dncert.InputError, match=message.replace("point", "init")):
        dncert.train(p, init=point, steps=1)


def test_missing_block_and_not_a_dict(p, good):
    del good["W1"]
    with pytest.raises(dncert.InputError, match=r"^point: no array 'W1' \(the problem has H1, W1..W2, b\)"):
        dncert.evaluate(p, good)
    with pytest.raises(TypeError, match="^point: must be a dict of arrays"):
        dncert.evaluate(p, [np.zeros((4, 6))])


def test_a_float32_torch_tensor_is_refused():
    torch = pytest.importorskip("torch")
    p = dncert.Problem(K=2, n=3, L=2, width=4, lam="1/50")
    point = {"H1": torch.zeros(4, 6), "W1": torch.zeros(4, 4, dtype=torch.float64), "W2": torch.zeros(2, 4)}
    with pytest.raises(dncert.InputError, match=r"^point\['H1'\] is float32.*\.double\(\) for a torch tensor"):
        dncert.evaluate(p, point)
    assert dncert.evaluate(p, {k: v.double() for k, v in point.items()}).loss == 0.5   # the zero point


@pytest.mark.parametrize("lam, error, message", [
    ("-1/250", dncert.InputError, "^lam: must be a positive rational"),
    ("1/0", dncert.InputError, "^lam: must be a positive rational"),
    ("0.004x", dncert.InputError, "^lam: must be a positive rational"),
    ("1e999999", dncert.InputError, "^lam: must be a positive rational .* exponent within"),
    (0.004, dncert.InputError, "^lam: the float 0.004 is not the number 0.004"),
    (float("inf"), dncert.InputError, "^lam: must be finite"),
    (None, dncert.InputError, "^lam: required"),
    (True, TypeError, "^lam: .*not a bool"),
])
def test_bad_lambda(lam, error, message):
    with pytest.raises(error, match=message):
        dncert.Problem(K=2, n=3, L=2, width=4, lam=lam)


@pytest.mark.parametrize("kw, message", [
    (dict(lr=-1), r"^lr: must be a number in \(0, 1e\+06\] \(got -1\)"),
    (dict(lr=float("nan")), "^lr: must be a finite number"),
    (dict(init_std=1e9), r"^init_std: must be a number in \(0, 1e\+06\]"),
    (dict(momentum=1), r"^momentum: must be a number in \[0, 0.999999\]"),
    (dict(optimizer="adam"), "^optimizer: must be 'gd', 'momentum' or 'lbfgs'"),
    (dict(steps=-1), r"^steps: must be an integer in \[0, "),
    (dict(threads=0), r"^threads: must be an integer in \[1, 256\]"),
    (dict(lbfgs_memory=0), r"^lbfgs_memory: must be an integer in \[1, 1000\]"),
    (dict(rank_tol=2), r"^rank_tol: must be a number in \(0, 1\]"),
    (dict(log_every=0), "^log_every: must be a positive integer"),
])
def test_bad_training_options(p, kw, message):
    with pytest.raises(dncert.InputError, match=message):
        dncert.train(p, **kw)


def test_bad_certify_options(p, good):
    with pytest.raises(dncert.InputError, match=r"^prec: must be an integer in \[64, 4096\]"):
        dncert.certify(p, good, prec=10)
    with pytest.raises(dncert.InputError, match="^polish_steps: applies only with polish"):
        dncert.certify(p, good, polish_steps=3)
    with pytest.raises(dncert.InputError, match=r"^rank_tol: must be a number in \(0, 1\]"):
        dncert.evaluate(p, good, rank_tol=0)
