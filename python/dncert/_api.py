"""The researcher's API: problems, points as dicts of numpy arrays, and the library's calls."""
import ctypes
import json
import math
import numbers
import os
import re
import warnings
from fractions import Fraction

import numpy as np

from . import _lib
from ._exact import DncertError, Enclosure, InputError, rational_text


# How the library's messages name a problem field, and how this package's arguments do.
_FIELDS = {"lambda": "lam", "lambda_h": "lam_h", "lambda_w": "lam_w"}


def _python_names(msg):
    """The library names problem fields as a manifest does ("problem.lambda_h") or as the
    command line does ("--lambda-h"); say lam_h, as this package's arguments do."""
    msg = re.sub(r"\bproblem\.(\w+)", lambda m: _FIELDS.get(m.group(1), m.group(1)), msg)
    return re.sub(r"(?<![\w-])--([A-Za-z][\w-]*)", lambda m: _FIELDS.get(m.group(1).replace("-", "_"),
                                                                        m.group(1).replace("-", "_")), msg)


def _call(fn, *args):
    """Calls a dnc_flat_ function whose last two arguments are the message buffer; returns
    its status after raising InputError for bad input."""
    err = ctypes.create_string_buffer(_lib.ERRLEN)
    status = fn(*args, err, _lib.ERRLEN)
    msg = _python_names(err.value.decode("utf-8", "replace"))
    if status == _lib.BAD_INPUT:
        raise InputError(msg)
    return status, msg


def _vec(a):
    return a.ctypes.data_as(ctypes.c_void_p) if a is not None else None


def _int(value, name, allow_list=False):
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if allow_list and isinstance(value, (list, tuple, np.ndarray)) and len(value) > 0:
        return [_int(v, name) for v in value]
    raise TypeError("%s: must be an integer%s, got %r" % (name, " or a list of integers" if allow_list else "", value))


def _names(value, name):
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise TypeError("%s: must be a string or a list of strings, got %r" % (name, value))


