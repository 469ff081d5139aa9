#!/usr/bin/env python3
"""certify-point against one float64 gradient evaluation of the same trained point (issue 13).

For each configuration (L = 4; K = 10 and 100; N = 2000 at width 256, N = 50 000 at width
512), in one run: a point trained a few steps by `dncert train` (the cost does not depend on
optimality); the float64 gradient of that point by the trainer's own evaluator
(`bench_fast run=DIR`, which also times the fast enclosure alone); `dncert certify-point` on
it (the producer, including its own run of the checker on what it writes) and
`dncert-verify` on the certificate, with their peak resident sizes (GNU time) -- the three in
REPS interleaved rounds, best time of each, and the same two with --no-gradient (the
gradient_norm claim's cost is the difference); the certificate's loss and gradient-norm
interval half-widths relative to their midpoints; and at N = 2000
the same two jobs through Arb (`--method arb`). Prints one JSON line per configuration and a
table of ratios (docs/fast-tier.md §6, docs/benchmarks.md). The point's float64 size is
8 bytes per parameter; "base" is the peak resident size of certify-point and dncert-verify on
a 12-parameter point (libraries, no data), reported so that the memory of the point can be
read apart from the process's own.

    bench/bench_certify.py [--build DIR] [--quick] [--reps R] [--reps-large R] [--steps S]

--quick: the N = 2000 rows only. OpenBLAS runs on one thread unless OPENBLAS_NUM_THREADS
is set.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from fractions import Fraction


def run(cmd, log):
    """Runs cmd with stdout and stderr to the file log; returns (seconds, peak RSS in bytes).
    The peak is GNU time's (%M): a child's maximum resident size counts what its parent held
    when it forked (Linux keeps the high-water mark across exec), which from this Python
    process would be 15 MB; from time(1), 2 MB."""
    rss = log + ".rss"
    with open(log, "w") as f:
        t0 = time.monotonic()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss] + cmd, stdout=f, stderr=subprocess.STDOUT)
        dt = time.monotonic() - t0
    if p.returncode != 0:
        sys.stderr.write(open(log).read())
        sys.exit("bench_certify: %s failed (exit %d)" % (" ".join(cmd), p.returncode))
    return dt, int(open(rss).read().split()[-1]) * 1024


def rel_radius(cert):
    """Half-width of the trained point's loss interval over its midpoint (exact rationals)."""
    with open(cert) as f:
        c = json.load(f)
    claim = next(x for x in c["claims"] if x["id"] == "loss_trained")
    lo, hi = Fraction(claim["loss"]["lo"]), Fraction(claim["loss"]["hi"])
    return float((hi - lo) / (hi + lo)), claim.get("method", "arb")


def grad_radius(cert):
    """Half-width of the trained point's gradient_norm interval over its midpoint, the
    midpoint, and the claim's method (None when the certificate has no such claim)."""
    with open(cert) as f:
        c = json.load(f)
    claim = next((x for x in c["claims"] if x["id"] == "gradient_norm_trained"), None)
    if claim is None:
        return None, None, None
    lo, hi = Fraction(claim["norm"]["lo"]), Fraction(claim["norm"]["hi"])
    return float((hi - lo) / (hi + lo)), float((hi + lo) / 2), claim["method"]


def method_line(log):
    for line in open(log):
        if line.startswith("method"):
            return line.split(None, 1)[1].strip()
    return "?"


