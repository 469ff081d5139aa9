"""Training, evaluating and certifying points given as dicts of numpy arrays; the
certificates re-checked by the independent checker, the separate dncert-verify program."""
import json
import os
import subprocess
from fractions import Fraction

import numpy as np
import pytest

import dncert


def binary():
    return dncert.Problem(K=2, n=5, L=3, width=10, lam="1/250")


DNC_BINARY = Fraction("0.023853593128578949378790180100123856997")   # spec, closed-forms.md section 1


def exact_loss(problem, point):
    """The objective of docs/model.md for a float64 point, in exact rational arithmetic
    (every double is a dyadic rational): independent of the library's ball arithmetic."""
    q = lambda a: [[Fraction(float(x)) for x in row] for row in np.atleast_2d(a)]
    mul = lambda A, B: [[sum(A[i][k] * B[k][j] for k in range(len(B))) for j in range(len(B[0]))]
                        for i in range(len(A))]
    sq = lambda A: sum(x * x for row in A for x in row)
    N, L, K = problem.N, problem.L, problem.K
    H = q(point["H1"])
    reg = problem.lam_h / 2 * sq(H)
    for l in range(1, L + 1):
        W = q(point["W%d" % l])
        reg += problem.lam_w[l - 1] / 2 * sq(W)
        H = mul(W, H)
        if l < L and problem.activation[l - 1] == "relu":
            H = [[max(x, 0) for x in row] for row in H]
    labels = [k for k in range(K) for _ in range(problem.n[k])]
    fit = sum((H[k][j] - (1 if labels[j] == k else 0)) ** 2 for k in range(K) for j in range(N)) / (2 * N)
    return fit + reg


def test_train_reaches_the_dnc_optimum_of_the_binary_problem():
    p = binary()
    r = dncert.train(p, optimizer="lbfgs", lr=1, steps=2000, log_every=100)
    assert r.status != "diverged"
    assert r.solution_class == "dnc"
    assert abs(Fraction(r.loss) - DNC_BINARY) < Fraction(1, 10 ** 9)   # K = 2: DNC is the global optimum
    assert set(r.point) == {"H1", "W1", "W2", "W3"}
    assert r.point["H1"].shape == (10, 10) and r.point["H1"].dtype == np.float64
    assert r.history[0]["step"] == 0 and r.history[-1]["step"] == r.steps
    assert all(h["step"] % 100 == 0 for h in r.history[:-1])
    e = dncert.evaluate(p, r.point)
    assert e.loss == r.loss and e.grad_norm == pytest.approx(r.grad_norm, rel=1e-9)
    assert set(e.grad) == set(r.point) and e.grad["W3"].shape == (2, 10)


def test_train_is_the_command_bit_for_bit(cli, tmp_path):
    p = binary()
    r = dncert.train(p, optimizer="momentum", lr=0.1, steps=300, seed=7, init_std=0.3)
    out = tmp_path / "run"
    subprocess.run([cli, "train", "--K", "2", "--n", "5", "--L", "3", "--width", "10", "--lambda", "1/250",
                    "--optimizer", "momentum", "--lr", "0.1", "--steps", "300", "--seed", "7", "--init-std", "0.3",
                    "--quiet", "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    for name, a in r.point.items():
        assert np.array_equal(np.load(out / (name + ".npy")), a), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["loss"] == r.loss and summary["steps"] == r.steps == 300
    assert summary["problem"] == p.to_dict()


def test_a_random_start_is_reproducible_and_init_is_used():
    p = binary()
    a, b = dncert.train(p, steps=50, seed=3), dncert.train(p, steps=50, seed=3)
    assert all(np.array_equal(a.point[k], b.point[k]) for k in a.point)
    c = dncert.train(p, steps=0, init=a.point)
    assert all(np.array_equal(a.point[k], c.point[k]) for k in a.point)
    assert c.steps == 0 and c.loss == a.loss


def test_certified_loss_contains_the_exact_loss_of_the_arrays(tmp_path):
    p = dncert.Problem(K=2, n=[1, 2], L=2, width=3, lam="1/100")
    rng = np.random.default_rng(5)
    point = {"H1": rng.standard_normal((3, 3)), "W1": rng.standard_normal((3, 3)), "W2": rng.standard_normal((2, 3))}
    c = dncert.certify(p, point)
    exact = exact_loss(p, point)
    assert exact in c.loss and c.stages[0].name == "trained"
    assert c.loss.hi - c.loss.lo < Fraction(1, 10 ** 50)
    assert exact + Fraction(1, 10 ** 40) not in c.loss
    assert c.path is None and c.certificate["format"] == "dncert-certificate"


def test_certify_a_trained_point_and_check_it_with_dncert_verify(verifier, tmp_path):
    p = dncert.Problem(K=2, n=3, L=2, width=4, lam="1/50")
    r = dncert.train(p, optimizer="lbfgs", lr=1, steps=300)
    path = tmp_path / "point.cert.json"
    c = dncert.certify(p, r.point, out=path, project_collapse=True)
    assert c.path == str(path) and [s.name for s in c.stages] == ["trained", "projected"]
    assert c.dnc is not None and c.verdict in ("certified", "not proven")
    done = subprocess.run([verifier, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    v = dncert.verify(path)
    assert v.ok and v.nmismatch == 0 and v.nclaims == len(v.claims) == c.claims
    assert {cl.id for cl in v.claims} >= {"loss_trained", "value_dnc"}
    with pytest.raises(FileExistsError, match="^out: .*force=True"):
        dncert.certify(p, r.point, out=path)
    dncert.certify(p, r.point, out=path, force=True)


def test_a_forged_certificate_is_refused_by_both_checkers(verifier, tmp_path):
    p = dncert.Problem(K=2, n=3, L=2, width=4, lam="1/50")
    path = tmp_path / "forged.cert.json"
    dncert.certify(p, dncert.closed_form("dnc", p, point=True).point, out=path)
    cert = json.loads(path.read_text())
    claim = next(c for c in cert["claims"] if c.get("id") == "loss_trained")
    claim["loss"] = {"decimal": "0.0001...", "lo": "0.0001", "hi": "0.0002"}   # a loss the point does not have
    path.write_text(json.dumps(cert))
    assert subprocess.run([verifier, str(path)], capture_output=True).returncode == 1
    v = dncert.verify(path)
    assert not v.ok and not v


def test_verify_missing_and_malformed_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="^path: "):
        dncert.verify(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    v = dncert.verify(bad)
    assert not v.ok and v.rejected