class Problem:
    """One DUFM problem (docs/model.md) with exact weight decays.

    Problem(K, n, L, width, activation="relu", bias="none", lam=None, lam_h=None, lam_w=None, loss="mse")

    n and width are one integer or one per class / layer; activation is "relu" or "linear",
    or one per hidden layer (L - 1); bias is "none" or "free". The weight decays are exact
    rationals (see rational_text: "1/250", Fraction(1, 250), "0.004"; a float only when it is
    exactly the decimal it prints): lam for H1 and every W_l, or lam_h and lam_w (one value or
    L values), which override lam. Like a run directory's manifest (docs/run-directory.md),
    the weight decays are required: lam, or both lam_h and lam_w. loss is "mse" or "ce"
    (cross-entropy: train, evaluate, certify, and closed_form of "ufm" and "deep-linear";
    other closed forms refuse a CE problem with an InputError naming the loss).
    """

    def __init__(self, K, n, L, width, activation="relu", bias="none", lam=None, lam_h=None, lam_w=None,
                 loss="mse"):
        d = {"K": _int(K, "K"), "n": _int(n, "n", True), "L": _int(L, "L"), "width": _int(width, "width", True),
             "activation": _names(activation, "activation"), "bias": _names(bias, "bias")}
        if not isinstance(d["bias"], str):
            raise TypeError("bias: must be 'none' or 'free', got %r" % (bias,))
        if not isinstance(loss, str):
            raise TypeError("loss: must be 'mse' or 'ce', got %r" % (loss,))
        d["loss"] = loss
        if lam is None and (lam_h is None or lam_w is None):
            raise InputError("lam: required (the weight decay of H1 and every W_l), unless both lam_h and lam_w "
                             "are given: Problem(..., lam='1/250')")
        if lam is not None:
            d["lambda"] = rational_text(lam, "lam")
        if lam_h is not None:
            d["lambda_h"] = rational_text(lam_h, "lam_h")
        if lam_w is not None:
            d["lambda_w"] = ([rational_text(v, "lam_w") for v in lam_w] if isinstance(lam_w, (list, tuple))
                             else rational_text(lam_w, "lam_w"))
        self._set(d)

    def _set(self, d):
        out = ctypes.c_void_p()
        _call(_lib.lib.dnc_flat_problem, json.dumps(d).encode(), ctypes.byref(out))
        info = json.loads(_lib.take_string(out))
        self._info = info
        self._json = json.dumps(info["problem"]).encode()

    @classmethod
    def from_dict(cls, d):
        """The problem of a manifest or summary.json ({"K": .., "lambda": "1/250", ...})."""
        if not isinstance(d, dict):
            raise TypeError("from_dict: expects the problem object of a manifest (a dict)")
        p = cls.__new__(cls)
        p._set(d)
        return p

    def to_dict(self):
        """The canonical JSON form (lists, exact strings), as dncert writes it in manifests."""
        return json.loads(self._json)

    K = property(lambda self: self._info["problem"]["K"])
    n = property(lambda self: list(self._info["problem"]["n"]))
    L = property(lambda self: self._info["problem"]["L"])
    width = property(lambda self: list(self._info["problem"]["width"]))
    activation = property(lambda self: list(self._info["problem"]["activation"]))
    bias = property(lambda self: self._info["problem"]["bias"])
    loss = property(lambda self: self._info["problem"].get("loss", "mse"), doc="'mse' or 'ce'")
    lam_h = property(lambda self: Fraction(self._info["problem"]["lambda_h"]))
    lam_w = property(lambda self: [Fraction(x) for x in self._info["problem"]["lambda_w"]])
    N = property(lambda self: self._info["N"])
    nparams = property(lambda self: self._info["nparams"], doc="the number of parameters (entries of a point)")
    description = property(lambda self: self._info["description"])

    @property
    def blocks(self):
        """{name: shape} of the parameter blocks, in order: H1 (d1, N), W1 .. WL, and b (K,) with a bias."""
        return {b["name"]: tuple(b["shape"]) for b in self._info["blocks"]}

    def __eq__(self, other):
        return isinstance(other, Problem) and self._json == other._json

    def __hash__(self):
        return hash(self._json)

    def __repr__(self):
        return "Problem(%s)" % self.description

    # ---- points ----

    def _theta(self, point, name="point"):
        """The library's vector of a point given as {block name: array}, checked by the library."""
        if not isinstance(point, dict):
            raise TypeError("%s: must be a dict of arrays {'H1': .., 'W1': .., ...}, got %s"
                            % (name, type(point).__name__))
        arrays, names = [], []
        for key, value in point.items():
            if not isinstance(key, str):
                raise TypeError("%s: keys must be block names ('H1', 'W1', ...), got %r" % (name, key))
            if hasattr(value, "detach"):   # a torch tensor
                value = value.detach().cpu().numpy()
            a = np.asarray(value)
            if a.dtype != np.float64:
                fix = "astype(np.float64), or .double() for a torch tensor"
                if a.dtype == np.dtype(">f8"):
                    fix = "astype('<f8')"
                raise InputError("%s['%s'] is %s ('%s'); dncert needs float64 ('<f8'): use %s"
                                 % (name, key, a.dtype.name, a.dtype.str, fix))
            arrays.append(np.asfortranarray(a) if a.ndim else a)   # asfortranarray makes a scalar 1-d
            names.append(key)
        n = len(arrays)
        shape = np.ones(2 * n, dtype=np.int64)
        for i, a in enumerate(arrays):
            # a vector is (K, 1); other dimensions are the library's to name (it sees ndim)
            shape[2 * i:2 * i + 2] = a.shape if a.ndim == 2 else (a.shape[0], 1) if a.ndim == 1 else (0, 0)
        theta = np.empty(self.nparams)
        try:
            _call(_lib.lib.dnc_flat_point, self._json, n, (ctypes.c_char_p * n)(*[k.encode() for k in names]),
                  (ctypes.c_int * n)(*[a.ndim for a in arrays]), shape.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)),
                  (ctypes.c_void_p * n)(*[a.ctypes.data for a in arrays]), _vec(theta))
        except InputError as e:   # the library says "point"; say the argument's name
            raise InputError(re.sub(r"^point\b", name, str(e))) from None
        return theta

    def _point(self, theta):
        """{block name: array} of a vector in the library's layout (copies, C order)."""
        out = {}
        for b in self._info["blocks"]:
            size = int(np.prod(b["shape"]))
            out[b["name"]] = np.ascontiguousarray(theta[b["offset"]:b["offset"] + size].reshape(b["shape"], order="F"))
        return out


def _problem(problem):
    if not isinstance(problem, Problem):
        raise TypeError("problem: must be a dncert.Problem, got %s" % type(problem).__name__)
    return problem


# ---- train ----

class Result:
    """A training run: the final point and its summary (the keys of summary.json, docs/trainer.md)."""

    def __init__(self, problem, theta, summary, history):
        self.problem = problem
        self.point = problem._point(theta)
        self.summary = summary
        self.history = history
        for key in ("loss", "fit", "reg", "grad_norm", "steps", "evaluations", "seconds", "status"):
            setattr(self, key, summary[key])
        self.solution_class = summary["class"]["class"]

    def __repr__(self):
        return ("Result(%s: %s after %d steps, loss %.16g, |grad| %.3g, %s)"
                % (self.problem.description, self.status, self.steps, self.loss, self.grad_norm, self.solution_class))


