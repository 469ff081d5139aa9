#!/usr/bin/env python3
"""Step off a critical point that is not a local minimum, along its certified descent direction.

    /usr/bin/python3 scripts/descend.py CERT RUN_DIR OUT_DIR [EPS]

CERT is a certificate of `dncert certify-point RUN_DIR --critical` whose claim descent_direction
is certified (docs/certificate-format.md §6.15, docs/refine.md §7.18): f'(theta*; D) < 0 along
its point `descent`. This writes the run directory OUT_DIR (docs/run-directory.md) whose point
is theta0 + EPS D -- theta0 the certificate's point `critical` (within 2^-192 of theta*),
rounded to doubles -- under RUN_DIR's manifest (its problem and array names), so that

    build/dncert train --init OUT_DIR --optimizer lbfgs --steps 5000 --out RUN2
    build/dncert refine RUN2 --out RUN3
    build/dncert certify-point RUN3 --critical --out CERT2.json

continues the descent and certifies where it ends. EPS (default 0.1) is the step: D has norm
about 1; f drops by about |rate| EPS to first order. Needs python3-numpy.
"""
import json
import os
import sys

import numpy as np


def fail(msg):
    sys.stderr.write("descend.py: %s\n" % msg)
    sys.exit(2)


def number(s):
    """A rational string of the format (hexadecimal dyadic, integer, p/q or decimal) as a double."""
    t = s.strip()
    neg = t.startswith("-")
    t = t.lstrip("+-")
    if t.startswith("0x"):
        v = float.fromhex(t)
    elif "/" in t:
        p, q = t.split("/")
        v = int(p) / int(q)
    else:
        v = float(t)
    return -v if neg else v


def blocks(cert, name):
    pt = cert["points"].get(name)
    if pt is None or pt.get("layout") != "expanded" or pt.get("scalars"):
        fail("%s: the certificate has no expanded point '%s'" % (sys.argv[1], name))
    out = {}
    for b, v in pt["blocks"].items():
        if "dense" not in v:
            fail("%s: block %s of point %s is not dense" % (sys.argv[1], b, name))
        a = np.array([number(x) for x in v["dense"]], dtype=float)
        out[b] = a.reshape(v["cols"], v["rows"]).T   # column-major (format §5)
    return out


def main():
    if len(sys.argv) in (2,) and sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return
    if len(sys.argv) not in (4, 5):
        fail("usage: descend.py CERT RUN_DIR OUT_DIR [EPS] (see --help)")
    cert_path, run, out = sys.argv[1:4]
    try:
        eps = float(sys.argv[4]) if len(sys.argv) == 5 else 0.1
    except ValueError:
        fail("EPS: expected a positive number, got '%s'" % sys.argv[4])
    if not (eps > 0 and np.isfinite(eps)):
        fail("EPS: expected a positive number, got '%s'" % sys.argv[4])
    try:
        cert = json.load(open(cert_path))
        man = json.load(open(os.path.join(run, "manifest.json")))
    except (OSError, ValueError) as e:
        fail(str(e))
    claims = [c for c in cert.get("claims", []) if c.get("kind") == "descent_direction"]
    if not claims or claims[0].get("verdict") != "certified":
        fail("%s: no certified descent_direction claim (certify-point --critical makes one where a kink's "
             "multiplier is negative, or a kink has G_e - mu_e < 0)" % cert_path)
    if man.get("problem") != cert.get("problem"):
        fail("%s: the problem of %s is not the certificate's" % (run, cert_path))
    if os.path.exists(out):
        fail("%s: already exists" % out)
    x, d = blocks(cert, "critical"), blocks(cert, claims[0]["direction"])
    for a in man["arrays"]:   # checked before anything is written
        n = a["name"]
        if n not in x or n not in d or list(x[n].shape) != list(a["shape"]) or d[n].shape != x[n].shape:
            fail("%s: array %s does not match the certificate's point" % (run, n))
    tmp = out + ".tmp"
    os.makedirs(tmp)
    for a in man["arrays"]:
        np.save(os.path.join(tmp, a["file"]), x[a["name"]] + eps * d[a["name"]])
    man.pop("source", None)
    man["source"] = {"descend": {"certificate": cert_path, "eps": eps, "rate": claims[0]["rate"]["decimal"]}}
    with open(os.path.join(tmp, "manifest.json"), "w") as f:
        json.dump(man, f, indent=2)
    os.rename(tmp, out)   # no partial output directory
    print("descend.py: %s = critical + %g * %s (rate %s)" % (out, eps, claims[0]["direction"],
                                                             claims[0]["rate"]["decimal"]))


if __name__ == "__main__":
    main()
