#!/usr/bin/env python3
"""The octahedron point of K = 6, L = 4 (docs/refine.md §8) at width 10, from the certified
width-30 point: the live units of its critical_point claim's box centre (the 8 faces, the 4 odd
faces, the 4 even faces and the 3 axis pairs of layers 2, 3, 4), and H1 rotated into its
4-dimensional column space (a symmetry: H1 -> Q^T H1, W1 -> W1 Q). Writes a run directory whose
point-exact.json holds that point at 256 bits (arrays: its rounding to double); `dncert refine`
then takes it to the exact critical point of width 10 and `certify-point --critical` certifies it:

    /usr/bin/python3 scripts/octahedron.py certificates/critical-points/critical-K6-L4-w30.json RUN
    build/dncert refine RUN --out RUN.r
    build/dncert certify-point RUN.r --critical --below srg:4 --out octahedron.json

Needs python3-mpmath and python3-numpy (scripts/install-deps.sh --with-bench). The committed
result is tests/data/critical/k6-l4-octahedron (the refined run) and
certificates/critical-points/critical-K6-L4-octahedron.json.
"""
import json
import os
import re
import sys
import tempfile
from fractions import Fraction

import mpmath as mp
import numpy as np

WIDTH = 10


def number(s):
    s = s.strip()
    neg = s.startswith("-")
    t = s.lstrip("+-")
    m = re.match(r"0x([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?p([+-]?\d+)$", t)
    if m:
        a, b, e = m.groups()
        b = b or ""
        v = mp.mpf(int(a + b, 16)) * mp.mpf(2) ** (int(e) - 4 * len(b))
    else:
        f = Fraction(t)
        v = mp.mpf(f.numerator) / f.denominator
    return -v if neg else v


def dyadic(x):
    """x rounded to 256 bits, as a hexadecimal dyadic string of the point formats."""
    if x == 0:
        return "0"
    with mp.workprec(256):
        y = +mp.mpf(x)
    sign, man, exp, _ = y._mpf_
    return ("-" if sign else "") + "0x%xp%d" % (int(man), exp)


def main():
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) == 2 else 2)
    cert, out = sys.argv[1], sys.argv[2]
    mp.mp.prec = 400
    if os.path.exists(out):
        sys.exit("octahedron.py: %s exists (choose a new directory)" % out)
    try:
        c = json.load(open(cert))
    except (OSError, ValueError) as e:
        sys.exit("octahedron.py: %s: %s" % (cert, e))
    cp = next((x for x in c.get("claims", []) if x.get("kind") == "critical_point"), None)
    if cp is None or c["problem"]["K"] != 6 or c["problem"]["L"] != 4:
        sys.exit("octahedron.py: %s: expected a certificate with a critical_point claim of K = 6, L = 4 (the "
                 "width-30 certificate)" % cert)
    pt = c["points"][cp["point"]]

    def block(name):
        b = pt["blocks"][name]
        r, k = b["rows"], b["cols"]
        v = [number(x) for x in b["dense"]]
        return mp.matrix([[v[j * r + i] for j in range(k)] for i in range(r)])   # column-major

    H1 = block("H1")
    W = {l: block("W%d" % l) for l in range(1, 5)}
    live = {l: [i for i in range(W[l - 1].rows) if any(W[l - 1][i, j] != 0 for j in range(W[l - 1].cols))]
            for l in (2, 3, 4)}
    U, S, _ = mp.svd_r(H1)
    rank = sum(1 for i in range(len(S)) if S[i] > S[0] * mp.mpf(10) ** -40)
    if rank > WIDTH or any(len(live[l]) > WIDTH for l in live):
        sys.exit("octahedron.py: the live units do not fit in width %d" % WIDTH)
    Q = U[:, :rank]
    H1c, W1c = Q.T * H1, W[1] * Q
    new = {"H1": mp.zeros(WIDTH, 6), "W1": mp.zeros(WIDTH, WIDTH), "W2": mp.zeros(WIDTH, WIDTH),
           "W3": mp.zeros(WIDTH, WIDTH), "W4": mp.zeros(6, WIDTH)}
    for i in range(rank):
        for j in range(6):
            new["H1"][i, j] = H1c[i, j]
    for a, u in enumerate(live[2]):
        for b in range(rank):
            new["W1"][a, b] = W1c[u, b]
    for l, name in ((3, "W2"), (4, "W3")):
        for a, u in enumerate(live[l]):
            for b, v in enumerate(live[l - 1]):
                new[name][a, b] = W[l - 1][u, v]
    for r in range(6):
        for b, v in enumerate(live[4]):
            new["W4"][r, b] = W[4][r, v]
    tmp = tempfile.mkdtemp(prefix=".octahedron-", dir=os.path.dirname(os.path.abspath(out)))
    final, out = out, tmp   # written into a temporary directory, renamed when complete
    exact = {"format": "dncert-point-exact", "version": 1, "layout": "expanded", "bits": 256, "blocks": {}}
    arrays = []
    for name, M in new.items():
        dense = [dyadic(M[i, j]) for j in range(M.cols) for i in range(M.rows)]
        exact["blocks"][name] = {"rows": M.rows, "cols": M.cols, "dense": dense}
        A = np.array([[float(number(dense[j * M.rows + i])) for j in range(M.cols)] for i in range(M.rows)])
        np.save(os.path.join(out, name + ".npy"), A)
        arrays.append({"name": name, "file": name + ".npy", "shape": [M.rows, M.cols]})
    problem = dict(c["problem"], width=[WIDTH] * 4)
    json.dump({"format": "dncert-point", "version": 2, "problem": problem, "layout": "expanded", "arrays": arrays,
               "source": {"command": "octahedron.py", "from": os.path.basename(cert)}},
              open(os.path.join(out, "manifest.json"), "w"), indent=2)
    json.dump(exact, open(os.path.join(out, "point-exact.json"), "w"))
    os.rename(out, final)
    out = final
    print("octahedron.py: %s: width %d, live units %d / %d / %d, H1 rank %d" % (
        out, WIDTH, len(live[2]), len(live[3]), len(live[4]), rank))


if __name__ == "__main__":
    main()
