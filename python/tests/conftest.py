"""Shared pieces of the tests of the Python package. ctest runs them as `python_package`
(tests/CMakeLists.txt), with the build's programs in DNCERT_BIN and DNCERT_VERIFY_BIN; by
hand, after a build of the checkout:

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=python /usr/bin/python3 -m pytest python/tests
"""
import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _program(env, name):
    path = os.environ.get(env) or os.path.join(REPO, "build", name)
    if not os.access(path, os.X_OK):
        pytest.skip("no %s to compare with (set %s)" % (name, env))
    return path


@pytest.fixture
def cli():
    """The dncert command of the same build, to compare the package with."""
    return _program("DNCERT_BIN", "dncert")


@pytest.fixture
def verifier():
    """dncert-verify, the independent checker as a separate program."""
    return _program("DNCERT_VERIFY_BIN", "dncert-verify")


def repo_file(*parts):
    return os.path.join(REPO, *parts)
