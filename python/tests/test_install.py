"""The package installs offline from the checkout, with the built library inside it, and
works from the installation alone (docs/python.md, "Installing")."""
import os
import shutil
import subprocess
import sys

import pytest

import dncert
from conftest import REPO


def test_pip_install_offline_into_a_venv(tmp_path):
    pytest.importorskip("ensurepip", reason="python3-venv is needed (scripts/install-deps.sh --with-python)")
    src = tmp_path / "src"
    shutil.copytree(os.path.join(REPO, "python"), src,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache", "_lib"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    py = str(venv / "bin" / "python")
    env = dict(os.environ, DNCERT_LIB_DIR=os.path.dirname(dncert.library_path))
    env.pop("PYTHONPATH", None)
    env.pop("DNCERT_LIB", None)
    done = subprocess.run([py, "-m", "pip", "install", "--no-build-isolation", "--no-index", "--no-cache-dir",
                           "--disable-pip-version-check", str(src)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    env.pop("DNCERT_LIB_DIR")
    code = ("import dncert; p = dncert.Problem(K=2, n=5, L=3, width=10, lam='1/250'); "
            "print(dncert.library_path); print(dncert.closed_form('dnc', p).decimal)")
    done = subprocess.run([py, "-c", code], env=env, cwd=str(tmp_path), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lib, value = done.stdout.split()
    assert lib.startswith(str(venv)) and lib.endswith(os.path.join("dncert", "_lib", "libdncert.so"))
    assert value.startswith("0.023853593128578949378790180100123856996")