def config(args, tmp, K, n, width, arb):
    d, b = args.dncert, args.build
    rundir = os.path.join(tmp, "run-K%d-n%d" % (K, n))
    run([d, "train", "--K", str(K), "--n", str(n), "--L", "4", "--width", str(width), "--steps", str(args.steps),
         "--out", rundir, "--quiet", "--force"], os.path.join(tmp, "train.log"))
    cert = os.path.join(tmp, "c-K%d-n%d.json" % (K, n))
    log = os.path.join(tmp, "certify.log")
    ncert = os.path.join(tmp, "n-K%d-n%d.json" % (K, n))
    t64, tfast, t_cert, m_cert, t_ver, m_ver = [], [], [], [], [], []
    t_ncert, t_nver = [], []
    for _ in range(args.reps):   # interleaved rounds: a load that comes and goes hits every job alike
        out = subprocess.run([os.path.join(b, "bench_fast"), "run=" + rundir, "1", "noh1"], check=True,
                             capture_output=True, text=True).stdout
        bf = json.loads(out)
        t64.append(bf["t_float64_grad"])
        tfast.append(bf["t_fast"])
        t, m = run([d, "certify-point", rundir, "--out", cert, "--force"], log)
        t_cert.append(t)
        m_cert.append(m)
        t, m = run([args.verify, cert], os.path.join(tmp, "verify.log"))
        t_ver.append(t)
        m_ver.append(m)
        t_ncert.append(run([d, "certify-point", rundir, "--out", ncert, "--force", "--no-gradient"],
                           os.path.join(tmp, "ncertify.log"))[0])
        t_nver.append(run([args.verify, ncert], os.path.join(tmp, "nverify.log"))[0])
    bf["t_float64_grad"], bf["t_fast"] = min(t64), min(tfast)
    g_rad, g_norm, g_method = grad_radius(cert)
    t_cert, m_cert, t_ver, m_ver = min(t_cert), max(m_cert), min(t_ver), max(m_ver)
    point_bytes = 8 * bf["params"]
    how = method_line(log)
    rad, method = rel_radius(cert)
    files = [cert] + [os.path.join(tmp, f) for f in os.listdir(tmp) if f.startswith(os.path.basename(cert) + ".")]
    row = {"K": K, "n": n, "N": K * n, "L": 4, "width": width, "params": bf["params"], "point_mb": point_bytes / 2**20,
           "t_float64_grad": bf["t_float64_grad"], "t_fast_enclosure": bf["t_fast"], "t_certify_point": t_cert,
           "t_verify": t_ver, "rss_certify_mb": m_cert / 2**20, "rss_verify_mb": m_ver / 2**20,
           "certificate_mb": sum(os.path.getsize(f) for f in files) / 2**20, "method": method, "why": how,
           "loss": bf["loss"], "loss_radius_rel": rad, "fast_over_float64": bf["t_fast"] / bf["t_float64_grad"],
           "certify_over_float64": t_cert / bf["t_float64_grad"], "verify_over_float64": t_ver / bf["t_float64_grad"],
           "certify_rss_over_point": m_cert / point_bytes, "verify_rss_over_point": m_ver / point_bytes,
           "certify_rss_less_base_over_point": (m_cert - args.base[0]) / point_bytes,
           "verify_rss_less_base_over_point": (m_ver - args.base[1]) / point_bytes,
           "t_certify_point_no_gradient": min(t_ncert), "t_verify_no_gradient": min(t_nver),
           "gradient_claim_over_float64": (t_cert - min(t_ncert)) / bf["t_float64_grad"],
           "gradient_verify_over_float64": (t_ver - min(t_nver)) / bf["t_float64_grad"],
           "grad_norm": g_norm, "grad_radius_rel": g_rad, "grad_method": g_method}
    if arb:
        acert = os.path.join(tmp, "a-K%d-n%d.json" % (K, n))
        t_a, m_a = run([d, "certify-point", rundir, "--out", acert, "--force", "--method", "arb"],
                       os.path.join(tmp, "arb.log"))
        t_av, m_av = run([args.verify, acert], os.path.join(tmp, "averify.log"))
        row.update({"arb_t_certify_point": t_a, "arb_t_verify": t_av, "arb_rss_certify_mb": m_a / 2**20,
                    "arb_rss_verify_mb": m_av / 2**20, "arb_loss_radius_rel": rel_radius(acert)[0],
                    "arb_certify_over_float64": t_a / bf["t_float64_grad"], "arb_over_fast_certify": t_a / t_cert,
                    "arb_grad_radius_rel": grad_radius(acert)[0]})
    for f in os.listdir(tmp):   # point files of 200 MB: one configuration at a time
        if f.startswith(("c-", "a-", "n-")):
            os.remove(os.path.join(tmp, f))
    shutil.rmtree(rundir)
    return row