def train(problem, steps=None, optimizer=None, lr=None, momentum=None, seed=None, init_std=None, grad_tol=None,
          lbfgs_memory=None, threads=None, rank_tol=None, init=None, log_every=None):
    """Trains the problem as `dncert train` does (docs/trainer.md) and returns a Result.

    An option left at None takes the default of `dncert train` (steps 10000, optimizer "gd",
    lr 0.5, momentum 0.9, seed 1, the fan-in start, grad_tol 0, lbfgs_memory 10, threads 1,
    rank_tol 1e-6). optimizer is "gd" (the papers' update), "momentum" or "lbfgs"; the random
    start drawn from seed has each block N(0, 1/(2d)), d its input rows, or every entry
    N(0, init_std^2) when init_std is given (docs/trainer.md); init (a point, dict of arrays)
    replaces it;
    log_every=N keeps the state every N steps in result.history (the records of
    metrics.jsonl). The same seed and thread count give bit-identical iterates, the same as
    the command's. A run that diverges is returned all the same, with status "diverged" and
    a RuntimeWarning.
    """
    problem = _problem(problem)
    given = {"steps": steps, "optimizer": optimizer, "lr": lr, "momentum": momentum, "seed": seed,
             "init_std": init_std, "grad_tol": grad_tol, "lbfgs_memory": lbfgs_memory, "threads": threads,
             "rank_tol": rank_tol, "log_every": log_every}
    opts = {}
    for key, value in given.items():
        if value is None:
            continue
        if key in ("steps", "seed", "lbfgs_memory", "threads", "log_every"):
            opts[key] = _int(value, key)
        elif key == "optimizer":
            if not isinstance(value, str):
                raise TypeError("optimizer: must be 'gd', 'momentum' or 'lbfgs', got %r" % (value,))
            opts[key] = value
        elif isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError("%s: must be a number, got %r" % (key, value))
        elif not math.isfinite(value):
            raise InputError("%s: must be a finite number (got %r)" % (key, float(value)))
        else:
            opts[key] = float(value)
    if log_every is not None and opts["log_every"] < 1:
        raise InputError("log_every: must be a positive integer (got %d)" % opts["log_every"])
    start = problem._theta(init, "init") if init is not None else None
    theta = np.empty(problem.nparams)
    summary, records = ctypes.c_void_p(), ctypes.c_void_p()
    status, msg = _call(_lib.lib.dnc_flat_train, problem._json, json.dumps(opts).encode(), _vec(start),
                        _vec(theta), ctypes.byref(summary), ctypes.byref(records))
    text, recs = _lib.take_string(summary), _lib.take_string(records)
    if text is None:
        raise DncertError(msg)
    if status != _lib.OK:
        warnings.warn("dncert.train: " + msg, RuntimeWarning, stacklevel=2)
    return Result(problem, theta, json.loads(text), json.loads(recs) if log_every is not None else None)


# ---- evaluate ----

class Evaluation:
    """The point in double precision, as `dncert metrics` and `dncert classify` see it."""

    def __init__(self, problem, grad, d):
        self.loss, self.fit, self.reg, self.grad_norm = d["loss"], d["fit"], d["reg"], d["grad_norm"]
        self.grad = problem._point(grad)
        self.layers = d["layers"]
        self.classification = d["class"]
        self.solution_class = d["class"]["class"]
        self.raw = d

    def __repr__(self):
        return "Evaluation(loss %.16g, |grad| %.3g, %s)" % (self.loss, self.grad_norm, self.solution_class)


def evaluate(problem, point, rank_tol=1e-6):
    """Loss, its two terms, the gradient (a dict like the point), the collapse metrics of
    every layer (docs/metrics.md) and the solution class of a point, in double precision."""
    problem = _problem(problem)
    theta = problem._theta(point)
    grad = np.empty(problem.nparams)
    if isinstance(rank_tol, bool) or not isinstance(rank_tol, numbers.Real):
        raise TypeError("rank_tol: must be a number, got %r" % (rank_tol,))
    out = ctypes.c_void_p()
    status, msg = _call(_lib.lib.dnc_flat_evaluate, problem._json, _vec(theta), float(rank_tol), _vec(grad),
                        ctypes.byref(out))
    text = _lib.take_string(out)
    if status != _lib.OK:
        raise DncertError(msg)
    return Evaluation(problem, grad, json.loads(text))


# ---- closed forms ----

