#!/usr/bin/python3
"""Writes the run-directory fixtures of tests/test_rundir.c and tests/test_cli.c, and the
seeds of fuzz/corpus/fuzz_npz/, from one point made with numpy as a PyTorch user would
have it: a batch of features with one row per sample (N x d1), nn.Linear weights
(outputs x inputs), a bias vector. Deterministic: run it again and nothing changes.

    /usr/bin/python3 tests/data/rundir/make_fixtures.py

v1-train/ is not made here: it is the output of dncert 0.1.0 itself (commit 9e49b5e,
`dncert train --K 2 --n 2,3 --L 2 --width 3 --bias free --lambda-h 0.01
--lambda-w 1/300,0.005 --init-std 0.5 --steps 30 --log-every 10 --out v1-train`), a
version-1 run directory with Fortran-order arrays.
"""
import io
import json
import os
import shutil
import struct
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "..", "fuzz", "corpus", "fuzz_npz")

K, n, L, d = 2, [2, 3], 2, 3
N = sum(n)
PROBLEM = {"K": K, "n": n, "L": L, "width": d, "activation": "relu", "bias": "free",
           "lambda_h": "1/100", "lambda_w": ["1/300", "1/200"]}

rng = np.random.default_rng(20240601)
feats = rng.standard_normal((N, d))          # a batch: row j is sample j, classes in order
W1 = rng.standard_normal((d, d))             # (outputs, inputs), as torch.nn.Linear.weight
W2 = rng.standard_normal((K, d))
b = rng.standard_normal(K)
POINT = {"H1": feats.T, "W1": W1, "W2": W2, "b": b}   # H1 is d1 x N: features are columns


def loss():
    """The objective of docs/model.md, written again in numpy."""
    Y = np.zeros((K, N))
    Y[np.repeat(np.arange(K), n), np.arange(N)] = 1
    Z = W2 @ np.maximum(W1 @ feats.T, 0) + b[:, None]
    lam_h, lam_w = 1 / 100, [1 / 300, 1 / 200]
    return (((Z - Y) ** 2).sum() / (2 * N) + lam_h / 2 * (feats ** 2).sum()
            + sum(lw / 2 * (w ** 2).sum() for lw, w in zip(lam_w, (W1, W2))))


def fresh(name, manifest):
    path = os.path.join(HERE, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    with open(os.path.join(path, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return path


def v2(**extra):
    m = {"format": "dncert-point", "version": 2, "problem": PROBLEM}
    m.update(extra)
    return m


def npy_bytes(a):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asanyarray(a))
    return buf.getvalue()


def zip64_npz(path, arrays):
    """An .npz whose central directory and end records are all ZIP64 (what zipfile writes
    for members or offsets beyond 4 GiB), built by hand with small members."""
    out, central = bytearray(), bytearray()
    for name, a in arrays.items():
        data, fname = npy_bytes(a), (name + ".npy").encode()
        crc, off = zlib.crc32(data), len(out)
        extra = struct.pack("<HHQQ", 1, 16, len(data), len(data))
        out += struct.pack("<IHHHHHIIIHH", 0x04034b50, 45, 0, 0, 0, 0x21, crc, 0xffffffff, 0xffffffff,
                           len(fname), len(extra)) + fname + extra + data
        cextra = struct.pack("<HHQQQ", 1, 24, len(data), len(data), off)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 45, 45, 0, 0, 0, 0x21, crc, 0xffffffff,
                               0xffffffff, len(fname), len(cextra), 0, 0, 0, 0, 0xffffffff) + fname + cextra
    cd_off, count = len(out), len(arrays)
    out += central
    end64 = len(out)
    out += struct.pack("<IQHHIIQQQQ", 0x06064b50, 44, 45, 45, 0, 0, count, count, len(central), cd_off)
    out += struct.pack("<IIQI", 0x07064b50, 0, end64, 1)
    out += struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 0xffff, 0xffff, 0xffffffff, 0xffffffff, 0)
    with open(path, "wb") as f:
        f.write(out)


def main():
    # the point three ways: one archive, .npy files, and listed under other names
    np.savez(os.path.join(fresh("numpy-npz", v2()), "point.npz"), **POINT)
    p = fresh("numpy-npy", v2())
    for name, a in POINT.items():
        np.save(os.path.join(p, name + ".npy"), a)   # H1 = feats.T is Fortran-ordered: kept so
    p = fresh("numpy-listed", v2(arrays=[
        {"name": "H1", "file": "arrays.npz", "key": "features", "shape": [d, N]},
        {"name": "W1", "file": "arrays.npz", "shape": [d, d]},
        {"name": "W2", "file": "w2.npy", "shape": [K, d]},
        {"name": "b", "file": "arrays.npz", "key": "bias", "shape": [K]}]))
    np.savez(os.path.join(p, "arrays.npz"), features=feats.T, W1=W1, bias=b)
    np.save(os.path.join(p, "w2.npy"), W2)
    zip64_npz(os.path.join(fresh("zip64", v2()), "point.npz"), POINT)
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump({"loss": repr(float(loss())), "note": "numpy's float64 loss of the numpy-* fixtures"}, f)
        f.write("\n")

    # what users get wrong
    p = fresh("float32", v2())
    for name, a in POINT.items():
        np.save(os.path.join(p, name + ".npy"), a.astype(np.float32) if name == "H1" else a)
    np.savez(os.path.join(fresh("transposed", v2()), "point.npz"), **dict(POINT, H1=feats))
    np.savez(os.path.join(fresh("bias-2d", v2()), "point.npz"), **dict(POINT, b=b[:, None]))
    np.savez_compressed(os.path.join(fresh("compressed", v2()), "point.npz"), **POINT)

    # seeds of the .npz fuzz target
    os.makedirs(CORPUS, exist_ok=True)
    for src, dst in (("numpy-npz", "savez.npz"), ("compressed", "savez-compressed.npz"), ("zip64", "zip64.npz")):
        shutil.copy(os.path.join(HERE, src, "point.npz"), os.path.join(CORPUS, dst))
    np.savez(os.path.join(CORPUS, "one-vector.npz"), b=b)
    np.savez(os.path.join(CORPUS, "float32.npz"), H1=feats.T.astype(np.float32))


if __name__ == "__main__":
    main()
