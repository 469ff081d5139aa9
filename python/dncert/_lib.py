"""Finding and loading libdncert and its checker, and the signatures of what dncert calls.

The package is pure Python over ctypes (the standard library): no compiler, no
python3-dev and no package beyond numpy are needed to install or use it. It binds only
the flat interface of libdncert (include/dncert/flat.h: plain C types and JSON text) and
the checker's own entry point (include/dncert/verify.h), both written for this purpose.
"""
import ctypes
import ctypes.util
import os

_here = os.path.dirname(os.path.abspath(__file__))


def _candidates():
    """Where libdncert.so may be, in the order tried (docs/python.md, "Finding the library")."""
    env = os.environ.get("DNCERT_LIB")
    if env:
        yield "DNCERT_LIB", os.path.join(env, "libdncert.so") if os.path.isdir(env) else env
        return
    yield "the package's directory", os.path.join(_here, "_lib", "libdncert.so")
    repo = os.path.dirname(os.path.dirname(_here))
    if os.path.exists(os.path.join(repo, "CMakeLists.txt")) and os.path.isdir(os.path.join(repo, "include", "dncert")):
        for build in ("build-shared", os.path.join("build", "python-lib")):
            yield "the checkout's " + build, os.path.join(repo, build, "libdncert.so")
    found = ctypes.util.find_library("dncert")
    if found:
        yield "the system's libraries", found


def _load():
    tried = []
    for where, path in _candidates():
        if where != "the system's libraries" and not os.path.exists(path):
            tried.append("%s (%s)" % (path, where))
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s (%s): %s" % (path, where, e))
    raise ImportError(
        "dncert: libdncert.so not found; tried " + ("; ".join(tried) or "nothing") +
        ". Build it (scripts/build.sh build makes build/python-lib/libdncert.so; or "
        "cmake -S . -B build-shared -DBUILD_SHARED_LIBS=ON and install it), or set DNCERT_LIB "
        "to the library or its directory (docs/python.md)")


def _load_verifier(lib_path):
    """The checker's own library beside libdncert (libdncert links it); else libdncert's
    handle, through which the dynamic linker finds the checker's symbols all the same."""
    directory = os.path.dirname(lib_path)
    for name in ("libdncert_verifier.so",):
        path = os.path.join(directory, name)
        if directory and os.path.exists(path):
            return ctypes.CDLL(path), path
    return lib, lib_path


lib, path = _load()
verifier, verifier_path = _load_verifier(path)

_c = ctypes
_out = _c.POINTER(_c.c_void_p)
_err = [_c.c_char_p, _c.c_size_t]
_sig = {
    "dnc_version": (_c.c_char_p, []),
    "dnc_flat_free": (None, [_c.c_void_p]),
    "dnc_flat_problem": (_c.c_int, [_c.c_char_p, _out] + _err),
    "dnc_flat_point": (_c.c_int, [_c.c_char_p, _c.c_int, _c.POINTER(_c.c_char_p), _c.POINTER(_c.c_int),
                                  _c.POINTER(_c.c_int64), _c.POINTER(_c.c_void_p), _c.c_void_p] + _err),
    "dnc_flat_train": (_c.c_int, [_c.c_char_p, _c.c_char_p, _c.c_void_p, _c.c_void_p, _out, _out] + _err),
    "dnc_flat_evaluate": (_c.c_int, [_c.c_char_p, _c.c_void_p, _c.c_double, _c.c_void_p, _out] + _err),
    "dnc_flat_closed_form": (_c.c_int, [_c.c_char_p, _c.c_char_p, _c.c_long, _c.c_int, _c.c_long, _c.c_int,
                                        _c.c_void_p, _out] + _err),
    "dnc_flat_certify": (_c.c_int, [_c.c_char_p, _c.c_void_p, _c.c_char_p, _c.c_char_p, _out] + _err),
}
for _name, (_res, _args) in _sig.items():
    _f = getattr(lib, _name)
    _f.restype = _res
    _f.argtypes = _args


class dncv_stats(_c.Structure):
    _fields_ = [("nclaims", _c.c_long), ("ncertified", _c.c_long), ("nmismatch", _c.c_long), ("prec", _c.c_long)]


class dncv_claim(_c.Structure):
    _fields_ = [("id", _c.c_char_p), ("kind", _c.c_char_p), ("verdict", _c.c_int), ("written", _c.c_int),
                ("why", _c.c_char_p), ("what", _c.c_char_p)]


dncv_claim_fn = _c.CFUNCTYPE(None, _c.POINTER(dncv_claim), _c.c_void_p)
verifier.dncv_verify_file_claims.restype = _c.c_int
verifier.dncv_verify_file_claims.argtypes = [_c.c_char_p, _c.c_long, dncv_claim_fn, _c.c_void_p,
                                             _c.POINTER(dncv_stats)] + _err

OK, FAILED, BAD_INPUT = 0, 1, 2   # DNC_FLAT_OK, DNC_FLAT_FAILED, DNC_FLAT_BAD_INPUT
ERRLEN = 8192


def take_string(ptr):
    """The text of a string returned by a dnc_flat_ function, freed."""
    if not ptr.value:
        return None
    try:
        return _c.string_at(ptr.value).decode("utf-8")
    finally:
        lib.dnc_flat_free(ptr.value)
