"""Shared pieces of the tests of the Python package (run by ctest as `python`, or by hand:
PYTHONPATH=python /usr/bin/python3 -m pytest python/tests, with build/python-lib built)."""
import os
import shutil

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def dncert_bin():
    """The dncert command of the same build (ctest passes it), for the tests that compare the
    package with the command; None when there is none."""
    path = os.environ.get("DNCERT_BIN") or os.path.join(REPO, "build", "dncert")
    return path if os.access(path, os.X_OK) else None


@pytest.fixture
def cli():
    path = dncert_bin()
    if path is None:
        pytest.skip("no dncert command to compare with (set DNCERT_BIN)")
    return path


def repo_file(*parts):
    return os.path.join(REPO, *parts)


@pytest.fixture
def have_torch():
    return pytest.importorskip("torch")


__all__ = ["REPO", "dncert_bin", "repo_file", "shutil"]