_STRUCTURES = ("dnc", "srg", "sts", "deep-linear", "ufm", "tirer-bruna")


class ClosedForm:
    """A certified closed-form value (`dncert closed-form`): loss is an Enclosure of f* along
    the structure; scalars are its named constants (Enclosures, with "polynomial" and
    "isolating_interval" for algebraic ones under scalar_info)."""

    def __init__(self, problem, d, theta):
        self.problem = problem
        self.structure = d["structure"]
        self.alive = d["alive"]
        self.alive_rule = d["alive_rule"]
        self.loss = Enclosure(d["loss"])
        self.scalars = {s["name"]: Enclosure(s) for s in d["scalars"]}
        self.scalar_info = {s["name"]: s for s in d["scalars"]}
        self.consistent = d["crosscheck"]["consistent"]
        self.compare = d.get("compare")
        self.note = d.get("note")
        self.point = problem._point(theta) if theta is not None else None
        self.raw = d

    lo = property(lambda self: self.loss.lo)
    hi = property(lambda self: self.loss.hi)
    decimal = property(lambda self: self.loss.decimal)

    def __repr__(self):
        return "ClosedForm(%s, %s: f* = %s, %s)" % (self.structure, self.problem.description, self.decimal, self.alive)


def closed_form(structure, problem, r=None, v=None, embed=False, prec=256, compare=False, point=False):
    """The closed-form optimum or competitor `structure` of the problem, certified.

    structure: "dnc", "srg" (needs r: classes are the edges of K_r, K = r(r-1)/2), "sts"
    (needs v), "deep-linear", "ufm", "tirer-bruna"; embed places srg/sts in a larger K with
    DNC on the other classes; compare also certifies the order against DNC; point=True
    returns the explicit point, expanded and rounded to double, as closed_form.point
    (usable as train(..., init=...)). Unlike the command, the problem is never completed
    by defaults: give K and the widths yourself.
    """
    problem = _problem(problem)
    if structure not in _STRUCTURES:
        raise InputError("structure: unknown structure %r (%s)" % (structure, ", ".join(_STRUCTURES)))
    if structure != "srg" and r is not None:
        raise InputError("r: applies only to srg")
    if structure != "sts" and v is not None:
        raise InputError("v: applies only to sts")
    param = 0
    if structure == "srg":
        if r is None:
            raise InputError("r: srg needs r, the number of vertices of K_r (K = r(r-1)/2)")
        param = _int(r, "r")
    if structure == "sts":
        if v is None:
            raise InputError("v: sts needs v, the order of a Steiner triple system (K = v(v-1)/6)")
        param = _int(v, "v")
    theta = np.empty(problem.nparams) if point else None
    out = ctypes.c_void_p()
    status, msg = _call(_lib.lib.dnc_flat_closed_form, structure.encode(), problem._json, param, 1 if embed else 0,
                        _int(prec, "prec"), 1 if compare else 0, _vec(theta), ctypes.byref(out))
    text = _lib.take_string(out)
    if status != _lib.OK:
        raise DncertError(msg)
    return ClosedForm(problem, json.loads(text), theta)


# ---- certify a point ----

class Stage:
    """One point of a certificate: the trained point, its exact class means, its polished version."""

    def __init__(self, d):
        self.name = d["name"]
        self.loss, self.fit, self.reg = Enclosure(d["loss"]), Enclosure(d["fit"]), Enclosure(d["reg"])
        self.grad_abs, self.grad_rad, self.kinks = d["grad_abs"], d["grad_rad"], d["kinks"]
        self.same_as_previous = d["same_as_previous"]
        self.change = Enclosure(d["change"]) if "change" in d else None
        self.change_sign = d["change"]["sign"] if "change" in d else None

    def __repr__(self):
        return "Stage(%s: loss %s, max |gradient entry| <= %.3e)" % (self.name, self.loss.decimal, self.grad_abs)


class Certification:
    """What `dncert certify-point` reports: the certified loss of each stage, the DNC value,
    and the verdict of the claim dnc_not_optimal ("certified": the last point's loss is
    strictly below the DNC value, so DNC is not globally optimal for this problem)."""

    def __init__(self, d):
        self.stages = [Stage(s) for s in d["stages"]]
        self.loss = self.stages[-1].loss
        self.dnc = Enclosure(d["dnc"]) if d["dnc"] is not None else None
        self.verdict, self.why = d["verdict"], d["why"]
        self.certified = self.verdict == "certified"
        self.polish = d.get("polish")
        self.claims, self.prec, self.path = d["claims"], d["prec"], d["path"]
        self.certificate = d.get("certificate")
        self.raw = d

    def __repr__(self):
        return "Certification(loss %s, DNC %s: %s%s)" % (
            self.loss.decimal, self.dnc.decimal if self.dnc else "none", self.verdict,
            ", " + self.path if self.path else "")