def base_rss(args, tmp):
    """Peak RSS of certify-point and dncert-verify on a 12-parameter point."""
    rundir = os.path.join(tmp, "tiny")
    run([args.dncert, "train", "--K", "2", "--n", "1", "--L", "2", "--width", "2", "--steps", "2", "--out", rundir,
         "--quiet"], os.path.join(tmp, "train.log"))
    cert = os.path.join(tmp, "tiny.json")
    m = run([args.dncert, "certify-point", rundir, "--out", cert], os.path.join(tmp, "certify.log"))[1]
    v = run([args.verify, cert], os.path.join(tmp, "verify.log"))[1]
    shutil.rmtree(rundir)
    os.remove(cert)
    return m, v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--reps", type=int, default=3, help="rounds at N = 2000 (default 3)")
    ap.add_argument("--reps-large", type=int, default=2, help="rounds at N = 50 000 (default 2)")
    ap.add_argument("--steps", type=int, default=2, help="training steps of each point (default 2)")
    args = ap.parse_args()
    args.dncert = os.path.join(args.build, "dncert")
    args.verify = os.path.join(args.build, "dncert-verify")
    for exe in (args.dncert, args.verify, os.path.join(args.build, "bench_fast")):
        if not os.access(exe, os.X_OK):
            sys.exit("bench_certify: %s missing; build dncert, dncert-verify and bench_fast" % exe)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print("# OpenBLAS threads %s; %s; load %s" % (os.environ["OPENBLAS_NUM_THREADS"], cpu,
                                                   " ".join("%.2f" % x for x in os.getloadavg())))
    configs = [(10, 200, 256, True), (100, 20, 256, True)]
    if not args.quick:
        configs += [(10, 5000, 512, False), (100, 500, 512, False)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_certify.") as tmp:
        args.base = base_rss(args, tmp)
        print("# base RSS: certify-point %.1f MB, dncert-verify %.1f MB" % (args.base[0] / 2**20, args.base[1] / 2**20))
        for K, n, w, arb in configs:
            reps = args.reps if K * n <= 2000 else args.reps_large
            a = argparse.Namespace(**vars(args))
            a.reps = reps
            row = config(a, tmp, K, n, w, arb)
            print(json.dumps(row), flush=True)
            rows.append(row)
    print("# load at the end %s" % " ".join("%.2f" % x for x in os.getloadavg()))
    print("\n| K | N | width | certify-point / grad | with --no-gradient | the gradient claim's share | "
          "dncert-verify / grad | its gradient share | |grad| | norm radius / norm | Arb norm radius / norm |")
    print("|---" * 11 + "|")
    for r in rows:
        print("| %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.3e | %.1e | %s |" % (
            r["K"], r["N"], r["width"], r["certify_over_float64"], r["t_certify_point_no_gradient"] / r["t_float64_grad"],
            r["gradient_claim_over_float64"], r["verify_over_float64"], r["gradient_verify_over_float64"],
            r["grad_norm"], r["grad_radius_rel"],
            "%.1e" % r["arb_grad_radius_rel"] if "arb_grad_radius_rel" in r else "—"))
    print("\n| K | N | width | certify-point / grad | fast enclosure / grad | dncert-verify / grad | "
          "certify RSS / point (less base) | verify RSS / point (less base) | loss radius / loss | method | "
          "Arb certify / grad | Arb verify / grad | Arb radius / loss |")
    print("|---" * 13 + "|")
    for r in rows:
        arbc = "%.0f (%.1f s)" % (r["arb_certify_over_float64"], r["arb_t_certify_point"]) if "arb_t_certify_point" in r else "—"
        arbv = "%.0f" % (r["arb_t_verify"] / r["t_float64_grad"]) if "arb_t_verify" in r else "—"
        arbr = "%.1e" % r["arb_loss_radius_rel"] if "arb_loss_radius_rel" in r else "—"
        print("| %d | %d | %d | %.2f (%.2f s / %.3f s) | %.2f | %.2f | %.2f (%.2f) | %.2f (%.2f) | %.1e | %s | %s | %s | %s |" % (
            r["K"], r["N"], r["width"], r["certify_over_float64"], r["t_certify_point"], r["t_float64_grad"],
            r["fast_over_float64"], r["verify_over_float64"], r["certify_rss_over_point"],
            r["certify_rss_less_base_over_point"], r["verify_rss_over_point"], r["verify_rss_less_base_over_point"],
            r["loss_radius_rel"], r["method"], arbc, arbv, arbr))


if __name__ == "__main__":
    main()
