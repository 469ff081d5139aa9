"""scripts/descend.py (docs/refine.md §7.18): the run directory it writes holds exactly the
certificate's point `critical` plus EPS times its direction `descent` (both read here from the
certificate's hexadecimal strings with Python's own float.fromhex, the arrays compared entry by
entry, column-major as format §5 says), under the problem of the run it names; and it refuses,
with exit status 2, a message and no output directory: a certificate without a certified
descent_direction claim, a run of another problem, an existing output directory, and a step
that is not a positive number."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np

from conftest import repo_file

SCRIPT = repo_file("scripts", "descend.py")
CERT = repo_file("certificates", "small-k-low-rank", "witness-K3-L5.json")
RUN = repo_file("certificates", "small-k-low-rank", "points", "K3-L5")


def run(*args):
    return subprocess.run([sys.executable, SCRIPT] + list(args), capture_output=True, text=True, timeout=60)


def dense(cert, point, name):
    b = cert["points"][point]["blocks"][name]
    v = [(-1 if s.startswith("-") else 1) * float.fromhex(s.lstrip("-")) for s in b["dense"]]
    return np.array(v).reshape(b["cols"], b["rows"]).T


def test_writes_the_point_plus_eps_times_the_direction(tmp_path):
    out = tmp_path / "d"
    r = run(CERT, RUN, str(out), "0.25")
    assert r.returncode == 0, r.stderr
    cert = json.load(open(CERT))
    man = json.load(open(out / "manifest.json"))
    assert man["problem"] == cert["problem"]
    assert man["source"]["descend"]["eps"] == 0.25
    for a in man["arrays"]:
        x = np.load(out / a["file"])
        want = dense(cert, "critical", a["name"]) + 0.25 * dense(cert, "descent", a["name"])
        assert x.shape == tuple(a["shape"]) and np.array_equal(x, want), a["name"]
    assert np.any(dense(cert, "descent", "W4") != 0)   # the step moved something
    assert not os.path.exists(str(out) + ".tmp")


def test_refuses_bad_input_without_output(tmp_path):
    out = str(tmp_path / "d")
    no_descent = repo_file("certificates", "small-k-low-rank", "witness-K3-L4.json")
    cases = [((no_descent, repo_file("certificates", "small-k-low-rank", "points", "K3-L4"), out),
              "no certified descent_direction claim"),
             ((CERT, repo_file("certificates", "small-k-low-rank", "points", "K3-L4"), out), "is not the certificate's"),
             ((CERT, RUN, out, "-1"), "EPS: expected a positive number"),
             ((CERT, RUN, out, "nan"), "EPS: expected a positive number"),
             ((CERT, RUN, out, "x"), "EPS: expected a positive number")]
    bad_run = tmp_path / "run"   # RUN with its last array's shape changed: found before anything is written
    shutil.copytree(RUN, bad_run)
    man = json.load(open(bad_run / "manifest.json"))
    man["arrays"][-1]["shape"] = [s + 1 for s in man["arrays"][-1]["shape"]]
    json.dump(man, open(bad_run / "manifest.json", "w"))
    cases.append(((CERT, str(bad_run), out), "does not match the certificate's point"))
    for args, msg in cases:
        r = run(*args)
        assert r.returncode == 2 and msg in r.stderr, (args, r.stderr)
        assert not os.path.exists(out) and not os.path.exists(out + ".tmp"), args
    os.mkdir(out)
    r = run(CERT, RUN, out)
    assert r.returncode == 2 and "already exists" in r.stderr
