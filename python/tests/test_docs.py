"""The examples of docs/python.md run and print what the page shows: text exactly, numbers
to 6 significant digits (another CPU may round PyTorch's or OpenBLAS's products otherwise),
integers exactly."""
import os
import re
import subprocess
import sys

import pytest

from conftest import REPO

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def examples():
    """(title, code, output) of every ```python block of docs/python.md followed by a
    ```text block, in order."""
    text = open(os.path.join(REPO, "docs", "python.md"), encoding="utf-8").read()
    pattern = r"^## (.+?)$.*?^```python\n(.*?)^```\n.*?^```text\n(.*?)^```"
    return [(m.group(1), m.group(2), m.group(3)) for m in re.finditer(pattern, text, re.S | re.M)]


def same_output(got, want):
    got_lines, want_lines = got.strip().splitlines(), want.strip().splitlines()
    assert len(got_lines) == len(want_lines), got
    for g, w in zip(got_lines, want_lines):
        assert NUMBER.split(g) == NUMBER.split(w), (g, w)
        for a, b in zip(NUMBER.findall(g), NUMBER.findall(w)):
            if "." in a or "e" in a or len(a) > 15:
                assert float(a) == pytest.approx(float(b), rel=1e-6), (g, w)
            else:
                assert a == b, (g, w)


def test_the_page_has_both_examples():
    assert [title for title, _, _ in examples()] == ["A PyTorch model, certified", "The same with dncert's own trainer"]


@pytest.mark.parametrize("index", [0, 1])
def test_example_runs_as_shown(index, tmp_path):
    title, code, output = examples()[index]
    if "import torch" in code:
        pytest.importorskip("torch", reason="python3-torch (scripts/install-deps.sh --with-bench)")
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "python"), OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", code], cwd=str(tmp_path), env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    same_output(done.stdout, output)
    cert = next(tmp_path.glob("*.cert.json"))
    assert cert.name in code
