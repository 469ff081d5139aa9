"""dncert from Python: train deep unconstrained features models, certify closed-form optima
and trained points, and check certificates (docs/python.md).

    import dncert
    p = dncert.Problem(K=2, n=5, L=3, width=10, lam="1/250")
    dncert.closed_form("dnc", p).decimal        # '0.0238535931285789493787901801001...'
    r = dncert.train(p, optimizer="lbfgs", lr=1, steps=2000)
    c = dncert.certify(p, r.point, out="binary.cert.json")
    dncert.verify("binary.cert.json").ok        # True

Points are dicts of float64 numpy arrays {"H1": (d1, N), "W1": ..., "WL": (K, dL), "b": (K,)},
features as columns ordered by class (docs/run-directory.md). Weight decays are exact
rationals: "1/250", Fraction(1, 250) or "0.004", never the double nearest to 0.004.
"""
from ._api import (ClosedForm, Certification, Claim, DncertError, Evaluation, InputError, Problem, Result, Stage,
                   Verification, certify, closed_form, evaluate, train, verify)
from ._exact import Enclosure
from . import _lib

__version__ = "0.1.0"
library_path = _lib.path
library_version = _lib.lib.dnc_version().decode()

__all__ = ["Problem", "train", "closed_form", "evaluate", "certify", "verify", "Result", "ClosedForm", "Evaluation",
           "Certification", "Stage", "Verification", "Claim", "Enclosure", "DncertError", "InputError",
           "library_path", "library_version"]