def certify(problem, point, out=None, project_collapse=False, polish=False, polish_steps=None, prec=256,
            force=False):
    """Certifies the loss of a point as `dncert certify-point` does (docs/certify-point.md).

    The float64 entries are exact dyadic rationals, so the point's loss is enclosed
    rigorously: a certified upper bound on the global minimum. project_collapse adds the
    point with the features replaced by their exact class means; polish refines the last
    point by Newton's method at prec bits inside its ReLU pattern (at most polish_steps
    steps, default 50). The certificate compares the last point with the certified DNC
    value; the independent checker re-checks it before anything is written. With out, it
    is written to that file (an existing one only with force=True); without, it is
    returned as Certification.certificate (a dict).
    """
    problem = _problem(problem)
    theta = problem._theta(point)
    opts = {"project_collapse": bool(project_collapse), "polish": bool(polish), "prec": _int(prec, "prec"),
            "interface": "python"}
    if polish_steps is not None:
        opts["polish_steps"] = _int(polish_steps, "polish_steps")
    path = None
    if out is not None:
        path = os.fsencode(out)
        # the certificate, and its point file when it has one (more than DNC_ENCODING_TEXT_MAX
        # parameters, dncert/cert.h)
        for target in (path, path + b".trained.f64" if problem.nparams > 65536 else None):
            if target is not None and os.path.exists(target) and not force:
                raise FileExistsError("out: '%s' already exists (force=True replaces it)" % os.fsdecode(target))
    res = ctypes.c_void_p()
    status, msg = _call(_lib.lib.dnc_flat_certify, problem._json, _vec(theta), json.dumps(opts).encode(), path,
                        ctypes.byref(res))
    text = _lib.take_string(res)
    if status != _lib.OK:
        raise DncertError(msg)
    return Certification(json.loads(text))


# ---- verify, through the independent checker ----

class Claim:
    """One claim as the independent checker recomputed it."""

    def __init__(self, c):
        self.id, self.kind = c.id.decode(), c.kind.decode()
        self.verdict = "certified" if c.verdict else "not proven"
        self.written = "certified" if c.written else "not proven"
        self.ok = c.verdict == c.written
        self.why, self.what = c.why.decode(), c.what.decode()

    def __repr__(self):
        return "Claim(%s %s %s %s)" % (self.id, self.kind, self.verdict, "OK" if self.ok else "MISMATCH")


class Verification:
    """The checker's verdicts on one certificate: ok when the file is accepted and every
    recomputed verdict equals the written one; rejected holds the reason a malformed or
    out-of-bounds file was refused."""

    def __init__(self, path, ok, claims, stats, rejected):
        self.path, self.ok, self.claims, self.rejected = path, ok, claims, rejected
        self.nclaims, self.ncertified, self.nmismatch, self.prec = (stats.nclaims, stats.ncertified,
                                                                    stats.nmismatch, stats.prec)

    def __bool__(self):
        return self.ok

    def __repr__(self):
        if self.rejected:
            return "Verification(%s: REJECTED: %s)" % (self.path, self.rejected)
        return "Verification(%s: %d claims, %d certified, %d mismatches: %s)" % (
            self.path, self.nclaims, self.ncertified, self.nmismatch, "OK" if self.ok else "FAILED")


def verify(path, prec=64):
    """Re-checks a certificate with dncert's independent checker (dncv_verify_file_claims of
    libdncert_verifier, which shares no code with the producer; docs/verifier.md), at
    max(prec, the file's precision) bits. Returns a Verification; a missing file raises
    FileNotFoundError."""
    fs = os.fsencode(path)
    if not os.path.isfile(fs):
        raise FileNotFoundError("path: '%s' is not a file" % os.fsdecode(fs))
    prec = _int(prec, "prec")
    if not 64 <= prec <= 4096:
        raise InputError("prec: must be an integer in [64, 4096] (got %d)" % prec)
    claims = []
    cb = _lib.dncv_claim_fn(lambda c, ctx: claims.append(Claim(c.contents)))
    stats = _lib.dncv_stats()
    err = ctypes.create_string_buffer(_lib.ERRLEN)
    r = _lib.verifier.dncv_verify_file_claims(fs, prec, cb, None, ctypes.byref(stats), err, _lib.ERRLEN)
    return Verification(os.fsdecode(fs), r == 0, claims, stats, err.value.decode("utf-8", "replace") if r < 0 else None)
